"""Authorization applications on screen: the form (products as rows, documents by kind,
bad files refused all at once with nothing stored), the page with exactly the actions the
lifecycle table allows, the county's first review and the office's approval issuing a
licence, documents added and downloaded by the right people only, and the queue."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
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
from zhuanban.brand.tests.conftest import (
    PDF,
    approve,
    enterprise,
    oat_products,
    required_documents,
    shows,
    upload,
    url,
)
from zhuanban.core.models import AuditAction, AuditEvent, AuditOutcome, StoredFile
from zhuanban.org.tests.factories import person

pytestmark = pytest.mark.django_db


def page_of(response) -> str:
    assert response.status_code in (200, 409, 422), response.status_code
    return response.content.decode()


def product_rows(*products: dict, initial: int = 0, total: int | None = None) -> dict:
    """The product formset as the browser posts it (3 empty rows unless `total`)."""
    data = {
        "products-TOTAL_FORMS": str(total if total is not None else len(products) + 3),
        "products-INITIAL_FORMS": str(initial),
        "products-MIN_NUM_FORMS": "0",
        "products-MAX_NUM_FORMS": "1000",
    }
    for index, product in enumerate(products):
        for name, value in product.items():
            data[f"products-{index}-{name}"] = value
    return data


OATS = {
    "name": "阴山优麦燕麦片",
    "category": Category.GRAINS,
    "standard": "GB/T 13359",
    "origin_base": "察右前旗燕麦种植基地",
    "annual_output": "1200",
}
OAT_RICE = {**OATS, "name": "阴山优麦燕麦米", "annual_output": "300.5"}


def missing_message(kind) -> str:
    return gettext("The %(document)s is missing.") % {"document": AttachmentKind(kind).label}


def act(client, application, action, **data):
    application.refresh_from_db()
    payload = {"action": action, f"{action}-version": application.version}
    payload.update({f"{action}-{key}": value for key, value in data.items()})
    return client.post(url("application_act", application.pk), payload)


@pytest.fixture
def draft(world, brand):
    """阴山优麦's draft, entered by its own login, with its products and three documents."""
    return services.application_create(
        actor=brand.applicant,
        enterprise=brand.yinshan,
        products=oat_products(),
        attachments=required_documents(),
    )


@pytest.fixture
def submitted(world, brand, draft):
    return services.application_act(
        actor=brand.applicant, application=draft, action=AppAction.SUBMIT
    )


@pytest.fixture
def in_office_review(world, submitted):
    return services.application_act(
        actor=world.zhuozi_liaison,
        application=submitted,
        action=AppAction.COUNTY_PASS,
        comment="材料齐全，同意",
    )


# --- applying -----------------------------------------------------------------------------


def test_the_form_says_a_draft_needs_the_three_documents(world, login, brand):
    response = login(brand.applicant).get(url("application_create", brand.yinshan.pk))
    page = page_of(response)
    assert len(response.context["formset"].forms) == 3  # works without JavaScript
    note = page[page.index('id="draft-note"') :]
    note = note[: note.index("</p>")]
    for kind in (
        AttachmentKind.BUSINESS_LICENCE,
        AttachmentKind.INSPECTION_REPORT,
        AttachmentKind.ORIGIN_PROOF,
    ):
        assert str(AttachmentKind(kind).label) in note
    for name in ("business_licence", "inspection_report", "origin_proof", "other"):
        assert f'name="{name}"' in page
    assert (
        'multiple accept=".pdf' in page
        or 'accept=".pdf,.jpg,.jpeg,.png,.docx,.doc" multiple' in page
    )


