"""`check --repair` on a file with a damaged page (issue #20 item 5): a problem report, and every row
that can still be read copied into a new file that takes the damaged one's place — the documents
beside the damaged page are all there and searchable, the report counts exactly what was kept and
lost, the damaged file is kept, and ingesting the sources again restores what was lost.

The damage is real: a page of a real SQLite file written by the real CLI is overwritten (which page
is found from the file's own bytes: the page holding a marker text, its cells read from SQLite's
documented page format)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from conftest import run_cli

S = ["林望川在东岚市数字经济工作会议上强调要以数字化改革撬动各领域改革", "东岚数字论坛已经成为区域数字合作的重要平台"]
N_DOCS, N_PARAS = 60, 4


def _varint(b: bytes, i: int) -> tuple[int, int]:
    v = 0
    for k in range(9):
        c = b[i]
        i += 1
        if k == 8:
            return (v << 8) | c, i
        v = (v << 7) | (c & 0x7F)
        if c < 0x80:
            return v, i
    raise AssertionError("unreachable")


def _leaf_rowids(data: bytes, page: int, size: int) -> list[int]:
    """The rowids of the cells on a table leaf page (SQLite file format, section 1.6)."""
    off = (page - 1) * size
    hdr = off + (100 if page == 1 else 0)
    assert data[hdr] == 0x0D, "not a table leaf page"
    out = []
    for k in range(int.from_bytes(data[hdr + 3:hdr + 5], "big")):
        ptr = int.from_bytes(data[hdr + 8 + 2 * k:hdr + 10 + 2 * k], "big")
        _, i = _varint(data, off + ptr)
        out.append(_varint(data, i)[0])
    return out


def _build(tmp: Path) -> tuple[Path, Path]:
    src = tmp / "in.jsonl"
    recs = []
    for i in range(N_DOCS):
        paras = [f"第{i}篇第{k}段：{S[k % 2]}，标记{i:03d}x{k}。" * 3 for k in range(N_PARAS)]
        recs.append({"id": f"d{i:03d}", "title": f"第{i}篇", "date": f"2015-01-{i % 28 + 1:02d}",
                     "text": "\n\n".join(paras)})
    # ASCII-escaped JSON: the marker's UTF-8 bytes are in the paragraphs table only, not in raw
    src.write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")
    db = tmp / "t.db"
    r = run_cli("ingest", str(src), "--json", db=db)
    assert r.returncode == 0 and json.loads(r.stdout)["added"] == N_DOCS, r.stderr
    return src, db


def _damage(db: Path, marker: str) -> tuple[list[int], sqlite3.Connection]:
    """Overwrite the table leaf page holding ``marker``; the rowids that were on it, and a
    connection to an intact copy (to know what the page held)."""
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    data = bytearray(db.read_bytes())
    intact = sqlite3.connect(":memory:")
    sqlite3.connect(db).backup(intact)
    m = marker.encode()
    pages = {i // size + 1 for i in range(len(data)) if data.startswith(m, i)} if m in data else set()
    assert len(pages) == 1, pages  # the marker is on one page
    page = pages.pop()
    rowids = _leaf_rowids(bytes(data), page, size)
    data[(page - 1) * size:(page - 1) * size + 8] = b"\xff" * 8
    db.write_bytes(bytes(data))
    return rowids, intact


def _all_doc_ids(db: Path) -> set[str]:
    r = run_cli("search", "东岚", "--by", "doc", "--limit", "1000", "--json", db=db)
    assert r.returncode == 0, r.stderr
    return {h["doc_id"] for h in json.loads(r.stdout)["hits"]}


def test_repair_salvages_every_readable_paragraph_beside_a_damaged_page(tmp_path: Path) -> None:
    src, db = _build(tmp_path)
    lost, intact = _damage(db, "标记030x1")
    q = ",".join("?" * len(lost))
    hit_docs = sorted({r[0] for r in intact.execute(f"SELECT doc_id FROM paragraphs WHERE id IN ({q})", lost)})
    assert "d030" in hit_docs and 5 <= len(lost) < 40

    r = run_cli("check", "--json", db=db)
    assert r.returncode == 1 and "damaged" in json.loads(r.stdout)["problems"][0]

    r = run_cli("check", "--repair", "--json", db=db)
    assert r.returncode == 1, r.stderr  # rows were lost: said, not ok
    rep = json.loads(r.stdout)
    s = rep["salvaged"]
    assert (s["documents"], s["documents_lost"]) == (N_DOCS, 0)
    assert (s["paragraphs"], s["paragraphs_lost"]) == (N_DOCS * N_PARAS - len(lost), len(lost))
    assert s["incomplete"] == hit_docs and s["without_metadata"] == [] and s["raw_lost"] == 0
    assert rep["repaired"] and (rep["documents"], rep["paragraphs"]) == (N_DOCS, N_DOCS * N_PARAS - len(lost))
    assert any(f"{len(lost)} paragraphs could not be read" in p for p in rep["problems"])
    assert Path(s["damaged_copy"]).is_file() and Path(s["damaged_copy"]).parent == db.parent

    # the new file is whole: every document beside the damage is there and found by search
    complete = {f"d{i:03d}" for i in range(N_DOCS)} - set(hit_docs)
    assert complete <= _all_doc_ids(db)
    r = run_cli("search", "标记050x1", "--json", db=db)
    assert [h["doc_id"] for h in json.loads(r.stdout)["hits"]] == ["d050"]
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        kept = {r[0] for r in conn.execute("SELECT text FROM paragraphs")}
    assert kept == {r[0] for r in intact.execute(f"SELECT text FROM paragraphs WHERE id NOT IN ({q})", lost)}

    # a later check still names the incomplete documents; ingesting the source again restores them
    r = run_cli("check", "--json", db=db)
    assert r.returncode == 1
    assert sorted(d for d in hit_docs if any(f"document {d}:" in p for p in json.loads(r.stdout)["problems"])) \
        == hit_docs
    r = run_cli("ingest", str(src), "--json", db=db)
    assert json.loads(r.stdout)["updated"] == len(hit_docs), r.stdout
    r = run_cli("check", "--json", db=db)
    assert r.returncode == 0 and json.loads(r.stdout)["paragraphs"] == N_DOCS * N_PARAS, r.stdout


def test_a_damaged_document_page_keeps_the_text_without_metadata(tmp_path: Path) -> None:
    src, db = _build(tmp_path)
    lost, intact = _damage(db, "in.jsonl#31")  # the origin: only in the documents table
    q = ",".join("?" * len(lost))
    ids = sorted(r[0] for r in intact.execute(f"SELECT id FROM documents WHERE rowid IN ({q})", lost))
    assert "d030" in ids and len(ids) == len(lost)

    r = run_cli("check", "--repair", "--json", db=db)
    assert r.returncode == 1, r.stderr
    s = json.loads(r.stdout)["salvaged"]
    assert (s["documents_lost"], s["without_metadata"]) == (len(lost), ids)
    assert (s["documents"], s["paragraphs"], s["paragraphs_lost"]) == (N_DOCS, N_DOCS * N_PARAS, 0)
    assert _all_doc_ids(db) == {f"d{i:03d}" for i in range(N_DOCS)}  # every text still found
    shown = json.loads(run_cli("show", "d030", "--json", db=db).stdout)
    assert shown["title"] is None and len(shown["paragraphs"]) == N_PARAS
    r = run_cli("check", "--json", db=db)
    assert r.returncode == 1 and any("d030" in p and "metadata" in p for p in json.loads(r.stdout)["problems"])
    assert json.loads(run_cli("ingest", str(src), "--json", db=db).stdout)["updated"] == len(ids)
    assert json.loads(run_cli("show", "d030", "--json", db=db).stdout)["title"] == "第30篇"
    assert run_cli("check", db=db).returncode == 0


def test_a_record_whose_raw_runs_over_a_damaged_page_keeps_its_text(tmp_path: Path) -> None:
    """A long original record spills over overflow pages; one of them damaged costs the record's
    raw and the fields stored after it, not its title or its text."""
    src = tmp_path / "in.jsonl"
    recs = [{"id": f"r{i}", "title": f"第{i}篇", "text": f"第{i}篇：{S[0]}。",
             "pad": f"P{i}" * 8000 + f"ZZMARK{i}ZZ" + "Q" * 9000} for i in range(5)]
    src.write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")
    db = tmp_path / "t.db"
    assert run_cli("ingest", str(src), db=db).returncode == 0
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    data = bytearray(db.read_bytes())
    page = data.find(b"ZZMARK2ZZ") // size + 1
    assert data[(page - 1) * size:(page - 1) * size + 4] != b"\0\0\0\0"  # an overflow page with a next one
    data[(page - 1) * size:(page - 1) * size + 4] = b"\x7f\xff\xff\xff"  # its link to the next, broken
    db.write_bytes(bytes(data))
    r = run_cli("check", "--repair", "--json", db=db)
    assert r.returncode == 1
    s = json.loads(r.stdout)["salvaged"]
    assert (s["documents"], s["paragraphs"], s["raw_lost"], s["documents_lost"]) == (5, 5, 1, 0)
    shown = json.loads(run_cli("show", "r2", "--json", db=db).stdout)
    assert shown["title"] == "第2篇" and shown["raw"] == "" and shown["paragraphs"][0]["text"] == f"第2篇：{S[0]}。"
    assert json.loads(run_cli("ingest", str(src), "--json", db=db).stdout)["updated"] == 1
    assert "ZZMARK2ZZ" in json.loads(run_cli("show", "r2", "--json", db=db).stdout)["raw"]
    assert run_cli("check", db=db).returncode == 0
