"""Metadata: who said what, when, where — from a record's explicit fields and its own text.

``extract`` takes the cleaner's paragraphs and the reader's fields and returns the metadata and
the body paragraphs that remain: paragraphs (or leading/trailing pieces of paragraphs) that are
metadata — a title line, a ``关键词`` line, ``发布时间：…``, a speaker line, a ``(2015年12月16日)``
date line, a Xinhua header ``新华社北京12月31日电…（2025年12月31日）习近平``, a URL line,
``(来源：新华网)``, a closing ``（新华网杭州12月16日电 记者…）`` — are taken out and listed
verbatim in ``Metadata.consumed``, so no word disappears unaccounted for.

Explicit fields win over what the text says, except where a field is junk (empty, ``None``,
``untitled``, a date that is not a date). A date is never guessed: without evidence it stays None.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any

from lunshu.clean import Cleaned, clean_body, normalize_for_match
from lunshu.dates import (
    add_days,
    find_date_mentions,
    find_month_days,
    parse_date,
    relative_offset,
    year_of,
)
from lunshu.facts import (
    CPC_CONGRESS_YEARS,
    CPC_REPORTERS,
    HAN,
    KNOWN_RE,
    KNOWN_SPEAKERS,
    URL_OUTLETS,
    cn_numeral,
    event_years,
    is_person_name,
    npc_session_year,
    premier_for_report,
)
from lunshu.models import GENRES
from lunshu.paragraphs import split_run_on
from lunshu.rules import DATE_TEXT, ROLE, ROLE_TITLE, SALUTATION, SPEECH_NOUN, Rule, rule, rules_for

__all__ = ["CPC_CONGRESS_YEARS", "KNOWN_SPEAKERS", "Metadata", "analyze", "editor_of", "event_years", "extract",
           "npc_session_year", "premier_for_report"]


@dataclass
class Metadata:
    title: str | None = None
    date: str | None = None
    speakers: list[str] = field(default_factory=list)
    occasion: str | None = None
    genre: str = "other"
    source: str | None = None
    url: str | None = None
    publisher_keywords: list[str] = field(default_factory=list)
    reporters: list[str] = field(default_factory=list)
    # paragraphs (or pieces of paragraphs) taken out of the body because they are metadata
    consumed: list[str] = field(default_factory=list)
    # the day the text says it was delivered (its own "（2025年12月31日）"), which may precede the
    # publication date in ``date`` (Xinhua and Qiushi publish some speeches weeks later)
    delivered: str | None = None
    # the editor in charge the record names (``（责任编辑：王小二）``)
    editor: str | None = None
    # the body had no paragraph marks: its paragraphs were inferred (lunshu.paragraphs)
    paragraphs_inferred: bool = False
    # where it was delivered ("（2025年11月1日，庆州）", else the dateline's place)
    place: str | None = None
    # role titles of each speaker, as the header gives them ({"习近平": ["中华人民共和国主席"]})
    roles: dict[str, list[str]] = field(default_factory=dict)


# ----------------------------------------------------------------------------------------------
# the rows of the rule table (lunshu.rules) the resolvers below read, and a few text shapes

_ROLE, _ROLE_TITLE, _SALUTATION, _DATE_TEXT = ROLE, ROLE_TITLE, SALUTATION, DATE_TEXT
_KEYWORDS_LABEL = rule("keywords_line").regex
_LABELLED = rule("labelled_line").regex
_MASTHEAD = rule("masthead").regex
_BYLINE = rule("byline_reporters").regex
_DATELINE = rule("dateline").regex
_HEADER = rule("header_dated").regex
_HEADER_NO_DATE = rule("header_undated").regex
_DATE_LINE = rule("date_line").regex
_SUBTITLE = rule("subtitle").regex
_LEDE = rule("full_text_lede").regex
_URL_LINE = rule("url_line").regex
_SOURCE_LINE = rule("source_line").regex
_REPORTER_LINE = rule("reporter_line").regex
_CLOSING_DATELINE = rule("closing_dateline").regex
_EDITOR = rule("editor_line").regex
_SPEECH_TITLE = rule("speech_title").regex

_OCCASION = re.compile(
    r"(?:(?:——|在)(?P<occ>(?:(?!——)[^（()）：:]){2,80}?)(?:上|时|期间)?|(?:^|：|:)(?P<occ2>(?:(?!——)[^（()）：:]){2,80}?)"
    rf"(?:上|时|期间))的(?:主旨|重要|书面|视频|新年|开幕|闭幕|政治|工作)?{SPEECH_NOUN}"
)
_OCCASION_NEWS = re.compile(r"(?:出席|在)(?P<occ>[^，。、（）()\s]{2,60}?)(?:并|上|时)(?:将)?(?:发表|致辞|讲话|作)")
_ATTRIBUTION = re.compile(rf"^——\s*(?P<date>{DATE_TEXT})")
_SITE = re.compile(r"^.{2,14}(?:数据库|网|频道|客户端|专题|专栏|平台|首页)$")
_TITLE_SITE = re.compile(r"^(?P<title>.{4,}?)\s*(?:[_|｜]|\s[-—–]\s)\s*(?P<site>[^_|｜]{2,20}?(?:网|报|社|台|频道|新闻|客户端|在线|网站|官网))$")
_RELATIVE_WORD = re.compile(r"(?:^|[。！？，,])\s*(?P<w>昨天|今天|前天|昨日|今日|前日)[，,]?")
_SENT_FINAL = re.compile(r"[。！？!?]$")
_KNOWN_AT = re.compile(rf"(?:{KNOWN_RE})")


# ----------------------------------------------------------------------------------------------
# small helpers


def _str(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list, tuple, bool)):
        return None
    s = str(value).strip()
    if not s or s.lower() in {"none", "null", "nan", "n/a", "-", "untitled", "无标题", "无", "未知", "unknown"}:
        return None
    return s


def _list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v for v in re.split(r"[,，;；、|\s]+", value) if v.strip()]
    if isinstance(value, (list, tuple)):
        out: list[str] = []
        for v in value:
            s = _str(v)
            if s:
                out.append(s)
        return out
    s = _str(value)
    return [s] if s else []


def _good_title(s: str | None) -> str | None:
    """A title field unless it is junk: no letter, digit or Han character, a URL, or a whole text."""
    if not s or len(s) > 300 or not re.search(rf"[0-9A-Za-z{HAN}]", s) or s.startswith(("http://", "https://")):
        return None
    return s


def _good_url(s: str | None) -> str | None:
    if s and re.match(r"^(?:https?://|www\.)\S+$", s, re.IGNORECASE):
        return s
    return None


def _known_name_at(s: str, pos: int = 0) -> str | None:
    m = _KNOWN_AT.match(s, pos)
    return m.group(0) if m else None


def _iso_from_text(s: str) -> str | None:
    ms = find_date_mentions(s)
    return ms[0].iso if ms and ms[0].precision == "day" else None


def _split_speaker(p: str, allow_unknown: bool) -> tuple[str, str, str] | None:
    """``(consumed, name, rest)`` when ``p`` starts with an optional role and a speaker's name.

    ``中华人民共和国主席 习近平尊敬的…`` → (``中华人民共和国主席 习近平``, ``习近平``, ``尊敬的…``).
    An unknown name (2–4 Han characters, possibly spaced out: ``李 强``) is accepted only where
    ``allow_unknown`` and then only alone or before a salutation.
    """
    m = re.match(rf"(?:{_ROLE})?\s*", p)
    pos = m.end() if m else 0
    name = _known_name_at(p, pos)
    if name is None and pos:  # the role may have swallowed a name's first character
        for back in range(pos - 1, max(pos - 4, -1), -1):
            name = _known_name_at(p, back)
            if name and back + len(name) > pos:
                pos = back
                break
            name = None
    if name:
        end = pos + len(name)
        return p[:end], name, p[end:].strip()
    if not allow_unknown:
        return None
    m2 = re.match(rf"([{HAN}](?: ?[{HAN}]){{1,3}})(?=$|\s*{_SALUTATION})", p[pos:])
    if not m2:
        return None
    name = m2.group(1).replace(" ", "")
    if name in {"前言", "导语", "摘要", "目录", "正文", "全文", "附件", "说明", "编者按", "编后"} or re.match(
            r"尊敬|各位|亲爱|女士|先生|同志|朋友|全国|同胞|大家|总统|行政|在座|全体|诸位", name) or not is_person_name(name):
        return None
    end = pos + m2.end()
    return p[:end], name, p[end:].strip()


def _title_like(p: str) -> bool:
    if len(p) > 90 or len(p) < 4 or _SENT_FINAL.search(p) or p[-1] in "：:，,、；;" or "。" in p:
        return False
    if len(re.findall(f"[{HAN}]", p)) < 4 or (p[0] in "（(" and p[-1] in "）)"):
        return False
    return not _ATTRIBUTION.match(p)


def _occasion_from(s: str) -> str | None:
    s = re.sub(r"\s*[（(][^（）()]*[）)]\s*$", "", s)
    s = re.sub(rf"^.{{0,20}}?(?:{KNOWN_RE})(?:主席|总书记|总理)?[：:]?(?=在)", "", s)
    m = _OCCASION.search(s)
    if m:
        occ = (m.group("occ") or m.group("occ2")).strip()
        occ = re.sub(r"^(?:在|——)", "", occ)
        if 2 <= len(occ) <= 80:
            return occ
    m = _OCCASION_NEWS.search(s)
    if m:
        return m.group("occ").strip()
    return None


# ----------------------------------------------------------------------------------------------
# the extractor


@dataclass
class _State:
    paras: list[str]
    consumed: list[str] = field(default_factory=list)
    title_lines: list[str] = field(default_factory=list)
    sites: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    labelled: dict[str, str] = field(default_factory=dict)
    delivered: str | None = None
    delivered_in_header: bool = False
    header_speakers: list[str] = field(default_factory=list)
    header_titles: list[str] = field(default_factory=list)
    occasions: list[str] = field(default_factory=list)
    datelines: list[tuple[str | None, str, str]] = field(default_factory=list)  # outlet, place, "M月D日"
    reporters: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    article_form: bool = False  # "标题※习近平": a signed article
    masthead_date: str | None = None  # "东岚日报 2024年11月21日 星期四 第3版"
    outlets: list[str] = field(default_factory=list)  # outlets named by datelines and mastheads
    news_dateline: bool = False  # "本报讯（记者 …）": the text is a news report
    closing_dateline: bool = False  # "（新华网杭州12月16日电 记者…）" closes a news report
    editor: str | None = None  # "（责任编辑：王小二）"
    place: str | None = None  # "（2025年11月1日，庆州）"
    roles: dict[str, list[str]] = field(default_factory=dict)  # speaker -> role titles the header gives
    pending: list[str] = field(default_factory=list)  # title-like lines not yet known to be title
    first_line: bool = False  # the header parse is on the text's first line
    after_dateline: bool = False  # ... on what follows a dateline on its line


_TIME_OF_DAY = re.compile(r"^(?:上午|下午|中午|晚上|晚间|晚|早上|凌晨|傍晚|夜)$")


def _add_speaker(st: _State, name: str, header: str = "") -> None:
    """A speaker the header names, with the role titles before the name (``中共中央总书记、
    中华人民共和国主席 习近平`` → roles ``中共中央总书记``, ``中华人民共和国主席``)."""
    st.header_speakers.append(name)
    before = header[: header.rfind(name)] if name in header else ""
    roles = [r for r in re.split(r"[\s、，,※]+", before) if r and re.search(_ROLE_TITLE + "$", r)]
    if roles:
        st.roles.setdefault(name, [])
        st.roles[name].extend(r for r in roles if r not in st.roles[name])


@dataclass
class _Step:
    """What one header rule did to the line it matched: ``taken`` is metadata (listed in
    ``consumed``), ``rest`` follows on the same line — more header (a run-in header goes on) or,
    with ``body``, the start of the text."""

    taken: str
    rest: str = ""
    body: bool = False
    confirms: bool = True  # a metadata line confirms the title-like lines held before it
    skip_next: bool = False  # the rule took the next paragraph too (a keyword list on its own line)


def _names(s: str) -> list[str]:
    return [x for x in re.split(r"[\s、，,]+", s) if x]


def _h_keywords(st: _State, m: re.Match[str], p: str, nxt: str | None) -> _Step | None:
    items = m.group("items").strip()
    if not items and nxt is not None and not _SENT_FINAL.search(nxt) and len(nxt) <= 300:
        st.keywords = [x for x in re.split(r"[\s,，;；、|]+", nxt) if x]
        return _Step(p, confirms=False, skip_next=True)
    st.keywords = [x for x in re.split(r"[\s,，;；、|]+", items) if x]
    return _Step(p, confirms=False)


def _h_labelled(st: _State, m: re.Match[str], p: str, nxt: str | None) -> _Step | None:
    found = list(_LABELLED.finditer(p))
    if len(p) > 120 or "".join(x.group(0) for x in found).replace(" ", "") != p.replace(" ", ""):
        return None
    for x in found:
        st.labelled.setdefault(x.group("label"), x.group("value").strip())
    return _Step(p)


def _h_masthead(st: _State, m: re.Match[str], p: str, nxt: str | None) -> _Step | None:
    if len(p) > 60:
        return None
    st.masthead_date = _iso_from_text(m.group("date"))
    st.outlets.append(m.group("outlet"))
    return _Step(p)


def _h_byline(st: _State, m: re.Match[str], p: str, nxt: str | None) -> _Step | None:
    if len(p) > 40:
        return None
    st.reporters.extend(_names(m.group("names")))
    return _Step(p, confirms=False)


def _h_dateline(st: _State, m: re.Match[str], p: str, nxt: str | None) -> _Step | None:
    if not (m.group("outlet") or len(m.group("place") or "") <= 6):
        return None
    if m.group("md"):
        st.datelines.append((m.group("outlet"), m.group("place"), m.group("md")))
    if m.group("outlet"):
        st.outlets.append(m.group("outlet"))
    if m.group("names"):
        st.reporters.extend(_names(m.group("names")))
        st.news_dateline = True
    st.after_dateline = True
    return _Step(p[:m.end()], p[m.end():].strip(), confirms=False)


def _h_header_undated(st: _State, m: re.Match[str], p: str, nxt: str | None) -> _Step | None:
    if not (st.after_dateline or st.first_line) or not _SPEECH_TITLE.search(m.group("title")):
        return None
    st.header_titles.append(m.group("title"))
    _add_speaker(st, m.group("name"))
    return _Step(p[: len(p) - len(m.group("rest"))].strip(), m.group("rest").strip(), body=True)  # then the text


def _h_header_dated(st: _State, m: re.Match[str], p: str, nxt: str | None) -> _Step | None:
    if m.group("title") and _SENT_FINAL.search(m.group("title")):
        return None
    split = _split_speaker(m.group("rest"), allow_unknown=True) if m.group("rest") else None
    if not (split or m.group("role") or not m.group("rest")):
        return None
    title = m.group("title").strip()
    st.delivered = st.delivered or _iso_from_text(m.group("date"))
    place = (m.group("place") or "").strip()
    if place and not _TIME_OF_DAY.match(place) and not st.place:
        st.place = place
    st.delivered_in_header = True
    if title:
        st.header_titles.append(title)
        occ = _occasion_from(title)
        if occ:
            st.occasions.append(occ)
    cut = m.start("rest")  # what precedes is header; from here on, text
    if split:
        _add_speaker(st, split[1], (m.group("role") or "") + split[0])
        cut += len(split[0])
    elif not m.group("role"):
        cut = len(p)
    rest = p[cut:].strip()
    return _Step(p[:cut].strip(), rest, body=bool(rest))


def _h_date_line(st: _State, m: re.Match[str], p: str, nxt: str | None) -> _Step | None:
    iso = _iso_from_text(m.group("d1") or m.group("d2") or m.group("d3"))
    if not iso:
        return None
    st.delivered = st.delivered or iso
    st.delivered_in_header = True
    occ = m.group("occ2") or m.group("occ3")
    if occ:
        st.occasions.append(occ)
    return _Step(p)


def _h_subtitle(st: _State, m: re.Match[str], p: str, nxt: str | None) -> _Step | None:
    st.occasions.append(m.group("occ"))
    st.header_titles.append(p)
    return _Step(p)


def _h_signed_article(st: _State, m: re.Match[str], p: str, nxt: str | None) -> _Step | None:
    a, b = m.group("title"), m.group("rest")
    if not a.strip() or len(a) > 90 or "※" not in p[:120]:
        return None
    split = _split_speaker(b.strip(), allow_unknown=True)
    if split is None and len(p) > 120:  # run-on: the name runs into the text
        k = re.match(rf"\s*((?:{_ROLE})?\s*({KNOWN_RE}))", b)
        split = (k.group(1), k.group(2), b[k.end():].strip()) if k else None
    if split is None:
        return None
    st.header_titles.append(a.strip())
    _add_speaker(st, split[1], split[0])
    st.article_form = True
    return _Step(p[: p.rindex(split[2])].strip() if split[2] else p, split[2], body=bool(split[2]), confirms=False)


def _h_speaker_line(st: _State, m: re.Match[str] | None, p: str, nxt: str | None) -> _Step | None:
    if not (st.pending or st.title_lines or st.delivered_in_header):
        return None
    split = _split_speaker(p, allow_unknown=True)
    if not split or len(split[0]) > 40 or (split[2] and not re.match(_SALUTATION, split[2])):
        return None
    _add_speaker(st, split[1], split[0])
    return _Step(split[0], split[2], body=bool(split[2]))


def _h_generic(st: _State, m: re.Match[str], p: str, nxt: str | None) -> _Step | None:
    """A header row with no handler of its own: its named groups are its fields (``title``,
    ``outlet``, ``place`` with ``md``, ``names``, ``date``, ``occasion``, ``role`` and ``name``); the rest
    of the line goes on."""
    g = m.groupdict()
    if g.get("title"):
        st.header_titles.append(g["title"].strip())
    if g.get("outlet"):
        st.outlets.append(g["outlet"])
    if g.get("md"):
        st.datelines.append((g.get("outlet"), g.get("place") or "", g["md"]))
    elif g.get("place") and not st.place:
        st.place = g["place"]
    if g.get("names"):
        st.reporters.extend(_names(g["names"]))
    if g.get("date"):
        st.delivered = st.delivered or _iso_from_text(g["date"])
        st.delivered_in_header = True
    if g.get("occasion"):
        st.occasions.append(g["occasion"])
    if g.get("name") and is_person_name(g["name"].replace(" ", "")):
        _add_speaker(st, g["name"].replace(" ", ""), (g.get("role") or "") + g["name"])
    return _Step(p[:m.end()].strip(), p[m.end():].strip())


_HANDLERS = {
    "keywords_line": _h_keywords, "labelled_line": _h_labelled, "masthead": _h_masthead,
    "byline_reporters": _h_byline, "dateline": _h_dateline, "header_undated": _h_header_undated,
    "header_dated": _h_header_dated, "date_line": _h_date_line, "subtitle": _h_subtitle,
    "signed_article": _h_signed_article, "speaker_line": _h_speaker_line,
}
# the header rows of the table, in the table's order, each with what it does (a new row with
# named groups needs no handler: _h_generic sets its fields)
_HEAD: tuple[tuple[Rule, Any], ...] = tuple((r, _HANDLERS.get(r.name, _h_generic)) for r in rules_for("head"))


def _head_step(st: _State, p: str, nxt: str | None) -> _Step | None:
    for r, handler in _HEAD:
        m = r.regex.match(p)
        if r.name == "speaker_line" or m:  # a speaker line is recognised by _split_speaker
            step = handler(st, m, p, nxt)
            if step is not None:
                return step
    return None


def _parse_head(st: _State, field_title: str | None = None) -> None:
    """Take the head of the text off, line by line, by the header rows of the rule table
    (``_HEAD``): each row that matches takes its piece off the start of the line and what follows
    on the line is parsed again (so a run-in header comes apart piece by piece) until a row says
    the text begins or no row matches.

    Title-like lines are held until a metadata line confirms them; unconfirmed, only a first line
    is a title (and, when the record has a title field, only if it is that title)."""
    paras = st.paras
    out: list[str] = []
    i = 0
    meta_seen = False
    done = False
    while i < len(paras) and i < 12 and not out and not done:
        if st.header_speakers and (st.delivered_in_header or st.article_form):
            break  # a complete header: what follows is the text
        p = paras[i]
        i += 1
        st.first_line = i == 1
        st.after_dateline = False
        while p:
            step = _head_step(st, p, paras[i] if i < len(paras) else None)
            if step is None:
                break
            st.consumed.append(step.taken)
            meta_seen = True
            if step.confirms:
                st.title_lines.extend(st.pending)
                st.pending = []
            if step.skip_next:
                st.consumed.append(paras[i])
                i += 1
            if step.body:  # the text begins here
                if step.rest:
                    out.append(step.rest)
                done = True
                p = ""
                break
            p = step.rest
        if done or not p:
            continue
        if not meta_seen and not st.pending and not st.title_lines and not st.after_dateline:
            if _title_like(p):  # the very first paragraph: a title if it reads like one
                st.pending.append(p)
                continue
        elif _title_like(p) and len(st.pending) < 3 and not (st.delivered_in_header and st.header_speakers):
            st.pending.append(p)
            continue
        out.append(p)
    # title-like lines never confirmed by a following metadata line: only a first line is a title
    pending = st.pending
    if pending:
        first_is_title = not st.title_lines and not st.header_titles
        if first_is_title and field_title:  # a record with a title: a first line is a title only if it is that one
            a, b = normalize_for_match(pending[0]), normalize_for_match(field_title)
            first_is_title = bool(a) and (a in b or b in a)
        if first_is_title:
            st.title_lines.append(pending[0])
            pending = pending[1:]
        out = pending + out
    st.pending = []
    for t in st.title_lines:
        st.consumed.append(t)
    st.paras = out + paras[i:]


def _parse_tail(st: _State) -> None:
    """URL lines, ``(来源：…)``, reporter lines and a closing dateline, anywhere in the body."""
    out: list[str] = []
    for p in st.paras:
        if len(p) <= 300 and ("http" in p or "www." in p or "来源" in p or "记者" in p or "出处" in p
                              or "转自" in p or "稿源" in p or "URL" in p):
            um = _URL_LINE.match(p)
            if um:
                st.urls.append(um.group("url"))
                st.consumed.append(p)
                continue
            sm = _SOURCE_LINE.match(p)
            if sm:
                st.sources.append(sm.group("src").strip())
                st.consumed.append(p)
                continue
            rm = _REPORTER_LINE.match(p)
            if rm:
                st.reporters.extend(x for x in re.split(r"[\s、，,]+", rm.group("names")) if x)
                st.consumed.append(p)
                continue
        em = _EDITOR.search(p) if "编" in p[-40:] else None
        if em and (em.start() == 0 or p[em.start()] in "【[（(" or p[em.start() - 1] in "。！？”"):
            st.editor = st.editor or em.group("name").strip()
            st.consumed.append(p[em.start():])
            p = p[:em.start()].rstrip()
            if not p:
                continue
        cm = _CLOSING_DATELINE.search(p) if "电" in p and p[-1] in "）)" else None
        if cm:
            st.closing_dateline = True
            if cm.group("outlet"):
                st.outlets.append(cm.group("outlet"))
            st.datelines.append((cm.group("outlet"), cm.group("place"), cm.group("md")))
            if cm.group("names"):
                st.reporters.extend(x for x in re.split(r"[\s、，,]+", cm.group("names")) if x)
            st.consumed.append(cm.group(0))
            p = p[: cm.start()].rstrip()
            if not p:
                continue
        out.append(p)
    st.paras = out


def _fields_date(fields: dict[str, Any]) -> str | None:
    for key in ("date", "published", "publication", "pubdate", "year"):
        if key in fields:
            iso = parse_date(fields[key])
            if iso:
                return iso
    cong = fields.get("congress")
    if isinstance(cong, (int, str)) and str(cong).strip().isdigit() and _is_cpc(fields):
        year = CPC_CONGRESS_YEARS.get(int(str(cong).strip()))
        if year:
            return str(year)
    return None


def _is_cpc(fields: dict[str, Any]) -> bool:
    t = str(fields.get("type") or "") + str(fields.get("title") or "")
    return "cpc" in t.lower() or "全国代表大会" in t or "全國代表大會" in t or bool(re.search(r"[（(][一二三四五六七八九十]+大[)）]", t))


def _relative_date(paras: list[str]) -> str | None:
    """A page that says "昨天，…" about an event that the same page dates elsewhere: its own date.

    Seed 002 says ``昨天，国家主席习近平向2024年世界互联网大会乌镇峰会开幕视频致贺`` and later
    ``——2024年11月20日，习近平主席向2024年世界互联网大会乌镇峰会开幕视频致贺``: the event is
    2024-11-20, so the page is of 2024-11-21. The two mentions must share at least ten characters.
    """
    dated: list[tuple[str, str]] = []
    for p in paras:
        for dm in find_date_mentions(p):
            if dm.precision == "day":
                ctx = p[dm.end: dm.end + 80]
                ctx = re.split(r"[。！？]", ctx, maxsplit=1)[0]
                dated.append((dm.iso, ctx))
    if not dated:
        return None
    for p in paras[:3]:
        for m in _RELATIVE_WORD.finditer(p):
            offset = relative_offset(m.group("w"))
            if offset is None:
                continue
            clause = re.split(r"[。！？]", p[m.end():], maxsplit=1)[0]
            best: tuple[int, str] | None = None
            for iso, ctx in dated:
                sm = SequenceMatcher(None, clause, ctx, autojunk=False)
                k = sm.find_longest_match(0, len(clause), 0, len(ctx)).size
                if k >= 10 and (best is None or k > best[0]):
                    best = (k, iso)
            if best:
                return add_days(best[1], -offset)
    return None


def _event_date(texts: list[str]) -> str | None:
    """A numbered event of known year and a month-day in the same sentence: ``第三届世界互联网大会于
    11月16日至18日…`` → 2016-11-16."""
    for text in texts:
        for sentence in re.split(r"(?<=[。！？])", text):
            evs = event_years(sentence)
            if not evs:
                continue
            years = {y for _, _, y in evs}
            if len(years) != 1:
                continue
            year = years.pop()
            mds = find_month_days(sentence)
            if mds:
                _, _, mo, d = mds[0]
                iso = find_date_mentions(f"{year}年{mo}月{d}日")
                if iso:
                    return iso[0].iso
    return None


_URL_DATE = re.compile(r"/((?:19|20)[0-9]{2})[-/_]?([01][0-9])[-/_]?([0-3][0-9])(?:[/_.]|$)")
_PRESENT = re.compile(r"今年|本届|此次|这次|本次|这是|当天|当日")


def _dateline_date(st: _State, hints: list[str], reference_date: str | None, body: list[str],
                   url: str | None) -> str | None:
    """A dateline (``新华网杭州12月16日电``) with its year inferred from other evidence.

    The evidence, in order: the text's own full date of that day; a numbered event of known year
    in the title or lead (第二届世界互联网大会 → 2015); a date in the URL on that month and day; the
    one year the text names, when a sentence that names it speaks of the present (``这是2019年…``,
    ``今年``); the reference date. Several years, or none: no date.
    """
    for _outlet, _place, md in st.datelines:
        mds = find_month_days(md)
        if not mds:
            continue
        _, _, mo, d = mds[0]
        mmdd = f"{mo:02d}-{d:02d}"
        years: set[int] = set()
        if st.delivered and st.delivered[5:] == mmdd:
            years.add(int(st.delivered[:4]))
        for text in hints:
            years.update(y for _, _, y in event_years(text))
        if not years and url:
            um = _URL_DATE.search(url)
            if um and f"{um.group(2)}-{um.group(3)}" == mmdd:
                years.add(int(um.group(1)))
        if not years:
            named: set[int] = set()
            present: set[int] = set()
            for p in body:
                for sentence in re.split(r"(?<=[。！？])", p) if "年" in p else ():
                    ys = {int(x.iso[:4]) for x in find_date_mentions(sentence)}
                    named |= ys
                    if ys and _PRESENT.search(sentence):
                        present |= ys
            if len(named) == 1 and present == named:
                years = named
        if len(years) != 1 and reference_date and len(reference_date) == 10:
            ry = int(reference_date[:4])
            years = {ry if mmdd <= reference_date[5:] else ry - 1}
        if len(years) == 1:
            ms = find_date_mentions(f"{years.pop()}年{mo}月{d}日")
            if ms:
                return ms[0].iso
    return None


def _regions(title: str, body: list[str], source: str | None, fields: dict[str, Any]) -> dict[str, str]:
    """The places a row of the table is looked for (``where``), as text."""
    return {
        "title": re.sub(r"\s*[（(][^（）()]*[）)]\s*$", "", title) if not title.endswith(("（全文）", "(全文)")) else title,
        "lede": "\n".join(p[:400] for p in body[:3]),
        "start": body[0] if body else "",
        "source": source or "",
        "type": str(fields.get("type") or "").lower(),
    }


def _found(r: Rule, regions: dict[str, str], body: list[str], flags: dict[str, bool], names: list[str]) -> bool:
    """Whether row ``r``'s evidence is in the text (``body`` rows: in ``min_count`` paragraphs)."""
    if r.where == "flag":
        return bool(flags.get(r.pattern))
    regex = r.regex
    if r.where == "body":
        if names and r.name == "report_third_person":  # the people the title names report too
            regex = re.compile(r.pattern.replace(f"(?:{KNOWN_RE}", "(?:" + "|".join(map(re.escape, names)) + "|" + KNOWN_RE, 1))
        need = r.min_count
        for p in body:
            if regex.search(p):
                need -= 1
                if need <= 0:
                    return True
        return False
    text = regions.get(r.where, "")
    return bool(text) and bool(regex.search(text))


