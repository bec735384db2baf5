"""The project services end to end: entering and correcting a project, every kind of stage
move and the rules on its date and evidence, progress reports with the funds in place,
urging, and putting stalled projects into a supervision notice — who may, who may not,
every problem at once, nothing half-saved, the timeline, the audit trail and who is told.

Dates are fixed (`TODAY` = 2026-06-30) and the clocks are the defaults of migration 0002.
"""

import datetime
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from zhuanban.core import audit
from zhuanban.core.errors import ConcurrentEditError
from zhuanban.core.models import AuditAction, AuditEvent, AuditOutcome, Notification, StoredFile
from zhuanban.investment import services
from zhuanban.investment.lifecycle import Stage
from zhuanban.investment.models import (
    EventKind,
    ProgressReport,
    Project,
    ProjectEvent,
    clocks_by_stage,
)
from zhuanban.investment.tests.conftest import TODAY, make_project, upload
from zhuanban.org.models import OrgUnit
from zhuanban.org.roles import Role, UnitKind
from zhuanban.org.tests.factories import OrgUnitFactory, person
from zhuanban.supervision.models import IssuingAuthority, Notice, NoticeKind, NoticeReason
from zhuanban.tasks.models import Light

pytestmark = pytest.mark.django_db

D = datetime.date
NAME = "马铃薯全粉加工项目"
# Persons who only read the register, and those who see none of it.
READERS = ["office", "potato_director", "brand_staff", "inspector"]
NOBODY = ["sysadmin", "secadmin", "auditor", "outsider"]


def ago(days: int) -> D:
    return TODAY - datetime.timedelta(days=days)


def exe(name: str = "投资协议.pdf") -> SimpleUploadedFile:
    """A Windows program renamed to look like a PDF."""
    return SimpleUploadedFile(
        name, b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 120, "application/pdf"
    )


def enterprise_login(inv):
    unit = OrgUnitFactory(
        code="ent-yinshan", name="阴山优麦", kind=UnitKind.ENTERPRISE, parent=inv.world.zhuozi
    )
    return person("yinshan-login", unit, name="阴山优麦申报员")


def station(inv):
    """畜牧工作站: a section without a liaison, so its own staff act for it."""
    return OrgUnit.objects.filter(code="sec-livestock").first() or OrgUnitFactory(
        code="sec-livestock", name="畜牧工作站", kind=UnitKind.SECTION, parent=inv.world.bureau
    )


def clerk_of(inv):
    """The one person of 畜牧工作站 (user name "clerk")."""
    return person("clerk", station(inv), name="畜牧站科员")


def audits(instance, action: str | None = None):
    events = AuditEvent.objects.filter(
        object_type=instance._meta.label_lower, object_id=str(instance.pk)
    ).order_by("seq")
    return events.filter(action=action) if action else events


def number(n: int) -> re.Pattern:
    """`n` as a number of its own in a text (not a part of 2026 or 1210)."""
    return re.compile(rf"(?<!\d){n}(?!\d)")


def has(text: str, *parts) -> bool:
    return all(p.search(text) if isinstance(p, re.Pattern) else p in text for p in parts)


def told(kind: str) -> set[str]:
    return set(
        Notification.objects.filter(kind=f"investment_{kind}").values_list(
            "recipient__username", flat=True
        )
    )


def entered(inv, **values):
    """Arguments of a correct project of 卓资县, overridden by `values`."""
    return {
        "name": NAME,
        "year": 2026,
        "chain": inv.potato,
        "county": inv.world.zhuozi,
        "planned_investment": Decimal("9800"),
        "stage": Stage.PLANNED,
        "stage_on": D(2026, 6, 1),
        "today": TODAY,
    } | values


# --- project_create ------------------------------------------------------------------------


def test_the_office_enters_a_project_at_the_stage_it_has_reached(inv):
    project = services.project_create(
        actor=inv.staff,
        **entered(
            inv,
            name="  奶源基地建设项目  ",
            chain=inv.dairy,
            county=inv.world.huade,
            planned_investment=Decimal("2.5") * 10000,
            stage=Stage.SIGNED,
            stage_on=D(2026, 5, 20),
            investor="内蒙古伊利实业集团",
            investor_origin="呼和浩特市",
            is_key=True,
            leader=inv.world.leader,
            responsible_unit=station(inv),
            content="存栏奶牛5000头",
        ),
    )
    project.refresh_from_db()
    assert project.name == "奶源基地建设项目"
    assert project.planned_investment == Decimal("25000.00")
    assert (project.stage, project.signed_on, project.stage_since, project.last_report_on) == (
        Stage.SIGNED,
        D(2026, 5, 20),
        D(2026, 5, 20),
        D(2026, 5, 20),
    )
    # Entered at its signing: the stages before it were never recorded.
    assert (project.planned_on, project.negotiating_on) == (None, None)
    assert (project.created_by, project.version) == (inv.staff, 1)
    event = project.events.get()
    assert (event.kind, event.to_stage, event.on, event.actor) == (
        EventKind.CREATED,
        Stage.SIGNED,
        D(2026, 5, 20),
        inv.staff,
    )
    created = audits(project).get()
    assert created.action == AuditAction.CREATE
    assert created.before is None
    assert created.after["name"] == "奶源基地建设项目"
    assert created.after["planned_investment"] == "25000.00"


def test_a_county_liaison_enters_projects_of_the_own_county_only(inv):
    w = inv.world
    project = services.project_create(actor=w.zhuozi_liaison, **entered(inv))
    assert project.county == w.zhuozi
    with pytest.raises(PermissionDenied):
        services.project_create(actor=w.zhuozi_liaison, **entered(inv, county=w.huade))
    assert Project.objects.count() == 1


@pytest.mark.parametrize("who", ["leader", *READERS, *NOBODY, "enterprise"])
def test_who_may_not_enter_a_project(inv, who):
    actor = enterprise_login(inv) if who == "enterprise" else getattr(inv.world, who)
    for county in (inv.world.zhuozi, inv.world.huade):
        with pytest.raises(PermissionDenied):
            services.project_create(actor=actor, **entered(inv, county=county))
    assert not Project.objects.exists()
    assert not AuditEvent.objects.filter(object_type="investment.project").exists()


def test_a_department_liaison_in_a_county_does_not_enter_its_projects(inv):
    town = person("town", inv.world.zhuozi_town, (Role.DEPARTMENT_LIAISON, inv.world.zhuozi_town))
    with pytest.raises(PermissionDenied):
        services.project_create(actor=town, **entered(inv))


