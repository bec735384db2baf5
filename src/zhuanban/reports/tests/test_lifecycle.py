"""Publishing numbers issues per series per year, in order, never twice, and freezes them."""

import datetime
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from docx import Document

from zhuanban.core.errors import ConcurrentEditError
from zhuanban.core.models import AuditEvent
from zhuanban.reports import services
from zhuanban.reports.lifecycle import BulletinStatus
from zhuanban.reports.tests.conftest import make_bulletin

pytestmark = pytest.mark.django_db


def publish(bulletin, actor, day=None):
    return services.bulletin_publish(
        actor=actor, bulletin=bulletin, expected_version=bulletin.version, issue_date=day
    )


def test_numbers_run_per_series_and_year_and_start_again_each_year(rep, settings):
    settings.BULLETIN_PDF = False
    leader, office = rep.world.leader, rep.world.office
    first = publish(make_bulletin(rep.news, leader), leader, datetime.date(2025, 12, 30))
    second = publish(make_bulletin(rep.news, leader), leader, datetime.date(2026, 1, 5))
    third = publish(make_bulletin(rep.news, leader), leader, datetime.date(2026, 1, 6))
    other = publish(make_bulletin(rep.potato_news, office), office, datetime.date(2026, 1, 6))
    assert [(b.year, b.number) for b in (first, second, third, other)] == [
        (2025, 1),
        (2026, 1),
        (2026, 2),
        (2026, 1),
    ]
    assert str(third.number_text) == "2026年第2期"
    assert third.status == BulletinStatus.PUBLISHED
    assert "正文。" in third.search_text


def test_a_deleted_draft_costs_no_number(rep, settings):
    settings.BULLETIN_PDF = False
    leader = rep.world.leader
    publish(make_bulletin(rep.news, leader), leader)
    draft = make_bulletin(rep.news, leader)
    services.bulletin_delete(actor=leader, bulletin=draft, expected_version=draft.version)
    assert publish(make_bulletin(rep.news, leader), leader).number == 2


def test_a_published_issue_is_frozen(rep, settings):
    settings.BULLETIN_PDF = False
    leader = rep.world.leader
    issue = publish(make_bulletin(rep.news, leader), leader)
    with pytest.raises(ValidationError):
        services.bulletin_update(
            actor=leader, bulletin=issue, expected_version=issue.version, title="改"
        )
    with pytest.raises(ValidationError):
        services.section_save(
            actor=leader, bulletin=issue, expected_version=issue.version, body="加一段"
        )
    with pytest.raises(ValidationError):
        publish(issue, leader)
    issue.refresh_from_db()
    assert issue.title == "工作动态"
    assert issue.number == 1


def test_the_docx_carries_series_number_and_text(rep, settings):
    settings.BULLETIN_PDF = False
    leader = rep.world.leader
    issue = publish(make_bulletin(rep.news, leader), leader, datetime.date(2026, 3, 2))
    with issue.docx.file.open("rb") as stored:
        text = "\n".join(p.text for p in Document(BytesIO(stored.read())).paragraphs)
    for expected in ("信息动态", "（第1期）", "2026年3月2日", "正文。"):
        assert expected in text


def test_stale_edits_and_strangers_are_refused(rep, settings):
    leader, office = rep.world.leader, rep.world.office
    draft = make_bulletin(rep.news, leader)
    with pytest.raises(ConcurrentEditError):
        services.bulletin_update(
            actor=leader, bulletin=draft, expected_version=draft.version - 1, title="改"
        )
    with pytest.raises(PermissionError):
        services.bulletin_update(
            actor=office, bulletin=draft, expected_version=draft.version, title="改"
        )
    assert AuditEvent.objects.filter(object_type="reports.bulletin").count() == 1
