"""Importing a task list (任务清单) from an Excel ledger, with a dry run.

`parse_workbook()` reads the file and returns an `ImportPlan`: every task that would be
created, in tree order with the number it will get, and every problem by row and
column. Nothing touches the database but reads. `commit()` creates the plan's tasks as
`services.task_create` would, in bulk and in one transaction, and only when the plan
has no errors. Both report their progress to a background job's bar when given one
(`import_jobs.py` runs them for large files).

The ledger has the usual columns 序号, 重点任务, 具体措施, 牵头单位, 配合单位, 责任领导,
完成时限, 备注 under an optional title row. A merged cell's value applies to every row
it spans (重点任务 is merged over its measures). Each 重点任务 becomes a parent task
with one child per 具体措施; the 序号 column (一、(一) 1. (1) ① or 1.2.3) nests rows
further, and numbers rows in a sheet without 重点任务 groups.
"""

import datetime
import hashlib
import io
import logging
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel

from zhuanban.core import audit, excel
from zhuanban.core.files import as_file, check_upload
from zhuanban.core.models import AuditAction, AuditEvent
from zhuanban.core.request_context import current_ip
from zhuanban.org.models import OrgUnit
from zhuanban.org.roles import UnitKind
from zhuanban.tasks import scoping, services
from zhuanban.tasks.deadlines import Deadline, DeadlineError, deadline_from_date, parse_deadline
from zhuanban.tasks.models import Milestone, Task, TaskEvent, TaskList
from zhuanban.tasks.numbering import chinese_level, format_number, parse_chinese_numeral

logger = logging.getLogger(__name__)

ERROR, WARNING = "error", "warning"
HEADER_SCAN_ROWS = 10
MAX_DATA_ROWS = 20_000  # a province-sized list
MAX_BLANK_ROWS = 500  # the table has ended
MAX_HEADER_COLUMNS = 60

# Column keys, the header each is written as, and the other ways ledgers write it.
NUMBER, KEY_TASK, MEASURE, LEAD, COOPERATING, LEADER, DEADLINE, REMARKS = (
    "number",
    "key_task",
    "measure",
    "lead",
    "cooperating",
    "leader",
    "deadline",
    "remarks",
)
HEADERS = {
    NUMBER: "序号",
    KEY_TASK: "重点任务",
    MEASURE: "具体措施",
    LEAD: "牵头单位",
    COOPERATING: "配合单位",
    LEADER: "责任领导",
    DEADLINE: "完成时限",
    REMARKS: "备注",
}
HEADER_ALIASES = {
    **{header: key for key, header in HEADERS.items()},
    "编号": NUMBER,
    "主要任务": KEY_TASK,
    "工作任务": KEY_TASK,
    "具体举措": MEASURE,
    "工作措施": MEASURE,
    "主要措施": MEASURE,
    "牵头部门": LEAD,
    "配合部门": COOPERATING,
    "分管领导": LEADER,
    "牵头领导": LEADER,
    "完成时间": DEADLINE,
    "时间节点": DEADLINE,
}
REQUIRED = (NUMBER, LEAD, DEADLINE)  # and 具体措施, or 重点任务 when there is no 具体措施

_SPACES = re.compile(r"\s+")
_HEADER_HINT = re.compile(r"[(（][^)）]*[)）]$")  # 完成时限（年月日）
_UNIT_SEPARATORS = re.compile(r"[、,，;；\s]+")
_ALL_COUNTIES = re.compile(r"各旗县(?:\(?市、?区\)?)?")
_NOTE_ROW = re.compile(r"^(?:注|说明|备注|填表|填报|制表|审核|联系人)[^:：]{0,6}[:：]")
_FOOTNOTE_MARK = re.compile(r"^[*＊]")


# --- the plan --------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One problem of the file, where Excel shows it: row 5, column D (牵头单位)."""

    row: int | None
    column: str
    header: str
    message: str
    code: str
    level: str = ERROR

    @property
    def is_error(self) -> bool:
        return self.level == ERROR

    @property
    def cell(self) -> str:
        return f"{self.column}{self.row}" if self.column and self.row else ""


@dataclass
class PlannedTask:
    """A task the import would create."""

    row: int
    kind: str  # "heading", "key_task", "measure" or "task"
    content: str
    source_number: str = ""
    parent: "PlannedTask | None" = None
    positions: list[int] = field(default_factory=list)
    number: str = ""
    lead_unit: OrgUnit | None = None
    cooperating_units: list[OrgUnit] = field(default_factory=list)
    responsible_leader: str = ""
    due_text: str = ""
    deadline: Deadline | None = None
    remarks: str = ""
    notes: list[str] = field(default_factory=list)
    children: list["PlannedTask"] = field(default_factory=list)

    @property
    def depth(self) -> int:
        return len(self.positions) - 1

    @property
    def due_date(self) -> datetime.date | None:
        return self.deadline.due_date if self.deadline else None

    @property
    def is_ongoing(self) -> bool:
        return bool(self.deadline and self.deadline.is_ongoing)

    @property
    def milestones(self) -> tuple[tuple[str, datetime.date], ...]:
        return self.deadline.recurring if self.deadline else ()


@dataclass
class ImportPlan:
    task_list: TaskList
    rows: list[PlannedTask] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    file_name: str = ""
    sha256: str = ""
    sheet: str = ""
    rows_read: int = 0  # the rows below the header row, blank ones included

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]

    @property
    def is_valid(self) -> bool:
        return bool(self.rows) and not self.errors

    @property
    def milestone_count(self) -> int:
        return sum(len(row.milestones) for row in self.rows)


