"""Timeline as a first user reads it: year-only documents are counted by month, the periods start
at the first use and show empty years as zero, --from/--to; the search page's chart has empty years."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from conftest import run_cli
from web_support import live_server

RECORDS = [
    {"id": "a1921", "title": "早年文件", "date": "1921-07-01", "genre": "speech", "text": "与本词无关的早年文字。"},
    {"id": "b2015", "title": "讲话甲", "date": "2015-12-16", "genre": "speech", "text": "构建示例共同体。示例共同体。"},
    {"id": "c2018", "title": "讲话乙", "date": "2018", "genre": "speech", "text": "再谈示例共同体。"},
    {"id": "d2019", "title": "讲话丙", "date": "2019-03-05", "genre": "speech", "text": "示例共同体的新内涵。"},
    {"id": "e0000", "title": "无日期", "genre": "speech", "text": "未注日期的示例共同体。"},
]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("tl")
    src = d / "r.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in RECORDS), encoding="utf-8")
    assert run_cli("ingest", str(src), db=d / "t.db").returncode == 0
    return d / "t.db"


def test_by_year_starts_at_the_first_use_and_shows_empty_years(db: Path) -> None:
    data = json.loads(run_cli("timeline", "示例共同体", "--json", db=db).stdout)["示例共同体"]
    assert list(data["periods"]) == ["2015", "2016", "2017", "2018", "2019"]  # not from 1921
    assert data["periods"]["2016"] == {"count": 0, "docs": 0, "per_million": 0.0}
    assert data["total"] == {"count": 5, "docs": 4, "year_only": 0, "undated": 1}
    out = run_cli("timeline", "示例共同体", db=db).stdout.splitlines()
    assert out[1].split("\t")[1] == "2015" and "1921" not in "".join(out)
    assert any(line.startswith("total 示例共同体: 5 occurrences in 4 documents") for line in out)


def test_by_month_counts_year_only_documents_and_says_so(db: Path) -> None:
    data = json.loads(run_cli("timeline", "示例共同体", "--by", "month", "--json", db=db).stdout)["示例共同体"]
    assert next(iter(data["periods"])) == "2015-12" and list(data["periods"])[-1] == "2019-03"
    assert len(data["periods"]) == 40  # every month between, zeros included
    assert data["year_only"] == {"2018": {"count": 1, "docs": 1}}
    assert data["total"]["count"] == 5 and data["total"]["year_only"] == 1
    assert sum(p["count"] for p in data["periods"].values()) + 1 + data["undated"]["count"] == 5
    out = run_cli("timeline", "示例共同体", "--by", "month", db=db).stdout
    assert "2018 (year only)\t1\t1" in out and "(1 in documents dated only to the year)" in out
    csv = run_cli("timeline", "示例共同体", "--by", "month", "--csv", db=db).stdout
    assert "2018 (year only)" in csv


def test_from_and_to(db: Path) -> None:
    data = json.loads(run_cli("timeline", "示例共同体", "--from", "2014", "--to", "2016", "--json",
                              db=db).stdout)["示例共同体"]
    assert list(data["periods"]) == ["2014", "2015", "2016"] and data["total"]["count"] == 2
    assert run_cli("timeline", "示例共同体", "--from", "2017", "--to", "2016", db=db).returncode == 2


def test_search_page_chart_has_the_empty_years(db: Path) -> None:
    from lunshu.web.app import create_app

    with live_server(create_app(str(db))) as s:
        page = httpx.get(f"{s.url}/", params={"q": "示例共同体"}, timeout=60).text
        api = httpx.get(f"{s.url}/api/timeline", params={"term": "示例共同体", "from": "2015", "to": "2016"},
                        timeout=60).json()
    for year in ("2015", "2016", "2017", "2019"):
        assert year in page
    assert list(api["示例共同体"]["periods"]) == ["2015", "2016"]
