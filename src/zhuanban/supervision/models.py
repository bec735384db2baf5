from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhuanban.core.models import StoredFile
from zhuanban.org.models import OrgUnit
from zhuanban.rectification.models import Rectification
from zhuanban.supervision.lifecycle import NoticeStatus
from zhuanban.tasks.models import Task, TaskList


def _rectifications():
    return GenericRelation(
        Rectification,
        content_type_field="source_type",
        object_id_field="source_id",
        related_query_name="%(class)s",
    )


class InspectionGroup(models.Model):
    """督导检查组: a leader, members, the counties and key works it covers, a period."""

    name = models.CharField(_("name"), max_length=100)
    year = models.PositiveSmallIntegerField(_("year"))
    office = models.ForeignKey(
        OrgUnit,
        verbose_name=_("organising office"),
        on_delete=models.PROTECT,
        related_name="inspection_groups",
        limit_choices_to={"kind": "office"},
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("group leader"),
        on_delete=models.PROTECT,
        related_name="inspection_groups_led",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("members"),
        blank=True,
        related_name="inspection_groups",
    )
    counties = models.ManyToManyField(
        OrgUnit,
        verbose_name=_("counties covered"),
        related_name="inspection_groups_covering",
        limit_choices_to={"kind": "county"},
    )
    task_lists = models.ManyToManyField(
        TaskList, verbose_name=_("key works"), blank=True, related_name="inspection_groups"
    )
    topics = models.TextField(_("topics"), blank=True)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
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
        verbose_name = _("inspection group")
        verbose_name_plural = _("inspection groups")
        ordering = ["-year", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="group_period_in_order",
                violation_error_message=_("The end of the period cannot be before its start."),
            ),
            models.UniqueConstraint(fields=["year", "name"], name="group_unique_name_per_year"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("supervision:group", args=[self.pk])


class VisitKind(models.TextChoices):
    INSPECTION = "inspection", pgettext_lazy("visit kind", "Supervisory inspection")
    RESEARCH = "research", pgettext_lazy("visit kind", "Field research")
    OPEN = "open", pgettext_lazy("visit kind", "Open inspection")
    UNANNOUNCED = "unannounced", pgettext_lazy("visit kind", "Unannounced inspection")
    SITE_MEETING = "site_meeting", pgettext_lazy("visit kind", "On-site observation meeting")
    FORUM = "forum", pgettext_lazy("visit kind", "Forum")


class VisitStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("visit status", "Planned")
    DONE = "done", pgettext_lazy("visit status", "Carried out")


class Visit(models.Model):
    """督导 / 调研 / 明察 / 暗访 / 现场观摩会 / 座谈会: planned by a group, or recorded
    after the fact; findings are written on site."""

    group = models.ForeignKey(
        InspectionGroup,
        verbose_name=_("inspection group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="visits",
    )
    office = models.ForeignKey(
        OrgUnit,
        verbose_name=_("organising office"),
        on_delete=models.PROTECT,
        related_name="visits",
        limit_choices_to={"kind": "office"},
    )
    kind = models.CharField(_("kind"), max_length=20, choices=VisitKind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=VisitStatus.choices, default=VisitStatus.DONE
    )
    date = models.DateField(_("date"), db_index=True)
    place = models.CharField(_("place"), max_length=200)
    county = models.ForeignKey(
        OrgUnit,
        verbose_name=_("county"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="visits_received",
        limit_choices_to={"kind": "county"},
    )
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("participants"),
        blank=True,
        related_name="visits",
    )
    other_participants = models.CharField(
        _("other participants"),
        max_length=300,
        blank=True,
        help_text=_("People without an account, e.g. the county's deputy head."),
    )
    tasks = models.ManyToManyField(
        Task, verbose_name=_("tasks checked"), blank=True, related_name="visits"
    )
    topics = models.TextField(_("topics checked"), blank=True)
    summary = models.TextField(_("summary"), blank=True)
    report_text = models.TextField(_("research report"), blank=True)
    report_file = models.ForeignKey(
        StoredFile,
        verbose_name=_("research report file"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    photos = models.ManyToManyField(
        StoredFile, verbose_name=_("photos"), blank=True, related_name="visits"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("supervisory visit")
        verbose_name_plural = _("supervisory visits")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["county", "date"])]

    def __str__(self) -> str:
        where = self.county.name if self.county_id else self.place
        return f"{self.get_kind_display()} {self.date:%Y-%m-%d} {where}"

    def get_absolute_url(self) -> str:
        return reverse("supervision:visit", args=[self.pk])


class FindingKind(models.TextChoices):
    PROBLEM = "problem", _("Problem")
    GOOD_PRACTICE = "good_practice", _("Good practice")


class Finding(models.Model):
    """What was seen on a visit; a problem becomes one rectification item."""

    visit = models.ForeignKey(
        Visit, verbose_name=_("visit"), on_delete=models.CASCADE, related_name="findings"
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=FindingKind.choices, default=FindingKind.PROBLEM
    )
    text = models.TextField(_("finding"))
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("unit concerned"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="findings",
    )
    photos = models.ManyToManyField(
        StoredFile, verbose_name=_("photos"), blank=True, related_name="findings"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    rectifications = _rectifications()

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["recorded_at", "pk"]

    def __str__(self) -> str:
        return self.text[:60]

    def get_absolute_url(self) -> str:
        return f"{reverse('supervision:visit', args=[self.visit_id])}#finding-{self.pk}"


class IssuingAuthority(models.Model):
    """发文机关: issues notices under its own number series (乌农牧督〔2023〕11号)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    # 发文机关标志, the red header: e.g. 中共乌兰察布市委农村牧区工作办公室
    header = models.CharField(_("header"), max_length=100)
    # 机关代字 + 类别: the part of the number before 〔year〕, e.g. 乌农牧督
    number_prefix = models.CharField(_("number prefix"), max_length=20, unique=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("issuing authority")
        verbose_name_plural = _("issuing authorities")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class NoticeCounter(models.Model):
    """The last number an authority issued in a year; locked while a notice is issued, so
    numbers are consecutive and never reused."""

    authority = models.ForeignKey(
        IssuingAuthority,
        verbose_name=_("issuing authority"),
        on_delete=models.PROTECT,
        related_name="counters",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("notice number series")
        verbose_name_plural = _("notice number series")
        constraints = [
            models.UniqueConstraint(fields=["authority", "year"], name="one_counter_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.authority.number_prefix}〔{self.year}〕{self.last}"


class NoticeKind(models.TextChoices):
    SUPERVISION = "supervision", _("Supervision notice")
    COMMENDATION = "commendation", _("Commendation notice")


class NoticeQuerySet(models.QuerySet):
    def issued(self):
        return self.filter(status__in=[NoticeStatus.ISSUED, NoticeStatus.CLOSED])


class Notice(models.Model):
    """督办通报 (or 通报表扬). Content is editable only as a draft; on issue it gets its
    number and its documents and is frozen."""

    office = models.ForeignKey(
        OrgUnit,
        verbose_name=_("drafting office"),
        on_delete=models.PROTECT,
        related_name="notices",
        limit_choices_to={"kind": "office"},
    )
    authority = models.ForeignKey(
        IssuingAuthority,
        verbose_name=_("issuing authority"),
        on_delete=models.PROTECT,
        related_name="notices",
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=NoticeKind.choices, default=NoticeKind.SUPERVISION
    )
    title = models.CharField(_("title"), max_length=200)
    addressees = models.CharField(
        _("addressees"),
        max_length=300,
        help_text=_("As printed above the body, e.g. 各旗县市区农牧局，市直有关单位"),
    )
    units = models.ManyToManyField(
        OrgUnit,
        verbose_name=_("units concerned"),
        through="NoticeRecipient",
        related_name="notices_received",
    )
    copied_to = models.CharField(
        _("copied to"),
        max_length=300,
        blank=True,
        help_text=_(
            "The authorities sent a copy (抄送机关), printed at the foot of the last page."
        ),
    )
    opening = models.TextField(_("opening paragraph"))
    closing = models.TextField(_("closing paragraph"), blank=True)
    reply_deadline = models.DateField(_("reply deadline"), null=True, blank=True)
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("corrects notice"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=NoticeStatus.choices,
        default=NoticeStatus.DRAFT,
        db_index=True,
    )
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    sequence = models.PositiveIntegerField(_("sequence number"), null=True, blank=True)
    issue_date = models.DateField(_("date of issue"), null=True, blank=True)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("drafted by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    docx = models.ForeignKey(
        StoredFile,
        verbose_name=_("Word document"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    pdf = models.ForeignKey(
        StoredFile,
        verbose_name=_("PDF"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # SHA-256 of the content as issued (title, units, reasons, requirements...).
    content_sha256 = models.CharField(_("content SHA-256"), max_length=64, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    rectifications = _rectifications()

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("supervision notice")
        verbose_name_plural = _("supervision notices")
        ordering = ["-year", "-sequence", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "year", "sequence"],
                condition=Q(sequence__isnull=False),
                name="notice_number_unique",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "in_review"])
                | (Q(sequence__isnull=False) & Q(year__isnull=False)),
                name="issued_notice_has_number",
            ),
        ]

    def __str__(self) -> str:
        number = self.number or _("(draft)")
        return f"{number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("supervision:notice", args=[self.pk])

    @property
    def number(self) -> str:
        """发文字号 as printed: 乌农牧督〔2023〕11号 (no leading zeros, GB/T 9704 7.2.4)."""
        if self.sequence is None:
            return ""
        return f"{self.authority.number_prefix}〔{self.year}〕{self.sequence}号"

    @property
    def is_issued(self) -> bool:
        return self.status in (NoticeStatus.ISSUED, NoticeStatus.CLOSED)


class NoticeRecipient(models.Model):
    """A unit concerned by a notice, and its reply (回复)."""

    notice = models.ForeignKey(
        Notice, verbose_name=_("notice"), on_delete=models.CASCADE, related_name="recipients"
    )
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    reply_text = models.TextField(_("reply"), blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("replied by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reply_evidence = models.ManyToManyField(
        StoredFile, verbose_name=_("reply attachments"), blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("unit concerned")
        verbose_name_plural = _("units concerned")
        ordering = ["unit__code"]
        constraints = [models.UniqueConstraint(fields=["notice", "unit"], name="notice_unit_once")]

    def __str__(self) -> str:
        return f"{self.notice_id} {self.unit_id}"


class ReasonKind(models.TextChoices):
    RED_TASK = "red_task", _("Overdue task")
    LATE_SUBMISSION = "late_submission", _("Late dispatch report")
    MISSING_SUBMISSION = "missing_submission", _("Missing dispatch report")
    LAGGING_INDICATOR = "lagging_indicator", _("Indicator behind time")
    OVERDUE_RECTIFICATION = "overdue_rectification", _("Overdue rectification")
    ACHIEVEMENT = "achievement", _("Achievement")
    OTHER = "other", _("Other")


class NoticeReason(models.Model):
    """One reason for the notice, about one unit: usually drafted from data (a red task,
    a late report, a lagging indicator) with its figures, then edited by hand."""

    notice = models.ForeignKey(
        Notice, verbose_name=_("notice"), on_delete=models.CASCADE, related_name="reasons"
    )
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=ReasonKind.choices)
    text = models.TextField(_("text"))
    # The figures as they stood when drafted, e.g. {"due": "2023-06-30", "days_late": 12}.
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    # The record it came from, as "app_label.model:pk" (a task, a submission, ...).
    source_ref = models.CharField(_("source record"), max_length=60, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=1)

    class Meta:
        verbose_name = _("notice reason")
        verbose_name_plural = _("notice reasons")
        ordering = ["notice", "position", "pk"]

    def __str__(self) -> str:
        return self.text[:60]


class NoticeRequirement(models.Model):
    """整改要求: on issue, one rectification item per unit concerned."""

    notice = models.ForeignKey(
        Notice, verbose_name=_("notice"), on_delete=models.CASCADE, related_name="requirements"
    )
    text = models.TextField(_("requirement"))
    position = models.PositiveSmallIntegerField(_("position"), default=1)

    class Meta:
        verbose_name = _("notice requirement")
        verbose_name_plural = _("notice requirements")
        ordering = ["notice", "position", "pk"]

    def __str__(self) -> str:
        return self.text[:60]


class NoticeEvent(models.Model):
    """The notice's timeline: every transition, with who, when and why."""

    notice = models.ForeignKey(
        Notice, verbose_name=_("notice"), on_delete=models.CASCADE, related_name="events"
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
        verbose_name = _("notice event")
        verbose_name_plural = _("notice events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.notice_id} {self.action}"
