"""Index format 3: a 2-character term is one ``bi`` token (one doclist), exact as a scan.

Also: a database of format 2 (no ``bi`` column) is still searched, 2-character terms as ``uni``
phrases; writing into it asks for ``check --repair``, which rebuilds it in the current format.
Fictional sample texts, searched through ``Corpus.search`` and compared with a scan.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lunshu import Corpus, index
from lunshu.errors import StoreError
from lunshu.models import Document
from lunshu.query import quote

TEXTS = [
    "甲乙丙，乙丙丁。",
    "甲乙 丙丁 ab，Ab。",
    "“两个确立”是示例用语；二〇二二年，样本会议举行。",
    "样本 speaker said: 5G, 6.5% — 完。",
    "丙丁甲乙乙甲",
    "乙",
    "國家，国家；ＡＢ",
]


def _put(c: Corpus, texts: list[str], prefix: str = "b") -> None:
    with c.store.transaction() as conn:
        for i, t in enumerate(texts):
            c.store.put(conn, Document(id=f"{prefix}{i}", title=f"样本{i}", date=f"{2000 + i}-01-01",
                                       paragraphs=[t], content_hash=t))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Corpus]:
    c = Corpus(tmp_path_factory.mktemp("bi") / "bi.db")
    _put(c, TEXTS)
    yield c
    c.close()


def found(c: Corpus, q: str) -> tuple[int, set[str]]:
    r = c.search(quote(q), limit=100)
    return r.total, {h.doc_id for h in r.hits}


def scan(c: Corpus, q: str, prefix: str = "b") -> tuple[int, set[str]]:
    fold = index.folder(c.store.conn).fold
    hits = {f"{prefix}{i}" for i, t in enumerate(TEXTS) if fold(q) in fold(t)}
    return len(hits), hits


def test_a_two_character_term_is_one_bigram_token() -> None:
    fold = index.default_folder().fold
    assert index.phrase_expr(fold("甲乙")) == 'bi : "甲乙"'
    assert index.phrase_expr(fold("甲乙"), bigrams=False) == 'uni : "甲 乙"'
    assert index.phrase_expr(fold("甲，")).startswith("uni : ")  # punctuation: the exact character phrase
    assert index.bi_tokens(index.encode("甲乙，丙")).split(" ") == ["甲乙", index.GAP, index.GAP]


def test_every_pair_of_the_texts_equals_the_scan(corpus: Corpus) -> None:
    pairs = {t[i:i + 2] for t in TEXTS for i in range(len(t) - 1)} | {"乙甲", "国家", "國家", "ab", "AB", "丁甲"}
    for q in sorted(pairs):
        if q.strip():
            assert found(corpus, q) == scan(corpus, q), q


def test_property_pairs_and_their_neighbours_equal_the_scan(corpus: Corpus) -> None:
    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.text(st.sampled_from("甲乙丙丁，。 ab国家國ＡＢ"), min_size=1, max_size=3))
    def check(q: str) -> None:
        if q.strip():
            assert found(corpus, q) == scan(corpus, q), q

    check()


def test_a_format_2_database_is_searched_and_refused_for_writing(tmp_path: Path) -> None:
    c = Corpus(tmp_path / "old.db")
    try:
        with c.store.transaction() as conn:  # the index as format 2 wrote it: no bi column
            conn.execute(f"DROP TABLE {index.TABLE}")
            conn.execute(f"CREATE VIRTUAL TABLE {index.TABLE} USING fts5(tri, uni, content='', tokenize='ascii', "
                         "detail=full)")
        _put(c, [])
        f = index.default_folder()
        with c.store.transaction() as conn:
            index.folder(conn, create=True)
            conn.execute("UPDATE lunshu_meta SET value = '2' WHERE key = 'search_index_version'")
            for i, t in enumerate(TEXTS):
                conn.execute("INSERT INTO documents (id, title, date) VALUES (?, ?, ?)", (f"o{i}", "样本", f"{2000 + i}"))
                pid = conn.execute("INSERT INTO paragraphs (doc_id, n, text) VALUES (?, 1, ?)", (f"o{i}", t)).lastrowid
                tri, uni, _ = index.tokens(f, t)
                conn.execute(f"INSERT INTO {index.TABLE} (rowid, tri, uni) VALUES (?, ?, ?)",
                             (index.key(2000 + i, int(pid or 0)), tri, uni))
                conn.execute(f"INSERT INTO {index.KEYS} (pid, doc, date) VALUES (?, ?, ?)",
                             (pid, 0, (2000 + i) * 10000))
        assert not index.has_bigrams(c.store.conn)
        for q in ("乙丙", "甲乙丙", "乙", "ab", "丙丁"):
            assert found(c, q) == scan(c, q, "o"), q
        assert any("format 2" in p for p in c.check()["problems"])
        with pytest.raises(StoreError, match="check --repair"), c.store.transaction() as conn:
            c.store.put(conn, Document(id="n1", title="样本", date="2002", paragraphs=["戊己庚"], content_hash="2"))
        c.check(repair=True)
        assert index.has_bigrams(c.store.conn)
        cols = [r[1] for r in c.store.execute(f"PRAGMA table_info({index.TABLE})")]
        assert cols == ["tri", "uni", "bi"]
        for q in ("乙丙", "甲乙丙", "乙", "ab", "丙丁"):
            assert found(c, q) == scan(c, q, "o"), q
    finally:
        c.close()


def test_an_empty_index_of_format_2_is_made_anew(tmp_path: Path) -> None:
    c = Corpus(tmp_path / "empty.db")
    with c.store.transaction() as conn:
        conn.execute(f"DROP TABLE {index.TABLE}")
        conn.execute(f"CREATE VIRTUAL TABLE {index.TABLE} USING fts5(tri, uni, content='', tokenize='ascii')")
    c.close()
    c = Corpus(tmp_path / "empty.db")
    try:
        _put(c, TEXTS)
        assert found(c, "乙丙") == scan(c, "乙丙")
    finally:
        c.close()
