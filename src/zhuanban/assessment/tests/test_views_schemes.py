"""The scheme screens: the list by persona, the scheme's form and its errors, the scheme's
page (tree, weight warnings, ranking, lifecycle buttons), the units assessed, the items
and the evidence gaps — who may and who may not."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext, pgettext

from zhuanban.assessment import services
from zhuanban.assessment.lifecycle import SchemeAction, SchemeStatus
from zhuanban.assessment.models import Item, Method, Participant, Scheme
from zhuanban.core.models import AuditEvent

pytestmark = pytest.mark.django_db

TITLE = "2023年度马铃薯产业发展考核"


def html_of(response) -> str:
    return response.content.decode()


def scheme_post(world, **fields) -> dict:
    return {
        "office": world.potato.pk,
        "title": "2023年菜篮子市长负责制考核",
        "year": 2023,
        "assessor": "自治区农牧厅",
        "basis": "",
        "period_start": "2023-01-01",
        "period_end": "2023-12-31",
        "self_due": "",
        "review_due": "",
        "good_from": "90",
        "fairly_good_from": "80",
        "average_from": "60",
    } | fields


def item_post(**fields) -> dict:
    return {
        "title": "产销对接成效",
        "max_score": "5",
        "method": Method.MANUAL,
        "criteria": "",
        "evidence_required": "",
        "responsible_text": "",
    } | fields


def errors_of(html: str, field: str) -> str:
    """The text of the block around one field of a form (its wrapper div)."""
    match = re.search(rf'<div class="form-field field-{field}[^"]*">(.*?)</div>', html, re.S)
    assert match, f"no field {field}"
    return match.group(1)


# --- the list ------------------------------------------------------------------------------


def test_the_list_shows_a_draft_to_the_office_and_the_leader_only(login, world, design):
    url = reverse("assessment:home")
    for who in (world.office, world.leader, world.inspector):
        html = html_of(login(who).get(url))
        assert TITLE in html
        assert "马铃薯产业办" in html
    # Counts: 2 units, none submitted, 5 items scored (the heading is not one).
    row = re.search(rf'<tr id="scheme-{design.scheme.pk}">(.*?)</tr>', html, re.S).group(1)
    assert re.findall(r'<td class="num"[^>]*>([^<]*)</td>', row) == ["2023", "2", "0/2", "5"]
    # Not yet to the counties, never to someone without a role.
    for who in (world.zhuozi_liaison, world.outsider):
        response = login(who).get(url)
        assert response.status_code == 200
        assert TITLE not in html_of(response)
    # The administrators keep the system, not its contents.
    assert login(world.sysadmin).get(url).status_code == 403


def test_a_county_sees_the_scheme_once_it_is_opened(login, world, opened):
    html = html_of(login(world.zhuozi_liaison).get(reverse("assessment:home")))
    assert TITLE in html
    assert reverse("assessment:scheme_create") not in html


def test_the_list_filters_by_year(login, world, design):
    client = login(world.office)
    assert TITLE in html_of(client.get(reverse("assessment:home"), {"year": 2023}))
    assert TITLE not in html_of(client.get(reverse("assessment:home"), {"year": 2024}))


def test_the_list_keeps_its_query_count_as_schemes_grow(login, world, design):
    client = login(world.office)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("assessment:home")).status_code == 200
        return len(ctx.captured_queries)

    services.scheme_save(
        actor=world.office,
        office=world.potato,
        data={"title": "另一考核", "year": 2022, "period_start": "2022-01-01"}
        | {"period_end": datetime.date(2022, 12, 31)},
    )
    few = count()  # 2 schemes
    for n in range(4):
        scheme = services.scheme_save(
            actor=world.office,
            office=world.potato,
            data={
                "title": f"考核{n}",
                "year": 2020 + n,
                "period_start": datetime.date(2020 + n, 1, 1),
                "period_end": datetime.date(2020 + n, 12, 31),
            },
        )
        services.participants_set(actor=world.office, scheme=scheme, units=[world.zhuozi])
    assert Scheme.objects.count() == 6
    assert count() == few


# --- create and edit -----------------------------------------------------------------------


def test_the_office_creates_a_scheme(login, world):
    client = login(world.office)
    page = html_of(client.get(reverse("assessment:scheme_create")))
    assert 'name="office"' in page
    response = client.post(
        reverse("assessment:scheme_create"),
        scheme_post(world, reviewers=[world.potato_director.pk]),
    )
    scheme = Scheme.objects.get(title="2023年菜篮子市长负责制考核")
    assert response.status_code == 302
    assert response["Location"] == reverse("assessment:scheme", args=[scheme.pk])
    assert (scheme.office, scheme.status, scheme.created_by) == (
        world.potato,
        SchemeStatus.DRAFT,
        world.office,
    )
    assert list(scheme.reviewers.all()) == [world.potato_director]
    assert AuditEvent.objects.filter(object_type="assessment.scheme", action="create").exists()


def test_who_may_not_create_a_scheme(login, world):
    url = reverse("assessment:scheme_create")
    # A leader has no office of their own; a county, an outsider and an administrator none.
    for who in (world.leader, world.zhuozi_liaison, world.outsider, world.sysadmin):
        assert login(who).get(url).status_code == 403
        assert login(who).post(url, scheme_post(world)).status_code == 403
    # Another office's staff cannot organise for the potato office.
    response = login(world.brand_staff).post(url, scheme_post(world))
    assert response.status_code == 200
    assert "office" in response.context["form"].errors
    assert not Scheme.objects.exists()


def test_every_problem_of_a_new_scheme_is_shown_by_field_at_once(login, world, design):
    response = login(world.office).post(
        reverse("assessment:scheme_create"),
        scheme_post(
            world,
            title=TITLE,  # the design fixture's, same year
            period_start="2023-06-30",
            period_end="2023-01-01",
            good_from="80",
            fairly_good_from="85",
        ),
    )
    assert response.status_code == 200
    html = html_of(response)
    assert gettext("A scheme with this title already exists for that year.") in errors_of(
        html, "title"
    )
    assert gettext("The end of the period cannot be before its start.") in errors_of(
        html, "period_end"
    )
    assert gettext(
        "Grade bands must descend: good above fairly good above average, none negative."
    ) in errors_of(html, "good_from")
    # What was typed stays in the form.
    assert 'value="2023-06-30"' in html
    assert 'value="85"' in html
    assert Scheme.objects.count() == 1


def test_an_edit_from_a_stale_page_is_refused_and_keeps_what_was_typed(login, world, design):
    scheme = design.scheme
    loaded = scheme.version
    # Someone else saves first.
    services.scheme_save(
        actor=world.potato_director,
        office=world.potato,
        scheme=scheme,
        data={"assessor": "市委农办"},
        expected_version=loaded,
    )
    response = login(world.office).post(
        reverse("assessment:scheme_edit", args=[scheme.pk]),
        scheme_post(world, title="改过的标题", assessor="市农牧局", version=loaded),
    )
    assert response.status_code == 200
    html = html_of(response)
    assert (
        gettext("Someone else changed this in the meantime. Reload the page and try again.") in html
    )
    assert 'value="改过的标题"' in html
    scheme.refresh_from_db()
    assert (scheme.title, scheme.assessor, scheme.version) == (TITLE, "市委农办", loaded + 1)


def test_an_edit_saves_with_the_current_version_and_keeps_the_office(login, world, design):
    scheme = design.scheme
    client = login(world.office)
    page = html_of(client.get(reverse("assessment:scheme_edit", args=[scheme.pk])))
    assert 'name="office"' not in page
    assert f'name="version" value="{scheme.version}"' in page
    response = client.post(
        reverse("assessment:scheme_edit", args=[scheme.pk]),
        scheme_post(
            world, office=world.brand.pk, title=TITLE, assessor="市委农办", version=scheme.version
        ),
    )
    assert response.status_code == 302
    scheme.refresh_from_db()
    assert (scheme.assessor, scheme.office) == ("市委农办", world.potato)


def test_only_the_organising_office_edits(login, world, opened):
    url = reverse("assessment:scheme_edit", args=[opened.scheme.pk])
    for who in (world.leader, world.brand_staff, world.zhuozi_liaison):
        assert login(who).get(url).status_code == 403
    assert login(world.outsider).get(url).status_code == 404
    assert login(world.sysadmin).get(url).status_code == 404


# --- the scheme's page ---------------------------------------------------------------------


def test_the_page_shows_the_tree_in_official_numbers(login, world, design):
    html = html_of(login(world.office).get(reverse("assessment:scheme", args=[design.scheme.pk])))
    numbers = re.findall(r'<td class="nowrap item-number">([^<]*)</td>', html)
    assert numbers == ["一、", "(一)", "(二)", "二、", "三、", "四、"]
    items = design.items
    row = re.search(rf'<tr id="item-{items.notices.pk}"[^>]*>(.*?)</tr>', html, re.S).group(1)
    assert "督办通报扣分" in row
    assert str(Method.NOTICES.label) in row
    assert gettext("%(points)s points deducted per notice") % {"points": "2"} in row
    tasks_row = re.search(rf'<tr id="item-{items.tasks.pk}"[^>]*>(.*?)</tr>', html, re.S).group(1)
    assert "2023年马铃薯重点任务" in tasks_row  # what the automatic item reads
    manual = re.search(rf'<tr id="item-{items.manual.pk}"[^>]*>(.*?)</tr>', html, re.S).group(1)
    assert "总结材料、典型案例" in manual
    assert "成效显著得15分" in manual
    # Designing: the office may change items, add sub-items and choose the units.
    assert reverse("assessment:item_edit", args=[items.manual.pk]) in html
    assert f"?parent={items.heading.pk}" in html
    assert reverse("assessment:scheme_units", args=[design.scheme.pk]) in html
    assert reverse("assessment:scheme_import", args=[design.scheme.pk]) in html


def test_weights_that_do_not_add_up_are_warned_with_the_difference(login, world, design):
    items = design.items
    for item, weight in ((items.heading, 40), (items.indicator, 20), (items.notices, 20)):
        Item.objects.filter(pk=item.pk).update(weight=Decimal(weight))
    Item.objects.filter(pk=items.manual.pk).update(weight=Decimal(15))
    Item.objects.filter(pk=items.dispatch.pk).update(max_score=Decimal(8))
    html = html_of(login(world.office).get(reverse("assessment:scheme", args=[design.scheme.pk])))
    warnings = re.search(r'<ul class="warnings"[^>]*>(.*?)</ul>', html, re.S).group(1)
    assert (
        gettext("Top-level weights add up to %(actual)s, %(gap)s short of %(expected)s.")
        % {
            "actual": "95",
            "gap": "5",
            "expected": "100",
        }
        in warnings
    )
    assert (
        escape(
            gettext(
                "Sub-items of %(item)s add up to %(actual)s points, %(gap)s short of the item's "
                "%(expected)s."
            )
            % {"item": "一、重点任务落实", "actual": "28", "gap": "2", "expected": "30"}
        )
        in warnings
    )
    # Over: the weights at 105.
    Item.objects.filter(pk=items.manual.pk).update(weight=Decimal(25))
    html = html_of(login(world.office).get(reverse("assessment:scheme", args=[design.scheme.pk])))
    assert (
        gettext("Top-level weights add up to %(actual)s, %(gap)s over %(expected)s.")
        % {
            "actual": "105",
            "gap": "5",
            "expected": "100",
        }
        in html
    )


def test_no_warning_when_the_points_add_up(login, world, design):
    html = html_of(login(world.office).get(reverse("assessment:scheme", args=[design.scheme.pk])))
    assert 'class="warnings"' not in html


def ranking_row(html: str, participant) -> list[str]:
    row = re.search(rf'<tr id="unit-{participant.pk}">(.*?)</tr>', html, re.S).group(1)
    return [
        re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)
    ]


def test_the_ranking_shows_totals_grades_and_ranks(login, world, opened):
    html = html_of(login(world.leader).get(reverse("assessment:scheme", args=[opened.scheme.pk])))
    # 化德县: 20 + 10 + 10 + 5 computed; 卓资县 10 + 3.33 + 7.50 + 1; the manual item awaits
    # a score for both, so no grade yet and nothing self-assessed.
    provisional = pgettext("assessment total", "provisional")
    assert ranking_row(html, opened.huade) == [
        "1",
        "化德县",
        "45.00",
        f"45.00 {provisional}",
        "0.00",
        "—",
        "1",
        "0",
        str(opened.huade.get_self_status_display()),
    ]
    assert ranking_row(html, opened.zhuozi)[:4] == ["2", "卓资县", "21.83", f"21.83 {provisional}"]
    assert html.index(f'id="unit-{opened.huade.pk}"') < html.index(f'id="unit-{opened.zhuozi.pk}"')
    assert reverse("assessment:participant", args=[opened.zhuozi.pk]) in html
    # Results and gaps for the bureau.
    assert reverse("assessment:export_scores", args=[opened.scheme.pk]) in html
    assert reverse("assessment:evidence_gaps", args=[opened.scheme.pk]) in html


def test_a_county_sees_its_own_row_with_its_rank_among_all(login, world, opened):
    html = html_of(
        login(world.zhuozi_liaison).get(reverse("assessment:scheme", args=[opened.scheme.pk]))
    )
    assert f'id="unit-{opened.zhuozi.pk}"' in html
    assert f'id="unit-{opened.huade.pk}"' not in html
    assert "化德县" not in html
    rank = gettext("No. %(rank)s of %(total)s") % {"rank": 2, "total": 2}
    assert ranking_row(html, opened.zhuozi)[0] == rank
    # No buttons, no exports, no gaps, no editing.
    assert 'id="actions"' not in html
    assert reverse("assessment:export_scores", args=[opened.scheme.pk]) not in html
    assert reverse("assessment:evidence_gaps", args=[opened.scheme.pk]) not in html
    assert reverse("assessment:scheme_edit", args=[opened.scheme.pk]) not in html


def test_a_county_does_not_see_a_draft_nor_another_countys_scheme(login, world, design):
    url = reverse("assessment:scheme", args=[design.scheme.pk])
    assert login(world.zhuozi_liaison).get(url).status_code == 404
    assert login(world.outsider).get(url).status_code == 404
    assert login(world.auditor).get(url).status_code == 404


def action_buttons(html: str) -> list[str]:
    return re.findall(r'<input type="hidden" name="action" value="([a-z]+)">', html)


def test_the_buttons_are_those_the_lifecycle_allows(login, world, design):
    url = reverse("assessment:scheme", args=[design.scheme.pk])
    assert action_buttons(html_of(login(world.office).get(url))) == [SchemeAction.OPEN]
    # The leader confirms and reopens results, but does not start a scheme.
    assert action_buttons(html_of(login(world.leader).get(url))) == []
    assert action_buttons(html_of(login(world.inspector).get(url))) == []
    services.scheme_act(actor=world.office, scheme=design.scheme, action=SchemeAction.OPEN)
    html = html_of(login(world.office).get(url))
    assert action_buttons(html) == [SchemeAction.REVIEW]
    assert reverse("assessment:scheme_compute", args=[design.scheme.pk]) in html
    # Once open, the design links are gone.
    assert reverse("assessment:scheme_units", args=[design.scheme.pk]) not in html
    assert reverse("assessment:item_create", args=[design.scheme.pk]) not in html
    services.scheme_act(actor=world.office, scheme=design.scheme, action=SchemeAction.REVIEW)
    html = html_of(login(world.office).get(url))
    assert action_buttons(html) == [SchemeAction.BACK, SchemeAction.CLOSE]
    assert 'name="reason"' in html
    assert action_buttons(html_of(login(world.leader).get(url))) == [SchemeAction.CLOSE]


def test_the_office_opens_the_scheme_from_its_page(login, world, design):
    scheme = design.scheme
    response = login(world.office).post(
        reverse("assessment:scheme_act", args=[scheme.pk]),
        {"action": SchemeAction.OPEN, "version": scheme.version},
    )
    assert response.status_code == 302
    scheme.refresh_from_db()
    assert scheme.status == SchemeStatus.SELF
    assert scheme.participants.get(unit=world.zhuozi).scores.count() == 5


def test_a_county_gets_403_posting_an_action_and_nothing_changes(login, world, opened):
    scheme = opened.scheme
    response = login(world.zhuozi_liaison).post(
        reverse("assessment:scheme_act", args=[scheme.pk]),
        {"action": SchemeAction.REVIEW, "version": scheme.version},
    )
    assert response.status_code == 403
    assert (
        login(world.outsider)
        .post(reverse("assessment:scheme_act", args=[scheme.pk]), {"action": SchemeAction.REVIEW})
        .status_code
        == 404
    )
    scheme.refresh_from_db()
    assert scheme.status == SchemeStatus.SELF
    assert (
        login(world.office).get(reverse("assessment:scheme_act", args=[scheme.pk])).status_code
        == 405
    )


def test_going_back_needs_a_reason_and_a_stale_button_is_refused(login, world, opened):
    scheme = services.scheme_act(actor=world.office, scheme=opened.scheme, action="review")
    client = login(world.office)
    url = reverse("assessment:scheme_act", args=[scheme.pk])
    response = client.post(
        url, {"action": SchemeAction.BACK, "version": scheme.version}, follow=True
    )
    assert gettext("Give a reason.") in html_of(response)
    scheme.refresh_from_db()
    assert scheme.status == SchemeStatus.REVIEW
    response = client.post(
        url,
        {"action": SchemeAction.BACK, "reason": "补充佐证材料", "version": scheme.version - 1},
        follow=True,
    )
    assert gettext(
        "Someone else changed this in the meantime. Reload the page and try again."
    ) in html_of(response)
    scheme.refresh_from_db()
    assert scheme.status == SchemeStatus.REVIEW
    client.post(
        url, {"action": SchemeAction.BACK, "reason": "补充佐证材料", "version": scheme.version}
    )
    scheme.refresh_from_db()
    assert scheme.status == SchemeStatus.SELF


def test_recomputing_reports_the_count_and_is_the_offices_alone(login, world, opened):
    url = reverse("assessment:scheme_compute", args=[opened.scheme.pk])
    assert login(world.zhuozi_liaison).post(url).status_code == 403
    assert login(world.leader).post(url).status_code == 403
    response = login(world.office).post(url, follow=True)
    # Four automatic items for two units.
    message = gettext("%(count)s automatic scores were computed from today's data.")
    assert escape(message % {"count": 8}) in html_of(response)


# --- units assessed ------------------------------------------------------------------------


def test_the_office_chooses_the_units_assessed(login, world, design):
    url = reverse("assessment:scheme_units", args=[design.scheme.pk])
    client = login(world.office)
    page = html_of(client.get(url))
    assert "卓资县" in page
    assert "乌兰察布市" in page
    assert "马铃薯产业办" in page  # an office may be assessed too
    response = client.post(url, {"units": [world.huade.pk, world.city.pk]})
    assert response.status_code == 302
    assert set(design.scheme.participants.values_list("unit", flat=True)) == {
        world.huade.pk,
        world.city.pk,
    }
    # None chosen: refused by field, nothing changed.
    response = client.post(url, {})
    assert gettext("Choose at least one unit to assess.") in html_of(response)
    assert design.scheme.participants.count() == 2


def test_units_change_only_in_design_and_only_by_the_office(login, world, opened):
    url = reverse("assessment:scheme_units", args=[opened.scheme.pk])
    assert login(world.zhuozi_liaison).get(url).status_code == 403
    assert login(world.leader).post(url, {"units": [world.city.pk]}).status_code == 403
    response = login(world.office).post(url, {"units": [world.city.pk]})
    assert gettext(
        "Items and units assessed change only while the scheme is being designed."
    ) in html_of(response)
    assert set(opened.scheme.participants.values_list("unit", flat=True)) == {
        world.zhuozi.pk,
        world.huade.pk,
    }


# --- items ---------------------------------------------------------------------------------


def test_the_office_adds_a_sub_item_and_is_taken_to_it(login, world, design):
    heading = design.items.heading
    url = reverse("assessment:item_create", args=[design.scheme.pk]) + f"?parent={heading.pk}"
    client = login(world.office)
    page = html_of(client.get(url))
    assert 'name="weight"' not in page  # a sub-item carries no weight
    response = client.post(
        url,
        item_post(
            title="调度数据质量",
            method=Method.NOTICES,
            points_per_notice="1",
            task_list=design.items.tasks.task_list_id,  # another method's source: dropped
            responsible_units=[world.zhuozi.pk],
        ),
    )
    item = Item.objects.get(title="调度数据质量")
    assert response.status_code == 302
    assert response["Location"] == (
        reverse("assessment:scheme", args=[design.scheme.pk]) + f"#item-{item.pk}"
    )
    assert (item.parent, item.number, item.method) == (heading, "(三)", Method.NOTICES)
    assert item.points_per_notice == Decimal(1)
    assert item.task_list_id is None
    assert list(item.responsible_units.all()) == [world.zhuozi]


def test_an_automatic_item_needs_its_source(login, world, design):
    response = login(world.office).post(
        reverse("assessment:item_create", args=[design.scheme.pk]),
        item_post(title="任务办结", method=Method.TASKS, weight="10"),
    )
    assert response.status_code == 200
    assert gettext("Choose the task list whose tasks are counted.") in errors_of(
        html_of(response), "task_list"
    )
    assert not Item.objects.filter(title="任务办结").exists()


def test_the_office_edits_and_deletes_an_item(login, world, design):
    client = login(world.office)
    manual = design.items.manual
    page = html_of(client.get(reverse("assessment:item_edit", args=[manual.pk])))
    assert "工作成效" in page
    response = client.post(
        reverse("assessment:item_edit", args=[manual.pk]),
        item_post(title="工作成效与创新", max_score="15", weight="", evidence_required="总结"),
    )
    assert response.status_code == 302
    manual.refresh_from_db()
    assert (manual.title, manual.evidence_required) == ("工作成效与创新", "总结")
    response = client.post(reverse("assessment:item_delete", args=[design.items.indicator.pk]))
    assert response.status_code == 302
    assert not Item.objects.filter(pk=design.items.indicator.pk).exists()
    # The others are renumbered: 督办通报扣分 moves up to 二、.
    design.items.notices.refresh_from_db()
    assert design.items.notices.number == "二、"


def test_items_do_not_change_once_the_scheme_is_open(login, world, opened):
    client = login(world.office)
    manual = opened.items.manual
    design_only = gettext(
        "Items and units assessed change only while the scheme is being designed."
    )
    # Pages lead back to the scheme with the reason.
    response = client.get(reverse("assessment:item_edit", args=[manual.pk]), follow=True)
    assert design_only in html_of(response)
    # Posts from a page loaded earlier are refused, nothing changes.
    response = client.post(
        reverse("assessment:item_edit", args=[manual.pk]), item_post(title="改", max_score="15")
    )
    assert design_only in html_of(response)
    response = client.post(
        reverse("assessment:item_create", args=[opened.scheme.pk]), item_post(title="新指标")
    )
    assert design_only in html_of(response)
    response = client.post(reverse("assessment:item_delete", args=[manual.pk]), follow=True)
    assert design_only in html_of(response)
    manual.refresh_from_db()
    assert manual.title == "工作成效"
    assert not Item.objects.filter(title="新指标").exists()
    assert Item.objects.filter(scheme=opened.scheme).count() == 6


def test_who_may_not_touch_items(login, world, design):
    manual = design.items.manual
    for who in (world.leader, world.brand_staff, world.inspector):
        assert login(who).get(reverse("assessment:item_edit", args=[manual.pk])).status_code == 403
        assert (
            login(who).post(reverse("assessment:item_delete", args=[manual.pk])).status_code == 403
        )
        assert (
            login(who)
            .post(reverse("assessment:item_create", args=[design.scheme.pk]), item_post())
            .status_code
            == 403
        )
    # A county does not even see a scheme being designed.
    assert (
        login(world.zhuozi_liaison)
        .get(reverse("assessment:item_edit", args=[manual.pk]))
        .status_code
        == 404
    )
    # A parent from another scheme is not found.
    assert (
        login(world.office)
        .get(reverse("assessment:item_create", args=[design.scheme.pk]) + "?parent=99999")
        .status_code
        == 404
    )
    assert Item.objects.filter(scheme=design.scheme).count() == 6


# --- evidence gaps -------------------------------------------------------------------------


def gap_pairs(html: str, opened) -> set[tuple[str, int]]:
    pairs = set()
    for participant in (opened.zhuozi, opened.huade):
        body = re.search(rf'<tbody id="gaps-{participant.pk}">(.*?)</tbody>', html, re.S)
        if body:
            for item_pk in re.findall(
                rf"/assessment/units/{participant.pk}/#item-(\d+)", body.group(1)
            ):
                pairs.add((participant.unit.name, int(item_pk)))
    return pairs


def test_the_gaps_page_lists_exactly_the_missing_pairs(login, world, opened):
    url = reverse("assessment:evidence_gaps", args=[opened.scheme.pk])
    manual = opened.items.manual
    # Another item asking for evidence, then filed for 卓资县 on the manual item.
    Item.objects.filter(pk=opened.items.tasks.pk).update(evidence_required="办结佐证")
    services.evidence_upload(
        actor=world.zhuozi_liaison,
        participant=opened.zhuozi,
        item=manual,
        upload=SimpleUploadedFile("总结.txt", "工作总结".encode(), content_type="text/plain"),
    )
    html = html_of(login(world.office).get(url))
    assert gap_pairs(html, opened) == {
        ("卓资县", opened.items.tasks.pk),
        ("化德县", opened.items.tasks.pk),
        ("化德县", manual.pk),
    }
    assert f'<tbody id="gaps-{opened.huade.pk}">' in html
    assert html.index("化德县") > html.index("卓资县")  # units in order
    # The leader sees the same.
    assert gap_pairs(html_of(login(world.leader).get(url)), opened) == gap_pairs(html, opened)


def test_the_gaps_page_is_for_the_bureau_only(login, world, opened):
    url = reverse("assessment:evidence_gaps", args=[opened.scheme.pk])
    assert login(world.zhuozi_liaison).get(url).status_code == 403
    assert login(world.outsider).get(url).status_code == 404
    assert login(world.sysadmin).get(url).status_code == 404


def test_participants_are_untouched_by_reading_pages(login, world, opened):
    before = list(Participant.objects.values_list("pk", "total", "version"))
    login(world.office).get(reverse("assessment:scheme", args=[opened.scheme.pk]))
    login(world.office).get(reverse("assessment:evidence_gaps", args=[opened.scheme.pk]))
    assert list(Participant.objects.values_list("pk", "total", "version")) == before


def test_the_scheme_page_keeps_its_query_count_as_items_and_units_grow(login, world, design):
    from zhuanban.org.tests.factories import OrgUnitFactory

    client = login(world.office)
    url = reverse("assessment:scheme", args=[design.scheme.pk])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    units = [
        OrgUnitFactory(
            code=f"1509{n:02d}",
            name=f"旗县{n}",
            kind="county",
            parent=world.city,
            division_code=f"1509{n:02d}",
        )
        for n in range(30, 34)
    ]
    services.participants_set(
        actor=world.office, scheme=design.scheme, units=[world.zhuozi, world.huade, *units]
    )
    for n in range(4):
        services.item_save(
            actor=world.office,
            scheme=design.scheme,
            parent=design.items.heading if n % 2 else None,
            data={"title": f"新增指标{n}", "max_score": Decimal(5), "method": Method.MANUAL},
            responsible_units=units[:2],
        )
    html = html_of(client.get(url))
    assert "新增指标3" in html
    assert "旗县33" in html
    assert count() == few
