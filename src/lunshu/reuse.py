"""Reuse and versions: the same statements republished, summarised or quoted across the corpus.

Units are sentences: quotations, reports and compilations reuse whole sentences (sometimes edited),
while their paragraphs are cut and joined differently. Sentences are shingled into character
3-grams, MinHash LSH proposes candidate pairs, and an edit-distance check confirms them. Sentence
links are then rolled up into paragraph links (with clusters: "versions of this text") and document
links (republished, report of, quotes). Results are cached in the database under a fingerprint of
the corpus and recomputed when documents change.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import threading
import zlib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from datasketch import MinHash, MinHashLSH
from rapidfuzz import fuzz

from lunshu import index
from lunshu.models import ReuseLink, ReuseResult
from lunshu.store import REUSE_TABLES, Store

NUM_PERM = 64
LSH_THRESHOLD = 0.5
# a passage shared by this many documents or more is boilerplate (a formula such as 现在，我代表国务院向
# 大会作政府工作报告…), listed after the versions of a text
BOILERPLATE_DOCS = 5
MIN_SENTENCE = 12  # normalised characters; shorter sentences are formulae (谢谢大家) not reuse
CONFIRM = 80.0  # rapidfuzz ratio (0-100) for a confirmed sentence pair
MAX_BUCKET = 50  # a sentence matching more than this many others is boilerplate
PARAGRAPH_MIN = 0.5  # share of the shorter paragraph covered by confirmed sentences
DOCUMENT_MIN = 0.1  # share of the smaller document covered …
DOCUMENT_MIN_CHARS = 40  # … or this many characters in shared sentences

_SENT_END = re.compile(r"(?<=[。！？!?；;])")
_NON_WORD = re.compile(r"[^\w]|_")


@dataclass(frozen=True)
class Unit:
    doc_id: str
    paragraph: int
    text: str  # normalised sentence


def normalise(text: str) -> str:
    """Only letters, digits and Han characters, folded as search folds them (traditional to
    simplified, width, case: ``index.default_folder``): punctuation, spacing and script vary
    between outlets."""
    return _NON_WORD.sub("", index.default_folder().fold(text))


def sentences(text: str) -> list[str]:
    return [s for s in _SENT_END.split(text) if s.strip()]


def shingles(text: str, k: int = 3) -> set[bytes]:
    return {text[i:i + k].encode("utf-8") for i in range(max(1, len(text) - k + 1))}


def hash32(b: bytes) -> int:
    return zlib.crc32(b)


def iter_units(paragraphs: Iterable[tuple[str, int, str]]) -> Iterator[Unit]:
    for doc_id, n, text in paragraphs:
        for s in sentences(text):
            norm = normalise(s)
            if len(norm) >= MIN_SENTENCE:
                yield Unit(doc_id, n, norm)


def confirm(a: str, b: str) -> float | None:
    """Is a candidate pair really the same sentence (or one quoting part of the other)? Score 0..1.

    ``a`` comes first in unit order; the order matters only for equal lengths.
    """
    score = fuzz.ratio(a, b)
    if score < CONFIRM:
        # containment: a quotation of part of a longer sentence
        short, long_ = (a, b) if len(a) <= len(b) else (b, a)
        if len(short) >= 2 * MIN_SENTENCE and fuzz.partial_ratio(short, long_) >= 90:
            score = fuzz.partial_ratio(short, long_) * 0.95
        else:
            return None
    return float(score) / 100.0


def lsh_params() -> tuple[int, int, list[tuple[int, int]]]:
    """Bands, rows per band and band ranges exactly as datasketch's MinHashLSH chooses them."""
    lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
    return int(lsh.b), int(lsh.r), [(int(s), int(e)) for s, e in lsh.hashranges]


def signatures(texts: list[str], chunk: int = 10_000) -> np.ndarray:
    """MinHash values of each sentence (rows), made in chunks so the objects never pile up."""
    out = np.empty((len(texts), NUM_PERM), dtype=np.uint64)
    for a in range(0, len(texts), chunk):
        for k, m in enumerate(MinHash.bulk([shingles(t) for t in texts[a:a + chunk]], num_perm=NUM_PERM,
                                           hashfunc=hash32)):
            out[a + k] = m.hashvalues
    return out