# --- reading the file ------------------------------------------------------------------


def _not_a_workbook() -> ValidationError:
    return ValidationError(
        _(
            "This is not a valid Excel (.xlsx) file. Open it in Excel or WPS, save it as "
            "an Excel workbook (.xlsx) and upload it again."
        ),
        code="not_xlsx",
    )


def read_workbook(source) -> tuple[openpyxl.Workbook, str, str]:
    """Check the upload (size, type by content, zip bomb) and open it: (workbook, name, sha256).

    Raises ValidationError with a message for the user when the file is unusable.
    """
    data, name = _checked_data(source)
    try:
        # data_only=False: a formula reads as a formula (refused at its cell), never as
        # the value a spreadsheet cached with it.
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=False, data_only=False)
    except Exception:  # untrusted input: whatever fails to open is not a usable workbook
        logger.info("task import: %s could not be opened as a workbook", name, exc_info=True)
        raise _not_a_workbook() from None
    return workbook, name, hashlib.sha256(data).hexdigest()


def rows_to_read(source) -> int:
    """How many rows the workbook's largest sheet has (title and header included), without
    loading its cells: the size each sheet states at its top (Excel, WPS and openpyxl
    write it), or a count of its rows when it states none. Whether the check runs at once
    or in the background. 0 when the file is refused or cannot be opened: the check at
    once then says why."""
    try:
        data, _name = _checked_data(source)
    except ValidationError:
        return 0
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # untrusted input: the check says it is not a workbook
        return 0
    try:
        sizes = []
        for worksheet in workbook.worksheets:
            if not worksheet.max_row:
                worksheet.calculate_dimension(force=True)
            sizes.append(worksheet.max_row or 0)
    except Exception:  # a damaged sheet: the check says so
        return 0
    finally:
        workbook.close()
    return max(sizes, default=0)


def _checked_data(source) -> tuple[bytes, str]:
    """The upload's content and name, once it passed the upload checks (size, type by
    content, zip bomb), or a ValidationError saying why not."""
    upload, opened = as_file(source)
    try:
        try:
            check_upload(upload, allowed={".xlsx"})
        except ValidationError as error:
            if error.code in ("mismatch", "bad_zip", "xml_dtd"):
                raise _not_a_workbook() from None
            if error.code == "type":
                raise ValidationError(
                    _(
                        "Only Excel workbooks (.xlsx) can be imported. Save the file as an "
                        "Excel workbook (.xlsx) in Excel or WPS and upload it again."
                    ),
                    code="type",
                ) from None
            raise
        upload.seek(0)
        data = upload.read()
        name = Path(upload.name or "").name
    finally:
        if opened:
            upload.close()
    return data, name


def _norm(text: str) -> str:
    """For matching only: NFKC (full-width → half-width) and no spaces."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", text))


def _text(value) -> str:
    """A cell's value as text, as a person would read it."""
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()[:10]
    return str(value).replace("\r\n", "\n").strip()


