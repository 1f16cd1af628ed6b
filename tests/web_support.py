"""Helpers for the web tests: a real uvicorn server on a free loopback port, a small hand-made
database, and raw HTTP for requests a normal client would tidy up (``..`` in paths)."""

from __future__ import annotations

import hashlib
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn

from lunshu.models import Document
from lunshu.store import Store


class LiveServer:
    """uvicorn serving ``app`` in a thread, on a socket bound to 127.0.0.1 with a free port."""

    def __init__(self, app: Any) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = int(self.sock.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, log_level="error", lifespan="off", access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def start(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()


@contextmanager
def live_server(app: Any) -> Iterator[LiveServer]:
    server = LiveServer(app).start()
    try:
        yield server
    finally:
        server.stop()


def raw_get(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    """GET exactly ``path`` (no client-side normalisation of ``..`` or percent escapes)."""
    lines = [f"GET {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    data = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(data)
        chunks = []
        while True:
            b = s.recv(65536)
            if not b:
                break
            chunks.append(b)
    raw = b"".join(chunks)
    head, _, body = raw.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, body


XSS_TITLE = "<script>alert(1)</script>"
XSS_TEXT = '网络治理<img src=x onerror=alert(2)>与"引号"&<b>粗体</b>'

# Short texts of our own (no excerpt of any real document): enough to search, trace and compare.
SMALL_DOCS: list[dict[str, Any]] = [
    {"id": "t-speech-2015", "title": "在第九届示例论坛开幕式上的讲话", "date": "2015-12-16", "speakers": ["王示例"],
     "genre": "speech", "source": "示例网", "url": "https://example.org/speech-2015.htm",
     "occasion": "第九届示例论坛开幕式",
     "paragraphs": ["女士们，先生们：", "数字空间是人类共同的家园，数字空间的未来应由各方共同开创。",
                    "我们愿同各方一道，推动构建数字空间共同体，让发展成果惠及各国人民。",
                    "互联网让世界变成了地球村。"]},
    {"id": "t-report-2016", "title": "王示例出席示例论坛并发表讲话", "date": "2016-01-05", "speakers": ["王示例"],
     "genre": "report", "source": "示例日报",
     "paragraphs": ["本报讯 示例论坛昨日开幕。", "王示例指出，数字空间是人类共同的家园。",
                    "他强调，推动构建数字空间共同体，让发展成果惠及各国人民。"]},
    {"id": "t-compilation-2020", "title": "王示例这样论述数字空间共同体", "date": "2020-03-01",
     "speakers": ["王示例"], "genre": "compilation", "source": "示例日报",
     "paragraphs": ["数字空间是人类共同的家园，数字空间的未来应由各方共同开创。",
                    "——2015年12月16日，王示例在第九届示例论坛开幕式上的讲话",
                    "互联网让世界变成了地球村。", "——2017年3月1日，王示例在某座谈会上的讲话"]},
    {"id": "t-letter-2020", "title": "致示例大会的贺信", "date": "2020-11-20", "speakers": ["王示例"],
     "genre": "letter", "paragraphs": ["值此大会开幕之际，我谨表示热烈祝贺。", "数字空间共同体理念日益深入人心。"]},
    {"id": "t-xss", "title": XSS_TITLE, "date": "2021-01-01", "speakers": ["<i>某人</i>"], "genre": "other",
     "source": "<b>源</b>", "url": "javascript:alert(3)", "occasion": "\"><svg onload=alert(4)>",
     "paragraphs": [XSS_TEXT, "数字空间与</mark><script>alert(5)</script>"]},
]


def build_small_db(path: Path) -> Path:
    """A real lunshu database from hand-made documents, written through ``Store.put``."""
    store = Store(path)
    with store.transaction() as conn:
        for d in SMALL_DOCS:
            doc = Document(id=d["id"], title=d["title"], date=d["date"], speakers=list(d["speakers"]),
                           occasion=d.get("occasion"), genre=d["genre"], source=d.get("source"),
                           url=d.get("url"), paragraphs=list(d["paragraphs"]),
                           raw="\n\n".join(d["paragraphs"]), origin=f"test:{d['id']}")
            doc.content_hash = hashlib.sha256(repr(sorted(d.items())).encode()).hexdigest()
            store.put(conn, doc)
    store.close()
    return path
