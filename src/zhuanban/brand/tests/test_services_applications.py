"""Authorization applications through the services: who drafts them, their products and
documents (bad files refused with nothing stored), submission, the county's first review,
the brand office's review, every rejection with its reason, optimistic locking, and the
licence approval issues (its period and its random number) and who is told of each step."""

import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.translation import gettext

from zhuanban.brand import services
from zhuanban.brand.lifecycle import AppAction, AppStatus
from zhuanban.brand.models import (
    Application,
    Attachment,
    AttachmentKind,
    Category,
    Licence,
    Product,
)
from zhuanban.brand.tests.conftest import TODAY, approve, oat_products, required_documents, upload
from zhuanban.core.errors import ConcurrentEditError
from zhuanban.core.models import AuditAction, AuditEvent, AuditOutcome, Notification, StoredFile
from zhuanban.org.tests.factories import person

pytestmark = pytest.mark.django_db

NUMBER = re.compile(rf"^YW-(\d{{4}})-[{services.LICENCE_ALPHABET}]{{8}}$")


def codes(error: ValidationError) -> dict[str, list[str]]:
    return {field: [e.code for e in errors] for field, errors in error.error_dict.items()}


def draft(actor, enterprise, **kwargs) -> Application:
    values = {"products": oat_products(), "attachments": required_documents(), "today": TODAY}
    return services.application_create(actor=actor, enterprise=enterprise, **(values | kwargs))


def act(actor, application, action, comment="", **kwargs) -> Application:
    return services.application_act(
        actor=actor, application=application, action=action, comment=comment, **kwargs
    )


def reloaded(application) -> Application:
    return Application.objects.get(pk=application.pk)


def notes(user, kind: str) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, kind=f"brand_{kind}"))


def nothing_stored():
    assert not Application.objects.exists()
    assert not Product.objects.exists()
    assert not Attachment.objects.exists()
    assert not StoredFile.objects.exists()


@pytest.fixture
def shudu_login(brand):
    return person("shudu", brand.shudu.unit, name="薯都凯达申报员")


@pytest.fixture
def submitted(world, brand):
    application = draft(brand.applicant, brand.yinshan)
    return act(brand.applicant, application, AppAction.SUBMIT)


@pytest.fixture
def at_office(world, submitted):
    return act(world.zhuozi_liaison, submitted, AppAction.COUNTY_PASS, "材料齐全，同意上报")


# --- drafting ----------------------------------------------------------------------------


def test_the_enterprise_drafts_its_application_with_products_and_documents(world, brand):
    application = draft(brand.applicant, brand.yinshan)
    assert application.status == AppStatus.DRAFT
    assert application.number == "SQ20230001"
    assert application.created_by == brand.applicant
    assert [p.name for p in application.products.all()] == ["阴山优麦燕麦片"]
    product = application.products.get()
    assert (product.category, product.annual_output) == (Category.GRAINS, 1200)
    kinds = sorted(application.attachments.values_list("kind", flat=True))
    assert kinds == sorted(
        [
            AttachmentKind.BUSINESS_LICENCE,
            AttachmentKind.INSPECTION_REPORT,
            AttachmentKind.ORIGIN_PROOF,
        ]
    )
    assert all(len(a.file.sha256) == 64 for a in application.attachments.all())
    event = application.events.get()
    assert (event.action, event.actor, event.to_status) == ("create", brand.applicant, "draft")
    record = AuditEvent.objects.get(object_type="brand.application", object_id=str(application.pk))
    assert record.action == AuditAction.CREATE
    assert record.after["products"] == ["阴山优麦燕麦片"]
    # The next one of the year takes the next number.
    other = draft(world.brand_staff, brand.shudu)
    assert other.number == "SQ20230002"


def test_the_office_enters_an_application_for_an_enterprise_without_a_login(world, brand):
    application = draft(world.brand_staff, brand.shudu)
    assert application.enterprise == brand.shudu
    assert application.created_by == world.brand_staff


