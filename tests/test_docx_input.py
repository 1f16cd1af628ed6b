"""``.docx`` input (how many compilations circulate), and a folder with files lunshu cannot read."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import run_cli

PARAS = ["网络空间是人类共同的活动空间，网络空间前途命运应由世界各国共同掌握。",
         "——2015年12月16日，习近平在第二届世界互联网大会开幕式上的讲话",
         "各国应该加强沟通、扩大共识、深化合作，共同构建网络空间命运共同体。",
         "——2016年11月16日，习近平在第三届世界互联网大会开幕式上的视频讲话"]


def _docx(path: Path, title: str) -> None:
    from docx import Document

    d = Document()
    d.core_properties.title = title
    d.add_heading(title, level=1)
    for p in PARAS:
        d.add_paragraph(p)
    table = d.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "表格里的示例文字"
    table.rows[0].cells[1].text = "第二格"
    d.save(str(path))


def test_a_docx_compilation_is_read_and_a_folder_says_what_it_skipped(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    _docx(folder / "摘编.docx", "网络空间命运共同体论述摘编")
    (folder / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0 an old binary Word file")
    (folder / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    (folder / "broken.docx").write_bytes(b"not a zip at all")
    (folder / ".hidden.txt").write_text("x", encoding="utf-8")
    db = tmp_path / "x.db"
    r = run_cli("ingest", str(folder), "--json", db=db)
    report = json.loads(r.stdout)
    assert r.returncode == 1  # the damaged .docx is a failure, named
    assert [Path(f["path"]).name for f in report["failed"]] == ["broken.docx"]
    assert "docx" in report["failed"][0]["error"]
    assert report["added"] == 1
    reasons = {Path(s["path"]).name: s["reason"] for s in report["skipped"]}
    assert set(reasons) == {"old.doc", "photo.jpg"}  # hidden files stay unmentioned
    assert "save it as .docx" in reasons["old.doc"] and ".jpg" in reasons["photo.jpg"]
    out = run_cli("ingest", str(folder), db=db)
    assert "skipped 2" in out.stdout
    assert "lunshu: skipped: " in out.stderr and "old.doc" in out.stderr
    (doc,) = json.loads(run_cli("docs", "--json", db=db).stdout)
    assert doc["title"] == "网络空间命运共同体论述摘编" and doc["genre"] == "compilation"
    shown = json.loads(run_cli("show", doc["id"], "--json", db=db).stdout)
    texts = [p["text"] for p in shown["paragraphs"]]
    assert PARAS[0] in texts and PARAS[2] in texts
    assert any("表格里的示例文字" in t for t in texts)  # table cells are text too
    quotes = json.loads(run_cli("quotes", "--doc", doc["id"], "--json", db=db).stdout)
    assert {q["attribution"]["date"] for q in quotes} == {"2015-12-16", "2016-11-16"}
