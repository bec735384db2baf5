"""Every change to the brand register: transactional, checked against the lifecycle
tables and the scoping rules, written to the enterprise's timeline and the audit trail,
and told to whoever must act next."""

import datetime
import secrets
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhuanban.brand import scoping
from zhuanban.brand.lifecycle import (
    APP_REASON_REQUIRED,
    APP_TRANSITIONS,
    REVIEW_REASON_REQUIRED,
    REVIEW_TRANSITIONS,
    AppAction,
    AppStatus,
    Party,
    ReviewAction,
    ReviewStatus,
)
from zhuanban.brand.models import (
    REQUIRED_ATTACHMENTS,
    Application,
    Attachment,
    AttachmentKind,
    Channel,
    Enterprise,
    Event,
    Inspection,
    Licence,
    LogoUse,
    Product,
    Review,
    ReviewRound,
    Sales,
)
from zhuanban.brand.validators import normalise_credit_code
from zhuanban.core import audit
from zhuanban.core.errors import FieldErrors, check_version
from zhuanban.core.files import check_upload, record_refusal, store_upload
from zhuanban.core.models import AuditAction
from zhuanban.core.notify import notify
from zhuanban.org import services as org
from zhuanban.org.models import OrgUnit
from zhuanban.org.roles import UnitKind
from zhuanban.org.selectors import (
    office_staff_users,
    people_acting_for,
    people_acting_for_units,
)
from zhuanban.rectification.lifecycle import ENDED_STATES as RECTIFICATION_ENDED
from zhuanban.rectification.lifecycle import Status as RectificationStatus
from zhuanban.rectification.models import SourceKind
from zhuanban.rectification.services import rectification_raise

# Licence numbers: YW-<year>-<8 characters> from an alphabet without look-alikes
# (0/O, 1/I/L): 31^8 ≈ 8.5 × 10^11 per year, so numbers cannot be guessed by counting.
LICENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LICENCE_RANDOM_LENGTH = 8
ATTACHMENT_TYPES = {".pdf", ".jpg", ".jpeg", ".png", ".docx", ".doc"}
PHOTO_TYPES = {".jpg", ".jpeg", ".png"}


def _require(actor, enterprise: Enterprise, allowed: Iterable[str]) -> set[str]:
    """PermissionDenied unless the actor is one of the allowed parties (actor None is
    the system itself: the demo loader)."""
    if actor is None:
        return set(allowed)
    found = scoping.parties(actor, enterprise) & set(allowed)
    if not found:
        raise PermissionDenied
    return found


def _require_office(actor) -> None:
    if actor is not None and not scoping.is_brand_staff(actor):
        raise PermissionDenied


def _brand_office() -> OrgUnit:
    office_id = scoping.brand_office_id()
    if office_id is None:
        raise ValidationError(
            _("No special office with the code %(code)s keeps the brand register.")
            % {"code": settings.BRAND_OFFICE_CODE}
        )
    return OrgUnit.objects.get(pk=office_id)


def _event(
    actor, enterprise, action, *, application=None, review=None, before="", after="", comment=""
):
    return Event.objects.create(
        enterprise=enterprise,
        application=application,
        review=review,
        actor=actor,
        action=action,
        from_status=before,
        to_status=after,
        comment=comment,
    )


def _tell(recipients, actor, kind: str, title: str, url: str, body: str = "") -> None:
    notify(
        [u for u in recipients if actor is None or u.pk != actor.pk],
        kind=f"brand_{kind}",
        title=title,
        body=body,
        url=url,
    )


def _office_staff() -> list:
    office_id = scoping.brand_office_id()
    return office_staff_users(office_id) if office_id else []


# --- enterprises -------------------------------------------------------------------


def _unit_code() -> str:
    """A random code for the enterprise's org unit: unit codes are listed to every
    signed-in user (the organisation directory), so they must not carry the credit code."""
    return f"ent-{secrets.token_hex(8)}"


