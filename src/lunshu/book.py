"""Books: a volume of collected works (文选, 文稿, 文集…) split into its dated pieces.

Input is a PDF text layer (one page at a time, :mod:`lunshu.ingest.pdf`) or OCR text. The way is:

1. **lines**: letter-spacing joined, running heads and page numbers taken off (each line keeps
   its printed page), stray OCR symbols dropped, half-width punctuation in Chinese text made
   full-width, note marks (``〔3〕``) taken out of the text — every repair counted in
   :attr:`Book.repairs`;
2. **table of contents**: entries of title, page (range) and a bracketed date line in Chinese
   numerals (``（一九六二年二月六日）``, ranges, ``○``/``〇`` for zero, common OCR misreadings of
   the numerals repaired before the project's date grammar, :mod:`lunshu.dates`, reads them);
3. **pieces**: the body is split at each piece's title followed by its date line, matched in
   order against the table of contents (without one, every title + date-line pair starts a
   piece). Front matter (出版说明, 目录) and back matter (注释, 编后记) are not pieces;
4. **paragraphs**: lines re-joined across line and page breaks (a line shorter than the text
   width ends a paragraph), each paragraph with the page it starts on; notes (注释 after a
   piece, footnotes, or end notes tied to a piece by their ``——第N页``) kept apart from the text.

Everything here is a pure function of the input text; nothing is guessed that the text does not
say, and no character of the body is dropped except those counted as repairs.
"""

from __future__ import annotations

import difflib
import itertools
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from lunshu.chars import cn_numeral
from lunshu.clean import HAN_RANGES
from lunshu.dates import find_date_mentions

_HAN = re.compile(f"[{HAN_RANGES}]")
_NOT_HAN = re.compile(f"[^{HAN_RANGES}]+")
SENT_END = "。！？；：…"
_CLOSE = "”’」』）》〉】"

# -- dates as OCR reads them -------------------------------------------------------------------
_NUMERAL = "〇零○一二三四五六七八九十"
# characters OCR puts where a Chinese numeral was (九 is the one most often lost: 妃 万 轧…)
_NINE_LIKE = "妃万轧贞艺丸蕊究刀天大恩泌"
_ZERO_LIKE = "口OoО0Ｏ"
_NUMC = _NUMERAL + _ZERO_LIKE + _NINE_LIKE
_OPEN = "（(〔【《\\[〈「习“"
_CLOSE_B = "）)〕】》\\]〉」〗”"
_DAYISH = "日目卓只再明同朋前白曰月"
_DAY_FIX = re.compile(rf"(年[{_NUMERAL}]{{1,3}}月[{_NUMERAL}]{{1,3}})上?[{_DAYISH}]")
# a year of four numerals; in the 1900s a lost second or first character is still a year (一?五一, ?九五一)
_YEAR4 = (rf"(?:[{_NUMC}]{{4}}|一[^\s{_NUMERAL}年]{{1,2}}[{_NUMC}]{{2}}|[-_一]{{0,2}}九[{_NUMC}]{{2}}"
          rf"|[一二][{_NUMC}][^\s年，。][{_NUMC}]|[一二][{_NUMC}]{{2}}[^\s年，。]"  # one character misread
          r"|(?<![0-9])[12][0-9]{3})")  # or in Arabic digits
# what may follow 年 in a date line: numerals (and what OCR reads for them), 月 日, 、 — 至 and spaces
_DATE_TAIL = rf"[{_NUMC}{_DAYISH}0-9年月日上中下旬初底、，,.．·—\-－至到\s]{{0,30}}"
_DATE_CORE = re.compile(rf"{_YEAR4}\s*年{_DATE_TAIL}")
_CN_DIGITS = "〇一二三四五六七八九"


def _fix_year(y: str, hint: int | None) -> str:
    """Four characters read for a year: 〇 and the 九 of 19xx repaired; a year still unreadable is
    the year of the piece before (books run in date order), when there is one."""
    chars = ["〇" if c in _ZERO_LIKE else c for c in y]
    if chars[1] in _NINE_LIKE:
        chars[1] = "九"
    if all(c in _NUMERAL for c in chars):
        return "".join(chars)
    if hint is not None:
        return "".join(_CN_DIGITS[int(d)] for d in f"{hint:04d}")
    return "".join("九" if c in _NINE_LIKE else c for c in chars)


def ocr_date(text: str, year_hint: int | None = None) -> tuple[str | None, str | None, str]:
    """``(iso, iso_end, precision)`` of a date line's content, OCR misreadings repaired first.

    ``一妃五一年一月四卓`` → 1951-01-04; ``一九八○年三月——一九八一年六月`` → 1980-03 .. 1981-06.
    The reading itself is :func:`lunshu.dates.find_date_mentions`.
    """
    s = re.sub(r"\s+", "", text)
    s = re.sub(rf"(?:一[^{_NUMERAL}年]{{1,2}}|^[-_一]{{0,2}})(?=九?[{_NUMERAL}]{{2}}年)",
               lambda m: "一" if s[m.end()] == "九" else "一九", s, count=1)
    s = re.sub(rf"[{_NUMC}]{{4}}(?=年)", lambda m: _fix_year(m.group(0), year_hint), s)
    s = _DAY_FIX.sub(r"\1日", s)
    s = s.replace("一一一", "——").replace("一-一", "——")
    found = find_date_mentions(s)
    if not found:
        return None, None, ""
    first = found[0]
    end = first.iso_end
    if len(found) > 1 and found[-1].explicit_year and found[-1].iso > first.iso and re.search(
            r"[—\-–至到~～]", s[first.end:found[-1].start]):
        end = found[-1].iso
    return first.iso, end, first.precision


def date_line(line: str, *, loose: bool = False) -> tuple[str, str, str] | None:
    """``(before, date_text, after)`` when ``line`` is a bracketed date line.

    A date line is a date in brackets on a line of its own (``（一九六二年二月六日）``). ``loose``
    (tables of contents) also accepts a title ending before the bracket and leader dots, OCR
    debris and a page number after it.
    """
    m = _DATE_CORE.search(line)
    if not m:
        return None
    before, after = line[:m.start()], line[m.end():]
    core = m.group(0)
    b = before.rstrip()
    opened = bool(b) and b[-1] in _OPEN
    closed = bool(after) and after[0] in _CLOSE_B
    if not (opened or closed):
        return None
    pre = b[:-1] if opened else b
    if not loose:
        if _HAN.search(pre) or len(pre.strip()) > 1:
            return None
        tail = after[1:] if closed else after
        if len(tail.strip()) > 3 or _HAN.search(tail.strip()[:1] or "x") and len(tail.strip()) > 1:
            return None
    return pre, core, after[1:] if closed else after


# -- line cleaning -----------------------------------------------------------------------------
@dataclass
class Line:
    text: str
    page: int | None  # printed page number
    sheet: int  # physical page (PDF) or 0
    ri: int  # index of the original line in Book.raw_lines


