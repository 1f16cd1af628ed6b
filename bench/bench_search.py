"""Search benchmark: latency of ranked top-20 searches with snippets, index size, indexing speed.

For each size it builds (or reuses) a synthetic database with ``bench/synth.py``, and a bare
SQLite FTS5 trigram table over the same paragraphs as the reference (what one gets from SQLite
alone: it cannot answer 1–2 characters). Query phrases are drawn from the stored paragraphs (so
common characters and words come up as often as they occur). Each query runs once to warm the
cache and is then timed; p50/p95 over the sample. Results go to ``bench/results/search.md``.

    python bench/bench_search.py --sizes 10000 100000
"""

from __future__ import annotations

import argparse
import functools
import json
import platform
import random
import re
import shutil
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

import synth

OUT = ROOT / "bench" / "out"

from lunshu import index, search
from lunshu.corpus import Corpus
from lunshu.query import quote
from lunshu.store import Store

HAN = re.compile(r"^[\u4e00-\u9fff]+$")
NAMED = ["的", "发展", "人民", "社会主义", "中国特色社会主义", "全面建设社会主义现代化国家"]


def ensure_db(n: int, workdir: Path, rebuild: bool) -> tuple[Path, dict[str, Any]]:
    """The synthetic database of ``n`` paragraphs shared with the trace and web benchmarks (bench/out/),
    rebuilt when the index format changed; with ``--workdir``, a private one there."""
    if workdir == OUT:
        from bench_trace import synth_db

        if rebuild:  # its side file gone, synth_db builds the database again
            (OUT / f"synth-{n}.json").unlink(missing_ok=True)
        db, info = synth_db(n)
        return db, dict(info["build"])
    db = workdir / f"synth-{n}.db"
    stats_file = workdir / f"synth-{n}.json"
    stale = stats_file.exists() and json.loads(stats_file.read_text()).get("index_version") != index.INDEX_VERSION
    if rebuild or stale or not db.exists() or not stats_file.exists():
        print(f"building {db} ({n} paragraphs)…", file=sys.stderr)
        stats = synth.build(db, n)
        stats_file.write_text(json.dumps({"index_version": index.INDEX_VERSION, **stats}))
    return db, json.loads(stats_file.read_text())


def ensure_bare(db: Path, rebuild: bool) -> tuple[Path, dict[str, float]]:
    bare = db.with_suffix(".bare.db")
    stats_file = db.with_suffix(".bare.json")
    if rebuild or not bare.exists() or not stats_file.exists() or bare.stat().st_mtime < db.stat().st_mtime:
        print(f"building {bare} (reference)…", file=sys.stderr)
        if bare.exists():
            bare.unlink()
        src = sqlite3.connect(db)
        out = sqlite3.connect(bare)
        out.execute("PRAGMA journal_mode = OFF")
        out.execute("CREATE VIRTUAL TABLE bare USING fts5(text, tokenize='trigram')")
        t0 = time.perf_counter()
        chars = 0
        last = 0
        while True:
            rows = src.execute("SELECT id, text FROM paragraphs WHERE id > ? ORDER BY id LIMIT 20000",
                               (last,)).fetchall()
            if not rows:
                break
            out.executemany("INSERT INTO bare (rowid, text) VALUES (?, ?)", rows)
            out.commit()
            chars += sum(len(r[1]) for r in rows)
            last = rows[-1][0]
        t_ins = time.perf_counter() - t0
        out.execute("INSERT INTO bare (bare) VALUES ('optimize')")
        out.commit()
        size = out.execute("SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'bare_%' AND name != 'bare_content'"
                           ).fetchone()[0]
        stats_file.write_text(json.dumps({"chars_per_s": chars / t_ins, "index_bytes": size}))
        out.close()
    return bare, json.loads(stats_file.read_text())


