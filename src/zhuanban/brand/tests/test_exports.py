"""The brand register's files: 原味乌兰察布授权企业名单表 (.xlsx) row by row with sales,
growth and totals, only licences valid today among what the user sees, text that looks
like a formula, flat query counts; the licence certificate (.docx/.pdf) with its QR code,
saying 已清退/已失效 when the licence no longer holds."""

import io
import zipfile
from decimal import Decimal

import docx
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext, pgettext
from openpyxl import load_workbook

from zhuanban.brand import exports, qr, services
from zhuanban.brand.models import Category, Enterprise, EnterpriseKind
from zhuanban.brand.tests.conftest import day, enterprise, issue, oat_products
from zhuanban.core import excel, ledger, word
from zhuanban.core.models import AuditAction, AuditEvent
from zhuanban.core.tests.office import (
    A3_LANDSCAPE,
    print_to_pdf,
)
from zhuanban.core.tests.test_export_safety import assert_no_formulas, assert_shown_as_text

pytestmark = pytest.mark.django_db

REGISTER = reverse("brand:register_xlsx")
FIRST_ROW = ledger.HEADER_ROW + 1
HOSTILE_PRODUCT = '=HYPERLINK("http://x","点此")'


@pytest.fixture(autouse=True)
def _chinese():
    with translation.override("zh-hans"):
        yield


def potato(name: str) -> list[dict]:
    return [
        {
            "name": name,
            "category": Category.POTATO,
            "standard": "GB/T 40772",
            "origin_base": "化德县马铃薯基地",
            "annual_output": "3000",
        }
    ]


def sales(world, company, this: str | None, last: str | None) -> None:
    year = timezone.localdate().year
    for when, amount in ((year, this), (year - 1, last)):
        if amount is not None:
            services.sales_save(
                actor=world.brand_staff, enterprise=company, year=when, amount=Decimal(amount)
            )


@pytest.fixture
def register(world, brand):
    """阴山优麦 (卓资县, association member): valid, 8500 against 7000 (+21.4%);
    薯都凯达 (化德县): valid, 500 against nought; 兰格格 (卓资县): removed; 察哈尔 (化德县):
    expired."""
    Enterprise.objects.filter(pk=brand.yinshan.pk).update(association_member=True)
    brand.yinshan.refresh_from_db()
    brand.yinshan_licence = issue(world, brand.yinshan, oat_products(), day(-30))
    brand.shudu_licence = issue(world, brand.shudu, potato("薯都凯达马铃薯全粉"), day(-20))
    brand.langege = enterprise(world, "内蒙古兰格格乳业有限公司", world.zhuozi, 3)
    brand.revoked = issue(world, brand.langege, potato("兰格格酸奶"), day(-60))
    services.licence_remove(actor=world.brand_staff, licence=brand.revoked, reason="违规用标")
    brand.chahar = enterprise(world, "察哈尔羊肉食品有限公司", world.huade, 4)
    brand.expired = issue(world, brand.chahar, potato("察哈尔羊肉"), day(-4 * 366))
    sales(world, brand.yinshan, "8500", "7000")
    sales(world, brand.shudu, "500", "0")
    sales(world, brand.langege, "900", "800")
    return brand


def download(client, address: str, params=None) -> tuple:
    response = client.get(address, params or {})
    assert response.status_code == 200, response.status_code
    return response, b"".join(response.streaming_content)


def workbook_of(client, params=None):
    _response, content = download(client, REGISTER, params)
    return load_workbook(io.BytesIO(content)).active


def rows_of(ws) -> list[list]:
    return [[cell.value for cell in row] for row in ws.iter_rows(min_row=FIRST_ROW)]


def names_in(ws) -> list[str]:
    return [row[1] for row in rows_of(ws)[:-1]]


# --- the register (.xlsx) ---------------------------------------------------------------------


