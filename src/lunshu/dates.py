"""Dates: field values and Chinese running text to ISO 8601, possibly of reduced precision.

Every function here prefers *no* date to a wrong one: a value that is not clearly a date gives
``None``, a month and day without a known year are not given a guessed year, and nothing outside
1800–2100 is taken for a year (``5000年`` is a length of time, not a year).
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

from lunshu.chars import FULLWIDTH_DIGITS, cn_int, cn_year

YEAR_MIN, YEAR_MAX = 1800, 2100

_FW_DIGITS = FULLWIDTH_DIGITS
_JUNK = {"", "none", "null", "nil", "nan", "n/a", "na", "-", "--", "unknown", "未知", "无", "暂无", "0",
         "0000", "0000-00-00", "00-00-00"}

_D = r"[0-9０-９]"
_S = r"[ \t\u3000\xa0]*"  # spaces that layouts put inside dates: "2022 年 7 月 12 日"
_CN_YEAR = r"[〇零○一二三四五六七八九]{4}"
_CN_NUM = r"[一二三四五六七八九十两]{1,3}"
_YEAR = rf"(?:(?<![0-9０-９]){_D}{{4}}|{_CN_YEAR})"
_MONTH = rf"(?:{_D}{{1,2}}|{_CN_NUM})"
_DAY = rf"(?:{_D}{{1,2}}|{_CN_NUM})"
_RANGE_SEP = r"(?:至|到|—|–|－|-|~|～|〜)"

_FULL = re.compile(
    rf"(?P<y>{_YEAR}){_S}年{_S}(?P<m>{_MONTH}){_S}月{_S}(?P<d>{_DAY}){_S}[日号]"
    rf"(?:{_S}{_RANGE_SEP}{_S}(?:(?P<y2>{_YEAR}){_S}年{_S})?(?:(?P<m2>{_MONTH}){_S}月{_S})?(?P<d2>{_DAY}){_S}[日号])?"
)
_YM = re.compile(rf"(?P<y>{_YEAR}){_S}年{_S}(?P<m>{_MONTH}){_S}月(?!{_S}(?:{_DAY}){_S}[日号])(?!份?[0-9０-９])")
_Y = re.compile(rf"(?P<y>{_YEAR}){_S}年(?!{_S}(?:{_MONTH}){_S}月)(?![前来间里底初中末代度]?(?:之久|多))"
                r"(?![前来间里])")
_MD = re.compile(
    rf"(?<![0-9０-９年月.\-/])(?P<m>{_MONTH}){_S}月{_S}(?P<d>{_DAY}){_S}[日号]"
    rf"(?:{_S}{_RANGE_SEP}{_S}(?:(?P<m2>{_MONTH}){_S}月{_S})?(?P<d2>{_DAY}){_S}[日号])?"
)
_ISO = re.compile(r"(?<![0-9])(?P<y>[12][0-9]{3})(?P<sep>[-/.])(?P<m>[01]?[0-9])(?P=sep)(?P<d>[0-3]?[0-9])(?![0-9])")

_RELATIVE = {"今天": 0, "今日": 0, "本日": 0, "昨天": -1, "昨日": -1, "前天": -2, "前日": -2,
             "明天": 1, "明日": 1, "后天": 2}


@dataclass(frozen=True)
class DateMention:
    """A date written in running text.

    ``iso`` is the first day of a range (``iso_end`` its last), ``precision`` is ``"day"``,
    ``"month"`` or ``"year"``, and ``explicit_year`` says whether the year was written or came
    from ``reference_year``.
    """

    start: int
    end: int
    iso: str
    iso_end: str | None
    precision: str
    explicit_year: bool


_num = cn_int  # an Arabic or small Chinese number (lunshu.chars)


def _year(s: str) -> int | None:
    y = cn_year(s)
    return y if y is not None and YEAR_MIN <= y <= YEAR_MAX else None


def _iso(y: int, m: int | None = None, d: int | None = None) -> str | None:
    """ISO text of a valid (possibly partial) date, or None if the parts are not a real date."""
    if not YEAR_MIN <= y <= YEAR_MAX:
        return None
    if m is None:
        return f"{y:04d}"
    if not 1 <= m <= 12:
        return None
    if d is None:
        return f"{y:04d}-{m:02d}"
    try:
        return _dt.date(y, m, d).isoformat()
    except ValueError:
        return None


def filter_date(value: str) -> str | None:
    """A date a person gives as a filter or a quotation's date (``--from``, ``--to``, ``--date``,
    ``?from=``): what :func:`parse_date` reads, except numbers other than a year, which in a record
    may be a timestamp (1450000000) but typed as a date are a mistake. ``None`` when not a date."""
    value = value.strip()
    if value.isdigit() and len(value) != 4:
        return None
    return parse_date(value)


def is_blank(value: object) -> bool:
    """A field value that says "no date" (``null``, ``unknown``, ``无``, ``0000-00-00``…): no loss
    when it is not read as a date, unlike a value that is a date lunshu cannot read (``2020-02-30``)."""
    if value is None:
        return True
    if isinstance(value, (list, tuple)):
        return all(is_blank(v) for v in value)
    return isinstance(value, str) and value.strip().lower() in _JUNK


def parse_date(value: object) -> str | None:
    """Any field value to ISO: ``"2015-12-16"``, ``"2015-12"`` or ``"1954"``; None if not a date.

    Accepts date/datetime objects, years as int or str, epoch seconds or milliseconds (2001–2100
    only, so that ids are not taken for times), ISO and slashed forms, ``YYYYMMDD``, Chinese
    dates (``2015年12月16日``, ``二〇一五年十二月十六日``), RFC 2822 (``Wed, 13 Jul 2022 22:12:52
    GMT`` — the calendar day as written, not shifted to another zone), and short labelled values
    such as ``发布时间：2015-12-16``. Lists give their first date.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, _dt.datetime):
        return value.date().isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        for v in value:
            iso = parse_date(v)
            if iso:
                return iso
        return None
    if isinstance(value, (int, float)):
        return _parse_number(value)
    if not isinstance(value, str):
        return None
    s = value.strip().translate(_FW_DIGITS)
    if s.lower() in _JUNK or len(s) > 80:
        return None
    if re.fullmatch(r"-?\d+(?:\.\d+)?", s):
        return _parse_number(float(s) if "." in s else int(s), digits=s)
    m = re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?"
                     r"(?:Z|[+-]\d{2}:?\d{2}| ?[A-Z]{2,4})?)?", s)
    if m:
        return _iso(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = re.fullmatch(r"(\d{4})[-/.](\d{1,2})", s)
    if m:
        return _iso(int(m.group(1)), int(m.group(2)))
    if re.search(r"[A-Za-z]{3}", s):
        iso = _parse_english(s)
        if iso:
            return iso
    mentions = find_date_mentions(s)
    if mentions:
        best = mentions[0]
        # a labelled value ("发布时间：2015-12-16 10:00") or a bare date: the date must dominate the text
        rest = (s[:best.start] + s[best.end:]).strip()
        if len(rest) <= 24 and not re.search(r"[。！？]", rest):
            return best.iso
    return None


def _parse_number(value: float, digits: str | None = None) -> str | None:
    if isinstance(value, float) and (not math.isfinite(value) or not value.is_integer() and value < 1e9):
        return None
    n = int(value)
    if YEAR_MIN <= n <= YEAR_MAX:
        return f"{n:04d}"
    if digits is not None and len(digits) == 8:
        return _iso(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    if 978_307_200 <= n < 4_102_444_800:  # 2001-01-01 .. 2100-01-01, epoch seconds
        return _dt.datetime.fromtimestamp(n, _dt.timezone.utc).date().isoformat()
    if 978_307_200_000 <= n < 4_102_444_800_000:  # the same in milliseconds
        return _dt.datetime.fromtimestamp(n / 1000, _dt.timezone.utc).date().isoformat()
    return None


_MONTHS = {m: i + 1 for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"])}


def _parse_english(s: str) -> str | None:
    try:
        dt = parsedate_to_datetime(s)
    except (TypeError, ValueError, IndexError):
        dt = None
    if dt is not None:
        return _iso(dt.year, dt.month, dt.day)
    m = re.fullmatch(r"(?:[A-Za-z]+,?\s+)?(\d{1,2})\s+([A-Za-z]{3})[a-z]*\.?,?\s+(\d{4})", s)
    if m and m.group(2).lower() in _MONTHS:
        return _iso(int(m.group(3)), _MONTHS[m.group(2).lower()], int(m.group(1)))
    m = re.fullmatch(r"(?:[A-Za-z]+,?\s+)?([A-Za-z]{3})[a-z]*\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})", s)
    if m and m.group(1).lower() in _MONTHS:
        return _iso(int(m.group(3)), _MONTHS[m.group(1).lower()], int(m.group(2)))
    return None


def find_date_mentions(text: str, reference_year: int | None = None) -> list[DateMention]:
    """Every date written in ``text``, in order, without overlaps.

    Full dates (``2022 年 7 月 12 日``, ``二〇一五年十二月十六日``, ``2015-12-16``) and ranges
    (``2013年9月23日至25日``) come first; then ``YYYY年M月``, ``YYYY年``; month-day mentions
    (``12月16日``) only when ``reference_year`` is given — they then take that year.
    """
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    def add(m: re.Match[str], iso: str | None, iso_end: str | None, precision: str, explicit: bool) -> None:
        if iso and free(m.start(), m.end()):
            found.append(DateMention(m.start(), m.end(), iso, iso_end, precision, explicit))
            taken.append((m.start(), m.end()))

    for m in _FULL.finditer(text):
        y, mo, d = _year(m.group("y")), _num(m.group("m")), _num(m.group("d"))
        if y is None or mo is None or d is None:
            continue
        iso = _iso(y, mo, d)
        iso_end = None
        if iso and m.group("d2"):
            y2 = _year(m.group("y2")) if m.group("y2") else y
            m2 = _num(m.group("m2")) if m.group("m2") else mo
            d2 = _num(m.group("d2"))
            if y2 is not None and m2 is not None and d2 is not None:
                iso_end = _iso(y2, m2, d2)
            if iso_end is None or iso_end < iso:
                iso_end = None
        add(m, iso, iso_end, "day", True)
    for m in _ISO.finditer(text):
        add(m, _iso(int(m.group("y")), int(m.group("m")), int(m.group("d"))), None, "day", True)
    for m in _YM.finditer(text):
        y, mo = _year(m.group("y")), _num(m.group("m"))
        if y is not None and mo is not None:
            add(m, _iso(y, mo), None, "month", True)
    for m in _Y.finditer(text):
        y = _year(m.group("y"))
        if y is not None:
            add(m, _iso(y), None, "year", True)
    if reference_year is not None:
        for m in _MD.finditer(text):
            mo, d = _num(m.group("m")), _num(m.group("d"))
            if mo is None or d is None:
                continue
            iso = _iso(reference_year, mo, d)
            iso_end = None
            if iso and m.group("d2"):
                m2 = _num(m.group("m2")) if m.group("m2") else mo
                d2 = _num(m.group("d2"))
                if m2 is not None and d2 is not None:
                    iso_end = _iso(reference_year, m2, d2)
                if iso_end is None or iso_end < iso:
                    iso_end = None
            add(m, iso, iso_end, "day", False)
    found.sort(key=lambda x: x.start)
    return found


def find_dates(text: str, reference_year: int | None = None) -> list[tuple[int, int, str]]:
    """``(start, end, iso)`` of every date in ``text`` (see :func:`find_date_mentions`).

    A range such as ``2013年9月23日至25日`` is one span whose ``iso`` is its first day.
    """
    return [(d.start, d.end, d.iso) for d in find_date_mentions(text, reference_year)]


def find_month_days(text: str) -> list[tuple[int, int, int, int]]:
    """``(start, end, month, day)`` of month-day mentions that carry no year (``12月16日``)."""
    out: list[tuple[int, int, int, int]] = []
    years = [(m.start(), m.end()) for m in _FULL.finditer(text)]
    for m in _MD.finditer(text):
        if any(s <= m.start() < e for s, e in years):
            continue
        mo, d = _num(m.group("m")), _num(m.group("d"))
        if mo is not None and d is not None and 1 <= mo <= 12 and 1 <= d <= 31:
            out.append((m.start(), m.end(), mo, d))
    return out


def resolve_relative(word: str, reference_iso: str) -> str | None:
    """昨天/今天/前天/明天/后天 (and 昨日, 今日…) as an ISO day, counted from ``reference_iso``.

    Needs a full reference day; a reduced one (``"2015"``) gives None.
    """
    offset = _RELATIVE.get(word.strip())
    if offset is None:
        return None
    try:
        ref = _dt.date.fromisoformat(reference_iso)
    except (TypeError, ValueError):
        return None
    return (ref + _dt.timedelta(days=offset)).isoformat()


def relative_offset(word: str) -> int | None:
    """Days from the reference day that a relative word means (昨天 → -1), or None."""
    return _RELATIVE.get(word.strip())


def add_days(iso: str, days: int) -> str | None:
    try:
        return (_dt.date.fromisoformat(iso) + _dt.timedelta(days=days)).isoformat()
    except (TypeError, ValueError):
        return None


def year_of(iso: str | None) -> int | None:
    """The year of an ISO date of any precision."""
    if not iso or len(iso) < 4 or not iso[:4].isdigit():
        return None
    return int(iso[:4])


def consistent(coarse: str, fine: str) -> bool:
    """Whether ``fine`` lies within ``coarse`` (``"2024"`` contains ``"2024-03-05"``)."""
    return fine.startswith(coarse)
