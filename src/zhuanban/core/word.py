"""Official documents (公文) as Chinese offices lay them out, after GB/T 9704-2012.

Shared by every generated Word document (supervision notices, bulletins, the
opinion-adoption table):

- A4, margins 37/35/28/26 mm, so the type area (版心) is 156 × 225 mm;
- body in 仿宋_GB2312 三号 (16 pt) on a document grid of 22 lines of 28 characters: the
  section's `w:docGrid` and an exact line spacing of one grid pitch, so Word and WPS
  fill a page with 22 lines, and a paragraph starts two characters in;
- the 版头: the issuing authority's red header in 小标宋, the number line (发文字号) two
  lines below it with the red separator (版头分隔线) under it; the title in 小标宋 二号
  two lines below the separator; the addressees (主送机关) flush left one line below;
- headings numbered 一、（一）1．（1）, level 1 in 黑体, level 2 in 楷体_GB2312; a heading
  may run into the body text of its paragraph (一、基本情况。全县……);
- a bulletin (简报, `BulletinDocument`) has its own header block instead of the 版头:
  the series' name in red, （第N期） under it, the issuing unit and the date on the red
  rule; and its 版记 (报/送/发, 编辑 and 签发, 印发) at the foot of the last page;
- a document without 版头 (a research report, a speech) may carry a byline under its
  title: the author and the date centred in 楷体_GB2312 三号;
- signature and date laid out as for a sealed document (GB/T 9704 7.3.5.1): the date
  four characters in from the right, the authority centred above it;
- the 版记 (抄送, 印发机关 and 印发日期) between its rules at the foot of the last page:
  a table anchored to the bottom of the type area;
- page numbers: 4号 半角 宋体 digits between em dashes (— 1 —), a PAGE field, odd pages
  on the right and even pages on the left, one character in from the edge.

Font names are written on every run for East Asian, Latin and complex scripts, and in the
document defaults, without theme fonts (a theme font takes precedence over a named one):
Word, WPS and LibreOffice use them where installed and substitute their own CJK font
elsewhere. Text comes from users: characters XML cannot hold are dropped.

`to_pdf()` converts a .docx with LibreOffice when it is installed, and answers None
(logged) when it is not or fails: a PDF is a convenience, never a reason to fail.
`store_docx()` stores a generated .docx with the change that made it (an issued notice,
a published bulletin); a background job then converts it (`pdf_of()`, a few seconds of
LibreOffice) and attaches the PDF to its record (`attach_pdf()`).
"""

import logging
import math
import os
import re
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterable, Sequence
from datetime import date
from io import BytesIO
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Twips

from zhuanban.core import audit
from zhuanban.core.files import store_upload
from zhuanban.core.models import AuditAction, StoredFile

logger = logging.getLogger(__name__)

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_CONTENT_TYPE = "application/pdf"

# Fonts as GB/T 9704 names them; a machine without them substitutes its own CJK font.
TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
KAI_FONT = "楷体_GB2312"
HEADING_FONTS = {1: "黑体", 2: KAI_FONT, 3: BODY_FONT, 4: BODY_FONT}
PAGE_NUMBER_FONT = "宋体"
RED = "FF0000"

# Sizes in points: 三号, 二号, 四号.
BODY_SIZE = 16
TITLE_SIZE = 22
SMALL_SIZE = 14
HEADER_MIN_SIZE = 22
HEADER_MAX_SIZE = 36

# Geometry in twips (1/1440 inch; 1 mm = 56.7 twips).
PAGE_WIDTH = 11906  # 210 mm
PAGE_HEIGHT = 16838  # 297 mm
MARGIN_TOP = 2098  # 37 mm
MARGIN_BOTTOM = 1984  # 35 mm
MARGIN_LEFT = 1587  # 28 mm
MARGIN_RIGHT = 1474  # 26 mm
HEADER_DISTANCE = 851  # 15 mm
# The footer line's bottom edge 24.4 mm above the page's: its dashes then sit about 7 mm
# below the type area (GB/T 9704 7.5: 一字线上距版心下边缘7 mm).
FOOTER_DISTANCE = 1384
TEXT_WIDTH = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT  # 8845 = 156 mm
TEXT_HEIGHT = PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM  # 12756 = 225 mm
LINES_PER_PAGE = 22
CHARS_PER_LINE = 28
# 579 twips = 28.95 pt: 22 lines fit the type area; one twip more and the 22nd would not.
LINE_PITCH = TEXT_HEIGHT // LINES_PER_PAGE
# w:charSpace is what the grid adds to the default font size's pitch, in 1/4096 pt:
# 28 characters of 16 pt are 158 mm, so each is narrowed a little to fit 156 mm (-842).
CHAR_SPACE = math.floor((TEXT_WIDTH / CHARS_PER_LINE / 20 - BODY_SIZE) * 4096)
# The same 28 characters laid out without the grid: each 16 pt character condensed by
# 0.3 pt (w:spacing), 314 twips each. Our paragraphs do not snap to the grid: LibreOffice,
# which makes the PDF, gives a character wider than a grid cell (16 pt against 15.79)
# two cells, 14 characters to a line. 0.25 pt would do by arithmetic; LibreOffice, with a
# character grid on the page, needs one twentieth of a point more to fit the 28th.
BODY_CONDENSE = TEXT_WIDTH // CHARS_PER_LINE - BODY_SIZE * 20 - 1  # -6 twentieths of a point
CHAR_ADVANCE = BODY_SIZE * 20 + BODY_CONDENSE  # 314 twips
HEADER_TOP_SPACE = 1984  # 35 mm from the top of the type area to the header (7.2.2)
SMALL_CHAR = SMALL_SIZE * 20  # one 4号 character, in twips

