"""The ledger's filters as they travel in a query string: one parser for the ledger
page, its export and anything else that links to a filtered ledger.

Values that do not parse (a stale bookmark, a hand-edited address) are ignored, never
an error: the page shows the ledger with the filters that made sense, and the filter
form shows which ones are in force. Every value is checked before it reaches the
database (ids within range, no NUL characters, known choices only), so no query string
can turn into a server error.

    ?task_list=3&office=7&lead_unit=12&county=12&status=in_progress&light=red
     &due_from=2023-01-01&due_to=2023-06-30&text=种薯&leaves=1&style=decimal
"""

import datetime
from collections.abc import Mapping
from urllib.parse import urlencode

from zhuanban.tasks.lifecycle import Status
from zhuanban.tasks.models import Light, NumberingStyle
from zhuanban.tasks.selectors import LedgerFilters

# Query-string key for each LedgerFilters field.
KEYS = {
    "task_list": "task_list",
    "office": "office",
    "lead_unit": "lead_unit",
    "county": "county",
    "status": "status",
    "light": "light",
    "due_from": "due_from",
    "due_to": "due_to",
    "text": "text",
    "leaves_only": "leaves",
}
TEXT_MAX_LENGTH = 100
_MAX_ID = 2**63 - 1  # a larger number overflows the database's integer parameter
_TRUE = frozenset({"1", "true", "on", "yes"})


def _first(query: Mapping, key: str) -> str:
    value = query.get(key, "")
    return value.strip() if isinstance(value, str) else ""


def parse_id(value: str) -> int | None:
    if not value.isascii() or not value.isdigit():
        return None
    number = int(value)
    return number if 0 < number <= _MAX_ID else None


def parse_date(value: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def parse_choice(value: str, choices) -> str:
    return value if value in choices else ""


def parse_text(value: str) -> str:
    return value.replace("\x00", "")[:TEXT_MAX_LENGTH].strip()


def filters_from_query(query: Mapping) -> LedgerFilters:
    """LedgerFilters from a QueryDict (request.GET); what does not parse is left out."""

    def value(field: str) -> str:
        return _first(query, KEYS[field])

    return LedgerFilters(
        task_list=parse_id(value("task_list")),
        office=parse_id(value("office")),
        lead_unit=parse_id(value("lead_unit")),
        county=parse_id(value("county")),
        status=parse_choice(value("status"), Status.values),
        light=parse_choice(value("light"), Light.values),
        due_from=parse_date(value("due_from")),
        due_to=parse_date(value("due_to")),
        text=parse_text(value("text")),
        leaves_only=value("leaves_only").lower() in _TRUE,
    )


def filters_to_query(filters: LedgerFilters) -> str:
    """The query string for `filters` (without "?"), e.g. for the export link."""
    pairs = []
    for field, key in KEYS.items():
        current = getattr(filters, field)
        if current in (None, "", False):
            continue
        if current is True:
            current = "1"
        elif isinstance(current, datetime.date):
            current = current.isoformat()
        pairs.append((key, str(current)))
    return urlencode(pairs)


NUMBERING_KEY = "style"


def numbering_from_query(query: Mapping, default: str = NumberingStyle.CHINESE) -> str:
    """The numbering style asked for (?style=decimal), else `default`."""
    return parse_choice(_first(query, NUMBERING_KEY), NumberingStyle.values) or default
