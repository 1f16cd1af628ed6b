"""Timelines: counts equal a brute-force count of the stored text, per period, with the first use."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from conftest import requires_shared, run_cli
from hypothesis import given, settings
from hypothesis import strategies as st

from lunshu.analysis import timeline as tl
from lunshu.errors import QueryError
from lunshu.models import Document
from lunshu.store import Store


def put(store: Store, doc_id: str, date: str | None, paragraphs: list[str], genre: str = "speech") -> None:
    h = hashlib.sha1(("\n".join(paragraphs) + str(date) + genre).encode()).hexdigest()
    with store.transaction() as conn:
        store.put(conn, Document(id=doc_id, title=f"t-{doc_id}", date=date, paragraphs=paragraphs,
                                 genre=genre, content_hash=h))


Periods = dict[str, tuple[int, int]]


def brute_force(store: Store, term: str, by: str = "year") -> tuple[Periods, tuple[int, int], Periods]:
    """{period: (count, docs)}, (undated count, docs) and, by month, {year: (count, docs)} of the
    documents dated only to the year, straight from every paragraph's text."""
    counts: Counter[str] = Counter()
    docs: dict[str, set[str]] = {}
    for doc_id, date in store.execute("SELECT id, date FROM documents"):
        c = sum(p.count(term) for p in store.paragraphs(doc_id))
        if not c:
            continue
        year = tl.period_of(date, "year")
        key = tl.period_of(date, by) or (f"y{year}" if year else "undated")
        counts[key] += c
        docs.setdefault(key, set()).add(doc_id)
    undated = (counts.pop("undated", 0), len(docs.pop("undated", set())))
    year_only = {k[1:]: (counts.pop(k), len(docs.pop(k))) for k in list(counts) if k.startswith("y")}
    return {p: (counts[p], len(docs[p])) for p in counts}, undated, year_only


def observed(result: Any, term: str) -> tuple[Periods, tuple[int, int], Periods]:
    d = result.to_dict()[term]
    periods = {p: (v["count"], v["docs"]) for p, v in d["periods"].items() if v["count"]}
    year_only = {y: (v["count"], v["docs"]) for y, v in d.get("year_only", {}).items()}
    return periods, (d["undated"]["count"], d["undated"]["docs"]), year_only


@pytest.fixture
def small(tmp_path: Path) -> Store:
    store = Store(tmp_path / "t.db")
    put(store, "a", "2015-12-16", ["共同构建网络空间命运共同体。", "网络空间命运共同体，网络空间。"])
    put(store, "b", "2015-11-19", ["网络空间是人类共同的活动空间。"])
    put(store, "c", "2016-11", ["携手共建网络空间命运共同体"], genre="compilation")
    put(store, "d", "1954", ["共同共同共同", "网"])
    put(store, "e", None, ["网络空间命运共同体"])
    return store


def test_counts_docs_per_million_first(small: Store) -> None:
    r = tl.timeline(small, ["网络空间命运共同体", "网络空间"])
    d = r.to_dict()
    t = d["网络空间命运共同体"]
    assert list(t["periods"]) == ["2015", "2016"]  # from the first use (of any term asked) to the last
    assert t["periods"]["2015"]["count"] == 2 and t["periods"]["2015"]["docs"] == 1
    chars_2015 = len("共同构建网络空间命运共同体。网络空间命运共同体，网络空间。"
                     "网络空间是人类共同的活动空间。")
    assert t["periods"]["2015"]["per_million"] == round(2 * 1_000_000 / chars_2015, 3)
    assert t["undated"] == {"count": 1, "docs": 1}
    assert t["total"] == {"count": 4, "docs": 3, "year_only": 0, "undated": 1}
    assert t["first"]["doc_id"] == "a" and t["first"]["paragraph"] == 1 and t["first"]["date"] == "2015-12-16"
    assert "网络空间命运共同体" in t["first"]["text"]
    # an earlier document with the shorter phrase comes first for that phrase
    assert d["网络空间"]["first"]["doc_id"] == "b"
    assert d["网络空间"]["periods"]["2015"]["count"] == 4


def test_exact_substring_semantics(small: Store) -> None:
    r = tl.timeline(small, ["共同共同", "网", "共同"]).to_dict()
    assert r["共同共同"]["periods"]["1954"]["count"] == 1  # non-overlapping, like str.count
    assert r["网"]["total"]["count"] == sum(p.count("网") for d in "abcde" for p in small.paragraphs(d))
    assert r["共同"]["periods"]["1954"]["count"] == 3


def test_by_month_and_imprecise_dates(small: Store) -> None:
    r = tl.timeline(small, ["网络空间命运共同体"], by="month").to_dict()["网络空间命运共同体"]
    assert next(iter(r["periods"])) == "2015-12" and list(r["periods"])[-1] == "2016-11"
    assert len(r["periods"]) == 12 and r["periods"]["2016-01"]["count"] == 0  # the months between, as zeros
    assert r["periods"]["2015-12"]["count"] == 2
    assert r["undated"]["count"] == 1  # no date at all says nothing
    y = tl.timeline(small, ["共同"], by="month").to_dict()["共同"]
    assert y["year_only"] == {"1954": {"count": 3, "docs": 1}}  # "1954" says no month: counted, not dropped
    assert y["total"]["year_only"] == 3


