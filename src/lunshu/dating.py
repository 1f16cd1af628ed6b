"""When a text was published: the evidence beyond an explicit date that the date resolver of
:mod:`lunshu.metadata` weighs — 昨天/今天 anchored by a dated mention of the same event, a
numbered event of known year with a month-day, and a dateline's ``M月D日`` with its year inferred.
Never a guess: without evidence each returns None.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from lunshu.dates import add_days, find_date_mentions, find_month_days, relative_offset, year_of
from lunshu.facts import event_years

__all__ = ["dateline_date", "event_date", "relative_date"]

_NEW_YEAR = re.compile(r"((?:19|20)[0-9]{2}|[〇零○一二三四五六七八九]{4})年新年贺词")
_RELATIVE_WORD = re.compile(r"(?:^|[。！？，,])\s*(?P<w>昨天|今天|前天|昨日|今日|前日)[，,]?")


def relative_date(paras: list[str]) -> str | None:
    """A page that says "昨天，…" about an event that the same page dates elsewhere: its own date.

    Seed 002 says ``昨天，国家主席习近平向2024年世界互联网大会乌镇峰会开幕视频致贺`` and later
    ``——2024年11月20日，习近平主席向2024年世界互联网大会乌镇峰会开幕视频致贺``: the event is
    2024-11-20, so the page is of 2024-11-21. The two mentions must share at least ten characters.
    """
    dated: list[tuple[str, str]] = []
    for p in paras:
        for dm in find_date_mentions(p):
            if dm.precision == "day":
                ctx = p[dm.end: dm.end + 80]
                ctx = re.split(r"[。！？]", ctx, maxsplit=1)[0]
                dated.append((dm.iso, ctx))
    if not dated:
        return None
    for p in paras[:3]:
        for m in _RELATIVE_WORD.finditer(p):
            offset = relative_offset(m.group("w"))
            if offset is None:
                continue
            clause = re.split(r"[。！？]", p[m.end():], maxsplit=1)[0]
            best: tuple[int, str] | None = None
            for iso, ctx in dated:
                sm = SequenceMatcher(None, clause, ctx, autojunk=False)
                k = sm.find_longest_match(0, len(clause), 0, len(ctx)).size
                if k >= 10 and (best is None or k > best[0]):
                    best = (k, iso)
            if best:
                return add_days(best[1], -offset)
    return None


def event_date(texts: list[str]) -> str | None:
    """A numbered event of known year and a month-day in the same sentence: ``第三届世界互联网大会于
    11月16日至18日…`` → 2016-11-16."""
    for text in texts:
        for sentence in re.split(r"(?<=[。！？])", text):
            evs = event_years(sentence)
            if not evs:
                continue
            years = {y for _, _, y in evs}
            if len(years) != 1:
                continue
            year = years.pop()
            mds = find_month_days(sentence)
            if mds:
                _, _, mo, d = mds[0]
                iso = find_date_mentions(f"{year}年{mo}月{d}日")
                if iso:
                    return iso[0].iso
    return None


_URL_DATE = re.compile(r"/((?:19|20)[0-9]{2})[-/_]?([01][0-9])[-/_]?([0-3][0-9])(?:[/_.]|$)")
_PRESENT = re.compile(r"今年|本届|此次|这次|本次|这是|当天|当日")


def dateline_date(datelines: list[tuple[str | None, str, str]], delivered: str | None, hints: list[str],
                  reference_date: str | None, body: list[str], url: str | None) -> str | None:
    """A dateline (``新华网杭州12月16日电``) with its year inferred from other evidence.

    The evidence, in order: the day its header says it was delivered (published that day or
    later within the year); the year of a new-year address (``二〇二六年新年贺词`` on 12月31日 →
    2025); a numbered event of known year in the title or lead (第二届世界互联网大会 → 2015); a date in the URL on that month and day; the
    one year the text names, when a sentence that names it speaks of the present (``这是2019年…``,
    ``今年``); the reference date. Several years, or none: no date.
    """
    for _outlet, _place, md in datelines:
        mds = find_month_days(md)
        if not mds:
            continue
        _, _, mo, d = mds[0]
        mmdd = f"{mo:02d}-{d:02d}"
        years: set[int] = set()
        if delivered and len(delivered) == 10:  # published on the day delivered or in the year after it
            years.add(int(delivered[:4]) + (mmdd < delivered[5:]))
        for text in hints if not years else ():
            years.update(y for _, _, y in event_years(text))
            ny = _NEW_YEAR.search(text)
            named = find_date_mentions(ny.group(1) + "年") if ny else []
            y = year_of(named[0].iso) if named else None
            if y:
                years.add(y - 1 if mo == 12 else y)  # a new-year address is given on the eve
        if not years and url:
            um = _URL_DATE.search(url)
            if um and f"{um.group(2)}-{um.group(3)}" == mmdd:
                years.add(int(um.group(1)))
        if not years:
            named: set[int] = set()
            present: set[int] = set()
            for p in body:
                for sentence in re.split(r"(?<=[。！？])", p) if "年" in p else ():
                    ys = {int(x.iso[:4]) for x in find_date_mentions(sentence)}
                    named |= ys
                    if ys and _PRESENT.search(sentence):
                        present |= ys
            if len(named) == 1 and present == named:
                years = named
        if len(years) != 1 and reference_date and len(reference_date) == 10:
            ry = int(reference_date[:4])
            years = {ry if mmdd <= reference_date[5:] else ry - 1}
        if len(years) == 1:
            ms = find_date_mentions(f"{years.pop()}年{mo}月{d}日")
            if ms:
                return ms[0].iso
    return None
