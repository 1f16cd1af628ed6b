"""Benchmark: ``Corpus.reuse()`` time and peak memory against the number of documents.

Why: reuse runs over every sentence of the corpus (MinHash LSH proposes pairs, rapidfuzz confirms
them), so its cost decides how large a corpus one machine can keep linked. Target: 100k documents
in ≤ 10 minutes, with near-linear growth.

Corpora measured:

- the shared corpora (``../shared/corpora``), ingested into a fresh database;
- synthetic corpora of N documents whose clauses are real (from the shared corpora) and recombined
  into new sentences, with realistic reuse: some documents republish earlier ones (sometimes with a
  changed character, a paragraph dropped or added), some quote sentences of earlier ones (sometimes
  edited or abridged). The databases hold documents and paragraphs only (reuse reads nothing else;
  no search index is built, which keeps building 100k documents to about a minute).

Each size runs in a child process, so its peak RSS is its own. Within the child, the main stages
are timed by thin wrappers (MinHash.bulk, building the LSH buckets, LSH query, rapidfuzz, shingling) to show
where the time goes; their overhead is a few per cent.

    .venv/bin/python bench/bench_reuse.py            # shared corpora, 10k, 30k, then 100k if in budget
    .venv/bin/python bench/bench_reuse.py --quick    # shared corpora, 1k, 10k documents
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench_trace import (
    CORPORA,
    OUT,
    RESULTS,
    ROOT,
    file_lock,
    load_note,
    machine,
    skip_if_no_shared,
    write_results,
)

sys.path.insert(0, str(ROOT / "src"))

TARGET_DOCS = 100_000
TARGET_SECONDS = 600.0
GEN_VERSION = "1"  # bump when the generator changes: cached databases are rebuilt
_CLAUSE = re.compile(r"[^，、；：。！？!?;:,]+")
_HAN = re.compile(r"[\u4e00-\u9fff]")


# -- synthetic documents with reuse ------------------------------------------------------------------
def load_clauses() -> list[str]:
    import synth

    out: set[str] = set()
    for s in synth.load_sentences(CORPORA):
        out.update(c.strip() for c in _CLAUSE.findall(s) if 4 <= len(c.strip()) <= 30)
    return sorted(out)


class _Gen:
    """Documents built from real clauses; a share of them republish or quote earlier ones."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.clauses = load_clauses()
        self.common = "的是在和了有为中发展国人我们要"  # replacement characters for edits

    def sentence(self) -> str:
        rng = self.rng
        return "，".join(rng.choice(self.clauses) for _ in range(rng.choice((1, 2, 2, 3, 3, 4)))) + \
            rng.choice("。。。。；！")

    def paragraph(self) -> str:
        return "".join(self.sentence() for _ in range(self.rng.choice((1, 2, 2, 3, 4))))

    def edit(self, text: str) -> str:
        """One character changed, or an abridgement marked with ……."""
        rng = self.rng
        pos = [m.start() for m in _HAN.finditer(text)]
        if rng.random() < 0.6 and len(pos) > 6:
            p = rng.choice(pos[2:-2])
            return text[:p] + rng.choice(self.common) + text[p + 1:]
        cl = text.split("，")
        if len(cl) >= 3:
            return cl[0] + "……" + cl[-1]
        return text

    def documents(self, n: int) -> list[tuple[str, str, list[str]]]:
        """(genre, date, paragraphs) for ``n`` documents: 70 % new, 10 % republished, 20 % quoting."""
        import synth

        rng = self.rng
        docs: list[tuple[str, str, list[str]]] = []
        originals: list[int] = []
        for i in range(n):
            r = rng.random()
            if r < 0.10 and originals:
                src = docs[rng.choice(originals)]
                paras = list(src[2])
                if rng.random() < 0.3:
                    k = rng.randrange(len(paras))
                    paras[k] = self.edit(paras[k])
                if rng.random() < 0.3 and len(paras) > 3:
                    paras = paras[:-1]
                if rng.random() < 0.3:
                    paras.insert(0, self.paragraph())
                docs.append((rng.choice(("article", "speech", "other")), src[1], paras))
            elif r < 0.30 and originals:
                paras = [self.paragraph() for _ in range(rng.randint(3, 10))]
                for _ in range(rng.randint(2, 6)):
                    src = docs[rng.choice(originals)]
                    sents = [s for s in re.findall(r"[^。！？；]+[。！？；]", rng.choice(src[2])) if len(s) >= 12]
                    if not sents:
                        continue
                    quote = rng.choice(sents)
                    if rng.random() < 0.3:
                        quote = self.edit(quote)
                    if rng.random() < 0.5:
                        paras.insert(rng.randrange(len(paras) + 1), f"“{quote}”——{src[1]}")
                    else:
                        k = rng.randrange(len(paras))
                        paras[k] = paras[k] + f"正如所说，“{quote}”"
                docs.append((rng.choice(("compilation", "report")), synth._date(rng) or "2020", paras))
            else:
                paras = [self.paragraph() for _ in range(rng.randint(3, 12))]
                originals.append(i)
                docs.append((rng.choice(("speech", "letter", "interview", "article")),
                             synth._date(rng) or "2020", paras))
        return docs


