"""A record stored with a loss is said so (issue #20 item 5): a field the record gives and lunshu
cannot use (a date ``2020-02-30``, a genre not in the list, a URL that is not a web address, a title
that is not one) is a warning naming the file, the record and the field — the record is stored, the
exit status stays 0, the loss is never silent. The real CLI in a subprocess; more cases in every
format are in test_hostile_generated.py (``lossy_cases``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import RECORD_CORPORA, SEEDS, requires_shared, run_cli

S1 = "林望川在东岚市数字经济工作会议上强调，要以数字化改革撬动各领域改革。"
S2 = "东岚数字论坛已经成为区域数字合作的重要平台。"
S3 = "数据是新的生产要素，也是城市治理的新资源。"


def test_front_matter_with_an_impossible_date_is_stored_without_date_and_warned(tmp_path: Path) -> None:
    f = tmp_path / "a.md"
    f.write_text(f"---\ntitle: 不可能的日期\ndate: 2020-02-30\n---\n\n{S1}\n", encoding="utf-8")
    r = run_cli("ingest", str(f), "--json", db=tmp_path / "t.db")
    assert r.returncode == 0, r.stderr
    rep = json.loads(r.stdout)
    assert rep["added"] == 1 and rep["failed"] == []
    [w] = rep["warnings"]
    assert (Path(w["path"]).name, w["record"], w["field"]) == ("a.md", None, "date")
    assert "2020-02-30" in w["message"] and "no date" in w["message"]
    docs = json.loads(run_cli("docs", "--json", db=tmp_path / "t.db").stdout)
    assert [(d["title"], d["date"]) for d in docs] == [("不可能的日期", None)]
    # the text report: a count on the summary line, one line on stderr
    r = run_cli("ingest", str(f), db=tmp_path / "t2.db")
    assert r.returncode == 0
    assert r.stdout.strip() == "added 1, updated 0, unchanged 0, warnings 1, failed 0"
    [line] = [x for x in r.stderr.splitlines() if x.strip()]
    assert line.startswith("lunshu: warning: ") and "a.md: date '2020-02-30' is not a date" in line


def test_warnings_name_the_record_and_the_field_in_jsonl_and_csv(tmp_path: Path) -> None:
    recs = [{"title": "一", "date": "2019-05-01", "genre": "speech", "text": S1},
            {"title": "二", "date": "2021-02-29", "genre": "bogus", "url": "example.org/x", "text": S2},
            {"title": "三", "date": "2020-02-30", "year": "2020", "text": S3}]
    f = tmp_path / "r.jsonl"
    f.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs), encoding="utf-8")
    rep = json.loads(run_cli("ingest", str(f), "--json", db=tmp_path / "t.db").stdout)
    assert rep["added"] == 3 and rep["failed"] == []
    got = [(w["record"], w["field"]) for w in rep["warnings"]]
    assert got == [(2, "date"), (2, "genre"), (2, "url"), (3, "date")]
    by = {(w["record"], w["field"]): w["message"] for w in rep["warnings"]}
    assert "bogus" in by[(2, "genre")] and "speech, work-report" in by[(2, "genre")]
    assert "the date 2020 comes from elsewhere" in by[(3, "date")]  # the year field gave it
    docs = {d["title"]: d for d in json.loads(run_cli("docs", "--json", db=tmp_path / "t.db").stdout)}
    assert (docs["二"]["date"], docs["二"]["url"]) == (None, None) and docs["三"]["date"] == "2020"

    c = tmp_path / "r.csv"
    c.write_text(f"title,date,text\n甲,2021-02-29,{S1}\n乙,2021-02-28,{S2}\n丙,2021-04-31,{S3}\n", encoding="utf-8")
    rep = json.loads(run_cli("ingest", str(c), "--json", db=tmp_path / "c.db").stdout)
    assert rep["added"] == 3
    assert [(Path(w["path"]).name, w["record"], w["field"]) for w in rep["warnings"]] == \
        [("r.csv", 1, "date"), ("r.csv", 3, "date")]


def test_an_export_shape_record_is_warned_about_what_it_lost(tmp_path: Path) -> None:
    rec = {"id": "e1", "title": "导出", "date": "2020-02-30", "delivered": "2021-13-01", "genre": "bogus-genre",
           "paragraphs": [{"n": 1, "text": S1}]}
    f = tmp_path / "e.jsonl"
    f.write_text(json.dumps(rec, ensure_ascii=False) + "\n", encoding="utf-8")
    rep = json.loads(run_cli("ingest", str(f), "--json", db=tmp_path / "t.db").stdout)
    assert sorted(w["field"] for w in rep["warnings"]) == ["date", "delivered", "genre"]
    assert any("stored as other" in w["message"] for w in rep["warnings"])


@pytest.mark.parametrize("blank", ["", "null", "unknown", "未知", "无", "n/a", "-"])
def test_a_value_that_says_unknown_is_no_warning(tmp_path: Path, blank: str) -> None:
    f = tmp_path / "r.jsonl"
    f.write_text(json.dumps({"title": "一", "date": blank, "genre": blank, "url": blank, "text": S1},
                            ensure_ascii=False) + "\n"
                 + json.dumps({"title": "二", "date": "0000-00-00", "text": S2}, ensure_ascii=False) + "\n",
                 encoding="utf-8")
    r = run_cli("ingest", str(f), "--json", db=tmp_path / "t.db")
    rep = json.loads(r.stdout)
    assert rep["added"] == 2 and "warnings" not in rep, rep
    assert "warning" not in run_cli("ingest", str(f), db=tmp_path / "t2.db").stdout


@requires_shared
def test_the_real_documents_give_no_warnings(tmp_path: Path) -> None:
    """Warnings are for losses, not noise: the seeds and the record corpora give none (measured: 0 of 198)."""
    r = run_cli("ingest", str(SEEDS), *[str(p) for p in RECORD_CORPORA], "--json", "--quiet", db=tmp_path / "t.db")
    rep = json.loads(r.stdout)
    assert rep["added"] + len(rep["duplicates"]) >= 198 and rep["failed"] == []
    assert rep.get("warnings", []) == []
