"""/api/v1/documents: policy documents with their versions and opinion rounds, the answers
to a round, meetings with their agenda topics, and the topics counted per office —
read-only, through the same scoping, access helpers and selectors as the screens.

Writing stays on the screens: drafts are uploaded as .docx, opinions are answered and
handled, topics are submitted and decided there. A county's or department's people read
the issued documents and those they are consulted on (the versions put to them, their own
answers); meetings are the bureau's.
"""

import datetime
import operator
from enum import StrEnum
from functools import reduce

from django.db.models import Count, Q
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from zhuanban.core.api_schemas import MAX_ID, READ_ERRORS, ErrorOut, PersonOut, UnitRef
from zhuanban.core.pagination import BoundedLimitOffset
from zhuanban.documents import selectors
from zhuanban.documents.access import (
    get_document_for_user,
    get_meeting_for_user,
    get_round_for_user,
)
from zhuanban.documents.lifecycle import MeetingStatus, Outcome, Stage, TopicStatus
from zhuanban.documents.models import Disposition, Document, Kind, MeetingKind, OpinionRound
from zhuanban.documents.scoping import visible_requests, visible_rounds, visible_versions
from zhuanban.org.access import require_business_data
from zhuanban.tasks.scoping import visible_tasks

router = Router(tags=["documents"])

# The lists refuse the three administrators (403) like the other routers; what a caller
# may not see is a 404.
ERRORS = {**READ_ERRORS, 403: ErrorOut}
YEAR = {"ge": 2000, "le": 2100}
# The schema names an enum after its class, and `Kind` is too plain a name to keep for
# this app alone: the same values under a name of their own.
DocumentKind = StrEnum("DocumentKind", {kind.name: kind.value for kind in Kind})


class ChainRef(Schema):
    id: int
    code: str
    name: str


# --- documents ---------------------------------------------------------------------------------


class DocumentOut(Schema):
    id: int
    title: str
    kind: DocumentKind
    kind_label: str
    office: UnitRef = Field(description="The drafting office")
    lead_author: PersonOut
    pen_holder: PersonOut = Field(description="Who holds the pen now (执笔人)")
    chain: ChainRef | None = Field(description="The industry chain the document serves")
    key_work: str
    is_living: bool = Field(description="Revised in place once issued (a handbook, rules)")
    stage: Stage
    stage_label: str
    deliberation: str = Field(description="The meeting that deliberated it")
    approved_on: datetime.date | None
    issuing_authority: str
    issue_number: str = Field(description="文号, once issued")
    issued_on: datetime.date | None
    revised_on: datetime.date | None
    repealed_on: datetime.date | None
    updated_at: datetime.datetime
    url: str = Field(description="The document's page")

    @staticmethod
    def resolve_kind_label(document) -> str:
        return str(document.get_kind_display())

    @staticmethod
    def resolve_stage_label(document) -> str:
        return str(document.get_stage_display())

    @staticmethod
    def resolve_url(document) -> str:
        return document.get_absolute_url()


class DocumentListOut(DocumentOut):
    latest_version: int | None = Field(description="The newest version's number")
    open_round_deadline: datetime.date | None = Field(
        description="When the open opinion round's answers are due (none open: null)"
    )


class DocumentVersionOut(Schema):
    number: int
    label: str
    has_file: bool = Field(description="Uploaded as a .docx (else written in the app)")
    file_url: str | None = Field(description="The screen's download (signed-in session)")
    created_at: datetime.datetime
    issued_at: datetime.datetime | None = Field(description="Issued versions never change")
    change_note: str


class DocumentRoundOut(Schema):
    id: int
    number: int
    version: int = Field(description="The number of the version consulted on")
    deadline: datetime.date
    open: bool
    opened_at: datetime.datetime
    closed_at: datetime.datetime | None
    answered: int = Field(description="Answers in, of those the caller may see")
    total: int = Field(description="Parties consulted, of those the caller may see")


class DocumentDetailOut(DocumentOut):
    summary: str
    versions: list[DocumentVersionOut] = Field(description="The versions the caller may read")
    rounds: list[DocumentRoundOut] = Field(description="The opinion rounds the caller may see")

    # Prepared by get_document, within the caller's scope.
    @staticmethod
    def resolve_versions(document) -> list[dict]:
        return document.versions_out

    @staticmethod
    def resolve_rounds(document) -> list[dict]:
        return document.rounds_out


