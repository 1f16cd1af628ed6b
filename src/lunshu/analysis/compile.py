"""Automatic compilations (论述摘编): the statements on a topic, in order, with checked attributions.

Statements come from two places: passages of primary documents (speeches, letters, interviews,
signed articles) that contain the topic, and quotations in compilation-style documents (those whose
quotation mentions the topic, or whose title says the whole compilation is about it). Every statement
is traced: a quotation gets the status of its attribution; versions of the same statement are merged
into one entry that names the best source and lists the others.

A compilation is of one speaker: ``speaker``, else the speaker most quoted on the topic (stated
in the header). Every statement contains the topic or a declared variant (``variants``), compared
as search compares text (``index.Folder.fold``); versions whose words differ are shown with their
differences (``lunshu.diffs``), never merged silently. The fixed text of the Markdown and DOCX
output is in the output's language (``lang``: ``zh`` for a Chinese topic, else ``en``).
"""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from rapidfuzz import fuzz

from lunshu import budget, diffs, index
from lunshu.errors import QueryError
from lunshu.models import GENRE_RANK

PRIMARY = ("speech", "work-report", "letter", "interview", "article")
MAX_STATEMENTS = 300
# The work of one compilation is bounded, whatever the topic (`的` is in every paragraph): at most
# CANDIDATES_PER_STATEMENT x limit passages and limit quotations are considered, the ones that say
# the topic most often first; how many more matched is reported (``more``), never silently dropped.
CANDIDATES_PER_STATEMENT = 2
_SENT = re.compile(r"[^。！？!?；;]*[。！？!?；;]?")
_NON_WORD = re.compile(r"[^\w]|_")


@dataclass
class Statement:
    text: str
    date: str | None
    speaker: str | None
    occasion: str | None
    status: str
    doc_id: str  # where the statement was found
    paragraph: int
    title: str | None
    source: dict[str, Any] | None = None  # the best primary source, when traced
    versions: list[dict[str, Any]] = field(default_factory=list)
    reason: str = ""
    diff: list[dict[str, str]] | None = None  # a quotation against its source, when the words differ

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text, "date": self.date, "speaker": self.speaker, "occasion": self.occasion,
            "status": self.status, "reason": self.reason, "doc_id": self.doc_id, "paragraph": self.paragraph,
            "title": self.title, "source": self.source, "versions": self.versions, "diff": self.diff,
        }


# the fixed text of a compilation, per output language
LABELS: dict[str, dict[str, str]] = {
    "zh": {"title": "{topic}：论述摘编", "count": "共{n}条，按时间顺序排列；出处均经 lunshu trace 核对。",
           "speaker_most": "讲话人：{speaker}（就此主题被引用最多者；可用 --speaker 另选）。",
           "speaker_given": "讲话人：{speaker}。", "variants": "另收同义提法：{variants}。",
           "year": "{year}年", "undated": "日期不详", "source": "出处：{title} 第{n}段",
           "versions": "异文（{title}，{date}）：{diff}",
           "legend": "异文标记：[-…-] 为出处或该版本有而正文无，{{+…+}} 为正文有而出处或该版本无。",
           "diff": "与出处对照：{diff}",
           "more": "另有{n}处相关段落或引文未收入（已收提及主题最多者）；可缩小主题、日期（--from/--to）或讲话人范围查看。",
           "verified": "已核实", "variant": "有异文", "unverified": "未核实", "misattributed": "出处有误",
           "not_found": "未找到出处"},
    "en": {"title": "{topic}: compiled statements", "count": "{n} statements, in chronological order; each "
           "attribution checked by lunshu trace.",
           "speaker_most": "Speaker: {speaker} (the most quoted on this topic; --speaker chooses another).",
           "speaker_given": "Speaker: {speaker}.", "variants": "Also included: {variants}.",
           "year": "{year}", "undated": "undated", "source": "source: {title} ¶{n}",
           "versions": "version ({title}, {date}): {diff}",
           "legend": "Differences: [-…-] is in the source or version and not in the statement, {{+…+}} in the "
                     "statement only.",
           "diff": "against the source: {diff}",
           "more": "{n} more matching passages or quotations are not included (those that say the topic most "
                   "often were kept); narrow the topic, the dates (--from/--to) or the speaker to see them.",
           "verified": "verified", "variant": "variant", "unverified": "unverified",
           "misattributed": "misattributed", "not_found": "not found"},
}


