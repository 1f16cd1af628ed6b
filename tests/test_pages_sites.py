"""Site layouts beyond those of tests/test_pages.py, on fictional sample pages written in their
markup (tests/pages/README): CCTV's news pages (the article between ``repaste`` comment pairs, the
date in ``info1``, editors in a ``zebian`` block after the article), people.cn's ``d2txt`` template
(``<h2>——…</h2>`` subtitle, a by-line and ``date 来源：…`` in ``d2txt_1``, ``（责编：…）`` after the
article), and a layout no rule knows whose line gives the source before the time
(``来源：… 发布时间：… 作者：…``). Each through its site rule, through trafilatura alone, and through
``lunshu ingest`` (what the document stores: title, subtitle, date, source, editor, no noise).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_cli

from lunshu.clean import clean_body
from lunshu.ingest.page import extract_page

PAGES = Path(__file__).resolve().parent / "pages"

# file -> (method, title, subtitle, date, source, editor, author, first words, last words)
EXPECTED = {
    "cctv-news.html": ("rule:cctv", "东岚市召开数字经济推进大会", None, "2021-04-02", "央视网", "刘亮", None,
                       "央视网消息：东岚市2日", "超过百分之十。"),
    "people-cn-d2txt.html": ("rule:people", "坚持创新驱动 建设数字东岚", "——在东岚市数字经济工作会议上的讲话", "2019-04-29",
                             "人民网－人民日报", "孟佳、韩立新", "林望川", "今天，我们召开", "推动数字经济高质量发展。"),
    "source-before-time.html": ("trafilatura", "东岚港集装箱航线增至六十条", None, "2022-01-05", "东岚日报", None, "周明远",
                                "记者从东岚港集团获悉", "一千四百万标准箱。"),
}
NOISE = ("统计代码", "分享", "打印", "点击观看视频", "相关", "版权", "责编", "编辑", "扫一扫", "首页", "微信", "Copyright",
         "发布时间", "来源：", "东岚港开通新航线", "东岚数字论坛", "登录", "ICP", "itemid", "gtag")


@pytest.mark.parametrize("name", sorted(EXPECTED))
@pytest.mark.parametrize("rules", ["site", "none"])
def test_site_layout(name: str, rules: str) -> None:
    method, title, subtitle, date, source, editor, author, first, last = EXPECTED[name]
    src = (PAGES / name).read_text(encoding="utf-8")
    page = extract_page(src) if rules == "site" else extract_page(src, rules=())
    assert page is not None
    assert page.method == (method if rules == "site" else "trafilatura")
    assert (page.title, page.subtitle, page.date, page.source) == (title, subtitle, date, source)
    assert (page.editor, page.author) == (editor, author)
    paras = [p for p in clean_body(page.article_html, "html").paragraphs if p != title]  # trafilatura may keep the <h1>
    assert paras[0].startswith(first) and paras[-1].endswith(last), paras
    text = "\n".join(paras)
    for junk in NOISE:
        assert junk not in text, junk


def test_the_documents_these_pages_become(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    for name in EXPECTED:
        r = run_cli("ingest", str(PAGES / name), "--json", db=db)
        assert r.returncode == 0, r.stderr
    docs = {d["title"]: d for d in json.loads(run_cli("docs", "--json", db=db).stdout)}
    for name, (_m, title, subtitle, date, source, editor, _a, first, last) in EXPECTED.items():
        d = docs[title]
        assert (d["date"], d["source"], d["editor"]) == (date, source, editor), name
        assert d["subtitle"] == (subtitle.lstrip("—") if subtitle else None), name
        shown = json.loads(run_cli("show", d["id"], "--json", db=db).stdout)
        texts = [p["text"] for p in shown["paragraphs"]]
        assert texts[0].startswith(first) and texts[-1].endswith(last), (name, texts)  # the repeated title is not text
