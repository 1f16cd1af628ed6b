"""Quotation extraction and attribution parsing (lunshu.quotes)."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lunshu.models import Quote
from lunshu.quotes import extract_quotes, is_attribution, parse_attribution

# ---------------------------------------------------------------------------------------------
# parse_attribution

@pytest.mark.parametrize(
    ("line", "date", "date_end", "speaker", "occasion"),
    [
        ("——2015年12月16日，习近平主席在第二届世界互联网大会开幕式上的讲话",
         "2015-12-16", None, "习近平", "在第二届世界互联网大会开幕式上的讲话"),
        ("—— 2022 年 7 月 12 日，习近平向世界互联网大会国际组织成立致贺信",
         "2022-07-12", None, "习近平", "向世界互联网大会国际组织成立致贺信"),
        ("——2014年11月19日，习近平主席向首届世界互联网大会致贺词",
         "2014-11-19", None, "习近平", "向首届世界互联网大会致贺词"),
        ("——２０１５年１２月１６日，习近平总书记在某会议上的讲话",
         "2015-12-16", None, "习近平", "在某会议上的讲话"),
        ("——2013年9月23日至25日，习近平在某省委常委班子专题民主生活会上的讲话",
         "2013-09-23", "2013-09-25", "习近平", "在某省委常委班子专题民主生活会上的讲话"),
        ("—— 2018 年 4 月 20 日至 21 日，习近平在全国网络安全和信息化工作会议上的讲话",
         "2018-04-20", "2018-04-21", "习近平", "在全国网络安全和信息化工作会议上的讲话"),
        ("——2017年12月31日至2018年1月2日，习近平在某地考察时的讲话",
         "2017-12-31", "2018-01-02", "习近平", "在某地考察时的讲话"),
        ("——二〇一五年十二月十六日，习近平在某大会上的讲话", "2015-12-16", None, "习近平", "在某大会上的讲话"),
        ("（2015年12月16日，习近平在某大会开幕式上的讲话）",
         "2015-12-16", None, "习近平", "在某大会开幕式上的讲话"),
        ("(2015年12月16日，习近平在某大会开幕式上的讲话)",
         "2015-12-16", None, "习近平", "在某大会开幕式上的讲话"),
        ("——2015年9月23日，习近平会见出席某论坛双方主要代表时的讲话",
         "2015-09-23", None, "习近平", "会见出席某论坛双方主要代表时的讲话"),
        ("——2017年12月3日，习近平主席致第四届某大会的贺信",
         "2017-12-03", None, "习近平", "致第四届某大会的贺信"),
        ("——2024年11月20日，中共中央总书记、国家主席、中央军委主席习近平向某峰会开幕视频致贺",
         "2024-11-20", None, "习近平", "向某峰会开幕视频致贺"),
        ("——2020 年 11 月 23 日，习近平向某大会 · 某论坛致贺信",
         "2020-11-23", None, "习近平", "向某大会·某论坛致贺信"),
        ("——习近平总书记在某座谈会上的讲话", None, None, "习近平", "在某座谈会上的讲话"),
        ("——习近平：《在某座谈会上的讲话》（2016年4月19日）",
         "2016-04-19", None, "习近平", "《在某座谈会上的讲话》"),
        ("——习近平2015年12月16日在某大会上的讲话", "2015-12-16", None, "习近平", "在某大会上的讲话"),
        ("——摘自2015年12月16日习近平在某大会上的讲话", "2015-12-16", None, "习近平", "在某大会上的讲话"),
        ("——2015.12.16，习近平在乌镇的讲话", "2015-12-16", None, "习近平", "在乌镇的讲话"),
        ("——2015年12月16日", "2015-12-16", None, None, None),
        ("——2015年12月", "2015-12", None, None, None),
        ("——李强在某论坛开幕式上的致辞", None, None, "李强", "在某论坛开幕式上的致辞"),
        ("2015年12月16日，习近平在某大会开幕式上的讲话", "2015-12-16", None, "习近平", "在某大会开幕式上的讲话"),
    ],
)
def test_parse_attribution(line: str, date: str | None, date_end: str | None, speaker: str | None,
                           occasion: str | None) -> None:
    a = parse_attribution(line)
    assert a is not None, line
    assert (a.date, a.date_end, a.speaker, a.occasion) == (date, date_end, speaker, occasion)
    assert a.raw == line.strip()
    assert is_attribution(line)


@pytest.mark.parametrize(
    "line",
    [
        # enumerations that start with a dash (seeds 001 and 003)
        "——尊重网络主权。某宪章确立的主权平等原则是当代国际关系的基本准则。",
        "——构建网络空间命运共同体，是建设人类共同新家园的客观需要。",
        "——维护和平安全。",
        "——2015年，中国愿同各国一道推动构建某个共同体。",
        "——2012年11月，某大会召开，开启新阶段",
        # a speech's own dateline is not an attribution
        "(2015年12月16日)",
        "（2015年12月16日）",
        # photo captions and news intros start like attributions
        "2015 年 9 月 23 日，习近平在西雅图会见某论坛代表并发表讲话。新华社记者 某某 摄",
        "2015 年 9 月 23 日，习近平在西雅图会见某论坛代表并发表讲话。",
        "2022 年 7 月 12 日，国家主席习近平向某组织成立致贺信。他指出，成立该组织是重要举措。",
        "12月16日，某大会在浙江省乌镇开幕。国家主席习近平出席开幕式。新华社记者 李涛 摄",
        # a Markdown bullet is not a dash; a dash inside a sentence is not an attribution
        "- 2015年12月16日，习近平在某大会上的讲话",
        "某大会于12月16日至18日举行，主题为“互联互通——构建网络空间命运共同体”。",
        "",
        "   ",
        "2015",
    ],
)
def test_not_attribution(line: str) -> None:
    assert parse_attribution(line) is None
    assert not is_attribution(line)


def test_invalid_calendar_date_is_not_an_attribution_date() -> None:
    assert parse_attribution("——2015年2月30日，习近平在某会议上的讲话") is None


# ---------------------------------------------------------------------------------------------
# extract_quotes on small documents

Q1 = "甲乙丙丁是一句话，后面还有一句话。"
Q2 = "第二条引文说了另一件事情，也很重要。"
Q3 = "第三条引文在这里，同样是完整的句子。"


def test_after_layout_with_year_headings_and_intro() -> None:
    paras = [
        "某报：领导人这样阐释某个理念",
        "昨天，国家主席习近平向某会议致贺信。习近平主席指出，我们应当如何如何。",
        "（本报记者 某某）",
        "2015",
        Q1,
        Q2,
        "——2015年12月16日，习近平主席在某大会开幕式上的讲话",
        "2014",
        Q3,
        "——2014年11月19日，习近平主席向某大会致贺词",
    ]
    qs = extract_quotes(paras, "d1")
    assert [q.attribution.date for q in qs] == ["2015-12-16", "2014-11-19"]
    assert qs[0].text == Q1 + "\n" + Q2
    assert (qs[0].n, qs[0].n_end) == (5, 6)
    assert qs[1].text == Q3 and (qs[1].n, qs[1].n_end) == (9, 9)
    assert all(q.doc_id == "d1" for q in qs)
    assert all(q.attribution.speaker == "习近平" for q in qs)


def test_intro_without_heading_is_not_a_quotation() -> None:
    paras = [
        "2022 年 7 月 12 日，国家主席习近平向某组织成立致贺信。他指出，成立该组织是重要举措。党建网梳理了部分论述，与您一同学习！",
        Q1,
        "—— 2022 年 7 月 12 日，习近平向某组织成立致贺信",
        Q2,
        "—— 2020 年 11 月 23 日，习近平向某论坛致贺信",
    ]
    qs = extract_quotes(paras)
    assert [q.text for q in qs] == [Q1, Q2]
    assert [q.n for q in qs] == [2, 4]


def test_section_headings_and_captions_are_boundaries() -> None:
    paras = [
        "一段开头的新闻导语，说明这篇文章汇编了哪些论述。",
        "2015 年 9 月 23 日，习近平在西雅图会见某论坛代表并发表讲话。新华社记者 某某 摄",
        "构建某个共同体",
        Q1,
        "—— 2022 年 7 月 12 日，习近平向某组织成立致贺信",
        Q2,
        "—— 2018 年 11 月 7 日，习近平向第五届某大会致贺信",
        "2016 年 4 月 19 日，习近平在北京主持召开座谈会并发表重要讲话。新华社记者 某某 摄",
        "推动某体系向着更加公正合理的方向迈进",
        Q3,
        "—— 2018 年 11 月 7 日，习近平向第五届某大会致贺信",
    ]
    qs = extract_quotes(paras)
    assert [(q.n, q.text) for q in qs] == [(4, Q1), (6, Q2), (10, Q3)]
    assert [q.attribution.date for q in qs] == ["2022-07-12", "2018-11-07", "2018-11-07"]


def test_misplaced_attribution_inside_its_quotation() -> None:
    paras = [
        "2024",
        "我们应当把握发展大势，把创新作为第一动力、把安全作为底线要求、把普",
        "——2024年11月20日，习近平主席向某峰会开幕视频致贺",
        "惠作为价值追求，加快推动创新发展。",
        "中国愿同世界各国一道，携手构建某个共同体。",
    ]
    qs = extract_quotes(paras)
    assert len(qs) == 1
    q = qs[0]
    assert "把普惠作为价值追求" in q.text
    assert q.text.endswith("携手构建某个共同体。")
    assert "——" not in q.text
    assert (q.n, q.n_end) == (2, 5)
    assert q.attribution.date == "2024-11-20"


def test_misplaced_attribution_does_not_steal_the_next_quotation() -> None:
    paras = [
        "第一条引文被分页符切成两半，这里是前半",
        "——2015年12月16日，习近平在某大会上的讲话",
        "句的结尾。",
        Q2,
        "——2016年11月16日，习近平在某大会上的视频讲话",
    ]
    qs = extract_quotes(paras)
    assert [q.text for q in qs] == ["第一条引文被分页符切成两半，这里是前半句的结尾。", Q2]


def test_inline_and_bracketed_attributions() -> None:
    paras = [
        Q1 + "——2015年12月16日，习近平在某大会上的讲话",
        Q2 + "（2016年4月19日，习近平在某座谈会上的讲话）",
        Q3,
        "(2014年2月27日，习近平在某小组第一次会议上的讲话)",
    ]
    qs = extract_quotes(paras)
    assert [(q.text, q.attribution.date) for q in qs] == [
        (Q1, "2015-12-16"), (Q2, "2016-04-19"), (Q3, "2014-02-27")]


def test_attribution_before_the_quotation() -> None:
    paras = [
        "汇编说明",
        "——2015年12月16日，习近平在某大会上的讲话",
        Q1,
        "——2016年4月19日，习近平在某座谈会上的讲话",
        Q2,
        Q3,
    ]
    qs = extract_quotes(paras)
    assert [(q.text, q.attribution.date) for q in qs] == [(Q1, "2015-12-16"), (Q2 + "\n" + Q3, "2016-04-19")]


def test_leading_attribution_with_colon() -> None:
    paras = ["2015年12月16日，习近平在某大会开幕式上指出：", Q1, "2016", Q2]
    qs = extract_quotes(paras)
    assert len(qs) == 1
    assert qs[0].text == Q1
    assert qs[0].attribution.date == "2015-12-16"
    assert qs[0].attribution.occasion == "在某大会开幕式上"


def test_bullets_are_kept_as_part_of_the_quotation() -> None:
    paras = [
        "2015",
        "对此，我愿提出两点主张。",
        "- 第一，加快建设，促进互联互通。\n- 第二，打造平台，促进交流互鉴。",
        "——2015年12月16日，习近平主席在某大会开幕式上的讲话",
    ]
    (q,) = extract_quotes(paras)
    assert q.text == "对此，我愿提出两点主张。\n第一，加快建设，促进互联互通。\n第二，打造平台，促进交流互鉴。"


def test_short_quotation_without_punctuation_is_not_taken_for_a_heading() -> None:
    paras = ["2017", "绿水青山就是金山银山", "——2005年8月15日，习近平在某村考察时的讲话"]
    (q,) = extract_quotes(paras)
    assert q.text == "绿水青山就是金山银山"


def test_enumerations_and_speeches_yield_nothing() -> None:
    paras = [
        "推进某体系变革，应该坚持以下原则。",
        "——尊重主权。某宪章确立的原则是基本准则。",
        "——维护和平安全。一个安全稳定繁荣的空间，对各国都具有重大意义。",
        "(2015年12月16日)",
    ]
    assert extract_quotes(paras) == []
    assert extract_quotes([]) == []


def test_consecutive_attributions_without_text_yield_nothing_for_the_empty_one() -> None:
    paras = ["2015", "——2015年12月16日，习近平在某大会上的讲话", Q1, "——2016年4月19日，习近平在某座谈会上的讲话"]
    qs = extract_quotes(paras)
    assert [q.attribution.date for q in qs] == ["2016-04-19"]
    assert qs[0].text == Q1


# ---------------------------------------------------------------------------------------------
# the seeds (real inputs); paragraphs by a simple local split until the cleaner is wired in

def _paragraphs(text: str) -> list[str]:
    """Blank-line paragraphs, or ``<p>`` paragraphs of an HTML body (tags stripped)."""
    if "<p>" in text:
        body = text.split("---", 2)[-1]
        parts = re.split(r"<(?:p|/p|div|/div)(?:\s[^>]*)?>", body)
        return [t for t in (html.unescape(re.sub(r"<[^>]+>", "", p)).strip() for p in parts) if t]
    return [b.strip() for b in re.split(r"\n\s*\n", text) if b.strip()]


def _cleaned(text: str) -> list[str]:
    """The real cleaner's paragraphs (HTML, front matter, captions, noise handled there)."""
    clean = pytest.importorskip("lunshu.clean")
    return list(clean.clean_body(text, "text").paragraphs)


