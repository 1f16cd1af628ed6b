"""Trace a quotation to its sources and check its attribution.

Candidates come from the trigram index (distinctive pieces of the quotation, so an edited
character or a dropped clause does not hide the source); each candidate region (the paragraph
and its neighbours, so a quotation may span paragraphs) is aligned character by character.
Sources are ranked primary first (speech, letter, interview before reports before compilations),
then earliest. The status compares the claimed date with the primary sources:

- ``verified``: a primary source with the same words, dated within the tolerance;
- ``variant``: a primary source dated within the tolerance, with edited words;
- ``misattributed``: primary sources found, none dated within the tolerance;
- ``unverified``: found only in secondary documents (reports, compilations);
- ``not_found``: nothing close enough.
"""

from __future__ import annotations

import re
import sqlite3
from collections import defaultdict
from collections.abc import Iterable
from datetime import date as _date
from typing import Any

from lunshu import index
from lunshu.align import Alignment, align, content_chars
from lunshu.clean import to_halfwidth
from lunshu.models import GENRE_RANK, Quote, Source, Trace
from lunshu.store import Store

PRIMARY = {"speech", "letter", "interview", "article"}
FOUND = 0.6  # share of the quotation's characters matched, in order
IDENTICAL_MIN = 0.98
LAG_DAYS = 7  # publication lag between a statement and the text that carries it
MAX_CANDIDATES = 24
VOTE_SHARE = 0.25  # candidates need this share of the best candidate's matched pieces
REGION_CHARS = 2400

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


def _candidates(store: Store, quote: str, exclude_doc: str | None) -> list[tuple[str, int]]:
    """(doc_id, paragraph n) of the paragraphs that share the most of the quotation's pieces."""
    votes: dict[int, float] = defaultdict(float)
    conn = store.conn
    fold = index.folder(conn).fold
    for piece in _pieces(quote):
        try:
            rows = conn.execute(
                f"SELECT rowid FROM {index.TABLE} WHERE {index.TABLE} MATCH ? LIMIT 400",
                (index.phrase_expr(fold(piece)),),
            ).fetchall()
        except (sqlite3.Error, ValueError):  # a piece the index cannot take is just not a lead
            continue
        if len(rows) >= 400:
            continue  # too common to point anywhere
        for (rowid,) in rows:
            votes[int(rowid) & index.PID_MASK] += len(piece)  # index rows are keyed (year, paragraph id)
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
    conn = store.conn
    for doc_id, ns in by_doc.items():
        wanted = sorted(x for x in ns if x >= 1)
        q = ",".join("?" * len(wanted))
        rows = conn.execute(f"SELECT n, text FROM paragraphs WHERE doc_id = ? AND n IN ({q}) ORDER BY n",
                            [doc_id, *wanted]).fetchall()
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


def _piecewise(quote: str, text: str) -> Alignment | None:
    """Align a quotation sentence by sentence: compilations abridge across paragraphs without marking it."""
    parts = [p for p in _SENT_SPLIT.split(quote) if p and len(p.strip()) >= 4]
    if len(parts) < 2:
        return None
    total = 0.0
    matched = 0.0
    diff: list[dict[str, str]] = []
    start, end = len(text), 0
    identical = True
    for p in parts:
        a = align(p, text)
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
    if end <= start:
        return None
    return Alignment(matched / total if total else 0.0, start, end, diff, identical)


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


def _bigram_cover(quote: str, text: str) -> float:
    """Share of the quotation's character bigrams that occur in the text: a cheap bound that spares
    the alignment of regions which only share a piece or two with the quotation."""
    q, _ = content_chars(quote)
    t, _ = content_chars(text)
    grams = {q[i:i + 2] for i in range(len(q) - 1)}
    if not grams:
        return 1.0
    have = {t[i:i + 2] for i in range(len(t) - 1)}
    return len(grams & have) / len(grams)


