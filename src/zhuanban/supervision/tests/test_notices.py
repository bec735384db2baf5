"""The notice lifecycle in the services: drafting checks, four eyes, numbering, the issued
content frozen, replies, corrections and the rectification items a notice opens."""

import datetime
import io
import threading
import time
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.test import override_settings
from django.utils.translation import gettext as _

from zhuanban.core.models import AuditEvent, Notification, StoredFile
from zhuanban.rectification.models import Rectification, SourceKind
from zhuanban.supervision import notice_services as services
from zhuanban.supervision.lifecycle import NoticeAction, NoticeStatus
from zhuanban.supervision.models import (
    Notice,
    NoticeCounter,
    NoticeEvent,
    NoticeKind,
    NoticeRecipient,
)
from zhuanban.supervision.scoping import visible_notices

from .notice_fixtures import authority, draft, issued, submitted, today, with_reason


def codes(error: ValidationError) -> dict[str, set[str]]:
    return {field: {e.code for e in errors} for field, errors in error.error_dict.items()}


# --- drafting ----------------------------------------------------------------------------


def test_a_draft_with_no_units_is_refused_with_every_problem_at_once(world):
    authority(active=False)
    with pytest.raises(ValidationError) as caught:
        draft(
            world,
            units=[],
            requirements=[],
            reply_deadline=today() - datetime.timedelta(days=1),
            title="",
        )
    assert codes(caught.value) == {
        "units": {"no_units"},
        "requirements": {"no_requirements"},
        "reply_deadline": {"past_deadline"},
        "authority": {"inactive_authority"},
        "title": {"blank"},
    }
    assert _("Choose at least one unit concerned.") in caught.value.message_dict["units"]
    assert not Notice.objects.exists()
    assert not NoticeRecipient.objects.exists()


def test_a_supervision_notice_needs_a_reply_deadline_a_commendation_does_not(world):
    authority()
    with pytest.raises(ValidationError) as caught:
        draft(world, reply_deadline=None)
    assert codes(caught.value) == {"reply_deadline": {"no_deadline"}}
    praise = draft(
        world, kind=NoticeKind.COMMENDATION, reply_deadline=None, requirements=[], title="表扬"
    )
    assert praise.status == NoticeStatus.DRAFT


def test_only_the_office_drafts_and_only_an_issued_notice_is_corrected(world):
    authority()
    for outsider in (world.zhuozi_liaison, world.brand_staff, world.inspector):
        with pytest.raises(PermissionDenied):
            draft(world, by=outsider)
    original = draft(world)
    with pytest.raises(ValidationError) as caught:
        draft(world, corrects=original)
    assert codes(caught.value) == {"corrects": {"corrects_not_issued"}}
    assert Notice.objects.count() == 1


def test_a_stale_edit_is_refused_and_changes_nothing(world):
    authority()
    notice = draft(world)
    fields = {
        "authority": notice.authority,
        "kind": notice.kind,
        "addressees": notice.addressees,
        "units": [world.zhuozi, world.huade],
        "opening": notice.opening,
        "reply_deadline": notice.reply_deadline,
        "requirements": ["一", "二"],
    }
    services.notice_update(
        actor=world.office, notice=notice, expected_version=1, title="第一次修改", **fields
    )
    with pytest.raises(ValidationError) as caught:
        services.notice_update(
            actor=world.potato_director,
            notice=notice,
            expected_version=1,
            title="过时的修改",
            **fields,
        )
    assert caught.value.code == "concurrent_edit"
    notice.refresh_from_db()
    assert notice.title == "第一次修改"
    assert notice.version == 2
    assert set(notice.units.all()) == {world.zhuozi, world.huade}
    assert list(notice.requirements.values_list("text", flat=True)) == ["一", "二"]


