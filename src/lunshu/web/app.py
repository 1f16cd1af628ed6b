"""``create_app``: the ASGI application behind ``lunshu serve`` — the JSON API, the pages, static files.

Cross-cutting rules live here, once: one error shape for every failure, request size limits,
security headers, and one ``Corpus`` per process.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from lunshu import __version__, settings
from lunshu.corpus import Corpus
from lunshu.errors import LunshuError
from lunshu.web import api, formulations, limits, pages
from lunshu.web.common import warm_up
from lunshu.web.fast import SearchFastPath, cache_bytes_from_env

log = logging.getLogger("lunshu.web")

HERE = Path(__file__).resolve().parent
DEFAULT_MAX_BODY = 64 * 1024
DEFAULT_MAX_INGEST = 10 * 1024 * 1024

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
          406: "not_acceptable", 413: "too_large", 415: "unsupported_media_type", 422: "invalid_parameter",
          429: "too_many_requests", 500: "internal", 503: "unavailable"}

CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; "
       "base-uri 'none'; frame-ancestors 'none'; form-action 'self'")


def _error_body(code: str, message: str) -> bytes:
    return json.dumps({"error": {"code": code, "message": message}}, ensure_ascii=False).encode("utf-8")


DRAIN_MAX = 32 * 1024 * 1024  # an oversized body up to this size is read and dropped before the 413


class BodyLimit:
    """Refuse request bodies over the limit with 413, by Content-Length and by the bytes actually sent.

    The body is read (up to the limit) before the application sees it, so no handler or parser ever
    holds more than the limit in memory, whatever the client claims.
    """

    def __init__(self, app: ASGIApp, default: int, limits: dict[str, int]) -> None:
        self.app = app
        self.default = default
        self.limits = limits

    def limit_for(self, path: str) -> int:
        return self.limits.get(path.rstrip("/"), self.default)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope.get("path", ""))
        length = None
        for k, v in scope.get("headers", []):
            if k == b"content-length":
                length = v
        if length is not None:
            if not length.strip().isdigit():
                await self._reject(send, 400, "bad_request", "invalid Content-Length")
                return
            if int(length) > limit:
                if int(length) <= DRAIN_MAX:
                    await self._drain(receive, DRAIN_MAX)
                await self._reject(send, 413, "too_large", f"request body over the limit of {limit} bytes")
                return
        chunks: list[bytes] = []
        total = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body = message.get("body", b"")
            total += len(body)
            if total > limit:
                if message.get("more_body", False):
                    await self._drain(receive, DRAIN_MAX - total)
                await self._reject(send, 413, "too_large", f"request body over the limit of {limit} bytes")
                return
            chunks.append(body)
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    @staticmethod
    async def _drain(receive: Receive, budget: int) -> None:
        """Read and discard the rest of an honest client's oversized body (up to ``budget`` bytes), so
        it is not cut off mid-upload and can read the 413; a larger or lying one is cut at once."""
        while budget > 0:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            budget -= len(message.get("body", b""))
            if not message.get("more_body", False):
                return

    @staticmethod
    async def _reject(send: Send, status: int, code: str, message: str) -> None:
        body = _error_body(code, message)
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close"), *_security_headers()]})
        await send({"type": "http.response.body", "body": body})


def _security_headers() -> list[tuple[bytes, bytes]]:
    return [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin"),
            (b"x-frame-options", b"DENY")]


class CatchAll:
    """A bug becomes a 500 with the error shape (no traceback in the body); the log gets the details.

    Handled here rather than by an exception handler so the exception ends with the response and the
    connection stays usable.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception:
            log.exception("internal error on %s %s", scope.get("method"), scope.get("path"))
            if started:
                raise
            request = Request(scope)
            response = _error_response(request, 500, "internal", "internal error; the server log has the details")
            await response(scope, receive, send)


