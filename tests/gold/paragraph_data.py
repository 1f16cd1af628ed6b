"""Run-on texts with their authors' paragraphs, from the shared corpora (nothing is committed).

Each document is ``(doc_id, corpus, split, paragraphs)``: its own paragraphs as published, the
run-on text being their concatenation with every paragraph mark removed. The split is by time, by
document, so that the held-out documents are later than (or from other sources than) the ones the
paragraph scorer is trained on:

- Xinhua speeches (U+3000 marks): 2022–2024 train, 2025 held out;
- 12371 pages (``<p>`` paragraphs): 2017–2018 train, 2019–2021 held out;
- government work reports (newlines): before 2000 train, 2000 and later held out;
- CPC congress reports (newlines): all held out (never seen in training).

Used by ``train_paragraphs.py`` (fits the scorer) and ``tests/test_paragraph_gold.py`` (measures it).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

from realdocs_gold import CORPUS_NAME, PAGES_DIR, gold_paragraphs, page_record, run_on

HELD_OUT_XINHUA = "2025"  # the first year of the held-out Xinhua documents
HELD_OUT_PAGES = "2019"  # and of the held-out 12371 pages
_NEWLINES = re.compile(r"\n+")
# the Wikisource licence notes that end the reports' records are not part of the report
_LICENCE = re.compile(r"Public domain|^本作品|^注：中文维基文库|^本模板|^[a-z]+$")


def _lines(content: str) -> list[str]:
    """The paragraphs of a report given one per line: the licence notes at the end dropped, and
    lines broken inside a quotation or a title (a line ending on “ or 《, one opening on ” or 》)
    joined back."""
    out: list[str] = []
    for line in _NEWLINES.split(content.replace("\u200b", "")):
        line = run_on(line).strip()
        if not line:
            continue
        if _LICENCE.search(line):
            break
        if out and (out[-1][-1] in "“《（‘" or line[0] in "”》）’，、。；："):
            out[-1] += line
        else:
            out.append(line)
    return out


def documents(shared: Path) -> Iterator[tuple[str, str, str, list[str]]]:
    corpora = shared / "corpora"
    path = corpora / CORPUS_NAME
    if path.is_file():
        for r in json.loads(path.read_text(encoding="utf-8")):
            paras = [run_on(p) for p in gold_paragraphs(r["text"])]
            split = "test" if r["publication"][:4] >= HELD_OUT_XINHUA else "train"
            yield r["url"], "xinhua", split, [p for p in paras if p]
    pages = corpora / PAGES_DIR
    if pages.is_dir():
        for page in sorted(pages.glob("*.html")):
            rec = page_record(page)
            year = (rec["input_date"] or "0000")[:4]
            paras = [run_on(p).strip() for p in rec["paragraphs"]]
            yield page.stem, "pages", "test" if year >= HELD_OUT_PAGES else "train", [p for p in paras if p]
    path = corpora / "government-work-reports-1954-2025.jsonl"
    if path.is_file():
        for k, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
            r = json.loads(line)
            year = str(r.get("year") or "")
            if not year:
                m = re.search(r"(19|20)[0-9]{2}", r.get("title", ""))
                year = m.group(0) if m else "0000"
            yield f"gwr{k}", "reports", "test" if year >= "2000" else "train", _lines(r["content"])
    path = corpora / "cpc-congress-reports.jsonl"
    if path.is_file():
        for k, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
            r = json.loads(line)
            yield f"cpc{k}", "cpc", "test", _lines(r["content"])


def boundaries(paragraphs: list[str]) -> set[int]:
    """The character offsets, in the run-on text, where a paragraph begins (the first one aside)."""
    out = set()
    pos = 0
    for p in paragraphs[:-1]:
        pos += len(p)
        out.add(pos)
    return out


def f1(gold: set[int], ours: set[int]) -> tuple[int, int, int]:
    tp = len(gold & ours)
    return tp, len(ours) - tp, len(gold) - tp
