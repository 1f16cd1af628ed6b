"""Benchmark: trace latency (p50/p95) against corpus size, with a linear scan as the reference.

Why: tracing a pasted quotation must feel instant on a large corpus (target p95 ≤ 50 ms at 1M
paragraphs). The queries are real sentences from the database, edited the way compilations edit
them (exact, abridged with ……, one character changed, a clause dropped, half-width punctuation),
plus invented text that must come back ``not_found`` (the worst case: every lead is followed).
The reference — Python ``in`` and rapidfuzz over every paragraph — shows what the index buys.

    .venv/bin/python bench/bench_trace.py            # 100k and 1M paragraphs
    .venv/bin/python bench/bench_trace.py --quick    # 10k paragraphs

Synthetic databases are built once under ``bench/out/`` (gitignored) and reused while the
sidecar JSON says they were built with the same size, seed and index format.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import math
import os
import platform
import random
import re
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
OUT = BENCH / "out"
RESULTS = BENCH / "results"
SHARED = Path(os.environ.get("LUNSHU_SHARED", ROOT.parent / "shared"))
CORPORA = SHARED / "corpora"
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(BENCH))

TARGET_P95_MS = 50.0
SYNTH_SEED = 1


# -- helpers shared by the bench_* scripts ---------------------------------------------------------
def machine() -> dict[str, Any]:
    """What the figures were measured on: the machine is shared, so the load average matters."""
    load = os.getloadavg()
    return {"cpus": os.cpu_count(), "loadavg": [round(x, 2) for x in load], "python": platform.python_version(),
            "platform": platform.platform()}


def load_note() -> str:
    m = machine()
    return f"{m['cpus']} CPUs, load average {m['loadavg'][0]:.2f} / {m['loadavg'][1]:.2f} / {m['loadavg'][2]:.2f}"


def skip_if_no_shared(name: str) -> None:
    if not CORPORA.is_dir():
        print(f"{name}: skipped — no corpora at {CORPORA} (the benchmarks need ../shared/corpora)")
        sys.exit(0)


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (no interpolation: with few samples it reports an observed value)."""
    if not values:
        return float("nan")
    s = sorted(values)
    k = max(0, min(len(s) - 1, math.ceil(p / 100 * len(s)) - 1))
    return s[k]


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def synth_db(n_paragraphs: int, *, seed: int = SYNTH_SEED, quiet: bool = False) -> tuple[Path, dict[str, Any]]:
    """A synthetic database of ``n_paragraphs`` under bench/out/, built once and then reused.

    Built under a temporary name and renamed when complete, so an interrupted build is never
    mistaken for a finished one; a lock keeps two benchmarks from building the same file at once.
    """
    import synth

    from lunshu import index

    db = OUT / f"synth-{n_paragraphs}.db"
    side = OUT / f"synth-{n_paragraphs}.json"
    want = {"paragraphs": n_paragraphs, "seed": seed, "index_version": index.INDEX_VERSION}
    with file_lock(OUT / f"synth-{n_paragraphs}.lock"):
        if db.exists() and side.exists():
            info = json.loads(side.read_text())
            if all(info.get(k) == v for k, v in want.items()):
                info["reused"] = True
                return db, info
        tmp = OUT / f"synth-{n_paragraphs}.building.db"
        if not quiet:
            print(f"building {db.name} ({n_paragraphs} paragraphs; reused by later runs)", file=sys.stderr)
        stats = synth.build(tmp, n_paragraphs, seed=seed, corpora=CORPORA, quiet=quiet)
        for suffix in ("-wal", "-shm"):
            extra = Path(str(tmp) + suffix)
            if extra.exists():
                extra.unlink()
        os.replace(tmp, db)
        info = {**want, "build": stats, "built_at": time.strftime("%Y-%m-%d %H:%M:%S")}
        side.write_text(json.dumps(info, indent=1))
        info["reused"] = False
        return db, info


def write_results(name: str, markdown: str, rows: list[dict[str, Any]], extra: dict[str, Any]) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.md").write_text(markdown.rstrip() + "\n", encoding="utf-8")
    payload = {"name": name, "rows": rows, **extra}
    (RESULTS / f"{name}.json").write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")