# a tie goes to the more specific genre
_GENRE_ORDER = ("compilation", "letter", "interview", "article", "work-report", "speech", "report", "other")


def _genre(fields: dict[str, Any], title: str, body: list[str], st: _State, names: list[str],
           source: str | None = None) -> tuple[str, list[str]]:
    """The genre and the rows that gave it: an explicit field, else the genre whose rows in the
    table (``field == "genre"``) add up to the highest weight; ``other`` when none matches."""
    g = _str(fields.get("genre"))
    if g and g.lower() in GENRES:
        return g.lower(), ["field"]
    regions = _regions(title, body, source, fields)
    flags = {"delivered_in_header": st.delivered_in_header and not st.article_form,
             "article_form": st.article_form, "closing_dateline": st.closing_dateline,
             "news_dateline": st.news_dateline, "reporters": bool(st.reporters) and not st.article_form}
    scores: dict[str, float] = {}
    why: dict[str, list[str]] = {}
    for r in rules_for("genre"):
        if r.value and _found(r, regions, body, flags, names):
            scores[r.value] = scores.get(r.value, 0.0) + r.weight
            why.setdefault(r.value, []).append(r.name)
    if not scores:
        return "other", []
    best = max(scores, key=lambda k: (scores[k], -_GENRE_ORDER.index(k)))
    return best, why[best]


