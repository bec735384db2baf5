"""三员分立: who of the three administrators (and of the business roles) reaches which
administration screen, that refused POSTs change nothing, that role grants belong to
the security administrator alone and are audited, and that none of the three reads
business data by virtue of the role."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from zhuanban.core import audit
from zhuanban.core.models import ApiToken, AuditAction, AuditEvent
from zhuanban.org import services
from zhuanban.org.models import Chain, OrgUnit, RoleAssignment
from zhuanban.org.roles import Role
from zhuanban.org.tests.factories import ChainFactory, UserFactory

User = get_user_model()

PERSONAS = ["sysadmin", "secadmin", "auditor", "leader", "office", "zhuozi_liaison"]
VIEWS = ["changelist", "add", "change", "delete"]
MODELS = [
    "org_orgunit",
    "org_chain",
    "auth_user",
    "core_apitoken",
    "org_roleassignment",
    "core_auditevent",
]

# Who gets a 200 on each administration page; everyone else gets a 403.
ALLOWED: dict[tuple[str, str], set[str]] = {
    **{("org_orgunit", view): {"sysadmin"} for view in VIEWS},
    **{("org_chain", view): {"sysadmin"} for view in VIEWS},
    ("auth_user", "changelist"): {"sysadmin"},
    ("auth_user", "add"): {"sysadmin"},
    ("auth_user", "change"): {"sysadmin"},
    ("auth_user", "delete"): set(),  # deactivated, never deleted
    ("core_apitoken", "changelist"): {"sysadmin"},
    ("core_apitoken", "add"): set(),  # issued by the `apitoken` command
    ("core_apitoken", "change"): {"sysadmin"},
    ("core_apitoken", "delete"): set(),
    **{("org_roleassignment", view): {"secadmin"} for view in VIEWS},
    ("core_auditevent", "changelist"): {"auditor"},
    ("core_auditevent", "add"): set(),
    ("core_auditevent", "change"): {"auditor"},  # a read-only page
    ("core_auditevent", "delete"): set(),
}


@pytest.fixture
def targets(world):
    token, _raw = services.api_token_issue(actor=None, user=world.office, name="报表同步")
    return {
        "org_orgunit": world.crops,
        "org_chain": ChainFactory(code="potato", name="马铃薯产业链"),
        "auth_user": world.office,
        "core_apitoken": token,
        "org_roleassignment": RoleAssignment.objects.get(user=world.inspector),
        "core_auditevent": audit.record(
            actor=world.leader, action=AuditAction.SYSTEM, message="matrix"
        ),
    }


def admin_url(model: str, view: str, obj) -> str:
    if view in ("changelist", "add"):
        return reverse(f"admin:{model}_{view}")
    return reverse(f"admin:{model}_{view}", args=[obj.pk])


@pytest.mark.parametrize("persona", PERSONAS)
def test_permission_matrix_of_the_administration_screens(login, world, targets, persona):
    client = login(getattr(world, persona))
    expected, actual = {}, {}
    for model in MODELS:
        for view in VIEWS:
            expected[model, view] = 200 if persona in ALLOWED[model, view] else 403
            actual[model, view] = client.get(admin_url(model, view, targets[model])).status_code
    assert actual == expected
    index = client.get(reverse("admin:index")).status_code
    assert index == (200 if persona in {"sysadmin", "secadmin", "auditor"} else 403)


def fingerprint(targets) -> dict:
    """Everything a refused POST could have touched."""
    state = {
        "counts": {
            "units": OrgUnit.objects.count(),
            "chains": Chain.objects.count(),
            "users": User.objects.count(),
            "tokens": ApiToken.objects.count(),
            "roles": sorted(RoleAssignment.objects.values_list("user_id", "role", "unit_id")),
            # a refusal may itself be recorded; nothing else may be
            "events": AuditEvent.objects.exclude(action=AuditAction.DENIED).count(),
        }
    }
    for name, obj in targets.items():
        stored = type(obj).objects.filter(pk=obj.pk).first()
        state[name] = audit.snapshot(stored, exclude=("last_login",)) if stored else None
    return state


def post_payloads(world, targets) -> dict[str, dict[str, dict]]:
    """A valid submission for each form, so only the permission stands in the way."""
    crops = targets["org_orgunit"]
    return {
        "org_orgunit": {
            "add": {
                "name": "新设科室",
                "code": "sec-new",
                "kind": "section",
                "parent": world.bureau.pk,
                "sort_order": "0",
                "is_active": "on",
            },
            "change": {
                "name": "被改名的科室",
                "code": crops.code,
                "kind": crops.kind,
                "parent": crops.parent_id,
                "sort_order": "0",
                "is_active": "on",
            },
        },
        "org_chain": {
            "add": {"code": "sheep", "name": "肉羊产业链", "short_name": "肉羊", "sort_order": "0"},
            "change": {"code": "potato", "name": "被改名", "short_name": "链", "sort_order": "0"},
        },
        "auth_user": {
            "add": {
                "username": "intruder",
                "first_name": "冒名者",
                "password1": "Xq7!kd92Lm",
                "password2": "Xq7!kd92Lm",
                "profile-TOTAL_FORMS": "0",
                "profile-INITIAL_FORMS": "0",
            },
            "change": {
                "username": world.office.username,
                "first_name": "被改名",
                "email": "x@example.com",
                "profile-TOTAL_FORMS": "0",
                "profile-INITIAL_FORMS": "0",
            },
        },
        "core_apitoken": {"add": {"name": "x"}, "change": {"name": "x"}},
        "org_roleassignment": {
            "add": {"user": world.outsider.pk, "role": Role.LEADER, "unit": ""},
            "change": {"user": world.inspector.pk, "role": Role.LEADER, "unit": ""},
        },
        "core_auditevent": {"add": {"message": "x"}, "change": {"message": "x"}},
    }


@pytest.mark.parametrize("persona", PERSONAS)
def test_refused_posts_change_nothing(login, world, targets, persona):
    client = login(getattr(world, persona))
    payloads = post_payloads(world, targets)
    before = fingerprint(targets)
    refused = 0
    for model in MODELS:
        obj = targets[model]
        for view, data in [
            ("add", payloads[model]["add"]),
            ("change", payloads[model]["change"]),
            ("delete", {"post": "yes"}),
        ]:
            if persona in ALLOWED[model, view] and (model, view) != (
                "org_roleassignment",
                "change",
            ):
                continue
            status = client.post(admin_url(model, view, obj), data).status_code
            assert status == 403, (model, view, status)
            refused += 1
    # the change list's bulk delete action is refused too
    for model in MODELS:
        if persona in ALLOWED[model, "delete"]:
            continue
        client.post(
            reverse(f"admin:{model}_changelist"),
            {"action": "delete_selected", "_selected_action": [targets[model].pk], "post": "yes"},
        )
    assert refused > 0
    assert fingerprint(targets) == before


def test_even_a_superuser_flag_opens_nothing_and_never_edits_the_trail(login, world, targets):
    world.auditor.is_superuser = world.auditor.is_staff = True
    world.auditor.save()
    flagged = UserFactory(username="root", is_superuser=True, is_staff=True)
    event = targets["core_auditevent"]

    assert login(flagged).get(reverse("admin:index")).status_code == 403
    client = login(world.auditor)
    assert client.get(reverse("admin:core_auditevent_add")).status_code == 403
    change = reverse("admin:core_auditevent_change", args=[event.pk])
    assert client.post(change, {"message": "x"}).status_code == 403
    delete = reverse("admin:core_auditevent_delete", args=[event.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    # and the page offers no save button
    assert 'name="_save"' not in client.get(change).content.decode()
    assert AuditEvent.objects.get(pk=event.pk).message == "matrix"
    assert client.get(reverse("admin:org_orgunit_changelist")).status_code == 403


def test_the_security_administrator_grants_and_removes_roles_and_both_are_audited(login, world):
    client = login(world.secadmin)
    newcomer = UserFactory(username="newcomer", first_name="新人")
    response = client.post(
        reverse("admin:org_roleassignment_add"),
        {"user": newcomer.pk, "role": Role.COUNTY_LIAISON, "unit": world.huade.pk},
    )
    assert response.status_code == 302
    grant = RoleAssignment.objects.get(user=newcomer)
    assert (grant.role, grant.unit) == (Role.COUNTY_LIAISON, world.huade)
    event = AuditEvent.objects.get(
        object_type="org.roleassignment", object_id=str(grant.pk), action=AuditAction.CREATE
    )
    assert event.actor == world.secadmin
    assert event.ip == "127.0.0.1"
    assert event.before is None
    assert event.after["role"] == Role.COUNTY_LIAISON
    assert event.after["user_id"] == newcomer.pk

    response = client.post(
        reverse("admin:org_roleassignment_delete", args=[grant.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not RoleAssignment.objects.filter(user=newcomer).exists()
    removal = AuditEvent.objects.get(
        object_type="org.roleassignment", object_id=str(grant.pk), action=AuditAction.DELETE
    )
    assert removal.actor == world.secadmin
    assert removal.before["unit_id"] == world.huade.pk


def test_a_role_is_never_edited_in_place(login, world):
    grant = RoleAssignment.objects.get(user=world.inspector)
    client = login(world.secadmin)
    page = client.get(reverse("admin:org_roleassignment_change", args=[grant.pk]))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    response = client.post(
        reverse("admin:org_roleassignment_change", args=[grant.pk]),
        {"user": world.inspector.pk, "role": Role.LEADER, "unit": ""},
    )
    assert response.status_code == 403
    assert RoleAssignment.objects.get(pk=grant.pk).role == Role.INSPECTOR


@pytest.mark.parametrize("persona", ["sysadmin", "auditor", "leader", "office"])
def test_only_the_security_administrator_assigns_roles_in_the_services(world, persona):
    actor = getattr(world, persona)
    with pytest.raises(PermissionDenied):
        services.role_assign(actor=actor, user=world.outsider, role=Role.INSPECTOR)
    grant = RoleAssignment.objects.get(user=world.inspector)
    with pytest.raises(PermissionDenied):
        services.role_revoke(actor=actor, assignment=grant)
    # the generic record services apply the same rule to role assignments
    with pytest.raises(PermissionDenied):
        services.record_delete(actor=actor, instance=grant, perm="manage_accounts")
    assert RoleAssignment.objects.filter(pk=grant.pk).exists()
    assert not RoleAssignment.objects.filter(user=world.outsider).exists()


def test_the_system_administrator_creates_and_deactivates_accounts_but_grants_nothing(login, world):
    client = login(world.sysadmin)
    response = client.post(
        reverse("admin:auth_user_add"),
        {
            "username": "newhire",
            "first_name": "新同事",
            "password1": "Xq7!kd92Lm",
            "password2": "Xq7!kd92Lm",
            "profile-TOTAL_FORMS": "1",
            "profile-INITIAL_FORMS": "0",
            "profile-0-unit": world.crops.pk,
            "profile-0-title": "",
            "profile-0-phone": "",
            "profile-0-sort_order": "0",
        },
    )
    assert response.status_code == 302, response.context and response.context.get("errors")
    newhire = User.objects.get(username="newhire")
    assert newhire.profile.unit == world.crops
    assert not RoleAssignment.objects.filter(user=newhire).exists()
    created = AuditEvent.objects.get(
        object_type="auth.user", object_id=str(newhire.pk), action=AuditAction.CREATE
    )
    assert created.actor == world.sysadmin
    assert "password" not in created.after

    # the user form has no role section
    change = reverse("admin:auth_user_change", args=[newhire.pk])
    assert "role_assignments-TOTAL_FORMS" not in client.get(change).content.decode()

    response = client.post(
        change,
        {
            "username": "newhire",
            "first_name": "新同事",
            "email": "",
            # is_active left out: unticked
            "profile-TOTAL_FORMS": "1",
            "profile-INITIAL_FORMS": "1",
            "profile-0-id": newhire.profile.pk,
            "profile-0-user": newhire.pk,
            "profile-0-unit": world.crops.pk,
            "profile-0-title": "",
            "profile-0-phone": "",
            "profile-0-sort_order": "0",
        },
    )
    assert response.status_code == 302
    newhire.refresh_from_db()
    assert not newhire.is_active
    deactivated = AuditEvent.objects.get(
        object_type="auth.user", object_id=str(newhire.pk), action=AuditAction.UPDATE
    )
    assert (deactivated.before["is_active"], deactivated.after["is_active"]) == (True, False)


@pytest.mark.parametrize("persona", ["secadmin", "auditor"])
def test_the_system_administrator_cannot_take_over_a_separated_account(login, world, persona):
    """Whoever sets the auditor's password could read the trail as the auditor."""
    account = getattr(world, persona)
    client = login(world.sysadmin)
    change = reverse("admin:auth_user_change", args=[account.pk])
    assert client.get(change).status_code == 200  # visible, read-only
    assert client.post(change, {"username": account.username, "first_name": "x"}).status_code == 403
    password = reverse("admin:auth_user_password_change", args=[account.pk])
    assert client.get(password).status_code == 403
    assert (
        client.post(password, {"password1": "Xq7!kd92Lm", "password2": "Xq7!kd92Lm"}).status_code
        == 403
    )
    account.refresh_from_db()
    assert account.check_password("Demo@2023")
    assert account.is_active


