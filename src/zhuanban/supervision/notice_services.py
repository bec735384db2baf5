"""Every change to a supervision notice (督办通报): one function per use case, atomic,
checked against the lifecycle table and `scoping.notice_parties`, written to the
notice's timeline (NoticeEvent) and the audit trail.

A notice's content changes only while it is a draft. Issuing gives it the next number
of its authority's series for the year (locked, so consecutive and never reused; a
failure anywhere in the issue rolls the counter back with everything else), builds its
documents, fixes its content by a SHA-256 and, for a supervision notice, opens one
rectification item per requirement and unit concerned. After that the notice is never
updated (but for its PDF, attached by a background job: `pdf_jobs`): a correction is a
new notice that references it.
"""

import datetime
import hashlib
import json
import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from zhuanban.core import audit, word
from zhuanban.core.errors import ConcurrentEditError, FieldErrors
from zhuanban.core.models import AuditAction, StoredFile
from zhuanban.core.notify import notify
from zhuanban.org.models import OrgUnit, RoleAssignment
from zhuanban.org.selectors import office_staff_users, people_acting_for
from zhuanban.rectification.models import SourceKind
from zhuanban.rectification.services import rectification_raise
from zhuanban.supervision import documents, pdf_jobs, scoping
from zhuanban.supervision.lifecycle import (
    EDITABLE_STATES,
    REASON_REQUIRED,
    TRANSITIONS,
    NoticeAction,
    NoticeParty,
    NoticeStatus,
    next_state,
)
from zhuanban.supervision.models import (
    IssuingAuthority,
    Notice,
    NoticeCounter,
    NoticeEvent,
    NoticeKind,
    NoticeReason,
    NoticeRecipient,
    NoticeRequirement,
    ReasonKind,
)
from zhuanban.supervision.notice_selectors import DATA_KINDS, HAND_KINDS, reasons_from_data

log = logging.getLogger(__name__)

REPLY_FILE_TYPES = frozenset({".pdf", ".jpg", ".jpeg", ".png", ".docx", ".xlsx"})
COUNTER_ATTEMPTS = 3


def _field_error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def notice_url(notice: Notice) -> str:
    return reverse("supervision:notice", args=[notice.pk])


# --- permission and the timeline -------------------------------------------------------


def _require_drafter(actor, notice: Notice) -> None:
    if actor is not None and NoticeParty.DRAFTER not in scoping.notice_parties(actor, notice):
        raise PermissionDenied


def _require_draft(notice: Notice) -> None:
    if notice.status in EDITABLE_STATES:
        return
    if notice.is_issued:
        raise ValidationError(
            _(
                "An issued notice is never changed. To correct it, draft a correction "
                "that references it."
            ),
            code="issued",
        )
    raise ValidationError(
        _("This notice is in review: ask the reviewer to send it back before changing it."),
        code="in_review",
    )


def _authorise(actor, notice: Notice, action: str) -> str:
    """PermissionDenied for someone who may never take `action` on this notice (403 even
    when the notice has moved on); then ValidationError when its state does not allow it
    now. Returns the state the action leads to."""
    rule = TRANSITIONS.get((notice.status, action))
    ever_allowed = frozenset().union(
        *(parties for (_state, act), (_next, parties) in TRANSITIONS.items() if act == action)
    )
    if actor is not None and not (scoping.notice_parties(actor, notice) & ever_allowed):
        raise PermissionDenied
    if rule is None:
        raise ValidationError(
            _("A notice that is %(status)s cannot be given the action “%(action)s”.")
            % {
                "status": NoticeStatus(notice.status).label,
                "action": NoticeAction(action).label,
            },
            code="invalid_transition",
        )
    if actor is not None and not (scoping.notice_parties(actor, notice) & rule[1]):
        raise PermissionDenied
    return next_state(notice.status, action)


def _event(actor, notice: Notice, action: str, before_status: str = "", comment: str = ""):
    return NoticeEvent.objects.create(
        notice=notice,
        actor=actor,
        action=action,
        from_status=before_status,
        to_status=notice.status,
        comment=comment[:2000],
    )


