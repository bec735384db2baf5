"""Policy documents and meetings end to end in a real Chromium, on the Ulanqab demo.

The rural office (农牧办) has its 千万工程 measures out for opinions: its deputy director,
who holds the pen, finds the draft among the documents 征求意见中, opens the open round
and sees who has answered and who has not. 卓资县's liaison, on a phone, opens 我的征求意见,
answers with two opinions (one on a clause) and sees the answer recorded; back at the
office, 卓资县 now shows as answered, and one of its opinions is marked 部分采纳 — first
without a reason (refused in Chinese, nothing saved), then with one. The compare page of
the draft's two versions marks what version 2 inserted.

A bureau leader opens the 局务会 still collecting topics, reads a meeting whose minutes
were issued (the decisions, and the tasks made of them), plans a meeting of his own in
the browser and tries to fix its agenda while it has no topic: refused, in Chinese.

Every page is watched: no Content Security Policy violation, no console error, no answer
of 400 or more but the refusals the test provokes; on the phone nothing scrolls sideways.
"""

import datetime

import pytest
from browsing import (
    assert_clean,
    assert_no_error,
    assert_no_horizontal_scroll,
    click_and_wait,
    text_of,
    watched,
)
from django.db.models import Count
from django.utils import translation
from django.utils.translation import gettext, ngettext, pgettext

from zhuanban.demo.documents_data import VILLAGES_TITLE
from zhuanban.documents import selectors
from zhuanban.documents.lifecycle import MeetingStatus, Outcome, Stage, TopicStatus
from zhuanban.documents.models import (
    Disposition,
    Document,
    Meeting,
    MeetingKind,
    Opinion,
    OpinionRequest,
)
from zhuanban.documents.text import compare as compare_texts

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

PEN_HOLDER = "rural-dep"  # 陈晓东, 农牧办's deputy director: holds the pen of the draft
ZHUOZI_LIAISON = "zhuozi"

CLAUSE = "第二部分第8条"
OPINION_ON_CLAUSE = "我县农村牧区户厕改造任务较重，建议明确改厕后续管护经费由市县两级按比例分担。"
OPINION_GENERAL = "建议在第三部分增加支持马铃薯、燕麦等特色农产品加工的具体措施。"
PARTLY_REASON = "已在第8条增加“健全改厕后续管护机制”的表述；经费分担比例由市财政局另行研究确定。"


# --- helpers ------------------------------------------------------------------------------


def zh(text: str, context: str = "") -> str:
    """A msgid as the pages show it (zh-hans), whatever language the test runs in."""
    with translation.override("zh-hans"):
        return pgettext(context, text) if context else gettext(text)


def zh_label(choice) -> str:
    with translation.override("zh-hans"):
        return str(choice.label)


def assert_on_screen(locator, width):
    """Within the phone's width: not pushed off to the right inside a scrolling table."""
    box = locator.bounding_box()
    assert box is not None, locator
    assert box["x"] >= 0, box
    assert box["x"] + box["width"] <= width, box


def progress_text(round_) -> str:
    """已反馈 X / Y（逾期 Z）, as the round page starts its counts."""
    progress = selectors.round_progress(round_)
    with translation.override("zh-hans"):
        return gettext("Answered %(answered)s / %(total)s (%(late)s late)") % progress


def screenshot_down_to(page, path, selector, width):
    """The page from its top down to the end of `selector`: the part a README shows."""
    bottom = page.evaluate(
        """(selector) => {
          const box = document.querySelector(selector).getBoundingClientRect();
          return box.bottom + window.scrollY;
        }""",
        selector,
    )
    page.screenshot(
        path=path, full_page=True, clip={"x": 0, "y": 0, "width": width, "height": bottom + 16}
    )


# --- the opinion round ------------------------------------------------------------------------


