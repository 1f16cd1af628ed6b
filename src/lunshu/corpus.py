"""``lunshu.Corpus``: the product. The CLI, the HTTP API and the web UI are thin layers over it.

Each public method is one user-facing operation and returns an object whose ``to_dict()`` is the
JSON shape of the contract in PRODUCT.md.
"""

from __future__ import annotations

import errno
import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from lunshu import index, settings
from lunshu.errors import LunshuError, StoreError
from lunshu.models import Document, IngestFailure, IngestReport, IngestWarning, RawRecord
from lunshu.store import Store

ProgressFn = Callable[[str, int], None]  # (event, amount): ("files", n) once, then ("file", 1) per file

_BATCH_DOCS = 400
# Few, large transactions: each commit writes a new index segment whose cost grows with the
# distinct trigrams in it, so at 10 M characters 900 k-character transactions cost 1.6x what
# one transaction does. Within one, documents go in date order (see _flush).
_BATCH_CHARS = 4_000_000
_FIRST_BATCH_CHARS = 250_000  # with workers: the writer starts while they build the rest


STORED_KEYWORDS = 20  # keywords kept in a document's ``keywords`` field once computed


def default_db() -> str:
    return settings.db()


class Corpus:
    """A corpus of documents in one SQLite file (created on first use)."""

    def __init__(self, path: str | Path | None = None, *, readonly: bool = False, caches: bool = False) -> None:
        """``readonly``: open the file read-only (no migration, nothing written; fails if it is not
        a lunshu database); ``caches``: with ``readonly``, analysis caches may still be stored when
        the file may be written."""
        self.path = str(path) if path is not None else default_db()
        self.store = Store(self.path, readonly=readonly, caches=caches)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Corpus:  # noqa: PYI034 - Corpus is not meant to be subclassed
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- ingest ------------------------------------------------------------------------------
    def ingest(self, paths: str | Iterable[str], *, field_map: dict[str, str] | None = None,
               encoding: str | None = None, progress: ProgressFn | None = None,
               jobs: int | None = None, book: bool | None = None,
               names: dict[str, str] | None = None) -> IngestReport:
        """Read, clean, describe and store every document under ``paths``.

        ``names``: file path -> the name to show and to make ids of instead of the path (uploads).

        Bad files and records are reported in ``failed`` and never stop the others. Documents are
        written in transactions of whole documents: an interrupted ingest leaves no half document,
        and re-running it finishes the job. ``jobs``: worker processes that build documents while
        this process writes them (0: none; None: decided from the cores and the input's size).
        ``book``: read PDFs and text volumes as books split into dated pieces (None: when they
        have a table of contents or title + date-line pairs). ``progress`` also gets
        ``("pages", n)`` and ``("page", 1)`` while a PDF is read.
        """
        from lunshu.ingest.books import BOOK_REPORTS, PAGE_PROGRESS

        token = PAGE_PROGRESS.set(progress)
        books: list[dict[str, Any]] = []
        token_books = BOOK_REPORTS.set(books)
        try:
            report = self._ingest(paths, field_map=field_map, encoding=encoding, progress=progress, jobs=jobs,
                                  book=book, names=names)
        finally:
            PAGE_PROGRESS.reset(token)
            BOOK_REPORTS.reset(token_books)
        report.books = books
        return report

    def _ingest(self, paths: str | Iterable[str], *, field_map: dict[str, str] | None, encoding: str | None,
                progress: ProgressFn | None, jobs: int | None, book: bool | None,
                names: dict[str, str] | None = None) -> IngestReport:
        # (imported here: readers, decoders and the worker pool cost a search or a page nothing)
        from lunshu.ingest import expand_paths
        from lunshu.ingest.parallel import auto_jobs, build_all

        if isinstance(paths, (str, Path)):
            paths = [str(paths)]
        report = IngestReport()
        files: list[str] = []
        for found in expand_paths([str(p) for p in paths]):
            if isinstance(found, IngestFailure):
                report.failed.append(found)
            elif isinstance(found, str):
                files.append(found)
            else:  # a file in a folder that lunshu does not read: said, not failed
                report.skipped.append(found.to_dict())
        if progress:
            progress("files", len(files))
        if jobs is None:
            jobs = auto_jobs(files)
        # with workers, the first transactions are small: the writer starts while they build the rest
        batch_chars = _FIRST_BATCH_CHARS if jobs > 0 else _BATCH_CHARS
        pending: list[Document] = []
        pending_chars = 0
        seen: dict[str, tuple[str, str]] = {}  # id -> (content hash, origin) of its first record in this run
        written = 0  # paragraphs
        for item in build_all(self._records(files, field_map, encoding, book, names), jobs,
                              meanwhile=lambda: index.warm(self.store.conn)):
            if isinstance(item, str):  # END_OF_FILE
                if progress:
                    progress("file", 1)
                continue
            if isinstance(item, IngestFailure):
                report.failed.append(item)
                continue
            doc = item
            first = seen.get(doc.id)
            if first is not None:
                # one id for two records in one run: the same record twice counts once; two different
                # records are not merged silently: the first is kept, the later one reported
                if first[0] != doc.content_hash:
                    report.failed.append(_duplicate_id(doc, first[1]))
                continue
            seen[doc.id] = (doc.content_hash, doc.origin)
            if doc.warnings:  # stored with a loss: said, once per record
                report.warnings.extend(IngestWarning(**w) for w in doc.warnings)
            pending.append(doc)
            pending_chars += doc.chars
            if len(pending) >= _BATCH_DOCS or pending_chars >= batch_chars:
                written += self._flush(pending, report)
                pending, pending_chars = [], 0
                batch_chars = min(batch_chars * 4, _BATCH_CHARS)
        if pending:
            written += self._flush(pending, report)
        if written:  # merge the segments the transactions left, as a query would otherwise walk them all
            with self.store.transaction() as conn:
                index.settle(conn, written)
        return report

    @staticmethod
    def _records(files: list[str], field_map: dict[str, str] | None, encoding: str | None,
                 book: bool | None = None, names: dict[str, str] | None = None
                 ) -> Iterator[RawRecord | IngestFailure | str]:
        from lunshu.ingest import read_path
        from lunshu.ingest.parallel import END_OF_FILE

        for path in files:
            name = names.get(path) if names else None
            for item in read_path(path, field_map, encoding, book):
                if name is not None:
                    _rename(item, path, name)
                yield item
            yield END_OF_FILE

    def _flush(self, docs: list[Document], report: IngestReport) -> int:
        """Write a batch in one transaction; if the store refuses one document, write the batch
        again one document per transaction, so only that document fails. Returns the paragraphs
        written."""
        # in date order: the index is keyed by year, so FTS5 then appends instead of starting segments
        docs = sorted(docs, key=lambda d: d.date or "")
        try:
            with self.store.transaction() as conn:
                statuses = [self.store.put(conn, doc) for doc in docs]
        except (sqlite3.DatabaseError, LunshuError, ValueError) as exc:
            if _disk_full(exc):
                # no document can be stored now: one clear error, not one per document
                raise StoreError(f"the disk is full: {report.added + report.updated} documents were stored, "
                                 f"{len(docs)} in this batch and the rest were not; free space and run the same "
                                 "ingest again to finish it", path=self.path) from None
            if len(docs) == 1:
                raise
            written = 0
            for doc in docs:
                try:
                    written += self._flush([doc], report)
                except (sqlite3.DatabaseError, LunshuError, ValueError) as exc:
                    path, _, rec = doc.origin.partition("#")
                    report.failed.append(IngestFailure(path, int(rec) if rec.isdigit() else None,
                                                       f"could not be stored: {exc}"))
            return written
        written = 0
        for doc, status in zip(docs, statuses):
            if status == "duplicate":  # the same text is stored under another id (lunshu.identity)
                path, _, rec = doc.origin.partition("#")
                report.duplicates.append({"path": path, "record": int(rec) if rec.isdigit() else None,
                                          "id": doc.id, "same_as": self.store.copy_of(doc.id)})
                continue
            setattr(report, status, getattr(report, status) + 1)
            report.doc_ids.append(doc.id)
            report.chars += doc.chars
            written += len(doc.paragraphs) if status != "unchanged" else 0
        return written

    # -- documents ---------------------------------------------------------------------------
    def docs(self, *, speaker: str | None = None, genre: str | None = None, date_from: str | None = None,
             date_to: str | None = None, source: str | None = None, limit: int | None = None,
             offset: int = 0) -> list[Document]:
        """Documents (metadata and counts, no text), in date order."""
        return self.store.list_docs(speaker=speaker, genre=genre, date_from=date_from, date_to=date_to,
                                    source=source, limit=limit, offset=offset)

    def get(self, doc_id: str) -> Document:
        """One document with its paragraphs and raw original."""
        return self.store.get(doc_id)

    show = get

    def export(self, out: Any, fmt: str = "jsonl") -> int:
        """Write every document as `show` gives it; returns the number written.

        ``out`` is a path or a text stream (jsonl, csv) / binary path (parquet).
        """
        from lunshu import export as _export

        return _export.export(self.store, out, fmt)

    def stats(self) -> dict[str, int]:
        return self.store.count()

    # -- queries implemented in their own modules --------------------------------------------
    def search(self, query: str, *, limit: int = 20, offset: int = 0, date_from: str | None = None,
               date_to: str | None = None, speaker: str | None = None, genre: str | None = None,
               source: str | None = None, title_only: bool = False, sort: str = "relevance",
               by: str = "paragraph") -> Any:
        from lunshu import search as _search

        return _search.search(self.store, query, limit=limit, offset=offset, date_from=date_from,
                              date_to=date_to, speaker=speaker, genre=genre, source=source,
                              title_only=title_only, sort=sort, by=by)

    def kwic(self, term: str, *, width: int = 20, sort: str = "date", limit: int | None = None,
             date_from: str | None = None, date_to: str | None = None, speaker: str | None = None,
             genre: str | None = None, source: str | None = None) -> Any:
        from lunshu import kwic as _kwic

        return _kwic.kwic(self.store, term, width=width, sort=sort, limit=limit, date_from=date_from,
                          date_to=date_to, speaker=speaker, genre=genre, source=source)

    def timeline(self, terms: str | list[str], *, by: str = "year", **filters: Any) -> Any:
        from lunshu.analysis import timeline as _timeline

        return _timeline.timeline(self.store, [terms] if isinstance(terms, str) else list(terms), by=by,
                                  **filters)

    def formulations(self, *, new_since: int | None = None, limit: int = 100, **options: Any) -> Any:
        """Recurring formulations (提法) of the selected documents, with first use and dispersion."""
        from lunshu.analysis import formulations as _formulations

        return _formulations.formulations(self.store, new_since=new_since, limit=limit, **options)

    def keyness(self, a: Any, b: Any, **options: Any) -> Any:
        """Formulations over- and under-used in subcorpus A against B (filters: dict or "from=… to=…")."""
        from lunshu.analysis import keyness as _keyness

        return _keyness.keyness(self.store, a, b, **options)

    def changes(self, **options: Any) -> Any:
        """Rewordings (提法变化): a wording replaced by another in the same frame."""
        from lunshu.analysis import changes as _changes

        return _changes.changes(self.store, **options)

    def keywords(self, doc_id: str, *, top: int = 20) -> Any:
        """The document's keywords; the first ``STORED_KEYWORDS`` are kept in its ``keywords`` field
        (what ``docs`` and ``show`` list), when the database can be written."""
        from lunshu.analysis import keywords as _keywords

        found = _keywords.keywords(self.store, doc_id, top=max(top, STORED_KEYWORDS))
        terms = [k.term for k in found[:STORED_KEYWORDS]]
        try:
            with self.store.cache_transaction() as conn:  # None: cannot be written now; computing is what was asked
                if conn is not None:
                    self.store.set_keywords(conn, doc_id, terms)
        except sqlite3.OperationalError:
            pass
        return found[:top]

    def collocates(self, term: str, *, window: int = 5, min_freq: int = 2, top: int = 50, **filters: Any) -> Any:
        from lunshu.analysis import collocates as _collocates

        return _collocates.collocates(self.store, term, window=window, min_freq=min_freq, top=top, **filters)

    def quotes(self, *, doc_id: str | None = None, status: str | None = None, trace: bool = True) -> Any:
        from lunshu import trace as _trace

        return _trace.corpus_quotes(self.store, doc_id=doc_id, status=status, with_trace=trace)

    def trace(self, text: str, *, date: str | None = None, limit: int = 10) -> Any:
        from lunshu import trace as _trace

        return _trace.trace(self.store, text, date=date, limit=limit)

    def reuse(self, *, doc_id: str | None = None, threshold: float | None = None) -> Any:
        from lunshu import reuse as _reuse

        return _reuse.reuse(self.store, doc_id=doc_id, threshold=threshold)

    def compile(self, topic: str, **options: Any) -> Any:
        from lunshu.analysis import compile as _compile

        return _compile.compile_topic(self, topic, **options)

    def check(self, *, repair: bool = False) -> dict[str, Any]:
        from lunshu import check as _check

        return _check.check(self.store, repair=repair)