def sizes(db: Path) -> dict[str, float]:
    c = sqlite3.connect(db)
    text_bytes = c.execute("SELECT sum(length(CAST(text AS BLOB))) FROM paragraphs").fetchone()[0]
    chars = c.execute("SELECT sum(length(text)) FROM paragraphs").fetchone()[0]
    idx = c.execute(f"SELECT sum(pgsize) FROM dbstat WHERE name LIKE '{index.TABLE}%' OR name = '{index.KEYS}'"
                    ).fetchone()[0]
    fts_only = c.execute(f"SELECT sum(pgsize) FROM dbstat WHERE name LIKE '{index.TABLE}%'").fetchone()[0]
    c.close()
    return {"text_bytes": text_bytes, "chars": chars, "index_bytes": idx, "fts_bytes": fts_only,
            "file_bytes": db.stat().st_size}


# -- the tantivy reference -----------------------------------------------------------------------
def ensure_tantivy(db: Path, rebuild: bool) -> tuple[Path, dict[str, float]]:
    """An exact-substring tantivy index of the same paragraphs: the best engine we know as the bar.

    The same folded text as lunshu's (``index.folder(...).fold``, then ``index.encode``, so a token
    never holds a separator); two fields, ``uni`` (every character) and ``bi`` (every overlapping
    pair), both with positions: a 1-character term is a term query on ``uni``, a longer one a phrase
    of consecutive pairs on ``bi`` — exact by construction, like lunshu's index. ``year`` and ``date``
    (yyyymmdd, as lunshu's ``search_paras``) are fast fields for per-year counts and date filters.
    """
    import tantivy

    path = db.with_suffix(".tantivy")
    stats_file = db.with_suffix(".tantivy.json")
    if rebuild or not stats_file.exists() or stats_file.stat().st_mtime < db.stat().st_mtime:
        print(f"building {path} (tantivy reference)…", file=sys.stderr)
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True)
        idx = tantivy.Index(_tantivy_schema(), path=str(path))
        writer = idx.writer(heap_size=512_000_000, num_threads=1)
        src = sqlite3.connect(db)
        fold = index.folder(src).fold
        t0, c0 = time.perf_counter(), time.process_time()
        chars = 0
        for pid, text, date in src.execute(f"SELECT p.id, p.text, k.date FROM paragraphs p JOIN {index.KEYS} k "
                                           "ON k.pid = p.id ORDER BY p.id"):
            enc = index.encode(fold(text))
            writer.add_document(tantivy.Document(
                pid=int(pid), year=int(date) // 10000, date=int(date), uni=" ".join(enc),
                bi=" ".join([enc[i:i + 2] for i in range(len(enc) - 1)])))
            chars += len(text)
        writer.commit()
        writer.wait_merging_threads()
        secs, cpu = time.perf_counter() - t0, time.process_time() - c0
        size = sum(f.stat().st_size for f in path.iterdir() if f.is_file())
        src.close()
        stats_file.write_text(json.dumps({"seconds": secs, "cpu_seconds": cpu, "chars": chars, "index_bytes": size}))
    return path, json.loads(stats_file.read_text())


def _tantivy_schema() -> Any:
    import tantivy

    sb = tantivy.SchemaBuilder()
    sb.add_integer_field("pid", stored=True, fast=True)
    sb.add_integer_field("year", indexed=True, fast=True)
    sb.add_integer_field("date", indexed=True, fast=True)
    sb.add_text_field("uni", tokenizer_name="whitespace", index_option="position")
    sb.add_text_field("bi", tokenizer_name="whitespace", index_option="position")
    return sb.build()


