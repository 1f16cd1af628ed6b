"""Server-rendered pages for people. Each renders the same Corpus results as its JSON twin.

Jinja2 with autoescape on: every value from a document is text. The only HTML that passes from
data into a page is ``<mark>`` in search snippets (``marks`` filter) and the diff markup we build
ourselves (``diff`` filter); both escape everything else.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from lunshu import __version__
from lunshu.corpus import Corpus, to_jsonable
from lunshu.errors import LunshuError, NotFoundError
from lunshu.models import GENRES
from lunshu.params import (
    COLLOCATES,
    COMPILE,
    DOCS,
    KWIC,
    QUERY_MAX_CHARS,
    QUOTES,
    SEARCH,
    TIMELINE,
    TRACE,
    by_name,
)
from lunshu.web.common import (
    STATUSES,
    NotComputed,
    check_date,
    check_doc_id,
    doc_param,
    get_corpus,
    highlight,
    marks,
    opt,
    qs,
    query_terms,
    render_diff,
    safe_url,
    score_text,
    search,
    terms,
    timeline_data,
    timeline_rows,
)

HERE = Path(__file__).resolve().parent

env = Environment(
    loader=FileSystemLoader(str(HERE / "templates")),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
env.filters["marks"] = marks
env.filters["diff"] = render_diff
env.filters["score"] = score_text
env.filters["hl"] = lambda text, term: highlight(str(text or ""), [term] if term else [])
env.globals.update(qs=qs, safe_url=safe_url, STATUSES=STATUSES, GENRES=GENRES, version=__version__)


def form_attrs(op: str, name: str) -> Markup:
    """A form input's bounds (``min``, ``max``, ``maxlength``), from the parameter's one declaration."""
    return Markup(" ".join(f'{k}="{v}"' for k, v in by_name(op).form(name).items()))


def choices(op: str, name: str) -> tuple[str, ...]:
    """The values a form's list offers for a parameter (its allowed values)."""
    p = by_name(op)[name]
    return p.offered or p.choices


env.globals.update(attrs=form_attrs, choices=choices)

STATUS_HELP = {
    "verified": "found in a primary source with the same words, and the date agrees",
    "variant": "found in a primary source with the date agreeing, but the words differ",
    "misattributed": "the words are found, but the date given does not agree with the source",
    "unverified": "found only in secondary documents (reports, other compilations)",
    "not_found": "no source in this corpus",
}
env.globals["STATUS_HELP"] = STATUS_HELP

router = APIRouter(include_in_schema=False)
CorpusDep = Annotated[Corpus, Depends(get_corpus)]


def render(request: Request, template: str, status: int = 200, **ctx: Any) -> HTMLResponse:
    ctx.setdefault("path", request.url.path)
    return HTMLResponse(env.get_template(template).render(request=request, **ctx), status_code=status)


def render_error(request: Request, status: int, code: str, message: str) -> str:
    return env.get_template("error.html").render(request=request, path=request.url.path, status=status, code=code,
                                                 message=message, title=f"{status} · {code}")


def attempt(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, dict[str, Any] | None]:
    """Call a Corpus method for a page: an error becomes a note on the page, not a failed page."""
    try:
        return fn(*args, **kwargs), None
    except LunshuError as exc:
        return None, {"code": exc.code, "message": " ".join(str(exc).split()), "status": exc.http_status}


def _status_of(*errors: dict[str, Any] | None) -> int:
    for e in errors:
        if e and e["code"] != "not_computed":
            return int(e["status"])
    return 200


def _bars(counts: dict[str, int]) -> list[dict[str, Any]]:
    """Per-period counts as bar heights in whole percent (CSS classes ``h0``…``h100``; no inline style)."""
    if not counts:
        return []
    top = max(counts.values()) or 1
    years = [int(p) for p in counts if p.isdigit()]
    filled = dict(counts)
    if years:  # a year without matches is a zero bar, not a missing one
        for y in range(min(years), max(years) + 1):
            filled.setdefault(str(y), 0)
    items = sorted(filled.items(), key=lambda kv: (not kv[0][:4].isdigit(), kv[0]))
    many = len(items) > 24
    out = []
    for i, (period, n) in enumerate(items):
        label = not many or i in (0, len(items) - 1) or period[-1] in "05"
        out.append({"period": period, "count": n, "h": max(1 if n else 0, round(100 * n / top)), "label": label})
    return out


