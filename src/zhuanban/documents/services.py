"""Every change to policy documents, opinion rounds and meetings: one function per use
case, transactional, checking permission and state, writing the audit trail."""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from zhuanban.core import audit
from zhuanban.core.errors import FieldErrors, check_version
from zhuanban.core.files import check_upload, record_refusal, store_upload
from zhuanban.core.models import AuditAction
from zhuanban.core.notify import notify
from zhuanban.documents import scoping
from zhuanban.documents.lifecycle import (
    DOCUMENT_TRANSITIONS,
    MEETING_REASON_REQUIRED,
    MEETING_TRANSITIONS,
    OUTCOME_DOCUMENT_ACTION,
    REASON_REQUIRED,
    ROUND_ACTIONS,
    TASK_OUTCOMES,
    TOPIC_TRANSITIONS,
    WRITING_STAGES,
    DocAction,
    MeetingAction,
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
    DocumentVersion,
    Meeting,
    MeetingKind,
    Opinion,
    OpinionRequest,
    OpinionRound,
    Topic,
    TopicTask,
)
from zhuanban.documents.text import extract_text, paragraphs
from zhuanban.org.models import OrgUnit, RoleAssignment
from zhuanban.org.roles import OFFICE_ROLES, Role, UnitKind
from zhuanban.org.selectors import office_staff_users, people_acting_for
from zhuanban.tasks import services as task_services
from zhuanban.tasks.lifecycle import Action as TaskAction
from zhuanban.tasks.models import Task, TaskList

DOCUMENT_FIELDS = (
    "title",
    "kind",
    "lead_author",
    "pen_holder",
    "chain",
    "key_work",
    "summary",
    "is_living",
    "issuing_authority",
)
MEETING_FIELDS = (
    "kind",
    "title",
    "starts_at",
    "place",
    "chair",
    "attendees_text",
    "topic_deadline",
    "minutes_number",
    "minutes_summary",
)
TOPIC_FIELDS = ("title", "summary", "request", "presenter")
CONSULTABLE_KINDS = frozenset(
    {
        UnitKind.COUNTY,
        UnitKind.DEPARTMENT,
        UnitKind.SECTION,
        UnitKind.MEMBER_UNIT,
        UnitKind.OFFICE,
        UnitKind.BUREAU,
        UnitKind.ASSOCIATION,
    }
)
MATERIAL_TYPES = {".docx", ".xlsx", ".pdf", ".jpg", ".jpeg", ".png", ".txt"}


class _stored(str):
    """A message kept in the records (history, task remarks) in the site's language,
    whoever's page wrote it: `_stored(gettext_noop("...")) % params`."""

    def __mod__(self, params):
        with translation.override(settings.LANGUAGE_CODE):
            return _(str(self)) % params


def _locked(model, pk: int):
    return model.objects.select_for_update().get(pk=pk)


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


def _staff_ids(office_id: int) -> set[int]:
    return set(
        RoleAssignment.objects.filter(unit_id=office_id, role__in=OFFICE_ROLES).values_list(
            "user_id", flat=True
        )
    )


# --- documents ----------------------------------------------------------------------------------


def _check_people(document: Document, errors: FieldErrors) -> None:
    staff = _staff_ids(document.office_id)
    for field in ("lead_author", "pen_holder"):
        user_id = getattr(document, f"{field}_id")
        if user_id is not None and user_id not in staff:
            errors.add(
                field,
                _("%(name)s holds no position in %(office)s.")
                % {"name": getattr(document, field).get_full_name(), "office": document.office},
                "not_office_staff",
            )


@transaction.atomic
def document_save(
    *,
    actor,
    data: dict,
    office: OrgUnit | None = None,
    document: Document | None = None,
    expected_version: int | None = None,
) -> Document:
    """Create a document for `office` (which holds the pen from then on), or change its
    details. The office is fixed once created; an issued document changes only through
    a revision."""
    if document is None:
        if office is None or not scoping.is_office_staff(actor, office.pk):
            raise PermissionDenied
        document = Document(office=office, created_by=actor)
        before = None
    else:
        document = _locked(Document, document.pk)
        if not scoping.can_manage_document(actor, document):
            raise PermissionDenied
        check_version(document, expected_version)
        if document.stage in (Stage.ISSUED, Stage.REPEALED):
            raise ValidationError(
                _("An issued document does not change: start a revision to change it."),
                code="issued",
            )
        before = audit.snapshot(document)
        document.version += 1
    for field in DOCUMENT_FIELDS:
        if field in data:
            setattr(document, field, data[field])
    if document.pen_holder_id is None and document.lead_author_id is not None:
        document.pen_holder_id = document.lead_author_id
    errors = FieldErrors()
    errors.full_clean(document)
    if document.lead_author_id is not None:
        _check_people(document, errors)
    errors.raise_if_any()
    document.save()
    audit.record_change(actor=actor, instance=document, before=before)
    if before is None:
        _event(document, actor, "create", "", document.stage)
    elif before.get("pen_holder_id") != document.pen_holder_id:
        _event(
            document,
            actor,
            "pen",
            document.stage,
            document.stage,
            _stored(gettext_noop("The pen passes to %(name)s."))
            % {"name": document.pen_holder.get_full_name()},
        )
    return document


