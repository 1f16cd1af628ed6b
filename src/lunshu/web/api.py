"""The JSON API under ``/api/``: one endpoint per Corpus method, the same shapes as the CLI's ``--json``.

Endpoints are plain ``def`` functions: FastAPI runs them in its threadpool, and the store keeps
one SQLite connection per thread, so the blocking calls never stall the event loop.
"""

from __future__ import annotations

import atexit
import hmac
import json
import os
import re
import shutil
import stat
import tempfile
import threading
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from pydantic import BaseModel, Field
from starlette.datastructures import UploadFile

from lunshu import __version__
from lunshu.corpus import Corpus, to_jsonable
from lunshu.errors import AuthError, InputError, LunshuError, QueryError
from lunshu.params import COLLOCATES, COMPILE, DOCS, KEYWORDS, KWIC, QUOTES, REUSE, SEARCH, TIMELINE, TRACE
from lunshu.web.common import (
    COLLOCATES_COLUMNS,
    DOCS_COLUMNS,
    KEYWORDS_COLUMNS,
    KWIC_COLUMNS,
    QUOTES_COLUMNS,
    REUSE_COLUMNS,
    SEARCH_COLUMNS,
    TIMELINE_COLUMNS,
    check_date,
    check_doc_id,
    content_disposition,
    csv_text,
    doc_param,
    get_corpus,
    opt,
    quote_rows,
    reuse_rows,
    search,
    terms,
    timeline_data,
    timeline_rows,
    warm_up,
)

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"



class Unauthorized(LunshuError):
    """A write without the server's token."""

    code = "unauthorized"
    http_status = 401


class UnsupportedMedia(LunshuError):
    code = "unsupported_media_type"
    http_status = 415


class ErrorDetail(BaseModel):
    code: str = Field(description="stable machine-readable code, e.g. bad_query, not_found, invalid_parameter")
    message: str


class ErrorBody(BaseModel):
    error: ErrorDetail


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "Bad request (e.g. a query that cannot be parsed)"},
    404: {"model": ErrorBody, "description": "Not found"},
    413: {"model": ErrorBody, "description": "Request too large"},
    422: {"model": ErrorBody, "description": "Invalid parameter"},
    503: {"model": ErrorBody, "description": "Busy (code busy, with Retry-After) or over the time budget (timeout)"},
}

router = APIRouter(prefix="/api", responses=ERRORS)


CorpusDep = Annotated[Corpus, Depends(get_corpus)]


