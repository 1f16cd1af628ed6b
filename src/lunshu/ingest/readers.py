"""Readers: any input file becomes a stream of RawRecord (or a failure naming file and record).

Adding a format is adding one function to READERS. Record formats (JSON, JSONL, CSV) map their
fields to canonical keys by common English and Chinese names; ``field_map`` overrides.

What every reader promises, whatever the file holds:

- it raises only :class:`~lunshu.errors.LunshuError` (the pipeline turns it into a failure naming
  the file), and a bad *record* of a record format is yielded as an ``IngestFailure`` naming the
  record, so the records around it are still read;
- sizes are bounded: one document is at most ``LUNSHU_MAX_RECORD_MB`` (16 MB by default), a
  JSON/CSV file that must be parsed whole at most ``LUNSHU_MAX_FILE_MB`` (256 MB); JSONL streams
  one line at a time, so its size is unbounded;
- canonical fields hold ``str`` or ``list[str]``, safe to store and show (no lone surrogates, no
  control characters, no bidi overrides: :func:`lunshu.ingest.decode.safe_line`). The body and
  the raw text are only freed of page breaks here (a form feed inside a line would split a word
  before the cleaner could see it whole); they are made safe once, at the end of the pipeline
  (:func:`lunshu.ingest.decode.safe_document`), because that scan is the one real cost a reader
  could add per character.
"""

from __future__ import annotations

import csv
import datetime as _dt
import html as _html
import io
import itertools
import json
import os
import re
import stat
import sys
from collections.abc import Callable, Iterator
from typing import IO, Any

import yaml

from lunshu import settings
from lunshu.errors import InputError, LunshuError
from lunshu.frontmatter import FRONT_MATTER, MAX_FRONT_MATTER, load_yaml
from lunshu.ingest.decode import BINARY, decode, looks_binary, looks_utf16, page_breaks, safe_line, safe_text
from lunshu.models import IngestFailure, RawRecord
from lunshu.tabular import EXPORT_LIST_COLUMNS, EXPORT_REQUIRED, LIST_SEPARATOR, uncell

# canonical key -> accepted column names (compared case-insensitively, ignoring spaces, _ and -)
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "_id", "doc_id", "docid", "编号", "article_id"),
    "title": ("title", "标题", "题目", "headline", "篇名"),
    "date": ("date", "publication", "published", "pubdate", "publish_date", "publishdate", "publication_date",
             "发布时间", "发布日期", "日期", "时间", "datetime", "created", "created_at", "time", "input_date",
             "pub_time", "publish_time"),
    "text": ("text", "content", "body", "正文", "article", "内容", "全文", "fulltext", "full_text", "原文", "newcontent"),
    "url": ("url", "link", "链接", "网址", "href", "source_url", "permalink"),
    "source": ("source", "来源", "outlet", "publisher", "media", "出处", "媒体", "origin_name"),
    "author": ("author", "作者", "authors"),
    "editor": ("editor", "责任编辑", "责编"),
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
# canonical fields that are metadata values (text, raw and paragraphs are handled on their own)
_VALUE_KEYS = frozenset(FIELD_ALIASES) - {"text", "raw", "paragraphs"}

_HTML_START = re.compile(r"\A\s*(<!doctype html|<html|<head|<body|<div|<p[ >]|<article)", re.IGNORECASE)
_HTML_INSIDE = re.compile(r"</p>|<br\s*/?>", re.IGNORECASE)

Item = RawRecord | IngestFailure

_MB = 1024 * 1024
_MAX_DEPTH = 20  # nesting of a metadata value worth keeping


def max_record_bytes() -> int:
    """Largest document lunshu reads (bytes of a file, a JSONL line, or characters of a text field)."""
    return settings.max_record_bytes()


def max_file_bytes() -> int:
    """Largest JSON or CSV file, which must be parsed whole (JSONL streams and has no limit)."""
    return settings.max_file_bytes()


def _mb(n: int) -> str:
    return f"{n / _MB:.1f} MB"


def _too_large(what: str, size: int, limit: int, env: str) -> InputError:
    if env == "LUNSHU_MAX_RECORD_MB":
        return InputError(f"{what} is {_mb(size)}, over the limit of {_mb(limit)} for one document "
                          f"(set {env} to raise it)")
    return InputError(f"{what} is {_mb(size)}, over the limit of {_mb(limit)} for a file read whole; "
                      f"split it or convert it to JSONL, which streams (or set {env} to raise it)")


def _norm_key(k: str) -> str:
    return re.sub(r"[\s_\-]", "", k.lower())