@transaction.atomic
def enterprise_save(
    *, actor, enterprise: Enterprise, expected_version: int | None = None
) -> Enterprise:
    """Register an enterprise or correct its record (the brand office's). Its org unit
    follows its name and county."""
    _require_office(actor)
    enterprise.credit_code = normalise_credit_code(enterprise.credit_code)
    enterprise.name = (enterprise.name or "").strip()
    errors = FieldErrors()
    try:
        # Uniqueness and the county are checked below, each with one clear message (the
        # model's own checks would add a second, generic one).
        enterprise.full_clean(
            exclude=["unit", "created_by", "county"],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as error:
        errors.merge(error)
    county = (
        OrgUnit.objects.filter(pk=enterprise.county_id).only("kind").first()
        if enterprise.county_id
        else None
    )
    if county is None or county.kind != UnitKind.COUNTY:
        errors.add(
            "county",
            _("Choose the county the enterprise is registered in."),
            "required" if county is None else "county",
        )
    others = Enterprise.objects.exclude(pk=enterprise.pk)
    same_code = others.filter(credit_code=enterprise.credit_code).first()
    if same_code:
        errors.add(
            "credit_code",
            _("This credit code is already registered, for %(name)s.") % {"name": same_code.name},
            "duplicate",
        )
    if enterprise.name and others.filter(name=enterprise.name).exists():
        errors.add("name", _("An enterprise of this name is already registered."), "duplicate")
    if enterprise.association_joined_on and not enterprise.association_member:
        errors.add(
            "association_joined_on",
            _("A joining date is only given for a member of the association."),
            "not_member",
        )
    errors.raise_if_any()
    if enterprise.pk is None:
        unit = org.unit_save(
            actor=None,
            unit=OrgUnit(
                code=_unit_code(),
                name=enterprise.name,
                kind=UnitKind.ENTERPRISE,
                parent_id=enterprise.county_id,
            ),
        )
        enterprise.unit = unit
        enterprise.created_by = actor
        enterprise.save()
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            instance=enterprise,
            after=audit.snapshot(enterprise),
        )
        return enterprise
    current = Enterprise.objects.select_for_update().select_related("unit").get(pk=enterprise.pk)
    check_version(current, expected_version)
    before = audit.snapshot(current)
    enterprise.unit = current.unit
    enterprise.version = current.version + 1
    enterprise.save()
    unit = current.unit
    if (unit.name, unit.parent_id) != (enterprise.name, enterprise.county_id):
        # The org unit follows the record: its name on rectification items, its place
        # under the county for scoping.
        unit.name, unit.parent_id = enterprise.name, enterprise.county_id
        org.unit_save(actor=None, unit=unit)
    audit.record_change(actor=actor, instance=enterprise, before=before)
    return enterprise


# --- applications ------------------------------------------------------------------


def _checked_uploads(actor, uploads: list[tuple[str, UploadedFile]], allowed: set[str]) -> None:
    """Check every file first so that one bad file stores none; the refusals are
    recorded (outside the caller's transaction, which the error rolls back)."""
    errors = FieldErrors()
    for _kind, upload in uploads:
        try:
            check_upload(upload, allowed=allowed)
        except ValidationError as error:
            record_refusal(upload, user=actor, error=error)
            errors.add(
                "attachments",
                f"{upload.name}: {' '.join(error.messages)}",
                error.code or "upload",
            )
    errors.raise_if_any()


def _kind_errors(uploads: list[tuple[str, UploadedFile]], errors: FieldErrors) -> None:
    for kind, upload in uploads:
        if kind not in AttachmentKind.values:
            errors.add(
                "attachments",
                _("%(name)s: say which document this is.") % {"name": upload.name},
                "kind",
            )


def _product_errors(products: list[dict], errors: FieldErrors) -> list[Product]:
    built = []
    if not products:
        errors.add("products", _("List at least one product to be authorized."), "required")
    for index, data in enumerate(products, start=1):
        product = Product(**data)
        try:
            product.full_clean(exclude=["application"])
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                for problem in problems:
                    errors.add(
                        "products",
                        _("Product %(n)d, %(field)s: %(problem)s")
                        % {
                            "n": index,
                            "field": Product._meta.get_field(field).verbose_name,
                            "problem": problem,
                        },
                        "product",
                    )
        built.append(product)
    return built


