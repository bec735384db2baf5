"""Personas shared by every test (STYLE.md): a small Ulanqab with two counties and two
offices, and one person per role, plus an outsider who holds no role."""

from types import SimpleNamespace

import pytest
from django.core.cache import caches
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhuanban.accounts.middleware import remember_clear
from zhuanban.accounts.policy import two_factor_required
from zhuanban.org.roles import Role, UnitKind
from zhuanban.org.tests.factories import OrgUnitFactory, UserFactory, person

PASSWORD = "Demo@2023"


@pytest.fixture
def world(db):
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


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counters live in the cache: every test starts with none."""
    caches["default"].clear()


@pytest.fixture
def login(client):
    """Log a persona in on the test client and return the client.

    Roles that require two-factor authentication (leader, the three administrators) get a
    confirmed TOTP device and a session verified with it, as django_otp.login() does."""

    def _login(user):
        client.force_login(user)
        if two_factor_required(user):
            device = TOTPDevice.objects.filter(
                user=user, confirmed=True
            ).first() or TOTPDevice.objects.create(user=user, name="test", confirmed=True)
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            # The policy middleware would note this on the first page; noting it now keeps
            # query counts the same from the first request on, as for other personas.
            remember_clear(session, user)
            session.save()
        return client

    return _login
