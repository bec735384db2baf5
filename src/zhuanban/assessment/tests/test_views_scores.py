"""A unit's scorecard as each persona meets it: what they see, what they may do, what is
refused (and that nothing changed), evidence uploaded, linked, downloaded and removed,
the data behind automatic scores, and query counts that do not grow with the data."""

import datetime
import hashlib
from decimal import Decimal
from html import escape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from zhuanban.assessment import services
from zhuanban.assessment.lifecycle import SchemeAction, SelfStatus
from zhuanban.assessment.models import Evidence, Method, Score
from zhuanban.assessment.tests.conftest import YEAR, d, score_of
from zhuanban.core.files import store_upload
from zhuanban.core.models import StoredFile
from zhuanban.org.roles import Role
from zhuanban.org.tests.factories import person
from zhuanban.rectification.models import Rectification
from zhuanban.tasks.models import ProgressReport

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name: str = "工作总结.pdf", extra: bytes = b"") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF + extra, content_type="application/pdf")


def card_url(participant) -> str:
    return reverse("assessment:participant", args=[participant.pk])


def self_url(score) -> str:
    return reverse("assessment:score_self", args=[score.pk])


def review_url(score) -> str:
    return reverse("assessment:score_review", args=[score.pk])


def basis_url(score) -> str:
    return reverse("assessment:score_basis", args=[score.pk])


def evidence_url(participant, item) -> str:
    return reverse("assessment:evidence_add", args=[participant.pk, item.pk])


def html_of(response) -> str:
    return response.content.decode()


def says(response, msgid: str, **values) -> bool:
    """Whether the page shows the (translated) message, as the template escapes it."""
    message = gettext(msgid) % values if values else gettext(msgid)
    return escape(message) in html_of(response)


@pytest.fixture
def review(world, opened):
    """The scheme under review."""
    opened.scheme = services.scheme_act(
        actor=world.office, scheme=opened.scheme, action=SchemeAction.REVIEW
    )
    return opened


def _close(world, scheme, participants, manual_item):
    scheme = services.scheme_act(actor=world.office, scheme=scheme, action=SchemeAction.REVIEW)
    for participant in participants:
        services.score_review(
            actor=world.potato_director,
            score=score_of(participant, manual_item),
            value="12",
            reason="材料齐全，成效较好。",
        )
    return services.scheme_act(actor=world.leader, scheme=scheme, action=SchemeAction.CLOSE)


@pytest.fixture
def closed(world, opened):
    opened.scheme = _close(world, opened.scheme, [opened.zhuozi, opened.huade], opened.items.manual)
    return opened


@pytest.fixture
def task_file(world, data):
    """Progress evidence reported on a 卓资县 task (closed on time)."""
    stored = store_upload(
        SimpleUploadedFile("种薯基地验收报告.pdf", PDF + b"% acceptance\n"),
        user=world.zhuozi_liaison,
    )
    report = ProgressReport.objects.create(
        task=data.tasks.on_time, reporter=world.zhuozi_liaison, text="已完成验收", progress=100
    )
    report.evidence.add(stored)
    return stored


# --- who sees which scorecard -------------------------------------------------------------------


def test_a_liaison_sees_their_countys_scorecard_and_not_another(login, world, opened):
    client = login(world.zhuozi_liaison)
    response = client.get(card_url(opened.zhuozi))
    assert response.status_code == 200
    html = html_of(response)
    assert "卓资县" in html
    for item in vars(opened.items).values():
        assert item.title in html
    # the computed score of the tasks item links to its basis
    tasks_score = score_of(opened.zhuozi, opened.items.tasks)
    assert f'href="{basis_url(tasks_score)}"' in html
    assert ">10.00</a>" in html
    # criteria and evidence required of the manual item
    assert "成效显著得15分" in html
    assert "总结材料、典型案例" in html
    assert client.get(card_url(opened.huade)).status_code == 404
    huade_score = score_of(opened.huade, opened.items.tasks)
    assert client.get(basis_url(huade_score)).status_code == 404


