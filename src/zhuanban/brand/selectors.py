"""Reads of the brand register: lists, figures and rankings computed in the database,
a constant number of queries whatever the register's size."""

import datetime
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Upper
from django.utils import timezone

from zhuanban.brand.lifecycle import ReviewStatus
from zhuanban.brand.models import Enterprise, Licence, Review, ReviewRound, Sales
from zhuanban.brand.scoping import visible_enterprises, visible_reviews

PUBLIC_QUERY_MIN_LENGTH = 2
PUBLIC_RESULTS_LIMIT = 20


def _sales_of(year: int):
    return Subquery(Sales.objects.filter(enterprise=OuterRef("pk"), year=year).values("amount")[:1])


def with_sales(enterprises: QuerySet[Enterprise], year: int) -> QuerySet[Enterprise]:
    """`sales` of `year`, `sales_last` of the year before and `growth` (percent, None
    without both figures or with no sales last year), computed in the database."""
    return enterprises.annotate(sales=_sales_of(year), sales_last=_sales_of(year - 1)).annotate(
        growth=ExpressionWrapper(
            (F("sales") - F("sales_last")) * Decimal(100) / F("sales_last"),
            output_field=DecimalField(max_digits=12, decimal_places=2),
        )
    )


def with_licence_state(
    enterprises: QuerySet[Enterprise], day: datetime.date | None = None
) -> QuerySet[Enterprise]:
    """`licensed`: the enterprise holds a licence valid on `day`."""
    return enterprises.annotate(
        licensed=Exists(Licence.objects.valid_on(day).filter(enterprise=OuterRef("pk")))
    )


def enterprise_list(user, *, year: int | None = None) -> QuerySet[Enterprise]:
    year = year or timezone.localdate().year
    return with_sales(with_licence_state(visible_enterprises(user).select_related("county")), year)


def sales_ranking(user, year: int) -> QuerySet[Enterprise]:
    """Licensees with a figure for `year`, largest first."""
    return (
        with_sales(visible_enterprises(user).select_related("county"), year)
        .filter(sales__isnull=False)
        .order_by(F("sales").desc(), "name")
    )


def sales_totals(user, year: int) -> dict:
    """The year's total, last year's total over the same enterprises, and the growth."""
    rows = with_sales(visible_enterprises(user), year).filter(
        sales__isnull=False, sales_last__isnull=False
    )
    totals = rows.aggregate(
        sales=Sum("sales"), sales_last=Sum("sales_last"), enterprises=Count("pk")
    )
    this, last = totals["sales"], totals["sales_last"]
    totals["growth"] = (this - last) * 100 / last if this is not None and last else None
    return totals


def round_counts(user, round: ReviewRound) -> dict[str, int]:
    """How many reviews of the round are in each status (those the user sees)."""
    counts = dict(
        visible_reviews(user)
        .filter(round=round)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return {status: counts.get(status, 0) for status in ReviewStatus.values}


def round_reviews(user, round: ReviewRound) -> QuerySet[Review]:
    return (
        visible_reviews(user)
        .filter(round=round)
        .select_related("licence__enterprise__county", "rectification")
    )


# --- public verification -------------------------------------------------------------


def public_lookup(query: str, day: datetime.date | None = None) -> list[Licence]:
    """Licences whose number is exactly `query`, or whose enterprise's name contains it
    (at least two characters): at most PUBLIC_RESULTS_LIMIT, never a list to walk."""
    query = (query or "").strip()
    if len(query) < PUBLIC_QUERY_MIN_LENGTH:
        return []
    licences = Licence.objects.with_state(day).select_related("enterprise__county")
    return list(
        licences.annotate(upper_number=Upper("number"))
        .filter(Q(upper_number=query.upper()) | Q(enterprise__name__contains=query))
        .prefetch_related("application__products")
        .order_by("enterprise__name", "-valid_from")[:PUBLIC_RESULTS_LIMIT]
    )


def public_licence(number: str, day: datetime.date | None = None) -> Licence | None:
    return (
        Licence.objects.with_state(day)
        .select_related("enterprise__county")
        .prefetch_related("application__products")
        .filter(number=number)
        .first()
    )


def public_enterprises(day: datetime.date | None = None) -> QuerySet[Licence]:
    """The public list: licences valid on `day`, with their enterprise and products."""
    return (
        Licence.objects.valid_on(day)
        .select_related("enterprise__county")
        .prefetch_related("application__products")
        .order_by("enterprise__county__sort_order", "enterprise__name", "number")
    )
