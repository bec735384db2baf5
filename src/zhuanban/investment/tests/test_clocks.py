"""The stage clocks: who sets them and what they refuse, and the light each project gets
from them, computed twice (`ProjectQuerySet.with_light` in the database, `Project.light_on`
in Python) and checked on every boundary day against the clock table by hand.

The clocks a bureau starts with (migration 0002), stage: limit, warn before it, report every:
planned 30/7/—, negotiating 60/10/14, signed 90/15/14 (evidence), landed 90/15/14,
started 365/30/14. A project waiting `limit - warn` days is green, one day more yellow,
still yellow on the limit day and red the day after it.
"""

import datetime
import importlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from zhuanban.core.errors import ConcurrentEditError
from zhuanban.core.models import AuditAction, AuditEvent
from zhuanban.investment import lifecycle, services
from zhuanban.investment.lifecycle import LIVE_STAGES, Stage
from zhuanban.investment.models import Project, StageClock, clocks_by_stage
from zhuanban.investment.tests.conftest import TODAY, make_project
from zhuanban.tasks.models import Light

pytestmark = pytest.mark.django_db

# stage: (limit, warn, report every), as migration 0002 sets them: written out by hand.
DEFAULT_CLOCKS = {
    Stage.PLANNED: (30, 7, None),
    Stage.NEGOTIATING: (60, 10, 14),
    Stage.SIGNED: (90, 15, 14),
    Stage.LANDED: (90, 15, 14),
    Stage.STARTED: (365, 30, 14),
}
# (stage, days waited, light): green at limit - warn, yellow one day later and on the
# limit, red the day after the limit.
BOUNDARIES = [
    (Stage.PLANNED, 23, Light.GREEN),
    (Stage.PLANNED, 24, Light.YELLOW),
    (Stage.PLANNED, 30, Light.YELLOW),
    (Stage.PLANNED, 31, Light.RED),
    (Stage.NEGOTIATING, 50, Light.GREEN),
    (Stage.NEGOTIATING, 51, Light.YELLOW),
    (Stage.NEGOTIATING, 60, Light.YELLOW),
    (Stage.NEGOTIATING, 61, Light.RED),
    (Stage.SIGNED, 75, Light.GREEN),
    (Stage.SIGNED, 76, Light.YELLOW),
    (Stage.SIGNED, 90, Light.YELLOW),
    (Stage.SIGNED, 91, Light.RED),
    (Stage.LANDED, 75, Light.GREEN),
    (Stage.LANDED, 76, Light.YELLOW),
    (Stage.LANDED, 90, Light.YELLOW),
    (Stage.LANDED, 91, Light.RED),
    (Stage.STARTED, 335, Light.GREEN),
    (Stage.STARTED, 336, Light.YELLOW),
    (Stage.STARTED, 365, Light.YELLOW),
    (Stage.STARTED, 366, Light.RED),
]


def ago(days: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=days)


def both_lights(project: Project, today: datetime.date = TODAY, clocks=None) -> tuple[str, str]:
    """The project's light from the database and from Python, on the same day."""
    clocks = clocks_by_stage() if clocks is None else clocks
    annotated = Project.objects.with_light(today, clocks).get(pk=project.pk)
    project.refresh_from_db()
    return annotated.light, project.light_on(today, clocks)


def test_the_default_clocks_are_the_ones_written_out_here():
    assert {
        c.stage: (c.limit_days, c.warn_days, c.report_days) for c in StageClock.objects.all()
    } == DEFAULT_CLOCKS
    assert set(DEFAULT_CLOCKS) == set(LIVE_STAGES)
    assert list(
        StageClock.objects.filter(evidence_required=True).values_list("stage", flat=True)
    ) == [Stage.SIGNED]


# --- the light table -------------------------------------------------------------------------


@pytest.mark.parametrize(("stage", "waited", "light"), BOUNDARIES)
def test_light_on_each_boundary_day_in_the_database_and_in_python(inv, stage, waited, light):
    project = make_project(inv, stage=stage, on=ago(waited))
    if DEFAULT_CLOCKS[stage][2]:
        # A report today: the report clock is met, only the stage clock speaks.
        services.project_report(actor=None, project=project, on=TODAY, text="进展正常", today=TODAY)
    assert both_lights(project) == (light, light)


