"""The batched aligner (lunshu.align.align_many): the same alignments as one passage at a time.

Why a separate file: ``align_many`` puts several passages side by side in one dynamic programme
(separator columns, per-passage offsets); these tests check that nothing leaks between passages,
against a plain transcription of the recurrence and against ``align`` itself.
"""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from lunshu import align as A
from lunshu.align import Alignment, align, align_many

NEG = -(1 << 28)


def _reference_h(q: str, s: str, free_rows: set[int]) -> list[list[int]]:
    """H of the local alignment, straight from its definition (tiny inputs only).

    E (source text skipped): from any earlier column of the row, cost open + ext*min(gap - 1, cap),
    nothing behind an ellipsis; F (quotation text unmatched): from any earlier row, linear cost.
    """
    n, m = len(q), len(s)
    H = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            sub = A._MATCH if q[i - 1] == s[j - 1] else A._MISMATCH
            best = max(0, H[i - 1][j - 1] + sub)
            for k in range(j):
                cost = 0 if i in free_rows else A._GAP_OPEN + A._GAP_EXT * min(j - 1 - k, A._GAP_CAP)
                best = max(best, H[i][k] - cost)
            for k in range(i):
                best = max(best, H[k][j] - A._GAP_OPEN - A._GAP_EXT * (i - 1 - k))
            H[i][j] = best
    return H


_ALPHABET = "网络空间命运共同体发展"  # few letters: many matches, long and capped gaps


@settings(max_examples=60, deadline=None)
@given(q=st.text(_ALPHABET, min_size=1, max_size=12),
       segs=st.lists(st.text(_ALPHABET, min_size=0, max_size=45), min_size=1, max_size=4),
       free=st.sets(st.integers(1, 11), max_size=2))
def test_each_passage_of_a_batch_is_its_own_matrix(q: str, segs: list[str], free: set[int]) -> None:
    H, starts = A._dp_batch(q, segs, free)
    for s, c0 in zip(segs, starts, strict=True):
        view = H[:, c0:c0 + len(s) + 1]
        assert view.tolist() == _reference_h(q, s, free)


def test_gaps_longer_than_the_cap_cost_the_cap() -> None:
    # 60 skipped source characters cost open + ext * cap, not open + ext * 59
    a, b = "共同构建网络空间命运共同体", "加快全球网络基础设施建设"
    q, s = a + b, a + "的" * 60 + b
    assert A._MATCH * min(len(a), len(b)) > A._GAP_OPEN + A._GAP_EXT * A._GAP_CAP  # bridging the gap pays
    H, starts = A._dp_batch(q, [s, s], set())
    best = int(np.max(H[:, starts[1]:]))
    assert best == A._MATCH * len(q) - A._GAP_OPEN - A._GAP_EXT * A._GAP_CAP
    assert best == int(np.max(H[:, : starts[1]]))  # and the same in the first passage of the batch


def _same(a: Alignment, b: Alignment) -> bool:
    return a.to_dict() == b.to_dict()


SOURCE = ("各国应该加强沟通、扩大共识、深化合作，共同构建网络空间命运共同体。对此，我愿提出几点主张。"
          "第一，加快全球网络基础设施建设，促进互联互通。第二，打造网上文化交流共享平台，促进交流互鉴。")


@st.composite
def _quote_and_passages(draw: st.DrawFn) -> tuple[str, list[str]]:
    a = draw(st.integers(0, len(SOURCE) - 10))
    b = draw(st.integers(a + 6, min(len(SOURCE), a + 60)))
    quote = SOURCE[a:b]
    edit = draw(st.sampled_from(["none", "change", "drop", "ellipsis", "halfwidth"]))
    if edit == "change":
        k = draw(st.integers(0, len(quote) - 1))
        quote = quote[:k] + "改" + quote[k + 1:]
    elif edit == "drop" and len(quote) > 12:
        k = draw(st.integers(3, len(quote) - 6))
        quote = quote[:k] + quote[k + 4:]
    elif edit == "ellipsis" and len(quote) > 12:
        k = draw(st.integers(3, len(quote) - 6))
        quote = quote[:k] + "……" + quote[k + 3:]
    elif edit == "halfwidth":
        quote = quote.replace("，", ",").replace("。", ".")
    cuts = sorted(draw(st.lists(st.integers(0, len(SOURCE)), min_size=2, max_size=8)))
    passages = [SOURCE[x:y] for x, y in itertools.pairwise(cuts)] + [SOURCE, ""]
    return quote, passages


@settings(max_examples=80, deadline=None)
@given(_quote_and_passages())
def test_align_many_is_align_for_each(case: tuple[str, list[str]]) -> None:
    quote, passages = case
    many = align_many(quote, passages)
    assert len(many) == len(passages)
    for p, got in zip(passages, many, strict=True):
        assert _same(got, align(quote, p))


def test_more_passages_than_one_batch_holds() -> None:
    quote = "加快全球网络基础设施建设，促进互通。"  # a dropped character: the dynamic programme
    passages = [SOURCE[k:k + 70] for k in range(len(SOURCE) - 70)] * 4
    assert len(passages) > A._MAX_BATCH
    many = align_many(quote, passages)
    for p, got in zip(passages, many, strict=True):
        assert _same(got, align(quote, p))
    assert max(a.score for a in many) > 0.9


def test_precomputed_contents_give_the_same_result() -> None:
    quote = "各国应该加强沟通……共同构建网络空间命运共同体。"
    passages = [SOURCE, SOURCE[10:]]
    contents = [A.content_chars(p) for p in passages]
    assert [a.to_dict() for a in align_many(quote, passages, contents)] == \
        [a.to_dict() for a in align_many(quote, passages)]
