"""The investment pipeline (招商引资) end to end in a real Chromium, on the Ulanqab demo.

The investment office's director opens 招商 from the main navigation: the pipeline shows
the funnel by stage (the demo's counts, read from the database through the selectors),
the 76 planned key projects and "开展招商引资活动 120 次，招引项目 104 个"; the red light
opens the projects past their stage's time limit; one of them shows its stage clock (days
in the stage, the limit, the due date), and ticked on the list it goes into a draft
supervision notice that names it.

卓资县's liaison moves one of the county's projects on from 洽谈 to 签约 with the day and the
signed agreement (a small PDF), and finds the change and the file on the timeline; moving
it back without a reason is refused in Chinese, by field, and nothing changes; no project
of 化德县 is on the liaison's list, nor there by its address.

The bureau's leader reads the upward applications (向上争取): the year's totals and the
potato chain's "同比增加25%"; downloads the 向上争取政策项目清单调度台账 and finds its
title in it. On a phone, the pipeline and a project's page do not scroll sideways.

Three tests (each loads the demo, half a minute); the README's screenshots go to
docs/screenshots/investment-*.png. Labels are compared with the zh-hans catalogue's
(`zh`), so the test holds however far the translation has got. Every page is watched: no
Content Security Policy violation, no console error, no answer of 400 or more but the
refusals the test provokes.
"""

import datetime

import openpyxl
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
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext, pgettext

from zhuanban.demo.brand_data import pdf_bytes
from zhuanban.investment import scoping, selectors
from zhuanban.investment.lifecycle import PIPELINE, Stage
from zhuanban.investment.models import (
    EventKind,
    Project,
    ProjectEvent,
    UpwardApplication,
    clocks_by_stage,
)
from zhuanban.investment.selectors import ProjectFilter
from zhuanban.investment.selectors_upward import yoy_text
from zhuanban.investment.templatetags.investment_tags import wan, yi
from zhuanban.supervision.lifecycle import NoticeStatus
from zhuanban.supervision.models import Notice
from zhuanban.tasks.models import Light

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}

OFFICE = "invest-dir"  # the investment office's director
COUNTY = "zhuozi"  # 卓资县's liaison
COUNTY_NAME = "卓资县"
OTHER_COUNTY_NAME = "化德县"
LEADER = "leader"  # 王振华, the bureau's leader (a demo account: no second factor)
POTATO = "马铃薯产业链"
KEY_PROJECTS = 76  # the seed's “重点项目76个”
ACTIVITIES, ATTRACTED = 120, 104  # “开展招商引资活动120次,招引项目104个”
SEED_GROWTH = "同比增加25"  # “马铃薯产业发展支持资金同比增加25%”
AGREEMENT = "投资协议（浏览器测试）.pdf"


# --- helpers ------------------------------------------------------------------------------


def zh(text: str, context: str = "") -> str:
    """A msgid as the pages show it (zh-hans), whatever language the test runs in."""
    with translation.override("zh-hans"):
        return pgettext(context, text) if context else gettext(text)


def zh_plural(singular: str, plural: str, count: int) -> str:
    with translation.override("zh-hans"):
        return ngettext(singular, plural, count)


def zh_label(choice) -> str:
    with translation.override("zh-hans"):
        return str(choice.label)


def zh_amount(filter_, value) -> str:
    with translation.override("zh-hans"):
        return filter_(value)


def user(username: str):
    return get_user_model().objects.get(username=username)


def pairs(page, selector: str) -> dict[str, str]:
    """A <dl> of figures as {term: the texts of its descriptions}."""
    return page.evaluate(
        """(selector) => Object.fromEntries(
          [...document.querySelectorAll(`${selector} > div`)].map((div) => [
            div.querySelector("dt").innerText.trim(),
            [...div.querySelectorAll("dd")].map((dd) => dd.innerText.trim()).join(" | "),
          ]))""",
        selector,
    )


