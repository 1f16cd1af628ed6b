"""CLI commands of formulation analysis: ``formulations``, ``keyness``, ``changes``.

Registered on the main app by ``lunshu.cli`` (``register(app)``); each parses, calls one Corpus
method, renders (table, ``--json`` or ``--csv``).
"""

from __future__ import annotations

from typing import Any

import typer

from lunshu.cli_common import JSON_OPT, command
from lunshu.cli_common import print_json as _print_json


def register(app: typer.Typer, c: Any) -> None:
    """Add the commands to ``app``; ``c`` is the ``lunshu.cli`` module (its options and helpers)."""

    @app.command()
    @command
    def formulations(
        date_from: str = c.FROM_OPT,
        date_to: str = c.TO_OPT,
        speaker: str = c.SPEAKER_OPT,
        genre: str = c.GENRE_OPT,
        source: str = c.SOURCE_OPT,
        new_since: int = typer.Option(None, "--new-since", min=1, max=9999, metavar="YEAR",
                                      help="Only formulations first used in or after YEAR, ranked by how "
                                           "established they became."),
        limit: int = typer.Option(100, "--limit", min=0, max=5000, help="At most this many."),
        min_len: int = typer.Option(4, "--min-len", min=2, max=32, help="Shortest formulation (characters)."),
        max_len: int = typer.Option(16, "--max-len", min=2, max=32, help="Longest formulation (characters)."),
        min_count: int = typer.Option(3, "--min-count", min=2, help="Fewest occurrences."),
        min_docs: int = typer.Option(2, "--min-docs", min=1, help="Fewest documents using it."),
        as_json: bool = JSON_OPT,
        as_csv: bool = c.CSV_OPT,
    ) -> None:
        """Discover recurring formulations (提法): counts per year, first use, dispersion."""
        from lunshu.analysis.formulations import ROW_COLUMNS, trends

        result = c._corpus(readonly=True).formulations(
            new_since=new_since, limit=limit, min_len=min_len, max_len=max_len, min_count=min_count,
            min_docs=min_docs, date_from=c._check_date(date_from, "--from"), date_to=c._check_date(date_to, "--to"),
            speaker=speaker, genre=genre, source=source)
        if as_json:
            _print_json(result)
        elif as_csv:
            c._write_csv(result.rows(), ROW_COLUMNS)
        else:
            rows = [{**r, "per year": t} for r, t in zip(result.rows(), trends(result))]
            c._table(rows, ["term", "count", "docs", "first_year", "dispersion", "per year"],
                     title=f"{len(result.formulations)} of {result.candidates} formulations in {result.docs} documents")




