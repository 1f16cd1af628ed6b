"""What makes a document the same document: the one place for the identity rules.

Two rules, used by every way into the database (ingest, Spark, load):

1. **The id comes from where the record is, not from how its path was typed.** A record's key is
   its file's real path (``os.path.realpath``: absolute, ``..`` and symbolic links resolved) plus
   its place in the file (URL or record number), or the record's own safe ``id`` field, or the hash
   of standard input. ``doc_id_for(key)`` is a short hash of the key (an explicit safe id is kept).
   So ``seeds/001.txt``, ``./seeds/../seeds/001.txt`` and ``/abs/seeds/001.txt`` are one document.

2. **One text is stored once.** ``text_key(paragraphs)`` identifies a document's cleaned text
   (paragraphs in order, whitespace runs as one space; texts under ``MIN_SAME_TEXT`` characters
   have none: short items such as captions repeat by chance). When a record arrives whose text is
   already stored under another id (a copied folder, the same speech from another outlet), it is
   not stored again: the store records it as a *copy* of the stored document (its id, origin,
   title, date, source, URL), ``ingest`` reports it under ``duplicates`` with the id it is the same
   text as, and ``show`` of either id gives the stored document with its copies listed. Search,
   trace, timeline and every count see the text once.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Sequence

from lunshu.models import RawRecord

_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:\-]{0,63}$")
_URI = re.compile(r"^[a-z][a-z0-9+.\-]*://", re.IGNORECASE)
_WS = re.compile(r"\s+")


def doc_id_for(key: str) -> str:
    """Stable id: an explicit safe id is kept; otherwise a short hash of where the record came from."""
    if key.startswith("id:"):
        rid = key[3:]
        if _SAFE_ID.match(rid):
            return rid
        key = rid
    return hashlib.sha1(key.encode("utf-8", "surrogatepass")).hexdigest()[:12]


def real_path(path: str) -> str:
    """The one spelling of a file's path: absolute, with ``..`` and symbolic links resolved."""
    return os.path.realpath(path)


def record_key(raw: RawRecord) -> str:
    """What the id hashes. Readers key records by path (+ URL or record number); the path part is
    made ``real_path`` here, so the same file gets the same ids however it was named. URIs
    (hdfs://, s3a://), explicit ids and standard input stay as they are."""
    key = raw.key or raw.path
    if key.startswith(("id:", "stdin:")) or raw.path == "-" or _URI.match(key):
        return key
    for prefix in (raw.path, os.path.abspath(raw.path)):
        if prefix and key.startswith(prefix):
            return real_path(prefix) + key[len(prefix):]
    if os.path.isabs(key):
        # a key that is an absolute path with a suffix (#record, URL) the reader added
        head, sep, tail = key.partition("#")
        return real_path(head) + sep + tail
    return key


def record_id(raw: RawRecord) -> str:
    """The document id of one record."""
    return doc_id_for(record_key(raw))


MIN_SAME_TEXT = 100  # characters: shorter texts (a caption, a notice) repeat by chance


def text_key(paragraphs: Sequence[str]) -> str | None:
    """The identity of a cleaned text: equal for equal paragraphs (whitespace runs aside); None for
    a text shorter than ``MIN_SAME_TEXT`` characters, which is never taken for another's copy."""
    if sum(len(p) for p in paragraphs) < MIN_SAME_TEXT:
        return None
    h = hashlib.sha1()
    for p in paragraphs:
        h.update(_WS.sub(" ", p).strip().encode("utf-8", "surrogatepass"))
        h.update(b"\x00")
    return h.hexdigest()
