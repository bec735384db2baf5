"""Reads of the annual re-review and the sales screens that brand.selectors does not
have: counts and subtotals computed in the database, a constant number of queries
whatever the number of rounds, reviews or enterprises. Scoped through brand.scoping."""

import datetime
from decimal import Decimal

from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
from django.utils import timezone

from zhuanban.brand.lifecycle import ReviewStatus
from zhuanban.brand.models import Enterprise, Event, Licence, Review, ReviewRound, Sales
from zhuanban.brand.scoping import visible_enterprises, visible_reviews
from zhuanban.brand.selectors import growth_percent, round_reviews, sales_of_year
from zhuanban.org.models import OrgUnit
from zhuanban.org.roles import UnitKind
from zhuanban.rectification.scoping import visible_items

# The growth band the seed text names (销售额较去年同期涨幅 10%~50%), in percent.
GROWTH_BAND = (Decimal(10), Decimal(50))


def _reported() -> Q:
    """A review whose report is in: submitted once and not sent back since (a removal
    without a report does not count)."""
    return Q(submitted_at__isnull=False) & ~Q(status=ReviewStatus.AWAITING)


# --- rounds ----------------------------------------------------------------------------


def round_summaries(user) -> list[ReviewRound]:
    """Every round, newest first, with `total`, `reported` and `n_<status>` counted over
    the reviews the user sees: one query."""
    seen = Q(reviews__licence__enterprise__in=visible_enterprises(user))
    reported = Q(reviews__submitted_at__isnull=False) & ~Q(reviews__status=ReviewStatus.AWAITING)
    per_status = {
        f"n_{status}": Count("reviews", filter=seen & Q(reviews__status=status))
        for status in ReviewStatus.values
    }
    return list(
        ReviewRound.objects.annotate(
            total=Count("reviews", filter=seen),
            reported=Count("reviews", filter=seen & reported),
            **per_status,
        ).order_by("-year")
    )


def own_reviews(user) -> QuerySet[Review]:
    """An enterprise login's reviews, newest round first."""
    return (
        visible_reviews(user)
        .select_related("round", "licence")
        .order_by("-round__year", "licence__number")
    )


def round_reviews_in(user, round: ReviewRound, *, county=None, status: str = ""):
    """The round's reviews the user sees, of one county and one status if given."""
    reviews = round_reviews(user, round).select_related("licence__enterprise")
    if county is not None:
        reviews = reviews.filter(licence__enterprise__county=county)
    if status:
        reviews = reviews.filter(status=status)
    return reviews


def status_counts(user, round: ReviewRound, *, county=None) -> dict:
    """How many of the round's reviews (those the user sees, of `county` if given) are in
    each status, with `total` and `reported`: one query."""
    reviews = visible_reviews(user).filter(round=round)
    if county is not None:
        reviews = reviews.filter(licence__enterprise__county=county)
    counts = reviews.aggregate(
        total=Count("pk"),
        reported=Count("pk", filter=_reported()),
        **{status: Count("pk", filter=Q(status=status)) for status in ReviewStatus.values},
    )
    return {key: value or 0 for key, value in counts.items()}


def round_counties(user, round: ReviewRound) -> QuerySet[OrgUnit]:
    """The counties of the round's enterprises the user sees (the county filter)."""
    enterprises = visible_reviews(user).filter(round=round).values("licence__enterprise__county")
    return OrgUnit.objects.filter(kind=UnitKind.COUNTY, pk__in=enterprises).order_by(
        "sort_order", "code"
    )


def readable_rectifications(user, ids) -> set[int]:
    """Which of these rectification items the user may open (one query): another
    office's staff read the re-review but not the brand office's items."""
    ids = [pk for pk in ids if pk]
    if not ids:
        return set()
    return set(visible_items(user).filter(pk__in=ids).values_list("pk", flat=True))


def review_timeline(review: Review) -> QuerySet[Event]:
    return Event.objects.filter(review=review).select_related("actor").order_by("at", "pk")


def sales_of(enterprise: Enterprise, year: int) -> Decimal | None:
    return (
        Sales.objects.filter(enterprise=enterprise, year=year)
        .values_list("amount", flat=True)
        .first()
    )