def _record(actor, notice: Notice, action: str, before_status: str, comment: str = "", **extra):
    _event(actor, notice, action, before_status, comment)
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=notice,
        before={"status": before_status},
        after={"status": notice.status, "action": action, "comment": comment, **extra},
        message=f"notice {action}",
    )


def _lock(notice: Notice) -> Notice:
    return (
        Notice.objects.select_for_update(of=("self",))
        .select_related("office", "authority")
        .get(pk=notice.pk)
    )


def _bump(notice: Notice, *fields: str) -> None:
    notice.version = F("version") + 1
    notice.save(update_fields=["version", *fields])
    notice.refresh_from_db(fields=["version"])


def _content(notice: Notice) -> dict:
    """What the audit trail keeps of a draft's content, to show what an edit changed."""
    return audit.snapshot(notice) | {
        "units": sorted(notice.recipients.values_list("unit_id", flat=True)),
        "requirements": list(notice.requirements.values_list("text", flat=True)),
    }


# --- drafting ----------------------------------------------------------------------------


def _content_problems(
    errors: FieldErrors,
    *,
    kind: str,
    units: list[OrgUnit],
    requirements: list[str],
    reply_deadline: datetime.date | None,
    authority: IssuingAuthority | None,
    corrects: Notice | None,
    today: datetime.date,
) -> None:
    if not units:
        errors.add("units", _("Choose at least one unit concerned."), "no_units")
    inactive = [u.name for u in units if not u.is_active]
    if inactive:
        errors.add(
            "units",
            _("These units are no longer in use: %(units)s.") % {"units": "、".join(inactive)},
            "inactive_unit",
        )
    if kind == NoticeKind.SUPERVISION:
        if not requirements:
            errors.add(
                "requirements",
                _("A supervision notice needs at least one requirement."),
                "no_requirements",
            )
        if reply_deadline is None:
            errors.add(
                "reply_deadline",
                _("A supervision notice needs a reply deadline."),
                "no_deadline",
            )
    if reply_deadline is not None and reply_deadline < today:
        errors.add(
            "reply_deadline",
            _("The reply deadline %(date)s is in the past.") % {"date": reply_deadline.isoformat()},
            "past_deadline",
        )
    if authority is not None and not authority.active:
        errors.add(
            "authority",
            _("%(authority)s no longer issues notices; choose an issuing authority in use.")
            % {"authority": authority.name},
            "inactive_authority",
        )
    if corrects is not None and not corrects.is_issued:
        errors.add(
            "corrects",
            _("Only an issued notice can be corrected; %(title)s has not been issued.")
            % {"title": corrects.title},
            "corrects_not_issued",
        )


def _clean_requirements(requirements: Iterable[str]) -> list[str]:
    return [text.strip() for text in requirements if text and text.strip()]


def _set_units(notice: Notice, units: list[OrgUnit]) -> None:
    """Recipients follow the units; the reasons of a unit no longer concerned go too."""
    wanted = {u.pk for u in units}
    notice.recipients.exclude(unit_id__in=wanted).delete()
    notice.reasons.exclude(unit_id__in=wanted).delete()
    have = set(notice.recipients.values_list("unit_id", flat=True))
    NoticeRecipient.objects.bulk_create(
        NoticeRecipient(notice=notice, unit=u) for u in units if u.pk not in have
    )


def _set_requirements(notice: Notice, requirements: list[str]) -> None:
    notice.requirements.all().delete()
    NoticeRequirement.objects.bulk_create(
        NoticeRequirement(notice=notice, text=text, position=position)
        for position, text in enumerate(requirements, start=1)
    )


def _unique(units: Iterable[OrgUnit]) -> list[OrgUnit]:
    return list({u.pk: u for u in units}.values())


