"""How the bureau's officials write figures: shares of a target ("完成年度任务的三分之二以上"),
pace against the time elapsed ("超时序进度5.2个百分点"), quantities ("7.8万头"), counts
("76项已完成25项") and ranks ("居全市第3位").

These words are NOT msgids. They are rules of the document language (the Chinese of a
bulletin or a work summary), like the numbering 一、（一）: a summary is Chinese whatever
language its reader's screen is in, and an English rendering of "三分之二以上" would be a
translation of the document, not of the user interface. So they live here, in one table
(`WORDS`), and nowhere else. The sentences around them are msgids (see summary.py and
drafts.py), rendered under `translation.override(DOCUMENT_LANGUAGE)`.

"以上" in official usage includes its boundary: exactly two thirds is 三分之二以上. "过半"
means more than half, so exactly half is "一半" in that style.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from zhuanban.supervision.documents import DOCUMENT_LANGUAGE

__all__ = [
    "DOCUMENT_LANGUAGE",
    "HALF_STYLES",
    "WORDS",
    "completed",
    "completion_clause",
    "count",
    "day_text",
    "done_of",
    "number",
    "pace_phrase",
    "quantity",
    "rank_phrase",
    "share_phrase",
]

# Every Chinese word this module writes (document language, not UI strings: see above).
WORDS = {
    "over": "超额完成",
    "all": "全部",
    "all_done": "全面完成",
    "nine_tenths": "九成以上",
    "eight_tenths": "八成以上",
    "three_quarters": "四分之三以上",
    "two_thirds": "三分之二以上",
    "half_or_more": "一半以上",
    "more_than_half": "过半",
    "exactly_half": "一半",
    "nearly_half": "近半",
    "one_third": "三分之一以上",
    "under_one_third": "不足三分之一",
    "share_of": "完成{task}的{share}",
    "ahead": "超时序进度{points}个百分点",
    "level": "与时序进度持平",
    "behind": "落后时序进度{points}个百分点",
    "completed": "已完成{n}{classifier}",
    "rank": "居{scope}第{rank}位",
    "city": "全市",
    "ten_thousand": "万",
    "hundred_million": "亿",
    "month_day": "{month}月{day}日",
    # Punctuation of the document: between clauses, between items of a clause, between a
    # figure and what it means ("7.8万头、完成…"), at the end of a sentence.
    "clause_sep": "；",
    "item_sep": "，",
    "pause": "、",
    "full_stop": "。",
    "year_month_day": "{year}年{month}月{day}日",
}

HALF_STYLES = (WORDS["half_or_more"], WORDS["more_than_half"])

# (lowest share, word), highest first; a share at or above the bound takes the word.
# Exact fractions: 2/3 is 三分之二以上, 0.6666 is not.
SHARE_TABLE: tuple[tuple[Fraction, str], ...] = (
    (Fraction(9, 10), "nine_tenths"),
    (Fraction(8, 10), "eight_tenths"),
    (Fraction(3, 4), "three_quarters"),
    (Fraction(2, 3), "two_thirds"),
    (Fraction(1, 2), "half"),  # the style decides the word
    (Fraction(45, 100), "nearly_half"),
    (Fraction(1, 3), "one_third"),
)
TEN_THOUSAND = Decimal(10_000)
HUNDRED_MILLION = Decimal(100_000_000)


def _fraction(value) -> Fraction:
    if isinstance(value, float):
        return Fraction(Decimal(str(value)))
    return Fraction(value)


def share_phrase(part, whole, *, style: str = WORDS["half_or_more"]) -> str | None:
    """The words for `part` of `whole`: 三分之二以上, 过半 … None when there is nothing to say
    (no whole, nothing done, a negative figure): a summary leaves such a clause out."""
    if style not in HALF_STYLES:
        raise ValueError(f"style must be one of {HALF_STYLES}")
    if part is None or not whole:
        return None
    ratio = _fraction(part) / _fraction(whole)
    if ratio <= 0:
        return None
    if ratio > 1:
        return WORDS["over"]
    if ratio == 1:
        return WORDS["all"]
    for bound, key in SHARE_TABLE:
        if ratio >= bound:
            if key != "half":
                return WORDS[key]
            if style == WORDS["more_than_half"] and ratio == bound:
                return WORDS["exactly_half"]
            return style
    return WORDS["under_one_third"]


def completion_clause(
    part, whole, *, task: str = "年度任务", style: str = WORDS["half_or_more"]
) -> str | None:
    """ "完成年度任务的三分之二以上"; "全面完成年度任务", "超额完成年度任务" at and over it."""
    share = share_phrase(part, whole, style=style)
    if share is None:
        return None
    if share == WORDS["over"]:
        return WORDS["over"] + task
    if share == WORDS["all"]:
        return WORDS["all_done"] + task
    return WORDS["share_of"].format(task=task, share=share)


def number(value, places: int = 2) -> str:
    """A figure without trailing zeros or exponent: 7.80 → "7.8", 0.75 → "0.75",
    100 → "100", 78000 → "78000"; rounded half up to `places` decimals."""
    value = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    value = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def quantity(value, unit: str = "", places: int = 2) -> str:
    """A quantity as officials write it: "7.8万头" from 7.80 万头 or from 78000 头;
    "2221亩"; "3.5亿元" from 35000 万元. A unit already in 万 or 亿 is kept."""
    value = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    if unit.startswith(WORDS["ten_thousand"]) and abs(value) >= TEN_THOUSAND:
        return number(value / TEN_THOUSAND, places) + WORDS["hundred_million"] + unit[1:]
    if unit.startswith((WORDS["ten_thousand"], WORDS["hundred_million"])) or unit in ("%", "％"):
        return number(value, places) + unit
    if abs(value) >= HUNDRED_MILLION:
        return number(value / HUNDRED_MILLION, places) + WORDS["hundred_million"] + unit
    if abs(value) >= TEN_THOUSAND:
        return number(value / TEN_THOUSAND, places) + WORDS["ten_thousand"] + unit
    return number(value, places) + unit


def count(n: int, classifier: str) -> str:
    """ "120次", "104个", "83家", "11份"."""
    return f"{n}{classifier}"


def completed(done: int, classifier: str = "项") -> str:
    """ "已完成25项"."""
    return WORDS["completed"].format(n=done, classifier=classifier)


def done_of(total: int, done: int, classifier: str = "项") -> str:
    """ "76项已完成25项"; "76项" while none is done (a summary never writes "已完成0项")."""
    if not done:
        return count(total, classifier)
    return count(total, classifier) + completed(done, classifier)


def pace_phrase(completion_pct, elapsed_pct) -> str:
    """Completion against the share of the year gone by, in points rounded to one decimal:
    "超时序进度5.2个百分点", "与时序进度持平", "落后时序进度3个百分点"."""
    points = (Decimal(str(completion_pct)) - Decimal(str(elapsed_pct))).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )
    if points > 0:
        return WORDS["ahead"].format(points=number(points, 1))
    if points < 0:
        return WORDS["behind"].format(points=number(-points, 1))
    return WORDS["level"]


def rank_phrase(rank: int, scope: str = WORDS["city"]) -> str:
    """ "居全市第3位"."""
    return WORDS["rank"].format(scope=scope, rank=rank)


def day_text(day: datetime.date, *, with_year: bool = False) -> str:
    """ "6月30日", or "2023年6月30日"."""
    key = "year_month_day" if with_year else "month_day"
    return WORDS[key].format(year=day.year, month=day.month, day=day.day)
