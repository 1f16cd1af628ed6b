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

        result = c._corpus(readonly=True, caches=True).formulations(
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

    @app.command()
    @command
    def keyness(
        a: str = typer.Option(..., "--a", metavar="FILTERS",
                              help='Subcorpus A as key=value words: from, to, speaker, genre, source '
                                   '(e.g. "from=2013 to=2017"; "" is the whole corpus).'),
        b: str = typer.Option(..., "--b", metavar="FILTERS", help='Subcorpus B, the same way (e.g. "to=2012").'),
        limit: int = typer.Option(50, "--limit", min=0, max=5000, help="At most this many keywords on each side."),
        min_ll: float = typer.Option(3.84, "--min-ll", min=0.0,
                                     help="Smallest |log-likelihood| kept (3.84: p<0.05, 6.63: p<0.01)."),
        min_len: int = typer.Option(4, "--min-len", min=2, max=32, help="Shortest formulation (characters)."),
        max_len: int = typer.Option(16, "--max-len", min=2, max=32, help="Longest formulation (characters)."),
        min_count: int = typer.Option(3, "--min-count", min=2, help="Fewest occurrences in A and B together."),
        as_json: bool = JSON_OPT,
        as_csv: bool = c.CSV_OPT,
    ) -> None:
        """Formulations over- and under-used in subcorpus A against B: log-likelihood, Simple Maths, %DIFF."""
        from lunshu.analysis.keyness import ROW_COLUMNS

        result = c._corpus(readonly=True).keyness(a, b, limit=limit, min_ll=min_ll, min_len=min_len,
                                                  max_len=max_len, min_count=min_count)
        if as_json:
            _print_json(result)
        elif as_csv:
            c._write_csv(result.rows(), ROW_COLUMNS)
        else:
            d = result.to_dict()
            c._table(result.rows(), ["term", "count_a", "count_b", "log_likelihood", "simple_maths"],
                     title=f"A: {d['a']['filters'] or 'all'} ({d['a']['docs']} docs) · "
                           f"B: {d['b']['filters'] or 'all'} ({d['b']['docs']} docs)")

    @app.command()
    @command
    def changes(
        date_from: str = c.FROM_OPT,
        date_to: str = c.TO_OPT,
        speaker: str = c.SPEAKER_OPT,
        genre: str = c.GENRE_OPT,
        source: str = c.SOURCE_OPT,
        limit: int = typer.Option(50, "--limit", min=0, max=2000, help="At most this many changes."),
        min_count: int = typer.Option(2, "--min-count", min=1, help="Fewest uses of each wording in the frame."),
        min_switch: float = typer.Option(0.6, "--min-switch", min=0.01, max=1.0,
                                         help="How cleanly the new wording replaced the old (1: every use of the "
                                              "old precedes every use of the new)."),
        context: int = typer.Option(4, "--context", min=1, max=8, help="Characters of frame on each side."),
        max_middle: int = typer.Option(8, "--max-middle", min=1, max=16, help="Longest differing wording."),
        expansions: bool = typer.Option(False, "--expansions",
                                        help="Also compare a formulation alone with it after added words "
                                             "(依法治国 → 全面依法治国), with context on the right only (slower)."),
        as_json: bool = JSON_OPT,
        as_csv: bool = c.CSV_OPT,
    ) -> None:
        """Rewordings (提法变化): wordings that replaced another in the same frame, sharpest first."""
        from lunshu.analysis.changes import ROW_COLUMNS

        result = c._corpus(readonly=True).changes(
            limit=limit, min_count=min_count, min_switch=min_switch, context=context, max_middle=max_middle,
            expansions=expansions, date_from=c._check_date(date_from, "--from"), date_to=c._check_date(date_to, "--to"), speaker=speaker,
            genre=genre, source=source)
        if as_json:
            _print_json(result)
        elif as_csv:
            c._write_csv(result.rows(), ROW_COLUMNS)
        else:
            c._table(result.rows(), ["old", "new", "frame", "old_last_year", "new_first_year", "count_old",
                                     "count_new", "switch"],
                     title=f"{len(result.changes)} changes in {result.docs} documents")

    _ = (formulations, keyness, changes)

