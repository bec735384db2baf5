"""GB/T 2260 administrative division codes."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from zhuanban.org.roles import UnitKind

# Province-level prefixes of GB/T 2260 (incl. Taiwan 71, Hong Kong 81, Macao 82).
PROVINCE_PREFIXES = frozenset(
    {
        *("11", "12", "13", "14", "15"),
        *("21", "22", "23"),
        *("31", "32", "33", "34", "35", "36", "37"),
        *("41", "42", "43", "44", "45", "46"),
        *("50", "51", "52", "53", "54"),
        *("61", "62", "63", "64", "65"),
        *("71", "81", "82"),
    }
)
_SIX_DIGITS = re.compile(r"^\d{6}$")


def division_code_problem(code: str, kind: str, parent_code: str | None) -> str | None:
    """The reason `code` is not a valid division code for a unit of `kind`, or None."""
    if not _SIX_DIGITS.match(code):
        return _("A division code has exactly 6 digits, e.g. 150921.")
    if code[:2] not in PROVINCE_PREFIXES:
        return _("%(prefix)s is not a province-level code in GB/T 2260.") % {"prefix": code[:2]}
    if kind == UnitKind.CITY:
        if code[2:4] == "00" or code[4:] != "00":
            return _(
                "A prefecture-level city's code must end in 00 and must not be a province code."
            )
    elif kind == UnitKind.COUNTY:
        if code[4:] == "00" or code[2:4] == "00":
            return _(
                "A county-level unit's code must not end in 00 "
                "or have 00 as its 3rd and 4th digits."
            )
        if parent_code and code[:4] != parent_code[:4]:
            return _(
                "A county's code must begin with %(prefix)s, "
                "the first four digits of its city's code."
            ) % {"prefix": parent_code[:4]}
    else:
        return _("Only cities and counties have administrative division codes.")
    return None


def validate_unit_code(value: str) -> None:
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,39}", value):
        raise ValidationError(
            _(
                "Start with a letter or digit, then use letters, digits, '-', '_' or '.', "
                "at most 40 characters."
            ),
            code="invalid",
        )
