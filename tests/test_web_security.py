"""Safety of the web layer: escaping, traversal, size limits, query syntax, writing, binding.

Everything runs against a real server over a real database that holds a hostile document (script
in the title, markup in the text, a ``javascript:`` URL).
"""

from __future__ import annotations

import json
import os
import re
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
from web_support import XSS_TEXT, XSS_TITLE, LiveServer, build_small_db, live_server, raw_get

from lunshu.web.app import create_app
from lunshu.web.common import highlight, marks, render_diff

CHROMIUM = Path(os.environ.get("LUNSHU_CHROMIUM", "/usr/bin/chromium"))
FTS_NASTIES = ['"', '""', "NEAR(", "NEAR(a b, 2)", "*", ")", "(", "a AND (b", "AND", "OR", "NOT", "-", "- -", "^",
               "col:x", "text:数字", "{a b}", "'", "\\", "%", "_", "a OR", '"unterminated', "数字*", "+", "…", "\x00",
               "　", "-数字空间", "OR OR", "NEAR", "数字 NOT 空间", "[", "]", ";--", "' OR 1=1 --"]


@pytest.fixture(scope="module")
def small_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_small_db(tmp_path_factory.mktemp("web-sec") / "small.db")


@pytest.fixture(scope="module")
def server(small_db: Path) -> Iterator[LiveServer]:
    with live_server(create_app(str(small_db), token="t0ken-for-tests")) as s:
        yield s


@pytest.fixture(scope="module")
def client(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=120) as c:
        yield c


def assert_error(r: httpx.Response, status: int) -> None:
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}


# -- escaping --------------------------------------------------------------------------------------
def _no_injected_markup(html: str) -> None:
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "<svg onload" not in html
    assert "<b>源</b>" not in html and "<i>某人</i>" not in html
    assert 'href="javascript:' not in html.lower()
    assert "<script" not in html.lower()  # the pages use no script at all


def test_document_values_are_escaped_in_html(client: httpx.Client) -> None:
    page = client.get("/docs/t-xss")
    assert page.status_code == 200
    html = page.text
    _no_injected_markup(html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(2)&gt;" in html
    assert "javascript:alert(3)" in html  # shown as text, never as a link
    listing = client.get("/docs").text
    _no_injected_markup(listing)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in listing


def test_query_echoes_are_escaped(client: httpx.Client) -> None:
    evil = '"><script>alert(1)</script>'
    for path, params in [("/", {"q": evil}), ("/kwic", {"term": evil}), ("/timeline", {"term": evil}),
                         ("/trace", {"text": evil}), ("/compile", {"topic": evil}), ("/collocates", {"term": evil}),
                         ("/docs", {"speaker": evil, "source": evil}), ("/docs/t-xss", {"hl": evil})]:
        r = client.get(path, params=params)
        assert r.status_code < 500, (path, r.status_code)
        _no_injected_markup(r.text)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text or "&#34;&gt;&lt;script&gt;" in r.text, path


def test_unknown_page_echo_is_escaped(client: httpx.Client) -> None:
    r = client.get("/<script>alert(1)</script>")
    assert r.status_code == 404
    _no_injected_markup(r.text)


def test_security_headers(client: httpx.Client) -> None:
    for path in ["/", "/api/docs", "/static/style.css", "/no-such-page"]:
        h = client.get(path).headers
        assert "script-src 'self'" in h["content-security-policy"] or path.startswith("/api/"), path
        assert h["x-content-type-options"] == "nosniff"
        assert h["x-frame-options"] == "DENY"


@given(st.lists(st.sampled_from([*"<>&\"'/= mark", "<mark>", "</mark>", "&lt;", "<script>", "数"]), max_size=40)
       .map("".join))
def test_marks_lets_only_mark_through(snippet: str) -> None:
    out = str(marks(snippet))
    without = out.replace("<mark>", "").replace("</mark>", "")
    assert "<" not in without and ">" not in without
    assert out.count("<mark>") == out.count("</mark>")
    depth = 0
    for tag in re.findall(r"</?mark>", out):
        depth += 1 if tag == "<mark>" else -1
        assert depth in (0, 1)


@given(st.text(max_size=40), st.lists(st.text(min_size=1, max_size=4), max_size=3))
def test_highlight_and_diff_escape_everything(text: str, terms: list[str]) -> None:
    out = str(highlight(text, terms)).replace("<mark>", "").replace("</mark>", "")
    assert "<" not in out and ">" not in out and '"' not in out
    diff = [{"op": op, "quote": text, "source": t} for op in ("equal", "delete", "insert", "replace") for t in terms]
    rendered = re.sub(r'</?(del|ins)( title="[a-z ,]+")?>', "", str(render_diff(diff)))
    assert "<" not in rendered and ">" not in rendered


# -- traversal -------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", [
    "/static/../app.py", "/static/..%2fapp.py", "/static/%2e%2e/app.py", "/static/%2e%2e%2fapp.py",
    "/static/..%5capp.py", "/static//etc/passwd", "/static/%2fetc%2fpasswd", "/static/../../../../etc/passwd",
    "/static/templates/../../app.py", "/static/.%2e/.%2e/app.py",
])
def test_static_traversal_is_rejected(server: LiveServer, path: str) -> None:
    status, body = raw_get(server.port, path)
    assert status in (400, 404), (path, status)
    assert b"create_app" not in body and b"root:" not in body


