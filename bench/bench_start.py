"""Start-up: how long `lunshu search` takes on a small database, and how soon `lunshu serve` answers.

CLI: the whole `python -m lunshu.cli search …` process on a small database (the Xinhua speeches
of ../shared/corpora), against the bare interpreter and the interpreter importing typer (which
the CLI cannot do without); wall time and the CPU time of the child (steadier on a shared machine).

Serve: `lunshu serve --cache-mb 0` on the synthetic databases of bench/out (shared with
bench_search), timed from process start until `GET /api/search?q=发展` answers 200; then ten
searches right after, which would queue behind any corpus-wide work started with the server.

    python bench/bench_start.py [--sizes 100000 1000000] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
OUT = ROOT / "bench" / "out"
RESULTS = ROOT / "bench" / "results"
SHARED = Path(os.environ.get("LUNSHU_SHARED", ROOT.parent / "shared"))
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
CLI_TARGET_S = 0.3
SERVE_TARGET_S = 2.0


def run_timed(cmd: list[str]) -> tuple[float, float]:
    """(wall s, CPU s of the child) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run(cmd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def small_db() -> Path:
    db = OUT / "start-small.db"
    if not db.exists():
        src = SHARED / "corpora" / "xinhua-xi-speeches-2022-2025.json"
        subprocess.run([sys.executable, "-m", "lunshu.cli", "--db", str(db), "ingest", str(src)], env=ENV,
                       stdout=subprocess.DEVNULL, check=True)
    return db


def cli_rows(runs: int) -> list[dict[str, Any]]:
    db = small_db()
    cases = [("python -c pass (the interpreter alone)", [sys.executable, "-c", "pass"]),
             ("python -c 'import typer' (the CLI framework alone)", [sys.executable, "-c", "import typer"]),
             ("python -c 'import typer; import typer._adapters' (typer and the pydantic it coerces options with)",
              [sys.executable, "-c", "import typer\ntry:\n import typer._adapters\nexcept ImportError:\n pass"]),
             ("python -c 'import lunshu.cli' (the command table, nothing run)", [sys.executable, "-c", "import lunshu.cli"]),
             ("lunshu --version", [sys.executable, "-m", "lunshu.cli", "--version"]),
             ("lunshu search 改革开放 --limit 3 --json (a phrase)",
              [sys.executable, "-m", "lunshu.cli", "--db", str(db), "search", "改革开放", "--limit", "3", "--json"]),
             ("lunshu search 发展 --limit 3 --json (a lone 2-character term: its ranking loads numpy)",
              [sys.executable, "-m", "lunshu.cli", "--db", str(db), "search", "发展", "--limit", "3", "--json"])]
    rows = []
    for name, cmd in cases:
        run_timed(cmd)  # warm the page cache
        xs = [run_timed(cmd) for _ in range(runs)]
        rows.append({"what": name, "wall_min": min(x[0] for x in xs), "wall_p50": statistics.median(x[0] for x in xs),
                     "cpu_min": min(x[1] for x in xs), "cpu_p50": statistics.median(x[1] for x in xs)})
        print(f"{name}: wall {rows[-1]['wall_p50']:.3f} s, CPU {rows[-1]['cpu_p50']:.3f} s", file=sys.stderr)
    return rows


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cpu_of(pid: int) -> float:
    """CPU seconds (user + system) a running process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def serve_row(db: Path) -> dict[str, Any]:
    port = free_port()
    url = f"http://127.0.0.1:{port}/api/search?q=%E5%8F%91%E5%B1%95&limit=20"
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "lunshu.cli", "--db", str(db), "serve", "--port", str(port),
                             "--cache-mb", "0"], env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ready = None
    try:
        while time.perf_counter() - t0 < 300:
            try:
                with urllib.request.urlopen(url, timeout=60) as r:
                    if r.status == 200:
                        ready = time.perf_counter() - t0
                        ready_cpu = cpu_of(proc.pid)
                        break
            except OSError:
                time.sleep(0.02)
        after = []
        c0 = cpu_of(proc.pid)
        for _ in range(10):
            t = time.perf_counter()
            with urllib.request.urlopen(url, timeout=60) as r:
                r.read()
            after.append((time.perf_counter() - t) * 1000)
        after_cpu = (cpu_of(proc.pid) - c0) / 10 * 1000
        time.sleep(5)
        idle_cpu = cpu_of(proc.pid) - c0 - after_cpu * 10 / 1000  # work going on without requests
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    paragraphs = json.loads((db.with_suffix(".json")).read_text()).get("paragraphs") if db.with_suffix(".json").exists() else None
    row = {"db": db.name, "paragraphs": paragraphs, "ready_s": ready, "ready_cpu_s": ready_cpu,
           "after_p50_ms": statistics.median(after), "after_max_ms": max(after), "after_cpu_ms": after_cpu,
           "idle_cpu_s": idle_cpu}
    print(f"serve {db.name}: ready in {ready:.2f} s ({ready_cpu:.2f} CPU s); next 10 searches p50 "
          f"{row['after_p50_ms']:.1f} ms, max {row['after_max_ms']:.1f} ms, {after_cpu:.1f} CPU ms each; "
          f"{idle_cpu:.2f} CPU s in the 5 s after", file=sys.stderr)
    return row


def markdown(cli: list[dict[str, Any]], serve: list[dict[str, Any]]) -> str:
    lines = ["## Start-up", "",
             (f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load average "
              f"{' / '.join(f'{x:.1f}' for x in os.getloadavg())} at the end (a 2-core machine shared with other work: "
              "wall times include waiting for a core; the child's CPU time does not)."), "",
             f"CLI on a small database (105 documents), median of the runs (target: `lunshu search` ≤ {CLI_TARGET_S} s wall):",
             "", "| process | wall s | CPU s | min wall s | min CPU s |", "|---|---:|---:|---:|---:|"]
    for r in cli:
        lines.append(f"| {r['what']} | {r['wall_p50']:.3f} | {r['cpu_p50']:.3f} | {r['wall_min']:.3f} | {r['cpu_min']:.3f} |")
    from importlib.metadata import version

    lines += ["", (f"typer {version('typer')}, pydantic {version('pydantic')}. typer 0.29 coerces every "
                   "option of the command it runs through a pydantic `TypeAdapter`, so pydantic is imported and the "
                   "adapters built on every call (the difference between the second and third rows, plus about "
                   "20 ms of adapter building); typer 0.24 parsed with click alone and had no pydantic dependency.")]
    if serve:
        lines += ["", (f"`lunshu serve --cache-mb 0`: from process start to the first `GET /api/search?q=发展` answered "
                       f"(target ≤ {SERVE_TARGET_S:.0f} s), then ten searches in a row:"), "",
                  ("| database | paragraphs | ready s (wall) | server CPU s until ready | next 10: p50 ms | max ms | "
                   "server CPU ms per search | server CPU s in the 5 s after (idle) |"),
                  "|---|---:|---:|---:|---:|---:|---:|---:|"]
        for r in serve:
            lines.append(f"| {r['db']} | {r['paragraphs'] or '—'} | {r['ready_s']:.2f} | {r['ready_cpu_s']:.2f} | "
                         f"{r['after_p50_ms']:.1f} | {r['after_max_ms']:.1f} | {r['after_cpu_ms']:.1f} | "
                         f"{r['idle_cpu_s']:.2f} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="*", default=[100000])
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--quick", action="store_true", help="5 runs, no serve")
    args = ap.parse_args()
    if args.quick:
        args.runs, args.sizes = 5, []
    OUT.mkdir(parents=True, exist_ok=True)
    cli = cli_rows(args.runs)
    serve = []
    for n in args.sizes:
        db = OUT / f"synth-{n}.db"
        if db.exists():
            serve.append(serve_row(db))
        else:
            print(f"no {db} (run bench_search first); serve not measured on it", file=sys.stderr)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "start.md").write_text(markdown(cli, serve), encoding="utf-8")
    ratios = {f"lunshu search process wall s / {CLI_TARGET_S} s target": round(cli[-1]["wall_p50"] / CLI_TARGET_S, 2)}
    for r in serve:
        ratios[f"serve ready at {r['paragraphs']} paragraphs: s / {SERVE_TARGET_S:.0f} s target"] = round(
            r["ready_s"] / SERVE_TARGET_S, 2)
    (RESULTS / "start.json").write_text(json.dumps({"name": "start", "ratios": ratios, "cli": cli, "serve": serve},
                                                   ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