@pytest.mark.parametrize(("stage", "waited", "light"), BOUNDARIES)
def test_the_light_moves_with_the_day_not_only_with_the_project(inv, stage, waited, light):
    # The same boundaries seen from the project's side: one project, the day moves.
    project = make_project(inv, stage=stage, on=datetime.date(2025, 1, 1), today=TODAY)
    day = datetime.date(2025, 1, 1) + datetime.timedelta(days=waited)
    if DEFAULT_CLOCKS[stage][2]:
        services.project_report(actor=None, project=project, on=day, text="进展正常", today=day)
    assert both_lights(project, today=day) == (light, light)


@pytest.mark.parametrize(
    ("stage", "last_report_days_ago", "light"),
    [
        (Stage.NEGOTIATING, 14, Light.GREEN),
        (Stage.NEGOTIATING, 15, Light.YELLOW),
        (Stage.SIGNED, 14, Light.GREEN),
        (Stage.SIGNED, 15, Light.YELLOW),
        (Stage.LANDED, 15, Light.YELLOW),
        (Stage.STARTED, 14, Light.GREEN),
        (Stage.STARTED, 15, Light.YELLOW),
    ],
)
def test_an_overdue_progress_report_turns_the_light_yellow(inv, stage, last_report_days_ago, light):
    # 20 days in the stage: well inside every stage clock; the report clock (14 days) decides.
    project = make_project(inv, stage=stage, on=ago(20))
    services.project_report(
        actor=None, project=project, on=ago(last_report_days_ago), text="进展", today=TODAY
    )
    assert both_lights(project) == (light, light)


def test_a_project_never_reported_is_late_from_the_day_it_reached_its_stage(inv):
    # Without any report, the clock runs from the stage change: 15 days > 14.
    signed = make_project(inv, "甲", stage=Stage.SIGNED, on=ago(15))
    fresh = make_project(inv, "乙", stage=Stage.SIGNED, on=ago(14))
    assert both_lights(signed) == (Light.YELLOW, Light.YELLOW)
    assert both_lights(fresh) == (Light.GREEN, Light.GREEN)


def test_planned_projects_have_no_report_clock(inv):
    project = make_project(inv, stage=Stage.PLANNED, on=ago(23))
    assert project.last_report_on == ago(23)
    assert both_lights(project) == (Light.GREEN, Light.GREEN)


@pytest.mark.parametrize("waited", [0, 366, 2000])
def test_producing_and_dropped_projects_are_grey_however_long_they_wait(inv, waited):
    producing = make_project(inv, "投产项目", stage=Stage.PRODUCING, on=ago(waited))
    dropped = make_project(inv, "终止项目", stage=Stage.NEGOTIATING, on=ago(waited))
    services.project_move(
        actor=None,
        project=dropped,
        to_stage=Stage.DROPPED,
        on=ago(waited),
        reason="投资方撤资",
        today=TODAY,
    )
    assert both_lights(producing) == (Light.GREY, Light.GREY)
    assert both_lights(dropped) == (Light.GREY, Light.GREY)
    assert producing.due_on(clocks_by_stage()) is None


@pytest.mark.parametrize("waited", [0, 100, 1000])
def test_a_stage_without_a_clock_stays_green(inv, waited):
    StageClock.objects.filter(stage=Stage.SIGNED).delete()
    project = make_project(inv, stage=Stage.SIGNED, on=ago(waited))
    assert both_lights(project) == (Light.GREEN, Light.GREEN)
    assert project.due_on(clocks_by_stage()) is None


def test_lights_follow_the_clocks_passed_in_not_only_the_stored_ones(inv):
    project = make_project(inv, stage=Stage.SIGNED, on=ago(40))
    clocks = clocks_by_stage()
    assert both_lights(project, clocks=clocks) == (Light.YELLOW, Light.YELLOW)  # no report
    assert both_lights(project, clocks={}) == (Light.GREEN, Light.GREEN)
    del clocks[Stage.SIGNED]
    assert both_lights(project, clocks=clocks) == (Light.GREEN, Light.GREEN)