def json_response(obj: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(to_jsonable(obj), status_code=status)


def csv_response(rows: list[dict[str, Any]], columns: list[str], name: str) -> Response:
    return Response(csv_text(rows, columns), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": content_disposition(name)})


# -- documents -------------------------------------------------------------------------------------
@router.get("/stats", tags=["documents"], summary="Counts of documents, paragraphs and characters")
def api_stats(corpus: CorpusDep) -> JSONResponse:
    return json_response({**corpus.stats(), "version": __version__})


@router.get("/docs", tags=["documents"], summary="Documents with their metadata, in date order (CLI: docs)")
def api_docs(corpus: CorpusDep, p: Annotated[DOCS.model("http"), Query()]) -> Response:
    docs = corpus.docs(speaker=opt(p.speaker), genre=opt(p.genre), date_from=check_date(p.date_from, "from"),
                       date_to=check_date(p.date_to, "to"), source=opt(p.source), limit=p.limit, offset=p.offset)
    rows = [d.summary() for d in docs]
    if p.format == "csv":
        return csv_response(rows, list(rows[0].keys()) if rows else DOCS_COLUMNS, "docs.csv")
    return json_response(rows)


@router.get("/docs/{doc_id}", tags=["documents"],
            summary="One document: metadata, numbered paragraphs and the raw original (CLI: show)")
def api_doc(corpus: CorpusDep, doc_id: str) -> JSONResponse:
    return json_response(corpus.get(check_doc_id(doc_id)))


# -- search ----------------------------------------------------------------------------------------
SearchQ = Annotated[SEARCH.model("http"), Query()]


@router.get("/search", tags=["search"], summary="Exact substring search over paragraphs (CLI: search)")
def api_search(corpus: CorpusDep, p: SearchQ) -> Response:
    result = search(corpus, p.query, limit=p.limit, offset=p.offset, date_from=p.date_from, date_to=p.date_to,
                    speaker=p.speaker, genre=p.genre, source=p.source, sort=p.sort, by=p.by,
                    title_only=p.title_only)
    if p.format == "csv":
        return csv_response([h.to_dict() for h in result.hits], SEARCH_COLUMNS, "search.csv")
    return json_response(result)


KwicQ = Annotated[KWIC.model("http"), Query()]


@router.get("/kwic", tags=["search"], summary="Concordance lines: left context, match, right context (CLI: kwic)")
def api_kwic(corpus: CorpusDep, p: KwicQ) -> Response:
    lines = corpus.kwic(p.term, width=p.width, sort=p.sort, limit=p.limit, date_from=check_date(p.date_from, "from"),
                        date_to=check_date(p.date_to, "to"), speaker=opt(p.speaker), genre=opt(p.genre),
                        source=opt(p.source))
    rows = [x.to_dict() for x in lines]
    total = str(getattr(lines, "total", len(rows)))  # every occurrence, not only the lines returned
    if p.format == "csv":
        resp = csv_response(rows, KWIC_COLUMNS, "kwic.csv")
    else:
        resp = json_response(rows)
    resp.headers["X-Total-Count"] = total
    return resp


# -- analysis --------------------------------------------------------------------------------------
def _timeline(corpus: Corpus, p: Any) -> Any:
    return timeline_data(corpus, terms(p.terms), p.by, p.date_from, p.date_to, p.speaker, p.genre, p.source)


@router.get("/timeline", tags=["analysis"], summary="Occurrences of formulations per period (CLI: timeline)")
def api_timeline(corpus: CorpusDep, p: Annotated[TIMELINE.model("http"), Query()]) -> Response:
    data = to_jsonable(_timeline(corpus, p))
    if p.format == "csv":
        return csv_response(timeline_rows(data), TIMELINE_COLUMNS, "timeline.csv")
    return json_response(data)


@router.get("/timeline.svg", tags=["analysis"], summary="The timeline as an SVG chart",
            response_class=Response, responses={200: {"content": {"image/svg+xml": {}}}})
def api_timeline_svg(corpus: CorpusDep, p: Annotated[TIMELINE.model("http", ("format",)), Query()]) -> Response:
    result = _timeline(corpus, p)
    from lunshu.analysis.timeline import to_svg

    svg = to_svg(result)
    # The chart is data, not a document: no script may run even when it is opened on its own.
    return Response(svg, media_type="image/svg+xml",
                    headers={"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"})


@router.get("/keywords/{doc_id}", tags=["analysis"], summary="Keywords of one document (CLI: keywords)")
def api_keywords(corpus: CorpusDep, doc_id: str, p: Annotated[KEYWORDS.model("http"), Query()]) -> Response:
    rows = to_jsonable(corpus.keywords(check_doc_id(doc_id), top=p.top))
    if p.format == "csv":
        return csv_response(rows, KEYWORDS_COLUMNS, "keywords.csv")
    return json_response(rows)


@router.get("/collocates", tags=["analysis"], summary="Collocates of a term: logDice, MI (CLI: collocates)")
def api_collocates(corpus: CorpusDep, p: Annotated[COLLOCATES.model("http"), Query()]) -> Response:
    data = to_jsonable(corpus.collocates(p.term, window=p.window, min_freq=p.min_freq, top=p.top,
                                         date_from=check_date(p.date_from, "from"),
                                         date_to=check_date(p.date_to, "to"), speaker=opt(p.speaker),
                                         genre=opt(p.genre), source=opt(p.source)))
    if p.format == "csv":
        return csv_response(data.get("collocates", []) if isinstance(data, dict) else data, COLLOCATES_COLUMNS,
                            "collocates.csv")
    return json_response(data)


@router.get("/compile", tags=["analysis"],
            summary="An automatic compilation (论述摘编) on a topic: JSON, Markdown or DOCX (CLI: compile)",
            responses={200: {"content": {"application/json": {}, "text/markdown": {}, DOCX_TYPE: {}}}})
def api_compile(corpus: CorpusDep, p: Annotated[COMPILE.model("http"), Query()]) -> Response:
    topic = p.topic
    comp = corpus.compile(topic, date_from=check_date(p.date_from, "from"), date_to=check_date(p.date_to, "to"),
                          speaker=opt(p.speaker), variants=[v for v in p.variant or [] if v.strip()], lang=p.lang)
    if p.fmt == "json":
        return json_response(comp)
    name = re.sub(r"[\\/:*?\"<>|\s]+", "_", topic)[:60] or "compilation"
    if p.fmt == "md":
        return PlainTextResponse(comp.to_markdown(), media_type="text/markdown; charset=utf-8",
                                 headers={"Content-Disposition": content_disposition(f"{name}.md")})
    if hasattr(comp, "docx_bytes"):
        data = comp.docx_bytes()
    else:
        with tempfile.TemporaryDirectory(prefix="lunshu-compile-") as tmp:
            path = Path(tmp) / "compilation.docx"
            comp.to_docx(str(path))
            data = path.read_bytes()
    return Response(data, media_type=DOCX_TYPE, headers={"Content-Disposition": content_disposition(f"{name}.docx")})


# -- provenance ------------------------------------------------------------------------------------
@router.get("/quotes", tags=["provenance"],
            summary="Quotations with attributions, traced and checked (CLI: quotes)")
def api_quotes(corpus: CorpusDep, p: Annotated[QUOTES.model("http"), Query()]) -> Response:
    doc_id = doc_param(p.doc)
    rows = [q.to_dict() for q in corpus.quotes(doc_id=doc_id, status=p.status)]
    if p.format == "csv":
        return csv_response(quote_rows(rows), QUOTES_COLUMNS, "quotes.csv")
    return json_response(rows)


TraceRequest = TRACE.model("http")  # the body of POST /api/trace: the same parameters as GET


def trace_data(corpus: Corpus, text: str, date: str | None, limit: int) -> Any:
    if not text.strip():
        raise QueryError("give the quotation to trace")
    return corpus.trace(text, date=check_date(date, "date"), limit=limit)


@router.post("/trace", tags=["provenance"],
             summary="Where a quotation comes from, and whether its attribution holds (CLI: trace)")
def api_trace(corpus: CorpusDep, body: TraceRequest) -> JSONResponse:  # type: ignore[valid-type]
    return json_response(trace_data(corpus, body.text, body.date, body.limit))


@router.get("/trace", tags=["provenance"], summary="The same as POST /api/trace, for links")
def api_trace_get(corpus: CorpusDep, p: Annotated[TRACE.model("http"), Query()]) -> JSONResponse:
    return json_response(trace_data(corpus, p.text, p.date, p.limit))


@router.get("/reuse", tags=["provenance"],
            summary="Near-duplicate paragraphs and documents: links and clusters (CLI: reuse)")
def api_reuse(corpus: CorpusDep, p: Annotated[REUSE.model("http"), Query()]) -> Response:
    doc_id = doc_param(p.doc)
    data = to_jsonable(corpus.reuse(doc_id=doc_id, threshold=p.threshold))
    if p.format == "csv":
        return csv_response(reuse_rows(data), REUSE_COLUMNS, "reuse.csv")
    return json_response(data)


# -- writing ---------------------------------------------------------------------------------------
_write_lock = threading.Lock()
def _check_token(request: Request) -> None:
    expected: str | None = request.app.state.token
    if not expected:
        raise AuthError("writing is disabled on this server; start it with --token to enable POST /api/ingest")
    header = request.headers.get("authorization", "")
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), expected.encode()):
        raise Unauthorized("missing or wrong token: send Authorization: Bearer <token>")