def test_the_enterprise_login_applies_with_products_and_documents(world, login, brand):
    data = {
        **product_rows(OATS, OAT_RICE),
        "business_licence": upload("营业执照.pdf"),
        "inspection_report": [upload("检验报告1.pdf"), upload("检验报告2.pdf")],
        "origin_proof": upload("产地证明.png"),
    }
    response = login(brand.applicant).post(url("application_create", brand.yinshan.pk), data)
    application = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("application", application.pk)
    assert application.status == AppStatus.DRAFT
    assert application.enterprise == brand.yinshan
    assert application.created_by == brand.applicant
    assert [(p.name, p.annual_output) for p in application.products.order_by("pk")] == [
        ("阴山优麦燕麦片", 1200),
        ("阴山优麦燕麦米", 300.5),
    ]
    kinds = sorted(application.attachments.values_list("kind", flat=True))
    assert kinds == sorted(
        [
            AttachmentKind.BUSINESS_LICENCE,
            AttachmentKind.INSPECTION_REPORT,
            AttachmentKind.INSPECTION_REPORT,
            AttachmentKind.ORIGIN_PROOF,
        ]
    )
    page = page_of(login(brand.applicant).get(url("application", application.pk)))
    assert "检验报告2.pdf" in page
    assert gettext("All required documents are attached.") in page
    assert f'name="action" value="{AppAction.SUBMIT}"' in page


def test_the_office_enters_an_application_and_the_page_lists_the_missing_documents(
    world, login, brand
):
    client = login(world.brand_staff)
    response = client.post(url("application_create", brand.shudu.pk), product_rows(OATS))
    application = Application.objects.get()
    assert response.status_code == 302
    assert application.enterprise == brand.shudu
    page = page_of(client.get(url("application", application.pk)))
    missing = page[page.index('id="missing"') :]
    missing = missing[: missing.index("</div>")]
    for kind in (
        AttachmentKind.BUSINESS_LICENCE,
        AttachmentKind.INSPECTION_REPORT,
        AttachmentKind.ORIGIN_PROOF,
    ):
        assert str(AttachmentKind(kind).label) in missing


def test_bad_files_are_refused_all_at_once_and_nothing_is_stored(world, login, brand):
    data = {
        **product_rows(OATS),
        "business_licence": upload("营业执照.pdf"),
        "inspection_report": SimpleUploadedFile(
            "检验报告.exe", b"MZ\x90\x00", "application/x-msdownload"
        ),
        "other": SimpleUploadedFile("伪装.pdf", b"<html>not a pdf</html>", "application/pdf"),
    }
    response = login(brand.applicant).post(url("application_create", brand.yinshan.pk), data)
    page = page_of(response)
    assert response.status_code == 422
    problems = response.context["problems"]["attachments"]
    assert len(problems) == 2
    assert problems[0].startswith("检验报告.exe: ")
    assert problems[1].startswith("伪装.pdf: ")
    for problem in problems:
        assert shows(problem, page)
    assert not Application.objects.exists()
    assert not Product.objects.exists()
    assert not StoredFile.objects.exists()
    refusals = AuditEvent.objects.filter(
        action=AuditAction.UPLOAD, outcome=AuditOutcome.FAILURE
    ).values_list("object_repr", flat=True)
    assert sorted(refusals) == sorted(["检验报告.exe", "伪装.pdf"])
    # The user is told to choose the files again (a browser does not keep them).
    assert gettext("Files are not kept when the form is refused: choose them again.") in page


def test_products_are_required_and_each_row_is_checked(world, login, brand):
    client = login(brand.applicant)
    response = client.post(url("application_create", brand.yinshan.pk), product_rows())
    assert response.status_code == 422
    assert response.context["formset"].non_form_errors() == [
        gettext("List at least one product to be authorized.")
    ]
    bad = {**OATS, "annual_output": "-5", "standard": ""}
    response = client.post(url("application_create", brand.yinshan.pk), product_rows(bad))
    assert response.status_code == 422
    errors = response.context["formset"].forms[0].errors
    assert set(errors) == {"annual_output", "standard"}
    assert not Application.objects.exists()


def test_who_is_not_the_applicant_may_not_apply(world, login, brand):
    data = product_rows(OATS)
    # They see 阴山优麦 but do not apply for it.
    for persona in (world.zhuozi_liaison, world.leader, world.inspector):
        client = login(persona)
        assert client.get(url("application_create", brand.yinshan.pk)).status_code == 403
        assert client.post(url("application_create", brand.yinshan.pk), data).status_code == 403
    # They do not see it.
    for persona in (world.huade_liaison, world.outsider, world.sysadmin):
        assert (
            login(persona).post(url("application_create", brand.yinshan.pk), data).status_code
            == 404
        )
    # An enterprise login applies for itself only.
    assert (
        login(brand.applicant).post(url("application_create", brand.shudu.pk), data).status_code
        == 404
    )
    assert not Application.objects.exists()


