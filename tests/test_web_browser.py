"""The web UI in a real browser (Debian's chromium through Playwright) against a real server.

Few and fast: one browser for the module; each test walks one user task and saves screenshots to
tests/artifacts/ (gitignored) for people to look at.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from web_support import LiveServer, live_server

from lunshu.web.app import create_app

CHROMIUM = Path(os.environ.get("LUNSHU_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no chromium at {CHROMIUM} (apt-get install chromium)"),
]

sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")

LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    def on_dialog(dialog: Any) -> None:
        errors.append(f"dialog: {dialog.message}")
        dialog.dismiss()

    pg.on("dialog", on_dialog)
    yield pg
    context.close()
    assert errors == [], errors  # no script error, no CSP violation, no dialog on any page


@pytest.fixture(scope="module")
def examples_server(examples_corpus: Any) -> Iterator[LiveServer]:
    with live_server(create_app(examples_corpus.path)) as s:
        yield s


@pytest.fixture(scope="module")
def example_ids(examples_corpus: Any) -> dict[str, str]:
    return {Path(d.origin.split("#")[0]).name + ("#" + d.origin.split("#")[1] if "#" in d.origin else ""): d.id
            for d in examples_corpus.docs()}


def shot(page: Any, name: str, full: bool = True) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full)


def test_search_then_open_a_document(page: Any, examples_server: LiveServer) -> None:
    page.goto(examples_server.url + "/")
    page.get_by_label("Search query").fill("数字共同体")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"[?&]q="))
    hits = page.locator("ol.hits > li")
    assert hits.count() > 0
    assert page.locator("ol.hits mark").first.inner_text() == "数字共同体"
    assert page.locator(".bars .bar").count() >= 2  # matches per year
    shot(page, "search")
    page.get_by_role("link", name="Group by document").click()
    assert page.locator("ol.hits > li").count() > 0
    page.go_back()
    first = hits.first.locator(".hit-meta a").first
    first.click()
    page.wait_for_url(re.compile(r"/docs/[^/?#]+\?hl=.*#p\d+$"))
    target = page.url.rsplit("#", 1)[1]
    para = page.locator(f"li#{target}")
    assert "数字共同体" in para.inner_text()
    assert para.locator("mark").count() >= 1
    shot(page, "search-to-document", full=False)


def test_document_page(page: Any, examples_server: LiveServer, example_ids: dict[str, str]) -> None:
    doc_id = example_ids["compilation-2023.md"]
    page.goto(f"{examples_server.url}/docs/{doc_id}")
    assert page.locator("h1").inner_text() == "林望川：让数字发展成果惠及每一位市民"
    paragraphs = page.locator("ol.paragraphs > li")
    assert paragraphs.count() > 5
    assert page.locator("li#p3 a.pn").get_attribute("href") == "#p3"
    # quotations with status badges (or a quiet note while that module is missing)
    quotes = page.locator("#q-h + ol.quotes > li")
    if quotes.count():
        statuses = {page.locator(".quotes .badge").nth(i).inner_text().lower()
                    for i in range(page.locator(".quotes .badge").count())}
        assert statuses & {"verified", "variant", "misattributed", "unverified", "not found"}
    shot(page, "document")
    # the versions panel links to the documents it shares text with
    reuse_links = page.locator("ul.reuse > li > a")
    if reuse_links.count():
        title = reuse_links.first.inner_text()
        reuse_links.first.click()
        assert page.locator("h1").inner_text() == title
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{examples_server.url}/docs/{doc_id}#p3")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    shot(page, "document-mobile", full=False)


def test_trace_a_quotation(page: Any, examples_server: LiveServer) -> None:
    page.goto(examples_server.url + "/trace")
    page.get_by_label("Quotation").fill("我们将坚持开放合作，让企业和市民分享数字红利，让数字化成果更多更公平惠及全体市民。")
    page.get_by_label("Attributed to the date").fill("2019-05-20")
    page.get_by_role("button", name="Trace").click()
    page.wait_for_url(re.compile(r"/trace\?"))
    badge = page.locator(".status-line .badge")
    assert badge.inner_text().lower() == "variant"
    first = page.locator("ol.sources > li").first
    # the source says 共享, the quotation 分享: the source's character struck, the quotation's inserted
    assert first.locator("del").first.inner_text() == "共"
    assert first.locator("ins").first.inner_text() == "分"
    assert first.locator("a").first.inner_text() == "在首届东岚数字论坛开幕式上的讲话"
    shot(page, "trace")
    json_link = page.get_by_role("link", name="JSON")
    assert json_link.get_attribute("href").startswith("/api/trace?")


def test_timeline_and_other_pages_render(page: Any, examples_server: LiveServer) -> None:
    page.goto(examples_server.url + "/timeline?term=数字共同体&term=数字经济")
    img = page.locator("figure.chart img")
    assert img.evaluate("i => i.complete && i.naturalWidth > 0")
    assert page.locator("table.timeline tbody tr").count() >= 3
    shot(page, "timeline")
    for path, name in [("/docs", "docs"), ("/quotes?status=variant", "quotes"), ("/kwic?term=数字共同体", "kwic"),
                       ("/compile?topic=数字共同体", "compile"), ("/collocates?term=数字", "collocates")]:
        page.goto(examples_server.url + path)
        assert page.locator("h1").count() == 1
        assert page.locator(".note.error").count() == 0, page.locator(".note.error").inner_text()
        shot(page, name)


def test_seed_compilation_page(page: Any, seed_corpus: Any, seed_ids: dict[str, str]) -> None:
    """The real seed 002 (skipped without ../shared): its quotations are marked in the text and listed."""
    with live_server(create_app(seed_corpus.path)) as s:
        page.goto(f"{s.url}/docs/{seed_ids['002']}")
        assert page.locator("ol.paragraphs > li.quote").count() > 0
        assert page.locator(".quotes .badge").count() > 0
        shot(page, "seed-002")
        page.goto(f"{s.url}/trace?text=以共进为动力&date=2015-12-16")
        assert page.locator(".status-line .badge").count() == 1
        shot(page, "seed-trace")
