"""Change detection (提法变化): a wording replaced by another in the same frame.

A *frame* is a left and a right context around a slot: up to ``CONTEXT`` Han characters before
the slot and up to ``CONTEXT`` after it (at least ``MIN_SIDE`` on each side; fewer than
``CONTEXT`` where punctuation or a paragraph edge comes first, the edge then being part of the
frame). Two *wordings* fill the same frame when the text around them is identical, e.g.
``资源配置中的`` + ``基础性`` / ``决定性`` + ``作用``. A wording is 0 to ``MAX_MIDDLE`` Han characters;
the empty one finds insertions and expansions in a stable frame (经济持续∅健康发展 / 经济持续快速健康发展).

Every position of the selected text is tried as a slot for every wording length, each (frame,
wording) pair is counted with 64-bit hashes and a sort (as in ``textarrays``), and pairs seen at
least ``min_count`` times in at least two documents are kept; each wording length is reduced at
once to its distinct pairs with their uses per year and their documents, so memory follows the
pairs kept rather than the characters. Within a frame, each pair of
wordings A, B is scored by how cleanly B replaced A over time: for the best split year t,

    switch = share of A's uses before t × share of B's uses from t on

(1.0: every use of A precedes every use of B), with per-year uses normalised by that year's
characters so a long report does not count as a surge; vectorised over all pairs. A change needs
switch ≥ ``MIN_SWITCH``. The difference is then read as whole words: the smallest differing
span, widened on both sides to the segmenter's word boundaries (基础|性 → 基础性, 建|设 → 建设;
a difference inside a word with no boundary near is dropped), and reported in its canonical
frame around that span, so the same change seen through shifted slots is reported once
(``frames`` counts them). Rank: ``switch² × log(1 + min(count A, count B)) × log(2 + frame
length) / √(wordings the frame takes − 1)``. Changes whose wordings are numbers (十二五 → 十三五)
or function words alone (的) are left out. Pairs are read word by word best first by an upper
bound of their rank (their frame taken as ``2·context`` long), and reading stops once no pair
left can enter the first ``limit``; ``frames`` counts the slots among those read.

``expansions=True`` adds frames with a context on the right only, comparing a formulation alone
(all its uses less the expanded ones) with the formulation after added words (依法治国 →
全面依法治国), the added words a whole modifier for the segmenter; they are weighted
``ONE_SIDED_WEIGHT``. It roughly triples the time and is off by default.

Documents without a date take no part (a change is in time).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from lunshu.analysis import textarrays as ta
from lunshu.analysis.timeline import _passage
from lunshu.errors import QueryError

if TYPE_CHECKING:
    from lunshu.store import Store

CONTEXT = 4
MAX_MIDDLE = 8
MIN_SWITCH = 0.6
MIN_SIDE = 2    # Han characters of context on each side at least
MAX_ADDED = 4   # characters an expansion adds before a formulation
EXPANSION_MIN = 4    # uses of an expanded formulation, and of it alone
ONE_SIDED_WEIGHT = 0.7  # a frame with context on one side only is weaker evidence
EXPANSIONS_TRIED = 1500  # the most promising expansions checked word by word
DEFAULT_LIMIT = 50
LIMIT_MAX = 2000
DESCRIBE_BATCH = 500  # pairs read word by word between two checks of the bound
EXAMPLES = 2    # passages of each wording

_M1 = np.uint64(0x9E3779B97F4A7C15)
_M2 = np.uint64(0xC2B2AE3D27D4EB4F)
_M3 = np.uint64(0x165667B19E3779F9)
_NUMERALS = "〇零一二三四五六七八九十百千万亿两"
_FUNCTION = frozenset("的地得和与及了等并之而也就都")
_NUMBERISH = re.compile(rf"^[第{_NUMERALS}届次年月日号期五]*$")


@dataclass
class Example:
    wording: str  # "old" or "new"
    doc_id: str
    date: str | None
    paragraph: int
    text: str
    title: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"wording": self.wording, "doc_id": self.doc_id, "date": self.date, "paragraph": self.paragraph,
                "text": self.text, "title": self.title}


@dataclass
class Change:
    old: str
    new: str
    frame: str
    left: str
    right: str
    old_middle: str
    new_middle: str
    old_last_year: int | None
    new_first_year: int | None
    count_old: int
    count_new: int
    switch: float
    score: float
    years: dict[str, dict[str, int]] = field(default_factory=dict)
    examples: list[Example] = field(default_factory=list)
    frames: int = 1

    def to_dict(self) -> dict[str, Any]:
        return {"old": self.old, "new": self.new, "frame": self.frame, "left": self.left, "right": self.right,
                "old_middle": self.old_middle, "new_middle": self.new_middle,
                "old_last_year": self.old_last_year, "new_first_year": self.new_first_year,
                "count_old": self.count_old, "count_new": self.count_new, "switch": round(self.switch, 4),
                "score": round(self.score, 4), "frames": self.frames, "years": self.years,
                "examples": [e.to_dict() for e in self.examples]}


@dataclass
class Changes:
    changes: list[Change]
    filters: dict[str, Any]
    docs: int
    chars: int

    def to_dict(self) -> dict[str, Any]:
        return {"changes": [c.to_dict() for c in self.changes],
                "selection": {"filters": self.filters, "docs": self.docs, "chars": self.chars}}

    def rows(self) -> list[dict[str, Any]]:
        return [{"old": c.old, "new": c.new, "frame": c.frame, "old_last_year": c.old_last_year,
                 "new_first_year": c.new_first_year, "count_old": c.count_old, "count_new": c.count_new,
                 "switch": round(c.switch, 4), "score": round(c.score, 4)} for c in self.changes]


ROW_COLUMNS = ["old", "new", "frame", "old_last_year", "new_first_year", "count_old", "count_new", "switch", "score"]


def _side_hashes(sel: ta.Selection, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per position i: hash and length of the left context (up to k Han characters ending at i)
    and of the right context (up to k starting at i). A context cut short by an edge has its
    length mixed in, so "edge + 作用" differs from "X作用"."""
    size = len(sel.codes)
    hs: list[np.ndarray] = []
    h = None
    for n in range(1, k + 1):
        h = sel.hashes(n, h)
        hs.append(h)
    # Han characters just before i: back to the last non-Han position before i
    idx = np.arange(size, dtype=np.int64)
    nonhan = np.flatnonzero(~sel.han)
    prev_nb = np.searchsorted(nonhan, idx, side="left") - 1
    rs = np.where(prev_nb >= 0, nonhan[np.maximum(prev_nb, 0)] + 1, 0)
    before = np.minimum(idx - rs, k)
    after = np.minimum(sel.run_left, k).astype(np.int64)
    left = np.zeros(size, dtype=np.uint64)
    right = np.zeros(size, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for n in range(1, k + 1):
            m = before == n
            left[m] = hs[n - 1][idx[m] - n] * _M1 + np.uint64(n)
            m = after == n
            right[m] = hs[n - 1][idx[m]] * _M2 + np.uint64(n)
    return left, before, right, after


def changes(store: Store, *, limit: int = DEFAULT_LIMIT, min_count: int = 2, min_switch: float = MIN_SWITCH,
            context: int = CONTEXT, max_middle: int = MAX_MIDDLE, expansions: bool = False, **filters: Any) -> Changes:
    if limit < 0 or limit > LIMIT_MAX:
        raise QueryError(f"limit must be between 0 and {LIMIT_MAX}")
    if not (1 <= context <= 8) or not (1 <= max_middle <= 16):
        raise QueryError("context must be 1-8 characters and max_middle 1-16")
    if min_count < 1 or not (0.0 < min_switch <= 1.0):
        raise QueryError("min_count must be positive and min_switch in (0, 1]")
    sel = ta.load(store, **filters)
    return detect(sel, limit=limit, min_count=min_count, min_switch=min_switch, context=context,
                  max_middle=max_middle, expansions=expansions)


def detect(sel: ta.Selection, *, limit: int = DEFAULT_LIMIT, min_count: int = 2, min_switch: float = MIN_SWITCH,
           context: int = CONTEXT, max_middle: int = MAX_MIDDLE, expansions: bool = False) -> Changes:
    size = len(sel.codes)
    empty = Changes([], dict(sel.filters), sel.n_docs, int(sel.doc_chars.sum()))
    if size == 0:
        return empty
    left, before, right, after = _side_hashes(sel, context)
    doc = sel.doc_of(np.arange(size, dtype=np.int64))
    year = sel.doc_years[np.clip(doc, 0, max(0, sel.n_docs - 1))] if sel.n_docs else np.zeros(size, np.int32)
    dated = (year > 0) & (doc >= 0)
    idx = np.arange(size, dtype=np.int64)

    # keep (frame, middle) pairs seen min_count times: positions i = slot start, middle length m.
    # Two kinds of frame: a context on each side; and, for expansions (依法治国 → 全面依法治国), a
    # whole context on the right only, the slot before it empty or holding the added words.
    # Each length is reduced at once to its distinct (frame, wording) pairs seen min_count times, with
    # their uses per year and their documents: memory follows the pairs kept, not the positions.
    year_chars = sel.year_chars()
    years_all = sorted(year_chars)
    ny = len(years_all)
    if not ny:
        return empty
    year_index = np.zeros(int(max(years_all)) + 1, dtype=np.int64)
    year_index[years_all] = np.arange(ny)
    nd = max(1, sel.n_docs)
    k_first: list[np.ndarray] = []
    k_m: list[np.ndarray] = []
    k_frame: list[np.ndarray] = []
    k_one: list[np.ndarray] = []
    k_n: list[np.ndarray] = []
    k_docs: list[np.ndarray] = []
    t_pair: list[np.ndarray] = []
    t_year: list[np.ndarray] = []
    t_count: list[np.ndarray] = []
    npairs = 0
    side = min(MIN_SIDE, context)
    for one_sided in (False, True) if expansions else (False,):
        h: np.ndarray | None = None
        for m in range(max_middle + 1 if not one_sided else MAX_ADDED + 1):
            if m >= 1:
                h = sel.hashes(m, h)
            j = np.minimum(idx + m, size - 1)
            right_len = np.where(idx + m < size, after[j], 0)
            # the slot [i, i+m) lies in a run (or is empty), with its context
            ok = (sel.han | np.r_[False, sel.han[:-1]]) if m == 0 else (sel.run_left >= m)
            if one_sided:
                ok &= dated & (right_len >= context)
            else:
                ok &= dated & (before >= side) & (right_len >= side)
            pos = np.flatnonzero(ok)
            del ok, j, right_len
            if not len(pos):
                continue
            rj = right[np.minimum(pos + m, size - 1)]
            with np.errstate(over="ignore"):
                frame = (rj * _M1 + _M2) if one_sided else (left[pos] * _M3 ^ rj)
                mid = (h[pos] if m else np.zeros(len(pos), np.uint64)) * _M1 + np.uint64(m + 1)
                pair = frame ^ (mid * _M2)
            del rj, mid
            starts, order = ta.groups(pair)
            counts = np.diff(np.r_[starts, len(pair)])
            good = counts >= min_count
            if not good.any():
                continue
            group = np.repeat(np.arange(len(starts)), counts)
            occ = good[group]
            local = (np.cumsum(good) - 1)[group[occ]] + npairs
            opos = pos[order[occ]]
            k_first.append(np.minimum.reduceat(pos[order], starts)[good])
            k_frame.append(frame[order[starts[good]]])
            k_m.append(np.full(int(good.sum()), m, dtype=np.int8))
            k_one.append(np.full(int(good.sum()), one_sided, dtype=bool))
            k_n.append(counts[good])
            ukey, ucount = np.unique(local * ny + year_index[year[opos].astype(np.int64)], return_counts=True)
            t_pair.append(ukey // ny)
            t_year.append(ukey % ny)
            t_count.append(ucount)
            k_docs.append(np.bincount(_distinct(local * nd + doc[opos]) // nd - npairs, minlength=int(good.sum())))
            npairs += int(good.sum())
            del pos, frame, pair, starts, order, counts, group, occ, local, opos
    if not npairs:
        return empty
    pos = np.concatenate(k_first)
    mlen = np.concatenate(k_m).astype(np.int64)
    pair_frame = np.concatenate(k_frame)
    one_of = np.concatenate(k_one)
    pair_n = np.concatenate(k_n)
    pair_docs = np.concatenate(k_docs)
    pair_first = np.arange(npairs)
    m_of = mlen
    # frames filled by two wordings at least
    _, frame_inv, frame_n = np.unique(pair_frame, return_inverse=True, return_counts=True)
    multi = frame_n[frame_inv] >= 2
    # one-sided frames only compare the formulation alone with it expanded (two added characters or more)
    nf = int(frame_inv.max()) + 1 if len(frame_inv) else 0
    has_empty = np.bincount(frame_inv, weights=(one_of & (m_of == 0)).astype(float), minlength=nf) > 0
    has_added = np.bincount(frame_inv, weights=(one_of & (m_of >= 2)).astype(float), minlength=nf) > 0
    multi &= ~one_of | (has_empty[frame_inv] & has_added[frame_inv] & (m_of != 1) & (pair_n >= EXPANSION_MIN))
    if not multi.any():
        return empty
    # per (pair, year) uses, for the pairs of frames with two wordings or more
    cand = np.flatnonzero(multi)
    local = np.full(npairs, -1, dtype=np.int64)
    local[cand] = np.arange(len(cand))
    tp, ty, tc = np.concatenate(t_pair), np.concatenate(t_year), np.concatenate(t_count)
    keep_t = local[tp] >= 0
    counts_py = np.zeros((len(cand), ny))
    counts_py[local[tp[keep_t]], ty[keep_t]] = tc[keep_t]
    del tp, ty, tc, keep_t
    ndocs = pair_docs[cand]
    chars = np.array([year_chars[y] for y in years_all]) / 1e6
    # share of each wording's uses (per million characters of the year) before each year
    share_before = counts_py / np.maximum(chars, 1e-9)
    np.cumsum(share_before, axis=1, out=share_before)
    share_before /= np.maximum(share_before[:, -1:], 1e-12)
    share_before = np.hstack([np.zeros((len(cand), 1), np.float32), share_before[:, :-1].astype(np.float32)])
    by_frame: dict[int, list[int]] = {}
    for li in np.flatnonzero(ndocs >= (2 if min_count > 1 else 1)).tolist():
        by_frame.setdefault(int(frame_inv[cand[li]]), []).append(li)
    pa: list[int] = []
    pb: list[int] = []
    nw: list[int] = []
    ea: list[int] = []
    eb: list[int] = []
    for lis in by_frame.values():
        if len(lis) < 2:
            continue
        if one_of[pair_first[cand[lis[0]]]]:
            empty_w = [i for i in lis if mlen[pair_first[cand[i]]] == 0]
            if empty_w:
                for y in lis:
                    if y != empty_w[0] and mlen[pair_first[cand[y]]] >= 2:
                        ea.append(empty_w[0])
                        eb.append(y)
            continue
        top = sorted(lis, key=lambda i: -counts_py[i].sum())[:8]
        for x in top:
            for y in top:
                if x != y:
                    pa.append(x)
                    pb.append(y)
                    nw.append(len(lis))
    found: dict[tuple[str, str, str, str], Change] = {}

    def keep(ch: Change | None) -> None:
        if ch is None:
            return
        key = (ch.left, ch.old_middle, ch.new_middle, ch.right)
        prev = found.get(key)
        if prev is None or ch.score > prev.score:
            if prev is not None:
                ch.frames = prev.frames + 1
            found[key] = ch
        else:
            prev.frames += 1

    if pa:
        ia_, ib_ = np.array(pa), np.array(pb)
        # switch at the best split: A's share before it × B's share from it on
        sw_all = np.zeros(len(ia_))
        for start in range(0, len(ia_), 20_000):
            sl = slice(start, start + 20_000)
            sw_all[sl] = (share_before[ia_[sl]] * (1.0 - share_before[ib_[sl]])).max(axis=1)
        # read the pairs word by word best bound first, and stop once no pair left can enter the
        # first ``limit``: a change's score is at most its bound (its frame is at most 2·context long)
        ok = np.flatnonzero(sw_all >= min_switch)
        totals_py = counts_py.sum(axis=1)
        bound = (sw_all[ok] ** 2 * np.log1p(np.minimum(totals_py[ia_[ok]], totals_py[ib_[ok]]))
                 * math.log(2 + 2 * context) / np.sqrt(np.maximum(1, np.array(nw)[ok] - 1)))
        order = np.argsort(-bound, kind="stable")
        for start in range(0, len(order), DESCRIBE_BATCH):
            if start and len(found) >= limit:
                best = _drop_nested(sorted(found.values(), key=lambda c: (-c.score, c.old, c.new)), limit)
                if len(best) >= limit and bound[order[start]] < best[-1].score:
                    break
            for k in ok[order[start:start + DESCRIBE_BATCH]].tolist():
                a, b = int(cand[ia_[k]]), int(cand[ib_[k]])
                keep(_describe(sel, a, b, nw[k], float(sw_all[k]), counts_py[ia_[k]], counts_py[ib_[k]], years_all,
                               pos, mlen, pair_first, before, after, context))
    if ea:
        # expansions: the formulation without the added words (all its uses less those with them)
        ya = np.maximum(counts_py[ea] - counts_py[eb], 0.0)
        yb = counts_py[eb]
        ra, rb = ya / np.maximum(chars, 1e-9), yb / np.maximum(chars, 1e-9)
        sa = np.hstack([np.zeros((len(ea), 1)), np.cumsum(ra, axis=1)[:, :-1]]) / np.maximum(ra.sum(axis=1), 1e-12)[:, None]
        sb = np.hstack([np.zeros((len(eb), 1)), np.cumsum(rb, axis=1)[:, :-1]]) / np.maximum(rb.sum(axis=1), 1e-12)[:, None]
        sw = (sa * (1.0 - sb)).max(axis=1)
        ok = np.flatnonzero((sw >= min_switch) & (ya.sum(axis=1) >= EXPANSION_MIN))
        cheap = sw[ok] ** 2 * np.log1p(np.minimum(ya[ok].sum(axis=1), yb[ok].sum(axis=1)))
        for k in ok[np.argsort(-cheap, kind="stable")[:EXPANSIONS_TRIED]].tolist():
            keep(_describe(sel, int(cand[ea[k]]), int(cand[eb[k]]), 2, float(sw[k]), ya[k], yb[k], years_all, pos,
                           mlen, pair_first, before, after, context, one_sided=True))
    ranked = sorted(found.values(), key=lambda c: (-c.score, c.old, c.new))
    ranked = _drop_nested(ranked, limit)
    for ch in ranked:
        ch.examples = _examples(sel, ch)
    return Changes(ranked, dict(sel.filters), sel.n_docs, int(sel.doc_chars.sum()))


def _distinct(values: np.ndarray) -> np.ndarray:
    """The distinct values, sorted (a sort: numpy's hashing ``unique`` is many times slower on
    millions of integers)."""
    v = np.sort(values)
    return v[np.r_[True, v[1:] != v[:-1]]] if len(v) else v


def _describe(sel: ta.Selection, a: int, b: int, wordings: int, switch: float, ya: np.ndarray, yb: np.ndarray,
              years_all: list[int], pos: np.ndarray, mlen: np.ndarray, pair_first: np.ndarray, before: np.ndarray,
              after: np.ndarray, context: int, one_sided: bool = False) -> Change | None:
    ia, ib = int(pos[pair_first[a]]), int(pos[pair_first[b]])
    ma, mb = int(mlen[pair_first[a]]), int(mlen[pair_first[b]])
    mid_a, mid_b = sel.text[ia:ia + ma], sel.text[ib:ib + mb]
    if _numberish(mid_a) and _numberish(mid_b):
        return None
    if one_sided and not _whole_expansion(sel, ib, mb, context):
        return None
    lctx = sel.text[ia - int(before[ia]):ia]
    rs = ia + ma
    rctx = sel.text[rs:rs + int(after[rs])] if rs < len(sel.text) else ""
    # the smallest difference: common characters at the ends belong to the frame
    pre = 0
    while pre < min(ma, mb) and mid_a[pre] == mid_b[pre]:
        pre += 1
    suf = 0
    while suf < min(ma, mb) - pre and mid_a[ma - 1 - suf] == mid_b[mb - 1 - suf]:
        suf += 1
    core_a, core_b = mid_a[pre:ma - suf], mid_b[pre:mb - suf]
    if (_numberish(core_a) and _numberish(core_b)) or set(core_a + core_b) <= _FUNCTION:
        return None  # the calendar (十二五 → 十三五), or style (的社会主义 → 社会主义)
    # the frame around the smallest difference, read from the text: the same change seen through a
    # wider or shifted slot gets the same frame, and is reported once
    cs, ce = ia + pre, ia + ma - suf
    if not one_sided:
        # widen the difference to whole words (基础|性作用 → 基础性|作用, 建|设 → 建设): the characters
        # taken from the frame are the same on both sides
        nb, ne = ib + pre, ib + mb - suf
        kl = max(_to_boundary(sel, cs, -1), _to_boundary(sel, nb, -1))
        kr = max(_to_boundary(sel, ce, 1), _to_boundary(sel, ne, 1))
        if kl < 0 or kr < 0 or sel.text[cs - kl:cs] != sel.text[nb - kl:nb] or sel.text[ce:ce + kr] != sel.text[ne:ne + kr]:
            return None  # no word boundary near: a difference inside a long word
        cs, ce = cs - kl, ce + kr
        core_a, core_b = sel.text[cs:ce], sel.text[nb - kl:ne + kr]
    lo = cs
    while lo > 0 and cs - lo < context and sel.han[lo - 1]:
        lo -= 1
    hi = ce
    while hi < len(sel.text) and hi - ce < context and sel.han[hi]:
        hi += 1
    lctx, rctx = ("" if one_sided else sel.text[lo:cs]), sel.text[ce:hi]
    mid_a, mid_b = core_a, core_b
    if not core_a or not core_b:
        # an insertion or a deletion: show it with the words it attaches to
        old, new = (core_a + rctx, core_b + rctx) if rctx else (lctx + core_a, lctx + core_b)
    else:
        old, new = core_a, core_b
    count_a, count_b = int(ya.sum()), int(yb.sum())
    years_a = [years_all[i] for i in np.flatnonzero(ya)]
    years_b = [years_all[i] for i in np.flatnonzero(yb)]
    frame_len = len(lctx) + len(rctx)
    # a frame many wordings fill (社会主义_建设) says little about any two of them
    score = (switch * switch * math.log1p(min(count_a, count_b)) * math.log(2 + frame_len)
             / math.sqrt(max(1, wordings - 1))) * (ONE_SIDED_WEIGHT if one_sided else 1.0)
    years = {str(years_all[i]): {"old": int(ya[i]), "new": int(yb[i])} for i in range(len(years_all))
             if ya[i] or yb[i]}
    return Change(old=old, new=new, frame=f"{lctx}_{rctx}", left=lctx, right=rctx, old_middle=mid_a,
                  new_middle=mid_b, old_last_year=max(years_a) if years_a else None,
                  new_first_year=min(years_b) if years_b else None, count_old=count_a, count_new=count_b,
                  switch=switch, score=score, years=years)


def _to_boundary(sel: ta.Selection, at: int, direction: int, reach: int = 3) -> int:
    """Characters from ``at`` to the nearest word boundary (the segmenter's, in context) going
    left (-1) or right (1); -1 when none is within ``reach``."""
    from lunshu.analysis.formulations import _boundaries

    a = at
    while a > 0 and at - a < 6 and sel.han[a - 1]:
        a -= 1
    b = at
    while b < len(sel.text) and b - at < 6 and sel.han[b]:
        b += 1
    bounds = _boundaries(sel.text[a:b])
    for k in range(reach + 1):
        if (at - a + direction * k) in bounds:
            return k
    return -1


def _whole_expansion(sel: ta.Selection, pos: int, added: int, context: int) -> bool:
    """At this use of the expanded wording (``added`` characters, then the formulation), the added
    words and the formulation are whole words for the segmenter, and the added words qualify it
    (全面|依法治国, not 会主义|伟大旗帜 or 特色社会|主义思想)."""
    from lunshu.analysis.formulations import _jieba

    a = pos
    while a > 0 and pos - a < 4 and sel.han[a - 1]:
        a -= 1
    end = pos + added + context
    b = end
    while b < len(sel.text) and b - end < 3 and sel.han[b]:
        b += 1
    bounds, at = {0}, 0
    tags = _jieba().tag(sel.text[a:b])
    for _, _t in tags:
        at += len(_)
        bounds.add(at)
    if not {pos - a, pos + added - a, end - a} <= bounds:
        return False
    at = 0
    for w, t in tags:  # the added words: no verb, particle or conjunction (坚持|依法治国 is a frame, not a term)
        if pos - a <= at < pos + added - a and t.startswith(("v", "u", "c", "p", "r", "m", "q", "f")):
            return False
        at += len(w)
    return True


def _numberish(s: str) -> bool:
    return bool(s) and bool(_NUMBERISH.match(s)) and any(ch in _NUMERALS for ch in s)


def _drop_nested(ranked: list[Change], limit: int) -> list[Change]:
    """The same replacement seen through a wider or shifted slot (基础性 → 决定性 and 础性 → 定性 …)
    is kept once, at its best score; ``ranked`` is best first."""
    out: list[Change] = []
    by_text: dict[str, list[Change]] = {}
    for ch in ranked:
        if len(out) >= limit:
            break
        # the old wording in its frame: a shifted or wider slot reads the same text
        seen = by_text.get(ch.old + "→" + ch.new, [])
        if not seen and not any((ch.old in o.old and ch.new in o.new) or (o.old in ch.old and o.new in ch.new)
                                for o in out):
            out.append(ch)
        by_text.setdefault(ch.old + "→" + ch.new, []).append(ch)
    return out


def _examples(sel: ta.Selection, ch: Change) -> list[Example]:
    """The last passages of the old wording and the first of the new, in their frame."""
    out: list[Example] = []
    for label, middle, last in (("old", ch.old_middle, True), ("new", ch.new_middle, False)):
        needle = ch.left + middle + ch.right
        hits: list[int] = []
        start = 0
        while len(hits) < 200:
            i = sel.text.find(needle, start)
            if i < 0:
                break
            di = int(sel.doc_of(np.array([i]))[0])
            if di >= 0 and sel.doc_years[di] > 0:
                hits.append(i)
            start = i + 1
        chosen = hits[-EXAMPLES:][::-1] if last else hits[:EXAMPLES]
        for i in chosen:
            p = sel.para_of(i + len(ch.left))
            text = sel.paragraph_text(p)
            off = i + len(ch.left) - int(sel.para_start[p])
            di = int(sel.para_doc[p])
            out.append(Example(label, sel.doc_ids[di], sel.doc_dates[di], int(sel.para_n[p]),
                               _passage(text, off, len(middle)), sel.doc_titles[di]))
    return out