def test_an_enterprise_with_an_application_in_progress_is_taken_to_it(world, login, brand, draft):
    client = login(world.brand_staff)
    response = client.post(url("application_create", brand.yinshan.pk), product_rows(OATS))
    assert response.status_code == 302
    assert response["Location"] == url("application", draft.pk)
    assert Application.objects.count() == 1


# --- editing a draft ------------------------------------------------------------------------


def test_the_applicant_edits_a_drafts_products_and_a_stale_page_is_409(world, login, brand, draft):
    client = login(brand.applicant)
    response = client.get(url("application_edit", draft.pk))
    formset = response.context["formset"]
    assert formset.initial_form_count() == 1
    assert len(formset.forms) == 4
    data = {
        **product_rows({**OATS, "annual_output": "1500"}, OAT_RICE, initial=1),
        "version": draft.version,
    }
    response = client.post(url("application_edit", draft.pk), data)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert [(p.name, p.annual_output) for p in draft.products.order_by("pk")] == [
        ("阴山优麦燕麦片", 1500),
        ("阴山优麦燕麦米", 300.5),
    ]
    # The same page posted again (drawn before the save): refused, nothing changed.
    response = client.post(
        url("application_edit", draft.pk), {**data, "products-1-annual_output": "1"}
    )
    assert response.status_code == 409
    assert shows(
        gettext("Someone else changed this in the meantime. Reload the page and try again."),
        page_of(response),
    )
    assert draft.products.get(name="阴山优麦燕麦米").annual_output == 300.5


def test_a_saved_product_can_be_removed_but_not_the_last(world, login, brand, draft):
    client = login(brand.applicant)
    services.application_update(actor=brand.applicant, application=draft, products=[OATS, OAT_RICE])
    draft.refresh_from_db()
    data = {
        **product_rows(OATS, {**OAT_RICE, "DELETE": "on"}, initial=2),
        "version": draft.version,
    }
    assert client.post(url("application_edit", draft.pk), data).status_code == 302
    assert list(draft.products.values_list("name", flat=True)) == ["阴山优麦燕麦片"]
    draft.refresh_from_db()
    data = {**product_rows({**OATS, "DELETE": "on"}, initial=1), "version": draft.version}
    response = client.post(url("application_edit", draft.pk), data)
    assert response.status_code == 422
    assert draft.products.count() == 1


def test_only_a_draft_is_edited(world, login, brand, submitted):
    client = login(brand.applicant)
    response = client.post(
        url("application_edit", submitted.pk), {**product_rows(OATS), "version": 2}
    )
    assert response.status_code == 302
    assert response["Location"] == url("application", submitted.pk)
    assert list(submitted.products.values_list("name", flat=True)) == ["阴山优麦燕麦片"]
    assert login(world.zhuozi_liaison).get(url("application_edit", submitted.pk)).status_code == 403
    assert login(world.huade_liaison).get(url("application_edit", submitted.pk)).status_code == 404


# --- the lifecycle on the page --------------------------------------------------------------


def test_submit_without_documents_lists_each_missing_one(world, login, brand):
    application = services.application_create(
        actor=brand.applicant, enterprise=brand.yinshan, products=oat_products()
    )
    client = login(brand.applicant)
    response = act(client, application, AppAction.SUBMIT)
    page = page_of(response)
    assert response.status_code == 422
    for kind in (
        AttachmentKind.BUSINESS_LICENCE,
        AttachmentKind.INSPECTION_REPORT,
        AttachmentKind.ORIGIN_PROOF,
    ):
        assert shows(missing_message(kind), page)
    application.refresh_from_db()
    assert application.status == AppStatus.DRAFT
    # Added, one kind at a time, then the submission goes through.
    for kind, file in required_documents():
        response = client.post(
            url("application_attach", application.pk),
            {"attach-kind": kind, "attach-files": file},
        )
        assert response.status_code == 302
    assert act(client, application, AppAction.SUBMIT).status_code == 302
    application.refresh_from_db()
    assert application.status == AppStatus.COUNTY_REVIEW
    assert application.submitted_at is not None


