"""The notice as a Word document and its PDF: built from an issued notice, read back in
document order, converted by LibreOffice and read back again."""

import datetime
import re
from io import BytesIO

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.translation import pgettext

from zhuanban.core import word
from zhuanban.core.files import check_upload
from zhuanban.core.tests.office import A4_PORTRAIT, read_pdf, require_pdf_tools
from zhuanban.supervision.documents import notice_docx, notice_pdf
from zhuanban.supervision.lifecycle import NoticeStatus
from zhuanban.supervision.models import (
    IssuingAuthority,
    Notice,
    NoticeKind,
    NoticeReason,
    NoticeRecipient,
    NoticeRequirement,
    ReasonKind,
)

TITLE = "关于马铃薯种薯基地建设进度滞后的督办通报"
ZHUOZI_LATE = "“建设马铃薯种薯繁育基地”计划2023年6月30日完成，截至7月12日逾期12天，完成进度45%。"
ZHUOZI_MISSING = "2023年6月月调度表未报送，逾期15天。"
HUADE_LAGGING = "肉牛存栏指标完成年度目标的38.5%，落后时序进度11.5个百分点。"
REQUIREMENTS = ["立即组织整改，明确责任人和完成时限。", "举一反三，建立长效机制。"]


def document_text(kind: str, english: str) -> str:
    """Fixed wording as the document prints it: in Chinese, whatever the reader's language."""
    with translation.override("zh-hans"):
        return pgettext(kind, english)


@pytest.fixture
def authority(db):
    return IssuingAuthority.objects.create(
        name="市委农牧办", header="中共乌兰察布市委农村牧区工作办公室", number_prefix="乌农牧督"
    )


def make_notice(world, authority, *, reasons=None, requirements=REQUIREMENTS, **fields):
    values = {
        "office": world.potato,
        "authority": authority,
        "kind": NoticeKind.SUPERVISION,
        "title": TITLE,
        "addressees": "各旗县市区农牧局，市直有关单位",
        "opening": "为推动重点任务落实，市委农牧办对各地任务完成情况进行了调度。现将有关情况通报如下。",
        "closing": "各地要高度重视，切实抓好整改落实。",
        "reply_deadline": datetime.date(2023, 7, 15),
        "status": NoticeStatus.ISSUED,
        "year": 2023,
        "sequence": 11,
        "issue_date": datetime.date(2023, 6, 30),
        "drafted_by": world.office,
    } | fields
    notice = Notice.objects.create(**values)
    for unit in (world.huade, world.zhuozi):
        NoticeRecipient.objects.create(notice=notice, unit=unit)
    # Positions interleave the units: the document groups them all the same.
    reasons = (
        [
            (world.huade, ReasonKind.LAGGING_INDICATOR, HUADE_LAGGING),
            (world.zhuozi, ReasonKind.RED_TASK, ZHUOZI_LATE),
            (world.zhuozi, ReasonKind.MISSING_SUBMISSION, ZHUOZI_MISSING),
        ]
        if reasons is None
        else reasons
    )
    for position, (unit, kind, text) in enumerate(reasons, start=1):
        NoticeReason.objects.create(
            notice=notice, unit=unit, kind=kind, text=text, position=position
        )
    for position, text in enumerate(requirements, start=1):
        NoticeRequirement.objects.create(notice=notice, text=text, position=position)
    return notice


def paragraphs(data: bytes) -> list[str]:
    document = docx.Document(BytesIO(data))
    return [paragraph.text for paragraph in document.paragraphs if paragraph.text]


def in_order(texts: list[str], expected: list[str]) -> None:
    positions = [texts.index(text) for text in expected]
    assert positions == sorted(positions), list(zip(expected, positions, strict=True))


def test_the_notice_reads_in_order(world, authority):
    notice = make_notice(world, authority)
    texts = paragraphs(notice_docx(Notice.objects.get(pk=notice.pk)))
    problems = document_text("notice document", "Problems found")
    requirements = document_text("notice document", "Rectification requirements")
    deadline = document_text(
        "notice document", "Please report the rectification in writing to %(office)s by %(date)s."
    ) % {"office": "马铃薯产业办", "date": "2023年7月15日"}
    in_order(
        texts,
        [
            "中共乌兰察布市委农村牧区工作办公室",
            "乌农牧督〔2023〕11号",
            TITLE,
            "各旗县市区农牧局，市直有关单位：",
            notice.opening,
            f"一、{problems}",
            # The units concerned in their order (by code), each with its reasons.
            "（一）卓资县",
            ZHUOZI_LATE,
            ZHUOZI_MISSING,
            "（二）化德县",
            HUADE_LAGGING,
            f"二、{requirements}",
            f"1．{REQUIREMENTS[0]}",
            f"2．{REQUIREMENTS[1]}",
            deadline,
            notice.closing,
            "市委农牧办",
            "2023年6月30日",
        ],
    )
    assert texts.count(ZHUOZI_LATE) == 1
    # The 版记 at the foot: 印发机关 and 印发日期.
    document = docx.Document(BytesIO(notice_docx(notice)))
    cells = [cell.text for row in document.tables[-1].rows for cell in row.cells]
    assert cells == ["市委农牧办\t2023年6月30日印发"]


def test_the_document_is_chinese_whatever_the_readers_language(world, authority):
    notice = make_notice(world, authority)
    with translation.override("en"):
        data = notice_docx(notice)
        assert translation.get_language() == "en"  # the reader's language is left alone
    assert f"一、{document_text('notice document', 'Problems found')}" in paragraphs(data)


