"""Settings from the environment: the one module that reads ``LUNSHU_*`` variables.

Each variable is declared once in ``SETTINGS`` (name, type, default, help); ``lunshu --help`` and
``docs/cli.md`` list that table (a test checks the page is current), and every other module asks
the accessor functions below. Values are read when asked, not at import, so a changed environment
(a test, a worker process started with its own) is seen.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Setting:
    name: str
    type: str       # what a value must be: path, paths, number, flag, text
    default: str    # as shown to people
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("LUNSHU_DB", "path", "./lunshu.db", "The database file when no --db is given."),
    Setting("LUNSHU_TOKEN", "text", "(none)", "`serve`: the write token enabling POST /api/ingest, as --token."),
    Setting("LUNSHU_CACHE_MB", "number", "32",
            "`serve`: memory for cached search answers, in MB (0: no cache), as --cache-mb."),
    Setting("LUNSHU_SEARCH_THREADS", "number", "4",
            "`serve`: threads per process running searches (1-64)."),
    Setting("LUNSHU_MAX_RECORD_MB", "number", "16",
            "`ingest`: the largest document (a file, a JSONL line, a text field), in MB."),
    Setting("LUNSHU_MAX_FILE_MB", "number", "256",
            "`ingest`: the largest JSON or CSV file, which is parsed whole, in MB (JSONL streams)."),
    Setting("LUNSHU_LEXICON", "paths", "(none)",
            "Extra formulation lexicons, one term a line, separated by ':' (';' on Windows); "
            "a lexicon.txt beside the database also applies."),
    Setting("LUNSHU_SPARK_MASTER", "text", "local[*]", "`spark` commands: the Spark master, as --master."),
    Setting("LUNSHU_DEBUG", "flag", "(off)", "Any value: show the Python traceback behind an error."),
    Setting("LUNSHU_SERVE_DB", "path", "(set by serve)",
            "Internal: how `serve --workers N` hands the database to its worker processes."),
    Setting("LUNSHU_SERVE_TOKEN", "text", "(set by serve)",
            "Internal: how `serve --workers N` hands the write token to its worker processes."),
)

_BY_NAME = {s.name: s for s in SETTINGS}
TOKEN = "LUNSHU_TOKEN"  # typer reads it for `serve --token` (declared above)

_MB = 1024 * 1024
DEFAULT_DB = "lunshu.db"
DEFAULT_CACHE_MB = 32.0
DEFAULT_SEARCH_THREADS = 4
DEFAULT_MAX_RECORD_MB = 16
DEFAULT_MAX_FILE_MB = 256
DEFAULT_SPARK_MASTER = "local[*]"


def raw(name: str) -> str | None:
    """The variable's value as set (None when unset); ``name`` must be declared in SETTINGS."""
    if name not in _BY_NAME:
        raise KeyError(f"undeclared setting {name}")
    return os.environ.get(name)


def _text(name: str) -> str | None:
    value = raw(name)
    return value if value else None


def db(default: str = DEFAULT_DB) -> str:
    return _text("LUNSHU_DB") or default


def token() -> str | None:
    return _text("LUNSHU_TOKEN")


def debug() -> bool:
    return bool(raw("LUNSHU_DEBUG"))


def cache_bytes() -> int:
    """``$LUNSHU_CACHE_MB`` in bytes (0 turns the cache off); a value that is no number: the default."""
    value = (raw("LUNSHU_CACHE_MB") or "").strip()
    try:
        return max(0, int(float(value or DEFAULT_CACHE_MB) * _MB))
    except (ValueError, OverflowError):  # not a number, nan, inf
        return int(DEFAULT_CACHE_MB * _MB)


def search_threads() -> int:
    value = (raw("LUNSHU_SEARCH_THREADS") or "").strip()
    return max(1, min(64, int(value))) if value.isdigit() else DEFAULT_SEARCH_THREADS


def _mb(name: str, default: int) -> int:
    value = raw(name)
    if value:
        try:
            mb = float(value)
            if mb > 0:
                return int(mb * _MB)
        except (ValueError, OverflowError):
            pass
    return default * _MB


def max_record_bytes() -> int:
    return _mb("LUNSHU_MAX_RECORD_MB", DEFAULT_MAX_RECORD_MB)


def max_file_bytes() -> int:
    return _mb("LUNSHU_MAX_FILE_MB", DEFAULT_MAX_FILE_MB)


def lexicon_paths() -> list[str]:
    return [p for p in (raw("LUNSHU_LEXICON") or "").split(os.pathsep) if p.strip()]


def spark_master() -> str:
    return _text("LUNSHU_SPARK_MASTER") or DEFAULT_SPARK_MASTER


def serve_db() -> str | None:
    return _text("LUNSHU_SERVE_DB")


def serve_token() -> str | None:
    return _text("LUNSHU_SERVE_TOKEN")


def hand_to_workers(*, db: str | None = None, token: str | None = None, cache_mb: float | None = None) -> None:
    """Set what ``serve`` hands to the processes it starts (the workers read it with the functions
    above); ``db`` set means workers are started, and the token is then set or cleared."""
    if cache_mb is not None:
        os.environ["LUNSHU_CACHE_MB"] = str(cache_mb)
    if db is not None:
        os.environ["LUNSHU_SERVE_DB"] = db
        os.environ.pop("LUNSHU_SERVE_TOKEN", None)
        if token:
            os.environ["LUNSHU_SERVE_TOKEN"] = token


def table_markdown() -> str:
    """The settings as a Markdown table (docs/cli.md carries it; a test checks it is current)."""
    lines = ["| variable | type | default | what it sets |", "|---|---|---|---|"]
    lines += [f"| `{s.name}` | {s.type} | {s.default} | {s.help} |" for s in SETTINGS]
    return "\n".join(lines)


def help_text() -> str:
    """The settings as plain lines, for ``lunshu --help``."""
    width = max(len(s.name) for s in SETTINGS)
    return "\n".join(f"{s.name.ljust(width)}  {s.help.replace('`', '')}" for s in SETTINGS)
