"""From lagging work to a draft notice in one step: the candidates page (red tasks by
lead unit) offers the office a prefilled draft for one unit or all of them; the notice
form preselects the units it offers and ignores anything else in the link."""

import datetime
import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from zhuanban.dispatch import services as dispatch_services
from zhuanban.dispatch.models import Cadence
from zhuanban.dispatch.tests.conftest import JUNE, LIVESTOCK_SCHEMA
from zhuanban.org.roles import Role, UnitKind
from zhuanban.org.tests.factories import OrgUnitFactory, person
from zhuanban.supervision.forms_notices import prefill_title
from zhuanban.supervision.models import Notice, ReasonKind
from zhuanban.tasks import services as tasks
from zhuanban.tasks.lifecycle import Action

from .notice_fixtures import authority, today

D = datetime.timedelta
CANDIDATES = reverse("tasks:candidates")
CREATE = reverse("supervision:notice_create")


@pytest.fixture
def task_list(world):
    return tasks.tasklist_create(
        actor=world.office,
        office=world.potato,
        title="2023年重点任务清单",
        year=today().year,
        level="city",
    )


@pytest.fixture
def red_task(world, task_list):
    """An assigned task of `unit`'s, overdue by five days."""

    def _make(unit, content="建设种薯繁育基地"):
        task = tasks.task_create(
            actor=world.office,
            task_list=task_list,
            content=content,
            lead_unit=unit,
            start_date=today() - D(days=60),
            due_date=today() - D(days=5),
        )
        return tasks.task_act(actor=world.office, task=task, action=Action.ASSIGN)

    return _make


def draft_links(page: str) -> list[str]:
    """The `?units=` values of the links to a new draft, in page order."""
    return re.findall(re.escape(CREATE) + r"\?units=([^\"]*)\"", html.unescape(page))


def checked_units(page: str) -> set[int]:
    inputs = re.findall(r"<input[^>]*name=\"units\"[^>]*>", page)
    return {int(re.search(r"value=\"(\d+)\"", tag).group(1)) for tag in inputs if "checked" in tag}


def title_value(page: str) -> str:
    tag = re.search(r"<input[^>]*name=\"title\"[^>]*>", page).group(0)
    value = re.search(r"value=\"([^\"]*)\"", tag)
    return html.unescape(value.group(1)) if value else ""


# --- the candidates page ------------------------------------------------------------------


def test_the_office_sees_red_tasks_by_unit_with_a_draft_link_per_unit_and_for_all(
    world, login, red_task
):
    red_task(world.zhuozi, "卓资县种薯基地")
    red_task(world.huade, "化德县冷库")
    red_task(world.zhuozi, "卓资县仓储库")

    page = login(world.office).get(CANDIDATES).content.decode()

    assert page.index("卓资县种薯基地") < page.index("化德县冷库")  # grouped: 卓资县 first
    assert page.index("卓资县仓储库") < page.index("化德县冷库")
    assert f'id="unit-{world.zhuozi.pk}"' in page
    assert f'id="unit-{world.huade.pk}"' in page
    links = draft_links(page)
    every = f"{world.zhuozi.pk},{world.huade.pk}"
    assert links == [every, str(world.zhuozi.pk), str(world.huade.pk)]
    assert gettext("Draft a supervision notice") in page
    assert gettext("Draft a supervision notice for all units shown") in page


def test_a_liaison_sees_their_red_tasks_but_no_draft_link(world, login, red_task):
    red_task(world.zhuozi, "卓资县种薯基地")
    red_task(world.huade, "化德县冷库")

    page = login(world.zhuozi_liaison).get(CANDIDATES).content.decode()

    assert "卓资县种薯基地" in page
    assert "化德县冷库" not in page  # another county's
    assert draft_links(page) == []
    assert gettext("Draft a supervision notice") not in page


def test_an_outsider_sees_no_task_and_no_link(world, login, red_task):
    red_task(world.zhuozi, "卓资县种薯基地")
    page = login(world.outsider).get(CANDIDATES).content.decode()
    assert "卓资县种薯基地" not in page
    assert draft_links(page) == []
    assert gettext("No task is overdue.") in page


def test_a_unit_the_notice_form_does_not_offer_gets_no_link(world, login, red_task):
    red_task(world.bureau, "局机关任务")  # the bureau itself is not a unit a notice concerns
    red_task(world.zhuozi, "卓资县种薯基地")

    page = login(world.office).get(CANDIDATES).content.decode()

    assert "局机关任务" in page
    # 卓资县's own link only: "all units" would offer the same one unit again.
    assert draft_links(page) == [str(world.zhuozi.pk)]
    assert gettext("Draft a supervision notice for all units shown") not in page


def test_the_page_costs_the_same_queries_for_more_units_and_tasks(world, login, red_task):
    client = login(world.office)

    def queries_with(n):
        for i in range(n):
            unit = OrgUnitFactory(
                code=f"dept-{n}-{i}",
                name=f"市直部门{n}-{i}",
                kind=UnitKind.DEPARTMENT,
                parent=world.city,
            )
            person(f"dept-{n}-{i}", unit, (Role.DEPARTMENT_LIAISON, unit))
            red_task(unit, f"任务{n}-{i}")
            red_task(unit, f"另一任务{n}-{i}")
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(CANDIDATES)
        assert response.status_code == 200
        return len(ctx.captured_queries)

    assert queries_with(2) == queries_with(6)


