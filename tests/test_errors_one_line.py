"""Every error is one clear line (issue #20 items 5 and 6, issue #15 items 7 and 8): the real CLI
and a real server on hostile values; usage errors exit 2, other errors exit 1, never
"internal error"; every JSON error code is one the documentation lists."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import ROOT, run_cli
from web_support import LiveServer, build_small_db, live_server

from lunshu.web.app import create_app

S1 = "林望川在东岚市数字经济工作会议上强调，要以数字化改革撬动各领域改革。"
S2 = "东岚数字论坛已经成为区域数字合作的重要平台。"
HUGE = "9" * 30


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("errs")
    src = d / "in.jsonl"
    src.write_text("".join(json.dumps({"title": f"第{i}篇", "date": f"201{i}-05-0{i + 1}", "text": f"{S1}{i}"},
                                      ensure_ascii=False) + "\n" for i in range(5)), encoding="utf-8")
    r = run_cli("ingest", str(src), db=d / "t.db")
    assert r.returncode == 0, r.stderr
    return d / "t.db"


def one_line(r: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in r.stderr and "internal error" not in r.stderr, r.stderr
    return r.stderr


@pytest.mark.parametrize("args", [["search", "数字", "--limit", HUGE], ["search", "数字", "--offset", HUGE],
                                  ["docs", "--limit", HUGE], ["docs", "--offset", HUGE], ["kwic", "数字", "--limit", HUGE],
                                  ["trace", S1, "--limit", HUGE], ["keywords", "x", "--top", HUGE]])
def test_huge_numbers_are_usage_errors(db: Path, args: list[str]) -> None:
    r = run_cli(*args, db=db)
    assert r.returncode == 2, r.stderr
    one_line(r)


@pytest.mark.parametrize("value", ["1450000000", "20151216", "2020-02-30", "yesterday"])
def test_a_filter_date_is_a_date(db: Path, value: str) -> None:
    r = run_cli("search", "数字", "--from", value, db=db)
    assert r.returncode == 2, (value, r.stdout[:200])
    assert "not a date" in one_line(r)


def test_unwritable_output_paths_are_one_line(db: Path, tmp_path: Path) -> None:
    for out in (tmp_path / "missing" / "x.jsonl", tmp_path):
        for fmt in ("jsonl", "csv", "parquet"):
            r = run_cli("export", "--format", fmt, "--out", str(out), "--json", db=db)
            assert r.returncode == 1, (out, fmt)
            assert r.stderr.count("\n") == 1 and str(out) in one_line(r)
            assert json.loads(r.stdout)["error"]["code"] in documented_codes()
    r = run_cli("compile", "数字", "--format", "md", "--out", str(tmp_path / "missing" / "c.md"), db=db)
    assert r.returncode == 1 and r.stderr.count("\n") == 1
    one_line(r)
    assert not (tmp_path / "missing").exists()


def test_offset_without_a_limit_is_honoured(db: Path) -> None:
    all_ids = [d["id"] for d in json.loads(run_cli("docs", "--json", db=db).stdout)]
    assert [d["id"] for d in json.loads(run_cli("docs", "--offset", "2", "--json", db=db).stdout)] == all_ids[2:]


def test_front_matter_with_an_impossible_date_is_a_document_without_date(tmp_path: Path) -> None:
    f = tmp_path / "a.md"
    f.write_text(f"---\ntitle: 不可能的日期\ndate: 2020-02-30\n---\n\n{S1}\n", encoding="utf-8")
    r = run_cli("ingest", str(f), "--json", db=tmp_path / "t.db")
    assert r.returncode == 0, r.stdout
    docs = json.loads(run_cli("docs", "--json", db=tmp_path / "t.db").stdout)
    assert [(d["title"], d["date"]) for d in docs] == [("不可能的日期", None)]


def test_a_jsonl_file_holding_a_json_array(tmp_path: Path) -> None:
    f = tmp_path / "a.jsonl"
    f.write_text(json.dumps([{"text": S1}, {"text": S2}], ensure_ascii=False) + "\n", encoding="utf-8")
    r = run_cli("ingest", str(f), "--json", db=tmp_path / "t.db")
    assert r.returncode == 0 and json.loads(r.stdout)["added"] == 2, r.stdout
    f.write_text(json.dumps([{"text": S1}], ensure_ascii=False)[:-1] + "\n", encoding="utf-8")  # no closing ]
    r = run_cli("ingest", str(f), "--json", db=tmp_path / "t2.db")
    rep = json.loads(r.stdout)
    assert r.returncode == 1 and len(rep["failed"]) == 1 and "internal" not in rep["failed"][0]["error"]


def _full_disk(folder: Path) -> list[str] | None:
    script = 'd="$1"; shift; mount -t tmpfs -o size=1m tmpfs "$d" && exec "$@"'
    wrapper = ["unshare", "-m", "sh", "-c", script, "sh", str(folder)]
    if shutil.which("unshare") is None or subprocess.run([*wrapper, "true"], capture_output=True,
                                                         check=False).returncode != 0:
        return None
    return wrapper


def test_a_full_disk_during_ingest_is_one_line(tmp_path: Path) -> None:
    small = tmp_path / "small"
    small.mkdir()
    wrapper = _full_disk(small)
    if wrapper is None:
        pytest.skip("cannot mount a small tmpfs here (needs unshare -m)")
    src = tmp_path / "big.jsonl"
    src.write_text("".join(json.dumps({"id": f"d{i}", "text": f"第{i}篇。" + S1 * 40 + str(i)}, ensure_ascii=False)
                           + "\n" for i in range(600)), encoding="utf-8")
    r = subprocess.run([*wrapper, sys.executable, "-m", "lunshu.cli", "--db", str(small / "t.db"), "ingest", str(src),
                        "--json", "--quiet"], capture_output=True, text=True, timeout=600, check=False)
    assert r.returncode == 1
    assert r.stderr.count("\n") == 1 and "disk is full" in one_line(r), r.stderr[:2000]
    assert json.loads(r.stdout)["error"]["code"] == "store_error"


def test_a_full_disk_during_export_leaves_no_partial_file(db: Path, tmp_path: Path) -> None:
    small = tmp_path / "small"
    small.mkdir()
    wrapper = _full_disk(small)
    if wrapper is None:
        pytest.skip("cannot mount a small tmpfs here (needs unshare -m)")
    big = tmp_path / "big.db"
    src = tmp_path / "big.jsonl"
    src.write_text("".join(json.dumps({"id": f"d{i}", "text": f"第{i}篇。" + S1 * 40 + str(i)}, ensure_ascii=False)
                           + "\n" for i in range(600)), encoding="utf-8")
    assert run_cli("ingest", str(src), db=big).returncode == 0
    out = small / "export.jsonl"
    script = f'"$0" -m lunshu.cli --db {big} export --out {out}; rc=$?; ls -A {small}; exit $rc'
    r = subprocess.run([*wrapper, "sh", "-c", script, sys.executable], capture_output=True, text=True, timeout=600,
                       check=False)
    assert r.returncode == 1
    assert r.stderr.count("\n") == 1 and "nothing was written" in one_line(r), r.stderr
    assert r.stdout.strip() == ""  # the folder is empty: no partial export


# -- the server ----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    small = build_small_db(tmp_path_factory.mktemp("errs-web") / "w.db")
    with live_server(create_app(str(small))) as s:
        yield s


@pytest.mark.parametrize("path", ["/api/docs?offset=1e23", f"/api/docs?offset={HUGE}", f"/api/docs?limit={HUGE}",
                                  f"/api/search?q=数字&offset={HUGE}", f"/api/search?q=数字&limit={HUGE}",
                                  f"/docs?offset={HUGE}", f"/?q=数字&offset={HUGE}", f"/api/collocates?term=数字&min_freq={HUGE}",
                                  "/api/search?q=数字&from=1450000000", "/api/docs?from=1450000000",
                                  "/api/docs?to=2020-02-30"])
def test_hostile_parameter_values_are_4xx(server: LiveServer, path: str) -> None:
    r = httpx.get(server.url + path, timeout=60)
    assert 400 <= r.status_code < 500, (path, r.status_code, r.text[:300])
    if path.startswith("/api/"):
        assert r.json()["error"]["code"] in documented_codes()


def test_every_feature_is_in_the_build(server: LiveServer) -> None:
    """No route answers 501 "not in this build" (the build-order scaffolding is gone)."""
    for path in ("/api/collocates?term=数字", "/api/timeline?term=数字", "/api/kwic?term=数字", "/api/quotes",
                 "/api/reuse", "/api/compile?topic=数字"):
        r = httpx.get(server.url + path, timeout=300)
        assert r.status_code == 200, (path, r.text[:300])


# -- error codes -----------------------------------------------------------------------------------------
def documented_codes() -> set[str]:
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    m = re.search(r"Error codes:(.*?)\n\n", text, re.DOTALL)
    assert m, "docs/cli.md lists the error codes after 'Error codes:'"
    return set(re.findall(r"`([a-z_]+)`", m.group(1)))


def test_every_error_code_is_documented() -> None:
    import lunshu.budget
    import lunshu.web.api
    import lunshu.web.common
    from lunshu.errors import LunshuError
    from lunshu.web import app, limits

    def subclasses(c: type) -> Iterator[type]:
        for s in c.__subclasses__():
            yield s
            yield from subclasses(s)

    del lunshu
    codes = {c.code for c in subclasses(LunshuError)} | set(app._CODES.values()) | {"internal", "io_error", LunshuError.code}
    source = Path(limits.__file__).read_text(encoding="utf-8")
    codes |= set(re.findall(r'"code": "([a-z_]+)"', source))
    missing = codes - documented_codes()
    assert not missing, f"error codes not in docs/cli.md: {sorted(missing)}"


def test_a_damaged_page_is_a_problem_report_not_a_crash(tmp_path: Path) -> None:
    import sqlite3

    db = tmp_path / "t.db"
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"text": f"{S1}{i}" * 20}, ensure_ascii=False) + "\n" for i in range(50)),
                   encoding="utf-8")
    assert run_cli("ingest", str(src), db=db).returncode == 0
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'paragraphs'").fetchone()[0]
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    n_paras = conn.execute("SELECT count(*) FROM paragraphs").fetchone()[0]
    conn.close()
    data = bytearray(db.read_bytes())
    data[(root - 1) * size:(root - 1) * size + 8] = b"\x0d" + b"\xff" * 7  # the table's root page, broken
    db.write_bytes(bytes(data))
    r = run_cli("search", "数字", "--json", db=db)
    assert r.returncode == 1 and r.stderr.count("\n") == 1
    assert json.loads(r.stdout)["error"]["code"] == "store_error" and "lunshu check" in one_line(r)
    for args in (["check", "--json"], ["check", "--repair", "--json"]):
        r = run_cli(*args, db=db)
        assert r.returncode == 1
        report = json.loads(r.stdout)
        assert not report["ok"] and "damaged" in report["problems"][0]
        one_line(r)
    # the table's root page was damaged: none of its rows can be reached, and the repair says so
    # (counted from the table's own index); the documents are kept (tests/test_salvage.py has the rest)
    assert (report["salvaged"]["paragraphs"], report["salvaged"]["paragraphs_lost"]) == (0, n_paras)
    assert report["documents"] == 50 and run_cli("search", "数字", db=db).returncode == 0


def test_a_search_page_past_the_last_hit_says_so(server: LiveServer) -> None:
    r = httpx.get(server.url + "/", params={"q": "数字", "offset": 100000}, timeout=60)
    assert r.status_code == 200
    assert "past the last" in r.text and "No paragraph contains" not in r.text
    first = httpx.get(server.url + "/", params={"q": "数字"}, timeout=60)
    assert "past the last" not in first.text
