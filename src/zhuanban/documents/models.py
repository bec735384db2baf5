from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhuanban.core.models import StoredFile
from zhuanban.documents.lifecycle import MeetingStatus, Outcome, Stage, TopicStatus
from zhuanban.org.models import Chain, OrgUnit
from zhuanban.tasks.models import Task

USER = settings.AUTH_USER_MODEL


class Kind(models.TextChoices):
    OPINIONS = "opinions", _("Implementation opinions")
    PLAN = "plan", _("Implementation plan")
    SUPPORT = "support", _("Support policy")
    SUBSIDY = "subsidy", _("Subsidy plan")
    RULES = "rules", _("Management rules")
    HANDBOOK = "handbook", _("Handbook")
    WORK_PLAN = "work_plan", _("Work plan")
    RESEARCH = "research", _("Research report")
    BRIEFING = "briefing", _("Briefing material")


class Document(models.Model):
    """A policy document (政策文件) an office drafts, consults on, has deliberated and
    issues. `pen_holder` is who holds the pen now (执笔人)."""

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    office = models.ForeignKey(
        OrgUnit,
        verbose_name=_("drafting office"),
        on_delete=models.PROTECT,
        related_name="policy_documents",
        limit_choices_to={"kind": "office"},
    )
    lead_author = models.ForeignKey(
        USER,
        verbose_name=_("lead author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    pen_holder = models.ForeignKey(
        USER,
        verbose_name=_("holds the pen"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    chain = models.ForeignKey(
        Chain,
        verbose_name=_("industry chain"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="documents",
    )
    key_work = models.CharField(_("key work served"), max_length=100, blank=True)
    summary = models.TextField(pgettext_lazy("document", "summary"), blank=True)
    is_living = models.BooleanField(
        _("living document"),
        default=False,
        help_text=_("Revised in place once issued (a handbook, a set of rules)."),
    )
    stage = models.CharField(
        _("stage"), max_length=12, choices=Stage.choices, default=Stage.DRAFTING
    )
    deliberation = models.CharField(
        _("deliberated at"),
        max_length=200,
        blank=True,
        help_text=_("E.g. the city government's 12th executive meeting."),
    )
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    issuing_authority = models.CharField(_("issuing authority"), max_length=200, blank=True)
    issue_number = models.CharField(_("document number"), max_length=60, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    revised_on = models.DateField(_("last revised on"), null=True, blank=True)
    repealed_on = models.DateField(_("repealed on"), null=True, blank=True)
    created_by = models.ForeignKey(
        USER, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("policy document")
        verbose_name_plural = _("policy documents")
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["issue_number"],
                condition=~Q(issue_number=""),
                name="document_unique_issue_number",
                violation_error_message=_("Another document already has this number."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("documents:document", args=[self.pk])


class DocumentVersion(models.Model):
    """One draft of a document: an uploaded .docx (its text extracted) or text written
    in the app. Never changed once issued; a later draft is a new version."""

    document = models.ForeignKey(
        Document, verbose_name=_("document"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveSmallIntegerField(_("version number"))
    label = models.CharField(
        _("label"), max_length=40, blank=True, help_text=_("E.g. 征求意见稿, 送审稿.")
    )
    file = models.ForeignKey(
        StoredFile,
        verbose_name=_("file"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    text = models.TextField(_("text"))
    change_note = models.TextField(_("what changed"), blank=True)
    created_by = models.ForeignKey(
        USER, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    issued_at = models.DateTimeField(pgettext_lazy("version", "issued at"), null=True, blank=True)

    class Meta:
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        ordering = ["document", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "number"], name="document_version_unique_number"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document} v{self.number}"

    @property
    def is_issued(self) -> bool:
        return self.issued_at is not None


class DocumentEvent(models.Model):
    """One step of a document's lifecycle, shown as its history."""

    document = models.ForeignKey(
        Document, verbose_name=_("document"), on_delete=models.CASCADE, related_name="events"
    )
    actor = models.ForeignKey(
        USER, verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("time"), default=timezone.now)
    action = models.CharField(_("action"), max_length=20)
    from_stage = models.CharField(_("stage before"), max_length=12, blank=True)
    to_stage = models.CharField(_("stage after"), max_length=12, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("document event")
        verbose_name_plural = _("document events")
        ordering = ["document", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.document} {self.action}"


class OpinionRound(models.Model):
    """征求意见: one round of consultation on one version, with a deadline."""

    document = models.ForeignKey(
        Document, verbose_name=_("document"), on_delete=models.CASCADE, related_name="rounds"
    )
    number = models.PositiveSmallIntegerField(_("round"))
    draft = models.ForeignKey(
        DocumentVersion,
        verbose_name=_("version consulted on"),
        on_delete=models.PROTECT,
        related_name="rounds",
    )
    deadline = models.DateField(_("answer by"))
    letter = models.TextField(
        _("request"), blank=True, help_text=_("What the consulted are asked to look at.")
    )
    opened_by = models.ForeignKey(
        USER, verbose_name=_("opened by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    closed_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        verbose_name = _("opinion round")
        verbose_name_plural = _("opinion rounds")
        ordering = ["document", "number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="round_unique_number"),
            models.UniqueConstraint(
                fields=["document"],
                condition=Q(closed_at__isnull=True),
                name="round_one_open_per_document",
                violation_error_message=_("An opinion round is already open on this document."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document} #{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("documents:round", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class OpinionRequest(models.Model):
    """One consulted party of a round (a leader, or a county or department) and its
    answer: opinions, or 无意见. An answer after the deadline is taken, marked late."""

    round = models.ForeignKey(
        OpinionRound, verbose_name=_("round"), on_delete=models.CASCADE, related_name="requests"
    )
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("unit consulted"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="opinion_requests",
    )
    person = models.ForeignKey(
        USER,
        verbose_name=_("leader consulted"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="opinion_requests",
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        USER, verbose_name=_("answered by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    no_opinion = models.BooleanField(_("no opinion"), default=False)
    is_late = models.BooleanField(pgettext_lazy("opinion", "late"), default=False)
    urge_count = models.PositiveSmallIntegerField(_("times urged"), default=0)
    last_urged_at = models.DateTimeField(_("last urged at"), null=True, blank=True)

    class Meta:
        verbose_name = _("opinion request")
        verbose_name_plural = _("opinion requests")
        ordering = ["round", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(unit__isnull=True, person__isnull=False)
                | Q(unit__isnull=False, person__isnull=True),
                name="opinion_request_unit_or_person",
            ),
            models.UniqueConstraint(fields=["round", "unit"], name="opinion_request_unit_once"),
            models.UniqueConstraint(fields=["round", "person"], name="opinion_request_person_once"),
        ]

    def __str__(self) -> str:
        return self.consulted_name

    @property
    def consulted_name(self) -> str:
        if self.unit_id:
            return self.unit.name
        return self.person.get_full_name() or self.person.get_username()

    @property
    def answered(self) -> bool:
        return self.answered_at is not None


class Disposition(models.TextChoices):
    PENDING = "pending", pgettext_lazy("opinion disposition", "Not yet handled")
    ADOPTED = "adopted", pgettext_lazy("opinion disposition", "Adopted")
    PARTLY = "partly", pgettext_lazy("opinion disposition", "Partly adopted")
    NOT_ADOPTED = "not_adopted", pgettext_lazy("opinion disposition", "Not adopted")


REASON_DISPOSITIONS = frozenset({Disposition.PARTLY, Disposition.NOT_ADOPTED})


class Opinion(models.Model):
    """One opinion of an answer, and what the drafting office did with it."""

    request = models.ForeignKey(
        OpinionRequest,
        verbose_name=_("answer"),
        on_delete=models.CASCADE,
        related_name="opinions",
    )
    position = models.PositiveSmallIntegerField(pgettext_lazy("opinion", "number"), default=1)
    location = models.CharField(
        _("clause"), max_length=100, blank=True, help_text=_("E.g. part 2, measure 5.")
    )
    text = models.TextField(_("opinion"))
    disposition = models.CharField(
        _("adoption"), max_length=12, choices=Disposition.choices, default=Disposition.PENDING
    )
    reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(
        USER, verbose_name=_("handled by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("opinion")
        verbose_name_plural = _("opinions")
        ordering = ["request", "position"]

    def __str__(self) -> str:
        return self.text[:50]


class MeetingKind(models.TextChoices):
    PARTY_GROUP = "party_group", _("Party group meeting")
    BUREAU = "bureau", _("Bureau meeting")
    DIRECTOR = "director", _("Director's meeting")
    PROMOTION = "promotion", _("Special promotion meeting")
    DISPATCH = "dispatch", _("Dispatch meeting")
    SITE = "site", _("On-site observation meeting")


class Meeting(models.Model):
    """A meeting (党组会, 局务会 …) to which offices submit agenda topics. `sequence` is
    its number among the year's meetings of its kind (第N次), given at creation."""

    kind = models.CharField(_("kind"), max_length=12, choices=MeetingKind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    sequence = models.PositiveSmallIntegerField(_("number in the year"))
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("date and time"))
    place = models.CharField(_("place"), max_length=100, blank=True)
    convener = models.ForeignKey(
        OrgUnit,
        verbose_name=_("convened by"),
        on_delete=models.PROTECT,
        related_name="meetings",
        help_text=_("The bureau, or the office that holds a promotion meeting."),
    )
    chair = models.ForeignKey(
        USER,
        verbose_name=_("chair"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    attendees = models.ManyToManyField(
        USER, verbose_name=_("attendees"), blank=True, related_name="meetings_attended"
    )
    attendees_text = models.TextField(
        _("also attending"), blank=True, help_text=_("Units and people attending as guests (列席).")
    )
    topic_deadline = models.DateField(_("topics due by"), null=True, blank=True)
    minutes_number = models.CharField(_("minutes number"), max_length=60, blank=True)
    minutes_summary = models.TextField(_("minutes"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    created_by = models.ForeignKey(
        USER, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "year", "sequence"], name="meeting_unique_sequence"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("documents:meeting", args=[self.pk])


class Topic(models.Model):
    """议题: what an office puts before a meeting, and the meeting's decision on it."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.PROTECT, related_name="topics"
    )
    office = models.ForeignKey(
        OrgUnit,
        verbose_name=_("submitting office"),
        on_delete=models.PROTECT,
        related_name="meeting_topics",
    )
    title = models.CharField(_("topic"), max_length=200)
    summary = models.TextField(_("report"), blank=True)
    request = models.TextField(_("asked of the meeting"), blank=True)
    presenter = models.ForeignKey(
        USER,
        verbose_name=_("presented by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    document = models.ForeignKey(
        Document,
        verbose_name=_("document for deliberation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="topics",
    )
    materials = models.ManyToManyField(
        StoredFile, verbose_name=_("materials"), blank=True, related_name="+"
    )
    position = models.PositiveSmallIntegerField(_("order on the agenda"), default=0)
    status = models.CharField(
        _("status"), max_length=10, choices=TopicStatus.choices, default=TopicStatus.SUBMITTED
    )
    defer_reason = models.TextField(_("reason for deferring"), blank=True)
    times_deferred = models.PositiveSmallIntegerField(_("times deferred"), default=0)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)
    decision = models.TextField(pgettext_lazy("topic", "decision"), blank=True)
    submitted_by = models.ForeignKey(
        USER,
        verbose_name=_("submitted by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    decided_at = models.DateTimeField(pgettext_lazy("topic", "decided at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("agenda topic")
        verbose_name_plural = _("agenda topics")
        ordering = ["meeting", "position", "submitted_at", "pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("documents:topic", args=[self.pk])


class TopicTask(models.Model):
    """A task created from a topic's decision: it follows the task lifecycle and its
    page links back here."""

    topic = models.ForeignKey(
        Topic, verbose_name=_("agenda topic"), on_delete=models.PROTECT, related_name="task_links"
    )
    task = models.OneToOneField(
        Task, verbose_name=_("task"), on_delete=models.CASCADE, related_name="meeting_link"
    )
    created_by = models.ForeignKey(
        USER, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("task from a decision")
        verbose_name_plural = _("tasks from decisions")
        ordering = ["topic", "pk"]

    def __str__(self) -> str:
        return f"{self.topic} → {self.task_id}"
