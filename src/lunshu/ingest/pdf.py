"""PDF text layers, read one page at a time (pypdf; no OCR engine).

A PDF that carries no text layer (a scan of images) is refused with one clear line: lunshu
does not OCR. Characters that the text layer separates by spaces (``邓 小 平 文 选``, common in
OCR'd and paper-captured books) are joined here, so every later stage sees ordinary text.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator

from lunshu.clean import HAN_RANGES
from lunshu.errors import InputError

NO_TEXT_LAYER = ("PDF has no text layer (scanned page images); lunshu reads the text of a PDF, it does not "
                 "OCR it: run an OCR tool first (e.g. ocrmypdf) or ingest its OCR text as .txt")

# a CJK character or CJK/full-width punctuation: a single space next to one is a layout artefact
_CJK = f"{HAN_RANGES}\u3000-\u303f\uff00-\uffef\u2014\u2026\u201c\u201d\u2018\u2019\u00b7"
_SPACED_GAP = re.compile(rf"(?<=[{_CJK}]) (?=\S)|(?<=\S) (?=[{_CJK}])")
_NUM_GAP = re.compile(r"(?<=[0-9]) (?=[0-9—–-])|(?<=[—–-]) (?=[0-9])")
_RUN = re.compile(r"[ \t\u00a0]{2,}")
_SINGLE = re.compile(r"(?<=\S) (?=\S)")
_MULTI = re.compile(r"[ \t\u00a0]{2,}")


def join_spaced(line: str) -> str:
    """``邓 小 平 文 选 第 一 卷  2`` → ``邓小平文选第一卷 2``.

    A line is letter-spaced when most gaps between its characters are single spaces; then single
    spaces next to a CJK character or between digits are layout, and longer runs were real spaces
    (kept as one). Lines of ordinary text (Latin words, an ISBN) are left as they are.
    """
    s = line.strip()
    if " " not in s:
        return s
    singles = len(_SINGLE.findall(s))
    chars = len(s.replace(" ", ""))
    if chars < 2 or singles < 0.5 * (chars - 1):
        return _RUN.sub(" ", s)
    parts = _MULTI.split(s)
    parts = [_NUM_GAP.sub("", _SPACED_GAP.sub("", p)) for p in parts]
    return " ".join(p for p in parts if p)


def pdf_pages(path: str, on_count: Callable[[int], None] | None = None) -> Iterator[str]:
    """The text layer of each page in order (as extracted; see :func:`join_spaced`), one at a time.

    Raises :class:`InputError` for a file pypdf cannot open, an encrypted PDF without an empty
    password, and a PDF whose pages carry no text at all.
    """
    try:
        import pypdf
        from pypdf.errors import PdfReadError
    except ImportError:  # pragma: no cover - a declared dependency
        raise InputError("reading PDF needs the pypdf package (pip install pypdf)", path=path) from None
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # warnings about odd fonts are not the user's
    try:
        reader = pypdf.PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(""):
            raise InputError("encrypted PDF (needs a password); decrypt it first", path=path)
        n = len(reader.pages)
    except InputError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise InputError(f"not a readable PDF ({type(exc).__name__}: {str(exc)[:160]})", path=path) from None
    if on_count:
        on_count(n)
    text_seen = False
    for i in range(n):
        try:
            page = reader.pages[i]
            text = page.extract_text() or ""
        except Exception:  # noqa: BLE001 - one broken page (bad font table) must not lose the book
            text = ""
        if text.strip():
            text_seen = True
        yield text
    if n and not text_seen:
        raise InputError(NO_TEXT_LAYER, path=path)
    if n == 0:
        raise InputError("PDF has no pages", path=path)
