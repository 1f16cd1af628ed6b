"""Generate a gold set for quotation extraction and tracing, at test time, from a real corpus.

Builds compilation documents (论述摘编) out of real sentences of the Xinhua speech corpus, edited
the way real compilations edit them — abridged with ``……``, a clause dropped without a mark, a
character changed, punctuation made half-width, two paragraphs run together — each with an
attribution in one of the layouts seen in the wild (``——YYYY年M月D日，习近平在…的讲话``, with
spaces or full-width digits inside the date, in brackets, misplaced inside its quotation), among
headings, captions and news intros. Some attributions carry a wrong date (off by months or
years), some quotations are text the corpus does not contain.

Output: plain-text documents (paragraphs separated by blank lines) and ``expected.json``, one
record per quotation: the document, the text as written, the attribution (date, speaker), the
source it comes from (url, title, paragraph index and text) and the status ``trace`` should give.

Nothing from the corpus is committed: only this generator, which is deterministic for a seed.

    python tests/gold/make_quote_gold.py --corpus ../shared/corpora/xinhua-xi-speeches-2022-2025.json --out /tmp/gold
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

SEED = 20241120

# --------------------------------------------------------------------------------------------
# the corpus


@dataclass
class Speech:
    url: str
    title: str
    date: str  # ISO: the date in the text's own ``（2025年11月20日）``, else the publication date
    occasion: str  # what follows ``习近平`` in an attribution
    paragraphs: list[str]  # body paragraphs (index = position in this list)


_PARA_SPLIT = re.compile(r"[\u3000\u2003]{2,}")
_TEXT_DATE = re.compile(r"[（(]\s*(\d{4})年(\d{1,2})月(\d{1,2})日")
_OCC_VERB = re.compile(r"^(?:在|向|致|给|同|与|会见|会谈|出席|主持|发表|抵达|关于|接受|《)")


def _occasion(title: str) -> str:
    """The attribution's occasion from the article title (``习近平：在…上的讲话`` → ``在…上的讲话``)."""
    t = title.strip()
    if "——" in t:  # 习近平：高举…旗帜——在中国共产党第二十次全国代表大会上的报告
        t = "习近平" + t.split("——", 1)[1]
    m = re.search(r"习近平[：:]?\s*", t)
    occ = t[m.end():] if m else t
    occ = occ.strip()
    if not occ:
        return "的讲话"
    if not _OCC_VERB.match(occ):
        occ = f"《{occ}》"  # an article: 习近平《扎实推动教育强国建设》
    return occ


def _body_paragraphs(text: str) -> list[str]:
    paras = [p.strip() for p in _PARA_SPLIT.split(text)]
    out = []
    for i, p in enumerate(paras):
        if i <= 1 or len(p) < 30:
            continue  # the dateline/title/speaker run, salutations
        if "新华社记者" in p or " 摄" in p or p.endswith("摄"):
            continue
        out.append(p)
    return out


def load_corpus(path: Path) -> list[Speech]:
    records = json.loads(path.read_text(encoding="utf-8"))
    speeches: list[Speech] = []
    for r in records:
        title = str(r.get("title") or "")
        text = str(r.get("text") or "")
        if "习近平" not in title or not text:
            continue
        m = _TEXT_DATE.search(text[:400])
        if m:
            try:
                date = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
            except ValueError:
                date = str(r["publication"])[:10]
        else:
            date = str(r["publication"])[:10]
        paras = _body_paragraphs(text)
        if len(paras) < 4:
            continue
        speeches.append(Speech(str(r.get("url") or ""), title, date, _occasion(title), paras))
    return speeches


_SENT = re.compile(r"[^。！？]*[。！？]")


def _sentences(p: str) -> list[str]:
    return [s for s in _SENT.findall(p) if s.strip()]


def _usable(s: str) -> bool:
    han = len(re.findall(r"[\u4e00-\u9fff]", s))
    return han >= 12 and "——" not in s and not s.startswith(("“", "（", "(")) and len(s) <= 160


# --------------------------------------------------------------------------------------------
# edits


def _halfwidth_punct(s: str) -> str:
    table = {"，": ",", "。": ".", "；": ";", "：": ":", "！": "!", "？": "?", "“": '"', "”": '"',
             "（": "(", "）": ")"}
    return "".join(table.get(c, c) for c in s)


def _drop_clause(s: str, rng: random.Random) -> str | None:
    """Remove one inner clause (between commas) without marking it."""
    parts = re.split(r"(?<=，)", s)
    if len(parts) < 3:
        return None
    k = rng.randrange(1, len(parts) - 1)
    return "".join(parts[:k] + parts[k + 1:])


