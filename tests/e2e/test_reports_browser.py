"""The dashboards, the bulletins (简报) and the work summary end to end in a real Chromium,
on the Ulanqab demo.

The bureau's leader logs in and lands on the bureau's dashboard: its figures are the
demo's, read from the database through the reports selectors; the plotly charts are drawn
(served by the app, under the strict Content Security Policy); the red measures open the
ledger of exactly those measures; as of a past month end the page says 截至… and shows the
figures of that day.

卓资县's liaison, on a phone, opens their county's dashboard: its figures, its rank among
the counties, nothing of 化德县, no sideways scroll, the charts drawn.

The leader finds a published 信息动态 issue by a word of its text and opens it (第N期);
composes a new issue, drafts a section from a task list's progress (its figures linked to
their records), publishes it as the next number of the year and downloads its .docx.

The work summary of the bureau reads "…76项已完成25项…", every figure counted from the
database and linked to its records.

Four tests (each loads the demo, half a minute); the README's screenshots go to
docs/screenshots/reports-*.png. Labels are compared with the zh-hans catalogue's (`zh`),
so the tests hold however far the translation has got. Every page is watched: no Content
Security Policy violation, no console error, no answer of 400 or more.
"""

import docx
import pytest
from browsing import (
    assert_clean,
    assert_no_error,
    assert_no_horizontal_scroll,
    click_and_wait,
    text_of,
    watched,
)
from django.contrib.auth import get_user_model
from django.db.models import Max
from django.utils import formats, timezone, translation
from django.utils.translation import gettext, pgettext

from zhuanban.org.models import OrgUnit
from zhuanban.reports import generators, selectors, summary
from zhuanban.reports import selectors_bulletins as bulletin_reads
from zhuanban.reports.lifecycle import BulletinStatus
from zhuanban.reports.models import Bulletin, Section, Series
from zhuanban.tasks.lifecycle import Status as TaskStatus
from zhuanban.tasks.models import TaskList
from zhuanban.tasks.scoping import visible_tasks

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

LEADER = "leader"  # 王振华, the bureau's leader (a demo account: no second factor)
COUNTY = "zhuozi"  # 卓资县's liaison
COUNTY_NAME = "卓资县"
OTHER_COUNTY_NAME = "化德县"
NEWS = "信息动态"
BASE_LIST = "乌兰察布市建设重要农畜产品生产加工基地2023年重点任务单"
SEED_MEASURES, SEED_DONE = 76, 25  # the seed's “具体落实措施76项已完成25项”
SEARCHED = "督导检查组"  # in the demo's 信息动态 on supervision (“组成…6个督导检查组”)
NEW_TITLE = "全市重点任务推进情况（浏览器测试）"
CHART_TIMEOUT = 15_000
PUBLISH_TIMEOUT = 60_000  # publishing converts the issue to PDF where LibreOffice is


# --- helpers ------------------------------------------------------------------------------


def zh(text: str, context: str = "") -> str:
    """A msgid as the pages show it (zh-hans), whatever language the test runs in."""
    with translation.override("zh-hans"):
        return pgettext(context, text) if context else gettext(text)


def zh_date(day) -> str:
    with translation.override("zh-hans"):
        return formats.date_format(day, "DATE_FORMAT")


def zh_number(bulletin: Bulletin) -> str:
    with translation.override("zh-hans"):
        return bulletin.number_text


def user(username: str):
    return get_user_model().objects.get(username=username)


def tab(page, label: str):
    """A tab of the reports' sub-navigation, by its exact label."""
    return page.locator("nav.reports-tabs").get_by_role("link", name=zh(label), exact=True)


def figure(page, selector: str) -> str:
    return text_of(page, selector)


def wait_for_charts(page, expected: int) -> list[int]:
    """Every [data-figure] element drawn by plotly (its svg in place); the number of
    marks (bars, funnel segments) each one drew."""
    charts = page.locator("[data-figure]")
    assert charts.count() == expected, (charts.count(), expected)
    marks = []
    for index in range(expected):
        chart = charts.nth(index)
        chart.locator("svg.main-svg").first.wait_for(state="attached", timeout=CHART_TIMEOUT)
        assert "js-plotly-plot" in (chart.get_attribute("class") or "")
        marks.append(chart.locator("g.point path").count())
    return marks


