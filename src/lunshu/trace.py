"""Trace a quotation to its sources and check its attribution.

Candidates come from the trigram index (distinctive pieces of the quotation, so an edited
character or a dropped clause does not hide the source); each candidate region (the paragraph
and its neighbours, so a quotation may span paragraphs) is aligned character by character.
Sources are ranked best match first: those within ``BEST_MARGIN`` of the best source's score,
then the rest (partial sources: a clause, a half); within each, primary first (speech, letter,
interview before reports before compilations), then earliest. So ten earlier documents carrying a
part of the quotation never push its verbatim source out of the first ``limit``. The status compares the claimed date with the primary sources:

- ``verified``: a primary source with the same words, dated within the tolerance;
- ``variant``: a primary source dated within the tolerance, with edited words;
- ``misattributed``: primary sources found, none dated within the tolerance;
- ``unverified``: found only in secondary documents (reports, compilations);
- ``not_found``: nothing close enough.

Speed (p95 ≤ 50 ms at a million paragraphs, bench/bench_trace.py): pieces are looked up as NEAR
groups of a third of their trigrams (``_lookup_expr``); candidate documents are aligned in rank
order, a few at a time, until no document left can enter the first ``limit`` sources, and their
paragraphs are read only then; regions that provably cannot reach FOUND are not aligned; the rest
go through one batched dynamic programme (``align_many``).
"""

from __future__ import annotations

import re
import sqlite3
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date as _date
from typing import Any

from rapidfuzz.distance import LCSseq

from lunshu import budget, diffs, index
from lunshu.align import Alignment, align_many, content_chars
from lunshu.errors import QueryError
from lunshu.models import GENRE_RANK, Quote, Source, Trace
from lunshu.store import Store

PRIMARY = {"speech", "work-report", "letter", "interview", "article"}
FOUND = 0.6  # share of the quotation's characters matched, in order
IDENTICAL_MIN = 0.98
LAG_DAYS = 7  # publication lag between a statement and the text that carries it
MAX_CANDIDATES = 24
PIECE_LIMIT = 400  # a piece in this many paragraphs is too common to point anywhere
VOTE_SHARE = 0.25  # candidates need this share of the best candidate's matched pieces
REGION_CHARS = 2400
BEST_MARGIN = 0.1  # sources within this of the best score rank as best matches (see _ranked)
ROUND_DOCS = 4  # fewest candidate documents aligned together (see find_sources)

_PIECE_SPLIT = re.compile(r"[\s，。、；：？！,.;:?!“”\"'‘’（）()《》〈〉【】\[\]—…·\-]+")
_ELLIPSIS = re.compile(r"(?:…|⋯|\.{3,}|。{3,})+")
_WORD = re.compile(r"\w")
_SENT_SPLIT = re.compile(r"(?<=[。！？!?；;])|(?:…|⋯|\.{3,})+|\n+")


