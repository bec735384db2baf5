"""The brand register's files.

- 原味乌兰察布授权企业名单表 (.xlsx): the enterprises holding a licence valid on the day,
  among those the user sees (one county, optionally): 序号, 企业名称, 统一社会信用代码,
  所在旗县, 企业类型, 授权产品, 授权编号, 有效期起, 有效期至, 协会会员, 上年销售额（万元）,
  本年销售额（万元）, 同比增长（%）, and a line of totals. A `core.ledger.LedgerSheet`
  (A3 landscape, frozen header, print titles; text from users is never a formula).
  One row per enterprise: an enterprise holding several valid licences lists each on a
  line of its own in the licence columns, and its sales count once.
  A fixed number of queries whatever the number of rows: the totals, the enterprises
  (with their sales), their valid licences and the licences' products.
- 原味乌兰察布授权证书 (.docx, and .pdf through LibreOffice): number, enterprise, credit
  code, products, validity, the issuing office and date, and the QR code that opens the
  public verification page. A removed or expired licence's certificate says so at the
  top, in red. In Chinese whatever language its reader uses: it is an official paper.
"""

import datetime
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO
from itertools import islice
from typing import BinaryIO

from django.conf import settings
from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
)
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, override, pgettext
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from zhuanban.brand import qr
from zhuanban.brand.models import Enterprise, Licence, LicenceState, Product
from zhuanban.brand.scoping import brand_office_id, visible_enterprises
from zhuanban.brand.selectors import with_sales
from zhuanban.core import word
from zhuanban.core.excel import Column
from zhuanban.core.ledger import (
    LedgerSheet,
    as_of_text,
    filter_summary,
    new_workbook,
    subtitle_text,
)
from zhuanban.org.models import OrgUnit

DOCUMENT_LANGUAGE = "zh-hans"
CHUNK_SIZE = 2000
AMOUNT_FORMAT = "#,##0.00"
PERCENT_FORMAT = "0.0"
PERCENT_PLACES = Decimal("0.1")
LINE_SEPARATOR = "\n"
PRODUCT_SEPARATOR = "、"


# --- 原味乌兰察布授权企业名单表 (.xlsx) ------------------------------------------------------


def register_title() -> str:
    return _("Register of the enterprises authorized to use the 原味乌兰察布 brand")


def register_columns() -> list[Column]:
    return [
        Column(_("No."), 6),
        Column(pgettext("brand register", "Enterprise name"), 28),
        Column(pgettext("brand register", "Unified social credit code"), 22),
        Column(pgettext("brand register", "County"), 10),
        Column(pgettext("brand register", "Enterprise type"), 18),
        Column(pgettext("brand register", "Authorized products"), 30),
        Column(pgettext("brand register", "Licence number"), 19),
        Column(pgettext("brand register", "Valid from"), 12),
        Column(pgettext("brand register", "Valid until"), 12),
        Column(pgettext("brand register", "Association member"), 8),
        Column(pgettext("brand register", "Sales last year (10,000 yuan)"), 13),
        Column(pgettext("brand register", "Sales this year (10,000 yuan)"), 13),
        Column(pgettext("brand register", "Year-on-year growth (%)"), 11),
    ]


@dataclass
class Register:
    """What the register shows: the day, the sales year, the county filter, the totals
    (one aggregate query) and the enterprises (streamed in chunks)."""

    day: datetime.date
    year: int
    county: OrgUnit | None
    totals: dict
    enterprises: QuerySet[Enterprise]

    def rows(self, chunk_size: int = CHUNK_SIZE) -> Iterator[Enterprise]:
        stream = self.enterprises.iterator(chunk_size=chunk_size)
        while chunk := list(islice(stream, chunk_size)):
            yield from chunk


