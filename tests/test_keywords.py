"""Keywords: formulations whole, no numbers/punctuation/stop words, a cache that follows the corpus."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from conftest import requires_shared, run_cli

from lunshu import segment
from lunshu.analysis import keywords as kw
from lunshu.errors import NotFoundError
from lunshu.models import Document
from lunshu.store import Store


def put(store: Store, doc_id: str, paragraphs: list[str], title: str | None = None) -> None:
    h = hashlib.sha1(("\n".join(paragraphs) + str(title)).encode()).hexdigest()
    with store.transaction() as conn:
        store.put(conn, Document(id=doc_id, title=title or doc_id, date="2020-01-01", paragraphs=paragraphs,
                                 content_hash=h))


def assert_clean(terms: list[str]) -> None:
    stop = segment.stopwords()
    for t in terms:
        assert len(t) >= 2, t
        assert not any(unicodedata.category(c) == "Nd" for c in t), t
        assert not any(unicodedata.category(c)[0] in "PZS" for c in t if c != "+"), t
        assert t not in stop, t


# -- the seed the publisher got wrong ---------------------------------------------------------
def test_seed_000_beats_the_publisher_keyword_line(seed_corpus: Any, seed_ids: dict[str, str]) -> None:
    doc = seed_corpus.get(seed_ids["000"])
    assert "16" in doc.publisher_keywords  # the junk we must not repeat
    top = [k.term for k in seed_corpus.keywords(seed_ids["000"], top=10)]
    assert len(top) == 10
    assert "网络空间命运共同体" in top  # would be missing if the formulation were cut
    assert not {"共同体", "命运", "16", "12", "网络"} & set(top)  # ...and its pieces would be here
    assert_clean(top)


def test_every_seed_has_clean_keywords_led_by_formulations(seed_corpus: Any,
                                                           seed_ids: dict[str, str]) -> None:
    lexicon = segment.default_segmenter().lexicon_set
    for num, doc_id in seed_ids.items():
        top = seed_corpus.keywords(doc_id, top=15)
        terms = [k.term for k in top]
        assert_clean(terms)
        assert any(t in lexicon for t in terms[:5]), (num, terms)
        assert [k.weight for k in top] == sorted((k.weight for k in top), reverse=True)
        assert all(set(k.to_dict()) == {"term", "weight"} for k in top)


@requires_shared
def test_corpora_keywords_are_clean(corpora_corpus: Any) -> None:
    docs = corpora_corpus.docs()
    assert len(docs) > 100
    for d in docs[::7]:  # a sample keeps the suite fast; the statistics cover every document anyway
        assert_clean([k.term for k in corpora_corpus.keywords(d.id, top=20)])
    # phrases were discovered, none of them swallowing a formulation
    store = corpora_corpus.store
    stats = kw.corpus_stats(store)
    lexicon = segment.for_store(store).lexicon_set
    assert len(stats.phrases) > 50
    assert all(not set(p) & lexicon for p in stats.phrases)


# -- a small corpus built here ----------------------------------------------------------------
@pytest.fixture
def small(tmp_path: Path) -> Store:
    store = Store(tmp_path / "small.db")
    put(store, "cyber", [
        "2015年12月16日，第二届世界互联网大会开幕。各国应该共同构建网络空间命运共同体。",
        "构建网络空间命运共同体，是国际社会的共同责任。13亿多中国人民！",
        "网络空间命运共同体，16，12，http://example.com/c_1117481089.htm",
    ], title="网络空间命运共同体")
    put(store, "econ", ["发展新质生产力，推动高质量发展。", "高质量发展是首要任务。"])
    put(store, "belt", ["共建一带一路，促进互联互通。"])
    return store


def test_small_corpus_keywords(small: Store) -> None:
    top = kw.keywords(small, "cyber", top=10)
    assert top[0].term == "网络空间命运共同体"
    assert top[0].kind == "formulation" and top[0].count == 3  # the title is not a paragraph
    assert_clean([k.term for k in top])
    econ = [k.term for k in kw.keywords(small, "econ", top=5)]
    assert econ[:2] == ["高质量发展", "新质生产力"]


def test_unknown_and_empty_documents(small: Store) -> None:
    with pytest.raises(NotFoundError):
        kw.keywords(small, "nope")
    put(small, "empty", ["，。！", "2024"])
    assert kw.keywords(small, "empty") == []


def test_document_frequencies_follow_the_corpus(small: Store) -> None:
    stats = kw.corpus_stats(small)
    assert stats.n_docs == 3
    assert stats.lookup(small, ["一带一路"])["一带一路"][0] == 1
    fp = small.execute("SELECT value FROM analysis_meta WHERE key = 'kw.fingerprint'").fetchone()[0]
    put(small, "belt2", ["一带一路建设。"])
    stats2 = kw.corpus_stats(small)
    assert stats2.n_docs == 4
    assert stats2.lookup(small, ["一带一路"])["一带一路"] == (2, 2)
    assert small.execute("SELECT value FROM analysis_meta WHERE key = 'kw.fingerprint'").fetchone()[0] != fp
    small.delete("belt2")
    assert kw.corpus_stats(small).lookup(small, ["一带一路"])["一带一路"][0] == 1


def test_readonly_database_gives_the_same_keywords(tmp_path: Path) -> None:
    db = tmp_path / "ro.db"
    store = Store(db)
    put(store, "a", ["构建网络空间命运共同体，推动网络空间互联互通。"])
    put(store, "b", ["发展新质生产力。"])
    store.close()
    ro = Store(db, readonly=True)
    first = [k.to_dict() for k in kw.keywords(ro, "a")]
    assert first[0]["term"] == "网络空间命运共同体"
    assert [k.to_dict() for k in kw.keywords(Store(db), "a")] == first


def test_phrase_discovery_finds_a_new_expression() -> None:
    before = ["推动", "关于", "建立", "完善", "支持", "研究", "发挥", "依托", "设立", "扩大"]
    after = ["作用", "建设", "规模", "机制", "试点", "管理", "发展", "改革", "合作", "运营"]
    filler = ["经济", "社会", "文化", "生态", "科技", "教育", "农业", "工业", "城市", "乡村", "人才", "市场",
              "企业", "金融", "财政", "交通", "能源", "环境", "卫生", "体育", "旅游", "贸易", "投资", "消费"]
    docs = []
    for d in range(4):
        runs = []
        for i in range(10):
            runs.append([before[(i + d) % 10], "星辰", "基金", after[(i * 3 + d) % 10]])  # free at both ends
            runs.append([before[(i + 2 * d) % 10], "完成", "任务", after[(i * 7 + d) % 10]])  # a verb phrase
            runs.append(["星辰", "大海"] if i % 2 else ["基金", "管理"])
            runs.append(["同志们", "星辰", "基金"])
            # plenty of other text, so that the pairs above are rare in the corpus as a whole
            runs.extend([filler[(i * 5 + k * 7 + d) % 24], filler[(i + k * 11) % 24]] for k in range(60))
        docs.append((f"d{d}", runs))
    found = kw.discover_phrases(docs)
    assert ("星辰", "基金") in found
    p = found[("星辰", "基金")]
    assert p.freq == 80 and p.df == 4 and p.pmi >= kw.MIN_PHRASE_PMI and p.entropy >= kw.MIN_PHRASE_ENTROPY
    assert ("完成", "任务") not in found  # as cohesive and free, but a verb phrase, not an expression
    assert not any("同志们" in g for g in found)
    assert not any(set(g) <= set(filler) for g in found)  # common words in varied pairs do not cohere


# -- the CLI ------------------------------------------------------------------------------------
def test_cli_keywords_json_and_csv(small: Store) -> None:
    small.close()
    r = run_cli("keywords", "cyber", "--top", "5", "--json", db=small.path)
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data[0]["term"] == "网络空间命运共同体" and isinstance(data[0]["weight"], float)
    r = run_cli("keywords", "cyber", "--top", "3", "--csv", db=small.path)
    assert r.returncode == 0 and r.stdout.splitlines()[0] == "term,weight"
    r = run_cli("keywords", "nope", "--json", db=small.path)
    assert r.returncode == 1 and json.loads(r.stdout)["error"]["code"] == "not_found"
