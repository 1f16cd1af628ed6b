"""Benchmark: the search endpoint under load, ``GET /api/search?q=…`` on loopback.

Why: the target is ≥ 200 requests/s with p99 ≤ 100 ms on a 100k-paragraph database on a
2-core machine. Two loads, both bounded in time, both from 127.0.0.1 only:

- *closed loop* (``wrk``, a fixed number of connections, each sending its next request as soon
  as the last is answered): the most the server can serve, and the latency at that throughput;
- *open loop* at a fixed rate (200 requests/s, a small asyncio client; latency counted from the
  moment each request was due, so a server that falls behind is not flattered): whether the
  target is sustained.

Server configurations: ``lunshu serve`` with one process and with ``--workers 2`` (its start-up
warm-up is waited for), each with the cache of search answers off (``--cache-mb 0``); and
``--workers 2`` with the cache on (its default size). The query mix repeats (400 queries,
cycled), so with the cache on nearly every answer after the first round comes from memory: that
row is the best case of a repeated mix, not a figure for queries never seen before; the rows
without the cache are the honest ones. uvicorn run directly on ``create_app`` (1 or 2 processes,
cache off) is still available with ``--configs uvicorn1,uvicorn2``; note that ``uvicorn --workers``
leaves Nagle's algorithm on (see ``lunshu.web.serving``), which adds 40 ms to every request after
the first on a keep-alive connection.
Queries mix 1-character, 2-character and 3–8-character phrases and AND queries, taken from
the database's own text (so most have hits, as real queries do), plus a few with none.

    .venv/bin/python bench/bench_web.py            # 100k paragraphs, 20 s per load
    .venv/bin/python bench/bench_web.py --quick    # 10k paragraphs, 5 s per load
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from bench_trace import (
    OUT,
    RESULTS,
    ROOT,
    load_note,
    machine,
    percentile,
    skip_if_no_shared,
    synth_db,
    write_results,
)

TARGET_RPS = 200.0
TARGET_P99_MS = 100.0
VENV_BIN = Path(sys.executable).parent
_HAN = re.compile(r"[\u4e00-\u9fff]+")


def make_app() -> Any:
    """uvicorn factory (``--factory bench_web:make_app``): the app over $LUNSHU_BENCH_DB, no warm-up.

    The caches the warm-up builds (reuse, keywords) are not read by search.
    """
    sys.path.insert(0, str(ROOT / "src"))
    from lunshu.web.app import create_app

    return create_app(os.environ["LUNSHU_BENCH_DB"], warm=False)


# -- queries -----------------------------------------------------------------------------------------
def make_queries(db: Path, n: int = 400, seed: int = 11) -> list[tuple[str, str]]:
    """(kind, query) drawn from the text: 15 % one character, 20 % two, 40 % 3–8, 20 % AND, 5 % no hit."""
    import sqlite3

    rng = random.Random(seed)
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    max_id = conn.execute("SELECT max(id) FROM paragraphs").fetchone()[0]
    runs: list[str] = []
    while len(runs) < 2000:
        row = conn.execute("SELECT text FROM paragraphs WHERE id = ?", (rng.randint(1, max_id),)).fetchone()
        if row:
            runs.extend(r for r in _HAN.findall(row[0]) if len(r) >= 8)
    conn.close()

    def piece(k: int) -> str:
        r = rng.choice(runs)
        i = rng.randrange(len(r) - k + 1)
        return r[i:i + k]

    out: list[tuple[str, str]] = []
    for _ in range(n):
        x = rng.random()
        if x < 0.15:
            out.append(("1 char", piece(1)))
        elif x < 0.35:
            out.append(("2 chars", piece(2)))
        elif x < 0.75:
            out.append(("3-8 chars", piece(rng.randint(3, 8))))
        elif x < 0.95:
            out.append(("AND", " ".join(piece(rng.randint(2, 4)) for _ in range(rng.choice((2, 2, 3))))))
        else:
            out.append(("no hit", piece(4) + "魑魅魍魉"))
    return out


def paths_of(queries: list[tuple[str, str]]) -> list[str]:
    return ["/api/search?" + urllib.parse.urlencode({"q": q}) for _, q in queries]


# -- the server ------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cpu_seconds(pid: int) -> float:
    """CPU time of a process and its children so far (from /proc, Linux)."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    pids = [pid]
    try:
        kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(k) for k in kids]
    except OSError:
        pass
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
        except (OSError, IndexError, ValueError):
            pass
    return total