def test_the_register_row_by_row(world, login, register):
    r = register
    response, content = download(login(world.brand_staff), REGISTER)
    assert response["Content-Type"] == excel.XLSX_CONTENT_TYPE
    assert response["Content-Disposition"].startswith("attachment")
    assert zipfile.ZipFile(io.BytesIO(content)).testzip() is None
    ws = load_workbook(io.BytesIO(content)).active
    assert ws["A1"].value == exports.register_title()
    year = timezone.localdate().year
    assert gettext("Sales of %(year)d against %(last)d") % {"year": year, "last": year - 1} in (
        ws["A2"].value
    )
    header = [cell.value for cell in ws[ledger.HEADER_ROW]]
    assert header == [column.label for column in exports.register_columns()]
    assert header[1] == pgettext("brand register", "Enterprise name")
    rows = rows_of(ws)
    assert len(rows) == 3  # two enterprises and the totals
    yinshan, shudu, totals = rows
    assert yinshan[:7] == [
        1,
        r.yinshan.name,
        r.yinshan.credit_code,
        world.zhuozi.name,
        str(EnterpriseKind.REGIONAL_LEADING.label),
        "阴山优麦燕麦片",
        r.yinshan_licence.number,
    ]
    assert yinshan[7].date() == r.yinshan_licence.valid_from
    assert yinshan[8].date() == r.yinshan_licence.valid_until
    assert yinshan[9:] == [gettext("Yes"), 7000, 8500, 21.4]
    assert shudu[1] == r.shudu.name
    assert shudu[3] == world.huade.name
    assert shudu[9:] == [gettext("No"), 0, 500, None]  # no growth against nought
    # The removed (兰格格) and the expired (察哈尔) are not on it.
    assert totals[0] == gettext("Total")
    assert totals[1] == ngettext("%(count)d enterprise", "%(count)d enterprises", 2) % {"count": 2}
    # Sums of all figures; the growth over the enterprises with both years (阴山优麦).
    assert totals[10:] == [7000, 9000, 21.4]
    for cell in ws[FIRST_ROW]:
        if cell.column in (11, 12):
            assert cell.number_format == exports.AMOUNT_FORMAT
    event = AuditEvent.objects.get(action=AuditAction.EXPORT, object_type="brand.register")
    assert event.actor == world.brand_staff
    assert event.after["enterprises"] == 2


def test_an_enterprise_with_two_licences_is_one_row(world, login, register):
    second = issue(world, register.yinshan, potato("阴山优麦莜面"), day(-3))
    rows = rows_of(workbook_of(login(world.brand_staff), {"county": world.zhuozi.pk}))
    assert len(rows) == 2  # 阴山优麦 and the totals
    row = rows[0]
    assert row[5] == "阴山优麦燕麦片\n阴山优麦莜面"
    assert row[6] == f"{register.yinshan_licence.number}\n{second.number}"
    assert row[7] == f"{register.yinshan_licence.valid_from.isoformat()}\n{day(-3).isoformat()}"
    assert row[10:] == [7000, 8500, 21.4]  # its sales once
    assert rows[1][10:] == [7000, 8500, 21.4]


def test_the_register_is_laid_out_to_print(world, login, register):
    ws = workbook_of(login(world.brand_staff))
    assert ws.freeze_panes == f"A{FIRST_ROW}"
    assert ws.print_title_rows == f"${ledger.HEADER_ROW}:${ledger.HEADER_ROW}"
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == excel.PAPER_A3


def test_the_register_of_one_county_and_of_a_county_liaison(world, login, register):
    ws = workbook_of(login(world.brand_staff), {"county": world.huade.pk})
    assert names_in(ws) == [register.shudu.name]
    assert world.huade.name in ws["A2"].value
    # A county's liaison gets the county's enterprises only, whatever it asks for.
    assert names_in(workbook_of(login(world.zhuozi_liaison))) == [register.yinshan.name]
    ws = workbook_of(login(world.zhuozi_liaison), {"county": world.huade.pk})
    assert names_in(ws) == []
    # The enterprise's own login: itself.
    assert names_in(workbook_of(login(register.applicant))) == [register.yinshan.name]
    # Something that is not a county is left out, not an error.
    assert len(names_in(workbook_of(login(world.brand_staff), {"county": "x"}))) == 2


def test_who_gets_the_register(world, login, register, client):
    assert names_in(workbook_of(login(world.outsider))) == []  # sees no enterprise
    assert login(world.auditor).get(REGISTER).status_code == 403  # no business data
    assert login(world.brand_staff).put(REGISTER).status_code == 405  # POST queues a job
    client.logout()
    assert client.get(REGISTER).status_code == 302


