"""The supervision loop end to end in a real Chromium, as three people in three browsers:
the inspector records a visit to 卓资县 on a phone and writes a problem on site with a
photo, sent for rectification (整改); 卓资县's liaison reports the fix on his phone with
evidence; the potato office, which organised the visit and so verifies, sends it back
once (退回重改), and after the second report accepts it (验收销号).

Fields are found by their names (the forms' own ids), statuses by `#rect-status` against
the zh-hans label, so the test does not depend on how far the Chinese catalogue has got.
Nothing here relies on the details of the supervision demo except that it has issued
notices (for the README's notice screenshot).
"""

import datetime
import struct
import zlib

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone, translation

from zhuanban.core.models import AuditAction, AuditEvent
from zhuanban.org.models import OrgUnit
from zhuanban.rectification.lifecycle import Status
from zhuanban.rectification.models import Rectification, SourceKind, Verdict
from zhuanban.supervision.models import Finding, FindingKind, Notice, Visit, VisitKind

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
PLACE = "卓资县巴音锡勒镇马铃薯种薯繁育基地"
PROBLEM = "种薯贮藏窖通风设施老化，窖内温湿度记录缺失近两个月，存在种薯腐烂风险。"
REQUIREMENT = "更换贮藏窖通风设备，建立温湿度日记录制度，整改完成后报送照片和记录表。"
FIRST_REPORT = "已更换2台通风机，温湿度记录表已补齐。"
REASON = "未见温湿度日记录制度文件，请补充后重新报送。"
SECOND_REPORT = "已印发《种薯贮藏窖温湿度日记录制度》，附制度文件和本月记录。"
ACCEPTED = "经现场复核，通风设施运行正常，记录完整，同意销号。"


def zh_status(status):
    with translation.override("zh-hans"):
        return str(Status(status).label)


def click_and_wait(page, selector):
    with page.expect_navigation():
        page.click(selector)