def _event(document, actor, action, from_stage, to_stage, comment="") -> DocumentEvent:
    return DocumentEvent.objects.create(
        document=document,
        actor=actor,
        action=action,
        from_stage=from_stage,
        to_stage=to_stage,
        comment=comment,
    )


def _stage_error(document: Document) -> ValidationError:
    return ValidationError(
        _("This cannot be done while the document is at the stage %(stage)s.")
        % {"stage": Stage(document.stage).label},
        code="bad_stage",
    )


def _transition(
    document: Document, actor, action: str, comment: str = "", *, on_behalf: bool = False
) -> str:
    """Move a locked document along the table; `on_behalf` is a meeting's decision
    carried out for it (the meeting's managers need not be its drafting office)."""
    target = DOCUMENT_TRANSITIONS.get((document.stage, action))
    if target is None:
        raise _stage_error(document)
    next_stage, allowed = target
    if not on_behalf and not (allowed & scoping.document_parties(actor, document)):
        raise PermissionDenied
    before = document.stage
    document.stage = next_stage
    document.version += 1
    _event(document, actor, action, before, next_stage, comment)
    return before


def _open_round(document: Document) -> OpinionRound | None:
    return document.rounds.filter(closed_at__isnull=True).first()


@transaction.atomic
def document_act(
    *,
    actor,
    document: Document,
    action: str,
    comment: str = "",
    deliberation: str = "",
    approved_on: datetime.date | None = None,
    issue_number: str = "",
    issued_on: datetime.date | None = None,
    issuing_authority: str = "",
    expected_version: int | None = None,
    today: datetime.date | None = None,
) -> Document:
    """Submit, approve, send back, issue, revise or repeal a document."""
    document = _locked(Document, document.pk)
    check_version(document, expected_version)
    if action in ROUND_ACTIONS or action not in DocAction.values:
        raise ValidationError(_("Unknown action."), code="bad_action")
    parties = scoping.document_parties(actor, document)
    if not parties:
        raise PermissionDenied
    today = _today(today)
    comment = comment.strip()
    open_round = _open_round(document)
    if open_round is not None:
        raise ValidationError(
            _(
                "Opinion round %(number)s is still open (answers due %(deadline)s): end it "
                "before the document moves on."
            )
            % {"number": open_round.number, "deadline": open_round.deadline},
            code="open_round",
        )
    # Who may and at which stage, before what the form says: a wrong stage or a party
    # without the right is not answered with field errors.
    target = DOCUMENT_TRANSITIONS.get((document.stage, action))
    if target is None:
        raise _stage_error(document)
    if not target[1] & parties:
        raise PermissionDenied
    errors = FieldErrors()
    if action in REASON_REQUIRED and not comment:
        errors.add("comment", _("Please give a reason."), "reason_required")
    latest = document.versions.order_by("-number").first()
    if action in (DocAction.SUBMIT, DocAction.APPROVE, DocAction.ISSUE) and latest is None:
        errors.add(None, _("Add a version of the text first."), "no_version")
    if action == DocAction.ISSUE:
        issue_number = issue_number.strip()
        if not issue_number:
            errors.add("issue_number", _("Give the document number."), "required")
        elif Document.objects.filter(issue_number=issue_number).exclude(pk=document.pk).exists():
            errors.add("issue_number", _("Another document already has this number."), "duplicate")
        if issued_on is None:
            errors.add("issued_on", _("Give the date of issue."), "required")
        elif issued_on > today:
            errors.add("issued_on", _("The date of issue cannot be in the future."), "future")
        if not (issuing_authority.strip() or document.issuing_authority):
            errors.add("issuing_authority", _("Give the issuing authority."), "required")
    if action == DocAction.APPROVE and approved_on is not None and approved_on > today:
        errors.add("approved_on", _("The date of approval cannot be in the future."), "future")
    errors.raise_if_any()
    before = audit.snapshot(document)
    _transition(document, actor, action, comment)
    if action == DocAction.APPROVE:
        document.deliberation = deliberation.strip() or document.deliberation
        document.approved_on = approved_on or today
    elif action == DocAction.ISSUE:
        document.issue_number = issue_number
        document.issued_on = issued_on
        document.issuing_authority = issuing_authority.strip() or document.issuing_authority
        DocumentVersion.objects.filter(pk=latest.pk).update(issued_at=timezone.now())
    elif action == DocAction.REVISE:
        document.approved_on = None
    elif action == DocAction.REPEAL:
        document.repealed_on = today
    try:
        with transaction.atomic():
            document.save()
    except IntegrityError as error:  # the same number issued at the same moment
        raise ValidationError(
            {"issue_number": _("Another document already has this number.")}
        ) from error
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=document,
        before=before,
        after=audit.snapshot(document),
        message=action,
    )
    return document


def _version_problems(upload, text: str, errors: FieldErrors) -> None:
    if upload is None and not text.strip():
        errors.add(None, _("Upload the draft as a .docx file or write its text."), "empty")
    if upload is not None and text.strip():
        errors.add("text", _("Upload a file or write the text, not both."), "both")


def _record_refusals(actor, refusals: list) -> None:
    """Put refused uploads on the audit trail once the transaction that refused them has
    been rolled back: the request saved nothing, but the refusal stays on record."""
    for upload, error in refusals:
        record_refusal(upload, user=actor, error=error)


