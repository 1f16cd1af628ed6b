"""Quotation + attribution pairs in compilation-style documents (论述摘编).

A compilation is a run of quotations, each tied to an attribution such as
``——2015年12月16日，习近平主席在第二届世界互联网大会开幕式上的讲话``. The hard part is not the
attribution line itself but deciding which paragraphs belong to which quotation: year and section
headings, photo captions that look like attributions, the news intro before the first block,
enumerations that start with ``——`` and attribution lines misplaced inside their quotation (a page
break in seed 002 puts one between ``把普`` and ``惠作为``). Everything here is a pure function of
the cleaned paragraphs, so the Spark jobs and the store call the same code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lunshu.chars import CN_DIGIT, FULLWIDTH_ALNUM, cn_int, cn_year
from lunshu.dates import _iso  # one rule for what a real (possibly partial) date is
from lunshu.models import Attribution, Quote

__all__ = ["extract_quotes", "is_attribution", "parse_attribution"]

# ---------------------------------------------------------------------------------------------
# normalisation

_FULLWIDTH = {chr(c): chr(h) for c, h in FULLWIDTH_ALNUM.items()}
_FULLWIDTH.update({"\u3000": " ", "\u00a0": " ", "\u2002": " ", "\u2003": " ", "\u2009": " ",
                   "\u200b": "", "\ufeff": "", "\uff0f": "/", "\uff0e": ".", "\uff5e": "~"})
_FW_TABLE = str.maketrans(_FULLWIDTH)


_NEEDS_NORM = re.compile("[" + "".join(sorted(_FULLWIDTH)) + "]")


def _norm(s: str) -> str:
    """Half-width digits/letters and plain spaces, so one set of patterns covers every outlet."""
    return s.translate(_FW_TABLE) if _NEEDS_NORM.search(s) else s


_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_HAN_SPACE = re.compile(r"(?<=[\u3400-\u9fff\u3000-\u303f\uff00-\uffef·])\s+|\s+(?=[\u3400-\u9fff\u3000-\u303f\uff00-\uffef·])")

# ---------------------------------------------------------------------------------------------
# dates (a small parser of our own: attribution dates only; lunshu.dates is the general one)

_CN_DIGIT = CN_DIGIT
_CN_Y = "[〇零○一二三四五六七八九]"
_CN_N = "[一二三四五六七八九十]"

_DATE_AR = re.compile(
    r"(?P<y>(?:1[89]|20)\d{2})\s*年\s*(?:(?P<m>\d{1,2})\s*月\s*(?:(?P<d>\d{1,2})\s*[日号])?)?"
    r"|(?P<iy>(?:1[89]|20)\d{2})\s*[-./]\s*(?P<im>\d{1,2})\s*[-./]\s*(?P<id>\d{1,2})(?!\d)"
)
_DATE_CN = re.compile(
    rf"(?P<y>{_CN_Y}{{4}})\s*年\s*(?:(?P<m>{_CN_N}{{1,2}})\s*月\s*(?:(?P<d>{_CN_N}{{1,3}})\s*[日号])?)?"
)
_RANGE_AR = re.compile(
    r"\s*(?:至|到|~|〜|-|－|–|—{1,2}|―)\s*"
    r"(?:(?P<y>(?:1[89]|20)\d{2})\s*年\s*)?(?:(?P<m>\d{1,2})\s*月\s*)?(?:(?P<d>\d{1,2})\s*[日号])?"
)
_RANGE_CN = re.compile(
    rf"\s*(?:至|到|~|〜|-|－|–|—{{1,2}}|―)\s*"
    rf"(?:(?P<y>{_CN_Y}{{4}})\s*年\s*)?(?:(?P<m>{_CN_N}{{1,2}})\s*月\s*)?(?:(?P<d>{_CN_N}{{1,3}})\s*[日号])?"
)


_cn_int = cn_int  # (lunshu.chars: one reading of Chinese numbers)


def _num(s: str | None, cn: bool) -> int | None:
    if s is None:
        return None
    if not cn:
        return int(s)
    if len(s) == 4 and all(c in _CN_DIGIT for c in s):  # a year: digit by digit
        return cn_year(s)
    return _cn_int(s)


@dataclass
class _DateMatch:
    date: str
    date_end: str | None
    start: int
    end: int
    precision: int  # 1 year, 2 month, 3 day


def _match_date(s: str, pos: int = 0) -> _DateMatch | None:
    """A date (or date range) starting exactly at ``s[pos:]`` (leading spaces allowed)."""
    while pos < len(s) and s[pos] == " ":
        pos += 1
    for rx, rng, cn in ((_DATE_AR, _RANGE_AR, False), (_DATE_CN, _RANGE_CN, True)):
        m = rx.match(s, pos)
        if not m:
            continue
        gd = m.groupdict()
        mo: int | None
        d: int | None
        if gd.get("iy"):
            y, mo, d = int(gd["iy"]), int(gd["im"]), int(gd["id"])
        else:
            y0 = _num(gd["y"], cn)
            if y0 is None:
                continue
            y, mo, d = y0, _num(gd["m"], cn), _num(gd["d"], cn)
        start = _iso(y, mo, d)
        if start is None:
            continue
        end_pos = m.end()
        date_end: str | None = None
        r = rng.match(s, end_pos)
        if r and mo is not None and (r.group("d") or r.group("m")):
            y2 = _num(r.group("y"), cn) if r.group("y") else y
            m2 = _num(r.group("m"), cn) if r.group("m") else mo
            d2 = _num(r.group("d"), cn) if r.group("d") else None
            ok = y2 is not None and m2 is not None and ((d is None) == (d2 is None))
            if ok and y2 is not None:
                e = _iso(y2, m2, d2)
                if e is not None and e > start:
                    date_end, end_pos = e, r.end()
        precision = 1 if mo is None else 2 if d is None else 3
        return _DateMatch(start, date_end, m.start(), end_pos, precision)
    return None


def _search_date(s: str) -> _DateMatch | None:
    """The first date anywhere in ``s``."""
    for m in re.finditer(r"(?:1[89]|20)\d{2}\s*[年\-./]|" + _CN_Y + r"{4}\s*年", s):
        dm = _match_date(s, m.start())
        if dm is not None:
            return dm
    return None


# ---------------------------------------------------------------------------------------------
# attribution lines

# Dashes that introduce an attribution. A single ASCII hyphen is a Markdown bullet, not a dash.
_DASH = re.compile(r"^\s*(?:[—―─－–‒⸺⸻]+|-{2,})\s*")
_BRACKETED = re.compile(r"^\s*[（(【〔\[]\s*(?P<inner>.*?)\s*[）)】〕\]]\s*[。.]?\s*$", re.DOTALL)
_LEAD_IN = re.compile(r"^(?:摘自|选自|引自|参见|见|据)\s*")

_TITLES_PRE = (
    r"(?:(?:中共中央|中央军委|中央|国家|国务院|全国人大常委会|全国政协|中华人民共和国)?"
    r"(?:总书记|主席|副主席|总理|副总理|委员长)\s*[、，,]?\s*)"
)
_TITLES_SUF = "同志|总书记|副主席|主席|副总理|总理|委员长|书记|先生|女士|部长|主任|院长|发言人|大使|秘书长|国务委员"
_OCC_START = (
    r"在|向|致|给|同|与|和|对|会见|会谈|会晤|出席|主持|接受|为|就|于|考察|视察|回信|复信|发表|作|"
    r"的|：|:|《|，|,|\s|$|\d|（|\("
)
_SPEAKER = re.compile(
    rf"(?P<pre>{_TITLES_PRE}*)(?P<name>[\u4e00-\u9fff]{{1,5}}·[\u4e00-\u9fff·]{{1,8}}?|[\u4e00-\u9fff]{{2,4}}?)"
    rf"(?P<title>{_TITLES_SUF})?(?={_OCC_START})"
)
_BARE_TITLE = re.compile(rf"^{_TITLES_PRE}+(?=在|向|致|给|同|与|对|会见|出席|主持|接受|考察|视察|回信|的)")
_NOT_NAMES = {"中国", "我国", "我们", "各国", "大会", "会议", "中方", "世界", "全国", "人民", "国家", "本届",
              "今年", "去年", "当天", "今天", "昨天", "党的", "新华社", "人民日报"}
# How an attribution's occasion ends. The strong endings name a text (讲话, 贺信, 《…》) and stand
# on their own; the weak ones (…大会上, …时, …会) only with a speaker before them, because a
# chronology item (——2015年12月，某大会在乌镇举办…) can end that way too.
_NOT_NAME_START = set("我你他她它这那其该本此各每在给同与对为就和的致是有")
_OCC_END_STRONG = (r"讲话|辞|词|贺信|贺电|致贺|演讲|演说|回信|复信|的信|批示|指示|文章|谈话|答问|采访|报告|"
                   r"发言|序言|寄语|讲稿|说明|要点|》|》的?[一-龥]{0,4}")
_OCC_TAIL = r"[\s）)】〕\]。.]*$"
_OCC_END_ONLY_STRONG = re.compile(rf"(?:{_OCC_END_STRONG}){_OCC_TAIL}")
_OCC_END = re.compile(
    rf"(?:{_OCC_END_STRONG}|信|强调|指出|表示|说|电话|会谈|会见|会晤|致电|上|时|期间|会|式|坛){_OCC_TAIL}"
)
_SENT_PUNCT = re.compile(r"[。！？!?；;]")
_CAPTION_HINT = re.compile(r"摄\s*[）)]?\s*$|记者\s*\S{2,4}\s*摄|摄影|图片来源|资料图|^图为|并发表(?:重要)?讲话[。.]")


@dataclass
class _Speaker:
    name: str | None
    titled: bool
    end: int


def _match_speaker(s: str, pos: int) -> _Speaker | None:
    """A speaker name (with its titles) starting at ``s[pos:]``, followed by an occasion verb."""
    bt = _BARE_TITLE.match(s, pos)
    if bt:
        return _Speaker(None, True, bt.end())
    m = _SPEAKER.match(s, pos)
    if not m:
        return None
    name = m.group("name")
    if name in _NOT_NAMES or name.endswith(("的", "在", "向")) or name[0] in _NOT_NAME_START:
        return None
    titled = bool(m.group("pre") or m.group("title"))
    return _Speaker(name, titled, m.end())


def _clean_occasion(s: str) -> str | None:
    s = _HAN_SPACE.sub("", s.strip())
    s = s.strip(" ，,、：:；;。.—-")
    return s or None


def _sentences_ok(rest: str, limit: int = 120) -> bool:
    """Attribution text is one clause: no sentence punctuation inside, not a paragraph of prose."""
    body = rest.rstrip(" 。.")
    return len(body) <= limit and not _SENT_PUNCT.search(body) and not _HALF_SENT.search(body)


def _parse_body(body: str, form: str) -> Attribution | None:
    """Parse what follows the dash (or sits inside the brackets, or is the whole line).

    ``form`` is ``dash``, ``bracket`` or ``plain``; plain lines (no dash, no brackets) need the
    strictest evidence because news intros and photo captions start the same way.
    """
    s = _norm(body).strip()
    s = _LEAD_IN.sub("", s)
    if not s:
        return None
    dm = _match_date(s, 0)
    if dm is not None and dm.start == 0:
        rest = s[dm.end:]
        rest_stripped = rest.strip(" ，,、：:")
        if not _sentences_ok(rest_stripped):
            return None
        if form == "plain" and (_CAPTION_HINT.search(s) or "记者" in s):
            return None
        sp = _match_speaker(rest_stripped, 0)
        occ_text = rest_stripped[sp.end:] if sp else rest_stripped
        occasion = _clean_occasion(occ_text)
        noun = bool((_OCC_END if sp is not None and sp.name else _OCC_END_ONLY_STRONG).search(rest_stripped))
        if not rest_stripped:
            # a bare date: an attribution after a dash, a speech's own dateline in brackets
            ok = form == "dash" and dm.precision >= 2
        elif dm.precision == 1:
            ok = sp is not None and sp.name is not None and noun
        elif form == "plain":
            ok = sp is not None and noun and dm.precision == 3
        else:
            ok = noun or (sp is not None and sp.titled) or rest_stripped.startswith("《")
        if not ok:
            return None
        return Attribution(date=dm.date, speaker=sp.name if sp else None, occasion=occasion,
                           raw=body.strip(), date_end=dm.date_end)
    # speaker first: 习近平2015年12月16日在…的讲话 / 习近平：《在…上的讲话》（2016年4月19日）
    if not _sentences_ok(s):
        return None
    if form == "plain":
        return None
    sp = _match_speaker(s, 0)
    if sp is not None:
        rest = s[sp.end:]
        date: _DateMatch | None = _match_date(rest, 0)
        if date is not None and rest[: date.start].strip():
            date = None
        if date is not None:
            rest = rest[date.end:]
        else:
            tail = re.search(r"[（(【]\s*([^（）()]*?)\s*[）)】]\s*$", rest)
            if tail:
                dt = _match_date(tail.group(1), 0)
                if dt is not None:
                    date = dt
                    rest = rest[: tail.start()]
        if not _OCC_END.search(rest.strip()) and not (date is not None and rest.strip()):
            return None
        return Attribution(date=date.date if date else None, speaker=sp.name,
                           occasion=_clean_occasion(rest), raw=body.strip(),
                           date_end=date.date_end if date else None)
    # a book or newspaper: ——《习近平关于网络强国论述摘编》 / ——《人民日报》2015年12月17日
    if s.startswith("《") and len(s) <= 60:
        close = s.find("》")
        if close > 1:
            after = s[close + 1:]
            date = _search_date(after)
            if date is not None or not after.strip() or re.search(r"第\s*\S{1,4}\s*[卷页版期]", after):
                occ = _clean_occasion(s if date is None else s[: close + 1 + date.start])
                return Attribution(date=date.date if date else None, speaker=None, occasion=occ,
                                   raw=body.strip(), date_end=date.date_end if date else None)
    return None


def parse_attribution(line: str) -> Attribution | None:
    """Parse one attribution line, or None when the line is not one.

    Accepted: ``——2015年12月16日，习近平主席在…的讲话`` (spaces, full-width digits, date ranges and
    Chinese numerals inside the date), the same in brackets ``（2015年12月16日，…）``, speaker
    first (``——习近平：《…》（2016年4月19日）``), and a plain line that is nothing but date,
    speaker and occasion. Enumerations that start with ``——`` (``——尊重网络主权。…``) are not.
    """
    if not isinstance(line, str):
        return None
    text = line.strip()
    if not text or len(text) > 240:
        return None
    d = _DASH.match(text)
    if d:
        inner = text[d.end():]
        b = _BRACKETED.match(inner)
        a = _parse_body(b.group("inner") if b else inner, "dash")
    elif b := _BRACKETED.match(text):
        a = _parse_body(b.group("inner"), "bracket")
    else:
        a = _parse_body(text, "plain")
    if a is not None:
        a.raw = text
    return a


def is_attribution(line: str) -> bool:
    """True when ``line`` is an attribution (see :func:`parse_attribution`)."""
    return parse_attribution(line) is not None


def _leading_attribution(line: str) -> Attribution | None:
    """``2015年12月16日，习近平在…上指出：`` introduces the quotation that follows it."""
    t = _norm(line).strip()
    if not t.endswith(("：", ":")) or len(t) > 120 or _SENT_PUNCT.search(t):
        return None
    dm = _match_date(t, 0)
    if dm is None or dm.start != 0:
        return None
    rest = t[dm.end:].strip(" ，,、")
    sp = _match_speaker(rest, 0)
    if sp is None:
        return None
    occ = re.sub(r"(?:强调|指出|表示|说|讲道|写道)\s*[：:]$", "", rest[sp.end:]).rstrip("：: ")
    return Attribution(date=dm.date, speaker=sp.name, occasion=_clean_occasion(occ), raw=line.strip(),
                       date_end=dm.date_end)


_DASH_RUN = re.compile(r"[—―─－]+|-{2,}")
_SENT_END = tuple("。！？!?”」』")
_TRAILING_BRACKET = re.compile(r"[（(]([^（）()]{6,120})[）)]\s*$")


def _inline_attribution(par: str) -> tuple[str, Attribution] | None:
    """An attribution at the end of a quotation paragraph: ``…共同体。——2015年…讲话`` or ``…（2015年…）``."""
    # a double dash, or a single one after the end of a sentence (中国—中亚 is a name, not a dash);
    # an attribution is short, so only the paragraph's tail is worth looking at
    for m in _DASH_RUN.finditer(par, max(1, len(par) - 240)):
        k = m.start()
        single = len(m.group().strip()) < 2
        if k == 0 or (single and not par[:k].rstrip().endswith(_SENT_END)):
            continue
        head, tail = par[:k], par[k:]
        a = parse_attribution(tail)
        if a is not None and a.date and len(_HAN.findall(head)) >= 4:
            return head.rstrip(), a
    if not par.rstrip().endswith(("）", ")")):
        return None
    m2 = _TRAILING_BRACKET.search(par, max(0, len(par) - 130))
    if m2 and m2.start() > 0:
        head = par[: m2.start()]
        a = _parse_body(m2.group(1), "bracket")
        if a is not None and a.date and len(_HAN.findall(head)) >= 4:
            return head.rstrip(), a
    return None


# ---------------------------------------------------------------------------------------------
# paragraph kinds

_YEAR_HEADING = re.compile(
    rf"^[\[【〔(（#\s]*(?:(?:1[89]|20)\d{{2}}|{_CN_Y}{{4}})\s*年?(?:度)?\s*[\]】〕)）]?$"
)
_NOISE = re.compile(
    r"扫一扫|查看更多|长按|二维码|点击|关注我们|分享到|责任编辑|编辑[:：]|来源[:：]|^https?://|^www\.|"
    r"^[（(【\[]?\s*(?:本报|新华社|人民网|央视网)?记者[^。]{0,30}[）)】\]]?$|^[（(]\s*本报记者"
)
_TERMINAL = tuple("。！？!?…”’」』）)；;：:.\"'》")
# News intros: reporting words, reported speech, chronology, a lead-in ending with a colon.
_NARRATIVE = re.compile(
    r"记者|本报|新华社[^，。]{0,8}电|新华网|日电|昨天|昨日|据悉|梳理|一同学习|与您|编者按|摘编|重要论述|"
    r"(?:他|她|习近平|总书记|主席)[^。]{0,12}(?:指出|强调|表示)|"
    r"^(?:(?:1[89]|20)\d{2}年|\d{1,2}月\d{1,2}日)|[：:]$"
)
_BULLET = re.compile(r"^[ \t]*[-*+•·●▪■◆][ \t]+", re.MULTILINE)


_HALF_SENT = re.compile(r"(?<=[\u4e00-\u9fff”\"])\.(?![\d.])")  # a full stop written half-width


def _is_heading(t: str) -> bool:
    """Short, no sentence punctuation, not a run of clauses (a fragment cut mid-sentence is not one)."""
    if t.startswith("#") or (t.startswith("**") and t.endswith("**")):
        return True
    if len(t) > 40 or _SENT_PUNCT.search(t) or _HALF_SENT.search(t):
        return False
    if len(t) >= 20 and len(re.findall(r"[，,、]", t)) >= 2:
        return False
    return not t.endswith(("，", ",", "、"))


def _is_caption(t: str) -> bool:
    return bool(re.search(r"摄\s*[）)]?\s*$", t) and re.search(r"记者|摄影|通讯员", t)) or t.startswith(
        ("图为", "图：", "资料图", "图片来源"))


def _kind(t: str) -> str:
    if not t:
        return "empty"
    nt = _norm(t)
    if _YEAR_HEADING.match(nt):
        return "year"
    if not _HAN.search(nt):
        return "noise"
    # share prompts, bylines and captions are short: a long paragraph that mentions 点击 is prose
    if len(nt) <= 60 and _NOISE.search(nt):
        return "noise"
    if len(nt) <= 200 and _is_caption(nt):
        return "caption"
    if _is_heading(nt):
        return "heading"
    return "text"


@dataclass
class _Item:
    n: int  # 1-based paragraph number
    text: str
    kind: str  # text | heading | year | noise | caption | attr | lead
    attr: Attribution | None = None


def _items(paragraphs: list[str]) -> list[_Item]:
    out: list[_Item] = []
    for i, p in enumerate(paragraphs, 1):
        t = (p or "").strip()
        if not t:
            continue
        lead = _leading_attribution(t)
        if lead is not None:
            out.append(_Item(i, t, "lead", lead))
            continue
        a = parse_attribution(t)
        if a is not None:
            out.append(_Item(i, t, "attr", a))
            continue
        k = _kind(t)
        if k == "text":
            inl = _inline_attribution(t)
            if inl is not None:
                out.append(_Item(i, inl[0], "text"))
                out.append(_Item(i, inl[1].raw, "attr", inl[1]))
                continue
        out.append(_Item(i, t, k))
    # a clause cut off mid-sentence right before an attribution looks like a heading (short, no
    # full stop); with a comma in it, it is the first half of a quotation (seed 002's 把普)
    for x, y, z in zip(out, out[1:], out[2:], strict=False):
        if (x.kind == "heading" and y.kind == "attr" and z.kind in ("text", "heading")
                and re.search(r"[，,、]", x.text) and _ends_mid_sentence(x.text)):
            x.kind = "text"
    return out


def _ends_mid_sentence(t: str) -> bool:
    return not t.rstrip().endswith(_TERMINAL)


def _is_narrative(t: str, names: set[str]) -> bool:
    """A paragraph of the surrounding report, not of the quotation (a quotation of 习近平 does not
    name 习近平)."""
    nt = _norm(t).strip()
    return bool(_NARRATIVE.search(nt)) or any(n in nt for n in names)


def _quote_text(texts: list[str]) -> str:
    return "\n".join(_BULLET.sub("", t).strip() for t in texts)


def _backward(items: list[_Item], ai: int, consumed: set[int]) -> list[int]:
    """The paragraphs before ``items[ai]`` that form its quotation.

    The scan stops at another attribution, a year heading, a caption or noise, and at a section
    heading unless that is the one paragraph right before the attribution (a short quotation
    without punctuation looks like a heading).
    """
    block: list[int] = []
    j = ai - 1
    while j >= 0 and j not in consumed:
        it = items[j]
        if it.kind in ("attr", "lead", "noise", "caption", "year") or (it.kind == "heading" and block):
            break
        block.insert(0, j)
        j -= 1
    return block


def _forward(items: list[_Item], ai: int, consumed: set[int]) -> list[int]:
    block: list[int] = []
    j = ai + 1
    while j < len(items):
        it = items[j]
        if j in consumed or it.kind in ("attr", "lead", "noise", "caption", "year"):
            break
        if it.kind == "heading" and block:
            break
        block.append(j)
        j += 1
    return block


def _orientation(items: list[_Item]) -> str:
    """``after`` (the quotation precedes its attribution, the common layout) or ``before``.

    Both layouts put prose on both sides of a middle attribution, so the votes come from what
    differs: a heading right after an attribution closes its block (after), right before it opens
    one (before); the first attribution has its quotation before it unless what precedes is the
    intro; the last one has prose after it only in the before layout. An attribution that cuts a
    sentence in two (seed 002's misplaced line) is an after-layout one.
    """
    attrs = [i for i, it in enumerate(items) if it.kind == "attr"]
    names = {it.attr.speaker for it in items if it.attr is not None and it.attr.speaker}
    after = before = 0
    for k, i in enumerate(attrs):
        prev = items[i - 1] if i > 0 else None
        nxt = items[i + 1] if i + 1 < len(items) else None
        if prev is not None and prev.kind == "text" and _ends_mid_sentence(prev.text):
            after += 2
            continue
        if prev is not None and prev.kind in ("heading", "year"):
            before += 1
        if nxt is not None and nxt.kind in ("heading", "year"):
            after += 1
        if k == 0 and prev is not None and prev.kind == "text":
            if _is_narrative(prev.text, names):
                before += 1
            else:
                after += 1
        if k == len(attrs) - 1:
            if nxt is not None and nxt.kind == "text":
                before += 1
            else:
                after += 1
    return "before" if before > after else "after"


def _misplaced_tail(items: list[_Item], ai: int, blk: list[int], consumed: set[int]) -> list[int]:
    """Paragraphs after attribution ``ai`` that still belong to its quotation.

    A page break can drop the attribution line inside its quotation (seed 002: ``…把普`` /
    ``——2024年…`` / ``惠作为…``). When the paragraph before the attribution stops mid-sentence, the
    next one is the rest of it; the prose after that is ours too unless a later attribution claims it.
    """
    nxt = ai + 1
    if not blk or not _ends_mid_sentence(items[blk[-1]].text):
        return []
    if nxt >= len(items) or nxt in consumed or items[nxt].kind not in ("text", "heading"):
        return []
    tail = [nxt]
    j = nxt + 1
    extra: list[int] = []
    while j < len(items) and items[j].kind == "text" and j not in consumed:
        extra.append(j)
        j += 1
    if extra and not (j < len(items) and items[j].kind in ("attr", "lead")):
        tail += extra
    return tail


def _trim_intro(items: list[_Item], blk: list[int], names: set[str]) -> list[int]:
    """Drop a news intro from the first block: everything up to its last narrative paragraph.

    The paragraph right before the attribution is always kept: that one is the quotation.
    """
    last = -1
    for k, j in enumerate(blk[:-1]):
        if _is_narrative(items[j].text, names):
            last = k
    return blk[last + 1:]


def _assemble(items: list[_Item], blk: list[int], ai: int) -> str:
    """The quotation text: paragraphs joined by newlines, a misplaced split re-joined without one."""
    parts: list[str] = []
    for j in blk:
        t = _BULLET.sub("", items[j].text).strip()
        if j == ai + 1 and parts and _ends_mid_sentence(parts[-1]):
            parts[-1] += t
        else:
            parts.append(t)
    return "\n".join(parts)


def _opens_block(items: list[_Item], ai: int) -> bool:
    """A bracketed attribution line between a heading and prose introduces the prose after it,
    whatever the layout of the rest of the document."""
    if ai == 0 or ai + 1 >= len(items):
        return False
    raw = items[ai].text.strip()
    return (raw.startswith(("（", "(")) and items[ai - 1].kind in ("heading", "year")
            and items[ai + 1].kind == "text")


def extract_quotes(paragraphs: list[str], doc_id: str = "") -> list[Quote]:
    """Every quotation + attribution pair in one document's cleaned paragraphs, in document order.

    A quotation is all the prose paragraphs between its attribution and the previous boundary
    (another attribution, a year or section heading, a caption, noise); the news intro before the
    first block is left out. ``Quote.n``/``n_end`` are the 1-based first and last paragraphs.
    """
    if not paragraphs:
        return []
    items = _items([p if isinstance(p, str) else "" for p in paragraphs])
    attr_idx = [i for i, it in enumerate(items) if it.kind in ("attr", "lead")]
    if not attr_idx:
        return []
    orient = _orientation(items)
    consumed: set[int] = set()
    pairs: list[tuple[int, list[int]]] = []  # (attribution item, quotation items)

    # a leading attribution (…指出：) always owns what follows it; so does every one in a
    # document laid out attribution-first
    for ai in attr_idx:
        if items[ai].kind == "lead" or orient == "before" or _opens_block(items, ai):
            blk = _forward(items, ai, consumed)
            if blk:
                consumed.update(blk)
                pairs.append((ai, blk))

    if orient == "after":
        names = {it.attr.speaker for it in items if it.attr is not None and it.attr.speaker}
        first = True
        paired = {ai for ai, _ in pairs}
        for ai in attr_idx:
            if items[ai].kind != "attr" or ai in paired:
                continue
            blk = _backward(items, ai, consumed)
            # the first block may carry the news intro, unless a heading (other than the
            # document's title) or another attribution bounds it
            stop = blk[0] - 1 if blk else -1
            bounded = stop >= 0 and (items[stop].kind in ("year", "attr", "lead")
                                     or (items[stop].kind == "heading" and stop > 0))
            if first and blk and not bounded:
                blk = _trim_intro(items, blk, names)
            if not blk:
                continue
            first = False
            blk = blk + _misplaced_tail(items, ai, blk, consumed)
            consumed.update(blk)
            pairs.append((ai, blk))

    quotes: list[Quote] = []
    for ai, blk in sorted(pairs, key=lambda p: min(p[1])):
        if blk[0] == 0 and all(items[j].kind == "heading" for j in blk):
            continue  # a document's title and byline above its dateline (——2024年3月5日在…会议上)
        attr = items[ai].attr
        text = _assemble(items, blk, ai)
        if attr is None or not text.strip():
            continue
        ns = [items[j].n for j in blk]
        quotes.append(Quote(doc_id=doc_id, n=min(ns), text=text, attribution=attr, n_end=max(ns)))
    return quotes