@pytest.mark.parametrize(
    "who", ["zhuozi_liaison", "huade_liaison", "leader", "inspector", "office", "outsider"]
)
def test_others_cannot_draft_for_the_enterprise(world, brand, who):
    with pytest.raises(PermissionDenied):
        draft(getattr(world, who), brand.yinshan)
    nothing_stored()


def test_another_enterprise_cannot_draft_for_it(world, brand, shudu_login):
    with pytest.raises(PermissionDenied):
        draft(shudu_login, brand.yinshan)
    nothing_stored()
    assert draft(shudu_login, brand.shudu).enterprise == brand.shudu


def test_one_open_application_at_a_time(world, brand):
    first = draft(brand.applicant, brand.yinshan)
    for state_actor in (brand.applicant, world.brand_staff):
        with pytest.raises(ValidationError) as refused:
            draft(state_actor, brand.yinshan)
        assert codes(refused.value) == {"__all__": ["open_application"]}
        assert refused.value.messages == [
            gettext(
                "%(name)s already has an application in progress; complete or withdraw it first."
            )
            % {"name": brand.yinshan.name}
        ]
    assert Application.objects.count() == 1
    act(brand.applicant, first, AppAction.WITHDRAW)
    assert draft(brand.applicant, brand.yinshan).status == AppStatus.DRAFT


def test_every_product_problem_is_reported_at_once(world, brand):
    products = [
        {
            "name": "",
            "category": Category.GRAINS,
            "standard": "GB/T 13359",
            "origin_base": "察右前旗",
            "annual_output": "10",
        },
        {
            "name": "燕麦米",
            "category": "caviar",
            "standard": "",
            "origin_base": "察右前旗",
            "annual_output": "-5",
        },
    ]
    with pytest.raises(ValidationError) as refused:
        draft(brand.applicant, brand.yinshan, products=products)
    messages = refused.value.message_dict["products"]
    assert codes(refused.value) == {"products": ["product"] * 4}
    first = [m for m in messages if m.startswith(_prefix(1))]
    second = [m for m in messages if m.startswith(_prefix(2))]
    assert (len(first), len(second)) == (1, 3)
    assert gettext("product name") in first[0]
    for field in ("category", "product standard", "annual output (tonnes)"):
        assert any(gettext(field) in m for m in second), field
    nothing_stored()


def _prefix(n: int) -> str:
    return gettext("Product %(n)d, %(field)s: %(problem)s").split("%(field)s")[0] % {"n": n}


def test_an_application_needs_a_product(world, brand):
    with pytest.raises(ValidationError) as refused:
        draft(brand.applicant, brand.yinshan, products=[])
    assert refused.value.message_dict == {
        "products": [gettext("List at least one product to be authorized.")]
    }
    nothing_stored()


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("setup.exe", b"MZ\x90\x00\x03\x00\x00\x00", "type"),
        ("检验报告.docm", b"PK\x03\x04macro", "macro"),
        ("营业执照.pdf", b"MZ\x90\x00 an executable renamed", "mismatch"),
    ],
)
def test_a_bad_file_stores_nothing_and_is_audited(world, brand, name, content, code):
    bad = SimpleUploadedFile(name, content)
    attachments = [*required_documents(), (AttachmentKind.OTHER, bad)]
    with pytest.raises(ValidationError) as refused:
        draft(brand.applicant, brand.yinshan, attachments=attachments)
    assert codes(refused.value) == {"attachments": [code]}
    assert refused.value.message_dict["attachments"][0].startswith(f"{name}: ")
    nothing_stored()
    refusal = AuditEvent.objects.get(outcome=AuditOutcome.FAILURE)
    assert refusal.action == AuditAction.UPLOAD
    assert refusal.actor == brand.applicant
    assert refusal.after["name"] == name
    assert refusal.after["refused"] == code


def test_each_document_must_say_what_it_is(world, brand):
    with pytest.raises(ValidationError) as refused:
        draft(brand.applicant, brand.yinshan, attachments=[("passport", upload("护照.pdf"))])
    assert refused.value.message_dict == {
        "attachments": [gettext("%(name)s: say which document this is.") % {"name": "护照.pdf"}]
    }
    nothing_stored()


# --- submitting --------------------------------------------------------------------------


