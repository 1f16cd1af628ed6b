"""The cleaner: a record's body text → clean paragraphs, and an account of everything removed.

"Clean without losing words": every piece of text the cleaner drops is recorded in
``Cleaned.removed`` with the rule that dropped it, so nothing disappears silently and the tests can
check that each Han character of the input is either kept or accounted for.

Steps, in order: front matter, Python-repr-wrapped text (``'…\\n…'``), HTML (with the page's
chrome: navigation, share bars, related links, footers) or Markdown to text, lines → paragraphs
(blank lines, single newlines, runs of U+3000/U+2003 indentation; soft line breaks of wiki exports
are joined), per-paragraph normalisation (half-width digits and Latin letters; Chinese punctuation
kept), noise (photo captions, image ids, share prompts, binary-digit art, licence boilerplate),
then, until nothing changes: repair of lines broken by page breaks and removal of repeated blocks.
Everything is a pure function of the text; rules are named in ``Removal.rule``.
"""

from __future__ import annotations

import html as _html
import itertools
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from lunshu.chars import FULLWIDTH_ALNUM
from lunshu.frontmatter import FRONT_MATTER, MAX_FRONT_MATTER, load_yaml
from lunshu.noise import strip_noise

# ----------------------------------------------------------------------------------------------
# character classes

HAN_RANGES = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
HAN_RE = re.compile(f"[{HAN_RANGES}\U00020000-\U0002ffff]")
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f]")

# full-width digits, Latin letters, the ideographic space and ％ → ASCII; one character for one,
# so offsets survive. Chinese punctuation (，。：；！？“”《》（）) is deliberately not touched.
_HALF = dict(FULLWIDTH_ALNUM)
_HALF[0x3000] = 0x20
_HALF[0xFF05] = 0x25  # ％
_HALF_TABLE = str.maketrans(_HALF)
_FW_ANY = re.compile("[\u3000\uff05\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")
_FW_DECIMAL = re.compile(r"(?<=[0-9０-９])．(?=[0-9０-９])")


def to_halfwidth(s: str) -> str:
    """Full-width digits, Latin letters, ideographic space and ％ to ASCII.

    ``１１月１６日`` → ``11月16日``; a full-width point between digits becomes ``.``
    (``３．６８`` → ``3.68``). Chinese punctuation stays as it is (``，`` stays ``，``). The result
    has the same length as the input, character for character, and the function is idempotent.
    """
    if _FW_ANY.search(s):
        s = s.translate(_HALF_TABLE)
    if "．" in s:
        s = _FW_DECIMAL.sub(".", s)
    return s


def han_count(s: str) -> int:
    return len(HAN_RE.findall(s))


_LATIN_EDGE = re.compile(r"[A-Za-z0-9]")
_WS_RUN = re.compile(r"\s+")
_SPACE_AROUND_CJK = re.compile(
    rf"(?<=[{HAN_RANGES}\u3000-\u303f\uff00-\uffef\u2018-\u201f\u2014\u2026])\s+|"
    rf"\s+(?=[{HAN_RANGES}\u3000-\u303f\uff00-\uffef\u2018-\u201f\u2014\u2026])"
)


def normalize_for_match(s: str) -> str:
    """The form in which search and trace compare text.

    What it does: full-width digits/Latin → half-width (:func:`to_halfwidth`); zero-width
    characters removed; Latin letters case-folded to lower case; whitespace next to a Han
    character or to Chinese (full-width) punctuation removed (``2022 年 7 月`` → ``2022年7月``,
    ``李 强`` → ``李强``); any other run of whitespace becomes one space (``Public  Domain`` →
    ``public domain``, so Latin words are never glued together); ends trimmed. Punctuation is
    otherwise kept as it is (the aligner decides how to treat ``，`` against ``,``). Idempotent.
    """
    s = _ZERO_WIDTH.sub("", to_halfwidth(s)).lower()
    s = _SPACE_AROUND_CJK.sub("", s)
    return _WS_RUN.sub(" ", s).strip()


# ----------------------------------------------------------------------------------------------
# result types


@dataclass
class Removal:
    rule: str  # "caption", "image_id", "share_prompt", "binary_art", "repeated", "html", …
    text: str


@dataclass
class Cleaned:
    paragraphs: list[str]
    removed: list[Removal]
    # metadata the body itself carried (YAML front matter of a text body), under its own keys
    front_matter: dict[str, Any] = field(default_factory=dict)


# ----------------------------------------------------------------------------------------------
# front matter, repr-wrapped text