@dataclass
class _Sheet:
    """The worksheet as the import sees it: merged values spread, columns found."""

    worksheet: object
    header_row: int
    columns: dict[str, int]  # key -> 1-based column
    headers: dict[str, str]  # key -> header as written
    merged: dict[tuple[int, int], object] = field(default_factory=dict)
    continued: set[tuple[int, int]] = field(default_factory=set)  # below a merge's top row
    vertical: set[tuple[int, int]] = field(default_factory=set)  # in a merge of >1 rows
    formulas: set[tuple[int, int]] = field(default_factory=set)  # cells read as blank

    def value(self, row: int, key: str):
        col = self.columns.get(key)
        if col is None:
            return None
        if (row, col) in self.merged:
            return self.merged[(row, col)]
        return self.read(row, col)

    def read(self, row: int, col: int):
        """A cell's value; a formula is noted (an error at its cell) and reads as blank."""
        cell = self.worksheet.cell(row, col)
        if excel.is_formula(cell):
            self.formulas.add((row, col))
            return None
        return cell.value

    def formula_problems(self, problems: list[Problem]) -> list[Problem]:
        """`problems` with one error at each formula cell, in place of any other there
        (a formula read as blank would also be "missing")."""
        if not self.formulas:
            return problems
        keys = {col: key for key, col in self.columns.items()}
        cells = {(row, get_column_letter(col)): (row, col) for row, col in self.formulas}
        kept = [p for p in problems if (p.row, p.column) not in cells]
        return kept + [
            Problem(
                row,
                letter,
                self.header(keys[col]) if col in keys else "",
                excel.formula_refused(),
                "formula",
            )
            for (row, letter), (_row, col) in sorted(cells.items())
        ]

    def letter(self, key: str) -> str:
        return get_column_letter(self.columns[key]) if key in self.columns else ""

    def own_values(self, row: int) -> list[tuple[str, str]]:
        """The row's non-empty cells that are not the lower part of a merge."""
        found = []
        for key, col in self.columns.items():
            if (row, col) in self.continued:
                continue
            text = _text(self.value(row, key))
            if text:
                found.append((key, text))
        return found

    def number_of(self, row: int) -> "tuple[_Number | None, str]":
        """The 序号 of a row (None in the lower rows of a merged 序号) and its text."""
        col = self.columns.get(NUMBER)
        if col is None or (row, col) in self.continued:
            return None, ""
        text = _text(self.value(row, NUMBER))
        return (_parse_number(text) if text else None), text

    def data_rows(self, problem, max_rows: int = MAX_DATA_ROWS, progress=None):
        """(row, its own cells, its number, the number's text) for each row below the
        header with something in it. Blank rows are skipped (and a template's numbered
        empty ones); the table ends after MAX_BLANK_ROWS of them, or, with an error,
        after `max_rows` rows; a note below the table is a warning and skipped. Problems
        go to `problem(row, key, message, code, level)`. `progress`, when given, is
        advanced once per row below the header, blank ones and those after the end of
        the table included, so that it ends at `max_row - header_row`."""
        counted = self.header_row
        try:
            for row, own, number, number_text in self._data_rows(problem, max_rows):
                if progress is not None:
                    progress.advance(row - counted)
                    counted = row
                yield row, own, number, number_text
        finally:
            if progress is not None and self.worksheet.max_row > counted:
                progress.advance(self.worksheet.max_row - counted)

    def _data_rows(self, problem, max_rows: int):
        data_rows = blank_run = 0
        for row in range(self.header_row + 1, self.worksheet.max_row + 1):
            own = self.own_values(row)
            number, number_text = self.number_of(row)
            if not own or ([key for key, _text in own] == [NUMBER] and number and not number.rest):
                blank_run += 1  # a template's pre-numbered empty rows count as blank
                if blank_run > MAX_BLANK_ROWS:
                    return
                continue
            blank_run = 0
            data_rows += 1
            if data_rows > max_rows:
                problem(
                    row,
                    "",
                    _("The sheet has more than %(n)s rows; split it into several files.")
                    % {"n": max_rows},
                    "too_many_rows",
                )
                return
            if len(own) == 1 and (_NOTE_ROW.match(own[0][1]) or _FOOTNOTE_MARK.match(own[0][1])):
                problem(
                    row,
                    own[0][0],
                    _("Read as a note below the table and not imported."),
                    "note_row",
                    WARNING,
                )
                continue
            yield row, own, number, number_text

    def header(self, key: str) -> str:
        return self.headers.get(key) or HEADERS.get(key, "")


def _header_key(value) -> str | None:
    text = _HEADER_HINT.sub("", _norm(_text(value)).lstrip("*"))
    return HEADER_ALIASES.get(text)


def _expected_headers_message(unknown: list[str], missing: list[str]) -> str:
    parts = []
    if unknown:
        parts.append(_("Unknown column header: %(headers)s.") % {"headers": "、".join(unknown)})
    if missing:
        parts.append(_("Missing column: %(headers)s.") % {"headers": "、".join(missing)})
    parts.append(
        _(
            "The header row must use these column headers: %(all)s "
            "(required: 序号, 具体措施 or 重点任务, 牵头单位, 完成时限)."
        )
        % {"all": "、".join(HEADERS.values())}
    )
    return " ".join(parts)


def _find_sheet(workbook) -> tuple[_Sheet | None, list[Problem]]:
    """The first worksheet with a header row in its first rows, and any header problem."""
    for worksheet in workbook.worksheets:
        last_row = min(worksheet.max_row, HEADER_SCAN_ROWS)
        for row in range(1, last_row + 1):
            cells = [
                (col, worksheet.cell(row, col).value)
                for col in range(1, min(worksheet.max_column, MAX_HEADER_COLUMNS) + 1)
            ]
            keys = [(col, value, _header_key(value)) for col, value in cells]
            if sum(1 for _col, _value, key in keys if key) < 2:
                continue
            return _check_header(worksheet, row, keys)
    return None, [
        Problem(
            None,
            "",
            "",
            _("No header row was found in the first %(n)s rows of any sheet.")
            % {"n": HEADER_SCAN_ROWS}
            + " "
            + _expected_headers_message([], []),
            "no_header",
        )
    ]


def _check_header(worksheet, row: int, keys) -> tuple[_Sheet | None, list[Problem]]:
    columns: dict[str, int] = {}
    headers: dict[str, str] = {}
    unknown: list[tuple[int, str]] = []
    for col, value, key in keys:
        text = _SPACES.sub("", _text(value))
        if not text:
            continue
        if key is None or key in columns:
            unknown.append((col, text))
            continue
        columns[key] = col
        headers[key] = text
    missing = [HEADERS[key] for key in REQUIRED if key not in columns]
    if MEASURE not in columns and KEY_TASK not in columns:
        missing.insert(1, HEADERS[MEASURE])
    if unknown or missing:
        first_col = unknown[0][0] if unknown else 0
        problem = Problem(
            row,
            get_column_letter(first_col) if first_col else "",
            unknown[0][1] if unknown else "",
            _expected_headers_message([text for _col, text in unknown], missing),
            "bad_header",
        )
        return None, [problem]
    sheet = _Sheet(worksheet, row, columns, headers)
    read_columns = set(columns.values())
    for merged_range in worksheet.merged_cells.ranges:
        if merged_range.min_row > row and merged_range.min_col in read_columns:
            top = sheet.read(merged_range.min_row, merged_range.min_col)
        else:  # above the table, or in a column that is not read
            top = worksheet.cell(merged_range.min_row, merged_range.min_col).value
        tall = merged_range.max_row > merged_range.min_row
        # A merge spreads down the rows it spans; across columns it is only layout, so the
        # value stays in its first column (a heading row merged over the whole width).
        for r in range(merged_range.min_row, merged_range.max_row + 1):
            sheet.merged[(r, merged_range.min_col)] = top
            if r > merged_range.min_row:
                sheet.continued.add((r, merged_range.min_col))
            if tall:
                sheet.vertical.add((r, merged_range.min_col))
    return sheet, []