class Bands:
    """The buckets of datasketch's MinHashLSH as sorted arrays: ``query(i)`` is what
    ``MinHashLSH.query`` returns for row ``i`` (rows sharing all the values of at least one band).

    Why not MinHashLSH itself: it keeps a bytes key and a set per row and band, about 6 KB per
    sentence — 10 GB at 100k documents. Here a band costs three int32 arrays.
    """

    def __init__(self, sigs: np.ndarray, hashranges: list[tuple[int, int]]) -> None:
        self.tables: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        n = len(sigs)
        for s, e in hashranges:
            cols = sigs[:, s:e]
            order = np.lexsort(cols.T[::-1]).astype(np.int32)
            srt = cols[order]
            new = np.ones(n, dtype=bool)
            if n > 1:
                new[1:] = np.any(srt[1:] != srt[:-1], axis=1)
            del srt
            group_of = np.empty(n, dtype=np.int32)
            group_of[order] = np.cumsum(new, dtype=np.int64) - 1
            bounds = np.append(np.flatnonzero(new), n).astype(np.int32)
            self.tables.append((order, group_of, bounds))

    def query(self, i: int) -> set[int]:
        out: set[int] = set()
        for order, group_of, bounds in self.tables:
            g = group_of[i]
            a, b = bounds[g], bounds[g + 1]
            if b - a == 1:
                out.add(i)
            else:
                out.update(order[a:b].tolist())
        return out


def sentence_pairs(units: list[Unit]) -> Iterator[tuple[int, int, float]]:
    """Confirmed near-duplicate sentence pairs across different documents: (i, j, score 0..1)."""
    if len(units) < 2:
        return
    exact: dict[str, list[int]] = defaultdict(list)
    for i, u in enumerate(units):
        exact[u.text].append(i)
    reps = [g[0] for g in exact.values()]  # identical sentences are linked directly below
    reps.sort()
    bands = Bands(signatures([units[i].text for i in reps]), lsh_params()[2])
    seen: set[tuple[int, int]] = set()
    for ri, i in enumerate(reps):
        group = exact[units[i].text]
        candidates = bands.query(ri)
        if len(candidates) > MAX_BUCKET:
            continue
        for rj in candidates:
            j = reps[rj]
            if j <= i:
                continue
            confirmed = confirm(units[i].text, units[j].text)
            if confirmed is None:
                continue
            for x in group:
                for y in exact[units[j].text]:
                    if units[x].doc_id != units[y].doc_id:
                        pair = (min(x, y), max(x, y))
                        if pair not in seen:
                            seen.add(pair)
                            yield pair[0], pair[1], confirmed
    for group in exact.values():
        if 1 < len(group) <= MAX_BUCKET:
            for gi, x in enumerate(group):
                for y in group[gi + 1:]:
                    if units[x].doc_id != units[y].doc_id and (x, y) not in seen:
                        seen.add((x, y))
                        yield x, y, 1.0


def fingerprint(store: Store) -> str:
    h = hashlib.sha1()
    for row in store.execute("SELECT id, content_hash FROM documents ORDER BY id"):
        h.update(f"{row[0]}:{row[1]};".encode())
    h.update(f"reuse-v2:{NUM_PERM}:{LSH_THRESHOLD}:{MIN_SENTENCE}:{CONFIRM}".encode())
    return h.hexdigest()