# -- queries ---------------------------------------------------------------------------------------
KINDS = ("exact", "abridged", "changed_char", "dropped_clause", "halfwidth", "invented")
_SENT = re.compile(r"[^。！？；!?;]+[。！？；!?;]")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_HALF = str.maketrans({"，": ",", "。": ".", "；": ";", "：": ":", "！": "!", "？": "?", "“": '"', "”": '"',
                       "（": "(", "）": ")"})


def _clauses(sentence: str) -> list[str]:
    """Clauses with their trailing comma kept, so joining them rebuilds the sentence."""
    return [c for c in re.findall(r"[^，、]+[，、]?", sentence) if c]


def _edit(kind: str, sents: list[str], i: int, rng: random.Random, common: str) -> str | None:
    s = sents[i]
    if kind == "exact":
        return s
    if kind == "abridged":  # 前半……后半, across sentences when the paragraph has them
        if i + 2 < len(sents):
            return sents[i].rstrip("。！？；") + "……" + sents[i + 2]
        cl = _clauses(s)
        if len(cl) >= 3:
            return cl[0].rstrip("，、") + "……" + "".join(cl[-1:])
        return None
    if kind == "changed_char":
        pos = [m.start() for m in _HAN.finditer(s)][2:-2]
        if not pos:
            return None
        p = rng.choice(pos)
        new = rng.choice([c for c in common[:200] if c != s[p]])
        return s[:p] + new + s[p + 1:]
    if kind == "dropped_clause":
        cl = _clauses(s)
        if len(cl) < 3:
            return None
        k = rng.randrange(1, len(cl) - 1)
        return "".join(cl[:k] + cl[k + 1:])
    if kind == "halfwidth":
        out = s.translate(_HALF)
        return out if out != s else None
    raise ValueError(kind)


def _invented(rng: random.Random, common: str, weights: list[int]) -> str:
    """Text with the corpus's character statistics that no document contains."""
    parts = []
    for _ in range(rng.randint(2, 5)):
        parts.append("".join(rng.choices(common, weights=weights, k=rng.randint(5, 12))))
    return "，".join(parts) + "。"


def make_queries(db: Path, per_kind: int, seed: int = 7) -> list[dict[str, Any]]:
    """Queries drawn from random paragraphs of ``db``, ``per_kind`` of each kind."""
    import sqlite3
    from collections import Counter

    rng = random.Random(seed)
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    max_id = conn.execute("SELECT max(id) FROM paragraphs").fetchone()[0]
    sample = [str(r[0]) for r in conn.execute(
        "SELECT text FROM paragraphs WHERE id IN ({})".format(",".join(str(rng.randint(1, max_id)) for _ in range(300))))]
    freq = Counter(c for t in sample for c in t if _HAN.match(c))
    common_pairs = freq.most_common(1500)
    common = "".join(c for c, _ in common_pairs)
    weights = [w for _, w in common_pairs]
    out: list[dict[str, Any]] = []
    for kind in KINDS:
        made = 0
        tries = 0
        while made < per_kind and tries < per_kind * 200:
            tries += 1
            if kind == "invented":
                out.append({"kind": kind, "text": _invented(rng, common, weights), "date": None, "original": None})
                made += 1
                continue
            row = conn.execute("SELECT p.doc_id, p.n, p.text, d.date FROM paragraphs p JOIN documents d "
                               "ON d.id = p.doc_id WHERE p.id = ?", (rng.randint(1, max_id),)).fetchone()
            if row is None:
                continue
            sents = [s.strip() for s in _SENT.findall(row[2])]
            ok = [i for i, s in enumerate(sents) if 16 <= len(s) <= 120]
            if not ok:
                continue
            i = rng.choice(ok)
            text = _edit(kind, sents, i, rng, common)
            if text is None:
                continue
            date = row[3] if row[3] and len(row[3]) == 10 and rng.random() < 0.5 else None
            out.append({"kind": kind, "text": text, "date": date, "original": sents[i], "doc_id": row[0],
                        "paragraph": row[1]})
            made += 1
    conn.close()
    rng.shuffle(out)
    return out


# -- measuring -------------------------------------------------------------------------------------
def _found(q: dict[str, Any], sources: list[Any]) -> bool:
    """Did trace return a passage that carries the sampled sentence? (Synthetic text repeats sentences,
    so any paragraph with the original sentence counts, not only the one it was drawn from.)"""
    if q["original"] is None:
        return False
    return any(q["original"] in s.text or (s.doc_id == q["doc_id"] and s.paragraph <= q["paragraph"]
                                           <= (s.paragraph_end or s.paragraph)) for s in sources)


