"""Access helpers: the only way a view or endpoint fetches a document, a version, a
round, an answer, an opinion, a meeting or a topic (404 when the user may not see it)."""

from django.http import Http404

from zhuanban.documents.models import (
    Document,
    DocumentVersion,
    Meeting,
    Opinion,
    OpinionRequest,
    OpinionRound,
    Topic,
)
from zhuanban.documents.scoping import (
    visible_documents,
    visible_meetings,
    visible_requests,
    visible_rounds,
    visible_topics,
    visible_versions,
)


def _found(obj):
    if obj is None:
        raise Http404
    return obj


def get_document_for_user(user, pk: int) -> Document:
    return _found(
        visible_documents(user)
        .select_related("office", "lead_author", "pen_holder", "chain")
        .filter(pk=pk)
        .first()
    )


def get_version_for_user(user, pk: int) -> DocumentVersion:
    version = _found(DocumentVersion.objects.select_related("file").filter(pk=pk).first())
    document = get_document_for_user(user, version.document_id)
    _found(visible_versions(user, document).filter(pk=pk).first())
    version.document = document
    return version


def get_round_for_user(user, pk: int) -> OpinionRound:
    round = _found(OpinionRound.objects.select_related("draft").filter(pk=pk).first())
    document = get_document_for_user(user, round.document_id)
    _found(visible_rounds(user, document).filter(pk=pk).first())
    round.document = document
    return round


def get_request_for_user(user, pk: int) -> OpinionRequest:
    request = _found(OpinionRequest.objects.select_related("unit", "person").filter(pk=pk).first())
    round = get_round_for_user(user, request.round_id)
    _found(visible_requests(user, round).filter(pk=pk).first())
    request.round = round
    return request


def get_opinion_for_user(user, pk: int) -> Opinion:
    opinion = _found(Opinion.objects.filter(pk=pk).first())
    opinion.request = get_request_for_user(user, opinion.request_id)
    return opinion


def get_meeting_for_user(user, pk: int) -> Meeting:
    return _found(visible_meetings(user).select_related("convener", "chair").filter(pk=pk).first())


def get_topic_for_user(user, pk: int) -> Topic:
    return _found(
        visible_topics(user)
        .select_related("meeting", "meeting__convener", "office", "presenter", "document")
        .filter(pk=pk)
        .first()
    )