# Characters XML 1.0 cannot hold (and C1 controls, which nobody means to print).
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_SPACES = re.compile(r"[\s\u3000]+")
_NUMERALS = "零一二三四五六七八九"


def clean_text(value: object) -> str:
    """Text a document can hold: no control characters, line ends as "\\n", no tabs."""
    text = str(value or "").replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return _INVALID_XML.sub("", text)


def one_line(value: object) -> str:
    """The text on one line: every run of white space (line ends too) as one space."""
    return _SPACES.sub(" ", clean_text(value)).strip()


def text_lines(value: object) -> list[str]:
    """The non-empty lines of a text, without the blanks (full-width too) that people type
    to indent: the layout indents paragraphs itself."""
    lines = (line.strip(" \u3000") for line in clean_text(value).split("\n"))
    return [line for line in lines if line]


def chinese_date(value: date) -> str:
    """成文日期 as GB/T 9704 7.3.5 writes it: Arabic numerals, no leading zeros."""
    return f"{value.year}年{value.month}月{value.day}日"


def chinese_numeral(number: int) -> str:
    """一 … 九十九, as headings count (一、 十一、 二十、)."""
    if not 0 < number < 100:
        return str(number)
    tens, units = divmod(number, 10)
    if tens == 0:
        return _NUMERALS[units]
    prefix = ("" if tens == 1 else _NUMERALS[tens]) + "十"
    return prefix + (_NUMERALS[units] if units else "")


def text_width(text: str) -> float:
    """Width in characters of the body font: Latin letters and digits are half-width."""
    return sum(0.5 if ord(char) < 0x2E80 and char != "—" else 1 for char in text)


def _el(tag: str, **attrs: object):
    element = OxmlElement(tag)
    for name, value in attrs.items():
        element.set(qn(f"w:{name}"), str(value))
    return element


def _fonts(name: str):
    return _el("w:rFonts", ascii=name, hAnsi=name, eastAsia=name, cs=name)


def _rpr(font: str, size: float, color: str | None = None, spacing: int = 0):
    rpr = _el("w:rPr")
    rpr.append(_fonts(font))
    if color:
        rpr.append(_el("w:color", val=color))
    if spacing:
        rpr.append(_el("w:spacing", val=spacing))
    half_points = round(size * 2)
    rpr.append(_el("w:sz", val=half_points))
    rpr.append(_el("w:szCs", val=half_points))
    return rpr


def _run(text: str, font: str, size: float, color: str | None = None, spacing: int = 0):
    run = _el("w:r")
    run.append(_rpr(font, size, color, spacing))
    t = _el("w:t")
    t.set(qn("xml:space"), "preserve")
    t.text = text
    run.append(t)
    return run


def _body(text: str, font: str = BODY_FONT):
    """Text of the body size, condensed so that 28 characters fill a line."""
    return _run(text, font, BODY_SIZE, spacing=BODY_CONDENSE)


def _border(tag: str, size_eighths: int, color: str = "000000", space: int = 0):
    return _el(tag, val="single", sz=size_eighths, space=space, color=color)


