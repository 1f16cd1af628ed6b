"""The Spark jobs in local mode: 1 core against 2 (``local[1]`` vs ``local[2]``), on the shared corpora
and on a larger synthetic input made of their sentences; beside the embedded path on the same input.

Each configuration runs in a fresh process (a fresh JVM). Writes ``bench/results/spark.md`` and
``bench/results/spark.json``. ``--quick``: ``local[2]`` on the shared corpora only.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "results"
sys.path.insert(0, str(BENCH))

from bench_ingest import CORPORA, corpus_records, write_big


def worker(master: str, inputs: list[str], out: str) -> dict[str, Any]:
    """One configuration, in this process: session, ingest, reuse, quotes, load — timed."""
    from lunshu.load import load
    from lunshu.spark import jobs

    t = time.perf_counter()
    spark = jobs.get_session(master, driver_memory="2g")
    times: dict[str, Any] = {"session": time.perf_counter() - t}
    t = time.perf_counter()
    r = jobs.ingest(spark, inputs, out)
    times["ingest"] = time.perf_counter() - t
    times["chars"] = r["chars"]
    times["documents"] = r["documents"]
    t = time.perf_counter()
    rr = jobs.reuse(spark, out)
    times["reuse"] = time.perf_counter() - t
    times["links"] = rr["links"]
    t = time.perf_counter()
    jobs.quotes(spark, out)
    times["quotes"] = time.perf_counter() - t
    spark.stop()
    t = time.perf_counter()
    load(out, os.path.join(out, "loaded.db"))
    times["load"] = time.perf_counter() - t
    return times


def embedded(inputs: list[str], db: Path) -> dict[str, Any]:
    """The embedded path on the same input, in a fresh process and a fresh database."""
    code = ("import json,sys,time\nfrom lunshu import Corpus\nt=time.perf_counter()\nc=Corpus(sys.argv[1])\n"
            "c.ingest(sys.argv[2:])\na=time.perf_counter()-t\nt=time.perf_counter()\nr=c.reuse()\n"
            "print(json.dumps({'ingest':a,'reuse':time.perf_counter()-t,'links':len(r.links)}))")
    out = subprocess.run([sys.executable, "-c", code, str(db), *inputs], capture_output=True, text=True, check=True)
    res: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return res


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--synthetic-mb", type=int, default=15, help="size of the larger synthetic JSONL input")
    ap.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)  # master out input…
    args = ap.parse_args()
    if args.worker:
        master, out, *inputs = args.worker
        print(json.dumps(worker(master, inputs, out)))
        return 0
    RESULTS.mkdir(parents=True, exist_ok=True)
    if not CORPORA.is_dir() or shutil.which("java") is None:
        why = "shared corpora missing" if not CORPORA.is_dir() else "no Java runtime"
        (RESULTS / "spark.md").write_text(f"## Spark (local mode)\n\nskipped: {why}.\n")
        return 0
    try:
        import pyspark  # noqa: F401
    except ImportError:
        (RESULTS / "spark.md").write_text("## Spark (local mode)\n\nskipped: pyspark is not installed.\n")
        return 0
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="lunshu-spark-bench-") as tmpd:
        tmp = Path(tmpd)
        inputs = {"shared corpora": [str(CORPORA)]}
        if not args.quick:
            big = tmp / "synthetic.jsonl"
            write_big(corpus_records(), args.synthetic_mb * 1024 * 1024, big)
            inputs[f"synthetic {args.synthetic_mb} MB"] = [str(big)]
        masters = ["local[2]"] if args.quick else ["local[1]", "local[2]"]
        for name, paths in inputs.items():
            emb = embedded(paths, tmp / f"embedded-{len(rows)}.db")
            rows.append({"input": name, "master": "embedded (1 process)", **emb})
            for master in masters:
                out = tmp / f"out-{len(rows)}"
                proc = subprocess.run([sys.executable, __file__, "--worker", master, str(out), *paths],
                                      capture_output=True, text=True, check=False)
                if proc.returncode != 0:
                    raise RuntimeError(proc.stderr[-2000:])
                res = json.loads(proc.stdout.strip().splitlines()[-1])
                rows.append({"input": name, "master": master, **res})
                shutil.rmtree(out, ignore_errors=True)
    chars = {r["input"]: r["chars"] for r in rows if "chars" in r}
    series = []
    for master in ("local[1]", "local[2]"):
        pts = [{"x": chars[r["input"]], "y": r["ingest"] + r["reuse"] + r["quotes"]}
               for r in rows if r["master"] == master]
        if pts:
            series.append({"label": f"spark {master} ingest+reuse+quotes", "unit": "s", "points": pts})
    ratios = {}
    for name in inputs:
        one = next((r for r in rows if r["input"] == name and r["master"] == "local[1]"), None)
        two = next((r for r in rows if r["input"] == name and r["master"] == "local[2]"), None)
        if one and two:
            ratios[f"spark {name}: local[1] / local[2] time, ingest+reuse+quotes (2 = perfect)"] = round(
                (one["ingest"] + one["reuse"] + one["quotes"]) / (two["ingest"] + two["reuse"] + two["quotes"]), 2)
    data = {"name": "spark", "quick": args.quick, "rows": rows, "series": series, "ratios": ratios}
    (RESULTS / "spark.json").write_text(json.dumps(data, indent=1), encoding="utf-8")
    md = render(rows)
    (RESULTS / "spark.md").write_text(md, encoding="utf-8")
    sys.stdout.write(md)
    return 0


def render(rows: list[dict[str, Any]]) -> str:
    lines = ["## Spark (local mode)", "",
             ("Seconds per stage; every Spark configuration in a fresh process (JVM start in `session`). "
              "`load` is `lunshu load` of the Spark output into SQLite (no Spark)."), "",
             "| input | where | characters | session | ingest | reuse | quotes | load | reuse links |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        def f(k: str, r: dict[str, Any] = r) -> str:
            return f"{r[k]:.1f}" if isinstance(r.get(k), float) else "—"
        ch = f"{r['chars'] / 1e6:.2f} M" if "chars" in r else "(same)"
        lines.append(f"| {r['input']} | {r['master']} | {ch} | {f('session')} | {f('ingest')} | {f('reuse')} | "
                     f"{f('quotes')} | {f('load')} | {r.get('links', '—')} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
