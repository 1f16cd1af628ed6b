"""A whole saved web page reduced to its article, and what the page says about it.

A page of a news or party site carries, around one article, navigation, scripts, share and print
widgets, video prompts, related-article lists and a footer. :func:`extract_page` returns the
article as an HTML fragment (the cleaner turns it into paragraphs) and the page's own statements as
record fields: ``title`` (the ``<h1>``; else ``og:title``; else ``<title>`` without its site
suffix; else the article's first centred or bold line), ``subtitle`` (``——在…上的讲话`` in an
``<h2>``/``<h3>``), ``date``/``source``/``editor``/``author`` from the page's own
``发布时间：… 来源：… 编辑：…`` line (never the site's name), ``url`` (canonical link) and
``publisher_keywords`` (a ``关键词：`` line or the keywords meta tag).

How the article is found: the site rules of :data:`RULES` first (markup known from the sites'
templates: CCTV/12371's ``repaste.body`` comments, people.cn ``rm_txt_con``/``d2txt_con``, Xinhua
``#detail``, qstheory ``highlight``, gov.cn ``UCAP-CONTENT``), each tried by its markup, not by
the file's name, and only taken when the container holds text rather than links; then
trafilatura, a maintained main-text extractor, for any other layout. Inside the article the same
page furniture goes whatever the route: scripts, images, share/print widgets, "点击观看视频",
link-only lines and related-article headings.

Everything is a pure function of the page text. Fragments (an HTML body without ``<html>``,
``<head>`` or ``<body>``) are not pages: :func:`is_whole_page` says no and the cleaner reads them
as before.
"""

from __future__ import annotations

import html as _html
import re
from dataclasses import dataclass, field
from typing import Any

from lunshu.dates import parse_date

# ----------------------------------------------------------------------------------------------
# what a page is

_PAGE_START = re.compile(r"<(?:!doctype\s+html|html[\s>]|head[\s>]|body[\s>])", re.IGNORECASE)
_MAX_PAGE = 8 * 1024 * 1024  # characters parsed as a page; bigger input is read as a fragment
_MAX_FALLBACK = 1024 * 1024  # characters handed to trafilatura


def is_whole_page(text: str) -> bool:
    """A saved page (``<!doctype html>``, ``<html>``, ``<head>`` or ``<body>`` near its start), not a
    fragment of one."""
    return bool(_PAGE_START.search(text, 0, 4096)) and len(text) <= _MAX_PAGE


@dataclass
class Page:
    """What :func:`extract_page` found: the article and the page's statements about it."""

    article_html: str
    method: str  # "rule:<name>" or "trafilatura"
    title: str | None = None
    subtitle: str | None = None
    date: str | None = None
    source: str | None = None
    editor: str | None = None
    author: str | None = None
    url: str | None = None
    keywords: list[str] = field(default_factory=list)

    def fields(self) -> dict[str, Any]:
        """Record fields under the reader's canonical names (empty ones left out)."""
        out: dict[str, Any] = {}
        for key, value in (("title", self.title), ("subtitle", self.subtitle), ("date", self.date),
                           ("source", self.source), ("editor", self.editor), ("author", self.author),
                           ("url", self.url), ("publisher_keywords", self.keywords)):
            if value:
                out[key] = value
        return out


# ----------------------------------------------------------------------------------------------
# site rules


def _cls(name: str) -> str:
    """XPath test: the element's class list holds ``name``."""
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


@dataclass(frozen=True)
class SiteRule:
    """Where one family of sites keeps its article. ``body``: XPaths of the article container,
    first match wins; ``marker``: a ``<!--X.begin-->…<!--X.end-->`` comment pair holding it
    instead; ``title``/``info``: XPaths of the title and of the date/source line when the generic
    search would not find them; ``example``: where this markup is seen."""

    name: str
    example: str
    body: tuple[str, ...] = ()
    marker: str | None = None
    title_marker: str | None = None
    title: tuple[str, ...] = ()
    info: tuple[str, ...] = ()