def test_every_problem_of_a_new_project_is_reported_at_once_and_nothing_is_saved(inv):
    with pytest.raises(ValidationError) as caught:
        services.project_create(
            actor=inv.staff,
            name="  ",
            year=1999,
            chain=None,
            county=None,
            planned_investment=Decimal("-1"),
            stage=Stage.NEGOTIATING,
            stage_on=D(2026, 7, 1),
            today=TODAY,
        )
    errors = caught.value.error_dict
    assert set(errors) == {"name", "year", "chain", "county", "planned_investment", "stage_on"}
    codes = {field: [e.code for e in found] for field, found in errors.items()}
    assert codes == {
        "name": ["required"],
        "year": ["year"],
        "chain": ["required"],
        "county": ["required"],
        "planned_investment": ["negative"],
        "stage_on": ["future"],
    }
    assert not Project.objects.exists()
    assert not ProjectEvent.objects.exists()
    assert not AuditEvent.objects.filter(object_type="investment.project").exists()


def test_a_new_project_in_a_unit_that_is_not_a_county_and_a_year_too_far(inv):
    with pytest.raises(ValidationError) as caught:
        services.project_create(
            actor=inv.staff,
            **entered(inv, county=inv.world.crops, year=TODAY.year + 2, planned_investment=None),
        )
    errors = caught.value.error_dict
    assert set(errors) == {"county", "year", "planned_investment"}
    assert [e.code for e in errors["county"]] == ["not_county"]
    assert [e.code for e in errors["planned_investment"]] == ["required"]
    assert not Project.objects.exists()


def test_next_year_and_the_year_2000_are_years_a_project_may_have(inv):
    services.project_create(actor=inv.staff, **entered(inv, name="甲", year=TODAY.year + 1))
    services.project_create(actor=inv.staff, **entered(inv, name="乙", year=2000))
    assert Project.objects.count() == 2


def test_the_same_name_twice_in_a_county_and_year_is_refused_with_the_other_problems(inv):
    make_project(inv, NAME)
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        services.project_create(
            actor=inv.staff,
            **entered(inv, planned_investment=Decimal("-5"), stage_on=D(2026, 8, 1)),
        )
    errors = caught.value.message_dict
    assert set(errors) == {"name", "planned_investment", "stage_on"}
    assert errors["name"] == ["卓资县 already has a project of this name in 2026."]
    assert errors["stage_on"] == ["2026-08-01 is in the future: record what has happened."]
    assert Project.objects.count() == 1
    # Another county, or another year, may use the name.
    services.project_create(actor=inv.staff, **entered(inv, county=inv.world.huade))
    services.project_create(actor=inv.staff, **entered(inv, year=2025, stage_on=D(2025, 6, 1)))
    assert Project.objects.filter(name=NAME).count() == 3


def test_a_name_or_an_amount_the_database_cannot_hold_is_refused_by_field(inv):
    with pytest.raises(ValidationError) as caught:
        services.project_create(
            actor=inv.staff,
            **entered(
                inv,
                name="项" * 121,
                investor="投" * 121,
                planned_investment=Decimal("1234567890123.5"),
            ),
        )
    assert set(caught.value.message_dict) == {"name", "investor", "planned_investment"}
    with pytest.raises(ValidationError) as caught:
        services.project_create(
            actor=inv.staff, **entered(inv, planned_investment=Decimal("10.125"))
        )
    assert set(caught.value.message_dict) == {"planned_investment"}
    assert not Project.objects.exists()
    # The largest amount it holds: 999,999,999,999.99 万元.
    project = services.project_create(
        actor=inv.staff, **entered(inv, planned_investment=Decimal("999999999999.99"))
    )
    project.refresh_from_db()
    assert project.planned_investment == Decimal("999999999999.99")


def test_a_project_is_entered_at_a_stage_of_the_pipeline_only(inv):
    with pytest.raises(ValidationError) as caught:
        services.project_create(actor=inv.staff, **entered(inv, stage=Stage.DROPPED))
    assert set(caught.value.message_dict) == {"stage"}
    assert not Project.objects.exists()


# --- project_update -------------------------------------------------------------------------


def test_the_office_corrects_a_project_and_the_audit_trail_holds_before_and_after(inv):
    project = make_project(inv, stage=Stage.SIGNED, on=D(2026, 5, 1))
    updated = services.project_update(
        actor=inv.staff,
        project=project,
        expected_version=1,
        today=TODAY,
        name=" 马铃薯全粉及薯条加工项目 ",
        planned_investment=Decimal("12000"),
        investor_origin="北京市",
        is_key=True,
    )
    updated.refresh_from_db()
    assert updated.name == "马铃薯全粉及薯条加工项目"
    assert (updated.planned_investment, updated.is_key, updated.version) == (
        Decimal("12000.00"),
        True,
        2,
    )
    change = audits(project, AuditAction.UPDATE).get()
    assert change.actor == inv.staff
    assert (change.before["name"], change.after["name"]) == (NAME, "马铃薯全粉及薯条加工项目")
    assert (change.before["planned_investment"], change.after["planned_investment"]) == (
        "9800.00",
        "12000.00",
    )
    assert (change.before["version"], change.after["version"]) == (1, 2)
    edited = project.events.get(kind=EventKind.EDITED)
    assert edited.text == "investor_origin, is_key, name, planned_investment"
    assert (edited.on, edited.actor) == (TODAY, inv.staff)


def test_an_amount_given_again_is_no_change_in_the_audit_trail(inv):
    project = make_project(inv, planned="9800")
    services.project_update(
        actor=inv.staff,
        project=project,
        planned_investment=Decimal("9800"),
        investor="卓资县薯业公司",
        today=TODAY,
    )
    change = audits(project, AuditAction.UPDATE).get()
    assert audit.changed_fields(change.before, change.after) == ["investor", "version"]


def test_every_problem_of_a_correction_at_once_and_nothing_is_saved(inv):
    project = make_project(inv, stage=Stage.SIGNED, on=D(2026, 5, 1))
    with pytest.raises(ValidationError) as caught:
        services.project_update(
            actor=inv.staff,
            project=project,
            today=TODAY,
            name="",
            chain=None,
            county=None,
            planned_investment=Decimal("-100"),
            year=3000,
            signed_on=D(2026, 7, 2),
        )
    assert set(caught.value.message_dict) == {
        "name",
        "chain",
        "county",
        "planned_investment",
        "year",
        "signed_on",
    }
    project.refresh_from_db()
    assert (project.name, project.county, project.year, project.version) == (
        NAME,
        inv.world.zhuozi,
        2026,
        1,
    )
    assert project.signed_on == D(2026, 5, 1)
    assert not project.events.filter(kind=EventKind.EDITED).exists()
    assert not audits(project, AuditAction.UPDATE).exists()


