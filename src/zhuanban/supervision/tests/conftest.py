"""Inspection groups and visits built with the services on the shared personas (`world`):
the potato office (马晓静) organises, 王振华 leads the group, 邵军 inspects.

Other test modules import these fixtures by name: keep `group`, `visit`, `planned_visit`,
`huade_visit` and `today` stable."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from zhuanban.supervision import services
from zhuanban.supervision.models import VisitKind, VisitStatus

D = datetime.timedelta
_ZHUOZI = object()  # make_visit's default county (None means none)

# The smallest files that are what they claim by their first bytes (core.files checks that).
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def jpeg(name: str = "现场.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, JPEG, content_type="image/jpeg")


def png(name: str = "现场.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def pdf_as_jpg(name: str = "伪装照片.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="image/jpeg")


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def group(world, today):
    """A group of the potato office, led by 王振华, covering 卓资县 and 化德县, with a
    period around today (visits before today are carried out, after it planned)."""
    starts_on = today - D(days=60)
    return services.group_create(
        actor=world.office,
        office=world.potato,
        name="第一督导检查组",
        year=starts_on.year,
        leader=world.leader,
        members=[world.office, world.inspector],
        counties=[world.zhuozi, world.huade],
        topics="马铃薯种薯基地建设、仓储设施",
        starts_on=starts_on,
        ends_on=today + D(days=60),
    )


@pytest.fixture
def make_visit(world, group, today):
    def _make(county=_ZHUOZI, *, days: int = -1, status=VisitStatus.DONE, actor=None, **fields):
        values = {
            "kind": VisitKind.INSPECTION,
            "group": group,
            "county": world.zhuozi if county is _ZHUOZI else county,
            "date": today + D(days=days),
            "place": "巴音锡勒镇种薯繁育基地",
            "status": status,
            "participants": [world.inspector, world.office],
            "topics": "种薯基地建设进度",
        }
        return services.visit_create(actor=actor or world.office, **(values | fields))

    return _make


@pytest.fixture
def visit(make_visit):
    """Carried out yesterday in 卓资县 by the group."""
    return make_visit()


@pytest.fixture
def huade_visit(world, make_visit):
    """Carried out yesterday in 化德县 by the group."""
    return make_visit(world.huade, place="化德县冷库建设现场")


@pytest.fixture
def planned_visit(make_visit):
    """Planned in a week in 卓资县 by the group."""
    return make_visit(days=7, status=VisitStatus.PLANNED, place="卓资县马铃薯仓储库")
