"""Automatic compilations (论述摘编): the statements on a topic, in order, with checked attributions.

Statements come from two places: passages of primary documents (speeches, letters, interviews,
signed articles) that contain the topic, and quotations in compilation-style documents (those whose
quotation mentions the topic, or whose title says the whole compilation is about it). Every statement
is traced: a quotation gets the status of its attribution; versions of the same statement are merged
into one entry that names the best source and lists the others.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from rapidfuzz import fuzz

from lunshu import budget
from lunshu.errors import LunshuError
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

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text, "date": self.date, "speaker": self.speaker, "occasion": self.occasion,
            "status": self.status, "reason": self.reason, "doc_id": self.doc_id, "paragraph": self.paragraph,
            "title": self.title, "source": self.source, "versions": self.versions,
        }


@dataclass
class Compilation:
    topic: str
    statements: list[Statement]
    filters: dict[str, Any] = field(default_factory=dict)
    more: int = 0  # matching passages and quotations left out by the cap (narrow the topic or the filters)

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
            "years": {y: [s.to_dict() for s in ss] for y, ss in self.by_year().items()},
        }

    def to_markdown(self) -> str:
        lines = [f"# {self.topic}：论述摘编", "",
                 (f"{len(self.statements)} statements, in chronological order; each attribution checked by "
                  "lunshu trace (status in brackets)."), ""]
        if self.more:
            lines[-1:-1] = [self.more_note()]
        for year, ss in self.by_year().items():
            lines += [f"## {year}", ""]
            for s in ss:
                lines += [s.text, "", f"——{_attribution_line(s)} [{s.status}]", ""]
                if s.source and s.source.get("doc_id") != s.doc_id:
                    lines += [f"   source: {s.source.get('title') or s.source['doc_id']} ¶{s.source.get('paragraph')}", ""]
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
        d.add_heading(f"{self.topic}：论述摘编", level=0)
        d.add_paragraph(f"{len(self.statements)} statements; attributions checked by lunshu trace.")
        if self.more:
            d.add_paragraph(self.more_note())
        for year, ss in self.by_year().items():
            d.add_heading(year, level=1)
            for s in ss:
                d.add_paragraph(s.text)
                p = d.add_paragraph()
                run = p.add_run(f"——{_attribution_line(s)}  [{s.status}]")
                run.italic = True
        if isinstance(out, (str, Path)):
            d.save(str(out))
        else:
            d.save(out)

    def more_note(self) -> str:
        return (f"{self.more} more matching passages or quotations are not included (the ones that say the "
                "topic most often were kept); narrow the topic or the dates (--from/--to) or the speaker to see them.")

    def docx_bytes(self) -> bytes:
        buf = io.BytesIO()
        self.to_docx(buf)
        return buf.getvalue()

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)


def _attribution_line(s: Statement) -> str:
    parts = []
    if s.date:
        y, *rest = s.date.split("-")
        parts.append(f"{int(y)}年" + (f"{int(rest[0])}月" if rest else "") + (f"{int(rest[1])}日" if len(rest) > 1 else ""))
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


def _matching_paragraphs(corpus: Any, topic: str, filters: dict[str, Any],
                         cap: int | None = None) -> tuple[list[tuple[str, int, str]], int]:
    """Paragraphs of primary documents containing the topic, those that say it most often first
    (then the shorter, then the earlier), at most ``cap``; and how many matched in all."""
    store = corpus.store
    where, args = store.doc_filter_sql(date_from=filters.get("date_from"), date_to=filters.get("date_to"),
                                       speaker=filters.get("speaker"))
    sql = (f"FROM paragraphs p JOIN documents d ON d.id = p.doc_id WHERE instr(p.text, ?) > 0 "
           f"AND d.genre IN ({','.join('?' * len(PRIMARY))})")
    if where:
        sql += " AND " + where
    args = [topic, *PRIMARY, *args]
    total = int(store.execute("SELECT count(*) " + sql, args).fetchone()[0])
    order = (" ORDER BY (length(p.text) - length(replace(p.text, ?, ''))) DESC, length(p.text), d.date, p.doc_id, p.n"
             + (" LIMIT ?" if cap is not None else ""))
    rows = store.execute("SELECT p.doc_id, p.n, p.text " + sql + order, [*args, topic, *([cap] if cap is not None else [])])
    return [(r[0], int(r[1]), r[2]) for r in rows], total


def compile_topic(corpus: Any, topic: str, *, date_from: str | None = None, date_to: str | None = None,
                  speaker: str | None = None, limit: int = MAX_STATEMENTS) -> Compilation:
    from lunshu.quotes import extract_quotes
    from lunshu.trace import trace

    topic = topic.strip()
    if not topic:
        raise LunshuError("compile needs a topic")
    filters = {"date_from": date_from, "date_to": date_to, "speaker": speaker}
    store = corpus.store
    docs = {r[0]: {"title": r[1], "date": r[2], "genre": r[3], "speakers": json.loads(r[4] or "[]"),
                   "occasion": r[5]}
            for r in store.execute("SELECT id, title, date, genre, speakers, occasion FROM documents")}
    statements: list[Statement] = []
    cap = max(1, limit) * CANDIDATES_PER_STATEMENT

    # 1. quotations in compilations (each is traced: the costly part, so at most ``limit`` of them)
    found: list[tuple[str, dict[str, Any], Any]] = []
    for doc_id, info in docs.items():
        if info["genre"] != "compilation":
            continue
        budget.check()
        whole = topic in (info["title"] or "")
        for q in extract_quotes(store.paragraphs(doc_id), doc_id):
            if not whole and topic not in q.text:
                continue
            a = q.attribution
            if speaker and a.speaker and a.speaker != speaker:
                continue
            if not _in_range(a.date, date_from, date_to):
                continue
            found.append((doc_id, info, q))
    found.sort(key=lambda f: (-f[2].text.count(topic), len(f[2].text), f[2].attribution.date or "9999"))
    more = max(0, len(found) - max(1, limit))
    for doc_id, info, q in found[:max(1, limit)]:
        budget.check()
        a = q.attribution
        t = trace(store, q.text, date=a.date, date_end=a.date_end, exclude_doc=doc_id, limit=5)
        best = t.sources[0].to_dict() if t.sources else None
        statements.append(Statement(q.text, a.date, a.speaker, a.occasion, t.status, doc_id, q.n,
                                    info["title"], best, reason=t.reason))

    # 2. passages of primary documents
    passages, total = _matching_paragraphs(corpus, topic, filters, cap)
    more += total - len(passages)
    for doc_id, n, text in passages:
        info = docs[doc_id]
        excerpt = _excerpt(text, topic)
        src = {"doc_id": doc_id, "title": info["title"], "date": info["date"], "paragraph": n}
        statements.append(Statement(excerpt, info["date"], (info["speakers"] or [None])[0], info["occasion"],
                                    "verified" if info["date"] else "unverified", doc_id, n, info["title"], src,
                                    reason="taken from the primary document itself"))

    budget.check()
    merged = _merge_versions(statements, docs)
    more += max(0, len(merged) - limit)
    merged.sort(key=lambda s: (s.date or "9999", s.doc_id, s.paragraph))
    return Compilation(topic, merged[:limit], {k: v for k, v in filters.items() if v}, more=more)


def _grams(s: str, k: int = 4) -> set[str]:
    return {s[i:i + k] for i in range(max(1, len(s) - k + 1))}


def _in_range(date: str | None, lo: str | None, hi: str | None) -> bool:
    if date is None:
        return lo is None and hi is None
    if lo and date < lo:
        return False
    return not (hi and date[: len(hi)] > hi)


def _merge_versions(statements: list[Statement], docs: dict[str, dict[str, Any]]) -> list[Statement]:
    """One entry per statement: versions of the same words (republished, quoted) are folded together."""
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
        head.versions = [{"doc_id": s.doc_id, "paragraph": s.paragraph, "title": s.title, "status": s.status,
                          "date": s.date, "text": s.text} for s in g[1:]]
        out.append(head)
    return out
