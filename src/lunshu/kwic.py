"""Keyword in context: one line per occurrence of a phrase, with its left and right context.

Occurrences are found in the folded text (so 網絡 finds 网络) and shown with the stored
characters. Sorting by ``1L``/``2L``/``1R``/``2R`` orders lines by the character at that context
position, then the next ones outward (the way concordancers do), then by date; ``date`` is
chronological (oldest first, the reading order of a concordance). Several levels, comma-separated
(``1R,2R``, ``1L,1R``): by the character at the first position, then at the second, …, then outward
from the first, then by date. The result is a list of lines with ``total``, every occurrence
counted (not only those returned).
"""

from __future__ import annotations

import heapq
import re
import sqlite3
from collections.abc import Iterator
from typing import Any

from lunshu import index
from lunshu.errors import QueryError
from lunshu.models import KwicLine
from lunshu.search import Plan, make_plan
from lunshu.store import Store

_SORT = re.compile(r"^([1-9])([LR])$", re.IGNORECASE)
_BATCH = 500


def _term(term: str) -> str:
    t = term.strip()
    if len(t) >= 2 and t[0] == t[-1] == '"':
        t = t[1:-1]
    if not t:
        raise QueryError("empty term: give a word or phrase to show in context")
    try:
        t.encode("utf-8")
    except UnicodeEncodeError:
        raise QueryError("the term contains bytes that are not valid text") from None
    if len(t) > 500:
        raise QueryError("the term is too long for a concordance (at most 500 characters)")
    return t


class KwicLines(list[KwicLine]):
    """Concordance lines in the order asked, and ``total``: every occurrence, shown or not."""

    total: int = 0


def _sort_keys(spec: str) -> list[tuple[str, int]]:
    """'1R,2R' → [('R', 0), ('R', 1)]; 'date' → [] (a trailing ``date`` is the tie-break anyway)."""
    levels = [s.strip() for s in spec.split(",")]
    out: list[tuple[str, int]] = []
    for k, s in enumerate(levels):
        if s.lower() == "date" and k == len(levels) - 1:
            break
        m = _SORT.match(s)
        if not m:
            raise QueryError(f"unknown sort {s!r}; use date, or context positions 1L, 2L, 1R, 2R … "
                             "(several comma-separated, e.g. 1R,2R; date last if at all)")
        out.append((m.group(2).upper(), int(m.group(1)) - 1))
    return out


def _pids_in_date_order(store: Store, folded: str, filters: dict[str, Any]) -> Iterator[int]:
    """Matching paragraph ids, oldest first (undated last), read one year at a time.

    The index's row ids start with the year, so a year is a row-id range: a concordance with a
    limit reads only the first years it needs, however common the term.
    """
    conn = store.conn
    plan = make_plan(store, index.phrase_expr(folded, index.has_bigrams(conn)), need_doc=True, **filters)
    for year in plan.years(conn, max(plan.lo, index.year_keys(1, 1)[0])):
        yield from _pids_of_year(conn, plan, year)
    if plan.lo == 0:
        yield from _pids_of_year(conn, plan, 0)


def _pids_of_year(conn: sqlite3.Connection, plan: Plan, year: int) -> Iterator[int]:
    frm, args = plan.sql(*index.year_keys(year, year))
    for (pid,) in conn.execute(f"SELECT k.pid {frm} ORDER BY k.date, k.pid", args).fetchall():
        yield int(pid)


def _occurrences(store: Store, folded: str, filters: dict[str, Any]) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """(order, (doc_id, date, n, title, text)) per matching paragraph, in date order."""
    conn = store.conn
    pids = _pids_in_date_order(store, folded, filters)
    order = 0
    while True:
        chunk = [pid for _, pid in zip(range(_BATCH), pids)]
        if not chunk:
            break
        marks = ",".join("?" * len(chunk))
        rows = {int(r[0]): r for r in conn.execute(
            "SELECT p.id, p.doc_id, d.date, p.n, d.title, p.text FROM paragraphs p JOIN documents d "
            f"ON d.id = p.doc_id WHERE p.id IN ({marks})", chunk)}
        for pid in chunk:
            r = rows.get(pid)
            if r is not None:
                yield order, tuple(r[1:])
                order += 1


def kwic(store: Store, term: str, *, width: int = 20, sort: str = "date", limit: int | None = None,
         date_from: str | None = None, date_to: str | None = None, speaker: str | None = None,
         genre: str | None = None, source: str | None = None) -> KwicLines:
    """Every occurrence of ``term`` (an exact phrase) with ``width`` characters of context each side."""
    if width < 0:
        raise QueryError("width cannot be negative")
    if limit is not None and limit < 0:
        raise QueryError("limit cannot be negative")
    keys = _sort_keys(sort)
    phrase = _term(term)
    fold = index.folder(store.conn).fold
    folded = fold(phrase)
    filters = {"date_from": date_from, "date_to": date_to, "speaker": speaker, "genre": genre, "source": source}

    counted = [0]

    def lines() -> Iterator[tuple[Any, KwicLine]]:
        for order, (doc_id, date, n, title, text) in _occurrences(store, folded, filters):
            ft = fold(text)
            i = ft.find(folded)
            while i >= 0:
                counted[0] += 1
                e = i + len(folded)
                line = KwicLine(doc_id=doc_id, date=date, paragraph=int(n), left=text[max(0, i - width):i],
                                match=text[i:e], right=text[e:e + width], offset=i, title=title)
                if not keys:
                    yield (order, i), line
                else:
                    ctxs = {side: (ft[max(0, i - width):i][::-1] if side == "L" else ft[e:e + width])
                            for side in {s for s, _ in keys}}
                    at = tuple(ctxs[side][pos:pos + 1] for side, pos in keys)
                    side, pos = keys[0]
                    ctx = ctxs[side]
                    # each level's character, then outward from the first and the nearer ones; then date
                    yield (*at, ctx[pos:], ctx[:pos], order, i), line
                i = ft.find(folded, e)

    out = KwicLines()
    if not keys:  # already in date order: once there are enough, the rest is only counted
        for _, line in lines():
            if limit is None or len(out) < limit:
                out.append(line)
    elif limit is None:
        out.extend(line for _, line in sorted(lines(), key=lambda kv: kv[0]))
    elif limit == 0:
        for _ in lines():  # counted only
            pass
    else:
        out.extend(line for _, line in heapq.nsmallest(limit, lines(), key=lambda kv: kv[0]))
    out.total = counted[0]
    return out