class Server:
    """A server process (and its workers) in its own process group, stopped by that group id."""

    def __init__(self, name: str, cmd: list[str], env: dict[str, str], port: int, log: Path) -> None:
        self.name, self.cmd, self.port, self.log = name, cmd, port, log
        self.env = env
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 120.0) -> float:
        t0 = time.perf_counter()
        with open(self.log, "wb") as fh:  # the child keeps its own copy of the descriptor
            self.proc = subprocess.Popen(self.cmd, env=self.env, stdout=fh, stderr=subprocess.STDOUT,
                                         start_new_session=True, cwd=str(ROOT))
        url = f"http://127.0.0.1:{self.port}/api/stats"
        while time.perf_counter() - t0 < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {self.log.read_text(errors='replace')[-2000:]}")
            try:
                with urllib.request.urlopen(url, timeout=5) as r:
                    if r.status == 200:
                        return time.perf_counter() - t0
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"{self.name} did not answer within {timeout:.0f} s")

    def wait_idle(self, cap: float, quiet_for: float = 3.0) -> float:
        """Wait until the server stops using CPU (its start-up warm-up has finished); seconds waited."""
        assert self.proc is not None
        t0 = time.perf_counter()
        last = _cpu_seconds(self.proc.pid)
        quiet_since = time.perf_counter()
        while time.perf_counter() - t0 < cap:
            time.sleep(1.0)
            now = _cpu_seconds(self.proc.pid)
            if now - last > 0.05:
                quiet_since = time.perf_counter()
            last = now
            if time.perf_counter() - quiet_since >= quiet_for:
                break
        return time.perf_counter() - t0

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)  # the group this script created for the server
            self.proc.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait(timeout=10)


# -- closed loop: wrk ----------------------------------------------------------------------------------
_WRK_LUA = r"""
local paths = {}
for line in io.lines("%s") do paths[#paths + 1] = line end
local i = 0
function setup(thread) thread:set("offset", math.random(#paths)) end
function init(args) i = tonumber(offset) or 0 end
function request()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRKJSON {\"requests\": %%d, \"duration_us\": %%d, \"bytes\": %%d, \"connect\": %%d, \"read\": %%d, " ..
    "\"write\": %%d, \"status\": %%d, \"timeout\": %%d, \"p50\": %%d, \"p90\": %%d, \"p95\": %%d, \"p99\": %%d, " ..
    "\"max\": %%d, \"mean\": %%f}\n",
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(95), latency:percentile(99),
    latency.max, latency.mean))
end
"""


