"""The investment pipeline of a small Ulanqab (the `world` personas).

- `inv`: the investment office with its member `inv.staff` (贾斌), three chains (potato,
  beef, dairy) and the world's people;
- `make_project(inv, ...)`: a project entered by the system through the service, at a
  stage reached on a given day;
- `days_ago(n)`: a date relative to the real today, for screens (which use it).

Service tests pass `today=TODAY` so their clocks never depend on the day they run.
"""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from zhuanban.brand.tests.conftest import upload  # noqa: F401 (a real small PDF or PNG)
from zhuanban.investment import services
from zhuanban.investment.lifecycle import Stage
from zhuanban.org.roles import Role, UnitKind
from zhuanban.org.tests.factories import ChainFactory, OrgUnitFactory, person

TODAY = datetime.date(2026, 6, 30)
YEAR = 2026


def days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


@pytest.fixture
def inv(world):
    # The default clocks come from a data migration, which a browser test's flush (run
    # earlier on the same worker) empties: restore them as a flushed deployment would.
    services.clocks_ensure()
    office = OrgUnitFactory(
        code="office-investment", name="农牧领域招商办", kind=UnitKind.OFFICE, parent=world.bureau
    )
    return SimpleNamespace(
        world=world,
        office=office,
        staff=person("invest-m1", world.crops, (Role.OFFICE_MEMBER, office), name="贾斌"),
        potato=ChainFactory(code="potato", name="马铃薯产业链", short_name="薯", sort_order=3),
        beef=ChainFactory(code="beef", name="肉牛产业链", short_name="牛", sort_order=4),
        dairy=ChainFactory(code="dairy", name="奶业产业链", short_name="乳", sort_order=6),
    )


def make_project(
    inv,
    name: str = "马铃薯全粉加工项目",
    *,
    county=None,
    chain=None,
    stage: str = Stage.PLANNED,
    on: datetime.date = TODAY,
    planned: str = "9800",
    is_key: bool = False,
    year: int | None = None,
    today: datetime.date | None = None,
    **extra,
):
    return services.project_create(
        actor=None,
        name=name,
        year=year or on.year,
        chain=chain or inv.potato,
        county=county or inv.world.zhuozi,
        planned_investment=Decimal(planned),
        stage=stage,
        stage_on=on,
        is_key=is_key,
        investor=extra.pop("investor", "商都县十八顷农业科技有限公司"),
        today=today or max(on, TODAY),
        **extra,
    )
