"""Segmentation for analysis: formulations whole, content words clean, cache exact and fresh."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lunshu import segment
from lunshu.models import Document
from lunshu.store import Store


def put(store: Store, doc_id: str, paragraphs: list[str], date: str | None = "2020-01-01") -> None:
    h = hashlib.sha1(("\n".join(paragraphs) + str(date)).encode()).hexdigest()
    with store.transaction() as conn:
        store.put(conn, Document(id=doc_id, title=doc_id, date=date, paragraphs=paragraphs, content_hash=h))


def covered_whole(tokens: list[str], text: str, word: str) -> bool:
    """Is every occurrence of ``word`` inside one token?"""
    starts = []
    pos = 0
    for t in tokens:
        starts.append(pos)
        pos += len(t)
    at = text.find(word)
    while at >= 0:
        i = max(k for k, s in enumerate(starts) if s <= at)
        if starts[i] + len(tokens[i]) < at + len(word):
            return False
        at = text.find(word, at + len(word))
    return True


def test_every_formulation_of_the_lexicon_stays_whole_in_context() -> None:
    seg = segment.default_segmenter()
    assert len(seg.lexicon) >= 300
    broken = []
    for w in seg.lexicon:
        for tpl in ("，{}。", "我们要坚持{}的方向", "推动{}取得新进展"):
            text = tpl.format(w)
            if not covered_whole(seg.cut(text), text, w):
                broken.append(text)
    assert broken == []


def test_the_seed_formulations_that_the_plain_dictionary_cuts() -> None:
    text = "各国应该共同构建网络空间命运共同体，发展新质生产力，坚持全过程人民民主，“四项原则”、“五点主张”。"
    toks = segment.tokens(text)
    for w in ("网络空间命运共同体", "新质生产力", "全过程人民民主", "四项原则", "五点主张"):
        assert w in toks
    assert "，" not in toks and "“" not in toks  # punctuation is not a word


@pytest.mark.parametrize("token", ["16", "12", "２０２４", "13亿", "2015年", "6.7", "第二届", "十三",
                                   "二十", "第一", "一百多", "的", "网", "，", "——", "我们", "进行",
                                   "http", "c_11174", "news.xinhuanet.com", "  ", "ab"])
def test_not_content(token: str) -> None:
    assert not segment.is_content(token)


@pytest.mark.parametrize("token", ["网络空间", "互联网", "治理", "一带一路", "共同体", "乌镇", "APEC"])
def test_content(token: str) -> None:
    assert segment.is_content(token)


def test_lexicon_numbers_are_still_formulations() -> None:
    seg = segment.default_segmenter()
    assert "十三五" in seg.content("“十三五”时期")  # a number-like formulation the lexicon knows
    assert not segment.is_content("十三五")


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("网络空间命运共同体的一二十，。 \u3000a1２“”新质生产力")),
               max_size=60))
def test_tokens_tile_the_text(text: str) -> None:
    seg = segment.default_segmenter()
    toks = seg.cut(text)
    assert "".join(toks) == text
    assert all(segment.is_word(t) for t in segment.tokens(text))
    assert all(seg.is_content(t) for t in seg.content(text))


def test_user_lexicon_from_env_and_beside_the_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    word = "螺蛳粉经济学"
    text = f"研究{word}的人"
    assert word not in segment.default_segmenter().cut(text)
    lex = tmp_path / "mine.txt"
    lex.write_text(f"# my terms\n{word}\n", encoding="utf-8")
    monkeypatch.setenv("LUNSHU_LEXICON", str(lex))
    seg = segment.default_segmenter()
    assert word in seg.cut(text)
    assert "user file" in seg.name
    monkeypatch.delenv("LUNSHU_LEXICON")

    db = tmp_path / "db" / "c.db"
    db.parent.mkdir()
    store = Store(db)
    assert word not in segment.for_store(store).cut(text)
    (db.parent / segment.LEXICON_FILENAME).write_text(f"{word} 10 n\n", encoding="utf-8")  # jieba style too
    seg2 = segment.for_store(store)
    assert word in seg2.cut(text)
    assert seg2.fingerprint != segment.default_segmenter().fingerprint


def test_cache_tiles_text_and_follows_changes(tmp_path: Path) -> None:
    store = Store(tmp_path / "c.db")
    put(store, "a", ["共同构建网络空间命运共同体。", "第二段，新质生产力。"])
    put(store, "b", ["全过程人民民主"])
    seg = segment.for_store(store)
    assert segment.ensure_segmented(store, seg) == 2
    assert segment.ensure_segmented(store, seg) == 0  # cached
    paras = list(segment.cached_paragraphs(store, seg))
    assert [(p.doc_id, p.n) for p in paras] == [("a", 1), ("a", 2), ("b", 1)]
    for p in paras:
        assert "".join(p.tokens) == p.text
        assert p.tokens == seg.cut(p.text)
    # a changed document is cut again, the others are not
    put(store, "a", ["一带一路倡议。"])
    assert segment.ensure_segmented(store, seg) == 1
    paras = list(segment.cached_paragraphs(store, seg, ["a"]))
    assert [p.text for p in paras] == ["一带一路倡议。"]
    assert "一带一路" in paras[0].tokens
    # a deleted document leaves nothing behind
    store.delete("b")
    segment.ensure_segmented(store, seg)
    assert store.execute("SELECT count(*) FROM analysis_segments WHERE doc_id = 'b'").fetchone()[0] == 0


def test_cache_on_a_readonly_database_segments_on_the_fly(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    put(Store(db), "a", ["共同构建网络空间命运共同体。"])
    ro = Store(db, readonly=True)
    seg = segment.for_store(ro)
    (p,) = list(segment.cached_paragraphs(ro, seg))
    assert "网络空间命运共同体" in p.tokens


def test_a_stale_cut_is_never_used_on_a_readonly_database(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    store = Store(db)
    put(store, "a", ["网络主权很重要"])
    seg = segment.for_store(store)
    segment.ensure_segmented(store, seg)
    put(store, "a", ["新质生产力发展"])  # same length, other words; the cache is now stale
    (p,) = list(segment.cached_paragraphs(Store(db, readonly=True), seg))
    assert p.tokens == seg.cut("新质生产力发展")
