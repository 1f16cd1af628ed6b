"""What the API and the pages share: argument checks, CSV rows, HTML filters.

Both layers go through these helpers so that a page and its JSON twin can never disagree on how
a parameter is read or how a row is flattened.
"""

from __future__ import annotations

import html
import logging
import re
from typing import Any
from urllib.parse import quote, urlencode

from markupsafe import Markup
from starlette.requests import Request

from lunshu import params
from lunshu.errors import LunshuError, NotFoundError, QueryError
from lunshu.params import SEARCH

log = logging.getLogger("lunshu.web")

STATUSES = params.STATUSES

# Ids the pipeline makes (explicit safe ids or 12 hex digits); anything else cannot name a document,
# so it is refused before it reaches the store (no traversal-looking value ever goes further).
_DOC_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:\-]{0,127}$")


class NotComputed(LunshuError):
    """Data a page shows only once it has been computed (reuse links of a large corpus)."""

    code = "not_computed"
    http_status = 409


def opt(value: str | None) -> str | None:
    """Empty form fields mean "not given", so page links and API links behave alike."""
    if value is None:
        return None
    value = value.strip()
    return value or None


def check_date(value: str | None, name: str) -> str | None:
    """The same date reading as the CLI's ``--from``/``--to`` (:func:`lunshu.dates.filter_date`)."""
    from lunshu.dates import filter_date

    value = opt(value)
    if value is None:
        return None
    iso = filter_date(value)
    if iso is None:
        raise QueryError(f"{name}: {value!r} is not a date; use YYYY, YYYY-MM or YYYY-MM-DD")
    return iso


# Bounds of the search parameters, from their one declaration (lunshu.params): the FastAPI route's
# model is built from it, the fast path (fast.py) checks them.
SEARCH_MAX_LIMIT = int(SEARCH["limit"].max or 0)
SEARCH_MAX_OFFSET = int(SEARCH["offset"].max or 0)
DATE_MAX_CHARS = params.DATE_MAX_CHARS
FILTER_MAX_CHARS = params.TERM_MAX_CHARS


def search(corpus: Any, q: str, *, limit: int, offset: int, date_from: str | None, date_to: str | None,
           speaker: str | None, genre: str | None, source: str | None, sort: str, by: str,
           title_only: bool) -> Any:
    """The one ``Corpus.search`` call of ``GET /api/search``, for the route and its fast path."""
    return corpus.search(q, limit=limit, offset=offset, date_from=check_date(date_from, "from"),
                         date_to=check_date(date_to, "to"), speaker=opt(speaker), genre=opt(genre),
                         source=opt(source), title_only=title_only, sort=sort, by=by)


def check_doc_id(doc_id: str) -> str:
    if not _DOC_ID.match(doc_id):
        raise NotFoundError(f"no document with id {doc_id!r}")
    return doc_id


def doc_param(doc: str | None) -> str | None:
    value = opt(doc)
    return check_doc_id(value) if value else None


def get_corpus(request: Request) -> Any:
    """The process's read-only ``Corpus`` (a FastAPI dependency of every route and page)."""
    return request.app.state.corpus


def terms(term: list[str] | None) -> list[str]:
    """The timeline's terms: blank ones dropped, repeats once (their bounds: ``lunshu.params.TIMELINE``)."""
    out = list(dict.fromkeys(t.strip() for t in term or [] if t and t.strip()))
    if not out:
        raise QueryError("give at least one term")
    return out


def timeline_data(corpus: Any, terms: list[str], by: str, date_from: str | None = None, date_to: str | None = None,
                  speaker: str | None = None, genre: str | None = None, source: str | None = None) -> Any:
    return corpus.timeline(terms, by=by, date_from=check_date(date_from, "from"), date_to=check_date(date_to, "to"),
                           speaker=opt(speaker), genre=opt(genre), source=opt(source))


def warm_up(corpus: Any) -> None:
    """Rebuild the corpus-wide caches (reuse links, keyword statistics) after an ingest through the API,
    before the next document page needs them. Failures only mean the first request does the work.

    Never at start-up (``warm_start``): at 100k paragraphs reuse alone took 45 s of a core while the
    server was meant to answer; a document page of a big corpus says how to compute the links instead.
    """
    try:
        first = corpus.docs(limit=1)
        if not first:
            return
        for method in (lambda: corpus.reuse(doc_id=first[0].id), lambda: corpus.keywords(first[0].id, top=1)):
            try:
                method()
            except Exception:  # a missing or failing module must not stop the server
                log.debug("warm-up step failed", exc_info=True)
    finally:
        corpus.store.close()  # this thread's connection


# -- rows for CSV (the same flattening as the CLI's --csv) ----------------------------------------
from lunshu.tabular import (  # noqa: F401  (re-exported for the API and pages)
    COLLOCATES_COLUMNS,
    DOCS_COLUMNS,
    KEYWORDS_COLUMNS,
    KWIC_COLUMNS,
    QUOTES_COLUMNS,
    REUSE_COLUMNS,
    SEARCH_COLUMNS,
    TIMELINE_COLUMNS,
    csv_text,
)


