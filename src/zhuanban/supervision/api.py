"""/api/v1/supervision: inspection groups, visits with their findings, the visits counted
per county and month, and supervision notices — read-only, through the same scoping,
access helpers and selectors as the screens.

Writing stays on the screens: visits are recorded on a phone with their photos, notices
are drafted, reviewed and issued as official documents there. The rectification items
that findings and notices raise are answered and verified through /api/v1/rectifications.
"""

import datetime

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from zhuanban.core.api_schemas import ERRORS, MAX_ID, FileOut, PersonOut, UnitRef
from zhuanban.core.pagination import BoundedLimitOffset
from zhuanban.org.access import require_business_data
from zhuanban.rectification.lifecycle import PENDING_STATES
from zhuanban.supervision import notice_selectors, selectors
from zhuanban.supervision.access import get_notice_for_user, get_visit_for_user
from zhuanban.supervision.lifecycle import NoticeStatus
from zhuanban.supervision.models import (
    FindingKind,
    Notice,
    NoticeKind,
    ReasonKind,
    Visit,
    VisitKind,
    VisitStatus,
)
from zhuanban.tasks.scoping import visible_tasks

router = Router(tags=["supervision"])

YEAR = {"ge": 2000, "le": 2100}


# --- groups ------------------------------------------------------------------------------


class InspectionGroupRef(Schema):
    id: int
    name: str


class InspectionGroupOut(Schema):
    id: int
    name: str
    year: int
    office: UnitRef = Field(description="The organising office")
    leader: PersonOut
    members: list[PersonOut]
    counties: list[UnitRef]
    topics: str
    starts_on: datetime.date
    ends_on: datetime.date
    visits_planned: int
    visits_done: int
    finding_count: int
    open_rectifications: int = Field(description="Items the units still have to act on")

    @staticmethod
    def resolve_members(group) -> list:
        return list(group.members.all())

    @staticmethod
    def resolve_counties(group) -> list:
        return list(group.counties.all())


class InspectionGroupQuery(Schema):
    year: int | None = Field(None, **YEAR)


@router.get("/groups", response={200: list[InspectionGroupOut], **ERRORS})
@paginate(BoundedLimitOffset)
def list_groups(request: HttpRequest, filters: Query[InspectionGroupQuery]):
    """Inspection groups (督导检查组) the caller may see — a county's people see the groups
    covering their county — with their visits, findings and open rectifications counted
    within the caller's scope, latest year first. Read-only: groups are set up on the
    screens."""
    require_business_data(request.user)
    return selectors.group_list(request.user, filters.year).prefetch_related("members")


# --- visits ------------------------------------------------------------------------------


class VisitOut(Schema):
    id: int
    kind: VisitKind
    status: VisitStatus
    date: datetime.date
    place: str
    county: UnitRef | None
    office: UnitRef = Field(description="The organising office")
    group: InspectionGroupRef | None
    topics: str
    summary: str
    finding_count: int
    open_rectifications: int = Field(description="Items the units still have to act on")


class TaskRef(Schema):
    id: int
    task_list_id: int
    number: str
    content: str

    @staticmethod
    def resolve_number(task) -> str:
        return task.full_number("decimal")


class FindingOut(Schema):
    id: int
    kind: FindingKind
    text: str
    unit: UnitRef | None = Field(description="The unit concerned")
    recorded_at: datetime.datetime
    photos: list[FileOut]
    rectification_ids: list[int] = Field(
        description="The finding's rectification items the caller may see "
        "(/api/v1/rectifications/{id})"
    )


class VisitDetailOut(VisitOut):
    participants: list[PersonOut]
    other_participants: str
    tasks: list[TaskRef] = Field(description="The tasks checked that the caller may see")
    report_text: str
    report_file: FileOut | None
    photos: list[FileOut]
    findings: list[FindingOut]

    # Prepared by get_visit (files with their URLs, tasks and findings within scope).
    @staticmethod
    def resolve_participants(visit) -> list:
        return visit.participants_out

    @staticmethod
    def resolve_tasks(visit) -> list:
        return visit.tasks_out

    @staticmethod
    def resolve_report_file(visit) -> dict | None:
        return visit.report_out

    @staticmethod
    def resolve_photos(visit) -> list[dict]:
        return visit.photos_out

    @staticmethod
    def resolve_findings(visit) -> list[dict]:
        return visit.findings_out


class VisitQuery(Schema):
    kind: VisitKind | None = None
    status: VisitStatus | None = None
    county: int | None = Field(None, ge=1, le=MAX_ID)
    group: int | None = Field(None, ge=1, le=MAX_ID, description="Inspection group")
    office: int | None = Field(None, ge=1, le=MAX_ID, description="Organising office")
    year: int | None = Field(None, **YEAR)
    month: int | None = Field(None, ge=1, le=12, description="Of `year` (this year if none)")


