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
from typing import Any

from lunshu.chars import cn_numeral
from lunshu.clean import Cleaned, clean_body, normalize_for_match
from lunshu.dates import parse_date, year_of
from lunshu.dating import dateline_date, event_date, relative_date
from lunshu.facts import (
    CPC_CONGRESS_YEARS,
    CPC_REPORTERS,
    HAN,
    KNOWN_RE,
    KNOWN_SPEAKERS,
    URL_OUTLETS,
    event_years,
    is_person_name,
    npc_session_year,
    premier_for_report,
)
from lunshu.header import Header, editor_of, occasion_from, parse_head, parse_tail, split_speaker, subtitle_of
from lunshu.models import GENRES
from lunshu.paragraphs import split_run_on
from lunshu.rules import ROLE, Rule, rule, rules_for

__all__ = ["CPC_CONGRESS_YEARS", "KNOWN_SPEAKERS", "Metadata", "analyze", "editor_of", "event_years", "extract",
           "npc_session_year", "premier_for_report"]

_LEDE = rule("full_text_lede").regex
_SITE = re.compile(r"^.{2,14}(?:数据库|网|频道|客户端|专题|专栏|平台|首页)$")
_TITLE_SITE = re.compile(r"^(?P<title>.{4,}?)\s*(?:[_|｜]|\s[-—–]\s)\s*(?P<site>[^_|｜]{2,20}?(?:网|报|社|台|频道|新闻|客户端|在线|网站|官网))$")
_DASHES = re.compile(r"^\s*[—─－-]+\s*")
_SENT_FINAL = re.compile(r"[。！？!?]$")


@dataclass
class Metadata:
    title: str | None = None
    # the subtitle ("在…上的讲话" of "标题——在…上的讲话"), without its dash; the title keeps it too
    subtitle: str | None = None
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


def resolve_genre(fields: dict[str, Any], title: str, body: list[str], h: Header, names: list[str],
           source: str | None = None) -> tuple[str, list[str]]:
    """The genre and the rows that gave it: an explicit field, else the genre whose rows in the
    table (``field == "genre"``) add up to the highest weight; ``other`` when none matches."""
    g = _str(fields.get("genre"))
    if g and g.lower() in GENRES:
        return g.lower(), ["field"]
    regions = _regions(title, body, source, fields)
    flags = {"delivered_in_header": h.delivered_in_header and not h.article_form,
             "article_form": h.article_form, "closing_dateline": h.closing_dateline,
             "news_dateline": h.news_dateline, "reporters": bool(h.reporters) and not h.article_form}
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


def _name_candidates(title: str, body: list[str], h: Header) -> list[str]:
    """Speaker names, known or not, the most likely first: the header's by-line, then the names
    the table's ``speakers`` rows find (title subject, attributions, an interview's answers, a
    role before a name, a paragraph opening on a name and a verb of saying, a report's lead),
    ranked by the weight of the rows that found them. Every name is a person's
    (:func:`lunshu.facts.is_person_name`); in the running text only full, three-character names."""
    out: list[str] = list(h.header_speakers)
    if title:
        split = split_speaker(title, allow_unknown=False)
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


def resolve_speakers(fields: dict[str, Any], title: str, body: list[str], h: Header, year: int | None,
                     names: list[str]) -> list[str]:
    """Speakers, primary first, all people: the record's field, an author who is the speaker, the
    header's by-line; for a work report the premier of its year, for a congress report its
    reporter; else the best name candidate; then others a heading names as speaking."""
    out: list[str] = []

    def add(name: str | None) -> None:
        if name and name not in out and 2 <= len(name) <= 20:
            out.append(name)

    for s in _list(fields.get("speakers")):
        add(s)
    author = _str(fields.get("author"))
    if author and (author in KNOWN_SPEAKERS or (len(author) <= 4 and author in title)):
        add(author)
    for s in h.header_speakers:
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
                m = re.match(rf"^(?:{ROLE})?\s*({KNOWN_RE})[^，。]{{0,24}}(?:致辞|讲话|演讲|发言)", p)
                if m:
                    add(m.group(1))
    return out


# ----------------------------------------------------------------------------------------------
# one resolver per field: each weighs the record's fields and what the header parse found