class Tantivy:
    """Top 20 by BM25 + exact count + per-year counts (a terms aggregation), as ``search()`` answers."""

    def __init__(self, path: Path, fold: Callable[[str], str]) -> None:
        import tantivy

        self.t = tantivy
        self.index = tantivy.Index.open(str(path))
        self.schema = self.index.schema
        self.searcher = self.index.searcher()
        self.fold = fold

    def term(self, phrase: str) -> Any:
        enc = index.encode(self.fold(phrase))
        Q = self.t.Query
        if len(enc) == 1:
            return Q.term_query(self.schema, "uni", enc)
        if len(enc) == 2:
            return Q.term_query(self.schema, "bi", enc)
        return Q.phrase_query(self.schema, "bi", [enc[i:i + 2] for i in range(len(enc) - 1)])

    def query(self, q: str, bounds: tuple[int, int] | None = None) -> Any:
        parts = [self.term(t) for t in q.split()]
        if bounds is not None:
            parts.append(self.t.Query.range_query(self.schema, "date", self.t.FieldType.Integer, bounds[0], bounds[1]))
        if len(parts) == 1:
            return parts[0]
        return self.t.Query.boolean_query([(self.t.Occur.Must, p) for p in parts])

    def search(self, q: str, *, limit: int = 20, bounds: tuple[int, int] | None = None
               ) -> tuple[int, dict[int, int], list[int]]:
        query = self.query(q, bounds)
        res = self.searcher.search(query, limit=limit, count=True) if limit else None
        agg = self.searcher.aggregate(query, {"y": {"terms": {"field": "year", "size": 10000}}})
        by_year = {int(b["key"]): int(b["doc_count"]) for b in agg["y"]["buckets"]}
        if res is None:
            return sum(by_year.values()), by_year, []
        pids = [int(self.searcher.doc(addr)["pid"][0]) for _, addr in res.hits]
        return int(res.count or 0), by_year, pids

    def df(self, phrase: str) -> int:
        return int(self.searcher.search(self.term(phrase), limit=1, count=True).count or 0)


# -- queries ---------------------------------------------------------------------------------------
CLASSES = ("1 char", "2 chars, common", "2 chars, rare", "3–4 chars", "6–12 chars", "2 terms AND",
           "term + date filter", "count only")
COMMON = 0.01  # a "common" 2-character term is in at least this share of the paragraphs
RARE = 0.001   # a "rare" one in at most this share


@dataclass
class Q:
    text: str
    date_from: str | None = None
    date_to: str | None = None
    limit: int = 20


def sample_queries(db: Path, n: int, seed: int, df: Callable[[str], int]) -> dict[str, list[Q]]:
    """``n`` queries per class, cut from stored paragraphs (so frequent text comes up as often as it occurs);
    2-character terms are sorted into common and rare by their number of matching paragraphs."""
    rng = random.Random(seed)
    c = sqlite3.connect(db)
    max_id = c.execute("SELECT max(id) FROM paragraphs").fetchone()[0]
    n_par = c.execute("SELECT count(*) FROM paragraphs").fetchone()[0]

    def para() -> str:
        while True:
            row = c.execute("SELECT text FROM paragraphs WHERE id = ?", (rng.randint(1, max_id),)).fetchone()
            if row and len(row[0]) >= 12:
                return str(row[0])

    def phrase(lo: int, hi: int, text: str | None = None) -> str:
        for _ in range(1000):
            t = text or para()
            k = rng.randint(lo, hi)
            i = rng.randrange(0, max(1, len(t) - k))
            s = t[i:i + k]
            if len(s) == k and HAN.match(s):
                return s
        raise RuntimeError("no Han phrase found")

    def date() -> tuple[str, str]:
        y = rng.randint(1954, 2020)
        a = f"{y}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        b = f"{y + rng.randint(0, 5)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        return (a, b) if a <= b else (b, a)

    out: dict[str, list[Q]] = {k: [] for k in CLASSES}
    common: list[Q] = []
    rare: list[Q] = []
    tries = 0
    while (len(common) < n or len(rare) < n) and tries < 200 * n:
        tries += 1
        s = phrase(2, 2)
        m = df(s)
        if m >= COMMON * n_par and len(common) < n:
            common.append(Q(s))
        elif 0 < m <= RARE * n_par and len(rare) < n:
            rare.append(Q(s))
    out["2 chars, common"], out["2 chars, rare"] = common, rare
    for _ in range(n):
        out["1 char"].append(Q(phrase(1, 1)))
        out["3–4 chars"].append(Q(phrase(3, 4)))
        out["6–12 chars"].append(Q(phrase(6, 12)))
        t = para()  # the two terms of an AND come from one paragraph, as real co-occurring words do
        out["2 terms AND"].append(Q(phrase(2, 4, t) + " " + phrase(2, 4, t)))
        a, b = date()
        out["term + date filter"].append(Q(phrase(2, 4), a, b))
        out["count only"].append(Q(phrase(1, 4), limit=0))
    c.close()
    return out


def timed(fn: Callable[[], Any]) -> tuple[float, float]:
    """(wall ms, CPU ms): on a shared machine the CPU time is the steadier figure."""
    t, c = time.perf_counter(), time.process_time()
    fn()
    return (time.perf_counter() - t) * 1000, (time.process_time() - c) * 1000


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p * (len(xs) - 1)))]