class CountsRowOut(Schema):
    county: UnitRef | None = Field(description="None: visits to no county (city forums)")
    cells: list[int] = Field(description="Visits in each month, January first")
    total: int


class VisitCountsOut(Schema):
    year: int
    months: list[int]
    rows: list[CountsRowOut]
    month_totals: list[int]
    total: int


class VisitCountsQuery(Schema):
    year: int | None = Field(None, **YEAR, description="This year if none")


def _visit_filters(query: VisitQuery) -> selectors.VisitFilters:
    year = query.year
    month = None
    if query.month is not None:
        year = year or timezone.localdate().year
        month = datetime.date(year, query.month, 1)
    return selectors.VisitFilters(
        kind=query.kind or "",
        status=query.status or "",
        county=query.county,
        group=query.group,
        office=query.office,
        month=month,
        year=year,
    )


@router.get("/visits", response={200: list[VisitOut], **ERRORS})
@paginate(BoundedLimitOffset)
def list_visits(request: HttpRequest, filters: Query[VisitQuery]):
    """Supervisory visits and field research the caller may see, latest first, with their
    findings and open rectifications counted. A county's people see the visits carried out
    in their county (never one planned, above all an unannounced one). Read-only: visits
    are recorded on the screens."""
    require_business_data(request.user)
    return selectors.visit_list(request.user, _visit_filters(filters))


@router.get("/visits/counts", response={200: VisitCountsOut, **ERRORS})
def visit_counts(request: HttpRequest, query: Query[VisitCountsQuery]):
    """Visits carried out in a year, county × month ("督导调研 60 多次"); a county's people
    read their own row."""
    require_business_data(request.user)
    grid = selectors.visit_counts(request.user, query.year or timezone.localdate().year)
    return {
        "year": grid.year,
        "months": list(grid.months),
        "rows": grid.rows,
        "month_totals": grid.month_totals,
        "total": grid.total,
    }


def _visit_file(visit: Visit, stored) -> dict:
    """A photo or report of the visit, with the screen's download that checks access."""
    return {
        "id": stored.pk,
        "name": stored.name,
        "size": stored.size,
        "url": reverse("supervision:visit_file", args=[visit.pk, stored.pk]),
    }


@router.get("/visits/{visit_id}", response={200: VisitDetailOut, **ERRORS})
def get_visit(request: HttpRequest, visit_id: int):
    """One visit with its participants, the tasks checked, its photos and research report,
    and its findings with the rectification items they raised. Read-only: findings, photos
    and reports are written on the visit's page (on a phone, on site)."""
    visit = get_visit_for_user(request.user, visit_id)
    findings = list(selectors.findings_of(request.user, Visit.objects.filter(pk=visit.pk)))
    visit.finding_count = len(findings)
    visit.open_rectifications = sum(
        1 for f in findings for i in f.visible_rectifications if i.status in PENDING_STATES
    )
    visit.participants_out = list(visit.participants.all())
    visit.tasks_out = list(
        visit.tasks.filter(pk__in=visible_tasks(request.user).values("pk")).select_related(
            "task_list"
        )
    )
    visit.photos_out = [_visit_file(visit, f) for f in visit.photos.all()]
    visit.report_out = _visit_file(visit, visit.report_file) if visit.report_file else None
    visit.findings_out = [
        {
            "id": finding.pk,
            "kind": finding.kind,
            "text": finding.text,
            "unit": finding.unit,
            "recorded_at": finding.recorded_at,
            "photos": [_visit_file(visit, f) for f in finding.photos.all()],
            "rectification_ids": [i.pk for i in finding.visible_rectifications],
        }
        for finding in findings
    ]
    return visit


# --- notices -----------------------------------------------------------------------------


class AuthorityRef(Schema):
    id: int
    name: str
    number_prefix: str


class NoticeOut(Schema):
    id: int
    number: str = Field(description="发文字号 once issued (乌农牧督〔2023〕11号); empty if a draft")
    kind: NoticeKind
    status: NoticeStatus
    title: str
    authority: AuthorityRef
    office: UnitRef = Field(description="The drafting office")
    year: int | None
    sequence: int | None
    issue_date: datetime.date | None
    reply_deadline: datetime.date | None
    units: list[UnitRef] = Field(description="The units concerned")
    recipients_total: int
    recipients_replied: int
    rectifications_open: int = Field(description="Items not yet verified and closed")

    @staticmethod
    def resolve_units(notice) -> list:
        return list(notice.units.all())


class NoticeReasonOut(Schema):
    unit: UnitRef
    kind: ReasonKind
    text: str
    figures: dict = Field(description="The figures as they stood when the reason was drafted")


