"""The section generators the bulletin editor and the report templates offer, registered
into `generators.GENERATORS` when this module is imported (generators.py imports it at
its bottom).

Each reads through the other apps' scoping and selectors as the user who asks, validates
its parameters (a task list or round the user may not see is refused exactly like one
that does not exist: ValidationError {"params": …}, never a leak), and answers a Draft in
the document language: sentences are msgids rendered under
`translation.override(DOCUMENT_LANGUAGE)`, figures are written by `phrases`.
"""

import datetime
from collections.abc import Callable
from decimal import Decimal
from functools import wraps

from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from zhuanban.brand import selectors as brand_selectors
from zhuanban.brand.models import Licence
from zhuanban.brand.scoping import visible_enterprises
from zhuanban.dispatch import scoping as dispatch_scoping
from zhuanban.dispatch import selectors as dispatch_selectors
from zhuanban.investment import selectors as investment_selectors
from zhuanban.investment.lifecycle import Stage as ProjectStage
from zhuanban.investment.scoping import sees_all as sees_all_investment
from zhuanban.org.models import OrgUnit
from zhuanban.org.roles import UnitKind
from zhuanban.org.scoping import scope_for
from zhuanban.reports import phrases, summary
from zhuanban.reports.generators import Draft, Generator, Link, register
from zhuanban.reports.scoping import reads_reports
from zhuanban.tasks import selectors as task_selectors
from zhuanban.tasks.filters import filters_to_query
from zhuanban.tasks.lifecycle import Status
from zhuanban.tasks.models import Light
from zhuanban.tasks.scoping import visible_lists
from zhuanban.tasks.selectors import LedgerFilters

W = phrases.WORDS
# How many lagging measures, units or enterprises a draft names before "等N项".
LISTED = 20
KEY_ENTERPRISES = 5


# --- parameters ---------------------------------------------------------------------------------


def _refuse(message: str) -> ValidationError:
    return ValidationError({"params": message}, code="params")


def _pk(params: dict, name: str, *, required: bool) -> int | None:
    value = params.get(name)
    if value in (None, ""):
        if required:
            raise _refuse(_("Choose what to draft the section from."))
        return None
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise _refuse(_("Choose what to draft the section from.")) from None
    if not 0 < pk < 2**63:
        raise _refuse(_("Choose what to draft the section from."))
    return pk


def _in_document_language(draft: Callable) -> Callable:
    """A generator's drafting: refused to those who read no reports, written in Chinese."""

    @wraps(draft)
    def wrapper(user, params: dict, as_of: datetime.date) -> Draft:
        if not reads_reports(user):
            raise _refuse(_("Choose what to draft the section from."))
        with translation.override(phrases.DOCUMENT_LANGUAGE):
            return draft(user, params or {}, as_of)

    return wrapper


def _ledger(**filters) -> str:
    return summary._url("tasks:ledger", filters_to_query(LedgerFilters(**filters)))


def _names(names: list[str]) -> str:
    """ "卓资县、化德县" (and "等N个" beyond LISTED)."""
    shown = W["pause"].join(names[:LISTED])
    if len(names) > LISTED:
        shown += pgettext("drafts", "and %(n)s more") % {"n": len(names) - LISTED}
    return shown


# --- 工作总结 ----------------------------------------------------------------------------------


def _work_summary(user, params: dict, as_of: datetime.date) -> Draft:
    pk = _pk(params, "unit", required=False)
    unit = None
    if pk is not None:
        unit = OrgUnit.objects.filter(pk=pk, kind__in=[UnitKind.OFFICE, UnitKind.COUNTY]).first()
        if unit is None:  # refused as a scope the user may not summarise
            raise summary.scope_refused()
    return summary.work_summary(user, unit=unit, as_of=as_of)


# --- a task list's progress -------------------------------------------------------------------