def test_a_reason_about_a_unit_not_concerned_still_prints_after_the_others(world, authority):
    notice = make_notice(
        world,
        authority,
        reasons=[
            (world.crops, ReasonKind.OTHER, "种植业管理科技术指导不到位。"),
            (world.zhuozi, ReasonKind.RED_TASK, ZHUOZI_LATE),
        ],
    )
    texts = paragraphs(notice_docx(notice))
    in_order(
        texts, ["（一）卓资县", ZHUOZI_LATE, "（二）种植业管理科", "种植业管理科技术指导不到位。"]
    )
    assert "化德县" not in " ".join(texts)  # concerned, but without a reason: no heading


def test_a_commendation(world, authority):
    notice = make_notice(
        world,
        authority,
        kind=NoticeKind.COMMENDATION,
        title="关于对卓资县马铃薯产业工作予以通报表扬的通报",
        reasons=[(world.zhuozi, ReasonKind.ACHIEVEMENT, "提前完成种薯繁育基地建设任务。")],
        requirements=[],
        reply_deadline=None,
    )
    texts = paragraphs(notice_docx(notice))
    background = document_text("notice document", "Background")
    in_order(
        texts,
        [
            "关于对卓资县马铃薯产业工作予以通报表扬的通报",
            f"一、{background}",
            "（一）卓资县",
            "提前完成种薯繁育基地建设任务。",
        ],
    )
    assert not [text for text in texts if text.startswith("二、")]


def test_a_draft_prints_without_a_number_dated_today(world, authority):
    notice = make_notice(
        world, authority, status=NoticeStatus.DRAFT, year=None, sequence=None, issue_date=None
    )
    texts = paragraphs(notice_docx(notice))
    assert not [text for text in texts if "〔" in text]
    assert word.chinese_date(timezone.localdate()) in texts


def test_text_with_control_characters_still_makes_a_document(world, authority):
    notice = make_notice(
        world,
        authority,
        title=f"{TITLE}\x0b",
        # NUL never reaches the database (forms refuse it; PostgreSQL cannot store it).
        reasons=[(world.zhuozi, ReasonKind.OTHER, "逾期\x08十二天\x1b。")],
    )
    texts = paragraphs(notice_docx(notice))
    assert TITLE in texts
    assert "逾期十二天。" in texts


def test_the_document_is_accepted_as_an_upload(world, authority):
    """The service stores it through store_upload, which checks a .docx by its content."""
    data = notice_docx(make_notice(world, authority))
    extension, _content_type = check_upload(
        SimpleUploadedFile("乌农牧督〔2023〕11号.docx", data), allowed={".docx"}
    )
    assert extension == ".docx"


def test_queries_stay_flat_as_the_notice_grows(world, authority):
    small = make_notice(world, authority)
    large = make_notice(
        world,
        authority,
        sequence=12,
        reasons=[
            (unit, ReasonKind.OTHER, f"第{n}条问题。")
            for n in range(30)
            for unit in (world.zhuozi, world.huade, world.crops)
        ],
        requirements=[f"第{n}项要求。" for n in range(15)],
    )
    counts = []
    for notice in (small, large):
        fresh = Notice.objects.get(pk=notice.pk)
        with CaptureQueriesContext(connection) as queries:
            notice_docx(fresh)
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 5


def test_what_the_caller_fetched_is_not_fetched_again(world, authority):
    notice = (
        Notice.objects.select_related("authority", "office")
        .prefetch_related("reasons__unit", "requirements", "recipients__unit")
        .get(pk=make_notice(world, authority).pk)
    )
    with CaptureQueriesContext(connection) as queries:
        notice_docx(notice)
    assert len(queries) == 0


def test_no_pdf_when_notice_pdf_is_off(world, authority, settings):
    settings.NOTICE_PDF = False
    settings.SOFFICE_BINARY = "/nonexistent/soffice"  # would log, were it called
    assert notice_pdf(notice_docx(make_notice(world, authority))) is None


def test_libreoffice_prints_the_notice(world, authority, settings, tmp_path):
    settings.NOTICE_PDF = True
    require_pdf_tools()
    pdf = notice_pdf(notice_docx(make_notice(world, authority)))
    assert pdf is not None
    printed = read_pdf(pdf, tmp_path, "notice")
    assert printed.page_size == A4_PORTRAIT
    assert printed.pages >= 1
    assert "—1—" in printed.text
    # A paragraph that runs onto the next page has that page's footer inside its text.
    text = re.sub(r"—\d+—", "", printed.text)
    for expected in ("乌农牧督〔2023〕11号", TITLE, ZHUOZI_LATE, ZHUOZI_MISSING, HUADE_LAGGING):
        assert "".join(expected.split()) in text, expected


def test_the_copied_authorities_print_in_the_distribution_block(world, authority):
    """抄送 in the 版记 when the notice has one; no 抄送 row when it has none."""

    def distribution_text(notice) -> str:
        document = docx.Document(BytesIO(notice_docx(notice)))
        return "".join(
            cell.text for table in document.tables for row in table.rows for cell in row.cells
        )

    copied = make_notice(world, authority, copied_to="市委办公室，市政府办公室")
    text = distribution_text(copied)
    assert "抄送：市委办公室，市政府办公室" in text
    assert authority.name in text  # 印发机关 still there

    assert "抄送" not in distribution_text(make_notice(world, authority, sequence=12))
