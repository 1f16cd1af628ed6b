"""The search query language, parsed into plain data (never passed through to FTS5).

    网络空间 治理          both terms (AND), each an exact substring
    "网络 空间"            a phrase; spaces inside are part of it ("" inside is one ")
    网络 OR 互联网         either (OR binds tighter than AND: ``a OR b c`` = (a or b) and c)
    网络空间 -治理          excludes paragraphs containing 治理

Everything else is literal text to find: ``NEAR(``, ``*``, ``col:x``, ``AND``, ``a"b`` are
searched for as written, so no user input can reach the index's own query syntax (``OR`` at the
start or the end of a query joins nothing: an error; ``"OR"`` finds the letters). A quote that
is never closed runs to the end of the query; ``-`` alone is the character "-". A query with
nothing to find (empty, or only exclusions) is a ``QueryError``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from lunshu.errors import QueryError

MAX_QUERY_CHARS = 2000
MAX_TERMS = 64


@dataclass(frozen=True)
class Query:
    """``groups``: every group must match (AND); a group matches when any of its phrases does
    (OR). ``exclude``: no phrase may match. Phrases are the user's text, not yet folded."""

    groups: tuple[tuple[str, ...], ...]
    exclude: tuple[str, ...] = ()

    @property
    def phrases(self) -> list[str]:
        """Every phrase to highlight, longest first (so a longer match wins where they overlap)."""
        seen = dict.fromkeys(p for g in self.groups for p in g)
        return sorted(seen, key=len, reverse=True)

    def folded(self, fold: Callable[[str], str]) -> Query:
        return Query(tuple(tuple(dict.fromkeys(fold(p) for p in g)) for g in self.groups),
                     tuple(dict.fromkeys(fold(p) for p in self.exclude)))

    def matches(self, text: str) -> bool:
        """The reference semantics on (already folded) text: what the index must agree with."""
        return (all(any(p in text for p in g) for g in self.groups)
                and not any(p in text for p in self.exclude))


@dataclass
class _Token:
    text: str
    quoted: bool
    negated: bool


def _tokens(q: str) -> list[_Token]:
    out: list[_Token] = []
    i, n = 0, len(q)
    while i < n:
        if q[i].isspace():
            i += 1
            continue
        negated = False
        if q[i] == "-" and i + 1 < n and not q[i + 1].isspace():
            negated = True
            i += 1
        if q[i] == '"':
            buf: list[str] = []
            j = i + 1
            while j < n:
                if q[j] == '"':
                    if j + 1 < n and q[j + 1] == '"':  # "" inside a phrase is one "
                        buf.append('"')
                        j += 2
                        continue
                    break
                buf.append(q[j])
                j += 1
            out.append(_Token("".join(buf), True, negated))  # an unclosed quote runs to the end
            i = j + 1
            continue
        j = i
        while j < n and not q[j].isspace():
            j += 1
        out.append(_Token(q[i:j], False, negated))
        i = j
    return out


def _is_or(t: _Token) -> bool:
    return t.text == "OR" and not t.quoted and not t.negated


def parse(q: str) -> Query:
    """Parse a user query; raises ``QueryError`` with a message a person can act on."""
    if not isinstance(q, str):
        raise QueryError("the query must be text")
    try:
        q.encode("utf-8")
    except UnicodeEncodeError:
        raise QueryError("the query contains bytes that are not valid text") from None
    if len(q) > MAX_QUERY_CHARS:
        raise QueryError(f"the query is too long ({len(q)} characters; at most {MAX_QUERY_CHARS})")
    toks: list[_Token] = []
    for t in _tokens(q):
        if not t.text:  # "" and -"" find nothing and exclude nothing
            continue
        if _is_or(t) and toks and _is_or(toks[-1]):  # "a OR OR b" is "a OR b"
            continue
        toks.append(t)
    groups: list[list[str]] = []
    exclude: list[str] = []
    join_next = False
    if toks and len(toks) > 1 and (_is_or(toks[0]) or _is_or(toks[-1])):
        raise QueryError("OR must stand between two terms (网络 OR 互联网); to find the letters OR, "
                         'write "OR"')
    for i, t in enumerate(toks):
        if _is_or(t) and 0 < i < len(toks) - 1:  # an operator only between two terms
            if toks[i - 1].negated or toks[i + 1].negated:
                raise QueryError("OR cannot join an excluded term; write the exclusion on its own, "
                                 "e.g. 网络 OR 互联网 -空间")
            join_next = True
            continue
        if t.negated:
            exclude.append(t.text)
        elif join_next:
            groups[-1].append(t.text)
        else:
            groups.append([t.text])
        join_next = False
    if not groups:
        if exclude:
            raise QueryError("the query only excludes; add a term to find, e.g. 网络 -空间")
        raise QueryError("empty query: give a word or phrase to find")
    if sum(len(g) for g in groups) + len(exclude) > MAX_TERMS:
        raise QueryError(f"too many terms (at most {MAX_TERMS})")
    return Query(tuple(dict.fromkeys(tuple(dict.fromkeys(g)) for g in groups)), tuple(dict.fromkeys(exclude)))


def quote(text: str) -> str:
    """A query that finds exactly ``text`` as one phrase, whatever characters it holds."""
    return '"' + text.replace('"', '""') + '"'