def test_removing_a_unit_removes_its_reasons(world):
    authority()
    notice = draft(world, units=[world.zhuozi, world.huade])
    with_reason(world, notice, world.zhuozi, "卓资县的原因")
    with_reason(world, notice, world.huade, "化德县的原因")
    services.notice_update(
        actor=world.office,
        notice=notice,
        expected_version=notice.version,
        authority=notice.authority,
        kind=notice.kind,
        title=notice.title,
        addressees=notice.addressees,
        units=[world.zhuozi],
        opening=notice.opening,
        reply_deadline=notice.reply_deadline,
        requirements=["整改"],
    )
    assert list(notice.reasons.values_list("text", flat=True)) == ["卓资县的原因"]


# --- review and four eyes ----------------------------------------------------------------


def test_a_supervision_notice_is_not_submitted_without_a_reason(world):
    authority()
    notice = draft(world)
    with pytest.raises(ValidationError) as caught:
        services.notice_act(actor=world.office, notice=notice, action=NoticeAction.SUBMIT)
    assert codes(caught.value) == {"reasons": {"no_reasons"}}
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.DRAFT


def test_who_submitted_does_not_issue_another_reviewer_does(world):
    authority()
    notice = submitted(world, by=world.potato_director)
    # The office member drafts but does not review.
    with pytest.raises(PermissionDenied):
        services.notice_issue(actor=world.office, notice=notice)
    with pytest.raises(ValidationError) as caught:
        services.notice_issue(actor=world.potato_director, notice=notice)
    assert caught.value.code == "four_eyes"
    notice.refresh_from_db()
    assert (notice.status, notice.sequence, notice.docx_id) == (NoticeStatus.IN_REVIEW, None, None)
    assert not NoticeCounter.objects.exists()

    services.notice_issue(actor=world.leader, notice=notice)
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.ISSUED
    assert notice.number == f"乌农牧督〔{today().year}〕1号"
    assert notice.issued_by == world.leader


def test_returning_needs_a_reason_and_goes_back_to_the_drafter(world):
    authority()
    notice = submitted(world)
    with pytest.raises(ValidationError) as caught:
        services.notice_act(actor=world.potato_director, notice=notice, action="return")
    assert codes(caught.value) == {"comment": {"reason_required"}}
    services.notice_act(
        actor=world.potato_director, notice=notice, action="return", comment="数据需更新"
    )
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.DRAFT
    event = notice.events.get(action="return")
    assert (event.from_status, event.to_status, event.comment) == (
        "in_review",
        "draft",
        "数据需更新",
    )
    assert Notification.objects.filter(recipient=world.office, kind="notice_return").exists()


# --- numbering ---------------------------------------------------------------------------


def test_numbers_are_consecutive_per_authority_and_year(world):
    city = authority()
    county = authority(prefix="卓农牧督", name="卓资县农牧局", header="卓资县农牧局")
    year = today().year
    first, second, third = (issued(world, issuer=city, title=f"通报{n}") for n in range(3))
    other = issued(world, issuer=county, title="县里的通报")
    assert [n.sequence for n in (first, second, third)] == [1, 2, 3]
    assert third.number == f"乌农牧督〔{year}〕3号"
    assert other.number == f"卓农牧督〔{year}〕1号"
    assert NoticeCounter.objects.get(authority=city, year=year).last == 3


def test_the_series_restarts_at_one_each_year(world):
    city = authority()
    year = today().year
    NoticeCounter.objects.create(authority=city, year=year - 1, last=11)
    notice = issued(world, issuer=city)
    assert notice.number == f"乌农牧督〔{year}〕1号"
    assert services.next_sequence(city, year + 1) == 1
    assert services.next_sequence(city, year + 1) == 2
    assert NoticeCounter.objects.get(authority=city, year=year - 1).last == 11


def test_a_new_series_starts_after_numbers_already_used(world):
    """Notices loaded without a counter (an import) are never numbered over."""
    city = authority()
    old = issued(world, issuer=city)
    NoticeCounter.objects.all().delete()
    Notice.objects.filter(pk=old.pk).update(sequence=7)
    assert issued(world, issuer=city, title="又一份").sequence == 8


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_issuers_at_once_get_two_numbers(transactional_db):
    """Both find no counter for the year and create it at once: the loser of the race
    locks the winner's row and takes the next number."""
    city = authority()
    barrier = threading.Barrier(2)
    taken, failures = [], []

    def issue():
        try:
            barrier.wait()
            with transaction.atomic():
                taken.append(services.next_sequence(city, 2031))
                time.sleep(0.2)  # hold the lock while the other one waits
        except Exception as error:  # reported below, not lost in the thread
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert sorted(taken) == [1, 2]
    assert NoticeCounter.objects.get(authority=city, year=2031).last == 2


