"""Exact substring search over paragraphs (or titles): counts, per-year counts, ranked pages.

Every term is matched exactly (after one-to-one character folding, see ``index.py``) by the
index itself, so ``total`` and ``by_year`` count true matches, read from the index: one grouped
statement over bare row ids counts a set of up to ``COUNT_FACTOR`` windows; a bigger one is
counted year by year with row-id ranges (the FTS row id starts with the year), never by loading
rows. Only then is anything ranked, and only the block of rows the page falls in.

Ranking is FTS5's BM25. A set larger than ``RANK_WINDOW`` matches is ranked in blocks of whole
years holding at least that many, newest block first (a query on a character such as 的 stays
fast on a million paragraphs, and pages stay consistent); the counts always cover every match.
Snippets are made only for the page shown.

A lone term of one or two characters (的, 发展: often a large share of all paragraphs) takes a
path of its own: its counts come from ``search_counts`` (kept by the index's writes), and it is
ranked in blocks of the ``LONE_WINDOW`` newest matches (row-id order), scored in Python with
FTS5's own BM25 formula and totals (the same doubles as ``bm25()``, which would walk the term's
whole doclist for its IDF: 35 ms for 的 at 1M paragraphs). Cost: about 4 µs per row of the block,
whatever the size of the corpus.

Cost: ``bm25()`` re-reads every phrase's whole doclist once per statement (for its IDF) and
costs 1–2.5 microseconds per row, against ~0.05 to count a row id; hence a small window (2,000),
scores computed only for rows that can reach the page, and the page sorted in SQLite.
"""

from __future__ import annotations

import html
import json
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from lunshu import filters, index
from lunshu.errors import QueryError
from lunshu.models import SearchHit, SearchResult
from lunshu.query import Query, parse
from lunshu.store import Store

RANK_WINDOW = 2_000
LONE_WINDOW = 500  # the block of a lone 1–2-character term (``_page_lone``)
COUNT_FACTOR = 5  # the counting pass reads up to this many windows of row ids (cheap: no scores)
SNIPPET_CHARS = 120
SNIPPET_LEAD = 24  # characters of context kept before the first match

T = index.TABLE
K = index.KEYS
M = index.PID_MASK
SORTS = ("relevance", "date", "date_asc")
GROUPS = ("paragraph", "doc")


# -- the FTS side ------------------------------------------------------------------------------
def fts_expression(q: Query, bigrams: bool = True) -> str:
    """The FTS5 MATCH expression for a parsed, folded query (phrases are encoded, never raw);
    ``bigrams``: the index has the ``bi`` column (``index.has_bigrams``)."""
    def group(phrases: Sequence[str]) -> str:
        return "(" + " OR ".join(index.phrase_expr(p, bigrams) for p in phrases) + ")"

    expr = " AND ".join(group(g) for g in q.groups)
    if q.exclude:
        expr = f"({expr}) NOT {group(q.exclude)}"
    return expr


@dataclass
class Plan:
    """FROM/WHERE over the FTS table for one query and its filters."""

    match: str
    lo: int = 0
    hi: int = (1 << 62)
    conds: list[str] = field(default_factory=list)
    args: list[Any] = field(default_factory=list)
    join_k: bool = False

    def sql(self, lo: int | None = None, hi: int | None = None) -> tuple[str, list[Any]]:
        frm = T + (f" JOIN {K} k ON k.pid = ({T}.rowid & {M})" if self.join_k else "")
        where = [f"{T} MATCH ?", f"{T}.rowid BETWEEN ? AND ?", *self.conds]
        a = max(self.lo, lo if lo is not None else self.lo)
        b = min(self.hi, hi if hi is not None else self.hi)
        return f"FROM {frm} WHERE " + " AND ".join(where), [self.match, a, b, *self.args]

    def years(self, conn: sqlite3.Connection, lo: int | None = None) -> Iterator[int]:
        """The years with matches, oldest first from row id ``lo``: one seek each, since row ids
        start with the year, so a caller reads only the years it needs."""
        lo = self.lo if lo is None else lo
        while lo <= self.hi:
            frm, args = self.sql(lo=lo)
            row = conn.execute(f"SELECT {T}.rowid {frm} ORDER BY {T}.rowid LIMIT 1", args).fetchone()
            if row is None:
                return
            year = int(row[0]) >> index.YEAR_SHIFT
            yield year
            lo = index.year_keys(year, year)[1] + 1