def split_front_matter(text: str) -> tuple[dict[str, Any], str, str]:
    """``(fields, body, block)`` of a text that starts with YAML front matter; else ``({}, text, "")``."""
    m = FRONT_MATTER.match(text)
    if not m or not re.search(r"^\s*[\w\-]+\s*:", m.group(1), re.MULTILINE):
        return {}, text, ""
    meta: Any
    try:  # (lunshu.frontmatter: aliases refused, as for a Markdown file; bounded like it)
        meta = load_yaml(m.group(1)) if len(m.group(1)) <= MAX_FRONT_MATTER else None
    except (yaml.YAMLError, RecursionError, ValueError, TypeError):
        meta = None
    if not isinstance(meta, dict):
        meta = {}
        for line in m.group(1).splitlines():
            k, sep, v = line.partition(":")
            if sep and k.strip() and not k.startswith((" ", "\t", "-")):
                meta[k.strip()] = v.strip().strip("'\"")
    return {str(k): v for k, v in meta.items()}, text[m.end():], m.group(0)


_REPR_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|[nrt'\"\\])")


def _unwrap_repr(text: str) -> str:
    """Text stored as a Python repr (``'…\\n\\n…'``, literal escapes) back to plain text.

    Only when it clearly is one: literal ``\\n`` escapes outnumber real newlines.
    """
    literal = text.count("\\n")
    if literal < 2 or literal <= text.count("\n"):
        return text
    s = text.strip()
    if len(s) >= 2 and s[0] == s[-1] and s[0] in "'\"":
        s = s[1:-1]

    def unescape(m: re.Match[str]) -> str:
        e = m.group(1)
        if e[0] in "ux":
            return chr(int(e[1:], 16))
        return {"n": "\n", "r": "\n", "t": "\t"}.get(e, e)

    return _REPR_ESCAPE.sub(unescape, s)


# ----------------------------------------------------------------------------------------------
# HTML and Markdown

_HTML_SNIFF = re.compile(
    r"</?(?:p|div|br|span|strong|img|a|h[1-6]|li|ul|ol|table|tr|td|section|article|em|b|i|font|center|"
    r"blockquote|figure|figcaption|html|body|head)\b[^<>]*>",
    re.IGNORECASE,
)
_BLOCK_TAGS = frozenset(
    ["p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "tr", "table", "tbody", "thead", "tfoot", "blockquote", "section", "article", "header", "footer", "aside", "nav", "figure", "figcaption", "dd", "dt", "dl", "pre", "hr", "address", "main", "form", "fieldset", "caption", "center", "title"]
)
_DROP_TAGS = frozenset(["script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "math",
                        "select", "textarea", "head"])
_TAG = re.compile(r"<(/?)([A-Za-z][\w:\-]*)((?:[^<>\"']|\"[^\"]*\"|'[^']*')*)(/?)>")
_COMMENT = re.compile(r"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<![^>]*>|<\?[^>]*\?>", re.DOTALL)
_HTML_WS = re.compile(r"[ \t\r\n\f]+")
_IMAGE_BOX = re.compile(r"\b(?:img_box|image_box|imagebox|img-box|pic_box|photo_box)\b", re.IGNORECASE)


def looks_like_html(text: str) -> bool:
    return len(_HTML_SNIFF.findall(text[:20000], 0)) >= 2


def _html_to_text(markup: str, removed: list[Removal] | None = None) -> str:
    """HTML → text with ``\n\n`` between blocks and ``\n`` for ``<br>``.

    Dropped on purpose, with their content: comments, script/style/…, image boxes (elements whose
    class names them so, e.g. ZAKER's ``img_box``) and the page's chrome — ``nav``/``footer``/
    ``aside`` and elements whose class or id says navigation, breadcrumb, share, related, comments,
    sidebar, banner, ad, copyright, search, logo. Every tag goes with its attributes. Whatever is
    dropped and holds Han characters is recorded in ``removed``.
    """
    out: list[str] = []
    pos = 0
    skip: list[Any] | None = None  # [tag name, depth, rule, start, end of start tag] of a dropped element

    def note(rule: str, text: str) -> None:
        if removed is not None and HAN_RE.search(text):
            removed.append(Removal(rule, text))

    for cm in _COMMENT.finditer(markup):
        note("html", cm.group(0))
    markup = _COMMENT.sub(" ", markup)
    for m in _TAG.finditer(markup):
        closing, name, attrs, selfclosing = m.group(1) == "/", m.group(2).lower(), m.group(3), bool(m.group(4))
        if skip is None:
            out.append(_HTML_WS.sub(" ", markup[pos:m.start()]))
        pos = m.end()
        if skip is not None and skip[0] == "head" and not closing and name not in _HEAD_TAGS:
            note(skip[2], markup[skip[3]:m.start()])  # an unclosed <head> ends where the body begins
            skip = None
        if skip is not None:
            if name == skip[0]:
                if closing:
                    skip[1] -= 1
                    if skip[1] == 0:
                        note(skip[2], markup[skip[3]:m.end()])
                        skip = None
                        out.append("\n\n")
                elif not selfclosing:
                    skip[1] += 1
            continue
        if not closing and not selfclosing and name not in _VOID_TAGS:
            rule = None
            if name in _DROP_TAGS:
                rule = "html"
            elif attrs and _IMAGE_BOX.search(attrs):
                rule = "image"
            elif name in _CHROME_TAGS or (attrs and _is_chrome(attrs)):
                rule = "page_chrome"
            if rule:
                skip = [name, 1, rule, m.start(), m.end()]
                continue
        if attrs:
            note("html", m.group(0))
        if name == "br":
            out.append("\n")
        elif name in _BLOCK_TAGS or name == "img":
            out.append("\n\n")
    if skip is not None and skip[2] in ("page_chrome", "image"):
        # never closed: a broken page, not chrome; keep what follows the tag
        return _html.unescape("".join(out)).replace("\xa0", " ") + "\n\n" + _html_to_text(markup[skip[4]:], removed)
    if skip is not None:
        note(skip[2], markup[skip[3]:])
    else:
        out.append(_HTML_WS.sub(" ", markup[pos:]))
    text = _html.unescape("".join(out))
    return text.replace("\xa0", " ")


_VOID_TAGS = frozenset(["img", "br", "hr", "input", "meta", "link", "area", "base", "col", "embed", "source",
                        "track", "wbr", "param"])
_CHROME_TAGS = frozenset(["nav", "footer", "aside"])
_HEAD_TAGS = frozenset(["title", "meta", "link", "style", "script", "base", "noscript", "template"])
_CLASS_OR_ID = re.compile(r"""\b(?:class|id)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
_CHROME_TOKEN = re.compile(
    r"(?:^|[\s_\-])(?:nav|navbar|menu|footer|breadcrumbs?|crumbs?|share|sharing|related|recommend|comments?|"
    r"sidebar|banner|ads?|advert\w*|copyright|search|logo|toolbar|login|pager|pagination)(?=$|[\s_\-])",
    re.IGNORECASE,
)


def _is_chrome(attrs: str) -> bool:
    for m in _CLASS_OR_ID.finditer(attrs):
        if _CHROME_TOKEN.search(m.group(1) or m.group(2) or m.group(3) or ""):
            return True
    return False


def html_to_text(html: str) -> str:
    """HTML → text: block elements become paragraph breaks (``\\n\\n``), ``<br>`` a line break;
    entities decoded; img, script, style and image boxes dropped; source whitespace collapsed."""
    return _html_to_text(html)


_MD_IMAGE = re.compile(r"!\[([^\[\]\n]{0,300})\]\(([^()\s]{0,2000})(?:\s+\"[^\"\n]{0,300}\")?\)")
_MD_LINK = re.compile(r"\[([^\[\]\n]{1,300})\]\(([^()\s]{0,2000})(?:\s+\"[^\"\n]{0,300}\")?\)")
_MD_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$", re.MULTILINE)
_MD_RULE = re.compile(r"^[ \t]{0,3}(?:[-*_][ \t]*){3,}$|^[ \t]{0,3}(?:=+|-+)[ \t]*$|^[ \t]*(?:```|~~~)[\w+\-]*[ \t]*$",
                      re.MULTILINE)
_MD_QUOTE = re.compile(r"^[ \t]{0,3}>[ \t]?", re.MULTILINE)
_MD_EMPH = re.compile(r"(\*\*|__)(?=\S)([^\n*_]{1,300}?)(?<=\S)\1|(?<![\w*])\*(?=\S)([^*\n]{1,300}?)(?<=\S)\*(?![\w*])")
_MD_CODE = re.compile(r"`([^`\n]+)`")


def _markdown_to_text(text: str, removed: list[Removal]) -> str:
    """Markdown syntax off, words kept: headings, emphasis, links (their text), rules, quotes."""
    for m in _MD_IMAGE.finditer(text):
        removed.append(Removal("image", m.group(0)))
    text = _MD_IMAGE.sub("", text)
    for m in _MD_LINK.finditer(text):
        if HAN_RE.search(m.group(2)):
            removed.append(Removal("markdown", m.group(2)))
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_HEADING.sub(r"\1", text)
    text = _MD_RULE.sub("", text)
    text = _MD_QUOTE.sub("", text)
    text = _MD_EMPH.sub(lambda m: m.group(2) if m.group(2) is not None else m.group(3), text)
    return _MD_CODE.sub(r"\1", text)


# ----------------------------------------------------------------------------------------------
# lines → paragraphs

_NEWLINES = re.compile(r"\r\n?|[\u2028\u2029\x0b\x0c\x85]")
_BLANK_LINE = re.compile(r"^[ \t\u3000\u2003\xa0]+$", re.MULTILINE)
_INDENT_RUN = re.compile(r"[ \t\xa0]*[\u3000\u2003](?:[ \t\xa0]*[\u3000\u2003])+[ \t\xa0]*")
_SENT_END = "。！？!?；;：:…"
_CLOSERS = "”’」』）)》〉】]"
_OPENERS = "“‘「『（(《〈【["
_SOFT_END = re.compile(rf"[{re.escape(_OPENERS)}、]$")
_SOFT_START = re.compile(rf"^[{re.escape(_CLOSERS)}，,、。；;：:！？!?]")
_FOOTNOTE_PIECE = re.compile(r"^(?:\[|\]|\[?\s*(?:CPC\s*)?[0-9]{1,3}\s*\]?)$")
_HARD_END = re.compile(rf"[{re.escape(_SENT_END)}][{re.escape(_CLOSERS)}]*$")


_BARE_ENUM = re.compile(r"^(?:[一二三四五六七八九十]{1,3}[是要]|第[一二三四五六七八九十]{1,3}[，、,]?|"
                        r"[（(][一二三四五六七八九十0-9]{1,3}[）)]|[0-9]{1,2}[.、．])$")


def _soft_break(a: str, b: str) -> bool:
    """A newline between lines ``a`` and ``b`` that evidently does not end a paragraph."""
    return bool(_SOFT_END.search(a) or _SOFT_START.search(b) or _FOOTNOTE_PIECE.match(a)
                or _FOOTNOTE_PIECE.match(b) or b.startswith("[") or _BARE_ENUM.match(a))


def _split_lines(text: str) -> list[str]:
    """Paragraphs from line structure.

    Blank lines always separate paragraphs. A single newline separates paragraphs too (seed 000's
    second copy has one paragraph per line), except where it is evidently soft — the line ends
    with an opening quote or bracket or a comma, the next starts with closing punctuation, or a
    footnote mark ``[\\n1\\n]`` is split over lines. Wiki exports (Wikisource) break lines at every
    link and bold span; when a text shows several such soft breaks, its remaining ambiguous breaks
    (neither side punctuated) are taken as soft too, and only a break after sentence-final
    punctuation separates paragraphs.
    """
    text = _NEWLINES.sub("\n", text)
    text = _ZERO_WIDTH.sub("", text)
    text = _BLANK_LINE.sub("", text)
    blocks = [b.split("\n") for b in re.split(r"\n[ \t]*\n+", text)]
    soft = hard = 0
    for lines in blocks:
        for a, b in itertools.pairwise(lines):
            a, b = a.strip(), b.strip()
            if not a or not b:
                continue
            if _soft_break(a, b):
                soft += 1
            elif _HARD_END.search(a):
                hard += 1
    wiki_mode = soft >= 2 and soft * 4 >= soft + hard
    paragraphs: list[str] = []
    for lines in blocks:
        cur = ""
        last = ""
        for line in lines:
            line = line.strip(" \t\n")
            if not line:
                continue
            if not cur:
                cur = last = line
                continue
            a = cur.rstrip()
            if _soft_break(last.strip(), line.strip()):
                join = True
            elif _HARD_END.search(a):
                join = False
            else:
                join = wiki_mode
            if join:
                sep = " " if (_LATIN_EDGE.match(a[-1]) and _LATIN_EDGE.match(line[0])) else ""
                cur = a + sep + line
            else:
                paragraphs.append(cur)
                cur = line
            last = line
        if cur:
            paragraphs.append(cur)
    out: list[str] = []
    for p in paragraphs:
        out.extend(x for x in _INDENT_RUN.split(p) if x.strip())
    return out


_SPACED_NAME = re.compile(rf"^(?:[{HAN_RANGES}] ){{1,4}}[{HAN_RANGES}]$")
_SPACED_YEAR = re.compile(r"(?<![0-9])([0-9]) ([0-9]) ([0-9]) ([0-9]) ?(?=年)")
_BULLET = re.compile(r"^[-*•·●▪■◆◇□○]\s+(?=\S)")
_FOOTNOTE_MARK = re.compile(r"\[\s*(?:CPC\s*|注\s*|note\s*)?\d{1,3}\s*\]", re.IGNORECASE)


def _normalize(p: str, removed: list[Removal]) -> str:
    """One paragraph: half-width, without inserted noise (:mod:`lunshu.noise`: pinyin, emoji,
    paywall stubs, doubled punctuation), single spaces, no bullets or footnote marks, spaced names
    joined."""
    p = to_halfwidth(p)
    if _FOOTNOTE_MARK.search(p):  # before the noise: "。[1]。" leaves a doubled mark the noise rule takes
        for m in _FOOTNOTE_MARK.finditer(p):
            removed.append(Removal("footnote_mark", m.group(0)))
        p = _FOOTNOTE_MARK.sub("", p)
    p, noise = strip_noise(p)
    removed.extend(Removal(rule, text) for rule, text in noise)
    p = _WS_RUN.sub(" ", p).strip()
    p = _BULLET.sub("", p)
    if _SPACED_NAME.match(p):  # "习 近 平", "李 强": a name spaced out by the layout
        p = p.replace(" ", "")
    if " 年" in p or re.search(r"[0-9] [0-9]", p):
        p = _SPACED_YEAR.sub(r"\1\2\3\4", p)  # "1 9 9 3 年"
    return p


# ----------------------------------------------------------------------------------------------
# noise

_NAME = rf"[{HAN_RANGES}·]{{2,5}}"
_NAMES = rf"{_NAME}(?:\s*[、，, ]\s*{_NAME})*"
_OUTLETS = r"(?:新华社|中新社|本报|本刊|人民日报|光明日报|经济日报|中国日报|解放军报|人民网|新华网|央视网|中国新闻网)"
# a photo credit: "新华社记者 李涛 摄", "新华社记者 鞠鹏/摄", "（中国经济周刊视觉中心首席摄影记者 肖翊 摄）",
# "新华社发（王壮飞 摄）", "新华社发" (bare, before a salutation), "（图片来源：新华社）"; closing a caption
# paragraph: "…。 刘新武/摄", "…。图片来源：伟大的变革——…展览"
_CREDIT = re.compile(
    rf"[（(]\s*[^（）()\n]{{0,40}}?(?:记者|摄影|通讯员)[^（）()\n]{{0,30}}?摄(?:影)?\s*[）)]"
    rf"|[（(]\s*(?:图片来源|图源|图片提供|供图|图片由)[^（）()\n]{{0,40}}[）)]"
    rf"|{_OUTLETS}发\s*[（(][^（）()\n]{{1,30}}?摄\s*[）)]"
    rf"|(?:{_OUTLETS}|[{HAN_RANGES}]{{1,8}}?(?:日报|晚报|时报|报|网|社|台|新闻))?(?:特约|首席)?(?:摄影)?记者"
    rf"\s*{_NAMES}\s*/?\s*摄(?:影)?(?![像制取入氏政录])"  # not "记者在这里架起摄像机"
    rf"|(?<=[。！？])\s*图片来源\s*[：:][^。！？\n]{{1,40}}$"
    rf"|(?<=[。！？])\s*{_NAME}\s*/\s*摄$"
    rf"|(?<=。)\s*{_OUTLETS}发(?=$|\s|尊敬|各位|女士|同志|朋友|亲爱|大家|阁下|总统|先生)"
)
_SHORT_CREDIT = re.compile(rf"^(?:(?:图|摄影|图片|摄)[/／：:]\s*{_NAMES}|{_NAMES}\s*/?\s*摄(?:影)?)$")
_CAPTION_MAX = 400

_SHARE = re.compile(
    r"^(?:扫一扫|扫码|扫描二维码|长按(?:识别)?(?:图中)?二维码|微信扫一扫|用微信扫描|打开微信)[^。！？]{0,30}$"
    r"|^分享(?:到|至)?[：:]?\s*(?:微信|微博|朋友圈|QQ|qq空间|QQ空间|新浪微博|腾讯微博|人人网|豆瓣|more|更多|\s|[、，,/|])*$"
    r"|^分享到[：:].{0,40}$"
    r"|^[【\[（(]?\s*(?:责任编辑|责编|编辑|校对|审核|值班编辑|监制|统筹|策划|制作|审校|终审|初审)\s*[：:]"
    r"[^。！？]{0,30}?[】\]）)]?$"
    r"|^(?:[【\[]?(?:纠错|打印|关闭|关闭窗口|打印本页|返回顶部|收藏|推荐|点赞|在看|评论|转发|分享)[】\]]?[\s|/]*){1,6}$"
    r"|^(?:字号|字体)[：:]?\s*(?:[大中小]\s*){2,3}$"
    r"|^(?:点击|点此)(?:查看|阅读|进入|播放)[^。！？]{0,30}$"
    r"|^(?:视频|音频|图片)加载中.{0,20}$"
    r"|^(?:您的浏览器不支持|请升级浏览器)[^。]{0,40}。?$"
    r"|^(?:原文链接|阅读原文|查看原文|相关阅读|相关新闻|延伸阅读|推荐阅读|热点推荐)[：:]?$"
)
_IMAGE_ID = re.compile(r"^[0-9]{6,}$")
_BINARY = re.compile(r"^[01][01 ]{6,}[01]$")
_NO_WORDS = re.compile(rf"^[^0-9A-Za-z{HAN_RANGES}\U00020000-\U0002ffff]*$")
_LICENSE_OPEN = re.compile(r"^(?:本作品|这部作品|這部作品|本文作品|此作品)")
_LICENSE_KEY = re.compile(r"公有领域|公有領域|著作权法|著作權法|Public domain|版权失效|版權")
_LICENSE_ANY = re.compile(
    r"公有领域|公有領域|维基文库|維基文庫|著作权法|著作權法|^Public domain$|^(?:false|true)$|^本模板|版权失效|"
    r"^(?:本作品|这部作品|這部作品)"
)


def _noise_rule(p: str) -> str | None:
    """Why a whole paragraph is noise, or None."""
    if _NO_WORDS.match(p):
        return "symbols"
    if len(p) <= 80:
        if _BINARY.match(p) and ("0" in p and "1" in p or len(p) >= 8):
            return "binary_art"
        if _IMAGE_ID.match(p):
            return "image_id"
        if _SHARE.match(p):
            return "share_prompt"
        if _SHORT_CREDIT.match(p):
            return "caption"
    return None


_HEADER_DATE = re.compile(r"[（(][0-9]{4}年[0-9]{1,2}月[0-9]{1,2}日[^（）()]{0,20}[）)]")
_CAPTION_LEAD = re.compile(
    r"(?:当地时间)?[0-9]{1,2}月[0-9]{1,2}日(?:上午|下午|中午|晚上|晚间|晚|早上|凌晨|傍晚)?[，,]"
)


# where a caption opens inside run-on text: a date (or 新年前夕) at a sentence start, after a
# dateline's 电 or a closing bracket
_CAPTION_OPEN = re.compile(
    r"(?:^|(?<=[。！？!?电）)\s]))(?:当地时间)?(?:(?:19|20)[0-9]{2}年)?[0-9]{1,2}月[0-9]{1,2}日(?:至[0-9]{1,2}日)?"
    r"(?:上午|下午|中午|晚上|晚间|晚|早上|凌晨|傍晚)?[，,]|(?:^|(?<=[。！？!?电）)\s]))新年前夕[，,]"
)
_SPEECH_BEFORE = re.compile(r"(?:同志们|朋友们|女士们|先生们|同胞们|同事们|来宾|各位[^。！？：:]{0,12})[：:！!]")
_DATELINE_START = re.compile(r"^[\u4e00-\u9fff]{2,20}?[0-9]{1,2}月[0-9]{1,2}日电")


def _cut_caption(p: str, removed: list[Removal]) -> list[str]:
    """A caption paragraph goes whole; a caption run into the front of a paragraph is cut off.

    A caption is the text from the paragraph's start through a photo credit, at most
    ``_CAPTION_MAX`` characters; a credit after longer text is removed alone (the text before it
    may be the article). When a dated header runs into the caption (Xinhua: ``…的讲话（2025年9月24日）
    中华人民共和国主席 习近平9月24日，…新华社记者 黄敬文 摄``), the header is kept as a paragraph of
    its own and the caption starts at its date.

    In run-on text (a dateline before the credit, or more than ``_CAPTION_MAX`` characters) the
    caption is the last stretch that opens with a date at a sentence start (``9月5日上午，…``,
    ``当地时间…``, ``新年前夕，…``): the news lede or the speech before it stays.
    """
    kept: list[str] = []
    while p:
        m = _CREDIT.search(p)
        if not m:
            break
        run_on = m.start() > _CAPTION_MAX or bool(_DATELINE_START.match(p))
        opens = [x.start() for x in _CAPTION_OPEN.finditer(p, max(0, m.start() - _CAPTION_MAX), m.start())]
        # a caption opens at its date; text before that date that ends a sentence after a
        # salutation is the speech's own opening, not part of the caption (two photos around it)
        speech = bool(opens and opens[-1] > 0 and _SPEECH_BEFORE.search(p, 0, opens[-1]))
        if opens and opens[-1] > 0 and (run_on or speech):
            start = opens[-1]
            kept.append(p[:start].rstrip())
            removed.append(Removal("caption", p[start:m.end()]))
            p = p[m.end():].lstrip(" 。")
        elif m.start() <= _CAPTION_MAX:
            start = 0
            hd = _HEADER_DATE.search(p, 0, m.start())
            if hd:
                lead = _CAPTION_LEAD.search(p, hd.end(), m.start())
                if lead and lead.start() > hd.end():
                    start = lead.start()
                    kept.append(p[:start].rstrip())
            removed.append(Removal("caption", p[start:m.end()]))
            p = p[m.end():].lstrip(" 。")
        else:
            removed.append(Removal("caption", m.group(0)))
            p = (p[:m.start()].rstrip() + p[m.end():]).strip()
    if p:
        kept.append(p)
    return kept


def _strip_boilerplate(paras: list[str], removed: list[Removal]) -> list[str]:
    """A licence notice that closes the text (Wikisource's public-domain templates) goes."""
    total = sum(len(p) for p in paras)
    seen = 0
    for i, p in enumerate(paras):
        if seen >= total * 0.5 and _LICENSE_OPEN.match(p):
            tail = paras[i:]
            tail_text = "".join(tail)
            if len(tail_text) <= 4000 and _LICENSE_KEY.search(tail_text):
                removed.extend(Removal("boilerplate", x) for x in tail)
                return paras[:i]
        seen += len(p)
    while paras and len(paras[-1]) <= 200 and _LICENSE_ANY.search(paras[-1]):
        removed.append(Removal("boilerplate", paras.pop()))
    return paras


# ----------------------------------------------------------------------------------------------
# page-break repair and repeated blocks

_ENUM_START = re.compile(
    r"^(?:[一二三四五六七八九十百]+[、是要]|[（(][一二三四五六七八九十0-9]+[）)]|第[一二三四五六七八九十百0-9]+[、，,章节条部分是]|"
    r"[0-9]{1,2}[、.．)]|——|-|•)"
)
_SALUTATION_START = re.compile(r"^(?:尊敬的|各位|同志们|女士们|先生们|朋友们|亲爱的|同胞们|全国同胞|总统先生)")
_BRACKETED = re.compile(r"[（(][^（）()]*[）)]")
_SENTENCE_PUNCT = re.compile(r"[，。、；！？,;]")


def _continues(prev: str, nxt: str) -> bool:
    """Whether ``nxt`` is the rest of ``prev``, split by a page break.

    Yes when ``prev`` is a long sentence-like paragraph that stops without sentence-final
    punctuation (mid-word, or after 、/，) and ``nxt`` reads on as sentence text. Not for short
    lines (headings, salutations, toasts), not before an enumeration or an attribution (``——…``,
    which the quotation module re-attaches), not after a colon.
    """
    if _BARE_ENUM.match(prev):  # "一是" / "扩大退耕还林规模。": a bold enumerator split from its item
        return bool(nxt) and not _ENUM_START.match(nxt) and not _ATTRIBUTION.match(nxt)
    if len(prev) < 40 or _HARD_END.search(prev) or prev[-1] in _CLOSERS or prev[-1] in "：:":
        return False
    if _DATED_ATTRIBUTION.match(prev):  # "——2024年11月20日，…": an attribution line stands alone
        return False
    if not _SENTENCE_PUNCT.search(_BRACKETED.sub("", prev[:-1])):
        return False
    if len(nxt) < 6 or _ENUM_START.match(nxt) or _SALUTATION_START.match(nxt) or not _SENTENCE_PUNCT.search(nxt):
        return False
    return not (nxt[0] in _OPENERS and prev[-1] not in "、，,")


def _repair_breaks(paras: list[str]) -> list[str]:
    out: list[str] = []
    for p in paras:
        if out and _continues(out[-1], p):
            a = out[-1]
            sep = " " if (_LATIN_EDGE.match(a[-1]) and _LATIN_EDGE.match(p[0])) else ""
            out[-1] = a + sep + p
        else:
            out.append(p)
    return out


_MIN_RUN = 3  # consecutive paragraphs repeated in the same order: a repeated block
_MIN_DUP_CHARS = 40  # a single paragraph this long, repeated exactly: repeated text
_MIN_FRAGMENT = 12  # a paragraph that is a piece of the one before it, at least this long
_ATTRIBUTION = re.compile(r"^(?:——|—|－－|--)")
_DATED_ATTRIBUTION = re.compile(r"^(?:——|—|－－|--)\s*(?:[0-9]{4}|[〇零一二三四五六七八九]{4})\s*年")


def _dedup(paras: list[str], removed: list[Removal]) -> list[str]:
    """Repeated blocks out; legitimately repeated short lines (``各位嘉宾、各位朋友！``) stay.

    Removed: (1) a run of ≥3 consecutive paragraphs that repeats an earlier run (a whole article
    twice); (2) one paragraph of ≥40 characters that repeats an earlier one — unless it is a
    quotation followed by its own attribution; (3) a paragraph of ≥12 characters that is the
    paragraph just before it again, or a piece of it (seed 002's ``为“拥抱…”`` tail).
    """
    keys = [p.replace(" ", "").lower() for p in paras]  # paragraphs are normalised already
    seen: dict[str, list[int]] = {}
    drop = [False] * len(paras)
    i = 0
    n = len(paras)
    while i < n:
        k = keys[i]
        earlier = seen.get(k)
        if earlier and k:
            run = 0
            for j in earlier:
                r = 0
                while i + r < n and j + r < i and keys[i + r] == keys[j + r]:
                    r += 1
                run = max(run, r)
            if run >= _MIN_RUN:
                for t in range(i, i + run):
                    drop[t] = True
                i += run
                continue
            if len(k) >= _MIN_DUP_CHARS and not _ATTRIBUTION.match(k):
                followed_by_attr = i + 1 < n and _ATTRIBUTION.match(keys[i + 1]) is not None
                if not followed_by_attr:
                    drop[i] = True
        seen.setdefault(k, []).append(i)
        i += 1
    out: list[str] = []
    out_keys: list[str] = []
    for p, k, d in zip(paras, keys, drop):
        if d:
            removed.append(Removal("repeated", p))
            continue
        if (out_keys and len(k) >= _MIN_FRAGMENT and len(k) <= len(out_keys[-1]) and k in out_keys[-1]
                and han_count(k) >= 8 and not _ATTRIBUTION.match(k)):
            removed.append(Removal("repeated", p))
            continue
        out.append(p)
        out_keys.append(k)
    return out


# ----------------------------------------------------------------------------------------------
# the cleaner


def clean_body(body: str, body_format: str = "text") -> Cleaned:
    """A record's body → clean paragraphs, with every removal accounted for.

    ``body_format`` is ``"text"``, ``"markdown"`` or ``"html"``; a text or Markdown body that is
    in fact HTML (a blog repost) is read as HTML, and YAML front matter at the start of a text body
    is taken off into ``Cleaned.front_matter``.
    """
    removed: list[Removal] = []
    front: dict[str, Any] = {}
    text = body or ""
    if body_format in ("text", "markdown"):
        front, text, block = split_front_matter(text)
        if block:
            removed.append(Removal("front_matter", block))
    text = _unwrap_repr(text)
    if body_format == "html" or looks_like_html(text):
        text = _html_to_text(text, removed)
    elif body_format == "markdown":
        text = _markdown_to_text(text, removed)
    paras: list[str] = []
    for raw in _split_lines(text):
        p = _normalize(raw, removed)
        if not p:
            continue
        rule = _noise_rule(p)
        if rule:
            removed.append(Removal(rule, p))
            continue
        if "摄" in p or "供图" in p or "图片来源" in p or "新华社发" in p:
            for piece in _cut_caption(p, removed):
                # what is left once a caption is cut is a paragraph of its own: normalised as one
                # ("…摄网 网" leaves "网 网", a spaced name), so cleaning twice changes nothing
                piece = _normalize(piece, removed)
                if not piece:
                    continue
                rule = _noise_rule(piece)
                if rule:
                    removed.append(Removal(rule, piece))
                else:
                    paras.append(piece)
            continue
        paras.append(p)
    paras = _strip_boilerplate(paras, removed)
    while True:
        before = len(paras)
        paras = _dedup(_repair_breaks(paras), removed)
        if len(paras) == before:
            break
    return Cleaned(paras, removed, front)