def test_submitting_without_documents_lists_each_missing_one(world, brand):
    application = draft(brand.applicant, brand.yinshan, attachments=[])
    with pytest.raises(ValidationError) as refused:
        act(brand.applicant, application, AppAction.SUBMIT)
    assert codes(refused.value) == {"attachments": ["missing_document"] * 3}
    assert refused.value.message_dict["attachments"] == [
        gettext("The %(document)s is missing.") % {"document": kind.label}
        for kind in (
            AttachmentKind.BUSINESS_LICENCE,
            AttachmentKind.INSPECTION_REPORT,
            AttachmentKind.ORIGIN_PROOF,
        )
    ]
    services.application_attach(
        actor=brand.applicant,
        application=application,
        uploads=[(AttachmentKind.BUSINESS_LICENCE, upload())],
    )
    with pytest.raises(ValidationError) as refused:
        act(brand.applicant, application, AppAction.SUBMIT)
    assert len(refused.value.message_dict["attachments"]) == 2
    assert reloaded(application).status == AppStatus.DRAFT
    assert not notes(world.zhuozi_liaison, "first_review")


def test_submission_reaches_the_countys_liaison_only(world, brand, submitted):
    assert submitted.status == AppStatus.COUNTY_REVIEW
    assert submitted.submitted_at is not None
    [note] = notes(world.zhuozi_liaison, "first_review")
    assert submitted.number in note.title
    assert brand.yinshan.name in note.title
    assert note.url == reverse("brand:application", args=[submitted.pk])
    assert not Notification.objects.filter(recipient=world.huade_liaison).exists()
    assert not notes(brand.applicant, "first_review")


# --- reviewing ---------------------------------------------------------------------------


def test_the_whole_path_to_a_licence(world, brand, at_office):
    assert at_office.status == AppStatus.OFFICE_REVIEW
    assert (at_office.county_reviewer, at_office.county_opinion) == (
        world.zhuozi_liaison,
        "材料齐全，同意上报",
    )
    [note] = notes(world.brand_staff, "review")
    assert at_office.number in note.title
    approved = act(
        world.brand_staff,
        at_office,
        AppAction.APPROVE,
        "符合授权条件",
        valid_from=datetime.date(2023, 5, 1),
        today=datetime.date(2023, 4, 20),
    )
    assert approved.status == AppStatus.APPROVED
    assert (approved.office_reviewer, approved.office_opinion) == (
        world.brand_staff,
        "符合授权条件",
    )
    licence = Licence.objects.get(application=approved)
    assert licence.enterprise == brand.yinshan
    assert (licence.valid_from, licence.valid_until) == (
        datetime.date(2023, 5, 1),
        datetime.date(2026, 4, 30),
    )
    assert NUMBER.match(licence.number).group(1) == "2023"
    assert licence.issued_by == world.brand_staff
    [decided] = notes(brand.applicant, "decided")
    assert approved.number in decided.title
    assert str(AppStatus.APPROVED.label) in decided.title
    steps = list(approved.events.order_by("pk").values_list("action", "from_status", "to_status"))
    assert steps == [
        ("create", "", "draft"),
        ("submit", "draft", "county_review"),
        ("county_pass", "county_review", "office_review"),
        ("approve", "office_review", "approved"),
        ("licence_issue", "", ""),
    ]


@pytest.mark.parametrize(
    ("stage", "who", "action", "after"),
    [
        ("county", "zhuozi_liaison", AppAction.COUNTY_REJECT, AppStatus.REJECTED),
        ("county", "zhuozi_liaison", AppAction.RETURN, AppStatus.DRAFT),
        ("office", "brand_staff", AppAction.REJECT, AppStatus.REJECTED),
        ("office", "brand_staff", AppAction.RETURN, AppStatus.DRAFT),
    ],
)
def test_each_rejection_needs_a_reason_and_tells_the_enterprise(
    world, brand, submitted, stage, who, action, after
):
    application = submitted
    if stage == "office":
        application = act(world.zhuozi_liaison, submitted, AppAction.COUNTY_PASS)
    actor = getattr(world, who)
    with pytest.raises(ValidationError) as refused:
        act(actor, application, action, "   ")
    assert refused.value.message_dict == {"comment": [gettext("Give the reason.")]}
    assert reloaded(application).status == application.status
    done = act(actor, application, action, "检验报告已过期")
    assert done.status == after
    opinion = done.county_opinion if stage == "county" else done.office_opinion
    assert opinion == "检验报告已过期"
    [note] = notes(brand.applicant, "decided")
    assert str(AppStatus(after).label) in note.title
    assert note.body == "检验报告已过期"
    assert not Licence.objects.exists()


