"""Who sees and changes policy documents, opinion rounds and meetings (the one place
that decides it for this app).

- Leaders, inspectors and office staff see every document, round, opinion, meeting
  and topic: drafting policy is the bureau's own work.
- Anyone else (a county's or department's people) sees issued and repealed documents,
  and the documents they are consulted on; of those, only the versions issued or put
  to them, and only their own answers, never another county's.
- The drafting office moves its document through its lifecycle and runs its rounds; a
  bureau leader may also approve, send back and repeal.
- A consulted leader answers for themself; a consulted unit answers through the people
  who act for it (its liaisons and its own staff).
- Meetings are the bureau's: a leader, or the staff of the office (or the liaison of
  the unit) convening it, manage it; an office's staff submit its topics, and follow
  its decisions up with tasks.
- The three administrators see none of it.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet

from zhuanban.documents.lifecycle import DocParty, Stage
from zhuanban.documents.models import (
    Document,
    DocumentVersion,
    Meeting,
    OpinionRequest,
    OpinionRound,
    Topic,
)
from zhuanban.org.roles import OFFICE_ROLES, Role
from zhuanban.org.scoping import scope_for

BUREAU_ROLES = frozenset({Role.LEADER, Role.INSPECTOR} | OFFICE_ROLES)
PUBLIC_STAGES = frozenset({Stage.ISSUED, Stage.REPEALED})


def sees_all(user) -> bool:
    scope = scope_for(user)
    return scope.sees_business_data and scope.has_role(*BUREAU_ROLES)


def _own_requests(user) -> QuerySet[OpinionRequest]:
    """The opinion requests addressed to the user or to a unit they act for."""
    scope = scope_for(user)
    if not scope.sees_business_data:
        return OpinionRequest.objects.none()
    units = set(scope.liaison_unit_ids)
    if scope.own_unit_id is not None:
        units.add(scope.own_unit_id)
    return OpinionRequest.objects.filter(Q(person_id=user.pk) | Q(unit_id__in=units))


def _sees_issued(user) -> bool:
    """Issued documents are read by the people of the counties and departments; a login
    that belongs to no unit (and the three administrators) reads none."""
    scope = scope_for(user)
    return scope.sees_business_data and bool(scope.subtree_paths)


def visible_documents(user) -> QuerySet[Document]:
    scope = scope_for(user)
    if not scope.sees_business_data:
        return Document.objects.none()
    if scope.has_role(*BUREAU_ROLES):
        return Document.objects.all()
    consulted = _own_requests(user).filter(round__document_id=OuterRef("pk"))
    # A document once issued stays in force (and readable) while a revision is drafted.
    issued = Q(stage__in=PUBLIC_STAGES) | Q(issued_on__isnull=False)
    return Document.objects.filter(
        (issued if _sees_issued(user) else Q(pk__in=[])) | Q(Exists(consulted))
    )


def visible_versions(user, document: Document) -> QuerySet[DocumentVersion]:
    versions = document.versions.all()
    if sees_all(user):
        return versions
    consulted = _own_requests(user).filter(round__draft_id=OuterRef("pk"))
    issued = Q(issued_at__isnull=False) if _sees_issued(user) else Q(pk__in=[])
    return versions.filter(issued | Q(Exists(consulted)))


def visible_rounds(user, document: Document) -> QuerySet[OpinionRound]:
    rounds = document.rounds.all()
    if sees_all(user):
        return rounds
    return rounds.filter(Exists(_own_requests(user).filter(round_id=OuterRef("pk"))))


def visible_requests(user, round: OpinionRound) -> QuerySet[OpinionRequest]:
    """The answers of `round` the user may read: all of them for the bureau, their own
    otherwise."""
    requests = round.requests.all()
    if sees_all(user):
        return requests
    return requests.filter(pk__in=_own_requests(user).values("pk"))


def my_requests(user) -> QuerySet[OpinionRequest]:
    """The opinion requests the user answers: their to-do list when unanswered."""
    if not scope_for(user).sees_business_data:
        return OpinionRequest.objects.none()
    return _own_requests(user)


def document_parties(user, document: Document) -> set[str]:
    scope = scope_for(user)
    found = set()
    if not scope.sees_business_data:
        return found
    if document.office_id in scope.office_ids:
        found.add(DocParty.OFFICE)
    if scope.has_role(Role.LEADER):
        found.add(DocParty.LEADER)
    return found


def can_create_document(user) -> bool:
    scope = scope_for(user)
    return scope.sees_business_data and bool(scope.office_ids)


def can_manage_document(user, document: Document) -> bool:
    return DocParty.OFFICE in document_parties(user, document)


def can_answer(user, request: OpinionRequest) -> bool:
    scope = scope_for(user)
    if not scope.sees_business_data:
        return False
    if request.person_id is not None:
        return request.person_id == user.pk
    return scope.acts_for_unit(request.unit_id)


def visible_meetings(user) -> QuerySet[Meeting]:
    if not sees_all(user):
        return Meeting.objects.none()
    return Meeting.objects.all()


def visible_topics(user) -> QuerySet[Topic]:
    if not sees_all(user):
        return Topic.objects.none()
    return Topic.objects.all()


def can_convene(user, convener_id: int) -> bool:
    """Whether the user may convene meetings for the unit `convener_id`: only the
    bureau's people (who alone see meetings), never a county's."""
    scope = scope_for(user)
    if not sees_all(user):
        return False
    return (
        scope.has_role(Role.LEADER)
        or convener_id in scope.office_ids
        or convener_id in scope.liaison_unit_ids
    )


def can_manage_meeting(user, meeting: Meeting) -> bool:
    return can_convene(user, meeting.convener_id)


def is_office_staff(user, office_id: int) -> bool:
    """Whether the user holds a position in the office: drafts its documents, submits
    its topics and follows its decisions up with tasks."""
    scope = scope_for(user)
    return scope.sees_business_data and office_id in scope.office_ids


can_submit_topic = is_office_staff


def can_follow_up(user, topic: Topic) -> bool:
    return is_office_staff(user, topic.office_id)
