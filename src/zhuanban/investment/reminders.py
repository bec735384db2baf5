"""The stage clocks' daily reminders (part of `zhuanban remind`): a project turning yellow
tells the people who work it on the ground; a project past its limit tells them and the
investment office. Idempotent: each key names the project, its stage, the day it entered
it and the light, so a second run sends nothing twice, and a project that moves on starts
a fresh clock."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from zhuanban.core.notify import notify
from zhuanban.investment import scoping
from zhuanban.investment.models import Project, clocks_by_stage
from zhuanban.org.selectors import office_staff_users, people_acting_for_units
from zhuanban.tasks.models import Light


def remind(today: datetime.date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    counts = {"investment_stage_warning": 0, "investment_stage_overdue": 0}
    clocks = clocks_by_stage()
    stalled = (
        Project.objects.with_light(today, clocks)
        .filter(light__in=[Light.YELLOW, Light.RED])
        .select_related("county", "leader")
        .order_by("pk")
    )
    office_id = scoping.investment_office_id()
    staff = office_staff_users(office_id) if office_id else []
    people: dict[tuple, list] = {}
    for project in stalled.iterator(chunk_size=500):
        units = (project.county_id, project.responsible_unit_id)
        if units not in people:
            people[units] = people_acting_for_units([u for u in units if u])
        recipients = list(people[units]) + ([project.leader] if project.leader else [])
        values = {
            "project": project.name,
            "stage": project.get_stage_display(),
            "date": project.due_on(clocks).isoformat(),
        }
        if project.light == Light.RED:
            kind = "investment_stage_overdue"
            recipients += staff
            title = _("Past its time limit (%(date)s): %(project)s, %(stage)s") % values
        else:
            kind = "investment_stage_warning"
            title = _("Due to move on by %(date)s, or a report is due: %(project)s") % values
        counts[kind] += len(
            notify(
                recipients,
                kind=kind,
                title=title,
                url=project.get_absolute_url(),
                dedupe_key=f"investment:{project.pk}:{project.stage}:{project.stage_since}:"
                f"{project.last_report_on}:{project.light}",
            )
        )
    return counts