def test_the_security_policy_page_shows_the_effective_values(login, world, settings):
    settings.AUDIT_RETENTION_DAYS = 365
    settings.SESSION_IDLE_SECONDS = 900
    client = login(world.secadmin)
    client.cookies["django_language"] = "en"
    index = client.get(reverse("admin:index")).content.decode()
    url = reverse("admin:security_policy")
    assert url in index
    html = client.get(url).content.decode()
    assert "Security policy" in html
    assert "365 days" in html
    assert "15 minutes" in html
    assert "Security administrator" in html  # among the roles that need a second factor
    for persona in ["sysadmin", "auditor", "leader"]:
        assert login(getattr(world, persona)).get(url).status_code == 403


def test_the_audit_administrator_finds_the_audit_screen_from_the_admin_index(login, world):
    html = login(world.auditor).get(reverse("admin:index")).content.decode()
    assert reverse("audit:list") in html
    assert reverse("admin:core_auditevent_changelist") in html
    assert reverse("admin:org_orgunit_changelist") not in html


# --- no business data for the three -----------------------------------------------


@pytest.fixture
def business(world):
    from zhuanban.core.tests.hardening import business_data

    data = business_data(world)
    return data.task_list, data.task, data.round


def business_urls(task_list, task, round_) -> dict[str, str]:
    return {
        "task ledger": reverse("tasks:ledger"),
        "task ledger export": reverse("tasks:export"),
        "task lists": reverse("tasks:lists"),
        "task list": reverse("tasks:list", args=[task_list.pk]),
        "task": reverse("tasks:detail", args=[task.pk]),
        "dispatch home": reverse("dispatch:home"),
        "dispatch round": reverse("dispatch:round", args=[round_.pk]),
        "api tasks": "/api/v1/tasks",
        "api task": f"/api/v1/tasks/{task.pk}",
        "api rounds": "/api/v1/dispatch/rounds",
        "api round": f"/api/v1/dispatch/rounds/{round_.pk}",
    }


@pytest.mark.parametrize("persona", ["sysadmin", "secadmin", "auditor"])
def test_the_three_administrators_read_no_business_data(login, world, business, persona):
    client = login(getattr(world, persona))
    statuses = {name: client.get(url).status_code for name, url in business_urls(*business).items()}
    assert {name for name, status in statuses.items() if status not in (403, 404)} == set()
    # and the navigation offers them none of it
    html = client.get(reverse("home")).content.decode()
    assert reverse("tasks:ledger") not in html
    assert reverse("dispatch:home") not in html


def test_the_same_pages_open_for_the_office_that_owns_them(login, world, business):
    client = login(world.office)
    statuses = {name: client.get(url).status_code for name, url in business_urls(*business).items()}
    assert set(statuses.values()) == {200}, statuses
