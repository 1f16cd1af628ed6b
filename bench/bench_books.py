"""Benchmark: ingest of a book, in pages per second, and its peak memory.

Why: a volume of collected works is a 400-page PDF; it must go through ``lunshu ingest`` page by
page (never held whole), and its cost should be that of reading the text layer, not of splitting.

Measured, each in a child process of its own (so that its peak RSS is its own), on the shared
邓小平文选 第一卷 (396 pages) and the two OCR volumes of 建国以来毛泽东文稿:

- **reference**: pypdf alone extracting the text of every page (what any PDF tool must do at least);
- **split**: ``lunshu.book.read_book`` — text layer, repairs, contents, pieces — without storing;
- **ingest**: ``Corpus.ingest`` of the file into a fresh database (split, then stored and indexed).

    .venv/bin/python bench/bench_books.py
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench_trace import CORPORA, ROOT, load_note, skip_if_no_shared, write_results

BOOKS = CORPORA / "collected-works"
PDF = BOOKS / "deng-xiaoping-wenxuan-1.pdf"
TEXTS = [BOOKS / "mao-zedong-wengao-2.txt", BOOKS / "mao-zedong-wengao-5.txt"]


def _child(kind: str, path: str) -> dict[str, Any]:
    t0 = time.perf_counter()
    out: dict[str, Any] = {}
    if kind == "reference":
        import pypdf

        reader = pypdf.PdfReader(path)
        chars = 0
        for page in reader.pages:
            chars += len(page.extract_text() or "")
        out = {"pages": len(reader.pages), "chars": chars}
    elif kind == "split":
        from lunshu.book import read_book
        from lunshu.ingest.pdf import pdf_pages

        if path.endswith(".pdf"):
            book = read_book(path, pages=pdf_pages(path))
        else:
            book = read_book(path, text=Path(path).read_text(encoding="utf-8"))
        out = {"pages": book.sheets, "pieces": len(book.pieces)}
    elif kind == "ingest":
        from lunshu import Corpus

        with tempfile.TemporaryDirectory() as tmp, Corpus(Path(tmp) / "b.db") as c:
            rep = c.ingest([path])
            out = {"added": rep.added, "failed": len(rep.failed)}
    out["seconds"] = time.perf_counter() - t0
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def run(kind: str, path: Path) -> dict[str, Any]:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    r = subprocess.run([sys.executable, __file__, "--child", kind, str(path)], capture_output=True, text=True,
                       env=env, check=True)
    return json.loads(r.stdout.strip().splitlines()[-1])


def main() -> None:
    if len(sys.argv) > 3 and sys.argv[1] == "--child":
        print(json.dumps(_child(sys.argv[2], sys.argv[3])))
        return
    skip_if_no_shared("collected-works/deng-xiaoping-wenxuan-1.pdf")
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    rows: list[dict[str, Any]] = []
    ref = run("reference", PDF)
    pages = ref["pages"]
    rows.append({"input": PDF.name, "run": "reference: pypdf extract_text of every page", **ref})
    split = run("split", PDF)
    rows.append({"input": PDF.name, "run": "split (lunshu.book.read_book)", **split})
    ing = run("ingest", PDF)
    rows.append({"input": PDF.name, "run": "ingest (Corpus.ingest, fresh database)", "pages": pages, **ing})
    for t in TEXTS:
        rows.append({"input": t.name, "run": "ingest (Corpus.ingest, fresh database)", **run("ingest", t)})
    lines = [f"# Books: ingest speed and memory ({started})", "", f"Machine: {load_note()}.", "",
             "| input | run | pages | seconds | pages/s | peak RSS MB | result |", "|---|---|---|---|---|---|---|"]
    for r in rows:
        p = r.get("pages")
        rate = f"{p / r['seconds']:.1f}" if p else "—"
        result = (f"{r['pieces']} pieces" if "pieces" in r else f"{r['added']} documents" if "added" in r
                  else f"{r['chars']} characters")
        lines.append(f"| {r['input']} | {r['run']} | {p or '—'} | {r['seconds']:.1f} | {rate} | "
                     f"{r['peak_rss_mb']:.0f} | {result} |")
    lines += ["", (f"Ingest of the PDF: {pages / ing['seconds']:.1f} pages/s against {pages / ref['seconds']:.1f} "
              f"pages/s for pypdf's extraction alone ({ing['seconds'] / ref['seconds']:.2f}x its time); peak RSS "
              f"{ing['peak_rss_mb']:.0f} MB against {ref['peak_rss_mb']:.0f} MB.")]
    md = "\n".join(lines)
    print(md)
    write_results("books", md, rows, {"started": started})


if __name__ == "__main__":
    main()
