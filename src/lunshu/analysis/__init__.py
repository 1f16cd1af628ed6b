"""Analysis over the store: keywords, formulation timelines, collocates, compilations.

Every analysis reads the documents and paragraphs tables and nothing else it cannot rebuild:
derived statistics (segmentations, document frequencies, discovered phrases) live in
``analysis_*`` cache tables (created with the schema, filled on first use where the file may
be written), each stamped with a fingerprint of the
corpus so that a changed corpus is never answered from stale numbers.
"""

from __future__ import annotations

import hashlib
import sqlite3
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lunshu.store import Store

def corpus_fingerprint(store: Store) -> str:
    """Changes whenever any document is added, removed or re-ingested with other content.

    Hashes (id, content_hash, ingested_at) of every document: exact, and cheap next to any
    analysis (about 0.1 s per 100 000 documents).
    """
    h = hashlib.sha1()
    n = 0
    for doc_id, chash, at in store.execute(
            "SELECT id, coalesce(content_hash, ''), coalesce(ingested_at, '') FROM documents ORDER BY id"):
        h.update(f"{doc_id}\x1f{chash}\x1f{at}\x1e".encode())
        n += 1
    return f"{n}:{h.hexdigest()[:20]}"


def get_meta(store: Store, key: str) -> str | None:
    try:
        row = store.execute("SELECT value FROM analysis_meta WHERE key = ?", (key,)).fetchone()
    except sqlite3.OperationalError:  # table not there yet
        return None
    return None if row is None else str(row[0])
