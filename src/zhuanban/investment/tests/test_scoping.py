"""Who sees which part of the investment pipeline and who they are to a project: every
persona of the shared world, plus the people a project names (its responsible leader,
the staff of its responsible unit, a department liaison below a county) and an
enterprise's own login."""

import datetime
from types import SimpleNamespace

import pytest
from django.http import Http404

from zhuanban.investment import access, scoping, services
from zhuanban.investment.lifecycle import Party
from zhuanban.investment.models import ActivityKind, UpwardKind
from zhuanban.investment.tests.conftest import TODAY, make_project
from zhuanban.org.roles import Role, UnitKind
from zhuanban.org.tests.factories import OrgUnitFactory, person

pytestmark = pytest.mark.django_db

D = datetime.date
READ_ALL = ["staff", "leader", "inspector", "office", "potato_director", "brand_staff"]
NOBODY = ["sysadmin", "secadmin", "auditor", "outsider", "enterprise"]
ALL_PROJECTS = {"卓资项目", "化德镇站项目", "化德领导项目"}
ALL_ACTIVITIES = {"市推介会", "卓资赴京", "化德接待", "卓资镇站座谈"}
ALL_UPWARD = {"集群项目", "种薯补贴"}


@pytest.fixture
def pipeline(inv):
    """Three projects, four activities, two upward applications, and the people they name:

    - 卓资项目: 卓资县;
    - 化德镇站项目: 化德县, its responsible unit 卓资镇 (a department inside 卓资县, with its
      own liaison);
    - 化德领导项目: 化德县, its responsible leader 李副局长 (a bureau deputy without a role)
      and its responsible unit 畜牧工作站 (a section without a liaison: its clerk acts for it);
    - activities of the city (the office's), of 卓资县, of 化德县, and one 卓资镇 organised
      for the city;
    - upward applications of the investment office and of the potato office.
    """
    w = inv.world
    station = OrgUnitFactory(
        code="sec-livestock", name="畜牧工作站", kind=UnitKind.SECTION, parent=w.bureau
    )
    enterprise = OrgUnitFactory(
        code="ent-yinshan", name="阴山优麦", kind=UnitKind.ENTERPRISE, parent=w.zhuozi
    )
    people = SimpleNamespace(
        staff=inv.staff,
        deputy=person("deputy", w.bureau, name="李副局长"),
        clerk=person("clerk", station, name="畜牧站科员"),
        town=person(
            "town", w.zhuozi_town, (Role.DEPARTMENT_LIAISON, w.zhuozi_town), name="镇联络员"
        ),
        enterprise=person("yinshan-login", enterprise, name="阴山优麦申报员"),
    )
    zhuozi = make_project(inv, "卓资项目")
    town_project = make_project(inv, "化德镇站项目", county=w.huade, responsible_unit=w.zhuozi_town)
    led = make_project(
        inv, "化德领导项目", county=w.huade, leader=people.deputy, responsible_unit=station
    )

    def activity(title, organiser, county):
        return services.activity_save(
            actor=None,
            kind=ActivityKind.PROMOTION,
            title=title,
            date=D(2026, 5, 1),
            place="集宁区",
            organiser=organiser,
            county=county,
            today=TODAY,
        )

    activity("市推介会", inv.office, None)
    activity("卓资赴京", w.zhuozi, w.zhuozi)
    activity("化德接待", w.huade, w.huade)
    activity("卓资镇站座谈", w.zhuozi_town, None)

    def upward(title, office):
        return services.upward_save(
            actor=None,
            title=title,
            kind=UpwardKind.FUNDS,
            authority="农业农村部",
            chain=inv.potato,
            office=office,
            year=2026,
            today=TODAY,
        )

    return SimpleNamespace(
        inv=inv,
        people=people,
        zhuozi=zhuozi,
        town_project=town_project,
        led=led,
        ours=upward("集群项目", inv.office),
        potato=upward("种薯补贴", w.potato),
    )


def persona(pipeline, who: str):
    return getattr(pipeline.people, who, None) or getattr(pipeline.inv.world, who)