@_in_document_language
def _task_progress(user, params: dict, as_of: datetime.date) -> Draft:
    """《清单》共有具体落实措施76项，已完成25项，正在推进51项；其中绿灯…、黄灯…、红灯…;
    then the red measures with their lead units."""
    pk = _pk(params, "task_list", required=True)
    task_list = visible_lists(user).filter(pk=pk).first()
    if task_list is None:
        raise _refuse(_("Choose a task list you may see."))
    ledger = task_selectors.ledger(user, LedgerFilters(task_list=pk), today=as_of)
    counts = task_selectors.ledger_counts(ledger)
    heading = pgettext("task progress", "Progress of %(title)s") % {"title": task_list.title}
    if not counts["total"]:
        body = pgettext("task progress", "%(title)s has no measures yet.") % {
            "title": task_list.title
        }
        return Draft(heading=heading, body=body)
    links = [Link(phrases.count(counts["total"], "项"), _ledger(task_list=pk, leaves_only=True))]
    parts = [
        pgettext("task progress", "%(title)s has %(total)s measures")
        % {
            "title": task_list.title,
            "total": links[0].label,
        }
    ]
    if counts["closed"]:
        link = Link(
            phrases.completed(counts["closed"]),
            _ledger(task_list=pk, status=Status.CLOSED, leaves_only=True),
        )
        parts.append(link.label)
        links.append(link)
    if counts["open"]:
        parts.append(
            pgettext("task progress", "%(n)s under way")
            % {"n": phrases.count(counts["open"], "项")}
        )
    sentence = W["item_sep"].join(parts)
    lights = []
    for light, word in (
        (Light.GREEN, pgettext("task progress", "green: %(n)s")),
        (Light.YELLOW, pgettext("task progress", "yellow: %(n)s")),
        (Light.RED, pgettext("task progress", "red: %(n)s")),
    ):
        n = counts[light]
        if n:
            link = Link(
                phrases.count(n, "项"), _ledger(task_list=pk, light=light, leaves_only=True)
            )
            lights.append(word % {"n": link.label})
            links.append(link)
    if lights:
        sentence += W["clause_sep"] + pgettext("task progress", "of which %(lights)s") % {
            "lights": W["pause"].join(lights)
        }
    paragraphs = [sentence + W["full_stop"]]
    red = list(
        task_selectors.ledger(
            user, LedgerFilters(task_list=pk, light=Light.RED, leaves_only=True), today=as_of
        )[: LISTED + 1]
    )
    if red:
        paragraphs.append(pgettext("task progress", "Overdue measures (red light):"))
        for number, task in enumerate(red[:LISTED], start=1):
            paragraphs.append(
                pgettext("task progress", "%(number)s. %(content)s (lead unit: %(unit)s)")
                % {
                    "number": number,
                    "content": task.content.strip().rstrip("。；;."),
                    "unit": task.lead_unit.name if task.lead_unit else "—",
                }
            )
        if len(red) > LISTED:
            paragraphs.append(
                pgettext("task progress", "(%(n)s more in the ledger)")
                % {"n": counts[Light.RED] - LISTED}
            )
    return Draft(heading=heading, body="\n\n".join(paragraphs), links=links)


# --- a dispatch round --------------------------------------------------------------------------


