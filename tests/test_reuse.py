"""Reuse across the corpus: the real seeds, and small documents of our own."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conftest import requires_shared, run_cli

from lunshu import Corpus
from lunshu.models import Document
from lunshu.reuse import compute


@requires_shared
def test_seed_reuse(seed_corpus: Any, seed_ids: dict[str, str]) -> None:
    r = seed_corpus.reuse()
    rel = {(d["a"], d["b"]): d["relation"] for d in r.documents}
    pair = tuple(sorted((seed_ids["000"], seed_ids["001"])))
    assert rel.get(pair) == "report of"  # 000 is linked as a report of 001
    pair24 = tuple(sorted((seed_ids["002"], seed_ids["004"])))
    assert pair24 in rel
    # a cluster holds the 2015 statement in the speech, the report and the compilation
    found = False
    for cl in r.clusters:
        docs = {m["doc_id"] for m in cl["members"]}
        if {seed_ids["000"], seed_ids["001"], seed_ids["002"]} <= docs:
            found = True
    assert found
    # --doc keeps only what involves that document
    one = seed_corpus.reuse(doc_id=seed_ids["004"])
    assert one.links and all(seed_ids["004"] in (x.a["doc_id"], x.b["doc_id"]) for x in one.links)


@requires_shared
def test_reuse_cli(seed_corpus: Any) -> None:
    r = run_cli("reuse", "--json", db=seed_corpus.path)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert set(out) >= {"clusters", "links"}
    link = out["links"][0]
    assert set(link) >= {"a", "b", "score"} and set(link["a"]) >= {"doc_id", "paragraph"}


def test_reuse_on_own_documents_and_cache_invalidation(tmp_path: Path) -> None:
    c = Corpus(tmp_path / "r.db")
    speech = "东岚市将坚持开放合作，推动数字基础设施互联互通，让更多市民共享数字发展成果。我们愿同各方一道，共同建设数字共同体。"
    report = "林望川指出，东岚市将坚持开放合作，推动数字基础设施互联互通，让更多市民共享数字发展成果。会议还听取了工作汇报。"
    docs = [Document(id="s1", title="讲话", date="2019-05-20", genre="speech", paragraphs=[speech], content_hash="1"),
            Document(id="r1", title="报道", date="2019-05-21", genre="report", paragraphs=["会议在东岚举行。", report],
                     content_hash="2"),
            Document(id="x1", title="无关", date="2019-05-22", genre="speech",
                     paragraphs=["今天天气晴朗，适合郊游和散步，大家都很开心地出门了。"], content_hash="3")]
    with c.store.transaction() as conn:
        for d in docs:
            c.store.put(conn, d)
    r = c.reuse()
    assert [(x.a["doc_id"], x.a["paragraph"], x.b["doc_id"], x.b["paragraph"]) for x in r.links] == [("r1", 2, "s1", 1)]
    assert r.documents[0]["relation"] == "report of"
    # a new document changes the fingerprint: the cache is recomputed
    with c.store.transaction() as conn:
        c.store.put(conn, Document(id="c1", title="摘编", date="2020-01-01", genre="compilation",
                                   paragraphs=["推动数字基础设施互联互通，让更多市民共享数字发展成果。"], content_hash="4"))
    r2 = c.reuse()
    assert any("c1" in (x.a["doc_id"], x.b["doc_id"]) for x in r2.links)


def test_compute_is_deterministic() -> None:
    paras = [("a", 1, "我们要坚持以人民为中心的发展思想，不断增进民生福祉。"), ("b", 1, "坚持以人民为中心的发展思想，不断增进民生福祉。"),
             ("c", 1, "完全不同的一句话，用来确认不会误连到别的文本上。")]
    info = {"a": {"genre": "speech"}, "b": {"genre": "report"}, "c": {"genre": "speech"}}
    assert compute(paras, info) == compute(list(reversed(paras)), info)
    links, _ = compute(paras, info)
    assert [(x[0], x[2]) for x in links] == [("a", "b")]
