"""Export every document as `show` gives it: JSONL (lossless, re-ingestible), CSV, Parquet."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
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
        return _parquet(store, Path(out))
    if out is None or out == "-":
        return _write(store, sys.stdout, fmt)
    if isinstance(out, (str, Path)):
        with open(out, "w", encoding="utf-8", newline="") as fh:
            return _write(store, fh, fmt)
    return _write(store, out, fmt)


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
        ("id", pa.string()), ("title", pa.string()), ("date", pa.string()), ("delivered", pa.string()), ("speakers", pa.list_(pa.string())),
        ("roles", pa.string()), ("occasion", pa.string()), ("place", pa.string()), ("genre", pa.string()), ("source", pa.string()), ("url", pa.string()),
        ("keywords", pa.list_(pa.string())), ("publisher_keywords", pa.list_(pa.string())),
        ("reporters", pa.list_(pa.string())), ("editor", pa.string()), ("origin", pa.string()),
        ("paragraphs", pa.list_(pa.struct([("n", pa.int32()), ("text", pa.string())]))),
        ("raw", pa.string()), ("chars", pa.int64()), ("paragraphs_inferred", pa.bool_()),
    ])
    table = pa.Table.from_pylist([{k: r.get(k) for k in schema.names} for r in rows], schema=schema)
    pq.write_table(table, path)
    return len(rows)