def default_lang(topic: str) -> str:
    """``zh`` for a topic in Chinese characters, else ``en``."""
    return "zh" if re.search(r"[\u3400-\u9fff]", topic) else "en"


@dataclass
class Compilation:
    topic: str
    statements: list[Statement]
    filters: dict[str, Any] = field(default_factory=dict)
    more: int = 0  # matching passages and quotations left out by the cap (narrow the topic or the filters)
    speaker: str | None = None  # whose statements these are
    speaker_chosen: str = "given"  # "given" (--speaker) or "most_quoted"
    variants: list[str] = field(default_factory=list)  # declared variants of the topic, also included
    lang: str = "zh"

    def label(self, key: str, **kw: Any) -> str:
        return LABELS.get(self.lang, LABELS["en"])[key].format(**kw)

    def header(self) -> list[str]:
        lines = [self.label("count", n=len(self.statements))]
        if self.speaker:
            lines.append(self.label("speaker_most" if self.speaker_chosen == "most_quoted" else "speaker_given",
                                    speaker=self.speaker))
        if self.variants:
            lines.append(self.label("variants", variants="、".join(self.variants) if self.lang == "zh"
                                    else ", ".join(self.variants)))
        if any(v.get("diff") for s in self.statements for v in s.versions) or any(
                s.diff and diffs.differs(s.diff) for s in self.statements):
            lines.append(self.label("legend"))
        if self.more:
            lines.append(self.more_note())
        return lines

    def year_label(self, year: str) -> str:
        return self.label("undated") if year == "undated" else self.label("year", year=year)

    def notes(self, s: Statement) -> list[str]:
        """The lines under a statement: its source, its differences from it, its versions."""
        out: list[str] = []
        if s.source and s.source.get("doc_id") != s.doc_id:
            out.append(self.label("source", title=s.source.get("title") or s.source["doc_id"],
                                  n=s.source.get("paragraph")))
        if s.diff and diffs.differs(s.diff):
            out.append(self.label("diff", diff=diffs.plain(s.diff)))
        shown_source = (s.source or {}).get("doc_id") if s.diff and diffs.differs(s.diff) else None
        for v in s.versions:
            if v.get("diff") and v["doc_id"] != shown_source:  # (its difference is the one just shown)
                out.append(self.label("versions", title=v.get("title") or v["doc_id"],
                                      date=v.get("date") or self.label("undated"), diff=diffs.plain(v["diff"])))
        return out

    def by_year(self) -> dict[str, list[Statement]]:
        out: dict[str, list[Statement]] = {}
        for s in self.statements:
            out.setdefault(s.date[:4] if s.date else "undated", []).append(s)
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "topic": self.topic,
            "filters": self.filters,
            "total": len(self.statements),
            "more": self.more,
            "speaker": self.speaker,
            "speaker_chosen": self.speaker_chosen,
            "variants": list(self.variants),
            "lang": self.lang,
            "years": {y: [s.to_dict() for s in ss] for y, ss in self.by_year().items()},
        }

    def to_markdown(self) -> str:
        lines = [f"# {self.label('title', topic=self.topic)}", ""]
        for h in self.header():
            lines += [h, ""]
        for year, ss in self.by_year().items():
            lines += [f"## {self.year_label(year)}", ""]
            for s in ss:
                lines += [s.text, "", f"——{_attribution_line(s, self.lang)}（{self.label(s.status)}）"
                          if self.lang == "zh" else f"——{_attribution_line(s, self.lang)} ({self.label(s.status)})", ""]
                for note in self.notes(s):
                    lines += [f"> {note}", ""]
        return "\n".join(lines).rstrip() + "\n"

    def to_docx(self, out: str | Path | IO[bytes]) -> None:
        from docx import Document as Docx
        from docx.oxml.ns import qn
        from docx.shared import Pt

        d = Docx()
        style = d.styles["Normal"]
        style.font.name = "SimSun"
        style.font.size = Pt(11)
        rpr = style.element.get_or_add_rPr()
        rfonts = rpr.find(qn("w:rFonts"))
        if rfonts is None:
            rfonts = rpr.makeelement(qn("w:rFonts"), {})
            rpr.append(rfonts)
        rfonts.set(qn("w:eastAsia"), "SimSun")
        d.add_heading(self.label("title", topic=self.topic), level=0)
        for h in self.header():
            d.add_paragraph(h)
        for year, ss in self.by_year().items():
            d.add_heading(self.year_label(year), level=1)
            for s in ss:
                d.add_paragraph(s.text)
                p = d.add_paragraph()
                status = self.label(s.status)
                run = p.add_run(f"——{_attribution_line(s, self.lang)}" + (f"（{status}）" if self.lang == "zh"
                                                                        else f" ({status})"))
                run.italic = True
                for note in self.notes(s):
                    _docx_note(d, note)
        if isinstance(out, (str, Path)):
            d.save(str(out))
        else:
            d.save(out)

    def more_note(self) -> str:
        return self.label("more", n=self.more)

    def docx_bytes(self) -> bytes:
        buf = io.BytesIO()
        self.to_docx(buf)
        return buf.getvalue()

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)


