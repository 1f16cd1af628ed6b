"""Dates: field values and running Chinese text to ISO, never a wrong date."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lunshu.dates import find_date_mentions, find_dates, parse_date, resolve_relative


@pytest.mark.parametrize(
    ("value", "iso"),
    [
        ("2015-12-16", "2015-12-16"),
        ("2025-12-31 19:35:10", "2025-12-31"),
        ("2022-07-13T22:12:52Z", "2022-07-13"),
        ("2015/12/16", "2015-12-16"),
        ("20151216", "2015-12-16"),
        ("2015-12", "2015-12"),
        ("1954", "1954"),
        (1954, "1954"),
        ("Wed, 13 Jul 2022 22:12:52 GMT", "2022-07-13"),  # the day as written, not shifted
        ("13 Jul 2022", "2022-07-13"),
        ("July 13, 2022", "2022-07-13"),
        ("2015年12月16日", "2015-12-16"),
        ("2022 年 7 月 12 日", "2022-07-12"),
        ("２０１５年１２月１６日", "2015-12-16"),
        ("二〇一五年十二月十六日", "2015-12-16"),
        ("发布时间：2015-12-16", "2015-12-16"),
        ("(2015年12月16日)", "2015-12-16"),
        ("2015年12月", "2015-12"),
        (dt.date(2015, 12, 16), "2015-12-16"),
        (dt.datetime(2015, 12, 16, 8, 0), "2015-12-16"),
        (["", "2015-12-16"], "2015-12-16"),
    ],
)
def test_parse_date_accepts_the_usual_forms(value: object, iso: str) -> None:
    assert parse_date(value) == iso


@pytest.mark.parametrize(
    "value",
    [None, "", "None", "null", "0000-00-00", "unknown", "2015-13-01", "2015-02-30", "5000", 42, True,
     "习近平出席第二届世界互联网大会开幕式", "12月16日", {"a": 1}, "1242220192x", "not a date at all"],
)
def test_parse_date_gives_none_rather_than_a_wrong_date(value: object) -> None:
    assert parse_date(value) is None


def test_find_dates_handles_spaces_ranges_and_numerals() -> None:
    text = "—— 2022 年 7 月 12 日，致贺信；2013年9月23日至25日访问；一九五四年九月十四日声明；2015-12-16。"
    found = find_date_mentions(text)
    assert [m.iso for m in found] == ["2022-07-12", "2013-09-23", "1954-09-14", "2015-12-16"]
    assert found[1].iso_end == "2013-09-25"
    assert text[found[0].start:found[0].end] == "2022 年 7 月 12 日"
    assert all(m.explicit_year for m in found)


def test_month_day_mentions_need_a_year() -> None:
    text = "第三届世界互联网大会于１１月１６日至１８日举办"
    assert find_dates(text) == []
    [(start, end, iso)] = find_dates(text, reference_year=2016)
    assert iso == "2016-11-16" and text[start:end] == "１１月１６日至１８日"


def test_year_only_mentions_exclude_lengths_of_time() -> None:
    isos = [iso for _, _, iso in find_dates("2014年首届大会举办以来；5000多年文明；2000年前；13亿人")]
    assert isos == ["2014"]


def test_resolve_relative() -> None:
    assert resolve_relative("昨天", "2024-11-21") == "2024-11-20"
    assert resolve_relative("今天", "2024-11-21") == "2024-11-21"
    assert resolve_relative("前天", "2024-03-01") == "2024-02-28"
    assert resolve_relative("明天", "2024-12-31") == "2025-01-01"
    assert resolve_relative("昨天", "2024") is None  # a reduced reference is not enough
    assert resolve_relative("去年", "2024-11-21") is None


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_date_functions_never_raise_and_give_valid_iso(s: str) -> None:
    iso = parse_date(s)
    if iso is not None:
        assert len(iso) in (4, 7, 10)
        if len(iso) == 10:
            dt.date.fromisoformat(iso)
    for start, end, found in find_dates(s, reference_year=2020):
        assert 0 <= start < end <= len(s)
        assert len(found) in (4, 7, 10)


def test_non_finite_numbers_are_not_dates() -> None:
    # JSON readers accept Infinity and NaN (Python's json does): a record's date may be one
    from lunshu.dates import parse_date

    for v in (float("inf"), float("-inf"), float("nan"), 1e300, -1e300):
        assert parse_date(v) is None