# -- search ----------------------------------------------------------------------------------------
@router.get("/", response_class=HTMLResponse)
def page_search(request: Request, corpus: CorpusDep, p: Annotated[SEARCH.model("page"), Query()]) -> HTMLResponse:
    q, limit, offset, sort, by, title_only = opt(p.query), p.limit, p.offset, p.sort, p.by, p.title_only
    params: dict[str, Any] = {"q": q, "from": opt(p.date_from), "to": opt(p.date_to), "speaker": opt(p.speaker),
                              "genre": opt(p.genre), "source": opt(p.source),
                              "sort": sort if sort != "relevance" else None, "by": by if by != "paragraph" else None,
                              "title_only": title_only, "limit": limit if limit != 20 else None}
    ctx: dict[str, Any] = {"title": q or "Search", "q": q, "params": params, "limit": limit, "offset": offset,
                           "sort": sort, "by": by, "title_only": title_only, "result": None, "error": None,
                           "filters_open": any(params[k] for k in ("from", "to", "speaker", "genre", "source",
                                                                    "title_only"))}
    if q:
        result, error = attempt(search, corpus, q, limit=limit, offset=offset, date_from=p.date_from,
                                date_to=p.date_to, speaker=p.speaker, genre=p.genre, source=p.source, sort=sort,
                                by=by, title_only=title_only)
        ctx.update(result=result, error=error, year_bars=_bars(dict(result.by_year)) if result else [],
                   api=f"/api/search?{qs(params, offset=offset or None)}")
        return render(request, "search.html", status=_status_of(error), **ctx)
    stats, _ = attempt(corpus.stats)
    n = int(stats["documents"]) if stats else 0
    recent, _ = attempt(corpus.docs, limit=8, offset=max(0, n - 8))  # date order: the last are the latest
    ctx.update(stats=stats, recent=list(reversed(recent or [])))
    return render(request, "search.html", **ctx)


# -- documents -------------------------------------------------------------------------------------
@router.get("/docs", response_class=HTMLResponse)
def page_docs(request: Request, corpus: CorpusDep, p: Annotated[DOCS.model("page"), Query()]) -> HTMLResponse:
    speaker, genre, date_from, date_to, source = p.speaker, p.genre, p.date_from, p.date_to, p.source
    limit, offset = p.limit, p.offset
    filters = {"speaker": opt(speaker), "genre": opt(genre), "from": opt(date_from), "to": opt(date_to),
               "source": opt(source)}

    def run() -> tuple[int, list[Any]]:
        lo, hi = check_date(date_from, "from"), check_date(date_to, "to")

        def listing(limit: int | None = None, offset: int = 0) -> list[Any]:
            return corpus.docs(speaker=opt(speaker), genre=opt(genre), date_from=lo, date_to=hi,
                               source=opt(source), limit=limit, offset=offset)

        total = len(listing()) if any(filters.values()) else corpus.stats()["documents"]
        return total, listing(limit, offset)

    res, error = attempt(run)
    total, docs = res if res else (0, [])
    params = {**filters, "limit": limit if limit != 50 else None}
    return render(request, "docs.html", status=_status_of(error), title="Documents", docs=docs, total=total,
                  error=error, params=params, filters=filters, limit=limit, offset=offset,
                  api=f"/api/docs?{qs(filters, limit=limit, offset=offset or None)}")


def _title_lookup(corpus: Corpus) -> Callable[[str], str]:
    cache: dict[str, str] = {}

    def title(doc_id: str) -> str:
        if doc_id not in cache:
            try:
                d = corpus.store.get(doc_id, with_paragraphs=False)
                cache[doc_id] = d.title or doc_id
            except NotFoundError:
                cache[doc_id] = doc_id
        return cache[doc_id]

    return title


