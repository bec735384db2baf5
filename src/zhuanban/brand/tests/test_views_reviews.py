"""The annual re-review on screen: the rounds and their progress per persona, opening a
round, one round's table, the licensee's report (and who may not send it), the office's
conclusions (send back, rectification in the shared loop, pass, removal), evidence
downloads; wrong methods and outsiders; query counts flat in the number of reviews."""

import datetime
import html
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext, pgettext

from zhuanban.brand import selectors, services
from zhuanban.brand.lifecycle import AppStatus, ReviewAction, ReviewStatus
from zhuanban.brand.models import (
    Application,
    Event,
    Inspection,
    Licence,
    LicenceState,
    Review,
    ReviewRound,
    Sales,
)
from zhuanban.brand.tests.conftest import approve, enterprise, oat_products, required_documents
from zhuanban.brand.tests.conftest import upload as pdf_upload
from zhuanban.core.models import AuditEvent, StoredFile
from zhuanban.rectification import services as rectification_services
from zhuanban.rectification.lifecycle import Action as RectAction
from zhuanban.rectification.lifecycle import Status as RectStatus
from zhuanban.rectification.models import Rectification, SourceKind

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _chinese():
    """Pages render in the site's language (zh-hans); the test reads its messages in it."""
    with translation.override("zh-hans"):
        yield


def url(name: str, *args) -> str:
    return reverse(f"brand:{name}", args=args)


def page_of(response, status: int = 200) -> str:
    assert response.status_code == status, response.status_code
    return html.unescape(response.content.decode())


def today() -> datetime.date:
    return timezone.localdate()


def later(days: int = 30) -> datetime.date:
    return today() + datetime.timedelta(days=days)


def reported(done: int, total: int) -> str:
    return gettext("Reported %(reported)s / %(total)s") % {"reported": done, "total": total}


@pytest.fixture
def current(world, brand):
    """阴山优麦 (卓资县, with its own login) and 薯都凯达 (化德县) licensed a month ago, and
    this year's re-review open: one review each."""
    start = today() - datetime.timedelta(days=30)
    yinshan_app = services.application_create(
        actor=brand.applicant,
        enterprise=brand.yinshan,
        products=oat_products(),
        attachments=required_documents(),
    )
    shudu_app = services.application_create(
        actor=world.brand_staff,
        enterprise=brand.shudu,
        products=oat_products(),
        attachments=required_documents(),
    )
    brand.yinshan_licence = approve(world, yinshan_app, today=start)
    brand.shudu_licence = approve(world, shudu_app, today=start)
    brand.year = today().year
    brand.round = services.review_round_open(
        actor=world.brand_staff, year=brand.year, due_date=later(), note="请如实填报经营数据"
    )
    brand.yinshan_review = brand.round.reviews.get(licence=brand.yinshan_licence)
    brand.shudu_review = brand.round.reviews.get(licence=brand.shudu_licence)
    return brand


def report_data(review, **changes) -> dict:
    data = {
        "version": review.version,
        "sales": "1250.50",
        "output": "1300",
        "complaints": "0",
        "inspection": Inspection.PASSED,
        "inspection_note": "2026年4月市质检站抽检合格",
        "logo_note": "500克袋装燕麦片使用原味乌兰察布标识",
    }
    data.update(changes)
    return data


def report(actor, review, sales="1250.50"):
    return services.review_submit(
        actor=actor,
        review=review,
        sales=Decimal(sales),
        output=Decimal("1300"),
        complaints=0,
        inspection=Inspection.PASSED,
        logo_note="袋装燕麦片使用标识",
    )


_sequence = iter(range(100, 10_000))


def licensee(world, name: str, county) -> Licence:
    """An enterprise holding a licence valid today, set up directly (for volume)."""
    firm = enterprise(world, name, county, next(_sequence))
    application = Application.objects.create(
        enterprise=firm, number=f"SQT{next(_sequence):06d}", status=AppStatus.APPROVED
    )
    start = today() - datetime.timedelta(days=10)
    return Licence.objects.create(
        number=services.licence_number(start.year),
        enterprise=firm,
        application=application,
        valid_from=start,
        valid_until=services.licence_end(start),
    )


