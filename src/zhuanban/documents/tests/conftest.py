"""Policy documents and meetings of a small Ulanqab (the `world` personas).

- `docx_upload(paragraphs)` builds a real .docx with python-docx;
- `draft`: the potato office's 实施方案, version 1 uploaded by 马晓静 (world.office);
- `consulting`: the same with round 1 open until `DEADLINE`, consulting 卓资县, 化德县
  and the leader;
- `meeting`: the bureau's meeting collecting topics, managed by the leader.
"""

import datetime
import io
from types import SimpleNamespace

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from zhuanban.documents import services
from zhuanban.documents.models import Kind, MeetingKind

TODAY = datetime.date(2023, 6, 1)
DEADLINE = datetime.date(2023, 6, 10)
PLAN_V1 = [
    "乌兰察布市马铃薯产业发展示范区建设方案",
    "一、总体要求",
    "以马铃薯全产业链发展为主线，建设国家级马铃薯产业发展示范区。",
    "二、主要任务",
    "（一）建设标准化种植基地100万亩。",
    "（二）培育加工龙头企业5家。",
    "三、保障措施",
    "各旗县市区要加强组织领导。",
]
PLAN_V2 = [
    "乌兰察布市马铃薯产业发展示范区建设方案",
    "一、总体要求",
    "以马铃薯全产业链发展为主线，建设国家级马铃薯产业发展示范区。",
    "二、主要任务",
    "（一）建设标准化种植基地120万亩。",
    "（二）培育加工龙头企业5家。",
    "（三）建设脱毒种薯繁育体系。",
    "三、保障措施",
]
MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def docx_bytes(paragraphs: list[str], table: list[list[str]] | None = None) -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def docx_upload(paragraphs: list[str], name: str = "方案.docx", **kwargs) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, docx_bytes(paragraphs, **kwargs), content_type=MIMETYPE)


@pytest.fixture
def draft(world):
    document = services.document_save(
        actor=world.office,
        office=world.potato,
        data={
            "title": "乌兰察布市马铃薯产业发展示范区建设方案",
            "kind": Kind.PLAN,
            "lead_author": world.office,
            "key_work": "马铃薯产业发展示范区",
            "issuing_authority": "乌兰察布市人民政府办公室",
        },
    )
    services.version_add(
        actor=world.office, document=document, upload=docx_upload(PLAN_V1), label="初稿"
    )
    document.refresh_from_db()
    return document


@pytest.fixture
def consulting(world, draft):
    round = services.round_open(
        actor=world.office,
        document=draft,
        deadline=DEADLINE,
        units=[world.zhuozi, world.huade],
        people=[world.leader],
        letter="请于6月10日前反馈意见。",
        today=TODAY,
    )
    draft.refresh_from_db()
    # Keyed apart: a unit's id and a person's id may be the same number.
    requests = {
        ("unit", r.unit_id) if r.unit_id else ("person", r.person_id): r
        for r in round.requests.all()
    }
    return SimpleNamespace(
        document=draft,
        round=round,
        zhuozi=requests["unit", world.zhuozi.pk],
        huade=requests["unit", world.huade.pk],
        leader=requests["person", world.leader.pk],
    )


@pytest.fixture
def meeting(world):
    return services.meeting_save(
        actor=world.leader,
        convener=world.bureau,
        data={
            "kind": MeetingKind.BUREAU,
            "starts_at": datetime.datetime(
                2023, 6, 20, 9, 0, tzinfo=timezone.get_current_timezone()
            ),
            "place": "局三楼会议室",
            "chair": world.leader,
        },
        attendees=[world.leader, world.potato_director],
    )