RULES: tuple[SiteRule, ...] = (
    SiteRule("cctv", "www.12371.cn/2019/04/29/ARTI….shtml, news.cctv.com (CCTV's CMS)",
             marker="repaste.body", title_marker="repaste.title",
             info=(f"//*[{_cls('time')}]",)),
    SiteRule("people", "politics.people.com.cn/n1/2021/0402/c1024-….html, cpc.people.com.cn",
             body=(f"//div[{_cls('rm_txt_con')}]", "//div[@id='rwb_zw']", f"//div[{_cls('d2txt_con')}]",
                   f"//div[{_cls('box_con')}]", f"//div[{_cls('show_text')}]", f"//div[{_cls('text_con')}]")),
    SiteRule("xinhua", "www.news.cn/politics/2021-04/02/c_….htm, www.xinhuanet.com",
             body=("//*[@id='detailContent']", "//div[@id='detail']", "//div[@id='p-detail']"),
             title=(f"//*[{_cls('head-line')}]//*[{_cls('title')}]", f"//div[{_cls('h-title')}]"),
             info=(f"//*[{_cls('header-time')}]/..", f"//*[{_cls('h-info')}]")),
    SiteRule("qstheory", "www.qstheory.cn/dukan/qs/2021-04/01/c_….htm",
             body=(f"//div[{_cls('highlight')}]",)),
    SiteRule("govcn", "www.gov.cn/xinwen/2021-04/02/content_….htm",
             body=("//*[@id='UCAP-CONTENT']", f"//div[{_cls('pages_content')}]", f"//div[{_cls('article-content')}]"),
             info=(f"//*[{_cls('pages-date')}]",)),
)


# ----------------------------------------------------------------------------------------------
# text patterns of the page's own statements

_DATE = re.compile(
    r"(?<![0-9])(?:[12][0-9]{3}\s*年\s*[01]?[0-9]\s*月\s*[0-3]?[0-9]\s*日"
    r"|[12][0-9]{3}[-/.][01]?[0-9][-/.][0-3]?[0-9](?![0-9])"
    r"|[12][0-9]{3}\s+[01]?[0-9]\s*/\s*[0-3]?[0-9](?![0-9]))"
)
_LABEL = r"(?:发布时间|发布日期|发表时间|发表日期|更新时间|时间|日期|来源|稿源|出处|作者|责任编辑|责编|编辑|字号|浏览|点击|分享|打印|纠错)"
_WIDGET = r"(?:参与互动|我要评论|评论|字号|字体|收藏|打印|分享|纠错|浏览|阅读|点击|手机看|扫一扫|复制链接)"
_STOP = (r"(?=\s{2,}|\s*[|｜【\[]|\s/\s|\s*[】\]）)]|\s*" + _LABEL + r"\s*[：:]|\s+" + _WIDGET + "|$)")
_SOURCE = re.compile(r"(?<!图片)(?<!图)(?:稿件|文章|信息|新闻)?(?:来源|稿源|出处)\s*[：:]\s*(.{1,60}?)" + _STOP)
# the editor in charge (责任编辑/责编) before an editor (编辑) when a line names both
_EDITOR = re.compile(r"(?:责任编辑|责编|编辑)\s*[：:]\s*(.{1,40}?)" + _STOP)
_EDITOR_IN_CHARGE = re.compile(r"(?:责任编辑|责编)\s*[：:]\s*(.{1,40}?)" + _STOP)
_AUTHOR = re.compile(r"作者\s*[：:]\s*(.{1,40}?)" + _STOP)
_INFO_HINT = re.compile(r"来源\s*[：:]|稿源\s*[：:]|发布时间|发布日期|发表时间|责任编辑|责编\s*[：:]|编辑\s*[：:]|作者\s*[：:]")
_TIMED = re.compile(r"time|date|pubtime|riqi|shijian", re.IGNORECASE)  # an element's class naming its date
_KEYWORDS_LINE = re.compile(r"^\s*关键词\s*[：:]\s*(.{1,200})$")
_SUBTITLE = re.compile(r"^\s*[—─－-]{1,2}\s*\S")
_TITLE_SUFFIX = re.compile(r"\s*(?:[_|｜]|\s[-—–]\s|--)\s*")
_WS = re.compile(r"\s+")
_ONE_WS = re.compile(r"[ \t\r\n\f\v]")
_WIDE_WS = re.compile(r" {2,}")
_VIDEO = re.compile(r"^[【\[（(]?\s*(?:点击(?:观看|播放|收看|查看)(?:视频|直播|全文|大图)?|观看视频|视频[：:]|视频加载中|"
                    r"收听本文|播放视频)[^。！？]{0,20}[】\]）)]?$")