def test_the_page_refuses_post(world, login):
    assert login(world.office).post(CANDIDATES).status_code == 405


# --- the prefilled draft --------------------------------------------------------------------


def test_the_link_preselects_its_units_and_offers_the_title(world, login):
    page = (
        login(world.office)
        .get(CREATE, {"units": f"{world.zhuozi.pk},{world.huade.pk}"})
        .content.decode()
    )
    assert checked_units(page) == {world.zhuozi.pk, world.huade.pk}
    assert title_value(page) == prefill_title()
    assert prefill_title()  # the title offered is never empty


def test_garbage_and_units_not_offered_are_ignored_never_an_error(world, login):
    retired = OrgUnitFactory(
        code="150923",
        name="已撤并县",
        kind=UnitKind.COUNTY,
        parent=world.city,
        division_code="150923",
        is_active=False,
    )
    junk = [
        "abc",
        "",
        "-1",
        "1e3",
        "9" * 5000,  # beyond what int() parses
        "99999999",  # no such unit
        str(world.city.pk),  # not a unit a notice concerns
        str(world.bureau.pk),
        str(retired.pk),
        f" {world.zhuozi.pk} ",
        str(world.zhuozi.pk),  # twice
    ]
    response = login(world.office).get(CREATE, {"units": ",".join(junk)})
    assert response.status_code == 200
    assert checked_units(response.content.decode()) == {world.zhuozi.pk}


def test_an_empty_or_absent_list_preselects_nothing(world, login):
    client = login(world.office)
    empty = client.get(CREATE, {"units": ""}).content.decode()
    assert checked_units(empty) == set()
    plain = client.get(CREATE).content.decode()
    assert checked_units(plain) == set()
    assert title_value(plain) == ""  # a notice started from the list is not prefilled


def test_a_liaison_may_not_open_a_draft_even_from_a_link(world, login):
    response = login(world.zhuozi_liaison).get(CREATE, {"units": str(world.zhuozi.pk)})
    assert response.status_code == 403
    assert not Notice.objects.exists()


def test_from_the_link_to_a_notice_whose_reasons_come_from_the_red_tasks(world, login, red_task):
    red_task(world.zhuozi, "卓资县种薯基地")
    red_task(world.huade, "化德县冷库")
    issuer = authority()
    client = login(world.office)
    page = client.get(CREATE, {"units": str(world.zhuozi.pk)}).content.decode()
    data = {
        "office": world.potato.pk,
        "authority": issuer.pk,
        "kind": "supervision",
        "title": title_value(page),
        "addressees": "卓资县农牧局",
        "units": sorted(checked_units(page)),
        "opening": "现将有关情况通报如下。",
        "requirements": "立即整改",
        "reply_deadline": (today() + D(days=10)).isoformat(),
    }

    response = client.post(CREATE, data)
    notice = Notice.objects.get()
    assert response.status_code == 302
    assert notice.title == prefill_title()
    assert list(notice.units.all()) == [world.zhuozi]

    client.post(reverse("supervision:notice_fill", args=[notice.pk]))
    reasons = list(notice.reasons.all())
    assert [(r.unit, r.kind) for r in reasons] == [(world.zhuozi, ReasonKind.RED_TASK)]
    assert "卓资县种薯基地" in reasons[0].text


def test_a_rounds_missing_units_lead_to_a_draft_about_reports(login, world):
    """The round page links the units that have not reported to a prefilled draft
    titled for late reports."""
    today = timezone.localdate()
    template = dispatch_services.template_create(
        actor=world.office,
        office=world.potato,
        code="livestock",
        title="规模养殖场建设情况统计表",
        schema=LIVESTOCK_SCHEMA,
        units=[world.zhuozi, world.huade],
    )
    round_ = dispatch_services.round_open(
        actor=world.office,
        template=template,
        cadence=Cadence.MONTHLY_DISPATCH,
        period=JUNE,
        opens_on=today - datetime.timedelta(days=5),
        due_on=today - datetime.timedelta(days=1),
        locks_on=today + datetime.timedelta(days=10),
    )
    page = login(world.office).get(reverse("dispatch:round", args=[round_.pk])).content.decode()
    link = re.search(r'href="(/supervision/notices/new/\?topic=reports&amp;units=[0-9,]+)"', page)
    assert link, "the round page offers a draft notice for the units that have not reported"
    url = link.group(1).replace("&amp;", "&")
    form = login(world.office).get(url).context["form"]
    assert set(form.initial["units"]) == {world.zhuozi.pk, world.huade.pk}
    assert form.initial["title"] == prefill_title("reports")
    assert "报送不及时" in form.initial["title"]

    liaison_page = login(world.zhuozi_liaison).get(reverse("dispatch:round", args=[round_.pk]))
    assert "/supervision/notices/new/" not in liaison_page.content.decode()