@_in_document_language
def _dispatch_round(user, params: dict, as_of: datetime.date) -> Draft:
    """应报11个单位，已报9个；未报送：…；逾期报送：…; the summed columns' totals and their
    change on the previous period."""
    pk = _pk(params, "round", required=True)
    round_ = (
        dispatch_scoping.visible_rounds(user)
        .select_related("template", "template_version")
        .filter(pk=pk)
        .first()
    )
    # A county answers a round but never sees the others' figures: the same refusal.
    if round_ is None or not dispatch_scoping.sees_all_units(user):
        raise _refuse(_("Choose a dispatch round you may see."))
    result = dispatch_selectors.consolidate(round_)
    round_url = summary._url("dispatch:round", "", round_.pk)
    summary_url = summary._url("dispatch:consolidation", "", round_.pk)
    heading = pgettext("dispatch draft", "%(title)s: consolidated figures") % {
        "title": round_.title
    }
    expected = Link(phrases.count(result.expected, "个"), round_url)
    reported = Link(phrases.count(result.reported, "个"), round_url)
    links = [expected, reported]
    parts = [
        pgettext("dispatch draft", "units expected to report: %(expected)s, reported: %(reported)s")
        % {"expected": expected.label, "reported": reported.label}
    ]
    missing = [line.unit.name for line in result.lines if not line.reported]
    if missing:
        parts.append(
            pgettext("dispatch draft", "not reported: %(units)s") % {"units": _names(missing)}
        )
    late = [
        s.unit.name
        for s in dispatch_selectors.round_submissions(round_)
        if s.first_submitted_at is not None
        and timezone.localdate(s.first_submitted_at) > round_.due_on
    ]
    if late:
        parts.append(
            pgettext("dispatch draft", "reported late: %(units)s") % {"units": _names(late)}
        )
    paragraphs = [W["clause_sep"].join(parts) + W["full_stop"]]
    columns = result.summed_columns
    previous = None
    if columns:
        keys = [c.key for c in columns]
        previous = dispatch_selectors.comparisons(round_, keys)[0]
    totals = []
    for column in columns:
        value = result.total.get(column.key)
        if value is None:
            continue
        figure = phrases.quantity(value, column.unit, places=max(column.decimals, 2))
        text = pgettext("dispatch draft", "%(column)s: %(total)s") % {
            "column": column.label,
            "total": figure,
        }
        before = previous.total.get(column.key) if previous and previous.round else None
        if before:
            change = (value - before) * 100 / before
            text += W["item_sep"] + _change(change)
        totals.append(text)
        links.append(Link(figure, summary_url))
    if totals:
        paragraphs.append(
            pgettext("dispatch draft", "Totals: %(totals)s.")
            % {"totals": W["clause_sep"].join(totals)}
        )
    return Draft(heading=heading, body="\n\n".join(paragraphs), links=links)


def _change(percent: Decimal) -> str:
    """较上期增长12.5% / 较上期下降3% / 与上期持平."""
    points = phrases.number(abs(percent), 1)
    if points == "0":
        return pgettext("dispatch draft", "level with the previous period")
    if percent > 0:
        return pgettext("dispatch draft", "up %(percent)s%% on the previous period") % {
            "percent": points
        }
    return pgettext("dispatch draft", "down %(percent)s%% on the previous period") % {
        "percent": points
    }


# --- lagging units -----------------------------------------------------------------------------


@_in_document_language
def _lagging(user, params: dict, as_of: datetime.date) -> Draft:
    """Counties behind the time elapsed on each indicator (yellow and red), and the red
    measures by county; of one office when `office` is given."""
    office = None
    pk = _pk(params, "office", required=False)
    if pk is not None:
        office = OrgUnit.objects.offices().filter(pk=pk).first()
        if office is None:
            raise _refuse(_("Choose an office."))
    indicators = dispatch_scoping.visible_indicators(user).order_by("sort_order", "code")
    if office is not None:
        indicators = indicators.filter(office=office)
    sees_all = dispatch_scoping.sees_all_units(user)
    own = dispatch_scoping.acting_unit_ids(scope_for(user))
    paragraphs, links = [], []
    indicators = list(indicators)
    progress_list = (
        dispatch_selectors.indicator_progress(indicators, as_of.year, as_of=as_of)
        if indicators
        else []
    )
    for progress in progress_list:
        # A county sees its own line, never the other counties' figures.
        rows = [r for r in progress.rows if r.is_lagging and (sees_all or r.unit.pk in own)]
        if not rows:
            continue
        url = summary._url(
            "dispatch:indicator",
            {"year": as_of.year, "as_of": as_of.isoformat()},
            progress.indicator.code,
        )
        units = [
            pgettext("lagging draft", "%(unit)s (%(completion)s%% done, %(pace)s)")
            % {
                "unit": row.unit.name,
                "completion": phrases.number(row.completion, 1),
                "pace": phrases.pace_phrase(row.completion, progress.elapsed),
            }
            for row in rows
        ]
        label = progress.indicator.name
        paragraphs.append(
            pgettext("lagging draft", "%(indicator)s: behind the time elapsed: %(units)s.")
            % {"indicator": label, "units": _names(units)}
        )
        links.append(Link(label, url))
    red = task_selectors.ledger(
        user,
        LedgerFilters(light=Light.RED, office=office.pk if office else None, leaves_only=True),
        today=as_of,
    )
    by_county = (
        red.filter(county__isnull=False)
        .order_by()
        .values("county_id", "county__name", "county__sort_order")
        .annotate(n=Count("pk"))
        .order_by("-n", "county__sort_order")
    )
    counties = []
    for row in by_county:
        link = Link(
            row["county__name"] + phrases.count(row["n"], "项"),
            _ledger(
                light=Light.RED,
                county=row["county_id"],
                office=office.pk if office else None,
                leaves_only=True,
            ),
        )
        counties.append(link.label)
        links.append(link)
    if counties:
        paragraphs.append(
            pgettext("lagging draft", "Overdue measures by county: %(counties)s.")
            % {"counties": _names(counties)}
        )
    heading = pgettext("lagging draft", "Lagging units as of %(date)s") % {
        "date": phrases.day_text(as_of)
    }
    if not paragraphs:
        paragraphs.append(
            pgettext("lagging draft", "As of %(date)s no unit lags behind.")
            % {"date": phrases.day_text(as_of)}
        )
    return Draft(heading=heading, body="\n\n".join(paragraphs), links=links)