class DocumentQuery(Schema):
    kind: DocumentKind | None = None
    stage: Stage | None = None
    office: int | None = Field(None, ge=1, le=MAX_ID, description="Drafting office")


@router.get("", response={200: list[DocumentListOut], **ERRORS})
@paginate(BoundedLimitOffset)
def list_documents(request: HttpRequest, filters: Query[DocumentQuery]):
    """Policy documents the caller may see, last changed first: the bureau sees all of
    them; a county's or department's people the issued ones and those they are consulted
    on. Read-only: documents are drafted, consulted on and issued on the screens."""
    require_business_data(request.user)
    documents = selectors.document_list(request.user).select_related("lead_author")
    if filters.kind:
        documents = documents.filter(kind=filters.kind)
    if filters.stage:
        documents = documents.filter(stage=filters.stage)
    if filters.office is not None:
        documents = documents.filter(office_id=filters.office)
    return documents.order_by("-updated_at", "-pk")


def _versions(user, document: Document) -> list[dict]:
    return [
        {
            "number": version.number,
            "label": version.label,
            "has_file": version.file_id is not None,
            "file_url": (
                reverse("documents:version_download", args=[version.pk])
                if version.file_id
                else None
            ),
            "created_at": version.created_at,
            "issued_at": version.issued_at,
            "change_note": version.change_note,
        }
        for version in visible_versions(user, document).defer("text").order_by("number")
    ]


def _rounds(user, document: Document) -> list[dict]:
    """The visible rounds with their answers counted among the visible requests: the
    requests of every round in one query (each round's visible requests, OR-ed)."""
    rounds = list(
        visible_rounds(user, document)
        .select_related("draft")
        .defer("draft__text")
        .order_by("number")
    )
    counts = {}
    if rounds:
        requests = reduce(operator.or_, (visible_requests(user, r) for r in rounds))
        counts = {
            row["round_id"]: row
            for row in requests.order_by()
            .values("round_id")
            .annotate(total=Count("pk"), answered=Count("pk", filter=Q(answered_at__isnull=False)))
        }
    return [
        {
            "id": round.pk,
            "number": round.number,
            "version": round.draft.number,
            "deadline": round.deadline,
            "open": round.is_open,
            "opened_at": round.opened_at,
            "closed_at": round.closed_at,
            "answered": counts.get(round.pk, {}).get("answered", 0),
            "total": counts.get(round.pk, {}).get("total", 0),
        }
        for round in rounds
    ]


# --- meetings ----------------------------------------------------------------------------------


class MeetingOut(Schema):
    id: int
    kind: MeetingKind
    kind_label: str
    year: int
    sequence: int = Field(description="Its number among the year's meetings of its kind")
    title: str
    starts_at: datetime.datetime
    place: str
    convener: UnitRef
    chair: PersonOut | None
    status: MeetingStatus
    status_label: str
    topic_deadline: datetime.date | None = Field(description="Topics due by")
    topic_count: int = Field(description="Topics submitted (not withdrawn)")
    agenda_count: int = Field(description="Topics on the agenda or decided")
    url: str = Field(description="The meeting's page")

    @staticmethod
    def resolve_kind_label(meeting) -> str:
        return str(meeting.get_kind_display())

    @staticmethod
    def resolve_status_label(meeting) -> str:
        return str(meeting.get_status_display())

    @staticmethod
    def resolve_url(meeting) -> str:
        return meeting.get_absolute_url()


class MeetingTopicOut(Schema):
    id: int
    title: str
    office: UnitRef = Field(description="The submitting office")
    presenter: PersonOut | None
    position: int = Field(description="Order on the agenda (0: not on it)")
    status: TopicStatus
    status_label: str
    times_deferred: int
    defer_reason: str
    outcome: Outcome | None
    outcome_label: str
    decision: str
    document_id: int | None = Field(description="The document put for deliberation")
    task_ids: list[int] = Field(
        description="Tasks created from the decision that the caller may see (/api/v1/tasks)"
    )

    @staticmethod
    def resolve_status_label(topic) -> str:
        return str(topic.get_status_display())

    @staticmethod
    def resolve_outcome(topic) -> str | None:
        return topic.outcome or None

    @staticmethod
    def resolve_outcome_label(topic) -> str:
        return str(topic.get_outcome_display()) if topic.outcome else ""