@override_settings(UPLOAD_MAX_MB_BY_TYPE={"docx": 0, "pdf": 10})
def test_a_failed_issue_consumes_no_number_and_leaves_nothing_behind(world):
    """The document is refused after the number was taken: the whole issue rolls back,
    the counter with it, so the next issue gets the same number."""
    authority()
    notice = submitted(world)
    files_before = StoredFile.objects.count()
    with pytest.raises(ValidationError) as caught:
        services.notice_issue(actor=world.potato_director, notice=notice)
    assert caught.value.code == "too_large"
    notice.refresh_from_db()
    assert (notice.status, notice.year, notice.sequence, notice.content_sha256) == (
        NoticeStatus.IN_REVIEW,
        None,
        None,
        "",
    )
    assert not NoticeCounter.objects.exists()
    assert StoredFile.objects.count() == files_before
    assert not Rectification.objects.exists()
    assert not notice.events.filter(action="issue").exists()

    with override_settings(UPLOAD_MAX_MB_BY_TYPE={"docx": 10, "pdf": 10}):
        services.notice_issue(actor=world.potato_director, notice=notice)
    notice.refresh_from_db()
    assert notice.sequence == 1


def test_a_reply_deadline_passed_in_review_stops_the_issue(world):
    authority()
    notice = submitted(world)
    Notice.objects.filter(pk=notice.pk).update(reply_deadline=today() - datetime.timedelta(days=1))
    with pytest.raises(ValidationError) as caught:
        services.notice_issue(actor=world.potato_director, notice=notice)
    assert codes(caught.value) == {"reply_deadline": {"past_deadline"}}
    assert not NoticeCounter.objects.exists()


# --- what issuing does -------------------------------------------------------------------


def test_issuing_builds_the_document_and_fixes_the_content(world):
    authority()
    notice = issued(world)
    assert notice.docx.name == f"{notice.number}.docx"
    assert notice.pdf is None  # NOTICE_PDF is off in the tests
    with notice.docx.file.open("rb") as handle, zipfile.ZipFile(io.BytesIO(handle.read())) as doc:
        body = doc.read("word/document.xml").decode()
    assert notice.number in body
    assert notice.title in body
    assert "种薯基地建设进度滞后于计划。" in body
    assert notice.content_sha256 == services.content_digest(notice)
    assert len(notice.content_sha256) == 64
    event = AuditEvent.objects.filter(object_type="supervision.notice", message="notice issue")
    assert event.get().after["content_sha256"] == notice.content_sha256


@override_settings(NOTICE_PDF=True, SOFFICE_BINARY="no-such-soffice")
def test_without_libreoffice_the_notice_is_issued_with_its_word_document_only(world):
    authority()
    notice = issued(world)
    assert notice.status == NoticeStatus.ISSUED
    assert notice.docx is not None
    assert notice.pdf is None


def test_issuing_opens_one_rectification_per_requirement_and_unit(world):
    authority()
    notice = draft(world, units=[world.zhuozi, world.huade], requirements=["建立台账", "按期销号"])
    with_reason(world, notice, world.zhuozi, "卓资县种薯基地建设滞后。")
    with_reason(world, notice, world.huade, "化德县调度表迟报12天。")
    notice = issued(world, notice)
    items = Rectification.objects.filter(source_kind=SourceKind.NOTICE).order_by(
        "unit__code", "requirement"
    )
    assert [(i.unit, i.requirement) for i in items] == [
        (world.zhuozi, "建立台账"),
        (world.zhuozi, "按期销号"),
        (world.huade, "建立台账"),
        (world.huade, "按期销号"),
    ]
    first = items[0]
    assert first.source == notice
    assert first.office == world.potato
    assert first.due_date == notice.reply_deadline
    assert first.source_label == f"{notice.number} {notice.title}"
    assert first.problem == "卓资县种薯基地建设滞后。"
    assert items[2].problem == "化德县调度表迟报12天。"
    # The units are told: about the notice, and about each item.
    notes = Notification.objects.filter(recipient=world.zhuozi_liaison)
    assert notes.filter(kind="notice_issue", title__contains=notice.number).count() == 1
    assert notes.filter(kind="rectification_raise").count() == 2


