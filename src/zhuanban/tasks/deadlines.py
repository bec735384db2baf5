"""Reading a deadline the way Chinese task lists word it.

"2023年6月30日", "6月底前", "上半年", "三季度", "年内", "长期坚持", "每月10日前" … One table of
patterns (`RULES`), each with the rule that turns a match into a `Deadline`; the text is
normalised first (NFKC, so full-width digits and brackets read like half-width ones;
no spaces; "力争…" and a trailing "…完成" dropped).
"""

import calendar
import datetime
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from zhuanban.tasks.numbering import parse_chinese_numeral


class DeadlineError(ValueError):
    """The text is not a deadline we can read; the message says so in the user's language."""

    def __init__(self, message: str, code: str = "unparseable"):
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class Deadline:
    due_date: datetime.date | None
    is_ongoing: bool = False
    # Recurring deadlines (每月10日前, 每季度末): one (title, date) per period of the year.
    recurring: tuple[tuple[str, datetime.date], ...] = ()
    explanation: str = ""


def _show(day: datetime.date) -> str:
    return date_format(day, "DATE_FORMAT")


def _month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def _on_day(year: int, month: int, day: int | None) -> datetime.date:
    """That day of the month, or the month's last day when it has fewer days (or none given)."""
    last = calendar.monthrange(year, month)[1]
    return datetime.date(year, month, min(day, last) if day else last)


def _number(text: str | None) -> int | None:
    if not text:
        return None
    return int(text) if text.isdigit() else parse_chinese_numeral(text)


def _year(match: re.Match, default: int) -> int:
    return int(match["year"]) if match.groupdict().get("year") else default


def _month(match: re.Match) -> int:
    month = _number(match["month"])
    if month is None or not 1 <= month <= 12:
        raise DeadlineError(_("There is no month %(month)s.") % {"month": match["month"]})
    return month


def _date(year: int, month: int, day: int) -> datetime.date:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise DeadlineError(
            _("There is no such day: %(year)s-%(month)s-%(day)s.")
            % {"year": year, "month": month, "day": day},
            code="no_such_day",
        ) from None


# --- what each pattern means -------------------------------------------------------------


def _exact(match: re.Match, year: int) -> Deadline:
    due = _date(_year(match, year), _month(match), int(match["day"]))
    return Deadline(due, explanation=_("Understood as %(date)s.") % {"date": _show(due)})


# Parts of a month: 上旬 ends on the 10th, 中旬 on the 20th, 月中 on the 15th; 底/末/下旬/份
# or the month alone mean its last day.
_MONTH_PART_DAY = {"上旬": 10, "中旬": 20, "中": 15}


def _month_part(match: re.Match, year: int) -> Deadline:
    year, month = _year(match, year), _month(match)
    part = match.groupdict().get("part") or ""
    if part in _MONTH_PART_DAY:
        due = _date(year, month, _MONTH_PART_DAY[part])
        return Deadline(due, explanation=_("Understood as %(date)s.") % {"date": _show(due)})
    due = _month_end(year, month)
    return Deadline(
        due, explanation=_("Understood as the end of the month: %(date)s.") % {"date": _show(due)}
    )


def _year_end(match: re.Match, year: int) -> Deadline:
    due = datetime.date(_year(match, year), 12, 31)
    return Deadline(
        due, explanation=_("Understood as the end of the year: %(date)s.") % {"date": _show(due)}
    )


def _half_year(match: re.Match, year: int) -> Deadline:
    first = match["half"] == "上"
    due = datetime.date(_year(match, year), 6 if first else 12, 30 if first else 31)
    message = (
        _("Understood as the end of the first half of the year: %(date)s.")
        if first
        else _("Understood as the end of the second half of the year: %(date)s.")
    )
    return Deadline(due, explanation=message % {"date": _show(due)})


def _quarter(match: re.Match, year: int) -> Deadline:
    quarter = _number(match["quarter"])
    due = _month_end(_year(match, year), quarter * 3)
    return Deadline(
        due,
        explanation=_("Understood as the end of quarter %(quarter)s: %(date)s.")
        % {"quarter": quarter, "date": _show(due)},
    )


def _ongoing(match: re.Match, year: int) -> Deadline:
    return Deadline(
        None,
        is_ongoing=True,
        explanation=_("Understood as ongoing work without a fixed deadline."),
    )


def _recurring(milestones: list[tuple[str, datetime.date]], message: str) -> Deadline:
    first, last = milestones[0][1], milestones[-1][1]
    return Deadline(
        last,
        recurring=tuple(milestones),
        explanation=message
        % {"count": len(milestones), "first": _show(first), "last": _show(last)},
    )


def _monthly(match: re.Match, year: int) -> Deadline:
    day = _number(match.groupdict().get("day"))
    if day is not None and not 1 <= day <= 31:
        raise DeadlineError(_("There is no day %(day)s in a month.") % {"day": day})
    milestones = [
        (_("Month %(month)s") % {"month": month}, _on_day(year, month, day))
        for month in range(1, 13)
    ]
    return _recurring(
        milestones,
        _(
            "Understood as a monthly deadline: %(count)s milestones from %(first)s to "
            "%(last)s; the task is due on the last one."
        ),
    )


