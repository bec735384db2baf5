"""A licence's page: what it covers, its state computed for today, its QR code; removal
(清退) by the brand office only; logo use recorded by the enterprise itself (or the
office) with packaging photos served only to those who see the licence."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from zhuanban.brand import qr, services
from zhuanban.brand.models import Category, Channel, Licence, LogoUse
from zhuanban.brand.tests.conftest import (
    approve,
    oat_products,
    required_documents,
    shows,
    upload,
    url,
)
from zhuanban.core.models import AuditAction, AuditEvent, StoredFile

pytestmark = pytest.mark.django_db

POTATO_FLOUR = {
    "name": "薯都凯达马铃薯全粉",
    "category": Category.POTATO,
    "standard": "GB/T 40772",
    "origin_base": "化德县马铃薯基地",
    "annual_output": "3000",
}


def page_of(response) -> str:
    return response.content.decode()


def days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


def license_now(world, brand, enterprise, products, *, actor=None, start=None):
    """A licence for `enterprise` issued through the whole path, valid from `start`
    (30 days ago by default: valid today)."""
    start = start or days_ago(30)
    application = services.application_create(
        actor=actor or world.brand_staff,
        enterprise=enterprise,
        products=products,
        attachments=required_documents(),
        today=start,
    )
    return approve(world, application, today=start)


@pytest.fixture
def current(world, brand):
    """阴山优麦 (卓资县, its own login) and 薯都凯达 (化德县), each with a licence valid today."""
    brand.yinshan_licence = license_now(
        world, brand, brand.yinshan, oat_products(), actor=brand.applicant
    )
    brand.shudu_licence = license_now(world, brand, brand.shudu, [POTATO_FLOUR])
    return brand


def product_of(licence: Licence):
    return licence.application.products.get()


# --- the page ------------------------------------------------------------------------------


def test_the_page_shows_the_licence_its_products_state_and_qr_code(world, login, current):
    licence = current.yinshan_licence
    page = page_of(login(world.zhuozi_liaison).get(url("licence", licence.pk)))
    assert licence.number in page
    assert current.yinshan.name in page
    assert url("enterprise", current.yinshan.pk) in page
    assert current.yinshan.credit_code in page
    for value in ("阴山优麦燕麦片", "GB/T 13359", "察右前旗燕麦种植基地", "1200"):
        assert value in page
    assert str(Category.GRAINS.label) in page
    assert licence.valid_from.isoformat() in page
    assert licence.valid_until.isoformat() in page
    assert 'class="tag licence-valid"' in page
    assert f'src="{url("licence_qr", licence.pk)}"' in page
    assert qr.verify_url(licence.number) in page
    assert url("certificate_docx", licence.pk) in page
    # 卓资县 reads it but neither removes it nor records logo use.
    assert url("licence_remove", licence.pk) not in page
    assert url("logo_use_add", licence.pk) not in page


def test_the_state_is_computed_for_today_never_stored(world, login, brand):
    """A licence issued four years ago has run out by today: the page says expired."""
    licence = license_now(world, brand, brand.yinshan, oat_products(), start=days_ago(4 * 366))
    assert licence.valid_until < timezone.localdate()
    page = page_of(login(world.brand_staff).get(url("licence", licence.pk)))
    assert 'class="tag licence-expired"' in page
    assert 'class="tag licence-valid"' not in page
    # Logo use cannot be recorded under it, and the form says so.
    assert url("logo_use_add", licence.pk) not in page
    response = login(world.brand_staff).get(url("logo_use_add", licence.pk))
    assert response.status_code == 302
    response = login(world.brand_staff).get(url("licence", licence.pk))
    assert shows(gettext("Logo use is recorded only under a valid licence."), page_of(response))


def test_who_sees_the_page(world, login, current, client):
    licence = current.yinshan_licence
    for user in (world.brand_staff, world.leader, world.office, world.zhuozi_liaison):
        assert login(user).get(url("licence", licence.pk)).status_code == 200, user
    assert login(current.applicant).get(url("licence", licence.pk)).status_code == 200
    # Another county, another enterprise, outsiders and the administrators: as if absent.
    for user in (world.huade_liaison, world.outsider, world.auditor):
        assert login(user).get(url("licence", licence.pk)).status_code == 404, user
    assert login(current.applicant).get(url("licence", current.shudu_licence.pk)).status_code == 404
    client.logout()
    response = client.get(url("licence", licence.pk))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_page_answers_get_only(world, login, current):
    client = login(world.brand_staff)
    assert client.post(url("licence", current.yinshan_licence.pk)).status_code == 405


# --- removal (清退) ---------------------------------------------------------------------------


def test_the_brand_office_removes_a_licence_with_a_reason(world, login, current):
    licence = current.yinshan_licence
    client = login(world.brand_staff)
    page = page_of(client.get(url("licence", licence.pk)))
    assert f'action="{url("licence_remove", licence.pk)}"' in page
    assert f'value="{timezone.localdate().isoformat()}"' in page  # today by default
    response = client.post(
        url("licence_remove", licence.pk),
        {"reason": "抽检不合格且未按期整改", "on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 302
    assert response["Location"] == url("licence", licence.pk)
    licence.refresh_from_db()
    assert licence.revoked_on == timezone.localdate()
    assert licence.revoked_reason == "抽检不合格且未按期整改"
    assert licence.revoked_by == world.brand_staff
    page = page_of(client.get(url("licence", licence.pk)))
    assert 'class="tag licence-revoked"' in page
    assert "抽检不合格且未按期整改" in page
    assert world.brand_staff.get_full_name() in page
    assert url("licence_remove", licence.pk) not in page  # once only
    assert AuditEvent.objects.filter(
        action=AuditAction.UPDATE, object_type="brand.licence", object_id=str(licence.pk)
    ).exists()


def test_removal_needs_a_reason_and_a_day_not_in_the_future(world, login, current):
    licence = current.yinshan_licence
    client = login(world.brand_staff)
    response = client.post(
        url("licence_remove", licence.pk), {"reason": "  ", "on": timezone.localdate().isoformat()}
    )
    assert response.status_code == 422
    assert "field-reason has-errors" in page_of(response)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(
        url("licence_remove", licence.pk), {"reason": "违规用标", "on": tomorrow.isoformat()}
    )
    assert response.status_code == 422
    assert shows(
        gettext("A removal takes effect today or on a day already past, not in the future."),
        page_of(response),
    )
    before = licence.valid_from - datetime.timedelta(days=1)
    response = client.post(
        url("licence_remove", licence.pk), {"reason": "违规用标", "on": before.isoformat()}
    )
    assert response.status_code == 422
    assert shows(
        gettext("The licence started on %(date)s: it cannot be removed before that day.")
        % {"date": licence.valid_from.isoformat()},
        page_of(response),
    )
    licence.refresh_from_db()
    assert licence.revoked_on is None


def test_only_the_brand_office_removes(world, login, current):
    licence = current.yinshan_licence
    data = {"reason": "违规用标", "on": timezone.localdate().isoformat()}
    # They see the licence but may not remove it: 403.
    for user in (world.zhuozi_liaison, world.leader, world.office, current.applicant):
        assert login(user).post(url("licence_remove", licence.pk), data).status_code == 403, user
    # They do not see it: 404.
    for user in (world.huade_liaison, world.outsider):
        assert login(user).post(url("licence_remove", licence.pk), data).status_code == 404, user
    assert login(world.brand_staff).get(url("licence_remove", licence.pk)).status_code == 405
    licence.refresh_from_db()
    assert licence.revoked_on is None


def test_a_licence_is_removed_once(world, login, current):
    licence = current.yinshan_licence
    services.licence_remove(actor=world.brand_staff, licence=licence, reason="违规用标")
    response = login(world.brand_staff).post(
        url("licence_remove", licence.pk),
        {"reason": "再次清退", "on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 422
    licence.refresh_from_db()
    assert licence.revoked_reason == "违规用标"
    assert shows(
        gettext("This licence was already removed on %(date)s.")
        % {"date": licence.revoked_on.isoformat()},
        page_of(response),
    )


# --- the QR code ---------------------------------------------------------------------------


def test_the_qr_code_encodes_the_public_page_of_the_licence(world, login, current, settings):
    settings.SITE_URL = "https://zhuanban.example.cn"
    licence = current.yinshan_licence
    expected = f"https://zhuanban.example.cn/verify/{licence.number}/"
    assert qr.verify_url(licence.number) == expected
    assert reverse("verify:licence", args=[licence.number]) == f"/verify/{licence.number}/"
    response = login(world.zhuozi_liaison).get(url("licence_qr", licence.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    svg = response.content.decode()
    assert svg.startswith("<svg") or svg.startswith("<?xml")
    assert svg == qr.svg(expected)
    assert qr.svg(expected) != qr.svg(qr.verify_url(current.shudu_licence.number))
    # The same code as PNG (for the certificate): a real PNG of the same modules.
    png = qr.png(expected, module_pixels=2)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert int.from_bytes(png[16:20], "big") == len(qr.matrix(expected)) * 2
    assert login(world.huade_liaison).get(url("licence_qr", licence.pk)).status_code == 404
    assert login(world.outsider).get(url("licence_qr", licence.pk)).status_code == 404


# --- logo use ------------------------------------------------------------------------------


def logo_data(licence: Licence, **changes) -> dict:
    data = {
        "product": product_of(licence).pk,
        "packaging": "500克袋装",
        "channels": [Channel.SUPERMARKET, Channel.ECOMMERCE],
        "since": timezone.localdate().isoformat(),
        "note": "包装正面印制标识",
    }
    data.update(changes)
    return data


def test_the_enterprise_records_its_logo_use_with_photos(world, login, current):
    licence = current.yinshan_licence
    client = login(current.applicant)
    page = page_of(client.get(url("licence", licence.pk)))
    assert url("logo_use_add", licence.pk) in page
    form = page_of(client.get(url("logo_use_add", licence.pk)))
    assert "阴山优麦燕麦片" in form
    assert "薯都凯达马铃薯全粉" not in form  # only this licence's products
    assert str(Channel.SUPERMARKET.label) in form
    response = client.post(
        url("logo_use_add", licence.pk),
        {**logo_data(licence), "photos": [upload("正面.png"), upload("背面.png")]},
    )
    assert response.status_code == 302, page_of(response)
    use = LogoUse.objects.get(licence=licence)
    assert use.channels == sorted([Channel.ECOMMERCE, Channel.SUPERMARKET])
    assert use.recorded_by == current.applicant
    photos = list(use.photos.order_by("pk"))
    assert [p.name for p in photos] == ["正面.png", "背面.png"]
    page = page_of(client.get(url("licence", licence.pk)))
    assert "500克袋装" in page
    assert str(Channel.SUPERMARKET.label) in page
    assert str(Channel.ECOMMERCE.label) in page
    for photo in photos:
        assert f'src="{url("logo_photo", photo.pk)}"' in page
    # The photo itself, for those who see the licence.
    response = login(world.zhuozi_liaison).get(url("logo_photo", photos[0].pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    for user in (world.huade_liaison, world.outsider):
        assert login(user).get(url("logo_photo", photos[0].pk)).status_code == 404, user


def test_a_file_that_is_not_a_logo_photo_is_not_served_there(world, login, current):
    """An application document is a StoredFile too: not served by the logo-photo address."""
    attachment = current.yinshan_licence.application.attachments.first()
    assert StoredFile.objects.filter(pk=attachment.file_id).exists()
    assert login(world.brand_staff).get(url("logo_photo", attachment.file_id)).status_code == 404


def test_the_brand_office_records_logo_use_for_the_enterprise(world, login, current):
    licence = current.shudu_licence
    response = login(world.brand_staff).post(url("logo_use_add", licence.pk), logo_data(licence))
    assert response.status_code == 302
    assert LogoUse.objects.get(licence=licence).recorded_by == world.brand_staff


def test_who_may_not_record_logo_use(world, login, current):
    licence = current.yinshan_licence
    data = logo_data(licence)
    # Another county's liaison and outsiders do not see the licence.
    for user in (world.huade_liaison, world.outsider):
        assert login(user).post(url("logo_use_add", licence.pk), data).status_code == 404, user
        assert login(user).get(url("logo_use_add", licence.pk)).status_code == 404, user
    # 卓资县's liaison and the leader read it but do not act for the enterprise.
    for user in (world.zhuozi_liaison, world.leader):
        assert login(user).post(url("logo_use_add", licence.pk), data).status_code == 403, user
    # Another enterprise's login does not see it.
    assert (
        login(current.applicant)
        .post(url("logo_use_add", current.shudu_licence.pk), logo_data(current.shudu_licence))
        .status_code
        == 404
    )
    assert not LogoUse.objects.exists()


def test_logo_use_refused_with_errors_by_field(world, login, current):
    licence = current.yinshan_licence
    client = login(current.applicant)
    # A product of another licence is not a choice; no channel; a date before the licence.
    other = product_of(current.shudu_licence)
    response = client.post(url("logo_use_add", licence.pk), logo_data(licence, product=other.pk))
    assert response.status_code == 422
    assert "field-product has-errors" in page_of(response)
    response = client.post(
        url("logo_use_add", licence.pk),
        {**logo_data(licence, since=(licence.valid_from - datetime.timedelta(days=1)).isoformat())},
    )
    assert response.status_code == 422
    assert shows(
        gettext("The logo cannot be used before the licence's start, %(date)s.")
        % {"date": licence.valid_from.isoformat()},
        page_of(response),
    )
    data = logo_data(licence)
    del data["channels"]
    response = client.post(url("logo_use_add", licence.pk), data)
    assert response.status_code == 422
    assert "field-channels has-errors" in page_of(response)
    # A file that is not a picture: refused beside the photos field, nothing stored.
    files = StoredFile.objects.count()
    response = client.post(
        url("logo_use_add", licence.pk), {**logo_data(licence), "photos": [upload("包装.pdf")]}
    )
    assert response.status_code == 422
    assert "field-photos has-errors" in page_of(response)
    assert StoredFile.objects.count() == files
    assert not LogoUse.objects.exists()


def test_the_removed_licence_page_shows_the_removal_not_the_actions(world, login, current):
    licence = current.yinshan_licence
    services.licence_remove(actor=world.brand_staff, licence=licence, reason="违规用标")
    page = page_of(login(current.applicant).get(url("licence", licence.pk)))
    assert 'class="tag licence-revoked"' in page
    assert "违规用标" in page
    assert url("logo_use_add", licence.pk) not in page