@transaction.atomic
def notice_create(
    *,
    actor,
    office: OrgUnit,
    authority: IssuingAuthority,
    kind: str,
    title: str,
    addressees: str,
    units: Iterable[OrgUnit],
    opening: str,
    closing: str = "",
    reply_deadline: datetime.date | None = None,
    requirements: Iterable[str] = (),
    corrects: Notice | None = None,
    copied_to: str = "",
    today: datetime.date | None = None,
) -> Notice:
    """A new draft of `office`'s. Every problem is reported at once; nothing is saved
    unless all is well. (`today`: see notice_issue.)"""
    units = _unique(units)
    requirements = _clean_requirements(requirements)
    notice = Notice(
        office=office,
        authority=authority,
        kind=kind,
        title=(title or "").strip(),
        addressees=(addressees or "").strip(),
        copied_to=(copied_to or "").strip(),
        opening=(opening or "").strip(),
        closing=(closing or "").strip(),
        reply_deadline=reply_deadline,
        corrects=corrects,
        drafted_by=actor,
    )
    _require_drafter(actor, notice)
    errors = FieldErrors()
    try:
        notice.full_clean()
    except ValidationError as error:
        errors.merge(error)
    _content_problems(
        errors,
        kind=kind,
        units=units,
        requirements=requirements,
        reply_deadline=reply_deadline,
        authority=authority,
        corrects=corrects,
        today=today or timezone.localdate(),
    )
    errors.raise_if_any()
    notice.save()
    _set_units(notice, units)
    _set_requirements(notice, requirements)
    comment = corrects.number if corrects is not None else ""
    _event(actor, notice, "create", "", comment)
    audit.record(actor=actor, action=AuditAction.CREATE, instance=notice, after=_content(notice))
    return notice


_KEEP = object()


@transaction.atomic
def notice_update(
    *,
    actor,
    notice: Notice,
    expected_version: int,
    authority: IssuingAuthority,
    kind: str,
    title: str,
    addressees: str,
    units: Iterable[OrgUnit],
    opening: str,
    closing: str = "",
    reply_deadline: datetime.date | None = None,
    requirements: Iterable[str] = (),
    corrects=_KEEP,
    copied_to: str = "",
    today: datetime.date | None = None,
) -> Notice:
    """Edit a draft. An issued notice (or one in review) is refused; so is an edit made
    on a version someone else has changed since."""
    stored = _lock(notice)
    _require_drafter(actor, stored)
    _require_draft(stored)
    if stored.version != expected_version:
        raise ConcurrentEditError(
            _(
                "Someone else changed this notice while you were editing it. "
                "Reload the page to see their changes, then make yours again."
            )
        )
    units = _unique(units)
    requirements = _clean_requirements(requirements)
    before = _content(stored)
    stored.authority = authority
    stored.kind = kind
    stored.title = (title or "").strip()
    stored.addressees = (addressees or "").strip()
    stored.copied_to = (copied_to or "").strip()
    stored.opening = (opening or "").strip()
    stored.closing = (closing or "").strip()
    stored.reply_deadline = reply_deadline
    if corrects is not _KEEP:
        stored.corrects = corrects
    errors = FieldErrors()
    try:
        stored.full_clean()
    except ValidationError as error:
        errors.merge(error)
    _content_problems(
        errors,
        kind=kind,
        units=units,
        requirements=requirements,
        reply_deadline=reply_deadline,
        authority=authority,
        corrects=stored.corrects,
        today=today or timezone.localdate(),
    )
    errors.raise_if_any()
    _bump(
        stored,
        "authority",
        "kind",
        "title",
        "addressees",
        "copied_to",
        "opening",
        "closing",
        "reply_deadline",
        "corrects",
    )
    _set_units(stored, units)
    _set_requirements(stored, requirements)
    after = _content(stored)
    _event(actor, stored, "edit", stored.status, ", ".join(audit.changed_fields(before, after)))
    audit.record(
        actor=actor, action=AuditAction.UPDATE, instance=stored, before=before, after=after
    )
    return stored


# --- reasons -----------------------------------------------------------------------------


def _reason_snapshot(reasons) -> list[dict]:
    return [{"unit": r.unit_id, "kind": r.kind, "text": r.text} for r in reasons]