# --- numbers in the 序号 column ----------------------------------------------------------

_CN = "一二三四五六七八九十百零"
_D = r"[0-9０-９]"
_DOT = r"[.．]"
_NUMBER_PATTERNS = [
    # (style, pattern); ranks: 一、=0 (一)=1 1.=2 (1)=3 ①=4; 1.2.3 by its parts
    ("decimal", re.compile(rf"^(?P<n>{_D}+(?:{_DOT}{_D}+)+)(?:[.．、]\s*|\s+|$)")),
    ("cn0", re.compile(rf"^(?P<n>[{_CN}]+)(?:\s*[、，,．.]\s*|$)")),
    ("cn1", re.compile(rf"^[(（]\s*(?P<n>[{_CN}]+)\s*[)）]\s*[、.．]?\s*")),
    ("ar3", re.compile(rf"^[(（]\s*(?P<n>{_D}+)\s*[)）]\s*[、.．]?\s*")),
    ("ar2", re.compile(rf"^(?P<n>{_D}+)\s*[、.．](?!{_D})\s*")),
    ("circled", re.compile(r"^(?P<n>[①-⑳])\s*")),
    ("plain", re.compile(rf"^(?P<n>{_D}+)$")),
]
_STYLE_RANK = {"cn0": 0, "cn1": 1, "ar2": 2, "ar3": 3, "circled": 4}


@dataclass(frozen=True)
class _Number:
    style: str
    values: tuple[int, ...]
    text: str  # as written
    rest: str  # text after the number in the same cell

    def rank(self, decimal_sheet: bool) -> int:
        if self.style == "decimal" or (self.style == "plain" and decimal_sheet):
            return len(self.values) - 1
        return _STYLE_RANK.get(self.style, 2)

    def expected(self, position: int) -> str:
        """How the item at `position` would be numbered in this number's style."""
        if self.style in ("decimal", "plain") and len(self.values) > 1:
            return ".".join(str(v) for v in (*self.values[:-1], position))
        if self.style in _STYLE_RANK:
            return chinese_level(_STYLE_RANK[self.style], position)
        return str(position)


def _parse_number(text: str) -> _Number | None:
    text = text.strip()
    for style, pattern in _NUMBER_PATTERNS:
        match = pattern.match(text)
        if not match:
            continue
        raw = match["n"]
        if style in ("cn0", "cn1"):
            value = parse_chinese_numeral(raw)
            if value is None:
                continue
            values: tuple[int, ...] = (value,)
        elif style == "circled":
            values = (ord(raw) - ord("①") + 1,)
        else:
            values = tuple(int(part) for part in re.split(_DOT, raw))
        return _Number(style, values, match.group(0).strip(), text[match.end() :].strip())
    return None


# --- units -----------------------------------------------------------------------------


class _Units:
    """Active org units by exact name or short name (NFKC, no spaces)."""

    def __init__(self):
        self.by_name: dict[str, list[OrgUnit]] = defaultdict(list)
        self.counties: list[OrgUnit] = []
        for unit in OrgUnit.objects.active().select_related("parent").order_by("path"):
            for name in {_norm(unit.name), _norm(unit.short_name)} - {""}:
                self.by_name[name].append(unit)
            if unit.kind == UnitKind.COUNTY:
                self.counties.append(unit)

    def split(self, text: str) -> tuple[list[str], bool]:
        """The names in a cell, and whether it says 各旗县市区 (every county)."""
        text = unicodedata.normalize("NFKC", text)
        all_counties = bool(_ALL_COUNTIES.search(text))
        text = _ALL_COUNTIES.sub(" ", text)
        return [name for name in _UNIT_SEPARATORS.split(text) if name], all_counties

    def find(self, name: str) -> tuple[OrgUnit | None, str]:
        """The unit, or None and why not."""
        found = self.by_name.get(_norm(name), [])
        if len(found) == 1:
            return found[0], ""
        if not found:
            return None, _(
                "Unknown unit “%(name)s”: no active unit has this name or short name."
            ) % {"name": name}
        described = "、".join(
            f"{u.name}({u.parent.name})" if u.parent_id else u.name for u in found
        )
        return None, _("“%(name)s” matches several units: %(units)s. Write the full name.") % {
            "name": name,
            "units": described,
        }


# --- building the plan -----------------------------------------------------------------


@dataclass
class _Item:
    row: int
    kind: str
    content: str
    number: _Number | None
    owns_row: bool  # the row's other cells (units, deadline …) belong to this item
    column: str = ""  # the column its content is in
    rank: int = 0
    parent: "_Item | None" = None
    planned: PlannedTask | None = None


