"""The promotion-activity screens (招商引资活动): the list with the year's figures ("开展招商引资
活动 N 次，招引项目 M 个"), per kind and per county, its filters and pages; an activity's page
with the projects it produced, their stage and light; the record kept by the investment
office (any county or the city level) and a county's liaison (their county, fixed);
refusals by field with nothing saved, stale edits, and who may not."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from zhuanban.core.models import AuditAction, AuditEvent
from zhuanban.investment import services
from zhuanban.investment.lifecycle import Stage
from zhuanban.investment.models import Activity, ActivityKind, clocks_by_stage
from zhuanban.investment.templatetags.investment_tags import wan
from zhuanban.investment.tests.conftest import make_project
from zhuanban.org.roles import UnitKind
from zhuanban.org.tests.factories import OrgUnitFactory, person
from zhuanban.tasks.models import Light

pytestmark = pytest.mark.django_db

LIST = reverse("investment:activities")
CREATE = reverse("investment:activity_create")


def this_year(days_back: int) -> datetime.date:
    """A day of this year, `days_back` days before today (never before 1 January)."""
    today = timezone.localdate()
    return max(today - datetime.timedelta(days=days_back), datetime.date(today.year, 1, 1))


def last_year(month: int = 6) -> datetime.date:
    return datetime.date(timezone.localdate().year - 1, month, 15)


def detail(activity) -> str:
    return reverse("investment:activity", args=[activity.pk])


def edit(activity) -> str:
    return reverse("investment:activity_edit", args=[activity.pk])


def activity(
    inv,
    title,
    *,
    kind=ActivityKind.PROMOTION,
    on=None,
    county=None,
    organiser=None,
    projects=(),
    **fields,
):
    return services.activity_save(
        actor=None,
        projects=projects,
        kind=kind,
        title=title,
        date=on or this_year(10),
        place=fields.pop("place", "北京"),
        organiser=organiser or county or inv.office,
        county=county,
        **fields,
    )


def page_of(response) -> str:
    assert response.status_code in (200, 409, 422), response.status_code
    return response.content.decode()


def titles(response) -> list[str]:
    return [row.title for row in response.context["page"]]


def summary_text(activities: int, projects: int) -> str:
    return gettext(
        "Promotion activities held: %(activities)s; projects attracted: %(projects)s."
    ) % {
        "activities": activities,
        "projects": projects,
    }


@pytest.fixture
def acts(inv):
    """This year: 卓资县's potato project (signed) and its red one (planned long ago),
    化德县's beef project (negotiating); last year: 卓资县's dairy project.
    Activities this year: 卓资县's promotion (→ 马铃薯全粉), the city's visit out (→ 马铃薯全粉
    and 化德肉牛), 化德县's delegation (→ 化德肉牛); last year: 卓资县's online meeting
    (→ 卓资奶业)."""
    w = inv.world
    year = timezone.localdate().year
    ns = inv
    ns.potato_p = make_project(
        inv, "马铃薯全粉加工项目", stage=Stage.SIGNED, on=this_year(3), year=year, is_key=True
    )
    ns.beef_p = make_project(
        inv,
        "化德肉牛养殖项目",
        county=w.huade,
        chain=inv.beef,
        stage=Stage.NEGOTIATING,
        on=this_year(3),
        year=year,
    )
    ns.dairy_p = make_project(
        inv, "卓资奶业项目", chain=inv.dairy, stage=Stage.PLANNED, on=last_year(), year=year - 1
    )
    ns.old_p = make_project(inv, "卓资旧项目", chain=inv.dairy, on=last_year(1), year=year - 2)
    ns.zhuozi_promo = activity(
        inv,
        "卓资县马铃薯产业招商推介会",
        county=w.zhuozi,
        on=this_year(10),
        place="卓资县",
        leader="郭晓军",
        projects=[ns.potato_p],
    )
    ns.city_visit = activity(
        inv,
        "赴北京新发地考察招商",
        kind=ActivityKind.VISIT_OUT,
        on=this_year(20),
        place="北京市丰台区",
        leader="王振华",
        participants="市农牧局、招商办",
        summary="对接马铃薯、肉牛企业3家",
        projects=[ns.potato_p, ns.beef_p],
    )
    ns.huade_delegation = activity(
        inv,
        "接待山东客商考察团",
        kind=ActivityKind.DELEGATION,
        county=w.huade,
        on=this_year(5),
        projects=[ns.beef_p],
    )
    ns.old_online = activity(
        inv,
        "卓资县奶业线上推介",
        kind=ActivityKind.ONLINE,
        county=w.zhuozi,
        on=last_year(),
        projects=[ns.dairy_p],
    )
    return ns


# --- the list -------------------------------------------------------------------------------


def test_the_list_shows_this_years_figures_by_kind_and_county(inv, login, acts):
    w = inv.world
    response = login(inv.staff).get(LIST)
    page = page_of(response)
    # This year by default: three activities, the newest first.
    assert titles(response) == [
        "接待山东客商考察团",
        "卓资县马铃薯产业招商推介会",
        "赴北京新发地考察招商",
    ]
    assert summary_text(3, 2) in page  # 招引项目: two distinct projects
    assert [(str(label), n) for label, n in response.context["by_kind"]] == [
        (str(ActivityKind.PROMOTION.label), 1),
        (str(ActivityKind.VISIT_OUT.label), 1),
        (str(ActivityKind.DELEGATION.label), 1),
        (str(ActivityKind.ONLINE.label), 0),
        (str(ActivityKind.OTHER.label), 0),
    ]
    by_county = [
        (row["county__name"], row["activities"], row["projects"])
        for row in response.context["by_county"]
    ]
    assert by_county == [(None, 1, 2), ("卓资县", 1, 1), ("化德县", 1, 1)]
    assert gettext("City level (市本级)") in page
    # A row: date, kind, title (a link), place, county or organiser, led by, projects.
    row = next(r for r in response.context["page"] if r.pk == acts.city_visit.pk)
    assert row.n_projects == 2
    assert f'href="{detail(acts.city_visit)}"' in page
    assert "北京市丰台区" in page
    assert inv.office.name in page  # the city's activity names its organiser
    assert acts.city_visit.date.strftime("%Y-%m-%d") in page
    assert CREATE in page
    assert w.huade.name in page


def test_the_list_of_last_year_and_of_all_years(inv, login, acts):
    client = login(inv.staff)
    year = timezone.localdate().year
    response = client.get(LIST, {"year": year - 1})
    assert titles(response) == ["卓资县奶业线上推介"]
    assert summary_text(1, 1) in page_of(response)
    response = client.get(LIST, {"year": "all"})
    assert len(titles(response)) == 4
    assert summary_text(4, 3) in page_of(response)
    # The years offered: those with activities and this one.
    choices = [value for value, _label in response.context["form"].fields["year"].choices]
    assert choices == [str(year), str(year - 1), "all"]


def test_the_filters(inv, login, acts):
    client = login(inv.staff)
    w = inv.world
    assert titles(client.get(LIST, {"county": "city"})) == ["赴北京新发地考察招商"]
    assert titles(client.get(LIST, {"county": w.huade.pk})) == ["接待山东客商考察团"]
    assert titles(client.get(LIST, {"kind": ActivityKind.PROMOTION})) == [
        "卓资县马铃薯产业招商推介会"
    ]
    assert titles(client.get(LIST, {"q": "新发地"})) == ["赴北京新发地考察招商"]
    assert titles(client.get(LIST, {"q": "肉牛企业"})) == ["赴北京新发地考察招商"]  # summary
    assert titles(client.get(LIST, {"q": "郭晓军"})) == ["卓资县马铃薯产业招商推介会"]  # leader
    assert titles(client.get(LIST, {"q": "无此活动"})) == []
    # Values that are not choices are left out, never an error.
    response = client.get(LIST, {"county": "x", "kind": "party", "year": "1900"})
    assert len(titles(response)) == 3


def test_the_list_pages_by_50(inv, login):
    for n in range(51):
        activity(inv, f"推介活动{n:02d}", on=this_year(n % 5))
    client = login(inv.staff)
    response = client.get(LIST)
    assert len(titles(response)) == 50
    assert response.context["page"].paginator.num_pages == 2
    page = page_of(response)
    assert "page=2" in page
    assert len(titles(client.get(LIST, {"page": 2}))) == 1


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(LIST)
    assert response.status_code == 200
    return len(captured)


def test_the_list_runs_the_same_queries_for_2_or_10_activities(inv, login):
    w = inv.world
    client = login(inv.staff)

    def add(start: int, count: int) -> None:
        for n in range(start, start + count):
            county = w.zhuozi if n % 2 else w.huade
            project = make_project(
                inv, f"项目{n}", county=county, on=this_year(3), year=timezone.localdate().year
            )
            activity(inv, f"活动{n}", county=county, on=this_year(n % 7), projects=[project])

    add(0, 2)
    small = _list_queries(client)
    add(2, 8)
    large = _list_queries(client)
    assert len(titles(client.get(LIST))) == 10
    assert large == small


# --- who sees what --------------------------------------------------------------------------


def test_a_county_liaison_sees_their_county_only(inv, login, acts):
    w = inv.world
    client = login(w.zhuozi_liaison)
    response = client.get(LIST)
    assert titles(response) == ["卓资县马铃薯产业招商推介会"]
    assert summary_text(1, 1) in page_of(response)
    assert CREATE in page_of(response)  # they record their county's activities
    assert client.get(detail(acts.zhuozi_promo)).status_code == 200
    for other in (acts.huade_delegation, acts.city_visit):
        assert client.get(detail(other)).status_code == 404
        assert client.get(edit(other)).status_code == 404
    huade = login(w.huade_liaison)
    assert titles(huade.get(LIST)) == ["接待山东客商考察团"]
    assert huade.get(detail(acts.zhuozi_promo)).status_code == 404


def test_readers_read_everything_and_record_nothing(inv, login, acts):
    w = inv.world
    for reader in (w.leader, w.office, w.inspector):
        client = login(reader)
        response = client.get(LIST)
        assert len(titles(response)) == 3, reader
        assert CREATE not in page_of(response)
        page = page_of(client.get(detail(acts.city_visit)))
        assert edit(acts.city_visit) not in page
        assert client.get(CREATE).status_code == 403
        assert client.post(CREATE, {"title": "x"}).status_code == 403
        assert client.get(edit(acts.city_visit)).status_code == 403
    assert Activity.objects.count() == 4


def test_who_finds_no_activity_screen(inv, login, acts, client):
    w = inv.world
    enterprise = OrgUnitFactory(
        code="ent-1", name="某食品公司", kind=UnitKind.ENTERPRISE, parent=w.zhuozi
    )
    company_login = person("ent-login", enterprise, name="企业账号")
    for user in (w.sysadmin, w.secadmin, w.auditor, w.outsider, company_login):
        c = login(user)
        for address in (LIST, CREATE, detail(acts.zhuozi_promo), edit(acts.zhuozi_promo)):
            assert c.get(address).status_code == 404, (user, address)
    assert login(inv.staff).post(LIST).status_code == 405
    assert login(inv.staff).delete(detail(acts.zhuozi_promo)).status_code == 405
    client.logout()
    assert client.get(LIST).status_code == 302


# --- an activity's page ---------------------------------------------------------------------


def test_an_activitys_page_shows_its_record_and_projects_with_their_lights(inv, login, acts):
    w = inv.world
    response = login(inv.staff).get(detail(acts.city_visit))
    page = page_of(response)
    for text in (
        "赴北京新发地考察招商",
        "北京市丰台区",
        "王振华",
        "市农牧局、招商办",
        "对接马铃薯、肉牛企业3家",
    ):
        assert text in page
    assert inv.office.name in page
    assert gettext("City level (市本级)") in page
    projects = response.context["projects"]
    assert [p.name for p in projects] == ["马铃薯全粉加工项目", "化德肉牛养殖项目"]  # by county
    clocks = clocks_by_stage()
    today = timezone.localdate()
    for project in projects:
        assert project.light == project.light_on(today, clocks)
        assert f'class="light light-{project.light}"' in page
        assert f'href="{reverse("investment:project", args=[project.pk])}"' in page
    assert str(Stage.SIGNED.label) in page
    assert str(Stage.NEGOTIATING.label) in page
    assert wan(Decimal("9800")) in page  # the planned investment, with its unit
    assert edit(acts.city_visit) in page
    assert w.zhuozi.name in page


def test_a_stalled_project_shows_red_on_the_activitys_page(inv, login):
    long_ago = timezone.localdate() - datetime.timedelta(days=100)  # negotiating: 60 days
    stalled = make_project(inv, "停滞的洽谈项目", stage=Stage.NEGOTIATING, on=long_ago)
    event = activity(inv, "洽谈会", projects=[stalled])
    response = login(inv.staff).get(detail(event))
    [project] = response.context["projects"]
    assert project.light == Light.RED
    assert 'class="light light-red"' in page_of(response)


def test_a_liaison_sees_only_the_projects_of_their_county(inv, login, acts):
    w = inv.world
    event = activity(
        inv,
        "卓资县联合招商会",
        county=w.zhuozi,
        projects=[acts.potato_p, acts.beef_p],
    )
    response = login(w.zhuozi_liaison).get(detail(event))
    assert [p.name for p in response.context["projects"]] == ["马铃薯全粉加工项目"]
    assert response.context["unseen"] == 1
    assert "化德肉牛养殖项目" not in page_of(response)


# --- recording an activity ------------------------------------------------------------------


def form_data(**overrides) -> dict:
    data = {
        "kind": ActivityKind.PROMOTION,
        "title": "2026年乌兰察布马铃薯产业招商推介会",
        "date": this_year(2).isoformat(),
        "place": "呼和浩特市",
        "leader": "王振华",
        "participants": "市农牧局、各旗县市区",
        "summary": "签约项目2个",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_the_office_records_a_city_activity_with_its_projects(inv, login, acts):
    client = login(inv.staff)
    page = page_of(client.get(CREATE))
    # The projects offered: this year's and last year's, grouped by county.
    assert '<optgroup label="卓资县">' in page
    assert '<optgroup label="化德县">' in page
    choices = dict(client.get(CREATE).context["form"].fields["projects"].choices)
    offered = [label for group in choices.values() for _pk, label in group]
    assert any(label.startswith("卓资奶业项目") for label in offered)  # last year's
    assert not any(label.startswith("卓资旧项目") for label in offered)  # two years ago
    response = client.post(
        CREATE,
        form_data(organiser=inv.office.pk, projects=[acts.potato_p.pk, acts.dairy_p.pk]),
    )
    saved = Activity.objects.get(title="2026年乌兰察布马铃薯产业招商推介会")
    assert response.status_code == 302
    assert response["Location"] == detail(saved)
    assert saved.county is None
    assert saved.organiser == inv.office
    assert saved.created_by == inv.staff
    assert set(saved.projects.all()) == {acts.potato_p, acts.dairy_p}
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_type="investment.activity", object_id=str(saved.pk)
    ).exists()
    page = page_of(client.get(detail(saved)))
    assert "卓资奶业项目" in page


def test_the_office_records_an_activity_in_a_county(inv, login, acts):
    w = inv.world
    response = login(inv.staff).post(
        CREATE, form_data(organiser=w.huade.pk, county=w.huade.pk, projects=[acts.beef_p.pk])
    )
    assert response.status_code == 302
    saved = Activity.objects.get(title="2026年乌兰察布马铃薯产业招商推介会")
    assert (saved.county, saved.organiser) == (w.huade, w.huade)


def test_a_county_liaison_records_for_their_own_county_only(inv, login, acts):
    w = inv.world
    client = login(w.zhuozi_liaison)
    form = client.get(CREATE).context["form"]
    assert form.fields["county"].disabled
    assert "organiser" not in form.fields
    offered = [pk for _county, group in form.fields["projects"].choices for pk, _label in group]
    assert acts.beef_p.pk not in offered  # 化德县's project is not theirs to name
    assert acts.potato_p.pk in offered
    # The county is fixed: a posted county is ignored.
    response = client.post(
        CREATE, form_data(county=w.huade.pk, organiser=inv.office.pk, projects=[acts.potato_p.pk])
    )
    assert response.status_code == 302
    saved = Activity.objects.get(title="2026年乌兰察布马铃薯产业招商推介会")
    assert (saved.county, saved.organiser) == (w.zhuozi, w.zhuozi)
    # Another county's project cannot be named.
    response = client.post(CREATE, form_data(title="另一次活动", projects=[acts.beef_p.pk]))
    assert response.status_code == 422
    assert response.context["form"].errors["projects"]
    assert not Activity.objects.filter(title="另一次活动").exists()


def test_a_refused_activity_shows_every_error_by_field_and_saves_nothing(inv, login, acts):
    client = login(inv.staff)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(
        CREATE, form_data(kind="", title="", place="", date=tomorrow.isoformat(), organiser="")
    )
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert set(errors) >= {"kind", "title", "place", "organiser"}
    assert Activity.objects.count() == 4
    # The date in the future: the service's own words, on the date.
    response = client.post(CREATE, form_data(date=tomorrow.isoformat(), organiser=inv.office.pk))
    assert response.status_code == 422
    message = gettext("%(date)s is in the future: record what has happened.") % {
        "date": tomorrow.isoformat()
    }
    assert response.context["form"].errors["date"] == [message]
    assert message in page_of(response)
    assert Activity.objects.count() == 4


def test_an_activity_is_corrected_and_a_stale_page_is_refused(inv, login, acts):
    w = inv.world
    client = login(inv.staff)
    event = acts.city_visit
    form = client.get(edit(event)).context["form"]
    assert form.initial["version"] == 1
    assert set(form.initial["projects"]) == {acts.potato_p.pk, acts.beef_p.pk}
    response = client.post(
        edit(event),
        form_data(
            title="赴北京新发地考察招商（更正）",
            date=event.date.isoformat(),
            organiser=inv.office.pk,
            county=w.zhuozi.pk,
            projects=[acts.potato_p.pk],
            version=1,
        ),
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.title == "赴北京新发地考察招商（更正）"
    assert event.county == w.zhuozi
    assert event.version == 2
    assert list(event.projects.all()) == [acts.potato_p]
    # A page drawn before that change is refused; nothing of it is written.
    response = client.post(
        edit(event),
        form_data(title="过期页面", organiser=inv.office.pk, projects=[], version=1),
    )
    assert response.status_code == 409
    assert gettext(
        "Someone else changed this in the meantime. Reload the page and try again."
    ) in page_of(response)
    event.refresh_from_db()
    assert event.title == "赴北京新发地考察招商（更正）"
    assert list(event.projects.all()) == [acts.potato_p]


def test_a_liaison_edits_their_countys_activity(inv, login, acts):
    w = inv.world
    event = acts.zhuozi_promo
    client = login(w.zhuozi_liaison)
    assert edit(event) in page_of(client.get(detail(event)))
    response = client.post(
        edit(event),
        form_data(title="卓资县马铃薯推介会（修改）", date=event.date.isoformat(), version=1),
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.title == "卓资县马铃薯推介会（修改）"
    assert (event.county, event.organiser) == (w.zhuozi, w.zhuozi)
    assert list(event.projects.all()) == []
    assert login(w.huade_liaison).post(edit(event), form_data()).status_code == 404


def test_a_liaison_edits_their_activity_without_losing_another_countys_project(inv, login, acts):
    """An activity of 卓资县 that also names 化德县's project: 卓资县's liaison edits it and
    changes the projects they see; the link they cannot see stays (the service keeps it)."""
    w = inv.world
    event = activity(
        inv, "卓资县联合招商会", county=w.zhuozi, projects=[acts.potato_p, acts.beef_p]
    )
    client = login(w.zhuozi_liaison)
    assert acts.beef_p.name not in page_of(client.get(edit(event)))
    response = client.post(
        edit(event),
        form_data(
            title="卓资县联合招商会（修改）", date=event.date.isoformat(), projects=[], version=1
        ),
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.title == "卓资县联合招商会（修改）"
    assert list(event.projects.all()) == [acts.beef_p]


def test_an_activitys_page_runs_the_same_queries_for_2_or_10_projects(inv, login):
    w = inv.world
    client = login(inv.staff)
    year = timezone.localdate().year
    projects = [
        make_project(
            inv,
            f"产出项目{n}",
            county=w.zhuozi if n % 2 else w.huade,
            stage=(Stage.PLANNED, Stage.NEGOTIATING, Stage.SIGNED)[n % 3],
            on=this_year(3),
            year=year,
        )
        for n in range(10)
    ]
    small_event = activity(inv, "两个项目的活动", projects=projects[:2])
    large_event = activity(inv, "十个项目的活动", projects=projects)

    def queries(event) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(detail(event))
        assert response.status_code == 200
        return len(captured)

    assert len(client.get(detail(large_event)).context["projects"]) == 10
    assert queries(large_event) == queries(small_event)


def test_counts_never_reveal_another_countys_project(inv, login, acts):
    """卓资县's event also produced 化德县's project: 卓资县 counts only what it sees (its
    potato and dairy projects), the bureau 化德县's too — in the summary, the county
    table and the list's rows."""
    from zhuanban.investment import selectors, selectors_activities

    w = inv.world
    activity(inv, "卓资县联合招商会", county=w.zhuozi, projects=[acts.potato_p, acts.beef_p])
    assert selectors.activity_summary(w.zhuozi_liaison).projects == 2
    assert selectors.activity_summary(w.leader).projects == 3
    for user, produced in ((w.zhuozi_liaison, 1), (w.leader, 2)):
        rows = selectors_activities.activity_rows(user).filter(title="卓资县联合招商会")
        assert [r.n_projects for r in rows] == [produced]
    for user, produced in ((w.zhuozi_liaison, 2), (w.leader, 3)):
        by_county = selectors_activities.activities_by_county(user)
        assert next(r for r in by_county if r["county"] == w.zhuozi.pk)["projects"] == produced


def test_a_county_is_not_shown_the_upward_tab(inv, login):
    from django.urls import reverse as url

    tab = f'href="{url("investment:upward_list")}"'
    assert tab not in page_of(login(inv.world.zhuozi_liaison).get(url("investment:activities")))
    assert tab in page_of(login(inv.staff).get(url("investment:activities")))
