"""The work summary: the seed text's last paragraph ("截至目前，全市…重点任务具体落实措施
76项已完成25项；农牧领域共开展招商引资活动120次，招引项目104个；肉牛存栏增加7.8万头、完成
年度任务的三分之二以上…；品牌授权企业达83家；以市委农牧办名义下发督办通报11份") drafted
from data, for a day and a scope: the bureau (everything the user sees), an office (its
task lists, indicators, notices, and the registers it keeps) or a county (its measures,
activities, projects and licensees, its indicator values with its rank among counties,
the notices it received).

Every figure is read through the other apps' scoping, as the user sees it, counted as of
the day (measures assigned and closed by then, activities and notices of that year up to
it, licences valid on it, indicators up to it), and comes with a link to the screen that
lists its records. A clause with nothing to say is left out: the text never says "0项".

The sentences are msgids rendered in the document language; the figures' words come from
`phrases` (see there why they are not msgids).
"""

import datetime
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, Min, OuterRef, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from zhuanban.brand.models import Licence
from zhuanban.brand.scoping import brand_office_id, visible_enterprises
from zhuanban.dispatch.scoping import visible_indicators
from zhuanban.dispatch.selectors import indicator_progress
from zhuanban.investment.scoping import investment_office_id
from zhuanban.investment.selectors import activity_summary
from zhuanban.org.models import OrgUnit
from zhuanban.org.roles import Role, UnitKind
from zhuanban.org.scoping import scope_for
from zhuanban.reports import phrases
from zhuanban.reports.generators import Draft, Link
from zhuanban.reports.scoping import reads_reports
from zhuanban.supervision.models import NoticeKind, NoticeRecipient
from zhuanban.supervision.scoping import visible_notices
from zhuanban.tasks.filters import filters_to_query
from zhuanban.tasks.lifecycle import Status
from zhuanban.tasks.scoping import visible_tasks
from zhuanban.tasks.selectors import LedgerFilters

W = phrases.WORDS


# --- who may summarise what ---------------------------------------------------------------------


@dataclass
class SummaryChoices:
    """The scopes a user may summarise: the bureau, offices, counties."""

    bureau: bool = False
    offices: list[OrgUnit] = field(default_factory=list)
    counties: list[OrgUnit] = field(default_factory=list)

    def __bool__(self) -> bool:
        return self.bureau or bool(self.offices) or bool(self.counties)

    def allows(self, unit: OrgUnit | None) -> bool:
        if unit is None:
            return self.bureau
        return any(u.pk == unit.pk for u in (*self.offices, *self.counties))


def summary_choices(user) -> SummaryChoices:
    """Leaders (and inspectors, who read everything) the bureau, every office and every
    county; office staff their offices; county people their county. Two queries."""
    if not reads_reports(user):
        return SummaryChoices()
    scope = scope_for(user)
    everything = scope.has_role(Role.LEADER, Role.INSPECTOR)
    offices = OrgUnit.objects.offices().active().order_by("sort_order", "code")
    counties = OrgUnit.objects.counties().active().order_by("sort_order", "code")
    if not everything:
        offices = offices.filter(pk__in=scope.office_ids)
        acting = {*scope.liaison_unit_ids, scope.own_unit_id}
        counties = counties.filter(pk__in=[pk for pk in acting if pk is not None])
    return SummaryChoices(
        bureau=everything,
        offices=list(offices.only("pk", "name", "kind", "path")),
        counties=list(counties.only("pk", "name", "kind", "path")),
    )


def scope_refused() -> ValidationError:
    return ValidationError(
        {"params": _("Choose the bureau, an office or a county you may summarise.")},
        code="scope",
    )


def check_scope(user, unit: OrgUnit | None) -> None:
    if not summary_choices(user).allows(unit):
        raise scope_refused()


# --- the text ----------------------------------------------------------------------------------


@dataclass
class _Text:
    """Text under construction and the links of its figures, in the order they appear."""

    parts: list[str] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)

    def add(self, text: str, *links: Link) -> None:
        self.parts.append(text)
        self.links.extend(links)

    def __bool__(self) -> bool:
        return bool(self.parts)


@dataclass(frozen=True)
class _Scope:
    kind: str  # "bureau", "office" or "county"
    unit: OrgUnit | None
    as_of: datetime.date

    @property
    def end(self) -> datetime.datetime:
        """The first moment after the day: what happened before it counts."""
        next_day = self.as_of + datetime.timedelta(days=1)
        return timezone.make_aware(datetime.datetime.combine(next_day, datetime.time.min))

    @property
    def county(self) -> OrgUnit | None:
        return self.unit if self.kind == UnitKind.COUNTY else None

    @property
    def office(self) -> OrgUnit | None:
        return self.unit if self.kind == UnitKind.OFFICE else None

    def keeps(self, office_id: int | None) -> bool:
        """The bureau, a county, or the office that keeps the register."""
        return self.kind != UnitKind.OFFICE or (office_id is not None and office_id == self.unit.pk)