def reuse_db(n_docs: int, *, seed: int = 1) -> tuple[Path, dict[str, Any]]:
    """A synthetic reuse database of ``n_docs`` documents under bench/out/, built once and reused."""
    db = OUT / f"reuse-{n_docs}.db"
    with file_lock(OUT / f"reuse-{n_docs}.lock"):  # two runs at once must not build the same file
        return _reuse_db(db, n_docs, seed)


def _reuse_db(db: Path, n_docs: int, seed: int) -> tuple[Path, dict[str, Any]]:
    from lunshu.store import Store

    side = OUT / f"reuse-{n_docs}.json"
    want = {"documents": n_docs, "seed": seed, "generator": GEN_VERSION}
    if db.exists() and side.exists():
        info = json.loads(side.read_text())
        if all(info.get(k) == v for k, v in want.items()):
            return db, {**info, "reused": True}
    t0 = time.perf_counter()
    docs = _Gen(seed).documents(n_docs)
    tmp = OUT / f"reuse-{n_docs}.building.db"
    for p in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        if p.exists():
            p.unlink()
    store = Store(tmp)
    store.conn.execute("PRAGMA synchronous = OFF")
    chars = paragraphs = 0
    for start in range(0, n_docs, 5000):
        drows: list[tuple[Any, ...]] = []
        prows: list[tuple[str, int, str]] = []
        for i in range(start, min(n_docs, start + 5000)):
            genre, date, paras = docs[i]
            doc_id = f"re{i + 1:07d}"
            c = sum(len(p) for p in paras)
            chars += c
            paragraphs += len(paras)
            drows.append((doc_id, paras[0][:16], date, int(date[:4]), '["习近平"]', "习近平", genre, "新华社",
                          f"h{seed}-{i}", len(paras), c))
            prows.extend((doc_id, k + 1, p) for k, p in enumerate(paras))
        with store.transaction() as conn:
            conn.executemany("INSERT INTO documents (id, title, date, year, speakers, speaker, genre, source, "
                             "content_hash, n_paragraphs, chars) VALUES (?,?,?,?,?,?,?,?,?,?,?)", drows)
            conn.executemany("INSERT INTO paragraphs (doc_id, n, text) VALUES (?,?,?)", prows)
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    os.replace(tmp, db)
    for suffix in ("-wal", "-shm"):
        if Path(f"{tmp}{suffix}").exists():
            Path(f"{tmp}{suffix}").unlink()
    info = {**want, "paragraphs": paragraphs, "chars": chars, "build_seconds": time.perf_counter() - t0}
    side.write_text(json.dumps(info, indent=1))
    return db, {**info, "reused": False}


