"""The notice as an official document (GB/T 9704): a .docx built by `core.word`, and its PDF;
a visit's written research report (调研报告) as a .docx laid out the same way, without 版头.

The document is always in Chinese, whatever language the person issuing it reads the
site in: an official document has one text. Its fixed wording comes from the catalogue
(msgctxt "notice document", "report document") read in zh-hans.
"""

import re

from django.conf import settings
from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone, translation
from django.utils.translation import pgettext

from zhuanban.core import word
from zhuanban.supervision.models import (
    Notice,
    NoticeKind,
    NoticeReason,
    NoticeRecipient,
    Visit,
)

DOCUMENT_LANGUAGE = "zh-hans"


def _load(notice: Notice) -> None:
    """Everything the document prints, in a fixed number of queries whatever its length;
    what the caller already fetched (select_related, prefetch_related) is not fetched again."""
    prefetch_related_objects(
        [notice],
        "authority",
        "office",
        Prefetch("reasons", queryset=NoticeReason.objects.select_related("unit")),
        "requirements",
        Prefetch("recipients", queryset=NoticeRecipient.objects.select_related("unit")),
    )


def _reasons_by_unit(notice: Notice) -> list[tuple[str, list[str]]]:
    """The reasons grouped by unit: the units concerned in their order first, then any
    other unit a reason names, in the order of its first reason."""
    groups: dict[int, tuple[str, list[str]]] = {
        recipient.unit_id: (recipient.unit.name, []) for recipient in notice.recipients.all()
    }
    for reason in sorted(notice.reasons.all(), key=lambda reason: (reason.position, reason.pk)):
        groups.setdefault(reason.unit_id, (reason.unit.name, []))[1].append(reason.text)
    return [(name, texts) for name, texts in groups.values() if texts]


def notice_docx(notice: Notice) -> bytes:
    """The notice as .docx: 版头 with its number, the title, the addressees, the opening,
    一、the reasons by unit, 二、the requirements and the reply deadline, the closing, the
    signature and the 版记. A draft prints without a number, dated today."""
    _load(notice)
    with translation.override(DOCUMENT_LANGUAGE):
        return _build(notice)


def _build(notice: Notice) -> bytes:
    supervision = notice.kind != NoticeKind.COMMENDATION
    dated = notice.issue_date or timezone.localdate()
    document = word.OfficialDocument(
        header=notice.authority.header,
        number=notice.number,
        title=notice.title,
        addressees=notice.addressees,
    )
    document.paragraph(notice.opening)

    groups = _reasons_by_unit(notice)
    if groups:
        document.heading(
            pgettext("notice document", "Problems found")
            if supervision
            else pgettext("notice document", "Background")
        )
        for unit_name, texts in groups:
            document.heading(unit_name, 2)
            for text in texts:
                document.paragraph(text)

    requirements = sorted(notice.requirements.all(), key=lambda item: (item.position, item.pk))
    if requirements or notice.reply_deadline:
        document.heading(
            pgettext("notice document", "Rectification requirements")
            if supervision
            else pgettext("notice document", "Expectations")
        )
        for requirement in requirements:
            document.heading(requirement.text, 3)
        if notice.reply_deadline:
            values = {
                "date": word.chinese_date(notice.reply_deadline),
                "office": notice.office.name,
            }
            document.paragraph(
                pgettext(
                    "notice document",
                    "Please report the rectification in writing to %(office)s by %(date)s.",
                )
                % values
                if supervision
                else pgettext(
                    "notice document", "Please report in writing to %(office)s by %(date)s."
                )
                % values
            )

    if notice.closing:
        document.paragraph(notice.closing)
    document.signature(notice.authority.name, dated)
    document.distribution(cc=notice.copied_to, printed_by=notice.authority.name, printed_on=dated)
    return document.to_bytes()


def notice_pdf(docx: bytes) -> bytes | None:
    """The .docx as PDF where LibreOffice is installed and settings.NOTICE_PDF is on, else
    None: the notice is then issued with its .docx only (see core.word.to_pdf)."""
    if not settings.NOTICE_PDF:
        return None
    return word.to_pdf(docx)


# --- the research report of a visit ------------------------------------------------------------

# Headings as people type them: 一、 and （一） (half-width brackets too).
_LEVEL_1 = re.compile(r"^[一二三四五六七八九十]{1,3}、")
_LEVEL_2 = re.compile(r"^[（(][一二三四五六七八九十]{1,3}[）)]")
# A first line that is the report's own title: 关于……的调研报告.
_OWN_TITLE = re.compile(r"^关于.+报告$")
OWN_TITLE_MAX = 60
# A topic longer than this (in characters) makes an unwieldy title: the place is used.
TOPIC_MAX = 20
_TOPIC_END = "。；;，,、：:.!！?？ "


def report_title(visit: Visit) -> str:
    """关于{the first line of the topics checked, if short; else the place}的调研报告."""
    topics = word.text_lines(visit.topics)
    topic = topics[0].rstrip(_TOPIC_END) if topics else ""
    topic = topic.removeprefix("关于")
    subject = topic if topic and word.text_width(topic) <= TOPIC_MAX else word.one_line(visit.place)
    with translation.override(DOCUMENT_LANGUAGE):
        return pgettext("report document", "Research report on %(subject)s") % {"subject": subject}


def report_parts(visit: Visit) -> tuple[str, list[str]]:
    """The title and the lines of the body: a first line that is the report's own title
    (关于……的调研报告, as people write it at the top) is the title, not a paragraph."""
    lines = word.text_lines(visit.report_text)
    if lines and len(lines[0]) <= OWN_TITLE_MAX and _OWN_TITLE.match(lines[0]):
        return lines[0], lines[1:]
    return report_title(visit), lines


def _split_heading(line: str) -> tuple[str, str]:
    """一、基本情况。全县…… → ("一、基本情况。", "全县……"): the heading runs to the end of its
    first sentence; a line of one sentence is all heading."""
    end = line.find("。")
    if end == -1 or end == len(line) - 1:
        return line, ""
    return line[: end + 1], line[end + 1 :]


def visit_report_docx(visit: Visit) -> bytes:
    """The written research report as .docx: no 版头 (a report is not a 文件), the title in
    小标宋 二号, the organising office and the visit's date under it in 楷体, then each line
    of the text a paragraph; lines numbered 一、 and （一） are headings in 黑体 and 楷体
    (running into the text that follows them on the line). Page numbers as in a notice."""
    title, lines = report_parts(visit)
    document = word.OfficialDocument(title=title)
    document.byline(visit.office.name, word.chinese_date(visit.date))
    for line in lines:
        level = 1 if _LEVEL_1.match(line) else 2 if _LEVEL_2.match(line) else 0
        if level:
            heading, rest = _split_heading(line)
            document.heading(heading, level, numbered=False, run_in=rest)
        else:
            document.paragraph(line)
    return document.to_bytes()
