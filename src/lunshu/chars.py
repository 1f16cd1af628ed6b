"""Character rules every stage shares, written once: full-width forms to ASCII, Chinese numerals.

The cleaner (:func:`lunshu.clean.to_halfwidth`), the date grammar (:mod:`lunshu.dates`), quotation
attributions (:mod:`lunshu.quotes`), the search index's folding (:mod:`lunshu.index`), event facts
(:mod:`lunshu.facts`) and books (:mod:`lunshu.book`) read these tables and functions, so ``１２``,
``Ｘｉ`` and ``二十一`` mean the same thing to each of them.
"""

from __future__ import annotations

# full-width digits and Latin letters → ASCII, one character for one (offsets survive)
FULLWIDTH_ALNUM: dict[int, int] = {0xFF10 + i: 0x30 + i for i in range(10)}
FULLWIDTH_ALNUM.update({0xFF21 + i: 0x41 + i for i in range(26)})
FULLWIDTH_ALNUM.update({0xFF41 + i: 0x61 + i for i in range(26)})
# the full-width digits alone (dates read only digits)
FULLWIDTH_DIGITS = str.maketrans({c: h for c, h in FULLWIDTH_ALNUM.items() if 0x30 <= h <= 0x39})

# Chinese digits (and what stands for 〇 in print: ○, a full-width or Latin O)
CN_DIGIT = {"〇": 0, "零": 0, "○": 0, "Ｏ": 0, "O": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5,
            "六": 6, "七": 7, "八": 8, "九": 9}


def cn_int(s: str) -> int | None:
    """An Arabic or small Chinese number: ``12``, ``１２``, ``三``, ``十二``, ``二十一``, ``三十``, ``两``;
    None for anything else."""
    s = s.translate(FULLWIDTH_DIGITS).strip()
    if s.isdigit():
        return int(s)
    if not s:
        return None
    if "十" in s:
        head, _, tail = s.partition("十")
        if (head and head not in CN_DIGIT) or (tail and tail not in CN_DIGIT):
            return None
        return (CN_DIGIT[head] if head else 1) * 10 + (CN_DIGIT[tail] if tail else 0)
    if len(s) == 1 and s in CN_DIGIT:
        return CN_DIGIT[s]
    if s == "两":
        return 2
    return None


def cn_year(s: str) -> int | None:
    """A year written digit by digit: ``2015``, ``２０１５``, ``二〇一五``, ``一九五四``; None otherwise."""
    s = s.translate(FULLWIDTH_DIGITS)
    if s.isdigit():
        return int(s)
    digits = [CN_DIGIT.get(c) for c in s]
    if not digits or any(d is None for d in digits):
        return None
    return int("".join(str(d) for d in digits))


def cn_numeral(n: int) -> str:
    """0..99 in Chinese numerals as ordinals write them: 第二十次, 第十一卷, 第三卷."""
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return (digits[tens] if tens > 1 else "") + "十" + (digits[ones] if ones else "")
