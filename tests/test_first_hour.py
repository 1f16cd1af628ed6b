"""A researcher's first hour, end to end through the real CLI (issue 17): ingest the seeds twice by
different paths and from a copied folder, search, trace a traditional-character quotation and the
seeds' one-character variant, compile, timeline by month, the work reports by genre — asserting the
figures a user would check by hand (with grep over the documents `show` prints)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import CORPORA, SEEDS, requires_shared, run_cli

pytestmark = requires_shared

TOPIC = "网络空间命运共同体"
TRADITIONAL = "網絡空間是人類共同的活動空間，網絡空間前途命運應由世界各國共同掌握。"


def _j(*args: str, db: Path, cwd: Path | None = None) -> Any:
    r = run_cli(*args, "--json", db=db, cwd=cwd)
    assert r.returncode == 0, (args, r.stderr)
    return json.loads(r.stdout)


@pytest.fixture(scope="module")
def journey(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    work = tmp_path_factory.mktemp("first-hour")
    db = work / "lunshu.db"
    first = _j("ingest", str(SEEDS.resolve()), db=db)  # as the README says: a folder
    again = _j("ingest", os.path.relpath(SEEDS, work), db=db, cwd=work)  # the same, typed another way
    copy = work / "copy-of-seeds"
    shutil.copytree(SEEDS, copy)
    copied = _j("ingest", str(copy), db=db)
    docs = _j("docs", db=db)
    shown = {d["id"]: _j("show", d["id"], db=db) for d in docs}
    return {"db": db, "first": first, "again": again, "copied": copied, "docs": docs, "shown": shown}


def _by_hand(shown: dict[str, Any], phrase: str) -> tuple[int, int, int]:
    """(paragraphs, documents, occurrences) containing ``phrase``, counted as grep would."""
    paras = [p["text"] for d in shown.values() for p in d["paragraphs"] if phrase in p["text"]]
    n_docs = sum(1 for d in shown.values() if any(phrase in p["text"] for p in d["paragraphs"]))
    return len(paras), n_docs, sum(p.count(phrase) for p in paras)


def test_five_seeds_are_five_documents_however_they_arrive(journey: dict[str, Any]) -> None:
    assert (journey["first"]["added"], journey["first"]["failed"]) == (5, [])
    assert (journey["again"]["added"], journey["again"]["unchanged"]) == (0, 5)
    assert journey["copied"]["added"] == 0 and len(journey["copied"]["duplicates"]) == 5
    assert len(journey["docs"]) == 5
    assert sorted(d["date"] for d in journey["docs"]) == ["2015-12-16", "2015-12-16", "2016-11-16",
                                                          "2022-07-13", "2024-11-21"]


def test_search_counts_what_grep_counts(journey: dict[str, Any]) -> None:
    db, shown = journey["db"], journey["shown"]
    paras, n_docs, _ = _by_hand(shown, TOPIC)
    assert _j("search", TOPIC, db=db)["total"] == paras
    assert _j("search", TOPIC, "--by", "doc", db=db)["total"] == n_docs
    assert run_cli("search", TOPIC, "--by", "doc", db=db).stdout.startswith(f"{n_docs} matching documents")
    # a traditional-character query finds the same paragraphs
    assert _j("search", "網絡空間命運共同體", db=db)["total"] == paras


def test_trace_a_traditional_quotation_to_the_2015_speech(journey: dict[str, Any]) -> None:
    t = _j("trace", TRADITIONAL, "--date", "2015-12-16", db=journey["db"])
    assert t["status"] == "verified", t["reason"]
    first = t["sources"][0]
    assert (first["title"], first["date"], first["score"]) == ("在第二届世界互联网大会开幕式上的讲话", "2015-12-16", 1.0)
    # the seeds' one-character variant: marked, and not scored 1.00
    out = run_cli("trace", "各国应该深化务实合作，以共进为动力、以共赢为目标", db=journey["db"]).stdout
    assert "以共进[-而-]为动力" in out
    assert "score 0.9" in out


def test_compile_one_speaker_every_statement_on_the_topic(journey: dict[str, Any]) -> None:
    c = _j("compile", TOPIC, db=journey["db"])
    statements = [s for ss in c["years"].values() for s in ss]
    assert c["speaker"] == "习近平" and all(s["speaker"] == "习近平" for s in statements)
    assert all(TOPIC in s["text"] for s in statements)
    assert c["total"] == len(statements) and next(iter(c["years"])) == "2015"
    md = run_cli("compile", TOPIC, db=journey["db"]).stdout
    assert md.startswith(f"# {TOPIC}：论述摘编") and f"共{len(statements)}条" in md


def test_timeline_by_month_adds_up_to_the_hand_count(journey: dict[str, Any]) -> None:
    db, shown = journey["db"], journey["shown"]
    _, n_docs, occurrences = _by_hand(shown, TOPIC)
    t = _j("timeline", TOPIC, "--by", "month", db=db)[TOPIC]
    assert t["total"] == {"count": occurrences, "docs": n_docs, "year_only": 0, "undated": 0}
    assert sum(p["count"] for p in t["periods"].values()) == occurrences
    periods = list(t["periods"])
    assert periods[0] == "2015-12" and periods[-1] == "2024-11" and len(periods) == 108  # every month between
    assert len(_j("kwic", TOPIC, "--all", db=db)) == occurrences


def test_work_reports_by_month_and_by_genre(tmp_path: Path) -> None:
    db = tmp_path / "reports.db"
    src = CORPORA / "government-work-reports-1954-2025.jsonl"
    assert _j("ingest", str(src), db=db)["added"] == 72
    docs = _j("docs", db=db)
    reports = [d for d in docs if not d["title"].endswith("决议")]
    assert len(reports) == 52
    assert {d["id"] for d in _j("docs", "--genre", "work-report", db=db)} == {d["id"] for d in reports}
    records = [json.loads(line) for line in src.read_text(encoding="utf-8").splitlines() if line.strip()]
    by_hand = sum(r["content"].count("改革开放") for r in records)
    t = _j("timeline", "改革开放", "--by", "month", db=db)["改革开放"]
    # most reports are dated to the year only: counted, not dropped, and the total says so
    assert t["total"]["count"] == by_hand
    assert t["total"]["year_only"] > 0
    assert sum(p["count"] for p in t["periods"].values()) + t["total"]["year_only"] + t["total"]["undated"] == by_hand
    r = run_cli("docs", "--genre", "报告", db=db)
    assert r.returncode == 2 and "work-report" in r.stderr
