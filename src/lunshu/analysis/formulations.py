"""Formulation discovery (提法): recurring character sequences that behave as units.

A formulation here is a sequence of 4–16 Han characters (``min_len``/``max_len``) that

* recurs: at least ``min_count`` occurrences in at least ``min_docs`` documents of the selection;
* never crosses punctuation, digits, Latin letters or a paragraph edge (they end every run);
* is free at both ends: its left and right branching entropies (over the characters seen just
  before and just after its occurrences, each boundary counting as a new neighbour) are at least
  ``MIN_ENTROPY`` nats, and no single neighbour accounts for more than ``MAX_SHARE`` of its
  occurrences — so ``供给侧结构性改`` (always followed by 革) or ``面从严治党`` (always preceded by
  全) are not units, and a maximal repeat is kept in place of its fragments;
* is not a word: the general dictionary of the segmenter (rjieba's own, without lunshu's
  formulation lexicon) does not hold it as one word, so 社会主义 or 实事求是 are not offered, and
  it neither starts nor ends with a function word (particle, preposition, conjunction, pronoun
  or adverb, by the segmenter's part-of-speech tag: 的发展, 进一步加强 are not units);
* is not periodic (``共同共同``).

Each is reported with its count, documents, counts per year (count, docs, per million
characters of that year's selected documents, as ``timeline`` counts them), its first
appearance (the earliest dated occurrence, with its passage) and its dispersion over documents,
Gries' DP normalised (``dispersion``: 0 = spread over the documents in proportion to their
sizes, 1 = all in the smallest document). Ranking: ``count^0.5 × min(left, right entropy) ×
(1 - DP/2)`` — frequent, free, and used across documents.

With ``new_since=Y`` only formulations whose first appearance (in the whole selection) is in or
after Y are kept, ranked by how established they became (``establishment``): ``log(1 + years
used) × (years used / years with documents since the first use) × log(1 + uses per year used) ×
(1 + share of uses in quotation marks)`` — used in many years, in most years since it appeared,
often in each, and named as a formulation (“四个全面”).

A candidate that is a verb and another candidate (深化|供给侧结构性改革) is left out as that
candidate in context, unless it holds at least ``NESTED_SHARE`` of the shorter one's uses: then
the longer string is the unit (统筹|发展和安全 is the formulation 统筹发展和安全).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

from lunshu.analysis import textarrays as ta
from lunshu.analysis.timeline import PASSAGE_CHARS, FirstUse, PeriodCount, _passage
from lunshu.errors import QueryError

if TYPE_CHECKING:
    from lunshu.store import Store

MIN_LEN, MAX_LEN = 4, 16
MIN_ENTROPY = 0.1       # nats, on each side: two different neighbours at least
MAX_SHARE = 0.85        # the commonest neighbour on either side
NESTED_SHARE = 0.5      # a verb + unit is the unit's context when it holds less than this share of its uses
QUOTED_BONUS = 1.0      # weight of the share of uses in quotation marks (“四个全面”): a named formulation
LEN_POWER = 0.0         # new formulations: weight of the length ((len/4)**LEN_POWER); measured best at 0
DEFAULT_LIMIT = 100
LIMIT_MAX = 5000
# part-of-speech tags (jieba's) of words a formulation neither starts nor ends with
_EDGE_TAGS = ("u", "p", "c", "r", "y", "e", "o", "d", "f")
_END_CHARS = frozenset("一二三四五六七八九十百千万亿两零〇之个第")  # 增长百分之: a number follows
_EDGE_OK = frozenset({"全面", "不断"})  # adverbs that open formulations (全面从严治党)


@dataclass
class Formulation:
    term: str
    count: int
    docs: int
    first_year: int | None
    first: FirstUse | None
    dispersion: float
    years: dict[str, PeriodCount] = field(default_factory=dict)
    score: float = 0.0
    entropy_left: float = 0.0
    entropy_right: float = 0.0
    establishment: float | None = None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "term": self.term, "count": self.count, "docs": self.docs, "first_year": self.first_year,
            "first": self.first.to_dict() if self.first else None, "dispersion": round(self.dispersion, 4),
            "years": {y: c.to_dict() for y, c in self.years.items()},
            "score": round(self.score, 4), "entropy": {"left": round(self.entropy_left, 3),
                                                       "right": round(self.entropy_right, 3)},
        }
        if self.establishment is not None:
            d["establishment"] = round(self.establishment, 4)
        return d


@dataclass
class Formulations:
    formulations: list[Formulation]
    filters: dict[str, Any]
    new_since: int | None
    candidates: int
    docs: int
    chars: int

    def to_dict(self) -> dict[str, Any]:
        return {"formulations": [f.to_dict() for f in self.formulations],
                "selection": {"filters": self.filters, "docs": self.docs, "chars": self.chars,
                              "candidates": self.candidates},
                "new_since": self.new_since}

    def rows(self) -> list[dict[str, Any]]:
        """One row per formulation for CSV; ``years`` as ``2015:3 2016:5`` (count per year)."""
        out = []
        for f in self.formulations:
            first = f.first
            out.append({"term": f.term, "count": f.count, "docs": f.docs, "first_year": f.first_year,
                        "first_date": first.date if first else None, "first_doc": first.doc_id if first else None,
                        "first_paragraph": first.paragraph if first else None,
                        "dispersion": round(f.dispersion, 4), "score": round(f.score, 4),
                        "years": " ".join(f"{y}:{c.count}" for y, c in f.years.items() if c.count)})
        return out


_BLOCKS = "▁▂▃▄▅▆▇█"


def sparkline(values: list[float]) -> str:
    """Per-year values as one line of block characters (a space where a year has none)."""
    top = max(values, default=0.0)
    if top <= 0:
        return " " * len(values)
    return "".join(" " if v <= 0 else _BLOCKS[min(7, int(v / top * 7.999))] for v in values)


def trends(result: Formulations) -> list[str]:
    """A sparkline per formulation over the same years (every year from the first to the last used)."""
    years = sorted({int(y) for f in result.formulations for y in f.years})
    if not years:
        return ["" for _ in result.formulations]
    span = [str(y) for y in range(years[0], years[-1] + 1)]
    return [sparkline([f.years[y].per_million if y in f.years else 0.0 for y in span]) for f in result.formulations]


ROW_COLUMNS = ["term", "count", "docs", "first_year", "first_date", "first_doc", "first_paragraph",
               "dispersion", "score", "years"]


@lru_cache(maxsize=1)
def _jieba() -> Any:
    import rjieba

    return rjieba.Jieba()  # the general dictionary only: lunshu's lexicon would make formulations words


def is_unit_shape(term: str) -> bool:
    """Not one dictionary word, no function word at either end, not periodic."""
    n = len(term)
    for k in range(1, n // 2 + 1):
        if n % k == 0 and term[:k] * (n // k) == term:
            return False
    tagged = _jieba().tag(term)
    if len(tagged) < 2:
        return False
    (w0, t0), (_, t1) = tagged[0], tagged[-1]
    if t0.startswith(_EDGE_TAGS) and w0 not in _EDGE_OK:
        return False
    return not t1.startswith(_EDGE_TAGS) and term[-1] not in _END_CHARS


def _boundaries(text: str) -> set[int]:
    out, at = {0}, 0
    for w in _jieba().cut(text):
        at += len(w)
        out.add(at)
    return out


# the word next to a unit that may stand beside it in most of its uses: a verb governing it on the
# left (构建|新发展格局, 坚持|稳中求进工作总基调), a function word on either side (…金山银山|的)
_LEFT_GOVERNORS = ("v", "u", "p", "c", "d")
_RIGHT_GOVERNORS = ("u", "p", "c", "y")


def _context(sel: ta.Selection, pos: int, n: int, reach: int = 4) -> tuple[int, int]:
    a = pos
    while a > 0 and pos - a < reach and sel.han[a - 1]:
        a -= 1
    b = pos + n
    while b < len(sel.text) and b - pos - n < reach and sel.han[b]:
        b += 1
    return a, b


def _edges(sel: ta.Selection, pos: int, n: int) -> tuple[str | None, str | None]:
    """At this occurrence, the tags of the words just outside the unit ('' at a text boundary),
    or None on a side where the segmenter's word runs across the unit's edge."""
    a, b = _context(sel, pos, n)
    words = _jieba().tag(sel.text[a:b])
    left: str | None = "" if a == pos else None
    right: str | None = "" if b == pos + n else None
    at = a
    for w, tag in words:
        end = at + len(w)
        # a one-character "verb" is mostly the segmenter's guess at a piece (供给|侧|结构性改革)
        if end == pos:
            left = tag if len(w) > 1 or not tag.startswith("v") else "x"
        if at == pos + n:
            right = tag
        at = end
    return left, right


def unit_edges_ok(sel: ta.Selection, n: int, first: int, dom_left: int, left_dominated: bool, dom_right: int,
                  right_dominated: bool) -> bool:
    """The unit starts and ends on word boundaries where it first occurs, and where one neighbour
    dominates a side (its share is above ``MAX_SHARE``) that neighbour is a word that governs the
    unit rather than a piece of a longer unit (供给侧|结构性改革 is a fragment, 构建|新发展格局 is not)."""
    left, right = _edges(sel, first, n)
    if left is None or right is None:
        return False
    if left_dominated:
        tag = _edges(sel, dom_left, n)[0] if dom_left >= 0 else ""
        if tag is None or (tag and not tag.startswith(_LEFT_GOVERNORS)):
            return False
    if right_dominated:
        tag = _edges(sel, dom_right, n)[1] if dom_right >= 0 else ""
        if tag is None or (tag and not tag.startswith(_RIGHT_GOVERNORS)):
            return False
    return True


@dataclass
class Candidates:
    """Discovered units over a selection, with their occurrences (used by keyness and changes)."""

    sel: ta.Selection
    terms: list[str]
    counts: np.ndarray
    first_pos: np.ndarray
    ent_left: np.ndarray
    ent_right: np.ndarray
    occ_pos: np.ndarray   # positions of every occurrence
    occ_cand: np.ndarray  # candidate index of each occurrence


def discover(sel: ta.Selection, *, min_len: int = MIN_LEN, max_len: int = MAX_LEN, min_count: int = 3,
             min_entropy: float = MIN_ENTROPY, max_share: float = MAX_SHARE) -> Candidates:
    terms: list[str] = []
    counts: list[np.ndarray] = []
    firsts: list[np.ndarray] = []
    els: list[np.ndarray] = []
    ers: list[np.ndarray] = []
    occ_pos: list[np.ndarray] = []
    occ_cand: list[np.ndarray] = []
    h: np.ndarray | None = None
    alive: np.ndarray | None = None  # positions whose (n-1)-gram recurs
    for n in range(1, max_len + 1):
        h = sel.hashes(n, h)
        if n < min_len - 1:
            continue
        # an n-gram recurs only if both (n-1)-grams in it do: count only those positions
        mask = sel.run_left >= n
        if alive is not None:
            mask &= alive & np.r_[alive[1:], False]
        g = ta.count_grams(sel, n, h, min_count, mask)
        alive = np.zeros(len(sel.codes), dtype=bool)
        alive[g.pos] = True
        if n < min_len:
            continue
        if not len(g.keys):
            break  # no longer n-gram can recur either
        el, sl, pl = ta.neighbour_stats(sel, g, "left")
        er, sr, pr = ta.neighbour_stats(sel, g, "right")
        kept = np.flatnonzero((el >= min_entropy) & (er >= min_entropy))
        if len(kept):
            texts = [sel.text[p:p + n] for p in g.first[kept].tolist()]
            firsts_k = g.first[kept].tolist()
            good = [is_unit_shape(t)
                    and unit_edges_ok(sel, n, f, int(pl[i]), bool(sl[i] > max_share), int(pr[i]),
                                      bool(sr[i] > max_share))
                    for t, f, i in zip(texts, firsts_k, kept.tolist())]
            kept = kept[np.array(good, dtype=bool)]
        if not len(kept):
            continue
        base = len(terms)
        terms.extend(sel.text[p:p + n] for p in g.first[kept].tolist())
        counts.append(g.counts[kept])
        firsts.append(g.first[kept])
        els.append(el[kept])
        ers.append(er[kept])
        local = np.full(len(g.keys), -1, dtype=np.int64)
        local[kept] = np.arange(base, base + len(kept))
        m = local[g.gid] >= 0
        occ_pos.append(g.pos[m])
        occ_cand.append(local[g.gid[m]])

    def cat(parts: list[np.ndarray], dtype: Any) -> np.ndarray:
        return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype)

    return Candidates(sel, terms, cat(counts, np.int64), cat(firsts, np.int64), cat(els, np.float64),
                      cat(ers, np.float64), cat(occ_pos, np.int64), cat(occ_cand, np.int64))


def nested(c: Candidates) -> np.ndarray:
    """True for a candidate that is another candidate with a verb before it (推动构建|人类命运共同体,
    深化|供给侧结构性改革): the verb governs the formulation, it is not part of it."""
    index = {t: i for i, t in enumerate(c.terms)}
    out = np.zeros(len(c.terms), dtype=bool)
    for i, t in enumerate(c.terms):
        for k in range(1, len(t) - 1):
            j = index.get(t[k:])
            if j is not None:
                head = _jieba().tag(t[:k])
                # maximality: when the suffix mostly stands with this head (创新|驱动发展战略,
                # 统筹|发展和安全), the longer string is the unit, whatever the head's tag
                if (head and head[-1][1] == "v" and len(head[-1][0]) > 1 and k in _boundaries(t)
                        and c.counts[i] < NESTED_SHARE * c.counts[j]):
                    out[i] = True
                break  # the longest candidate suffix decides
    return out


def per_doc_counts(c: Candidates) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(candidate, document, count) triples, sorted by candidate then document."""
    k = max(1, c.sel.n_docs)
    doc = c.sel.doc_of(c.occ_pos).astype(np.int64)
    pair, pc = np.unique(c.occ_cand * k + doc, return_counts=True)
    return pair // k, pair % k, pc