# --- the rounds ----------------------------------------------------------------------------


def test_rounds_show_progress_to_each_persona(world, login, current):
    report(current.applicant, current.yinshan_review)
    client = login(world.brand_staff)
    page = page_of(client.get(url("rounds")))
    assert gettext("%(year)s re-review") % {"year": current.year} in page
    assert reported(1, 2) in page
    assert f"{ReviewStatus.SUBMITTED.label} 1" in page
    assert f"{ReviewStatus.AWAITING.label} 1" in page
    assert url("round_open") in page  # the brand office may open another year

    page = page_of(login(world.zhuozi_liaison).get(url("rounds")))
    assert reported(1, 1) in page
    assert url("round_open") not in page
    page = page_of(login(world.huade_liaison).get(url("rounds")))
    assert reported(0, 1) in page
    page = page_of(login(world.office).get(url("rounds")))  # another office reads it all
    assert reported(1, 2) in page
    assert url("round_open") not in page


def test_an_enterprise_goes_straight_to_its_open_review(world, login, current):
    response = login(current.applicant).get(url("rounds"))
    assert response.status_code == 302
    assert response["Location"] == url("review", current.yinshan_review.pk)


def test_an_enterprise_with_no_open_review_sees_its_own_list(world, login, current):
    services.review_act(
        actor=world.brand_staff,
        review=report(current.applicant, current.yinshan_review),
        action=ReviewAction.PASS,
    )
    page = page_of(login(current.applicant).get(url("rounds")))
    assert current.yinshan_licence.number in page
    assert current.shudu_licence.number not in page
    assert str(ReviewStatus.PASSED.label) in page


def test_rounds_are_hidden_from_the_administrators_and_outsiders(world, login, current):
    for user in (world.sysadmin, world.auditor):
        assert login(user).get(url("rounds")).status_code == 404
        assert login(user).get(url("round", current.year)).status_code == 404
    page = page_of(login(world.outsider).get(url("rounds")))
    assert url("round", current.year) not in page
    assert gettext("No re-review has been opened yet.") in page
    assert login(world.outsider).get(url("round", current.year)).status_code == 404


# --- opening a round -----------------------------------------------------------------------


def test_the_office_opens_next_years_round_for_every_valid_licence(world, login, current):
    client = login(world.brand_staff)
    form = page_of(client.get(url("round_open")))
    assert f'value="{today().year}"' in form  # this year by default
    year = today().year + 1
    response = client.post(
        url("round_open"),
        {"year": year, "due_date": later(60).isoformat(), "note": "报送销售额与用标情况"},
    )
    assert response.status_code == 302
    assert response["Location"] == url("round", year)
    round = ReviewRound.objects.get(year=year)
    assert round.reviews.count() == 2
    assert round.note == "报送销售额与用标情况"
    page = page_of(client.get(response["Location"]))
    message = ngettext(
        "The %(year)d re-review is open: it covers %(count)d licence, whose holder was notified.",
        "The %(year)d re-review is open: it covers %(count)d licences, whose holders were "
        "notified.",
        2,
    ) % {"year": year, "count": 2}
    assert message in page
    assert reported(0, 2) in page


def test_opening_a_year_twice_or_with_a_past_deadline_is_refused_by_field(world, login, current):
    client = login(world.brand_staff)
    response = client.post(
        url("round_open"),
        {"year": current.year, "due_date": (today() - datetime.timedelta(days=1)).isoformat()},
    )
    page = page_of(response, 422)
    assert gettext("The %(year)d re-review is already open.") % {"year": current.year} in page
    assert gettext("Give a reporting deadline that is not in the past.") in page
    assert ReviewRound.objects.count() == 1


def test_only_the_brand_office_opens_a_round(world, login, current):
    data = {"year": current.year + 1, "due_date": later().isoformat()}
    for user in (world.office, world.leader, world.inspector):  # read the register: 403
        assert login(user).get(url("round_open")).status_code == 403
        assert login(user).post(url("round_open"), data).status_code == 403
    for user in (world.zhuozi_liaison, current.applicant, world.outsider):  # 404
        assert login(user).post(url("round_open"), data).status_code == 404
    assert not ReviewRound.objects.filter(year=current.year + 1).exists()