class _Builder:
    def __init__(self, sheet: _Sheet, task_list: TaskList):
        self.sheet = sheet
        self.task_list = task_list
        self.problems: list[Problem] = []
        self.items: list[_Item] = []
        self.grouped = KEY_TASK in sheet.columns and MEASURE in sheet.columns
        self.content_key = MEASURE if MEASURE in sheet.columns else KEY_TASK

    def problem(self, row, key: str, message: str, code: str, level: str = ERROR) -> None:
        self.problems.append(
            Problem(
                row,
                self.sheet.letter(key) if key else "",
                self.sheet.header(key) if key else "",
                message,
                code,
                level,
            )
        )

    # rows -> items

    def _numbers_belong_to_keys(self) -> bool:
        """Whether 序号 numbers the key tasks rather than their measures: it is written on
        rows that start a key task and never on the further measures of one."""
        current, on_keys, on_measures = "", 0, 0
        for row in range(self.sheet.header_row + 1, self.sheet.worksheet.max_row + 1):
            key_text = _text(self.sheet.value(row, KEY_TASK))
            starts_key = bool(key_text) and key_text != current
            current = key_text or current
            _number, number_text = self.sheet.number_of(row)
            if not number_text:
                continue
            if starts_key:
                on_keys += 1
            elif _text(self.sheet.value(row, MEASURE)):
                on_measures += 1
        return on_keys > 0 and on_measures == 0

    def rows_below_header(self) -> int:
        """What the progress of each pass counts: every row below the header."""
        return max(0, self.sheet.worksheet.max_row - self.sheet.header_row)

    def read_rows(self, progress=None) -> None:
        self.numbers_on_keys = self.grouped and self._numbers_belong_to_keys()
        current_key = ""
        if progress is not None:
            progress.start(self.rows_below_header(), _("Reading the rows"))
        rows = self.sheet.data_rows(self.problem, progress=progress)
        for row, _own, number, number_text in rows:
            if number_text and number is None:
                self.problem(
                    row,
                    NUMBER,
                    _("Cannot read the number “%(text)s”. Use 一、 (一) 1. (1) ① or 1.2.3.")
                    % {"text": number_text},
                    "bad_number",
                )
                continue
            if self.grouped:
                current_key = self._grouped_row(row, number, current_key)
            else:
                self._flat_row(row, number)

    def _content(self, text: str, number: _Number | None) -> tuple[str, _Number | None]:
        """Content without a leading number written into it (一、推进… → 推进…)."""
        inline = _parse_number(text)
        if inline and inline.rest and inline.style != "plain":
            return inline.rest, number or inline
        return text, number

    def _grouped_row(self, row: int, number: _Number | None, current_key: str) -> str:
        key_text = _text(self.sheet.value(row, KEY_TASK))
        measure_text = _text(self.sheet.value(row, MEASURE))
        number_col = self.sheet.columns[NUMBER]
        starts_key = bool(key_text) and key_text != current_key
        if starts_key:
            number_is_key = (
                self.numbers_on_keys or not measure_text or (row, number_col) in self.sheet.vertical
            )
            content, key_number = self._content(key_text, number if number_is_key else None)
            self.items.append(
                _Item(row, "key_task", content, key_number, not measure_text, KEY_TASK)
            )
            if number_is_key:
                number = None
            current_key = key_text
        if measure_text:
            content, measure_number = self._content(measure_text, number)
            self.items.append(_Item(row, "measure", content, measure_number, True, MEASURE))
        elif not starts_key:
            if number and number.rest and not key_text:
                # 一、种薯繁育 written across the row: a heading above the key tasks
                self.items.append(_Item(row, "heading", number.rest, number, True, NUMBER))
                return ""
            self.problem(row, MEASURE, _("This row has no measure (具体措施)."), "no_content")
        return current_key

    def _flat_row(self, row: int, number: _Number | None) -> None:
        text = _text(self.sheet.value(row, self.content_key))
        column = self.content_key
        if text:
            content, number = self._content(text, number)
        elif number and number.rest:
            content, column = number.rest, NUMBER
        else:
            self.problem(
                row,
                self.content_key,
                _("This row has no content (%(header)s).")
                % {"header": self.sheet.header(self.content_key)},
                "no_content",
            )
            return
        self.items.append(_Item(row, "task", content, number, True, column))

    # items -> tree

    def build_tree(self) -> None:
        decimal_sheet = any(i.number and i.number.style == "decimal" for i in self.items)
        heading_ranks = [
            i.number.rank(decimal_sheet)
            for i in self.items
            if i.number and i.kind in ("heading", "task")
        ]
        base = min(heading_ranks, default=0)
        stack: list[_Item] = []
        previous_rank: dict[str, int] = {}
        for item in self.items:
            if item.kind == "key_task":
                item.rank = 100
            elif item.number is not None:
                item.rank = item.number.rank(decimal_sheet) + (200 if item.kind == "measure" else 0)
            else:  # unnumbered: at the level of the row before it
                item.rank = previous_rank.get(item.kind, 200 if item.kind == "measure" else base)
            previous_rank[item.kind] = item.rank
            while stack and stack[-1].rank >= item.rank:
                stack.pop()
            item.parent = stack[-1] if stack else None
            if item.parent is None and (
                item.kind == "measure" or (item.kind != "key_task" and item.rank > base)
            ):
                self._orphan(item)
            self._check_decimal_parent(item)
            stack.append(item)

    def _orphan(self, item: _Item) -> None:
        if item.kind == "measure":
            self.problem(
                item.row,
                KEY_TASK,
                _("This measure has no key task (重点任务) above it."),
                "no_parent",
            )
        else:
            self.problem(
                item.row,
                NUMBER,
                _("“%(number)s” has no item of a higher level above it.")
                % {"number": item.number.text if item.number else ""},
                "no_parent",
            )

    def _check_decimal_parent(self, item: _Item) -> None:
        """1.2.3 names its parent: 1.2 must sit under 1 (an orphan is reported already)."""
        number = item.number
        if number is None or len(number.values) < 2 or item.parent is None:
            return
        parent_number = item.parent.number
        if parent_number is not None and parent_number.values != number.values[:-1]:
            self.problem(
                item.row,
                NUMBER,
                _("“%(number)s” is placed under “%(parent)s”; its number says otherwise.")
                % {"number": number.text, "parent": parent_number.text},
                "wrong_parent",
            )

    def plan_rows(self) -> list[PlannedTask]:
        """Place the items, give each the number it will get, check the source's numbers."""
        existing_roots = (
            Task.objects.filter(task_list=self.task_list, parent=None).aggregate(m=Max("position"))[
                "m"
            ]
            or 0
        )
        counters: dict[int, int] = defaultdict(int)
        rows: list[PlannedTask] = []
        for item in self.items:
            parent = item.parent.planned if item.parent else None
            counters[id(parent)] += 1
            position = counters[id(parent)]
            positions = [
                *(parent.positions if parent else []),
                position + (0 if parent else existing_roots),
            ]
            planned = PlannedTask(
                row=item.row,
                kind=item.kind,
                content=item.content,
                source_number=item.number.text if item.number else "",
                parent=parent,
                positions=positions,
                number=format_number(positions, self.task_list.numbering),
            )
            if parent:
                parent.children.append(planned)
            item.planned = planned
            rows.append(planned)
            self._check_sequence(item, position)
        return rows

    def _check_sequence(self, item: _Item, position: int) -> None:
        number = item.number
        if number is None or (number.style == "plain" and self.grouped):
            return  # plain 1, 2, 3 in a grouped sheet often count all measures through
        if number.values[-1] == position:
            return
        self.problem(
            item.row,
            NUMBER,
            _(
                "Numbered “%(found)s”, but it is item %(position)s at its level "
                "(“%(expected)s” expected). It will be numbered %(number)s."
            )
            % {
                "found": number.text,
                "position": position,
                "expected": number.expected(position),
                "number": item.planned.number,
            },
            "sequence",
            WARNING,
        )

    # the other cells

    def fill_fields(self, units: _Units, progress=None) -> None:
        if progress is not None:
            progress.start(self.rows_below_header(), _("Checking units and deadlines"))
        counted = self.sheet.header_row
        for item in self.items:
            if item.owns_row:
                self._fill(item.row, item.planned, units)
            if progress is not None and item.row > counted:
                progress.advance(item.row - counted)
                counted = item.row
        if progress is not None and self.sheet.worksheet.max_row > counted:
            progress.advance(self.sheet.worksheet.max_row - counted)
        for item in self.items:
            planned = item.planned
            if planned.children or not item.owns_row:
                continue
            if not _text(self.sheet.value(item.row, LEAD)):
                self.problem(
                    item.row,
                    LEAD,
                    _("No lead unit; choose one before the task is assigned."),
                    "no_lead_unit",
                    WARNING,
                )
            if not _text(self.sheet.value(item.row, DEADLINE)):
                self.problem(
                    item.row,
                    DEADLINE,
                    _("No deadline; set one before the task is assigned."),
                    "no_deadline",
                    WARNING,
                )

    def _fill(self, row: int, planned: PlannedTask, units: _Units) -> None:
        self._fill_units(row, planned, units)
        self._fill_deadline(row, planned)
        leader = _text(self.sheet.value(row, LEADER))
        if len(leader) > 100:
            self.problem(row, LEADER, _("At most 100 characters, please."), "too_long")
        planned.responsible_leader = leader[:100]
        planned.remarks = _text(self.sheet.value(row, REMARKS))

    def _units_in(self, row: int, key: str, units: _Units) -> tuple[list[OrgUnit], bool]:
        """The units named in a cell (unknown ones reported), and whether it says 各旗县市区."""
        names, all_counties = units.split(_text(self.sheet.value(row, key)))
        found: list[OrgUnit] = []
        for name in names:
            unit, why = units.find(name)
            if unit is None:
                self.problem(row, key, why, "unknown_unit")
            elif unit not in found:
                found.append(unit)
        return found, all_counties

    def _fill_units(self, row: int, planned: PlannedTask, units: _Units) -> None:
        leads, lead_all_counties = self._units_in(row, LEAD, units)
        named, all_counties = self._units_in(row, COOPERATING, units)
        if lead_all_counties:
            self.problem(
                row,
                LEAD,
                _(
                    "“各旗县市区” is not one unit. Name the lead unit, or give each county "
                    "its own row."
                ),
                "all_counties_lead",
            )
        lead = leads[0] if leads else None
        if lead is not None and lead in named:
            self.problem(
                row,
                COOPERATING,
                _("%(unit)s is the lead unit and cannot also be a cooperating unit.")
                % {"unit": lead.name},
                "lead_is_cooperating",
            )
        cooperating = [u for u in leads[1:] if u not in named] + named
        if len(leads) > 1:
            planned.notes.append(
                _("Several lead units: %(lead)s leads, %(others)s cooperate.")
                % {"lead": lead.name, "others": "、".join(u.name for u in leads[1:])}
            )
        if all_counties:
            counties = [u for u in units.counties if u != lead]
            cooperating += [u for u in counties if u not in cooperating]
            planned.notes.append(
                _("“各旗县市区” read as every county: %(units)s.")
                % {"units": "、".join(u.name for u in counties)}
            )
        planned.lead_unit = lead
        planned.cooperating_units = cooperating

    def _fill_deadline(self, row: int, planned: PlannedTask) -> None:
        value = self.sheet.value(row, DEADLINE)
        if isinstance(value, datetime.datetime):
            value = value.date()
        if isinstance(value, int | float) and not isinstance(value, bool):
            # A date cell without a date format shows its serial number (2000 to 2099).
            value = from_excel(value).date() if 36526 <= value <= 73050 else _text(value)
        if isinstance(value, datetime.date):
            planned.deadline = deadline_from_date(value)
            planned.due_text = value.isoformat()
        else:
            text = _text(value)
            if not text:
                return
            planned.due_text = text[:60]
            if len(text) > 60:
                self.problem(row, DEADLINE, _("At most 60 characters, please."), "too_long")
                return
            try:
                planned.deadline = parse_deadline(text, self.task_list.year)
            except DeadlineError as error:
                self.problem(row, DEADLINE, error.message, f"deadline_{error.code}")
                return
        planned.notes.append(planned.deadline.explanation)
        due = planned.deadline.due_date
        if due is not None and due.year < self.task_list.year:
            self.problem(
                row,
                DEADLINE,
                _("The deadline %(date)s is before the list's year %(year)s.")
                % {"date": due.isoformat(), "year": self.task_list.year},
                "deadline_before_year",
                WARNING,
            )

    def check_existing(self) -> None:
        """Warn when the list has tasks already, and about tasks that would be doubled."""
        existing = dict(
            Task.objects.filter(task_list=self.task_list).values_list("content", "sort_path")
        )
        if not existing:
            return
        self.problem(
            None,
            "",
            ngettext(
                "The list already has %(n)s task; the imported tasks are added after it.",
                "The list already has %(n)s tasks; the imported tasks are added after them.",
                len(existing),
            )
            % {"n": len(existing)},
            "list_not_empty",
            WARNING,
        )
        for item in self.items:
            path = existing.get(item.content)
            if path is None:
                continue
            positions = [int(part) for part in path.split(".") if part]
            self.problem(
                item.row,
                item.column,
                _("The list already has this task (number %(number)s); it would be doubled.")
                % {"number": format_number(positions, self.task_list.numbering)},
                "duplicate",
                WARNING,
            )


