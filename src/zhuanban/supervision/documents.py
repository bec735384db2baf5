"""The notice as an official document (GB/T 9704): a .docx built by `core.word`, and its PDF.

The document is always in Chinese, whatever language the person issuing it reads the
site in: an official document has one text. Its fixed wording comes from the catalogue
(msgctxt "notice document") read in zh-hans.
"""

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
