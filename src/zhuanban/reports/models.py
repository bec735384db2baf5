"""Bulletin series and their issues, report templates. The only business data this app
owns: every figure on a dashboard, in a generated section or in a work summary is read
from the other apps' selectors when it is asked for.

A published issue keeps the text it was published with (its sections and `search_text`)
and its .docx (and PDF): it is the record, whatever the data says later.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhuanban.core.models import StoredFile
from zhuanban.org.models import OrgUnit
from zhuanban.reports.lifecycle import BulletinStatus

USER = settings.AUTH_USER_MODEL


class SeriesKind(models.TextChoices):
    NEWS = "news", _("Work news (信息动态)")
    SPECIAL = "special", _("Special report (专报)")
    LEDGER = "ledger", _("Work ledger (工作台账)")
    DISPATCH = "dispatch", _("Dispatch bulletin (调度通报)")
    SUMMARY = "summary", _("Work summary")


class Series(models.Model):
    """A numbered series: each issue is 第N期 of its year, numbered on publishing."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=SeriesKind.choices)
    issuer = models.ForeignKey(
        OrgUnit,
        verbose_name=_("issuing unit"),
        on_delete=models.PROTECT,
        related_name="bulletin_series",
        help_text=_("The bureau or the office whose staff compile and publish the series."),
    )
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("bulletin series")
        verbose_name_plural = _("bulletin series")
        ordering = ["sort_order", "pk"]

    def __str__(self) -> str:
        return self.name


class SeriesYear(models.Model):
    """The last number given in a series in a year: publishing locks this row, so two
    issues published at once get consecutive numbers and none is given twice."""

    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="years")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["series", "year"], name="series_year_once")]

    def __str__(self) -> str:
        return f"{self.series} {self.year}: {self.last_number}"


class Bulletin(models.Model):
    series = models.ForeignKey(
        Series, verbose_name=_("series"), on_delete=models.PROTECT, related_name="bulletins"
    )
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=BulletinStatus.choices, default=BulletinStatus.DRAFT
    )
    # Given on publishing: 2023年第5期.
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    number = models.PositiveIntegerField(_("issue number"), null=True, blank=True)
    issue_date = models.DateField(_("date of issue"), null=True, blank=True)
    compiled_by = models.CharField(_("compiled by"), max_length=50, blank=True)
    signed_by = models.CharField(_("signed off by"), max_length=50, blank=True)
    distribution = models.CharField(
        _("sent to"), max_length=300, blank=True, help_text=_("报：… 送：… 发：…")
    )
    created_by = models.ForeignKey(
        USER, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    published_by = models.ForeignKey(
        USER,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    # The title and every section's heading and text as published: what the archive searches.
    search_text = models.TextField(_("text"), blank=True)
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
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("bulletin issue")
        verbose_name_plural = _("bulletin issues")
        ordering = ["-year", "-number", "-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "year", "number"],
                condition=Q(number__isnull=False),
                name="bulletin_number_once_per_series_year",
            ),
            models.CheckConstraint(
                condition=Q(status=BulletinStatus.DRAFT)
                | Q(number__isnull=False, year__isnull=False, issue_date__isnull=False),
                name="bulletin_published_is_numbered",
            ),
        ]
        indexes = [models.Index(fields=["status", "-published_at"])]

    def __str__(self) -> str:
        return f"{self.series.name} {self.number_text} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("reports:bulletin", args=[self.pk])

    @property
    def is_published(self) -> bool:
        return self.status == BulletinStatus.PUBLISHED

    @property
    def number_text(self) -> str:
        """2023年第5期; a draft has none yet."""
        if self.number is None:
            return str(_("(draft)"))
        return _("Year %(year)s, issue %(number)s") % {"year": self.year, "number": self.number}


class Section(models.Model):
    """One part of an issue: a heading and text, written by hand or drafted from data
    (`source` names the generator, `params` what it was asked) and then edited."""

    bulletin = models.ForeignKey(
        Bulletin,
        verbose_name=_("bulletin issue"),
        on_delete=models.CASCADE,
        related_name="sections",
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    heading = models.CharField(_("heading"), max_length=200, blank=True)
    body = models.TextField(_("text"), blank=True)
    source = models.CharField(_("drafted from"), max_length=30, blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    # [{"label": "76项", "url": "/tasks/?…"}]: where each figure of the draft came from.
    links = models.JSONField(_("sources"), default=list, blank=True)
    generated_at = models.DateTimeField(_("drafted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["bulletin", "position", "pk"]

    def __str__(self) -> str:
        return self.heading or f"#{self.position}"


class ReportTemplate(models.Model):
    """A report for superiors (汇报材料) on one topic: its sections, each drafted from data
    by a generator, filled in on demand and downloaded as .docx."""

    title = models.CharField(_("title"), max_length=200, unique=True)
    office = models.ForeignKey(
        OrgUnit,
        verbose_name=_("office"),
        on_delete=models.PROTECT,
        related_name="report_templates",
        limit_choices_to={"kind": "office"},
    )
    opening = models.TextField(_("opening paragraph"), blank=True)
    # [{"heading": "一、基本情况", "source": "indicators", "params": {...}, "text": "…"}]
    sections = models.JSONField(_("sections"), default=list)
    is_active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("report template")
        verbose_name_plural = _("report templates")
        ordering = ["office__sort_order", "title"]

    def __str__(self) -> str:
        return self.title
