"""A budget for one request's work: a deadline, and cancellation when the client has gone.

Long operations (compile, trace of many quotations, reuse) call :func:`check` between units of
work; outside a request (the CLI, the library) there is no budget and it costs one context-variable
lookup. The web server sets one per expensive request (``lunshu.web.limits``): the work then stops
at the next check once the client has left or the time is up, instead of running on for minutes.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from lunshu.errors import LunshuError


class Interrupted(LunshuError):
    """The work was stopped: its time budget ran out, or the client that asked for it left."""

    code = "timeout"
    http_status = 503


class Budget:
    def __init__(self, seconds: float | None) -> None:
        self.deadline = None if seconds is None else time.monotonic() + seconds
        self.seconds = seconds
        self.reason: str | None = None

    def cancel(self, reason: str) -> None:
        self.reason = reason

    def check(self) -> None:
        if self.reason is not None:
            raise Interrupted(f"stopped: {self.reason}")
        if self.deadline is not None and time.monotonic() > self.deadline:
            self.reason = f"over the time budget of {self.seconds:g} s for one request"
            raise Interrupted(f"stopped: {self.reason}; narrow the request (a longer topic, --from/--to, "
                              "--speaker) or use the CLI, which has no budget")


CURRENT: ContextVar[Budget | None] = ContextVar("lunshu_budget", default=None)


def check() -> None:
    """Raise :class:`Interrupted` when the current request's budget is spent (no-op outside one)."""
    b = CURRENT.get()
    if b is not None:
        b.check()


@contextmanager
def budget(seconds: float | None) -> Iterator[Budget]:
    b = Budget(seconds)
    token = CURRENT.set(b)
    try:
        yield b
    finally:
        CURRENT.reset(token)