def map_fields(record: dict[str, Any], field_map: dict[str, str] | None = None) -> dict[str, Any]:
    """Canonical keys for a record's columns; unknown columns are kept under their own names."""
    out: dict[str, Any] = {}
    taken: set[str] = set()
    if field_map:
        lower = {str(k).lower(): k for k in record}
        for canon, column in field_map.items():
            col = column if column in record else lower.get(column.lower())
            if col is None:
                cols = ", ".join(safe_line(str(k)) for k in record)
                raise InputError(f"--field {safe_line(canon)}={safe_line(column)}: no column {safe_line(column)!r} "
                                 f"(columns: {cols or 'none'})")
            out[canon] = record[col]
            taken.add(col)
    for k, v in record.items():
        if k in taken:
            continue
        key = _ALIAS_INDEX.get(_norm_key(str(k)))
        if key is None:
            out.setdefault(str(k), v)
        elif key not in out:
            out[key] = v
        elif key == "text" and key not in taken_keys(field_map) and _paragraph_list(v) and not _paragraph_list(out[key]):
            # a scraped dump with both an HTML fragment (``article``) and the paragraphs as a list
            # (``text``): the list's paragraph breaks are the publisher's own
            out[key] = v
    return out


def taken_keys(field_map: dict[str, str] | None) -> set[str]:
    return set(field_map or ())


def _paragraph_list(v: Any) -> bool:
    return isinstance(v, list) and bool(v) and all(isinstance(x, str) for x in v)


def _scalar(v: Any) -> str | None:
    """A metadata value as text: numbers and dates as written, nested values as JSON."""
    if v is None:
        return None
    if isinstance(v, str):
        return safe_line(v)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    if isinstance(v, (int, float)):
        return str(v)
    if isinstance(v, _dt.datetime):
        return v.isoformat(sep=" ")
    if isinstance(v, _dt.date):
        return v.isoformat()
    try:
        return safe_line(json.dumps(v, ensure_ascii=False, default=str))
    except (ValueError, TypeError, RecursionError):
        return safe_line(str(type(v).__name__))


def _field_value(v: Any) -> str | list[str] | None:
    if isinstance(v, (list, tuple)):
        items = [_scalar(x) for x in v]
        return [x for x in items if x]
    return _scalar(v)


def _normalise_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """Canonical metadata fields as ``str`` or ``list[str]``, made safe; empty ones dropped.

    Why: the metadata extractor then never meets a dict title, an int date or a lone surrogate,
    whatever a JSON file or a YAML header held.
    """
    out: dict[str, Any] = {}
    for k, v in fields.items():
        if k in _VALUE_KEYS:
            value = _field_value(v)
            if value:
                out[k] = value
        elif isinstance(v, str):
            out[k] = safe_text(v)
        else:
            out[k] = v
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


def _check_body(body: str, path: str, record: int | None) -> str:
    limit = max_record_bytes()
    if len(body) > limit:
        raise InputError(f"text is {len(body) / _MB:.1f} M characters, over the limit of {_mb(limit)} for one "
                         "document (set LUNSHU_MAX_RECORD_MB to raise it)", path=path, record=record)
    return page_breaks(body)


def record_to_raw(rec: Any, path: str, record_no: int | None, raw: str,
                  field_map: dict[str, str] | None) -> RawRecord:
    """One record of a record format (a JSON object, a CSV row, a Parquet row) as a RawRecord."""
    if not isinstance(rec, dict):
        raise InputError(f"record is a {type(rec).__name__}, expected an object with a text field",
                         path=path, record=record_no)
    fields = map_fields(rec, field_map)
    paragraphs = fields.get("paragraphs")
    if isinstance(paragraphs, list) and "text" not in fields:
        # a lunshu export: paragraphs are already clean
        texts = []
        pages: list[int | None] = []  # a book's pieces carry the page of each paragraph
        for p in paragraphs:
            if isinstance(p, dict) and isinstance(p.get("text"), str):
                texts.append(p["text"])
                page = p.get("page")
                pages.append(page if isinstance(page, int) and not isinstance(page, bool) else None)
            elif isinstance(p, str):
                texts.append(p)
            else:
                raise InputError("paragraphs must be strings or {n, text} objects", path=path, record=record_no)
        body = _check_body("\n\n".join(texts), path, record_no)
        fields["paragraphs"] = [page_breaks(t) for t in texts]
        if any(p is not None for p in pages) and len(pages) == len(texts):
            fields["pages"] = pages
        raw_text = fields.pop("raw", None)
        fields = _normalise_fields(fields)
        return RawRecord(path, record_no, fields, body, "lunshu",
                         raw_text if isinstance(raw_text, str) else raw,
                         key=_record_key(fields, path, record_no))
    if "text" not in fields:
        cols = safe_line(", ".join(map(str, rec.keys()))) or "none"
        raise InputError(
            f"no text field (columns: {cols}); name one with --field text=COLUMN", path=path, record=record_no
        )
    body = _check_body(_text_value(fields.pop("text"), path, record_no), path, record_no)
    fields = _normalise_fields(fields)
    fmt = "html" if _HTML_START.match(body) or _HTML_INSIDE.search(body, 0, 2000) else "text"
    if fmt == "html":
        # a scraped dump holding whole saved pages: each reduced to its article, the record's own
        # fields winning over what the page says
        return html_record(body, path, record_no, fields, raw, key=_record_key(fields, path, record_no))
    return RawRecord(path, record_no, fields, body, fmt, raw, key=_record_key(fields, path, record_no))


