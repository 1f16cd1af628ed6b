"""CSV for every tabular view (CLI `--csv`, `?format=csv`, `export --format csv`): one flattening.

Cells that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@`` first, or a leading
tab/CR) are prefixed with ``'`` unless they are plain numbers, so an exported corpus cannot carry
formula injection into Excel or LibreOffice.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from typing import IO, Any

SEARCH_COLUMNS = ["doc_id", "title", "date", "paragraph", "score", "text"]
KWIC_COLUMNS = ["doc_id", "date", "paragraph", "left", "match", "right"]
TIMELINE_COLUMNS = ["term", "period", "count", "docs", "per_million"]
DOCS_COLUMNS = ["id", "date", "genre", "speakers", "title", "source", "paragraphs", "chars"]
QUOTES_COLUMNS = ["doc_id", "paragraph", "date", "speaker", "status", "source", "quote"]
COLLOCATES_COLUMNS = ["term", "cooccurrences", "freq", "expected", "log_dice", "mi"]
KEYWORDS_COLUMNS = ["term", "weight"]
REUSE_COLUMNS = ["a", "b", "score", "kind"]
# `export --format csv`: every field `show` gives, the paragraphs as one cell joined by blank lines;
# `ingest` recognises this header and reads such a file back as it was exported (see docs/formats.md)
EXPORT_COLUMNS = ["id", "title", "subtitle", "date", "delivered", "speakers", "roles", "occasion", "place", "genre", "source", "url",
                  "keywords", "publisher_keywords", "reporters", "editor", "origin", "chars", "paragraphs_inferred",
                  "text", "raw"]
# the columns that make a CSV an export of lunshu (those of every version; later ones are optional)
EXPORT_REQUIRED = frozenset({"id", "title", "date", "delivered", "speakers", "occasion", "genre", "source", "url",
                             "keywords", "publisher_keywords", "reporters", "origin", "chars", "text"})
EXPORT_LIST_COLUMNS = frozenset({"speakers", "keywords", "publisher_keywords", "reporters"})
LIST_SEPARATOR = "; "

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_RISKY = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    """One CSV cell: lists joined with '; ', None empty, formula-like text neutralised."""
    if value is None:
        return ""
    if isinstance(value, list):
        value = LIST_SEPARATOR.join(map(str, value))
    if isinstance(value, str) and value.startswith(_RISKY) and not _NUMBER.match(value):
        return "'" + value
    return value


def uncell(value: str) -> str:
    """The value a cell was made from: the ``'`` that :func:`cell` put before a formula-like value
    is taken off again (a value that itself began with ``'`` and then ``=`` cannot be told apart)."""
    if value.startswith("'") and value[1:].startswith(_RISKY) and not _NUMBER.match(value[1:]):
        return value[1:]
    return value


def write_csv(fh: IO[str], rows: Iterable[dict[str, Any]], columns: list[str]) -> None:
    w = csv.writer(fh)
    w.writerow(columns)
    for r in rows:
        w.writerow([cell(r.get(c)) for c in columns])


def csv_text(rows: Iterable[dict[str, Any]], columns: list[str]) -> str:
    buf = io.StringIO()
    write_csv(buf, rows, columns)
    return buf.getvalue()
