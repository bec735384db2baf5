import datetime

import pytest
from django.utils import timezone

from zhuanban.rectification import services
from zhuanban.rectification.models import SourceKind

D = datetime.timedelta
SOURCE_LABEL = "督导检查 2023-05-12 卓资县"


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def raise_item(world, today):
    """Raise an item as the potato office from a visit; the source is any saved record
    (the county itself here: the loop does not care what found the problem)."""

    def _raise(
        unit=None,
        *,
        problem="种薯仓储库房消防设施不全",
        requirement="补齐灭火器和应急照明，建立消防台账",
        due_in: int = 30,
        raised_on: datetime.date | None = None,
        source=None,
        office=None,
        actor=None,
        source_kind=SourceKind.VISIT,
    ):
        raised_on = raised_on or today
        return services.rectification_raise(
            actor=actor or world.office,
            source=source or world.zhuozi,
            source_kind=source_kind,
            source_label=SOURCE_LABEL,
            office=office or world.potato,
            unit=unit or world.zhuozi,
            problem=problem,
            requirement=requirement,
            due_date=raised_on + D(days=due_in),
            today=raised_on,
        )

    return _raise


@pytest.fixture
def item(raise_item):
    """An open item for 卓资县, verified by the potato office."""
    return raise_item()


@pytest.fixture
def responded(world, item):
    services.rectification_respond(
        actor=world.zhuozi_liaison, item=item, text="已配齐灭火器12具，应急照明8套"
    )
    item.refresh_from_db()
    return item