def _record_key(fields: dict[str, Any], path: str, record_no: int | None) -> str:
    rid = fields.get("id")
    if isinstance(rid, str) and rid.strip():
        return "id:" + rid.strip()
    url = fields.get("url")
    if isinstance(url, str) and url.strip():
        return f"{path}#{url.strip()}"
    return f"{path}#{record_no}" if record_no is not None else path


def _open(path: str) -> IO[bytes]:
    """Open a regular file for reading (``-`` is stdin).

    Opened without blocking and checked after opening (not before, which would leave a window):
    a named pipe with no writer would otherwise block the ingest forever, a device never end.
    """
    if path == "-":
        return sys.stdin.buffer
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise InputError("file not found (it may have been moved or deleted)", path=path) from None
    except IsADirectoryError:
        raise InputError("is a directory", path=path) from None
    except PermissionError:
        raise InputError("permission denied", path=path) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", path=path) from None
    try:
        mode = os.fstat(fd).st_mode
    except OSError as exc:
        os.close(fd)
        raise InputError(f"cannot read: {exc.strerror or exc}", path=path) from None
    if stat.S_ISDIR(mode):
        os.close(fd)
        raise InputError("is a directory", path=path)
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise InputError(NOT_REGULAR, path=path)
    if hasattr(os, "set_blocking"):
        os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")


NOT_REGULAR = "not a regular file (a named pipe, socket or device); to read a stream, pipe it to `lunshu ingest -`"


def _read_bytes(path: str, limit: int, env: str = "LUNSHU_MAX_RECORD_MB") -> bytes:
    """The whole file, refused when it is over ``limit`` after its first block was seen to be
    text (so a huge binary file is called binary, and neither is read whole)."""
    fh = _open(path)
    try:
        try:
            head = fh.read(8192)
            if looks_binary(head) and not looks_utf16(head):
                raise InputError(BINARY, path=path)
            size = os.fstat(fh.fileno()).st_size if fh is not sys.stdin.buffer else 0
            if size > limit:
                raise _too_large("file", size, limit, env)
            data = head + fh.read(limit + 1 - len(head))
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror or exc}", path=path) from None
        if len(data) > limit:
            raise _too_large("input", len(data), limit, env)
        return data
    except InputError as exc:
        exc.path = exc.path or path
        raise
    finally:
        if fh is not sys.stdin.buffer:
            fh.close()


def _load_text(path: str, encoding: str | None, limit: int | None = None,
               env: str = "LUNSHU_MAX_RECORD_MB") -> str:
    data = _read_bytes(path, max_record_bytes() if limit is None else limit, env)
    if not data.strip():
        raise InputError("empty file", path=path)
    text, _ = decode(data, path, encoding)
    if not text.strip():
        raise InputError("empty file (only whitespace)", path=path)
    return text


def read_text(path: str, field_map: dict[str, str] | None, encoding: str | None,
              book: bool | None = None) -> Iterator[Item]:
    text = page_breaks(_load_text(path, encoding))
    fmt = "html" if _HTML_START.match(text) else "text"
    if fmt == "text" and not FRONT_MATTER.match(text):
        from lunshu.ingest.books import read_text_book

        pieces = read_text_book(path, text, book)  # a volume of dated pieces (OCR'd collected works)
        if pieces is not None:
            yield from pieces
            return
    if fmt == "text" and FRONT_MATTER.match(text):
        yield from read_markdown(path, field_map, encoding, text=text)
        return
    if fmt == "html":
        yield html_record(text, path, None, {}, text, key=path, file=True)
        return
    yield RawRecord(path, None, {}, text, fmt, text, key=path)