def test_a_commendation_opens_no_rectification_and_takes_no_reply(world):
    authority()
    praise = draft(
        world,
        kind=NoticeKind.COMMENDATION,
        title="关于表扬卓资县的通报",
        reply_deadline=None,
        requirements=[],
    )
    praise = issued(world, praise)
    assert praise.status == NoticeStatus.ISSUED
    assert not Rectification.objects.exists()
    recipient = praise.recipients.get()
    with pytest.raises(ValidationError) as caught:
        services.notice_reply(
            actor=world.zhuozi_liaison, notice=praise, recipient=recipient, text="收到"
        )
    assert caught.value.code == "commendation"


# --- an issued notice is never changed ---------------------------------------------------


def test_an_issued_notice_is_immutable(world):
    authority()
    notice = issued(world)
    number, digest = notice.number, notice.content_sha256
    reason = notice.reasons.get()
    with pytest.raises(ValidationError) as caught:
        services.notice_update(
            actor=world.office,
            notice=notice,
            expected_version=notice.version,
            authority=notice.authority,
            kind=notice.kind,
            title="改过的标题",
            addressees=notice.addressees,
            units=[world.huade],
            opening="改过的开头",
            reply_deadline=notice.reply_deadline,
            requirements=["新要求"],
        )
    assert caught.value.code == "issued"
    for attempt in (
        lambda: services.notice_fill_reasons(actor=world.office, notice=notice),
        lambda: services.notice_reason_save(
            actor=world.office, notice=notice, reason=reason, text="改过的原因"
        ),
        lambda: services.notice_reason_delete(actor=world.office, notice=notice, reason=reason),
    ):
        with pytest.raises(ValidationError):
            attempt()
    notice.refresh_from_db()
    assert (notice.number, notice.content_sha256) == (number, digest)
    assert notice.title == "关于马铃薯种薯基地建设进度滞后的督办通报"
    assert list(notice.units.all()) == [world.zhuozi]
    assert services.content_digest(notice) == digest


def test_a_correction_is_a_new_draft_referencing_the_original(world):
    authority()
    original = issued(world)
    digest = original.content_sha256
    with pytest.raises(PermissionDenied):
        services.notice_correct(actor=world.zhuozi_liaison, notice=original)
    correction = services.notice_correct(actor=world.office, notice=original)
    assert correction.pk != original.pk
    assert correction.corrects == original
    assert correction.status == NoticeStatus.DRAFT
    assert correction.sequence is None
    assert correction.title == original.title
    assert list(correction.units.all()) == [world.zhuozi]
    assert list(correction.reasons.values_list("text", flat=True)) == list(
        original.reasons.values_list("text", flat=True)
    )
    assert list(correction.requirements.values_list("text", flat=True)) == [
        "立即组织整改，明确完成时限"
    ]
    original.refresh_from_db()
    assert original.content_sha256 == digest == services.content_digest(original)
    assert original.events.filter(action="corrected").exists()
    with pytest.raises(ValidationError) as caught:
        services.notice_correct(actor=world.office, notice=correction)  # a draft is edited
    assert caught.value.code == "not_issued"
    # The correction goes through the same review and gets a number of its own.
    corrected = issued(world, correction)
    assert corrected.sequence == original.sequence + 1


# --- replies and closing -----------------------------------------------------------------


