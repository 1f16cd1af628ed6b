"""The text of a selection of documents as numpy arrays, and exact n-gram counting over it.

Shared by formulation discovery, keyness and change detection (``formulations.py``,
``keyness.py``, ``changes.py``). The selected documents' paragraphs are laid end to end in
document order (date, then id; undated documents last), one separator between paragraphs, as an
array of code points. Only runs of Han characters (CJK ideographs and 〇) count: punctuation,
digits, Latin letters, spaces and the separators are boundaries that no n-gram crosses.

N-grams are identified by a 64-bit polynomial hash of their code points, computed for every
length by one vectorised step from the length before (``h_n = h_{n-1}·B + c[i+n-1]``); equal
strings get equal hashes, and a collision between two different strings of the same length has
a probability of about 2⁻⁶⁴ per pair. ``np.unique`` then counts them. Counts here are of
overlapping occurrences; periodic strings (``共同共同``), the only ones where this differs from
``str.count``, are never offered as formulations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from lunshu.analysis.timeline import period_of

if TYPE_CHECKING:
    from lunshu.store import Store

HASH_BASE = np.uint64(1_000_003)
FILTER_KEYS = ("speaker", "genre", "source", "date_from", "date_to")


def han_mask(codes: np.ndarray) -> np.ndarray:
    """True where the code point is a Han character (URO, extension A, compatibility, 〇)."""
    return (((codes >= 0x4E00) & (codes <= 0x9FFF)) | ((codes >= 0x3400) & (codes <= 0x4DBF))
            | ((codes >= 0xF900) & (codes <= 0xFAFF)) | (codes == 0x3007)
            | ((codes >= 0x20000) & (codes <= 0x3134F)))


@dataclass
class Selection:
    """The documents a query selected, their text as one array, and where each piece starts."""

    text: str
    codes: np.ndarray          # uint32 code points of ``text``
    han: np.ndarray            # bool: a Han character
    run_left: np.ndarray       # int32: Han characters from here to the end of the run (0 off runs)
    doc_ids: list[str]
    doc_dates: list[str | None]
    doc_titles: list[str | None]
    doc_years: np.ndarray      # int32 per document, 0 when undated
    doc_chars: np.ndarray      # float64 per document: its stored character count (per-million base)
    doc_start: np.ndarray      # int64 offset of each document's first paragraph
    para_start: np.ndarray     # int64 offset of each paragraph
    para_doc: np.ndarray       # int32 document index of each paragraph
    para_n: np.ndarray         # int32 paragraph number (1-based) in its document
    filters: dict[str, Any] = field(default_factory=dict)

    @property
    def n_docs(self) -> int:
        return len(self.doc_ids)

    def doc_of(self, pos: np.ndarray) -> np.ndarray:
        return (np.searchsorted(self.doc_start, pos, side="right") - 1).astype(np.int32)

    def para_of(self, pos: int) -> int:
        return int(np.searchsorted(self.para_start, pos, side="right") - 1)

    def paragraph_text(self, p: int) -> str:
        a = int(self.para_start[p])
        b = int(self.para_start[p + 1]) - 1 if p + 1 < len(self.para_start) else len(self.text)
        return self.text[a:b]

    def year_chars(self) -> dict[int, float]:
        """Characters of the selected documents per year (undated left out)."""
        out: dict[int, float] = {}
        for y, c in zip(self.doc_years.tolist(), self.doc_chars.tolist()):
            if y:
                out[y] = out.get(y, 0.0) + c
        return out

    def hashes(self, n: int, prev: np.ndarray | None) -> np.ndarray:
        """Hash of the n characters starting at each position (valid where ``run_left >= n``)."""
        size = len(self.codes)
        if prev is None:
            return self.codes.astype(np.uint64)
        h = np.zeros(size, dtype=np.uint64)
        m = size - n + 1
        if m > 0:
            with np.errstate(over="ignore"):
                h[:m] = prev[:m] * HASH_BASE + self.codes[n - 1:].astype(np.uint64)
        return h


def check_filters(filters: dict[str, Any]) -> dict[str, Any]:
    from lunshu.errors import QueryError

    unknown = set(filters) - set(FILTER_KEYS)
    if unknown:
        raise QueryError(f"unknown filter(s): {', '.join(sorted(unknown))}")
    return {k: v for k, v in filters.items() if v not in (None, "")}


def load(store: Store, only: set[str] | None = None, **filters: Any) -> Selection:
    """Read the paragraphs of the documents the filters keep (the same filters as ``docs``);
    ``only``: of these, only the documents with these ids."""
    filters = check_filters(filters)
    where, args = store.doc_filter_sql(**filters, alias="d")
    doc_where = f" WHERE {where}" if where else ""
    order = "d.date IS NULL, d.date, d.id"
    doc_ids: list[str] = []
    dates: list[str | None] = []
    titles: list[str | None] = []
    chars: list[float] = []
    index: dict[str, int] = {}
    for doc_id, date, n_chars, title in store.execute(
            f"SELECT d.id, d.date, d.chars, d.title FROM documents d{doc_where} ORDER BY {order}", args):
        if only is not None and doc_id not in only:
            continue
        index[doc_id] = len(doc_ids)
        doc_ids.append(doc_id)
        dates.append(date)
        titles.append(title)
        chars.append(float(n_chars or 0))
    pieces: list[str] = []
    para_start: list[int] = []
    para_doc: list[int] = []
    para_n: list[int] = []
    doc_start = [0] * len(doc_ids)
    seen_doc = [False] * len(doc_ids)
    offset = 0
    sql = ("SELECT p.doc_id, p.n, p.text FROM paragraphs p JOIN documents d ON d.id = p.doc_id"
           f"{doc_where} ORDER BY {order}, p.n")
    for doc_id, n, text in store.execute(sql, args):
        di = index.get(doc_id, -1)
        if di < 0:
            continue
        if not seen_doc[di]:
            seen_doc[di] = True
            doc_start[di] = offset
        para_start.append(offset)
        para_doc.append(di)
        para_n.append(int(n))
        pieces.append(text)
        offset += len(text) + 1
    # documents without paragraphs start where the next one does (they hold no text)
    nxt = offset
    for di in range(len(doc_ids) - 1, -1, -1):
        if not seen_doc[di]:
            doc_start[di] = nxt
        nxt = doc_start[di]
    text = "\n".join(pieces)
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32) if text else np.zeros(0, np.uint32)
    han = han_mask(codes)
    years = np.array([int(p) if (p := period_of(d, "year")) else 0 for d in dates], dtype=np.int32)
    return Selection(text=text, codes=codes, han=han, run_left=_run_left(han), doc_ids=doc_ids,
                     doc_dates=dates, doc_titles=titles, doc_years=years,
                     doc_chars=np.array(chars, dtype=np.float64),
                     doc_start=np.array(doc_start, dtype=np.int64), para_start=np.array(para_start, dtype=np.int64),
                     para_doc=np.array(para_doc, dtype=np.int32), para_n=np.array(para_n, dtype=np.int32),
                     filters=filters)


def _run_left(han: np.ndarray) -> np.ndarray:
    """For each position, the Han characters from it to the end of its run (0 on a boundary)."""
    size = len(han)
    if not size:
        return np.zeros(0, np.int32)
    idx = np.arange(size, dtype=np.int64)
    boundary = np.flatnonzero(~han)
    nxt = np.searchsorted(boundary, idx, side="left")
    nb = np.append(boundary, size)[nxt]
    return np.where(han, nb - idx, 0).astype(np.int32)


@dataclass
class Grams:
    """The distinct n-grams of one length that occur at least ``min_count`` times."""

    n: int
    keys: np.ndarray    # uint64 hash per distinct n-gram (sorted)
    counts: np.ndarray  # int64 occurrences
    first: np.ndarray   # int64 position of the first occurrence
    pos: np.ndarray     # int64 positions of every occurrence of the kept n-grams
    gid: np.ndarray     # int64 index into keys for each of ``pos``


def count_grams(sel: Selection, n: int, h: np.ndarray, min_count: int, mask: np.ndarray | None = None) -> Grams:
    """Count the n-grams starting where ``mask`` is true (default: wherever n Han characters follow)."""
    valid = np.flatnonzero(sel.run_left >= n if mask is None else mask)
    starts, order = groups(h[valid])
    sorted_pos = valid[order]
    sk = h[valid][order]
    counts = np.diff(np.r_[starts, len(sk)]).astype(np.int64)
    keep = counts >= min_count
    first = np.minimum.reduceat(sorted_pos, starts) if len(starts) else np.zeros(0, np.int64)
    group = np.repeat(np.arange(len(starts)), counts)
    occ = keep[group]
    remap = np.cumsum(keep) - 1
    # occurrences come grouped by n-gram, not in text order: nothing downstream needs text order
    return Grams(n=n, keys=sk[starts][keep], counts=counts[keep], first=first[keep], pos=sorted_pos[occ],
                 gid=remap[group[occ]].astype(np.int64))


def groups(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(start of each run of equal values in sorted order, the sorting permutation).

    ``np.unique(return_index=True)`` sorts with a stable merge sort; an unstable sort and a
    ``minimum.reduceat`` for the first positions is several times faster on millions of keys.
    """
    order = np.argsort(values)
    sv = values[order]
    starts = np.flatnonzero(np.r_[True, sv[1:] != sv[:-1]]) if len(sv) else np.zeros(0, np.int64)
    return starts, order


