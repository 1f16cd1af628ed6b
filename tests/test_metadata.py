"""Metadata extraction: the seeds (pinned), and each rule on small hand-made documents."""

from __future__ import annotations

from collections import Counter

import pytest
from conftest import SEEDS, requires_shared
from hypothesis import given, settings
from hypothesis import strategies as st

from lunshu.clean import HAN_RE
from lunshu.dates import parse_date
from lunshu.metadata import (
    CPC_CONGRESS_YEARS,
    analyze,
    event_years,
    extract,
    npc_session_year,
    premier_for_report,
)
from lunshu.models import GENRES

SEED_EXPECT = {
    "000": ("习近平出席第二届世界互联网大会开幕式并发表主旨演讲", "2015-12-16", "习近平", "report"),
    "001": ("在第二届世界互联网大会开幕式上的讲话", "2015-12-16", "习近平", "speech"),
    "002": ("习近平主席这样阐释网络空间命运共同体", "2024-11-21", "习近平", "compilation"),
    "003": ("刘云山出席第三届世界互联网大会并将致辞", "2016-11-16", "刘云山", "speech"),
    "004": ("习近平：网络空间未来应由世界各国共同开创", "2022-07-13", "习近平", "compilation"),
}


def _seed(num: str) -> str:
    [path] = [p for p in SEEDS.iterdir() if p.name.startswith(num)]
    return path.read_text(encoding="utf-8")


def han(s: str) -> Counter[str]:
    return Counter(HAN_RE.findall(s))


@pytest.fixture(scope="module")
def seeds() -> dict[str, tuple]:
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds not found")
    return {num: (_seed(num), *analyze(_seed(num), "text", {})) for num in SEED_EXPECT}


# ---------------------------------------------------------------------------------------------
# the seeds


@requires_shared
@pytest.mark.parametrize("num", sorted(SEED_EXPECT))
def test_seed_metadata(seeds: dict[str, tuple], num: str) -> None:
    body, cleaned, meta, paragraphs = seeds[num]
    title, date, speaker, genre = SEED_EXPECT[num]
    assert meta.title == title
    if num == "003":
        assert meta.date in (None, "2016-11-16"), "never a wrong date"
    else:
        assert meta.date == date
    assert meta.speakers[0] == speaker
    assert meta.genre == genre
    # nothing lost: every Han character is kept, removed on purpose, or consumed as metadata
    out = han("".join(paragraphs)) + han("".join(r.text for r in cleaned.removed)) + han("".join(meta.consumed))
    assert out == han(body)


@requires_shared
def test_seed_000_keywords_reporters_and_one_article(seeds: dict[str, tuple]) -> None:
    _, cleaned, meta, paragraphs = seeds["000"]
    kw = meta.publisher_keywords
    assert len(kw) == 20 and kw[:6] == ["网络空间", "互联网", "习近平", "开幕式", "共同", "16"]
    assert kw[7] == "12" and kw[-1] == "共治"  # the publisher's junk is the publisher's data
    assert meta.reporters == ["朱国贤", "霍小光", "杨依军"]
    assert meta.source == "新华网"
    assert meta.title != "习近平系列重要讲话数据库"
    assert not any("关键词" in p or "发布时间" in p for p in paragraphs)
    assert sum("刘云山在主持开幕式时说" in p for p in paragraphs) == 1
    assert not any("新华社记者" in p and "摄" in p for p in paragraphs)
    assert [r.rule for r in cleaned.removed].count("caption") == 6
    assert paragraphs[-1].endswith("嘉宾参加。")  # the closing dateline is metadata


@requires_shared
def test_seed_001_url_source_and_repaired_page_breaks(seeds: dict[str, tuple]) -> None:
    _, _, meta, paragraphs = seeds["001"]
    assert meta.url == "http://news.xinhuanet.com/world/2015-12/16/c_1117481089.htm"
    assert meta.source == "新华网"
    assert meta.occasion == "第二届世界互联网大会开幕式"
    assert meta.delivered == "2015-12-16"
    for phrase in ("是中国互联网创新发展的一个缩影", "共同推动全球网络基础设施建设", "反对网络空间军备竞赛", "同舟共济、互信互利"):
        assert sum(phrase in p for p in paragraphs) == 1, phrase
    assert paragraphs.count("各位嘉宾、各位朋友！") == 3
    assert paragraphs[0] == "尊敬的侯赛因总统，"  # salutation lines are not joined
    assert paragraphs[-1] == "谢谢大家。"


