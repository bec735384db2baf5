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
    Value,
)
from django.db.models.functions import NullIf, Upper
from django.utils import timezone

from zhuanban.brand.lifecycle import APP_OPEN_STATES, AppStatus
from zhuanban.brand.models import (
    Application,
    Attachment,
    Enterprise,
    Event,
    Licence,
    Review,
    ReviewRound,
    Sales,
)
from zhuanban.brand.scoping import (
    visible_applications,
    visible_enterprises,
    visible_licences,
    visible_reviews,
)

PUBLIC_QUERY_MIN_LENGTH = 2
PUBLIC_RESULTS_LIMIT = 20


def sales_of_year(year: int) -> Subquery:
    """An enterprise's sales figure for `year` (a subquery on the outer enterprise)."""
    return Subquery(
        # No ordering: Sales' default one would join the enterprise and its county.
        Sales.objects.filter(enterprise=OuterRef("pk"), year=year).order_by().values("amount")[:1],
        output_field=DecimalField(max_digits=14, decimal_places=2),
    )


def growth_percent(sales: str, last: str) -> ExpressionWrapper:
    """Percent change from `last` to `sales`; None without both, or when `last` is 0.

    The factor is a float literal: SQLite divides two whole-number decimals as integers
    (8500 against 7000 would be 21, not 21.43), and PostgreSQL raises on a division by
    zero where SQLite answers NULL."""
    return ExpressionWrapper(
        (F(sales) - F(last))
        * Value(100.0)
        / NullIf(F(last), Value(Decimal(0)), output_field=DecimalField()),
        output_field=DecimalField(max_digits=12, decimal_places=2),
    )


def with_sales(enterprises: QuerySet[Enterprise], year: int) -> QuerySet[Enterprise]:
    """`sales_this` of `year`, `sales_last` of the year before and `growth` (percent,
    None without both figures or with no sales last year), computed in the database.

    (Not `sales`: that is the enterprise's reverse relation to its Sales rows, and Django
    refuses an annotation that shadows it.)"""
    return enterprises.annotate(
        sales_this=sales_of_year(year), sales_last=sales_of_year(year - 1)
    ).annotate(growth=growth_percent("sales_this", "sales_last"))


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


def register_figures(user, day: datetime.date | None = None) -> dict[str, int]:
    """The register's header figures over what the user sees, in one query: enterprises
    registered, those holding a licence valid on `day`, association members."""
    # The Exists goes into the filter itself: an aggregate filtering on an annotated
    # Exists loses the annotation from its subquery (Django 5.2 counts nothing).
    valid = Exists(Licence.objects.valid_on(day).filter(enterprise=OuterRef("pk")))
    return visible_enterprises(user).aggregate(
        enterprises=Count("pk"),
        licensed=Count("pk", filter=valid),
        members=Count("pk", filter=Q(association_member=True)),
    )


def enterprise_licences(user, enterprise: Enterprise, day: datetime.date | None = None):
    """The enterprise's licences with their `state` on `day` and the products covered."""
    return (
        visible_licences(user)
        .filter(enterprise=enterprise)
        .with_state(day)
        .select_related("application")
        .prefetch_related("application__products")
        .order_by("-valid_from", "-pk")
    )


def enterprise_applications(user, enterprise: Enterprise) -> QuerySet[Application]:
    return (
        visible_applications(user)
        .filter(enterprise=enterprise)
        .select_related("licence")
        .order_by("-created_at", "-pk")
    )


def enterprise_reviews(user, enterprise: Enterprise) -> QuerySet[Review]:
    return (
        visible_reviews(user)
        .filter(licence__enterprise=enterprise)
        .select_related("round", "licence")
        .order_by("-round__year", "-pk")
    )


def enterprise_sales(enterprise: Enterprise) -> QuerySet[Sales]:
    """The enterprise's yearly figures, latest first, each with `last` (the year
    before's figure) and `growth` (percent) computed in the database."""
    last = Sales.objects.filter(enterprise=OuterRef("enterprise"), year=OuterRef("year") - 1)
    return (
        Sales.objects.filter(enterprise=enterprise)
        .annotate(last=Subquery(last.values("amount")[:1]))
        .annotate(growth=growth_percent("amount", "last"))
        .order_by("-year")
    )


def timeline(events: QuerySet[Event]) -> QuerySet[Event]:
    return events.select_related("actor", "application", "review__round").order_by("at", "pk")


def open_application(enterprise: Enterprise) -> Application | None:
    """The enterprise's application still being worked on (at most one), if any."""
    return (
        Application.objects.filter(enterprise=enterprise, status__in=APP_OPEN_STATES)
        .order_by("-pk")
        .first()
    )


def application_list(user) -> QuerySet[Application]:
    """The queue: applications the user sees, with enterprise, county and products."""
    return (
        visible_applications(user)
        .select_related("enterprise__county")
        .prefetch_related("products")
        .order_by(F("submitted_at").desc(nulls_last=True), "-created_at", "-pk")
    )


def application_status_counts(applications: QuerySet[Application]) -> dict[str, int]:
    """How many of `applications` are in each status (one query)."""
    counts = dict(
        applications.order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return {status: counts.get(status, 0) for status in AppStatus.values}


def application_attachments(application: Application) -> QuerySet[Attachment]:
    return application.attachments.select_related("file", "uploaded_by").order_by(
        "kind", "uploaded_at", "pk"
    )


def attachment_for_user(user, pk: int) -> Attachment | None:
    """An application's document, if the user sees the application."""
    return (
        Attachment.objects.filter(pk=pk, application__in=visible_applications(user))
        .select_related("file", "application")
        .first()
    )


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
