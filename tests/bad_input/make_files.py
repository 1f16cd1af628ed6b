"""Writes the bad-input corpus (files/ and manifest.json) and checks it; also makes the test-time cases.

Binary, mis-encoded and huge inputs cannot be reviewed in a diff, so they are built here from
readable recipes: `python tests/bad_input/make_files.py` rewrites files/ and manifest.json,
`--check` verifies that the committed files are what the recipes make and that every file is
as broken (or as valid) as the manifest says. The functions at the bottom (make_long_line,
make_symlink_loop, …) create the cases that must not be committed; tests import them with
importlib from this path.
"""

from __future__ import annotations

import argparse
import codecs
import csv
import gzip
import io
import json
import os
import random
import struct
import sys
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
FILES = HERE / "files"

# Fictional text only (see docs/examples.md): 林望川, 东岚, 东岚数字论坛 are invented.
S1 = "林望川在东岚市数字经济工作会议上强调，要以数字化改革撬动各领域改革。"
S2 = "东岚数字论坛已经成为区域数字合作的重要平台。"
S3 = "数据是新的生产要素，也是城市治理的新资源。"
S4 = "让每一位市民都能感受到数字化带来的便利和温度。"


def utf8(s: str) -> bytes:
    return s.encode("utf-8")


def jdump(o: Any) -> bytes:
    return utf8(json.dumps(o, ensure_ascii=False, indent=1) + "\n")


def jline(o: Any) -> str:
    return json.dumps(o, ensure_ascii=False)


def rec(title: str, text: str, date: str = "2021-06-01", **extra: Any) -> dict[str, Any]:
    return {"title": title, "date": date, "text": text, **extra}


