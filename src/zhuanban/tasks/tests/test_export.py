"""The ledger exported to .xlsx: content, print layout, lights, scope, formula safety,
flat query counts, and a real LibreOffice opening the file and printing it to PDF."""

import datetime
import io
import zipfile
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from zhuanban.core import excel
from zhuanban.core.tests.office import A3_LANDSCAPE, print_to_pdf
from zhuanban.tasks import exports, services
from zhuanban.tasks.filters import filters_from_query, filters_to_query
from zhuanban.tasks.lifecycle import Action
from zhuanban.tasks.selectors import LedgerFilters

FIRST_ROW = exports.HEADER_ROW + 1


def download(client, **params):
    response = client.get(reverse("tasks:export"), params)
    assert response.status_code == 200, response.content[:500]
    return response, b"".join(response.streaming_content)


def export(client, **params):
    _response, content = download(client, **params)
    return load_workbook(io.BytesIO(content)).active


def data_rows(ws):
    return [list(row) for row in ws.iter_rows(min_row=FIRST_ROW, values_only=True)]


def row_of(ws, content):
    """The row (cells) whose content column holds `content`, indented or not."""
    for row in ws.iter_rows(min_row=FIRST_ROW):
        if (row[1].value or "").strip("\u3000") == content:
            return row
    raise AssertionError(f"{content!r} is not in the ledger")


def close(world, task):
    task = services.task_act(actor=world.office, task=task, action=Action.ASSIGN)
    task = services.task_act(actor=world.zhuozi_liaison, task=task, action=Action.ACCEPT)
    task = services.task_act(
        actor=world.zhuozi_liaison, task=task, action=Action.REQUEST_CLOSE, comment="已完成"
    )
    return services.task_act(actor=world.office, task=task, action=Action.CLOSE)


def assign(world, task):
    return services.task_act(actor=world.office, task=task, action=Action.ASSIGN)


@pytest.fixture
def tree(world, make_task):
    """一、 a key task with two measures, the second shared with two cooperating units."""
    key = make_task(content="推进马铃薯种薯基地建设", lead=world.crops, responsible_leader="王振华")
    first = make_task(parent=key, content="建设马铃薯种薯繁育基地", remarks="列入年度考核")
    second = make_task(
        parent=key,
        content="建设脱毒种薯扩繁中心",
        cooperating_units=[world.crops, world.huade],
        due_text="6月底前",
    )
    return [assign(world, task) for task in (key, first, second)]


def test_the_ledger_comes_as_an_xlsx_attachment_with_a_chinese_filename(world, login, tree, today):
    response, content = download(login(world.office))
    assert response["Content-Type"] == excel.XLSX_CONTENT_TYPE
    filename = _("Key task ledger-%(date)s.xlsx") % {"date": today.strftime("%Y%m%d")}
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert filename in disposition or f"filename*=utf-8''{quote(filename)}" in disposition
    assert zipfile.ZipFile(io.BytesIO(content)).testzip() is None


def test_title_counts_header_and_rows(world, login, tree, today, task_list):
    ws = export(login(world.office))
    assert ws["A1"].value == _("Key task breakdown ledger")
    assert ws["A1"].font.b
    assert ws["A1"].font.sz == 16
    assert ws["A2"].value == exports.subtitle_text({"total": 2, "closed": 0, "red": 0}, today)
    assert [cell.value for cell in ws[exports.HEADER_ROW]] == [
        _("No."),
        _("Key task / measure"),
        capfirst(_("lead unit")),
        capfirst(_("cooperating units")),
        capfirst(_("responsible leader")),
        _("Deadline"),
        _("Progress"),
        _("Warning light"),
        capfirst(_("remarks")),
    ]
    rows = data_rows(ws)
    # Several lists in one file: each starts with a row naming it.
    assert rows[0][0] == f"{task_list.title}（{task_list.year}）"
    assert [row[0] for row in rows[1:]] == ["一、", "(一)", "(二)"]
    key, first, second = rows[1:]
    assert key[1] == "推进马铃薯种薯基地建设"
    assert (key[2], key[4]) == ("种植业管理科", "王振华")
    assert first[1] == "\u3000\u3000建设马铃薯种薯繁育基地"
    assert (first[2], first[3], first[8]) == ("卓资县", None, "列入年度考核")
    assert second[2] == "卓资县"
    assert set(second[3].split("、")) == {"种植业管理科", "化德县"}
    assert first[5] == date_format(tree[1].due_date, "DATE_FORMAT")


def test_one_list_is_titled_by_the_list_and_numbered_in_either_style(world, login, tree, task_list):
    client = login(world.office)
    ws = export(client, task_list=task_list.pk)
    assert ws["A1"].value == task_list.title
    assert [row[0] for row in data_rows(ws)] == ["一、", "(一)", "(二)"]

    ws = export(client, task_list=task_list.pk, style="decimal")
    assert [row[0] for row in data_rows(ws)] == ["1", "1.1", "1.2"]