def gries_dp(c: Candidates, cand: np.ndarray, doc: np.ndarray, pc: np.ndarray) -> np.ndarray:
    """Gries' DP normalised, per candidate, over the documents of the selection."""
    sizes = c.sel.doc_chars.copy()
    if sizes.sum() <= 0:
        return np.zeros(len(c.terms))
    s = sizes / sizes.sum()
    total = np.bincount(cand, weights=pc, minlength=len(c.terms))
    v = pc / total[cand]
    used = np.bincount(cand, weights=np.abs(v - s[doc]), minlength=len(c.terms))
    covered = np.bincount(cand, weights=s[doc], minlength=len(c.terms))
    dp = 0.5 * (used + (1.0 - covered))
    denom = 1.0 - s.min() if len(s) > 1 else 1.0
    return np.clip(dp / denom if denom > 0 else dp, 0.0, 1.0)


def formulations(store: Store, *, new_since: int | None = None, limit: int = DEFAULT_LIMIT,
                 min_len: int = MIN_LEN, max_len: int = MAX_LEN, min_count: int = 3, min_docs: int = 2,
                 **filters: Any) -> Formulations:
    if not (2 <= min_len <= max_len <= 32):
        raise QueryError("formulation lengths must satisfy 2 <= min_len <= max_len <= 32")
    if limit < 0 or limit > LIMIT_MAX:
        raise QueryError(f"limit must be between 0 and {LIMIT_MAX}")
    if min_count < 2:
        raise QueryError("min_count must be at least 2 (a formulation recurs)")
    sel = ta.load(store, **filters)
    cands = discover(sel, min_len=min_len, max_len=max_len, min_count=min_count)
    return rank(cands, new_since=new_since, limit=limit, min_docs=min_docs)


