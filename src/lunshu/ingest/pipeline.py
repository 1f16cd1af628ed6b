"""One record's way to a Document: reader → clean → metadata → id.

Everything here is a pure function of the input, so the Spark jobs call the very same code.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lunshu.errors import InputError, LunshuError
from lunshu.identity import record_id
from lunshu.ingest.decode import display_path, safe_document, safe_line
from lunshu.ingest.readers import READERS, sniff_stdin_reader
from lunshu.models import Document, IngestFailure, RawRecord

# Bump when cleaning or metadata extraction changes what a document becomes: re-ingesting then
# updates documents instead of reporting them unchanged.
PIPELINE_VERSION = "12"

def read_path(path: str, field_map: dict[str, str] | None = None,
              encoding: str | None = None, book: bool | None = None) -> Iterator[RawRecord | IngestFailure]:
    """Every record of one file, or failures naming the file (and record); never raises.

    ``book``: read a PDF or text volume as a book of dated pieces (None: when it looks like one).
    """
    if path == "-":
        yield from _read_stdin(field_map, encoding)
        return
    reader = READERS.get(Path(path).suffix.lower(), READERS[".txt"])
    if getattr(reader, "reads_books", False):
        reader = functools.partial(reader, book=book)
    display = display_path(path)  # undecodable or control characters in a file name, escaped
    try:
        for item in reader(os.path.abspath(path), field_map, encoding):
            if isinstance(item, IngestFailure):
                item.path = display
            else:
                item.path = display
            yield item
    except LunshuError as exc:
        yield IngestFailure(display, exc.record, exc.message)
    except RecursionError:
        yield IngestFailure(display, None, "too deeply nested to parse")
    except MemoryError:
        yield IngestFailure(display, None, "too large to parse in memory")
    except OSError as exc:  # the disk or the file went away while reading
        yield IngestFailure(display, None, f"cannot read: {exc.strerror or exc}")
    except Exception as exc:  # noqa: BLE001 - a reader's bug must not stop the other files
        yield IngestFailure(display, None, f"internal error while reading ({type(exc).__name__}: "
                                           f"{safe_line(str(exc))[:200]}); please report it")


def _read_stdin(field_map: dict[str, str] | None, encoding: str | None) -> Iterator[RawRecord | IngestFailure]:
    # copied to a file in pieces (never held whole: a JSONL stream can be larger than memory),
    # the format sniffed from its start
    stream = sys.stdin.buffer
    head = stream.read(100_000)
    while head and not head.strip():
        more = stream.read(100_000)
        if not more:
            break
        head = head.lstrip() + more
    if not head.strip():
        yield IngestFailure("-", None, "empty input on stdin")
        return
    suffix = sniff_stdin_reader(head)
    h = hashlib.sha1(head)
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / f"stdin{suffix}"
        with open(p, "wb") as out:
            out.write(head)
            while chunk := stream.read(1 << 20):
                h.update(chunk)
                out.write(chunk)
        digest = h.hexdigest()[:16]
        for item in read_path(str(p), field_map, encoding):
            item.path = "-"
            if isinstance(item, RawRecord):
                item.key = item.key.replace(str(p), f"stdin:{digest}") if item.key.startswith(str(p)) \
                    else item.key
                if item.key == str(p):
                    item.key = f"stdin:{digest}"
            yield item


def content_hash(raw: RawRecord) -> str:
    h = hashlib.sha256()
    h.update(PIPELINE_VERSION.encode())
    h.update(raw.body_format.encode())
    h.update(json.dumps(raw.fields, ensure_ascii=False, sort_keys=True, default=str).encode("utf-8", "surrogatepass"))
    h.update(raw.body.encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def _str_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v for v in re.split(r"[,，;；、\s]+", value) if v]
    if isinstance(value, list):
        return [str(v) for v in value if v is not None and str(v).strip()]
    return [str(value)]


def _roles(value: Any) -> dict[str, list[str]]:
    """Roles as an export wrote them: an object, or that object as JSON text (CSV)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    if not isinstance(value, dict):
        return {}
    return {str(k): _str_list(v) for k, v in value.items()}


def build_document(raw: RawRecord) -> Document:
    """Clean and describe one record. Raises InputError when nothing usable remains.

    What the record gave and could not be used (a date ``2020-02-30``, an unknown genre) is said in
    the document's ``warnings``: the record is stored, the loss reported (:func:`field_warnings`).
    """
    doc = _build(raw)
    doc.warnings = [{"path": raw.path, "record": raw.record_no, **w} for w in field_warnings(raw, doc)]
    return doc


def _build(raw: RawRecord) -> Document:
    origin = raw.path if raw.record_no is None else f"{raw.path}#{raw.record_no}"
    doc_id = record_id(raw)
    chash = content_hash(raw)
    if raw.body_format == "lunshu":
        return _checked(safe_document(_from_export(raw, doc_id, origin, chash)), raw)
    if raw.body_format == "book":
        from lunshu.book import piece_document

        return _checked(safe_document(piece_document(raw.fields, raw.raw, doc_id, origin, chash)), raw)
    # imported here: with worker processes the writing process never needs these two (their
    # regular expressions cost 65 ms to compile, before the workers could start)
    from lunshu import clean, metadata

    cleaned = clean.clean_body(raw.body, raw.body_format)
    meta, paragraphs = metadata.extract(cleaned.paragraphs, raw.fields, removed=cleaned.removed)
    if not paragraphs:
        raise InputError("no text left after cleaning", path=raw.path, record=raw.record_no)
    return _checked(safe_document(Document(
        id=doc_id,
        title=meta.title,
        date=meta.date,
        delivered=getattr(meta, "delivered", None),
        speakers=list(meta.speakers),
        occasion=meta.occasion,
        genre=meta.genre,
        source=meta.source,
        url=meta.url,
        keywords=[],
        publisher_keywords=list(meta.publisher_keywords),
        paragraphs=paragraphs,
        raw=raw.raw or raw.body,
        reporters=list(meta.reporters),
        origin=origin,
        content_hash=chash,
        editor=meta.editor,
        paragraphs_inferred=meta.paragraphs_inferred,
        place=meta.place,
        roles={k: list(v) for k, v in meta.roles.items()},
        subtitle=meta.subtitle,
    )), raw)


