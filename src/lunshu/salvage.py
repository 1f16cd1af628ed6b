"""`lunshu check --repair` on a file with damaged pages: copy every row that can still be read
into a new database, rebuild what is derived, and put the new file in the old one's place.

Why this way: SQLite cannot rewrite a page it cannot read, and one damaged page makes every
statement that walks through it fail — a whole-table copy loses the whole table. Rows are read
by rowid ranges instead: a range that fails is split in two until each failing range is one row,
so a damaged leaf costs the rows on it and nothing beside it. The rowids to look for come from
the tables' own indexes when those can be read (so the rows lost are counted exactly), else from
the table's rowid range. A document whose original record (``raw``) cannot be read keeps its
metadata and text; a document whose paragraphs were partly lost keeps the ones left and is
marked, so that ``check`` keeps saying so and ingesting its source again restores it whole;
paragraphs whose document row was lost are kept under that document's id.

The damaged file is never deleted: it is kept beside the new one as ``NAME.damaged-TIMESTAMP``.
Everything derived (search index, speaker table, counts, caches) is rebuilt or recomputed.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from lunshu import index
from lunshu.errors import StoreError
from lunshu.identity import text_key
from lunshu.store import Store

# content_hash of a salvaged document that is not whole: never a real hash, so ingesting its
# source again updates it; `check` lists such documents until then
INCOMPLETE = "salvaged:incomplete"
NO_METADATA = "salvaged:no-metadata"
NO_RAW = "salvaged:no-raw"  # its original record, and the fields stored after it, could not be read
MARKS = (INCOMPLETE, NO_METADATA, NO_RAW)
_BIG_COLUMNS = ("raw",)
LOST_COLUMNS = "\0lost"  # key of a salvaged row: the columns that could not be read  # dropped from a row whose overflow pages cannot be read, before giving it up


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    try:
        return [str(r[1]) for r in conn.execute(f'PRAGMA table_info("{table}")')]
    except sqlite3.DatabaseError:
        return []


def _index_rowids(conn: sqlite3.Connection, table: str) -> list[int] | None:
    """The rowids an index of ``table`` lists (its rows as they were), or None when no index reads."""
    try:
        names = [str(r[1]) for r in conn.execute(f'PRAGMA index_list("{table}")')]
    except sqlite3.DatabaseError:
        return None
    for name in names:
        try:
            return sorted({int(r[0]) for r in conn.execute(f'SELECT rowid FROM "{table}" INDEXED BY "{name}"')})
        except sqlite3.DatabaseError:
            continue
    return None


def _rowid_span(conn: sqlite3.Connection, table: str) -> tuple[int, int] | None:
    try:
        row = conn.execute(f'SELECT min(rowid), max(rowid) FROM "{table}"').fetchone()
    except sqlite3.DatabaseError:
        return None
    return None if row[0] is None else (int(row[0]), int(row[1]))


_CHUNK = 2000  # rowids read in one statement while nothing fails


def read_rows(conn: sqlite3.Connection, table: str, columns: list[str],
              sink: Callable[[list[tuple[int, dict[str, Any]]]], None]) -> int | None:
    """Hand every readable row of ``table`` to ``sink`` (in rowid order, a batch at a time), and
    return how many of the rows it had were not readable (None when that cannot be known: none
    of its indexes could be read)."""
    cols = ", ".join(f'"{c}"' for c in columns)
    read = 0

    def fetch(lo: int, hi: int, cols_sql: str = cols, names: list[str] = columns,
              lost: list[str] | None = None) -> bool:
        nonlocal read
        # one row by equality: a range scan steps on to the next cell to see the range has ended,
        # and that cell may be the first of a damaged page
        where = "rowid = ?" if lo == hi else "rowid BETWEEN ? AND ?"
        try:
            got = conn.execute(f'SELECT rowid, {cols_sql} FROM "{table}" WHERE {where}',
                               (lo,) if lo == hi else (lo, hi)).fetchall()
        except sqlite3.DatabaseError:
            return False
        batch = [(int(r[0]), dict(zip(names, r[1:]))) for r in got]
        if lost:
            for _, row in batch:
                row[LOST_COLUMNS] = lost
        read += len(batch)
        if batch:
            sink(batch)
        return True

    def one(rowid: int) -> None:
        # a row whose big value (raw) runs on over a damaged overflow page: the columns stored
        # before it in the record can still be read (the ones after it are reached through it)
        big = [columns.index(b) for b in _BIG_COLUMNS if b in columns]
        small = columns[:min(big)] if big else columns
        if len(small) < len(columns):
            fetch(rowid, rowid, ", ".join(f'"{c}"' for c in small), small, [c for c in columns if c not in small])

    known = _index_rowids(conn, table)
    if known is not None:
        stack = [(i, min(i + _CHUNK, len(known))) for i in range(0, len(known), _CHUNK)][::-1]
        while stack:
            i, j = stack.pop()
            if i >= j or fetch(known[i], known[j - 1]):
                continue
            if j - i == 1:
                one(known[i])
            else:
                m = (i + j) // 2
                stack += [(m, j), (i, m)]
        return len(known) - read
    span = _rowid_span(conn, table)
    if span is None:  # the table cannot be entered at all (its root page is damaged)
        return None
    stack2 = [(lo, min(lo + _CHUNK - 1, span[1])) for lo in range(span[0], span[1] + 1, _CHUNK)][::-1]
    while stack2:
        lo, hi = stack2.pop()
        if lo > hi or fetch(lo, hi):
            continue
        if lo == hi:
            one(lo)
        else:
            m = (lo + hi) // 2
            stack2 += [(m + 1, hi), (lo, m)]
    return None


def _insert(c: sqlite3.Connection, table: str, wanted: list[str], rows: list[dict[str, Any]],
            *, rowid: list[int] | None = None) -> None:
    names = (["rowid"] if rowid is not None else []) + wanted
    values = [([rowid[k]] if rowid is not None else []) + [r.get(n) for n in wanted] for k, r in enumerate(rows)]
    c.executemany(f'INSERT OR IGNORE INTO "{table}" ({", ".join(names)}) VALUES ({", ".join("?" * len(names))})',
                  values)


def salvage(store: Store) -> dict[str, Any]:
    """Rebuild ``store``'s file from the rows that can be read. Returns what was kept and lost:
    ``{"documents", "paragraphs", "copies", "documents_lost", "paragraphs_lost", "raw_lost",
    "incomplete": [ids], "without_metadata": [ids], "damaged_copy"}`` (a ``*_lost`` count is None
    when it cannot be known, see :func:`read_rows`). Rows are written to the new file as they are
    read: memory holds a batch, not the database."""
    path = Path(store.path)
    tmp = path.with_name(path.name + ".salvage")
    for p in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        p.unlink(missing_ok=True)
    new = Store(tmp)
    old = store.conn
    if old.in_transaction:
        old.rollback()
    raw_lost = 0
    try:
        c = new.conn
        c.execute("PRAGMA foreign_keys = OFF")  # paragraphs may come whose document row is lost
        with new.transaction() as c:
            try:
                old.execute("BEGIN IMMEDIATE")  # nobody writes the damaged file while its rows are read
            except sqlite3.OperationalError:
                raise StoreError("another process is using the database: stop it, then run "
                                 "`lunshu check --repair` again", path=store.path) from None
            try:
                lost: dict[str, int | None] = {}
                for table in ("documents", "paragraphs", "copies"):
                    have = _columns(old, table)
                    wanted = [k for k in _columns(c, table) if k in have]
                    if not wanted:
                        lost[table] = None if table != "copies" else 0
                        continue

                    def sink(batch: list[tuple[int, dict[str, Any]]], table: str = table,
                             wanted: list[str] = wanted) -> None:
                        nonlocal raw_lost
                        whole = [(i, r) for i, r in batch if LOST_COLUMNS not in r]
                        for i, r in batch:
                            if LOST_COLUMNS in r:  # only the columns read (the others take their defaults)
                                raw_lost += 1
                                del r[LOST_COLUMNS]
                                if table == "documents":
                                    r["content_hash"] = NO_RAW
                                _insert(c, table, [k for k in wanted if k in r], [r],
                                        rowid=[i] if table == "documents" else None)
                        _insert(c, table, wanted, [r for _, r in whole],
                                rowid=[i for i, _ in whole] if table == "documents" else None)

                    lost[table] = read_rows(old, table, have, sink)
            finally:
                old.rollback()
            incomplete, without_metadata = _mend(c)
            from lunshu.check import _repair_store  # (check imports this module)

            _repair_store(c, {"numbering", "counts", "speakers"})
            index.rebuild(c)
            kept = {t: int(c.execute(f"SELECT count(*) FROM {t}").fetchone()[0])
                    for t in ("documents", "paragraphs", "copies")}
        c.execute("PRAGMA foreign_keys = ON")
        c.execute("PRAGMA journal_mode = DELETE")  # one self-contained file to move into place
    except BaseException:
        new.close()
        for p in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            p.unlink(missing_ok=True)
        raise
    new.close()
    store.close()
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
    damaged = path.with_name(f"{path.name}.damaged-{stamp}")
    os.replace(path, damaged)
    wal, shm = Path(f"{path}-wal"), Path(f"{path}-shm")
    if wal.exists():  # the damaged file's log goes with it: never applied to the new file
        os.replace(wal, Path(f"{damaged}-wal"))
    shm.unlink(missing_ok=True)
    os.replace(tmp, path)
    return {
        **kept,
        "documents_lost": lost["documents"],
        "paragraphs_lost": lost["paragraphs"],
        "raw_lost": raw_lost,
        "incomplete": incomplete,
        "without_metadata": without_metadata,
        "damaged_copy": str(damaged),
    }


def _mend(c: sqlite3.Connection) -> tuple[list[str], list[str]]:
    """After the copy: paragraphs of lost document rows get a document of their own (their id,
    no metadata), and documents that lost paragraphs are marked. Returns both lists of ids."""
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    orphans = [str(r[0]) for r in c.execute(
        "SELECT DISTINCT doc_id FROM paragraphs WHERE doc_id NOT IN (SELECT id FROM documents) ORDER BY doc_id")]
    c.executemany("INSERT INTO documents (id, genre, content_hash, ingested_at) VALUES (?, 'other', ?, ?)",
                  [(d, NO_METADATA, now) for d in orphans])
    incomplete = [str(r[0]) for r in c.execute(
        "SELECT d.id FROM documents d WHERE d.content_hash NOT IN (?, ?) AND d.n_paragraphs != "
        "(SELECT count(*) FROM paragraphs p WHERE p.doc_id = d.id) ORDER BY d.id", (NO_METADATA, NO_RAW))]
    c.executemany("UPDATE documents SET content_hash = ? WHERE id = ?", [(INCOMPLETE, d) for d in incomplete])
    no_raw = [str(r[0]) for r in c.execute("SELECT id FROM documents WHERE content_hash = ?", (NO_RAW,))]
    for doc_id in orphans + incomplete + no_raw:  # what the identity of the text left is now
        paras = [str(r[0]) for r in c.execute("SELECT text FROM paragraphs WHERE doc_id = ? ORDER BY n", (doc_id,))]
        c.execute("UPDATE documents SET text_key = ? WHERE id = ?", (text_key(paras), doc_id))
    return incomplete, orphans
