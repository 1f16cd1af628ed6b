"""Trace and attribution status on the real seeds, through the library and the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conftest import ingest_records, requires_shared, run_cli

pytestmark = requires_shared

QUOTE_2015 = "网络空间是人类共同的活动空间，网络空间前途命运应由世界各国共同掌握。各国应该加强沟通、扩大共识、深化合作，共同构建网络空间命运共同体。"


def _trace(c: Any, text: str, date: str | None = None) -> Any:
    return c.trace(text, date=date)


def test_verified_first_source_is_the_full_speech(seed_corpus: Any, seed_ids: dict[str, str]) -> None:
    t = _trace(seed_corpus, QUOTE_2015, "2015-12-16")
    assert t.status == "verified", t.reason
    assert t.sources[0].doc_id == seed_ids["001"]
    # the news report and the compilation come after the speech
    order = [s.doc_id for s in t.sources]
    assert order.index(seed_ids["000"]) < order.index(seed_ids["002"])


def test_publication_lag_is_tolerated_but_a_wrong_date_is_not(seed_corpus: Any) -> None:
    assert _trace(seed_corpus, QUOTE_2015, "2015-12-14").status == "verified"  # said two days before publication?
    t = _trace(seed_corpus, QUOTE_2015, "2016-11-16")
    assert t.status == "misattributed"
    assert "2015-12-16" in t.reason


def test_abridged_half_width_and_changed_character(seed_corpus: Any, seed_ids: dict[str, str]) -> None:
    abridged = "网络空间是人类共同的活动空间……共同构建网络空间命运共同体。"
    t = _trace(seed_corpus, abridged, "2015-12-16")
    assert t.status == "verified" and t.sources[0].doc_id == seed_ids["001"]
    half = QUOTE_2015.replace("，", ",").replace("。", ".").replace("、", ",")
    assert _trace(seed_corpus, half, "2015-12-16").status == "verified"
    changed = QUOTE_2015.replace("深化合作", "加深合作")
    t = _trace(seed_corpus, changed, "2015-12-16")
    assert t.status == "variant"
    diff = t.sources[0].diff
    assert any(d["op"] == "replace" and "加" in d["quote"] and "深" in d["source"] for d in diff), diff


def test_dropped_clause_is_a_variant(seed_corpus: Any, seed_ids: dict[str, str]) -> None:
    dropped = "网络空间是人类共同的活动空间，网络空间前途命运应由世界各国共同掌握。各国应该加强沟通、深化合作，共同构建网络空间命运共同体。"
    t = _trace(seed_corpus, dropped, "2015-12-16")
    assert t.status == "variant" and t.sources[0].doc_id == seed_ids["001"]


def test_spanning_two_paragraphs(seed_corpus: Any, seed_ids: dict[str, str]) -> None:
    text = "让我们携起手来，共同推动网络空间互联互通、共享共治，为开创人类发展更加美好的未来助力！最后，预祝大会取得圆满成功！"
    t = _trace(seed_corpus, text, "2015-12-16")
    assert t.status == "verified"
    first = t.sources[0]
    assert first.doc_id == seed_ids["001"] and first.paragraph_end == first.paragraph + 1


def test_unverified_and_not_found(seed_corpus: Any) -> None:
    # only compilations carry the 2020 letter
    t = _trace(seed_corpus, "把握信息革命历史机遇，培育创新发展新动能，开创数字合作新局面，打造网络安全新格局", "2020-11-23")
    assert t.status == "unverified"
    assert _trace(seed_corpus, "这句话在任何一份文件里都不存在，纯属虚构。", None).status == "not_found"


def test_quotes_of_the_seed_compilations(seed_corpus: Any, seed_ids: dict[str, str]) -> None:
    qs = seed_corpus.quotes(doc_id=seed_ids["002"])
    assert len(qs) == 11
    by_date = {q.attribution.date: q for q in qs}
    q2015 = by_date["2015-12-16"]
    assert q2015.status == "verified" and q2015.sources[0].doc_id == seed_ids["001"]
    # the one-character variant between 002 and 004 is shown as such
    q2018 = by_date["2018-11-07"]
    src = next(s for s in q2018.sources if s.doc_id == seed_ids["004"])
    assert not src.identical
    t = seed_corpus.trace(q2018.text, date="2018-11-07")
    d4 = next(s for s in t.sources if s.doc_id == seed_ids["004"])
    assert any("而" in d["quote"] and d["op"] != "equal" for d in d4.diff or [])
    # 002 and 004 share the 2020-11-23 statement
    q2020 = by_date["2020-11-23"]
    assert any(s.doc_id == seed_ids["004"] for s in q2020.sources)


def test_trace_cli_json_shape(seed_corpus: Any) -> None:
    r = run_cli("trace", QUOTE_2015, "--date", "2015-12-16", "--json", db=seed_corpus.path)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert set(out) >= {"quote", "status", "sources"}
    assert out["status"] == "verified"
    s = out["sources"][0]
    assert set(s) >= {"doc_id", "title", "date", "paragraph", "text", "score", "diff"}
    r = run_cli("quotes", "--status", "verified", "--json", db=seed_corpus.path)
    rows = json.loads(r.stdout)
    assert rows and all(x["status"] == "verified" for x in rows)
    assert set(rows[0]) >= {"quote", "doc_id", "attribution", "status", "sources"}
    assert set(rows[0]["attribution"]) >= {"date", "speaker", "occasion", "raw"}


def test_a_formula_said_in_many_speeches_is_verified_in_the_one_the_date_names(tmp_path: Path) -> None:
    """The five earliest speeches holding the words do not hide the later one the attribution names."""
    formula = "党的二十大明确了以中国式现代化全面推进强国建设、民族复兴伟业的中心任务。"
    records = [{"title": f"在第{k}次会议上的讲话", "date": f"{2020 + k}-03-0{k}", "genre": "speech", "speakers": ["习近平"],
                "text": f"同志们：\n\n今天召开第{k}次会议，议题各不相同，第{k}项工作要抓紧。\n\n{formula}\n\n谢谢大家！"}
               for k in range(1, 8)]
    from lunshu import Corpus

    c = Corpus(ingest_records(tmp_path, records))
    t = c.trace(formula, date="2027-03-07", limit=5)
    assert t.status == "verified", t.reason
    assert t.sources[0].date == "2027-03-07"
    assert len(t.sources) == 5
    assert c.trace(formula, date="2019-05-01", limit=5).status == "misattributed"
