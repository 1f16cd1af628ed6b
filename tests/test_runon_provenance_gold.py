"""Provenance from run-on speeches (issue #14, item 9), measured through the public CLI.

The sources are the Xinhua speeches as users bring them: run-on text with every paragraph mark gone
(a ``Date,Text`` CSV export, and the official database's API records), so their paragraphs are
inferred. The compilations quoting them are generated from real sentences of those speeches by
``tests/gold/make_quote_gold.py`` (with a seed of its own, so they are not the compilations of
tests/test_trace_gold.py): verbatim, abridged, edited, run together, misdated, or text the corpus
does not hold, each with the status ``trace`` should give.

Measured with ``lunshu ingest`` and ``lunshu quotes --json`` (every quotation extracted and traced),
checked against tests/gold/floors.json (``runon_provenance_*``, only rising):

- extracted: share of the generated quotations extracted with their text and attributed date;
- right source: share whose first source is the speech they come from, with the inferred paragraph
  that holds the quoted words as source span (not the whole speech: a paragraph of at most
  ``MAX_CHARS`` + 200 characters); a quotation of text the corpus does not hold has no source;
- right status: share given the expected status (verified, variant, misattributed, not_found).

``lunshu trace`` and ``lunshu compile`` are checked on a sample of the same quotations: the same
status and a paragraph as source span.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, run_cli
from test_quote_gold import CORPUS_NAME, _generator

from lunshu.align import content_chars
from lunshu.paragraphs import MAX_CHARS

sys.path.insert(0, str(ROOT / "tests" / "gold"))
from realdocs_gold import article_id, load, write_variants

FLOORS = json.loads((ROOT / "tests" / "gold" / "floors.json").read_text(encoding="utf-8"))
SEED = 20261202  # not the seed of tests/test_trace_gold.py: other quotations, other compilations
SPAN_MAX = MAX_CHARS + 200


def _key(text: str, date: str | None) -> tuple[str, str | None]:
    return content_chars(text)[0], date


def _right_source(e: dict[str, Any], q: dict[str, Any], url_of: dict[str, str]) -> bool:
    if e["source_url"] is None:
        return not q["sources"] or q["status"] == "not_found"
    if not q["sources"]:
        return False
    first = q["sources"][0]
    if url_of.get(first["doc_id"]) != e["source_url"] or len(first["text"]) > SPAN_MAX:
        return False
    # the quoted words are in the source span (the paragraph; a quotation of two paragraphs run
    # together, or abridged across them, begins in it): most of the two-character pieces of the
    # quotation's first stretch (up to an ellipsis or a break) are the source's
    quoted = content_chars(re.split(r"\n|…+", e["text"])[0])[0]
    source = content_chars(first["text"])[0]
    pieces = {quoted[k:k + 2] for k in range(len(quoted) - 1)}
    return bool(pieces) and sum(x in source for x in pieces) / len(pieces) >= 0.8


@pytest.fixture(scope="module", params=["runon", "api"])
def measured(request: pytest.FixtureRequest, shared_dir: Path,
             tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    corpus = shared_dir / "corpora" / CORPUS_NAME
    if not corpus.is_file():
        pytest.skip(f"{corpus} not found")
    variant = request.param
    out = tmp_path_factory.mktemp(f"runon_provenance_{variant}")
    gold_dir = out / "gold"
    expected = _generator().generate(corpus, gold_dir, seed=SEED)
    (gold_dir / "expected.json").unlink()
    paths = write_variants(corpus, out / "in")
    db = out / "t.db"
    r = run_cli("ingest", str(paths[variant]), str(gold_dir), "--json", db=db)
    assert r.returncode == 0, r.stderr
    records = load(corpus)
    docs = json.loads(run_cli("docs", "--json", "--limit", "1000", db=db).stdout)
    url_of: dict[str, str] = {}
    by_id = {article_id(rec["url"]): rec["url"] for rec in records}
    for d in docs:
        if variant == "runon" and "#" in d["origin"] and "gold_" not in d["origin"]:
            url_of[d["id"]] = records[int(d["origin"].rsplit("#", 1)[1]) - 1]["url"]
        elif d["id"] in by_id:
            url_of[d["id"]] = by_id[d["id"]]
    assert len(url_of) == len(records), (len(url_of), len(records))
    inferred = sum(bool(d.get("paragraphs_inferred")) for d in docs if d["id"] in url_of)
    r = run_cli("quotes", "--json", db=db)
    assert r.returncode == 0, r.stderr
    quotes = json.loads(r.stdout)
    name_of = {d["id"]: Path(d["origin"]).name for d in docs}
    found: dict[tuple[str, tuple[str, str | None]], dict[str, Any]] = {}
    for q in quotes:
        found.setdefault((name_of.get(q["doc_id"], ""), _key(q["quote"], q["attribution"]["date"])), q)
    pairs = [(e, found.get((e["doc"], _key(e["text"], e["date"])))) for e in expected]
    n = len(expected)
    extracted = [(e, q) for e, q in pairs if q is not None]
    right_source = [(e, q) for e, q in extracted if _right_source(e, q, url_of)]
    right_status = [(e, q) for e, q in extracted if q["status"] == e["status"]]
    result = {
        "variant": variant, "quotations": n, "inferred_sources": f"{inferred}/{len(records)}",
        "extracted": len(extracted) / n, "right_source": len(right_source) / n, "right_status": len(right_status) / n,
        "confusions": dict(Counter(f"{e['status']}->{q['status']}" for e, q in extracted if q["status"] != e["status"])),
        "wrong_source": [f"{e['edit']}: {e['text'][:30]}" for e, q in extracted if (e, q) not in right_source][:10],
        "span_chars_max": max((len(q["sources"][0]["text"]) for _e, q in extracted if q["sources"]), default=0),
    }
    print(f"\nrun-on provenance ({variant}):", json.dumps(result, ensure_ascii=False, indent=1))
    result["db"] = db
    result["pairs"] = extracted
    result["url_of"] = url_of
    return result


def test_compilations_of_run_on_speeches_reach_the_floors(measured: dict[str, Any]) -> None:
    assert measured["inferred_sources"].split("/")[0] == measured["inferred_sources"].split("/")[1]
    for name in ("extracted", "right_source", "right_status"):
        assert measured[name] >= FLOORS[f"runon_provenance_{name}"], (name, measured[name], measured["confusions"],
                                                                      measured["wrong_source"])




def _sample(pairs: list[tuple[dict[str, Any], dict[str, Any]]], k: int) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """``k`` quotations spread over the statuses, the same every run."""
    by_status: dict[str, list[tuple[dict[str, Any], dict[str, Any]]]] = {}
    for e, q in pairs:
        by_status.setdefault(e["status"], []).append((e, q))
    out: list[tuple[dict[str, Any], dict[str, Any]]] = []
    while len(out) < k and any(by_status.values()):
        for items in by_status.values():
            if items and len(out) < k:
                out.append(items.pop(len(items) // 2))
    return out


def test_trace_gives_the_status_and_the_paragraph_of_the_run_on_speech(measured: dict[str, Any]) -> None:
    if measured["variant"] != "runon":
        pytest.skip("checked once, on the CSV export")
    right = 0
    sample = _sample(measured["pairs"], 12)
    for e, _q in sample:
        args = ["trace", e["text"], "--json"] + (["--date", e["date"]] if e["date"] else [])
        r = run_cli(*args, db=measured["db"])
        assert r.returncode == 0, r.stderr
        t = json.loads(r.stdout)
        if e["source_url"] is None:  # text no speech holds: found only in the compilation that prints it
            right += t["status"] in ("not_found", "unverified") and all(
                s["genre"] == "compilation" for s in t["sources"])
        else:
            right += t["status"] == e["status"] and _right_source(e, t, measured["url_of"])
    assert right >= len(sample) - 1, (right, len(sample))


def test_compile_lists_the_quotation_beside_the_paragraph_of_the_run_on_speech(measured: dict[str, Any]) -> None:
    if measured["variant"] != "runon":
        pytest.skip("checked once, on the CSV export")
    checked = right = 0
    for e, _q in _sample([(e, q) for e, q in measured["pairs"] if e["source_url"]], 8):
        quoted = re.split(r"\n|…+", e["text"])[0]
        source = e["source_text"] or ""
        topic = next((quoted[k:k + 8] for k in range(len(quoted) // 3, len(quoted) - 8)
                      if quoted[k:k + 8] in source and not re.search(r"[，。、；：！？“”]", quoted[k:k + 8])), None)
        if topic is None:
            continue
        r = run_cli("compile", topic, "--json", db=measured["db"])
        assert r.returncode == 0, r.stderr
        entries = [s for year in json.loads(r.stdout)["years"].values() for s in year]
        flat = entries + [v for s in entries for v in s["versions"]]
        checked += 1
        # the speech's own paragraph is a statement (its source span: the inferred paragraph)
        from_speech = [s for s in flat if measured["url_of"].get(s["doc_id"]) == e["source_url"]]
        # and the compilation's quotation is there with the status trace gives it
        from_compilation = [s for s in flat if measured["url_of"].get(s["doc_id"]) is None
                            and s["status"] == e["status"]]
        right += bool(from_speech and all(len(s["text"]) <= SPAN_MAX for s in from_speech) and from_compilation)
    assert checked >= 6
    assert right >= checked - 1, (right, checked)

