"""Reads for the rectification screens and for the apps that show rectification figures
(the supervision overview): scoped, with their joins, counted in the database.

The list's filters travel in the query string and are parsed leniently, as the task
ledger's are: a value that does not parse is left out, never an error.

    ?status=open&light=red&county=12&unit=40&source_kind=visit&office=7&overdue=1&text=冷库
"""

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.urls import NoReverseMatch
from django.utils import timezone

from zhuanban.core.models import StoredFile
from zhuanban.org.models import OrgUnit
from zhuanban.rectification.lifecycle import PENDING_STATES, Status
from zhuanban.rectification.models import (
    Rectification,
    RectificationEvent,
    RectificationResponse,
    SourceKind,
)
from zhuanban.rectification.scoping import visible_items
from zhuanban.tasks.filters import parse_choice, parse_id, parse_text
from zhuanban.tasks.models import Light

# Worst first: what is overdue heads the list, what is ended closes it.
LIGHT_ORDER = (Light.RED, Light.YELLOW, Light.GREEN, Light.GREY)
_TRUE = frozenset({"1", "true", "on", "yes"})


@dataclass
class ItemFilters:
    status: str = ""
    light: str = ""
    county: int | None = None
    unit: int | None = None
    source_kind: str = ""
    office: int | None = None
    overdue: bool = False
    text: str = ""

    @property
    def active(self) -> bool:
        return any(getattr(self, name) for name in self.__dataclass_fields__)


def filters_from_query(query: Mapping) -> ItemFilters:
    """ItemFilters from a QueryDict (request.GET); what does not parse is left out."""

    def value(key: str) -> str:
        raw = query.get(key, "")
        return raw.strip() if isinstance(raw, str) else ""

    return ItemFilters(
        status=parse_choice(value("status"), Status.values),
        light=parse_choice(value("light"), LIGHT_ORDER),
        county=parse_id(value("county")),
        unit=parse_id(value("unit")),
        source_kind=parse_choice(value("source_kind"), SourceKind.values),
        office=parse_id(value("office")),
        overdue=value("overdue").lower() in _TRUE,
        text=parse_text(value("text")),
    )


def _light_rank():
    return Case(
        *(When(light=light, then=Value(rank)) for rank, light in enumerate(LIGHT_ORDER)),
        default=Value(len(LIGHT_ORDER)),
        output_field=IntegerField(),
    )


def _filtered(
    user, f: ItemFilters, today: datetime.date | None, *, chips: bool = True
) -> QuerySet[Rectification]:
    qs = visible_items(user).with_light(today)
    if f.county:
        qs = qs.filter(county_id=f.county)
    if f.unit:
        qs = qs.filter(unit_id=f.unit)
    if f.source_kind:
        qs = qs.filter(source_kind=f.source_kind)
    if f.office:
        qs = qs.filter(office_id=f.office)
    if f.text:
        qs = qs.filter(
            Q(problem__icontains=f.text)
            | Q(requirement__icontains=f.text)
            | Q(unit__name__icontains=f.text)
        )
    if chips:
        if f.status:
            qs = qs.filter(status=f.status)
        if f.light:
            qs = qs.filter(light=f.light)
        if f.overdue:
            qs = qs.filter(status__in=PENDING_STATES, due_date__lt=today or timezone.localdate())
    return qs


def items(
    user, filters: ItemFilters | None = None, today: datetime.date | None = None
) -> QuerySet[Rectification]:
    """The items the user may see, filtered, worst light first, then by deadline; each
    row carries its light and the names a list shows (no query per row)."""
    return (
        _filtered(user, filters or ItemFilters(), today)
        .annotate(light_rank=_light_rank())
        .select_related("unit", "county", "office")
        .defer("unit__duties", "county__duties", "office__duties")
        .order_by("light_rank", "due_date", "pk")
    )