def version_add(
    *,
    actor,
    document: Document,
    upload: UploadedFile | None = None,
    text: str = "",
    label: str = "",
    change_note: str = "",
) -> DocumentVersion:
    """Add the next version of the text, from a .docx (its text extracted) or written
    here. A living document that is issued takes the new version at once."""
    refusals: list = []
    try:
        return _version_add(
            actor=actor,
            document=document,
            upload=upload,
            text=text,
            label=label,
            change_note=change_note,
            refusals=refusals,
        )
    finally:
        _record_refusals(actor, refusals)


@transaction.atomic
def _version_add(
    *, actor, document, upload, text, label, change_note, refusals: list
) -> DocumentVersion:
    document = _locked(Document, document.pk)
    if not scoping.can_manage_document(actor, document):
        raise PermissionDenied
    living_revision = document.is_living and document.stage == Stage.ISSUED
    if document.stage not in WRITING_STAGES and not living_revision:
        raise ValidationError(
            _("A new version is added while drafting or revising, not at the stage %(stage)s.")
            % {"stage": Stage(document.stage).label},
            code="bad_stage",
        )
    errors = FieldErrors()
    _version_problems(upload, text, errors)
    if living_revision and not change_note.strip():
        errors.add("change_note", _("Say what changed in this revision."), "required")
    stored = None
    if upload is not None and not errors:
        try:
            check_upload(upload, allowed={".docx"})
            text = extract_text(upload.read())
            upload.seek(0)
        except ValidationError as error:
            refusals.append((upload, error))
            errors.add("file", error.messages[0], error.code or "invalid")
        else:
            if not paragraphs(text):
                errors.add("file", _("No text was found in this document."), "no_text")
    errors.raise_if_any()
    latest = document.versions.order_by("-number").first()
    if latest is not None and paragraphs(latest.text) == paragraphs(text):
        raise ValidationError(
            _("The text is the same as version %(number)s.") % {"number": latest.number},
            code="unchanged",
        )
    if upload is not None:
        stored = store_upload(upload, user=actor, allowed={".docx"})
    version = DocumentVersion.objects.create(
        document=document,
        number=(latest.number if latest else 0) + 1,
        label=label.strip(),
        file=stored,
        text="\n".join(paragraphs(text)),
        change_note=change_note.strip(),
        created_by=actor,
        issued_at=timezone.now() if living_revision else None,
    )
    if living_revision:
        document.revised_on = timezone.localdate()
    document.version += 1
    document.save()
    _event(
        document,
        actor,
        "version",
        document.stage,
        document.stage,
        _stored(gettext_noop("Version %(number)s %(label)s"))
        % {"number": version.number, "label": version.label},
    )
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        instance=version,
        after={
            "document": document.pk,
            "number": version.number,
            "label": version.label,
            "file": stored.sha256 if stored else None,
            "paragraphs": len(paragraphs(version.text)),
            "change_note": version.change_note,
            "takes_effect": living_revision,
        },
    )
    return version


@transaction.atomic
def version_update(*, actor, version: DocumentVersion, label: str, change_note: str):
    """Correct a version's label or note. Its text never changes; an issued version
    not at all."""
    version = _locked(DocumentVersion, version.pk)
    if not scoping.can_manage_document(actor, version.document):
        raise PermissionDenied
    if version.is_issued:
        raise ValidationError(
            _("Version %(number)s was issued and can no longer be changed.")
            % {"number": version.number},
            code="issued_version",
        )
    before = audit.snapshot(version)
    version.label, version.change_note = label.strip(), change_note.strip()
    version.save(update_fields=["label", "change_note"])
    audit.record_change(actor=actor, instance=version, before=before)
    return version


# --- opinion rounds -----------------------------------------------------------------------------


def _round_url(round: OpinionRound) -> str:
    return round.get_absolute_url()


def _answerers(request: OpinionRequest) -> list:
    if request.person_id is not None:
        return [request.person]
    return people_acting_for(request.unit_id)