def tiny_png() -> bytes:
    """A valid 1x1 grey PNG, built by hand so no image is committed as an opaque blob."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00\x80")) + chunk(b"IEND", b"")


def seeded_bytes(seed: int, n: int) -> bytes:
    return random.Random(seed).randbytes(n)


def long_line(n_chars: int, seed: int = 7) -> str:
    """One paragraph with no newline and no sentence punctuation at all."""
    words = ["东岚", "数字", "论坛", "经济", "城市", "数据", "平台", "合作", "市民", "治理", "创新", "开放"]
    rnd = random.Random(seed)
    out: list[str] = []
    size = 0
    while size < n_chars:
        w = rnd.choice(words)
        out.append(w)
        size += len(w)
    return "".join(out)[:n_chars]


def nested_divs(depth: int) -> bytes:
    return utf8("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>深层嵌套的页面</title></head><body>"
                + "<div>" * depth + f"<p>{S2}</p>" + "</div>" * depth + "</body></html>\n")


def yaml_alias_bomb(levels: int) -> str:
    lines = ['a0: &a0 ["东岚", "东岚", "东岚", "东岚", "东岚", "东岚", "东岚", "东岚", "东岚", "东岚"]']
    for i in range(1, levels):
        prev = f"*a{i - 1}"
        lines.append(f"a{i}: &a{i} [{', '.join([prev] * 10)}]")
    return "\n".join(lines)


# Each entry: file name (under files/), a recipe making its bytes, and what the ingest should do.
# Manifest keys are explained in README.md.
Entry = tuple[str, Callable[[], bytes], dict[str, Any]]

ENTRIES: list[Entry] = [
    # --- good neighbours: ingesting the whole folder must still add these ---------------------------------
    ("good-speech.txt", lambda: utf8(f"坏文件旁边的好文件\n\n林望川\n\n(2021年6月1日)\n\n{S1}\n\n{S2}\n"),
     {"expect": "document", "must_contain": [S1], "title": "坏文件旁边的好文件",
      "why": "a correct file among the bad ones: it must be ingested whatever its neighbours do"}),
    ("good-records.json", lambda: jdump([rec("好记录一", S1), rec("好记录二", S2, "2022-09-20")]),
     {"expect": "documents", "records": 2, "must_contain": [S1, S2], "why": "correct JSON array"}),
    ("good-news.jsonl", lambda: utf8(jline({"标题": "好新闻一", "发布时间": "2020-09-24", "正文": S3}) + "\n"
                                     + jline({"标题": "好新闻二", "发布时间": "2021-06-02", "正文": S4}) + "\n"),
     {"expect": "documents", "records": 2, "must_contain": [S3, S4], "why": "correct JSONL with Chinese field names"}),
    ("good-table.csv", lambda: utf8(f"title,date,text\n好表格一,2019-05-20,{S2}\n好表格二,2020-09-23,{S3}\n"),
     {"expect": "documents", "records": 2, "must_contain": [S2, S3], "why": "correct CSV"}),
    ("good-page.html", lambda: utf8("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>好页面</title></head>"
                                    f"<body><h1>好页面</h1><p>{S1}</p><p>{S4}</p></body></html>\n"),
     {"expect": "document", "must_contain": [S1, S4], "title": "好页面", "why": "correct HTML"}),
    ("good-post.md", lambda: utf8(f"---\ntitle: 好文章\ndate: 2023-10-12\n---\n\n# 好文章\n\n{S2}\n\n{S3}\n"),
     {"expect": "document", "must_contain": [S2, S3], "title": "好文章", "date": "2023-10-12",
      "why": "correct Markdown with front matter"}),

    # --- empty and nearly empty ----------------------------------------------------------------------------------
    ("empty.txt", lambda: b"", {"expect": "error", "error_contains": ["empty"], "why": "zero bytes"}),
    ("empty.json", lambda: b"", {"expect": "error", "error_contains": ["empty"], "why": "zero bytes, .json"}),
    ("empty.jsonl", lambda: b"", {"expect": "error", "error_contains": ["empty"], "also_ok": ["documents"],
                                  "records": 0, "why": "zero bytes, .jsonl"}),
    ("empty.csv", lambda: b"", {"expect": "error", "error_contains": ["empty"], "why": "zero bytes, .csv"}),
    ("empty.md", lambda: b"", {"expect": "error", "error_contains": ["empty"], "why": "zero bytes, .md"}),
    ("empty.html", lambda: b"", {"expect": "error", "error_contains": ["empty"], "why": "zero bytes, .html"}),
    ("whitespace-only.txt", lambda: utf8(" \t\n\n\u3000\u3000\r\n\u00a0 \n\u2003\n"),
     {"expect": "error", "error_contains": ["empty"],
      "why": "spaces, tabs, CR/LF, U+3000, U+2003 and NBSP only: nothing to index"}),
    ("punctuation-only.txt", lambda: utf8("。，、；：？！……——“”《》（）\n\n。。。\n"),
     {"expect": "error", "error_contains_any": ["empty", "text"], "also_ok": ["document"],
      "why": "punctuation only: no word to search for"}),
    ("noise-only.txt", lambda: utf8("1242220192\n\n0011010\n110100011101000\n0001101000011001\n\n扫一扫 查看更多\n"),
     {"expect": "error", "error_contains_any": ["empty", "text"], "also_ok": ["document"],
      "why": "only an image id, binary-digit art and a QR prompt: the cleaner removes all of it"}),

    # --- binary ---------------------------------------------------------------------------------------------------
    ("png-bytes.txt", lambda: tiny_png() + seeded_bytes(1, 2048),
     {"expect": "error", "error_contains_any": ["binary", "decode", "encoding"],
      "why": "a PNG image saved with a .txt name"}),
    ("random-bytes.txt", lambda: seeded_bytes(2, 4096),
     {"expect": "error", "error_contains_any": ["binary", "decode", "encoding"], "why": "4 KB of random bytes"}),
    ("random-bytes.json", lambda: seeded_bytes(3, 4096),
     {"expect": "error", "error_contains_any": ["binary", "decode", "encoding", "JSON"],
      "why": "random bytes with a .json name"}),
    ("compressed.jsonl", lambda: gzip.compress(utf8(jline(rec("压缩一", S1)) + "\n" + jline(rec("压缩二", S2)) + "\n"),
                                               mtime=0),
     {"expect": "error", "error_contains_any": ["binary", "gzip", "compressed", "decode", "encoding"],
      "also_ok": ["documents"], "records": 2,
      "why": "a gzip stream with a .jsonl name (decompressing it is also fine)"}),
    ("picture.png", tiny_png,
     {"expect": "error", "error_contains_any": ["unsupported", "format", "extension", "suffix", "binary"],
      "also_ok": ["skipped"],
      "why": "an unsupported format: named explicitly it is an error; a folder walk may skip it"}),
    ("unknown.xyz", lambda: utf8(S1 + "\n"),
     {"expect": "error", "error_contains_any": ["unsupported", "format", "extension", "suffix"],
      "also_ok": ["skipped", "document"],
      "why": "text under an unknown extension: refused, skipped by a folder walk, or read as text when named"}),
    ("nul-bytes.txt", lambda: utf8(f"含有空字节的文本\n\n{S1}\x00\x00\n\n{S2}\x00\n"),
     {"expect": "error", "error_contains_any": ["binary", "NUL"], "also_ok": ["document"], "must_contain": [S2],
      "must_not_contain": ["\u0000"],
      "why": "UTF-8 text with stray NUL bytes: call it binary, or drop the NULs and keep the words"}),
    ("utf16le-no-bom.txt", lambda: (f"{S1}\n\n{S2}\n").encode("utf-16-le"),
     {"encoding": "utf-16-le", "expect": "error", "error_contains_any": ["binary", "decode", "encoding"], "also_ok": ["document"],
      "must_contain": [S1], "why": "UTF-16 without a byte-order mark: every other byte is NUL for ASCII"}),

    # --- JSON -----------------------------------------------------------------------------------------------------
    ("truncated.json", lambda: jdump([rec("截断一", S1), rec("截断二", S2)])[:-40],
     {"expect": "error", "error_contains": ["JSON"], "why": "cut off in the middle of the second record"}),
    ("single-quotes.json", lambda: utf8("{'title': '单引号', 'text': '" + S1 + "'}\n"),
     {"expect": "error", "error_contains": ["JSON"], "why": "Python-style quotes are not JSON"}),
    ("trailing-comma.json", lambda: utf8('[{"title": "尾逗号", "text": "' + S1 + '"},]\n'),
     {"expect": "error", "error_contains": ["JSON"], "also_ok": ["documents"], "records": 1,
      "why": "trailing comma in an array"}),
    ("bare-string.json", lambda: jdump(S1),
     {"expect": "error", "error_contains_any": ["object", "array"], "also_ok": ["document"],
      "why": "a JSON string, not an object or array"}),
    ("bare-number.json", lambda: b"42\n",
     {"expect": "error", "error_contains_any": ["object", "array"], "why": "a JSON number"}),
    ("null.json", lambda: b"null\n",
     {"expect": "error", "error_contains_any": ["object", "array", "empty"], "why": "JSON null"}),
    ("empty-array.json", lambda: b"[]\n",
     {"expect": "error", "error_contains_any": ["empty", "no records"], "also_ok": ["documents"], "records": 0,
      "why": "an array with no records"}),
    ("array-of-strings.json", lambda: jdump([S1, S2]),
     {"expect": "documents", "records": 0, "bad_records": [1, 2], "error_contains": ["object"],
      "also_ok": ["documents:2"], "why": "records that are strings, not objects"}),
    ("title-number.json", lambda: jdump({"title": 2019, "date": "2019-05-20", "text": S1}),
     {"expect": "document", "title": "2019", "must_contain": [S1], "why": "title is a number: kept as text"}),
    ("text-list.json", lambda: jdump({"title": "正文是列表", "text": [S1, S2]}),
     {"expect": "document", "must_contain": [S1, S2], "also_ok": ["error"], "error_contains": ["text"],
      "why": "text is a list of paragraphs (common in scraped JSON)"}),
    ("text-object.json", lambda: jdump({"title": "正文是对象", "text": {"p1": S1}}),
     {"expect": "error", "error_contains": ["text"], "why": "text is an object"}),
    ("text-null.json", lambda: jdump({"title": "正文为空", "text": None}),
     {"expect": "error", "error_contains": ["text"], "why": "text is null"}),
    ("no-text-field.json", lambda: jdump({"title": "没有正文字段", "date": "2021-06-01", "url": "https://x.example/1"}),
     {"expect": "error", "error_contains": ["text"], "why": "no field that could be the text"}),
    ("mixed-types.json", lambda: jdump([rec("混合一", S1), {"title": "混合二", "text": None}, rec("混合三", S2),
                                        {"title": "混合四", "text": {"a": 1}}, {"title": 5, "text": S3}]),
     {"expect": "documents", "records": 3, "bad_records": [2, 4], "error_contains": ["text"],
      "must_contain": [S1, S2, S3], "why": "bad records among good ones: the good ones are kept"}),
    ("wrapped-records.json", lambda: jdump({"status": "ok", "data": [rec("包裹一", S1), rec("包裹二", S2)]}),
     {"expect": "documents", "records": 2, "also_ok": ["error"], "error_contains": ["text"],
      "why": "an API response: records under a data key"}),
    ("deep-nesting.json", lambda: b"[" * 20000 + b"]" * 20000 + b"\n",
     {"expect": "error", "error_contains_any": ["JSON", "nest", "deep", "recursion"],
      "why": "20,000 nested arrays: Python's json raises RecursionError, which must not escape"}),
    ("duplicate-keys.json", lambda: utf8('{"title": "前一个标题", "title": "后一个标题", "text": "' + S1 + '"}\n'),
     {"expect": "document", "title": "后一个标题", "must_contain": [S1], "why": "a key twice: the last one wins"}),
    ("nan.json", lambda: utf8('{"title": "非数字", "score": NaN, "weight": Infinity, "text": "' + S1 + '"}\n'),
     {"expect": "document", "must_contain": [S1], "also_ok": ["error"], "error_contains": ["JSON"],
      "why": "NaN and Infinity are not JSON but Python accepts them; an unknown field anyway"}),
    ("lone-surrogate.json", lambda: utf8('{"title": "孤立代理项", "text": "' + S1 + '\\ud800' + S2 + '"}\n'),
     {"expect": "document", "must_contain": [S2], "also_ok": ["error"],
      "error_contains_any": ["surrogate", "encoding", "character", "decode"],
      "why": "\\ud800 escape: valid JSON syntax, but the string cannot be encoded as UTF-8 for the database"}),
    ("ndjson-as.json", lambda: utf8(jline(rec("行一", S1)) + "\n" + jline(rec("行二", S2)) + "\n"),
     {"expect": "error", "error_contains": ["JSON"], "also_ok": ["documents"], "records": 2,
      "why": "JSON Lines saved with a .json name"}),
    ("control-char-title.json", lambda: jdump({"title": "控制\u0007字符\u001b[31m标题\u001b[0m", "text": S1}),
     {"expect": "document", "title_contains": "标题", "title_must_not_contain": ["\u001b", "\u0007"],
      "must_contain": [S1], "why": "BEL and ANSI escape sequences in a title must not reach a terminal"}),
    ("rtl-override-title.json", lambda: jdump({"title": "林望川\u202e话讲\u202c的日今", "text": S1}),
     {"expect": "document", "title_contains": "林望川", "title_must_not_contain": ["\u202e", "\u202c"],
      "must_contain": [S1], "why": "a right-to-left override in a title can disguise what is shown"}),
    ("xss-title.json", lambda: jdump({"title": "<img src=x onerror=alert(1)>示例", "text": S1}),
     {"expect": "document", "title_contains": "示例", "must_contain": [S1],
      "why": "markup in a plain-text field is text: stored as is or stripped, always escaped when rendered"}),
    ("long-title.json", lambda: jdump({"title": "东岚" * 2000, "text": S1}),
     {"expect": "document", "must_contain": [S1], "why": "a 4,000-character title"}),
    ("bad-dates.json", lambda: jdump([rec("日期一", S1, "明天下午三点"), rec("日期二", S2, "2019-13-45"),
                                      rec("日期三", S3, "")]),
     {"expect": "documents", "records": 3, "dates": [None, None, None],
      "why": "unparseable or impossible dates become null, never a wrong date and never an error"}),

    # --- JSONL ----------------------------------------------------------------------------------------------------
    ("one-bad-line.jsonl", lambda: utf8("\n".join([jline(rec("一", S1)), jline(rec("二", S2)),
                                                   '{"title": "三", "text": "缺右括号"', jline(rec("四", S3))]) + "\n"),
     {"expect": "documents", "records": 3, "bad_records": [3], "error_contains": ["JSON"],
      "must_contain": [S1, S2, S3], "why": "line 3 is broken JSON; lines 1, 2 and 4 are ingested"}),
    ("trailing-blank-lines.jsonl", lambda: utf8(jline(rec("一", S1)) + "\n" + jline(rec("二", S2)) + "\n\n\n"),
     {"expect": "documents", "records": 2, "why": "blank lines at the end are not records"}),
    ("blank-lines-inside.jsonl", lambda: utf8("\n" + jline(rec("一", S1)) + "\n\n  \n" + jline(rec("二", S2))
                                              + "\n\t\n" + jline(rec("三", S3))),
     {"expect": "documents", "records": 3, "why": "blank and whitespace lines between records; no final newline"}),
    ("duplicates.jsonl", lambda: utf8(jline(rec("重复", S1)) + "\n" + jline(rec("重复", S1)) + "\n"
                                      + jline(rec("不重复", S2)) + "\n"),
     {"expect": "documents", "records": 3, "records_alternatives": [2],
      "why": "the same record twice: two documents linked as duplicates, or one"}),
    ("bom-crlf.jsonl", lambda: codecs.BOM_UTF8 + utf8(jline(rec("一", S1)) + "\r\n" + jline(rec("二", S2)) + "\r\n"),
     {"expect": "documents", "records": 2, "why": "UTF-8 byte-order mark and CRLF line ends"}),
    ("not-objects.jsonl", lambda: utf8("[1, 2]\n\"字符串\"\n42\n" + jline(rec("唯一的好记录", S1)) + "\n"),
     {"expect": "documents", "records": 1, "bad_records": [1, 2, 3], "error_contains": ["object"],
      "why": "lines that are valid JSON but not records"}),
    ("array-as.jsonl", lambda: jdump([rec("一", S1), rec("二", S2)]),
     {"expect": "error", "error_contains": ["JSON"], "also_ok": ["documents"], "records": 2,
      "why": "a pretty-printed JSON array saved as .jsonl: every line alone is broken"}),
    ("gbk.jsonl", lambda: (jline({"标题": "国标码一", "正文": S1}) + "\n" + jline({"标题": "国标码二", "正文": S2})
                           + "\n").encode("gbk"),
     {"encoding": "gbk", "expect": "documents", "records": 2, "must_contain": [S1, S2], "why": "JSONL encoded in GBK"}),

    # --- CSV ------------------------------------------------------------------------------------------------------
    ("no-text-column.csv", lambda: utf8("id,name,value\n1,东岚,3\n2,西岚,4\n"),
     {"expect": "error", "error_contains_any": ["text", "column"], "why": "no column that could be the text"}),
    ("multiline-quoted.csv", lambda: utf8('title,date,text\n"跨行, 含逗号",2019-05-20,"' + S1 + '\n' + S2
                                          + '\n他说：""一号工程"", 要抓紧。"\n简单,2020-09-23,' + S3 + "\n"),
     {"expect": "documents", "records": 2, "must_contain": [S1, S2, '他说："一号工程", 要抓紧。', S3],
      "titles": ["跨行, 含逗号", "简单"],
      "why": "valid CSV: quoted fields span lines and hold commas and doubled quotes"}),
    ("ragged-rows.csv", lambda: utf8(f"title,date,text\n好行一,2019-05-20,{S1}\n多一列,2019-05-21,{S2},多余\n"
                                     f"少一列,2019-05-22\n好行四,2019-05-23,{S3}\n"),
     {"expect": "documents", "records": 2, "bad_records": [2, 3], "records_alternatives": [3],
      "error_contains_any": ["cells", "columns", "fields", "text"],
      "why": "row 2 has an extra cell, row 3 has no text cell"}),
    ("bom.csv", lambda: codecs.BOM_UTF8 + utf8(f"标题,发布时间,正文\n带BOM一,2021-06-01,{S1}\n带BOM二,2021-06-02,{S2}\n"),
     {"expect": "documents", "records": 2, "titles": ["带BOM一", "带BOM二"], "dates": ["2021-06-01", "2021-06-02"],
      "why": "UTF-8 BOM before the first column name (标题 must still be recognised)"}),
    ("header-only.csv", lambda: utf8("title,date,text\n"),
     {"expect": "documents", "records": 0, "also_ok": ["error"], "error_contains": ["empty"],
      "why": "a header and no rows"}),
    ("gbk.csv", lambda: f"标题,日期,正文\n国标一,2021-06-01,{S1}\n国标二,2021-06-02,{S2}\n".encode("gbk"),
     {"encoding": "gbk", "expect": "documents", "records": 2, "must_contain": [S1, S2], "why": "CSV in GBK"}),
    ("utf16be-bom.csv", lambda: codecs.BOM_UTF16_BE + f"title,text\n十六位一,{S1}\n十六位二,{S2}\n".encode("utf-16-be"),
     {"encoding": "utf-16", "expect": "documents", "records": 2, "must_contain": [S1, S2], "why": "UTF-16 big-endian with a BOM"}),
    ("empty-text-cell.csv", lambda: utf8(f"title,text\n有正文,{S1}\n没有正文,\n也有正文,{S2}\n"),
     {"expect": "documents", "records": 2, "bad_records": [2], "error_contains_any": ["empty", "text"],
      "why": "one row with an empty text cell"}),
    ("formula-injection.csv", lambda: utf8('title,text\n"=HYPERLINK(""http://x.example"",""点我"")",'
                                           + S1 + '\n+公式,"=1+2 ' + S2 + '"\n'),
     {"expect": "documents", "records": 2, "titles": ['=HYPERLINK("http://x.example","点我")', "+公式"],
      "must_contain": [S1, S2],
      "why": "cells starting with = or +: stored as text; a CSV export must neutralise them"}),
    ("unclosed-quote.csv", lambda: utf8(f'title,text\n好行,{S1}\n坏行,"{S2}\n后面,{S3}\n'),
     {"expect": "documents", "records": 2, "bad_records": [2], "error_contains_any": ["quote", "CSV", "malformed"],
      "must_contain": [S1, S3],
      "why": "a quote opened and never closed swallows the rest of the file: the row is reported, the rows after it kept"}),
    ("tab-separated.csv", lambda: utf8(f"title\tdate\ttext\n制表一\t2019-05-20\t{S1}\n制表二\t2019-05-21\t{S2}\n"),
     {"expect": "documents", "records": 2, "also_ok": ["error"], "error_contains_any": ["text", "column"],
      "why": "tab-separated values under a .csv name"}),

    # --- encodings ------------------------------------------------------------------------------------------------
    ("invalid-utf8.txt", lambda: utf8(f"无效的UTF-8字节\n\n{S1}\n\n") + b"\xff\xfe\xc3" + utf8(f"\n\n{S2}\n")
     + utf8("截断")[:-1],
     {"expect": "document", "must_contain": [S1, S2], "also_ok": ["error"],
      "error_contains_any": ["UTF-8", "decode", "encoding"],
      "why": "UTF-8 with a few invalid bytes: keep the words (never decode the whole file as something else)"}),
    ("mixed-encodings.txt", lambda: utf8(f"混合编码\n\n{S1}\n\n") + f"{S2}\n".encode("gbk"),
     {"expect": "document", "must_contain": [S1], "also_ok": ["error"],
      "error_contains_any": ["UTF-8", "decode", "encoding"],
      "why": "first half UTF-8, second half GBK"}),
    ("utf16-bom.txt", lambda: codecs.BOM_UTF16_LE + f"统一码十六位\n\n{S1}\n\n{S2}\n".encode("utf-16-le"),
     {"encoding": "utf-16", "expect": "document", "must_contain": [S1, S2], "title": "统一码十六位", "why": "UTF-16 LE with a BOM"}),
    ("utf8-bom.txt", lambda: codecs.BOM_UTF8 + utf8(f"带字节序标记\n\n{S1}\n"),
     {"expect": "document", "title": "带字节序标记", "must_contain": [S1], "must_not_contain": ["\ufeff"],
      "why": "the BOM must not become part of the title"}),
    ("gbk.txt", lambda: f"国标扩展编码\n\n{S1}\n\n尊敬的陈喆院士，{S2}\n".encode("gbk"),
     {"encoding": "gbk", "expect": "document", "must_contain": [S1, "陈喆"], "title": "国标扩展编码", "why": "GBK, with 喆 (not in GB2312)"}),
    ("big5.txt", lambda: "繁體中文大五碼\n\n東嵐數字論壇已經成為區域數字合作的重要平台。\n".encode("big5"),
     {"encoding": "big5", "expect": "document", "must_contain": ["東嵐數字論壇已經成為區域數字合作的重要平台。"], "title": "繁體中文大五碼",
      "why": "Big5 traditional text"}),
    ("gb18030-4byte.txt", lambda: f"四字节字符\n\n𠮷㐀是扩展区的字。{S1}\n".encode("gb18030"),
     {"encoding": "gb18030", "expect": "document", "must_contain": ["𠮷㐀是扩展区的字。"], "title": "四字节字符",
      "why": "GB18030 four-byte sequences: GBK cannot decode them"}),
    ("latin1.txt", lambda: "Café déjà vu: a Latin-1 note about the Dōnglán forum.\n".encode("latin-1", "replace"),
     {"encoding": "latin-1", "expect": "document", "must_contain": ["Café déjà vu"], "also_ok": ["error"],
      "error_contains_any": ["decode", "encoding"], "why": "ISO-8859-1, no Chinese at all"}),
    ("charset-lie.html", lambda: ("<html><head><meta charset=\"utf-8\"><title>声明与实际不符</title></head>"
                                  f"<body><p>{S1}</p></body></html>\n").encode("gbk"),
     {"encoding": "gbk", "expect": "document", "must_contain": [S1], "also_ok": ["error"], "error_contains_any": ["decode", "encoding"],
      "why": "the page says UTF-8 but the bytes are GBK"}),
    ("gbk-meta.html", lambda: ("<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gbk\">"
                               f"<title>国标页面</title></head><body><p>{S2}</p></body></html>\n").encode("gbk"),
     {"encoding": "gbk", "expect": "document", "must_contain": [S2], "title": "国标页面", "why": "GBK page that declares gbk"}),

    # --- odd characters in text -----------------------------------------------------------------------------------
    ("control-chars.txt", lambda: utf8(f"控制\x1b[2J字符\x07标题\n\n{S1}\x0b{S2}\n\n{S3}\x08\n"),
     {"expect": "document", "title_contains": "标题", "title_must_not_contain": ["\u001b", "\u0007"],
      "must_contain": [S3], "must_not_contain": ["\u001b", "\u0007", "\u0008"],
      "why": "escape sequences, BEL, VT and backspace"}),
    ("rtl-override.txt", lambda: utf8(f"林望川\u202e话讲\u202c\n\n{S1}\n"),
     {"expect": "document", "title_contains": "林望川", "title_must_not_contain": ["\u202e"], "must_contain": [S1],
      "why": "right-to-left override in the title line"}),
    ("zero-width.txt", lambda: utf8("零宽字符\n\n东岚数\u200b字经\u200c济发\u200d展，网\u00ad络空\ufeff间。\n"),
     {"expect": "document", "must_contain": ["东岚数字经济发展", "网络空间"],
      "why": "zero-width space/joiners, soft hyphen and a mid-text BOM inside words must not hide them from search"}),
    ("cr-only.txt", lambda: utf8(f"旧式换行\r\r{S1}\r\r{S2}\r"),
     {"expect": "document", "title": "旧式换行", "must_contain": [S1, S2],
      "why": "classic Mac line ends (CR only)"}),
    ("form-feed.txt", lambda: utf8("分页符\n\n加强关键信息基础设\f施保护，营造清朗有序的网络环境。\n"),
     {"expect": "document", "must_contain": ["加强关键信息基础设施保护"],
      "why": "a form feed (a real page break) inside a word"}),
    ("long-line-small.txt", lambda: utf8(long_line(20000)),
     {"expect": "document", "must_contain": [long_line(20000)[5000:5040]],
      "why": "20,000 characters, no newline, no punctuation (the 50 MB version is made at test time)"}),
    ("emoji-astral.txt", lambda: utf8(f"表情与扩展字\n\n东岚😀数字论坛🎉，𠮷字在此。{S1}\n"),
     {"expect": "document", "must_contain": ["数字论坛", "，𠮷字在此。"], "must_not_contain": ["😀", "🎉"],
      "why": "characters outside the BMP kept (emoji between characters are page noise: kept in raw only)"}),
    ("looks-like-json.txt", lambda: utf8('{"title": "我是文本文件", "text": "' + S1 + '"}\n'),
     {"expect": "document", "must_contain": [S1], "why": "JSON content in a .txt file is text"}),
    ("-leading-dash.txt", lambda: utf8(f"以横线开头的文件名\n\n{S1}\n"),
     {"expect": "document", "must_contain": [S1], "why": "a file name that looks like an option on a command line"}),
    ("文件名 含空格 (1).txt", lambda: utf8(f"中文文件名\n\n{S2}\n"),
     {"expect": "document", "must_contain": [S2], "why": "Chinese, spaces and parentheses in the file name"}),

    # --- HTML -----------------------------------------------------------------------------------------------------
    ("deep-nesting.html", lambda: nested_divs(5000),
     {"expect": "document", "must_contain": [S2], "title": "深层嵌套的页面",
      "why": "5,000 nested divs: recursive tree walks overflow the stack"}),
    ("broken.html", lambda: utf8("<html><head><title>残缺的页面</title><body><div class=content><p>" + S1
                                 + "<p><b>" + S2 + "<i></b>" + S3 + "</i></div></div></span><p>" + S4
                                 + "<table><tr><td>表格里的字</div>"),
     {"expect": "document", "must_contain": [S1, S4, "表格里的字"], "title": "残缺的页面",
      "why": "unclosed and mis-nested tags, stray end tags, no </body></html>"}),
    ("script-title.html", lambda: utf8("<html><head><title><script>alert(1)</script>示例标题</title>"
                                       "<script>alert(2)</script></head><body><p>" + S1
                                       + "</p><script>document.write('alert(3)')</script></body></html>\n"),
     {"expect": "document", "title_contains": "示例标题", "must_contain": [S1], "must_not_contain": ["alert(2)", "alert(3)"],
      "why": "<script> inside <title> is text (a title that must be escaped when shown); real scripts are dropped"}),
    ("no-text.html", lambda: utf8("<html><head><title></title><style>p{color:red}</style><script>var a=1;</script>"
                                  "</head><body><nav><a href=/>首页</a></nav><script>track()</script></body></html>\n"),
     {"expect": "error", "error_contains_any": ["empty", "text"], "also_ok": ["document"],
      "why": "a page with scripts, styles and one navigation link"}),
    ("unclosed-comment.html", lambda: utf8(f"<html><body><p>{S1}</p><!-- 注释没有结束 <p>{S2}</p></body></html>\n"),
     {"expect": "document", "must_contain": [S1], "must_not_contain": ["注释没有结束"],
      "why": "an unclosed comment hides the rest of the page, as a browser would"}),

    # --- Markdown / front matter ------------------------------------------------------------------------------------
    ("frontmatter-no-body.md", lambda: utf8("---\ntitle: 只有前言\ndate: 2023-10-12\n---\n"),
     {"expect": "error", "error_contains_any": ["empty", "body", "text"], "also_ok": ["document"],
      "why": "front matter and nothing else"}),
    ("frontmatter-invalid-yaml.md", lambda: utf8(f"---\ntitle: [未闭合\ndate: : :\n---\n\n{S1}\n"),
     {"expect": "error", "error_contains": ["YAML"], "also_ok": ["document"], "must_contain": [S1],
      "why": "broken YAML between the delimiters"}),
    ("only-delimiters.md", lambda: b"---\n---\n",
     {"expect": "error", "error_contains_any": ["empty", "body", "text"], "why": "two delimiter lines"}),
    ("frontmatter-unclosed.md", lambda: utf8(f"---\ntitle: 没有结束的前言\n\n{S1}\n\n{S2}\n"),
     {"expect": "document", "must_contain": [S1, S2], "also_ok": ["error"],
      "why": "an opening --- without a closing one: read it as text"}),
    ("frontmatter-list.md", lambda: utf8(f"---\n- 列表一\n- 列表二\n---\n\n{S1}\n"),
     {"expect": "document", "must_contain": [S1], "also_ok": ["error"], "error_contains_any": ["front matter", "mapping"],
      "why": "front matter that is a YAML list, not a mapping"}),
    ("frontmatter-types.md", lambda: utf8(f"---\ntitle: 2019\ndate: 2019-05-20\ntags: 林望川\nauthor:\n---\n\n{S1}\n"),
     {"expect": "document", "title": "2019", "date": "2019-05-20", "must_contain": [S1],
      "why": "YAML turns 2019 into an int and 2019-05-20 into a date object; author is null"}),
    ("bom-frontmatter.md", lambda: codecs.BOM_UTF8 + utf8(f"---\ntitle: 带BOM的前言标题\n---\n\n{S1}\n"),
     {"expect": "document", "title": "带BOM的前言标题", "must_contain": [S1],
      "why": "a BOM before the opening ---"}),
    ("script-title.md", lambda: utf8(f"---\ntitle: '<script>alert(1)</script>前言标题'\n---\n\n{S2}\n"),
     {"expect": "document", "title_contains": "前言标题", "must_contain": [S2],
      "why": "markup in a front-matter title: text, escaped when rendered"}),
    ("markdown-body.md", lambda: utf8(f"---\ntitle: 标记语言正文\n---\n\n# 一级标题\n\n{S1}**加粗**\n\n- 列表项一\n"
                                      f"- 列表项二\n\n[链接文字](https://x.example/a)\n\n```\ncode_block()\n```\n\n"
                                      f"![图片说明](https://x.example/a.png)\n\n> {S2}\n"),
     {"expect": "document", "must_contain": [S1, S2, "链接文字", "列表项一"], "must_not_contain": ["](https", "**"],
      "why": "a Markdown (not HTML) body: headings, emphasis, lists, links, code, image, quote"}),
    ("yaml-alias-bomb.md", lambda: utf8("---\ntitle: 别名炸弹\n" + yaml_alias_bomb(9) + f"\n---\n\n{S1}\n"),
     {"expect": "document", "must_contain": [S1], "also_ok": ["error"], "error_contains": ["YAML"],
      "why": "9 levels of YAML aliases, 10 each: 10^9 strings if anything expands or serialises them (hang/OOM)"}),

    # --- a folder with a file-like name --------------------------------------------------------------------------
    ("folder.json/inside.txt", lambda: utf8(f"文件夹里的文件\n\n{S3}\n"),
     {"expect": "document", "must_contain": [S3],
      "why": "a folder named folder.json: walk into it, do not try to parse it as JSON"}),
]


def manifest() -> dict[str, Any]:
    files = []
    for name, _, meta in ENTRIES:
        entry: dict[str, Any] = {"file": f"files/{name}"}
        entry.update(meta)
        if entry["expect"] == "documents" and "records" not in entry:
            raise ValueError(f"{name}: documents without records")
        files.append(entry)
    return {
        "version": 1,
        "about": "Bad and awkward inputs; see README.md for the meaning of each key and for the test-time cases.",
        "files": files,
        "generated": GENERATED,
    }


GENERATED: list[dict[str, Any]] = [
    {"name": "long-line-50mb.txt", "make": "make_long_line(path, 50 * 2**20)", "expect": "document",
     "also_ok": ["error"], "error_contains_any": ["limit", "large", "MB"],
     "why": "one 50 MB line of Han characters, no newline, no punctuation: no hang, memory bounded; "
            "a clear size-limit error is acceptable"},
    {"name": "loop/", "make": "make_symlink_loop(dir)", "expect": "documents", "records": 1,
     "why": "a folder holding one good file and a symlink to itself: the walk ends, the file is ingested once"},
    {"name": "dangling.txt", "make": "make_dangling_symlink(path)", "expect": "error",
     "error_contains_any": ["not found", "no such", "missing"], "why": "a symlink whose target does not exist"},
    {"name": "vanishing/", "make": "make_vanishing(dir) -> (folder, victim); delete victim after the paths are listed",
     "expect": "documents", "records": 2, "error_contains_any": ["not found", "no such", "deleted", "moved"],
     "why": "a file removed between listing and reading: an error naming it, the other two files ingested"},
    {"name": "fifo.txt", "make": "make_fifo(path)", "expect": "error",
     "error_contains_any": ["regular", "fifo", "pipe", "special"],
     "why": "a named pipe with a .txt name: opening it blocks forever unless non-regular files are refused"},
    {"name": "unreadable.txt", "make": "make_unreadable(path)", "expect": "error", "error_contains": ["permission"],
     "why": "mode 000; skip when running as root (root reads it anyway)"},
    {"name": "bytes-name-\\xff.txt", "make": "make_undecodable_name(dir)", "expect": "document",
     "why": "a file name that is not valid UTF-8: reporting its path must not raise UnicodeEncodeError"},
    {"name": "zeros-100mb.txt", "make": "make_zeros(path, 100 * 2**20)", "expect": "error",
     "error_contains_any": ["binary", "NUL", "limit", "large"],
     "why": "a large sparse file of NUL bytes: rejected (as binary or as too large) without reading it all"},
    {"name": "-", "make": "stdin with no bytes", "expect": "error", "error_contains": ["empty"],
     "why": "ingest - with empty standard input"},
]


# --- test-time generators (not committed outputs) -------------------------------------------------------------
def make_long_line(path: Path, size: int = 50 * 2**20) -> Path:
    """Writes `size` bytes of one UTF-8 line in 1 MB pieces, so the generator itself stays small."""
    piece = long_line(2**20 // 3).encode("utf-8")
    with open(path, "wb") as fh:
        written = 0
        while written + len(piece) <= size:
            fh.write(piece)
            written += len(piece)
    return path


def make_symlink_loop(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "good.txt").write_text(f"循环目录里的好文件\n\n{S1}\n", encoding="utf-8")
    os.symlink(root.resolve(), root / "self", target_is_directory=True)
    sub = root / "sub"
    sub.mkdir(exist_ok=True)
    os.symlink(root.resolve(), sub / "back", target_is_directory=True)
    return root


def make_dangling_symlink(path: Path) -> Path:
    os.symlink(path.parent / "does-not-exist.txt", path)
    return path


def make_vanishing(root: Path) -> tuple[Path, Path]:
    root.mkdir(parents=True, exist_ok=True)
    for i, s in enumerate((S1, S2)):
        (root / f"stays-{i}.txt").write_text(f"留下的文件{i}\n\n{s}\n", encoding="utf-8")
    victim = root / "vanishes.txt"
    victim.write_text(f"会消失的文件\n\n{S3}\n", encoding="utf-8")
    return root, victim


def make_fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def make_unreadable(path: Path) -> Path:
    path.write_text(f"不可读的文件\n\n{S1}\n", encoding="utf-8")
    path.chmod(0)
    return path


def make_undecodable_name(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    p = os.path.join(os.fsencode(root), b"bytes-name-\xff.txt")
    with open(p, "wb") as fh:
        fh.write(utf8(f"文件名不是UTF-8\n\n{S2}\n"))
    return Path(os.fsdecode(p))


def make_zeros(path: Path, size: int = 100 * 2**20) -> Path:
    with open(path, "wb") as fh:
        fh.truncate(size)
    return path


# --- writing and checking ----------------------------------------------------------------------------------------
def write() -> None:
    for name, make, _ in ENTRIES:
        p = FILES / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(make())
    (HERE / "manifest.json").write_text(json.dumps(manifest(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def _decodes(data: bytes, enc: str) -> bool:
    try:
        data.decode(enc)
        return True
    except UnicodeDecodeError:
        return False


def check() -> list[str]:
    """The committed files are what the recipes make, and each is as broken as the manifest says."""
    problems: list[str] = []
    on_disk = {p.relative_to(FILES).as_posix() for p in FILES.rglob("*") if p.is_file()}
    names = {n for n, _, _ in ENTRIES}
    if on_disk != names:
        problems.append(f"files/ differs from the recipes: extra {sorted(on_disk - names)}, missing {sorted(names - on_disk)}")
    if json.loads((HERE / "manifest.json").read_text(encoding="utf-8")) != manifest():
        problems.append("manifest.json is stale: run make_files.py")
    for name, make, meta in ENTRIES:
        p = FILES / name
        if p.is_file() and p.read_bytes() != make():
            problems.append(f"{name}: bytes differ from the recipe")
    data = {n: make() for n, make, _ in ENTRIES}

    def expect(cond: bool, msg: str) -> None:
        if not cond:
            problems.append(msg)

    for name in ("good-records.json", "title-number.json", "text-list.json", "mixed-types.json", "wrapped-records.json",
                 "duplicate-keys.json", "nan.json", "lone-surrogate.json", "control-char-title.json",
                 "rtl-override-title.json", "xss-title.json", "long-title.json", "bad-dates.json", "bare-string.json",
                 "bare-number.json", "null.json", "empty-array.json", "array-of-strings.json", "text-object.json",
                 "text-null.json", "no-text-field.json"):
        try:
            json.loads(data[name])
        except ValueError as exc:
            problems.append(f"{name} should be valid JSON: {exc}")
    for name in ("truncated.json", "single-quotes.json", "trailing-comma.json", "ndjson-as.json", "empty.json"):
        try:
            json.loads(data[name])
            problems.append(f"{name} should NOT be valid JSON")
        except ValueError:
            pass
    try:
        json.loads(data["deep-nesting.json"])
        problems.append("deep-nesting.json should overflow json's recursion limit")
    except RecursionError:
        pass
    try:
        json.loads(data["lone-surrogate.json"])["text"].encode("utf-8")
        problems.append("lone-surrogate.json should hold an unencodable string")
    except UnicodeEncodeError:
        pass
    # JSONL: which lines parse
    for name, bad in (("one-bad-line.jsonl", [3]), ("not-objects.jsonl", [])):
        lines = data[name].decode("utf-8").splitlines()
        for i, line in enumerate(lines, start=1):
            try:
                json.loads(line)
                ok = True
            except ValueError:
                ok = False
            expect(ok != (i in bad), f"{name} line {i}: parse={ok}")
    for name in ("good-news.jsonl", "trailing-blank-lines.jsonl", "blank-lines-inside.jsonl", "duplicates.jsonl"):
        recs = [json.loads(x) for x in data[name].decode("utf-8").splitlines() if x.strip()]
        expect(len(recs) == meta_of(name)["records"], f"{name}: {len(recs)} records")
    recs = [json.loads(x) for x in data["bom-crlf.jsonl"].decode("utf-8-sig").splitlines() if x.strip()]
    expect(len(recs) == 2, "bom-crlf.jsonl")
    recs = [json.loads(x) for x in data["gbk.jsonl"].decode("gbk").splitlines() if x.strip()]
    expect(len(recs) == 2 and not _decodes(data["gbk.jsonl"], "utf-8"), "gbk.jsonl")
    expect(json.loads(gzip.decompress(data["compressed.jsonl"]).splitlines()[0])["title"] == "压缩一", "compressed.jsonl")
    # CSV: rows as Python's csv module reads them
    rows = list(csv.reader(io.StringIO(data["multiline-quoted.csv"].decode("utf-8"), newline="")))
    expect(len(rows) == 3 and all(len(r) == 3 for r in rows) and "\n" in rows[1][2] and rows[1][0] == "跨行, 含逗号",
           "multiline-quoted.csv")
    rows = list(csv.reader(io.StringIO(data["ragged-rows.csv"].decode("utf-8"), newline="")))
    expect([len(r) for r in rows] == [3, 3, 4, 2, 3], "ragged-rows.csv")
    rows = list(csv.reader(io.StringIO(data["bom.csv"].decode("utf-8-sig"), newline="")))
    expect(rows[0][0] == "标题" and data["bom.csv"].startswith(codecs.BOM_UTF8), "bom.csv")
    rows = list(csv.reader(io.StringIO(data["formula-injection.csv"].decode("utf-8"), newline="")))
    expect([r[0] for r in rows[1:]] == meta_of("formula-injection.csv")["titles"], "formula-injection.csv")
    rows = list(csv.reader(io.StringIO(data["unclosed-quote.csv"].decode("utf-8"), newline="")))
    expect(len(rows) == 3 and "\n" in rows[2][1], "unclosed-quote.csv swallows the last row")
    expect(data["utf16be-bom.csv"].decode("utf-16").startswith("title,text"), "utf16be-bom.csv")
    # encodings
    expect(not _decodes(data["invalid-utf8.txt"], "utf-8"), "invalid-utf8.txt must not be valid UTF-8")
    expect(not _decodes(data["mixed-encodings.txt"], "utf-8") and not _decodes(data["mixed-encodings.txt"], "gbk"),
           "mixed-encodings.txt must decode as neither UTF-8 nor GBK")
    expect(data["utf16-bom.txt"].decode("utf-16").startswith("统一码十六位"), "utf16-bom.txt")
    expect(not _decodes(data["gbk.txt"], "utf-8") and not _decodes(data["gbk.txt"], "gb2312")
           and "陈喆" in data["gbk.txt"].decode("gbk"), "gbk.txt")
    expect(not _decodes(data["big5.txt"], "utf-8") and data["big5.txt"].decode("big5").startswith("繁體"), "big5.txt")
    expect(not _decodes(data["gb18030-4byte.txt"], "gbk") and "𠮷" in data["gb18030-4byte.txt"].decode("gb18030"),
           "gb18030-4byte.txt must need GB18030")
    expect(not _decodes(data["latin1.txt"], "utf-8"), "latin1.txt")
    expect(not _decodes(data["charset-lie.html"], "utf-8"), "charset-lie.html")
    expect(b"\x00" in data["nul-bytes.txt"] and b"\x00" in data["utf16le-no-bom.txt"], "NUL files")
    expect(data["png-bytes.txt"].startswith(b"\x89PNG") and data["picture.png"].startswith(b"\x89PNG"), "PNG files")
    expect(data["deep-nesting.html"].count(b"<div>") == 5000, "deep-nesting.html")
    # every must_contain phrase is really in the (decoded) input, so a miss is the ingest's fault
    for name, _, meta in ENTRIES:
        if not meta.get("must_contain"):
            continue
        raw = data[name]
        if name == "compressed.jsonl":
            raw = gzip.decompress(raw)
        text = raw.decode(meta["encoding"]) if "encoding" in meta else _best_text(raw)
        if name.endswith((".json", ".jsonl")):
            text = json.dumps(_json_values(text), ensure_ascii=False)
        flat = text.replace("\u200b", "").replace("\u200c", "").replace("\u200d", "").replace("\u00ad", "")
        flat = flat.replace("\ufeff", "").replace("\f", "").replace('""', '"')
        for s in meta.get("must_contain", []):
            if s not in text and s not in flat:
                problems.append(f"{name}: must_contain {s!r} is not in the input")
    total = sum(len(b) for b in data.values())
    expect(total < 1_000_000, f"committed files total {total} bytes")
    return problems


def meta_of(name: str) -> dict[str, Any]:
    return next(m for n, _, m in ENTRIES if n == name)


def _best_text(raw: bytes) -> str:
    for enc in ("utf-8-sig", "utf-16") if raw[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) else ("utf-8-sig",):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            pass
    for enc in ("utf-8", "gbk", "gb18030", "big5"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            pass
    return raw.decode("utf-8", "replace") + raw.decode("gbk", "replace") + raw.decode("latin-1")


def _json_values(text: str) -> Any:
    """Parsed JSON (or each JSONL line) where possible, else the text, so escapes are compared decoded."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        out: list[Any] = []
        for line in text.splitlines():
            try:
                out.append(json.loads(line))
            except (ValueError, RecursionError):
                out.append(line)
        return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--check", action="store_true", help="verify instead of writing")
    args = ap.parse_args()
    if not args.check:
        write()
    problems = check()
    for p in problems:
        print("PROBLEM:", p)
    print(f"{len(ENTRIES)} files, {len(GENERATED)} test-time cases, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