def chip_counts(
    user, filters: ItemFilters | None = None, today: datetime.date | None = None
) -> dict:
    """How many items each light and each status chip would show, given the other
    filters in force (the chips' own filters left out): one aggregate query."""
    today = today or timezone.localdate()
    qs = _filtered(user, filters or ItemFilters(), today, chips=False)
    measures = {"total": Count("pk")}
    measures |= {f"light_{light}": Count("pk", filter=Q(light=light)) for light in LIGHT_ORDER}
    measures |= {f"status_{status}": Count("pk", filter=Q(status=status)) for status in Status}
    measures["overdue"] = Count("pk", filter=Q(status__in=PENDING_STATES, due_date__lt=today))
    row = qs.order_by().aggregate(**measures)
    return {
        "total": row["total"],
        "overdue": row["overdue"],
        "light": {light: row[f"light_{light}"] for light in LIGHT_ORDER},
        "status": {status: row[f"status_{status}"] for status in Status.values},
    }


def counts_by_county(qs: QuerySet[Rectification], today: datetime.date | None = None) -> list[dict]:
    """Open (the unit still has to act), awaiting verification, overdue and closed items
    per county, in the counties' order: one grouped query. Items of units outside any
    county (a bureau section) come last, under county None."""
    today = today or timezone.localdate()
    pending = Q(status__in=PENDING_STATES)
    rows = (
        qs.order_by()
        .values("county_id", "county__name", "county__sort_order", "county__code")
        .annotate(
            total=Count("pk"),
            open=Count("pk", filter=pending),
            awaiting=Count("pk", filter=Q(status=Status.RESPONDED)),
            overdue=Count("pk", filter=pending & Q(due_date__lt=today)),
            closed=Count("pk", filter=Q(status=Status.CLOSED)),
        )
    )
    return sorted(
        (
            {
                "county_id": row["county_id"],
                "name": row["county__name"],
                "total": row["total"],
                "open": row["open"],
                "awaiting": row["awaiting"],
                "overdue": row["overdue"],
                "closed": row["closed"],
                "_order": (
                    row["county_id"] is None,
                    row["county__sort_order"] or 0,
                    row["county__code"] or "",
                ),
            }
            for row in rows
        ),
        key=lambda row: row.pop("_order"),
    )


def filter_choices(user) -> dict[str, QuerySet[OrgUnit]]:
    """The counties, units and offices that occur among the user's items: what the
    filter form offers (a liaison is not shown every unit of the city)."""
    mine = visible_items(user).order_by()
    return {
        "county": OrgUnit.objects.filter(pk__in=mine.values("county_id")).order_by(
            "sort_order", "code"
        ),
        "unit": OrgUnit.objects.filter(pk__in=mine.values("unit_id")).order_by(
            "kind", "sort_order", "code"
        ),
        "office": OrgUnit.objects.filter(pk__in=mine.values("office_id")).order_by(
            "sort_order", "code"
        ),
    }


def attach_days_overdue(rows: Iterable[Rectification], today: datetime.date | None = None):
    """`days_overdue` on each row the unit has let pass its deadline (0 otherwise):
    arithmetic on rows already loaded, not a query."""
    today = today or timezone.localdate()
    for item in rows:
        late = item.status in PENDING_STATES and item.due_date < today
        item.days_overdue = (today - item.due_date).days if late else 0


def item_responses(item: Rectification) -> QuerySet[RectificationResponse]:
    """The unit's reports, newest first, with who reported and verified and the evidence."""
    return item.responses.select_related("responder", "verified_by").prefetch_related(
        Prefetch("evidence", queryset=StoredFile.objects.order_by("pk"))
    )


def item_timeline(item: Rectification) -> QuerySet[RectificationEvent]:
    """Everything that happened to the item, oldest first, with who did it."""
    return item.events.select_related("actor").order_by("at", "pk")


def item_evidence(item: Rectification, file_id: int) -> StoredFile | None:
    """An evidence file of one of this item's reports (None for any other file)."""
    return StoredFile.objects.filter(pk=file_id, rectification_responses__item=item).first()


def source_link(item: Rectification) -> str:
    """Where the item's source lives, when its model has a page (a visit, a notice);
    "" when it has none, no longer exists or its pages are not routed yet."""
    source = item.source
    get_url = getattr(source, "get_absolute_url", None)
    if get_url is None:
        return ""
    try:
        return get_url()
    except NoReverseMatch:
        return ""