def test_another_countys_liaison_cannot_first_review(world, brand, submitted):
    for action in (AppAction.COUNTY_PASS, AppAction.COUNTY_REJECT, AppAction.RETURN):
        with pytest.raises(PermissionDenied):
            act(world.huade_liaison, submitted, action, "不同意")
    application = reloaded(submitted)
    assert application.status == AppStatus.COUNTY_REVIEW
    assert application.county_reviewer is None


def test_the_office_cannot_first_review_for_the_county(world, brand, submitted):
    with pytest.raises(PermissionDenied):
        act(world.brand_staff, submitted, AppAction.COUNTY_PASS)
    with pytest.raises(PermissionDenied):
        act(world.brand_staff, submitted, AppAction.RETURN, "补充材料")
    assert reloaded(submitted).status == AppStatus.COUNTY_REVIEW


def test_only_the_office_approves(world, brand, at_office):
    for actor in (brand.applicant, world.zhuozi_liaison, world.leader, world.office):
        for action in (AppAction.APPROVE, AppAction.REJECT):
            with pytest.raises(PermissionDenied):
                act(actor, at_office, action, "自行批准")
    assert reloaded(at_office).status == AppStatus.OFFICE_REVIEW
    assert not Licence.objects.exists()


def test_an_action_out_of_turn_is_refused(world, brand, submitted):
    with pytest.raises(ValidationError) as refused:
        act(world.brand_staff, submitted, AppAction.APPROVE)
    assert refused.value.code == "invalid_transition"
    assert not Licence.objects.exists()


def test_a_returned_application_is_a_draft_again_and_can_be_completed(world, brand, submitted):
    returned = act(world.zhuozi_liaison, submitted, AppAction.RETURN, "请补充产地证明原件")
    assert returned.status == AppStatus.DRAFT
    products = [*oat_products(), {**oat_products()[0], "name": "阴山优麦燕麦米"}]
    updated = services.application_update(
        actor=brand.applicant,
        application=returned,
        products=products,
        expected_version=returned.version,
    )
    assert [p.name for p in updated.products.all()] == ["阴山优麦燕麦片", "阴山优麦燕麦米"]
    services.application_attach(
        actor=brand.applicant,
        application=updated,
        uploads=[(AttachmentKind.ORIGIN_PROOF, upload("产地证明原件.pdf"))],
    )
    again = act(brand.applicant, reloaded(updated), AppAction.SUBMIT)
    assert again.status == AppStatus.COUNTY_REVIEW
    assert len(notes(world.zhuozi_liaison, "first_review")) == 2


def test_only_a_draft_is_changed(world, brand, submitted):
    with pytest.raises(ValidationError) as refused:
        services.application_update(
            actor=brand.applicant, application=submitted, products=oat_products()
        )
    assert refused.value.code == "not_draft"
    with pytest.raises(ValidationError) as refused:
        services.application_attach(
            actor=brand.applicant,
            application=submitted,
            uploads=[(AttachmentKind.OTHER, upload("补充.pdf"))],
        )
    assert refused.value.code == "closed"
    assert submitted.attachments.count() == 3


