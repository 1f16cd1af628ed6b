"""Gold for whole saved web pages, read from each page's own markup by a route of its own.

The 70 pages of ``../shared/corpora/12371-pages/`` come from one template (共产党员网, CCTV's CMS).
This script reads them with the standard library's ``html.parser`` only — it imports nothing of
lunshu — and writes, per page:

- ``title``: the text of the page's ``<h1>``;
- ``date``, ``source``, ``editor``: from the page's own ``发布时间：YYYY年MM月DD日 hh:mm 来源：X 编辑：Y``;
- the article: the text between ``<!--repaste.body.begin-->`` and ``<!--repaste.body.end-->``,
  one paragraph per block element, without what a reader does not read as the article: blocks
  whose every word is inside a link (related articles, columns), the headings of related-article
  lists (``延伸阅读``…), video prompts (``点击观看视频``) and photo captions (a block that ends with
  a photographer's credit: ``新华社记者 鞠鹏 摄``, ``X/摄``, ``（X 摄）``, ``新华社发``,
  ``图片来源：X``). Stored as its length, a SHA-1 of its
  normalised text (:func:`norm`) and its first and last ten characters — never the text itself.

The test (tests/test_page_gold.py) recomputes the article with :func:`article_paragraphs`, checks
it against the stored hash (so the gold cannot drift), and compares it with what ``lunshu
ingest`` stored.

    python tests/gold/make_page_gold.py ../shared/corpora/12371-pages > tests/gold/pages-12371.json
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
import unicodedata
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

BLOCK = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "br", "tr", "td", "table", "ul", "ol",
         "blockquote", "section", "center", "dd", "dt"}
SKIP = {"script", "style", "noscript", "iframe", "template"}
RELATED = re.compile(r"^(延伸阅读|相关阅读|相关链接|相关新闻|相关报道|推荐阅读)[：:]?$")
VIDEO = re.compile(r"^点击(观看|播放|收看)")
CREDIT = re.compile(r"(记者|摄影|通讯员)\s*\S{2,12}\s*/?\s*摄\s*[）)]?$|/\s*摄\s*[）)]?$|[（(]\S{2,12}\s*摄[）)]$"
                    r"|图片来源：[^。]{1,40}$|新华社发$")


def norm(s: str) -> str:
    """What gold and stored text are compared on: NFKC (full-width digits and punctuation folded),
    no whitespace."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", s))


class _Blocks(HTMLParser):
    """Text of each block, and how much of it sits inside links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, str]] = []  # (text, linked text)
        self._text: list[str] = []
        self._linked: list[str] = []
        self._skip = 0
        self._link = 0

    def _flush(self) -> None:
        t = re.sub(r"\s+", " ", "".join(self._text).replace("\u3000", " ")).strip()
        if t:
            self.blocks.append((t, "".join(self._linked)))
        self._text, self._linked = [], []

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in SKIP:
            self._skip += 1
        elif tag == "a":
            self._link += 1
        elif tag in BLOCK:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag == "a":
            self._link = max(0, self._link - 1)
        elif tag in BLOCK:
            self._flush()

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        self._text.append(data)
        if self._link:
            self._linked.append(data)

    def close(self) -> None:
        super().close()
        self._flush()


def _text_blocks(markup: str) -> list[tuple[str, str]]:
    p = _Blocks()
    p.feed(markup)
    p.close()
    return p.blocks


def article_paragraphs(page: str) -> list[str]:
    """The article's paragraphs as a reader sees them (see the module docstring)."""
    m = re.search(r"<!--repaste\.body\.begin-->(.*?)<!--repaste\.body\.end-->", page, re.DOTALL)
    if not m:
        return []
    out = []
    for text, linked in _text_blocks(m.group(1)):
        if norm(linked) and len(norm(linked)) >= len(norm(text)):
            continue
        if RELATED.match(text) or VIDEO.match(text) or CREDIT.search(text):
            continue
        out.append(text)
    return out


def page_gold(page: str) -> dict[str, Any]:
    title = ""
    m = re.search(r"<h1\b[^>]*>(.*?)</h1>", page, re.DOTALL | re.IGNORECASE)
    if m:
        title = " ".join(t for t, _ in _text_blocks(m.group(1)))
    line = ""
    for text, _ in _text_blocks(page):
        if "发布时间" in text and "来源" in text:
            line = text
            break
    dm = re.search(r"发布时间：\s*(\d{4})年(\d{1,2})月(\d{1,2})日", line)
    sm = re.search(r"来源：\s*(\S+)", line)
    em = re.search(r"编辑：\s*(\S+)", line)
    paras = article_paragraphs(page)
    text = norm("".join(paras))
    return {
        "title": title,
        "date": f"{dm.group(1)}-{int(dm.group(2)):02d}-{int(dm.group(3)):02d}" if dm else None,
        "source": sm.group(1) if sm else None,
        "editor": em.group(1) if em else None,
        "article_chars": len(text),
        "article_sha1": hashlib.sha1(text.encode("utf-8")).hexdigest(),
        "article_start": text[:10],
        "article_end": text[-10:],
    }


def build(folder: Path) -> dict[str, Any]:
    pages = {}
    for path in sorted(folder.glob("*.html")):
        pages[path.name] = page_gold(path.read_text(encoding="utf-8", errors="replace"))
    return {
        "about": "Gold of tests/test_page_gold.py, made by tests/gold/make_page_gold.py from each page's "
                 "markup (h1, the 发布时间/来源/编辑 line, the repaste.body container); article text kept "
                 "only as length, SHA-1 and its first and last ten characters.",
        "corpus": "12371-pages",
        "pages": pages,
    }


if __name__ == "__main__":
    print(json.dumps(build(Path(sys.argv[1])), ensure_ascii=False, indent=1))
