"""The regional public brand register (原味乌兰察布): enterprises, their authorization
applications, the licences approval issues, logo use, the annual re-review and sales.

A licence's validity is never stored as a flag: it is computed from its dates and its
removal (`LicenceQuerySet.with_state`, `Licence.state_on`), so a licence past its date
can never be shown as valid.
"""

import datetime

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Case, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhuanban.brand.lifecycle import AppStatus, ReviewStatus
from zhuanban.brand.validators import validate_credit_code
from zhuanban.core.models import StoredFile
from zhuanban.org.models import OrgUnit
from zhuanban.rectification.models import Rectification

USER = settings.AUTH_USER_MODEL


class EnterpriseKind(models.TextChoices):
    NATIONAL_LEADING = (
        "national_leading",
        _("National leading enterprise of agricultural industrialisation"),
    )
    REGIONAL_LEADING = (
        "regional_leading",
        _("Regional leading enterprise of agricultural industrialisation"),
    )
    CITY_LEADING = "city_leading", _("City leading enterprise of agricultural industrialisation")
    COOPERATIVE = "cooperative", _("Farmers' cooperative")
    FAMILY_FARM = "family_farm", _("Family farm")
    OTHER = "other", _("Other enterprise")


class Category(models.TextChoices):
    POTATO = "potato", _("Potatoes and potato products")
    GRAINS = "grains", _("Oats and minor grains")
    MEAT = "meat", _("Meat and meat products")
    DAIRY = "dairy", _("Milk and dairy products")
    VEGETABLES = "vegetables", _("Vegetables")
    OTHER = "other", pgettext_lazy("brand product category", "Other")