def _next_application_number(today: datetime.date) -> str:
    prefix = f"SQ{today.year}"
    last = (
        Application.objects.filter(number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    sequence = int(last[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{sequence:04d}"


def application_create(
    *,
    actor,
    enterprise: Enterprise,
    products: list[dict],
    attachments: list[tuple[str, UploadedFile]] = (),
    today: datetime.date | None = None,
) -> Application:
    """A draft application with its products and documents (the enterprise's, or the
    brand office's entering it for the enterprise)."""
    today = today or timezone.localdate()
    _require(actor, enterprise, {Party.ENTERPRISE, Party.OFFICE})
    errors = FieldErrors()
    if Application.objects.filter(
        enterprise=enterprise,
        status__in=[AppStatus.DRAFT, AppStatus.COUNTY_REVIEW, AppStatus.OFFICE_REVIEW],
    ).exists():
        errors.add(
            None,
            _("%(name)s already has an application in progress; complete or withdraw it first.")
            % {"name": enterprise.name},
            "open_application",
        )
    built = _product_errors(products, errors)
    _kind_errors(list(attachments), errors)
    errors.raise_if_any()
    _checked_uploads(actor, list(attachments), ATTACHMENT_TYPES)
    try:
        with transaction.atomic():
            application = Application.objects.create(
                enterprise=enterprise,
                number=_next_application_number(today),
                created_by=actor,
            )
            for product in built:
                product.application = application
            Product.objects.bulk_create(built)
            _store_attachments(actor, application, list(attachments))
            _event(actor, enterprise, "create", application=application, after=application.status)
            audit.record(
                actor=actor,
                action=AuditAction.CREATE,
                instance=application,
                after={**audit.snapshot(application), "products": [p.name for p in built]},
            )
    except IntegrityError:
        raise ValidationError(
            _("Another application was entered at the same moment. Please save again.")
        ) from None
    return application


def _store_attachments(actor, application: Application, uploads: list[tuple[str, UploadedFile]]):
    for kind, upload in uploads:
        stored = store_upload(upload, user=actor, allowed=ATTACHMENT_TYPES)
        Attachment.objects.create(
            application=application, kind=kind, file=stored, uploaded_by=actor
        )


@transaction.atomic
def application_update(
    *,
    actor,
    application: Application,
    products: list[dict],
    expected_version: int | None = None,
) -> Application:
    """Replace a draft's products (the applicant completes a returned application)."""
    application = _lock_application(application)
    _require(actor, application.enterprise, {Party.ENTERPRISE, Party.OFFICE})
    check_version(application, expected_version)
    if application.status != AppStatus.DRAFT:
        raise ValidationError(_("Only a draft application can be changed."), code="not_draft")
    errors = FieldErrors()
    built = _product_errors(products, errors)
    errors.raise_if_any()
    before = [p.name for p in application.products.all()]
    application.products.all().delete()
    for product in built:
        product.application = application
    Product.objects.bulk_create(built)
    Application.objects.filter(pk=application.pk).update(version=F("version") + 1)
    application.version += 1
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=application,
        before={"products": before},
        after={"products": [p.name for p in built]},
    )
    return application


def application_attach(
    *, actor, application: Application, uploads: list[tuple[str, UploadedFile]]
) -> list[Attachment]:
    """Add documents: the applicant to its draft; the brand office also adds expert
    opinions while it reviews."""
    parties = _require(actor, application.enterprise, {Party.ENTERPRISE, Party.OFFICE})
    kinds = FieldErrors()
    _kind_errors(uploads, kinds)
    kinds.raise_if_any()
    open_to_applicant = application.status == AppStatus.DRAFT
    office_review = application.status == AppStatus.OFFICE_REVIEW and Party.OFFICE in parties
    if not (open_to_applicant or office_review):
        raise ValidationError(
            _("Documents can be added to a draft, or by the brand office during its review."),
            code="closed",
        )
    if (
        office_review
        and not open_to_applicant
        and any(
            kind not in (AttachmentKind.EXPERT_OPINION, AttachmentKind.OTHER)
            for kind, _u in uploads
        )
    ):
        raise ValidationError(
            _("During the review only expert opinions and other materials can be added."),
            code="kind",
        )
    _checked_uploads(actor, uploads, ATTACHMENT_TYPES)
    with transaction.atomic():
        before = application.attachments.count()
        _store_attachments(actor, application, uploads)
        created = list(application.attachments.order_by("-pk")[: len(uploads)])
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            instance=application,
            before={"attachments": before},
            after={"attachments": before + len(uploads), "added": [u.name for _k, u in uploads]},
            message="brand application documents added",
        )
    return created


def _lock_application(application: Application) -> Application:
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("enterprise__county", "enterprise__unit")
        .get(pk=application.pk)
    )


def _submit_problems(application: Application) -> FieldErrors:
    errors = FieldErrors()
    if not application.products.exists():
        errors.add("products", _("List at least one product to be authorized."), "required")
    present = set(application.attachments.values_list("kind", flat=True))
    for kind in REQUIRED_ATTACHMENTS:
        if kind not in present:
            errors.add(
                "attachments",
                _("The %(document)s is missing.") % {"document": AttachmentKind(kind).label},
                "missing_document",
            )
    return errors


def licence_number(year: int) -> str:
    while True:
        random_part = "".join(
            secrets.choice(LICENCE_ALPHABET) for _i in range(LICENCE_RANDOM_LENGTH)
        )
        number = f"YW-{year}-{random_part}"
        if not Licence.objects.filter(number=number).exists():
            return number


def licence_end(valid_from: datetime.date) -> datetime.date:
    """The last day of a licence that starts on `valid_from` (BRAND_LICENCE_YEARS years)."""
    years = settings.BRAND_LICENCE_YEARS
    try:
        anniversary = valid_from.replace(year=valid_from.year + years)
    except ValueError:  # 29 February
        anniversary = valid_from.replace(year=valid_from.year + years, day=28) + datetime.timedelta(
            days=1
        )
    return anniversary - datetime.timedelta(days=1)


@transaction.atomic
def application_act(
    *,
    actor,
    application: Application,
    action: str,
    comment: str = "",
    expected_version: int | None = None,
    valid_from: datetime.date | None = None,
    today: datetime.date | None = None,
) -> Application:
    """Move an application along APP_TRANSITIONS; approval issues the licence."""
    today = today or timezone.localdate()
    application = _lock_application(application)
    enterprise = application.enterprise
    rule = APP_TRANSITIONS.get((application.status, action))
    allowed = (
        rule[1]
        if rule
        else frozenset().union(
            *(who for (_s, a), (_n, who) in APP_TRANSITIONS.items() if a == action)
        )
    )
    _require(actor, enterprise, allowed)
    check_version(application, expected_version)
    if rule is None:
        raise ValidationError(
            _("An application that is %(status)s cannot be given the action “%(action)s”.")
            % {"status": AppStatus(application.status).label, "action": AppAction(action).label},
            code="invalid_transition",
        )
    comment = comment.strip()
    if action in APP_REASON_REQUIRED and not comment:
        raise ValidationError({"comment": ValidationError(_("Give the reason."), code="required")})
    if action == AppAction.SUBMIT:
        _submit_problems(application).raise_if_any()
    before = application.status
    now = timezone.now()
    application.status = rule[0]
    if action == AppAction.SUBMIT:
        application.submitted_at = now
    elif action in (AppAction.COUNTY_PASS, AppAction.COUNTY_REJECT) or (
        action == AppAction.RETURN and before == AppStatus.COUNTY_REVIEW
    ):
        application.county_opinion, application.county_reviewer = comment, actor
        application.county_reviewed_at = now
    elif action in (AppAction.APPROVE, AppAction.REJECT, AppAction.RETURN):
        application.office_opinion, application.office_reviewer = comment, actor
        application.office_reviewed_at = now
    application.version += 1
    application.save()
    _event(
        actor,
        enterprise,
        action,
        application=application,
        before=before,
        after=application.status,
        comment=comment,
    )
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=application,
        before={"status": before},
        after={"status": application.status, "action": action, "comment": comment},
        message=f"brand application {action}",
    )
    url = reverse("brand:application", args=[application.pk])
    label = {"number": application.number, "name": enterprise.name}
    if action == AppAction.SUBMIT:
        _tell(
            people_acting_for(enterprise.county_id),
            actor,
            "first_review",
            _("Brand application %(number)s of %(name)s awaits your first review") % label,
            url,
        )
    elif action == AppAction.COUNTY_PASS:
        _tell(
            _office_staff(),
            actor,
            "review",
            _("Brand application %(number)s of %(name)s passed the county's first review") % label,
            url,
        )
    else:
        _tell(
            people_acting_for(enterprise.unit_id),
            actor,
            "decided",
            _("Your brand application %(number)s: %(status)s")
            % {"number": application.number, "status": AppStatus(application.status).label},
            url,
            comment,
        )
    if action == AppAction.APPROVE:
        licence_issue(actor=actor, application=application, valid_from=valid_from or today)
    return application


