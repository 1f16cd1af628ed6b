"""Keyness: formulations over- and under-used in one subcorpus (A) against another (B).

A subcorpus is a set of document filters, written as ``key=value`` words:
``"from=2013 to=2017"``, ``"to=2012"``, ``"speaker=习近平 genre=speech"``, ``"source=新华"``;
quote a value with spaces (``speaker="Li Keqiang"``); an empty string is the whole corpus. The
keys are those of every document query: ``from``, ``to``, ``speaker``, ``genre``, ``source``.
A document may be in both subcorpora (they are compared as given, not made disjoint).

Terms are the formulations discovered (``formulations.discover``) over the documents of A and B
together — the same units, never cut by a segmenter — counted in each subcorpus. For a term with
``a`` uses in A (``N_A`` characters) and ``b`` in B (``N_B``):

* ``log_likelihood``: Dunning's G² = 2 Σ O ln(O/E) over the two cells, E = N·(a+b)/(N_A+N_B);
  its sign is the sign of (a/N_A − b/N_B): negative keywords, those B uses more, are negative;
* ``simple_maths``: Kilgarriff's (pm_A + 1) / (pm_B + 1), per million characters;
* ``percent_diff``: (pm_A − pm_B) / pm_B × 100, ``null`` when B never uses it.

Kept: |G²| ≥ ``min_ll`` (3.84: p < 0.05 for one degree of freedom; 6.63: p < 0.01), at most
``limit`` positive keywords (largest G² first) followed by at most ``limit`` negative ones (most
negative last).
"""

from __future__ import annotations

import math
import shlex
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from lunshu.analysis import formulations as fm
from lunshu.analysis import textarrays as ta
from lunshu.errors import QueryError

if TYPE_CHECKING:
    from lunshu.store import Store

FILTER_NAMES = {"from": "date_from", "to": "date_to", "speaker": "speaker", "genre": "genre", "source": "source"}
MIN_LL = 3.84
DEFAULT_LIMIT = 50
LIMIT_MAX = 5000


def parse_filters(spec: str | dict[str, Any] | None) -> dict[str, Any]:
    """``"from=2013 to=2017"`` → ``{"date_from": "2013", "date_to": "2017"}`` (dates checked)."""
    from lunshu.dates import parse_date

    if spec is None:
        return {}
    if isinstance(spec, dict):
        items = list(spec.items())
    else:
        try:
            words = shlex.split(spec)
        except ValueError as exc:
            raise QueryError(f"subcorpus {spec!r}: {exc}") from None
        items = []
        for w in words:
            key, eq, value = w.partition("=")
            if not eq:
                raise QueryError(f"subcorpus {spec!r}: write key=value (keys: {', '.join(FILTER_NAMES)})")
            items.append((key.strip(), value.strip()))
    out: dict[str, Any] = {}
    for key, value in items:
        name = FILTER_NAMES.get(key, key if key in FILTER_NAMES.values() else None)
        if name is None:
            raise QueryError(f"unknown subcorpus filter {key!r} (keys: {', '.join(FILTER_NAMES)})")
        if value in (None, ""):
            continue
        if name in ("date_from", "date_to"):
            iso = parse_date(str(value))
            if iso is None:
                raise QueryError(f"{key}: {value!r} is not a date; use YYYY, YYYY-MM or YYYY-MM-DD")
            value = iso
        out[name] = value
    return out


def describe(filters: dict[str, Any]) -> str:
    back = {v: k for k, v in FILTER_NAMES.items()}
    return " ".join(f"{back[k]}={shlex.quote(str(v))}" for k, v in filters.items())


@dataclass
class Side:
    filters: dict[str, Any]
    docs: int
    chars: int

    def to_dict(self) -> dict[str, Any]:
        return {"filters": describe(self.filters), "docs": self.docs, "chars": self.chars}


@dataclass
class KeyTerm:
    term: str
    count_a: int
    count_b: int
    per_million_a: float
    per_million_b: float
    log_likelihood: float
    simple_maths: float
    percent_diff: float | None

    def to_dict(self) -> dict[str, Any]:
        return {"term": self.term, "count_a": self.count_a, "count_b": self.count_b,
                "per_million_a": round(self.per_million_a, 3), "per_million_b": round(self.per_million_b, 3),
                "log_likelihood": round(self.log_likelihood, 3), "simple_maths": round(self.simple_maths, 4),
                "percent_diff": None if self.percent_diff is None else round(self.percent_diff, 2)}