def test_a_unit_replies_once_while_the_notice_is_open(world):
    authority()
    notice = issued(world)
    recipient = notice.recipients.get(unit=world.zhuozi)
    with pytest.raises(ValidationError) as caught:
        services.notice_reply(
            actor=world.zhuozi_liaison, notice=notice, recipient=recipient, text="  "
        )
    assert codes(caught.value) == {"text": {"required"}}
    services.notice_reply(
        actor=world.zhuozi_liaison, notice=notice, recipient=recipient, text="已完成整改"
    )
    recipient.refresh_from_db()
    assert (recipient.reply_text, recipient.replied_by) == ("已完成整改", world.zhuozi_liaison)
    with pytest.raises(ValidationError) as caught:
        services.notice_reply(
            actor=world.zhuozi_liaison, notice=notice, recipient=recipient, text="再说一次"
        )
    assert caught.value.code == "already_replied"
    recipient.refresh_from_db()
    assert recipient.reply_text == "已完成整改"
    assert Notification.objects.filter(recipient=world.office, kind="notice_reply").exists()


def test_another_county_cannot_reply_for_a_unit(world):
    authority()
    notice = issued(world, units=[world.zhuozi, world.huade])
    zhuozi = notice.recipients.get(unit=world.zhuozi)
    for intruder in (world.huade_liaison, world.office, world.leader):
        with pytest.raises(PermissionDenied):
            services.notice_reply(actor=intruder, notice=notice, recipient=zhuozi, text="代答")
    zhuozi.refresh_from_db()
    assert zhuozi.replied_at is None


def test_a_reply_after_the_notice_is_closed_is_refused_and_nothing_saved(world):
    authority()
    notice = issued(world, units=[world.zhuozi, world.huade])
    with pytest.raises(ValidationError) as caught:
        services.notice_act(actor=world.office, notice=notice, action="close")
    assert codes(caught.value) == {"comment": {"replies_missing"}}
    services.notice_act(actor=world.office, notice=notice, action="close", comment="已现场核实")
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.CLOSED
    assert notice.closed_at is not None
    events_before = NoticeEvent.objects.count()
    recipient = notice.recipients.get(unit=world.zhuozi)
    with pytest.raises(ValidationError) as caught:
        services.notice_reply(
            actor=world.zhuozi_liaison, notice=notice, recipient=recipient, text="迟到的回复"
        )
    assert caught.value.code == "closed"
    assert caught.value.messages == [_("The notice is closed and no longer accepts replies.")]
    recipient.refresh_from_db()
    assert (recipient.reply_text, recipient.replied_at) == ("", None)
    assert NoticeEvent.objects.count() == events_before


# --- who sees what -----------------------------------------------------------------------


def test_drafts_are_invisible_to_the_units_concerned(world):
    authority()
    a_draft = draft(world)
    in_review = submitted(world, title="审核中的通报")
    out = issued(world, title="已印发的通报")
    assert list(visible_notices(world.zhuozi_liaison)) == [out]
    assert not visible_notices(world.huade_liaison).exists()
    assert set(visible_notices(world.office)) == {a_draft, in_review, out}
    assert set(visible_notices(world.leader)) == {a_draft, in_review, out}
    assert list(visible_notices(world.brand_staff)) == [out]  # another office's drafts stay hidden
    assert not visible_notices(world.auditor).exists()
    assert not visible_notices(world.outsider).exists()


def test_a_unit_concerned_gets_403_for_office_actions_whatever_the_state(world):
    """Permission comes before the state: a unit concerned may see an issued notice but
    never issue, submit or close one, so it is told 403, not 'the state does not allow'."""
    notice = issued(world)
    for attempt in (
        lambda: services.notice_issue(actor=world.zhuozi_liaison, notice=notice),
        lambda: services.notice_act(
            actor=world.zhuozi_liaison, notice=notice, action=NoticeAction.SUBMIT
        ),
        lambda: services.notice_act(
            actor=world.zhuozi_liaison, notice=notice, action=NoticeAction.CLOSE
        ),
    ):
        with pytest.raises(PermissionDenied):
            attempt()
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.ISSUED


def test_copied_to_is_part_of_the_issued_content_and_of_a_correction(world):
    notice = issued(world, copied_to="市委办公室")
    assert services.notice_content(notice)["copied_to"] == "市委办公室"
    correction = services.notice_correct(actor=world.office, notice=notice)
    assert correction.copied_to == "市委办公室"
