"""Character-level alignment of a quotation against a source passage, for ``trace``.

Compilations edit what they quote: they abridge with ``……``, drop clauses, change a character,
write half-width punctuation. So the quotation is aligned on its *words* only (letters and
digits; punctuation and whitespace are set aside and restored in the diff), with a local
alignment (Smith–Waterman with affine gaps) in which the gap in the source behind an ellipsis is
free: abridgement is an omission, not an error.

Speed, cheapest first: a quotation whose pieces occur verbatim needs no alignment (``str.find``);
a nearly verbatim one is aligned by rapidfuzz's Levenshtein in C++ against the best window, and
kept when the result is clean; everything else goes to the dynamic programme, whose rows are a
handful of numpy vector operations (the horizontal gap is a running maximum) over a window that
rapidfuzz narrows first. A 300-character quotation against a 3,000-character source: ~0.2 ms
verbatim or with a changed character, ~3-5 ms abridged or with a dropped clause, instead of the
seconds of a pure-Python O(n·m) loop. Quotations too long for one matrix are aligned in pieces.
``align_many`` aligns one quotation against many passages with one batched programme (the
passages side by side in one matrix), for trace's couple of dozen candidates per quotation.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

__all__ = ["Alignment", "align", "align_many", "content_chars"]

# scores (integers, so the matrices are int32)
_MATCH = 4
_MISMATCH = -4
_GAP_OPEN = 7  # cost of the first character of a gap
_GAP_EXT = 1  # cost of each further character ...
_GAP_CAP = 32  # ... up to this many: dropping a whole passage costs no more than a long clause
_NEG = -(1 << 28)
_CHUNK = 24  # quotation chunks located separately to find the source window
_MAX_CELLS = 3_000_000  # one alignment matrix at most (three int32 matrices: 36 MB)
_CHUNK_LONG = 400  # piece size for quotations too long for one matrix
_END_REACH = 240  # how far before/after the alignment a verbatim unaligned end is looked for

# ``……`` / ``…`` / ``...`` / ``。。。`` / ``⋯``: the quotation leaves text out here
_ELLIPSIS = re.compile(r"(?:…|⋯|\.{3,}|。{3,}|．{3,})+")


@dataclass
class Alignment:
    """How a quotation sits in a source passage.

    ``score``: share of the quotation's characters (letters and digits) matched, in order.
    ``start``/``end``: the aligned span in the source (character offsets, ``source[start:end]``).
    ``diff``: the quotation against that span, in order; ``op`` is ``equal``, ``replace``,
    ``insert`` (text the quotation has and the source does not) or ``delete`` (source text the
    quotation leaves out; behind an ellipsis its ``quote`` is the ellipsis). Punctuation travels
    inside the neighbouring piece, so the ``quote`` parts concatenate to the quotation and the
    ``source`` parts to ``source[start:end]``.
    ``identical``: the same words (punctuation width, whitespace and ellipsis omissions aside).
    """

    score: float
    start: int
    end: int
    diff: list[dict[str, str]] = field(default_factory=list)
    identical: bool = False

    def to_dict(self) -> dict[str, object]:
        return {"score": round(self.score, 4), "start": self.start, "end": self.end,
                "diff": self.diff, "identical": self.identical}


# Letters and digits count; everything else (punctuation, symbols, spaces) is set aside.
# Vectorised over the BMP with a lookup table (built once). Text is folded before it gets here,
# with the folding of the search index (``index.Folder.fold``: traditional to simplified, full-width
# to half-width, Latin to lower case), so a quotation is compared as search would find it.
_CONTENT = re.compile(r"[^\W_]")


@lru_cache(maxsize=1)
def _is_content() -> np.ndarray:
    return np.fromiter((chr(c).isalnum() and not 0xD800 <= c < 0xE000 for c in range(0x10000)),
                       dtype=bool, count=0x10000)


def content_chars(text: str) -> tuple[str, list[int]]:
    """The letters and digits of ``text`` and the offset of each one in ``text`` (fold first)."""
    if not text:
        return "", []
    arr = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    if int(arr.max()) >= 0x10000:  # characters beyond the BMP: the slow, general way
        pos = [m.start() for m in _CONTENT.finditer(text)]
        return "".join([text[p] for p in pos]), pos
    idx = np.flatnonzero(_is_content()[arr])
    out = arr[idx].astype("<u4").tobytes().decode("utf-32-le")
    return out, idx.tolist()


def default_fold() -> Callable[[str], str]:
    """The folding of a new database (``index.default_folder``), for alignments outside one."""
    from lunshu import index

    return index.default_folder().fold


def _quote_content(quote: str) -> tuple[str, list[int], dict[int, tuple[int, int]]]:
    """Content of the quotation plus its ellipses: ``{k: (start, end)}`` means an ellipsis sits
    right after content character ``k`` (1-based count of characters before it)."""
    text, pos = content_chars(quote)
    gaps: dict[int, tuple[int, int]] = {}
    for m in _ELLIPSIS.finditer(quote):
        k = sum(1 for p in pos if p < m.start())
        if 0 < k < len(text):
            gaps[k] = (m.start(), m.end())
    return text, pos, gaps


def _window(q: str, s: str, gaps: dict[int, tuple[int, int]], margin: int) -> tuple[int, int]:
    """The part of a long source worth aligning: around where chunks of the quotation occur.

    Chunks, not the whole quotation: a compilation drops clauses and passages without marking
    them, so its parts can sit far apart in the source.
    """
    m = len(s)
    n = len(q)
    if m <= n + 2 * margin + 100:
        return 0, m
    cuts = [0, *sorted(gaps), n]
    lo, hi = m, 0
    for a, b in itertools.pairwise(cuts):
        for c in range(a, b, _CHUNK):
            chunk = q[c:min(b, c + _CHUNK)]
            if len(chunk) < 6 and b - a >= 6:
                chunk = q[max(a, b - 6):b]
            if len(chunk) < 2:
                continue
            r = fuzz.partial_ratio_alignment(chunk, s, score_cutoff=60)
            if r is None:
                continue
            lo = min(lo, r.dest_start)
            hi = max(hi, r.dest_end)
    if lo >= hi:
        r = fuzz.partial_ratio_alignment(q, s)
        if r is None:
            return 0, m
        lo, hi = r.dest_start, r.dest_end
    return max(0, lo - margin), min(m, hi + margin)


def _near_exact(q: str, s: str) -> list[tuple[str, int, int]] | None:
    """Columns for a quotation that is its source with a few edits, from rapidfuzz alone.

    Most quotations are nearly verbatim; for them a global Levenshtein alignment against the best
    window (with a little room either side) is the same alignment the DP would find, at C++
    speed. None when the result is not clean (edits at the ends, too many changes): the DP decides.
    """
    n = len(q)
    r = fuzz.partial_ratio_alignment(q, s, score_cutoff=85)
    if r is None:
        return None
    room = 16 + n // 20
    lo, hi = max(0, r.dest_start - room), min(len(s), r.dest_end + room)
    cols: list[tuple[str, int, int]] = []
    for op in Levenshtein.opcodes(q, s[lo:hi]):
        if op.tag == "equal":
            cols.extend(("M", op.src_start + t, lo + op.dest_start + t) for t in range(op.src_end - op.src_start))
        elif op.tag == "replace":
            k = min(op.src_end - op.src_start, op.dest_end - op.dest_start)
            cols.extend(("X", op.src_start + t, lo + op.dest_start + t) for t in range(k))
            cols.extend(("I", t, -1) for t in range(op.src_start + k, op.src_end))
            cols.extend(("D", -1, lo + t) for t in range(op.dest_start + k, op.dest_end))
        elif op.tag == "delete":
            cols.extend(("I", t, -1) for t in range(op.src_start, op.src_end))
        else:
            cols.extend(("D", -1, lo + t) for t in range(op.dest_start, op.dest_end))
    while cols and cols[0][0] == "D":
        cols.pop(0)
    while cols and cols[-1][0] == "D":
        cols.pop()
    if not cols:
        return None
    matched = sum(1 for c in cols if c[0] == "M")
    # clean ends: the alignment starts and ends on matching text (a changed character allowed, no
    # gap: Levenshtein ties can hang a stray two-character match before a gap, the DP does not)
    head = "".join(c[0] for c in cols[:8])
    tail = "".join(c[0] for c in cols[-8:])
    if (matched < 0.85 * n or any(g in head or g in tail for g in "ID")
            or head.count("M") < min(6, n // 2) or tail.count("M") < min(6, n // 2)):
        return None
    return cols


_SEP = "\uffff"  # between the passages of a batch: never a content character, never in a quotation
_MAX_BATCH = 64  # passages in one batch (bounds the per-passage offsets, see _dp_batch)
_BATCH_CELLS = 2_000_000  # cells of one batched matrix (8 MB of int32)


def _dp_batch(q: str, segs: list[str], free_rows: set[int]) -> tuple[np.ndarray, list[int]]:
    """The local-alignment matrix H of ``q`` against several passages at once.

    One matrix whose columns are the passages side by side, each behind a separator column that
    plays the part of column 0 (H = 0): every numpy operation then serves all the passages, so a
    quotation with two dozen candidate passages costs one programme, not two dozen (the per-call
    overhead of numpy, not the arithmetic, is what a row costs on short passages). The slice of H
    behind a separator is exactly the matrix of that passage alone: no diagonal crosses a separator
    (its substitution score is -inf), and the horizontal gaps (running maxima along the row) are
    kept inside their passage by adding a per-passage offset larger than any score before the
    running maximum and subtracting it after. E (source text skipped) and F (quotation text
    unmatched) are kept one row at a time; the traceback recomputes the few values it needs.
    Returns H and the first column (the separator) of each passage.
    """
    n = len(q)
    text = "".join(_SEP + s for s in segs)
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    C = len(codes)
    starts = [0]
    for s in segs[:-1]:
        starts.append(starts[-1] + len(s) + 1)
    is_sep = codes == ord(_SEP)
    seg_id = np.cumsum(is_sep, dtype=np.int64) - 1
    big = 4 * n + C + _GAP_OPEN + _GAP_EXT * _GAP_CAP + 64  # beyond any score difference in the batch
    if big * len(segs) >= 1 << 30:
        raise ValueError("batch too large for int32 offsets")
    off = (seg_id * big).astype(np.int32)
    ramp = _GAP_EXT * np.arange(C, dtype=np.int32)
    ramp_off = ramp + off  # ext * j + offset of j's passage
    ebase_off = (_GAP_OPEN + ramp[:-1]) + off[1:]  # open + ext * (j - 1) + offset, for j = 1..C-1
    cap_cost = _GAP_OPEN + _GAP_EXT * _GAP_CAP
    far_sub = cap_cost + off[_GAP_CAP + 1:]  # for origins k <= j - 1 - cap
    sub_base = np.where(is_sep, np.int32(_NEG), np.int32(_MISMATCH)).astype(np.int32)
    subs: dict[str, np.ndarray] = {}
    zero = np.zeros(C, dtype=np.int32)
    H = np.empty((n + 1, C), dtype=np.int32)
    H[0] = 0
    f = np.full(C, _NEG, dtype=np.int32)
    f_prev = np.full(C, _NEG, dtype=np.int32)
    e = np.full(C, _NEG, dtype=np.int32)  # e[0] stays -inf: column 0 is a separator
    tmp = np.empty(C, dtype=np.int32)
    far = np.empty(max(0, C - _GAP_CAP - 1), dtype=np.int32)
    has_far = C > _GAP_CAP + 1
    for i in range(1, n + 1):
        ch = q[i - 1]
        sub = subs.get(ch)
        if sub is None:
            sub = np.where(codes == ord(ch), np.int32(_MATCH), sub_base).astype(np.int32, copy=False)
            subs[ch] = sub
        hp, h = H[i - 1], H[i]
        # F (a gap in the source: quotation characters unmatched), linear cost
        np.subtract(hp, _GAP_OPEN, out=f)
        np.subtract(f_prev, _GAP_EXT, out=tmp)
        np.maximum(f, tmp, out=f)
        np.maximum(f, zero, out=h)
        np.add(hp[:-1], sub[1:], out=tmp[1:])
        np.maximum(h[1:], tmp[1:], out=h[1:])
        # E (source text skipped): E[j] = max_{k<j} h[k] - open - ext*min(j-1-k, cap), a running
        # maximum; behind an ellipsis (row i) the gap costs nothing
        if i in free_rows:
            np.add(h, off, out=tmp)
            np.maximum.accumulate(tmp[:-1], out=e[1:])
            np.subtract(e[1:], off[1:], out=e[1:])
        else:
            np.add(h, ramp_off, out=tmp)
            np.maximum.accumulate(tmp[:-1], out=e[1:])
            np.subtract(e[1:], ebase_off, out=e[1:])
            if has_far:
                np.add(h, off, out=tmp)
                np.maximum.accumulate(tmp, out=tmp)
                np.subtract(tmp[: C - _GAP_CAP - 1], far_sub, out=far)
                np.maximum(e[_GAP_CAP + 1:], far, out=e[_GAP_CAP + 1:])
        np.maximum(h, e, out=h)
        f, f_prev = f_prev, f
    return H, starts


def _exact(q: str, s: str, gaps: dict[int, tuple[int, int]]) -> list[tuple[str, int, int]] | None:
    """Columns for a quotation whose pieces occur verbatim, in order: no alignment needed."""
    cuts = [0, *sorted(gaps), len(q)]
    pieces = [(a, q[a:b]) for a, b in itertools.pairwise(cuts)]
    starts: list[int] = []
    at = 0
    for _, piece in pieces:
        k = s.find(piece, at)
        if k < 0:
            return None
        starts.append(k)
        at = k + len(piece)
    # pull earlier pieces forward to their last occurrence before the next one: the tightest span
    for t in range(len(pieces) - 2, -1, -1):
        starts[t] = s.rfind(pieces[t][1], starts[t], starts[t + 1])
    cols: list[tuple[str, int, int]] = []
    prev_end = -1
    for (a, piece), k in zip(pieces, starts, strict=True):
        if prev_end >= 0:
            cols.extend(("D", -1, j) for j in range(prev_end, k))
        cols.extend(("M", a + t, k + t) for t in range(len(piece)))
        prev_end = k + len(piece)
    return cols


def _gap_cost(i: int, j: int, free_rows: set[int]) -> np.ndarray:
    """Cost of a gap in row ``i`` from each origin column k < j to column j."""
    if i in free_rows:
        return np.zeros(j, dtype=np.int32)
    ks = np.arange(j, dtype=np.int32)
    return _GAP_OPEN + _GAP_EXT * np.minimum(j - 1 - ks, _GAP_CAP)


def _traceback(q: str, s: str, H: np.ndarray, free_rows: set[int],
               i: int, j: int) -> list[tuple[str, int, int]]:
    """Columns of the alignment ending at (i, j), in order: ``(op, qi, sj)`` with op in
    M (match), X (mismatch), I (quotation only, sj = -1), D (source only, qi = -1).

    Only H is stored: E and F at a cell are recomputed from H's row or column (a running maximum
    over gap origins), which the traceback needs only where a gap starts.
    """
    cols: list[tuple[str, int, int]] = []
    while i > 0 and j > 0:
        h = int(H[i, j])
        if h == 0:
            break
        sub = _MATCH if q[i - 1] == s[j - 1] else _MISMATCH
        if h == int(H[i - 1, j - 1]) + sub:
            cols.append(("M" if sub == _MATCH else "X", i - 1, j - 1))
            i -= 1
            j -= 1
            continue
        row = H[i, :j] - _gap_cost(i, j, free_rows)
        if h == int(row.max()):  # E: source text skipped; the nearest origin that explains it
            k = int(np.flatnonzero(row == h)[-1])
            cols.extend(("D", -1, t) for t in range(j - 1, k - 1, -1))
            j = k
            continue
        # F: quotation text unmatched, from the nearest row that explains it
        ks = np.arange(i, dtype=np.int32)
        col = H[:i, j] - (_GAP_OPEN + _GAP_EXT * (i - 1 - ks))
        k = int(np.flatnonzero(col == int(col.max()))[-1])
        cols.extend(("I", r, -1) for r in range(i - 1, k - 1, -1))
        i = k
    cols.reverse()
    return cols


Cols = list[tuple[str, int, int]]


def align(quote: str, source: str, fold: Callable[[str], str] | None = None) -> Alignment:
    """Align ``quote`` against ``source`` (a passage: one or a few paragraphs joined), both folded
    with ``fold`` (default: ``default_fold()``; trace passes its database's)."""
    return align_many(quote, [source], fold=fold)[0]


def _no_alignment(quote: str) -> Alignment:
    return Alignment(0.0, 0, 0, [{"op": "insert", "quote": quote, "source": ""}] if quote else [], False)


def align_many(quote: str, sources: Sequence[str],
               contents: Sequence[tuple[str, list[int]]] | None = None,
               fold: Callable[[str], str] | None = None) -> list[Alignment]:
    """``align(quote, s)`` for each passage ``s``, the same results, in less time.

    Why: a quotation traced in a large corpus has a couple of dozen candidate passages; those that
    need the dynamic programme share one batched programme (see ``_dp_batch``) instead of paying
    numpy's per-call overhead once per passage. ``contents``: ``content_chars`` of each passage
    (folded), when the caller has them already. The alignment runs on the folded texts (``fold``
    keeps lengths, so offsets hold) and the diff shows the originals.
    """
    fold = fold or default_fold()
    q, qpos, gaps = _quote_content(fold(quote))
    if contents is None:
        contents = [content_chars(fold(s)) for s in sources]
    out: list[Alignment] = [_no_alignment(quote) for _ in sources]
    if not q:
        return out
    cols_of: dict[int, Cols] = {}
    pending: list[int] = []
    for k, (s_all, _) in enumerate(contents):
        if not s_all:
            continue
        cols = _exact(q, s_all, gaps)
        if cols is None and not gaps and len(q) >= 8:
            cols = _near_exact(q, s_all)
        if cols is None:
            pending.append(k)
        else:
            cols_of[k] = cols
    if pending:
        local = _local_many(q, [contents[k][0] for k in pending], gaps)
        for k, got in zip(pending, local, strict=True):
            cols_of[k] = got if got is not None else _chunked(q, contents[k][0], gaps)
    for k, cols in cols_of.items():
        if cols and any(c[1] >= 0 for c in cols) and any(c[2] >= 0 for c in cols):
            out[k] = _build(quote, sources[k], q, qpos, contents[k][1], gaps, cols)
    return out


def _local(q: str, s_all: str, gaps: dict[int, tuple[int, int]]) -> Cols | None:
    return _local_many(q, [s_all], gaps)[0]


def _local_many(q: str, sources: list[str], gaps: dict[int, tuple[int, int]]) -> list[Cols | None]:
    """The best local alignment of ``q`` in each of ``sources`` (source indices into it); ``[]``
    when nothing aligns, None when the problem is too big for one matrix."""
    free_rows = set(gaps)
    out: list[Cols | None] = [None] * len(sources)
    margin = [len(q) // 4 + 30] * len(sources)
    todo = list(range(len(sources)))
    while todo:
        jobs: list[tuple[int, int, int]] = []
        for k in todo:
            lo, hi = _window(q, sources[k], gaps, margin[k])
            if len(q) * (hi - lo) <= _MAX_CELLS:
                jobs.append((k, lo, hi))
        found = _sw_many(q, [sources[k][lo:hi] for k, lo, hi in jobs], free_rows)
        todo = []
        for (k, lo, hi), res in zip(jobs, found, strict=True):
            s_all = sources[k]
            if res is None:
                out[k] = []
                continue
            best, cols = res
            s_idx = [c[2] for c in cols if c[2] >= 0]
            # an alignment that runs into the edge of a narrowed window may continue beyond it
            touches = (lo > 0 and s_idx[0] < 8) or (hi < len(s_all) and s_idx[-1] >= hi - lo - 8)
            weak = best < _MATCH * len(q) // 5  # not this quotation's source anyway
            if not touches or weak or (lo == 0 and hi == len(s_all)):
                out[k] = _extend(q, s_all, [(t, qi, sj + lo if sj >= 0 else -1) for t, qi, sj in cols])
            else:
                margin[k] *= 4
                todo.append(k)
    return out


def _sw_many(q: str, segs: list[str], free_rows: set[int]) -> list[tuple[int, Cols] | None]:
    """(best score, columns) of the best local alignment of ``q`` in each passage, None when nothing
    scores above zero; the passages go through ``_dp_batch`` in batches of bounded size."""
    out: list[tuple[int, Cols] | None] = [None] * len(segs)
    n = len(q)
    batch: list[int] = []
    cells = 0

    def run() -> None:
        H, starts = _dp_batch(q, [segs[k] for k in batch], free_rows)
        for k, c0 in zip(batch, starts, strict=True):
            w = len(segs[k]) + 1
            view = H[:, c0:c0 + w]
            bi, bj = divmod(int(np.argmax(view)), w)
            best = int(view[bi, bj])
            if best > 0:
                out[k] = best, _traceback(q, segs[k], view, free_rows, bi, bj)

    for k, s in enumerate(segs):
        w = len(s) + 1
        if batch and (cells + n * w > _BATCH_CELLS or len(batch) >= _MAX_BATCH):
            run()
            batch, cells = [], 0
        batch.append(k)
        cells += n * w
    if batch:
        run()
    return out


def _chunked(q: str, s_all: str, gaps: dict[int, tuple[int, int]]) -> Cols:
    """A quotation too long for one matrix (a whole speech pasted in): align it piece by piece,
    each piece after the previous one in the source, and stitch the pieces together."""
    cols: Cols = []
    s_at = 0  # the next piece is looked for from here on
    last_s = -1
    for a in range(0, len(q), _CHUNK_LONG):
        b = min(len(q), a + _CHUNK_LONG)
        sub_gaps = {k - a: v for k, v in gaps.items() if a < k < b}
        sub = _local(q[a:b], s_all[s_at:], sub_gaps) or []
        got = [(t, qi + a if qi >= 0 else -1, sj + s_at if sj >= 0 else -1) for t, qi, sj in sub]
        q_idx = [c[1] for c in got if c[1] >= 0]
        s_idx = [c[2] for c in got if c[2] >= 0]
        if not q_idx or not s_idx:
            cols.extend(("I", k, -1) for k in range(a, b))
            continue
        cols.extend(("I", k, -1) for k in range(a, q_idx[0]))
        if last_s >= 0:
            cols.extend(("D", -1, j) for j in range(last_s + 1, s_idx[0]))
        cols.extend(got)
        cols.extend(("I", k, -1) for k in range(q_idx[-1] + 1, b))
        last_s = s_idx[-1]
        s_at = last_s + 1
    return cols


def _extend(q: str, s: str, cols: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """Carry the alignment over the quotation's unaligned ends when they sit on changed text.

    A local alignment stops before a changed last character (``共同把握`` against ``共同掌握``
    scores no better with it than without); a compilation's diff should still show that as a
    replacement, not as text the source lacks. Tiny ends, or ends that half match the
    neighbouring source text, are aligned to it; anything else stays an insertion.
    """
    q_idx = [c[1] for c in cols if c[1] >= 0]
    s_idx = [c[2] for c in cols if c[2] >= 0]
    if not q_idx or not s_idx:
        return cols
    qf, ql, sf, sl = q_idx[0], q_idx[-1], s_idx[0], s_idx[-1]
    head: list[tuple[str, int, int]] = []
    tail: list[tuple[str, int, int]] = []
    if qf > 0 and sf > 0:
        # a short opening clause kept while the clause after it was dropped (时隔一年，[…]，同…):
        # too few characters to pay for the gap in the DP, but there, verbatim, just before
        k = s.rfind(q[:qf], max(0, sf - _END_REACH), sf)
        if qf >= 2 and k >= 0:
            head = [("M", t, k + t) for t in range(qf)] + [("D", -1, j) for j in range(k + qf, sf)]
        else:
            qa, sa = 0, max(0, sf - qf)
            head = _end_cols(q[qa:qf], s[sa:sf], qa, sa, at_start=True)
    if ql < len(q) - 1 and sl < len(s) - 1:
        n_tail = len(q) - 1 - ql
        k = s.find(q[ql + 1:], sl + 1, sl + 1 + _END_REACH)
        if n_tail >= 2 and k >= 0:
            tail = [("D", -1, j) for j in range(sl + 1, k)] + [("M", ql + 1 + t, k + t) for t in range(n_tail)]
        else:
            tail = _end_cols(q[ql + 1:], s[sl + 1: sl + 1 + n_tail], ql + 1, sl + 1, at_start=False)
    return head + cols + tail


def _end_cols(qs: str, ss: str, qa: int, sa: int, at_start: bool) -> list[tuple[str, int, int]]:
    if not qs or not ss:
        return []
    ops = Levenshtein.editops(qs, ss)
    cols: list[tuple[str, int, int]] = []
    qi = si = 0
    for op in [*ops, None]:
        stop_q = op.src_pos if op is not None else len(qs)
        stop_s = op.dest_pos if op is not None else len(ss)
        while qi < stop_q and si < stop_s:
            cols.append(("M", qa + qi, sa + si))
            qi += 1
            si += 1
        if op is None:
            break
        if op.tag == "replace":
            cols.append(("X", qa + qi, sa + si))
            qi += 1
            si += 1
        elif op.tag == "delete":
            cols.append(("I", qa + qi, -1))
            qi += 1
        else:
            cols.append(("D", -1, sa + si))
            si += 1
    while qi < len(qs):
        cols.append(("I", qa + qi, -1))
        qi += 1
    while si < len(ss):
        cols.append(("D", -1, sa + si))
        si += 1
    # source text beyond the quotation's end is not part of the span
    if at_start:
        while cols and cols[0][0] == "D":
            cols.pop(0)
    else:
        while cols and cols[-1][0] == "D":
            cols.pop()
    matches = sum(1 for c in cols if c[0] == "M")
    if len(qs) <= 2 or 2 * matches >= len(qs):
        return cols
    return []


@dataclass
class _Run:
    op: str
    qa: int  # content index range in the quotation
    qb: int
    sa: int  # content index range in the (windowed) source
    sb: int
    omitted: bool = False  # a source gap behind an ellipsis


_OPS = {"M": "equal", "X": "replace", "I": "insert", "D": "delete"}


def _build(quote: str, source: str, q: str, qpos: list[int], spos: list[int],
           gaps: dict[int, tuple[int, int]], cols: list[tuple[str, int, int]]) -> Alignment:
    """Turn alignment columns on content characters into a diff on the original strings."""
    n = len(q)
    matched = sum(1 for c in cols if c[0] == "M")
    q_first = next(c[1] for c in cols if c[1] >= 0)
    q_last = max(c[1] for c in cols if c[1] >= 0)
    s_first = next(c[2] for c in cols if c[2] >= 0)
    s_last = max(c[2] for c in cols if c[2] >= 0)

    runs: list[_Run] = []
    if q_first > 0:
        runs.append(_Run("insert", 0, q_first, s_first, s_first))
    for tag, qi, sj in cols:
        op = _OPS[tag]
        row = runs[-1].qb if runs else q_first  # quotation characters consumed so far
        omitted = op == "delete" and row in gaps
        if runs:
            last = runs[-1]
            same = last.op == op and last.omitted == omitted
            # mismatches and the gaps next to them read as one replacement
            mix = last.op != "equal" and op != "equal" and last.op != op and not omitted and not last.omitted
            if same or mix:
                if mix:
                    last.op = "replace"
                if qi >= 0:
                    last.qb = qi + 1
                if sj >= 0:
                    last.sb = sj + 1
                continue
        prev_q = runs[-1].qb if runs else q_first
        prev_s = runs[-1].sb if runs else s_first
        runs.append(_Run(op, qi if qi >= 0 else prev_q, qi + 1 if qi >= 0 else prev_q,
                         sj if sj >= 0 else prev_s, sj + 1 if sj >= 0 else prev_s, omitted))
    if q_last < n - 1:
        runs.append(_Run("insert", q_last + 1, n, s_last + 1, s_last + 1))

    # content index ranges -> original offsets; punctuation rides with the piece before it
    start = spos[s_first]
    end = spos[s_last] + 1

    def q_cut(k: int) -> int:
        return 0 if k <= 0 else len(quote) if k >= n else qpos[k]

    def s_cut(k: int) -> int:
        return start if k <= s_first else end if k > s_last else spos[k]

    diff: list[dict[str, str]] = []
    last_i = len(runs) - 1
    for idx, r in enumerate(runs):
        q0 = q_cut(r.qa) if idx > 0 else 0
        q1 = q_cut(r.qb) if idx < last_i else len(quote)
        s0 = s_cut(r.sa) if idx > 0 else start
        s1 = s_cut(r.sb) if idx < last_i else end
        diff.append({"op": r.op, "quote": quote[q0:q1], "source": source[s0:s1]})
    # an omission shows the ellipsis as its quotation side: move it out of the piece before
    for k in range(1, len(diff)):
        if runs[k].omitted:
            prev = diff[k - 1]
            m = _ELLIPSIS.search(prev["quote"])
            if m:
                diff[k]["quote"] = prev["quote"][m.start():] + diff[k]["quote"]
                prev["quote"] = prev["quote"][: m.start()]
    identical = matched == n and all(r.op == "equal" or (r.op == "delete" and r.omitted) for r in runs)
    diff = [d for d in diff if d["quote"] or d["source"]]
    return Alignment(matched / n, start, end, diff, identical)