def corpora_db() -> tuple[Path, dict[str, Any]]:
    """The shared corpora, ingested into a fresh database (ingest time reported, not part of reuse)."""
    from lunshu.corpus import Corpus

    db = OUT / "reuse-corpora.db"
    for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        if p.exists():
            p.unlink()
    t0 = time.perf_counter()
    with Corpus(db) as c:
        rep = c.ingest([str(CORPORA)])
        stats = c.stats()
    return db, {**stats, "ingest_seconds": time.perf_counter() - t0, "failed": len(rep.failed)}


# -- the measurement, in a child process ----------------------------------------------------------------
def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def _available_mb() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("inf")


def child(db: Path) -> dict[str, Any]:
    """Time ``Corpus(db).reuse()`` from a cold cache, with the main stages timed by wrappers."""
    from lunshu import reuse as R
    from lunshu.corpus import Corpus

    stage: dict[str, float] = {"shingles": 0.0, "minhash_bulk": 0.0, "lsh_insert": 0.0, "lsh_query": 0.0,
                               "rapidfuzz": 0.0, "compute": 0.0}
    calls: dict[str, int] = {"lsh_query": 0, "rapidfuzz": 0, "minhash": 0}

    def timed(name: str, fn: Any, count: str | None = None) -> Any:
        def wrapper(*a: Any, **k: Any) -> Any:
            t = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                stage[name] += time.perf_counter() - t
                if count:
                    calls[count] += 1
        return wrapper

    base_mh, base_bands, base_fuzz = R.MinHash, R.Bands, R.fuzz

    class TimedMinHash(base_mh):  # type: ignore[misc, valid-type]
        @classmethod
        def bulk(cls, b: Any, **kw: Any) -> Any:
            t = time.perf_counter()
            out = base_mh.bulk(b, **kw)
            stage["minhash_bulk"] += time.perf_counter() - t
            calls["minhash"] += len(out)
            return out

    class TimedBands(base_bands):  # type: ignore[misc, valid-type]
        def __init__(self, *a: Any, **k: Any) -> None:
            t = time.perf_counter()
            try:
                super().__init__(*a, **k)
            finally:
                stage["lsh_insert"] += time.perf_counter() - t

        def query(self, *a: Any, **k: Any) -> Any:
            t = time.perf_counter()
            try:
                return super().query(*a, **k)
            finally:
                stage["lsh_query"] += time.perf_counter() - t
                calls["lsh_query"] += 1

    class TimedFuzz:
        ratio = staticmethod(timed("rapidfuzz", base_fuzz.ratio, "rapidfuzz"))
        partial_ratio = staticmethod(timed("rapidfuzz", base_fuzz.partial_ratio, "rapidfuzz"))

    R.MinHash, R.Bands, R.fuzz = TimedMinHash, TimedBands, TimedFuzz  # type: ignore[assignment, misc]
    R.shingles = timed("shingles", R.shingles)  # type: ignore[assignment]
    R.compute = timed("compute", R.compute)  # type: ignore[assignment]
    rss0 = _rss_mb()
    corpus = Corpus(db)
    with corpus.store.transaction() as conn:  # cold: forget what an earlier run cached in this database
        conn.execute("DELETE FROM lunshu_meta WHERE key = 'reuse_fingerprint'")
    stats = corpus.stats()
    t0, c0 = time.perf_counter(), time.process_time()
    result = corpus.reuse()
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    t1 = time.perf_counter()
    corpus.reuse()
    cached = time.perf_counter() - t1
    paras = [(d, n, t) for _, d, n, t in corpus.store.iter_paragraphs()]
    units = sum(1 for _ in R.iter_units(paras))
    corpus.close()
    stage["other"] = seconds - stage["compute"]  # reading paragraphs, fingerprint, writing the cache
    stage["compute_other"] = stage["compute"] - sum(stage[k] for k in ("shingles", "minhash_bulk", "lsh_insert",
                                                                        "lsh_query", "rapidfuzz"))
    return {**stats, "sentences": units, "seconds": seconds, "cpu_seconds": cpu, "cached_seconds": cached, "rss_before_mb": rss0,
            "peak_rss_mb": _rss_mb(), "stages": stage, "calls": calls,
            "clusters": len(result.clusters), "paragraph_links": len(result.links),
            "document_links": len(result.documents)}