# --- sales -----------------------------------------------------------------------------
#
# The annotations are `amount`, `amount_last` and `growth`: `sales` is taken by the
# reverse relation Enterprise.sales (Django refuses an annotation of that name).


def with_amounts(enterprises: QuerySet[Enterprise], year: int) -> QuerySet[Enterprise]:
    """`amount` of `year`, `amount_last` of the year before and `growth` in percent
    (None without both figures, or when last year's was 0), in the database."""
    return enterprises.annotate(
        amount=sales_of_year(year), amount_last=sales_of_year(year - 1)
    ).annotate(growth=growth_percent("amount", "amount_last"))


def _ranked(user, year: int) -> QuerySet[Enterprise]:
    return with_amounts(visible_enterprises(user), year).filter(amount__isnull=False)


def sales_ranking(user, year: int) -> QuerySet[Enterprise]:
    """The enterprises the user sees with a figure for `year`, largest first."""
    return _ranked(user, year).select_related("county").order_by(F("amount").desc(), "name", "pk")


def _percent(this, last) -> Decimal | None:
    return (this - last) * 100 / last if this is not None and last else None


def sales_totals(user, year: int) -> dict:
    """Over the enterprises with both figures: this year's total, last year's, how many,
    and the growth: one query."""
    totals = (
        _ranked(user, year)
        .filter(amount_last__isnull=False)
        .aggregate(total=Sum("amount"), total_last=Sum("amount_last"), enterprises=Count("pk"))
    )
    # (An aggregate named like the annotation it sums would replace it: SUM of nothing.)
    totals["growth"] = _percent(totals["total"], totals["total_last"])
    return totals


def sales_overview(user, year: int) -> dict:
    """Over the enterprises with a figure for `year` (those the user sees): how many,
    their total, how many grew by 10%–50% and how many sold less: one query."""
    low, high = GROWTH_BAND
    figures = _ranked(user, year).aggregate(
        enterprises=Count("pk"),
        total=Sum("amount"),
        in_band=Count("pk", filter=Q(growth__gte=low, growth__lte=high)),
        shrank=Count("pk", filter=Q(growth__lt=0)),
    )
    figures["in_band"] = figures["in_band"] or 0
    figures["shrank"] = figures["shrank"] or 0
    return figures


def county_subtotals(user, year: int) -> list[dict]:
    """Per county: enterprises with a figure, their sales this year and last year, and
    the growth over the enterprises with both figures (grouped in the database)."""
    rows = list(
        _ranked(user, year)
        .values("county_id", "county__name", "county__sort_order")
        .annotate(
            enterprises=Count("pk"),
            amount_total=Sum("amount"),
            last_total=Sum("amount_last"),
            comparable=Sum("amount", filter=Q(amount_last__isnull=False)),
        )
        .order_by("county__sort_order", "county__name")
    )
    for row in rows:
        row["growth"] = _percent(row["comparable"], row["last_total"])
    return rows


def sales_years(user) -> list[int]:
    """The years with a sales figure the user sees, and this year, newest first."""
    years = set(
        Sales.objects.filter(enterprise__in=visible_enterprises(user))
        .values_list("year", flat=True)
        .distinct()
    )
    years.add(timezone.localdate().year)
    return sorted(years, reverse=True)


def licensed_in(year: int) -> Q:
    """Enterprises holding a licence in force on some day of `year`."""
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    return Q(
        Exists(
            Licence.objects.filter(
                Q(revoked_on__isnull=True) | Q(revoked_on__gt=start),
                enterprise=OuterRef("pk"),
                valid_from__lte=end,
                valid_until__gte=start,
            )
        )
    )


def sales_missing(user, year: int) -> QuerySet[Enterprise]:
    """Licensees of `year` without a figure for it (the office enters theirs)."""
    return (
        visible_enterprises(user)
        .select_related("county")
        .filter(licensed_in(year))
        .exclude(Exists(Sales.objects.filter(enterprise=OuterRef("pk"), year=year)))
        .order_by("county__sort_order", "name", "pk")
    )
