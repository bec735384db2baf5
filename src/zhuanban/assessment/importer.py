"""Importing a scheme's items (考核指标) from Excel, with a dry run.

`parse_workbook()` reads the file and returns an `ImportPlan`: every item that would be
created, in tree order with the number it will get, and every problem by cell (D7 分值).
Nothing touches the database but reads. `commit()` creates the plan's items in one
transaction, and only when the plan has no errors: all or nothing.

The form schemes come in: one sheet, a title row or two, then a header row with 序号,
考核内容, 分值, 评分标准, 佐证材料要求, 责任单位 and optionally 权重 (top-level items, in
percent) and 评分方式 (人工评分 or one of the automatic methods, whose source is chosen
later in the item form). The 序号 column places rows in the tree: 一、 → (一) → 1. → (1),
or 1 → 1.1 → 1.1.1. A row without a 序号 of its own (blank, or under a merged 序号)
continues the item above it: its texts are appended, its 分值 added. A heading's empty
分值 is the sum of its sub-items'. Notes (注：…) and a total row (合计) are not imported.

The workbook reading, the 序号 parsing and the unit matching are the task-list import's
(`zhuanban.tasks.importer`).

A large file (more rows than settings.JOB_SYNC_ROWS, as `rows_to_read()` tells without
reading them) is checked and committed by background jobs (`import_jobs.py`): both take
a `progress` to report each row, and the check keeps its plan as JSON (`plan_data()`,
read back for the page by `plan_from_data()`).
"""

import difflib
import io
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import openpyxl
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl.utils import get_column_letter

from zhuanban.assessment import scoping
from zhuanban.assessment.lifecycle import DESIGN_STATES
from zhuanban.assessment.models import HUNDRED, ZERO, Evidence, Item, Method, Scheme
from zhuanban.assessment.services import METHOD_NEEDS
from zhuanban.core import audit
from zhuanban.core.files import as_file, check_upload
from zhuanban.core.models import AuditAction
from zhuanban.org.models import OrgUnit
from zhuanban.tasks.importer import (
    _HEADER_HINT,
    ERROR,
    HEADER_SCAN_ROWS,
    MAX_HEADER_COLUMNS,
    WARNING,
    Problem,
    _norm,
    _Number,
    _parse_number,
    _Sheet,
    _text,
    _Units,
    read_workbook,
)
from zhuanban.tasks.numbering import chinese_level

__all__ = [
    "ERROR",
    "WARNING",
    "ImportPlan",
    "PlannedItem",
    "Problem",
    "commit",
    "parse_workbook",
    "plan_data",
    "plan_from_data",
    "rows_to_read",
]

MAX_DATA_ROWS = 2000
MAX_POINTS = Decimal("99999.99")  # Item.max_score: 7 digits, 2 decimals
RESPONSIBLE_MAX = 300  # Item.responsible_text

# Column keys, the header each is written as, and the other ways schemes write it.
NUMBER, TITLE, MAX_SCORE, WEIGHT, METHOD, CRITERIA, EVIDENCE, RESPONSIBLE = (
    "number",
    "title",
    "max_score",
    "weight",
    "method",
    "criteria",
    "evidence",
    "responsible",
)
HEADERS = {
    NUMBER: "序号",
    TITLE: "考核内容",
    MAX_SCORE: "分值",
    WEIGHT: "权重",
    METHOD: "评分方式",
    CRITERIA: "评分标准",
    EVIDENCE: "佐证材料要求",
    RESPONSIBLE: "责任单位",
}
HEADER_ALIASES = {
    **{header: key for key, header in HEADERS.items()},
    "编号": NUMBER,
    "考核指标": TITLE,
    "考核项目": TITLE,
    "考核事项": TITLE,
    "指标名称": TITLE,
    "标准分": MAX_SCORE,
    "分数": MAX_SCORE,
    "权重%": WEIGHT,
    "计分方式": METHOD,
    "评分方法": METHOD,
    "评分细则": CRITERIA,
    "评分办法": CRITERIA,
    "考核标准": CRITERIA,
    "评分依据": CRITERIA,
    "佐证材料": EVIDENCE,
    "佐证资料": EVIDENCE,
    "佐证材料清单": EVIDENCE,
    "牵头单位": RESPONSIBLE,
    "责任部门": RESPONSIBLE,
    "牵头部门": RESPONSIBLE,
}
REQUIRED = (NUMBER, TITLE, MAX_SCORE)
# The column order of the template (and of the plan's problems).
TEMPLATE_ORDER = (NUMBER, TITLE, MAX_SCORE, WEIGHT, METHOD, CRITERIA, EVIDENCE, RESPONSIBLE)

# 评分方式 as schemes write it.
METHOD_NAMES = {
    "人工评分": Method.MANUAL,
    "任务按期办结率": Method.TASKS,
    "指标完成率": Method.INDICATOR,
    "调度报送及时率": Method.DISPATCH,
    "督办通报扣分": Method.NOTICES,
}
_TOTAL_ROW = re.compile(r"^(?:合计|总计|总分|总分值|小计)$")
_POINTS_IN_TITLE = re.compile(r"\s*[(（]\s*(?P<points>[0-9]+(?:\.[0-9]+)?)\s*分\s*[)）]\s*$")
_POINTS_SUFFIX = re.compile(r"\s*分$")
_PERCENT_SUFFIX = re.compile(r"\s*%$")