# the record's fields that name a date (readers map their columns to these canonical keys)
_DATE_FIELDS = ("date", "published", "publication", "pubdate", "year", "delivered")


def field_warnings(raw: RawRecord, doc: Document) -> list[dict[str, str]]:
    """``{"field", "message"}`` for each value the record gave that the document could not keep.

    A value that says "unknown" (``null``, ``无``, ``unknown``…) is no loss and no warning; a value
    that means something lunshu cannot read is: an impossible or unreadable date, a genre not in
    :data:`~lunshu.models.GENRES`, a URL that is not a web address, a title that is not one.
    Books are described by the book reader from their own text, not from record fields.
    """
    if raw.body_format == "book":
        return []
    from lunshu.dates import is_blank, parse_date
    from lunshu.metadata import _good_title, _good_url, _str
    from lunshu.models import GENRES

    f = raw.fields
    out: list[dict[str, str]] = []
    export = raw.body_format == "lunshu"

    def shown(v: Any) -> str:
        text = v if isinstance(v, str) else json.dumps(v, ensure_ascii=False, default=str)
        return repr(text if len(text) <= 60 else text[:57] + "...")

    for key in _DATE_FIELDS:
        v = f.get(key)
        if v is None or is_blank(v) or parse_date(v) is not None:
            continue
        if key == "delivered":
            then = "the document has no delivery date" if doc.delivered is None else \
                f"the delivery date {doc.delivered} comes from the text"
        else:
            then = "the document has no date" if doc.date is None else f"the date {doc.date} comes from elsewhere"
        out.append({"field": key, "message": f"{key} {shown(v)} is not a date: not used; {then}"})
    g = _str(f.get("genre"))  # (a value saying "unknown", as metadata reads the field)
    if g is not None and g.lower() not in GENRES:
        how = "stored as other" if export else f"the genre was decided from the text ({doc.genre})"
        out.append({"field": "genre", "message": f"genre {shown(g)} is not one of {', '.join(GENRES)}: {how}"})
    if not export:
        u = _str(f.get("url")) if isinstance(f.get("url"), str) else None
        if u and not _good_url(u):
            out.append({"field": "url", "message": f"url {shown(u)} is not a web address (http://, https://, "
                                                   "www.): not used"})
        t = _str(f.get("title")) if isinstance(f.get("title"), str) else None
        if t and not _good_title(t):
            then = "the document has no title" if doc.title is None else "the title comes from the text"
            out.append({"field": "title", "message": f"title {shown(t)} is not a title (a URL, no letter or digit, "
                                                     f"or over 300 characters): not used; {then}"})
    return out


def _checked(doc: Document, raw: RawRecord) -> Document:
    if not doc.paragraphs:
        raise InputError("no text left after cleaning", path=raw.path, record=raw.record_no)
    return doc


def _from_export(raw: RawRecord, doc_id: str, origin: str, chash: str) -> Document:
    """A record that lunshu itself exported: taken as it is, so export → ingest is lossless."""
    f = raw.fields
    paragraphs = [p for p in f.get("paragraphs", []) if isinstance(p, str)]
    if not paragraphs:
        raise InputError("exported record has no paragraphs", path=raw.path, record=raw.record_no)

    def s(key: str) -> str | None:
        v = f.get(key)
        return str(v) if v is not None and str(v) != "" else None

    # validated like any other record: an impossible date is no date, an unknown genre "other"
    from lunshu.dates import parse_date
    from lunshu.models import GENRES

    genre = (s("genre") or "other").lower()

    pages = f.get("pages")
    notes = f.get("notes")

    def page(key: str) -> int | None:
        v = f.get(key)
        return int(v) if isinstance(v, (int, str)) and str(v).isdigit() else None

    return Document(
        id=doc_id,
        pages=[p if isinstance(p, int) else None for p in pages] if isinstance(pages, list) else [],
        page_start=page("page_start"),
        page_end=page("page_end"),
        notes=[str(x) for x in notes if isinstance(x, str)] if isinstance(notes, list) else [],
        title=s("title"),
        date=parse_date(s("date")) if s("date") else None,
        delivered=parse_date(s("delivered")) if s("delivered") else None,
        speakers=_str_list(f.get("speakers")),
        occasion=s("occasion"),
        genre=genre if genre in GENRES else "other",
        source=s("source"),
        url=s("url"),
        keywords=_str_list(f.get("keywords")),
        publisher_keywords=_str_list(f.get("publisher_keywords")),
        paragraphs=paragraphs,
        raw=raw.raw,
        reporters=_str_list(f.get("reporters")),
        origin=s("origin") or origin,
        content_hash=chash,
        editor=s("editor"),
        place=s("place"),
        subtitle=s("subtitle"),
        roles=_roles(f.get("roles")),
        paragraphs_inferred=str(f.get("paragraphs_inferred")).lower() in ("true", "1"),
    )