def test_each_party_is_offered_exactly_the_actions_the_table_allows(world, login, brand, submitted):
    def offered(persona) -> set[str]:
        page = page_of(login(persona).get(url("application", submitted.pk)))
        return {a for a in AppAction.values if f'name="action" value="{a}"' in page}

    assert offered(world.zhuozi_liaison) == {
        AppAction.COUNTY_PASS,
        AppAction.COUNTY_REJECT,
        AppAction.RETURN,
    }
    assert offered(world.brand_staff) == set()
    assert offered(brand.applicant) == set()
    assert offered(world.leader) == set()
    page = page_of(login(world.zhuozi_liaison).get(url("application", submitted.pk)))
    assert gettext("Required: the applicant reads it.") in page


def test_another_countys_liaison_cannot_first_review_nor_can_the_office(world, login, submitted):
    assert act(login(world.huade_liaison), submitted, AppAction.COUNTY_PASS).status_code == 404
    assert act(login(world.brand_staff), submitted, AppAction.COUNTY_PASS).status_code == 403
    assert act(login(world.leader), submitted, AppAction.COUNTY_PASS).status_code == 403
    submitted.refresh_from_db()
    assert submitted.status == AppStatus.COUNTY_REVIEW
    assert submitted.county_reviewer is None


def test_reject_and_return_need_a_reason(world, login, submitted):
    client = login(world.zhuozi_liaison)
    for action in (AppAction.COUNTY_REJECT, AppAction.RETURN):
        response = act(client, submitted, action, comment="  ")
        assert response.status_code == 422
        page = page_of(response)
        form = next(f for f in response.context["action_forms"] if f.action == action)
        assert form.errors["comment"] == [gettext("Give the reason.")]
        assert shows(gettext("Give the reason."), page)
    submitted.refresh_from_db()
    assert submitted.status == AppStatus.COUNTY_REVIEW


def test_the_county_passes_and_the_office_approves_the_licence_number_shown(
    world, login, brand, submitted
):
    county = login(world.zhuozi_liaison)
    response = act(county, submitted, AppAction.COUNTY_PASS, comment="材料齐全，同意")
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == AppStatus.OFFICE_REVIEW
    office = login(world.brand_staff)
    page = page_of(office.get(url("application", submitted.pk)))
    assert "材料齐全，同意" in page
    assert "郭晓军" in page  # who gave the county's opinion
    assert 'name="approve-valid_from"' in page
    valid_from = timezone.localdate() + datetime.timedelta(days=1)
    response = act(
        office,
        submitted,
        AppAction.APPROVE,
        comment="符合授权条件",
        valid_from=valid_from.isoformat(),
    )
    assert response.status_code == 302
    licence = Licence.objects.get()
    assert licence.application == submitted
    assert licence.valid_from == valid_from
    page = page_of(office.get(response["Location"]))
    message = gettext("Approved: licence %(number)s was issued.") % {"number": licence.number}
    assert shows(message, page)
    assert f'<a href="{url("licence", licence.pk)}">' in page
    assert 'class="tag app-status app-status-approved"' in page
    assert "符合授权条件" in page
    # The enterprise login reads the decision and the licence on its application.
    page = page_of(login(brand.applicant).get(url("application", submitted.pk)))
    assert licence.number in page
    assert url("licence", licence.pk) in page


def test_approval_defaults_to_today(world, login, in_office_review):
    assert act(login(world.brand_staff), in_office_review, AppAction.APPROVE).status_code == 302
    assert Licence.objects.get().valid_from == timezone.localdate()


def test_a_stale_action_is_409_and_changes_nothing(world, login, submitted):
    client = login(world.zhuozi_liaison)
    response = client.post(
        url("application_act", submitted.pk),
        {"action": AppAction.COUNTY_PASS, "county_pass-version": submitted.version - 1},
    )
    assert response.status_code == 409
    assert shows(
        gettext("Someone else changed this in the meantime. Reload the page and try again."),
        page_of(response),
    )
    submitted.refresh_from_db()
    assert submitted.status == AppStatus.COUNTY_REVIEW