def _disk_full(exc: BaseException) -> bool:
    return (getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL
            or "database or disk is full" in str(exc) or getattr(exc, "errno", None) == errno.ENOSPC)


def _rename(item: RawRecord | IngestFailure, path: str, name: str) -> None:
    """A file ingested under another name (an upload in a server's private folder): the name is
    what failures and origins show, and what the id is made of, so the id does not depend on where
    the server happened to keep the file."""
    shown = item.path
    item.path = name
    if isinstance(item, RawRecord):
        full = os.path.abspath(path)
        for prefix in (full, path, shown):
            if item.key.startswith(prefix):
                item.key = "upload:" + name + item.key[len(prefix):]
                break


def _duplicate_id(doc: Document, first_origin: str) -> IngestFailure:
    path, _, rec = doc.origin.partition("#")
    fpath, _, frec = first_origin.partition("#")
    where = (f"record {frec} of this file" if fpath == path and frec else first_origin) or "an earlier record"
    return IngestFailure(path, int(rec) if rec.isdigit() else None,
                         f"id {doc.id!r} is already used by {where}, with a different text; this record is not "
                         "stored (give each record its own id)")


def dumps(obj: Any) -> str:
    """JSON for any result object (``to_dict``), list of them, or plain data."""
    return json.dumps(to_jsonable(obj), ensure_ascii=False, indent=None)


def to_jsonable(obj: Any) -> Any:
    if hasattr(obj, "to_dict"):
        return obj.to_dict()
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(x) for x in obj]
    return obj