def test_a_corrected_date_never_comes_before_an_earlier_stage(inv):
    project = make_project(inv, stage=Stage.NEGOTIATING, on=D(2026, 3, 1))
    project = services.project_move(
        actor=inv.staff,
        project=project,
        to_stage=Stage.SIGNED,
        on=D(2026, 4, 1),
        evidence=[upload("投资协议.pdf")],
        today=TODAY,
    )
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        services.project_update(
            actor=inv.staff, project=project, signed_on=D(2026, 2, 1), today=TODAY
        )
    assert caught.value.message_dict == {
        "signed_on": [
            "Signed (签约) on 2026-02-01 cannot come before Negotiating (洽谈) on 2026-03-01."
        ]
    }
    # Moving the earlier date past the later one is the same mistake, told on the later.
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        services.project_update(
            actor=inv.staff, project=project, negotiating_on=D(2026, 4, 10), today=TODAY
        )
    assert caught.value.message_dict == {
        "signed_on": [
            "Signed (签约) on 2026-04-01 cannot come before Negotiating (洽谈) on 2026-04-10."
        ]
    }
    project.refresh_from_db()
    assert (project.negotiating_on, project.signed_on) == (D(2026, 3, 1), D(2026, 4, 1))


def test_dates_of_stages_not_reached_are_not_set_and_the_present_stage_keeps_its_date(inv):
    project = make_project(inv, stage=Stage.NEGOTIATING, on=D(2026, 3, 1))
    with pytest.raises(ValidationError) as caught:
        services.project_update(
            actor=inv.staff,
            project=project,
            landed_on=D(2026, 4, 1),
            negotiating_on=None,
            today=TODAY,
        )
    codes = {f: [e.code for e in errors] for f, errors in caught.value.error_dict.items()}
    assert codes == {"landed_on": ["not_reached"], "negotiating_on": ["required"]}
    # A date the project skipped may be recorded afterwards (planned before negotiating).
    project = services.project_update(
        actor=inv.staff, project=project, planned_on=D(2026, 1, 10), today=TODAY
    )
    assert project.planned_on == D(2026, 1, 10)


def test_correcting_the_present_stages_date_moves_its_clock(inv):
    project = make_project(inv, stage=Stage.SIGNED, on=D(2026, 5, 1))
    # Signed on 2026-03-01 in truth: 121 days ago, past the 90-day limit.
    project = services.project_update(
        actor=inv.staff, project=project, signed_on=D(2026, 3, 1), today=TODAY
    )
    assert (project.signed_on, project.stage_since) == (D(2026, 3, 1), D(2026, 3, 1))
    assert Project.objects.with_light(TODAY).get(pk=project.pk).light == Light.RED
    # And later again: the clock and the report clock follow.
    project = services.project_update(
        actor=inv.staff, project=project, signed_on=D(2026, 6, 25), today=TODAY
    )
    assert (project.stage_since, project.last_report_on) == (D(2026, 6, 25), D(2026, 6, 25))
    assert Project.objects.with_light(TODAY).get(pk=project.pk).light == Light.GREEN


def test_a_project_back_at_a_stage_keeps_the_clock_of_its_return(inv):
    project = make_project(inv, stage=Stage.SIGNED, on=D(2026, 3, 1))
    project = services.project_move(
        actor=inv.staff, project=project, to_stage=Stage.LANDED, on=D(2026, 4, 1), today=TODAY
    )
    project = services.project_move(
        actor=inv.staff,
        project=project,
        to_stage=Stage.SIGNED,
        on=D(2026, 5, 1),
        reason="用地未获批",
        today=TODAY,
    )
    project = services.project_update(
        actor=inv.staff, project=project, signed_on=D(2026, 2, 20), today=TODAY
    )
    assert (project.signed_on, project.stage_since) == (D(2026, 2, 20), D(2026, 5, 1))


def test_a_dropped_date_never_comes_before_the_last_stage_reached(inv):
    project = make_project(inv, stage=Stage.SIGNED, on=D(2026, 3, 1))
    project = services.project_move(
        actor=inv.staff,
        project=project,
        to_stage=Stage.DROPPED,
        on=D(2026, 4, 1),
        reason="投资方撤资",
        today=TODAY,
    )
    with pytest.raises(ValidationError) as caught:
        services.project_update(
            actor=inv.staff, project=project, dropped_on=D(2026, 2, 1), today=TODAY
        )
    assert [e.code for e in caught.value.error_dict["dropped_on"]] == ["date_order"]


def test_a_county_liaison_corrects_the_own_countys_projects_and_keeps_them_there(inv):
    w = inv.world
    project = make_project(inv)
    project = services.project_update(
        actor=w.zhuozi_liaison, project=project, investor="卓资县薯业公司", today=TODAY
    )
    assert project.investor == "卓资县薯业公司"
    with pytest.raises(PermissionDenied):
        services.project_update(actor=w.zhuozi_liaison, project=project, county=w.huade)
    huade = make_project(inv, "化德县项目", county=w.huade)
    with pytest.raises(PermissionDenied):
        services.project_update(actor=w.zhuozi_liaison, project=huade, investor="某公司")
    # The office moves a project to another county.
    moved = services.project_update(actor=inv.staff, project=project, county=w.huade, today=TODAY)
    assert moved.county == w.huade


@pytest.mark.parametrize("who", ["leader", *READERS, *NOBODY, "huade_liaison", "responsible"])
def test_who_may_not_correct_a_project(inv, who):
    responsible = clerk_of(inv)
    project = make_project(inv, responsible_unit=station(inv))
    actor = responsible if who == "responsible" else getattr(inv.world, who)
    with pytest.raises(PermissionDenied):
        services.project_update(actor=actor, project=project, investor="某公司", today=TODAY)
    project.refresh_from_db()
    assert project.version == 1


def test_a_correction_on_a_stale_page_is_refused(inv):
    project = make_project(inv)
    services.project_update(actor=inv.staff, project=project, investor="甲公司", today=TODAY)
    with pytest.raises(ConcurrentEditError):
        services.project_update(
            actor=inv.world.zhuozi_liaison,
            project=project,
            expected_version=1,
            investor="乙公司",
            today=TODAY,
        )
    project.refresh_from_db()
    assert (project.investor, project.version) == ("甲公司", 2)


def test_the_stage_is_not_a_field_a_correction_changes(inv):
    project = make_project(inv)
    with pytest.raises(TypeError):
        services.project_update(actor=inv.staff, project=project, stage=Stage.SIGNED)
    with pytest.raises(TypeError):
        services.project_update(actor=inv.staff, project=project, stage_since=TODAY)


# --- project_move: every kind of move -------------------------------------------------------