def png(path, width=48, height=32, rgb=(46, 125, 50)):
    """A small valid PNG (one colour), written without an imaging library."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    row = b"\x00" + bytes(rgb) * width
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )
    return path


def assert_no_horizontal_scroll(page):
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{page.url} scrolls sideways: {widths}"


def assert_no_error(page):
    errors = page.locator(".messages li.error, .errorlist")
    assert errors.count() == 0, errors.all_inner_texts()


def assert_status(page, status):
    assert_no_error(page)
    assert page.locator("#rect-status").inner_text().strip() == zh_status(status)


def test_a_finding_on_a_phone_is_rectified_by_the_county_and_closed_by_the_office(
    new_page, log_in, screenshot_path, tmp_path
):
    today = timezone.localdate()
    deadline = today + datetime.timedelta(days=10)
    users = get_user_model().objects.in_bulk(
        ["inspector", "office", "zhuozi"], field_name="username"
    )
    zhuozi_county = OrgUnit.objects.get(name="卓资县", kind="county")
    potato_office = OrgUnit.objects.get(code="office-potato")
    photo = png(tmp_path / "贮藏窖现场.png")
    evidence = png(tmp_path / "整改后通风机.png", rgb=(25, 118, 210))
    started = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()

    # --- the inspector, on site, on a phone: the visit, then the finding ----------------
    inspector = log_in(new_page(**PHONE), "inspector")
    inspector.goto("/supervision/visits/")
    click_and_wait(inspector, "main a.btn[href='/supervision/visits/new/']")
    form = inspector.locator("form.touch-form")
    form.locator("select[name=office]").select_option(label=potato_office.name)
    form.locator("select[name=kind]").select_option(VisitKind.INSPECTION)
    assert form.locator("input[name=status][value=done]").is_checked()
    assert form.locator("input[name=date]").input_value() == today.isoformat()
    form.locator("input[name=place]").fill(PLACE)
    form.locator("select[name=county]").select_option(label="卓资县")
    assert_no_horizontal_scroll(inspector)
    click_and_wait(inspector, "form.touch-form button[type=submit]")
    assert_no_error(inspector)
    visit = Visit.objects.get(place=PLACE)
    assert (visit.office_id, visit.county_id, visit.date, visit.created_by_id) == (
        potato_office.pk,
        zhuozi_county.pk,
        today,
        users["inspector"].pk,
    )
    assert inspector.url.endswith(f"/supervision/visits/{visit.pk}/")

    finding_form = inspector.locator("#finding-form")
    assert finding_form.locator("input[name=kind][value=problem]").is_checked()
    finding_form.locator("textarea[name=text]").fill(PROBLEM)
    finding_form.locator("input[name=photos]").set_input_files(str(photo))
    # The rectification part stays out of the way until it is asked for.
    assert finding_form.locator("#rectify-fields").is_hidden()
    finding_form.locator("input[name=rectify]").check()
    assert finding_form.locator("#rectify-fields").is_visible()
    finding_form.locator("select[name=unit]").select_option(label="卓资县")
    finding_form.locator("textarea[name=requirement]").fill(REQUIREMENT)
    finding_form.locator("input[name=due_date]").fill(deadline.isoformat())
    assert_no_horizontal_scroll(inspector)
    finding_form.locator("input[name=due_date]").blur()  # no caret in the picture
    # The part that matters on site: the problem, the photo, the rectification, the button.
    finding_form.locator("button[type=submit]").evaluate(
        "button => button.scrollIntoView({block: 'end'})"
    )
    inspector.screenshot(path=screenshot_path("visit-finding-phone.png"))
    click_and_wait(inspector, "#finding-form button[type=submit]")
    assert_no_error(inspector)

    finding = Finding.objects.get(visit=visit)
    item = Rectification.objects.get(source_id=finding.pk, source_kind=SourceKind.VISIT)
    assert (finding.kind, finding.text, finding.unit_id) == (
        FindingKind.PROBLEM,
        PROBLEM,
        zhuozi_county.pk,
    )
    assert [p.name for p in finding.photos.all()] == [photo.name]
    assert finding.photos.get().content_type == "image/png"
    assert (item.unit_id, item.office_id, item.status, item.due_date) == (
        zhuozi_county.pk,
        potato_office.pk,
        Status.OPEN,
        deadline,
    )
    assert (item.problem, item.requirement) == (PROBLEM, REQUIREMENT)
    shown = inspector.locator(f"#finding-{finding.pk}")
    assert PROBLEM in shown.inner_text()
    assert shown.locator("img").count() == 1
    link = shown.locator(f"a[href='/rectification/{item.pk}/']")
    assert link.count() == 1
    assert "卓资县" in link.inner_text()
    assert deadline.isoformat() in shown.inner_text()
    assert_no_horizontal_scroll(inspector)

    # --- another county's liaison does not even see it -----------------------------------
    huade = log_in(new_page(**PHONE), "huade")
    assert huade.goto(f"/rectification/{item.pk}/").status == 404
    huade.goto("/rectification/")
    assert huade.locator(f"#rect-list a[href='/rectification/{item.pk}/']").count() == 0

    # --- 卓资县's liaison finds it on his phone and reports the fix ------------------------
    zhuozi = log_in(new_page(**PHONE), "zhuozi")
    zhuozi.goto("/rectification/")
    assert_no_horizontal_scroll(zhuozi)
    with zhuozi.expect_navigation():
        zhuozi.locator(f"#rect-list a[href='/rectification/{item.pk}/']").click()
    assert_status(zhuozi, Status.OPEN)
    assert REQUIREMENT in zhuozi.locator("#rect-requirement").inner_text()
    # Verifying is the office's call, not the unit's.
    assert zhuozi.locator("form.act-accept, form.act-reject").count() == 0
    assert_no_horizontal_scroll(zhuozi)
    respond = zhuozi.locator("#rect-respond")
    respond.locator("textarea[name=text]").fill(FIRST_REPORT)
    respond.locator("input[name=evidence]").set_input_files(str(evidence))
    click_and_wait(zhuozi, "#rect-respond button[type=submit]")
    assert_status(zhuozi, Status.RESPONDED)
    assert FIRST_REPORT in zhuozi.locator("#rect-responses").inner_text()
    assert evidence.name in zhuozi.locator("#rect-responses").inner_text()
    assert zhuozi.locator("#rect-respond").count() == 0  # nothing more to report for now
    assert_no_horizontal_scroll(zhuozi)

    # --- the potato office verifies: sent back with a reason ------------------------------
    office = log_in(new_page(), "office")
    office.goto(f"/rectification/{item.pk}/")
    assert_status(office, Status.RESPONDED)
    assert office.locator("#rect-respond").count() == 0  # reporting is the unit's part
    # A rejection without a reason is not even sent (the server refuses it too: its tests).
    reason = office.locator("form.act-reject textarea[name=comment]")
    office.click("form.act-reject button[type=submit]")
    assert reason.evaluate("box => box.validity.valueMissing")
    assert office.url.endswith(f"/rectification/{item.pk}/")
    item.refresh_from_db()
    assert item.status == Status.RESPONDED
    office.fill("form.act-reject textarea[name=comment]", REASON)
    click_and_wait(office, "form.act-reject button[type=submit]")
    assert_status(office, Status.REWORK)
    assert REASON in office.locator("#rect-responses").inner_text()

    # --- the liaison reads why and reports again ----------------------------------------
    zhuozi.goto(f"/rectification/{item.pk}/")
    assert_status(zhuozi, Status.REWORK)
    assert REASON in zhuozi.locator("#rect-responses").inner_text()
    zhuozi.fill("#rect-respond textarea[name=text]", SECOND_REPORT)
    click_and_wait(zhuozi, "#rect-respond button[type=submit]")
    assert_status(zhuozi, Status.RESPONDED)

    # --- the office accepts: verified and closed, the light goes grey --------------------
    office.reload()
    assert_status(office, Status.RESPONDED)
    office.fill("form.act-accept textarea[name=comment]", ACCEPTED)
    click_and_wait(office, "form.act-accept button[type=submit]")
    assert_status(office, Status.CLOSED)
    assert office.locator(".rect-badges .light.light-grey").count() == 1
    assert office.locator("form.act-accept, form.act-reject, #rect-respond").count() == 0
    office.screenshot(path=screenshot_path("rectification-item.png"), full_page=True)

    item.refresh_from_db()
    assert item.status == Status.CLOSED
    assert item.closed_at is not None
    responses = list(item.responses.order_by("at", "pk"))
    assert [(r.text, r.verdict, r.verdict_comment) for r in responses] == [
        (FIRST_REPORT, Verdict.REJECTED, REASON),
        (SECOND_REPORT, Verdict.ACCEPTED, ACCEPTED),
    ]
    assert {r.responder_id for r in responses} == {users["zhuozi"].pk}
    assert {r.verified_by_id for r in responses} == {users["office"].pk}
    assert [f.name for f in responses[0].evidence.all()] == [evidence.name]
    assert list(item.events.values_list("action", flat=True)) == [
        "raise",
        "respond",
        "reject",
        "respond",
        "accept",
    ]

    # The audit trail holds every step, by whom.
    trail = AuditEvent.objects.filter(seq__gt=started or 0).order_by("seq")
    steps = list(
        trail.filter(object_type="rectification.rectification", object_id=str(item.pk)).values_list(
            "action", "message", "actor__username"
        )
    )
    assert steps == [
        (AuditAction.CREATE, "", "inspector"),
        (AuditAction.UPDATE, "rectification respond", "zhuozi"),
        (AuditAction.UPDATE, "rectification reject", "office"),
        (AuditAction.UPDATE, "rectification respond", "zhuozi"),
        (AuditAction.UPDATE, "rectification accept", "office"),
    ], steps
    assert trail.filter(
        object_type="supervision.visit", object_id=str(visit.pk), action=AuditAction.CREATE
    ).exists()
    assert trail.filter(
        object_type="supervision.finding", object_id=str(finding.pk), action=AuditAction.CREATE
    ).exists()
    uploads = set(
        trail.filter(action=AuditAction.UPLOAD, outcome="success").values_list(
            "object_repr", "actor__username"
        )
    )
    assert {(photo.name, "inspector"), (evidence.name, "zhuozi")} <= uploads, uploads

    # --- screenshots for the README: the overview and an issued notice --------------------
    # The inspector's overview covers every office's items (an office member's, its own).
    overview = log_in(new_page(), "inspector")
    overview.goto("/supervision/")
    assert_no_error(overview)
    assert overview.locator("#overview-figures").is_visible()
    overview.screenshot(path=screenshot_path("supervision-overview.png"), full_page=True)

    notice = Notice.objects.issued().order_by("-issue_date", "-pk").first()
    assert notice is not None, "the demo has issued notices"
    office.goto(f"/supervision/notices/{notice.pk}/")
    assert_no_error(office)
    assert notice.number in office.locator("main").inner_text()
    office.screenshot(path=screenshot_path("notice.png"), full_page=True)
