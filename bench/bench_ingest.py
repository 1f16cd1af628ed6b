"""Ingest throughput and memory, beside bare references measured in the same run on the same text.

Whole process: ``lunshu ingest`` of every shared corpus in a subprocess (wall and CPU time, peak RSS
from ``getrusage(RUSAGE_CHILDREN)`` in a wrapper process, so each figure is that one process's).
References, in process over the same clean paragraphs: a bare SQLite FTS5 trigram insert, bare
rjieba segmentation, bare Python jieba. Then where the time goes, stage by stage (read, clean,
metadata, store, index), from one instrumented in-process ingest. ``--big`` adds a ~1 GB synthetic
JSONL ingest (made of real sentences) for peak memory.

Writes ``bench/results/ingest.md`` and ``bench/results/ingest.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("LUNSHU_SHARED", ROOT.parent / "shared"))
CORPORA = SHARED / "corpora"
RESULTS = ROOT / "bench" / "results"
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
TARGET_RATE = 1_000_000  # Han characters per second, whole process
TARGET_FTS_RATIO = 2.0  # pipeline within 2x of the bare FTS5 insert
TARGET_BIG_RSS_MB = 1024

_WRAPPER = r"""
import json, resource, subprocess, sys, time
t = time.perf_counter()
r = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
wall = time.perf_counter() - t
u = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"rc": r.returncode, "wall": wall, "cpu": u.ru_utime + u.ru_stime, "maxrss_kb": u.ru_maxrss,
                  "stdout": r.stdout.decode("utf-8", "replace")[-2000:],
                  "stderr": r.stderr.decode("utf-8", "replace")[-2000:]}))