def _other_side(item: dict[str, Any], doc_id: str) -> tuple[Any, Any] | None:
    """(this side, other side) of a reuse link that involves ``doc_id``, whatever its exact shape."""
    a, b = item.get("a"), item.get("b")

    def did(x: Any) -> Any:
        return x.get("doc_id") if isinstance(x, dict) else x

    if did(a) == doc_id:
        return a, b
    if did(b) == doc_id:
        return b, a
    return None


def reuse_panel(data: dict[str, Any], doc_id: str, title: Callable[[str], str]) -> dict[str, Any]:
    """Group a document's reuse links by the other document: who shares which paragraphs with it."""
    by_doc: dict[str, dict[str, Any]] = {}
    internal: list[dict[str, Any]] = []
    for link in data.get("links", []):
        sides = _other_side(link, doc_id)
        if sides is None:
            continue
        mine, other = sides
        if not isinstance(other, dict) or not isinstance(mine, dict):
            continue
        pair = {"mine": mine.get("paragraph"), "theirs": other.get("paragraph"), "score": link.get("score", 0)}
        if other.get("doc_id") == doc_id:
            internal.append(pair)
            continue
        entry = by_doc.setdefault(other["doc_id"], {"doc_id": other["doc_id"], "pairs": [], "score": 0.0,
                                                   "document_score": None})
        entry["pairs"].append(pair)
        entry["score"] = max(entry["score"], float(link.get("score") or 0))
    for item in data.get("documents", []) or []:
        if not isinstance(item, dict):
            continue
        sides = _other_side(item, doc_id)
        if sides is None:
            continue
        other = sides[1]
        other_id = other.get("doc_id") if isinstance(other, dict) else other
        if not other_id or other_id == doc_id:
            continue
        entry = by_doc.setdefault(str(other_id), {"doc_id": str(other_id), "pairs": [], "score": 0.0,
                                                  "document_score": None})
        entry["document_score"] = item.get("score")
        entry["kind"] = item.get("kind") or item.get("relation")
        entry["shared_chars"] = item.get("shared_chars")
    others = sorted(by_doc.values(), key=lambda e: (-(e["document_score"] or 0), -e["score"]))
    for e in others:
        e["title"] = title(e["doc_id"])
        e["pairs"].sort(key=lambda p: (p["mine"] or 0, p["theirs"] or 0))
    return {"others": others, "internal": internal}


# Up to this many paragraphs a document page computes the corpus's reuse links when they are not
# stored yet (seconds: 10k paragraphs take ~3 s); above, it points to where they are computed.
REUSE_ON_PAGE_PARAGRAPHS = 20_000


def _doc_reuse(corpus: Corpus, doc_id: str) -> Any:
    """One document's reuse links, for its page: nothing corpus-wide is computed at server start,
    and no page waits minutes for it either."""
    from lunshu import reuse as _reuse

    if not _reuse.current(corpus.store):
        n = corpus.store.execute("SELECT coalesce(max(id), 0) FROM paragraphs").fetchone()[0]
        if n > REUSE_ON_PAGE_PARAGRAPHS:
            raise NotComputed("reuse links of this corpus are not computed yet: run `lunshu reuse` once "
                                     "(or open /api/reuse), then they show here")
    return corpus.reuse(doc_id=doc_id)


@router.get("/docs/{doc_id}", response_class=HTMLResponse)
def page_doc(request: Request, corpus: CorpusDep, doc_id: str, hl: Annotated[str | None, Query(max_length=QUERY_MAX_CHARS)] = None
             ) -> HTMLResponse:
    doc = corpus.get(check_doc_id(doc_id))
    terms = query_terms(hl)
    paragraphs = [{"n": i, "html": highlight(t, terms)} for i, t in enumerate(doc.paragraphs, 1)]
    keywords, kw_error = attempt(corpus.keywords, doc.id, top=15)
    quotes, q_error = attempt(corpus.quotes, doc_id=doc.id)
    reuse, r_error = attempt(_doc_reuse, corpus, doc.id)
    title = _title_lookup(corpus)
    panel = reuse_panel(to_jsonable(reuse), doc.id, title) if reuse is not None else None
    quote_rows = [q.to_dict() for q in quotes] if quotes is not None else None
    quote_status: dict[int, str] = {}
    if quote_rows:
        for r in quote_rows:
            for n in range(r["paragraph"], (r.get("paragraph_end") or r["paragraph"]) + 1):
                quote_status[n] = r["status"]
            for s in r["sources"][:1]:
                s["title"] = s.get("title") or title(s["doc_id"])
    return render(request, "doc.html", title=doc.title or doc.id, doc=doc, summary=doc.summary(),
                  paragraphs=paragraphs, quote_status=quote_status, keywords=to_jsonable(keywords), kw_error=kw_error, quotes=quote_rows,
                  q_error=q_error, reuse=panel, r_error=r_error, hl=opt(hl), api=f"/api/docs/{doc.id}")


