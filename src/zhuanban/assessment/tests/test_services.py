"""The assessment services driven directly: bad input reported by field with nothing
written, who may and may not act, the scheme and self-assessment lifecycles, evidence
(hashes, refused files, responsible units, links to task evidence), deductions that open
rectification items, optimistic locking and the audit trail.

The scheme, its data and hand-computed automatic scores are in conftest.py: 卓资县 has
10 + 3.33 + 7.50 + 1 = 21.83 computed points before the manual item (15) is scored."""

import datetime
import hashlib
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.translation import gettext

from zhuanban.assessment import services
from zhuanban.assessment.lifecycle import SchemeAction, SchemeStatus, SelfStatus
from zhuanban.assessment.models import Evidence, Grade, Item, Method, Participant, Scheme, Score
from zhuanban.assessment.tests.conftest import YEAR, d, score_of
from zhuanban.core.errors import ConcurrentEditError
from zhuanban.core.files import store_upload
from zhuanban.core.models import AuditEvent, AuditOutcome, StoredFile
from zhuanban.org.tests.factories import person
from zhuanban.rectification.models import Rectification, SourceKind
from zhuanban.tasks import services as task_services

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
REASON = "完成了年度任务，材料见附件。"
REVIEW_REASON = "典型案例材料不足，扣3分。"


# --- helpers ------------------------------------------------------------------------------------


def _codes(error: ValidationError) -> dict[str, list[str]]:
    return {field: [e.code for e in errors] for field, errors in error.error_dict.items()}


def _field_messages(error: ValidationError, field: str) -> list[str]:
    return [message for e in error.error_dict[field] for message in e.messages]


def _events(instance, message: str | None = None):
    events = AuditEvent.objects.filter(
        object_type=instance._meta.label_lower, object_id=str(instance.pk)
    ).order_by("seq")
    return events if message is None else events.filter(message=message)