def _quarterly(match: re.Match, year: int) -> Deadline:
    day = _number(match.groupdict().get("day"))
    if day is not None and not 1 <= day <= 31:
        raise DeadlineError(_("There is no day %(day)s in a month.") % {"day": day})
    milestones = [
        (_("Quarter %(quarter)s") % {"quarter": quarter}, _on_day(year, quarter * 3, day))
        for quarter in range(1, 5)
    ]
    return _recurring(
        milestones,
        _(
            "Understood as a quarterly deadline: %(count)s milestones from %(first)s to "
            "%(last)s; the task is due on the last one."
        ),
    )


def _half_yearly(match: re.Match, year: int) -> Deadline:
    milestones = [
        (_("First half of the year"), datetime.date(year, 6, 30)),
        (_("Second half of the year"), datetime.date(year, 12, 31)),
    ]
    return _recurring(
        milestones,
        _(
            "Understood as a half-yearly deadline: %(count)s milestones from %(first)s to "
            "%(last)s; the task is due on the last one."
        ),
    )


# --- the table -------------------------------------------------------------------------

_YEAR = r"(?:(?P<year>(?:19|20)\d{2})年)?"
_MONTH = r"(?P<month>1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])"
_DAY = r"(?P<day>\d{1,2})"
_BEFORE = r"(?:之前|以前|前)?"
_WITHIN = r"(?:之内|以内|内)?"
_SEP = r"[-/.]"

_RULE_PATTERNS: list[tuple[str, Callable[[re.Match, int], Deadline]]] = [
    (rf"^(?P<year>\d{{4}})(?:年|{_SEP}){_MONTH}(?:月|{_SEP}){_DAY}[日号]?{_BEFORE}$", _exact),
    (r"^(?P<year>(?:19|20)\d{2})(?P<month>[01]\d)(?P<day>[0-3]\d)$", _exact),
    (rf"^{_YEAR}{_MONTH}月{_DAY}[日号]{_BEFORE}$", _exact),
    (
        rf"^{_YEAR}{_MONTH}月(?P<part>底|末|份|上旬|中旬|下旬|中)?{_WITHIN}{_BEFORE}$",
        _month_part,
    ),
    (rf"^(?P<year>\d{{4}}){_SEP}{_MONTH}(?P<part>底|末)?{_BEFORE}$", _month_part),
    (
        rf"^(?:(?P<year>\d{{4}})|今|本|当)?(?:年度?|全年)年?(?:底|末|终)?{_WITHIN}{_BEFORE}$",
        _year_end,
    ),
    (rf"^{_YEAR}(?P<half>上|下)半年(?:底|末)?{_WITHIN}{_BEFORE}$", _half_year),
    (rf"^{_YEAR}第?(?P<quarter>[一二三四1-4])季度?(?:末|底)?{_WITHIN}{_BEFORE}$", _quarter),
    (r"^(?:长期|持续|常态化|常年|长效)(?:坚持|推进|开展|实施|落实|进行|抓好)?$", _ongoing),
    (rf"^每个?月(?:{_DAY}[日号]|底|末)?{_BEFORE}$", _monthly),
    (rf"^每个?季度?(?:末|底)?(?:月?{_DAY}[日号])?{_BEFORE}$", _quarterly),
    (r"^每半年(?:末|底)?$", _half_yearly),
]
RULES = [(re.compile(pattern), rule) for pattern, rule in _RULE_PATTERNS]

# Words around the deadline that do not change it: 力争6月底前完成 reads as 6月底前.
_LEADING = re.compile(r"^(?:力争|确保|计划|预计|争取|要求|截至|截止|于|在)+")
_TRAILING = re.compile(
    r"(?:完成|完工|建成|落实|到位|实现|办结|竣工|结束|投产|见效|启动|开工|上报|报送)+$"
)
_SPACES = re.compile(r"\s+")
_END_PUNCTUATION = re.compile(r"[。;,:!]+$")


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = _SPACES.sub("", text)
    text = _END_PUNCTUATION.sub("", text)
    text = _LEADING.sub("", text)
    return _TRAILING.sub("", text)


def parse_deadline(text: str, year: int) -> Deadline:
    """The deadline `text` means in a task list of `year`; DeadlineError if unreadable."""
    cleaned = normalise(text or "")
    if not cleaned:
        raise DeadlineError(_("The deadline is empty."), code="empty")
    for pattern, rule in RULES:
        match = pattern.match(cleaned)
        if match:
            return rule(match, year)
    raise DeadlineError(
        _(
            "Cannot read the deadline “%(text)s”. Write a date such as 2023年6月30日, "
            "a period such as 6月底前, 上半年, 三季度 or 年底前, 每月10日前, or 长期坚持."
        )
        % {"text": text.strip()}
    )


def deadline_from_date(day: datetime.date) -> Deadline:
    """A deadline given as a date (an Excel date cell)."""
    return Deadline(day, explanation=_("Understood as %(date)s.") % {"date": _show(day)})
