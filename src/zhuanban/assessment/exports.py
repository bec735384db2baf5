"""Assessment score sheets as .xlsx files, laid out to print:

- the scheme's score sheet (考核得分汇总表): one row per unit assessed the user may see,
  ranked, with the final score of each top-level item, the self-assessed and final
  totals, the grade and the items still awaiting a score; and a second sheet (评分明细)
  with one row per unit and leaf item: computed, self-assessed and reviewed scores with
  their reasons, the difference, the final score and the number of evidence files;
- one unit's scorecard (评分表): the same detail for that unit, every item of the tree in
  order (headings with their subtotals), its totals, grade and rank at the top.

Written with `core.ledger.LedgerSheet` (core.excel's looks: text is never a formula,
print titles, frozen header, A3 landscape), scores as real numbers with two decimals.
The queries do not grow with units or items: the detail rows stream in chunks.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator
from copy import copy
from dataclasses import dataclass
from decimal import Decimal
from itertools import islice
from typing import BinaryIO

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from openpyxl.styles import Font, PatternFill

from zhuanban.assessment.models import ZERO, Evidence, Grade, Item, Participant, Scheme, Score
from zhuanban.assessment.scoping import visible_participants
from zhuanban.assessment.scoring import full_marks
from zhuanban.assessment.selectors import CardLine, ranking, scorecard
from zhuanban.core import excel
from zhuanban.core.excel import Column
from zhuanban.core.ledger import LedgerSheet, as_of_text, new_workbook, subtitle_text
from zhuanban.tasks.numbering import chinese_level

SCORE_FORMAT = "0.00"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
CHUNK_SIZE = 2000


class ScoreSheet(LedgerSheet):
    """A ledger sheet with scores: `score` (two decimals), `score_total` (the same in
    bold on the group fill) and `datetime` (date and minute), besides LedgerSheet's."""

    def __init__(self, wb, **kwargs):
        super().__init__(wb, **kwargs)
        for look, source, number_format in (
            ("score", "center", SCORE_FORMAT),
            ("score_total", "center", SCORE_FORMAT),
            ("datetime", "center", DATETIME_FORMAT),
        ):
            prototype = self.cells.make(source)
            prototype.number_format = number_format
            if look == "score_total":
                prototype.font = Font(
                    name=excel.BODY_FONT, size=11, bold=True, charset=excel.GB2312_CHARSET
                )
                prototype.fill = PatternFill("solid", fgColor=excel.GROUP_FILL)
            self._typed[look] = copy(prototype._style)


# --- shared helpers ---------------------------------------------------------------------------


def full_number(item: Item) -> str:
    """The item's number with its ancestors' (一、(一)1.), from its tree path: no query."""
    positions = [int(part) for part in item.sort_path.split(".") if part]
    return "".join(chinese_level(depth, n) for depth, n in enumerate(positions))


def points_text(value: Decimal | None) -> str:
    """30 → "30", 2.50 → "2.5" (for labels; cells hold the number itself)."""
    if value is None:
        return ""
    return format(value.normalize(), "f")


def grade_label(grade: str) -> str:
    return str(Grade(grade).label) if grade else ""


def top_label(item: Item) -> str:
    """一、重点任务落实（30分）, with the weight when the item carries one."""
    values = {
        "number": item.number,
        "title": item.title.strip(),
        "points": points_text(item.max_score),
    }
    if item.weight is not None:
        return _("%(number)s%(title)s (%(points)s points, weight %(weight)s%%)") % {
            **values,
            "weight": points_text(item.weight),
        }
    return _("%(number)s%(title)s (%(points)s points)") % values


def _count(queryset: QuerySet, by: str) -> Coalesce:
    """A correlated COUNT on the column that refers to the outer row."""
    return Coalesce(
        Subquery(
            queryset.order_by().values(by).annotate(n=Count("pk")).values("n")[:1],
            output_field=IntegerField(),
        ),
        0,
    )


