"""Readers: any input file becomes a stream of RawRecord (or a failure naming file and record).

Adding a format is adding one function to READERS. Record formats (JSON, JSONL, CSV) map their
fields to canonical keys by common English and Chinese names; ``field_map`` overrides.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import yaml

from lunshu.errors import InputError, LunshuError
from lunshu.ingest.decode import decode
from lunshu.models import IngestFailure, RawRecord

# canonical key -> accepted column names (compared case-insensitively, ignoring spaces, _ and -)
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "_id", "doc_id", "docid", "编号"),
    "title": ("title", "标题", "题目", "headline", "篇名"),
    "date": ("date", "publication", "published", "pubdate", "publish_date", "publishdate", "publication_date",
             "发布时间", "发布日期", "日期", "时间", "datetime", "created", "created_at", "time"),
    "text": ("text", "content", "body", "正文", "article", "内容", "全文", "fulltext", "full_text", "原文"),
    "url": ("url", "link", "链接", "网址", "href", "source_url", "permalink"),
    "source": ("source", "来源", "outlet", "publisher", "media", "出处", "媒体"),
    "author": ("author", "作者", "authors"),
    "speakers": ("speakers", "speaker", "讲话人", "发言人", "讲话者"),
    "genre": ("genre", "体裁", "文体"),
    "keywords": ("keywords", "关键词", "tags", "标签"),
    "publisher_keywords": ("publisher_keywords",),
    "occasion": ("occasion", "场合", "会议"),
    "year": ("year", "年份", "年"),
    "reporters": ("reporters", "记者"),
    "raw": ("raw",),
    "paragraphs": ("paragraphs",),
}
_ALIAS_INDEX = {re.sub(r"[\s_\-]", "", a.lower()): k for k, names in FIELD_ALIASES.items() for a in names}

FRONT_MATTER = re.compile(r"\A\ufeff?\s*---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)
_HTML_START = re.compile(r"\A\s*(<!doctype html|<html|<head|<body|<div|<p[ >]|<article)", re.I)

Item = RawRecord | IngestFailure


def _norm_key(k: str) -> str:
    return re.sub(r"[\s_\-]", "", k.lower())


def map_fields(record: dict[str, Any], field_map: dict[str, str] | None = None) -> dict[str, Any]:
    """Canonical keys for a record's columns; unknown columns are kept under their own names."""
    out: dict[str, Any] = {}
    taken: set[str] = set()
    if field_map:
        lower = {k.lower(): k for k in record}
        for canon, column in field_map.items():
            col = column if column in record else lower.get(column.lower())
            if col is None:
                raise InputError(f"--field {canon}={column}: no column {column!r} (columns: {', '.join(record)})")
            out[canon] = record[col]
            taken.add(col)
    for k, v in record.items():
        if k in taken:
            continue
        canon = _ALIAS_INDEX.get(_norm_key(str(k)))
        if canon is None:
            out.setdefault(str(k), v)
        elif canon not in out:
            out[canon] = v
    return out


def _text_value(value: Any, path: str, record: int | None) -> str:
    """A body field must be text; lists of strings are joined as paragraphs (common in scraped JSON)."""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(x, str) for x in value):
        return "\n\n".join(value)
    if value is None:
        raise InputError("text field is null", path=path, record=record)
    raise InputError(f"text field is a {type(value).__name__}, expected a string", path=path, record=record)


def record_to_raw(rec: Any, path: str, record_no: int | None, raw: str,
                  field_map: dict[str, str] | None) -> RawRecord:
    if not isinstance(rec, dict):
        raise InputError(f"record is a {type(rec).__name__}, expected an object with a text field",
                         path=path, record=record_no)
    fields = map_fields(rec, field_map)
    paragraphs = fields.get("paragraphs")
    if isinstance(paragraphs, list) and "text" not in fields:
        # a lunshu export: paragraphs are already clean
        texts = []
        for p in paragraphs:
            if isinstance(p, dict) and isinstance(p.get("text"), str):
                texts.append(p["text"])
            elif isinstance(p, str):
                texts.append(p)
            else:
                raise InputError("paragraphs must be strings or {n, text} objects", path=path, record=record_no)
        fields["paragraphs"] = texts
        body = "\n\n".join(texts)
        raw_text = fields.pop("raw", None)
        return RawRecord(path, record_no, fields, body, "lunshu", raw_text if isinstance(raw_text, str) else raw,
                         key=_record_key(fields, path, record_no))
    if "text" not in fields:
        cols = ", ".join(map(str, rec.keys())) or "none"
        raise InputError(
            f"no text field (columns: {cols}); name one with --field text=COLUMN", path=path, record=record_no
        )
    body = _text_value(fields.pop("text"), path, record_no)
    fmt = "html" if _HTML_START.match(body) or re.search(r"</p>|<br\s*/?>", body[:2000]) else "text"
    return RawRecord(path, record_no, fields, body, fmt, raw, key=_record_key(fields, path, record_no))


