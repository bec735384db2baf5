"""Checking a table's rows against its schema: the one function the screen, the Excel
upload and the API all call, so that a value is accepted or refused the same way
whichever way it came in.

Values arrive raw (text typed on screen or in JSON, or what openpyxl read from a cell:
int, float, datetime, bool) and leave typed (int, Decimal, date, bool, str), or as a
problem naming the row and column. Every problem is reported, not just the first.
"""

import datetime
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils.translation import gettext as _

from zhuanban.dispatch.schema import (
    COMPARISONS,
    MAX_TEXT,
    NUMBER_LIMIT,
    Column,
    ColumnType,
    TableSchema,
)

TRUE_WORDS = frozenset({"是", "有", "yes", "y", "true", "1", "√", "✓"})
FALSE_WORDS = frozenset({"否", "无", "no", "n", "false", "0", "×", "✗"})
_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(\D|$))")


@dataclass(frozen=True)
class CellProblem:
    row: int  # index into the rows given, from 0
    column: str  # column key; "" for the whole row
    message: str
    code: str


@dataclass
class Checked:
    """Typed rows (blank rows dropped) with the index each came from, and the problems."""

    rows: list[dict] = field(default_factory=list)
    source_rows: list[int] = field(default_factory=list)
    problems: list[CellProblem] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.problems


def max_rows() -> int:
    return settings.DISPATCH_MAX_ROWS


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _normalise_text(value: str) -> str:
    # Full-width digits and signs (１２３，－) as typed with a Chinese input method.
    return unicodedata.normalize("NFKC", value).strip()


def _to_decimal(value) -> Decimal:
    if isinstance(value, bool):
        raise InvalidOperation
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, int | Decimal):
        return Decimal(value)
    text = _THOUSANDS.sub("", _normalise_text(str(value))).replace(" ", "")
    if not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", text):
        raise InvalidOperation
    return Decimal(text)


def convert(column: Column, value):
    """(typed value, None) or (None, (message, code)) for one cell."""
    if _is_blank(value):
        return None, None
    kind = column.type
    if kind in (ColumnType.INTEGER, ColumnType.DECIMAL):
        try:
            number = _to_decimal(value)
        except (InvalidOperation, ValueError):
            return None, (_("%(value)s is not a number.") % {"value": _show(value)}, "not_number")
        if not number.is_finite() or abs(number) >= NUMBER_LIMIT:
            return None, (_("%(value)s is too large.") % {"value": _show(value)}, "out_of_range")
        places = column.decimals if kind == ColumnType.DECIMAL else 0
        rounded = number.quantize(Decimal(1).scaleb(-places))
        # A float from a spreadsheet calculation (0.30000000000000004) is what it shows.
        if rounded != number and not (
            isinstance(value, float) and abs(rounded - number) < Decimal(1).scaleb(-places - 6)
        ):
            if kind == ColumnType.INTEGER:
                return None, (
                    _("%(value)s is not a whole number.") % {"value": _show(value)},
                    "not_integer",
                )
            return None, (
                _("%(value)s has more than %(places)s decimal places.")
                % {"value": _show(value), "places": places},
                "decimals",
            )
        if column.min is not None and rounded < column.min:
            return None, (
                _("%(value)s is below the minimum %(min)s.")
                % {"value": _show(value), "min": column.min},
                "below_min",
            )
        if column.max is not None and rounded > column.max:
            return None, (
                _("%(value)s is above the maximum %(max)s.")
                % {"value": _show(value), "max": column.max},
                "above_max",
            )
        return (int(rounded) if kind == ColumnType.INTEGER else rounded), None
    if kind == ColumnType.DATE:
        if isinstance(value, datetime.datetime):
            return value.date(), None
        if isinstance(value, datetime.date):
            return value, None
        match = _DATE_RE.match(_normalise_text(str(value)))
        if match:
            try:
                return datetime.date(*(int(part) for part in match.groups())), None
            except ValueError:
                pass
        return None, (
            _("%(value)s is not a valid date; write it as 2023-06-30.") % {"value": _show(value)},
            "not_date",
        )
    if kind == ColumnType.BOOLEAN:
        if isinstance(value, bool):
            return value, None
        word = _normalise_text(str(value)).lower()
        if word in TRUE_WORDS:
            return True, None
        if word in FALSE_WORDS:
            return False, None
        return None, (_("%(value)s: answer 是 or 否.") % {"value": _show(value)}, "not_boolean")
    text = _text_of(value)
    if kind == ColumnType.CHOICE:
        if text not in column.choices:
            return None, (
                _("%(value)s is not one of the choices: %(choices)s.")
                % {"value": _show(value), "choices": "、".join(column.choices)},
                "not_choice",
            )
        return text, None
    if len(text) > MAX_TEXT:
        return None, (
            _("The text is longer than %(max)s characters.") % {"max": MAX_TEXT},
            "too_long",
        )
    return text, None


