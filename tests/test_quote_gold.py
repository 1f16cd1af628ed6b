"""Quotation extraction measured on generated compilations of real speech text (tests/gold)."""

from __future__ import annotations

import importlib.util
import json
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from lunshu.align import align, content_chars
from lunshu.quotes import extract_quotes

GOLD = Path(__file__).resolve().parent / "gold"
CORPUS_NAME = "xinhua-xi-speeches-2022-2025.json"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_quote_gold", GOLD / "make_quote_gold.py")
    assert spec is not None and spec.loader is not None
    mod = sys.modules.get("make_quote_gold")
    if mod is None:
        mod = importlib.util.module_from_spec(spec)
        sys.modules["make_quote_gold"] = mod  # dataclasses look their module up while being built
        spec.loader.exec_module(mod)
    return mod


def _floors() -> dict[str, Any]:
    return json.loads((GOLD / "floors.json").read_text(encoding="utf-8"))


def _paragraphs(text: str) -> list[str]:
    """The real cleaner's paragraphs."""
    from lunshu.clean import clean_body

    return list(clean_body(text, "text").paragraphs)


@pytest.fixture(scope="module")
def gold(shared_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]]]:
    corpus = shared_dir / "corpora" / CORPUS_NAME
    if not corpus.is_file():
        pytest.skip(f"{corpus} not found")
    out = tmp_path_factory.mktemp("quote_gold")
    expected = _generator().generate(corpus, out)
    return out, expected


def test_generator_is_deterministic(shared_dir: Path, tmp_path: Path) -> None:
    corpus = shared_dir / "corpora" / CORPUS_NAME
    if not corpus.is_file():
        pytest.skip(f"{corpus} not found")
    gen = _generator()
    a = gen.generate(corpus, tmp_path / "a", n_docs=4)
    b = gen.generate(corpus, tmp_path / "b", n_docs=4)
    assert a == b
    assert (tmp_path / "a" / "gold_000.txt").read_text() == (tmp_path / "b" / "gold_000.txt").read_text()


def test_gold_set_covers_every_case(gold: tuple[Path, list[dict[str, Any]]]) -> None:
    _, expected = gold
    edits = Counter(e["edit"] for e in expected)
    statuses = Counter(e["status"] for e in expected)
    layouts = " ".join(e["layout"] for e in expected)
    assert len(expected) >= 150
    for edit in ("exact", "abridged", "dropped_clause", "changed_char", "halfwidth", "two_paragraphs",
                 "multi_paragraph", "wrong_date", "fabricated"):
        assert edits[edit] >= 5, edit
    assert set(statuses) == {"verified", "variant", "misattributed", "not_found"}
    for part in ("dash/", "dash_spaced/", "bracket_inline/", "bracket_line/", "dash_before/", "/year/",
                 "/section/", "/none/", "/fullwidth", "/misplaced"):
        assert part in layouts, part


def test_quote_extraction_rate(gold: tuple[Path, list[dict[str, Any]]]) -> None:
    out, expected = gold
    by_doc: dict[str, list[dict[str, Any]]] = {}
    for e in expected:
        by_doc.setdefault(e["doc"], []).append(e)
    found = 0
    extracted_total = 0
    extracted_right = 0
    misses: list[str] = []
    for doc, exp in by_doc.items():
        paras = _paragraphs((out / doc).read_text(encoding="utf-8"))
        got = extract_quotes(paras, doc)
        extracted_total += len(got)
        keys = Counter((content_chars(q.text)[0], q.attribution.date) for q in got)
        want = Counter((content_chars(e["text"])[0], e["date"]) for e in exp)
        for key, k in want.items():
            hit = min(k, keys.get(key, 0))
            found += hit
            if hit < k:
                misses.append(f"{doc}: {key[1]} {key[0][:30]}")
        extracted_right += sum(min(k, want.get(key, 0)) for key, k in keys.items())
    rate = found / len(expected)
    precision = extracted_right / extracted_total if extracted_total else 0.0
    floors = _floors()
    print(f"\nquote extraction: {found}/{len(expected)} = {rate:.3f} (floor {floors['quote_extraction']}); "
          f"precision {extracted_right}/{extracted_total} = {precision:.3f}")
    assert rate >= floors["quote_extraction"], "\n".join(misses[:20])
    assert precision >= floors["quote_extraction_precision"]


def test_alignment_against_the_true_source(shared_dir: Path, gold: tuple[Path, list[dict[str, Any]]]) -> None:
    """The aligner on every generated quotation against its true source passage (the paragraph
    with its neighbours): same words (verbatim, abridged, half-width, run together) must come out
    identical, edited words (a clause dropped, a character changed) not, and both must score high;
    invented text must score low."""
    _, expected = gold
    speeches = {s.url: s for s in _generator().load_corpus(shared_dir / "corpora" / CORPUS_NAME)}
    right = 0
    wrong: list[str] = []
    for e in expected:
        if e["source_url"] is None:
            sp = speeches[sorted(speeches)[len(e["text"]) % len(speeches)]]
            region = "\n".join(sp.paragraphs[:4])
            ok = align(e["text"], region).score < 0.5
        else:
            sp = speeches[e["source_url"]]
            i = e["source_paragraph"]
            region = "\n".join(sp.paragraphs[max(0, i - 1): i + 3])
            a = align(e["text"], region)
            same_words = e["edit"] not in ("dropped_clause", "changed_char")
            ok = a.identical == same_words and a.score >= 0.85
        right += ok
        if not ok:
            wrong.append(f"{e['edit']}: {e['text'][:40]}")
    rate = right / len(expected)
    floor = _floors()["align_identity"]
    print(f"\nalignment against the true source: {right}/{len(expected)} = {rate:.3f} (floor {floor})")
    assert rate >= floor, "\n".join(wrong[:20])
