import datetime

import pytest
from django.utils import translation

from zhuanban.tasks.deadlines import Deadline, DeadlineError, deadline_from_date, parse_deadline

D = datetime.date


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


@pytest.mark.parametrize(
    ("text", "due"),
    [
        # dates written out
        ("2023年6月30日", D(2023, 6, 30)),
        ("2023年06月30日前", D(2023, 6, 30)),
        ("2023-06-30", D(2023, 6, 30)),
        ("2023/6/30", D(2023, 6, 30)),
        ("2023.6.30", D(2023, 6, 30)),
        ("20230630", D(2023, 6, 30)),
        ("２０２３年６月３０日", D(2023, 6, 30)),  # full-width digits
        (" 2023 年 6 月 30 日 ", D(2023, 6, 30)),
        ("2024年3月15日", D(2024, 3, 15)),
        # a day of a month of the list's year
        ("6月15日前", D(2023, 6, 15)),
        ("6月15号", D(2023, 6, 15)),
        ("６月１５日之前", D(2023, 6, 15)),
        # a month: its last day
        ("6月底前", D(2023, 6, 30)),
        ("6月底", D(2023, 6, 30)),
        ("6月份", D(2023, 6, 30)),
        ("6月", D(2023, 6, 30)),
        ("6月末", D(2023, 6, 30)),
        ("六月底前", D(2023, 6, 30)),
        ("十一月底", D(2023, 11, 30)),
        ("2月底前", D(2023, 2, 28)),
        ("6月上旬", D(2023, 6, 10)),
        ("6月中旬", D(2023, 6, 20)),
        ("6月下旬", D(2023, 6, 30)),
        ("2023年9月底前完成", D(2023, 9, 30)),
        ("2023年9月底前 完工", D(2023, 9, 30)),
        ("力争2024年3月底前建成", D(2024, 3, 31)),
        ("2023-09", D(2023, 9, 30)),
        # the year
        ("年底前", D(2023, 12, 31)),
        ("年底", D(2023, 12, 31)),
        ("年内", D(2023, 12, 31)),
        ("年内完成", D(2023, 12, 31)),
        ("今年年底前", D(2023, 12, 31)),
        ("12月底前", D(2023, 12, 31)),
        ("2024年底前", D(2024, 12, 31)),
        ("本年度内", D(2023, 12, 31)),
        # halves and quarters
        ("上半年", D(2023, 6, 30)),
        ("上半年内", D(2023, 6, 30)),
        ("上半年完成", D(2023, 6, 30)),
        ("下半年", D(2023, 12, 31)),
        ("一季度", D(2023, 3, 31)),
        ("第一季度", D(2023, 3, 31)),
        ("二季度末", D(2023, 6, 30)),
        ("第三季度", D(2023, 9, 30)),
        ("四季度", D(2023, 12, 31)),
        ("2024年第1季度", D(2024, 3, 31)),
    ],
)
def test_dates_and_periods(text, due):
    deadline = parse_deadline(text, 2023)
    assert deadline.due_date == due
    assert deadline.is_ongoing is False
    assert deadline.recurring == ()
    # The explanation names the date in the user's language (zh-hans: 2023年6月30日).
    assert f"{due.year}年{due.month}月{due.day}日" in deadline.explanation


@pytest.mark.parametrize(
    "text", ["长期坚持", "持续推进", "长期", "常态化", "常态化推进", "长期落实", "常年开展"]
)
def test_ongoing_has_no_date(text):
    deadline = parse_deadline(text, 2023)
    assert deadline == Deadline(None, True, (), deadline.explanation)
    assert deadline.explanation


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("每月10日前", [10] * 12),
        ("每月10号", [10] * 12),
        ("每月", [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]),
        ("每月底", [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]),
        ("每月30日前", [30, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30]),  # February has 28
    ],
)
def test_monthly_deadlines_are_twelve_milestones(text, days):
    deadline = parse_deadline(text, 2023)
    assert [due for _title, due in deadline.recurring] == [
        D(2023, month, day) for month, day in zip(range(1, 13), days, strict=True)
    ]
    assert deadline.due_date == deadline.recurring[-1][1]
    assert all(title for title, _due in deadline.recurring)
    assert "12" in deadline.explanation


@pytest.mark.parametrize("text", ["每季度末", "每季度", "每季末", "每个季度"])
def test_quarterly_deadlines_are_four_milestones(text):
    deadline = parse_deadline(text, 2023)
    assert [due for _title, due in deadline.recurring] == [
        D(2023, 3, 31),
        D(2023, 6, 30),
        D(2023, 9, 30),
        D(2023, 12, 31),
    ]
    assert deadline.due_date == D(2023, 12, 31)


def test_half_yearly():
    deadline = parse_deadline("每半年", 2023)
    assert [due for _t, due in deadline.recurring] == [D(2023, 6, 30), D(2023, 12, 31)]


def test_the_list_year_is_used_when_the_text_has_none():
    assert parse_deadline("6月底前", 2024).due_date == D(2024, 6, 30)
    assert parse_deadline("2月底", 2024).due_date == D(2024, 2, 29)
    assert parse_deadline("2023年6月底", 2024).due_date == D(2023, 6, 30)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "尽快",
        "明天",
        "6月底前完成选址，9月底前建成",
        "13月底",
        "2023年2月30日",
        "2023-13-01",
        "每月40日",
        "五季度",
        "hello",
        "6月32日",
        "1.5万亩",
    ],
)
def test_unreadable(text):
    with pytest.raises(DeadlineError) as caught:
        parse_deadline(text, 2023)
    assert isinstance(caught.value, ValueError)
    assert str(caught.value)


def test_the_error_quotes_the_text():
    with pytest.raises(DeadlineError) as caught:
        parse_deadline("尽快落实", 2023)
    assert "尽快落实" in caught.value.message
    assert caught.value.code == "unparseable"


def test_a_date_cell():
    deadline = deadline_from_date(D(2023, 10, 31))
    assert deadline.due_date == D(2023, 10, 31)
    assert "2023年10月31日" in deadline.explanation


def test_deadlines_are_immutable():
    deadline = parse_deadline("6月底", 2023)
    with pytest.raises(AttributeError):
        deadline.due_date = None
