"""A statistical table's definition (统计表) as validated data, not code.

A template version stores its schema as JSON: the columns, in order, and the rules
across columns. `parse_schema()` checks a schema and returns it typed, reporting every
problem at once; everything that reads or writes a table's data goes through the typed
form.

    {"columns": [{"key": "signed", "label": "签约项目数", "type": "integer",
                  "unit": "个", "required": true, "min": 0, "indicator": "projects_signed"},
                 ...],
     "rules": [{"kind": "compare", "left": "signed", "op": ">=", "right": "landed"},
               {"kind": "sum", "total": "total", "parts": ["a", "b"]}]}
"""

import re
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy


class ColumnType(models.TextChoices):
    INTEGER = "integer", gettext_lazy("Whole number")
    DECIMAL = "decimal", gettext_lazy("Decimal number")
    TEXT = "text", pgettext_lazy("column type", "Text")
    DATE = "date", gettext_lazy("Date")
    CHOICE = "choice", gettext_lazy("Choice from a list")
    BOOLEAN = "boolean", gettext_lazy("Yes or no")


NUMERIC_TYPES = frozenset({ColumnType.INTEGER, ColumnType.DECIMAL})
COMPARISONS = {
    ">=": lambda a, b: a >= b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    "<": lambda a, b: a < b,
    "=": lambda a, b: a == b,
}
MAX_COLUMNS = 80
MAX_DECIMALS = 6
MAX_TEXT = 500
KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
# Numbers a value store column (20 digits, 6 decimals) holds exactly.
NUMBER_LIMIT = Decimal("1e14")


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    type: str = ColumnType.INTEGER
    unit: str = ""
    required: bool = False
    decimals: int = 0
    min: Decimal | None = None
    max: Decimal | None = None
    choices: tuple[str, ...] = ()
    help: str = ""
    indicator: str = ""  # the code of the indicator this column feeds
    width: int = 0  # characters; 0 lets the exports choose

    @property
    def is_numeric(self) -> bool:
        return self.type in NUMERIC_TYPES

    @property
    def heading(self) -> str:
        """The header as a table prints it: 签约项目数（个）."""
        return f"{self.label}（{self.unit}）" if self.unit else self.label

    def to_dict(self) -> dict:
        data = asdict(self)
        data["choices"] = list(self.choices)
        for bound in ("min", "max"):
            data[bound] = None if data[bound] is None else str(data[bound])
        return {k: v for k, v in data.items() if v not in ("", None, (), [], 0, False)} | {
            "key": self.key,
            "label": self.label,
            "type": self.type,
        }


@dataclass(frozen=True)
class Rule:
    kind: str  # "compare" or "sum"
    left: str = ""
    op: str = ""
    right: str = ""
    total: str = ""
    parts: tuple[str, ...] = ()

    def column_keys(self) -> tuple[str, ...]:
        return (self.left, self.right) if self.kind == "compare" else (self.total, *self.parts)

    def to_dict(self) -> dict:
        if self.kind == "compare":
            return {"kind": "compare", "left": self.left, "op": self.op, "right": self.right}
        return {"kind": "sum", "total": self.total, "parts": list(self.parts)}


@dataclass(frozen=True)
class TableSchema:
    columns: tuple[Column, ...]
    rules: tuple[Rule, ...] = ()
    by_key: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self):
        self.by_key.update({column.key: column for column in self.columns})

    def column(self, key: str) -> Column:
        return self.by_key[key]

    @property
    def numeric_columns(self) -> list[Column]:
        return [c for c in self.columns if c.is_numeric]

    def to_dict(self) -> dict:
        return {
            "columns": [c.to_dict() for c in self.columns],
            "rules": [r.to_dict() for r in self.rules],
        }


