"""Promotion activities (招商引资活动) and upward applications (向上争取) through their
services: what they refuse (all at once, nothing saved), who may record them, every step
of an application and the audit trail they leave."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from zhuanban.core.errors import ConcurrentEditError
from zhuanban.core.models import AuditAction, AuditEvent
from zhuanban.investment import services
from zhuanban.investment.lifecycle import UpwardAction, UpwardStatus
from zhuanban.investment.models import Activity, ActivityKind, UpwardApplication, UpwardKind
from zhuanban.investment.tests.conftest import TODAY, make_project
from zhuanban.org.roles import UnitKind
from zhuanban.org.tests.factories import OrgUnitFactory, person

pytestmark = pytest.mark.django_db

D = datetime.date
READERS = ["leader", "office", "potato_director", "brand_staff", "inspector"]
NOBODY = ["sysadmin", "secadmin", "auditor", "outsider"]
MARCH_1 = D(2026, 3, 1)


def enterprise_login(inv):
    unit = OrgUnitFactory(
        code="ent-yinshan", name="阴山优麦", kind=UnitKind.ENTERPRISE, parent=inv.world.zhuozi
    )
    return person("yinshan-login", unit, name="阴山优麦申报员")


def actor_for(inv, who: str):
    if who == "enterprise":
        return enterprise_login(inv)
    return inv.staff if who == "staff" else getattr(inv.world, who)


def audits(instance):
    return AuditEvent.objects.filter(
        object_type=instance._meta.label_lower, object_id=str(instance.pk)
    ).order_by("seq")


def codes(error: ValidationError) -> dict[str, list[str]]:
    return {field: [e.code for e in found] for field, found in error.error_dict.items()}


# --- activities -------------------------------------------------------------------------------


def city_event(inv, **values) -> dict:
    """A promotion event of the city (no county), organised by the investment office."""
    return {
        "kind": ActivityKind.PROMOTION,
        "title": "2026中国·乌兰察布马铃薯产业招商推介会",
        "date": D(2026, 5, 18),
        "place": "集宁区",
        "organiser": inv.office,
        "county": None,
        "leader": "王振华",
        "participants": "市农牧局、各旗县市区农牧局、企业代表60人",
        "today": TODAY,
    } | values


def county_visit(inv, county=None, **values) -> dict:
    county = county or inv.world.zhuozi
    return {
        "kind": ActivityKind.VISIT_OUT,
        "title": f"{county.name}赴北京招商",
        "date": D(2026, 4, 2),
        "place": "北京市",
        "organiser": county,
        "county": county,
        "today": TODAY,
    } | values


def test_the_office_records_a_city_activity_with_the_projects_it_produced(inv):
    one = make_project(inv, "甲")
    two = make_project(inv, "乙", county=inv.world.huade)
    activity = services.activity_save(
        actor=inv.staff, projects=[two, one], **city_event(inv, title="  推介会  ")
    )
    activity.refresh_from_db()
    assert (activity.title, activity.county, activity.version, activity.created_by) == (
        "推介会",
        None,
        1,
        inv.staff,
    )
    assert set(activity.projects.all()) == {one, two}
    created = audits(activity).get()
    assert (created.action, created.before, created.actor) == (AuditAction.CREATE, None, inv.staff)
    assert created.after["projects"] == sorted([one.pk, two.pk])
    assert created.after["title"] == "推介会"


def test_a_county_liaison_records_the_own_countys_activities_only(inv):
    w = inv.world
    project = make_project(inv)
    activity = services.activity_save(
        actor=w.zhuozi_liaison, projects=[project], **county_visit(inv)
    )
    assert list(activity.projects.all()) == [project]
    # Not another county's, not the city's.
    with pytest.raises(PermissionDenied):
        services.activity_save(actor=w.zhuozi_liaison, **county_visit(inv, w.huade))
    with pytest.raises(PermissionDenied):
        services.activity_save(actor=w.zhuozi_liaison, **city_event(inv, organiser=w.zhuozi))
    assert Activity.objects.count() == 1


@pytest.mark.parametrize("who", [*READERS, *NOBODY, "enterprise"])
def test_who_may_not_record_an_activity(inv, who):
    actor = actor_for(inv, who)
    with pytest.raises(PermissionDenied):
        services.activity_save(actor=actor, **city_event(inv))
    with pytest.raises(PermissionDenied):
        services.activity_save(actor=actor, **county_visit(inv))
    assert not Activity.objects.exists()


def test_every_problem_of_an_activity_at_once_and_nothing_is_saved(inv):
    with pytest.raises(ValidationError) as caught:
        services.activity_save(
            actor=inv.staff,
            **city_event(
                inv,
                kind="banquet",
                title=" ",
                date=D(2026, 7, 1),
                place="",
                organiser=None,
                county=inv.world.crops,
            ),
        )
    found = codes(caught.value)
    assert set(found) == {"kind", "title", "date", "place", "organiser", "county"}
    assert found["date"] == ["future"]
    assert found["organiser"] == ["required"]
    # One message for a unit that is not a county: the service's own.
    assert found["county"] == ["not_county"]
    with pytest.raises(ValidationError) as caught:
        services.activity_save(actor=inv.staff, **city_event(inv, date=None))
    assert set(caught.value.message_dict) == {"date"}
    assert not Activity.objects.exists()
    assert not AuditEvent.objects.filter(object_type="investment.activity").exists()


def test_projects_the_recorder_cannot_see_are_refused(inv):
    w = inv.world
    huade = make_project(inv, "化德县项目", county=w.huade)
    own = make_project(inv, "卓资县项目")
    with pytest.raises(PermissionDenied):
        services.activity_save(actor=w.zhuozi_liaison, projects=[own, huade], **county_visit(inv))
    assert not Activity.objects.exists()


def test_a_liaison_correcting_an_activity_keeps_the_projects_only_the_office_sees(inv):
    w = inv.world
    own = make_project(inv, "卓资县项目")
    other = make_project(inv, "化德县项目", county=w.huade)
    added = make_project(inv, "卓资县新项目")
    visit = services.activity_save(actor=inv.staff, projects=[own, other], **county_visit(inv))
    # The liaison's form lists the projects they see: 化德县项目 is not among them.
    visit = services.activity_save(
        actor=w.zhuozi_liaison, activity=visit, projects=[own, added], today=TODAY
    )
    assert set(visit.projects.all()) == {own, other, added}
    update = audits(visit).get(action=AuditAction.UPDATE)
    assert update.before["projects"] == sorted([own.pk, other.pk])
    assert update.after["projects"] == sorted([own.pk, other.pk, added.pk])
    # Taking off what they see, and sending back the one they do not, is fine too.
    visit = services.activity_save(
        actor=w.zhuozi_liaison, activity=visit, projects=[other], today=TODAY
    )
    assert set(visit.projects.all()) == {other}
    # But they never add a project they cannot see.
    another = make_project(inv, "化德县二号项目", county=w.huade)
    with pytest.raises(PermissionDenied):
        services.activity_save(
            actor=w.zhuozi_liaison, activity=visit, projects=[another], today=TODAY
        )
    assert set(visit.projects.all()) == {other}


def test_correcting_an_activity_writes_before_and_after_with_its_projects(inv):
    one, two, three = (make_project(inv, name) for name in ("甲", "乙", "丙"))
    activity = services.activity_save(actor=inv.staff, projects=[one, two], **city_event(inv))
    corrected = services.activity_save(
        actor=inv.staff,
        activity=activity,
        projects=[two, three],
        expected_version=1,
        today=TODAY,
        title="马铃薯产业招商推介会（集宁）",
        summary="签约项目3个",
    )
    corrected.refresh_from_db()
    assert (corrected.title, corrected.summary, corrected.version) == (
        "马铃薯产业招商推介会（集宁）",
        "签约项目3个",
        2,
    )
    assert set(corrected.projects.all()) == {two, three}
    update = audits(activity).get(action=AuditAction.UPDATE)
    assert update.before["projects"] == sorted([one.pk, two.pk])
    assert update.after["projects"] == sorted([two.pk, three.pk])
    assert (update.before["title"], update.after["title"]) == (
        "2026中国·乌兰察布马铃薯产业招商推介会",
        "马铃薯产业招商推介会（集宁）",
    )
    assert (update.before["version"], update.after["version"]) == (1, 2)
    with pytest.raises(ConcurrentEditError):
        services.activity_save(
            actor=inv.staff, activity=activity, expected_version=1, title="旧页面", today=TODAY
        )
    corrected.refresh_from_db()
    assert corrected.title == "马铃薯产业招商推介会（集宁）"


def test_a_county_liaison_corrects_the_own_activities_but_not_the_citys(inv):
    w = inv.world
    city = services.activity_save(actor=inv.staff, **city_event(inv))
    own = services.activity_save(actor=w.zhuozi_liaison, **county_visit(inv))
    services.activity_save(actor=w.zhuozi_liaison, activity=own, summary="洽谈项目2个", today=TODAY)
    with pytest.raises(PermissionDenied):
        services.activity_save(actor=w.zhuozi_liaison, activity=city, summary="改", today=TODAY)
    with pytest.raises(PermissionDenied):  # nor moves its own to another county
        services.activity_save(
            actor=w.zhuozi_liaison, activity=own, county=w.huade, organiser=w.huade, today=TODAY
        )
    with pytest.raises(PermissionDenied):  # nor makes it the city's
        services.activity_save(actor=w.zhuozi_liaison, activity=own, county=None, today=TODAY)
    with pytest.raises(PermissionDenied):
        services.activity_save(actor=w.huade_liaison, activity=own, summary="改", today=TODAY)
    own.refresh_from_db()
    assert (own.county, own.summary, own.version) == (w.zhuozi, "洽谈项目2个", 2)


def test_an_activity_takes_only_its_own_fields(inv):
    with pytest.raises(TypeError):
        services.activity_save(actor=inv.staff, created_by=inv.world.leader, **city_event(inv))


# --- upward applications: upward_save ----------------------------------------------------------


def funds(inv, **values) -> dict:
    return {
        "title": "马铃薯国家优势特色产业集群项目",
        "kind": UpwardKind.FUNDS,
        "authority": "农业农村部",
        "chain": inv.potato,
        "office": inv.office,
        "year": 2026,
        "led_by": "王振华",
        "amount_requested": Decimal("5000"),
        "today": TODAY,
    } | values


def test_the_office_records_an_upward_application(inv):
    application = services.upward_save(actor=inv.staff, **funds(inv, title="  集群项目  "))
    application.refresh_from_db()
    assert (application.title, application.status, application.version) == (
        "集群项目",
        UpwardStatus.PREPARING,
        1,
    )
    assert (application.amount_requested, application.created_by) == (Decimal("5000"), inv.staff)
    created = audits(application).get()
    assert (created.action, created.after["amount_requested"]) == (AuditAction.CREATE, "5000.00")


def test_each_office_keeps_its_own_applications(inv):
    w = inv.world
    potato = services.upward_save(actor=w.office, **funds(inv, office=w.potato))
    assert potato.office == w.potato
    with pytest.raises(PermissionDenied):
        services.upward_save(actor=w.office, **funds(inv))  # the investment office's
    ours = services.upward_save(actor=inv.staff, **funds(inv))
    with pytest.raises(PermissionDenied):
        services.upward_save(
            actor=w.potato_director, application=ours, progress="已上报", today=TODAY
        )
    with pytest.raises(PermissionDenied):  # nor hands its own to another office
        services.upward_save(actor=inv.staff, application=ours, office=w.potato, today=TODAY)
    ours.refresh_from_db()
    assert (ours.office, ours.progress, ours.version) == (inv.office, "", 1)


@pytest.mark.parametrize(
    "who", ["leader", "inspector", "zhuozi_liaison", "huade_liaison", *NOBODY, "enterprise"]
)
def test_who_may_not_record_an_upward_application(inv, who):
    with pytest.raises(PermissionDenied):
        services.upward_save(actor=actor_for(inv, who), **funds(inv))
    assert not UpwardApplication.objects.exists()


def test_every_problem_of_an_application_at_once_with_one_message_each(inv):
    with pytest.raises(ValidationError) as caught:
        services.upward_save(
            actor=inv.staff,
            **funds(
                inv,
                title="",
                kind="favour",
                authority=" ",
                chain=None,
                year=1999,
                amount_requested=Decimal("-1"),
            ),
        )
    found = codes(caught.value)
    assert set(found) == {"title", "kind", "authority", "chain", "year", "amount_requested"}
    assert found["chain"] == ["required"]
    assert found["year"] == ["year"]
    assert found["amount_requested"] == ["negative"]
    with pytest.raises(ValidationError) as caught:
        services.upward_save(
            actor=inv.staff, **funds(inv, year=TODAY.year + 2, amount_requested=Decimal("0.001"))
        )
    assert set(caught.value.message_dict) == {"year", "amount_requested"}
    assert all(len(messages) == 1 for messages in caught.value.message_dict.values())
    assert not UpwardApplication.objects.exists()
    assert not AuditEvent.objects.filter(object_type="investment.upwardapplication").exists()


def test_a_policy_is_sought_without_an_amount(inv):
    application = services.upward_save(
        actor=inv.staff,
        **funds(inv, title="马铃薯种薯补贴政策", kind=UpwardKind.POLICY, amount_requested=None),
    )
    assert application.amount_requested is None


def test_correcting_an_application_on_a_stale_page_is_refused(inv):
    application = services.upward_save(actor=inv.staff, **funds(inv))
    application = services.upward_save(
        actor=inv.staff,
        application=application,
        expected_version=1,
        amount_requested=Decimal("6000"),
        progress="已完成申报材料",
        today=TODAY,
    )
    assert (application.amount_requested, application.version) == (Decimal("6000"), 2)
    update = audits(application).get(action=AuditAction.UPDATE)
    assert (update.before["amount_requested"], update.after["amount_requested"]) == (
        "5000.00",
        "6000.00",
    )
    with pytest.raises(ConcurrentEditError):
        services.upward_save(
            actor=inv.staff,
            application=application,
            expected_version=1,
            progress="旧页面",
            today=TODAY,
        )


# --- upward applications: upward_act -----------------------------------------------------------


@pytest.fixture
def preparing(inv):
    return services.upward_save(actor=inv.staff, **funds(inv))


def act(inv, application, action, on=MARCH_1, **kwargs):
    return services.upward_act(
        actor=kwargs.pop("actor", inv.staff),
        application=application,
        action=action,
        on=on,
        today=TODAY,
        **kwargs,
    )


def test_submitted_then_approved_with_the_amount_granted(inv, preparing):
    submitted = act(inv, preparing, UpwardAction.SUBMIT, D(2026, 3, 1), expected_version=1)
    assert (submitted.status, submitted.submitted_on, submitted.version) == (
        UpwardStatus.SUBMITTED,
        D(2026, 3, 1),
        2,
    )
    approved = act(inv, submitted, UpwardAction.APPROVE, D(2026, 5, 20), granted=Decimal("4000"))
    approved.refresh_from_db()
    assert (approved.status, approved.amount_granted, approved.decided_on) == (
        UpwardStatus.APPROVED,
        Decimal("4000"),
        D(2026, 5, 20),
    )
    steps = list(audits(preparing).filter(action=AuditAction.UPDATE))
    assert [e.message for e in steps] == ["upward submit", "upward approve"]
    assert (steps[1].before["status"], steps[1].after["status"]) == ("submitted", "approved")
    assert (steps[1].before["amount_granted"], steps[1].after["amount_granted"]) == (
        None,
        "4000.00",
    )


@pytest.mark.parametrize("kind", [UpwardKind.FUNDS, UpwardKind.PROJECT])
def test_an_approval_of_funds_or_a_project_needs_the_amount_granted(inv, kind, preparing):
    preparing.kind = kind
    preparing.save()
    submitted = act(inv, preparing, UpwardAction.SUBMIT)
    with pytest.raises(ValidationError) as caught:
        act(inv, submitted, UpwardAction.APPROVE, D(2026, 4, 1))
    assert codes(caught.value) == {"granted": ["required"]}
    with pytest.raises(ValidationError) as caught:
        act(inv, submitted, UpwardAction.APPROVE, D(2026, 4, 1), granted=Decimal("-10"))
    assert codes(caught.value) == {"granted": ["negative"]}
    submitted.refresh_from_db()
    assert (submitted.status, submitted.amount_granted) == (UpwardStatus.SUBMITTED, None)


def test_a_policy_is_approved_without_an_amount(inv):
    policy = services.upward_save(
        actor=inv.staff, **funds(inv, kind=UpwardKind.POLICY, amount_requested=None)
    )
    act(inv, policy, UpwardAction.SUBMIT)
    approved = act(inv, policy, UpwardAction.APPROVE, D(2026, 4, 1))
    assert (approved.status, approved.amount_granted) == (UpwardStatus.APPROVED, None)


def test_a_decision_is_not_dated_before_the_submission(inv, preparing):
    submitted = act(inv, preparing, UpwardAction.SUBMIT, D(2026, 3, 1))
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        act(inv, submitted, UpwardAction.APPROVE, D(2026, 2, 28), granted=Decimal("100"))
    assert caught.value.message_dict == {
        "on": ["The decision cannot come before the submission on 2026-03-01."]
    }
    with pytest.raises(ValidationError) as caught:
        act(inv, submitted, UpwardAction.REJECT, D(2026, 2, 1), reason="不符合条件")
    assert codes(caught.value) == {"on": ["before_submission"]}
    # The same day is fine.
    assert act(inv, submitted, UpwardAction.REJECT, D(2026, 3, 1), reason="额度已满").status == (
        UpwardStatus.REJECTED
    )


def test_a_rejection_needs_its_reason_and_grants_nothing(inv, preparing):
    submitted = act(inv, preparing, UpwardAction.SUBMIT)
    with pytest.raises(ValidationError) as caught:
        act(inv, submitted, UpwardAction.REJECT, D(2026, 4, 1), reason="  ")
    assert codes(caught.value) == {"reason": ["reason_required"]}
    rejected = act(inv, submitted, UpwardAction.REJECT, D(2026, 4, 1), reason=" 当年额度已满 ")
    rejected.refresh_from_db()
    assert (rejected.status, rejected.reason, rejected.decided_on, rejected.amount_granted) == (
        UpwardStatus.REJECTED,
        "当年额度已满",
        D(2026, 4, 1),
        None,
    )


def test_back_to_preparing_with_a_reason_forgets_the_submission(inv, preparing):
    submitted = act(inv, preparing, UpwardAction.SUBMIT)
    with pytest.raises(ValidationError) as caught:
        act(inv, submitted, UpwardAction.REOPEN, D(2026, 3, 5))
    assert set(caught.value.message_dict) == {"reason"}
    reopened = act(inv, submitted, UpwardAction.REOPEN, D(2026, 3, 5), reason="材料退回补充")
    assert (reopened.status, reopened.submitted_on, reopened.reason) == (
        UpwardStatus.PREPARING,
        None,
        "材料退回补充",
    )
    # Submitted again, later, and decided after that.
    again = act(inv, reopened, UpwardAction.SUBMIT, D(2026, 3, 10))
    assert again.submitted_on == D(2026, 3, 10)


def test_the_date_of_a_step_is_given_and_not_in_the_future(inv, preparing):
    with pytest.raises(ValidationError) as caught:
        act(inv, preparing, UpwardAction.SUBMIT, None)
    assert codes(caught.value) == {"on": ["required"]}
    with pytest.raises(ValidationError) as caught:
        act(inv, preparing, UpwardAction.SUBMIT, D(2026, 7, 1))
    assert codes(caught.value) == {"on": ["future"]}
    preparing.refresh_from_db()
    assert (preparing.status, preparing.version) == (UpwardStatus.PREPARING, 1)


@pytest.mark.parametrize(
    ("path", "refused"),
    [
        ([], UpwardAction.APPROVE),
        ([], UpwardAction.REJECT),
        ([], UpwardAction.REOPEN),
        ([UpwardAction.SUBMIT], UpwardAction.SUBMIT),
        ([UpwardAction.SUBMIT, UpwardAction.APPROVE], UpwardAction.SUBMIT),
        ([UpwardAction.SUBMIT, UpwardAction.APPROVE], UpwardAction.REJECT),
        ([UpwardAction.SUBMIT, UpwardAction.APPROVE], UpwardAction.REOPEN),
        ([UpwardAction.SUBMIT, UpwardAction.REJECT], UpwardAction.APPROVE),
        ([UpwardAction.SUBMIT, UpwardAction.REJECT], UpwardAction.REOPEN),
        ([], "delete"),
    ],
)
def test_an_action_the_state_does_not_allow_is_refused(inv, preparing, path, refused):
    application = preparing
    for action in path:
        application = act(inv, application, action, granted=Decimal("100"), reason="理由")
    with translation.override("en"):
        with pytest.raises(ValidationError) as caught:
            act(inv, application, refused, granted=Decimal("100"), reason="理由")
        status_label = application.get_status_display()
    assert caught.value.code == "transition"
    assert caught.value.messages == [
        f"This cannot be done to an application that is {status_label}."
    ]
    status = application.status
    application.refresh_from_db()
    assert application.status == status


@pytest.mark.parametrize(
    "who", ["office", "potato_director", "leader", "inspector", "zhuozi_liaison", *NOBODY]
)
def test_only_the_owning_office_records_what_happened(inv, preparing, who):
    with pytest.raises(PermissionDenied):
        act(inv, preparing, UpwardAction.SUBMIT, actor=getattr(inv.world, who))
    preparing.refresh_from_db()
    assert preparing.status == UpwardStatus.PREPARING


def test_a_step_on_a_stale_page_is_refused(inv, preparing):
    act(inv, preparing, UpwardAction.SUBMIT)
    with pytest.raises(ConcurrentEditError):
        act(inv, preparing, UpwardAction.REOPEN, reason="撤回", expected_version=1)
    preparing.refresh_from_db()
    assert preparing.status == UpwardStatus.SUBMITTED


def test_a_refused_transition_is_not_a_field_error(inv, preparing):
    with pytest.raises(ValidationError) as caught:
        act(inv, preparing, UpwardAction.APPROVE, granted=Decimal("1"))
    # One message for the whole page, not tied to a field of the form.
    assert not hasattr(caught.value, "error_dict")
    assert len(caught.value.messages) == 1