def test_ready_to_print(world, login, tree):
    ws = export(login(world.office))
    assert ws.freeze_panes == f"A{FIRST_ROW}"
    assert ws.print_title_rows == f"${exports.HEADER_ROW}:${exports.HEADER_ROW}"
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 8  # A3
    assert int(ws.page_setup.fitToWidth) == 1
    assert int(ws.page_setup.fitToHeight) == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.oddFooter.center.text == _("Page &P of &N")
    assert "A1:I1" in {str(r) for r in ws.merged_cells.ranges}
    assert ws.column_dimensions["B"].width > ws.column_dimensions["A"].width
    content = row_of(ws, "建设马铃薯种薯繁育基地")[1]
    assert content.alignment.wrap_text
    assert content.alignment.vertical == "top"
    assert content.border.left.style == "thin"
    assert content.font.name == excel.BODY_FONT


def test_lights_are_coloured(world, login, make_task, today):
    assign(
        world,
        make_task(
            content="逾期的措施",
            start_date=today - datetime.timedelta(days=60),
            due_date=today - datetime.timedelta(days=3),
        ),
    )
    close(world, make_task(content="办结的措施"))
    # Started today: no time has passed, so nothing lags yet.
    assign(world, make_task(content="正常推进的措施", start_date=today))
    make_task(content="未交办的措施")
    ws = export(login(world.office))

    expected = {
        "逾期的措施": (_("Red light"), "FFC7CE"),
        "办结的措施": (_("Closed"), "D9D9D9"),
        "正常推进的措施": (_("Green light"), "C6EFCE"),
    }
    for content, (text, colour) in expected.items():
        cell = row_of(ws, content)[7]
        assert cell.value == text
        assert cell.fill.fgColor.rgb.endswith(colour)
    assert row_of(ws, "未交办的措施")[7].fill.fill_type is None
    assert ws["A2"].value == exports.subtitle_text({"total": 4, "closed": 1, "red": 1}, today)


def test_deadlines_as_a_chinese_office_writes_them(world, login, make_task, in_progress, today):
    old_due = in_progress.due_date
    new_due = old_due + datetime.timedelta(days=30)
    request = services.extension_request(
        actor=world.zhuozi_liaison,
        task=in_progress,
        reason="设备到货延迟",
        new_due_date=new_due,
        progress_so_far="完成选址",
    )
    services.extension_decide(actor=world.office, request=request, approve=True)
    services.task_report(
        actor=world.zhuozi_liaison, task=in_progress, text="已完成选址，正在平整土地", progress=40
    )
    ongoing = make_task(content="长期推进的措施", due_date=None, is_ongoing=True)
    worded = make_task(
        content="按月报送的措施", due_date=None, is_ongoing=True, due_text="每月10日前"
    )
    for task in (ongoing, worded):
        assign(world, task)
    ws = export(login(world.office))

    extended = row_of(ws, in_progress.content)
    original = (
        date_format(old_due, "n月j日")
        if old_due.year == new_due.year
        else date_format(old_due, "DATE_FORMAT")
    )
    assert extended[5].value == _("%(date)s (originally %(original)s)") % {
        "date": date_format(new_due, "DATE_FORMAT"),
        "original": original,
    }
    assert "40%" in extended[6].value
    assert "已完成选址，正在平整土地" in extended[6].value
    assert row_of(ws, "长期推进的措施")[5].value == _("Ongoing")
    assert row_of(ws, "按月报送的措施")[5].value == "每月10日前"


def test_cells_never_become_formulas(world, login, make_task):
    task = make_task(
        content="=1+1",
        responsible_leader="+86 10 1234",
        remarks="@SUM(A1:A9)",
        due_text="-1",
    )
    make_task(content="含控制字符\x0b的措施")
    assign(world, task)
    _response, content = download(login(world.office))
    ws = load_workbook(io.BytesIO(content)).active

    row = row_of(ws, "=1+1")
    assert (row[1].value, row[1].data_type) == ("=1+1", "s")
    assert row[1].quotePrefix
    assert (row[4].value, row[8].value) == ("+86 10 1234", "@SUM(A1:A9)")
    assert all(cell.data_type != "f" for line in ws.iter_rows() for cell in line)
    sheet = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet
    assert b"<f " not in sheet
    # Characters XML cannot hold are dropped rather than failing the export.
    row_of(ws, "含控制字符的措施")


def test_a_county_liaison_exports_only_what_they_may_see(world, login, make_task):
    assign(world, make_task(content="化德县牵头的措施", lead=world.huade))
    assign(world, make_task(content="卓资县牵头的措施", lead=world.zhuozi))
    make_task(content="化德县的草稿措施", lead=world.huade)  # drafts stay with the office
    ws = export(login(world.huade_liaison))
    contents = [(row[1] or "").strip("\u3000") for row in data_rows(ws)]
    assert "化德县牵头的措施" in contents
    assert "卓资县牵头的措施" not in contents
    assert "化德县的草稿措施" not in contents


def test_filters_of_the_ledger_page_apply(world, login, make_task, today):
    assign(
        world,
        make_task(
            content="逾期的措施",
            start_date=today - datetime.timedelta(days=60),
            due_date=today - datetime.timedelta(days=3),
        ),
    )
    assign(world, make_task(content="正常推进的措施"))
    ws = export(login(world.office), light="red")
    contents = [(row[1] or "").strip("\u3000") for row in data_rows(ws)]
    assert "逾期的措施" in contents
    assert "正常推进的措施" not in contents


