"""Downloading a unit's Excel file, and uploading it back: dry run, then confirm; who
may do which."""

import hashlib
import io
from urllib.parse import quote

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zhuanban.core.models import AuditAction, AuditEvent, StoredFile
from zhuanban.dispatch import services
from zhuanban.dispatch.models import DataValue, Source, SubmissionStatus
from zhuanban.dispatch.tests.conftest import submission_of
from zhuanban.dispatch.workbook import META_SHEET

PROJECT_CELLS = {
    "A4": "马铃薯淀粉深加工项目",
    "B4": 3,
    "C4": 1,
    "D4": 1250.5,
    "E4": "签约",
    "F4": "2023-06-01",
    "G4": "是",
    "A5": "肉牛标准化养殖场",
    "B5": 1,
    "C5": 1,
    "E5": "开工",
    "G5": "否",
}
LIVESTOCK_CELLS = {"A4": 3.2, "B4": 1.1, "C4": 4.3, "D4": 12, "E4": "正常"}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def pending_files(media):
    folder = media / "dispatch-uploads"
    return sorted(folder.iterdir()) if folder.exists() else []


def urls(round_, unit) -> tuple[str, str]:
    args = [round_.pk, unit.pk]
    return (
        reverse("dispatch:submission_download", args=args),
        reverse("dispatch:submission_upload", args=args),
    )