def _url(name: str, query: dict | str = "", *args) -> str:
    url = reverse(name, args=args)
    if isinstance(query, dict):
        query = urlencode({key: value for key, value in query.items() if value not in (None, "")})
    return f"{url}?{query}" if query else url


def _tasks(user, scope: _Scope, out: _Text) -> None:
    """《清单》具体落实措施76项已完成25项: measures assigned by the day, per list title (the
    offices' lists of meeting decisions share one), the largest first. One query."""
    tasks = (
        visible_tasks(user)
        .leaves()
        .filter(task_list__year=scope.as_of.year, assigned_at__lt=scope.end)
    )
    if scope.office:
        tasks = tasks.filter(task_list__office=scope.office)
    if scope.county:
        tasks = tasks.filter(county=scope.county)
    closed = Q(status=Status.CLOSED, closed_at__lt=scope.end)
    rows = (
        tasks.order_by()
        .values("task_list__title")
        .annotate(
            total=Count("pk"),
            closed=Count("pk", filter=closed),
            lists=Count("task_list", distinct=True),
            first=Min("task_list_id"),
        )
        .order_by("-total", "task_list__title")
    )
    items = []
    links = []
    county = scope.county.pk if scope.county else None
    for row in rows:
        if row["lists"] == 1:
            filters = LedgerFilters(task_list=row["first"], county=county, leaves_only=True)
            url = _url("tasks:ledger", filters_to_query(filters))
            filters.status = Status.CLOSED
            closed_url = _url("tasks:ledger", filters_to_query(filters))
        else:
            url = closed_url = _url("tasks:lists")
        measures = phrases.done_of(row["total"], row["closed"])
        # Translators: %(title)s is a task list's title, %(measures)s "76项已完成25项".
        items.append(
            pgettext("work summary", "%(title)s: %(measures)s measures")
            % {"title": row["task_list__title"], "measures": measures}
        )
        links.append(Link(phrases.count(row["total"], "项"), url))
        if row["closed"]:
            links.append(Link(phrases.completed(row["closed"]), closed_url))
    if items:
        out.add(W["item_sep"].join(items), *links)


def _investment(user, scope: _Scope, out: _Text) -> None:
    """农牧领域共开展招商引资活动120次，招引项目104个: the year's activities up to the day and
    the distinct projects they produced that the user sees. Two queries."""
    if not scope.keeps(investment_office_id()):
        return
    counted = activity_summary(
        user,
        year=scope.as_of.year,
        until=scope.as_of,
        county_id=scope.county.pk if scope.county else None,
    )
    held, projects = counted.activities, counted.projects
    if not held:
        return
    query = {"year": scope.as_of.year, "county": scope.county.pk if scope.county else None}
    links = [Link(phrases.count(held, "次"), _url("investment:activities", query))]
    if projects:
        links.append(Link(phrases.count(projects, "个"), _url("investment:projects", query)))
        text = pgettext(
            "work summary",
            "promotion activities held in agriculture and animal husbandry: %(activities)s, "
            "projects attracted: %(projects)s",
        ) % {"activities": links[0].label, "projects": links[1].label}
    else:
        text = pgettext(
            "work summary", "promotion activities held in agriculture and animal husbandry: %(n)s"
        ) % {"n": links[0].label}
    out.add(text, *links)


def _indicators(user, scope: _Scope, out: _Text) -> None:
    """肉牛存栏增量达7.8万头、完成年度任务的三分之二以上 (a county: its own value and its rank
    among the counties). A constant number of queries for any number of indicators."""
    indicators = visible_indicators(user).order_by("sort_order", "code")
    if scope.office:
        indicators = indicators.filter(office=scope.office)
    indicators = list(indicators)
    if not indicators:
        return
    items, links = [], []
    year = scope.as_of.year
    for progress in indicator_progress(indicators, year, as_of=scope.as_of):
        indicator = progress.indicator
        if scope.county:
            row = next((r for r in progress.rows if r.unit.pk == scope.county.pk), None)
        else:
            row = progress.total
        if row is None or row.actual is None or row.actual <= 0:
            continue
        figure = phrases.quantity(
            row.actual, indicator.unit_of_measure, places=max(indicator.decimals, 2)
        )
        text = pgettext("work summary", "%(indicator)s reached %(quantity)s") % {
            "indicator": indicator.name,
            "quantity": figure,
        }
        share = (
            phrases.completion_clause(row.actual, row.target)
            if indicator.higher_is_better
            else None
        )
        if share:
            text += W["pause"] + share
        if scope.county and row.rank:
            text += W["item_sep"] + phrases.rank_phrase(row.rank)
        items.append(text)
        links.append(
            Link(
                figure,
                _url(
                    "dispatch:indicator",
                    {"year": year, "as_of": scope.as_of.isoformat()},
                    indicator.code,
                ),
            )
        )
    if items:
        out.add(W["item_sep"].join(items), *links)


