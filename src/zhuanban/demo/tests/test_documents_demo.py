"""The documents and meetings demo tells the seed's story from its data: the six documents
it names issued after opinion rounds and deliberation, the 千万工程 measures (6 parts, 37
measures) seeking opinions now with 卓资县 and 化德县 still to answer, living documents
revised in place, and twenty-odd agenda topics whose decisions became tasks."""

import datetime
import re
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.utils import timezone

from zhuanban.core.models import Notification
from zhuanban.demo import documents_data, org_data
from zhuanban.documents import scoping, selectors
from zhuanban.documents.lifecycle import (
    MeetingStatus,
    Outcome,
    Stage,
    TopicStatus,
)
from zhuanban.documents.models import (
    REASON_DISPOSITIONS,
    Disposition,
    Document,
    DocumentEvent,
    Meeting,
    MeetingKind,
    Opinion,
    OpinionRequest,
    OpinionRound,
    Topic,
    TopicTask,
)
from zhuanban.documents.text import compare, extract_text
from zhuanban.org.roles import UnitKind
from zhuanban.tasks.lifecycle import Status
from zhuanban.tasks.models import Light, Task

PART = re.compile(r"^[一二三四五六七八九十]+、")
MEASURE = re.compile(r"^(\d+)\.")
# The light each decision's task shows, by its plan (see documents_data.Follow).
FOLLOW_LIGHT = {
    "C": Light.GREY,
    "G": Light.GREEN,
    "Y": Light.YELLOW,
    "A": Light.YELLOW,
    "R": Light.RED,
}


def _user(username):
    return get_user_model().objects.get(username=username)


def _villages():
    return Document.objects.get(title=documents_data.VILLAGES_TITLE)


def _parts_and_measures(text: str) -> tuple[list[str], list[int]]:
    lines = text.splitlines()
    parts = [line for line in lines if PART.match(line)]
    measures = [int(MEASURE.match(line).group(1)) for line in lines if MEASURE.match(line)]
    return parts, measures


def _follows():
    sittings = documents_data.MEETINGS_2023 + documents_data.meetings_now()
    return [follow for s in sittings for item in s.items for follow in item.follow]


