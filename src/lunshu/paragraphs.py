"""Paragraphs for run-on text: where a reader would put the breaks a scraper lost.

Many real texts arrive with every paragraph mark gone: a CSV export of a speech database, a
scraped page flattened to one string. :func:`infer_paragraphs` cuts such a text into paragraphs
without changing one character — ``"".join(infer_paragraphs(t)) == t`` always holds.

Every sentence end (``。！？`` with any closing quote; a salutation's ``：``) outside quotation
marks, ``《》`` and brackets is a candidate break — a sentence end inside them is never a paragraph
end. Each candidate is scored by a small learned model (:data:`_MODEL`, a logistic regression
stored in ``data/paragraph_model.json``, trained by ``tests/gold/train_paragraphs.py`` on the
authors' own paragraphs of real speeches and pages, evaluated on held-out later documents) over the
signals a reader follows (:func:`boundary_features`): a salutation before or after (``同志们：``,
``女士们，先生们，朋友们：``, ``尊敬的…，各位同事：``), an enumerator (``一、`` ``（一）`` ``第一，``
``一是`` ``首先，`` ``——``), a closing (``谢谢大家！``), a heading, a sentence announcing a list, the
words that open the next sentence (``当前，`` ``今天，`` ``不久前，`` a year, ``习近平强调，``,
``会议指出，``) and close the one before, the sentences' lengths and the words both sides share.
The paragraphs are the best-scoring segmentation (dynamic programming over the candidates) under a
length prior around :data:`TARGET_CHARS`; none is longer than :data:`MAX_CHARS` characters unless
one sentence alone is. A toast (``我提议：为…，为…，干杯！``) is set one line per ``为…``.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

from lunshu.facts import HAN, KNOWN_RE

# sizes (characters): paragraphs of speeches are mostly 50–300 characters; none inferred is longer
# than MAX_CHARS unless a single sentence is (the size a paragraph is drawn to, TARGET_CHARS, is the
# model's: see below)
MAX_CHARS = 500

# a text is run-on when one of its paragraphs is longer than this (real paragraphs of speeches,
# reports and articles rarely reach 1,000 characters; the Xinhua corpus's longest is 1,032)
RUN_ON_CHARS = 1200
RUN_ON_MEAN = 400
SHORT_CHARS = 300

_OPEN = "“‘「『《（(〈【"
_CLOSE = "”’」』》）)〉】"
_PAIR = dict(zip(_OPEN, _CLOSE))
_END = "。！？!?"
_TRAIL = "”’」』）)"

# vocative words of a salutation
_VOCATIVE = re.compile(
    r"^(?:尊敬的|亲爱的|各位|全体|在座的|全国)?[^。！？：:，,、]{0,30}?"
    r"(?:同志们|朋友们|女士们|先生们|同胞们|同学们|青年们|将士们|代表们|来宾们|嘉宾们|老师们|孩子们|小朋友们|"
    r"同事们|大家好|各位[^。！？：:，,、]{0,12}|同事|朋友|来宾|嘉宾|代表|院士|同志|先生|女士|总统|总理|主席|国王|陛下|"
    r"秘书长|首相|阁下|行政长官)$"
)
_SALUTATION_START = re.compile(r"^(?:尊敬的|亲爱的|各位|女士们|先生们|同志们|朋友们|同胞们|全国同胞|总统先生|主席先生|"
                               r"首相先生|行政长官|全体|在座的)")
# enumerators opening a paragraph
_ENUMERATOR = re.compile(
    r"^(?:[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十0-9]{1,3}[）)]|[0-9]{1,2}[.、．]|"
    r"第[一二三四五六七八九十]{1,3}[，,、是]|首先[，,]|其次[，,]|再次[，,]|最后[，,]|——)"
)
# enumerators that run inside a paragraph as often as they open one (一是…二是…)
_SOFT_ENUMERATOR = re.compile(r"^[一二三四五六七八九十]{1,2}(?:是|要|方面)")
# closings that stand as a paragraph of their own
_CLOSING = re.compile(r"^(?:谢谢大家|谢谢各位|谢谢|最后，?我提议|现在，?我提议|干杯)")
# words that open paragraphs of speeches and articles more often than they open sentences inside
# one: time adverbials, a year, turns of the argument
_OPENER = re.compile(
    r"^(?:当前|当今|今天|今年|明年|去年|现在|目前|这次|此次|本次|近年来|多年来|长期以来|新时代|新征程|"
    r"[0-9]{2,4}年(?:前|来|后|，|是|以来)|[0-9一二三四五六七八九十]+年(?:前|来|后|以来)|"
    r"(?:19|20)[0-9]{2}年|回顾|展望|历史|实践|总之|总而言之|综上|同时，|此外，|另外，|与此同时|为此，|因此，|"
    r"大家好|很高兴|我谨|首先，|在此，|借此机会|我们要|我们必须|我们将|我们愿|中方愿|中方将|中国愿|中国将|"
    r"希望|相信|让我们|面对|面向|当下|眼下|随后|会议(?:指出|强调|认为|要求|审议|听取)|会上|[0-9]{1,2}月[0-9]{1,2}日)"
)
# a news report turns to what a named person said: "习近平强调，…", "中共中央总书记…习近平指出，…"
_REPORTED = re.compile(
    rf"^(?:[{HAN}、]{{0,30}}?(?:总书记|主席|总理|委员长))?(?:{KNOWN_RE})(?:同志|主席|总书记|总理)?"
    r"(?:[^，。]{0,30}?)(?:指出|强调|表示|要求|说|提出|希望|宣布|主持|出席)"
)


# an attribution in brackets right after a sentence: it belongs to that sentence
_ATTRIBUTION_AFTER = re.compile(r"\s*[（(][^（()）。]{0,12}[0-9一二三四五六七八九〇零]{4}\s*年[^（()）]{0,70}[）)]")


@dataclass
class _Unit:
    start: int
    end: int  # the text[start:end] is one sentence (or a salutation, or a heading-like piece)


def _units(text: str) -> list[_Unit]:
    """Sentences at depth zero: ends at ``。！？`` (plus closing quotes), at a salutation's ``：``."""
    units: list[_Unit] = []
    stack: list[str] = []
    start = 0
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch in _PAIR and not (ch in "(（" and stack and stack[-1] in "”’」』"):
            stack.append(_PAIR[ch])
        elif stack and ch == stack[-1]:
            stack.pop()
        elif ch in _CLOSE and ch in stack:  # a closing that skips an unclosed inner opening
            while stack and stack.pop() != ch:
                pass
        if len(stack) > 8:  # unbalanced quoting: stop trusting depth
            stack.clear()
        cut = None
        if not stack and ch in _END:
            j = i + 1
            while j < n and (text[j] in _END or text[j] in "…"):
                j += 1
            while j < n and text[j] in _TRAIL:
                j += 1
            cut = j
        elif not stack and ch in "：:" and (_is_salutation(text[start:i + 1]) or text.endswith("如下", start, i)):
            cut = i + 1
        elif stack and ch in _END and i + 1 < n and text[i + 1] in _CLOSE:
            # a quotation that closes the sentence: “……。” counts at the closing mark
            j = i + 1
            depth_closes = 0
            while j < n and depth_closes < len(stack) and text[j] == stack[-1 - depth_closes]:
                depth_closes += 1
                j += 1
            if depth_closes == len(stack):
                stack.clear()
                while j < n and text[j] in _TRAIL:
                    j += 1
                cut = j
        if cut is not None:
            m = _ATTRIBUTION_AFTER.match(text, cut)
            if m:  # "…。（2017年10月25日在…上的讲话）": the attribution closes the quotation before it
                cut = m.end()
            while cut < n and text[cut] in " \t\u3000\u2003":
                cut += 1
            units.append(_Unit(start, cut))
            start = cut
            i = cut
            continue
        i += 1
    if start < n:
        units.append(_Unit(start, n))
    out: list[_Unit] = []
    for u in units:
        out.extend(_toast_lines(text, u))
    return out