def names(queryset, field: str = "name") -> set[str]:
    return set(queryset.values_list(field, flat=True))


# --- what each persona sees ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "projects", "activities", "upward"),
    [
        *[(who, ALL_PROJECTS, ALL_ACTIVITIES, ALL_UPWARD) for who in READ_ALL],
        # Their county's, and what a unit inside it is responsible for.
        ("zhuozi_liaison", {"卓资项目", "化德镇站项目"}, {"卓资赴京", "卓资镇站座谈"}, set()),
        ("huade_liaison", {"化德镇站项目", "化德领导项目"}, {"化德接待"}, set()),
        ("town", {"化德镇站项目"}, {"卓资镇站座谈"}, set()),
        # Named by a project: that project only.
        # The deputy's unit is the bureau: the activities its units organised are theirs.
        ("deputy", {"化德领导项目"}, {"市推介会"}, set()),
        ("clerk", {"化德领导项目"}, set(), set()),
        *[(who, set(), set(), set()) for who in NOBODY],
    ],
)
def test_what_each_persona_sees(pipeline, who, projects, activities, upward):
    user = persona(pipeline, who)
    assert names(scoping.visible_projects(user)) == projects
    assert names(scoping.visible_activities(user), "title") == activities
    assert names(scoping.visible_upward(user), "title") == upward


def test_an_inactive_reader_sees_nothing(pipeline):
    leader = pipeline.inv.world.leader
    leader.is_active = False
    leader.save()
    leader.refresh_from_db()
    assert not scoping.visible_projects(leader).exists()
    assert not scoping.visible_upward(leader).exists()


@pytest.mark.parametrize(
    ("who", "sees_all"),
    [
        *[(who, True) for who in READ_ALL],
        *[(who, False) for who in ("zhuozi_liaison", "town", "deputy", "clerk", *NOBODY)],
    ],
)
def test_sees_all(pipeline, who, sees_all):
    assert scoping.sees_all(persona(pipeline, who)) is sees_all


# --- who they are to a project ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "zhuozi", "town_project", "led"),
    [
        ("staff", {Party.OFFICE}, {Party.OFFICE}, {Party.OFFICE}),
        ("leader", {Party.LEADER}, {Party.LEADER}, {Party.LEADER}),
        ("zhuozi_liaison", {Party.COUNTY}, set(), set()),
        ("huade_liaison", set(), {Party.COUNTY}, {Party.COUNTY}),
        ("town", set(), {Party.RESPONSIBLE}, set()),
        ("deputy", set(), set(), {Party.RESPONSIBLE}),
        ("clerk", set(), set(), {Party.RESPONSIBLE}),
        # Readers are nobody to a project: they read, and a leader urges.
        ("office", set(), set(), set()),
        ("potato_director", set(), set(), set()),
        ("brand_staff", set(), set(), set()),
        ("inspector", set(), set(), set()),
        *[(who, set(), set(), set()) for who in NOBODY],
    ],
)
def test_parties(pipeline, who, zhuozi, town_project, led):
    user = persona(pipeline, who)
    assert scoping.parties(user, pipeline.zhuozi) == zhuozi
    assert scoping.parties(user, pipeline.town_project) == town_project
    assert scoping.parties(user, pipeline.led) == led


def test_a_leader_who_leads_a_project_is_both(pipeline):
    w = pipeline.inv.world
    project = make_project(pipeline.inv, "王局长项目", leader=w.leader)
    assert scoping.parties(w.leader, project) == {Party.LEADER, Party.RESPONSIBLE}


def test_an_administrator_named_on_a_project_is_still_nobody(pipeline):
    w = pipeline.inv.world
    project = make_project(pipeline.inv, "管理员项目", leader=w.sysadmin)
    assert scoping.parties(w.sysadmin, project) == set()
    assert not scoping.visible_projects(w.sysadmin).exists()