def _ppr(
    *,
    align: str | None = None,
    line: int = LINE_PITCH,
    before: int = 0,
    keep_next: bool = False,
    first_line: float = 0,
    left: float = 0,
    right: float = 0,
    hanging: float = 0,
    char: float | None = None,
    bottom_border=None,
    tabs: Sequence[tuple[str, int]] = (),
):
    """Paragraph properties, children in schema order. Indents are in characters: of the
    body text (written both in twips and as w:*Chars, which Word and WPS prefer), or of
    `char` twips (twips only) for text of another size. No paragraph snaps to the
    document grid (see CHAR_ADVANCE): the exact line spacing keeps the 22 lines."""
    ppr = _el("w:pPr")
    if keep_next:
        ppr.append(_el("w:keepNext"))
    if bottom_border is not None:
        borders = _el("w:pBdr")
        borders.append(bottom_border)
        ppr.append(borders)
    if tabs:
        stops = _el("w:tabs")
        for kind, position in tabs:
            stops.append(_el("w:tab", val=kind, pos=position))
        ppr.append(stops)
    # Repeated from the defaults: LibreOffice reads these on the paragraph only.
    ppr.append(_el("w:autoSpaceDE", val=0))
    ppr.append(_el("w:autoSpaceDN", val=0))
    ppr.append(_el("w:snapToGrid", val=0))
    ppr.append(_el("w:spacing", before=before, after=0, line=line, lineRule="exact"))
    if first_line or left or right or hanging:
        unit = char or CHAR_ADVANCE
        ind = _el("w:ind")
        for name, chars in (("left", left), ("right", right)):
            if chars:
                ind.set(qn(f"w:{name}"), str(round(chars * unit)))
                if char is None:
                    ind.set(qn(f"w:{name}Chars"), str(round(chars * 100)))
        if hanging:
            ind.set(qn("w:hanging"), str(round(hanging * unit)))
            if char is None:
                ind.set(qn("w:hangingChars"), str(round(hanging * 100)))
        elif first_line:
            ind.set(qn("w:firstLine"), str(round(first_line * unit)))
            if char is None:
                ind.set(qn("w:firstLineChars"), str(round(first_line * 100)))
        ppr.append(ind)
    if align:
        ppr.append(_el("w:jc", val=align))
    return ppr


def _paragraph(runs: Iterable, **layout):
    paragraph = _el("w:p")
    paragraph.append(_ppr(**layout))
    for run in runs:
        paragraph.append(run)
    return paragraph


def _page_number_runs():
    """— PAGE — as runs: the number is a field, so every page shows its own."""
    font, size = PAGE_NUMBER_FONT, SMALL_SIZE

    def field_char(kind: str):
        run = _el("w:r")
        run.append(_rpr(font, size))
        run.append(_el("w:fldChar", fldCharType=kind))
        return run

    instruction = _el("w:r")
    instruction.append(_rpr(font, size))
    instr_text = _el("w:instrText")
    instr_text.set(qn("xml:space"), "preserve")
    instr_text.text = " PAGE "
    instruction.append(instr_text)
    return [
        _run("— ", font, size),
        field_char("begin"),
        instruction,
        field_char("separate"),
        _run("1", font, size),
        field_char("end"),
        _run(" —", font, size),
    ]


def _cell(width: int, paragraphs: Sequence, *, borders: Sequence = ()):
    cell = _el("w:tc")
    tcpr = _el("w:tcPr")
    tcpr.append(_el("w:tcW", w=width, type="dxa"))
    if borders:
        tc_borders = _el("w:tcBorders")
        for border in borders:
            tc_borders.append(border)
        tcpr.append(tc_borders)
    tcpr.append(_el("w:vAlign", val="center"))
    cell.append(tcpr)
    for paragraph in paragraphs or [_paragraph([], line=240)]:
        cell.append(paragraph)
    return cell