def test_filters(small: Store) -> None:
    r = tl.timeline(small, ["网络空间命运共同体"], genre="compilation").to_dict()["网络空间命运共同体"]
    assert r["total"] == {"count": 1, "docs": 1, "year_only": 0, "undated": 0} and list(r["periods"]) == ["2016"]
    r = tl.timeline(small, ["网络空间命运共同体"], date_from="2016-01-01").to_dict()["网络空间命运共同体"]
    assert r["total"]["count"] == 1 and r["first"]["doc_id"] == "c"


def test_absent_term_and_bad_input(small: Store) -> None:
    r = tl.timeline(small, ["新质生产力"]).to_dict()["新质生产力"]
    assert r["first"] is None and r["total"] == {"count": 0, "docs": 0, "year_only": 0, "undated": 0}
    assert r["periods"] == {}
    with pytest.raises(QueryError):
        tl.timeline(small, [""])
    with pytest.raises(QueryError):
        tl.timeline(small, ["网"], by="week")
    with pytest.raises(QueryError):
        tl.timeline(small, ["网"], colour="red")


@settings(max_examples=60, deadline=None)
@given(
    docs=st.lists(st.tuples(st.sampled_from([None, "2015", "2015-12-16", "2016-01-02", "2016-01-30"]),
                            st.lists(st.text(alphabet="网络空间共同体，。 a", max_size=25),
                                     min_size=1, max_size=3)),
                  min_size=1, max_size=5),
    term=st.text(alphabet="网络空间共同体，a", min_size=1, max_size=3),
    by=st.sampled_from(["year", "month"]),
)
def test_counts_equal_brute_force(docs: list[tuple[str | None, list[str]]], term: str, by: str) -> None:
    store = Store(":memory:")
    for i, (date, paras) in enumerate(docs):
        put(store, f"d{i}", date, paras)
    r = tl.timeline(store, [term], by=by)
    assert observed(r, term) == brute_force(store, term, by)
    first = r.to_dict()[term]["first"]
    if first is not None:
        text = store.paragraphs(first["doc_id"])[first["paragraph"] - 1]
        assert term in text
        dated = [d for d, ps in docs if d and any(term in p for p in ps)]
        if dated:
            assert first["date"] == min(dated)


@requires_shared
def test_corpora_counts_equal_brute_force(corpora_corpus: Any) -> None:
    store = corpora_corpus.store
    terms = ["人类命运共同体", "新质生产力", "一带一路", "改革开放", "的", "社会主义"]
    r = corpora_corpus.timeline(terms)
    for term in terms:
        assert observed(r, term) == brute_force(store, term), term
    d = r.to_dict()
    assert d["新质生产力"]["first"]["date"] >= "2023"
    assert min(p for p, v in d["改革开放"]["periods"].items() if v["count"]) >= "1978"


@requires_shared
def test_seed_first_use(seed_corpus: Any, seed_ids: dict[str, str]) -> None:
    r = seed_corpus.timeline(["网络空间命运共同体", "四项原则"]).to_dict()
    first = r["网络空间命运共同体"]["first"]
    assert first["date"] == "2015-12-16" and first["doc_id"] in (seed_ids["000"], seed_ids["001"])
    assert r["四项原则"]["first"]["doc_id"] == seed_ids["003"]


def test_svg(small: Store) -> None:
    svg = tl.to_svg(tl.timeline(small, ["网络空间命运共同体", "网络空间"]))
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert "网络空间命运共同体" in svg  # the legend is text, not glyph paths
    assert "Noto Sans CJK SC" in svg and "sans-serif" in svg
    assert "per million" in svg
    assert svg == tl.to_svg(tl.timeline(small, ["网络空间命运共同体", "网络空间"]))  # deterministic


def test_cli_timeline_json_csv_svg(small: Store, tmp_path: Path) -> None:
    small.close()
    out = tmp_path / "t.svg"
    r = run_cli("timeline", "网络空间命运共同体", "网络空间", "--svg", str(out), "--json", db=small.path)
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert set(data) == {"网络空间命运共同体", "网络空间"}
    assert data["网络空间命运共同体"]["periods"]["2015"]["count"] == 2
    assert {"doc_id", "date", "paragraph"} <= set(data["网络空间命运共同体"]["first"])
    assert "<svg" in out.read_text(encoding="utf-8")
    r = run_cli("timeline", "网络空间", "--by", "month", "--csv", db=small.path)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "term,period,count,docs,per_million"
    assert any(re.match(r"网络空间,2015-12,3,1,", line) for line in lines)
