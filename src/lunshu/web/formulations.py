"""Formulation analysis over HTTP: ``/api/formulations``, ``/api/keyness``, ``/api/changes`` (JSON, or CSV
with ``?format=csv``) and their pages ``/formulations``, ``/keyness``, ``/changes``.

The analyses read the whole selection (seconds on millions of characters), so results are kept
in a small cache keyed by the corpus fingerprint (it changes with every ingest) and the
parameters: a page and its JSON twin compute once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Annotated, Any

from cachetools import LRUCache
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from lunshu.corpus import Corpus
from lunshu.web.api import (
    FormatQ,
    FromQ,
    GenreQ,
    SourceQ,
    SpeakerQ,
    ToQ,
    csv_response,
    get_corpus,
    json_response,
)
from lunshu.web.common import check_date, opt, qs

api_router = APIRouter(prefix="/api", tags=["analysis"])
pages_router = APIRouter(include_in_schema=False)
CorpusDep = Annotated[Corpus, Depends(get_corpus)]
FiltersQ = Annotated[str, Query(max_length=400, description='Subcorpus as key=value words: from, to, speaker, '
                                                             'genre, source ("from=2013 to=2017"; empty: all)')]

_cache: LRUCache[tuple[Any, ...], Any] = LRUCache(maxsize=24)
_lock = threading.Lock()


def cached(corpus: Corpus, kind: str, params: dict[str, Any], compute: Callable[[], Any]) -> Any:
    from lunshu.analysis import corpus_fingerprint

    key = (corpus.path, kind, corpus_fingerprint(corpus.store), tuple(sorted(params.items())))
    with _lock:
        if key in _cache:
            return _cache[key]
    result = compute()
    with _lock:
        _cache[key] = result
    return result


def formulations_result(corpus: Corpus, *, date_from: str | None = None, date_to: str | None = None,
                        speaker: str | None = None, genre: str | None = None, source: str | None = None,
                        new_since: int | None = None, limit: int = 100, min_len: int = 4, max_len: int = 16,
                        min_count: int = 3, min_docs: int = 2) -> Any:
    params = {"date_from": check_date(date_from, "from"), "date_to": check_date(date_to, "to"),
              "speaker": opt(speaker), "genre": opt(genre), "source": opt(source), "new_since": new_since,
              "limit": limit, "min_len": min_len, "max_len": max_len, "min_count": min_count, "min_docs": min_docs}
    return cached(corpus, "formulations", params, lambda: corpus.formulations(**params))


def keyness_result(corpus: Corpus, a: str, b: str, *, limit: int = 50, min_ll: float = 3.84, min_len: int = 4,
                   max_len: int = 16, min_count: int = 3) -> Any:
    params = {"limit": limit, "min_ll": min_ll, "min_len": min_len, "max_len": max_len, "min_count": min_count}
    return cached(corpus, "keyness", {"a": a, "b": b, **params}, lambda: corpus.keyness(a, b, **params))


def changes_result(corpus: Corpus, *, date_from: str | None = None, date_to: str | None = None,
                   speaker: str | None = None, genre: str | None = None, source: str | None = None,
                   limit: int = 50, min_count: int = 2, min_switch: float = 0.6, context: int = 4,
                   max_middle: int = 8, expansions: bool = False) -> Any:
    params = {"date_from": check_date(date_from, "from"), "date_to": check_date(date_to, "to"),
              "speaker": opt(speaker), "genre": opt(genre), "source": opt(source), "limit": limit,
              "min_count": min_count, "min_switch": min_switch, "context": context, "max_middle": max_middle,
              "expansions": expansions}
    return cached(corpus, "changes", params, lambda: corpus.changes(**params))


# -- API ------------------------------------------------------------------------------------------
Limit = Annotated[int, Query(ge=0, le=5000)]
LenQ = Annotated[int, Query(ge=2, le=32)]


@api_router.get("/formulations", summary="Recurring formulations with first use and dispersion (CLI: formulations)")
def api_formulations(corpus: CorpusDep, date_from: FromQ = None, date_to: ToQ = None, speaker: SpeakerQ = None,
                     genre: GenreQ = None, source: SourceQ = None,
                     new_since: Annotated[int | None, Query(ge=1, le=9999)] = None, limit: Limit = 100,
                     min_len: LenQ = 4, max_len: LenQ = 16, min_count: Annotated[int, Query(ge=2, le=1_000_000_000)] = 3,
                     min_docs: Annotated[int, Query(ge=1, le=1_000_000_000)] = 2, format: FormatQ = "json") -> Response:
    from lunshu.analysis.formulations import ROW_COLUMNS

    result = formulations_result(corpus, date_from=date_from, date_to=date_to, speaker=speaker, genre=genre,
                                 source=source, new_since=new_since, limit=limit, min_len=min_len, max_len=max_len,
                                 min_count=min_count, min_docs=min_docs)
    if format == "csv":
        return csv_response(result.rows(), ROW_COLUMNS, "formulations.csv")
    return json_response(result)


@api_router.get("/keyness", summary="Formulations over- and under-used in subcorpus A against B (CLI: keyness)")
def api_keyness(corpus: CorpusDep, a: FiltersQ = "", b: FiltersQ = "", limit: Limit = 50,
                min_ll: Annotated[float, Query(ge=0.0)] = 3.84, min_len: LenQ = 4, max_len: LenQ = 16,
                min_count: Annotated[int, Query(ge=2, le=1_000_000_000)] = 3, format: FormatQ = "json") -> Response:
    from lunshu.analysis.keyness import ROW_COLUMNS

    result = keyness_result(corpus, a, b, limit=limit, min_ll=min_ll, min_len=min_len, max_len=max_len,
                            min_count=min_count)
    if format == "csv":
        return csv_response(result.rows(), ROW_COLUMNS, "keyness.csv")
    return json_response(result)


@api_router.get("/changes", summary="Rewordings (提法变化): a wording replaced in the same frame (CLI: changes)")
def api_changes(corpus: CorpusDep, date_from: FromQ = None, date_to: ToQ = None, speaker: SpeakerQ = None,
                genre: GenreQ = None, source: SourceQ = None, limit: Annotated[int, Query(ge=0, le=2000)] = 50,
                min_count: Annotated[int, Query(ge=1)] = 2, min_switch: Annotated[float, Query(gt=0.0, le=1.0)] = 0.6,
                context: Annotated[int, Query(ge=1, le=8)] = 4, max_middle: Annotated[int, Query(ge=1, le=16)] = 8,
                expansions: bool = False, format: FormatQ = "json") -> Response:
    from lunshu.analysis.changes import ROW_COLUMNS

    result = changes_result(corpus, date_from=date_from, date_to=date_to, speaker=speaker, genre=genre,
                            source=source, limit=limit, min_count=min_count, min_switch=min_switch, context=context,
                            max_middle=max_middle, expansions=expansions)
    if format == "csv":
        return csv_response(result.rows(), ROW_COLUMNS, "changes.csv")
    return json_response(result)


# -- pages ----------------------------------------------------------------------------------------
def spark_points(values: list[float], width: int = 120, height: int = 22, top: float | None = None) -> str:
    """SVG polyline points for a sparkline (attributes, not inline style: the CSP allows them)."""
    if not values:
        return ""
    top = top or max(values) or 1.0
    step = width / max(1, len(values) - 1)
    return " ".join(f"{i * step:.1f},{height - 1 - (v / top) * (height - 2):.1f}" for i, v in enumerate(values))


def _span(years: list[str]) -> list[str]:
    ys = sorted(int(y) for y in years)
    return [str(y) for y in range(ys[0], ys[-1] + 1)] if ys else []


Opt = Annotated[str | None, Query(max_length=200)]
PFrom = Annotated[str | None, Query(alias="from", max_length=32)]
PTo = Annotated[str | None, Query(alias="to", max_length=32)]


@pages_router.get("/formulations", response_class=HTMLResponse)
def page_formulations(request: Request, corpus: CorpusDep, date_from: PFrom = None, date_to: PTo = None,
                      speaker: Opt = None, genre: Opt = None, source: Opt = None,
                      new_since: Annotated[str | None, Query(max_length=4)] = None,
                      limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> HTMLResponse:
    from lunshu.web.pages import attempt, render

    ns = int(new_since) if new_since and new_since.isdigit() else None
    params = {"from": opt(date_from), "to": opt(date_to), "speaker": opt(speaker), "genre": opt(genre),
              "source": opt(source), "new_since": ns, "limit": limit if limit != 100 else None}
    result, error = attempt(formulations_result, corpus, date_from=date_from, date_to=date_to, speaker=speaker,
                            genre=genre, source=source, new_since=ns, limit=limit)
    rows = []
    span: list[str] = []
    if result is not None:
        span = _span([y for f in result.formulations for y in f.years])
        for f in result.formulations:
            values = [f.years[y].per_million if y in f.years else 0.0 for y in span]
            rows.append({"f": f, "points": spark_points(values),
                         "title": " ".join(f"{y}:{f.years[y].count}" for y in span if y in f.years)})
    return render(request, "formulations.html", status=int(error["status"]) if error else 200,
                  title="Formulations", rows=rows, span=span, result=result, error=error, params=params,
                  new_since=ns, api=f"/api/formulations?{qs(params)}")


@pages_router.get("/keyness", response_class=HTMLResponse)
def page_keyness(request: Request, corpus: CorpusDep, a: Annotated[str | None, Query(max_length=400)] = None,
                 b: Annotated[str | None, Query(max_length=400)] = None,
                 limit: Annotated[int, Query(ge=1, le=1000)] = 50) -> HTMLResponse:
    from lunshu.web.pages import attempt, render

    result, error = None, None
    if a is not None or b is not None:
        result, error = attempt(keyness_result, corpus, a or "", b or "", limit=limit)
    params = {"a": a, "b": b, "limit": limit if limit != 50 else None}
    pos = [t for t in result.terms if t.log_likelihood > 0] if result is not None else []
    neg = [t for t in result.terms if t.log_likelihood < 0][::-1] if result is not None else []
    return render(request, "keyness.html", status=int(error["status"]) if error else 200, title="Keyness",
                  a=a or "", b=b or "", result=result, pos=pos, neg=neg, error=error, params=params,
                  api=f"/api/keyness?{qs({'a': a or '', 'b': b or '', 'limit': params['limit']})}")


@pages_router.get("/changes", response_class=HTMLResponse)
def page_changes(request: Request, corpus: CorpusDep, date_from: PFrom = None, date_to: PTo = None,
                 speaker: Opt = None, genre: Opt = None, source: Opt = None,
                 limit: Annotated[int, Query(ge=1, le=500)] = 50) -> HTMLResponse:
    from lunshu.web.pages import attempt, render

    params = {"from": opt(date_from), "to": opt(date_to), "speaker": opt(speaker), "genre": opt(genre),
              "source": opt(source), "limit": limit if limit != 50 else None}
    result, error = attempt(changes_result, corpus, date_from=date_from, date_to=date_to, speaker=speaker,
                            genre=genre, source=source, limit=limit)
    rows = []
    if result is not None:
        for ch in result.changes:
            span = _span(list(ch.years))
            old = [float(ch.years.get(y, {}).get("old", 0)) for y in span]
            new = [float(ch.years.get(y, {}).get("new", 0)) for y in span]
            top = max(old + new + [1.0])
            rows.append({"c": ch, "span": span, "old_points": spark_points(old, width=160, height=36, top=top),
                         "new_points": spark_points(new, width=160, height=36, top=top),
                         "old_phrase": ch.left + ch.old_middle + ch.right,
                         "new_phrase": ch.left + ch.new_middle + ch.right})
    return render(request, "changes.html", status=int(error["status"]) if error else 200, title="Changes",
                  rows=rows, result=result, error=error, params=params, api=f"/api/changes?{qs(params)}")