def _table(widths: Sequence[int], *, borders: bool, floating_bottom: bool = False, margin=108):
    table = _el("w:tbl")
    tblpr = _el("w:tblPr")
    if floating_bottom:
        tblpr.append(
            _el(
                "w:tblpPr",
                leftFromText=0,
                rightFromText=0,
                vertAnchor="margin",
                # Anchored to the page, LibreOffice floats a table as wide as the type
                # area too (it keeps one anchored to the margin inline).
                horzAnchor="page",
                tblpX=MARGIN_LEFT,
                tblpYSpec="bottom",
            )
        )
        tblpr.append(_el("w:tblOverlap", val="never"))
    tblpr.append(_el("w:tblW", w=sum(widths), type="dxa"))
    if not floating_bottom:
        tblpr.append(_el("w:jc", val="center"))
    table_borders = _el("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        if borders:
            table_borders.append(_border(f"w:{side}", 4))
        else:
            table_borders.append(_el(f"w:{side}", val="nil"))
    tblpr.append(table_borders)
    tblpr.append(_el("w:tblLayout", type="fixed"))
    cell_margins = _el("w:tblCellMar")
    cell_margins.append(_el("w:left", w=margin, type="dxa"))
    cell_margins.append(_el("w:right", w=margin, type="dxa"))
    tblpr.append(cell_margins)
    tblpr.append(_el("w:tblLook", val="0000", firstRow=0, lastRow=0, noHBand=1, noVBand=1))
    table.append(tblpr)
    grid = _el("w:tblGrid")
    for width in widths:
        grid.append(_el("w:gridCol", w=width))
    table.append(grid)
    return table


class OfficialDocument:
    """One official document, built top to bottom:

        document = OfficialDocument(header=..., number=..., title=..., addressees=...)
        document.byline(office, "2023年6月30日")   # a report without 版头: under the title
        document.paragraph(opening)
        document.heading("存在问题", 1)        # 一、存在问题
        document.heading("卓资县", 2)          # （一）卓资县
        document.paragraph(text)
        document.signature(authority, date)
        document.distribution(cc=[...], printed_by=..., printed_on=date)
        data = document.to_bytes()

    header and number may be empty (a document without 版头, a draft not yet numbered).
    """

    def __init__(
        self, *, title: str, header: str = "", number: str = "", addressees: str = ""
    ) -> None:
        self._start(title=title, author=header)
        header, number, title = one_line(header), one_line(number), one_line(title)
        if header:
            self._header(header)
        if header or number:
            self._number(number)
        self._append(
            _paragraph(
                [_run(title, TITLE_FONT, TITLE_SIZE)],
                align="center",
                before=2 * LINE_PITCH if header or number else 0,
            )
        )
        addressees = one_line(addressees).rstrip(":：")
        if addressees:
            self._append(
                _paragraph(
                    [_body(f"{addressees}：")],
                    align="both",
                    before=LINE_PITCH,
                )
            )

    def _start(self, *, title: str, author: str) -> None:
        """An empty A4 document: the page, the grid, page numbers and the defaults."""
        self._document = Document()
        self._body = self._document.element.body
        self._counters = [0, 0, 0, 0]
        self._closed = False
        self._setup(one_line(title), one_line(author))

    # -- building -----------------------------------------------------------------------

    def heading(
        self, text: str, level: int = 1, *, numbered: bool = True, run_in: str = ""
    ) -> None:
        """A heading numbered 一、 / （一） / 1． / （1）; deeper counters restart. With
        `numbered=False` the text is printed as given (it carries its own number). `run_in`
        is body text that follows the heading in the same paragraph."""
        if level not in HEADING_FONTS:
            raise ValueError(f"heading level must be 1 to 4, not {level}")
        self._counters[level - 1] += 1
        for deeper in range(level, len(self._counters)):
            self._counters[deeper] = 0
        text = one_line(text)
        if numbered:
            count = self._counters[level - 1]
            text = {
                1: f"{chinese_numeral(count)}、",
                2: f"（{chinese_numeral(count)}）",
                3: f"{count}．",
                4: f"（{count}）",
            }[level] + text
        run_in = one_line(run_in)
        runs = [_body(text, HEADING_FONTS[level])]
        if run_in:
            runs.append(_body(run_in))
        self._append(
            _paragraph(
                runs,
                align="both",
                first_line=2,
                # A heading that runs into its text is a paragraph of its own.
                keep_next=level <= 2 and not run_in,
            )
        )

    def byline(self, *lines: str) -> None:
        """署名 and date under the title of a document without 版头 (a report, a speech):
        each line centred in 楷体 三号, the first one line below the title; the text
        starts one line below the last."""
        texts = [text for text in (one_line(line) for line in lines) if text]
        for index, text in enumerate(texts):
            self._append(
                _paragraph(
                    [_body(text, KAI_FONT)],
                    align="center",
                    before=LINE_PITCH if index == 0 else 0,
                    keep_next=True,
                )
            )
        if texts:
            self._append(_paragraph([]))

    def paragraph(self, text: str) -> None:
        """Body text: each line of `text` one paragraph, starting two characters in."""
        for line in text_lines(text):
            self._append(_paragraph([_body(line)], align="both", first_line=2))

    def signature(self, authority: str, signed_on: date) -> None:
        """发文机关署名 centred above 成文日期, the date four characters in from the right:
        the layout of a sealed document, the seal pressing on both."""
        authority, dated = one_line(authority), chinese_date(signed_on)
        date_indent = 4
        authority_indent = max(0, date_indent + (text_width(dated) - text_width(authority)) / 2)
        self._append(
            _paragraph(
                [_body(authority)],
                align="right",
                right=authority_indent,
                before=2 * LINE_PITCH,
                keep_next=True,
            )
        )
        self._append(_paragraph([_body(dated)], align="right", right=date_indent))

    def table(
        self,
        header: Sequence[str],
        rows: Iterable[Sequence[object]],
        *,
        widths: Sequence[float] | None = None,
        size: float = SMALL_SIZE,
    ) -> None:
        """A ruled table across the type area, its header row (黑体) repeated on every page.
        `widths` are relative; cells may hold several lines."""
        columns = len(header)
        weights = list(widths or [1] * columns)
        if len(weights) != columns:
            raise ValueError("one width per column")
        twips = [math.floor(TEXT_WIDTH * weight / sum(weights)) for weight in weights]
        table = _table(twips, borders=True)

        def row(values: Sequence[object], *, font: str, align: str, is_header: bool):
            if len(values) != columns:
                raise ValueError(f"a row of {len(values)} cells in a table of {columns} columns")
            element = _el("w:tr")
            trpr = _el("w:trPr")
            if is_header:
                trpr.append(_el("w:tblHeader"))
            element.append(trpr)
            for width, value in zip(twips, values, strict=True):
                paragraphs = [
                    _paragraph([_run(line, font, size)], align=align, line=round(size * 26))
                    for line in text_lines(value)
                ]
                element.append(_cell(width, paragraphs))
            return element

        table.append(row(header, font=HEADING_FONTS[1], align="center", is_header=True))
        for values in rows:
            table.append(row(values, font=BODY_FONT, align="both", is_header=False))
        self._append(table)
        # Word wants a paragraph between a table and what follows.
        self._append(_paragraph([]))

    def distribution(
        self, *, printed_by: str, printed_on: date, cc: Sequence[str] | str = ()
    ) -> None:
        """版记 at the foot of the last page: 抄送 (if any) between a thick and a thin rule,
        then 印发机关 and 印发日期 above the closing thick rule (GB/T 9704 7.4)."""
        if isinstance(cc, str):
            cc = [cc]
        copied = "，".join(name for name in (one_line(item) for item in cc) if name)
        table = _table([TEXT_WIDTH], borders=False, floating_bottom=True, margin=0)
        thick, thin = 8, 6  # eighths of a point: 0.35 mm and 0.25 mm

        def row(paragraph, *, top: int, bottom: int):
            element = _el("w:tr")
            rules = [_border("w:top", top), _border("w:bottom", bottom)]
            element.append(_cell(TEXT_WIDTH, [paragraph], borders=rules))
            return element

        # 左右各空一字 in 4号: one character in from each end of the rules.
        small = {"line": LINE_PITCH, "char": SMALL_CHAR, "right": 1}
        if copied:
            text = copied if copied.endswith("。") else f"{copied}。"
            # A long list wraps under its first name, after the colon.
            cc_paragraph = _paragraph(
                [_run(f"抄送：{text}", BODY_FONT, SMALL_SIZE)],
                align="both",
                left=4,
                hanging=3,
                **small,
            )
            table.append(row(cc_paragraph, top=thick, bottom=thin))
        tab = _el("w:r")
        tab.append(_rpr(BODY_FONT, SMALL_SIZE))
        tab.append(_el("w:tab"))
        printed = _paragraph(
            [
                _run(one_line(printed_by), BODY_FONT, SMALL_SIZE),
                tab,
                _run(f"{chinese_date(printed_on)}印发", BODY_FONT, SMALL_SIZE),
            ],
            align="left",
            left=1,
            tabs=[("right", TEXT_WIDTH - SMALL_CHAR)],
            **small,
        )
        table.append(row(printed, top=thin if copied else thick, bottom=thick))
        self._append(table)
        # The table floats; this paragraph anchors it and takes no room of its own.
        self._append(_paragraph([], line=20))
        self._closed = True

    def to_bytes(self) -> bytes:
        buffer = BytesIO()
        self._document.save(buffer)
        return buffer.getvalue()

    # -- internals ----------------------------------------------------------------------

    def _append(self, element) -> None:
        if self._closed:
            raise RuntimeError("the 版记 closes the document: nothing goes after it")
        self._body.sectPr.addprevious(element)

    def _header(self, header: str) -> None:
        # As large as fits on one line, within what offices use (二号 to 小初).
        size = math.floor((TEXT_WIDTH / 20 - 4) / max(text_width(header), 1))
        size = min(HEADER_MAX_SIZE, max(HEADER_MIN_SIZE, size))
        self._append(
            _paragraph(
                [_run(header, TITLE_FONT, size, RED)],
                align="center",
                before=HEADER_TOP_SPACE,
                line=round(size * 25),
            )
        )

    def _number(self, number: str) -> None:
        """发文字号 two lines below the header, the red separator about 4 mm under it."""
        self._append(
            _paragraph(
                [_body(number)] if number else [],
                align="center",
                before=2 * LINE_PITCH,
                bottom_border=_border("w:bottom", 12, RED, space=4),
            )
        )

    def _setup(self, title: str, author: str) -> None:
        document = self._document
        for paragraph in list(self._body.iterchildren(qn("w:p"))):
            self._body.remove(paragraph)

        section = document.sections[0]
        section.page_width, section.page_height = Twips(PAGE_WIDTH), Twips(PAGE_HEIGHT)
        section.top_margin, section.bottom_margin = Twips(MARGIN_TOP), Twips(MARGIN_BOTTOM)
        section.left_margin, section.right_margin = Twips(MARGIN_LEFT), Twips(MARGIN_RIGHT)
        section.header_distance = Twips(HEADER_DISTANCE)
        section.footer_distance = Twips(FOOTER_DISTANCE)
        section.gutter = Twips(0)
        grid = section._sectPr.find(qn("w:docGrid"))
        if grid is None:
            grid = _el("w:docGrid")
            section._sectPr.append(grid)
        grid.set(qn("w:type"), "linesAndChars")
        grid.set(qn("w:linePitch"), str(LINE_PITCH))
        grid.set(qn("w:charSpace"), str(CHAR_SPACE))

        # Odd pages: number on the right; even pages: on the left.
        document.settings.odd_and_even_pages_header_footer = True
        for footer, side in ((section.footer, "right"), (section.even_page_footer, "left")):
            footer.is_linked_to_previous = False
            placeholder = footer.paragraphs[0]._p
            placeholder.addprevious(
                _paragraph(
                    _page_number_runs(),
                    align=side,
                    line=round(SMALL_SIZE * 20 * 1.4),
                    char=SMALL_CHAR,
                    **{side: 1},
                )
            )
            placeholder.getparent().remove(placeholder)

        # python-docx's template carries a preview image of its own: a file manager would
        # show it as this document's.
        package = document.part.package
        for key, relation in list(package.rels.items()):
            if relation.reltype == RT.THUMBNAIL:
                package.rels.pop(key)

        self._set_defaults()
        properties = document.core_properties
        properties.title = title
        properties.author = author
        properties.last_modified_by = author
        properties.comments = ""
        properties.keywords = ""
        properties.subject = ""
        properties.revision = 1
        properties.created = properties.modified = timezone.now().replace(microsecond=0)

    def _set_defaults(self) -> None:
        """Document defaults: the body font and size, Chinese as the East Asian language,
        the grid's line spacing, and no widow control (it would break the 22-line page)."""
        styles = self._document.styles.element
        defaults = styles.find(qn("w:docDefaults"))
        if defaults is not None:
            styles.remove(defaults)
        defaults = _el("w:docDefaults")
        rpr_default = _el("w:rPrDefault")
        rpr = _rpr(BODY_FONT, BODY_SIZE)
        rpr.append(_el("w:lang", val="en-US", eastAsia="zh-CN", bidi="ar-SA"))
        rpr_default.append(rpr)
        defaults.append(rpr_default)
        ppr_default = _el("w:pPrDefault")
        ppr = _el("w:pPr")
        ppr.append(_el("w:widowControl", val=0))
        # No extra space between Chinese and Latin letters or digits: it would break the
        # 28 characters of a line and push a date off the centre of its signature.
        ppr.append(_el("w:autoSpaceDE", val=0))
        ppr.append(_el("w:autoSpaceDN", val=0))
        ppr.append(_el("w:spacing", before=0, after=0, line=LINE_PITCH, lineRule="exact"))
        ppr.append(_el("w:jc", val="both"))
        ppr_default.append(ppr)
        defaults.append(ppr_default)
        styles.insert(0, defaults)
        # LibreOffice sizes the character grid from the Normal style's East Asian font
        # size, not from the defaults (without it the grid would be 12 pt wide), for
        # paragraphs someone adds in it.
        normal = self._document.styles["Normal"].element
        for old in normal.findall(qn("w:rPr")):
            normal.remove(old)
        normal.append(_rpr(BODY_FONT, BODY_SIZE))

        settings_element = self._document.settings.element
        theme_language = settings_element.find(qn("w:themeFontLang"))
        if theme_language is not None:
            theme_language.set(qn("w:eastAsia"), "zh-CN")


# 初号: a bulletin's name is printed larger than a 版头 when it is short (信息动态).
BULLETIN_HEADER_MAX_SIZE = 42
# A heading that carries its own number: 一、 （一） 1． 1. (half-width brackets too).
_OWN_NUMBER = re.compile(
    r"^(?:[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十]{1,3}[）)]|\d{1,2}[．.、])"
)
# 报：… 送：… 抄送：… a distribution line's label, up to its colon.
_LABEL = re.compile(r"^[^：:，。\s]{1,4}[：:]")


def has_own_number(text: str) -> bool:
    """Whether a heading is numbered already (一、基本情况): print it as typed."""
    return bool(_OWN_NUMBER.match(one_line(text)))


def _tab_run(font: str, size: float):
    run = _el("w:r")
    run.append(_rpr(font, size))
    run.append(_el("w:tab"))
    return run


class BulletinDocument(OfficialDocument):
    """A bulletin (简报: 信息动态, 专报, 工作台账 …) as Chinese offices print them:

        document = BulletinDocument(series="信息动态", number=5, title=...,
                                    issuer="乌兰察布市农牧局办公室", issued_on=date(2023, 6, 20))
        document.heading("一、总体进展", numbered=False)
        document.paragraph(text)
        document.record(distribution=["报：…", "发：…"], compiled_by=..., signed_by=...)
        data = document.to_bytes()

    The header block on the first page: the series' name centred in red 小标宋, as large
    as fits (up to 初号); the issue number under it, centred: （第5期）; then the issuing
    unit on the left and the date on the right, one character in from each side, on the
    red rule across the type area; the issue's title in 小标宋 二号 two lines below. The
    body as in any official document (headings, 仿宋 三号 paragraphs, page numbers), and
    the 版记 between rules at the foot of the last page. A draft (number None) prints
    without a number.
    """

    def __init__(
        self, *, series: str, number: int | None, issuer: str, issued_on: date, title: str
    ) -> None:
        self._start(title=title, author=issuer)
        series, title = one_line(series), one_line(title)
        self.issuer, self.issued_on = one_line(issuer), issued_on
        size = math.floor((TEXT_WIDTH / 20 - 4) / max(text_width(series), 1))
        size = min(BULLETIN_HEADER_MAX_SIZE, max(HEADER_MIN_SIZE, size))
        self._append(
            _paragraph(
                [_run(series, TITLE_FONT, size, RED)],
                align="center",
                before=LINE_PITCH,
                line=round(size * 25),
            )
        )
        self._append(
            _paragraph(
                [_body(f"（第{number}期）")] if number else [],
                align="center",
                before=LINE_PITCH,
            )
        )
        self._append(
            _paragraph(
                [
                    _body(self.issuer),
                    _tab_run(BODY_FONT, BODY_SIZE),
                    _body(chinese_date(issued_on)),
                ],
                align="left",
                left=1,
                right=1,
                tabs=[("right", TEXT_WIDTH - CHAR_ADVANCE)],
                before=LINE_PITCH,
                bottom_border=_border("w:bottom", 12, RED, space=4),
            )
        )
        self._append(
            _paragraph([_run(title, TITLE_FONT, TITLE_SIZE)], align="center", before=2 * LINE_PITCH)
        )

    def record(
        self,
        *,
        distribution: Sequence[str] = (),
        compiled_by: str = "",
        signed_by: str = "",
    ) -> None:
        """版记 at the foot of the last page, in 仿宋 4号 between rules (thick at the ends,
        thin between the parts): the distribution, a line each (报：… 送：… 发：…, wrapping
        under the first name after the label); 编辑 on the left and 签发 on the right; the
        issuing unit and the date, ……印发."""
        small = {"line": LINE_PITCH, "char": SMALL_CHAR, "right": 1}
        parts: list[list] = []
        lines = [line for line in (one_line(item) for item in distribution) if line]
        if lines:
            paragraphs = []
            for line in lines:
                text = line if line.endswith("。") else f"{line}。"
                label = _LABEL.match(text)
                hanging = len(label.group()) if label else 0
                paragraphs.append(
                    _paragraph(
                        [_run(text, BODY_FONT, SMALL_SIZE)],
                        align="both",
                        left=1 + hanging,
                        hanging=hanging,
                        **small,
                    )
                )
            parts.append(paragraphs)
        people = [
            f"{label}{name}"
            for label, name in (("编辑：", one_line(compiled_by)), ("签发：", one_line(signed_by)))
            if name
        ]
        if people:
            runs = [_run(people[0], BODY_FONT, SMALL_SIZE)]
            if len(people) > 1:
                runs += [_tab_run(BODY_FONT, SMALL_SIZE), _run(people[1], BODY_FONT, SMALL_SIZE)]
            parts.append(
                [
                    _paragraph(
                        runs,
                        align="left",
                        left=1,
                        tabs=[("right", TEXT_WIDTH - SMALL_CHAR)],
                        **small,
                    )
                ]
            )
        parts.append(
            [
                _paragraph(
                    [
                        _run(self.issuer, BODY_FONT, SMALL_SIZE),
                        _tab_run(BODY_FONT, SMALL_SIZE),
                        _run(f"{chinese_date(self.issued_on)}印发", BODY_FONT, SMALL_SIZE),
                    ],
                    align="left",
                    left=1,
                    tabs=[("right", TEXT_WIDTH - SMALL_CHAR)],
                    **small,
                )
            ]
        )
        thick, thin = 8, 6  # eighths of a point: 0.35 mm and 0.25 mm
        table = _table([TEXT_WIDTH], borders=False, floating_bottom=True, margin=0)
        for index, paragraphs in enumerate(parts):
            rules = [
                _border("w:top", thick if index == 0 else thin),
                _border("w:bottom", thick if index == len(parts) - 1 else thin),
            ]
            row = _el("w:tr")
            row.append(_cell(TEXT_WIDTH, paragraphs, borders=rules))
            table.append(row)
        self._append(table)
        # The table floats; this paragraph anchors it and takes no room of its own.
        self._append(_paragraph([], line=20))
        self._closed = True


def to_pdf(docx: bytes) -> bytes | None:
    """The document as PDF, made by LibreOffice (settings.SOFFICE_BINARY); None when
    LibreOffice is missing, fails or takes longer than SOFFICE_TIMEOUT_SECONDS."""
    binary = shutil.which(settings.SOFFICE_BINARY)
    if binary is None:
        logger.warning("no PDF: LibreOffice (%s) is not installed", settings.SOFFICE_BINARY)
        return None
    try:
        with tempfile.TemporaryDirectory(prefix="zhuanban-soffice-") as folder:
            return _convert(binary, docx, Path(folder))
    except Exception:
        logger.exception("no PDF: the conversion by LibreOffice failed")
        return None


def _convert(binary: str, docx: bytes, folder: Path) -> bytes | None:
    source = folder / "document.docx"
    source.write_bytes(docx)
    home = folder / "home"
    home.mkdir()
    # Its own profile and HOME: conversions running at once do not share (and lock) one,
    # and nothing is left behind. Only what LibreOffice needs of the environment.
    env = {
        "PATH": os.environ.get("PATH", os.defpath),
        "HOME": str(home),
        "TMPDIR": str(folder),
        "LANG": "C.UTF-8",
    }
    command = [
        binary,
        f"-env:UserInstallation={(folder / 'profile').as_uri()}",
        "--headless",
        "--norestore",
        "--convert-to",
        "pdf",
        "--outdir",
        str(folder),
        str(source),
    ]
    # A session of its own, so a conversion that hangs is ended with every process
    # LibreOffice started for it.
    with subprocess.Popen(  # noqa: S603 - a fixed command on a file of our own
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=folder,
        start_new_session=True,
    ) as process:
        try:
            _out, err = process.communicate(timeout=settings.SOFFICE_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            logger.error(
                "no PDF: LibreOffice took more than %s seconds", settings.SOFFICE_TIMEOUT_SECONDS
            )
            return None
    pdf = folder / "document.pdf"
    if process.returncode != 0 or not pdf.exists():
        logger.error(
            "no PDF: LibreOffice exited with %s: %s",
            process.returncode,
            err.decode(errors="replace")[-2000:],
        )
        return None
    return pdf.read_bytes()


def store_docx(*, actor, name: str, docx: bytes) -> StoredFile:
    """Store a generated document as `<name>.docx`: the record, stored with the change that
    made it. Its PDF is made after, in a background job (`pdf_of`, `attach_pdf`)."""
    return store_upload(SimpleUploadedFile(f"{name}.docx", docx), user=actor, allowed={".docx"})


def pdf_of(docx: StoredFile) -> bytes | None:
    """The stored .docx as PDF (`to_pdf`); None when it cannot be made, logged: LibreOffice
    missing, failing or timing out holds nothing back. FileNotFoundError when the .docx
    is no longer in the storage."""
    with docx.file.open("rb") as handle:
        data = handle.read()
    try:
        return to_pdf(data)
    except Exception:
        logger.exception("converting %s to PDF failed", docx.name)
        return None


def attach_pdf(queryset: QuerySet, pk: int, *, actor, pdf: bytes) -> StoredFile | None:
    """Store `pdf` under its record's .docx name (`<name>.pdf`) and attach it to the record
    (its `pdf` field), holding the record's row lock, with an audit event, in the caller's
    transaction. None, and nothing changed, when the record has its PDF already (another
    run attached it first)."""
    with transaction.atomic():
        record = queryset.select_for_update(of=("self",)).select_related("docx").get(pk=pk)
        if record.pdf_id is not None:
            return None
        stem = record.docx.name.removesuffix(".docx") if record.docx_id else str(record.pk)
        stored = store_upload(SimpleUploadedFile(f"{stem}.pdf", pdf), user=actor, allowed={".pdf"})
        record.pdf = stored
        record.save(update_fields=["pdf"])
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            instance=record,
            before={"pdf": None},
            after={"pdf": stored.name, "pdf_sha256": stored.sha256},
            message="PDF attached",
        )
    return stored