def timeline_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for term, info in data.items():
        for period, v in (info.get("periods") or {}).items():
            rows.append({"term": term, "period": period, **v})
        for year, v in (info.get("year_only") or {}).items():  # by month: dated only to the year
            rows.append({"term": term, "period": f"{year} (year only)", **v})
    return rows


def quote_rows(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for r in items:
        attribution = r.get("attribution") or {}
        sources = r.get("sources") or []
        out.append({"doc_id": r.get("doc_id"), "paragraph": r.get("paragraph"), "date": attribution.get("date"),
                    "speaker": attribution.get("speaker"), "status": r.get("status"),
                    "source": (f"{sources[0]['doc_id']} ¶{sources[0]['paragraph']}") if sources else "",
                    "quote": r.get("quote")})
    return out


def reuse_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"a": f"{x['a']['doc_id']} ¶{x['a'].get('paragraph')}", "b": f"{x['b']['doc_id']} ¶{x['b'].get('paragraph')}",
             "score": x["score"], "kind": x.get("kind")} for x in data.get("links", [])]


def content_disposition(filename: str, inline: bool = False) -> str:
    """RFC 6266 with an ASCII fallback, so Chinese topic names survive as file names."""
    ascii_name = re.sub(r"[^A-Za-z0-9._-]+", "_", filename).strip("_") or "download"
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


# -- HTML helpers (Jinja filters and globals) --------------------------------------------------------
_MARK_SPLIT = re.compile(r"(<mark>|</mark>)")


def marks(snippet: str | None) -> Markup:
    """A search snippet as HTML where ``<mark>`` is the only tag that can come through.

    The snippet is escaped text with ``<mark>`` around matches; everything between the marks is
    unescaped and escaped again, so a snippet that was not escaped upstream still renders as text.
    """
    out: list[str] = []
    is_open = False
    for part in _MARK_SPLIT.split(snippet or ""):
        if part == "<mark>":
            if not is_open:
                out.append("<mark>")
                is_open = True
        elif part == "</mark>":
            if is_open:
                out.append("</mark>")
                is_open = False
        elif part:
            out.append(html.escape(html.unescape(part), quote=True))
    if is_open:
        out.append("</mark>")
    return Markup("".join(out))


def query_terms(query: str | None) -> list[str]:
    """The plain terms of a search query, to highlight them on the document page."""
    if not query:
        return []
    terms: list[str] = []
    for m in re.finditer(r'"([^"]+)"|(\S+)', query):
        t = m.group(1) if m.group(1) is not None else m.group(2)
        if not t or t == "OR" or t.startswith("-"):
            continue
        t = t.strip('"()*')
        if t and t not in terms:
            terms.append(t)
    return terms[:10]


def highlight(text: str, terms: list[str]) -> Markup:
    """Escaped ``text`` with every occurrence of ``terms`` in ``<mark>`` (longest first)."""
    if not terms:
        return Markup(html.escape(text))
    pattern = re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)))
    out: list[str] = []
    pos = 0
    for m in pattern.finditer(text):
        out.append(html.escape(text[pos:m.start()]))
        out.append("<mark>" + html.escape(m.group(0)) + "</mark>")
        pos = m.end()
    out.append(html.escape(text[pos:]))
    return Markup("".join(out))


def render_diff(diff: list[dict[str, str]] | None) -> Markup:
    """A character diff (``lunshu.diffs``): the source's text the quotation leaves out in ``<del>``,
    the quotation's text the source does not have in ``<ins>``."""
    from lunshu import diffs

    return Markup(diffs.to_html(diff))


def score_text(value: float | None) -> str:
    """A score with two decimals, never rounded up to 1.00 (``lunshu.diffs.shown``)."""
    from lunshu import diffs

    return "" if value is None else diffs.shown(float(value))


def safe_url(url: str | None) -> str | None:
    """Only web links become links: a ``javascript:`` URL in a document's metadata stays text."""
    if url and re.match(r"^https?://[^\s<>\"']+$", url, re.IGNORECASE):
        return url
    return None


def qs(params: dict[str, Any] | None = None, **changes: Any) -> str:
    """A query string from ``params`` with ``changes``; empty values dropped, lists repeated."""
    merged: dict[str, Any] = dict(params or {})
    merged.update(changes)
    pairs: list[tuple[str, str]] = []
    for k, v in merged.items():
        if v is None or v == "" or v is False:
            continue
        if isinstance(v, (list, tuple)):
            pairs.extend((k, str(x)) for x in v if x not in (None, ""))
        elif v is True:
            pairs.append((k, "1"))
        else:
            pairs.append((k, str(v)))
    return urlencode(pairs)