def _name_candidates(title: str, body: list[str], st: _State) -> list[str]:
    """Speaker names, known or not, the most likely first: the header's by-line, then the names
    the table's ``speakers`` rows find (title subject, attributions, an interview's answers, a
    role before a name, a paragraph opening on a name and a verb of saying, a report's lead),
    ranked by the weight of the rows that found them. Every name is a person's
    (:func:`lunshu.facts.is_person_name`); in the running text only full, three-character names."""
    out: list[str] = list(st.header_speakers)
    if title:
        split = _split_speaker(title, allow_unknown=False)
        if split:
            out.append(split[1])

    def ok(name: str, running: bool) -> bool:
        if name.startswith(("第", "本", "该", "这", "那", "各", "全", "每")) or name.endswith(
                ("主席", "总理", "同志", "书记", "委员", "市长", "省长", "部长")):
            return False
        if running and (len(name) != 3 or name[-1] in _ORG_ENDINGS) and name not in KNOWN_SPEAKERS:
            return False
        return is_person_name(name)

    score: Counter[str] = Counter()
    regions = {"title": title, "lede": "\n".join(body[:2])}
    for r in rules_for("speakers"):
        if r.where == "body":
            running = r.name in ("speaker_role_in_text", "speaker_opening")
            found = Counter(m.group("name") for p in body[:60] for m in (
                r.regex.finditer(p) if running else [r.regex.match(p)]) if m and ok(m.group("name"), running))
            for name, n in found.items():
                if n >= r.min_count:
                    score[name] += r.weight + 0.1 * min(n, 10)
        else:
            text = regions.get(r.where, "")
            m = r.regex.search(text) if text else None
            if m and ok(m.group("name"), False):
                score[m.group("name")] += r.weight
    out.extend(n for n, _ in sorted(score.items(), key=lambda kv: -kv[1]))
    return list(dict.fromkeys(out))