_SWAPS = [("而", ""), ("的", "之"), ("要", "应"), ("不断", "持续"), ("加强", "强化"), ("推动", "推进"),
          ("坚持", "坚守"), ("共同", "一同"), ("发展", "发达"), ("合作", "协作")]


def _change_char(s: str, rng: random.Random) -> str | None:
    """One small wording change: a character replaced, inserted or removed."""
    choices = [(a, b) for a, b in _SWAPS if a in s[4:]]
    rng.shuffle(choices)
    for a, b in choices:
        i = s.index(a, 4)
        return s[:i] + b + s[i + len(a):]
    # insert 而 before 为 (以共进为动力 → 以共进而为动力)
    i = s.find("为", 4)
    if i > 0:
        return s[:i] + "而" + s[i:]
    return None


_FAKE_WORDS = ["我们要", "坚定不移地", "推进", "数字化", "治理", "体系", "现代化", "开创", "合作", "新局面",
               "携手", "共建", "美好", "未来", "各方", "应当", "加强", "协调", "持续", "深化", "务实", "交流",
               "繁荣", "稳定", "创新", "活力", "人民", "福祉", "绿色", "转型", "开放", "包容", "安全", "韧性"]


def _fabricated(rng: random.Random) -> str:
    """Text in the register of the corpus that the corpus does not contain."""
    out = []
    for _ in range(rng.randint(2, 3)):
        words = rng.sample(_FAKE_WORDS, rng.randint(6, 9))
        out.append("".join(words))
    return "，".join(out) + "。"


# --------------------------------------------------------------------------------------------
# attributions and layouts

_FW_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")


def _date_cn(iso: str, style: str) -> str:
    y, m, d = (int(x) for x in iso.split("-"))
    if style == "spaced":
        return f"{y} 年 {m} 月 {d} 日"
    s = f"{y}年{m}月{d}日"
    return s.translate(_FW_DIGITS) if style == "fullwidth" else s


def _wrong_date(iso: str, rng: random.Random) -> str:
    d = dt.date.fromisoformat(iso)
    if rng.random() < 0.5:
        years = rng.choice([-3, -2, -1, 1])
        try:
            return d.replace(year=d.year + years).isoformat()
        except ValueError:
            return d.replace(year=d.year + years, day=28).isoformat()
    months = rng.choice([-7, -5, -4, 3, 4, 6])
    m0 = d.month - 1 + months
    y, m = d.year + m0 // 12, m0 % 12 + 1
    return dt.date(y, m, min(d.day, 28)).isoformat()


def _attribution(date: str, occasion: str, date_style: str, rng: random.Random) -> str:
    speaker = rng.choice(["习近平", "习近平", "习近平总书记", "习近平主席"])
    return f"{_date_cn(date, date_style)}，{speaker}{occasion}"


@dataclass
class GoldQuote:
    doc: str
    text: str  # as written in the compilation (paragraphs joined by "\n")
    date: str | None  # the date the attribution states
    speaker: str | None
    status: str  # verified | variant | misattributed | not_found
    edit: str
    layout: str
    source_url: str | None = None
    source_title: str | None = None
    source_date: str | None = None
    source_paragraph: int | None = None  # index into the speech's body paragraphs
    source_text: str | None = None  # the source paragraph(s), "\n"-joined


@dataclass
class _Block:
    paragraphs: list[str]  # the quotation as written, one or more paragraphs
    attribution: str
    gold: GoldQuote
    year: str = ""
    misplace_at: int | None = None  # split the last paragraph here and put the attribution inside
    extra: list[str] = field(default_factory=list)


_TOPICS = ["全球发展", "开放合作", "人类命运共同体", "文明交流互鉴", "高质量发展", "国家治理", "绿色发展",
           "科技创新", "民生福祉", "全球治理"]
_EDITS = ["exact", "exact", "abridged", "dropped_clause", "changed_char", "halfwidth", "two_paragraphs",
          "multi_paragraph", "wrong_date", "fabricated"]


