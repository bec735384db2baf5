"""The system administrator keeps the unit groups that consolidated tables subtotal."""

from django.urls import reverse

from zhuanban.core.models import AuditEvent
from zhuanban.dispatch.models import UnitGroup


def test_the_system_administrator_keeps_unit_groups_and_the_change_is_audited(world, login):
    client = login(world.sysadmin)
    response = client.post(
        reverse("admin:dispatch_unitgroup_add"),
        {"name": "前山地区", "sort_order": 1, "units": [world.zhuozi.pk, world.huade.pk]},
    )
    assert response.status_code == 302
    group = UnitGroup.objects.get()
    assert set(group.units.all()) == {world.zhuozi, world.huade}
    events = AuditEvent.objects.filter(object_type="dispatch.unitgroup")
    assert events.count() == 2  # the group, then its members
    assert events.order_by("seq").last().after == {
        "units": sorted([world.zhuozi.code, world.huade.code])
    }
    listing = client.get(reverse("admin:dispatch_unitgroup_changelist")).content.decode()
    assert "卓资县" in listing


def test_only_the_system_administrator_may_change_unit_groups(world, login):
    url = reverse("admin:dispatch_unitgroup_add")
    for user in (world.office, world.leader, world.auditor, world.zhuozi_liaison):
        response = login(user).post(url, {"name": "后山地区", "sort_order": 2})
        assert response.status_code in (302, 403), user
    assert not UnitGroup.objects.exists()