def neighbour_stats(sel: Selection, g: Grams, side: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Branching entropy (nats), the share of the commonest neighbour, and the position of one
    occurrence with that neighbour, per n-gram, on one side.

    A boundary (punctuation, paragraph edge) counts as a new neighbour every time: it frees the
    unit as much as any character can. The share of the commonest neighbour is 0 (and its
    position -1) when every neighbour is a boundary.
    """
    k = len(g.keys)
    if not k:
        return np.zeros(0), np.zeros(0), np.zeros(0, np.int64)
    npos = g.pos - 1 if side == "left" else g.pos + g.n
    inside = (npos >= 0) & (npos < len(sel.codes))
    npos_c = np.clip(npos, 0, max(0, len(sel.codes) - 1))
    is_char = inside & sel.han[npos_c]
    total = g.counts.astype(np.float64)
    # boundaries: each a distinct neighbour, probability 1/c each
    nb = np.bincount(g.gid[~is_char], minlength=k).astype(np.float64)
    ent = np.where(nb > 0, nb / total * np.log(total), 0.0)
    pair = (g.gid[is_char].astype(np.uint64) << np.uint64(21)) | sel.codes[npos_c[is_char]].astype(np.uint64)
    starts, order = groups(pair)
    occ_pos = g.pos[is_char][order]
    upair = pair[order][starts]
    pc = np.diff(np.r_[starts, len(pair)])
    owner = (upair >> np.uint64(21)).astype(np.int64)
    p = pc / total[owner]
    ent += np.bincount(owner, weights=-p * np.log(p), minlength=k)
    share = np.zeros(k)
    dom_pos = np.full(k, -1, dtype=np.int64)
    if len(owner):
        # the commonest neighbour of each n-gram: sort by (owner, count) and take each group's last
        order = np.lexsort((pc, owner))
        last = order[np.r_[owner[order][1:] != owner[order][:-1], True]]
        share[owner[last]] = p[last]
        dom_pos[owner[last]] = occ_pos[starts[last]]
    return ent, share, dom_pos


def gram_text(sel: Selection, pos: int, n: int) -> str:
    return sel.text[pos:pos + n]
