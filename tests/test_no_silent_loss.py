"""No silent data loss in ingest (issue #20 item 1): a malformed record is reported and costs only
itself; the good records beside it are stored. Every case runs the real CLI on a real file."""

from __future__ import annotations

import codecs
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import requires_shared, run_cli

S1 = "林望川在东岚市数字经济工作会议上强调，要以数字化改革撬动各领域改革。"
S2 = "东岚数字论坛已经成为区域数字合作的重要平台。"
S3 = "数据是新的生产要素，也是城市治理的新资源。"
S4 = "让每一位市民都能感受到数字化带来的便利和温度。"


def ingest(tmp: Path, name: str, data: bytes, *args: str, env: dict[str, str] | None = None) -> tuple[int, dict[str, Any], Path]:
    f = tmp / name
    f.write_bytes(data)
    db = tmp / "t.db"
    r = run_cli("ingest", "--json", str(f), *args, db=db, env=env)
    assert r.stdout, r.stderr
    return r.returncode, json.loads(r.stdout), db


def texts(db: Path) -> str:
    r = run_cli("export", "--format", "jsonl", db=db)
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_unclosed_quote_costs_only_its_row(tmp_path: Path) -> None:
    data = f'title,text\n好行,{S1}\n坏行,"{S2}\n后面,{S3}\n再后,"{S4}"\n'.encode()
    rc, rep, db = ingest(tmp_path, "t.csv", data)
    assert rc == 1
    assert rep["added"] == 3
    assert [f["record"] for f in rep["failed"]] == [2]
    assert "quote" in rep["failed"][0]["error"]
    out = texts(db)
    assert S1 in out and S3 in out and S4 in out


def test_unclosed_quote_at_the_end_of_the_file(tmp_path: Path) -> None:
    data = f'title,text\n好行,{S1}\n坏行,"{S2}\n'.encode()
    rc, rep, _ = ingest(tmp_path, "t.csv", data)
    assert rc == 1 and rep["added"] == 1 and [f["record"] for f in rep["failed"]] == [2]


def test_valid_multiline_fields_are_not_malformed(tmp_path: Path) -> None:
    # a quoted field spanning lines (with a blank line, commas and doubled quotes) is valid CSV
    data = f'title,text\n"一, 二","{S1}\n\n{S2}\n他说：""好"", 是。"\n简单,{S3}\n'.encode()
    rc, rep, db = ingest(tmp_path, "t.csv", data)
    assert (rc, rep["added"], rep["failed"]) == (0, 2, [])
    assert S2 in texts(db)


def test_rows_with_the_wrong_number_of_cells_are_reported(tmp_path: Path) -> None:
    data = f"title,date,text\n一,2019-05-20,{S1}\n多,2019-05-21,{S2},多余\n少,2019-05-22\n四,2019-05-23,{S3}\n".encode()
    rc, rep, _ = ingest(tmp_path, "t.csv", data)
    assert rc == 1 and rep["added"] == 2
    assert [f["record"] for f in rep["failed"]] == [2, 3]
    assert all("cell" in f["error"] for f in rep["failed"])


def test_duplicate_column_names_are_an_error_naming_the_column(tmp_path: Path) -> None:
    data = f"title,text,date,text\n一,{S1},2019-05-20,{S2}\n".encode()
    rc, rep, _ = ingest(tmp_path, "t.csv", data)
    assert rc == 1 and rep["added"] == 0
    assert "'text'" in rep["failed"][0]["error"]


def test_an_overlong_utf16_jsonl_line_is_skipped_and_the_rest_read(tmp_path: Path) -> None:
    lines = [json.dumps({"text": S1}, ensure_ascii=False), json.dumps({"text": S2 * 400}, ensure_ascii=False),
             json.dumps({"text": S3}, ensure_ascii=False), json.dumps({"text": S4}, ensure_ascii=False)]
    for enc, bom in (("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", codecs.BOM_UTF16_BE)):
        (tmp_path / "t.db").unlink(missing_ok=True)
        rc, rep, db = ingest(tmp_path, f"{enc}.jsonl", bom + ("\n".join(lines) + "\n").encode(enc),
                             env={"LUNSHU_MAX_RECORD_MB": "0.005"})
        assert rc == 1, enc
        assert rep["added"] == 3, (enc, rep)
        assert [f["record"] for f in rep["failed"]] == [2]
        assert "limit" in rep["failed"][0]["error"]
        assert S4 in texts(db)