def clock_facts(page) -> dict[str, str]:
    """The stage clock's <dl class=pairs>: {term: description}."""
    return page.evaluate(
        """() => {
          const out = {};
          for (const dt of document.querySelectorAll("#clock dl dt")) {
            out[dt.innerText.trim()] = dt.nextElementSibling.innerText.trim();
          }
          return out;
        }"""
    )


def open_from_main_navigation(page, where: str):
    with page.expect_navigation():
        page.locator("nav.mainnav").get_by_role("link", name=zh("Investment"), exact=True).click()
    assert_clean(page, f"pipeline ({where})")
    assert page.url.endswith("/investment/"), page.url


def tab(page, label: str):
    """A tab of the investment pages' sub-navigation, by its exact label."""
    return page.locator("nav.investment-tabs").get_by_role("link", name=zh(label), exact=True)


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


# --- 1. the investment office: the pipeline, a red project, a supervision notice --------------


def test_the_office_reads_the_pipeline_and_puts_a_red_project_into_a_notice(
    new_page, log_in, screenshot_path
):
    office_user = user(OFFICE)
    assert scoping.is_investment_staff(office_user)
    today = timezone.localdate()
    year = today.year
    funnel = selectors.funnel(office_user, year=year)
    key = selectors.funnel(office_user, year=year, key_only=True)
    figures = selectors.pipeline_figures(office_user, year=year)
    lights = selectors.light_counts(office_user, year=year)
    activities = selectors.activity_summary(office_user, year=year)
    assert figures.key == key.total == KEY_PROJECTS
    assert (activities.activities, activities.projects) == (ACTIVITIES, ATTRACTED)
    red = list(selectors.project_list(office_user, ProjectFilter(year=year, light=Light.RED)))
    assert red, "the demo has projects past their stage's time limit"

    page = log_in(watched(new_page(**DESKTOP)), OFFICE)
    assert_clean(page, "home (office)")
    open_from_main_navigation(page, "office")

    # --- the pipeline's figures and lights ------------------------------------------------
    assert text_of(page, "h1") == zh("The investment promotion pipeline, %(year)s") % {"year": year}
    shown = pairs(page, "#figures")
    assert shown[zh("Projects")] == str(figures.projects)
    assert shown[zh("Key projects")] == str(KEY_PROJECTS)
    assert shown[zh("Signed or further")] == str(figures.signed_or_later)
    planned = shown[zh("Planned investment")]
    assert zh_amount(yi, figures.planned) in planned
    assert zh_amount(wan, figures.planned) in planned
    assert shown[zh("Funds in place")] == zh_amount(wan, figures.received)
    for light in (Light.RED, Light.YELLOW, Light.GREEN, Light.GREY):
        item = page.locator("#lights li", has=page.locator(f".light-{light}"))
        assert text_of(item, "strong") == str(lights[light]), light

    # --- the funnel: reached each stage or further, and at the stage now -------------------
    reached = dict(funnel.reached())
    assert reached[Stage.SIGNED] == figures.signed_or_later
    for stage in PIPELINE:
        row = page.locator(f"#funnel .pj-funnel-row.stage-{stage}")
        assert text_of(row, ".pj-funnel-label") == zh_label(Stage(stage))
        assert text_of(row, ".pj-reached") == str(reached[stage]), stage
        assert text_of(row, ".pj-now") == str(funnel.stages.get(stage, 0)), stage
    assert text_of(page, "#dropped a") == str(funnel.stages.get(Stage.DROPPED, 0))
    # Wider bars for the stages more projects reached, none wider than the first.
    widths = page.evaluate(
        """() => [...document.querySelectorAll("#funnel .pj-bar")]
          .map((bar) => bar.getBoundingClientRect().width)"""
    )
    assert widths == sorted(widths, reverse=True), widths
    assert widths[-1] > 0

    # --- the 76 key projects, and the activities' card ------------------------------------
    heading = zh_plural(
        "%(counter)s key project planned", "%(counter)s key projects planned", KEY_PROJECTS
    )
    assert text_of(page, "#key-projects h2") == heading % {"counter": KEY_PROJECTS}
    assert text_of(page, "#key-by-chain tfoot td:last-child") == str(KEY_PROJECTS)
    key_rows = page.locator("#key-by-chain tbody tr")
    assert key_rows.count() == len(key.by_chain)
    for shown_row, row in zip(key_rows.all(), key.by_chain, strict=True):
        assert text_of(shown_row, "th") == row.key.name
        assert text_of(shown_row, "td:last-child") == str(row.total)
    card = text_of(page, "#activities-card .pj-card-figure")
    assert card == zh(
        "%(activities)s promotion activities held, %(projects)s projects attracted"
    ) % {
        "activities": ACTIVITIES,
        "projects": ATTRACTED,
    }
    assert card == "开展招商引资活动 120 次，招引项目 104 个"
    page.screenshot(path=screenshot_path("investment-pipeline.png"), full_page=True)

    # --- the red light: the projects past their stage's time limit -------------------------
    with page.expect_navigation():
        page.locator("#lights a", has=page.locator(".light-red")).click()
    assert_clean(page, "projects: red")
    assert "light=red" in page.url
    matches = zh_plural("%(counter)s project matches.", "%(counter)s projects match.", len(red))
    assert text_of(page, "#match-count") == matches % {"counter": len(red)}
    rows = page.locator("#projects tbody tr")
    assert rows.count() == len(red)
    assert [text.strip() for text in page.locator("#projects td.pj-name a").all_inner_texts()] == [
        p.name for p in red
    ]
    for label in page.locator("#projects tbody .light").all_inner_texts():
        assert label == zh_label(Light.RED)
    screenshot_down_to(
        page, screenshot_path("investment-projects.png"), "#notice-form", DESKTOP["width"]
    )

    # --- one red project: its clock ---------------------------------------------------------
    project = red[0]
    clock = clocks_by_stage()[project.stage]
    days = (today - project.stage_since).days
    assert days > clock.limit_days
    with page.expect_navigation():
        page.locator("#projects td.pj-name a", has_text=project.name).click()
    assert_clean(page, "red project")
    assert page.url.endswith(f"/investment/projects/{project.pk}/")
    assert text_of(page, "h1") == project.name
    assert text_of(page, ".pj-title .light") == zh_label(Light.RED)
    assert text_of(page, ".stage-path li[aria-current=step]").startswith(
        zh_label(Stage(project.stage))
    )
    facts = clock_facts(page)
    assert facts[zh("Light")] == zh_label(Light.RED)
    assert facts[zh("Days in this stage")].split()[0] == str(days)
    assert project.stage_since.isoformat() in facts[zh("Days in this stage")]
    limit = facts[zh("Time limit")]
    assert (
        zh_plural("%(counter)s day", "%(counter)s days", clock.limit_days)
        % {"counter": clock.limit_days}
        in limit
    )
    assert project.due_on(clocks_by_stage()).isoformat() in limit
    assert text_of(page, "#funds .pj-funds-figure").endswith(
        zh_amount(wan, project.planned_investment)
    )
    page.screenshot(path=screenshot_path("investment-project.png"), full_page=True)

    # --- back on the list, ticked into a supervision notice --------------------------------
    page.go_back()
    assert_clean(page, "projects: red, again")
    assert "light=red" in page.url
    notices_before = set(Notice.objects.values_list("pk", flat=True))
    page.check(f"#pick-{project.pk}")
    click_and_wait(page, "#notice-button")
    assert_clean(page, "notice draft")
    notice = Notice.objects.exclude(pk__in=notices_before).get()
    assert notice.status == NoticeStatus.DRAFT
    assert notice.office_id == scoping.investment_office_id()
    assert page.url.endswith(f"/supervision/notices/{notice.pk}/"), page.url
    made = zh_plural(
        "A draft supervision notice was made with %(n)s project: check it and issue it.",
        "A draft supervision notice was made with %(n)s projects: check them and issue it.",
        1,
    )
    assert text_of(page, ".messages") == made % {"n": 1}
    assert text_of(page, "#notice-status") == zh("Draft", "notice status")
    assert project.county.name in text_of(page, ".doc-addressees")
    reason = page.locator(".doc-reason")
    assert reason.count() == 1
    assert project.name in reason.inner_text()
    assert str(days) in reason.inner_text()
    texts = [r.text for r in notice.reasons.all()]
    assert len(texts) == 1
    assert project.name in texts[0]
    assert texts[0] in reason.inner_text()
    # On the project's timeline: put into the notice, linked to it.
    event = ProjectEvent.objects.get(project=project, kind=EventKind.NOTICE)
    assert event.notice == notice
    page.goto(f"/investment/projects/{project.pk}/")
    assert_clean(page, "red project after the notice")
    first = page.locator("#timeline li").first
    assert text_of(first, "strong") == zh_label(EventKind.NOTICE)
    assert first.locator(f"a[href='/supervision/notices/{notice.pk}/']").count() == 1


