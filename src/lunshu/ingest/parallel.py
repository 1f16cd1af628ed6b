"""Building documents in worker processes while the main process writes them.

Why: on a large ingest the single SQLite writer (rows and, above all, the search index) is the
slowest stage, and everything before it — decoding, cleaning, metadata — is pure Python that
holds the interpreter lock. Worker processes take that second part, so the writer waits for it
as little as possible; the order of the records is kept, and the main process alone touches
the database, so transactions and crash safety are those of the in-process path.

Workers are used only when they pay for themselves (several cores, a few megabytes of input);
small ingests and the tests of the pipeline stay in one process.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from queue import Full, Queue

from lunshu.errors import InputError, LunshuError
from lunshu.ingest.pipeline import build_document
from lunshu.models import Document, IngestFailure, RawRecord

# What a reader loop yields: a record, a failure, or END_OF_FILE after each file (progress).
END_OF_FILE = "\0end-of-file"
Item = RawRecord | IngestFailure | str
# What comes out: a document, a failure, or END_OF_FILE, in the order of the input. (The index
# tokens are made by the writer: vectorised, they cost less than sending them between processes.)
Built = Document | IngestFailure | str

AUTO_MIN_BYTES = 1 << 20  # below this much input, starting workers costs more than it saves
_CHUNK_CHARS = 200_000  # records per task: enough text that a task is worth sending
_CHUNK_ITEMS = 200
# tasks handed out ahead of the writer: enough for it to find a whole transaction's worth ready
# (corpus._BATCH_CHARS) when it has written the last, few enough to bound memory on any stream
_WINDOW_TASKS = 24

def build_record(raw: RawRecord) -> Document:
    """``build_document`` with every failure turned into an InputError naming the record."""
    try:
        return build_document(raw)
    except LunshuError:
        raise
    except RecursionError:
        raise InputError("too deeply nested to process", path=raw.path, record=raw.record_no) from None
    except Exception as exc:  # a bug in a pipeline stage must not lose the other documents
        raise InputError(f"internal error while processing ({type(exc).__name__}: {exc}); please report it",
                         path=raw.path, record=raw.record_no) from exc


def _built(item: Item) -> Built:
    if not isinstance(item, RawRecord):
        return item
    try:
        return build_record(item)
    except LunshuError as exc:
        return IngestFailure(item.path, item.record_no, exc.message)


def _init_worker(parent: int) -> None:
    # Ctrl-C reaches the whole process group: the writer alone handles it (and shuts the pool
    # down); a worker waiting for its next task would otherwise die with a traceback on stderr.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True).start()


def _exit_with_parent(parent: int) -> None:
    """A killed ingest must not leave its workers behind, waiting for work forever."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def _build_chunk(chunk: list[Item]) -> list[Built]:
    return [_built(item) for item in chunk]


def auto_jobs(paths: Iterable[str]) -> int:
    """Worker processes worth starting for these files: none on one core or for a little input."""
    cores = os.cpu_count() or 1
    if cores < 2:
        return 0
    total = 0
    for p in paths:
        try:
            total += os.path.getsize(p) if p != "-" else AUTO_MIN_BYTES
        except OSError:
            continue
        if total >= AUTO_MIN_BYTES:
            return min(cores - 1, 3)
    return 0


def _chunks(items: Iterable[Item]) -> Iterator[list[Item]]:
    """Items in tasks of about ``_CHUNK_CHARS`` of text; the first ones small, so writing starts early."""
    chunk: list[Item] = []
    chars = 0
    limit = _CHUNK_CHARS // 8
    for item in items:
        chunk.append(item)
        if isinstance(item, RawRecord):
            chars += len(item.body)
        if chars >= limit or len(chunk) >= _CHUNK_ITEMS:
            yield chunk
            chunk, chars = [], 0
            limit = min(limit * 2, _CHUNK_CHARS)
    if chunk:
        yield chunk


def build_all(items: Iterable[Item], jobs: int, meanwhile: Callable[[], None] | None = None) -> Iterator[Built]:
    """Every item built, in input order; with ``jobs`` > 0 in that many worker processes.

    ``meanwhile`` runs once the workers have their first tasks (the caller's own set-up, done
    while they work). A feeder thread reads and hands out work while the
    caller writes, so building and writing overlap; at most ``_WINDOW_TASKS`` tasks wait.
    """
    if jobs <= 0:
        if meanwhile is not None:
            meanwhile()
        for item in items:
            yield _built(item)
        return
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else None)
    queue: Queue[tuple[list[Item], Future[list[Built]] | None] | BaseException | None] = \
        Queue(maxsize=max(_WINDOW_TASKS, 3 * jobs))
    stop = threading.Event()

    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_init_worker,
                               initargs=(os.getpid(),))
    try:

        def put(entry: tuple[list[Item], Future[list[Built]] | None] | BaseException | None) -> bool:
            while not stop.is_set():
                try:
                    queue.put(entry, timeout=0.1)
                    return True
                except Full:
                    continue
            return False

        def feed() -> None:
            broken = False
            try:
                for chunk in _chunks(items):
                    fut: Future[list[Built]] | None = None
                    if not broken:
                        try:
                            fut = pool.submit(_build_chunk, chunk)
                        except (BrokenProcessPool, RuntimeError):
                            broken = True
                    if not put((chunk, fut)):
                        return
                put(None)
            except BaseException as exc:  # noqa: BLE001 - handed to the consumer, raised there
                put(exc)

        feeder = threading.Thread(target=feed, name="lunshu-ingest-feeder", daemon=True)
        feeder.start()
        if meanwhile is not None:
            meanwhile()
        try:
            while True:
                entry = queue.get()
                if entry is None:
                    break
                if isinstance(entry, BaseException):
                    raise entry
                chunk, fut = entry
                try:
                    done = fut.result() if fut is not None else None
                except BrokenProcessPool:  # a worker died (killed, out of memory): build it here
                    done = None
                yield from done if done is not None else [_built(item) for item in chunk]
        finally:
            stop.set()
            feeder.join()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
