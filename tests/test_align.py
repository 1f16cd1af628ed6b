"""The quotation aligner (lunshu.align)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lunshu.align import Alignment, align, content_chars

SOURCE = (
    "各国应该加强沟通、扩大共识、深化合作，共同构建网络空间命运共同体。对此，我愿提出几点主张。"
    "第一，加快全球网络基础设施建设，促进互联互通。第二，打造网上文化交流共享平台，促进交流互鉴。"
    "各国应该深化务实合作，以共进为动力、以共赢为目标，走出一条互信共治之路。"
)


def _check_invariants(quote: str, source: str, a: Alignment) -> None:
    """The diff is the quotation against source[start:end], piece by piece."""
    assert 0.0 <= a.score <= 1.0
    assert 0 <= a.start <= a.end <= len(source)
    assert "".join(d["quote"] for d in a.diff) == quote
    if a.end > a.start:
        assert "".join(d["source"] for d in a.diff) == source[a.start:a.end]
    assert all(d["op"] in ("equal", "insert", "delete", "replace") for d in a.diff)
    assert all(d["quote"] or d["source"] for d in a.diff)


def _changes(a: Alignment) -> list[tuple[str, str, str]]:
    return [(d["op"], d["quote"], d["source"]) for d in a.diff if d["op"] != "equal"]


def test_exact() -> None:
    q = "第一，加快全球网络基础设施建设，促进互联互通。"
    a = align(q, SOURCE)
    _check_invariants(q, SOURCE, a)
    assert a.score == 1.0 and a.identical
    assert SOURCE[a.start:a.end] == q[:-1]  # the span runs from the first to the last character
    assert _changes(a) == []


def test_abridged_with_ellipsis_is_an_omission_not_an_error() -> None:
    q = "各国应该加强沟通……共同构建网络空间命运共同体。"
    a = align(q, SOURCE)
    _check_invariants(q, SOURCE, a)
    assert a.score == 1.0 and a.identical
    assert _changes(a) == [("delete", "……", "扩大共识、深化合作，")]  # punctuation rides with the piece before


@pytest.mark.parametrize("mark", ["……", "…", "...", "⋯⋯"])
def test_ellipsis_forms(mark: str) -> None:
    q = f"第一，加快全球网络基础设施建设{mark}促进交流互鉴。"
    a = align(q, SOURCE)
    _check_invariants(q, SOURCE, a)
    assert a.identical and a.score == 1.0
    (change,) = _changes(a)
    assert change[0] == "delete" and change[1] == mark and "打造网上文化交流共享平台" in change[2]


def test_abridged_with_a_changed_character_is_not_identical() -> None:
    q = "各国应该加强沟通……共同构建网路空间命运共同体。"
    a = align(q, SOURCE)
    _check_invariants(q, SOURCE, a)
    assert not a.identical
    assert ("replace", "路", "络") in _changes(a)


def test_dropped_clause_without_a_mark() -> None:
    q = "各国应该加强沟通、扩大共识，共同构建网络空间命运共同体。"
    a = align(q, SOURCE)
    _check_invariants(q, SOURCE, a)
    assert not a.identical
    assert a.score == 1.0  # every word of the quotation is in the source, in order
    assert _changes(a) == [("delete", "", "深化合作，")]


def test_one_inserted_character() -> None:
    # seed 002 vs 004: 以共进而为动力 / 以共进为动力
    q = "各国应该深化务实合作，以共进而为动力、以共赢为目标"
    a = align(q, SOURCE)
    _check_invariants(q, SOURCE, a)
    assert not a.identical
    assert _changes(a) == [("insert", "而", "")]
    assert a.score == pytest.approx(1 - 1 / len(content_chars(q)[0]))


def test_one_replaced_character_at_the_end() -> None:
    q = "促进互联互通。第二，打造网上文化交流共享平台，促进交流互借。"
    a = align(q, SOURCE)
    _check_invariants(q, SOURCE, a)
    assert _changes(a) == [("replace", "借。", "鉴")]
    assert not a.identical


def test_one_replaced_character_at_the_start() -> None:
    q = "弟一，加快全球网络基础设施建设"
    a = align(q, SOURCE)
    _check_invariants(q, SOURCE, a)
    assert _changes(a) == [("replace", "弟", "第")]


def test_half_width_punctuation_and_spaces_keep_identical() -> None:
    q = '第一, 加快全球网络基础设施建设,促进互联互通. 第二,打造网上文化交流共享平台'
    a = align(q, SOURCE)
    _check_invariants(q, SOURCE, a)
    assert a.identical and a.score == 1.0


def test_quotation_marks_and_full_width_letters() -> None:
    src = "这就是“互联网+”行动计划和ＡＩ技术。"
    q = '这就是"互联网+"行动计划和AI技术'
    a = align(q, src)
    _check_invariants(q, src, a)
    assert a.identical


def test_spanning_two_paragraphs() -> None:
    p1 = "第一段到这里结束，我们要共同推动全球网"
    p2 = "络基础设施建设，让更多人共享发展机遇。"
    src = p1 + "\n" + p2
    q = "我们要共同推动全球网络基础设施建设，让更多人共享发展机遇。"
    a = align(q, src)
    _check_invariants(q, src, a)
    assert a.identical
    assert a.start < len(p1) < a.end


def test_no_match_scores_low() -> None:
    q = "今天天气很好，我们去公园散步，然后回家吃饭。"
    a = align(q, SOURCE)
    _check_invariants(q, SOURCE, a)
    assert a.score < 0.3
    assert not a.identical


def test_partly_invented_quotation() -> None:
    q = "第一，加快全球网络基础设施建设，今天天气很好，我们去公园散步，然后回家吃饭。"
    a = align(q, SOURCE)
    _check_invariants(q, SOURCE, a)
    assert 0.3 < a.score < 0.7
    assert a.diff[-1]["op"] == "insert"
    assert not a.identical


def test_empty_inputs() -> None:
    assert align("", SOURCE).score == 0.0
    a = align("网络空间", "")
    assert a.score == 0.0 and not a.identical
    b = align("。，！", SOURCE)
    assert b.score == 0.0 and not b.identical


def test_long_source_finds_the_passage(seed_paths: dict[str, Path]) -> None:
    # seed 001 holds the 2015 speech; seed 002 quotes it with a bullet list that drops sentences
    speech = seed_paths["001"].read_text(encoding="utf-8")
    q = ("网络空间是人类共同的活动空间，网络空间前途命运应由世界各国共同掌握。各国应该加强沟通、"
         "扩大共识、深化合作，共同构建网络空间命运共同体。对此，我愿提出5点主张。\n"
         "第一，加快全球网络基础设施建设，促进互联互通。\n第二，打造网上文化交流共享平台，促进交流互鉴。")
    a = align(q, speech)
    _check_invariants(q, speech, a)
    assert a.score == 1.0
    assert not a.identical  # the compilation dropped the body of the first point
    assert speech[a.start:].startswith("网络空间是人类共同的活动空间")
    assert speech[:a.end].endswith("促进交流互鉴")
    deleted = [d["source"] for d in a.diff if d["op"] == "delete"]
    assert len(deleted) == 1 and deleted[0].startswith("网络的本质在于互联")
    # the page break inside 是中国 / 互联网创新发展 does not matter
    b = align("是中国互联网创新发展的一个缩影", speech)
    assert b.identical and "\n" in speech[b.start:b.end]


def test_content_chars() -> None:
    # letters and digits only; folding is the caller's (align folds with the search index's folding)
    text, pos = content_chars("Ａ，b 网络。１")
    assert text == "Ａb网络１"
    assert pos == [0, 2, 4, 5, 7]


def test_traditional_and_full_width_quotation_aligns_as_search_folds() -> None:
    q = "網絡空間是人類共同的活動空間，ＡＩ"
    src = "网络空间是人类共同的活动空间，ai技术"
    a = align(q, src)
    _check_invariants(q, src, a)
    assert a.identical and a.score == 1.0


_alphabet = st.sampled_from(list("网络空间命运共同体各国应该，。、…“”,. \n第一二ABCab12"))


@settings(max_examples=150, deadline=None)
@given(st.text(_alphabet, max_size=40), st.text(_alphabet, max_size=120))
def test_align_never_raises_and_keeps_invariants(quote: str, source: str) -> None:
    a = align(quote, source)
    assert 0.0 <= a.score <= 1.0
    if a.score > 0:
        _check_invariants(quote, source, a)


@settings(max_examples=100, deadline=None)
@given(st.text(_alphabet, max_size=200), st.data())
def test_a_substring_is_found_whole(source: str, data: st.DataObject) -> None:
    i = data.draw(st.integers(0, len(source)))
    j = data.draw(st.integers(i, len(source)))
    quote = source[i:j]
    a = align(quote, source)
    if content_chars(quote)[0]:
        assert a.score == 1.0 and a.identical
        _check_invariants(quote, source, a)
