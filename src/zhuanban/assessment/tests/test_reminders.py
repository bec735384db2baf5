"""Self-assessment reminders: who is told, when, and only once."""

import datetime

import pytest

from zhuanban.assessment import reminders, services
from zhuanban.assessment.models import Scheme
from zhuanban.core.models import Notification

pytestmark = pytest.mark.django_db


def _due(scheme, day: datetime.date):
    Scheme.objects.filter(pk=scheme.pk).update(self_due=day)


def test_due_soon_tells_the_unit_once(world, opened):
    today = datetime.date(2023, 6, 1)
    _due(opened.scheme, today + datetime.timedelta(days=2))
    assert reminders.remind(today)["self_assessment_due_soon"] == 2
    notes = Notification.objects.filter(kind="self_assessment_due_soon")
    assert set(notes.values_list("recipient__username", flat=True)) == {"zhuozi", "huade"}
    assert "卓资县" in notes.get(recipient=world.zhuozi_liaison).title
    # A second run sends nothing again.
    assert reminders.remind(today)["self_assessment_due_soon"] == 0
    assert notes.count() == 2


def test_overdue_also_tells_the_office_and_skips_submitted_units(world, opened):
    today = datetime.date(2023, 6, 10)
    _due(opened.scheme, today - datetime.timedelta(days=1))
    for score in opened.zhuozi.scores.filter(item__method="manual"):
        services.score_self(actor=world.zhuozi_liaison, score=score, value="10", reason="已完成")
    services.participant_act(actor=world.zhuozi_liaison, participant=opened.zhuozi, action="submit")
    assert reminders.remind(today) == {"self_assessment_due_soon": 0, "self_assessment_overdue": 1}
    recipients = set(
        Notification.objects.filter(kind="self_assessment_overdue").values_list(
            "recipient__username", flat=True
        )
    )
    assert "huade" in recipients
    assert "office" in recipients
    assert "zhuozi" not in recipients


def test_nothing_before_the_last_days(world, opened):
    today = datetime.date(2023, 6, 1)
    _due(opened.scheme, today + datetime.timedelta(days=10))
    assert reminders.remind(today) == {"self_assessment_due_soon": 0, "self_assessment_overdue": 0}
