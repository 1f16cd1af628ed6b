"""Keywords of one document: what it says that other texts do not say as much.

Why not the publisher's 关键词 line: it is a bag of segmenter output with numbers in it
(``16``, ``12``) and formulations cut to pieces. Here the score of a term is

    weight = (1 + ln tf) × idf × boost

* ``tf``: occurrences in the document, after segmentation with the formulation lexicon
  (网络空间命运共同体 is one term) and after merging phrases discovered in the corpus;
* ``idf``: a blend of the corpus IDF (document frequencies over every stored document) and a
  background specificity taken from the general-language word frequencies of the segmenter's
  own dictionary (common words such as 发展 or 我们 are unspecific wherever they occur). The
  blend leans on the background while the corpus is small: ``α = N / (N + 30)``;
* ``boost``: ×1.5 for a known formulation the general dictionary does not have, ×1.2 for a
  discovered phrase, ×1.25 more when the term is in the title.

Words the segmenter's HMM guessed (in neither dictionary nor lexicon) must occur in two documents
at least: seen once, they are mostly mis-cuts.

Numbers, punctuation, stop words and single characters are never keywords.

Discovered phrases: token n-grams (2–4 tokens) that occur often (≥ 5 times, in ≥ 2 documents),
hold together (pointwise mutual information of their weakest split ≥ 5 bits), are free at both
ends (left and right branching entropy ≥ 1.2 nats) and have the shape of a name (a nominal last
word, no adverb or verb first: 人民群众, not 全面推进), e.g. a recurring expression the lexicon does
not know. They never contain a lexicon formulation (the lexicon already made that a unit).
Discovery scans at most ``DISCOVERY_CHARS`` characters (documents are sampled evenly beyond
that), so it stays bounded.

Document frequencies and phrases are computed once per corpus state and cached in
``analysis_df``, ``analysis_phrases`` and ``analysis_meta`` (fingerprint of the documents
table plus the segmenter); on a read-only database they are kept in memory instead.
"""

from __future__ import annotations

import itertools
import json
import math
import sqlite3
import sys
import threading
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import rjieba

from lunshu import segment
from lunshu.analysis import corpus_fingerprint, get_meta
from lunshu.errors import NotFoundError

if TYPE_CHECKING:
    from lunshu.store import Store

ALGO = "kw2"  # bump when the statistics change meaning: cached ones are then rebuilt
BLEND_K = 30.0
BOOST_FORMULATION = 1.5
BOOST_PHRASE = 1.2
BOOST_TITLE = 1.25
DISCOVERY_CHARS = 6_000_000
MIN_PHRASE_FREQ = 5
MIN_PHRASE_DOCS = 2
MIN_PHRASE_PMI = 5.0  # log2
MIN_PHRASE_ENTROPY = 1.2  # nats, on both sides
MAX_PHRASES = 5000
MAX_PHRASE_TOKENS = 4
MIN_OOV_DOCS = 2

# Single-character tokens that glue clauses together; a phrase never contains them.
_GLUE = frozenset("的了和与及在是对把被将从向为以于而并等也都就又还更最很要会能可之其这那各每"
                  "有无不没着过给让使由按同跟或但则即若如因所乃得地吗呢吧啊中上下里内外前后"
                  "时年月日个次我你他她它们该此")

_BG = rjieba.Jieba()  # pristine dictionary: the lexicon must not make formulations look common
_BG_LOCK = threading.Lock()
_BG_REF = 0


@dataclass
class Keyword:
    term: str
    weight: float
    count: int = 0
    kind: str = "word"  # "formulation" | "phrase" | "word"

    def to_dict(self) -> dict[str, Any]:
        return {"term": self.term, "weight": self.weight}


@dataclass
class Phrase:
    tokens: tuple[str, ...]
    freq: int
    df: int
    pmi: float
    entropy: float

    @property
    def text(self) -> str:
        return "".join(self.tokens)