def parse_workbook(source, *, task_list: TaskList, progress=None) -> ImportPlan:
    """The dry run: what importing `source` into `task_list` would create, and every
    problem. Raises ValidationError when the file itself is unusable (too large, not an
    .xlsx, a zip bomb).

    `progress` (an ops.services.Progress, or anything with its `start(total, stage)` and
    `advance(count)`) is told each row below the header, in each of the two passes over
    the rows: reading them, then checking their units and deadlines."""
    workbook, name, sha256 = read_workbook(source)
    plan = ImportPlan(task_list=task_list, file_name=name, sha256=sha256)
    try:
        sheet, problems = _find_sheet(workbook)
        plan.problems.extend(problems)
        if sheet is None:
            return plan
        plan.sheet = sheet.worksheet.title
        builder = _Builder(sheet, task_list)
        plan.rows_read = builder.rows_below_header()
        builder.read_rows(progress)
        builder.build_tree()
        plan.rows = builder.plan_rows()
        builder.fill_fields(_Units(), progress)
        builder.check_existing()
        plan.problems.extend(sheet.formula_problems(builder.problems))
    finally:
        workbook.close()
    if not plan.rows and not plan.errors:
        plan.problems.append(
            Problem(None, "", "", _("The file has no tasks under its header row."), "empty")
        )
    plan.problems.sort(key=lambda p: (p.row or 0, len(p.column), p.column))
    return plan