@transaction.atomic
def licence_issue(*, actor, application: Application, valid_from: datetime.date) -> Licence:
    """The licence an approval issues (application_act calls it): once per application,
    never for one that is not approved."""
    _require_office(actor)
    if (
        application.status != AppStatus.APPROVED
        or Licence.objects.filter(application_id=application.pk).exists()
    ):
        raise ValidationError(
            _("A licence is issued once, for an approved application."), code="not_approved"
        )
    licence = Licence.objects.create(
        number=licence_number(valid_from.year),
        enterprise=application.enterprise,
        application=application,
        valid_from=valid_from,
        valid_until=licence_end(valid_from),
        issued_by=actor,
    )
    _event(
        actor,
        application.enterprise,
        "licence_issue",
        application=application,
        comment=licence.number,
    )
    audit.record(
        actor=actor, action=AuditAction.CREATE, instance=licence, after=audit.snapshot(licence)
    )
    return licence


@transaction.atomic
def licence_remove(
    *,
    actor,
    licence: Licence,
    reason: str,
    on: datetime.date | None = None,
    review: Review | None = None,
) -> Licence:
    """清退: the licence ends on `on` (today) for the reason given; its open re-reviews
    end with it, and the enterprise drops off the public list."""
    on = on or timezone.localdate()
    licence = Licence.objects.select_for_update().select_related("enterprise").get(pk=licence.pk)
    _require_office(actor)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"comment": ValidationError(_("Give the reason."), code="required")})
    if on > timezone.localdate():
        raise ValidationError(
            {
                "on": ValidationError(
                    _("A removal takes effect today or on a day already past, not in the future."),
                    code="future",
                )
            }
        )
    if on < licence.valid_from:
        raise ValidationError(
            {
                "on": ValidationError(
                    _("The licence started on %(date)s: it cannot be removed before that day.")
                    % {"date": licence.valid_from.isoformat()},
                    code="before_start",
                )
            }
        )
    if licence.revoked_on is not None:
        raise ValidationError(
            _("This licence was already removed on %(date)s.")
            % {"date": licence.revoked_on.isoformat()},
            code="removed",
        )
    before = audit.snapshot(licence)
    licence.revoked_on, licence.revoked_reason, licence.revoked_by = on, reason, actor
    licence.save(update_fields=["revoked_on", "revoked_reason", "revoked_by"])
    open_reviews = licence.reviews.exclude(pk=review.pk if review else None).filter(
        status__in=[ReviewStatus.AWAITING, ReviewStatus.SUBMITTED, ReviewStatus.RECTIFYING]
    )
    open_reviews.update(
        status=ReviewStatus.REMOVED,
        version=F("version") + 1,
        concluded_by=actor,
        concluded_at=timezone.now(),
        conclusion=reason,
    )
    _event(actor, licence.enterprise, "licence_remove", review=review, comment=reason)
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=licence,
        before=before,
        after=audit.snapshot(licence),
        message="brand licence removed",
    )
    _tell(
        people_acting_for(licence.enterprise.unit_id)
        + people_acting_for(licence.enterprise.county_id),
        actor,
        "removed",
        _("Brand licence %(number)s of %(name)s removed")
        % {"number": licence.number, "name": licence.enterprise.name},
        reverse("brand:enterprise", args=[licence.enterprise_id]),
        reason,
    )
    return licence