def _text_of(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def _show(value) -> str:
    text = _text_of(value)
    return f"“{text[:30]}…”" if len(text) > 30 else f"“{text}”"


def _format(value) -> str:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def check_rows(schema: TableSchema, rows: list[dict], *, one_row: bool = False) -> Checked:
    """Check raw rows ({column key: raw value}); `one_row` for a per-unit table."""
    result = Checked()
    limit = max_rows()
    if len(rows) > limit:
        result.problems.append(
            CellProblem(
                row=limit,
                column="",
                message=_("A table holds at most %(max)s rows; this one has %(count)s.")
                % {"max": limit, "count": len(rows)},
                code="too_many_rows",
            )
        )
        return result
    indexed = [
        (i, row) for i, row in enumerate(rows) if not all(_is_blank(v) for v in row.values())
    ]
    if one_row:
        if len(indexed) > 1:
            result.problems.append(
                CellProblem(
                    row=indexed[1][0],
                    column="",
                    message=_("This table has one row per unit; remove the extra rows."),
                    code="extra_rows",
                )
            )
        indexed = indexed[:1] or [(0, {})]
    for index, raw in indexed:
        typed: dict = {}
        for column in schema.columns:
            value, problem = convert(column, raw.get(column.key))
            if problem:
                result.problems.append(CellProblem(index, column.key, *problem))
            elif value is None and column.required:
                result.problems.append(
                    CellProblem(index, column.key, _("This cell must be filled in."), "required")
                )
            typed[column.key] = value
        for rule in schema.rules:
            problem = _check_rule(schema, rule, typed)
            if problem:
                result.problems.append(CellProblem(index, *problem))
        result.rows.append(typed)
        result.source_rows.append(index)
    return result


def _check_rule(schema: TableSchema, rule, row: dict):
    if rule.kind == "compare":
        left, right = row.get(rule.left), row.get(rule.right)
        if left is None or right is None or COMPARISONS[rule.op](left, right):
            return None
        return (
            rule.left,
            _("%(left)s (%(a)s) must be %(op)s %(right)s (%(b)s).")
            % {
                "left": schema.column(rule.left).label,
                "a": _format(left),
                "op": rule.op.replace(">=", "≥").replace("<=", "≤"),
                "right": schema.column(rule.right).label,
                "b": _format(right),
            },
            "rule_compare",
        )
    total = row.get(rule.total)
    parts = [row.get(key) for key in rule.parts]
    if total is None or all(part is None for part in parts):
        return None
    expected = sum((Decimal(part) for part in parts if part is not None), Decimal(0))
    if Decimal(total) == expected:
        return None
    return (
        rule.total,
        _("%(total)s (%(value)s) must equal the sum of %(parts)s (%(expected)s).")
        % {
            "total": schema.column(rule.total).label,
            "value": _format(total),
            "parts": "、".join(schema.column(key).label for key in rule.parts),
            "expected": _format(expected),
        },
        "rule_sum",
    )


# --- typed rows as JSON and back -------------------------------------------------------------


def row_to_json(schema: TableSchema, row: dict) -> dict:
    data = {}
    for column in schema.columns:
        value = row.get(column.key)
        if value is None:
            continue
        if isinstance(value, Decimal):
            value = format(value, "f")
        elif isinstance(value, datetime.date):
            value = value.isoformat()
        data[column.key] = value
    return data


def row_from_json(schema: TableSchema, data: dict) -> dict:
    row = {}
    for column in schema.columns:
        value = data.get(column.key)
        if value is not None:
            if column.type == ColumnType.DECIMAL:
                value = Decimal(value)
            elif column.type == ColumnType.DATE:
                value = datetime.date.fromisoformat(value)
        row[column.key] = value
    return row


def display(column: Column, value) -> str:
    """A typed value as a table shows it."""
    if value is None:
        return ""
    if column.type == ColumnType.BOOLEAN:
        return _("Yes") if value else _("No")
    if column.type == ColumnType.DECIMAL:
        return format(Decimal(value).quantize(Decimal(1).scaleb(-column.decimals)), "f")
    return str(value)
