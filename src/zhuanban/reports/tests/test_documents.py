"""A bulletin issue in the bulletin format, read back with python-docx: the header block
(the series' name in red, （第N期）, the issuing unit and the date on the red rule), the
title, the sections in order, the 版记; its PDF made by LibreOffice on publishing; and a
report for superiors (title, byline, opening, sections)."""

import datetime
from io import BytesIO

import docx
import pytest
from django.utils import timezone
from docx.shared import RGBColor

from zhuanban.core import word
from zhuanban.reports import documents, services
from zhuanban.reports.models import ReportTemplate
from zhuanban.reports.tests.conftest import make_bulletin

pytestmark = pytest.mark.django_db

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
ISSUED = datetime.date(2023, 6, 20)
TITLE = "全市农牧业重点工作进展情况"
OVERALL = "截至目前，全市建设国家重要农畜产品生产基地重点任务具体落实措施76项已完成25项。"
CATTLE = "肉牛存栏增加7.8万头，完成年度任务的三分之二以上。"
INVESTMENT = "农牧领域共开展招商引资活动120次，招引项目104个。"
SECTIONS = (
    ("一、总体进展", f"{OVERALL}\n\n{CATTLE}"),
    ("招商引资", INVESTMENT),
    ("", "　　品牌授权企业达83家。"),
)
DISTRIBUTION = "报：市委办公室，市政府办公室 送：市委农办 发：各旗县市区农牧局"


def issue(rep, *, pdf: bool = False, settings=None, **fields):
    leader = rep.world.leader
    bulletin = make_bulletin(rep.news, leader, title=TITLE, sections=SECTIONS)
    bulletin = services.bulletin_update(
        actor=leader,
        bulletin=bulletin,
        expected_version=bulletin.version,
        compiled_by="马晓静",
        signed_by="王振华",
        distribution=DISTRIBUTION,
        **fields,
    )
    return services.bulletin_publish(
        actor=leader, bulletin=bulletin, expected_version=bulletin.version, issue_date=ISSUED
    )


def stored(stored_file) -> bytes:
    with stored_file.file.open("rb") as handle:
        return handle.read()


def body_paragraphs(document) -> list:
    """The body's paragraphs with text, in order (the 版记's table is not among them)."""
    return [paragraph for paragraph in document.paragraphs if paragraph.text]


def east_asian_font(run) -> str:
    return run._r.rPr.find(f"{{{W}}}rFonts").get(f"{{{W}}}eastAsia")


@pytest.fixture
def published(rep, settings):
    settings.BULLETIN_PDF = False
    return issue(rep)


@pytest.fixture
def document(published):
    return docx.Document(BytesIO(stored(published.docx)))


def test_the_header_block_names_the_series_the_issue_the_issuer_and_the_date(document):
    series, number, issuer_line, title, *_rest = body_paragraphs(document)
    assert series.text == "信息动态"
    (run,) = series.runs
    assert run.font.color.rgb == RGBColor(0xFF, 0, 0)
    assert east_asian_font(run) == word.TITLE_FONT
    assert run.font.size.pt > word.TITLE_SIZE  # larger than the title's 二号
    assert series.alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.CENTER
    assert number.text == "（第1期）"
    assert number.alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.CENTER
    # The issuing unit on the left, the date on the right (a right tab), on the red rule.
    assert issuer_line.text == f"乌兰察布市农牧局\t{word.chinese_date(ISSUED)}"
    assert word.chinese_date(ISSUED) == "2023年6月20日"
    rule = issuer_line._p.pPr.find(f"{{{W}}}pBdr").find(f"{{{W}}}bottom")
    assert rule.get(f"{{{W}}}color") == word.RED
    assert title.text == TITLE
    (run,) = title.runs
    assert (east_asian_font(run), run.font.size.pt) == (word.TITLE_FONT, word.TITLE_SIZE)


def test_the_sections_follow_in_order_numbered_unless_they_carry_a_number(document):
    texts = [paragraph.text for paragraph in body_paragraphs(document)[4:]]
    assert texts == [
        "一、总体进展",  # typed with its number: not numbered again
        OVERALL,
        CATTLE,
        "二、招商引资",  # numbered by the layout
        INVESTMENT,
        "品牌授权企业达83家。",  # no heading; the typed indent dropped
    ]
    by_text = {paragraph.text: paragraph for paragraph in body_paragraphs(document)}
    (heading,) = by_text["二、招商引资"].runs
    assert east_asian_font(heading) == "黑体"
    (body,) = by_text[OVERALL].runs
    assert (east_asian_font(body), body.font.size.pt) == (word.BODY_FONT, 16)  # 仿宋 三号