def _record_key(fields: dict[str, Any], path: str, record_no: int | None) -> str:
    rid = fields.get("id")
    if isinstance(rid, (str, int)) and str(rid).strip():
        return "id:" + str(rid).strip()
    url = fields.get("url")
    if isinstance(url, str) and url.strip():
        return f"{path}#{url.strip()}"
    return f"{path}#{record_no}" if record_no is not None else path


def _read_bytes(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError("file not found (it may have been moved or deleted)", path=path) from None
    except IsADirectoryError:
        raise InputError("is a directory", path=path) from None
    except PermissionError:
        raise InputError("permission denied", path=path) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", path=path) from None


def _load_text(path: str, encoding: str | None) -> str:
    data = _read_bytes(path)
    if not data.strip():
        raise InputError("empty file", path=path)
    text, _ = decode(data, path, encoding)
    if not text.strip():
        raise InputError("empty file (only whitespace)", path=path)
    return text


def read_text(path: str, field_map: dict[str, str] | None, encoding: str | None) -> Iterator[Item]:
    text = _load_text(path, encoding)
    fmt = "html" if _HTML_START.match(text) else "text"
    if fmt == "text" and FRONT_MATTER.match(text):
        yield from read_markdown(path, field_map, encoding, text=text)
        return
    yield RawRecord(path, None, {}, text, fmt, text, key=path)


def read_markdown(path: str, field_map: dict[str, str] | None, encoding: str | None,
                  text: str | None = None) -> Iterator[Item]:
    text = _load_text(path, encoding) if text is None else text
    fields: dict[str, Any] = {}
    body = text
    m = FRONT_MATTER.match(text)
    if m:
        try:
            meta = yaml.safe_load(m.group(1))
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 2}" if mark is not None else ""
            raise InputError(f"invalid YAML front matter{where}: {getattr(exc, 'problem', exc)}", path=path) from None
        if meta is not None and not isinstance(meta, dict):
            raise InputError("front matter is not a mapping of keys to values", path=path)
        fields = map_fields({str(k): v for k, v in (meta or {}).items()}, field_map)
        body = text[m.end():]
        if "text" in fields and not body.strip():
            body = _text_value(fields.pop("text"), path, None)
        fields.pop("text", None)
    if not body.strip():
        raise InputError("front matter but no body text", path=path)
    yield RawRecord(path, None, fields, body, "markdown", text, key=path)


def read_html(path: str, field_map: dict[str, str] | None, encoding: str | None) -> Iterator[Item]:
    data = _read_bytes(path)
    if not data.strip():
        raise InputError("empty file", path=path)
    enc = encoding
    if enc is None:
        m = re.search(rb"<meta[^>]+charset=[\"']?([A-Za-z0-9_\-]+)", data[:4096], re.I)
        if m:
            declared = m.group(1).decode("ascii").lower()
            try:
                data.decode(declared)
                enc = declared
            except (UnicodeDecodeError, LookupError):
                enc = None
    text, _ = decode(data, path, enc)
    fields = _html_fields(text)
    yield RawRecord(path, None, fields, text, "html", text, key=path)