def evidence_count() -> Coalesce:
    """For a Score queryset: the files filed for its unit and item."""
    pieces = Evidence.objects.filter(
        participant_id=OuterRef("participant_id"), item_id=OuterRef("item_id")
    )
    return _count(pieces, "item_id")


def _detail_columns(*, with_unit: bool) -> list[Column]:
    unit = [Column(_("Unit"), 14)] if with_unit else []
    return [
        *unit,
        Column(_("No."), 10),
        Column(pgettext("assessment export", "Assessment content"), 30),
        Column(pgettext("assessment export", "Points"), 7),
        Column(pgettext("assessment export", "Computed score"), 8),
        Column(pgettext("assessment export", "Self-assessed score"), 8),
        Column(pgettext("assessment export", "Self-assessment notes"), 26),
        Column(pgettext("assessment export", "Review score"), 8),
        Column(pgettext("assessment export", "Review reason"), 26),
        Column(pgettext("assessment export", "Difference"), 7),
        Column(pgettext("assessment export", "Final score"), 8),
        Column(pgettext("assessment export", "Evidence files"), 8),
    ]


def _score_values(item: Item, score: Score | None, files: int) -> list[tuple[str, object]]:
    """序号 … 佐证材料数 of one leaf item (the unit's column, if any, comes before)."""
    return [
        ("center", full_number(item)),
        ("text", item.title),
        ("score", item.max_score),
        ("score", score.auto_score if score else None),
        ("score", score.self_score if score else None),
        ("text", score.self_reason if score else ""),
        ("score", score.review_score if score else None),
        ("text", score.review_reason if score else ""),
        ("score", score.difference if score else None),
        ("score", score.final if score else None),
        ("number", files),
    ]


def units_text(count: int, shown: int | None = None) -> str:
    """2 units assessed; or, when the user sees only some of them, 1 of 2 units assessed."""
    if shown is not None and shown != count:
        return ngettext(
            "%(shown)d of %(count)d unit assessed", "%(shown)d of %(count)d units assessed", count
        ) % {"shown": shown, "count": count}
    return ngettext("%(count)d unit assessed", "%(count)d units assessed", count) % {"count": count}


def full_marks_text(value: Decimal) -> str:
    return _("Full marks: %(points)s") % {"points": points_text(value)}


# --- the scheme's score sheet -----------------------------------------------------------------


@dataclass
class SchemeSheet:
    """What the scheme's score sheet shows to one user, read in a fixed number of queries
    (the detail rows are streamed when written)."""

    scheme: Scheme
    items: list[Item]
    ranked: list[Participant]  # with .rank, best first
    unit_count: int  # units assessed under the scheme, seen or not
    top_scores: dict[tuple[int, int], Decimal | None]  # (participant, top item) → final
    participants: QuerySet[Participant]

    @property
    def tops(self) -> list[Item]:
        return [item for item in self.items if item.parent_id is None]

    def detail_count(self) -> int:
        """How many rows `detail_rows` streams (one query): what makes the sheet large."""
        return Score.objects.filter(participant__in=self.participants).count()

    def detail_rows(self, chunk_size: int = CHUNK_SIZE) -> Iterator[Score]:
        """Every (unit, leaf item) score of the visible units, in the units' and the
        scheme's order, each with its evidence count: one query per chunk."""
        rows = (
            Score.objects.filter(participant__in=self.participants)
            .select_related("participant__unit", "item")
            .annotate(files=evidence_count())
            .order_by("participant__unit__sort_order", "participant__unit__code", "item__sort_path")
            .iterator(chunk_size=chunk_size)
        )
        while chunk := list(islice(rows, chunk_size)):
            yield from chunk