def run_size(n: int, workdir: Path, n_queries: int, rebuild: bool, reps: int = 3, with_bare: bool = True
             ) -> dict[str, Any]:
    db, build = ensure_db(n, workdir, rebuild)
    bare, bare_build = ensure_bare(db, rebuild) if with_bare else (None, None)
    tpath, t_build = ensure_tantivy(db, rebuild)
    corpus = Corpus(db, readonly=True)
    fold = index.folder(corpus.store.conn).fold
    tv = Tantivy(tpath, fold)
    bconn = sqlite3.connect(bare) if bare is not None else None
    if bconn is not None:
        bconn.execute("PRAGMA cache_size = -65536")

    def ours(q: Q) -> Any:
        return corpus.search(q.text, limit=q.limit, date_from=q.date_from, date_to=q.date_to)

    def ref(q: Q) -> Any:
        return tv.search(q.text, limit=q.limit, bounds=search._date_bounds(q.date_from, q.date_to))

    def bare_ref(q: Q) -> Any:
        if bconn is None or q.date_from or any(len(t) < 3 for t in q.text.split()):
            return None
        expr = " AND ".join(quote(t) for t in q.text.split())
        total = bconn.execute("SELECT count(*) FROM bare WHERE bare MATCH ?", (expr,)).fetchone()[0]
        if not q.limit:
            return total
        rows = bconn.execute("SELECT rowid, snippet(bare, 0, '<mark>', '</mark>', '…', 24) FROM bare "
                             "WHERE bare MATCH ? ORDER BY rank LIMIT ?", (expr, q.limit)).fetchall()
        return total, rows

    classes = sample_queries(db, n_queries, seed=n, df=tv.df)
    named = {q: [Q(q)] for q in NAMED}
    results: dict[str, Any] = {"paragraphs": n, "build": build, "bare_build": bare_build, "tantivy_build": t_build,
                               "sizes": sizes(db), "classes": {}, "named": {}}
    systems = (("ours", ours), ("tantivy", ref), ("bare", bare_ref))
    for target, groups in (("classes", classes), ("named", named)):
        for name, qs in groups.items():
            times: dict[str, list[tuple[float, float]]] = {s: [] for s, _ in systems}
            totals, agree = [], 0
            has_bare = bare_ref(qs[0]) is not None
            for q in qs:
                got, want = ours(q), ref(q)  # warm-up, and the exactness check: same total, same years
                totals.append(got.total)
                agree += got.total == want[0] and got.by_year == {("undated" if y == 0 else str(y)): c
                                                                   for y, c in sorted(want[1].items())}
                if has_bare:
                    bare_ref(q)
                best: dict[str, tuple[float, float]] = {}
                for _ in range(reps):  # interleaved, query by query: the machine's load hits every system alike
                    for s, fn in systems:
                        if s == "bare" and not has_bare:
                            continue
                        w, cpu = timed(functools.partial(fn, q))
                        b = best.get(s, (float("inf"), float("inf")))
                        best[s] = (min(b[0], w), min(b[1], cpu))
                for s, v in best.items():
                    times[s].append(v)
            r: dict[str, Any] = {"n": len(qs), "mean_total": statistics.mean(totals), "max_total": max(totals),
                                 "agree": agree}
            for s, ts in times.items():
                for i, kind in ((0, ""), (1, "cpu_")):
                    xs = [x[i] for x in ts]
                    r[f"{s}_{kind}p50"] = pct(xs, 0.5) if xs else None
                    r[f"{s}_{kind}p95"] = pct(xs, 0.95) if xs else None
            ratios = [a[1] / max(b[1], 1e-3) for a, b in zip(times["ours"], times["tantivy"])]
            r["ratio_p50"] = pct(ratios, 0.5)  # median of per-query ratios (CPU)
            results[target][name] = r
            print(f"{n:>8} {name:<26} ours p50 {r['ours_p50']:7.1f} p95 {r['ours_p95']:7.1f}  tantivy "
                  f"{r['tantivy_p50']:6.1f} {r['tantivy_p95']:6.1f}  cpu ratio {r['ours_cpu_p50'] / max(r['tantivy_cpu_p50'], 1e-3):5.1f}x "
                  f"(per query {r['ratio_p50']:.1f}x)  matches ~{r['mean_total']:.0f}  agree {agree}/{len(qs)}",
                  file=sys.stderr)
    corpus.close()
    return results


