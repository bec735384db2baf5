"""The assessment demo tells the seed's story from its data: last year's rural-revitalisation
assessment closed with the city graded 好, this year's "vegetable basket" assessment of the
eleven counties in self-assessment, with automatic scores that agree with the demo's own
tasks and indicator values counted here by hand, evidence uploaded and linked, and gaps."""

import datetime
import hashlib
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from zhuanban.assessment import scoping, scoring, selectors
from zhuanban.assessment.lifecycle import SchemeStatus, SelfStatus
from zhuanban.assessment.models import (
    AUTOMATIC_METHODS,
    Evidence,
    Grade,
    Item,
    Method,
    Participant,
    Scheme,
    Score,
)
from zhuanban.demo import assessment_data, org_data
from zhuanban.dispatch.models import IndicatorValue, Target
from zhuanban.org.models import OrgUnit
from zhuanban.org.roles import UnitKind
from zhuanban.rectification.lifecycle import Status as RectificationStatus
from zhuanban.rectification.models import Rectification, SourceKind
from zhuanban.tasks.lifecycle import Status as TaskStatus
from zhuanban.tasks.models import ProgressReport, Task

COUNTY_CODES = [code for code, _name, _short in org_data.COUNTIES]
CENT = Decimal("0.01")


def _user(username):
    return get_user_model().objects.get(username=username)


def _rural():
    return Scheme.objects.get(title=assessment_data.RURAL_TITLE)


def _basket():
    return Scheme.objects.get(title=assessment_data.BASKET_TITLE)


