"""Run every benchmark in ``bench/`` and assemble ``docs/benchmarks.md`` (and ``docs/bench-scaling.svg``).

Each ``bench/bench_<name>.py`` is a standalone script that accepts ``--quick`` and writes its Markdown
section to ``bench/results/<name>.md``; it may also leave ``bench/results/<name>.json`` with:

- ``"ratios"``: ``{"description": number}`` — gathered into one table;
- ``"series"``: ``[{"label": str, "unit": "s", "x_unit": "characters", "points": [{"x": size, "y": cost}]}]``;
- or ``"rows"``: ``[{"size", "metric", "value", "unit", "target"?}]`` with ``"size_unit"``: rows with a
  target add value/target to the ratios; time metrics (s, ms) measured at several sizes become series.

Every series is drawn on a log-log plot of cost against corpus size (one panel per size unit).

Usage: ``python bench/run.py [--quick] [--only NAME …] [--no-run] [--timeout SECONDS]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "results"
DOCS = ROOT / "docs"
OUT_MD = DOCS / "benchmarks.md"
OUT_SVG = DOCS / "bench-scaling.svg"

sys.path.insert(0, str(BENCH))
import machine


def scripts(only: list[str] | None) -> list[Path]:
    found = sorted(BENCH.glob("bench_*.py"))
    if only:
        found = [p for p in found if p.stem[len("bench_"):] in only]
    return found


def run_one(script: Path, quick: bool, timeout: float) -> dict[str, Any]:
    cmd = [sys.executable, str(script)] + (["--quick"] if quick else [])
    t = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT,
                              check=False)
    except subprocess.TimeoutExpired:
        return {"ok": False, "seconds": time.perf_counter() - t, "error": f"timed out after {timeout:.0f} s"}
    res: dict[str, Any] = {"ok": proc.returncode == 0, "seconds": time.perf_counter() - t}
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
        res["error"] = f"exit {proc.returncode}: " + " / ".join(tail)
    return res


def _load_results() -> list[tuple[str, dict[str, Any]]]:
    out = []
    for f in sorted(RESULTS.glob("*.json")):
        try:
            data = json.loads(f.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            continue
        if isinstance(data, dict):
            out.append((f.stem, data))
    return out


def _ratios() -> list[tuple[str, str, Any]]:
    """Explicit ``ratios``, and value/target of every ``rows`` entry that states a target."""
    rows: list[tuple[str, str, Any]] = []
    for name, data in _load_results():
        ratios = data.get("ratios")
        if isinstance(ratios, dict):
            rows += [(name, str(k), v) for k, v in ratios.items()]
        for r in data.get("rows") or []:
            if not isinstance(r, dict) or not isinstance(r.get("target"), (int, float)) or not r["target"]:
                continue
            if not isinstance(r.get("value"), (int, float)):
                continue
            unit = r.get("unit", "")
            what = (f"{r.get('metric')} at {r.get('size')} {data.get('size_unit') or ''}".rstrip() + f": {r['value']} {unit} "
                    f"/ target {r['target']} {unit}")
            rows.append((name, what, round(float(r["value"]) / float(r["target"]), 3)))
    return rows


_TIME_UNITS = {"s": 1.0, "ms": 0.001}


def _series() -> list[tuple[str, str, str, list[tuple[float, float]]]]:
    """(label, x unit, y unit, points): ``series`` entries, and time metrics of ``rows`` at several sizes."""
    out: list[tuple[str, str, str, list[tuple[float, float]]]] = []
    for name, data in _load_results():
        for s in data.get("series") or []:
            try:
                pts = sorted((float(p["x"]), float(p["y"])) for p in s["points"] if p.get("y") is not None)
            except (KeyError, TypeError, ValueError):
                continue
            if pts:
                out.append((f"{name}: {s.get('label', '')}", str(s.get("x_unit", "characters")),
                            str(s.get("unit", "s")), pts))
        by_metric: dict[str, list[tuple[float, float]]] = {}
        units: dict[str, str] = {}
        for r in data.get("rows") or []:
            if not isinstance(r, dict) or r.get("unit") not in _TIME_UNITS:
                continue
            try:
                x, y = float(r["size"]), float(r["value"]) * _TIME_UNITS[r["unit"]]
            except (KeyError, TypeError, ValueError):
                continue
            by_metric.setdefault(str(r.get("metric")), []).append((x, y))
            units[str(r.get("metric"))] = "s"
        for metric, pts in by_metric.items():
            if len({x for x, _ in pts}) >= 2:
                out.append((f"{name}: {metric}", str(data.get("size_unit", "documents")), units[metric], sorted(pts)))
    return out


def plot(series: list[tuple[str, str, str, list[tuple[float, float]]]]) -> bool:
    if not series:
        return False
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    matplotlib.rcParams["svg.hashsalt"] = "lunshu"  # stable ids: the SVG changes only when the figures do
    x_units = sorted({s[1] for s in series})
    fig, axes = plt.subplots(1, len(x_units), figsize=(7 * len(x_units), 4.5), squeeze=False)
    for ax, xu in zip(axes[0], x_units):
        for label, _, unit, pts in (s for s in series if s[1] == xu):
            ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label=f"{label} ({unit})")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel(f"corpus size ({xu})")
        ax.set_ylabel("cost (seconds)")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle("lunshu: cost against corpus size")
    fig.tight_layout()
    fig.savefig(OUT_SVG, format="svg", metadata={"Date": None})
    plt.close(fig)
    return True


def assemble(statuses: dict[str, dict[str, Any]], quick: bool) -> str:
    info = machine.describe()
    now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    parts = [
        "# Benchmarks",
        "",
        (f"Generated by `python bench/run.py{' --quick' if quick else ''}` on {now}. "
         "Each section comes from one script in `bench/` (`python bench/bench_<name>.py [--quick]`). "
         "Figures are from one machine at one time: compare ratios measured in the same run, not absolute "
         "numbers across runs."),
        "",
        "## Machine",
        "",
        machine.markdown(info),
    ]
    names = sorted({p.stem[len("bench_"):] for p in BENCH.glob("bench_*.py")} | {p.stem for p in RESULTS.glob("*.md")})
    for name in names:
        md = RESULTS / f"{name}.md"
        st = statuses.get(name)
        if st is not None and not st["ok"]:
            parts += [f"## {name}", "", f"**failed in this run** ({st.get('error', '')}).", ""]
            if md.exists():
                parts += ["Last results written:", "", md.read_text(encoding="utf-8").strip(), ""]
            continue
        if md.exists():
            parts += [md.read_text(encoding="utf-8").strip(), ""]
        else:
            parts += [f"## {name}", "", "no results yet (`bench/results/" + name + ".md` is missing).", ""]
    ratios = _ratios()
    parts += ["## Ratios", ""]
    if ratios:
        parts += ["| benchmark | ratio | value |", "|---|---|---:|"]
        parts += [f"| {b} | {k} | {v} |" for b, k, v in ratios]
    else:
        parts.append("No ratios reported.")
    parts += ["", "## Cost against corpus size", ""]
    if plot(_series()):
        parts += [f"![cost against corpus size]({OUT_SVG.name})", "",
                  "Log-log: a slope of 1 is linear cost. Data: the `series` of `bench/results/*.json`."]
    else:
        parts.append("No series reported.")
    if statuses:
        parts += ["", "## Run", "", "| script | status | seconds |", "|---|---|---:|"]
        parts += [f"| bench_{n}.py | {'ok' if s['ok'] else 'failed'} | {s['seconds']:.0f} |"
                  for n, s in sorted(statuses.items())]
    return "\n".join(parts) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description="Run the benchmarks and write docs/benchmarks.md.")
    ap.add_argument("--quick", action="store_true", help="pass --quick to every script (small runs)")
    ap.add_argument("--only", nargs="*", help="names to run (bench_<name>.py)")
    ap.add_argument("--no-run", action="store_true", help="only assemble from bench/results/")
    ap.add_argument("--timeout", type=float, default=3600, help="seconds allowed to each script")
    args = ap.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    DOCS.mkdir(parents=True, exist_ok=True)
    statuses: dict[str, dict[str, Any]] = {}
    if not args.no_run:
        for script in scripts(args.only):
            name = script.stem[len("bench_"):]
            print(f"running {script.name}{' --quick' if args.quick else ''} …", file=sys.stderr, flush=True)
            statuses[name] = run_one(script, args.quick, args.timeout)
            st = statuses[name]
            print(f"  {'ok' if st['ok'] else 'FAILED'} in {st['seconds']:.0f} s"
                  + ("" if st["ok"] else f": {st.get('error')}"), file=sys.stderr, flush=True)
    OUT_MD.write_text(assemble(statuses, args.quick), encoding="utf-8")
    print(f"wrote {OUT_MD.relative_to(ROOT)}", file=sys.stderr)
    return 0 if all(s["ok"] for s in statuses.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
