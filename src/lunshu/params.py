"""Every operation's parameters, declared once: name, type, bounds, default, allowed values, help.

The CLI's typer options (``Op.option``), the HTTP API's query models (``Op.model("http")``), the
pages' query models and form attributes (``Op.model("page")``, ``Op.form``) and the search fast
path's checks are all built from the tables below, so a bound or an allowed value is changed in
one place. A value outside its bounds is a usage error on every surface: exit 2 on the CLI
(``invalid_parameter``, with the JSON error shape under ``--json``), 422 ``invalid_parameter``
over HTTP. ``tests/test_params.py`` fails when a surface has a parameter that is not declared here.

Where a surface keeps a different *default* (the API's ``kwic`` returns every line unless
``limit`` is given; the CLI shows 100; the page 500), that difference is declared here too
(``defaults``), never in the surface's code.

Cheap to import: no typer, FastAPI or pydantic at module level (the CLI's start-up and the web
request path import this module); each builder imports what it needs when called.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from lunshu.errors import QueryError

F = TypeVar("F", bound=Callable[..., Any])

SURFACES = ("cli", "http", "page")

# The bound of every count that has no smaller one of its own: a larger number is a usage error
# (exit 2 / 422), not an integer SQLite cannot hold.
COUNT_MAX = 1_000_000_000
OFFSET_MAX = 10_000_000       # paging further than this is not paging
QUERY_MAX_CHARS = 1000        # a search query, or a text passed on the URL
TERM_MAX_CHARS = 200          # a term, topic, filter value or document id
TEXT_MAX_CHARS = 5000         # a quotation to trace
DATE_MAX_CHARS = 32
MAX_TERMS = 12                # formulations in one timeline

# CLI parameters that only choose how a result is printed; every command has them (not an operation's)
RENDER_ONLY = frozenset({"as_json", "as_csv"})


class InvalidParameter(QueryError):
    """A parameter value outside what its operation allows (bounds, allowed values, length)."""

    code = "invalid_parameter"
    http_status = 422


@dataclass(frozen=True)
class Param:
    """One parameter of one operation.

    ``name`` is the Python keyword (the ``Corpus`` method's and the CLI function's); ``cli`` the
    option (``--limit``) or, with ``argument``, the metavar of a positional argument; ``http`` the
    query parameter (``from``); None where the surface does not take it. ``page``: the page's
    form takes it too (when ``http`` is set). ``defaults`` overrides ``default`` per surface.
    """

    name: str
    type: str                         # int, float, str, bool, terms (a repeatable str)
    help: str
    default: Any = None
    min: float | None = None
    max: float | None = None
    max_length: int | None = None     # characters of a str, or of each term
    min_length: int | None = None     # over HTTP (the CLI leaves an empty value to the operation's own message)
    max_items: int | None = None      # terms
    choices: tuple[str, ...] = ()
    pattern: str | None = None
    metavar: str | None = None         # the CLI's name for the value (--new-since YEAR)
    offered: tuple[str, ...] = ()     # values a page's form offers in a list (where ``pattern`` allows more)
    required: bool = False
    cli: str | None = ""              # "" → "--" + name with dashes
    argument: bool = False
    http: str | None = ""             # "" → name
    page: bool = True
    defaults: Mapping[str, Any] = field(default_factory=dict, hash=False, compare=False)

    def __post_init__(self) -> None:
        if self.cli == "":
            object.__setattr__(self, "cli", "--" + self.name.replace("_", "-"))
        if self.http == "":
            object.__setattr__(self, "http", self.name)

    # -- what a surface sees ------------------------------------------------------------------------
    def on(self, surface: str) -> bool:
        if surface == "cli":
            return self.cli is not None
        if surface == "http":
            return self.http is not None
        return self.http is not None and self.page

    def default_for(self, surface: str) -> Any:
        return self.defaults.get(surface, self.default)

    def label(self, surface: str) -> str:
        """How a person names the parameter on ``surface``: ``--limit``, ``QUERY``, ``limit``."""
        if surface == "cli" and self.cli:
            return self.cli
        return self.http or self.name

    def bounds_text(self) -> str:
        parts = []
        if self.choices:
            parts.append(", ".join(self.choices))
        if self.min is not None and self.max is not None:
            parts.append(f"{_num(self.min)} to {_num(self.max)}")
        elif self.min is not None:
            parts.append(f"at least {_num(self.min)}")
        elif self.max is not None:
            parts.append(f"at most {_num(self.max)}")
        if self.max_items:
            parts.append(f"at most {self.max_items}")
        if self.max_length:
            parts.append(f"at most {self.max_length} characters" + (" each" if self.type == "terms" else ""))
        return "; ".join(parts)

    # -- the one check ------------------------------------------------------------------------------
    def problem(self, value: Any) -> str | None:
        """What is wrong with ``value`` (a parsed value), or None when it is allowed."""
        if value is None:
            return None
        if self.type == "terms":
            items = list(value)
            if self.max_items is not None and len(items) > self.max_items:
                return f"at most {self.max_items} at a time"
            for item in items:
                p = self._text_problem(item)
                if p:
                    return p
            return None
        if self.type in ("int", "float"):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                return "not a number"
            if self.min is not None and value < self.min:
                return f"{_num(value)} is less than the smallest allowed, {_num(self.min)}"
            if self.max is not None and value > self.max:
                return f"{_num(value)} is over the largest allowed, {_num(self.max)}"
            return None
        if self.type == "str":
            return self._text_problem(value)
        return None

    def _text_problem(self, value: Any) -> str | None:
        text = str(value)
        if self.max_length is not None and len(text) > self.max_length:
            return f"longer than {self.max_length} characters"
        if self.choices and text not in self.choices:
            return f"{text!r} is not one of {', '.join(self.choices)}"
        if self.pattern is not None and not re.fullmatch(self.pattern, text):
            return f"{text!r} is not allowed; use {self.help[0].lower() + self.help[1:]}"
        return None

    # -- builders -----------------------------------------------------------------------------------
    def option(self) -> Any:
        """The typer ``Option`` (or ``Argument``) of this parameter. Bounds are checked by
        ``Op.checked`` (one line, exit 2, the JSON error shape with ``--json``), not by click."""
        import typer

        default = self.default_for("cli")
        help_text = self.help + (f" ({self.bounds_text()})" if self.bounds_text() else "")
        required = self.required and "cli" not in self.defaults
        if self.argument:
            return typer.Argument(... if required else default, metavar=self.cli, help=help_text)
        assert self.cli is not None
        return typer.Option(... if required else default, self.cli, metavar=self.metavar, help=help_text)

    def field(self, surface: str) -> tuple[Any, Any]:
        """The pydantic ``(type, Field)`` of this parameter on ``surface`` (http or page)."""
        from typing import Annotated, Literal, Optional

        from pydantic import Field

        default = self.default_for(surface)
        required = self.required and surface == "http" and surface not in self.defaults
        base: Any = {"int": int, "float": float, "str": str, "bool": bool}.get(self.type)
        if self.type == "terms":
            base = list[Annotated[str, Field(max_length=self.max_length)]] if self.max_length else list[str]
        if self.choices:
            allowed = self.choices + ((default,) if isinstance(default, str) and default not in self.choices else ())
            base = Literal[allowed]  # type: ignore[valid-type]
        kw: dict[str, Any] = {"description": self.help}
        if self.http != self.name:
            kw["alias"] = self.http
        if self.type in ("int", "float"):
            if self.min is not None:
                kw["ge"] = self.min
            if self.max is not None:
                kw["le"] = self.max
        elif self.type == "str":
            if self.max_length is not None:
                kw["max_length"] = self.max_length
            if self.min_length is not None and required:
                kw["min_length"] = self.min_length
            if self.pattern is not None:
                kw["pattern"] = f"^(?:{self.pattern})$"
        elif self.type == "terms" and self.max_items is not None:
            kw["max_length"] = self.max_items
        if required:
            return base, Field(..., **kw)
        if self.type == "terms":
            return Optional[base], Field(default, **kw)  # noqa: UP045 - a runtime type, not an annotation
        return (Optional[base] if default is None else base), Field(default, **kw)  # noqa: UP045


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e15 else str(x)


@dataclass(frozen=True, eq=False)  # hashed by identity: ``model`` is cached per operation
class Op:
    """One operation: its parameters, and the CLI command, API routes and pages that take them."""

    name: str
    params: tuple[Param, ...]
    command: str | None = None                 # the CLI command
    routes: tuple[str, ...] = ()               # API paths
    pages: tuple[str, ...] = ()                # page paths

    def __getitem__(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(f"{self.name} has no parameter {name}")

    def __iter__(self) -> Iterator[Param]:
        return iter(self.params)

    def on(self, surface: str) -> list[Param]:
        return [p for p in self.params if p.on(surface)]

    def option(self, name: str) -> Any:
        return self[name].option()

    def check(self, values: Mapping[str, Any], surface: str = "cli") -> None:
        """Raise ``InvalidParameter`` naming the first value outside its bounds."""
        for p in self.params:
            if p.name in values:
                problem = p.problem(values[p.name])
                if problem:
                    raise InvalidParameter(f"{p.label(surface)}: {problem}")

    def checked(self, fn: F) -> F:
        """Decorate a CLI command: its arguments are checked against this spec before it runs."""

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            self.check(kwargs, "cli")
            return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    @functools.cache  # noqa: B019 - one model per (operation, surface), kept for the process
    def model(self, surface: str = "http", without: tuple[str, ...] = ()) -> Any:
        """A pydantic model of the query parameters on ``surface`` (but ``without`` some):
        ``Annotated[M, Query()]`` in a route reads them (aliases are the query names)."""
        from pydantic import BaseModel, ConfigDict, create_model, model_validator

        fields = {p.name: p.field(surface) for p in self.on(surface) if p.name not in without}
        title = "".join(w.capitalize() for w in re.split(r"[^a-z0-9]+", self.name)) + \
            ("Query" if surface == "http" else "PageQuery")
        blank_is_default = {str(p.http) for p in self.on(surface) if surface == "page" and p.type != "str"}

        class Base(BaseModel):
            model_config = ConfigDict(populate_by_name=True)

            @model_validator(mode="before")
            @classmethod
            def _blank(cls, data: Any) -> Any:
                """A page's form sends an empty field for a number left empty: its default."""
                if blank_is_default and isinstance(data, dict):
                    return {k: v for k, v in data.items() if not (k in blank_is_default and v == "")}
                return data

        return create_model(title, __base__=Base, **fields)

    def form(self, name: str) -> dict[str, Any]:
        """HTML form attributes of a parameter (min, max, maxlength) for a page's input."""
        p = self[name]
        out: dict[str, Any] = {}
        if p.min is not None:
            out["min"] = _num(p.min)
        if p.max is not None:
            out["max"] = _num(p.max)
        if p.max_length is not None:
            out["maxlength"] = p.max_length
        return out