@requires_shared
def test_seed_002_noise_repeats_and_the_misplaced_attribution(seeds: dict[str, tuple]) -> None:
    _, _, meta, paragraphs = seeds["002"]
    assert not any(set(p) <= set("01 ") for p in paragraphs)
    assert "扫一扫 查看更多" not in paragraphs
    assert not any(p.startswith("为“拥抱") for p in paragraphs)
    assert len(paragraphs) == len(set(paragraphs))
    i = next(k for k, p in enumerate(paragraphs) if p.startswith("——2024年11月20日"))
    assert paragraphs[i - 1].endswith("把普") and paragraphs[i + 1].startswith("惠作为")
    assert sum(p.startswith("——20") for p in paragraphs) == 11
    assert meta.reporters == ["张超柱", "向群"]


@requires_shared
def test_seed_003_halfwidth_image_id_and_enumerations(seeds: dict[str, tuple]) -> None:
    _, cleaned, meta, paragraphs = seeds["003"]
    text = "\n".join(paragraphs)
    assert "11月16日" in text and "１１月" not in text
    assert "1242220192" not in text and "，" in text and "肖翊" not in text
    assert sum(p.startswith("——构建网络空间命运共同体") for p in paragraphs) == 3
    assert {r.rule for r in cleaned.removed} == {"image_id", "caption"}
    assert meta.occasion == "第三届世界互联网大会"


@requires_shared
def test_seed_004_html_front_matter_and_captions(seeds: dict[str, tuple]) -> None:
    _, cleaned, meta, paragraphs = seeds["004"]
    text = "\n".join(paragraphs)
    for junk in ("<", ">", "&nbsp;", "img_box", "title:", "---", "headimg", "新华社记者"):
        assert junk not in text, junk
    assert meta.source == "ZAKER"
    assert sum(p.startswith("—— 20") for p in paragraphs) == 8
    assert [r.rule for r in cleaned.removed].count("caption") == 3


@requires_shared
def test_seeds_through_the_real_ingest_pipeline() -> None:
    from lunshu.ingest.pipeline import build_document, read_path

    for num, (title, date, speaker, genre) in SEED_EXPECT.items():
        [path] = [p for p in SEEDS.iterdir() if p.name.startswith(num)]
        [raw] = list(read_path(str(path)))
        doc = build_document(raw)
        assert (doc.title, doc.speakers[0], doc.genre) == (title, speaker, genre)
        assert doc.date == date or (num == "003" and doc.date is None)


# ---------------------------------------------------------------------------------------------
# rules, on hand-made documents


def test_explicit_fields_win_unless_they_are_junk() -> None:
    paras = ["一个标题", "(2015年12月16日)", "正文第一段。"]
    meta, _ = extract(paras, {"title": "字段标题", "date": "2016-01-02", "url": "https://example.org/a",
                              "speakers": "甲乙丙、丁戊", "genre": "letter", "source": "某报"})
    assert (meta.title, meta.date, meta.url, meta.speakers, meta.genre, meta.source) == (
        "字段标题", "2016-01-02", "https://example.org/a", ["甲乙丙", "丁戊"], "letter", "某报")
    meta, _ = extract(paras, {"title": "None", "date": "0000-00-00", "url": "n/a", "genre": "poem"})
    assert meta.title == "一个标题" and meta.date == "2015-12-16" and meta.url is None and meta.genre != "poem"


def test_a_year_field_is_refined_by_the_header_date_only_when_they_agree() -> None:
    paras = ["政府工作报告", "——2024年3月5日在第十四届全国人民代表大会第二次会议上", "国务院总理 李 强", "各位代表：", "现在，我代表国务院，向大会报告政府工作。"]
    meta, body = extract(paras, {"title": "2024年政府工作报告", "year": "2024"})
    assert meta.date == "2024-03-05" and meta.speakers == ["李强"] and meta.genre == "work-report"  # a government work report
    assert meta.occasion == "第十四届全国人民代表大会第二次会议"
    assert body[0] == "各位代表："
    meta, _ = extract(paras, {"title": "2024年政府工作报告", "year": "2023"})
    assert meta.date == "2023"