_PUNCT_HALF = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！", "(": "（", ")": "）"}
_HALF_P = re.compile(r"[,;:?!()]")
_CJK_NEAR = re.compile(f"[{HAN_RANGES}\u3000-\u303f\uff00-\uffef“”‘’—…]")
_HAN_GAP = re.compile(rf"(?<=[{HAN_RANGES}，。、；：！？“”（）《》])[ \t\u3000]+(?=[{HAN_RANGES}，。、；：！？“”（）《》])")
_NOTE_MARK = re.compile(rf"(?<=[{HAN_RANGES}”」》）。，；])\s?(?:〔\s*\d{{1,3}}\s*〕|\[\s*\d{{1,3}}\s*\]|（\d{{1,3}}）)")
_SECTION = re.compile(r"^[一二三四五六七八九十]{1,3}$")


def _fullwidth_punct(s: str, repairs: Counter[str]) -> str:
    """Half-width , ; : ? ! ( ) in Chinese text → full width (not between Latin letters or digits)."""
    if not _HALF_P.search(s) or not _HAN.search(s):
        return s
    out = []
    for i, ch in enumerate(s):
        if ch in _PUNCT_HALF:
            prev = s[i - 1] if i else ""
            nxt = s[i + 1] if i + 1 < len(s) else ""
            j = i - 1
            while j >= 0 and s[j] == " ":
                j -= 1
            k = i + 1
            while k < len(s) and s[k] == " ":
                k += 1
            pv = s[j] if j >= 0 else ""
            nx = s[k] if k < len(s) else ""
            latin_both = (pv.isascii() and pv.isalnum()) and (nx.isascii() and nx.isalnum())
            if ch in ":" and prev.isdigit() and nxt.isdigit():
                latin_both = True
            if (_CJK_NEAR.match(pv or " ") or _CJK_NEAR.match(nx or " ")) and not latin_both:
                out.append(_PUNCT_HALF[ch])
                repairs["punctuation"] += 1
                continue
        out.append(ch)
    return "".join(out)


def _tidy(s: str, repairs: Counter[str]) -> str:
    """One line's text: spaces between Chinese characters dropped, punctuation full width."""
    s = s.strip()
    t = _HAN_GAP.sub("", s)
    if t != s:
        repairs["space"] += 1
    t = _fullwidth_punct(t, repairs)
    t2 = _HAN_GAP.sub("", t)
    t3, n = _NOTE_MARK.subn("", t2)
    if n:
        repairs["note_mark"] += n
    return t3


def _han(s: str) -> str:
    return _NOT_HAN.sub("", s)


# running heads: "邓小平文选 第一卷 40", "动员新兵及新兵政治工作 3", "371注 释", "目录 3"
# the number may be decorated: "— 12 —", "·12·"
_HEAD_A = re.compile(r"^(?P<a>[^0-9]{0,40}?)\s*[-—–·]?\s*(?P<n>\d{1,4})\s*[-—–·]?$")
_HEAD_B = re.compile(r"^[-—–·]?\s*(?P<n>\d{1,4})\s*[-—–·]?\s*(?P<a>[^0-9]{0,40})$")
_HEAD_WORDS = re.compile(r"(目\s*录|注\s*释|出版说明|前\s*言|后\s*记|索\s*引|文选|文稿|文集|选集|全集|年谱|卷|册)")
_PUNCT = re.compile(r"[，。；！？：、“”（）《》]")


class _Heads:
    """Running heads of a PDF: learnt as they repeat with page numbers in sequence."""

    def __init__(self, repairs: Counter[str]) -> None:
        self.known: Counter[str] = Counter()
        self.titles: set[str] = set()
        self.label: int | None = None  # printed number of the last page seen
        self.sheet: int | None = None
        self.repairs = repairs

    def _cand(self, line: str) -> tuple[str, int] | None:
        m = _HEAD_A.match(line) or _HEAD_B.match(line)
        if not m:
            return None
        a = m.group("a").strip()
        if a and _PUNCT.search(a) and _han(a) not in self.titles:
            return None
        return _han(a), int(m.group("n"))

    def page(self, sheet: int, lines: list[str]) -> tuple[int | None, list[bool]]:
        """The printed number of this page, and which of its lines are running heads."""
        expected = None if self.label is None or self.sheet is None else self.label + (sheet - self.sheet)
        drop = [False] * len(lines)
        label = None
        nonempty = [i for i, x in enumerate(lines) if x.strip()]
        edge = set(nonempty[:2] + nonempty[-2:])
        for i in nonempty:
            c = self._cand(lines[i].strip())
            if c is None:
                continue
            a, n = c
            ok = n == expected
            if not ok and i in edge and n < 3000:
                # a new numbering (front matter, table of contents, body): only at the page's edge,
                # and only bare or with a head's words
                ok = not a or a in self.known or a in self.titles or bool(_HEAD_WORDS.search(a))
            if ok and label is None:
                label = n
                drop[i] = True
                if a:
                    self.known[a] += 1
                self.repairs["running_head" if a else "page_number"] += 1
        # heads without their number (the number extracted onto a line of its own)
        for i in nonempty[:2] + nonempty[-2:]:
            if drop[i]:
                continue
            a = _han(lines[i])
            if a and self.known.get(a, 0) >= 2 and len(a) <= 40 and not _PUNCT.search(lines[i]):
                drop[i] = True
                self.repairs["running_head"] += 1
        if label is None and expected is not None:
            label = expected
        if label is not None:
            self.label, self.sheet = label, sheet
        return label, drop


@dataclass
class TocEntry:
    title: str
    date: str | None = None
    date_end: str | None = None
    precision: str = ""
    date_text: str = ""
    page_start: int | None = None
    page_end: int | None = None
    piece: bool = True  # False for 注释, 编后记…


@dataclass
class Piece:
    n: int
    title: str
    date: str | None
    date_end: str | None
    precision: str
    page_start: int | None
    page_end: int | None
    paragraphs: list[str]
    pages: list[int | None]
    notes: list[str]
    raw: str
    genre: str
    speakers: list[str]
    body_title: str = ""
    date_text: str = ""

    @property
    def chars(self) -> int:
        return sum(len(p) for p in self.paragraphs)


@dataclass
class Book:
    path: str
    title: str | None = None  # 邓小平文选
    volume: str | None = None  # 第一卷
    author: str | None = None
    toc: list[TocEntry] = field(default_factory=list)
    pieces: list[Piece] = field(default_factory=list)
    repairs: Counter[str] = field(default_factory=Counter)
    sheets: int = 0
    raw_lines: list[str] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)

    @property
    def source(self) -> str | None:
        if not self.title:
            return None
        return f"{self.title} {self.volume}" if self.volume else self.title

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "source": self.source,
            "title": self.title,
            "volume": self.volume,
            "author": self.author,
            "sheets": self.sheets,
            "repairs": dict(sorted(self.repairs.items())),
            "toc": [vars(t) for t in self.toc],
            "pieces": [{"n": p.n, "title": p.title, "date": p.date, "date_end": p.date_end,
                        "page_start": p.page_start, "page_end": p.page_end, "genre": p.genre,
                        "speakers": p.speakers, "paragraphs": len(p.paragraphs), "chars": p.chars,
                        "notes": len(p.notes), "first": _first_sentence(p.paragraphs),
                        "last": _last_sentence(p.paragraphs)} for p in self.pieces],
        }