def _exact(quote: str, text: str) -> Alignment | None:
    """The common case, without dynamic programming: the quotation's words stand in the text as
    they are (punctuation and spacing aside)."""
    q, _ = content_chars(quote)
    if not q or _ELLIPSIS.search(quote):
        return None
    t, tpos = content_chars(text)
    k = t.find(q)
    if k < 0:
        return None
    start, end = tpos[k], tpos[k + len(q) - 1] + 1
    return Alignment(1.0, start, end, [{"op": "equal", "quote": quote, "source": text[start:end]}], True)


def _align_region(quote: str, paras: list[tuple[int, str]]) -> tuple[Alignment, int, int, str]:
    sep = "\n"
    text = sep.join(t for _, t in paras)
    best = _exact(quote, text)
    if best is None:
        if _bigram_cover(quote, text) < MIN_BIGRAM_COVER:
            return Alignment(0.0, 0, 0, [], False), paras[0][0], paras[0][0], text
        best = align(quote, text)
    if 0.2 <= best.score < 0.9:
        alt = _piecewise(quote, text)
        if alt is not None and alt.score > best.score + 0.05:
            best = alt
    best.identical = best.identical or (best.score >= IDENTICAL_MIN and _same_words(best.diff))
    # which paragraphs the span covers
    offsets = []
    pos = 0
    for n, t in paras:
        offsets.append((n, pos, pos + len(t)))
        pos += len(t) + len(sep)
    first = next((n for n, a, b in offsets if best.start < b + 1), paras[0][0])
    last = next((n for n, a, b in reversed(offsets) if best.end > a), first)
    return best, first, last, text


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


def find_sources(store: Store, quote: str, *, exclude_doc: str | None = None,
                 limit: int = 10) -> list[Source]:
    norm = to_halfwidth(quote).strip()
    if not norm:
        return []
    regions = _regions(store, _candidates(store, norm, exclude_doc))
    best_by_doc: dict[str, Source] = {}
    meta: dict[str, tuple[str | None, str | None, str | None, str | None]] = {}
    for doc_id, paras in regions:
        a, first, last, _ = _align_region(norm, paras)
        if a.score < FOUND:
            continue
        if doc_id not in meta:
            row = store.conn.execute("SELECT title, date, genre, delivered FROM documents WHERE id = ?",
                                     (doc_id,)).fetchone()
            meta[doc_id] = (row[0], row[1], row[2], row[3]) if row else (None, None, None, None)
        title, date, genre, delivered = meta[doc_id]
        ptext = dict(paras)
        src_text = "\n".join(ptext[n] for n in range(first, last + 1) if n in ptext)
        offset = sum(len(t) + 1 for n, t in paras if n < first)
        src = Source(doc_id=doc_id, title=title, date=date, paragraph=first, text=src_text, score=a.score,
                     genre=genre, span=(a.start - offset, a.end - offset),
                     paragraph_end=last if last != first else None, diff=a.diff, delivered=delivered)
        src.identical = a.identical
        old = best_by_doc.get(doc_id)
        if old is None or src.score > old.score:
            best_by_doc[doc_id] = src
    sources = sorted(best_by_doc.values(), key=_sort_key)
    return sources[:limit]


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
    same_words = best.identical and best.score >= IDENTICAL_MIN
    # put the agreeing source first among the primary ones
    sources.sort(key=lambda s: (s is not best, *_sort_key(s)))
    if same_words:
        return "verified", f"same words as {best.doc_id} ¶{best.paragraph}" + (
            f", dated {best.date}" if best.date else "")
    return "variant", f"edited words against {best.doc_id} ¶{best.paragraph}" + (
        f", dated {best.date}" if best.date else "")


def trace(store: Store, text: str, *, date: str | None = None, limit: int = 10,
          exclude_doc: str | None = None, date_end: str | None = None) -> Trace:
    sources = find_sources(store, text, exclude_doc=exclude_doc, limit=limit)
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
