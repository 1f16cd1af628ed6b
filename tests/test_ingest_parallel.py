"""Ingest with worker processes gives exactly what the one-process ingest gives.

Why: the workers build documents and their index tokens while the main process writes; nothing
about the result may depend on how many there are — not the documents, the failures and their
order, the progress events, nor a single search hit.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLES, RECORD_CORPORA, ROOT, requires_shared, run_cli

from lunshu import Corpus, index

BAD = ROOT / "tests" / "bad_input" / "files"


def dump(db: Path) -> dict[str, Any]:
    """Everything an ingest decides (not when it ran): documents, paragraphs, index keys."""
    conn = sqlite3.connect(db)
    try:
        docs = conn.execute(
            "SELECT id, title, date, speakers, occasion, genre, source, url, publisher_keywords, reporters, "
            "origin, content_hash, n_paragraphs, chars, delivered FROM documents ORDER BY id").fetchall()
        paras = conn.execute("SELECT doc_id, n, text FROM paragraphs ORDER BY doc_id, n").fetchall()
        keys = conn.execute(
            "SELECT d.id, p.n, k.date FROM search_paras k JOIN paragraphs p ON p.id = k.pid "
            "JOIN documents d ON d.rowid = k.doc ORDER BY d.id, p.n").fetchall()
        problems = index.check(conn)
    finally:
        conn.close()
    return {"documents": docs, "paragraphs": paras, "keys": keys, "problems": problems}


def hits(db: Path, pieces: list[str]) -> list[list[tuple[str, int]]]:
    conn = sqlite3.connect(db)
    try:
        out = []
        for piece in pieces:
            pids = index.match_ids(conn, piece)
            q = ",".join("?" * len(pids)) or "NULL"
            out.append(sorted(conn.execute(f"SELECT doc_id, n FROM paragraphs WHERE id IN ({q})", pids)))
        return out
    finally:
        conn.close()


def ingest(db: Path, paths: list[str], jobs: int) -> tuple[Any, list[tuple[str, int]]]:
    events: list[tuple[str, int]] = []
    with Corpus(db) as c:
        report = c.ingest(paths, jobs=jobs, progress=lambda e, n: events.append((e, n)))
    return report, events


def pieces_of(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        texts = [r[0] for r in conn.execute("SELECT text FROM paragraphs ORDER BY id LIMIT 200")]
    finally:
        conn.close()
    out = []
    for i, t in enumerate(texts):
        size = 1 + i % 6
        if len(t) >= size:
            out.append(t[i % max(1, len(t) - size + 1):][:size])
    return out


def test_workers_give_the_same_database_as_one_process(tmp_path: Path) -> None:
    paths = [str(EXAMPLES), str(BAD)]
    one, ev_one = ingest(tmp_path / "one.db", paths, jobs=0)
    two, ev_two = ingest(tmp_path / "two.db", paths, jobs=2)
    assert one.to_dict() == two.to_dict()
    assert one.failed, "the bad inputs must fail here too"
    assert ev_one == ev_two
    assert ev_one[0][0] == "files" and ev_one.count(("file", 1)) == ev_one[0][1]
    a, b = dump(tmp_path / "one.db"), dump(tmp_path / "two.db")
    assert a["problems"] == [] and b["problems"] == []
    assert a == b
    pieces = pieces_of(tmp_path / "one.db")
    assert len(pieces) > 50
    assert hits(tmp_path / "one.db", pieces) == hits(tmp_path / "two.db", pieces)


def test_workers_then_updates_and_duplicates(tmp_path: Path) -> None:
    rec = {"id": "sample-1", "title": "样例讲话（示例）", "date": "2021-05-06", "text": "这是一个示例段落，用于测试。\n\n第二段落在这里。"}
    changed = dict(rec, text=rec["text"] + "\n\n新增的第三段。")
    f = tmp_path / "in.jsonl"
    # the same record twice in one run, changed the second time: the later one wins, counted once
    f.write_text(json.dumps(rec, ensure_ascii=False) + "\n" + json.dumps(changed, ensure_ascii=False) + "\n",
                 encoding="utf-8")
    r0, _ = ingest(tmp_path / "a.db", [str(f)], jobs=0)
    r2, _ = ingest(tmp_path / "b.db", [str(f)], jobs=2)
    assert (r0.added, r0.updated) == (r2.added, r2.updated) == (1, 0)
    assert dump(tmp_path / "a.db") == dump(tmp_path / "b.db")
    again, _ = ingest(tmp_path / "b.db", [str(f)], jobs=2)
    assert again.unchanged == 1 and again.added == again.updated == 0


@requires_shared
def test_workers_on_the_shared_corpora(tmp_path: Path) -> None:
    one, _ = ingest(tmp_path / "one.db", [str(p) for p in RECORD_CORPORA], jobs=0)
    two, _ = ingest(tmp_path / "two.db", [str(p) for p in RECORD_CORPORA], jobs=1)
    assert one.added == two.added == 193 and not one.failed and not two.failed
    a, b = dump(tmp_path / "one.db"), dump(tmp_path / "two.db")
    assert a["problems"] == [] and a == b
    pieces = pieces_of(tmp_path / "one.db")
    assert hits(tmp_path / "one.db", pieces) == hits(tmp_path / "two.db", pieces)


def test_cli_jobs_option(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    r = run_cli("ingest", "--jobs", "2", "--json", str(EXAMPLES), db=db)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["added"] > 0
    bad = run_cli("ingest", "--jobs", "-1", str(EXAMPLES), db=db)
    assert bad.returncode == 2
    assert "jobs" in bad.stderr


@pytest.mark.parametrize("jobs", [0, 2])
def test_ingest_from_stdin_with_jobs(tmp_path: Path, jobs: int) -> None:
    line = json.dumps({"title": "示例", "date": "2020-01-02", "text": "标准输入的示例文本。"}, ensure_ascii=False)
    r = run_cli("ingest", "--jobs", str(jobs), "--json", "-", db=tmp_path / "s.db", input=line + "\n")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["added"] == 1


def _children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_killed_ingest_leaves_no_workers(tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    src = tmp_path / "big.jsonl"
    sentence = "示例讲话中关于合作共赢的句子，第{}次出现。"
    with src.open("w", encoding="utf-8") as fh:
        for i in range(3000):
            text = "\n\n".join(sentence.format(i * 10 + j) * 30 for j in range(10))
            fh.write(json.dumps({"id": f"s{i}", "title": f"样例{i}", "date": f"{1990 + i % 30}-01-02", "text": text},
                                ensure_ascii=False) + "\n")
    proc = subprocess.Popen([sys.executable, "-m", "lunshu.cli", "--db", str(tmp_path / "k.db"), "ingest", "-q",
                             "--jobs", "2", str(src)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: list[int] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(workers) < 2 and proc.poll() is None:
        workers = _children(proc.pid)
        time.sleep(0.05)
    assert len(workers) == 2, "the ingest should have started two workers"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 10
    alive = workers
    while alive and time.monotonic() < deadline:
        alive = [w for w in alive if Path(f"/proc/{w}").exists() and "Z" not in
                 Path(f"/proc/{w}/stat").read_text().rsplit(")", 1)[1].split()[0]]
        time.sleep(0.1)
    assert not alive, f"workers {alive} outlived the killed ingest"


_IDLE_WORKER = r"""
import sys, time
from lunshu.ingest.parallel import build_all
from lunshu.models import RawRecord

