"""Indicators and targets, statistical table templates, dispatch rounds, submissions and
the value store they aggregate from.

The value store (`DataValue`) holds one row per submitted cell, as DHIS2 does: a
round's consolidation is one GROUP BY over it, whatever the number of units and rows.
Drafts live on the submission only; the store holds what units have submitted.
"""

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhuanban.core.models import StoredFile
from zhuanban.dispatch.periods import Period, PeriodKind
from zhuanban.org.models import OrgUnit


class Aggregation(models.TextChoices):
    """How values combine over periods and up the unit tree (DHIS2's aggregation types)."""

    SUM = "sum", _("Sum")
    AVERAGE = "average", _("Average")
    LATEST = "latest", _("Latest value (summed over units)")
    MAX = "max", _("Maximum")


class Indicator(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    unit_of_measure = models.CharField(_("unit of measure"), max_length=20, blank=True)
    aggregation = models.CharField(
        _("aggregation"), max_length=10, choices=Aggregation.choices, default=Aggregation.SUM
    )
    higher_is_better = models.BooleanField(_("higher is better"), default=True)
    decimals = models.PositiveSmallIntegerField(
        _("decimal places"), default=0, validators=[MaxValueValidator(6)]
    )
    office = models.ForeignKey(
        OrgUnit,
        verbose_name=_("office"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="indicators",
        limit_choices_to={"kind": "office"},
    )
    description = models.TextField(_("description"), blank=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.unit_of_measure}）" if self.unit_of_measure else self.name


class Target(models.Model):
    """An annual target of one unit. The city's own target may differ from the sum of
    its counties' (the region sets it)."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="targets"
    )
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="targets"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.DecimalField(_("target"), max_digits=20, decimal_places=6)

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "unit", "year"], name="target_one_per_unit_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator.name} {self.unit} {self.year}: {self.value}"


class IndicatorValue(models.Model):
    """One unit's value of an indicator for one period: entered, or fed by an approved
    submission (`source_round`)."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="values"
    )
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="indicator_values"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    period_kind = models.CharField(_("period"), max_length=10, choices=PeriodKind.choices)
    period_number = models.PositiveSmallIntegerField(_("period number"), default=1)
    period_end = models.DateField(_("period end"))
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=6)
    source_round = models.ForeignKey(
        "DispatchRound",
        verbose_name=_("dispatch round"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="indicator_values",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "unit", "period_kind", "year", "period_number"],
                name="indicator_value_one_per_period",
            )
        ]
        indexes = [models.Index(fields=["indicator", "year", "period_end"])]

    def __str__(self) -> str:
        return f"{self.indicator.name} {self.unit} {self.period}: {self.value}"

    @property
    def period(self) -> Period:
        return Period(self.year, self.period_kind, self.period_number)