def points_text(value: Decimal | None) -> str:
    """10.00 → "10", 2.50 → "2.5" (never 1E+1)."""
    if value is None:
        return ""
    return format(value.normalize(), "f")


# --- the plan --------------------------------------------------------------------------


@dataclass
class PlannedItem:
    """An item the import would create."""

    row: int
    title: str
    source_number: str = ""
    last_row: int = 0
    parent: "PlannedItem | None" = None
    positions: list[int] = field(default_factory=list)
    number: str = ""
    max_score: Decimal | None = None
    weight: Decimal | None = None
    method: str = Method.MANUAL
    criteria: str = ""
    evidence_required: str = ""
    responsible_text: str = ""
    responsible_units: list[OrgUnit] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    children: list["PlannedItem"] = field(default_factory=list)

    @property
    def depth(self) -> int:
        return len(self.positions) - 1

    @property
    def is_heading(self) -> bool:
        return bool(self.children)

    @property
    def points(self) -> str:
        return points_text(self.max_score)

    @property
    def weight_text(self) -> str:
        return points_text(self.weight)

    @property
    def method_label(self) -> str:
        return Method(self.method).label

    @property
    def is_automatic(self) -> bool:
        return self.method != Method.MANUAL


@dataclass
class ImportPlan:
    scheme: Scheme
    items: list[PlannedItem] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    file_name: str = ""
    sha256: str = ""
    sheet: str = ""
    replace: bool = False
    existing_count: int = 0

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]

    @property
    def is_valid(self) -> bool:
        return bool(self.items) and not self.errors

    @property
    def roots(self) -> list[PlannedItem]:
        return [item for item in self.items if item.parent is None]

    @property
    def leaf_count(self) -> int:
        return sum(1 for item in self.items if not item.children)

    @property
    def total_points(self) -> str:
        return points_text(sum((i.max_score or ZERO for i in self.roots), ZERO))

    @property
    def total_weight(self) -> str:
        weights = [i.weight for i in self.roots if i.weight is not None]
        return points_text(sum(weights, ZERO)) if weights else ""


# --- reading the sheet -----------------------------------------------------------------


def _header_key(value) -> str | None:
    text = _norm(_text(value)).lstrip("*＊")
    return HEADER_ALIASES.get(text) or HEADER_ALIASES.get(_HEADER_HINT.sub("", text))


def _headers_message(missing: list[str]) -> str:
    return " ".join(
        [
            _("Missing column: %(headers)s.") % {"headers": "、".join(missing)},
            _(
                "The header row must name these columns: %(all)s (required: 序号, 考核内容, "
                "分值; 权重 and 评分方式 are optional)."
            )
            % {"all": "、".join(HEADERS[key] for key in TEMPLATE_ORDER)},
        ]
    )


def _find_sheet(workbook) -> tuple[_Sheet | None, list[Problem]]:
    """The first worksheet with a header row in its first rows, and its header problems."""
    for worksheet in workbook.worksheets:
        for row in range(1, min(worksheet.max_row, HEADER_SCAN_ROWS) + 1):
            cells = [
                (col, worksheet.cell(row, col).value)
                for col in range(1, min(worksheet.max_column, MAX_HEADER_COLUMNS) + 1)
            ]
            keys = [(col, value, _header_key(value)) for col, value in cells]
            if sum(1 for _col, _value, key in keys if key) >= 2:
                return _check_header(worksheet, row, keys)
    return None, [
        Problem(
            None,
            "",
            "",
            _("No header row was found in the first %(n)s rows of any sheet.")
            % {"n": HEADER_SCAN_ROWS}
            + " "
            + _headers_message([HEADERS[key] for key in REQUIRED]),
            "no_header",
        )
    ]


def _check_header(worksheet, row: int, keys) -> tuple[_Sheet | None, list[Problem]]:
    columns: dict[str, int] = {}
    headers: dict[str, str] = {}
    problems: list[Problem] = []
    for col, value, key in keys:
        text = re.sub(r"\s+", "", _text(value))
        if not text:
            continue
        if key is None or key in columns:
            # Columns a scheme adds (备注, 自评得分 …) are left alone.
            problems.append(
                Problem(
                    row,
                    get_column_letter(col),
                    text,
                    _("This column is not read."),
                    "column_ignored",
                    WARNING,
                )
            )
            continue
        columns[key] = col
        headers[key] = text
    missing = [HEADERS[key] for key in REQUIRED if key not in columns]
    if missing:
        return None, [Problem(row, "", "", _headers_message(missing), "bad_header")]
    sheet = _SchemeSheet(worksheet, row, columns, headers)
    read_columns = set(columns.values())
    for merged_range in worksheet.merged_cells.ranges:
        if merged_range.min_row > row and merged_range.min_col in read_columns:
            top = sheet.read(merged_range.min_row, merged_range.min_col)
        else:  # above the table, or in a column that is not read
            top = worksheet.cell(merged_range.min_row, merged_range.min_col).value
        # A merge spreads down the rows it spans; across columns it is only layout.
        for r in range(merged_range.min_row, merged_range.max_row + 1):
            sheet.merged[(r, merged_range.min_col)] = top
            if r > merged_range.min_row:
                sheet.continued.add((r, merged_range.min_col))
    return sheet, problems