_RELATED = re.compile(r"^[【\[]?\s*(?:延伸阅读|相关阅读|相关链接|相关新闻|相关报道|相关文章|推荐阅读|往期回顾|更多阅读|"
                      r"更多精彩|热点推荐|精彩推荐|相关专题)\s*[】\]]?\s*[：:]?$")
_PAGER = re.compile(r"^(?:上一页|下一页|首页|尾页|末页|共\s*\d+\s*页|第\s*\d+\s*页|\d{1,3}|[\[\]<>«»｜|]|\s)+$")
_FOOTER = re.compile(r"copyright|all rights reserved|版权所有|ICP备|ICP证|网站声明|关于我们", re.IGNORECASE)
_EDITOR_LINE = re.compile(r"^[（(【\[]?\s*(?:责任编辑|责编|编辑)\s*[：:]\s*[^。！？]{1,40}?[)）】\]]?$")
_CHROME = re.compile(
    r"(?:^|[\s_\-])(?:nav|navbar|menu|footer|breadcrumbs?|crumbs?|share|sharing|bdshare\w*|fenxiang|dayin|print|"
    r"related|recommend|comments?|sidebar|banner|ads?|advert\w*|copyright|search|toolbar|login|pager|pagination|"
    r"qrcode|erweima|wxfx|video|player|audio|editor|edit|zbj|xgxw|xgyd|fanye|turnpage|page_?nav)(?=$|[\s_\-])",
    re.IGNORECASE,
)
_DROP = ("script", "style", "noscript", "template", "iframe", "object", "embed", "video", "audio", "source",
         "img", "svg", "canvas", "input", "button", "select", "textarea", "map", "link", "meta")
_BLOCKS = ("p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "dd", "dt", "section", "center", "blockquote",
           "figcaption", "span", "font", "strong", "b", "i", "em", "a")
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def _text(el: Any) -> str:
    """An element's text, whitespace collapsed: a run of several spaces (or an ideographic space,
    the separator of ``来源：X　编辑：Y``) stays two, what the value patterns stop at."""
    t = el.text_content().replace("\u3000", "  ").replace("\xa0", " ")
    return _WIDE_WS.sub("  ", _ONE_WS.sub(" ", t)).strip()


def _han(s: str) -> int:
    return len(_HAN.findall(s))


# ----------------------------------------------------------------------------------------------
# the extraction


def extract_page(text: str, rules: tuple[SiteRule, ...] = RULES) -> Page | None:
    """The article of a whole page and what the page says about it; ``None`` when the page holds no
    article text (the caller then reads the page as a fragment). ``rules``: the site rules to try
    before trafilatura (none: trafilatura alone)."""
    import lxml.html
    from lxml import etree

    src = re.sub(r"\A\ufeff?\s*<\?xml[^>]*>", "", text).lstrip("\ufeff")
    try:
        root = lxml.html.document_fromstring(src)
    except (etree.ParserError, ValueError):
        return None
    meta = _meta(root)
    container: Any = None
    method = ""
    rule_used: SiteRule | None = None
    for rule in rules:
        container = _rule_container(rule, src, root)
        if container is not None:
            method, rule_used = f"rule:{rule.name}", rule
            break
    for bad in root.xpath("//script|//style|//noscript|//template"):
        _drop(bad)
    page = Page("", method or "trafilatura")
    page.url = meta.get("url")
    page.keywords = meta.get("keywords", [])
    _info(page, root, container, rule_used)
    page.title = _title(root, container, rule_used, src, meta)
    page.subtitle = _subtitle(root, container, page.title)
    if container is not None:
        page.article_html = _article(container, page)
    else:
        page.article_html = _fallback(src, page)
    if not page.url:
        m = _SAVED_FROM.search(src, 0, 4096)
        page.url = m.group(1) if m else None
    if not page.date:
        page.date = meta.get("date") or _url_date(page.url)
    if not page.source:
        page.source = meta.get("source")
    if not page.author:
        page.author = meta.get("author")
    if not page.article_html or _han(_fragment_text(page.article_html)) == 0:
        return None
    return page


def _drop(el: Any) -> None:
    """Remove an element but keep its tail text (the words after it belong to its parent)."""
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    if tail and tail.strip():
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)