def work_reports_index_speed(corpora: Path, workdir: Path) -> dict[str, float]:
    """chars/s of ``index.add`` (with its commit) on the government work reports, into a fresh
    database holding the same documents and paragraphs; and of the whole ``Corpus.ingest``."""
    from lunshu.corpus import Corpus

    def fresh(path: Path) -> Path:
        for p in (path, Path(str(path) + "-wal"), Path(str(path) + "-shm")):
            if p.exists():
                p.unlink()
        return path

    db = fresh(workdir / "reports.db")
    c = Corpus(db)
    t0 = time.perf_counter()
    report = c.ingest([str(corpora / "government-work-reports-1954-2025.jsonl")])
    t_ingest = time.perf_counter() - t0
    c.close()
    best = float("inf")
    chars = 0
    for _ in range(3):
        target = Store(fresh(workdir / "reports-index.db"))
        conn = target.conn
        conn.execute("ATTACH DATABASE ? AS src", (str(db),))
        with target.transaction() as tx:
            cols = ", ".join(r[1] for r in tx.execute("PRAGMA src.table_info(documents)"))
            tx.execute(f"INSERT INTO documents ({cols}) SELECT {cols} FROM src.documents")
            tx.execute("INSERT INTO paragraphs (id, doc_id, n, text) SELECT id, doc_id, n, text FROM src.paragraphs")
        rows = [(int(r[0]), str(r[1])) for r in conn.execute("SELECT id, text FROM paragraphs ORDER BY id")]
        chars = sum(len(t) for _, t in rows)
        t = time.perf_counter()
        with target.transaction() as tx:  # the commit counts: FTS5 writes its in-memory batch then
            index.add(tx, rows)
        best = min(best, time.perf_counter() - t)
        target.close()
    return {"chars": chars, "index_add_chars_per_s": chars / best, "ingest_chars_per_s": report.chars / t_ingest}


P95_TARGET_MS = 20.0
RATIO_TARGET = 2.0


def _f(v: float | None, nd: int = 1) -> str:
    return "—" if v is None else f"{v:,.{nd}f}"