class _SchemeSheet(_Sheet):
    """The task import's sheet (merges spread, formulas noted), with this form's headers."""

    def header(self, key: str) -> str:
        return self.headers.get(key) or HEADERS.get(key, "")


# --- cells -----------------------------------------------------------------------------


class _BadNumber(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _decimal(value, *, suffix: re.Pattern, percent_format: bool = False) -> Decimal | None:
    """A cell as a number with at most two decimals: 10, 10.5, "10分", "20%"."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise _BadNumber(_("%(value)s is not a number.") % {"value": f"“{value}”"})
    if isinstance(value, int | float):
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if percent_format and number <= 1:
            number *= HUNDRED  # 20% typed into a percent cell is stored as 0.2
    else:
        text = suffix.sub("", unicodedata.normalize("NFKC", str(value)).strip())
        try:
            number = Decimal(text.replace(",", ""))
        except InvalidOperation:
            raise _BadNumber(
                _("%(value)s is not a number.") % {"value": f"“{_text(value)}”"}
            ) from None
    if not number.is_finite():
        raise _BadNumber(_("%(value)s is not a number.") % {"value": f"“{_text(value)}”"})
    if number != number.quantize(Decimal("0.01")):
        raise _BadNumber(_("At most two decimal places, please."))
    return number.quantize(Decimal("0.01"))


@dataclass
class _Row:
    """A row of the sheet that starts an item, with the rows that continue it."""

    row: int
    number: _Number | None
    item: PlannedItem
    rank: int = 0
    parent: "_Row | None" = None
    score_rows: list[int] = field(default_factory=list)  # rows whose 分值 made its maximum
    continued: list[int] = field(default_factory=list)


class _NoProgress:
    """What a caller without a progress bar passes: nothing is reported."""

    def start(self, total=None, stage=""):
        pass

    def stage(self, stage):
        pass

    def advance(self, count=1):
        pass


class _Planner:
    def __init__(self, sheet: _Sheet, scheme: Scheme, progress=None):
        self.sheet = sheet
        self.scheme = scheme
        self.progress = progress or _NoProgress()
        self.problems: list[Problem] = []
        self.rows: list[_Row] = []
        self.total: tuple[int, Decimal] | None = None  # the 合计 row and its value
        self.numbered = False

    def problem(self, row, key: str, message: str, code: str, level: str = ERROR) -> None:
        letter = get_column_letter(self.sheet.columns[key]) if key in self.sheet.columns else ""
        header = self.sheet.header(key) if letter else ""
        self.problems.append(Problem(row, letter, header, message, code, level))

    def own(self, row: int, key: str) -> str:
        """The text of a cell of this row, "" in the lower rows of a merge."""
        col = self.sheet.columns.get(key)
        if col is None or (row, col) in self.sheet.continued:
            return ""
        return _text(self.sheet.value(row, key))

    def cell_text(self, row: int, key: str) -> str:
        return _text(self.sheet.value(row, key))

    # rows -> items

    def read_rows(self) -> None:
        worksheet = self.sheet.worksheet
        first = self.sheet.header_row + 1
        self.numbered = any(
            self.own(row, NUMBER) for row in range(first, min(worksheet.max_row, 5000) + 1)
        )
        progress = self.progress
        progress.start(max(0, worksheet.max_row - self.sheet.header_row), _("Reading the rows"))
        counted = self.sheet.header_row  # rows counted so far, blank ones included
        for row, _own, number, number_text in self.sheet.data_rows(
            self.problem, max_rows=MAX_DATA_ROWS
        ):
            progress.advance(row - counted)
            counted = row
            if self._total_row(row, number_text):
                continue
            if number_text and number is None:
                self.problem(
                    row,
                    NUMBER,
                    _("Cannot read the number “%(text)s”. Use 一、 (一) 1. (1) ① or 1.2.3.")
                    % {"text": number_text},
                    "bad_number",
                )
                continue
            self._row(row, number)
        progress.advance(max(0, worksheet.max_row - counted))  # the blank rows at the end

    def _total_row(self, row: int, number_text: str) -> bool:
        label = _norm(number_text or self.own(row, TITLE))
        if not _TOTAL_ROW.match(label):
            return False
        try:
            value = _decimal(self.sheet.value(row, MAX_SCORE), suffix=_POINTS_SUFFIX)
        except _BadNumber:
            value = None
        if value is not None:
            self.total = (row, value)
        self.problem(
            row,
            NUMBER if number_text else TITLE,
            _("Read as the total row and not imported; the total is checked against the items."),
            "total_row",
            WARNING,
        )
        return True

    def _row(self, row: int, number: _Number | None) -> None:
        title = self.own(row, TITLE)
        inline = _parse_number(title) if title else None
        if inline and inline.rest and inline.style != "plain":
            title, number = inline.rest, number or inline  # 一、产业发展 written in 考核内容
        elif number and number.rest and not title:
            title = number.rest  # 一、产业发展 written in 序号 across the row
        if number is None and self.rows and (self.numbered or not title):
            self._continue(self.rows[-1], row)
            return
        if number is None and self.numbered:
            self.problem(
                row,
                NUMBER,
                _("This row has no 序号, and there is no item above it to continue."),
                "no_number",
            )
        if not title:
            title = self.cell_text(row, TITLE)  # the top row of a merged 考核内容
        if not title:
            self.problem(row, TITLE, _("This item has no content (考核内容)."), "no_content")
        item = PlannedItem(
            row=row, last_row=row, title=title, source_number=number.text if number else ""
        )
        entry = _Row(row, number, item)
        self._fill(entry, row, first=True)
        self.rows.append(entry)

    def _continue(self, entry: _Row, row: int) -> None:
        """A row without a 序号 of its own: more of the item above it."""
        item = entry.item
        title = self.own(row, TITLE)
        if title:
            item.title = f"{item.title}\n{title}" if item.title else title
        entry.continued.append(row)
        item.last_row = row
        self._fill(entry, row, first=False)

    def note_continuations(self) -> None:
        for entry in self.rows:
            if entry.continued:
                entry.item.notes.insert(
                    0,
                    ngettext(
                        "Row %(rows)s has no 序号: read as part of this item.",
                        "Rows %(rows)s have no 序号: read as part of this item.",
                        len(entry.continued),
                    )
                    % {"rows": _rows_text(entry.continued)},
                )

    def _fill(self, entry: _Row, row: int, *, first: bool) -> None:
        """The row's other cells into the item: on its first row, what the cells say
        (a merge counts for every row it spans); on a continuing row, only its own cells."""
        item = entry.item
        read = self.cell_text if first else self.own
        for key, attribute in ((CRITERIA, "criteria"), (EVIDENCE, "evidence_required")):
            text = read(row, key)
            if text:
                before = getattr(item, attribute)
                setattr(item, attribute, f"{before}\n{text}" if before else text)
        text = read(row, RESPONSIBLE)
        if text:
            item.responsible_text = (
                f"{item.responsible_text}、{text}" if item.responsible_text else text
            )
        self._score(entry, row, first=first)
        self._weight(entry, row, first=first)
        self._method(entry, row, first=first)

    def _score(self, entry: _Row, row: int, *, first: bool) -> None:
        col = self.sheet.columns[MAX_SCORE]
        if not first and (row, col) in self.sheet.continued:
            return  # one 分值 merged over the item's rows
        try:
            value = _decimal(self.sheet.value(row, MAX_SCORE), suffix=_POINTS_SUFFIX)
        except _BadNumber as error:
            self.problem(row, MAX_SCORE, error.message, "bad_score")
            entry.score_rows.append(row)
            return
        if value is None:
            return
        if value < 0:
            self.problem(row, MAX_SCORE, _("The 分值 cannot be negative."), "negative_score")
        elif value > MAX_POINTS:
            self.problem(
                row,
                MAX_SCORE,
                _("At most %(max)s points, please.") % {"max": points_text(MAX_POINTS)},
                "score_too_large",
            )
        item = entry.item
        if not first:
            item.max_score = value if item.max_score is None else item.max_score + value
            self.problem(
                row,
                MAX_SCORE,
                _(
                    "This row has no 序号: it is read as part of the item of row %(row)s, "
                    "and its 分值 is added to that item's (%(points)s in all)."
                )
                % {"row": entry.row, "points": points_text(item.max_score)},
                "score_added",
                WARNING,
            )
        else:
            item.max_score = value
        entry.score_rows.append(row)

    def _weight(self, entry: _Row, row: int, *, first: bool) -> None:
        col = self.sheet.columns.get(WEIGHT)
        if col is None or (not first and (row, col) in self.sheet.continued):
            return
        cell = self.sheet.worksheet.cell(row, col)
        try:
            value = _decimal(
                self.sheet.value(row, WEIGHT),
                suffix=_PERCENT_SUFFIX,
                percent_format="%" in (cell.number_format or ""),
            )
        except _BadNumber as error:
            self.problem(row, WEIGHT, error.message, "bad_weight")
            return
        if value is None:
            return
        if entry.item.weight is not None:
            self.problem(
                row,
                WEIGHT,
                _("The item of row %(row)s has a weight already.") % {"row": entry.row},
                "weight_twice",
            )
            return
        if not ZERO <= value <= HUNDRED:
            self.problem(row, WEIGHT, _("A weight is a percentage from 0 to 100."), "weight_range")
            return
        entry.item.weight = value

    def _method(self, entry: _Row, row: int, *, first: bool) -> None:
        col = self.sheet.columns.get(METHOD)
        if col is None or (not first and (row, col) in self.sheet.continued):
            return
        text = _text(self.sheet.value(row, METHOD))
        if not text:
            return
        method = _method_of(text)
        if method is None:
            self.problem(
                row,
                METHOD,
                _("Unknown scoring method “%(text)s”. Write one of: %(names)s.")
                % {"text": text, "names": "、".join(METHOD_NAMES)},
                "bad_method",
            )
            return
        if not first and entry.item.method != Method.MANUAL and entry.item.method != method:
            self.problem(
                row,
                METHOD,
                _("The item of row %(row)s has a scoring method already.") % {"row": entry.row},
                "method_twice",
            )
            return
        entry.item.method = method

    # items -> tree

    def build_tree(self) -> None:
        decimal_sheet = any(e.number and e.number.style == "decimal" for e in self.rows)
        base = min((e.number.rank(decimal_sheet) for e in self.rows if e.number), default=0)
        stack: list[_Row] = []
        for entry in self.rows:
            entry.rank = entry.number.rank(decimal_sheet) if entry.number else base
            while stack and stack[-1].rank >= entry.rank:
                stack.pop()
            entry.parent = stack[-1] if stack else None
            if entry.parent is None and entry.rank > base:
                self.problem(
                    entry.row,
                    NUMBER,
                    _("“%(number)s” has no item of a higher level above it.")
                    % {"number": entry.number.text if entry.number else ""},
                    "no_parent",
                )
            stack.append(entry)
        counters: dict[int, int] = {}
        for entry in self.rows:
            item, parent = entry.item, entry.parent.item if entry.parent else None
            position = counters[id(parent)] = counters.get(id(parent), 0) + 1
            item.parent = parent
            item.positions = [*(parent.positions if parent else []), position]
            item.number = chinese_level(item.depth, position)
            if parent is not None:
                parent.children.append(item)
        for entry in self.rows:
            self._check_number(entry, decimal_sheet)

    def _check_number(self, entry: _Row, decimal_sheet: bool) -> None:
        number, item = entry.number, entry.item
        if number is None:
            return
        parent = entry.parent
        if number.style == "decimal" or (number.style == "plain" and decimal_sheet):
            # 1.2.3 names its parent: it must sit under 1.2.
            if parent is not None and parent.number and parent.number.values != number.values[:-1]:
                self.problem(
                    entry.row,
                    NUMBER,
                    _("“%(number)s” is placed under “%(parent)s”; its number says otherwise.")
                    % {"number": number.text, "parent": parent.number.text},
                    "wrong_parent",
                )
                return
        elif parent is not None and entry.rank > parent.rank + 1:
            self.problem(
                entry.row,
                NUMBER,
                _(
                    "“%(number)s” comes directly under “%(parent)s”, skipping a level; "
                    "it will be numbered %(new)s."
                )
                % {"number": number.text, "parent": parent.number.text, "new": item.number},
                "level_skipped",
                WARNING,
            )
            return
        if number.values[-1] != item.positions[-1]:
            self.problem(
                entry.row,
                NUMBER,
                _(
                    "Numbered “%(found)s”, but it is item %(position)s at its level "
                    "(“%(expected)s” expected). It will be numbered %(number)s."
                )
                % {
                    "found": number.text,
                    "position": item.positions[-1],
                    "expected": number.expected(item.positions[-1]),
                    "number": item.number,
                },
                "sequence",
                WARNING,
            )

    # checks over the tree

    def check_scores(self) -> None:
        # The deepest first: a heading without a 分值 adds up its sub-items' first.
        for entry in sorted(self.rows, key=lambda e: -e.item.depth):
            item = entry.item
            if not item.children:
                if item.max_score is None and not entry.score_rows:
                    self.problem(
                        entry.row,
                        MAX_SCORE,
                        _("No 分值: an item without sub-items needs its points."),
                        "no_score",
                    )
                continue
            if item.method != Method.MANUAL:
                self.problem(
                    entry.row,
                    METHOD,
                    _("This item has sub-items and is not scored itself: its method is ignored."),
                    "heading_method",
                    WARNING,
                )
                item.method = Method.MANUAL
            if any(child.max_score is None for child in item.children):
                continue
            children = sum((child.max_score for child in item.children), ZERO)
            if item.max_score is None:
                if not entry.score_rows:
                    item.max_score = children
                    item.notes.append(
                        _("分值 taken from its sub-items: %(points)s.")
                        % {"points": points_text(children)}
                    )
                continue
            if children != item.max_score:
                self._sum_warning(entry, children, item.max_score)

    def _sum_warning(self, entry: _Row, children: Decimal, maximum: Decimal) -> None:
        values = {
            "sum": points_text(children),
            "diff": points_text(abs(children - maximum)),
            "max": points_text(maximum),
        }
        if children > maximum:
            message = _(
                "Its sub-items' 分值 add up to %(sum)s, %(diff)s more than its own %(max)s."
            )
        else:
            message = _(
                "Its sub-items' 分值 add up to %(sum)s, %(diff)s less than its own %(max)s."
            )
        self.problem(entry.row, MAX_SCORE, message % values, "children_sum", WARNING)

    def check_points_in_titles(self) -> None:
        """产业发展（30分）: with an empty 分值, the points from the content; with the same
        分值, the repetition dropped; with another, a warning (the 分值 counts)."""
        for entry in self.rows:
            item = entry.item
            match = _POINTS_IN_TITLE.search(item.title)
            if not match or not match.start() or (entry.score_rows and item.max_score is None):
                continue
            stated = Decimal(match["points"]).quantize(Decimal("0.01"))
            if item.max_score is None:
                item.max_score = stated
                item.notes.append(
                    _("分值 read from the content: %(points)s.") % {"points": points_text(stated)}
                )
            elif item.max_score != stated:
                self.problem(
                    entry.row,
                    MAX_SCORE,
                    _("The content says %(stated)s points, the 分值 %(points)s; the 分值 counts.")
                    % {"stated": points_text(stated), "points": points_text(item.max_score)},
                    "title_points",
                    WARNING,
                )
                continue
            item.title = item.title[: match.start()]

    def check_weights(self) -> None:
        roots = [e for e in self.rows if e.parent is None]
        for entry in self.rows:
            if entry.parent is not None and entry.item.weight is not None:
                self.problem(
                    entry.row,
                    WEIGHT,
                    _("Only top-level items carry a weight."),
                    "weight_nested",
                )
        weighted = [e for e in roots if e.item.weight is not None]
        if not weighted:
            return
        for entry in roots:
            if entry.item.weight is None:
                self.problem(
                    entry.row,
                    WEIGHT,
                    _("No weight, while other top-level items have one: it counts as 0%."),
                    "no_weight",
                    WARNING,
                )
        total = sum((e.item.weight for e in weighted), ZERO)
        if total == HUNDRED:
            return
        values = {"sum": points_text(total), "diff": points_text(abs(total - HUNDRED))}
        if total > HUNDRED:
            message = _("The top-level weights add up to %(sum)s%%, %(diff)s%% over 100%%.")
        else:
            message = _("The top-level weights add up to %(sum)s%%, %(diff)s%% short of 100%%.")
        # At the column's header: the sum is the whole column's.
        self.problem(self.sheet.header_row, WEIGHT, message % values, "weights_sum", WARNING)

    def check_total(self) -> None:
        if self.total is None or any(e.item.max_score is None for e in self.rows if not e.parent):
            return
        row, stated = self.total
        found = sum((e.item.max_score for e in self.rows if e.parent is None), ZERO)
        if found == stated:
            return
        values = {
            "stated": points_text(stated),
            "sum": points_text(found),
            "diff": points_text(abs(found - stated)),
        }
        if found > stated:
            message = _(
                "The total row says %(stated)s; the items add up to %(sum)s, %(diff)s more."
            )
        else:
            message = _(
                "The total row says %(stated)s; the items add up to %(sum)s, %(diff)s less."
            )
        self.problem(row, MAX_SCORE, message % values, "total_sum", WARNING)

    def check_methods(self) -> None:
        for entry in self.rows:
            item = entry.item
            needed = METHOD_NEEDS.get(item.method)
            if needed is None or item.children:
                continue
            self.problem(
                entry.row,
                METHOD,
                _(
                    "%(method)s: after the import, set this item's source in its form; the "
                    "scheme cannot start until then. %(need)s"
                )
                % {"method": item.method_label, "need": needed[2]},
                "method_needs_source",
                WARNING,
            )

    def fill_units(self, units: _Units) -> None:
        for entry in self.rows:
            item = entry.item
            text = item.responsible_text
            if not text:
                continue
            if len(text) > RESPONSIBLE_MAX:
                self.problem(
                    entry.row,
                    RESPONSIBLE,
                    _("At most %(n)s characters, please.") % {"n": RESPONSIBLE_MAX},
                    "too_long",
                )
            names, all_counties = units.split(text)
            found: list[OrgUnit] = []
            for name in names:
                unit, why = units.find(name)
                if unit is None:
                    self.problem(
                        entry.row, RESPONSIBLE, _unknown_unit(units, name, why), "unknown_unit"
                    )
                elif unit not in found:
                    found.append(unit)
            if all_counties:
                found += [u for u in units.counties if u not in found]
                item.notes.append(
                    _("“各旗县市区” read as every county: %(units)s.")
                    % {"units": "、".join(u.name for u in units.counties)}
                )
            item.responsible_units = found

    def check_scheme(self, plan: "ImportPlan") -> None:
        scheme = self.scheme
        if scheme.status not in DESIGN_STATES:
            self.problem(
                None,
                "",
                _("Items and units assessed change only while the scheme is being designed."),
                "not_design",
            )
        existing = plan.existing_count
        if existing and not plan.replace:
            self.problem(
                None,
                "",
                ngettext(
                    "The scheme already has %(n)s item. Choose “Replace the existing items” to "
                    "replace it with the file's, or import into a scheme without items.",
                    "The scheme already has %(n)s items. Choose “Replace the existing items” to "
                    "replace them with the file's, or import into a scheme without items.",
                    existing,
                )
                % {"n": existing},
                "not_empty",
            )
        elif existing:
            files = Evidence.objects.filter(item__scheme=scheme).count()
            if files:
                self.problem(
                    None,
                    "",
                    ngettext(
                        "%(n)s piece of evidence is filed against the existing items and would "
                        "be lost. Remove it first, or change the items one by one.",
                        "%(n)s pieces of evidence are filed against the existing items and "
                        "would be lost. Remove them first, or change the items one by one.",
                        files,
                    )
                    % {"n": files},
                    "evidence_filed",
                )
            self.problem(
                None,
                "",
                ngettext(
                    "The scheme's %(n)s existing item will be deleted and replaced by the file's.",
                    "The scheme's %(n)s existing items will be deleted and replaced by the file's.",
                    existing,
                )
                % {"n": existing},
                "replacing",
                WARNING,
            )

    def formula_problems(self) -> list[Problem]:
        """A formula in a heading's 分值 or the total row (=SUM(…)) is not needed: the sum
        is computed from the sub-items. Any other formula is an error at its cell."""
        col = self.sheet.columns[MAX_SCORE]
        summed = {e.row for e in self.rows if e.item.children}
        if self.total is not None:
            summed.add(self.total[0])
        for row in list(summed):
            if (row, col) in self.sheet.formulas:
                self.sheet.formulas.discard((row, col))
        return self.sheet.formula_problems(self.problems)


def _rows_text(rows: list[int]) -> str:
    """[5, 6, 7, 9] → "5–7、9"."""
    runs: list[list[int]] = []
    for row in rows:
        if runs and row == runs[-1][-1] + 1:
            runs[-1].append(row)
        else:
            runs.append([row])
    return "、".join(f"{run[0]}–{run[-1]}" if len(run) > 1 else str(run[0]) for run in runs)


def _method_of(text: str) -> str | None:
    key = _norm(text)
    if key in METHOD_NAMES:
        return METHOD_NAMES[key]
    for value, label in Method.choices:
        if key.lower() in (value, _norm(str(label)).lower()):
            return value
    return None


def _unknown_unit(units: _Units, name: str, why: str) -> str:
    """The matcher's reason, with the closest known names for a name nobody has."""
    if units.by_name.get(_norm(name)):
        return why  # several units share it: the reason lists them
    close = difflib.get_close_matches(_norm(name), list(units.by_name), n=6, cutoff=0.5)
    names: list[str] = []
    for key in close:
        for unit in units.by_name[key]:
            if unit.name not in names:
                names.append(unit.name)
    if not names:
        return why
    return _(
        "Unknown unit “%(name)s”: no active unit has this name or short name. "
        "Closest known: %(names)s."
    ) % {"name": name, "names": "、".join(names[:3])}


# --- the dry run -----------------------------------------------------------------------


def rows_to_read(source) -> int | None:
    """How many rows the workbook's largest sheet declares, read from the size each sheet
    states at its top (Excel and WPS write it) without loading a cell: whether the check
    runs at once or in the background. 0 when the file is refused or cannot be opened
    (the check says why at once); None when a sheet does not declare its size."""
    upload, opened = as_file(source)
    try:
        try:
            check_upload(upload, allowed={".xlsx"})
        except ValidationError:
            return 0
        upload.seek(0)
        data = upload.read()
    finally:
        if opened:
            upload.close()
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # untrusted input: the check reports it as not a workbook
        return 0
    try:
        sizes = [worksheet.max_row for worksheet in workbook.worksheets]
    finally:
        workbook.close()
    if any(size is None for size in sizes):
        return None
    return max(sizes, default=0)


def parse_workbook(source, *, scheme: Scheme, replace: bool = False, progress=None) -> ImportPlan:
    """The dry run: what importing `source` into `scheme` would create, and every
    problem. Raises ValidationError when the file itself is unusable (too large, not an
    .xlsx, macros, a zip bomb). `progress` (an ops.services.Progress) is told each row
    read."""
    progress = progress or _NoProgress()
    progress.stage(_("Opening the file"))
    workbook, name, sha256 = read_workbook(source)
    plan = ImportPlan(
        scheme=scheme,
        file_name=name,
        sha256=sha256,
        replace=replace,
        existing_count=scheme.items.count(),
    )
    try:
        sheet, problems = _find_sheet(workbook)
        plan.problems.extend(problems)
        if sheet is None:
            return plan
        plan.sheet = sheet.worksheet.title
        planner = _Planner(sheet, scheme, progress)
        planner.read_rows()
        progress.stage(_("Checking the items"))
        planner.note_continuations()
        planner.build_tree()
        planner.check_points_in_titles()
        planner.check_scores()
        planner.check_weights()
        planner.check_total()
        planner.check_methods()
        planner.fill_units(_Units())
        planner.check_scheme(plan)
        plan.items = [entry.item for entry in planner.rows]
        plan.problems.extend(planner.formula_problems())
    finally:
        workbook.close()
    if not plan.items and not plan.errors:
        plan.problems.append(
            Problem(None, "", "", _("The file has no items under its header row."), "empty")
        )
    plan.problems.sort(key=lambda p: (p.row or 0, len(p.column), p.column))
    return plan


# --- committing ------------------------------------------------------------------------


def _new_item(scheme: Scheme, item: PlannedItem, created: dict[int, Item]) -> Item:
    """The item to insert, with its place in the tree as `services.renumber` would set
    it (the plan numbered the tree already): renumbering after the insert is an UPDATE
    per field and batch, the slowest part of a large import."""
    parent = created[id(item.parent)] if item.parent else None
    position = item.positions[-1]
    return Item(
        scheme=scheme,
        parent=parent,
        root_id=parent.root_id if parent else None,
        position=position,
        sort_path=f"{parent.sort_path if parent else ''}{position:04d}.",
        depth=item.depth,
        number=item.number,
        is_heading=bool(item.children),
        title=item.title,
        max_score=item.max_score,
        weight=item.weight,
        method=item.method,
        criteria=item.criteria,
        evidence_required=item.evidence_required,
        responsible_text=item.responsible_text,
    )


def commit(plan: ImportPlan, *, actor, progress=None) -> list[Item]:
    """Create the plan's items in one transaction (replacing the scheme's items when the
    plan says so); all or nothing. Refuses a plan with errors. `progress` is told the
    items written, a level of the tree at a time."""
    progress = progress or _NoProgress()
    if not plan.is_valid:
        raise ValidationError(
            _("The file has errors; nothing was imported. Correct them and upload it again."),
            code="invalid_plan",
        )
    with transaction.atomic():
        scheme = Scheme.objects.select_for_update().get(pk=plan.scheme.pk)
        if not scoping.can_manage(actor, scheme):
            raise PermissionDenied
        if scheme.status not in DESIGN_STATES:
            raise ValidationError(
                _("Items and units assessed change only while the scheme is being designed."),
                code="not_design",
            )
        existing = scheme.items.count()
        if existing != plan.existing_count or (existing and not plan.replace):
            raise ValidationError(
                _("The scheme changed while the file was being checked; upload it again."),
                code="scheme_changed",
            )
        if existing:
            if Evidence.objects.filter(item__scheme=scheme).exists():
                raise ValidationError(
                    _("Evidence is filed against the existing items; remove it first."),
                    code="evidence_filed",
                )
            scheme.items.all().delete()
        created: dict[int, Item] = {}
        progress.start(len(plan.items), _("Saving the items"))
        depths = sorted({item.depth for item in plan.items})
        for depth in depths:  # parents first: one insert per level
            level = [item for item in plan.items if item.depth == depth]
            objects = [_new_item(scheme, item, created) for item in level]
            Item.objects.bulk_create(objects)
            if depth == 0:  # a top-level item is its own root
                Item.objects.filter(scheme=scheme, parent__isnull=True).update(root=F("pk"))
                for obj in objects:
                    obj.root_id = obj.pk
            created.update({id(item): obj for item, obj in zip(level, objects, strict=True)})
            progress.advance(len(level))
        Through = Item.responsible_units.through
        Through.objects.bulk_create(
            [
                Through(item_id=created[id(item)].pk, orgunit_id=unit.pk)
                for item in plan.items
                for unit in item.responsible_units
            ],
            batch_size=500,
        )
        audit.record(
            actor=actor,
            action=AuditAction.IMPORT,
            instance=scheme,
            before={"items": existing} if existing else None,
            after={
                "items": len(created),
                "file": plan.file_name,
                "sha256": plan.sha256,
                "sheet": plan.sheet,
                "replaced": existing,
            },
            message="assessment items import",
        )
    return list(scheme.items.order_by("sort_path"))


# --- the plan kept by a background check ---------------------------------------------------


def _decimal_data(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def plan_data(plan: ImportPlan) -> dict:
    """The plan as JSON, for the page that shows a background check's result (the commit
    reads the file again; this is only ever shown)."""
    index = {id(item): n for n, item in enumerate(plan.items)}
    return {
        "file_name": plan.file_name,
        "sha256": plan.sha256,
        "sheet": plan.sheet,
        "replace": plan.replace,
        "existing_count": plan.existing_count,
        "counts": {
            "items": len(plan.items),
            "scored": plan.leaf_count,
            "errors": len(plan.errors),
            "warnings": len(plan.warnings),
        },
        "items": [
            {
                "row": item.row,
                "last_row": item.last_row,
                "title": item.title,
                "source_number": item.source_number,
                "parent": index[id(item.parent)] if item.parent is not None else None,
                "positions": item.positions,
                "number": item.number,
                "max_score": _decimal_data(item.max_score),
                "weight": _decimal_data(item.weight),
                "method": item.method,
                "criteria": item.criteria,
                "evidence_required": item.evidence_required,
                "responsible_text": item.responsible_text,
                "units": [[unit.pk, unit.name] for unit in item.responsible_units],
                "notes": item.notes,
            }
            for item in plan.items
        ],
        "problems": [
            [p.row, p.column, p.header, p.message, p.code, p.level] for p in plan.problems
        ],
    }


def plan_from_data(data: dict, scheme: Scheme) -> ImportPlan:
    """The plan `plan_data` kept, with its tree, to show as the dry run shows one."""
    items: list[PlannedItem] = []
    for entry in data.get("items", []):
        parent = items[entry["parent"]] if entry["parent"] is not None else None
        item = PlannedItem(
            row=entry["row"],
            last_row=entry["last_row"],
            title=entry["title"],
            source_number=entry["source_number"],
            parent=parent,
            positions=list(entry["positions"]),
            number=entry["number"],
            max_score=None if entry["max_score"] is None else Decimal(entry["max_score"]),
            weight=None if entry["weight"] is None else Decimal(entry["weight"]),
            method=entry["method"],
            criteria=entry["criteria"],
            evidence_required=entry["evidence_required"],
            responsible_text=entry["responsible_text"],
            responsible_units=[OrgUnit(pk=pk, name=name) for pk, name in entry["units"]],
            notes=list(entry["notes"]),
        )
        if parent is not None:
            parent.children.append(item)
        items.append(item)
    return ImportPlan(
        scheme=scheme,
        items=items,
        problems=[Problem(*problem) for problem in data.get("problems", [])],
        file_name=data.get("file_name", ""),
        sha256=data.get("sha256", ""),
        sheet=data.get("sheet", ""),
        replace=bool(data.get("replace")),
        existing_count=data.get("existing_count", 0),
    )
