"""Who sees and changes assessment schemes, scores and evidence (the one place that
decides it for this app).

- Leaders, inspectors and office staff see every scheme and every unit's scores.
- A county's or department's people see the schemes, once opened, in which a unit of
  their subtree is assessed (its scorecard only, not the others'), or in which their
  unit supplies evidence for an item (the scorecards of that scheme, to file it).
- A unit responsible for an item that is itself assessed in the scheme, or lies within
  a unit assessed (the city apart), supplies that item's evidence on that unit's
  scorecard only: "各旗县市区" makes every county responsible, and no county sees or
  files on another's scorecard through it.
- The organising office designs the scheme and moves it through its lifecycle; a
  bureau leader may also confirm the results and reopen them.
- A unit self-scores for itself: its liaisons and its own people; for the city itself
  (assessed by the region) the organising office compiles the self-assessment.
- Reviewers are the scheme's named reviewers, or the organising office's staff when
  none are named. Nobody reviews a unit they belong to or act for.
- Evidence is added by whoever self-scores, the organising office, and the people of
  an item's responsible units.
- The three administrators see none of it.
"""

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.lookups import StartsWith

from zhuanban.assessment.lifecycle import SchemeParty, SchemeStatus
from zhuanban.assessment.models import Item, Participant, Scheme
from zhuanban.org.models import OrgUnit
from zhuanban.org.roles import OFFICE_ROLES, Role, UnitKind
from zhuanban.org.scoping import scope_for

BUREAU_ROLES = frozenset({Role.LEADER, Role.INSPECTOR} | OFFICE_ROLES)


def _under(field: str, paths: tuple[str, ...]) -> Q:
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(**{f"{field}__path__startswith": path})
    return condition


def _acting_unit_ids(scope) -> set[int]:
    ids = set(scope.liaison_unit_ids)
    if scope.own_unit_id is not None:
        ids.add(scope.own_unit_id)
    return ids


def sees_all(user) -> bool:
    scope = scope_for(user)
    return scope.sees_business_data and scope.has_role(*BUREAU_ROLES)


def visible_schemes(user) -> QuerySet[Scheme]:
    scope = scope_for(user)
    if not scope.sees_business_data:
        return Scheme.objects.none()
    if scope.has_role(*BUREAU_ROLES):
        return Scheme.objects.all()
    assessed = Participant.objects.filter(scheme_id=OuterRef("pk")).filter(
        _under("unit", scope.subtree_paths)
    )
    supplying = Item.responsible_units.through.objects.filter(
        item__scheme_id=OuterRef("pk"), orgunit_id__in=_acting_unit_ids(scope)
    )
    return Scheme.objects.exclude(status=SchemeStatus.DRAFT).filter(
        Q(Exists(assessed)) | Q(Exists(supplying))
    )


def visible_participants(user, scheme: Scheme) -> QuerySet[Participant]:
    """The scorecards of `scheme` this user may read (the scheme is visible to them)."""
    scope = scope_for(user)
    participants = scheme.participants.all()
    if not scope.sees_business_data:
        return participants.none()
    if scope.has_role(*BUREAU_ROLES) or supplies_evidence(user, scheme):
        return participants
    # A responsible unit within a unit assessed files on that unit's scorecard.
    holds_own = _responsible_units(user, scheme).filter(path__startswith=OuterRef("unit__path"))
    return participants.filter(_under("unit", scope.subtree_paths) | Q(Exists(holds_own)))


def _responsible_units(user, scheme: Scheme, item: Item | None = None) -> QuerySet[OrgUnit]:
    """The user's units responsible for `item` (or for any item of `scheme`)."""
    units = OrgUnit.objects.filter(pk__in=_acting_unit_ids(scope_for(user)))
    if item is not None:
        return units.filter(assessment_items=item)
    return units.filter(assessment_items__scheme=scheme).distinct()


def _assessed_in(scheme: Scheme) -> Exists:
    """Whether a unit is assessed in `scheme` or lies within a unit assessed, the city
    apart (every unit lies within it): such a unit answers for its own scorecard."""
    return Exists(
        Participant.objects.filter(scheme=scheme)
        .exclude(unit__kind=UnitKind.CITY)
        .filter(StartsWith(OuterRef("path"), F("unit__path")))
    )


def supplies_evidence(user, scheme: Scheme) -> bool:
    """Whether the user's unit supplies evidence for the units assessed in `scheme`:
    responsible for some item, and not itself assessed there (nor within a unit that
    is)."""
    return _responsible_units(user, scheme).exclude(_assessed_in(scheme)).exists()


def scheme_parties(user, scheme: Scheme) -> set[str]:
    scope = scope_for(user)
    found = set()
    if not scope.sees_business_data:
        return found
    if scheme.office_id in scope.office_ids:
        found.add(SchemeParty.ORGANISER)
    if scope.has_role(Role.LEADER):
        found.add(SchemeParty.LEADER)
    return found


def can_create_scheme(user) -> bool:
    scope = scope_for(user)
    return scope.sees_business_data and bool(scope.office_ids)


def can_manage(user, scheme: Scheme) -> bool:
    return SchemeParty.ORGANISER in scheme_parties(user, scheme)


def can_self_score(user, participant: Participant) -> bool:
    """Whether the user speaks for the unit assessed (state is the services' to check)."""
    scope = scope_for(user)
    if not scope.sees_business_data:
        return False
    if scope.acts_for_unit(participant.unit_id):
        return True
    return (
        participant.unit.kind == UnitKind.CITY and participant.scheme.office_id in scope.office_ids
    )


def is_reviewer(user, scheme: Scheme) -> bool:
    scope = scope_for(user)
    if not scope.sees_business_data:
        return False
    named = scheme.reviewers.all()
    if named.exists():
        return named.filter(pk=user.pk).exists()
    return scheme.office_id in scope.office_ids


def belongs_to(user, unit: OrgUnit) -> bool:
    """Whether the user belongs to or acts for `unit` (or a unit within it). The city is
    not counted: everyone belongs to it, and a city scheme's review is the region's,
    which the organising office records."""
    if unit.kind == UnitKind.CITY:
        return False
    scope = scope_for(user)
    units = _acting_unit_ids(scope)
    return bool(units) and OrgUnit.objects.filter(pk__in=units, path__startswith=unit.path).exists()


def can_review(user, participant: Participant) -> bool:
    return is_reviewer(user, participant.scheme) and not belongs_to(user, participant.unit)


def can_add_evidence(user, participant: Participant, item: Item | None = None) -> bool:
    if can_self_score(user, participant) or can_manage(user, participant.scheme):
        return True
    return _supplying(user, participant, item).exists()


def _supplying(user, participant: Participant, item: Item | None = None) -> QuerySet[OrgUnit]:
    """The user's units that supply evidence for `item` (any item) on `participant`'s
    card: responsible for it, for every unit assessed, or, being assessed (or within a
    unit assessed), for the unit it lies within only."""
    scheme = participant.scheme
    return _responsible_units(user, scheme, item).filter(
        ~Q(_assessed_in(scheme)) | Q(path__startswith=participant.unit.path)
    )


def evidence_item_ids(user, participant: Participant) -> set[int] | None:
    """The items on which the user may file evidence for `participant` (one query), or
    None for all of them (the unit itself and the organising office)."""
    if can_self_score(user, participant) or can_manage(user, participant.scheme):
        return None
    return set(
        participant.scheme.items.filter(
            is_heading=False, responsible_units__in=_supplying(user, participant)
        ).values_list("pk", flat=True)
    )
