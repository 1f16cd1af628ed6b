"""Quality gate for books: the shared volumes, split by `lunshu ingest`, against tests/gold/books.json.

The gold (tests/gold/make_book_gold.py) is read from the volumes by a route of its own: the PDF's
table of contents and pages, the OCR volumes' pieces delimited by their source statements
(``根据…刊印``). Measured through the CLI (ingest, then export) on what users get:

- ``book_title``: share of gold pieces found as a document of the book whose title matches
  (Chinese characters compared; OCR'd titles differ by a character or two: similarity >= 0.8);
- ``book_date``: share of those gold pieces with a readable date whose document has that date;
- ``book_span``: share of gold pieces whose document's text starts at the gold first sentence
  (within a salutation's length) and ends at the gold last sentence (within a signature's);
- ``book_lost``: share of the Chinese characters of the pieces' original text (after their date
  line, running heads aside) that are in neither the text nor the notes of the documents.

Floors in tests/gold/floors.json; they only rise.
"""

from __future__ import annotations

import difflib
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from conftest import CORPORA, ROOT, run_cli

BOOKS = CORPORA / "collected-works"
GOLD = json.loads((ROOT / "tests" / "gold" / "books.json").read_text(encoding="utf-8"))
FLOORS = json.loads((ROOT / "tests" / "gold" / "floors.json").read_text(encoding="utf-8"))
_NOT_HAN = re.compile("[^\u3400-\u4dbf\u4e00-\u9fff]+")

pytestmark = pytest.mark.skipif(not BOOKS.is_dir(), reason=f"shared books not found at {BOOKS} (set LUNSHU_SHARED)")


def han(s: str) -> str:
    return _NOT_HAN.sub("", s or "")


def sim(a: str, b: str) -> float:
    a, b = han(a), han(b)
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() if a and b else 0.0


def match(gold: list[dict[str, Any]], docs: list[dict[str, Any]]) -> list[dict[str, Any] | None]:
    """Each gold piece's document: the monotone alignment of greatest total title similarity, pairs
    of similarity >= 0.8 only (a dynamic programme: near-identical titles of one day do not pull the
    alignment out of order)."""
    m, k = len(gold), len(docs)
    w: dict[tuple[int, int], float] = {}
    for i, g in enumerate(gold):
        for j in range(max(0, i - 200), min(k, i + 400)):
            s = sim(g["title"], docs[j]["title"] or "")
            if s >= 0.8:
                w[(i, j)] = s + (0.01 if g["date"] and docs[j]["date"] == g["date"] else 0.0)
    best = [[0.0] * (k + 1) for _ in range(m + 1)]
    for i in range(1, m + 1):
        for j in range(1, k + 1):
            v = max(best[i - 1][j], best[i][j - 1])
            if (i - 1, j - 1) in w:
                v = max(v, best[i - 1][j - 1] + w[(i - 1, j - 1)])
            best[i][j] = v
    out: list[dict[str, Any] | None] = [None] * m
    i, j = m, k
    while i > 0 and j > 0:
        if (i - 1, j - 1) in w and abs(best[i][j] - best[i - 1][j - 1] - w[(i - 1, j - 1)]) < 1e-9:
            out[i - 1] = docs[j - 1]
            i, j = i - 1, j - 1
        elif abs(best[i][j] - best[i - 1][j]) < 1e-9:
            i -= 1
        else:
            j -= 1
    return out


def span_ok(g: dict[str, Any], doc: dict[str, Any]) -> bool:
    text = han("".join(p["text"] for p in doc["paragraphs"]))
    first, last = han(g["first"]), han(g["last"])
    head = text[:len(first) + 30]
    tail = text[-(len(last) + 60):]
    return bool(first) and bool(last) and first in head and last in tail


_DATE_LINE = re.compile(r"^\s*[（(《〈【\[“习]\s*\S{3,6}\s*年.{0,24}$")
_HEAD = re.compile(r"^\s*\S.{0,40}?\s\d{1,4}\s*$|^\s*\d{1,4}\s*$")