_ORG_ENDINGS = frozenset("会局国院部厅委办府省市县区组社网报党团军队处科室所校馆站司行业界方")


def _speakers(fields: dict[str, Any], title: str, body: list[str], st: _State, year: int | None,
              genre: str, names: list[str]) -> list[str]:
    out: list[str] = []

    def add(name: str | None) -> None:
        if name and name not in out and 2 <= len(name) <= 20:
            out.append(name)

    for s in _list(fields.get("speakers")):
        add(s)
    author = _str(fields.get("author"))
    if author and (author in KNOWN_SPEAKERS or (len(author) <= 4 and author in title)):
        add(author)
    for s in st.header_speakers:
        add(s)
    official = "政府工作报告" in title or "决议" in title or _is_cpc(fields)
    # a government work report, by the year and the premier who delivered it
    if not out and "政府工作报告" in title and "决议" not in title:
        head = "".join(body[:6])
        m = re.search(rf"国务院总理\s*({KNOWN_RE})|({KNOWN_RE})\s*总理在报告中", head)
        if m:
            add(m.group(1) or m.group(2))
        elif year and re.search(r"我代表(?:中央人民政府|国务院|國務院)[^。]{0,40}?(?:政府工作|工作[报報]告|[报報]告[^。]{0,12}工作)|"
                                r"作政府工作[报報]告|[报報]告政府工作", "".join(body[:3])):
            add(premier_for_report(year))
    # a CPC congress report
    cong = fields.get("congress")
    if not out and cong is not None and str(cong).strip().isdigit() and _is_cpc(fields):
        n = int(str(cong).strip())
        if n in CPC_REPORTERS and re.search(r"报告|報告|[（(][一二三四五六七八九十]+大[)）]", title):
            add(CPC_REPORTERS[n])
    # the subject of the title, the names of attributions, answers, the lead (see _name_candidates)
    if not out and not (official and "决议" in title):
        for cand in names:
            if not official or cand in KNOWN_SPEAKERS or cand in title:
                add(cand)
                break
    # secondary speakers named in headings: "刘云山主持开幕式并致辞"
    if out:
        for p in body[:8]:
            if len(p) <= 40 and not _SENT_FINAL.search(p):
                m = re.match(rf"^(?:{_ROLE})?\s*({KNOWN_RE})[^，。]{{0,24}}(?:致辞|讲话|演讲|发言)", p)
                if m:
                    add(m.group(1))
    return out


