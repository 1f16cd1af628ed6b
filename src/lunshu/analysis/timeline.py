"""Formulation timelines: how often a phrase occurs per year or month, and where it first did.

Counting is exact substring counting over the stored paragraph text, never over a
segmentation: ``count`` is what ``paragraph.count(term)`` gives summed over the period's
paragraphs, i.e. non-overlapping occurrences (``"共同共同共同".count("共同共同") == 1``), any
length, one character included. A phrase cannot span two paragraphs.

* ``docs``: documents of the period with at least one occurrence;
* ``per_million``: occurrences per million characters of all the period's documents (the same
  filters applied), so periods with more text do not look more devoted to a phrase;
* ``first``: the earliest dated occurrence (date, then document id, then paragraph), with the
  passage around it;
* the periods run from the first with an occurrence (of any of the terms) to the last, every
  period between included with zeros (a year without the phrase is a zero, not a gap); with
  ``date_from``/``date_to`` they run over the whole range asked;
* documents without a date belong to no period; they are counted in ``undated``. With
  ``by="month"`` a document dated only to the year ("1954") is counted in ``year_only`` (per
  year), never silently dropped; ``total`` counts every occurrence and says how many of them are
  in ``year_only`` and ``undated``.

Candidate paragraphs are found with ``instr`` over ``paragraphs.text``: a full scan, ~15 ms
per term on 1.7 M characters, and exact by definition. For much larger corpora the search index
(``index.py``, folded text) could supply candidate paragraphs, the exact count staying here.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lunshu.errors import QueryError

if TYPE_CHECKING:
    from lunshu.store import Store

PASSAGE_CHARS = 80  # context on each side of the first occurrence in "first.text"

CJK_FONTS = ["Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei",
             "WenQuanYi Micro Hei", "SimHei", "sans-serif"]


@dataclass
class PeriodCount:
    count: int = 0
    docs: int = 0
    chars: int = 0  # characters of every document of the period (the per-million denominator)

    @property
    def per_million(self) -> float:
        return round(self.count * 1_000_000 / self.chars, 3) if self.chars else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"count": self.count, "docs": self.docs, "per_million": self.per_million}


@dataclass
class FirstUse:
    doc_id: str
    date: str | None
    paragraph: int
    text: str
    title: str | None = None
    offset: int = 0  # of the occurrence in the paragraph

    def to_dict(self) -> dict[str, Any]:
        return {"doc_id": self.doc_id, "date": self.date, "paragraph": self.paragraph, "text": self.text,
                "title": self.title}


@dataclass
class TermTimeline:
    term: str
    periods: dict[str, PeriodCount] = field(default_factory=dict)
    first: FirstUse | None = None
    undated: PeriodCount = field(default_factory=PeriodCount)
    total_count: int = 0
    total_docs: int = 0
    year_only: dict[str, PeriodCount] = field(default_factory=dict)  # by month: documents dated to the year

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "periods": {p: c.to_dict() for p, c in self.periods.items()},
            "first": self.first.to_dict() if self.first else None,
            "total": {"count": self.total_count, "docs": self.total_docs,
                      "year_only": sum(c.count for c in self.year_only.values()), "undated": self.undated.count},
            "undated": {"count": self.undated.count, "docs": self.undated.docs},
        }
        if self.year_only:
            d["year_only"] = {y: {"count": c.count, "docs": c.docs} for y, c in sorted(self.year_only.items())}
        return d


@dataclass
class Timeline:
    by: str
    terms: dict[str, TermTimeline]

    def to_dict(self) -> dict[str, Any]:
        return {t: tl.to_dict() for t, tl in self.terms.items()}

    def rows(self) -> list[dict[str, Any]]:
        """Flat rows (term, period, count, docs, per_million) for CSV; by month, the year-only
        counts follow as periods ``YYYY (year only)``."""
        return [{"term": t, "period": p, **c.to_dict()}
                for t, tl in self.terms.items()
                for p, c in [*tl.periods.items(), *((f"{y} (year only)", v) for y, v in tl.year_only.items())]]


def _periods_between(first: str, last: str, by: str) -> list[str]:
    """Every period from ``first`` to ``last`` (``"2014"``…, or ``"2014-11"``…), both included."""
    out: list[str] = []
    if by == "year":
        return [str(y) for y in range(int(first[:4]), int(last[:4]) + 1)]
    y, m = int(first[:4]), int(first[5:7])
    while (y, m) <= (int(last[:4]), int(last[5:7])):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def period_of(date: str | None, by: str) -> str | None:
    """"2015-12-16" → "2015" or "2015-12"; None when the date does not say."""
    if not date:
        return None
    size = 4 if by == "year" else 7
    p = date[:size]
    if len(p) < size or not p[:4].isdigit() or (size == 7 and not (p[4] == "-" and p[5:7].isdigit())):
        return None
    return p


def _passage(text: str, start: int, length: int) -> str:
    if len(text) <= 2 * PASSAGE_CHARS + length:
        return text
    a = max(0, start - PASSAGE_CHARS)
    b = min(len(text), start + length + PASSAGE_CHARS)
    return ("…" if a > 0 else "") + text[a:b] + ("…" if b < len(text) else "")


def timeline(store: Store, terms: list[str], by: str = "year", **filters: Any) -> Timeline:
    """Counts per period of each term (exact substrings); filters as for documents
    (``speaker``, ``genre``, ``source``, ``date_from``, ``date_to``)."""
    if by not in ("year", "month"):
        raise QueryError(f"timeline --by must be year or month, not {by!r}")
    terms = [t for t in dict.fromkeys(terms)]
    if not terms or any(not t or not t.strip() for t in terms):
        raise QueryError("timeline needs at least one non-empty term")
    allowed = {"speaker", "genre", "source", "date_from", "date_to"}
    unknown = set(filters) - allowed
    if unknown:
        raise QueryError(f"unknown timeline filter(s): {', '.join(sorted(unknown))}")
    where, args = store.doc_filter_sql(**{k: v for k, v in filters.items() if v is not None}, alias="d")
    doc_where = f" WHERE {where}" if where else ""

    # the denominators: characters (and dates) of every document the filters keep
    doc_period: dict[str, str | None] = {}
    doc_date: dict[str, str | None] = {}
    doc_title: dict[str, str | None] = {}
    period_chars: dict[str, int] = {}
    year_only_chars: dict[str, int] = {}
    undated_chars = 0
    for doc_id, date, chars, title in store.execute(
            f"SELECT d.id, d.date, d.chars, d.title FROM documents d{doc_where}", args):
        p = period_of(date, by)
        doc_period[doc_id] = p
        doc_date[doc_id] = date
        doc_title[doc_id] = title
        if p is None:
            y = period_of(date, "year") if by == "month" else None
            if y is not None:
                year_only_chars[y] = year_only_chars.get(y, 0) + int(chars or 0)
            else:
                undated_chars += int(chars or 0)
        else:
            period_chars[p] = period_chars.get(p, 0) + int(chars or 0)

    result: dict[str, TermTimeline] = {}
    for term in terms:
        tl = TermTimeline(term, {})
        tl.undated.chars = undated_chars
        docs_seen: set[str] = set()
        best: tuple[str, str, int] | None = None  # (date, doc_id, n) of the first dated use
        best_any: tuple[str, int] | None = None
        sql = ("SELECT p.doc_id, p.n, p.text FROM paragraphs p JOIN documents d ON d.id = p.doc_id "
               f"WHERE instr(p.text, ?) > 0{' AND ' + where if where else ''}")
        per_doc: dict[str, int] = {}
        first_text: dict[tuple[str, int], str] = {}
        for doc_id, n, text in store.execute(sql, [term, *args]):
            c = text.count(term)
            if not c:
                continue
            per_doc[doc_id] = per_doc.get(doc_id, 0) + c
            date = doc_date.get(doc_id)
            key_any = (doc_id, int(n))
            if date:
                key = (date, doc_id, int(n))
                if best is None or key < best:
                    best = key
                    first_text[key_any] = text
            elif best is None and (best_any is None or key_any < best_any):
                best_any = key_any
                first_text[key_any] = text
        for doc_id, c in per_doc.items():
            p = doc_period.get(doc_id)
            y = period_of(doc_date.get(doc_id), "year") if p is None and by == "month" else None
            if p is not None:
                bucket = tl.periods.setdefault(p, PeriodCount(chars=period_chars.get(p, 0)))
            elif y is not None:
                bucket = tl.year_only.setdefault(y, PeriodCount(chars=year_only_chars.get(y, 0)))
            else:
                bucket = tl.undated
            bucket.count += c
            bucket.docs += 1
            docs_seen.add(doc_id)
            tl.total_count += c
        tl.total_docs = len(docs_seen)
        chosen = (best[1], best[2]) if best is not None else best_any
        if chosen is not None:
            text = first_text[chosen]
            off = text.find(term)
            tl.first = FirstUse(chosen[0], doc_date.get(chosen[0]), chosen[1], _passage(text, off, len(term)),
                                doc_title.get(chosen[0]), off)
        result[term] = tl
    # one span of periods for every term: from the first occurrence to the last (or the range
    # asked), the periods between included as zeros
    used = sorted({p for tl in result.values() for p in tl.periods})
    lo = period_of(filters.get("date_from"), by) or (period_of(filters.get("date_from"), "year") or "")
    hi = period_of(filters.get("date_to"), by) or (period_of(filters.get("date_to"), "year") or "")
    if by == "month":
        lo = lo if len(lo) != 4 else f"{lo}-01"
        hi = hi if len(hi) != 4 else f"{hi}-12"
    first = lo or (used[0] if used else "")
    last = hi or (used[-1] if used else "")
    span = _periods_between(first, last, by) if first and last and first <= last else used
    for tl in result.values():
        tl.periods = {p: tl.periods.get(p) or PeriodCount(chars=period_chars.get(p, 0)) for p in span}
    return Timeline(by, result)


def _period_x(period: str) -> float:
    """A period on a real time axis: "2015" → 2015.0, "2015-12" → 2015.917."""
    year = int(period[:4])
    return year + (int(period[5:7]) - 1) / 12 if len(period) >= 7 else float(year)


def to_svg(result: Timeline | dict[str, Any], *, title: str | None = None) -> str:
    """The timeline as an SVG line chart (per million characters), text kept as text.

    ``svg.fonttype = 'none'`` leaves labels as <text> in a CJK-capable font list, so Chinese
    renders in any browser without embedding glyphs; raw counts stay in the data, not the chart.
    Time is proportional; the line breaks where periods without documents lie between two
    points (no text is not the same as zero use).
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    from matplotlib import rc_context
    from matplotlib.ticker import MaxNLocator

    data = result.to_dict() if hasattr(result, "to_dict") else result
    periods = sorted({p for info in data.values() for p in info.get("periods", {})})
    monthly = any(len(p) >= 7 for p in periods)
    step = 1 / 12 if monthly else 1.0
    rc: dict[str, Any] = {"svg.fonttype": "none", "svg.hashsalt": "lunshu", "font.family": "sans-serif",
                          "font.sans-serif": CJK_FONTS, "axes.unicode_minus": False}
    with rc_context(rc):  # type: ignore[arg-type]
        fig, ax = plt.subplots(figsize=(10.0, 4.0))
        try:
            for term, info in data.items():
                ps = info.get("periods", {})
                xs: list[float] = []
                ys: list[float] = []
                for p in periods:
                    x = _period_x(p)
                    if xs and x - xs[-1] > step * 1.5:
                        xs.append(float("nan"))
                        ys.append(float("nan"))
                    xs.append(x)
                    ys.append(float(ps.get(p, {}).get("per_million", 0.0)))
                ax.plot(xs, ys, marker="o", markersize=3, linewidth=1.5, label=term)
            if not monthly:
                ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.set_ylabel("per million characters")
            ax.set_ylim(bottom=0)
            if title:
                ax.set_title(title)
            if data:
                ax.legend(loc="best", frameon=False)
            ax.grid(axis="y", alpha=0.3)
            fig.tight_layout()
            buf = io.StringIO()
            fig.savefig(buf, format="svg", metadata={"Date": None})  # same data, same bytes
        finally:
            plt.close(fig)
    return buf.getvalue()  # matplotlib ≥ 3.8 writes the whole font-family list