def _rule_container(rule: SiteRule, src: str, root: Any) -> Any:
    import lxml.html

    if rule.marker:
        m = re.search(rf"<!--\s*{re.escape(rule.marker)}\.begin\s*-->(.*?)<!--\s*{re.escape(rule.marker)}\.end\s*-->",
                      src, re.DOTALL)
        if m and _han(re.sub(r"<[^>]*>", "", m.group(1))) >= 20:
            try:
                return lxml.html.fragment_fromstring(m.group(1), create_parent="div")
            except (ValueError, Exception):  # noqa: BLE001 - lxml raises several types for junk
                return None
        return None
    for xp in rule.body:
        for el in root.xpath(xp):
            if _is_article(el):
                return el
    return None


def _is_article(el: Any) -> bool:
    """A container holds an article: some text, most of it not inside links."""
    text = _text(el)
    han = _han(text)
    if han < 20:
        return False
    linked = sum(_han(_text(a)) for a in el.iter("a"))
    return linked <= 0.5 * han


def _meta(root: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    names = {
        "og:title": "title", "twitter:title": "title", "headline": "title", "title": "title_meta",
        "og:url": "url", "url": "url", "keywords": "keywords", "news_keywords": "keywords",
        "article:published_time": "date", "publishdate": "date", "pubdate": "date", "publish_date": "date",
        "firstpublishedtime": "date", "datepublished": "date", "date": "date", "dc.date": "date",
        "source": "source", "contentsource": "source", "author": "author", "og:site_name": "site",
    }
    for m in root.iter("meta"):
        name = (m.get("property") or m.get("name") or m.get("itemprop") or "").strip().lower()
        key = names.get(name)
        content = _WS.sub(" ", m.get("content") or "").strip()
        if key and content and key not in out:
            out[key] = content
    for link in root.xpath("//link[@rel='canonical']"):
        href = (link.get("href") or "").strip()
        if href.startswith(("http://", "https://")):
            out["url"] = href
            break
    if "url" in out and not out["url"].startswith(("http://", "https://")):
        del out["url"]
    if "date" in out:
        out["date"] = _date_of(out["date"])
        if not out["date"]:
            del out["date"]
    if "source" in out:
        out["source"] = _clean_value(re.sub(r"^\s*(?:来源|稿源)\s*[：:]\s*", "", out["source"]))
    kw = out.get("keywords")
    out["keywords"] = [k for k in re.split(r"[,，;；、\s]+", kw) if k] if isinstance(kw, str) else []
    ts = root.xpath("//title")
    if ts:
        out["html_title"] = _text(ts[0])
    return out


_SAVED_FROM = re.compile(r"<!--\s*saved from url=\(\d+\)(https?://[^\s>]{1,2000}?)\s*-->", re.IGNORECASE)
# a publication date in an article URL: /2021-04/02/, /2019/04/29/, /n1/2021/0402/, t20210402_
_URL_DATE = re.compile(r"/((?:19|20)[0-9]{2})-?([01][0-9])/([0-3][0-9])/|/((?:19|20)[0-9]{2})/([01][0-9])/?([0-3][0-9])/"
                       r"|/t((?:19|20)[0-9]{2})([01][0-9])([0-3][0-9])_")


def _url_date(url: str | None) -> str | None:
    m = _URL_DATE.search(url or "")
    if not m:
        return None
    y, mo, d = (g for g in m.groups() if g is not None)
    return parse_date(f"{y}-{mo}-{d}")


def _date_of(s: str) -> str | None:
    m = _DATE.search(s)
    if not m:
        return None
    d = m.group(0)
    yd = re.match(r"([12][0-9]{3})\s+([01]?[0-9])\s*/\s*([0-3]?[0-9])$", d)
    if yd:
        d = f"{yd.group(1)}-{yd.group(2)}-{yd.group(3)}"
    iso = parse_date(re.sub(r"\s+", "", d) if "年" in d else d)
    return iso if iso and len(iso) == 10 else None


def _clean_value(s: str | None) -> str | None:
    if not s:
        return None
    s = _WS.sub(" ", s).strip(" 　:：|｜/[]【】()（）\"'“”")
    return s or None


def _inside(el: Any, container: Any) -> bool:
    if container is None:
        return False
    while el is not None:
        if el is container:
            return True
        el = el.getparent()
    return False


def _info(page: Page, root: Any, container: Any, rule: SiteRule | None) -> None:
    """Date, source, editor and author from the page's own line (``发布时间：… 来源：… 编辑：…``).

    Candidates are the short elements outside the article (and not around it) that hold such a
    label, or a date in an element whose class names a time; a rule's own info elements come
    first. Date and source come from the candidate holding most of the two, nearest to the article
    (a sidebar's dated list is further away), editor and author from the shortest holding them.
    """
    anchor = container
    if anchor is None or anchor.getroottree().getroot() is not root:
        # the article was cut out of the page text (a comment pair): find its place in the page
        anchor = None
        if rule is not None and rule.marker:
            marks = root.xpath(f"//comment()[contains(., '{rule.marker}.begin')]")
            anchor = marks[0].getparent() if marks else None
        if anchor is None:
            anchor = next(iter(root.iter("h1")), None)
    order = {el: i for i, el in enumerate(root.iter())}
    at = order.get(anchor, 0)
    candidates: list[tuple[int, int, int, str]] = []  # (rule first, distance to the article, length, text)
    if rule is not None:
        for xp in rule.info:
            for el in root.xpath(xp):
                t = _text(el)
                if t and len(t) <= 300:
                    candidates.append((0, 0, len(t), t))
    article = anchor if anchor is not None and anchor.tag != "h1" else None
    found: list[tuple[Any, str]] = []
    for el in root.iter(*_BLOCKS):
        if _inside(el, article) or _inside(article, el):
            continue
        t = _text(el)
        if t and len(t) <= 200 and (_INFO_HINT.search(t) or (len(t) <= 60 and _DATE.search(t) and _TIMED.search(
                (el.get("class") or "") + " " + (el.get("id") or "")))):
            found.append((el, t))
    inner = {el for el, _ in found}
    for el, t in found:
        # the innermost element saying it: "来源：新华社", not the bar around it with its share buttons
        if any(d is not el and d in inner and _score(_text(d)) >= _score(t) for d in el.iter(*_BLOCKS)):
            continue
        # a sentence ("…。图为…") is a caption or the article, not the page's info line
        candidates.append((1 + ("。" in t), abs(order.get(el, 0) - at), len(t), t))
    if article is not None and not any(_DATE.search(c[3]) for c in candidates):
        for el in article.iter(*_BLOCKS):
            t = _text(el)
            if t and _is_info_line(t):
                candidates.append((2, 0, len(t), t))
    dated = sorted(candidates, key=lambda c: (c[0], -bool(_DATE.search(c[3])) - bool(_SOURCE.search(c[3])), c[1], c[2]))
    for _, _, _, t in dated:
        page.date = page.date or _date_of(t)
        m = _SOURCE.search(t)
        page.source = page.source or (_clean_value(m.group(1)) if m else None)
    for _, _, _, t in sorted(candidates, key=lambda c: (c[0], c[2], c[1])):
        page.editor = page.editor or _editor_in(t)
        m = _AUTHOR.search(t)
        page.author = page.author or (_clean_value(m.group(1)) if m else None)
    if page.editor is None:  # an editor line after the article ("（责编：…）", CCTV's "编辑：… 责任编辑：…")
        for el in root.iter(*_BLOCKS):
            t = _text(el)
            if t and len(t) <= 60 and _EDITOR_LINE.match(t) and order.get(el, 0) > at:
                page.editor = _editor_in(t)
                break
    if not page.keywords:
        for el in root.iter("div", "p", "span"):
            if _inside(el, container):
                continue
            m = _KEYWORDS_LINE.match(_text(el))
            if m:
                page.keywords = [k for k in re.split(r"[,，;；、\s]+", m.group(1)) if k]
                break


def _editor_in(t: str) -> str | None:
    """The editor a line names: the editor in charge (责任编辑/责编) before an editor (编辑)."""
    m = _EDITOR_IN_CHARGE.search(t) or _EDITOR.search(t)
    return _clean_value(m.group(1)) if m else None


def _is_info_line(t: str) -> bool:
    """The page's date/source line (``发布时间：2022-01-05 来源：东岚日报``), when it sits inside the article."""
    return len(t) <= 120 and _score(t) >= 4


def _score(t: str) -> int:
    return (2 if _DATE.search(t) else 0) + (2 if _SOURCE.search(t) else 0) + (1 if _EDITOR.search(t) else 0)


def _title(root: Any, container: Any, rule: SiteRule | None, src: str, meta: dict[str, Any]) -> str | None:
    if rule is not None:
        if rule.title_marker:
            # the first pair is often the empty one of the page's head: take the first with words
            for m in re.finditer(rf"<!--\s*{re.escape(rule.title_marker)}\.begin\s*-->(.*?)<!--\s*"
                                 rf"{re.escape(rule.title_marker)}\.end\s*-->", src, re.DOTALL):
                t = _clean_title(_html.unescape(re.sub(r"<[^>]*>", "", m.group(1))))
                if t:
                    return t
        for xp in rule.title:
            for el in root.xpath(xp):
                t = _clean_title(_text(el))
                if t:
                    return t
    h1s = [(_clean_title(_text(el)), el) for el in root.iter("h1")]
    ht_parts = [p.strip() for p in _TITLE_SUFFIX.split(meta.get("html_title", "")) if p.strip()]
    sites = set(ht_parts[1:]) | {meta.get("site", "")}  # "标题_频道_网站": channel and site names
    h1s = [(t, el) for t, el in h1s if t and len(t) >= 4 and not _in_link_or_logo(el) and t not in sites]
    if h1s:
        page_title = meta.get("html_title", "") + " " + meta.get("title", "")
        h1s.sort(key=lambda p: (not (p[0] in page_title and _han(p[0]) >= 6), -_han(p[0])))
        return h1s[0][0]
    og = _clean_title(meta.get("title"))
    if og:
        return og
    ht = meta.get("html_title")
    if ht:
        parts = [p for p in _TITLE_SUFFIX.split(ht) if p.strip()]
        if parts:
            t = _clean_title(parts[0] if len(parts[0]) >= 4 else ht)
            if t:
                return t
    scope = container if container is not None else root.find("body")
    if scope is not None:
        for el in scope.iter("p", "div", "h2", "h3", "center", "strong", "b"):
            t = _text(el)
            if not t or len(t) > 80 or len(t) < 4 or t.endswith(("。", "：", ":")):
                continue
            style = (el.get("style") or "").replace(" ", "").lower()
            centred = "text-align:center" in style or (el.get("align") or "").lower() == "center" or el.tag == "center"
            bold = el.tag in ("strong", "b") or (len(el) == 1 and el[0].tag in ("strong", "b")
                                                 and _text(el[0]) == t)
            if centred or bold:
                return _clean_title(t)
            if _han(t) >= 10:
                break
    return None


def _in_link_or_logo(el: Any) -> bool:
    while el is not None:
        if el.tag == "a" or re.search(r"logo", (el.get("class") or "") + " " + (el.get("id") or ""), re.IGNORECASE):
            return True
        el = el.getparent()
    return False


def _clean_title(t: str | None) -> str | None:
    if not t:
        return None
    t = _WS.sub(" ", t).strip()
    return t if _han(t) or len(t) >= 4 else None


def _subtitle(root: Any, container: Any, title: str | None) -> str | None:
    for el in root.iter("h2", "h3", "h4"):
        if _inside(el, container):
            continue
        t = _text(el)
        if not t or len(t) > 150 or t == title:
            continue
        if _SUBTITLE.match(t) or re.search(r"(?:^|\s)sub", el.get("class") or ""):
            return t
    return None


_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)


