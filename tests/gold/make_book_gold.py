"""Gold for books: the pieces of the shared volumes, read by a route of their own (no lunshu import).

- 邓小平文选 第一卷 (PDF): the table of contents gives each piece's title, date line and page range;
  the pages themselves (pypdf, spaces dropped) give the first sentence after the piece's date line
  on its first page and the last sentence on its last page. Printed page N is PDF page N + offset,
  the offset voted by the running heads (``邓小平文选第一卷 N`` / ``title N``).
- 建国以来毛泽东文稿 第二、五册 (OCR text): the table of contents is too garbled to read titles from,
  so the body is: a piece is a title (the lines above a bracketed date line) whose text runs to its
  ``根据…刊印。`` line (the editors' statement of the source, which closes every piece); the first
  sentence is the first after the date line, the last the last one before the signature lines.
  The year is the volume's (every piece of 第二册 is of 1951, of 第五册 of 1955: the volumes say so
  on their title pages), month and day are read from the date line; a date line OCR left
  unreadable is left out (``date`` null: not scored).

Hand checks (``CORRECTIONS``) fix what this reading gets wrong, found by reading the pages.
Short fields only: titles, ISO dates, and the first and last sentence cut to 24 characters.

    python tests/gold/make_book_gold.py ../shared/corpora/collected-works > tests/gold/books.json
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

HAN = "\u3400-\u4dbf\u4e00-\u9fff"
CN = {"〇": 0, "○": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CUT = 24


def cn_int(s: str) -> int | None:
    """一 … 三十一 (no OCR repair: a gold date is one that reads cleanly)."""
    if not s or any(c not in CN and c != "十" for c in s):
        return None
    if "十" in s:
        a, _, b = s.partition("十")
        return (CN[a] if a else 1) * 10 + (CN[b] if b else 0)
    return CN[s] if len(s) == 1 else None


def cn_date(s: str, year: int | None = None) -> str | None:
    m = re.search(r"([〇○零一二三四五六七八九]{4})年", s)
    y = int("".join(str(CN[c]) for c in m.group(1))) if m else year
    m2 = re.search(r"年([一二三四五六七八九十]{1,3})月(?:([一二三四五六七八九十]{1,3})日)?", s)
    if y is None or not m2:
        return None
    after = s[m2.end():]
    if not m2.group(2) and re.match(r"[^）)〕】》\]、—]", after):
        return None  # a day OCR left unreadable: not a month-precision date
    mo, d = cn_int(m2.group(1)), cn_int(m2.group(2) or "")
    if mo is None or not 1 <= mo <= 12:
        return None
    if m2.group(2) and (d is None or not 1 <= d <= 31):
        return None
    return f"{y:04d}-{mo:02d}" + (f"-{d:02d}" if d else "")


SENT = re.compile(r"[^。！？?!]*[。！？?!][”’）」』]*")


def sentences(text: str) -> list[str]:
    return [x for x in SENT.findall(text) if re.search(f"[{HAN}]", x)]


def short_first(s: str) -> str:
    return s[:CUT]


def short_last(s: str) -> str:
    return s[-CUT:]


# -- 邓小平文选 ---------------------------------------------------------------------------------
def pdf_pages(path: Path) -> list[list[str]]:
    import pypdf

    reader = pypdf.PdfReader(str(path))
    return [re.sub(r"[ \t]+", "", (p.extract_text() or "")).splitlines() for p in reader.pages]


def deng(pages: list[list[str]]) -> list[dict[str, Any]]:
    toc: list[dict[str, Any]] = []
    pending = ""
    in_toc = False
    for lines in pages[:12]:
        for ln in lines:
            if ln.startswith("目录"):
                in_toc = True
                continue
            if not in_toc:
                continue
            m = re.match(r"^(.*?)…+(\d+)(?:—(\d+))?$", ln)
            if m:
                toc.append({"title": pending + m.group(1), "start": int(m.group(2)),
                            "end": int(m.group(3) or m.group(2)), "date": None})
                pending = ""
                if m.group(1) == "注释":
                    in_toc = False  # the end of the contents
            elif re.match(r"^（[〇○一二三四五六七八九十年月日、—]+）$", ln) and toc:
                toc[-1]["date"] = cn_date(ln)
            elif re.match(rf"^[{HAN}，、]+$", ln):
                pending = ln
    toc = [t for t in toc if t["date"]]
    # printed page -> PDF page: the offset the running heads agree on
    votes: dict[int, int] = {}
    for i, lines in enumerate(pages[12:], 12):
        for ln in lines[:1] + lines[-1:]:
            m = re.search(r"(\d{1,3})$", ln)
            if m and not re.search("[。，；]", ln):
                votes[i - int(m.group(1))] = votes.get(i - int(m.group(1)), 0) + 1
    offset = max(votes, key=lambda k: votes[k])

    def body(n: int) -> list[str]:
        out = []
        for ln in pages[n + offset]:
            if re.fullmatch(r"\d{1,3}", ln) or re.search(r"\d{1,3}$", ln) and len(ln) < 30 and not re.search(
                    "[。，；：]", ln):
                continue  # running head or page number
            out.append(ln)
        # a footnote (* 本文…) at the foot of a first page is not the text
        for k, ln in enumerate(out):
            if ln.startswith("*") and len(ln) > 2:
                out = out[:k]
                break
        return out

    gold = []
    for t in toc:
        first_page = body(t["start"])
        k = next((i for i, ln in enumerate(first_page) if re.match(r"^（[〇○一二三四五六七八九十年月日、—]+）$", ln)),
                 None)
        if k is None:
            print(t, first_page[:5], file=sys.stderr)
            continue
        rest = [ln for ln in first_page[k + 1:] if ln != "*"]
        while rest and len(rest[0]) <= 16 and not re.search("[。！？，；：]", rest[0]):
            rest = rest[1:]  # section headings (一, 我们的对敌斗争) are not sentences
        text = "".join(rest)
        first = sentences(text)[0]
        last = sentences("".join(body(t["end"])))[-1]
        gold.append({"title": t["title"], "date": t["date"], "page_start": t["start"], "page_end": t["end"],
                     "first": short_first(first), "last": short_last(last)})
    return gold


# -- 毛泽东文稿 ---------------------------------------------------------------------------------
_DATE_LINE = re.compile(r"^[《（(〈【\[“习]\s*(\S{3,5})年(.{1,16}?)[）)〕】》\]]?$")
SOURCE = re.compile(r"(?:^根据.{0,40}刊印)|(?:刊印。$)")
SOURCE_OCR = re.compile(r"^(?:根.|.据)[^。，]{1,40}?刊[印外趾]")  # 根据 or 刊印 misread: 根淹, 想据, 刊外


class _DateLine:
    """A bracketed date line: a year of which at least two characters are numerals (OCR misreads the
    others: 一思五一年), then a month."""

    @staticmethod
    def match(x: str) -> bool:
        m = _DATE_LINE.match(x)
        return bool(m) and sum(c in "〇○零一二三四五六七八九" for c in m.group(1)) >= 2 and "月" in m.group(2)


DATE_LINE = _DateLine()


NOTES_HEAD = re.compile(r"^注\S{1,2}$")


def mao(path: Path, year: int) -> list[dict[str, Any]]:
    lines = [re.sub(r"\s+", "", x) for x in path.read_text(encoding="utf-8").splitlines()]
    lines = [x for x in lines if x and not re.fullmatch(r"\d{1,3}", x)]
    is_src = [bool(SOURCE.search(x) and ("根据" in x or (i and "根据" in lines[i - 1])) or SOURCE_OCR.match(x))
              for i, x in enumerate(lines)]
    body_from = is_src.index(True) - 60  # the contents end well before the first piece closes
    dates = [i for i in range(max(1, body_from), len(lines)) if DATE_LINE.match(lines[i]) and len(lines[i]) <= 24
             and not re.search("[。！？：；，,]$", lines[i - 1]) and len(lines[i - 1]) <= 24]
    # a piece starts at a date line when the piece before it has closed (a source statement between);
    # two date lines with none between: the first piece's end is unknown, it is left out
    starts: list[int] = []
    ok: list[bool] = []
    for d in dates:
        if starts and not any(is_src[starts[-1]:d]):
            ok[-1] = False
        starts.append(d)
        ok.append(True)
    gold = []
    for n, d in enumerate(starts):
        if not ok[n]:
            continue
        nxt = starts[n + 1] if n + 1 < len(starts) else len(lines)
        # title: the lines above the date line back to the previous piece (its notes or source line)
        k = d - 1
        title_lines: list[str] = []
        while k >= 0 and len(title_lines) < 3 and not re.search("[。！？；：，,][”’」）)?]*$", lines[k]) \
                and not re.match(r"^[\[〔【(（C]?\d", lines[k]) and len(lines[k]) <= 24 and not is_src[k]:
            title_lines.insert(0, lines[k])
            k -= 1
        srcs = [i for i in range(d + 1, nxt) if is_src[i]]
        if not srcs or not title_lines:
            continue
        last_src = srcs[-1]
        if "根据" not in lines[last_src] and last_src - 1 > d and "根据" in lines[last_src - 1]:
            last_src -= 1
        text_lines = [x for x in lines[d + 1:last_src] if not NOTES_HEAD.match(x)]
        first_text = "".join(lines[d + 1:srcs[0]])
        while text_lines and len(text_lines[-1]) <= 10 and not re.search("[。！？?!，,；;：:]", text_lines[-1]):
            text_lines.pop()  # the signature: a name, a day
        text = "".join(text_lines)
        ss = sentences(text)
        rest = text[sum(len(x) for x in SENT.findall(text)):] if ss else ""
        if len(re.sub(f"[^{HAN}]", "", rest)) >= 6:  # the text ends without a full stop (OCR lost it)
            ss.append(rest)
        fs = sentences(first_text)
        if not ss or not fs:
            continue
        gold.append({"title": "".join(title_lines), "date": cn_date(lines[d], year),
                     "first": short_first(fs[0]), "last": short_last(ss[-1])})
    return gold


# hand checks: (volume, index) -> corrected fields (found by reading the pages)
CORRECTIONS: dict[tuple[str, int], dict[str, Any]] = {}


def main(folder: str) -> None:
    root = Path(folder)
    out = {
        "deng-xiaoping-wenxuan-1.pdf": {"source": "邓小平文选 第一卷", "pieces": deng(pdf_pages(root / "deng-xiaoping-wenxuan-1.pdf"))},
        "mao-zedong-wengao-2.txt": {"source": "建国以来毛泽东文稿 第二册",
                                    "pieces": mao(root / "mao-zedong-wengao-2.txt", 1951)},
        "mao-zedong-wengao-5.txt": {"source": "建国以来毛泽东文稿 第五册",
                                    "pieces": mao(root / "mao-zedong-wengao-5.txt", 1955)},
    }
    for (vol, i), fix in CORRECTIONS.items():
        out[vol]["pieces"][i].update(fix)
    json.dump(out, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/corpora/collected-works")