def _decimal(value, problems: list[str], where: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        problems.append(
            _("%(where)s: %(value)s is not a number.") % {"where": where, "value": value}
        )
        return None
    if not number.is_finite() or abs(number) >= NUMBER_LIMIT:
        problems.append(
            _("%(where)s: %(value)s is out of range.") % {"where": where, "value": value}
        )
        return None
    return number


def parse_schema(data) -> TableSchema:
    """The typed schema, or a ValidationError listing every problem of `data`."""
    problems: list[str] = []
    if not isinstance(data, dict) or not isinstance(data.get("columns"), list):
        raise ValidationError(_("A table definition needs a list of columns."), code="schema")
    raw_columns = data["columns"]
    if not raw_columns:
        problems.append(_("A table needs at least one column."))
    if len(raw_columns) > MAX_COLUMNS:
        problems.append(_("A table has at most %(max)s columns.") % {"max": MAX_COLUMNS})
    columns: list[Column] = []
    seen_keys: set[str] = set()
    seen_labels: set[str] = set()
    for index, raw in enumerate(raw_columns, start=1):
        where = _("Column %(number)s") % {"number": index}
        if not isinstance(raw, dict):
            problems.append(_("%(where)s is not a column definition.") % {"where": where})
            continue
        key = str(raw.get("key") or "").strip()
        label = str(raw.get("label") or "").strip()
        if label:
            where = f"{where}（{label}）"
        else:
            problems.append(_("%(where)s needs a title.") % {"where": where})
        if not KEY_RE.match(key):
            problems.append(
                _(
                    "%(where)s: the key %(key)s must start with a lowercase letter and use only "
                    "lowercase letters, digits and underscores."
                )
                % {"where": where, "key": key or "—"}
            )
        elif key in seen_keys:
            problems.append(
                _("%(where)s: the key %(key)s is used twice.") % {"where": where, "key": key}
            )
        if label and label in seen_labels:
            problems.append(_("%(where)s: the title is used twice.") % {"where": where})
        seen_keys.add(key)
        seen_labels.add(label)
        kind = raw.get("type", ColumnType.INTEGER)
        if kind not in ColumnType.values:
            problems.append(_("%(where)s: unknown type %(type)s.") % {"where": where, "type": kind})
            continue
        decimals = raw.get("decimals", 0) or 0
        if kind == ColumnType.DECIMAL:
            if not isinstance(decimals, int) or not 0 <= decimals <= MAX_DECIMALS:
                problems.append(
                    _("%(where)s: decimal places must be between 0 and %(max)s.")
                    % {"where": where, "max": MAX_DECIMALS}
                )
                decimals = 0
        else:
            decimals = 0
        low = _decimal(raw.get("min"), problems, where)
        high = _decimal(raw.get("max"), problems, where)
        if kind not in NUMERIC_TYPES:
            low = high = None
        if low is not None and high is not None and low > high:
            problems.append(
                _("%(where)s: the minimum is greater than the maximum.") % {"where": where}
            )
        choices = tuple(str(c).strip() for c in raw.get("choices") or () if str(c).strip())
        if kind == ColumnType.CHOICE and not choices:
            problems.append(
                _("%(where)s: a choice column needs its list of choices.") % {"where": where}
            )
        if len(set(choices)) != len(choices):
            problems.append(_("%(where)s: a choice is listed twice.") % {"where": where})
        indicator = str(raw.get("indicator") or "").strip()
        if indicator and kind not in NUMERIC_TYPES:
            problems.append(
                _("%(where)s: only a number column can feed an indicator.") % {"where": where}
            )
        width = raw.get("width") or 0
        columns.append(
            Column(
                key=key,
                label=label,
                type=kind,
                unit=str(raw.get("unit") or "").strip()[:20],
                required=bool(raw.get("required")),
                decimals=decimals,
                min=low,
                max=high,
                choices=choices if kind == ColumnType.CHOICE else (),
                help=str(raw.get("help") or "").strip()[:300],
                indicator=indicator,
                width=width if isinstance(width, int) and 0 < width <= 100 else 0,
            )
        )
    by_key = {c.key: c for c in columns}
    rules: list[Rule] = []
    for index, raw in enumerate(data.get("rules") or [], start=1):
        where = _("Rule %(number)s") % {"number": index}
        if not isinstance(raw, dict) or raw.get("kind") not in ("compare", "sum"):
            problems.append(_("%(where)s is not a rule this system knows.") % {"where": where})
            continue
        if raw["kind"] == "compare":
            rule = Rule(
                kind="compare",
                left=str(raw.get("left", "")),
                op=str(raw.get("op", "")),
                right=str(raw.get("right", "")),
            )
            if rule.op not in COMPARISONS:
                problems.append(
                    _("%(where)s: unknown comparison %(op)s.") % {"where": where, "op": rule.op}
                )
        else:
            parts = tuple(str(p) for p in raw.get("parts") or ())
            rule = Rule(kind="sum", total=str(raw.get("total", "")), parts=parts)
            if len(parts) < 2:
                problems.append(_("%(where)s: a sum needs at least two parts.") % {"where": where})
        for key in rule.column_keys():
            column = by_key.get(key)
            if column is None:
                problems.append(
                    _("%(where)s names a column that does not exist: %(key)s.")
                    % {"where": where, "key": key or "—"}
                )
            elif not column.is_numeric and not (
                rule.kind == "compare" and column.type == ColumnType.DATE
            ):
                problems.append(
                    _("%(where)s: column %(label)s is not a number.")
                    % {"where": where, "label": column.label}
                )
        rules.append(rule)
    if problems:
        raise ValidationError(problems, code="schema")
    return TableSchema(columns=tuple(columns), rules=tuple(rules))