def editor_of(line: str) -> str | None:
    """The editor named by a ``责任编辑：…`` line (``（责编：王小二、李四）`` → ``王小二、李四``)."""
    m = _EDITOR.search(line.strip())
    return m.group("name").strip() if m else None


def _resolve_title(fields: dict[str, Any], st: _State) -> tuple[str | None, str | None, list[str], re.Match[str] | None]:
    """Title: the record's field (an HTML ``<title>``'s site suffix cut off), else the text's title
    lines, else its header's title (title and subtitle as one), else a 全文如下 lede's noun.
    Returns (title, site the field's suffix names, site lines, the lede)."""
    f_title = _good_title(_str(fields.get("title")))
    title_site = None
    if f_title:  # an HTML page's <title>: "标题_东岚网"
        tm = _TITLE_SITE.match(f_title)
        if tm:
            f_title, title_site = tm.group("title").strip(), tm.group("site").strip()
    text_title = " ".join(t for t in st.title_lines if not (_SITE.match(t) and len(st.title_lines) > 1)) or None
    title = f_title or text_title or (st.header_titles[0] if st.header_titles else None)
    lede = next((m for p in st.paras[:3] if "全文如下" in p and (m := _LEDE.search(p))), None)
    if title is None and lede:
        title = lede.group("t1") or lede.group("t2")
    sites = [t for t in st.title_lines if _SITE.match(t) and len(st.title_lines) > 1]
    return title, title_site, sites, lede


