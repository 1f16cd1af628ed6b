"""SECURITY.md names the tests that hold each promise: every one it names exists."""

from __future__ import annotations

import re

from conftest import ROOT


def test_every_test_security_md_names_exists() -> None:
    text = (ROOT / "SECURITY.md").read_text(encoding="utf-8")
    named = 0
    for block in re.findall(r"\*Tests:\*(.*?)(?:\n- |\n\n|\Z)", text, re.DOTALL):
        current = None
        for m in re.finditer(r"`(test_\w+\.py)?(?:::)?(test_\w+)?`|`(test_\w+\.py)`|`::(test_\w+)`", block):
            token = m.group(0).strip("`")
            file, _, name = token.partition("::")
            if file.endswith(".py"):
                current = file
                assert (ROOT / "tests" / file).is_file(), file
            elif token.startswith("test_"):
                name = token
            if name:
                assert current, token
                source = (ROOT / "tests" / current).read_text(encoding="utf-8")
                assert re.search(rf"def {name}\b", source), f"{current}::{name} is named in SECURITY.md but missing"
                named += 1
    assert named >= 30