def fill(data: bytes, cells: dict) -> bytes:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    for coordinate, value in cells.items():
        wb.worksheets[0][coordinate] = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def xlsx(data: bytes, name: str = "卓资县.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def downloaded(client, round_, unit) -> bytes:
    response = client.get(urls(round_, unit)[0])
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def nothing_stored(submission, status=SubmissionStatus.PENDING) -> None:
    submission.refresh_from_db()
    assert submission.status == status
    assert submission.revision == 0
    assert not submission.revisions.exists()
    assert not DataValue.objects.filter(submission=submission).exists()
    assert not StoredFile.objects.exists()


# --- the round trip ------------------------------------------------------------------


def test_download_fill_upload_and_submit(world, login, media, projects_round):
    client = login(world.zhuozi_liaison)
    submission = submission_of(projects_round, world.zhuozi)
    download_url, upload_url = urls(projects_round, world.zhuozi)

    response = client.get(download_url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    name = "农牧业招商引资签约落地项目情况表-卓资县-" + projects_round.period.label() + ".xlsx"
    assert f"filename*=utf-8''{quote(name)}" in response["Content-Disposition"]
    data = b"".join(response.streaming_content)
    assert AuditEvent.objects.filter(
        action=AuditAction.EXPORT, object_id=str(submission.pk)
    ).exists()

    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb.worksheets[0]
    (stage_rule,) = [dv for dv in ws.data_validations.dataValidation if "E4" in dv.sqref]
    assert stage_rule.type == "list"
    assert "落地" in stage_rule.formula1
    assert ws.protection.sheet
    assert ws["A3"].protection.locked
    assert not ws["A4"].protection.locked
    assert wb[META_SHEET].sheet_state == "veryHidden"

    filled = fill(data, PROJECT_CELLS)
    assert client.get(upload_url).status_code == 200
    dry = client.post(upload_url, {"file": xlsx(filled)})
    assert dry.status_code == 200
    assert dry.context["result"].is_valid
    assert dry.context["row_count"] == 2
    html = dry.content.decode()
    assert "肉牛标准化养殖场" in html
    assert 'name="confirm" value="draft"' in html
    assert 'name="confirm" value="submit"' in html
    assert 'data-testid="upload-problems"' not in html
    nothing_stored(submission)
    (kept,) = pending_files(media)
    assert kept.read_bytes() == filled

    done = client.post(upload_url, {"confirm": "submit", "token": dry.context["token"]})
    assert done.status_code == 302
    assert done.url == reverse("dispatch:submission", args=[projects_round.pk, world.zhuozi.pk])
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.SUBMITTED
    assert submission.data[1] == {
        "name": "肉牛标准化养殖场",
        "signed": 1,
        "landed": 1,
        "stage": "开工",
        "key_project": False,
    }
    (revision,) = submission.revisions.all()
    assert revision.source == Source.UPLOAD
    assert revision.created_by == world.zhuozi_liaison
    assert revision.file.sha256 == hashlib.sha256(filled).hexdigest()
    assert revision.file.size == len(filled)
    assert DataValue.objects.filter(submission=submission).count() == 7 + 5
    assert AuditEvent.objects.filter(
        action=AuditAction.IMPORT, object_id=str(submission.pk)
    ).exists()
    assert pending_files(media) == []

    # confirming again does nothing: the checked file is gone
    client.post(upload_url, {"confirm": "submit", "token": dry.context["token"]})
    assert submission.revisions.count() == 1


def test_save_as_draft_from_a_file(world, login, media, livestock_round):
    client = login(world.zhuozi_liaison)
    submission = submission_of(livestock_round, world.zhuozi)
    _download, upload_url = urls(livestock_round, world.zhuozi)
    filled = fill(downloaded(client, livestock_round, world.zhuozi), LIVESTOCK_CELLS)
    dry = client.post(upload_url, {"file": xlsx(filled)})
    done = client.post(upload_url, {"confirm": "draft", "token": dry.context["token"]})
    assert done.status_code == 302
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.DRAFT
    assert submission.data == [
        {"beef": "3.20", "dairy": "1.10", "total": "4.30", "farms": 12, "note": "正常"}
    ]
    assert not submission.revisions.exists()
    assert not DataValue.objects.exists()
    assert not StoredFile.objects.exists()
    assert pending_files(media) == []


# --- a file with problems --------------------------------------------------------------


@pytest.mark.parametrize(
    ("cells", "code", "cell"),
    [
        ({"D4": "十二"}, "not_number", "D4"),
        ({"D4": "1e309"}, "out_of_range", "D4"),
        ({"A4": -1, "C4": 0.1}, "below_min", "A4"),
        ({"F3": "联系人"}, "extra_column", "F3"),
        ({"C4": 9}, "rule_sum", "C4"),
    ],
)
def test_a_file_with_problems_lists_them_and_stores_nothing(
    world, login, media, livestock_round, cells, code, cell
):
    client = login(world.zhuozi_liaison)
    submission = submission_of(livestock_round, world.zhuozi)
    _download, upload_url = urls(livestock_round, world.zhuozi)
    data = fill(downloaded(client, livestock_round, world.zhuozi), LIVESTOCK_CELLS | cells)
    response = client.post(upload_url, {"file": xlsx(data)})
    assert response.status_code == 422
    assert (cell, code) in {(p.cell, p.code) for p in response.context["problems"]}
    html = response.content.decode()
    assert 'data-testid="upload-problems"' in html
    assert f'data-code="{code}"' in html
    assert 'name="confirm"' not in html
    assert 'name="file"' in html
    assert pending_files(media) == []
    nothing_stored(submission)
    # a forged confirmation stores nothing either
    client.post(upload_url, {"confirm": "submit", "token": "x"})
    nothing_stored(submission)


def test_a_file_that_is_not_a_workbook(world, login, media, livestock_round):
    client = login(world.zhuozi_liaison)
    _download, upload_url = urls(livestock_round, world.zhuozi)
    response = client.post(upload_url, {"file": xlsx(b"not a spreadsheet")})
    assert response.status_code == 422
    assert [p.code for p in response.context["problems"]] == ["not_xlsx"]
    assert pending_files(media) == []
    nothing_stored(submission_of(livestock_round, world.zhuozi))


def test_huades_file_uploaded_as_zhuozis_is_refused(world, login, media, livestock_round):
    huade_file = fill(
        downloaded(login(world.huade_liaison), livestock_round, world.huade), LIVESTOCK_CELLS
    )
    client = login(world.zhuozi_liaison)
    _download, upload_url = urls(livestock_round, world.zhuozi)
    response = client.post(upload_url, {"file": xlsx(huade_file, "化德县.xlsx")})
    (problem,) = response.context["problems"]
    assert problem.code == "wrong_unit"
    assert "化德县" in problem.message
    assert "卓资县" in problem.message
    assert pending_files(media) == []
    nothing_stored(submission_of(livestock_round, world.zhuozi))
    nothing_stored(submission_of(livestock_round, world.huade))


# --- confirming --------------------------------------------------------------------------


def test_confirm_is_refused_when_the_table_changed_since_the_dry_run(
    world, login, media, livestock_round
):
    client = login(world.zhuozi_liaison)
    submission = submission_of(livestock_round, world.zhuozi)
    _download, upload_url = urls(livestock_round, world.zhuozi)
    filled = fill(downloaded(client, livestock_round, world.zhuozi), LIVESTOCK_CELLS)
    dry = client.post(upload_url, {"file": xlsx(filled)})
    # meanwhile a colleague saves a draft on screen
    services.submission_save(
        actor=world.zhuozi_liaison,
        submission=submission,
        rows=[{"beef": "1"}],
        expected_version=submission.lock_version,
    )
    done = client.post(upload_url, {"confirm": "submit", "token": dry.context["token"]})
    assert done.status_code == 302
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.DRAFT
    assert submission.data == [{"beef": "1.00"}]
    nothing_stored(submission, status=SubmissionStatus.DRAFT)
    assert pending_files(media) == []


def test_cancel_removes_the_checked_file(world, login, media, livestock_round):
    client = login(world.zhuozi_liaison)
    _download, upload_url = urls(livestock_round, world.zhuozi)
    filled = fill(downloaded(client, livestock_round, world.zhuozi), LIVESTOCK_CELLS)
    client.post(upload_url, {"file": xlsx(filled)})
    assert len(pending_files(media)) == 1
    assert client.post(upload_url, {"cancel": "1"}).status_code == 302
    assert pending_files(media) == []
    nothing_stored(submission_of(livestock_round, world.zhuozi))


def test_a_submitted_table_offers_no_confirmation(world, login, media, livestock_round):
    client = login(world.zhuozi_liaison)
    submission = submission_of(livestock_round, world.zhuozi)
    services.submission_submit(
        actor=world.zhuozi_liaison,
        submission=submission,
        rows=[{"beef": "3.2", "total": "3.2"}],
        expected_version=submission.lock_version,
    )
    _download, upload_url = urls(livestock_round, world.zhuozi)
    filled = fill(downloaded(client, livestock_round, world.zhuozi), LIVESTOCK_CELLS)
    response = client.post(upload_url, {"file": xlsx(filled)})
    assert response.context["valid"]
    assert 'name="confirm"' not in response.content.decode()
    assert pending_files(media) == []


# --- who may -------------------------------------------------------------------------------


def test_the_office_may_download_but_not_upload(world, login, media, livestock_round):
    client = login(world.office)
    download_url, upload_url = urls(livestock_round, world.zhuozi)
    assert client.get(download_url).status_code == 200
    assert client.get(upload_url).status_code == 403
    data = fill(downloaded(client, livestock_round, world.zhuozi), LIVESTOCK_CELLS)
    assert client.post(upload_url, {"file": xlsx(data)}).status_code == 403
    assert client.post(upload_url, {"confirm": "submit", "token": "x"}).status_code == 403
    assert pending_files(media) == []
    nothing_stored(submission_of(livestock_round, world.zhuozi))


def test_a_leader_sees_every_unit_and_may_download(world, login, livestock_round):
    client = login(world.leader)
    download_url, upload_url = urls(livestock_round, world.zhuozi)
    assert client.get(download_url).status_code == 200
    assert client.get(upload_url).status_code == 403


@pytest.mark.parametrize("persona", ["huade_liaison", "sysadmin", "outsider"])
def test_who_cannot_see_the_submission_gets_404(world, login, media, livestock_round, persona):
    client = login(getattr(world, persona))
    download_url, upload_url = urls(livestock_round, world.zhuozi)
    assert client.get(download_url).status_code == 404
    assert client.get(upload_url).status_code == 404
    data = fill(
        downloaded(login(world.zhuozi_liaison), livestock_round, world.zhuozi), LIVESTOCK_CELLS
    )
    client = login(getattr(world, persona))
    assert client.post(upload_url, {"file": xlsx(data)}).status_code == 404
    assert pending_files(media) == []
    nothing_stored(submission_of(livestock_round, world.zhuozi))


def test_anonymous_users_are_sent_to_log_in(client, world, livestock_round):
    for url in urls(livestock_round, world.zhuozi):
        response = client.get(url)
        assert response.status_code == 302
        assert "login" in response.url


def test_wrong_methods(world, login, livestock_round):
    client = login(world.zhuozi_liaison)
    download_url, upload_url = urls(livestock_round, world.zhuozi)
    assert client.post(download_url).status_code == 405
    assert client.put(upload_url).status_code == 405