def test_text_from_users_never_becomes_a_formula(world, login, brand):
    company = enterprise(world, "=1+1食品有限公司", world.zhuozi, 7)
    issue(world, company, potato(HOSTILE_PRODUCT), day(-5))
    _response, content = download(login(world.brand_staff), REGISTER)
    assert_no_formulas(content)
    assert_shown_as_text(content, [HOSTILE_PRODUCT, "=1+1食品有限公司"])


def _register_queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        _response, content = download(client, REGISTER)
    assert content
    return len(captured)


def test_the_register_runs_the_same_queries_for_2_or_10_licences(world, login, brand):
    client = login(world.brand_staff)

    def add(count: int, start: int) -> None:
        for n in range(start, start + count):
            county = world.zhuozi if n % 2 else world.huade
            company = enterprise(world, f"测试食品{n}有限公司", county, 10 + n)
            issue(world, company, potato(f"产品{n}"), day(-10))
            sales(world, company, str(100 + n), str(90 + n))

    add(2, 0)
    small = _register_queries(client)
    add(8, 2)
    large = _register_queries(client)
    assert len(names_in(workbook_of(client))) == 10
    assert large == small


def test_libreoffice_prints_the_register_on_a3_landscape(world, login, register, tmp_path):
    _response, content = download(login(world.brand_staff), REGISTER)
    printed = print_to_pdf(content, tmp_path, "register")
    assert register.yinshan_licence.number in printed.text
    assert register.shudu.name in printed.text
    if printed.page_size:
        assert printed.page_size == A3_LANDSCAPE


# --- the certificate (.docx / .pdf) -----------------------------------------------------------


def certificate_of(client, licence) -> docx.Document:
    response, content = download(client, reverse("brand:certificate_docx", args=[licence.pk]))
    assert response["Content-Type"] == word.DOCX_CONTENT_TYPE
    assert (
        licence.number in response["Content-Disposition"]
        or "filename*" in (response["Content-Disposition"])
    )
    return docx.Document(io.BytesIO(content))


def text_of(document: docx.Document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def test_the_certificate_holds_the_licence_and_its_qr_code(world, login, register):
    licence = register.yinshan_licence
    document = certificate_of(login(world.zhuozi_liaison), licence)
    text = text_of(document)
    assert exports.certificate_title() in text
    for value in (
        licence.number,
        register.yinshan.name,
        register.yinshan.credit_code,
        "阴山优麦燕麦片",
        "GB/T 13359",
        "察右前旗燕麦种植基地",
        word.chinese_date(licence.valid_from),
        word.chinese_date(licence.valid_until),
        world.brand.name,  # the issuing office
        qr.verify_url(licence.number),
    ):
        assert value in text, value
    assert pgettext("brand certificate", "REMOVED") not in text
    assert pgettext("brand certificate", "VOID") not in text
    # The QR code, embedded as a PNG picture.
    assert len(document.inline_shapes) == 1
    images = [part for part in document.part.package.parts if part.partname.endswith(".png")]
    assert len(images) == 1
    assert images[0].blob == qr.png(qr.verify_url(licence.number))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    event = AuditEvent.objects.get(action=AuditAction.EXPORT, object_type="brand.certificate")
    assert event.object_id == str(licence.pk)
    assert event.actor == world.zhuozi_liaison


def test_a_removed_or_expired_licence_certificate_says_it_is_void(world, login, register):
    client = login(world.brand_staff)
    removed = text_of(certificate_of(client, register.revoked))
    assert removed.startswith(pgettext("brand certificate", "REMOVED"))
    assert (
        gettext(
            "This licence was removed (清退) on %(date)s: the certificate is void from that day."
        )
        % {"date": word.chinese_date(timezone.localdate())}
    ) in removed
    expired = text_of(certificate_of(client, register.expired))
    assert expired.startswith(pgettext("brand certificate", "VOID"))
    assert (
        gettext("This licence was valid until %(date)s and has expired: the certificate is void.")
        % {"date": word.chinese_date(register.expired.valid_until)}
    ) in expired
    assert register.expired.number in expired


def test_who_gets_a_certificate(world, login, register):
    address = reverse("brand:certificate_docx", args=[register.yinshan_licence.pk])
    for user in (world.huade_liaison, world.outsider, world.auditor):
        assert login(user).get(address).status_code == 404, user
    assert login(register.applicant).get(address).status_code == 200
    assert not AuditEvent.objects.filter(
        action=AuditAction.EXPORT, object_type="brand.certificate", actor=world.outsider
    ).exists()
