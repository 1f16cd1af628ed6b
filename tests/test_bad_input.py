"""Bad input never takes lunshu down: every file of the bad-input corpus gives a clear error naming
file and record, or a correct document; never a traceback, never a hang; good files beside bad
ones are all ingested. Plus the cases that cannot be committed, made at test time.

Every ingest runs in a subprocess under a timeout, so a hang fails the test instead of CI.
"""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import tracemalloc
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from conftest import ROOT

from lunshu.corpus import Corpus
from lunshu.ingest import read_path
from lunshu.ingest.decode import display_path, safe_line, safe_text
from lunshu.ingest.readers import read_jsonl
from lunshu.models import IngestFailure, RawRecord

BAD = ROOT / "tests" / "bad_input"
MANIFEST = BAD / "manifest.json"
TIMEOUT = 120  # seconds for one subprocess; a hang is a failure, never a stuck CI job
UNSAFE_IN_TITLES = ["\x1b", "\x07", "\x08", "\x00", "\u202e", "\u202d", "\u202a", "\u2066", "\u2067", "\u200f"]

pytestmark = pytest.mark.skipif(not MANIFEST.is_file(), reason="tests/bad_input/manifest.json not there yet")


def _manifest() -> dict[str, Any]:
    return json.loads(MANIFEST.read_text(encoding="utf-8")) if MANIFEST.is_file() else {"files": []}


ENTRIES = _manifest()["files"]


def _cli(*args: str, db: Path, input: bytes | None = None, timeout: int = TIMEOUT,
         env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    """The real CLI, bytes in and out (a test about bad bytes must not decode them on the way)."""
    full_env = {k: v for k, v in os.environ.items() if k != "LUNSHU_DEBUG"}
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "lunshu.cli", "--db", str(db), *args], check=False, capture_output=True,
                          input=input if input is not None else b"", timeout=timeout, env=full_env)


def _make_files() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bad_input_make_files", BAD / "make_files.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


# -- every committed file alone, through the library, in one subprocess -------------------------------
_RUNNER = textwrap.dedent("""
    import json, signal, sys, traceback
    from pathlib import Path
    from lunshu import Corpus

    def on_alarm(signum, frame):
        raise TimeoutError("hang: no answer in 60 s")

    signal.signal(signal.SIGALRM, on_alarm)
    base, out_dir = Path(sys.argv[1]), Path(sys.argv[2])
    for i, entry in enumerate(json.loads((base / "manifest.json").read_text(encoding="utf-8"))["files"]):
        path = base / entry["file"]
        if entry["file"].startswith("files/folder.json/"):
            path = path.parent
        result = {"file": entry["file"]}
        signal.alarm(60)
        try:
            c = Corpus(out_dir / f"{i}.db")
            rep = c.ingest([str(path)])
            result.update(rep.to_dict())
            result["docs"] = [c.get(d.id).to_dict() for d in c.docs()]
            result["check"] = c.check()
            c.close()
        except BaseException as exc:
            result["exception"] = "".join(traceback.format_exception(exc))
        finally:
            signal.alarm(0)
        print(json.dumps(result, ensure_ascii=True), flush=True)
""")


