"""Collocates: the words that keep company with a term more often than chance.

The node is found by exact substring (as in search and timelines), so 命运共同体 is found inside
网络空间命运共同体 too; its neighbours are words of the segmentation (rjieba with the formulation
lexicon, see ``segment.py``). For each occurrence, the window is ``window`` word tokens to the
left of the tokens covering the node and ``window`` to the right, within the paragraph;
punctuation takes no place in it. A word within the windows of two occurrences counts once, so
f(n,c) ≤ f(c). Only content words count as collocates (no numbers, stop
words, single characters, nor the node itself).

Measures, with f(n) the node's occurrences, f(c) the collocate's corpus frequency, f(n,c) the
co-occurrences and N the corpus size in word tokens:

* ``expected`` = f(n) · f(c) · 2·window / N;
* ``mi`` = log2(f(n,c) / expected); only collocates with observed/expected ≥ 1 (mi ≥ 0) are kept;
* ``log_dice`` = 14 + log2(2·f(n,c) / (f(n) + f(c))) (Rychlý 2008), the ranking: unlike MI it
  does not favour rare words, and does not depend on N.
"""

from __future__ import annotations

import bisect
import math
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lunshu import segment
from lunshu.errors import QueryError

if TYPE_CHECKING:
    from lunshu.store import Store

_FILTERS = ("speaker", "genre", "source", "date_from", "date_to")


@dataclass
class Collocate:
    term: str
    cooccurrences: int
    freq: int
    expected: float
    log_dice: float
    mi: float

    def to_dict(self) -> dict[str, Any]:
        return {"term": self.term, "cooccurrences": self.cooccurrences, "freq": self.freq,
                "expected": self.expected, "log_dice": self.log_dice, "mi": self.mi}


@dataclass
class Collocates:
    term: str
    window: int
    min_freq: int
    segmenter: str
    node_freq: int
    corpus_tokens: int
    collocates: list[Collocate] = field(default_factory=list)
    filters: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"term": self.term, "window": self.window, "min_freq": self.min_freq,
                "segmenter": self.segmenter, "node_freq": self.node_freq, "corpus_tokens": self.corpus_tokens,
                "collocates": [c.to_dict() for c in self.collocates], "filters": dict(self.filters)}


def _word_positions(tokens: list[str]) -> tuple[list[int], list[int], list[str]]:
    """Start offsets of every token, and (index, token) of the word tokens among them."""
    starts: list[int] = []
    word_idx: list[int] = []
    words: list[str] = []
    pos = 0
    for i, tok in enumerate(tokens):
        starts.append(pos)
        pos += len(tok)
        if segment.is_word(tok):
            word_idx.append(i)
            words.append(tok)
    return starts, word_idx, words


def collocates(store: Store, term: str, window: int = 5, min_freq: int = 2, top: int = 50,
               **filters: Any) -> Collocates:
    """Collocates of ``term`` ranked by logDice; filters as for documents."""
    if not term or not term.strip():
        raise QueryError("collocates needs a non-empty term")
    if not 1 <= window <= 50:
        raise QueryError(f"window must be between 1 and 50 tokens, not {window}")
    if min_freq < 1 or top < 1:
        raise QueryError("min_freq and top must be at least 1")
    unknown = set(filters) - set(_FILTERS)
    if unknown:
        raise QueryError(f"unknown collocates filter(s): {', '.join(sorted(unknown))}")
    used = {k: str(v) for k, v in filters.items() if v is not None and v != ""}
    where, args = store.doc_filter_sql(**used, alias="d")  # type: ignore[arg-type]
    seg = segment.for_store(store)

    node_freq = 0
    cooc: Counter[str] = Counter()
    cond = "instr(p.text, ?) > 0" + (f" AND {where}" if where else "")
    for sp in segment.cached_paragraphs(store, seg, where_sql=cond, where_args=[term, *args]):
        starts, word_idx, words = _word_positions(sp.tokens)
        ends = [s + len(t) for s, t in zip(starts, sp.tokens, strict=True)]
        spans: list[tuple[int, int]] = []  # word slots [lo, hi) covered by each occurrence
        at = sp.text.find(term)
        while at >= 0:
            end = at + len(term)
            first_tok = bisect.bisect_right(ends, at)       # first token ending after the start
            last_tok = bisect.bisect_left(starts, end) - 1  # last token starting before the end
            spans.append((bisect.bisect_left(word_idx, first_tok), bisect.bisect_right(word_idx, last_tok)))
            at = sp.text.find(term, end)
        node_freq += len(spans)
        # a word near two occurrences counts once; a word that is (part of) the node never counts
        counted: set[int] = {k for lo, hi in spans for k in range(lo, hi)}
        for lo, hi in spans:
            for k in (*range(max(0, lo - window), lo), *range(hi, min(len(words), hi + window))):
                w = words[k]
                if k not in counted and w != term and seg.is_content(w):
                    counted.add(k)
                    cooc[w] += 1

    corpus_tokens, freqs = _frequencies(store, seg, list(cooc), where, args)
    out: list[Collocate] = []
    span = 2 * window
    for w, f_nc in cooc.items():
        if f_nc < min_freq:
            continue
        f_c = max(freqs.get(w, 0), 1)
        expected = node_freq * f_c * span / corpus_tokens if corpus_tokens else 0.0
        if expected <= 0 or f_nc / expected < 1:
            continue
        log_dice = 14 + math.log2(2 * f_nc / (node_freq + f_c))
        mi = math.log2(f_nc / expected)
        out.append(Collocate(w, f_nc, f_c, round(expected, 4), round(log_dice, 4), round(mi, 4)))
    out.sort(key=lambda c: (-c.log_dice, -c.cooccurrences, c.term))
    return Collocates(term, window, min_freq, seg.name, node_freq, corpus_tokens, out[:top], used)


def _frequencies(store: Store, seg: segment.Segmenter, terms: list[str], where: str,
                 args: list[Any]) -> tuple[int, dict[str, int]]:
    """Corpus size in word tokens and the frequency of each term, over the filtered documents."""
    if not where:
        from lunshu.analysis.keywords import corpus_stats

        stats = corpus_stats(store, seg)
        found = stats.lookup(store, terms)
        return stats.n_tokens, {t: f for t, (_, f) in found.items()}
    wanted = set(terms)
    counts: Counter[str] = Counter()
    total = 0
    for sp in segment.cached_paragraphs(store, seg, where_sql=where, where_args=args):
        for tok in sp.tokens:
            if segment.is_word(tok):
                total += 1
                if tok in wanted:
                    counts[tok] += 1
    return total, dict(counts)
