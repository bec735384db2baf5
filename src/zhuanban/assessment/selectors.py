"""Read queries for assessment screens and exports, scoped by the caller."""

from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import Rank

from zhuanban.assessment.models import Evidence, Item, Participant, Scheme, Score
from zhuanban.assessment.scoping import visible_participants, visible_schemes


def scheme_list(user, year: int | None = None) -> QuerySet[Scheme]:
    """Visible schemes with their counts (one query)."""
    schemes = visible_schemes(user).select_related("office")
    if year:
        schemes = schemes.filter(year=year)
    return schemes.annotate(
        units=Count("participants", distinct=True),
        submitted=Count(
            "participants", filter=Q(participants__self_status="submitted"), distinct=True
        ),
        item_count=Count("items", filter=Q(items__is_heading=False), distinct=True),
    ).order_by("-year", "title")


def items_of(scheme: Scheme) -> list[Item]:
    """The scheme's tree in order, with what each automatic item reads (one query + the
    responsible units)."""
    return list(
        scheme.items.select_related("task_list", "indicator", "template")
        .prefetch_related("responsible_units")
        .order_by("sort_path")
    )


def ranking(scheme: Scheme, participants: QuerySet[Participant] | None = None):
    """Participants with their rank by total (ties share a rank), best first. Ranks are
    over the whole scheme even when the caller sees only some units."""
    ranked = (
        scheme.participants.select_related("unit")
        .annotate(
            rank=Window(Rank(), order_by=F("total").desc(nulls_last=True)),
            evidence_count=Count("evidence", distinct=True),
        )
        .order_by(F("total").desc(nulls_last=True), "unit__sort_order", "unit__code")
    )
    if participants is None:
        return list(ranked)
    allowed = set(participants.values_list("pk", flat=True))
    return [p for p in ranked if p.pk in allowed]


def visible_ranking(user, scheme: Scheme):
    return ranking(scheme, visible_participants(user, scheme))


@dataclass
class CardLine:
    """One row of a unit's scorecard: an item, and for a leaf its score and evidence."""

    item: Item
    score: Score | None = None
    evidence: list[Evidence] = field(default_factory=list)


def scorecard(participant: Participant) -> list[CardLine]:
    """Every item of the scheme with the unit's score and evidence (three queries)."""
    items = items_of(participant.scheme)
    scores = {
        s.item_id: s
        for s in participant.scores.select_related("self_by", "reviewer").prefetch_related(
            "rectifications"
        )
    }
    evidence: dict[int, list[Evidence]] = {}
    for piece in participant.evidence.select_related("file", "added_by", "from_task"):
        evidence.setdefault(piece.item_id, []).append(piece)
    return [
        CardLine(item=item, score=scores.get(item.pk), evidence=evidence.get(item.pk, []))
        for item in items
    ]


def evidence_gaps(scheme: Scheme, participants: QuerySet[Participant]):
    """(participant, item) pairs where the item asks for evidence and none is filed:
    leaf items with a requirement, per unit (one query)."""
    return (
        Score.objects.filter(participant__in=participants, participant__scheme=scheme)
        .exclude(item__evidence_required="")
        .annotate(
            files=Count(
                "item__evidence",
                filter=Q(item__evidence__participant_id=F("participant_id")),
            )
        )
        .filter(files=0)
        .select_related("participant__unit", "item")
        .order_by("participant__unit__sort_order", "participant__unit__code", "item__sort_path")
    )
