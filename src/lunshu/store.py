"""The SQLite store: the one module that owns the schema of documents and paragraphs.

One file, plain tables (documents, paragraphs) that Datasette, sqlite-utils or DuckDB can open;
search indexes live beside them (see ``index.py``) and are written in the same transaction as
the paragraphs they index, so a document is either wholly present or absent.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import quote

from lunshu import index
from lunshu.errors import NotFoundError, StoreError
from lunshu.identity import text_key
from lunshu.models import Document

SCHEMA_VERSION = 7

_MIGRATIONS: dict[int, list[str]] = {
    1: [
        """CREATE TABLE IF NOT EXISTS documents (
            id TEXT PRIMARY KEY,
            title TEXT,
            date TEXT,               -- ISO, possibly reduced precision: 2015-12-16, 2015-12, 1954
            year INTEGER,
            speakers TEXT NOT NULL DEFAULT '[]',   -- JSON array, primary speaker first
            speaker TEXT,            -- the primary speaker, for filters and facets
            occasion TEXT,
            genre TEXT NOT NULL DEFAULT 'other',
            source TEXT,
            url TEXT,
            keywords TEXT NOT NULL DEFAULT '[]',
            publisher_keywords TEXT NOT NULL DEFAULT '[]',
            reporters TEXT NOT NULL DEFAULT '[]',
            origin TEXT,
            content_hash TEXT,
            raw TEXT,
            n_paragraphs INTEGER NOT NULL DEFAULT 0,
            chars INTEGER NOT NULL DEFAULT 0,
            ingested_at TEXT
        )""",
        "CREATE INDEX IF NOT EXISTS documents_date ON documents(date)",
        "CREATE INDEX IF NOT EXISTS documents_genre ON documents(genre)",
        "CREATE INDEX IF NOT EXISTS documents_speaker ON documents(speaker)",
        """CREATE TABLE IF NOT EXISTS paragraphs (
            id INTEGER PRIMARY KEY,
            doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            n INTEGER NOT NULL,      -- 1-based position in the document
            text TEXT NOT NULL,
            UNIQUE (doc_id, n)
        )""",
        """CREATE TABLE IF NOT EXISTS doc_speakers (
            doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            speaker TEXT NOT NULL,
            rank INTEGER NOT NULL,
            PRIMARY KEY (doc_id, speaker)
        )""",
        "CREATE INDEX IF NOT EXISTS doc_speakers_speaker ON doc_speakers(speaker)",
    ],
    # 2: the day a text says it was delivered, when it was published later (trace checks against both)
    2: ["ALTER TABLE documents ADD COLUMN delivered TEXT"],
    # 3: the editor in charge (责任编辑) a record names; whether the paragraphs were inferred from run-on text
    3: ["ALTER TABLE documents ADD COLUMN editor TEXT",
        "ALTER TABLE documents ADD COLUMN paragraphs_inferred INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE documents ADD COLUMN place TEXT",
        "ALTER TABLE documents ADD COLUMN roles TEXT NOT NULL DEFAULT '{}'"],
    # 4: books — the printed page of each paragraph, a piece's page range, its notes (JSON array)
    4: ["ALTER TABLE paragraphs ADD COLUMN page INTEGER",
        "ALTER TABLE documents ADD COLUMN page_start INTEGER",
        "ALTER TABLE documents ADD COLUMN page_end INTEGER",
        "ALTER TABLE documents ADD COLUMN notes TEXT"],
    # 5: one text is stored once (lunshu.identity): the text's key, and the copies not stored again
    5: [
        "ALTER TABLE documents ADD COLUMN text_key TEXT",
        "CREATE INDEX IF NOT EXISTS documents_text_key ON documents(text_key)",
        """CREATE TABLE IF NOT EXISTS copies (
            id TEXT PRIMARY KEY,     -- the id the copy would have had (from its own origin)
            doc_id TEXT NOT NULL,    -- the stored document with the same text
            origin TEXT, title TEXT, date TEXT, source TEXT, url TEXT,
            content_hash TEXT,
            ingested_at TEXT
        )""",
        "CREATE INDEX IF NOT EXISTS copies_doc ON copies(doc_id)",
    ],
    # 6: the caches of derived data (segmentations, keyword statistics, reuse), created with the
    # schema so that reading never creates a table; each is stamped with a fingerprint of the
    # documents it was computed from, and filled on first use where the file may be written
    6: [
        "CREATE TABLE IF NOT EXISTS analysis_meta (key TEXT PRIMARY KEY, value TEXT)",
        """CREATE TABLE IF NOT EXISTS analysis_df (
            term TEXT PRIMARY KEY,
            df INTEGER NOT NULL,       -- documents containing the token
            freq INTEGER NOT NULL      -- occurrences in the corpus
        ) WITHOUT ROWID""",
        """CREATE TABLE IF NOT EXISTS analysis_phrases (
            phrase TEXT PRIMARY KEY,   -- the tokens joined
            tokens TEXT NOT NULL,      -- JSON array of the tokens
            freq INTEGER NOT NULL,
            df INTEGER NOT NULL,
            pmi REAL NOT NULL,         -- log2, weakest split
            entropy REAL NOT NULL      -- nats, min(left, right)
        ) WITHOUT ROWID""",
        """CREATE TABLE IF NOT EXISTS analysis_segmented (
            doc_id TEXT PRIMARY KEY,
            stamp TEXT NOT NULL        -- content_hash|ingested_at|segmenter fingerprint when cut
        )""",
        """CREATE TABLE IF NOT EXISTS analysis_segments (
            doc_id TEXT NOT NULL,
            n INTEGER NOT NULL,
            lens BLOB NOT NULL,        -- token lengths, uint32 little-endian: tokens tile the text
            PRIMARY KEY (doc_id, n)
        ) WITHOUT ROWID""",
        """CREATE TABLE IF NOT EXISTS reuse_links (
            a_doc TEXT NOT NULL, a_par INTEGER NOT NULL, b_doc TEXT NOT NULL, b_par INTEGER NOT NULL,
            score REAL NOT NULL, cluster INTEGER NOT NULL)""",
        """CREATE TABLE IF NOT EXISTS reuse_docs (
            a_doc TEXT NOT NULL, b_doc TEXT NOT NULL, score REAL NOT NULL, relation TEXT NOT NULL,
            shared_chars INTEGER NOT NULL)""",
        "CREATE INDEX IF NOT EXISTS reuse_links_a ON reuse_links(a_doc)",
        "CREATE INDEX IF NOT EXISTS reuse_links_b ON reuse_links(b_doc)",
    ],
    # 7: the subtitle ("在…上的讲话" of "标题——在…上的讲话"; the title keeps it too)
    7: ["ALTER TABLE documents ADD COLUMN subtitle TEXT"],
}
# The reuse cache tables, also made as TEMP tables of one connection when the file may not be
# written (see reuse.py)
REUSE_TABLES = [stmt.replace("CREATE TABLE", "CREATE TEMP TABLE") for stmt in _MIGRATIONS[6][5:7]]
# The oldest schema the read path understands as it is (6 only added caches, which reading does
# without); an older file is upgraded by any command that writes (`ingest`, `check --repair`).
READABLE_FROM = 5

_DOC_COLUMNS = ("id, title, date, delivered, speakers, occasion, genre, source, url, keywords, publisher_keywords, "
                "reporters, origin, content_hash, raw, editor, paragraphs_inferred, place, roles, "
                "page_start, page_end, notes, subtitle")
_ADD_COLUMN = re.compile(r"^ALTER TABLE (\w+) ADD COLUMN (\w+)")
# a file older than schema 7 (read without upgrading it) has no subtitle column
_DOC_COLUMNS_6 = _DOC_COLUMNS.replace(", subtitle", ", NULL AS subtitle")


def _year(date: str | None) -> int | None:
    if date and len(date) >= 4 and date[:4].isdigit():
        return int(date[:4])
    return None



@contextmanager
def _committed(conn: sqlite3.Connection) -> Iterator[None]:
    """The end of a transaction begun on ``conn``: COMMIT when the block succeeds, else ROLLBACK
    (the search index's gathered per-year counts are written just before COMMIT, see ``index.flush``)."""
    index.defer(conn)
    try:
        yield
        index.flush(conn)
    except BaseException:
        index.discard(conn)
        conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")


class Store:
    """A lunshu database file. Thread-safe for reads; writes go through ``transaction()``.

    ``readonly``: opened with SQLite's ``mode=ro``: no migration, no table, no journal-mode switch,
    nothing written, so it works on a read-only file or folder and never waits behind a writer (WAL
    readers do not block). ``caches``: a read-only store may still fill the derived-data caches
    (keywords, segmentations, reuse) through :meth:`cache_transaction` when the file may be written;
    without it nothing at all is written.
    """

    def __init__(self, path: str | Path, *, readonly: bool = False, caches: bool = False) -> None:
        self.path = str(path)
        self._local = threading.local()
        self.readonly = readonly
        self.caches = caches or not readonly
        self.schema_version = SCHEMA_VERSION
        if readonly:
            if not Path(self.path).is_file():
                raise StoreError("no database here; run `lunshu ingest PATH` first or pass --db", path=self.path)
            self._check_magic()
            self.schema_version = self._check_lunshu(self.conn, writing=False)
        else:
            self._refuse_foreign()
            self._migrate()

    # -- connections -------------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        try:
            if self.readonly:
                conn = self._connect_readonly()
            else:
                folder = Path(self.path).parent
                if not folder.is_dir():  # a mistyped --db must not create a tree of folders
                    raise StoreError(f"cannot create the database: the folder {folder} does not exist "
                                     "(create it first, or check the path)", path=self.path)
                conn = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA foreign_keys = ON")
            if not self.readonly:
                conn.execute("PRAGMA busy_timeout = 30000")
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA cache_size = -65536")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open database: {exc}", path=self.path) from None
        return conn

    def _connect_readonly(self) -> sqlite3.Connection:
        uri = "file:" + quote(os.path.abspath(self.path))
        conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=5, check_same_thread=False)
        try:
            conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
        except sqlite3.OperationalError:
            # a WAL file in a folder we may not write, with no -shm beside it: SQLite cannot make
            # the shared-memory index, so read the file as it is (nobody can be writing it there)
            conn.close()
            if os.access(os.path.dirname(os.path.abspath(self.path)) or ".", os.W_OK):
                raise
            conn = sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True, timeout=5, check_same_thread=False)
        return conn

    @property
    def conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            self._local.conn = conn
        return conn

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        if self.readonly:
            raise StoreError("this database was opened read-only", path=self.path)
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        with _committed(conn):
            yield conn

    @contextmanager
    def cache_transaction(self) -> Iterator[sqlite3.Connection | None]:
        """A transaction to fill the derived-data caches, or ``None`` when they cannot be written
        now: the store was opened without ``caches``, the file or its folder is read-only, the
        schema predates the cache tables, or another process holds the write lock (a cache never
        waits behind a writer; the caller computes in memory instead)."""
        if not self.can_cache():
            yield None
            return
        if not self.readonly:
            try:
                self.conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError:
                yield None
                return
            conn = self.conn
            close = False
        else:
            try:
                conn = sqlite3.connect(self.path, timeout=0.2, check_same_thread=False)
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError:
                yield None
                return
            close = True
        try:
            with _committed(conn):
                yield conn
        finally:
            if close:
                conn.close()

    def can_cache(self) -> bool:
        """Whether the derived-data caches may be written (not whether the lock is free now)."""
        if not self.readonly:
            return True
        folder = os.path.dirname(os.path.abspath(self.path)) or "."
        return (self.caches and self.schema_version >= 6 and os.access(self.path, os.W_OK)
                and os.access(folder, os.W_OK))

    def _check_lunshu(self, conn: sqlite3.Connection, *, writing: bool) -> int:
        """The schema version of a lunshu database; StoreError for anything else."""
        try:
            tables = [str(r[0]) for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"not a lunshu database, or damaged: {exc}", path=self.path) from None
        if "lunshu_meta" not in tables:
            if writing and not tables:
                return 0  # an empty SQLite file: lunshu's to fill
            shown = ", ".join(sorted(tables)[:6]) + (", …" if len(tables) > 6 else "")
            raise StoreError(f"not a lunshu database (a SQLite file with the tables {shown}); lunshu leaves "
                             "it as it is: pass another --db", path=self.path)
        try:
            row = conn.execute("SELECT value FROM lunshu_meta WHERE key = 'schema_version'").fetchone()
            current = int(row[0]) if row else 0
        except (sqlite3.DatabaseError, ValueError) as exc:
            raise StoreError(f"not a lunshu database, or damaged: {exc}", path=self.path) from None
        if current > SCHEMA_VERSION:
            raise StoreError(
                f"database schema {current} is newer than this lunshu ({SCHEMA_VERSION}); upgrade lunshu",
                path=self.path,
            )
        if not writing and current < READABLE_FROM:
            raise StoreError(f"database schema {current} is older than this lunshu reads ({READABLE_FROM}); "
                             "run `lunshu check --repair` once to upgrade it", path=self.path)
        return current

    def _check_magic(self) -> None:
        try:
            with open(self.path, "rb") as fh:
                magic = fh.read(16)
        except OSError as exc:
            raise StoreError(f"cannot open database: {exc.strerror or exc}", path=self.path) from None
        if magic != b"SQLite format 3\x00":
            raise StoreError("not a lunshu database (not an SQLite file); lunshu leaves it as it is: pass "
                             "another --db", path=self.path)

    def _refuse_foreign(self) -> None:
        """Before anything is written: a file that is not a lunshu database is refused, never converted,
        and a database that may not be written says so in one line."""
        p = Path(self.path)
        if not p.exists() or (p.is_file() and p.stat().st_size == 0):
            return
        if p.is_dir():
            raise StoreError("is a folder, not a database file", path=self.path)
        self._check_magic()
        folder = os.path.dirname(os.path.abspath(self.path)) or "."
        if not os.access(self.path, os.W_OK) or not os.access(folder, os.W_OK):
            raise StoreError("the database is read-only here (writing needs the file and its folder to be "
                             "writable); reading commands still work", path=self.path)
        try:
            conn = self._connect_readonly()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open database: {exc}", path=self.path) from None
        try:
            self._check_lunshu(conn, writing=True)
        finally:
            conn.close()

    def _migrate(self) -> None:
        conn = self.conn
        try:
            conn.execute("CREATE TABLE IF NOT EXISTS lunshu_meta (key TEXT PRIMARY KEY, value TEXT)")
            current = self._check_lunshu(conn, writing=True)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"not a lunshu database or corrupt: {exc}", path=self.path) from None
        with self.transaction() as c:
            for version in range(current + 1, SCHEMA_VERSION + 1):
                for stmt in _MIGRATIONS[version]:
                    added = _ADD_COLUMN.match(stmt)
                    if added and added.group(2) in {str(r[1]) for r in c.execute(f"PRAGMA table_info({added.group(1)})")}:
                        continue  # a file whose version was set back with its columns in place
                    c.execute(stmt)
            if current and current < 5:  # documents stored before text keys: key them now
                for (doc_id,) in c.execute("SELECT id FROM documents").fetchall():
                    paras = [r[0] for r in c.execute("SELECT text FROM paragraphs WHERE doc_id = ? ORDER BY n",
                                                     (doc_id,))]
                    c.execute("UPDATE documents SET text_key = ? WHERE id = ?", (text_key(paras), doc_id))
            index.create(c)
            c.execute("INSERT OR REPLACE INTO lunshu_meta (key, value) VALUES ('schema_version', ?)",
                      (str(SCHEMA_VERSION),))

    # -- writing -----------------------------------------------------------------------------
    def stored_hash(self, doc_id: str) -> str | None:
        row = self.conn.execute("SELECT content_hash FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return None if row is None else str(row[0])

    def put(self, conn: sqlite3.Connection, doc: Document) -> str:
        """Insert or replace one document inside the caller's transaction.

        Returns ``added``, ``updated``, ``unchanged``, or ``duplicate`` when the same text is stored
        under another id already (``lunshu.identity``): the document is then recorded as a copy of
        that one (``copy_of``) instead of being stored again.
        """
        row = conn.execute("SELECT content_hash, text_key FROM documents WHERE id = ?", (doc.id,)).fetchone()
        if row is not None and row[0] == doc.content_hash:
            return "unchanged"
        key = text_key(doc.paragraphs)
        same = None if key is None else conn.execute(
            "SELECT id FROM documents WHERE text_key = ? AND id != ? ORDER BY ingested_at, id LIMIT 1",
            (key, doc.id)).fetchone()
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        if same is not None:
            if row is not None:  # this id's text became another stored document's text
                self._delete(conn, doc.id)
            conn.execute("INSERT OR REPLACE INTO copies (id, doc_id, origin, title, date, source, url, content_hash, "
                         "ingested_at) VALUES (?,?,?,?,?,?,?,?,?)",
                         (doc.id, same[0], doc.origin, doc.title, doc.date, doc.source, doc.url, doc.content_hash,
                          now))
            return "duplicate"
        conn.execute("DELETE FROM copies WHERE id = ?", (doc.id,))  # a copy no more: stored itself
        status = "added" if row is None else "updated"
        if row is not None:
            if row[1] != key:  # its text changed: its copies are copies no more (ingest them again)
                conn.execute("DELETE FROM copies WHERE doc_id = ?", (doc.id,))
            self._delete(conn, doc.id)
        conn.execute(
            "INSERT INTO documents (id, title, date, year, speakers, speaker, occasion, genre, source, url, "
            "keywords, publisher_keywords, reporters, origin, content_hash, raw, n_paragraphs, chars, ingested_at, "
            "delivered, editor, paragraphs_inferred, place, roles, page_start, page_end, notes, text_key, subtitle) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                doc.id, doc.title, doc.date, _year(doc.date),
                json.dumps(doc.speakers, ensure_ascii=False), doc.speakers[0] if doc.speakers else None,
                doc.occasion, doc.genre, doc.source, doc.url,
                json.dumps(doc.keywords, ensure_ascii=False),
                json.dumps(doc.publisher_keywords, ensure_ascii=False),
                json.dumps(doc.reporters, ensure_ascii=False),
                doc.origin, doc.content_hash, doc.raw, len(doc.paragraphs), doc.chars,
                now, doc.delivered,
                doc.editor, int(bool(doc.paragraphs_inferred)), doc.place, json.dumps(doc.roles, ensure_ascii=False),
                doc.page_start, doc.page_end, json.dumps(doc.notes, ensure_ascii=False) if doc.notes else None,
                key, doc.subtitle,
            ),
        )
        conn.executemany(
            "INSERT INTO doc_speakers (doc_id, speaker, rank) VALUES (?,?,?)",
            [(doc.id, s, i) for i, s in enumerate(dict.fromkeys(doc.speakers))],
        )
        rows: list[tuple[int, str]] = []
        for i, t in enumerate(doc.paragraphs):
            c = conn.execute("INSERT INTO paragraphs (doc_id, n, text, page) VALUES (?,?,?,?)",
                             (doc.id, i + 1, t, doc.page_of(i + 1)))
            rows.append((int(c.lastrowid or 0), t))
        index.add(conn, rows)
        return status

    def _delete(self, conn: sqlite3.Connection, doc_id: str) -> None:
        rows = [(int(r[0]), str(r[1])) for r in
                conn.execute("SELECT id, text FROM paragraphs WHERE doc_id = ?", (doc_id,))]
        index.remove(conn, rows)
        conn.execute("DELETE FROM paragraphs WHERE doc_id = ?", (doc_id,))
        conn.execute("DELETE FROM doc_speakers WHERE doc_id = ?", (doc_id,))
        conn.execute("DELETE FROM documents WHERE id = ?", (doc_id,))

    def delete(self, doc_id: str) -> bool:
        with self.transaction() as conn:
            exists = conn.execute("SELECT 1 FROM documents WHERE id = ?", (doc_id,)).fetchone()
            if exists:
                self._delete(conn, doc_id)
                conn.execute("DELETE FROM copies WHERE doc_id = ?", (doc_id,))
        return bool(exists)

    def copy_of(self, doc_id: str) -> str | None:
        """The stored document whose text ``doc_id`` repeats (None when it is not a copy)."""
        row = self.conn.execute("SELECT doc_id FROM copies WHERE id = ?", (doc_id,)).fetchone()
        return None if row is None else str(row[0])

    def copies(self, doc_id: str) -> list[dict[str, Any]]:
        """Where else the text of ``doc_id`` arrived from (not stored again)."""
        cols = ("id", "origin", "title", "date", "source", "url")
        return [dict(zip(cols, r)) for r in self.conn.execute(
            f"SELECT {', '.join(cols)} FROM copies WHERE doc_id = ? ORDER BY ingested_at, id", (doc_id,))]

    def set_keywords(self, conn: sqlite3.Connection, doc_id: str, keywords: list[str]) -> None:
        conn.execute("UPDATE documents SET keywords = ? WHERE id = ?",
                     (json.dumps(keywords, ensure_ascii=False), doc_id))

    # -- reading -----------------------------------------------------------------------------
    @property
    def _doc_columns(self) -> str:
        return _DOC_COLUMNS if self.schema_version >= 7 else _DOC_COLUMNS_6

    def _doc_from_row(self, row: sqlite3.Row, paragraphs: list[str] | None = None,
                      n_paragraphs: int | None = None) -> Document:
        doc = Document(
            id=row["id"], title=row["title"], date=row["date"], delivered=row["delivered"],
            speakers=json.loads(row["speakers"] or "[]"), occasion=row["occasion"], genre=row["genre"],
            source=row["source"], url=row["url"], keywords=json.loads(row["keywords"] or "[]"),
            publisher_keywords=json.loads(row["publisher_keywords"] or "[]"),
            paragraphs=paragraphs or [], raw=row["raw"] or "",
            reporters=json.loads(row["reporters"] or "[]"), origin=row["origin"] or "",
            content_hash=row["content_hash"] or "",
            editor=row["editor"], paragraphs_inferred=bool(row["paragraphs_inferred"]), place=row["place"],
            roles=json.loads(row["roles"] or "{}"),
            page_start=row["page_start"], page_end=row["page_end"], notes=json.loads(row["notes"] or "[]"),
            subtitle=row["subtitle"],
        )
        return doc

    @contextmanager
    def snapshot(self) -> Iterator[sqlite3.Connection]:
        """Several reads that see one state of the database: without it, a writer committing
        between two SELECTs gives a document's metadata of one version and paragraphs of another."""
        conn = self.conn
        if conn.in_transaction:
            yield conn
            return
        conn.execute("BEGIN")
        try:
            yield conn
        finally:
            if conn.in_transaction:
                conn.execute("COMMIT")

    def get(self, doc_id: str, *, with_paragraphs: bool = True) -> Document:
        with self.snapshot() as conn:
            row = conn.execute(f"SELECT {self._doc_columns} FROM documents WHERE id = ?", (doc_id,)).fetchone()
            if row is None:
                stored = self.copy_of(doc_id)  # the id of a copy shows the document it repeats
                row = None if stored is None else conn.execute(
                    f"SELECT {self._doc_columns} FROM documents WHERE id = ?", (stored,)).fetchone()
            if row is None:
                raise NotFoundError(f"no document with id {doc_id!r}")
            paras, pages = [], []
            if with_paragraphs:
                rows = conn.execute("SELECT text, page FROM paragraphs WHERE doc_id = ? ORDER BY n", (row["id"],)).fetchall()
                paras = [r[0] for r in rows]
                if any(r[1] is not None for r in rows):
                    pages = [r[1] for r in rows]
            copies = self.copies(row["id"])
        doc = self._doc_from_row(row, paras)
        doc.pages = pages
        doc.copies = copies
        return doc

    def paragraphs(self, doc_id: str) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT text FROM paragraphs WHERE doc_id = ? ORDER BY n", (doc_id,))]

    def doc_filter_sql(self, *, speaker: str | None = None, genre: str | None = None,
                       date_from: str | None = None, date_to: str | None = None,
                       source: str | None = None, alias: str = "d") -> tuple[str, list[Any]]:
        """WHERE-clause fragments over documents shared by every query that filters documents."""
        from lunshu import filters

        filters.date_range(date_from, date_to)
        where: list[str] = []
        args: list[Any] = []
        if speaker:
            where.append(f"EXISTS (SELECT 1 FROM doc_speakers s WHERE s.doc_id = {alias}.id AND s.speaker = ?)")
            args.append(speaker)
        if genre:
            genres = filters.genres(genre)  # checked: an unknown genre is an error, not an empty result
            where.append(f"{alias}.genre IN ({','.join('?' * len(genres))})")
            args.extend(genres)
        if source:
            where.append(f"{alias}.source LIKE ? ESCAPE '\\'")
            args.append("%" + source.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
        if date_from:
            where.append(f"{alias}.date >= ?")
            args.append(date_from)
        if date_to:
            # a reduced-precision bound includes the whole period: --to 2015 keeps 2015-12-31
            where.append(f"substr({alias}.date, 1, ?) <= ?")
            args.extend([len(date_to), date_to])
        return (" AND ".join(where), args)

    def list_docs(self, *, speaker: str | None = None, genre: str | None = None, date_from: str | None = None,
                  date_to: str | None = None, source: str | None = None, limit: int | None = None,
                  offset: int = 0) -> list[Document]:
        where, args = self.doc_filter_sql(speaker=speaker, genre=genre, date_from=date_from, date_to=date_to,
                                          source=source)
        cols = ", ".join(c.strip() if " AS " in c else f"d.{c.strip()}" for c in self._doc_columns.split(","))
        sql = f"SELECT {cols}, d.n_paragraphs, d.chars FROM documents d"
        order = "d.date IS NULL, d.date, d.page_start, d.title, d.id"
        if source:
            # a source named: each source (a book's volume) as a whole, the sources in the order of their
            # first date (volumes run in date order), and within one its pieces in book order (printed
            # page, then the piece's number in the volume, which its origin ``path#n`` carries); documents
            # without a page after them by date
            sql = (f"WITH firsts AS (SELECT source, MIN(date) AS first FROM documents d WHERE {where} "
                   f"GROUP BY source) {sql} LEFT JOIN firsts f ON f.source = d.source")
            args = args + args
            order = ("f.first IS NULL, f.first, d.source, d.page_start IS NULL, d.page_start, "
                     "CASE WHEN d.page_start IS NOT NULL AND instr(d.origin, '#') > 0 THEN "
                     "CAST(substr(d.origin, instr(d.origin, '#') + 1) AS INTEGER) END, " + order)
        if where:
            sql += " WHERE " + where
        sql += " ORDER BY " + order
        if limit is not None or offset:  # an offset alone is honoured too (LIMIT -1: no limit)
            sql += " LIMIT ? OFFSET ?"
            args += [-1 if limit is None else limit, offset]
        docs = []
        for row in self.conn.execute(sql, args):
            doc = self._doc_from_row(row)
            doc.n_paragraphs = int(row["n_paragraphs"])  # counts only; text not loaded
            doc.n_chars = int(row["chars"])
            docs.append(doc)
        return docs

    def doc_stats(self, doc_id: str) -> tuple[int, int]:
        row = self.conn.execute("SELECT n_paragraphs, chars FROM documents WHERE id = ?", (doc_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no document with id {doc_id!r}")
        return int(row[0]), int(row[1])

    def iter_documents(self, batch: int = 200) -> Iterator[Document]:
        ids = [r[0] for r in self.conn.execute("SELECT id FROM documents ORDER BY date IS NULL, date, id")]
        for i in range(0, len(ids), batch):
            for doc_id in ids[i:i + batch]:
                yield self.get(doc_id)

    def iter_paragraphs(self) -> Iterator[tuple[int, str, int, str]]:
        """(paragraph id, doc_id, n, text) for every paragraph, in document order."""
        for r in self.conn.execute("SELECT id, doc_id, n, text FROM paragraphs ORDER BY doc_id, n"):
            yield int(r[0]), str(r[1]), int(r[2]), str(r[3])

    def count(self) -> dict[str, int]:
        c = self.conn
        return {
            "documents": int(c.execute("SELECT count(*) FROM documents").fetchone()[0]),
            "paragraphs": int(c.execute("SELECT count(*) FROM paragraphs").fetchone()[0]),
            "chars": int(c.execute("SELECT coalesce(sum(chars), 0) FROM documents").fetchone()[0]),
        }

    def ids(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT id FROM documents ORDER BY id")]

    def execute(self, sql: str, args: Iterable[Any] = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, tuple(args))
