"""The text of a .docx (python-docx's and LibreOffice's) and the comparison of two drafts."""

import io
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext

from zhuanban.core.files import check_upload
from zhuanban.core.tests.office import require_pdf_tools
from zhuanban.documents.tests.conftest import MIMETYPE, PLAN_V1, PLAN_V2, docx_bytes
from zhuanban.documents.text import Segment, compare, extract_text, paragraphs

TABLE = [["指标", "目标", "牵头单位"], ["种植面积", "100万亩", "卓资县"], ["龙头企业", "5家", ""]]
TABLE_LINES = ["指标 | 目标 | 牵头单位", "种植面积 | 100万亩 | 卓资县", "龙头企业 | 5家 | "]


def kinds(comparison) -> list[str]:
    return [row.kind for row in comparison.rows]


def text_of(segments) -> str:
    return "".join(s.text for s in segments)


def changed_parts(segments) -> list[str]:
    return [s.text for s in segments if s.changed]


# --- extract_text ------------------------------------------------------------------------------


def test_the_text_of_a_docx_is_its_paragraphs_then_its_table_row_by_row():
    text = extract_text(docx_bytes(PLAN_V1, table=TABLE))
    assert text.splitlines() == PLAN_V1 + TABLE_LINES


def test_empty_paragraphs_and_empty_table_rows_are_left_out_and_runs_are_joined():
    document = docx.Document()
    document.add_paragraph("")
    paragraph = document.add_paragraph("（一）建设标准化")
    paragraph.add_run("种植基地")
    paragraph.add_run("100万亩。")
    document.add_paragraph("   ")
    grid = document.add_table(rows=2, cols=2)
    grid.cell(1, 0).text = "合计"
    grid.cell(1, 1).text = "100"
    buffer = io.BytesIO()
    document.save(buffer)
    assert extract_text(buffer.getvalue()).splitlines() == [
        "（一）建设标准化种植基地100万亩。",
        "合计 | 100",
    ]


def test_a_table_between_paragraphs_keeps_its_place_in_the_body():
    document = docx.Document()
    document.add_paragraph("表1 目标")
    grid = document.add_table(rows=1, cols=2)
    grid.cell(0, 0).text = "面积"
    grid.cell(0, 1).text = "100万亩"
    document.add_paragraph("表后说明")
    buffer = io.BytesIO()
    document.save(buffer)
    assert extract_text(buffer.getvalue()).splitlines() == [
        "表1 目标",
        "面积 | 100万亩",
        "表后说明",
    ]


def test_bytes_that_are_no_docx_are_refused_with_a_clear_message():
    with pytest.raises(ValidationError) as refused:
        extract_text(b"PK\x03\x04 not really a package")
    assert refused.value.code == "unreadable"
    assert refused.value.messages == [
        gettext("The text of this document cannot be read: the file is damaged.")
    ]


