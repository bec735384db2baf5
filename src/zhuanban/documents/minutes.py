"""A meeting's minutes (会议纪要) as an official Word document: the opening line (when,
who chaired, how many topics), then each decided topic in agenda order with its
outcome, its decision and the tasks it produced, then who attended. In Chinese whatever
language its reader uses: minutes are filed and circulated as they are.

Three queries whatever the number of topics and tasks (the meeting comes with its chair).
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from zhuanban.core import word
from zhuanban.documents.lifecycle import Outcome, TopicStatus
from zhuanban.documents.models import Meeting, TopicTask

DOCUMENT_LANGUAGE = "zh-hans"


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


def minutes_docx(meeting: Meeting) -> bytes:
    with override(DOCUMENT_LANGUAGE):
        return _build(meeting)


def _build(meeting: Meeting) -> bytes:
    topics = list(
        meeting.topics.filter(status=TopicStatus.DECIDED)
        .select_related("office", "presenter")
        .order_by("position", "pk")
    )
    tasks: dict[int, list] = {}
    for link in (
        TopicTask.objects.filter(topic__in=topics)
        .select_related("task", "task__lead_unit")
        .order_by("pk")
    ):
        tasks.setdefault(link.topic_id, []).append(link.task)
    held_on = word.chinese_date(timezone.localdate(meeting.starts_at))
    document = word.OfficialDocument(
        title=_("Minutes of %(meeting)s") % {"meeting": meeting.title},
        number=meeting.minutes_number,
    )
    opening = _(
        "On %(date)s %(chair)s chaired %(meeting)s at %(place)s, which discussed "
        "%(count)s topics. The decisions are recorded as follows:"
    ) % {
        "date": held_on,
        "chair": _name(meeting.chair) if meeting.chair_id else "",
        "meeting": meeting.title,
        "place": meeting.place or "—",
        "count": len(topics),
    }
    document.paragraph(opening)
    if meeting.minutes_summary:
        document.paragraph(meeting.minutes_summary)
    for topic in topics:
        document.heading(topic.title, 1, run_in=_minutes_line(topic))
        document.paragraph(topic.decision)
        for task in tasks.get(topic.pk, []):
            document.paragraph(
                _("Task: %(content)s (lead unit: %(unit)s; due %(due)s).")
                % {
                    "content": task.content,
                    "unit": task.lead_unit.name if task.lead_unit_id else "—",
                    "due": word.chinese_date(task.due_date) if task.due_date else "—",
                }
            )
    attendees = "、".join(_name(user) for user in meeting.attendees.order_by("pk"))
    if attendees:
        document.paragraph(_("Attending: %(names)s") % {"names": attendees})
    if meeting.attendees_text:
        document.paragraph(_("Also attending: %(names)s") % {"names": meeting.attendees_text})
    return document.to_bytes()


def _minutes_line(topic) -> str:
    """The heading's run-in: who reported and the outcome."""
    parts = []
    if topic.presenter_id:
        parts.append(
            _("%(office)s (%(name)s) reported.")
            % {"office": topic.office.name, "name": _name(topic.presenter)}
        )
    else:
        parts.append(_("%(office)s reported.") % {"office": topic.office.name})
    parts.append(_("Outcome: %(outcome)s.") % {"outcome": Outcome(topic.outcome).label})
    return "".join(parts)