def _safe_name(name: str, n: int) -> str:
    """The upload's own name, made safe; a suffix lunshu does not read becomes ``.txt`` (the reader is
    chosen by the suffix, from the one table of readers)."""
    from lunshu.ingest.readers import READERS

    base = re.split(r"[\\/]", name or "")[-1]
    base = re.sub(r"[^\w.\-]+", "_", base).strip("._") or f"upload-{n}.txt"
    if Path(base).suffix.lower() not in READERS:
        base += ".txt"
    return base[-120:]


def upload_dir(app_state: Any) -> Path:
    """This server's private folder for uploads: made fresh with mkdtemp (mode 0700, owned by this
    process's user, checked), never a predictable shared path; removed when the process exits."""
    folder: Path | None = getattr(app_state, "upload_dir", None)
    if folder is None:
        folder = Path(tempfile.mkdtemp(prefix="lunshu-uploads-"))
        st = os.lstat(folder)
        if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.geteuid() or stat.S_IMODE(st.st_mode) & 0o077:
            raise LunshuError("the upload folder is not private to this server; not used")
        atexit.register(shutil.rmtree, folder, True)
        app_state.upload_dir = folder
    return folder


def _write_private(folder: Path, name: str, data: bytes) -> Path:
    """Write a new file in ``folder``, never through a symbolic link or over an existing file."""
    path = folder / name
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0),
                 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    return path


