"""Which files an ingest argument names: files, folders (recursive), globs, and ``-`` for stdin.

A walk never hangs and never runs away: every folder is entered once (a symbolic link back to a
folder already seen, a loop, is skipped: its files are read through the first path), only
regular files are read from folders (a FIFO would block the reader forever, a device never ends),
and ``**`` globs go through the same walk instead of following links without end. A named pipe
is refused even when named explicitly (a stream is read from ``-``): a server ingesting paths
must never block on one. The readers check again after opening, so a file swapped for a pipe
between the walk and the read is refused too.
"""

from __future__ import annotations

import glob
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from lunshu.ingest.decode import display_path
from lunshu.ingest.readers import NOT_REGULAR
from lunshu.models import IngestFailure

KNOWN_SUFFIXES = {".txt", ".text", ".md", ".markdown", ".html", ".htm", ".shtml", ".xhtml", ".json", ".jsonl",
                  ".ndjson", ".csv", ".tsv", ".parquet", ".pdf", ".docx"}
# what a walk says about a file it does not read
_NOT_READ = {".doc": "an old Word .doc file: save it as .docx", ".wps": "a WPS file: save it as .docx",
             ".rtf": "an RTF file: save it as .docx or .txt", ".xls": "a spreadsheet: save it as .csv",
             ".xlsx": "a spreadsheet: save it as .csv", ".pptx": "a presentation: not a format lunshu reads",
             ".caj": "a CAJ file: export it as PDF", ".zip": "an archive: unpack it first",
             ".gz": "a compressed file: unpack it first", ".rar": "an archive: unpack it first"}


@dataclass
class Skipped:
    """A file a folder walk passes over, and why; reported, not a failure."""

    path: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {"path": self.path, "reason": self.reason}


def skipped(path: str, reason: str) -> Skipped:
    return Skipped(display_path(path), reason)
_MAGIC = re.compile(r"[*?[]")


def _fail(path: str, message: str) -> IngestFailure:
    return IngestFailure(display_path(path), None, message)


def expand_paths(args: list[str]) -> Iterator[str | IngestFailure | Skipped]:
    """Yield file paths in a stable order (or failures naming the argument)."""
    for arg in args:
        if arg == "-":
            yield "-"
            continue
        if _MAGIC.search(arg) and not os.path.lexists(arg):
            matches = _glob(arg)
            if not matches:
                yield _fail(arg, "no file matches this pattern")
            for m in matches:
                if os.path.isdir(m):
                    yield from _walk(Path(m))
                elif os.path.isfile(m):
                    yield m
                elif not os.path.exists(m):
                    yield _fail(m, "broken symbolic link (its target does not exist)")
                else:
                    yield _fail(m, NOT_REGULAR)
            continue
        try:
            st = os.stat(arg)
        except FileNotFoundError:
            if os.path.lexists(arg):
                yield _fail(arg, "broken symbolic link (its target does not exist)")
            else:
                yield _fail(arg, "no such file or directory")
            continue
        except OSError as exc:
            yield _fail(arg, f"cannot read: {exc.strerror or exc}")
            continue
        if stat.S_ISDIR(st.st_mode):
            yield from _walk(Path(arg))
        elif stat.S_ISREG(st.st_mode):
            yield arg
        else:
            yield _fail(arg, NOT_REGULAR)


def _walk(root: Path) -> Iterator[str | IngestFailure | Skipped]:
    """Files of known formats under ``root``, depth first, in name order; hidden entries skipped."""
    seen: set[tuple[int, int]] = set()
    stack = [root]
    while stack:
        d = stack.pop()
        try:
            st = d.stat()
        except OSError as exc:
            yield _fail(str(d), f"cannot read folder: {exc.strerror or exc}")
            continue
        ident = (st.st_dev, st.st_ino)
        if ident in seen:
            continue  # a symbolic link back to a folder already walked: its files are read once
        seen.add(ident)
        try:
            with os.scandir(d) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            yield _fail(str(d), f"cannot list folder: {exc.strerror or exc}")
            continue
        subdirs = []
        for e in entries:
            if e.name.startswith("."):
                continue
            try:
                if e.is_dir():
                    subdirs.append(Path(e.path))
                    continue
                suffix = Path(e.name).suffix.lower()
                if suffix not in KNOWN_SUFFIXES:
                    if e.is_file(follow_symlinks=False):
                        yield skipped(e.path, _NOT_READ.get(suffix) or (
                            f"not a format lunshu reads ({suffix or 'no extension'})"))
                    continue
                if e.is_file():
                    yield e.path
                elif e.is_symlink() and not os.path.exists(e.path):
                    yield _fail(e.path, "broken symbolic link (its target does not exist)")
                else:
                    yield _fail(e.path, NOT_REGULAR)
            except OSError as exc:
                yield _fail(e.path, f"cannot read: {exc.strerror or exc}")
        stack.extend(reversed(subdirs))


def _glob(pattern: str) -> list[str]:
    """Paths matching ``pattern``; ``**`` is matched over a loop-safe walk."""
    if "**" not in pattern:
        return sorted(glob.glob(pattern))
    parts = pattern.split(os.sep)
    fixed: list[str] = []
    for part in parts:
        if _MAGIC.search(part):
            break
        fixed.append(part)
    root = os.sep if fixed == [""] else (os.sep.join(fixed) or ".")
    if not os.path.isdir(root):
        return []
    rx = _translate(os.sep.join(parts[len(fixed):]))
    out = []
    for item in _walk(Path(root)):
        if isinstance(item, str) and rx.fullmatch(os.path.relpath(item, root)):
            out.append(item[2:] if root == "." and item.startswith("./") else item)
    return sorted(out)


def _translate(pattern: str) -> re.Pattern[str]:
    """A glob pattern as a regex: ``**/`` spans folders, ``*`` and ``?`` stay inside one name."""
    sep = re.escape(os.sep)
    out, i, n = [], 0, len(pattern)
    while i < n:
        c = pattern[i]
        if pattern.startswith("**" + os.sep, i):
            out.append(f"(?:.*{sep})?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif c == "*":
            out.append(f"[^{sep}]*")
            i += 1
        elif c == "?":
            out.append(f"[^{sep}]")
            i += 1
        elif c == "[":
            j = pattern.find("]", i + 2)
            if j < 0:
                out.append(re.escape(c))
                i += 1
            else:
                body = pattern[i + 1:j]
                neg = body.startswith("!")
                body = body[1:] if neg else body
                out.append("[" + ("^" if neg else "") + body.replace("\\", "\\\\") + "]")
                i = j + 1
        else:
            out.append(re.escape(c))
            i += 1
    return re.compile("".join(out), re.DOTALL)