def test_the_header_shows_status_totals_grade_rank_and_awaiting(login, world, opened):
    response = login(world.office).get(card_url(opened.zhuozi))
    html = html_of(response)
    assert response.context["rank"] == 2  # 化德县 is ahead
    assert response.context["rank_count"] == 2
    assert 'id="sc-total">21.83<' in html
    assert 'id="sc-unscored" class="bad">1<' in html
    assert escape(str(SelfStatus.PENDING.label)) in html
    # the office sees 化德县's as well
    assert login(world.office).get(card_url(opened.huade)).status_code == 200


def test_a_total_with_items_awaiting_a_score_is_marked_provisional(login, world, opened):
    client = login(world.office)
    provisional = escape(gettext("Provisional: items still await a score."))
    assert provisional in html_of(client.get(card_url(opened.zhuozi)))
    services.scheme_act(actor=world.office, scheme=opened.scheme, action=SchemeAction.REVIEW)
    services.score_review(
        actor=world.potato_director,
        score=score_of(opened.zhuozi, opened.items.manual),
        value="12",
        reason="材料齐全，成效一般。",
    )
    assert provisional not in html_of(client.get(card_url(opened.zhuozi)))


def test_a_returned_self_assessment_shows_its_reason(login, world, opened):
    manual = score_of(opened.zhuozi, opened.items.manual)
    services.score_self(actor=world.zhuozi_liaison, score=manual, value="14", reason="成效显著")
    services.participant_act(actor=world.zhuozi_liaison, participant=opened.zhuozi, action="submit")
    services.participant_act(
        actor=world.office, participant=opened.zhuozi, action="return", reason="佐证材料不全"
    )
    html = html_of(login(world.zhuozi_liaison).get(card_url(opened.zhuozi)))
    assert 'id="sc-return-reason"' in html
    assert "佐证材料不全" in html


@pytest.mark.parametrize("who", ["sysadmin", "secadmin", "auditor"])
def test_the_three_administrators_are_refused(login, world, opened, who):
    client = login(getattr(world, who))
    score = score_of(opened.zhuozi, opened.items.manual)
    assert client.get(card_url(opened.zhuozi)).status_code == 403
    assert client.get(basis_url(score)).status_code == 403
    response = client.post(self_url(score), {"self_score": "1", "self_reason": "x", "version": 1})
    assert response.status_code == 403
    assert Score.objects.get(pk=score.pk).self_score is None


def test_an_outsider_finds_nothing(login, world, opened):
    client = login(world.outsider)
    score = score_of(opened.zhuozi, opened.items.manual)
    assert client.get(card_url(opened.zhuozi)).status_code == 404
    assert client.get(basis_url(score)).status_code == 404
    response = client.post(self_url(score), {"self_score": "1", "self_reason": "x", "version": 1})
    assert response.status_code == 404


def test_wrong_methods(login, world, opened):
    client = login(world.zhuozi_liaison)
    score = score_of(opened.zhuozi, opened.items.manual)
    assert client.post(card_url(opened.zhuozi)).status_code == 405
    assert client.post(basis_url(score)).status_code == 405
    assert client.get(self_url(score)).status_code == 405
    assert client.get(review_url(score)).status_code == 405
    assert client.get(evidence_url(opened.zhuozi, opened.items.manual)).status_code == 405
    assert (
        client.get(reverse("assessment:participant_act", args=[opened.zhuozi.pk])).status_code
        == 405
    )
    assert client.get(reverse("assessment:score_rectify", args=[score.pk])).status_code == 405


# --- self-assessment ----------------------------------------------------------------------------


def test_a_liaison_self_scores_their_own_unit(login, world, opened):
    client = login(world.zhuozi_liaison)
    score = score_of(opened.zhuozi, opened.items.manual)
    response = client.post(
        self_url(score),
        {"self_score": "13.5", "self_reason": "建成示范基地3个，见总结材料。", "version": 1},
    )
    assert response.status_code == 302
    assert response["Location"] == f"{card_url(opened.zhuozi)}#item-{opened.items.manual.pk}"
    score.refresh_from_db()
    assert score.self_score == Decimal("13.50")
    assert score.self_reason == "建成示范基地3个，见总结材料。"
    assert score.self_by == world.zhuozi_liaison
    assert score.version == 2
    opened.zhuozi.refresh_from_db()
    assert opened.zhuozi.self_total == Decimal("35.33")  # 21.83 computed + 13.50
    html = html_of(client.get(card_url(opened.zhuozi)))
    assert "建成示范基地3个" in html
    assert "郭晓军" in html  # who self-scored
    assert 'id="sc-self-total">35.33<' in html