@pytest.mark.parametrize("path", [
    "/api/docs/..%2f..%2fetc%2fpasswd", "/api/docs/%2e%2e", "/api/docs/..", "/api/docs/.hidden",
    "/api/docs/a%00b", "/api/keywords/..%2f..", "/docs/..%2fapp.py", "/docs/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
])
def test_doc_id_traversal_is_rejected(server: LiveServer, path: str) -> None:
    status, body = raw_get(server.port, path)
    assert status in (400, 404), (path, status)
    if path.startswith("/api/"):
        assert set(json.loads(body)) == {"error"}


def test_static_files_are_served(client: httpx.Client) -> None:
    r = client.get("/static/style.css")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/css")


# -- size limits -----------------------------------------------------------------------------------
def test_oversized_requests_get_413(client: httpx.Client) -> None:
    big = {"text": "数" * 40_000}  # ~120 KB of JSON, over the 64 KB limit
    assert_error(client.post("/api/trace", json=big), 413)

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit counts the bytes that arrive
        yield b'{"text": "'
        for _ in range(100):
            yield b"x" * 1024
        yield b'"}'

    assert_error(client.post("/api/trace", content=chunks(), headers={"content-type": "application/json"}), 413)
    assert_error(client.request("GET", "/api/docs", content=b"x" * 70_000), 413)
    # ingest has its own, larger limit (10 MB), checked before anything is parsed
    r = client.post("/api/ingest", content=b"x" * (10 * 1024 * 1024 + 1),
                    headers={"content-type": "application/json", "authorization": "Bearer t0ken-for-tests"})
    assert_error(r, 413)
    # and the server is still fine
    assert client.get("/api/stats").status_code == 200


def test_lying_content_length_is_refused(server: LiveServer) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as s:
        s.sendall(b"POST /api/trace HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Content-Length: 99999999\r\nConnection: close\r\n\r\n{\"text\": \"x\"}")
        data = s.recv(65536)
    assert data.startswith(b"HTTP/1.1 413")


# -- query syntax never reaches SQLite raw ---------------------------------------------------------
@pytest.mark.parametrize("q", FTS_NASTIES)
def test_search_syntax_gives_400_not_500(client: httpx.Client, q: str) -> None:
    r = client.get("/api/search", params={"q": q})
    assert r.status_code in (200, 400), (q, r.status_code, r.text)
    if r.status_code == 400:
        assert_error(r, 400)
    page = client.get("/", params={"q": q})
    assert page.status_code in (200, 400), (q, page.status_code)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.sampled_from(list('"*()^:-+{}[]\'\\ 数字空间共同体ANDORNOTNEAR')), min_size=1, max_size=12))
