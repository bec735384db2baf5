"""The unified social credit code (统一社会信用代码, GB 32100-2015), checked with
python-stdnum, with the reason in words a clerk can act on."""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.cn import uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength


def normalise_credit_code(value: str) -> str:
    """The code as stored: full-width characters made ASCII (a code copied from a
    Chinese document often has them), spaces and hyphens dropped, upper case."""
    return uscc.compact(unicodedata.normalize("NFKC", value or ""))


def validate_credit_code(value: str) -> None:
    code = normalise_credit_code(value)
    try:
        uscc.validate(code)
    except InvalidLength:
        raise ValidationError(
            _("A unified social credit code has 18 characters; this one has %(n)d.")
            % {"n": len(code)},
            code="length",
        ) from None
    except InvalidChecksum:
        raise ValidationError(
            _(
                "The check character is wrong: a code beginning %(start)s must end in "
                "%(expected)s, not %(given)s. Check the code against the business licence."
            )
            % {
                "start": code[:17],
                "expected": uscc.calc_check_digit(code),
                "given": code[17],
            },
            code="checksum",
        ) from None
    except (InvalidComponent, InvalidFormat):
        # stdnum says "format" both for a letter among the first 8 characters and for a
        # character outside the code's alphabet: tell the clerk which one it is.
        if not code[:8].isascii() or not code[:8].isdigit():
            raise ValidationError(
                _(
                    "The code's registration authority, organisation type or region (its "
                    "first 8 characters) is not valid."
                ),
                code="component",
            ) from None
        raise ValidationError(
            _("The code may hold only digits and capital letters other than I, O, Z, S and V."),
            code="format",
        ) from None
