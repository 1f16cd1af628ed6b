"""Round trips: `export --format jsonl` (and Parquet) then `ingest` into a new database gives the
same documents — ids, metadata, paragraphs, the raw original — and exporting that again gives the
same bytes' worth of data. On the examples, on generated documents, and on the shared corpora.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLES, requires_shared
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lunshu.corpus import Corpus
from lunshu.ingest.decode import safe_line, safe_text

TIMEOUT = 600


def _cli(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "LUNSHU_DEBUG"}
    return subprocess.run([sys.executable, "-m", "lunshu.cli", "--db", str(db), *args], check=False,
                          capture_output=True, text=True, timeout=TIMEOUT, env=env)


def _dump(c: Corpus, tmp: Path, name: str) -> list[dict[str, Any]]:
    out = tmp / f"{name}.jsonl"
    c.export(str(out), "jsonl")
    return [json.loads(line) for line in out.read_text(encoding="utf-8").split("\n") if line]


def _by_id(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    out = {r["id"]: r for r in rows}
    assert len(out) == len(rows), "duplicate ids in an export"
    return out


def _example_inputs() -> list[str]:
    return sorted(str(p) for p in EXAMPLES.iterdir()
                  if p.is_file() and p.suffix in {".txt", ".md", ".html", ".json", ".jsonl", ".csv"}
                  and p.name not in {"expected.json", "README.md"})


@pytest.fixture(scope="module")
def examples_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    inputs = _example_inputs()
    if not inputs:
        pytest.skip("no examples yet")
    db = tmp_path_factory.mktemp("rt") / "examples.db"
    with Corpus(db) as c:
        rep = c.ingest(inputs)
    assert not rep.failed, rep.failed
    assert rep.added > 0
    return db


def test_jsonl_round_trip_on_the_examples_through_the_cli(examples_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "export.jsonl"
    r = _cli(examples_db, "export", "--format", "jsonl", "--out", str(out))
    assert r.returncode == 0, r.stderr
    first = [json.loads(line) for line in out.read_text(encoding="utf-8").split("\n") if line]
    db2 = tmp_path / "copy.db"
    r = _cli(db2, "ingest", str(out), "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == {"added": len(first), "updated": 0, "unchanged": 0, "failed": [], "duplicates": []}
    out2 = tmp_path / "export2.jsonl"
    assert _cli(db2, "export", "--format", "jsonl", "--out", str(out2)).returncode == 0
    second = [json.loads(line) for line in out2.read_text(encoding="utf-8").split("\n") if line]
    assert _by_id(second) == _by_id(first)
    # the copy is a whole database, and ingesting the export again changes nothing
    assert json.loads(_cli(db2, "check", "--json").stdout)["ok"]
    again = json.loads(_cli(db2, "ingest", str(out), "--json").stdout)
    assert again == {"added": 0, "updated": 0, "unchanged": len(first), "failed": [], "duplicates": []}


def test_parquet_round_trip_on_the_examples(examples_db: Path, tmp_path: Path) -> None:
    with Corpus(examples_db) as c:
        first = _dump(c, tmp_path, "first")
        pq = tmp_path / "export.parquet"
        assert c.export(str(pq), "parquet") == len(first)
    with Corpus(tmp_path / "copy.db") as c2:
        rep = c2.ingest([str(pq)])
        assert (rep.added, rep.failed) == (len(first), [])
        assert _by_id(_dump(c2, tmp_path, "second")) == _by_id(first)
        assert c2.check()["ok"]


def test_jsonl_then_parquet_then_jsonl(examples_db: Path, tmp_path: Path) -> None:
    """Formats chain: a copy of a copy is still the original."""
    with Corpus(examples_db) as c:
        first = _dump(c, tmp_path, "first")
    with Corpus(tmp_path / "b.db") as b:
        b.ingest([str(tmp_path / "first.jsonl")])
        b.export(str(tmp_path / "b.parquet"), "parquet")
    with Corpus(tmp_path / "c.db") as c3:
        c3.ingest([str(tmp_path / "b.parquet")])
        assert _by_id(_dump(c3, tmp_path, "third")) == _by_id(first)


# generated documents: any text the store accepts survives both formats
_chars = st.characters(blacklist_categories=("Cs",), min_codepoint=1)
_text = st.text(alphabet=st.one_of(st.sampled_from(list("林望川东岚数字论坛，。；：“”《》（）——……\n\t 　")), _chars),
                min_size=1, max_size=60)


@st.composite
def _documents(draw: st.DrawFn) -> list[dict[str, Any]]:
    n = draw(st.integers(min_value=1, max_value=4))
    docs = []
    for i in range(n):
        paras = [p for p in (safe_text(x).strip() for x in draw(st.lists(_text, min_size=1, max_size=5))) if p]
        if not paras:
            paras = ["正文。"]
        docs.append({
            "id": f"gen-{i}",
            "title": draw(st.one_of(st.none(), _text)),
            "date": draw(st.sampled_from([None, "2015", "2015-12", "2015-12-16"])),
            "speakers": draw(st.lists(st.sampled_from(["林望川", "苏映雪", "Jean Dupont"]), max_size=2, unique=True)),
            "genre": draw(st.sampled_from(["speech", "report", "other"])),
            "source": draw(st.one_of(st.none(), _text)),
            "url": draw(st.one_of(st.none(), st.just("https://example.org/a?b=1&c=二"))),
            "keywords": draw(st.lists(st.sampled_from(["数字", "合作", "治理"]), max_size=3, unique=True)),
            "publisher_keywords": [],
            "reporters": [],
            "paragraphs": [{"n": k + 1, "text": t} for k, t in enumerate(paras)],
            "raw": draw(_text),
        })
    return docs


def _norm(doc: dict[str, Any]) -> dict[str, Any]:
    """What the store makes of a value: one-line fields made safe, empty ones absent."""
    d = dict(doc)
    for k in ("title", "source"):
        d[k] = safe_line(d[k]) or None if d[k] is not None else None
    d["raw"] = safe_text(d["raw"])
    return d


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(docs=_documents())
def test_generated_documents_survive_jsonl_and_parquet(tmp_path: Path, docs: list[dict[str, Any]]) -> None:
    import tempfile

    with tempfile.TemporaryDirectory(dir=tmp_path) as tmpdir:
        tmp = Path(tmpdir)
        src = tmp / "in.jsonl"
        src.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs), encoding="utf-8")
        with Corpus(tmp / "a.db") as a:
            rep = a.ingest([str(src)])
            assert (rep.added, rep.failed) == (len(docs), [])
            first = _by_id(_dump(a, tmp, "a"))
            a.export(str(tmp / "a.parquet"), "parquet")
        for d in docs:
            got, want = first[d["id"]], _norm(d)
            for k in ("title", "date", "speakers", "genre", "source", "url", "keywords", "paragraphs", "raw"):
                assert got[k] == want[k], k
        with Corpus(tmp / "b.db") as b:
            b.ingest([str(tmp / "a.jsonl")])
            assert _by_id(_dump(b, tmp, "b")) == first
        with Corpus(tmp / "c.db") as c:
            c.ingest([str(tmp / "a.parquet")])
            assert _by_id(_dump(c, tmp, "c")) == first


@requires_shared
def test_round_trip_on_the_shared_corpora(corpora_corpus: Any, tmp_path: Path) -> None:
    first = _dump(corpora_corpus, tmp_path, "first")
    assert len(first) == 193
    with Corpus(tmp_path / "copy.db") as c:
        rep = c.ingest([str(tmp_path / "first.jsonl")])
        assert (rep.added, rep.failed) == (193, [])
        assert _by_id(_dump(c, tmp_path, "second")) == _by_id(first)
        c.export(str(tmp_path / "copy.parquet"), "parquet")
    with Corpus(tmp_path / "copy2.db") as c2:
        rep = c2.ingest([str(tmp_path / "copy.parquet")])
        assert (rep.added, rep.failed) == (193, [])
        assert _by_id(_dump(c2, tmp_path, "third")) == _by_id(first)