def test_an_unknown_action_is_404_and_acting_wants_post(world, login, submitted):
    client = login(world.zhuozi_liaison)
    assert client.post(url("application_act", submitted.pk), {"action": "hack"}).status_code == 404
    assert client.get(url("application_act", submitted.pk)).status_code == 405


# --- documents added and downloaded ---------------------------------------------------------


def test_the_office_adds_an_expert_opinion_during_its_review_the_applicant_cannot(
    world, login, brand, in_office_review
):
    office = login(world.brand_staff)
    form = office.get(url("application", in_office_review.pk)).context["attach_form"]
    assert [k for k, _label in form.fields["kind"].choices] == [
        AttachmentKind.EXPERT_OPINION,
        AttachmentKind.OTHER,
    ]
    response = office.post(
        url("application_attach", in_office_review.pk),
        {"attach-kind": AttachmentKind.EXPERT_OPINION, "attach-files": upload("专家意见.pdf")},
    )
    assert response.status_code == 302
    assert in_office_review.attachments.filter(kind=AttachmentKind.EXPERT_OPINION).count() == 1
    # A required document is not among the kinds the office adds now.
    response = office.post(
        url("application_attach", in_office_review.pk),
        {"attach-kind": AttachmentKind.BUSINESS_LICENCE, "attach-files": upload("x.pdf")},
    )
    assert response.status_code == 422
    # The applicant adds nothing once its application is under review.
    applicant = login(brand.applicant)
    assert applicant.get(url("application", in_office_review.pk)).context["attach_form"] is None
    response = applicant.post(
        url("application_attach", in_office_review.pk),
        {"attach-kind": AttachmentKind.OTHER, "attach-files": upload("补充.pdf")},
    )
    assert response.status_code == 422
    assert in_office_review.attachments.count() == 4
    # Nor does the county, who reads it.
    response = login(world.zhuozi_liaison).post(
        url("application_attach", in_office_review.pk),
        {"attach-kind": AttachmentKind.OTHER, "attach-files": upload("补充.pdf")},
    )
    assert response.status_code == 403


def test_a_bad_file_added_later_is_refused_and_not_stored(world, login, brand, draft):
    files = StoredFile.objects.count()
    response = login(brand.applicant).post(
        url("application_attach", draft.pk),
        {
            "attach-kind": AttachmentKind.OTHER,
            "attach-files": [
                upload("说明.pdf"),
                SimpleUploadedFile("宏.docm", b"PK\x03\x04", "application/octet-stream"),
            ],
        },
    )
    assert response.status_code == 422
    errors = response.context["attach_form"].non_field_errors()
    assert len(errors) == 1
    assert errors[0].startswith("宏.docm: ")
    assert StoredFile.objects.count() == files
    assert draft.attachments.count() == 3


def test_documents_download_for_those_who_see_the_application_only(world, login, brand, draft):
    attachment = draft.attachments.get(kind=AttachmentKind.BUSINESS_LICENCE)
    for persona in (brand.applicant, world.brand_staff, world.zhuozi_liaison, world.leader):
        response = login(persona).get(url("attachment", attachment.pk))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert "attachment;" in response["Content-Disposition"]
    for persona in (world.huade_liaison, world.outsider, world.auditor):
        assert login(persona).get(url("attachment", attachment.pk)).status_code == 404
    # Another enterprise's login does not get it either.
    other = enterprise(world, "卓资县另一家企业", world.zhuozi, 9)
    stranger = person("other-ent", other.unit, name="他人申报员")
    assert login(stranger).get(url("attachment", attachment.pk)).status_code == 404
    assert login(world.brand_staff).post(url("attachment", attachment.pk)).status_code == 405
    assert Attachment.objects.count() == 3


# --- the queue ------------------------------------------------------------------------------


