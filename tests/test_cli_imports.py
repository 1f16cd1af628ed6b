"""The CLI starts fast because each command imports only what it uses (issue #19, item 6).

Facts about imports, never a stopwatch: the real command runs in a subprocess exactly as
``python -m lunshu.cli`` runs it, and the modules it loaded are read from ``sys.modules`` at its end.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests.conftest import EXAMPLES, run_cli

# Run the command as `python -m lunshu.cli …` does, then write the names of every loaded module.
_PROBE = """
import json, runpy, sys
out = sys.argv[1]
sys.argv = ["lunshu", *sys.argv[2:]]
code = 0
try:
    runpy.run_module("lunshu.cli", run_name="__main__", alter_sys=True)
except SystemExit as exc:
    code = exc.code
with open(out, "w", encoding="utf-8") as fh:
    json.dump({"code": code, "modules": sorted(sys.modules)}, fh)
"""

# Never needed to search, count or read: the web server, the ingest pipeline and its readers, the
# analysis modules and the libraries behind them.
HEAVY = ("fastapi", "starlette", "uvicorn", "jinja2", "multipart", "httpx", "trafilatura", "pypdf", "docx",
         "opencc", "rjieba", "jieba", "numpy", "pyarrow", "matplotlib", "rapidfuzz", "datasketch", "lxml",
         "selectolax", "charset_normalizer", "yaml", "lunshu.web", "lunshu.ingest", "lunshu.analysis",
         "lunshu.trace", "lunshu.reuse", "lunshu.clean", "lunshu.book", "lunshu.metadata")


def loaded(tmp_path: Path, *args: str) -> tuple[int, set[str]]:
    out = tmp_path / "modules.json"
    env = {k: v for k, v in os.environ.items() if k != "LUNSHU_DEBUG"}
    r = subprocess.run([sys.executable, "-c", _PROBE, str(out), *args], capture_output=True, text=True,
                       env=env, timeout=300, check=False)
    assert out.exists(), r.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    return int(data["code"] or 0), set(data["modules"])


def heavy_in(modules: set[str], names: tuple[str, ...] = HEAVY) -> list[str]:
    return sorted(n for n in names if any(m == n or m.startswith(n + ".") for m in modules))


@pytest.fixture(scope="module")
def small_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("cli_imports") / "small.db"
    r = run_cli("ingest", str(EXAMPLES), db=db)
    assert r.returncode == 0, r.stderr
    return db


def test_search_json_imports_nothing_heavy(tmp_path: Path, small_db: Path) -> None:
    code, mods = loaded(tmp_path, "--db", str(small_db), "search", "高质量发展", "--json")
    assert code == 0
    assert "lunshu.search" in mods  # the probe did run the search
    assert heavy_in(mods) == []
    assert "rich" not in mods  # JSON needs no console


def test_lone_short_term_loads_numpy_only(tmp_path: Path, small_db: Path) -> None:
    """A lone 1–2-character term is ranked with FTS5's BM25 computed in numpy (search._page_lone):
    that path alone may load numpy (a tenth of a second), nothing else heavy."""
    code, mods = loaded(tmp_path, "--db", str(small_db), "search", "发展", "--json")
    assert code == 0
    assert heavy_in(mods, tuple(n for n in HEAVY if n != "numpy")) == []


def test_search_csv_and_count_paths(tmp_path: Path, small_db: Path) -> None:
    for args in (("search", "高质量发展", "--csv"), ("search", "发展", "--limit", "0", "--json"),
                 ("kwic", "发展", "--json"), ("docs", "--json")):
        code, mods = loaded(tmp_path, "--db", str(small_db), *args)
        assert code == 0, args
        assert heavy_in(mods) == [], args


def test_human_search_loads_rich_only_to_render(tmp_path: Path, small_db: Path) -> None:
    code, mods = loaded(tmp_path, "--db", str(small_db), "search", "高质量发展")
    assert code == 0
    assert heavy_in(mods) == []


def test_version_and_import_open_no_database(tmp_path: Path) -> None:
    code, mods = loaded(tmp_path, "--version")
    assert code == 0
    # no corpus, no store, no index: `lunshu --version` and `import lunshu.cli` touch no database code
    assert heavy_in(mods, ("lunshu.corpus", "lunshu.store", "lunshu.index", "lunshu.search", "pydantic",
                          "rich", *HEAVY)) == []


def test_the_probe_sees_a_heavy_import(tmp_path: Path, small_db: Path) -> None:
    """The check can fail: `lunshu serve --help` does need the web stack's command, and `trace` rapidfuzz."""
    code, mods = loaded(tmp_path, "--db", str(small_db), "trace", "坚持以人民为中心的发展思想", "--json")
    assert code == 0
    assert "rapidfuzz" in heavy_in(mods)