def docx_text(path) -> str:
    """Every run of text in the document's body (paragraphs and tables, in order)."""
    document = docx.Document(str(path))
    namespace = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}t"
    return "".join(node.text or "" for node in document.element.body.iter(namespace))


# --- 1. the leader's dashboard: figures, charts, a drill-down, as of a month end ------------


def test_the_leader_lands_on_the_dashboard_and_drills_down_and_goes_back_a_month(
    new_page, log_in, screenshot_path
):
    leader = user(LEADER)
    bureau = selectors.DashboardScope(selectors.BUREAU)
    dash = selectors.build_dashboard(leader, bureau)
    charts = selectors.charts(dash)
    counts = dash.tasks.counts
    assert counts["red"] > 0, "the demo has overdue measures"
    assert counts["red"] <= 100, "one page of the ledger holds them"
    ends = selectors.month_ends(leader)
    assert ends, "the demo has past month ends to look back at"
    month_end = ends[0]
    past = selectors.build_dashboard(leader, bureau, month_end)
    assert past.tasks.counts["total"] != counts["total"]

    page = log_in(watched(new_page(**DESKTOP)), LEADER)
    # Leaders land on the bureau's dashboard.
    assert page.url.endswith("/reports/"), page.url
    marks = wait_for_charts(page, len(charts))
    assert all(n > 0 for n in marks), marks
    assert_clean(page, "dashboard")
    assert text_of(page, "h1") == zh("The bureau's dashboard")
    assert text_of(page, "#as-of").startswith(zh("Today, %(date)s") % {"date": zh_date(dash.today)})

    # --- the figures, as the selectors count them ------------------------------------------
    for light in ("total", "closed", "red", "yellow", "green"):
        assert figure(page, f"#tasks-{light}") == str(counts[light]), light
    rows = page.locator("#tasks-by-county tbody tr")
    assert rows.count() == len(dash.tasks.by_county)
    for row, expected in zip(rows.all(), dash.tasks.by_county, strict=True):
        cells = row.locator("td").all_inner_texts()
        assert cells == [
            str(expected[key]) for key in ("total", "closed", "red", "yellow", "green")
        ], expected["name"]
    indicators = page.locator("#indicator-table tbody tr")
    assert indicators.count() == len(dash.indicators)
    for row, line in zip(indicators.all(), dash.indicators, strict=True):
        assert line.name in text_of(row, "th")
    supervision = dash.supervision
    assert figure(page, "#notices") == str(supervision.notices)
    assert figure(page, "#rect-open") == str(supervision.open)
    assert figure(page, "#rect-overdue") == str(supervision.overdue)
    assert figure(page, "#brand-licensed") == str(dash.brand.licensed)
    investment = dash.investment
    assert figure(page, "#activities") == str(investment.activities)
    assert figure(page, "#projects") == str(investment.projects)
    assert figure(page, "#projects-red") == str(investment.lights["red"]["count"])
    funnel = page.locator("#funnel-table tbody tr td:nth-child(2)").all_inner_texts()
    assert funnel == [str(stage["reached"]) for stage in investment.stages]
    # Every office's and county's dashboard is a link away.
    assert page.locator("#office-links a").count() == len(dash.offices)
    assert page.locator("#county-links a").count() == len(dash.counties)
    page.screenshot(path=screenshot_path("reports-dashboard.png"), full_page=True)

    # --- the red measures open the ledger of exactly those --------------------------------
    with page.expect_navigation():
        page.click("#tasks-red")
    assert_clean(page, "ledger of the red measures")
    assert "/tasks/?" in page.url, page.url
    assert "light=red" in page.url, page.url
    assert page.locator("#ledger tbody tr").count() == counts["red"]
    assert text_of(page, "#ledger-counts span:first-child strong") == str(counts["red"])

    # --- as of a past month end: 截至…, that day's figures ---------------------------------
    page.go_back()
    wait_for_charts(page, len(charts))
    assert_clean(page, "dashboard, again")
    offered = page.locator("#dash-as-of option").evaluate_all("(os) => os.map((o) => o.value)")
    assert offered == ["", *[day.isoformat() for day in ends]]
    with page.expect_navigation():
        page.select_option("#dash-as-of", month_end.isoformat())  # submits itself
    assert f"as_of={month_end.isoformat()}" in page.url, page.url
    past_marks = wait_for_charts(page, len(selectors.charts(past)))
    assert all(n > 0 for n in past_marks), past_marks
    assert_clean(page, "dashboard as of a month end")
    as_of = zh("As of %(date)s") % {"date": zh_date(month_end)}
    assert text_of(page, "#as-of").startswith(as_of)
    assert as_of.startswith("截至")  # the catalogue has it already (from the dispatch pages)
    for light in ("total", "closed", "red", "yellow", "green"):
        assert figure(page, f"#tasks-{light}") == str(past.tasks.counts[light]), light
    assert figure(page, "#notices") == str(past.supervision.notices)
    assert figure(page, "#activities") == str(past.investment.activities)
    assert page.locator("#dash-as-of").input_value() == month_end.isoformat()


