"""The Word documents of this app: a bulletin issue in the bulletin format, and a report
for superiors (汇报材料) filled from a template (see core.word for the layout rules).

Both are always in Chinese, whatever language the person making them reads the site in:
the fixed words of the bulletin format (第N期, 编辑, 签发, 印发) are the layout's own, as
抄送 is in every official document; the text is what the authors wrote or drafted.
"""

import datetime
import re
from collections.abc import Sequence

from django.utils import timezone

from zhuanban.core import word
from zhuanban.org.models import OrgUnit
from zhuanban.reports.models import Bulletin, ReportTemplate

# A distribution typed on one line: "报：市委办公室 送：… 发：…" is three lines of the 版记.
_DISTRIBUTION_BREAK = re.compile(r"\s*\n\s*|\s+(?=(?:报|送|发|抄送|抄报|报送|分送|印送)[：:])")


def distribution_lines(text: str) -> list[str]:
    """报：… / 送：… / 发：… one a line, as typed on one line or several."""
    return [
        line
        for line in (word.one_line(part) for part in _DISTRIBUTION_BREAK.split(text or ""))
        if line
    ]


def _heading(document: word.OfficialDocument, heading: str) -> None:
    """A level-1 heading in 黑体: numbered 一、 二、 unless it carries its own number."""
    if word.one_line(heading):
        document.heading(heading, 1, numbered=not word.has_own_number(heading))


def bulletin_docx(bulletin: Bulletin) -> bytes:
    """The issue as .docx in the bulletin format: the header block (the series' name in
    red, （第N期）, the issuing unit and the date on the red rule), the title, each section
    (its heading, its paragraphs) and the 版记 (distribution, 编辑 and 签发, 印发). A draft
    prints without a number, dated today."""
    series = bulletin.series
    issuer = series.issuer.name
    document = word.BulletinDocument(
        series=series.name,
        number=bulletin.number,
        issuer=issuer,
        issued_on=bulletin.issue_date or timezone.localdate(),
        title=bulletin.title,
    )
    for section in bulletin.sections.order_by("position", "pk"):
        _heading(document, section.heading)
        document.paragraph(section.body)
    document.record(
        distribution=distribution_lines(bulletin.distribution),
        compiled_by=bulletin.compiled_by,
        signed_by=bulletin.signed_by,
    )
    return document.to_bytes()


def report_docx(
    template: ReportTemplate,
    sections: Sequence[tuple[str, str]],
    *,
    as_of: datetime.date,
    office: OrgUnit | str,
    title: str = "",
    opening: str | None = None,
) -> bytes:
    """A report for superiors as .docx, without 版头 (a report is not a 文件): the title in
    小标宋 二号, the office and the date (as of which the figures stand) under it in 楷体,
    the opening paragraph, then each section's heading (numbered 一、 unless it carries its
    own number) and its text. `title` and `opening` as edited, else the template's."""
    document = word.OfficialDocument(title=title or template.title)
    document.byline(getattr(office, "name", office), word.chinese_date(as_of))
    document.paragraph(template.opening if opening is None else opening)
    for heading, text in sections:
        _heading(document, heading)
        document.paragraph(text)
    return document.to_bytes()