def register(user, *, day: datetime.date, county: OrgUnit | None = None) -> Register:
    """The enterprises the user sees that hold a licence valid on `day` (in `county`),
    with this year's and last year's sales and the growth."""
    valid = Licence.objects.valid_on(day)
    base = visible_enterprises(user).filter(Exists(valid.filter(enterprise=OuterRef("pk"))))
    if county is not None:
        base = base.filter(county=county)
    base = with_sales(base, day.year)
    comparable = Q(sales_this__isnull=False, sales_last__gt=0)
    totals = base.aggregate(
        enterprises=Count("pk"),
        total_this=Sum("sales_this"),
        total_last=Sum("sales_last"),
        comparable=Sum("sales_this", filter=comparable),
        comparable_last=Sum("sales_last", filter=comparable),
    )
    this, last = totals["comparable"], totals["comparable_last"]
    totals["growth"] = (this - last) * 100 / last if this is not None and last else None
    licences = (
        valid.select_related("application")
        .prefetch_related(
            Prefetch("application__products", queryset=Product.objects.order_by("pk"))
        )
        .order_by("valid_from", "number")
    )
    enterprises = (
        base.select_related("county")
        .prefetch_related(Prefetch("licences", queryset=licences, to_attr="register_licences"))
        .order_by("county__sort_order", "county__code", "name", "pk")
    )
    return Register(day=day, year=day.year, county=county, totals=totals, enterprises=enterprises)


def _percent(value) -> Decimal | None:
    if value is None:
        return None
    return Decimal(value).quantize(PERCENT_PLACES)


def _yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


def products_text(licence: Licence) -> str:
    return PRODUCT_SEPARATOR.join(product.name for product in licence.application.products.all())


def _register_values(number: int, enterprise: Enterprise, kinds: dict) -> list[tuple]:
    licences = enterprise.register_licences
    if len(licences) == 1:
        starts = [("date", licences[0].valid_from), ("date", licences[0].valid_until)]
    else:  # several licences: one line each, as text
        starts = [
            ("center", LINE_SEPARATOR.join(lic.valid_from.isoformat() for lic in licences)),
            ("center", LINE_SEPARATOR.join(lic.valid_until.isoformat() for lic in licences)),
        ]
    return [
        ("number", number),
        ("text", enterprise.name),
        ("center", enterprise.credit_code),
        ("center", enterprise.county.name),
        ("text", kinds.get(enterprise.kind, enterprise.kind)),
        ("text", LINE_SEPARATOR.join(products_text(lic) for lic in licences)),
        ("center", LINE_SEPARATOR.join(lic.number for lic in licences)),
        *starts,
        ("center", _yes_no(enterprise.association_member)),
        ("amount", enterprise.sales_last),
        ("amount", enterprise.sales_this),
        ("percent", _percent(enterprise.growth)),
    ]


def register_subtitle(data: Register) -> str:
    filters = [(str(pgettext("brand register", "County")), data.county.name)] if data.county else []
    return subtitle_text(
        as_of_text(data.day),
        _("Sales of %(year)d against %(last)d") % {"year": data.year, "last": data.year - 1},
        filter_summary(filters),
    )


def write_register_xlsx(
    data: Register, out: BinaryIO, rows: Iterable[Enterprise] | None = None
) -> None:
    """Write the register to `out`; `rows` are `data.rows()` as a job counts them."""
    title = register_title()
    wb = new_workbook(title)
    columns = register_columns()
    sheet = LedgerSheet(
        wb,
        name=pgettext("brand register", "Authorized enterprises"),
        columns=columns,
        number_formats={"amount": AMOUNT_FORMAT, "percent": PERCENT_FORMAT},
    )
    sheet.head(title, register_subtitle(data))
    kinds = {value: str(label) for value, label in Enterprise._meta.get_field("kind").choices}
    for number, enterprise in enumerate(data.rows() if rows is None else rows, start=1):
        sheet.append(_register_values(number, enterprise, kinds))
    totals = data.totals
    count = totals["enterprises"]
    sheet.append(
        [
            ("total_label", _("Total")),
            (
                "total_label",
                ngettext("%(count)d enterprise", "%(count)d enterprises", count) % {"count": count},
            ),
            *[("total_label", "")] * (len(columns) - 5),
            ("amount_total", totals["total_last"]),
            ("amount_total", totals["total_this"]),
            ("percent_total", _percent(totals["growth"])),
        ]
    )
    sheet.finish()
    wb.save(out)