# --- logo use ----------------------------------------------------------------------


def logo_use_save(
    *,
    actor,
    licence: Licence,
    product: Product,
    packaging: str,
    channels: list[str],
    since: datetime.date,
    photos: list[UploadedFile] = (),
    note: str = "",
) -> LogoUse:
    _require(actor, licence.enterprise, {Party.ENTERPRISE, Party.OFFICE})
    errors = FieldErrors()
    if product.application_id != licence.application_id:
        errors.add("product", _("Choose a product this licence covers."), "product")
    if not packaging.strip():
        errors.add("packaging", _("Describe the packaging that carries the logo."), "required")
    unknown = [c for c in channels if c not in Channel.values]
    if not channels or unknown:
        errors.add("channels", _("Choose at least one sales channel."), "channels")
    if since is None:
        errors.add("since", _("Say since when the logo is used."), "required")
    elif since < licence.valid_from:
        errors.add(
            "since",
            _("The logo cannot be used before the licence's start, %(date)s.")
            % {"date": licence.valid_from.isoformat()},
            "before_licence",
        )
    if licence.state_on() != "valid":
        errors.add(None, _("Logo use is recorded only under a valid licence."), "licence_state")
    errors.raise_if_any()
    _checked_uploads(actor, [("photo", p) for p in photos], PHOTO_TYPES)
    with transaction.atomic():
        use = LogoUse.objects.create(
            licence=licence,
            product=product,
            packaging=packaging.strip(),
            channels=sorted(set(channels)),
            since=since,
            note=note.strip(),
            recorded_by=actor,
        )
        use.photos.set([store_upload(p, user=actor, allowed=PHOTO_TYPES) for p in photos])
        audit.record(
            actor=actor, action=AuditAction.CREATE, instance=use, after=audit.snapshot(use)
        )
    return use


