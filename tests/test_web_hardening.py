"""The web attacks of issue #20 against a real server: the upload folder cannot be hijacked, a
`.tsv` upload is read as a table, hostile parameter values are usage errors (never a 500)."""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from web_support import LiveServer, build_small_db, live_server

from lunshu.web.app import create_app

TOKEN = "s3cret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
S1 = "林望川在东岚市数字经济工作会议上强调，要以数字化改革撬动各领域改革。"
S2 = "东岚数字论坛已经成为区域数字合作的重要平台。"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return build_small_db(tmp_path / "w.db")


@pytest.fixture
def server(db: Path) -> Iterator[LiveServer]:
    with live_server(create_app(str(db), token=TOKEN)) as s:
        yield s


def test_the_upload_folder_cannot_be_hijacked(db: Path, tmp_path: Path) -> None:
    # an attacker who can write /tmp prepares the folder a server once used for this database
    predictable = Path(tempfile.gettempdir()) / ("lunshu-uploads-" + hashlib.sha1(
        str(db.resolve()).encode()).hexdigest()[:12])
    trap = tmp_path / "attacker"
    trap.mkdir()
    if predictable.is_symlink():
        predictable.unlink()
    elif predictable.exists():
        shutil.rmtree(predictable)  # left by a server of an older lunshu for this very (temporary) database
    predictable.symlink_to(trap)
    try:
        app = create_app(str(db), token=TOKEN)
        with live_server(app) as s, httpx.Client(base_url=s.url, timeout=120) as c:
            r = c.post("/api/ingest", files={"file": ("note.txt", f"上传\n\n{S1}".encode())}, headers=AUTH)
            assert r.status_code == 200, r.text
            assert r.json()["added"] == 1
            folder = app.state.upload_dir
        assert list(trap.iterdir()) == []  # nothing written through the link
        st = os.lstat(folder)
        assert stat.S_ISDIR(st.st_mode) and stat.S_IMODE(st.st_mode) == 0o700 and st.st_uid == os.geteuid()
        assert folder != predictable and folder.parent == Path(tempfile.gettempdir())
    finally:
        predictable.unlink()


def test_each_server_has_its_own_upload_folder_and_ids_stay_the_same(db: Path) -> None:
    files = {"file": ("speech.txt", f"讲话\n\n{S1}".encode())}
    seen = []
    for expected in ({"added": 1, "updated": 0, "unchanged": 0, "failed": []},
                     {"added": 0, "updated": 0, "unchanged": 1, "failed": []}):
        app = create_app(str(db), token=TOKEN)
        with live_server(app) as s, httpx.Client(base_url=s.url, timeout=120) as c:
            got = c.post("/api/ingest", files=files, headers=AUTH).json()
            assert {k: got[k] for k in expected} == expected
            seen.append(app.state.upload_dir)
            docs = [d for d in c.get("/api/docs").json() if d["origin"] == "speech.txt"]
            assert len(docs) == 1  # the origin is the upload's name, not a server path
    assert seen[0] != seen[1]


def test_uploads_are_never_written_through_a_link(db: Path, tmp_path: Path) -> None:
    from lunshu.web.api import upload_dir

    app = create_app(str(db), token=TOKEN)
    target = tmp_path / "precious.txt"
    target.write_text("keep me", encoding="utf-8")
    (upload_dir(app.state) / "a.txt").symlink_to(target)  # planted in the folder, however it got there
    with live_server(app) as s, httpx.Client(base_url=s.url, timeout=120) as c:
        r = c.post("/api/ingest", files={"file": ("a.txt", f"一\n\n{S1}".encode())}, headers=AUTH)
        assert r.status_code == 400, r.text
        assert r.json()["error"]["code"] == "bad_input"
        assert str(upload_dir(app.state)) not in r.text  # no server path in the message
    assert target.read_text(encoding="utf-8") == "keep me"


def test_a_tsv_upload_is_read_as_a_table(server: LiveServer) -> None:
    data = f"title\tdate\ttext\n表格一\t2019-05-20\t{S1}\n表格二\t2020-09-23\t{S2}\n".encode()
    with httpx.Client(base_url=server.url, timeout=120) as c:
        r = c.post("/api/ingest", files={"file": ("table.tsv", data)}, headers=AUTH)
        assert r.status_code == 200, r.text
        assert r.json()["added"] == 2, r.json()
        titles = {d["title"] for d in c.get("/api/docs").json()}
        assert {"表格一", "表格二"} <= titles