class Minimal:
    """The reference trace: FTS5 candidates + rapidfuzz, as little as does the job.

    Each clause of 4+ letters is looked up as an exact phrase in the same index (at most
    ``LOOKUP_LIMIT`` rows; a paragraph gets the clause's length as a vote), the 30 paragraphs with
    most votes are read and scored with rapidfuzz ``partial_ratio`` against the quotation, and
    those scoring ``CUTOFF`` or more are the sources, best first (at most 10).
    """

    LOOKUP_LIMIT = 400
    CUTOFF = 70.0
    _SPLIT = re.compile(r"[^\w]+")

    def __init__(self, db: Path) -> None:
        import sqlite3

        from rapidfuzz import fuzz

        from lunshu import index

        self.index, self.fuzz, self.sqlite3 = index, fuzz, sqlite3
        self.conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        self.fold = index.folder(self.conn).fold

    def trace(self, text: str, limit: int = 10) -> list[Any]:
        from collections import Counter
        from types import SimpleNamespace

        ix = self.index
        votes: Counter[int] = Counter()
        sql = f"SELECT rowid FROM {ix.TABLE} WHERE {ix.TABLE} MATCH ? LIMIT {self.LOOKUP_LIMIT}"
        for clause in [c for c in self._SPLIT.split(text) if len(c) >= 4][:12]:
            try:
                rows = self.conn.execute(sql, (ix.phrase_expr(self.fold(clause)),)).fetchall()
            except (self.sqlite3.Error, ValueError):  # a clause the index cannot take is no lead
                rows = []
            for (rowid,) in rows:
                votes[int(rowid) & ix.PID_MASK] += len(clause)
        top = [pid for pid, _ in votes.most_common(30)]
        if not top:
            return []
        rows = self.conn.execute(f"SELECT id, doc_id, n, text FROM paragraphs WHERE id IN ({','.join('?' * len(top))})",
                                 top).fetchall()
        scored = [(self.fuzz.partial_ratio(text, str(r[3])), r) for r in rows]
        scored = sorted((x for x in scored if x[0] >= self.CUTOFF), key=lambda x: -x[0])[:limit]
        return [SimpleNamespace(doc_id=r[1], paragraph=r[2], paragraph_end=None, text=r[3], score=sc)
                for sc, r in scored]

    def close(self) -> None:
        self.conn.close()


def read_through(db: Path) -> float:
    """Read the database file once, as a server that has been answering for a while has it in the
    page cache (the machine has memory for it; other work evicts it). Seconds taken."""
    t = time.perf_counter()
    with open(db, "rb") as fh:
        while fh.read(1 << 24):
            pass
    return time.perf_counter() - t


def measure_trace(db: Path, queries: list[dict[str, Any]]) -> dict[str, Any]:
    from lunshu.corpus import Corpus

    warm_s = read_through(db)
    corpus = Corpus(db)
    t0 = time.perf_counter()
    corpus.trace(queries[0]["text"], date=queries[0]["date"])  # opens the connection, loads the fold table
    first_ms = (time.perf_counter() - t0) * 1000
    for q in queries[1:4]:  # warm the page cache the way a running server would be
        corpus.trace(q["text"], date=q["date"])
    minimal = Minimal(db)
    for q in queries[:4]:
        minimal.trace(q["text"])
    lat: dict[str, list[float]] = {k: [] for k in KINDS}
    found: dict[str, int] = {k: 0 for k in KINDS}
    first: dict[str, int] = {k: 0 for k in KINDS}
    statuses: dict[str, dict[str, int]] = {k: {} for k in KINDS}
    cpu: list[float] = []
    # the reference, run on each query right after lunshu (interleaved: the same machine state)
    m_lat: list[float] = []
    m_cpu: list[float] = []
    m_found: dict[str, int] = {k: 0 for k in KINDS}
    m_first: dict[str, int] = {k: 0 for k in KINDS}
    m_none: dict[str, int] = {k: 0 for k in KINDS}
    for q in queries:
        t, c = time.perf_counter(), time.process_time()
        r = corpus.trace(q["text"], date=q["date"])
        lat[q["kind"]].append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
        found[q["kind"]] += _found(q, r.sources)
        first[q["kind"]] += _found(q, r.sources[:1])
        statuses[q["kind"]][r.status] = statuses[q["kind"]].get(r.status, 0) + 1
        t, c = time.perf_counter(), time.process_time()
        ms = minimal.trace(q["text"])
        m_lat.append((time.perf_counter() - t) * 1000)
        m_cpu.append((time.process_time() - c) * 1000)
        m_found[q["kind"]] += _found(q, ms)
        m_first[q["kind"]] += _found(q, ms[:1])
        m_none[q["kind"]] += not ms
    corpus.close()
    minimal.close()
    every = [x for v in lat.values() for x in v]
    per_kind = {k: {"n": len(v), "p50_ms": percentile(v, 50), "p95_ms": percentile(v, 95),
                    "max_ms": max(v) if v else float("nan"), "found": found[k], "first": first[k],
                    "statuses": statuses[k], "minimal_found": m_found[k], "minimal_first": m_first[k],
                    "minimal_none": m_none[k]}
                for k, v in lat.items()}
    return {"n": len(every), "p50_ms": percentile(every, 50), "p95_ms": percentile(every, 95),
            "p99_ms": percentile(every, 99), "mean_ms": statistics.fmean(every), "max_ms": max(every),
            "first_ms": first_ms, "warm_read_s": warm_s, "cpu_p50_ms": percentile(cpu, 50), "cpu_p95_ms": percentile(cpu, 95),
            "per_kind": per_kind,
            "minimal": {"p50_ms": percentile(m_lat, 50), "p95_ms": percentile(m_lat, 95),
                        "cpu_p50_ms": percentile(m_cpu, 50), "cpu_p95_ms": percentile(m_cpu, 95)}}


