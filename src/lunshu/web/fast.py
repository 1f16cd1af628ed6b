"""``GET /api/search`` without FastAPI's per-request machinery, and a cache of its answers.

Why: a search that finds nothing costs SQLite a fraction of a millisecond, while FastAPI's
dependency solving, parameter validation and response plumbing cost about as much again on every
request. The search endpoint is the one under load, so a valid, plain request to it is answered
here: the same parameters read the same way (starlette's ``QueryParams``, last value wins), the
same ``Corpus.search`` call, the same JSON bytes and headers. Anything this path is not sure
about — an unknown value, a number out of range, ``format=csv`` — goes on to the FastAPI route,
which stays the reference (and the OpenAPI description): errors come out of it exactly as before.

The cache maps a normalized request to its JSON body, per process, bounded in bytes. An entry is
served only while the database is unchanged: ``PRAGMA data_version`` on a connection kept for that
purpose changes whenever any other connection, in this process or another, commits to the file
(``lunshu ingest`` from the command line, ``POST /api/ingest`` to another worker). An entry is
tagged with the version read *before* its search ran, so a commit that lands during the search can
only make the entry unusable, never stale.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import sqlite3
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import fields
from typing import Any
from urllib.parse import quote

from cachetools import LRUCache
from starlette.datastructures import QueryParams

from lunshu import settings
from lunshu.corpus import Corpus, to_jsonable
from lunshu.errors import LunshuError
from lunshu.models import SearchHit, SearchResult
from lunshu.params import SEARCH
from lunshu.web.common import search

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# Threads per process running searches (each with its own SQLite connection). SQLite releases the
# GIL while it reads, so a few threads overlap; many only contend. $LUNSHU_SEARCH_THREADS overrides.
SEARCH_THREADS = settings.search_threads()

# The checks of the FastAPI route (api.api_search), from the one declaration of the search
# parameters (lunshu.params.SEARCH); a value outside them goes to that route.
_MAX_Q = int(SEARCH["query"].max_length or 0)
_DIGITS = re.compile(r"[0-9]{1,9}")
_BOOLS = {"true": True, "1": True, "false": False, "0": False}
_NUMBERS = tuple((p.http, p.default, int(p.max or 0)) for p in (SEARCH["limit"], SEARCH["offset"]))
_LIMITED = {str(SEARCH[name].http): int(SEARCH[name].max_length or 0)
            for name in ("date_from", "date_to", "speaker", "genre", "source")}
_SORTS, _SORT_DEFAULT = SEARCH["sort"].choices, SEARCH["sort"].default
_BYS, _BY_DEFAULT = SEARCH["by"].choices, SEARCH["by"].default

SearchKey = tuple[Any, ...]


def cache_bytes_from_env() -> int:
    """The cache budget in bytes: ``$LUNSHU_CACHE_MB`` (0 turns the cache off), else the default."""
    return settings.cache_bytes()


def search_key(query_string: bytes) -> SearchKey | None:
    """The request's parameters as the route would read them, or None when the route must decide.

    Key order: q, limit, offset, from, to, speaker, genre, source, sort, by, title_only.
    """
    params = QueryParams(query_string)
    q = params.get("q")
    if q is None or not 1 <= len(q) <= _MAX_Q or params.get("format", "json") != "json":
        return None
    nums = []
    for name, default, top in _NUMBERS:
        raw = params.get(name)
        if raw is None:
            nums.append(default)
            continue
        if not _DIGITS.fullmatch(raw) or int(raw) > top:
            return None
        nums.append(int(raw))
    texts = []
    for name, most in _LIMITED.items():
        value = params.get(name)
        if value is not None and len(value) > most:
            return None
        texts.append(value)
    sort, by = params.get("sort", _SORT_DEFAULT), params.get("by", _BY_DEFAULT)
    title_only = _BOOLS.get(params.get("title_only", "false"))
    if sort not in _SORTS or by not in _BYS or title_only is None:
        return None
    return (q, nums[0], nums[1], *texts, sort, by, title_only)


_HIT_FIELDS = tuple(f.name for f in fields(SearchHit))


def _copy(value: Any) -> Any:
    return to_jsonable(value) if isinstance(value, (list, dict, tuple)) else value


def result_dict(result: Any) -> Any:
    """``to_jsonable(result)`` for a ``SearchResult``, without ``dataclasses.asdict``'s deep copies
    (a third of a millisecond per page of 20 hits); anything else goes through ``to_jsonable``."""
    if type(result) is not SearchResult or any(type(h) is not SearchHit for h in result.hits):
        return to_jsonable(result)
    hits = []
    for h in result.hits:
        hits.append({name: _copy(getattr(h, name)) for name in _HIT_FIELDS})
    out = to_jsonable(SearchResult(total=result.total, hits=[], by_year=result.by_year, query=result.query,
                                   limit=result.limit, offset=result.offset))
    out["hits"] = hits
    return out


def run_search(corpus: Corpus, key: SearchKey) -> bytes:
    """The route's call and its response body, byte for byte (starlette's ``JSONResponse.render``)."""
    q, limit, offset, date_from, date_to, speaker, genre, source, sort, by, title_only = key
    result = search(corpus, q, limit=limit, offset=offset, date_from=date_from, date_to=date_to, speaker=speaker,
                    genre=genre, source=source, sort=sort, by=by, title_only=title_only)
    return json.dumps(result_dict(result), ensure_ascii=False, allow_nan=False, indent=None,
                      separators=(",", ":")).encode("utf-8")


class ChangeMarker:
    """A number that changes whenever the database file gets a commit from any other connection."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    def current(self) -> int:
        with self._lock:
            if self._conn is None:
                # read-only, as every read of the server (it works on a read-only file)
                self._conn = sqlite3.connect(f"file:{quote(os.path.abspath(self.path))}?mode=ro", uri=True,
                                             check_same_thread=False, timeout=30)
            return int(self._conn.execute("PRAGMA data_version").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


class ResultCache:
    """Least recently used JSON bodies, at most ``max_bytes`` of them, each tagged with a version
    (a ``cachetools.LRUCache`` weighed in bytes)."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.hits = 0
        self.misses = 0
        self._items: LRUCache[SearchKey, tuple[int, bytes]] = LRUCache(
            maxsize=max_bytes, getsizeof=lambda item: self.cost(item[1]))  # key → (version, body)
        self._lock = threading.Lock()

    @property
    def size(self) -> int:
        return int(self._items.currsize)

    def get(self, key: SearchKey, version: int) -> bytes | None:
        with self._lock:
            item = self._items.get(key)
            if item is None or item[0] != version:
                self.misses += 1
                return None
            self.hits += 1
            return item[1]

    @staticmethod
    def cost(body: bytes) -> int:
        return len(body) + 200  # the key, the tuple and the dict entry, roughly

    def put(self, key: SearchKey, version: int, body: bytes) -> None:
        if self.cost(body) > self.max_bytes // 8:  # one huge page must not flush everything else
            return
        with self._lock:
            self._items[key] = (version, body)


class SearchFastPath:
    """ASGI middleware answering plain, valid ``GET /api/search`` requests (see the module doc)."""

    def __init__(self, app: ASGIApp, corpus: Corpus, cache_bytes: int,
                 on_error: Callable[[Scope, Receive, Send, LunshuError], Awaitable[None]]) -> None:
        self.app = app
        self.corpus = corpus
        self.cache = ResultCache(cache_bytes) if cache_bytes > 0 else None
        self.marker = ChangeMarker(corpus.path) if self.cache is not None else None
        self.on_error = on_error
        self._pool: ThreadPoolExecutor | None = None
        self._pool_lock = threading.Lock()

    def pool(self) -> ThreadPoolExecutor:
        with self._pool_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(SEARCH_THREADS, thread_name_prefix="lunshu-search")
            return self._pool

    def answer(self, key: SearchKey) -> bytes:
        """The body for ``key``: from the cache while the database is unchanged, else searched."""
        if self.cache is None or self.marker is None:
            return run_search(self.corpus, key)
        version = self.marker.current()  # read before searching: see the module doc
        body = self.cache.get(key, version)
        if body is None:
            body = run_search(self.corpus, key)
            self.cache.put(key, version, body)
        return body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") != "/api/search" or scope.get("method") != "GET":
            await self.app(scope, receive, send)
            return
        key = search_key(scope.get("query_string", b""))
        if key is None:
            await self.app(scope, receive, send)
            return
        try:
            body = await asyncio.get_running_loop().run_in_executor(self.pool(), self.answer, key)
        except LunshuError as exc:
            await self.on_error(scope, receive, send, exc)
            return
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-length", str(len(body)).encode("latin-1")),
                                (b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": body})
