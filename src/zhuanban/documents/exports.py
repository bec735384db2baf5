"""The opinion adoption table (意见采纳情况表) of a document, or of one of its rounds: every
opinion received with who gave it, the clause, the text, whether it was adopted and why
(序号, 提出意见单位（人）, 条款, 意见内容, 采纳情况, 理由说明), under the title
"《文件名》征求意见采纳情况表" and a summary (共收到意见N条，采纳a条、部分采纳b条、未采纳c条;
无意见单位; 未反馈单位).

- as .xlsx: a `core.ledger.LedgerSheet` (print titles, frozen header, A3 landscape; text
  is never a formula), written row by row as the opinions stream in chunks;
- as .docx: a `core.word.OfficialDocument` (GB/T 9704) with the table, one per round when
  the table covers several. The document is in Chinese whatever language its reader uses:
  it goes with the draft to the meeting that deliberates it.

A fixed number of queries whatever the number of opinions: the rounds, the summary, the
parties answering "no opinion" or not at all, and the opinions (one query per chunk).
"""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from typing import BinaryIO

from django.db.models import Q, QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, override, pgettext
from openpyxl.utils import get_column_letter

from zhuanban.core import word
from zhuanban.core.excel import Column
from zhuanban.core.ledger import LedgerSheet, as_of_text, new_workbook, subtitle_text
from zhuanban.documents import selectors
from zhuanban.documents.models import (
    Disposition,
    Document,
    Opinion,
    OpinionRequest,
    OpinionRound,
)

DOCUMENT_LANGUAGE = "zh-hans"
CHUNK_SIZE = 2000
# The adoption cell on the colour of its outcome, as the round page shows it.
DISPOSITION_FILLS = {
    Disposition.PENDING.value: "EEF1F4",
    Disposition.ADOPTED.value: "C6EFCE",
    Disposition.PARTLY.value: "FFEB9C",
    Disposition.NOT_ADOPTED.value: "FFC7CE",
}
# Relative widths of the Word table's columns (序号 … 理由说明).
DOCX_WIDTHS = (1.1, 2.1, 1.5, 4.0, 1.8, 2.5)
DOCX_TABLE_SIZE = 12  # 小四: six columns across A4


@dataclass
class AdoptionTable:
    """What the table shows: read in a fixed number of queries, the opinions streamed."""

    document: Document
    rounds: list[OpinionRound]  # covered, in order
    one_round: bool  # asked for one round (not: the document has only one)
    summary: dict[str, int]
    no_opinion: list[OpinionRequest]
    unanswered: list[OpinionRequest]
    opinions: QuerySet[Opinion]

    def rows(self, chunk_size: int = CHUNK_SIZE) -> Iterator[Opinion]:
        """The opinions in the table's order, one query per chunk."""
        stream = self.opinions.iterator(chunk_size=chunk_size)
        while chunk := list(islice(stream, chunk_size)):
            yield from chunk


def adoption_table(document: Document, round: OpinionRound | None = None) -> AdoptionTable:
    """The adoption table of `document`: of every round, or of `round` alone."""
    if round is not None:
        rounds = [round]
        requests = OpinionRequest.objects.filter(round=round)
    else:
        rounds = list(document.rounds.select_related("draft").order_by("number"))
        requests = OpinionRequest.objects.filter(round__document=document)
    opinions = selectors.adoption_rows(document, round)
    parties = list(
        requests.filter(Q(no_opinion=True) | Q(answered_at__isnull=True))
        .select_related("unit", "person", "round")
        .order_by("round__number", "pk")
    )
    return AdoptionTable(
        document=document,
        rounds=rounds,
        one_round=round is not None,
        summary=selectors.adoption_summary(opinions),
        no_opinion=[party for party in parties if party.no_opinion],
        unanswered=[party for party in parties if not party.answered],
        opinions=opinions,
    )


# --- the wording, shared by both files ----------------------------------------------------------


def table_title(document: Document) -> str:
    return _("Adoption of the opinions on %(title)s") % {"title": document.title}


def _several(table: AdoptionTable) -> bool:
    return not table.one_round and len(table.rounds) > 1


def _names(table: AdoptionTable, parties: list[OpinionRequest]) -> str:
    """卓资县、化德县; when the table covers several rounds, each with its round."""
    if not parties:
        return pgettext("adoption table, nobody", "none")
    if _several(table):
        return "、".join(
            _("%(name)s (round %(number)s)")
            % {"name": party.consulted_name, "number": party.round.number}
            for party in parties
        )
    return "、".join(party.consulted_name for party in parties)


