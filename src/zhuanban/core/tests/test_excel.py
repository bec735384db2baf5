import io

import openpyxl
import pytest
from openpyxl import Workbook

from zhuanban.core import excel


def write(values: list[str]) -> openpyxl.worksheet.worksheet.Worksheet:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("表")
    cells = excel.CellFactory(ws, fills={"red": "FFC7CE"})
    excel.print_setup(ws, [excel.Column("内容", 30)], header_rows=(1, 1))
    ws.append([cells.make("header", "内容")])
    for value in values:
        ws.append([cells.make("red" if value == "红" else "text", value)])
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return openpyxl.load_workbook(out).active


@pytest.mark.parametrize(
    "value", ["=1+1", "+86 0474", "-SUM(A1:A2)", "@cmd", '=HYPERLINK("http://x")']
)
def test_text_never_becomes_a_formula(value):
    cell = write([value])["A2"]
    assert cell.data_type == "s"
    assert cell.value == value
    assert cell.quotePrefix


def test_control_characters_are_dropped_and_long_text_cut():
    sheet = write(["甲\x0b乙", "字" * 40_000])
    assert sheet["A2"].value == "甲乙"
    assert len(sheet["A3"].value) == excel.CELL_MAX_CHARS


def test_print_setup_and_fills():
    sheet = write(["红"])
    assert sheet.freeze_panes == "A2"
    assert sheet.print_title_rows == "$1:$1"
    assert (sheet.page_setup.orientation, sheet.page_setup.paperSize) == (
        "landscape",
        excel.PAPER_A3,
    )
    assert sheet["A2"].fill.fgColor.rgb.endswith("FFC7CE")
    assert sheet["A1"].font.name == excel.HEADER_FONT


def test_row_heights_count_chinese_characters_double():
    assert excel.text_width("乌兰察布ab") == 10
    one_line = excel.row_height(["短"], [20])
    three_lines = excel.row_height(["字" * 27], [20])  # 54 units over 18.5 per line
    assert one_line == excel.MIN_ROW_HEIGHT
    assert three_lines == 3 * excel.LINE_HEIGHT + excel.ROW_PADDING


def test_sheet_titles_are_made_legal():
    assert excel.sheet_title("2023/06:台账[汇总]") == "2023 06 台账 汇总 "
    assert excel.sheet_title("长" * 40) == "长" * 31
