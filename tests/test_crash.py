"""Crash safety: `lunshu ingest` killed with SIGKILL at 20 seeded moments never leaves a damaged
database or a half document, and re-running the ingest reaches exactly the state of a run that
was never interrupted. `lunshu check` sees a damaged index and `--repair` rebuilds it.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from lunshu.corpus import Corpus

TIMEOUT = 300

SUBJECTS = ["东岚市", "西川县", "南屿新区", "北湖街道", "临江开发区", "青石镇", "云台社区", "望海港"]
ACTIONS = ["推进", "完善", "部署", "加快", "统筹", "落实", "研究", "总结"]
OBJECTS = ["数字政务建设", "公共数据开放", "城乡道路改造", "基层治理创新", "小微企业扶持", "生态环境保护",
           "职业技能培训", "社区养老服务", "防汛抗旱准备", "文化遗产保护"]
TAILS = ["工作取得新进展。", "各项任务按期完成。", "群众满意度持续提高。", "相关制度逐步健全。",
         "下一步将继续加大投入。", "有关部门密切配合。"]


def _sentence(rng: random.Random) -> str:
    return f"{rng.choice(SUBJECTS)}{rng.choice(ACTIONS)}{rng.choice(OBJECTS)}，{rng.choice(TAILS)}"


def make_records(n: int, seed: int, changed: set[int] | None = None, version: int = 1) -> list[dict[str, Any]]:
    """``n`` short documents of our own sentences; records in ``changed`` get an extra sentence."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        paras = ["".join(_sentence(rng) for _ in range(rng.randint(1, 3))) for _ in range(rng.randint(2, 4))]
        if changed and i in changed:
            paras.append(f"第{i}号记录的补充说明：内容已经第{version}次更新。")
        rec: dict[str, Any] = {"title": f"工作简报第{i}期", "date": f"20{10 + i % 14:02d}-{1 + i % 12:02d}-{1 + i % 28:02d}",
                               "text": "\n\n".join(paras)}
        if i % 2:
            rec["id"] = f"brief-{i:05d}"  # half with explicit ids, half keyed by line
        out.append(rec)
    return out


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "LUNSHU_DEBUG"}


def _ingest_cmd(db: Path, src: Path) -> list[str]:
    return [sys.executable, "-m", "lunshu.cli", "--db", str(db), "ingest", str(src), "--json", "--quiet"]


def _run_ingest(db: Path, src: Path) -> dict[str, Any]:
    r = subprocess.run(_ingest_cmd(db, src), check=False, capture_output=True, text=True, timeout=TIMEOUT, env=_env())
    assert r.returncode == 0, r.stderr
    return dict(json.loads(r.stdout))


def _export(db: Path) -> list[dict[str, Any]]:
    """Every document as `export --format jsonl` writes it, by id (nothing run-dependent is in it)."""
    out = db.with_suffix(".jsonl")
    with Corpus(db) as c:
        c.export(str(out), "jsonl")
    docs = [json.loads(line) for line in out.read_text(encoding="utf-8").split("\n") if line]
    for d in docs:
        for k in ("ingested_at", "updated_at", "created_at"):
            d.pop(k, None)
    return sorted(docs, key=lambda d: d["id"])


def _assert_whole(db: Path) -> dict[str, Any]:
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()
    with Corpus(db) as c:
        result = c.check()
    assert result["ok"], result["problems"]
    return result


def test_sigkill_at_random_moments_never_corrupts(tmp_path: Path) -> None:
    n = 3000
    src = tmp_path / "briefs.jsonl"
    versions = {0: make_records(n, seed=7),
                7: make_records(n, seed=7, changed=set(range(0, n, 7)), version=7),
                14: make_records(n, seed=7, changed=set(range(0, n, 5)), version=14)}

    # the state to reach: one uninterrupted run of the final input (and how long a run takes)
    write_jsonl(src, versions[14])
    reference_db = tmp_path / "reference.db"
    t0 = time.monotonic()
    ref_report = _run_ingest(reference_db, src)
    duration = time.monotonic() - t0
    assert ref_report["added"] == n and not ref_report["failed"]

    rng = random.Random(20240611)
    db = tmp_path / "crash.db"
    killed_mid_run = 0
    for k in range(20):
        if k in versions:
            # the input changes: later kills interrupt updates (delete + insert) too
            write_jsonl(src, versions[k])
        proc = subprocess.Popen(_ingest_cmd(db, src), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                env=_env())
        moment = rng.uniform(0.1, duration * 1.05)
        try:
            proc.wait(timeout=moment)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            killed_mid_run += 1
        proc.wait(timeout=TIMEOUT)
        assert proc.stderr is not None
        err = proc.stderr.read()
        proc.stderr.close()
        assert b"Traceback" not in err, err.decode(errors="replace")
        if db.exists():
            _assert_whole(db)
    assert killed_mid_run >= 6, f"only {killed_mid_run} kills landed inside a run"

    # finishing the job: the same state as one uninterrupted run of the final input
    _run_ingest(db, src)
    final = _assert_whole(db)
    assert final["documents"] == n
    assert _export(db) == _export(reference_db)
    # and one more run changes nothing
    assert _run_ingest(db, src) == {"added": 0, "updated": 0, "unchanged": n, "failed": [], "duplicates": []}