# --- annual re-review --------------------------------------------------------------

FIRST_YEAR = 2000


def _year_errors(year, errors: FieldErrors, today: datetime.date | None = None) -> None:
    """A re-review or sales year: from FIRST_YEAR to next year (a round may be opened in
    December for the coming year), never a typo such as 20023."""
    last = (today or timezone.localdate()).year + 1
    if year is None or not FIRST_YEAR <= year <= last:
        errors.add(
            "year",
            _("Give a year from %(first)d to %(last)d.") % {"first": FIRST_YEAR, "last": last},
            "year",
        )


@transaction.atomic
def review_round_open(
    *, actor, year: int, due_date: datetime.date, note: str = "", today: datetime.date | None = None
) -> ReviewRound:
    """Open the year's re-review: one review for every licence valid today."""
    today = today or timezone.localdate()
    _require_office(actor)
    errors = FieldErrors()
    _year_errors(year, errors, today)
    if ReviewRound.objects.filter(year=year).exists():
        errors.add(
            "year", _("The %(year)d re-review is already open.") % {"year": year}, "duplicate"
        )
    if due_date is None or due_date < today:
        errors.add("due_date", _("Give a reporting deadline that is not in the past."), "past")
    errors.raise_if_any()
    round = ReviewRound.objects.create(
        year=year, due_date=due_date, note=note.strip(), opened_by=actor
    )
    licences = list(Licence.objects.valid_on(today).select_related("enterprise"))
    Review.objects.bulk_create([Review(round=round, licence=licence) for licence in licences])
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        instance=round,
        after={**audit.snapshot(round), "reviews": len(licences)},
    )
    url = reverse("brand:round", args=[year])
    _tell(
        people_acting_for_units(lic.enterprise.unit_id for lic in licences),
        actor,
        "review_open",
        _("The %(year)d brand re-review is open: report your operating data by %(date)s")
        % {"year": year, "date": due_date.isoformat()},
        url,
        note,
    )
    return round