# -- concordance and analysis ----------------------------------------------------------------------
@router.get("/kwic", response_class=HTMLResponse)
def page_kwic(request: Request, corpus: CorpusDep, p: Annotated[KWIC.model("page"), Query()]) -> HTMLResponse:
    term, width, sort, limit = opt(p.term), p.width, p.sort, p.limit
    params: dict[str, Any] = {"term": term, "width": width if width != 20 else None,
                              "sort": sort if sort != "date" else None, "limit": limit, "from": opt(p.date_from),
                              "to": opt(p.date_to), "speaker": opt(p.speaker), "genre": opt(p.genre),
                              "source": opt(p.source)}
    lines, error = None, None
    if term:
        lines, error = attempt(lambda: corpus.kwic(
            term, width=width, sort=sort, limit=limit, date_from=check_date(p.date_from, "from"),
            date_to=check_date(p.date_to, "to"), speaker=opt(p.speaker), genre=opt(p.genre), source=opt(p.source)))
    return render(request, "kwic.html", status=_status_of(error), title=term or "Concordance", term=term,
                  width=width, sort=sort, limit=limit, lines=lines, error=error, params=params,
                  api=f"/api/kwic?{qs(params)}")


@router.get("/timeline", response_class=HTMLResponse)
def page_timeline(request: Request, corpus: CorpusDep, p: Annotated[TIMELINE.model("page"), Query()]
                  ) -> HTMLResponse:
    by = p.by
    terms_given = list(dict.fromkeys(t.strip() for t in (p.terms or []) if t and t.strip()))
    data, error = None, None
    if terms_given:
        result, error = attempt(lambda: timeline_data(corpus, terms(terms_given), by))
        data = to_jsonable(result) if result is not None else None
    table: list[dict[str, Any]] = []
    if data:
        periods = sorted({p for info in data.values() for p in (info.get("periods") or {})})
        for period in periods:
            table.append({"period": period, "cells": [(data[t].get("periods") or {}).get(period) for t in data]})
    params = {"term": terms_given, "by": by if by != "year" else None}
    return render(request, "timeline.html", status=_status_of(error), title=" / ".join(terms_given) or "Timeline",
                  terms=terms_given, inputs=terms_given + [""] * max(0, 3 - len(terms_given)), by=by, data=data,
                  table=table, rows=timeline_rows(data) if data else [], error=error, params=params,
                  api=f"/api/timeline?{qs(params)}", svg=f"/api/timeline.svg?{qs(params)}")


@router.get("/collocates", response_class=HTMLResponse)
def page_collocates(request: Request, corpus: CorpusDep, p: Annotated[COLLOCATES.model("page"), Query()]
                    ) -> HTMLResponse:
    term, window, min_freq, top = opt(p.term), p.window, p.min_freq, p.top
    data, error = None, None
    if term:
        result, error = attempt(corpus.collocates, term, window=window, min_freq=min_freq, top=top)
        data = to_jsonable(result) if result is not None else None
    params = {"term": term, "window": window, "min_freq": min_freq, "top": top}
    rows = (data.get("collocates", []) if isinstance(data, dict) else data) if data is not None else None
    return render(request, "collocates.html", status=_status_of(error), title=term or "Collocates", term=term,
                  window=window, min_freq=min_freq, top=top, data=data, rows=rows, error=error, params=params,
                  api=f"/api/collocates?{qs(params)}")