def run_child(db: Path) -> dict[str, Any]:
    out = subprocess.run([sys.executable, __file__, "--child", str(db)], capture_output=True, text=True,
                         check=False)
    if out.returncode != 0:
        raise RuntimeError(f"reuse child failed on {db}:\n{out.stderr[-3000:]}")
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


# -- report ----------------------------------------------------------------------------------------
def slope(points: list[tuple[float, float]]) -> float | None:
    """Least-squares slope of log(time) against log(size): 1 is linear growth."""
    pts = [(math.log(x), math.log(y)) for x, y in points if x > 0 and y > 0]
    if len(pts) < 2:
        return None
    mx = sum(x for x, _ in pts) / len(pts)
    my = sum(y for _, y in pts) / len(pts)
    den = sum((x - mx) ** 2 for x, _ in pts)
    return sum((x - mx) * (y - my) for x, y in pts) / den if den else None


def report(corp: dict[str, Any] | None, rows: list[dict[str, Any]], k: float | None,
           predicted: float | None, skipped: list[int], quick: bool, started: str, before: str, after: str) -> str:
    lines = ["## Reuse (near-duplicate sentences, paragraphs and documents)", "",
             (f"`Corpus(db).reuse()` from a cold cache, each size in its own process. Run {started}"
              f"{' (--quick)' if quick else ''}; machine: {before} at the start, {after} at the end (shared "
              "machine: times include waiting for a core)."), "",
             f"Target: {TARGET_DOCS:,} documents in ≤ {TARGET_SECONDS / 60:.0f} minutes, near-linear growth.", "",
             ("| corpus | documents | paragraphs | sentences | M chars | reuse s | CPU s | cached s | peak RSS MB | "
             "clusters | paragraph links | document links |"),
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]

    def line(name: str, r: dict[str, Any]) -> str:
        return (f"| {name} | {r['documents']:,} | {r['paragraphs']:,} | {r['sentences']:,} | {r['chars'] / 1e6:.1f} | "
                f"{r['seconds']:.1f} | {r['cpu_seconds']:.1f} | {r['cached_seconds']:.2f} | {r['peak_rss_mb']:.0f} | {r['clusters']:,} | "
                f"{r['paragraph_links']:,} | {r['document_links']:,} |")

    if corp:
        lines.append(line("shared corpora", corp))
    for r in rows:
        lines.append(line("synthetic", r))
    k_cpu = slope([(float(r["documents"]), float(r["cpu_seconds"])) for r in rows])
    if k is not None and k_cpu is not None:
        lines += ["", (f"Growth exponent (log-log slope against documents, synthetic sizes): wall time **{k:.2f}**, "
                       f"CPU time **{k_cpu:.2f}** (1.0 = linear).")]
        a, b = rows[0], rows[-1]
        if all("stages" in r for r in (a, b)) and a["paragraph_links"]:
            per_sentence = sum(b["stages"][x] for x in ("shingles", "minhash_bulk", "lsh_insert", "lsh_query"))
            per_sentence_a = sum(a["stages"][x] for x in ("shingles", "minhash_bulk", "lsh_insert", "lsh_query"))
            lines += ["", (f"From {a['documents']:,} to {b['documents']:,} documents ({b['documents'] / a['documents']:.0f}×): "
                           f"the stages that see each sentence once (shingles, MinHash, LSH) grow "
                           f"{per_sentence / max(per_sentence_a, 1e-9):.1f}×; what grows faster is what is found — "
                           f"paragraph links {b['paragraph_links'] / a['paragraph_links']:.0f}×, pairs checked by "
                           f"rapidfuzz {b['calls']['rapidfuzz'] / max(1, a['calls']['rapidfuzz']):.0f}× — because the "
                           "synthetic corpus recombines a fixed pool of real clauses, so near-duplicates multiply "
                           "faster than documents.")]
    if len(rows) >= 2 and not any(r["documents"] == TARGET_DOCS for r in rows):
        a, b = rows[-2], rows[-1]
        kc = slope([(a["documents"], a["cpu_seconds"]), (b["documents"], b["cpu_seconds"])]) or 1.0
        cpu_pred = b["cpu_seconds"] * (TARGET_DOCS / b["documents"]) ** kc
        rss_k = slope([(a["documents"], a["peak_rss_mb"]), (b["documents"], b["peak_rss_mb"])]) or 1.0
        rss_pred = b["peak_rss_mb"] * (TARGET_DOCS / b["documents"]) ** rss_k
        lines += ["", (f"Extrapolated from the two largest sizes to {TARGET_DOCS:,} documents: CPU time "
                       f"**{cpu_pred / 60:.1f} min** (what a core of its own would take), peak RSS "
                       f"**{rss_pred / 1024:.1f} GB**.")]
    if predicted is not None:
        verdict = "within" if predicted <= TARGET_SECONDS else "over"
        was_run = any(r["documents"] == TARGET_DOCS for r in rows)
        lines += ["", (f"{'Measured' if was_run else 'Extrapolated (wall time, from the two largest sizes)'} time for "
                       f"{TARGET_DOCS:,} documents: "
                       f"**{predicted / 60:.1f} min** ({verdict} the {TARGET_SECONDS / 60:.0f}-minute target)"
                       + (f"; {', '.join(f'{s:,}' for s in skipped)} documents not run: the extrapolation from the "
                          "largest two sizes was beyond the time or memory budget of this run." if skipped else "."))]
    lines += ["", "Where the time goes (seconds; stages timed by wrappers in the child process):", "",
              ("| documents | shingles | MinHash.bulk | LSH buckets (build) | LSH query | rapidfuzz | rest of compute | "
              "read + write cache | LSH queries | rapidfuzz calls |"),
              "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in ([corp] if corp else []) + rows:
        s = r["stages"]
        lines.append(f"| {r['documents']:,} | {s['shingles']:.1f} | {s['minhash_bulk']:.1f} | {s['lsh_insert']:.1f} | "
                     f"{s['lsh_query']:.1f} | {s['rapidfuzz']:.1f} | {s['compute_other']:.1f} | {s['other']:.1f} | "
                     f"{r['calls']['lsh_query']:,} | {r['calls']['rapidfuzz']:,} |")
    lines += ["", ("Synthetic documents: 3–12 paragraphs of 1–4 sentences, each sentence 1–4 real clauses of the "
                   "shared corpora recombined; 70 % new documents, 10 % republish an earlier one (30 % with a "
                   "changed character, 30 % with the last paragraph dropped, 30 % with a paragraph added), 20 % "
                   "(compilations, reports) quote 2–6 sentences of earlier ones (30 % edited or abridged).")]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="1k and 10k documents")
    ap.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")], default=None,
                    help="comma-separated document counts (default 10000,30000,100000; --quick 1000,10000)")
    ap.add_argument("--budget", type=float, default=720.0,
                    help="seconds a size may be predicted to take before it is skipped and extrapolated")
    ap.add_argument("--no-corpora", action="store_true", help="skip the shared corpora")
    ap.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.child)))
        return
    skip_if_no_shared("bench_reuse")
    sizes = args.sizes or ([1_000, 10_000] if args.quick else [10_000, 30_000, 100_000])
    started = time.strftime("%Y-%m-%d %H:%M")
    before = load_note()
    corp = None
    corp_info: dict[str, Any] = {}
    if not args.no_corpora:
        with file_lock(OUT / "reuse-corpora.lock"):  # the file is rebuilt by every run
            db, corp_info = corpora_db()
            corp = run_child(db)
        print(f"reuse shared corpora: {corp['documents']} docs, {corp['sentences']:,} sentences: "
              f"{corp['seconds']:.1f} s, peak RSS {corp['peak_rss_mb']:.0f} MB  (ingest {corp_info['ingest_seconds']:.0f} s)")
    rows: list[dict[str, Any]] = []
    skipped: list[int] = []
    builds: dict[int, Any] = {}
    for n in sorted(sizes):
        done = [(r["documents"], r["seconds"]) for r in rows]
        if len(done) >= 2:
            k_last = slope(done[-2:]) or 1.0
            guess = done[-1][1] * (n / done[-1][0]) ** k_last
            mem = [(r["documents"], r["peak_rss_mb"]) for r in rows[-2:]]
            mem_guess = mem[-1][1] * (n / mem[-1][0]) ** (slope(mem) or 1.0)
            if guess > args.budget or mem_guess > 0.6 * _available_mb():
                print(f"reuse {n:,} documents: skipped, predicted {guess / 60:.1f} min (budget "
                      f"{args.budget / 60:.0f}), {mem_guess / 1024:.1f} GB (available {_available_mb() / 1024:.1f})")
                skipped.append(n)
                continue
        db, builds[n] = reuse_db(n)
        r = run_child(db)
        rows.append(r)
        print(f"reuse {n:>7,} documents ({r['sentences']:,} sentences): {r['seconds']:.1f} s, "
              f"peak RSS {r['peak_rss_mb']:.0f} MB  [{load_note()}]")
    points = [(float(r["documents"]), float(r["seconds"])) for r in rows]
    k = slope(points)
    predicted: float | None = None
    measured = [r for r in rows if r["documents"] == TARGET_DOCS]
    if measured:
        predicted = float(measured[0]["seconds"])
    elif len(points) >= 2:
        k_top = slope(points[-2:]) or 1.0
        predicted = points[-1][1] * (TARGET_DOCS / points[-1][0]) ** k_top
    after = load_note()
    md = report(corp, rows, k, predicted, skipped, args.quick, started, before, after)
    jrows: list[dict[str, Any]] = []
    for r in rows:
        jrows.append({"size": r["documents"], "metric": "reuse_seconds", "value": round(r["seconds"], 3),
                      "unit": "s", "target": TARGET_SECONDS if r["documents"] == TARGET_DOCS else None})
        jrows.append({"size": r["documents"], "metric": "reuse_cpu_seconds", "value": round(r["cpu_seconds"], 3),
                      "unit": "s"})
        jrows.append({"size": r["documents"], "metric": "reuse_peak_rss_mb", "value": round(r["peak_rss_mb"], 1),
                      "unit": "MB"})
    if not measured and predicted is not None:
        jrows.append({"size": TARGET_DOCS, "metric": "reuse_seconds_extrapolated", "value": round(predicted, 1),
                      "unit": "s", "target": TARGET_SECONDS})
    write_results("reuse", md, jrows, {"size_unit": "documents", "quick": args.quick, "started": started,
                                       "machine": machine(), "load_before": before, "growth_exponent": k,
                                       "predicted_100k_seconds": predicted, "skipped": skipped,
                                       "shared_corpora": {**(corp or {}), "ingest": corp_info},
                                       "synthetic": rows, "builds": builds})
    if k is not None:
        print(f"reuse: growth exponent {k:.2f}; {TARGET_DOCS:,} documents "
              f"{'measured' if measured else 'extrapolated'} {predicted and predicted / 60:.1f} min")
    print(f"reuse: wrote {RESULTS / 'reuse.md'} and {RESULTS / 'reuse.json'}")


if __name__ == "__main__":
    main()
