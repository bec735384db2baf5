"""The administration screens: the system administrator manages units and accounts,
the security administrator grants roles, the audit administrator reads the trail,
nobody else gets in. The full who-gets-what matrix is in test_separation_of_duties.py."""

import pytest
from django.urls import reverse

from zhuanban.core import audit
from zhuanban.core.models import AuditAction, AuditEvent
from zhuanban.org.models import OrgUnit, RoleAssignment
from zhuanban.org.roles import Role


def unit_form(unit, **changes):
    data = {
        "name": unit.name,
        "short_name": unit.short_name,
        "code": unit.code,
        "kind": unit.kind,
        "parent": unit.parent_id or "",
        "division_code": unit.division_code or "",
        "phone": unit.phone,
        "duties": unit.duties,
        "sort_order": unit.sort_order,
        "is_active": "on",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize("persona", ["leader", "office", "zhuozi_liaison", "inspector", "outsider"])
def test_people_without_an_administrator_role_are_refused(login, world, persona):
    client = login(getattr(world, persona))
    assert client.get(reverse("admin:index")).status_code == 403
    assert client.get(reverse("admin:org_orgunit_changelist")).status_code == 403


def test_anonymous_users_go_to_the_platform_login(client, world):
    response = client.get(reverse("admin:org_orgunit_changelist"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("login"))


def test_the_system_administrator_edits_units_and_it_is_audited(login, world):
    client = login(world.sysadmin)
    url = reverse("admin:org_orgunit_change", args=[world.crops.pk])
    response = client.post(url, unit_form(world.crops, phone="0474-7777777"))
    assert response.status_code == 302
    assert OrgUnit.objects.get(pk=world.crops.pk).phone == "0474-7777777"
    event = AuditEvent.objects.filter(object_type="org.orgunit", action=AuditAction.UPDATE).get()
    assert event.actor == world.sysadmin
    assert event.after["phone"] == "0474-7777777"


def test_a_cycle_made_in_the_admin_is_refused_in_chinese(login, world):
    client = login(world.sysadmin)
    client.cookies["django_language"] = "zh-hans"
    url = reverse("admin:org_orgunit_change", args=[world.zhuozi.pk])
    response = client.post(url, unit_form(world.zhuozi, parent=world.zhuozi_town.pk))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["parent"]
    assert errors
    assert "不能" in errors[0]
    assert OrgUnit.objects.get(pk=world.zhuozi.pk).parent == world.city


def test_the_system_administrator_cannot_read_the_audit_trail(login, world):
    client = login(world.sysadmin)
    assert client.get(reverse("admin:core_auditevent_changelist")).status_code == 403


def test_the_audit_administrator_reads_the_trail_and_changes_nothing(login, world):
    event = audit.record(actor=world.leader, action=AuditAction.SYSTEM, message="读取测试")
    client = login(world.auditor)

    listing = client.get(reverse("admin:core_auditevent_changelist"))
    assert listing.status_code == 200
    assert f">{event.seq}<" in listing.content.decode()
    detail = client.get(reverse("admin:core_auditevent_change", args=[event.pk]))
    assert detail.status_code == 200
    assert event.hash in detail.content.decode()

    assert client.get(reverse("admin:core_auditevent_add")).status_code == 403
    post = client.post(reverse("admin:core_auditevent_change", args=[event.pk]), {"message": "x"})
    assert post.status_code == 403
    assert (
        client.post(
            reverse("admin:core_auditevent_delete", args=[event.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert client.get(reverse("admin:org_orgunit_changelist")).status_code == 403
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).message == "读取测试"


def test_conflicting_roles_in_the_role_form_save_nothing(login, world):
    client = login(world.secadmin)
    client.cookies["django_language"] = "zh-hans"
    user = world.inspector
    before = AuditEvent.objects.count()
    response = client.post(
        reverse("admin:org_roleassignment_add"),
        {"user": user.pk, "role": Role.AUDIT_ADMIN, "unit": ""},
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.non_field_errors()
    assert len(errors) == 1
    assert "安全审计员" in errors[0]
    assert "不能" in errors[0]
    assert list(RoleAssignment.objects.filter(user=user).values_list("role", flat=True)) == [
        Role.INSPECTOR
    ]
    assert AuditEvent.objects.count() == before


def test_admin_pages_are_branded_and_in_chinese(login, world):
    response = login(world.sysadmin).get(reverse("admin:index"))
    html = response.content.decode()
    assert "专办工作平台" in html
    assert "core/admin.css" in html
    assert reverse("home") in html
