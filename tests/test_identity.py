"""One document per text, not per path (lunshu.identity), through the real CLI on the seeds."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from conftest import SEEDS, requires_shared, run_cli

pytestmark = requires_shared


def _json(out: object) -> dict:
    assert out.returncode in (0, 1), out.stderr  # type: ignore[attr-defined]
    return json.loads(out.stdout)  # type: ignore[attr-defined]


def test_the_same_files_by_any_path_and_from_a_copied_folder_are_stored_once(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    first = _json(run_cli("ingest", str(SEEDS), "--json", db=db))
    assert (first["added"], first["duplicates"]) == (5, [])
    # relative, through .., and through a symbolic link: the same ids, unchanged
    rel = os.path.relpath(SEEDS, tmp_path)
    again = _json(run_cli("ingest", rel, "--json", db=db, cwd=tmp_path))
    assert (again["added"], again["unchanged"]) == (0, 5)
    (tmp_path / "link").symlink_to(SEEDS)
    linked = _json(run_cli("ingest", str(tmp_path / "link"), str(SEEDS / ".." / SEEDS.name), "--json", db=db))
    assert (linked["added"], linked["unchanged"], linked["duplicates"], linked["failed"]) == (0, 5, [], [])
    # a copied folder: other paths, the same texts -> reported, not stored
    copy = tmp_path / "copy"
    shutil.copytree(SEEDS, copy)
    dup = _json(run_cli("ingest", str(copy), "--json", db=db))
    assert (dup["added"], dup["updated"], dup["unchanged"], dup["failed"]) == (0, 0, 0, [])
    assert len(dup["duplicates"]) == 5
    docs = _json(run_cli("docs", "--json", db=db))
    assert len(docs) == 5
    ids = {d["id"] for d in docs}
    assert all(d["same_as"] in ids and d["id"] not in ids for d in dup["duplicates"])
    # counted once by search, listed once by trace
    total = _json(run_cli("search", "网络空间命运共同体", "--json", db=db))["total"]
    fresh = tmp_path / "fresh.db"
    run_cli("ingest", str(SEEDS), "--json", db=fresh)
    assert total == _json(run_cli("search", "网络空间命运共同体", "--json", db=fresh))["total"]
    t = _json(run_cli("trace", "网络空间是人类共同的活动空间", "--json", db=db))
    assert len({s["title"] for s in t["sources"]}) == len(t["sources"])
    # the text output says so too
    out = run_cli("ingest", str(copy), db=db)
    assert "same text as a stored document 5" in out.stdout and "not stored again" in out.stderr


def test_a_copy_shows_the_stored_document_and_becomes_its_own_when_its_text_changes(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    name = sorted(p.name for p in SEEDS.iterdir())[1]  # seed 001, the speech
    run_cli("ingest", str(SEEDS / name), "--json", db=db)
    other = tmp_path / "elsewhere" / "speech.txt"
    other.parent.mkdir()
    shutil.copy(SEEDS / name, other)
    dup = _json(run_cli("ingest", str(other), "--json", db=db))["duplicates"]
    (d,) = dup
    shown = _json(run_cli("show", d["id"], "--json", db=db))
    assert shown["id"] == d["same_as"]
    assert [c["id"] for c in shown["copies"]] == [d["id"]]
    assert shown["copies"][0]["origin"].endswith("speech.txt")
    other.write_text(other.read_text(encoding="utf-8") + "\n\n另附一段不同的文字。\n", encoding="utf-8")
    changed = _json(run_cli("ingest", str(other), "--json", db=db))
    assert (changed["added"], changed["duplicates"]) == (1, [])
    assert _json(run_cli("show", d["id"], "--json", db=db))["id"] == d["id"]
    assert _json(run_cli("show", d["same_as"], "--json", db=db))["copies"] == []