# -- shared parameters -----------------------------------------------------------------------------
def _filters(*, page: bool = True, speaker_help: str = "Only documents with this speaker.") -> tuple[Param, ...]:
    return (
        Param("date_from", "str", "Earliest date (YYYY, YYYY-MM or YYYY-MM-DD).", cli="--from", http="from",
              max_length=DATE_MAX_CHARS, page=page),
        Param("date_to", "str", "Latest date (YYYY, YYYY-MM or YYYY-MM-DD), inclusive.", cli="--to", http="to",
              max_length=DATE_MAX_CHARS, page=page),
        Param("speaker", "str", speaker_help, max_length=TERM_MAX_CHARS, page=page),
        Param("genre", "str", "Only this genre (speech, report, letter, compilation, ...); several "
                              "separated by commas.", max_length=TERM_MAX_CHARS, page=page),
        Param("source", "str", "Only documents whose source outlet contains this.", max_length=TERM_MAX_CHARS,
              page=page),
    )


FILTERS = _filters()


def _format(*choices: str) -> Param:
    return Param("format", "str", f"{' or '.join(choices)}.", default=choices[0], choices=choices, cli=None,
                 page=False)


TABLE_FORMAT = _format("json", "csv")

# -- the operations --------------------------------------------------------------------------------
SEARCH = Op("search", (
    Param("query", "str", 'Terms are ANDed; "a phrase"; a OR b; -term excludes.', required=True, argument=True,
          cli="QUERY", http="q", min_length=1, max_length=QUERY_MAX_CHARS),
    Param("limit", "int", "Hits per page.", default=20, min=0, max=1000),
    Param("offset", "int", "Skip this many hits.", default=0, min=0, max=OFFSET_MAX),
    *FILTERS,
    Param("title_only", "bool", "Match titles only.", default=False),
    Param("sort", "str", "relevance or date.", default="relevance", choices=("relevance", "date")),
    Param("by", "str", "Hits by paragraph, or grouped by document.", default="paragraph",
          choices=("paragraph", "doc")),
    TABLE_FORMAT,
), command="search", routes=("/api/search",), pages=("/",))