class SecurityHeaders:
    """Defence in depth: pages escape every value, and the CSP stops inline script even if one slipped."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                extra = [*_security_headers(), (b"content-security-policy", CSP.encode())]
                headers.extend((k, v) for k, v in extra if k not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith("/api/") or path == "/api" or path == "/openapi.json"


def _error_response(request: Request, status: int, code: str, message: str,
                    headers: dict[str, str] | None = None) -> Response:
    if _wants_json(request):
        return JSONResponse({"error": {"code": code, "message": message}}, status_code=status, headers=headers)
    return HTMLResponse(pages.render_error(request, status, code, message), status_code=status, headers=headers)


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        loc = [str(x) for x in err.get("loc", ()) if x not in ("query", "body", "path", "header")]
        where = ".".join(loc) or "request"
        parts.append(f"{where}: {err.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid request"


def lunshu_error_response(request: Request, exc: LunshuError) -> Response:
    headers = {"WWW-Authenticate": "Bearer"} if exc.http_status == 401 else None
    return _error_response(request, exc.http_status, exc.code, " ".join(str(exc).split()), headers)


async def _send_lunshu_error(scope: Scope, receive: Receive, send: Send, exc: LunshuError) -> None:
    """The error response of the FastAPI handler below, for the search fast path."""
    await lunshu_error_response(Request(scope), exc)(scope, receive, send)


def install_error_handlers(app: FastAPI) -> None:
    """One error shape, ``{"error": {"code", "message"}}``, for every failure under /api/."""

    async def on_lunshu(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, LunshuError)
        return lunshu_error_response(request, exc)

    async def on_validation(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        return _error_response(request, 422, "invalid_parameter", _validation_message(exc))

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        status = exc.status_code
        if status == 404:
            message = f"no such page or endpoint: {request.url.path}"
        else:
            message = exc.detail if isinstance(exc.detail, str) else "request failed"
        return _error_response(request, status, _CODES.get(status, "error"), message,
                                dict(exc.headers) if exc.headers else None)

    app.add_exception_handler(LunshuError, on_lunshu)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    if app.state.warm and app.state.warm_start:
        threading.Thread(target=warm_up, args=(app.state.corpus,), name="lunshu-warm-up", daemon=True).start()
    yield
    limits.cancel_all("the server is shutting down")
    if getattr(app.state, "exit_on_shutdown", False):
        exit_soon()


def exit_soon(grace: float = 2.0) -> None:
    """End this process ``grace`` seconds from now, whatever worker threads are still doing: work
    that checks its budget stops at once, but a thread inside one long SQLite statement or
    computation would otherwise keep a stopped server alive (SIGTERM must end it within seconds)."""
    import atexit
    import os

    def _exit() -> None:
        try:
            atexit._run_exitfuncs()  # e.g. the private upload folder
        finally:
            os._exit(0)

    timer = threading.Timer(grace, _exit)
    timer.daemon = True
    timer.start()


def create_app_from_env() -> FastAPI:
    """uvicorn factory for worker processes (``lunshu.web.app:create_app_from_env``).

    The database, the write token and the cache budget come from the environment the parent set;
    the parent process builds the corpus-wide caches once, so workers only rebuild them after an
    ingest of their own.
    """
    db = settings.serve_db()
    if not db:
        raise RuntimeError("LUNSHU_SERVE_DB is not set: start workers with `lunshu serve --workers N`")
    app = create_app(db, settings.serve_token(), warm_start=False)
    app.state.exit_on_shutdown = True  # a worker process of `lunshu serve --workers N`
    return app


def create_app(db_path: str, token: str | None = None, *, max_body: int = DEFAULT_MAX_BODY,
               max_ingest: int = DEFAULT_MAX_INGEST, warm: bool = True, warm_start: bool = False,
               cache_bytes: int | None = None, fast_search: bool = True,
               request_seconds: float = limits.REQUEST_SECONDS, busy_slots: int | None = None) -> FastAPI:
    """The whole server over the database at ``db_path``.

    ``token`` enables ``POST /api/ingest`` for requests that carry it (``Authorization: Bearer``);
    without it the server only reads. ``warm`` rebuilds the corpus-wide caches in the background after
    an ingest (and at start-up with ``warm_start``, off by default: the server is ready at once).
    ``cache_bytes`` bounds the cache of search answers (0: none; default ``$LUNSHU_CACHE_MB``,
    else 32 MB). ``fast_search=False`` leaves every search to the FastAPI route, the reference
    the fast path is tested against (and then nothing is cached). ``request_seconds`` and
    ``busy_slots``: the time budget of one expensive request and how many run at once
    (:mod:`lunshu.web.limits`).
    """
    app = FastAPI(
        title="lunshu",
        version=__version__,
        description="HTTP JSON API of lunshu (论述): the same results as the CLI's --json. "
                    "Errors: {\"error\": {\"code\", \"message\"}} with a 4xx/5xx status.",
        docs_url=None,  # the interactive docs load from a CDN; the spec is at /openapi.json
        redoc_url=None,
        openapi_url="/openapi.json",
        lifespan=_lifespan,
    )
    if token:
        Corpus(db_path).close()  # this server writes: create or upgrade the file now, not on a request
    # every request reads through a read-only connection: reading never migrates, never creates a
    # table, works on a read-only file and never waits behind a writer; only the analysis caches
    # are stored, where the file may be written. POST /api/ingest writes through app.state.writer.
    app.state.corpus = Corpus(db_path, readonly=True, caches=True)
    app.state.writer = None
    app.state.token = token or None
    app.state.db_path = db_path
    app.state.warm = warm
    app.state.warm_start = warm_start
    install_error_handlers(app)
    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(formulations.api_router)
    app.include_router(formulations.pages_router)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    if fast_search:
        app.add_middleware(SearchFastPath, corpus=app.state.corpus, on_error=_send_lunshu_error,
                           cache_bytes=cache_bytes_from_env() if cache_bytes is None else cache_bytes)
    app.add_middleware(limits.ExpensiveLimit, slots=busy_slots, seconds=request_seconds)
    app.add_middleware(CatchAll)
    app.add_middleware(BodyLimit, default=max_body, limits={"/api/ingest": max_ingest})
    app.add_middleware(SecurityHeaders)
    return app