def test_search_never_500(client: httpx.Client, q: str) -> None:
    if not q.strip():
        return
    r = client.get("/api/search", params={"q": q})
    assert r.status_code in (200, 400), (q, r.status_code, r.text)


@pytest.mark.parametrize("q", FTS_NASTIES)
def test_other_queries_never_500(client: httpx.Client, q: str) -> None:
    for r in [client.post("/api/trace", json={"text": q}), client.get("/api/timeline", params={"term": q}),
              client.get("/api/collocates", params={"term": q}), client.get("/api/kwic", params={"term": q}),
              client.get("/api/compile", params={"topic": q})]:
        assert r.status_code in (200, 400, 422), (q, r.request.url, r.status_code, r.text)


# -- writing ---------------------------------------------------------------------------------------
def test_ingest_refused_without_the_token(client: httpx.Client, small_db: Path) -> None:
    files = {"file": ("x.txt", "标题\n\n正文。".encode())}
    assert_error(client.post("/api/ingest", files=files), 401)
    assert_error(client.post("/api/ingest", files=files, headers={"Authorization": "Bearer nope"}), 401)
    assert client.get("/api/stats").json()["documents"] == 5
    with live_server(create_app(str(small_db))) as ro, httpx.Client(base_url=ro.url) as c:
        r = c.post("/api/ingest", files=files, headers={"Authorization": "Bearer t0ken-for-tests"})
        assert_error(r, 403)  # no token configured: writing is off whatever the client sends


# -- binding ---------------------------------------------------------------------------------------
def _outbound_ip() -> str | None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))  # no packet is sent for UDP connect
            ip = s.getsockname()[0]
        except OSError:
            return None
    return None if ip.startswith("127.") else ip


def test_serve_binds_loopback_by_default(small_db: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "LUNSHU_TOKEN": ""}
    proc = subprocess.Popen([sys.executable, "-m", "lunshu.cli", "--db", str(small_db), "serve", "--port", str(port),
                             "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        assert json.loads(line)["serving"] == f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 60
        while True:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/api/stats", timeout=5)
                break
            except httpx.TransportError:
                assert proc.poll() is None and time.monotonic() < deadline, "lunshu serve did not come up"
                time.sleep(0.2)
        assert r.status_code == 200
        ip = _outbound_ip()
        if ip:
            with pytest.raises(OSError), socket.create_connection((ip, port), timeout=3):
                pass
    finally:
        proc.terminate()
        proc.wait(timeout=30)


# -- in the browser --------------------------------------------------------------------------------
@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no chromium at {CHROMIUM} (apt-get install chromium)")
def test_no_script_runs_in_the_browser(server: LiveServer) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=[
            "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        try:
            page = browser.new_page()
            dialogs: list[str] = []

            def on_dialog(dialog: Any) -> None:
                dialogs.append(dialog.message)
                dialog.dismiss()

            page.on("dialog", on_dialog)
            page.goto(server.url + "/docs/t-xss")
            assert page.locator("h1").inner_text() == XSS_TITLE
            assert page.locator("li#p1 p").inner_text() == XSS_TEXT
            assert page.locator("main img, main svg, main b, main i").count() == 0
            assert page.locator("dd.url a").count() == 0  # javascript: URL is not a link
            evil = '"><img src=x onerror=alert(9)><script>alert(8)</script>'
            for path in ["/docs", f"/?q={evil}", f"/trace?text={evil}", f"/docs/t-xss?hl={evil}",
                         f"/kwic?term={evil}"]:
                page.goto(server.url + path)
            page.goto(server.url + "/trace")
            page.get_by_label("Quotation").fill(evil)
            page.get_by_role("button", name="Trace").click()
            page.wait_for_load_state()
            assert page.locator("textarea").input_value() == evil
            page.wait_for_timeout(300)
            assert dialogs == []
        finally:
            browser.close()