# --- one round -----------------------------------------------------------------------------


def test_the_round_shows_each_persona_its_own_reviews(world, login, current):
    report(current.applicant, current.yinshan_review, sales="1250.50")
    page = page_of(login(world.brand_staff).get(url("round", current.year)))
    assert current.yinshan.name in page
    assert current.shudu.name in page
    assert current.yinshan_licence.number in page
    assert "1250.50" in page
    assert "请如实填报经营数据" in page
    assert reported(1, 2) in page

    page = page_of(login(world.zhuozi_liaison).get(url("round", current.year)))
    assert current.yinshan.name in page
    assert current.shudu.name not in page
    assert reported(1, 1) in page

    page = page_of(login(current.applicant).get(url("round", current.year)))
    assert current.yinshan.name in page
    assert current.shudu.name not in page


def test_the_round_filters_by_status_and_county(world, login, current):
    report(current.applicant, current.yinshan_review)
    client = login(world.brand_staff)
    page = page_of(client.get(url("round", current.year), {"status": ReviewStatus.SUBMITTED}))
    assert current.yinshan.name in page
    assert current.shudu.name not in page
    page = page_of(client.get(url("round", current.year), {"county": world.huade.pk}))
    assert current.shudu.name in page
    assert current.yinshan.name not in page
    assert reported(0, 1) in page  # the counts follow the county
    # A stale or hand-made address is no error page.
    page = page_of(client.get(url("round", current.year), {"county": "x", "status": "nope"}))
    assert current.yinshan.name in page
    assert current.shudu.name in page
    assert client.get(url("round", 1999)).status_code == 404


def _round_page_queries(client, year) -> int:
    with CaptureQueriesContext(connection) as captured:
        page_of(client.get(url("round", year)))
    return len(captured)


def test_the_round_page_takes_the_same_queries_for_2_and_10_reviews(world, login):
    year = today().year
    for n in range(2):
        licensee(world, f"企业{n}", world.zhuozi)
    round = services.review_round_open(actor=world.brand_staff, year=year, due_date=later())
    client = login(world.brand_staff)
    first = round.reviews.order_by("pk").first()
    services.review_submit(
        actor=world.brand_staff,
        review=first,
        sales=Decimal(1),
        output=Decimal(1),
        complaints=0,
        inspection=Inspection.PASSED,
        logo_note="标识",
    )
    services.review_act(
        actor=world.brand_staff,
        review=first,
        action=ReviewAction.RECTIFY,
        comment="整改",
        due_date=later(),
    )
    _round_page_queries(client, year)  # warm the caches (content types, the office id)
    few = _round_page_queries(client, year)
    for n in range(2, 10):
        Review.objects.create(round=round, licence=licensee(world, f"企业{n}", world.huade))
    many = _round_page_queries(client, year)
    assert round.reviews.count() == 10
    assert many == few


# --- the report ----------------------------------------------------------------------------