def _docx_note(d: Any, note: str) -> None:
    """A note line in DOCX: what a version drops struck through, what it adds underlined (the
    ``[-…-]{+…+}`` markers kept, so the difference survives printing in black and white)."""
    from docx.shared import RGBColor

    p = d.add_paragraph()
    for k, part in enumerate(re.split(r"(\[-.*?-\]|\{\+.*?\+\})", note)):
        if not part:
            continue
        run = p.add_run(part)
        run.font.size = None
        if k % 2 and part.startswith("[-"):
            run.font.strike = True
            run.font.color.rgb = RGBColor(0x9B, 0x1C, 0x1C)
        elif k % 2:
            run.font.underline = True
            run.font.color.rgb = RGBColor(0x1B, 0x5E, 0x20)


def _attribution_line(s: Statement, lang: str = "zh") -> str:
    parts = []
    if s.date:
        y, *rest = s.date.split("-")
        if lang == "zh":
            parts.append(f"{int(y)}年" + (f"{int(rest[0])}月" if rest else "")
                         + (f"{int(rest[1])}日" if len(rest) > 1 else ""))
        else:
            parts.append(s.date)
    who = s.speaker or ""
    occ = s.occasion or s.title or ""
    tail = (who + ("，" if who and occ and not occ.startswith(("在", "向", "致", "会见", "出席")) else "") + occ)
    return "，".join(p for p in (parts[0] if parts else "", tail) if p)


def _excerpt(paragraph: str, topic: str, limit: int = 220) -> str:
    """The sentences around the topic when a paragraph is long."""
    if len(paragraph) <= limit:
        return paragraph
    sents = [s for s in _SENT.findall(paragraph) if s]
    keep = [i for i, s in enumerate(sents) if topic in s]
    if not keep:
        return paragraph[:limit]
    lo, hi = keep[0], keep[-1]
    text = "".join(sents[lo:hi + 1])
    if len(text) > 2 * limit:  # a topic in every sentence (a common word): the first sentences that say it
        hi = lo
        while hi + 1 < len(sents) and len(text := "".join(sents[lo:hi + 2])) <= limit:
            hi += 1
        text = "".join(sents[lo:hi + 1])[: 2 * limit]
    while len(text) < 80 and (lo > 0 or hi < len(sents) - 1):
        if lo > 0:
            lo -= 1
        if hi < len(sents) - 1 and len(text) < 80:
            hi += 1
        text = "".join(sents[lo:hi + 1])
    return text


def _norm(s: str) -> str:
    return _NON_WORD.sub("", s)


