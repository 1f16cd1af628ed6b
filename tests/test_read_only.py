"""Reading never writes (issue #20 item 2): read commands and the server's GET requests open the
database read-only: no migration, no table created, the file unchanged; they work on a read-only
file system, never wait behind a writer, and a SQLite file that is not lunshu's is refused as it is.
Everything runs the real CLI (and a real server) on a real database file."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from conftest import SEEDS, requires_shared, run_cli

TOPIC = "网络空间"
READS = [["search", TOPIC, "--json"], ["docs", "--json"], ["export", "--format", "jsonl"], ["check", "--json"],
         ["kwic", TOPIC, "--json"], ["timeline", TOPIC, "--json"], ["quotes", "--json"],
         ["trace", "网络空间是人类共同的活动空间", "--json"], ["compile", TOPIC, "--format", "json"]]


def sha1(p: Path) -> str:
    return hashlib.sha1(p.read_bytes()).hexdigest()


def tables(db: Path) -> list[str]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return sorted(str(r[0]) for r in conn.execute("SELECT name FROM sqlite_master"))
    finally:
        conn.close()


def checkpoint(db: Path) -> None:
    """Everything in the main file, the WAL emptied: the file's checksum is then the whole state."""
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


@pytest.fixture(scope="module")
def seeds_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not SEEDS.is_dir():
        pytest.skip("seeds not found")
    db = tmp_path_factory.mktemp("ro") / "seeds.db"
    r = run_cli("ingest", str(SEEDS), db=db)
    assert r.returncode == 0, r.stderr
    checkpoint(db)
    return db


def first_id(db: Path) -> str:
    return str(json.loads(run_cli("docs", "--json", db=db).stdout)[0]["id"])