@transaction.atomic
def round_open(
    *,
    actor,
    document: Document,
    deadline: datetime.date | None,
    units=(),
    people=(),
    letter: str = "",
    draft: DocumentVersion | None = None,
    today: datetime.date | None = None,
) -> OpinionRound:
    """Consult leaders and units on a version (the latest by default) until `deadline`:
    each gets a to-do and a notification."""
    document = _locked(Document, document.pk)
    if not scoping.can_manage_document(actor, document):
        raise PermissionDenied
    today = _today(today)
    units, people = list(units), list(people)
    errors = FieldErrors()
    open_round = _open_round(document)
    if open_round is not None:
        errors.add(
            None,
            _("Opinion round %(number)s is still open: end it before opening another.")
            % {"number": open_round.number},
            "open_round",
        )
    elif document.stage not in WRITING_STAGES:
        errors.add(
            None,
            _("Opinions are sought while drafting or revising, not at the stage %(stage)s.")
            % {"stage": Stage(document.stage).label},
            "bad_stage",
        )
    if deadline is None:
        errors.add("deadline", _("Give the date answers are due."), "required")
    elif deadline < today:
        errors.add("deadline", _("The deadline cannot be in the past."), "past")
    if not units and not people:
        errors.add("units", _("Choose whom to consult."), "nobody")
    for unit in units:
        if unit.kind not in CONSULTABLE_KINDS or unit.pk == document.office_id:
            errors.add(
                "units", _("%(unit)s cannot be consulted.") % {"unit": unit.name}, "bad_unit"
            )
    leaders = set(
        RoleAssignment.objects.filter(role=Role.LEADER, user__in=people).values_list(
            "user_id", flat=True
        )
    )
    for person in people:
        if person.pk not in leaders:
            errors.add(
                "people",
                _("%(name)s is not a bureau leader.") % {"name": person.get_full_name()},
                "not_leader",
            )
    if draft is None:
        draft = document.versions.order_by("-number").first()
        if draft is None:
            errors.add(None, _("Add a version of the text first."), "no_version")
    elif draft.document_id != document.pk:
        raise PermissionDenied
    errors.raise_if_any()
    number = (document.rounds.aggregate(n=Max("number"))["n"] or 0) + 1
    round = OpinionRound.objects.create(
        document=document,
        number=number,
        draft=draft,
        deadline=deadline,
        letter=letter.strip(),
        opened_by=actor,
    )
    requests = OpinionRequest.objects.bulk_create(
        [OpinionRequest(round=round, unit=unit) for unit in units]
        + [OpinionRequest(round=round, person=person) for person in people]
    )
    _transition(
        document,
        actor,
        DocAction.CONSULT,
        _stored(gettext_noop("Round %(number)s: %(count)s consulted, answers due %(deadline)s."))
        % {"number": number, "count": len(requests), "deadline": deadline},
    )
    document.save()
    title = _("Opinions sought: %(title)s") % {"title": document.title}
    body = _("Please answer by %(deadline)s.") % {"deadline": deadline}
    for request in requests:
        notify(
            _answerers(request),
            kind="opinion_request",
            title=title,
            body=body,
            url=_round_url(round),
            dedupe_key=f"opinion-request-{request.pk}",
        )
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        instance=round,
        after={
            "document": document.pk,
            "number": number,
            "draft": draft.number,
            "deadline": deadline,
            "units": [u.pk for u in units],
            "people": [p.pk for p in people],
        },
    )
    return round


@transaction.atomic
def answer_submit(
    *,
    actor,
    request: OpinionRequest,
    opinions: list[dict],
    no_opinion: bool = False,
) -> OpinionRequest:
    """Answer a request: opinions (each a clause and a text), or none (无意见). An answer
    may be corrected while the round is open and none of it has been handled; one after
    the deadline is taken and marked late."""
    request = _locked(OpinionRequest, request.pk)
    if not scoping.can_answer(actor, request):
        raise PermissionDenied
    round = request.round
    if not round.is_open:
        raise ValidationError(
            _("This opinion round ended on %(date)s: answers are no longer taken.")
            % {"date": timezone.localdate(round.closed_at)},
            code="round_closed",
        )
    opinions = [
        {"location": (o.get("location") or "").strip(), "text": (o.get("text") or "").strip()}
        for o in opinions
    ]
    opinions = [o for o in opinions if o["text"] or o["location"]]
    errors = FieldErrors()
    if no_opinion and opinions:
        errors.add(None, _("Either give opinions or answer “no opinion”, not both."), "both")
    if not no_opinion and not opinions:
        errors.add(None, _("Give at least one opinion, or answer “no opinion”."), "empty")
    for index, opinion in enumerate(opinions, start=1):
        if not opinion["text"]:
            errors.add(
                None,
                _("Opinion %(number)s has a clause but no text.") % {"number": index},
                "no_text",
            )
        if len(opinion["location"]) > 100:
            errors.add(
                None,
                _("The clause of opinion %(number)s is longer than 100 characters.")
                % {"number": index},
                "too_long",
            )
    if request.opinions.exclude(disposition=Disposition.PENDING).exists():
        errors.add(
            None,
            _("The drafting office has begun handling this answer: it can no longer change."),
            "handled",
        )
    errors.raise_if_any()
    before = {
        "no_opinion": request.no_opinion,
        "opinions": list(request.opinions.values_list("location", "text")),
    }
    request.opinions.all().delete()
    Opinion.objects.bulk_create(
        Opinion(request=request, position=index, location=o["location"], text=o["text"])
        for index, o in enumerate(opinions, start=1)
    )
    now = timezone.now()
    request.answered_at = now
    request.answered_by = actor
    request.no_opinion = no_opinion
    request.is_late = timezone.localdate(now) > round.deadline
    request.save()
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=request,
        before=before,
        after={
            "no_opinion": no_opinion,
            "opinions": [[o["location"], o["text"]] for o in opinions],
            "late": request.is_late,
        },
        message="answer",
    )
    document = round.document
    notify(
        [document.pen_holder],
        kind="opinion_answer",
        title=_("%(who)s answered on %(title)s")
        % {"who": request.consulted_name, "title": document.title},
        url=_round_url(round),
    )
    return request


