"""Concurrency: readers in other processes while an ingest writes (SQLite WAL).

- documents read during an ingest are whole versions, never a mix of an old and a new one, and no
  reader ever gets "database is locked";
- a search never returns a paragraph without the phrase, its total is never stale (between the
  counts a reader sees just before and just after it), and once the ingest has committed, new
  readers see everything;
- the web server answers during an ingest.

Readers and writer are real processes; every wait is bounded.
"""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import subprocess
import sys
import textwrap
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from lunshu.corpus import Corpus

TIMEOUT = 240
PHRASE = "星河湾智慧港口"  # only in the documents the concurrent ingest adds


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "LUNSHU_DEBUG"}


def _records(start: int, n: int, version: int, with_phrase: bool) -> list[dict[str, Any]]:
    out = []
    for i in range(start, start + n):
        tag = f"（第{version}版）"
        paras = [f"第{i}号文件第{k}段，讨论城市更新与产业协同的具体安排{tag}" for k in range(1, 4 + i % 3)]
        if with_phrase:
            paras.insert(1, f"会议听取了{PHRASE}建设情况的汇报，第{i}号{tag}")
        out.append({"id": f"doc-{i:05d}", "title": f"文件{i}{tag}", "date": f"2021-{1 + i % 12:02d}-15",
                    "text": "\n\n".join(paras)})
    return out