@transaction.atomic
def notice_fill_reasons(
    *, actor, notice: Notice, as_of: datetime.date | None = None
) -> list[NoticeReason]:
    """Replace the reasons drafted from data with what the data says now; the reasons
    written by hand (other, achievement) stay, after them."""
    notice = _lock(notice)
    _require_drafter(actor, notice)
    _require_draft(notice)
    units = list(
        OrgUnit.objects.filter(pk__in=notice.recipients.values("unit_id")).order_by(
            "sort_order", "code"
        )
    )
    before = _reason_snapshot(notice.reasons.all())
    notice.reasons.filter(kind__in=DATA_KINDS).delete()
    # The reasons print in the notice, whose text is Chinese whatever language the
    # drafter reads the site in (as the document builder does).
    with translation.override(documents.DOCUMENT_LANGUAGE):
        drafted = reasons_from_data(units, as_of=as_of)
    created = NoticeReason.objects.bulk_create(
        NoticeReason(
            notice=notice,
            unit=reason.unit,
            kind=reason.kind,
            text=reason.text,
            figures=reason.figures,
            source_ref=reason.source_ref,
            position=position,
        )
        for position, reason in enumerate(drafted, start=1)
    )
    kept = list(notice.reasons.exclude(kind__in=DATA_KINDS).order_by("position", "pk"))
    for position, reason in enumerate(kept, start=len(created) + 1):
        reason.position = position
    NoticeReason.objects.bulk_update(kept, ["position"])
    comment = _("%(count)s reasons drafted from the data as of %(date)s.") % {
        "count": len(created),
        "date": (as_of or timezone.localdate()).isoformat(),
    }
    _event(actor, notice, "fill_reasons", notice.status, comment)
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=notice,
        before={"reasons": before},
        after={"reasons": _reason_snapshot(notice.reasons.all())},
        message="notice reasons drafted from data",
    )
    return list(notice.reasons.all())


@transaction.atomic
def notice_reason_save(
    *,
    actor,
    notice: Notice,
    text: str,
    reason: NoticeReason | None = None,
    unit: OrgUnit | None = None,
    kind: str = ReasonKind.OTHER,
) -> NoticeReason:
    """Edit a reason's text, or add one by hand (other, or an achievement for a
    commendation) for one of the units concerned."""
    notice = _lock(notice)
    _require_drafter(actor, notice)
    _require_draft(notice)
    errors = FieldErrors()
    text = (text or "").strip()
    if not text:
        errors.add("text", _("Write the reason."), "required")
    if reason is None:
        if unit is None or not notice.recipients.filter(unit=unit).exists():
            errors.add(
                "unit",
                _("Choose one of the units concerned by the notice."),
                "not_concerned",
            )
        if kind not in HAND_KINDS:
            errors.add("kind", _("A reason written by hand is “other” or an achievement."), "kind")
    elif reason.notice_id != notice.pk:
        raise PermissionDenied
    errors.raise_if_any()
    if reason is None:
        last = notice.reasons.aggregate(m=Max("position"))["m"] or 0
        reason = NoticeReason.objects.create(
            notice=notice, unit=unit, kind=kind, text=text, position=last + 1
        )
        before = None
    else:
        before = {"text": reason.text}
        reason.text = text
        reason.save(update_fields=["text"])
    _event(actor, notice, "reason", notice.status, text[:200])
    audit.record(
        actor=actor,
        action=AuditAction.CREATE if before is None else AuditAction.UPDATE,
        instance=reason,
        before=before,
        after={"notice": notice.pk, "unit": reason.unit_id, "kind": reason.kind, "text": text},
    )
    return reason


@transaction.atomic
def notice_reason_delete(*, actor, notice: Notice, reason: NoticeReason) -> None:
    notice = _lock(notice)
    _require_drafter(actor, notice)
    _require_draft(notice)
    if reason.notice_id != notice.pk:
        raise PermissionDenied
    audit.record_delete(actor=actor, instance=reason, before=audit.snapshot(reason))
    _event(actor, notice, "reason_delete", notice.status, reason.text[:200])
    reason.delete()


# --- the lifecycle -----------------------------------------------------------------------