def test_forward_one_stage_with_its_evidence(inv):
    w = inv.world
    project = make_project(
        inv, stage=Stage.NEGOTIATING, on=D(2026, 3, 1), responsible_unit=station(inv)
    )
    clerk = clerk_of(inv)
    moved = services.project_move(
        actor=w.zhuozi_liaison,
        project=project,
        to_stage=Stage.SIGNED,
        on=D(2026, 4, 1),
        evidence=[upload("投资协议.pdf"), upload("签约现场.png")],
        expected_version=1,
        today=TODAY,
    )
    moved.refresh_from_db()
    assert (moved.stage, moved.signed_on, moved.stage_since, moved.last_report_on) == (
        Stage.SIGNED,
        D(2026, 4, 1),
        D(2026, 4, 1),
        D(2026, 4, 1),
    )
    assert (moved.negotiating_on, moved.version) == (D(2026, 3, 1), 2)
    event = moved.events.get(kind=EventKind.STAGE)
    assert (event.from_stage, event.to_stage, event.on, event.actor) == (
        Stage.NEGOTIATING,
        Stage.SIGNED,
        D(2026, 4, 1),
        w.zhuozi_liaison,
    )
    files = list(event.evidence.order_by("name"))
    assert [f.name for f in files] == ["投资协议.pdf", "签约现场.png"]
    assert all(len(f.sha256) == 64 and f.uploaded_by == w.zhuozi_liaison for f in files)
    change = audits(project, AuditAction.UPDATE).get()
    assert change.message == "stage negotiating → signed"
    assert (change.before["stage"], change.after["stage"]) == ("negotiating", "signed")
    assert (change.before["signed_on"], change.after["signed_on"]) == (None, "2026-04-01")
    # Told: the office and the responsible unit's people; not the liaison who moved it.
    assert told("stage") == {"invest-m1", "clerk"}
    note = Notification.objects.get(recipient=clerk)
    assert note.url == project.get_absolute_url()
    assert NAME in note.title


def test_forward_past_stages_leaves_their_dates_empty(inv):
    project = make_project(inv, stage=Stage.PLANNED, on=D(2026, 1, 10))
    moved = services.project_move(
        actor=inv.staff, project=project, to_stage=Stage.LANDED, on=D(2026, 5, 1), today=TODAY
    )
    assert (moved.stage, moved.stage_since) == (Stage.LANDED, D(2026, 5, 1))
    assert (moved.planned_on, moved.negotiating_on, moved.signed_on, moved.landed_on) == (
        D(2026, 1, 10),
        None,
        None,
        D(2026, 5, 1),
    )
    # The county (卓资县's liaison) is told; the office member moved it himself.
    assert told("stage") == {"zhuozi"}


def test_back_with_a_reason_clears_later_dates_and_the_timeline_keeps_them(inv):
    project = make_project(inv, stage=Stage.SIGNED, on=D(2026, 2, 1))
    project = services.project_move(
        actor=inv.staff, project=project, to_stage=Stage.LANDED, on=D(2026, 3, 1), today=TODAY
    )
    project = services.project_move(
        actor=inv.staff, project=project, to_stage=Stage.STARTED, on=D(2026, 4, 1), today=TODAY
    )
    with pytest.raises(ValidationError) as caught:
        services.project_move(
            actor=inv.staff,
            project=project,
            to_stage=Stage.SIGNED,
            on=D(2026, 5, 1),
            reason="  ",
            today=TODAY,
        )
    assert [e.code for e in caught.value.error_dict["reason"]] == ["reason_required"]
    back = services.project_move(
        actor=inv.staff,
        project=project,
        to_stage=Stage.SIGNED,
        on=D(2026, 5, 1),
        reason="  土地流转未完成  ",
        today=TODAY,
    )
    back.refresh_from_db()
    assert (back.stage, back.stage_since, back.signed_on) == (
        Stage.SIGNED,
        D(2026, 5, 1),
        D(2026, 2, 1),
    )
    assert (back.landed_on, back.started_on) == (None, None)
    assert list(
        back.events.filter(kind=EventKind.STAGE)
        .order_by("at", "pk")
        .values_list("from_stage", "to_stage", "on", "text")
    ) == [
        (Stage.SIGNED, Stage.LANDED, D(2026, 3, 1), ""),
        (Stage.LANDED, Stage.STARTED, D(2026, 4, 1), ""),
        (Stage.STARTED, Stage.SIGNED, D(2026, 5, 1), "土地流转未完成"),
    ]
    change = audits(project, AuditAction.UPDATE).last()
    assert (change.before["landed_on"], change.after["landed_on"]) == ("2026-03-01", None)
    # Back at a stage it had reached: no new evidence, the date it was signed stays.
    assert not back.events.filter(evidence__isnull=False).exists()


def test_drop_with_a_reason_then_take_it_up_again(inv):
    project = make_project(inv, stage=Stage.LANDED, on=D(2026, 2, 1))
    with pytest.raises(ValidationError) as caught:
        services.project_move(
            actor=inv.staff, project=project, to_stage=Stage.DROPPED, on=D(2026, 3, 1), today=TODAY
        )
    assert set(caught.value.message_dict) == {"reason"}
    dropped = services.project_move(
        actor=inv.staff,
        project=project,
        to_stage=Stage.DROPPED,
        on=D(2026, 3, 1),
        reason="投资方资金链断裂",
        today=TODAY,
    )
    dropped.refresh_from_db()
    assert (dropped.stage, dropped.dropped_on, dropped.drop_reason, dropped.landed_on) == (
        Stage.DROPPED,
        D(2026, 3, 1),
        "投资方资金链断裂",
        D(2026, 2, 1),
    )
    with pytest.raises(ValidationError) as caught:
        services.project_move(
            actor=inv.staff, project=dropped, to_stage=Stage.LANDED, on=D(2026, 4, 1), today=TODAY
        )
    assert set(caught.value.message_dict) == {"reason"}
    resumed = services.project_move(
        actor=inv.staff,
        project=dropped,
        to_stage=Stage.LANDED,
        on=D(2026, 4, 1),
        reason="引入新投资方",
        today=TODAY,
    )
    resumed.refresh_from_db()
    assert (resumed.stage, resumed.stage_since, resumed.dropped_on, resumed.drop_reason) == (
        Stage.LANDED,
        D(2026, 4, 1),
        None,
        "",
    )
    assert resumed.landed_on == D(2026, 2, 1)  # it had landed: the date stays


def test_taken_up_again_at_an_earlier_stage_clears_the_later_dates(inv):
    project = make_project(inv, stage=Stage.NEGOTIATING, on=D(2026, 1, 5))
    for stage, on, reason in [
        (Stage.SIGNED, D(2026, 2, 1), ""),
        (Stage.DROPPED, D(2026, 3, 1), "协议解除"),
        (Stage.NEGOTIATING, D(2026, 4, 1), "重新洽谈"),
    ]:
        project = services.project_move(
            actor=inv.staff,
            project=project,
            to_stage=stage,
            on=on,
            reason=reason,
            evidence=[upload("投资协议.pdf")] if stage == Stage.SIGNED else [],
            today=TODAY,
        )
    assert (project.stage, project.negotiating_on, project.signed_on, project.dropped_on) == (
        Stage.NEGOTIATING,
        D(2026, 1, 5),
        None,
        None,
    )