def _lock_review(review: Review) -> Review:
    return (
        Review.objects.select_for_update(of=("self",))
        .select_related(
            "round", "licence__enterprise__county", "licence__enterprise__unit", "rectification"
        )
        .get(pk=review.pk)
    )


def _figure_errors(model, field: str, value, errors: FieldErrors) -> None:
    """A reported figure: given, not negative, and within what its column holds."""
    if value is None:
        errors.add(field, _("This figure is required."), "required")
        return
    if value < 0:
        errors.add(field, _("This figure cannot be negative."), "negative")
        return
    try:
        model._meta.get_field(field).run_validators(value)
    except ValidationError as error:
        for problem in error.error_list:
            errors.add(field, " ".join(problem.messages), problem.code or "invalid")


def review_submit(
    *,
    actor,
    review: Review,
    sales: Decimal | None,
    output: Decimal | None,
    complaints: int | None,
    inspection: str,
    inspection_note: str = "",
    logo_note: str = "",
    evidence: list[UploadedFile] = (),
    expected_version: int | None = None,
) -> Review:
    """The licensee's operating report for the year (or the office's, entered for it);
    its sales become the enterprise's figure for the year."""
    enterprise = review.licence.enterprise
    _require(actor, enterprise, {Party.ENTERPRISE, Party.OFFICE})
    errors = FieldErrors()
    for field, value in (("sales", sales), ("output", output), ("complaints", complaints)):
        _figure_errors(Review, field, value, errors)
    if inspection not in Inspection.values:
        errors.add(
            "inspection",
            _("Say how the year's quality inspections went."),
            "invalid" if inspection else "required",
        )
    if not logo_note.strip() and not evidence and not review.evidence.exists():
        errors.add(
            "logo_note",
            _("Describe the logo use or attach evidence (photos of the packaging)."),
            "required",
        )
    errors.raise_if_any()
    _checked_uploads(actor, [("evidence", f) for f in evidence], ATTACHMENT_TYPES)
    with transaction.atomic():
        review = _lock_review(review)
        check_version(review, expected_version)
        if (review.status, ReviewAction.SUBMIT) not in REVIEW_TRANSITIONS:
            raise ValidationError(
                _("This re-review is %(status)s; the report can no longer be changed.")
                % {"status": ReviewStatus(review.status).label},
                code="invalid_transition",
            )
        before = review.status
        review.sales, review.output, review.complaints = sales, output, complaints
        review.inspection, review.inspection_note = inspection, inspection_note.strip()
        review.logo_note = logo_note.strip()
        review.status = ReviewStatus.SUBMITTED
        review.submitted_by, review.submitted_at = actor, timezone.now()
        review.version += 1
        review.save()
        review.evidence.add(
            *[store_upload(f, user=actor, allowed=ATTACHMENT_TYPES) for f in evidence]
        )
        Sales.objects.update_or_create(
            enterprise=enterprise,
            year=review.round.year,
            defaults={"amount": sales, "recorded_by": actor, "recorded_at": timezone.now()},
        )
        _event(
            actor,
            enterprise,
            ReviewAction.SUBMIT,
            review=review,
            before=before,
            after=review.status,
        )
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            instance=review,
            before={"status": before},
            after={
                "status": review.status,
                "sales": str(sales),
                "output": str(output),
                "complaints": complaints,
                "inspection": inspection,
            },
            message="brand re-review reported",
        )
        _tell(
            _office_staff(),
            actor,
            "reported",
            _("%(name)s reported for the %(year)d brand re-review")
            % {"name": enterprise.name, "year": review.round.year},
            review.get_absolute_url(),
        )
    return review