class UnitGroup(models.Model):
    """A group of units that consolidated tables subtotal (e.g. 前山地区, 后山地区)."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    units = models.ManyToManyField(OrgUnit, verbose_name=_("units"), related_name="unit_groups")
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("unit group")
        verbose_name_plural = _("unit groups")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class RowMode(models.TextChoices):
    PER_UNIT = "per_unit", _("One row per unit")
    RECORDS = "records", _("A list of records")


class TableTemplate(models.Model):
    """A statistical table (统计表) an office collects. Its columns live in versions:
    editing a template that has data makes a new version, and old submissions keep theirs."""

    office = models.ForeignKey(
        OrgUnit,
        verbose_name=_("office"),
        on_delete=models.PROTECT,
        related_name="table_templates",
        limit_choices_to={"kind": "office"},
    )
    code = models.SlugField(_("code"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=200)
    row_mode = models.CharField(
        _("rows"), max_length=10, choices=RowMode.choices, default=RowMode.PER_UNIT
    )
    instructions = models.TextField(_("instructions for filling in"), blank=True)
    units = models.ManyToManyField(
        OrgUnit, verbose_name=_("units that fill it"), related_name="tables_to_fill"
    )
    is_active = models.BooleanField(_("in use"), default=True)
    lock_version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("table template")
        verbose_name_plural = _("table templates")
        ordering = ["office", "title"]

    def __str__(self) -> str:
        return self.title

    def latest_version(self) -> "TemplateVersion":
        return self.versions.order_by("-number").first()


class TemplateVersion(models.Model):
    template = models.ForeignKey(
        TableTemplate, verbose_name=_("table"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    schema = models.JSONField(_("columns and rules"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("table version")
        verbose_name_plural = _("table versions")
        ordering = ["template", "number"]
        constraints = [
            models.UniqueConstraint(fields=["template", "number"], name="template_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.template} v{self.number}"

    @property
    def table(self):
        """The typed schema (schema.TableSchema), parsed once per instance."""
        if not hasattr(self, "_table"):
            from zhuanban.dispatch.schema import parse_schema

            self._table = parse_schema(self.schema)
        return self._table


class Cadence(models.TextChoices):
    MONTHLY_DISPATCH = "monthly_dispatch", _("Monthly dispatch")
    MONTHLY_SUMMARY = "monthly_summary", _("Monthly summary")
    QUARTERLY_REPORT = "quarterly_report", _("Quarterly report")
    AD_HOC = "ad_hoc", _("Ad hoc")


CADENCE_PERIOD = {
    Cadence.MONTHLY_DISPATCH: PeriodKind.MONTH,
    Cadence.MONTHLY_SUMMARY: PeriodKind.MONTH,
    Cadence.QUARTERLY_REPORT: PeriodKind.QUARTER,
}


class Schedule(models.Model):
    """When a table (or a task list's progress request) goes out, counted from the end
    of the period it asks about: it opens some days before the end (月调度 around the
    20th), is due and then locked some days after it. `zhuanban open-rounds` reads these."""

    template = models.ForeignKey(
        TableTemplate,
        verbose_name=_("table"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="schedules",
    )
    task_list = models.ForeignKey(
        "tasks.TaskList",
        verbose_name=_("task list"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="dispatch_schedules",
    )
    cadence = models.CharField(
        _("cadence"), max_length=20, choices=Cadence.choices, default=Cadence.MONTHLY_DISPATCH
    )
    opens_before_end = models.PositiveSmallIntegerField(
        _("opens days before the period ends"), default=10
    )
    due_after_end = models.PositiveSmallIntegerField(_("due days after the period ends"), default=5)
    locks_after_end = models.PositiveSmallIntegerField(
        _("locked days after the period ends"), default=10
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("dispatch schedule")
        verbose_name_plural = _("dispatch schedules")
        constraints = [
            models.CheckConstraint(
                condition=Q(template__isnull=False) ^ Q(task_list__isnull=False),
                name="schedule_table_or_task_list",
            ),
            models.CheckConstraint(
                condition=Q(locks_after_end__gte=models.F("due_after_end")) & ~Q(cadence="ad_hoc"),
                name="schedule_lock_after_due",
                violation_error_message=_(
                    "A schedule has a regular cadence, and locks no earlier than it is due."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template or self.task_list} {self.get_cadence_display()}"

    def dates(self, period: Period):
        """(opens_on, due_on, locks_on) of this schedule's round for `period`."""
        end = period.end
        return (
            end - datetime.timedelta(days=self.opens_before_end),
            end + datetime.timedelta(days=self.due_after_end),
            end + datetime.timedelta(days=self.locks_after_end),
        )


class RoundState(models.TextChoices):
    SCHEDULED = "scheduled", _("Not open yet")
    OPEN = "open", _("Open")
    OVERDUE = "overdue", _("Past due")
    LOCKED = "locked", _("Locked")


class DispatchRound(models.Model):
    """One request for data (a table, or progress on a task list) for one period."""

    office = models.ForeignKey(
        OrgUnit,
        verbose_name=_("office"),
        on_delete=models.PROTECT,
        related_name="dispatch_rounds",
        limit_choices_to={"kind": "office"},
    )
    template = models.ForeignKey(
        TableTemplate,
        verbose_name=_("table"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rounds",
    )
    template_version = models.ForeignKey(
        TemplateVersion,
        verbose_name=_("table version"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rounds",
    )
    task_list = models.ForeignKey(
        "tasks.TaskList",
        verbose_name=_("task list"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dispatch_rounds",
    )
    schedule = models.ForeignKey(
        Schedule,
        verbose_name=_("schedule"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="rounds",
    )
    title = models.CharField(_("title"), max_length=200)
    cadence = models.CharField(_("cadence"), max_length=20, choices=Cadence.choices)
    period_kind = models.CharField(_("period"), max_length=10, choices=PeriodKind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    period_number = models.PositiveSmallIntegerField(_("period number"), default=1)
    opens_on = models.DateField(_("opens on"))
    due_on = models.DateField(_("due on"))
    locks_on = models.DateField(_("locked on"))
    locked_at = models.DateTimeField(_("locked at"), null=True, blank=True)
    units = models.ManyToManyField(
        OrgUnit, verbose_name=_("units that must answer"), related_name="dispatch_rounds_to_answer"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("dispatch round")
        verbose_name_plural = _("dispatch rounds")
        ordering = ["-year", "-period_number", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(template__isnull=False) ^ Q(task_list__isnull=False),
                name="round_table_or_task_list",
            ),
            models.CheckConstraint(
                condition=Q(due_on__gte=models.F("opens_on")) & Q(locks_on__gte=models.F("due_on")),
                name="round_dates_in_order",
                violation_error_message=_(
                    "The dates must be in order: opening, due, then locking."
                ),
            ),
            models.UniqueConstraint(
                fields=["template", "cadence", "period_kind", "year", "period_number"],
                condition=Q(template__isnull=False),
                name="round_one_per_table_period",
            ),
            models.UniqueConstraint(
                fields=["task_list", "cadence", "period_kind", "year", "period_number"],
                condition=Q(task_list__isnull=False),
                name="round_one_per_list_period",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def period(self) -> Period:
        return Period(self.year, self.period_kind, self.period_number)

    def state(self, today=None) -> str:
        today = today or timezone.localdate()
        if self.locked_at is not None:
            return RoundState.LOCKED
        if today < self.opens_on:
            return RoundState.SCHEDULED
        if today > self.due_on:
            return RoundState.OVERDUE
        return RoundState.OPEN

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None


class SubmissionStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("submission status", "Not reported")
    DRAFT = "draft", pgettext_lazy("submission status", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("submission status", "Submitted")
    RETURNED = "returned", pgettext_lazy("submission status", "Returned for correction")
    APPROVED = "approved", pgettext_lazy("submission status", "Approved")


REPORTED_STATES = frozenset({SubmissionStatus.SUBMITTED, SubmissionStatus.APPROVED})


class Submission(models.Model):
    """One unit's answer to one round. Created, empty, when the round opens, so that
    completeness is a count by status."""

    round = models.ForeignKey(
        DispatchRound,
        verbose_name=_("dispatch round"),
        on_delete=models.CASCADE,
        related_name="submissions",
    )
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="submissions"
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=SubmissionStatus.choices,
        default=SubmissionStatus.PENDING,
        db_index=True,
    )
    data = models.JSONField(_("rows"), default=list, blank=True)
    row_comments = models.JSONField(_("comments by row"), default=dict, blank=True)
    comment = models.TextField(_("office comment"), blank=True)
    revision = models.PositiveIntegerField(_("submitted versions"), default=0)
    lock_version = models.PositiveIntegerField(_("version"), default=1)
    first_submitted_at = models.DateTimeField(_("first submitted at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        ordering = ["round", "unit__sort_order", "unit__code"]
        constraints = [
            models.UniqueConstraint(fields=["round", "unit"], name="submission_one_per_unit")
        ]

    def __str__(self) -> str:
        return f"{self.round} · {self.unit}"


class Source(models.TextChoices):
    SCREEN = "screen", _("On screen")
    UPLOAD = "upload", _("Excel upload")
    API = "api", _("API")


class SubmissionRevision(models.Model):
    """Every submitted version of a submission, kept for the diff between versions."""

    submission = models.ForeignKey(
        Submission, verbose_name=_("submission"), on_delete=models.CASCADE, related_name="revisions"
    )
    number = models.PositiveIntegerField(_("version"))
    data = models.JSONField(_("rows"))
    template_version = models.ForeignKey(
        TemplateVersion, verbose_name=_("table version"), on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    file = models.ForeignKey(
        StoredFile,
        verbose_name=_("uploaded file"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("submitted at"), default=timezone.now)

    class Meta:
        verbose_name = _("submitted version")
        verbose_name_plural = _("submitted versions")
        ordering = ["submission", "number"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "number"], name="revision_unique")
        ]

    def __str__(self) -> str:
        return f"{self.submission} v{self.number}"


class SubmissionEvent(models.Model):
    """The timeline of a submission: saves, submissions, returns, approvals, urges."""

    submission = models.ForeignKey(
        Submission, verbose_name=_("submission"), on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(_("action"), max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    status_before = models.CharField(_("status before"), max_length=10, blank=True)
    status_after = models.CharField(_("status after"), max_length=10, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("submission event")
        verbose_name_plural = _("submission events")
        ordering = ["submission", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.submission} {self.action}"


class DataValue(models.Model):
    """One submitted cell (the value store). Numbers (and yes/no as 1/0) go in `number`
    so the database sums them; text, choices and dates in `text`."""

    submission = models.ForeignKey(
        Submission, verbose_name=_("submission"), on_delete=models.CASCADE, related_name="values"
    )
    round = models.ForeignKey(
        DispatchRound, verbose_name=_("dispatch round"), on_delete=models.CASCADE, related_name="+"
    )
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    row = models.PositiveIntegerField(_("row"))
    column = models.CharField(_("column"), max_length=40)
    number = models.DecimalField(_("number"), max_digits=20, decimal_places=6, null=True)
    text = models.CharField(_("text"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("data value")
        verbose_name_plural = _("data values")
        indexes = [models.Index(fields=["round", "column", "unit"])]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.row} {self.column}"


class SnapshotReason(models.TextChoices):
    LOCKED = "locked", _("As the round was locked")


class RoundSnapshot(models.Model):
    """A round's consolidated figures as they stood at a moment (the lock date, or just
    before the office reopened approved data)."""

    round = models.ForeignKey(
        DispatchRound,
        verbose_name=_("dispatch round"),
        on_delete=models.CASCADE,
        related_name="snapshots",
    )
    taken_at = models.DateTimeField(_("taken at"), default=timezone.now)
    reason = models.CharField(
        _("reason"), max_length=20, choices=SnapshotReason.choices, default=SnapshotReason.LOCKED
    )
    data = models.JSONField(_("figures"))

    class Meta:
        verbose_name = _("snapshot")
        verbose_name_plural = _("snapshots")
        ordering = ["round", "-taken_at"]

    def __str__(self) -> str:
        return f"{self.round} {self.taken_at:%Y-%m-%d %H:%M}"
