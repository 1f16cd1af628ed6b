"""The ``lunshu`` command: parse, call one Corpus method, render.

Every command takes ``--json`` (one JSON document on stdout, nothing else there). Errors: exit 1
with one line on stderr (and the JSON error shape on stdout with ``--json``); usage errors exit 2.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

import typer

from lunshu import __version__, settings
from lunshu.cli_common import JSON_OPT, LazyConsole, command, err_console, parse_fields
from lunshu.cli_common import print_json as _print_json
from lunshu.errors import LunshuError, QueryError
from lunshu.params import COLLOCATES, COMPILE, DOCS, KEYWORDS, KWIC, QUOTES, REUSE, SEARCH, TIMELINE, TRACE
from lunshu.tabular import write_csv

app = typer.Typer(
    name="lunshu",
    help="lunshu (论述): a database for speeches and official statements.",
    epilog="Environment:\n\n" + settings.help_text().replace("\n", "\n\n"),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
out_console = LazyConsole(highlight=False, soft_wrap=True)

F = TypeVar("F", bound=Callable[..., Any])


class _State:
    db: str | None = None


state = _State()


def _db() -> str:
    return state.db or settings.db()


def _corpus(readonly: bool = False, caches: bool = False) -> Any:
    """The corpus at --db. ``readonly``: opened read-only (nothing written, works on a read-only
    file, never waits behind a writer); ``caches``: analysis caches may still be stored when the
    file may be written (keywords, collocates, reuse, formulations)."""
    from lunshu.corpus import Corpus

    if readonly and not Path(_db()).exists():
        raise LunshuError(f"no database at {_db()}; run `lunshu ingest PATH` first or pass --db")
    return Corpus(_db(), readonly=readonly, caches=caches)


CSV_OPT = typer.Option(False, "--csv", help="Print CSV on stdout, in the order shown.")


def _write_csv(rows: list[dict[str, Any]], columns: list[str]) -> None:
    write_csv(sys.stdout, rows, columns)


def _cell(v: Any) -> str:
    return "、".join(map(str, v)) if isinstance(v, list) else ("" if v is None else str(v))


def _table(rows: list[dict[str, Any]], columns: list[str], title: str | None = None) -> None:
    """A table on a terminal; piped, one line per row, tab-separated (never wrapped to a width)."""
    if not out_console.is_terminal:
        if title:
            sys.stdout.write(title + "\n")
        sys.stdout.write("\t".join(columns) + "\n")
        for r in rows:
            sys.stdout.write("\t".join(" ".join(_cell(r.get(c)).split()) for c in columns) + "\n")
        return
    from rich.table import Table

    t = Table(title=title, show_lines=False)
    for c in columns:
        t.add_column(c, overflow="fold")
    for r in rows:
        t.add_row(*[_cell(r.get(c)) for c in columns])
    out_console.print(t)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"lunshu {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    db: str = typer.Option(None, "--db", help="Database file (default: $LUNSHU_DB, else ./lunshu.db)."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version."),
) -> None:
    """lunshu (论述): ingest, search, trace and analyse speeches and official statements."""
    state.db = db


# -- ingest & documents --------------------------------------------------------------------------


@app.command()
@command
def ingest(
    paths: list[str] = typer.Argument(..., help="Files, folders (recursive), globs, or - for stdin."),
    field: list[str] = typer.Option([], "--field", help="Map a field: key=COLUMN (e.g. text=正文). Repeatable."),
    encoding: str = typer.Option(None, "--encoding", help="Force an encoding (e.g. gb18030, big5)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
    jobs: int = typer.Option(None, "--jobs", "-j", min=0, max=64,
                             help="Worker processes building documents while this one writes "
                                  "(0: none; default: one less than the cores, for inputs of 1 MB or more)."),
    as_book: bool = typer.Option(None, "--as-book/--no-book",
                                 help="Split PDFs and text volumes into their dated pieces (default: when a table "
                                      "of contents or title + date-line pairs is found)."),
    as_json: bool = JSON_OPT,
) -> None:
    """Ingest .txt .md .html .json .jsonl .csv .parquet .pdf files: clean, describe, index."""
    field_map = parse_fields(field)
    corpus = _corpus()
    progress_cm: Any = None
    task: Any = None
    callback = None
    if not quiet and err_console.is_terminal:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        progress_cm = Progress(TextColumn("ingest"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                               console=err_console.get(), transient=True)
        progress_cm.start()

        page_task: Any = None

        def callback(event: str, n: int) -> None:
            nonlocal task, page_task
            if event == "files":
                task = progress_cm.add_task("ingest", total=n)
            elif event == "pages":  # a PDF: one bar by page while it is read
                if page_task is not None:
                    progress_cm.remove_task(page_task)
                page_task = progress_cm.add_task("pages", total=n)
            elif event == "page":
                if page_task is not None:
                    progress_cm.advance(page_task, n)
            elif task is not None:
                progress_cm.advance(task, n)

    try:
        report = corpus.ingest(paths, field_map=field_map or None, encoding=encoding, progress=callback,
                               jobs=jobs, book=as_book)
    finally:
        if progress_cm is not None:
            progress_cm.stop()
    if as_json:
        _print_json(report)
    else:
        typer.echo(f"added {report.added}, updated {report.updated}, unchanged {report.unchanged}, "
                   + (f"same text as a stored document {len(report.duplicates)}, " if report.duplicates else "")
                   + (f"skipped {len(report.skipped)}, " if report.skipped else "")
                   + (f"warnings {len(report.warnings)}, " if report.warnings else "")
                   + f"failed {len(report.failed)}")
        for b in report.books:  # the clean report of each book
            fixes = ", ".join(f"{k} {v}" for k, v in b["repairs"].items())
            typer.echo(f"book {b['source'] or b['path']}: {b['pieces']} pieces"
                       + (f", {b['pages']} pages" if b["pages"] else "") + (f"; repairs: {fixes}" if fixes else ""))
        for s in report.skipped:
            err_console.print(f"lunshu: skipped: {s['path']}: {s['reason']}", markup=False)
        for d in report.duplicates:
            where = d["path"] + (f" (record {d['record']})" if d["record"] is not None else "")
            err_console.print(f"lunshu: not stored again: {where} has the same text as {d['same_as']}",
                              markup=False)
        for w in report.warnings:  # stored, with a field it gave and lunshu could not use
            where = w.path + (f" (record {w.record})" if w.record is not None else "")
            err_console.print(f"lunshu: warning: {where}: {w.message}", markup=False)
    for f in report.failed:
        where = f.path + (f" (record {f.record})" if f.record is not None else "")
        err_console.print(f"lunshu: failed: {where}: {f.error}", markup=False)
    if report.failed:
        raise typer.Exit(1)


class Genre(str, Enum):
    speech = "speech"
    report = "report"
    letter = "letter"
    compilation = "compilation"
    interview = "interview"
    article = "article"
    other = "other"




def _check_date(value: str | None, name: str) -> str | None:
    if value is None:
        return None
    from lunshu.dates import filter_date

    iso = filter_date(value)
    if iso is None:  # a bad option value: a usage error (exit 2)
        raise QueryError(f"{name}: {value!r} is not a date; use YYYY, YYYY-MM or YYYY-MM-DD")
    return iso


@app.command()
@command
@DOCS.checked
def docs(
    speaker: str = DOCS.option("speaker"),
    genre: str = DOCS.option("genre"),
    date_from: str = DOCS.option("date_from"),
    date_to: str = DOCS.option("date_to"),
    source: str = DOCS.option("source"),
    limit: int = DOCS.option("limit"),
    offset: int = DOCS.option("offset"),
    as_json: bool = JSON_OPT,
    as_csv: bool = CSV_OPT,
) -> None:
    """List documents with their metadata."""
    corpus = _corpus(readonly=True)
    rows = [d.summary() for d in corpus.docs(speaker=speaker, genre=genre, date_from=_check_date(date_from, "--from"),
                                             date_to=_check_date(date_to, "--to"), source=source, limit=limit,
                                             offset=offset)]
    cols = ["id", "date", "genre", "speakers", "title", "source", "paragraphs", "chars"]
    if as_json:
        _print_json(rows)
    elif as_csv:
        _write_csv(rows, list(rows[0].keys()) if rows else cols)
    else:
        _table(rows, cols)


@app.command()
@command
def show(
    doc_id: str = typer.Argument(..., metavar="ID", help="Document id (see `lunshu docs`)."),
    raw: bool = typer.Option(False, "--raw", help="Print the original text as ingested."),
    as_json: bool = JSON_OPT,
) -> None:
    """Show one document: metadata and numbered paragraphs."""
    doc = _corpus(readonly=True).get(doc_id)
    if as_json:
        _print_json(doc)
        return
    if raw:
        typer.echo(doc.raw)
        return
    from rich.markup import escape

    s = doc.summary()
    if doc.page_start is not None:
        s["pages"] = f"{doc.page_start}–{doc.page_end}" if doc.page_end not in (None, doc.page_start) \
            else str(doc.page_start)
    for k in ("id", "title", "date", "speakers", "occasion", "genre", "source", "pages", "url", "publisher_keywords",
              "keywords", "reporters", "origin"):
        v = s.get(k)
        if v:
            out_console.print(f"[bold]{k}[/bold]: " + escape("、".join(v) if isinstance(v, list) else str(v)))
    out_console.print()
    for i, p in enumerate(doc.paragraphs, 1):
        page = doc.page_of(i)
        mark = f" p.{page}" if page is not None and (i == 1 or doc.page_of(i - 1) != page) else ""
        out_console.print(f"[dim]{i:>4}{mark}[/dim]  {escape(p)}", markup=True)  # text is never markup
    if doc.notes:
        out_console.print()
        out_console.print("[bold]notes[/bold]:")
        for note in doc.notes:
            out_console.print(f"  {escape(note)}", markup=True)


class ExportFormat(str, Enum):
    jsonl = "jsonl"
    csv = "csv"
    parquet = "parquet"


@app.command()
@command
def export(
    fmt: ExportFormat = typer.Option(ExportFormat.jsonl, "--format", help="jsonl (lossless), csv or parquet."),
    out: str = typer.Option(None, "--out", help="Output file (default: stdout; parquet needs a file)."),
    as_json: bool = JSON_OPT,
) -> None:
    """Export every document as `show` gives it."""
    corpus = _corpus(readonly=True)
    if as_json and not out:
        raise LunshuError("--json prints a summary; give --out FILE for the export itself")
    n = corpus.export(out, fmt.value)
    if as_json:
        _print_json({"exported": n, "format": fmt.value, "out": out})
    elif out:
        err_console.print(f"exported {n} documents to {out}", markup=False)


@app.command()
@command
def check(
    repair: bool = typer.Option(False, "--repair", help="Rebuild indexes that disagree with the stored text."),
    as_json: bool = JSON_OPT,
) -> None:
    """Verify the database: integrity, and that paragraphs, metadata and indexes agree."""
    result = _corpus(readonly=not repair).check(repair=repair)
    if as_json:
        _print_json(result)
    else:
        for k, v in result.items():
            typer.echo(f"{k}: {v}")
    if not result.get("ok", False):  # after --repair: what is still wrong
        raise typer.Exit(1)


# -- search --------------------------------------------------------------------------------------
@app.command()
@command
@SEARCH.checked
def search(
    query: str = SEARCH.option("query"),
    limit: int = SEARCH.option("limit"),
    offset: int = SEARCH.option("offset"),
    date_from: str = SEARCH.option("date_from"),
    date_to: str = SEARCH.option("date_to"),
    speaker: str = SEARCH.option("speaker"),
    genre: str = SEARCH.option("genre"),
    source: str = SEARCH.option("source"),
    title_only: bool = SEARCH.option("title_only"),
    sort: str = SEARCH.option("sort"),
    by: str = SEARCH.option("by"),
    as_json: bool = JSON_OPT,
    as_csv: bool = CSV_OPT,
) -> None:
    """Exact substring search: every paragraph containing the phrase, and no other."""
    result = _corpus(readonly=True).search(
        query, limit=limit, offset=offset, date_from=_check_date(date_from, "--from"),
        date_to=_check_date(date_to, "--to"), speaker=speaker, genre=genre, source=source,
        title_only=title_only, sort=sort, by=by)
    if as_json:
        _print_json(result)
        return
    rows = [h.to_dict() for h in result.hits]
    if as_csv:
        _write_csv(rows, ["doc_id", "title", "date", "paragraph", "score", "text"])
        return
    from lunshu.render import print_search

    print_search(out_console, result)


@app.command()
@command
@KWIC.checked
def kwic(
    term: str = KWIC.option("term"),
    width: int = KWIC.option("width"),
    sort: str = KWIC.option("sort"),
    limit: int = KWIC.option("limit"),
    show_all: bool = KWIC.option("show_all"),
    date_from: str = KWIC.option("date_from"),
    date_to: str = KWIC.option("date_to"),
    speaker: str = KWIC.option("speaker"),
    genre: str = KWIC.option("genre"),
    source: str = KWIC.option("source"),
    as_json: bool = JSON_OPT,
    as_csv: bool = CSV_OPT,
) -> None:
    """Concordance: one line per occurrence, with left and right context."""
    lines = _corpus(readonly=True).kwic(term, width=width, sort=sort, limit=None if show_all else limit,
                                        date_from=_check_date(date_from, "--from"),
                                        date_to=_check_date(date_to, "--to"), speaker=speaker, genre=genre,
                                        source=source)
    rows = [x.to_dict() for x in lines]
    if as_json:
        _print_json(rows)
    elif as_csv:
        _write_csv(rows, ["doc_id", "date", "paragraph", "left", "match", "right"])
    else:
        from lunshu.render import print_kwic

        print_kwic(out_console, lines, width)


# -- analysis ------------------------------------------------------------------------------------
@app.command()
@command
@TIMELINE.checked
def timeline(
    terms: list[str] = TIMELINE.option("terms"),
    by: str = TIMELINE.option("by"),
    svg: str = TIMELINE.option("svg"),
    date_from: str = TIMELINE.option("date_from"),
    date_to: str = TIMELINE.option("date_to"),
    speaker: str = TIMELINE.option("speaker"),
    genre: str = TIMELINE.option("genre"),
    source: str = TIMELINE.option("source"),
    as_json: bool = JSON_OPT,
    as_csv: bool = CSV_OPT,
) -> None:
    """How often formulations occur per period: count, documents, per million characters, first use."""
    corpus = _corpus(readonly=True)
    result = corpus.timeline(terms, by=by, date_from=_check_date(date_from, "--from"),
                             date_to=_check_date(date_to, "--to"), speaker=speaker, genre=genre, source=source)
    if svg:
        from lunshu.analysis.timeline import to_svg

        Path(svg).write_text(to_svg(result), encoding="utf-8")
    data = result.to_dict() if hasattr(result, "to_dict") else result
    if as_json:
        _print_json(data)
        return
    rows = result.rows()  # the periods, then (by month) the counts of documents dated only to the year
    if as_csv:
        _write_csv(rows, ["term", "period", "count", "docs", "per_million"])
    else:
        _table(rows, ["term", "period", "count", "docs", "per_million"])
        for term, info in data.items():
            t = info["total"]
            out_console.print(f"total {term}: {t['count']} occurrences in {t['docs']} documents"
                              + (f" ({t['year_only']} in documents dated only to the year)" if t.get("year_only")
                                 else "")
                              + (f" ({t['undated']} in undated documents)" if t.get("undated") else ""),
                              markup=False)
        for term, info in data.items():
            first = info.get("first")
            if first:
                out_console.print(f"first {term}: {first.get('date')} {first.get('doc_id')} "
                                  f"¶{first.get('paragraph')}", markup=False)


@app.command()
@command
@KEYWORDS.checked
def keywords(
    doc_id: str = KEYWORDS.option("doc_id"),
    top: int = KEYWORDS.option("top"),
    as_json: bool = JSON_OPT,
    as_csv: bool = CSV_OPT,
) -> None:
    """Keywords of one document (formulations kept whole)."""
    rows = _corpus(readonly=True, caches=True).keywords(doc_id, top=top)
    rows = [r.to_dict() if hasattr(r, "to_dict") else r for r in rows]
    if as_json:
        _print_json(rows)
    elif as_csv:
        _write_csv(rows, ["term", "weight"])
    else:
        _table(rows, ["term", "weight"])


@app.command()
@command
@COLLOCATES.checked
def collocates(
    term: str = COLLOCATES.option("term"),
    window: int = COLLOCATES.option("window"),
    min_freq: int = COLLOCATES.option("min_freq"),
    top: int = COLLOCATES.option("top"),
    date_from: str = COLLOCATES.option("date_from"),
    date_to: str = COLLOCATES.option("date_to"),
    speaker: str = COLLOCATES.option("speaker"),
    genre: str = COLLOCATES.option("genre"),
    source: str = COLLOCATES.option("source"),
    as_json: bool = JSON_OPT,
    as_csv: bool = CSV_OPT,
) -> None:
    """Words that keep company with a term: co-occurrence, logDice, MI."""
    result = _corpus(readonly=True, caches=True).collocates(term, window=window, min_freq=min_freq, top=top,
                                               date_from=_check_date(date_from, "--from"),
                                               date_to=_check_date(date_to, "--to"), speaker=speaker, genre=genre,
                                               source=source)
    data = result.to_dict() if hasattr(result, "to_dict") else result
    if as_json:
        _print_json(data)
        return
    rows = data.get("collocates", [])
    cols = ["term", "cooccurrences", "freq", "expected", "log_dice", "mi"]
    if as_csv:
        _write_csv(rows, cols)
    else:
        _table(rows, cols, title=f"{term}: window ±{window}, min {min_freq}, {data.get('segmenter', '')}")


@app.command(name="compile")
@command
@COMPILE.checked
def compile_cmd(
    topic: str = COMPILE.option("topic"),
    fmt: str = COMPILE.option("fmt"),
    out: str = COMPILE.option("out"),
    date_from: str = COMPILE.option("date_from"),
    date_to: str = COMPILE.option("date_to"),
    speaker: str = COMPILE.option("speaker"),
    variant: list[str] = COMPILE.option("variant"),
    lang: str = COMPILE.option("lang"),
    as_json: bool = JSON_OPT,
) -> None:
    """An automatic compilation (论述摘编): statements on a topic, in order, attributions checked."""
    comp = _corpus(readonly=True).compile(topic, date_from=_check_date(date_from, "--from"),
                                          date_to=_check_date(date_to, "--to"), speaker=speaker,
                                          variants=variant, lang=lang)
    if as_json or fmt == "json":
        text = json.dumps(comp.to_dict(), ensure_ascii=False, indent=None if as_json else 2)
    elif fmt == "md":
        text = comp.to_markdown()
    else:
        if not out:
            raise LunshuError("--format docx needs --out FILE.docx")
        comp.to_docx(out)
        err_console.print(f"wrote {out}", markup=False)
        return
    if out:
        Path(out).write_text(text + "\n", encoding="utf-8")
        err_console.print(f"wrote {out}", markup=False)
    else:
        sys.stdout.write(text + "\n")


# -- provenance ----------------------------------------------------------------------------------
@app.command()
@command
@QUOTES.checked
def quotes(
    doc: str = QUOTES.option("doc"),
    status: str = QUOTES.option("status"),
    as_json: bool = JSON_OPT,
    as_csv: bool = CSV_OPT,
) -> None:
    """Quotations with their attributions, each traced to its source and checked."""
    items = _corpus(readonly=True).quotes(doc_id=doc, status=status)
    rows = [q.to_dict() for q in items]
    if as_json:
        _print_json(rows)
        return
    flat = [{"doc_id": r["doc_id"], "paragraph": r["paragraph"], "date": r["attribution"]["date"],
             "speaker": r["attribution"]["speaker"], "status": r["status"],
             "source": (r["sources"][0]["doc_id"] + " ¶" + str(r["sources"][0]["paragraph"])) if r["sources"] else "",
             "quote": r["quote"]} for r in rows]
    if as_csv:
        _write_csv(flat, ["doc_id", "paragraph", "date", "speaker", "status", "source", "quote"])
    else:
        _table(flat, ["doc_id", "paragraph", "date", "speaker", "status", "source", "quote"])


@app.command()
@command
@TRACE.checked
def trace(
    text: str = TRACE.option("text"),
    date: str = TRACE.option("date"),
    limit: int = TRACE.option("limit"),
    as_json: bool = JSON_OPT,
) -> None:
    """Where a quotation comes from, and whether its attribution holds."""
    if text == "-":
        text = sys.stdin.read()
    result = _corpus(readonly=True).trace(text, date=_check_date(date, "--date"), limit=limit)
    if as_json:
        _print_json(result)
        return
    from lunshu.render import print_trace

    print_trace(out_console, result)


@app.command()
@command
@REUSE.checked
def reuse(
    doc: str = REUSE.option("doc"),
    threshold: float = REUSE.option("threshold"),
    as_json: bool = JSON_OPT,
    as_csv: bool = CSV_OPT,
) -> None:
    """Near-duplicate paragraphs and documents: versions of the same text across the corpus."""
    corpus = _corpus(readonly=True, caches=True)
    result = corpus.reuse(doc_id=doc, threshold=threshold)
    data = result.to_dict()
    if as_json:
        _print_json(data)
        return
    meta = {d.id: d for d in corpus.docs()}

    def side(ref: dict[str, Any], key: str) -> dict[str, Any]:
        d = meta.get(ref["doc_id"])
        return {key: f"{ref['doc_id']} ¶{ref.get('paragraph')}", f"{key}_date": d.date if d else None,
                f"{key}_title": d.title if d else None}

    # versions of a text first, passages recurring in many documents (boilerplate) last
    rows = [{**side(x["a"], "a"), **side(x["b"], "b"), "score": x["score"],
             "kind": "boilerplate" if x.get("boilerplate") else x.get("kind")} for x in data["links"]]
    cols = ["a", "a_date", "a_title", "b", "b_date", "b_title", "score", "kind"]
    if as_csv:
        _write_csv(rows, cols)
        return
    docs_rows = [{"a": r["a"], "a_date": meta[r["a"]].date if r["a"] in meta else None,
                  "a_title": meta[r["a"]].title if r["a"] in meta else None,
                  "b": r["b"], "b_date": meta[r["b"]].date if r["b"] in meta else None,
                  "b_title": meta[r["b"]].title if r["b"] in meta else None,
                  "relation": r.get("relation"), "score": r["score"]} for r in data.get("documents", [])]
    if docs_rows:
        _table(docs_rows, ["a", "a_date", "a_title", "b", "b_date", "b_title", "relation", "score"],
               title=f"{len(docs_rows)} related documents")
        out_console.print()
    _table(rows, cols, title=f"{len(data['clusters'])} clusters of passages")


# -- serving -------------------------------------------------------------------------------------
@app.command()
@command
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to bind (loopback by default)."),
    port: int = typer.Option(8000, "--port", min=0, max=65535, help="Port."),
    token: str = typer.Option(None, "--token", envvar=settings.TOKEN,
                              help="Enable POST /api/ingest for requests carrying this token."),
    workers: int = typer.Option(1, "--workers", min=1, max=64,
                                help="Server processes sharing the port (each with its own connections and cache)."),
    cache_mb: float = typer.Option(None, "--cache-mb", min=0.0,
                                   help="Memory for cached search answers, per process, in MB "
                                        "(0: no cache; default $LUNSHU_CACHE_MB, else 32)."),
    as_json: bool = JSON_OPT,
) -> None:
    """Serve the web UI and the HTTP JSON API."""
    import uvicorn

    from lunshu.corpus import Corpus
    from lunshu.web import app as web
    settings.hand_to_workers(cache_mb=cache_mb)  # read by create_app, here and in every worker
    if workers == 1:
        application: Any = web.create_app(_db(), token=token)
    else:
        # Workers are new processes started by uvicorn: they find the database and the token in
        # the environment. Nothing corpus-wide is computed at start-up (see web.warm_up).
        db = str(Path(_db()).resolve())
        settings.hand_to_workers(db=db, token=token)
        if token:
            Corpus(db).close()  # create or upgrade the file once, before the workers read it
        application = "lunshu.web.app:create_app_from_env"
    if as_json:
        _print_json({"serving": f"http://{host}:{port}/", "db": _db()})
    else:
        err_console.print(f"lunshu: serving {_db()} on http://{host}:{port}/"
                          + (f" with {workers} worker processes" if workers > 1 else ""), markup=False)
    # SIGTERM: open connections get a short grace, work in progress is cancelled (lunshu.web.limits),
    # and the process ends within seconds even if a worker thread is still inside a computation
    if workers == 1:
        class _Server(uvicorn.Server):
            def handle_exit(self, sig: int, frame: Any) -> None:
                web.limits.cancel_all("the server is shutting down")  # work in progress stops now
                super().handle_exit(sig, frame)

        try:
            _Server(uvicorn.Config(application, host=host, port=port, log_level="warning",
                                   timeout_graceful_shutdown=2)).run()
        finally:
            web.limits.cancel_all("the server is shutting down")
            web.exit_soon(0.5)
    else:
        from lunshu.web.serving import NoDelayHTTP

        uvicorn.run(application, host=host, port=port, log_level="warning", workers=workers, factory=True,
                    http=NoDelayHTTP, timeout_graceful_shutdown=2)


from lunshu.cli_formulations import register as _register_formulations
from lunshu.load import load_command
from lunshu.spark.cli import spark_app

_register_formulations(app, sys.modules[__name__])  # this module, also when run as __main__

app.command(name="load")(load_command)
app.add_typer(spark_app, name="spark")

def main() -> None:
    try:
        app()
    except BrokenPipeError:  # `lunshu … | head`
        with contextlib.suppress(Exception):
            sys.stdout.close()


if __name__ == "__main__":
    main()
