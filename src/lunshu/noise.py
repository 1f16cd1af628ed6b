"""Noise that real pages put inside sentences, taken out of the searchable text.

Content farms and reposts insert things between the characters of an article that no phrase
search should have to step over. :func:`strip_noise` removes, from one paragraph:

- ``pinyin``: romanisation inserted after a character — ``中(zhong)国``, ``年（nián）``,
  ``中国(zhong guo)`` — only when every word inside the brackets is a pinyin syllable
  of two letters or more (``世界卫生组织(WHO)``, ``(a)`` and ``(gdp)`` stay);
- ``emoji``: pictographs and their modifiers (``中🇨🇳国``, ``👍``) — not the symbols Chinese text
  uses as marks or enumerators (``★``, ``●``, ``❶``, ``①``);
- ``paywall``: stubs that stand for text not shown — ``（剩余1448字）``, ``(还剩 230 字)``;
- ``punctuation``: a mark doubled by a bad paste — ``。。``, ``，，`` (not ``……`` or ``——``).

Photo credits (``新华社记者 X 摄``, ``中新社记者 X 摄``) are captions and stay with the cleaner's
caption rule. Each removal is returned with its rule, so the cleaner records it (``Cleaned.removed``)
and the original stays in the document's ``raw``. The function is idempotent and removes no Han
character other than those of a paywall stub (tests/test_noise.py).
"""

from __future__ import annotations

import re

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"

# a pinyin syllable, tone marks folded first (with tone digits 1-5 allowed at the end)
_SYLLABLE = re.compile(
    r"(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
    r"(?:iang|iong|uang|ueng|ang|eng|ing|ong|ian|iao|uai|uan|van|üan|ai|ei|ui|ao|ou|iu|ie|ue|üe|ve|er|"
    r"an|en|in|un|ün|vn|ia|ua|uo|a|o|e|i|u|ü|v)[1-5]?"
)
_TONES = str.maketrans("āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ", "aaaaeeeeiiiioooouuuuüüüünnnm")
_PINYIN_ALPHABET = "a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ"
_BRACKETED = re.compile(rf"(?<=[{_HAN}])[(（]\s*([{_PINYIN_ALPHABET}1-5]{{1,7}}(?:\s+[{_PINYIN_ALPHABET}1-5]{{1,7}}){{0,3}})\s*[)）]")

_EMOJI = re.compile(
    "[\U0001F000-\U0001F0FF\U0001F170-\U0001F251\U0001F300-\U0001FAFF\U0001F1E6-\U0001F1FF"
    "\u2600-\u2604\u2607-\u2611\u2613-\u263f\u2641\u2643-\u26ff\u2700-\u2712\u2716-\u2775\u2794-\u27bf"
    "\u2b05-\u2b07\u2b1b\u2b1c\u2b50\u2b55\u231a\u231b\u23e9-\u23f3\u23f8-\u23fa\ufe0f\u20e3\U000E0020-\U000E007F]"
)
_PAYWALL = re.compile(r"[（(【\[]\s*(?:剩余|还剩|余下|未显示)\s*[0-9,，]{1,7}\s*(?:个)?字\s*[）)】\]]")
_DOUBLED = re.compile(r"([。，、；：！？,;])\1+")


def _is_pinyin(words: str) -> bool:
    return all(len(w) >= 2 and _SYLLABLE.fullmatch(w.translate(_TONES)) for w in words.split())


def strip_noise(p: str) -> tuple[str, list[tuple[str, str]]]:
    """``p`` without inserted pinyin, emoji, paywall stubs and doubled punctuation, and what went
    (``[(rule, text)]``). Repeated until nothing changes, so removing one piece of noise never
    leaves another behind (``，😀，`` → ``，，`` → ``，``)."""
    removed: list[tuple[str, str]] = []
    for _ in range(8):  # each pass shortens the text; real text settles in one or two
        before = p
        if _EMOJI.search(p):
            removed.extend(("emoji", m.group(0)) for m in _EMOJI.finditer(p))
            p = _EMOJI.sub("", p)
        if "(" in p or "（" in p:
            p = _BRACKETED.sub(lambda m: _pinyin(m, removed), p)
            if _PAYWALL.search(p):
                removed.extend(("paywall", m.group(0)) for m in _PAYWALL.finditer(p))
                p = _PAYWALL.sub("", p)
        if _DOUBLED.search(p):
            removed.extend(("punctuation", m.group(0)[1:]) for m in _DOUBLED.finditer(p))
            p = _DOUBLED.sub(r"\1", p)
        if p == before:
            break
    return p, removed


def _pinyin(m: re.Match[str], removed: list[tuple[str, str]]) -> str:
    if not _is_pinyin(m.group(1).lower()) or m.group(1) != m.group(1).lower():
        return m.group(0)
    removed.append(("pinyin", m.group(0)))
    return ""


__all__ = ["strip_noise"]