KWIC_LIMIT = 100

KWIC = Op("kwic", (
    Param("term", "str", "The phrase to show in context.", required=True, argument=True, cli="TERM",
          min_length=1, max_length=TERM_MAX_CHARS),
    Param("width", "int", "Characters of context on each side.", default=20, min=1, max=500),
    Param("sort", "str", "Date, or context positions 1L, 2L, 1R, 2R; several comma-separated (1R,2R).",
          default="date", pattern=r" *(?:[1-9][LRlr] *, *)*(?:date|[1-9][LRlr]) *",
          offered=("2L", "1L", "1R", "2R", "date")),
    Param("limit", "int", f"At most this many lines (default {KWIC_LIMIT}; --all for every one; over HTTP "
                           "every line unless given).", default=KWIC_LIMIT, min=0, max=100_000,
          defaults={"http": None, "page": 500}),
    Param("show_all", "bool", "Every line, however many.", default=False, cli="--all", http=None),
    *FILTERS,
    TABLE_FORMAT,
), command="kwic", routes=("/api/kwic",), pages=("/kwic",))

TIMELINE = Op("timeline", (
    Param("terms", "terms", "One or more formulations (over HTTP: repeat term).", required=True, argument=True,
          cli="TERM...", http="term", max_items=MAX_TERMS, max_length=TERM_MAX_CHARS),
    Param("by", "str", "year or month.", default="year", choices=("year", "month")),
    Param("svg", "str", "Also write the chart as SVG to this file.", http=None),
    *_filters(page=False),
    TABLE_FORMAT,
), command="timeline", routes=("/api/timeline", "/api/timeline.svg"), pages=("/timeline",))

