"""Export every document as `show` gives it: JSONL (lossless, re-ingestible), CSV, Parquet."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from lunshu.errors import LunshuError
from lunshu.store import Store
from lunshu.tabular import EXPORT_COLUMNS, write_csv

FORMATS = ("jsonl", "csv", "parquet")


def export(store: Store, out: Any, fmt: str = "jsonl") -> int:
    if fmt not in FORMATS:
        raise LunshuError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if fmt == "parquet":
        if out is None or out == "-" or not isinstance(out, (str, Path)):
            raise LunshuError("parquet export needs --out FILE")
        return _to_file(Path(out), lambda part: _parquet(store, part))
    if out is None or out == "-":
        return _write(store, sys.stdout, fmt)
    if isinstance(out, (str, Path)):
        def write(part: Path) -> int:
            with open(part, "w", encoding="utf-8", newline="") as fh:
                return _write(store, fh, fmt)
        return _to_file(Path(out), write)
    return _write(store, out, fmt)


def _to_file(target: Path, write: Callable[[Path], int]) -> int:
    """Write into a temporary file beside ``target`` and rename it into place when complete: a full
    disk or an interruption never leaves a partial export under the name asked for."""
    if target.is_dir():
        raise LunshuError(f"{target}: is a folder; give --out a file name")
    if not target.parent.is_dir():
        raise LunshuError(f"{target}: the folder {target.parent} does not exist")
    part = target.with_name(f".{target.name}.part")
    try:
        n = write(part)
        os.replace(part, target)
    except OSError as exc:
        part.unlink(missing_ok=True)
        raise LunshuError(f"{target}: cannot write the export ({exc.strerror or exc}); nothing was written") from None
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    return n


def _write(store: Store, fh: IO[str], fmt: str) -> int:
    n = 0
    if fmt == "jsonl":
        for doc in store.iter_documents():
            fh.write(json.dumps(doc.to_dict(), ensure_ascii=False) + "\n")
            n += 1
        return n
    def rows() -> Iterator[dict[str, Any]]:
        nonlocal n
        for doc in store.iter_documents():
            d = doc.summary()
            d["roles"] = json.dumps(d["roles"], ensure_ascii=False) if d["roles"] else ""
            d["text"] = "\n\n".join(doc.paragraphs)
            d["raw"] = doc.raw
            n += 1
            yield d

    write_csv(fh, rows(), EXPORT_COLUMNS)
    return n


def _parquet(store: Store, path: Path) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows: list[dict[str, Any]] = []
    for doc in store.iter_documents():
        d = doc.to_dict()
        d["roles"] = json.dumps(d["roles"], ensure_ascii=False)
        rows.append(d)
    schema = pa.schema([
        ("id", pa.string()), ("title", pa.string()), ("subtitle", pa.string()), ("date", pa.string()), ("delivered", pa.string()), ("speakers", pa.list_(pa.string())),
        ("roles", pa.string()), ("occasion", pa.string()), ("place", pa.string()), ("genre", pa.string()), ("source", pa.string()), ("url", pa.string()),
        ("keywords", pa.list_(pa.string())), ("publisher_keywords", pa.list_(pa.string())),
        ("reporters", pa.list_(pa.string())), ("editor", pa.string()), ("origin", pa.string()),
        ("paragraphs", pa.list_(pa.struct([("n", pa.int32()), ("text", pa.string())]))),
        ("raw", pa.string()), ("chars", pa.int64()), ("paragraphs_inferred", pa.bool_()),
    ])
    table = pa.Table.from_pylist([{k: r.get(k) for k in schema.names} for r in rows], schema=schema)
    pq.write_table(table, path)
    return len(rows)