"""


def measure(cmd: list[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    """Wall time, CPU time and peak RSS of one process (measured by a wrapper that is its parent)."""
    out = subprocess.run([sys.executable, "-c", _WRAPPER, *cmd], capture_output=True, text=True,
                         env={**os.environ, **(env or {})}, check=True)
    res: dict[str, Any] = json.loads(out.stdout)
    if res["rc"] != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({res['rc']}): {res['stderr']}")
    return res


def remove_db(db: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)


def lunshu_ingest(paths: list[str], db: Path, jobs: int | None = None) -> dict[str, Any]:
    """One ``lunshu ingest`` process (its worker processes' CPU time and memory counted in)."""
    remove_db(db)
    extra = [] if jobs is None else ["--jobs", str(jobs)]
    return measure([sys.executable, "-m", "lunshu.cli", "--db", str(db), "ingest", *paths, "--json", "-q", *extra])


def paragraphs_of(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return [r[0] for r in conn.execute("SELECT text FROM paragraphs ORDER BY doc_id, n")]
    finally:
        conn.close()


def han_count(texts: list[str]) -> int:
    return sum(len(HAN.findall(t)) for t in texts)


# -- references --------------------------------------------------------------------------------
def _timed(fn: Callable[[], None]) -> tuple[float, float]:
    t, c = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - t, time.process_time() - c


def bare_fts5(db: Path) -> sqlite3.Connection:
    """A new database with the reference: a stock FTS5 trigram table, default settings, journaled as ours is."""
    remove_db(db)
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("CREATE VIRTUAL TABLE f USING fts5(text, tokenize='trigram')")
    return conn


def ref_fts5(paragraphs: list[str], tmp: Path) -> tuple[float, float]:
    conn = bare_fts5(tmp / "fts.db")

    def run() -> None:
        with conn:
            conn.executemany("INSERT INTO f (text) VALUES (?)", ((p,) for p in paragraphs))

    try:
        return _timed(run)
    finally:
        conn.close()


def ref_fts5_of_db(db: Path, tmp: Path, batch: int = 20_000) -> dict[str, float]:
    """The bare FTS5 trigram insert of every paragraph an ingest stored, streamed (any size fits).

    Default FTS5 settings, transactions of ``batch`` paragraphs; only the inserts are timed.
    """
    ref = tmp / "fts-ref.db"
    src = sqlite3.connect(db)
    conn = bare_fts5(ref)
    wall = cpu = 0.0
    chars = 0
    try:
        cur = src.execute("SELECT text FROM paragraphs")
        while rows := cur.fetchmany(batch):
            chars += sum(len(r[0]) for r in rows)
            t, c = time.perf_counter(), time.process_time()
            with conn:
                conn.executemany("INSERT INTO f (text) VALUES (?)", rows)
            wall += time.perf_counter() - t
            cpu += time.process_time() - c
    finally:
        src.close()
        conn.close()
        remove_db(ref)
    return {"wall": wall, "cpu": cpu, "chars": chars}


def ref_rjieba(paragraphs: list[str]) -> tuple[float, float]:
    import rjieba

    rjieba.cut("预热")

    def run() -> None:
        for p in paragraphs:
            rjieba.cut(p)

    return _timed(run)


def ref_jieba(paragraphs: list[str]) -> tuple[float, float]:
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()  # dictionary load is not segmentation: kept out of the timing

    def run() -> None:
        for p in paragraphs:
            list(jieba.cut(p))

    return _timed(run)


# -- where the time goes -----------------------------------------------------------------------
def stage_profile(paths: list[str], tmp: Path) -> dict[str, float]:
    """One in-process ingest with the stage functions wrapped by timers (cumulative seconds)."""
    import lunshu.corpus as corpus_mod
    from lunshu import clean, index, metadata
    from lunshu.ingest import pipeline
    from lunshu.store import Store

    spent: dict[str, float] = {"read": 0.0, "clean": 0.0, "metadata": 0.0, "hash+id": 0.0,
                               "store (rows)": 0.0, "index (FTS5)": 0.0, "commit": 0.0}

    def timer(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapped(*a: Any, **k: Any) -> Any:
            t = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                spent[name] += time.perf_counter() - t
        return wrapped

    def timed_reader(fn: Callable[..., Iterator[Any]]) -> Callable[..., Iterator[Any]]:
        def wrapped(*a: Any, **k: Any) -> Iterator[Any]:
            it = fn(*a, **k)
            while True:
                t = time.perf_counter()
                try:
                    item = next(it)
                except StopIteration:
                    spent["read"] += time.perf_counter() - t
                    return
                spent["read"] += time.perf_counter() - t
                yield item
        return wrapped

    saved = (corpus_mod.read_path, clean.clean_body, metadata.extract, index.add, Store.put,
             pipeline.content_hash, Store.transaction)
    corpus_mod.read_path = timed_reader(corpus_mod.read_path)  # type: ignore[assignment]
    clean.clean_body = timer("clean", clean.clean_body)  # type: ignore[assignment]
    metadata.extract = timer("metadata", metadata.extract)  # type: ignore[assignment]
    index.add = timer("index (FTS5)", index.add)  # type: ignore[assignment]
    pipeline.content_hash = timer("hash+id", pipeline.content_hash)  # type: ignore[assignment]
    put = Store.put
    Store.put = timer("store (rows)", put)  # type: ignore[method-assign]
    transaction = Store.transaction

    from contextlib import contextmanager

    @contextmanager
    def timed_transaction(self: Any) -> Iterator[Any]:
        with transaction(self) as conn:
            yield conn
            t = time.perf_counter()
        spent["commit"] += time.perf_counter() - t

    Store.transaction = timed_transaction  # type: ignore[method-assign,assignment]
    try:
        db = tmp / "profile.db"
        t0 = time.perf_counter()
        c = corpus_mod.Corpus(db)
        c.ingest(paths, jobs=0)  # the stages timed here run in this process
        c.close()
        total = time.perf_counter() - t0
    finally:
        (corpus_mod.read_path, clean.clean_body, metadata.extract, index.add, Store.put,  # type: ignore[assignment]
         pipeline.content_hash, Store.transaction) = saved  # type: ignore[method-assign]
    spent["store (rows)"] -= spent["index (FTS5)"]  # put() calls index.add
    spent["other (orchestration)"] = max(0.0, total - sum(spent.values()))
    spent["total"] = total
    return spent


# -- inputs ------------------------------------------------------------------------------------
def corpus_records() -> list[dict[str, Any]]:
    recs: list[dict[str, Any]] = []
    for f in sorted(CORPORA.iterdir()):
        if f.suffix == ".json":
            recs += json.loads(f.read_text(encoding="utf-8"))
        elif f.suffix == ".jsonl":
            recs += [json.loads(line) for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
    return recs


def write_subset(records: list[dict[str, Any]], share: float, path: Path) -> Path:
    rnd = random.Random(42)
    picked = [r for r in records if rnd.random() < share]
    with path.open("w", encoding="utf-8") as fh:
        for i, r in enumerate(picked):
            r = {k: v for k, v in r.items()}
            r["id"] = f"sub-{i}"
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    return path


def write_big(records: list[dict[str, Any]], target_bytes: int, path: Path) -> int:
    """Synthetic JSONL from real sentences: documents of 2-40 k characters, shuffled sentences."""
    sentences: list[str] = []
    for r in records:
        text = r.get("text") or r.get("content") or ""
        sentences += [s for s in re.split(r"(?<=[。！？])", text.replace("\u3000", "")) if len(s) > 8]
    rnd = random.Random(7)
    written, i = 0, 0
    with path.open("w", encoding="utf-8") as fh:
        while written < target_bytes:
            n_par = rnd.randint(5, 60)
            paras = ["".join(rnd.choice(sentences) for _ in range(rnd.randint(2, 8))) for _ in range(n_par)]
            year = rnd.randint(1954, 2025)
            rec = {"id": f"syn-{i}", "title": f"合成文档{i}", "date": f"{year}-{rnd.randint(1, 12):02d}-01",
                   "text": "\n\n".join(paras)}
            line = json.dumps(rec, ensure_ascii=False) + "\n"
            fh.write(line)
            written += len(line.encode("utf-8"))
            i += 1
    return i


# -- report ------------------------------------------------------------------------------------
def _rate(chars: int, seconds: float) -> float:
    return chars / seconds if seconds > 0 else float("inf")


def _m(x: float) -> str:
    return f"{x / 1e6:.2f} M"


def big_run(records: list[dict[str, Any]], mb: int, tmp: Path, name: str = "big") -> dict[str, Any]:
    """Ingest ~``mb`` MB of synthetic JSONL as a whole process (peak memory above all), then the
    bare FTS5 trigram insert of the same stored paragraphs: the reference at that size."""
    big = tmp / f"{name}.jsonl"
    n_docs = write_big(records, mb * 1024 * 1024, big)
    size = big.stat().st_size
    db = tmp / f"{name}.db"
    r = lunshu_ingest([str(big)], db)
    load = os.getloadavg()
    conn = sqlite3.connect(db)
    chars = int(conn.execute("SELECT sum(chars) FROM documents").fetchone()[0] or 0)
    conn.close()
    bare = ref_fts5_of_db(db, tmp)
    remove_db(db)
    big.unlink()
    return {"bytes": size, "documents": n_docs, "chars": chars, "wall": r["wall"], "cpu": r["cpu"],
            "peak_rss_mb": r["maxrss_kb"] / 1024, "load_end": list(load), "bare_fts5": bare,
            "measured_at": time.strftime("%Y-%m-%d %H:%M")}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="one run of each, fewer sizes, jieba on a sample")
    ap.add_argument("--runs", type=int, default=3, help="whole-process runs on the full corpora (median reported)")
    ap.add_argument("--big", action="store_true", help="also ingest ~1 GB of synthetic JSONL (slow)")
    ap.add_argument("--big-mb", type=int, default=1024, help="size of the synthetic JSONL in MB")
    ap.add_argument("--mid-mb", type=int, default=100,
                    help="size of the synthetic JSONL of the at-scale comparison with bare FTS5 (default run)")
    ap.add_argument("--render", action="store_true", help="only re-render ingest.md from ingest.json")
    ap.add_argument("--only-big", action="store_true",
                    help="only the 1 GB run, merged into the existing ingest.json (memory does not depend on load)")
    args = ap.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    if args.render:
        (RESULTS / "ingest.md").write_text(render(json.loads((RESULTS / "ingest.json").read_text())), encoding="utf-8")
        return 0
    if args.only_big:
        old = json.loads((RESULTS / "ingest.json").read_text())
        with tempfile.TemporaryDirectory(prefix="lunshu-bench-") as tmpd:
            old["big"] = big_run(corpus_records(), args.big_mb, Path(tmpd))
        (RESULTS / "ingest.json").write_text(json.dumps(old, ensure_ascii=False, indent=1), encoding="utf-8")
        (RESULTS / "ingest.md").write_text(render(old), encoding="utf-8")
        return 0
    if not CORPORA.is_dir():
        (RESULTS / "ingest.md").write_text(f"## Ingest\n\nskipped: shared corpora not found at {CORPORA}\n")
        return 0
    runs = 1 if args.quick else max(1, args.runs)
    data: dict[str, Any] = {"name": "ingest", "quick": args.quick}
    with tempfile.TemporaryDirectory(prefix="lunshu-bench-") as tmpd:
        tmp = Path(tmpd)
        db = tmp / "full.db"
        full = [lunshu_ingest([str(CORPORA)], db) for _ in range(runs)]
        paragraphs = paragraphs_of(db)
        han = han_count(paragraphs)
        chars = sum(len(p) for p in paragraphs)
        wall = statistics.median(r["wall"] for r in full)
        cpu = statistics.median(r["cpu"] for r in full)
        rss = max(r["maxrss_kb"] for r in full) / 1024
        data["corpus"] = {"han_chars": han, "chars": chars, "paragraphs": len(paragraphs),
                          "documents": json.loads(full[0]["stdout"])["added"]}
        data["pipeline"] = {"wall": wall, "cpu": cpu, "peak_rss_mb": rss, "runs": [r["wall"] for r in full],
                            "rate_wall": _rate(han, wall), "rate_cpu": _rate(han, cpu),
                            "chars_rate_wall": _rate(chars, wall)}
        single = [lunshu_ingest([str(CORPORA)], tmp / "single.db", jobs=0) for _ in range(runs)]
        s_wall = statistics.median(r["wall"] for r in single)
        s_cpu = statistics.median(r["cpu"] for r in single)
        data["single"] = {"wall": s_wall, "cpu": s_cpu, "peak_rss_mb": max(r["maxrss_kb"] for r in single) / 1024,
                          "runs": [r["wall"] for r in single], "rate_wall": _rate(han, s_wall),
                          "rate_cpu": _rate(han, s_cpu), "chars_rate_wall": _rate(chars, s_wall)}
        # references on the same text
        fts_w, fts_c = ref_fts5(paragraphs, tmp)
        rj_w, rj_c = ref_rjieba(paragraphs)
        sample = paragraphs[::5] if args.quick else paragraphs
        jb_w, jb_c = ref_jieba(sample)
        jb_han = han_count(sample)
        refs = {
            "SQLite FTS5 trigram insert": (fts_w, fts_c, han),
            "rjieba segmentation": (rj_w, rj_c, han),
            "Python jieba segmentation" + (" (1/5 sample)" if args.quick else ""): (jb_w, jb_c, jb_han),
        }
        data["references"] = {k: {"wall": w, "cpu": c, "han_chars": n, "rate_wall": _rate(n, w)}
                              for k, (w, c, n) in refs.items()}
        # scaling: the same pipeline on subsets of the records
        records = corpus_records()
        shares = (0.5,) if args.quick else (0.25, 0.5, 0.75)
        series = []
        for share in shares:
            sub = write_subset(records, share, tmp / f"sub-{int(share * 100)}.jsonl")
            r = lunshu_ingest([str(sub)], tmp / f"sub-{int(share * 100)}.db")
            n = han_count(paragraphs_of(tmp / f"sub-{int(share * 100)}.db"))
            series.append({"x": n, "y": r["wall"], "cpu": r["cpu"], "rss_mb": r["maxrss_kb"] / 1024})
        series.append({"x": han, "y": wall, "cpu": cpu, "rss_mb": rss})
        data["series"] = [{"label": "lunshu ingest (whole process)", "unit": "s", "points": series}]
        data["profile"] = stage_profile([str(CORPORA)], tmp)
        data["mid"] = big_run(records, 20 if args.quick else args.mid_mb, tmp, name="mid")
        if args.big:
            data["big"] = big_run(records, args.big_mb, tmp)
        elif (RESULTS / "ingest.json").exists():  # keep the last 1 GB run (its date is shown)
            data_old = json.loads((RESULTS / "ingest.json").read_text())
            if "big" in data_old:
                data["big"] = data_old["big"]
    fts_rate = data["references"]["SQLite FTS5 trigram insert"]["rate_wall"]
    p = data["pipeline"]
    data["ratios"] = {
        "ingest: bare FTS5 insert rate / whole-pipeline rate (target ≤ 2)": round(fts_rate / p["rate_wall"], 2),
        "ingest: whole-pipeline rate / 1 M chars/s target (≥ 1 passes)": round(p["chars_rate_wall"] / TARGET_RATE, 2),
    }
    for m in at_scale(data):
        data["ratios"][f"ingest {m['chars'] / 1e6:.0f} M chars: whole-pipeline time / bare FTS5 insert time "
                       "(target ≤ 2)"] = round(m["wall"] / m["bare_fts5"]["wall"], 2)
    (RESULTS / "ingest.json").write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    (RESULTS / "ingest.md").write_text(render(data), encoding="utf-8")
    sys.stdout.write(render(data))
    return 0


def at_scale(d: dict[str, Any]) -> list[dict[str, Any]]:
    """The synthetic-JSONL runs that carry their bare FTS5 reference (100 MB, 1 GB)."""
    return [d[k] for k in ("mid", "big") if k in d and d[k].get("bare_fts5")]


def render(d: dict[str, Any]) -> str:
    c, p = d["corpus"], d["pipeline"]
    ok_rate = p.get("chars_rate_wall", 0) >= TARGET_RATE
    fts_rate = d["references"]["SQLite FTS5 trigram insert"]["rate_wall"]
    ok_ratio = fts_rate / p["rate_wall"] <= TARGET_FTS_RATIO
    lines = [
        "## Ingest",
        "",
        f"Input: every shared corpus ({c['documents']} documents, {c['paragraphs']} clean paragraphs, "
        f"{_m(c['han_chars'])} Han characters, {_m(c['chars'])} characters in all). Rates are Han characters "
        "per second." + (" Quick run: one run each." if d["quick"] else f" Median of {len(p['runs'])} runs."),
        "",
        "| what | wall s | CPU s | Han chars/s (wall) | Han chars/s per CPU s | all chars/s (wall) | peak RSS |",
        "|---|---:|---:|---:|---:|---:|---:|",
        (f"| `lunshu ingest` whole process, default (worker processes build documents while the main process "
         f"writes; interpreter start included) | {p['wall']:.2f} | {p['cpu']:.2f} | {_m(p['rate_wall'])} | "
         f"{_m(p['rate_cpu'])} | {_m(p.get('chars_rate_wall', 0))} | {p['peak_rss_mb']:.0f} MB |"),
    ]
    if "single" in d:
        q = d["single"]
        lines.append(f"| `lunshu ingest --jobs 0` whole process, one process | {q['wall']:.2f} | {q['cpu']:.2f} | "
                     f"{_m(q['rate_wall'])} | {_m(q['rate_cpu'])} | {_m(q['chars_rate_wall'])} | "
                     f"{q['peak_rss_mb']:.0f} MB |")
    for name, r in d["references"].items():
        lines.append(f"| bare {name} (in process, same paragraphs) | {r['wall']:.2f} | {r['cpu']:.2f} | "
                     f"{_m(r['rate_wall'])} | {_m(_rate(r['han_chars'], r['cpu']))} | | |")
    if os.getloadavg()[0] > (os.cpu_count() or 1):
        lines += ["", (f"Note: the machine was busy (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores at "
                       "the end of the run): wall times include waiting for a core; the per-CPU-second rates are "
                       "the steadier figures.")]
    scale = at_scale(d)
    scale_note = "; ".join(f"{_m(m['chars'])} characters: {_m(m['chars'] / m['wall'])}/s, "
                         f"{m['wall'] / m['bare_fts5']['wall']:.2f}× the bare insert's time" for m in scale)
    lines += [
        "",
        (f"Targets: whole pipeline ≥ 1 M characters/s — on these corpora **{'met' if ok_rate else 'not met'}** "
         f"({_m(p.get('chars_rate_wall', 0))} characters/s, {_m(p['rate_wall'])} Han characters/s wall); within 2× "
         f"of the bare FTS5 insert — **{'met' if ok_ratio else 'not met'}** (FTS5 is "
         f"{fts_rate / p['rate_wall']:.2f}× faster, interpreter start and set-up included on our side)."
         + (f" At scale (table below) — {scale_note}." if scale_note else "")
         + " The writer (rows plus two index columns) is one SQLite connection; the other stages are "
           "hidden behind it by worker processes."),
        "",
        ("Where the time goes (one instrumented one-process ingest, `--jobs 0`, of the same corpora, cumulative "
         "seconds; with workers, read/clean/metadata move out of the writing process; the index tokens are "
         "made by the writer, vectorised, inside `index (FTS5)`):"),
        "",
        "| stage | s | share |",
        "|---|---:|---:|",
    ]
    prof = d["profile"]
    total = prof["total"]
    for k, v in prof.items():
        if k != "total":
            lines.append(f"| {k} | {v:.2f} | {100 * v / total:.0f} % |")
    lines.append(f"| total | {total:.2f} | |")
    lines += ["", "Scaling (whole process, subsets of the records):", "", "| Han chars | wall s | CPU s | peak RSS |",
              "|---:|---:|---:|---:|"]
    for pt in d["series"][0]["points"]:
        lines.append(f"| {_m(pt['x'])} | {pt['y']:.2f} | {pt['cpu']:.2f} | {pt['rss_mb']:.0f} MB |")
    if scale:
        lines += ["", ("At scale: synthetic JSONL made of real sentences (documents of random dates), the whole "
                       "`lunshu ingest` process against a bare FTS5 trigram insert of the same stored paragraphs "
                       "(default FTS5 settings, transactions of 20,000 paragraphs, inserts alone timed):"), "",
                  "| input | characters | `lunshu ingest` s | chars/s | bare FTS5 trigram s | chars/s | ratio |",
                  "|---|---:|---:|---:|---:|---:|---:|"]
        for m in scale:
            f = m["bare_fts5"]
            lines.append(f"| {m['bytes'] / 1e6:.0f} MB JSONL | {_m(m['chars'])} | {m['wall']:.1f} | "
                         f"{_m(m['chars'] / m['wall'])} | {f['wall']:.1f} | {_m(f['chars'] / f['wall'])} | "
                         f"{m['wall'] / f['wall']:.2f} |")
    if "big" in d:
        b = d["big"]
        ok_big = "met" if b["peak_rss_mb"] <= TARGET_BIG_RSS_MB else "not met"
        chars = f", {_m(b['chars'])} characters" if b.get("chars") else ""
        rate = f" ({_m(b['chars'] / b['wall'])} characters/s)" if b.get("chars") else ""
        load = (f"; load average {b['load_end'][0]:.1f} at the end — wall time includes waiting for a core"
                if b.get("load_end") else "")
        when = f" (run {b['measured_at']})" if b.get("measured_at") else ""
        lines += ["", (f"Synthetic JSONL of {b['bytes'] / 1e9:.2f} GB{when} ({b['documents']} documents{chars}): "
                       f"{b['wall']:.0f} s wall{rate}, {b['cpu']:.0f} s CPU (all processes), peak RSS "
                       f"**{b['peak_rss_mb']:.0f} MB** of the largest process (target ≤ {TARGET_BIG_RSS_MB} MB: "
                       f"{ok_big}){load}.")]
    else:
        lines += ["", "The 1 GB JSONL peak-memory run is opt-in (`python bench/bench_ingest.py --big`)."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