@transaction.atomic
def round_urge(*, actor, round: OpinionRound, today: datetime.date | None = None) -> int:
    """Remind everyone who has not answered (once a day at most); returns how many."""
    round = _locked(OpinionRound, round.pk)
    if not scoping.can_manage_document(actor, round.document):
        raise PermissionDenied
    if not round.is_open:
        raise ValidationError(_("This opinion round has ended."), code="round_closed")
    today = _today(today)
    waiting = list(round.requests.filter(answered_at__isnull=True).select_related("unit", "person"))
    if not waiting:
        raise ValidationError(_("Everyone consulted has answered."), code="all_answered")
    now = timezone.now()
    title = _("Reminder: opinions on %(title)s are due %(deadline)s") % {
        "title": round.document.title,
        "deadline": round.deadline,
    }
    urged = []
    for request in waiting:
        sent = notify(
            _answerers(request),
            kind="opinion_urge",
            title=title,
            url=_round_url(round),
            dedupe_key=f"opinion-urge-{request.pk}-{today.isoformat()}",
        )
        # A second urge the same day reminds nobody again, so it is not counted again.
        if sent:
            request.urge_count += 1
            request.last_urged_at = now
            urged.append(request)
    if not urged:
        raise ValidationError(
            _("Everyone who has not answered was already reminded today."), code="urged_today"
        )
    OpinionRequest.objects.bulk_update(urged, ["urge_count", "last_urged_at"])
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=round,
        after={"urged": [r.consulted_name for r in urged]},
        message="urge",
    )
    return len(urged)


@transaction.atomic
def round_close(*, actor, round: OpinionRound) -> OpinionRound:
    """End a round (before its deadline too): the document goes back to revision."""
    round = _locked(OpinionRound, round.pk)
    document = _locked(Document, round.document_id)
    if not scoping.can_manage_document(actor, document):
        raise PermissionDenied
    if not round.is_open:
        raise ValidationError(_("This opinion round has ended."), code="round_closed")
    total = round.requests.count()
    answered = round.requests.filter(answered_at__isnull=False).count()
    round.closed_at = timezone.now()
    round.save(update_fields=["closed_at"])
    _transition(
        document,
        actor,
        DocAction.CLOSE_ROUND,
        _stored(gettext_noop("Round %(number)s ended: %(answered)s of %(total)s answered."))
        % {"number": round.number, "answered": answered, "total": total},
    )
    document.save()
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=round,
        after={"closed": True, "answered": answered, "total": total},
        message="close",
    )
    return round


@transaction.atomic
def opinion_decide(
    *,
    actor,
    opinion: Opinion,
    disposition: str,
    reason: str = "",
    expected_version: int | None = None,
) -> Opinion:
    """Record whether an opinion was adopted (partly or not adopted: with a reason)."""
    opinion = _locked(Opinion, opinion.pk)
    document = opinion.request.round.document
    if not scoping.can_manage_document(actor, document):
        raise PermissionDenied
    check_version(opinion, expected_version)
    if document.stage in (Stage.ISSUED, Stage.REPEALED):
        raise ValidationError(
            _("The document is issued: how its opinions were handled is on record."),
            code="issued",
        )
    errors = FieldErrors()
    reason = reason.strip()
    if disposition not in Disposition.values or disposition == Disposition.PENDING:
        errors.add("disposition", _("Choose adopted, partly adopted or not adopted."), "invalid")
    elif disposition in REASON_DISPOSITIONS and not reason:
        errors.add("reason", _("Say why it was not (fully) adopted."), "reason_required")
    errors.raise_if_any()
    before = audit.snapshot(opinion)
    opinion.disposition = disposition
    opinion.reason = reason
    opinion.decided_by = actor
    opinion.decided_at = timezone.now()
    opinion.version += 1
    opinion.save()
    audit.record_change(actor=actor, instance=opinion, before=before)
    return opinion


# --- meetings -----------------------------------------------------------------------------------


def default_meeting_title(kind: str, year: int, sequence: int) -> str:
    return _("%(year)s %(kind)s no. %(number)s") % {
        "year": year,
        "kind": MeetingKind(kind).label,
        "number": sequence,
    }


@transaction.atomic
def meeting_save(
    *,
    actor,
    data: dict,
    convener: OrgUnit | None = None,
    attendees=None,
    meeting: Meeting | None = None,
    expected_version: int | None = None,
) -> Meeting:
    """Plan a meeting (numbered 第N次 among the year's of its kind) or change its
    details; the kind and the convening unit are fixed once planned."""
    if meeting is None:
        if convener is None or not scoping.can_convene(actor, convener.pk):
            raise PermissionDenied
        meeting = Meeting(convener=convener, created_by=actor, kind=data.get("kind", ""))
        before = None
    else:
        meeting = _locked(Meeting, meeting.pk)
        if not scoping.can_manage_meeting(actor, meeting):
            raise PermissionDenied
        check_version(meeting, expected_version)
        if meeting.status in (MeetingStatus.CLOSED, MeetingStatus.CANCELLED):
            raise ValidationError(
                _("The meeting is %(status)s and no longer changes.")
                % {"status": MeetingStatus(meeting.status).label},
                code="finished",
            )
        before = audit.snapshot(meeting)
        meeting.version += 1
    for field in MEETING_FIELDS:
        if field in data and not (field == "kind" and before is not None):
            setattr(meeting, field, data[field])
    errors = FieldErrors()
    if meeting.starts_at is not None:
        year = timezone.localtime(meeting.starts_at).year
        if before is None:
            meeting.year = year
            meeting.sequence = (
                Meeting.objects.filter(kind=meeting.kind, year=year).aggregate(n=Max("sequence"))[
                    "n"
                ]
                or 0
            ) + 1
        elif year != meeting.year:
            errors.add(
                "starts_at",
                _("The meeting is numbered among %(year)s's: keep it in that year.")
                % {"year": meeting.year},
                "year_changed",
            )
        if meeting.kind in MeetingKind.values and not meeting.title.strip():
            meeting.title = default_meeting_title(meeting.kind, meeting.year, meeting.sequence)
    errors.full_clean(meeting)
    errors.raise_if_any()
    try:
        with transaction.atomic():
            meeting.save()
    except IntegrityError as error:  # another meeting of the kind took the number
        raise ValidationError(
            _("Another meeting was planned at the same moment. Please save again."),
            code="sequence_taken",
        ) from error
    if attendees is not None:
        meeting.attendees.set(attendees)
    attending = sorted(meeting.attendees.values_list("pk", flat=True))
    after = audit.snapshot(meeting) | {"attendees": attending}
    audit.record(
        actor=actor,
        action=AuditAction.CREATE if before is None else AuditAction.UPDATE,
        instance=meeting,
        before=before,
        after=after,
    )
    return meeting


