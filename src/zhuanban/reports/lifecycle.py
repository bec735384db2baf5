"""A bulletin issue's lifecycle: a draft is composed and edited; publishing gives it the
series' next number for the year (第N期) and freezes it. A published issue never changes
and its number is never given again; a mistake is corrected by a new issue."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class BulletinStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("bulletin", "Draft")
    PUBLISHED = "published", pgettext_lazy("bulletin", "Published")


class BulletinAction(models.TextChoices):
    EDIT = "edit", _("Edit")
    PUBLISH = "publish", pgettext_lazy("bulletin", "Publish")
    DELETE = "delete", _("Delete")


B, BA = BulletinStatus, BulletinAction

# (state, action) -> the state it leads to; deleting leaves no state.
BULLETIN_TRANSITIONS: dict[tuple[str, str], str | None] = {
    (B.DRAFT, BA.EDIT): B.DRAFT,
    (B.DRAFT, BA.PUBLISH): B.PUBLISHED,
    (B.DRAFT, BA.DELETE): None,
}


def bulletin_actions(status: str) -> list[str]:
    return [action for (state, action) in BULLETIN_TRANSITIONS if state == status]