def test_a_move_to_the_stage_it_is_at_or_to_no_stage_is_refused(inv):
    project = make_project(inv, stage=Stage.SIGNED, on=D(2026, 3, 1))
    for to_stage in (Stage.SIGNED, "finished", ""):
        with pytest.raises(ValidationError) as caught:
            services.project_move(
                actor=inv.staff, project=project, to_stage=to_stage, on=TODAY, today=TODAY
            )
        assert [e.code for e in caught.value.error_dict["to_stage"]] == ["stage"]
    project.refresh_from_db()
    assert (project.stage, project.version) == (Stage.SIGNED, 1)


# --- project_move: the date ------------------------------------------------------------------


def test_a_move_is_not_dated_in_the_future_nor_before_the_stage_began(inv):
    project = make_project(inv, stage=Stage.NEGOTIATING, on=D(2026, 3, 1))
    for on, code in [(D(2026, 7, 1), "future"), (D(2026, 2, 28), "before_stage")]:
        with pytest.raises(ValidationError) as caught:
            services.project_move(
                actor=inv.staff,
                project=project,
                to_stage=Stage.DROPPED,
                on=on,
                reason="撤资",
                today=TODAY,
            )
        assert [e.code for e in caught.value.error_dict["on"]] == [code]
    with pytest.raises(ValidationError) as caught:
        services.project_move(
            actor=inv.staff,
            project=project,
            to_stage=Stage.DROPPED,
            on=None,
            reason="撤资",
            today=TODAY,
        )
    assert [e.code for e in caught.value.error_dict["on"]] == ["required"]
    # The day it began and today are both fine.
    services.project_move(
        actor=inv.staff,
        project=project,
        to_stage=Stage.DROPPED,
        on=D(2026, 3, 1),
        reason="撤资",
        today=TODAY,
    )


def test_a_signing_dated_before_the_negotiations_names_both_dates(inv):
    project = make_project(inv, stage=Stage.NEGOTIATING, on=D(2026, 3, 1))
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        services.project_move(
            actor=inv.staff,
            project=project,
            to_stage=Stage.SIGNED,
            on=D(2026, 2, 1),
            evidence=[upload("投资协议.pdf")],
            today=TODAY,
        )
    assert caught.value.message_dict == {
        "on": [
            "The project has been at Negotiating (洽谈) since 2026-03-01: the change cannot "
            "be earlier.",
            "Signed (签约) on 2026-02-01 cannot come before Negotiating (洽谈) on 2026-03-01.",
        ]
    }
    project.refresh_from_db()
    assert (project.stage, project.signed_on) == (Stage.NEGOTIATING, None)
    assert not StoredFile.objects.exists()


def test_a_skip_forward_is_checked_against_every_earlier_date(inv):
    project = make_project(inv, stage=Stage.NEGOTIATING, on=D(2026, 3, 1))
    # Skipping stages, the day is still checked against every stage the project holds a
    # date for: started before its negotiations began is refused.
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        services.project_move(
            actor=inv.staff,
            project=project,
            to_stage=Stage.STARTED,
            on=D(2026, 2, 15),
            today=TODAY,
        )
    assert (
        "Started (开工) on 2026-02-15 cannot come before Negotiating (洽谈) on 2026-03-01."
        in caught.value.message_dict["on"]
    )


# --- project_move: evidence ------------------------------------------------------------------


def test_evidence_is_required_where_the_clock_says_so(inv):
    project = make_project(inv, stage=Stage.NEGOTIATING, on=D(2026, 3, 1))
    with pytest.raises(ValidationError) as caught:
        services.project_move(
            actor=inv.staff, project=project, to_stage=Stage.SIGNED, on=D(2026, 4, 1), today=TODAY
        )
    assert [e.code for e in caught.value.error_dict["evidence"]] == ["evidence_required"]
    # Skipping past the signing does not need the agreement (only the stage reached does).
    services.project_move(
        actor=inv.staff, project=project, to_stage=Stage.LANDED, on=D(2026, 4, 1), today=TODAY
    )
    # The office changes the clocks: landing now needs its evidence, signing no longer.
    services.clock_save(actor=inv.staff, stage=Stage.SIGNED, limit_days=90, warn_days=15)
    services.clock_save(
        actor=inv.staff, stage=Stage.LANDED, limit_days=90, warn_days=15, evidence_required=True
    )
    other = make_project(inv, "乙", stage=Stage.NEGOTIATING, on=D(2026, 3, 1))
    signed = services.project_move(
        actor=inv.staff, project=other, to_stage=Stage.SIGNED, on=D(2026, 4, 1), today=TODAY
    )
    with pytest.raises(ValidationError) as caught:
        services.project_move(
            actor=inv.staff, project=signed, to_stage=Stage.LANDED, on=D(2026, 5, 1), today=TODAY
        )
    assert set(caught.value.message_dict) == {"evidence"}


def test_reaching_a_skipped_stage_by_going_back_or_taking_up_again_needs_its_evidence(inv):
    project = make_project(inv, stage=Stage.LANDED, on=D(2026, 3, 1))  # never signed
    with pytest.raises(ValidationError) as caught:
        services.project_move(
            actor=inv.staff,
            project=project,
            to_stage=Stage.SIGNED,
            on=D(2026, 4, 1),
            reason="土地未落实",
            today=TODAY,
        )
    assert set(caught.value.message_dict) == {"evidence"}
    dropped = services.project_move(
        actor=inv.staff,
        project=make_project(inv, "乙", stage=Stage.NEGOTIATING, on=D(2026, 3, 1)),
        to_stage=Stage.DROPPED,
        on=D(2026, 4, 1),
        reason="撤资",
        today=TODAY,
    )
    with pytest.raises(ValidationError) as caught:
        services.project_move(
            actor=inv.staff,
            project=dropped,
            to_stage=Stage.SIGNED,
            on=D(2026, 5, 1),
            reason="重新签约",
            today=TODAY,
        )
    assert set(caught.value.message_dict) == {"evidence"}
    resumed = services.project_move(
        actor=inv.staff,
        project=dropped,
        to_stage=Stage.SIGNED,
        on=D(2026, 5, 1),
        reason="重新签约",
        evidence=[upload("投资协议.pdf")],
        today=TODAY,
    )
    assert (resumed.stage, resumed.signed_on) == (Stage.SIGNED, D(2026, 5, 1))


def test_a_renamed_program_is_refused_with_the_other_problems_and_nothing_is_stored(inv):
    project = make_project(inv, stage=Stage.NEGOTIATING, on=D(2026, 3, 1))
    media = Path(settings.MEDIA_ROOT)
    files_before = {p for p in media.rglob("*") if p.is_file()}
    with pytest.raises(ValidationError) as caught:
        services.project_move(
            actor=inv.staff,
            project=project,
            to_stage=Stage.SIGNED,
            on=D(2026, 7, 9),
            evidence=[upload("投资协议.pdf"), exe("投资协议2.pdf"), exe("setup.exe")],
            today=TODAY,
        )
    errors = caught.value.error_dict
    assert set(errors) == {"on", "evidence"}
    assert [e.code for e in errors["evidence"]] == ["mismatch", "type"]
    assert [m.split(":")[0] for m in caught.value.message_dict["evidence"]] == [
        "投资协议2.pdf",
        "setup.exe",
    ]
    assert not StoredFile.objects.exists()
    assert {p for p in media.rglob("*") if p.is_file()} == files_before
    project.refresh_from_db()
    assert (project.stage, project.version) == (Stage.NEGOTIATING, 1)
    assert not project.events.filter(kind=EventKind.STAGE).exists()