def resolve_title(fields: dict[str, Any], h: Header) -> tuple[str | None, str | None, list[str], re.Match[str] | None]:
    """Title: the record's field (an HTML ``<title>``'s site suffix cut off), else the text's title
    lines (with a subtitle line that follows them: title and subtitle as one), else its header's
    title, else a 全文如下 lede's noun. Returns (title, site the field's suffix names, site lines,
    the lede)."""
    f_title = _good_title(_str(fields.get("title")))
    title_site = None
    if f_title:  # an HTML page's <title>: "标题_东岚网"
        tm = _TITLE_SITE.match(f_title)
        if tm:
            f_title, title_site = tm.group("title").strip(), tm.group("site").strip()
    sites = [t for t in h.title_lines if _SITE.match(t) and len(h.title_lines) > 1]
    text_title = " ".join(t for t in h.title_lines if t not in sites) or None
    if text_title and h.subtitle_line:
        text_title += h.subtitle_line
    title = f_title or text_title or (h.header_titles[0] if h.header_titles else None)
    lede = next((m for p in h.paras[:3] if "全文如下" in p and (m := _LEDE.search(p))), None)
    if title is None and lede:
        title = lede.group("t1") or lede.group("t2")
    return title, title_site, sites, lede


def resolve_subtitle(fields: dict[str, Any], h: Header, title: str | None) -> str | None:
    """Subtitle (``在…上的讲话`` of ``标题——在…上的讲话``), without its dash: the record's field
    (a page's ``<h3>——…``), else the header's subtitle, else the end of the title when it reads as
    one (the ``subtitle`` row)."""
    sub = _str(fields.get("subtitle"))
    if sub:
        return _DASHES.sub("", sub) or None
    return h.subtitle or subtitle_of(title or "")


def resolve_date(fields: dict[str, Any], h: Header, title: str | None, body: list[str],
                 reference_date: str | None) -> str | None:
    """Date of publication: the record's field (a year refined by the header's own date), a
    labelled 发布时间, a masthead, the header's date, 昨天/今天 anchored by a dated mention, a
    dateline with its year inferred, a numbered event with a month-day, the reference date, the
    year of a numbered NPC session. Never a guess."""
    f_date = _fields_date(fields)
    if f_date:
        if len(f_date) < 10 and h.delivered and h.delivered.startswith(f_date):
            return h.delivered  # a year field refined by the text's own header date
        return f_date
    for label in ("发布时间", "发布日期", "发表时间", "发表日期", "日期", "时间", "更新时间"):
        date = parse_date(h.labelled[label]) if label in h.labelled else None
        if date:
            return date
    hints = [title or ""] + body[:3]
    url = _good_url(_str(fields.get("url"))) or (h.urls[0] if h.urls else None)
    on_dateline = dateline_date(h.datelines, h.delivered, hints, reference_date, body, url) if h.datelines else None
    date = h.masthead_date or (on_dateline if h.delivered else None) or h.delivered or relative_date(body)
    if date is None:
        date = on_dateline
    if date is None:
        date = event_date(hints)
    if date is None and reference_date:
        date = parse_date(reference_date)
    if date is None:
        for text in [title or ""] + body[:2]:
            evs = [y for _, _, y in event_years(text) if "全国人民代表大会" in text]
            if len(set(evs)) == 1:
                return str(evs[0])
    return date


def resolve_place(h: Header) -> str | None:
    """Where it was delivered: the header's ``（2025年11月1日，庆州）``, else the dateline's place."""
    return h.place or next((pl for _o, pl, _md in h.datelines if pl), None)


def resolve_source(fields: dict[str, Any], h: Header, title: str | None, title_site: str | None,
                   sites: list[str], url: str | None) -> str | None:
    """Source outlet: the record's field, a 来源 line or label, the outlet of a dateline or
    masthead, an author that is not the speaker, the site a title or a site line names, the URL's
    domain."""
    source = _str(fields.get("source")) or (h.sources[0] if h.sources else None) or h.labelled.get("来源") or None
    if source is None:
        outlets = [o for o in h.outlets if o not in ("本报", "本刊")]
        source = outlets[0] if outlets else None
    author = _str(fields.get("author"))
    if source is None and author and author not in KNOWN_SPEAKERS and not (len(author) <= 4 and title and author in title):
        source = author
    source = source or title_site or (sites[0] if sites else None)
    if source is None and url:
        host = re.sub(r"^(?:https?://)?([^/:?#]+).*$", r"\1", url.lower())
        source = next((name for dom, name in URL_OUTLETS if host == dom or host.endswith("." + dom)), None)
    return source


