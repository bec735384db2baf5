import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from zhuanban.core.models import AuditAction, AuditEvent
from zhuanban.org import services
from zhuanban.org.models import OrgUnit
from zhuanban.org.roles import UnitKind
from zhuanban.org.tests.factories import OrgUnitFactory


def test_paths_follow_the_tree(world):
    assert world.city.path == f"/{world.city.pk}/"
    assert world.zhuozi_town.path == f"/{world.city.pk}/{world.zhuozi.pk}/{world.zhuozi_town.pk}/"
    assert world.zhuozi_town.depth == 2
    assert set(OrgUnit.objects.in_subtree(world.zhuozi)) == {world.zhuozi, world.zhuozi_town}


def test_moving_a_unit_moves_its_whole_subtree(world):
    section = OrgUnitFactory(code="sec-x", kind=UnitKind.SECTION, parent=world.bureau)
    station = OrgUnitFactory(code="sta-y", kind=UnitKind.SECTION, parent=section)
    section.parent = world.crops
    services.unit_save(actor=world.sysadmin, unit=section)

    station.refresh_from_db()
    assert station.path == f"{world.crops.path}{section.pk}/{station.pk}/"
    assert station.depth == world.crops.depth + 2
    assert station in OrgUnit.objects.in_subtree(world.crops)


@pytest.mark.parametrize("new_parent", ["self", "child", "grandchild"])
def test_a_unit_cannot_become_its_own_ancestor(world, new_parent):
    child = OrgUnitFactory(code="child", kind=UnitKind.SECTION, parent=world.crops)
    grandchild = OrgUnitFactory(code="grandchild", kind=UnitKind.SECTION, parent=child)
    crops = OrgUnit.objects.get(pk=world.crops.pk)
    crops.parent = {"self": crops, "child": child, "grandchild": grandchild}[new_parent]
    events_before = AuditEvent.objects.count()

    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        services.unit_save(actor=world.sysadmin, unit=crops)

    assert caught.value.error_dict["parent"][0].code == "cycle"
    assert "不能" in caught.value.message_dict["parent"][0]
    crops.refresh_from_db()
    assert crops.parent == world.bureau
    assert AuditEvent.objects.count() == events_before


@pytest.mark.parametrize(
    ("kind", "code", "parent"),
    [
        (UnitKind.COUNTY, "15092", "city"),  # five digits
        (UnitKind.COUNTY, "15092a", "city"),
        (UnitKind.COUNTY, "990921", "city"),  # no such province
        (UnitKind.COUNTY, "150900", "city"),  # a city's code
        (UnitKind.COUNTY, "140921", "city"),  # another city's county
        (UnitKind.CITY, "150921", None),  # a county's code
        (UnitKind.CITY, "150000", None),  # a province's code
        (UnitKind.SECTION, "150930", "city"),  # sections have no division code
    ],
)
def test_invalid_division_codes_are_rejected_in_chinese(world, kind, code, parent):
    unit = OrgUnit(
        code=f"new-{code}",
        name="新单位",
        kind=kind,
        division_code=code,
        parent=world.city if parent else None,
    )
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        services.unit_save(actor=world.sysadmin, unit=unit)
    message = caught.value.message_dict["division_code"][0]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message
    assert not OrgUnit.objects.filter(code=f"new-{code}").exists()


def test_a_valid_new_county_is_accepted(world):
    unit = OrgUnit(
        code="150923",
        name="商都县",
        kind=UnitKind.COUNTY,
        division_code="150923",
        parent=world.city,
    )
    services.unit_save(actor=world.sysadmin, unit=unit)
    assert unit.path == f"{world.city.path}{unit.pk}/"


def test_counties_need_a_division_code(world):
    unit = OrgUnit(code="nocode", name="某县", kind=UnitKind.COUNTY, parent=world.city)
    with pytest.raises(ValidationError) as caught:
        services.unit_save(actor=world.sysadmin, unit=unit)
    assert caught.value.error_dict["division_code"][0].code == "required"


def test_duplicate_codes_are_rejected(world):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        services.unit_save(
            actor=world.sysadmin,
            unit=OrgUnit(code="sec-crops", name="重复", kind=UnitKind.SECTION, parent=world.bureau),
        )
    assert "code" in caught.value.message_dict
    duplicate_county = OrgUnit(
        code="other", name="重复县", kind=UnitKind.COUNTY, division_code="150921", parent=world.city
    )
    with pytest.raises(ValidationError) as caught:
        services.unit_save(actor=world.sysadmin, unit=duplicate_county)
    assert "division_code" in caught.value.message_dict
    assert OrgUnit.objects.filter(name__startswith="重复").count() == 0


def test_saving_a_unit_is_audited_with_before_and_after(world):
    crops = OrgUnit.objects.get(pk=world.crops.pk)
    crops.phone = "0474-8888888"
    services.unit_save(actor=world.sysadmin, unit=crops)
    event = AuditEvent.objects.filter(object_type="org.orgunit", object_id=str(crops.pk)).first()
    assert event.action == AuditAction.UPDATE
    assert event.actor == world.sysadmin
    assert event.before["phone"] == ""
    assert event.after["phone"] == "0474-8888888"


def test_only_the_system_administrator_changes_units(world):
    for user in (world.leader, world.office, world.auditor, world.zhuozi_liaison):
        crops = OrgUnit.objects.get(pk=world.crops.pk)
        crops.name = "改名"
        with pytest.raises(services.PermissionDenied):
            services.unit_save(actor=user, unit=crops)
    assert OrgUnit.objects.get(pk=world.crops.pk).name == "种植业管理科"


def test_a_unit_with_sub_units_cannot_be_deleted(world):
    with pytest.raises(ValidationError):
        services.unit_delete(actor=world.sysadmin, unit=world.zhuozi)
    assert OrgUnit.objects.filter(pk=world.zhuozi.pk).exists()
    services.unit_delete(actor=world.sysadmin, unit=world.zhuozi_town)
    assert not OrgUnit.objects.filter(pk=world.zhuozi_town.pk).exists()
    assert AuditEvent.objects.filter(action=AuditAction.DELETE, object_repr="卓资镇").exists()