def test_a_renamed_program_alone_is_refused_too(inv):
    project = make_project(inv, stage=Stage.SIGNED, on=D(2026, 3, 1))
    with pytest.raises(ValidationError) as caught:
        services.project_move(
            actor=inv.staff,
            project=project,
            to_stage=Stage.LANDED,
            on=D(2026, 4, 1),
            evidence=[exe("土地证.jpg")],
            today=TODAY,
        )
    assert set(caught.value.message_dict) == {"evidence"}
    assert not StoredFile.objects.exists()
    project.refresh_from_db()
    assert project.stage == Stage.SIGNED


def test_a_word_document_and_a_photo_are_evidence(inv):
    project = make_project(inv, stage=Stage.SIGNED, on=D(2026, 3, 1))
    assert ".doc" not in services.EVIDENCE_TYPES  # what core.files cannot check, not offered
    moved = services.project_move(
        actor=inv.staff,
        project=project,
        to_stage=Stage.LANDED,
        on=D(2026, 4, 1),
        evidence=[upload("土地证.png")],
        today=TODAY,
    )
    assert moved.events.get(kind=EventKind.STAGE).evidence.get().content_type == "image/png"
    upload_audit = AuditEvent.objects.filter(action=AuditAction.UPLOAD).get()
    assert upload_audit.outcome == AuditOutcome.SUCCESS


# --- project_move: who, versions -------------------------------------------------------------


def test_who_moves_a_project(inv):
    w = inv.world
    clerk = clerk_of(inv)
    project = make_project(
        inv, stage=Stage.PLANNED, on=D(2026, 1, 1), responsible_unit=station(inv)
    )
    steps = [
        (inv.staff, Stage.NEGOTIATING, D(2026, 2, 1)),
        (w.zhuozi_liaison, Stage.LANDED, D(2026, 3, 1)),
        (clerk, Stage.STARTED, D(2026, 4, 1)),
    ]
    for actor, stage, on in steps:
        project = services.project_move(
            actor=actor, project=project, to_stage=stage, on=on, today=TODAY
        )
        assert project.stage == stage
    project_leader = person("deputy", w.bureau, name="李副局长")
    led = make_project(inv, "乙", leader=project_leader)
    led = services.project_move(
        actor=project_leader, project=led, to_stage=Stage.NEGOTIATING, on=TODAY, today=TODAY
    )
    assert led.stage == Stage.NEGOTIATING


@pytest.mark.parametrize("who", ["leader", *READERS, *NOBODY, "huade_liaison", "enterprise"])
def test_who_may_not_move_a_project(inv, who):
    actor = enterprise_login(inv) if who == "enterprise" else getattr(inv.world, who)
    project = make_project(inv, stage=Stage.PLANNED, on=D(2026, 1, 1))
    with pytest.raises(PermissionDenied):
        services.project_move(
            actor=actor, project=project, to_stage=Stage.NEGOTIATING, on=TODAY, today=TODAY
        )
    project.refresh_from_db()
    assert (project.stage, project.version) == (Stage.PLANNED, 1)
    assert not Notification.objects.exists()


def test_a_move_on_a_stale_page_is_refused(inv):
    project = make_project(inv, stage=Stage.PLANNED, on=D(2026, 1, 1))
    services.project_move(
        actor=inv.staff, project=project, to_stage=Stage.NEGOTIATING, on=D(2026, 2, 1), today=TODAY
    )
    with pytest.raises(ConcurrentEditError):
        services.project_move(
            actor=inv.world.zhuozi_liaison,
            project=project,
            to_stage=Stage.LANDED,
            on=D(2026, 3, 1),
            expected_version=1,
            today=TODAY,
        )
    project.refresh_from_db()
    assert (project.stage, project.version) == (Stage.NEGOTIATING, 2)


def test_everyone_on_the_project_but_the_mover_is_told_once(inv):
    w = inv.world
    deputy = person("deputy", w.bureau, name="李副局长")
    clerk_of(inv)
    project = make_project(inv, leader=deputy, responsible_unit=station(inv))
    services.project_move(
        actor=deputy, project=project, to_stage=Stage.NEGOTIATING, on=TODAY, today=TODAY
    )
    # The office, the county's liaison, the responsible unit's own staff (it has no
    # liaison); not the project's leader, who moved it.
    assert told("stage") == {"invest-m1", "zhuozi", "clerk"}
    services.project_move(
        actor=None,
        project=project,
        to_stage=Stage.DROPPED,
        on=TODAY,
        reason="撤资",
        today=TODAY,
    )
    assert Notification.objects.filter(recipient=deputy).count() == 1
    assert Notification.objects.filter(recipient=inv.staff).count() == 2
    assert Notification.objects.get(recipient=deputy).body == "撤资"


# --- project_report ---------------------------------------------------------------------------


def test_a_report_with_funds_adds_to_the_funds_in_place_and_resets_the_report_clock(inv):
    project = make_project(inv, stage=Stage.SIGNED, on=ago(20), planned="1000")
    # 20 days signed, no report for 20 > 14 days: yellow.
    assert Project.objects.with_light(TODAY).get(pk=project.pk).light == Light.YELLOW
    report = services.project_report(
        actor=inv.world.zhuozi_liaison,
        project=project,
        on=TODAY,
        text="  首期资金到位  ",
        received=Decimal("600"),
        today=TODAY,
    )
    assert (report.text, report.received, report.reported_by) == (
        "首期资金到位",
        Decimal("600"),
        inv.world.zhuozi_liaison,
    )
    project.refresh_from_db()
    assert project.last_report_on == TODAY
    assert Project.objects.with_light(TODAY).get(pk=project.pk).light == Light.GREEN
    assert project.light_on(TODAY, clocks_by_stage()) == Light.GREEN
    event = project.events.get(kind=EventKind.REPORT)
    assert (event.on, event.text, event.actor) == (TODAY, "首期资金到位", inv.world.zhuozi_liaison)
    created = audits(report).get()
    assert (created.action, created.after["received"]) == (AuditAction.CREATE, "600.00")
    # Exactly up to the planned investment is fine.
    services.project_report(
        actor=inv.staff,
        project=project,
        on=TODAY,
        text="二期资金到位",
        received=Decimal("400"),
        today=TODAY,
    )
    assert sum(r.received for r in project.reports.all()) == Decimal("1000")


