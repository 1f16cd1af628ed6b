"""`lunshu serve` does no corpus-wide work at start-up; a document page never waits for it on a big corpus.

Reuse over a whole corpus took 45 s at 100k paragraphs, started with the server: searches queued
behind it. Now nothing starts with the server; a document page of a corpus above
``REUSE_ON_PAGE_PARAGRAPHS`` says how to compute the links, and shows them once they are stored.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import httpx
import pytest
from web_support import SMALL_DOCS, build_small_db, live_server

from lunshu.corpus import Corpus
from lunshu.web import pages
from lunshu.web.app import create_app


def _reuse_stored(db: Path) -> bool:
    c = sqlite3.connect(db)
    try:
        return c.execute("SELECT 1 FROM lunshu_meta WHERE key = 'reuse_fingerprint'").fetchone() is not None
    finally:
        c.close()


def test_nothing_corpus_wide_starts_with_the_server(tmp_path: Path) -> None:
    db = build_small_db(tmp_path / "s.db")
    with live_server(create_app(str(db))) as server:
        r = httpx.get(f"{server.url}/api/search", params={"q": "网络"}, timeout=120)
        assert r.status_code == 200
        assert not any(t.name == "lunshu-warm-up" for t in threading.enumerate())
    assert not _reuse_stored(db)


def test_a_big_corpus_doc_page_points_to_reuse_instead_of_computing_it(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    db = build_small_db(tmp_path / "b.db")
    doc_id = str(SMALL_DOCS[0]["id"])
    monkeypatch.setattr(pages, "REUSE_ON_PAGE_PARAGRAPHS", 0)  # every corpus is "big"
    with live_server(create_app(str(db))) as server:
        page = httpx.get(f"{server.url}/docs/{doc_id}", timeout=120)
        assert page.status_code == 200
        assert "lunshu reuse" in page.text
        assert not _reuse_stored(db)
        with Corpus(db) as c:
            c.reuse()  # what `lunshu reuse` does
        page = httpx.get(f"{server.url}/docs/{doc_id}", timeout=120)
        assert page.status_code == 200 and "lunshu reuse" not in page.text
    monkeypatch.undo()
    db2 = build_small_db(tmp_path / "c.db")  # a small corpus: the page computes them itself
    with live_server(create_app(str(db2))) as server:
        assert httpx.get(f"{server.url}/docs/{doc_id}", timeout=120).status_code == 200
    assert _reuse_stored(db2)
