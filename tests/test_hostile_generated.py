"""A hostile-input corpus generated at test time (issue #20 item 7), beside the committed one in
tests/bad_input/: malformed CSV and JSONL at every position, NUL and control bytes, overlong lines
in UTF-8 and UTF-16, duplicate ids and columns, impossible dates, export-shape records, binary
formats under text names, every supported encoding. Each case says which good texts must be stored
and which records must be reported; the whole folder is ingested by the real CLI in one run, so a
case can only pass if nothing beside it was lost."""

from __future__ import annotations

import codecs
import gzip
import io
import json
import random
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import run_cli

SENTENCES = ["林望川在东岚市数字经济工作会议上强调要以数字化改革撬动各领域改革", "东岚数字论坛已经成为区域数字合作的重要平台",
             "数据是新的生产要素也是城市治理的新资源", "让每一位市民都能感受到数字化带来的便利和温度"]


@dataclass
class Case:
    name: str
    data: bytes
    good: list[str] = field(default_factory=list)  # texts that must be stored
    bad: list[int | None] = field(default_factory=list)  # records that must be reported (None: the file)
    env_limit: bool = False
    warned: list[str] = field(default_factory=list)  # fields the report must warn about (stored with a loss)


def text(case: str, i: int) -> str:
    """A unique good text (one text is stored once, so every case has its own)."""
    return f"{SENTENCES[i % 4]}，这是第{i + 1}条记录，用例{case}。"


def jl(obj: object) -> str:
    return json.dumps(obj, ensure_ascii=False)


def csv_cases() -> list[Case]:
    out = []
    for pos in range(1, 6):  # an unclosed quote in row pos of 6
        name = f"csv-unclosed-{pos}"
        rows = [f"行{i},{text(name, i)}" if i != pos - 1 else f'坏{i},"{text(name, i)}' for i in range(6)]
        good = [text(name, i) for i in range(6) if i != pos - 1]
        out.append(Case(name + ".csv", ("title,text\n" + "\n".join(rows) + "\n").encode(), good, [pos]))
    for pos in range(1, 6):  # a row with one cell too many / too few
        for kind, row in (("more", "多,{t},多余"), ("fewer", "少")):
            name = f"csv-{kind}-{pos}"
            rows = [f"行{i},{text(name, i)}" if i != pos - 1 else row.format(t=text(name, i)) for i in range(5)]
            good = [text(name, i) for i in range(5) if i != pos - 1]
            out.append(Case(name + ".csv", ("title,text\n" + "\n".join(rows) + "\n").encode(), good, [pos]))
    for cols in ("title,text,text", "text,title,title", "标题,正文,标题"):
        name = "csv-dupcol-" + str(abs(hash(cols)) % 1000)
        out.append(Case(name + ".csv", f"{cols}\na,{text(name, 0)},b\n".encode(), [], [None]))
    for delim, ext in (("\t", ".tsv"), (";", ".csv"), ("\t", ".csv")):
        name = f"csv-delim-{ord(delim)}{ext.strip('.')}"
        body = f"title{delim}text\n一{delim}{text(name, 0)}\n二{delim}{text(name, 1)}\n"
        out.append(Case(name + ext, body.encode(), [text(name, 0), text(name, 1)], []))
    name = "csv-multiline-valid"
    out.append(Case(name + ".csv", f'title,text\n"一, 二","{text(name, 0)}\n\n{text(name, 1)}"\n三,{text(name, 2)}\n'.encode(),
                    [text(name, 0), text(name, 1), text(name, 2)], []))
    return out


