"""The supervision demo tells the seed's story from its data: six inspection groups, more
than sixty visits, eleven notices numbered without a gap, and rectification items in
every state, with open work for the browser tests' counties."""

import datetime
import io
from collections import Counter

import docx
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from zhuanban.core.models import Notification
from zhuanban.demo import org_data, supervision_data
from zhuanban.org.models import OrgUnit
from zhuanban.org.roles import Role
from zhuanban.rectification.lifecycle import Status
from zhuanban.rectification.models import (
    Rectification,
    RectificationEvent,
    RectificationResponse,
    SourceKind,
    Verdict,
)
from zhuanban.rectification.scoping import visible_items
from zhuanban.supervision import selectors
from zhuanban.supervision.lifecycle import NoticeStatus
from zhuanban.supervision.models import (
    Finding,
    FindingKind,
    InspectionGroup,
    IssuingAuthority,
    Notice,
    NoticeEvent,
    NoticeKind,
    NoticeRecipient,
    Visit,
    VisitKind,
    VisitStatus,
)
from zhuanban.tasks.models import Light

OFFICE_CODES = {code for code, _name, _duties in org_data.OFFICES}


def _user(username):
    return get_user_model().objects.get(username=username)


def _issued():
    return list(Notice.objects.issued().select_related("authority", "docx").order_by("sequence"))