class NoticeRecipientOut(Schema):
    unit: UnitRef
    replied: bool
    replied_at: datetime.datetime | None = Field(
        description="With the reply: only the bureau and the unit itself read a unit's reply"
    )
    reply_text: str | None
    replied_by: PersonOut | None


class NoticeDocumentsOut(Schema):
    docx: str | None = Field(description="The Word document's download (signed-in session)")
    pdf: str | None = Field(description="The PDF's download (signed-in session)")


class NoticeDetailOut(NoticeOut):
    addressees: str
    copied_to: str
    opening: str
    closing: str
    corrects_id: int | None = Field(description="The notice this one corrects")
    correction_ids: list[int]
    issued_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    content_sha256: str
    reasons: list[NoticeReasonOut]
    requirements: list[str]
    recipients: list[NoticeRecipientOut]
    rectification_ids: list[int] = Field(
        description="The notice's rectification items the caller may see"
    )
    documents: NoticeDocumentsOut

    @staticmethod
    def resolve_units(detail: dict) -> list:
        # get_notice builds the detail as a dict: the units are the recipients' already read.
        return detail["units"]


class NoticeQuery(Schema):
    year: int | None = Field(None, **YEAR)
    status: NoticeStatus | None = None
    kind: NoticeKind | None = None
    authority: int | None = Field(None, ge=1, le=MAX_ID, description="Issuing authority")
    unit: int | None = Field(None, ge=1, le=MAX_ID, description="A unit concerned")


@router.get("/notices", response={200: list[NoticeOut], **ERRORS})
@paginate(BoundedLimitOffset)
def list_notices(request: HttpRequest, filters: Query[NoticeQuery]):
    """Supervision notices (督办通报) and commendations the caller may see: a unit sees
    the issued notices that concern it, an office also its drafts; with replies and open
    rectification items counted. Read-only: notices are drafted, reviewed, issued and
    replied to on the screens."""
    require_business_data(request.user)
    return notice_selectors.notice_list(
        request.user,
        notice_selectors.NoticeFilters(
            year=filters.year,
            status=filters.status or "",
            kind=filters.kind or "",
            authority=filters.authority,
            unit=filters.unit,
        ),
    )


def _document(notice: Notice, kind: str) -> str | None:
    stored_id = notice.docx_id if kind == "docx" else notice.pdf_id
    if stored_id is None:
        return None
    return reverse("supervision:notice_file", args=[notice.pk, kind])


@router.get("/notices/{notice_id}", response={200: NoticeDetailOut, **ERRORS})
def get_notice(request: HttpRequest, notice_id: int):
    """One notice as the screen shows it to the caller: its content, reasons by unit with
    their figures, requirements, the units concerned with their reply status (a unit reads
    its own reply only), the rectification items it raised, and its Word document and PDF
    once issued. Read-only: drafting, review, issue and replies happen on the screens."""
    notice = get_notice_for_user(request.user, notice_id)
    page = notice_selectors.notice_page(request.user, notice)
    counts = (
        notice_selectors.with_counts(Notice.objects.filter(pk=notice.pk))
        .values("recipients_total", "recipients_replied", "rectifications_open")
        .get()
    )
    readable = {r.pk for r in page.readable}
    return {
        "id": notice.pk,
        "number": notice.number,
        "kind": notice.kind,
        "status": notice.status,
        "title": notice.title,
        "authority": notice.authority,
        "office": notice.office,
        "year": notice.year,
        "sequence": notice.sequence,
        "issue_date": notice.issue_date,
        "reply_deadline": notice.reply_deadline,
        "units": [r.unit for r in page.recipients],
        **counts,
        "addressees": notice.addressees,
        "copied_to": notice.copied_to,
        "opening": notice.opening,
        "closing": notice.closing,
        "corrects_id": notice.corrects_id if page.corrects_visible else None,
        "correction_ids": [c.pk for c in page.corrections],
        "issued_at": notice.issued_at,
        "closed_at": notice.closed_at,
        "content_sha256": notice.content_sha256,
        "reasons": [
            {"unit": unit, "kind": r.kind, "text": r.text, "figures": r.figures or {}}
            for unit, reasons in page.reasons_by_unit
            for r in reasons
        ],
        "requirements": [r.text for r in page.requirements],
        "recipients": [
            {
                "unit": r.unit,
                "replied": r.replied_at is not None,
                "replied_at": r.replied_at if r.pk in readable else None,
                "reply_text": r.reply_text if r.pk in readable else None,
                "replied_by": r.replied_by if r.pk in readable else None,
            }
            for r in page.recipients
        ],
        "rectification_ids": [i.pk for i in page.items],
        "documents": {"docx": _document(notice, "docx"), "pdf": _document(notice, "pdf")},
    }