def _statements(data: Any) -> list[dict[str, Any]]:
    """The statements of a compilation in order, as one flat shape for the template.

    The compilation groups statements by year (``years``); a flat ``statements`` list is read too.
    """
    items: list[Any] = []
    if isinstance(data, dict):
        if isinstance(data.get("years"), dict):
            for group in data["years"].values():
                items.extend(group if isinstance(group, list) else [])
        elif isinstance(data.get("statements"), list):
            items = data["statements"]
    elif isinstance(data, list):
        items = data
    out = []
    for s in items:
        if not isinstance(s, dict):
            continue
        attr = s.get("attribution")
        attribution: dict[str, Any] = attr if isinstance(attr, dict) else {}
        source = s.get("source") if isinstance(s.get("source"), dict) else None
        if source and source.get("doc_id") == s.get("doc_id") and source.get("paragraph") == s.get("paragraph"):
            source = None  # found in its own source: one link is enough
        out.append({
            "text": s.get("text") or s.get("quote") or "",
            "date": s.get("date") or attribution.get("date"),
            "speaker": s.get("speaker") or attribution.get("speaker"),
            "occasion": s.get("occasion") or attribution.get("occasion"),
            "status": s.get("status"),
            "reason": s.get("reason") or "",
            "doc_id": s.get("doc_id"),
            "paragraph": s.get("paragraph"),
            "title": s.get("title"),
            "source": source,
            "versions": len(s.get("versions") or []),
        })
    return out


@router.get("/compile", response_class=HTMLResponse)
def page_compile(request: Request, corpus: CorpusDep, p: Annotated[COMPILE.model("page"), Query()]) -> HTMLResponse:
    topic, date_from, date_to, speaker = opt(p.topic), p.date_from, p.date_to, p.speaker
    data, error = None, None
    if topic:
        result, error = attempt(lambda: corpus.compile(topic, date_from=check_date(date_from, "from"),
                                                       date_to=check_date(date_to, "to"), speaker=opt(speaker)))
        data = to_jsonable(result) if result is not None else None
    params = {"topic": topic, "from": opt(date_from), "to": opt(date_to), "speaker": opt(speaker)}
    return render(request, "compile.html", status=_status_of(error), title=topic or "Compile", topic=topic,
                  data=data, statements=_statements(data) if data is not None else [], error=error, params=params,
                  api=f"/api/compile?{qs(params)}")


# -- provenance ------------------------------------------------------------------------------------
@router.get("/trace", response_class=HTMLResponse)
def page_trace(request: Request, corpus: CorpusDep, p: Annotated[TRACE.model("page"), Query()]) -> HTMLResponse:
    text, date, limit = opt(p.text), p.date, p.limit
    result, error = None, None
    if text:
        result, error = attempt(lambda: corpus.trace(text, date=check_date(date, "date"), limit=limit))
    params = {"text": text, "date": opt(date), "limit": limit if limit != 10 else None}
    return render(request, "trace.html", status=_status_of(error), title="Trace", text=text, date=opt(date),
                  limit=limit, result=result, error=error, params=params, api=f"/api/trace?{qs(params)}")


@router.get("/quotes", response_class=HTMLResponse)
def page_quotes(request: Request, corpus: CorpusDep, p: Annotated[QUOTES.model("page"), Query()]) -> HTMLResponse:
    status = p.status
    doc_id = doc_param(p.doc)
    items, error = attempt(corpus.quotes, doc_id=doc_id, status=status or None)
    rows = [q.to_dict() for q in items] if items is not None else None
    title = _title_lookup(corpus)
    counts: dict[str, int] = {}
    for r in rows or []:
        r["doc_title"] = title(r["doc_id"])
        for s in r["sources"][:1]:
            s["title"] = s.get("title") or title(s["doc_id"])
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    params = {"doc": doc_id, "status": status or None}
    return render(request, "quotes.html", status=_status_of(error), title="Quotations", rows=rows, error=error,
                  counts=counts, doc=doc_id, doc_title=title(doc_id) if doc_id else None, status_filter=status,
                  params=params, api=f"/api/quotes?{qs(params)}")