def resolve_occasion(fields: dict[str, Any], h: Header, title: str | None, body: list[str]) -> str | None:
    """Occasion: the record's field, a subtitle or date line, a title ``在…上的讲话`` or
    ``出席…并发表``, a CPC congress's number, an NPC session named by a work report's opening."""
    occasion = _str(fields.get("occasion")) or (h.occasions[0] if h.occasions else None)
    if occasion is None:
        for t in h.header_titles + h.title_lines + [title or ""]:
            occasion = occasion_from(t)
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


def resolve_editor(fields: dict[str, Any], h: Header, removed: list[Any] | None) -> str | None:
    """Editor in charge: the record's field, a 责任编辑 label or closing line, or the line the cleaner dropped."""
    return (_str(fields.get("editor")) or h.editor
            or next((h.labelled[k] for k in ("责任编辑", "责编", "编辑") if h.labelled.get(k)), None)
            or next((e for r in (removed or []) if (e := editor_of(getattr(r, "text", "")))), None))


def resolve_roles(h: Header, speakers: list[str]) -> dict[str, list[str]]:
    """Role titles of each speaker, as the header's by-line gives them."""
    return {k: v for k, v in h.roles.items() if k in speakers}


def _drop_repeated_title(h: Header, title: str | None) -> list[str]:
    """The body without the title repeated at the head of the article (seed 000): that is title."""
    if not title:
        return h.paras
    nt = normalize_for_match(title)
    keep: list[str] = []
    for k, p in enumerate(h.paras):
        if k < 6 and normalize_for_match(p) == nt:
            h.consumed.append(p)
        else:
            keep.append(p)
    return keep


def extract(paragraphs: list[str], fields: dict[str, object], *,
            reference_date: str | None = None, removed: list[Any] | None = None) -> tuple[Metadata, list[str]]:
    """The metadata of one document, and its body paragraphs without the metadata ones.

    ``fields`` are the reader's canonical fields (``title``, ``subtitle``, ``date``, ``url``,
    ``source``, ``author``, ``speakers``, ``genre``, ``keywords``, ``occasion``, ``year``,
    ``congress``, ``type``…); explicit, non-junk fields win. ``reference_date`` is the day the
    text was published if known from outside it (a crawl's HTTP date, say): 昨天/今天 and
    datelines are resolved against it when the text gives nothing better, and it is the date of
    last resort. ``removed`` are the cleaner's removals (a ``责任编辑`` line it dropped names the
    editor). A body without paragraph marks is split into inferred paragraphs (:mod:`lunshu.paragraphs`).

    The header and closing lines are parsed by the rows of :mod:`lunshu.rules`
    (:mod:`lunshu.header`); then one resolver per field weighs what they and the fields say.
    """
    fields = dict(fields or {})
    h = Header(list(paragraphs))
    parse_head(h, _good_title(_str(fields.get("title"))))
    parse_tail(h)
    title, title_site, sites, lede = resolve_title(fields, h)
    body, inferred = split_run_on(_drop_repeated_title(h, title))
    date = resolve_date(fields, h, title, body, reference_date)
    url = _good_url(_str(fields.get("url"))) or (h.urls[0] if h.urls else None)
    source = resolve_source(fields, h, title, title_site, sites, url)
    names = _name_candidates(title or "", body, h)
    if lede and not h.header_speakers:
        names = list(dict.fromkeys([lede.group("who")] + names))
    title_names = [n for n in names if n in (title or "") or n in h.header_speakers]
    genre, _why = resolve_genre(fields, title or "", body, h, title_names, source)
    speakers = resolve_speakers(fields, title or "", body, h, year_of(date), names)
    meta = Metadata(
        title=title,
        subtitle=resolve_subtitle(fields, h, title),
        date=date,
        speakers=speakers,
        occasion=resolve_occasion(fields, h, title, body),
        genre=genre,
        source=source,
        url=url,
        publisher_keywords=_list(fields.get("publisher_keywords")) or _list(fields.get("keywords")) or h.keywords,
        reporters=list(dict.fromkeys(_list(fields.get("reporters")) or h.reporters)),
        consumed=[c for c in h.consumed if c],
        delivered=h.delivered,
        editor=resolve_editor(fields, h, removed),
        paragraphs_inferred=inferred,
        place=resolve_place(h),
        roles=resolve_roles(h, speakers),
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