DOCS = Op("docs", (
    *FILTERS,
    Param("limit", "int", "At most this many (over HTTP: every one unless given).", min=0, max=100_000,
          defaults={"page": 50}),
    Param("offset", "int", "Skip this many.", default=0, min=0, max=OFFSET_MAX),
    TABLE_FORMAT,
), command="docs", routes=("/api/docs",), pages=("/docs",))

DOC_ID = Param("doc_id", "str", "Document id (see `lunshu docs`).", required=True, argument=True, cli="ID",
               http=None, max_length=TERM_MAX_CHARS)  # over HTTP a part of the path

KEYWORDS = Op("keywords", (
    DOC_ID,
    Param("top", "int", "How many keywords.", default=20, min=1, max=1000),
    TABLE_FORMAT,
), command="keywords", routes=("/api/keywords/{doc_id}",))

COLLOCATES = Op("collocates", (
    Param("term", "str", "The node term.", required=True, argument=True, cli="TERM", min_length=1,
          max_length=TERM_MAX_CHARS),
    Param("window", "int", "Words on each side.", default=5, min=1, max=50),
    Param("min_freq", "int", "Minimum co-occurrences.", default=2, min=1, max=1_000_000),
    Param("top", "int", "How many collocates.", default=30, min=1, max=1000),
    *_filters(page=False),
    TABLE_FORMAT,
), command="collocates", routes=("/api/collocates",), pages=("/collocates",))

COMPILE = Op("compile", (
    Param("topic", "str", "A topic or formulation, e.g. 网络空间命运共同体.", required=True, argument=True,
          cli="TOPIC", min_length=1, max_length=TERM_MAX_CHARS),
    Param("fmt", "str", "md, json or docx.", default="md", choices=("md", "json", "docx"), cli="--format",
          http="format", page=False, defaults={"http": "json"}),
    Param("out", "str", "Output file (docx needs one).", http=None),
    *FILTERS[:2],
    Param("speaker", "str", "Whose statements (default: the speaker most quoted on the topic, named in the "
                            "header).", max_length=TERM_MAX_CHARS),
    Param("variant", "terms", "Another wording of the topic to include too (repeatable).", default=[], page=False,
          defaults={"http": None}),
    Param("lang", "str", "Language of the output's fixed text (default: zh for a Chinese topic).",
          choices=("zh", "en"), page=False),
), command="compile", routes=("/api/compile",), pages=("/compile",))

STATUSES = ("verified", "variant", "misattributed", "unverified", "not_found")

QUOTES = Op("quotes", (
    Param("doc", "str", "Only quotations in this document.", max_length=TERM_MAX_CHARS),
    Param("status", "str", "Only quotations with this status.", choices=STATUSES, defaults={"page": ""}),
    TABLE_FORMAT,
), command="quotes", routes=("/api/quotes",), pages=("/quotes",))

TRACE = Op("trace", (
    Param("text", "str", "The quotation (use - to read it from stdin).", required=True, argument=True, cli="TEXT",
          min_length=1, max_length=TEXT_MAX_CHARS),
    Param("date", "str", "The date it is attributed to.", max_length=DATE_MAX_CHARS),
    Param("limit", "int", "At most this many sources.", default=10, min=1, max=100),
), command="trace", routes=("/api/trace",), pages=("/trace",))

REUSE = Op("reuse", (
    Param("doc", "str", "Only links and clusters involving this document.", max_length=TERM_MAX_CHARS),
    Param("threshold", "float", "Minimum similarity.", min=0.0, max=1.0),
    TABLE_FORMAT,
), command="reuse", routes=("/api/reuse",))

