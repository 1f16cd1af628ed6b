"""The demo corpus `examples/` end to end: every fact pinned in tests/examples_expected.json.

These run without ../shared: they are the unit-level guarantee of cleaning, metadata, quotations,
trace and search on documents we wrote ourselves.
"""

from __future__ import annotations

from typing import Any

import pytest
from conftest import EXAMPLES

EXPECTED: dict[str, Any] = __import__("json").loads(
    (EXAMPLES.parent / "tests" / "examples_expected.json").read_text(encoding="utf-8"))


def _key(file: str, index: int | None) -> str:
    return file if index is None else f"{file}#{index + 1}"


@pytest.fixture(scope="module")
def docs_by_key(examples_corpus: Any) -> dict[str, Any]:
    out = {}
    for d in examples_corpus.docs():
        name = d.origin.split("/")[-1]
        out[name] = examples_corpus.get(d.id)
    return out


def test_every_example_ingests(examples_corpus: Any) -> None:
    assert len(examples_corpus.docs()) == len(EXPECTED["documents"])


@pytest.mark.parametrize("exp", EXPECTED["documents"], ids=lambda e: _key(e["file"], e["index"]))
def test_document_metadata_and_cleaning(exp: dict[str, Any], docs_by_key: dict[str, Any]) -> None:
    doc = docs_by_key[_key(exp["file"], exp["index"])]
    assert doc.title == exp["title"]
    assert doc.date == exp["date"]
    if exp.get("speaker") is not None:
        assert doc.speakers and doc.speakers[0] == exp["speaker"]
    assert doc.genre in exp.get("genre_accept", [exp["genre"]])
    for key in ("source", "url"):
        if exp.get(key):
            assert getattr(doc, key) == exp[key], key
    if "publisher_keywords" in exp:
        assert doc.publisher_keywords == exp["publisher_keywords"]
    for r in exp.get("reporters_include", []):
        assert r in doc.reporters
    if exp.get("occasion_contains"):
        assert doc.occasion and exp["occasion_contains"] in doc.occasion
    for phrase in exp.get("must_contain", []):
        assert any(phrase in p for p in doc.paragraphs), phrase
    for noise in exp.get("must_not_contain", []):
        assert not any(noise in p for p in doc.paragraphs), noise
    for para in exp.get("paragraph_equals", []):
        assert para in doc.paragraphs, para[:30]
    if "paragraph_count" in exp:
        assert len(doc.paragraphs) == exp["paragraph_count"]


@pytest.mark.parametrize("exp", EXPECTED["quotations"], ids=lambda e: e["id"])
def test_quotations_extracted_traced_and_checked(exp: dict[str, Any], examples_corpus: Any,
                                                 docs_by_key: dict[str, Any]) -> None:
    doc = docs_by_key[_key(exp["file"], exp["index"])]
    quotes = examples_corpus.quotes(doc_id=doc.id)
    q = next((q for q in quotes if q.attribution.date == exp["attribution"]["date"]
              and "".join(q.text.split()) == "".join(exp["text"].split())), None)
    assert q is not None, [(x.attribution.date, x.text[:20]) for x in quotes]
    if exp["attribution"].get("speaker"):
        assert q.attribution.speaker == exp["attribution"]["speaker"]
    assert q.status in exp.get("accept", [exp["status"]]), q.reason
    if exp.get("first_source"):
        first = docs_by_key[_key(exp["first_source"]["file"], exp["first_source"]["index"])]
        assert q.sources and q.sources[0].doc_id == first.id


@pytest.mark.parametrize("exp", EXPECTED["traces"], ids=lambda e: e["text"][:12])
def test_pasted_traces(exp: dict[str, Any], examples_corpus: Any, docs_by_key: dict[str, Any]) -> None:
    t = examples_corpus.trace(exp["text"], date=exp.get("date"))
    assert t.status in exp.get("accept", [exp["status"]]), t.reason
    if exp.get("first_source"):
        first = docs_by_key[_key(exp["first_source"]["file"], exp["first_source"]["index"])]
        assert t.sources[0].doc_id == first.id


def test_enumerations_are_not_attributions(docs_by_key: dict[str, Any], examples_corpus: Any) -> None:
    for exp in EXPECTED["non_attributions"]:
        doc = docs_by_key[_key(exp["file"], exp["index"])]
        marker = exp.get("starts_with") or exp.get("caption") or exp.get("title_contains")
        for q in examples_corpus.quotes(doc_id=doc.id, trace=False):
            assert not q.attribution.raw.lstrip("— ").startswith(marker.lstrip("— ")), marker
            assert marker not in q.text


@pytest.mark.parametrize("exp", EXPECTED["search"], ids=lambda e: e["query"])
def test_search_finds_exactly_these_documents(exp: dict[str, Any], examples_corpus: Any,
                                              docs_by_key: dict[str, Any]) -> None:
    r = examples_corpus.search(exp["query"], limit=100, by="doc")
    want = {docs_by_key[_key(d["file"], d["index"])].id for d in exp["docs"]}
    assert {h.doc_id for h in r.hits} == want
