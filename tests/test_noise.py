"""Noise of real pages (inserted pinyin, emoji, paywall stubs, doubled punctuation, photo credits)
out of the searchable text, kept in the original; properties of the normalisation under hypothesis."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from conftest import run_cli
from hypothesis import given, settings
from hypothesis import strategies as st

from lunshu.clean import HAN_RE, clean_body
from lunshu.noise import strip_noise


def han(s: str) -> Counter[str]:
    return Counter(HAN_RE.findall(s))


def test_pinyin_inserted_after_characters() -> None:
    assert strip_noise("中(zhong)国经济(jīng jì)发展，年(nian)增长（zēng）") == (
        "中国经济发展，年增长",
        [("pinyin", "(zhong)"), ("pinyin", "(jīng jì)"), ("pinyin", "(nian)"), ("pinyin", "（zēng）")])


def test_brackets_that_are_not_pinyin_stay() -> None:
    for s in ("世界卫生组织(WHO)指出", "包括以下内容（a）和（b）", "国内生产总值(gdp)", "第(1)项", "中国(Zhong)",
              "(zhong)国", "公报(xyz)"):
        assert strip_noise(s) == (s, []), s


def test_emoji_between_characters_but_not_marks() -> None:
    assert strip_noise("习近平👍强调🇨🇳，要坚持开放❤️合作") == (
        "习近平强调，要坚持开放合作",
        [("emoji", "👍"), ("emoji", "🇨"), ("emoji", "🇳"), ("emoji", "❤"), ("emoji", "\ufe0f")])
    for s in ("★重要讲话", "●第一部分", "❶坚持创新", "①坚持开放", "……", "——在会议上的讲话"):
        assert strip_noise(s) == (s, []), s


def test_paywall_stubs_and_doubled_punctuation() -> None:
    assert strip_noise("要坚持开放合作……（剩余1448字）")[0] == "要坚持开放合作……"
    assert strip_noise("还有(还剩 230 字)")[0] == "还有"
    assert strip_noise("要坚持，，开放。。合作！！") == (
        "要坚持，开放。合作！", [("punctuation", "，"), ("punctuation", "。"), ("punctuation", "！")])
    assert strip_noise("，😀，")[0] == "，"  # removing one piece of noise leaves no other behind


def test_cleaner_records_the_noise_and_keeps_captions_out() -> None:
    c = clean_body("中(zhong)国😀坚持开放，，合作（剩余12字）\n\n新华社记者 李涛 摄\n\n中新社记者 王五 摄")
    assert c.paragraphs == ["中国坚持开放，合作"]
    assert {r.rule for r in c.removed} == {"pinyin", "emoji", "punctuation", "paywall", "caption"}


def test_noise_out_of_search_and_kept_in_raw(tmp_path: Path) -> None:
    page = tmp_path / "farm.html"
    article = "".join(f"<p>第{i}段：中(zhong)国坚持对外开放😀，，推动构建人类命运共同体。（剩余1448字）</p>" for i in range(1, 6))
    page.write_text("<!DOCTYPE html><html><head><title>内容农场的转载_某某网</title></head><body>"
                    "<h1>内容农场的转载</h1><div class='meta'>发布时间：2021-04-02 来源：某某网</div>"
                    f"<div class='article-content'>{article}</div></body></html>", encoding="utf-8")
    db = tmp_path / "n.db"
    assert run_cli("ingest", str(page), db=db).returncode == 0
    hits = json.loads(run_cli("search", "中国坚持对外开放，推动", "--json", db=db).stdout)
    assert hits["total"] == 5
    doc = json.loads(run_cli("show", hits["hits"][0]["doc_id"], "--json", db=db).stdout)
    text = "".join(p["text"] for p in doc["paragraphs"])
    assert "zhong" not in text and "😀" not in text and "剩余" not in text and "，，" not in text
    assert "中(zhong)国" in doc["raw"] and "（剩余1448字）" in doc["raw"]


_PIECES = st.sampled_from(list("中国经济年发展网络空间，。、！？（）()……——★") + [
    "(zhong)", "（nián）", "(jīng jì)", "(WHO)", "(a)", "😀", "🇨🇳", "❤️", "（剩余1448字）", "(还剩 23 字)", "，，", "。。",
    " ", "zhong", "nian", "剩余", "字", "新华社记者 李涛 摄", "1"])
_NOISY = st.lists(_PIECES, max_size=40).map("".join)


@settings(max_examples=300, deadline=None)
@given(_NOISY)
def test_strip_noise_is_idempotent(s: str) -> None:
    once, _ = strip_noise(s)
    assert strip_noise(once) == (once, [])


@settings(max_examples=300, deadline=None)
@given(_NOISY)
def test_no_han_character_lost_outside_the_removed_noise(s: str) -> None:
    out, removed = strip_noise(s)
    assert han(out) + han("".join(t for _, t in removed)) == han(s)
    assert all(rule == "paywall" for rule, t in removed if HAN_RE.search(t))


@settings(max_examples=200, deadline=None)
@given(st.lists(_PIECES | st.just("\n\n"), max_size=40).map("".join))
def test_cleaning_noisy_text_is_idempotent_and_accounts_for_every_han(body: str) -> None:
    c = clean_body(body)
    assert clean_body("\n\n".join(c.paragraphs)).paragraphs == c.paragraphs
    assert han("".join(c.paragraphs)) + han("".join(r.text for r in c.removed)) == han(body)
