"""Index format 4: per-year counts of every 1- and 2-character token (``search_counts``).

A lone 1–2-character term reads its total and per-year counts from the table instead of walking
its doclist; the table must equal what the index counts and what a folded scan of the stored
text counts, after additions, updates, removals and a rolled-back transaction. A format-3
database (no table) is searched by the index alone and rebuilt by ``check --repair``.
"""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from lunshu import Corpus, index, search
from lunshu.errors import StoreError
from lunshu.models import Document
from lunshu.query import parse, quote

CHARS = "的发展人民国家经济社会主义國發，。 ＡaB“”、中华"


def _docs(seed: int, n: int = 60, prefix: str = "d") -> list[Document]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        paras = ["".join(rng.choice(CHARS) for _ in range(rng.randint(1, 30))) for _ in range(rng.randint(1, 5))]
        date = None if i % 9 == 0 else f"{rng.randint(1990, 1996)}" + ("" if i % 4 else f"-0{rng.randint(1, 9)}-1{i % 9}")
        out.append(Document(id=f"{prefix}{i}", title=f"题{i}", date=date, paragraphs=paras,
                            content_hash="|".join(paras)))
    return out


def _put(c: Corpus, docs: list[Document]) -> None:
    with c.store.transaction() as conn:
        for d in docs:
            c.store.put(conn, d)


