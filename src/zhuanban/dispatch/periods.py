"""Reporting periods (month, quarter, year) and how far through its year a day is.

A period is a value, not a row: rounds and indicator values store its kind, year and
number, and this module turns them into dates and labels.
"""

import calendar
import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class PeriodKind(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")


PERIODS_PER_YEAR = {PeriodKind.MONTH: 12, PeriodKind.QUARTER: 4, PeriodKind.YEAR: 1}
MONTHS_PER_PERIOD = {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3, PeriodKind.YEAR: 12}


@dataclass(frozen=True, order=True)
class Period:
    year: int
    kind: str
    number: int = 1

    def __post_init__(self):
        if self.kind not in PERIODS_PER_YEAR:
            raise ValueError(f"unknown period kind {self.kind!r}")
        if not 1 <= self.number <= PERIODS_PER_YEAR[self.kind]:
            raise ValueError(f"{self.kind} number {self.number} out of range")

    @classmethod
    def containing(cls, kind: str, day: datetime.date) -> "Period":
        months = MONTHS_PER_PERIOD[kind]
        return cls(day.year, kind, (day.month - 1) // months + 1)

    @property
    def start(self) -> datetime.date:
        months = MONTHS_PER_PERIOD[self.kind]
        return datetime.date(self.year, (self.number - 1) * months + 1, 1)

    @property
    def end(self) -> datetime.date:
        last_month = self.number * MONTHS_PER_PERIOD[self.kind]
        return datetime.date(self.year, last_month, calendar.monthrange(self.year, last_month)[1])

    @property
    def key(self) -> str:
        """Stable text form: 2023-M06, 2023-Q2, 2023-Y."""
        if self.kind == PeriodKind.MONTH:
            return f"{self.year}-M{self.number:02d}"
        if self.kind == PeriodKind.QUARTER:
            return f"{self.year}-Q{self.number}"
        return f"{self.year}-Y"

    @classmethod
    def from_key(cls, key: str) -> "Period":
        year, _sep, rest = key.partition("-")
        if rest.startswith("M"):
            return cls(int(year), PeriodKind.MONTH, int(rest[1:]))
        if rest.startswith("Q"):
            return cls(int(year), PeriodKind.QUARTER, int(rest[1:]))
        if rest == "Y":
            return cls(int(year), PeriodKind.YEAR)
        raise ValueError(f"not a period key: {key!r}")

    def label(self) -> str:
        if self.kind == PeriodKind.MONTH:
            return gettext("%(year)s-%(month)s") % {"year": self.year, "month": self.number}
        if self.kind == PeriodKind.QUARTER:
            return gettext("%(year)s Q%(quarter)s") % {"year": self.year, "quarter": self.number}
        return gettext("Year %(year)s") % {"year": self.year}

    def __str__(self) -> str:
        return self.label()

    def previous(self) -> "Period":
        if self.number > 1:
            return Period(self.year, self.kind, self.number - 1)
        return Period(self.year - 1, self.kind, PERIODS_PER_YEAR[self.kind])

    def next(self) -> "Period":
        if self.number < PERIODS_PER_YEAR[self.kind]:
            return Period(self.year, self.kind, self.number + 1)
        return Period(self.year + 1, self.kind, 1)

    def same_last_year(self) -> "Period":
        return Period(self.year - 1, self.kind, self.number)


def time_elapsed(day: datetime.date) -> Decimal:
    """The share of `day`'s year gone by at the end of `day` (时序进度), in percent.

    Counted in months, each month in proportion to its days, so that a month end reads
    as a round figure: 30 June is 50%, 30 September 75%.
    """
    days_in_month = calendar.monthrange(day.year, day.month)[1]
    months = Decimal(day.month - 1) + Decimal(day.day) / Decimal(days_in_month)
    return (months * 100 / 12).quantize(Decimal("0.1"))