PARAGRAPHERS = {"split": _paragraphs, "cleaner": _cleaned}


def _seed_quotes(seed_paths: dict[str, Path], key: str, how: str = "split") -> list[Quote]:
    return extract_quotes(PARAGRAPHERS[how](seed_paths[key].read_text(encoding="utf-8")), key)


@pytest.mark.parametrize("how", PARAGRAPHERS)
def test_seed_002_compilation(seed_paths: dict[str, Path], how: str) -> None:
    qs = _seed_quotes(seed_paths, "002", how)
    assert sorted(q.attribution.date for q in qs) == [
        "2014-11-19", "2015-12-16", "2016-11-16", "2017-12-03", "2018-11-07", "2019-10-20",
        "2020-11-23", "2021-09-26", "2022-11-09", "2023-11-08", "2024-11-20"]
    assert all(q.attribution.speaker == "习近平" for q in qs)
    by_date = {q.attribution.date: q for q in qs}
    assert by_date["2015-12-16"].attribution.occasion == "在第二届世界互联网大会开幕式上的讲话"
    assert by_date["2014-11-19"].attribution.occasion == "向首届世界互联网大会致贺词"
    # the 2015 quotation holds its bullet list; the news intro is in no quotation
    q2015 = by_date["2015-12-16"]
    assert q2015.text.startswith("网络空间是人类共同的活动空间")
    assert q2015.text.rstrip().endswith("促进公平正义。")
    assert "第三，推动网络经济创新发展" in q2015.text
    assert not any("昨天" in q.text or "本报记者" in q.text or "乌镇峰会当日" in q.text for q in qs)
    # two paragraphs per year
    assert by_date["2014-11-19"].text.count("\n") == 1
    # the misplaced 2024 attribution: the quotation is re-joined in one piece
    q2024 = by_date["2024-11-20"]
    assert "把普惠作为价值追求" in q2024.text
    assert q2024.text.startswith("当前，新一轮科技革命")
    assert q2024.text.endswith("造福世界。")
    assert "——" not in q2024.text and not re.search(r"[01]{8}", q2024.text)
    # the one-character variant the seeds disagree on is kept as written
    assert "以共进而为动力" in by_date["2018-11-07"].text
    # no year heading inside any quotation
    assert not any(re.match(r"^\d{4}$", line) for q in qs for line in q.text.split("\n"))


