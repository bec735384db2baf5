import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.utils import translation

from zhuanban.core import audit
from zhuanban.demo import org_data
from zhuanban.demo.loader import DEMO_ACCOUNTS
from zhuanban.org.models import Chain, OrgUnit, RoleAssignment
from zhuanban.org.roles import Role, UnitKind
from zhuanban.org.selectors import offices_with_staff


@pytest.fixture
def demo(db):
    call_command("demo", "--quiet-accounts")


def test_the_eleven_counties_have_their_real_codes_in_order(demo):
    counties = list(OrgUnit.objects.counties().order_by("sort_order"))
    assert [(c.name, c.division_code) for c in counties] == [
        ("集宁区", "150902"),
        ("丰镇市", "150981"),
        ("卓资县", "150921"),
        ("化德县", "150922"),
        ("商都县", "150923"),
        ("兴和县", "150924"),
        ("凉城县", "150925"),
        ("察哈尔右翼前旗", "150926"),
        ("察哈尔右翼中旗", "150927"),
        ("察哈尔右翼后旗", "150928"),
        ("四子王旗", "150929"),
    ]
    city = OrgUnit.objects.get(kind=UnitKind.CITY)
    assert (city.name, city.division_code) == ("乌兰察布市", "150900")
    assert all(c.parent_id == city.pk for c in counties)


def test_nine_offices_each_with_a_director_and_executive_deputy(demo):
    offices = offices_with_staff()
    assert [o.name for o in offices] == [name for _code, name, _duties in org_data.OFFICES]
    for office in offices:
        assert len(office.staff.director) == 1, office.name
        assert len(office.staff.deputies) == 1, office.name
        assert office.staff.members, office.name


def test_six_chains_and_the_sheep_work_plan_is_missing(demo):
    chains = {c.code: c for c in Chain.objects.with_counts()}
    assert [c.short_name for c in Chain.objects.order_by("sort_order")] == list("麦菜薯牛羊乳")
    with translation.override("en"):
        assert chains["sheep"].missing_items() == ["work plan"]
    assert all(not c.missing_items() for code, c in chains.items() if code != "sheep")


def test_demo_accounts_log_in_with_the_documented_password(demo):
    for username, _description in DEMO_ACCOUNTS:
        assert authenticate(username=username, password=org_data.DEMO_PASSWORD), username
    assert RoleAssignment.objects.get(user__username="office").unit.code == "office-potato"
    assert RoleAssignment.objects.get(user__username="zhuozi").role == Role.COUNTY_LIAISON
    assert RoleAssignment.objects.get(user__username="auditor").role == Role.AUDIT_ADMIN


def test_loading_twice_changes_nothing(demo, capsys):
    counts = (OrgUnit.objects.count(), RoleAssignment.objects.count(), Chain.objects.count())
    call_command("demo")
    assert (
        OrgUnit.objects.count(),
        RoleAssignment.objects.count(),
        Chain.objects.count(),
    ) == counts
    out = capsys.readouterr().out
    assert "already loaded" in out
    assert "leader" in out
    assert "Demo@2023" in out


def test_the_demo_load_is_audited_and_the_chain_verifies(demo):
    assert audit.verify_chain() == (True, None)


@pytest.mark.django_db(transaction=True)
def test_reset_reloads_a_clean_demo():
    # Flushing truncates tables, which PostgreSQL refuses inside the test's transaction.
    call_command("demo", "--quiet-accounts")
    OrgUnit.objects.filter(code="150921").update(name="改过的名字")
    call_command("demo", "--reset", "--quiet-accounts")
    assert OrgUnit.objects.get(code="150921").name == "卓资县"
    assert OrgUnit.objects.counties().count() == 11


def test_the_demo_refuses_to_load_outside_demo_mode(db, settings):
    settings.DEMO_MODE = False
    with pytest.raises(CommandError):
        call_command("demo")
    assert not OrgUnit.objects.exists()