def parse_front_matter(block: str, path: str) -> dict[str, Any]:
    """The YAML mapping of a front-matter block, or InputError saying where it is wrong."""
    if len(block) > MAX_FRONT_MATTER:
        raise InputError(f"front matter is {len(block)} characters; at most {MAX_FRONT_MATTER} are read", path=path)
    try:
        meta = load_yaml(block)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or exc
        raise InputError(f"invalid YAML front matter{where}: {safe_line(str(problem))}", path=path) from None
    except (RecursionError, ValueError, TypeError) as exc:  # deep nesting; odd scalars (dates out of range)
        raise InputError(f"unreadable YAML front matter: {type(exc).__name__}", path=path) from None
    if meta is None:
        return {}
    if not isinstance(meta, dict):
        raise InputError("front matter is not a mapping of keys to values", path=path)
    return {safe_line(str(k)): v for k, v in meta.items()}


def read_markdown(path: str, field_map: dict[str, str] | None, encoding: str | None,
                  text: str | None = None) -> Iterator[Item]:
    text = page_breaks(_load_text(path, encoding)) if text is None else text
    fields: dict[str, Any] = {}
    body = text
    m = FRONT_MATTER.match(text)
    if m:
        fields = map_fields(parse_front_matter(m.group(1), path), field_map)
        body = text[m.end():]
        if "text" in fields and not body.strip():
            body = _check_body(_text_value(fields.pop("text"), path, None), path, None)
        fields.pop("text", None)
        fields.pop("paragraphs", None)
        fields.pop("raw", None)
        fields = _normalise_fields(fields)
    if not body.strip():
        raise InputError("front matter but no body text", path=path)
    yield RawRecord(path, None, fields, body, "markdown", text, key=path)


_META_CHARSET = re.compile(rb"<meta[^>]{0,200}?charset\s*=\s*[\"']?([A-Za-z0-9_\-]{1,40})", re.IGNORECASE)


def read_html(path: str, field_map: dict[str, str] | None, encoding: str | None) -> Iterator[Item]:
    data = _read_bytes(path, max_record_bytes())
    if not data.strip():
        raise InputError("empty file", path=path)
    enc = encoding
    if enc is None:
        m = _META_CHARSET.search(data, 0, 4096)
        if m:
            declared = m.group(1).decode("ascii").lower()
            try:
                data.decode(declared)
                enc = declared
            except (UnicodeDecodeError, LookupError):
                enc = None
    text, _ = decode(data, path, enc)
    text = page_breaks(text)
    yield html_record(text, path, None, {}, text, key=path, file=True)


def html_record(text: str, path: str, record_no: int | None, fields: dict[str, Any], raw: str,
                key: str, file: bool = False) -> RawRecord:
    """An HTML body as a RawRecord. A whole saved page is reduced to its article
    (:mod:`lunshu.ingest.page`): the body is the article, the page's own statements (title,
    subtitle, date, source, editor, URL, keywords) are fields under the record's own, and ``raw``
    keeps the whole page. A fragment stays as it is, with what its head states (<meta>, <title>) when
    it is a file of its own (``file``)."""
    from lunshu.ingest.page import extract_page, is_whole_page

    page = None
    if is_whole_page(text):
        try:
            page = extract_page(text)
        except (ValueError, TypeError, RecursionError, MemoryError):  # lxml on a hostile page
            page = None  # read as a fragment: the cleaner drops the chrome it knows
    if page is not None:
        found = _normalise_fields(page.fields())
        body = page.article_html
    elif file:
        found = _normalise_fields(_html_fields(text))
        body = text
    else:  # a record's HTML fragment: its fields are the record's
        found, body = {}, text
    merged = {**found, **fields}
    return RawRecord(path, record_no, merged, body, "html", raw, key=key)