def _sha256(stored) -> str:
    with stored.file.open("rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


@pytest.mark.usefixtures("loaded", "db")
class TestAssessmentDemo:
    # --- 2022年度推进乡村振兴战略考核 ------------------------------------------------------

    def test_the_rural_scheme_is_closed_and_the_city_graded_good(self):
        scheme = _rural()
        today = timezone.localdate()
        assert scheme.status == SchemeStatus.CLOSED
        assert scheme.office.code == "office-rural"
        assert scheme.assessor == assessment_data.REGION
        assert scheme.year == today.year - 1
        assert (scheme.period_start, scheme.period_end) == (
            datetime.date(today.year - 1, 1, 1),
            datetime.date(today.year - 1, 12, 31),
        )
        city = scheme.participants.get()
        assert city.unit.kind == UnitKind.CITY
        assert city.self_status == SelfStatus.SUBMITTED
        # The cached total is the one the scores give, and it is 好.
        recomputed = scoring.totals(scheme)[city.pk]
        assert (city.total, city.self_total, city.unscored) == (
            recomputed.total,
            recomputed.self_total,
            0,
        )
        assert city.total >= scheme.good_from == 90
        assert city.grade == Grade.GOOD == scheme.grade_for(recomputed.total)
        assert city.self_total > city.total  # the region deducted more than the city did

    def test_the_rural_tree_has_weighted_parts_and_manual_items(self):
        scheme = _rural()
        items = list(scheme.items.order_by("sort_path"))
        parts = [i for i in items if i.parent_id is None]
        leaves = [i for i in items if not i.is_heading]
        assert 5 <= len(parts) <= 7
        assert sum(p.weight for p in parts) == 100
        assert scoring.weight_checks(items) == []
        assert 15 <= len(leaves) <= 25
        assert [p.title for p in parts][:2] == ["巩固拓展脱贫攻坚成果", "粮食和重要农产品稳产保供"]
        assert [p.number for p in parts][:2] == ["一、", "二、"]
        assert {leaf.method for leaf in leaves} == {Method.MANUAL}
        for leaf in leaves:
            assert all((leaf.criteria, leaf.evidence_required, leaf.responsible_text)), leaf
        with_units = Item.objects.filter(scheme=scheme, responsible_units__isnull=False)
        assert with_units.distinct().count() >= len(leaves) - 2

    def test_every_deduction_has_a_reason_and_two_opened_rectification(self):
        scheme = _rural()
        scores = list(Score.objects.filter(participant__scheme=scheme).select_related("item"))
        assert all(s.self_score is not None and s.self_reason for s in scores)
        assert all(s.review_score is not None and s.review_reason for s in scores)
        deducted = [s for s in scores if s.review_score < s.item.max_score]
        assert 3 <= len(deducted) <= 10
        assert any(s.difference < 0 for s in scores)  # the difference is visible
        items = Rectification.objects.filter(source_kind=SourceKind.ASSESSMENT)
        assert items.count() == 2
        today = timezone.localdate()
        for item in items:
            score = Score.objects.get(rectifications=item)
            assert score in deducted
            assert item.problem == score.review_reason
            assert item.office.code == "office-rural"
            assert item.unit == score.participant.unit
            assert item.status == RectificationStatus.OPEN
            assert item.due_date > today
            assert scheme.closed_at < item.raised_at <= timezone.now()

    def test_the_office_filed_the_city_evidence_before_confirming(self):
        scheme = _rural()
        evidence = list(
            Evidence.objects.filter(participant__scheme=scheme).select_related(
                "file__uploaded_by", "item"
            )
        )
        assert len(evidence) >= 5
        rural_staff = {
            _user(username).pk for username in ("rural-dir", "rural-dep", "rural-m1", "rural-m2")
        }
        for piece in evidence:
            assert piece.file.name.endswith(".docx")
            assert piece.file.sha256 == _sha256(piece.file)
            assert piece.file.uploaded_by_id in rural_staff
            assert piece.from_task is None
            assert piece.added_at < scheme.closed_at
        # Self-assessed and reviewed in the story's order, before the results.
        score = Score.objects.filter(participant__scheme=scheme).first()
        city = scheme.participants.get()
        assert scheme.created_at < score.self_at < city.self_submitted_at
        assert city.self_submitted_at < score.reviewed_at < scheme.closed_at <= timezone.now()

    # --- 2023年"菜篮子"市长负责制考核 ------------------------------------------------------

    def test_the_basket_scheme_assesses_the_eleven_counties_in_self_assessment(self):
        scheme = _basket()
        assert scheme.status == SchemeStatus.SELF
        assert scheme.office.code == "office-basket"
        assert scheme.year == timezone.localdate().year
        codes = list(scheme.participants.values_list("unit__code", flat=True))
        assert sorted(codes) == sorted(COUNTY_CODES)
        leaves = scheme.items.filter(is_heading=False)
        assert set(leaves.values_list("method", flat=True)) == {Method.MANUAL} | set(
            AUTOMATIC_METHODS
        )
        assert scoring.weight_checks(list(scheme.items.all())) == []

    def test_every_county_has_a_computed_score_on_every_automatic_item(self):
        scheme = _basket()
        automatic = scheme.items.filter(is_heading=False).exclude(method=Method.MANUAL)
        assert automatic.count() == 4
        scores = Score.objects.filter(participant__scheme=scheme, item__in=automatic)
        assert scores.count() == 11 * 4
        assert not scores.filter(auto_score__isnull=True).exists()
        assert all(s.auto_basis for s in scores)
        assert not scheme.participants.filter(scored_at__isnull=True).exists()

    def test_the_tasks_item_agrees_with_the_tasks_counted_by_hand(self):
        scheme = _basket()
        item = scheme.items.get(method=Method.TASKS)
        start, end = scheme.period_start, timezone.localdate()
        tasks = list(
            Task.objects.filter(
                task_list=item.task_list,
                is_heading=False,
                counts_in_assessment=True,
                due_date__gte=start,
                due_date__lte=end,
            )
            .exclude(status=TaskStatus.DRAFT)
            .select_related("lead_unit", "county")
        )
        assert tasks  # the base list has measures that fell due this year
        for participant in scheme.participants.select_related("unit"):
            path = participant.unit.path
            mine = [
                t
                for t in tasks
                if t.lead_unit.path.startswith(path)
                or (t.county and t.county.path.startswith(path))
            ]
            on_time = [
                t
                for t in mine
                if t.status == TaskStatus.CLOSED and timezone.localdate(t.closed_at) <= t.due_date
            ]
            expected = item.max_score
            if mine:
                expected = (item.max_score * len(on_time) / len(mine)).quantize(
                    CENT, rounding=ROUND_HALF_UP
                )
            score = Score.objects.get(participant=participant, item=item)
            assert score.auto_score == expected, participant.unit.name
            assert score.auto_basis == {"due": len(mine), "on_time": len(on_time)}

    def test_the_facility_item_agrees_with_the_indicator_values(self):
        scheme = _basket()
        item = scheme.items.get(method=Method.INDICATOR)
        assert item.indicator.code == "facility_area"
        today = timezone.localdate()
        shares = []
        for participant in scheme.participants.select_related("unit"):
            target = Target.objects.get(
                indicator=item.indicator, unit=participant.unit, year=scheme.year
            ).value
            latest = (
                IndicatorValue.objects.filter(
                    indicator=item.indicator,
                    unit=participant.unit,
                    year=scheme.year,
                    period_end__lte=today,
                )
                .order_by("-period_end")
                .first()
            )
            share = min(Decimal(1), latest.value / target) if latest else Decimal(0)
            shares.append(share)
            score = Score.objects.get(participant=participant, item=item)
            expected = (item.max_score * share).quantize(CENT, rounding=ROUND_HALF_UP)
            assert score.auto_score == expected, participant.unit.name
        if today.month >= 4:  # the office reports from March
            assert len(set(shares)) > 5  # the counties differ

    def test_counties_submitted_returned_part_way_and_not_started(self):
        scheme = _basket()
        participants = {p.unit.code: p for p in scheme.participants.select_related("unit")}
        manual = scheme.items.filter(is_heading=False, method=Method.MANUAL)
        by_status = {}
        for code, participant in participants.items():
            by_status.setdefault(participant.self_status, []).append(code)
        assert len(by_status[SelfStatus.SUBMITTED]) >= 1
        assert len(by_status[SelfStatus.RETURNED]) == 1
        returned = participants[by_status[SelfStatus.RETURNED][0]]
        assert returned.return_reason == assessment_data.RETURN_REASON
        for code in by_status[SelfStatus.SUBMITTED] + by_status[SelfStatus.RETURNED]:
            scores = Score.objects.filter(participant=participants[code], item__in=manual)
            assert all(s.self_score is not None and s.self_reason for s in scores), code
            assert participants[code].self_submitted_at <= timezone.now()
        scored = {
            code: Score.objects.filter(
                participant=participants[code], item__in=manual, self_score__isnull=False
            ).count()
            for code in by_status[SelfStatus.PENDING]
        }
        assert any(0 < n < manual.count() for n in scored.values())  # part-way
        assert 0 in scored.values()  # not started
        # The browser tests' counties still have work to do.
        assert participants["150921"].self_status == SelfStatus.PENDING
        assert participants["150922"].self_status == SelfStatus.PENDING

    def test_evidence_is_uploaded_and_linked_from_task_reports(self):
        scheme = _basket()
        evidence = Evidence.objects.filter(participant__scheme=scheme).select_related(
            "file", "participant__unit", "from_task"
        )
        uploaded = [e for e in evidence if e.from_task is None]
        linked = [e for e in evidence if e.from_task is not None]
        assert len(uploaded) >= 10
        assert len(linked) == 2
        liaisons = {code: name for name, _n, code in org_data.COUNTY_LIAISONS}
        for piece in linked:
            # The same stored file as the task's progress report: not a copy.
            report = ProgressReport.objects.get(task=piece.from_task, evidence=piece.file)
            assert report.reporter.username == liaisons[piece.participant.unit.code]
            assert piece.file.uploaded_by == report.reporter
            assert piece.from_task.lead_unit == piece.participant.unit
            assert piece.item.method == Method.INDICATOR
            assert piece.file.sha256 == _sha256(piece.file)
        for piece in uploaded:
            assert piece.file.sha256 == _sha256(piece.file)
            assert piece.file.uploaded_by.username == liaisons[piece.participant.unit.code]
            assert not ProgressReport.objects.filter(evidence=piece.file).exists()

    def test_the_gaps_page_has_work_to_show(self):
        scheme = _basket()
        office = _user("basket-dir")
        gaps = list(selectors.evidence_gaps(scheme, scoping.visible_participants(office, scheme)))
        assert len(gaps) > 20
        filed = set(
            Evidence.objects.filter(participant__scheme=scheme).values_list(
                "participant_id", "item_id"
            )
        )
        assert all((g.participant_id, g.item_id) not in filed for g in gaps)
        assert all(g.item.evidence_required for g in gaps)
        # A county that has not started lacks every piece of evidence asked for.
        idle = scheme.participants.get(unit__code="150927")
        required = scheme.items.filter(is_heading=False).exclude(evidence_required="")
        assert {g.item_id for g in gaps if g.participant_id == idle.pk} == set(
            required.values_list("pk", flat=True)
        )

    def test_a_county_liaison_sees_its_own_scorecard_only(self):
        zhuozi = _user("zhuozi")
        schemes = set(scoping.visible_schemes(zhuozi))
        assert _basket() in schemes
        assert _rural() not in schemes  # the city's assessment is not the county's
        visible = scoping.visible_participants(zhuozi, _basket())
        assert [p.unit.code for p in visible] == ["150921"]
        # The office sees every county's.
        assert scoping.visible_participants(_user("basket-dep"), _basket()).count() == 11

    def test_the_story_moments_are_in_the_past(self):
        now = timezone.now()
        scheme = _basket()
        assert scheme.created_at < now
        scores = Score.objects.filter(participant__scheme=scheme, self_at__isnull=False)
        assert scores.exists()
        assert all(scheme.created_at < s.self_at <= now for s in scores)
        assert not Evidence.objects.filter(added_at__gt=now).exists()
        assert not Participant.objects.filter(self_submitted_at__gt=now).exists()

    def test_loading_twice_duplicates_nothing(self):
        models = [Scheme, Item, Participant, Score, Evidence, Rectification, OrgUnit]
        before = [model.objects.count() for model in models]
        call_command("demo", "--quiet-accounts")
        assert [model.objects.count() for model in models] == before
