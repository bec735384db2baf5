"""Every change to bulletins and report templates: checked, version-locked, audited."""

import datetime
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhuanban.core import audit
from zhuanban.core.errors import FieldErrors, check_version
from zhuanban.core.models import AuditAction
from zhuanban.core.word import store_docx
from zhuanban.reports import documents, generators, pdf_jobs
from zhuanban.reports.lifecycle import BULLETIN_TRANSITIONS, BulletinAction, BulletinStatus
from zhuanban.reports.models import Bulletin, Section, Series, SeriesYear
from zhuanban.reports.scoping import may_compose

log = logging.getLogger(__name__)

EDITABLE = ("title", "compiled_by", "signed_by", "distribution")


def _authorise(actor, bulletin: Bulletin, action: str) -> None:
    if (bulletin.status, action) not in BULLETIN_TRANSITIONS:
        raise ValidationError(
            _("A published issue cannot be changed; correct it in a new issue."),
            code="published",
        )
    if not may_compose(actor, bulletin.series):
        raise PermissionError("may not compose this series")


def _lock(bulletin: Bulletin) -> Bulletin:
    return (
        Bulletin.objects.select_for_update(of=("self",))
        .select_related("series")
        .get(pk=bulletin.pk)
    )


def _touch(bulletin: Bulletin) -> None:
    bulletin.version += 1
    bulletin.save(update_fields=["version"])


@transaction.atomic
def bulletin_create(*, actor, series: Series, title: str, **fields) -> Bulletin:
    if not may_compose(actor, series):
        raise PermissionError("may not compose this series")
    bulletin = Bulletin(series=series, title=(title or "").strip(), created_by=actor)
    for name in EDITABLE[1:]:
        setattr(bulletin, name, (fields.get(name) or "").strip())
    errors = FieldErrors()
    errors.full_clean(bulletin, exclude=["created_by"])
    errors.raise_if_any()
    bulletin.save()
    audit.record_change(actor=actor, instance=bulletin, before=None)
    return bulletin


@transaction.atomic
def bulletin_update(
    *, actor, bulletin: Bulletin, expected_version: int | None, **fields
) -> Bulletin:
    bulletin = _lock(bulletin)
    _authorise(actor, bulletin, BulletinAction.EDIT)
    check_version(bulletin, expected_version)
    before = audit.snapshot(bulletin)
    for name in EDITABLE:
        if name in fields:
            setattr(bulletin, name, (fields[name] or "").strip())
    errors = FieldErrors()
    # The creator's login may have been removed since (SET_NULL): not the editor's concern.
    errors.full_clean(bulletin, exclude=["created_by"])
    errors.raise_if_any()
    bulletin.version += 1
    bulletin.save()
    audit.record_change(actor=actor, instance=bulletin, before=before)
    return bulletin


@transaction.atomic
def section_save(
    *,
    actor,
    bulletin: Bulletin,
    expected_version: int | None,
    section: Section | None = None,
    heading: str = "",
    body: str = "",
    position: int | None = None,
) -> Section:
    """Add a section written by hand, or save the edited text of one (drafted or not)."""
    bulletin = _lock(bulletin)
    _authorise(actor, bulletin, BulletinAction.EDIT)
    check_version(bulletin, expected_version)
    heading, body = (heading or "").strip(), (body or "").strip()
    if not heading and not body:
        raise ValidationError({"body": _("Write a heading or some text.")})
    if section is None:
        section = Section(bulletin=bulletin, position=_next_position(bulletin))
        before = None
    else:
        section = Section.objects.get(pk=section.pk, bulletin=bulletin)
        before = audit.snapshot(section)
    section.heading, section.body = heading, body
    if position is not None:
        section.position = position
    errors = FieldErrors()
    errors.full_clean(section, exclude=["bulletin"])
    errors.raise_if_any()
    section.save()
    _touch(bulletin)
    audit.record_change(actor=actor, instance=section, before=before)
    return section


def _next_position(bulletin: Bulletin) -> int:
    last = bulletin.sections.order_by("-position").values_list("position", flat=True).first()
    return (last or 0) + 1


