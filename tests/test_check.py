"""`lunshu check`: the database is whole and paragraphs, metadata and indexes agree; what is
derived is rebuilt by `--repair`, what is lost is reported, never hidden.

Damage is done behind the store's back with plain SQL, as another tool or a disk fault would.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from test_crash import make_records, write_jsonl

from lunshu.check import check
from lunshu.corpus import Corpus
from lunshu.store import Store

TIMEOUT = 300


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "LUNSHU_DEBUG"}


@pytest.fixture
def small_db(tmp_path: Path) -> Path:
    src = tmp_path / "small.jsonl"
    write_jsonl(src, make_records(60, seed=3))
    db = tmp_path / "small.db"
    with Corpus(db) as c:
        rep = c.ingest([str(src)])
    assert rep.added == 60
    return db


def _cli(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "lunshu.cli", "--db", str(db), *args], check=False, capture_output=True,
                          text=True, timeout=TIMEOUT, env=_env())


def _search_count(db: Path, phrase: str) -> int | None:
    """Paragraphs the search finds, or None while the search module is not there yet."""
    if importlib.util.find_spec("lunshu.search") is None:
        return None
    with Corpus(db) as c:
        return int(c.search(phrase, limit=1).total)


def _fts_tables(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                       "AND lower(sql) LIKE 'create virtual table%using fts5%'")]


def test_check_detects_and_repairs_a_damaged_index(small_db: Path) -> None:
    r = _cli(small_db, "check", "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["ok"], r.stdout + r.stderr
    phrase = "数字政务建设"
    conn = sqlite3.connect(small_db)
    expected = conn.execute("SELECT count(*) FROM paragraphs WHERE instr(text, ?) > 0", (phrase,)).fetchone()[0]
    conn.close()
    before = _search_count(small_db, phrase)
    assert before in (None, expected) and expected > 0

    # damage behind the store's back: rows of the FTS tables' own storage deleted
    conn = sqlite3.connect(small_db)
    tables = _fts_tables(conn)
    assert tables
    for t in tables:
        conn.execute(f'DELETE FROM "{t}_docsize" WHERE rowid IN (SELECT rowid FROM "{t}_docsize" '
                     f"ORDER BY rowid LIMIT 5)")
        conn.execute(f'DELETE FROM "{t}_data" WHERE rowid IN (SELECT rowid FROM "{t}_data" '
                     f"ORDER BY rowid DESC LIMIT 3)")
    conn.commit()
    conn.close()

    r = _cli(small_db, "check", "--json")
    assert r.returncode == 1
    out = json.loads(r.stdout)
    assert not out["ok"] and out["problems"]
    assert "Traceback" not in r.stderr

    r = _cli(small_db, "check", "--repair", "--json")
    assert r.returncode == 0, r.stdout + r.stderr
    out = json.loads(r.stdout)
    assert out["ok"] and out["repaired"], out
    assert _cli(small_db, "check", "--json").returncode == 0
    assert _search_count(small_db, phrase) == before


def test_check_detects_and_repairs_damaged_metadata(small_db: Path) -> None:
    conn = sqlite3.connect(small_db)
    ids = [r[0] for r in conn.execute("SELECT id FROM documents ORDER BY id LIMIT 4")]
    conn.execute("UPDATE documents SET n_paragraphs = n_paragraphs + 3, chars = 1 WHERE id = ?", (ids[0],))
    pid = conn.execute("SELECT min(id) FROM paragraphs WHERE doc_id = ?", (ids[1],)).fetchone()[0]
    conn.execute("DELETE FROM paragraphs WHERE id = ?", (pid,))  # a paragraph lost: a gap, stale index
    conn.execute("DELETE FROM doc_speakers WHERE doc_id IN (SELECT id FROM documents)")
    conn.execute("UPDATE documents SET speakers = '[\"林望川\"]', speaker = '林望川' WHERE id = ?", (ids[2],))
    conn.commit()
    conn.close()

    with Corpus(small_db) as c:
        found = c.check()
        assert not found["ok"]
        text = " ".join(found["problems"])
        assert ids[0] in text and ids[1] in text
        fixed = c.check(repair=True)
        assert fixed["ok"], fixed["problems"]
        assert fixed["repaired"]
        doc = c.get(ids[1])
        assert len(doc.paragraphs) >= 1
        assert _paragraph_numbers(c, ids[1]) == list(range(1, len(doc.paragraphs) + 1))
        assert c.docs(speaker="林望川")[0].id == ids[2]


def _paragraph_numbers(c: Corpus, doc_id: str) -> list[int]:
    return [int(r[0]) for r in c.store.execute("SELECT n FROM paragraphs WHERE doc_id = ? ORDER BY n", (doc_id,))]


def test_a_document_without_paragraphs_is_reported_not_hidden(small_db: Path) -> None:
    conn = sqlite3.connect(small_db)
    doc_id = conn.execute("SELECT id FROM documents ORDER BY id LIMIT 1").fetchone()[0]
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("DELETE FROM paragraphs WHERE doc_id = ?", (doc_id,))
    conn.commit()
    conn.close()
    with Corpus(small_db) as c:
        result = c.check(repair=True)
    assert not result["ok"]
    assert any(doc_id in p and "no paragraphs" in p for p in result["problems"])
    r = _cli(small_db, "check", "--repair", "--json")
    assert r.returncode == 1  # what cannot be repaired keeps the exit code honest


def test_check_on_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    bad = tmp_path / "not.db"
    bad.write_bytes(b"this is not sqlite" * 100)
    r = _cli(bad, "check", "--json")
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert json.loads(r.stdout)["error"]["code"] == "store_error"


def test_a_fresh_database_is_ok(tmp_path: Path) -> None:
    result = check(Store(tmp_path / "new.db"))
    assert result == {"ok": True, "problems": [], "repaired": False, "fixed": [], "documents": 0,
                      "paragraphs": 0, "chars": 0}


def test_check_leaves_no_lock_behind(small_db: Path) -> None:
    """The FTS5 checks are INSERT statements: the connection must not keep the write lock."""
    with Corpus(small_db) as c:
        assert c.check()["ok"]
        other = sqlite3.connect(small_db, timeout=0.5)
        try:
            other.execute("BEGIN IMMEDIATE")  # would raise "database is locked"
            other.execute("ROLLBACK")
        finally:
            other.close()


def test_orphan_paragraphs_are_found_and_removed(small_db: Path) -> None:
    conn = sqlite3.connect(small_db)
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("INSERT INTO paragraphs (doc_id, n, text) VALUES ('no-such-doc', 1, '无主段落')")
    conn.commit()
    conn.close()
    with Corpus(small_db) as c:
        found = c.check()
        assert not found["ok"] and any("belong to no document" in p for p in found["problems"])
        fixed = c.check(repair=True)
        assert fixed["ok"], fixed["problems"]
        assert not c.store.execute("SELECT 1 FROM paragraphs WHERE doc_id = 'no-such-doc'").fetchall()


def test_many_problems_are_summarised(small_db: Path) -> None:
    conn = sqlite3.connect(small_db)
    conn.execute("UPDATE documents SET chars = chars + 1")
    conn.commit()
    conn.close()
    with Corpus(small_db) as c:
        problems = c.check()["problems"]
    assert len(problems) == 21 and problems[-1].startswith("… and 40 more")


@pytest.mark.parametrize("damage", ["fts_docsize", "fts_data", "index_keys", "fts_delete_all"])
def test_each_kind_of_index_damage_is_detected_and_repaired(small_db: Path, damage: str) -> None:
    from lunshu import index

    table = index.TABLE
    conn = sqlite3.connect(small_db)
    if damage == "fts_docsize":
        conn.execute(f'DELETE FROM "{table}_docsize" WHERE rowid IN (SELECT rowid FROM "{table}_docsize" LIMIT 5)')
    elif damage == "fts_data":
        conn.execute(f'DELETE FROM "{table}_data" WHERE rowid IN '
                     f'(SELECT rowid FROM "{table}_data" ORDER BY rowid DESC LIMIT 3)')
    elif damage == "index_keys":
        conn.execute(f'DELETE FROM "{index.KEYS}" WHERE rowid IN (SELECT rowid FROM "{index.KEYS}" LIMIT 5)')
    else:
        conn.execute(f"INSERT INTO \"{table}\" (\"{table}\") VALUES ('delete-all')")
    conn.commit()
    conn.close()
    with Corpus(small_db) as c:
        found = c.check()
        assert not found["ok"] and found["problems"], damage
        fixed = c.check(repair=True)
        assert fixed["ok"] and fixed["fixed"], fixed
        assert c.check() == {**fixed, "repaired": False, "fixed": []}
