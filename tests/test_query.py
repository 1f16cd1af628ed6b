"""The query language: what users type becomes plain data, never index syntax."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lunshu.errors import QueryError
from lunshu.query import Query, parse, quote


@pytest.mark.parametrize("text, groups, exclude", [
    ("网络空间 治理", [["网络空间"], ["治理"]], []),
    ('"网络 空间" 治理', [["网络 空间"], ["治理"]], []),
    ("网络 OR 互联网 治理", [["网络", "互联网"], ["治理"]], []),
    ("a OR b OR c", [["a", "b", "c"]], []),
    ("a OR OR b", [["a", "b"]], []),
    ("网络 -治理 -\"安全 问题\"", [["网络"]], ["治理", "安全 问题"]),
    ("a or b", [["a"], ["or"], ["b"]], []),  # only upper-case OR is the operator
    ('a"b', [['a"b']], []),
    ('"a""b"', [['a"b']], []),
    ('"unclosed phrase', [["unclosed phrase"]], []),
    ("NEAR(", [["NEAR("]], []),
    ("*", [["*"]], []),
    ("col:x", [["col:x"]], []),
    ("AND", [["AND"]], []),
    ("NOT x", [["NOT"], ["x"]], []),
    ("-", [["-"]], []),
    ("x - y", [["x"], ["-"], ["y"]], []),
    ('a "" b', [["a"], ["b"]], []),
    ("网络\u3000空间", [["网络"], ["空间"]], []),  # an ideographic space separates terms too
    ("x x", [["x"]], []),
])
def test_parse(text: str, groups: list[list[str]], exclude: list[str]) -> None:
    q = parse(text)
    assert [list(g) for g in q.groups] == groups
    assert list(q.exclude) == exclude


@pytest.mark.parametrize("text, fragment", [
    ("", "empty query"),
    ("   ", "empty query"),
    ('""', "empty query"),
    ("-网络", "only excludes"),
    ("-a -b", "only excludes"),
    ("a OR -b", "OR cannot join an excluded term"),
    ("-a OR b", "OR cannot join an excluded term"),
    ("x" * 3000, "too long"),
    (" ".join(f"t{i}" for i in range(80)), "too many terms"),
    ("a\udcff", "not valid text"),
])
def test_parse_errors(text: str, fragment: str) -> None:
    with pytest.raises(QueryError) as exc:
        parse(text)
    assert fragment in str(exc.value)
    assert "\n" not in str(exc.value)


def test_reference_semantics() -> None:
    q = Query((("网络", "互联网"), ("治理",)), ("安全",))
    assert q.matches("互联网治理")
    assert not q.matches("网络安全治理")
    assert not q.matches("网络空间")
    assert q.phrases == ["互联网", "网络", "治理"]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_any_input_parses_or_fails_cleanly(text: str) -> None:
    try:
        q = parse(text)
    except QueryError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert q.groups and all(g and all(p for p in g) for g in q.groups)
    assert all(p for p in q.exclude)


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1, max_size=30))
def test_quote_round_trips(text: str) -> None:
    q = parse(quote(text))
    assert q.groups == ((text,),) and q.exclude == ()