def _run_ingest(corpus: Corpus, folder: Path, files: list[tuple[str, bytes]],
                field_map: dict[str, str] | None) -> Any:
    with _write_lock:
        written: dict[str, str] = {}
        try:
            for name, data in files:
                try:
                    written[str(_write_private(folder, name, data))] = name
                except OSError as exc:  # a file or link already there: never written through
                    raise InputError(f"{name}: the upload could not be stored privately "
                                     f"({exc.strerror or type(exc).__name__}); nothing was ingested") from None
            # ids and origins are made of the upload's name, not of this server's folder
            report = corpus.ingest(list(written), field_map=field_map, names=written)
        finally:
            for p in written:
                Path(p).unlink(missing_ok=True)
    for f in report.failed:  # never leak the server's paths: name the upload
        for full, name in written.items():
            if f.path.startswith(full):
                f.path = name + f.path[len(full):]
    return report


@router.post("/ingest", tags=["writing"], status_code=200,
             summary="Add or update documents: a multipart file upload (field 'file', repeatable) or "
                     "JSON records (an object or an array). Needs the server's token.",
             responses={401: {"model": ErrorBody}, 403: {"model": ErrorBody}, 415: {"model": ErrorBody}})
async def api_ingest(request: Request,
                     field: Annotated[list[str] | None, Query(description="key=COLUMN, as the CLI's --field")] = None
                     ) -> JSONResponse:
    _check_token(request)
    field_map: dict[str, str] = {}
    for f in field or []:
        if "=" not in f:
            raise QueryError(f"field takes key=COLUMN, got {f!r}")
        k, v = f.split("=", 1)
        field_map[k.strip()] = v.strip()
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    files: list[tuple[str, bytes]] = []
    if ctype == "multipart/form-data":
        form = await request.form(max_files=100, max_fields=100)
        for n, (_, value) in enumerate(form.multi_items()):
            if isinstance(value, UploadFile):
                files.append((_safe_name(value.filename or "", n), await value.read()))
        await form.close()
    elif ctype in ("application/json", "application/x-ndjson", "application/jsonl"):
        body = await request.body()
        if ctype == "application/json":
            try:
                json.loads(body)
            except (ValueError, UnicodeDecodeError) as exc:
                raise InputError(f"request body is not JSON: {exc}") from None
        files.append(("records.json" if ctype == "application/json" else "records.jsonl", body))
    else:
        raise UnsupportedMedia("send multipart/form-data (field 'file') or application/json records")
    names = [n for n, _ in files]
    if not files:
        raise InputError("no file in the upload (use the form field 'file')")
    if len(set(names)) != len(names):
        raise InputError("two uploaded files have the same name")
    corpus: Corpus = request.app.state.corpus
    if request.app.state.writer is None:
        request.app.state.writer = Corpus(request.app.state.db_path)
    report = await run_in_threadpool(_run_ingest, request.app.state.writer, upload_dir(request.app.state), files,
                                     field_map or None)
    if (report.added or report.updated) and request.app.state.warm:
        # the caches are stale now: rebuild them before a page needs them
        threading.Thread(target=warm_up, args=(corpus,), name="lunshu-warm-up", daemon=True).start()
    return json_response(report)