class UnionFind:
    def __init__(self) -> None:
        self.parent: dict[Any, Any] = {}

    def find(self, x: Any) -> Any:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: Any, b: Any) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def compute(paragraphs: list[tuple[str, int, str]],
            doc_info: dict[str, dict[str, Any]]) -> tuple[list[tuple[str, int, str, int, float, int]],
                                                         list[tuple[str, str, float, str, int]]]:
    """Pure computation over (doc_id, n, text) rows: paragraph links with cluster ids, and document links."""
    units = list(iter_units(paragraphs))
    para_len: dict[tuple[str, int], int] = {(d, n): len(normalise(t)) for d, n, t in paragraphs}
    doc_len: dict[str, int] = defaultdict(int)
    for (d, _), ln in para_len.items():
        doc_len[d] += ln
    # covered characters of each paragraph, per partner paragraph
    cover: dict[tuple[tuple[str, int], tuple[str, int]], list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for i, j, score in sentence_pairs(units):
        ui, uj = units[i], units[j]
        a, b = (ui.doc_id, ui.paragraph), (uj.doc_id, uj.paragraph)
        if a > b:
            a, b, ui, uj = b, a, uj, ui
        c = cover[(a, b)]
        c[0] += len(ui.text)
        c[1] += len(uj.text)
        c[2] = max(c[2], score)
    links: list[tuple[tuple[str, int], tuple[str, int], float]] = []
    doc_cover: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0.0])
    for (a, b), (ca, cb, best) in cover.items():
        share = max(min(1.0, ca / max(1, para_len[a])), min(1.0, cb / max(1, para_len[b])))
        if share >= PARAGRAPH_MIN:
            links.append((a, b, round(share * best, 4)))
        dc = doc_cover[(a[0], b[0])]
        dc[0] += ca
        dc[1] += cb
    uf = UnionFind()
    for a, b, _ in links:
        uf.union(a, b)
    roots = sorted({uf.find(a) for a, _, _ in links})
    cluster_id = {r: i + 1 for i, r in enumerate(roots)}
    para_rows = [(a[0], a[1], b[0], b[1], s, cluster_id[uf.find(a)]) for a, b, s in links]
    doc_rows: list[tuple[str, str, float, str, int]] = []
    for (da, db), (ca, cb) in doc_cover.items():
        share_a = min(1.0, ca / max(1, doc_len[da]))
        share_b = min(1.0, cb / max(1, doc_len[db]))
        score = max(share_a, share_b)
        if score < DOCUMENT_MIN and max(ca, cb) < DOCUMENT_MIN_CHARS:
            continue
        doc_rows.append((da, db, round(score, 4), relation(doc_info.get(da, {}), doc_info.get(db, {}),
                                                             share_a, share_b), int(max(ca, cb))))
    doc_rows.sort(key=lambda r: (-r[2], r[0], r[1]))
    return para_rows, doc_rows


def relation(a: dict[str, Any], b: dict[str, Any], share_a: float, share_b: float) -> str:
    """How two documents relate, from their genres and how much of each the other covers."""
    if share_a > 0.8 and share_b > 0.8:
        return "same text"
    genres = {a.get("genre"), b.get("genre")}
    if "compilation" in genres:
        return "quotes"
    if "report" in genres and genres & {"speech", "letter", "interview", "article"}:
        return "report of"
    return "shares text"


_COMPUTED: dict[tuple[str, str], tuple[list[Any], list[Any]]] = {}  # (path, fingerprint) -> rows, one corpus
_COMPUTED_LOCK = threading.Lock()


def _stored_fingerprint(store: Store) -> str | None:
    if not _has_tables(store):
        return None
    row = store.conn.execute("SELECT value FROM lunshu_meta WHERE key = 'reuse_fingerprint'").fetchone()
    return None if row is None else str(row[0])


def current(store: Store) -> bool:
    """The reuse results this connection reads are those of the documents the database holds now."""
    fp = fingerprint(store)
    temp = _temp_fingerprint(store.conn)
    return temp == fp if temp is not None else _stored_fingerprint(store) == fp


def ensure(store: Store) -> None:
    """Make ``reuse_links``/``reuse_docs`` hold reuse for the current corpus: the stored cache when
    it is current; else computed, and stored where the file may be written; where it may not, put
    in TEMP tables of this connection (which shadow the stale ones), so reading never writes."""
    fp = fingerprint(store)
    conn = store.conn
    if _temp_fingerprint(conn) == fp:
        return
    if _stored_fingerprint(store) == fp:
        if _temp_fingerprint(conn) is not None:  # TEMP tables of an older state would shadow it
            for name in ("reuse_links", "reuse_docs", "reuse_fingerprint"):
                conn.execute(f"DROP TABLE IF EXISTS temp.{name}")
        return
    key = (store.path, fp)
    with _COMPUTED_LOCK:
        rows = _COMPUTED.get(key)
    if rows is None:
        paragraphs = [(d, n, t) for _, d, n, t in store.iter_paragraphs()]
        info = {r[0]: {"genre": r[1], "date": r[2]} for r in conn.execute("SELECT id, genre, date FROM documents")}
        rows = compute(paragraphs, info)
    para_rows, doc_rows = rows
    with store.cache_transaction() as c:
        if c is not None:
            _fill(c, para_rows, doc_rows)
            c.execute("INSERT OR REPLACE INTO lunshu_meta (key, value) VALUES ('reuse_fingerprint', ?)", (fp,))
            return
    with _COMPUTED_LOCK:  # other connections of this process (server threads) need not compute it again
        _COMPUTED.clear()
        _COMPUTED[key] = rows
    for stmt in REUSE_TABLES:
        conn.execute(stmt)
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS reuse_fingerprint (value TEXT)")
    _fill(conn, para_rows, doc_rows)
    conn.execute("DELETE FROM temp.reuse_fingerprint")
    conn.execute("INSERT INTO temp.reuse_fingerprint VALUES (?)", (fp,))
    conn.commit()