def _resolve_date(fields: dict[str, Any], st: _State, title: str | None, body: list[str],
                  reference_date: str | None) -> str | None:
    """Date of publication: the record's field (a year refined by the header's own date), a
    labelled 发布时间, a masthead, the header's date, 昨天/今天 anchored by a dated mention, a
    dateline with its year inferred, a numbered event with a month-day, the reference date, the
    year of a numbered NPC session. Never a guess."""
    f_date = _fields_date(fields)
    if f_date:
        if len(f_date) < 10 and st.delivered and st.delivered.startswith(f_date):
            return st.delivered  # a year field refined by the text's own header date
        return f_date
    for label in ("发布时间", "发布日期", "发表时间", "发表日期", "日期", "时间", "更新时间"):
        if label in st.labelled:
            date = parse_date(st.labelled[label])
            if date:
                return date
    date = st.masthead_date or st.delivered or _relative_date(body)
    hints = [title or ""] + body[:3]
    if date is None and st.datelines:
        date = _dateline_date(st, hints, reference_date, body,
                              _good_url(_str(fields.get("url"))) or (st.urls[0] if st.urls else None))
    if date is None:
        date = _event_date(hints)
    if date is None and reference_date:
        date = parse_date(reference_date)
    if date is None:
        for text in [title or ""] + body[:2]:
            evs = [y for _, _, y in event_years(text) if "全国人民代表大会" in text]
            if len(set(evs)) == 1:
                return str(evs[0])
    return date