def test_funds_beyond_the_planned_investment_are_refused(inv):
    project = make_project(inv, stage=Stage.STARTED, on=D(2026, 3, 1), planned="1000")
    services.project_report(
        actor=inv.staff,
        project=project,
        on=D(2026, 4, 1),
        text="一期",
        received=Decimal("600"),
        today=TODAY,
    )
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        services.project_report(
            actor=inv.staff,
            project=project,
            on=D(2026, 5, 1),
            text="二期",
            received=Decimal("400.01"),
            today=TODAY,
        )
    assert caught.value.message_dict == {
        "received": [
            "The funds in place would be 1000.01 万元, more than the planned investment of "
            "1000.00 万元."
        ]
    }
    assert project.reports.count() == 1
    project.refresh_from_db()
    assert project.last_report_on == D(2026, 4, 1)


@pytest.mark.parametrize("stage", [Stage.PLANNED, Stage.NEGOTIATING])
def test_funds_before_the_signing_are_refused(inv, stage):
    project = make_project(inv, stage=stage, on=D(2026, 3, 1))
    with pytest.raises(ValidationError) as caught:
        services.project_report(
            actor=inv.staff,
            project=project,
            on=D(2026, 4, 1),
            text="意向资金",
            received=Decimal("10"),
            today=TODAY,
        )
    assert [e.code for e in caught.value.error_dict["received"]] == ["not_signed"]
    # A report without funds is fine at any stage.
    services.project_report(
        actor=inv.staff, project=project, on=D(2026, 4, 1), text="洽谈中", today=TODAY
    )
    assert project.reports.count() == 1


def test_funds_dated_before_the_signing_day_are_refused(inv):
    project = make_project(inv, stage=Stage.NEGOTIATING, on=D(2026, 2, 1))
    project = services.project_move(
        actor=inv.staff,
        project=project,
        to_stage=Stage.SIGNED,
        on=D(2026, 4, 1),
        evidence=[upload()],
        today=TODAY,
    )
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        services.project_report(
            actor=inv.staff,
            project=project,
            on=D(2026, 3, 31),
            text="补报",
            received=Decimal("10"),
            today=TODAY,
        )
    assert caught.value.message_dict == {
        "received": [
            "Funds arrive once the project is signed (on 2026-04-01); this report is dated earlier."
        ]
    }
    services.project_report(
        actor=inv.staff,
        project=project,
        on=D(2026, 4, 1),
        text="签约当日首付",
        received=Decimal("10"),
        today=TODAY,
    )


def test_a_dropped_project_reports_funds_only_if_it_had_been_signed(inv):
    def dropped(name: str, stage: str):
        return services.project_move(
            actor=inv.staff,
            project=make_project(inv, name, stage=stage, on=D(2026, 2, 1)),
            to_stage=Stage.DROPPED,
            on=D(2026, 3, 1),
            reason="终止",
            today=TODAY,
        )

    never_signed = dropped("甲", Stage.NEGOTIATING)
    with pytest.raises(ValidationError) as caught:
        services.project_report(
            actor=inv.staff,
            project=never_signed,
            on=D(2026, 4, 1),
            text="退还",
            received=Decimal("5"),
            today=TODAY,
        )
    assert [e.code for e in caught.value.error_dict["received"]] == ["not_signed"]
    landed = dropped("乙", Stage.LANDED)
    services.project_report(
        actor=inv.staff,
        project=landed,
        on=D(2026, 4, 1),
        text="终止前到位资金补报",
        received=Decimal("5"),
        today=TODAY,
    )
    assert landed.reports.get().received == Decimal("5")


def test_every_problem_of_a_report_at_once(inv):
    project = make_project(inv, stage=Stage.SIGNED, on=D(2026, 3, 1))
    with pytest.raises(ValidationError) as caught:
        services.project_report(
            actor=inv.staff,
            project=project,
            on=D(2026, 7, 1),
            text="   ",
            received=Decimal("-1"),
            today=TODAY,
        )
    codes = {f: [e.code for e in errors] for f, errors in caught.value.error_dict.items()}
    assert codes == {"on": ["future"], "text": ["required"], "received": ["negative"]}
    with pytest.raises(ValidationError) as caught:
        services.project_report(
            actor=inv.staff,
            project=project,
            on=None,
            text="进展",
            received=Decimal("1e13"),
            today=TODAY,
        )
    assert set(caught.value.message_dict) == {"on", "received"}
    assert not ProgressReport.objects.exists()
    assert not project.events.filter(kind=EventKind.REPORT).exists()


def test_an_older_report_does_not_move_the_last_report_back(inv):
    project = make_project(inv, stage=Stage.SIGNED, on=D(2026, 3, 1))
    services.project_report(
        actor=inv.staff, project=project, on=D(2026, 6, 20), text="近况", today=TODAY
    )
    services.project_report(
        actor=inv.staff, project=project, on=D(2026, 4, 1), text="补报四月", today=TODAY
    )
    project.refresh_from_db()
    assert project.last_report_on == D(2026, 6, 20)


def test_who_reports_progress(inv):
    w = inv.world
    clerk = clerk_of(inv)
    project = make_project(inv, stage=Stage.SIGNED, on=D(2026, 3, 1), responsible_unit=station(inv))
    for actor in (inv.staff, w.zhuozi_liaison, clerk):
        services.project_report(actor=actor, project=project, on=TODAY, text="进展", today=TODAY)
    assert project.reports.count() == 3
    for who in ["leader", *READERS, *NOBODY, "huade_liaison"]:
        with pytest.raises(PermissionDenied):
            services.project_report(
                actor=getattr(w, who), project=project, on=TODAY, text="进展", today=TODAY
            )
    assert project.reports.count() == 3


# --- project_urge ----------------------------------------------------------------------------


def test_the_office_or_a_leader_urges_and_the_people_on_the_ground_are_told(inv):
    w = inv.world
    clerk_of(inv)
    project = make_project(inv, stage=Stage.SIGNED, on=D(2026, 1, 5), responsible_unit=station(inv))
    services.project_urge(
        actor=inv.staff, project=project, text="  请于7月10日前报送用地进展  ", today=TODAY
    )
    event = project.events.get(kind=EventKind.URGE)
    assert (event.text, event.on, event.actor) == ("请于7月10日前报送用地进展", TODAY, inv.staff)
    assert told("urge") == {"zhuozi", "clerk"}
    note = Notification.objects.get(recipient=w.zhuozi_liaison)
    assert (note.body, note.url) == ("请于7月10日前报送用地进展", project.get_absolute_url())
    assert NAME in note.title
    urged = AuditEvent.objects.get(message="project urged")
    assert (urged.actor, urged.object_id, urged.after) == (
        inv.staff,
        str(project.pk),
        {"urge": "请于7月10日前报送用地进展"},
    )
    services.project_urge(actor=w.leader, project=project, text="尽快落地", today=TODAY)
    assert project.events.filter(kind=EventKind.URGE).count() == 2
    assert Notification.objects.filter(recipient=w.zhuozi_liaison).count() == 2