def _date_bounds(date_from: str | None, date_to: str | None) -> tuple[int, int] | None:
    """The inclusive yyyymmdd range of a --from/--to pair, the way ``Store.doc_filter_sql`` reads it."""
    if not date_from and not date_to:
        return None
    filters.date_range(date_from, date_to)
    lo = index.date_number(date_from) if date_from else 1
    if date_from and lo == 0:
        raise QueryError(f"--from: {date_from!r} is not a date; use YYYY, YYYY-MM or YYYY-MM-DD")
    hi = 99999999
    if date_to:
        n = index.date_number(date_to)
        if n == 0:
            raise QueryError(f"--to: {date_to!r} is not a date; use YYYY, YYYY-MM or YYYY-MM-DD")
        # a reduced-precision bound includes the whole period: --to 2015 keeps 2015-12-31
        hi = n + (9999 if n % 10000 == 0 else 99 if n % 100 == 0 else 0)
    return max(lo, 1), hi


def make_plan(store: Store, match: str, *, date_from: str | None, date_to: str | None, speaker: str | None,
          genre: str | None, source: str | None, need_doc: bool) -> Plan:
    plan = Plan(match)
    bounds = _date_bounds(date_from, date_to)
    if bounds is not None:
        dlo, dhi = bounds
        y_lo, y_hi = (dlo // 10000 if date_from else 1), (min(dhi // 10000, 9999) if date_to else 9999)
        plan.lo, plan.hi = index.year_keys(y_lo, y_hi)
        if (date_from and dlo % 10000) or (date_to and dhi % 10000 != 9999):
            # finer than whole years: rows of the boundary years look up their exact date
            full_lo, full_hi = index.year_keys(y_lo + 1, y_hi - 1)
            plan.conds.append(f"CASE WHEN {T}.rowid BETWEEN ? AND ? THEN 1 ELSE "
                              f"(SELECT date FROM {K} WHERE pid = ({T}.rowid & {M})) BETWEEN ? AND ? END")
            plan.args += [full_lo, full_hi, dlo, dhi]
    where, args = store.doc_filter_sql(speaker=speaker, genre=genre, source=source)
    if where:
        plan.join_k = True
        plan.conds.append(f"k.doc IN (SELECT d.rowid FROM documents d WHERE {where})")
        plan.args += args
    if need_doc:
        plan.join_k = True
    return plan


def year_counts(conn: sqlite3.Connection, plan: Plan, *, docs: bool = False, large: bool | None = None
                ) -> dict[int, int]:
    """Matches (or matching documents) per year, counted in the index.

    Few (up to ``COUNT_FACTOR * RANK_WINDOW``): one grouped statement. Many: one count per year
    the index holds (``index.years_indexed``, found without the query), each a row-id range of
    the doclists: no sorting, no row lookups unless a filter needs them. (Grouping sorts every
    row: ~0.35 µs each against ~0.05 µs to count one; a count per year pays the query's set-up
    once per year instead — cheaper from some tens of thousands of matches on.)
    """
    window = COUNT_FACTOR * RANK_WINDOW
    if not large:
        frm, args = plan.sql()
        doc_col = ", k.doc AS doc" if docs else ""
        what = "count(DISTINCT doc)" if docs else "count(*)"
        rows = conn.execute(f"SELECT y, count(*), {what} FROM (SELECT {T}.rowid >> {index.YEAR_SHIFT} AS y{doc_col} "
                            f"{frm} LIMIT ?) GROUP BY y", [*args, window + 1]).fetchall()
        if sum(int(r[1]) for r in rows) <= window:
            return {int(r[0]): int(r[2]) for r in rows}
    what = "count(DISTINCT k.doc)" if docs else "count(*)"
    counts: dict[int, int] = {}
    for year in index.years_indexed(conn, plan.lo, plan.hi):
        frm, args = plan.sql(*index.year_keys(year, year))
        n = int(conn.execute(f"SELECT {what} {frm}", args).fetchone()[0])
        if n:
            counts[year] = n
    return counts


# -- snippets ----------------------------------------------------------------------------------
def match_spans(folded_text: str, phrases: Sequence[str]) -> list[tuple[int, int]]:
    """Where the (folded) phrases occur, overlaps merged; offsets are valid in the stored text."""
    spans: list[tuple[int, int]] = []
    for p in phrases:
        if not p:
            continue
        i = folded_text.find(p)
        while i >= 0:
            spans.append((i, i + len(p)))
            i = folded_text.find(p, i + len(p))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def snippet(text: str, spans: Sequence[tuple[int, int]], size: int = SNIPPET_CHARS) -> str:
    """An excerpt of ``text`` around ``spans``: matches in ``<mark>``, everything HTML-escaped."""
    if len(text) <= size:
        a, b = 0, len(text)
    elif not spans:
        a, b = 0, size
    else:
        # the window that covers the most matches, starting a little before one of them
        best = (-1, 0)
        for s, _ in spans:
            start = max(0, min(s - SNIPPET_LEAD, len(text) - size))
            covered = sum(1 for x, y in spans if x >= start and y <= start + size)
            if covered > best[0]:
                best = (covered, start)
        a = best[1]
        b = a + size
    out: list[str] = ["…" if a > 0 else ""]
    pos = a
    for s, e in spans:
        s, e = max(s, a), min(e, b)
        if s >= e:
            continue
        out.append(html.escape(text[pos:s]))
        out.append("<mark>" + html.escape(text[s:e]) + "</mark>")
        pos = e
    out.append(html.escape(text[pos:b]))
    out.append("…" if b < len(text) else "")
    return "".join(out)


# -- the query ---------------------------------------------------------------------------------
def _check_options(limit: int, offset: int, sort: str, by: str) -> None:
    if sort not in SORTS:
        raise QueryError(f"unknown sort {sort!r}; use one of: {', '.join(SORTS)}")
    if by not in GROUPS:
        raise QueryError(f"unknown grouping {by!r}; use paragraph or doc")
    if limit < 0 or offset < 0:
        raise QueryError("limit and offset cannot be negative")


def search(store: Store, query: str, *, limit: int = 20, offset: int = 0, date_from: str | None = None,
           date_to: str | None = None, speaker: str | None = None, genre: str | None = None,
           source: str | None = None, title_only: bool = False, sort: str = "relevance",
           by: str = "paragraph") -> SearchResult:
    """Every paragraph (or, with ``by="doc"``, document) that matches ``query``; one page of hits.

    ``sort="date"`` is newest first (``"date_asc"`` oldest first). With ``by="doc"``, a document
    matches when one of its paragraphs does; its hit shows its best paragraph and ``matches``
    counts its matching paragraphs. ``title_only`` matches document titles instead (hits have
    paragraph 0 and the title as text).
    """
    _check_options(limit, offset, sort, by)
    parsed = parse(query)
    conn = store.conn
    fold = index.folder(conn).fold
    q = parsed.folded(fold)
    filters = {"date_from": date_from, "date_to": date_to, "speaker": speaker, "genre": genre, "source": source}
    if title_only:
        return _search_titles(store, query, q, fold, limit=limit, offset=offset, sort=sort, **filters)
    docs = by == "doc"
    plan = make_plan(store, fts_expression(q, index.has_bigrams(conn)), need_doc=docs, **filters)  # (dates are joined per page)
    counts = None if docs else _table_counts(conn, q, plan)
    lone = counts is not None
    if counts is None:
        counts = year_counts(conn, plan, docs=docs, large=_likely_huge(q) and _more_than(conn, plan))
    total = sum(counts.values())
    result = SearchResult(total=total, hits=[], by_year=_by_year(counts), query=query, limit=limit, offset=offset,
                          unit="doc" if docs else "paragraph")
    if limit == 0 or offset >= total:
        return result
    if sort == "relevance" and lone:
        page = _page_lone(conn, plan, q.groups[0][0], counts, limit, offset)
    elif sort == "relevance":
        page = _page_ranked(conn, plan, counts, limit, offset, docs=docs)
    else:
        page = _page_by_date(conn, plan, counts, limit, offset, newest_first=(sort == "date"), docs=docs)
    result.hits = _hits(conn, page, q, fold)
    return result


def _by_year(counts: dict[int, int]) -> dict[str, int]:
    return {(str(y) if y else "undated"): n for y, n in sorted(counts.items())}


# A page entry: (paragraph id, score, matching paragraphs in the document)
_Entry = tuple[int, float, int]


def _likely_huge(q: Query) -> bool:
    """A lone term of one or two characters: on a real corpus it often matches more than the
    counting window (then the grouped pass, which sorts every row it reads, is wasted: 3.5 ms
    for 的 at 100k paragraphs), but a rare pair is one short doclist (then 73 counts per year
    are the waste: 2 ms against 0.2). ``_more_than`` tells them apart."""
    return not q.exclude and len(q.groups) == 1 and len(q.groups[0]) == 1 and len(q.groups[0][0]) <= 2


def _table_counts(conn: sqlite3.Connection, q: Query, plan: Plan) -> dict[int, int] | None:
    """Per-year counts of a lone term of one or two characters, read from ``search_counts`` (no
    doclist walked), when only whole years filter it; else None (count in the index)."""
    if not _likely_huge(q) or plan.conds or plan.join_k or not index.has_counts(conn):
        return None
    tok = index.count_token(q.groups[0][0])
    if tok is None:
        return None
    return index.token_counts(conn, tok, plan.lo >> index.YEAR_SHIFT, min(plan.hi >> index.YEAR_SHIFT, 9999))


def _more_than(conn: sqlite3.Connection, plan: Plan) -> bool:
    """More matches than the counting window: a bare count of at most that many row ids
    (~0.05 µs each, no sorting)."""
    window = COUNT_FACTOR * RANK_WINDOW
    frm, args = plan.sql()
    return int(conn.execute(f"SELECT count(*) FROM (SELECT 1 {frm} LIMIT ?)", [*args, window + 1]).fetchone()[0]) > window


def _blocks(counts: dict[int, int]) -> list[tuple[int, int, int]]:
    """(first year, last year, matches): runs of whole years, newest first, each holding at least
    ``RANK_WINDOW`` matches (the oldest run may hold fewer); undated matches are a last block."""
    blocks: list[tuple[int, int, int]] = []
    lo = hi = n = 0
    for y in sorted((y for y in counts if y), reverse=True):
        hi = hi or y
        lo = y
        n += counts[y]
        if n >= RANK_WINDOW:
            blocks.append((lo, hi, n))
            hi = n = 0
    if hi:
        blocks.append((lo, hi, n))
    if 0 in counts:
        blocks.append((0, 0, counts[0]))
    return blocks


def _page_ranked(conn: sqlite3.Connection, plan: Plan, counts: dict[int, int], limit: int, offset: int, *,
                 docs: bool) -> list[_Entry]:
    """BM25 order within blocks of whole years (newest first) of at least ``RANK_WINDOW`` matches.

    A set no bigger than one block is simply ranked. A huge one is ranked block by block, so
    every page agrees with every other and the first page costs one block; a document lies in one
    year, hence in one block, so grouping by document is exact too. Ranking happens in SQLite (a
    bounded sort over the block); only the page comes back to Python.
    """
    out: list[_Entry] = []
    skip = offset
    for lo, hi, n in _blocks(counts):
        if skip >= n:
            skip -= n
            continue
        frm, args = plan.sql(*index.year_keys(lo, hi))
        if docs:
            # (bm25 cannot sit inside an aggregate: score the block first; with min(), SQLite
            # reports the other columns from the row holding the minimum)
            rows = conn.execute(
                f"WITH b AS MATERIALIZED (SELECT {T}.rowid AS rid, bm25({T}) AS s, k.doc AS doc {frm}) "
                f"SELECT rid, min(s) AS best, count(*) FROM b GROUP BY doc ORDER BY best, rid DESC "
                f"LIMIT ? OFFSET ?", [*args, limit - len(out), skip]).fetchall()
        else:
            rows = conn.execute(
                f"SELECT {T}.rowid AS rid, bm25({T}) AS s, 1 {frm} ORDER BY s, rid DESC LIMIT ? OFFSET ?",
                [*args, limit - len(out), skip]).fetchall()
        out.extend((int(r[0]) & M, -float(r[1]), int(r[2])) for r in rows)
        skip = 0
        if len(out) >= limit:
            break
    return out


def _page_lone(conn: sqlite3.Connection, plan: Plan, term: str, counts: dict[int, int], limit: int,
               offset: int) -> list[_Entry]:
    """BM25 order of a lone 1–2-character term, within blocks of ``LONE_WINDOW`` matches in
    row-id order, newest first (block k: the matches k·W … (k+1)·W − 1 counting from the newest;
    undated matches after all dated ones, in blocks of their own).

    The scores are FTS5's ``bm25()`` to the bit (``index.Bm25``: the index's row and token totals,
    the term's count from ``search_counts``), computed here from the block's text: ``bm25()`` walks
    the term's whole doclist for its IDF on every statement (35 ms for 的 at 1M paragraphs), and
    a whole year of such a term holds up to ten thousand rows at 1M paragraphs.
    """
    import numpy as np  # here: only this path needs it

    bm = index.Bm25.of(conn, term)
    out: list[_Entry] = []
    w = LONE_WINDOW
    cur = conn.cursor()
    cur.row_factory = None  # plain tuples: several times cheaper than sqlite3.Row per row
    sql = (f"SELECT {T}.rowid, p.text FROM {T} JOIN paragraphs p ON p.id = ({T}.rowid & {M}) "
           f"WHERE {T} MATCH ? AND {T}.rowid BETWEEN ? AND ? ORDER BY {T}.rowid DESC LIMIT ? OFFSET ?")
    first_dated = index.year_keys(1, 1)[0]
    undated = counts.get(0, 0)
    # the dated matches, then the undated ones (as in ``_blocks``: undated matches are a last block)
    parts = [(max(plan.lo, first_dated), plan.hi, sum(counts.values()) - undated), (plan.lo, first_dated - 1, undated)]
    skip = offset
    for lo, hi, n in parts:
        if skip >= n:
            skip -= n
            continue
        k, skip = divmod(skip, w)
        while len(out) < limit and k * w < n:
            rows = cur.execute(sql, (plan.match, lo, hi, w, k * w)).fetchall()
            if not rows:
                break
            scores = bm.scores([r[1] for r in rows])
            rids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
            top = np.lexsort((-rids, -scores))[skip:skip + limit - len(out)]  # best first, then newest
            out.extend((int(rids[i]) & M, float(scores[i]), 1) for i in top)
            skip = 0
            k += 1
        if len(out) >= limit:
            break
    return out


def _page_by_date(conn: sqlite3.Connection, plan: Plan, counts: dict[int, int], limit: int, offset: int,
                  *, newest_first: bool, docs: bool) -> list[_Entry]:
    """A page by date: only the years the page falls in are read and sorted (undated last)."""
    order = "DESC" if newest_first else "ASC"
    years = sorted((y for y in counts if y), reverse=newest_first) + ([0] if 0 in counts else [])
    plan = Plan(plan.match, plan.lo, plan.hi, list(plan.conds), list(plan.args), True)
    if sum(counts.values()) <= RANK_WINDOW:  # a modest set: one sorted query beats one per year
        years = [-1]
        counts = {-1: sum(counts.values())}
    page: list[_Entry] = []
    skip, need = offset, limit
    for y in years:
        if skip >= counts[y]:
            skip -= counts[y]
            continue
        frm, args = plan.sql() if y < 0 else plan.sql(*index.year_keys(y, y))
        if docs:  # a document's first matching paragraph stands for it
            rows = conn.execute(f"SELECT min(k.pid), count(*), max(k.date) AS dt {frm} GROUP BY k.doc "
                                f"ORDER BY dt = 0, dt {order}, min(k.pid) LIMIT ? OFFSET ?",
                                [*args, need, skip]).fetchall()
            page.extend((int(r[0]), 0.0, int(r[1])) for r in rows)
        else:
            rows = conn.execute(f"SELECT k.pid, 1 {frm} ORDER BY k.date = 0, k.date {order}, k.pid LIMIT ? OFFSET ?",
                                [*args, need, skip]).fetchall()
            page.extend((int(r[0]), 0.0, 1) for r in rows)
        need -= len(rows)
        skip = 0
        if need <= 0:
            break
    return page


def _hits(conn: sqlite3.Connection, page: list[_Entry], q: Query, fold: Any) -> list[SearchHit]:
    if not page:
        return []
    ids = [p for p, _, _ in page]
    marks = ",".join("?" * len(ids))
    rows = {int(r[0]): r for r in conn.execute(
        "SELECT p.id, p.doc_id, p.n, p.text, d.title, d.date, d.genre, d.speakers, d.paragraphs_inferred, "
        "p.page FROM paragraphs p "
        f"JOIN documents d ON d.id = p.doc_id WHERE p.id IN ({marks})", ids)}
    phrases = q.phrases
    hits: list[SearchHit] = []
    for pid, score, n in page:
        r = rows.get(pid)
        if r is None:  # the index names a paragraph the store no longer has (see `lunshu check`)
            continue
        text = str(r[3])
        hits.append(SearchHit(
            doc_id=str(r[1]), title=r[4], date=r[5], paragraph=int(r[2]), text=text,
            snippet=snippet(text, match_spans(fold(text), phrases)), score=round(score, 6),
            genre=r[6], speakers=json.loads(r[7] or "[]"), matches=n, paragraphs_inferred=bool(r[8]),
            page=r[9]))
    return hits


# -- titles ------------------------------------------------------------------------------------
def _search_titles(store: Store, raw_query: str, q: Query, fold: Any, *, limit: int, offset: int, sort: str,
                   date_from: str | None, date_to: str | None, speaker: str | None, genre: str | None,
                   source: str | None) -> SearchResult:
    """Titles are few (one per document): a scan with the reference semantics is exact and quick."""
    where, args = store.doc_filter_sql(speaker=speaker, genre=genre, source=source)
    bounds = _date_bounds(date_from, date_to)
    cur = store.conn.cursor()
    cur.row_factory = None  # plain tuples: several times cheaper than sqlite3.Row per row
    rows = cur.execute(
        "SELECT d.id, d.title, d.date, d.genre, d.speakers, d.paragraphs_inferred FROM documents d "
        "WHERE d.title IS NOT NULL"
        + (f" AND {where}" if where else ""), args).fetchall()
    found: list[tuple[float, int, str, Any]] = []
    phrases = q.phrases
    for r in rows:
        ft = fold(str(r[1]))
        if not q.matches(ft):
            continue
        dn = index.date_number(r[2])
        if bounds is not None and not bounds[0] <= dn <= bounds[1]:
            continue
        spans = match_spans(ft, phrases)
        covered = sum(e - s for s, e in spans)
        found.append((covered / max(len(ft), 1), dn, str(r[0]), r))
    if sort == "relevance":
        found.sort(key=lambda x: (-x[0], -x[1], x[2]))
    else:
        found.sort(key=lambda x: (x[1] == 0, -x[1] if sort == "date" else x[1], x[2]))
    counts: dict[int, int] = {}
    for _, dn, _, _ in found:
        counts[dn // 10000] = counts.get(dn // 10000, 0) + 1
    hits = []
    for score, _, _, r in found[offset:offset + limit]:
        title = str(r[1])
        hits.append(SearchHit(doc_id=str(r[0]), title=title, date=r[2], paragraph=0, text=title,
                              snippet=snippet(title, match_spans(fold(title), phrases), size=len(title)),
                              score=round(score, 4), genre=r[3], speakers=json.loads(r[4] or "[]"),
                              paragraphs_inferred=bool(r[5])))
    return SearchResult(total=len(found), hits=hits, by_year=_by_year(counts), query=raw_query, limit=limit,
                        offset=offset, unit="title")


def paragraph_ids(store: Store, query: str) -> list[int]:
    """Every paragraph id matching a query (same syntax as ``search``), newest first."""
    conn = store.conn
    q = parse(query).folded(index.folder(conn).fold)
    return [int(r[0]) & M for r in conn.execute(
        f"SELECT rowid FROM {T} WHERE {T} MATCH ? ORDER BY rowid DESC", (fts_expression(q, index.has_bigrams(conn)),))]
