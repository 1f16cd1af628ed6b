"""Defensive decoding (BOMs, UTF-8, then the encodings Chinese documents really come in) and the
text-safety helpers every stored string passes through.

Why the safety helpers live here: decoding is where bytes become text, and text that reaches the
store must be encodable (no lone surrogates, which SQLite refuses and which would fail a whole
batch) and harmless on a terminal or a web page (no control characters, no bidi overrides that
make a title read differently from what it is). Each helper is one C-level regex scan when the
text is clean, so the ingest hot path pays almost nothing for it.
"""

from __future__ import annotations

import codecs
import os
import re

from charset_normalizer import from_bytes

from lunshu.errors import DecodeError, InputError
from lunshu.models import Document

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Tried in this order after UTF-8; charset-normalizer arbitrates when several decode.
# (UTF-16 without a byte-order mark is not a candidate: nearly any even-length bytes "decode" as
# it; it is recognised by the pattern of its zero bytes instead, see looks_utf16.)
_CANDIDATES = ("gb18030", "big5")
# Control bytes that do not occur in text files (all C0 controls but TAB, LF, VT, FF and CR).
_CONTROL_BYTES = bytes(b for b in range(32) if not 9 <= b <= 13)
_MIN_BINARY_BYTES = 4  # fewer NUL/control bytes than this never make bytes binary (or UTF-16)
_SAMPLE = 20000  # characters inspected when judging which decoding reads as Chinese
BINARY = "binary file, not text (NUL or control bytes); lunshu reads .txt .md .html .json .jsonl .csv .parquet .pdf"

# -- text safety ------------------------------------------------------------------------------------
# C0 controls but TAB LF CR (FF is removed: a page break inside a line splits a word, and
# exact search must find the word; VT, Word's manual line break, NEL, U+2028 and U+2029 become LF,
# so no JSON Lines reader that splits on them, as Python's str.splitlines does, breaks a record); DEL; C1 controls but NEL; bidi embeddings, overrides, isolates
# and marks (the "Trojan Source" characters); Unicode tag characters; lone surrogates.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
    "\U000e0000-\U000e007f\ud800-\udfff]"
)
_NEWLINES = frozenset("\x0b\x85\u2028\u2029")  # line breaks other than LF: become LF
# What must not appear inside a one-line value (title, source, speaker…): also every line break.
_UNSAFE_LINE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
    "\U000e0000-\U000e007f\ud800-\udfff]"
)
_LINE_BREAKS = frozenset("\t\n\x0b\x0c\r\x1c\x1d\x1e\x85\u2028\u2029")


def _fix(m: re.Match[str]) -> str:
    ch = m.group(0)
    if "\ud800" <= ch <= "\udfff":
        return "\ufffd"  # a lone surrogate: a character was lost before it reached us; mark the spot
    return "\n" if ch in _NEWLINES else ""


def _fix_line(m: re.Match[str]) -> str:
    ch = m.group(0)
    if "\ud800" <= ch <= "\udfff":
        return "\ufffd"
    return " " if ch in _LINE_BREAKS else ""


def safe_text(s: str) -> str:
    """Text with control characters, bidi controls and tag characters removed and lone surrogates
    replaced by U+FFFD; tabs and line breaks are kept, every kind of line break as LF (a form feed
    goes). Returns ``s`` itself when it is clean."""
    if _UNSAFE.search(s) is None:
        return s
    return _UNSAFE.sub(_fix, s)


def page_breaks(s: str) -> str:
    """Form feeds removed and vertical tabs made line breaks, before cleaning: a page break inside
    a line would otherwise split a word. Two ``in`` tests (memchr speed) when there are none."""
    if "\x0c" in s:
        s = s.replace("\x0c", "")
    if "\x0b" in s:
        s = s.replace("\x0b", "\n")
    return s


def safe_line(s: str) -> str:
    """A one-line value (title, source, speaker): :func:`safe_text`, line breaks and tabs become
    spaces, runs of spaces collapse, ends are trimmed."""
    if _UNSAFE_LINE.search(s) is not None:
        s = " ".join(_UNSAFE_LINE.sub(_fix_line, s).split())
    return s.strip()


def display_path(path: str) -> str:
    """A path as it can be shown and stored: undecodable bytes of a file name (which Python keeps
    as lone surrogates) and control characters (a newline in a file name) become ``\\xNN``
    escapes, so the name is printable, storable and still unique and stable."""
    if _UNSAFE_LINE.search(path) is None:
        return path
    try:
        raw = os.fsencode(path)
    except UnicodeEncodeError:
        raw = path.encode("utf-8", "surrogatepass")
    text = raw.decode("utf-8", "backslashreplace")
    return _UNSAFE_LINE.sub(lambda m: "".join(f"\\x{b:02x}" for b in m.group(0).encode("utf-8", "surrogatepass")),
                            text)