def _fill(c: sqlite3.Connection, para_rows: list[Any], doc_rows: list[Any]) -> None:
    c.execute("DELETE FROM reuse_links")
    c.execute("DELETE FROM reuse_docs")
    c.executemany("INSERT INTO reuse_links VALUES (?,?,?,?,?,?)", para_rows)
    c.executemany("INSERT INTO reuse_docs VALUES (?,?,?,?,?)", doc_rows)


def _temp_fingerprint(conn: sqlite3.Connection) -> str | None:
    try:
        row = conn.execute("SELECT value FROM temp.reuse_fingerprint").fetchone()
    except sqlite3.OperationalError:
        return None
    return None if row is None else str(row[0])


def _has_tables(store: Store) -> bool:
    return store.conn.execute(
        "SELECT 1 FROM sqlite_master WHERE name = 'reuse_links'").fetchone() is not None


def reuse(store: Store, *, doc_id: str | None = None, threshold: float | None = None) -> ReuseResult:
    if doc_id is not None:
        store.doc_stats(doc_id)  # raises NotFoundError for an unknown id
    ensure(store)
    conn = store.conn
    args: list[Any] = []
    sql = "SELECT a_doc, a_par, b_doc, b_par, score, cluster FROM reuse_links"
    if doc_id:
        sql += " WHERE a_doc = ? OR b_doc = ?"
        args = [doc_id, doc_id]
    rows = conn.execute(sql + " ORDER BY cluster, a_doc, a_par, b_doc, b_par", args).fetchall()
    if threshold is not None:
        rows = [r for r in rows if r[4] >= threshold]
    cluster_ids = sorted({int(r[5]) for r in rows})
    clusters: list[dict[str, Any]] = []
    formula: set[int] = set()
    if cluster_ids:
        members: dict[int, set[tuple[str, int]]] = defaultdict(set)
        q = ",".join("?" * len(cluster_ids))
        for r in conn.execute(f"SELECT a_doc, a_par, b_doc, b_par, cluster FROM reuse_links WHERE cluster IN ({q})",
                              cluster_ids):
            members[int(r[4])].update({(r[0], int(r[1])), (r[2], int(r[3]))})
        dates = {r[0]: r[1] for r in conn.execute("SELECT id, date FROM documents")}
        for cid in cluster_ids:
            ms = sorted(members[cid], key=lambda m: (dates.get(m[0]) or "9999", m[0], m[1]))
            boiler = len({d for d, _ in ms}) >= BOILERPLATE_DOCS
            if boiler:
                formula.add(cid)
            clusters.append({"id": cid, "size": len(ms), "boilerplate": boiler,
                             "members": [{"doc_id": d, "paragraph": n} for d, n in ms]})
        clusters.sort(key=lambda c: c["boilerplate"])  # stable: versions first, formulae last
    links = [ReuseLink({"doc_id": r[0], "paragraph": r[1]}, {"doc_id": r[2], "paragraph": r[3]}, float(r[4]),
                       boilerplate=int(r[5]) in formula) for r in rows]
    links.sort(key=lambda x: x.boilerplate)
    dsql = "SELECT a_doc, b_doc, score, relation, shared_chars FROM reuse_docs"
    if doc_id:
        dsql += " WHERE a_doc = ? OR b_doc = ?"
    docs = [{"a": r[0], "b": r[1], "score": r[2], "relation": r[3], "shared_chars": r[4]}
            for r in conn.execute(dsql + " ORDER BY score DESC, a_doc, b_doc", args)]
    if threshold is not None:
        docs = [d for d in docs if d["score"] >= threshold]
    return ReuseResult(clusters=clusters, links=links, documents=docs)