class MeetingDetailOut(MeetingOut):
    attendees: list[PersonOut]
    attendees_text: str = Field(description="Also attending (列席)")
    minutes_number: str
    minutes_summary: str
    cancel_reason: str
    topics: list[MeetingTopicOut] = Field(description="The agenda in order, then the others")

    @staticmethod
    def resolve_attendees(meeting) -> list:
        return list(meeting.attendees.order_by("pk"))

    @staticmethod
    def resolve_topics(meeting) -> list:
        return meeting.topics_out  # prepared by get_meeting, with the visible task ids


class MeetingQuery(Schema):
    year: int | None = Field(None, **YEAR)
    kind: MeetingKind | None = None
    status: MeetingStatus | None = None


class TopicCountQuery(Schema):
    year: int | None = Field(None, **YEAR, description="This year if none")


class TopicCountOut(Schema):
    office: UnitRef
    submitted: int = Field(description="Topics put before the year's meetings (提交议题)")
    on_agenda: int = Field(description="Put on an agenda (or decided)")
    decided: int
    deferred: int = Field(description="Deferred at least once")
    tasks: int = Field(description="Tasks created from the decisions")


@router.get("/topic-counts", response={200: list[TopicCountOut], **ERRORS})
def topic_counts(request: HttpRequest, query: Query[TopicCountQuery]):
    """Agenda topics per office in a year (常态化提交专办议题): submitted, put on an agenda,
    decided, deferred at least once, and tasks created from the decisions. The bureau's
    figures: others get an empty list."""
    require_business_data(request.user)
    year = query.year or timezone.localdate().year
    return [
        {
            "office": office,
            "submitted": office.submitted,
            "on_agenda": office.on_agenda,
            "decided": office.decided,
            "deferred": office.deferred,
            "tasks": office.tasks,
        }
        for office in selectors.topic_counts(request.user, year)
    ]


@router.get("/meetings", response={200: list[MeetingOut], **ERRORS})
@paginate(BoundedLimitOffset)
def list_meetings(request: HttpRequest, filters: Query[MeetingQuery]):
    """Meetings (党组会, 局务会, 局长办公会 …), latest first, with their topics counted.
    Meetings are the bureau's: others get an empty list. Read-only: meetings are planned,
    topics submitted and decided on the screens."""
    require_business_data(request.user)
    meetings = selectors.meeting_list(request.user)
    if filters.year is not None:
        meetings = meetings.filter(year=filters.year)
    if filters.kind:
        meetings = meetings.filter(kind=filters.kind)
    if filters.status:
        meetings = meetings.filter(status=filters.status)
    return meetings.order_by("-starts_at", "-pk")


@router.get("/meetings/{meeting_id}", response={200: MeetingDetailOut, **ERRORS})
def get_meeting(request: HttpRequest, meeting_id: int):
    """One meeting with its attendees, minutes and topics: each topic's office, status,
    outcome and decision, and the tasks its decision became. Read-only."""
    meeting = get_meeting_for_user(request.user, meeting_id)
    counts = (
        selectors.meeting_list(request.user)
        .filter(pk=meeting.pk)
        .values("topic_count", "agenda_count")
        .get()
    )
    meeting.topic_count = counts["topic_count"]
    meeting.agenda_count = counts["agenda_count"]
    tasks: dict[int, list[int]] = {}
    for task_id, topic_id in (
        visible_tasks(request.user)
        .filter(meeting_link__topic__meeting=meeting)
        .order_by("meeting_link__pk")
        .values_list("pk", "meeting_link__topic_id")
    ):
        tasks.setdefault(topic_id, []).append(task_id)
    meeting.topics_out = list(selectors.agenda(meeting).prefetch_related(None))
    for topic in meeting.topics_out:
        topic.task_ids = tasks.get(topic.pk, [])
    return meeting


# --- opinion rounds ----------------------------------------------------------------------------