def test_xinhua_header_is_metadata_and_the_salutation_is_body() -> None:
    paras = ["新华社北京1月2日电在某某座谈会上的讲话（2025年1月2日，上午）习近平同志们，朋友们：", "今天我们在这里集会。"]
    meta, body = extract(paras, {"title": "习近平：在某某座谈会上的讲话", "date": "2025-01-03 08:00:00"})
    assert body == ["同志们，朋友们：", "今天我们在这里集会。"]
    assert meta.date == "2025-01-03" and meta.delivered == "2025-01-02"  # dated by publication
    assert meta.speakers == ["习近平"] and meta.occasion == "某某座谈会" and meta.genre == "speech"
    assert meta.source == "新华社"
    assert "".join(meta.consumed) + "".join(body) == "".join(paras)


def test_multi_paragraph_header_with_role_and_spaced_name() -> None:
    paras = ["新华社莫斯科5月7日电", "抵达某机场的书面讲话", "（2025年5月7日，莫斯科）", "中华人民共和国主席 习近平", "很高兴应邀访问。"]
    meta, body = extract(paras, {})
    assert body == ["很高兴应邀访问。"]
    assert meta.title == "抵达某机场的书面讲话" and meta.date == "2025-05-07" and meta.speakers == ["习近平"]


def test_signed_article_form() -> None:
    meta, body = extract(["扎实推动某项建设※习近平", "今天，进行集体学习。"], {"title": "习近平：扎实推动某项建设"})
    assert meta.genre == "article" and meta.speakers == ["习近平"] and body == ["今天，进行集体学习。"]


def test_relative_date_anchored_by_a_dated_mention_of_the_same_event() -> None:
    paras = ["某报道标题", "昨天，国家主席习近平向某某大会开幕视频致贺。", "其他内容。",
             "——2024年11月20日，习近平主席向某某大会开幕视频致贺"]
    assert extract(paras, {})[0].date == "2024-11-21"
    # without a matching dated mention there is no date, not a guess
    assert extract(paras[:3], {})[0].date is None
    assert extract(paras[:3], {}, reference_date="2024-11-21")[0].date == "2024-11-21"


def test_event_ordinal_and_month_day_in_one_sentence() -> None:
    meta, _ = extract(["某人出席第三届世界互联网大会", "第三届世界互联网大会于11月16日至18日在乌镇举办。"], {})
    assert meta.date == "2016-11-16"
    meta, _ = extract(["某人出席大会", "大会于11月16日至18日在乌镇举办。"], {})
    assert meta.date is None


def test_closing_dateline_reporters_and_source() -> None:
    paras = ["大会开幕", "国家主席习近平出席开幕式。", "习近平指出，要合作。", "习近平强调，要发展。",
             "大会持续三天。（新华网杭州12月16日电 记者甲乙丙、丁戊己）"]
    meta, body = extract(paras, {"date": "2015-12-16"})
    assert meta.reporters == ["甲乙丙", "丁戊己"] and meta.source == "新华网" and meta.genre == "report"
    assert body[-1] == "大会持续三天。" and meta.speakers[0] == "习近平"


def test_dateline_year_from_an_event_ordinal() -> None:
    paras = ["第二届世界互联网大会开幕", "大会开幕。（新华网杭州12月16日电 记者甲乙丙）"]
    assert extract(paras, {})[0].date == "2015-12-16"


def test_keywords_line_url_and_source_lines() -> None:
    paras = ["关键词：", "网络空间 互联网 16 共治", "站点数据库", "真正的标题", "发布时间：2015-12-16", "正文。",
             "(来源：新华网)", "http://example.org/x.htm"]
    meta, body = extract(paras, {})
    assert meta.publisher_keywords == ["网络空间", "互联网", "16", "共治"]
    assert meta.title == "真正的标题" and meta.date == "2015-12-16"
    assert meta.url == "http://example.org/x.htm" and meta.source == "新华网" and body == ["正文。"]