def _is_chrome(el: Any) -> bool:
    """Page furniture by its class or id (share, print, related, editor, pager…), or hidden from
    the reader (``display:none``: a correction form, a QR code box)."""
    for attr in ("class", "id"):
        v = el.get(attr)
        if v and _CHROME.search(v):
            return True
    style = el.get("style")
    return bool(style and _HIDDEN.search(style))


def _link_only(el: Any) -> bool:
    """Every word of the block is inside a link (a related article, a column, a video), or
    outside links there is only a related-articles heading (``延伸阅读<br><a>…</a>``)."""
    t = re.sub(r"\s", "", el.text_content())
    if not t:
        return False
    linked = [re.sub(r"\s", "", a.text_content()) for a in el.iter("a") if a.get("href")]
    if not any(linked):
        return False
    rest = t
    for piece in linked:
        rest = rest.replace(piece, "", 1) if piece else rest
    return not rest or bool(_RELATED.match(rest))


def _article(container: Any, page: Page) -> str:
    """The container without its furniture, serialised as an HTML fragment."""
    import lxml.html
    from lxml import etree

    for el in list(container.iter(etree.Comment)):
        _drop(el)
    for el in list(container.iter(*_DROP)):
        _drop(el)
    for el in list(container.iter()):
        if el is not container and el.getparent() is not None and isinstance(el.tag, str) and _is_chrome(el):
            t = _text(el)
            m = _EDITOR_LINE.match(t) if t else None
            if m and page.editor is None:
                page.editor = _editor_in(t)
            _drop(el)
    for el in list(container.iter("p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "center", "td", "span")):
        if el.getparent() is None or el is container:
            continue
        if any(child.tag in ("p", "div", "li", "table", "ul", "ol") for child in el):
            continue  # only leaf blocks are judged
        t = _text(el)
        if not t:
            continue
        if (_VIDEO.match(t) or _RELATED.match(t) or _link_only(el) or _is_info_line(t)
                or (len(t) <= 120 and _FOOTER.search(t)) or ("页" in t and _PAGER.match(t))):
            _drop(el)
        elif _EDITOR_LINE.match(t):
            if page.editor is None:
                page.editor = _editor_in(t)
            _drop(el)
    return lxml.html.tostring(container, encoding="unicode", method="html")


def _fallback(src: str, page: Page) -> str:
    """trafilatura's main text of a page no site rule knows, as HTML paragraphs (pages of more than
    ``_MAX_FALLBACK`` characters are left to the cleaner: trafilatura's time grows faster than the
    page, 5 s for 400 KB of nested blocks)."""
    if len(src) > _MAX_FALLBACK:
        return ""
    import trafilatura

    def run(**how: bool) -> str:
        try:
            return trafilatura.extract(src, output_format="html", include_comments=False, include_tables=True,
                                       include_images=False, include_links=False, deduplicate=False,
                                       with_metadata=False, **how) or ""
        except Exception:  # noqa: BLE001 - the extractor must never stop an ingest
            return ""

    # precision first: on the 70 pages of 12371.cn without their site rule it keeps 99.95% of the
    # article with no noise, where recall mode keeps 100% with 1% noise; recall when precision
    # finds (next to) nothing, e.g. a short article that trafilatura's precision mode discards
    out = run(favor_precision=True)
    if _han(_fragment_text(out)) < 100:
        more = run(favor_recall=True)
        if _han(_fragment_text(more)) > _han(_fragment_text(out)):
            out = more
    if not out:
        return ""
    import lxml.html

    try:
        body = lxml.html.document_fromstring(out).find("body")
    except Exception:  # noqa: BLE001
        return out
    if body is None:
        return out
    return _article(body, page)


def _fragment_text(fragment: str) -> str:
    return re.sub(r"<[^>]*>", "", fragment)


def _xpath_md(xp: str) -> str:
    """An XPath of the table as a reader would write the selector (``div.rm_txt_con``, ``#detail``)."""
    xp = re.sub(r"contains\(concat\(' ', normalize-space\(@class\), ' '\), ' ([\w-]+) '\)", r".\1", xp)
    xp = re.sub(r"@id='([\w-]+)'", r"#\1", xp)
    return xp.replace("//", " ").replace("[", "").replace("]", "").replace("*", "").strip()


def understands_rows() -> list[str]:
    """The section of docs/understands.md on web pages, generated from :data:`RULES`."""
    out = ["| site rule | seen on | article | title, date line |", "|---|---|---|---|"]
    for r in RULES:
        article = f"`<!--{r.marker}.begin-->…<!--{r.marker}.end-->`" if r.marker else \
            ", ".join(f"`{_xpath_md(x)}`" for x in r.body)
        extra = ([f"`<!--{r.title_marker}.begin-->`"] if r.title_marker else []) + \
            [f"`{_xpath_md(x)}`" for x in r.title + r.info]
        out.append(f"| `{r.name}` | {r.example} | {article} | {', '.join(extra) or 'generic'} |")
    return out


__all__ = ["RULES", "Page", "SiteRule", "extract_page", "is_whole_page", "understands_rows"]