@pytest.mark.usefixtures("loaded", "db")
class TestSupervisionDemo:
    def test_six_groups_led_by_leaders_cover_the_eleven_counties(self):
        groups = list(InspectionGroup.objects.prefetch_related("members", "counties", "task_lists"))
        today = timezone.localdate()
        assert sorted(g.name for g in groups) == sorted(
            f"第{n}督导检查组" for n in ("一", "二", "三", "四", "五", "六")
        )
        assert {g.year for g in groups} == {today.year}
        leaders = set(
            get_user_model()
            .objects.filter(role_assignments__role=Role.LEADER)
            .values_list("pk", flat=True)
        )
        assert all(g.leader_id in leaders for g in groups)
        # 抽调专办9人参与: nine office people, and the inspector in one group.
        members = [m for g in groups for m in g.members.all()]
        office_people = [m for m in members if m.username != "inspector"]
        assert len(office_people) == len({m.pk for m in office_people}) == 9
        office_member_ids = set(
            get_user_model()
            .objects.filter(role_assignments__unit__code__in=OFFICE_CODES)
            .values_list("pk", flat=True)
        )
        assert {m.pk for m in office_people} <= office_member_ids
        assert [m.username for m in members].count("inspector") == 1
        covered = {c.code for g in groups for c in g.counties.all()}
        assert covered == {code for code, _name, _short in org_data.COUNTIES}
        assert all(g.task_lists.count() == 2 for g in groups)
        assert all("农牧业招商引资" in g.topics for g in groups)
        assert all(g.starts_on <= today <= g.ends_on for g in groups)

    def test_more_than_sixty_visits_in_the_last_six_months_and_a_few_planned(self):
        today = timezone.localdate()
        done = Visit.objects.filter(status=VisitStatus.DONE)
        assert done.count() >= 60
        assert not done.filter(date__gt=today).exists()
        assert not done.filter(date__lt=today - datetime.timedelta(days=190)).exists()
        planned = Visit.objects.filter(status=VisitStatus.PLANNED)
        assert 1 <= planned.count() <= 6
        assert not planned.filter(date__lte=today).exists()
        assert not planned.filter(date__gt=today + datetime.timedelta(days=30)).exists()
        kinds = Counter(done.values_list("kind", flat=True))
        assert set(kinds) == set(VisitKind.values)
        assert kinds[VisitKind.SITE_MEETING] == 2
        assert kinds[VisitKind.INSPECTION] + kinds[VisitKind.RESEARCH] > sum(kinds.values()) / 2
        assert done.filter(group__isnull=True, kind=VisitKind.RESEARCH).exists()
        reports = list(done.exclude(report_text="").values_list("report_text", flat=True))
        assert 3 <= len(reports) <= 8
        assert all(len(text.split("\n\n")) >= 3 for text in reports)  # several paragraphs

    def test_group_visits_go_to_the_groups_counties_within_their_period(self):
        visits = Visit.objects.filter(group__isnull=False).select_related("group")
        covering = {
            (row["pk"], row["counties"]) for row in InspectionGroup.objects.values("pk", "counties")
        }
        # Most of them; fewer early in a year (a group belongs to one year).
        assert visits.exists()
        for visit in visits:
            assert (visit.group_id, visit.county_id) in covering
            assert visit.group.starts_on <= visit.date <= visit.group.ends_on
            assert visit.office_id == visit.group.office_id

    def test_visits_record_participants_tasks_topics_and_a_summary(self):
        done = Visit.objects.filter(status=VisitStatus.DONE)
        assert not done.filter(summary="").exists()
        assert not done.filter(topics="").exists()
        assert not done.annotate(n=Count("participants")).filter(n=0).exists()
        # Recorded on the day of the visit, not when the demo was loaded.
        assert all(timezone.localdate(v.created_at) == v.date for v in done)
        assert all(v.updated_at >= v.created_at for v in done)
        checked = Visit.tasks.through.objects.select_related("visit", "task")
        assert checked.count() >= 20
        assert all(row.task.lead_unit_id == row.visit.county_id for row in checked)

    def test_visit_counts_cover_every_county(self):
        """The grid the overview shows ("督导调研 60 多次"), over the years the six months
        of visits span."""
        today = timezone.localdate()
        years = sorted({(today - datetime.timedelta(days=190)).year, today.year})
        grids = [selectors.visit_counts(_user("leader"), year) for year in years]
        assert sum(grid.total for grid in grids) >= 60
        totals = Counter()
        for grid in grids:
            for row in grid.rows:
                totals[row.county.code if row.county else None] += row.total
        assert {code for code, n in totals.items() if code and n >= 4} == {
            code for code, _name, _short in org_data.COUNTIES
        }

    def test_findings_are_problems_and_good_practices(self):
        findings = Finding.objects.filter(visit__status=VisitStatus.DONE)
        kinds = Counter(findings.values_list("kind", flat=True))
        assert kinds[FindingKind.PROBLEM] >= 40
        assert kinds[FindingKind.GOOD_PRACTICE] >= 20
        per_visit = Counter(findings.values_list("visit_id", flat=True))
        assert max(per_visit.values()) <= 3
        # Recorded on the day of the visit, not when the demo was loaded.
        for finding in findings.select_related("visit"):
            assert timezone.localdate(finding.recorded_at) == finding.visit.date

    def test_visit_rectifications_are_in_realistic_states(self):
        today = timezone.localdate()
        items = Rectification.objects.filter(source_kind=SourceKind.VISIT).with_light(today)
        total = items.count()
        assert 38 <= total <= 48
        states = Counter(items.values_list("status", flat=True))
        lights = Counter(items.filter(status=Status.OPEN).values_list("light", flat=True))
        assert 0.4 <= states[Status.CLOSED] / total <= 0.6
        assert 0.1 <= states[Status.RESPONDED] / total <= 0.2
        assert 0.05 <= states[Status.REWORK] / total <= 0.15
        assert 0.05 <= lights[Light.RED] / total <= 0.15
        assert 0.1 <= (lights[Light.GREEN] + lights[Light.YELLOW]) / total <= 0.2
        assert lights[Light.YELLOW] >= 1

    def test_the_browser_test_counties_have_open_items_one_due_within_days(self):
        today = timezone.localdate()
        soon = today + datetime.timedelta(days=7)
        due = {}
        for username, code in (("zhuozi", "150921"), ("huade", "150922")):
            mine = visible_items(_user(username)).pending().filter(county__code=code)
            assert mine.exists(), username
            due[username] = set(mine.values_list("due_date", flat=True))
        assert any(today <= day <= soon for days in due.values() for day in days)

    def test_rectification_timelines_are_dated_in_the_story(self):
        now = timezone.now()
        items = Rectification.objects.filter(source_kind=SourceKind.VISIT)
        for item in items.prefetch_related("events", "responses"):
            finding = Finding.objects.get(pk=item.source_id)
            assert item.raised_at == finding.recorded_at
            events = sorted(item.events.all(), key=lambda e: e.pk)
            assert events[0].action == "raise"
            assert [e.at for e in events] == sorted(e.at for e in events)
            assert all(e.at <= now for e in events)
            assert events[0].at == item.raised_at
            if item.status == Status.CLOSED:
                assert item.raised_at < item.responded_at < item.closed_at <= now
                assert events[-1].action == "accept"
                assert events[-1].at == item.closed_at
            for response in item.responses.all():
                assert item.raised_at < response.at <= now
                if response.verdict != Verdict.PENDING:
                    assert response.at < response.verified_at <= now
        # Some closed items were sent back once before they were accepted.
        assert (
            RectificationResponse.objects.filter(
                verdict=Verdict.REJECTED, item__status=Status.CLOSED
            ).count()
            >= 2
        )
        # Overdue items were urged by their office.
        assert RectificationEvent.objects.filter(action="urge").count() >= 3

    def test_notifications_of_the_past_are_read_and_pending_work_is_not(self):
        now = timezone.now()
        notes = Notification.objects.filter(kind__startswith="rectification_")
        assert not notes.filter(created_at__gt=now).exists()
        assert notes.filter(read_at__isnull=False).count() > notes.count() / 2
        zhuozi = _user("zhuozi")
        unread = Notification.objects.filter(recipient=zhuozi, read_at__isnull=True)
        assert unread.filter(kind="rectification_raise").exists()

    def test_eleven_notices_numbered_without_a_gap_in_date_order(self):
        year = timezone.localdate().year
        issued = _issued()
        assert [n.number for n in issued] == [f"乌农牧督〔{year}〕{i}号" for i in range(1, 12)]
        assert {n.authority.name for n in issued} == {"市委农牧办"}
        assert all(n.year == year for n in issued)
        assert [n.issued_at for n in issued] == sorted(n.issued_at for n in issued)
        assert all(n.issued_at <= timezone.now() for n in issued)
        assert all(n.issued_at.year == year for n in issued)
        # Four eyes: who submitted did not issue.
        assert all(n.submitted_by_id and n.issued_by_id != n.submitted_by_id for n in issued)
        assert all(len(n.content_sha256) == 64 for n in issued)
        # One draft and one in review, not numbered.
        unissued = Notice.objects.exclude(status__in=[NoticeStatus.ISSUED, NoticeStatus.CLOSED])
        assert sorted(unissued.values_list("status", "sequence")) == [
            (NoticeStatus.DRAFT, None),
            (NoticeStatus.IN_REVIEW, None),
        ]
        assert IssuingAuthority.objects.filter(number_prefix="乌农牧发").exists()

    def test_every_issued_notice_has_its_word_document(self):
        for notice in _issued():
            assert notice.docx is not None
            assert notice.docx.name == f"{notice.number}.docx"
            with notice.docx.file.open("rb") as handle:
                document = docx.Document(io.BytesIO(handle.read()))
            text = "\n".join(p.text for p in document.paragraphs)
            assert notice.number in text
            assert notice.title in text

    def test_notices_have_reasons_requirements_and_replies(self):
        issued = _issued()
        kinds = Counter(n.kind for n in issued)
        assert kinds[NoticeKind.COMMENDATION] == 1
        for notice in issued:
            units = set(notice.recipients.values_list("unit_id", flat=True))
            assert units
            assert set(notice.reasons.values_list("unit_id", flat=True)) == units
            if notice.kind == NoticeKind.SUPERVISION:
                assert notice.requirements.count() >= 1
                assert notice.reply_deadline is not None
                items = Rectification.objects.filter(
                    source_kind=SourceKind.NOTICE, source_id=notice.pk
                )
                assert items.count() == len(units) * notice.requirements.count()
        # Reasons filled from the data too, with their figures and source.
        from_data = [
            r for n in issued for r in n.reasons.exclude(kind__in=["other", "achievement"])
        ]
        assert len(from_data) >= 3
        assert all(r.source_ref for r in from_data)
        # Most were replied and closed; two or three are still open, some units silent.
        closed = [n for n in issued if n.status == NoticeStatus.CLOSED]
        still_open = [n for n in issued if n.status == NoticeStatus.ISSUED]
        assert len(closed) >= 8
        assert 2 <= len(still_open) <= 3
        silent = NoticeRecipient.objects.filter(notice__in=still_open, replied_at__isnull=True)
        assert silent.exists()
        assert not NoticeRecipient.objects.filter(
            notice__in=closed, notice__kind=NoticeKind.SUPERVISION, replied_at__isnull=True
        ).exists()
        closed_items = Rectification.objects.filter(
            source_kind=SourceKind.NOTICE, source_id__in=[n.pk for n in closed]
        )
        assert set(closed_items.values_list("status", flat=True)) == {Status.CLOSED}

    def test_notice_timelines_are_dated_in_the_story(self):
        now = timezone.now()
        for notice in _issued():
            assert notice.created_at < notice.issued_at
            events = list(NoticeEvent.objects.filter(notice=notice).order_by("pk"))
            assert [e.at for e in events] == sorted(e.at for e in events)
            assert all(e.at <= now for e in events)
            issue = next(e for e in events if e.action == "issue")
            assert issue.at == notice.issued_at
            for recipient in notice.recipients.exclude(replied_at=None):
                assert notice.issued_at < recipient.replied_at <= now
            if notice.closed_at:
                assert notice.issued_at < notice.closed_at <= now

    def test_the_liaisons_see_their_notices_and_items(self):
        for username, code in (("zhuozi", "150921"), ("huade", "150922")):
            unit = OrgUnit.objects.get(code=code)
            mine = visible_items(_user(username))
            assert mine.exists()
            assert set(mine.values_list("unit_id", flat=True)) == {unit.pk}

    def test_loading_twice_duplicates_nothing(self):
        models = [InspectionGroup, Visit, Finding, Notice, Rectification, IssuingAuthority]
        before = [model.objects.count() for model in models]
        call_command("demo", "--quiet-accounts")
        assert [model.objects.count() for model in models] == before


def test_the_story_is_deterministic():
    """Same specs, same story: the plan letters give the mix the tests above check."""
    plans = Counter(
        finding.split(":")[0]
        for visit in supervision_data.VISITS
        for finding in visit.findings
        if not finding.startswith("+")
    )
    rectified = sum(n for plan, n in plans.items() if plan in supervision_data.RECTIFIED)
    assert rectified >= 40
    assert len(supervision_data.VISITS) >= 60
    assert sum(n.state == "issued" for n in supervision_data.NOTICES) == 11