def test_an_opinion_round_answered_on_a_phone_and_handled_by_the_office(
    new_page, log_in, screenshot_path
):
    document = Document.objects.get(title=VILLAGES_TITLE)
    assert document.stage == Stage.CONSULTING
    round_ = document.rounds.get(closed_at__isnull=True)
    zhuozi_ask = OpinionRequest.objects.select_related("unit").get(
        round=round_, unit__code="150921"
    )
    assert zhuozi_ask.answered_at is None, "the demo leaves 卓资县 to answer"
    waiting = {ask.consulted_name for ask in round_.requests.filter(answered_at__isnull=True)}
    assert "卓资县" in waiting

    # --- the office finds its draft among the documents out for opinions --------------------
    office = log_in(watched(new_page(**DESKTOP)), PEN_HOLDER)
    assert_clean(office, "home")
    with office.expect_navigation():
        office.locator("nav.mainnav a", has_text=zh("Documents and meetings")).click()
    assert_clean(office, "documents")
    click_and_wait(office, "nav.doc-chips a.stage-consulting")
    assert_clean(office, "documents seeking opinions")
    assert office.locator("nav.doc-chips a.stage-consulting").get_attribute("aria-current")
    titles = office.locator("#documents td.doc-title a").all_inner_texts()
    assert VILLAGES_TITLE in titles
    consulting = Document.objects.filter(stage=Stage.CONSULTING).values_list("title", flat=True)
    assert sorted(titles) == sorted(consulting)
    with office.expect_navigation():
        office.locator("#documents td.doc-title a", has_text=VILLAGES_TITLE).click()
    assert_clean(office, "document")
    assert text_of(office, "h1") == VILLAGES_TITLE
    assert zh("Seeking opinions", "document stage") in text_of(office, ".doc-badges")
    pen = document.pen_holder.get_full_name()
    assert pen == "陈晓东"
    assert pen in text_of(office, ".doc-pairs")
    # Two versions, both rounds listed, the open one linked from the buttons.
    assert office.locator("table.doc-versions tbody tr").count() == 2
    assert office.locator("table.doc-rounds tbody tr").count() == 2
    with office.expect_navigation():
        office.locator(f".doc-buttons a[href='/documents/rounds/{round_.pk}/']").click()

    # --- the round page: who has answered, who has not ---------------------------------------
    assert_clean(office, "round")
    assert text_of(office, ".round-counts").startswith(progress_text(round_))
    zhuozi_row = office.locator(f"#party-{zhuozi_ask.pk}")
    assert "卓资县" in zhuozi_row.inner_text()
    assert text_of(office, f"#party-{zhuozi_ask.pk} .not-answered") == zh("Not answered yet")
    assert office.locator("#round-parties tr.waiting").count() == len(waiting)
    assert office.locator("#round-parties tbody tr").count() == round_.requests.count()
    assert office.locator("#round-urge").is_visible()
    screenshot_down_to(
        office, screenshot_path("documents-round.png"), "#round-parties", DESKTOP["width"]
    )

    # --- the office's document page on a phone ------------------------------------------------
    office_phone = log_in(watched(new_page(**PHONE)), PEN_HOLDER)
    office_phone.goto(f"/documents/{document.pk}/")
    assert_clean(office_phone, "document (phone)")
    assert text_of(office_phone, "h1") == VILLAGES_TITLE
    assert_no_horizontal_scroll(office_phone)
    # Versions and rounds read as cards: the last column is on the screen too.
    compare_link = office_phone.locator(
        "table.doc-versions a", has_text=zh("Compare with the previous")
    )
    assert_on_screen(compare_link, PHONE["width"])
    assert_on_screen(office_phone.locator("table.doc-rounds .doc-open"), PHONE["width"])
    office_phone.goto(f"/documents/rounds/{round_.pk}/")
    assert_clean(office_phone, "round (phone)")
    assert_no_horizontal_scroll(office_phone)

    # --- 卓资县's liaison answers on a phone ---------------------------------------------------
    zhuozi = log_in(watched(new_page(**PHONE)), ZHUOZI_LIAISON)
    assert_clean(zhuozi, "home (zhuozi)")
    zhuozi.goto("/documents/")
    assert_clean(zhuozi, "documents (zhuozi)")
    with zhuozi.expect_navigation():
        zhuozi.locator("nav.doc-tabs a", has_text=zh("My opinion requests")).click()
    assert_clean(zhuozi, "inbox")
    assert_no_horizontal_scroll(zhuozi)
    request_row = zhuozi.locator("#inbox-waiting tbody tr", has_text=VILLAGES_TITLE)
    assert request_row.count() == 1
    assert "卓资县" in request_row.inner_text()
    assert round_.deadline.isoformat() in request_row.inner_text()
    # The inbox reads as cards on a phone: the answer button is on the screen.
    assert_on_screen(request_row.locator("a.btn"), PHONE["width"])
    with zhuozi.expect_navigation():
        request_row.locator("a.btn").click()
    assert zhuozi.url.endswith(f"/documents/answers/{zhuozi_ask.pk}/")
    assert_clean(zhuozi, "answer form")
    assert_no_horizontal_scroll(zhuozi)
    # The text consulted on is there to read; the answer's rows are usable on the phone.
    assert "盘活闲置农房和宅基地" in text_of(zhuozi, ".version-body")
    for name in ("opinions-0-location", "opinions-0-text", "opinions-1-text"):
        assert_on_screen(zhuozi.locator(f"[name='{name}']"), PHONE["width"])
    assert_on_screen(zhuozi.locator("#answer-form button[type=submit]"), PHONE["width"])
    zhuozi.fill("[name='opinions-0-location']", CLAUSE)
    zhuozi.fill("[name='opinions-0-text']", OPINION_ON_CLAUSE)
    zhuozi.fill("[name='opinions-1-text']", OPINION_GENERAL)
    assert_no_horizontal_scroll(zhuozi)
    click_and_wait(zhuozi, "#answer-form button[type=submit]")
    assert_clean(zhuozi, "answer sent")
    assert_no_error(zhuozi)
    assert zhuozi.url.endswith(f"/documents/rounds/{round_.pk}/")
    assert zh("Your answer was recorded.") in text_of(zhuozi, ".messages")
    answer = zhuozi.locator(f"#answer-{zhuozi_ask.pk}")
    assert "卓资县" in answer.locator("h3").inner_text()
    shown = answer.locator("li.opinion").all_inner_texts()
    assert len(shown) == 2
    assert CLAUSE in shown[0]
    assert OPINION_ON_CLAUSE in shown[0]
    assert OPINION_GENERAL in shown[1]
    # The county reads its own answer only, and does not decide on it.
    assert zhuozi.locator("#round-parties tbody tr").count() == 1
    assert zhuozi.locator("section.answer").count() == 1
    assert zhuozi.locator("details.decide").count() == 0
    assert zhuozi.locator("#round-urge, #round-close, #adoption-xlsx").count() == 0
    assert_no_horizontal_scroll(zhuozi)
    # Meetings are the bureau's: no tab for the county, and a meeting is not there.
    assert zhuozi.locator("nav.doc-tabs a[href='/documents/meetings/']").count() == 0
    meeting = Meeting.objects.order_by("pk").first()
    response = zhuozi.goto(f"/documents/meetings/{meeting.pk}/")
    assert response.status == 404
    assert meeting.title not in zhuozi.content()
    assert_clean(zhuozi, "meeting (county)", refused=[(404, f"/documents/meetings/{meeting.pk}/")])

    zhuozi_ask.refresh_from_db()
    assert zhuozi_ask.answered_at is not None
    assert not zhuozi_ask.is_late
    on_clause, general = zhuozi_ask.opinions.order_by("position", "pk")
    assert (on_clause.location, on_clause.text) == (CLAUSE, OPINION_ON_CLAUSE)
    assert (general.location, general.text) == ("", OPINION_GENERAL)

    # --- the office sees 卓资县 answered, and handles an opinion -------------------------------
    office.reload()
    assert_clean(office, "round (after 卓资县's answer)")
    assert office.locator(f"#party-{zhuozi_ask.pk} .not-answered").count() == 0
    answered_at = text_of(office, f"#party-{zhuozi_ask.pk} td:nth-child(2)")
    assert answered_at.startswith(zhuozi_ask.answered_at.astimezone().strftime("%Y-%m-%d"))
    assert text_of(office, ".round-counts").startswith(progress_text(round_))
    row = f"#opinion-{on_clause.pk}"
    office.click(f"{row} details.decide > summary")
    office.check(f"{row} input[name=disposition][value={Disposition.PARTLY}]")
    # Partly adopted without a reason: refused, in Chinese, the row comes back (HTMX).
    decide_url = f"/documents/opinions/{on_clause.pk}/decide/"
    with office.expect_response(lambda r: r.url.endswith(decide_url)) as sent:
        office.click(f"{row} form.decide-form button[type=submit]")
    assert sent.value.status == 422
    error = office.locator(f"{row} .errorlist")
    error.first.wait_for()
    assert zh("Say why it was not (fully) adopted.") in error.all_inner_texts()
    assert office.locator(f"{row} input[value={Disposition.PARTLY}]").is_checked()
    on_clause.refresh_from_db()
    assert on_clause.disposition == Disposition.PENDING
    assert_clean(office, "adoption refused", refused=[(422, decide_url)])

    office.fill(f"{row} textarea[name=reason]", PARTLY_REASON)
    with office.expect_response(lambda r: r.url.endswith(decide_url)) as sent:
        office.click(f"{row} form.decide-form button[type=submit]")
    assert sent.value.status == 200
    office.locator(f"{row}.opinion-{Disposition.PARTLY}").wait_for()
    assert text_of(office, f"{row} .disposition-{Disposition.PARTLY}") == zh_label(
        Disposition.PARTLY
    )
    assert PARTLY_REASON in text_of(office, f"{row} .opinion-reason")
    assert office.locator(f"{row} .errorlist").count() == 0
    assert_clean(office, "adoption recorded")
    on_clause.refresh_from_db()
    assert on_clause.disposition == Disposition.PARTLY
    assert on_clause.reason == PARTLY_REASON
    assert on_clause.decided_by.username == PEN_HOLDER
    assert Opinion.objects.get(pk=general.pk).disposition == Disposition.PENDING

    # --- the two versions compared: what version 2 inserted is marked ------------------------
    office.goto(f"/documents/{document.pk}/")
    assert_clean(office, "document (again)")
    with office.expect_navigation():
        office.locator("table.doc-versions a", has_text=zh("Compare with the previous")).click()
    assert_clean(office, "compare")
    first, second = document.versions.order_by("number")
    assert office.url.endswith(f"?a={first.pk}&b={second.pk}")
    comparison = compare_texts(first.text, second.text)
    assert comparison.added > 0
    assert comparison.changed > 0
    with translation.override("zh-hans"):
        added = ngettext("%(n)s paragraph added", "%(n)s paragraphs added", comparison.added)
    assert text_of(office, ".cmp-count-added") == added % {"n": comparison.added}
    inserted = office.locator(".cmp-insert .cmp-new ins", has_text="盘活闲置农房和宅基地")
    assert inserted.count() == 1
    # Highlighted: an inserted paragraph has a background of its own.
    background = inserted.evaluate("(el) => getComputedStyle(el).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent"), background
    # A changed measure marks the words inserted within it (户厕 1.5万 → 2万).
    changed = office.locator(".cmp-replace", has_text="先建后补")
    assert changed.count() >= 1
    assert "先建后补" in " ".join(changed.first.locator(".cmp-new ins").all_inner_texts())
    # The picture: the summary and the first changes of 6 parts, 37 measures.
    page_top = office.evaluate(
        "() => document.querySelector('.cmp').getBoundingClientRect().top + window.scrollY"
    )
    office.screenshot(
        path=screenshot_path("documents-compare.png"),
        full_page=True,
        clip={"x": 0, "y": 0, "width": DESKTOP["width"], "height": page_top + 1100},
    )
    office.set_viewport_size(PHONE)
    assert_no_horizontal_scroll(office)