@pytest.fixture
def queue(world, brand, submitted):
    """卓资县: 阴山优麦 awaiting first review and 卓资县山野 approved; 化德县: 薯都凯达
    awaiting the office's review and 化德县某合作社 as a draft."""
    coop = enterprise(world, "卓资县山野杂粮种植专业合作社", world.zhuozi, 3)
    approved = services.application_create(
        actor=world.brand_staff,
        enterprise=coop,
        products=[{**oat_products()[0], "name": "山野莜面"}],
        attachments=required_documents(),
    )
    approve(world, approved, today=timezone.localdate())
    shudu = services.application_create(
        actor=world.brand_staff,
        enterprise=brand.shudu,
        products=[{**oat_products()[0], "name": "马铃薯全粉"}],
        attachments=required_documents(),
    )
    services.application_act(actor=world.brand_staff, application=shudu, action=AppAction.SUBMIT)
    services.application_act(
        actor=world.huade_liaison, application=shudu, action=AppAction.COUNTY_PASS
    )
    huade_coop = enterprise(world, "化德县某合作社", world.huade, 4)
    services.application_create(
        actor=world.brand_staff,
        enterprise=huade_coop,
        products=[{**oat_products()[0], "name": "合作社燕麦"}],
    )
    return brand


def numbers(response) -> set[str]:
    return {application.enterprise.name for application in response.context["page"]}


def test_the_queue_opens_on_what_each_party_works_on(world, login, queue):
    response = login(world.zhuozi_liaison).get(url("applications"))
    page = page_of(response)
    assert numbers(response) == {"内蒙古阴山优麦食品有限公司"}
    assert "阴山优麦燕麦片" in page  # the products, by name
    assert "卓资县" in page
    chips = {chip["value"]: chip["count"] for chip in response.context["chips"]}
    assert chips["all"] == 2  # 卓资县's two
    assert chips[AppStatus.COUNTY_REVIEW] == 1
    assert chips[AppStatus.APPROVED] == 1
    assert chips[AppStatus.OFFICE_REVIEW] == 0

    response = login(world.brand_staff).get(url("applications"))
    assert numbers(response) == {"化德县薯都凯达食品有限公司"}
    chips = {chip["value"]: chip["count"] for chip in response.context["chips"]}
    assert chips["all"] == 4

    response = login(world.leader).get(url("applications"))
    assert len(numbers(response)) == 4

    response = login(queue.applicant).get(url("applications"))
    assert numbers(response) == {"内蒙古阴山优麦食品有限公司"}


def test_the_queue_filters_by_county_and_status(world, login, queue):
    client = login(world.brand_staff)
    response = client.get(url("applications"), {"status": "all", "county": world.huade.pk})
    assert numbers(response) == {"化德县薯都凯达食品有限公司", "化德县某合作社"}
    response = client.get(url("applications"), {"status": AppStatus.DRAFT})
    assert numbers(response) == {"化德县某合作社"}
    chips = {chip["value"]: chip["count"] for chip in response.context["chips"]}
    assert chips["all"] == 4
    # A county liaison's queue holds its county's applications only, whatever it asks.
    response = login(world.zhuozi_liaison).get(
        url("applications"), {"status": "all", "county": world.huade.pk}
    )
    assert numbers(response) == {"内蒙古阴山优麦食品有限公司", "卓资县山野杂粮种植专业合作社"}
    # A hand-edited value is ignored, not a 500.
    response = client.get(url("applications"), {"status": "nonsense", "county": "x"})
    assert response.status_code == 200


def test_the_queue_is_refused_to_the_administrators_and_empty_for_the_outsider(world, login, queue):
    assert login(world.auditor).get(url("applications")).status_code == 403
    response = login(world.outsider).get(url("applications"), {"status": "all"})
    assert numbers(response) == set()


def _queue_queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url("applications"), {"status": "all"})
    assert response.status_code == 200
    return len(captured)


def test_the_queue_runs_the_same_queries_for_2_or_10_applications(world, login, brand):
    def add(start, count):
        for n in range(start, start + count):
            ent = enterprise(world, f"企业{n}", world.zhuozi if n % 2 else world.huade, 100 + n)
            application = services.application_create(
                actor=world.brand_staff,
                enterprise=ent,
                products=[{**oat_products()[0], "name": f"产品{n}"}, OAT_RICE],
                attachments=required_documents(),
            )
            if n % 2:
                services.application_act(
                    actor=world.brand_staff, application=application, action=AppAction.SUBMIT
                )

    client = login(world.brand_staff)
    add(0, 2)
    few = _queue_queries(client)
    add(2, 8)
    assert len(client.get(url("applications"), {"status": "all"}).context["page"]) == 10
    assert _queue_queries(client) == few