_SENT = re.compile(r"[^。！？…]*[。！？…]+[”’」』）]*|[^。！？…]+$")


def _first_sentence(paras: list[str]) -> str:
    for p in paras:
        m = _SENT.match(p.strip())
        if m and m.group(0).strip():
            return m.group(0).strip()
    return ""


def _last_sentence(paras: list[str]) -> str:
    for p in reversed(paras):
        found = [x.strip() for x in _SENT.findall(p.strip()) if x.strip()]
        if found:
            return found[-1]
    return ""


# -- genre and author ---------------------------------------------------------------------------
def genre_of(title: str) -> str:
    """The genre a piece's title says, by the rows of the project's rule table (lunshu.rules) for
    titles plus those for book titles (电报 → letter, 批语/题词 → other); ``article`` when none."""
    from lunshu.metadata import _GENRE_ORDER
    from lunshu.rules import rules_for

    t = re.sub(r"[（(][^）)]*[）)]$", "", title.strip())
    t = re.sub(rf"[^{HAN_RANGES}》”]+$", "", t)
    scores: dict[str, float] = {}
    for r in rules_for("genre"):
        if r.value and r.where in ("title", "book_title") and r.regex.search(t):
            scores[r.value] = scores.get(r.value, 0.0) + r.weight
    if not scores:
        return "article"
    return max(scores, key=lambda k: (scores[k], -_GENRE_ORDER.index(k)))


_KINDS = "文选|文稿|文集|选集|全集|论述摘编|年谱|著作选读|谈治国理政"
_BOOK_TITLE = re.compile(rf"((?:建国以来)?[{HAN_RANGES}]{{2,4}}?(?:文选|文稿|文集|选集|全集|论述摘编|年谱|著作选读)"
                         rf"|[{HAN_RANGES}]{{2,3}}谈治国理政)")
_VOLUME = re.compile(r"第\s*([一二三四五六七八九十\d]{1,3})\s*([卷册辑])")
_AUTHOR = re.compile(rf"^(?:建国以来)?([{HAN_RANGES}]{{2,3}}?)(?:文选|文稿|文集|选集|全集|论述摘编|年谱|著作选读|谈治国理政)$")
def find_book_title(lines: list[str], path: str) -> tuple[str | None, str | None, str | None]:
    """(title, volume, author) from the front matter, running heads or else the file name."""
    from lunshu.metadata import KNOWN_SPEAKERS

    named = re.compile(rf"((?:建国以来)?(?:{'|'.join(KNOWN_SPEAKERS)})(?:{_KINDS}))")
    counts: Counter[str] = Counter()
    for x in lines[:200]:  # the front matter names the book; the body cites others (毛泽东选集…)
        h = _han(x)
        for m in named.finditer(h):
            counts[m.group(1)] += 2
        for m in _BOOK_TITLE.finditer(h):
            counts[m.group(1)] += 1
    if not counts:
        for x in lines:
            for m in named.finditer(_han(x)):
                counts[m.group(1)] += 1
    title = None
    for t, _ in counts.most_common():
        if _AUTHOR.match(t):
            title = t
            break
    volume = None
    for x in lines[:200]:
        y = x.replace(" ", "")
        m = _VOLUME.fullmatch(y) or (title and title in y and _VOLUME.search(y[y.find(title):]))
        if m:
            volume = f"第{m.group(1)}{m.group(2)}"
            break
    if volume is None and title:
        for x in lines:
            y = x.replace(" ", "")
            i = y.find(title)
            if i >= 0:
                m = _VOLUME.match(re.sub(r"^[^第]{0,3}", "", y[i + len(title):]))
                if m:
                    volume = f"第{m.group(1)}{m.group(2)}"
                    break
    if volume is None:
        m = re.search(r"(?:^|[-_ ])(?:vol)?(\d{1,2})$", os.path.splitext(os.path.basename(path))[0], re.IGNORECASE)
        if m:
            unit = "册" if title and "文稿" in title else "卷"
            volume = f"第{cn_numeral(int(m.group(1)))}{unit}"
    author = None
    if title:
        m = _AUTHOR.match(title)
        author = m.group(1) if m else None
    return title, volume, author


# -- reading ----------------------------------------------------------------------------------
def _pdf_lines(pages: Iterable[str], book: Book, progress: Callable[[int], None] | None) -> list[Line]:
    from lunshu.ingest.pdf import join_spaced

    heads = _Heads(book.repairs)
    out: list[Line] = []
    for sheet, text in enumerate(pages):
        book.sheets += 1
        raw = text.splitlines()
        joined = [join_spaced(x) for x in raw]
        book.repairs["letter_spacing"] += sum(1 for a, b in zip(raw, joined) if a.strip() != b)
        label, drop = heads.page(sheet, joined)
        base = len(book.raw_lines)
        book.raw_lines.extend(raw)
        for i, x in enumerate(joined):
            if drop[i] or not x.strip():
                continue
            t = _tidy(x, book.repairs)
            if t:
                out.append(Line(t, label, sheet, base + i))
        if progress:
            progress(1)
    return out


def _text_lines(text: str, book: Book) -> list[Line]:
    raw = text.splitlines()
    book.raw_lines = raw
    out: list[Line] = []
    for i, x in enumerate(raw):
        if not x.strip():
            out.append(Line("", None, 0, i))  # blank lines are kept until pages are known
            continue
        out.append(Line(_tidy(x, book.repairs), None, 0, i))
    return out


_PAGE_ONLY = re.compile(r"^[-—–·]?\s*\d{1,4}\s*[-—–·]?$")  # 12, — 12 —, ·12·
_STRAY_ANY = re.compile(rf"^[^{HAN_RANGES}0-9…—]{{1,6}}$")