def test_a_person_of_a_county_without_a_liaison_role_reads_but_does_not_act(pipeline):
    w = pipeline.inv.world
    clerk = person("zhuozi-clerk", w.zhuozi, name="卓资县农牧局科员")
    assert names(scoping.visible_projects(clerk)) == {"卓资项目", "化德镇站项目"}
    # The county is not their role: they act for their own unit only as its staff.
    assert scoping.parties(clerk, pipeline.zhuozi) == set()
    assert scoping.counties_entered_by(clerk) == []


# --- who enters, who keeps upward applications -----------------------------------------------


@pytest.mark.parametrize(
    ("who", "counties"),
    [
        ("staff", None),
        ("zhuozi_liaison", ["zhuozi"]),
        ("huade_liaison", ["huade"]),
        *[
            (who, [])
            for who in (
                "leader",
                "inspector",
                "office",
                "potato_director",
                "brand_staff",
                "town",
                "deputy",
                "clerk",
                *NOBODY,
            )
        ],
    ],
)
def test_counties_entered_by(pipeline, who, counties):
    w = pipeline.inv.world
    expected = None if counties is None else [getattr(w, name).pk for name in counties]
    assert scoping.counties_entered_by(persona(pipeline, who)) == expected


def test_a_liaison_of_two_counties_enters_both(pipeline):
    w = pipeline.inv.world
    both = person("both", w.zhuozi, (Role.COUNTY_LIAISON, w.zhuozi), (Role.COUNTY_LIAISON, w.huade))
    assert scoping.counties_entered_by(both) == sorted([w.zhuozi.pk, w.huade.pk])
    assert names(scoping.visible_projects(both)) == ALL_PROJECTS
    assert scoping.parties(both, pipeline.led) == {Party.COUNTY}


@pytest.mark.parametrize(
    ("who", "new", "ours", "potato"),
    [
        ("staff", True, True, False),
        ("office", True, False, True),
        ("potato_director", True, False, True),
        ("brand_staff", True, False, False),
        *[
            (who, False, False, False)
            for who in ("leader", "inspector", "zhuozi_liaison", "town", "deputy", *NOBODY)
        ],
    ],
)
def test_may_keep_upward(pipeline, who, new, ours, potato):
    user = persona(pipeline, who)
    assert scoping.may_keep_upward(user) is new
    assert scoping.may_keep_upward(user, pipeline.ours) is ours
    assert scoping.may_keep_upward(user, pipeline.potato) is potato


@pytest.mark.parametrize(
    ("who", "staff"),
    [("staff", True), *[(w, False) for w in ("office", "potato_director", "leader", *NOBODY)]],
)
def test_only_the_investment_offices_people_are_its_staff(pipeline, who, staff):
    assert scoping.is_investment_staff(persona(pipeline, who)) is staff


def test_the_investment_office_is_found_by_its_code(pipeline, settings):
    assert scoping.investment_office_id() == pipeline.inv.office.pk
    settings.INVESTMENT_OFFICE_CODE = "office-potato"
    assert scoping.investment_office_id() == pipeline.inv.world.potato.pk
    office = pipeline.inv.world.office
    assert scoping.is_investment_staff(office)
    settings.INVESTMENT_OFFICE_CODE = "no-such-office"
    assert scoping.investment_office_id() is None


# --- the access helpers follow the scoping ---------------------------------------------------


@pytest.mark.parametrize(
    ("who", "project", "activity", "upward"),
    [
        ("leader", True, True, True),
        ("zhuozi_liaison", True, True, False),
        ("huade_liaison", False, False, False),
        ("deputy", False, False, False),
        *[(who, False, False, False) for who in NOBODY],
    ],
)
def test_access_helpers_404_what_is_not_seen(pipeline, who, project, activity, upward):
    from zhuanban.investment.models import Activity

    user = persona(pipeline, who)
    zhuozi_visit = Activity.objects.get(title="卓资赴京")
    for allowed, fetch, record in [
        (project, access.get_project_for_user, pipeline.zhuozi),
        (activity, access.get_activity_for_user, zhuozi_visit),
        (upward, access.get_upward_for_user, pipeline.ours),
    ]:
        if allowed:
            assert fetch(user, record.pk) == record
        else:
            with pytest.raises(Http404):
                fetch(user, record.pk)
