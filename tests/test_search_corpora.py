"""Search on the real corpora (193 documents from ../shared): the index agrees with a scan.

Skipped when ../shared is absent (the same properties run on test data in test_search.py).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lunshu import index
from lunshu.query import quote

pytestmark = pytest.mark.shared


@pytest.fixture(scope="module")
def stored(corpora_corpus: Any) -> list[tuple[str, int, str, str]]:
    """(doc_id, n, text, folded text) of every stored paragraph."""
    fold = index.folder(corpora_corpus.store.conn).fold
    return [(str(d), int(n), str(t), fold(str(t)))
            for d, n, t in corpora_corpus.store.execute("SELECT doc_id, n, text FROM paragraphs")]


def scan(stored: list[tuple[str, int, str, str]], fold: Any, groups: list[list[str]],
         exclude: list[str]) -> set[tuple[str, int]]:
    g = [[fold(p) for p in grp] for grp in groups]
    x = [fold(p) for p in exclude]
    return {(d, n) for d, n, _, ft in stored
            if all(any(p in ft for p in grp) for grp in g) and not any(p in ft for p in x)}


def test_hits_equal_a_scan_of_the_stored_paragraphs(corpora_corpus: Any,
                                                     stored: list[tuple[str, int, str, str]]) -> None:
    fold = index.folder(corpora_corpus.store.conn).fold
    texts = [t for _, _, t, _ in stored if t]

    @st.composite
    def piece(draw: st.DrawFn) -> str:
        text = draw(st.sampled_from(texts))
        n = draw(st.integers(1, 12))
        i = draw(st.integers(0, max(0, len(text) - n)))
        return text[i:i + n]

    @settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(piece(), st.lists(st.tuples(st.sampled_from(["and", "not"]), piece()), max_size=2))
    def check(first: str, more: list[tuple[str, str]]) -> None:
        groups = [[first]] + [[p] for k, p in more if k == "and"]
        exclude = [p for k, p in more if k == "not"]
        q = " ".join(quote(g[0]) for g in groups) + "".join(f" -{quote(x)}" for x in exclude)
        r = corpora_corpus.search(q, limit=100_000)
        got = {(h.doc_id, h.paragraph) for h in r.hits}
        assert r.total == len(got) == len(r.hits)
        assert got == scan(stored, fold, groups, exclude), q

    check()


@pytest.mark.parametrize("term", ["的", "党", "发展", "改革开放", "中国特色社会主义", "國", "网络空间"])
def test_counts_per_year(corpora_corpus: Any, stored: list[tuple[str, int, str, str]], term: str) -> None:
    fold = index.folder(corpora_corpus.store.conn).fold
    years = {d.id: (d.date[:4] if d.date else "undated") for d in corpora_corpus.docs()}
    expected: dict[str, int] = {}
    for d, n in scan(stored, fold, [[term]], []):
        expected[years[d]] = expected.get(years[d], 0) + 1
    r = corpora_corpus.search(term, limit=3)
    assert r.total == sum(expected.values()) and r.by_year == {k: expected[k] for k in r.by_year}
    assert set(r.by_year) == set(expected)
    if r.total:
        assert len(r.hits) == min(3, r.total) and all("<mark>" in h.snippet for h in r.hits)


def test_traditional_text_in_the_reports_is_found_by_simplified_queries(
        corpora_corpus: Any, stored: list[tuple[str, int, str, str]]) -> None:
    # some work reports on Wikisource are stored in traditional characters
    trad = [(d, n) for d, n, t, _ in stored if "國" in t]
    assert trad, "the corpora hold traditional-character text"
    hits = {(h.doc_id, h.paragraph) for h in corpora_corpus.search("国", limit=100_000).hits}
    assert set(trad) <= hits


def test_kwic_on_the_corpora(corpora_corpus: Any, stored: list[tuple[str, int, str, str]]) -> None:
    fold = index.folder(corpora_corpus.store.conn).fold
    term = "改革开放"
    expected = sum(ft.count(fold(term)) for _, _, _, ft in stored)
    lines = corpora_corpus.kwic(term, width=10)
    assert len(lines) == expected > 0
    assert all(fold(x.match) == term for x in lines)
    dates = [index.date_number(x.date) for x in lines if x.date]
    assert dates == sorted(dates)


def test_cli_on_the_corpora(cli: Any, corpora_corpus: Any, stored: list[tuple[str, int, str, str]]) -> None:
    fold = index.folder(corpora_corpus.store.conn).fold
    r = cli("search", "民", "--json", "--limit", "5", "--sort", "date", db=corpora_corpus.path)
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["total"] == len(scan(stored, fold, [["民"]], []))
    dates = [h["date"] for h in data["hits"]]
    assert dates == sorted(dates, reverse=True)
    r = cli("search", "人民 -发展", "--by", "doc", "--json", "--to", "1990", db=corpora_corpus.path)
    assert r.returncode == 0, r.stderr
    assert all(h["date"] is None or h["date"][:4] <= "1990" for h in json.loads(r.stdout)["hits"])
