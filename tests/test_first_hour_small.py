"""The smaller defects a first user hits (issue 17, item 7), each through the real CLI or API."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import run_cli

FORMULA = "现在，我代表本委员会向大会作工作报告，请予审议，并请各位委员提出意见。"
SHARED = "数字空间是人类共同的家园，数字空间的未来应由各方共同开创，这是我们一贯的主张和立场。"


def _docs() -> list[dict[str, Any]]:
    out = []
    for k in range(6):  # six reports opening with the same formula
        out.append({"id": f"r{k}", "title": f"第{k + 1}次会议工作报告", "date": f"{2010 + k}-03-05",
                    "genre": "speech", "speakers": ["王示例"],
                    "text": f"{FORMULA}\n\n今年第{k}项工作是建设示例网络，示例网络要连通各地。\n\n"
                            + "网络" * (k + 1) + f"之后，第{k}年的事务。"})
    out.append({"id": "s1", "title": "在示例论坛上的讲话", "date": "2015-12-16", "genre": "speech",
                "speakers": ["王示例"], "text": f"{SHARED}\n\n甲网乙丙。甲网乙甲。甲网丙甲。"})
    out.append({"id": "c1", "title": "王示例论数字空间", "date": "2020-01-01", "genre": "compilation",
                "speakers": ["王示例"], "text": f"{SHARED}\n\n——2015年12月16日，王示例在示例论坛上的讲话"})
    for k in range(120):  # a common term: 120 more occurrences of 示例词
        out.append({"id": f"n{k}", "title": f"消息{k}", "date": f"2021-01-{1 + k % 28:02d}", "genre": "report",
                    "text": f"第{k}条消息提到示例词，示例词出现在这里。"})
    return out


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("small")
    src = d / "docs.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in _docs()), encoding="utf-8")
    r = run_cli("ingest", str(src), "--json", db=d / "s.db")
    assert r.returncode == 0, r.stderr
    return d / "s.db"


def test_search_by_doc_says_documents(db: Path) -> None:
    out = run_cli("search", "示例词", "--by", "doc", db=db).stdout
    assert out.startswith("120 matching documents")
    assert run_cli("search", "示例词", db=db).stdout.startswith("120 matching paragraphs")


@pytest.mark.parametrize("text", ["", "   "])
def test_an_empty_quotation_is_a_usage_error(db: Path, text: str) -> None:
    r = run_cli("trace", text, "--json", db=db)
    assert r.returncode == 2 and json.loads(r.stdout)["error"]["code"] == "bad_query"
    assert "empty quotation" in r.stderr


def test_kwic_has_a_default_limit_and_a_total(db: Path) -> None:
    rows = json.loads(run_cli("kwic", "示例词", "--json", db=db).stdout)
    assert len(rows) == 100  # the default limit
    assert len(json.loads(run_cli("kwic", "示例词", "--all", "--json", db=db).stdout)) == 240
    out = run_cli("kwic", "示例词", db=db).stdout
    assert out.splitlines()[0] == "240 occurrences; showing the first 100 (--limit N or --all for more)"
    from fastapi.testclient import TestClient

    from lunshu.web.app import create_app

    r = TestClient(create_app(str(db))).get("/api/kwic", params={"term": "示例词", "limit": 5})
    assert r.status_code == 200 and len(r.json()) == 5 and r.headers["X-Total-Count"] == "240"


def test_kwic_sorts_by_several_levels(db: Path) -> None:
    rows = json.loads(run_cli("kwic", "甲网", "--sort", "1R,2R", "--width", "3", "--json", db=db).stdout)
    assert [x["right"][:2] for x in rows] == ["丙甲", "乙丙", "乙甲"]  # 1R then 2R (code point order)
    rows = json.loads(run_cli("kwic", "甲网", "--sort", "1R,2R,date", "--width", "3", "--json", db=db).stdout)
    assert [x["right"][:2] for x in rows] == ["丙甲", "乙丙", "乙甲"]
    r = run_cli("kwic", "甲网", "--sort", "1R,sideways", db=db)
    assert r.returncode == 2 and "1R,2R" in r.stderr


def test_collocates_take_the_search_filters(db: Path) -> None:
    every = json.loads(run_cli("collocates", "网络", "--min-freq", "1", "--json", db=db).stdout)
    some = json.loads(run_cli("collocates", "网络", "--min-freq", "1", "--from", "2013", "--genre", "speech",
                              "--json", db=db).stdout)
    assert some["filters"] == {"date_from": "2013", "genre": "speech"}
    assert 0 < some["node_freq"] < every["node_freq"]
    assert run_cli("collocates", "网络", "--genre", "speeches", db=db).returncode == 2


def test_keywords_fill_the_documents_keywords_field(db: Path) -> None:
    assert json.loads(run_cli("show", "s1", "--json", db=db).stdout)["keywords"] == []
    kws = json.loads(run_cli("keywords", "s1", "--top", "3", "--json", db=db).stdout)
    stored = json.loads(run_cli("show", "s1", "--json", db=db).stdout)["keywords"]
    assert stored and stored[:3] == [k["term"] for k in kws]
    listed = {d["id"]: d for d in json.loads(run_cli("docs", "--json", db=db).stdout)}
    assert listed["s1"]["keywords"] == stored


def test_a_db_in_a_missing_folder_is_an_error_not_a_new_tree(tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "place.db"
    r = run_cli("ingest", str(Path(__file__)), db=target)
    assert r.returncode == 1 and "does not exist" in r.stderr
    assert not (tmp_path / "no").exists()


def test_piped_tables_are_not_wrapped(db: Path) -> None:
    out = run_cli("docs", db=db).stdout.splitlines()
    assert out[0].split("\t")[:3] == ["id", "date", "genre"]
    assert len(out) == 1 + 128  # one line per document, however long
    assert all(len(line.split("\t")) == len(out[0].split("\t")) for line in out)


def test_reuse_lists_titles_and_dates_with_boilerplate_last(db: Path) -> None:
    out = run_cli("reuse", db=db).stdout
    assert "在示例论坛上的讲话" in out and "2015-12-16" in out and "王示例论数字空间" in out
    passages = out[out.index("clusters of passages"):].splitlines()[2:]
    kinds = [line.split("\t")[-1] for line in passages]
    assert kinds[0] == "paragraph" and "boilerplate" in kinds
    assert kinds == sorted(kinds, key=lambda k: k == "boilerplate")  # boilerplate last
    data = json.loads(run_cli("reuse", "--json", db=db).stdout)
    assert any(x["boilerplate"] for x in data["links"]) and not data["links"][0]["boilerplate"]
    assert [c["boilerplate"] for c in data["clusters"]] == sorted(c["boilerplate"] for c in data["clusters"])