def _make_quote(speeches: list[Speech], used: set[tuple[int, int]], rng: random.Random,
                edit: str) -> tuple[list[str], GoldQuote] | None:
    """One quotation (its paragraphs as written) and what is expected of it."""
    if edit == "fabricated":
        text = _fabricated(rng)
        speech = rng.choice(speeches)
        return [text], GoldQuote("", text, speech.date, "习近平", "not_found", edit, "",
                                 source_title=None)
    for _ in range(50):
        si = rng.randrange(len(speeches))
        sp = speeches[si]
        pi = rng.randrange(len(sp.paragraphs) - 1)
        if (si, pi) in used or (si, pi + 1) in used:
            continue
        para = sp.paragraphs[pi]
        all_sents = _sentences(para)
        sents = [s for s in all_sents if _usable(s)]
        if not sents:
            continue
        status = "verified"
        src_text = para
        paras_out: list[str]
        if edit in ("exact", "wrong_date"):
            k = rng.randrange(len(all_sents))
            run = [s for s in all_sents[k:k + rng.randint(1, 2)]]  # consecutive sentences
            if not all(_usable(s) for s in run):
                continue
            paras_out = ["".join(run)]
        elif edit == "abridged":
            all_s = _sentences(para)
            if len(all_s) < 3:
                continue
            a = rng.randrange(0, len(all_s) - 2)
            b = rng.randrange(a + 2, len(all_s))
            first, last = all_s[a], all_s[b]
            paras_out = [first.rstrip("。！？") + "……" + last]
        elif edit == "dropped_clause":
            cand = [s for s in sents if _drop_clause(s, rng)]
            if not cand:
                continue
            d = _drop_clause(rng.choice(cand), rng)
            assert d is not None
            paras_out = [d]
            status = "variant"
        elif edit == "changed_char":
            s0 = rng.choice(sents)
            c = _change_char(s0, rng)
            if c is None or c == s0:
                continue
            paras_out = [c]
            status = "variant"
        elif edit == "halfwidth":
            paras_out = [_halfwidth_punct(rng.choice(sents))]
        elif edit == "two_paragraphs":
            nxt = sp.paragraphs[pi + 1]
            tail = _sentences(para)[-1:]
            head = [s for s in _sentences(nxt)[:1] if _usable(s)]
            if not tail or not head or not _usable(tail[0]):
                continue
            paras_out = [tail[0] + head[0]]  # run together into one paragraph
            src_text = para + "\n" + nxt
            used.add((si, pi + 1))
        elif edit == "multi_paragraph":
            nxt = sp.paragraphs[pi + 1]
            if len(para) > 220 or len(nxt) > 220 or not _usable(nxt[-40:]):
                continue
            paras_out = [para, nxt]
            src_text = para + "\n" + nxt
            used.add((si, pi + 1))
        else:
            raise ValueError(edit)
        used.add((si, pi))
        date = sp.date
        if edit == "wrong_date":
            date = _wrong_date(sp.date, rng)
            status = "misattributed"
        gold = GoldQuote("", "\n".join(paras_out), date, "习近平", status, edit, "", sp.url, sp.title, sp.date,
                         pi, src_text)
        return paras_out, gold
    return None


_CAPTION_PLACES = ["北京", "人民大会堂", "钓鱼台国宾馆"]


def _caption(sp: Speech, rng: random.Random) -> str:
    """A photo caption that starts like an attribution."""
    return (f"{_date_cn(sp.date, rng.choice(['plain', 'spaced']))}，习近平在{rng.choice(_CAPTION_PLACES)}"
            f"出席活动并发表重要讲话。新华社记者 {rng.choice(['李学', '王晔', '张铎', '谢环'])} 摄")