def _pdf(name: str = "工作总结.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def _new_scheme(world, title: str = "2023年度蔬菜产业考核", **data) -> Scheme:
    return services.scheme_save(
        actor=world.office,
        office=world.potato,
        data={
            "title": title,
            "year": YEAR,
            "period_start": d(1, 1),
            "period_end": d(12, 31),
            **data,
        },
    )


def _manual_item(world, scheme: Scheme, title: str = "工作成效", max_score: int = 15, **kw):
    return services.item_save(
        actor=world.office,
        scheme=scheme,
        data={"title": title, "max_score": Decimal(max_score), "method": Method.MANUAL},
        **kw,
    )


def _review(actor, participant: Participant, item: Item, value: str = "12", reason=REVIEW_REASON):
    return services.score_review(
        actor=actor, score=score_of(participant, item), value=value, reason=reason
    )


@pytest.fixture
def crops_staff(world):
    """A person of 种植业管理科 with no role: their unit supplies evidence for an item."""
    return person("crops-staff", world.crops, name="李春燕")


@pytest.fixture
def town_reviewer(world):
    """A person of 卓资镇 (a unit within 卓资县), with no role."""
    return person("town-reviewer", world.zhuozi_town, name="白雪梅")


@pytest.fixture
def reviewing(world, opened):
    """The same scheme under review."""
    opened.scheme = services.scheme_act(
        actor=world.office, scheme=opened.scheme, action=SchemeAction.REVIEW
    )
    return opened


@pytest.fixture
def closed(world, reviewing):
    for participant in (reviewing.zhuozi, reviewing.huade):
        _review(world.potato_director, participant, reviewing.items.manual)
    reviewing.scheme = services.scheme_act(
        actor=world.office, scheme=reviewing.scheme, action=SchemeAction.CLOSE
    )
    return reviewing


@pytest.fixture
def city(world):
    """A scheme assessing the city itself (by the region), in self-assessment."""
    scheme = _new_scheme(world, "2023年度菜篮子市长负责制考核", assessor="自治区农牧厅")
    item = _manual_item(world, scheme, "菜篮子产品供给", 100)
    services.participants_set(actor=world.office, scheme=scheme, units=[world.city])
    scheme = services.scheme_act(actor=world.office, scheme=scheme, action=SchemeAction.OPEN)
    return SimpleNamespace(scheme=scheme, item=item, participant=scheme.participants.get())


# --- scheme_save ----------------------------------------------------------------------------------


def test_scheme_save_reports_every_problem_at_once_by_field(world, design):
    with pytest.raises(ValidationError) as caught:
        _new_scheme(
            world,
            design.scheme.title,  # already used for 2023
            period_start=d(6, 30),
            period_end=d(1, 1),
            good_from=Decimal(70),
            fairly_good_from=Decimal(80),
        )
    assert _codes(caught.value) == {
        "period_end": ["order"],
        "good_from": ["bands"],
        "title": ["unique"],
    }
    assert _field_messages(caught.value, "title") == [
        gettext("A scheme with this title already exists for that year.")
    ]
    assert _field_messages(caught.value, "period_end") == [
        gettext("The end of the period cannot be before its start.")
    ]
    assert Scheme.objects.count() == 1


def test_grade_bands_must_descend_and_not_be_negative(world):
    for good, fairly_good, average in ((90, 90, 60), (90, 80, 85), (90, 80, -1)):
        with pytest.raises(ValidationError) as caught:
            _new_scheme(
                world,
                good_from=Decimal(good),
                fairly_good_from=Decimal(fairly_good),
                average_from=Decimal(average),
            )
        assert _codes(caught.value) == {"good_from": ["bands"]}, (good, fairly_good, average)
        assert _field_messages(caught.value, "good_from") == [
            gettext(
                "Grade bands must descend: good above fairly good above average, none negative."
            )
        ]
    assert not Scheme.objects.exists()


def test_the_same_title_is_allowed_in_another_year(world):
    first = _new_scheme(world)
    other = _new_scheme(
        world,
        first.title,
        year=YEAR + 1,
        period_start=d(1, 1, YEAR + 1),
        period_end=d(12, 31, YEAR + 1),
    )
    assert Scheme.objects.filter(title=first.title).count() == 2
    assert other.year == YEAR + 1


def test_only_the_offices_own_staff_create_its_schemes(world):
    for who in ("brand_staff", "zhuozi_liaison", "leader", "inspector", "sysadmin", "outsider"):
        with pytest.raises(PermissionDenied):
            services.scheme_save(
                actor=getattr(world, who),
                office=world.potato,
                data={
                    "title": "越权方案",
                    "year": YEAR,
                    "period_start": d(1, 1),
                    "period_end": d(12, 31),
                },
            )
    assert not Scheme.objects.exists()
    assert not AuditEvent.objects.filter(object_type="assessment.scheme").exists()


def test_office_staff_create_for_their_own_office_only(world):
    with pytest.raises(PermissionDenied):
        services.scheme_save(
            actor=world.office,
            office=world.brand,
            data={
                "title": "品牌方案",
                "year": YEAR,
                "period_start": d(1, 1),
                "period_end": d(12, 31),
            },
        )
    scheme = services.scheme_save(
        actor=world.brand_staff,
        office=world.brand,
        data={"title": "品牌方案", "year": YEAR, "period_start": d(1, 1), "period_end": d(12, 31)},
    )
    assert (scheme.office, scheme.created_by, scheme.status) == (
        world.brand,
        world.brand_staff,
        SchemeStatus.DRAFT,
    )


def test_scheme_save_writes_the_audit_trail_with_before_and_after(world, design, town_reviewer):
    scheme = design.scheme
    created = _events(scheme).get(action="create")
    assert created.before is None
    assert created.after["title"] == "2023年度马铃薯产业发展考核"
    assert created.after["reviewers"] == []
    assert created.actor == world.office

    changed = services.scheme_save(
        actor=world.potato_director,
        office=world.potato,
        scheme=scheme,
        data={"title": "2023年度马铃薯产业高质量发展考核"},
        reviewers=[town_reviewer],
        expected_version=1,
    )
    assert changed.version == 2
    assert list(changed.reviewers.all()) == [town_reviewer]
    updated = _events(scheme).last()
    assert (updated.action, updated.actor) == ("update", world.potato_director)
    assert updated.before["title"] == "2023年度马铃薯产业发展考核"
    assert updated.before["version"] == 1
    assert updated.after["title"] == "2023年度马铃薯产业高质量发展考核"
    assert updated.after["reviewers"] == [town_reviewer.pk]


def test_scheme_save_with_a_stale_version_changes_nothing(world, design):
    scheme = design.scheme
    services.scheme_save(
        actor=world.office,
        office=world.potato,
        scheme=scheme,
        data={"basis": "市委农牧办考核办法"},
        expected_version=1,
    )
    events = _events(scheme).count()
    with pytest.raises(ConcurrentEditError):
        services.scheme_save(
            actor=world.potato_director,
            office=world.potato,
            scheme=scheme,
            data={"title": "被覆盖的标题"},
            expected_version=1,
        )
    fresh = Scheme.objects.get(pk=scheme.pk)
    assert (fresh.title, fresh.basis, fresh.version) == (scheme.title, "市委农牧办考核办法", 2)
    assert _events(scheme).count() == events


def test_another_office_cannot_change_a_scheme(world, design):
    with pytest.raises(PermissionDenied):
        services.scheme_save(
            actor=world.brand_staff,
            office=world.brand,
            scheme=design.scheme,
            data={"title": "改名"},
        )
    assert Scheme.objects.get(pk=design.scheme.pk).title == design.scheme.title


def test_a_closed_scheme_is_not_changed(world, closed):
    with pytest.raises(ValidationError) as caught:
        services.scheme_save(
            actor=world.office, office=world.potato, scheme=closed.scheme, data={"title": "改名"}
        )
    assert caught.value.messages == [
        gettext("The results are confirmed: reopen the scheme to change it.")
    ]
    assert Scheme.objects.get(pk=closed.scheme.pk).title == closed.scheme.title


# --- units assessed and items (design only) -------------------------------------------------------


def test_design_is_frozen_once_self_assessment_opens(world, opened):
    scheme, items = opened.scheme, opened.items
    before = (
        list(Item.objects.order_by("pk").values_list("pk", "title", "number")),
        list(scheme.participants.order_by("pk").values_list("pk", "unit_id")),
    )
    frozen = gettext("Items and units assessed change only while the scheme is being designed.")
    attempts = [
        lambda: services.participants_set(actor=world.office, scheme=scheme, units=[world.zhuozi]),
        lambda: _manual_item(world, scheme, "新增指标", 5),
        lambda: services.item_save(
            actor=world.office, scheme=scheme, item=items.manual, data={"title": "改名"}
        ),
        lambda: services.item_delete(actor=world.office, item=items.indicator),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError) as caught:
            attempt()
        assert caught.value.messages == [frozen]
    after = (
        list(Item.objects.order_by("pk").values_list("pk", "title", "number")),
        list(scheme.participants.order_by("pk").values_list("pk", "unit_id")),
    )
    assert after == before
    assert Score.objects.count() == 10


def test_participants_set_adds_and_removes_to_match(world, design):
    scheme = design.scheme
    found = services.participants_set(
        actor=world.office, scheme=scheme, units=[world.huade, world.city]
    )
    assert {p.unit for p in found} == {world.huade, world.city}
    assert set(scheme.participants.values_list("unit_id", flat=True)) == {
        world.huade.pk,
        world.city.pk,
    }
    event = _events(scheme, "units assessed").last()
    assert event.before == {"units": sorted([world.zhuozi.pk, world.huade.pk])}
    assert event.after == {"units": sorted([world.huade.pk, world.city.pk])}


def test_a_unit_named_twice_is_assessed_once(world, design):
    found = services.participants_set(
        actor=world.office, scheme=design.scheme, units=[world.city, world.city, world.zhuozi]
    )
    assert sorted(p.unit.name for p in found) == ["乌兰察布市", "卓资县"]


def test_participants_set_refuses_units_that_cannot_be_assessed(world, design):
    scheme = design.scheme
    with pytest.raises(ValidationError) as caught:
        services.participants_set(actor=world.office, scheme=scheme, units=[world.bureau])
    assert _codes(caught.value) == {"units": [None]}
    assert "乌兰察布市农牧局" in _field_messages(caught.value, "units")[0]
    with pytest.raises(ValidationError) as caught:
        services.participants_set(actor=world.office, scheme=scheme, units=[])
    assert _field_messages(caught.value, "units") == [
        gettext("Choose at least one unit to assess.")
    ]
    assert set(scheme.participants.values_list("unit_id", flat=True)) == {
        world.zhuozi.pk,
        world.huade.pk,
    }


def test_only_the_organising_office_designs(world, design):
    for who in ("zhuozi_liaison", "brand_staff", "leader", "inspector", "outsider"):
        actor = getattr(world, who)
        with pytest.raises(PermissionDenied):
            services.participants_set(actor=actor, scheme=design.scheme, units=[world.zhuozi])
        with pytest.raises(PermissionDenied):
            services.item_save(
                actor=actor,
                scheme=design.scheme,
                data={"title": "越权指标", "max_score": Decimal(5)},
            )
        with pytest.raises(PermissionDenied):
            services.item_delete(actor=actor, item=design.items.manual)
    assert design.scheme.participants.count() == 2
    assert design.scheme.items.count() == 6


def test_an_automatic_method_needs_its_source(world, design):
    needs = [
        (Method.TASKS, "task_list", "Choose the task list whose tasks are counted."),
        (Method.INDICATOR, "indicator", "Choose the indicator whose completion is scored."),
        (Method.DISPATCH, "template", "Choose the statistical table whose reports are counted."),
        (Method.NOTICES, "points_per_notice", "Say how many points each notice deducts."),
    ]
    for method, field, msgid in needs:
        with pytest.raises(ValidationError) as caught:
            services.item_save(
                actor=world.office,
                scheme=design.scheme,
                data={"title": "自动指标", "max_score": Decimal(10), "method": method},
            )
        assert _codes(caught.value) == {field: ["required"]}
        assert _field_messages(caught.value, field) == [gettext(msgid)]
    assert design.scheme.items.count() == 6


def test_only_top_level_items_carry_a_weight(world, design):
    with pytest.raises(ValidationError) as caught:
        services.item_save(
            actor=world.office,
            scheme=design.scheme,
            parent=design.items.heading,
            data={"title": "子指标", "max_score": Decimal(5), "weight": Decimal(10)},
        )
    assert _codes(caught.value) == {"weight": ["weight_nested"]}
    assert design.items.heading.children.count() == 2
    top = services.item_save(
        actor=world.office,
        scheme=design.scheme,
        data={"title": "一票否决", "max_score": Decimal(5), "weight": Decimal(10)},
    )
    assert (top.weight, top.number) == (Decimal("10.00"), "五、")


def test_bad_values_on_an_item_are_reported_by_field(world, design):
    with pytest.raises(ValidationError) as caught:
        services.item_save(
            actor=world.office,
            scheme=design.scheme,
            data={"title": "", "max_score": Decimal(-1), "weight": Decimal(120)},
        )
    assert set(_codes(caught.value)) == {"title", "max_score", "weight"}
    assert design.scheme.items.count() == 6


def test_a_parent_from_another_scheme_is_refused(world, design):
    other = _new_scheme(world)
    foreign = _manual_item(world, other, "其他方案指标", 10)
    with pytest.raises(ValidationError) as caught:
        _manual_item(world, design.scheme, "挂错位置", 5, parent=foreign)
    assert _codes(caught.value) == {"parent": [None]}
    assert foreign.children.count() == 0


def _tree(scheme):
    return [
        (i.title, i.number, i.depth, i.is_heading, i.root.title)
        for i in scheme.items.select_related("root").order_by("sort_path")
    ]


def test_deleting_items_closes_up_the_numbers(world, design):
    items = design.items
    services.item_delete(actor=world.office, item=items.indicator)  # 二、
    services.item_delete(actor=world.office, item=items.tasks)  # (一) under 一、
    assert _tree(design.scheme) == [
        ("重点任务落实", "一、", 0, True, "重点任务落实"),
        ("调度数据按时报送", "(一)", 1, False, "重点任务落实"),
        ("督办通报扣分", "二、", 0, False, "督办通报扣分"),
        ("工作成效", "三、", 0, False, "工作成效"),
    ]
    # The heading's last sub-item gone, it is scored itself again.
    services.item_delete(actor=world.office, item=items.dispatch)
    heading = Item.objects.get(pk=items.heading.pk)
    assert (heading.number, heading.is_heading) == ("一、", False)
    deleted = AuditEvent.objects.filter(object_type="assessment.item", action="delete")
    assert sorted(e.before["title"] for e in deleted) == sorted(
        ["肉牛存栏增量", "重点任务按期办结", "调度数据按时报送"]
    )


def test_deleting_a_heading_removes_its_sub_items(world, design):
    services.item_delete(actor=world.office, item=design.items.heading)
    assert [t[:2] for t in _tree(design.scheme)] == [
        ("肉牛存栏增量", "一、"),
        ("督办通报扣分", "二、"),
        ("工作成效", "三、"),
    ]


def test_sub_items_make_their_parent_a_heading(world, design):
    manual = design.items.manual  # 四、, a leaf
    first = _manual_item(world, design.scheme, "典型经验", 10, parent=manual)
    second = _manual_item(world, design.scheme, "宣传报道", 5, parent=manual)
    detail = _manual_item(world, design.scheme, "经验材料被上级转发", 4, parent=first)
    manual.refresh_from_db()
    first.refresh_from_db()
    assert manual.is_heading
    assert (first.number, first.depth, first.root, first.is_heading) == ("(一)", 1, manual, True)
    assert (second.number, second.depth, second.root) == ("(二)", 1, manual)
    assert (detail.number, detail.depth, detail.root, detail.is_heading) == ("1.", 2, manual, False)
    assert _tree(design.scheme)[-4:] == [
        ("工作成效", "四、", 0, True, "工作成效"),
        ("典型经验", "(一)", 1, True, "工作成效"),
        ("经验材料被上级转发", "1.", 2, False, "工作成效"),
        ("宣传报道", "(二)", 1, False, "工作成效"),
    ]
    created = _events(detail).get()
    assert (created.action, created.after["number"]) == ("create", "1.")


def test_item_save_changes_an_item_with_the_audit_trail(world, design):
    item = services.item_save(
        actor=world.office,
        scheme=design.scheme,
        item=design.items.manual,
        data={"max_score": Decimal(20)},
        responsible_units=[world.crops],
    )
    assert item.max_score == Decimal("20.00")
    assert list(item.responsible_units.all()) == [world.crops]
    updated = _events(item).last()
    assert updated.action == "update"
    assert (updated.before["max_score"], updated.after["max_score"]) == ("15.00", "20.00")


def test_item_save_refuses_an_item_of_another_scheme(world, design):
    other = _new_scheme(world)
    with pytest.raises(ValidationError) as caught:
        services.item_save(
            actor=world.office, scheme=other, item=design.items.manual, data={"title": "改名"}
        )
    assert caught.value.messages == [gettext("The item belongs to another scheme.")]
    assert Item.objects.get(pk=design.items.manual.pk).title == "工作成效"


# --- scheme lifecycle -----------------------------------------------------------------------------


def test_open_is_refused_without_units_and_items_saying_both(world):
    scheme = _new_scheme(world)
    with pytest.raises(ValidationError) as caught:
        services.scheme_act(actor=world.office, scheme=scheme, action=SchemeAction.OPEN)
    assert caught.value.messages == [
        gettext("Choose the units assessed first."),
        gettext("The scheme has no items to score."),
    ]
    assert Scheme.objects.get(pk=scheme.pk).status == SchemeStatus.DRAFT


def test_open_is_refused_without_items(world):
    scheme = _new_scheme(world)
    services.participants_set(actor=world.office, scheme=scheme, units=[world.zhuozi])
    with pytest.raises(ValidationError) as caught:
        services.scheme_act(actor=world.office, scheme=scheme, action=SchemeAction.OPEN)
    assert caught.value.messages == [gettext("The scheme has no items to score.")]
    assert not Score.objects.exists()


def test_open_is_refused_with_an_unconfigured_automatic_item(world, design):
    # An item that lost its source after it was saved (an import, an old draft).
    Item.objects.filter(pk=design.items.indicator.pk).update(indicator=None)
    with pytest.raises(ValidationError) as caught:
        services.scheme_act(actor=world.office, scheme=design.scheme, action=SchemeAction.OPEN)
    assert caught.value.messages == [
        gettext("Item %(number)s: %(problem)s")
        % {
            "number": "二、",
            "problem": gettext("Choose the indicator whose completion is scored."),
        }
    ]
    assert Scheme.objects.get(pk=design.scheme.pk).status == SchemeStatus.DRAFT
    assert not Score.objects.exists()


def test_open_creates_one_score_per_leaf_and_unit(world, opened):
    items = opened.items
    leaves = {items.tasks, items.dispatch, items.indicator, items.notices, items.manual}
    pairs = set(Score.objects.values_list("participant_id", "item_id"))
    assert pairs == {(p.pk, i.pk) for p in (opened.zhuozi, opened.huade) for i in leaves}
    assert not Score.objects.filter(item=items.heading).exists()
    assert (opened.scheme.status, opened.scheme.version) == (SchemeStatus.SELF, 2)
    event = _events(opened.scheme, "scheme open").get()
    assert event.before == {"status": "draft"}
    assert event.after == {"status": "self", "action": "open", "reason": ""}


def test_the_scheme_lifecycle_with_reasons_and_the_audit_trail(world, opened):
    scheme = services.scheme_act(actor=world.office, scheme=opened.scheme, action="review")
    assert scheme.status == SchemeStatus.REVIEW

    with pytest.raises(ValidationError) as caught:
        services.scheme_act(actor=world.office, scheme=scheme, action="back", reason="  ")
    assert _field_messages(caught.value, "reason") == [gettext("Give a reason.")]
    assert Scheme.objects.get(pk=scheme.pk).status == SchemeStatus.REVIEW

    scheme = services.scheme_act(
        actor=world.office, scheme=scheme, action="back", reason="化德县材料未上传"
    )
    assert scheme.status == SchemeStatus.SELF
    scheme = services.scheme_act(actor=world.office, scheme=scheme, action="review")

    # The manual item is still unreviewed for both units.
    with pytest.raises(ValidationError) as caught:
        services.scheme_act(actor=world.leader, scheme=scheme, action="close")
    assert caught.value.messages == [
        gettext("%(count)s scores are still missing: review every item before confirming.")
        % {"count": 2}
    ]
    fresh = Scheme.objects.get(pk=scheme.pk)
    assert (fresh.status, fresh.closed_at) == (SchemeStatus.REVIEW, None)

    for participant in (opened.zhuozi, opened.huade):
        _review(world.potato_director, participant, opened.items.manual)
    scheme = services.scheme_act(actor=world.leader, scheme=scheme, action="close")
    assert scheme.status == SchemeStatus.CLOSED
    assert scheme.closed_at is not None
    zhuozi = Participant.objects.get(pk=opened.zhuozi.pk)
    assert (zhuozi.total, zhuozi.grade) == (Decimal("33.83"), Grade.POOR)

    with pytest.raises(PermissionDenied):
        services.scheme_act(actor=world.office, scheme=scheme, action="reopen", reason="复核")
    with pytest.raises(ValidationError) as caught:
        services.scheme_act(actor=world.leader, scheme=scheme, action="reopen")
    assert _codes(caught.value) == {"reason": [None]}
    assert Scheme.objects.get(pk=scheme.pk).status == SchemeStatus.CLOSED

    scheme = services.scheme_act(
        actor=world.leader, scheme=scheme, action="reopen", reason="自治区反馈需复核"
    )
    assert (scheme.status, scheme.closed_at) == (SchemeStatus.REVIEW, None)

    events = list(_events(scheme).filter(message__startswith="scheme "))
    assert [(e.message, e.before["status"], e.after["status"]) for e in events] == [
        ("scheme open", "draft", "self"),
        ("scheme review", "self", "review"),
        ("scheme back", "review", "self"),
        ("scheme review", "self", "review"),
        ("scheme close", "review", "closed"),
        ("scheme reopen", "closed", "review"),
    ]
    assert events[2].after["reason"] == "化德县材料未上传"
    assert events[4].actor == world.leader
    assert events[5].after["reason"] == "自治区反馈需复核"


def test_the_wrong_party_is_forbidden(world, design):
    # The leader too: opening is the organising office's step.
    for who in ("zhuozi_liaison", "leader", "brand_staff", "inspector", "sysadmin", "outsider"):
        with pytest.raises(PermissionDenied):
            services.scheme_act(actor=getattr(world, who), scheme=design.scheme, action="open")
    assert Scheme.objects.get(pk=design.scheme.pk).status == SchemeStatus.DRAFT
    assert not Score.objects.exists()


def test_only_a_leader_reopens_and_only_the_office_sends_back(world, closed):
    with pytest.raises(PermissionDenied):
        services.scheme_act(actor=world.potato_director, scheme=closed.scheme, action="reopen")
    reopened = services.scheme_act(
        actor=world.leader, scheme=closed.scheme, action="reopen", reason="复核"
    )
    with pytest.raises(PermissionDenied):
        services.scheme_act(actor=world.leader, scheme=reopened, action="back", reason="补材料")
    assert Scheme.objects.get(pk=closed.scheme.pk).status == SchemeStatus.REVIEW


def test_an_action_in_the_wrong_state_is_refused(world, design):
    refused = gettext("This cannot be done while the scheme is %(status)s.") % {
        "status": SchemeStatus.DRAFT.label
    }
    for actor, action in (
        (world.office, "review"),
        (world.office, "close"),
        (world.leader, "close"),
        (world.office, "back"),
        (world.leader, "reopen"),
        (world.office, "nonsense"),
    ):
        with pytest.raises(ValidationError) as caught:
            services.scheme_act(actor=actor, scheme=design.scheme, action=action, reason="理由")
        assert caught.value.messages == [refused], action
    assert Scheme.objects.get(pk=design.scheme.pk).status == SchemeStatus.DRAFT


def test_scheme_act_with_a_stale_version_changes_nothing(world, design):
    with pytest.raises(ConcurrentEditError):
        services.scheme_act(
            actor=world.office, scheme=design.scheme, action="open", expected_version=7
        )
    assert Scheme.objects.get(pk=design.scheme.pk).status == SchemeStatus.DRAFT
    assert not Score.objects.exists()


# --- self-assessment ----------------------------------------------------------------------------


def test_a_bad_self_score_is_refused_by_field(world, opened):
    score = score_of(opened.zhuozi, opened.items.manual)
    cases = [
        ("16", "above_max"),
        ("-1", "negative"),
        ("abc", "invalid"),
        ("NaN", "invalid"),
        ("Infinity", "invalid"),
        ("12.345", "decimals"),
        ("1e-30", "decimals"),
        ("1e999999999", "above_max"),  # said as typed, never overflowing
        ("", "required"),
        (None, "required"),
    ]
    for value, code in cases:
        with pytest.raises(ValidationError) as caught:
            services.score_self(actor=world.zhuozi_liaison, score=score, value=value, reason=REASON)
        assert _codes(caught.value) == {"self_score": [code]}, value
    fresh = Score.objects.get(pk=score.pk)
    assert (fresh.self_score, fresh.self_reason, fresh.version) == (None, "", 1)
    assert not _events(score).exists()


def test_the_messages_name_the_maximum_without_exponents(world, opened):
    score = score_of(opened.zhuozi, opened.items.tasks)  # maximum 20
    with pytest.raises(ValidationError) as caught:
        services.score_self(actor=world.zhuozi_liaison, score=score, value="25", reason=REASON)
    assert _field_messages(caught.value, "self_score") == [
        gettext("The score %(score)s is above this item's maximum of %(max)s.")
        % {"score": "25", "max": "20"}
    ]
    with pytest.raises(ValidationError) as caught:
        services.score_self(actor=world.zhuozi_liaison, score=score, value="-2", reason=REASON)
    assert _field_messages(caught.value, "self_score") == [gettext("A score cannot be negative.")]
    with pytest.raises(ValidationError) as caught:
        services.score_self(actor=world.zhuozi_liaison, score=score, value="20.5", reason=REASON)
    assert "20.5" in _field_messages(caught.value, "self_score")[0]
    with pytest.raises(ValidationError) as caught:
        services.score_self(
            actor=world.zhuozi_liaison, score=score, value="1e999999999", reason=REASON
        )
    assert "1E+999999999" in _field_messages(caught.value, "self_score")[0]


def test_a_score_is_kept_as_stored_whatever_way_it_was_typed(world, opened):
    score = score_of(opened.zhuozi, opened.items.manual)
    saved = services.score_self(actor=world.zhuozi_liaison, score=score, value="1e1", reason=REASON)
    assert saved.self_score == Decimal("10.00")
    assert str(saved.self_score) == "10.00"
    assert _events(score, "self-assessment").get().after["self_score"] == "10.00"


def test_a_self_score_needs_a_reason_and_all_problems_come_together(world, opened):
    score = score_of(opened.zhuozi, opened.items.manual)
    with pytest.raises(ValidationError) as caught:
        services.score_self(actor=world.zhuozi_liaison, score=score, value="99", reason="  ")
    assert _codes(caught.value) == {"self_score": ["above_max"], "self_reason": ["required"]}
    assert _field_messages(caught.value, "self_reason") == [
        gettext("Say why: what was done, and where the evidence is.")
    ]
    assert Score.objects.get(pk=score.pk).self_score is None


def test_a_self_score_is_saved_with_totals_and_the_audit_trail(world, opened):
    score = score_of(opened.zhuozi, opened.items.manual)
    saved = services.score_self(
        actor=world.zhuozi_liaison, score=score, value="12.5", reason=f"  {REASON} "
    )
    fresh = Score.objects.get(pk=score.pk)
    assert (fresh.self_score, fresh.self_reason, fresh.self_by, fresh.version) == (
        Decimal("12.50"),
        REASON,
        world.zhuozi_liaison,
        2,
    )
    assert fresh.self_at is not None
    assert saved.version == 2
    zhuozi = Participant.objects.get(pk=opened.zhuozi.pk)
    assert zhuozi.self_total == Decimal("34.33")  # 21.83 computed + 12.50
    event = _events(score, "self-assessment").get()
    assert event.before == {"self_score": None, "self_reason": ""}
    assert event.after == {"self_score": "12.50", "self_reason": REASON}


def test_only_those_acting_for_the_unit_self_score(world, opened):
    refused = [
        ("zhuozi_liaison", "huade"),
        ("huade_liaison", "zhuozi"),
        ("office", "zhuozi"),  # the office speaks for the city only
        ("potato_director", "huade"),
        ("leader", "zhuozi"),
        ("inspector", "zhuozi"),
        ("brand_staff", "zhuozi"),
        ("sysadmin", "zhuozi"),
        ("outsider", "zhuozi"),
    ]
    for who, unit in refused:
        score = score_of(getattr(opened, unit), opened.items.manual)
        with pytest.raises(PermissionDenied):
            services.score_self(actor=getattr(world, who), score=score, value="10", reason=REASON)
    assert not Score.objects.filter(self_score__isnull=False).exists()
    score = score_of(opened.zhuozi, opened.items.manual)
    services.score_self(actor=world.zhuozi_liaison, score=score, value="10", reason=REASON)
    assert Score.objects.get(pk=score.pk).self_score == Decimal(10)


def test_a_person_of_a_unit_within_the_county_does_not_speak_for_it(world, opened, town_reviewer):
    with pytest.raises(PermissionDenied):
        services.score_self(
            actor=town_reviewer,
            score=score_of(opened.zhuozi, opened.items.manual),
            value="10",
            reason=REASON,
        )


def test_the_office_compiles_the_citys_self_assessment(world, city):
    score = city.participant.scores.get()
    services.score_self(actor=world.office, score=score, value="95", reason=REASON)
    assert Score.objects.get(pk=score.pk).self_score == Decimal(95)
    for who in ("zhuozi_liaison", "brand_staff"):
        with pytest.raises(PermissionDenied):
            services.score_self(actor=getattr(world, who), score=score, value="1", reason=REASON)
    assert Score.objects.get(pk=score.pk).self_score == Decimal(95)


def test_self_scores_only_during_self_assessment(world, reviewing):
    score = score_of(reviewing.zhuozi, reviewing.items.manual)
    with pytest.raises(ValidationError) as caught:
        services.score_self(actor=world.zhuozi_liaison, score=score, value="10", reason=REASON)
    assert caught.value.messages == [gettext("Self-assessment is closed for this scheme.")]
    assert Score.objects.get(pk=score.pk).self_score is None


def test_submit_return_and_submit_again(world, opened):
    zhuozi = opened.zhuozi
    manual = score_of(zhuozi, opened.items.manual)
    with pytest.raises(ValidationError) as caught:
        services.participant_act(actor=world.zhuozi_liaison, participant=zhuozi, action="submit")
    assert caught.value.messages == [
        gettext("Score every item yourself before submitting: %(count)s still without a score.")
        % {"count": 1}
    ]
    assert Participant.objects.get(pk=zhuozi.pk).self_status == SelfStatus.PENDING

    services.score_self(actor=world.zhuozi_liaison, score=manual, value="12", reason=REASON)
    with pytest.raises(PermissionDenied):
        services.participant_act(actor=world.huade_liaison, participant=zhuozi, action="submit")
    with pytest.raises(PermissionDenied):
        services.participant_act(actor=world.office, participant=zhuozi, action="submit")
    submitted = services.participant_act(
        actor=world.zhuozi_liaison, participant=zhuozi, action="submit"
    )
    assert submitted.self_status == SelfStatus.SUBMITTED
    assert submitted.self_submitted_by == world.zhuozi_liaison
    assert submitted.self_submitted_at is not None

    # Frozen once submitted.
    with pytest.raises(ValidationError) as caught:
        services.score_self(actor=world.zhuozi_liaison, score=manual, value="15", reason=REASON)
    assert caught.value.messages == [
        gettext("The self-assessment has been submitted; ask the office to return it to change it.")
    ]
    assert Score.objects.get(pk=manual.pk).self_score == Decimal(12)
    with pytest.raises(ValidationError):
        services.participant_act(actor=world.zhuozi_liaison, participant=zhuozi, action="submit")

    # Returned by the organising office only, with a reason.
    for who in ("zhuozi_liaison", "brand_staff", "leader"):
        with pytest.raises(PermissionDenied):
            services.participant_act(
                actor=getattr(world, who), participant=zhuozi, action="return", reason="补充"
            )
    with pytest.raises(ValidationError) as caught:
        services.participant_act(actor=world.office, participant=zhuozi, action="return")
    assert _field_messages(caught.value, "reason") == [gettext("Give a reason.")]
    assert Participant.objects.get(pk=zhuozi.pk).self_status == SelfStatus.SUBMITTED
    returned = services.participant_act(
        actor=world.office, participant=zhuozi, action="return", reason="自评理由过于简单"
    )
    assert (returned.self_status, returned.return_reason) == (
        SelfStatus.RETURNED,
        "自评理由过于简单",
    )

    services.score_self(actor=world.zhuozi_liaison, score=manual, value="14", reason=REASON)
    again = services.participant_act(
        actor=world.zhuozi_liaison, participant=zhuozi, action="submit"
    )
    assert (again.self_status, again.return_reason) == (SelfStatus.SUBMITTED, "")
    assert [
        (e.message, e.before["self_status"], e.after["self_status"])
        for e in _events(zhuozi).filter(message__startswith="self-assessment ")
    ] == [
        ("self-assessment submit", "pending", "submitted"),
        ("self-assessment return", "submitted", "returned"),
        ("self-assessment submit", "returned", "submitted"),
    ]


def test_submitting_is_refused_outside_self_assessment(world, reviewing):
    with pytest.raises(ValidationError) as caught:
        services.participant_act(
            actor=world.zhuozi_liaison, participant=reviewing.zhuozi, action="submit"
        )
    assert caught.value.messages == [gettext("This cannot be done now.")]


def test_a_stale_self_score_is_refused(world, opened):
    score = score_of(opened.zhuozi, opened.items.manual)
    services.score_self(
        actor=world.zhuozi_liaison, score=score, value="10", reason=REASON, expected_version=1
    )
    with pytest.raises(ConcurrentEditError) as caught:
        services.score_self(
            actor=world.zhuozi_liaison, score=score, value="15", reason=REASON, expected_version=1
        )
    assert caught.value.code == "concurrent_edit"
    fresh = Score.objects.get(pk=score.pk)
    assert (fresh.self_score, fresh.version) == (Decimal(10), 2)


def test_a_stale_participant_action_is_refused(world, opened):
    services.score_self(
        actor=world.zhuozi_liaison,
        score=score_of(opened.zhuozi, opened.items.manual),
        value="10",
        reason=REASON,
    )
    with pytest.raises(ConcurrentEditError):
        services.participant_act(
            actor=world.zhuozi_liaison,
            participant=opened.zhuozi,
            action="submit",
            expected_version=5,
        )
    assert Participant.objects.get(pk=opened.zhuozi.pk).self_status == SelfStatus.PENDING


# --- review ---------------------------------------------------------------------------------------


def test_the_organising_office_reviews_and_totals_follow(world, reviewing):
    zhuozi = reviewing.zhuozi
    score = _review(world.office, zhuozi, reviewing.items.manual, "12", f" {REVIEW_REASON} ")
    assert (score.review_score, score.review_reason, score.reviewer) == (
        Decimal("12.00"),
        REVIEW_REASON,
        world.office,
    )
    zhuozi.refresh_from_db()
    # 10 + 3.33 + 7.50 + 1 + 12.
    assert (zhuozi.total, zhuozi.unscored, zhuozi.grade) == (Decimal("33.83"), 0, Grade.POOR)
    # An automatic item overridden with a reason: 卓资县's tasks 10 → 20.
    _review(world.office, zhuozi, reviewing.items.tasks, "20", "两项任务延期经批准，视为按期。")
    zhuozi.refresh_from_db()
    assert zhuozi.total == Decimal("43.83")
    event = _events(score, "review").get()
    assert event.before == {"review_score": None, "review_reason": ""}
    assert event.after == {"review_score": "12.00", "review_reason": REVIEW_REASON}


def test_a_bad_review_is_refused_by_field(world, reviewing):
    score = score_of(reviewing.zhuozi, reviewing.items.manual)
    with pytest.raises(ValidationError) as caught:
        services.score_review(actor=world.office, score=score, value="15.5", reason="")
    assert _codes(caught.value) == {"review_score": ["above_max"], "review_reason": ["required"]}
    with pytest.raises(ValidationError) as caught:
        services.score_review(actor=world.office, score=score, value="-3", reason=REVIEW_REASON)
    assert _codes(caught.value) == {"review_score": ["negative"]}
    fresh = Score.objects.get(pk=score.pk)
    assert (fresh.review_score, fresh.version) == (None, 1)


def test_who_is_not_a_reviewer(world, reviewing):
    score = score_of(reviewing.huade, reviewing.items.manual)
    for who in ("zhuozi_liaison", "huade_liaison", "brand_staff", "leader", "sysadmin"):
        with pytest.raises(PermissionDenied):
            services.score_review(
                actor=getattr(world, who), score=score, value="10", reason=REVIEW_REASON
            )
    assert Score.objects.get(pk=score.pk).review_score is None


def test_named_reviewers_replace_the_office_and_never_review_their_own_unit(
    world, reviewing, town_reviewer
):
    services.scheme_save(
        actor=world.office,
        office=world.potato,
        scheme=reviewing.scheme,
        data={},
        reviewers=[town_reviewer, world.zhuozi_liaison],
    )
    manual = reviewing.items.manual
    with pytest.raises(PermissionDenied):
        _review(world.office, reviewing.huade, manual)
    # 白雪梅 belongs to 卓资镇, within 卓资县; 郭晓军 is 卓资县's liaison.
    for reviewer in (town_reviewer, world.zhuozi_liaison):
        with pytest.raises(PermissionDenied) as caught:
            _review(reviewer, reviewing.zhuozi, manual)
        assert str(caught.value) == gettext("You cannot review a unit you belong to.")
    assert Score.objects.get(participant=reviewing.zhuozi, item=manual).review_score is None
    _review(town_reviewer, reviewing.huade, manual, "13")
    huade = Participant.objects.get(pk=reviewing.huade.pk)
    # 20 + 10 + 10 + 5 + 13 = 58 of 60.
    assert (huade.total, huade.grade) == (Decimal("58.00"), Grade.POOR)


def test_the_office_records_the_regions_review_of_the_city(world, city):
    scheme = services.scheme_act(actor=world.office, scheme=city.scheme, action="review")
    services.score_review(
        actor=world.office, score=city.participant.scores.get(), value="92", reason="自治区评审"
    )
    participant = Participant.objects.get(pk=city.participant.pk)
    assert (participant.total, participant.grade) == (Decimal("92.00"), Grade.GOOD)
    assert scheme.status == SchemeStatus.REVIEW


def test_reviews_are_not_taken_during_self_assessment(world, opened):
    with pytest.raises(ValidationError) as caught:
        _review(world.office, opened.zhuozi, opened.items.manual)
    assert caught.value.messages == [
        gettext("Scores are reviewed while the scheme is under review.")
    ]
    assert score_of(opened.zhuozi, opened.items.manual).review_score is None


def test_reviews_are_not_taken_once_closed(world, closed):
    with pytest.raises(ValidationError) as caught:
        _review(world.office, closed.zhuozi, closed.items.tasks, "5")
    assert caught.value.messages == [
        gettext("Scores are reviewed while the scheme is under review.")
    ]
    assert score_of(closed.zhuozi, closed.items.tasks).review_score is None


def test_a_stale_review_is_refused(world, reviewing):
    score = score_of(reviewing.zhuozi, reviewing.items.manual)
    with pytest.raises(ConcurrentEditError):
        services.score_review(
            actor=world.office, score=score, value="10", reason=REVIEW_REASON, expected_version=3
        )
    assert Score.objects.get(pk=score.pk).review_score is None


# --- evidence -------------------------------------------------------------------------------------


def test_uploaded_evidence_keeps_its_hash_uploader_and_audit(world, opened):
    content = PDF + "卓资县2023年马铃薯产业工作总结".encode()
    evidence = services.evidence_upload(
        actor=world.zhuozi_liaison,
        participant=opened.zhuozi,
        item=opened.items.manual,
        upload=_pdf(content=content),
        description=" 年度工作总结 ",
    )
    stored = evidence.file
    assert stored.sha256 == hashlib.sha256(content).hexdigest()
    with stored.file.open("rb") as handle:
        assert handle.read() == content
    assert (stored.name, stored.uploaded_by) == ("工作总结.pdf", world.zhuozi_liaison)
    assert (evidence.description, evidence.added_by, evidence.from_task) == (
        "年度工作总结",
        world.zhuozi_liaison,
        None,
    )
    event = _events(evidence).get()
    assert event.action == "create"
    assert event.after["sha256"] == stored.sha256
    assert event.after["how"] == "upload"


def test_the_same_content_uploaded_twice_is_kept_once(world, opened):
    first = services.evidence_upload(
        actor=world.zhuozi_liaison,
        participant=opened.zhuozi,
        item=opened.items.manual,
        upload=_pdf("工作总结.pdf"),
    )
    files = StoredFile.objects.count()
    again = services.evidence_upload(
        actor=world.office,
        participant=opened.zhuozi,
        item=opened.items.manual,
        upload=_pdf("工作总结（定稿）.pdf"),
    )
    assert again.pk == first.pk
    assert StoredFile.objects.count() == files
    assert Evidence.objects.count() == 1
    # Against another item (or for another unit) it is evidence of its own.
    other = services.evidence_upload(
        actor=world.office,
        participant=opened.huade,
        item=opened.items.manual,
        upload=_pdf("工作总结.pdf"),
    )
    assert other.pk != first.pk
    assert other.file.sha256 == first.file.sha256
    assert Evidence.objects.count() == 2


def test_a_refused_file_stores_nothing_and_is_audited(world, opened):
    files = StoredFile.objects.count()  # the notices' documents
    cases = [
        ("setup.exe", EXE, "type"),
        ("现场照片.jpg", PDF, "mismatch"),
        ("说明.pdf", EXE, "mismatch"),
    ]
    for name, content, code in cases:
        with pytest.raises(ValidationError) as caught:
            services.evidence_upload(
                actor=world.zhuozi_liaison,
                participant=opened.zhuozi,
                item=opened.items.manual,
                upload=SimpleUploadedFile(name, content),
            )
        assert [e.code for e in caught.value.error_list] == [code], name
        refusal = AuditEvent.objects.get(outcome=AuditOutcome.FAILURE, object_repr=name)
        assert (refusal.message, refusal.after["refused"], refusal.actor) == (
            "upload refused",
            code,
            world.zhuozi_liaison,
        )
    assert StoredFile.objects.count() == files
    assert not Evidence.objects.exists()


def test_no_evidence_once_the_results_are_confirmed(world, closed, task_files):
    refused = gettext("The results of this scheme are confirmed: no more evidence can be added.")
    files = StoredFile.objects.count()
    with pytest.raises(ValidationError) as caught:
        services.evidence_upload(
            actor=world.zhuozi_liaison,
            participant=closed.zhuozi,
            item=closed.items.manual,
            upload=_pdf("迟交材料.pdf", PDF + b"late"),
        )
    assert caught.value.messages == [refused]
    with pytest.raises(ValidationError) as caught:
        services.evidence_link(
            actor=world.zhuozi_liaison,
            participant=closed.zhuozi,
            item=closed.items.manual,
            file_id=task_files.report.pk,
        )
    assert caught.value.messages == [refused]
    assert StoredFile.objects.count() == files
    assert not StoredFile.objects.filter(name="迟交材料.pdf").exists()
    assert not Evidence.objects.exists()


def test_evidence_added_before_closing_stays_after_it(world, reviewing):
    evidence = services.evidence_upload(
        actor=world.zhuozi_liaison,
        participant=reviewing.zhuozi,
        item=reviewing.items.manual,
        upload=_pdf(),
    )
    for participant in (reviewing.zhuozi, reviewing.huade):
        _review(world.office, participant, reviewing.items.manual)
    services.scheme_act(actor=world.office, scheme=reviewing.scheme, action="close")
    with pytest.raises(ValidationError) as caught:
        services.evidence_remove(actor=world.zhuozi_liaison, evidence=evidence)
    assert caught.value.messages == [
        gettext("The results of this scheme are confirmed: no more evidence can be added.")
    ]
    assert Evidence.objects.filter(pk=evidence.pk).exists()


def test_a_responsible_unit_adds_evidence_to_its_own_items_only(world, opened, crops_staff):
    opened.items.manual.responsible_units.add(world.crops)
    evidence = services.evidence_upload(
        actor=crops_staff,
        participant=opened.zhuozi,
        item=opened.items.manual,
        upload=_pdf("种植业科提供材料.pdf"),
    )
    assert evidence.added_by == crops_staff
    with pytest.raises(PermissionDenied):
        services.evidence_upload(
            actor=crops_staff,
            participant=opened.zhuozi,
            item=opened.items.indicator,
            upload=_pdf("越权材料.pdf"),
        )
    assert list(Evidence.objects.values_list("item_id", flat=True)) == [opened.items.manual.pk]
    assert not StoredFile.objects.filter(name="越权材料.pdf").exists()


def test_who_may_not_add_evidence(world, opened, town_reviewer):
    files = StoredFile.objects.count()
    for actor in (
        world.huade_liaison,
        world.brand_staff,
        world.leader,
        world.sysadmin,
        world.outsider,
        town_reviewer,  # within 卓资县, but not speaking for it
    ):
        with pytest.raises(PermissionDenied):
            services.evidence_upload(
                actor=actor, participant=opened.zhuozi, item=opened.items.manual, upload=_pdf()
            )
    assert StoredFile.objects.count() == files
    assert not Evidence.objects.exists()
    assert not AuditEvent.objects.filter(object_repr="工作总结.pdf").exists()


def test_evidence_goes_against_a_scored_item_of_the_scheme(world, opened, city):
    heading = Item.objects.get(pk=opened.items.heading.pk)
    for item in (heading, city.item):
        with pytest.raises(ValidationError) as caught:
            services.evidence_upload(
                actor=world.office, participant=opened.zhuozi, item=item, upload=_pdf()
            )
        assert caught.value.messages == [
            gettext("Evidence is filed against an item of this scheme.")
        ]
    assert not Evidence.objects.exists()


@pytest.fixture
def task_files(world, data):
    """A progress report of 卓资县 with evidence, and an attachment on 化德县's task."""
    report_file = store_upload(
        _pdf("种薯基地验收照片.pdf", PDF + b"zhuozi"), user=world.zhuozi_liaison
    )
    task_services.task_report(
        actor=world.zhuozi_liaison,
        task=data.tasks.open,
        text="基地建设完成七成",
        progress=70,
        evidence=[report_file],
    )
    attachment = store_upload(_pdf("化德县实施方案.pdf", PDF + b"huade"), user=world.office)
    task_services.task_attach(actor=world.office, task=data.tasks.huade, files=[attachment])
    return SimpleNamespace(report=report_file, attachment=attachment)


def test_linking_task_evidence_reuses_the_stored_file(world, opened, data, task_files):
    files = StoredFile.objects.count()
    assert task_files.report in services.linkable_files(world.zhuozi_liaison, opened.zhuozi)
    evidence = services.evidence_link(
        actor=world.zhuozi_liaison,
        participant=opened.zhuozi,
        item=opened.items.manual,
        file_id=task_files.report.pk,
        description="任务进展佐证",
    )
    assert evidence.file == task_files.report
    assert evidence.from_task == data.tasks.open
    assert evidence.file.uploaded_by == world.zhuozi_liaison
    assert StoredFile.objects.count() == files
    assert _events(evidence).get().after["how"] == "link"

    # Linking it again gives the same evidence, not a second copy.
    again = services.evidence_link(
        actor=world.zhuozi_liaison,
        participant=opened.zhuozi,
        item=opened.items.manual,
        file_id=task_files.report.pk,
    )
    assert again.pk == evidence.pk
    assert Evidence.objects.count() == 1
    assert _events(evidence).count() == 1

    # The same file may back another item too.
    other = services.evidence_link(
        actor=world.office,
        participant=opened.zhuozi,
        item=opened.items.tasks,
        file_id=task_files.report.pk,
    )
    assert other.file == task_files.report
    assert StoredFile.objects.count() == files


def test_an_attachment_of_the_units_task_can_be_linked(world, opened, data, task_files):
    evidence = services.evidence_link(
        actor=world.office,
        participant=opened.huade,
        item=opened.items.manual,
        file_id=task_files.attachment.pk,
    )
    assert (evidence.file, evidence.from_task) == (task_files.attachment, data.tasks.huade)


def test_a_file_the_user_cannot_see_or_of_another_unit_is_not_linked(
    world, opened, task_files, crops_staff
):
    opened.items.manual.responsible_units.add(world.crops)
    cases = [
        # 化德县's task is not 郭晓军's to see.
        (world.zhuozi_liaison, opened.zhuozi, task_files.attachment),
        # 种植业管理科 supplies evidence but does not see 卓资县's tasks.
        (crops_staff, opened.zhuozi, task_files.report),
        # The office sees both, but 化德县's file is not from a task of 卓资县.
        (world.office, opened.zhuozi, task_files.attachment),
    ]
    for actor, participant, stored in cases:
        with pytest.raises(ValidationError) as caught:
            services.evidence_link(
                actor=actor, participant=participant, item=opened.items.manual, file_id=stored.pk
            )
        assert _field_messages(caught.value, "file") == [
            gettext("Choose a file from a task of this unit that you can see.")
        ]
    # A file that is nobody's task evidence at all.
    loose = store_upload(_pdf("随手上传.pdf", PDF + b"loose"), user=world.office)
    with pytest.raises(ValidationError):
        services.evidence_link(
            actor=world.office,
            participant=opened.zhuozi,
            item=opened.items.manual,
            file_id=loose.pk,
        )
    assert not Evidence.objects.exists()


def test_evidence_remove(world, opened):
    evidence = services.evidence_upload(
        actor=world.zhuozi_liaison,
        participant=opened.zhuozi,
        item=opened.items.manual,
        upload=_pdf(),
    )
    stored = evidence.file
    with pytest.raises(PermissionDenied):
        services.evidence_remove(actor=world.huade_liaison, evidence=evidence)
    assert Evidence.objects.filter(pk=evidence.pk).exists()
    services.evidence_remove(actor=world.office, evidence=evidence)
    assert not Evidence.objects.exists()
    assert StoredFile.objects.filter(pk=stored.pk).exists()  # the file itself is kept
    removed = _events(evidence).last()
    assert (removed.action, removed.before["sha256"]) == ("delete", stored.sha256)
    assert removed.actor == world.office


# --- deductions -----------------------------------------------------------------------------------


def test_a_deduction_opens_a_rectification_item(world, reviewing):
    today = timezone.localdate()
    score = _review(world.potato_director, reviewing.zhuozi, reviewing.items.manual, "12")
    item = services.deduction_rectify(
        actor=world.office,
        score=score,
        requirement="补充典型案例材料",
        due_date=today + datetime.timedelta(days=30),
        today=today,
    )
    assert item.source_kind == SourceKind.ASSESSMENT
    assert (item.unit, item.office, item.county) == (world.zhuozi, world.potato, world.zhuozi)
    assert (item.problem, item.requirement) == (REVIEW_REASON, "补充典型案例材料")
    assert item.raised_by == world.office
    assert item.source_label == "2023年度马铃薯产业发展考核 四、工作成效"
    assert list(Score.objects.get(pk=score.pk).rectifications.all()) == [item]
    assert Rectification.objects.get(assessment_score=score) == item


def test_an_automatic_deduction_names_the_points_lost(world, opened):
    today = timezone.localdate()
    score = score_of(opened.zhuozi, opened.items.tasks)  # 10 of 20
    item = services.deduction_rectify(
        actor=world.potato_director,
        score=score,
        requirement="逾期任务限期办结",
        due_date=today + datetime.timedelta(days=15),
        today=today,
    )
    assert item.problem == gettext("%(points)s points deducted") % {"points": "10"}


def test_full_marks_open_no_rectification(world, reviewing):
    today = timezone.localdate()
    score = score_of(reviewing.huade, reviewing.items.tasks)  # 20 of 20, computed
    with pytest.raises(ValidationError) as caught:
        services.deduction_rectify(
            actor=world.office,
            score=score,
            requirement="无",
            due_date=today + datetime.timedelta(days=30),
            today=today,
        )
    assert caught.value.messages == [
        gettext("Only an item with points deducted opens a rectification.")
    ]
    # Nor does a score not given yet.
    with pytest.raises(ValidationError):
        services.deduction_rectify(
            actor=world.office,
            score=score_of(reviewing.huade, reviewing.items.manual),
            requirement="无",
            due_date=today + datetime.timedelta(days=30),
            today=today,
        )
    assert not Rectification.objects.filter(source_kind=SourceKind.ASSESSMENT).exists()


def test_who_may_not_open_a_rectification_from_a_deduction(world, reviewing):
    today = timezone.localdate()
    score = _review(world.office, reviewing.zhuozi, reviewing.items.manual, "10")
    for who in ("zhuozi_liaison", "huade_liaison", "brand_staff", "sysadmin", "outsider"):
        with pytest.raises(PermissionDenied):
            services.deduction_rectify(
                actor=getattr(world, who),
                score=score,
                requirement="整改",
                due_date=today + datetime.timedelta(days=30),
                today=today,
            )
    assert not Rectification.objects.filter(source_kind=SourceKind.ASSESSMENT).exists()


def test_a_named_reviewer_opens_one_but_not_for_their_own_unit(world, reviewing, town_reviewer):
    today = timezone.localdate()
    due = today + datetime.timedelta(days=30)
    for participant in (reviewing.zhuozi, reviewing.huade):
        _review(world.office, participant, reviewing.items.manual, "10")
    services.scheme_save(
        actor=world.office,
        office=world.potato,
        scheme=reviewing.scheme,
        data={},
        reviewers=[town_reviewer],
    )
    with pytest.raises(PermissionDenied):
        services.deduction_rectify(
            actor=town_reviewer,
            score=score_of(reviewing.zhuozi, reviewing.items.manual),
            requirement="整改",
            due_date=due,
            today=today,
        )
    item = services.deduction_rectify(
        actor=town_reviewer,
        score=score_of(reviewing.huade, reviewing.items.manual),
        requirement="整改",
        due_date=due,
        today=today,
    )
    assert item.unit == world.huade


def test_a_rectification_needs_a_requirement_and_a_deadline(world, reviewing):
    score = _review(world.office, reviewing.zhuozi, reviewing.items.manual, "10")
    with pytest.raises(ValidationError) as caught:
        services.deduction_rectify(actor=world.office, score=score, requirement="", due_date=None)
    assert set(caught.value.error_dict) == {"requirement", "due_date"}
    assert not Rectification.objects.filter(source_kind=SourceKind.ASSESSMENT).exists()


# --- a field error never hides in the top-level list ----------------------------------------------


def test_field_errors_use_field_names_the_forms_can_show(world, opened):
    score = score_of(opened.zhuozi, opened.items.manual)
    with pytest.raises(ValidationError) as caught:
        services.score_self(actor=world.zhuozi_liaison, score=score, value="x", reason="")
    assert NON_FIELD_ERRORS not in caught.value.error_dict


def test_a_responsible_unit_does_not_remove_the_units_own_evidence(world, opened, crops_staff):
    opened.items.manual.responsible_units.add(world.crops)
    own = services.evidence_upload(
        actor=world.zhuozi_liaison,
        participant=opened.zhuozi,
        item=opened.items.manual,
        upload=_pdf("卓资县总结.pdf"),
    )
    supplied = services.evidence_upload(
        actor=crops_staff,
        participant=opened.zhuozi,
        item=opened.items.manual,
        upload=_pdf("种植业科材料.pdf", PDF + b"%crops\n"),
    )
    with pytest.raises(PermissionDenied):
        services.evidence_remove(actor=crops_staff, evidence=own)
    assert Evidence.objects.filter(pk=own.pk).exists()
    # What it filed itself it may take back; the unit removes anything on its card.
    services.evidence_remove(actor=crops_staff, evidence=supplied)
    services.evidence_remove(actor=world.zhuozi_liaison, evidence=own)
    assert not Evidence.objects.filter(participant=opened.zhuozi).exists()


def test_a_deduction_opens_one_rectification_at_a_time(world, reviewing):
    score = _review(world.potato_director, reviewing.zhuozi, reviewing.items.manual, "10")
    due = timezone.localdate() + datetime.timedelta(days=30)
    services.deduction_rectify(
        actor=world.potato_director, score=score, requirement="补齐典型案例材料", due_date=due
    )
    with pytest.raises(ValidationError) as refused:
        services.deduction_rectify(
            actor=world.potato_director, score=score, requirement="再次整改", due_date=due
        )
    assert gettext("A rectification item for this deduction is already open.") in str(refused.value)
    assert score.rectifications.count() == 1
