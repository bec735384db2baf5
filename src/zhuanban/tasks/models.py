import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhuanban.core.models import StoredFile
from zhuanban.org.models import OrgUnit
from zhuanban.tasks.lifecycle import LIVE_STATES, OPEN_STATES, Status


class Level(models.TextChoices):
    CENTRAL = "central", _("Central")
    REGION = "region", _("Autonomous region")
    CITY = "city", _("City")


class NumberingStyle(models.TextChoices):
    CHINESE = "chinese", _("一、(一) 1. (1)")
    DECIMAL = "decimal", _("1.2.3")


class Light(models.TextChoices):
    """Warning light (红黄绿灯), computed from data, never set by hand."""

    NONE = "none", _("Not assigned")
    GREEN = "green", _("Green")
    YELLOW = "yellow", _("Yellow")
    RED = "red", _("Red")
    GREY = "grey", _("Closed")


class TaskList(models.Model):
    """A task list (任务清单) for a year, from a source document, owned by an office."""

    title = models.CharField(_("title"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"))
    level = models.CharField(_("level"), max_length=10, choices=Level.choices, default=Level.CITY)
    source_document = models.CharField(_("source document"), max_length=200, blank=True)
    office = models.ForeignKey(
        OrgUnit,
        verbose_name=_("office"),
        on_delete=models.PROTECT,
        related_name="task_lists",
        limit_choices_to={"kind": "office"},
    )
    numbering = models.CharField(
        _("numbering"),
        max_length=10,
        choices=NumberingStyle.choices,
        default=NumberingStyle.CHINESE,
    )
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
        verbose_name = _("task list")
        verbose_name_plural = _("task lists")
        ordering = ["-year", "title"]

    def __str__(self) -> str:
        return self.title


class TaskQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATES)

    def leaves(self):
        """Measures: tasks with no subtasks (what the ledger's counts count)."""
        return self.filter(is_heading=False)

    def with_light(self, today: datetime.date | None = None):
        """Annotate `light` in the database, so it can be filtered and counted there."""
        today = today or timezone.localdate()
        soon = today + datetime.timedelta(days=settings.TASK_DUE_SOON_DAYS)
        stale = today - datetime.timedelta(days=settings.TASK_REPORT_CYCLE_DAYS)
        return self.annotate(
            light=Case(
                When(status=Status.CLOSED, then=Value(Light.GREY)),
                When(~Q(status__in=LIVE_STATES), then=Value(Light.NONE)),
                When(due_date__lt=today, then=Value(Light.RED)),
                When(
                    Q(due_date__lte=soon) | Q(lag_date__lte=today) | Q(last_activity_on__lte=stale),
                    then=Value(Light.YELLOW),
                ),
                default=Value(Light.GREEN),
                output_field=models.CharField(),
            )
        )


class Task(models.Model):
    """A node of a task list's tree: a key task (重点任务) or a measure (具体措施).

    `sort_path` holds the 1-based positions from the root ("0003.0002."): it orders the
    tree, makes a subtree a prefix query and gives the official number of each task
    without looking at its ancestors.
    """

    task_list = models.ForeignKey(
        TaskList, verbose_name=_("task list"), on_delete=models.CASCADE, related_name="tasks"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent task"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    position = models.PositiveIntegerField(_("position"), default=1)
    sort_path = models.CharField(_("tree path"), max_length=200, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("depth"), default=0, editable=False)
    # Kept by the services: the task has subtasks (a 重点任务 over its 具体措施), so it is
    # not counted as a measure. Stored so that "measures only" is an indexed filter.
    is_heading = models.BooleanField(_("has subtasks"), default=False, editable=False)

    content = models.TextField(_("content"))
    lead_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("lead unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_tasks",
    )
    # The county the lead unit belongs to (itself, or an ancestor), for county rollups.
    county = models.ForeignKey(
        OrgUnit,
        verbose_name=_("county"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="county_tasks",
    )
    cooperating_units = models.ManyToManyField(
        OrgUnit, verbose_name=_("cooperating units"), blank=True, related_name="cooperating_tasks"
    )
    responsible_leader = models.CharField(_("responsible leader"), max_length=100, blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    original_due_date = models.DateField(_("original due date"), null=True, blank=True)
    due_text = models.CharField(
        _("deadline as written"),
        max_length=60,
        blank=True,
        help_text=_("As the source document words it, e.g. 6月底前, 长期坚持."),
    )
    is_ongoing = models.BooleanField(_("ongoing (no fixed deadline)"), default=False)
    counts_in_assessment = models.BooleanField(_("counts in assessment"), default=False)
    # Left ready for the indicators issue: a quantitative target and the indicator it feeds.
    target_value = models.DecimalField(
        _("target value"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    target_unit = models.CharField(_("target unit"), max_length=20, blank=True)
    indicator_code = models.CharField(_("indicator"), max_length=40, blank=True)
    remarks = models.TextField(_("remarks"), blank=True)
    attachments = models.ManyToManyField(
        StoredFile, verbose_name=_("attachments"), blank=True, related_name="tasks"
    )

    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Denormalised for the warning light (see services.refresh_light_inputs): the day the
    # task started to lag its time, and the day of its last report or assignment.
    lag_date = models.DateField(_("lags from"), null=True, blank=True, editable=False)
    last_activity_on = models.DateField(_("last activity"), null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["task_list", "sort_path"]
        constraints = [
            models.UniqueConstraint(
                fields=["task_list", "sort_path"], name="task_unique_place_in_tree"
            ),
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="task_progress_at_most_100"
            ),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(due_date__isnull=True)
                | Q(due_date__gte=models.F("start_date")),
                name="task_due_after_start",
                violation_error_message=_("The due date cannot be before the start date."),
            ),
        ]
        indexes = [models.Index(fields=["status", "due_date"])]

    def __str__(self) -> str:
        return f"{self.number()} {self.content[:40]}"

    @property
    def positions(self) -> list[int]:
        return [int(part) for part in self.sort_path.split(".") if part]

    def number(self, style: str | None = None) -> str:
        from zhuanban.tasks.numbering import format_number

        return format_number(self.positions, style or self.task_list.numbering)

    def full_number(self, style: str | None = None) -> str:
        from zhuanban.tasks.numbering import format_full_number

        return format_full_number(self.positions, style or self.task_list.numbering)

    def clean(self) -> None:
        errors: dict[str, list] = {}
        if self.start_date and self.due_date and self.due_date < self.start_date:
            errors.setdefault("due_date", []).append(
                ValidationError(
                    _("The due date cannot be before the start date."), code="due_before_start"
                )
            )
        if self.is_ongoing and self.due_date:
            errors.setdefault("due_date", []).append(
                ValidationError(
                    _("An ongoing task has no due date; clear one of the two."), code="ongoing_due"
                )
            )
        if self.parent_id is not None:
            parent = self.parent
            if parent.task_list_id != self.task_list_id:
                errors.setdefault("parent", []).append(
                    ValidationError(_("The parent task is in another list."), code="other_list")
                )
            elif self.pk is not None and (
                parent.pk == self.pk or parent.sort_path.startswith(self.sort_path)
            ):
                errors.setdefault("parent", []).append(
                    ValidationError(
                        _("A task cannot be moved under itself or one of its own subtasks."),
                        code="cycle",
                    )
                )
        if errors:
            raise ValidationError(errors)


class Milestone(models.Model):
    """A dated step of a task; recurring deadlines (每月10日前) become one per period."""

    task = models.ForeignKey(
        Task, verbose_name=_("task"), on_delete=models.CASCADE, related_name="milestones"
    )
    title = models.CharField(_("title"), max_length=200)
    due_date = models.DateField(_("due date"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["due_date", "pk"]

    def __str__(self) -> str:
        return self.title


class ProgressReport(models.Model):
    """反馈: what the lead unit reports, with evidence."""

    task = models.ForeignKey(
        Task, verbose_name=_("task"), on_delete=models.CASCADE, related_name="reports"
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        on_delete=models.PROTECT,
        related_name="task_reports",
    )
    reported_at = models.DateTimeField(_("reported at"), auto_now_add=True)
    text = models.TextField(_("progress"))
    progress = models.PositiveSmallIntegerField(_("progress (%)"))
    figures = models.CharField(_("figures"), max_length=500, blank=True)
    evidence = models.ManyToManyField(
        StoredFile, verbose_name=_("evidence"), blank=True, related_name="task_reports"
    )

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["-reported_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="report_progress_at_most_100"
            )
        ]

    def __str__(self) -> str:
        return f"{self.task_id} {self.progress}%"


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class ExtensionRequest(models.Model):
    """延期申请: asked before the due date; the original due date stays on the task."""

    task = models.ForeignKey(
        Task, verbose_name=_("task"), on_delete=models.CASCADE, related_name="extensions"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    reason = models.TextField(_("reason"))
    old_due_date = models.DateField(_("due date before"))
    new_due_date = models.DateField(_("new due date"))
    progress_so_far = models.TextField(_("progress so far"))
    status = models.CharField(
        _("status"), max_length=10, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_comment = models.TextField(_("decision"), blank=True)

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["task"],
                condition=Q(status="pending"),
                name="one_pending_extension_per_task",
                violation_error_message=_("An extension request for this task is already pending."),
            ),
            models.CheckConstraint(
                condition=Q(new_due_date__gt=models.F("old_due_date")),
                name="extension_moves_deadline_later",
                violation_error_message=_("The new due date must be later than the current one."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task_id} → {self.new_due_date}"


class TaskEvent(models.Model):
    """The task's timeline: every transition and side action, with who, when and why."""

    task = models.ForeignKey(
        Task, verbose_name=_("task"), on_delete=models.CASCADE, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("time"), auto_now_add=True)
    action = models.CharField(_("action"), max_length=30)
    from_status = models.CharField(_("status before"), max_length=20, blank=True)
    to_status = models.CharField(_("status after"), max_length=20, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("task event")
        verbose_name_plural = _("task events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.task_id} {self.action}"
