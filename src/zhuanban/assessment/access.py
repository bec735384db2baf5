"""Access helpers: the only way a view or endpoint fetches a scheme, a unit's
scorecard, a score or a piece of evidence (404 when the user may not see it)."""

from django.http import Http404

from zhuanban.assessment.models import Evidence, Item, Participant, Scheme, Score
from zhuanban.assessment.scoping import visible_participants, visible_schemes


def get_scheme_for_user(user, pk: int) -> Scheme:
    scheme = visible_schemes(user).select_related("office").filter(pk=pk).first()
    if scheme is None:
        raise Http404
    return scheme


def get_item_for_user(user, pk: int) -> Item:
    item = (
        Item.objects.filter(pk=pk, scheme__in=visible_schemes(user))
        .select_related("scheme", "scheme__office", "parent")
        .first()
    )
    if item is None:
        raise Http404
    return item


def get_participant_for_user(user, pk: int) -> Participant:
    participant = (
        Participant.objects.select_related("scheme", "scheme__office", "unit")
        .filter(pk=pk, scheme__in=visible_schemes(user))
        .first()
    )
    if (
        participant is None
        or not visible_participants(user, participant.scheme).filter(pk=participant.pk).exists()
    ):
        raise Http404
    return participant


def get_score_for_user(user, pk: int) -> Score:
    score = (
        Score.objects.select_related("item", "participant", "participant__unit")
        .filter(pk=pk)
        .first()
    )
    if score is None:
        raise Http404
    score.participant = get_participant_for_user(user, score.participant_id)
    return score


def get_evidence_for_user(user, pk: int) -> Evidence:
    evidence = Evidence.objects.select_related("file", "item").filter(pk=pk).first()
    if evidence is None:
        raise Http404
    evidence.participant = get_participant_for_user(user, evidence.participant_id)
    return evidence