def test_compilation_letter_interview_and_other_genres() -> None:
    comp = ["引语一。", "——2015年12月16日，在大会上的讲话", "引语二。", "——2016年11月16日，视频讲话"]
    assert extract(comp, {"title": "论述摘编"})[0].genre == "compilation"
    brackets = ["引语一，很长的一段话。（2015年12月16日在大会上的讲话）", "引语二，很长的一段话。（2016年11月16日致贺信）"]
    assert extract(brackets, {"title": "论述摘编"})[0].genre == "compilation"
    enumeration = ["——构建命运共同体，是客观需要。", "——构建命运共同体，是迫切要求。"]
    assert extract(enumeration, {"title": "在某会议上的致辞"})[0].genre == "speech"
    assert extract(["正文。"], {"title": "习近平复信美国友人"})[0].genre == "letter"
    assert extract(["正文。"], {"title": "某人接受某报采访"})[0].genre == "interview"
    assert extract(["正文。"], {"title": "第十四届全国人民代表大会第三次会议关于政府工作报告的决议"})[0].genre == "other"


def test_full_text_follows_a_news_lead() -> None:
    paras = ["某人出席大会并将致辞", "第三届世界互联网大会开幕。", "某人出席大会并将致辞。致辞全文如下：",
             "各位嘉宾：很高兴相聚。" * 10, "最后，祝大会圆满成功！" * 5]
    assert extract(paras, {})[0].genre == "speech"


def test_known_facts() -> None:
    assert premier_for_report(1954) == "周恩来" and premier_for_report(1998) == "李鹏"
    assert premier_for_report(2003) == "朱镕基" and premier_for_report(2013) == "温家宝"
    assert premier_for_report(2023) == "李克强" and premier_for_report(2024) == "李强"
    assert premier_for_report(1980) is None  # not certain: left empty
    assert npc_session_year(14, 3) == 2025 and npc_session_year(1, 1) == 1954 and npc_session_year(2, 3) == 1962
    assert CPC_CONGRESS_YEARS[1] == 1921 and CPC_CONGRESS_YEARS[20] == 2022
    assert [y for *_, y in event_years("第三届世界互联网大会、金砖国家领导人第十五次会晤")] == [2016, 2023]


def test_cpc_congress_fields_give_a_reduced_date_and_the_reporter() -> None:
    meta, _ = extract(["同志们：", "现在，我代表中央委员会向大会作报告。"],
                      {"title": "某某报告 (十三大)", "congress": 13, "type": "cpc_congress_report"})
    assert meta.date == "1987" and meta.speakers == ["赵紫阳"] and meta.genre == "work-report"  # a report to a party congress
    assert meta.occasion == "中国共产党第十三次全国代表大会"


def test_analyze_merges_front_matter_fields() -> None:
    body = "---\ntitle: 前置标题\ndate: 2022-07-13\nauthor: ZAKER\n---\n<p>引语。</p><p>—— 2022 年 7 月 12 日，致贺信</p>"
    _, meta, paras = analyze(body, "text", {})
    assert meta.title == "前置标题" and meta.date == "2022-07-13" and meta.source == "ZAKER"
    assert paras == ["引语。", "—— 2022 年 7 月 12 日，致贺信"]
    _, meta, _ = analyze(body, "text", {"title": "记录标题"})
    assert meta.title == "记录标题"


def test_extract_on_nothing() -> None:
    meta, body = extract([], {})
    assert body == [] and meta.title is None and meta.date is None and meta.genre == "other"