def _ocr_pages(lines: list[Line], book: Book) -> list[Line]:
    """OCR text: page-number lines give pages (the number at a page's foot), strays are dropped."""
    n = len(lines)

    def blank(i: int) -> bool:
        return i < 0 or i >= n or not lines[i].text.strip()

    keep: list[Line] = []
    marks: list[tuple[int, int]] = []  # (position in keep, page number)
    last = 0
    for i, ln in enumerate(lines):
        t = ln.text.strip()
        if not t:
            continue
        if _PAGE_ONLY.match(t):
            v = int(re.sub(r"\D", "", t))
            if last < v <= last + 40 or (last == 0 and v <= 60):
                marks.append((len(keep), v))
                last = v
                book.repairs["page_number"] += 1
            else:
                book.repairs["stray"] += 1
            continue
        if _STRAY_ANY.match(t.replace(" ", "")):
            book.repairs["stray"] += 1
            continue
        if len(t.replace(" ", "")) <= 2 and blank(i - 1) and blank(i + 1) and not _SECTION.match(t) \
                and not t.startswith("注"):
            # a one- or two-character line alone in the middle of a sentence (page numbers aside)
            prev = next((lines[j].text for j in range(i - 1, -1, -1)
                         if lines[j].text.strip() and not _PAGE_ONLY.match(lines[j].text.strip())), "")
            if not prev or prev[-1] not in SENT_END + _CLOSE:
                book.repairs["stray"] += 1
                continue
        keep.append(ln)
    # pages: lines before a number's line belong to that page; gaps spread evenly
    start = 0
    prev_page = None
    for pos, v in marks:
        span = keep[start:pos]
        first = (prev_page + 1) if prev_page is not None else v
        npages = max(1, v - first + 1)
        for k, ln in enumerate(span):
            ln.page = first + min(npages - 1, k * npages // max(1, len(span)))
        start, prev_page = pos, v
    for ln in keep[start:]:
        ln.page = (prev_page + 1) if prev_page is not None else None
    return keep


# -- the table of contents --------------------------------------------------------------------
_LEADER_PAGE = re.compile(r"[\s…\.·．。,，、:：\-_~eoOsSiIpyrvnt]*?(\d{1,4})(?:\s*[—–\-－]+\s*(\d{1,4}))?\s*$")
_LEADER = re.compile(r"(?:…|\.{2,}|·{2,}|．{2,}|—{3,})")
_BACK = re.compile(r"^(注释|注|编后记|后记|索引|人名索引|附录|出版说明|说明|目录|前言|第.版出版说明|本卷说明)$")


def _page_tail(s: str) -> tuple[str, int | None, int | None]:
    """Title text, and the page (range) a leader line ends with."""
    m = _LEADER_PAGE.search(s)
    if m and (m.start() == 0 or _LEADER.search(s[max(0, m.start() - 4):m.end()]) or s[m.start():m.end()].strip(
            " 0123456789—–-－") or not _HAN.search(s[m.start():])):
        head = s[:m.start()]
        head = _LEADER.sub("", head).rstrip(" …·.．")
        return head, int(m.group(1)), int(m.group(2)) if m.group(2) else None
    return _LEADER.sub("", s).rstrip(" …·.．"), None, None


def _clean_title(s: str) -> str:
    s = re.sub(r"[a-zA-Z]{2,}.*$", "", s)  # OCR debris of leader dots ("eeess")
    s = _LEADER.sub("", s)
    s = s.strip(" …·.．,，:：;；\"'“”_-~|")
    return re.sub(r"\s+", "", s) if _HAN.search(s) else s.strip()


def find_toc(lines: list[Line]) -> tuple[int, int, list[TocEntry]]:
    """(first line, line after, entries) of the table of contents, or (0, 0, []) without one.

    The table of contents is the first dense run of date lines (at most six lines apart) at least
    half of whose entries carry a page number.
    """
    dl = [i for i, ln in enumerate(lines) if ln.text and date_line(ln.text, loose=True)]
    best: tuple[int, int] | None = None
    i = 0
    while i < len(dl):
        j = i
        while j + 1 < len(dl) and _gap(lines, dl[j], dl[j + 1]) <= 15:
            j += 1
        if j - i + 1 >= 4:
            # the body's first piece right after the contents repeats the first entry's title
            first1, first2 = _title_above(lines, dl[i]), _title_above(lines, dl[i], 2)
            for k in range(i + 1, j + 1):
                a1, a2 = _title_above(lines, dl[k]), _title_above(lines, dl[k], 2)
                back_matter = any(_BACK.match(_han(_page_tail(lines[x].text)[0]) or "x")
                                  and _page_tail(lines[x].text)[1] is not None for x in range(dl[k - 1] + 1, dl[k]))
                if back_matter or (first1 and max(_sim(first1, a1), _sim(first1, a2), _sim(first2, a2)) >= 0.75):
                    j = k - 1
                    break
            run = dl[i:j + 1]
            with_page = 0
            for k in run:
                d = date_line(lines[k].text, loose=True)
                nxt = lines[k - 1].text if k else ""
                if (d and re.search(r"\d{1,4}\s*$", d[2])) or _page_tail(nxt)[1] is not None:
                    with_page += 1
            gaps = sorted(_gap(lines, a, b) for a, b in itertools.pairwise(run))
            dense = len(run) >= 8 and gaps[len(gaps) // 2] <= 2  # entries packed line after line
            if with_page >= 0.4 * len(run) or dense:
                best = (i, j)
                break
        i = j + 1
    if best is None:
        return 0, 0, []
    first_dl, last_dl = dl[best[0]], dl[best[1]]
    # the entries start after a heading (目录) or at the first title line before the first date line
    start = first_dl
    while start > 0 and first_dl - start < 2:
        t = lines[start - 1].text
        if not t or date_line(t) or t[-1] in SENT_END + _CLOSE or len(re.findall(f"[{_NUMC}]", t)) >= 4:
            break
        h = _han(t)
        if h in ("目录", "目") or re.fullmatch(r"目.", h):
            break
        start -= 1
    end = last_dl + 1
    # entries without a date after the last dated one (注释……349—384, 编后记 661)
    while end < len(lines) and end - last_dl <= 6:
        t = lines[end].text
        if not t:
            end += 1
            continue
        head, p1, _ = _page_tail(t)
        if p1 is not None and len(_han(head)) <= 12 and _han(head):
            end += 1
            continue
        break
    entries: list[TocEntry] = []
    title_lines: list[str] = []
    for k in range(start, end):
        t = lines[k].text
        if not t:
            continue
        h = _han(t)
        if h in ("目录",) or re.fullmatch(r"目[录有肝]", h):
            continue
        d = date_line(t, loose=True)
        if d:
            pre, core, tail = d
            head, p1, p2 = _page_tail(pre) if pre.strip() else ("", None, None)
            title_parts = [*title_lines, head] if head else list(title_lines)
            tp1 = tp2 = None
            joined = []
            for part in title_parts:
                hh, a, b = _page_tail(part)
                joined.append(hh)
                if a is not None:
                    tp1, tp2 = a, b
            _, q1, q2 = _page_tail(tail)
            iso, iso_end, prec = ocr_date(core, _year_hint(entries))
            entries.append(TocEntry(title=_clean_title("".join(joined)), date=iso, date_end=iso_end, precision=prec,
                                    date_text=core.strip(), page_start=tp1 or q1 or p1, page_end=tp2 or q2 or p2))
            title_lines = []
            continue
        head, p1, p2 = _page_tail(t)
        if p1 is not None and _BACK.match(_han(head) or "x"):
            entries.append(TocEntry(title=_han(head), page_start=p1, page_end=p2, piece=False))
            title_lines = []
            continue
        title_lines.append(t)
    # titles that end with a page (no date for them) before the next dated entry are lost pieces
    return start, end, [e for e in entries if e.title or e.date]


def _title_above(lines: list[Line], i: int, n: int = 1) -> str:
    """The Chinese characters of the ``n`` nearest lines above ``i`` ("*" markers skipped), leader and
    page cut, and of the date line's own text before its bracket."""
    out: list[str] = []
    d = date_line(lines[i].text, loose=True)
    if d and _han(d[0]):
        out.append(_han(_page_tail(d[0])[0]))
    k = i - 1
    while k >= 0 and len(out) < n:
        if lines[k].text and lines[k].text.strip() not in ("*", "＊"):
            out.insert(0, _han(_page_tail(lines[k].text)[0]))
        k -= 1
    return "".join(out)


def _year_hint(done: list[Any]) -> int | None:
    """The year of the last dated entry (or candidate) so far: a book runs in date order."""
    for x in reversed(done[-5:]):
        if x.date:
            return int(x.date[:4])
    return None


def _gap(lines: list[Line], a: int, b: int) -> int:
    return sum(1 for k in range(a + 1, b) if lines[k].text)


# -- splitting --------------------------------------------------------------------------------
@dataclass
class _Cand:
    at: int  # index of the first title line
    date_at: int
    title: str
    lines: list[str]
    date: str | None
    date_end: str | None
    precision: str
    date_text: str
    body_at: int = 0  # first line of the text


_SIGNATURE = re.compile(rf"^(?:[{_NUMERAL}]{{1,3}}月[{_NUMERAL}]{{1,3}}[日号]?|[{_NUMERAL}]{{4}}年.*)$")
_NOTES_HEAD = re.compile(rf"^注\s*[释洗条择粹譯][^{HAN_RANGES}]{{0,60}}$")
_NOTE_ITEM = re.compile(r"^[\[〔【(（C5]?\s*\d{1,3}\s*[\]〕】)）]?\s*\S")


_FIRST_NOTE = re.compile(r"^[\[〔【(（C]\s*[1lI]\s*[\]〕】)）J]")
# the editors' statement of a piece's source (根据手稿刊印。), as OCR reads it (根淹, 想据…, 刊外)
_SOURCE_LINE = re.compile(rf"^(?:根[{HAN_RANGES}]|[{HAN_RANGES}]据)[^。]{{0,40}}?刊[印外趾]")
# a note that glosses a name: "杨成武，当时任…", "安东，即今丹东市。", "周，指周恩来。"
_GLOSS = re.compile(rf"^[{HAN_RANGES}]{{1,8}}\s*[,，]\s*(?:当时任|即|指|今译|原名|字)")


def _notes_head(lines: list[Line], k: int) -> bool:
    """``注释`` (as OCR reads it: 注 洗, 注 条, 注杰 {…, 入 释, 尘 好) on a line of its own, before the
    first note: a short line with 注 or 释 after the statement of the source or before a numbered
    note, or any short line before note [1]."""
    t = lines[k].text
    if _NOTES_HEAD.match(t):
        return True
    h = _han(t)
    if not 1 <= len(h) <= 3 or len(t) > 12 or _PUNCT.search(t):
        return False
    nxt = next((x.text for x in lines[k + 1:k + 3] if x.text.strip()), "")
    if _FIRST_NOTE.match(nxt) and (len(h) >= 2 or "注" in h or "释" in h):
        return True
    if "注" not in h and "释" not in h:
        return False
    before = [x.text for x in lines[max(0, k - 3):k] if x.text.strip()]
    return bool(_NOTE_ITEM.match(nxt)) or any("刊印" in x or _SOURCE_LINE.match(x) for x in before)


def _glosses_after_source(lines: list[Line], k: int) -> bool:
    """Notes without their heading: glosses of names (``杨成武，当时任…``) right after the statement of
    the source that closes a piece (OCR set their numbers apart)."""
    if not _GLOSS.match(lines[k].text) or k == 0:
        return False
    prev = [x.text for x in lines[max(0, k - 2):k] if x.text.strip()]
    return any(_SOURCE_LINE.match(x) or "刊印" in x for x in prev) and (
        k + 1 >= len(lines) or bool(_GLOSS.match(lines[k + 1].text)) or _ends_sentence(lines[k].text))


def _ends_sentence(x: str) -> bool:
    """A line that ends a sentence (or a clause), closing quotes and brackets after the stop aside:
    ``毛泽东对此批注：“这样做很好。”`` is the end of a text, not a title line."""
    t = x.rstrip().rstrip(_CLOSE + "\"'")
    return bool(t) and t[-1] in "。！？；：，" or x.rstrip()[-1:] in "。！？；：，"


def _candidates(lines: list[Line], lo: int, hi: int, width: float) -> list[_Cand]:
    out: list[_Cand] = []
    for i in range(lo, hi):
        t = lines[i].text
        if not t or len(t) > 40:
            continue
        d = date_line(t)
        if not d:
            continue
        # title lines: up to four lines above, none ending a sentence, none a signature
        k = i - 1
        tl: list[int] = []
        while k >= lo and len(tl) < 4:
            x = lines[k].text
            if not x:
                k -= 1
                continue
            if x.strip() in ("*", "＊"):
                k -= 1
                continue
            if (_ends_sentence(x) or _SIGNATURE.match(_han(x) or x) or _NOTES_HEAD.match(x) or len(x) >= width * 0.9
                    or _NOTE_START.match(x)):
                break
            if out and k <= out[-1].date_at:
                break
            tl.insert(0, k)
            k -= 1
        body_at = i + 1
        if not tl:
            # a text layer may give the title after its date line (or not at all)
            k = i + 1
            while k < hi and len(tl) < 3:
                x = lines[k].text
                if not x or x.strip() in ("*", "＊"):
                    k += 1
                    continue
                if x[-1] in SENT_END or len(x) > width * 0.8 or date_line(x) or _SECTION.match(x):
                    break
                tl.append(k)
                k += 1
            if tl:
                body_at = tl[-1] + 1
        iso, iso_end, prec = ocr_date(d[1], _year_hint(out))
        at = tl[0] if tl and tl[0] < i else i
        out.append(_Cand(at, i, "".join(lines[x].text for x in tl), [lines[x].text for x in tl], iso, iso_end,
                         prec, d[1], body_at))
    return out


def _title_line_indexes(lines: list[Line], c: _Cand) -> list[int]:
    """Indexes in ``lines`` of a candidate's title lines above its date line."""
    return [i for i in range(c.at, c.date_at) if lines[i].text and lines[i].text.strip() not in ("*", "＊")]


def _contiguous(book: Book, a: Line, b: Line) -> bool:
    """Lines ``a`` and ``b`` (in this order) stand one under the other in the original: nothing
    between them, not even a blank line."""
    return b.ri == a.ri + 1 and a.sheet == b.sheet


def _title_block_complete(book: Book, lines: list[Line], c: _Cand, k: int) -> bool:
    """The title's first line (of the k used) has a blank line, a page's edge or the text's start
    above it in the original: the body prints the title whole, as a block of its own."""
    idx = _title_line_indexes(lines, c)
    if not idx or k > len(idx) or not book.raw_lines:
        return False
    first = lines[idx[-k] if k else idx[0]]
    if first.ri == 0:
        return True
    if lines[idx[-k] if k else idx[0]].sheet and idx[0] > 0 and lines[idx[0] - 1].sheet != first.sheet:
        return True  # a PDF page begins with it
    return not book.raw_lines[first.ri - 1].strip()


def _title_text(lines: list[str]) -> str:
    """A title from its lines: OCR debris (Latin letters, digits, stray quotes of note marks) out."""
    t = "".join(x.strip() for x in lines)
    t = re.sub(r"^\S{0,2}?[A-Za-z0-9\-_]+", "", t)  # a note mark's debris before the title ("号67", "41L1")
    t = re.sub(r"[A-Za-z0-9\"'|{}<>=_~*^]+", "", t)
    if t.count("“") != t.count("”"):
        t = t.replace("“", "").replace("”", "")
    t = re.sub(rf"^[^{HAN_RANGES}《“（]+", "", t)
    return _clean_title(t)


def _find_title(lines: list[Line], lo: int, hi: int, title: str, width: float) -> tuple[int, int] | None:
    """The lines (first, last) where ``title`` stands on one to three lines of its own in ``lo``..``hi``."""
    want = _han(title)
    best: tuple[float, int, int] | None = None
    for i in range(lo, hi):
        t = lines[i].text
        if not t or len(t) >= width * 0.9 or _ends_sentence(t) or not want.startswith(_han(t)[:1] or "x") \
                and _sim(t, want[:len(_han(t))]) < 0.6:
            continue
        joined = ""
        for j in range(i, min(hi, i + 3)):
            x = lines[j].text
            if len(x) >= width * 0.9 or (j > i and x[-1:] in ("。", "！", "？")):
                break
            joined += x
            s = _sim(joined, want)
            if s >= 0.75 and (best is None or s > best[0]):
                best = (s, i, j)
    return (best[1], best[2]) if best else None


def _sim(a: str, b: str) -> float:
    a, b = _han(a), _han(b)
    if not a or not b:
        return 0.0
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def _best_suffix(cand: _Cand, title: str) -> tuple[float, int]:
    """How well the last k title lines of a candidate match a TOC title: (similarity, k)."""
    best = (0.0, len(cand.lines))
    for k in range(1, len(cand.lines) + 1):
        s = _sim("".join(cand.lines[-k:]), title)
        if s > best[0] + 1e-9:
            best = (s, k)
    return best


def _same_date(a: str | None, b: str | None) -> bool:
    return bool(a and b and (a.startswith(b) or b.startswith(a)))


def _date_ok(a: str | None, b: str | None) -> bool:
    """Dates that may be the same piece's: equal as far as both go, or one unknown."""
    if not a or not b:
        return True
    n = min(len(a), len(b), 7)
    return a[:n] == b[:n]


def _match(toc: list[TocEntry], cands: list[_Cand]) -> list[tuple[TocEntry, _Cand | None, float, int]]:
    """TOC entries matched in order to body candidates: the monotone alignment of greatest total
    score (title similarity, plus a bonus when the dates agree to the day)."""
    m, k = len(toc), len(cands)
    band = max(40, abs(m - k) + 20)
    w: dict[tuple[int, int], tuple[float, int]] = {}
    for i, e in enumerate(toc):
        centre = i * k / max(m, 1)
        lo, hi = max(0, int(centre) - band), min(k, int(centre) + band + 1)
        for j in range(lo, hi):
            c = cands[j]
            if not _date_ok(c.date, e.date):
                continue
            same = bool(c.date and e.date and c.date == e.date and len(c.date) == 10)
            s, n = _best_suffix(c, e.title) if c.lines else (0.0, 0)
            if s >= 0.5 or (same and (s >= 0.25 or not c.lines)):
                w[(i, j)] = (s + (0.3 if same else 0.0), n)
    # dynamic programme over (entries, candidates)
    best = [[0.0] * (k + 1) for _ in range(m + 1)]
    for i in range(1, m + 1):
        row, prev = best[i], best[i - 1]
        for j in range(1, k + 1):
            v = max(row[j - 1], prev[j])
            pair = w.get((i - 1, j - 1))
            if pair is not None and prev[j - 1] + pair[0] > v:
                v = prev[j - 1] + pair[0]
            row[j] = v
    out: list[tuple[TocEntry, _Cand | None, float, int]] = []
    i, j = m, k
    while i > 0:
        pair = w.get((i - 1, j - 1)) if j > 0 else None
        if pair is not None and abs(best[i][j] - (best[i - 1][j - 1] + pair[0])) < 1e-9:
            out.append((toc[i - 1], cands[j - 1], pair[0], pair[1]))
            i, j = i - 1, j - 1
        elif j > 0 and abs(best[i][j] - best[i][j - 1]) < 1e-9:
            j -= 1
        else:
            out.append((toc[i - 1], None, 0.0, 0))
            i -= 1
    out.reverse()
    # between two matched entries, as many unmatched entries as unmatched candidates: in order
    idx = {id(c): j for j, c in enumerate(cands)}
    anchors = [(-1, -1)] + [(i, idx[id(c)]) for i, (_, c, _, _) in enumerate(out) if c is not None] + [(m, k)]
    for (i1, j1), (i2, j2) in itertools.pairwise(anchors):
        if 0 < i2 - i1 - 1 == j2 - j1 - 1:
            for d in range(1, i2 - i1):
                e, c = out[i1 + d][0], cands[j1 + d]
                if _date_ok(c.date, e.date):
                    out[i1 + d] = (e, c, 0.0, len(c.lines))
    return out


def _width(lines: list[Line]) -> float:
    lens = sorted(len(ln.text) for ln in lines if len(ln.text) >= 8)
    if not lens:
        return 20.0
    return float(lens[int(len(lens) * 0.7)])


_NOTE_START = re.compile(r"^(?:[\[〔【(（C]\s*\d{1,3}|\d{1,3}\s*[\]〕】)）])")
_FOOTNOTE = re.compile(r"^[*＊]\s*\S")


def _paragraphs(lines: list[Line], width: float, repairs: Counter[str]) -> tuple[list[str], list[int | None]]:
    """Lines → paragraphs: a line shorter than the text width ends one; so does a heading."""
    paras: list[str] = []
    pages: list[int | None] = []
    cur = ""
    cur_page: int | None = None
    short = width * 0.8
    for ln in lines:
        t = ln.text.strip()
        if not t:
            continue
        if cur and (_NOTE_START.match(t) or _SECTION.match(t)):
            paras.append(cur)
            pages.append(cur_page)
            cur = ""
        if not cur:
            cur, cur_page = t, ln.page
        else:
            sep = " " if cur[-1].isascii() and cur[-1].isalpha() and t[0].isascii() and t[0].isalpha() else ""
            cur += sep + t
            repairs["line_wrap"] += 1
        if len(t) < short or _SECTION.match(t):
            paras.append(cur)
            pages.append(cur_page)
            cur = ""
    if cur:
        paras.append(cur)
        pages.append(cur_page)
    return paras, pages


def split_book(lines: list[Line], book: Book, mode: str = "auto") -> None:
    """Fill ``book.toc`` and ``book.pieces`` from the clean lines."""
    width = _width(lines)
    _, t1, toc = find_toc(lines)
    book.toc = toc
    pieces_toc = [e for e in toc if e.piece]
    cands = _candidates(lines, t1, len(lines), width)
    starts: list[tuple[int, str, _Cand | None, TocEntry | None]] = []  # (line, title, cand, entry)
    if pieces_toc:
        _match_result = _match(pieces_toc, cands)
        for e, c, _score, k in _match_result:
            if c is None:
                continue
            # the title as the body prints it (set in larger type than the contents, OCR reads it
            # better), all its lines unless the last few match the contents much better
            if k and k < len(c.lines) and _sim("".join(c.lines), e.title) < _sim("".join(c.lines[-k:]), e.title) - 0.15:
                # the contents match the last k lines better; lines set with them as one block (no
                # blank line or page between) are the title still: the contents lost a line
                idx = _title_line_indexes(lines, c)
                while k < len(idx) and _contiguous(book, lines[idx[-k - 1]], lines[idx[-k]]):
                    k += 1
            body_title = _title_text(c.lines if k and _sim("".join(c.lines), e.title) >= _sim(
                "".join(c.lines[-k:]), e.title) - 0.15 else c.lines[-k:] if k else c.lines)
            title = body_title if len(_han(body_title)) >= max(2, len(_han(e.title)) * 0.6) else e.title
            if title != body_title and _title_block_complete(book, lines, c, k) and len(_han(body_title)) >= 4 \
                    and _sim(body_title, _han(e.title)[-len(_han(body_title)):]) >= 0.75:
                # the body's title stands apart as a whole and is the end of the contents' entry:
                # the entry swallowed lines before it (OCR debris, an entry whose date it lost)
                title = body_title
            if c.at == c.date_at:  # no title above the date line
                starts.append((c.at, title, c, e))
                continue
            at = c.date_at - 1
            # the first of the k title lines that matched
            seen = 0
            while at >= c.at:
                if lines[at].text and lines[at].text.strip() not in ("*", "＊"):
                    seen += 1
                    if seen == k:
                        break
                at -= 1
            starts.append((max(at, c.at), title, c, e))
        # entries whose date line the body lost: their title alone, between the pieces around them
        matched = list(_match_result)
        for i, (e, c, _score, _k) in enumerate(matched):
            if c is not None or len(_han(e.title)) < 4:
                continue
            lo = max((x[1].date_at for x in matched[:i] if x[1] is not None), default=t1)
            hi = min((x[1].at for x in matched[i + 1:] if x[1] is not None), default=len(lines))
            found = _find_title(lines, lo + 1, hi, e.title, width)
            if found is not None:
                a, b = found
                tl = [lines[x].text for x in range(a, b + 1)]
                found_c = _Cand(a, b, "".join(tl), tl, None, None, "", "", b + 1)
                starts.append((a, _title_text(tl), found_c, e))
                matched[i] = (e, found_c, 0.0, len(tl))  # the next entries are searched after it
        # pieces the contents lost (OCR drops whole entries): a title above a date line, dated in
        # order with the pieces around it
        used = {id(c) for _, _, c, _ in starts}
        starts.sort(key=lambda x: x[0])
        first_at = starts[0][0] if starts else len(lines)
        for c in cands:
            if id(c) in used or c.at >= c.date_at or c.at < first_at or len(_han(c.title)) < 4 or not c.date:
                continue
            before = [x for x in starts if x[0] < c.at and x[2] and x[2].date]
            after = [x for x in starts if x[0] > c.at and x[2] and x[2].date]
            lo = before[-1][2].date if before else None  # type: ignore[union-attr]
            hi = after[0][2].date if after else None  # type: ignore[union-attr]
            if (lo is None or c.date >= lo[:len(c.date)]) and (hi is None or c.date[:len(hi)] <= hi):
                starts.append((c.at, c.title, c, None))
        starts.sort(key=lambda x: x[0])
    else:
        for c in cands:
            starts.append((c.at, c.title, c, None))
    if not starts:
        return
    # the end of the last piece: back matter (注释, 编后记) by its heading
    end = len(lines)
    back = [e for e in toc if not e.piece]
    last_at = starts[-1][0]
    endnote_at = None
    for k in range(last_at + 1, len(lines)):
        h = _han(lines[k].text)
        if h and len(h) <= 6 and _BACK.match(h) and len(lines[k].text) <= 8 and (
                back and any(_han(e.title) == h for e in back) or h in ("编后记", "后记")):
            end = k
            if h in ("注释", "注"):
                endnote_at = k
            break
    # a second table of contents after the body (OCR volumes put the contents' last pages at the end)
    after = [k for k in range(last_at + 1, end) if lines[k].text and date_line(lines[k].text, loose=True)]
    for a in range(len(after)):
        run = after[a:a + 6]
        if len(run) == 6 and all(_gap(lines, x, y) <= 3 for x, y in itertools.pairwise(run)):
            k = run[0]
            while k - 1 > last_at and run[0] - k < 3 and lines[k - 1].text and lines[k - 1].text[-1] not in SENT_END:
                k -= 1
            end = k
            book.repairs["back_contents"] += 1
            break
    endnotes = _endnotes(lines[endnote_at + 1:], width, book.repairs) if endnote_at is not None else []
    prev_date: str | None = None
    for n, (at, title, c, e) in enumerate(starts):
        stop = starts[n + 1][0] if n + 1 < len(starts) else end
        body = lines[c.body_at if c else at + 1:stop]
        body = [ln for ln in body if ln.text.strip() not in ("*", "＊")]
        # notes after the piece (注释) and footnotes (* 本文…) are kept apart
        notes_lines: list[Line] = []
        for k, _ln in enumerate(body):
            if _notes_head(body, k):
                notes_lines = body[k + 1:]
                body = body[:k]
                break
            if _glosses_after_source(body, k):
                notes_lines = body[k:]
                body = body[:k]
                break
        text_lines: list[Line] = []
        foot: list[Line] = []
        in_foot = None
        for ln in body:
            if _FOOTNOTE.match(ln.text) and ln.sheet:
                in_foot = ln.sheet
            if in_foot is not None and ln.sheet == in_foot:
                foot.append(ln)
                continue
            in_foot = None
            text_lines.append(ln)
        paras, pages = _paragraphs(text_lines, width, book.repairs)
        notes, _ = _paragraphs(foot, width, book.repairs) if foot else ([], [])
        more, _ = _paragraphs(notes_lines, width, book.repairs)
        notes += more
        date, date_end, prec, dtext = _pick_date(e, c, prev_date)
        if date:
            prev_date = date
        page_start = (e.page_start if e and e.page_start else None) or next((p for p in pages if p), None)
        page_end = (e.page_end if e and e.page_end else None) or (
            next((p for p in reversed(pages) if p), None) if pages else page_start)
        if page_start and page_end and page_end < page_start:
            page_end = page_start
        if page_start:
            pages = [min(max(p, page_start), page_end or p) if p else page_start for p in pages]
        ri_stop = lines[stop].ri if stop < len(lines) else len(book.raw_lines)
        raw = "\n".join(book.raw_lines[lines[at].ri:ri_stop])
        book.pieces.append(Piece(
            n=len(book.pieces) + 1, title=_clean_title(title), date=date, date_end=date_end, precision=prec,
            page_start=page_start, page_end=page_end, paragraphs=paras, pages=pages, notes=notes, raw=raw,
            genre=genre_of(title), speakers=[book.author] if book.author else [],
            body_title=c.title if c else "", date_text=dtext))
    if endnotes:
        for page, note in endnotes:
            for p in book.pieces:
                if p.page_start and p.page_end and p.page_start <= page <= p.page_end:
                    p.notes.append(note)
                    break


def _pick_date(e: TocEntry | None, c: _Cand | None, prev: str | None) -> tuple[str | None, str | None, str, str]:
    """The TOC's date and the body's date line agree, or the one that fits the order of the book."""
    opts = []
    if c and c.date:
        opts.append((c.date, c.date_end, c.precision, c.date_text))
    if e and e.date:
        opts.append((e.date, e.date_end, e.precision, e.date_text))
    if not opts:
        return None, None, "", (c.date_text if c else "")
    if len(opts) == 2:
        a, b = opts
        if a[0] == b[0]:
            return a
        if _same_date(a[0], b[0]):  # one more precise than the other
            return a if len(a[0]) > len(b[0]) else b
        # disagreement: the one not before the previous piece (books run in date order)
        fits = [o for o in opts if prev is None or o[0] >= prev[:len(o[0])]]
        if len(fits) == 1:
            return fits[0]
        return b  # the table of contents, set in larger type, reads better
    return opts[0]


def _endnotes(lines: list[Line], width: float, repairs: Counter[str]) -> list[tuple[int, str]]:
    """End notes (``1 大革命，指…——第2页。``): numbered in sequence; each with the page it annotates."""
    notes: list[str] = []
    expected = 1
    cur: list[Line] = []
    for ln in lines:
        m = re.match(r"^(\d{1,3})\s*(?=\D)", ln.text)
        if m and int(m.group(1)) == expected:
            if cur:
                notes.append("".join(x.text for x in cur))
            cur = [ln]
            expected += 1
            continue
        cur.append(ln)
    if cur:
        notes.append("".join(x.text for x in cur))
    out = []
    for note in notes:
        m = re.search(r"——\s*第\s*(\d{1,4})\s*(?:、\s*\d{1,4}\s*)*页", note)
        if m:
            out.append((int(m.group(1)), note))
    return out


# -- entry points -----------------------------------------------------------------------------
def read_book(path: str, *, text: str | None = None, pages: Iterable[str] | None = None,
              progress: Callable[[int], None] | None = None, mode: str = "auto") -> Book:
    """A book from a PDF's pages (``pages``) or OCR text (``text``)."""
    book = Book(path=path)
    if pages is not None:
        lines = _pdf_lines(pages, book, progress)
    else:
        lines = _ocr_pages(_text_lines(text or "", book), book)
    book.title, book.volume, book.author = find_book_title([ln.text for ln in lines[:4000]], path)
    book.lines = lines
    split_book(lines, book, mode)
    return book


def split_whole(book: Book) -> None:
    """The whole text as one piece (a PDF that is not a book): paragraphs with their pages."""
    lines = book.lines
    paras, pages = _paragraphs(lines, _width(lines), book.repairs)
    book.pieces = [Piece(n=1, title=book.source or "", date=None, date_end=None, precision="",
                         page_start=next((p for p in pages if p), None),
                         page_end=next((p for p in reversed(pages) if p), None), paragraphs=paras, pages=pages,
                         notes=[], raw="\n".join(book.raw_lines), genre="other", speakers=[])]


def looks_like_book(book: Book) -> bool:
    """Enough dated pieces to be a book rather than a document that mentions a date."""
    return len(book.pieces) >= 3


def pieces_as_records(book: Book) -> Iterator[dict[str, Any]]:
    """Each piece as the fields of a record (see ``lunshu.ingest.readers.read_book_file``)."""
    seen: Counter[str] = Counter()
    for p in book.pieces:
        if not any(x.strip() for x in p.paragraphs):
            continue  # a title and date line without text (a contents entry read as the body)
        key = f"{p.title}|{p.date}"
        seen[key] += 1
        yield {
            "key": f"book:{key}|{seen[key]}",
            "title": p.title,
            "date": p.date,
            "speakers": p.speakers,
            "genre": p.genre,
            "source": book.source,
            "paragraphs": p.paragraphs,
            "pages": p.pages,
            "page_start": p.page_start,
            "page_end": p.page_end,
            "notes": p.notes,
            "raw": p.raw,
            "n": p.n,
        }


def piece_document(fields: dict[str, Any], raw: str, doc_id: str, origin: str, content_hash: str) -> Any:
    """The Document of one piece (or of a whole PDF that is not a book), as the reader described it."""
    from lunshu.models import Document

    paras = [p for p in fields.get("paragraphs", []) if isinstance(p, str)]
    pages = list(fields.get("pages") or [])
    keep = [i for i, p in enumerate(paras) if p.strip()]
    return Document(
        id=doc_id, title=fields.get("title") or None, date=fields.get("date") or None,
        speakers=[s for s in fields.get("speakers") or [] if s], genre=fields.get("genre") or "other",
        source=fields.get("source") or None, paragraphs=[paras[i] for i in keep],
        pages=[pages[i] if i < len(pages) else None for i in keep] if pages else [],
        page_start=fields.get("page_start"), page_end=fields.get("page_end"),
        notes=list(fields.get("notes") or []), raw=raw, origin=origin, content_hash=content_hash)