@pytest.mark.parametrize("how", PARAGRAPHERS)
def test_seed_004_blog_repost(seed_paths: dict[str, Path], how: str) -> None:
    qs = _seed_quotes(seed_paths, "004", how)
    assert [q.attribution.date for q in qs] == [
        "2022-07-12", "2020-11-23", "2018-11-07", "2018-11-07", "2015-09-23", "2016-10-09", "2016-04-19",
        "2014-02-27"]
    assert all(q.attribution.speaker == "习近平" for q in qs)
    assert qs[0].text.startswith("网络空间关乎人类命运")
    assert "以共进为动力" in qs[2].text
    assert qs[4].attribution.occasion == "会见出席中美互联网论坛双方主要代表时的讲话"
    # no caption, heading or intro got into a quotation
    for q in qs:
        assert "摄" not in q.text and "一同学习" not in q.text
        assert "构建网络空间命运共同体" != q.text.split("\n")[0]


@pytest.mark.parametrize("how", PARAGRAPHERS)
@pytest.mark.parametrize("key", ["000", "001", "003"])
def test_seeds_without_quotations(seed_paths: dict[str, Path], key: str, how: str) -> None:
    assert _seed_quotes(seed_paths, key, how) == []


# ---------------------------------------------------------------------------------------------
# robustness

_chunks = st.sampled_from([
    "——", "—— ", "（", "）", "(", ")", "2015年", "12月", "16日", "至", "25日", "２０１５", "年", "，", "。",
    "习近平", "主席", "在", "向", "致", "的讲话", "贺信", "《", "》", "：", "\n", " ", "…", "- ", "2024", "摄",
    "新华社记者", "二〇一五年十二月十六日", "第一，", "把普", "惠作为",
])
_texty = st.one_of(st.text(max_size=60), st.lists(_chunks, max_size=14).map("".join))


@settings(max_examples=300, deadline=None)
@given(_texty)
def test_parse_attribution_never_raises(line: str) -> None:
    a = parse_attribution(line)
    if a is not None:
        assert a.raw == line.strip()
        assert a.date is None or re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", a.date)
        assert a.date_end is None or (a.date is not None and a.date_end > a.date)


@settings(max_examples=200, deadline=None)
@given(st.lists(_texty, max_size=12))
def test_extract_quotes_never_raises(paragraphs: list[str]) -> None:
    qs = extract_quotes(paragraphs, "x")
    for q in qs:
        assert 1 <= q.n <= len(paragraphs)
        assert q.n_end is not None and q.n <= q.n_end <= len(paragraphs)
        assert q.text.strip()
