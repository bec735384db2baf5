"""The official-document builder: what a .docx holds, read back with python-docx and lxml,
and what LibreOffice prints from it."""

import itertools
import stat
import time
import zipfile
from datetime import date
from io import BytesIO

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Length, Pt
from lxml import etree

from zhuanban.core import word
from zhuanban.core.tests.office import (
    A4_PORTRAIT,
    page_lines,
    read_pdf,
    require_cjk_font,
    require_pdf_tools,
    words_on_page,
)

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
MM_IN_TWIPS = 1440 / 25.4


def build(**overrides) -> bytes:
    document = word.OfficialDocument(
        header=overrides.get("header", "中共乌兰察布市委农村牧区工作办公室"),
        number=overrides.get("number", "乌农牧督〔2023〕11号"),
        title=overrides.get("title", "关于2023年上半年重点工作推进情况的督办通报"),
        addressees=overrides.get("addressees", "各旗县市区农牧局，市直有关单位"),
    )
    document.paragraph("为推动重点工作落实，市委农牧办开展了督导检查。现将有关情况通报如下。")
    document.heading("存在问题", 1)
    document.heading("卓资县", 2)
    document.paragraph("建设马铃薯种薯繁育基地逾期12天，完成进度45%。")
    document.heading("整改要求", 1)
    document.heading("化德县", 2)
    document.heading("逐项制定整改措施。", 3)
    document.heading("明确责任人和完成时限。", 3)
    document.signature("市委农牧办", date(2023, 6, 30))
    document.distribution(
        cc=["市委办公室", "市政府办公室"],
        printed_by="中共乌兰察布市委农村牧区工作办公室",
        printed_on=date(2023, 6, 30),
    )
    return document.to_bytes()


def opened(data: bytes):
    return docx.Document(BytesIO(data))


def part(data: bytes, name: str):
    with zipfile.ZipFile(BytesIO(data)) as archive:
        return etree.fromstring(archive.read(name))


def body_paragraphs(document) -> dict[str, object]:
    return {paragraph.text: paragraph for paragraph in document.paragraphs if paragraph.text}


def east_asian_font(run) -> str:
    return run._r.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia"))


def indent(paragraph, name: str) -> int:
    return int(paragraph._p.pPr.find(qn("w:ind")).get(qn(f"w:{name}")))


def test_the_page_is_a4_with_the_margins_of_gbt_9704():
    section = opened(build()).sections[0]
    sizes_mm = {
        name: getattr(section, name).twips / MM_IN_TWIPS
        for name in (
            "page_width",
            "page_height",
            "top_margin",
            "bottom_margin",
            "left_margin",
            "right_margin",
        )
    }
    expected = {
        "page_width": 210,
        "page_height": 297,
        "top_margin": 37,
        "bottom_margin": 35,
        "left_margin": 28,
        "right_margin": 26,
    }
    for name, millimetres in expected.items():
        assert sizes_mm[name] == pytest.approx(millimetres, abs=0.05), name
    # The type area (版心): 156 × 225 mm.
    text_width = Length(section.page_width - section.left_margin - section.right_margin)
    text_height = Length(section.page_height - section.top_margin - section.bottom_margin)
    assert text_width.mm == pytest.approx(156, abs=0.1)
    assert text_height.mm == pytest.approx(225, abs=0.1)
    assert (section.page_width, section.top_margin) == (11906 * 635, 2098 * 635)  # EMU


def test_the_grid_has_22_lines_of_28_characters():
    document = opened(build())
    section = document.sections[0]
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "linesAndChars"
    line_pitch, char_space = int(grid.get(qn("w:linePitch"))), int(grid.get(qn("w:charSpace")))
    assert (line_pitch, char_space) == (579, -842)
    text_height = Length(section.page_height - section.top_margin - section.bottom_margin).twips
    text_width = Length(section.page_width - section.left_margin - section.right_margin).twips
    assert 22 * line_pitch <= text_height < 23 * line_pitch
    # Word's character pitch: the default font size (16 pt) plus charSpace/4096 pt.
    pitch = (16 + char_space / 4096) * 20
    assert 28 * pitch <= text_width < 29 * pitch
    # Body text on an exact spacing of one grid line, and condensed so that 28 characters
    # fill a line without the grid too (LibreOffice would give each two grid cells).
    body = body_paragraphs(document)["建设马铃薯种薯繁育基地逾期12天，完成进度45%。"]
    assert body.paragraph_format.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    assert body.paragraph_format.line_spacing.twips == 579
    assert body._p.pPr.find(qn("w:snapToGrid")).get(qn("w:val")) == "0"
    condensed = int(body.runs[0]._r.rPr.find(qn("w:spacing")).get(qn("w:val")))
    assert 28 * (16 * 20 + condensed) <= text_width < 29 * (16 * 20 + condensed)


