"""``index.near_expr`` (trace's cheap candidate lookup) never loses a row the exact phrase finds."""

from __future__ import annotations

import sqlite3
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lunshu import index


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_near_rows_contain_the_phrase_rows(examples_corpus: Any, data: st.DataObject) -> None:
    conn = sqlite3.connect(examples_corpus.path)
    try:
        texts = [r[0] for r in conn.execute("SELECT text FROM paragraphs ORDER BY id")]
        text = data.draw(st.sampled_from([t for t in texts if len(t) >= 5]))
        size = data.draw(st.integers(5, min(40, len(text))))
        start = data.draw(st.integers(0, len(text) - size))
        piece = index.folder(conn).fold(text[start:start + size])
        sql = f"SELECT rowid FROM {index.TABLE} WHERE {index.TABLE} MATCH ?"
        exact = {r[0] for r in conn.execute(sql, (index.phrase_expr(piece),))}
        near = {r[0] for r in conn.execute(sql, (index.near_expr(piece),))}
    finally:
        conn.close()
    assert exact, "the piece comes from a stored paragraph"
    assert exact <= near