def linear_scan(db: Path, queries: list[dict[str, Any]], n: int) -> dict[str, Any]:
    """What tracing costs without the index: every paragraph read and compared."""
    import sqlite3

    from rapidfuzz import fuzz, process

    t0 = time.perf_counter()
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    texts = [str(r[0]) for r in conn.execute("SELECT text FROM paragraphs")]
    conn.close()
    load_s = time.perf_counter() - t0
    picked = [q for q in queries if q["kind"] != "invented"][:n]
    t_in: list[float] = []
    t_fuzz: list[float] = []
    in_found = fuzz_found = 0
    for q in picked:
        t = time.perf_counter()
        hits = [i for i, p in enumerate(texts) if q["text"] in p]
        t_in.append((time.perf_counter() - t) * 1000)
        in_found += bool(hits)
        t = time.perf_counter()
        best = process.extract(q["text"], texts, scorer=fuzz.partial_ratio, limit=10, score_cutoff=80)
        t_fuzz.append((time.perf_counter() - t) * 1000)
        fuzz_found += any(q["original"] in texts[i] for _, _, i in best)
    return {"paragraphs": len(texts), "queries": len(picked), "load_s": load_s,
            "in_p50_ms": percentile(t_in, 50), "in_max_ms": max(t_in), "in_found": in_found,
            "rapidfuzz_p50_ms": percentile(t_fuzz, 50), "rapidfuzz_max_ms": max(t_fuzz), "rapidfuzz_found": fuzz_found}


# -- report ----------------------------------------------------------------------------------------
def _fmt(x: float) -> str:
    return f"{x:.1f}" if x < 100 else f"{x:.0f}"