def test_unknown_speakers_from_titles_attributions_and_leads() -> None:
    def speaker(paras: list[str], title: str | None = None) -> str | None:
        meta, _ = extract(paras, {"title": title} if title else {})
        return meta.speakers[0] if meta.speakers else None

    assert speaker(["同志们：", "今天开会。"], "王小明在全市工作会议上的讲话") == "王小明"
    assert speaker(["各位来宾：", "祝贺开幕。"], "王小明致第四届论坛的贺信") == "王小明"
    assert speaker(["记者：怎么看？", "王小明：很好。", "记者：还有呢？", "王小明：更好。"],
                   "以改革推动发展——访某市市长王小明") == "王小明"
    assert speaker(["本报讯（记者 李四）昨天，论坛开幕，市长王小明出席开幕式并讲话。", "王小明在讲话中说，要合作。"],
                   "第二届论坛开幕 王小明出席并讲话") == "王小明"
    assert speaker(["引语一，很长。", "——2019年5月20日，王小明在首届论坛开幕式上的讲话", "引语二，很长。",
                    "——2020年9月23日，王小明在第二届论坛开幕式上的讲话"], "论述摘编") == "王小明"
    assert speaker(["全市工作会议昨天召开。", "市长王小明出席会议并讲话。"], "我市召开工作会议") == "王小明"
    # words that look like a name before a verb are not speakers
    assert speaker(["纲要指出，要发展。", "纲要强调，要改革。"], "某某纲要的执行情况") is None


def test_masthead_opening_dateline_byline_and_title_suffix() -> None:
    paras = ["某报道标题", "东岚日报 2024年11月21日 星期四 第3版", "正文第一段。"]
    meta, body = extract(paras, {})
    assert meta.date == "2024-11-21" and meta.source == "东岚日报" and body == ["正文第一段。"]
    paras = ["东岚网东岚5月20日电（记者 周明远 陈晓岚）首届论坛20日上午开幕。", "这是2019年东岚举办的规模最大的会议。"]
    meta, body = extract(paras, {"title": "王小明出席首届论坛开幕式并发表主旨演讲_东岚网"})
    assert meta.title == "王小明出席首届论坛开幕式并发表主旨演讲" and meta.source == "东岚网"
    assert meta.reporters == ["周明远", "陈晓岚"] and meta.genre == "report"
    assert meta.date == "2019-05-20"  # the one year the text names, in a sentence about the present
    assert body[0] == "首届论坛20日上午开幕。"
    meta, _ = extract(["东岚网东岚5月20日电 论坛开幕。", "2018年全市增长很快。"], {})
    assert meta.date is None  # a year the text names about the past is no evidence
    meta, body = extract(["东岚日报记者 何思远", "记者：您怎么看？", "王小明：很好。"], {"title": "专访王小明"})
    assert meta.reporters == ["何思远"] and body[0] == "记者：您怎么看？" and meta.genre == "interview"


def test_traditional_character_titles() -> None:
    meta, _ = extract(["在第三屆東嵐數字論壇上的視頻致辭", "王小明", "(2021年9月15日)", "各位來賓：", "大家好！"], {})
    assert (meta.title, meta.speakers, meta.date, meta.genre) == (
        "在第三屆東嵐數字論壇上的視頻致辭", ["王小明"], "2021-09-15", "speech")


_PIECES = st.sampled_from([
    "新华社北京1月2日电", "在某会上的讲话", "（2025年1月2日）", "（2025年1月2日，北京）", "中华人民共和国主席 ", "习近平",
    "王小明", "同志们，朋友们：", "关键词：", "发布时间：2015-12-16", "（新华网杭州12月16日电 记者甲乙丙）", "※",
    "昨天，", "——2024年11月20日，", "致贺", "本报讯（记者 李四）", "东岚日报 2024年11月21日 星期四 第3版",
    "(来源：新华网)", "http://example.org/a", "（本报记者 张三 李四）", "标题", "正文。", "，", "。", "市长", "出席",
])
_PARAS = st.lists(st.lists(_PIECES, min_size=1, max_size=6).map("".join), max_size=12)


@settings(max_examples=300, deadline=None)
@given(_PARAS, st.sampled_from([{}, {"title": "标题"}, {"date": "2015-12-16", "title": "习近平：标题"}]))
def test_extract_never_raises_and_accounts_for_every_character(paras: list[str], fields: dict) -> None:
    meta, body = extract(paras, fields)
    assert han("".join(body)) + han("".join(meta.consumed)) == han("".join(paras))
    assert meta.genre in GENRES
    assert meta.date is None or parse_date(meta.date) == meta.date


def test_a_title_made_of_digits_is_a_title() -> None:
    assert extract(["正文。"], {"title": 2019})[0].title == "2019"
    assert extract(["正文。"], {"title": "——"})[0].title is None
