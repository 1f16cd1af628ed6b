"""Search indexes over paragraphs, written in the same transaction as the paragraphs.

A trigram FTS5 index answers phrases of three or more characters; shorter terms are handled by
the search module (see ``search.py``). External content: the text lives once, in ``paragraphs``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

SCHEMA = [
    """CREATE VIRTUAL TABLE IF NOT EXISTS paragraphs_fts USING fts5(
        text, content='paragraphs', content_rowid='id', tokenize='trigram')""",
]


def add(conn: sqlite3.Connection, rows: Iterable[tuple[int, str]]) -> None:
    conn.executemany("INSERT INTO paragraphs_fts (rowid, text) VALUES (?, ?)", rows)


def remove(conn: sqlite3.Connection, rows: Iterable[tuple[int, str]]) -> None:
    conn.executemany("INSERT INTO paragraphs_fts (paragraphs_fts, rowid, text) VALUES ('delete', ?, ?)", rows)


def rebuild(conn: sqlite3.Connection) -> None:
    conn.execute("INSERT INTO paragraphs_fts (paragraphs_fts) VALUES ('rebuild')")
