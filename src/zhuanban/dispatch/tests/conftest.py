"""Dispatch fixtures on top of the shared personas: a per-unit livestock table and a
records table of signed projects, sent out to 卓资县 and 化德县 by the potato office."""

import datetime

import pytest
from django.utils import timezone

from zhuanban.dispatch import services
from zhuanban.dispatch.models import Cadence, Indicator, RowMode
from zhuanban.dispatch.periods import Period, PeriodKind

LIVESTOCK_SCHEMA = {
    "columns": [
        {
            "key": "beef",
            "label": "肉牛存栏",
            "type": "decimal",
            "decimals": 2,
            "unit": "万头",
            "required": True,
            "min": 0,
            "indicator": "beef_increase",
        },
        {
            "key": "dairy",
            "label": "奶牛存栏",
            "type": "decimal",
            "decimals": 2,
            "unit": "万头",
            "min": 0,
        },
        {"key": "total", "label": "合计", "type": "decimal", "decimals": 2, "unit": "万头"},
        {"key": "farms", "label": "规模养殖场", "type": "integer", "unit": "个", "min": 0},
        {"key": "note", "label": "备注", "type": "text"},
    ],
    "rules": [{"kind": "sum", "total": "total", "parts": ["beef", "dairy"]}],
}

PROJECTS_SCHEMA = {
    "columns": [
        {"key": "name", "label": "项目名称", "type": "text", "required": True},
        {"key": "signed", "label": "签约项目数", "type": "integer", "min": 0, "required": True},
        {"key": "landed", "label": "落地项目数", "type": "integer", "min": 0},
        {
            "key": "investment",
            "label": "计划投资",
            "type": "decimal",
            "decimals": 2,
            "unit": "万元",
            "min": 0,
        },
        {
            "key": "stage",
            "label": "进展阶段",
            "type": "choice",
            "choices": ["洽谈", "签约", "落地", "开工"],
        },
        {"key": "signed_on", "label": "签约日期", "type": "date"},
        {"key": "key_project", "label": "是否重点项目", "type": "boolean"},
    ],
    "rules": [{"kind": "compare", "left": "signed", "op": ">=", "right": "landed"}],
}

JUNE = Period(2023, PeriodKind.MONTH, 6)


@pytest.fixture
def beef_indicator(world):
    return Indicator.objects.create(
        code="beef_increase",
        name="肉牛存栏增量",
        unit_of_measure="万头",
        office=world.potato,
        aggregation="latest",
        decimals=2,
    )


@pytest.fixture
def livestock(world):
    return services.template_create(
        actor=world.office,
        office=world.potato,
        code="livestock",
        title="规模养殖场建设情况统计表",
        schema=LIVESTOCK_SCHEMA,
        units=[world.zhuozi, world.huade],
    )


@pytest.fixture
def projects(world):
    return services.template_create(
        actor=world.office,
        office=world.potato,
        code="projects",
        title="农牧业招商引资签约落地项目情况表",
        schema=PROJECTS_SCHEMA,
        units=[world.zhuozi, world.huade],
        row_mode=RowMode.RECORDS,
    )


def open_round(world, template, period=JUNE, *, due_in=5):
    today = timezone.localdate()
    return services.round_open(
        actor=world.office,
        template=template,
        cadence=Cadence.MONTHLY_DISPATCH,
        period=period,
        opens_on=today - datetime.timedelta(days=5),
        due_on=today + datetime.timedelta(days=due_in),
        locks_on=today + datetime.timedelta(days=due_in + 5),
    )


@pytest.fixture
def livestock_round(world, livestock):
    return open_round(world, livestock)


@pytest.fixture
def projects_round(world, projects):
    return open_round(world, projects)


def submission_of(round_, unit):
    return round_.submissions.get(unit=unit)