def test_the_office_adds_expert_opinions_during_its_review(world, brand, at_office):
    [added] = services.application_attach(
        actor=world.brand_staff,
        application=at_office,
        uploads=[(AttachmentKind.EXPERT_OPINION, upload("专家意见.pdf"))],
    )
    assert (added.kind, added.uploaded_by) == (AttachmentKind.EXPERT_OPINION, world.brand_staff)
    with pytest.raises(ValidationError) as refused:
        services.application_attach(
            actor=world.brand_staff,
            application=at_office,
            uploads=[(AttachmentKind.BUSINESS_LICENCE, upload())],
        )
    assert refused.value.code == "kind"
    with pytest.raises(ValidationError):
        services.application_attach(
            actor=brand.applicant,
            application=at_office,
            uploads=[(AttachmentKind.EXPERT_OPINION, upload("专家意见.pdf"))],
        )
    assert at_office.attachments.count() == 4


def test_a_stale_page_is_refused(world, brand, submitted):
    stale = submitted.version - 1
    with pytest.raises(ConcurrentEditError):
        act(world.zhuozi_liaison, submitted, AppAction.COUNTY_PASS, expected_version=stale)
    assert reloaded(submitted).status == AppStatus.COUNTY_REVIEW
    returned = act(
        world.zhuozi_liaison,
        submitted,
        AppAction.RETURN,
        "补充",
        expected_version=submitted.version,
    )
    with pytest.raises(ConcurrentEditError):
        services.application_update(
            actor=brand.applicant,
            application=returned,
            products=[],
            expected_version=returned.version - 1,
        )
    assert reloaded(returned).products.count() == 1


# --- the licence -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("valid_from", "last_day"),
    [
        (datetime.date(2023, 4, 1), datetime.date(2026, 3, 31)),
        (datetime.date(2023, 1, 1), datetime.date(2025, 12, 31)),
        (datetime.date(2023, 3, 1), datetime.date(2026, 2, 28)),
        (datetime.date(2025, 3, 1), datetime.date(2028, 2, 29)),
        # A licence from 29 February runs to the day before 1 March three years on.
        (datetime.date(2024, 2, 29), datetime.date(2027, 2, 28)),
        (datetime.date(2024, 2, 28), datetime.date(2027, 2, 27)),
    ],
)
def test_a_licence_runs_three_years_to_the_day_before(valid_from, last_day):
    assert services.licence_end(valid_from) == last_day


def test_the_period_follows_the_setting(settings):
    settings.BRAND_LICENCE_YEARS = 5
    assert services.licence_end(datetime.date(2024, 2, 29)) == datetime.date(2029, 2, 28)
    assert services.licence_end(datetime.date(2023, 7, 15)) == datetime.date(2028, 7, 14)


def test_approval_on_29_february(world, brand, at_office):
    approved = act(
        world.brand_staff,
        at_office,
        AppAction.APPROVE,
        valid_from=datetime.date(2024, 2, 29),
        today=datetime.date(2024, 2, 29),
    )
    assert approved.licence.valid_until == datetime.date(2027, 2, 28)
    assert NUMBER.match(approved.licence.number).group(1) == "2024"


def test_licence_numbers_are_random_and_never_repeat(world, brand, monkeypatch):
    numbers = {services.licence_number(2023) for _ in range(200)}
    assert len(numbers) == 200
    assert all(NUMBER.match(n) for n in numbers)

    # A number already taken is drawn again.
    licence = approve(world, draft(brand.applicant, brand.yinshan))
    taken = licence.number[-services.LICENCE_RANDOM_LENGTH :]
    draws = iter(taken + "2" * services.LICENCE_RANDOM_LENGTH)
    monkeypatch.setattr(services.secrets, "choice", lambda alphabet: next(draws))
    assert services.licence_number(licence.valid_from.year) == f"YW-{TODAY.year}-22222222"


def test_a_licence_is_issued_once_and_only_on_approval(world, brand, at_office):
    with pytest.raises(ValidationError) as refused:
        services.licence_issue(actor=world.brand_staff, application=at_office, valid_from=TODAY)
    assert refused.value.code == "not_approved"
    approved = act(world.brand_staff, at_office, AppAction.APPROVE, valid_from=TODAY, today=TODAY)
    with pytest.raises(ValidationError):
        services.licence_issue(actor=world.brand_staff, application=approved, valid_from=TODAY)
    with pytest.raises(PermissionDenied):
        services.licence_issue(actor=brand.applicant, application=approved, valid_from=TODAY)
    assert Licence.objects.count() == 1
