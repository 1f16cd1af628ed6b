"""Whole saved web pages: the article and the page's own statements, on sample pages of the layouts
of people.cn, news.cn / xinhuanet.com, qstheory.cn, gov.cn and of a layout no site rule knows.

The pages in tests/pages/ are fictional samples (marked so in each page) written in those layouts.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLES, run_cli
from hypothesis import given, settings
from hypothesis import strategies as st

from lunshu.clean import clean_body
from lunshu.ingest.page import extract_page, is_whole_page

PAGES = Path(__file__).resolve().parent / "pages"

# file -> (method, title, date, source, editor or author, first words of the article, last words)
EXPECTED: dict[str, tuple[str, str, str, str, str | None, str, str]] = {
    "people-cn.html": ("rule:people", "东岚市举行数字经济座谈会", "2021-04-02", "人民网－人民日报", "孟佳、韩立新",
                       "本报东岚4月1日电", "提出意见建议。"),
    "xinhua-news-cn.html": ("rule:xinhua", "林望川在首届东岚数字论坛开幕式上发表主旨演讲", "2019-05-20", "新华网", "王晓",
                            "新华社东岚5月20日电", "600余名嘉宾参加。"),
    "xinhuanet-old.html": ("rule:xinhua", "东岚滨江科技园新增数字企业百余家", "2019-05-18", "新华网", "李新",
                           "新华网东岚5月18日电", "实施数字工匠培养计划。"),
    "qstheory.html": ("rule:qstheory", "坚持创新驱动 建设数字东岚", "2021-04-01", "《求是》2021/07", "林望川",
                      "这是林望川同志", "携手推动数字经济高质量发展。"),
    "gov-cn.html": ("rule:govcn", "东岚市发布数字经济三年行动计划", "2021-04-02", "新华社", "王小明",
                    "新华社东岚4月2日电", "培养计划。"),
    "unknown-layout.html": ("trafilatura", "东岚港集装箱吞吐量创新高", "2022-01-05", "东岚日报", "周明远",
                            "港口经济", "一千三百万标准箱。"),
}
NOISE = ("统计代码", "分享", "打印", "点击观看视频", "相关", "版权", "责编", "责任编辑", "纠错", "扫一扫", "首页",
         "字体", "detailInfo", "__DATA__", "微信", "Copyright", "发布时间", "来源", "东岚数字论坛闭幕",
         "东岚港开通新航线", "登录", "差错类型")


def _paragraphs(page: Any) -> list[str]:
    return list(clean_body(page.article_html, "html").paragraphs)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample_page(name: str) -> None:
    method, title, date, source, person, first, last = EXPECTED[name]
    page = extract_page((PAGES / name).read_text(encoding="utf-8"))
    assert page is not None
    assert page.method == method
    assert (page.title, page.date, page.source) == (title, date, source)
    assert person in (page.editor, page.author)
    paras = _paragraphs(page)
    assert paras[0].startswith(first) and paras[-1].endswith(last)
    text = "\n".join(paras)
    for junk in NOISE:
        assert junk not in text, junk


def test_subtitle_and_keywords() -> None:
    page = extract_page((PAGES / "people-cn.html").read_text(encoding="utf-8"))
    assert page is not None
    assert page.subtitle == "——林望川主持并讲话"
    assert page.keywords == ["东岚", "数字经济", "座谈会"]


@pytest.mark.parametrize("name", sorted(n for n, e in EXPECTED.items() if e[0] != "trafilatura"))
def test_trafilatura_alone_reads_known_layouts_too(name: str) -> None:
    """Without its site rule a page still gives its article and its own date and source line."""
    _, title, date, source, _, first, last = EXPECTED[name]
    page = extract_page((PAGES / name).read_text(encoding="utf-8"), rules=())
    assert page is not None and page.method == "trafilatura"
    assert (page.title, page.date, page.source) == (title, date, source)
    text = "\n".join(_paragraphs(page))
    assert first in text and last in text
    for junk in ("统计代码", "点击观看视频", "Copyright", "扫一扫", "东岚数字论坛闭幕"):
        assert junk not in text


def test_title_fallbacks() -> None:
    body = "<p>" + "东岚港去年完成集装箱吞吐量一千二百万标准箱，创历史新高。" * 8 + "</p>"
    og = f'<html><head><meta property="og:title" content="甲标题"><title>乙标题_东岚日报</title></head><body>{body}</body></html>'
    assert extract_page(og).title == "甲标题"
    suffix = f"<html><head><title>乙标题示例_港口_东岚日报</title></head><body>{body}</body></html>"
    assert extract_page(suffix).title == "乙标题示例"
    centred = ('<html><head></head><body><div id="UCAP-CONTENT"><p style="text-align: center">'
               f"<strong>丙标题示例</strong></p>{body}</div></body></html>")
    assert extract_page(centred).title == "丙标题示例"


def test_fragments_are_not_pages() -> None:
    assert not is_whole_page('<div class="content"><p>正文</p></div>')
    assert not is_whole_page("<p>一段正文。</p><p>又一段。</p>")
    assert is_whole_page("<!DOCTYPE html>\n<html><body><p>正文</p></body></html>")
    assert is_whole_page("\ufeff<html>\n<head><title>t</title></head><body></body></html>")


def test_ingest_pages_through_the_cli(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    r = run_cli("ingest", str(PAGES), str(EXAMPLES / "report-2019-forum.html"), "--json", db=db)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["added"] == len(list(PAGES.glob("*.html"))) + 1  # (tests/test_pages_sites.py has more)
    docs = {Path(d["origin"]).name: d for d in
            (json.loads(x) for x in _export(db, tmp_path).splitlines())}
    for name, (_, title, date, source, _, _, last) in EXPECTED.items():
        d = docs[name]
        assert (d["title"], d["date"], d["source"]) == (title, date, source), name
        text = "\n".join(p["text"] if isinstance(p, dict) else p for p in d["paragraphs"])
        assert text.endswith(last), name  # (the metadata may take a dateline or header off the start)
        for junk in NOISE:
            assert junk not in text, (name, junk)
        assert "<html" in d["raw"].lower()  # the whole page is kept as the original
    report = docs["report-2019-forum.html"]
    assert (report["title"], report["date"], report["source"]) == (
        "林望川出席首届东岚数字论坛开幕式并发表主旨演讲", "2019-05-20", "东岚网")


def _export(db: Path, tmp: Path) -> str:
    out = tmp / "x.jsonl"
    r = run_cli("export", "--format", "jsonl", "--out", str(out), db=db)
    assert r.returncode == 0, r.stderr
    return out.read_text(encoding="utf-8")


_PAGE_PIECES = st.sampled_from(list("<>/=\"' abcdhp1") + [
    "<html>", "<body>", "<h1>", "</h1>", "<p>", "</p>", "<div id='detail'>", "</div>", "来源：", "发布时间：", "2021年4月2日",
    "<!--repaste.body.begin-->", "<!--repaste.body.end-->", "东岚港去年完成吞吐量。" * 5, "<script>", "</script>",
    "<a href='x'>", "</a>", "<!--", "-->", "<h2>——在会上的讲话</h2>", "&nbsp;", "<?xml version='1.0'?>"])


@settings(max_examples=150, deadline=None)
@given(st.lists(_PAGE_PIECES, max_size=60).map("".join))
def test_any_page_gives_an_article_or_none_never_an_error(body: str) -> None:
    page = extract_page("<!DOCTYPE html>" + body)
    if page is not None:
        assert page.article_html and page.method
        clean_body(page.article_html, "html")


def test_a_record_holding_a_whole_page(tmp_path: Path) -> None:
    """A scraped dump whose text field is a saved page: the article, the page's fields under the
    record's own."""
    page = (PAGES / "people-cn.html").read_text(encoding="utf-8")
    other = (PAGES / "xinhuanet-old.html").read_text(encoding="utf-8")
    dump = tmp_path / "dump.jsonl"
    dump.write_text(json.dumps({"id": "p1", "content": page}, ensure_ascii=False) + "\n"
                    + json.dumps({"id": "p2", "title": "记录自己的标题", "content": other}, ensure_ascii=False) + "\n",
                    encoding="utf-8")
    db = tmp_path / "d.db"
    r = run_cli("ingest", str(dump), "--json", db=db)
    assert r.returncode == 0, r.stderr
    p1 = json.loads(run_cli("show", "p1", "--json", db=db).stdout)
    p2 = json.loads(run_cli("show", "p2", "--json", db=db).stdout)
    assert (p1["title"], p1["date"], p1["source"]) == ("东岚市举行数字经济座谈会", "2021-04-02", "人民网－人民日报")
    assert (p2["title"], p2["date"]) == ("记录自己的标题", "2019-05-18")
    text = "".join(p["text"] for p in p1["paragraphs"])
    assert "提出意见建议" in text and "人民网首页" not in text and "统计代码" not in text


