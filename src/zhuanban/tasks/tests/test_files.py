import hashlib

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zhuanban.core.models import StoredFile
from zhuanban.tasks import services
from zhuanban.tasks.lifecycle import Action

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_evidence_is_stored_with_its_hash_and_served_only_within_scope(login, world, in_progress):
    client = login(world.zhuozi_liaison)
    client.post(
        reverse("tasks:report", args=[in_progress.pk]),
        {"text": "土建完成", "progress": 50, "evidence": SimpleUploadedFile("验收单.pdf", PDF)},
    )
    stored = StoredFile.objects.get()
    assert stored.sha256 == hashlib.sha256(PDF).hexdigest()
    assert (stored.name, stored.size, stored.uploaded_by) == (
        "验收单.pdf",
        len(PDF),
        world.zhuozi_liaison,
    )
    url = reverse("tasks:file", args=[in_progress.pk, stored.pk])
    response = login(world.office).get(url)
    assert b"".join(response.streaming_content) == PDF
    assert login(world.huade_liaison).get(url).status_code == 404


def test_a_disguised_file_is_refused_and_nothing_is_saved(login, world, in_progress):
    response = login(world.zhuozi_liaison).post(
        reverse("tasks:report", args=[in_progress.pk]),
        {
            "text": "附件",
            "progress": 50,
            "evidence": SimpleUploadedFile("报告.pdf", b"MZ\x90\x00 not a pdf"),
        },
        follow=True,
    )
    messages = [str(m) for m in response.context["messages"]]
    assert any("报告.pdf" in m for m in messages)
    assert not StoredFile.objects.exists()
    assert not in_progress.reports.exists()


def test_the_office_attaches_files_to_a_task(login, world, make_task):
    task = make_task()
    data = {
        "content": task.content,
        "lead_unit": world.zhuozi.pk,
        "start_date": task.start_date.isoformat(),
        "due_date": task.due_date.isoformat(),
        "version": task.version,
        "attachment": SimpleUploadedFile("实施方案.pdf", PDF),
    }
    response = login(world.office).post(reverse("tasks:edit", args=[task.pk]), data)
    assert response.status_code == 302
    assert [f.name for f in task.attachments.all()] == ["实施方案.pdf"]
    assert task.events.filter(action="attach").exists()
    services.task_act(actor=world.office, task=task, action=Action.ASSIGN)
    html = login(world.zhuozi_liaison).get(reverse("tasks:detail", args=[task.pk])).content.decode()
    assert "实施方案.pdf" in html
