"""Which files an ingest argument names: files, folders (recursive), globs, and ``-`` for stdin."""

from __future__ import annotations

import glob
import os
from collections.abc import Iterator
from pathlib import Path

from lunshu.models import IngestFailure

KNOWN_SUFFIXES = {".txt", ".text", ".md", ".markdown", ".html", ".htm", ".json", ".jsonl", ".ndjson", ".csv", ".tsv", ".parquet"}


def expand_paths(args: list[str]) -> Iterator[str | IngestFailure]:
    """Yield file paths in a stable order; a folder is walked recursively (symlink loops are cut)."""
    for arg in args:
        if arg == "-":
            yield "-"
            continue
        p = Path(arg)
        if not p.exists() and any(c in arg for c in "*?["):
            matches = sorted(glob.glob(arg, recursive=True))
            if not matches:
                yield IngestFailure(arg, None, "no file matches this pattern")
            for m in matches:
                if os.path.isdir(m):
                    yield from _walk(Path(m))
                else:
                    yield m
            continue
        if not p.exists():
            yield IngestFailure(arg, None, "no such file or directory")
        elif p.is_dir():
            yield from _walk(p)
        else:
            yield str(p)


def _walk(root: Path) -> Iterator[str | IngestFailure]:
    seen: set[tuple[int, int]] = set()
    stack = [root]
    while stack:
        d = stack.pop()
        try:
            st = d.stat()
        except OSError as exc:
            yield IngestFailure(str(d), None, f"cannot read folder: {exc.strerror or exc}")
            continue
        ident = (st.st_dev, st.st_ino)
        if ident in seen:
            yield IngestFailure(str(d), None, "symbolic link loop; folder skipped")
            continue
        seen.add(ident)
        try:
            entries = sorted(os.scandir(d), key=lambda e: e.name)
        except OSError as exc:
            yield IngestFailure(str(d), None, f"cannot list folder: {exc.strerror or exc}")
            continue
        subdirs = []
        for e in entries:
            if e.name.startswith("."):
                continue
            try:
                if e.is_dir():
                    subdirs.append(Path(e.path))
                elif Path(e.name).suffix.lower() in KNOWN_SUFFIXES:
                    yield e.path
            except OSError as exc:
                yield IngestFailure(e.path, None, f"cannot read: {exc.strerror or exc}")
        stack.extend(reversed(subdirs))