def test_date_and_url_when_the_page_has_no_date_line() -> None:
    body = "<h1>东岚港集装箱吞吐量创新高</h1><p>" + "东岚港去年完成集装箱吞吐量一千二百万标准箱，创历史新高。" * 8 + "</p>"
    saved = ("<!-- saved from url=(0058)http://www.news.cn/politics/2021-04/02/c_1127286587.htm -->\n"
             f"<html><head><title>t</title></head><body>{body}</body></html>")
    page = extract_page(saved)
    assert (page.url, page.date) == ("http://www.news.cn/politics/2021-04/02/c_1127286587.htm", "2021-04-02")
    meta = ('<html><head><meta name="publishdate" content="2021-04-03"><link rel="canonical" '
            f'href="http://politics.people.com.cn/n1/2021/0402/c1024-1.html"></head><body>{body}</body></html>')
    page = extract_page(meta)
    assert (page.url, page.date) == ("http://politics.people.com.cn/n1/2021/0402/c1024-1.html", "2021-04-03")
    logo = f'<html><head><title>东岚港集装箱吞吐量创新高_东岚日报</title></head><body><h1>东岚日报</h1>{body}</body></html>'
    assert extract_page(logo).title == "东岚港集装箱吞吐量创新高"


@pytest.mark.parametrize(("line", "date", "source", "editor"), [
    ("发布时间：2017年10月25日 16:59　　来源：新华社　　编辑：田延华", "2017-10-25", "新华社", "田延华"),
    ("来源：东岚网 发布时间：2019-05-20 10:00 责任编辑：孟佳", "2019-05-20", "东岚网", "孟佳"),
    ("2021年04月02日08:22 | 来源：人民网－人民日报", "2021-04-02", "人民网－人民日报", None),
    ("来源： 新华社 【字体：大 中 小】 2021-04-02", "2021-04-02", "新华社", None),
    ("【来源：东岚日报】【时间：2022/1/5】【编辑：周明远】", "2022-01-05", "东岚日报", "周明远"),
])
def test_the_page_s_own_date_and_source_line(line: str, date: str, source: str, editor: str | None) -> None:
    body = "<p>" + "东岚港去年完成集装箱吞吐量一千二百万标准箱，创历史新高。" * 8 + "</p>"
    html = (f"<html><head><title>东岚港_东岚网</title></head><body><div class='nav'>首页</div><h1>东岚港吞吐量创新高</h1>"
            f"<div class='info'>{line}</div><div class='content'>{body}</div><div class='footer'>来源：东岚网版权所有</div>"
            "</body></html>")
    page = extract_page(html)
    assert (page.date, page.source, page.editor) == (date, source, editor)


