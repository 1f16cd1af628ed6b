"""``lunshu load DIR --db FILE``: the Parquet output of the Spark jobs → a SQLite database for serving.

Documents go through ``Store.put`` (so paragraphs, speakers and the search indexes are written
exactly as ``lunshu ingest`` writes them). The tables are streamed: Spark writes ``documents``
sorted by id and ``paragraphs`` by (doc_id, n), so one pass merges them with memory bounded by a
batch; unsorted input (another tool's) falls back to grouping paragraphs in memory. Reuse links are
loaded too when they were computed over exactly the documents now in the database, and then
``lunshu reuse`` serves them without recomputing. Needs pyarrow only, not Spark.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import typer

from lunshu import settings
from lunshu.errors import InputError, LunshuError
from lunshu.models import Document

_BATCH_DOCS = 400
_BATCH_CHARS = 4_000_000


# -- digest shared with the Spark reuse job -----------------------------------------------------
def digest_part(rows: Iterable[tuple[str, str | None]]) -> tuple[int, int]:
    """XOR of sha1(id:content_hash) and a count: order-free, so Spark can compute it per partition."""
    acc, n = 0, 0
    for doc_id, chash in rows:
        acc ^= int(hashlib.sha1(f"{doc_id}:{chash or ''}".encode()).hexdigest(), 16)
        n += 1
    return acc, n


def format_digest(acc: int) -> str:
    return f"{acc:040x}"


# -- reading Parquet tables ---------------------------------------------------------------------
def _files(folder: Path, name: str) -> list[Path]:
    d = folder / name
    if d.is_dir():
        return sorted(p for p in d.iterdir() if p.suffix == ".parquet" and not p.name.startswith((".", "_")))
    f = folder / f"{name}.parquet"
    return [f] if f.is_file() else []


def _rows(files: list[Path], columns: list[str] | None = None, batch: int = 512) -> Iterator[dict[str, Any]]:
    import pyarrow.parquet as pq

    for f in files:
        try:
            pf = pq.ParquetFile(f)
        except Exception as exc:  # noqa: BLE001 - pyarrow raises many kinds for a bad file
            raise InputError(f"not a readable Parquet file: {exc}", path=str(f)) from None
        for b in pf.iter_batches(batch_size=batch, columns=columns):
            yield from b.to_pylist()


def _sorted(keys: Iterator[Any]) -> bool:
    prev: Any = None
    for k in keys:
        if prev is not None and k < prev:
            return False
        prev = k
    return True


def _list(v: Any) -> list[str]:
    if v is None:
        return []
    if isinstance(v, str):  # a JSON array as the store keeps it
        try:
            parsed = json.loads(v)
        except json.JSONDecodeError:
            return [v] if v else []
        return [str(x) for x in parsed] if isinstance(parsed, list) else [str(parsed)]
    return [str(x) for x in v]


def _document(row: dict[str, Any], paragraphs: list[str]) -> Document:
    doc = Document(
        id=str(row["id"]), title=row.get("title"), date=row.get("date"), speakers=_list(row.get("speakers")),
        occasion=row.get("occasion"), genre=row.get("genre") or "other", source=row.get("source"),
        url=row.get("url"), keywords=_list(row.get("keywords")),
        publisher_keywords=_list(row.get("publisher_keywords")), paragraphs=paragraphs,
        raw=row.get("raw") or "", reporters=_list(row.get("reporters")), origin=row.get("origin") or "",
        content_hash=row.get("content_hash") or "",
    )
    if hasattr(doc, "delivered"):
        doc.delivered = row.get("delivered")
    doc.editor = row.get("editor")
    doc.place = row.get("place")
    doc.subtitle = row.get("subtitle")
    roles = row.get("roles")
    doc.roles = json.loads(roles) if isinstance(roles, str) and roles else {}
    doc.paragraphs_inferred = bool(row.get("paragraphs_inferred"))
    return doc


def iter_documents(folder: str | Path) -> Iterator[Document]:
    """Documents of a Spark output folder, with their paragraphs, in id order."""
    folder = Path(folder)
    doc_files, par_files = _files(folder, "documents"), _files(folder, "paragraphs")
    if not doc_files:
        raise InputError("no documents table (documents/*.parquet); run `lunshu spark ingest … --out DIR` first",
                         path=str(folder))
    streaming = _sorted(r["id"] for r in _rows(doc_files, ["id"])) and \
        _sorted((r["doc_id"], r["n"]) for r in _rows(par_files, ["doc_id", "n"]))
    if streaming:
        pars = _rows(par_files, ["doc_id", "n", "text"])
        pending: dict[str, Any] | None = next(pars, None)
        for row in _rows(doc_files):
            doc_id = row["id"]
            texts: list[tuple[int, str]] = []
            while pending is not None and pending["doc_id"] <= doc_id:
                if pending["doc_id"] == doc_id:
                    texts.append((int(pending["n"]), pending["text"]))
                pending = next(pars, None)
            yield _checked(row, texts, folder)
    else:
        grouped: dict[str, list[tuple[int, str]]] = {}
        for p in _rows(par_files, ["doc_id", "n", "text"]):
            grouped.setdefault(p["doc_id"], []).append((int(p["n"]), p["text"]))
        for row in _rows(doc_files):
            yield _checked(row, sorted(grouped.pop(row["id"], [])), folder)


def _checked(row: dict[str, Any], texts: list[tuple[int, str]], folder: Path) -> Document:
    ns = [n for n, _ in texts]
    if ns != list(range(1, len(ns) + 1)):
        raise InputError(f"document {row['id']}: paragraphs are not numbered 1..{len(ns)}", path=str(folder))
    if row.get("n_paragraphs") is not None and int(row["n_paragraphs"]) != len(ns):
        raise InputError(f"document {row['id']}: {row['n_paragraphs']} paragraphs announced, {len(ns)} found",
                         path=str(folder))
    return _document(row, [t for _, t in texts])


# -- loading ------------------------------------------------------------------------------------
def _shard_paths(db: str, n: int) -> list[str]:
    p = Path(db)
    return [str(p.with_name(f"{p.stem}-{k:02d}{p.suffix or '.db'}")) for k in range(n)]


def _year_bounds(folder: Path, n: int) -> list[int]:
    """Upper year bound of each of ``n`` contiguous year ranges with about equal document counts."""
    years = sorted(int(r["date"][:4]) if r["date"] and r["date"][:4].isdigit() else 0
                   for r in _rows(_files(folder, "documents"), ["date"]))
    if not years:
        return [9999] * n
    bounds = [years[min(len(years) - 1, (k + 1) * len(years) // n - 1)] for k in range(n)]
    bounds[-1] = 9999
    return bounds


def load(folder: str | Path, db: str, *, shards: int | None = None, shard_by: str = "hash") -> dict[str, Any]:
    """Write every document of ``folder`` into ``db`` (or into ``shards`` databases beside it)."""
    from lunshu import index
    from lunshu.store import Store

    folder = Path(folder)
    if not folder.is_dir():
        raise InputError("no such folder", path=str(folder))
    if shard_by not in ("hash", "year"):
        raise LunshuError(f"--shard-by must be hash or year, not {shard_by!r}")
    n = shards or 1
    paths = [db] if n == 1 else _shard_paths(db, n)
    bounds = _year_bounds(folder, n) if n > 1 and shard_by == "year" else []
    stores = [Store(p) for p in paths]
    counts = [{"added": 0, "updated": 0, "unchanged": 0, "duplicate": 0} for _ in stores]
    pending: list[list[Document]] = [[] for _ in stores]
    chars = [0 for _ in stores]

    written = [0 for _ in stores]

    def flush(k: int) -> None:
        with stores[k].transaction() as conn:
            for d in pending[k]:
                status = stores[k].put(conn, d)
                counts[k][status] += 1
                written[k] += len(d.paragraphs) if status != "unchanged" else 0
        pending[k], chars[k] = [], 0

    def shard_of(doc: Document) -> int:
        if n == 1:
            return 0
        if shard_by == "hash":
            return int(hashlib.sha1(doc.id.encode()).hexdigest()[:8], 16) % n
        y = int(doc.date[:4]) if doc.date and doc.date[:4].isdigit() else 0
        return next(k for k, b in enumerate(bounds) if y <= b)

    try:
        for doc in iter_documents(folder):
            k = shard_of(doc)
            pending[k].append(doc)
            chars[k] += doc.chars
            if len(pending[k]) >= _BATCH_DOCS or chars[k] >= _BATCH_CHARS:
                flush(k)
        for k in range(len(stores)):
            if pending[k]:
                flush(k)
            if written[k]:  # as `lunshu ingest` does: merge the segments the transactions left
                with stores[k].transaction() as conn:
                    index.settle(conn, written[k])
        reuse_note = _load_reuse(folder, stores[0]) if n == 1 else \
            "not loaded into shards (links cross shards); run `lunshu reuse` on each shard"
    finally:
        for s in stores:
            s.close()
    result: dict[str, Any] = {k: sum(c[k] for c in counts) for k in ("added", "updated", "unchanged")}
    result["duplicates"] = sum(c["duplicate"] for c in counts)  # same text stored already (lunshu.identity)
    result["db"] = paths[0] if n == 1 else paths
    result["reuse"] = reuse_note
    if n > 1:
        result["shards"] = [{"db": p, **c} for p, c in zip(paths, counts)]
        if bounds:
            lows = [0] + [b + 1 for b in bounds[:-1]]
            for s, lo, hi in zip(result["shards"], lows, bounds):
                s["years"] = [lo, hi]
    return result


def _load_reuse(folder: Path, store: Any) -> str:
    """Reuse tables from the Spark job, when they belong to exactly the documents now in ``store``."""
    from lunshu import reuse

    links_f, docs_f, meta_f = _files(folder, "reuse_links"), _files(folder, "reuse_docs"), _files(folder, "reuse_meta")
    if not (links_f and meta_f):
        return "none in the folder (run `lunshu spark reuse DIR` to compute it there)"
    meta = next(_rows(meta_f), None)
    if meta is None:
        return "reuse_meta is empty; not loaded"
    if int(meta["num_perm"]) != reuse.NUM_PERM or float(meta["threshold"]) != float(reuse.LSH_THRESHOLD):
        return "computed with other parameters than this lunshu's; not loaded (run `lunshu reuse`)"
    acc, count = digest_part((str(r[0]), r[1]) for r in store.execute("SELECT id, content_hash FROM documents"))
    if format_digest(acc) != meta["documents_digest"] or count != int(meta["documents"]):
        return "computed over other documents than the database holds; not loaded (run `lunshu reuse`)"
    link_rows = [(r["a_doc"], r["a_par"], r["b_doc"], r["b_par"], r["score"], r["cluster"]) for r in _rows(links_f)]
    doc_rows = [(r["a_doc"], r["b_doc"], r["score"], r["relation"], r["shared_chars"]) for r in _rows(docs_f)]
    fingerprint = reuse.fingerprint(store)
    with store.transaction() as c:
        c.execute("DELETE FROM reuse_links")
        c.execute("DELETE FROM reuse_docs")
        c.executemany("INSERT INTO reuse_links VALUES (?,?,?,?,?,?)", link_rows)
        c.executemany("INSERT INTO reuse_docs VALUES (?,?,?,?,?)", doc_rows)
        c.execute("INSERT OR REPLACE INTO lunshu_meta (key, value) VALUES ('reuse_fingerprint', ?)", (fingerprint,))
    return f"loaded {len(link_rows)} paragraph links and {len(doc_rows)} document links"


def load_command(
    ctx: typer.Context,
    folder: str = typer.Argument(..., metavar="DIR", help="Output folder of `lunshu spark ingest` (and reuse)."),
    db: str = typer.Option(None, "--db", help="Database file (default: the global --db, $LUNSHU_DB, ./lunshu.db)."),
    shards: int = typer.Option(None, "--shards", min=1, help="Split into N databases DB-00 … DB-(N-1)."),
    shard_by: str = typer.Option("hash", "--shard-by", help="hash (of the id) or year (contiguous ranges)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document on stdout and nothing else there."),
) -> None:
    """Build the SQLite database for serving from the Parquet output of the Spark jobs."""
    from lunshu.cli_common import command

    @command
    def run(as_json: bool) -> None:
        # the global `lunshu --db FILE load DIR` sits on the parent command's context
        parent = ctx.parent.params.get("db") if ctx.parent is not None else None
        target = db or parent or settings.db()
        result = load(folder, target, shards=shards, shard_by=shard_by)
        if as_json:
            sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
        else:
            typer.echo(f"added {result['added']}, updated {result['updated']}, unchanged {result['unchanged']} "
                       f"→ {result['db']}; reuse: {result['reuse']}")

    run(as_json=as_json)
