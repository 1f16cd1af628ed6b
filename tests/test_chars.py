"""One home for each shared character rule (issue #15 item 5): full-width forms and Chinese
numerals are read the same way by the cleaner, the date grammar, quotation attributions, event
facts, books and the search index; front matter is read one way (aliases refused) whether it heads a
Markdown file or a text body inside a record."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from lunshu import chars, dates, quotes
from lunshu.clean import clean_body, split_front_matter, to_halfwidth
from lunshu.index import default_folder


def test_every_stage_folds_full_width_letters_and_digits_alike() -> None:
    fold = default_folder().fold
    for c, h in chars.FULLWIDTH_ALNUM.items():
        fw, ascii_ = chr(c), chr(h)
        assert to_halfwidth(fw) == ascii_
        assert quotes._norm(fw) == ascii_
        assert fold(fw) == ascii_.lower()
        if ascii_.isdigit():
            assert fw.translate(chars.FULLWIDTH_DIGITS) == ascii_


@given(st.integers(min_value=1, max_value=99))
def test_chinese_numerals_read_back(n: int) -> None:
    cn = chars.cn_numeral(n)
    assert chars.cn_int(cn) == n
    assert quotes._cn_int(cn) == n


def test_dates_read_numerals_through_the_one_reader() -> None:
    assert chars.cn_int("二十一") == 21 and chars.cn_int("两") == 2 and chars.cn_int("１２") == 12
    assert chars.cn_int("二十二十") is None and chars.cn_int("") is None
    assert chars.cn_year("二〇一五") == 2015 and chars.cn_year("一九五四") == 1954 and chars.cn_year("二x") is None
    assert dates.parse_date("二〇一五年十二月十六日") == "2015-12-16"
    assert dates.parse_date("２０１５年１２月１６日") == "2015-12-16"
    assert quotes.parse_attribution("——二〇一五年十二月十六日，习近平在第二届世界互联网大会开幕式上的讲话") is not None


def test_front_matter_in_a_text_body_refuses_aliases() -> None:
    body = "---\ntitle: 标题\na: &x [1, 2]\nb: *x\n---\n\n正文第一段。"
    fields, rest, block = split_front_matter(body)
    assert fields.get("title") == "标题" and not isinstance(fields.get("b"), list)  # never expanded
    assert rest.strip() == "正文第一段。" and block
    fields, _, _ = split_front_matter("---\ntitle: 标题\ndate: 2020-02-30\n---\n\n正文。")
    assert fields["date"] == "2020-02-30"  # an impossible date stays text (it was an error before)
    assert clean_body(body, "text").paragraphs == ["正文第一段。"]
