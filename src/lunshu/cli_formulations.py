"""CLI commands of formulation analysis: ``formulations``, ``keyness``, ``changes``.

Registered on the main app by ``lunshu.cli`` (``register(app)``); each parses, calls one Corpus
method, renders (table, ``--json`` or ``--csv``).
"""

from __future__ import annotations

from typing import Any

import typer

from lunshu.cli_common import JSON_OPT, command
from lunshu.cli_common import print_json as _print_json
from lunshu.params import CHANGES, FORMULATIONS, KEYNESS


def register(app: typer.Typer, c: Any) -> None:
    """Add the commands to ``app``; ``c`` is the ``lunshu.cli`` module (its options and helpers)."""

    F = FORMULATIONS

    @app.command()
    @command
    @F.checked
    def formulations(
        date_from: str = F.option("date_from"),
        date_to: str = F.option("date_to"),
        speaker: str = F.option("speaker"),
        genre: str = F.option("genre"),
        source: str = F.option("source"),
        new_since: int = F.option("new_since"),
        limit: int = F.option("limit"),
        min_len: int = F.option("min_len"),
        max_len: int = F.option("max_len"),
        min_count: int = F.option("min_count"),
        min_docs: int = F.option("min_docs"),
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

    K = KEYNESS

    @app.command()
    @command
    @K.checked
    def keyness(
        a: str = K.option("a"),
        b: str = K.option("b"),
        limit: int = K.option("limit"),
        min_ll: float = K.option("min_ll"),
        min_len: int = K.option("min_len"),
        max_len: int = K.option("max_len"),
        min_count: int = K.option("min_count"),
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

    C = CHANGES

    @app.command()
    @command
    @C.checked
    def changes(
        date_from: str = C.option("date_from"),
        date_to: str = C.option("date_to"),
        speaker: str = C.option("speaker"),
        genre: str = C.option("genre"),
        source: str = C.option("source"),
        limit: int = C.option("limit"),
        min_count: int = C.option("min_count"),
        min_switch: float = C.option("min_switch"),
        context: int = C.option("context"),
        max_middle: int = C.option("max_middle"),
        expansions: bool = C.option("expansions"),
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