def test_the_imprint_at_the_foot_carries_distribution_editor_signer_and_issuer(document):
    (table,) = document.tables
    rows = [[paragraph.text for paragraph in row.cells[0].paragraphs] for row in table.rows]
    assert rows == [
        ["报：市委办公室，市政府办公室。", "送：市委农办。", "发：各旗县市区农牧局。"],
        ["编辑：马晓静\t签发：王振华"],
        ["乌兰察布市农牧局\t2023年6月20日印发"],
    ]
    # Anchored to the bottom of the type area: the foot of the last page.
    position = table._tbl.tblPr.find(f"{{{W}}}tblpPr")
    assert position.get(f"{{{W}}}tblpYSpec") == "bottom"


def test_distribution_is_read_one_line_or_several():
    assert documents.distribution_lines(DISTRIBUTION) == [
        "报：市委办公室，市政府办公室",
        "送：市委农办",
        "发：各旗县市区农牧局",
    ]
    assert documents.distribution_lines("报：市领导\n\n 发：各旗县区 ") == [
        "报：市领导",
        "发：各旗县区",
    ]
    assert documents.distribution_lines("各旗县市区农牧局") == ["各旗县市区农牧局"]
    assert documents.distribution_lines("") == []


def test_an_imprint_without_people_or_distribution_keeps_the_issuer_line(rep):
    bulletin = make_bulletin(rep.potato_news, rep.world.office, title="草稿")
    document = docx.Document(BytesIO(documents.bulletin_docx(bulletin)))
    (table,) = document.tables
    assert [row.cells[0].paragraphs[0].text for row in table.rows] == [
        f"马铃薯产业办\t{word.chinese_date(timezone.localdate())}印发"
    ]
    series, number, issuer_line, *_rest = document.paragraphs
    # A draft has no number yet: the line is left empty, dated today.
    assert (series.text, number.text) == ("马铃薯工作动态", "")
    assert issuer_line.text.startswith("马铃薯产业办\t")


def test_a_failed_conversion_still_publishes_with_the_docx(rep, settings):
    settings.BULLETIN_PDF = True
    settings.SOFFICE_BINARY = "no-such-soffice-here"
    published = issue(rep)
    assert published.is_published
    assert published.number == 1
    assert published.pdf is None
    assert stored(published.docx).startswith(b"PK")


def test_the_report_for_superiors_has_title_byline_opening_and_sections(rep):
    template = ReportTemplate.objects.create(
        title="马铃薯产业发展示范区建设进展情况",
        office=rep.world.potato,
        opening="按照市委、市政府部署，现将示范区建设进展情况汇报如下。",
    )
    data = documents.report_docx(
        template,
        [("一、基本情况", "示范区种植面积12万亩。"), ("存在的问题", "贮藏能力不足。"), ("", "")],
        as_of=ISSUED,
        office=rep.world.potato,
    )
    document = docx.Document(BytesIO(data))
    assert [paragraph.text for paragraph in body_paragraphs(document)] == [
        "马铃薯产业发展示范区建设进展情况",
        "马铃薯产业办",
        "2023年6月20日",
        "按照市委、市政府部署，现将示范区建设进展情况汇报如下。",
        "一、基本情况",
        "示范区种植面积12万亩。",
        "二、存在的问题",
        "贮藏能力不足。",
    ]
    # No 版头: nothing red, the title first.
    assert "FF0000" not in document.element.xml
    _title, office, *_rest = body_paragraphs(document)
    assert east_asian_font(office.runs[0]) == word.KAI_FONT
    assert document.core_properties.title == "马铃薯产业发展示范区建设进展情况"


def test_the_report_takes_the_edited_title_and_opening(rep):
    template = ReportTemplate.objects.create(
        title="品牌建设情况", office=rep.world.brand, opening="原开头。"
    )
    data = documents.report_docx(
        template,
        [],
        as_of=ISSUED,
        office="品牌办",
        title="品牌建设情况汇报",
        opening="改写的开头。",
    )
    texts = [paragraph.text for paragraph in body_paragraphs(docx.Document(BytesIO(data)))]
    assert texts == ["品牌建设情况汇报", "品牌办", "2023年6月20日", "改写的开头。"]
