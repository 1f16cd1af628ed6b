"""Ingestion end to end, through the real CLI and the library, on real files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import RECORD_CORPORA, SEEDS, requires_shared, run_cli

from lunshu import Corpus

SEED_EXPECT = {
    "000": ("习近平出席第二届世界互联网大会开幕式并发表主旨演讲", "2015-12-16", "习近平", "report"),
    "001": ("在第二届世界互联网大会开幕式上的讲话", "2015-12-16", "习近平", "speech"),
    "002": ("习近平主席这样阐释网络空间命运共同体", "2024-11-21", "习近平", "compilation"),
    "003": ("刘云山出席第三届世界互联网大会并将致辞", None, "刘云山", "speech"),
    "004": ("习近平：网络空间未来应由世界各国共同开创", "2022-07-13", "习近平", "compilation"),
}


def _docs_by_seed(db: Path) -> dict[str, dict]:
    r = run_cli("docs", "--json", db=db)
    assert r.returncode == 0, r.stderr
    out = {}
    for d in json.loads(r.stdout):
        out[Path(d["origin"]).name[:3]] = d
    return out


@requires_shared
def test_seeds_ingest_through_cli(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    r = run_cli("ingest", str(SEEDS), "--json", db=db)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == {"added": 5, "updated": 0, "unchanged": 0, "failed": [], "duplicates": []}
    docs = _docs_by_seed(db)
    assert set(docs) == set(SEED_EXPECT)
    for num, (title, date, speaker, genre) in SEED_EXPECT.items():
        d = docs[num]
        assert d["title"] == title, num
        if num == "003":
            assert d["date"] in (None, "2016-11-16"), "never a wrong date"
        else:
            assert d["date"] == date, num
        assert d["speakers"][0] == speaker, num
        assert d["genre"] == genre, num
    kw = docs["000"]["publisher_keywords"]
    assert len(kw) == 20 and kw[0] == "网络空间" and kw[5] == "16" and kw[-1] == "共治"
    assert docs["001"]["url"] == "http://news.xinhuanet.com/world/2015-12/16/c_1117481089.htm"
    assert docs["001"]["source"] and "新华" in docs["001"]["source"]
    # the keyword line is metadata, not body text
    show = json.loads(run_cli("show", docs["000"]["id"], "--json", db=db).stdout)
    assert not any("关键词" in p["text"] for p in show["paragraphs"])
    assert show["raw"].startswith("关键词")
    # seed 000's article is there once, without captions
    texts = [p["text"] for p in show["paragraphs"]]
    assert sum("刘云山在主持开幕式时说" in t for t in texts) == 1
    assert not any("摄" in t and "新华社记者" in t for t in texts)


@requires_shared
def test_corpora_ingest_is_idempotent_and_updates_in_place(tmp_path: Path) -> None:
    data = tmp_path / "corpora"
    data.mkdir()
    for p in RECORD_CORPORA:
        shutil.copyfile(p, data / p.name)
        (data / p.name).chmod(0o644)
    db = tmp_path / "c.db"
    r = run_cli("ingest", str(data), "--json", db=db)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == {"added": 193, "updated": 0, "unchanged": 0, "failed": [], "duplicates": []}
    r = run_cli("ingest", str(data), "--json", db=db)
    assert json.loads(r.stdout) == {"added": 0, "updated": 0, "unchanged": 193, "failed": [], "duplicates": []}

    docs = json.loads(run_cli("docs", "--json", db=db).stdout)
    xinhua = [d for d in docs if d["url"] and "news.cn" in d["url"]]
    assert len(xinhua) == 105
    assert all(d["date"] and len(d["date"]) == 10 for d in xinhua)
    reports = [d for d in docs if "政府工作报告" in (d["title"] or "")]
    assert len(reports) >= 70 and all(d["date"] and d["date"][:4].isdigit() for d in reports)

    # change one record: that one document is updated under the same id, nothing else moves
    path = data / "xinhua-xi-speeches-2022-2025.json"
    records = json.loads(path.read_text(encoding="utf-8"))
    target = records[3]
    target["text"] = target["text"] + "\u3000\u3000（本文有改动）"
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    before = {d["url"]: d["id"] for d in xinhua}
    r = run_cli("ingest", str(data), "--json", db=db)
    assert json.loads(r.stdout) == {"added": 0, "updated": 1, "unchanged": 192, "failed": [], "duplicates": []}
    after = {d["url"]: d["id"] for d in json.loads(run_cli("docs", "--json", db=db).stdout) if d["url"]}
    assert after[target["url"]] == before[target["url"]]
    doc = json.loads(run_cli("show", after[target["url"]], "--json", db=db).stdout)
    assert "本文有改动" in doc["paragraphs"][-1]["text"]


def test_csv_with_only_date_and_text(tmp_path: Path) -> None:
    f = tmp_path / "t.csv"
    f.write_text("Date,Text\n2019-05-20,东岚市推动数字合作。\n2020-06-01,\"第一段。\n\n第二段，含逗号。\"\n",
                 encoding="utf-8")
    c = Corpus(tmp_path / "db.sqlite")
    rep = c.ingest([str(f)])
    assert (rep.added, rep.failed) == (2, [])
    docs = c.docs()
    assert [d.date for d in docs] == ["2019-05-20", "2020-06-01"]
    second = c.get(docs[1].id)
    assert second.paragraphs == ["第一段。", "第二段，含逗号。"]


def test_field_override_and_chinese_names(tmp_path: Path) -> None:
    f = tmp_path / "r.jsonl"
    f.write_text(
        json.dumps({"标题": "示例标题", "发布时间": "2021-03-05", "正文": "这是正文。", "链接": "http://example.org/a"},
                   ensure_ascii=False) + "\n"
        + json.dumps({"headline2": "别名标题", "when": "2022-01-02", "words": "另一段正文。"}, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    db = tmp_path / "f.db"
    r = run_cli("ingest", str(f), "--json", db=db)
    assert r.returncode == 1  # the second record has no known text column
    out = json.loads(r.stdout)
    assert out["added"] == 1 and out["failed"][0]["record"] == 2
    assert "--field text=" in out["failed"][0]["error"]
    r = run_cli("ingest", str(f), "--field", "text=words", "--field", "date=when", "--field", "title=headline2",
                "--json", db=db)
    out = json.loads(r.stdout)
    assert out["failed"][0]["record"] == 1  # now record 1 lacks the column named by --field
    docs = json.loads(run_cli("docs", "--json", db=db).stdout)
    by_title = {d["title"]: d for d in docs}
    assert by_title["示例标题"]["date"] == "2021-03-05"
    assert by_title["示例标题"]["url"] == "http://example.org/a"
    assert by_title["别名标题"]["date"] == "2022-01-02"


def test_bad_input_is_reported_and_the_rest_ingested(tmp_path: Path) -> None:
    d = tmp_path / "in"
    d.mkdir()
    (d / "good.txt").write_text("示例标题\n\n这是一段完整的正文，用来检验好文件照常入库。", encoding="utf-8")
    (d / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (d / "empty.md").write_bytes(b"")
    (d / "truncated.json").write_text('[{"title": "a", "text": "正文', encoding="utf-8")
    (d / "latin1.txt").write_bytes("caf\xe9 cr\xe8me br\xfbl\xe9e".encode("latin-1"))
    (d / "notext.csv").write_text("Date,Title\n2020-01-01,标题\n", encoding="utf-8")
    db = tmp_path / "b.db"
    r = run_cli("ingest", str(d), "--json", db=db)
    assert r.returncode == 1
    assert "Traceback" not in r.stderr
    out = json.loads(r.stdout)
    assert out["added"] == 1
    failed = {Path(f["path"]).name: f for f in out["failed"]}
    assert set(failed) == {"binary.txt", "empty.md", "truncated.json", "latin1.txt", "notext.csv"}
    assert "binary" in failed["binary.txt"]["error"]
    assert "empty" in failed["empty.md"]["error"]
    assert "JSON" in failed["truncated.json"]["error"]
    assert "--encoding" in failed["latin1.txt"]["error"]
    assert "no text column" in failed["notext.csv"]["error"]
    # one line per failure on stderr, naming the file
    assert sum(1 for line in r.stderr.splitlines() if line.startswith("lunshu: failed:")) == 5


@pytest.mark.parametrize("encoding", ["gb18030", "gbk", "big5", "utf-8-sig", "utf-16"])
def test_encodings(tmp_path: Path, encoding: str) -> None:
    text = "東嵐數字論壇開幕\n\n林望川在開幕式上發表講話，強調數字合作。" if encoding == "big5" else \
        "东岚数字论坛开幕\n\n林望川在开幕式上发表讲话，强调数字合作与共同发展。"
    f = tmp_path / f"doc-{encoding}.txt"
    f.write_bytes(text.encode(encoding))
    c = Corpus(tmp_path / "e.db")
    rep = c.ingest([str(f)])
    assert rep.failed == [] and rep.added == 1
    doc = c.get(rep.doc_ids[0])
    assert any("林望川" in p for p in doc.paragraphs + [doc.title or ""])


def test_stdin_and_export_round_trip(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    payload = json.dumps([
        {"title": "甲", "date": "2020-01-02", "text": "第一篇的正文。\n\n第二段。", "url": "http://example.org/1"},
        {"title": "乙", "date": "2021", "text": "第二篇的正文，日期只有年份。"},
    ], ensure_ascii=False)
    r = run_cli("ingest", "-", "--json", db=db, input=payload)
    assert json.loads(r.stdout)["added"] == 2, r.stderr
    out = tmp_path / "export.jsonl"
    r = run_cli("export", "--format", "jsonl", "--out", str(out), db=db)
    assert r.returncode == 0, r.stderr
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 2 and all("raw" in x and isinstance(x["paragraphs"], list) for x in lines)
    db2 = tmp_path / "b.db"
    r = run_cli("ingest", str(out), "--json", db=db2)
    assert json.loads(r.stdout)["added"] == 2
    a = [json.loads(run_cli("show", x["id"], "--json", db=db).stdout) for x in lines]
    b = [json.loads(run_cli("show", x["id"], "--json", db=db2).stdout) for x in lines]
    for x, y in zip(a, b):
        x.pop("origin"), y.pop("origin")
        assert x == y


def test_parquet_round_trip(tmp_path: Path) -> None:
    c = Corpus(tmp_path / "a.db")
    f = tmp_path / "in.json"
    f.write_text(json.dumps({"title": "丙", "date": "2022-02-02", "text": "正文一。\n\n正文二。"}, ensure_ascii=False),
                 encoding="utf-8")
    c.ingest([str(f)])
    pq = tmp_path / "x.parquet"
    assert c.export(str(pq), "parquet") == 1
    c2 = Corpus(tmp_path / "b.db")
    rep = c2.ingest([str(pq)])
    assert rep.added == 1 and not rep.failed
    a, b = c.get(c.docs()[0].id), c2.get(c2.docs()[0].id)
    assert (a.id, a.title, a.date, a.paragraphs, a.raw) == (b.id, b.title, b.date, b.paragraphs, b.raw)


def test_errors_are_one_line_and_json_shaped(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    run_cli("ingest", "-", db=db, input='{"title": "t", "text": "正文。"}')
    r = run_cli("show", "nope", "--json", db=db)
    assert r.returncode == 1
    assert json.loads(r.stdout) == {"error": {"code": "not_found", "message": "no document with id 'nope'"}}
    assert r.stderr.strip().count("\n") == 0 and "Traceback" not in r.stderr
    r = run_cli("docs", "--from", "yesterday", db=db)
    assert r.returncode == 2 and "--from" in r.stderr  # a date that is not one is a usage error
    r = run_cli("docs", "--no-such-option", db=db)
    assert r.returncode == 2


def test_ids_are_stable_across_working_directories(tmp_path: Path) -> None:
    f = tmp_path / "d" / "a.txt"
    f.parent.mkdir()
    f.write_text("标题\n\n正文内容在此。", encoding="utf-8")
    db = tmp_path / "s.db"
    r1 = json.loads(run_cli("ingest", "d/a.txt", "--json", db=db, cwd=tmp_path).stdout)
    r2 = json.loads(run_cli("ingest", str(f), "--json", db=db, cwd=f.parent).stdout)
    assert r1["added"] == 1 and r2 == {"added": 0, "updated": 0, "unchanged": 1, "failed": [], "duplicates": []}