def _render(blocks: list[_Block], layout: dict[str, Any], title: str, intro: str | None,
            captions: list[str]) -> tuple[str, list[GoldQuote]]:
    """The compilation as text (blank-line paragraphs) and its gold quotations, in order."""
    out: list[str] = [title]
    if intro:
        out.append(intro)
    headings = layout["headings"]
    style = layout["style"]
    last_year = ""
    golds: list[GoldQuote] = []
    for bi, b in enumerate(blocks):
        if headings == "year" and b.year != last_year:
            out.append(b.year)
            last_year = b.year
        elif headings == "section" and bi % 3 == 0:
            out.append(_TOPICS[(bi // 3 + len(title)) % len(_TOPICS)])
            if captions and bi // 3 < len(captions):
                out.insert(len(out) - 1, captions[bi // 3])
        paras = list(b.paragraphs)
        if style == "bracket_inline":
            paras[-1] = paras[-1] + f"（{b.attribution}）"
            out.extend(paras)
        elif style == "bracket_line":
            out.extend(paras)
            out.append(f"（{b.attribution}）")
        elif style == "dash_before":  # the attribution heads its quotation
            out.append("——" + b.attribution)
            out.extend(paras)
        else:
            dash = "—— " if style == "dash_spaced" else "——"
            if b.misplace_at is not None:
                last = paras[-1]
                out.extend(paras[:-1])
                out.append(last[: b.misplace_at])
                out.append(dash + b.attribution)
                out.append(last[b.misplace_at:])
            else:
                out.extend(paras)
                out.append(dash + b.attribution)
        golds.append(b.gold)
    return "\n\n".join(out) + "\n", golds


def generate(corpus: Path, out_dir: Path, *, seed: int = SEED, n_docs: int = 24,
             quotes_per_doc: tuple[int, int] = (5, 10)) -> list[dict[str, Any]]:
    """Write ``n_docs`` compilations and ``expected.json`` into ``out_dir``; return the expectations."""
    rng = random.Random(seed)
    speeches = load_corpus(corpus)
    if len(speeches) < 10:
        raise ValueError(f"{corpus}: too few usable speeches ({len(speeches)})")
    out_dir.mkdir(parents=True, exist_ok=True)
    used: set[tuple[int, int]] = set()
    expected: list[dict[str, Any]] = []
    styles = ["dash", "dash", "dash_spaced", "bracket_inline", "bracket_line", "dash_before"]
    for d in range(n_docs):
        doc = f"gold_{d:03d}.txt"
        layout = {
            "style": styles[d % len(styles)],
            "headings": rng.choice(["year", "year", "section", "none"]),
            "date_style": rng.choice(["plain", "plain", "spaced", "fullwidth"]),
            "intro": rng.random() < 0.7,
            "captions": rng.random() < 0.4,
        }
        if layout["style"] == "dash_spaced":
            layout["date_style"] = "spaced"
        n = rng.randint(*quotes_per_doc)
        blocks: list[_Block] = []
        for _ in range(n):
            edit = rng.choice(_EDITS)
            made = _make_quote(speeches, used, rng, edit)
            if made is None:
                continue
            paras, gold = made
            gold.doc = doc
            gold.layout = f"{layout['style']}/{layout['headings']}/{layout['date_style']}"
            occasion = next((s.occasion for s in speeches if s.url == gold.source_url), None) or \
                rng.choice(speeches).occasion
            assert gold.date is not None
            attribution = _attribution(gold.date, occasion, str(layout["date_style"]), rng)
            gold.speaker = "习近平"
            blocks.append(_Block(paras, attribution, gold, year=gold.date[:4]))
        if not blocks:
            continue
        if layout["headings"] == "year":
            blocks.sort(key=lambda b: b.year)
        # one attribution misplaced inside its quotation (seed 002), in a dash layout with year
        # headings, when the quotation is long enough to be cut mid-sentence
        if layout["style"] in ("dash", "dash_spaced") and layout["headings"] == "year" and rng.random() < 0.6:
            for b in blocks:
                last = b.paragraphs[-1]
                if len(last) >= 40 and b.gold.edit != "fabricated":
                    cut = rng.randrange(len(last) // 3, 2 * len(last) // 3)
                    while cut < len(last) - 10 and not ("\u4e00" <= last[cut - 1] <= "\u9fff"
                                                      and "\u4e00" <= last[cut] <= "\u9fff"):
                        cut += 1
                    if cut < len(last) - 10:
                        b.misplace_at = cut
                        b.gold.layout += "/misplaced"
                        break
        topic = rng.choice(_TOPICS)
        title = f"习近平关于{topic}的重要论述摘编"
        intro = (f"本报讯 党的十八大以来，习近平总书记围绕{topic}发表了一系列重要论述。"
                 f"本报梳理了其中部分内容，与您一同学习。") if layout["intro"] else None
        captions = [_caption(rng.choice(speeches), rng) for _ in range(2)] if layout["captions"] else []
        text, golds = _render(blocks, layout, title, intro, captions)
        (out_dir / doc).write_text(text, encoding="utf-8")
        expected.extend(asdict(g) for g in golds)
    (out_dir / "expected.json").write_text(json.dumps(expected, ensure_ascii=False, indent=1), encoding="utf-8")
    return expected


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path,
                    default=Path(__file__).resolve().parents[3] / "shared/corpora/xinhua-xi-speeches-2022-2025.json")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--docs", type=int, default=24)
    args = ap.parse_args()
    exp = generate(args.corpus, args.out, seed=args.seed, n_docs=args.docs)
    by_status: dict[str, int] = {}
    for e in exp:
        by_status[e["status"]] = by_status.get(e["status"], 0) + 1
    print(f"{len(exp)} quotations in {args.out}: {by_status}")


if __name__ == "__main__":
    main()
