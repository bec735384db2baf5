"""Registering and correcting brand enterprises through services.enterprise_save: checked
credit codes, duplicates, the county, who may do it, optimistic locking, the enterprise's
own org unit following its record, and the audit trail."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext

from zhuanban.brand import scoping, services
from zhuanban.brand.models import Enterprise, EnterpriseKind
from zhuanban.brand.tests.conftest import credit_code
from zhuanban.core.errors import ConcurrentEditError
from zhuanban.core.models import AuditAction, AuditEvent
from zhuanban.org.models import OrgUnit
from zhuanban.org.roles import UnitKind

pytestmark = pytest.mark.django_db

# 兰格格 (a real Ulanqab dairy brand) with a made-up but well-formed code of 察右前旗.
LANGEGE = "乌兰察布市兰格格乳业有限公司"


def codes(error: ValidationError) -> dict[str, list[str]]:
    return {field: [e.code for e in errors] for field, errors in error.error_dict.items()}


def new(world, **values) -> Enterprise:
    data = {
        "name": LANGEGE,
        "credit_code": credit_code(77, "150921"),
        "county": world.zhuozi,
        "kind": EnterpriseKind.CITY_LEADING,
        "contact_name": "王经理",
        "contact_phone": "0474-7654321",
    } | values
    return Enterprise(**data)


def audit_of(instance) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            object_type=instance._meta.label_lower, object_id=str(instance.pk)
        ).order_by("seq")
    )


def enterprise_units() -> int:
    return OrgUnit.objects.filter(kind=UnitKind.ENTERPRISE).count()


def refused(world, enterprise, actor=None, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as error:
        services.enterprise_save(actor=actor or world.brand_staff, enterprise=enterprise, **kwargs)
    return error.value


# --- registering ---------------------------------------------------------------------


def test_the_brand_office_registers_an_enterprise_with_its_own_unit(world):
    enterprise = services.enterprise_save(actor=world.brand_staff, enterprise=new(world))
    enterprise.refresh_from_db()
    assert enterprise.created_by == world.brand_staff
    assert enterprise.version == 1
    unit = enterprise.unit
    assert (unit.kind, unit.name, unit.parent_id) == (UnitKind.ENTERPRISE, LANGEGE, world.zhuozi.pk)
    assert unit.path == f"{world.zhuozi.path}{unit.pk}/"
    # The unit's code is random: the organisation directory lists unit codes to everyone.
    assert unit.code.startswith("ent-")
    assert enterprise.credit_code.lower() not in unit.code
    [record] = audit_of(enterprise)
    assert record.action == AuditAction.CREATE
    assert record.actor == world.brand_staff
    assert record.before is None
    assert record.after["name"] == LANGEGE
    assert record.after["credit_code"] == enterprise.credit_code
    assert record.after["county_id"] == world.zhuozi.pk


def test_the_code_is_stored_as_printed_on_the_licence(world):
    code = credit_code(78)
    written = f" {code[:4]} {code[4:10]}-{code[10:].lower()} "
    enterprise = services.enterprise_save(
        actor=world.brand_staff, enterprise=new(world, credit_code=written, name=f"  {LANGEGE} ")
    )
    enterprise.refresh_from_db()
    assert enterprise.credit_code == code
    assert enterprise.name == LANGEGE


def test_a_wrong_check_character_is_refused_with_the_right_one(world):
    good = credit_code(79)
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    error = refused(world, new(world, credit_code=bad))
    assert codes(error) == {"credit_code": ["checksum"]}
    assert good[17] in error.message_dict["credit_code"][0]
    assert not Enterprise.objects.exists()
    assert enterprise_units() == 0


def test_every_missing_detail_is_reported_at_once(world):
    error = refused(
        world, new(world, name="  ", credit_code="", kind="", contact_name="", county=None)
    )
    assert set(codes(error)) == {"name", "credit_code", "kind", "contact_name", "county"}
    assert codes(error)["county"] == ["required"]
    assert not Enterprise.objects.exists()


def test_duplicates_are_refused_by_field_once_each_and_nothing_is_saved(world, brand):
    units = enterprise_units()
    error = refused(
        world,
        new(
            world,
            name=brand.yinshan.name,
            # The same code written differently is the same code.
            credit_code=brand.yinshan.credit_code.lower(),
        ),
    )
    assert codes(error) == {"name": ["duplicate"], "credit_code": ["duplicate"]}
    assert error.message_dict == {
        "name": [gettext("An enterprise of this name is already registered.")],
        "credit_code": [
            gettext("This credit code is already registered, for %(name)s.")
            % {"name": "内蒙古阴山优麦食品有限公司"}
        ],
    }
    assert Enterprise.objects.count() == 2
    assert enterprise_units() == units


@pytest.mark.parametrize("place", ["city", "zhuozi_town", "bureau", "brand"])
def test_the_county_must_be_a_county(world, place):
    error = refused(world, new(world, county=getattr(world, place)))
    assert error.message_dict == {
        "county": [gettext("Choose the county the enterprise is registered in.")]
    }
    assert codes(error) == {"county": ["county"]}
    assert not Enterprise.objects.exists()


def test_a_joining_date_needs_membership(world):
    import datetime

    error = refused(
        world, new(world, association_joined_on=datetime.date(2021, 5, 1), association_member=False)
    )
    assert codes(error) == {"association_joined_on": ["not_member"]}
    member = services.enterprise_save(
        actor=world.brand_staff,
        enterprise=new(
            world, association_member=True, association_joined_on=datetime.date(2021, 5, 1)
        ),
    )
    assert member.association_member


@pytest.mark.parametrize(
    "who",
    [
        "zhuozi_liaison",
        "huade_liaison",
        "leader",
        "inspector",
        "office",
        "potato_director",
        "sysadmin",
        "auditor",
        "outsider",
    ],
)
def test_only_brand_staff_register_enterprises(world, who):
    with pytest.raises(PermissionDenied):
        services.enterprise_save(actor=getattr(world, who), enterprise=new(world))
    assert not Enterprise.objects.exists()
    assert enterprise_units() == 0


def test_an_enterprise_cannot_edit_its_own_record(world, brand):
    yinshan = Enterprise.objects.get(pk=brand.yinshan.pk)
    yinshan.contact_phone = "13800000000"
    with pytest.raises(PermissionDenied):
        services.enterprise_save(actor=brand.applicant, enterprise=yinshan, expected_version=1)
    yinshan.refresh_from_db()
    assert yinshan.contact_phone == "0474-1234567"
    assert yinshan.version == 1


# --- correcting ----------------------------------------------------------------------


def test_an_edit_bumps_the_version_and_records_before_and_after(world, brand):
    yinshan = Enterprise.objects.get(pk=brand.yinshan.pk)
    yinshan.contact_name = "赵主任"
    saved = services.enterprise_save(
        actor=world.brand_staff, enterprise=yinshan, expected_version=1
    )
    assert saved.version == 2
    record = audit_of(yinshan)[-1]
    assert record.action == AuditAction.UPDATE
    assert record.before["contact_name"] == "李经理"
    assert record.after["contact_name"] == "赵主任"
    assert (record.before["version"], record.after["version"]) == (1, 2)
    # Keeping its own name and code is no duplicate.
    saved.address = "卓资县旗下营镇"
    assert services.enterprise_save(actor=world.brand_staff, enterprise=saved).version == 3


def test_an_edit_on_a_stale_page_is_refused_and_changes_nothing(world, brand):
    first = Enterprise.objects.get(pk=brand.yinshan.pk)
    second = Enterprise.objects.get(pk=brand.yinshan.pk)
    first.contact_name = "赵主任"
    services.enterprise_save(actor=world.brand_staff, enterprise=first, expected_version=1)
    second.contact_name = "钱主任"
    with pytest.raises(ConcurrentEditError):
        services.enterprise_save(actor=world.brand_staff, enterprise=second, expected_version=1)
    second.refresh_from_db()
    assert (second.contact_name, second.version) == ("赵主任", 2)


def test_renaming_and_moving_county_carry_the_org_unit(world, brand):
    yinshan = Enterprise.objects.get(pk=brand.yinshan.pk)
    assert yinshan.pk in scoping.visible_enterprises(world.zhuozi_liaison).values_list(
        "pk", flat=True
    )
    yinshan.name = "阴山优麦（化德）食品有限公司"
    yinshan.county = world.huade
    services.enterprise_save(actor=world.brand_staff, enterprise=yinshan, expected_version=1)
    unit = OrgUnit.objects.get(pk=yinshan.unit_id)
    assert unit.name == "阴山优麦（化德）食品有限公司"
    assert unit.parent_id == world.huade.pk
    assert unit.path == f"{world.huade.path}{unit.pk}/"
    # Who sees it moves with it; its own login still sees itself.
    assert not scoping.visible_enterprises(world.zhuozi_liaison).filter(pk=yinshan.pk).exists()
    assert scoping.visible_enterprises(world.huade_liaison).filter(pk=yinshan.pk).exists()
    assert list(scoping.visible_enterprises(brand.applicant)) == [yinshan]


def test_a_corrected_code_frees_the_old_one(world, brand):
    yinshan = Enterprise.objects.get(pk=brand.yinshan.pk)
    old_code = yinshan.credit_code
    yinshan.credit_code = credit_code(90)
    services.enterprise_save(actor=world.brand_staff, enterprise=yinshan, expected_version=1)
    assert Enterprise.objects.get(pk=yinshan.pk).credit_code == credit_code(90)
    # The enterprise the old code really belongs to can now be registered.
    other = services.enterprise_save(
        actor=world.brand_staff, enterprise=new(world, credit_code=old_code)
    )
    assert other.unit_id != yinshan.unit_id


def test_a_refused_edit_leaves_record_and_unit_alone(world, brand):
    yinshan = Enterprise.objects.get(pk=brand.yinshan.pk)
    yinshan.name = brand.shudu.name
    yinshan.county = world.huade
    error = refused(world, yinshan, expected_version=1)
    assert codes(error) == {"name": ["duplicate"]}
    yinshan.refresh_from_db()
    assert yinshan.name == "内蒙古阴山优麦食品有限公司"
    assert yinshan.unit.parent_id == world.zhuozi.pk
    assert yinshan.version == 1
