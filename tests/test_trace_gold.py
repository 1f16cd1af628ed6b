"""Trace quality on the gold set: generated compilations ingested beside the Xinhua speeches.

Measures, for every generated quotation that extraction finds: traced to the right paragraph of
the right speech (first source), and given the expected status. Floors live in tests/gold/floors.json
and only ever rise.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from rapidfuzz import fuzz
from test_quote_gold import CORPUS_NAME, GOLD, _generator

from lunshu import Corpus
from lunshu.align import content_chars


@pytest.fixture(scope="module")
def traced(shared_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    corpus_file = shared_dir / "corpora" / CORPUS_NAME
    if not corpus_file.is_file():
        pytest.skip(f"{corpus_file} not found")
    out = tmp_path_factory.mktemp("trace_gold")
    gold_dir = out / "gold"
    expected = _generator().generate(corpus_file, gold_dir)
    (gold_dir / "expected.json").unlink()
    c = Corpus(out / "gold.db")
    rep = c.ingest([str(corpus_file), str(gold_dir)])
    assert not rep.failed, rep.failed
    urls = {d.id: d.url for d in c.docs()}
    quotes: dict[str, list[Any]] = {}
    for d in c.docs():
        name = Path(d.origin).name
        if name.startswith("gold_"):
            quotes[name] = c.quotes(doc_id=d.id)
    return {"expected": expected, "quotes": quotes, "urls": urls, "corpus": c}


def _match(expected: list[dict[str, Any]], quotes: dict[str, list[Any]]) -> list[tuple[dict[str, Any], Any]]:
    pairs = []
    for e in expected:
        key = (content_chars(e["text"])[0], e["date"])
        for q in quotes.get(e["doc"], []):
            if (content_chars(q.text)[0], q.attribution.date) == key:
                pairs.append((e, q))
                break
    return pairs


def _right_paragraph(e: dict[str, Any], q: Any, urls: dict[str, str | None]) -> bool:
    if e["source_url"] is None:
        return not q.sources or q.status == "not_found"
    if not q.sources:
        return False
    first = q.sources[0]
    if urls.get(first.doc_id) != e["source_url"]:
        return False
    want = content_chars(e["source_text"])[0][:80]
    got = content_chars(first.text)[0]
    return fuzz.partial_ratio(want, got) >= 85


def test_trace_to_the_right_paragraph_and_status(traced: dict[str, Any]) -> None:
    pairs = _match(traced["expected"], traced["quotes"])
    floors = json.loads((GOLD / "floors.json").read_text(encoding="utf-8"))
    n = len(traced["expected"])
    right_par = sum(_right_paragraph(e, q, traced["urls"]) for e, q in pairs)
    right_status = sum(q.status == e["status"] for e, q in pairs)
    confusion = Counter((e["status"], q.status) for e, q in pairs if q.status != e["status"])
    wrong = [f"{e['edit']} {e['status']}→{q.status}: {q.reason} | {e['text'][:30]}" for e, q in pairs
             if q.status != e["status"]][:15]
    print(f"\ntrace to the right paragraph: {right_par}/{n} = {right_par / n:.3f}; "
          f"right status: {right_status}/{n} = {right_status / n:.3f}; confusions {dict(confusion)}")
    if floors.get("trace_paragraph") is not None:
        assert right_par / n >= floors["trace_paragraph"], wrong
    if floors.get("trace_status") is not None:
        assert right_status / n >= floors["trace_status"], wrong