_META = re.compile(r"<meta\s+[^>]*>", re.I)
_ATTR = re.compile(r"""(\w[\w:\-]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")
_META_KEYS = {
    "og:title": "title", "title": "title", "headline": "title",
    "article:published_time": "date", "pubdate": "date", "publishdate": "date", "date": "date",
    "og:url": "url", "author": "author", "source": "source", "og:site_name": "source",
    "keywords": "keywords",
}


def _html_fields(text: str) -> dict[str, Any]:
    """Metadata an HTML page states in its head (<meta>, <title>)."""
    fields: dict[str, Any] = {}
    head = text[:20000]
    for tag in _META.findall(head):
        attrs = {m.group(1).lower(): (m.group(2) or m.group(3) or m.group(4) or "") for m in _ATTR.finditer(tag)}
        name = (attrs.get("name") or attrs.get("property") or attrs.get("itemprop") or "").lower()
        canon = _META_KEYS.get(name)
        if canon and attrs.get("content") and canon not in fields:
            fields[canon] = attrs["content"].strip()
    m = re.search(r"<title[^>]*>(.*?)</title>", head, re.I | re.S)
    if m and "title" not in fields:
        import html as _html

        t = _html.unescape(re.sub(r"<[^>]+>", "", m.group(1))).strip()
        if t:
            fields["title"] = t
    if isinstance(fields.get("keywords"), str):
        fields["keywords"] = [k for k in re.split(r"[,，;；\s]+", fields["keywords"]) if k]
    return fields


def read_json(path: str, field_map: dict[str, str] | None, encoding: str | None) -> Iterator[Item]:
    text = _load_text(path, encoding)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        hint = " (truncated?)" if exc.pos >= len(text.rstrip()) - 1 else ""
        raise InputError(f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}{hint}", path=path) from None
    if isinstance(data, dict) and not _looks_like_record(data):
        for key in ("records", "data", "items", "documents", "docs", "articles"):
            if isinstance(data.get(key), list):
                data = data[key]
                break
    if isinstance(data, dict):
        try:
            yield record_to_raw(data, path, None, text, field_map)
        except LunshuError as exc:
            yield _failure(exc, path, None)
        return
    if not isinstance(data, list):
        raise InputError(f"JSON is a {type(data).__name__}; expected an object or an array of objects", path=path)
    if not data:
        raise InputError("JSON array is empty: no records", path=path)
    for i, rec in enumerate(data, start=1):
        try:
            yield record_to_raw(rec, path, i, json.dumps(rec, ensure_ascii=False), field_map)
        except LunshuError as exc:
            yield _failure(exc, path, i)


def _looks_like_record(d: dict[str, Any]) -> bool:
    return any(_ALIAS_INDEX.get(_norm_key(str(k))) in ("text", "paragraphs") for k in d)


def read_jsonl(path: str, field_map: dict[str, str] | None, encoding: str | None) -> Iterator[Item]:
    """Streams: one line at a time, so a file larger than memory is fine."""
    enc = encoding
    any_line = False
    try:
        fh = sys.stdin.buffer if path == "-" else open(path, "rb")  # noqa: SIM115
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", path=path) from None
    with fh:
        for i, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            any_line = True
            try:
                if enc is None:
                    text, enc = decode(line, path, None, record=i)
                    if enc.startswith("utf-8"):
                        enc = "utf-8"
                else:
                    try:
                        text = line.decode(enc)
                    except UnicodeDecodeError:
                        text, _ = decode(line, path, None, record=i)
                text = text.lstrip("\ufeff")
                try:
                    rec = json.loads(text)
                except json.JSONDecodeError as exc:
                    raise InputError(f"invalid JSON on line {i} column {exc.colno}: {exc.msg}",
                                     path=path, record=i) from None
                yield record_to_raw(rec, path, i, text.rstrip("\r\n"), field_map)
            except LunshuError as exc:
                yield _failure(exc, path, i)
    if not any_line:
        raise InputError("empty file", path=path)


def read_csv(path: str, field_map: dict[str, str] | None, encoding: str | None) -> Iterator[Item]:
    text = _load_text(path, encoding).lstrip("\ufeff")
    sample = text[:8192]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        header = next(reader)
    except StopIteration:
        raise InputError("empty CSV", path=path) from None
    except csv.Error as exc:
        raise InputError(f"unreadable CSV header: {exc}", path=path) from None
    header = [h.strip() for h in header]
    probe = map_fields({h: "" for h in header}, None) if not field_map else {}
    if not field_map and "text" not in probe and "paragraphs" not in probe:
        raise InputError(
            f"CSV has no text column (columns: {', '.join(header)}); name one with --field text=COLUMN", path=path
        )
    n = 0
    while True:
        n += 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            yield IngestFailure(path, n, f"malformed CSV row: {exc}")
            break
        if not any(c.strip() for c in row):
            continue
        if len(row) > len(header):
            yield IngestFailure(path, n, f"row has {len(row)} cells but the header has {len(header)}")
            continue
        rec = dict(zip(header, row + [""] * (len(header) - len(row))))
        try:
            yield record_to_raw(rec, path, n, ",".join(row), field_map)
        except LunshuError as exc:
            yield _failure(exc, path, n)


def read_parquet(path: str, field_map: dict[str, str] | None, encoding: str | None) -> Iterator[Item]:
    """Parquet written by `lunshu export --format parquet` (or any table with a text column)."""
    try:
        import pyarrow.parquet as pq

        pf = pq.ParquetFile(path)
    except Exception as exc:  # noqa: BLE001 - pyarrow raises many types for a bad file
        raise InputError(f"not a readable Parquet file: {exc}", path=path) from None
    n = 0
    for batch in pf.iter_batches(batch_size=256):
        for rec in batch.to_pylist():
            n += 1
            try:
                yield record_to_raw(rec, path, n, "", field_map)
            except LunshuError as exc:
                yield _failure(exc, path, n)


def _failure(exc: LunshuError, path: str, record: int | None) -> IngestFailure:
    return IngestFailure(exc.path or path, exc.record if exc.record is not None else record, exc.message)


Reader = Callable[[str, "dict[str, str] | None", "str | None"], Iterator[Item]]
READERS: dict[str, Reader] = {
    ".txt": read_text,
    ".text": read_text,
    ".md": read_markdown,
    ".markdown": read_markdown,
    ".html": read_html,
    ".htm": read_html,
    ".json": read_json,
    ".jsonl": read_jsonl,
    ".ndjson": read_jsonl,
    ".csv": read_csv,
    ".tsv": read_csv,
    ".parquet": read_parquet,
}


def sniff_stdin_reader(data: bytes) -> str:
    s = data.lstrip()[:200]
    if s.startswith(b"[") or (s.startswith(b"{") and b"\n{" not in data[:100000]):
        return ".json"
    if s.startswith(b"{"):
        return ".jsonl"
    if s.startswith(b"---"):
        return ".md"
    if s[:1] == b"<":
        return ".html"
    return ".txt"
