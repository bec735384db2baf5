"""/api/v1/dispatch: the same scoping, lifecycle and validation as the screens."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from zhuanban.dispatch import services
from zhuanban.dispatch.models import Cadence, DataValue, SubmissionRevision, SubmissionStatus
from zhuanban.dispatch.periods import Period, PeriodKind
from zhuanban.dispatch.tests.conftest import open_round, submission_of
from zhuanban.org import services as org_services

API = "/api/v1/dispatch"
GOOD = [{"beef": "3.2", "dairy": "1.1", "total": "4.3", "farms": 12, "note": "正常"}]


def put(client, url, body, **kwargs):
    return client.put(url, body, content_type="application/json", **kwargs)


def post(client, url, body=None, **kwargs):
    return client.post(url, body or {}, content_type="application/json", **kwargs)


def submit(world, round_, unit, liaison, rows=GOOD):
    submission = submission_of(round_, unit)
    services.submission_submit(
        actor=liaison, submission=submission, rows=rows, expected_version=None
    )
    return submission


def sub_url(round_, unit):
    return f"{API}/rounds/{round_.pk}/submissions/{unit.code}"


# --- rounds ---------------------------------------------------------------------------------


def test_rounds_list_with_completeness_and_filters(login, world, livestock_round, projects):
    submit(world, livestock_round, world.zhuozi, world.zhuozi_liaison)
    later = open_round(world, projects, Period(2024, PeriodKind.MONTH, 1))
    later.locked_at = timezone.now()
    later.save()

    body = login(world.leader).get(f"{API}/rounds").json()
    assert body["count"] == 2
    assert [r["id"] for r in body["items"]] == [later.pk, livestock_round.pk]
    june = body["items"][1]
    assert (june["template"], june["period_key"], june["state"]) == (
        "livestock",
        "2023-M06",
        "open",
    )
    assert june["office"]["code"] == "office-potato"
    counts = june["completeness"]
    assert (counts["expected"], counts["submitted"], counts["on_time"]) == (2, 1, 1)
    assert (counts["late"], counts["missing"], counts["approved"]) == (0, 1, 0)

    client = login(world.leader)
    assert client.get(f"{API}/rounds", {"template": "projects"}).json()["count"] == 1
    assert client.get(f"{API}/rounds", {"year": 2023}).json()["items"][0]["id"] == (
        livestock_round.pk
    )
    for state, expected in (
        ("open", [livestock_round.pk]),
        ("locked", [later.pk]),
        ("overdue", []),
        ("scheduled", []),
    ):
        items = client.get(f"{API}/rounds", {"state": state}).json()["items"]
        assert [r["id"] for r in items] == expected, state
    assert client.get(f"{API}/rounds", {"state": "later"}).status_code == 422


def test_round_states_filter_like_the_model_computes_them(login, world, livestock):
    today = timezone.localdate()
    rounds = {}
    for number, (opens, due) in enumerate(((-5, 5), (-10, -1), (3, 8)), start=1):
        round_ = open_round(world, livestock, Period(2023, PeriodKind.MONTH, number))
        round_.opens_on = today + datetime.timedelta(days=opens)
        round_.due_on = today + datetime.timedelta(days=due)
        round_.save()
        rounds[round_.state()] = round_.pk
    assert set(rounds) == {"open", "overdue", "scheduled"}
    client = login(world.office)
    for state, pk in rounds.items():
        items = client.get(f"{API}/rounds", {"state": state}).json()["items"]
        assert [(r["id"], r["state"]) for r in items] == [(pk, state)]


def test_a_county_counts_only_its_own_submissions(login, world, livestock_round):
    submit(world, livestock_round, world.zhuozi, world.zhuozi_liaison)
    body = login(world.huade_liaison).get(f"{API}/rounds").json()
    assert body["count"] == 1
    counts = body["items"][0]["completeness"]
    assert (counts["expected"], counts["submitted"], counts["missing"]) == (1, 0, 1)


def test_rounds_list_takes_the_same_number_of_queries_for_2_or_8_rounds(login, world, livestock):
    client = login(world.office)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"{API}/rounds")
        assert response.status_code == 200
        return len(captured), response.json()["count"]

    for number in (1, 2):
        open_round(world, livestock, Period(2023, PeriodKind.MONTH, number))
    few = queries()
    for number in range(3, 9):
        open_round(world, livestock, Period(2023, PeriodKind.MONTH, number))
    many = queries()
    assert (few[1], many[1]) == (2, 8)
    assert few[0] == many[0]


def test_round_detail_has_columns_and_a_line_per_visible_unit(login, world, livestock_round):
    submit(world, livestock_round, world.zhuozi, world.zhuozi_liaison)
    url = f"{API}/rounds/{livestock_round.pk}"
    body = login(world.leader).get(url).json()
    assert [c["key"] for c in body["columns"]] == ["beef", "dairy", "total", "farms", "note"]
    beef = body["columns"][0]
    assert (beef["type"], beef["unit"], beef["required"], beef["decimals"], beef["min"]) == (
        "decimal",
        "万头",
        True,
        2,
        "0",
    )
    assert beef["max"] is None
    lines = {line["unit"]["code"]: line for line in body["lines"]}
    assert set(lines) == {"150921", "150922"}
    assert lines["150921"]["status"] == SubmissionStatus.SUBMITTED
    assert lines["150921"]["first_submitted_at"] is not None
    assert lines["150921"]["late"] is False
    assert lines["150922"]["status"] == SubmissionStatus.PENDING

    own = login(world.huade_liaison).get(url).json()
    assert [line["unit"]["code"] for line in own["lines"]] == ["150922"]


def test_a_missing_submission_past_due_is_late(login, world, livestock_round):
    livestock_round.due_on = timezone.localdate() - datetime.timedelta(days=1)
    livestock_round.opens_on = livestock_round.due_on
    livestock_round.save()
    body = login(world.office).get(f"{API}/rounds/{livestock_round.pk}").json()
    assert body["state"] == "overdue"
    assert all(line["late"] for line in body["lines"])


def test_who_sees_no_rounds(client, login, world, livestock_round):
    url = f"{API}/rounds/{livestock_round.pk}"
    assert client.get(f"{API}/rounds").status_code == 401
    assert client.get(url).status_code == 401
    for persona in (world.sysadmin, world.outsider):
        client = login(persona)
        listing = client.get(f"{API}/rounds")
        if persona == world.sysadmin:  # the three administrators (三员) read no business data
            assert listing.status_code == 403
        else:
            assert listing.json()["count"] == 0
        assert client.get(url).status_code == 404
        assert client.get(sub_url(livestock_round, world.zhuozi)).status_code == 404
        assert client.get(f"{url}/consolidation").status_code == 404


# --- submissions ----------------------------------------------------------------------------


def test_a_unit_reads_saves_and_submits_its_table(login, world, livestock_round):
    client = login(world.zhuozi_liaison)
    url = sub_url(livestock_round, world.zhuozi)
    body = client.get(url).json()
    assert (body["status"], body["rows"], body["revision"]) == ("pending", [], 0)
    assert body["allowed_actions"] == ["save", "submit"]

    draft = put(client, url, {"rows": [{"beef": "abc", "dairy": -1}], "lock_version": 1})
    assert draft.status_code == 200
    saved = draft.json()
    assert saved["status"] == "draft"
    assert saved["lock_version"] == 2
    assert {(p["row"], p["column"], p["code"]) for p in saved["problems"]} == {
        (0, "beef", "not_number"),
        (0, "dairy", "below_min"),
    }
    assert saved["rows"] == [{"beef": "abc", "dairy": "-1"}]

    done = put(client, url, {"rows": GOOD, "lock_version": 2, "submit": True})
    assert done.status_code == 200
    body = done.json()
    assert (body["status"], body["revision"], body["problems"]) == ("submitted", 1, [])
    assert body["rows"] == [
        {"beef": "3.20", "dairy": "1.10", "total": "4.30", "farms": 12, "note": "正常"}
    ]
    assert body["allowed_actions"] == []
    assert SubmissionRevision.objects.get(submission_id=body["id"]).source == "api"


def test_a_bad_submission_is_refused_whole_with_its_problems(login, world, livestock_round):
    client = login(world.zhuozi_liaison)
    url = sub_url(livestock_round, world.zhuozi)
    rows = [{"beef": "3.2", "dairy": "1.1", "total": "5", "farms": "1e309"}]
    response = put(client, url, {"rows": rows, "lock_version": 1, "submit": True})
    assert response.status_code == 422
    body = response.json()
    assert body["detail"]
    assert body["code"] == "table_errors"
    assert {(p["row"], p["column"], p["code"]) for p in body["problems"]} == {
        (0, "farms", "out_of_range"),
        (0, "total", "rule_sum"),
    }
    submission = submission_of(livestock_round, world.zhuozi)
    assert (submission.status, submission.revision, submission.data) == ("pending", 0, [])
    assert not DataValue.objects.exists()


def test_too_many_rows_are_refused_even_as_a_draft(login, world, projects_round, settings):
    settings.DISPATCH_MAX_ROWS = 2
    client = login(world.zhuozi_liaison)
    rows = [{"name": f"项目{i}", "signed": 1} for i in range(3)]
    response = put(client, sub_url(projects_round, world.zhuozi), {"rows": rows, "lock_version": 1})
    assert response.status_code == 422
    assert [p["code"] for p in response.json()["problems"]] == ["too_many_rows"]
    assert submission_of(projects_round, world.zhuozi).status == "pending"


def test_a_stale_lock_version_is_refused_with_409(login, world, livestock_round):
    client = login(world.zhuozi_liaison)
    url = sub_url(livestock_round, world.zhuozi)
    loaded = client.get(url).json()["lock_version"]
    assert put(client, url, {"rows": GOOD, "lock_version": loaded}).status_code == 200
    stale = put(client, url, {"rows": [{"beef": "9"}], "lock_version": loaded, "submit": True})
    assert stale.status_code == 409
    assert stale.json()["code"] == "concurrent_edit"
    assert stale.json()["detail"]
    submission = submission_of(livestock_round, world.zhuozi)
    assert (submission.status, submission.data[0]["beef"]) == ("draft", "3.20")


def test_who_may_not_write_a_submission(login, world, livestock_round):
    body = {"rows": GOOD, "lock_version": 1, "submit": True}
    zhuozi = sub_url(livestock_round, world.zhuozi)
    assert put(login(world.huade_liaison), zhuozi, body).status_code == 404
    assert login(world.huade_liaison).get(zhuozi).status_code == 404
    assert put(login(world.office), zhuozi, body).status_code == 403
    assert put(login(world.leader), zhuozi, body).status_code == 403
    assert login(world.leader).get(zhuozi).json()["allowed_actions"] == []
    missing = f"{API}/rounds/{livestock_round.pk}/submissions/nowhere"
    assert login(world.leader).get(missing).status_code == 404
    bad = put(login(world.zhuozi_liaison), zhuozi, {"rows": "x", "lock_version": 1})
    assert bad.status_code == 422
    assert submission_of(livestock_round, world.zhuozi).status == "pending"


def test_a_bearer_token_submits_without_a_session(client, world, livestock_round):
    _, raw = org_services.api_token_issue(
        actor=world.sysadmin, user=world.zhuozi_liaison, name="报表工具"
    )
    headers = {"Authorization": f"Bearer {raw}"}
    url = sub_url(livestock_round, world.zhuozi)
    assert client.get(url, headers=headers).json()["lock_version"] == 1
    response = put(client, url, {"rows": GOOD, "lock_version": 1, "submit": True}, headers=headers)
    assert response.status_code == 200
    assert response.json()["status"] == "submitted"
    assert client.get(sub_url(livestock_round, world.huade), headers=headers).status_code == 404
    bad = {"Authorization": "Bearer zb_wrong"}
    assert client.get(url, headers=bad).status_code == 401


# --- the office's decisions -----------------------------------------------------------------


def test_the_office_returns_and_approves_through_the_table(login, world, livestock_round):
    submit(world, livestock_round, world.zhuozi, world.zhuozi_liaison)
    url = sub_url(livestock_round, world.zhuozi)
    liaison = login(world.zhuozi_liaison)
    assert post(liaison, f"{url}/actions/approve").status_code == 403
    assert post(login(world.huade_liaison), f"{url}/actions/approve").status_code == 404
    assert post(login(world.brand_staff), f"{url}/actions/approve").status_code == 403

    office = login(world.office)
    assert office.get(url).json()["allowed_actions"] == ["approve", "return"]
    assert post(office, f"{url}/actions/return", {"comment": " "}).status_code == 400
    assert post(office, f"{url}/actions/submit").status_code == 400
    assert post(office, f"{url}/actions/shelve").status_code == 422
    returned = post(
        office,
        f"{url}/actions/return",
        {"comment": "肉牛数据偏低", "row_comments": {"0": "请核实肉牛存栏"}},
    )
    assert returned.status_code == 200
    body = returned.json()
    assert (body["status"], body["comment"]) == ("returned", "肉牛数据偏低")
    assert body["row_comments"] == {"0": "请核实肉牛存栏"}
    assert post(office, f"{url}/actions/approve").status_code == 400

    liaison = login(world.zhuozi_liaison)
    version = liaison.get(url).json()["lock_version"]
    fixed = [dict(GOOD[0], beef="4.2", total="5.3")]
    assert (
        put(liaison, url, {"rows": fixed, "lock_version": version, "submit": True}).status_code
        == 200
    )
    office = login(world.office)
    approved = post(office, f"{url}/actions/approve", {"comment": "数据无误"})
    assert approved.json()["status"] == "approved"
    assert approved.json()["allowed_actions"] == ["reopen"]
    assert post(office, f"{url}/actions/reopen").status_code == 400
    reopened = post(office, f"{url}/actions/reopen", {"comment": "统计口径调整"})
    assert reopened.json()["status"] == "returned"


def test_urging_is_for_the_owning_office(login, world, livestock_round):
    submit(world, livestock_round, world.zhuozi, world.zhuozi_liaison)
    url = f"{API}/rounds/{livestock_round.pk}/urge"
    assert post(login(world.zhuozi_liaison), url).status_code == 403
    assert post(login(world.brand_staff), url).status_code == 403
    response = post(login(world.office), url)
    assert response.status_code == 200
    assert response.json() == {"urged": 1}


# --- consolidation ----------------------------------------------------------------------------


def test_consolidation_sums_reported_units_for_bureau_wide_roles(login, world, livestock_round):
    submit(world, livestock_round, world.zhuozi, world.zhuozi_liaison)
    submit(
        world,
        livestock_round,
        world.huade,
        world.huade_liaison,
        [{"beef": "1.5", "dairy": "0.25", "total": "1.75", "farms": 3}],
    )
    url = f"{API}/rounds/{livestock_round.pk}/consolidation"
    assert login(world.zhuozi_liaison).get(url).status_code == 403
    body = login(world.inspector).get(url).json()
    assert (body["expected"], body["reported"], body["period_key"]) == (2, 2, "2023-M06")
    columns = {c["key"]: c["summed"] for c in body["columns"]}
    assert columns == {"beef": True, "dairy": True, "total": True, "farms": True, "note": False}
    lines = {line["unit"]["code"]: line for group in body["groups"] for line in group["lines"]}
    assert lines["150921"]["values"] == {
        "beef": "3.20",
        "dairy": "1.10",
        "total": "4.30",
        "farms": "12",
        "note": "正常",
    }
    assert lines["150922"]["values"]["dairy"] == "0.25"
    assert body["groups"][0]["subtotal"]["beef"] == "4.70"
    assert body["total"] == {"beef": "4.70", "dairy": "1.35", "total": "6.05", "farms": "15"}


def test_consolidation_of_records_counts_them(login, world, projects_round):
    rows = [
        {"name": "马铃薯加工", "signed": 2, "landed": 1, "investment": "1200.5"},
        {"name": "肉牛养殖", "signed": 1, "investment": "300"},
    ]
    submit(world, projects_round, world.zhuozi, world.zhuozi_liaison, rows)
    body = login(world.leader).get(f"{API}/rounds/{projects_round.pk}/consolidation").json()
    assert body["records"] == 2
    assert body["total"]["investment"] == "1500.50"
    assert body["total"]["signed"] == "3"


def test_a_task_list_round_has_no_table_to_fill_or_consolidate(login, world):
    from zhuanban.tasks import services as task_services

    task_list = task_services.tasklist_create(
        actor=world.office, office=world.potato, title="重点任务单", year=2023, level="city"
    )
    today = timezone.localdate()
    round_ = services.round_open(
        actor=world.office,
        task_list=task_list,
        cadence=Cadence.MONTHLY_DISPATCH,
        period=Period(2023, PeriodKind.MONTH, 6),
        opens_on=today,
        due_on=today,
        locks_on=today,
        units=[world.zhuozi],
    )
    body = login(world.office).get(f"{API}/rounds/{round_.pk}").json()
    assert (body["template"], body["task_list_id"], body["columns"]) == (None, task_list.pk, [])
    assert login(world.office).get(f"{API}/rounds/{round_.pk}/consolidation").status_code == 400
    liaison = login(world.zhuozi_liaison)
    response = put(liaison, sub_url(round_, world.zhuozi), {"rows": [], "lock_version": 1})
    assert response.status_code == 400


# --- indicators -------------------------------------------------------------------------------


@pytest.fixture
def beef_progress(world, beef_indicator):
    june = Period(2023, PeriodKind.MONTH, 6)
    for unit, target, actual in ((world.zhuozi, "10", "4.2"), (world.huade, "10", "6")):
        services.target_set(
            actor=world.office, indicator=beef_indicator, unit=unit, year=2023, value=target
        )
        services.indicator_value_set(
            actor=world.office, indicator=beef_indicator, unit=unit, period=june, value=actual
        )
    return beef_indicator


def test_indicator_progress_against_target_and_time(login, world, beef_progress):
    client = login(world.office)
    indicators = client.get(f"{API}/indicators").json()
    assert [(i["code"], i["office"]["code"]) for i in indicators] == [
        ("beef_increase", "office-potato")
    ]
    response = client.get(f"{API}/indicators/beef_increase/progress", {"year": 2023})
    assert response.status_code == 200
    body = response.json()
    assert (body["as_of"], body["elapsed"]) == ("2023-06-30", "50.0")
    rows = [
        (r["unit"]["code"], r["actual"], r["target"], r["completion"], r["rank"], r["light"])
        for r in body["rows"]
    ]
    assert rows == [
        ("150922", "6.00", "10.00", "60.0", 1, "green"),
        ("150921", "4.20", "10.00", "42.0", 2, "green"),
    ]
    total = body["total"]
    assert (total["unit"]["code"], total["actual"], total["target"], total["target_is_sum"]) == (
        "150900",
        "10.20",
        "20.00",
        True,
    )
    assert total["lead"] == "1.0"
    # A county reads its own line and rank, not the other counties' figures.
    liaison = login(world.zhuozi_liaison)
    body = liaison.get(f"{API}/indicators/beef_increase/progress", {"year": 2023}).json()
    assert [(r["unit"]["code"], r["actual"], r["rank"]) for r in body["rows"]] == [
        ("150921", "4.20", 2)
    ]


def test_indicators_are_hidden_from_the_administrators(login, world, beef_progress):
    client = login(world.sysadmin)
    assert client.get(f"{API}/indicators").json() == []
    assert client.get(f"{API}/indicators/beef_increase/progress").status_code == 404
    office = login(world.office)
    assert office.get(f"{API}/indicators/none/progress").status_code == 404
    assert office.get(f"{API}/indicators/beef_increase/progress", {"year": 99}).status_code == 422


# --- the API as a whole -------------------------------------------------------------------------


def test_wrong_methods_are_refused(login, world, livestock_round):
    client = login(world.office)
    base = f"{API}/rounds/{livestock_round.pk}"
    assert client.delete(base).status_code == 405
    assert client.get(f"{base}/urge").status_code == 405
    assert post(client, f"{base}/consolidation").status_code == 405
    assert client.delete(sub_url(livestock_round, world.zhuozi)).status_code == 405


def test_openapi_schema_describes_the_dispatch_endpoints(login, world):
    response = login(world.leader).get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    put_responses = paths["/api/v1/dispatch/rounds/{round_id}/submissions/{unit_code}"]["put"][
        "responses"
    ]
    assert {"200", "401", "403", "404", "409", "422"} <= set(put_responses)
    assert {
        "/api/v1/dispatch/rounds",
        "/api/v1/dispatch/rounds/{round_id}/consolidation",
        "/api/v1/dispatch/indicators/{code}/progress",
    } <= set(paths)