# --- 原味乌兰察布授权证书 (.docx / .pdf) ----------------------------------------------------

CERTIFICATE_MARGIN = Mm(25)  # left and right; 20 mm top and bottom
QR_WIDTH = Mm(30)
BANNER_SIZE = 36  # 小初
TABLE_SIZE = 12  # 小四
RED = RGBColor(0xC0, 0x00, 0x00)


@dataclass
class Certificate:
    licence: Licence
    products: list[Product]
    state: str
    office: str  # the issuing office's name
    issued_on: datetime.date
    url: str  # what the QR code opens


def certificate(licence: Licence, *, day: datetime.date) -> Certificate:
    """What the certificate says, as of `day` (its state)."""
    office = (
        OrgUnit.objects.filter(pk=brand_office_id()).values_list("name", flat=True).first() or ""
    )
    return Certificate(
        licence=licence,
        products=list(licence.application.products.order_by("pk")),
        state=licence.state_on(day),
        office=office,
        issued_on=timezone.localdate(licence.issued_at),
        url=qr.verify_url(licence.number),
    )


def certificate_title() -> str:
    return _("原味乌兰察布 brand licence certificate")


def certificate_file_name(licence: Licence, extension: str) -> str:
    with override(DOCUMENT_LANGUAGE):
        return f"{certificate_title()}-{licence.number}.{extension}"


def void_banner(data: Certificate) -> tuple[str, str] | None:
    """A removed or expired licence's certificate says so: (banner, sentence)."""
    licence = data.licence
    if data.state == LicenceState.REVOKED:
        return (
            pgettext("brand certificate", "REMOVED"),
            _("This licence was removed (清退) on %(date)s: the certificate is void from that day.")
            % {"date": word.chinese_date(licence.revoked_on)},
        )
    if data.state == LicenceState.EXPIRED:
        return (
            pgettext("brand certificate", "VOID"),
            _("This licence was valid until %(date)s and has expired: the certificate is void.")
            % {"date": word.chinese_date(licence.valid_until)},
        )
    return None


def certificate_docx(data: Certificate) -> bytes:
    with override(DOCUMENT_LANGUAGE):
        return _certificate_docx(data)


def _fonts(run, font: str) -> None:
    """The font for Latin, East Asian and complex scripts alike (core.word's rule)."""
    run.font.name = font
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), font)


def _paragraph(container, text: str = "", *, font=word.BODY_FONT, size=word.BODY_SIZE, **layout):
    paragraph = container.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.alignment = layout.get("align", WD_ALIGN_PARAGRAPH.JUSTIFY)
    fmt.space_before = Pt(layout.get("before", 0))
    fmt.space_after = Pt(layout.get("after", 0))
    line = layout.get("line", size * 1.8)
    if line is not None:  # exact line height; a picture's paragraph takes its own
        fmt.line_spacing = Pt(line)
    if layout.get("indent"):
        fmt.first_line_indent = Pt(size * layout["indent"])
    if text:
        run = paragraph.add_run(word.clean_text(text))
        _fonts(run, font)
        run.font.size = Pt(size)
        run.font.bold = layout.get("bold", False)
        if layout.get("color") is not None:
            run.font.color.rgb = layout["color"]
    return paragraph


