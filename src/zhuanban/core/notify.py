"""Raising notifications: in the app (the bell) and by e-mail.

`notify()` is idempotent per (recipient, dedupe_key), so scheduled jobs can run it as
often as they like without sending anything twice.
"""

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import Truncator

from zhuanban.core.models import Notification

TITLE_LENGTH = Notification._meta.get_field("title").max_length

log = logging.getLogger(__name__)


def notify(
    recipients: Iterable,
    *,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    dedupe_key: str = "",
) -> list[Notification]:
    created = []
    for user in {r.pk: r for r in recipients if r is not None and r.is_active}.values():
        if (
            dedupe_key
            and Notification.objects.filter(recipient=user, dedupe_key=dedupe_key).exists()
        ):
            continue
        try:
            with transaction.atomic():
                note = Notification.objects.create(
                    recipient=user,
                    kind=kind,
                    # Titles quote documents' and meetings' titles: never longer than a row.
                    title=Truncator(title).chars(TITLE_LENGTH),
                    body=body,
                    url=url,
                    dedupe_key=dedupe_key,
                )
        except IntegrityError:  # raised concurrently by another worker: it is already there
            continue
        created.append(note)
        if user.email:
            transaction.on_commit(lambda n=note: _email(n))
    return created


def _email(note: Notification) -> None:
    link = f"{settings.SITE_URL}{note.url}" if note.url else ""
    try:
        send_mail(
            subject=note.title,
            message="\n\n".join(part for part in (note.body, link) if part),
            from_email=None,
            recipient_list=[note.recipient.email],
        )
    except OSError:
        log.exception("e-mail for notification %s failed", note.pk)
        return
    Notification.objects.filter(pk=note.pk).update(emailed_at=timezone.now())


def mark_read(user, ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())