@pytest.mark.parametrize("where", ["start", "late"])
def test_one_nul_byte_costs_only_its_record(tmp_path: Path, where: str) -> None:
    good = [json.dumps({"title": f"好{i}", "text": f"{S1}第{i}条。"}, ensure_ascii=False).encode() for i in range(3)]
    bad = b'{"title": "\xe5\x9d\x8f", "text": "' + S2.encode() + b'\x00"}'
    pad = [] if where == "start" else [json.dumps({"text": S3 + str(i)}, ensure_ascii=False).encode() for i in range(200)]
    data = b"\n".join(pad + [good[0], bad, good[1], good[2]]) + b"\n"
    if where == "late":
        assert data.index(b"\x00") > 8192
    rc, rep, _ = ingest(tmp_path, "t.jsonl", data)
    assert rc == 1
    assert rep["added"] == len(pad) + 3
    assert [f["record"] for f in rep["failed"]] == [len(pad) + 2]


def test_a_binary_file_is_still_binary(tmp_path: Path) -> None:
    rc, rep, _ = ingest(tmp_path, "t.jsonl", bytes(range(256)) * 40)
    assert rc == 1 and rep["added"] == 0 and "binary" in rep["failed"][0]["error"]


def test_two_records_with_one_id_are_reported(tmp_path: Path) -> None:
    recs = [{"id": "x1", "text": S1}, {"id": "x1", "text": S2}, {"id": "x1", "text": S1}, {"id": "x2", "text": S3}]
    data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs).encode()
    rc, rep, db = ingest(tmp_path, "t.jsonl", data)
    assert rc == 1
    assert rep["added"] == 2
    # the identical third record is the same record: counted once, not an error
    assert [f["record"] for f in rep["failed"]] == [2]
    assert "x1" in rep["failed"][0]["error"] and "record 1" in rep["failed"][0]["error"]
    out = texts(db)
    assert S1 in out and S2 not in out


def test_export_shape_records_are_validated(tmp_path: Path) -> None:
    rec = {"id": "e1", "title": "导出", "date": "2020-02-30", "delivered": "2021-13-01", "genre": "bogus-genre",
           "paragraphs": [{"n": 1, "text": S1}]}
    rc, rep, db = ingest(tmp_path, "t.jsonl", (json.dumps(rec, ensure_ascii=False) + "\n").encode())
    assert rc == 0, rep
    doc = json.loads(run_cli("show", "e1", "--json", db=db).stdout)
    assert (doc["date"], doc["delivered"], doc["genre"]) == (None, None, "other")


TRICKY = [
    {"id": "t1", "title": "=HYPERLINK(\"http://x.example\")", "date": "2015-12-16", "delivered": "2015-12-15",
     "speakers": ["林望川", "Jean Dupont"], "occasion": "东岚, \"论坛\"", "genre": "speech", "source": "东岚日报",
     "url": "https://example.org/a?b=1&c=二", "keywords": [], "publisher_keywords": ["数字经济", "16"],
     "reporters": ["苏映雪"], "paragraphs": [{"n": 1, "text": S1}, {"n": 2, "text": "-5%, \"引号\", 逗号"}],
     "raw": "<p>原文</p>\n\n<p>第二段, \"引号\"</p>"},
    {"id": "t2", "title": None, "date": "2015", "delivered": None, "speakers": [], "occasion": None, "genre": "other",
     "source": None, "url": None, "keywords": [], "publisher_keywords": [], "reporters": [],
     "paragraphs": [{"n": 1, "text": S2}], "raw": ""},
]


def _export(db: Path, fmt: str, out: Path) -> list[dict[str, Any]]:
    r = run_cli("export", "--format", fmt, "--out", str(out), db=db)
    assert r.returncode == 0, r.stderr
    if fmt == "jsonl":
        return sorted((json.loads(x) for x in out.read_text(encoding="utf-8").splitlines() if x),
                      key=lambda d: d["id"])
    return []


def test_csv_round_trip_keeps_every_field(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in TRICKY), encoding="utf-8")
    a = tmp_path / "a.db"
    assert run_cli("ingest", str(src), db=a).returncode == 0
    first = _export(a, "jsonl", tmp_path / "a.jsonl")
    assert first[0]["delivered"] == "2015-12-15" and first[0]["publisher_keywords"] == ["数字经济", "16"]
    _export(a, "csv", tmp_path / "a.csv")
    b = tmp_path / "b.db"
    r = run_cli("ingest", "--json", str(tmp_path / "a.csv"), db=b)
    rep = json.loads(r.stdout)
    assert (rep["added"], rep["updated"], rep["failed"]) == (2, 0, []), r.stderr
    assert _export(b, "jsonl", tmp_path / "b.jsonl") == first


@requires_shared
def test_csv_round_trip_on_the_seeds(tmp_path: Path) -> None:
    from conftest import SEEDS

    a = tmp_path / "a.db"
    assert run_cli("ingest", str(SEEDS), db=a).returncode == 0
    first = _export(a, "jsonl", tmp_path / "a.jsonl")
    _export(a, "csv", tmp_path / "a.csv")
    b = tmp_path / "b.db"
    assert run_cli("ingest", str(tmp_path / "a.csv"), db=b).returncode == 0
    assert _export(b, "jsonl", tmp_path / "b.jsonl") == first
