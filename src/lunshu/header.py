"""The head and the tail of a text, read by the rows of the rule table (:mod:`lunshu.rules`).

:func:`parse_head` takes the header off the start of a text, one piece at a time: each ``head``
row of the table that matches the start of a line takes its piece (a dateline, a title, a
``（2025年11月1日，庆州）`` line, a by-line …), records what it establishes in a :class:`Header`,
and what follows on the line is read again, until a row says the text begins (a salutation) or
none matches. :func:`parse_tail` takes closing lines (URL, ``（来源：…）``, reporters, a closing
dateline, ``责任编辑``) out of the body. What is taken out is listed verbatim in ``consumed``.

A header row whose named groups say what it establishes (``title``, ``subtitle``, ``outlet``,
``place`` with ``md``, ``names``, ``date``, ``pubdate``, ``occasion``, ``role`` and ``name``)
needs no code here: :func:`_h_generic` reads it. Only rows that decide something beyond their
match have a handler of their own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from lunshu.clean import normalize_for_match
from lunshu.dates import find_date_mentions
from lunshu.facts import HAN, KNOWN_RE, is_person_name
from lunshu.rules import DATE_TEXT, ROLE, ROLE_TITLE, SALUTATION, SPEECH_NOUN, Rule, rule, rules_for

__all__ = ["Header", "editor_of", "occasion_from", "parse_head", "parse_tail", "split_speaker"]

_LABELLED = rule("labelled_line").regex
_URL_LINE = rule("url_line").regex
_SOURCE_LINE = rule("source_line").regex
_REPORTER_LINE = rule("reporter_line").regex
_CLOSING_DATELINE = rule("closing_dateline").regex
_EDITOR = rule("editor_line").regex
_SPEECH_TITLE = rule("speech_title").regex
_SUBTITLE = rule("subtitle").regex
_DASHES = re.compile(r"^\s*[—─－-]+\s*")

_OCCASION = re.compile(
    r"(?:(?:——|在)(?P<occ>(?:(?!——)[^（()）：:]){2,80}?)(?:上|时|期间)?|(?:^|：|:)(?P<occ2>(?:(?!——)[^（()）：:]){2,80}?)"
    rf"(?:上|时|期间))的(?:主旨|重要|书面|视频|新年|开幕|闭幕|政治|工作)?{SPEECH_NOUN}"
)
_OCCASION_NEWS = re.compile(r"(?:出席|在)(?P<occ>[^，。、（）()\s]{2,60}?)(?:并|上|时)(?:将)?(?:发表|致辞|讲话|作)")
_ATTRIBUTION = re.compile(rf"^——\s*(?P<date>{DATE_TEXT})")
_SENT_FINAL = re.compile(r"[。！？!?]$")
_KNOWN_AT = re.compile(rf"(?:{KNOWN_RE})")
_TIME_OF_DAY = re.compile(r"^(?:上午|下午|中午|晚上|晚间|晚|早上|凌晨|傍晚|夜)$")


def _known_name_at(s: str, pos: int = 0) -> str | None:
    m = _KNOWN_AT.match(s, pos)
    return m.group(0) if m else None


def _iso_from_text(s: str) -> str | None:
    ms = find_date_mentions(s)
    return ms[0].iso if ms and ms[0].precision == "day" else None


def split_speaker(p: str, allow_unknown: bool) -> tuple[str, str, str] | None:
    """``(consumed, name, rest)`` when ``p`` starts with an optional role and a speaker's name.

    ``中华人民共和国主席 习近平尊敬的…`` → (``中华人民共和国主席 习近平``, ``习近平``, ``尊敬的…``).
    An unknown name (2–4 Han characters, possibly spaced out: ``李 强``) is accepted only where
    ``allow_unknown`` and then only alone or before a salutation.
    """
    m = re.match(rf"(?:{ROLE})?\s*", p)
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
    m2 = re.match(rf"([{HAN}](?: ?[{HAN}]){{1,3}})(?=$|\s*{SALUTATION})", p[pos:])
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


def occasion_from(s: str) -> str | None:
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


def subtitle_of(title: str) -> str | None:
    """The subtitle at the end of a title (``标题——在…上的讲话`` → ``在…上的讲话``), when the part
    after the dash reads as one (the ``subtitle`` row)."""
    k = title.find("——")
    while k > 0:
        m = _SUBTITLE.match(title[k:])
        if m:
            return _DASHES.sub("", m.group("subtitle"))
        k = title.find("——", k + 2)
    return None


# ----------------------------------------------------------------------------------------------
# the header parse


@dataclass
class Header:
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
    subtitle: str | None = None  # "在…上的讲话" (a subtitle line, or the end of a header's title)
    subtitle_line: str | None = None  # the subtitle line as it stands, "——在…上的讲话"


def _add_speaker(st: Header, name: str, header: str = "") -> None:
    """A speaker the header names, with the role titles before the name (``中共中央总书记、
    中华人民共和国主席 习近平`` → roles ``中共中央总书记``, ``中华人民共和国主席``)."""
    st.header_speakers.append(name)
    before = header[: header.rfind(name)] if name in header else ""
    roles = [r for r in re.split(r"[\s、，,※]+", before) if r and re.search(ROLE_TITLE + "$", r)]
    if roles:
        st.roles.setdefault(name, [])
        st.roles[name].extend(r for r in roles if r not in st.roles[name])


def _confirm(st: Header) -> None:
    """A metadata line confirms the title-like lines held before it: they are the title — or, when
    a title was confirmed before (a page's title and date line, then the text's own header), the
    text's own header title (its subtitle noted; the page's title stays the title)."""
    if st.title_lines:
        for t in st.pending:
            _add_title(st, t)
            st.consumed.append(t)
    else:
        st.title_lines.extend(st.pending)
    st.pending = []


def _add_title(st: Header, title: str) -> None:
    """A title the header gives (title and subtitle as one); its subtitle is noted."""
    st.header_titles.append(title)
    st.subtitle = st.subtitle or subtitle_of(title)


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


def _h_keywords(st: Header, m: re.Match[str], p: str, nxt: str | None) -> _Step | None:
    items = m.group("items").strip()
    if not items and nxt is not None and not _SENT_FINAL.search(nxt) and len(nxt) <= 300:
        st.keywords = [x for x in re.split(r"[\s,，;；、|]+", nxt) if x]
        return _Step(p, confirms=False, skip_next=True)
    st.keywords = [x for x in re.split(r"[\s,，;；、|]+", items) if x]
    return _Step(p, confirms=False)


def _h_labelled(st: Header, m: re.Match[str], p: str, nxt: str | None) -> _Step | None:
    found = list(_LABELLED.finditer(p))
    if len(p) > 120 or re.sub(r"\s", "", "".join(x.group(0) for x in found)) != re.sub(r"\s", "", p):
        return None
    for x in found:
        st.labelled.setdefault(x.group("label"), x.group("value").strip())
    return _Step(p)


def _h_dateline(st: Header, m: re.Match[str], p: str, nxt: str | None) -> _Step | None:
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


def _h_header_undated(st: Header, m: re.Match[str], p: str, nxt: str | None) -> _Step | None:
    if not (st.after_dateline or st.first_line) or not _SPEECH_TITLE.search(m.group("title")):
        return None
    _add_title(st, m.group("title"))
    _add_speaker(st, m.group("name"))
    return _Step(p[: len(p) - len(m.group("rest"))].strip(), m.group("rest").strip(), body=True)  # then the text


def _h_header_dated(st: Header, m: re.Match[str], p: str, nxt: str | None) -> _Step | None:
    if m.group("title") and _SENT_FINAL.search(m.group("title")):
        return None
    split = split_speaker(m.group("rest"), allow_unknown=True) if m.group("rest") else None
    speech_title = bool(m.group("title")) and _SPEECH_TITLE.search(m.group("title")) is not None and not re.search(
        "[。！？]", m.group("title"))
    if not (split or m.group("role") or not m.group("rest") or speech_title):
        return None  # a date in brackets in a sentence, not a header (unless after a speech's title)
    title = m.group("title").strip()
    st.delivered = st.delivered or _iso_from_text(m.group("date"))
    place = (m.group("place") or "").strip()
    if place and not _TIME_OF_DAY.match(place) and not st.place:
        st.place = place
    st.delivered_in_header = True
    if title:
        _add_title(st, title)
        occ = occasion_from(title)
        if occ:
            st.occasions.append(occ)
    cut = m.start("rest")  # what precedes is header; from here on, text
    if split:
        _add_speaker(st, split[1], (m.group("role") or "") + split[0])
        cut += len(split[0])
    rest = p[cut:].strip()
    return _Step(p[:cut].strip(), rest, body=bool(rest))


def _h_signed_article(st: Header, m: re.Match[str], p: str, nxt: str | None) -> _Step | None:
    a, b = m.group("title"), m.group("rest")
    if not a.strip() or len(a) > 90 or "※" not in p[:120]:
        return None
    split = split_speaker(b.strip(), allow_unknown=True)
    if split is None and len(p) > 120:  # run-on: the name runs into the text
        k = re.match(rf"\s*((?:{ROLE})?\s*({KNOWN_RE}))", b)
        split = (k.group(1), k.group(2), b[k.end():].strip()) if k else None
    if split is None:
        return None
    _add_title(st, a.strip())
    _add_speaker(st, split[1], split[0])
    st.article_form = True
    return _Step(p[: p.rindex(split[2])].strip() if split[2] else p, split[2], body=bool(split[2]), confirms=False)


def _h_speaker_line(st: Header, m: re.Match[str] | None, p: str, nxt: str | None) -> _Step | None:
    if not (st.pending or st.title_lines or st.delivered_in_header):
        return None
    split = split_speaker(p, allow_unknown=True)
    if not split or len(split[0]) > 40 or (split[2] and not re.match(SALUTATION, split[2])):
        return None
    _add_speaker(st, split[1], split[0])
    return _Step(split[0], split[2], body=bool(split[2]))


def _h_generic(st: Header, m: re.Match[str], p: str, nxt: str | None) -> _Step | None:
    """A header row with no handler of its own: its named groups are its fields — ``title``,
    ``subtitle`` (a line ``——在…上的讲话``), ``outlet``, ``place`` with ``md`` (a dateline), else
    ``place`` (where it was delivered), ``source`` (the outlet a line names), ``names`` (reporters), ``date`` (delivered: the header dates
    the text), ``pubdate`` (published), ``occasion``, ``role`` and ``name`` (the speaker). The rest of
    the line goes on."""
    g = m.groupdict()
    iso = _iso_from_text(g["date"]) if g.get("date") else None
    pubdate = _iso_from_text(g["pubdate"]) if g.get("pubdate") else None
    if (g.get("date") and not iso) or (g.get("pubdate") and not pubdate):
        return None  # not a date after all (2024年13月40日)
    if g.get("title"):
        _add_title(st, g["title"].strip())
    if g.get("subtitle"):
        st.header_titles.append(g["subtitle"])
        if not st.title_lines:  # it continues the first title (not the text's own after a page's title)
            st.subtitle_line = st.subtitle_line or g["subtitle"]
        st.subtitle = st.subtitle or _DASHES.sub("", g["subtitle"])
    if g.get("outlet"):
        st.outlets.append(g["outlet"])
    if g.get("source"):
        st.sources.append(g["source"].strip())
    place = (g.get("place") or "").strip()
    if g.get("md"):
        st.datelines.append((g.get("outlet"), place, g["md"]))
    elif place and not st.place and len(place) <= 12 and "在" not in place and not _TIME_OF_DAY.match(place):
        st.place = place
    if g.get("names"):
        st.reporters.extend(_names(g["names"]))
    if iso:
        st.delivered = st.delivered or iso
        st.delivered_in_header = True
    if pubdate:
        st.masthead_date = pubdate
    if g.get("occasion"):
        st.occasions.append(g["occasion"])
    if g.get("name") and is_person_name(g["name"].replace(" ", "")):
        _add_speaker(st, g["name"].replace(" ", ""), (g.get("role") or "") + g["name"])
    return _Step(p[:m.end()].strip(), p[m.end():].strip())


# the rows that decide something beyond their match (a handler each); every other head row is
# read by its named groups (_h_generic)
_HANDLERS = {
    "keywords_line": _h_keywords, "labelled_line": _h_labelled, "dateline": _h_dateline,
    "header_undated": _h_header_undated, "header_dated": _h_header_dated,
    "signed_article": _h_signed_article, "speaker_line": _h_speaker_line,
}
# the header rows of the table, in the table's order, each with what it does (a new row with
# named groups needs no handler: _h_generic sets its fields)
_HEAD: tuple[tuple[Rule, Any], ...] = tuple((r, _HANDLERS.get(r.name, _h_generic)) for r in rules_for("head"))


def _head_step(st: Header, p: str, nxt: str | None) -> _Step | None:
    for r, handler in _HEAD:
        if r.max_len and len(p) > r.max_len:
            continue
        m = r.regex.match(p)
        if r.name == "speaker_line" or m:  # a speaker line is recognised by split_speaker
            step = handler(st, m, p, nxt)
            if step is not None:
                if not r.confirms:
                    step.confirms = False
                return step
    return None


def parse_head(st: Header, field_title: str | None = None) -> None:
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
                _confirm(st)
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


def parse_tail(st: Header) -> None:
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



def editor_of(line: str) -> str | None:
    """The editor named by a ``责任编辑：…`` line (``（责编：王小二、李四）`` → ``王小二、李四``)."""
    m = _EDITOR.search(line.strip())
    return m.group("name").strip() if m else None