def _check_materials(materials, errors: FieldErrors, refusals: list) -> None:
    for upload in materials:
        try:
            check_upload(upload, allowed=MATERIAL_TYPES)
        except ValidationError as error:
            refusals.append((upload, error))
            errors.add(
                "materials",
                _("%(file)s: %(problem)s") % {"file": upload.name, "problem": error.messages[0]},
                error.code or "invalid",
            )


def topic_submit(
    *,
    actor,
    meeting: Meeting,
    office: OrgUnit,
    data: dict,
    materials=(),
    document: Document | None = None,
    topic: Topic | None = None,
    expected_version: int | None = None,
) -> Topic:
    """Put a topic before a meeting that is collecting topics, or change one not yet
    handled. A document attached goes forward for deliberation."""
    refusals: list = []
    try:
        return _topic_submit(
            actor=actor,
            meeting=meeting,
            office=office,
            data=data,
            materials=materials,
            document=document,
            topic=topic,
            expected_version=expected_version,
            refusals=refusals,
        )
    finally:
        _record_refusals(actor, refusals)


@transaction.atomic
def _topic_submit(
    *, actor, meeting, office, data, materials, document, topic, expected_version, refusals: list
) -> Topic:
    materials = list(materials)
    if topic is None:
        if not scoping.can_submit_topic(actor, office.pk):
            raise PermissionDenied
        meeting = _locked(Meeting, meeting.pk)
        topic = Topic(meeting=meeting, office=office, submitted_by=actor)
        before = None
    else:
        topic = _locked(Topic, topic.pk)
        if not scoping.can_submit_topic(actor, topic.office_id):
            raise PermissionDenied
        check_version(topic, expected_version)
        if topic.status != TopicStatus.SUBMITTED:
            raise ValidationError(
                _("The topic is %(status)s: it can no longer change.")
                % {"status": TopicStatus(topic.status).label},
                code="handled",
            )
        meeting = topic.meeting
        before = audit.snapshot(topic)
        topic.version += 1
    errors = FieldErrors()
    if meeting.status != MeetingStatus.PLANNED:
        errors.add(
            None,
            _("%(meeting)s is no longer collecting topics: submit it to a later meeting.")
            % {"meeting": meeting.title},
            "agenda_fixed",
        )
    for field in TOPIC_FIELDS:
        if field in data:
            setattr(topic, field, data[field])
    if topic.presenter_id is not None and topic.presenter_id not in _staff_ids(topic.office_id):
        errors.add(
            "presenter",
            _("%(name)s holds no position in %(office)s.")
            % {"name": topic.presenter.get_full_name(), "office": topic.office},
            "not_office_staff",
        )
    if document is not None:
        if document.office_id != topic.office_id:
            errors.add("document", _("The document is another office's."), "other_office")
        elif document.stage not in WRITING_STAGES | {Stage.DELIBERATING}:
            errors.add(
                "document",
                _("%(title)s is at the stage %(stage)s and cannot go before a meeting.")
                % {"title": document.title, "stage": Stage(document.stage).label},
                "bad_stage",
            )
        topic.document = document
    errors.full_clean(topic)
    _check_materials(materials, errors, refusals)
    errors.raise_if_any()
    topic.save()
    stored = [store_upload(upload, user=actor, allowed=MATERIAL_TYPES) for upload in materials]
    if stored:
        topic.materials.add(*stored)
    if document is not None and document.stage != Stage.DELIBERATING:
        locked = _locked(Document, document.pk)
        if _open_round(locked) is not None:
            raise ValidationError(
                {"document": _("An opinion round is still open on this document: end it first.")}
            )
        _transition(locked, actor, DocAction.SUBMIT, meeting.title)
        locked.save()
    after = audit.snapshot(topic) | {"materials": [s.sha256 for s in stored]}
    audit.record(
        actor=actor,
        action=AuditAction.CREATE if before is None else AuditAction.UPDATE,
        instance=topic,
        before=before,
        after=after,
    )
    if before is None:
        notify(
            _meeting_managers(meeting),
            kind="topic_submitted",
            title=_("New topic for %(meeting)s: %(title)s")
            % {"meeting": meeting.title, "title": topic.title},
            url=topic.get_absolute_url(),
        )
    return topic