# --- 2. a county's liaison: a stage forward with its evidence, a refused step back ----------


def test_the_county_moves_its_project_on_with_evidence_and_is_refused_a_step_back(new_page, log_in):
    county_user = user(COUNTY)
    today = timezone.localdate()
    visible = scoping.visible_projects(county_user)
    assert visible.exists()
    assert set(visible.values_list("county__name", flat=True)) == {COUNTY_NAME}
    project = (
        visible.filter(stage=Stage.NEGOTIATING)
        .select_related("county")
        .order_by("stage_since", "name")
        .first()
    )
    assert project is not None, "卓资县 has a project in negotiation"
    assert clocks_by_stage()[Stage.SIGNED].evidence_required
    signed_on = max(project.stage_since, today - datetime.timedelta(days=1))
    other = Project.objects.filter(county__name=OTHER_COUNTY_NAME).order_by("pk").first()
    assert other is not None

    page = log_in(watched(new_page(**DESKTOP)), COUNTY)
    assert_clean(page, "home (county)")
    open_from_main_navigation(page, "county")
    # The county's own pipeline: its projects only.
    assert pairs(page, "#figures")[zh("Projects")] == str(visible.count())

    # --- the list: 卓资县's projects, none of 化德县 ------------------------------------------
    with page.expect_navigation():
        tab(page, "Projects").click()
    assert_clean(page, "projects (county)")
    rows = page.locator("#projects tbody tr")
    assert rows.count() == visible.count()
    # The county is the second column (no box to tick before the name: that is the office's).
    shown = page.locator("#projects tbody td:nth-child(2)").all_inner_texts()
    assert set(shown) == {COUNTY_NAME}, shown
    listed = page.locator("#projects td.pj-name a").all_inner_texts()
    assert sorted(listed) == sorted(visible.values_list("name", flat=True))
    table = text_of(page, "#projects")
    assert OTHER_COUNTY_NAME not in table
    for name in Project.objects.filter(county__name=OTHER_COUNTY_NAME).values_list(
        "name", flat=True
    ):
        assert name not in listed
    # No supervision notice from the list: that is the office's.
    assert page.locator("#notice-form").count() == 0
    # Nor is a project of 化德县 there by its address.
    response = page.goto(f"/investment/projects/{other.pk}/")
    assert response.status == 404
    assert other.name not in page.content()
    assert_clean(page, "化德县's project", refused=[(404, f"/investment/projects/{other.pk}/")])

    # --- on to 签约, with the day and the signed agreement ---------------------------------
    page.goto("/investment/projects/")
    with page.expect_navigation():
        page.locator("#projects td.pj-name a", has_text=project.name).click()
    assert_clean(page, "project (county)")
    assert text_of(page, "h1") == project.name
    move = page.locator("form#move")
    assert move.locator("#id_move-to_stage").input_value() == Stage.SIGNED  # the next one on
    move.locator("#id_move-to_stage").select_option(Stage.SIGNED)
    move.locator("#id_move-on").fill(signed_on.isoformat())
    move.locator("#id_move-evidence").set_input_files(
        files=[
            {
                "name": AGREEMENT,
                "mimeType": "application/pdf",
                "buffer": pdf_bytes(["Investment agreement", project.name.encode().hex()[:40]]),
            }
        ]
    )
    click_and_wait(page, "form#move button[type=submit]")
    assert_clean(page, "moved on")
    assert_no_error(page)
    assert page.url.endswith(f"/investment/projects/{project.pk}/")
    project.refresh_from_db()
    assert (project.stage, project.signed_on) == (Stage.SIGNED, signed_on)
    moved = zh("%(project)s is now at %(stage)s.") % {
        "project": project.name,
        "stage": zh_label(Stage.SIGNED),
    }
    assert text_of(page, ".messages") == moved
    assert text_of(page, ".stage-path li[aria-current=step]") == (
        f"{zh_label(Stage.SIGNED)} {signed_on.isoformat()}"
    )
    # On the timeline, newest first: the change, its day, who, and the agreement.
    event = ProjectEvent.objects.filter(project=project, kind=EventKind.STAGE).latest("pk")
    stored = list(event.evidence.all())
    assert [f.name for f in stored] == [AGREEMENT]
    first = page.locator("#timeline li").first
    assert text_of(first, "strong") == zh_label(EventKind.STAGE)
    entry = first.inner_text()
    assert f"{zh_label(Stage.NEGOTIATING)} → {zh_label(Stage.SIGNED)}" in entry
    assert signed_on.isoformat() in entry
    assert county_user.get_full_name() in entry
    link = first.locator(".pj-evidence a")
    assert link.inner_text().strip() == AGREEMENT
    assert link.get_attribute("href") == f"/investment/evidence/{event.pk}/{stored[0].pk}/"
    # The agreement downloads for whoever sees the project.
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == AGREEMENT
    assert download.value.failure() is None

    # --- back to 洽谈 without a reason: refused, in Chinese, nothing changed ---------------
    version = Project.objects.get(pk=project.pk).version
    events = ProjectEvent.objects.filter(project=project).count()
    move = page.locator("form#move")
    move.locator("#id_move-to_stage").select_option(Stage.NEGOTIATING)
    assert move.locator("#id_move-reason").input_value() == ""
    with page.expect_navigation():
        move.locator("button[type=submit]").click()
    assert_clean(
        page, "step back refused", refused=[(422, f"/investment/projects/{project.pk}/move/")]
    )
    errors = page.locator("form#move .field-reason .errorlist").all_inner_texts()
    assert errors == [zh("Say why the project goes back to an earlier stage.")]
    assert errors == ["请说明项目退回前一阶段的原因。"]
    # What was chosen is still there to correct.
    assert page.locator("form#move #id_move-to_stage").input_value() == Stage.NEGOTIATING
    project.refresh_from_db()
    assert (project.stage, project.version) == (Stage.SIGNED, version)
    assert ProjectEvent.objects.filter(project=project).count() == events


