from collections import Counter

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.test import RequestFactory
from django.utils import timezone, translation

from zhuanban.accounts.models import AccountSecurity
from zhuanban.core import audit
from zhuanban.core.models import AuditEvent, Notification
from zhuanban.demo import org_data, tasks_data
from zhuanban.demo.loader import DEMO_ACCOUNTS
from zhuanban.org.models import Chain, OrgUnit, RoleAssignment
from zhuanban.org.roles import Role, UnitKind
from zhuanban.org.selectors import offices_with_staff
from zhuanban.tasks import selectors
from zhuanban.tasks.deadlines import parse_deadline
from zhuanban.tasks.lifecycle import Status
from zhuanban.tasks.models import (
    ExtensionRequest,
    ExtensionStatus,
    Light,
    Task,
    TaskEvent,
    TaskList,
)

# The task lists of tasks_data (meeting decisions add tasks of their own: documents_data).
LIST_TITLES = [spec["title"] for spec, _keys in tasks_data.LISTS]

BASE_TITLE = "乌兰察布市建设重要农畜产品生产加工基地2023年重点任务单"


def _user(username):
    return get_user_model().objects.get(username=username)


@pytest.mark.usefixtures("loaded", "db")
class TestLoadedDemo:
    def test_the_eleven_counties_have_their_real_codes_in_order(self):
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

    def test_nine_offices_each_with_a_director_and_executive_deputy(self):
        offices = offices_with_staff()
        assert [o.name for o in offices] == [name for _code, name, _duties in org_data.OFFICES]
        for office in offices:
            assert len(office.staff.director) == 1, office.name
            assert len(office.staff.deputies) == 1, office.name
            assert office.staff.members, office.name

    def test_six_chains_and_the_sheep_work_plan_is_missing(self):
        chains = {c.code: c for c in Chain.objects.with_counts()}
        assert [c.short_name for c in Chain.objects.order_by("sort_order")] == list("麦菜薯牛羊乳")
        with translation.override("en"):
            assert chains["sheep"].missing_items() == ["work plan"]
        assert all(not c.missing_items() for code, c in chains.items() if code != "sheep")

    def test_demo_accounts_log_in_with_the_documented_password(self):
        for username, _description in DEMO_ACCOUNTS:
            # django-axes needs the request (it counts failures per address).
            request = RequestFactory().post("/accounts/login/")
            assert authenticate(request, username=username, password=org_data.DEMO_PASSWORD)
        assert RoleAssignment.objects.get(user__username="office").unit.code == "office-potato"
        assert RoleAssignment.objects.get(user__username="zhuozi").role == Role.COUNTY_LIAISON
        assert RoleAssignment.objects.get(user__username="auditor").role == Role.AUDIT_ADMIN

    def test_every_demo_account_is_flagged_for_the_production_check(self):
        flagged = AccountSecurity.objects.filter(is_demo_account=True)
        assert flagged.count() == get_user_model().objects.count()

    def test_loading_twice_changes_nothing(self, capsys):
        def counts():
            return (
                OrgUnit.objects.count(),
                RoleAssignment.objects.count(),
                Chain.objects.count(),
                TaskList.objects.count(),
                Task.objects.count(),
                TaskEvent.objects.count(),
                Notification.objects.count(),
            )

        before = counts()
        call_command("demo")
        assert counts() == before
        out = capsys.readouterr().out
        assert "already loaded" in out
        assert "leader" in out
        assert "Demo@2023" in out

    def test_the_demo_load_is_audited_and_the_chain_verifies(self):
        assert audit.verify_chain() == (True, None)
        # The task lists were worked through the services: every step is in the trail.
        closes = AuditEvent.objects.filter(message="task close")
        assert closes.count() == Task.objects.filter(status=Status.CLOSED).count()
        assert AuditEvent.objects.filter(message="demo data loaded").count() == 1

    # --- task lists ---------------------------------------------------------------------

    def test_the_base_list_has_76_measures_25_closed(self):
        base = TaskList.objects.get(title=BASE_TITLE)
        assert (base.office.code, base.level, base.year) == (
            "office-base",
            "city",
            timezone.localdate().year,
        )
        assert base.source_document == "《乌兰察布市建设国家重要农畜产品生产基地实施方案》"
        measures = base.tasks.leaves()
        assert measures.count() == 76
        assert measures.filter(status=Status.CLOSED).count() == 25
        assert tasks_data.base_measure_count() == (76, 25)
        assert not measures.filter(status=Status.DRAFT).exists()
        # A two-level tree: key tasks (headings without a lead unit) over measures.
        headings = base.tasks.filter(parent=None)
        assert 8 <= headings.count() <= 10
        assert set(measures.values_list("depth", flat=True)) == {1}
        assert not headings.exclude(lead_unit=None).exists()
        # The ledger header tells the seed's story.
        counts = selectors.ledger_counts(Task.objects.filter(task_list=base).with_light())
        assert (counts["total"], counts["closed"]) == (76, 25)

    def test_measures_are_complete_and_their_deadline_texts_read_as_their_dates(self):
        leaders = {name for _username, name, _title in org_data.LEADERS}
        counties = set()
        listed = Task.objects.filter(task_list__title__in=LIST_TITLES)
        for task in listed.leaves().exclude(status=Status.DRAFT).select_related("task_list"):
            assert task.lead_unit_id, task.content
            assert task.lead_unit_id not in {u.pk for u in task.cooperating_units.all()}
            assert task.responsible_leader in leaders, task.content
            assert task.start_date, task.content
            deadline = parse_deadline(task.due_text, task.task_list.year)
            assert deadline.is_ongoing == task.is_ongoing, task.due_text
            assert deadline.due_date == task.original_due_date, (task.content, task.due_text)
            if task.county_id:
                counties.add(task.county_id)
        assert len(counties) == 11  # every county has work
        measures = Task.objects.filter(task_list__title=BASE_TITLE).leaves()
        assert measures.filter(counts_in_assessment=True).count() > measures.count() * 2 // 3
        assert measures.exclude(target_value=None).count() > 30
        assert measures.filter(lead_unit__kind=UnitKind.SECTION).exists()
        assert measures.filter(lead_unit__kind=UnitKind.MEMBER_UNIT).exists()

    def test_the_lights_are_a_realistic_mix(self):
        base = Task.objects.filter(task_list__title=BASE_TITLE).leaves().with_light()
        lights = Counter(base.values_list("light", flat=True))
        assert lights[Light.GREY] == 25
        assert lights[Light.GREEN] > lights[Light.YELLOW] > lights[Light.RED] > 0
        assert lights[Light.NONE] == 0
        # Each measure shows the light its plan says, whatever day the demo is loaded.
        plans = {
            m.content: m.plan for _spec, keys in tasks_data.LISTS for k in keys for m in k.measures
        }
        listed = Task.objects.filter(task_list__title__in=LIST_TITLES)
        for task in listed.leaves().with_light():
            assert task.light == tasks_data.EXPECTED_LIGHT[plans[task.content]], task.content
            assert task.status == tasks_data.leaf_status(plans[task.content]), task.content

    def test_the_story_went_through_the_lifecycle(self):
        closed = Task.objects.get(content__startswith="在察右中旗建设高标准种薯繁育基地1万亩")
        actions = list(closed.events.values_list("action", flat=True))
        assert actions == ["create", "assign", "accept", "report", "request_close", "close"]
        assert closed.reports.get().progress == 100
        assert ExtensionRequest.objects.filter(status=ExtensionStatus.APPROVED).count() == 1
        assert ExtensionRequest.objects.filter(status=ExtensionStatus.PENDING).count() == 2
        extended = ExtensionRequest.objects.get(status=ExtensionStatus.APPROVED).task
        assert extended.due_date > extended.original_due_date
        assert Task.objects.filter(status=Status.RETURNED).count() == 1
        assert TaskEvent.objects.filter(action="reject_close").count() == 1
        assert TaskEvent.objects.filter(
            action="comment", actor__username__in=["leader", "ldr-zhou"]
        )
        cattle = Task.objects.get(content__startswith="全市肉牛存栏新增12万头")
        assert cattle.reports.first().figures == "肉牛存栏新增7.8万头"
        # remind() ran: overdue and due-soon notices exist, and yellow raised an urge.
        assert Notification.objects.filter(kind="task_overdue").exists()
        assert Notification.objects.filter(kind="task_due_soon").exists()
        assert TaskEvent.objects.filter(action="auto_urge").exists()

    @pytest.mark.parametrize("username", ["zhuozi", "huade"])
    def test_county_liaisons_have_work_in_their_inbox(self, username):
        inbox = selectors.inbox(_user(username))
        assert inbox["to_accept"].filter(task_list__office__code="office-potato").exists()
        assert inbox["to_report"].filter(task_list__office__code="office-potato").exists()
        assert inbox["to_report"].filter(task_list__title=BASE_TITLE).exists()
        assert _user(username).notifications.exists()

    def test_the_potato_office_has_work_in_its_inbox(self):
        inbox = selectors.inbox(_user("office"))
        assert inbox["to_verify"].exists()
        assert inbox["returned"].exists()
        assert inbox["extensions"].exists()
        draft = Task.objects.get(
            task_list__office__code="office-potato", lead_unit__code="150921", status=Status.DRAFT
        )
        assert draft.due_date
        assert draft.lead_unit.name == "卓资县"
