"""Compile compiles the right statements (issue 17, item 4): one speaker (the most quoted by default,
said in the header), each statement saying the topic or a declared variant, variants shown with their
differences, and the fixed text in the output's language — through the CLI on the seeds."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from conftest import requires_shared, run_cli

pytestmark = requires_shared

TOPIC = "网络空间命运共同体"


def _json(db: str, *args: str) -> dict[str, Any]:
    r = run_cli("compile", *args, "--json", db=db)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def _statements(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for ss in data["years"].values() for s in ss]


def test_one_speaker_the_most_quoted_and_every_statement_says_the_topic(seed_corpus: Any) -> None:
    data = _json(seed_corpus.path, TOPIC)
    assert data["speaker"] == "习近平" and data["speaker_chosen"] == "most_quoted"
    ss = _statements(data)
    assert len(ss) >= 5
    assert all(s["speaker"] == "习近平" for s in ss)
    assert all(TOPIC in s["text"] for s in ss)  # no statement without the topic
    assert not any("刘云山" in (s["title"] or "") for s in ss)  # the other official's news item is out
    md = run_cli("compile", TOPIC, db=seed_corpus.path).stdout
    assert "讲话人：习近平（就此主题被引用最多者" in md
    other = _json(seed_corpus.path, TOPIC, "--speaker", "刘云山")
    assert other["speaker"] == "刘云山" and other["speaker_chosen"] == "given"
    assert all(s["speaker"] == "刘云山" for s in _statements(other))
    # the same compilation for the topic in traditional characters (search's folding)
    assert len(_statements(_json(seed_corpus.path, "網絡空間命運共同體"))) == len(ss)


def test_the_one_character_variant_is_shown_not_merged_silently(seed_corpus: Any) -> None:
    md = run_cli("compile", TOPIC, db=seed_corpus.path).stdout
    assert "以共进[-而-]为动力" in md or "以共进{+而+}为动力" in md
    assert "异文标记" in md
    data = _json(seed_corpus.path, TOPIC)
    marked = [s for s in _statements(data) if "以共进" in s["text"]]
    assert marked and any(s["diff"] or any(v["diff"] for v in s["versions"]) for s in marked)


def test_fixed_text_in_the_output_language(seed_corpus: Any, tmp_path: Path) -> None:
    md = run_cli("compile", TOPIC, db=seed_corpus.path).stdout
    english = re.findall(r"\b(?:statements|verified|variant|unverified|source|not_found|chronological)\b", md)
    assert english == [], english
    assert md.startswith(f"# {TOPIC}：论述摘编") and "（已核实）" in md and "## 2015年" in md
    out = tmp_path / "c.docx"
    assert run_cli("compile", TOPIC, "--format", "docx", "--out", str(out), db=seed_corpus.path).returncode == 0
    from docx import Document

    text = "\n".join(p.text for p in Document(str(out)).paragraphs)
    assert not re.findall(r"\b(?:statements|verified|variant|source)\b", text)
    assert "以共进[-而-]为动力" in text or "以共进{+而+}为动力" in text
    en = run_cli("compile", TOPIC, "--lang", "en", db=seed_corpus.path).stdout
    assert "compiled statements" in en and "(verified)" in en and "已核实" not in en
    assert run_cli("compile", TOPIC, "--lang", "fr", db=seed_corpus.path).returncode == 2


def test_declared_variants_are_included_and_named(seed_corpus: Any) -> None:
    base = _statements(_json(seed_corpus.path, TOPIC))
    data = _json(seed_corpus.path, TOPIC, "--variant", "互信共治")
    assert data["variants"] == ["互信共治"]
    ss = _statements(data)
    assert len(ss) >= len(base)
    assert all(TOPIC in s["text"] or "互信共治" in s["text"] for s in ss)
    md = run_cli("compile", TOPIC, "--variant", "互信共治", db=seed_corpus.path).stdout
    assert "另收同义提法：互信共治" in md
