"""The investment pipeline's two ledgers (.xlsx), laid out to print (`core.ledger.LedgerSheet`:
title, a line saying when and which filters, one header row frozen and repeated on every
page, A3 landscape; text from users is never a formula; amounts and dates are real
numbers and dates, amounts in 万元 with two decimals, the unit in the header).

- 农牧业招商引资签约落地项目情况表, in the form counties fill (the dispatch table's columns):
  序号, 旗县市区, 项目名称, 投资主体, 投资方所在地, 所属产业, 是否重点项目, 签约日期,
  计划投资（万元）, 累计到位资金（万元）, 到位率, 进展情况, 落地/开工/投产日期, 备注. The projects
  of one year the user sees that are signed or further on, and those dropped after their
  signing; grouped by county with a subtotal per county (projects, planned, in place, rate)
  and a grand total. Queries: the rows (funds in place and the last report as subqueries),
  the subtotals (two grouped queries) — the same whatever the number of rows.
- 向上争取政策项目清单调度台账: the year's upward applications, a totals row and the granted
  funds against the year before (`selectors.upward_totals`).

Both take their filters (`LedgerFilterForm`: year, county, chain) from a query string, the
request's or a background job's (`export_jobs`), and are written by the same functions
either way.
"""

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from itertools import islice
from typing import BinaryIO

from django import forms
from django.db.models import CharField, Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from openpyxl.utils import get_column_letter

from zhuanban.core.excel import Column
from zhuanban.core.ledger import (
    HEADER_ROW,
    LedgerSheet,
    filter_summary,
    new_workbook,
    subtitle_text,
)
from zhuanban.investment.lifecycle import SIGNED_OR_LATER, Stage
from zhuanban.investment.models import (
    ProgressReport,
    Project,
    UpwardApplication,
    UpwardKind,
    UpwardStatus,
)
from zhuanban.investment.scoping import visible_projects, visible_upward
from zhuanban.investment.selectors import YearTotals, received_subquery, upward_totals
from zhuanban.org.models import Chain, OrgUnit

CHUNK_SIZE = 2000
FIRST_YEAR = 2000
AMOUNT_FORMAT = "0.00"
RATE_FORMAT = "0.0%"
PERCENT_FORMAT = "0.0"
RATE_PLACES = Decimal("0.0001")
ZERO = Decimal(0)
# The stages whose date the 落地/开工/投产日期 column shows, the furthest first.
ON_THE_GROUND = (Stage.PRODUCING, Stage.STARTED, Stage.LANDED)