def test_a_package_whose_main_part_is_not_xml_is_refused():
    source = zipfile.ZipFile(io.BytesIO(docx_bytes(["正文"])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as broken:
        for info in source.infolist():
            data = source.read(info)
            broken.writestr(info, b"<w:document" if info.filename == "word/document.xml" else data)
    with pytest.raises(ValidationError) as refused:
        extract_text(buffer.getvalue())
    assert refused.value.code == "unreadable"


def _libreoffice(source: Path, target_format: str, folder: Path) -> Path:
    out = folder / target_format.split(":")[0]
    home = folder / "home"
    home.mkdir(exist_ok=True)
    subprocess.run(
        [
            shutil.which(settings.SOFFICE_BINARY),
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            target_format,
            "--outdir",
            str(out),
            str(source),
        ],
        capture_output=True,
        timeout=settings.SOFFICE_TIMEOUT_SECONDS,
        env={"PATH": os.environ.get("PATH", os.defpath), "HOME": str(home), "LANG": "C.UTF-8"},
        check=True,
    )
    converted = out / f"{source.stem}.{out.name}"
    assert converted.exists()
    return converted


def test_a_docx_saved_by_libreoffice_reads_the_same(tmp_path):
    """A draft that went through LibreOffice (or WPS, which writes alike): made with
    python-docx, saved as .odt, saved back as .docx by LibreOffice."""
    require_pdf_tools()
    source = tmp_path / "方案.docx"
    source.write_bytes(docx_bytes(PLAN_V1, table=TABLE))
    odt = _libreoffice(source, "odt", tmp_path)
    saved = _libreoffice(odt, "docx:MS Word 2007 XML", tmp_path).read_bytes()
    assert saved != source.read_bytes()
    # The package LibreOffice wrote is accepted as an upload ...
    upload = SimpleUploadedFile("方案.docx", saved, content_type=MIMETYPE)
    assert check_upload(upload, allowed={".docx"})[0] == ".docx"
    # ... and its text is the same paragraphs and table rows.
    assert extract_text(saved).splitlines() == PLAN_V1 + TABLE_LINES
    assert compare("\n".join(PLAN_V1 + TABLE_LINES), extract_text(saved)).identical


# --- compare: the two drafts of the plan -------------------------------------------------------


@pytest.fixture
def plan_diff():
    return compare("\n".join(PLAN_V1), "\n".join(PLAN_V2))


def test_the_two_plans_differ_by_one_edit_one_insert_and_one_delete(plan_diff):
    assert kinds(plan_diff) == [
        "skip",  # the title and 一、总体要求, far from any change
        "equal",
        "equal",
        "replace",  # 100 → 120万亩
        "equal",
        "insert",  # （三）建设脱毒种薯繁育体系。
        "equal",
        "delete",  # 各旗县市区要加强组织领导。
    ]
    assert (plan_diff.added, plan_diff.removed, plan_diff.changed) == (1, 1, 1)
    assert not plan_diff.identical


def test_the_edited_paragraph_marks_the_characters_that_changed(plan_diff):
    row = plan_diff.rows[3]
    assert (row.old_number, row.new_number) == (5, 5)
    assert text_of(row.old) == "（一）建设标准化种植基地100万亩。"
    assert text_of(row.new) == "（一）建设标准化种植基地120万亩。"
    # Character by character: 1[0→2]0万亩, nothing else marked.
    assert changed_parts(row.old) == ["0"]
    assert changed_parts(row.new) == ["2"]
    assert row.old == (
        Segment("（一）建设标准化种植基地1", False),
        Segment("0", True),
        Segment("0万亩。", False),
    )


def test_inserted_and_deleted_paragraphs_are_whole_and_numbered(plan_diff):
    inserted, deleted = plan_diff.rows[5], plan_diff.rows[7]
    assert inserted.old == ()
    assert inserted.new == (Segment("（三）建设脱毒种薯繁育体系。", True),)
    assert (inserted.old_number, inserted.new_number) == (None, 7)
    assert deleted.new == ()
    assert deleted.old == (Segment("各旗县市区要加强组织领导。", True),)
    assert (deleted.old_number, deleted.new_number) == (8, None)
    # Unchanged paragraphs keep both their numbers (三、保障措施 moved from 7 to 8).
    moved = plan_diff.rows[6]
    assert text_of(moved.new) == "三、保障措施"
    assert (moved.old_number, moved.new_number) == (7, 8)
    assert not any(s.changed for s in moved.old + moved.new)


def test_the_unchanged_start_is_folded_to_the_context_before_the_first_change(plan_diff):
    skip = plan_diff.rows[0]
    assert skip.skipped == 2
    assert (skip.old, skip.new) == ((), ())
    shown = [text_of(row.old) for row in plan_diff.rows[1:3]]
    assert shown == [PLAN_V1[2], PLAN_V1[3]]


def test_a_long_unchanged_run_between_changes_is_folded_in_its_middle():
    middle = [f"第{n}条 保持不变。" for n in range(1, 21)]
    old = ["总则甲", *middle, "附则甲"]
    new = ["总则乙", *middle, "附则乙"]
    diff = compare("\n".join(old), "\n".join(new))
    assert kinds(diff) == ["replace", "equal", "equal", "skip", "equal", "equal", "replace"]
    assert diff.rows[3].skipped == 16
    assert [text_of(r.new) for r in diff.rows[1:3]] == ["第1条 保持不变。", "第2条 保持不变。"]
    assert [text_of(r.new) for r in diff.rows[4:6]] == ["第19条 保持不变。", "第20条 保持不变。"]
    assert diff.changed == 2


def test_a_run_no_longer_than_twice_the_context_is_shown_whole():
    middle = ["第一条", "第二条", "第三条", "第四条"]
    diff = compare(
        "\n".join(["甲方案", *middle, "乙方案"]), "\n".join(["甲方案改", *middle, "乙方案改"])
    )
    assert kinds(diff) == ["replace", *["equal"] * 4, "replace"]


def test_the_context_can_be_narrowed():
    diff = compare("\n".join(PLAN_V1), "\n".join(PLAN_V2), context=0)
    assert kinds(diff) == ["skip", "replace", "skip", "insert", "skip", "delete"]
    assert [row.skipped for row in diff.rows if row.kind == "skip"] == [4, 1, 1]


def test_a_paragraph_rewritten_beyond_recognition_is_a_delete_and_an_insert():
    diff = compare("总体要求\n旧的措施内容在这里", "总体要求\n全新的一段完全不同的文字ABC")
    assert kinds(diff) == ["equal", "delete", "insert"]
    assert (diff.added, diff.removed, diff.changed) == (1, 1, 0)


def test_identical_texts_are_identical_and_fold_into_one_row():
    diff = compare("\n".join(PLAN_V1), "\n\n  ".join(PLAN_V1))
    assert diff.identical
    assert (diff.added, diff.removed, diff.changed) == (0, 0, 0)
    assert kinds(diff) == ["skip"]
    assert diff.rows[0].skipped == len(PLAN_V1)


def test_empty_texts():
    nothing = compare("", "  \n ")
    assert nothing.identical
    assert nothing.rows == []
    written = compare("", "\n".join(PLAN_V2[:2]))
    assert kinds(written) == ["insert", "insert"]
    assert written.added == 2
    assert not written.identical
    erased = compare("\n".join(PLAN_V1[:3]), "")
    assert kinds(erased) == ["delete"] * 3
    assert erased.removed == 3


def test_paragraphs_are_the_non_blank_lines_stripped():
    assert paragraphs("  一、总体要求 \n\n\t\n（一）目标\r\n") == ["一、总体要求", "（一）目标"]


def test_text_inside_content_controls_and_nested_tables_comes_out_once():
    from docx.oxml import parse_xml

    document = docx.Document()
    document.add_paragraph("正文第一段")
    control = parse_xml(
        '<w:sdt xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        "<w:sdtContent><w:p><w:r><w:t>封面标题</w:t></w:r></w:p></w:sdtContent></w:sdt>"
    )
    document.element.body.insert(0, control)
    outer = document.add_table(rows=1, cols=2)
    outer.cell(0, 0).text = "外表"
    inner = outer.cell(0, 1).add_table(rows=1, cols=1)
    inner.cell(0, 0).text = "内表"
    buffer = io.BytesIO()
    document.save(buffer)
    assert extract_text(buffer.getvalue()).splitlines() == ["封面标题", "正文第一段", "外表 | 内表"]