def _brand(user, scope: _Scope, out: _Text) -> None:
    """品牌授权企业达83家: enterprises holding a licence valid on the day. One query."""
    if not scope.keeps(brand_office_id()):
        return
    enterprises = visible_enterprises(user).filter(
        Exists(Licence.objects.valid_on(scope.as_of).filter(enterprise=OuterRef("pk")))
    )
    if scope.county:
        enterprises = enterprises.filter(county=scope.county)
    licensed = enterprises.count()
    if not licensed:
        return
    query = {"licensed": "yes", "county": scope.county.pk if scope.county else None}
    link = Link(phrases.count(licensed, "家"), _url("brand:home", query))
    out.add(
        pgettext("work summary", "brand-licensed enterprises reached %(n)s") % {"n": link.label},
        link,
    )


def _notices(user, scope: _Scope, out: _Text) -> None:
    """以市委农牧办名义下发督办通报11份（含通报表扬1份）: the notices issued in the year up to
    the day, per issuing authority; a county: those it received. One query."""
    notices = (
        visible_notices(user)
        .issued()
        .filter(issue_date__year=scope.as_of.year, issue_date__lte=scope.as_of)
    )
    if scope.office:
        notices = notices.filter(office=scope.office)
    if scope.county:
        notices = notices.filter(
            Exists(
                NoticeRecipient.objects.filter(
                    notice_id=OuterRef("pk"), unit__path__startswith=scope.county.path
                )
            )
        )
    rows = (
        notices.order_by()
        .values("authority_id", "authority__name")
        .annotate(n=Count("pk"), commendations=Count("pk", filter=Q(kind=NoticeKind.COMMENDATION)))
        .order_by("-n", "authority__name")
    )
    items, links = [], []
    for row in rows:
        query = {
            "year": scope.as_of.year,
            "authority": row["authority_id"],
            "unit": scope.county.pk if scope.county else None,
        }
        link = Link(phrases.count(row["n"], "份"), _url("supervision:notices", query))
        values = {"authority": row["authority__name"], "n": link.label}
        if scope.county:
            text = pgettext(
                "work summary", "supervision notices received from %(authority)s: %(n)s"
            )
        else:
            text = pgettext(
                "work summary", "supervision notices issued in the name of %(authority)s: %(n)s"
            )
        text %= values
        if row["commendations"]:
            text = pgettext("work summary", "%(text)s (of which commendations: %(n)s)") % {
                "text": text,
                "n": phrases.count(row["commendations"], "份"),
            }
        items.append(text)
        links.append(link)
    if items:
        out.add(W["item_sep"].join(items), *links)


CLAUSES = (_tasks, _investment, _indicators, _brand, _notices)


def _subject(scope: _Scope) -> str:
    return scope.unit.name if scope.unit is not None else W["city"]


def work_summary(user, *, unit: OrgUnit | None, as_of: datetime.date) -> Draft:
    """The summary of `unit` (None: the bureau) as of `as_of`, as `user` sees the data,
    in the document language. ValidationError({"params": …}) for a scope the user may not
    summarise."""
    check_scope(user, unit)
    kind = "bureau" if unit is None else unit.kind
    scope = _Scope(kind=kind, unit=unit, as_of=as_of)
    with translation.override(phrases.DOCUMENT_LANGUAGE):
        out = _Text()
        for clause in CLAUSES:
            clause(user, scope, out)
        values = {"date": phrases.day_text(as_of), "subject": _subject(scope)}
        heading = (
            pgettext("work summary", "Progress of the key work of %(subject)s as of %(date)s")
            % values
        )
        if not out:
            body = (
                pgettext("work summary", "As of %(date)s, %(subject)s has no figures to report.")
                % values
            )
            return Draft(heading=heading, body=body)
        # Translators: %(clauses)s are the figures' clauses, already in Chinese.
        body = pgettext("work summary", "As of %(date)s, %(subject)s: %(clauses)s.") % {
            **values,
            "clauses": W["clause_sep"].join(out.parts),
        }
        return Draft(heading=heading, body=body, links=out.links)
