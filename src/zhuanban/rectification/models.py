import datetime

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Case, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhuanban.core.models import StoredFile
from zhuanban.org.models import OrgUnit
from zhuanban.rectification.lifecycle import ENDED_STATES, PENDING_STATES, Status
from zhuanban.tasks.models import Light


class SourceKind(models.TextChoices):
    """Where a problem was found; later capabilities add theirs here."""

    VISIT = "visit", _("Supervisory visit")
    NOTICE = "notice", _("Supervision notice")
    ASSESSMENT = "assessment", _("Assessment deduction")
    BRAND = "brand", _("Brand re-review")


class RectificationQuerySet(models.QuerySet):
    def pending(self):
        """Items waiting for the unit (open or sent back)."""
        return self.filter(status__in=PENDING_STATES)

    def overdue(self, today: datetime.date | None = None):
        return self.pending().filter(due_date__lt=today or timezone.localdate())

    def with_light(self, today: datetime.date | None = None):
        """The task warning lights, computed in the database: red when the unit has not
        answered by the deadline, yellow when it is near, grey once ended. An item
        answered and waiting for the office is green: the unit has done its part."""
        today = today or timezone.localdate()
        soon = today + datetime.timedelta(days=settings.TASK_DUE_SOON_DAYS)
        return self.annotate(
            light=Case(
                When(status__in=ENDED_STATES, then=Value(Light.GREY)),
                When(status=Status.RESPONDED, then=Value(Light.GREEN)),
                When(due_date__lt=today, then=Value(Light.RED)),
                When(due_date__lte=soon, then=Value(Light.YELLOW)),
                default=Value(Light.GREEN),
                output_field=models.CharField(),
            )
        )


class Rectification(models.Model):
    """One thing a unit must fix (整改事项), from whatever found it, until the office has
    verified the fix."""

    source_kind = models.CharField(
        _("found by"), max_length=20, choices=SourceKind.choices, db_index=True
    )
    source_type = models.ForeignKey(
        ContentType, verbose_name=_("source type"), on_delete=models.PROTECT, related_name="+"
    )
    source_id = models.PositiveBigIntegerField(_("source id"))
    source = GenericForeignKey("source_type", "source_id")
    # How the source reads in lists (e.g. "督导检查 2023-05-12 卓资县"), kept so a list
    # of items needs no query per source.
    source_label = models.CharField(_("source"), max_length=200)

    office = models.ForeignKey(
        OrgUnit,
        verbose_name=_("verifying office"),
        on_delete=models.PROTECT,
        related_name="rectifications_verified",
        limit_choices_to={"kind": "office"},
    )
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("responsible unit"),
        on_delete=models.PROTECT,
        related_name="rectifications",
    )
    # The county the unit belongs to (itself or an ancestor), for counts by county.
    county = models.ForeignKey(
        OrgUnit,
        verbose_name=_("county"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="county_rectifications",
    )
    problem = models.TextField(_("problem found"))
    requirement = models.TextField(_("what must be fixed"))
    due_date = models.DateField(_("rectification deadline"))
    original_due_date = models.DateField(_("original deadline"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("raised by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    raised_at = models.DateTimeField(_("raised at"), default=timezone.now)
    responded_at = models.DateTimeField(_("last reported at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = RectificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("rectification item")
        verbose_name_plural = _("rectification items")
        ordering = ["due_date", "pk"]
        indexes = [
            models.Index(fields=["source_type", "source_id"]),
            models.Index(fields=["status", "due_date"]),
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.problem[:40]}"


class Verdict(models.TextChoices):
    PENDING = "pending", _("Awaiting verification")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Sent back")


class RectificationResponse(models.Model):
    """整改反馈: what the unit did, with evidence, and the office's verdict on it."""

    item = models.ForeignKey(
        Rectification,
        verbose_name=_("rectification item"),
        on_delete=models.CASCADE,
        related_name="responses",
    )
    responder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("reported at"), default=timezone.now)
    text = models.TextField(_("what was done"))
    evidence = models.ManyToManyField(
        StoredFile, verbose_name=_("evidence"), blank=True, related_name="rectification_responses"
    )
    verdict = models.CharField(
        _("verdict"), max_length=10, choices=Verdict.choices, default=Verdict.PENDING
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verdict_comment = models.TextField(_("verification comment"), blank=True)

    class Meta:
        verbose_name = _("rectification report")
        verbose_name_plural = _("rectification reports")
        ordering = ["-at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["item"],
                condition=Q(verdict="pending"),
                name="one_pending_response_per_item",
            )
        ]

    def __str__(self) -> str:
        return f"{self.item_id} {self.at:%Y-%m-%d}"


class RectificationEvent(models.Model):
    """The item's timeline: every transition and side action, with who, when and why."""

    item = models.ForeignKey(
        Rectification,
        verbose_name=_("rectification item"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("time"), auto_now_add=True)
    action = models.CharField(_("action"), max_length=20)
    from_status = models.CharField(_("status before"), max_length=12, blank=True)
    to_status = models.CharField(_("status after"), max_length=12, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("rectification event")
        verbose_name_plural = _("rectification events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.item_id} {self.action}"