_TOAST = re.compile(r"(?:提议|举杯)[^。！？]{0,12}?[：:，,](?=为)|[，,](?=为|干杯)")


def _toast_lines(text: str, u: _Unit) -> list[_Unit]:
    """A toast (``现在，我提议：为…，为…，干杯！``) is set one line per ``为…``: its own lines."""
    s = text[u.start:u.end]
    if "干杯" not in s[-6:] or not re.search(r"提议|举杯", s):
        return [u]
    first = re.search(r"(?:提议|举杯)", s)
    assert first is not None
    cuts = [m.end() for m in _TOAST.finditer(s, first.start())]
    bounds = [0] + cuts + [len(s)]
    return [_Unit(u.start + a, u.start + b) for a, b in itertools.pairwise(bounds) if b > a]


def _is_salutation(s: str) -> bool:
    s = s.strip()
    if not s or len(s) > 160 or s[-1] not in "：:！!，,":
        return False
    body = s[:-1]
    if "。" in body or "？" in body:
        return False
    parts = [p for p in re.split(r"[，,、；;]", body) if p]
    return bool(parts) and all(_VOCATIVE.match(p.strip()) for p in parts) and bool(
        _SALUTATION_START.match(body) or re.search(r"们$|好$|同事$|来宾$|朋友$|代表$", body))


