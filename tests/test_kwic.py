"""KWIC: one line per occurrence, context from the stored paragraph, sorted by context or date."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lunshu import Corpus, index
from lunshu.errors import QueryError
from lunshu.models import Document

DOCS = [
    Document(id="k1", title="甲", date="2015-12-16", speakers=["习近平"], genre="speech", source="新华社",
             paragraphs=["网络空间是人类共同的活动空间，网络空间前途命运应由世界各国共同掌握。",
                         "发展网络经济。"]),
    Document(id="k2", title="乙", date="2014", speakers=["李克强"], genre="report", source="人民日报",
             paragraphs=["建设网络强国，维护网络安全。", "没有这个词的段落。"]),
    Document(id="k3", title="丙", date="2019-05", speakers=["某某"], genre="article",
             paragraphs=["網絡空間治理需要各方參與。", "网络"]),
    Document(id="k4", title="丁", date=None, paragraphs=["哈哈哈哈，网络。"]),
]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Corpus]:
    c = Corpus(tmp_path_factory.mktemp("kwic") / "k.db")
    with c.store.transaction() as conn:
        for d in DOCS:
            d.content_hash = d.id
            c.store.put(conn, d)
    yield c
    c.close()


def occurrences(c: Corpus, term: str, width: int) -> list[tuple[str, int, int, str, str, str]]:
    """Reference: every occurrence (non-overlapping, left to right) in every stored paragraph."""
    fold = index.folder(c.store.conn).fold
    t = fold(term)
    out = []
    for doc_id, n, text in c.store.execute("SELECT doc_id, n, text FROM paragraphs"):
        ft = fold(text)
        i = ft.find(t)
        while i >= 0:
            e = i + len(t)
            out.append((doc_id, n, i, text[max(0, i - width):i], text[i:e], text[e:e + width]))
            i = ft.find(t, e)
    return out


def as_tuples(lines: list[Any]) -> list[tuple[str, int, int, str, str, str]]:
    return [(x.doc_id, x.paragraph, x.offset, x.left, x.match, x.right) for x in lines]


@pytest.mark.parametrize("term", ["网络", "网", "网络空间", "共同", "哈哈", "。"])
@pytest.mark.parametrize("width", [0, 3, 20])
def test_one_line_per_occurrence(corpus: Corpus, term: str, width: int) -> None:
    lines = corpus.kwic(term, width=width)
    assert sorted(as_tuples(lines)) == sorted(occurrences(corpus, term, width))
    for x in lines:
        assert len(x.left) <= width and len(x.right) <= width


def test_lines_come_from_the_stored_text(corpus: Corpus) -> None:
    lines = corpus.kwic("网络空间", width=4)
    trad = [x for x in lines if x.doc_id == "k3"]
    assert [(x.left, x.match, x.right) for x in trad] == [("", "網絡空間", "治理需要")]
    assert len([x for x in lines if x.doc_id == "k1"]) == 2  # twice in one paragraph: two lines
    assert corpus.kwic("哈哈", width=2)[0].match == "哈哈" and len(corpus.kwic("哈哈")) == 2


def test_date_order_is_chronological_with_undated_last(corpus: Corpus) -> None:
    lines = corpus.kwic("网络", sort="date")
    docs = [x.doc_id for x in lines]
    assert docs == ["k2", "k2", "k1", "k1", "k1", "k3", "k3", "k4"]
    assert [x.offset for x in lines if x.doc_id == "k1"][:2] == sorted(x.offset for x in lines if x.doc_id == "k1"
                                                                         and x.paragraph == 1)


@pytest.mark.parametrize("spec", ["1L", "2L", "1R", "2R", "1r", "3L"])
def test_context_sorts(corpus: Corpus, spec: str) -> None:
    width = 5
    lines = corpus.kwic("网络", width=width, sort=spec)
    fold = index.folder(corpus.store.conn).fold
    pos = int(spec[0]) - 1
    keys = []
    for x in lines:
        ctx = fold(x.left)[::-1] if spec[1] in "lL" else fold(x.right)
        keys.append((ctx[pos:], ctx[:pos]))
    assert keys == sorted(keys)
    assert len(lines) == len(occurrences(corpus, "网络", width))


def test_limit(corpus: Corpus) -> None:
    every = corpus.kwic("网络", sort="1R")
    assert as_tuples(corpus.kwic("网络", sort="1R", limit=3)) == as_tuples(every[:3])
    assert as_tuples(corpus.kwic("网络", limit=2)) == as_tuples(corpus.kwic("网络")[:2])
    assert corpus.kwic("网络", limit=0) == []


def test_filters(corpus: Corpus) -> None:
    assert {x.doc_id for x in corpus.kwic("网络", date_from="2015", date_to="2015")} == {"k1"}
    assert {x.doc_id for x in corpus.kwic("网络", speaker="李克强")} == {"k2"}
    assert {x.doc_id for x in corpus.kwic("网络", genre="article")} == {"k3"}
    assert {x.doc_id for x in corpus.kwic("网络", source="新华")} == {"k1"}


@pytest.mark.parametrize("kw", [{"sort": "middle"}, {"sort": "0L"}, {"width": -1}, {"limit": -2}])
def test_bad_options(corpus: Corpus, kw: dict[str, Any]) -> None:
    with pytest.raises(QueryError):
        corpus.kwic("网络", **kw)


@pytest.mark.parametrize("term", ["", "  ", '""'])
def test_empty_term(corpus: Corpus, term: str) -> None:
    with pytest.raises(QueryError):
        corpus.kwic(term)


def test_odd_terms_are_literal(corpus: Corpus) -> None:
    assert corpus.kwic("NEAR(") == [] and corpus.kwic('a"b') == [] and corpus.kwic("*") == []
    assert len(corpus.kwic('"网络"')) == len(corpus.kwic("网络"))  # surrounding quotes are stripped


def test_cli_json_and_csv_in_the_order_shown(cli: Any, corpus: Corpus) -> None:
    db = corpus.path
    r = cli("kwic", "网络", "--width", "4", "--sort", "1R", "--json", db=db)
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert [(d["doc_id"], d["paragraph"], d["left"], d["match"], d["right"]) for d in data] == \
        [(x.doc_id, x.paragraph, x.left, x.match, x.right) for x in corpus.kwic("网络", width=4, sort="1R")]
    r = cli("kwic", "网络", "--width", "4", "--sort", "1R", "--csv", db=db)
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert [(x["doc_id"], x["left"], x["match"], x["right"]) for x in rows] == \
        [(d["doc_id"], d["left"], d["match"], d["right"]) for d in data]
    r = cli("kwic", "网络", db=db)
    assert r.returncode == 0 and "网络" in r.stdout


def test_cli_bad_sort_is_one_line(cli: Any, corpus: Corpus) -> None:
    r = cli("kwic", "网络", "--sort", "sideways", db=corpus.path)
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "Traceback" not in r.stderr


def test_many_occurrences_sorted_with_a_limit_stays_small(tmp_path: Path) -> None:
    c = Corpus(tmp_path / "big.db")
    doc = Document(id="big", title="t", date="2020", paragraphs=["的地得" * 200 + "。"] * 30, content_hash="h")
    with c.store.transaction() as conn:
        c.store.put(conn, doc)
    lines = c.kwic("的", sort="2R", limit=5, width=3)
    assert len(lines) == 5 and all(x.right[1:2] == "得" for x in lines)
    assert len(c.kwic("的")) == 6000
    c.close()
