"""Reads of the promotion-activity screens (招商引资活动), scoped to the user and grouped in
the database: a fixed number of queries whatever the number of activities and projects.

The year's figures ("开展招商引资活动 N 次，招引项目 M 个") are `selectors.activity_summary`;
this module adds the list's rows, the count per county and an activity's projects.
"""

import datetime

from django.db.models import Count, F, Q, QuerySet

from zhuanban.investment.models import Activity, Project, clocks_by_stage
from zhuanban.investment.scoping import sees_all, visible_activities, visible_projects
from zhuanban.org.models import OrgUnit

SEARCH_FIELDS = ("title", "place", "leader", "participants", "summary")


def produced_count(user) -> Count:
    """The distinct projects produced, counting only those the user sees: an activity
    of 卓资县 that also produced 化德县's project does not tell 卓资县 so by a number."""
    if sees_all(user):
        return Count("projects", distinct=True)
    seen = Q(projects__in=visible_projects(user).values("pk"))
    return Count("projects", filter=seen, distinct=True)


def activity_rows(user) -> QuerySet[Activity]:
    """The activities the user sees, each with its organiser, its county and the number
    of projects it produced (`n_projects`), newest first."""
    return (
        visible_activities(user)
        .select_related("organiser", "county")
        .annotate(n_projects=produced_count(user))
        .order_by("-date", "-pk")
    )


def filter_activities(
    activities: QuerySet[Activity],
    *,
    year: int | None = None,
    kind: str = "",
    county: int | None = None,
    city_level: bool = False,
    text: str = "",
) -> QuerySet[Activity]:
    """`activities` narrowed: held in `year`, of `kind`, in `county` (or at the city level,
    without a county), whose title, place, leader, participants or summary contain `text`."""
    if year is not None:
        activities = activities.filter(date__year=year)
    if kind:
        activities = activities.filter(kind=kind)
    if city_level:
        activities = activities.filter(county__isnull=True)
    elif county is not None:
        activities = activities.filter(county_id=county)
    text = text.strip()
    if text:
        condition = Q()
        for field in SEARCH_FIELDS:
            condition |= Q(**{f"{field}__icontains": text})
        activities = activities.filter(condition)
    return activities


def activity_years(user, today: datetime.date) -> list[int]:
    """The years the user's activities were held in, and this year, newest first (one
    query)."""
    years = {day.year for day in visible_activities(user).order_by().dates("date", "year")}
    years.add(today.year)
    return sorted(years, reverse=True)


def activities_by_county(user, *, year: int | None = None) -> list[dict]:
    """Per county (the city level first, as `county` None): the activities held and the
    distinct projects they produced, grouped in the database (one query)."""
    activities = visible_activities(user)
    if year is not None:
        activities = activities.filter(date__year=year)
    return list(
        activities.order_by()
        .values("county", "county__name", "county__sort_order", "county__code")
        .annotate(
            activities=Count("pk", distinct=True),
            projects=produced_count(user),
        )
        .order_by(
            F("county__sort_order").asc(nulls_first=True),
            F("county__code").asc(nulls_first=True),
        )
    )


def filter_counties(user) -> QuerySet[OrgUnit]:
    """The counties the list's filter offers: all of them to those who read the whole
    pipeline, else those of the activities the user sees."""
    counties = OrgUnit.objects.counties().order_by("sort_order", "code")
    if sees_all(user):
        return counties
    return counties.filter(pk__in=visible_activities(user).values("county"))


def activity_projects(user, activity: Activity, today: datetime.date) -> list[Project]:
    """The projects the activity produced that the user sees, with their light computed
    in the database (the stage clocks read once), by county and name."""
    return list(
        activity.projects.filter(pk__in=visible_projects(user).values("pk"))
        .with_light(today, clocks_by_stage())
        .select_related("county", "chain")
        .order_by("county__sort_order", "county__code", "name", "pk")
    )


def project_choices(user, years: set[int], keep: list[int] = ()) -> QuerySet[Project]:
    """The projects an activity may name as produced: those the user sees, of `years`
    (and any it already names), by county and name (one query)."""
    return (
        visible_projects(user)
        .filter(Q(year__in=years) | Q(pk__in=list(keep)))
        .select_related("county")
        .order_by("county__sort_order", "county__code", "-year", "name", "pk")
    )
