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
from lunshu.params import CHANGES, FORMULATIONS, KEYNESS
from lunshu.web.api import csv_response, json_response
from lunshu.web.common import check_date, get_corpus, opt, qs
from lunshu.web.pages import attempt, render

api_router = APIRouter(prefix="/api", tags=["analysis"])
pages_router = APIRouter(include_in_schema=False)
CorpusDep = Annotated[Corpus, Depends(get_corpus)]

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
@api_router.get("/formulations", summary="Recurring formulations with first use and dispersion (CLI: formulations)")
def api_formulations(corpus: CorpusDep, p: Annotated[FORMULATIONS.model("http"), Query()]) -> Response:
    from lunshu.analysis.formulations import ROW_COLUMNS

    result = formulations_result(corpus, date_from=p.date_from, date_to=p.date_to, speaker=p.speaker, genre=p.genre,
                                 source=p.source, new_since=p.new_since, limit=p.limit, min_len=p.min_len,
                                 max_len=p.max_len, min_count=p.min_count, min_docs=p.min_docs)
    if p.format == "csv":
        return csv_response(result.rows(), ROW_COLUMNS, "formulations.csv")
    return json_response(result)


@api_router.get("/keyness", summary="Formulations over- and under-used in subcorpus A against B (CLI: keyness)")
def api_keyness(corpus: CorpusDep, p: Annotated[KEYNESS.model("http"), Query()]) -> Response:
    from lunshu.analysis.keyness import ROW_COLUMNS

    result = keyness_result(corpus, p.a, p.b, limit=p.limit, min_ll=p.min_ll, min_len=p.min_len, max_len=p.max_len,
                            min_count=p.min_count)
    if p.format == "csv":
        return csv_response(result.rows(), ROW_COLUMNS, "keyness.csv")
    return json_response(result)


@api_router.get("/changes", summary="Rewordings (提法变化): a wording replaced in the same frame (CLI: changes)")
def api_changes(corpus: CorpusDep, p: Annotated[CHANGES.model("http"), Query()]) -> Response:
    from lunshu.analysis.changes import ROW_COLUMNS

    result = changes_result(corpus, date_from=p.date_from, date_to=p.date_to, speaker=p.speaker, genre=p.genre,
                            source=p.source, limit=p.limit, min_count=p.min_count, min_switch=p.min_switch,
                            context=p.context, max_middle=p.max_middle, expansions=p.expansions)
    if p.format == "csv":
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


@pages_router.get("/formulations", response_class=HTMLResponse)
def page_formulations(request: Request, corpus: CorpusDep, p: Annotated[FORMULATIONS.model("page"), Query()]
                      ) -> HTMLResponse:
    date_from, date_to, speaker, genre, source, limit = p.date_from, p.date_to, p.speaker, p.genre, p.source, p.limit
    ns = p.new_since
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
def page_keyness(request: Request, corpus: CorpusDep, p: Annotated[KEYNESS.model("page"), Query()]) -> HTMLResponse:
    a, b, limit = p.a, p.b, p.limit
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
def page_changes(request: Request, corpus: CorpusDep, p: Annotated[CHANGES.model("page"), Query()]) -> HTMLResponse:
    date_from, date_to, speaker, genre, source, limit = p.date_from, p.date_to, p.speaker, p.genre, p.source, p.limit
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


