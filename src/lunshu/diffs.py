"""One reading of a trace diff, for every surface that shows it.

``align`` gives a diff as opcodes (``equal``, ``delete``: source text the quotation leaves out,
``insert``: quotation text the source does not have, ``replace``: both), each with its ``quote``
and ``source`` side. ``pieces`` turns them into one sequence read from the source to the
quotation: ``same`` text, text the quotation ``drop``\\ s, text the quotation ``add``\\ s (a
replacement is a drop followed by an add; an omission marked with ``……`` is the dropped source
text followed by the added ellipsis). Every renderer (the web page, the CLI with and without
colour, Markdown and DOCX compilations) is a loop over these pieces, so no surface can show a
difference another one hides.

``score``: how close a quotation is to the source passage it was aligned with — the characters
(letters and digits) matched over the quotation's characters plus the source's characters the
quotation leaves out *without marking it*. A quotation that drops one character of its source
does not score 1 (an omission marked with an ellipsis is not counted against it). ``shown``
prints a score without ever rounding a difference up to ``1.00``.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable, Iterator

SAME, DROP, ADD = "same", "drop", "add"
_ELLIPSIS = re.compile(r"(?:…|⋯|\.{3,}|。{3,}|．{3,})+")


def pieces(diff: Iterable[dict[str, str]] | None) -> Iterator[tuple[str, str]]:
    """(kind, text) in reading order: ``same`` (the source's text), ``drop`` (in the source, not
    in the quotation), ``add`` (in the quotation, not in the source)."""
    for d in diff or []:
        op = d.get("op")
        q = d.get("quote") or ""
        s = d.get("source") or ""
        if op == "equal":
            if s or q:
                yield SAME, s or q
            continue
        if s:
            yield DROP, s
        if q:
            yield ADD, q


def _letters(text: str) -> int:
    return sum(1 for ch in text if ch.isalnum())


def score(diff: Iterable[dict[str, str]] | None) -> float:
    """Matched characters / (the quotation's characters + source characters dropped unmarked)."""
    matched = quote = dropped = 0
    for d in diff or []:
        op = d.get("op")
        q = _letters(d.get("quote") or "")
        quote += q
        if op == "equal":
            matched += q
        elif op == "delete":
            if not _ELLIPSIS.search(d.get("quote") or ""):
                dropped += _letters(d.get("source") or "")
        elif op == "replace":
            # the source's characters beyond the quotation's (a longer replacement drops some)
            dropped += max(0, _letters(d.get("source") or "") - q)
    total = quote + dropped
    return matched / total if total else 0.0


def shown(value: float, places: int = 2) -> str:
    """``value`` with ``places`` decimals, rounded down: 0.999 is ``0.99``, never ``1.00``."""
    f = 10 ** places
    return f"{math.floor(value * f + 1e-9) / f:.{places}f}"


def floor4(value: float) -> float:
    """A score for JSON: four decimals, rounded down (a difference never becomes 1.0)."""
    return math.floor(value * 10_000 + 1e-9) / 10_000


# -- renderers -----------------------------------------------------------------------------------
def plain(diff: Iterable[dict[str, str]] | None) -> str:
    """Without colour: ``[-dropped-]{+added+}`` (the notation of ``git diff --word-diff``)."""
    out: list[str] = []
    for kind, text in pieces(diff):
        out.append(text if kind == SAME else f"[-{text}-]" if kind == DROP else f"{{+{text}+}}")
    return "".join(out)


def to_html(diff: Iterable[dict[str, str]] | None) -> str:
    """``<del>`` for what the quotation drops, ``<ins>`` for what it adds; everything escaped."""
    out: list[str] = []
    for kind, text in pieces(diff):
        t = html.escape(text)
        if kind == SAME:
            out.append(t)
        elif kind == DROP:
            out.append(f'<del title="in the source, not in the quotation">{t}</del>')
        else:
            out.append(f'<ins title="in the quotation, not in the source">{t}</ins>')
    return "".join(out)


DROP_STYLE = "red strike"
ADD_STYLE = "bold green underline"


def to_rich(diff: Iterable[dict[str, str]] | None, indent: str = "") -> object:
    """A ``rich.text.Text``: dropped text struck through in red, added text green and underlined."""
    from rich.text import Text

    t = Text(indent)
    for kind, text in pieces(diff):
        t.append(text, style=None if kind == SAME else DROP_STYLE if kind == DROP else ADD_STYLE)
    return t


def differs(diff: Iterable[dict[str, str]] | None) -> bool:
    """Whether the diff shows any difference at all."""
    return any(kind != SAME for kind, _ in pieces(diff))
