"""Readers for books: a PDF's text layer, and OCR text that holds a volume of dated pieces.

Each piece of a book becomes its own record (``body_format="book"``): title, date, source, pages
and notes already known, so the pipeline stores it as it is instead of guessing them again.
A PDF that is not a book (no table of contents, no title + date-line pairs) is one document, its
paragraphs still carrying their pages. ``book``: None decides from the text, True / False force.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any

from lunshu.errors import InputError
from lunshu.models import IngestFailure, RawRecord

# set by Corpus.ingest while it runs: called with ("pages", total) once, then ("page", 1) per page
PAGE_PROGRESS: ContextVar[Callable[[str, int], None] | None] = ContextVar("lunshu_page_progress", default=None)
# set by Corpus.ingest while it runs: the clean report of each book read, for IngestReport.books
BOOK_REPORTS: ContextVar[list[dict[str, Any]] | None] = ContextVar("lunshu_book_reports", default=None)

Item = RawRecord | IngestFailure
# a bracketed date line in Chinese numerals or digits: cheap test before a text is read as a book
_DATE_LINE = re.compile(r"^\s*[（(〔【《\[][^\n]{0,4}[〇零○一二三四五六七八九0-9]{4}\s*年[^\n]{0,24}[）)〕】》\]]\s*$",
                        re.MULTILINE)


def _records(path: str, bk: object, *, whole: bool) -> Iterator[Item]:
    from lunshu.book import Book, pieces_as_records

    assert isinstance(bk, Book)
    reports = BOOK_REPORTS.get()
    if reports is not None:
        reports.append({"path": path, "source": bk.source, "pages": bk.sheets or None,
                        "pieces": 0 if whole else sum(1 for p in bk.pieces if any(x.strip() for x in p.paragraphs)),
                        "repairs": dict(sorted(bk.repairs.items()))})
    if whole:
        paras: list[str] = []
        pages: list[int | None] = []
        for p in bk.pieces:
            paras.extend(p.paragraphs)
            pages.extend(p.pages)
        yield RawRecord(path, None, {"title": bk.source, "paragraphs": paras, "pages": pages,
                                     "source": bk.source, "speakers": [bk.author] if bk.author else []},
                        "", "book", "\n".join(bk.raw_lines), key=path)
        return
    for fields in pieces_as_records(bk):
        raw = fields.pop("raw")
        n = fields.pop("n")
        key = fields.pop("key")
        yield RawRecord(path, n, fields, "", "book", raw, key=f"{path}#{key}")


def read_pdf(path: str, field_map: dict[str, str] | None, encoding: str | None,
             book: bool | None = None) -> Iterator[Item]:
    from lunshu.book import read_book, split_whole
    from lunshu.ingest.pdf import pdf_pages

    progress = PAGE_PROGRESS.get()

    def tick(n: int) -> None:
        if progress:
            progress("page", n)

    pages = pdf_pages(path, on_count=(lambda n: progress("pages", n)) if progress else None)
    bk = read_book(path, pages=pages, progress=tick, mode="book" if book else "auto")
    if book and not any(p.paragraphs for p in bk.pieces):
        raise InputError("no table of contents and no title + date-line pairs: not a book "
                             "(ingest without --as-book to read it as one document)", path=path)
    if book is False or not bk.pieces or (book is None and len(bk.pieces) < 3):
        split_whole(bk)
        yield from _records(path, bk, whole=True)
        return
    yield from _records(path, bk, whole=False)


def read_text_book(path: str, text: str, book: bool | None) -> Iterator[Item] | None:
    """The pieces of an OCR text volume, or None when it is not one (and not forced to be)."""
    if book is False:
        return None
    if book is None and len(_DATE_LINE.findall(text, 0, len(text))) < 3:
        return None
    from lunshu.book import looks_like_book, read_book

    bk = read_book(path, text=text)
    if not looks_like_book(bk):
        if book:
            raise InputError("no table of contents and no title + date-line pairs: not a book "
                             "(ingest without --as-book to read it as one document)", path=path)
        return None
    return _records(path, bk, whole=False)