def summary_lines(table: AdoptionTable) -> list[str]:
    """共收到意见N条，采纳a条、部分采纳b条、未采纳c条 (and those not yet handled), then
    who answered "no opinion" and who did not answer."""
    counts = table.summary
    lines = [
        ngettext(
            "%(total)d opinion received: %(adopted)d adopted, %(partly)d partly adopted, "
            "%(not_adopted)d not adopted",
            "%(total)d opinions received: %(adopted)d adopted, %(partly)d partly adopted, "
            "%(not_adopted)d not adopted",
            counts["total"],
        )
        % counts
    ]
    if counts["pending"]:
        lines.append(_("%(pending)d not yet handled") % counts)
    lines.append(_("Answered “no opinion”: %(names)s") % {"names": _names(table, table.no_opinion)})
    lines.append(_("Not answered: %(names)s") % {"names": _names(table, table.unanswered)})
    return lines


def summary_text(table: AdoptionTable) -> str:
    return pgettext("list separator", "; ").join(summary_lines(table))


def round_label(round: OpinionRound) -> str:
    return _("Opinion round %(number)s (version %(version)s, answers due %(deadline)s)") % {
        "number": round.number,
        "version": round.draft.number,
        "deadline": date_format(round.deadline, "DATE_FORMAT"),
    }


def columns() -> list[Column]:
    return [
        Column(_("No."), 6),
        Column(pgettext("adoption table", "Proposed by"), 16),
        Column(pgettext("adoption table", "Clause"), 14),
        Column(pgettext("adoption table", "Opinion"), 50),
        Column(pgettext("adoption table", "Adoption"), 11),
        Column(pgettext("adoption table", "Reason given"), 36),
    ]


def _values(number: int, opinion: Opinion) -> list[str]:
    return [
        str(number),
        opinion.request.consulted_name,
        opinion.location,
        opinion.text,
        str(Disposition(opinion.disposition).label),
        opinion.reason,
    ]


# --- .xlsx --------------------------------------------------------------------------------------


def write_adoption_xlsx(table: AdoptionTable, out: BinaryIO, *, today: datetime.date) -> None:
    title = table_title(table.document)
    wb = new_workbook(title)
    cols = columns()
    sheet = LedgerSheet(
        wb,
        name=pgettext("adoption table", "Opinion adoption"),
        columns=cols,
        fills=DISPOSITION_FILLS,
    )
    scope = round_label(table.rounds[0]) if table.one_round else ""
    sheet.head(
        title,
        subtitle_text(table.document.office.name, scope, as_of_text(today))
        + "\n"
        + summary_text(table),
    )
    several = _several(table)
    rounds = {round.pk: round for round in table.rounds}  # with their drafts
    last_column = get_column_letter(len(cols))
    current_round = None
    for number, opinion in enumerate(table.rows(), start=1):
        if several and opinion.request.round_id != current_round:
            current_round = opinion.request.round_id
            label = round_label(rounds[current_round])
            sheet.append([("group", label)] + [("group", "")] * (len(cols) - 1))
            sheet.ws.merged_cells.add(f"A{sheet.row}:{last_column}{sheet.row}")
        sheet.append(
            [
                ("number", number),
                ("text", opinion.request.consulted_name),
                ("text", opinion.location),
                ("text", opinion.text),
                (opinion.disposition, str(Disposition(opinion.disposition).label)),
                ("text", opinion.reason),
            ]
        )
    sheet.finish(autofilter=not several)
    wb.save(out)


# --- .docx --------------------------------------------------------------------------------------


def adoption_docx(table: AdoptionTable, *, today: datetime.date) -> bytes:
    """The table as an official Word document, in Chinese."""
    with override(DOCUMENT_LANGUAGE):
        return _build_docx(table, today)


def _build_docx(table: AdoptionTable, today: datetime.date) -> bytes:
    document = word.OfficialDocument(title=table_title(table.document))
    document.byline(table.document.office.name, word.chinese_date(today))
    if table.one_round:
        document.paragraph(round_label(table.rounds[0]))
    document.paragraph(summary_text(table))
    header = [column.label for column in columns()]
    by_round: dict[int, list[list[str]]] = {}
    for number, opinion in enumerate(table.rows(), start=1):
        by_round.setdefault(opinion.request.round_id, []).append(_values(number, opinion))
    if _several(table):
        for round in table.rounds:
            document.heading(round_label(round), 1, numbered=False)
            _docx_table(document, header, by_round.get(round.pk, []))
    else:
        _docx_table(document, header, [row for rows in by_round.values() for row in rows])
    return document.to_bytes()


def _docx_table(document: word.OfficialDocument, header: list[str], rows: list[list[str]]):
    if not rows:
        document.paragraph(_("No opinion was received."))
        return
    document.table(header, rows, widths=DOCX_WIDTHS, size=DOCX_TABLE_SIZE)
