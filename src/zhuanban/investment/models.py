"""The investment pipeline (招商引资): projects with their stages and stage clocks,
promotion activities, progress reports with the funds in place, and upward applications
(向上争取) for policy, projects and funds.

Amounts are stored in 万元 (ten thousand yuan) everywhere; forms take 万元 or 亿元 and
say which, and every screen and export names the unit.

A project's light is never stored: it is computed from its stage, the date it reached it,
its last report and the stage clocks (`ProjectQuerySet.with_light`, `Project.light_on`).
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Case, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhuanban.core.models import StoredFile
from zhuanban.investment.lifecycle import DATE_FIELDS, LIVE_STAGES, Stage, UpwardStatus
from zhuanban.org.models import Chain, OrgUnit
from zhuanban.tasks.models import Light

USER = settings.AUTH_USER_MODEL
WAN_PER_YI = Decimal(10000)  # 1 亿元 = 10,000 万元


def money_field(verbose_name, **kwargs):
    """An amount in 万元: never negative, two decimals."""
    return models.DecimalField(
        verbose_name,
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0))],
        **kwargs,
    )


class StageClock(models.Model):
    """How long a project may wait in one stage (the office's service times): yellow
    `warn_days` before the limit or when its progress report is overdue, red past the
    limit."""

    stage = models.CharField(
        _("stage"),
        max_length=16,
        choices=[(s.value, s.label) for s in LIVE_STAGES],
        unique=True,
    )
    limit_days = models.PositiveIntegerField(
        _("time limit (days)"), validators=[MinValueValidator(1)]
    )
    warn_days = models.PositiveIntegerField(_("warn days before the limit"), default=0)
    report_days = models.PositiveIntegerField(
        _("report progress every (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
    )
    evidence_required = models.BooleanField(_("evidence required to reach it"), default=False)
    commitment = models.CharField(_("service commitment"), max_length=100, blank=True)
    updated_by = models.ForeignKey(
        USER, verbose_name=_("updated by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("stage clock")
        verbose_name_plural = _("stage clocks")
        constraints = [
            models.CheckConstraint(
                condition=Q(warn_days__lt=models.F("limit_days")), name="clock_warn_below_limit"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_stage_display()}: {self.limit_days}"


# A project's lights in their words: the task lights', except grey, which for a project
# means it left the clocks (producing or dropped), not a closed task.
LIGHT_CHOICES = [
    (Light.GREEN.value, Light.GREEN.label),
    (Light.YELLOW.value, Light.YELLOW.label),
    (Light.RED.value, Light.RED.label),
    (Light.GREY.value, _("Off the clock")),
]


def clocks_by_stage() -> dict[str, StageClock]:
    return {clock.stage: clock for clock in StageClock.objects.all()}


def light_conditions(today: datetime.date, clocks: dict[str, StageClock]) -> list[When]:
    """The clock rules as database conditions, red before yellow. The thresholds are
    dates computed here, so the database compares dates and never does date arithmetic
    (which SQLite and PostgreSQL spell differently)."""
    ago = lambda days: today - datetime.timedelta(days=days)  # noqa: E731
    red, yellow = [], []
    for stage, clock in clocks.items():
        red.append(When(stage=stage, stage_since__lt=ago(clock.limit_days), then=Value(Light.RED)))
        late = Q(stage_since__lt=ago(clock.limit_days - clock.warn_days))
        if clock.report_days:
            late |= Q(last_report_on__lt=ago(clock.report_days))
        yellow.append(When(Q(stage=stage) & late, then=Value(Light.YELLOW)))
    return [
        When(stage__in=[Stage.PRODUCING, Stage.DROPPED], then=Value(Light.GREY)),
        *red,
        *yellow,
    ]


class ProjectQuerySet(models.QuerySet):
    def with_light(self, today: datetime.date | None = None, clocks=None):
        """Annotate `light` in the database, so it can be filtered and counted there."""
        today = today or timezone.localdate()
        clocks = clocks_by_stage() if clocks is None else clocks
        return self.annotate(
            light=Case(
                *light_conditions(today, clocks),
                default=Value(Light.GREEN),
                output_field=models.CharField(),
            )
        )

    def signed_or_later(self):
        return self.filter(stage__in=[Stage.SIGNED, Stage.LANDED, Stage.STARTED, Stage.PRODUCING])


class Project(models.Model):
    """A project of the investment pipeline: planned by the bureau (a key project of the
    year's plan) or attracted by a promotion activity, followed from its planning to its
    production."""

    name = models.CharField(_("project name"), max_length=120)
    year = models.PositiveSmallIntegerField(_("year"), db_index=True)
    chain = models.ForeignKey(
        Chain, verbose_name=_("industry chain"), on_delete=models.PROTECT, related_name="projects"
    )
    county = models.ForeignKey(
        OrgUnit,
        verbose_name=_("county"),
        on_delete=models.PROTECT,
        related_name="investment_projects",
        limit_choices_to={"kind": "county"},
    )
    investor = models.CharField(_("investor"), max_length=120, blank=True)
    investor_origin = models.CharField(_("investor from"), max_length=60, blank=True)
    planned_investment = money_field(_("planned investment (10k yuan)"))
    is_key = models.BooleanField(_("key project"), default=False, db_index=True)
    leader = models.ForeignKey(
        USER,
        verbose_name=_("responsible leader"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    responsible_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("responsible unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    content = models.TextField(_("construction content"), blank=True)

    stage = models.CharField(
        _("stage"), max_length=16, choices=Stage.choices, default=Stage.PLANNED, db_index=True
    )
    # The day the project reached its present stage (or came back to it): the clock's start.
    stage_since = models.DateField(_("in this stage since"))
    planned_on = models.DateField(_("planned on"), null=True, blank=True)
    negotiating_on = models.DateField(_("negotiations began on"), null=True, blank=True)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    landed_on = models.DateField(_("landed on"), null=True, blank=True)
    started_on = models.DateField(_("construction started on"), null=True, blank=True)
    producing_on = models.DateField(_("production began on"), null=True, blank=True)
    dropped_on = models.DateField(_("dropped on"), null=True, blank=True)
    drop_reason = models.TextField(_("reason for dropping"), blank=True)
    # The last progress report or stage change: the report clock's start.
    last_report_on = models.DateField(_("last report on"))

    created_by = models.ForeignKey(
        USER, verbose_name=_("entered by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("entered at"), default=timezone.now)
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("investment project")
        verbose_name_plural = _("investment projects")
        ordering = ["county__sort_order", "-is_key", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "county", "name"], name="investment_project_unique_name"
            ),
            models.CheckConstraint(
                condition=Q(planned_investment__gte=0), name="investment_planned_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("investment:project", args=[self.pk])

    def light_on(self, today: datetime.date, clocks: dict[str, StageClock]) -> str:
        """The same rule as `ProjectQuerySet.with_light`, for one project in hand."""
        if self.stage in (Stage.PRODUCING, Stage.DROPPED):
            return Light.GREY
        clock = clocks.get(self.stage)
        if clock is None:
            return Light.GREEN
        waited = (today - self.stage_since).days
        if waited > clock.limit_days:
            return Light.RED
        if waited > clock.limit_days - clock.warn_days:
            return Light.YELLOW
        if clock.report_days and (today - self.last_report_on).days > clock.report_days:
            return Light.YELLOW
        return Light.GREEN

    def due_on(self, clocks: dict[str, StageClock]) -> datetime.date | None:
        """The last day the project may stay in its stage."""
        clock = clocks.get(self.stage)
        if clock is None:
            return None
        return self.stage_since + datetime.timedelta(days=clock.limit_days)

    def date_of(self, stage: str) -> datetime.date | None:
        return getattr(self, DATE_FIELDS[stage])


class EventKind(models.TextChoices):
    CREATED = "created", pgettext_lazy("investment event", "Entered")
    EDITED = "edited", pgettext_lazy("investment event", "Edited")
    STAGE = "stage", _("Stage changed")
    REPORT = "report", _("Progress reported")
    URGE = "urge", pgettext_lazy("investment event", "Urged")
    NOTICE = "notice", _("Put into a supervision notice")


class ProjectEvent(models.Model):
    """The project's timeline: every change, report, urge and notice, with its evidence."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=EventKind.choices)
    from_stage = models.CharField(_("from stage"), max_length=16, choices=Stage.choices, blank=True)
    to_stage = models.CharField(_("to stage"), max_length=16, choices=Stage.choices, blank=True)
    on = models.DateField(_("date"))
    text = models.TextField(_("text"), blank=True)
    evidence = models.ManyToManyField(
        StoredFile, verbose_name=_("evidence"), blank=True, related_name="+"
    )
    notice = models.ForeignKey(
        "supervision.Notice",
        verbose_name=_("supervision notice"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor = models.ForeignKey(
        USER, verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("project event")
        verbose_name_plural = _("project events")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.project} {self.get_kind_display()}"


class ProgressReport(models.Model):
    """A progress report (项目进展): what happened, and the funds that arrived since the
    last report (本期到位资金). The funds in place of a project are the sum of its reports."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="reports"
    )
    reported_on = models.DateField(_("report date"), db_index=True)
    text = models.TextField(_("progress"))
    received = money_field(_("funds in place this period (10k yuan)"), default=Decimal(0))
    reported_by = models.ForeignKey(
        USER, verbose_name=_("reported by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("entered at"), default=timezone.now)

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["-reported_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(received__gte=0), name="report_received_not_negative"
            )
        ]

    def __str__(self) -> str:
        return f"{self.project} {self.reported_on}"


class ActivityKind(models.TextChoices):
    PROMOTION = "promotion", _("Promotion event")
    VISIT_OUT = "visit_out", _("Visit to investors")
    DELEGATION = "delegation", _("Delegation received")
    ONLINE = "online", _("Online meeting")
    OTHER = "other", pgettext_lazy("investment activity", "Other")


class Activity(models.Model):
    """招商引资活动: a promotion event, a visit out, a delegation received, an online
    meeting — and the projects it produced."""

    kind = models.CharField(_("kind"), max_length=12, choices=ActivityKind.choices)
    title = models.CharField(_("title"), max_length=150)
    date = models.DateField(_("date"), db_index=True)
    place = models.CharField(_("place"), max_length=120)
    organiser = models.ForeignKey(
        OrgUnit,
        verbose_name=_("organised by"),
        on_delete=models.PROTECT,
        related_name="investment_activities",
    )
    # The county that held it (None: the city or the bureau), for county counts.
    county = models.ForeignKey(
        OrgUnit,
        verbose_name=_("county"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": "county"},
    )
    leader = models.CharField(_("led by"), max_length=100, blank=True)
    participants = models.TextField(_("participants"), blank=True)
    summary = models.TextField(_("summary"), blank=True)
    projects = models.ManyToManyField(
        Project, verbose_name=_("projects produced"), blank=True, related_name="activities"
    )
    created_by = models.ForeignKey(
        USER, verbose_name=_("entered by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("entered at"), default=timezone.now)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("promotion activity")
        verbose_name_plural = _("promotion activities")
        ordering = ["-date", "-pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("investment:activity", args=[self.pk])


class UpwardKind(models.TextChoices):
    POLICY = "policy", _("Policy")
    PROJECT = "project", pgettext_lazy("upward application", "Project")
    FUNDS = "funds", _("Funds")


class UpwardApplication(models.Model):
    """向上争取: what an office sought from a higher authority (农业农村部, 中国农科院,
    自治区农牧厅 …) for a chain, and what was granted."""

    title = models.CharField(_("what is sought"), max_length=150)
    kind = models.CharField(_("kind"), max_length=10, choices=UpwardKind.choices)
    authority = models.CharField(_("sought from"), max_length=60)
    chain = models.ForeignKey(
        Chain,
        verbose_name=_("industry chain"),
        on_delete=models.PROTECT,
        related_name="upward_applications",
    )
    office = models.ForeignKey(
        OrgUnit,
        verbose_name=_("office"),
        on_delete=models.PROTECT,
        related_name="upward_applications",
        limit_choices_to={"kind": "office"},
    )
    year = models.PositiveSmallIntegerField(_("year"), db_index=True)
    led_by = models.CharField(_("led by"), max_length=100, blank=True)
    amount_requested = money_field(_("amount requested (10k yuan)"), null=True, blank=True)
    amount_granted = money_field(_("amount granted (10k yuan)"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=UpwardStatus.choices,
        default=UpwardStatus.PREPARING,
        db_index=True,
    )
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    progress = models.TextField(_("progress"), blank=True)
    reason = models.TextField(_("reason"), blank=True)
    created_by = models.ForeignKey(
        USER, verbose_name=_("entered by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("entered at"), default=timezone.now)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("upward application")
        verbose_name_plural = _("upward applications")
        ordering = ["-year", "chain__sort_order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_requested__gte=0) | Q(amount_requested__isnull=True),
                name="upward_requested_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(amount_granted__gte=0) | Q(amount_granted__isnull=True),
                name="upward_granted_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("investment:upward", args=[self.pk])