def test_body_text_is_fangsong_16pt_indented_two_characters():
    document = opened(build())
    body = body_paragraphs(document)["建设马铃薯种薯繁育基地逾期12天，完成进度45%。"]
    (run,) = body.runs
    assert run.font.size == Pt(16)
    assert east_asian_font(run) == "仿宋_GB2312"
    fonts = run._r.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:ascii")) == fonts.get(qn("w:hAnsi")) == "仿宋_GB2312"
    assert indent(body, "firstLineChars") == 200
    assert indent(body, "firstLine") == 2 * word.CHAR_ADVANCE
    assert body.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY


def test_document_defaults_name_the_fonts_without_theme_fonts():
    defaults = part(build(), "word/styles.xml").find(f"{{{W}}}docDefaults")
    fonts = defaults.find(".//w:rPrDefault/w:rPr/w:rFonts", NS)
    assert fonts.get(f"{{{W}}}eastAsia") == "仿宋_GB2312"
    assert fonts.get(f"{{{W}}}ascii") == "仿宋_GB2312"
    # A theme font wins over a named one: there must be none.
    assert not [name for name in fonts.attrib if "Theme" in name or "theme" in name]
    assert defaults.find(".//w:rPrDefault/w:rPr/w:sz", NS).get(f"{{{W}}}val") == "32"
    assert defaults.find(".//w:rPrDefault/w:rPr/w:lang", NS).get(f"{{{W}}}eastAsia") == "zh-CN"
    spacing = defaults.find(".//w:pPrDefault/w:pPr/w:spacing", NS)
    assert (spacing.get(f"{{{W}}}line"), spacing.get(f"{{{W}}}lineRule")) == ("579", "exact")


def test_the_head_header_number_title_and_addressees():
    document = opened(build())
    paragraphs = [paragraph for paragraph in document.paragraphs if paragraph.text]
    header, number, title, addressees = paragraphs[:4]

    assert header.text == "中共乌兰察布市委农村牧区工作办公室"
    assert header.alignment == WD_ALIGN_PARAGRAPH.CENTER
    (run,) = header.runs
    assert east_asian_font(run) == "方正小标宋简体"
    assert str(run.font.color.rgb) == "FF0000"
    assert Pt(22) <= run.font.size <= Pt(36)
    # As large as fits the 156 mm line: 17 characters of this size do.
    assert 17 * run.font.size.pt <= 156 / 25.4 * 72

    assert number.text == "乌农牧督〔2023〕11号"
    assert number.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert east_asian_font(number.runs[0]) == "仿宋_GB2312"
    rule = number._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert (rule.get(qn("w:val")), rule.get(qn("w:color"))) == ("single", "FF0000")
    assert number.paragraph_format.space_before.twips == 2 * 579  # 空二行 below the header

    assert title.text == "关于2023年上半年重点工作推进情况的督办通报"
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    (run,) = title.runs
    assert run.font.size == Pt(22)
    assert east_asian_font(run) == "方正小标宋简体"
    assert title.paragraph_format.space_before.twips == 2 * 579

    assert addressees.text == "各旗县市区农牧局，市直有关单位："
    assert addressees._p.pPr.find(qn("w:ind")) is None  # flush left
    assert addressees.paragraph_format.space_before.twips == 579


def test_addressees_end_with_one_full_width_colon():
    document = opened(build(addressees="各旗县市区农牧局:"))
    assert "各旗县市区农牧局：" in body_paragraphs(document)


def test_no_head_without_header_and_number():
    document = opened(build(header="", number=""))
    first = next(paragraph for paragraph in document.paragraphs if paragraph.text)
    assert first.text == "关于2023年上半年重点工作推进情况的督办通报"
    assert not document.element.body.xpath(".//w:pBdr")