@dataclass
class CorpusStats:
    """Document frequencies and discovered phrases of one corpus state."""

    fingerprint: str
    n_docs: int
    n_tokens: int
    phrases: dict[tuple[str, ...], Phrase]
    df_mem: dict[str, int] | None = None  # set when not stored in the database
    freq_mem: dict[str, int] | None = None
    _phrase_index: dict[str, list[tuple[str, ...]]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        idx: dict[str, list[tuple[str, ...]]] = defaultdict(list)
        for toks in self.phrases:
            idx[toks[0]].append(toks)
        for lst in idx.values():
            lst.sort(key=len, reverse=True)
        self._phrase_index = dict(idx)

    def lookup(self, store: Store, terms: Iterable[str]) -> dict[str, tuple[int, int]]:
        """(df, freq) of word tokens; absent ones are left out."""
        terms = list(dict.fromkeys(terms))
        if self.df_mem is not None and self.freq_mem is not None:
            return {t: (self.df_mem[t], self.freq_mem.get(t, 0)) for t in terms if t in self.df_mem}
        out: dict[str, tuple[int, int]] = {}
        for i in range(0, len(terms), 5000):
            chunk = json.dumps(terms[i:i + 5000], ensure_ascii=False)
            for term, df, freq in store.execute(
                    "SELECT term, df, freq FROM analysis_df WHERE term IN (SELECT value FROM json_each(?))",
                    (chunk,)):
                out[str(term)] = (int(df), int(freq))
        return out

    def merge(self, run: list[str]) -> list[tuple[str, bool]]:
        """The run with discovered phrases merged (longest first): (term, is_phrase)."""
        index = self._phrase_index
        if not index or index.keys().isdisjoint(run):
            return [(t, False) for t in run]
        out: list[tuple[str, bool]] = []
        i = 0
        n = len(run)
        while i < n:
            for toks in index.get(run[i], ()):
                k = len(toks)
                if tuple(run[i:i + k]) == toks:
                    out.append(("".join(toks), True))
                    i += k
                    break
            else:
                out.append((run[i], False))
                i += 1
        return out


# -- building the statistics ---------------------------------------------------------------
_WORD_MEMO: dict[str, bool] = {}
_PHRASABLE_MEMO: dict[str, bool] = {}


def _is_word(tok: str) -> bool:
    v = _WORD_MEMO.get(tok)
    if v is None:
        v = segment.is_word(tok)
        if len(_WORD_MEMO) < 500_000:
            _WORD_MEMO[tok] = v
    return v


def _phrasable(tok: str, lexicon: frozenset[str]) -> bool:
    """May this token be part of a discovered phrase? Han only, no numbers, no function words,
    and no known formulation: the lexicon already made that a unit, a phrase must not swallow it."""
    v = _PHRASABLE_MEMO.get(tok)
    if v is None:
        v = (all(segment._is_han(ch) for ch in tok) and tok not in _GLUE and tok not in lexicon
             and tok not in segment.stopwords() and not segment.is_number(tok))
        if len(_PHRASABLE_MEMO) < 500_000:
            _PHRASABLE_MEMO[tok] = v
    return v


_NOMINAL_TAGS = ("n", "vn", "an", "j", "l", "nz", "i")
_NON_INITIAL_TAGS = frozenset({"d", "ad", "r", "c", "p", "u", "uj", "ul", "uz", "uv", "ud", "ug", "m", "q",
                               "v", "vg", "f", "t", "y", "e", "o", "zg"})
_TAG_MEMO: dict[str, tuple[str, str]] = {}


def _edge_tags(tok: str) -> tuple[str, str]:
    """Dictionary part-of-speech of a token's first and last piece (the pristine dictionary's)."""
    v = _TAG_MEMO.get(tok)
    if v is None:
        with _BG_LOCK:
            tagged = _BG.tag(tok, False)
        v = (tagged[0][1], tagged[-1][1]) if tagged else ("x", "x")
        if len(_TAG_MEMO) < 200_000:
            _TAG_MEMO[tok] = v
    return v


def _nominal_shape(g: tuple[str, ...]) -> bool:
    """Keep name-like expressions (人民群众, 经济体制改革), drop verb phrases and adverb + verb
    collocations (全面推进, 共同构建): those are what collocates are for, not keywords."""
    return _edge_tags(g[-1])[1].startswith(_NOMINAL_TAGS) and _edge_tags(g[0])[0] not in _NON_INITIAL_TAGS


def _runs(tokens: list[str]) -> list[list[str]]:
    """Word tokens in runs between punctuation: phrases and windows never cross a comma."""
    runs: list[list[str]] = []
    run: list[str] = []
    memo = _WORD_MEMO
    intern = sys.intern
    for tok in tokens:
        w = memo.get(tok)
        if w is None:
            w = _is_word(tok)
        if w:
            run.append(intern(tok))
        elif run:
            runs.append(run)
            run = []
    if run:
        runs.append(run)
    return runs


def _doc_runs(store: Store, seg: segment.Segmenter,
              doc_ids: list[str] | None = None) -> Iterator[tuple[str, list[list[str]]]]:
    cur: str | None = None
    runs: list[list[str]] = []
    for sp in segment.cached_paragraphs(store, seg, doc_ids):
        if sp.doc_id != cur:
            if cur is not None:
                yield cur, runs
            cur, runs = sp.doc_id, []
        runs.extend(_runs(sp.tokens))
    if cur is not None:
        yield cur, runs


def _entropy(counts: Counter[str], singletons: int) -> float:
    """Branching entropy; each text boundary counts as a neighbour of its own."""
    total = sum(counts.values()) + singletons
    if total == 0:
        return 0.0
    h = 0.0
    for c in counts.values():
        p = c / total
        h -= p * math.log(p)
    if singletons:
        h += singletons * (1 / total) * math.log(total)
    return h


def discover_phrases(doc_runs: list[tuple[str, list[list[str]]]],
                     lexicon: frozenset[str] = frozenset()) -> dict[tuple[str, ...], Phrase]:
    """Frequent, cohesive, freely-bounded token n-grams of these documents."""
    _PHRASABLE_MEMO.clear()  # depends on the lexicon
    uni: Counter[str] = Counter()
    bi: Counter[tuple[str, ...]] = Counter()
    memo = _PHRASABLE_MEMO
    for _, runs in doc_runs:
        for run in runs:
            uni.update(run)
            if len(run) < 2:
                continue
            ok = [memo[t] if t in memo else _phrasable(t, lexicon) for t in run]
            bi.update(pair for pair, a, b in zip(itertools.pairwise(run), ok, ok[1:]) if a and b)
    n_tok = sum(uni.values())
    if n_tok == 0:
        return {}
    frequent_bi = {g for g, c in bi.items() if c >= MIN_PHRASE_FREQ}
    longer: Counter[tuple[str, ...]] = Counter()
    if frequent_bi:
        for _, runs in doc_runs:
            for run in runs:
                m = len(run)
                for i in range(m - 2):
                    if (run[i], run[i + 1]) not in frequent_bi:
                        continue
                    for k in range(3, MAX_PHRASE_TOKENS + 1):
                        if i + k > m or (run[i + k - 2], run[i + k - 1]) not in frequent_bi:
                            break
                        longer[tuple(run[i:i + k])] += 1
    counts: dict[tuple[str, ...], int] = {g: c for g, c in bi.items() if c >= MIN_PHRASE_FREQ}
    counts.update({g: c for g, c in longer.items() if c >= MIN_PHRASE_FREQ})

    def count(g: tuple[str, ...]) -> int:
        return uni[g[0]] if len(g) == 1 else counts.get(g, 0)

    cands: dict[tuple[str, ...], float] = {}
    for g, c in counts.items():
        if len(g[0]) < 2 or len(g[-1]) < 2 or len("".join(g)) > 12 or not _nominal_shape(g):
            continue
        pmi = min(math.log2(c * n_tok / max(1, count(g[:k]) * count(g[k:]))) for k in range(1, len(g)))
        if pmi >= MIN_PHRASE_PMI:
            cands[g] = pmi
    if not cands:
        return {}
    left: dict[tuple[str, ...], Counter[str]] = {g: Counter() for g in cands}
    right: dict[tuple[str, ...], Counter[str]] = {g: Counter() for g in cands}
    edge_l: Counter[tuple[str, ...]] = Counter()
    edge_r: Counter[tuple[str, ...]] = Counter()
    docs_of: Counter[tuple[str, ...]] = Counter()
    starts = {g[:2] for g in cands}  # most positions start no candidate: skip them cheaply
    for _, runs in doc_runs:
        seen: set[tuple[str, ...]] = set()
        for run in runs:
            m = len(run)
            for i in range(m - 1):
                if (run[i], run[i + 1]) not in starts:
                    continue
                for k in range(2, min(MAX_PHRASE_TOKENS, m - i) + 1):
                    g = tuple(run[i:i + k])
                    if g not in cands:
                        continue
                    seen.add(g)
                    if i > 0:
                        left[g][run[i - 1]] += 1
                    else:
                        edge_l[g] += 1
                    if i + k < m:
                        right[g][run[i + k]] += 1
                    else:
                        edge_r[g] += 1
        docs_of.update(seen)
    out: dict[tuple[str, ...], Phrase] = {}
    for g, pmi in cands.items():
        if docs_of[g] < MIN_PHRASE_DOCS:
            continue
        ent = min(_entropy(left[g], edge_l[g]), _entropy(right[g], edge_r[g]))
        if ent >= MIN_PHRASE_ENTROPY:
            out[g] = Phrase(g, counts[g], docs_of[g], round(pmi, 4), round(ent, 4))
    if len(out) > MAX_PHRASES:
        keep = sorted(out.values(), key=lambda p: (-p.freq * p.pmi, p.tokens))[:MAX_PHRASES]
        out = {p.tokens: p for p in keep}
    return out


def _phrase_df(doc_runs: Iterable[tuple[str, list[list[str]]]],
               phrases: dict[tuple[str, ...], Phrase]) -> tuple[Counter[str], Counter[str]]:
    """Document and corpus frequency of each phrase as merged (longest match first)."""
    probe = CorpusStats("", 0, 0, phrases)
    df: Counter[str] = Counter()
    freq: Counter[str] = Counter()
    for _, runs in doc_runs:
        seen: set[str] = set()
        for run in runs:
            for term, is_phrase in probe.merge(run):
                if is_phrase:
                    freq[term] += 1
                    seen.add(term)
        df.update(seen)
    return df, freq


def build_stats(store: Store, seg: segment.Segmenter, fingerprint: str) -> CorpusStats:
    n_docs = int(store.execute("SELECT count(*) FROM documents").fetchone()[0])
    total_chars = int(store.execute("SELECT coalesce(sum(chars), 0) FROM documents").fetchone()[0])
    stride = max(1, math.ceil(total_chars / DISCOVERY_CHARS))
    df: Counter[str] = Counter()
    freq: Counter[str] = Counter()
    sample: list[tuple[str, list[list[str]]]] = []
    for i, (doc_id, runs) in enumerate(_doc_runs(store, seg)):
        seen: set[str] = set()
        for run in runs:
            freq.update(run)
            seen.update(run)
        df.update(seen)
        if i % stride == 0:
            sample.append((doc_id, runs))
    discovered = discover_phrases(sample, seg.lexicon_set)
    # phrase frequencies as they are merged, over every document (the sample only found them)
    pdf, pfreq = _phrase_df(sample if stride == 1 else _doc_runs(store, seg), discovered)
    phrases = {g: Phrase(g, pfreq.get(p.text, 0), pdf.get(p.text, 0), p.pmi, p.entropy)
               for g, p in discovered.items() if pdf.get(p.text, 0) > 0}
    return CorpusStats(fingerprint, n_docs, sum(freq.values()), phrases, dict(df), dict(freq))


def _save(store: Store, stats: CorpusStats) -> bool:
    assert stats.df_mem is not None and stats.freq_mem is not None
    freq = stats.freq_mem
    try:
        with store.cache_transaction() as conn:
            if conn is None:
                return False
            conn.execute("DELETE FROM analysis_df")
            conn.execute("DELETE FROM analysis_phrases")
            conn.executemany("INSERT INTO analysis_df (term, df, freq) VALUES (?,?,?)",
                             ((t, d, freq.get(t, 0)) for t, d in stats.df_mem.items()))
            conn.executemany(
                "INSERT INTO analysis_phrases (phrase, tokens, freq, df, pmi, entropy) VALUES (?,?,?,?,?,?)",
                ((p.text, json.dumps(list(p.tokens), ensure_ascii=False), p.freq, p.df, p.pmi, p.entropy)
                 for p in stats.phrases.values()))
            conn.executemany("INSERT OR REPLACE INTO analysis_meta (key, value) VALUES (?,?)", [
                ("kw.fingerprint", stats.fingerprint), ("kw.n_docs", str(stats.n_docs)),
                ("kw.n_tokens", str(stats.n_tokens))])
    except sqlite3.OperationalError:
        return False
    return True


def _load(store: Store, fingerprint: str) -> CorpusStats | None:
    if get_meta(store, "kw.fingerprint") != fingerprint:
        return None
    try:
        phrases = {}
        for text, toks, freq, df, pmi, ent in store.execute(
                "SELECT phrase, tokens, freq, df, pmi, entropy FROM analysis_phrases"):
            t = tuple(json.loads(toks))
            if "".join(t) == text:
                phrases[t] = Phrase(t, int(freq), int(df), float(pmi), float(ent))
        n_docs = int(get_meta(store, "kw.n_docs") or 0)
        n_tokens = int(get_meta(store, "kw.n_tokens") or 0)
    except (sqlite3.OperationalError, ValueError):
        return None
    return CorpusStats(fingerprint, n_docs, n_tokens, phrases)


_MEMO: dict[str, CorpusStats] = {}
_MEMO_LOCK = threading.Lock()


def corpus_stats(store: Store, seg: segment.Segmenter | None = None) -> CorpusStats:
    """The statistics of the corpus as it is now: from the cache, else built (and cached)."""
    seg = seg or segment.for_store(store)
    fp = f"{ALGO}:{seg.fingerprint}:{corpus_fingerprint(store)}"
    memo_key = store.path
    with _MEMO_LOCK:
        memo = _MEMO.get(memo_key)
    if memo is not None and memo.fingerprint == fp:
        return memo
    stats = _load(store, fp)
    if stats is None:
        stats = build_stats(store, seg, fp)
        if _save(store, stats):
            stats = CorpusStats(fp, stats.n_docs, stats.n_tokens, stats.phrases)  # look up in the table
    with _MEMO_LOCK:
        _MEMO.clear()  # one corpus at a time: the in-memory copy may be large
        _MEMO[memo_key] = stats
    return stats


# -- scoring ---------------------------------------------------------------------------------


def background_specificity(term: str) -> float:
    """0 for the commonest word of general Chinese, 1 for one the dictionary does not know."""
    global _BG_REF
    with _BG_LOCK:
        if not _BG_REF:
            _BG_REF = int(_BG.suggest_freq("的"))
        f = max(1, int(_BG.suggest_freq(term)) - 1) if _BG.has_word(term) else 1
    return max(0.0, min(1.0, math.log(_BG_REF / f) / math.log(_BG_REF)))


def _in_dictionary(term: str) -> bool:
    with _BG_LOCK:
        return bool(_BG.has_word(term))


def keywords(store: Store, doc_id: str, top: int = 20) -> list[Keyword]:
    """The ``top`` keywords of one document, best first."""
    row = store.execute("SELECT title FROM documents WHERE id = ?", (doc_id,)).fetchone()
    if row is None:
        raise NotFoundError(f"no document with id {doc_id!r}")
    title = str(row[0] or "")
    seg = segment.for_store(store)
    stats = corpus_stats(store, seg)
    tf: Counter[str] = Counter()
    parts: dict[str, tuple[str, ...]] = {}
    for _, runs in _doc_runs(store, seg, [doc_id]):
        for run in runs:
            for term, is_phrase in stats.merge(run):
                if is_phrase or seg.is_content(term):
                    tf[term] += 1
    for g in stats.phrases:
        t = "".join(g)
        if t in tf:
            parts[t] = g
    if not tf:
        return []
    n = max(stats.n_docs, 1)
    alpha = n / (n + BLEND_K)
    word_stats = stats.lookup(store, [t for t in tf if t not in parts])
    norm = math.log(n + 1) + 1
    out: list[Keyword] = []
    for term, count in tf.items():
        if term in parts:
            df = stats.phrases[parts[term]].df
            bg = max(background_specificity(p) for p in parts[term])
            kind, boost = "phrase", BOOST_PHRASE
        else:
            df = word_stats.get(term, (1, 0))[0]
            if df < MIN_OOV_DOCS and term not in seg.lexicon_set and not _in_dictionary(term):
                continue  # a guess of the segmenter's HMM seen in one document only: mostly noise
            bg = background_specificity(term)
            kind, boost = "word", 1.0
            if term in seg.lexicon_set:
                # the boost rewards what the lexicon knows beyond the general dictionary
                kind = "formulation"
                boost = 1.0 if _in_dictionary(term) else BOOST_FORMULATION
        idf_c = (math.log((n + 1) / (max(df, 1) + 1)) + 1) / norm
        idf = alpha * idf_c + (1 - alpha) * bg
        if term in title:
            boost *= BOOST_TITLE
        w = (1 + math.log(count)) * idf * boost
        out.append(Keyword(term, round(w, 4), count, kind))
    out.sort(key=lambda k: (-k.weight, -k.count, k.term))
    return out[:top]