# --- 2. a county's liaison on a phone: their county's dashboard, its rank -------------------


def test_the_county_liaison_reads_the_county_dashboard_on_a_phone(
    new_page, log_in, screenshot_path
):
    liaison = user(COUNTY)
    county = OrgUnit.objects.counties().get(name=COUNTY_NAME)
    scope = selectors.DashboardScope(selectors.COUNTY, county)
    dash = selectors.build_dashboard(liaison, scope)
    charts = selectors.charts(dash)
    assert charts, "the county's dashboard has charts"
    assessment = dash.assessment
    assert assessment is not None
    assert assessment.own_rank is not None
    others = list(OrgUnit.objects.counties().exclude(pk=county.pk).values_list("name", flat=True))
    assert OTHER_COUNTY_NAME in others

    page = log_in(watched(new_page(**PHONE)), COUNTY)
    assert_clean(page, "home (county)")
    page.goto("/reports/")
    # A county's person is sent on to their county's dashboard.
    assert page.url.endswith(f"/reports/county/{county.pk}/"), page.url
    marks = wait_for_charts(page, len(charts))
    assert all(n > 0 for n in marks), marks
    assert_clean(page, "county dashboard (phone)")
    assert COUNTY_NAME in text_of(page, "h1")

    counts = dash.tasks.counts
    for light in ("total", "closed", "red", "yellow", "green"):
        assert figure(page, f"#tasks-{light}") == str(counts[light]), light
    # Its place among the counties, with no other county's figures.
    rank = zh("Rank %(rank)s of %(count)s") % {
        "rank": assessment.own_rank,
        "count": assessment.participants,
    }
    assert text_of(page, "#assessment-rank") == rank
    ranked = [line for line in dash.indicators if line.rank]
    assert ranked, "卓资县 has a rank on an indicator"
    table = text_of(page, "#indicator-table")
    for line in ranked:
        assert zh("Rank %(rank)s of %(count)s") % {"rank": line.rank, "count": line.ranked} in table
    html = page.locator("main").inner_html()
    for name in others:
        assert name not in html, name
    assert page.locator("#county-links, #office-links").count() == 0
    assert page.locator("#tasks-by-county tbody th").all_inner_texts() == [COUNTY_NAME]
    assert figure(page, "#projects") == str(dash.investment.projects)

    assert_no_horizontal_scroll(page)
    # The charts stay within the screen's width.
    for box in page.locator("[data-figure]").evaluate_all(
        "(els) => els.map((el) => el.getBoundingClientRect().right)"
    ):
        assert box <= PHONE["width"], box
    page.screenshot(path=screenshot_path("reports-dashboard-phone.png"), full_page=True)

    # Nor is 化德县's dashboard there by its address.
    other = OrgUnit.objects.counties().get(name=OTHER_COUNTY_NAME)
    response = page.goto(f"/reports/county/{other.pk}/")
    assert response.status == 404
    assert_clean(page, "化德县's dashboard", refused=[(404, f"/reports/county/{other.pk}/")])


# --- 3. bulletins: find a published issue, compose, draft from data, publish, download ------