def test_headings_are_numbered_by_level_in_their_fonts():
    texts = body_paragraphs(opened(build()))
    assert east_asian_font(texts["一、存在问题"].runs[0]) == "黑体"
    assert east_asian_font(texts["（一）卓资县"].runs[0]) == "楷体_GB2312"
    # A new level 1 restarts level 2.
    assert east_asian_font(texts["二、整改要求"].runs[0]) == "黑体"
    assert east_asian_font(texts["（一）化德县"].runs[0]) == "楷体_GB2312"
    assert east_asian_font(texts["1．逐项制定整改措施。"].runs[0]) == "仿宋_GB2312"
    assert "2．明确责任人和完成时限。" in texts
    for text in ("一、存在问题", "（一）卓资县", "1．逐项制定整改措施。"):
        assert texts[text].runs[0].font.size == Pt(16)
        assert indent(texts[text], "firstLineChars") == 200
    assert texts["一、存在问题"].paragraph_format.keep_with_next


def test_chinese_numerals_and_dates():
    assert [word.chinese_numeral(n) for n in (1, 9, 10, 11, 20, 21, 99)] == [
        "一",
        "九",
        "十",
        "十一",
        "二十",
        "二十一",
        "九十九",
    ]
    assert word.chinese_date(date(2023, 6, 5)) == "2023年6月5日"


def test_signature_centred_above_the_date_four_characters_in():
    texts = body_paragraphs(opened(build()))
    signature, dated = texts["市委农牧办"], texts["2023年6月30日"]
    assert signature.alignment == dated.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert indent(dated, "rightChars") == 400
    # 2023年6月30日 is 6.5 characters wide, 市委农牧办 5: centred, it sits 0.75 further in.
    assert indent(signature, "rightChars") == 475
    assert signature.paragraph_format.keep_with_next


def test_a_signature_longer_than_the_date_is_not_pushed_past_the_margin():
    document = word.OfficialDocument(title="通报")
    document.signature("中共乌兰察布市委农村牧区工作办公室", date(2023, 6, 30))
    texts = body_paragraphs(opened(document.to_bytes()))
    # Centred above the date it would reach past the margin: it ends at the margin instead.
    signature = texts["中共乌兰察布市委农村牧区工作办公室"]
    assert signature.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert signature._p.pPr.find(qn("w:ind")) is None


def test_the_distribution_block_sits_at_the_foot_of_the_last_page():
    document = opened(build())
    table = document.tables[-1]
    cells = [cell.text for row in table.rows for cell in row.cells]
    # 印发机关 on the left, 印发日期 at a right tab one character from the end.
    assert cells == [
        "抄送：市委办公室，市政府办公室。",
        "中共乌兰察布市委农村牧区工作办公室\t2023年6月30日印发",
    ]
    (printed,) = table.rows[1].cells[0].paragraphs
    (stop,) = printed._p.pPr.find(qn("w:tabs"))
    assert stop.get(qn("w:val")) == "right"
    assert int(stop.get(qn("w:pos"))) == word.TEXT_WIDTH - word.SMALL_CHAR
    assert indent(printed, "left") == indent(printed, "right") == word.SMALL_CHAR
    position = table._tbl.tblPr.find(qn("w:tblpPr"))
    assert position.get(qn("w:vertAnchor")) == "margin"
    assert position.get(qn("w:tblpYSpec")) == "bottom"
    # First and last rules thick (0.35 mm ≈ 1 pt), the one between thin.
    borders = table._tbl.xpath(".//w:tcBorders/*")
    sizes = {(border.tag.split("}")[1], border.get(qn("w:sz"))) for border in borders}
    assert sizes == {("top", "8"), ("bottom", "6"), ("top", "6"), ("bottom", "8")}
    # A 抄送 list that wraps lines up after the colon.
    (cc_paragraph,) = table.rows[0].cells[0].paragraphs
    assert indent(cc_paragraph, "left") - indent(cc_paragraph, "hanging") == word.SMALL_CHAR


def test_nothing_goes_after_the_distribution_block():
    document = word.OfficialDocument(title="通报")
    document.distribution(printed_by="市委农牧办", printed_on=date(2023, 6, 30))
    with pytest.raises(RuntimeError):
        document.paragraph("后记")


def test_page_numbers_are_a_page_field_between_dashes_odd_right_even_left():
    data = build()
    settings_xml = part(data, "word/settings.xml")
    assert settings_xml.find("w:evenAndOddHeaders", NS) is not None
    section = opened(data).sections[0]
    for footer, side, attribute in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT, "right"),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, "left"),
    ):
        assert not footer.is_linked_to_previous
        (paragraph,) = footer.paragraphs
        assert paragraph.alignment == side
        assert indent(paragraph, attribute) == word.SMALL_CHAR  # one character in
        instructions = paragraph._p.xpath(".//w:instrText")
        assert [instruction.text.strip() for instruction in instructions] == ["PAGE"]
        kinds = [char.get(qn("w:fldCharType")) for char in paragraph._p.xpath(".//w:fldChar")]
        assert kinds == ["begin", "separate", "end"]
        texts = [text.text for text in paragraph._p.xpath(".//w:t")]
        assert texts[0] == "— "
        assert texts[-1] == " —"
        for run in paragraph._p.xpath(".//w:r"):
            assert run.find(qn("w:rPr")).find(qn("w:rFonts")).get(qn("w:eastAsia")) == "宋体"
            assert run.find(qn("w:rPr")).find(qn("w:sz")).get(qn("w:val")) == "28"  # 14 pt