def run_wrk(port: int, paths: list[str], seconds: int, connections: int, threads: int = 2) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        plist = Path(tmp) / "paths.txt"
        plist.write_text("\n".join(paths) + "\n")
        script = Path(tmp) / "mix.lua"
        script.write_text(_WRK_LUA % plist)
        out = subprocess.run(["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s",
                              "--timeout", "10s", "-s", str(script), f"http://127.0.0.1:{port}"],
                             capture_output=True, text=True, timeout=seconds + 60, check=False)
    line = next((x for x in out.stdout.splitlines() if x.startswith("WRKJSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no summary: {out.stdout[-1000:]} {out.stderr[-1000:]}")
    d = json.loads(line[len("WRKJSON "):])
    secs = d["duration_us"] / 1e6
    errors = d["connect"] + d["read"] + d["write"] + d["status"] + d["timeout"]
    return {"tool": "wrk", "connections": connections, "threads": threads, "seconds": secs,
            "requests": d["requests"], "rps": d["requests"] / secs, "errors": errors,
            "non_2xx": d["status"], "timeouts": d["timeout"],
            "p50_ms": d["p50"] / 1000, "p95_ms": d["p95"] / 1000, "p99_ms": d["p99"] / 1000,
            "max_ms": d["max"] / 1000, "mean_ms": d["mean"] / 1000}


# -- open loop: fixed rate ---------------------------------------------------------------------------
async def _open_loop(port: int, paths: list[str], rate: float, seconds: float, max_inflight: int,
                     timeout: float) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
    lat: list[float] = []
    status_counts: dict[int, int] = {}
    errors = 0
    unsent = 0
    inflight = 0

    async def fetch(path: str) -> int:
        reused = bool(idle)
        reader, writer = idle.pop() if idle else await asyncio.open_connection("127.0.0.1", port)
        try:
            writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, ConnectionError):
                if not reused:
                    raise
                # the server closed this keep-alive connection while it sat idle (uvicorn: after 5 s);
                # like any HTTP client, send the request again on a new connection
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
                head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            m = re.search(rb"(?i)\r\ncontent-length:\s*(\d+)", head)
            if m is None:
                raise ValueError("no Content-Length")
            await reader.readexactly(int(m.group(1)))
        except BaseException:
            writer.close()
            raise
        idle.append((reader, writer))
        return status

    async def one(path: str, due: float) -> None:
        nonlocal errors, inflight
        inflight += 1
        try:
            status = await asyncio.wait_for(fetch(path), timeout)
            lat.append((loop.time() - due) * 1000)
            status_counts[status] = status_counts.get(status, 0) + 1
        except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, ValueError):
            errors += 1
        finally:
            inflight -= 1

    tasks: list[asyncio.Task[None]] = []
    start = loop.time() + 0.05
    total = int(rate * seconds)
    for i in range(total):
        due = start + i / rate
        delay = due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        if inflight >= max_inflight:
            unsent += 1  # the server is this far behind: the request is counted as failed, not queued
            continue
        tasks.append(asyncio.create_task(one(paths[i % len(paths)], due)))
    sent_end = loop.time()
    if tasks:
        await asyncio.wait(tasks)
    for _, w in idle:
        w.close()
    # throughput over the whole time it took to answer what was sent (a server that falls behind
    # is still answering after the last request was due)
    elapsed = max(loop.time(), sent_end, start + seconds) - start
    ok = sum(c for s, c in status_counts.items() if 200 <= s < 300)
    return {"tool": "asyncio open loop", "rate": rate, "seconds": elapsed, "scheduled": total,
            "completed": len(lat), "ok": ok, "rps": ok / elapsed, "errors": errors + unsent + (len(lat) - ok),
            "unsent": unsent, "non_2xx": len(lat) - ok, "p50_ms": percentile(lat, 50),
            "p95_ms": percentile(lat, 95), "p99_ms": percentile(lat, 99), "max_ms": max(lat) if lat else float("nan")}


def run_open_loop(port: int, paths: list[str], rate: float, seconds: float, max_inflight: int = 256,
                  timeout: float = 10.0) -> dict[str, Any]:
    return asyncio.run(_open_loop(port, paths, rate, seconds, max_inflight, timeout))


# -- per-query service time (no load) -----------------------------------------------------------------
def service_times(port: int, queries: list[tuple[str, str]], n: int = 60) -> dict[str, dict[str, float]]:
    """Latency of single requests, one at a time, per kind of query: what one request costs."""
    by: dict[str, list[float]] = {}
    for (kind, _), path in list(zip(queries, paths_of(queries), strict=True))[:n]:
        t = time.perf_counter()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as r:
            r.read()
        by.setdefault(kind, []).append((time.perf_counter() - t) * 1000)
    return {k: {"n": len(v), "p50_ms": percentile(v, 50), "max_ms": max(v)} for k, v in by.items()}


