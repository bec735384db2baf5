from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhuanban.assessment.lifecycle import SchemeStatus, SelfStatus
from zhuanban.core.models import StoredFile
from zhuanban.dispatch.models import Indicator, TableTemplate
from zhuanban.org.models import OrgUnit
from zhuanban.rectification.models import Rectification
from zhuanban.tasks.models import Task, TaskList

ZERO = Decimal(0)
HUNDRED = Decimal(100)


class Grade(models.TextChoices):
    """考核等次, best first."""

    GOOD = "good", pgettext_lazy("assessment grade", "Good")
    FAIRLY_GOOD = "fairly_good", pgettext_lazy("assessment grade", "Fairly good")
    AVERAGE = "average", pgettext_lazy("assessment grade", "Average")
    POOR = "poor", pgettext_lazy("assessment grade", "Poor")


class Scheme(models.Model):
    """考核方案: who is assessed on what, by whom, with which grade bands.

    Each top-level item may carry a weight (percent of the total); the total is then
    the sum of each top-level item's share of its maximum times its weight. Without
    weights the total is the plain sum of points."""

    title = models.CharField(_("title"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"))
    office = models.ForeignKey(
        OrgUnit,
        verbose_name=_("organising office"),
        on_delete=models.PROTECT,
        related_name="assessment_schemes",
        limit_choices_to={"kind": "office"},
    )
    assessor = models.CharField(
        _("assessed by"),
        max_length=100,
        blank=True,
        help_text=_("Who assesses, e.g. the region's rural work office for a city scheme."),
    )
    basis = models.TextField(_("basis"), blank=True)
    period_start = models.DateField(_("data from"))
    period_end = models.DateField(_("data until"))
    self_due = models.DateField(_("self-assessment due"), null=True, blank=True)
    review_due = models.DateField(_("review due"), null=True, blank=True)
    good_from = models.DecimalField(
        _("good from"), max_digits=6, decimal_places=2, default=Decimal(90)
    )
    fairly_good_from = models.DecimalField(
        _("fairly good from"), max_digits=6, decimal_places=2, default=Decimal(80)
    )
    average_from = models.DecimalField(
        _("average from"), max_digits=6, decimal_places=2, default=Decimal(60)
    )
    reviewers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewers"),
        blank=True,
        related_name="assessment_reviews",
        help_text=_("Left empty, the organising office's staff review."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=SchemeStatus.choices, default=SchemeStatus.DRAFT
    )
    closed_at = models.DateTimeField(_("results confirmed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("assessment scheme")
        verbose_name_plural = _("assessment schemes")
        ordering = ["-year", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="scheme_period_in_order",
                violation_error_message=_("The end of the period cannot be before its start."),
            ),
            models.CheckConstraint(
                condition=Q(good_from__gt=F("fairly_good_from"))
                & Q(fairly_good_from__gt=F("average_from"))
                & Q(average_from__gte=0),
                name="scheme_grade_bands_in_order",
                violation_error_message=_(
                    "Grade bands must descend: good above fairly good above average, none negative."
                ),
            ),
            models.UniqueConstraint(fields=["year", "title"], name="scheme_unique_title_per_year"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("assessment:scheme", args=[self.pk])

    def grade_for(self, total: Decimal | None) -> str:
        if total is None:
            return ""
        if total >= self.good_from:
            return Grade.GOOD
        if total >= self.fairly_good_from:
            return Grade.FAIRLY_GOOD
        if total >= self.average_from:
            return Grade.AVERAGE
        return Grade.POOR


class Method(models.TextChoices):
    MANUAL = "manual", _("Scored by reviewers")
    TASKS = "tasks", _("Share of linked tasks closed on time")
    INDICATOR = "indicator", _("Indicator completion against target")
    DISPATCH = "dispatch", _("Dispatch reports submitted on time")
    NOTICES = "notices", _("Deduction per supervision notice received")


AUTOMATIC_METHODS = frozenset({Method.TASKS, Method.INDICATOR, Method.DISPATCH, Method.NOTICES})


class Item(models.Model):
    """考核指标: a node of the scheme's tree. Only leaves are scored; a heading's score
    is the sum of its children's. `number` is the official one (一、(一) 1.)."""

    scheme = models.ForeignKey(
        Scheme, verbose_name=_("scheme"), on_delete=models.CASCADE, related_name="items"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent item"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    # The top-level item this one belongs to (itself at the top): totals group by it.
    root = models.ForeignKey(
        "self",
        verbose_name=_("top-level item"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        editable=False,
    )
    position = models.PositiveIntegerField(_("position"), default=1)
    sort_path = models.CharField(_("tree path"), max_length=100, editable=False)
    depth = models.PositiveSmallIntegerField(_("depth"), default=0, editable=False)
    number = models.CharField(_("number"), max_length=30, editable=False)
    is_heading = models.BooleanField(_("has sub-items"), default=False, editable=False)
    title = models.TextField(_("assessment content"))
    max_score = models.DecimalField(
        _("maximum score"),
        max_digits=7,
        decimal_places=2,
        validators=[MinValueValidator(ZERO)],
    )
    weight = models.DecimalField(
        _("weight (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(ZERO), MaxValueValidator(HUNDRED)],
        help_text=_("Top-level items only: the share of the total, in percent."),
    )
    method = models.CharField(
        _("scoring method"), max_length=10, choices=Method.choices, default=Method.MANUAL
    )
    criteria = models.TextField(_("scoring criteria"), blank=True)
    evidence_required = models.TextField(_("evidence required"), blank=True)
    responsible_text = models.CharField(_("responsible units"), max_length=300, blank=True)
    responsible_units = models.ManyToManyField(
        OrgUnit,
        verbose_name=_("responsible units"),
        blank=True,
        related_name="assessment_items",
    )
    task_list = models.ForeignKey(
        TaskList,
        verbose_name=_("task list"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assessment_items",
    )
    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("indicator"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assessment_items",
    )
    template = models.ForeignKey(
        TableTemplate,
        verbose_name=_("statistical table"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assessment_items",
    )
    points_per_notice = models.DecimalField(
        _("points deducted per notice"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
    )

    class Meta:
        verbose_name = _("assessment item")
        verbose_name_plural = _("assessment items")
        ordering = ["scheme", "sort_path"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "sort_path"], name="item_unique_path"),
            models.CheckConstraint(condition=Q(max_score__gte=0), name="item_max_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.number}{self.title[:60]}"

    @property
    def is_automatic(self) -> bool:
        return self.method in AUTOMATIC_METHODS


class Participant(models.Model):
    """被考核单位: one unit assessed under a scheme, with its cached totals (recomputed
    by the services whenever a score changes)."""

    scheme = models.ForeignKey(
        Scheme, verbose_name=_("scheme"), on_delete=models.CASCADE, related_name="participants"
    )
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("unit assessed"),
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    self_status = models.CharField(
        _("self-assessment"), max_length=10, choices=SelfStatus.choices, default=SelfStatus.PENDING
    )
    self_submitted_at = models.DateTimeField(_("self-assessment submitted at"), null=True)
    self_submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("self-assessment submitted by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    return_reason = models.TextField(_("reason for return"), blank=True)
    self_total = models.DecimalField(
        _("self-assessed total"), max_digits=8, decimal_places=2, null=True
    )
    total = models.DecimalField(_("total"), max_digits=8, decimal_places=2, null=True)
    grade = models.CharField(_("grade"), max_length=12, choices=Grade.choices, blank=True)
    unscored = models.PositiveIntegerField(_("items awaiting a score"), default=0)
    scored_at = models.DateTimeField(_("automatic items computed at"), null=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("unit assessed")
        verbose_name_plural = _("units assessed")
        ordering = ["scheme", "unit__sort_order", "unit__code"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "unit"], name="participant_unique_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.scheme} · {self.unit}"

    def get_absolute_url(self) -> str:
        return reverse("assessment:participant", args=[self.pk])


class Score(models.Model):
    """One unit's score on one leaf item: computed (automatic items), self-assessed and
    reviewed. The final score is the reviewer's where given, else the computed one."""

    participant = models.ForeignKey(
        Participant,
        verbose_name=_("unit assessed"),
        on_delete=models.CASCADE,
        related_name="scores",
    )
    item = models.ForeignKey(
        Item, verbose_name=_("assessment item"), on_delete=models.CASCADE, related_name="scores"
    )
    auto_score = models.DecimalField(_("computed score"), max_digits=7, decimal_places=2, null=True)
    # The figures the computed score came from (counts, values, ids for drill-down).
    auto_basis = models.JSONField(_("basis"), default=dict, blank=True)
    self_score = models.DecimalField(
        _("self-assessed score"), max_digits=7, decimal_places=2, null=True
    )
    self_reason = models.TextField(_("self-assessment reason"), blank=True)
    self_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("self-assessed by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    self_at = models.DateTimeField(_("self-assessed at"), null=True)
    review_score = models.DecimalField(_("review score"), max_digits=7, decimal_places=2, null=True)
    review_reason = models.TextField(_("review reason"), blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("assessment", "reviewer"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    rectifications = GenericRelation(
        Rectification,
        content_type_field="source_type",
        object_id_field="source_id",
        related_query_name="assessment_score",
    )

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        ordering = ["participant", "item__sort_path"]
        constraints = [
            models.UniqueConstraint(fields=["participant", "item"], name="score_unique_item"),
            models.CheckConstraint(
                condition=(Q(self_score__isnull=True) | Q(self_score__gte=0))
                & (Q(review_score__isnull=True) | Q(review_score__gte=0))
                & (Q(auto_score__isnull=True) | Q(auto_score__gte=0)),
                name="score_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant} · {self.item.number}"

    def get_absolute_url(self) -> str:
        """The item's line on the unit's scorecard (a rectification item links back here)."""
        return (
            f"{reverse('assessment:participant', args=[self.participant_id])}#item-{self.item_id}"
        )

    @property
    def final(self) -> Decimal | None:
        return self.review_score if self.review_score is not None else self.auto_score

    @property
    def self_or_auto(self) -> Decimal | None:
        return self.self_score if self.self_score is not None else self.auto_score

    @property
    def difference(self) -> Decimal | None:
        """Review minus self-assessment (negative: the reviewer deducted more)."""
        if self.review_score is None or self.self_or_auto is None:
            return None
        return self.review_score - self.self_or_auto


class Evidence(models.Model):
    """佐证材料: a file held against one item for one unit assessed, uploaded or linked
    from a task's progress report (the same stored file, not a copy)."""

    participant = models.ForeignKey(
        Participant,
        verbose_name=_("unit assessed"),
        on_delete=models.CASCADE,
        related_name="evidence",
    )
    item = models.ForeignKey(
        Item, verbose_name=_("assessment item"), on_delete=models.CASCADE, related_name="evidence"
    )
    file = models.ForeignKey(
        StoredFile, verbose_name=_("file"), on_delete=models.PROTECT, related_name="+"
    )
    description = models.CharField(_("description"), max_length=200, blank=True)
    from_task = models.ForeignKey(
        Task,
        verbose_name=_("linked from task"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["item__sort_path", "added_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "item", "file"], name="evidence_unique_file"
            ),
        ]

    def __str__(self) -> str:
        return self.file.name
