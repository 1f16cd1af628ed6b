"""Header forms added this round, each on a small hand-made text in the real form (invented people
and places: 东岚, 林望川): a page's date/source line as copied, with a time or without a label, a
speech's title and date with no by-line, the text's own header after a page's title, a lead
``X对…作出重要指示``, a dateline whose year comes from the header's date or a new-year address.
"""

from __future__ import annotations

from lunshu.metadata import analyze, extract


def test_labelled_line_with_a_time() -> None:
    meta, body = extract(["东岚市举行数字经济座谈会", "发布时间：2018-07-26 10:22\u3000来源：东岚日报\u3000责任编辑：王小二",
                          "座谈会今天举行。"], {})
    assert (meta.title, meta.date, meta.source, meta.editor) == ("东岚市举行数字经济座谈会", "2018-07-26", "东岚日报", "王小二")
    assert body == ["座谈会今天举行。"]


def test_labels_run_together_and_a_date_source_line_without_label() -> None:
    meta, _ = extract(["东岚市举行数字经济座谈会", "发布时间：2018年07月26日10:22来源：东岚日报编辑：王小二", "正文。"], {})
    assert (meta.date, meta.source, meta.editor) == ("2018-07-26", "东岚日报", "王小二")
    meta, body = extract(["东岚市举行数字经济座谈会", "2021年04月02日08:22 | 来源：人民网－人民日报", "正文。"], {})
    assert (meta.title, meta.date, meta.source) == ("东岚市举行数字经济座谈会", "2021-04-02", "人民网－人民日报")
    assert body == ["正文。"]


def test_speech_title_and_date_with_no_byline_run_into_a_lede() -> None:
    text = ("林望川在东岚市委全会上的讲话（2019年10月25日）10月25日，东岚市委全会在东岚举行。林望川主持会议并讲话。"
            "这次全会完成了各项议程。")
    meta, body = extract([text], {})
    assert (meta.title, meta.delivered, meta.genre, meta.speakers) == ("林望川在东岚市委全会上的讲话", "2019-10-25", "speech",
                                                                       ["林望川"])
    assert body[0].startswith("10月25日，东岚市委全会")
    # a bracketed date inside a sentence is no header
    meta, body = extract(["会议指出，要做好工作（2019年10月25日通过）。"], {})
    assert meta.delivered is None and body == ["会议指出，要做好工作（2019年10月25日通过）。"]


def test_the_texts_own_header_after_a_pages_title() -> None:
    paras = ["林望川在首届东岚数字论坛开幕式上的主旨演讲", "发布时间：2019-05-20 10:22\u3000来源：东岚日报",
             "携手共建数字未来", "——在首届东岚数字论坛开幕式上的主旨演讲", "（2019年5月20日，东岚）", "林望川",
             "女士们，先生们：", "很高兴与大家相聚。"]
    meta, body = extract(paras, {})
    assert meta.title == "林望川在首届东岚数字论坛开幕式上的主旨演讲"  # the page's title, not joined to the text's
    assert meta.subtitle == "在首届东岚数字论坛开幕式上的主旨演讲"
    assert (meta.date, meta.delivered, meta.place, meta.speakers) == ("2019-05-20", "2019-05-20", "东岚", ["林望川"])
    assert body == ["女士们，先生们：", "很高兴与大家相聚。"]
    assert "携手共建数字未来" in meta.consumed


def test_dateline_year_from_the_header_date_and_from_a_new_year_address() -> None:
    # published nine days after it was delivered: the dateline's day, the header's year
    text = ("新华社东岚10月25日电 携手共建数字未来——在东岚市第十次代表大会上的报告（2022年10月16日）林望川"
            "同志们：现在，我代表市委向大会作报告。")
    _, meta, _ = analyze(text)
    assert (meta.date, meta.delivered) == ("2022-10-25", "2022-10-16")
    # across the new year: delivered in December, published in January
    _, meta, _ = analyze("新华社东岚1月3日电 在东岚市年终总结会上的讲话（2022年12月30日）林望川同志们：一年来成绩显著。")
    assert meta.date == "2023-01-03"
    text = ("新华社东岚12月31日电 新年前夕，东岚市市长林望川发表了二〇二六年新年贺词。全文如下：大家好！"
            "岁序更替，华章日新。在新年到来之际，我向大家致以美好的祝福！")
    _, meta, _ = analyze(text)
    assert meta.date == "2025-12-31"


def test_a_lead_on_an_instruction_names_its_speaker_first() -> None:
    text = ("习近平对民政工作作出重要指示强调聚焦脱贫攻坚李克强会见全国民政会议代表近日，中共中央总书记习近平对民政工作"
            "作出重要指示。习近平强调，要加强领导。")
    _, meta, _ = analyze(text)
    assert meta.speakers[0] == "习近平"


def test_a_speech_after_a_news_lede_in_run_on_text() -> None:
    text = ("6月10日，东岚论坛第十八次会议在东岚举行。市长林望川主持会议并发表重要讲话。弘扬合作精神 构建共同体"
            "——在东岚论坛第十八次会议上的讲话东岚市市长　林望川尊敬的各位同事：六月的东岚，风景如画。欢迎大家来到这里。"
            "我们要加强合作。")
    _, meta, _ = analyze(text)
    assert meta.genre == "speech"