def test_a_page_in_gb18030_with_its_charset_declared(tmp_path: Path) -> None:
    page = (PAGES / "people-cn.html").read_text(encoding="utf-8").replace("charset=UTF-8", "charset=gb2312")
    path = tmp_path / "gbk.html"
    path.write_bytes(page.encode("gb18030"))
    db = tmp_path / "g.db"
    assert run_cli("ingest", str(path), db=db).returncode == 0
    d = json.loads(run_cli("docs", "--json", db=db).stdout)[0]
    assert (d["title"], d["date"], d["source"]) == ("东岚市举行数字经济座谈会", "2021-04-02", "人民网－人民日报")


def test_values_stop_at_wide_spaces_and_widgets() -> None:
    body = "<p>" + "东岚港去年完成集装箱吞吐量一千二百万标准箱，创历史新高。" * 8 + "</p>"
    for line, source in (("2021年04月02日 10:21\u3000来源：<a href='#'>东岚新闻网</a>\u3000参与互动", "东岚新闻网"),
                         ("<span class='time'>2021-04-02 05:00</span> 来源：<span><a>东岚日报</a></span> 分享", "东岚日报"),
                         ("来源：东岚电视台 | 2021年04月02日 19:58", "东岚电视台")):
        html = (f"<html><head><title>t</title></head><body><h1>东岚港吞吐量创新高</h1><div class='info'>{line}</div>"
                f"<div class='content'>{body}</div></body></html>")
        page = extract_page(html)
        assert (page.date, page.source) == ("2021-04-02", source), line


def test_pager_and_footer_lines_leave_the_article() -> None:
    body = "<p>" + "东岚港去年完成集装箱吞吐量一千二百万标准箱，创历史新高。" * 8 + "</p>"
    html = ('<html><body><h1>东岚港吞吐量</h1><div id="UCAP-CONTENT">' + body + "<p>上一页 1 2 3 下一页</p>"
            '<div class="page_nav"><a href="#">1</a></div><p>2021年港口经济增长8%。</p>'
            "<p>Copyright © 东岚日报 版权所有</p></div></body></html>")
    assert _paragraphs(extract_page(html))[1:] == ["2021年港口经济增长8%。"]