_OPEN_QUOTES = np.array([ord(q) for q in "“「‘"], dtype=np.uint32)
_CLOSE_QUOTES = np.array([ord(q) for q in "”」’"], dtype=np.uint32)


def quoted_share(cands: Candidates, lengths: np.ndarray) -> np.ndarray:
    """Per candidate, the share of its uses standing alone in quotation marks (“四个全面”, “两个确立”):
    the text names it as a formulation."""
    codes = cands.sel.codes
    if not len(cands.occ_pos) or not len(codes):
        return np.zeros(len(cands.terms))
    pos = cands.occ_pos
    end = pos + lengths[cands.occ_cand].astype(np.int64)
    before = codes[np.maximum(pos - 1, 0)]
    after = codes[np.minimum(end, len(codes) - 1)]
    quoted = (pos > 0) & (end < len(codes)) & np.isin(before, _OPEN_QUOTES) & np.isin(after, _CLOSE_QUOTES)
    n = np.bincount(cands.occ_cand, weights=quoted.astype(np.float64), minlength=len(cands.terms))
    return n / np.maximum(cands.counts, 1)


def rank(cands: Candidates, *, new_since: int | None, limit: int, min_docs: int = 2) -> Formulations:
    sel = cands.sel
    nterms = len(cands.terms)
    cand, doc, pc = per_doc_counts(cands)
    ndocs = np.bincount(cand, minlength=nterms)
    dp = gries_dp(cands, cand, doc, pc)
    years = sel.doc_years[doc]
    # first appearance: the first dated occurrence (documents are in date order, undated last)
    first_dated = np.full(nterms, -1, dtype=np.int64)
    dated_occ = sel.doc_years[sel.doc_of(cands.occ_pos)] > 0
    if dated_occ.any():
        order = np.lexsort((cands.occ_pos[dated_occ], cands.occ_cand[dated_occ]))
        oc = cands.occ_cand[dated_occ][order]
        op = cands.occ_pos[dated_occ][order]
        starts = np.flatnonzero(np.r_[True, oc[1:] != oc[:-1]])
        first_dated[oc[starts]] = op[starts]
    first_year = np.where(first_dated >= 0, sel.doc_years[sel.doc_of(np.maximum(first_dated, 0))], 0)

    ent = np.minimum(cands.ent_left, cands.ent_right)
    lengths = np.array([len(t) for t in cands.terms], dtype=np.float64)
    score = np.sqrt(cands.counts) * np.minimum(ent, 1.0) * (1.0 - dp / 2)
    eligible = (ndocs >= min_docs) & ~nested(cands)
    establishment = None
    if new_since is not None:
        eligible &= first_year >= new_since
        # years with documents in the selection, and the years each candidate is used in
        doc_years_all = np.unique(sel.doc_years[sel.doc_years > 0])
        ykey = np.unique(cand[years > 0] * 10_000 + years[years > 0])
        years_used = np.bincount(ykey // 10_000, minlength=nterms)
        available = len(doc_years_all) - np.searchsorted(doc_years_all, np.maximum(first_year, 1))
        # established: used in many years, in most years since its first, often in each, and named
        per_year_used = cands.counts / np.maximum(years_used, 1)
        establishment = (np.log1p(years_used) * years_used / np.maximum(available, 1) * np.log1p(per_year_used)
                         * (lengths / MIN_LEN) ** LEN_POWER * (1.0 + QUOTED_BONUS * quoted_share(cands, lengths)))
        score = establishment
    order = np.argsort(-score, kind="stable")
    chosen = [int(i) for i in order if eligible[i]][:limit]

    year_chars = sel.year_chars()
    out: list[Formulation] = []
    chosen_set = np.zeros(nterms, dtype=bool)
    chosen_set[chosen] = True
    per_year: dict[int, dict[int, list[int]]] = {}
    for ci, y, n in zip(cand[chosen_set[cand]].tolist(), years[chosen_set[cand]].tolist(),
                        pc[chosen_set[cand]].tolist()):
        if y:
            slot = per_year.setdefault(ci, {}).setdefault(y, [0, 0])
            slot[0] += n
            slot[1] += 1
    for i in chosen:
        term = cands.terms[i]
        ys = {str(y): PeriodCount(cnt, nd, int(year_chars.get(y, 0))) for y, (cnt, nd) in
              sorted(per_year.get(i, {}).items())}
        first = None
        pos = int(first_dated[i]) if first_dated[i] >= 0 else int(cands.first_pos[i])
        p = sel.para_of(pos)
        ptext = sel.paragraph_text(p)
        off = pos - int(sel.para_start[p])
        di = int(sel.para_doc[p])
        first = FirstUse(sel.doc_ids[di], sel.doc_dates[di], int(sel.para_n[p]), _passage(ptext, off, len(term)),
                         sel.doc_titles[di], off)
        out.append(Formulation(term=term, count=int(cands.counts[i]), docs=int(ndocs[i]),
                               first_year=int(first_year[i]) or None, first=first, dispersion=float(dp[i]),
                               years=ys, score=float(score[i]), entropy_left=float(cands.ent_left[i]),
                               entropy_right=float(cands.ent_right[i]),
                               establishment=float(establishment[i]) if establishment is not None else None))
    return Formulations(out, dict(sel.filters), new_since, int(eligible.sum()), sel.n_docs,
                        int(sel.doc_chars.sum()))


__all__ = ["PASSAGE_CHARS", "Formulation", "Formulations", "discover", "formulations", "is_unit_shape"]
