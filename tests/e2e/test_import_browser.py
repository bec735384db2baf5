"""Importing a task list from Excel in a real Chromium: upload, read the dry run, confirm."""

import io

import openpyxl
import pytest

from zhuanban.tasks.models import Task, TaskList

pytestmark = pytest.mark.browser

HEADER = ["序号", "重点任务", "具体措施", "牵头单位", "配合单位", "责任领导", "完成时限", "备注"]


def ledger_xlsx() -> bytes:
    """A ledger as an office sends it: title merged across, 重点任务 merged over its measures."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["2024年马铃薯产业重点工作任务清单"])
    sheet.merge_cells("A1:H1")
    sheet.append(HEADER)
    sheet.append(
        [
            "一",
            "扩大脱毒种薯繁育",
            "1.新建脱毒种薯繁育基地1万亩",
            "卓资县",
            "农牧业技术推广中心",
            "王振华",
            "6月底前",
            None,
        ]
    )
    sheet.append(
        [
            None,
            None,
            "2.建设种薯质量检测室",
            "化德县",
            "农畜产品质量安全监测中心",
            "王振华",
            "年底前",
            None,
        ]
    )
    sheet.append(
        [
            None,
            None,
            "3.每月调度种薯生产进度",
            "农牧业技术推广中心",
            "卓资县、化德县",
            None,
            "每月10日前",
            None,
        ]
    )
    sheet.merge_cells("A3:A5")
    sheet.merge_cells("B3:B5")
    sheet.append(
        ["二", "推进加工流通", "建设马铃薯分级包装中心", "卓资县", None, "王振华", "长期坚持", None]
    )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_import_a_ledger_with_a_dry_run(new_page, log_in, screenshot_path):
    # The office's own list (it also has lists of meeting decisions).
    task_list = TaskList.objects.get(
        office__code="office-potato", title__contains="重点工作任务清单"
    )
    before = task_list.tasks.count()
    page = log_in(new_page(), "office")
    page.goto(f"/tasks/lists/{task_list.pk}/import/")
    page.set_input_files(
        "input[type=file]",
        files=[
            {
                "name": "2024年任务清单.xlsx",
                "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "buffer": ledger_xlsx(),
            }
        ],
    )
    with page.expect_navigation():
        page.click("form.stacked button[type=submit]")

    body = page.locator("main").inner_text()
    assert "新建脱毒种薯繁育基地1万亩" in body
    assert "每月10日前" in body
    assert task_list.tasks.count() == before  # a dry run saves nothing
    page.screenshot(path=screenshot_path("import-dry-run.png"), full_page=True)

    with page.expect_navigation():
        page.click("button[name=confirm]")
    created = Task.objects.filter(task_list=task_list).count() - before
    assert created == 6  # two key tasks and four measures
    monthly = Task.objects.get(task_list=task_list, content__contains="每月调度")
    assert monthly.milestones.count() == 12
    assert set(monthly.cooperating_units.values_list("name", flat=True)) == {"卓资县", "化德县"}
