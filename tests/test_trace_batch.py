"""How trace spends its time (lunshu.trace): the shortcuts must not change what it returns.

- candidate documents are aligned in rank order, a few at a time, and trace stops once no
  document left could enter the first ``limit`` sources: the result must be the first ``limit``
  of aligning every candidate;
- pieces are looked up as NEAR groups of non-overlapping trigrams: the same rows as the phrase;
- a quotation whose every piece is common is still found (the paragraphs with all its pieces).

Real SQLite databases written through ``Store.put`` and the real index; the text is made up.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import pytest

from lunshu import index
from lunshu import trace as T
from lunshu.models import GENRES, Document
from lunshu.store import Store

QUOTE = "我们要坚持开放合作的方向，推动构建更加公正合理的全球治理体系，让发展成果更多更公平惠及各国人民。"
FILLER = [
    "今年以来各地区各部门认真贯彻落实决策部署。",
    "经济运行总体平稳，结构调整稳步推进。",
    "科技创新能力持续增强，一批重大成果相继问世。",
    "城乡居民收入稳步增长，社会保障水平不断提高。",
    "生态环境质量总体改善，污染防治攻坚战取得阶段性成效。",
    "对外开放水平进一步提高，进出口贸易保持增长。",
]


def _variant(rng: random.Random) -> str:
    """The quotation as a document may carry it: whole, a character changed, a clause dropped, half."""
    kind = rng.choice(["whole", "whole", "changed", "dropped", "half", "absent"])
    if kind == "changed":
        return QUOTE.replace("公正合理", "公平合理")
    if kind == "dropped":
        return QUOTE.replace("推动构建更加公正合理的全球治理体系，", "")
    if kind == "half":
        return QUOTE.split("，")[0] + "。"
    return QUOTE if kind == "whole" else rng.choice(FILLER)


def _doc(doc_id: str, paragraphs: list[str], genre: str, date: str | None) -> Document:
    return Document(id=doc_id, title=doc_id, date=date, genre=genre, paragraphs=paragraphs,
                    content_hash=doc_id, origin="test")


@pytest.fixture(scope="module")
def many_sources(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """40 documents, most carrying the quotation (or a variant of it), genres and dates drawn so
    that several share a rank (same genre and date)."""
    rng = random.Random(4)
    store = Store(tmp_path_factory.mktemp("trace_batch") / "many.db")
    dates = ["2015-12-16", "2016-01-05", "2016-01-05", "2018-11-07", None, "2019", "2020-03"]
    with store.transaction() as conn:
        for k in range(40):
            paras = [" ".join(rng.sample(FILLER, 2)) for _ in range(5)]
            paras.insert(rng.randrange(6), rng.choice(FILLER) + _variant(rng))
            store.put(conn, _doc(f"d{k:02d}", paras, rng.choice(GENRES), rng.choice(dates)))
    yield store
    store.close()


def _key(s: Any) -> tuple[Any, ...]:
    return (s.doc_id, s.paragraph, s.paragraph_end, s.score, s.span, s.identical, str(s.diff))


@pytest.mark.parametrize("quote", [
    QUOTE,
    "我们要坚持开放合作的方向……让发展成果更多更公平惠及各国人民。",
    QUOTE.replace("惠及", "惠泽"),
    QUOTE.split("，")[0] + "。",
])
def test_the_first_sources_are_those_of_aligning_every_candidate(many_sources: Store, quote: str) -> None:
    everything = T.find_sources(many_sources, quote, limit=1000)
    assert len(everything) > 12  # many documents qualify: trace can stop early
    for limit in (1, 2, 3, 5, 8, 12):
        got = T.find_sources(many_sources, quote, limit=limit)
        assert [_key(s) for s in got] == [_key(s) for s in everything[:limit]]
        for date in ("2015-12-16", "2016-01-05", None):
            assert T.status_of(list(got), date) == T.status_of(everything[:limit], date)


def test_lookup_expressions_find_the_rows_of_the_phrase(many_sources: Store) -> None:
    conn = many_sources.conn
    fold = index.folder(conn).fold
    sql = f"SELECT rowid FROM {index.TABLE} WHERE {index.TABLE} MATCH ?"
    pieces = {QUOTE[a:a + n] for n in range(3, 15) for a in range(0, len(QUOTE) - n, 5)}
    pieces |= {t[a:a + n] for t in FILLER for n in (5, 8, 11) for a in range(0, len(t) - n, 4)}
    for p in sorted(pieces):
        phrase = {r[0] for r in conn.execute(sql, (index.phrase_expr(fold(p)),))}
        near = {r[0] for r in conn.execute(sql, (T._lookup_expr(fold(p)),))}
        if T._PIECE_SPLIT.search(p):  # never a piece of trace's (split at punctuation): only a superset
            assert phrase <= near, p
        else:
            assert phrase == near, p


A = "坚持以人民为中心的发展思想"
B = "推动高质量发展取得新成效"


@pytest.fixture(scope="module")
def common_pieces(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """Two clauses each in more paragraphs than a piece may point to; together in two documents."""
    store = Store(tmp_path_factory.mktemp("trace_common") / "common.db")
    per_doc = 50
    n = (T.PIECE_LIMIT + per_doc) // per_doc
    with store.transaction() as conn:
        for k in range(n):
            # each document its own text (one text is stored once: lunshu.identity)
            store.put(conn, _doc(f"a{k}", [f"{A}，{FILLER[i % 6]}" for i in range(per_doc)] + [f"第{k}份。"],
                                 "report", "2010-01-01"))
            store.put(conn, _doc(f"b{k}", [f"{FILLER[i % 6]}{B}。" for i in range(per_doc)] + [f"第{k}份。"],
                                 "report", "2011-01-01"))
        store.put(conn, _doc("src", [FILLER[0], f"{A}，{B}。", FILLER[1]], "speech", "2021-03-05"))
        store.put(conn, _doc("copy", [f"{A}，{B}。"], "compilation", "2022-01-01"))
    yield store
    store.close()


def test_a_quotation_of_common_pieces_is_found(common_pieces: Store) -> None:
    conn = common_pieces.conn
    fold = index.folder(conn).fold
    for piece in T._pieces(f"{A}，{B}。"):  # every piece is too common to point anywhere by itself
        rows = conn.execute(f"SELECT count(*) FROM {index.TABLE} WHERE {index.TABLE} MATCH ?",
                            (index.phrase_expr(fold(piece)),)).fetchone()[0]
        assert rows >= T.PIECE_LIMIT, piece
    t = T.trace(common_pieces, f"{A}，{B}。", date="2021-03-05")
    assert t.status == "verified", t.reason
    assert [s.doc_id for s in t.sources] == ["src", "copy"]
    assert t.sources[0].paragraph == 2


def test_invented_text_is_still_not_found(common_pieces: Store, many_sources: Store) -> None:
    for store in (common_pieces, many_sources):
        assert T.trace(store, "这句话在哪一份文件里都没有出现过，纯属虚构。").status == "not_found"


def test_source_text_stays_within_its_region(many_sources: Store) -> None:
    """The span of every source points at the quotation's words in the source's own text."""
    for s in T.find_sources(many_sources, QUOTE, limit=1000):
        a, b = s.span
        assert 0 <= a < b <= len(s.text)
        assert "".join(d["source"] for d in s.diff) == s.text[a:b]



# -- a verbatim source among many partial ones -------------------------------------------------------
PARTIAL_QUOTE = "我们要坚持开放合作的方向，推动构建更加公正合理的全球治理体系，让发展成果更多更公平惠及各国人民。"
CLAUSES = PARTIAL_QUOTE.rstrip("。").split("，")


@pytest.fixture(scope="module")
def partial_sources(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """Ten speeches, 2010–2019, each carrying two of the quotation's three clauses (with words of its
    own instead of the third), and the one speech that says it all, in 2021."""
    store = Store(tmp_path_factory.mktemp("trace_partial") / "partial.db")
    with store.transaction() as conn:
        for k in range(10):
            kept = [c for i, c in enumerate(CLAUSES) if i != k % 3]
            text = "，".join(kept) + "，" + FILLER[k % len(FILLER)]
            store.put(conn, _doc(f"p{k:02d}", [FILLER[(k + 1) % len(FILLER)], text], "speech", f"{2010 + k}-05-01"))
        store.put(conn, _doc("verbatim", [FILLER[0], FILLER[2] + PARTIAL_QUOTE, FILLER[3]], "speech", "2021-09-01"))
    yield store
    store.close()


@pytest.mark.parametrize("limit", [1, 3, 10])
def test_a_verbatim_source_is_first_among_ten_partial_ones(partial_sources: Store, limit: int) -> None:
    everything = T.find_sources(partial_sources, PARTIAL_QUOTE, limit=1000)
    assert len(everything) == 11  # the ten partial sources are sources too (2/3 of the quotation)
    got = T.find_sources(partial_sources, PARTIAL_QUOTE, limit=limit)
    assert got[0].doc_id == "verbatim" and got[0].identical
    assert [_key(s) for s in got] == [_key(s) for s in everything[:limit]]
    tr = T.trace(partial_sources, PARTIAL_QUOTE, limit=limit)
    assert tr.status == "verified" and tr.sources[0].doc_id == "verbatim"
    # the partial sources follow, earliest first
    assert [s.doc_id for s in everything[1:]] == [f"p{k:02d}" for k in range(10)]


def test_an_edited_quotation_keeps_its_source_first(partial_sources: Store) -> None:
    edited = PARTIAL_QUOTE.replace("公正合理", "公平合理")
    got = T.find_sources(partial_sources, edited, limit=10)
    assert got[0].doc_id == "verbatim" and not got[0].identical
    assert T.trace(partial_sources, edited, limit=10).status == "variant"