def _meeting_managers(meeting: Meeting) -> list:
    """Who hears of a new topic: the convening office's staff; for the bureau's own
    meetings its leaders and the liaison who keeps its meetings (see scoping.can_convene)."""
    if meeting.convener.kind == UnitKind.OFFICE:
        return office_staff_users(meeting.convener_id)
    holders = RoleAssignment.objects.filter(
        Q(role=Role.LEADER) | Q(role=Role.DEPARTMENT_LIAISON, unit_id=meeting.convener_id)
    )
    return [ra.user for ra in holders.select_related("user").order_by("pk")]


def _release_documents(actor, topics, comment: str) -> None:
    """Send back for revision the documents under deliberation that `topics` (taken off
    an agenda) were bringing before a meeting, unless another topic still does."""
    live = [TopicStatus.SUBMITTED, TopicStatus.ON_AGENDA]
    for document_id in {t.document_id for t in topics if t.document_id}:
        if Topic.objects.filter(document_id=document_id, status__in=live).exists():
            continue
        document = _locked(Document, document_id)
        if document.stage == Stage.DELIBERATING:
            _transition(document, actor, DocAction.SEND_BACK, comment, on_behalf=True)
            document.save()


def _topic_move(topic: Topic, action: str) -> str:
    target = TOPIC_TRANSITIONS.get((topic.status, action))
    if target is None or topic.meeting.status not in target[1]:
        raise ValidationError(
            _("This cannot be done to a topic that is %(status)s while the meeting is %(meeting)s.")
            % {
                "status": TopicStatus(topic.status).label,
                "meeting": MeetingStatus(topic.meeting.status).label,
            },
            code="bad_state",
        )
    return target[0]


@transaction.atomic
def topic_act(
    *,
    actor,
    topic: Topic,
    action: str,
    reason: str = "",
    to_meeting: Meeting | None = None,
) -> Topic:
    """Put a topic on the agenda (approve), defer it (to a later meeting or for now), or
    withdraw it (its office)."""
    topic = _locked(Topic, topic.pk)
    meeting = topic.meeting
    if action == "withdraw":
        allowed = scoping.can_submit_topic(actor, topic.office_id)
    elif action in ("approve", "defer"):
        allowed = scoping.can_manage_meeting(actor, meeting)
    else:
        raise ValidationError(_("Unknown action."), code="bad_action")
    if not allowed:
        raise PermissionDenied
    new_status = _topic_move(topic, action)
    reason = reason.strip()
    if action == "defer":
        errors = FieldErrors()
        if not reason:
            errors.add("reason", _("Please give a reason."), "reason_required")
        if to_meeting is not None and (
            to_meeting.pk == meeting.pk or to_meeting.status != MeetingStatus.PLANNED
        ):
            errors.add(
                "to_meeting",
                _("Defer to another meeting that is collecting topics."),
                "bad_meeting",
            )
        errors.raise_if_any()
    before = audit.snapshot(topic)
    topic.status = new_status
    if action == "approve":
        topic.position = (
            meeting.topics.filter(status=TopicStatus.ON_AGENDA).aggregate(n=Max("position"))["n"]
            or 0
        ) + 1
    if action == "defer":
        topic.defer_reason = reason
        topic.times_deferred += 1
        topic.position = 0
        if to_meeting is not None:
            topic.meeting = to_meeting
            topic.status = TopicStatus.SUBMITTED
    topic.version += 1
    topic.save()
    audit.record_change(actor=actor, instance=topic, before=before)
    if topic.status in (TopicStatus.DEFERRED, TopicStatus.WITHDRAWN):
        _release_documents(actor, [topic], reason or TopicStatus(topic.status).label)
    if action == "defer":
        notify(
            office_staff_users(topic.office_id),
            kind="topic_deferred",
            title=_("Topic deferred: %(title)s") % {"title": topic.title},
            body=reason,
            url=topic.get_absolute_url(),
        )
    return topic


@transaction.atomic
def meeting_act(*, actor, meeting: Meeting, action: str, reason: str = "") -> Meeting:
    """Fix or reopen the agenda, mark the meeting held, issue its minutes, or cancel it."""
    meeting = _locked(Meeting, meeting.pk)
    if not scoping.can_manage_meeting(actor, meeting):
        raise PermissionDenied
    new_status = MEETING_TRANSITIONS.get((meeting.status, action))
    if new_status is None:
        raise ValidationError(
            _("This cannot be done while the meeting is %(status)s.")
            % {"status": MeetingStatus(meeting.status).label},
            code="bad_state",
        )
    reason = reason.strip()
    if action in MEETING_REASON_REQUIRED and not reason:
        # The code on the field's error: a dict's code would be dropped.
        raise ValidationError(
            {"reason": ValidationError(_("Please give a reason."), code="reason_required")}
        )
    topics = meeting.topics.all()
    if action == MeetingAction.FIX_AGENDA:
        waiting = list(topics.filter(status=TopicStatus.SUBMITTED).values_list("title", flat=True))
        if waiting:
            raise ValidationError(
                _("Put these topics on the agenda or defer them first: %(titles)s.")
                % {"titles": "、".join(waiting)},
                code="topics_waiting",
            )
        if not topics.filter(status=TopicStatus.ON_AGENDA).exists():
            raise ValidationError(
                _("The meeting has no topic on its agenda: put at least one on it first."),
                code="no_topics",
            )
    if action == MeetingAction.CLOSE:
        undecided = list(
            topics.filter(status=TopicStatus.ON_AGENDA).values_list("title", flat=True)
        )
        if undecided:
            raise ValidationError(
                _("Record the decision on these topics first: %(titles)s.")
                % {"titles": "、".join(undecided)},
                code="undecided",
            )
    before = audit.snapshot(meeting)
    if action == MeetingAction.CANCEL:
        meeting.cancel_reason = reason
        open_topics = topics.filter(status__in=[TopicStatus.SUBMITTED, TopicStatus.ON_AGENDA])
        released = list(open_topics)
        open_topics.update(
            status=TopicStatus.DEFERRED,
            defer_reason=reason,
            position=0,
            times_deferred=F("times_deferred") + 1,
            version=F("version") + 1,
        )
        _release_documents(actor, released, reason)
    meeting.status = new_status
    meeting.version += 1
    meeting.save()
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=meeting,
        before=before,
        after=audit.snapshot(meeting),
        message=action,
    )
    return meeting