def markdown(all_results: list[dict[str, Any]], reports: dict[str, float] | None) -> str:
    lines = ["## Search", "",
             (f"`bench/bench_search.py` on {platform.machine()} ({platform.python_implementation()} "
              f"{platform.python_version()}, SQLite {sqlite3.sqlite_version}, tantivy-py {_tantivy_version()}); a "
              "2-core machine shared with six other engineers' work, so wall times are noisy and the CPU time of "
              "the process is the figure compared. Synthetic corpora from `bench/synth.py` (real sentences of "
              "`../shared/corpora` recombined), written as `lunshu ingest` leaves a database: rows, index, "
              "then `index.settle` (on a new database the segments merged into one)."), "",
             ("**lunshu**: `Corpus.search(q, limit=20)` — BM25-ranked top 20 with text and snippets, exact "
              "`total` and per-year counts (`limit=0` for *count only*). **tantivy**: an exact-substring index "
              "of the same folded paragraphs built in the same run (`uni` field: every character; `bi`: every "
              "overlapping pair; positions; a term of 2+ characters is a phrase of consecutive pairs), answering "
              "top 20 by BM25 + count + a terms aggregation by year (no text or snippets fetched). **bare FTS5**: "
              "a trigram table of the same paragraphs (count + top 20 by rank with `snippet()`; 3+ characters "
              "only). The systems are interleaved query by query (each query: a warm-up of each, then 3 rounds "
              "of all systems; the fastest round of each kept). *agree*: queries whose lunshu total and per-year "
              "counts equal tantivy's (both exact: they must)."), "",
             ("Query classes, phrases cut from stored paragraphs: 1 character; 2 characters in ≥ 1 % of the "
              "paragraphs (*common*) or ≤ 0.1 % (*rare*); 3–4 and 6–12 characters; two ANDed terms of 2–4 "
              "characters from one paragraph; a 2–4-character term with `--from`/`--to` day-precision dates "
              "(0–5 years apart); *count only*: 1–4 characters with `limit=0`."), ""]
    for r in all_results:
        s = r["sizes"]
        lines += [(f"### {r['paragraphs']:,} paragraphs ({s['chars'] / 1e6:.1f} M characters, "
                   f"{s['text_bytes'] / 1e6:.0f} MB of text){' — run ' + r['when'] if r.get('when') else ''}"), "",
                  ("| queries | n | lunshu CPU p50 / p95 ms | tantivy CPU p50 / p95 | **ratio of p50s** | median per-query "
                   "ratio | lunshu wall p50 / p95 | tantivy wall p50 / p95 | bare FTS5 CPU p50 / p95 | mean / max "
                   "matches | agree |"),
                  "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for name, x in list(r["classes"].items()) + list(r["named"].items()):
            ratio = x["ours_cpu_p50"] / max(x["tantivy_cpu_p50"], 1e-3)
            lines.append(
                f"| {name} | {x['n']} | {_f(x['ours_cpu_p50'])} / {_f(x['ours_cpu_p95'])} | "
                f"{_f(x['tantivy_cpu_p50'])} / {_f(x['tantivy_cpu_p95'])} | **{ratio:.1f}×** | {x['ratio_p50']:.1f}× | "
                f"{_f(x['ours_p50'])} / {_f(x['ours_p95'])} | {_f(x['tantivy_p50'])} / {_f(x['tantivy_p95'])} | "
                f"{_f(x.get('bare_cpu_p50'))} / {_f(x.get('bare_cpu_p95'))} | {x['mean_total']:,.0f} / {x['max_total']:,} | "
                f"{x['agree']}/{x['n']} |")
        tb = r["tantivy_build"]
        lines += ["",
                  (f"Sizes: lunshu's index {s['index_bytes'] / 1e6:.0f} MB = {s['index_bytes'] / s['text_bytes']:.2f}× "
                   f"the text (FTS5 {s['fts_bytes'] / 1e6:.0f} MB + per-paragraph keys), database file "
                   f"{s.get('file_bytes', 0) / 1e6:.0f} MB; tantivy {tb['index_bytes'] / 1e6:.0f} MB "
                   f"({tb['index_bytes'] / s['text_bytes']:.2f}×, built in {tb['cpu_seconds']:.0f} CPU s from Python); "
                   + (f"bare trigram FTS5 {r['bare_build']['index_bytes'] / 1e6:.0f} MB "
                      f"({r['bare_build']['index_bytes'] / s['text_bytes']:.2f}×, 3+ characters only)."
                      if r.get("bare_build") else "(bare FTS5 not run at this size)."))]
        b = r["build"]
        lines += [(f"Indexing during the build (`index.add` with its commit, in key order, 40k paragraphs per "
                   f"transaction): {b.get('index_chars_per_cpu_s', 0) / 1e6:.2f} M characters per CPU second "
                   f"({b['index_chars_per_s'] / 1e6:.2f} M/s wall); the merge at the end (`index.settle`) "
                   f"{b['optimize_seconds']:.1f} s wall."), ""]
    big = all_results[-1] if all_results else None
    if big is not None:
        lines += [(f"Targets at {big['paragraphs']:,} paragraphs (CPU time; median ≤ {RATIO_TARGET:.0f}× tantivy's, "
                   f"p95 ≤ {P95_TARGET_MS:.0f} ms):"), "",
                  "| queries | ratio of p50s | ≤ 2× | p95 ms | ≤ 20 ms |", "|---|---:|---|---:|---|"]
        for name, x in big["classes"].items():
            ratio = x["ours_cpu_p50"] / max(x["tantivy_cpu_p50"], 1e-3)
            lines.append(f"| {name} | {ratio:.1f}× | {'met' if ratio <= RATIO_TARGET else '**not met**'} | "
                         f"{x['ours_cpu_p95']:.1f} | {'met' if x['ours_cpu_p95'] <= P95_TARGET_MS else '**not met**'} |")
        lines.append("")
    if reports:
        lines += [(f"On the government work reports ({reports['chars'] / 1e6:.2f} M chars): `index.add` (with its commit) "
                   f"into a fresh database **{reports['index_add_chars_per_s'] / 1e6:.2f} M chars/s**; the whole "
                   f"`Corpus.ingest` (read, clean, metadata, store, index, merge) {reports['ingest_chars_per_s'] / 1e6:.2f} "
                   "M chars/s."), ""]
    return "\n".join(lines)


def _tantivy_version() -> str:
    try:
        import tantivy

        return str(tantivy.__version__).split(",")[0].replace("tantivy ", "")
    except ImportError:
        return "not installed"


def ratios(all_results: list[dict[str, Any]]) -> dict[str, float]:
    big = all_results[-1]
    return {f"search {name} at {big['paragraphs']} paragraphs: lunshu / tantivy CPU p50 (target ≤ 2)":
            round(x["ours_cpu_p50"] / max(x["tantivy_cpu_p50"], 1e-3), 2) for name, x in big["classes"].items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10000, 100000])
    ap.add_argument("--queries", type=int, default=100, help="queries per class")
    ap.add_argument("--quick", action="store_true", help="10,000 paragraphs, 20 queries per class")
    ap.add_argument("--workdir", type=Path, default=OUT,
                    help="where the databases are (default bench/out/, shared with bench_trace and bench_web)")
    ap.add_argument("--rebuild", action="store_true", help="rebuild databases even if present")
    ap.add_argument("--keep", action="store_true",
                    help="keep the results of other sizes from the last run (to run a big size on its own)")
    ap.add_argument("--no-reports", action="store_true", help="skip the government work reports indexing run")
    ap.add_argument("--no-bare", action="store_true", help="skip the bare FTS5 reference (its build is long at 1M)")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "search.md")
    ap.add_argument("--corpora", type=Path, default=synth.SHARED / "corpora")
    args = ap.parse_args()
    if args.quick:
        args.sizes, args.queries = [10000], 20
    args.workdir.mkdir(parents=True, exist_ok=True)
    saved = args.out.with_suffix(".json")
    old = json.loads(saved.read_text()) if args.keep and saved.exists() else {}
    results = [run_size(n, args.workdir, args.queries, args.rebuild, with_bare=not args.no_bare) for n in args.sizes]
    for r in results:
        r["when"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    kept = [r for r in old.get("sizes", []) if r["paragraphs"] not in args.sizes]
    results = sorted(kept + results, key=lambda r: r["paragraphs"])
    reports = None if args.no_reports or not args.corpora.is_dir() else work_reports_index_speed(args.corpora, args.workdir)
    reports = reports or old.get("reports")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(markdown(results, reports) + "\n", encoding="utf-8")
    series = [{"label": f"{name} (lunshu CPU p50)", "unit": "s", "x_unit": "characters",
               "points": [{"x": r["sizes"]["chars"], "y": r["classes"][name]["ours_cpu_p50"] / 1000}
                          for r in results if name in r["classes"]]}
              for name in ("1 char", "2 chars, common", "3–4 chars", "6–12 chars")]
    saved.write_text(json.dumps({"name": "search", "ratios": ratios(results), "series": series, "sizes": results,
                                 "reports": reports}, ensure_ascii=False, indent=1))
    print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