def report(results: list[dict[str, Any]], scan: dict[str, Any] | None, quick: bool, started: str,
           load_before: str, load_after: str) -> str:
    lines = ["## Trace latency", "",
             (f"`Corpus(db).trace(text, date=…)` on synthetic databases (real sentences of the shared corpora, "
             f"recombined by `bench/synth.py`). Run {started}{' (--quick)' if quick else ''}; "
             f"machine: {load_before} at the start, {load_after} at the end (the machine is shared: "
             f"latencies include waiting for a core)."), "",
             (f"Target: p95 ≤ {TARGET_P95_MS:.0f} ms at 1M paragraphs (wall clock). *CPU* columns: the process's "
              "CPU time per query, which the other work on the machine inflates much less than wall time."), "",
             ("| paragraphs | chars | queries | p50 ms | p95 ms | p99 ms | max ms | first query ms | CPU p50 ms | "
              "CPU p95 ms | p95 vs target |"),
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in results:
        verdict = "meets" if r["p95_ms"] <= TARGET_P95_MS else "over"
        lines.append(f"| {r['size']:,} | {r['chars'] / 1e6:.1f} M | {r['n']} | {_fmt(r['p50_ms'])} | "
                     f"{_fmt(r['p95_ms'])} | {_fmt(r['p99_ms'])} | {_fmt(r['max_ms'])} | {_fmt(r['first_ms'])} | "
                     f"{_fmt(r['cpu_p50_ms'])} | {_fmt(r['cpu_p95_ms'])} | {verdict} |")
    lines += ["", ("Per kind of query (p50 / p95 ms; *found* = a returned source carries the sampled sentence; "
              "statuses as returned):"), "",
              "| paragraphs | kind | n | p50 ms | p95 ms | found | statuses |", "|---:|---|---:|---:|---:|---:|---|"]
    for r in results:
        for k, v in r["per_kind"].items():
            st = ", ".join(f"{s} {c}" for s, c in sorted(v["statuses"].items()))
            found = "—" if k == "invented" else f"{v['found']}/{v['n']}"
            lines.append(f"| {r['size']:,} | {k} | {v['n']} | {_fmt(v['p50_ms'])} | {_fmt(v['p95_ms'])} | "
                         f"{found} | {st} |")
    lines += ["", ("Against the reference pipeline (`Minimal` in this file: each clause of 4+ letters looked up as "
                   "an exact phrase in the same index, the 30 paragraphs with most votes scored with rapidfuzz "
                   "`partial_ratio`, ≥ 70 kept, best first), run on each query right after lunshu's trace. "
                   "Target: lunshu's p50 ≤ 2× the reference's, with the same or better right-source rate on "
                   "edited quotations. *right* = a returned source carries the sampled sentence; *first right* = "
                   "the first one does."), "",
              ("| paragraphs | lunshu p50 ms | reference p50 ms | ratio | lunshu CPU p50 ms | reference CPU p50 ms | "
               "CPU ratio | p50 target |"), "|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in results:
        m = r["minimal"]
        ratio, cratio = r["p50_ms"] / m["p50_ms"], r["cpu_p50_ms"] / max(m["cpu_p50_ms"], 1e-9)
        lines.append(f"| {r['size']:,} | {_fmt(r['p50_ms'])} | {_fmt(m['p50_ms'])} | {ratio:.2f}× | "
                     f"{_fmt(r['cpu_p50_ms'])} | {_fmt(m['cpu_p50_ms'])} | {cratio:.2f}× | "
                     f"{'meets' if ratio <= 2.0 else 'misses'} |")
    lines += ["", ("| paragraphs | kind | n | lunshu right | reference right | lunshu first right | "
                   "reference first right |"), "|---:|---|---:|---:|---:|---:|---:|"]
    for r in results:
        for k, v in r["per_kind"].items():
            if k == "invented":
                lines.append(f"| {r['size']:,} | invented (nothing is right) | {v['n']} | "
                             f"not_found {v['statuses'].get('not_found', 0)} | no source {v['minimal_none']} | | |")
                continue
            lines.append(f"| {r['size']:,} | {k} | {v['n']} | {v['found']} | {v['minimal_found']} | {v['first']} | "
                         f"{v['minimal_first']} |")
    exact = [r["per_kind"]["exact"] for r in results]
    if any(e["n"] and e["found"] < 0.9 * e["n"] for e in exact):
        lines += ["", ("**Warning:** trace misses many *exact* quotations, so these latencies measure a trace that "
                      "gives up early; they are not meaningful until recall is fixed.")]
    if scan:
        lines += ["", (f"Reference, without the index, at {scan['paragraphs']:,} paragraphs ({scan['queries']} "
                      f"sampled queries; reading every paragraph from SQLite took {scan['load_s']:.1f} s, not counted "
                      "below):"), "",
                  "| method | p50 ms | max ms | found |", "|---|---:|---:|---:|",
                  (f"| Python `in` over all paragraphs (exact substring only) | {_fmt(scan['in_p50_ms'])} | "
                  f"{_fmt(scan['in_max_ms'])} | {scan['in_found']}/{scan['queries']} |"),
                  (f"| rapidfuzz `partial_ratio` over all paragraphs | {_fmt(scan['rapidfuzz_p50_ms'])} | "
                  f"{_fmt(scan['rapidfuzz_max_ms'])} | {scan['rapidfuzz_found']}/{scan['queries']} |")]
    lines += ["", ("Queries: real sentences sampled from the database, exact; abridged with `……` (sentence *i* …… "
                  "sentence *i+2*, or first …… last clause); one Han character changed; one inner clause dropped; "
                  "Chinese punctuation made half-width; and invented text with the corpus's character frequencies "
                  "(must be `not_found`). Half of the sampled queries carry the source document's date.")]
    warm = [r for r in results if r.get("warm_read_s") is not None]
    if warm:
        lines += ["", ("Before timing, each database file is read through once, so that it is in the page cache as "
                       "it is for a server that has been answering for a while ("
                       + "; ".join(f"{r['size']:,} paragraphs: {r['db_mb']:.0f} MB in {r['warm_read_s']:.1f} s"
                                   for r in warm)
                       + "); the *first query* column is the first trace on a fresh connection after that.")]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="10k paragraphs only")
    ap.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")], default=None,
                    help="comma-separated paragraph counts (default 100000,1000000; --quick 10000)")
    ap.add_argument("--per-kind", type=int, default=None, help="queries of each kind (default 30; --quick 10)")
    ap.add_argument("--scan-queries", type=int, default=None, help="queries for the linear-scan reference")
    args = ap.parse_args()
    skip_if_no_shared("bench_trace")
    sizes = args.sizes or ([10_000] if args.quick else [100_000, 1_000_000])
    per_kind = args.per_kind or (10 if args.quick else 30)
    scan_n = args.scan_queries if args.scan_queries is not None else (3 if args.quick else 8)
    scan_size = 100_000 if 100_000 in sizes else sizes[0]
    started = time.strftime("%Y-%m-%d %H:%M")
    load_before = load_note()
    results: list[dict[str, Any]] = []
    scan = None
    builds: dict[int, Any] = {}
    for n in sizes:
        db, info = synth_db(n)
        builds[n] = info
        queries = make_queries(db, per_kind)
        r = measure_trace(db, queries)
        r.update(size=n, chars=info["build"]["chars"], db_mb=db.stat().st_size / 1e6)
        results.append(r)
        print(f"trace {n:>9,} paragraphs: p50 {r['p50_ms']:.1f} ms  p95 {r['p95_ms']:.1f} ms  "
              f"p99 {r['p99_ms']:.1f} ms  (exact found {r['per_kind']['exact']['found']}/"
              f"{r['per_kind']['exact']['n']})  [{load_note()}]")
        if n == scan_size and scan_n:
            scan = linear_scan(db, queries, scan_n)
            print(f"  linear scan at {n:,}: `in` p50 {scan['in_p50_ms']:.0f} ms, rapidfuzz p50 "
                  f"{scan['rapidfuzz_p50_ms']:.0f} ms")
    load_after = load_note()
    md = report(results, scan, args.quick, started, load_before, load_after)
    rows: list[dict[str, Any]] = []
    for r in results:
        rows.append({"size": r["size"], "metric": "trace_p50_vs_minimal", "unit": "x", "target": 2.0,
                     "value": round(r["p50_ms"] / r["minimal"]["p50_ms"], 3)})
        for m in ("p50_ms", "p95_ms", "cpu_p95_ms"):  # the rest is in "results" (fewer lines on the plot)
            rows.append({"size": r["size"], "metric": f"trace_{m}", "value": round(r[m], 3), "unit": "ms",
                         **({"target": TARGET_P95_MS} if m == "p95_ms" else {})})
        for k, v in r["per_kind"].items():
            if k != "invented":
                rows.append({"size": r["size"], "metric": f"trace_found[{k}]", "value": v["found"] / max(1, v["n"]),
                             "unit": "share"})
    if scan:
        rows.append({"size": scan["paragraphs"], "metric": "linear_in_p50_ms", "value": round(scan["in_p50_ms"], 3),
                     "unit": "ms"})
        rows.append({"size": scan["paragraphs"], "metric": "linear_rapidfuzz_p50_ms",
                     "value": round(scan["rapidfuzz_p50_ms"], 3), "unit": "ms"})
    write_results("trace", md, rows, {"size_unit": "paragraphs", "quick": args.quick, "started": started, "machine": machine(),
                                      "load_before": load_before, "results": results, "linear_scan": scan,
                                      "builds": builds})
    print(f"trace: wrote {RESULTS / 'trace.md'} and {RESULTS / 'trace.json'}")


if __name__ == "__main__":
    main()
