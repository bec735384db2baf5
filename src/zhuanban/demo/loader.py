"""Loads the Ulanqab demo through the same services the app uses (so it is validated
and audited as the system's own work)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from zhuanban.accounts import services as accounts
from zhuanban.demo import org_data as d
from zhuanban.demo.assessment_data import load_assessment
from zhuanban.demo.brand_data import load_brand
from zhuanban.demo.dispatch_data import load_dispatch
from zhuanban.demo.documents_data import load_documents
from zhuanban.demo.investment_data import load_investment
from zhuanban.demo.reports_data import load_reports
from zhuanban.demo.supervision_data import load_supervision
from zhuanban.demo.tasks_data import load_tasks
from zhuanban.org import services as org
from zhuanban.org.models import Chain, ChainExpert, ChainWorkingGroupMember, OrgUnit
from zhuanban.org.roles import Role, UnitKind

User = get_user_model()

# The accounts a newcomer is told about (README, `zhuanban demo` output).
DEMO_ACCOUNTS = [
    ("leader", "Bureau leader, sees everything"),
    ("office", "Staff of the potato industry office"),
    ("zhuozi", "Liaison of Zhuozi County (卓资县)"),
    ("huade", "Liaison of Huade County (化德县)"),
    ("inspector", "Inspector (supervision groups)"),
    ("brand-dir", "Director of the brand office: the 原味乌兰察布 register"),
    ("yinshan", "Login of the enterprise 阴山优麦 (brand applicant)"),
    ("sysadmin", "System administrator: accounts and organisation"),
    ("secadmin", "Security administrator: security policy"),
    ("auditor", "Audit administrator: reads the audit trail"),
]


def is_loaded() -> bool:
    return OrgUnit.objects.filter(code=d.CITY["code"]).exists()


def _unit(code, name, kind, parent, order, short_name="", division_code=None, duties=""):
    return org.unit_save(
        actor=None,
        unit=OrgUnit(
            code=code,
            name=name,
            short_name=short_name,
            kind=kind,
            parent=parent,
            sort_order=order,
            division_code=division_code,
            duties=duties,
        ),
    )


@transaction.atomic
def load() -> None:
    password_hash = make_password(d.DEMO_PASSWORD)  # hashed once: PBKDF2 is slow on purpose
    units: dict[str, OrgUnit] = {}
    users: dict[str, object] = {}

    city = _unit(d.CITY["code"], d.CITY["name"], UnitKind.CITY, None, 0, division_code="150900")
    units[city.code] = city
    for order, (code, name, short) in enumerate(d.COUNTIES, start=1):
        units[code] = _unit(code, name, UnitKind.COUNTY, city, order, short, division_code=code)
    bureau = _unit(
        d.BUREAU["code"], d.BUREAU["name"], UnitKind.BUREAU, city, 100, d.BUREAU["short_name"]
    )
    units[bureau.code] = bureau
    for order, (code, name) in enumerate(d.SECTIONS, start=1):
        units[code] = _unit(code, name, UnitKind.SECTION, bureau, order)
    for order, (code, name, duties) in enumerate(d.OFFICES, start=1):
        units[code] = _unit(code, name, UnitKind.OFFICE, bureau, 100 + order, duties=duties)
    for order, (code, name) in enumerate(d.MEMBER_UNITS, start=1):
        units[code] = _unit(code, name, UnitKind.MEMBER_UNIT, city, 200 + order)
    for order, (code, name) in enumerate(d.ASSOCIATIONS, start=1):
        units[code] = _unit(code, name, UnitKind.ASSOCIATION, city, 300 + order)

    def person(username, name, title, unit_code, *roles):
        user = org.person_create(
            actor=None,
            username=username,
            name=name,
            unit=units[unit_code],
            title=title,
            password_hash=password_hash,
        )
        for role, role_unit in roles:
            org.role_assign(actor=None, user=user, role=role, unit=role_unit)
        # Published password: usable in demo mode only, refused in production (accounts.E001).
        accounts.mark_demo_account(user=user)
        users[username] = user
        return user

    for username, name, title in d.LEADERS:
        person(username, name, title, "bureau", (Role.LEADER, None))
    for office_code, (director, deputy, members) in d.OFFICE_STAFF.items():
        office = units[office_code]
        for (username, name, title, unit_code), role in [
            (director, Role.OFFICE_DIRECTOR),
            (deputy, Role.OFFICE_DEPUTY),
            *[(m, Role.OFFICE_MEMBER) for m in members],
        ]:
            person(username, name, title, unit_code, (role, office))
    for username, name, county_code in d.COUNTY_LIAISONS:
        county = units[county_code]
        person(username, name, "联络员", county_code, (Role.COUNTY_LIAISON, county))
    for username, name, unit_code in d.DEPARTMENT_LIAISONS:
        person(username, name, "联络员", unit_code, (Role.DEPARTMENT_LIAISON, units[unit_code]))
    for username, name, title, unit_code, role in d.OTHER_PEOPLE:
        person(username, name, title, unit_code, (role, None))

    for order, spec in enumerate(d.CHAINS, start=1):
        chain = org.record_save(
            actor=None,
            instance=Chain(
                code=spec["code"],
                name=spec["name"],
                short_name=spec["short_name"],
                sort_order=order,
                leader=users[spec["leader"]],
                lead_section=units[spec["lead_section"]],
                lead_office=units[spec["lead_office"]] if spec["lead_office"] else None,
                expert_team_name=spec["expert_team_name"],
                work_plan_title=spec["work_plan_title"],
                work_plan_number=spec["work_plan_number"],
                working_group_name=spec["working_group_name"],
            ),
        )
        for index, (name, title, affiliation, specialty, is_head) in enumerate(spec["experts"]):
            org.record_save(
                actor=None,
                instance=ChainExpert(
                    chain=chain,
                    name=name,
                    title=title,
                    affiliation=affiliation,
                    specialty=specialty,
                    is_head=is_head,
                    sort_order=index,
                ),
            )
        for index, (username, duty) in enumerate(spec["working_group"]):
            org.record_save(
                actor=None,
                instance=ChainWorkingGroupMember(
                    chain=chain, user=users[username], duty=duty, sort_order=index
                ),
            )

    load_tasks()
    load_dispatch()
    load_supervision()
    load_assessment()
    load_documents()

    def enterprise_login(username, name, title, unit):
        # An enterprise's unit is created with the enterprise, by the brand register.
        units[unit.code] = unit
        return person(username, name, title, unit.code)

    load_brand(login=enterprise_login)
    load_investment()
    load_reports()
