"""Bounded work per request: a few slots for the expensive endpoints, a time budget for each, and
the work stopped when its client leaves or the server shuts down.

Why: an expensive request (compile, trace, quotes, collocates, reuse) runs in a worker thread; forty
of them abandoned by their clients used to keep every thread busy, so the server stopped answering
even cheap requests, and SIGTERM waited for them all. Now at most ``slots`` run at once (past that,
503 ``busy`` at once, with ``Retry-After``), each under a :class:`lunshu.budget.Budget` that the
work checks between units; the budget is cancelled when the client disconnects or the server stops.
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
from typing import Any

from lunshu.budget import CURRENT, Budget

# endpoints whose work grows with the corpus rather than with one index lookup
EXPENSIVE = ("/api/compile", "/compile", "/api/trace", "/trace", "/api/quotes", "/quotes", "/api/collocates",
             "/collocates", "/api/reuse", "/api/keywords", "/api/formulations", "/formulations", "/api/keyness",
             "/keyness", "/api/changes", "/changes")
REQUEST_SECONDS = 120.0  # the time budget of one expensive request
RETRY_AFTER = 5

_ACTIVE: set[Budget] = set()
_ACTIVE_LOCK = threading.Lock()


def default_slots() -> int:
    return max(2, os.cpu_count() or 2)


def cancel_all(reason: str) -> int:
    """Cancel every expensive request in progress (at shutdown); returns how many."""
    with _ACTIVE_LOCK:
        active = list(_ACTIVE)
    for b in active:
        b.cancel(reason)
    return len(active)


def _expensive(path: str) -> bool:
    return any(path == p or path.startswith((p + "/", p + ".")) for p in EXPENSIVE)


class ExpensiveLimit:
    """ASGI middleware: slots, budget and cancellation for the EXPENSIVE endpoints."""

    def __init__(self, app: Any, slots: int | None = None, seconds: float = REQUEST_SECONDS) -> None:
        self.app = app
        self.slots = slots or default_slots()
        self.seconds = seconds
        self._busy = 0
        self._lock = threading.Lock()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not _expensive(scope.get("path", "")):
            await self.app(scope, receive, send)
            return
        with self._lock:
            full = self._busy >= self.slots
            if not full:
                self._busy += 1
        if full:
            await _busy(send)
            return
        try:
            await self._run(scope, receive, send)
        finally:
            with self._lock:
                self._busy -= 1

    async def _run(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        # the request body first (small: BodyLimit bounds it), then the connection is watched
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        budget = Budget(self.seconds)
        gone = asyncio.Event()

        async def watch() -> None:
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    budget.cancel("the client closed the connection")
                    gone.set()
                    return

        delivered = False

        async def app_receive() -> dict[str, Any]:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            await gone.wait()
            return {"type": "http.disconnect"}

        watcher = asyncio.create_task(watch())
        token = CURRENT.set(budget)  # copied into the worker thread that runs the endpoint
        with _ACTIVE_LOCK:
            _ACTIVE.add(budget)
        try:
            await self.app(scope, app_receive, send)
        except asyncio.CancelledError:
            # the server is stopping and its grace is over: stop the work too, and end quietly
            budget.cancel("the server is shutting down")
        finally:
            CURRENT.reset(token)
            with _ACTIVE_LOCK:
                _ACTIVE.discard(budget)
            watcher.cancel()


async def _busy(send: Any) -> None:
    body = json.dumps({"error": {"code": "busy", "message": (
        "the server is busy with other long requests (compile, trace, quotes, collocates, reuse); "
        f"try again in {RETRY_AFTER} seconds")}}).encode()
    await send({"type": "http.response.start", "status": 503, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        (b"retry-after", str(RETRY_AFTER).encode())]})
    await send({"type": "http.response.body", "body": body})