@pytest.mark.parametrize(
    "params",
    [
        {"county": "abc", "due_from": "2023-02-30", "light": "purple"},
        {"task_list": "99999999999999999999999", "office": "-1", "text": "种薯\x00"},
        {"style": "roman", "status": "' OR 1=1 --"},
    ],
)
def test_filters_that_do_not_parse_are_ignored(world, login, tree, params):
    ws = export(login(world.office), **params)
    assert len(data_rows(ws)) == 4  # the list's row and its three tasks


def test_the_outsider_gets_an_empty_ledger_and_strangers_a_login(world, login, tree, client):
    assert client.get(reverse("tasks:export")).status_code == 302
    ws = export(login(world.outsider))
    assert data_rows(ws) == []


def test_only_get_and_post(world, login):
    # POST queues the export as a background job (tasks/tests/test_export_jobs.py).
    assert login(world.office).put(reverse("tasks:export")).status_code == 405


def test_the_number_of_queries_does_not_grow_with_the_ledger(world, login, make_task):
    client = login(world.office)

    def add(count):
        for n in range(count):
            assign(world, make_task(content=f"措施{n}", cooperating_units=[world.crops]))

    def queries():
        with CaptureQueriesContext(connection) as captured:
            ws = export(client)
        return len(captured), len(data_rows(ws))

    add(5)
    small, rows = queries()
    assert rows == 6
    add(45)
    large, rows = queries()
    assert rows == 51
    assert small == large


def test_query_strings_round_trip():
    filters = LedgerFilters(
        task_list=3,
        county=12,
        light="red",
        due_from=datetime.date(2023, 1, 1),
        text="种薯",
        leaves_only=True,
    )
    assert filters_from_query(_query(filters_to_query(filters))) == filters


def _query(string):
    from django.http import QueryDict

    return QueryDict(string)


def test_libreoffice_opens_the_file_and_prints_the_tasks(world, login, tree, tmp_path):
    _response, content = download(login(world.office))
    printed = print_to_pdf(content, tmp_path, "ledger")
    assert "建设马铃薯种薯繁育基地" in printed.text
    assert "卓资县" in printed.text
    assert printed.page_size in (None, A3_LANDSCAPE)


def test_scale_data_is_a_consistent_tree_with_every_light(db):
    from zhuanban.org.models import OrgUnit
    from zhuanban.tasks import scale
    from zhuanban.tasks.models import Task

    made = scale.seed(counties=12, tasks=400, lists=3)
    assert (made["counties"], made["cities"], made["tasks"], made["task_lists"]) == (12, 2, 400, 3)
    for unit in OrgUnit.objects.filter(code__startswith=scale.PREFIX).select_related("parent"):
        unit.full_clean()  # valid division codes, kinds and codes
    tasks = {task.pk: task for task in Task.objects.all()}
    for task in tasks.values():
        parent = tasks.get(task.parent_id)
        prefix = parent.sort_path if parent else ""
        assert task.sort_path == f"{prefix}{task.position:04d}."
        assert task.depth == task.sort_path.count(".") - 1
        if task.lead_unit_id and task.lead_unit.kind == "county":
            assert task.county_id == task.lead_unit_id
    lights = set(Task.objects.with_light().values_list("light", flat=True))
    assert {"red", "yellow", "green", "grey"} <= lights


def test_scale_data_exports_in_as_many_queries_as_a_small_ledger(world, login, make_task, settings):
    from zhuanban.tasks import scale

    settings.JOB_SYNC_ROWS = 10_000  # answered at once, to count the synchronous path

    client = login(world.leader)
    assign(world, make_task(content="一项措施", cooperating_units=[world.crops]))
    with CaptureQueriesContext(connection) as small:
        export(client)
    scale.seed(counties=5, tasks=2500, lists=4)
    with CaptureQueriesContext(connection) as large:
        ws = export(client)
    rows = data_rows(ws)
    assert len([row for row in rows if row[0] and row[2]]) == 2501
    # 2,501 tasks are two chunks of 2,000: one more query for the second chunk's units.
    assert len(large) == len(small) + 1


def test_seed_scale_refuses_to_run_twice_and_resets_only_its_own_data(world, make_task):
    from django.core.management import CommandError, call_command

    from zhuanban.org.models import OrgUnit
    from zhuanban.tasks.models import Task

    mine = make_task(content="本局自己的措施")
    call_command("seed_scale", "--counties", "2", "--tasks", "50", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("seed_scale", "--counties", "2", "--tasks", "50", stdout=io.StringIO())
    call_command("seed_scale", "--counties", "3", "--tasks", "60", "--reset", stdout=io.StringIO())
    assert Task.objects.count() == 61
    assert OrgUnit.objects.filter(code__startswith="scale-", kind="county").count() == 3
    assert Task.objects.filter(pk=mine.pk).exists()
    assert OrgUnit.objects.filter(pk=world.zhuozi.pk).exists()
