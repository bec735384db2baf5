"""The task lifecycle in a real Chromium, as two people in two browsers: the potato
office assigns a measure to Zhuozi County (交办), the county's liaison accepts it (承办),
reports progress (反馈) and asks to close it (申请办结), and the office closes it (办结).

Buttons are found by their form's class (`form.act-<action>`), statuses by
`#task-status` against the zh-hans label, so the test does not depend on how far the
Chinese catalogue has got.
"""

import re

import pytest
from django.utils import translation

from zhuanban.tasks.lifecycle import Action, Status
from zhuanban.tasks.models import Task

pytestmark = pytest.mark.browser

REPORT_TEXT = "加工中心厂房主体已封顶,分级包装设备完成招标采购,正在安装调试。"


def zh_status(status):
    with translation.override("zh-hans"):
        return str(Status(status).label)


def zh_action(action):
    with translation.override("zh-hans"):
        return str(Action(action).label)


def click_and_wait(page, selector):
    with page.expect_navigation():
        page.click(selector)


def assert_status(page, status):
    assert page.locator("#task-status").inner_text().strip() == zh_status(status)
    assert page.locator(".messages li.error").count() == 0, page.locator(".messages").inner_text()


@pytest.fixture
def draft_for_zhuozi(demo):
    """The demo's draft in the potato list led by 卓资县, not yet assigned."""
    return Task.objects.get(
        task_list__office__code="office-potato",
        lead_unit__code="150921",
        status=Status.DRAFT,
    )


def test_assign_accept_report_request_close_and_close(
    new_page, log_in, screenshot_path, draft_for_zhuozi
):
    task = draft_for_zhuozi
    office = log_in(new_page(), "office")
    zhuozi = log_in(new_page(), "zhuozi")

    # 交办: the potato office assigns the draft.
    office.goto(f"/tasks/{task.pk}/")
    assert_status(office, Status.DRAFT)
    assert office.locator("form.act-accept").count() == 0  # the office cannot accept
    click_and_wait(office, "form.act-assign button")
    assert_status(office, Status.ASSIGNED)

    # The county liaison finds it among the tasks waiting to be accepted.
    zhuozi.goto("/tasks/inbox/")
    waiting = zhuozi.locator("#to-accept a", has_text=task.content[:20])
    assert waiting.count() == 1
    assert zhuozi.locator("#to-report tbody tr").count() >= 1  # the demo's work in progress
    zhuozi.screenshot(path=screenshot_path("inbox.png"), full_page=True)

    # 承办: he opens it and accepts it.
    with zhuozi.expect_navigation():
        waiting.click()
    assert re.search(rf"/tasks/{task.pk}/$", zhuozi.url), zhuozi.url
    assert_status(zhuozi, Status.ASSIGNED)
    assert zhuozi.locator("form.act-assign").count() == 0  # nor can the county assign
    click_and_wait(zhuozi, "form.act-accept button")
    assert_status(zhuozi, Status.IN_PROGRESS)

    # 反馈: he reports progress.
    report = zhuozi.locator("form.act-report")
    report.locator("[name=text]").fill(REPORT_TEXT)
    report.locator("[name=progress]").fill("60")
    report.locator("[name=figures]").fill("厂房主体完工")
    click_and_wait(zhuozi, "form.act-report button")
    assert_status(zhuozi, Status.IN_PROGRESS)
    assert "60%" in zhuozi.locator("p:has(#task-status)").inner_text()
    assert REPORT_TEXT in zhuozi.locator("main").inner_text()

    # 申请办结: and asks to close it.
    click_and_wait(zhuozi, "form.act-request_close button")
    assert_status(zhuozi, Status.CLOSE_REQUESTED)
    assert zhuozi.locator("form.act-close").count() == 0  # closing is the office's call

    # 办结: the office verifies and closes it.
    office.goto(f"/tasks/{task.pk}/")
    assert_status(office, Status.CLOSE_REQUESTED)
    office.fill("form.act-close textarea[name=comment]", "经核查,佐证材料齐全,同意办结。")
    click_and_wait(office, "form.act-close button")
    assert_status(office, Status.CLOSED)
    assert "100%" in office.locator("p:has(#task-status)").inner_text()

    # The timeline lists every step, in order.
    steps = [
        zh_action(a)
        for a in (Action.ASSIGN, Action.ACCEPT, Action.REPORT, Action.REQUEST_CLOSE, Action.CLOSE)
    ]
    timeline = [
        item.locator("strong").inner_text().strip()
        for item in office.locator("#timeline > li").all()
    ]
    assert timeline[1:] == steps, timeline  # after "created"
    assert "经核查,佐证材料齐全,同意办结。" in office.locator("#timeline").inner_text()
    office.screenshot(path=screenshot_path("task-detail.png"), full_page=True)

    task.refresh_from_db()
    assert (task.status, task.progress) == (Status.CLOSED, 100)
    assert list(task.events.values_list("actor__username", flat=True)) == [
        "potato-dir",  # created by the demo loader
        "office",
        "zhuozi",
        "zhuozi",
        "zhuozi",
        "office",
    ]


def test_the_leader_sees_the_ledger_with_its_lights(new_page, log_in, screenshot_path):
    page = log_in(new_page(height=1000), "leader")
    response = page.goto("/tasks/")
    assert response.status == 200
    # 76 base measures, 11 potato ones and 13 meeting decisions; 25 + 2 + 7 of them closed.
    counts = page.locator("#ledger-counts strong").all_inner_texts()
    assert counts[:2] == ["100", "34"], counts
    for light in ("green", "yellow", "red", "grey"):
        assert page.locator(f"#ledger .light-{light}").count() > 0, light
    assert page.locator("#ledger", has_text="在察右后旗新建脱毒种薯繁育基地2万亩").count() == 1
    # The first screenful: the whole ledger is some 8000 pixels tall.
    page.screenshot(path=screenshot_path("tasks-ledger.png"))
