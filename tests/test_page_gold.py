"""Whole saved pages through `lunshu ingest`, measured against gold read from each page's markup.

Gold: tests/gold/pages-12371.json, made by tests/gold/make_page_gold.py (standard-library parser,
no lunshu code). Measures, over the 70 pages of ../shared/corpora/12371-pages/:

- title, date, source, editor: share of pages where the stored field equals the gold one;
- noise: share of stored body characters (sentences) that are not in the article;
- kept: share of the article's characters (sentences) found in the stored body.

Floors: tests/gold/floors.json (``page_*``); they only rise.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from conftest import run_cli

GOLD = Path(__file__).resolve().parent / "gold"
PAGES = "12371-pages"


def _maker() -> ModuleType:
    mod = sys.modules.get("make_page_gold")
    if mod is None:
        spec = importlib.util.spec_from_file_location("make_page_gold", GOLD / "make_page_gold.py")
        assert spec is not None and spec.loader is not None
        mod = importlib.util.module_from_spec(spec)
        sys.modules["make_page_gold"] = mod
        spec.loader.exec_module(mod)
    return mod


_SENT = re.compile(r"(?<=[。！？!?；;])")


def sentences(paragraphs: list[str]) -> list[str]:
    """Sentences of normalised paragraphs (what noise and kept are counted in)."""
    return [s for p in paragraphs for s in _SENT.split(p) if s]


def measure(article: list[str], stored: list[str]) -> tuple[int, int, int, int]:
    """(article chars, of them found in stored, stored chars, of them found in the article), by
    sentence: a sentence counts as found when it occurs whole in the other text."""
    a_chars = a_found = s_chars = s_found = 0
    article_text, stored_text = "\n".join(article), "\n".join(stored)
    for s in sentences(article):
        a_chars += len(s)
        if s in stored_text:
            a_found += len(s)
    for s in sentences(stored):
        s_chars += len(s)
        if s in article_text:
            s_found += len(s)
    return a_chars, a_found, s_chars, s_found


@pytest.fixture(scope="module")
def results(shared_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = shared_dir / "corpora" / PAGES
    if not folder.is_dir():
        pytest.skip(f"{folder} not found")
    gold = json.loads((GOLD / "pages-12371.json").read_text(encoding="utf-8"))["pages"]
    tmp = tmp_path_factory.mktemp("page_gold")
    db = tmp / "pages.db"
    r = run_cli("ingest", str(folder), "--json", db=db)
    assert r.returncode == 0, r.stderr
    out = tmp / "pages.jsonl"
    r = run_cli("export", "--format", "jsonl", "--out", str(out), db=db)
    assert r.returncode == 0, r.stderr
    docs = {}
    for line in out.read_text(encoding="utf-8").splitlines():
        d = json.loads(line)
        docs[Path(d["origin"]).name] = d
    return {"gold": gold, "docs": docs, "folder": folder}


def _floors() -> dict[str, float]:
    return json.loads((GOLD / "floors.json").read_text(encoding="utf-8"))


def _same(a: str | None, b: str | None) -> bool:
    mk = _maker()
    return a is not None and b is not None and mk.norm(a) == mk.norm(b)


def test_gold_matches_the_pages(results: dict[str, Any]) -> None:
    """The gold maker still reads the pages as the stored gold says (it cannot drift silently)."""
    mk = _maker()
    for name, g in results["gold"].items():
        page = (results["folder"] / name).read_text(encoding="utf-8", errors="replace")
        assert mk.page_gold(page) == g, name


def test_every_page_is_one_document(results: dict[str, Any]) -> None:
    assert set(results["docs"]) == set(results["gold"])


def test_page_fields_and_text(results: dict[str, Any]) -> None:
    mk = _maker()
    gold, docs = results["gold"], results["docs"]
    n = len(gold)
    title = sum(_same(docs[k]["title"], g["title"]) for k, g in gold.items()) / n
    date = sum(docs[k]["date"] == g["date"] for k, g in gold.items()) / n
    source = sum(docs[k]["source"] == g["source"] for k, g in gold.items()) / n
    editor = sum(docs[k].get("editor") == g["editor"] for k, g in gold.items()) / n
    a_chars = a_found = s_chars = s_found = 0
    worst: list[tuple[float, str]] = []
    for k, g in gold.items():
        page = (results["folder"] / k).read_text(encoding="utf-8", errors="replace")
        article = [mk.norm(p) for p in mk.article_paragraphs(page)]
        assert hashlib.sha1("".join(article).encode("utf-8")).hexdigest() == g["article_sha1"], k
        stored = [mk.norm(p["text"] if isinstance(p, dict) else p) for p in docs[k]["paragraphs"]]
        a, af, s, sf = measure(article, stored)
        a_chars, a_found, s_chars, s_found = a_chars + a, a_found + af, s_chars + s, s_found + sf
        worst.append((af / max(a, 1), k))
    kept = a_found / a_chars
    noise = 1 - s_found / s_chars
    worst.sort()
    report = (f"title {title:.3f} date {date:.3f} source {source:.3f} editor {editor:.3f} noise {noise:.4f} "
              f"kept {kept:.4f} "
              f"(article {a_chars} chars, stored {s_chars}); least kept: {worst[:3]}")
    print(report)
    floors = _floors()
    assert title >= floors["page_title"], report
    assert date >= floors["page_date"], report
    assert source >= floors["page_source"], report
    assert editor >= floors["page_editor"], report
    assert noise <= floors["page_noise_max"], report
    assert kept >= floors["page_article_kept"], report


def test_trafilatura_alone_on_the_same_pages(results: dict[str, Any]) -> None:
    """The general route, for layouts no site rule knows: the same 70 pages with the site rules
    switched off (article through trafilatura, fields from the page's own lines)."""
    from lunshu.clean import clean_body
    from lunshu.ingest.page import extract_page

    mk = _maker()
    a_chars = a_found = s_chars = s_found = fields = 0
    for k, g in results["gold"].items():
        page_text = (results["folder"] / k).read_text(encoding="utf-8", errors="replace")
        page = extract_page(page_text, rules=())
        assert page is not None and page.method == "trafilatura", k
        fields += _same(page.title, g["title"]) and page.date == g["date"] and page.source == g["source"]
        article = [mk.norm(p) for p in mk.article_paragraphs(page_text)]
        stored = [mk.norm(p) for p in clean_body(page.article_html, "html").paragraphs]
        a, af, s, sf = measure(article, stored)
        a_chars, a_found, s_chars, s_found = a_chars + a, a_found + af, s_chars + s, s_found + sf
    n = len(results["gold"])
    kept, noise = a_found / a_chars, 1 - s_found / s_chars
    report = f"fields {fields}/{n} kept {kept:.4f} noise {noise:.4f}"
    print(report)
    floors = _floors()
    assert fields / n >= floors["page_fallback_fields"], report
    assert kept >= floors["page_fallback_kept"], report
    assert noise <= floors["page_fallback_noise_max"], report