@pytest.mark.parametrize("who", ["zhuozi_liaison", "huade_liaison", *READERS, *NOBODY])
def test_who_may_not_urge(inv, who):
    project = make_project(inv, stage=Stage.SIGNED, on=D(2026, 1, 5))
    with pytest.raises(PermissionDenied):
        services.project_urge(actor=getattr(inv.world, who), project=project, text="快")
    assert not project.events.filter(kind=EventKind.URGE).exists()


def test_ended_projects_are_not_urged_and_an_urge_says_something(inv):
    producing = make_project(inv, "甲", stage=Stage.PRODUCING, on=D(2026, 1, 5))
    dropped = services.project_move(
        actor=inv.staff,
        project=make_project(inv, "乙", stage=Stage.SIGNED, on=D(2026, 1, 5)),
        to_stage=Stage.DROPPED,
        on=D(2026, 2, 1),
        reason="撤资",
        today=TODAY,
    )
    for project in (producing, dropped):
        with pytest.raises(ValidationError) as caught:
            services.project_urge(actor=inv.staff, project=project, text="快", today=TODAY)
        assert [e.code for e in caught.value.error_dict[NON_FIELD_ERRORS]] == ["ended"]
    live = make_project(inv, "丙", stage=Stage.SIGNED, on=D(2026, 1, 5))
    with pytest.raises(ValidationError) as caught:
        services.project_urge(actor=inv.staff, project=live, text=" ", today=TODAY)
    assert set(caught.value.message_dict) == {"text"}
    assert not ProjectEvent.objects.filter(kind=EventKind.URGE).exists()
    assert not Notification.objects.filter(kind="investment_urge").exists()


# --- projects_to_notice -----------------------------------------------------------------------


@pytest.fixture
def authority(db):
    return IssuingAuthority.objects.create(
        name="市委农牧办", header="中共乌兰察布市委农村牧区工作办公室", number_prefix="乌农牧督"
    )


@pytest.fixture
def stalled(inv):
    """Two red projects (卓资县 negotiating 121 days of 60; 化德县 signed 180 of 90) and a
    green one."""
    w = inv.world
    return (
        make_project(
            inv, "肉牛屠宰项目", stage=Stage.NEGOTIATING, on=D(2026, 3, 1), chain=inv.beef
        ),
        make_project(
            inv,
            "奶源基地项目",
            stage=Stage.SIGNED,
            on=D(2026, 1, 1),
            county=w.huade,
            chain=inv.dairy,
            planned="20000",
            investor="蒙牛乳业",
        ),
        make_project(inv, "薯条加工项目", stage=Stage.PLANNED, on=D(2026, 6, 20)),
    )


def test_red_projects_go_into_a_draft_notice_in_chinese_whatever_the_drafters_language(
    inv, authority, stalled
):
    w = inv.world
    beef, dairy, _green = stalled
    with translation.override("en"):
        notice = services.projects_to_notice(actor=inv.staff, projects=[dairy, beef], today=TODAY)
    assert (notice.office, notice.authority, notice.kind) == (
        inv.office,
        authority,
        NoticeKind.SUPERVISION,
    )
    assert notice.addressees == "卓资县、化德县"
    assert set(notice.units.all()) == {w.zhuozi, w.huade}
    assert notice.reply_deadline == D(2026, 7, 15)
    reasons = list(NoticeReason.objects.filter(notice=notice).order_by("position"))
    assert [(r.unit, r.position) for r in reasons] == [(w.zhuozi, 1), (w.huade, 2)]
    beef_text, dairy_text = (r.text for r in reasons)
    # Days and limit by hand: 2026-03-01 → 06-30 is 121 days (limit 60); 2026-01-01 → 06-30
    # is 180 days (limit 90). Dates as Chinese documents write them.
    assert has(beef_text, "肉牛屠宰项目", "2026年3月1日", number(121), number(60))
    assert has(dairy_text, "奶源基地项目", "蒙牛乳业", "20000.00", "2026年1月1日", number(180))
    assert has(dairy_text, number(90))
    # The same words as the notice's language gives them, not the drafter's English.
    with translation.override("zh-hans"):
        expected = services.stalled_text(beef, clocks_by_stage()[Stage.NEGOTIATING], TODAY)
        title = translation.gettext(
            "Supervision notice on investment projects behind their time limits"
        )
    assert beef_text == expected
    assert notice.title == title
    with translation.override("en"):
        assert "Jan. 1, 2026" not in services.stalled_text(
            dairy, clocks_by_stage()[Stage.SIGNED], TODAY
        )
    # The timeline of each project links the notice.
    for project in (beef, dairy):
        event = project.events.get(kind=EventKind.NOTICE)
        assert (event.notice, event.on, event.actor) == (notice, TODAY, inv.staff)


def test_a_project_that_is_not_red_keeps_the_notice_from_being_drafted(inv, authority, stalled):
    beef, dairy, green = stalled
    yellow = make_project(inv, "燕麦项目", stage=Stage.PLANNED, on=D(2026, 6, 1))  # 29 of 30
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        services.projects_to_notice(
            actor=inv.staff, projects=[beef, dairy, green, yellow], today=TODAY
        )
    assert caught.value.message_dict == {
        "projects": [
            "Only projects past their stage's time limit go into a notice: 燕麦项目、薯条加工项目."
        ]
    }
    ended = make_project(inv, "投产项目", stage=Stage.PRODUCING, on=D(2025, 1, 1))
    with pytest.raises(ValidationError):
        services.projects_to_notice(actor=inv.staff, projects=[ended], today=TODAY)
    with pytest.raises(ValidationError) as caught:
        services.projects_to_notice(actor=inv.staff, projects=[], today=TODAY)
    assert [e.code for e in caught.value.error_dict["projects"]] == ["required"]
    assert not Notice.objects.exists()
    assert not ProjectEvent.objects.filter(kind=EventKind.NOTICE).exists()


def test_no_notice_without_an_issuing_authority_in_use(inv, stalled):
    IssuingAuthority.objects.create(name="旧机关", header="旧", number_prefix="旧督", active=False)
    with pytest.raises(ValidationError) as caught:
        services.projects_to_notice(actor=inv.staff, projects=stalled[:1], today=TODAY)
    assert [e.code for e in caught.value.error_dict[NON_FIELD_ERRORS]] == ["authority"]
    assert not Notice.objects.exists()


@pytest.mark.parametrize(
    "who", ["leader", "office", "potato_director", "zhuozi_liaison", "inspector", *NOBODY]
)
def test_only_the_investment_office_puts_projects_into_a_notice(inv, authority, stalled, who):
    with pytest.raises(PermissionDenied):
        services.projects_to_notice(
            actor=getattr(inv.world, who), projects=stalled[:2], today=TODAY
        )
    assert not Notice.objects.exists()
