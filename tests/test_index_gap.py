"""Windows holding punctuation are one shared token (``index.GAP``): positions and results unchanged.

The danger of writing fewer distinct tokens is a phrase matching across the place where the real
windows were; positions must stay those of the text, and phrases with punctuation must still be
exact. Fictional sample texts (甲乙丙丁 …), searched through ``Corpus.search`` and compared with
a scan.
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
    "甲乙丙，乙丙丁。",            # 甲乙丙丁 must not match across the comma
    "甲乙丙丁戊，己庚。",
    "“两个确立”是示例用语；二〇二二年，样本会议举行。",
    "样本 speaker said: 5G, 6.5% — 完。",
    "……——《样本文件》（第二版）！",
    "甲乙，丙丁，甲乙丙丁，乙丙。",
]


@pytest.fixture(scope="module")
def gapped(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Corpus]:
    c = Corpus(tmp_path_factory.mktemp("gap") / "gap.db")
    with c.store.transaction() as conn:
        for i, t in enumerate(TEXTS):
            c.store.put(conn, Document(id=f"g{i}", title=f"样本{i}", date=f"{2000 + i}-01-01",
                                       paragraphs=[t], content_hash=t))
    yield c
    c.close()


def found(c: Corpus, q: str) -> set[str]:
    return {h.doc_id for h in c.search(quote(q), limit=100).hits}


def scan(c: Corpus, q: str) -> set[str]:
    fold = index.folder(c.store.conn).fold
    return {f"g{i}" for i, t in enumerate(TEXTS) if fold(q) in fold(t)}


def test_tokens_keep_one_position_per_window() -> None:
    enc = index.encode("甲乙丙，乙丙丁")
    toks = index.tri_tokens(enc).split(" ")
    assert len(toks) == len(enc) - 2
    assert toks == ["甲乙丙", index.GAP, index.GAP, index.GAP, "乙丙丁"]
    assert index.tri_tokens(index.encode("甲乙丙丁")).split(" ") == ["甲乙丙", "乙丙丁"]


def test_no_phrase_across_a_gap(gapped: Corpus) -> None:
    assert found(gapped, "甲乙丙丁") == scan(gapped, "甲乙丙丁") == {"g1", "g5"}
    assert found(gapped, "乙丙丁") == {"g0", "g1", "g5"}


@pytest.mark.parametrize("q", ["丙，乙", "甲乙丙，乙丙丁", "，乙丙丁。", "“两个确立”", "二〇二二年，", "〇二二",
                               "6.5%", "5g,", "said: 5", "……——", "《样本文件》", "（第二版）！", "，", "。",
                               "甲乙，丙丁，", "丁，甲乙丙丁", "确立”是"])
def test_phrases_with_punctuation_are_exact(gapped: Corpus, q: str) -> None:
    assert found(gapped, q) == scan(gapped, q), q
    assert found(gapped, q), q


def test_lookup_expressions() -> None:
    fold = index.default_folder().fold
    assert index.phrase_expr(fold("甲乙丙丁")) == 'tri : "甲乙丙 乙丙丁"'
    expr = index.phrase_expr(fold("甲乙丙，丁戊己"))
    assert expr.startswith("(tri : ") and 'uni : "甲 乙 丙 ， 丁 戊 己"' in expr
    assert index.GAP not in expr
    assert "NEAR" in index.near_expr(fold("甲乙丙丁戊，己庚辛壬"))
    assert index.near_expr(fold("甲乙，丙丁，戊己")) == index.phrase_expr(fold("甲乙，丙丁，戊己"))


def test_property_any_piece_equals_the_scan(gapped: Corpus) -> None:
    @settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.data())
    def check(data: st.DataObject) -> None:
        text = data.draw(st.sampled_from(TEXTS))
        n = data.draw(st.integers(1, len(text)))
        i = data.draw(st.integers(0, len(text) - n))
        q = text[i:i + n]
        if not q.strip():
            return
        assert found(gapped, q) == scan(gapped, q), q
        near = {r[0] for r in gapped.store.execute(
            f"SELECT rowid FROM {index.TABLE} WHERE {index.TABLE} MATCH ?",
            (index.near_expr(index.folder(gapped.store.conn).fold(q)),))}
        exact = {r[0] for r in gapped.store.execute(
            f"SELECT rowid FROM {index.TABLE} WHERE {index.TABLE} MATCH ?",
            (index.phrase_expr(index.folder(gapped.store.conn).fold(q)),))}
        assert exact <= near

    check()


def test_an_index_of_format_1_is_refused_for_writing_and_repaired(tmp_path: Path) -> None:
    """A database indexed by an older lunshu: searches still work, writing asks for a repair."""
    c = Corpus(tmp_path / "old.db")
    try:
        with c.store.transaction() as conn:
            c.store.put(conn, Document(id="o1", title="样本", date="2001", paragraphs=["甲乙丙，乙丙丁。"], content_hash="1"))
            conn.execute("UPDATE lunshu_meta SET value = '1' WHERE key = 'search_index_version'")
        assert any("format 1" in p for p in c.check()["problems"])
        with pytest.raises(StoreError, match="check --repair"), c.store.transaction() as conn:
            c.store.put(conn, Document(id="o2", title="样本", date="2002", paragraphs=["戊己庚"], content_hash="2"))
        c.check(repair=True)
        assert not c.check()["problems"]
        assert found(c, "乙丙丁") == {"o1"} and not found(c, "甲乙丙丁")
    finally:
        c.close()


_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12) | st.sampled_from(TEXTS)


@settings(max_examples=300, deadline=None)
@given(st.lists(_TEXT, max_size=8))
def test_vectorised_tokens_equal_the_plain_ones(texts: list[str]) -> None:
    """The writer's numpy tokens are, token for token, those of the plain definition ``tokens``."""
    f = index.default_folder()
    many = index.tokens_many(f, texts)
    plain = [index.tokens(f, t) for t in texts]
    def toks(s: str) -> list[str]:  # what the ascii tokenizer sees: only " " separates (all else is encoded)
        return [x for x in s.split(" ") if x]

    assert [tuple(toks(c) for c in cols) for cols in many] == [tuple(toks(c) for c in cols) for cols in plain]
    assert all(len(toks(tri)) == max(0, len(t) - 2) and len(toks(uni)) == len(t) and len(toks(bi)) == max(0, len(t) - 1)
               for t, (tri, uni, bi) in zip(texts, many))
