"""Terminal rendering of results (the CLI's human output; --json gives the data)."""

from __future__ import annotations

import html
import re
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.text import Text


def mark_to_rich(snippet: str) -> str:
    """`<mark>…</mark>` snippets (HTML-escaped) to rich markup with the matches in colour."""
    parts = re.split(r"(<mark>|</mark>)", snippet)
    out: list[str] = []
    for p in parts:
        if p == "<mark>":
            out.append("[bold black on yellow]")
        elif p == "</mark>":
            out.append("[/]")
        else:
            out.append(escape(html.unescape(p)))
    return "".join(out)


def print_search(console: Console, result: Any) -> None:
    unit = {"doc": "documents", "title": "titles"}.get(getattr(result, "unit", ""), "paragraphs")
    console.print(f"[bold]{result.total}[/bold] matching {unit}"
                  + (f"; showing {result.offset + 1}–{result.offset + len(result.hits)}" if result.hits else ""))
    if result.by_year:
        console.print("per year: " + "  ".join(f"{y}:{n}" for y, n in sorted(result.by_year.items())),
                      markup=False)
    for h in result.hits:
        console.print(f"\n[cyan]{escape(h.doc_id)}[/cyan] ¶{h.paragraph}  [dim]{escape(str(h.date or ''))}[/dim]  "
                      f"{escape(h.title or '')}")
        console.print("  " + mark_to_rich(h.snippet))


def print_kwic(console: Console, lines: list[Any], width: int) -> None:
    total = getattr(lines, "total", len(lines))
    if lines:
        console.print(f"{total} occurrences" + (f"; showing the first {len(lines)} (--limit N or --all for more)"
                                                if total > len(lines) else ""), markup=False)
    for x in lines:
        t = Text()
        t.append(f"{x.doc_id:<14} {x.date or ''!s:<10} ", style="dim")
        t.append(x.left.rjust(width).replace("\n", " "))
        t.append(x.match, style="bold black on yellow")
        t.append(x.right.ljust(width).replace("\n", " "))
        console.print(t)
    if not lines:
        console.print("no occurrences")


_STATUS_STYLE = {"verified": "bold green", "variant": "bold yellow", "misattributed": "bold red",
                 "unverified": "bold magenta", "not_found": "bold red"}


def print_trace(console: Console, result: Any) -> None:
    from lunshu import diffs

    colour = console.is_terminal and not console.no_color
    style = _STATUS_STYLE.get(result.status, "bold")
    console.print(f"status: [{style}]{result.status}[/]" + (f"  ({escape(result.reason)})" if result.reason else ""))
    if result.sources and any(diffs.differs(s.diff) for s in result.sources):
        console.print("[dim]" + ("struck red: in the source, left out by the quotation; green underlined: in the "
                                 "quotation, not in the source" if colour else
                                 "[-…-]: in the source, left out by the quotation; {+…+}: in the quotation, not "
                                 "in the source") + "[/dim]")
    for i, s in enumerate(result.sources, 1):
        console.print(f"\n{i}. [cyan]{escape(s.doc_id)}[/cyan] ¶{s.paragraph}  {escape(str(s.date or ''))}  "
                      f"{escape(s.title or '')}  [dim]{s.genre or ''} score {diffs.shown(s.score)}[/dim]")
        if s.diff:
            if colour:
                console.print(diffs.to_rich(s.diff, "   "))
            else:
                console.print("   " + diffs.plain(s.diff), markup=False, highlight=False)
        else:
            console.print("   " + escape(s.text))