class OpinionOut(Schema):
    id: int
    position: int
    clause: str = Field(description="Where in the text (part 2, measure 5)")
    text: str
    disposition: Disposition
    disposition_label: str
    reason: str = Field(description="Why partly or not adopted")
    decided_at: datetime.datetime | None

    @staticmethod
    def resolve_clause(opinion) -> str:
        return opinion.location

    @staticmethod
    def resolve_disposition_label(opinion) -> str:
        return str(opinion.get_disposition_display())


class OpinionRequestOut(Schema):
    id: int
    consulted: str = Field(description="The unit's or the leader's name")
    unit: UnitRef | None
    person: PersonOut | None = Field(description="A leader consulted in person")
    answered: bool
    answered_at: datetime.datetime | None
    late: bool = Field(description="Answered after the deadline (taken all the same)")
    no_opinion: bool = Field(description="Answered 无意见")
    urge_count: int
    opinions: list[OpinionOut]

    @staticmethod
    def resolve_consulted(request) -> str:
        return request.consulted_name

    @staticmethod
    def resolve_late(request) -> bool:
        return request.is_late

    @staticmethod
    def resolve_opinions(request) -> list:
        return list(request.opinions.all())


class DocumentRef(Schema):
    id: int
    title: str
    stage: Stage


class OpinionRoundOut(Schema):
    id: int
    document: DocumentRef
    number: int
    version: int = Field(description="The number of the version consulted on")
    version_label: str
    deadline: datetime.date
    letter: str = Field(description="What the consulted are asked to look at")
    open: bool
    opened_at: datetime.datetime
    closed_at: datetime.datetime | None
    answered: int = Field(description="Answers in, of those the caller may see")
    total: int = Field(description="Parties consulted, of those the caller may see")
    requests: list[OpinionRequestOut] = Field(
        description="The bureau reads every answer; a consulted unit or leader its own"
    )


@router.get("/rounds/{opinion_round_id}", response={200: OpinionRoundOut, **ERRORS})
def get_round(request: HttpRequest, opinion_round_id: int):
    """One opinion round (征求意见) with the answers the caller may read: who was
    consulted, who has answered (late or not, 无意见 or opinions), and how each opinion
    was handled (adopted, partly adopted, not adopted, with the reason). Read-only:
    answers are given and handled on the screens."""
    round: OpinionRound = get_round_for_user(request.user, opinion_round_id)
    requests = list(
        visible_requests(request.user, round)
        .select_related("unit", "person")
        .prefetch_related("opinions")
        .order_by("pk")
    )
    document = round.document
    return {
        "id": round.pk,
        "document": {"id": document.pk, "title": document.title, "stage": document.stage},
        "number": round.number,
        "version": round.draft.number,
        "version_label": round.draft.label,
        "deadline": round.deadline,
        "letter": round.letter,
        "open": round.is_open,
        "opened_at": round.opened_at,
        "closed_at": round.closed_at,
        "answered": sum(r.answered for r in requests),
        "total": len(requests),
        "requests": requests,
    }


# Registered after the fixed paths above, so that /meetings is never read as an id.
@router.get("/{document_id}", response={200: DocumentDetailOut, **ERRORS})
def get_document(request: HttpRequest, document_id: int):
    """One document: its stage and who holds the pen, its issue (number, date, issuing
    authority) and deliberation, the versions the caller may read (not their text: see
    /versions/{version_number}/text) and the opinion rounds they may see with the answers
    counted."""
    document = get_document_for_user(request.user, document_id)
    document.versions_out = _versions(request.user, document)
    document.rounds_out = _rounds(request.user, document)
    return document


class DocumentTextOut(Schema):
    document_id: int
    number: int
    label: str
    issued_at: datetime.datetime | None
    text: str = Field(description="Extracted from the .docx, or written in the app")


@router.get(
    "/{document_id}/versions/{version_number}/text", response={200: DocumentTextOut, **ERRORS}
)
def get_version_text(request: HttpRequest, document_id: int, version_number: int):
    """The text of one version the caller may read (the bureau: every version; the
    consulted: the one put to them; everyone: the issued ones)."""
    document = get_document_for_user(request.user, document_id)
    version = (
        visible_versions(request.user, document)
        .filter(number=version_number)
        .only("number", "label", "issued_at", "text", "document_id")
        .first()
    )
    if version is None:
        raise Http404
    return {
        "document_id": document.pk,
        "number": version.number,
        "label": version.label,
        "issued_at": version.issued_at,
        "text": version.text,
    }
