"""Filters are validated (a mistyped filter is a usage error saying what is allowed, not an empty
result), and the genre tells a government work report from a news report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import CORPORA, requires_shared, run_cli

from lunshu.models import GENRES


@pytest.mark.parametrize("args, says", [
    (["search", "网络", "--genre", "speeches"], "did you mean speech"),
    (["search", "网络", "--genre", "报告"], "work-report"),
    (["docs", "--genre", "speech,nonsense"], "unknown genre 'nonsense'"),
    (["kwic", "网络", "--genre", "x"], "use one of: speech, work-report"),
    (["search", "网络", "--from", "2020", "--to", "2015"], "--from 2020 is after --to 2015"),
    (["docs", "--from", "2020-03", "--to", "2020-01-31"], "after --to"),
    (["search", "网络 OR"], "OR must stand between two terms"),
    (["search", "OR 网络"], "OR must stand between two terms"),
    (["search", "网络", "--from", "someday"], "is not a date"),
])
def test_a_filter_that_cannot_match_is_a_usage_error(examples_corpus: Any, args: list[str], says: str) -> None:
    r = run_cli(*args, db=examples_corpus.path)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert says in r.stderr and r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
    r = run_cli(*args, "--json", db=examples_corpus.path)
    assert r.returncode == 2 and json.loads(r.stdout)["error"]["code"] == "bad_query"


def test_the_http_api_refuses_them_too(examples_corpus: Any) -> None:
    from fastapi.testclient import TestClient

    from lunshu.web.app import create_app

    client = TestClient(create_app(examples_corpus.path))
    for params in ({"q": "网络", "genre": "speeches"}, {"q": "网络", "from": "2020", "to": "2015"}, {"q": "网络 OR"}):
        r = client.get("/api/search", params=params)
        assert r.status_code == 400 and r.json()["error"]["code"] == "bad_query", params


def test_valid_filters_still_answer(examples_corpus: Any) -> None:
    r = run_cli("search", "数字", "--genre", "speech,report", "--from", "2015", "--to", "2015", "--json",
                db=examples_corpus.path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("{")
    assert run_cli("search", '"OR"', "--json", db=examples_corpus.path).returncode == 0  # the letters


@requires_shared
def test_work_reports_are_their_own_genre(tmp_path: Path) -> None:
    assert "work-report" in GENRES
    db = tmp_path / "w.db"
    r = run_cli("ingest", str(CORPORA / "government-work-reports-1954-2025.jsonl"),
                str(CORPORA / "cpc-congress-reports.jsonl"), "--json", db=db)
    assert r.returncode == 0, r.stderr
    docs = json.loads(run_cli("docs", "--json", db=db).stdout)
    gov = [d for d in docs if "政府工作报告" in (d["title"] or "")]
    reports = [d for d in gov if not d["title"].endswith("决议")]
    resolutions = [d for d in gov if d["title"].endswith("决议")]
    assert len(reports) == 52 and len(resolutions) == 20
    assert all(d["genre"] == "work-report" for d in reports)
    assert not any(d["genre"] == "work-report" for d in resolutions)  # a resolution on a report is not one
    congress = [d for d in docs if any(x in (d["title"] or "") for x in ("(十八大)", "(十九大)", "(二十大)"))]
    assert len(congress) == 3 and all(d["genre"] == "work-report" for d in congress)
    wr = json.loads(run_cli("docs", "--genre", "work-report", "--json", db=db).stdout)
    assert len(wr) == sum(1 for d in docs if d["genre"] == "work-report") >= 52 + 3
    assert json.loads(run_cli("docs", "--genre", "report", "--json", db=db).stdout) == []  # no news here