@pytest.fixture(scope="module")
def alone(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Each manifest file ingested into its own database: {file: report, docs, check}."""
    out = tmp_path_factory.mktemp("bad_alone")
    r = subprocess.run([sys.executable, "-c", _RUNNER, str(BAD), str(out)], check=False, capture_output=True, text=True,
                       timeout=600, env={k: v for k, v in os.environ.items() if k != "LUNSHU_DEBUG"})
    assert r.returncode == 0, r.stderr[-3000:]
    results = [json.loads(line) for line in r.stdout.splitlines() if line.startswith("{")]
    return {x["file"]: x for x in results}


def _is_failure_of(f: dict[str, Any], entry: dict[str, Any]) -> bool:
    name = Path(entry["file"]).name
    return name in (f.get("path") or "")


def _error_ok(msg: str, entry: dict[str, Any]) -> str | None:
    low = msg.lower()
    missing = [w for w in entry.get("error_contains", []) if w.lower() not in low]
    if missing:
        return f"error {msg!r} lacks {missing}"
    anyw = entry.get("error_contains_any")
    if anyw and not any(w.lower() in low for w in anyw):
        return f"error {msg!r} has none of {anyw}"
    return None


def _texts(doc: dict[str, Any]) -> str:
    return "\n".join(p["text"] for p in doc["paragraphs"])


def _judge(entry: dict[str, Any], res: dict[str, Any]) -> list[str]:
    """Why ``res`` does not meet any acceptable outcome of ``entry`` (empty: it does)."""
    failed = res["failed"]
    docs = res["docs"]
    outcomes = [entry["expect"], *entry.get("also_ok", [])]
    reasons: list[str] = []
    for outcome in outcomes:
        why: list[str] = []
        if outcome == "error":
            if docs:
                why.append(f"{len(docs)} documents, expected none")
            if len(failed) != 1:
                why.append(f"{len(failed)} failures, expected one")
            for f in failed:
                if not _is_failure_of(f, entry):
                    why.append(f"failure does not name the file: {f}")
                why.extend(filter(None, [_error_ok(f["error"], entry)]))
        elif outcome == "skipped":
            if docs or failed:
                why.append("not skipped")
        elif outcome == "document" or outcome.startswith("documents"):
            if outcome == "document":
                want, bad = [1], list[int]()
            elif ":" in outcome:
                want, bad = [int(outcome.split(":")[1])], []
            else:
                want = [entry.get("records", 0), *entry.get("records_alternatives", [])]
                bad = entry.get("bad_records", [])
            if len(docs) not in want:
                why.append(f"{len(docs)} documents, expected {want}")
            if outcome == "documents" and bad:
                got = sorted(f["record"] for f in failed if f.get("record") is not None)
                if got != sorted(bad) or len(failed) != len(bad):
                    why.append(f"failed records {got} ({len(failed)} failures), expected {bad}")
                for f in failed:
                    if not _is_failure_of(f, entry):
                        why.append(f"failure does not name the file: {f}")
                    why.extend(filter(None, [_error_ok(f["error"], entry)]))
            elif failed:
                why.append(f"unexpected failures {failed}")
            all_text = "\n".join(_texts(d) for d in docs)
            if outcome == entry["expect"]:  # content claims are about the expected outcome
                for s in entry.get("must_contain", []):
                    if s not in all_text:
                        why.append(f"text lacks {s!r}")
                if docs and "title" in entry and docs[0]["title"] != entry["title"]:
                    why.append(f"title {docs[0]['title']!r} != {entry['title']!r}")
                if docs and "title_contains" in entry and entry["title_contains"] not in (docs[0]["title"] or ""):
                    why.append(f"title {docs[0]['title']!r} lacks {entry['title_contains']!r}")
                if docs and "date" in entry and docs[0]["date"] != entry["date"]:
                    why.append(f"date {docs[0]['date']!r} != {entry['date']!r}")
                if "titles" in entry:
                    by_origin = sorted(docs, key=lambda d: int(d["origin"].rsplit("#", 1)[-1]))
                    if [d["title"] for d in by_origin] != entry["titles"]:
                        why.append(f"titles {[d['title'] for d in by_origin]} != {entry['titles']}")
                if "dates" in entry:
                    by_origin = sorted(docs, key=lambda d: int(d["origin"].rsplit("#", 1)[-1]))
                    if [d["date"] for d in by_origin] != entry["dates"]:
                        why.append(f"dates {[d['date'] for d in by_origin]} != {entry['dates']}")
            for s in entry.get("must_not_contain", []):
                if s in all_text:
                    why.append(f"text holds {s!r}")
        else:
            why.append(f"unknown outcome {outcome}")
        # whatever the outcome: stored text is safe, the database consistent
        for d in docs:
            for s in [*entry.get("title_must_not_contain", []), *UNSAFE_IN_TITLES]:
                if s in (d["title"] or ""):
                    why.append(f"title holds {s!r}")
            if safe_text(_texts(d)) != _texts(d):
                why.append("paragraphs hold control or bidi characters")
        if not res["check"]["ok"]:
            why.append(f"check: {res['check']['problems']}")
        if not why:
            return []
        reasons.append(f"as {outcome}: " + "; ".join(why))
    return reasons


@pytest.mark.parametrize("entry", ENTRIES, ids=[e["file"][6:] for e in ENTRIES])
def test_each_file_alone(alone: dict[str, dict[str, Any]], entry: dict[str, Any]) -> None:
    res = alone.get(entry["file"])
    assert res is not None, "the runner died before this file"
    assert "exception" not in res, res.get("exception")
    reasons = _judge(entry, res)
    assert not reasons, "\n".join(reasons) + f"\nreport: {res['failed']}"


def test_manifest_has_enough_cases() -> None:
    assert len(ENTRIES) >= 40
    assert sum(1 for e in ENTRIES if e["expect"] == "error") >= 10


# -- the whole folder at once, through the CLI ------------------------------------------------------
def test_whole_folder_through_cli(tmp_path: Path) -> None:
    db = tmp_path / "all.db"
    r = _cli("ingest", str(BAD / "files"), "--json", db=db)
    assert r.returncode == 1, r.stderr.decode(errors="replace")
    assert b"Traceback" not in r.stderr
    report = json.loads(r.stdout)  # nothing on stdout but the JSON
    failed = report["failed"]
    # one line per failure on stderr, each naming its file; nothing else there
    lines = r.stderr.decode("utf-8").splitlines()
    assert len(lines) == len(failed)
    assert all(line.startswith("lunshu: failed: ") for line in lines)
    docs = json.loads(_cli("docs", "--json", db=db).stdout)
    by_file: dict[str, int] = {}
    for d in docs:
        by_file[Path(d["origin"].split("#")[0]).name] = by_file.get(Path(d["origin"].split("#")[0]).name, 0) + 1
    # every good file is in, whole
    for e in ENTRIES:
        name = Path(e["file"]).name
        if name.startswith("good-"):
            assert by_file.get(name) == (e.get("records") or 1), name
    # every file that must fail is reported, by name
    failed_names = {Path(f["path"]).name for f in failed}
    for e in ENTRIES:
        if e["expect"] == "error" and not e.get("also_ok") and "folder.json" not in e["file"]:
            assert Path(e["file"]).name in failed_names, e["file"]
    # nothing unsafe reaches a person: titles in JSON and in the human table
    for d in docs:
        assert safe_line(d["title"] or "") == (d["title"] or "")
    human = _cli("docs", db=db, env={"COLUMNS": "200"})
    assert human.returncode == 0
    for ch in UNSAFE_IN_TITLES:
        assert ch.encode() not in human.stdout
    check = json.loads(_cli("check", "--json", db=db).stdout)
    assert check["ok"], check["problems"]
    # and running it again changes nothing
    again = json.loads(_cli("ingest", str(BAD / "files"), "--json", db=db).stdout)
    assert (again["added"], again["updated"]) == (0, 0)


# -- cases made at test time -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def mk() -> Any:
    return _make_files()


GOOD = "好文件的标题\n\n林望川在东岚市数字经济工作会议上强调，要以数字化改革撬动各领域改革。\n"


def test_50_mb_single_line_is_refused_clearly_and_the_rest_ingested(tmp_path: Path, mk: Any) -> None:
    """Over the per-document limit: a clear error naming the file, decided without reading it
    whole; a JSONL line of the same size is skipped in bounded pieces and the next line read."""
    d = tmp_path / "in"
    d.mkdir()
    mk.make_long_line(d / "long.txt", 50 * 2**20)
    (d / "good.txt").write_text(GOOD, encoding="utf-8")
    with open(d / "long.jsonl", "wb") as fh:
        fh.write(b'{"title": "huge", "text": "')
        piece = ("长" * (2**20 // 3)).encode()
        fh.writelines(piece for _ in range(50))
        fh.write(b'"}\n')
        fh.write(json.dumps({"title": "after", "text": "超长行之后的一行照常入库。"}, ensure_ascii=False).encode() + b"\n")
    r = _cli("ingest", str(d), "--json", db=tmp_path / "l.db")
    assert r.returncode == 1 and b"Traceback" not in r.stderr
    out = json.loads(r.stdout)
    assert out["added"] == 2  # good.txt and the line after the long one
    failed = {(Path(f["path"]).name, f["record"]): f["error"] for f in out["failed"]}
    assert set(failed) == {("long.txt", None), ("long.jsonl", 1)}
    assert "limit" in failed[("long.txt", None)] and "LUNSHU_MAX_RECORD_MB" in failed[("long.txt", None)]
    assert "limit" in failed[("long.jsonl", 1)]


def test_a_big_single_line_under_the_limit_is_a_document(tmp_path: Path, mk: Any,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """The limit is a setting, and a long paragraph under it goes through the whole pipeline."""
    f = mk.make_long_line(tmp_path / "long.txt", 2 * 2**20)
    monkeypatch.setenv("LUNSHU_MAX_RECORD_MB", "1")
    c = Corpus(tmp_path / "l.db")
    rep = c.ingest([str(f)])
    assert rep.added == 0 and "limit" in rep.failed[0].error
    monkeypatch.setenv("LUNSHU_MAX_RECORD_MB", "4")
    rep = c.ingest([str(f)])
    assert (rep.added, rep.failed) == (1, [])
    assert c.docs()[0].chars > 600_000


def test_symlink_loop_ends_and_reads_each_file_once(tmp_path: Path, mk: Any) -> None:
    root = mk.make_symlink_loop(tmp_path / "loop")
    r = _cli("ingest", str(root), "--json", db=tmp_path / "s.db")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == {"added": 1, "updated": 0, "unchanged": 0, "failed": [], "duplicates": []}
    # the same through a ** glob
    rep = Corpus(tmp_path / "s2.db").ingest([str(root) + "/**/*.txt"])
    assert (rep.added, rep.failed) == (1, [])


def test_dangling_symlink(tmp_path: Path, mk: Any) -> None:
    link = mk.make_dangling_symlink(tmp_path / "dangling.txt")
    c = Corpus(tmp_path / "d.db")
    for arg in (str(link), str(tmp_path)):
        rep = c.ingest([arg])
        (f,) = rep.failed
        assert Path(f.path).name == "dangling.txt" and "does not exist" in f.error


def test_file_vanishing_between_listing_and_reading(tmp_path: Path, mk: Any) -> None:
    folder, victim = mk.make_vanishing(tmp_path / "v")

    def progress(event: str, n: int) -> None:
        if event == "files":  # the list is made, nothing read yet
            victim.unlink()

    rep = Corpus(tmp_path / "v.db").ingest([str(folder)], progress=progress)
    assert rep.added == 2
    (f,) = rep.failed
    assert Path(f.path).name == "vanishes.txt" and "not found" in f.error


def test_fifo_is_refused_without_blocking(tmp_path: Path, mk: Any) -> None:
    fifo = mk.make_fifo(tmp_path / "fifo.txt")
    (tmp_path / "good.txt").write_text(GOOD, encoding="utf-8")
    # named, inside a folder, matched by a glob: each time an error, never a blocked process
    r = _cli("ingest", str(fifo), str(tmp_path), str(tmp_path / "*.txt"), "--json", db=tmp_path / "f.db",
             timeout=60)
    out = json.loads(r.stdout)
    assert out["added"] == 1 and len(out["failed"]) == 3
    for f in out["failed"]:
        assert Path(f["path"]).name == "fifo.txt" and "regular file" in f["error"]
    # the reader itself refuses too (a file swapped for a pipe after the walk)
    items = list(read_path(str(fifo)))
    assert len(items) == 1 and isinstance(items[0], IngestFailure) and "regular file" in items[0].error


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a mode-000 file anyway")
def test_unreadable_file(tmp_path: Path, mk: Any) -> None:
    f = mk.make_unreadable(tmp_path / "u.txt")
    r = _cli("ingest", str(f), "--json", db=tmp_path / "u.db")
    assert "permission" in json.loads(r.stdout)["failed"][0]["error"]


def test_undecodable_file_name(tmp_path: Path, mk: Any) -> None:
    d = tmp_path / "names"
    f = mk.make_undecodable_name(d)
    nl = d / "new\nline\x1b[31m.txt"
    nl.write_text(GOOD, encoding="utf-8")
    (d / "bad-\udcff-name.json").write_bytes(b"[1, 2")  # an undecodable name, and broken JSON in it
    db = tmp_path / "n.db"
    r = _cli("ingest", str(d), "--json", db=db)
    assert r.returncode == 1 and b"Traceback" not in r.stderr
    out = json.loads(r.stdout)
    assert out["added"] == 2
    assert out["failed"][0]["path"].endswith("bad-\\xff-name.json")
    # a failure naming such a file prints as one safe line
    (line,) = r.stderr.splitlines()
    assert line.startswith(b"lunshu: failed: ") and b"\x1b" not in line
    c = Corpus(db)
    origins = sorted(x.origin for x in c.docs())
    assert any(o.endswith("bytes-name-\\xff.txt") for o in origins)
    assert any(o.endswith("new\\x0aline\\x1b[31m.txt") for o in origins)
    assert display_path(str(f)).endswith("\\xff.txt")
    # the same files again: same ids, unchanged
    assert c.ingest([str(d)]).unchanged == 2


def test_100_mb_of_nuls_is_binary(tmp_path: Path, mk: Any) -> None:
    f = mk.make_zeros(tmp_path / "zeros.txt")
    g = mk.make_zeros(tmp_path / "zeros.jsonl")
    r = _cli("ingest", str(f), str(g), "--json", db=tmp_path / "z.db")
    out = json.loads(r.stdout)
    assert len(out["failed"]) == 2 and all("binary" in x["error"] for x in out["failed"])


def test_empty_stdin(tmp_path: Path) -> None:
    r = _cli("ingest", "-", "--json", db=tmp_path / "e.db", input=b"")
    assert r.returncode == 1 and "empty" in json.loads(r.stdout)["failed"][0]["error"]


def test_nul_control_and_bidi_characters_in_titles_and_text(tmp_path: Path) -> None:
    """Decision: control characters and bidi overrides are removed from everything stored (titles
    and text); NUL too. Words are kept; the title reads as it displays."""
    f = tmp_path / "c.jsonl"
    recs = [
        {"title": "标题\x1b[31m红色\x07\x00", "text": "正文\x00里有NUL\x08和\x1b[2J控制字符。"},
        {"title": "林望川\u202e讲话\u202c摘要", "text": "一段\u2066隔离\u2069文字，\u202e反向\u202c覆盖。"},
        {"title": "坏代理\ud800对", "text": "孤立的代理项\udfff不能存进数据库。"},
        {"title": "实体标题", "text": "<p>HTML实体&#x202e;反向&#27;[31m与&#0;空字符。</p><p>第二段。</p>"},
    ]
    f.write_text("\n".join(json.dumps(r, ensure_ascii=True) for r in recs) + "\n", encoding="utf-8")
    db = tmp_path / "c.db"
    r = _cli("ingest", str(f), "--json", db=db)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["added"] == 4
    c = Corpus(db)
    titles = sorted(d.title or "" for d in c.docs())
    assert titles == sorted(["标题[31m红色", "林望川讲话摘要", "坏代理\ufffd对", "实体标题"])
    for d in c.docs():
        doc = c.get(d.id)
        text = "".join(doc.paragraphs)
        assert safe_text(text) == text and safe_text(doc.raw) == doc.raw
    human = _cli("docs", db=db, env={"COLUMNS": "200"})
    assert b"\x1b" not in human.stdout and "\u202e".encode() not in human.stdout


def test_deeply_nested_html_and_json(tmp_path: Path) -> None:
    depth = 100_000
    (tmp_path / "deep.html").write_text("<html><body>" + "<div>" * depth + "深层嵌套里的正文。" + "</div>" * depth
                                        + "</body></html>", encoding="utf-8")
    (tmp_path / "deep.jsonl").write_text('{"text": "第一行正文。"}\n' + "[" * depth + "]" * depth + "\n"
                                         + '{"text": "第三行正文。"}\n', encoding="utf-8")
    (tmp_path / "deep.md").write_text("---\ntitle: " + "[" * 5000 + "]" * 5000 + "\n---\n正文。\n", encoding="utf-8")
    r = _cli("ingest", str(tmp_path), "--json", db=tmp_path / "d.db")
    assert b"Traceback" not in r.stderr
    out = json.loads(r.stdout)
    assert out["added"] == 3  # the HTML page and two JSONL lines
    failed = {(Path(f["path"]).name, f["record"]) for f in out["failed"]}
    assert failed == {("deep.jsonl", 2), ("deep.md", None)}


def test_hostile_sizes_inside_record_formats(tmp_path: Path) -> None:
    """A 5000-digit number (int() refuses it), a huge CSV cell, a front matter too long to read."""
    (tmp_path / "bigint.jsonl").write_text('{"text": "正文一。", "n": ' + "9" * 5000 + '}\n{"text": "正文二。"}\n',
                                           encoding="utf-8")
    (tmp_path / "bigint.json").write_text('[{"text": "正文", "n": ' + "9" * 5000 + "}]", encoding="utf-8")
    (tmp_path / "cell.csv").write_text("title,text\n长单元格," + "长" * 300_000 + "\n短,短正文。\n", encoding="utf-8")
    (tmp_path / "fm.md").write_text("---\ntitle: x\nnote: " + "长" * 70_000 + "\n---\n正文。\n", encoding="utf-8")
    r = _cli("ingest", str(tmp_path), "--json", db=tmp_path / "h.db")
    assert b"Traceback" not in r.stderr
    out = json.loads(r.stdout)
    failed = {(Path(f["path"]).name, f["record"]): f["error"] for f in out["failed"]}
    assert set(failed) == {("bigint.jsonl", 1), ("bigint.json", None), ("fm.md", None)}
    assert out["added"] == 3  # bigint.jsonl line 2 and both CSV rows (the long cell is under the limit)


def test_jsonl_reader_is_lazy(tmp_path: Path) -> None:
    """The first record is yielded before a later line is read: the line appended after the first
    record was taken is still seen, which a reader that had loaded the file could not do."""
    f = tmp_path / "lazy.jsonl"
    f.write_text(json.dumps({"title": "一", "text": "第一条。"}, ensure_ascii=False) + "\n", encoding="utf-8")
    it = read_jsonl(str(f), None, None)
    first = next(it)
    assert isinstance(first, RawRecord) and first.record_no == 1
    with open(f, "a", encoding="utf-8") as fh:
        fh.write("{not json\n")
    second = next(it)
    assert isinstance(second, IngestFailure) and second.record == 2 and "JSON" in second.error
    assert next(it, None) is None


def test_jsonl_reader_memory_is_bounded_by_a_record(tmp_path: Path) -> None:
    f = tmp_path / "many.jsonl"
    line = json.dumps({"title": "标题", "text": "林望川在东岚市数字经济工作会议上强调。" * 20}, ensure_ascii=False) + "\n"
    n = 8 * 2**20 // len(line.encode())
    with open(f, "w", encoding="utf-8") as fh:
        fh.writelines(line for _ in range(n))
    tracemalloc.start()
    try:
        count = sum(1 for item in read_jsonl(str(f), None, None) if isinstance(item, RawRecord))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == n
    assert peak < 2 * 2**20, f"peak {peak} bytes while reading an {f.stat().st_size}-byte file"


def test_safe_text_helpers() -> None:
    assert safe_text("正文\n第二行\t缩进") == "正文\n第二行\t缩进"
    assert safe_text("a\x00b\x1bc\u202ed\ud800e") == "abcd\ufffde"
    assert safe_line("  标题\n副标题\u2028尾 ") == "标题 副标题 尾"
    s = "干净的文本" * 1000
    assert safe_text(s) is s  # no copy when nothing needs fixing


def test_cli_failure_lines_stay_one_line(tmp_path: Path) -> None:
    """A column name with a newline and an escape sequence does not break the one-line rule."""
    f = tmp_path / "cols.jsonl"
    f.write_text(json.dumps({"ti\ntle": "x", "\x1b[31mbody": "y"}) + "\n", encoding="utf-8")
    r = _cli("ingest", str(f), db=tmp_path / "o.db")
    assert r.returncode == 1
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and b"\x1b" not in r.stderr


def test_stdin_json_with_lone_surrogate_and_bad_bytes(tmp_path: Path) -> None:
    payload = b'[{"title": "\\ud800", "text": "\xff\xfe\xfa"}, {"title": "ok", "text": "\xe6\xad\xa3\xe6\x96\x87"}]'
    r = _cli("ingest", "-", "--json", db=tmp_path / "s.db", input=payload)
    assert b"Traceback" not in r.stderr
    out = json.loads(r.stdout)
    assert out["added"] + len(out["failed"]) >= 1


@pytest.mark.parametrize("group", [False, True], ids=["main-process", "process-group"])
def test_interrupt_signal_leaves_a_clean_error(tmp_path: Path, group: bool) -> None:
    """SIGINT during an ingest: exit 130 with one line, no traceback — sent to the main process, or
    to the whole process group as Ctrl-C in a terminal does (the worker processes get it too)."""
    f = tmp_path / "many.jsonl"
    f.write_text("".join(json.dumps({"text": f"第{i}条正文，内容足够长以便持续一会儿。" * 5}, ensure_ascii=False) + "\n"
                         for i in range(60000)), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "LUNSHU_DEBUG"}
    p = subprocess.Popen([sys.executable, "-m", "lunshu.cli", "--db", str(tmp_path / "i.db"), "ingest", str(f)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, start_new_session=group,
                         # a suite started in the background (`cmd &`) inherits SIGINT ignored
                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # noqa: PLW1509

    def interrupt() -> None:
        if group:
            os.killpg(p.pid, signal.SIGINT)
        else:
            p.send_signal(signal.SIGINT)

    timer = threading.Timer(2.0, interrupt)
    timer.start()
    try:
        _out, err = p.communicate(timeout=TIMEOUT)
    finally:
        timer.cancel()
    if p.returncode == 0:
        pytest.skip("the ingest finished before the signal")
    assert p.returncode == 130, err
    assert b"Traceback" not in err and len(err.strip().splitlines()) == 1
    check = Corpus(tmp_path / "i.db").check()
    assert check["ok"], check["problems"]



def test_text_is_never_terminal_markup(tmp_path: Path) -> None:
    """Square brackets in a document are text: `show` neither crashes on "[/]" nor turns
    "[link=…]" into a terminal hyperlink."""
    f = tmp_path / "m.json"
    f.write_text(json.dumps({"title": "标题[/][bold]粗[link=http://evil.example]点我[/link]",
                             "text": "正文[/]不是标记。\n\n[red]红[/red]也只是文字。"}, ensure_ascii=False),
                 encoding="utf-8")
    db = tmp_path / "m.db"
    c = Corpus(db)
    rep = c.ingest([str(f)])
    assert rep.added == 1
    r = _cli("show", rep.doc_ids[0], db=db, env={"COLUMNS": "200", "FORCE_COLOR": "1", "TERM": "xterm-256color"})
    assert r.returncode == 0, r.stderr
    out = r.stdout.decode()
    assert "正文[/]不是标记。" in out and "[red]红[/red]也只是文字。" in out
    assert "点我[/link]" in out and "\x1b]8;" not in out  # no OSC 8 hyperlink


_NO_NETWORK = textwrap.dedent("""
    import socket, sys

    def refuse(*args, **kwargs):
        raise AssertionError(f"network access: {args[:2]}")

    socket.socket.connect = refuse
    socket.socket.connect_ex = refuse
    socket.create_connection = refuse
    socket.getaddrinfo = refuse
    from lunshu.corpus import Corpus
    c = Corpus(sys.argv[1])
    rep = c.ingest([sys.argv[2]])
    assert rep.added > 0, rep
    doc = c.docs()[0]
    c.search("数字", limit=5)
    c.kwic("数字", limit=5)
    c.trace("林望川在东岚市数字经济工作会议上强调")
    c.quotes()
    c.reuse()
    c.timeline(["数字"])
    c.keywords(doc.id)
    c.check()
    print("ok")
""")


def test_no_network_at_run_time(tmp_path: Path) -> None:
    """Ingest and every query run with every way to open a connection made to fail."""
    src = tmp_path / "in"
    src.mkdir()
    for e in ENTRIES:
        if Path(e["file"]).name.startswith("good-"):
            (src / Path(e["file"]).name).write_bytes((BAD / e["file"]).read_bytes())
    r = subprocess.run([sys.executable, "-c", _NO_NETWORK, str(tmp_path / "n.db"), str(src)], check=False,
                       capture_output=True, text=True, timeout=TIMEOUT,
                       env={k: v for k, v in os.environ.items() if k != "LUNSHU_DEBUG"})
    assert r.returncode == 0 and r.stdout.strip().endswith("ok"), r.stderr[-3000:]


def test_expand_paths_walks_globs_and_skips_what_is_not_a_document(tmp_path: Path) -> None:
    from lunshu.ingest.paths import expand_paths

    (tmp_path / "b" / "c").mkdir(parents=True)
    for name in ("a.txt", "b/x.md", "b/c/y.jsonl", "b/c/z.TXT", "b/notes.odt", ".hidden.txt", "b/.git.json"):
        (tmp_path / name).write_text("正文。", encoding="utf-8")
    (tmp_path / "b" / "loop").symlink_to(tmp_path, target_is_directory=True)
    walked = [p for p in expand_paths([str(tmp_path)]) if isinstance(p, str)]
    assert [os.path.relpath(p, tmp_path) for p in walked] == ["a.txt", "b/x.md", "b/c/y.jsonl", "b/c/z.TXT"]
    # what is not read is said (hidden entries aside), not failed
    passed_over = [p for p in expand_paths([str(tmp_path)]) if not isinstance(p, (str, IngestFailure))]
    assert [os.path.relpath(p.path, tmp_path) for p in passed_over] == ["b/notes.odt"]
    assert ".odt" in passed_over[0].reason
    globbed = list(expand_paths([str(tmp_path / "**" / "*.jsonl"), str(tmp_path / "b" / "*.md")]))
    assert [os.path.relpath(str(p), tmp_path) for p in globbed] == ["b/c/y.jsonl", "b/x.md"]
    # a file named explicitly is read whatever its suffix; a missing one is a failure naming it
    (f,) = expand_paths([str(tmp_path / "b" / "notes.odt")])
    assert f == str(tmp_path / "b" / "notes.odt")
    (miss,) = expand_paths([str(tmp_path / "nope.txt")])
    assert isinstance(miss, IngestFailure) and "no such file" in miss.error
    (none,) = expand_paths([str(tmp_path / "*.nothing")])
    assert isinstance(none, IngestFailure) and "no file matches" in none.error