def test_the_leader_finds_an_issue_and_publishes_the_next_one_drafted_from_data(
    new_page, log_in, screenshot_path, tmp_path
):
    leader = user(LEADER)
    today = timezone.localdate()
    news = Series.objects.get(name=NEWS)
    found = list(bulletin_reads.published_issues(leader, words=[SEARCHED]))
    assert found, f"a published issue says {SEARCHED}"
    opened = found[0]
    base_list = TaskList.objects.get(title=BASE_LIST, year=today.year)
    latest = Bulletin.objects.filter(
        series=news, year=today.year, status=BulletinStatus.PUBLISHED
    ).aggregate(n=Max("number"))["n"]
    next_number = (latest or 0) + 1

    page = log_in(watched(new_page(**DESKTOP)), LEADER)
    assert page.url.endswith("/reports/"), page.url
    assert_clean(page, "dashboard (leader)")
    with page.expect_navigation():
        tab(page, "Bulletins").click()
    assert_clean(page, "bulletins")
    assert page.url.endswith("/reports/bulletins/")

    # --- found by a word of its text ------------------------------------------------------
    page.fill("#id_q", SEARCHED)
    click_and_wait(page, "form.bul-filters button[type=submit]")
    assert_clean(page, "bulletins: searched")
    titles = page.locator("#bulletins tbody a.bul-title").all_inner_texts()
    assert titles == [issue.title for issue in found]
    assert page.locator("#bulletins tbody mark").first.inner_text() == SEARCHED
    with page.expect_navigation():
        page.locator("#bulletins tbody a.bul-title", has_text=opened.title).first.click()
    assert_clean(page, "a published issue")
    assert page.url.endswith(f"/reports/bulletins/{opened.pk}/")
    assert text_of(page, "#bul-title") == opened.title
    assert text_of(page, ".bul-series") == opened.series.name
    assert text_of(page, "#issue-number") == zh_number(opened)
    assert SEARCHED in text_of(page, "article.bul-paper")

    # --- a new issue of 信息动态 ---------------------------------------------------------------
    page.goto("/reports/bulletins/")
    click_and_wait(page, ".bul-head a.btn")
    assert_clean(page, "new issue")
    before = set(Bulletin.objects.values_list("pk", flat=True))
    page.select_option("#id_series", str(news.pk))
    page.fill("#id_title", NEW_TITLE)
    click_and_wait(page, "form.bul-form button[type=submit]")
    assert_clean(page, "editor")
    assert_no_error(page)
    bulletin = Bulletin.objects.exclude(pk__in=before).get()
    assert (bulletin.series, bulletin.title, bulletin.status) == (
        news,
        NEW_TITLE,
        BulletinStatus.DRAFT,
    )
    assert bulletin.number is None
    assert page.url.endswith(f"/reports/bulletins/{bulletin.pk}/edit/"), page.url

    # --- a section drafted from the base's task list --------------------------------------
    expected = generators.generate(
        "task_progress", user=leader, params={"task_list": base_list.pk}, as_of=today
    )
    assert expected.links
    page.select_option("#id_gen-source", "task_progress")
    assert page.locator("#draft-from-data [data-param=task_list]").is_visible()
    assert page.locator("#draft-from-data [data-param=round]").is_hidden()
    page.select_option("#id_gen-task_list", str(base_list.pk))
    assert page.locator("#id_gen-as_of").input_value() == today.isoformat()
    click_and_wait(page, "#draft-from-data button[type=submit]")
    assert_clean(page, "section drafted")
    assert_no_error(page)
    section = Section.objects.get(bulletin=bulletin)
    assert section.source == "task_progress"
    assert page.url.endswith(f"/reports/bulletins/{bulletin.pk}/edit/#section-{section.pk}")
    assert page.locator(f"#id_s{section.pk}-heading").input_value() == expected.heading
    assert page.locator(f"#id_s{section.pk}-body").input_value() == expected.body
    # Each figure with the link to the records behind it.
    links = page.locator(f"#sources-{section.pk} .bul-links a")
    assert links.all_inner_texts() == [link.label for link in expected.links]
    assert links.evaluate_all("(as) => as.map((a) => a.getAttribute('href'))") == [
        link.url for link in expected.links
    ]
    for link in expected.links:
        assert link.label in expected.body
    page.screenshot(path=screenshot_path("reports-bulletin-editor.png"), full_page=True)

    # --- published: the next number of the year ---------------------------------------------
    assert page.locator("#id_pub-issue_date").input_value() == today.isoformat()
    with page.expect_navigation(timeout=PUBLISH_TIMEOUT):
        page.click("#publish button[type=submit]")
    assert_clean(page, "published")
    assert_no_error(page)
    bulletin.refresh_from_db()
    assert bulletin.status == BulletinStatus.PUBLISHED
    assert (bulletin.year, bulletin.number, bulletin.issue_date) == (
        today.year,
        next_number,
        today,
    )
    assert page.url.endswith(f"/reports/bulletins/{bulletin.pk}/"), page.url
    assert text_of(page, "#issue-number") == zh_number(bulletin)
    assert f"第{next_number}期" in text_of(page, "#issue-number")
    assert text_of(page, ".messages") == zh("Published as %(series)s %(number)s.") % {
        "series": NEWS,
        "number": zh_number(bulletin),
    }
    assert text_of(page, "#bul-title") == NEW_TITLE
    assert text_of(page, f"#text-{section.pk} .bul-section-heading") == expected.heading
    page.screenshot(path=screenshot_path("reports-bulletin.png"), full_page=True)
    # The editor is closed to a published issue.
    assert page.locator("#draft-note").count() == 0

    # --- its .docx, in the bulletin format ------------------------------------------------
    with page.expect_download() as download:
        page.click("#downloads a[href$='/docx/']")
    assert download.value.failure() is None
    name = f"{NEWS}{today.year}年第{next_number}期.docx"
    assert download.value.suggested_filename == name
    path = tmp_path / "issue.docx"
    download.value.save_as(path)
    text = docx_text(path)
    assert NEWS in text
    assert f"第{next_number}期" in text
    assert NEW_TITLE in text
    assert expected.links[0].label in text
    assert_clean(page, "downloaded")


