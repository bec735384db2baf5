from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from zhuanban.org.roles import ROLE_UNIT_KINDS, SINGLE_HOLDER_ROLES, Role, UnitKind
from zhuanban.org.validators import division_code_problem, validate_unit_code


class OrgUnitQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def of_kind(self, *kinds: str):
        return self.filter(kind__in=kinds)

    def counties(self):
        return self.of_kind(UnitKind.COUNTY)

    def offices(self):
        return self.of_kind(UnitKind.OFFICE)

    def in_subtree(self, unit: "OrgUnit"):
        """The unit and everything below it."""
        return self.filter(path__startswith=unit.path)

    def in_subtrees(self, paths: list[str] | tuple[str, ...]):
        condition = Q(pk__in=[])
        for path in paths:
            condition |= Q(path__startswith=path)
        return self.filter(condition)


class OrgUnit(models.Model):
    """A node of the one organisation tree: the city, its counties, the bureau, its
    sections and offices, member units, later associations and enterprises.

    `path` is a materialised path of primary keys ("/1/4/17/"), maintained by
    `org.services.unit_save`, so a subtree is one indexed prefix query.
    """

    code = models.CharField(_("code"), max_length=40, unique=True, validators=[validate_unit_code])
    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    division_code = models.CharField(
        _("administrative division code"),
        max_length=6,
        null=True,
        blank=True,
        unique=True,
        help_text=_("GB/T 2260 code, for cities and counties only, e.g. 150921."),
    )
    duties = models.TextField(_("duties"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    path = models.CharField(_("path"), max_length=255, editable=False, db_index=True)
    depth = models.PositiveSmallIntegerField(_("depth"), default=0, editable=False)

    objects = OrgUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("org unit")
        verbose_name_plural = _("org units")
        ordering = ["depth", "sort_order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=models.F("pk")), name="orgunit_not_own_parent"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    def clean(self) -> None:
        errors: dict[str, list] = {}
        if self.parent_id is not None and self.pk is not None:
            parent = self.parent
            if parent.pk == self.pk or (self.path and parent.path.startswith(self.path)):
                errors.setdefault("parent", []).append(
                    ValidationError(
                        _("A unit cannot be placed under itself or one of its own sub-units."),
                        code="cycle",
                    )
                )
        if self.division_code:
            parent_code = self.parent.division_code if self.parent_id else None
            problem = division_code_problem(self.division_code, self.kind, parent_code)
            if problem:
                errors.setdefault("division_code", []).append(
                    ValidationError(problem, code="division_code")
                )
        elif self.kind in (UnitKind.CITY, UnitKind.COUNTY):
            errors.setdefault("division_code", []).append(
                ValidationError(
                    _("Cities and counties need their administrative division code."),
                    code="required",
                )
            )
        if errors:
            raise ValidationError(errors)

    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip("/").split("/") if part][:-1]


class Profile(models.Model):
    """What the bureau knows about a person beyond the login: unit, title, phone."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="profile",
    )
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("org unit"),
        on_delete=models.PROTECT,
        related_name="profiles",
    )
    title = models.CharField(_("job title"), max_length=60, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")
        ordering = ["sort_order", "user__username"]

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.get_username()


class RoleAssignmentQuerySet(models.QuerySet):
    def office_positions(self):
        return self.filter(role__in=[Role.OFFICE_DIRECTOR, Role.OFFICE_DEPUTY, Role.OFFICE_MEMBER])


class RoleAssignment(models.Model):
    """A person holds a role, in a unit where the role needs one (see roles.ROLE_UNIT_KINDS)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="role_assignments",
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("org unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="role_assignments",
    )
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        ordering = ["sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "unit"],
                name="role_once_per_unit",
            ),
            models.UniqueConstraint(
                fields=["unit", "role"],
                condition=Q(role__in=sorted(SINGLE_HOLDER_ROLES)),
                name="one_director_and_deputy_per_office",
                violation_error_message=_("This office already has a person in that position."),
            ),
        ]

    def __str__(self) -> str:
        label = Role(self.role).label
        return f"{label} · {self.unit}" if self.unit_id else str(label)

    def clean(self) -> None:
        kinds = ROLE_UNIT_KINDS.get(self.role)
        if kinds is None:
            if self.unit_id is not None:
                raise ValidationError(
                    {"unit": _("This role is held without an org unit.")}, code="unit_not_allowed"
                )
        elif self.unit_id is None or self.unit.kind not in kinds:
            allowed = "、".join(str(UnitKind(k).label) for k in sorted(kinds))
            raise ValidationError(
                {"unit": _("This role is held in a unit of kind: %(kinds)s.") % {"kinds": allowed}},
                code="unit_kind",
            )


class ChainQuerySet(models.QuerySet):
    def with_counts(self):
        return self.annotate(
            expert_count=Count("experts", distinct=True),
            working_group_count=Count("working_group", distinct=True),
        )


class Chain(models.Model):
    """An industry chain (麦菜薯、牛羊乳) and its "six ones" (六个一)."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=60)
    short_name = models.CharField(_("short name"), max_length=10)
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("bureau leader"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="chains_led",
    )
    lead_section = models.ForeignKey(
        OrgUnit,
        verbose_name=_("lead section"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="chains_led",
        limit_choices_to={"kind": UnitKind.SECTION},
    )
    lead_office = models.ForeignKey(
        OrgUnit,
        verbose_name=_("coordinating office"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="chains_coordinated",
        limit_choices_to={"kind": UnitKind.OFFICE},
    )
    expert_team_name = models.CharField(_("expert team"), max_length=100, blank=True)
    work_plan_title = models.CharField(_("work plan"), max_length=200, blank=True)
    work_plan_number = models.CharField(_("work plan document number"), max_length=60, blank=True)
    working_group_name = models.CharField(_("working group"), max_length=100, blank=True)

    objects = ChainQuerySet.as_manager()

    class Meta:
        verbose_name = _("industry chain")
        verbose_name_plural = _("industry chains")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name

    def missing_items(self) -> list[str]:
        """Which of the six ones are still missing (expects `ChainQuerySet.with_counts()`)."""
        checks = [
            (self.leader_id is not None, _("bureau leader")),
            (self.lead_section_id is not None, _("lead section")),
            (self.expert_count > 0, _("expert team")),
            (bool(self.work_plan_title), _("work plan")),
            (self.working_group_count > 0, _("working group")),
        ]
        return [str(label) for present, label in checks if not present]

    def clean(self) -> None:
        if self.leader_id and not self.leader.role_assignments.filter(role=Role.LEADER).exists():
            raise ValidationError(
                {"leader": _("The chain's leader must be a bureau leader.")}, code="not_leader"
            )


class ChainExpert(models.Model):
    chain = models.ForeignKey(
        Chain, verbose_name=_("industry chain"), on_delete=models.CASCADE, related_name="experts"
    )
    name = models.CharField(_("name"), max_length=40)
    title = models.CharField(_("professional title"), max_length=60, blank=True)
    affiliation = models.CharField(_("affiliation"), max_length=100, blank=True)
    specialty = models.CharField(_("specialty"), max_length=100, blank=True)
    is_head = models.BooleanField(_("team head"), default=False)
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("expert")
        verbose_name_plural = _("experts")
        ordering = ["-is_head", "sort_order", "pk"]

    def __str__(self) -> str:
        return self.name


class ChainWorkingGroupMember(models.Model):
    chain = models.ForeignKey(
        Chain,
        verbose_name=_("industry chain"),
        on_delete=models.CASCADE,
        related_name="working_group",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="chain_working_groups",
    )
    duty = models.CharField(_("duty in the group"), max_length=60, blank=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("working group member")
        verbose_name_plural = _("working group members")
        ordering = ["sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "user"], name="chain_member_once"),
        ]

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.get_username()
