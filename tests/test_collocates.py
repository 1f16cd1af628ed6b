"""Collocates: windows over words, logDice and MI as defined, only observed/expected ≥ 1."""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path
from typing import Any

import pytest
from conftest import requires_shared, run_cli

from lunshu import segment
from lunshu.analysis import collocates as co
from lunshu.analysis import timeline as tl
from lunshu.errors import QueryError
from lunshu.models import Document
from lunshu.store import Store

FILLER = ["经济", "社会", "文化", "生态", "科技", "教育", "农业", "工业", "城市", "乡村", "人才", "市场",
          "企业", "金融", "财政", "交通", "能源", "环境", "卫生", "体育", "旅游", "贸易", "投资", "消费"]


def put(store: Store, doc_id: str, paragraphs: list[str], date: str = "2020-01-01") -> None:
    h = hashlib.sha1(("\n".join(paragraphs) + date).encode()).hexdigest()
    with store.transaction() as conn:
        store.put(conn, Document(id=doc_id, title=doc_id, date=date, paragraphs=paragraphs, content_hash=h))


@pytest.fixture
def small(tmp_path: Path) -> Store:
    store = Store(tmp_path / "c.db")
    # 尊重 right before 网络主权 six times; 主张 five words after it twice; plenty of other words around
    paras = [f"{FILLER[i + 12]}尊重网络主权，{FILLER[i]}和{FILLER[i + 1]}。" for i in range(6)]
    paras += ["网络主权，我们他们你们大家主张。"] * 2
    paras += ["，".join(FILLER[i:] + FILLER[:i]) + "。" for i in range(12)]
    put(store, "a", paras[:10])
    put(store, "b", paras[10:], date="2021-06-01")
    return store


def test_window_counts_and_measures(small: Store) -> None:
    r = co.collocates(small, "网络主权", window=5, min_freq=2)
    d = r.to_dict()
    assert set(d) >= {"term", "window", "min_freq", "segmenter", "node_freq", "corpus_tokens", "collocates"}
    assert d["window"] == 5 and d["min_freq"] == 2 and d["segmenter"].startswith("rjieba")
    assert d["node_freq"] == 8
    by = {c["term"]: c for c in d["collocates"]}
    assert by["尊重"]["cooccurrences"] == 6
    for c in d["collocates"]:
        assert c["cooccurrences"] >= 2
        assert c["cooccurrences"] <= c["freq"]
        expected = d["node_freq"] * c["freq"] * 2 * d["window"] / d["corpus_tokens"]
        assert c["expected"] == pytest.approx(expected, abs=1e-4)
        assert c["cooccurrences"] / c["expected"] >= 1 and c["mi"] >= 0
        assert c["mi"] == pytest.approx(math.log2(c["cooccurrences"] / expected), abs=1e-3)
        assert c["log_dice"] == pytest.approx(
            14 + math.log2(2 * c["cooccurrences"] / (d["node_freq"] + c["freq"])), abs=1e-3)
        assert segment.is_content(c["term"]) and c["term"] != "网络主权"
    assert [c["log_dice"] for c in d["collocates"]] == sorted((c["log_dice"] for c in d["collocates"]),
                                                              reverse=True)
    # the word five slots away is in a window of 5, not of 4: stop words are no collocates but take a
    # place in the window, punctuation does not
    assert by["主张"]["cooccurrences"] == 2
    assert "主张" not in {c.term for c in co.collocates(small, "网络主权", window=4, min_freq=1).collocates}
    assert not {"我们", "大家"} & set(by)


def test_min_freq_top_and_filters(small: Store) -> None:
    two = {c.term for c in co.collocates(small, "网络主权", window=5, min_freq=2).collocates}
    three = {c.term for c in co.collocates(small, "网络主权", window=5, min_freq=3).collocates}
    assert "主张" in two and "主张" not in three and three < two
    assert len(co.collocates(small, "网络主权", window=5, min_freq=1, top=2).collocates) == 2
    later = co.collocates(small, "网络主权", window=5, min_freq=1, date_from="2021-01-01")
    assert later.node_freq == 0 and later.collocates == [] and later.filters == {"date_from": "2021-01-01"}
    assert later.corpus_tokens > 0
    with pytest.raises(QueryError):
        co.collocates(small, " ")
    with pytest.raises(QueryError):
        co.collocates(small, "网", window=0)


def test_node_inside_a_longer_token(tmp_path: Path) -> None:
    store = Store(tmp_path / "n.db")
    filler = ["，".join(FILLER[i:] + FILLER[:i]) + "。" for i in range(12)]
    put(store, "a", ["共同构建网络空间命运共同体，携手合作。"] * 3 + ["推动构建人类命运共同体。"] + filler)
    r = co.collocates(store, "命运共同体", window=3, min_freq=1)
    terms = {c.term for c in r.collocates}
    assert r.node_freq == 4
    assert "构建" in terms
    assert "网络空间命运共同体" not in terms and "人类命运共同体" not in terms  # the node's own tokens


@requires_shared
def test_corpora_node_freq_agrees_with_timeline(corpora_corpus: Any) -> None:
    for term in ("人类命运共同体", "新质生产力"):
        r = corpora_corpus.collocates(term, window=5, min_freq=2)
        total = tl.timeline(corpora_corpus.store, [term]).to_dict()[term]["total"]["count"]
        assert r.node_freq == total > 0
        assert r.collocates and all(c.cooccurrences / c.expected >= 1 for c in r.collocates)
        assert all(c.cooccurrences <= c.freq for c in r.collocates)
    terms = [c.term for c in corpora_corpus.collocates("人类命运共同体").collocates[:10]]
    assert "构建" in terms


def test_cli_collocates_json(small: Store) -> None:
    small.close()
    r = run_cli("collocates", "网络主权", "--window", "5", "--min-freq", "2", "--json", db=small.path)
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["term"] == "网络主权" and data["window"] == 5
    assert data["collocates"][0]["term"] == "尊重"
