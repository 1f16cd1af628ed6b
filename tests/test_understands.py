"""The rule table (lunshu.rules) is honest and documented: every row's pattern matches its real
example, and docs/understands.md is generated from the table as it is now."""

from __future__ import annotations

import re

import pytest
from conftest import ROOT

from lunshu.rules import RULES, understands_markdown


@pytest.mark.parametrize("r", [r for r in RULES if r.where != "flag"], ids=lambda r: r.name)
def test_every_rule_matches_its_example(r) -> None:
    text = r.example
    assert r.regex.search(text), (r.name, r.pattern, text)


def test_every_flag_rule_names_a_flag_of_the_header_parse() -> None:
    from lunshu import metadata

    src = (ROOT / "src" / "lunshu" / "metadata.py").read_text(encoding="utf-8")
    for r in RULES:
        if r.where == "flag":
            assert re.search(rf'"{r.pattern}":', src), r.name
    assert metadata.extract  # the resolvers read the table


def test_understands_page_is_current() -> None:
    page = (ROOT / "docs" / "understands.md").read_text(encoding="utf-8")
    assert page.rstrip("\n") == understands_markdown().rstrip("\n"), (
        "docs/understands.md is stale: run `python -m lunshu.rules > docs/understands.md`")


def test_every_rule_is_on_the_page() -> None:
    page = understands_markdown()
    for r in RULES:
        assert f"`{r.name}`" in page, r.name