_MIN_LEN = Param("min_len", "int", "Shortest formulation (characters).", default=4, min=2, max=32, page=False)
_MAX_LEN = Param("max_len", "int", "Longest formulation (characters).", default=16, min=2, max=32, page=False)

FORMULATIONS = Op("formulations", (
    *FILTERS,
    Param("new_since", "int", metavar="YEAR", help="Only formulations first used in or after this year, ranked by how established "
                              "they became.", min=1, max=9999),
    Param("limit", "int", "At most this many.", default=100, min=0, max=5000),
    _MIN_LEN, _MAX_LEN,
    Param("min_count", "int", "Fewest occurrences.", default=3, min=2, max=COUNT_MAX, page=False),
    Param("min_docs", "int", "Fewest documents using it.", default=2, min=1, max=COUNT_MAX, page=False),
    TABLE_FORMAT,
), command="formulations", routes=("/api/formulations",), pages=("/formulations",))

KEYNESS = Op("keyness", (
    Param("a", "str", 'Subcorpus A as key=value words: from, to, speaker, genre, source (e.g. "from=2013 '
                      'to=2017"; "" is the whole corpus).', required=True, max_length=400, metavar="FILTERS",
          defaults={"http": "", "page": None}),
    Param("b", "str", 'Subcorpus B, the same way (e.g. "to=2012").', required=True, max_length=400, metavar="FILTERS",
          defaults={"http": "", "page": None}),
    Param("limit", "int", "At most this many keywords on each side.", default=50, min=0, max=5000),
    Param("min_ll", "float", "Smallest |log-likelihood| kept (3.84: p<0.05, 6.63: p<0.01).", default=3.84, min=0.0,
          max=1e9, page=False),
    _MIN_LEN, _MAX_LEN,
    Param("min_count", "int", "Fewest occurrences in A and B together.", default=3, min=2, max=COUNT_MAX,
          page=False),
    TABLE_FORMAT,
), command="keyness", routes=("/api/keyness",), pages=("/keyness",))

CHANGES = Op("changes", (
    *FILTERS,
    Param("limit", "int", "At most this many changes.", default=50, min=0, max=2000),
    Param("min_count", "int", "Fewest uses of each wording in the frame.", default=2, min=1, max=COUNT_MAX,
          page=False),
    Param("min_switch", "float", "How cleanly the new wording replaced the old (1: every use of the old precedes "
                                 "every use of the new).", default=0.6, min=0.01, max=1.0, page=False),
    Param("context", "int", "Characters of frame on each side.", default=4, min=1, max=8, page=False),
    Param("max_middle", "int", "Longest differing wording.", default=8, min=1, max=16, page=False),
    Param("expansions", "bool", "Also compare a formulation alone with it after added words (依法治国 → "
                                "全面依法治国), with context on the right only (slower).", default=False, page=False),
    TABLE_FORMAT,
), command="changes", routes=("/api/changes",), pages=("/changes",))

ALL: tuple[Op, ...] = (SEARCH, KWIC, TIMELINE, DOCS, KEYWORDS, COLLOCATES, COMPILE, QUOTES, TRACE, REUSE,
                       FORMULATIONS, KEYNESS, CHANGES)


def bounds_markdown() -> str:
    """The parameters of every operation as a Markdown table (docs/cli.md carries it; a test checks it
    is current)."""
    lines = ["| command | option | HTTP | default | allowed |", "|---|---|---|---|---|"]
    filters = {p.name for p in FILTERS}
    for p in FILTERS:
        lines.append(f"| every command with filters | `{p.cli}` | `{p.http}` | | {p.bounds_text()} |")
    for op in ALL:
        for p in op.params:
            if p.type == "bool" or (p.cli is None and p.name == "format") or p.name in filters:
                continue
            default = p.default_for("cli") if p.cli is not None else p.default_for("http")
            shown = "" if default is None else f"`{default}`"
            other = {s: p.defaults[s] for s in ("http", "page") if s in p.defaults}
            if other:
                shown += "".join(f" ({s}: `{v}`)" if v is not None else f" ({s}: all)" for s, v in other.items())
            lines.append(f"| `{op.command}` | {f'`{p.cli}`' if p.cli else '—'} | {f'`{p.http}`' if p.http else '—'} "
                         f"| {shown} | {p.bounds_text() or (p.help if p.pattern else '')} |")
    return "\n".join(lines)


def by_name(name: str) -> Op:
    for op in ALL:
        if op.name == name:
            return op
    raise KeyError(name)
