"""Read queries of documents and meetings, scoped, with the joins their pages need."""

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery

from zhuanban.documents.lifecycle import SUBMITTED_STATES, TopicStatus
from zhuanban.documents.models import (
    Disposition,
    Document,
    DocumentVersion,
    Meeting,
    Opinion,
    OpinionRound,
    Topic,
)
from zhuanban.documents.scoping import my_requests, sees_all, visible_documents, visible_meetings
from zhuanban.org.models import OrgUnit


def document_list(user) -> QuerySet[Document]:
    """Visible documents with their latest version number and the deadline of an open
    opinion round (None when no round is open), both as far as the user may see: for a
    county, the versions issued or put to it and the rounds that consult it."""
    open_round = OpinionRound.objects.filter(document_id=OuterRef("pk"), closed_at__isnull=True)
    latest = DocumentVersion.objects.filter(document_id=OuterRef("pk"))
    if not sees_all(user):
        asked = my_requests(user)
        open_round = open_round.filter(Exists(asked.filter(round_id=OuterRef("pk"))))
        latest = latest.filter(
            Q(issued_at__isnull=False) | Q(Exists(asked.filter(round__draft_id=OuterRef("pk"))))
        )
    return (
        visible_documents(user)
        .select_related("office", "pen_holder", "chain")
        .annotate(
            latest_version=Subquery(latest.order_by("-number").values("number")[:1]),
            open_round_deadline=Subquery(open_round.values("deadline")[:1]),
        )
    )


def round_progress(round: OpinionRound) -> dict[str, int]:
    """Who has answered a round (one query): total, answered, late, no opinion."""
    return round.requests.aggregate(
        total=Count("pk"),
        answered=Count("pk", filter=Q(answered_at__isnull=False)),
        late=Count("pk", filter=Q(is_late=True)),
        no_opinion=Count("pk", filter=Q(no_opinion=True)),
    )


def adoption_rows(document: Document, round: OpinionRound | None = None) -> QuerySet[Opinion]:
    """The opinions of a document (of one round), in the order of the adoption table
    (意见采纳情况表): by round, then by consulted party as asked, then as written."""
    opinions = Opinion.objects.filter(request__round__document=document)
    if round is not None:
        opinions = opinions.filter(request__round=round)
    return opinions.select_related(
        "request", "request__unit", "request__person", "request__round"
    ).order_by("request__round__number", "request__pk", "position")


def adoption_summary(opinions: QuerySet[Opinion]) -> dict[str, int]:
    return opinions.aggregate(
        total=Count("pk"),
        adopted=Count("pk", filter=Q(disposition=Disposition.ADOPTED)),
        partly=Count("pk", filter=Q(disposition=Disposition.PARTLY)),
        not_adopted=Count("pk", filter=Q(disposition=Disposition.NOT_ADOPTED)),
        pending=Count("pk", filter=Q(disposition=Disposition.PENDING)),
    )


def meeting_list(user) -> QuerySet[Meeting]:
    return (
        visible_meetings(user)
        .select_related("convener", "chair")
        .annotate(
            topic_count=Count("topics", filter=Q(topics__status__in=SUBMITTED_STATES)),
            agenda_count=Count(
                "topics", filter=Q(topics__status__in=[TopicStatus.ON_AGENDA, TopicStatus.DECIDED])
            ),
        )
    )


def agenda(meeting: Meeting) -> QuerySet[Topic]:
    """A meeting's topics: the agenda in order, then those waiting, deferred or withdrawn."""
    return (
        meeting.topics.select_related("office", "presenter", "document")
        .prefetch_related("materials")
        .order_by("position", "submitted_at", "pk")
    )


def topic_counts(user, year: int) -> QuerySet[OrgUnit]:
    """Per office, one query: topics submitted to the year's meetings (提交议题), put on an
    agenda, decided, deferred, and tasks created from the decisions."""
    # Who may see topics, not whether there are any: the figures stay one query.
    if not sees_all(user):
        return OrgUnit.objects.none()
    in_year = Q(meeting_topics__meeting__year=year)

    def topics(condition: Q) -> Count:
        return Count("meeting_topics", filter=in_year & condition, distinct=True)

    return (
        OrgUnit.objects.annotate(
            submitted=topics(Q(meeting_topics__status__in=SUBMITTED_STATES)),
            on_agenda=topics(
                Q(meeting_topics__status__in=[TopicStatus.ON_AGENDA, TopicStatus.DECIDED])
            ),
            decided=topics(Q(meeting_topics__status=TopicStatus.DECIDED)),
            deferred=topics(Q(meeting_topics__times_deferred__gt=0)),
            tasks=Count("meeting_topics__task_links", filter=in_year, distinct=True),
        )
        .filter(submitted__gt=0)
        .order_by("-submitted", "sort_order", "name")
    )