def test_control_characters_from_users_are_dropped():
    dirty = "卓资县\x00\x07\x0b\x1b\ufffe\ud800"
    document = word.OfficialDocument(
        header="农牧办\x01",
        number="乌农牧督〔2023〕1号\x02",
        title=f"通报{dirty}",
        addressees=dirty,
    )
    document.heading(dirty, 2)
    document.paragraph(f"第一段{dirty}\r\n\u3000\u3000第二段\t完")
    document.table(["单位", "意见"], [[dirty, "同意\x0c"]])
    document.signature(f"农牧办{dirty}", date(2023, 6, 30))
    document.distribution(cc=[dirty], printed_by=dirty, printed_on=date(2023, 6, 30))
    opened_document = opened(document.to_bytes())
    texts = [paragraph.text for paragraph in opened_document.paragraphs if paragraph.text]
    assert "通报卓资县" in texts
    assert "卓资县：" in texts
    assert "（一）卓资县" in texts
    # Lines are paragraphs of their own; the blanks typed to indent them are dropped.
    assert "第一段卓资县" in texts
    assert "第二段 完" in texts
    cells = [cell.text for table in opened_document.tables for r in table.rows for cell in r.cells]
    assert {"卓资县", "同意", "抄送：卓资县。", "卓资县\t2023年6月30日印发"} <= set(cells)


def test_tables_repeat_their_header_row_and_refuse_ragged_rows():
    document = word.OfficialDocument(title="意见采纳情况表")
    document.table(
        ["序号", "单位", "意见", "采纳情况"],
        [["1", "卓资县", "建议增加种薯补贴\n并延长申报期", "采纳"]],
        widths=[1, 2, 5, 2],
    )
    table = opened(document.to_bytes()).tables[0]
    assert [cell.text for cell in table.rows[0].cells] == ["序号", "单位", "意见", "采纳情况"]
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert len(table.rows[1].cells[2].paragraphs) == 2
    assert east_asian_font(table.rows[0].cells[0].paragraphs[0].runs[0]) == "黑体"
    widths = [int(col.get(qn("w:w"))) for col in table._tbl.tblGrid.iterchildren()]
    assert sum(widths) <= word.TEXT_WIDTH
    assert widths[2] > 2 * widths[1]
    with pytest.raises(ValueError, match="columns"):
        document.table(["单位", "意见"], [["卓资县"]])


def test_to_pdf_is_none_without_libreoffice(settings, caplog):
    settings.SOFFICE_BINARY = "/nonexistent/soffice"
    assert word.to_pdf(build()) is None
    assert "not installed" in caplog.text


def test_to_pdf_is_none_when_libreoffice_fails(settings, tmp_path, caplog):
    failing = tmp_path / "soffice"
    failing.write_text("#!/bin/sh\necho broken >&2\nexit 3\n")
    failing.chmod(failing.stat().st_mode | stat.S_IXUSR)
    settings.SOFFICE_BINARY = str(failing)
    assert word.to_pdf(build()) is None
    assert "exited with 3" in caplog.text


def test_to_pdf_gives_up_after_the_timeout(settings, tmp_path, caplog):
    hanging = tmp_path / "soffice"
    hanging.write_text("#!/bin/sh\nsleep 30 &\nwait\n")
    hanging.chmod(hanging.stat().st_mode | stat.S_IXUSR)
    settings.SOFFICE_BINARY = str(hanging)
    settings.SOFFICE_TIMEOUT_SECONDS = 1
    started = time.monotonic()
    assert word.to_pdf(build()) is None
    assert time.monotonic() - started < 10
    assert "more than 1 seconds" in caplog.text


