"""Defensive decoding: BOMs, UTF-8, then the encodings Chinese documents really come in."""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes

from lunshu.errors import DecodeError, InputError

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Tried in this order after UTF-8; charset-normalizer arbitrates when several decode.
_CANDIDATES = ("gb18030", "big5", "utf-16")


def _cjk_share(text: str) -> float:
    if not text:
        return 0.0
    common = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff" or ch in "，。、；：？！“”（）《》")
    return common / len(text)


def looks_binary(data: bytes) -> bool:
    """NULs or many control bytes in the first block: not a text file (UTF-16 is handled by its BOM)."""
    head = data[:8192]
    if not head:
        return False
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return False
    if b"\x00" in head:
        return True
    ctrl = sum(1 for b in head if b < 9 or 13 < b < 32)
    return ctrl / len(head) > 0.05


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
    if looks_binary(data):
        raise InputError("binary file, not text (NUL or control bytes); lunshu reads .txt .md .html .json .jsonl .csv",
                         path=path, record=record)
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
                if codecs.lookup(enc).name == codecs.lookup(name).name:
                    if _cjk_share(text) > 0.2 or len(text) < 20:
                        return text, enc
        decoded.sort(key=lambda te: -_cjk_share(te[0]))
    if decoded and _cjk_share(decoded[0][0]) > 0.05:
        return decoded[0]
    raise DecodeError(
        f"not valid UTF-8 ({utf8_error.reason} at byte {utf8_error.start}) and no other likely encoding; "
        "try --encoding gb18030 (or big5)",
        path=path,
        record=record,
    )