# --- 3. the leader: upward funding, its ledger, the pipeline on a phone ---------------------


def test_the_leader_reads_the_upward_funding_and_its_ledger_and_the_pipeline_on_a_phone(
    new_page, log_in, screenshot_path, tmp_path
):
    leader = user(LEADER)
    today = timezone.localdate()
    totals = selectors.upward_totals(leader)
    this_year = next(t for t in totals if t.year == today.year)
    potato = next(
        row for row in selectors.upward_by_chain(leader, today.year) if row["chain"].name == POTATO
    )
    with translation.override("zh-hans"):
        year_change = yoy_text(this_year.growth)
        potato_change = yoy_text(potato["growth"])
    assert SEED_GROWTH in potato_change
    assert SEED_GROWTH in year_change

    page = log_in(watched(new_page(**DESKTOP)), LEADER)
    assert_clean(page, "home (leader)")
    open_from_main_navigation(page, "leader")
    with page.expect_navigation():
        tab(page, "Upward applications").click()
    assert_clean(page, "upward applications")
    assert page.url.endswith("/investment/upward/")

    # --- the year's totals and their change on the year before -----------------------------
    figures = pairs(page, "#year-figures")
    assert figures[zh("Applications", "upward")] == str(this_year.applications)
    assert figures[zh("Approved", "upward")] == str(this_year.approved)
    assert figures[zh("Requested", "upward")] == zh_amount(wan, this_year.requested)
    assert figures[zh("Granted", "upward")] == (
        f"{zh_amount(wan, this_year.granted)} | {year_change}"
    )
    for total in totals:
        row = page.locator(f"#totals #year-{total.year}")
        assert zh_amount(wan, total.granted) in row.inner_text()
    # The potato chain: granted this year and last, “同比增加25%”.
    row = page.locator(f"#by-chain #chain-{potato['chain'].code}")
    assert text_of(row, "td:first-child") == POTATO
    assert zh_amount(wan, potato["this"]) in row.inner_text()
    assert zh_amount(wan, potato["last"]) in row.inner_text()
    assert text_of(row, ".up-yoy") == potato_change
    assert SEED_GROWTH in text_of(row, ".up-yoy")
    assert page.locator("#upward-table tbody tr").count() == this_year.applications
    page.screenshot(path=screenshot_path("investment-upward.png"), full_page=True)

    # --- the 向上争取政策项目清单调度台账 ------------------------------------------------------------
    with page.expect_download() as download:
        page.click("#export-upward")
    title = zh("Ledger of the policies and projects sought from higher levels")
    assert title == "向上争取政策项目清单调度台账"
    assert download.value.suggested_filename == f"{title}（{today.year}）.xlsx"
    path = tmp_path / "upward.xlsx"
    download.value.save_as(path)
    book = openpyxl.load_workbook(path, read_only=True)
    sheet = book.worksheets[0]
    assert sheet["A1"].value == title
    values = [cell for line in sheet.iter_rows(values_only=True) for cell in line if cell]
    titles = set(UpwardApplication.objects.filter(year=today.year).values_list("title", flat=True))
    assert titles <= set(values), titles - set(values)
    book.close()
    assert_clean(page, "upward ledger")

    # --- on a phone: the pipeline and a project's page do not scroll sideways --------------
    project = (
        selectors.projects_with_light(leader)
        .filter(stage=Stage.STARTED)
        .order_by("-planned_investment", "pk")
        .first()
    )
    phone = watched(new_page(**PHONE))
    log_in(phone, LEADER)
    phone.goto("/investment/")
    assert_clean(phone, "pipeline (phone)")
    assert_no_horizontal_scroll(phone)
    assert pairs(phone, "#figures")[zh("Key projects")] == str(KEY_PROJECTS)
    screenshot_down_to(phone, screenshot_path("investment-phone.png"), "#funnel", PHONE["width"])
    phone.goto(f"/investment/projects/{project.pk}/")
    assert_clean(phone, "project (phone)")
    assert text_of(phone, "h1") == project.name
    assert_no_horizontal_scroll(phone)
    # The clock and the funds stay within the screen's width.
    for selector in ("#clock", "#funds", ".stage-path"):
        box = phone.locator(selector).bounding_box()
        assert box["x"] >= 0, (selector, box)
        assert box["x"] + box["width"] <= PHONE["width"], (selector, box)