def _write(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.fixture
def corpus_and_batch(tmp_path: Path) -> tuple[Path, Path, int]:
    """A database with 400 documents (version 1), and a batch that updates them all (version 2)
    and adds 1,200 new ones holding PHRASE."""
    db = tmp_path / "c.db"
    first = _write(tmp_path / "a.jsonl", _records(0, 400, 1, False))
    with Corpus(db) as c:
        assert c.ingest([str(first)]).added == 400
    batch = _write(tmp_path / "b.jsonl", _records(0, 400, 2, False) + _records(400, 1200, 2, True))
    return db, batch, 1200


_READER = textwrap.dedent("""
    import json, random, re, sqlite3, sys, time
    from lunshu.corpus import Corpus
    db, stop_file, mode, phrase, seed = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
    rng = random.Random(seed)
    errors, reads, mixed, stale, wrong, last_total = [], 0, 0, 0, 0, -1
    raw = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)

    def count():
        return raw.execute("SELECT count(*) FROM paragraphs WHERE instr(text, ?) > 0", (phrase,)).fetchone()[0]

    deadline = time.monotonic() + 120
    import os
    while time.monotonic() < deadline:
        done = os.path.exists(stop_file)
        try:
            c = Corpus(db, readonly=True)
            if mode == "docs":
                ids = [d.id for d in c.docs()]
                for doc_id in rng.sample(ids, min(5, len(ids))):
                    d = c.get(doc_id)
                    tags = set(re.findall(r"（第(\\d+)版）", (d.title or "") + "".join(d.paragraphs)))
                    if len(tags) != 1:
                        mixed += 1
            else:
                before = count()
                r = c.search(phrase, limit=50)
                after = count()
                if not (before <= r.total <= after):
                    stale += 1
                if r.total < last_total:
                    stale += 1
                last_total = r.total
                wrong += sum(1 for h in r.hits if phrase not in h.text)
            c.close()
            reads += 1
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
        if done:
            break
    print(json.dumps({"reads": reads, "errors": errors[:5], "n_errors": len(errors), "mixed": mixed,
                      "stale": stale, "wrong": wrong, "last_total": last_total}))
""")


def _start_readers(db: Path, stop: Path, mode: str, n: int) -> list[subprocess.Popen[str]]:
    return [subprocess.Popen([sys.executable, "-c", _READER, str(db), str(stop), mode, PHRASE, str(i)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env())
            for i in range(n)]


def _ingest(db: Path, src: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "lunshu.cli", "--db", str(db), "ingest", str(src), "--json",
                             "--quiet"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env())


def _finish(readers: list[subprocess.Popen[str]], writer: subprocess.Popen[str], stop: Path) -> tuple[
        dict[str, Any], list[dict[str, Any]]]:
    out, err = writer.communicate(timeout=TIMEOUT)
    assert writer.returncode == 0, err
    stop.touch()
    results = []
    for p in readers:
        o, e = p.communicate(timeout=TIMEOUT)
        assert p.returncode == 0, e
        results.append(json.loads(o.strip().splitlines()[-1]))
    return json.loads(out), results


HAS_SEARCH = importlib.util.find_spec("lunshu.search") is not None


def test_readers_during_an_ingest(corpus_and_batch: tuple[Path, Path, int], tmp_path: Path) -> None:
    """Three processes read while a fourth ingests 1,200 new documents and updates 400: one reads
    whole documents, two search (when the search module is there)."""
    db, batch, added = corpus_and_batch
    stop = tmp_path / "stop"
    readers = _start_readers(db, stop, "docs", 1) + _start_readers(db, stop, "search" if HAS_SEARCH else "docs", 2)
    time.sleep(0.5)
    report, results = _finish(readers, _ingest(db, batch), stop)
    assert (report["added"], report["updated"]) == (added, 400)
    for r in results:
        assert r["n_errors"] == 0, r["errors"]
        assert r["reads"] > 0
        assert r["mixed"] == 0, "a reader saw a document mixing two versions"
        assert r["wrong"] == 0, "a hit without the phrase"
        assert r["stale"] == 0, "a search total outside what the store held around it"
    with Corpus(db, readonly=True) as c:  # once committed, a new reader sees all of it
        assert len(c.docs()) == 400 + added
        if HAS_SEARCH:
            assert c.search(PHRASE, limit=1).total == added


_REWRITER = textwrap.dedent("""
    import json, sys
    from pathlib import Path
    from lunshu.corpus import Corpus
    db, work, versions = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
    c = Corpus(db)
    for v in range(2, versions + 2):
        recs = [{"id": f"hot-{i}", "title": f"热点{i}（第{v}版）",
                 "text": "\\n\\n".join(f"第{k}段（第{v}版）" for k in range(3 + v % 4))} for i in range(5)]
        f = work / f"v{v % 2}.jsonl"
        f.write_text("".join(json.dumps(r, ensure_ascii=False) + "\\n" for r in recs), encoding="utf-8")
        rep = c.ingest([str(f)])
        assert rep.updated == 5, rep
""")


def test_a_document_rewritten_over_and_over_is_never_read_half_old(tmp_path: Path) -> None:
    """The same five documents updated 60 times while another process reads them: every read
    is one version (metadata and paragraphs from one commit)."""
    db = tmp_path / "hot.db"
    with Corpus(db) as c:
        first = _write(tmp_path / "v.jsonl", [{"id": f"hot-{i}", "title": f"热点{i}（第1版）", "text": "第1段（第1版）"}
                                              for i in range(5)])
        assert c.ingest([str(first)]).added == 5
    stop = tmp_path / "stop"
    readers = _start_readers(db, stop, "docs", 1)
    writer = subprocess.Popen([sys.executable, "-c", _REWRITER, str(db), str(tmp_path), "60"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env())
    _, err = writer.communicate(timeout=TIMEOUT)
    assert writer.returncode == 0, err
    stop.touch()
    o, _ = readers[0].communicate(timeout=TIMEOUT)
    result = json.loads(o.strip().splitlines()[-1])
    assert result["n_errors"] == 0, result["errors"]
    assert result["reads"] > 0 and result["mixed"] == 0, result


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(url, timeout=30) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()[:300]


def test_web_server_answers_during_an_ingest(corpus_and_batch: tuple[Path, Path, int]) -> None:
    db, batch, added = corpus_and_batch
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "lunshu.cli", "--db", str(db), "serve", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=_env())
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if _get(f"{base}/api/stats")[0] == 200:
                    break
            except OSError:
                pass
            assert server.poll() is None, server.communicate()[1]
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)
        writer = _ingest(db, batch)
        answers: list[int] = []
        q = urllib.parse.quote(PHRASE)
        search_ok = importlib.util.find_spec("lunshu.search") is not None
        for _ in range(400):
            done = writer.poll() is not None
            status, body = _get(f"{base}/api/docs?limit=5")
            answers.append(status)
            if search_ok:
                status, body = _get(f"{base}/api/search?q={q}&limit=20")
                answers.append(status)
                if status == 200:
                    assert all(PHRASE in h["text"] for h in body["hits"])
            if done:
                break
        writer.communicate(timeout=TIMEOUT)
        assert writer.returncode == 0
        assert answers and all(s == 200 for s in answers), answers
        status, body = _get(f"{base}/api/stats")
        assert status == 200 and body["documents"] == 400 + added
        if search_ok:
            status, body = _get(f"{base}/api/search?q={q}&limit=1")
            assert status == 200 and body["total"] == added
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=30)
