"""``lunshu spark …``: the pipeline stages as Spark jobs writing Parquet.

Importing this module needs only typer: pyspark is imported when a command runs, so ``lunshu``
works without the extra and says how to get it when a Spark command is asked for. Under
``spark-submit`` run this file (or ``python -m lunshu.spark.cli``) as the application.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import typer

from lunshu.cli_common import JSON_OPT, command, parse_fields
from lunshu.errors import MissingDependency
from lunshu.spark import MISSING_PYSPARK

F = TypeVar("F", bound=Callable[..., Any])

spark_app = typer.Typer(
    name="spark",
    help="Run the pipeline as Apache Spark jobs over Parquet (needs pyspark: the 'spark' extra of lunshu).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _jobs() -> Any:
    try:
        from lunshu.spark import jobs
    except ImportError as exc:
        if "pyspark" in str(exc) or MISSING_PYSPARK in str(exc):
            raise MissingDependency(MISSING_PYSPARK) from None
        raise
    return jobs


def _emit(result: dict[str, Any], as_json: bool, summary: str) -> None:
    if as_json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
    else:
        typer.echo(summary)


MASTER_OPT = typer.Option(None, "--master",
                          help="Spark master (default: $LUNSHU_SPARK_MASTER, else local[*]; kept under spark-submit).")
PARTITIONS_OPT = typer.Option(None, "--partitions", min=1, help="Partitions for the shuffles (default: 4 × cores).")
MEMORY_OPT = typer.Option("2g", "--driver-memory", help="Driver JVM memory in local mode.")
PATHS_ARG = typer.Argument(..., help="Files, folders, globs, or hdfs:// / s3a:// URIs (JSONL, Parquet, …).")
OUT_OPT = typer.Option(..., "--out", help="Output folder (or URI) for the Parquet tables.")
FIELD_OPT = typer.Option([], "--field", help="Map a field: key=COLUMN. Repeatable.")




@spark_app.command("ingest")
@command
def ingest_cmd(
    paths: list[str] = PATHS_ARG,
    out: str = OUT_OPT,
    field: list[str] = FIELD_OPT,
    encoding: str = typer.Option(None, "--encoding", help="Force an encoding (e.g. gb18030)."),
    master: str = MASTER_OPT,
    partitions: int = PARTITIONS_OPT,
    driver_memory: str = MEMORY_OPT,
    as_json: bool = JSON_OPT,
) -> None:
    """Read, clean and describe documents → Parquet tables documents/, paragraphs/, failures/."""
    fm = parse_fields(field) or None
    jobs = _jobs()
    spark = jobs.get_session(master, driver_memory=driver_memory, partitions=partitions)
    result = jobs.ingest(spark, paths, out, field_map=fm, encoding=encoding, partitions=partitions)
    _emit(result, as_json, f"{result['documents']} documents, {result['paragraphs']} paragraphs, "
                           f"failed {len(result['failed'])} → {out}")
    for f in result["failed"]:
        where = f["path"] + (f" (record {f['record']})" if f["record"] is not None else "")
        typer.echo(f"lunshu: failed: {where}: {f['error']}", err=True)
    if result["failed"]:
        raise typer.Exit(1)


def _run_stage(stage: str, folder: str, master: str | None, partitions: int | None,
               driver_memory: str) -> dict[str, Any]:
    """A stage over the output of `lunshu spark ingest`, in its own session."""
    jobs = _jobs()
    spark = jobs.get_session(master, driver_memory=driver_memory, partitions=partitions)
    result: dict[str, Any] = getattr(jobs, stage)(spark, folder, partitions=partitions)
    return result


@spark_app.command("reuse")
@command
def reuse_cmd(
    folder: str = typer.Argument(..., metavar="DIR", help="Output folder of `lunshu spark ingest`."),
    master: str = MASTER_OPT,
    partitions: int = PARTITIONS_OPT,
    driver_memory: str = MEMORY_OPT,
    as_json: bool = JSON_OPT,
) -> None:
    """Near-duplicate sentences → reuse_links/ and reuse_docs/ (the same links as `lunshu reuse`)."""
    result = _run_stage("reuse", folder, master, partitions, driver_memory)
    _emit(result, as_json, f"{result['links']} paragraph links in {result['clusters']} clusters, "
                           f"{result['documents']} document links → {folder}")


@spark_app.command("quotes")
@command
def quotes_cmd(
    folder: str = typer.Argument(..., metavar="DIR", help="Output folder of `lunshu spark ingest`."),
    master: str = MASTER_OPT,
    partitions: int = PARTITIONS_OPT,
    driver_memory: str = MEMORY_OPT,
    as_json: bool = JSON_OPT,
) -> None:
    """Quotation + attribution pairs of every document → quotes/."""
    result = _run_stage("quotes", folder, master, partitions, driver_memory)
    _emit(result, as_json, f"{result['quotes']} quotations in {result['documents']} documents → {folder}")


def main() -> None:
    spark_app(prog_name="lunshu spark")


if __name__ == "__main__":
    main()
