"""The stage clocks: the table everyone who sees projects reads, with the rule in one
sentence; the office edits a clock (errors by field, stale pages refused) and the lights
follow at once; nobody else does."""

import pytest
from django.utils import translation
from django.utils.translation import gettext

from zhuanban.core.models import AuditAction, AuditEvent
from zhuanban.investment.lifecycle import LIVE_STAGES, Stage
from zhuanban.investment.models import StageClock
from zhuanban.investment.tests.conftest import days_ago, make_project
from zhuanban.investment.tests.test_views_pipeline import (
    THIS,
    by_id,
    doc_of,
    enterprise_login,
    errors_of,
    text_of,
    url,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _chinese():
    with translation.override("zh-hans"):
        yield


def clock_post(clock: StageClock, **fields) -> dict:
    data = {
        "version": clock.version,
        "limit_days": clock.limit_days,
        "warn_days": clock.warn_days,
        "report_days": clock.report_days or "",
        "commitment": clock.commitment,
    }
    if clock.evidence_required:
        data["evidence_required"] = "on"
    data.update(fields)
    return {key: str(value) for key, value in data.items()}


def light_in_list(client, project) -> str:
    doc = doc_of(client.get(url("projects")))
    row = doc.xpath(f'//table[@id="projects"]//a[@href="{url("project", project.pk)}"]/../..')[0]
    return row.xpath('.//span[contains(@class, "light ")]/@class')[0].split()[-1]


def test_everyone_who_sees_projects_reads_the_clocks_and_the_rule(inv, login):
    w = inv.world
    for user in (w.leader, w.inspector, w.zhuozi_liaison, w.office, inv.staff):
        doc = doc_of(login(user).get(url("clocks")))
        rows = {
            text_of(tr.xpath("./td")[0]): [text_of(td) for td in tr.xpath("./td")[1:]]
            for tr in doc.xpath('//table[@id="clocks"]/tbody/tr')
        }
        signed = rows[str(Stage.SIGNED.label)]
        assert signed[:4] == ["90", "15", "14", gettext("Yes")]  # the default signed clock
        assert rows[str(Stage.PLANNED.label)][:3] == ["30", "7", "—"]
        assert list(rows) == [str(Stage(stage).label) for stage in LIVE_STAGES]
        assert by_id(doc, "rule") == gettext(
            "A project waits in each stage no longer than its time limit: its light turns "
            "yellow the given number of days before the limit or when its progress report "
            "is overdue, and red once the limit has passed."
        )
        edit_links = doc.xpath(f'//a[@href="{url("clock_edit", "signed")}"]')
        assert bool(edit_links) is (user == inv.staff), user


def test_the_office_changes_a_clock_and_the_light_follows(inv, login):
    project = make_project(
        inv, "察右中旗燕麦加工项目", stage=Stage.PLANNED, on=days_ago(20), year=THIS
    )
    client = login(inv.staff)
    assert light_in_list(client, project) == "light-green"  # 20 ≤ 30 − 7
    clock = StageClock.objects.get(stage=Stage.PLANNED)
    doc = doc_of(client.get(url("clock_edit", "planned")))
    assert doc.xpath('//input[@name="version"]/@value') == [str(clock.version)]
    assert doc.xpath('//input[@name="limit_days"]/@value') == ["30"]
    response = client.post(
        url("clock_edit", "planned"),
        clock_post(clock, limit_days=15, warn_days=3, commitment="谋划项目15日内完成论证"),
    )
    assert response.status_code == 302
    assert response["Location"] == url("clocks")
    clock.refresh_from_db()
    assert (clock.limit_days, clock.warn_days, clock.version) == (15, 3, 2)
    assert clock.updated_by == inv.staff
    assert AuditEvent.objects.filter(
        object_type="investment.stageclock", action=AuditAction.UPDATE, actor=inv.staff
    ).exists()
    assert light_in_list(client, project) == "light-red"  # 20 > 15
    page = doc_of(client.get(url("clocks")))
    row = [text_of(td) for td in page.get_element_by_id("clock-planned").xpath("./td")]
    assert row[1:3] == ["15", "3"]
    assert "谋划项目15日内完成论证" in row
    assert inv.staff.get_full_name() in row[6]
    detail = by_id(doc_of(client.get(url("project", project.pk))), "clock")
    assert "谋划项目15日内完成论证" in detail
    assert days_ago(20 - 15).isoformat() in detail  # the new due date


def test_a_bad_clock_is_refused_by_field_and_nothing_changes(inv, login):
    clock = StageClock.objects.get(stage=Stage.SIGNED)
    response = login(inv.staff).post(
        url("clock_edit", "signed"),
        clock_post(clock, limit_days=10, warn_days=10, report_days=0),
    )
    doc = doc_of(response, 422)
    assert gettext("The warning comes before the limit: fewer days than it.") in errors_of(
        doc, "warn_days"
    )
    assert gettext("Reports are due at least one day apart.") in errors_of(doc, "report_days")
    response = login(inv.staff).post(url("clock_edit", "signed"), clock_post(clock, limit_days=""))
    assert gettext("The time limit is at least one day.") in errors_of(
        doc_of(response, 422), "limit_days"
    )
    clock.refresh_from_db()
    assert (clock.limit_days, clock.warn_days, clock.report_days, clock.version) == (90, 15, 14, 1)


def test_a_stale_clock_page_is_refused(inv, login):
    clock = StageClock.objects.get(stage=Stage.LANDED)
    client = login(inv.staff)
    assert (
        client.post(url("clock_edit", "landed"), clock_post(clock, limit_days=80)).status_code
        == 302
    )
    response = client.post(url("clock_edit", "landed"), clock_post(clock, limit_days=70))
    doc = doc_of(response, 409)
    assert gettext("Someone else changed this in the meantime. Reload the page and try again.") in (
        doc.text_content()
    )
    clock.refresh_from_db()
    assert clock.limit_days == 80


def test_only_the_investment_office_edits_the_clocks(inv, login):
    w = inv.world
    clock = StageClock.objects.get(stage=Stage.PLANNED)
    address = url("clock_edit", "planned")
    for user in (w.leader, w.inspector, w.office, w.zhuozi_liaison):
        assert login(user).get(address).status_code == 403
        assert login(user).post(address, clock_post(clock, limit_days=5)).status_code == 403
    for user in (w.sysadmin, w.auditor, w.outsider, enterprise_login(w)):
        assert login(user).get(address).status_code == 404
        assert login(user).get(url("clocks")).status_code == 404
    # Producing and dropped have no clock; an unknown stage is not a page.
    for stage in ("producing", "dropped", "bogus"):
        assert login(inv.staff).get(url("clock_edit", stage)).status_code == 404
    assert login(inv.staff).post(url("clocks")).status_code == 405
    clock.refresh_from_db()
    assert clock.limit_days == 30