_HAN2 = re.compile(r"[\u4e00-\u9fff]{2}")
_STOP2 = frozenset(["我们", "中国", "发展", "人民", "合作", "国家", "世界", "各国", "建设", "共同", "推动", "坚持"])
_DIGITS = str.maketrans("0123456789０１２３４５６７８９", "0000000000" * 2)
_PUNCT_END = "。！？!?…”’」』）)：:；;，,、 \t\u3000\u2003"
_CLAUSE = re.compile(r"[，,：:、；;。！？!?]")
_LIST_INTRO = re.compile(r"(?:[0-9一二三四五六七八九十几]+点|以下|如下|这样几|几个方面)[^。！？]{0,12}[。：:]$")
_MODEL_PATH = Path(__file__).with_name("data") / "paragraph_model.json"


def _bigrams(s: str) -> set[str]:
    return {s[i:i + 2] for i in range(len(s) - 1) if _HAN2.fullmatch(s[i:i + 2])} - _STOP2


def _bin(x: float, edges: tuple[float, ...]) -> int:
    return sum(x >= e for e in edges)


def _cosine(a: set[str], b: set[str]) -> float:
    return len(a & b) / math.sqrt(len(a) * len(b)) if a and b else 0.0


def boundary_features(pieces: list[str], grams: list[set[str]], i: int) -> list[str]:
    """The evidence for a paragraph break before ``pieces[i]`` (``0 < i < len(pieces)``), as
    feature names; the scorer adds their weights (:data:`_MODEL`). Each feature is a signal a reader
    uses: a salutation, an enumerator, a closing, a heading, the words that open the next sentence
    and close the one before, the sentences' lengths, the words the two sides share."""
    prev = pieces[i - 1].strip()
    nxt = pieces[i].strip()
    k = len(pieces)
    f: list[str] = []
    if not prev or not nxt:
        return ["empty"]
    flags = {
        "sal_prev": _is_salutation(prev), "sal_next": _is_salutation(nxt),
        "enum_next": bool(_ENUMERATOR.match(nxt)), "enum_prev": bool(_ENUMERATOR.match(prev)),
        "soft_enum_next": bool(_SOFT_ENUMERATOR.match(nxt)), "soft_enum_prev": bool(_SOFT_ENUMERATOR.match(prev)),
        "closing_next": bool(_CLOSING.match(nxt)), "opener_next": bool(_OPENER.match(nxt)),
        "reported_next": bool(_REPORTED.match(nxt)),
        "heading_prev": len(prev) <= 40 and prev[-1] not in "。！？!?…”’）)：:；;，,",
        "colon_prev": prev[-1] in "：:", "exclaim_prev": prev[-1] in "！!", "question_prev": prev[-1] in "？?",
        "quote_prev": prev[-1] in "”’」』", "quote_next": nxt[0] in "“‘「『", "bracket_next": nxt[0] in "（(",
        "bracket_prev": prev[-1] in "）)", "toast_next": prev[-1] in "，," and nxt.startswith(("为", "干杯")),
        "same_start": nxt[:2] == prev[:2], "first": i == 1, "last": i == k - 1,
        "parallel_next": i + 1 < k and nxt[:2] == pieces[i + 1].strip()[:2],
    }
    f.extend(name for name, on in flags.items() if on)
    if flags["enum_next"] and flags["enum_prev"]:
        f.append("enum_both")
    if i + 1 < k and _ENUMERATOR.match(pieces[i + 1].strip()):
        f.append("enum_after_next")  # a sentence that announces a list ("我提3点建议。") opens a paragraph
    if i >= 2 and _ENUMERATOR.match(pieces[i - 2].strip()):
        f.append("enum_before_prev")
    if _LIST_INTRO.search(prev):
        f.append("list_intro_prev")
    intro = _CLAUSE.search(nxt, 0, 12)
    if intro and nxt[intro.start():intro.end()] in "，,":
        f.append(f"intro{_bin(intro.start(), (3, 5, 8))}")  # a short clause before the first comma
        f.append("introend:" + nxt[intro.start() - 1])
    if "我们" in nxt[:6] or "我" == nxt[:1]:
        f.append("we_next")
    f.append("ne:" + nxt[-1])
    head = nxt.translate(_DIGITS)
    f.append("n1:" + head[:1])
    f.append("n2:" + head[:2])
    f.append("n3:" + head[:3])
    m = _CLAUSE.search(head, 0, 9)
    if m and m.start() >= 1:
        f.append("nc:" + head[:m.end()])
    tail = prev.translate(_DIGITS)
    f.append("pe:" + tail[-1])
    core = tail.rstrip(_PUNCT_END)
    if core:
        f.append("p2:" + core[-2:])
    f.append(f"lp{_bin(len(prev), (15, 40, 80, 150, 300))}")
    f.append(f"ln{_bin(len(nxt), (15, 40, 80, 150, 300))}")
    f.append(f"c1_{_bin(_cosine(grams[i - 1], grams[i]), (0.01, 0.08, 0.15, 0.25))}")
    left = grams[i - 1] | (grams[i - 2] if i >= 2 else set())
    right = grams[i] | (grams[i + 1] if i + 1 < k else set())
    f.append(f"c2_{_bin(_cosine(left, right), (0.01, 0.06, 0.12, 0.2, 0.3))}")
    return f


