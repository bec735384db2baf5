"""How officials write shares, pace, quantities and counts: every threshold on both sides."""

import datetime
from decimal import Decimal
from fractions import Fraction

import pytest

from zhuanban.reports import phrases


@pytest.mark.parametrize(
    ("part", "whole", "words"),
    [
        (12, 10, "超额完成"),
        (Decimal("1.0001"), 1, "超额完成"),
        (10, 10, "全部"),
        (Decimal("9.99"), 10, "九成以上"),
        (9, 10, "九成以上"),  # 以上 includes its boundary
        (Decimal("8.99"), 10, "八成以上"),
        (8, 10, "八成以上"),
        (Decimal("7.99"), 10, "四分之三以上"),
        (3, 4, "四分之三以上"),
        (Decimal("0.7499"), 1, "三分之二以上"),
        (2, 3, "三分之二以上"),  # exactly two thirds
        (Decimal("0.6666"), 1, "一半以上"),  # just under two thirds
        (Decimal("7.80"), Decimal("11.5"), "三分之二以上"),  # the seed's cattle: 67.8%
        (Decimal("0.75"), Decimal("1.45"), "一半以上"),  # the seed's dairy: 51.7%
        (1, 2, "一半以上"),
        (Decimal("0.4999"), 1, "近半"),
        (Decimal("0.45"), 1, "近半"),
        (Decimal("0.4499"), 1, "三分之一以上"),
        (1, 3, "三分之一以上"),
        (Decimal("0.3333"), 1, "不足三分之一"),
        (Decimal("0.01"), 1, "不足三分之一"),
    ],
)
def test_share_words_on_both_sides_of_each_threshold(part, whole, words):
    assert phrases.share_phrase(part, whole) == words


def test_more_than_half_in_the_other_style_and_exactly_half():
    assert phrases.share_phrase(Decimal("0.51"), 1, style="过半") == "过半"
    assert phrases.share_phrase(1, 2, style="过半") == "一半"  # 过 means more than
    assert phrases.share_phrase(Fraction(2, 3), 1, style="过半") == "三分之二以上"
    with pytest.raises(ValueError, match="style"):
        phrases.share_phrase(1, 2, style="half")


@pytest.mark.parametrize(("part", "whole"), [(0, 10), (None, 10), (5, 0), (5, None), (-1, 10)])
def test_nothing_to_say_is_none(part, whole):
    assert phrases.share_phrase(part, whole) is None
    assert phrases.completion_clause(part, whole) is None


def test_completion_clauses():
    assert (
        phrases.completion_clause(Decimal("7.8"), Decimal("11.5")) == "完成年度任务的三分之二以上"
    )
    assert phrases.completion_clause(5, 5) == "全面完成年度任务"
    assert phrases.completion_clause(6, 5) == "超额完成年度任务"
    assert phrases.completion_clause(1, 4, task="季度任务") == "完成季度任务的不足三分之一"


@pytest.mark.parametrize(
    ("completion", "elapsed", "words"),
    [
        (Decimal("67.8"), Decimal("50.0"), "超时序进度17.8个百分点"),
        (Decimal("55"), Decimal("50"), "超时序进度5个百分点"),
        (Decimal("50.04"), Decimal("50"), "与时序进度持平"),  # rounds to 0.0
        (50, 50, "与时序进度持平"),
        (Decimal("47"), Decimal("50"), "落后时序进度3个百分点"),
        (Decimal("28.3"), Decimal("50.0"), "落后时序进度21.7个百分点"),
        (Decimal("49.95"), Decimal("50"), "落后时序进度0.1个百分点"),  # half up
    ],
)
def test_pace_against_time_elapsed(completion, elapsed, words):
    assert phrases.pace_phrase(completion, elapsed) == words


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (Decimal("7.80"), "万头", "7.8万头"),
        (Decimal("7.800000000000000"), "万头", "7.8万头"),
        (78000, "头", "7.8万头"),
        (Decimal("0.75"), "万头", "0.75万头"),
        (Decimal("7500"), "头", "7500头"),
        (2221, "亩", "2221亩"),
        (20000, "亩", "2万亩"),
        (Decimal("35000"), "万元", "3.5亿元"),
        (Decimal("1234.5"), "万元", "1234.5万元"),
        (Decimal("250000000"), "元", "2.5亿元"),
        (Decimal("67.80"), "%", "67.8%"),
        (104, "个", "104个"),
        (Decimal("0.005"), "万头", "0.01万头"),  # rounded half up to two places
    ],
)
def test_quantities_as_officials_write_them(value, unit, text):
    assert phrases.quantity(value, unit) == text


def test_numbers_without_trailing_zeros_or_exponent():
    assert phrases.number(Decimal("7.80")) == "7.8"
    assert phrases.number(Decimal("0.75")) == "0.75"
    assert phrases.number(Decimal("100")) == "100"
    assert phrases.number(Decimal("1E+2")) == "100"
    assert phrases.number(Decimal("-0.001")) == "0"
    assert phrases.number(Decimal("21.74"), 1) == "21.7"
    assert phrases.number(2.5) == "2.5"


def test_counts_ranks_and_days():
    assert phrases.done_of(76, 25) == "76项已完成25项"
    assert phrases.done_of(76, 0) == "76项"  # never "已完成0项"
    assert phrases.completed(25) == "已完成25项"
    assert phrases.count(120, "次") == "120次"
    assert phrases.rank_phrase(3) == "居全市第3位"
    assert phrases.day_text(datetime.date(2023, 6, 30)) == "6月30日"
    assert phrases.day_text(datetime.date(2023, 6, 30), with_year=True) == "2023年6月30日"