@pytest.mark.parametrize(
    ("value", "reason", "msgid", "values"),
    [
        (
            "16",
            "成效显著",
            "The score %(score)s is above this item's maximum of %(max)s.",
            {"score": "16", "max": "15"},
        ),
        ("-1", "成效显著", "A score cannot be negative.", {}),
        ("12", "", "Say why: what was done, and where the evidence is.", {}),
        ("", "成效显著", "Enter a score.", {}),
    ],
)
def test_a_wrong_self_score_is_refused_and_nothing_saved(
    login, world, opened, value, reason, msgid, values
):
    client = login(world.zhuozi_liaison)
    score = score_of(opened.zhuozi, opened.items.manual)
    response = client.post(
        self_url(score), {"self_score": value, "self_reason": reason, "version": 1}
    )
    assert response.status_code == 422
    assert says(response, msgid, **values)
    html = html_of(response)
    # what was typed is kept in the form
    if value:
        assert f'name="self_score" value="{value}"' in html
    if reason:
        assert f">\n{reason}</textarea>" in html
    fresh = Score.objects.get(pk=score.pk)
    assert (fresh.self_score, fresh.self_reason, fresh.version) == (None, "", 1)


def test_the_maximum_is_named_plainly_when_it_ends_in_zero(login, world, opened):
    score = score_of(opened.zhuozi, opened.items.tasks)  # maximum 20
    response = login(world.zhuozi_liaison).post(
        self_url(score), {"self_score": "21", "self_reason": "x", "version": 1}
    )
    assert says(
        response,
        "The score %(score)s is above this item's maximum of %(max)s.",
        score="21",
        max="20",
    )