# --- investment -------------------------------------------------------------------------------


@_in_document_language
def _investment(user, params: dict, as_of: datetime.date) -> Draft:
    """Activities and the projects they attracted, the funnel, planned investment and funds
    in place, upward funds granted and their change on the year before."""
    year = as_of.year
    counted = investment_selectors.activity_summary(user, year=year, until=as_of)
    held, projects = counted.activities, counted.projects
    funnel = investment_selectors.funnel(user, year=year)
    figures = investment_selectors.pipeline_figures(user, year=year)
    paragraphs, links = [], []
    if held:
        activity_link = Link(
            phrases.count(held, "次"), summary._url("investment:activities", {"year": year})
        )
        project_link = Link(
            phrases.count(projects, "个"), summary._url("investment:projects", {"year": year})
        )
        links += [activity_link, project_link]
        paragraphs.append(
            pgettext(
                "investment draft",
                "This year %(activities)s promotion activities were held, attracting "
                "%(projects)s projects.",
            )
            % {"activities": activity_link.label, "projects": project_link.label}
        )
    if funnel.total:
        projects_url = summary._url("investment:projects", {"year": year})
        total = Link(phrases.count(funnel.total, "个"), projects_url)
        links.append(total)
        stages = []
        for stage, n in funnel.reached():
            if stage in (ProjectStage.PLANNED, ProjectStage.NEGOTIATING) or not n:
                continue
            stages.append(
                pgettext("investment draft", "%(stage)s: %(n)s")
                % {"stage": ProjectStage(stage).label, "n": phrases.count(n, "个")}
            )
        text = pgettext("investment draft", "The pipeline holds %(total)s projects") % {
            "total": total.label
        }
        if stages:
            text += W["item_sep"] + pgettext("investment draft", "of which %(stages)s") % {
                "stages": W["pause"].join(stages)
            }
        money = []
        if figures.planned:
            money.append(
                pgettext("investment draft", "planned investment %(amount)s")
                % {"amount": phrases.quantity(figures.planned, "万元")}
            )
        if figures.received:
            money.append(
                pgettext("investment draft", "funds in place %(amount)s")
                % {"amount": phrases.quantity(figures.received, "万元")}
            )
        if money:
            text += W["clause_sep"] + W["item_sep"].join(money)
        paragraphs.append(text + W["full_stop"])
    if sees_all_investment(user):
        totals = {t.year: t for t in investment_selectors.upward_totals(user)}
        this = totals.get(year)
        if this and this.granted:
            link = Link(
                phrases.quantity(this.granted, "万元"),
                summary._url("investment:upward_list", {"year": year}),
            )
            links.append(link)
            text = pgettext(
                "investment draft", "Funds granted by higher levels this year: %(amount)s"
            ) % {"amount": link.label}
            if this.growth is not None:
                text += W["item_sep"] + _year_on_year(this.growth)
            paragraphs.append(text + W["full_stop"])
    heading = pgettext("investment draft", "Investment promotion")
    if not paragraphs:
        paragraphs.append(pgettext("investment draft", "No investment figures this year yet."))
    return Draft(heading=heading, body="\n\n".join(paragraphs), links=links)