def test_the_enterprise_reports_and_its_sales_become_the_years_figure(world, login, current):
    client = login(current.applicant)
    review = current.yinshan_review
    form = page_of(client.get(url("review", review.pk)))
    assert url("review_submit", review.pk) in form
    assert url("review_act", review.pk) not in form  # the office concludes, not the licensee
    response = client.post(
        url("review_submit", review.pk),
        report_data(review, evidence=[pdf_upload("包装.png"), pdf_upload("销售台账.pdf")]),
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == ReviewStatus.SUBMITTED
    assert review.sales == Decimal("1250.50")
    assert review.complaints == 0
    assert review.submitted_by == current.applicant
    assert sorted(review.evidence.values_list("name", flat=True)) == ["包装.png", "销售台账.pdf"]
    sales = Sales.objects.get(enterprise=current.yinshan, year=current.year)
    assert sales.amount == Decimal("1250.50")
    page = page_of(client.get(response["Location"]))
    assert str(ReviewStatus.SUBMITTED.label) in page
    assert "1250.50" in page
    assert str(Inspection.PASSED.label) in page
    assert "包装.png" in page
    assert url("review_submit", review.pk) not in page  # reported: the form is gone
    assert Event.objects.filter(review=review, action=ReviewAction.SUBMIT).exists()


def test_the_report_lists_every_missing_figure(world, login, current):
    client = login(current.applicant)
    review = current.yinshan_review
    response = client.post(
        url("review_submit", review.pk),
        report_data(review, sales="", inspection="", logo_note=""),
    )
    page = page_of(response, 422)
    assert gettext("This figure is required.") in page
    assert gettext("Say how the year's quality inspections went.") in page
    assert gettext("Describe the logo use or attach evidence (photos of the packaging).") in page
    review.refresh_from_db()
    assert review.status == ReviewStatus.AWAITING
    assert not Sales.objects.exists()


def test_bad_evidence_files_are_named_together_and_nothing_is_saved(world, login, current):
    client = login(current.applicant)
    review = current.yinshan_review
    files_before = StoredFile.objects.count()
    fake = SimpleUploadedFile("假图片.png", b"%PDF-1.4 not a png", content_type="image/png")
    response = client.post(
        url("review_submit", review.pk),
        report_data(
            review,
            evidence=[pdf_upload("好的.pdf"), pdf_upload("宏.docm"), fake],
        ),
    )
    page = page_of(response, 422)
    assert "宏.docm" in page
    assert "假图片.png" in page
    assert "好的.pdf：" not in page
    review.refresh_from_db()
    assert review.status == ReviewStatus.AWAITING
    assert StoredFile.objects.count() == files_before
    assert not Sales.objects.exists()
    refused = AuditEvent.objects.filter(message="upload refused")
    assert refused.count() == 2


def test_a_stale_report_is_refused_with_409(world, login, current):
    client = login(current.applicant)
    review = current.yinshan_review
    stale = report_data(review)
    Review.objects.filter(pk=review.pk).update(version=review.version + 1)  # someone saved
    page = page_of(client.post(url("review_submit", review.pk), stale), 409)
    assert gettext("Someone else changed this in the meantime. Reload the page and try again.") in (
        page
    )
    review.refresh_from_db()
    assert review.status == ReviewStatus.AWAITING
    assert not Sales.objects.exists()
    assert f'name="version" value="{review.version}"' in page  # sending again is knowing


def test_who_may_not_report(world, login, current):
    review = current.yinshan_review
    data = report_data(review)
    # 化德县 does not see 阴山优麦's review at all; 卓资县 reads it but does not report.
    assert login(world.huade_liaison).post(url("review_submit", review.pk), data).status_code == (
        404
    )
    assert login(world.huade_liaison).get(url("review", review.pk)).status_code == 404
    for user in (world.zhuozi_liaison, world.leader, world.office):
        assert login(user).post(url("review_submit", review.pk), data).status_code == 403
    # The applicant of 阴山优麦 does not see 薯都凯达's.
    shudu = current.shudu_review
    assert (
        login(current.applicant).post(url("review_submit", shudu.pk), report_data(shudu))
    ).status_code == 404
    review.refresh_from_db()
    shudu.refresh_from_db()
    assert review.status == shudu.status == ReviewStatus.AWAITING
    assert not Sales.objects.exists()
    assert login(current.applicant).get(url("review_submit", review.pk)).status_code == 405


def test_a_county_reads_the_review_without_forms(world, login, current):
    page = page_of(login(world.zhuozi_liaison).get(url("review", current.yinshan_review.pk)))
    assert current.yinshan.name in page
    assert current.yinshan_licence.number in page
    assert url("review_submit", current.yinshan_review.pk) not in page
    assert url("review_act", current.yinshan_review.pk) not in page


# --- the office's conclusions --------------------------------------------------------------


def test_the_office_sees_exactly_the_actions_the_table_allows(world, login, current):
    client = login(world.brand_staff)
    review = current.yinshan_review
    page = page_of(client.get(url("review", review.pk)))  # awaiting: report or remove
    assert url("review_submit", review.pk) in page
    assert 'value="remove"' in page
    assert 'value="pass"' not in page
    assert 'value="rectify"' not in page
    report(current.applicant, review)
    page = page_of(client.get(url("review", review.pk)))
    for action in ("return", "pass", "rectify", "remove"):
        assert f'value="{action}"' in page
    assert url("review_submit", review.pk) not in page


def test_send_back_needs_a_reason(world, login, current):
    review = report(current.applicant, current.yinshan_review)
    client = login(world.brand_staff)
    data = {"action": "return", "version": review.version, "comment": ""}
    page_of(client.post(url("review_act", review.pk), data), 422)
    review.refresh_from_db()
    assert review.status == ReviewStatus.SUBMITTED
    data["comment"] = "请补充检验报告编号"
    assert client.post(url("review_act", review.pk), data).status_code == 302
    review.refresh_from_db()
    assert review.status == ReviewStatus.AWAITING
    page = page_of(client.get(url("review", review.pk)))
    assert "请补充检验报告编号" in page  # in the timeline
    assert str(ReviewAction.RETURN.label) in page


def test_rectify_raises_an_item_in_the_shared_loop_and_the_pages_link_it(world, login, current):
    review = report(current.applicant, current.yinshan_review)
    client = login(world.brand_staff)
    due = later(45)
    response = client.post(
        url("review_act", review.pk),
        {
            "action": "rectify",
            "version": review.version,
            "comment": "外包装标识位置不规范，限期更换",
            "due_date": due.isoformat(),
        },
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == ReviewStatus.RECTIFYING
    item = Rectification.objects.get()
    assert review.rectification == item
    assert item.source_kind == SourceKind.BRAND
    assert item.unit_id == current.yinshan.unit_id
    assert item.due_date == due
    assert item.requirement == "外包装标识位置不规范，限期更换"
    rect_url = reverse("rectification:detail", args=[item.pk])
    page = page_of(client.get(response["Location"]))
    assert rect_url in page
    assert due.isoformat() in page
    assert str(RectStatus.OPEN.label) in page
    page = page_of(client.get(url("round", current.year)))
    assert rect_url in page
    # The enterprise follows its item from its review; the rectification page links back.
    assert rect_url in page_of(login(current.applicant).get(url("review", review.pk)))
    back = page_of(login(current.applicant).get(rect_url))
    assert url("review", review.pk) in back
    # Another office reads the re-review, not the brand office's item: no dead link.
    page = page_of(login(world.office).get(url("review", review.pk)))
    assert str(RectStatus.OPEN.label) in page
    assert rect_url not in page


def test_rectify_needs_a_deadline_not_in_the_past(world, login, current):
    review = report(current.applicant, current.yinshan_review)
    client = login(world.brand_staff)
    data = {"action": "rectify", "version": review.version, "comment": "整改"}
    page_of(client.post(url("review_act", review.pk), data), 422)
    data["due_date"] = today().isoformat()
    page = page_of(client.post(url("review_act", review.pk), data), 422)
    assert gettext("The rectification deadline must be after today.") in page
    review.refresh_from_db()
    assert review.status == ReviewStatus.SUBMITTED
    assert not Rectification.objects.exists()


def test_pass_is_refused_while_the_rectification_is_open(world, login, current):
    review = report(current.applicant, current.yinshan_review)
    review = services.review_act(
        actor=world.brand_staff,
        review=review,
        action=ReviewAction.RECTIFY,
        comment="整改",
        due_date=later(),
    )
    client = login(world.brand_staff)
    data = {"action": "pass", "version": review.version, "comment": ""}
    page = page_of(client.post(url("review_act", review.pk), data), 422)
    label = pgettext("rectification status", "To be rectified")
    assert (
        gettext("The rectification has not been verified and closed yet (it is %(status)s).")
        % {"status": label}
        in page
    )
    review.refresh_from_db()
    assert review.status == ReviewStatus.RECTIFYING

    item = review.rectification
    rectification_services.rectification_respond(actor=current.applicant, item=item, text="已更换")
    rectification_services.rectification_act(
        actor=world.brand_staff, item=item, action=RectAction.ACCEPT
    )
    assert client.post(url("review_act", review.pk), data).status_code == 302
    review.refresh_from_db()
    assert review.status == ReviewStatus.PASSED


def test_removal_ends_the_licence_and_the_enterprise_leaves_the_public_list(world, login, current):
    client = login(world.brand_staff)
    review = current.shudu_review
    page = page_of(client.get(url("review", review.pk)))
    assert current.shudu_licence.number in page
    warning = gettext(
        "Removal ends licence %(number)s today (%(date)s): %(name)s may no longer use the "
        "brand and leaves the public list of authorized enterprises at once. This cannot "
        "be undone."
    ) % {
        "number": current.shudu_licence.number,
        "date": today().isoformat(),
        "name": current.shudu.name,
    }
    assert warning in page
    public = {lic.enterprise_id for lic in selectors.public_enterprises()}
    assert current.shudu.pk in public
    public_page = reverse("verify:enterprises")
    assert current.shudu.name in page_of(Client().get(public_page))  # anyone, no login
    response = client.post(
        url("review_act", review.pk),
        {"action": "remove", "version": review.version, "comment": "连续两年未使用标识"},
    )
    assert response.status_code == 302
    licence = Licence.objects.get(pk=current.shudu_licence.pk)
    assert licence.revoked_on == today()
    assert licence.revoked_reason == "连续两年未使用标识"
    assert licence.state_on(today()) == LicenceState.REVOKED
    review.refresh_from_db()
    assert review.status == ReviewStatus.REMOVED
    public = {lic.enterprise_id for lic in selectors.public_enterprises()}
    assert public == {current.yinshan.pk}
    listed = page_of(Client().get(public_page))
    assert current.shudu.name not in listed
    assert current.yinshan.name in listed
    page = page_of(client.get(response["Location"]))
    assert str(ReviewStatus.REMOVED.label) in page
    assert str(LicenceState.REVOKED.label) in page
    assert "连续两年未使用标识" in page
    assert 'value="remove"' not in page


def test_only_the_office_concludes(world, login, current):
    review = report(current.applicant, current.yinshan_review)
    data = {"action": "pass", "version": review.version, "comment": ""}
    for user in (current.applicant, world.zhuozi_liaison, world.leader, world.office):
        assert login(user).post(url("review_act", review.pk), data).status_code == 403
    assert login(world.huade_liaison).post(url("review_act", review.pk), data).status_code == 404
    bad = {**data, "action": "submit"}
    assert login(world.brand_staff).post(url("review_act", review.pk), bad).status_code == 404
    review.refresh_from_db()
    assert review.status == ReviewStatus.SUBMITTED


def test_a_stale_conclusion_is_refused_with_409(world, login, current):
    review = report(current.applicant, current.yinshan_review)
    client = login(world.brand_staff)
    data = {"action": "pass", "version": review.version - 1, "comment": ""}
    page_of(client.post(url("review_act", review.pk), data), 409)
    review.refresh_from_db()
    assert review.status == ReviewStatus.SUBMITTED


# --- evidence ------------------------------------------------------------------------------


def test_evidence_is_served_only_with_its_review(world, login, current):
    review = services.review_submit(
        actor=current.applicant,
        review=current.yinshan_review,
        sales=Decimal(1),
        output=Decimal(1),
        complaints=0,
        inspection=Inspection.NONE,
        evidence=[pdf_upload("包装.pdf")],
    )
    stored = review.evidence.get()
    link = url("review_evidence", review.pk, stored.pk)
    response = login(world.zhuozi_liaison).get(link)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]
    # The same file through another review, or by someone who does not see the review.
    other = url("review_evidence", current.shudu_review.pk, stored.pk)
    assert login(world.brand_staff).get(other).status_code == 404
    assert login(world.huade_liaison).get(link).status_code == 404
    assert login(world.outsider).get(link).status_code == 404
    assert login(world.brand_staff).post(link).status_code == 405
