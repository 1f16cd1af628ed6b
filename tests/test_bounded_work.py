"""Bounded work per request (issue #20 item 3), through the real CLI and a real server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import CORPORA, requires_shared, run_cli


@pytest.fixture(scope="module")
def corpora_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("bounded") / "corpora.db"
    r = run_cli("ingest", str(CORPORA / "government-work-reports-1954-2025.jsonl"),
                str(CORPORA / "cpc-congress-reports.jsonl"), db=db)
    assert r.returncode in (0, 1), r.stderr
    return db


@requires_shared
@pytest.mark.parametrize("topic", ["的", "发展"])
def test_compile_of_a_common_word_is_capped_and_says_how_many_more(corpora_db: Path, topic: str) -> None:
    # (run_cli's timeout only stops a hang: before the cap this ran for more than ten minutes)
    r = run_cli("compile", topic, "--format", "json", db=corpora_db)
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert 0 < data["total"] <= 300
    assert data["more"] > 1000  # every paragraph says 的: thousands matched, and the output says so
    for year in data["years"].values():
        for s in year:
            assert topic in s["text"] and len(s["text"]) <= 600
    md = run_cli("compile", topic, "--format", "md", db=corpora_db)
    assert f"另有{data['more']}处" in md.stdout  # (the fixed text is in the topic's language)


@requires_shared
def test_compile_of_a_rare_topic_loses_nothing(corpora_db: Path) -> None:
    data = json.loads(run_cli("compile", "新质生产力", "--format", "json", db=corpora_db).stdout)
    assert data["more"] == 0 and data["total"] > 0