def jsonl_cases() -> list[Case]:
    out = []
    for pos in range(1, 6):  # one NUL byte in record pos
        name = f"jsonl-nul-{pos}"
        lines = [jl({"text": text(name, i)}).encode() for i in range(5)]
        lines[pos - 1] = lines[pos - 1].replace("，".encode(), b"\x00", 1)
        out.append(Case(name + ".jsonl", b"\n".join(lines) + b"\n", [text(name, i) for i in range(5) if i != pos - 1],
                        [pos]))
    for pos in range(1, 5):  # invalid JSON in record pos
        name = f"jsonl-broken-{pos}"
        lines = [jl({"text": text(name, i)}) for i in range(4)]
        lines[pos - 1] = lines[pos - 1][:-3]
        out.append(Case(name + ".jsonl", ("\n".join(lines) + "\n").encode(), [text(name, i) for i in range(4) if i != pos - 1],
                        [pos]))
    for enc, bom in (("utf-8", b""), ("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", codecs.BOM_UTF16_BE)):
        for pos in (1, 2, 3):  # an overlong line in the middle of the file (limit set by the test)
            name = f"jsonl-long-{enc}-{pos}"
            lines = [jl({"text": text(name, i)}) for i in range(3)]
            lines[pos - 1] = jl({"text": "长" * 6000})
            out.append(Case(name + ".jsonl", bom + ("\n".join(lines) + "\n").encode(enc),
                            [text(name, i) for i in range(3) if i != pos - 1], [pos], env_limit=True))
    for n in (2, 3):  # one id for different records
        name = f"jsonl-dupid-{n}"
        recs = [{"id": f"{name}-x", "text": text(name, i)} for i in range(n)]
        out.append(Case(name + ".jsonl", "".join(jl(r) + "\n" for r in recs).encode(), [text(name, 0)],
                        list(range(2, n + 1))))
    name = "jsonl-array"
    out.append(Case(name + ".jsonl", (jl([{"text": text(name, 0)}, {"text": text(name, 1)}]) + "\n").encode(),
                    [text(name, 0), text(name, 1)], []))
    for bad in ("[1, 2]", '"a string"', "null", "{}", '{"text": 5}', '{"text": null}', '{"text": ["a", 1]}'):
        name = f"jsonl-shape-{abs(hash(bad)) % 10000}"
        body = jl({"text": text(name, 0)}) + "\n" + bad + "\n" + jl({"text": text(name, 2)}) + "\n"
        out.append(Case(name + ".jsonl", body.encode(), [text(name, 0), text(name, 2)], [2]))
    return out


def export_shape_cases() -> list[Case]:
    out = []
    for i, (date, genre, warned) in enumerate((("2020-02-30", "bogus-genre", ["date", "genre"]),
                                               ("2021-13-01", "speech", ["date"]), ("0000", "report", []),
                                               ("1450000000x", "SPEECH", ["date"]))):
        name = f"export-shape-{i}"
        rec = {"id": f"{name}", "title": name, "date": date, "genre": genre, "paragraphs": [{"n": 1, "text": text(name, 0)}]}
        out.append(Case(name + ".jsonl", (jl(rec) + "\n").encode(), [text(name, 0)], [], warned=warned))
    return out


def encoding_cases() -> list[Case]:
    out = []
    for enc, bom in (("utf-8", b""), ("utf-8", codecs.BOM_UTF8), ("gb18030", b""), ("big5", b""),
                     ("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", codecs.BOM_UTF16_BE)):
        name = f"enc-{enc}-{len(bom)}"
        t = f"{text(name, 0)}\n\n{text(name, 1)}\n"
        if enc == "big5":
            t = "林望川在東嵐市數字經濟工作會議上強調。\n\n東嵐數字論壇已經成為區域數字合作的重要平台。\n"
            out.append(Case(name + ".txt", bom + t.encode(enc), ["林望川在東嵐市數字經濟工作會議上強調。"], []))
            continue
        out.append(Case(name + ".txt", bom + t.encode(enc), [text(name, 0), text(name, 1)], []))
    return out


def front_matter_cases() -> list[Case]:
    out = []
    for i, date in enumerate(("2020-02-30", "2019-13-01", "2021-00-10", "2023-02-29")):
        name = f"fm-date-{i}"
        out.append(Case(name + ".md", f"---\ntitle: {name}\ndate: {date}\n---\n\n{text(name, 0)}\n".encode(),
                        [text(name, 0)], [], warned=["date"]))
    name = "fm-alias"
    out.append(Case(name + ".md", b"---\na: &x [1]\nb: *x\n---\n\n" + text(name, 0).encode() + b"\n", [], [None]))
    return out


# a field a record gives that lunshu cannot use: the record is stored and the loss warned about
LOSSY = {"date-impossible": ("date", "2021-02-29"), "date-text": ("date", "去年春天"), "date-month": ("date", "2019-13"),
         "genre-unknown": ("genre", "讲话稿"), "url-not-web": ("url", "example.org/a"), "title-junk": ("title", "……"),
         "title-url": ("title", "https://example.org/t")}


