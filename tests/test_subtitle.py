"""The subtitle (``——在…上的讲话``): the title keeps it (title and subtitle as one), and it is also
stored on its own, shown by ``show``/``docs`` (JSON), exported, and read back from an export.

The header texts are made in the forms of real headers (run-in Xinhua datelines, a title with its
subtitle and date lines on their own lines, a page's ``<h3>——…``); the people and events are
invented (东岚, 林望川), so nothing here is fitted to the shared corpora.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from conftest import run_cli

from lunshu.header import subtitle_of
from lunshu.metadata import extract

SUB = "在首届东岚数字论坛开幕式上的主旨演讲"


def test_run_in_header_keeps_the_subtitle_in_the_title_and_apart() -> None:
    text = (f"新华社东岚5月20日电 携手共建数字未来——{SUB}（2019年5月20日，东岚）东岚市市长 林望川"
            "尊敬的各位来宾，女士们，先生们：很高兴与大家相聚在美丽的东岚。")
    meta, body = extract([text], {})
    assert meta.title == f"携手共建数字未来——{SUB}"
    assert meta.subtitle == SUB
    assert (meta.delivered, meta.place, meta.speakers) == ("2019-05-20", "东岚", ["林望川"])
    assert body[0].startswith("尊敬的各位来宾")


def test_subtitle_line_after_a_title_line() -> None:
    paras = ["携手共建数字未来", f"——{SUB}", "（2019年5月20日，东岚）", "林望川", "女士们，先生们：", "很高兴与大家相聚。"]
    meta, body = extract(paras, {})
    assert meta.title == f"携手共建数字未来——{SUB}"  # title and subtitle as one
    assert meta.subtitle == SUB
    assert (meta.delivered, meta.place, meta.speakers) == ("2019-05-20", "东岚", ["林望川"])
    assert body == ["女士们，先生们：", "很高兴与大家相聚。"]
    assert f"——{SUB}" in meta.consumed


def test_a_record_title_wins_and_the_header_still_gives_the_subtitle() -> None:
    text = f"携手共建数字未来——{SUB}（2019年5月20日）林望川同志们，朋友们：今天我们在这里相聚。"
    meta, _ = extract([text], {"title": "林望川在首届东岚数字论坛开幕式上的主旨演讲"})
    assert meta.title == "林望川在首届东岚数字论坛开幕式上的主旨演讲"
    assert meta.subtitle == SUB


def test_subtitle_field_of_a_page_and_title_without_one() -> None:
    meta, _ = extract(["正文第一段。"], {"title": "东岚市举行数字经济座谈会", "subtitle": "——林望川主持并讲话"})
    assert meta.subtitle == "林望川主持并讲话"
    assert extract(["正文第一段。"], {"title": "在首届东岚数字论坛开幕式上的讲话"})[0].subtitle is None
    assert subtitle_of("弘扬“中国—中亚精神” 推动地区合作") is None  # a single dash inside a name is no subtitle
    assert subtitle_of(f"携手共建数字未来——{SUB}") == SUB


def test_subtitle_through_the_cli_and_an_export(tmp_path: Path) -> None:
    rec = {"title": f"携手共建数字未来——{SUB}", "date": "2019-05-20",
           "text": "女士们，先生们：\n\n很高兴与大家相聚在美丽的东岚。"}
    src = tmp_path / "r.json"
    src.write_text(json.dumps([rec], ensure_ascii=False), encoding="utf-8")
    db = tmp_path / "l.db"
    assert run_cli("ingest", str(src), "--json", db=db).returncode == 0
    [doc] = json.loads(run_cli("docs", "--json", db=db).stdout)
    assert doc["subtitle"] == SUB and doc["title"] == rec["title"]
    shown = json.loads(run_cli("show", doc["id"], "--json", db=db).stdout)
    assert shown["subtitle"] == SUB
    out = tmp_path / "e.jsonl"
    assert run_cli("export", "--format", "jsonl", "--out", str(out), db=db).returncode == 0
    db2 = tmp_path / "l2.db"
    assert run_cli("ingest", str(out), "--json", db=db2).returncode == 0
    assert json.loads(run_cli("docs", "--json", db=db2).stdout)[0]["subtitle"] == SUB


def test_a_file_of_schema_6_is_read_with_no_subtitle(tmp_path: Path) -> None:
    src = tmp_path / "r.json"
    src.write_text(json.dumps([{"title": "标题", "date": "2019-05-20", "text": "正文第一段。"}], ensure_ascii=False),
                   encoding="utf-8")
    db = tmp_path / "old.db"
    assert run_cli("ingest", str(src), db=db).returncode == 0
    conn = sqlite3.connect(db)
    conn.execute("ALTER TABLE documents DROP COLUMN subtitle")
    conn.execute("UPDATE lunshu_meta SET value = '6' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    r = run_cli("docs", "--json", db=db)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)[0]["subtitle"] is None
    assert run_cli("check", "--repair", "--json", db=db).returncode == 0  # a writing command upgrades it
    assert "subtitle" in [c[1] for c in sqlite3.connect(db).execute("PRAGMA table_info(documents)")]