@transaction.atomic
def section_generate(
    *,
    actor,
    bulletin: Bulletin,
    expected_version: int | None,
    source: str,
    params: dict,
    as_of: datetime.date,
) -> Section:
    """A new section drafted from data (see generators), for the author to edit."""
    bulletin = _lock(bulletin)
    _authorise(actor, bulletin, BulletinAction.EDIT)
    check_version(bulletin, expected_version)
    draft = generators.generate(source, user=actor, params=params, as_of=as_of)
    section = Section.objects.create(
        bulletin=bulletin,
        position=_next_position(bulletin),
        heading=draft.heading[:200],
        body=draft.body,
        source=source,
        params={**params, "as_of": as_of.isoformat()},
        links=draft.links_json(),
        generated_at=timezone.now(),
    )
    _touch(bulletin)
    audit.record_change(actor=actor, instance=section, before=None)
    return section


@transaction.atomic
def section_delete(*, actor, bulletin: Bulletin, section: Section, expected_version: int | None):
    bulletin = _lock(bulletin)
    _authorise(actor, bulletin, BulletinAction.EDIT)
    check_version(bulletin, expected_version)
    section = Section.objects.get(pk=section.pk, bulletin=bulletin)
    before = audit.snapshot(section)
    audit.record_delete(actor=actor, instance=section, before=before)
    section.delete()
    _touch(bulletin)


@transaction.atomic
def bulletin_delete(*, actor, bulletin: Bulletin, expected_version: int | None) -> None:
    """A draft may be thrown away; it never had a number, so none is lost."""
    bulletin = _lock(bulletin)
    _authorise(actor, bulletin, BulletinAction.DELETE)
    check_version(bulletin, expected_version)
    audit.record_delete(actor=actor, instance=bulletin, before=audit.snapshot(bulletin))
    bulletin.delete()


def search_text(bulletin: Bulletin) -> str:
    parts = [bulletin.title]
    for section in bulletin.sections.order_by("position", "pk"):
        parts += [section.heading, section.body]
    return "\n".join(part for part in parts if part)


@transaction.atomic
def bulletin_publish(
    *,
    actor,
    bulletin: Bulletin,
    expected_version: int | None,
    issue_date: datetime.date | None = None,
) -> Bulletin:
    """The series' next number of the year (第N期), the text frozen for the archive, the
    .docx stored with it; its PDF is made in the background once this commits (where
    settings.BULLETIN_PDF is on: `pdf_jobs`), a job of the publisher's."""
    bulletin = _lock(bulletin)
    _authorise(actor, bulletin, BulletinAction.PUBLISH)
    check_version(bulletin, expected_version)
    issue_date = issue_date or timezone.localdate()
    errors = FieldErrors()  # every problem at once
    if not bulletin.sections.exists():
        errors.add(None, _("An issue needs at least one section before it is published."), "empty")
    if issue_date > timezone.localdate():
        errors.add("issue_date", _("The date of issue cannot be in the future."), "future")
    errors.raise_if_any()
    before = audit.snapshot(bulletin)
    counter, _created = SeriesYear.objects.select_for_update().get_or_create(
        series=bulletin.series, year=issue_date.year
    )
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    bulletin.year, bulletin.number = issue_date.year, counter.last_number
    bulletin.issue_date = issue_date
    bulletin.status = BulletinStatus.PUBLISHED
    bulletin.published_by, bulletin.published_at = actor, timezone.now()
    bulletin.search_text = search_text(bulletin)
    bulletin.docx = store_docx(
        actor=actor,
        name=f"{bulletin.series.name}{bulletin.year}年第{bulletin.number}期",
        docx=documents.bulletin_docx(bulletin),
    )
    bulletin.version += 1
    bulletin.save()
    audit.record_change(actor=actor, instance=bulletin, before=before)
    if settings.BULLETIN_PDF:
        pdf_jobs.queue(bulletin, owner=actor)
    return bulletin


def record_download(*, actor, bulletin: Bulletin, kind: str) -> None:
    audit.record(actor=actor, action=AuditAction.DOWNLOAD, instance=bulletin, message=kind)
