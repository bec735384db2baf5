from types import SimpleNamespace

import factory
from django.contrib.auth import get_user_model

from zhuanban.org import services
from zhuanban.org.models import Chain, OrgUnit, Profile, RoleAssignment
from zhuanban.org.roles import Role, UnitKind


class OrgUnitFactory(factory.django.DjangoModelFactory):
    """Units go through `unit_save` so their materialised path is right."""

    class Meta:
        model = OrgUnit

    code = factory.Sequence(lambda n: f"unit-{n}")
    name = factory.Sequence(lambda n: f"单位{n}")
    kind = UnitKind.SECTION
    parent = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.unit_save(actor=None, unit=model_class(*args, **kwargs))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.django.Password("Demo@2023")


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Profile

    user = factory.SubFactory(UserFactory)
    unit = factory.SubFactory(OrgUnitFactory)


class RoleAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleAssignment

    user = factory.SubFactory(UserFactory)


class ChainFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Chain

    code = factory.Sequence(lambda n: f"chain-{n}")
    name = factory.Sequence(lambda n: f"产业链{n}")
    short_name = "链"


def person(username: str, unit: OrgUnit, *roles: tuple[str, OrgUnit | None], name: str = ""):
    """A user with a profile in `unit` and the given (role, unit) pairs."""
    user = UserFactory(username=username, first_name=name or username)
    ProfileFactory(user=user, unit=unit)
    for role, role_unit in roles:
        RoleAssignmentFactory(user=user, role=role, unit=role_unit)
    return user


def build_world() -> SimpleNamespace:
    """The personas of the root conftest's `world` fixture (STYLE.md)."""
    city = OrgUnitFactory(
        code="150900", name="乌兰察布市", kind=UnitKind.CITY, division_code="150900"
    )
    zhuozi = OrgUnitFactory(
        code="150921", name="卓资县", kind=UnitKind.COUNTY, parent=city, division_code="150921"
    )
    huade = OrgUnitFactory(
        code="150922", name="化德县", kind=UnitKind.COUNTY, parent=city, division_code="150922"
    )
    zhuozi_town = OrgUnitFactory(
        code="zhuozi-town", name="卓资镇", kind=UnitKind.DEPARTMENT, parent=zhuozi
    )
    bureau = OrgUnitFactory(
        code="bureau", name="乌兰察布市农牧局", kind=UnitKind.BUREAU, parent=city
    )
    crops = OrgUnitFactory(
        code="sec-crops", name="种植业管理科", kind=UnitKind.SECTION, parent=bureau
    )
    it = OrgUnitFactory(code="sec-it", name="市场与信息化科", kind=UnitKind.SECTION, parent=bureau)
    potato = OrgUnitFactory(
        code="office-potato", name="马铃薯产业办", kind=UnitKind.OFFICE, parent=bureau
    )
    brand = OrgUnitFactory(code="office-brand", name="品牌办", kind=UnitKind.OFFICE, parent=bureau)
    return SimpleNamespace(
        city=city,
        zhuozi=zhuozi,
        huade=huade,
        zhuozi_town=zhuozi_town,
        bureau=bureau,
        crops=crops,
        it=it,
        potato=potato,
        brand=brand,
        leader=person("leader", bureau, (Role.LEADER, None), name="王振华"),
        office=person("office", crops, (Role.OFFICE_MEMBER, potato), name="马晓静"),
        potato_director=person("potato-dir", crops, (Role.OFFICE_DIRECTOR, potato), name="张海龙"),
        brand_staff=person("brand-m1", it, (Role.OFFICE_MEMBER, brand), name="萧然"),
        zhuozi_liaison=person("zhuozi", zhuozi, (Role.COUNTY_LIAISON, zhuozi), name="郭晓军"),
        huade_liaison=person("huade", huade, (Role.COUNTY_LIAISON, huade), name="乔文慧"),
        inspector=person("inspector", bureau, (Role.INSPECTOR, None), name="邵军"),
        sysadmin=person("sysadmin", it, (Role.SYSTEM_ADMIN, None), name="陆一鸣"),
        secadmin=person("secadmin", it, (Role.SECURITY_ADMIN, None), name="姚远"),
        auditor=person("auditor", it, (Role.AUDIT_ADMIN, None), name="汪洁"),
        # A login with neither a unit nor a role.
        outsider=UserFactory(username="outsider", first_name="路人"),
    )