def _pieces(quote: str) -> list[str]:
    """Distinctive substrings to look up: long clauses, and the two ends of very long ones."""
    out: list[str] = []
    for clause in _PIECE_SPLIT.split(quote):
        if len(clause) < 4:
            continue
        if len(clause) > 14:
            out.extend([clause[:8], clause[-8:], clause[len(clause) // 2 - 4: len(clause) // 2 + 4]])
        else:
            out.append(clause)
            if len(clause) >= 8:  # one changed character must not hide a short quotation
                out.extend([clause[:5], clause[-5:]])
    out = list(dict.fromkeys(out))
    out.sort(key=len, reverse=True)
    return out[:14]


def _lookup_expr(folded: str) -> str:
    """The index lookup of one piece: a candidate lead, judged later by the alignment."""
    return index.near_expr(folded)


def _candidates(store: Store, quote: str, exclude_doc: str | None) -> list[tuple[str, int]]:
    """(doc_id, paragraph n) of the paragraphs that share the most of the quotation's pieces."""
    votes: dict[int, float] = defaultdict(float)
    conn = store.conn
    fold = index.folder(conn).fold
    sql = f"SELECT rowid FROM {index.TABLE} WHERE {index.TABLE} MATCH ? LIMIT {PIECE_LIMIT}"
    common: list[str] = []
    for piece in _pieces(quote):
        try:
            expr = _lookup_expr(fold(piece))
            rows = conn.execute(sql, (expr,)).fetchall()
        except (sqlite3.Error, ValueError):  # a piece the index cannot take is just not a lead
            continue
        if len(rows) >= PIECE_LIMIT:
            common.append(expr)  # too common to point anywhere by itself
            continue
        for (rowid,) in rows:
            votes[int(rowid) & index.PID_MASK] += len(piece)  # index rows are keyed (year, paragraph id)
    if not votes and common:
        # every piece is common (a formula, or a corpus that repeats it): the paragraphs with all
        # of them together, the earliest first (rowid order is year order)
        try:
            rows = conn.execute(sql, (" AND ".join(f"({e})" for e in common),)).fetchall()
        except sqlite3.Error:
            rows = []
        for (rowid,) in rows:
            votes[int(rowid) & index.PID_MASK] += 1.0
    if not votes:
        return []
    top = sorted(votes.items(), key=lambda kv: -kv[1])[: MAX_CANDIDATES * 2]
    ids = [pid for pid, _ in top]
    q = ",".join("?" * len(ids))
    rows = conn.execute(f"SELECT id, doc_id, n FROM paragraphs WHERE id IN ({q})", ids).fetchall()
    where = {int(r[0]): (str(r[1]), int(r[2])) for r in rows}
    # a source document shares much of the quotation (perhaps over several paragraphs); a
    # document sharing one common piece is noise
    doc_votes: dict[str, float] = defaultdict(float)
    for pid, v in top:
        if pid in where:
            doc_votes[where[pid][0]] += v
    floor = max(doc_votes.values(), default=0.0) * VOTE_SHARE
    out: list[tuple[str, int]] = []
    for pid, _ in top:
        loc = where.get(pid)
        if loc and loc[0] != exclude_doc and doc_votes[loc[0]] >= floor:
            out.append(loc)
        if len(out) >= MAX_CANDIDATES:
            break
    return out


def _regions(store: Store, cands: list[tuple[str, int]]) -> list[tuple[str, list[tuple[int, str]]]]:
    """Merge candidates of one document into regions of consecutive paragraphs (with a neighbour each side)."""
    by_doc: dict[str, set[int]] = defaultdict(set)
    for doc_id, n in cands:
        by_doc[doc_id].update({n - 1, n, n + 1})
    regions: list[tuple[str, list[tuple[int, str]]]] = []
    texts = _paragraphs(store, [(d, n) for d, ns in by_doc.items() for n in ns if n >= 1], "text")
    for doc_id, ns in by_doc.items():
        rows = [(n, texts[(doc_id, n)]) for n in sorted(ns) if (doc_id, n) in texts]
        current: list[tuple[int, str]] = []
        size = 0
        for n, text in rows:
            if current and (n != current[-1][0] + 1 or size + len(text) > REGION_CHARS):
                regions.append((doc_id, current))
                # keep one paragraph of overlap so a quotation across the cut is still whole somewhere
                current, size = ([current[-1]] if n == current[-1][0] + 1 else []), 0
                size = sum(len(t) for _, t in current)
            current.append((int(n), str(text)))
            size += len(text)
        if current:
            regions.append((doc_id, current))
    return regions


def _paragraphs(store: Store, where: list[tuple[str, int]], column: str) -> dict[tuple[str, int], Any]:
    """``column`` of the paragraphs at (document, n), in one statement."""
    if not where:
        return {}
    values = ",".join("(?,?)" for _ in where)
    rows = store.conn.execute(f"WITH w(doc, n) AS (VALUES {values}) SELECT p.doc_id, p.n, p.{column} FROM w "
                              f"JOIN paragraphs p ON p.doc_id = w.doc AND p.n = w.n",
                              [x for pair in where for x in pair]).fetchall()
    return {(str(r[0]), int(r[1])): r[2] for r in rows}


def _sentences(quote: str) -> list[str]:
    return [p for p in _SENT_SPLIT.split(quote) if p and len(p.strip()) >= 4]


def _piecewise_bound(quote: str) -> Callable[[str], float]:
    """A cheap upper bound on ``_piecewise``'s score against a region (given its letters and digits).

    A sentence's score is at most its longest common subsequence with the region over its length
    (the matched characters of any alignment are a common subsequence), and a sentence below 0.5
    counts for nothing; 0.0 when the quotation is one sentence (no piecewise alignment).
    """
    parts = _sentences(quote)
    if len(parts) < 2:
        return lambda text: 0.0
    pieces = [(content_chars(p)[0], len(p)) for p in parts]
    total = sum(w for _, w in pieces)

    def bound(text: str) -> float:
        got = 0.0
        for c, w in pieces:
            u = LCSseq.similarity(c, text) / len(c) if c else 0.0
            if u >= 0.5:
                got += u * w
        return got / total

    return bound


def _piecewise(quote: str, texts: list[str], contents: list[tuple[str, list[int]]],
               fold: Callable[[str], str]) -> list[Alignment | None]:
    """Align a quotation sentence by sentence: compilations abridge across paragraphs without marking it."""
    parts = _sentences(quote)
    if len(parts) < 2 or not texts:
        return [None] * len(texts)
    per_part = [align_many(p, texts, contents, fold=fold) for p in parts]
    out: list[Alignment | None] = []
    for k, text in enumerate(texts):
        total = 0.0
        matched = 0.0
        diff: list[dict[str, str]] = []
        start, end = len(text), 0
        identical = True
        for p, got in zip(parts, per_part, strict=True):
            a = got[k]
            weight = len(p)
            total += weight
            if a.score >= 0.5:
                matched += a.score * weight
                start, end = min(start, a.start), max(end, a.end)
                diff.extend(a.diff)
                identical = identical and a.identical
            else:
                identical = False
                diff.append({"op": "insert", "quote": p, "source": ""})
        out.append(None if end <= start else Alignment(matched / total if total else 0.0, start, end, diff, identical))
    return out


_SENTENCE_END = "。！？!?；;\n"


def _same_words(diff: list[dict[str, str]]) -> bool:
    """No word changed: only equal pieces, marked omissions, and whole sentences left out.

    Compilations abridge across sentences and paragraphs without always marking it; leaving out
    whole sentences keeps the quotation's own words intact. A clause dropped inside a sentence,
    or any changed or added character, makes a variant.
    """
    prev_end = True
    for k, d in enumerate(diff):
        op = d.get("op")
        if op == "equal":
            prev_end = d.get("source", "").rstrip(" \u3000").endswith(tuple(_SENTENCE_END))
            continue
        if op == "delete":
            quote_side = d.get("quote", "")
            if quote_side and _ELLIPSIS.search(quote_side):
                continue  # a marked omission
            src = d.get("source", "").rstrip(" \u3000")
            last = k == len(diff) - 1
            if (prev_end or k == 0) and (src.endswith(tuple(_SENTENCE_END)) or last):
                continue
        if op == "insert" and not _WORD.search(d.get("quote", "")):
            continue  # punctuation only
        return False
    return True


MIN_BIGRAM_COVER = 0.45  # below this share of the quotation's bigrams a region cannot reach FOUND


def _bigrams(content: str) -> set[str]:
    return {content[i:i + 2] for i in range(len(content) - 1)}


def _align_regions(quote: str, regions: list[tuple[str, list[tuple[int, str]]]],
                   fold: Callable[[str], str], floor: float = FOUND) -> list[tuple[Alignment, int, int]]:
    """(alignment, first paragraph, last paragraph) of the quotation in each region.

    Cheapest first: the quotation's words standing in the region as they are (``str.find`` on the
    letters and digits, no dynamic programming); regions sharing too few of the quotation's
    character bigrams are not aligned (a cheap filter), nor those whose longest common subsequence
    with the quotation (an upper bound on any alignment's score, whole or sentence by sentence)
    is below FOUND; the rest are aligned together (``align_many``: one batched programme), and
    those half aligned again sentence by sentence where that could change the outcome.
    ``floor``: regions that cannot reach this score are not aligned (FOUND, or higher when only a
    better match could still matter, see ``find_sources``).
    """
    sep = "\n"
    texts = [sep.join(t for _, t in paras) for _, paras in regions]
    contents = [content_chars(fold(t)) for t in texts]  # compared folded, as search compares
    folded_quote = fold(quote)
    q, _ = content_chars(folded_quote)
    grams = _bigrams(q)
    verbatim_ok = bool(q) and not _ELLIPSIS.search(quote)
    found = [_unaligned() for _ in regions]  # until aligned
    todo: list[int] = []
    pw_bound = _piecewise_bound(folded_quote)
    bounds: dict[int, float] = {}
    for k, (t, tpos) in enumerate(contents):
        at = t.find(q) if verbatim_ok else -1
        if at >= 0:  # the quotation's words as they are (punctuation and spacing aside)
            a0, a1 = tpos[at], tpos[at + len(q) - 1] + 1
            found[k] = Alignment(1.0, a0, a1, [{"op": "equal", "quote": quote, "source": texts[k][a0:a1]}], True)
            continue
        if grams and sum(g in t for g in grams) / len(grams) < MIN_BIGRAM_COVER:
            continue
        bounds[k] = pw_bound(t)
        if q and LCSseq.similarity(q, t) < (floor - _EPS) * len(q) and bounds[k] < floor - _EPS:
            # neither the whole alignment nor the piecewise one can reach FOUND: the region would
            # be dropped after aligning it
            continue
        todo.append(k)
    for k, a in zip(todo, align_many(quote, [texts[k] for k in todo], [contents[k] for k in todo], fold=fold),
                    strict=True):
        found[k] = a
    # sentence by sentence, where that could change the outcome (beat the whole alignment by the
    # margin, or lift a region to FOUND)
    half = []
    for k in todo:
        score = found[k].score
        if 0.2 <= score < 0.9 and bounds[k] > score + 0.05 - _EPS and (score >= FOUND or bounds[k] >= FOUND - _EPS):
            half.append(k)
    for k, alt in zip(half, _piecewise(quote, [texts[k] for k in half], [contents[k] for k in half], fold),
                      strict=True):
        if alt is not None and alt.score > found[k].score + 0.05:
            found[k] = alt
    out: list[tuple[Alignment, int, int]] = []
    for k, (_, paras) in enumerate(regions):
        best = found[k]
        if best.score <= 0.0 and not best.diff:  # not aligned (too few bigrams in common)
            out.append((best, paras[0][0], paras[0][0]))
            continue
        best.identical = best.identical or (best.score >= IDENTICAL_MIN and _same_words(best.diff))
        # which paragraphs the span covers
        offsets = []
        pos = 0
        for n, t in paras:
            offsets.append((n, pos, pos + len(t)))
            pos += len(t) + len(sep)
        first = next((n for n, a, b in offsets if best.start < b + 1), paras[0][0])
        last = next((n for n, a, b in reversed(offsets) if best.end > a), first)
        out.append((best, first, last))
    return out


def _unaligned() -> Alignment:
    """A region not aligned: no bigram cover, or bounded below FOUND."""
    return Alignment(0.0, 0, 0, [], False)


_EPS = 1e-9  # float slack for the bounds


def _days(a: str, b: str) -> int | None:
    try:
        da = _date.fromisoformat(a)
        db = _date.fromisoformat(b)
    except ValueError:
        return None
    return (db - da).days


def date_agrees(claimed: str | None, claimed_end: str | None, source_date: str | None) -> bool | None:
    """Does a source dated ``source_date`` carry a statement made on ``claimed`` (… ``claimed_end``)?

    None when either side is unknown. Reduced-precision dates agree when one contains the other.
    """
    if not claimed or not source_date:
        return None
    end = claimed_end or claimed
    if len(claimed) < 10 or len(source_date) < 10:
        k = min(len(claimed), len(source_date))
        return claimed[:k] <= source_date[:k] <= end[:k] or source_date[:k] == claimed[:k]
    d0 = _days(claimed, source_date)
    d1 = _days(end, source_date)
    if d0 is None or d1 is None:
        return None
    # the source may be published a few days after the statement (never long before it)
    return -1 <= d0 and d1 <= LAG_DAYS


def _sort_key(s: Source) -> tuple[Any, ...]:
    return (GENRE_RANK.get(s.genre or "other", 2), s.date or "9999", -s.score, s.doc_id, s.paragraph)


def _ranked(sources: Iterable[Source]) -> list[Source]:
    """Best matches first (within ``BEST_MARGIN`` of the best score), then partial sources; each
    group by ``_sort_key`` (primary first, then earliest)."""
    items = list(sources)
    if not items:
        return items
    line = max(s.score for s in items) - BEST_MARGIN - _EPS
    return sorted(items, key=lambda s: (s.score < line, *_sort_key(s)))


def _entry_floor(sources: Iterable[Source], cut: Source) -> float:
    """The least score a source ranking after ``cut`` by its document alone needs to come before it.

    It must be a best match while ``cut`` is not: with ``cut`` a best match, it must raise the best
    score above ``cut.score + BEST_MARGIN``; otherwise be within the margin of the best so far.
    """
    best = max(s.score for s in sources)
    if cut.score >= best - BEST_MARGIN - _EPS:
        return cut.score + BEST_MARGIN
    return best - BEST_MARGIN


def _doc_rank(genre: str | None, date: str | None) -> tuple[int, str]:
    """The part of ``_sort_key`` known before alignment (the document's)."""
    return GENRE_RANK.get(genre or "other", 2), date or "9999"


def find_sources(store: Store, quote: str, *, exclude_doc: str | None = None,
                 limit: int = 10, claimed: str | None = None, claimed_end: str | None = None) -> list[Source]:
    """The ``limit`` best-ranked sources of the quotation (one per document).

    Among best matches and among partial sources (``_ranked``), sources rank by their document
    (genre, then date) and by score only within equals, so candidate documents are aligned in that
    order, a few at a time, until no document left could still enter the first ``limit``: the
    documents ranking after the last one kept are aligned only where they could be a better match
    than it (``_entry_floor``), so a quotation found in many documents does not pay for aligning
    all of them. The result is the same as aligning every candidate and cutting the ranked list.

    With a ``claimed`` date, the primary documents dated in agreement with it are aligned first and
    the best of them is always among the sources returned: a formula said in many speeches is found
    in the one the attribution names, not cut off behind the earliest ones.
    """
    def agrees(genre: str | None, date: str | None) -> bool:
        return bool(claimed) and (genre or "other") in PRIMARY and bool(date_agrees(claimed, claimed_end, date))

    norm = quote.strip()
    if not norm:
        return []
    fold = index.folder(store.conn).fold  # the one folding: search's (traditional, width, case)
    cands = _candidates(store, norm, exclude_doc)
    if not cands:
        return []
    cands_of: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for c in cands:
        cands_of[c[0]].append(c)
    doc_ids = list(cands_of)
    meta: dict[str, tuple[str | None, str | None, str | None]] = {d: (None, None, None) for d in doc_ids}
    marks = ",".join("?" * len(doc_ids))
    # not ``delivered`` yet: it is stored after the document's text, and reading it walks the
    # text's overflow pages; it is read for the sources returned only
    for row in store.conn.execute(f"SELECT id, title, date, genre FROM documents WHERE id IN ({marks})", doc_ids):
        meta[str(row[0])] = (row[1], row[2], row[3])
    doc_ids.sort(key=lambda d: _doc_rank(meta[d][2], meta[d][1]))  # stable: candidate order among equals
    if claimed:  # the documents the claimed date names first; the rest still in rank order
        doc_ids.sort(key=lambda d: not agrees(meta[d][2], meta[d][1]))
    best_by_doc: dict[str, Source] = {}
    at = 0
    while at < len(doc_ids):
        floor = FOUND
        if len(best_by_doc) >= limit:
            cut = _ranked(best_by_doc.values())[limit - 1]
            rank = _doc_rank(meta[doc_ids[at]][2], meta[doc_ids[at]][1])
            if rank > _doc_rank(cut.genre, cut.date):
                # every document left ranks after the last source kept, unless it is a better match
                floor = max(FOUND, _entry_floor(best_by_doc.values(), cut))
                if floor > 1.0 + _EPS:
                    break
                batch = doc_ids[at:]
            else:
                batch = [d for d in doc_ids[at:] if _doc_rank(meta[d][2], meta[d][1]) == rank]
        else:
            # enough documents for the sources still wanted, at the share found so far
            need = limit - len(best_by_doc)
            size = max(need, ROUND_DOCS) if at == 0 else max(-(-need * at // max(1, len(best_by_doc))), ROUND_DOCS)
            batch = doc_ids[at:at + size]
        at += len(batch)
        # the paragraphs are read only for the documents aligned
        regions = _regions(store, [c for d in batch for c in cands_of[d]])
        aligned = _align_regions(norm, regions, fold, floor)
        for (doc_id, paras), (a, first, last) in zip(regions, aligned, strict=True):
            if a.score < FOUND:
                continue
            title, date, genre = meta[doc_id]
            ptext = dict(paras)
            src_text = "\n".join(ptext[n] for n in range(first, last + 1) if n in ptext)
            offset = sum(len(t) + 1 for n, t in paras if n < first)
            # the alignment's score (the quotation's share matched) decides FOUND; the source's
            # score also counts what the quotation leaves out of it (diffs.score)
            src = Source(doc_id=doc_id, title=title, date=date, paragraph=first, text=src_text,
                         score=diffs.score(a.diff),
                         genre=genre, span=(a.start - offset, a.end - offset),
                         paragraph_end=last if last != first else None, diff=a.diff)
            src.identical = a.identical
            old = best_by_doc.get(doc_id)
            if old is None or src.score > old.score:
                best_by_doc[doc_id] = src
    ranked = _ranked(best_by_doc.values())
    sources = ranked[:limit]
    named = [s for s in ranked[limit:] if agrees(s.genre, s.date)]
    if named and sources and not any(agrees(s.genre, s.date) for s in sources):
        sources = _ranked([*sources[:-1], max(named, key=lambda s: s.score)])
    if sources:
        marks = ",".join("?" * len(sources))
        delivered = dict(store.conn.execute(f"SELECT id, delivered FROM documents WHERE id IN ({marks})",
                                            [s.doc_id for s in sources]).fetchall())
        for s in sources:
            s.delivered = delivered.get(s.doc_id)
        pages = _paragraphs(store, [(s.doc_id, s.paragraph) for s in sources], "page")
        for s in sources:  # books: the printed page of the passage
            s.page = pages.get((s.doc_id, s.paragraph))
    return sources


def status_of(sources: list[Source], claimed: str | None, claimed_end: str | None = None) -> tuple[str, str]:
    """(status, reason) from ranked sources and the claimed date."""
    if not sources:
        return "not_found", "no passage in the corpus matches closely enough"
    primary = [s for s in sources if (s.genre or "other") in PRIMARY]
    if not primary:
        return "unverified", "found only in secondary documents (reports, compilations)"
    agreeing = [s for s in primary if date_agrees(claimed, claimed_end, s.date) is not False
                or (s.delivered and date_agrees(claimed, claimed_end, s.delivered))]
    if not agreeing:
        dates = ", ".join(sorted({(s.delivered or s.date) or "undated" for s in primary}))
        return "misattributed", f"the words are in primary sources dated {dates}, not {claimed}"
    best = max(agreeing, key=lambda s: s.score)
    same_words = best.identical  # set only at IDENTICAL_MIN of the quotation matched or more
    # put the agreeing source first; the others keep their rank (``_ranked``)
    sources.sort(key=lambda s: s is not best)
    if same_words:
        return "verified", f"same words as {best.doc_id} ¶{best.paragraph}" + (
            f", dated {best.date}" if best.date else "")
    return "variant", f"edited words against {best.doc_id} ¶{best.paragraph}" + (
        f", dated {best.date}" if best.date else "")


def trace(store: Store, text: str, *, date: str | None = None, limit: int = 10,
          exclude_doc: str | None = None, date_end: str | None = None) -> Trace:
    if not text or not text.strip():
        raise QueryError("empty quotation: give the text to trace")
    budget.check()  # a request's budget (lunshu.budget): traces run in loops over many quotations
    sources = find_sources(store, text, exclude_doc=exclude_doc, limit=limit, claimed=date, claimed_end=date_end)
    status, reason = status_of(sources, date, date_end)
    return Trace(quote=text, status=status, sources=sources, date=date, reason=reason)


def corpus_quotes(store: Store, *, doc_id: str | None = None, status: str | None = None,
                  with_trace: bool = True) -> list[Quote]:
    """Every quotation found in the corpus's compilation-style documents (or one document), traced."""
    from lunshu.quotes import extract_quotes

    if doc_id is not None:
        ids: Iterable[str] = [store.get(doc_id, with_paragraphs=False).id]
    else:
        ids = [r[0] for r in store.execute("SELECT id FROM documents ORDER BY date IS NULL, date, id")]
    out: list[Quote] = []
    for did in ids:
        paragraphs = store.paragraphs(did)
        for q in extract_quotes(paragraphs, did):
            if with_trace:
                t = trace(store, q.text, date=q.attribution.date, exclude_doc=did,
                                       date_end=q.attribution.date_end, limit=5)
                q.status, q.sources, q.reason = t.status, t.sources, t.reason
            if status is None or q.status == status:
                out.append(q)
    return out
