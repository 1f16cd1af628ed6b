"""Every surface shows every difference of a traced quotation: the web page, the CLI with and
without colour, JSON (and Markdown compilations, tests/test_compile.py). Tested on the seeds'
one-character variant (以共进而为动力 in seed 002 / 以共进为动力 in 004) and on a dropped clause."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import requires_shared, run_cli
from web_support import live_server

from lunshu import diffs

pytestmark = requires_shared

VARIANT = "各国应该深化务实合作，以共进为动力、以共赢为目标，走出一条互信共治之路"  # as seed 004 has it
DROPPED = ("网络空间是人类共同的活动空间，网络空间前途命运应由世界各国共同掌握。"
           "各国应该加强沟通、深化合作，共同构建网络空间命运共同体。")  # 扩大共识 left out


def _source(trace: dict[str, Any], doc_id: str) -> dict[str, Any]:
    return next(s for s in trace["sources"] if s["doc_id"] == doc_id)


def test_json_marks_the_dropped_character_and_does_not_score_one(seed_corpus: Any,
                                                                  seed_ids: dict[str, str]) -> None:
    out = run_cli("trace", VARIANT, "--json", db=seed_corpus.path)
    assert out.returncode == 0, out.stderr
    t = json.loads(out.stdout)
    s002 = _source(t, seed_ids["002"])  # says 以共进而为动力
    assert {"op": "delete", "quote": "", "source": "而"} in s002["diff"]
    assert s002["score"] < 1.0 and not s002["identical"]
    s004 = _source(t, seed_ids["004"])  # the same words
    assert s004["score"] == 1.0 and s004["identical"]


@pytest.mark.parametrize("env", [{}, {"NO_COLOR": "1"}], ids=["piped", "no-color"])
def test_cli_without_colour_marks_drops_and_additions(seed_corpus: Any, env: dict[str, str]) -> None:
    out = run_cli("trace", VARIANT, db=seed_corpus.path, env=env)
    assert out.returncode == 0, out.stderr
    assert "\x1b[" not in out.stdout
    assert "以共进[-而-]为动力" in out.stdout
    scores = re.findall(r"score (\d\.\d\d)", out.stdout)
    assert "1.00" in scores and any(s != "1.00" for s in scores)  # 004 identical, 002 not
    out = run_cli("trace", DROPPED, db=seed_corpus.path, env=env)
    assert "加强沟通、[-扩大共识、-]深化合作" in out.stdout
    # an added character is marked too
    out = run_cli("trace", VARIANT.replace("互信共治", "互信共同治"), db=seed_corpus.path, env=env)
    assert "{+同+}" in out.stdout


def test_cli_with_colour_strikes_what_the_quotation_drops(seed_corpus: Any) -> None:
    out = run_cli("trace", DROPPED, db=seed_corpus.path, env={"FORCE_COLOR": "1", "COLUMNS": "200"})
    assert out.returncode == 0, out.stderr
    # the dropped clause is struck through (SGR 9), not left plain
    m = re.search(r"\x1b\[([0-9;]*)m扩大共识", out.stdout)
    assert m and "9" in m.group(1).split(";"), out.stdout
    assert "[-" not in out.stdout  # colour replaces the brackets


def test_web_page_shows_what_the_source_says(seed_corpus: Any, seed_ids: dict[str, str]) -> None:
    from lunshu.web.app import create_app

    with live_server(create_app(seed_corpus.path)) as s:
        page = httpx.get(f"{s.url}/trace", params={"text": DROPPED}, timeout=60).text
    assert not re.search(r"<del[^>]*></del>|<ins[^>]*></ins>", page)  # no empty markers
    dels = [html.unescape(x) for x in re.findall(r"<del[^>]*>([^<]*)</del>", page)]
    assert "扩大共识、" in dels
    assert "score 1.00" not in page


def test_renderers_agree_on_one_set_of_opcodes() -> None:
    diff = [{"op": "equal", "quote": "以共进", "source": "以共进"}, {"op": "delete", "quote": "", "source": "而"},
            {"op": "replace", "quote": "路", "source": "络"}, {"op": "insert", "quote": "同", "source": ""},
            {"op": "delete", "quote": "……", "source": "风电站"}]
    assert diffs.plain(diff) == "以共进[-而-][-络-]{+路+}{+同+}[-风电站-]{+……+}"
    h = diffs.to_html(diff)
    assert h.count("<del") == 3 and h.count("<ins") == 3 and "风电站</del>" in h
    text = diffs.to_rich(diff)
    assert text.plain == "以共进而络路同风电站……"  # type: ignore[attr-defined]
    assert diffs.shown(0.999) == "0.99" and diffs.shown(1.0) == "1.00"
    assert diffs.score(diff[:2]) == pytest.approx(3 / 4)


def test_score_is_written_down_not_up(tmp_path: Path) -> None:
    assert diffs.floor4(0.99996) == 0.9999
