"""notify(): one notification per recipient and dedupe key, titles within their column."""

import pytest

from zhuanban.core.models import Notification
from zhuanban.core.notify import TITLE_LENGTH, notify

pytestmark = pytest.mark.django_db


def test_a_title_quoting_a_long_document_title_is_cut_to_the_column(world):
    title = "征求意见：" + "乌兰察布市关于做好全面推进乡村振兴重点工作的实施意见" * 12
    assert len(title) > TITLE_LENGTH
    (note,) = notify([world.office], kind="opinion_request", title=title)
    stored = Notification.objects.get(pk=note.pk).title
    assert len(stored) == TITLE_LENGTH
    assert stored.startswith("征求意见：乌兰察布市")
    assert title.startswith(stored.rstrip(".…"))  # cut, with an ellipsis


def test_the_same_dedupe_key_notifies_once(world):
    for _ in range(2):
        notify([world.office, world.office], kind="x", title="催办", dedupe_key="k-1")
    assert Notification.objects.filter(recipient=world.office, dedupe_key="k-1").count() == 1