def test_libreoffice_prints_the_layout(tmp_path):
    """The round trip: A4, the text, page numbers between dashes, the 版记 on the last
    line of the last page."""
    require_pdf_tools()
    document = word.OfficialDocument(
        header="中共乌兰察布市委农村牧区工作办公室",
        number="乌农牧督〔2023〕11号",
        title="关于2023年上半年重点工作推进情况的督办通报",
        addressees="各旗县市区农牧局",
    )
    for n in range(40):  # several pages
        document.paragraph(f"第{n}段：建设马铃薯种薯繁育基地逾期12天，完成进度45%。")
    document.signature("市委农牧办", date(2023, 6, 30))
    document.distribution(cc="市委办公室", printed_by="市委农牧办", printed_on=date(2023, 6, 30))
    pdf = word.to_pdf(document.to_bytes())
    assert pdf is not None
    assert pdf.startswith(b"%PDF")
    printed = read_pdf(pdf, tmp_path)
    assert printed.page_size == A4_PORTRAIT
    assert printed.pages >= 2
    assert "乌农牧督〔2023〕11号" in printed.text
    assert "第39段：建设马铃薯种薯繁育基地逾期12天，完成进度45%。" in printed.text
    for page in range(1, printed.pages + 1):
        assert f"—{page}—" in printed.text
    last = words_on_page(printed, printed.pages)
    bottom_of_type_area = 842 - 35 / 25.4 * 72
    printed_on = next(bottom for text, _top, bottom in last if text.endswith("印发"))
    assert bottom_of_type_area - 30 < printed_on <= bottom_of_type_area + 1


def test_libreoffice_prints_22_lines_of_28_characters(tmp_path):
    require_pdf_tools()
    require_cjk_font()
    document = word.OfficialDocument(title="通报")
    # 54 characters: two full lines, the first two characters in.
    text = ("马铃薯种薯繁育基地建设" * 5)[:53] + "。"
    for _ in range(40):
        document.paragraph(text)
    printed = read_pdf(word.to_pdf(document.to_bytes()), tmp_path)
    lines = page_lines(printed, 2)  # a page of body text only
    assert lines[-1] == "—2—"
    lengths = [len(line) for line in lines[:-1]]
    assert len(lengths) == 22
    # Each paragraph: a first line two characters in, then a full one.
    assert set(lengths) == {26, 28}
    assert all(a != b for a, b in itertools.pairwise(lengths))


def test_a_byline_centred_in_kai_under_the_title_of_a_document_without_head():
    document = word.OfficialDocument(title="关于种薯基地建设情况的调研报告")
    document.byline("马铃薯产业办", "", "2023年6月30日")
    document.paragraph("调研发现，基地建设总体顺利。")
    opened_document = opened(document.to_bytes())
    title, office, dated, body = (p for p in opened_document.paragraphs if p.text)
    assert not opened_document.element.body.xpath(".//w:pBdr")
    assert not title.paragraph_format.space_before
    for line in (office, dated):
        (run,) = line.runs
        assert line.alignment == WD_ALIGN_PARAGRAPH.CENTER
        assert east_asian_font(run) == "楷体_GB2312"
        assert run.font.size == Pt(16)
        assert line._p.pPr.find(qn("w:ind")) is None
    # One line below the title; the text one line below the byline (a blank line).
    assert office.paragraph_format.space_before.twips == word.LINE_PITCH
    assert not dated.paragraph_format.space_before
    assert office.paragraph_format.keep_with_next
    assert dated.paragraph_format.keep_with_next
    texts = [p.text for p in opened_document.paragraphs]
    after_date = texts.index("2023年6月30日") + 1
    assert texts[after_date : after_date + 2] == ["", "调研发现，基地建设总体顺利。"]
    assert indent(body, "firstLineChars") == 200


def test_a_heading_runs_into_its_text_and_keeps_its_own_number():
    document = word.OfficialDocument(title="调研报告")
    document.heading("一、基本情况。", 1, numbered=False, run_in="全县新建基地2万亩。")
    document.heading("（一）存在问题", 2, numbered=False)
    texts = body_paragraphs(opened(document.to_bytes()))
    basics = texts["一、基本情况。全县新建基地2万亩。"]
    assert [(run.text, east_asian_font(run)) for run in basics.runs] == [
        ("一、基本情况。", "黑体"),
        ("全县新建基地2万亩。", "仿宋_GB2312"),
    ]
    assert all(run.font.size == Pt(16) for run in basics.runs)
    assert indent(basics, "firstLineChars") == 200
    # A heading with its text is a paragraph like any other; a heading alone keeps with it.
    assert not basics.paragraph_format.keep_with_next
    assert texts["（一）存在问题"].paragraph_format.keep_with_next
    assert east_asian_font(texts["（一）存在问题"].runs[0]) == "楷体_GB2312"