def _matching_paragraphs(corpus: Any, forms: list[str], filters: dict[str, Any],
                         cap: int | None = None) -> tuple[list[tuple[str, int, str]], int]:
    """Paragraphs of primary documents containing one of ``forms`` (the topic and its variants, as
    typed and folded), those that say it most often first (then the shorter, then the earlier), at
    most ``cap``; and how many matched in all."""
    store = corpus.store
    where, args = store.doc_filter_sql(date_from=filters.get("date_from"), date_to=filters.get("date_to"),
                                       speaker=filters.get("speaker"))
    has = " OR ".join("instr(p.text, ?) > 0" for _ in forms)
    sql = (f"FROM paragraphs p JOIN documents d ON d.id = p.doc_id WHERE ({has}) "
           f"AND d.genre IN ({','.join('?' * len(PRIMARY))})")
    if where:
        sql += " AND " + where
    args = [*forms, *PRIMARY, *args]
    total = int(store.execute("SELECT count(*) " + sql, args).fetchone()[0])
    order = (" ORDER BY (length(p.text) - length(replace(p.text, ?, ''))) DESC, length(p.text), d.date, p.doc_id, p.n"
             + (" LIMIT ?" if cap is not None else ""))
    rows = store.execute("SELECT p.doc_id, p.n, p.text " + sql + order,
                         [*args, forms[0], *([cap] if cap is not None else [])])
    return [(r[0], int(r[1]), r[2]) for r in rows], total


def compile_topic(corpus: Any, topic: str, *, date_from: str | None = None, date_to: str | None = None,
                  speaker: str | None = None, limit: int = MAX_STATEMENTS, variants: list[str] | None = None,
                  lang: str | None = None) -> Compilation:
    """The statements of one speaker on ``topic`` (or a declared variant of it), in order.

    ``speaker``: whose statements; by default the speaker most quoted on the topic (said in the
    header). ``lang``: the language of the fixed text of the output (default: ``zh`` for a topic in
    Chinese characters, else ``en``).
    """
    from lunshu.quotes import extract_quotes
    from lunshu.trace import trace

    topic = topic.strip()
    if not topic:
        raise QueryError("compile needs a topic")
    lang = lang or default_lang(topic)
    if lang not in LABELS:
        raise QueryError(f"unknown --lang {lang!r}; use one of: {', '.join(LABELS)}")
    declared = [v.strip() for v in variants or [] if v.strip() and v.strip() != topic]
    store = corpus.store
    fold = index.folder(store.conn).fold  # the folding of search: a traditional topic finds simplified text
    folded = list(dict.fromkeys(fold(f) for f in [topic, *declared]))
    forms = list(dict.fromkeys([topic, *declared, *folded]))

    def says(text: str) -> bool:
        ft = fold(text)
        return any(f in ft for f in folded)

    def times(text: str) -> int:
        ft = fold(text)
        return sum(ft.count(f) for f in folded)

    filters = {"date_from": date_from, "date_to": date_to, "speaker": speaker}
    docs = {r[0]: {"title": r[1], "date": r[2], "genre": r[3], "speakers": json.loads(r[4] or "[]"),
                   "occasion": r[5]}
            for r in store.execute("SELECT id, title, date, genre, speakers, occasion FROM documents")}
    cap = max(1, limit) * CANDIDATES_PER_STATEMENT

    # 1. quotations in compilations that say the topic (each is traced: the costly part, so at most
    #    ``limit`` of them); the speaker is the attribution's, else the compilation's
    found: list[tuple[str, dict[str, Any], Any, str | None]] = []
    for doc_id, info in docs.items():
        if info["genre"] != "compilation":
            continue
        budget.check()
        for q in extract_quotes(store.paragraphs(doc_id), doc_id):
            if not says(q.text):
                continue
            if not _in_range(q.attribution.date, date_from, date_to):
                continue
            found.append((doc_id, info, q, q.attribution.speaker or (info["speakers"] or [None])[0]))

    # 2. passages of primary documents that say it
    passages, total = _matching_paragraphs(corpus, forms, filters, cap)
    more = max(0, total - len(passages))  # matched, beyond the cap
    passages = [(d, n, t) for d, n, t in passages if says(t)]

    # one speaker: the one asked for, else the one most quoted on the topic
    chosen = "given" if speaker else "most_quoted"
    if not speaker:
        votes = Counter(w for *_, w in found if w)
        votes.update(w for w in ((docs[d]["speakers"] or [None])[0] for d, _, _ in passages) if w)
        speaker = votes.most_common(1)[0][0] if votes else None
    if speaker:
        found = [f for f in found if f[3] == speaker]
        passages = [p for p in passages if speaker in docs[p[0]]["speakers"][:1]]

    statements: list[Statement] = []
    found.sort(key=lambda f: (-times(f[2].text), len(f[2].text), f[2].attribution.date or "9999"))
    more += max(0, len(found) - max(1, limit))
    for doc_id, info, q, who in found[:max(1, limit)]:
        budget.check()
        a = q.attribution
        t = trace(store, q.text, date=a.date, date_end=a.date_end, exclude_doc=doc_id, limit=5)
        best = t.sources[0].to_dict() if t.sources else None
        diff = t.sources[0].diff if t.sources and not t.sources[0].identical else None
        statements.append(Statement(q.text, a.date, who, a.occasion, t.status, doc_id, q.n,
                                    info["title"], best, reason=t.reason, diff=diff))

    for doc_id, n, text in passages:
        info = docs[doc_id]
        excerpt = _excerpt(text, topic if topic in text else next((f for f in forms if f in text), topic))
        src = {"doc_id": doc_id, "title": info["title"], "date": info["date"], "paragraph": n}
        statements.append(Statement(excerpt, info["date"], (info["speakers"] or [None])[0], info["occasion"],
                                    "verified" if info["date"] else "unverified", doc_id, n, info["title"], src,
                                    reason="taken from the primary document itself"))

    budget.check()
    merged = _merge_versions(statements, docs, fold)
    more += max(0, len(merged) - limit)
    merged.sort(key=lambda s: (s.date or "9999", s.doc_id, s.paragraph))
    return Compilation(topic, merged[:limit], {k: v for k, v in filters.items() if v and k != "speaker"},
                       more=more, speaker=speaker, speaker_chosen=chosen, variants=declared, lang=lang)