def scheme_sheet(user, scheme: Scheme) -> SchemeSheet:
    """The score sheet of `scheme` as `user` may see it (visible_participants): the
    bureau and the organising office see every unit, a county only its own (ranked
    among all units)."""
    participants = visible_participants(user, scheme)
    ranked = ranking(scheme, participants)
    items = list(scheme.items.order_by("sort_path"))
    tops = {item.pk: item for item in items if item.parent_id is None}
    sums = (
        Score.objects.filter(participant__in=participants)
        .values("participant_id", "item__root_id")
        .annotate(
            final=Sum(Coalesce("review_score", "auto_score")),
            scored=Count("pk", filter=Q(review_score__isnull=False) | Q(auto_score__isnull=False)),
        )
        .order_by()
    )
    top_scores: dict[tuple[int, int], Decimal | None] = {}
    for row in sums:
        top = tops.get(row["item__root_id"])
        if top is None:
            continue
        final = min(row["final"], top.max_score) if row["scored"] else None
        top_scores[(row["participant_id"], top.pk)] = final
    return SchemeSheet(
        scheme=scheme,
        items=items,
        ranked=ranked,
        unit_count=scheme.participants.count(),
        top_scores=top_scores,
        participants=participants,
    )


def scores_title(scheme: Scheme) -> str:
    return _("%(scheme)s: score summary") % {"scheme": scheme.title}


def write_scores_xlsx(
    data: SchemeSheet,
    out: BinaryIO,
    *,
    today: datetime.date,
    rows: Iterable[Score] | None = None,
) -> None:
    """Write the score summary and the scores by item of `data` to `out`; `rows` are
    `data.detail_rows()` as a job counts them."""
    scheme = data.scheme
    title = scores_title(scheme)
    wb = new_workbook(title)
    tops = data.tops
    columns = [
        Column(pgettext("assessment export", "Rank"), 6),
        Column(_("Unit"), 16),
        *(Column(top_label(top), 14) for top in tops),
        Column(pgettext("assessment export", "Self-assessed total"), 10),
        Column(pgettext("assessment export", "Final score"), 10),
        Column(pgettext("assessment export", "Grade"), 8),
        Column(pgettext("assessment export", "Items awaiting a score"), 9),
    ]
    subtitle = subtitle_text(
        as_of_text(today),
        str(scheme.get_status_display()),
        units_text(data.unit_count, len(data.ranked)),
        full_marks_text(full_marks(data.items)),
    )
    summary = ScoreSheet(wb, name=pgettext("sheet name", "Score summary"), columns=columns)
    summary.head(title, subtitle)
    for participant in data.ranked:
        has_total = participant.total is not None
        summary.append(
            [
                ("number", participant.rank if has_total else None),
                ("center", participant.unit.name),
                *(("score", data.top_scores.get((participant.pk, top.pk))) for top in tops),
                ("score", participant.self_total),
                ("score", participant.total),
                ("center", grade_label(participant.grade)),
                ("number", participant.unscored),
            ]
        )
    summary.finish()

    detail = ScoreSheet(
        wb, name=pgettext("sheet name", "Scores by item"), columns=_detail_columns(with_unit=True)
    )
    detail.head(_("%(scheme)s: scores by item") % {"scheme": scheme.title}, subtitle)
    for score in data.detail_rows() if rows is None else rows:
        detail.append(
            [
                ("center", score.participant.unit.name),
                *_score_values(score.item, score, score.files),
            ]
        )
    detail.finish()
    wb.save(out)


# --- one unit's scorecard ---------------------------------------------------------------------


@dataclass
class UnitSheet:
    participant: Participant
    lines: list[CardLine]
    rank: int | None
    units: int


def unit_sheet(participant: Participant) -> UnitSheet:
    """The unit's scorecard (selectors.scorecard) and its rank among all units of the
    scheme: a fixed number of queries."""
    units = participant.scheme.participants
    rank = None
    if participant.total is None:
        count = units.count()
    else:
        counts = units.aggregate(
            count=Count("pk"), higher=Count("pk", filter=Q(total__gt=participant.total))
        )
        count, rank = counts["count"], counts["higher"] + 1
    return UnitSheet(participant=participant, lines=scorecard(participant), rank=rank, units=count)


