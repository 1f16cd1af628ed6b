"""Bounded work per request (issue #20 item 3), through the real CLI and a real server."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from conftest import CORPORA, requires_shared, run_cli
from web_support import live_server

from lunshu.web.app import create_app


@pytest.fixture(scope="module")
def corpora_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("bounded") / "corpora.db"
    r = run_cli("ingest", str(CORPORA / "government-work-reports-1954-2025.jsonl"),
                str(CORPORA / "cpc-congress-reports.jsonl"), db=db)
    assert r.returncode in (0, 1), r.stderr
    return db


@requires_shared
@pytest.mark.parametrize("topic", ["的", "发展"])
def test_compile_of_a_common_word_is_capped_and_says_how_many_more(corpora_db: Path, topic: str) -> None:
    # (run_cli's timeout only stops a hang: before the cap this ran for more than ten minutes)
    r = run_cli("compile", topic, "--format", "json", db=corpora_db)
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert 0 < data["total"] <= 300
    assert data["more"] > 1000  # every paragraph says 的: thousands matched, and the output says so
    for year in data["years"].values():
        for s in year:
            assert topic in s["text"] and len(s["text"]) <= 600
    md = run_cli("compile", topic, "--format", "md", db=corpora_db)
    assert f"另有{data['more']}处" in md.stdout  # (the fixed text is in the topic's language)


@requires_shared
def test_compile_of_a_rare_topic_loses_nothing(corpora_db: Path) -> None:
    data = json.loads(run_cli("compile", "新质生产力", "--format", "json", db=corpora_db).stdout)
    assert data["more"] == 0 and data["total"] > 0


# -- the server: slots, budget, cancellation, SIGTERM ---------------------------------------------------
COMMON = "/api/compile?topic=%E7%9A%84"  # 的


def _raw_request(port: int, path: str) -> socket.socket:
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
    return s


@requires_shared
def test_abandoned_expensive_requests_do_not_stop_the_server(corpora_db: Path) -> None:
    with live_server(create_app(str(corpora_db), busy_slots=2)) as server:
        socks = [_raw_request(server.port, f"{COMMON}&limit={100 + i}") for i in range(40)]
        status = []
        for s in socks:
            s.settimeout(60)
            head = s.recv(64)
            status.append(head[:12])
        # past the slots the answer is at once: 503 busy, with Retry-After; the first ones still run
        assert status.count(b"HTTP/1.1 503") >= 30
        for s in socks:
            s.close()  # every client leaves
        with httpx.Client(base_url=server.url, timeout=60) as c:
            assert c.get("/api/stats").status_code == 200
            assert c.get("/api/search", params={"q": "发展"}).status_code == 200
            busy = c.get(COMMON)
            if busy.status_code == 503:
                assert busy.json()["error"]["code"] in ("busy", "timeout")
                assert busy.headers.get("retry-after") or busy.json()["error"]["code"] == "timeout"


@requires_shared
def test_the_time_budget_reaches_the_work(corpora_db: Path) -> None:
    with live_server(create_app(str(corpora_db), request_seconds=0)) as server, \
            httpx.Client(base_url=server.url, timeout=300) as c:
        r = c.get(COMMON)
        assert r.status_code == 503
        assert r.json()["error"]["code"] == "timeout" and "budget" in r.json()["error"]["message"]
        assert c.get("/api/stats").status_code == 200  # cheap requests have no budget


@requires_shared
def test_serve_ends_soon_after_sigterm_with_work_in_progress(corpora_db: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k != "LUNSHU_DEBUG"}
    proc = subprocess.Popen([sys.executable, "-m", "lunshu.cli", "--db", str(corpora_db), "serve", "--port",
                             str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    try:
        for _ in range(600):
            try:
                httpx.get(f"http://127.0.0.1:{port}/api/stats", timeout=2)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        held = [_raw_request(port, f"{COMMON}&limit={300 + i}") for i in range(2)]
        time.sleep(1)  # the work has started
        proc.send_signal(signal.SIGTERM)
        # (the timeout only stops a hang: before, the server ran on for 30 minutes after SIGTERM)
        proc.wait(timeout=20)
        for s in held:
            s.close()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.stderr is not None
    err = proc.stderr.read().decode()
    proc.stderr.close()
    assert "Traceback" not in err, err