_META = re.compile(r"<meta\s[^<>]{0,4000}>", re.IGNORECASE)
_ATTR = re.compile(r"""([A-Za-z_][\w:\-]{0,60})\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")
_TITLE_OPEN = re.compile(r"<title\b[^<>]{0,400}>", re.IGNORECASE)
_TITLE_CLOSE = re.compile(r"</title\s*>", re.IGNORECASE)
_TAGS = re.compile(r"<[^<>]{0,400}>")
_META_KEYS = {
    "og:title": "title", "title": "title", "headline": "title",
    "article:published_time": "date", "pubdate": "date", "publishdate": "date", "date": "date",
    "og:url": "url", "author": "author", "source": "source", "og:site_name": "source",
    "keywords": "keywords",
}


def _html_fields(text: str) -> dict[str, Any]:
    """Metadata an HTML page states in its head (<meta>, <title>); every pattern is bounded, so a
    hostile page cannot make this slow."""
    fields: dict[str, Any] = {}
    head = text[:20000]
    for tag in _META.findall(head):
        attrs = {m.group(1).lower(): (m.group(2) or m.group(3) or m.group(4) or "") for m in _ATTR.finditer(tag)}
        name = (attrs.get("name") or attrs.get("property") or attrs.get("itemprop") or "").lower()
        canon = _META_KEYS.get(name)
        if canon and attrs.get("content") and canon not in fields:
            fields[canon] = _html.unescape(attrs["content"]).strip()
    m = _TITLE_OPEN.search(head)
    if m and "title" not in fields:
        close = _TITLE_CLOSE.search(head, m.end())
        if close:
            t = _html.unescape(_TAGS.sub("", head[m.end():close.start()])).strip()
            if t:
                fields["title"] = t
    if isinstance(fields.get("keywords"), str):
        fields["keywords"] = [k for k in re.split(r"[,，;；\s]+", fields["keywords"]) if k]
    return fields


def _json_error(exc: ValueError, text: str, line: int | None = None) -> str:
    if isinstance(exc, json.JSONDecodeError):
        hint = " (truncated?)" if exc.pos >= len(text.rstrip()) - 1 else ""
        where = f"at line {exc.lineno}" if line is None else f"on line {line}"
        return f"invalid JSON {where} column {exc.colno}: {exc.msg}{hint}"
    # e.g. int() refuses numbers of more than 4300 digits: not a record anyone meant
    return f"invalid JSON: {safe_line(str(exc))[:200]}"


def read_json(path: str, field_map: dict[str, str] | None, encoding: str | None) -> Iterator[Item]:
    text = _load_text(path, encoding, max_file_bytes(), "LUNSHU_MAX_FILE_MB")
    try:
        data = json.loads(text)
    except ValueError as exc:
        if isinstance(exc, json.JSONDecodeError) and exc.msg == "Extra data" and _looks_like_jsonl(text):
            # JSON Lines saved as .json: read it as what it is
            yield from _jsonl_from_text(text, path, field_map)
            return
        raise InputError(_json_error(exc, text), path=path) from None
    except RecursionError:
        raise InputError("JSON nested too deeply", path=path) from None
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
    del text
    for i, rec in enumerate(data, start=1):
        try:
            yield record_to_raw(rec, path, i, json.dumps(rec, ensure_ascii=False), field_map)
        except LunshuError as exc:
            yield _failure(exc, path, i)
        except (RecursionError, ValueError):
            yield IngestFailure(path, i, "record nested too deeply or unserialisable")
        data[i - 1] = None  # let the record go once it is read


def _looks_like_jsonl(text: str) -> bool:
    lines = [x.strip() for x in text.splitlines()[:50] if x.strip()]
    return len(lines) > 1 and all(x.startswith("{") and x.endswith("}") for x in lines)


def _jsonl_from_text(text: str, path: str, field_map: dict[str, str] | None) -> Iterator[Item]:
    for i, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            try:
                yield _jsonl_record(line, path, i, field_map)
            except LunshuError as exc:
                yield _failure(exc, path, i)


def _looks_like_record(d: dict[str, Any]) -> bool:
    return any(_ALIAS_INDEX.get(_norm_key(str(k))) in ("text", "paragraphs") for k in d)


def _lines(fh: IO[bytes], limit: int) -> Iterator[tuple[int, bytes | None, int]]:
    """(line number, line, size) for each line; the line is ``None`` when it is over ``limit``
    bytes: it is then skipped in bounded chunks and never held in memory whole."""
    n = 0
    while True:
        line = fh.readline(limit + 1)
        if not line:
            return
        n += 1
        if len(line) > limit and not line.endswith(b"\n"):
            size = len(line)
            while True:
                chunk = fh.readline(_MB)
                size += len(chunk)
                if not chunk or chunk.endswith(b"\n"):
                    break
            yield n, None, size
            continue
        yield n, line, len(line)


def read_jsonl(path: str, field_map: dict[str, str] | None, encoding: str | None) -> Iterator[Item]:
    """Streams: one line at a time, so a file larger than memory is fine, and a record is yielded
    before the next line is read."""
    limit = max_record_bytes()
    enc = encoding
    any_line = False
    first = True
    fh = _open(path)
    try:
        head = fh.peek(8192)[:8192] if isinstance(fh, io.BufferedReader) else b""
        if enc is None and looks_binary(head) and not looks_utf16(head):
            raise InputError(BINARY, path=path)
        wide = _wide_encoding(head) if enc is None else None
        if wide:
            # UTF-16/32: newline bytes are not b"\n"; decode as a text stream instead
            yield from _read_jsonl_text(path, fh, field_map, limit, wide)
            return
        for i, line, size in _lines(fh, limit):
            if line is None:
                any_line = True
                yield IngestFailure(path, i, f"line is {_mb(size)}, over the limit of {_mb(limit)} for one "
                                             "document (set LUNSHU_MAX_RECORD_MB to raise it)")
                continue
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
                if first and (text.strip() in ("[", "{") or _array_of_records(text)) and path != "-":
                    # one JSON document (pretty-printed, or an array on one line) in a .jsonl file:
                    # read it whole instead
                    fh.close()
                    try:
                        yield from _whole_json(path, field_map, encoding)
                    except LunshuError as exc:
                        yield _failure(exc, path, None)
                    return
                first = False
                yield _jsonl_record(text, path, i, field_map)
            except LunshuError as exc:
                yield _failure(exc, path, i)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", path=path) from None
    finally:
        if fh is not sys.stdin.buffer:
            fh.close()
    if not any_line:
        raise InputError("empty file", path=path)


def _array_of_records(line: str) -> bool:
    """A first line that is a whole JSON array of records: a JSON file saved as .jsonl."""
    if not line.lstrip().startswith("[{"):
        return False
    try:
        data = json.loads(line)
    except (ValueError, RecursionError):
        return False
    return isinstance(data, list) and bool(data) and all(isinstance(x, dict) for x in data)


def _whole_json(path: str, field_map: dict[str, str] | None, encoding: str | None) -> Iterator[Item]:
    try:
        yield from read_json(path, field_map, encoding)
    except LunshuError as exc:
        raise InputError(f"{exc.message} (this .jsonl file holds one JSON document, not one per line)",
                         path=path) from None


def _jsonl_record(text: str, path: str, i: int, field_map: dict[str, str] | None) -> RawRecord:
    try:
        rec = json.loads(text)
    except ValueError as exc:
        raise InputError(_json_error(exc, text, i), path=path, record=i) from None
    except RecursionError:
        raise InputError("JSON nested too deeply", path=path, record=i) from None
    return record_to_raw(rec, path, i, text.rstrip("\r\n"), field_map)


def _wide_encoding(head: bytes) -> str | None:
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "utf-32"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    return looks_utf16(head)


def _read_jsonl_text(path: str, fh: IO[bytes], field_map: dict[str, str] | None, limit: int,
                     encoding: str) -> Iterator[Item]:
    try:
        stream = io.TextIOWrapper(fh, encoding=encoding, newline=None)  # type: ignore[arg-type]
        i = 0
        while True:
            try:
                line = stream.readline(limit + 1)
            except UnicodeDecodeError as exc:
                yield IngestFailure(path, i + 1, f"cannot decode as {encoding}: {exc.reason}")
                return
            if not line:
                return
            i += 1
            if len(line) > limit and not line.endswith("\n"):
                # skipped in bounded pieces, as in UTF-8: the lines after it are read
                size = len(line)
                while True:
                    try:
                        piece = stream.readline(_MB)
                    except UnicodeDecodeError as exc:
                        yield IngestFailure(path, i, f"cannot decode as {encoding}: {exc.reason}")
                        return
                    size += len(piece)
                    if not piece or piece.endswith("\n"):
                        break
                yield IngestFailure(path, i, f"line is {size / _MB:.1f} M characters, over the limit of "
                                             f"{_mb(limit)} for one document (set LUNSHU_MAX_RECORD_MB to raise it)")
                continue
            if not line.strip():
                continue
            try:
                yield _jsonl_record(line.lstrip("\ufeff"), path, i, field_map)
            except LunshuError as exc:
                yield _failure(exc, path, i)
    finally:
        fh.close()


_CSV_DELIMITERS = (",", "\t", ";")


def _csv_delimiter(text: str, path: str, field_map: dict[str, str] | None) -> str:
    """The delimiter whose header names a text column (else the one giving most columns).

    Why not csv.Sniffer: its regexes are slow on long samples and it guesses from the body;
    the header line alone decides here, in linear time.
    """
    if path.lower().endswith(".tsv"):
        return "\t"
    first = text[: text.find("\n") if "\n" in text[:65536] else 65536]
    best, best_cols = ",", 1
    for d in _CSV_DELIMITERS:
        try:
            cols = next(csv.reader([first], delimiter=d))
        except (csv.Error, StopIteration):
            continue
        if len(cols) < 2:
            continue
        names = {h.strip() for h in cols}
        if field_map and any(c in names for c in field_map.values()):
            return d
        probe = map_fields({h: "" for h in names})
        if "text" in probe or "paragraphs" in probe:
            return d
        if len(cols) > best_cols:
            best, best_cols = d, len(cols)
    return best


def read_csv(path: str, field_map: dict[str, str] | None, encoding: str | None) -> Iterator[Item]:
    """Rows of a CSV/TSV file. A malformed row (an unclosed quote, the wrong number of cells) is
    reported and skipped, and reading goes on at the next line, so it costs only itself: see
    :func:`_csv_rows` for how an unclosed quote is told from a quoted field that spans lines."""
    text = page_breaks(_load_text(path, encoding, max_file_bytes(), "LUNSHU_MAX_FILE_MB").lstrip("\ufeff"))
    delimiter = _csv_delimiter(text, path, field_map)
    csv.field_size_limit(max(csv.field_size_limit(), max_record_bytes() + 1))
    lines = io.StringIO(text, newline="").readlines()
    del text
    reader = csv.reader(lines, delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise InputError("empty CSV", path=path) from None
    except csv.Error as exc:
        raise InputError(f"unreadable CSV header: {exc}", path=path) from None
    header = [h.strip() for h in header]
    seen: set[str] = set()
    for h in header:
        if h and h in seen:
            raise InputError(f"CSV has two columns named {safe_line(h)!r}: rename one (which is meant is "
                             "not guessed)", path=path)
        seen.add(h)
    exported = not field_map and EXPORT_REQUIRED <= seen
    probe = map_fields({h: "" for h in header}, None) if not field_map else {}
    if not field_map and "text" not in probe and "paragraphs" not in probe:
        raise InputError(
            f"CSV has no text column (columns: {safe_line(', '.join(header))}); name one with --field text=COLUMN",
            path=path,
        )
    for n, row, problem in _csv_rows(lines, reader.line_num, len(header), delimiter):
        if problem:
            yield IngestFailure(path, n, problem)
            continue
        rec = dict(zip(header, row))
        if exported:
            rec = _exported_csv_record(rec)
        try:
            yield record_to_raw(rec, path, n, ",".join(row), field_map)
        except LunshuError as exc:
            yield _failure(exc, path, n)


def _exported_csv_record(rec: dict[str, str]) -> dict[str, Any]:
    """A row of `lunshu export --format csv` as the record it was made from (lists split, the
    formula guard taken off, paragraphs from the blank-line-joined text)."""
    out: dict[str, Any] = {}
    for k, v in rec.items():
        v = uncell(v)
        if k in EXPORT_LIST_COLUMNS:
            out[k] = [x for x in v.split(LIST_SEPARATOR) if x] if v else []
        elif k == "text":
            out["paragraphs"] = [p for p in v.split("\n\n") if p.strip()]
        elif k == "raw":
            out[k] = v
        elif k != "chars":
            out[k] = v or None
    return out


def _csv_rows(lines: list[str], start: int, ncols: int,
              delimiter: str) -> Iterator[tuple[int, list[str], str | None]]:
    """(row number, cells, problem) for each data row after line ``start``; blank rows skipped.

    A quoted field may span lines, and a quote opened and never closed swallows every line after
    it into one field. The two are told apart: a row is malformed (reported, and reading resumes
    at the line after its first) when its quotes do not pair up by the end of the file, when it
    has the wrong number of cells, or when the file's rows so far are one line each and every line
    it swallowed reads as a row of its own (``ncols`` cells, none empty-looking).
    """
    n = 0
    single = multi = 0
    pos = start
    while pos < len(lines):
        reader = csv.reader(itertools.islice(lines, pos, None), delimiter=delimiter)
        base = pos
        while True:
            first = base + reader.line_num
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                n += 1
                yield n, [], f"malformed CSV row at line {first + 1} ({exc}); skipped, reading goes on at the next line"
                pos = first + 1
                break
            last = base + reader.line_num  # lines[first:last] made this row
            n += 1
            if not any(c.strip() for c in row):
                continue
            span = last - first
            problem = None
            if span == 1 and last == len(lines) and lines[first].count('"') % 2:
                problem = f"malformed CSV row: a quote opened on line {first + 1} is not closed by the end of the file"
            elif span > 1 and _swallowed(lines, first, last, ncols, delimiter, single, multi):
                problem = (f"malformed CSV row: a quote opened on line {first + 1} is not closed where the row "
                           f"ends, so it swallowed {_line_range(first + 2, last)}; the row is skipped and reading "
                           "goes on at the next line")
            elif len(row) != ncols:
                problem = f"row has {len(row)} cell{'s' * (len(row) != 1)} but the header has {ncols}"
                if span > 1:
                    problem += f" (a quote opened on line {first + 1} runs to line {last}); reading goes on at the next line"
            if problem and span > 1:
                yield n, row, problem
                pos = first + 1
                break
            if span > 1:
                multi += 1
            else:
                single += 1
            yield n, row, problem
        else:  # pragma: no cover - the inner loop only leaves by break or return
            return


def _line_range(a: int, b: int) -> str:
    return f"line {a}" if a == b else f"lines {a}–{b}"


def _swallowed(lines: list[str], first: int, last: int, ncols: int, delimiter: str, single: int,
               multi: int) -> bool:
    """Whether the row made of ``lines[first:last]`` is an unclosed quote that ate the rows after it."""
    if last == len(lines) and sum(line.count('"') for line in lines[first:last]) % 2:
        return True  # the file ended inside a quoted field
    if multi or ncols < 2:
        return False  # the file has real multi-line rows: a long field is normal here
    rest = lines[first + 1:last]
    if single == 0 and len(rest) < 2:
        return False
    for line in rest:
        if not line.strip():
            return False
        try:
            cells = next(csv.reader([line], delimiter=delimiter))
        except (csv.Error, StopIteration):
            return False
        if len(cells) != ncols or not cells[0].strip():
            return False
    return True


def read_parquet(path: str, field_map: dict[str, str] | None, encoding: str | None) -> Iterator[Item]:
    """Parquet written by `lunshu export --format parquet` (or any table with a text column)."""
    _open(path).close()  # the same refusals as for text files: missing, unreadable, not a regular file
    try:
        import pyarrow.parquet as pq

        pf = pq.ParquetFile(path)
    except Exception as exc:  # noqa: BLE001 - pyarrow raises many types for a bad file
        raise InputError(f"not a readable Parquet file: {safe_line(str(exc))[:300]}", path=path) from None
    n = 0
    try:
        for batch in pf.iter_batches(batch_size=64):
            for rec in batch.to_pylist():
                n += 1
                try:
                    yield record_to_raw(rec, path, n, "", field_map)
                except LunshuError as exc:
                    yield _failure(exc, path, n)
    except LunshuError:
        raise
    except Exception as exc:  # noqa: BLE001 - a corrupt row group
        yield IngestFailure(path, n + 1, f"unreadable Parquet data (rows after it are not read): "
                                         f"{safe_line(str(exc))[:300]}")


def _failure(exc: LunshuError, path: str, record: int | None) -> IngestFailure:
    return IngestFailure(exc.path or path, exc.record if exc.record is not None else record, exc.message)


Reader = Callable[[str, "dict[str, str] | None", "str | None"], Iterator[Item]]
def read_pdf(path: str, field_map: dict[str, str] | None, encoding: str | None,
             book: bool | None = None) -> Iterator[Item]:
    from lunshu.ingest.books import read_pdf as _read_pdf

    yield from _read_pdf(path, field_map, encoding, book)


def read_docx(path: str, field_map: dict[str, str] | None, encoding: str | None) -> Iterator[Item]:
    """A Word document (.docx): its paragraphs and table rows in document order, one paragraph
    each; the title from the document's properties when it has one (else the text gives it)."""
    import io
    import zipfile

    from docx import Document as Docx
    from docx.table import Table

    with _open(path) as f:
        data = f.read()
    try:
        d = Docx(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise InputError(f"not a readable .docx file ({safe_line(str(exc))[:120]})", path=path) from None
    except Exception as exc:  # noqa: BLE001 - python-docx raises its own kinds on damaged packages
        raise InputError(f"not a readable .docx file ({type(exc).__name__})", path=path) from None
    parts: list[str] = []
    for item in d.iter_inner_content():
        if isinstance(item, Table):
            for row in item.rows:
                cells = list(dict.fromkeys(c.text.strip() for c in row.cells if c.text.strip()))
                if cells:
                    parts.append("\u3000".join(cells))
        else:
            text = item.text.strip()
            if text:
                parts.append(text)
    body = "\n\n".join(parts)
    fields: dict[str, Any] = {}
    title = (d.core_properties.title or "").strip()
    if title:
        fields["title"] = title
    fields = _normalise_fields(fields) if fields else fields
    yield RawRecord(path, None, fields, body, "text", body, key=path)


read_text.reads_books = True  # type: ignore[attr-defined]
read_pdf.reads_books = True  # type: ignore[attr-defined]

READERS: dict[str, Reader] = {
    ".pdf": read_pdf,
    ".txt": read_text,
    ".text": read_text,
    ".md": read_markdown,
    ".markdown": read_markdown,
    ".html": read_html,
    ".htm": read_html,
    ".shtml": read_html,
    ".xhtml": read_html,
    ".json": read_json,
    ".jsonl": read_jsonl,
    ".ndjson": read_jsonl,
    ".csv": read_csv,
    ".tsv": read_csv,
    ".parquet": read_parquet,
    ".docx": read_docx,
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


__all__ = ["FIELD_ALIASES", "FRONT_MATTER", "READERS", "map_fields", "max_file_bytes", "max_record_bytes",
           "parse_front_matter", "read_csv", "read_html", "read_json", "read_jsonl", "read_markdown",
           "read_parquet", "read_text", "record_to_raw", "sniff_stdin_reader"]