def _grams(s: str, k: int = 4) -> set[str]:
    return {s[i:i + k] for i in range(max(1, len(s) - k + 1))}


def _in_range(date: str | None, lo: str | None, hi: str | None) -> bool:
    if date is None:
        return lo is None and hi is None
    if lo and date < lo:
        return False
    return not (hi and date[: len(hi)] > hi)


def _merge_versions(statements: list[Statement], docs: dict[str, dict[str, Any]],
                    fold: Any = None) -> list[Statement]:
    """One entry per statement: versions of the same statement (republished, quoted) are folded
    together, and a version whose words differ carries its differences (``diff``: the entry's text
    against the version's, ``lunshu.diffs``), so no variant is merged silently."""
    from lunshu.align import align
    def rank(s: Statement) -> tuple[Any, ...]:
        status_rank = {"verified": 0, "variant": 1, "unverified": 2, "misattributed": 3, "not_found": 4}
        genre = docs.get(s.doc_id, {}).get("genre", "other")
        return (status_rank.get(s.status, 5), GENRE_RANK.get(genre, 2), s.date or "9999")

    groups: list[list[Statement]] = []
    norms: list[str] = []
    grams: list[set[str]] = []
    for s in sorted(statements, key=rank):
        budget.check()
        ns = _norm(s.text)
        ng = _grams(ns)
        for g, gn, gg in zip(groups, norms, grams):
            # cheap test first: versions of one statement share most of their 4-character pieces
            # (a 90% ratio leaves well over 30% of them); fuzz only compares the likely pairs
            if len(ng & gg) < 0.3 * min(len(ng), len(gg)):
                continue
            short, long_ = (ns, gn) if len(ns) <= len(gn) else (gn, ns)
            if short and (fuzz.ratio(ns, gn, score_cutoff=90) >= 90
                          or (len(short) >= 20 and fuzz.partial_ratio(short, long_, score_cutoff=95) >= 95)):
                if s.date and g[0].date and s.date[:4] != g[0].date[:4] and s.status != "misattributed":
                    continue  # the same words said again in another year are another statement
                g.append(s)
                break
        else:
            groups.append([s])
            norms.append(ns)
            grams.append(ng)
    out: list[Statement] = []
    for g in groups:
        head = g[0]
        head.versions = []
        for s in g[1:]:
            diff = None
            if _norm(fold(s.text) if fold else s.text) != _norm(fold(head.text) if fold else head.text):
                a = align(head.text, s.text, fold)
                diff = a.diff if not a.identical and diffs.differs(a.diff) else None
            head.versions.append({"doc_id": s.doc_id, "paragraph": s.paragraph, "title": s.title,
                                  "status": s.status, "date": s.date, "text": s.text, "diff": diff})
        out.append(head)
    return out