# --- committing ------------------------------------------------------------------------

COMMIT_BATCH = 500  # tasks per INSERT (and per step of the progress bar)


def commit(plan: ImportPlan, *, actor, progress=None) -> list[Task]:
    """Create the plan's tasks (and milestones of recurring deadlines) in one transaction;
    all or nothing. Refuses a plan with errors, and a list whose top-level tasks changed
    since the plan was made (its numbers would be wrong).

    The tasks are what `services.task_create` makes of each row (tree fields, county,
    original due date, cooperating units, milestones, the "create" event of its
    timeline and its audit event), written in bulk: a few INSERTs per COMMIT_BATCH
    tasks, whatever the size of the file. They are built and validated before the
    transaction, which holds SQLite's write lock: other requests wait while it lasts.
    `progress` (see parse_workbook) is told each batch saved."""
    if not plan.is_valid:
        raise ValidationError(
            _("The file has errors; nothing was imported. Correct them and upload it again."),
            code="invalid_plan",
        )
    if not scoping.can_manage_list(actor, plan.task_list):
        raise PermissionDenied
    tasks = _build_tasks(plan)
    if progress is not None:
        progress.start(len(plan.rows), _("Saving the tasks"))
    try:
        with transaction.atomic():
            _check_unchanged(plan)
            _save_tasks(plan, tasks, actor, progress)
            audit.record(
                actor=actor,
                action=AuditAction.CREATE,
                instance=plan.task_list,
                after={
                    "file": plan.file_name,
                    "sha256": plan.sha256,
                    "sheet": plan.sheet,
                    "tasks": len(tasks),
                    "milestones": plan.milestone_count,
                },
                message="task list import",
            )
    except IntegrityError:
        # A task placed in the list meanwhile took one of the planned numbers.
        raise _list_changed() from None
    return tasks


