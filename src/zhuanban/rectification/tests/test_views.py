"""The rectification screens as each persona meets them: what they see, what they may do,
what is refused (and that nothing changed), uploads and downloads, query counts."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhuanban.core.models import AuditEvent, AuditOutcome, StoredFile
from zhuanban.rectification import services
from zhuanban.rectification.lifecycle import Action, Status
from zhuanban.rectification.models import Rectification, RectificationResponse, Verdict

D = datetime.timedelta
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 32
EXE = b"MZ\x90\x00\x03\x00\x00\x00 this is a program, not a photo"


def detail_url(item) -> str:
    return reverse("rectification:detail", args=[item.pk])


def act_url(item, action: str) -> str:
    return reverse("rectification:act", args=[item.pk, action])


def html_of(response) -> str:
    return response.content.decode()


def _state(item) -> tuple:
    fresh = Rectification.objects.get(pk=item.pk)
    return (fresh.status, fresh.version, fresh.due_date, fresh.responses.count())


@pytest.fixture
def huade_item(world, raise_item):
    return raise_item(world.huade, problem="化德县冷库温控记录缺失", requirement="补建温控台账")


# --- the list ---------------------------------------------------------------------------


def test_a_liaison_lists_only_their_countys_items(login, world, item, huade_item):
    html = html_of(login(world.zhuozi_liaison).get(reverse("rectification:list")))
    assert "种薯仓储库房消防设施不全" in html
    assert "化德县冷库温控记录缺失" not in html
    assert "补建温控台账" not in html
    office_html = html_of(login(world.office).get(reverse("rectification:list")))
    assert "种薯仓储库房消防设施不全" in office_html
    assert "化德县冷库温控记录缺失" in office_html


def test_the_list_is_closed_to_the_three_administrators(login, world, item):
    assert login(world.auditor).get(reverse("rectification:list")).status_code == 403
    html = html_of(login(world.outsider).get(reverse("rectification:list")))
    assert "种薯仓储库房消防设施不全" not in html


def test_the_list_shows_light_source_unit_deadline_status_and_days_overdue(
    login, world, raise_item, today
):
    late = raise_item(problem="秸秆离田未完成", due_in=4, raised_on=today - D(days=10))
    response = login(world.office).get(reverse("rectification:list"))
    assert response.status_code == 200
    html = html_of(response)
    assert "秸秆离田未完成" in html
    assert "light-red" in html
    assert "督导检查 2023-05-12 卓资县" in html
    assert late.due_date.isoformat() in html
    assert "待整改" in html  # the status, in Chinese by default
    assert [row.days_overdue for row in response.context["page"]] == [6]
    assert 'class="bad">6 ' in html


def test_the_filters_and_chips(login, world, item, huade_item):
    client = login(world.leader)
    response = client.get(reverse("rectification:list"), {"county": world.huade.pk})
    assert [i.pk for i in response.context["page"]] == [huade_item.pk]
    assert response.context["counts"]["total"] == 1
    response = client.get(reverse("rectification:list"), {"text": "消防"})
    assert [i.pk for i in response.context["page"]] == [item.pk]
    # a hand-edited address shows the list, never an error
    response = client.get(
        reverse("rectification:list"), {"county": "abc", "page": "9999", "light": "<b>"}
    )
    assert response.status_code == 200
    assert len(response.context["page"]) == 2
    lights = {chip["value"]: chip["count"] for chip in response.context["chips"]["lights"]}
    assert lights["green"] == 2


def test_the_list_answers_htmx_with_its_results_only(login, world, item):
    response = login(world.office).get(
        reverse("rectification:list"), {"text": "消防"}, HTTP_HX_REQUEST="true"
    )
    html = html_of(response)
    assert "种薯仓储库房消防设施不全" in html
    assert "<html" not in html
    assert "HX-Request" in response["Vary"]


def test_list_query_count_is_the_same_for_3_and_30_items(login, world, raise_item):
    client = login(world.office)

    def count() -> int:
        client.get(reverse("rectification:list"))
        with CaptureQueriesContext(connection) as ctx:
            client.get(reverse("rectification:list"))
        return len(ctx.captured_queries)

    for n in range(3):
        raise_item(problem=f"问题{n}", due_in=n + 1)
    few = count()
    for n in range(27):
        raise_item(world.huade, problem=f"问题{n}", due_in=n + 1)
    assert count() == few


# --- one item ---------------------------------------------------------------------------


def test_another_countys_item_is_not_found(login, world, huade_item):
    for who in (world.zhuozi_liaison, world.brand_staff, world.outsider):
        assert login(who).get(detail_url(huade_item)).status_code == 404
    assert login(world.auditor).get(detail_url(huade_item)).status_code == 404
    assert login(world.huade_liaison).get(detail_url(huade_item)).status_code == 200


def test_the_detail_shows_the_item(login, world, item):
    html = html_of(login(world.zhuozi_liaison).get(detail_url(item)))
    assert "种薯仓储库房消防设施不全" in html
    assert "补齐灭火器和应急照明，建立消防台账" in html
    assert "督导检查 2023-05-12 卓资县" in html
    assert item.due_date.isoformat() in html
    assert "马铃薯产业办" in html
    assert "rectification/rectification.css" in html
    assert ' style="' not in html  # the CSP allows no inline style


def test_the_unit_is_offered_to_report_and_comment_only(login, world, item):
    html = html_of(login(world.zhuozi_liaison).get(detail_url(item)))
    assert reverse("rectification:respond", args=[item.pk]) in html
    assert reverse("rectification:comment", args=[item.pk]) in html
    assert 'type="file"' in html
    assert "multiple" in html
    assert f'name="expected_version" value="{item.version}"' in html
    for action in ("accept", "reject", "urge", "withdraw"):
        assert act_url(item, action) not in html
    assert reverse("rectification:extend", args=[item.pk]) not in html


def test_the_office_is_offered_exactly_what_the_table_allows(login, world, responded):
    html = html_of(login(world.office).get(detail_url(responded)))
    for action in ("accept", "reject", "withdraw"):
        assert act_url(responded, action) in html
    assert act_url(responded, "urge") not in html  # the unit has answered: nothing to urge
    assert act_url(responded, "reopen") not in html
    assert reverse("rectification:extend", args=[responded.pk]) in html
    assert reverse("rectification:respond", args=[responded.pk]) not in html
    inspector_html = html_of(login(world.inspector).get(detail_url(responded)))
    assert "已配齐灭火器12具" in inspector_html
    assert 'method="post"' not in inspector_html.split('class="content"')[1]


def test_an_extended_deadline_shows_the_original(login, world, item):
    original = item.due_date
    services.rectification_extend(
        actor=world.office, item=item, due_date=original + D(days=10), comment="设备到货延迟"
    )
    html = html_of(login(world.zhuozi_liaison).get(detail_url(item)))
    assert (original + D(days=10)).isoformat() in html
    assert original.isoformat() in html
    assert "设备到货延迟" in html  # on the timeline


# --- acting through the screens ---------------------------------------------------------


def test_the_whole_loop_through_the_screens(login, world, item):
    liaison = login(world.zhuozi_liaison)
    response = liaison.post(
        reverse("rectification:respond", args=[item.pk]),
        {
            "text": "已配齐灭火器",
            "expected_version": 1,
            "evidence": [
                SimpleUploadedFile("现场照片.png", PNG),
                SimpleUploadedFile("验收单.pdf", PDF),
            ],
        },
    )
    assert response.status_code == 302
    assert response["Location"] == detail_url(item)
    report = RectificationResponse.objects.get()
    assert sorted(f.name for f in report.evidence.all()) == ["现场照片.png", "验收单.pdf"]

    office = login(world.office)
    response = office.post(
        act_url(item, "reject"), {"comment": "照片不清晰", "expected_version": 2}
    )
    assert response.status_code == 302
    assert Rectification.objects.get().status == Status.REWORK

    liaison = login(world.zhuozi_liaison)
    liaison.post(
        reverse("rectification:respond", args=[item.pk]),
        {"text": "补拍了清晰照片", "expected_version": 3},
    )
    office = login(world.office)
    response = office.post(act_url(item, "accept"), {"comment": "", "expected_version": 4})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == Status.CLOSED
    html = html_of(office.get(detail_url(item)))
    assert "照片不清晰" in html
    assert "现场照片.png" in html
    assert "verdict-accepted" in html
    assert "verdict-rejected" in html


def test_actions_the_user_may_not_take_are_forbidden(login, world, item, responded):
    before = _state(responded)
    liaison = login(world.zhuozi_liaison)
    assert liaison.post(act_url(responded, "accept"), {"expected_version": 2}).status_code == 403
    assert (
        liaison.post(
            reverse("rectification:extend", args=[responded.pk]),
            {"due_date": "2099-01-01", "comment": "x", "expected_version": 2},
        ).status_code
        == 403
    )
    office = login(world.office)
    assert (
        office.post(
            reverse("rectification:respond", args=[responded.pk]),
            {"text": "代填", "expected_version": 2},
        ).status_code
        == 403
    )
    inspector = login(world.inspector)
    # a reason-less reject is still a 403 for who may never reject, not a form error
    assert inspector.post(act_url(responded, "reject"), {"expected_version": 2}).status_code == 403
    assert (
        inspector.post(
            reverse("rectification:comment", args=[responded.pk]), {"text": "看看"}
        ).status_code
        == 403
    )
    assert _state(responded) == before


def test_another_countys_liaison_gets_not_found_on_every_action(login, world, huade_item):
    before = _state(huade_item)
    client = login(world.zhuozi_liaison)
    urls = [
        reverse("rectification:respond", args=[huade_item.pk]),
        act_url(huade_item, "accept"),
        reverse("rectification:extend", args=[huade_item.pk]),
        reverse("rectification:comment", args=[huade_item.pk]),
    ]
    for url in urls:
        assert (
            client.post(url, {"text": "x", "comment": "x", "expected_version": 1}).status_code
            == 404
        )
    assert _state(huade_item) == before


def test_unknown_or_form_actions_are_not_found(login, world, item):
    client = login(world.office)
    assert client.post(act_url(item, "delete"), {"expected_version": 1}).status_code == 404
    assert client.post(act_url(item, "respond"), {"expected_version": 1}).status_code == 404


def test_wrong_methods(login, world, item):
    client = login(world.office)
    for url in (
        reverse("rectification:respond", args=[item.pk]),
        act_url(item, "urge"),
        reverse("rectification:extend", args=[item.pk]),
        reverse("rectification:comment", args=[item.pk]),
    ):
        assert client.get(url).status_code == 405
    assert client.post(reverse("rectification:list")).status_code == 405
    assert client.post(detail_url(item)).status_code == 405
    assert client.post(reverse("rectification:file", args=[item.pk, 1])).status_code == 405


def test_a_reject_without_reason_is_shown_by_the_field(login, world, responded):
    before = _state(responded)
    response = login(world.office).post(
        act_url(responded, "reject"), {"comment": "  ", "expected_version": 2}
    )
    assert response.status_code == 422
    form = {a: f for a, _label, f in response.context["buttons"]}["reject"]
    assert "comment" in form.errors
    assert _state(responded) == before
    assert responded.responses.get().verdict == Verdict.PENDING


def test_extend_errors_are_shown_together_by_field(login, world, item):
    before = _state(item)
    response = login(world.office).post(
        reverse("rectification:extend", args=[item.pk]),
        {"due_date": item.due_date.isoformat(), "comment": "原因", "expected_version": 1},
    )
    assert response.status_code == 422
    assert list(response.context["extend_form"].errors) == ["due_date"]
    html = html_of(response)
    assert "新的期限必须晚于" in html
    response = login(world.office).post(
        reverse("rectification:extend", args=[item.pk]),
        {"due_date": "", "comment": "", "expected_version": 1},
    )
    assert response.status_code == 422
    assert set(response.context["extend_form"].errors) == {"due_date", "comment"}
    assert _state(item) == before


def test_a_stale_page_is_refused_with_the_message(login, world, responded):
    services.rectification_act(
        actor=world.potato_director, item=responded, action=Action.REJECT, comment="不合格"
    )
    before = _state(responded)
    response = login(world.office).post(
        act_url(responded, "withdraw"), {"comment": "撤销", "expected_version": 2}
    )
    assert response.status_code == 409
    html = html_of(response)
    assert "他人已处理了此整改事项" in html
    assert _state(responded) == before
    # the page is drawn for the item as it is now: acting again is deliberate
    assert f'name="expected_version" value="{before[1]}"' in html


def test_a_stale_report_stores_no_file(login, world, item):
    services.rectification_act(actor=world.office, item=item, action=Action.URGE)
    item.refresh_from_db()
    services.rectification_extend(
        actor=world.office, item=item, due_date=item.due_date + D(days=1), comment="x"
    )
    response = login(world.zhuozi_liaison).post(
        reverse("rectification:respond", args=[item.pk]),
        {"text": "已整改", "expected_version": 1, "evidence": SimpleUploadedFile("a.pdf", PDF)},
    )
    assert response.status_code == 409
    assert not StoredFile.objects.exists()
    assert not RectificationResponse.objects.exists()


def test_comment_through_the_screen(login, world, item):
    client = login(world.zhuozi_liaison)
    response = client.post(reverse("rectification:comment", args=[item.pk]), {"text": "已采购"})
    assert response.status_code == 302
    assert item.events.filter(action="comment", comment="已采购").exists()
    response = client.post(reverse("rectification:comment", args=[item.pk]), {"text": ""})
    assert response.status_code == 422
    assert "text" in response.context["comment_form"].errors


# --- evidence ---------------------------------------------------------------------------


def test_a_program_renamed_jpg_is_refused_and_nothing_is_saved(login, world, item):
    before = _state(item)
    response = login(world.zhuozi_liaison).post(
        reverse("rectification:respond", args=[item.pk]),
        {
            "text": "已整改，见照片",
            "expected_version": 1,
            "evidence": [
                SimpleUploadedFile("合格证.png", PNG),  # a good file is not kept either
                SimpleUploadedFile("现场照片.jpg", EXE),
            ],
        },
    )
    assert response.status_code == 422
    errors = response.context["respond_form"].errors["evidence"]
    assert any("现场照片.jpg" in e and "不符" in e for e in errors)
    assert "现场照片.jpg" in html_of(response)
    assert _state(item) == before
    assert not StoredFile.objects.exists()
    assert not RectificationResponse.objects.exists()
    refusal = AuditEvent.objects.get(outcome=AuditOutcome.FAILURE)
    assert (refusal.object_repr, refusal.message) == ("现场照片.jpg", "upload refused")


def test_a_type_not_accepted_as_evidence_is_refused(login, world, item):
    response = login(world.zhuozi_liaison).post(
        reverse("rectification:respond", args=[item.pk]),
        {
            "text": "见说明",
            "expected_version": 1,
            "evidence": SimpleUploadedFile("说明.txt", "纯文本说明".encode()),
        },
    )
    assert response.status_code == 422
    assert "说明.txt" in " ".join(response.context["respond_form"].errors["evidence"])
    assert not StoredFile.objects.exists()


def test_evidence_is_downloaded_only_through_its_own_item(login, world, item, raise_item):
    other = raise_item(problem="另一项问题")
    client = login(world.zhuozi_liaison)
    client.post(
        reverse("rectification:respond", args=[item.pk]),
        {
            "text": "附验收单",
            "expected_version": 1,
            "evidence": SimpleUploadedFile("验收单.pdf", PDF),
        },
    )
    stored = StoredFile.objects.get()
    url = reverse("rectification:file", args=[item.pk, stored.pk])
    response = login(world.office).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert "attachment" in response["Content-Disposition"]
    # the same file asked for through another item, even one the user sees: not found
    assert (
        login(world.office)
        .get(reverse("rectification:file", args=[other.pk, stored.pk]))
        .status_code
        == 404
    )
    assert login(world.huade_liaison).get(url).status_code == 404
    assert (
        login(world.zhuozi_liaison)
        .get(reverse("rectification:file", args=[item.pk, stored.pk + 100]))
        .status_code
        == 404
    )
