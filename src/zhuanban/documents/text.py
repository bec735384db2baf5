"""The text of a .docx draft, and a readable comparison of two drafts.

Text comes out paragraph by paragraph in body order, tables row by row (cells joined
by " | "), so that two versions compare by paragraph. The comparison pairs changed
paragraphs and marks what changed inside them, character by character, as Chinese has
no spaces between words to diff on.
"""

import difflib
import io
from dataclasses import dataclass, field

import docx
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
PARAGRAPH = f"{{{W_NS}}}p"
TABLE = f"{{{W_NS}}}tbl"
CONTROL = f"{{{W_NS}}}sdt"
CONTEXT = 2  # unchanged paragraphs shown around a change


def _paragraph_text(element) -> str:
    return "".join(node.text or "" for node in element.iter(f"{{{W_NS}}}t")).strip()


def _table_lines(element) -> list[str]:
    """One line per row of the table (not of tables nested in its cells, whose text
    stays in their cell), cells joined by " | ", a cell's paragraphs by a space."""
    lines = []
    for row in element.findall(f"{{{W_NS}}}tr"):
        cells = [
            " ".join(filter(None, (_paragraph_text(p) for p in cell.iter(PARAGRAPH))))
            for cell in row.findall(f"{{{W_NS}}}tc")
        ]
        if any(cells):
            lines.append(" | ".join(cells))
    return lines


def _blocks(parent):
    """The body's paragraphs and tables in order, looking inside content controls
    (w:sdt: cover pages, tables of contents, template fields)."""
    for element in parent.iterchildren():
        if element.tag == CONTROL:
            content = element.find(f"{{{W_NS}}}sdtContent")
            if content is not None:
                yield from _blocks(content)
        else:
            yield element


def extract_text(data: bytes) -> str:
    """The text of a .docx (already checked by core.files), one paragraph per line."""
    try:
        body = docx.Document(io.BytesIO(data)).element.body
    except Exception as error:  # python-docx raises many kinds on a broken package
        raise ValidationError(
            _("The text of this document cannot be read: the file is damaged."),
            code="unreadable",
        ) from error
    lines: list[str] = []
    for element in _blocks(body):
        if element.tag == PARAGRAPH:
            text = _paragraph_text(element)
            if text:
                lines.append(text)
        elif element.tag == TABLE:
            lines.extend(_table_lines(element))
    return "\n".join(lines)


def paragraphs(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


@dataclass(frozen=True)
class Segment:
    text: str
    changed: bool


@dataclass(frozen=True)
class Row:
    """One line of the comparison: `kind` is equal, insert, delete, replace or skip (a
    run of `skipped` unchanged paragraphs left out)."""

    kind: str
    old: tuple[Segment, ...] = ()
    new: tuple[Segment, ...] = ()
    old_number: int | None = None
    new_number: int | None = None
    skipped: int = 0


@dataclass
class Comparison:
    rows: list[Row] = field(default_factory=list)
    added: int = 0
    removed: int = 0
    changed: int = 0

    @property
    def identical(self) -> bool:
        return not (self.added or self.removed or self.changed)


def _inline(old: str, new: str) -> tuple[tuple[Segment, ...], tuple[Segment, ...]]:
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    old_parts: list[Segment] = []
    new_parts: list[Segment] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if i2 > i1:
            old_parts.append(Segment(old[i1:i2], tag != "equal"))
        if j2 > j1:
            new_parts.append(Segment(new[j1:j2], tag != "equal"))
    return tuple(old_parts), tuple(new_parts)


def _whole(text: str, changed: bool = True) -> tuple[Segment, ...]:
    return (Segment(text, changed),)


def _similar(old: str, new: str) -> bool:
    return difflib.SequenceMatcher(None, old, new, autojunk=False).ratio() >= 0.5


def compare(old_text: str, new_text: str, *, context: int = CONTEXT) -> Comparison:
    """Compare two texts by paragraph; unchanged runs longer than 2 × `context` are
    folded into one "skip" row."""
    old, new = paragraphs(old_text), paragraphs(new_text)
    result = Comparison()
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    opcodes = matcher.get_opcodes()
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            span = i2 - i1
            head = context if index > 0 else 0
            tail = context if index < len(opcodes) - 1 else 0
            folded = span > head + tail
            shown = [*range(head), None, *range(span - tail, span)] if folded else range(span)
            for k in shown:
                if k is None:
                    result.rows.append(Row("skip", skipped=span - head - tail))
                else:
                    i, j = i1 + k, j1 + k
                    result.rows.append(
                        Row("equal", _whole(old[i], False), _whole(new[j], False), i + 1, j + 1)
                    )
            continue
        olds, news = list(range(i1, i2)), list(range(j1, j2))
        # Pair paragraphs that were edited (similar enough) in order; the rest were
        # deleted or inserted outright.
        while olds or news:
            if olds and news and _similar(old[olds[0]], new[news[0]]):
                i, j = olds.pop(0), news.pop(0)
                old_parts, new_parts = _inline(old[i], new[j])
                result.rows.append(Row("replace", old_parts, new_parts, i + 1, j + 1))
                result.changed += 1
            elif olds and (not news or len(olds) >= len(news)):
                i = olds.pop(0)
                result.rows.append(Row("delete", old=_whole(old[i]), old_number=i + 1))
                result.removed += 1
            else:
                j = news.pop(0)
                result.rows.append(Row("insert", new=_whole(new[j]), new_number=j + 1))
                result.added += 1
    return result