def _list_changed() -> ValidationError:
    return ValidationError(
        _("The list changed while the file was being checked; upload it again."),
        code="list_changed",
    )


def _check_unchanged(plan: ImportPlan) -> None:
    """One import into a list at a time (its row locked), and none when the list's top
    level moved since the plan numbered the rows after it."""
    TaskList.objects.select_for_update().filter(pk=plan.task_list.pk).first()
    after = min(p.positions[0] for p in plan.rows if p.parent is None) - 1
    last = Task.objects.filter(task_list=plan.task_list, parent=None).aggregate(m=Max("position"))[
        "m"
    ]
    if (last or 0) != after:
        raise _list_changed()


def _build_tasks(plan: ImportPlan) -> list[Task]:
    """The plan's tasks, in its order, validated and not saved: each with its parent's
    object (saved first, its id then set by bulk_create), its place in the tree as
    `services._place` gives it, and its county."""
    counties = _Counties()
    built: dict[int, Task] = {}
    for planned in plan.rows:
        task = Task(
            task_list=plan.task_list,
            parent=built[id(planned.parent)] if planned.parent else None,
            content=planned.content,
            lead_unit=planned.lead_unit,
            county=counties.of(planned.lead_unit),
            responsible_leader=planned.responsible_leader,
            due_date=planned.due_date,
            original_due_date=planned.due_date,
            due_text=planned.due_text,
            is_ongoing=planned.is_ongoing,
            remarks=planned.remarks,
            is_heading=bool(planned.children),
            position=planned.positions[-1],
            sort_path="".join(f"{position:04d}." for position in planned.positions),
            depth=planned.depth,
        )
        # The fields' own rules and Task.clean(); the relations are the plan's own
        # objects, and the database checks the constraints (a query a row otherwise).
        task.full_clean(
            exclude=["task_list", "parent", "lead_unit", "county"],
            validate_unique=False,
            validate_constraints=False,
        )
        built[id(planned)] = task
    return list(built.values())


def _save_tasks(plan: ImportPlan, tasks: list[Task], actor, progress) -> None:
    levels: dict[int, list[tuple[PlannedTask, Task]]] = defaultdict(list)
    for planned, task in zip(plan.rows, tasks, strict=True):
        levels[planned.depth].append((planned, task))
    chain = _AuditBatch(actor)
    # Parents first: a level is saved, and has its ids, before the level below it.
    for depth in sorted(levels):
        level = levels[depth]
        for start in range(0, len(level), COMMIT_BATCH):
            batch = level[start : start + COMMIT_BATCH]
            Task.objects.bulk_create([task for _planned, task in batch])
            _create_related(plan, batch, actor, chain)
            if progress is not None:
                progress.advance(len(batch))
    chain.close()


def _create_related(plan: ImportPlan, batch, actor, chain) -> None:
    """The cooperating units, milestones, timeline events and audit events of a batch of
    saved tasks: (planned, task) pairs."""
    through = Task.cooperating_units.through
    through.objects.bulk_create(
        through(task_id=task.pk, orgunit_id=unit.pk)
        for planned, task in batch
        for unit in planned.cooperating_units
    )
    milestones = {
        task.pk: [Milestone(task=task, title=title, due_date=due) for title, due in p.milestones]
        for p, task in batch
    }
    Milestone.objects.bulk_create(m for ms in milestones.values() for m in ms)
    TaskEvent.objects.bulk_create(
        TaskEvent(
            task=task,
            actor=actor,
            action="create",
            to_status=task.status,
            comment=_("Imported from %(file)s, row %(row)s")
            % {"file": plan.file_name, "row": planned.row},
        )
        for planned, task in batch
    )
    for planned, task in batch:
        chain.add(
            task,
            audit.snapshot(task)
            | {
                "cooperating_units": [u.pk for u in planned.cooperating_units],
                "milestones": [[m.title, m.due_date] for m in milestones[task.pk]],
            },
        )


class _Counties:
    """services._county_of, once per lead unit."""

    def __init__(self):
        self._found: dict[int, OrgUnit | None] = {}

    def of(self, unit: OrgUnit | None) -> OrgUnit | None:
        if unit is None:
            return None
        if unit.pk not in self._found:
            self._found[unit.pk] = services._county_of(unit)
        return self._found[unit.pk]


class _AuditBatch:
    """The "create" audit event of each imported task, appended to the chain in bulk at
    the end of the import (`audit.record_many`): thirty thousand statements fewer for a
    10,000-row file, and the chain's head not locked while the tasks are written."""

    def __init__(self, actor):
        self.actor = actor
        self.ip = current_ip()
        self.pending: list[AuditEvent] = []

    def add(self, instance, after: dict) -> None:
        self.pending.append(
            audit.new_event(
                actor=self.actor,
                action=AuditAction.CREATE,
                instance=instance,
                after=after,
                ip=self.ip,
            )
        )

    def close(self) -> None:
        audit.record_many(self.pending, batch_size=COMMIT_BATCH)
        self.pending = []