def test_due_on_is_the_last_day_in_the_stage(inv):
    project = make_project(inv, stage=Stage.NEGOTIATING, on=datetime.date(2026, 3, 1))
    # 2026-03-01 + 60 days: still yellow that day, red the next.
    assert project.due_on(clocks_by_stage()) == datetime.date(2026, 4, 30)
    assert both_lights(project, today=datetime.date(2026, 4, 30))[0] != Light.RED
    assert both_lights(project, today=datetime.date(2026, 5, 1)) == (Light.RED, Light.RED)


def test_a_changed_clock_changes_the_lights(inv):
    project = make_project(inv, stage=Stage.PLANNED, on=ago(20))
    assert both_lights(project) == (Light.GREEN, Light.GREEN)
    services.clock_save(actor=inv.staff, stage=Stage.PLANNED, limit_days=19, warn_days=5)
    assert both_lights(project) == (Light.RED, Light.RED)
    services.clock_save(
        actor=inv.staff, stage=Stage.PLANNED, limit_days=25, warn_days=5, expected_version=2
    )
    assert both_lights(project) == (Light.GREEN, Light.GREEN)  # 20 = 25 - 5
    services.clock_save(
        actor=inv.staff, stage=Stage.PLANNED, limit_days=25, warn_days=6, expected_version=3
    )
    assert both_lights(project) == (Light.YELLOW, Light.YELLOW)


# --- clock_save ------------------------------------------------------------------------------


def test_the_office_changes_a_clock_and_the_audit_trail_has_before_and_after(inv):
    clock = services.clock_save(
        actor=inv.staff,
        stage=Stage.SIGNED,
        limit_days=60,
        warn_days=10,
        report_days=7,
        evidence_required=False,
        commitment="  签约后60日内落地  ",
        expected_version=1,
    )
    clock.refresh_from_db()
    assert (clock.limit_days, clock.warn_days, clock.report_days) == (60, 10, 7)
    assert clock.evidence_required is False
    assert clock.commitment == "签约后60日内落地"
    assert clock.version == 2
    assert clock.updated_by == inv.staff
    event = AuditEvent.objects.filter(object_type="investment.stageclock").get()
    assert event.action == AuditAction.UPDATE
    assert event.actor == inv.staff
    assert (event.before["limit_days"], event.after["limit_days"]) == (90, 60)
    assert (event.before["evidence_required"], event.after["evidence_required"]) == (True, False)
    assert (event.before["version"], event.after["version"]) == (1, 2)


def test_a_clock_for_a_stage_without_one_is_created(inv):
    StageClock.objects.filter(stage=Stage.STARTED).delete()
    clock = services.clock_save(actor=inv.staff, stage=Stage.STARTED, limit_days=180)
    assert (clock.limit_days, clock.warn_days, clock.report_days, clock.version) == (
        180,
        0,
        None,
        1,
    )
    event = AuditEvent.objects.filter(object_type="investment.stageclock").get()
    assert event.action == AuditAction.CREATE
    assert event.before is None


def test_a_clock_saved_on_a_stale_page_is_refused(inv):
    services.clock_save(actor=inv.staff, stage=Stage.SIGNED, limit_days=80, expected_version=1)
    with pytest.raises(ConcurrentEditError):
        services.clock_save(actor=inv.staff, stage=Stage.SIGNED, limit_days=70, expected_version=1)
    assert StageClock.objects.get(stage=Stage.SIGNED).limit_days == 80