@dataclass
class _Model:
    bias: float
    weights: dict[str, float]
    length_weight: float  # what a paragraph pays for its length against target (see _length_cost)
    target: int
    cut_shift: float  # added to every break's log-odds when segmenting (tuned with the length prior)


def _load_model() -> _Model:
    data = json.loads(_MODEL_PATH.read_text(encoding="utf-8"))
    return _Model(bias=data["bias"], weights=data["weights"], length_weight=data["length_weight"],
                  target=data["target"], cut_shift=data["cut_shift"])


_MODEL = _load_model()
TARGET_CHARS = _MODEL.target


def boundary_scores(pieces: list[str], model: _Model | None = None) -> list[float]:
    """The log-odds of a paragraph break before each of ``pieces[1:]``."""
    model = model or _MODEL
    grams = [_bigrams(p) for p in pieces]
    w = model.weights
    return [model.bias + sum(w.get(name, 0.0) for name in boundary_features(pieces, grams, i))
            for i in range(1, len(pieces))]


def _length_cost(n: int, model: _Model) -> float:
    """What a paragraph of ``n`` characters pays: a smooth prior around the model's target size."""
    if n <= 0:
        return 0.0
    x = n / model.target
    return model.length_weight * (x - 1.0 - math.log(x))  # zero at the target, rising on both sides


def infer_paragraphs(text: str, *, max_chars: int = MAX_CHARS, model: _Model | None = None) -> list[str]:
    """The paragraphs of a run-on ``text``; joined they give back ``text`` exactly.

    Every sentence end at depth zero is a candidate break, scored by the learned boundary model
    (:func:`boundary_scores`); the paragraphs chosen are the best-scoring segmentation (dynamic
    programming) under a length prior around the model's target and the hard limit ``max_chars``
    (passed only by a single sentence longer than it)."""
    if not text:
        return []
    model = model or _MODEL
    units = _units(text)
    if len(units) <= 1:
        return [text]
    pieces = [text[u.start:u.end] for u in units]
    k = len(pieces)
    scores = [x + model.cut_shift for x in boundary_scores(pieces, model)]  # cut before piece i: scores[i-1]
    lengths = [len(p) for p in pieces]
    best = [0.0] + [-math.inf] * k
    back = [0] * (k + 1)
    for j in range(1, k + 1):  # best segmentation of pieces[:j]
        total = 0
        for i in range(j - 1, -1, -1):  # last paragraph = pieces[i:j]
            total += lengths[i]
            if total > max_chars and i < j - 1:
                break
            cut = scores[i - 1] if i > 0 else 0.0
            v = best[i] + cut - _length_cost(total, model)
            if v > best[j]:
                best[j] = v
                back[j] = i
    cuts: list[int] = []
    j = k
    while j > 0:
        cuts.append(back[j])
        j = back[j]
    cuts = sorted(set(cuts))
    return ["".join(pieces[a:b]) for a, b in zip(cuts, cuts[1:] + [k], strict=True)]


def is_run_on(paragraphs: list[str]) -> bool:
    """Whether a document's paragraphs look like run-on text: a paragraph over RUN_ON_CHARS; or
    paragraphs of RUN_ON_MEAN characters on average, one over MAX_CHARS (a text cut only where
    captions were); or one paragraph over SHORT_CHARS (a short statement without marks)."""
    if not paragraphs:
        return False
    longest = max(len(p) for p in paragraphs)
    if longest > RUN_ON_CHARS or (len(paragraphs) == 1 and longest > SHORT_CHARS):
        return True
    return longest > MAX_CHARS and sum(len(p) for p in paragraphs) / len(paragraphs) > RUN_ON_MEAN


def split_run_on(paragraphs: list[str]) -> tuple[list[str], bool]:
    """Each over-long paragraph of a run-on document split by :func:`infer_paragraphs`;
    ``(paragraphs, inferred)`` where ``inferred`` says whether anything was split."""
    if not is_run_on(paragraphs):
        return paragraphs, False
    out: list[str] = []
    changed = False
    for p in paragraphs:
        if len(p) > SHORT_CHARS or (len(p) > 40 and _SALUTATION_START.match(p)):
            parts = [x.strip() for x in infer_paragraphs(p)]
            parts = [x for x in parts if x]
            changed = changed or len(parts) > 1
            out.extend(parts)
        else:
            out.append(p)
    return out, changed