def _certificate_docx(data: Certificate) -> bytes:
    licence, enterprise = data.licence, data.licence.enterprise
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = CERTIFICATE_MARGIN
    section.top_margin = section.bottom_margin = Mm(20)
    # python-docx's template brings a preview image of its own (see core.word).
    package = document.part.package
    for key, relation in list(package.rels.items()):
        if relation.reltype == RT.THUMBNAIL:
            package.rels.pop(key)
    body = document.element.body
    for paragraph in list(body.iterchildren(qn("w:p"))):
        body.remove(paragraph)
    title = certificate_title()
    properties = document.core_properties
    properties.title = f"{title} {licence.number}"
    properties.author = data.office
    properties.last_modified_by = data.office
    properties.comments = properties.keywords = properties.subject = ""

    center = WD_ALIGN_PARAGRAPH.CENTER
    banner = void_banner(data)
    if banner:
        _paragraph(
            document,
            banner[0],
            font=word.HEADING_FONTS[1],
            size=BANNER_SIZE,
            align=center,
            bold=True,
            color=RED,
            line=BANNER_SIZE * 1.4,
        )
        _paragraph(document, banner[1], align=center, color=RED, bold=True, after=12)
    _paragraph(
        document,
        title,
        font=word.TITLE_FONT,
        size=word.TITLE_SIZE + 4,
        align=center,
        before=0 if banner else 24,
        line=(word.TITLE_SIZE + 4) * 1.6,
    )
    _paragraph(
        document,
        _("Licence No. %(number)s") % {"number": licence.number},
        align=center,
        after=18,
    )
    _paragraph(
        document,
        _(
            "%(enterprise)s (unified social credit code %(code)s) is authorized to use the "
            "regional public brand 原味乌兰察布 and its logo on the products listed below."
        )
        % {"enterprise": word.one_line(enterprise.name), "code": enterprise.credit_code},
        indent=2,
        after=6,
    )
    _products_table(document, data.products)
    _paragraph(
        document,
        _("Valid from %(start)s to %(end)s.")
        % {
            "start": word.chinese_date(licence.valid_from),
            "end": word.chinese_date(licence.valid_until),
        },
        indent=2,
        before=6,
    )
    right = WD_ALIGN_PARAGRAPH.RIGHT
    _paragraph(document, data.office, align=right, before=12)
    _paragraph(document, word.chinese_date(data.issued_on), align=right)

    picture = _paragraph(document, align=center, before=6, line=None)
    picture.add_run().add_picture(BytesIO(qr.png(data.url)), width=QR_WIDTH)
    _paragraph(
        document,
        _("Scan the QR code to verify this licence"),
        size=word.SMALL_SIZE,
        align=center,
    )
    _paragraph(document, data.url, size=10.5, align=center, font=word.PAGE_NUMBER_FONT)
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _product_labels() -> list[str]:
    fields = Product._meta
    return [
        _("No."),
        *[capfirst(str(fields.get_field(name).verbose_name)) for name in _PRODUCT_FIELDS],
    ]


_PRODUCT_FIELDS = ("name", "category", "standard", "origin_base")
_PRODUCT_WIDTHS = (Mm(15), Mm(42), Mm(32), Mm(34), Mm(37))  # the type area: 160 mm


def _products_table(document, products: list[Product]) -> None:
    labels = _product_labels()
    table = document.add_table(rows=1, cols=len(labels))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, _PRODUCT_WIDTHS, strict=True):
        column.width = width  # the grid LibreOffice lays out by

    def fill(cell, text: str, width, *, header: bool = False) -> None:
        cell.width = width
        paragraph = cell.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER if header else WD_ALIGN_PARAGRAPH.LEFT
        paragraph.paragraph_format.line_spacing = Pt(TABLE_SIZE * 1.5)
        run = paragraph.add_run(word.one_line(text))
        _fonts(run, word.HEADING_FONTS[1] if header else word.BODY_FONT)
        run.font.size = Pt(TABLE_SIZE)

    for cell, label, width in zip(table.rows[0].cells, labels, _PRODUCT_WIDTHS, strict=True):
        fill(cell, label, width, header=True)
    for number, product in enumerate(products, start=1):
        values = [
            str(number),
            product.name,
            product.get_category_display(),
            product.standard,
            product.origin_base,
        ]
        for cell, value, width in zip(table.add_row().cells, values, _PRODUCT_WIDTHS, strict=True):
            fill(cell, value, width)


def pdf_available() -> bool:
    """Whether this server can make PDFs (LibreOffice installed): the page offers the PDF
    only then, as supervision offers a notice's PDF only when it was made."""
    return shutil.which(settings.SOFFICE_BINARY) is not None


def certificate_pdf(docx: bytes) -> bytes | None:
    """The certificate as PDF (LibreOffice), or None where it cannot be made. Seconds of
    work: a background job calls it (brand.pdf_jobs), never a request."""
    return word.to_pdf(docx)