@pytest.mark.parametrize(
    ("values", "fields"),
    [
        ({"limit_days": 0, "warn_days": 0, "report_days": 0}, {"limit_days", "report_days"}),
        ({"limit_days": None}, {"limit_days"}),
        ({"limit_days": -5}, {"limit_days"}),
        ({"limit_days": 10, "warn_days": 10}, {"warn_days"}),
        ({"limit_days": 10, "warn_days": 11, "report_days": -1}, {"warn_days", "report_days"}),
        ({"limit_days": 10, "warn_days": -1}, {"warn_days"}),
        ({"limit_days": 0, "warn_days": 3, "report_days": 0}, {"limit_days", "report_days"}),
    ],
)
def test_bad_clock_values_are_all_refused_at_once_and_nothing_changes(inv, values, fields):
    with pytest.raises(ValidationError) as caught:
        services.clock_save(actor=inv.staff, stage=Stage.NEGOTIATING, **values)
    assert set(caught.value.message_dict) == fields
    clock = StageClock.objects.get(stage=Stage.NEGOTIATING)
    assert (clock.limit_days, clock.warn_days, clock.report_days, clock.version) == (60, 10, 14, 1)
    assert not AuditEvent.objects.filter(object_type="investment.stageclock").exists()


def test_the_edges_of_the_clock_rules_are_accepted(inv):
    clock = services.clock_save(
        actor=inv.staff, stage=Stage.NEGOTIATING, limit_days=1, warn_days=0, report_days=1
    )
    assert (clock.limit_days, clock.warn_days, clock.report_days) == (1, 0, 1)
    clock = services.clock_save(
        actor=inv.staff, stage=Stage.NEGOTIATING, limit_days=10, warn_days=9, report_days=None
    )
    assert (clock.limit_days, clock.warn_days, clock.report_days) == (10, 9, None)


def test_a_commitment_too_long_for_the_register_is_refused_by_field(inv):
    with pytest.raises(ValidationError) as caught:
        services.clock_save(
            actor=inv.staff, stage=Stage.PLANNED, limit_days=0, commitment="承" * 101
        )
    assert set(caught.value.message_dict) == {"limit_days", "commitment"}
    assert StageClock.objects.get(stage=Stage.PLANNED).commitment == ""


@pytest.mark.parametrize("stage", [Stage.PRODUCING, Stage.DROPPED, "someday"])
def test_no_clock_for_an_end_or_an_unknown_stage(inv, stage):
    with pytest.raises(ValidationError) as caught:
        services.clock_save(actor=inv.staff, stage=stage, limit_days=30)
    assert set(caught.value.message_dict) == {"stage"}
    assert not StageClock.objects.filter(stage=stage).exists()


@pytest.mark.parametrize(
    "who",
    [
        "leader",
        "office",
        "potato_director",
        "inspector",
        "zhuozi_liaison",
        "sysadmin",
        "auditor",
        "outsider",
    ],
)
def test_only_the_investment_office_sets_the_clocks(inv, who):
    with pytest.raises(PermissionDenied):
        services.clock_save(actor=getattr(inv.world, who), stage=Stage.PLANNED, limit_days=5)
    assert StageClock.objects.get(stage=Stage.PLANNED).limit_days == 30


def test_missing_clocks_are_restored_with_the_defaults_and_kept_ones_stay(inv):
    StageClock.objects.exclude(stage=Stage.SIGNED).delete()
    StageClock.objects.filter(stage=Stage.SIGNED).update(limit_days=120)
    created = services.clocks_ensure(actor=None)
    assert sorted(c.stage for c in created) == sorted(
        set(lifecycle.DEFAULT_CLOCKS) - {Stage.SIGNED}
    )
    clocks = {c.stage: c for c in StageClock.objects.all()}
    assert clocks[Stage.SIGNED].limit_days == 120
    assert clocks[Stage.STARTED].limit_days == lifecycle.DEFAULT_CLOCKS[Stage.STARTED][0]
    assert AuditEvent.objects.filter(object_type="investment.stageclock").count() == 4
    assert services.clocks_ensure() == []
    # The migration keeps its own frozen copy; they must not drift apart.
    migration = importlib.import_module("zhuanban.investment.migrations.0002_default_clocks")
    assert {str(k): v for k, v in lifecycle.DEFAULT_CLOCKS.items()} == migration.DEFAULTS