class LedgerFilterForm(forms.Form):
    """A ledger's filters (its query string, in the request or in a job's params): a value
    that is not one of the choices (a stale or hand-edited address) is left out, never an
    error; the year defaults to this year."""

    year = forms.IntegerField(required=False, min_value=FIRST_YEAR)
    county = forms.ModelChoiceField(queryset=OrgUnit.objects.none(), required=False)
    chain = forms.ModelChoiceField(queryset=Chain.objects.all(), required=False)

    def __init__(self, data, *, today, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["county"].queryset = OrgUnit.objects.counties()
        self.fields["year"].max_value = today.year + 1
        self.is_valid()
        values = {
            name: value
            for name, value in self.cleaned_data.items()
            if value not in (None, "") and name not in self.errors
        }
        self.year = values.get("year") or today.year
        self.county = values.get("county")
        self.chain = values.get("chain")


def file_name(title: str, year: int) -> str:
    return f"{title}（{year}）.xlsx"


# Amounts (two decimals), rates (a percentage with one decimal) and per cents, each with
# its bold total.
NUMBER_FORMATS = {"amount": AMOUNT_FORMAT, "rate": RATE_FORMAT, "percent": PERCENT_FORMAT}


def rate(received: Decimal | None, planned: Decimal | None) -> Decimal | None:
    """到位率: the funds in place over the planned investment (a fraction, shown as a
    percentage); none when nothing was planned."""
    if not planned:
        return None
    return (Decimal(received or 0) / Decimal(planned)).quantize(RATE_PLACES)


def _yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


def _filled_in(day: datetime.date) -> str:
    return _("Date filled in: %(date)s") % {"date": day.isoformat()}


def _year_text(year: int) -> str:
    return _("Year: %(year)d") % {"year": year}


def _projects_text(count: int) -> str:
    return ngettext("%(count)d project", "%(count)d projects", count) % {"count": count}


# --- 农牧业招商引资签约落地项目情况表 ------------------------------------------------------------


def signed_title() -> str:
    return _("Agricultural and pastoral investment projects signed and landed")


def signed_columns() -> list[Column]:
    return [
        Column(_("No."), 6),
        Column(pgettext("investment ledger", "County"), 10),
        Column(pgettext("investment ledger", "Project name"), 28),
        Column(pgettext("investment ledger", "Investor"), 24),
        Column(pgettext("investment ledger", "Investor from"), 12),
        Column(pgettext("investment ledger", "Industry"), 12),
        Column(pgettext("investment ledger", "Key project"), 8),
        Column(pgettext("investment ledger", "Signed on"), 12),
        Column(pgettext("investment ledger", "Planned investment (10,000 yuan)"), 13),
        Column(pgettext("investment ledger", "Funds in place to date (10,000 yuan)"), 13),
        Column(pgettext("investment ledger", "Funds in place (rate)"), 9),
        Column(pgettext("investment ledger", "Progress"), 10),
        Column(pgettext("investment ledger", "Landed / started / producing on"), 12),
        Column(pgettext("investment ledger", "Remarks"), 30),
    ]


@dataclass
class Subtotal:
    county: str  # its name ("" for the grand total)
    projects: int
    planned: Decimal
    received: Decimal

    @property
    def rate(self) -> Decimal | None:
        return rate(self.received, self.planned)


@dataclass
class SignedLedger:
    """What the table shows: the year, the filters, the day it is filled in, the rows
    (streamed in chunks) and the subtotal of each county (grouped in the database)."""

    day: datetime.date
    year: int
    county: OrgUnit | None
    chain: Chain | None
    projects: QuerySet[Project]
    subtotals: dict[int, Subtotal]

    def rows(self, chunk_size: int = CHUNK_SIZE) -> Iterator[Project]:
        stream = self.projects.iterator(chunk_size=chunk_size)
        while chunk := list(islice(stream, chunk_size)):
            yield from chunk

    @property
    def total(self) -> Subtotal:
        items = list(self.subtotals.values())
        return Subtotal(
            county="",
            projects=sum(item.projects for item in items),
            planned=sum((item.planned for item in items), ZERO),
            received=sum((item.received for item in items), ZERO),
        )


def signed_projects(user, *, year: int, county=None, chain=None) -> QuerySet[Project]:
    """The projects of `year` the user sees that were signed: at 签约 or further on, or
    dropped after their signing."""
    projects = (
        visible_projects(user)
        .filter(year=year)
        .filter(Q(stage__in=SIGNED_OR_LATER) | Q(stage=Stage.DROPPED, signed_on__isnull=False))
    )
    if county is not None:
        projects = projects.filter(county=county)
    if chain is not None:
        projects = projects.filter(chain=chain)
    return projects


def signed_ledger(
    user, *, day: datetime.date, year: int, county: OrgUnit | None = None, chain=None
) -> SignedLedger:
    base = signed_projects(user, year=year, county=county, chain=chain)
    last_report = (
        ProgressReport.objects.filter(project=OuterRef("pk"))
        .order_by("-reported_on", "-pk")
        .values("text")[:1]
    )
    projects = (
        base.annotate(
            received=received_subquery(),
            last_report=Subquery(last_report, output_field=CharField()),
        )
        .select_related("county", "chain")
        .order_by("county__sort_order", "county__code", "county_id", "signed_on", "name", "pk")
    )
    counted = (
        base.order_by()
        .values("county", "county__name")
        .annotate(n=Count("pk"), planned=Sum("planned_investment"))
    )
    received = dict(
        ProgressReport.objects.filter(project__in=base.values("pk"))
        .order_by()
        .values("project__county")
        .annotate(total=Sum("received"))
        .values_list("project__county", "total")
    )
    subtotals = {
        row["county"]: Subtotal(
            county=row["county__name"],
            projects=row["n"],
            planned=row["planned"] or ZERO,
            received=received.get(row["county"]) or ZERO,
        )
        for row in counted
    }
    return SignedLedger(
        day=day, year=year, county=county, chain=chain, projects=projects, subtotals=subtotals
    )


def ground_date(project: Project) -> datetime.date | None:
    """The date of the furthest of 落地, 开工, 投产 the project reached."""
    for stage in ON_THE_GROUND:
        day = project.date_of(stage)
        if day is not None:
            return day
    return None


def remarks(project: Project) -> str:
    """备注: why a dropped project was dropped, else the last progress report."""
    if project.stage == Stage.DROPPED and project.drop_reason:
        return _("Dropped: %(reason)s") % {"reason": project.drop_reason}
    return project.last_report or ""


def _signed_values(number: int, project: Project) -> list[tuple]:
    return [
        ("number", number),
        ("center", project.county.name),
        ("text", project.name),
        ("text", project.investor),
        ("center", project.investor_origin),
        ("center", project.chain.name),
        ("center", _yes_no(project.is_key)),
        ("date", project.signed_on),
        ("amount", project.planned_investment),
        ("amount", project.received),
        ("rate", rate(project.received, project.planned_investment)),
        ("center", str(Stage(project.stage).label)),
        ("date", ground_date(project)),
        ("text", remarks(project)),
    ]


def _total_values(label: str, subtotal: Subtotal, width: int) -> list[tuple]:
    return [
        ("total_label", ""),
        ("total_label", label),
        ("total_label", _projects_text(subtotal.projects)),
        *[("total_label", "")] * 5,
        ("amount_total", subtotal.planned),
        ("amount_total", subtotal.received),
        ("rate_total", subtotal.rate),
        *[("total_label", "")] * (width - 11),
    ]


def signed_subtitle(data: SignedLedger) -> str:
    filters = []
    if data.county is not None:
        filters.append((str(pgettext("investment ledger", "County")), data.county.name))
    if data.chain is not None:
        filters.append((str(pgettext("investment ledger", "Industry")), data.chain.name))
    return subtitle_text(_filled_in(data.day), _year_text(data.year), filter_summary(filters))


def write_signed_xlsx(
    data: SignedLedger, out: BinaryIO, rows: Iterable[Project] | None = None
) -> None:
    """Write the table to `out`; `rows` are `data.rows()` as a job counts them."""
    title = signed_title()
    wb = new_workbook(title)
    columns = signed_columns()
    sheet = LedgerSheet(
        wb,
        name=pgettext("investment ledger", "Signed projects"),
        columns=columns,
        number_formats=NUMBER_FORMATS,
    )
    sheet.head(title, signed_subtitle(data))
    current = None
    for number, project in enumerate(data.rows() if rows is None else rows, start=1):
        if current is not None and project.county_id != current:
            sheet.append(_subtotal_row(data, current, len(columns)))
        current = project.county_id
        sheet.append(_signed_values(number, project))
    if current is not None:
        sheet.append(_subtotal_row(data, current, len(columns)))
    sheet.append(_total_values(_("Total"), data.total, len(columns)))
    sheet.finish()
    wb.save(out)


def _subtotal_row(data: SignedLedger, county_id: int, width: int) -> list[tuple]:
    subtotal = data.subtotals[county_id]
    label = _("%(county)s subtotal") % {"county": subtotal.county}
    return _total_values(label, subtotal, width)


# --- 向上争取政策项目清单调度台账 -----------------------------------------------------------------


def upward_title() -> str:
    return _("Ledger of the policies and projects sought from higher levels")


def upward_columns() -> list[Column]:
    return [
        Column(_("No."), 6),
        Column(pgettext("investment ledger", "What is sought"), 30),
        Column(pgettext("investment ledger", "Kind"), 8),
        Column(pgettext("investment ledger", "Sought from"), 16),
        Column(pgettext("investment ledger", "Industry chain"), 12),
        Column(pgettext("investment ledger", "Lead office"), 14),
        Column(pgettext("investment ledger", "Led by"), 10),
        Column(pgettext("investment ledger", "Amount requested (10,000 yuan)"), 13),
        Column(pgettext("investment ledger", "Amount granted (10,000 yuan)"), 13),
        Column(pgettext("investment ledger", "Status"), 9),
        Column(pgettext("investment ledger", "Submitted on"), 12),
        Column(pgettext("investment ledger", "Decided on"), 12),
        Column(pgettext("investment ledger", "Progress"), 30),
    ]


@dataclass
class UpwardLedger:
    day: datetime.date
    year: int
    applications: QuerySet[UpwardApplication]
    this: YearTotals | None
    last: YearTotals | None

    def rows(self, chunk_size: int = CHUNK_SIZE) -> Iterator[UpwardApplication]:
        stream = self.applications.iterator(chunk_size=chunk_size)
        while chunk := list(islice(stream, chunk_size)):
            yield from chunk


def upward_ledger(user, *, day: datetime.date, year: int) -> UpwardLedger:
    """The year's applications the user reads, and the totals of this year and the year
    before (one grouped query)."""
    applications = (
        visible_upward(user)
        .filter(year=year)
        .select_related("chain", "office")
        .order_by("chain__sort_order", "chain__code", "kind", "pk")
    )
    totals = {item.year: item for item in upward_totals(user)}
    return UpwardLedger(
        day=day,
        year=year,
        applications=applications,
        this=totals.get(year),
        last=totals.get(year - 1),
    )


def _upward_progress(application: UpwardApplication) -> str:
    parts = [application.progress]
    if application.reason and application.status == UpwardStatus.REJECTED:
        parts.append(_("Not approved: %(reason)s") % {"reason": application.reason})
    return "\n".join(part for part in parts if part)


def _upward_values(number: int, application: UpwardApplication) -> list[tuple]:
    return [
        ("number", number),
        ("text", application.title),
        ("center", str(UpwardKind(application.kind).label)),
        ("text", application.authority),
        ("center", application.chain.name),
        ("center", application.office.name),
        ("center", application.led_by),
        ("amount", application.amount_requested),
        ("amount", application.amount_granted),
        ("center", str(UpwardStatus(application.status).label)),
        ("date", application.submitted_on),
        ("date", application.decided_on),
        ("text", _upward_progress(application)),
    ]


def _comparison_row(label: str, look: str, value, width: int) -> list[tuple]:
    """A line of the year-on-year block: its label across the first columns, its figure
    in the granted column."""
    return [
        ("total_label", ""),
        ("total_label", label),
        *[("total_label", "")] * 6,
        (look, value),
        *[("total_label", "")] * (width - 9),
    ]


def write_upward_xlsx(
    data: UpwardLedger, out: BinaryIO, rows: Iterable[UpwardApplication] | None = None
) -> None:
    """Write the ledger to `out`; `rows` are `data.rows()` as a job counts them."""
    title = upward_title()
    wb = new_workbook(title)
    columns = upward_columns()
    width = len(columns)
    sheet = LedgerSheet(
        wb,
        name=pgettext("investment ledger", "Upward applications"),
        columns=columns,
        number_formats=NUMBER_FORMATS,
    )
    sheet.head(title, subtitle_text(_filled_in(data.day), _year_text(data.year)))
    for number, application in enumerate(data.rows() if rows is None else rows, start=1):
        sheet.append(_upward_values(number, application))
    last_row = sheet.row
    this = data.this
    count = this.applications if this else 0
    sheet.append(
        [
            ("total_label", _("Total")),
            (
                "total_label",
                ngettext("%(count)d application", "%(count)d applications", count)
                % {"count": count},
            ),
            *[("total_label", "")] * 5,
            ("amount_total", this.requested if this else ZERO),
            ("amount_total", this.granted if this else ZERO),
            *[("total_label", "")] * (width - 9),
        ]
    )
    granted_this = this.granted if this else ZERO
    granted_last = data.last.granted if data.last else ZERO
    growth = this.growth if this else None
    sheet.append(
        _comparison_row(
            _("Granted in %(year)d (10,000 yuan)") % {"year": data.year},
            "amount_total",
            granted_this,
            width,
        )
    )
    sheet.append(
        _comparison_row(
            _("Granted in %(year)d (10,000 yuan)") % {"year": data.year - 1},
            "amount_total",
            granted_last,
            width,
        )
    )
    sheet.append(
        _comparison_row(
            _("Change on the year before (%)"),
            "percent_total" if growth is not None else "total_label",
            growth if growth is not None else "—",
            width,
        )
    )
    sheet.finish(autofilter=False)
    # The filter covers the applications, not the totals and the comparison below them.
    sheet.ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(width)}{last_row}"
    wb.save(out)
