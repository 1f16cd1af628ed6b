"""search(): the counting paths (one grouped statement, or a count per year) give the same
counts, pages and scores.

The paths for huge sets (counted year by year, ranked block by block) are forced with tiny
windows; test_search.py checks both against a brute-force scan. Here every page, count and score
of a set counted in one statement must equal what counting year by year gives — undated
paragraphs, identical paragraphs (equal scores), filters included.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lunshu import Corpus, search
from lunshu.models import Document

WORDS = ["网络", "空间", "发展", "治理", "人民", "安全", "合作", "共同体", "数字", "经济", "的", "是", "和"]


def _docs(seed: int) -> list[Document]:
    rng = random.Random(seed)
    docs = []
    for i in range(40):
        paras = ["".join(rng.choice(WORDS) for _ in range(rng.randint(2, 12))) + "。" for _ in range(rng.randint(1, 6))]
        if i % 5 == 0:
            paras.append("网络空间的发展。")  # the same paragraph in many documents: equal scores
        date = None if i % 7 == 0 else f"{rng.randint(1990, 2024)}-{rng.randint(1, 12):02d}-01"
        docs.append(Document(id=f"d{i}", title=f"第{i}篇", date=date, speakers=["甲" if i % 2 else "乙"],
                             genre="speech" if i % 3 else "report", paragraphs=paras))
    return docs


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Corpus]:
    c = Corpus(tmp_path_factory.mktemp("one-pass") / "o.db")
    with c.store.transaction() as conn:
        for d in _docs(3):
            d.content_hash = json.dumps(d.paragraphs, ensure_ascii=False)
            c.store.put(conn, d)
    yield c
    c.close()


def _as_tuple(r: Any) -> Any:
    return r.total, r.by_year, [(h.doc_id, h.paragraph, h.score, h.snippet, h.matches) for h in r.hits]


@pytest.mark.parametrize("q", ["网络空间", "发展 治理", "网络 OR 经济", "空间 -人民", "共同体", "网络空间的发展", "无此词语"])
@pytest.mark.parametrize("filters", [{}, {"date_from": "2000-03", "date_to": "2020"}, {"speaker": "甲"},
                                     {"genre": "report"}])
def test_grouped_counts_equal_counts_per_year(corpus: Corpus, q: str, filters: dict[str, str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    pages = [(20, 0), (7, 0), (7, 7), (5, 3), (0, 0), (100, 1000)]
    grouped = [_as_tuple(corpus.search(q, limit=n, offset=o, **filters)) for n, o in pages]
    monkeypatch.setattr(search, "COUNT_FACTOR", 0)  # every set is "large": counted year by year
    per_year = [_as_tuple(corpus.search(q, limit=n, offset=o, **filters)) for n, o in pages]
    assert grouped == per_year


def test_a_set_over_one_window_takes_the_general_path(corpus: Corpus, monkeypatch: pytest.MonkeyPatch) -> None:
    whole = _as_tuple(corpus.search("网络 OR 发展", limit=1000))
    monkeypatch.setattr(search, "RANK_WINDOW", 5)  # now the set is ranked in blocks of years, newest first
    blocks = corpus.search("网络 OR 发展", limit=1000)
    assert (blocks.total, blocks.by_year) == whole[:2]
    assert sorted(h.doc_id for h in blocks.hits) == sorted(x[0] for x in whole[2])
    dated = [h.date for h in blocks.hits if h.date]
    assert dated[0] >= dated[-1]  # the newest block comes first


def test_likely_huge_terms_are_counted_per_year_straight_away() -> None:
    from lunshu.query import parse

    assert search._likely_huge(parse("的")) and search._likely_huge(parse("网络"))
    assert not search._likely_huge(parse("网络空间")) and not search._likely_huge(parse("的 是"))
    assert not search._likely_huge(parse("的 -是"))


@pytest.mark.parametrize("window", [0, 1, 3, 1000])
def test_lone_short_terms_count_the_same_on_either_side_of_the_probe(corpus: Corpus, window: int,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    want = {q: _as_tuple(corpus.search(q, limit=5)) for q in ("的", "网络", "空间", "无此")}
    monkeypatch.setattr(search, "RANK_WINDOW", window)
    monkeypatch.setattr(search, "COUNT_FACTOR", 1)
    for q, w in want.items():
        got = _as_tuple(corpus.search(q, limit=5))
        assert got[:2] == w[:2], q


def test_an_empty_database(tmp_path: Path) -> None:
    c = Corpus(tmp_path / "e.db")
    try:
        r = c.search("网络空间")
        assert (r.total, r.hits, r.by_year) == (0, [], {})
    finally:
        c.close()
