"""`lunshu check`: is the database whole, and do paragraphs, metadata and indexes agree?"""

from __future__ import annotations

import sqlite3
from typing import Any

from lunshu import index
from lunshu.store import Store


def _index_problems(conn: sqlite3.Connection) -> list[str]:
    custom = getattr(index, "check", None)
    if custom is not None:
        return list(custom(conn))
    try:
        conn.execute("INSERT INTO paragraphs_fts (paragraphs_fts, rank) VALUES ('integrity-check', 1)")
    except sqlite3.DatabaseError as exc:
        return [f"search index disagrees with the text: {exc}"]
    return []


def check(store: Store, *, repair: bool = False) -> dict[str, Any]:
    conn = store.conn
    problems: list[str] = []
    integrity = [r[0] for r in conn.execute("PRAGMA integrity_check")]
    if integrity != ["ok"]:
        problems.extend(f"sqlite: {x}" for x in integrity[:20])
    fk = conn.execute("PRAGMA foreign_key_check").fetchall()
    if fk:
        problems.append(f"{len(fk)} rows point at missing documents")
    bad_counts = conn.execute(
        "SELECT d.id, d.n_paragraphs, count(p.id), d.chars, coalesce(sum(length(p.text)), 0) "
        "FROM documents d LEFT JOIN paragraphs p ON p.doc_id = d.id GROUP BY d.id "
        "HAVING d.n_paragraphs != count(p.id) OR d.chars != coalesce(sum(length(p.text)), 0)"
    ).fetchall()
    for row in bad_counts[:20]:
        problems.append(f"document {row[0]}: metadata says {row[1]} paragraphs/{row[3]} chars, "
                        f"store has {row[2]}/{row[4]}")
    gaps = conn.execute(
        "SELECT doc_id FROM paragraphs GROUP BY doc_id HAVING min(n) != 1 OR max(n) != count(*)"
    ).fetchall()
    problems.extend(f"document {r[0]}: paragraph numbers have gaps" for r in gaps[:20])
    no_paras = conn.execute(
        "SELECT id FROM documents d WHERE NOT EXISTS (SELECT 1 FROM paragraphs p WHERE p.doc_id = d.id)"
    ).fetchall()
    problems.extend(f"document {r[0]}: has no paragraphs" for r in no_paras[:20])
    index_problems = _index_problems(conn)
    problems.extend(index_problems)
    repaired = False
    if repair and (index_problems or problems):
        with store.transaction() as c:
            index.rebuild(c)
        repaired = True
        problems = [p for p in problems if p not in index_problems]
        problems.extend(_index_problems(conn))
    counts = store.count()
    return {"ok": not problems, "problems": problems, "repaired": repaired, **counts}
