"""The brand register of a small Ulanqab (the `world` personas).

- `credit_code(n)`: a valid unified social credit code (GB 32100-2015) for a number;
- `upload(name)`: a small real PDF (or PNG for .png names) to attach;
- `brand`: 卓资县's 阴山优麦 with its own login (`brand.applicant`, unit = the
  enterprise) and 化德县's 薯都凯达 without one;
- `licensed`: 阴山优麦 holding a licence valid from `TODAY` (applied, first-reviewed
  by 卓资县, approved by the brand office), and 薯都凯达 with one as well;
- `review_round`: the `YEAR` re-review open, one review per licence.
"""

import datetime
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from stdnum.cn import uscc

from zhuanban.brand import services
from zhuanban.brand.lifecycle import AppAction
from zhuanban.brand.models import AttachmentKind, Category, Enterprise, EnterpriseKind
from zhuanban.org.tests.factories import person

TODAY = datetime.date(2023, 4, 1)
YEAR = 2023
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
    b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def credit_code(n: int, region: str = "150921") -> str:
    body = f"91{region}MA{n:07d}"[:17]
    return body + uscc.calc_check_digit(body)


def upload(name: str = "营业执照.pdf") -> SimpleUploadedFile:
    if name.endswith(".png"):
        return SimpleUploadedFile(name, PNG, content_type="image/png")
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def required_documents() -> list[tuple[str, SimpleUploadedFile]]:
    return [
        (AttachmentKind.BUSINESS_LICENCE, upload("营业执照.pdf")),
        (AttachmentKind.INSPECTION_REPORT, upload("检验报告.pdf")),
        (AttachmentKind.ORIGIN_PROOF, upload("产地证明.pdf")),
    ]


def oat_products() -> list[dict]:
    return [
        {
            "name": "阴山优麦燕麦片",
            "category": Category.GRAINS,
            "standard": "GB/T 13359",
            "origin_base": "察右前旗燕麦种植基地",
            "annual_output": "1200",
        }
    ]


def enterprise(world, name: str, county, n: int, kind=EnterpriseKind.REGIONAL_LEADING):
    return services.enterprise_save(
        actor=world.brand_staff,
        enterprise=Enterprise(
            name=name,
            credit_code=credit_code(n, county.division_code),
            county=county,
            kind=kind,
            contact_name="李经理",
            contact_phone="0474-1234567",
        ),
    )


def day(offset: int) -> datetime.date:
    """A day counted from today in the bureau's calendar."""
    return timezone.localdate() + datetime.timedelta(days=offset)


def url(name: str, *args) -> str:
    return reverse(f"brand:{name}", args=args)


def shows(text: str, page: str) -> bool:
    """Whether `text` (a message, escaped as the template escapes it) is on the page."""
    return escape(text) in page


def issue(world, company, products, start: datetime.date):
    """A licence for `company`'s products from `start`, through the whole path."""
    application = services.application_create(
        actor=world.brand_staff,
        enterprise=company,
        products=products,
        attachments=required_documents(),
        today=start,
    )
    return approve(world, application, today=start)


def licence_for(world, name: str, county, n: int, valid_from: datetime.date):
    """A new enterprise of `county` with a licence for oats from `valid_from`."""
    return issue(world, enterprise(world, name, county, n), oat_products(), valid_from)


def approve(world, application, today=TODAY):
    """The whole path of an application: submitted, first-reviewed by its county,
    approved by the brand office. Returns the licence."""
    county_liaison = (
        world.zhuozi_liaison
        if application.enterprise.county_id == world.zhuozi.pk
        else world.huade_liaison
    )
    services.application_act(
        actor=world.brand_staff, application=application, action=AppAction.SUBMIT
    )
    services.application_act(
        actor=county_liaison, application=application, action=AppAction.COUNTY_PASS, comment="同意"
    )
    services.application_act(
        actor=world.brand_staff,
        application=application,
        action=AppAction.APPROVE,
        comment="符合授权条件",
        valid_from=today,
        today=today,
    )
    application.refresh_from_db()
    return application.licence


@pytest.fixture
def brand(world):
    yinshan = enterprise(world, "内蒙古阴山优麦食品有限公司", world.zhuozi, 1)
    shudu = enterprise(world, "化德县薯都凯达食品有限公司", world.huade, 2)
    applicant = person("yinshan", yinshan.unit, name="阴山优麦申报员")
    return SimpleNamespace(yinshan=yinshan, shudu=shudu, applicant=applicant)


@pytest.fixture
def licensed(world, brand):
    yinshan_app = services.application_create(
        actor=brand.applicant,
        enterprise=brand.yinshan,
        products=oat_products(),
        attachments=required_documents(),
        today=TODAY,
    )
    shudu_app = services.application_create(
        actor=world.brand_staff,
        enterprise=brand.shudu,
        products=[
            {
                "name": "薯都凯达马铃薯全粉",
                "category": Category.POTATO,
                "standard": "GB/T 40772",
                "origin_base": "化德县马铃薯基地",
                "annual_output": "3000",
            }
        ],
        attachments=required_documents(),
        today=TODAY,
    )
    brand.yinshan_licence = approve(world, yinshan_app)
    brand.shudu_licence = approve(world, shudu_app)
    return brand


@pytest.fixture
def review_round(world, licensed):
    licensed.round = services.review_round_open(
        actor=world.brand_staff,
        year=YEAR,
        due_date=datetime.date(YEAR, 5, 31),
        today=datetime.date(YEAR, 4, 10),
    )
    licensed.yinshan_review = licensed.round.reviews.get(licence=licensed.yinshan_licence)
    licensed.shudu_review = licensed.round.reviews.get(licence=licensed.shudu_licence)
    return licensed