def unit_title(participant: Participant) -> str:
    return _("%(unit)s %(scheme)s: scorecard") % {
        "unit": participant.unit.name,
        "scheme": participant.scheme.title,
    }


def unit_summary(data: UnitSheet) -> str:
    """自评总分、最终得分、等次、排名、待评分项: the line under the title."""
    participant = data.participant

    def pair(label: str, value: str) -> str:
        return _("%(label)s: %(value)s") % {"label": label, "value": value or "—"}

    rank = ""
    if data.rank is not None:
        rank = _("%(rank)d of %(count)d") % {"rank": data.rank, "count": data.units}
    return subtitle_text(
        pair(
            pgettext("assessment export", "Self-assessed total"),
            points_text(participant.self_total),
        ),
        pair(pgettext("assessment export", "Final score"), points_text(participant.total)),
        pair(pgettext("assessment export", "Grade"), grade_label(participant.grade)),
        pair(pgettext("assessment export", "Rank"), rank),
        pair(pgettext("assessment export", "Items awaiting a score"), str(participant.unscored)),
    )


def _subtotals(lines: list[CardLine]) -> dict[int, dict[str, Decimal | None]]:
    """For each heading, the sums of its leaves' computed, self-assessed and final
    scores (None where no leaf has one), capped at the heading's maximum."""
    headings = [line.item for line in lines if line.item.is_heading]
    found: dict[int, dict[str, list[Decimal]]] = defaultdict(lambda: defaultdict(list))
    for line in lines:
        if line.item.is_heading or line.score is None:
            continue
        for heading in headings:
            if line.item.sort_path.startswith(heading.sort_path):
                for key, value in (
                    ("auto", line.score.auto_score),
                    ("self", line.score.self_or_auto),
                    ("final", line.score.final),
                ):
                    if value is not None:
                        found[heading.pk][key].append(value)
    result = {}
    for heading in headings:
        sums = found.get(heading.pk, {})
        result[heading.pk] = {
            key: min(sum(sums[key], ZERO), heading.max_score) if sums.get(key) else None
            for key in ("auto", "self", "final")
        }
    return result


def write_unit_xlsx(data: UnitSheet, out: BinaryIO, *, today: datetime.date) -> None:
    """Write one unit's scorecard to `out`: every item in the scheme's order (headings
    in bold with their subtotals), then the totals."""
    participant = data.participant
    title = unit_title(participant)
    wb = new_workbook(title)
    sheet = ScoreSheet(wb, name=participant.unit.name, columns=_detail_columns(with_unit=False))
    sheet.head(title, subtitle_text(unit_summary(data), as_of_text(today)))
    subtotals = _subtotals(data.lines)
    files = 0
    for line in data.lines:
        item = line.item
        if item.is_heading:
            sums = subtotals[item.pk]
            sheet.append(
                [
                    ("total_label", full_number(item)),
                    ("total_label", item.title),
                    ("score_total", item.max_score),
                    ("score_total", sums["auto"]),
                    ("score_total", sums["self"]),
                    ("total_label", ""),
                    ("score_total", None),
                    ("total_label", ""),
                    ("score_total", None),
                    ("score_total", sums["final"]),
                    ("total", None),
                ]
            )
            continue
        files += len(line.evidence)
        sheet.append(_score_values(item, line.score, len(line.evidence)))
    weighted = any(line.item.weight is not None for line in data.lines)
    sheet.append(
        [
            ("total_label", _("Total (weighted)") if weighted else _("Total")),
            ("total_label", ""),
            ("score_total", full_marks([line.item for line in data.lines])),
            ("score_total", None),
            ("score_total", participant.self_total),
            ("total_label", ""),
            ("score_total", None),
            ("total_label", ""),
            ("score_total", None),
            ("score_total", participant.total),
            ("total", files),
        ]
    )
    sheet.finish(autofilter=False)
    wb.save(out)
