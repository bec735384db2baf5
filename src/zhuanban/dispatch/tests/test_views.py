"""The dispatch screens: what each shows, who may see and do what, flat query counts."""

import datetime
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from zhuanban.dispatch import services
from zhuanban.dispatch.models import IndicatorValue, SubmissionStatus, Target, UnitGroup
from zhuanban.dispatch.periods import Period, PeriodKind
from zhuanban.dispatch.tests.conftest import open_round, submission_of
from zhuanban.org.roles import UnitKind
from zhuanban.org.tests.factories import OrgUnitFactory

GOOD = {"beef": "3.2", "dairy": "1.1", "total": "4.3", "farms": "12", "note": "正常"}


def grid_post(values: dict, lock_version: int, action: str, rows: int = 1) -> dict:
    data = {"lock_version": lock_version, "row_count": rows, "action": action}
    data.update({f"cell-0-{key}": value for key, value in values.items()})
    return data


def test_a_liaison_fills_the_grid_sees_cell_errors_and_submits(world, login, livestock_round):
    client = login(world.zhuozi_liaison)
    submission = submission_of(livestock_round, world.zhuozi)
    url = reverse("dispatch:submission", args=[livestock_round.pk, world.zhuozi.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="cell-0-beef"' in page.content.decode()

    bad = dict(GOOD, beef="abc", total="9")
    response = client.post(url, grid_post(bad, submission.lock_version, "submit"))
    assert response.status_code == 422
    html = response.content.decode()
    assert html.count('data-testid="cell-error"') == 2
    assert 'value="abc"' in html  # what was typed stays on screen
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.PENDING

    response = client.post(url, grid_post(GOOD, submission.lock_version, "submit"))
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.SUBMITTED
    assert submission.data[0]["beef"] == "3.20"


def test_saving_a_draft_with_errors_keeps_every_entry(world, login, livestock_round):
    client = login(world.zhuozi_liaison)
    submission = submission_of(livestock_round, world.zhuozi)
    url = reverse("dispatch:submission", args=[livestock_round.pk, world.zhuozi.pk])
    response = client.post(
        url, grid_post(dict(GOOD, farms="十二"), submission.lock_version, "save")
    )
    assert response.status_code == 200
    assert 'value="十二"' in response.content.decode()
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.DRAFT
    assert submission.data[0]["farms"] == "十二"


def test_two_people_saving_the_same_grid_do_not_overwrite_each_other(world, login, livestock_round):
    submission = submission_of(livestock_round, world.zhuozi)
    loaded = submission.lock_version
    services.submission_save(
        actor=world.zhuozi_liaison, submission=submission, rows=[GOOD], expected_version=loaded
    )
    client = login(world.zhuozi_liaison)
    url = reverse("dispatch:submission", args=[livestock_round.pk, world.zhuozi.pk])
    response = client.post(url, grid_post(dict(GOOD, beef="9"), loaded, "save"))
    assert response.status_code == 409
    submission.refresh_from_db()
    assert submission.data[0]["beef"] == "3.20"


def test_other_counties_and_administrators_cannot_see_a_submission(world, login, livestock_round):
    url = reverse("dispatch:submission", args=[livestock_round.pk, world.zhuozi.pk])
    for user in (world.huade_liaison, world.sysadmin, world.auditor, world.outsider):
        assert login(user).get(url).status_code == 404


def test_the_office_returns_with_row_comments_and_approves(world, login, livestock_round):
    submission = submission_of(livestock_round, world.zhuozi)
    services.submission_submit(
        actor=world.zhuozi_liaison, submission=submission, rows=[GOOD], expected_version=None
    )
    client = login(world.office)
    act = reverse("dispatch:submission_act", args=[livestock_round.pk, world.zhuozi.pk])
    page = client.get(reverse("dispatch:submission", args=[livestock_round.pk, world.zhuozi.pk]))
    assert 'data-testid="approve"' in page.content.decode()
    assert 'name="row_comment-0"' in page.content.decode()
    client.post(act, {"action": "return", "comment": "请核实", "row_comment-0": "肉牛数偏低"})
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.RETURNED
    assert submission.row_comments == {"0": "肉牛数偏低"}
    liaison_page = (
        login(world.zhuozi_liaison)
        .get(reverse("dispatch:submission", args=[livestock_round.pk, world.zhuozi.pk]))
        .content.decode()
    )
    assert "肉牛数偏低" in liaison_page
    assert "请核实" in liaison_page


def test_a_liaison_cannot_approve_their_own_table(world, login, livestock_round):
    submission = submission_of(livestock_round, world.zhuozi)
    services.submission_submit(
        actor=world.zhuozi_liaison, submission=submission, rows=[GOOD], expected_version=None
    )
    client = login(world.zhuozi_liaison)
    page = client.get(reverse("dispatch:submission", args=[livestock_round.pk, world.zhuozi.pk]))
    assert 'data-testid="approve"' not in page.content.decode()
    client.post(
        reverse("dispatch:submission_act", args=[livestock_round.pk, world.zhuozi.pk]),
        {"action": "approve"},
    )
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.SUBMITTED


def test_the_round_page_shows_who_has_not_reported_and_urges_them(
    world, login, livestock_round, django_assert_max_num_queries
):
    services.submission_submit(
        actor=world.zhuozi_liaison,
        submission=submission_of(livestock_round, world.zhuozi),
        rows=[GOOD],
        expected_version=None,
    )
    client = login(world.office)
    url = reverse("dispatch:round", args=[livestock_round.pk])
    html = client.get(url).content.decode()
    assert 'data-testid="missing-count">1<' in html
    assert "化德县" in html
    response = client.post(reverse("dispatch:round_urge", args=[livestock_round.pk]))
    assert response.status_code == 302
    assert world.huade_liaison.notifications.filter(kind="dispatch_urge").count() == 1


def test_a_liaison_opening_a_round_lands_on_their_own_table(world, login, livestock_round):
    response = login(world.huade_liaison).get(reverse("dispatch:round", args=[livestock_round.pk]))
    assert response.url == reverse("dispatch:submission", args=[livestock_round.pk, world.huade.pk])
    assert (
        login(world.huade_liaison)
        .post(reverse("dispatch:round_urge", args=[livestock_round.pk]))
        .status_code
        == 403
    )


def test_round_page_queries_stay_flat_as_units_grow(
    world, login, livestock, django_assert_num_queries
):
    def queries_for(round_):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        client = login(world.office)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("dispatch:round", args=[round_.pk])).status_code == 200
        return len(captured)

    small = queries_for(open_round(world, livestock))
    extra = [
        OrgUnitFactory(kind=UnitKind.DEPARTMENT, parent=world.city, name=f"部门{i}")
        for i in range(8)
    ]
    livestock.units.add(*extra)
    big = queries_for(open_round(world, livestock, Period(2023, PeriodKind.MONTH, 7)))
    assert big == small


def test_consolidation_totals_subtotals_and_comparison(
    world, login, livestock, django_assert_max_num_queries
):
    front = UnitGroup.objects.create(name="前山地区", sort_order=1)
    front.units.add(world.zhuozi)
    back = UnitGroup.objects.create(name="后山地区", sort_order=2)
    back.units.add(world.huade)
    may = open_round(world, livestock, Period(2023, PeriodKind.MONTH, 5))
    services.submission_submit(
        actor=world.zhuozi_liaison,
        submission=submission_of(may, world.zhuozi),
        rows=[dict(GOOD, beef="2", total="3.1")],
        expected_version=None,
    )
    june = open_round(world, livestock)
    for liaison, unit, beef in (
        (world.zhuozi_liaison, world.zhuozi, "3.2"),
        (world.huade_liaison, world.huade, "1.5"),
    ):
        total = str(Decimal(beef) + Decimal("1.1"))
        services.submission_submit(
            actor=liaison,
            submission=submission_of(june, unit),
            rows=[dict(GOOD, beef=beef, total=total)],
            expected_version=None,
        )
    client = login(world.leader)
    # 16 for the page, plus django-otp loading the leader's verified second factor.
    with django_assert_max_num_queries(17):
        html = client.get(reverse("dispatch:consolidation", args=[june.pk])).content.decode()
    assert "前山地区" in html
    assert "后山地区" in html
    total_row = html.split('data-testid="total-row"')[1].split("</tr>")[0]
    assert ">4.70<" in total_row  # 3.2 + 1.5
    comparison = html.split('data-testid="comparison"')[1]
    assert ">2.00<" in comparison  # May's total
    assert (
        login(world.zhuozi_liaison)
        .get(reverse("dispatch:consolidation", args=[june.pk]))
        .status_code
        == 403
    )


def test_indicator_page_reads_completion_against_time(world, login, beef_indicator):
    Target.objects.create(
        indicator=beef_indicator, unit=world.city, year=2023, value=Decimal("11.5")
    )
    Target.objects.create(
        indicator=beef_indicator, unit=world.zhuozi, year=2023, value=Decimal("6")
    )
    Target.objects.create(indicator=beef_indicator, unit=world.huade, year=2023, value=Decimal("5"))
    for unit, month, value in (
        (world.zhuozi, 5, "3"),
        (world.zhuozi, 6, "6.8"),
        (world.huade, 6, "1.0"),
    ):
        IndicatorValue.objects.create(
            indicator=beef_indicator,
            unit=unit,
            year=2023,
            period_kind=PeriodKind.MONTH,
            period_number=month,
            period_end=Period(2023, PeriodKind.MONTH, month).end,
            value=Decimal(value),
        )
    html = (
        login(world.leader)
        .get(reverse("dispatch:indicator", args=["beef_increase"]) + "?year=2023")
        .content.decode()
    )
    summary = html.split('data-testid="indicator-summary"')[1].split("</p>")[0]
    assert "7.80" in summary
    assert "67.8%" in summary
    assert "50.0%" in summary
    ranking = html.split('data-testid="ranking"')[1]
    assert ranking.index("卓资县") < ranking.index("化德县")  # 113.3% before 20%
    huade_row = ranking.split("化德县")[1].split("</tr>")[0]
    assert "light-yellow" in huade_row  # 20% against 50% of the year gone: 30 points behind


def test_the_overview_lists_open_rounds_for_the_bureau_and_own_tables_for_a_county(
    world, login, livestock_round, projects_round
):
    office_html = login(world.office).get(reverse("dispatch:home")).content.decode()
    rounds = office_html.split('data-testid="open-rounds"')[1]
    assert livestock_round.title in rounds
    assert projects_round.title in rounds
    county_html = login(world.zhuozi_liaison).get(reverse("dispatch:home")).content.decode()
    mine = county_html.split('data-testid="my-tables"')[1]
    assert (
        mine.count(reverse("dispatch:submission", args=[livestock_round.pk, world.zhuozi.pk])) == 1
    )
    assert str(world.huade.pk) not in mine.split("</table>")[0].split("/units/")[1][:5]


def test_an_office_defines_a_table_with_columns_and_rules(world, login):
    client = login(world.office)
    form = {
        "office": world.potato.pk,
        "title": "设施农业统计表",
        "code": "facility",
        "row_mode": "per_unit",
        "instructions": "",
        "units": [world.zhuozi.pk, world.huade.pk],
        "rules": "started <= planned\nbogus rule",
        "columns-TOTAL_FORMS": 3,
        "columns-INITIAL_FORMS": 0,
        "columns-MIN_NUM_FORMS": 0,
        "columns-MAX_NUM_FORMS": 1000,
        "columns-0-key": "planned",
        "columns-0-label": "计划面积",
        "columns-0-type": "decimal",
        "columns-0-decimals": 1,
        "columns-0-unit": "亩",
        "columns-0-min": "0",
        "columns-1-key": "started",
        "columns-1-label": "开工面积",
        "columns-1-type": "decimal",
        "columns-1-decimals": 1,
        "columns-1-unit": "亩",
    }
    response = client.post(reverse("dispatch:template_create"), form)
    assert response.status_code == 200  # the unreadable rule is reported, nothing saved
    assert "bogus rule" in response.content.decode()
    form["rules"] = "started <= planned"
    response = client.post(reverse("dispatch:template_create"), form)
    assert response.status_code == 302
    detail = client.get(response.url).content.decode()
    assert "计划面积（亩）" in detail
    assert "started &lt;= planned" in detail
    assert login(world.zhuozi_liaison).get(reverse("dispatch:template_create")).status_code == 403


def test_editing_a_table_already_sent_out_keeps_old_rounds_on_their_version(
    world, login, livestock, livestock_round
):
    client = login(world.office)
    url = reverse("dispatch:template_edit", args=[livestock.pk])
    page = client.get(url)
    assert 'value="beef"' in page.content.decode()
    form = page.context["form"]
    formset = page.context["formset"]
    data = {
        "title": livestock.title,
        "row_mode": "per_unit",
        "instructions": "",
        "lock_version": livestock.lock_version,
        "units": [world.zhuozi.pk],
        "rules": "total = beef + dairy",
    }
    data.update({f"columns-{k}": v for k, v in formset.management_form.initial.items()})
    data["columns-TOTAL_FORMS"] = len(formset.forms)
    for i, f in enumerate(formset.forms):
        for name, _field in f.fields.items():
            value = f.initial.get(name)
            if value not in (None, False, ""):
                data[f"columns-{i}-{name}"] = value
    data["columns-5-key"], data["columns-5-label"], data["columns-5-type"] = (
        "sheep",
        "肉羊存栏",
        "integer",
    )
    data["columns-TOTAL_FORMS"] = max(data["columns-TOTAL_FORMS"], 6)
    assert form.instance == livestock
    response = client.post(url, data)
    assert response.status_code == 302, (
        response.context["form"].errors,
        response.context["formset"].errors,
    )
    livestock.refresh_from_db()
    assert livestock.latest_version().number == 2
    assert [c.key for c in livestock.latest_version().table.columns][-1] == "sheep"
    livestock_round.refresh_from_db()
    assert livestock_round.template_version.number == 1


def test_sending_a_table_out_creates_a_round_with_a_submission_per_unit(world, login, livestock):
    client = login(world.office)
    today = timezone.localdate()
    response = client.post(
        reverse("dispatch:round_create", args=[livestock.pk]),
        {
            "cadence": "monthly_dispatch",
            "period_kind": "month",
            "year": 2023,
            "period_number": 7,
            "opens_on": today,
            "due_on": today + datetime.timedelta(days=3),
            "locks_on": today + datetime.timedelta(days=1),
            "units": [world.zhuozi.pk, world.huade.pk],
        },
    )
    assert response.status_code == 200  # lock before due refused
    response = client.post(
        reverse("dispatch:round_create", args=[livestock.pk]),
        {
            "cadence": "monthly_dispatch",
            "period_kind": "month",
            "year": 2023,
            "period_number": 7,
            "opens_on": today,
            "due_on": today + datetime.timedelta(days=3),
            "locks_on": today + datetime.timedelta(days=8),
            "units": [world.zhuozi.pk, world.huade.pk],
        },
    )
    assert response.status_code == 302
    round_ = livestock.rounds.get()
    assert sorted(round_.submissions.values_list("unit__name", flat=True)) == sorted(
        ["卓资县", "化德县"]
    )
    assert (
        login(world.brand_staff)
        .get(reverse("dispatch:round_create", args=[livestock.pk]))
        .status_code
        == 403
    )


def test_versions_page_shows_what_changed_between_submissions(world, login, livestock_round):
    submission = submission_of(livestock_round, world.zhuozi)
    services.submission_submit(
        actor=world.zhuozi_liaison, submission=submission, rows=[GOOD], expected_version=None
    )
    services.submission_return(actor=world.office, submission=submission, comment="请核实")
    services.submission_submit(
        actor=world.zhuozi_liaison,
        submission=submission,
        rows=[dict(GOOD, beef="4.2", total="5.3")],
        expected_version=None,
    )
    html = (
        login(world.office)
        .get(reverse("dispatch:submission_versions", args=[livestock_round.pk, world.zhuozi.pk]))
        .content.decode()
    )
    changes = html.split('data-testid="changes"')[1].split("</table>")[0]
    assert "<del>3.20</del>" in changes
    assert "<ins>4.20</ins>" in changes
    assert "肉牛存栏（万头）" in changes
    assert "farms" not in changes


def test_a_snapshot_shows_figures_as_they_stood_at_lock(world, login, livestock_round):
    submission = submission_of(livestock_round, world.zhuozi)
    services.submission_submit(
        actor=world.zhuozi_liaison, submission=submission, rows=[GOOD], expected_version=None
    )
    snap = services.round_lock(actor=world.office, round_=livestock_round)
    services.submission_return(actor=world.office, submission=submission, comment="更正")
    services.submission_submit(
        actor=world.zhuozi_liaison,
        submission=submission,
        rows=[dict(GOOD, beef="5", total="6.1")],
        expected_version=None,
    )
    url = reverse("dispatch:snapshot", args=[livestock_round.pk, snap.pk])
    html = login(world.leader).get(url).content.decode()
    assert "3.20" in html.split('data-testid="snapshot"')[1]
    assert "5.00" not in html.split('data-testid="snapshot"')[1]
    assert login(world.zhuozi_liaison).get(url).status_code == 403


def test_indicator_list_for_a_county_shows_only_its_own_line(world, login, beef_indicator):
    Target.objects.create(
        indicator=beef_indicator, unit=world.zhuozi, year=2023, value=Decimal("6")
    )
    Target.objects.create(indicator=beef_indicator, unit=world.huade, year=2023, value=Decimal("5"))
    for unit, value in ((world.zhuozi, "3"), (world.huade, "4")):
        IndicatorValue.objects.create(
            indicator=beef_indicator,
            unit=unit,
            year=2023,
            period_kind="month",
            period_number=6,
            period_end=datetime.date(2023, 6, 30),
            value=Decimal(value),
        )
    html = (
        login(world.zhuozi_liaison)
        .get(reverse("dispatch:indicator", args=["beef_increase"]) + "?year=2023")
        .content.decode()
    )
    ranking = html.split('data-testid="ranking"')[1].split("</table>")[0]
    assert "卓资县" in ranking
    assert "化德县" not in ranking
    assert ">2<" in ranking  # 50% ranks second after 化德县's 80%
    assert 'data-testid="indicator-summary"' not in html
    assert (
        "肉牛存栏增量"
        in login(world.leader).get(reverse("dispatch:indicators") + "?year=2023").content.decode()
    )
    assert (
        login(world.sysadmin).get(reverse("dispatch:indicator", args=["beef_increase"])).status_code
        == 404
    )


def test_the_office_sets_annual_targets_and_others_may_not(world, login, beef_indicator):
    url = reverse("dispatch:targets", args=["beef_increase"]) + "?year=2023"
    client = login(world.office)
    assert "卓资县" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "year": 2023,
            f"unit_{world.city.pk}": "11.5",
            f"unit_{world.zhuozi.pk}": "6",
            f"unit_{world.huade.pk}": "-1",
        },
    )
    assert response.status_code == 200  # a negative target is refused, nothing saved
    assert not Target.objects.exists()
    client.post(
        url,
        {
            "year": 2023,
            f"unit_{world.city.pk}": "11.5",
            f"unit_{world.zhuozi.pk}": "6",
            f"unit_{world.huade.pk}": "5",
        },
    )
    assert dict(Target.objects.values_list("unit__name", "value")) == {
        "乌兰察布市": Decimal("11.5"),
        "卓资县": Decimal("6"),
        "化德县": Decimal("5"),
    }
    for user in (world.brand_staff, world.zhuozi_liaison, world.leader):
        assert (
            login(user).post(url, {"year": 2023, f"unit_{world.city.pk}": "1"}).status_code == 403
        )
    assert Target.objects.get(unit=world.city).value == Decimal("11.5")