def lossy_cases() -> list[Case]:
    out = []
    for kind, (key, value) in LOSSY.items():
        for ext in (".jsonl", ".json", ".csv", ".md"):
            name = f"lossy-{kind}{ext}"
            good, other = text(name, 0), text(name, 1)
            recs = [{"title": "好", "date": "2020-01-02", "text": other}, {"title": "坏", key: value, "text": good}]
            if ext == ".jsonl":
                data = "".join(jl(r) + "\n" for r in recs)
                warned = [key]
            elif ext == ".json":
                data = jl(recs)
                warned = [key]
            elif ext == ".csv":
                cols = ["title", "date", "text"] + ([key] if key not in ("title", "date") else [])
                rows = [",".join(cols)] + [",".join(str(r.get(c, "")) for c in cols) for r in recs]
                data = "\n".join(rows) + "\n"
                warned = [key]
            else:  # front matter: one document a file
                data = f"---\n{key}: {jl(value)}\n---\n\n{good}\n"
                warned = [key]
            out.append(Case(name, data.encode(), [good] + ([other] if ext != ".md" else []), [], warned=warned))
    return out


def control_cases() -> list[Case]:
    out = []
    for i, ch in enumerate(("\u202e", "\u2066", "\U000e0041", "\x1b[31m", "\x07", "\u200f")):
        name = f"ctrl-title-{i}"
        rec = {"title": f"标题{ch}坏", "text": text(name, 0)}
        out.append(Case(name + ".jsonl", (jl(rec) + "\n").encode(), [text(name, 0)], []))
    return out


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\x80")) + chunk(b"IEND", b""))


def binary_cases() -> list[Case]:
    zbuf = io.BytesIO()
    with zipfile.ZipFile(zbuf, "w") as z:
        z.writestr("a.txt", "东岚" * 500)
    blobs = {"png": _png() * 40, "zip": zbuf.getvalue(), "gzip": gzip.compress(("东岚" * 2000).encode()),
             "elf": b"\x7fELF\x02\x01\x01" + bytes(2000), "random": random.Random(3).randbytes(4000),
             "zeros": bytes(5000)}
    out = []
    for kind, data in blobs.items():
        for ext in (".txt", ".jsonl", ".csv"):
            out.append(Case(f"bin-{kind}{ext}", data, [], [None]))
    return out


def all_cases() -> list[Case]:
    return (csv_cases() + jsonl_cases() + export_shape_cases() + encoding_cases() + front_matter_cases()
            + lossy_cases() + control_cases() + binary_cases())


def test_the_generated_corpus_is_large() -> None:
    cases = all_cases()
    assert len(cases) >= 80
    assert len({c.name for c in cases}) == len(cases)
    committed = len(json.loads((Path(__file__).parent / "bad_input" / "manifest.json").read_text("utf-8"))["files"])
    assert committed + len(cases) >= 170


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, object], str, list[Case]]:
    tmp = tmp_path_factory.mktemp("hostile")
    folder = tmp / "in"
    folder.mkdir()
    cases = all_cases()
    for c in cases:
        (folder / c.name).write_bytes(c.data)
    db = tmp / "t.db"
    # the overlong-line cases need a small record limit; 0.004 MB is still far above every other record
    r = run_cli("ingest", str(folder), "--json", "--quiet", db=db, env={"LUNSHU_MAX_RECORD_MB": "0.004"})
    assert r.stdout, r.stderr
    assert "Traceback" not in r.stderr and "internal error" not in r.stderr, r.stderr[-3000:]
    report = json.loads(r.stdout)
    exported = run_cli("export", "--format", "jsonl", db=db)
    assert exported.returncode == 0, exported.stderr
    return report, exported.stdout, cases


@pytest.mark.parametrize("case", all_cases(), ids=lambda c: c.name)
def test_each_case(ingested: tuple[dict[str, object], str, list[Case]], case: Case) -> None:
    report, stored, _ = ingested
    failed = [f for f in report["failed"] if Path(str(f["path"])).name == case.name]  # type: ignore[index, union-attr]
    for t in case.good:
        assert t in stored, f"{case.name}: a good text was lost: {t}"
    got = sorted((f["record"] for f in failed), key=lambda r: -1 if r is None else r)
    want = sorted(case.bad, key=lambda r: -1 if r is None else r)
    if want == [None]:
        # the file is refused (a binary file with no newline may be named as its one record, 1)
        assert failed and all(f["record"] in (None, 1) for f in failed), failed
        assert f"in/{case.name}" not in stored
    else:
        assert got == want, (case.name, failed)
    for f in failed:
        assert "\n" not in f["error"] and "internal" not in f["error"], f
    # stored with a loss: warned about, field by field, and nothing else warned about
    warnings = [w for w in report.get("warnings", []) if Path(str(w["path"])).name == case.name]  # type: ignore[union-attr]
    assert sorted(w["field"] for w in warnings) == sorted(case.warned), (case.name, warnings)
    for w in warnings:
        assert "\n" not in w["message"] and w["record"] in (None, 1, 2), w