def test_self_scoring_by_htmx_swaps_the_line_and_the_totals(login, world, opened):
    client = login(world.zhuozi_liaison)
    score = score_of(opened.zhuozi, opened.items.manual)
    item_id = opened.items.manual.pk
    response = client.post(
        self_url(score),
        {"self_score": "12", "self_reason": "成效较好", "version": 1},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = html_of(response)
    assert "<html" not in html
    assert html.lstrip().startswith("<tbody") or f'<tbody id="item-{item_id}"' in html
    assert f'<tbody id="item-{item_id}"' in html
    assert 'id="participant-summary" hx-swap-oob="true"' in html
    assert 'id="sc-self-total">33.83<' in html
    assert escape(gettext("Saved.")) in html
    assert Score.objects.get(pk=score.pk).self_score == Decimal("12.00")
    # refused: the line comes back with the errors, marked for scorecard.js to swap in
    response = client.post(
        self_url(score),
        {"self_score": "99", "self_reason": "成效较好", "version": 2},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422
    assert response["X-Scorecard-Line"] == "1"
    assert says(
        response,
        "The score %(score)s is above this item's maximum of %(max)s.",
        score="99",
        max="15",
    )
    assert 'name="self_score" value="99"' in html_of(response)
    assert Score.objects.get(pk=score.pk).self_score == Decimal("12.00")


def test_a_stale_version_is_refused_and_nothing_overwritten(login, world, opened):
    client = login(world.zhuozi_liaison)
    score = score_of(opened.zhuozi, opened.items.manual)
    first = client.post(self_url(score), {"self_score": "10", "self_reason": "甲", "version": 1})
    assert first.status_code == 302
    # a second tab, drawn before the first save
    response = client.post(self_url(score), {"self_score": "14", "self_reason": "乙", "version": 1})
    assert response.status_code == 409
    assert says(
        response, "Someone else changed this in the meantime. Reload the page and try again."
    )
    fresh = Score.objects.get(pk=score.pk)
    assert (fresh.self_score, fresh.self_reason, fresh.version) == (Decimal("10.00"), "甲", 2)
    # the form keeps the typed values, now against the current version
    html = html_of(response)
    assert 'name="self_score" value="14"' in html
    assert f'name="version" value="2" id="id_s{score.pk}_version"' in html


def test_nobody_else_self_scores_a_county(login, world, opened):
    score = score_of(opened.zhuozi, opened.items.manual)
    data = {"self_score": "12", "self_reason": "成效较好", "version": 1}
    # the office may see the scorecard but does not speak for the county
    assert login(world.office).post(self_url(score), data).status_code == 403
    # 化德县's liaison does not even see it
    assert login(world.huade_liaison).post(self_url(score), data).status_code == 404
    assert Score.objects.get(pk=score.pk).self_score is None
    # and the office sees no self-assessment form on the county's scorecard
    html = html_of(login(world.office).get(card_url(opened.zhuozi)))
    assert self_url(score) not in html


def test_self_scoring_ends_with_the_self_assessment_stage(login, world, review):
    client = login(world.zhuozi_liaison)
    score = score_of(review.zhuozi, review.items.manual)
    assert self_url(score) not in html_of(client.get(card_url(review.zhuozi)))
    response = client.post(self_url(score), {"self_score": "12", "self_reason": "x", "version": 1})
    assert response.status_code == 422
    assert says(response, "Self-assessment is closed for this scheme.")
    assert Score.objects.get(pk=score.pk).self_score is None


# --- submitting and returning the self-assessment ------------------------------------------------


def test_submit_and_return_the_self_assessment(login, world, opened):
    act = reverse("assessment:participant_act", args=[opened.zhuozi.pk])
    liaison = login(world.zhuozi_liaison)
    response = liaison.post(act, {"action": "submit", "version": 1})
    assert response.status_code == 422
    assert says(
        response,
        "Score every item yourself before submitting: %(count)s still without a score.",
        count=1,
    )
    opened.zhuozi.refresh_from_db()
    assert opened.zhuozi.self_status == SelfStatus.PENDING
    manual = score_of(opened.zhuozi, opened.items.manual)
    services.score_self(actor=world.zhuozi_liaison, score=manual, value="14", reason="成效显著")
    # the liaison may not return, the office may not submit for the county
    assert liaison.post(act, {"action": "return", "reason": "x", "version": 1}).status_code == 403
    office = login(world.office)
    assert office.post(act, {"action": "submit", "version": 1}).status_code == 403
    liaison = login(world.zhuozi_liaison)
    response = liaison.post(act, {"action": "submit", "version": 1})
    assert response.status_code == 302
    opened.zhuozi.refresh_from_db()
    assert opened.zhuozi.self_status == SelfStatus.SUBMITTED
    # submitted: the self-assessment form is gone
    assert self_url(manual) not in html_of(liaison.get(card_url(opened.zhuozi)))
    office = login(world.office)
    response = office.post(act, {"action": "return", "reason": "", "version": 2})
    assert response.status_code == 422
    assert says(response, "Give a reason.")
    opened.zhuozi.refresh_from_db()
    assert opened.zhuozi.self_status == SelfStatus.SUBMITTED
    response = office.post(act, {"action": "return", "reason": "典型案例缺少佐证", "version": 2})
    assert response.status_code == 302
    opened.zhuozi.refresh_from_db()
    assert opened.zhuozi.self_status == SelfStatus.RETURNED
    assert opened.zhuozi.return_reason == "典型案例缺少佐证"


# --- review -------------------------------------------------------------------------------------


def test_the_liaison_cannot_review(login, world, review):
    score = score_of(review.zhuozi, review.items.manual)
    client = login(world.zhuozi_liaison)
    assert review_url(score) not in html_of(client.get(card_url(review.zhuozi)))
    response = client.post(
        review_url(score), {"review_score": "15", "review_reason": "好", "version": 1}
    )
    assert response.status_code == 403
    assert Score.objects.get(pk=score.pk).review_score is None


def test_the_office_director_reviews_and_the_difference_shows(login, world, opened):
    manual = score_of(opened.zhuozi, opened.items.manual)
    services.score_self(actor=world.zhuozi_liaison, score=manual, value="15", reason="成效显著")
    scheme = services.scheme_act(
        actor=world.office, scheme=opened.scheme, action=SchemeAction.REVIEW
    )
    client = login(world.potato_director)
    # no review before the review stage: the form only shows now
    assert review_url(manual) in html_of(client.get(card_url(opened.zhuozi)))
    response = client.post(
        review_url(manual),
        {"review_score": "12", "review_reason": "典型案例不足，扣3分。", "version": 2},
    )
    assert response.status_code == 302
    manual.refresh_from_db()
    assert (manual.review_score, manual.reviewer) == (Decimal("12.00"), world.potato_director)
    assert scheme.pk == manual.participant.scheme_id
    html = html_of(client.get(card_url(opened.zhuozi)))
    assert "典型案例不足，扣3分。" in html
    assert "张海龙" in html
    assert 'sc-difference sc-negative" data-label' in html
    assert ">-3.00</td>" in html
    opened.zhuozi.refresh_from_db()
    assert opened.zhuozi.unscored == 0
    assert opened.zhuozi.total == Decimal("33.83")  # 21.83 computed + 12 reviewed


def test_a_reviewer_from_the_unit_assessed_is_refused_with_the_reason(login, world, review):
    insider = person("zhuozi-reviewer", world.zhuozi, (Role.INSPECTOR, None), name="卓资评审")
    review.scheme.reviewers.add(insider)
    client = login(insider)
    zhuozi = score_of(review.zhuozi, review.items.manual)
    # no review form on the scorecard of their own unit
    assert review_url(zhuozi) not in html_of(client.get(card_url(review.zhuozi)))
    response = client.post(
        review_url(zhuozi), {"review_score": "15", "review_reason": "成效显著", "version": 1}
    )
    assert response.status_code == 403
    assert says(response, "You cannot review a unit you belong to.")
    assert Score.objects.get(pk=zhuozi.pk).review_score is None
    # by HTMX: the line comes back with the reason, for scorecard.js to swap in
    response = client.post(
        review_url(zhuozi),
        {"review_score": "15", "review_reason": "成效显著", "version": 1},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 403
    assert response["X-Scorecard-Line"] == "1"
    assert says(response, "You cannot review a unit you belong to.")
    assert Score.objects.get(pk=zhuozi.pk).review_score is None
    # the same reviewer reviews another county
    huade = score_of(review.huade, review.items.manual)
    response = client.post(
        review_url(huade), {"review_score": "14", "review_reason": "成效显著", "version": 1}
    )
    assert response.status_code == 302
    assert Score.objects.get(pk=huade.pk).review_score == Decimal("14.00")
    # once reviewers are named, the office's staff are no longer reviewers
    response = login(world.potato_director).post(
        review_url(huade), {"review_score": "1", "review_reason": "x", "version": 2}
    )
    assert response.status_code == 403
    assert Score.objects.get(pk=huade.pk).review_score == Decimal("14.00")


# --- the data behind automatic scores ------------------------------------------------------------


def test_the_basis_of_a_tasks_score_lists_exactly_the_tasks_counted(login, world, data, opened):
    score = score_of(opened.zhuozi, opened.items.tasks)
    response = login(world.zhuozi_liaison).get(basis_url(score))
    assert response.status_code == 200
    rows = {task.pk: bool(task.on_time) for task in response.context["rows"]}
    tasks = data.tasks
    assert rows == {
        tasks.on_time.pk: True,
        tasks.late.pk: False,
        tasks.open.pk: False,
        tasks.town.pk: True,
    }
    html = html_of(response)
    assert (
        gettext(
            "%(done)s of %(total)s tasks closed on time → %(max)s × %(done)s/%(total)s = %(score)s"
        )
        % {"done": 2, "total": 4, "max": "20", "score": "10.00"}
        in html
    )
    for task in (tasks.on_time, tasks.late, tasks.open, tasks.town):
        assert f'href="{reverse("tasks:detail", args=[task.pk])}"' in html
    for task in (tasks.not_counted, tasks.next_year, tasks.huade):
        assert f'id="task-{task.pk}"' not in html
    assert html.count('class="sc-yes"') == 2
    assert html.count('class="sc-no"') == 2
    assert 'id="basis-changed"' not in html


def test_the_basis_of_dispatch_notices_and_indicator_scores(login, world, data, opened):
    client = login(world.office)
    dispatch = client.get(basis_url(score_of(opened.zhuozi, opened.items.dispatch)))
    reports = dispatch.context["rows"]
    assert [(r.round.title, bool(r.on_time)) for r in reports] == [
        ("1月调度", True),
        ("2月调度", False),
        ("3月调度", False),
    ]
    html = html_of(dispatch)
    assert (
        gettext(
            "%(done)s of %(total)s reports submitted on time → %(max)s × %(done)s/%(total)s = %(score)s"
        )
        % {"done": 1, "total": 3, "max": "10", "score": "3.33"}
        in html
    )
    round_url = reverse("dispatch:submission", args=[data.rounds[0].pk, world.zhuozi.pk])
    assert f'href="{round_url}"' in html

    notices = client.get(basis_url(score_of(opened.zhuozi, opened.items.notices)))
    assert len(notices.context["rows"]) == 2  # the 2022 notice is outside the period
    for received in notices.context["rows"]:
        assert received.notice.issued_at.year == YEAR
        assert f'href="{reverse("supervision:notice", args=[received.notice_id])}"' in html_of(
            notices
        )

    indicator = client.get(basis_url(score_of(opened.zhuozi, opened.items.indicator)))
    html = html_of(indicator)
    assert 'href="{}"'.format(reverse("dispatch:indicator", args=["beef"])) in html
    assert "75.0%" in html
    assert "10 × min(1, 6" in html


def test_the_basis_of_a_manual_item_says_so(login, world, opened):
    response = login(world.office).get(basis_url(score_of(opened.zhuozi, opened.items.manual)))
    assert response.status_code == 200
    assert says(response, "This item is scored by reviewers: no data are counted for it.")


# --- evidence -----------------------------------------------------------------------------------


def test_a_liaison_uploads_evidence_and_sees_its_hash(login, world, opened):
    client = login(world.zhuozi_liaison)
    item = opened.items.manual
    content = PDF + b"% 2023 summary\n"
    response = client.post(
        evidence_url(opened.zhuozi, item),
        {"file": pdf("2023年工作总结.pdf", b"% 2023 summary\n"), "description": "年度总结"},
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"#item-{item.pk}")
    evidence = Evidence.objects.get(participant=opened.zhuozi, item=item)
    assert evidence.added_by == world.zhuozi_liaison
    assert evidence.file.sha256 == hashlib.sha256(content).hexdigest()
    html = html_of(client.get(card_url(opened.zhuozi)))
    assert "2023年工作总结.pdf" in html
    assert "年度总结" in html
    assert f'title="SHA-256 {hashlib.sha256(content).hexdigest()}"' in html
    assert f"SHA-256 {hashlib.sha256(content).hexdigest()[:12]}…" in html
    download = reverse("assessment:evidence_download", args=[evidence.pk])
    assert f'href="{download}"' in html
    served = client.get(download)
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == content
    # another county's liaison neither downloads it nor removes it
    other = login(world.huade_liaison)
    assert other.get(download).status_code == 404
    remove = reverse("assessment:evidence_remove", args=[evidence.pk])
    assert other.post(remove).status_code == 404
    assert Evidence.objects.filter(pk=evidence.pk).exists()


def test_an_upload_without_a_file_or_of_a_wrong_type_is_refused(login, world, opened):
    client = login(world.zhuozi_liaison)
    item = opened.items.manual
    response = client.post(evidence_url(opened.zhuozi, item), {"description": "空"})
    assert response.status_code == 422
    assert says(response, "Choose a file to upload, or a task's file to link.")
    files = StoredFile.objects.count()
    response = client.post(
        evidence_url(opened.zhuozi, item),
        {"file": SimpleUploadedFile("总结.pdf", b"MZ\x90\x00 not a pdf")},
    )
    assert response.status_code == 422
    assert says(response, "Nothing was saved: choose the file again.")
    assert StoredFile.objects.count() == files
    assert not Evidence.objects.filter(participant=opened.zhuozi).exists()


def test_evidence_is_refused_once_the_results_are_confirmed(login, world, closed):
    client = login(world.zhuozi_liaison)
    item = closed.items.manual
    html = html_of(client.get(card_url(closed.zhuozi)))
    assert evidence_url(closed.zhuozi, item) not in html  # no upload form any more
    files, pieces = StoredFile.objects.count(), Evidence.objects.count()
    response = client.post(evidence_url(closed.zhuozi, item), {"file": pdf()})
    assert response.status_code == 422
    assert says(
        response, "The results of this scheme are confirmed: no more evidence can be added."
    )
    assert (StoredFile.objects.count(), Evidence.objects.count()) == (files, pieces)


def test_linking_task_evidence_files_the_same_stored_file(login, world, data, opened, task_file):
    client = login(world.zhuozi_liaison)
    item = opened.items.manual
    html = html_of(client.get(card_url(opened.zhuozi)))
    assert f'<option value="{task_file.pk}">种薯基地验收报告.pdf' in html
    files = StoredFile.objects.count()
    response = client.post(
        evidence_url(opened.zhuozi, item), {"linked": task_file.pk, "description": "验收报告"}
    )
    assert response.status_code == 302
    evidence = Evidence.objects.get(participant=opened.zhuozi, item=item)
    assert evidence.file_id == task_file.pk
    assert evidence.from_task == data.tasks.on_time
    assert StoredFile.objects.count() == files
    html = html_of(client.get(card_url(opened.zhuozi)))
    assert f'href="{reverse("tasks:detail", args=[data.tasks.on_time.pk])}"' in html
    assert f'title="SHA-256 {task_file.sha256}"' in html
    # 化德县's liaison cannot link 卓资县's file to 化德县
    response = login(world.huade_liaison).post(
        evidence_url(opened.huade, item), {"linked": task_file.pk}
    )
    assert response.status_code == 422
    assert not Evidence.objects.filter(participant=opened.huade).exists()


def test_a_liaison_removes_their_evidence_and_the_file_stays(login, world, opened):
    client = login(world.zhuozi_liaison)
    piece = services.evidence_upload(
        actor=world.zhuozi_liaison,
        participant=opened.zhuozi,
        item=opened.items.manual,
        upload=pdf(),
    )
    response = client.post(reverse("assessment:evidence_remove", args=[piece.pk]))
    assert response.status_code == 302
    assert not Evidence.objects.filter(pk=piece.pk).exists()
    assert StoredFile.objects.filter(pk=piece.file_id).exists()
    assert client.get(reverse("assessment:evidence_remove", args=[piece.pk])).status_code == 405


def test_evidence_stays_once_the_results_are_confirmed(login, world, opened):
    piece = services.evidence_upload(
        actor=world.zhuozi_liaison,
        participant=opened.zhuozi,
        item=opened.items.manual,
        upload=pdf(),
    )
    _close(world, opened.scheme, [opened.zhuozi, opened.huade], opened.items.manual)
    client = login(world.zhuozi_liaison)
    remove = reverse("assessment:evidence_remove", args=[piece.pk])
    assert remove not in html_of(client.get(card_url(opened.zhuozi)))
    response = client.post(remove, follow=True)
    assert says(
        response, "The results of this scheme are confirmed: no more evidence can be added."
    )
    assert Evidence.objects.filter(pk=piece.pk).exists()


# --- deductions become rectification items -------------------------------------------------------


def test_a_deduction_opens_a_rectification_item(login, world, review):
    manual = score_of(review.zhuozi, review.items.manual)
    services.score_review(
        actor=world.potato_director, score=manual, value="12", reason="典型案例不足，扣3分。"
    )
    rectify = reverse("assessment:score_rectify", args=[manual.pk])
    from_scores = Rectification.objects.filter(assessment_score__isnull=False)
    due = timezone.localdate() + datetime.timedelta(days=30)
    # the unit itself does not open one
    liaison = login(world.zhuozi_liaison)
    assert rectify not in html_of(liaison.get(card_url(review.zhuozi)))
    response = liaison.post(rectify, {"requirement": "补充典型案例", "due_date": due.isoformat()})
    assert response.status_code == 403
    client = login(world.potato_director)
    assert rectify in html_of(client.get(card_url(review.zhuozi)))
    response = client.post(rectify, {"requirement": "", "due_date": ""})
    assert response.status_code == 422
    assert says(response, "Say what must be fixed.")
    assert not from_scores.exists()
    response = client.post(rectify, {"requirement": "补充典型案例", "due_date": due.isoformat()})
    assert response.status_code == 302
    item = from_scores.get()
    assert (item.unit, item.source, item.due_date) == (world.zhuozi, manual, due)
    assert item.problem == "典型案例不足，扣3分。"
    html = html_of(client.get(card_url(review.zhuozi)))
    assert f'href="{reverse("rectification:detail", args=[item.pk])}"' in html
    assert "补充典型案例" in html
    # an item with full marks has nothing to rectify
    full = score_of(review.huade, review.items.dispatch)  # 3 of 3 on time
    response = client.post(
        reverse("assessment:score_rectify", args=[full.pk]),
        {"requirement": "x", "due_date": due.isoformat()},
    )
    assert response.status_code == 422
    assert says(response, "Only an item with points deducted opens a rectification.")
    assert from_scores.count() == 1


# --- query counts -------------------------------------------------------------------------------


def _scheme(world, data, *, title: str, manual_items: int, upload: bool = True):
    """A scheme like the `design` fixture's (a heading over the tasks and dispatch items,
    the indicator and notices items) with `manual_items` manual items, opened."""
    scheme = services.scheme_save(
        actor=world.office,
        office=world.potato,
        data={"title": title, "year": YEAR, "period_start": d(1, 1), "period_end": d(12, 31)},
    )

    def add(title, max_score, method=Method.MANUAL, parent=None, **fields):
        return services.item_save(
            actor=world.office,
            scheme=scheme,
            parent=parent,
            data={"title": title, "max_score": Decimal(max_score), "method": method, **fields},
        )

    heading = add("重点任务落实", 30)
    add("重点任务按期办结", 20, Method.TASKS, heading, task_list=data.task_list)
    add("调度数据按时报送", 10, Method.DISPATCH, heading, template=data.template)
    add("肉牛存栏增量", 10, Method.INDICATOR, indicator=data.beef)
    add("督办通报扣分", 5, Method.NOTICES, points_per_notice=Decimal(2))
    manual = [
        add(f"工作成效{n}", 5, evidence_required="总结材料", criteria="成效显著得5分。")
        for n in range(manual_items)
    ]
    services.participants_set(actor=world.office, scheme=scheme, units=[world.zhuozi, world.huade])
    scheme = services.scheme_act(actor=world.office, scheme=scheme, action=SchemeAction.OPEN)
    zhuozi = scheme.participants.get(unit=world.zhuozi)
    # one self-score and one piece of evidence on the first manual item
    services.score_self(
        actor=world.zhuozi_liaison, score=score_of(zhuozi, manual[0]), value="4", reason="较好"
    )
    if upload:
        services.evidence_upload(
            actor=world.zhuozi_liaison,
            participant=zhuozi,
            item=manual[0],
            upload=pdf(title + ".pdf"),
        )
    return zhuozi, manual


def _queries(client, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("who", ["zhuozi_liaison", "office"])
def test_scorecard_queries_do_not_grow_with_items(
    login, world, data, django_assert_max_num_queries, who
):
    small, _ = _scheme(world, data, title="六项", manual_items=1)  # 6 items
    big, _ = _scheme(world, data, title="二十项", manual_items=15)  # 20 items
    assert big.scheme.items.count() == 20
    client = login(getattr(world, who))
    few = _queries(client, card_url(small))
    with django_assert_max_num_queries(few):
        assert client.get(card_url(big)).status_code == 200


def test_scorecard_queries_do_not_grow_with_evidence(
    login, world, data, task_file, django_assert_max_num_queries
):
    zhuozi, manual = _scheme(world, data, title="佐证材料", manual_items=3, upload=False)
    services.evidence_link(
        actor=world.zhuozi_liaison, participant=zhuozi, item=manual[0], file_id=task_file.pk
    )
    client = login(world.zhuozi_liaison)
    few = _queries(client, card_url(zhuozi))  # 1 file, linked from a task
    for n in range(4):
        services.evidence_upload(
            actor=world.zhuozi_liaison,
            participant=zhuozi,
            item=manual[n % 3],
            upload=pdf(f"材料{n}.pdf", f"% {n}\n".encode()),
        )
    assert zhuozi.evidence.count() == 5
    with django_assert_max_num_queries(few):
        response = client.get(card_url(zhuozi))
    assert html_of(response).count("sc-file-name") == 5