# --- meetings -------------------------------------------------------------------------------


def test_a_leader_reads_the_meetings_and_cannot_fix_an_empty_agenda(
    new_page, log_in, screenshot_path
):
    collecting = (
        Meeting.objects.filter(status=MeetingStatus.PLANNED).order_by("starts_at", "pk").first()
    )
    assert collecting is not None, "the demo has a meeting still collecting topics"
    closed = (
        Meeting.objects.filter(status=MeetingStatus.CLOSED, topics__task_links__isnull=False)
        .annotate(tasks=Count("topics__task_links"))
        .order_by("-tasks", "-starts_at", "pk")
        .first()
    )
    # The minutes whose decisions made the most tasks: the README's picture.
    assert closed is not None, "the demo has minutes whose decisions became tasks"

    leader = log_in(watched(new_page(**DESKTOP)), "leader")
    assert_clean(leader, "home")
    leader.goto("/documents/")
    assert_clean(leader, "documents")
    with leader.expect_navigation():
        leader.locator("nav.doc-tabs a", has_text=zh("Meetings", "documents navigation")).click()
    assert_clean(leader, "meetings")
    assert leader.locator(f"#meeting-{collecting.pk}").count() == 1
    assert zh_label(MeetingStatus.PLANNED) in text_of(leader, f"#meeting-{collecting.pk}")

    # --- the meeting collecting topics ---------------------------------------------------------
    with leader.expect_navigation():
        leader.locator(f"#meeting-{collecting.pk} td.title a").click()
    assert_clean(leader, "meeting collecting topics")
    assert text_of(leader, "#meeting-title") == collecting.title
    assert text_of(leader, "#meeting-status") == zh_label(MeetingStatus.PLANNED)
    on_agenda = collecting.topics.filter(status=TopicStatus.ON_AGENDA).order_by("position", "pk")
    submitted = collecting.topics.filter(status=TopicStatus.SUBMITTED)
    assert on_agenda.exists()
    assert submitted.exists()
    # The agenda in its order, numbered 议题一、二…
    cards = leader.locator("#agenda-topics > li")
    assert cards.count() == on_agenda.count()
    for position, topic in enumerate(on_agenda):
        assert cards.nth(position).get_attribute("id") == f"topic-{topic.pk}"
        assert topic.title in cards.nth(position).locator("h3").inner_text()
    assert text_of(leader, "#agenda-topics > li:first-child .agenda-no") == "议题一"
    for topic in submitted:
        card = leader.locator(f"#waiting-topics #topic-{topic.pk}")
        assert topic.title in card.inner_text()
        # The leader manages the bureau's meeting: he may put it on the agenda.
        assert card.locator("form.act-approve button").is_visible()
    # A topic still waiting: the agenda cannot be fixed yet (the button is offered, the
    # service says why not).
    assert leader.locator("#meeting-actions form.act-fix_agenda").count() == 1

    # --- a meeting whose minutes were issued: decisions and the tasks made of them ------------
    leader.goto(f"/documents/meetings/{closed.pk}/")
    assert_clean(leader, "closed meeting")
    assert text_of(leader, "#meeting-status") == zh_label(MeetingStatus.CLOSED)
    decided = closed.topics.filter(status=TopicStatus.DECIDED).order_by("position", "pk")
    for topic in decided:
        decision = leader.locator(f"#agenda-topics #topic-{topic.pk} .decision").inner_text()
        assert zh_label(Outcome(topic.outcome)) in decision
        assert topic.decision.splitlines()[0] in decision
    tasks = leader.locator("#agenda-topics ul.created-tasks li")
    assert tasks.count() == closed.tasks
    assert leader.locator("#meeting-actions").count() == 0
    leader.screenshot(path=screenshot_path("documents-meeting.png"), full_page=True)
    # The same minutes on the leader's phone: nothing scrolls sideways.
    phone = log_in(watched(new_page(**PHONE)), "leader")
    phone.goto(f"/documents/meetings/{closed.pk}/")
    assert_clean(phone, "closed meeting (phone)")
    assert phone.locator("#agenda-topics ul.created-tasks li").count() == closed.tasks
    assert_no_horizontal_scroll(phone)
    phone.goto(f"/documents/meetings/{collecting.pk}/")
    assert_clean(phone, "meeting collecting topics (phone)")
    assert_no_horizontal_scroll(phone)

    # --- a meeting planned in the browser, with no topic: its agenda cannot be fixed ----------
    leader.goto("/documents/meetings/")
    click_and_wait(leader, "#plan-meeting")
    assert_clean(leader, "plan a meeting")
    leader.select_option("#id_kind", MeetingKind.PROMOTION)
    starts = collecting.starts_at.astimezone() + datetime.timedelta(days=7)
    leader.fill("#id_starts_at", starts.strftime("%Y-%m-%dT09:00"))
    leader.fill("#id_place", "市农牧局三楼会议室")
    click_and_wait(leader, "form.mt-form button[type=submit]")
    assert_no_error(leader)
    assert_clean(leader, "meeting planned")
    planned = Meeting.objects.order_by("-pk").first()
    assert leader.url.endswith(f"/documents/meetings/{planned.pk}/")
    assert planned.kind == MeetingKind.PROMOTION
    assert planned.status == MeetingStatus.PLANNED
    assert text_of(leader, "#no-agenda") == zh("No topic is on the agenda yet.")
    click_and_wait(leader, "#meeting-actions form.act-fix_agenda button[type=submit]")
    assert_clean(leader, "agenda refused")
    refusal = zh("The meeting has no topic on its agenda: put at least one on it first.")
    assert refusal in leader.locator(".messages li.error").all_inner_texts()
    planned.refresh_from_db()
    assert planned.status == MeetingStatus.PLANNED
    assert text_of(leader, "#meeting-status") == zh_label(MeetingStatus.PLANNED)