def items():
    yield RawRecord("sample.txt", None, {"title": "样例"}, "样例正文，一段足够长的文字。" * 3000)  # a whole task
    time.sleep(3)  # the worker has nothing to do meanwhile

try:
    for _ in build_all(items(), 1):
        print("built", flush=True)
except KeyboardInterrupt:
    print("interrupted", file=sys.stderr)
    sys.exit(130)
"""


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_ctrl_c_while_a_worker_waits_prints_no_traceback() -> None:
    """Ctrl-C goes to the whole process group; a worker idle between tasks must not print a traceback."""
    import os
    import signal
    import subprocess
    import sys
    import time

    proc = subprocess.Popen([sys.executable, "-c", _IDLE_WORKER], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True, cwd=ROOT,
                            # a suite started in the background (`cmd &`) inherits SIGINT ignored
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # noqa: PLW1509
    assert proc.stdout is not None
    assert proc.stdout.readline() == b"built\n"
    deadline = time.monotonic() + 10
    while len(_children(proc.pid)) < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)  # the worker is back waiting for a task
    os.killpg(proc.pid, signal.SIGINT)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert b"Traceback" not in err and err.strip() == b"interrupted", err


def test_ctrl_c_while_stdin_is_idle(tmp_path: Path) -> None:
    """`producer | lunshu ingest -`, the producer stalls, Ctrl-C (which ends the producer too, so
    the pipe closes): the ingest exits at once with 130 and one line, whatever the worker was doing."""
    import os
    import signal
    import subprocess
    import sys
    import time

    proc = subprocess.Popen([sys.executable, "-m", "lunshu.cli", "--db", str(tmp_path / "s.db"), "ingest", "-q",
                             "--jobs", "1", "-"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # noqa: PLW1509
    assert proc.stdin is not None
    proc.stdin.write((json.dumps({"title": "样例", "text": "样例正文，一段足够长的文字。" * 3000},
                                 ensure_ascii=False) + "\n").encode())
    proc.stdin.flush()
    time.sleep(3)  # read, built by the worker, waiting in the writer for more
    t = time.monotonic()
    os.killpg(proc.pid, signal.SIGINT)
    proc.stdin.close()  # the producer, in the same terminal's process group, is gone too
    proc.wait(timeout=30)
    waited = time.monotonic() - t
    assert proc.stderr is not None
    err = proc.stderr.read()
    assert proc.returncode == 130, err
    assert err.strip() == b"lunshu: interrupted", err
    assert waited < 10, f"the interrupted ingest took {waited:.1f} s to exit"