def _ready_problems(notice: Notice, today: datetime.date) -> None:
    """Submitting and issuing check the draft again: time has passed since it was
    written (a deadline, an authority retired)."""
    errors = FieldErrors()
    units = list(OrgUnit.objects.filter(pk__in=notice.recipients.values("unit_id")))
    _content_problems(
        errors,
        kind=notice.kind,
        units=units,
        requirements=list(notice.requirements.values_list("text", flat=True)),
        reply_deadline=notice.reply_deadline,
        authority=notice.authority,
        corrects=notice.corrects,
        today=today,
    )
    if notice.kind == NoticeKind.SUPERVISION and not notice.reasons.exists():
        errors.add(
            "reasons",
            _("Give at least one reason (fill them in from the data, or write one)."),
            "no_reasons",
        )
    errors.raise_if_any()


def _reviewers(notice: Notice) -> list:
    return [
        ra.user
        for ra in RoleAssignment.objects.filter(
            unit_id=notice.office_id, role__in=scoping.REVIEWER_ROLES
        ).select_related("user")
    ]


def _tell(recipients, actor, notice: Notice, kind: str, title: str, body: str = "") -> None:
    notify(
        [u for u in recipients if actor is None or u.pk != actor.pk],
        kind=f"notice_{kind}",
        title=title,
        body=body or notice.title,
        url=notice_url(notice),
    )


@transaction.atomic
def notice_act(
    *, actor, notice: Notice, action: str, comment: str = "", today: datetime.date | None = None
) -> Notice:
    """送审 submit, 退回 return (with a reason), 办结 close; issue goes to notice_issue.
    (`today`: see notice_issue.)"""
    if action == NoticeAction.ISSUE:
        return notice_issue(actor=actor, notice=notice, today=today)
    notice = _lock(notice)
    comment = (comment or "").strip()
    new_status = _authorise(actor, notice, action)
    if action in REASON_REQUIRED and not comment:
        raise _field_error("comment", _("Please give a reason."), "reason_required")
    before_status = notice.status
    fields = ["status"]
    if action == NoticeAction.SUBMIT:
        _ready_problems(notice, today or timezone.localdate())
        notice.submitted_by = actor
        fields.append("submitted_by")
    if action == NoticeAction.CLOSE:
        waiting = 0
        if notice.kind == NoticeKind.SUPERVISION:
            waiting = notice.recipients.filter(replied_at__isnull=True).count()
        if waiting and not comment:
            raise _field_error(
                "comment",
                _(
                    "%(count)s of the units concerned have not replied: give a reason for "
                    "closing the notice anyway."
                )
                % {"count": waiting},
                "replies_missing",
            )
        notice.closed_at = timezone.now()
        fields.append("closed_at")
    notice.status = new_status
    _bump(notice, *fields)
    _record(actor, notice, action, before_status, comment)
    if action == NoticeAction.SUBMIT:
        _tell(
            _reviewers(notice),
            actor,
            notice,
            "submit",
            _("Notice to review: %(title)s") % {"title": notice.title},
        )
    elif action == NoticeAction.RETURN:
        drafter = [notice.submitted_by] if notice.submitted_by_id else []
        _tell(
            drafter,
            actor,
            notice,
            "return",
            _("Notice sent back: %(title)s") % {"title": notice.title},
            comment,
        )
    return notice


def next_sequence(authority: IssuingAuthority, year: int) -> int:
    """Take the next number of `authority`'s series for `year`, holding the counter's
    row lock until the caller's transaction ends (so numbers are consecutive, and one
    given by a transaction that fails is given again by the next)."""
    for _attempt in range(COUNTER_ATTEMPTS):
        counter = (
            NoticeCounter.objects.select_for_update().filter(authority=authority, year=year).first()
        )
        if counter is None:
            # The first notice of the year: start after any number already used (notices
            # loaded without a counter), never below it.
            used = Notice.objects.filter(authority=authority, year=year).aggregate(
                m=Max("sequence")
            )["m"]
            try:
                with transaction.atomic():  # a savepoint: a lost race leaves the rest intact
                    counter = NoticeCounter.objects.create(
                        authority=authority, year=year, last=used or 0
                    )
            except IntegrityError:
                continue  # another issuer created it first: lock theirs
        counter.last += 1
        counter.save(update_fields=["last"])
        return counter.last
    raise RuntimeError(f"could not lock the notice counter of {authority.pk} for {year}")


