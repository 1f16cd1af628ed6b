"""YAML front matter (``---`` … ``---`` at the start of a text), read one way wherever it is met:
a Markdown or text file (:mod:`lunshu.ingest.readers`) or a text body inside a record
(:mod:`lunshu.clean`). Safe YAML without aliases (``*name`` lets a few hundred bytes stand for
billions of values), bounded in size; an impossible date (``2020-02-30``) stays the text it is."""

from __future__ import annotations

import re
from typing import Any

import yaml

FRONT_MATTER = re.compile(r"\A\ufeff?\s*---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
MAX_FRONT_MATTER = 64 * 1024  # characters; real front matter is a few hundred


class NoAliasLoader(yaml.SafeLoader):
    """YAML without aliases: ``*name`` lets a few hundred bytes stand for billions of values."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(None, None, "YAML aliases (*name) are not accepted",
                                              event.start_mark)
        return super().compose_node(parent, index)

    def construct_yaml_timestamp(self, node: Any) -> Any:
        # an impossible date (2020-02-30) is kept as the text it is, and then read as no date, as in
        # JSON (with a warning: lunshu.ingest.pipeline.field_warnings); never the whole file refused
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return self.construct_scalar(node)


NoAliasLoader.add_constructor("tag:yaml.org,2002:timestamp", NoAliasLoader.construct_yaml_timestamp)


def load_yaml(block: str) -> Any:
    """The YAML value of a front-matter block; raises ``yaml.YAMLError`` (aliases included),
    RecursionError, ValueError or TypeError when it cannot be read."""
    return yaml.load(block, Loader=NoAliasLoader)