@dataclass
class Keyness:
    a: Side
    b: Side
    terms: list[KeyTerm] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"a": self.a.to_dict(), "b": self.b.to_dict(), "terms": [t.to_dict() for t in self.terms]}

    def rows(self) -> list[dict[str, Any]]:
        return [t.to_dict() for t in self.terms]


ROW_COLUMNS = ["term", "count_a", "count_b", "per_million_a", "per_million_b", "log_likelihood", "simple_maths",
               "percent_diff"]


def log_likelihood(a: np.ndarray, b: np.ndarray, na: float, nb: float) -> np.ndarray:
    """Signed G² per term (positive: A uses it more, relative to size)."""
    total = a + b
    ea = na * total / (na + nb)
    eb = nb * total / (na + nb)
    with np.errstate(divide="ignore", invalid="ignore"):
        ta_ = np.where(a > 0, a * np.log(a / ea), 0.0)
        tb_ = np.where(b > 0, b * np.log(b / eb), 0.0)
    g2 = 2.0 * (ta_ + tb_)
    return np.where(a / na >= b / nb, g2, -g2)


def _ids(store: Store, filters: dict[str, Any]) -> set[str]:
    where, args = store.doc_filter_sql(**filters, alias="d")
    return {r[0] for r in store.execute(f"SELECT d.id FROM documents d{' WHERE ' + where if where else ''}", args)}


def keyness(store: Store, a: str | dict[str, Any] | None, b: str | dict[str, Any] | None, *,
            limit: int = DEFAULT_LIMIT, min_ll: float = MIN_LL, min_len: int = fm.MIN_LEN,
            max_len: int = fm.MAX_LEN, min_count: int = 3) -> Keyness:
    if limit < 0 or limit > LIMIT_MAX:
        raise QueryError(f"limit must be between 0 and {LIMIT_MAX}")
    if not (2 <= min_len <= max_len <= 32):
        raise QueryError("lengths must satisfy 2 <= min_len <= max_len <= 32")
    fa, fb = parse_filters(a), parse_filters(b)
    ids_a, ids_b = _ids(store, fa), _ids(store, fb)
    # units are discovered over A ∪ B only: a text in neither must not decide what a unit is
    sel = ta.load(store, only=ids_a | ids_b)
    in_a = np.array([d in ids_a for d in sel.doc_ids], dtype=bool)
    in_b = np.array([d in ids_b for d in sel.doc_ids], dtype=bool)
    na, nb = float(sel.doc_chars[in_a].sum()), float(sel.doc_chars[in_b].sum())
    side_a = Side(fa, int(in_a.sum()), int(na))
    side_b = Side(fb, int(in_b.sum()), int(nb))
    for name, n, f in (("A", na, fa), ("B", nb, fb)):
        if n <= 0:
            raise QueryError(f"subcorpus {name} ({describe(f) or 'the whole corpus'}) has no text")
    cands = fm.discover(sel, min_len=min_len, max_len=max_len, min_count=min_count)
    cand, doc, pc = fm.per_doc_counts(cands)
    k = len(cands.terms)
    ca = np.bincount(cand[in_a[doc]], weights=pc[in_a[doc]], minlength=k)
    cb = np.bincount(cand[in_b[doc]], weights=pc[in_b[doc]], minlength=k)
    g2 = log_likelihood(ca, cb, na, nb)
    pma, pmb = ca * 1e6 / na, cb * 1e6 / nb
    sm = (pma + 1.0) / (pmb + 1.0)
    pos = [int(i) for i in np.argsort(-g2, kind="stable") if g2[i] >= min_ll][:limit]
    neg = [int(i) for i in np.argsort(g2, kind="stable") if g2[i] <= -min_ll][:limit][::-1]
    terms = [KeyTerm(cands.terms[i], int(ca[i]), int(cb[i]), float(pma[i]), float(pmb[i]), float(g2[i]),
                     float(sm[i]), (float((pma[i] - pmb[i]) / pmb[i] * 100) if pmb[i] > 0 else None))
             for i in pos + neg]
    for t in terms:
        if math.isnan(t.log_likelihood):  # pragma: no cover - both counts zero cannot be kept
            t.log_likelihood = 0.0
    return Keyness(side_a, side_b, terms)