def notice_content(notice: Notice) -> dict:
    """The issued content, in a canonical form: what `content_sha256` is computed over."""
    return {
        "number": notice.number,
        "authority": notice.authority.header,
        "kind": notice.kind,
        "title": notice.title,
        "addressees": notice.addressees,
        "copied_to": notice.copied_to,
        "issue_date": notice.issue_date.isoformat() if notice.issue_date else None,
        "units": [
            [r.unit.code, r.unit.name]
            for r in notice.recipients.select_related("unit").order_by("unit__code")
        ],
        "opening": notice.opening,
        "reasons": [
            [r.unit.code, r.kind, r.text]
            for r in notice.reasons.select_related("unit").order_by("position", "pk")
        ],
        "requirements": list(
            notice.requirements.order_by("position", "pk").values_list("text", flat=True)
        ),
        "closing": notice.closing,
        "reply_deadline": notice.reply_deadline.isoformat() if notice.reply_deadline else None,
    }


def content_digest(notice: Notice) -> str:
    canonical = json.dumps(
        notice_content(notice), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _build_document(actor, notice: Notice) -> StoredFile:
    """The notice's .docx, stored: the record. Its PDF is made after, in the background."""
    try:
        data = documents.notice_docx(notice)
    except ValidationError:
        raise
    except Exception:
        log.exception("building the .docx of notice %s failed", notice.pk)
        raise ValidationError(
            _("The Word document of the notice could not be generated; nothing was issued."),
            code="docx_failed",
        ) from None
    return word.store_docx(actor=actor, name=notice.number, docx=data)


def _problem_of(notice: Notice, unit_id: int) -> str:
    return "\n".join(
        notice.reasons.filter(unit_id=unit_id)
        .order_by("position", "pk")
        .values_list("text", flat=True)
    )


@transaction.atomic
def notice_issue(*, actor, notice: Notice, today: datetime.date | None = None) -> Notice:
    """签发: four eyes (who submitted does not issue), the next number, the .docx, the
    content hash, the rectification items, and the units told. The PDF is made in the
    background once this commits (where settings.NOTICE_PDF is on: `pdf_jobs`), a job of
    the issuer's.

    `today` is the date of issue; only the demo loader, telling a story of past months,
    passes an earlier one."""
    notice = _lock(notice)
    _authorise(actor, notice, NoticeAction.ISSUE)
    if actor is not None and notice.submitted_by_id == actor.pk:
        raise ValidationError(
            _("You submitted this notice for review; another reviewer issues it."),
            code="four_eyes",
        )
    today = today or timezone.localdate()
    _ready_problems(notice, today)
    before_status = notice.status
    notice.year = today.year
    notice.sequence = next_sequence(notice.authority, notice.year)
    notice.issue_date = today
    notice.issued_by = actor
    notice.issued_at = timezone.now()
    notice.status = NoticeStatus.ISSUED
    docx = notice.docx = _build_document(actor, notice)
    notice.content_sha256 = content_digest(notice)
    _bump(
        notice,
        "year",
        "sequence",
        "issue_date",
        "issued_by",
        "issued_at",
        "status",
        "docx",
        "content_sha256",
    )
    number = notice.number
    _record(
        actor,
        notice,
        NoticeAction.ISSUE,
        before_status,
        number,
        number=number,
        content_sha256=notice.content_sha256,
        docx_sha256=docx.sha256,
    )
    recipients = list(notice.recipients.select_related("unit").order_by("unit__code"))
    if notice.kind == NoticeKind.SUPERVISION:
        requirements = list(notice.requirements.order_by("position", "pk"))
        for recipient in recipients:
            problem = _problem_of(notice, recipient.unit_id)
            for requirement in requirements:
                rectification_raise(
                    actor=actor,
                    source=notice,
                    source_kind=SourceKind.NOTICE,
                    source_label=f"{number} {notice.title}",
                    office=notice.office,
                    unit=recipient.unit,
                    problem=problem,
                    requirement=requirement.text,
                    due_date=notice.reply_deadline,
                    today=today,
                )
    for recipient in recipients:
        if notice.kind == NoticeKind.SUPERVISION:
            title = _("Supervision notice %(number)s: reply by %(date)s") % {
                "number": number,
                "date": notice.reply_deadline.isoformat(),
            }
        else:
            title = _("Commendation %(number)s") % {"number": number}
        _tell(people_acting_for(recipient.unit_id), actor, notice, "issue", title)
    if settings.NOTICE_PDF:
        pdf_jobs.queue(notice, owner=actor)
    return notice


# --- replies -----------------------------------------------------------------------------


def reply_check(*, actor, notice: Notice, recipient: NoticeRecipient, text: str) -> None:
    """Whether `actor` may reply for `recipient` now with `text`; raises what the reply
    would. Views call it before storing any attachment, so a refused reply leaves none."""
    if recipient.notice_id != notice.pk:
        raise PermissionDenied
    if actor is None or not scoping.replying_units(actor, notice).filter(pk=recipient.pk).exists():
        raise PermissionDenied
    if notice.status == NoticeStatus.CLOSED:
        raise ValidationError(
            _("The notice is closed and no longer accepts replies."), code="closed"
        )
    if notice.status != NoticeStatus.ISSUED:
        raise ValidationError(_("The notice has not been issued yet."), code="not_issued")
    if notice.kind == NoticeKind.COMMENDATION:
        raise ValidationError(_("A commendation takes no reply."), code="commendation")
    if recipient.replied_at is not None:
        # One official answer per unit; further work is reported on the rectification
        # items the notice opened, which keep their own history.
        raise ValidationError(
            _(
                "%(unit)s replied on %(date)s; a unit replies once. Report further work on "
                "the rectification items of the notice."
            )
            % {
                "unit": recipient.unit.name,
                "date": timezone.localdate(recipient.replied_at).isoformat(),
            },
            code="already_replied",
        )
    if not (text or "").strip():
        raise _field_error("text", _("Write the reply."), "required")


@transaction.atomic
def notice_reply(
    *,
    actor,
    notice: Notice,
    recipient: NoticeRecipient,
    text: str,
    evidence: Iterable[StoredFile] = (),
) -> NoticeRecipient:
    """回复: the unit's answer to the notice, with attachments (stored by the caller
    after `reply_check`)."""
    notice = _lock(notice)
    recipient = (
        NoticeRecipient.objects.select_for_update(of=("self",))
        .select_related("unit")
        .get(pk=recipient.pk)
    )
    reply_check(actor=actor, notice=notice, recipient=recipient, text=text)
    text = text.strip()
    evidence = list(evidence)
    recipient.reply_text = text
    recipient.replied_at = timezone.now()
    recipient.replied_by = actor
    recipient.save(update_fields=["reply_text", "replied_at", "replied_by"])
    recipient.reply_evidence.set(evidence)
    files = "、".join(f.name for f in evidence)
    _event(actor, notice, "reply", notice.status, f"{recipient.unit.name}：{text} {files}".strip())
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=recipient,
        after={
            "notice": notice.pk,
            "unit": recipient.unit_id,
            "reply": text,
            "evidence": [{"name": f.name, "sha256": f.sha256} for f in evidence],
        },
        message="notice reply",
    )
    _tell(
        office_staff_users(notice.office_id),
        actor,
        notice,
        "reply",
        _("%(unit)s replied to %(number)s")
        % {"unit": recipient.unit.name, "number": notice.number},
        text[:200],
    )
    return recipient