# -- decoding -----------------------------------------------------------------------------------------
def _cjk_share(text: str) -> float:
    """Share of common Han characters and Chinese punctuation, judged on a bounded sample."""
    sample = text[:_SAMPLE]
    if not sample:
        return 0.0
    common = len(_CJK.findall(sample))
    return common / len(sample)


_READABLE = re.compile("[\t\n\r -~\u00a0-\u024f\u2000-\u206f\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
_CJK = re.compile("[\u4e00-\u9fff，。、；：？！“”（）《》]")


def looks_binary(data: bytes) -> bool:
    """Many NULs or control bytes in the first block: not a text file (UTF-16 is handled by its BOM).

    Decided on the share of such bytes, never on one: a stray NUL in a text file costs only the
    record that holds it (or is dropped as a control character), as it does after the first
    block; a binary format has them throughout.
    """
    head = data[:8192]
    if not head:
        return False
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return False
    ctrl = len(head) - len(head.translate(None, _CONTROL_BYTES))  # NUL included
    return ctrl >= _MIN_BINARY_BYTES and ctrl / len(head) > 0.05


def looks_utf16(data: bytes) -> str | None:
    """UTF-16 without a byte-order mark shows itself by zero bytes on one side of each pair
    (the high byte of ASCII characters, newlines included): say which side, or None."""
    head = data[:8192]
    head = head[: len(head) - len(head) % 2]
    if len(head) < 4:
        return None
    even, odd = head[0::2].count(0), head[1::2].count(0)
    pairs = len(head) // 2
    # (a Han character can have a zero byte too, U+4E00 一 is 00 4E: a few on the other side are fine;
    # and a stray NUL or two in UTF-8 text is not a pattern)
    if odd >= _MIN_BINARY_BYTES and odd > pairs * 0.02 and even <= odd // 8:
        return "utf-16-le"
    if even >= _MIN_BINARY_BYTES and even > pairs * 0.02 and odd <= even // 8:
        return "utf-16-be"
    return None


def decode(data: bytes, path: str, encoding: str | None = None, record: int | None = None) -> tuple[str, str]:
    """Decode bytes to text and say which encoding was used.

    Raises DecodeError naming what was tried, so the message can suggest ``--encoding``.
    """
    if encoding:
        try:
            return data.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError) as exc:
            raise DecodeError(f"cannot decode as {encoding}: {exc}", path=path, record=record) from None
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError as exc:
                raise DecodeError(f"has a {enc} byte-order mark but does not decode: {exc}",
                                  path=path, record=record) from None
    utf16 = looks_utf16(data)
    if utf16:
        try:
            text = data.decode(utf16)
        except UnicodeDecodeError:
            text = ""
        sample = text[:_SAMPLE]
        if sample and len(_READABLE.findall(sample)) > 0.8 * len(sample):
            return text, utf16
    if looks_binary(data):
        raise InputError(BINARY, path=path, record=record)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc
    decoded: list[tuple[str, str]] = []
    for enc in _CANDIDATES:
        try:
            decoded.append((data.decode(enc), enc))
        except UnicodeDecodeError:
            continue
    if len(decoded) > 1:
        best = from_bytes(data[:65536], cp_isolation=[e for _, e in decoded]).best()
        if best is not None:
            name = best.encoding.replace("_", "-")
            for text, enc in decoded:
                same = codecs.lookup(enc).name == codecs.lookup(name).name
                if same and (_cjk_share(text) > 0.2 or len(text) < 20):
                    return text, enc
        decoded.sort(key=lambda te: -_cjk_share(te[0]))
    if decoded and _cjk_share(decoded[0][0]) > 0.05:
        return decoded[0]
    raise DecodeError(
        f"not valid UTF-8 ({utf8_error.reason} at byte {utf8_error.start}) and no other likely encoding; "
        "name it with --encoding (e.g. gb18030, big5, latin-1)",
        path=path,
        record=record,
    )


def safe_document(doc: Document) -> Document:
    """The last gate before the store: every string of a document made safe in place.

    The readers already pass safe text on, but the cleaner decodes HTML entities (``&#x202e;``)
    and metadata builds new strings; this keeps the promise whatever a stage does. One regex scan
    per string when nothing needs fixing.
    """
    for name in ("title", "subtitle", "occasion", "source", "url", "date", "delivered", "editor", "place"):
        value = getattr(doc, name, None)
        if isinstance(value, str):
            setattr(doc, name, safe_line(value) or None)
    doc.genre = safe_line(doc.genre) or "other"
    for name in ("speakers", "keywords", "publisher_keywords", "reporters"):
        values = [safe_line(v) for v in getattr(doc, name) if isinstance(v, str)]
        setattr(doc, name, [v for v in values if v])
    if any(_UNSAFE.search(p) for p in doc.paragraphs):
        doc.paragraphs = [q for q in (safe_text(p).strip() for p in doc.paragraphs) if q]
    doc.raw = safe_text(doc.raw)
    doc.origin = display_path(doc.origin)
    return doc
