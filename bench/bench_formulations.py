"""Benchmark: formulation discovery, keyness and change detection against the corpus size.

Why: the three analyses read every character of the selection (n-gram counting with numpy over
64-bit hashes; no index), so their time decides how large a corpus they can answer on one machine.
Target: formulations and changes over all the shared JSON corpora (≈ 1.8 M characters) in ≤ 30 s,
with near-linear growth.

Corpora measured:

- the shared JSON corpora (``../shared/corpora/*.json*``: Xinhua speeches, government work
  reports, congress reports), ingested into a fresh database;
- synthetic corpora of N documents whose clauses are real (the generator of ``bench_reuse.py``,
  databases shared with it under ``bench/out/``).

Reference, in the same run: the same n-gram counts (every 4–16-character sequence of Han
characters) made by a plain Python ``collections.Counter`` over the same text — the straightforward
way — against the numpy counting that ``formulations`` does before its filters.

Each size runs in a child process, so its peak RSS is its own.

    .venv/bin/python bench/bench_formulations.py           # corpora, then 2k, 10k, 30k synthetic documents
    .venv/bin/python bench/bench_formulations.py --quick   # corpora, then 2k, 10k
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench_trace import CORPORA, OUT, ROOT, machine, skip_if_no_shared, write_results

sys.path.insert(0, str(ROOT / "src"))

TARGET_SECONDS = 30.0
SIZES = (2000, 10000, 30000)
QUICK_SIZES = (2000, 10000)


def corpora_db() -> Path:
    from lunshu.corpus import Corpus

    db = OUT / "formulations-corpora.db"
    for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        if p.exists():
            p.unlink()
    with Corpus(db) as c:
        rep = c.ingest(sorted(str(p) for p in CORPORA.glob("*.json*")), jobs=0)
        assert not rep.failed, rep.failed
    return db


def _timed(fn: Any) -> tuple[float, float, Any]:
    t0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    return time.perf_counter() - t0, time.process_time() - c0, out


def child(db: Path, reference: bool) -> dict[str, Any]:
    from lunshu.analysis import formulations as fm
    from lunshu.analysis import textarrays as ta
    from lunshu.corpus import Corpus

    c = Corpus(db, readonly=True)
    out: dict[str, Any] = {}
    wall, cpu, sel = _timed(lambda: ta.load(c.store))
    out["load"] = {"wall": wall, "cpu": cpu}
    out["chars"] = int(sel.doc_chars.sum())
    out["han"] = int(sel.han.sum())
    out["paragraphs"] = len(sel.para_start)
    out["documents"] = sel.n_docs
    wall, cpu, cands = _timed(lambda: fm.discover(sel))
    out["discover"] = {"wall": wall, "cpu": cpu, "candidates": len(cands.terms)}
    years = sorted({int(y) for y in sel.doc_years.tolist() if y})
    split = years[len(years) * 3 // 4] if years else 2015
    runs = {
        "formulations": lambda: c.formulations(limit=100),
        "formulations_new_since": lambda: c.formulations(new_since=split, limit=100),
        "changes": lambda: c.changes(limit=50),
        "keyness": lambda: c.keyness(f"from={split}", f"to={split - 1}", limit=50),
    }
    for name, fn in runs.items():
        wall, cpu, _ = _timed(fn)
        out[name] = {"wall": wall, "cpu": cpu}
    if reference:
        # the same counting, the plain way: every 4-16-gram of every Han run in a Counter
        import re

        runs_ = re.findall(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff〇]+", sel.text)

        def plain() -> int:
            counts: Counter[str] = Counter()
            for r in runs_:
                for n in range(4, 17):
                    for i in range(len(r) - n + 1):
                        counts[r[i:i + n]] += 1
            return sum(1 for v in counts.values() if v >= 3)

        wall, cpu, kept = _timed(plain)
        out["reference_counter"] = {"wall": wall, "cpu": cpu, "recurring": kept}

        def numpy_count() -> int:
            h = None
            kept = 0
            for n in range(1, 17):
                h = sel.hashes(n, h)
                if n >= 4:
                    kept += len(ta.count_grams(sel, n, h, 3).keys)
            return kept

        wall, cpu, kept = _timed(numpy_count)
        out["numpy_count"] = {"wall": wall, "cpu": cpu, "recurring": kept}
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out["loadavg"] = [round(x, 2) for x in __import__("os").getloadavg()]
    return out


def run_child(db: Path, reference: bool = False) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--child", str(db)] + (["--reference"] if reference else [])
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT / "bench", check=False)
    if proc.returncode:
        raise RuntimeError(proc.stderr[-2000:])
    return json.loads(proc.stdout.splitlines()[-1])


def report(rows: list[dict[str, Any]]) -> str:
    corp = rows[0]
    both = corp["formulations"]["wall"] + corp["changes"]["wall"]
    lines = [
        "## Formulations, keyness, changes",
        "",
        (f"Input: the shared JSON corpora ({corp['documents']} documents, {corp['paragraphs']} paragraphs, "
        f"{corp['chars'] / 1e6:.2f} M characters, {corp['han'] / 1e6:.2f} M Han characters), then synthetic corpora "
        "of real clauses recombined (the generator of `bench_reuse.py`). One run each, in a child process "
        "(peak RSS its own); wall seconds (CPU seconds in brackets). `formulations` and `changes` include "
        "reading the selection from SQLite."),
        "",
        "| corpus | characters | read | formulations | --new-since | changes | keyness | peak RSS |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        def cell(k: str, r: dict[str, Any] = r) -> str:
            return f"{r[k]['wall']:.1f} ({r[k]['cpu']:.1f})"
        lines.append(f"| {r['label']} | {r['chars'] / 1e6:.2f} M | {cell('load')} | {cell('formulations')} | "
                     f"{cell('formulations_new_since')} | {cell('changes')} | {cell('keyness')} | "
                     f"{r['peak_rss_mb']:.0f} MB |")
    both_cpu = corp["formulations"]["cpu"] + corp["changes"]["cpu"]
    load = corp.get("loadavg")
    lines += ["", (f"Target: formulations and changes over the shared corpora in ≤ {TARGET_SECONDS:.0f} s — "
                   f"**{'met' if both <= TARGET_SECONDS else 'not met'}** in wall time ({both:.1f} s together"
                   + (f", with the machine's load average at {load[0]:.1f} on 2 cores" if load else "")
                   + f"); {both_cpu:.1f} CPU seconds, so about that much on an idle machine. The machine is shared: "
                   "under load the wall times above are several times the CPU times.")]
    if len(rows) > 2:
        a, b = rows[1], rows[-1]
        ratio_c = b["chars"] / a["chars"]
        for k in ("formulations", "changes"):
            ratio_t = b[k]["cpu"] / max(a[k]["cpu"], 1e-9)
            lines.append(f"Growth of `{k}` from {a['label']} to {b['label']}: {ratio_c:.1f}× the characters, "
                         f"{ratio_t:.1f}× the CPU time (not linear: sorting, and more candidates per character "
                         "to check with the segmenter).")
    if "reference_counter" in corp:
        ref, npc = corp["reference_counter"], corp["numpy_count"]
        lines += ["", (f"Reference (same run, shared corpora): counting every 4–16-character Han sequence and keeping "
                  f"those seen 3 times — plain Python `Counter` {ref['wall']:.1f} s ({ref['recurring']} recurring), "
                  f"the numpy hashing of `textarrays` without pruning {npc['wall']:.1f} s ({npc['recurring']}): "
                  f"{ref['wall'] / max(npc['wall'], 1e-9):.1f}× faster. `formulations` then counts an n-gram only where "
                  "both its (n−1)-grams recur, and spends the rest on the unit filters (segmenter checks of the "
                  "survivors).")]
    big = rows[-1]
    per_char = big["peak_rss_mb"] * 1e6 / max(big["chars"], 1)
    lines += ["", (f"1M paragraphs (≈ 170 M characters) were not run on this shared machine: at the peak the largest "
                   f"row held {per_char:.0f} bytes per character of the selection, so 170 M characters would need "
                   f"≈ {per_char * 170e6 / 1e9:.0f} GB; the growth above is what to extrapolate from.")]
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--child", type=Path)
    ap.add_argument("--reference", action="store_true")
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.reference)))
        return
    skip_if_no_shared("formulations")
    from bench_reuse import reuse_db

    OUT.mkdir(parents=True, exist_ok=True)
    rows = [{"label": "shared corpora", **run_child(corpora_db(), reference=True)}]
    print(json.dumps(rows[-1]), file=sys.stderr)
    for n in QUICK_SIZES if args.quick else SIZES:
        db, _ = reuse_db(n)
        rows.append({"label": f"synthetic {n // 1000}k documents", **run_child(db)})
        print(json.dumps(rows[-1]), file=sys.stderr)
    md = report(rows)
    write_results("formulations", md, rows, {"machine": machine()})
    print(md)


if __name__ == "__main__":
    main()