def _resolve_source(fields: dict[str, Any], st: _State, title: str | None, title_site: str | None,
                    sites: list[str], url: str | None) -> str | None:
    """Source outlet: the record's field, a 来源 line or label, the outlet of a dateline or
    masthead, an author that is not the speaker, the site a title or a site line names, the URL's
    domain."""
    source = _str(fields.get("source")) or (st.sources[0] if st.sources else None) or st.labelled.get("来源") or None
    if source is None:
        outlets = [o for o in st.outlets if o not in ("本报", "本刊")]
        source = outlets[0] if outlets else None
    author = _str(fields.get("author"))
    if source is None and author and author not in KNOWN_SPEAKERS and not (len(author) <= 4 and title and author in title):
        source = author
    source = source or title_site or (sites[0] if sites else None)
    if source is None and url:
        host = re.sub(r"^(?:https?://)?([^/:?#]+).*$", r"\1", url.lower())
        source = next((name for dom, name in URL_OUTLETS if host == dom or host.endswith("." + dom)), None)
    return source


def _resolve_occasion(fields: dict[str, Any], st: _State, title: str | None, body: list[str]) -> str | None:
    """Occasion: the record's field, a subtitle or date line, a title ``在…上的讲话`` or
    ``出席…并发表``, a CPC congress's number, an NPC session named by a work report's opening."""
    occasion = _str(fields.get("occasion")) or (st.occasions[0] if st.occasions else None)
    if occasion is None:
        for t in st.header_titles + st.title_lines + [title or ""]:
            occasion = _occasion_from(t)
            if occasion:
                return occasion
    cong = fields.get("congress")
    if occasion is None and cong is not None and str(cong).strip().isdigit() and _is_cpc(fields):
        n = int(str(cong).strip())
        if n in CPC_CONGRESS_YEARS:
            return f"中国共产党第{cn_numeral(n)}次全国代表大会"
    if occasion is None and body and re.search(r"政府工作报告|全国人民代表大会", title or ""):
        m = re.search(r"第[一二三四五六七八九十]+届全国人民代表大会第[一二三四五六七八九十]+次会议", "".join(body[:2]))
        return m.group(0) if m else None
    return occasion