# --- 4. the work summary of the bureau -------------------------------------------------------


def test_the_work_summary_counts_the_seed_figures_from_the_data(new_page, log_in, screenshot_path):
    leader = user(LEADER)
    today = timezone.localdate()
    measures = (
        visible_tasks(leader)
        .leaves()
        .filter(task_list__title=BASE_LIST, task_list__year=today.year)
    )
    total = measures.count()
    done = measures.filter(status=TaskStatus.CLOSED).count()
    assert (total, done) == (SEED_MEASURES, SEED_DONE)
    draft = summary.work_summary(leader, unit=None, as_of=today)

    page = log_in(watched(new_page(**DESKTOP)), LEADER)
    assert_clean(page, "dashboard (leader)")
    with page.expect_navigation():
        tab(page, "Work summary").click()
    assert_clean(page, "work summary")
    assert page.url.endswith("/reports/summary/"), page.url
    assert page.locator("#summary-form #id_as_of").input_value() == today.isoformat()
    assert page.locator("#summary-form #id_scope").input_value() == "bureau"

    text = text_of(page, "#summary-text")
    assert text_of(page, "#summary-text h2") == draft.heading
    assert f"{total}项已完成{done}项" in text
    shown = page.locator("#summary-text p").all_inner_texts()
    assert [p.strip() for p in shown] == [p.strip() for p in draft.body.split("\n\n")]
    # Every figure links to its records, in the order the text gives them.
    figures = page.locator("#summary-text a.sum-figure")
    assert figures.all_inner_texts() == [link.label for link in draft.links]
    assert f"{total}项" in figures.all_inner_texts()
    assert f"已完成{done}项" in figures.all_inner_texts()
    page.screenshot(path=screenshot_path("reports-summary.png"), full_page=True)

    # 76项 opens the list's measures; 已完成25项 the closed ones.
    with page.expect_navigation():
        figures.filter(has_text=f"{total}项").first.click()
    assert_clean(page, "the list's measures")
    assert text_of(page, "#ledger-counts span:first-child strong") == str(total)
    page.go_back()
    with page.expect_navigation():
        page.locator("#summary-text a.sum-figure", has_text=f"已完成{done}项").first.click()
    assert_clean(page, "the list's closed measures")
    assert text_of(page, "#ledger-counts span:first-child strong") == str(done)