# --- corrections -------------------------------------------------------------------------


@transaction.atomic
def notice_correct(*, actor, notice: Notice) -> Notice:
    """更正: a new draft with the content of an issued notice, referencing it. The issued
    notice itself stays exactly as it was issued."""
    original = _lock(notice)
    _require_drafter(actor, original)
    if not original.is_issued:
        raise ValidationError(
            _("Only an issued notice can be corrected; edit the draft instead."),
            code="not_issued",
        )
    today = timezone.localdate()
    deadline = original.reply_deadline
    draft = Notice.objects.create(
        office=original.office,
        authority=original.authority,
        kind=original.kind,
        title=original.title,
        addressees=original.addressees,
        copied_to=original.copied_to,
        opening=original.opening,
        closing=original.closing,
        # A deadline already passed is left for the drafter to set again.
        reply_deadline=deadline if deadline and deadline >= today else None,
        corrects=original,
        drafted_by=actor,
    )
    NoticeRecipient.objects.bulk_create(
        NoticeRecipient(notice=draft, unit_id=unit_id)
        for unit_id in original.recipients.values_list("unit_id", flat=True)
    )
    NoticeReason.objects.bulk_create(
        NoticeReason(
            notice=draft,
            unit_id=r.unit_id,
            kind=r.kind,
            text=r.text,
            figures=r.figures,
            source_ref=r.source_ref,
            position=r.position,
        )
        for r in original.reasons.all()
    )
    NoticeRequirement.objects.bulk_create(
        NoticeRequirement(notice=draft, text=r.text, position=r.position)
        for r in original.requirements.all()
    )
    _event(actor, draft, "create", "", original.number)
    # On the original's timeline too (its content is untouched): readers find the correction.
    NoticeEvent.objects.create(
        notice=original,
        actor=actor,
        action="corrected",
        from_status=original.status,
        to_status=original.status,
    )
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        instance=draft,
        after=_content(draft) | {"corrects_number": original.number},
        message="notice correction drafted",
    )
    return draft


