"""Formula injection (CSV/Excel injection) in every export: text that a spreadsheet would
run as a formula (= + - @, tab, CR at the start) is written as a string cell, marked
quote-prefixed, and reads back exactly as typed; real numbers stay numbers, negative
ones too. Each export is opened again with openpyxl, and its sheet XML searched for
any formula element."""

import datetime
import io
import re
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from zhuanban.core import excel
from zhuanban.dispatch import services as dispatch_services
from zhuanban.dispatch.tests.conftest import open_round, submission_of
from zhuanban.dispatch.workbook import write_unit_workbook
from zhuanban.org.roles import UnitKind
from zhuanban.org.tests.factories import OrgUnitFactory
from zhuanban.tasks import services as task_services

PAYLOADS = ['=HYPERLINK("http://x","y")', "+1+1", "-2", "@SUM(A1)", "\t=1", "\r=1"]
HOSTILE_UNIT = '=HYPERLINK("http://x","点此")'
_FORMULA_ELEMENT = re.compile(rb"<(?:\w+:)?f[\s>/]")


def assert_no_formulas(content: bytes) -> None:
    """No formula anywhere: not in a cell openpyxl reads, not in any sheet's XML."""
    workbook = load_workbook(io.BytesIO(content))
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                assert not _FORMULA_ELEMENT.search(archive.read(name)), name


def cells_holding(content: bytes, texts) -> dict:
    """text -> the first cell (of any sheet) whose value is exactly that text."""
    found = {}
    for ws in load_workbook(io.BytesIO(content)).worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value in texts and cell.value not in found:
                    found[cell.value] = cell
    return found


def assert_shown_as_text(content: bytes, texts) -> None:
    found = cells_holding(content, set(texts))
    assert set(found) == set(texts), set(texts) - set(found)
    for text, cell in found.items():
        assert cell.data_type == "s", (text, cell.coordinate)
        assert cell.quotePrefix, (text, cell.coordinate)


# --- core.excel ------------------------------------------------------------------------


def test_every_trigger_is_neutralised_by_the_cell_factory():
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("表")
    cells = excel.CellFactory(ws)
    ws.append([cells.make("text", text) for text in PAYLOADS])
    ws.append([cells.make("text", "普通文字"), cells.make("text", "1+1=2")])
    out = io.BytesIO()
    wb.save(out)
    content = out.getvalue()
    assert_no_formulas(content)
    assert_shown_as_text(content, PAYLOADS)
    plain = cells_holding(content, {"普通文字", "1+1=2"})
    assert not any(cell.quotePrefix for cell in plain.values())  # nothing else is marked


# --- the task ledger -------------------------------------------------------------------


@pytest.fixture
def hostile_tasks(world):
    """Tasks whose texts, and whose lead unit's name, are formulas waiting to run."""
    hostile = OrgUnitFactory(
        code="150998",
        name=HOSTILE_UNIT,
        kind=UnitKind.COUNTY,
        parent=world.city,
        division_code="150998",
    )
    today = timezone.localdate()
    task_list = task_services.tasklist_create(
        actor=world.office, office=world.potato, title="+清单", year=today.year, level="city"
    )
    first = task_services.task_create(
        actor=world.office,
        task_list=task_list,
        content=PAYLOADS[0],
        lead_unit=hostile,
        responsible_leader="-2",
        remarks="@SUM(A1)",
        start_date=today,
        due_date=today + datetime.timedelta(days=30),
    )
    task_services.task_create(
        actor=world.office,
        task_list=task_list,
        content="+1+1",
        lead_unit=world.zhuozi,
        cooperating_units=[hostile],
        remarks="\t=1",
        start_date=today,
        due_date=today + datetime.timedelta(days=30),
    )
    assert first.lead_unit == hostile
    return task_list


def test_the_task_ledger_export(world, login, hostile_tasks):
    response = login(world.office).get(reverse("tasks:export"))
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    assert_no_formulas(content)
    assert_shown_as_text(content, [PAYLOADS[0], "+1+1", "-2", "@SUM(A1)", "\t=1", HOSTILE_UNIT])


# --- dispatch: the consolidated table and a unit's own workbook ----------------------------

SCHEMA = {
    "columns": [
        {"key": "name", "label": "项目名称", "type": "text", "required": True},
        {"key": "change", "label": "增减", "type": "decimal", "decimals": 1, "unit": "万元"},
        {"key": "note", "label": "备注", "type": "text"},
    ]
}
# A unit's text is stored stripped, so "\t=1" is kept (and exported) as "=1".
ROWS = [
    {"name": PAYLOADS[0], "change": "-2", "note": "+1+1"},
    {"name": "@SUM(A1)", "change": "-3.5", "note": "\t=1"},
    {"name": "-2", "change": "4", "note": "=1+1"},
]


@pytest.fixture
def hostile_round(world):
    hostile = OrgUnitFactory(
        code="150999",
        name=HOSTILE_UNIT,
        kind=UnitKind.COUNTY,
        parent=world.city,
        division_code="150999",
    )
    template = dispatch_services.template_create(
        actor=world.office,
        office=world.potato,
        code="hostile",
        title="@招商项目表",
        schema=SCHEMA,
        units=[world.zhuozi, hostile],
        row_mode="records",
    )
    round_ = open_round(world, template)
    for unit in (world.zhuozi, hostile):
        dispatch_services.submission_submit(
            actor=None, submission=submission_of(round_, unit), rows=ROWS, expected_version=None
        )
    return round_


def test_the_consolidated_export(world, login, hostile_round):
    response = login(world.office).get(
        reverse("dispatch:consolidation_export", args=[hostile_round.pk])
    )
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    assert_no_formulas(content)
    assert_shown_as_text(content, [PAYLOADS[0], "@SUM(A1)", "-2", "+1+1", "=1", HOSTILE_UNIT])
    # Real numbers stay numbers, negative ones included.
    numbers = [
        cell.value
        for row in load_workbook(io.BytesIO(content)).active.iter_rows()
        for cell in row
        if cell.data_type == "n" and cell.value is not None
    ]
    assert -2 in numbers
    assert -3.5 in numbers


def test_a_units_own_workbook(world, login, hostile_round):
    hostile = hostile_round.submissions.get(unit__code="150999")
    response = login(world.office).get(
        reverse("dispatch:submission_download", args=[hostile_round.pk, hostile.unit_id])
    )
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    assert_no_formulas(content)
    assert_shown_as_text(content, [PAYLOADS[0], "@SUM(A1)", "-2", "+1+1", "=1"])
    ws = load_workbook(io.BytesIO(content)).worksheets[0]
    change = [row[1] for row in ws.iter_rows(min_row=4, max_row=6)]
    assert [(c.value, c.data_type) for c in change] == [(-2, "n"), (-3.5, "n"), (4, "n")]
    assert HOSTILE_UNIT in ws["A2"].value  # the unit named in the line below the title
    assert ws["A2"].data_type == "s"


def test_the_unit_workbook_writer_directly(world, hostile_round):
    """The same file as the download, written straight from the rows."""
    buffer = io.BytesIO()
    write_unit_workbook(submission_of(hostile_round, world.zhuozi), buffer)
    assert_no_formulas(buffer.getvalue())
    assert_shown_as_text(buffer.getvalue(), ["=1+1", "=1"])
