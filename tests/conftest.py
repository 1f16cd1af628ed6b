"""Shared fixtures: the project's examples, the optional ../shared data, and real databases."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
SHARED = Path(os.environ.get("LUNSHU_SHARED", ROOT.parent / "shared"))
SEEDS = SHARED / "seeds"
CORPORA = SHARED / "corpora"
# The record corpora (JSON/JSONL: 105 + 72 + 16 = 193 documents); the whole pages and the books beside them
# in corpora/ have gold tests of their own (tests/test_pages_gold.py, tests/test_books*.py).
RECORD_CORPORA = [CORPORA / name for name in ("xinhua-xi-speeches-2022-2025.json",
                                              "government-work-reports-1954-2025.jsonl", "cpc-congress-reports.jsonl")]

requires_shared = pytest.mark.skipif(
    not (SEEDS.is_dir() and CORPORA.is_dir()),
    reason=f"../shared not found at {SHARED} (set LUNSHU_SHARED to its path to run the integration tests)",
)


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"../shared not found at {SHARED} (set LUNSHU_SHARED)")
    return SHARED


@pytest.fixture(scope="session")
def seed_paths() -> dict[str, Path]:
    """Seed files by their number: {"000": Path, ...}."""
    if not SEEDS.is_dir():
        pytest.skip(f"seeds not found at {SEEDS}")
    return {p.name[:3]: p for p in sorted(SEEDS.iterdir()) if p.is_file()}


@pytest.fixture(scope="session")
def seed_corpus(tmp_path_factory: pytest.TempPathFactory, seed_paths: dict[str, Path]) -> Any:
    """A real database with the five seeds ingested (read-only use, please)."""
    from lunshu import Corpus

    db = tmp_path_factory.mktemp("seeds") / "seeds.db"
    c = Corpus(db)
    report = c.ingest([str(SEEDS)])
    assert not report.failed, report.failed
    return c


@pytest.fixture(scope="session")
def seed_ids(seed_corpus: Any, seed_paths: dict[str, Path]) -> dict[str, str]:
    """Document id of each seed: {"000": id, ...}."""
    out: dict[str, str] = {}
    for d in seed_corpus.docs():
        for num, p in seed_paths.items():
            if d.origin.endswith(p.name):
                out[num] = d.id
    return out


@pytest.fixture(scope="session")
def corpora_corpus(tmp_path_factory: pytest.TempPathFactory, shared_dir: Path) -> Any:
    """A real database with the shared record corpora ingested (193 documents)."""
    from lunshu import Corpus

    db = tmp_path_factory.mktemp("corpora") / "corpora.db"
    c = Corpus(db)
    report = c.ingest([str(p) for p in RECORD_CORPORA])
    assert not report.failed, report.failed
    return c


@pytest.fixture(scope="session")
def examples_corpus(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from lunshu import Corpus

    db = tmp_path_factory.mktemp("examples") / "examples.db"
    c = Corpus(db)
    c.ingest([str(EXAMPLES)])
    return c


@pytest.fixture(scope="session")
def examples_expected() -> dict[str, Any]:
    return json.loads((ROOT / "tests" / "examples_expected.json").read_text(encoding="utf-8"))


def run_cli(*args: str, db: Path | str | None = None, input: str | bytes | None = None,
            env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real `lunshu` command in a subprocess."""
    full_env = dict(os.environ)
    full_env.pop("LUNSHU_DEBUG", None)
    if env:
        full_env.update(env)
    cmd = [sys.executable, "-m", "lunshu.cli"]
    if db is not None:
        cmd += ["--db", str(db)]
    cmd += list(args)
    data = input.decode("utf-8") if isinstance(input, bytes) else input
    return subprocess.run(cmd, capture_output=True, text=True, input=data, env=full_env, cwd=cwd, timeout=600,
                          check=False)


def ingest_records(folder: Path, records: list[dict[str, Any]], name: str = "records") -> Path:
    """Write ``records`` as JSONL in ``folder``, ingest them with the real CLI, return the database."""
    src = folder / f"{name}.jsonl"
    src.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    db = folder / f"{name}.db"
    r = run_cli("ingest", str(src), db=db)
    assert r.returncode == 0, r.stderr
    return db


@pytest.fixture
def cli() -> Iterator[Any]:
    yield run_cli