def test_an_office_defines_an_indicator(world, login):
    client = login(world.office)
    response = client.post(
        reverse("dispatch:indicator_create"),
        {
            "name": "设施农业开工面积",
            "code": "facility_area",
            "unit_of_measure": "亩",
            "aggregation": "latest",
            "higher_is_better": "on",
            "decimals": 9,
            "office": world.potato.pk,
        },
    )
    assert response.status_code == 200
    assert "decimals" in response.context["form"].errors
    response = client.post(
        reverse("dispatch:indicator_create"),
        {
            "name": "设施农业开工面积",
            "code": "facility_area",
            "unit_of_measure": "亩",
            "aggregation": "latest",
            "higher_is_better": "on",
            "decimals": 1,
            "office": world.potato.pk,
        },
    )
    assert response.url == reverse("dispatch:indicator", args=["facility_area"])
    assert login(world.zhuozi_liaison).get(reverse("dispatch:indicator_create")).status_code == 403
    assert (
        login(world.brand_staff)
        .get(reverse("dispatch:indicator_edit", args=["facility_area"]))
        .status_code
        == 403
    )


def test_the_office_sets_a_tables_schedule(world, login, livestock):
    url = reverse("dispatch:schedule", args=[livestock.pk])
    client = login(world.office)
    response = client.post(
        url,
        {
            "cadence": "monthly_dispatch",
            "opens_before_end": 25,
            "due_after_end": 5,
            "locks_after_end": 10,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    detail = client.get(reverse("dispatch:template", args=[livestock.pk])).content.decode()
    assert "25" in detail.split('data-testid="schedules"')[1].split("</ul>")[0]
    assert (
        login(world.zhuozi_liaison).get(url).status_code == 403
    )  # sees the table, may not change it
    assert login(world.brand_staff).post(url, {"cadence": "monthly_dispatch"}).status_code == 403


def test_a_tables_page_shows_each_units_year_at_a_glance(
    world, login, livestock, django_assert_max_num_queries
):
    may = open_round(world, livestock, Period(2023, PeriodKind.MONTH, 5))
    june = open_round(world, livestock)
    for round_ in (may, june):
        services.submission_submit(
            actor=world.zhuozi_liaison,
            submission=submission_of(round_, world.zhuozi),
            rows=[GOOD],
            expected_version=None,
        )
    html = (
        login(world.leader)
        .get(reverse("dispatch:template", args=[livestock.pk]) + "?year=2023")
        .content.decode()
    )
    grid = html.split('data-testid="reporting-grid"')[1].split("</table>")[0]
    zhuozi_row = grid.split("卓资县")[1].split("</tr>")[0]
    huade_row = grid.split("化德县")[1].split("</tr>")[0]
    assert ">2/2<" in zhuozi_row
    assert ">0/2<" in huade_row
    assert 'num bad">2<' in huade_row  # missing both months
    assert (
        'data-testid="reporting-grid"'
        not in login(world.zhuozi_liaison)
        .get(reverse("dispatch:template", args=[livestock.pk]))
        .content.decode()
    )


def test_the_office_enters_an_indicators_values_for_a_period(world, login, beef_indicator):
    from zhuanban.core.models import AuditEvent

    url = reverse("dispatch:values", args=["beef_increase"]) + "?period=2023-M06"
    client = login(world.office)
    assert "2023" in client.get(url).content.decode()
    response = client.post(
        url,
        {"period": "2023-M06", f"unit_{world.zhuozi.pk}": "1.25", f"unit_{world.huade.pk}": "abc"},
    )
    assert response.status_code == 200
    assert not IndicatorValue.objects.exists()
    client.post(url, {"period": "2023-M06", f"unit_{world.zhuozi.pk}": "1.25"})
    value = IndicatorValue.objects.get()
    assert (value.unit, value.period_end, value.value) == (
        world.zhuozi,
        datetime.date(2023, 6, 30),
        Decimal("1.25"),
    )
    assert AuditEvent.objects.filter(object_type="dispatch.indicatorvalue").count() == 1
    for user in (world.brand_staff, world.zhuozi_liaison):
        assert (
            login(user)
            .post(url, {"period": "2023-M06", f"unit_{world.zhuozi.pk}": "9"})
            .status_code
            == 403
        )


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_overview_and_indicator_pages_keep_their_query_count_as_data_grows(
    world, login, livestock, beef_indicator
):
    from zhuanban.dispatch.models import Indicator

    client = login(world.leader)
    # Latest-value indicators take one query, the others one more, whatever their number.
    Indicator.objects.create(
        code="attracted", name="招引项目数", aggregation="sum", office=world.potato
    )
    open_round(world, livestock, Period(2023, PeriodKind.MONTH, 1))
    IndicatorValue.objects.create(
        indicator=beef_indicator,
        unit=world.zhuozi,
        year=2023,
        period_kind="month",
        period_number=1,
        period_end=datetime.date(2023, 1, 31),
        value=Decimal(1),
    )
    small = (
        _queries(client, reverse("dispatch:home")),
        _queries(client, reverse("dispatch:indicators") + "?year=2023"),
        _queries(client, reverse("dispatch:indicator", args=["beef_increase"]) + "?year=2023"),
    )
    for month in range(2, 7):
        open_round(world, livestock, Period(2023, PeriodKind.MONTH, month))
        for unit in (world.zhuozi, world.huade):
            IndicatorValue.objects.create(
                indicator=beef_indicator,
                unit=unit,
                year=2023,
                period_kind="month",
                period_number=month,
                period_end=Period(2023, PeriodKind.MONTH, month).end,
                value=Decimal(month),
            )
    for code, aggregation in (
        ("dairy", "latest"),
        ("projects", "sum"),
        ("area", "max"),
        ("price", "average"),
    ):
        indicator = Indicator.objects.create(
            code=code, name=code, aggregation=aggregation, office=world.potato
        )
        Target.objects.create(indicator=indicator, unit=world.zhuozi, year=2023, value=Decimal(10))
        IndicatorValue.objects.create(
            indicator=indicator,
            unit=world.zhuozi,
            year=2023,
            period_kind="month",
            period_number=3,
            period_end=datetime.date(2023, 3, 31),
            value=Decimal(4),
        )
    big = (
        _queries(client, reverse("dispatch:home")),
        _queries(client, reverse("dispatch:indicators") + "?year=2023"),
        _queries(client, reverse("dispatch:indicator", args=["beef_increase"]) + "?year=2023"),
    )
    assert big == small


def test_an_indicator_takes_one_kind_of_period_a_year_so_nothing_counts_twice(
    world, login, beef_indicator
):
    url = reverse("dispatch:values", args=["beef_increase"])
    client = login(world.office)
    client.post(url, {"period": "2023-M06", f"unit_{world.zhuozi.pk}": "1"})
    response = client.post(
        url, {"period": "2023-Q2", f"unit_{world.zhuozi.pk}": "3", f"unit_{world.huade.pk}": "2"}
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert list(IndicatorValue.objects.values_list("period_kind", flat=True)) == [
        "month"
    ]  # nothing of the quarter saved
    assert "2023-Q2" in client.get(url + "?period=2023-Q2").content.decode()