def _resolve_editor(fields: dict[str, Any], st: _State, removed: list[Any] | None) -> str | None:
    """Editor in charge: the record's field, a 责任编辑 label or closing line, or the line the cleaner dropped."""
    return (_str(fields.get("editor")) or st.editor
            or next((st.labelled[k] for k in ("责任编辑", "责编", "编辑") if st.labelled.get(k)), None)
            or next((e for r in (removed or []) if (e := editor_of(getattr(r, "text", "")))), None))


def extract(paragraphs: list[str], fields: dict[str, object], *,
            reference_date: str | None = None, removed: list[Any] | None = None) -> tuple[Metadata, list[str]]:
    """The metadata of one document, and its body paragraphs without the metadata ones.

    ``fields`` are the reader's canonical fields (``title``, ``date``, ``url``, ``source``,
    ``author``, ``speakers``, ``genre``, ``keywords``, ``occasion``, ``year``, ``congress``,
    ``type``…); explicit, non-junk fields win. ``reference_date`` is the day the text was
    published if known from outside it (a crawl's HTTP date, say): 昨天/今天 and datelines are
    resolved against it when the text gives nothing better, and it is the date of last resort.
    ``removed`` are the cleaner's removals (a ``责任编辑`` line it dropped names the editor).
    A body without paragraph marks is split into inferred paragraphs (:mod:`lunshu.paragraphs`).

    The header and closing lines are parsed by the rows of :mod:`lunshu.rules`; then one small
    resolver per field weighs what they and the record's fields say.
    """
    fields = dict(fields or {})
    st = _State(list(paragraphs))
    _parse_head(st, _good_title(_str(fields.get("title"))))
    _parse_tail(st)
    title, title_site, sites, lede = _resolve_title(fields, st)

    body = st.paras
    # the title repeated at the head of the article (seed 000) is a title, not body
    if title:
        nt = normalize_for_match(title)
        keep: list[str] = []
        for k, p in enumerate(body):
            if k < 6 and normalize_for_match(p) == nt:
                st.consumed.append(p)
            else:
                keep.append(p)
        body = keep
    body, inferred = split_run_on(body)

    date = _resolve_date(fields, st, title, body, reference_date)
    url = _good_url(_str(fields.get("url"))) or (st.urls[0] if st.urls else None)
    source = _resolve_source(fields, st, title, title_site, sites, url)
    names = _name_candidates(title or "", body, st)
    if lede and not st.header_speakers:
        names = list(dict.fromkeys([lede.group("who")] + names))
    title_names = [n for n in names if n in (title or "") or n in st.header_speakers]
    genre, _why = _genre(fields, title or "", body, st, title_names, source)
    speakers = _speakers(fields, title or "", body, st, year_of(date), genre, names)
    reporters = _list(fields.get("reporters")) or st.reporters
    meta = Metadata(
        title=title,
        date=date,
        speakers=speakers,
        occasion=_resolve_occasion(fields, st, title, body),
        genre=genre,
        source=source,
        url=url,
        publisher_keywords=_list(fields.get("publisher_keywords")) or _list(fields.get("keywords")) or st.keywords,
        reporters=list(dict.fromkeys(reporters)),
        consumed=[c for c in st.consumed if c],
        delivered=st.delivered,
        editor=_resolve_editor(fields, st, removed),
        paragraphs_inferred=inferred,
        place=st.place or next((pl for _o, pl, _md in st.datelines if pl), None),
        roles={k: v for k, v in st.roles.items() if k in speakers},
    )
    return meta, body


def analyze(body: str, body_format: str = "text", fields: dict[str, object] | None = None, *,
            reference_date: str | None = None) -> tuple[Cleaned, Metadata, list[str]]:
    """Clean a body and extract its metadata in one call; front matter found by the cleaner in a
    text body counts as fields (the record's own fields win over it)."""
    cleaned = clean_body(body, body_format)
    merged: dict[str, object] = {}
    for k, v in cleaned.front_matter.items():
        key = {"tags": "keywords", "author": "author", "published": "date"}.get(k.lower(), k.lower())
        merged[key] = v
    merged.update(fields or {})
    meta, paragraphs = extract(cleaned.paragraphs, merged, reference_date=reference_date, removed=cleaned.removed)
    return cleaned, meta, paragraphs
