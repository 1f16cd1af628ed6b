"""What every CLI command shares (the Spark sub-commands included): the error contract and options.

Errors: one line on stderr (``lunshu: error: …``), the JSON error shape on stdout with ``--json``,
exit 1 (2 for a usage error: a query, filter or argument that cannot be used); never a traceback (``LUNSHU_DEBUG=1`` shows one).
"""

from __future__ import annotations

import functools
import json
import sqlite3
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import typer

from lunshu import settings
from lunshu.errors import LunshuError

F = TypeVar("F", bound=Callable[..., Any])


class LazyConsole:
    """A rich ``Console`` made on first use: a `--json` call never imports rich (a tenth of the
    CLI's start-up)."""

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._console: Any = None

    def get(self) -> Any:
        """The rich ``Console`` itself (for rich objects that take one)."""
        if self._console is None:
            from rich.console import Console

            self._console = Console(**self._options)
        return self._console

    def __getattr__(self, name: str) -> Any:
        return getattr(self.get(), name)


err_console = LazyConsole(stderr=True, highlight=False, soft_wrap=True)


def print_json(obj: Any) -> None:
    from lunshu.corpus import to_jsonable

    sys.stdout.write(json.dumps(to_jsonable(obj), ensure_ascii=False) + "\n")
    sys.stdout.flush()


def _fail(exc: BaseException, as_json: bool) -> None:
    if isinstance(exc, LunshuError):
        code, message = exc.code, str(exc)
    elif isinstance(exc, sqlite3.DatabaseError):
        # a damaged file (or one SQLite cannot use): say so, and what to do, in one line
        code, message = "store_error", (f"the database cannot be read: {exc}; run `lunshu check` for a report")
    elif isinstance(exc, OSError) and exc.strerror:
        # a file that cannot be read or written (missing folder, a folder given as a file, full disk)
        where = f"{exc.filename}: " if exc.filename else ""
        code, message = "io_error", f"{where}{exc.strerror}"
    else:
        code, message = "internal", f"internal error: {type(exc).__name__}: {exc}"
    # one line, whatever the message holds
    message = " ".join(message.split())
    err_console.print(f"lunshu: error: {message}", markup=False)
    if as_json:
        print_json({"error": {"code": code, "message": message}})
    if settings.debug():
        raise exc
    raise typer.Exit(getattr(exc, "exit_code", 1))  # a bad query or filter is a usage error: 2


def command(fn: F) -> F:
    """Turn domain errors (and bugs) into one clear line and exit 1, never a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        as_json = bool(kwargs.get("as_json"))
        try:
            return fn(*args, **kwargs)
        except (typer.Exit, typer.Abort, SystemExit, typer.BadParameter):
            raise  # a bad option value is a usage error: exit 2 with the usage line
        except KeyboardInterrupt:
            err_console.print("lunshu: interrupted", markup=False)
            raise typer.Exit(130) from None
        except BrokenPipeError:
            raise typer.Exit(0) from None
        except Exception as exc:  # noqa: BLE001 - the CLI is the last line of defence
            _fail(exc, as_json)

    return wrapper  # type: ignore[return-value]




JSON_OPT = typer.Option(False, "--json", help="Print one JSON document on stdout and nothing else there.")


def parse_fields(fields: list[str]) -> dict[str, str]:
    """``--field key=COLUMN`` options as a mapping."""
    out: dict[str, str] = {}
    for f in fields:
        if "=" not in f:
            raise typer.BadParameter(f"--field takes key=COLUMN, got {f!r}")
        k, v = f.split("=", 1)
        out[k.strip()] = v.strip()
    return out