# --- scheduled work ----------------------------------------------------------------------

# How long before its reply deadline a unit that has not replied is reminded.
REPLY_DUE_SOON_DAYS = 3


def remind_replies(today: datetime.date | None = None) -> dict[str, int]:
    """Chase the replies of issued supervision notices: in the last days before the
    deadline tell the unit's people; once it has passed tell them and the drafting
    office's staff. Units that replied, closed notices and commendations are left alone.

    Idempotent like the other reminders: each key names the notice, the unit, the kind and
    the deadline, so a second run sends nothing twice. The people of each unit and office
    are looked up once per run, however many notices concern them."""
    today = today or timezone.localdate()
    counts = {"notice_reply_due_soon": 0, "notice_reply_overdue": 0}
    waiting = (
        NoticeRecipient.objects.filter(
            notice__status=NoticeStatus.ISSUED,
            notice__kind=NoticeKind.SUPERVISION,
            notice__reply_deadline__isnull=False,
            notice__reply_deadline__lte=today + datetime.timedelta(days=REPLY_DUE_SOON_DAYS),
            replied_at__isnull=True,
        )
        .select_related("notice", "notice__authority", "unit")
        .order_by("notice_id", "unit__code")
    )
    people: dict[int, list] = {}
    staff: dict[int, list] = {}
    for recipient in waiting.iterator(chunk_size=500):
        notice, unit = recipient.notice, recipient.unit
        if unit.pk not in people:
            people[unit.pk] = people_acting_for(unit.pk)
        deadline = notice.reply_deadline.isoformat()
        values = {"date": deadline, "unit": unit.name, "number": notice.number}
        url = f"{notice_url(notice)}#replies"
        if notice.reply_deadline < today:
            if notice.office_id not in staff:
                staff[notice.office_id] = office_staff_users(notice.office_id)
            sent = notify(
                people[unit.pk] + staff[notice.office_id],
                kind="notice_reply_overdue",
                title=_("Reply overdue since %(date)s: %(unit)s, supervision notice %(number)s")
                % values,
                body=notice.title,
                url=url,
                dedupe_key=f"notice:{notice.pk}:unit:{unit.pk}:reply_overdue:{deadline}",
            )
            counts["notice_reply_overdue"] += bool(sent)
            continue
        sent = notify(
            people[unit.pk],
            kind="notice_reply_due_soon",
            title=_("Reply due %(date)s: %(unit)s, supervision notice %(number)s") % values,
            body=notice.title,
            url=url,
            dedupe_key=f"notice:{notice.pk}:unit:{unit.pk}:reply_due_soon:{deadline}",
        )
        counts["notice_reply_due_soon"] += bool(sent)
    return counts