def _year_on_year(growth: Decimal) -> str:
    if growth > 0:
        return pgettext("investment draft", "up %(percent)s%% year on year") % {
            "percent": phrases.number(growth, 1)
        }
    if growth < 0:
        return pgettext("investment draft", "down %(percent)s%% year on year") % {
            "percent": phrases.number(-growth, 1)
        }
    return pgettext("investment draft", "level with last year")


# --- brand ------------------------------------------------------------------------------------


@_in_document_language
def _brand(user, params: dict, as_of: datetime.date) -> Draft:
    """品牌授权企业达83家; the largest licensees' sales against the same period last year
    ("阴山优麦、兰格格等重点授权企业销售额较去年同期增长10%~50%")."""
    figures = brand_selectors.register_figures(user, as_of)
    paragraphs, links = [], []
    if figures["licensed"]:
        link = Link(
            phrases.count(figures["licensed"], "家"),
            summary._url("brand:home", {"licensed": "yes"}),
        )
        links.append(link)
        paragraphs.append(
            pgettext("brand draft", "Brand-licensed enterprises reached %(n)s.") % {"n": link.label}
        )
    licensed = visible_enterprises(user).filter(
        pk__in=Licence.objects.valid_on(as_of).values("enterprise_id")
    )
    key = list(
        brand_selectors.with_sales(licensed, as_of.year)
        .filter(sales_this__isnull=False, growth__isnull=False)
        .order_by("-sales_this", "name")
        .values("pk", "name", "growth")[:KEY_ENTERPRISES]
    )
    if key:
        growths = [Decimal(row["growth"]) for row in key]
        low, high = min(growths), max(growths)
        for row in key:
            links.append(Link(row["name"], summary._url("brand:enterprise", "", row["pk"])))
        names = W["pause"].join(row["name"] for row in key)
        if low > 0:
            if phrases.number(low, 0) == phrases.number(high, 0):
                change = pgettext("brand draft", "up %(percent)s%%") % {
                    "percent": phrases.number(low, 0)
                }
            else:
                change = pgettext("brand draft", "up %(low)s%%~%(high)s%%") % {
                    "low": phrases.number(low, 0),
                    "high": phrases.number(high, 0),
                }
            paragraphs.append(
                pgettext(
                    "brand draft",
                    "Sales of the key licensees %(names)s were %(change)s on the same period "
                    "last year.",
                )
                % {"names": names, "change": change}
            )
        else:
            items = [
                pgettext("brand draft", "%(name)s %(change)s")
                % {"name": row["name"], "change": _year_on_year(Decimal(row["growth"]))}
                for row in key
            ]
            paragraphs.append(
                pgettext("brand draft", "Sales of the key licensees: %(items)s.")
                % {"items": W["item_sep"].join(items)}
            )
    heading = pgettext("brand draft", "The regional public brand")
    if not paragraphs:
        paragraphs.append(pgettext("brand draft", "No licensed enterprises yet."))
    return Draft(heading=heading, body="\n\n".join(paragraphs), links=links)


register(
    Generator(
        "work_summary",
        gettext_lazy("Work summary (the bureau, an office or a county)"),
        _work_summary,
        ("unit",),
    )
)
register(
    Generator(
        "task_progress", gettext_lazy("A task list's progress"), _task_progress, ("task_list",)
    )
)
register(
    Generator(
        "dispatch_round",
        gettext_lazy("A dispatch round's consolidated figures"),
        _dispatch_round,
        ("round",),
    )
)
register(Generator("lagging", gettext_lazy("Lagging units"), _lagging, ("office",)))
register(Generator("investment", gettext_lazy("Investment promotion figures"), _investment))
register(Generator("brand", gettext_lazy("Brand licensees and sales"), _brand))