def lost_chars(doc: dict[str, Any]) -> tuple[int, int]:
    """(characters of the original after the date line not found in text or notes, all of them)."""
    raw = doc["raw"].splitlines()
    k = next((i for i, ln in enumerate(raw[:12]) if _DATE_LINE.match(ln.replace(" ", ""))
              or _DATE_LINE.match(ln)), None)
    body = raw[k + 1:] if k is not None else raw
    body = [ln for ln in body if not _HEAD.match(ln)]
    want = Counter(han("".join(body)))
    have = Counter(han("".join(p["text"] for p in doc["paragraphs"]) + "".join(doc.get("notes") or [])))
    return sum((want - have).values()), sum(want.values())


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict[str, Any]]]:
    d = tmp_path_factory.mktemp("books")
    db = d / "books.db"
    r = run_cli("ingest", "--json", *(str(BOOKS / name) for name in GOLD), db=db)
    assert r.returncode == 0, r.stderr
    out = d / "all.jsonl"
    assert run_cli("export", "--out", str(out), db=db).returncode == 0
    docs = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    by_book: dict[str, list[dict[str, Any]]] = {}
    for name in GOLD:
        mine = [x for x in docs if x["origin"].split("#")[0].endswith(name)]
        mine.sort(key=lambda x: int(x["origin"].rsplit("#", 1)[1]))  # book order: the piece's number
        by_book[name] = mine
    return by_book


def scores(exported: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    n = titled = dated = date_ok = span = lost = total = 0
    per: dict[str, dict[str, float]] = {}
    for name, g in GOLD.items():
        docs = exported[name]
        m = match(g["pieces"], docs)
        t = sum(1 for x in m if x is not None)
        dn = sum(1 for p in g["pieces"] if p["date"])
        dok = sum(1 for p, x in zip(g["pieces"], m) if x is not None and p["date"] and x["date"] == p["date"])
        sp = sum(1 for p, x in zip(g["pieces"], m) if x is not None and span_ok(p, x))
        lo = [lost_chars(x) for x in docs]
        per[name] = {"pieces": len(g["pieces"]), "docs": len(docs), "title": t / len(g["pieces"]),
                     "date": dok / max(dn, 1), "span": sp / len(g["pieces"]),
                     "lost": sum(a for a, _ in lo) / max(1, sum(b for _, b in lo))}
        n += len(g["pieces"])
        titled += t
        dated += dn
        date_ok += dok
        span += sp
        lost += sum(a for a, _ in lo)
        total += sum(b for _, b in lo)
    return {"book_title": titled / n, "book_date": date_ok / dated, "book_span": span / n,
            "book_lost": lost / total, "per_book": per}


def test_books_against_gold(exported: dict[str, list[dict[str, Any]]]) -> None:
    s = scores(exported)
    print(json.dumps(s, ensure_ascii=False, indent=1))
    assert s["book_title"] >= FLOORS["book_title"]
    assert s["book_date"] >= FLOORS["book_date"]
    assert s["book_span"] >= FLOORS["book_span"]
    assert s["book_lost"] <= FLOORS["book_lost_max"]


def test_source_page_range_and_order(exported: dict[str, list[dict[str, Any]]]) -> None:
    deng = exported["deng-xiaoping-wenxuan-1.pdf"]
    assert {d["source"] for d in deng} == {"邓小平文选 第一卷"}
    speech = next(d for d in deng if d["title"] == "在扩大的中央工作会议上的讲话")
    assert (speech["date"], speech["page_start"], speech["page_end"], speech["genre"], speech["speakers"]) == \
        ("1962-02-06", 297, 317, "speech", ["邓小平"])
    assert speech["paragraphs"][0]["page"] == 297 and speech["paragraphs"][-1]["page"] == 317
    # the volumes' front and back matter are not pieces
    titles = {d["title"] for x in exported.values() for d in x}
    assert not titles & {"出版说明", "目录", "注释", "编后记", "第二版出版说明"}
    for name, g in GOLD.items():
        assert {d["source"] for d in exported[name]} == {g["source"]}, name


def test_page_in_search_hits_and_docs_in_book_order(exported: dict[str, list[dict[str, Any]]],
                                                    tmp_path: Path) -> None:
    db = tmp_path / "deng.db"
    assert run_cli("ingest", str(BOOKS / "deng-xiaoping-wenxuan-1.pdf"), db=db).returncode == 0
    listed = json.loads(run_cli("docs", "--json", "--source", "邓小平文选", db=db).stdout)
    gold = GOLD["deng-xiaoping-wenxuan-1.pdf"]["pieces"]
    assert [d["page_start"] for d in listed] == sorted(d["page_start"] for d in listed)
    assert len(listed) == len(gold)
    hits = json.loads(run_cli("search", "--json", "我的话完了", db=db).stdout)["hits"]
    assert any(h["title"] == "在扩大的中央工作会议上的讲话" and h["page"] == 317 for h in hits)