@transaction.atomic
def topic_decide(
    *,
    actor,
    topic: Topic,
    outcome: str,
    decision: str,
    expected_version: int | None = None,
) -> Topic:
    """Record the meeting's decision on a topic (the minutes). A document before the
    meeting is approved by it, or goes back for revision."""
    topic = _locked(Topic, topic.pk)
    meeting = topic.meeting
    if not scoping.can_manage_meeting(actor, meeting):
        raise PermissionDenied
    check_version(topic, expected_version)
    new_status = _topic_move(topic, "decide")
    errors = FieldErrors()
    if outcome not in Outcome.values:
        errors.add("outcome", _("Choose the outcome."), "invalid")
    if not decision.strip():
        errors.add("decision", _("Write down what the meeting decided."), "required")
    errors.raise_if_any()
    before = audit.snapshot(topic)
    topic.status = new_status
    topic.outcome = outcome
    topic.decision = decision.strip()
    topic.decided_at = timezone.now()
    topic.version += 1
    topic.save()
    audit.record_change(actor=actor, instance=topic, before=before)
    document = topic.document
    # A report heard (NOTED) decides nothing about the document: it stays before the meeting.
    document_action = OUTCOME_DOCUMENT_ACTION.get(outcome)
    if document is not None and document.stage == Stage.DELIBERATING and document_action:
        document = _locked(Document, document.pk)
        doc_before = audit.snapshot(document)
        _transition(document, actor, document_action, topic.decision, on_behalf=True)
        if document.stage == Stage.APPROVED:
            document.deliberation = meeting.title
            document.approved_on = timezone.localdate(meeting.starts_at)
        document.save()
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            instance=document,
            before=doc_before,
            after=audit.snapshot(document),
            message=f"meeting {meeting.pk}",
        )
    return topic


def decisions_list(office: OrgUnit, year: int, actor) -> TaskList:
    """The office's task list of the year's meeting decisions (created when needed)."""
    # Named in the site's language, whoever asks first: one list, found again by its title.
    with translation.override(settings.LANGUAGE_CODE):
        title = _("%(year)s meeting decisions") % {"year": year}
        source = _("Meeting minutes")
    found = TaskList.objects.filter(office=office, year=year, title=title).first()
    return found or task_services.tasklist_create(
        actor=actor, office=office, title=title, year=year, source_document=source
    )


@transaction.atomic
def decision_task_create(
    *,
    actor,
    topic: Topic,
    content: str,
    lead_unit: OrgUnit | None,
    due_date: datetime.date | None,
    cooperating_units=(),
    responsible_leader: str = "",
    assign: bool = True,
) -> Task:
    """Turn a decision into a task of the office's meeting-decisions list, assigned at
    once by default; the task links back to the topic."""
    topic = _locked(Topic, topic.pk)
    if not scoping.can_follow_up(actor, topic):
        raise PermissionDenied
    if topic.status != TopicStatus.DECIDED or topic.outcome not in TASK_OUTCOMES:
        raise ValidationError(
            _("Tasks follow a decision the meeting has taken (approved or heard)."),
            code="not_decided",
        )
    errors = FieldErrors()
    if not content.strip():
        errors.add("content", _("Say what is to be done."), "required")
    if lead_unit is None:
        errors.add("lead_unit", _("Choose who does it."), "required")
    if due_date is None:
        errors.add("due_date", _("Give a due date."), "required")
    errors.raise_if_any()
    meeting = topic.meeting
    task = task_services.task_create(
        actor=actor,
        task_list=decisions_list(topic.office, meeting.year, actor),
        cooperating_units=cooperating_units,
        content=content.strip(),
        lead_unit=lead_unit,
        due_date=due_date,
        start_date=timezone.localdate(meeting.starts_at),
        responsible_leader=responsible_leader.strip(),
        remarks=_stored(gettext_noop("Decided at %(meeting)s on the topic %(topic)s."))
        % {"meeting": meeting.title, "topic": topic.title},
        event_comment=meeting.title,
    )
    link = TopicTask.objects.create(topic=topic, task=task, created_by=actor)
    if assign:
        task = task_services.task_act(actor=actor, task=task, action=TaskAction.ASSIGN)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        instance=link,
        after={"topic": topic.pk, "task": task.pk, "meeting": meeting.pk},
    )
    return task
