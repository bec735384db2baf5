"""The counts of visits per county and month ("督导调研 60 多次") and the supervision
overview: right numbers, scoped to the user, a fixed number of queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhuanban.supervision import selectors, services
from zhuanban.supervision.models import FindingKind, ReasonKind, VisitKind, VisitStatus

from .notice_fixtures import draft, issued, with_reason

D = datetime.timedelta
YEAR = 2023


@pytest.fixture
def record(world):
    """A visit of the potato office outside any group, as the office records it."""

    def _record(county, date, kind=VisitKind.INSPECTION, status=VisitStatus.DONE, **fields):
        return services.visit_create(
            actor=world.office,
            office=world.potato,
            kind=kind,
            date=date,
            place=fields.pop("place", "现场"),
            county=county,
            status=status,
            **fields,
        )

    return _record


@pytest.fixture
def year_2023(world, record):
    """卓资县: two visits in May, one in June (and one planned in May); 化德县: one in
    June; a city-level forum in July; and one in 化德县 the year before."""
    d = datetime.date
    return {
        "zz_may": record(world.zhuozi, d(YEAR, 5, 10)),
        "zz_may_research": record(world.zhuozi, d(YEAR, 5, 20), VisitKind.RESEARCH),
        "zz_jun": record(world.zhuozi, d(YEAR, 6, 5)),
        "hd_jun": record(world.huade, d(YEAR, 6, 15), VisitKind.UNANNOUNCED),
        "forum": record(None, d(YEAR, 7, 1), VisitKind.FORUM),
        "planned": record(world.zhuozi, d(YEAR, 5, 25), status=VisitStatus.PLANNED),
        "last_year": record(world.huade, d(YEAR - 1, 12, 31)),
    }


def months(**counts) -> list[int]:
    cells = [0] * 12
    for name, n in counts.items():
        cells[["may", "jun", "jul"].index(name) + 4] = n
    return cells


def test_the_counts_grid_by_county_and_month(world, year_2023):
    grid = selectors.visit_counts(world.leader, YEAR)
    rows = {(row.county.name if row.county else None): row for row in grid.rows}
    assert set(rows) == {"卓资县", "化德县", None}
    assert (rows["卓资县"].cells, rows["卓资县"].total) == (months(may=2, jun=1), 3)
    assert (rows["化德县"].cells, rows["化德县"].total) == (months(jun=1), 1)
    assert (rows[None].cells, rows[None].total) == (months(jul=1), 1)
    assert grid.month_totals == months(may=2, jun=2, jul=1)
    assert grid.total == 5  # the planned one and the one of 2022 are not counted
    assert selectors.visit_counts(world.leader, YEAR - 1).total == 1


def test_a_liaison_counts_only_their_county(world, year_2023):
    grid = selectors.visit_counts(world.zhuozi_liaison, YEAR)
    assert [(row.county, row.total) for row in grid.rows] == [(world.zhuozi, 3)]
    assert grid.total == 3


def test_the_counts_page_and_its_query_count(login, world, year_2023, record):
    client = login(world.leader)
    url = reverse("supervision:visit_counts")

    def get():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url, {"year": YEAR})
        assert response.status_code == 200
        return response, len(ctx.captured_queries)

    response, few = get()
    html = response.content.decode()
    assert "卓资县" in html
    assert "化德县" in html
    may_link = f"?county={world.zhuozi.pk}&amp;status=done&amp;month={YEAR}-05"
    assert may_link in html
    for day in range(1, 9):
        record(world.huade, datetime.date(YEAR, 8, day))
    response, many = get()
    assert many == few
    assert response.context["grid"].total == 13
    # A year that does not parse falls back to this year, never an error.
    assert client.get(url, {"year": "abc"}).status_code == 200


@pytest.fixture
def items_2023(world, year_2023):
    """A problem in 卓资县 due 2023-06-20 and one in 化德县 due 2023-08-01."""
    for visit, unit, found_on, due in (
        (year_2023["zz_jun"], world.zhuozi, datetime.date(YEAR, 6, 5), datetime.date(YEAR, 6, 20)),
        (year_2023["hd_jun"], world.huade, datetime.date(YEAR, 6, 15), datetime.date(YEAR, 8, 1)),
    ):
        services.finding_add(
            actor=world.inspector,
            visit=visit,
            kind=FindingKind.PROBLEM,
            text="仓储设施不达标",
            unit=unit,
            rectify=True,
            requirement="限期整改",
            due_date=due,
            today=found_on,
        )


def test_the_overview_numbers(world, items_2023):
    view = selectors.overview(world.leader, YEAR, today=datetime.date(YEAR, 7, 1))
    by_kind = {row["kind"]: (row["done"], row["planned"]) for row in view.visits_by_kind}
    assert by_kind[VisitKind.INSPECTION] == (2, 1)
    assert by_kind[VisitKind.RESEARCH] == (1, 0)
    assert by_kind[VisitKind.UNANNOUNCED] == (1, 0)
    assert by_kind[VisitKind.FORUM] == (1, 0)
    assert (view.visits_done, view.visits_planned) == (5, 1)
    assert view.rectifications == {"open": 2, "overdue": 1, "awaiting": 0}
    counties = {row.county.name: (row.open, row.overdue) for row in view.by_county if row.county}
    assert counties == {"卓资县": (1, 1), "化德县": (1, 0)}

    mine = selectors.overview(world.zhuozi_liaison, YEAR, today=datetime.date(YEAR, 7, 1))
    assert (mine.visits_done, mine.visits_planned) == (3, 0)
    assert mine.rectifications == {"open": 1, "overdue": 1, "awaiting": 0}
    assert [(row.county, row.open) for row in mine.by_county] == [(world.zhuozi, 1)]


def test_notices_this_year_by_county_and_by_reason(world):
    both = with_reason(world, draft(world, units=[world.zhuozi, world.huade]))
    with_reason(world, both, unit=world.huade, text="化德县冷库建设滞后。")
    first = issued(world, both)
    second = issued(world, title="关于种薯基地建设的督办通报")
    view = selectors.overview(world.leader, first.year)
    assert view.notices_issued == 2
    notices = {row.county.name: row.notices for row in view.by_county if row.county}
    assert notices == {"卓资县": 2, "化德县": 1}
    assert [(r["kind"], r["n"], r["notices"]) for r in view.reasons] == [(ReasonKind.OTHER, 3, 2)]
    # 化德县's liaison: only the notice that concerns 化德县, and no row for 卓资县.
    theirs = selectors.overview(world.huade_liaison, first.year)
    assert theirs.notices_issued == 1
    assert [(row.county, row.notices) for row in theirs.by_county] == [(world.huade, 1)]
    assert second.year == first.year
    assert selectors.overview(world.leader, first.year - 1).notices_issued == 0


def test_the_overview_page_for_the_leader_and_a_liaison(login, world, items_2023):
    response = login(world.leader).get(reverse("supervision:home"), {"year": YEAR})
    assert response.status_code == 200
    html = response.content.decode()
    for link in ("visits", "groups", "notices"):
        assert reverse(f"supervision:{link}") in html
    assert reverse("rectification:list") in html
    assert response.context["overview"].visits_done == 5
    liaison = login(world.zhuozi_liaison).get(reverse("supervision:home"), {"year": YEAR})
    assert liaison.status_code == 200
    assert liaison.context["overview"].visits_done == 3
    assert "化德县" not in liaison.content.decode()
    assert login(world.auditor).get(reverse("supervision:home")).status_code == 403


def test_the_overview_keeps_its_query_count(login, world, items_2023, record):
    client = login(world.leader)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("supervision:home"), {"year": YEAR}).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for day in range(1, 7):
        visit = record(world.huade, datetime.date(YEAR, 9, day), VisitKind.RESEARCH)
        services.finding_add(
            actor=world.inspector,
            visit=visit,
            kind=FindingKind.PROBLEM,
            text="问题",
            unit=world.huade,
            rectify=True,
            requirement="整改",
            due_date=datetime.date(YEAR, 10, 1),
            today=datetime.date(YEAR, 9, day),
        )
    assert count() == few


def test_the_supervision_menu_leads_to_the_overview(login, world):
    html = login(world.office).get(reverse("tasks:ledger")).content.decode()
    assert f'href="{reverse("supervision:home")}"' in html


def test_on_the_overview_only_supervision_is_marked_in_the_menu(login, world):
    """The overview's URL name is `home`, like the site's home page: the organisation
    entry must not light up with it."""
    html = login(world.office).get(reverse("supervision:home")).content.decode()
    assert f'href="{reverse("home")}" class="active"' not in html
    assert f'href="{reverse("supervision:home")}" class="active"' in html
