"""The search fast path and its cache (``lunshu.web.fast``), and ``lunshu serve --workers``.

The FastAPI route stays the reference: the same request must get the same status and the same
bytes from a server with the fast path as from one without it. The cache must never answer with
what the database held before an ingest, whoever made the ingest.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from web_support import build_small_db, live_server

from lunshu.corpus import Corpus, to_jsonable
from lunshu.models import Document
from lunshu.web.app import create_app
from lunshu.web.fast import ChangeMarker, ResultCache, result_dict, search_key

TERMS = ["数字空间", "数字", "的", "网", "共同体 家园", "地球村 OR 论坛", "数字 -家园", '"a phrase"', "示例",
         "-", "OR", "魑魅", "<script>"]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_small_db(tmp_path_factory.mktemp("web-fast") / "f.db")


@pytest.fixture(scope="module")
def both(db: Path) -> Iterator[tuple[httpx.Client, httpx.Client]]:
    """(the app as served, the same app with every search left to the FastAPI route)."""
    with live_server(create_app(str(db), warm=False)) as fast, \
            live_server(create_app(str(db), warm=False, fast_search=False)) as ref, \
            httpx.Client(base_url=fast.url) as a, httpx.Client(base_url=ref.url) as b:
        yield a, b


def _same(a: httpx.Client, b: httpx.Client, params: Any) -> None:
    ra, rb = a.get("/api/search", params=params), b.get("/api/search", params=params)
    assert (ra.status_code, ra.content) == (rb.status_code, rb.content), params
    assert ra.headers.get("content-type") == rb.headers.get("content-type")
    for h in ("content-security-policy", "x-content-type-options", "x-frame-options", "referrer-policy"):
        assert ra.headers.get(h) == rb.headers.get(h), h


@pytest.mark.parametrize("params", [
    {"q": "数字空间"}, {"q": "的", "limit": "3", "offset": "2"}, {"q": "数字", "sort": "date"},
    {"q": "数字", "by": "doc"}, {"q": "示例", "title_only": "true"}, {"q": "数字", "from": "2016", "to": "2020-06"},
    {"q": "数字", "speaker": "王示例", "genre": "speech,report", "source": "示例"}, {"q": "数字", "format": "csv"},
    {"q": ""}, {"q": "-"}, {"q": "-数字"}, {"q": "数字", "limit": "-1"}, {"q": "数字", "limit": "1001"},
    {"q": "数字", "limit": "x"}, {"q": "数字", "from": "yesterday"}, {"q": "数字", "sort": "date_asc"},
    {"q": "数字", "title_only": "maybe"}, {"q": "数字", "title_only": "YES"}, {"q": "x" * 1001}, {},
    [("q", "数字"), ("q", "家园")], {"q": "数字", "limit": "0005", "unknown": "1"}, {"q": "数字", "offset": "99999999"},
])
def test_fast_path_answers_as_the_route_does(both: tuple[httpx.Client, httpx.Client], params: Any) -> None:
    _same(*both, params)


_values = st.one_of(st.sampled_from(["", "0", "1", "20", "-3", "1000", "1001", "true", "false", "yes", "date",
                                     "relevance", "doc", "paragraph", "json", "csv", "2016", "2020-02-30", "王示例"]),
                    st.text(max_size=6))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=st.one_of(st.sampled_from(TERMS), st.text(max_size=8)),
       extra=st.dictionaries(st.sampled_from(["limit", "offset", "from", "to", "speaker", "genre", "source", "sort",
                                              "by", "title_only", "format"]), _values, max_size=4))
def test_fast_path_equals_the_route_for_any_parameters(both: tuple[httpx.Client, httpx.Client], q: str,
                                                       extra: dict[str, str]) -> None:
    _same(*both, {"q": q, **extra})


def test_search_key_leaves_doubtful_requests_to_the_route() -> None:
    assert search_key(b"q=%E6%95%B0&limit=5") == ("数", 5, 0, None, None, None, None, None, "relevance",
                                                  "paragraph", False)
    for qs in (b"", b"q=", b"q=a&limit=%2B5", b"q=a&format=csv", b"q=a&sort=date_asc", b"q=a&title_only=True",
               b"q=a&offset=10000001", b"q=a&from=" + b"1" * 33):
        assert search_key(qs) is None, qs


def test_result_dict_equals_to_jsonable(db: Path) -> None:
    c = Corpus(db)
    try:
        for kw in ({}, {"by": "doc"}, {"title_only": True}, {"sort": "date", "limit": 2}, {"limit": 0}):
            r = c.search("数字", **kw)
            assert json.dumps(result_dict(r), ensure_ascii=False) == json.dumps(to_jsonable(r), ensure_ascii=False)
    finally:
        c.close()


# -- the cache ---------------------------------------------------------------------------------------
def _doc(i: int, text: str) -> Document:
    return Document(id=f"new-{i}", title=f"新增 {i}", date="2023-03-03", speakers=["王示例"], genre="speech",
                    paragraphs=[text], raw=text, origin=f"test:new-{i}", content_hash=f"h{i}")


def test_cache_serves_repeats_and_never_a_stale_answer(tmp_path: Path) -> None:
    db = build_small_db(tmp_path / "c.db")
    app = create_app(str(db), token="tok", warm=False, cache_bytes=1 << 20)
    writer = Corpus(db)
    try:
        with live_server(app) as s, httpx.Client(base_url=s.url) as c:
            first = c.get("/api/search", params={"q": "数字空间"}).json()
            assert c.get("/api/search", params={"q": "数字空间"}).json() == first
            # another connection (as `lunshu ingest` would be) writes: the next answer sees it
            with writer.store.transaction() as conn:
                writer.store.put(conn, _doc(1, "数字空间的一段新文字。"))
            second = c.get("/api/search", params={"q": "数字空间"}).json()
            assert second["total"] == first["total"] + 1
            assert "new-1" in {h["doc_id"] for h in second["hits"]}
            # an ingest through the API of this very server
            auth = {"Authorization": "Bearer tok"}
            rec = [{"id": "rec-9", "title": "记录", "date": "2024-01-01", "text": "数字空间的又一段文字。"}]
            assert c.post("/api/ingest", json=rec, headers=auth).json()["added"] == 1
            third = c.get("/api/search", params={"q": "数字空间"}).json()
            assert third["total"] == second["total"] + 1
            assert third["by_year"].get("2024") == second["by_year"].get("2024", 0) + 1
    finally:
        writer.close()


def test_change_marker_sees_commits_of_other_connections_and_processes(tmp_path: Path) -> None:
    db = build_small_db(tmp_path / "m.db")
    marker = ChangeMarker(str(db))
    writer = Corpus(db)
    try:
        v0 = marker.current()
        assert marker.current() == v0  # reading changes nothing
        with writer.store.transaction() as conn:
            writer.store.put(conn, _doc(2, "又一段。"))
        v1 = marker.current()
        assert v1 != v0
        code = ("import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
                "c.execute(\"INSERT OR REPLACE INTO lunshu_meta (key, value) VALUES ('x', 'y')\"); c.commit()")
        subprocess.run([sys.executable, "-c", code, str(db)], check=True, timeout=60)
        assert marker.current() != v1
    finally:
        writer.close()
        marker.close()


def test_result_cache_is_bounded_and_versioned() -> None:
    cache = ResultCache(10_000)
    cache.put(("a",), 1, b"x" * 100)
    assert cache.get(("a",), 1) == b"x" * 100
    assert cache.get(("a",), 2) is None  # another database version: not served
    for i in range(200):
        cache.put((i,), 1, b"y" * 100)
    assert cache.size <= 10_000 and cache.get(("a",), 1) is None  # the oldest went first
    cache.put(("big",), 1, b"z" * 5_000)  # more than an eighth of the budget: not kept
    assert cache.get(("big",), 1) is None


# -- lunshu serve --workers --------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_with_two_workers(tmp_path: Path) -> None:
    """A real `lunshu serve --workers 2`: searches, the token, and no stale answer from either worker."""
    db = build_small_db(tmp_path / "w.db")
    port = _free_port()
    env = {**os.environ, "LUNSHU_TOKEN": "", "LUNSHU_CACHE_MB": "4"}
    proc = subprocess.Popen([sys.executable, "-m", "lunshu.cli", "--db", str(db), "serve", "--port", str(port),
                             "--workers", "2", "--token", "w-token"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, start_new_session=True)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as c:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if c.get("/api/stats").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
                assert time.monotonic() < deadline, "lunshu serve --workers 2 did not come up"
                time.sleep(0.2)
            def totals() -> list[int]:
                """Over new connections, so both workers answer (and fill their caches)."""
                out = []
                for _ in range(12):
                    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as fresh:
                        out.append(fresh.get("/api/search", params={"q": "数字空间"}).json()["total"])
                return out

            before = totals()
            assert len(set(before)) == 1 and before[0] > 0
            assert c.post("/api/ingest", json=[{"id": "w-1", "text": "数字空间"}]).status_code == 401
            auth = {"Authorization": "Bearer w-token"}
            r = c.post("/api/ingest", json=[{"id": "w-1", "title": "新", "date": "2024-05-05",
                                            "text": "数字空间的新段落。"}], headers=auth)
            assert r.status_code == 200 and r.json()["added"] == 1, r.text
            assert totals() == [before[0] + 1] * 12  # whichever worker answers, none is stale
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # the session this test started for the server
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        if proc.stderr:
            proc.stderr.close()


def test_workers_factory_needs_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from lunshu.web.app import create_app_from_env

    monkeypatch.delenv("LUNSHU_SERVE_DB", raising=False)
    with pytest.raises(RuntimeError, match="--workers"):
        create_app_from_env()


@pytest.mark.parametrize(("value", "expected"), [("0", 0), ("0.5", 512 * 1024), ("", 32 << 20), ("lots", 32 << 20),
                                                 ("nan", 32 << 20), ("-3", 0)])
def test_cache_size_from_the_environment(monkeypatch: pytest.MonkeyPatch, value: str, expected: int) -> None:
    from lunshu.web.fast import cache_bytes_from_env

    monkeypatch.setenv("LUNSHU_CACHE_MB", value)
    assert cache_bytes_from_env() == expected
