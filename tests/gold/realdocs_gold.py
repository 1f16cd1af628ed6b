"""Build the real-documents gold set at test time, from the shared Xinhua corpus and the seeds.

The Xinhua corpus (``xinhua-xi-speeches-2022-2025.json``) separates paragraphs by runs of
U+3000/U+2003; with the marks removed its texts are what users bring from CSV exports and scraped
pages — a header run into the body, no paragraph breaks. The marks are the gold paragraphs; the
hand-checked metadata of each record (its own title, the day it says it was delivered, speakers,
genre, the outlet its text names) is in ``realdocs_expected.json``, keyed by URL.

Variants written (nothing from the corpus is committed, only this generator):

- ``runon.csv``: ``Date,Text`` — an export of the official database with only those two columns;
- ``api.json``: the official database's API shape ``title,input_date,origin_name,newcontent,
  article_id`` with run-on ``newcontent``;
- ``scraped.json``: a scraper's dump ``title,date,author,editor,article,text`` with ``article`` an
  HTML fragment and ``text`` the list of paragraphs;
- ``text/NNN.txt``: the run-on text alone, no field at all.
"""

from __future__ import annotations

import csv
import hashlib
import html
import json
import re
from pathlib import Path
from typing import Any

CORPUS_NAME = "xinhua-xi-speeches-2022-2025.json"
EXPECTED = Path(__file__).with_name("realdocs_expected.json")
_MARKS = re.compile("[\u3000\u2003]{2,}")
_ANY_MARK = re.compile("[\u3000\u2003]+")


def gold_paragraphs(text: str) -> list[str]:
    """The paragraphs of a Xinhua text: the runs of U+3000/U+2003 are the breaks."""
    return [p.strip() for p in _MARKS.split(text) if p.strip()]


def run_on(text: str) -> str:
    """The text as a CSV export gives it: every U+3000/U+2003 mark removed."""
    return _ANY_MARK.sub("", text)


def load(corpus: Path) -> list[dict[str, Any]]:
    return list(json.loads(corpus.read_text(encoding="utf-8")))


def article_id(url: str) -> str:
    return "x" + hashlib.sha1(url.encode()).hexdigest()[:10]


def write_variants(corpus: Path, out: Path) -> dict[str, Path]:
    records = load(corpus)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"runon": out / "runon.csv", "api": out / "api.json", "scraped": out / "scraped.json",
             "text": out / "text"}
    with open(paths["runon"], "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["Date", "Text"])
        for r in records:
            w.writerow([r["publication"][:10], run_on(r["text"])])
    api = [{"title": r["title"], "input_date": r["publication"], "origin_name": "新华网",
            "newcontent": run_on(r["text"]), "article_id": article_id(r["url"])} for r in records]
    paths["api"].write_text(json.dumps(api, ensure_ascii=False), encoding="utf-8")
    scraped = []
    for r in records:
        paras = [_ANY_MARK.sub(" ", p).strip() for p in gold_paragraphs(r["text"])]
        scraped.append({"title": r["title"], "date": r["publication"], "author": "新华社", "editor": "",
                        "article": "".join(f"<p>{html.escape(p)}</p>" for p in paras), "text": paras,
                        "url": r["url"]})
    paths["scraped"].write_text(json.dumps(scraped, ensure_ascii=False), encoding="utf-8")
    paths["text"].mkdir(exist_ok=True)
    for i, r in enumerate(records):
        (paths["text"] / f"{i:03d}.txt").write_text(run_on(r["text"]), encoding="utf-8")
    return paths


PAGES_DIR = "12371-pages"
_REPASTE = re.compile(r"<!--repaste\.(title|body)\.begin-->(.*?)<!--repaste\.\1\.end-->", re.DOTALL)


def page_record(page: Path) -> dict[str, Any]:
    """A saved 12371.cn page as the official database's API gives a record: its title, 发布时间,
    来源 and article text (its ``<p>`` paragraphs, returned in ``paragraphs`` as the gold)."""
    s = page.read_text(encoding="utf-8", errors="replace")
    parts = {m.group(1): m.group(2) for m in _REPASTE.finditer(s)}
    title = re.sub(r"<[^>]+>", "", parts.get("title", "")).strip()
    when = re.search(r"发布时间：\s*([0-9]{4})[-年]([0-9]{1,2})[-月]([0-9]{1,2})日?\s*([0-9]{1,2}:[0-9]{2})?", s)
    source = re.search(r"来源：\s*(?:<[^>]+>\s*)*([^<&\s]+)", s)
    paragraphs = []
    for chunk in re.split(r"</p>|<br\s*/?>", parts.get("body", ""), flags=re.IGNORECASE):
        text = html.unescape(re.sub(r"<[^>]+>", "", chunk)).replace("\xa0", " ").strip()
        if text:
            paragraphs.append(text)
    date = f"{when.group(1)}-{int(when.group(2)):02d}-{int(when.group(3)):02d} {when.group(4) or '00:00'}:00" if when else None
    return {"title": title, "input_date": date,
            "origin_name": source.group(1) if source else None,
            "newcontent": run_on("".join(paragraphs)), "article_id": page.stem, "paragraphs": paragraphs}


def write_pages(pages: Path, out: Path) -> tuple[Path, dict[str, dict[str, Any]]]:
    """``pages_api.json``: the 12371 pages as API records; returns the path and the records by id."""
    records = {p.stem: page_record(p) for p in sorted(pages.glob("*.html"))}
    out.mkdir(parents=True, exist_ok=True)
    path = out / "pages_api.json"
    path.write_text(json.dumps([{k: v for k, v in r.items() if k != "paragraphs"} for r in records.values()],
                               ensure_ascii=False), encoding="utf-8")
    return path, records
