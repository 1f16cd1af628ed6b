"""Fuzzing the pure functions that meet hostile text first: the readers' record mapping and
decoding, the cleaner, the metadata extractor, the attribution parser, the date parser and the
query parser. None may raise anything but a documented ``LunshuError`` (most raise nothing), and
each keeps its basic promises on any input.

Inputs are built from the pieces real documents are made of (dashes, dates, brackets, HTML,
front matter, captions, full-width digits, control and bidi characters…) mixed with arbitrary
characters, so hypothesis reaches the interesting branches. Example counts are moderate: this
runs in CI on every change.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lunshu import clean, dates, metadata, quotes
from lunshu.errors import LunshuError
from lunshu.ingest.decode import decode, safe_line, safe_text
from lunshu.ingest.pipeline import build_document
from lunshu.ingest.readers import map_fields, record_to_raw
from lunshu.models import RawRecord

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

PIECES = [
    "——", "—", "－－", "（", "）", "(", ")", "【", "】", "[", "]", "《", "》", "“", "”", "「", "」", "……", "…",
    "年", "月", "日", "至", "2015", "１２", "16", "十二", "二〇一五", "0", "9999", "19", "昨天", "今天", "前天",
    "习近平", "林望川", "李强", "主席", "总书记", "在", "出席", "上的讲话", "指出", "强调", "：", "，", "。", "；", "、",
    "\n", "\n\n", "\r\n", "\u3000\u3000", "\u2003", " ", "\t", "<p>", "</p>", "<br/>", "<div class=\"img_box\">",
    "</div>", "<head>", "<title>", "</title>", "<script>", "</script>", "<!--", "-->", "&amp;", "&#x202e;", "&#0;",
    "&nbsp;", "---\n", "title: 标题\n", "date: 2015-12-16\n", "关键词：", "发布时间：", "来源：", "新华社记者 李涛 摄",
    "新华网杭州12月16日电", "扫一扫 查看更多", "0101 1010 0110", "1242220192", "http://news.example.cn/a.htm",
    "第1卷", "第3页", "**", "# ", "> ", "![图](x.png)", "[链接](http://x)", "\x00", "\x1b[31m", "\u202e", "\ufeff",
    "\u200b", "𠀀", "\ud7ff", "\\n", "'", '"', "OR", "-", "*", "?",
]
_piece = st.one_of(st.sampled_from(PIECES), st.text(max_size=4))
TEXT = st.lists(_piece, max_size=50).map("".join)
LINE = st.lists(_piece, max_size=20).map("".join)
PARAGRAPHS = st.lists(LINE.map(str.strip).filter(bool), max_size=8)
SCALAR = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), LINE)
JSONISH = st.recursive(SCALAR, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                        st.dictionaries(LINE, inner, max_size=3)), max_leaves=8)
FIELD_KEYS = ["title", "date", "url", "source", "author", "speakers", "genre", "keywords", "occasion", "year",
              "reporters", "id", "标题", "发布时间", "关键词", "congress", "type", "publication"]


def _reader_fields() -> st.SearchStrategy[dict[str, Any]]:
    """Fields as the readers give them: canonical ones ``str`` or ``list[str]``, others as found."""
    return st.dictionaries(st.sampled_from(FIELD_KEYS), JSONISH, max_size=6).map(
        lambda rec: record_to_raw({**rec, "text": "正文。"}, "fuzz.json", 1, "", None).fields)


# -- readers and decoding ----------------------------------------------------------------------------
@FUZZ
@given(rec=st.dictionaries(st.one_of(st.sampled_from(FIELD_KEYS + ["text", "正文", "paragraphs", "raw"]), LINE),
                           JSONISH, max_size=6),
       field_map=st.one_of(st.none(), st.dictionaries(st.sampled_from(["text", "title"]), LINE, max_size=2)))
def test_record_mapping_raises_only_input_errors(rec: dict[str, Any], field_map: dict[str, str] | None) -> None:
    try:
        raw = record_to_raw(rec, "fuzz.json", 1, json.dumps(rec, ensure_ascii=False, default=str), field_map)
    except LunshuError as exc:
        assert exc.message and "\n" not in exc.message
        return
    assert "\x0c" not in raw.body
    for k, v in raw.fields.items():
        if k in ("title", "date", "url", "source", "occasion", "genre"):
            assert isinstance(v, (str, list)) and v, k
            if isinstance(v, str):
                assert safe_line(v) == v


@FUZZ
@given(data=st.one_of(st.binary(max_size=300), TEXT.map(lambda s: s.encode("utf-8", "surrogatepass")),
                      TEXT.map(lambda s: s.encode("gb18030", "replace"))))
def test_decode_raises_only_input_errors(data: bytes) -> None:
    try:
        text, enc = decode(data, "fuzz.txt")
    except LunshuError:
        return
    assert isinstance(text, str) and enc


@FUZZ
@given(body=TEXT, fields=_reader_fields(), fmt=st.sampled_from(["text", "markdown", "html"]))
def test_the_whole_pipeline_raises_only_input_errors(body: str, fields: dict[str, Any], fmt: str) -> None:
    raw = RawRecord("fuzz.txt", None, fields, safe_text(body), fmt, body, key="fuzz.txt")
    try:
        doc = build_document(raw)
    except LunshuError:
        return
    assert doc.paragraphs and all(p and safe_text(p) == p for p in doc.paragraphs)
    assert doc.title is None or safe_line(doc.title) == doc.title
    assert all(safe_line(s) == s for s in doc.speakers)
    # everything the store will be asked to keep encodes as UTF-8
    json.dumps(doc.to_dict(), ensure_ascii=False).encode("utf-8")


def test_field_mapping_ignores_odd_keys() -> None:
    assert map_fields({1: "a", "Title": "b", "正文": "c"}) == {"1": "a", "title": "b", "text": "c"}


# -- cleaner, metadata, attributions, dates ----------------------------------------------------------
@FUZZ
@given(body=TEXT, fmt=st.sampled_from(["text", "markdown", "html"]))
def test_cleaner_never_raises(body: str, fmt: str) -> None:
    out = clean.clean_body(body, fmt)
    assert isinstance(out.paragraphs, list)
    assert all(isinstance(p, str) and p.strip() for p in out.paragraphs)


@FUZZ
@given(paragraphs=PARAGRAPHS, fields=_reader_fields())
def test_metadata_never_raises(paragraphs: list[str], fields: dict[str, Any]) -> None:
    meta, body = metadata.extract(paragraphs, fields)
    assert isinstance(body, list) and all(isinstance(p, str) for p in body)
    assert meta.genre in ("speech", "report", "letter", "compilation", "interview", "article", "other")
    assert meta.date is None or (meta.date[:4].isdigit() and len(meta.date) in (4, 7, 10))


@FUZZ
@given(body=TEXT)
def test_metadata_on_what_the_cleaner_gives(body: str) -> None:
    meta, _ = metadata.extract(clean.clean_body(body).paragraphs, {})
    assert meta.date is None or meta.date[:4].isdigit()


@settings(max_examples=300, deadline=None)
@given(line=st.one_of(TEXT, st.text(max_size=80)))
def test_attribution_parser_never_raises(line: str) -> None:
    a = quotes.parse_attribution(line)
    if a is not None:
        assert a.raw == line.strip()
        assert a.date is None or (a.date[:4].isdigit() and len(a.date) in (4, 7, 10))
        assert a.date_end is None or a.date is not None


@FUZZ
@given(value=st.one_of(JSONISH, TEXT))
def test_date_parser_never_raises(value: Any) -> None:
    iso = dates.parse_date(value)
    assert iso is None or (iso[:4].isdigit() and len(iso) in (4, 7, 10))


@FUZZ
@given(paragraphs=PARAGRAPHS)
def test_quote_extraction_never_raises(paragraphs: list[str]) -> None:
    for q in quotes.extract_quotes(paragraphs, "doc"):
        assert q.text and q.n >= 1


# -- the query parser ----------------------------------------------------------------------------------
def _query_parser() -> Callable[[str], Any]:
    from lunshu.query import parse

    return parse


QUERY = st.lists(st.one_of(st.sampled_from(['"', "OR", "or", "-", " ", "\u3000", "网络空间", "治理", "(", ")", "*",
                                             "AND", "NOT", "NEAR", ":", "^", "'", "\\", "\x00", "全角　空格"]),
                           st.text(max_size=3)), max_size=25).map("".join)


@FUZZ
@given(q=QUERY)
def test_query_parser_raises_only_query_errors(q: str) -> None:
    parse = _query_parser()
    try:
        parsed = parse(q)
    except LunshuError as exc:
        assert exc.code == "bad_query" and exc.message
        return
    groups = getattr(parsed, "groups", None)
    if groups is not None:  # lunshu.query.Query: something to find, and no empty phrase
        assert groups and all(g and all(p for p in g) for g in groups)
        assert all(p for p in getattr(parsed, "exclude", ()))