@requires_shared
def test_read_commands_leave_the_file_as_it_was(seeds_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "copy.db"
    shutil.copy(seeds_db, db)
    before, names = sha1(db), tables(db)
    for args in [*READS, ["show", first_id(db), "--json"]]:
        r = run_cli(*args, db=db)
        assert r.returncode == 0, (args, r.stderr)
        checkpoint(db)
        assert sha1(db) == before, f"`{' '.join(args)}` changed the database file"
    assert tables(db) == names


def _old_schema(db: Path) -> None:
    """The file as lunshu before the cache tables came with the schema left it."""
    from lunshu.store import READABLE_FROM

    conn = sqlite3.connect(db)
    for t in ("analysis_meta", "analysis_df", "analysis_phrases", "analysis_segmented", "analysis_segments",
              "reuse_links", "reuse_docs"):
        conn.execute(f"DROP TABLE IF EXISTS {t}")
    conn.execute("UPDATE lunshu_meta SET value = ? WHERE key = 'schema_version'", (str(READABLE_FROM),))
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


@requires_shared
def test_an_older_file_is_read_without_being_upgraded(seeds_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    shutil.copy(seeds_db, db)
    _old_schema(db)
    before = sha1(db)
    doc = first_id(db)
    for args in (["search", TOPIC, "--json"], ["keywords", doc, "--json"], ["reuse", "--doc", doc, "--json"],
                 ["check", "--json"]):
        r = run_cli(*args, db=db)
        assert r.returncode == 0, (args, r.stderr)
    checkpoint(db)
    assert sha1(db) == before
    assert "reuse_links" not in tables(db)
    # a command that writes upgrades it
    assert run_cli("check", "--repair", "--json", db=db).returncode == 0
    assert "reuse_links" in tables(db)


def _serve(db: Path, *extra: str, wrapper: list[str] | None = None) -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k != "LUNSHU_DEBUG"}
    cmd = [*(wrapper or []), sys.executable, "-m", "lunshu.cli", "--db", str(db), "serve", "--port", str(port), *extra]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        if proc.poll() is not None:
            raise AssertionError(proc.stderr.read().decode() if proc.stderr else "server exited")
        try:
            httpx.get(url + "/api/stats", timeout=2)
            return proc, url
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise AssertionError("server did not start")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    if proc.stderr:
        proc.stderr.close()


@requires_shared
def test_get_requests_create_no_table(seeds_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "served.db"
    shutil.copy(seeds_db, db)
    names = tables(db)
    proc, url = _serve(db)
    try:
        doc = first_id(db)
        for path in (f"/docs/{doc}", f"/api/keywords/{doc}", f"/api/reuse?doc={doc}", f"/api/search?q={TOPIC}",
                     f"/api/collocates?term={TOPIC}", f"/api/timeline?term={TOPIC}"):
            r = httpx.get(url + path, timeout=300)
            assert r.status_code == 200, (path, r.text[:300])
    finally:
        _stop(proc)
    assert tables(db) == names


# -- a read-only file system: a private mount namespace with the folder bind-mounted read-only ------------
def _ro_wrapper(folder: Path) -> list[str]:
    script = 'd="$1"; shift; mount --bind "$d" "$d" && mount -o remount,ro,bind "$d" "$d" && exec "$@"'
    return ["unshare", "-m", "sh", "-c", script, "sh", str(folder)]


@pytest.fixture
def ro_folder(seeds_db: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "ro"
    folder.mkdir()
    shutil.copy(seeds_db, folder / "seeds.db")
    probe = subprocess.run([*_ro_wrapper(folder), "sh", "-c", f"! touch {folder}/x"], capture_output=True, check=False)
    if shutil.which("unshare") is None or probe.returncode != 0:
        pytest.skip("cannot make a read-only mount here (needs unshare -m and mount)")
    return folder


def _cli_ro(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "LUNSHU_DEBUG"}
    cmd = [*_ro_wrapper(folder), sys.executable, "-m", "lunshu.cli", "--db", str(folder / "seeds.db"), *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=env, check=False)


@requires_shared
def test_every_read_command_works_on_a_read_only_file_system(ro_folder: Path) -> None:
    doc = first_id(ro_folder / "seeds.db")
    for args in [*READS, ["show", doc, "--json"], ["keywords", doc, "--json"], ["reuse", "--doc", doc, "--json"],
                 ["collocates", TOPIC, "--json"]]:
        r = _cli_ro(ro_folder, *args)
        assert r.returncode == 0, (args, r.stderr)
    check = json.loads(_cli_ro(ro_folder, "check", "--json").stdout)
    assert check["ok"] and check["documents"] == 5


@requires_shared
def test_writing_to_a_read_only_file_system_is_one_clear_line(ro_folder: Path) -> None:
    r = _cli_ro(ro_folder, "ingest", str(SEEDS / "000.txt"))
    assert r.returncode == 1
    assert r.stderr.count("\n") == 1 and "read-only" in r.stderr, r.stderr
    assert "Traceback" not in r.stderr


@requires_shared
def test_serve_on_a_read_only_file_system(ro_folder: Path) -> None:
    doc = first_id(ro_folder / "seeds.db")
    proc, url = _serve(ro_folder / "seeds.db", wrapper=_ro_wrapper(ro_folder))
    try:
        for path in (f"/api/search?q={TOPIC}", f"/docs/{doc}", f"/api/reuse?doc={doc}", f"/api/keywords/{doc}"):
            r = httpx.get(url + path, timeout=300)
            assert r.status_code == 200, (path, r.text[:300])
    finally:
        _stop(proc)


@requires_shared
def test_readers_never_wait_behind_a_writer(seeds_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "busy.db"
    shutil.copy(seeds_db, db)
    writer = sqlite3.connect(db, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # a writer in the middle of a long transaction
    writer.execute("INSERT OR REPLACE INTO lunshu_meta (key, value) VALUES ('busy', '1')")
    try:
        for args in (["search", TOPIC, "--json"], ["docs", "--json"], ["check", "--json"]):
            # (the subprocess timeout only stops a hang: a reader that waited for the lock took 30 s and failed)
            r = subprocess.run([sys.executable, "-m", "lunshu.cli", "--db", str(db), *args], capture_output=True,
                               text=True, timeout=25, check=False)
            assert r.returncode == 0, (args, r.stderr)
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_a_sqlite_file_that_is_not_lunshus_is_refused_unchanged(tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE people (name TEXT)")
    conn.execute("INSERT INTO people VALUES ('x')")
    conn.commit()
    conn.close()
    before = sha1(other)
    src = tmp_path / "a.txt"
    src.write_text("林望川在东岚市数字经济工作会议上强调，要以数字化改革撬动各领域改革。", encoding="utf-8")
    for args in (["search", "x"], ["docs"], ["ingest", str(src)], ["check", "--repair"]):
        r = run_cli(*args, db=other)
        assert r.returncode == 1, args
        assert r.stderr.count("\n") == 1 and "not a lunshu database" in r.stderr, r.stderr
    assert sha1(other) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "other.sqlite"]  # no -wal, no journal


def test_a_file_that_is_not_sqlite_is_refused_unchanged(tmp_path: Path) -> None:
    other = tmp_path / "notes.db"
    other.write_text("these are my notes\n", encoding="utf-8")
    for args in (["search", "x", "--json"], ["ingest", str(other), "--json"]):
        r = run_cli(*args, db=other)
        assert r.returncode == 1
        assert json.loads(r.stdout)["error"]["code"] == "store_error"
        assert "not a lunshu database" in r.stderr
    assert other.read_text(encoding="utf-8") == "these are my notes\n"