@pytest.mark.usefixtures("loaded", "db")
class TestDocumentsDemo:
    # --- the six documents the seed names ---------------------------------------------

    def test_the_six_documents_the_seed_names_are_issued(self):
        documents = {
            d.title: d
            for d in Document.objects.filter(title__in=documents_data.SEED_DOCUMENTS)
            .select_related("office")
            .annotate(
                issued_versions=Count("versions", filter=Q(versions__issued_at__isnull=False))
            )
        }
        assert set(documents) == set(documents_data.SEED_DOCUMENTS)
        offices = {title: d.office.code for title, d in documents.items()}
        assert offices == {
            "乌兰察布市关于做好2023年全面推进乡村振兴重点工作的实施意见": "office-rural",
            "乌兰察布市建设国家重要农畜产品生产基地实施方案": "office-base",
            "马铃薯产业发展示范区建设方案": "office-potato",
            "乌兰察布市奶业振兴支持政策": "office-cattle",
            "乌兰察布市肉牛优质冻精补贴方案": "office-cattle",
            "原味乌兰察布用标支持政策": "office-brand",
        }
        for title, document in documents.items():
            assert document.kind == documents_data.SEED_DOCUMENTS[title]
            assert document.stage == Stage.ISSUED, title
            assert re.fullmatch(r"乌(党|政办|农牧)发〔2023〕\d+号", document.issue_number)
            # 推动文件印发实施: issued in the first half of 2023, after approval.
            assert datetime.date(2023, 1, 1) <= document.issued_on <= datetime.date(2023, 6, 30)
            assert document.approved_on <= document.issued_on
            assert document.deliberation
            assert document.issuing_authority
            assert document.issued_versions == 1
            assert 2 <= document.versions.count() <= 3
            assert 1 <= document.rounds.count() <= 2

    def test_the_issued_version_is_the_last_and_the_drafts_are_real_docx_files(self):
        for document in Document.objects.filter(title__in=documents_data.SEED_DOCUMENTS):
            versions = list(document.versions.select_related("file"))
            assert versions[-1].is_issued
            assert not any(v.is_issued for v in versions[:-1])
            uploaded = [v for v in versions if v.file_id]
            assert versions[0] in uploaded, document.title
            assert versions[-1] in uploaded, document.title
            for version in uploaded:
                with version.file.file.open("rb") as handle:
                    assert extract_text(handle.read()) == version.text
            assert all(v.change_note for v in versions[1:]), document.title
            assert versions[0].text.splitlines()[0] == document.title

    def test_the_numbers_agree_with_the_chains_work_plans(self):
        for chain in org_data.CHAINS:
            title = chain["work_plan_title"].strip("《》")
            if title in documents_data.SEED_DOCUMENTS:
                document = Document.objects.get(title=title)
                assert document.issue_number == chain["work_plan_number"]

    def test_city_documents_went_to_the_city_and_the_bureaus_own_through_a_topic(self):
        city = Document.objects.filter(
            title__in=documents_data.SEED_DOCUMENTS, issue_number__regex=r"^乌(党|政办)发"
        )
        assert city.count() == 4
        for document in city:
            assert re.fullmatch(
                r"(市委常委会|市人民政府)2023年第\d+次(常务)?会议", document.deliberation
            )
        # Three of them went before the bureau's own meeting first and came back with changes.
        sent_back = Topic.objects.filter(document__in=city, outcome=Outcome.APPROVED_WITH_CHANGES)
        assert sent_back.count() == 3
        # The bureau's own documents were approved by the meeting their topic went to.
        approved = Topic.objects.filter(outcome=Outcome.APPROVED, document__isnull=False)
        assert approved.count() >= 5
        for topic in approved.select_related("document", "meeting"):
            assert topic.document.deliberation == topic.meeting.title
            assert topic.document.approved_on == timezone.localdate(topic.meeting.starts_at)
        events = DocumentEvent.objects.filter(document__in=city, action="approve")
        assert events.count() == 4

    # --- opinion rounds ---------------------------------------------------------------

    def test_leaders_counties_and_departments_were_consulted(self):
        rounds = OpinionRound.objects.filter(document__title__in=documents_data.SEED_DOCUMENTS)
        assert rounds.count() == 7
        for round in rounds:
            requests = round.requests.select_related("unit")
            kinds = {r.unit.kind for r in requests if r.unit_id}
            assert requests.filter(person__isnull=False).exists(), round  # a leader
            assert UnitKind.COUNTY in kinds or UnitKind.MEMBER_UNIT in kinds, round
        first_rounds = rounds.filter(number=1)
        assert all(r.requests.filter(unit__kind=UnitKind.COUNTY).count() >= 3 for r in first_rounds)

    def test_closed_rounds_were_answered_and_every_opinion_handled_with_reasons(self):
        closed = OpinionRequest.objects.filter(round__closed_at__isnull=False)
        assert not closed.filter(answered_at__isnull=True).exists()
        assert closed.filter(no_opinion=True).count() >= 5  # some 无意见
        assert closed.filter(is_late=True).count() >= 5  # one late in most rounds
        for request in closed.filter(is_late=True).select_related("round"):
            assert timezone.localdate(request.answered_at) > request.round.deadline
        for request in closed.filter(is_late=False).select_related("round"):
            assert timezone.localdate(request.answered_at) <= request.round.deadline
        opinions = Opinion.objects.filter(request__round__closed_at__isnull=False)
        counts = Counter(opinions.values_list("disposition", flat=True))
        assert counts[Disposition.PENDING] == 0
        assert (
            counts[Disposition.ADOPTED]
            > counts[Disposition.PARTLY]
            > counts[Disposition.NOT_ADOPTED]
            > 0
        )
        assert not opinions.filter(disposition__in=REASON_DISPOSITIONS, reason="").exists()
        assert not opinions.filter(location="").exists()  # each on a clause
        assert not opinions.filter(decided_at__isnull=True).exists()

    def test_the_adoption_table_of_a_document_adds_up(self):
        document = Document.objects.get(title="马铃薯产业发展示范区建设方案")
        summary = selectors.adoption_summary(selectors.adoption_rows(document))
        assert summary == {"total": 7, "adopted": 4, "partly": 2, "not_adopted": 1, "pending": 0}

    # --- 《…学习推广浙江“千万工程”经验具体措施(讨论稿)》 ---------------------------------------

    def test_the_villages_measures_are_seeking_opinions_with_6_parts_and_37_measures(self):
        document = _villages()
        assert (document.stage, document.office.code) == (Stage.CONSULTING, "office-rural")
        current = document.versions.order_by("-number").first()
        parts, measures = _parts_and_measures(current.text)
        assert len(parts) == 6
        assert measures == list(range(1, 38))  # numbered continuously across the parts
        assert parts[4].startswith("五、加强乡村治理")

    def test_version_1_had_fewer_measures_and_the_comparison_shows_what_changed(self):
        first, second = _villages().versions.order_by("number")
        parts, measures = _parts_and_measures(first.text)
        assert (len(parts), measures) == (5, list(range(1, 29)))
        assert first.file_id
        assert second.file_id
        comparison = compare(first.text, second.text)
        assert comparison.added >= 5  # the new part and measures
        assert comparison.changed >= 10  # renumbered and reworded measures
        assert "6个方面37条" in second.change_note

    def test_round_1_is_closed_and_round_2_open_until_after_today(self):
        first, second = _villages().rounds.order_by("number")
        today = timezone.localdate()
        assert not first.is_open
        assert first.deadline < today
        assert not first.requests.filter(answered_at__isnull=True).exists()
        assert second.is_open
        assert today < second.deadline <= today + datetime.timedelta(days=7)
        assert second.draft.number == 2
        assert second.requests.filter(unit__kind=UnitKind.COUNTY).count() == 11

    def test_most_have_answered_round_2_and_the_rest_were_urged(self):
        round = _villages().rounds.get(number=2)
        progress = selectors.round_progress(round)
        assert progress["answered"] > progress["total"] * 3 // 4
        waiting = round.requests.filter(answered_at__isnull=True)
        assert {r.unit.name for r in waiting} == {"卓资县", "化德县", "市商务局"}
        assert all(r.urge_count == 1 for r in waiting)
        # One county answered once urged; the office has begun handling the answers.
        assert round.requests.filter(urge_count=1, answered_at__isnull=False).count() == 1
        opinions = Opinion.objects.filter(request__round=round)
        assert opinions.filter(disposition=Disposition.PENDING).exists()
        assert opinions.exclude(disposition=Disposition.PENDING).exists()

    @pytest.mark.parametrize(("username", "county"), [("zhuozi", "卓资县"), ("huade", "化德县")])
    def test_zhuozi_and_huade_have_the_open_round_to_answer(self, username, county):
        user = _user(username)
        request = scoping.my_requests(user).get(round__document=_villages(), round__number=2)
        assert request.unit.name == county
        assert not request.answered
        assert scoping.can_answer(user, request)
        assert _villages() in scoping.visible_documents(user)
        unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
        assert unread.filter(kind="opinion_request", url=request.round.get_absolute_url()).exists()
        assert unread.filter(kind="opinion_urge").exists()

    # --- living documents -------------------------------------------------------------

    def test_living_documents_were_revised_in_place_saying_what_changed(self):
        living = Document.objects.filter(title__in=documents_data.LIVING_TITLES)
        assert living.count() == 4
        for document in living:
            assert document.is_living
            assert document.stage == Stage.ISSUED
            assert document.issue_number.startswith("乌农牧发〔2023〕")
            versions = list(document.versions.all())
            revisions = [
                v
                for v in versions
                if v.issued_at and timezone.localdate(v.issued_at) > document.issued_on
            ]
            assert revisions, document.title
            assert all(v.change_note for v in revisions)
            assert document.revised_on == timezone.localdate(revisions[-1].issued_at)
        handbook = living.get(title="乌兰察布市农牧业招商引资手册")
        versions = list(handbook.versions.all())
        assert len(versions) >= 3
        assert all(v.is_issued and v.change_note for v in versions[1:])
        # 动态更新: the latest edition, a few weeks old, is named after its year.
        assert timezone.localdate() - handbook.revised_on < datetime.timedelta(days=60)
        assert versions[-1].text.splitlines()[1] == f"({handbook.revised_on.year}年版)"

    # --- meetings ---------------------------------------------------------------------

    def test_twenty_odd_topics_over_meetings_of_every_kind(self):
        topics = Topic.objects.all()
        assert topics.count() >= 20
        meetings = Meeting.objects.annotate(n=Count("topics")).filter(n__gt=0)
        assert meetings.count() >= 4
        assert set(meetings.values_list("kind", flat=True)) == set(MeetingKind.values)
        # 常态化提交专办议题…20余次: in 2023 alone, by most offices.
        counts = list(selectors.topic_counts(_user("leader"), 2023))
        assert sum(office.submitted for office in counts) >= 20
        assert len(counts) >= 7
        assert sum(office.tasks for office in counts) >= 2

    def test_held_meetings_have_minutes_and_every_topic_a_decision(self):
        held = Meeting.objects.exclude(status=MeetingStatus.PLANNED)
        assert set(held.values_list("status", flat=True)) == {MeetingStatus.CLOSED}
        for meeting in held:
            assert re.fullmatch(
                rf".+纪要〔{meeting.year}〕{meeting.sequence}号", meeting.minutes_number
            )
            assert meeting.minutes_summary
            assert meeting.chair_id
            assert meeting.attendees.exists()
            assert timezone.localdate(meeting.starts_at) < timezone.localdate()
            for topic in meeting.topics.all():
                assert topic.status in (TopicStatus.DECIDED, TopicStatus.DEFERRED), topic
                if topic.status == TopicStatus.DECIDED:
                    assert topic.outcome
                    assert topic.decision
                    assert topic.decision in meeting.minutes_summary
                    assert topic.submitted_at < meeting.starts_at <= topic.decided_at
        # Numbered 第N次 among the year's of their kind, in date order.
        for (kind, year), n in Counter(held.values_list("kind", "year")).items():
            sequences = list(
                held.filter(kind=kind, year=year)
                .order_by("starts_at")
                .values_list("sequence", flat=True)
            )
            assert sequences == list(range(1, n + 1))

    def test_a_topic_was_deferred_to_a_later_meeting_and_one_for_now(self):
        moved = Topic.objects.get(times_deferred=1, status=TopicStatus.DECIDED)
        assert moved.title == "关于2023年净菜进京供应基地建设的议题"
        assert moved.defer_reason
        assert moved.meeting.title == "市农牧局2023年第2次局务会议"
        assert moved.submitted_at < timezone.localtime(
            moved.meeting.starts_at
        ) - datetime.timedelta(days=14)
        waiting = Topic.objects.get(status=TopicStatus.DEFERRED)
        assert waiting.defer_reason
        assert waiting.meeting.status == MeetingStatus.CLOSED

    def test_the_next_meeting_is_collecting_topics(self):
        meeting = Meeting.objects.get(status=MeetingStatus.PLANNED)
        assert meeting.kind == MeetingKind.BUREAU
        today = timezone.localdate()
        assert today < timezone.localdate(meeting.starts_at) <= today + datetime.timedelta(days=14)
        assert meeting.topic_deadline >= today
        statuses = sorted(meeting.topics.values_list("status", flat=True))
        assert statuses == [TopicStatus.ON_AGENDA, TopicStatus.SUBMITTED]
        assert (
            Notification.objects.filter(
                recipient=_user("leader"), kind="topic_submitted", read_at__isnull=True
            ).count()
            == 2
        )

    # --- decisions that became tasks --------------------------------------------------

    def test_decisions_became_tasks_that_link_back_to_their_topics(self):
        links = TopicTask.objects.select_related(
            "topic__meeting", "task__task_list", "task__lead_unit"
        )
        assert links.count() >= 6
        for link in links:
            task, topic = link.task, link.topic
            assert topic.outcome in (Outcome.APPROVED, Outcome.APPROVED_WITH_CHANGES, Outcome.NOTED)
            assert task.task_list.office_id == topic.office_id
            assert task.task_list.year == topic.meeting.year
            assert topic.meeting.title in task.remarks
            assert topic.title in task.remarks
            assert task.lead_unit.kind == UnitKind.COUNTY
            assert task.start_date == timezone.localdate(topic.meeting.starts_at)
            assert task.responsible_leader in {name for _u, name, _t in org_data.LEADERS}
            assert task.status != Status.DRAFT

    def test_decision_tasks_follow_the_task_lifecycle_with_live_lights(self):
        expected = {follow.content: FOLLOW_LIGHT[follow.plan] for follow in _follows()}
        tasks = Task.objects.filter(meeting_link__isnull=False).with_light()
        lights = Counter()
        for task in tasks:
            assert task.light == expected[task.content], task.content
            lights[task.light] += 1
        assert lights[Light.GREY] >= 5
        assert lights[Light.GREEN] >= 2
        assert lights[Light.YELLOW] >= 1
        assert lights[Light.RED] >= 1
        closed = tasks.filter(status=Status.CLOSED)
        for task in closed:
            actions = list(task.events.values_list("action", flat=True))
            assert actions[:3] == ["create", "assign", "accept"]
            assert actions[-2:] == [
                "request_close",
                "close",
            ]
            assert task.closed_at.date() >= task.start_date
        # 化德县 has yet to accept its task; 卓资县's lags.
        huade = tasks.get(lead_unit__name="化德县")
        assert huade.status == Status.ASSIGNED
        assert Notification.objects.filter(
            recipient=_user("huade"),
            kind="task_assign",
            url__endswith=f"/{huade.pk}/",
            read_at__isnull=True,
        ).exists()
        assert tasks.get(lead_unit__name="卓资县").status == Status.IN_PROGRESS

    # --- the story's dates ------------------------------------------------------------

    def test_the_story_happened_in_the_past_in_order(self):
        now = timezone.now()
        assert not DocumentEvent.objects.filter(at__gt=now).exists()
        assert not Opinion.objects.filter(decided_at__gt=now).exists()
        assert not OpinionRequest.objects.filter(answered_at__gt=now).exists()
        assert not Topic.objects.filter(submitted_at__gt=now).exists()
        for document in Document.objects.all():
            moments = list(document.events.values_list("at", flat=True))
            assert moments == sorted(moments), document.title
            assert document.created_at <= moments[0] + datetime.timedelta(seconds=1)
            for round in document.rounds.all():
                assert round.draft.created_at < round.opened_at
                if round.closed_at:
                    assert round.opened_at < round.closed_at
        # Notifications of the 2023 story were read long ago.
        old = Notification.objects.filter(created_at__year=2023)
        assert old.exists()
        assert not old.filter(read_at__isnull=True).exists()