@transaction.atomic
def review_act(
    *,
    actor,
    review: Review,
    action: str,
    comment: str = "",
    due_date: datetime.date | None = None,
    expected_version: int | None = None,
    today: datetime.date | None = None,
) -> Review:
    """The office's conclusion: send back, pass, order rectification (an item in the
    shared loop, due `due_date`), or remove the licence (清退)."""
    today = today or timezone.localdate()
    review = _lock_review(review)
    enterprise = review.licence.enterprise
    _require_office(actor)
    check_version(review, expected_version)
    rule = REVIEW_TRANSITIONS.get((review.status, action))
    if rule is None:
        raise ValidationError(
            _("A re-review that is %(status)s cannot be given the action “%(action)s”.")
            % {"status": ReviewStatus(review.status).label, "action": ReviewAction(action).label},
            code="invalid_transition",
        )
    comment = comment.strip()
    errors = FieldErrors()
    if action in REVIEW_REASON_REQUIRED and not comment:
        errors.add("comment", _("Give the reason."), "required")
    if action == ReviewAction.RECTIFY:
        if due_date is None:
            errors.add("due_date", _("Give a deadline for the rectification."), "required")
        elif due_date <= today:
            errors.add("due_date", _("The rectification deadline must be after today."), "past")
    errors.raise_if_any()
    if (
        action == ReviewAction.PASS
        and review.status == ReviewStatus.RECTIFYING
        and review.rectification is not None
        # Verified and closed, or withdrawn by the office: nothing is left to fix.
        and review.rectification.status not in RECTIFICATION_ENDED
    ):
        raise ValidationError(
            _("The rectification has not been verified and closed yet (it is %(status)s).")
            % {"status": RectificationStatus(review.rectification.status).label},
            code="rectification_open",
        )
    before = review.status
    if action == ReviewAction.RECTIFY:
        review.rectification = rectification_raise(
            actor=actor,
            source=review,
            source_kind=SourceKind.BRAND,
            source_label=_("%(year)d brand re-review: %(name)s")
            % {"year": review.round.year, "name": enterprise.name},
            office=_brand_office(),
            unit=enterprise.unit,
            problem=comment,
            requirement=comment,
            due_date=due_date,
            today=today,
        )
    review.status = rule[0]
    if action != ReviewAction.RETURN:
        review.concluded_by, review.concluded_at, review.conclusion = actor, timezone.now(), comment
    review.version += 1
    review.save()
    _event(
        actor,
        enterprise,
        action,
        review=review,
        before=before,
        after=review.status,
        comment=comment,
    )
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=review,
        before={"status": before},
        after={"status": review.status, "action": action, "comment": comment},
        message=f"brand re-review {action}",
    )
    if action == ReviewAction.REMOVE:
        licence_remove(actor=actor, licence=review.licence, reason=comment, on=today, review=review)
    elif action != ReviewAction.RECTIFY:  # the rectification loop tells the unit itself
        _tell(
            people_acting_for(enterprise.unit_id),
            actor,
            "concluded",
            _("Your %(year)d brand re-review: %(status)s")
            % {"year": review.round.year, "status": ReviewStatus(review.status).label},
            review.get_absolute_url(),
            comment,
        )
    return review


@transaction.atomic
def sales_save(*, actor, enterprise: Enterprise, year: int, amount: Decimal) -> Sales:
    """The office enters or corrects a year's sales figure (万元)."""
    _require_office(actor)
    errors = FieldErrors()
    _year_errors(year, errors)
    _figure_errors(Sales, "amount", amount, errors)
    errors.raise_if_any()
    current = Sales.objects.select_for_update().filter(enterprise=enterprise, year=year).first()
    before = {"amount": str(current.amount)} if current else None
    record, _created = Sales.objects.update_or_create(
        enterprise=enterprise,
        year=year,
        defaults={"amount": amount, "recorded_by": actor, "recorded_at": timezone.now()},
    )
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE if current else AuditAction.CREATE,
        instance=record,
        before=before,
        after={"amount": str(amount), "year": year},
    )
    return record