class Enterprise(models.Model):
    """An enterprise of the brand register. Each has an org unit of its own (kind
    enterprise, under its county), so the shared rectification loop can address it and
    its applicant logins belong to it."""

    unit = models.OneToOneField(
        OrgUnit,
        verbose_name=_("org unit"),
        on_delete=models.PROTECT,
        related_name="brand_enterprise",
        editable=False,
    )
    name = models.CharField(_("enterprise name"), max_length=100, unique=True)
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        unique=True,
        validators=[validate_credit_code],
        help_text=_("18 characters, GB 32100-2015, e.g. 91150900MA0000001K."),
    )
    county = models.ForeignKey(
        OrgUnit,
        verbose_name=_("county"),
        on_delete=models.PROTECT,
        related_name="brand_enterprises",
        limit_choices_to={"kind": "county"},
    )
    kind = models.CharField(_("enterprise type"), max_length=20, choices=EnterpriseKind.choices)
    legal_representative = models.CharField(_("legal representative"), max_length=40, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=40)
    contact_phone = models.CharField(_("contact phone"), max_length=40)
    address = models.CharField(_("address"), max_length=200, blank=True)
    association_member = models.BooleanField(_("member of the brand association"), default=False)
    association_joined_on = models.DateField(_("joined the association on"), null=True, blank=True)
    created_by = models.ForeignKey(
        USER, verbose_name=_("entered by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("entered at"), default=timezone.now)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("brand enterprise")
        verbose_name_plural = _("brand enterprises")
        ordering = ["county__sort_order", "name", "pk"]

    def __str__(self) -> str:
        return self.name


class Application(models.Model):
    """授权申请: an enterprise asks to use the brand for some of its products."""

    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    number = models.CharField(_("application number"), max_length=20, unique=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=AppStatus.choices,
        default=AppStatus.DRAFT,
        db_index=True,
    )
    created_by = models.ForeignKey(
        USER, verbose_name=_("entered by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("entered at"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    county_opinion = models.TextField(_("county first-review opinion"), blank=True)
    county_reviewer = models.ForeignKey(
        USER,
        verbose_name=_("first reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    county_reviewed_at = models.DateTimeField(_("first reviewed at"), null=True, blank=True)
    office_opinion = models.TextField(_("brand office review opinion"), blank=True)
    office_reviewer = models.ForeignKey(
        USER,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    office_reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("authorization application")
        verbose_name_plural = _("authorization applications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise"],
                condition=Q(status__in=["draft", "county_review", "office_review"]),
                name="one_open_brand_application_per_enterprise",
            )
        ]

    def __str__(self) -> str:
        return self.number


class Product(models.Model):
    """A product an application asks the brand for (and, once approved, licenses)."""

    application = models.ForeignKey(
        Application,
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="products",
    )
    name = models.CharField(_("product name"), max_length=100)
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    standard = models.CharField(
        _("product standard"), max_length=100, help_text=_("e.g. GB/T 20886 or Q/YSYM 0001S")
    )
    origin_base = models.CharField(_("origin base"), max_length=200)
    annual_output = models.DecimalField(
        _("annual output (tonnes)"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )

    class Meta:
        verbose_name = _("brand product")
        verbose_name_plural = _("brand products")
        ordering = ["application", "pk"]

    def __str__(self) -> str:
        return self.name


class AttachmentKind(models.TextChoices):
    BUSINESS_LICENCE = "business_licence", _("Business licence")
    INSPECTION_REPORT = "inspection_report", _("Quality inspection report")
    ORIGIN_PROOF = "origin_proof", _("Proof of origin")
    EXPERT_OPINION = "expert_opinion", _("Expert opinion")
    OTHER = "other", pgettext_lazy("brand attachment", "Other")


# What an application cannot be submitted without.
REQUIRED_ATTACHMENTS = (
    AttachmentKind.BUSINESS_LICENCE,
    AttachmentKind.INSPECTION_REPORT,
    AttachmentKind.ORIGIN_PROOF,
)


class Attachment(models.Model):
    application = models.ForeignKey(
        Application,
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    kind = models.CharField(_("document"), max_length=20, choices=AttachmentKind.choices)
    file = models.ForeignKey(StoredFile, verbose_name=_("file"), on_delete=models.PROTECT)
    note = models.CharField(_("note"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        USER, verbose_name=_("uploaded by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("application document")
        verbose_name_plural = _("application documents")
        ordering = ["application", "kind", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.file}"


class LicenceState(models.TextChoices):
    VALID = "valid", pgettext_lazy("brand licence", "Valid")
    NOT_YET = "not_yet", _("Not yet in force")
    EXPIRED = "expired", pgettext_lazy("brand licence", "Expired")
    REVOKED = "revoked", _("Revoked (清退)")


class LicenceQuerySet(models.QuerySet):
    def valid_on(self, day: datetime.date | None = None):
        day = day or timezone.localdate()
        return self.filter(
            Q(revoked_on__isnull=True) | Q(revoked_on__gt=day),
            valid_from__lte=day,
            valid_until__gte=day,
        )

    def with_state(self, day: datetime.date | None = None):
        """`state` computed in the database for `day` (today by default)."""
        day = day or timezone.localdate()
        return self.annotate(
            state=Case(
                When(revoked_on__lte=day, then=Value(LicenceState.REVOKED)),
                When(valid_until__lt=day, then=Value(LicenceState.EXPIRED)),
                When(valid_from__gt=day, then=Value(LicenceState.NOT_YET)),
                default=Value(LicenceState.VALID),
                output_field=models.CharField(),
            )
        )


class Licence(models.Model):
    """授权证书: the right to use the brand for an application's products, for a period.

    The number is random (e.g. YW-2023-7K3M9Q2X), so that the public verification page
    cannot be walked through by counting."""

    number = models.CharField(_("licence number"), max_length=24, unique=True)
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="licences"
    )
    application = models.OneToOneField(
        Application,
        verbose_name=_("application"),
        on_delete=models.PROTECT,
        related_name="licence",
    )
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    issued_by = models.ForeignKey(
        USER, verbose_name=_("issued by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    revoked_on = models.DateField(_("removed on"), null=True, blank=True)
    revoked_reason = models.TextField(_("reason for removal"), blank=True)
    revoked_by = models.ForeignKey(
        USER,
        verbose_name=_("removed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = LicenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("brand licence")
        verbose_name_plural = _("brand licences")
        ordering = ["-valid_from", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("valid_from")),
                name="brand_licence_period_in_order",
            )
        ]

    def __str__(self) -> str:
        return self.number

    def state_on(self, day: datetime.date | None = None) -> str:
        day = day or timezone.localdate()
        if self.revoked_on is not None and self.revoked_on <= day:
            return LicenceState.REVOKED
        if self.valid_until < day:
            return LicenceState.EXPIRED
        if self.valid_from > day:
            return LicenceState.NOT_YET
        return LicenceState.VALID


class Channel(models.TextChoices):
    SUPERMARKET = "supermarket", _("Supermarkets")
    ECOMMERCE = "ecommerce", _("E-commerce")
    WHOLESALE = "wholesale", _("Wholesale markets")
    STORE = "store", _("Own or specialty stores")
    CATERING = "catering", _("Catering and institutions")
    EXPORT = "export", _("Outside the region")
    OTHER = "other", pgettext_lazy("sales channel", "Other")


class LogoUse(models.Model):
    """用标: which packaging of a licensed product carries the logo, sold where."""

    licence = models.ForeignKey(
        Licence, verbose_name=_("licence"), on_delete=models.CASCADE, related_name="logo_uses"
    )
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="logo_uses"
    )
    packaging = models.CharField(_("packaging"), max_length=100, help_text=_("e.g. 500 g bag"))
    channels = models.JSONField(_("sales channels"), default=list)
    since = models.DateField(_("in use since"))
    photos = models.ManyToManyField(
        StoredFile, verbose_name=_("packaging photos"), blank=True, related_name="+"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        USER, verbose_name=_("recorded by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("logo use")
        verbose_name_plural = _("logo uses")
        ordering = ["licence", "product", "pk"]

    def __str__(self) -> str:
        return f"{self.product} · {self.packaging}"


class ReviewRound(models.Model):
    """年度复审: the office opens one re-review per year for every licence then valid."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    due_date = models.DateField(_("reports due by"))
    opened_by = models.ForeignKey(
        USER, verbose_name=_("opened by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    note = models.TextField(_("requirements"), blank=True)

    class Meta:
        verbose_name = _("re-review round")
        verbose_name_plural = _("re-review rounds")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class Inspection(models.TextChoices):
    PASSED = "passed", _("All inspections passed")
    FAILED = "failed", _("An inspection failed")
    NONE = "none", _("Not inspected this year")


class Review(models.Model):
    """One licence's re-review: the licensee's operating report and the conclusion."""

    round = models.ForeignKey(
        ReviewRound,
        verbose_name=_("re-review round"),
        on_delete=models.PROTECT,
        related_name="reviews",
    )
    licence = models.ForeignKey(
        Licence, verbose_name=_("licence"), on_delete=models.PROTECT, related_name="reviews"
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ReviewStatus.choices,
        default=ReviewStatus.AWAITING,
        db_index=True,
    )
    sales = models.DecimalField(
        _("sales (10,000 yuan)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    output = models.DecimalField(
        _("output (tonnes)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    complaints = models.PositiveIntegerField(_("quality complaints"), null=True, blank=True)
    inspection = models.CharField(
        _("quality inspections"), max_length=8, choices=Inspection.choices, blank=True
    )
    inspection_note = models.TextField(_("inspection details"), blank=True)
    logo_note = models.TextField(_("logo use this year"), blank=True)
    evidence = models.ManyToManyField(
        StoredFile, verbose_name=_("logo-use evidence"), blank=True, related_name="+"
    )
    submitted_by = models.ForeignKey(
        USER,
        verbose_name=_("reported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    concluded_by = models.ForeignKey(
        USER,
        verbose_name=_("concluded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    concluded_at = models.DateTimeField(_("concluded at"), null=True, blank=True)
    conclusion = models.TextField(_("conclusion"), blank=True)
    rectification = models.ForeignKey(
        Rectification,
        verbose_name=_("rectification item"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("re-review")
        verbose_name_plural = _("re-reviews")
        ordering = ["round", "licence__enterprise__county__sort_order", "licence__enterprise__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "licence"], name="one_review_per_licence_and_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.round.year} {self.licence}"

    def get_absolute_url(self) -> str:
        return reverse("brand:review", args=[self.pk])


class Sales(models.Model):
    """A licensee's sales for one year (万元): from its re-review report, or entered by
    the office. Growth is computed against the year before, never stored."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.CASCADE, related_name="sales"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    amount = models.DecimalField(
        _("sales (10,000 yuan)"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )
    recorded_by = models.ForeignKey(
        USER, verbose_name=_("recorded by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("yearly sales")
        verbose_name_plural = _("yearly sales")
        ordering = ["enterprise", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "year"], name="one_sales_figure_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.year}"


class Event(models.Model):
    """The enterprise's timeline: every step of its applications, licences and
    re-reviews, with who, when and why."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.CASCADE, related_name="events"
    )
    application = models.ForeignKey(
        Application, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    review = models.ForeignKey(
        Review, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    actor = models.ForeignKey(
        USER, verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("time"), default=timezone.now)
    action = models.CharField(_("action"), max_length=20)
    from_status = models.CharField(_("status before"), max_length=16, blank=True)
    to_status = models.CharField(_("status after"), max_length=16, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("brand event")
        verbose_name_plural = _("brand events")
        ordering = ["enterprise", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.action}"