# -- report ------------------------------------------------------------------------------------------
def report(res: list[dict[str, Any]], size: int, quick: bool, started: str, before: str, after: str,
           seconds: int, conns: int, service: dict[str, dict[str, float]], mix: dict[str, int]) -> str:
    lines = ["## Web: the search endpoint under load", "",
             (f"`GET /api/search?q=…` on a {size:,}-paragraph synthetic database, load generated on the same "
              f"machine over 127.0.0.1. Run {started}{' (--quick)' if quick else ''}; machine: {before} at the start, "
              f"{after} at the end (shared machine: the server, the load generator and other work share the cores)."),
             "", f"Target: ≥ {TARGET_RPS:.0f} requests/s with p99 ≤ {TARGET_P99_MS:.0f} ms.", "",
             ("| server | workers | cache | load | requests/s | p50 ms | p95 ms | p99 ms | max ms | errors "
              "| server CPU ms/req | target |"),
             "|---|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in res:
        for load in (r["closed"], r["open"]):
            if load is None:
                continue
            desc = (f"wrk, {load['connections']} connections, {load['seconds']:.0f} s" if load["tool"] == "wrk"
                    else f"open loop {load['rate']:.0f}/s, {load['seconds']:.0f} s")
            meets = load["rps"] >= TARGET_RPS * 0.98 and load["p99_ms"] <= TARGET_P99_MS and load["errors"] == 0
            lines.append(f"| {r['server']} | {r['workers']} | {r['cache']} | {desc} | {load['rps']:.1f} | "
                         f"{load['p50_ms']:.0f} | "
                         f"{load['p95_ms']:.0f} | {load['p99_ms']:.0f} | {load['max_ms']:.0f} | {load['errors']} | "
                         f"{load.get('server_cpu_ms_per_req', float('nan')):.1f} | {'meets' if meets else 'misses'} |")
    cpu = [ld["server_cpu_ms_per_req"] for r in res if r["cache"] == "off"
           for ld in (r["closed"],) if ld and "server_cpu_ms_per_req" in ld]
    if cpu:
        best = min(cpu)
        lines += ["", (f"*Server CPU ms/req* is the server's CPU time (all its processes) over the requests it answered. "
                       f"At {best:.1f} ms per request without the cache, two cores of its own would serve at most about "
                       f"{2000 / best:.0f} requests/s (one process, bound by the GIL: {1000 / best:.0f}/s) — an upper "
                       "bound that ignores the load generator's own CPU.")]
    if any(r["cache"] != "off" for r in res):
        lines += ["", ("*Cache on*: the mix is 400 queries cycled, all of which fit the cache, so after the first "
                       "round almost every answer is a cache hit (each still checks that the database is unchanged). "
                       "That is the best case of repeated queries; the *cache off* rows are the cost of queries not "
                       "seen before.")]
    lines += ["", "Server configurations: " + "; ".join(f"**{r['server']}** — {r['config']}" for r in res) + ".", ""]
    warm = [r for r in res if r.get("warmup_s")]
    if warm:
        lines += [(f"`lunshu serve` builds corpus-wide caches in a background thread at start-up; the load started "
                  f"after it went idle ({', '.join(format(r['warmup_s'], '.0f') for r in warm)} s after the server "
                   "answered)."), ""]
    lines += ["Load average when each server started: "
              + "; ".join(f"{r['server']} ×{r['workers']} cache {r['cache']}: {r['load_at_start']}" for r in res)
              + ".", ""]
    lines += [("Cost of one request with no other load (sequential requests on a new connection each, as urllib "
              "makes them, first server configuration):"), "",
              "| query kind | share of the mix | requests | p50 ms | max ms |", "|---|---:|---:|---:|---:|"]
    total = sum(mix.values())
    for k, v in service.items():
        lines.append(f"| {k} | {100 * mix.get(k, 0) / total:.0f} % | {v['n']} | {v['p50_ms']:.1f} | {v['max_ms']:.1f} |")
    lines += ["", (f"Query mix ({total} queries, cycled): phrases cut from the database's own text — one character, "
                   "two characters, 3–8 characters, AND of 2–3 phrases of 2–4 characters — and a few that match "
                   f"nothing; `limit` left at its default (20). Each load lasts {seconds} s; wrk uses {conns} "
                   "connections on 2 threads; the open-loop client sends at a fixed rate on keep-alive connections "
                   "(at most 256 in flight; a request that would exceed that counts as an error) and times each "
                   "request from when it was due.")]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="10k paragraphs, 5 s per load")
    ap.add_argument("--paragraphs", type=int, default=None, help="database size (default 100000; --quick 10000)")
    ap.add_argument("--seconds", type=int, default=None, help="duration of each load (default 20; --quick 5)")
    ap.add_argument("--connections", type=int, default=16, help="wrk connections")
    ap.add_argument("--rate", type=float, default=TARGET_RPS, help="open-loop request rate")
    ap.add_argument("--configs", default="serve,serve2,serve2cache",
                    help="comma-separated: serve, serve2 (lunshu serve --workers 2), serve2cache (the same with "
                         "the cache on), uvicorn1, uvicorn2 (uvicorn --workers N on create_app)")
    ap.add_argument("--warmup-cap", type=float, default=600.0, help="longest wait for lunshu serve's warm-up")
    args = ap.parse_args()
    skip_if_no_shared("bench_web")
    if shutil.which("wrk") is None:
        print("bench_web: wrk not found (Debian: apt-get install wrk); closed-loop loads are skipped",
              file=sys.stderr)
    size = args.paragraphs or (10_000 if args.quick else 100_000)
    seconds = args.seconds or (5 if args.quick else 20)
    started = time.strftime("%Y-%m-%d %H:%M")
    before = load_note()
    src, _ = synth_db(size)
    # The server writes its caches (reuse, keywords) into the database: give it its own copy.
    db = OUT / f"web-{size}.db"
    if not db.exists() or db.stat().st_mtime < src.stat().st_mtime:
        tmp = OUT / f"web-{size}.copy.db"
        shutil.copyfile(src, tmp)
        for suffix in ("-wal", "-shm"):  # the old copy's log would be replayed onto the new file
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        os.replace(tmp, db)
    queries = make_queries(db)
    mix: dict[str, int] = {}
    for k, _ in queries:
        mix[k] = mix.get(k, 0) + 1
    paths = paths_of(queries)
    env = {**os.environ, "LUNSHU_BENCH_DB": str(db), "PYTHONPATH": str(ROOT / "bench"), "LUNSHU_CACHE_MB": "0"}
    serve = [str(VENV_BIN / "lunshu"), "--db", str(db), "serve", "--port", "{port}"]
    # key: (name, workers, cache, command, description)
    configs: dict[str, tuple[str, int, str, list[str], str]] = {
        "serve": ("lunshu serve", 1, "off", [*serve, "--cache-mb", "0"],
                  ("`lunshu serve --cache-mb 0`: one uvicorn process (asyncio loop, h11), searches on its own "
                  "small thread pool; warm-up on")),
        "serve2": ("lunshu serve", 2, "off", [*serve, "--workers", "2", "--cache-mb", "0"],
                   ("`lunshu serve --workers 2 --cache-mb 0`: two uvicorn worker processes on one port, each with "
                   "its own connections; the parent process does the warm-up")),
        "serve2cache": ("lunshu serve", 2, "on", [*serve, "--workers", "2", "--cache-mb", "32"],
                        ("`lunshu serve --workers 2 --cache-mb 32`: the same with the cache of search answers "
                        "(32 MB per process)")),
        "uvicorn1": ("uvicorn", 1, "off", [str(VENV_BIN / "python"), "-m", "uvicorn", "--factory",
                                          "bench_web:make_app", "--host", "127.0.0.1", "--port", "{port}",
                                          "--workers", "1", "--log-level", "warning"],
                     "`uvicorn --factory bench_web:make_app --workers 1` (create_app, warm-up off, cache off)"),
        "uvicorn2": ("uvicorn", 2, "off", [str(VENV_BIN / "python"), "-m", "uvicorn", "--factory",
                                          "bench_web:make_app", "--host", "127.0.0.1", "--port", "{port}",
                                          "--workers", "2", "--log-level", "warning"],
                     ("`uvicorn --factory bench_web:make_app --workers 2` (two processes, each with its own "
                     "connections; cache off)")),
    }
    res: list[dict[str, Any]] = []
    service: dict[str, dict[str, float]] = {}
    for key in [c.strip() for c in args.configs.split(",") if c.strip()]:
        name, workers, cache, cmd, config = configs[key]
        port = free_port()
        server = Server(f"{name} ({workers})", [c.replace("{port}", str(port)) for c in cmd], env, port,
                        OUT / f"web-{key}.log")
        load_at_start = load_note()
        try:
            start_s = server.start()
            warm = server.wait_idle(args.warmup_cap) if key.startswith("serve") else 0.0
            if not service:
                service = service_times(port, queries)
            for p in paths[:20]:  # every worker process opens its connection, loads the fold table
                urllib.request.urlopen(f"http://127.0.0.1:{port}{p}", timeout=30).read()
            assert server.proc is not None
            cpu0 = _cpu_seconds(server.proc.pid)
            closed = run_wrk(port, paths, seconds, args.connections) if shutil.which("wrk") else None
            cpu1 = _cpu_seconds(server.proc.pid)
            opened = run_open_loop(port, paths, args.rate, seconds)
            cpu2 = _cpu_seconds(server.proc.pid)
            # server CPU per answered request: what capacity would be on cores of its own
            if closed and closed["requests"]:
                closed["server_cpu_ms_per_req"] = (cpu1 - cpu0) * 1000 / closed["requests"]
            if opened["completed"]:
                opened["server_cpu_ms_per_req"] = (cpu2 - cpu1) * 1000 / opened["completed"]
        finally:
            server.stop()
        r = {"key": key, "server": name, "workers": workers, "cache": cache, "config": config, "start_s": start_s,
             "warmup_s": warm, "load_at_start": load_at_start, "closed": closed, "open": opened}
        res.append(r)
        for load in (closed, opened):
            if load:
                print(f"web {name} x{workers} cache {cache} {load['tool']}: {load['rps']:.1f} req/s  "
                      f"p50 {load['p50_ms']:.0f} ms  "
                      f"p99 {load['p99_ms']:.0f} ms  errors {load['errors']}  [{load_note()}]")
    after = load_note()
    md = report(res, size, args.quick, started, before, after, seconds, args.connections, service, mix)
    rows: list[dict[str, Any]] = []
    for r in res:
        tag = f"{r['key']}"
        for kind, load in (("wrk", r["closed"]), ("open", r["open"])):
            if load is None:
                continue
            rows += [{"size": size, "metric": f"web_rps[{tag},{kind}]", "value": round(load["rps"], 2),
                      "unit": "req/s", "target": TARGET_RPS},
                     {"size": size, "metric": f"web_p99_ms[{tag},{kind}]", "value": round(load["p99_ms"], 2),
                      "unit": "ms", "target": TARGET_P99_MS},
                     {"size": size, "metric": f"web_p50_ms[{tag},{kind}]", "value": round(load["p50_ms"], 2),
                      "unit": "ms"}]
    write_results("web", md, rows, {"size_unit": "paragraphs", "quick": args.quick, "started": started, "machine": machine(),
                                    "load_before": before, "paragraphs": size, "results": res,
                                    "service_ms": service, "mix": mix})
    print(f"web: wrote {RESULTS / 'web.md'} and {RESULTS / 'web.json'}")


if __name__ == "__main__":
    main()