def _scan(c: Corpus, term: str) -> dict[int, int]:
    """Matching paragraphs per year, by a folded substring scan of the stored text."""
    fold = index.folder(c.store.conn).fold
    counts: Counter[int] = Counter()
    for text, date in c.store.conn.execute(
            "SELECT p.text, d.date FROM paragraphs p JOIN documents d ON d.id = p.doc_id"):
        if fold(term) in fold(str(text)):
            counts[index.date_number(date) // 10000] += 1
    return dict(counts)


def _terms() -> list[str]:
    one = list(dict.fromkeys(CHARS))
    return one + [a + b for a in one for b in one if (a + b).strip() == a + b]


def _check_all(c: Corpus) -> None:
    conn = c.store.conn
    assert index.has_counts(conn)
    fold = index.folder(conn).fold
    for term in _terms():
        tok = index.count_token(fold(term))
        want = _scan(c, term)
        if tok is not None:
            assert index.token_counts(conn, tok) == want, term
        r = c.search(quote(term), limit=0)
        assert r.total == sum(want.values()), term
        assert r.by_year == {("undated" if y == 0 else str(y)): n for y, n in sorted(want.items())}, term


def test_counts_equal_the_scan_through_additions_updates_and_removals(tmp_path: Path) -> None:
    c = Corpus(tmp_path / "c.db")
    try:
        _put(c, _docs(1))
        _check_all(c)
        changed = _docs(2, 30)  # the same ids with other texts and dates: updated
        _put(c, changed + _docs(3, 10, prefix="e"))
        _check_all(c)
        for d in changed[:12]:
            assert c.store.delete(d.id)
        _check_all(c)
        with pytest.raises(RuntimeError), c.store.transaction() as conn:  # rolled back: nothing counted
            for d in _docs(4, 20, prefix="f"):
                c.store.put(conn, d)
            raise RuntimeError("stop")
        _check_all(c)
        assert c.check()["ok"]
    finally:
        c.close()


def test_the_table_path_gives_the_index_path_answers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    c = Corpus(tmp_path / "p.db")
    try:
        _put(c, _docs(5, 80))
        queries: list[tuple[str, dict[str, Any]]] = [
            (q, f) for q in ("的", "发展", "國", "ａ", "，", "社会")
            for f in ({}, {"date_from": "1992", "date_to": "1994"}, {"date_from": "1992-03-01"}, {"genre": "speech"})]
        pages = [(20, 0), (5, 5), (0, 0)]

        def answers() -> list[Any]:
            return [(r.total, r.by_year, [(h.doc_id, h.paragraph, h.score) for h in r.hits])
                    for q, f in queries for n, o in pages for r in [c.search(q, limit=n, offset=o, **f)]]

        with_table = answers()
        assert search._table_counts(c.store.conn, parse("发展").folded(index.folder(c.store.conn).fold),
                                    search.Plan("")) is not None
        monkeypatch.setattr(index, "has_counts", lambda conn: False)
        assert answers() == with_table
    finally:
        c.close()


def test_a_format_3_database_is_searched_and_rebuilt_by_repair(tmp_path: Path) -> None:
    c = Corpus(tmp_path / "old.db")
    try:
        _put(c, _docs(6, 40))
        with c.store.transaction() as conn:  # as format 3 left it: no counts
            conn.execute(f"DELETE FROM {index.COUNTS}")
            conn.execute("UPDATE lunshu_meta SET value = '3' WHERE key = 'search_index_version'")
            conn.execute("DELETE FROM lunshu_meta WHERE key = 'search_counts_complete'")
        assert not index.has_counts(c.store.conn)
        for term in ("的", "发展", "国家"):
            assert c.search(term, limit=0).total == sum(_scan(c, term).values())
        with pytest.raises(StoreError, match="check --repair"):
            _put(c, _docs(7, 2, prefix="n"))
        c.check(repair=True)
        _check_all(c)
    finally:
        c.close()


def test_check_finds_counts_that_disagree_and_repair_fixes_them(tmp_path: Path) -> None:
    c = Corpus(tmp_path / "bad.db")
    try:
        _put(c, _docs(8, 40))
        with c.store.transaction() as conn:
            conn.execute(f"UPDATE {index.COUNTS} SET n = n + 1")
        report = c.check()
        assert not report["ok"]
        assert any("per-year counts" in p for p in report["problems"])
        c.check(repair=True)
        _check_all(c)
    finally:
        c.close()


def test_gathered_counts_equal_a_plain_count() -> None:
    f = index.default_folder()
    rng = random.Random(9)
    texts = ["".join(rng.choice(CHARS) for _ in range(rng.randint(0, 40))) for _ in range(300)]
    years = [rng.choice((0, 1990, 2024)) for _ in texts]
    want: Counter[tuple[int, str]] = Counter()
    for t, y in zip(texts, years):
        enc = index.encode(f.fold(t))
        marked = enc.translate(index._GAP_MARK)
        toks = set(enc) | {enc[i:i + 2] for i in range(len(enc) - 1) if index.GAP not in marked[i:i + 2]}
        want.update((y, tok) for tok in toks)
    keys, n = index._token_year_counts(f, texts, years)
    got = {}
    for k, v in zip(keys.tolist(), n.tolist()):
        c1, c2 = (k >> 21) & ((1 << 21) - 1), k & ((1 << 21) - 1)
        got[(k >> 42, chr(c1) + (chr(c2) if c2 else ""))] = v
    assert got == dict(want)


def test_a_lone_term_is_ranked_by_bm25_in_blocks_of_its_newest_matches(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    c = Corpus(tmp_path / "r.db")
    try:
        _put(c, _docs(10, 60))
        monkeypatch.setattr(search, "LONE_WINDOW", 7)
        conn = c.store.conn
        T, M = index.TABLE, index.PID_MASK
        for term in ("的", "国", "國", "，"):
            total = c.search(term, limit=0).total
            assert total > 20, term
            hits = [h for o in range(0, total, 5) for h in c.search(term, limit=5, offset=o).hits]
            got = [(h.doc_id, h.paragraph, h.score) for h in hits]
            expr = index.phrase_expr(index.folder(conn).fold(term))
            rids = [int(r[0]) for r in conn.execute(f"SELECT rowid FROM {T} WHERE {T} MATCH ? ORDER BY rowid DESC",
                                                    (expr,))]
            dated = [r for r in rids if r >> index.YEAR_SHIFT]
            want = []
            for part in (dated, [r for r in rids if not r >> index.YEAR_SHIFT]):  # undated: blocks of their own
                for k in range(0, len(part), 7):  # each block: FTS5's own bm25() order of those rows
                    block = part[k:k + 7]
                    want += [(str(r[1]), int(r[2]), round(-float(r[3]), 6)) for r in conn.execute(
                        f"SELECT {T}.rowid, p.doc_id, p.n, bm25({T}) AS s FROM {T} "
                        f"JOIN paragraphs p ON p.id = ({T}.rowid & {M}) "
                        f"WHERE {T} MATCH ? AND {T}.rowid BETWEEN ? AND ? ORDER BY s, {T}.rowid DESC",
                        (expr, block[-1], block[0]))]
            assert got == want, term
    finally:
        c.close()
