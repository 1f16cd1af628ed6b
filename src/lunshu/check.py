"""`lunshu check`: is the database whole, and do paragraphs, metadata and indexes agree?

Why it exists: a researcher's database outlives crashes, disk trouble and other tools writing to
the file (it is plain SQLite, open to Datasette and sqlite-utils). ``check`` says what is wrong
in words a person can act on; ``check(repair=True)`` rebuilds everything that is *derived* (the
search index, per-document counts, the speaker table, paragraph numbering) from what is
*original* (documents and their paragraphs), and never deletes a document.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
from typing import Any

from lunshu import index
from lunshu.salvage import MARKS, NO_METADATA, NO_RAW
from lunshu.store import Store

_MAX_LISTED = 20  # problems of one kind listed one by one; the rest are counted


def _listed(kind: list[str], total: int, what: str) -> list[str]:
    if total > len(kind):
        kind = [*kind, f"… and {total - len(kind)} more {what}"]
    return kind


def _fts_tables(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """(name, CREATE statement) of every FTS5 table in the database."""
    return [(str(r[0]), str(r[1] or "")) for r in conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%' "
        "AND lower(sql) LIKE '%using fts5%'")]


def _table_exists(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (name,)).fetchone() is not None


def index_problems(conn: sqlite3.Connection) -> list[str]:
    """Disagreements between the search indexes and the paragraphs they index."""
    problems: list[str] = []
    own = getattr(index, "check", None)
    if own is not None:
        try:
            problems.extend(own(conn))
        except sqlite3.DatabaseError as exc:  # damage deep enough that the index's own checks fail
            problems.append(f"search index is damaged: {exc}")
    main = getattr(index, "TABLE", None)
    for name, sql in _fts_tables(conn):
        if name != main:
            # an FTS table of another module: FTS5's own check (against its content, if external)
            external = re.search(r"content\s*=\s*'[^']+'", sql, re.IGNORECASE) is not None
            try:
                conn.execute(f'INSERT INTO "{name}" ("{name}", rank) VALUES (\'integrity-check\', ?)',
                             (1 if external else 0,))
            except sqlite3.DatabaseError as exc:
                problems.append(f"index {name} disagrees with the text: {exc}")
        elif own is None:
            try:
                conn.execute(f'INSERT INTO "{name}" ("{name}", rank) VALUES (\'integrity-check\', 1)')
            except sqlite3.DatabaseError as exc:
                problems.append(f"search index disagrees with the text: {exc}")
    # one indexed row per paragraph: rows deleted from (or left in) the index behind its back
    if main and _table_exists(conn, f"{main}_docsize"):
        indexed = int(conn.execute(f'SELECT count(*) FROM "{main}_docsize"').fetchone()[0])
        paragraphs = int(conn.execute("SELECT count(*) FROM paragraphs").fetchone()[0])
        if indexed != paragraphs:
            problems.append(f"search index holds {indexed} paragraphs but the store has {paragraphs}")
    return problems


def store_problems(conn: sqlite3.Connection) -> dict[str, list[str]]:
    """Problems of the stored documents themselves, by kind (each kind has its own repair)."""
    out: dict[str, list[str]] = {}
    integrity = [str(r[0]) for r in conn.execute("PRAGMA integrity_check")]
    if integrity != ["ok"]:
        out["sqlite"] = [f"sqlite: {x}" for x in integrity[:_MAX_LISTED]]
    orphans = int(conn.execute(
        "SELECT count(*) FROM paragraphs p WHERE NOT EXISTS (SELECT 1 FROM documents d WHERE d.id = p.doc_id)"
    ).fetchone()[0])
    if orphans:
        out["orphans"] = [f"{orphans} paragraphs belong to no document"]
    bad_counts = conn.execute(
        "SELECT d.id, d.n_paragraphs, count(p.id), d.chars, coalesce(sum(length(p.text)), 0) "
        "FROM documents d LEFT JOIN paragraphs p ON p.doc_id = d.id GROUP BY d.id "
        "HAVING d.n_paragraphs != count(p.id) OR d.chars != coalesce(sum(length(p.text)), 0)"
    ).fetchall()
    if bad_counts:
        out["counts"] = _listed([f"document {r[0]}: metadata says {r[1]} paragraphs/{r[3]} chars, "
                                 f"store has {r[2]}/{r[4]}" for r in bad_counts[:_MAX_LISTED]],
                                len(bad_counts), "documents")
    gaps = conn.execute(
        "SELECT doc_id FROM paragraphs GROUP BY doc_id HAVING min(n) != 1 OR max(n) != count(*)"
    ).fetchall()
    if gaps:
        out["numbering"] = _listed([f"document {r[0]}: paragraph numbers have gaps" for r in gaps[:_MAX_LISTED]],
                                   len(gaps), "documents")
    no_paras = conn.execute(  # (a document salvaged without its text is listed below, as such)
        "SELECT id FROM documents d WHERE NOT EXISTS (SELECT 1 FROM paragraphs p WHERE p.doc_id = d.id) "
        "AND content_hash IS NOT ? ", (MARKS[0],)
    ).fetchall()
    if no_paras:
        out["empty"] = _listed([f"document {r[0]}: has no paragraphs" for r in no_paras[:_MAX_LISTED]],
                               len(no_paras), "documents")
    marked = conn.execute("SELECT id, content_hash, origin, n_paragraphs FROM documents "
                          f"WHERE content_hash IN ({', '.join('?' * len(MARKS))}) ORDER BY id", MARKS).fetchall()
    if marked:
        said = {NO_METADATA: "its metadata was lost in a damaged file (its text was kept)",
                NO_RAW: "its original record (raw) and some fields were lost in a damaged file (its text was kept)"}
        out["salvaged"] = _listed(
            [f"document {r[0]}: " + said.get(r[1], f"part of its text was on a damaged page ({r[3]} paragraphs "
                                                   "remain)")
             + "; ingest its source again" + (f" ({r[2]})" if r[2] else "") for r in marked[:_MAX_LISTED]],
            len(marked), "documents")
    speakers = _speaker_mismatches(conn)
    if speakers:
        out["speakers"] = _listed([f"document {d}: speaker table disagrees with its metadata"
                                   for d in speakers[:_MAX_LISTED]], len(speakers), "documents")
    return out


def _speaker_mismatches(conn: sqlite3.Connection) -> list[str]:
    table: dict[str, list[str]] = {}
    for doc_id, speaker in conn.execute("SELECT doc_id, speaker FROM doc_speakers ORDER BY doc_id, rank"):
        table.setdefault(str(doc_id), []).append(str(speaker))
    bad = []
    for doc_id, speakers_json, primary in conn.execute("SELECT id, speakers, speaker FROM documents"):
        try:
            listed = [str(s) for s in dict.fromkeys(json.loads(speakers_json or "[]"))]
        except (ValueError, TypeError):
            listed = None
        have = table.pop(str(doc_id), [])
        if listed is None or listed != have or (listed[0] if listed else None) != primary:
            bad.append(str(doc_id))
    bad.extend(table)  # rows for documents that no longer exist
    return bad


def _repair_store(conn: sqlite3.Connection, kinds: set[str]) -> list[str]:
    done: list[str] = []
    if "sqlite" in kinds:
        conn.execute("REINDEX")
        done.append("rebuilt the SQLite indexes (REINDEX)")
    if "orphans" in kinds:
        n = conn.execute("DELETE FROM paragraphs WHERE doc_id NOT IN (SELECT id FROM documents)").rowcount
        done.append(f"removed {n} paragraphs that belonged to no document")
    if "numbering" in kinds:
        docs = [r[0] for r in conn.execute(
            "SELECT doc_id FROM paragraphs GROUP BY doc_id HAVING min(n) != 1 OR max(n) != count(*)").fetchall()]
        for doc_id in docs:
            ids = [r[0] for r in conn.execute("SELECT id FROM paragraphs WHERE doc_id = ? ORDER BY n, id", (doc_id,))]
            # two steps, so (doc_id, n) stays unique on the way: text order is kept
            conn.executemany("UPDATE paragraphs SET n = ? WHERE id = ?", [(-i, pid) for i, pid in enumerate(ids, 1)])
            conn.executemany("UPDATE paragraphs SET n = ? WHERE id = ?", [(i, pid) for i, pid in enumerate(ids, 1)])
        done.append(f"renumbered the paragraphs of {len(docs)} documents")
    if kinds & {"counts", "numbering", "orphans"}:
        conn.execute(
            "UPDATE documents SET n_paragraphs = (SELECT count(*) FROM paragraphs p WHERE p.doc_id = documents.id), "
            "chars = (SELECT coalesce(sum(length(text)), 0) FROM paragraphs p WHERE p.doc_id = documents.id)")
        done.append("recounted paragraphs and characters")
    if "speakers" in kinds:
        conn.execute("DELETE FROM doc_speakers")
        rows: list[tuple[str, str, int]] = []
        for doc_id, speakers_json in conn.execute("SELECT id, speakers FROM documents").fetchall():
            try:
                speakers = [str(s) for s in dict.fromkeys(json.loads(speakers_json or "[]"))]
            except (ValueError, TypeError):
                speakers = []
                conn.execute("UPDATE documents SET speakers = '[]' WHERE id = ?", (doc_id,))
            conn.execute("UPDATE documents SET speaker = ? WHERE id = ?", (speakers[0] if speakers else None, doc_id))
            rows.extend((doc_id, s, i) for i, s in enumerate(speakers))
        conn.executemany("INSERT INTO doc_speakers (doc_id, speaker, rank) VALUES (?,?,?)", rows)
        done.append("rebuilt the speaker table")
    return done


def _problems(conn: sqlite3.Connection, index_conn: sqlite3.Connection | None
              ) -> tuple[dict[str, list[str]], list[str]]:
    """Problems of the store (over ``conn``) and of the index (over ``index_conn``; None: not checked)."""
    try:
        return store_problems(conn), (index_problems(index_conn) if index_conn is not None else [])
    finally:
        # FTS5 checks are INSERT statements: the sqlite3 module opened a transaction for them,
        # which would hold the write lock and block every ingest until this connection closes
        for c in {id(conn): conn, id(index_conn): index_conn}.values():
            if c is not None and c.in_transaction:
                c.rollback()



def check(store: Store, *, repair: bool = False) -> dict[str, Any]:
    """``{"ok", "problems", "repaired", "fixed", "documents", "paragraphs", "chars"}``.

    ``problems`` are what is wrong *after* any repair; ``fixed`` says what the repair did.
    Documents without paragraphs cannot be repaired (their text is gone) and stay listed.
    """
    conn = store.conn
    notes: list[str] = []
    side = _index_connection(store, notes)
    try:
        found, idx = _problems(conn, side)
    except sqlite3.DatabaseError as exc:
        # damaged pages: the checks themselves cannot read the file. A problem report, not a crash
        return _damaged(store, conn, exc, repair)
    finally:
        if side is not None and side is not conn:
            side.close()
    fixed: list[str] = []
    if repair and (found or idx):
        try:
            with store.transaction() as c:
                fixed.extend(_repair_store(c, set(found)))
                index.rebuild(c)
                fixed.append("rebuilt the search index")
        except sqlite3.DatabaseError as exc:  # pages the repair itself cannot read or rewrite
            return _damaged(store, store.conn, exc, repair)
        found, idx = _problems(conn, conn)
    problems = [p for kind in found.values() for p in kind] + idx
    out = {"ok": not problems, "problems": problems, "repaired": bool(fixed), "fixed": fixed, **store.count()}
    if notes:
        out["notes"] = notes
    return out


def _damaged(store: Store, conn: sqlite3.Connection, exc: sqlite3.DatabaseError, repair: bool) -> dict[str, Any]:
    """The report for a file whose pages SQLite cannot read: what SQLite says is wrong, and the
    counts that can still be read. With ``repair``, every row that can still be read is copied
    into a new file that takes the damaged one's place (:mod:`lunshu.salvage`; the damaged file is
    kept beside it), and the report says what was kept and what was lost."""
    problems = [f"the database file is damaged: {exc}"]
    try:
        problems += [f"sqlite: {line}" for r in conn.execute("PRAGMA integrity_check(20)") if r[0] != "ok"
                     for line in str(r[0]).splitlines() if line.strip()]
    except sqlite3.DatabaseError:
        pass
    if repair:
        return _salvaged(store, problems)
    counts: dict[str, Any] = {}
    for key, sql in (("documents", "SELECT count(*) FROM documents"), ("paragraphs", "SELECT count(*) FROM paragraphs"),
                     ("chars", "SELECT coalesce(sum(chars), 0) FROM documents")):
        try:
            counts[key] = int(conn.execute(sql).fetchone()[0])
        except sqlite3.DatabaseError:
            counts[key] = None
    out: dict[str, Any] = {"ok": False, "problems": problems, "repaired": False, "fixed": [], **counts}
    out["notes"] = [("`lunshu check --repair` copies every row that can still be read into a new file "
                    "(the damaged one is kept beside it) and says what was lost")]
    return out


def _salvaged(store: Store, found_before: list[str]) -> dict[str, Any]:
    from lunshu.salvage import salvage

    s = salvage(store)
    exact = s["documents_lost"] is not None and s["paragraphs_lost"] is not None
    lost: list[str] = []
    if s["documents_lost"]:
        lost.append(f"{s['documents_lost']} document rows could not be read"
                    + (f" ({len(s['without_metadata'])} of them kept as text without metadata)"
                       if s["without_metadata"] else " and are lost"))
    if s["paragraphs_lost"]:
        lost.append(f"{s['paragraphs_lost']} paragraphs could not be read and are lost")
    if not exact:
        lost.append("how many rows the damaged pages held cannot be known (their indexes are damaged too)")
    if s["raw_lost"]:
        lost.append(f"the original record (raw) of {s['raw_lost']} documents could not be read")
    fixed = [(f"copied the rows that could be read into a new file: {s['documents']} documents, "
             f"{s['paragraphs']} paragraphs, {s['copies']} copies"),
             "rebuilt the search index, the speaker table, the paragraph numbers and counts",
             f"kept the damaged file as {s['damaged_copy']}"]
    found, idx = _problems(store.conn, store.conn)
    problems = [f"lost in the damaged file: {x}" for x in lost] + [p for kind in found.values() for p in kind] + idx
    out: dict[str, Any] = {"ok": not problems, "problems": problems, "repaired": True, "fixed": fixed,
                           **store.count(), "salvaged": s}
    out["notes"] = [f"before the repair: {found_before[0]}"]
    if s["incomplete"] or s["without_metadata"]:
        out["notes"].append("ingest the sources of the documents listed again to restore them whole")
    return out


def _index_connection(store: Store, notes: list[str]) -> sqlite3.Connection | None:
    """Where the search index can be checked: FTS5's own check is an INSERT (rolled back, it
    changes nothing), which a read-only connection refuses. A read-only store checks it over a
    short-lived second connection when the file may be written, else says it could not."""
    if not store.readonly:
        return store.conn
    folder = os.path.dirname(os.path.abspath(store.path)) or "."
    if os.access(store.path, os.W_OK) and os.access(folder, os.W_OK):
        try:
            conn = sqlite3.connect(store.path, timeout=1)
        except sqlite3.DatabaseError:
            conn = None
        if conn is not None:
            try:
                conn.execute("BEGIN IMMEDIATE")  # held until _problems rolls it back
                return conn
            except sqlite3.OperationalError:  # another process is writing: do not wait for it
                conn.close()
                notes.append("the search index was not verified: another process is writing the database; "
                             "the stored documents were checked")
                return None
    notes.append("the search index was not verified: its check needs write access to the file "
                 "(nothing is written); the stored documents were checked")
    return None
