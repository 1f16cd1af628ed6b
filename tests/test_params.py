"""One parameter spec per operation (``lunshu.params``): every surface takes exactly the declared
parameters, and the CLI and the HTTP API refuse the same out-of-bounds values (exit 2 / 422, both
with the JSON error shape) and accept the bounds themselves.

Also: the web modules import one way (no cycle), each can be imported alone, and the spec itself
imports nothing heavy.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import typer.main
from conftest import ROOT, run_cli
from web_support import LiveServer, build_small_db, live_server

from lunshu import params
from lunshu.cli import app as cli_app
from lunshu.params import ALL, Op, Param
from lunshu.web.app import create_app

SRC = ROOT / "src" / "lunshu"
DOC = "t-speech-2015"  # a document of the small database
# values a bound needs beside it to be usable at all (the operation's own rule: min_len <= max_len)
COMPANIONS = {"min_len": ("max_len", 32), "max_len": ("min_len", 2)}


# -- every surface takes exactly what the spec declares ------------------------------------------------
def _cli_commands() -> dict[str, Any]:
    root = typer.main.get_command(cli_app)
    return dict(root.commands)  # type: ignore[attr-defined]


def _route_params(app: Any) -> dict[str, set[str]]:
    """Query parameter names of every GET route (a query model is read as its fields' aliases)."""
    out: dict[str, set[str]] = {}
    routes = list(app.routes)
    while routes:
        route = routes.pop()
        if hasattr(route, "original_router"):  # an included router (FastAPI keeps it whole)
            routes.extend(route.original_router.routes)
            continue
        dependant = getattr(route, "dependant", None)
        if dependant is None or "GET" not in getattr(route, "methods", set()):
            continue
        names: set[str] = set()
        for f in dependant.query_params:
            model = getattr(f, "type_", None) or getattr(getattr(f, "field_info", None), "annotation", None)
            fields = getattr(model, "model_fields", None)
            if fields:
                names |= {fi.alias or n for n, fi in fields.items()}
            else:
                names.add(f.alias)
        out[route.path] = names
    return out


@pytest.fixture(scope="module")
def small_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_small_db(tmp_path_factory.mktemp("params") / "small.db")


@pytest.fixture(scope="module")
def web_app(small_db: Path) -> Any:
    return create_app(str(small_db), warm=False)


@pytest.mark.parametrize("op", ALL, ids=lambda o: o.name)
def test_the_cli_command_takes_exactly_the_declared_parameters(op: Op) -> None:
    assert op.command, op.name
    cmd = _cli_commands()[op.command]
    taken = {p.name for p in cmd.params} - params.RENDER_ONLY
    declared = {p.name for p in op.on("cli")}
    assert taken - declared == set(), f"`lunshu {op.command}` takes parameters not in lunshu.params: {taken - declared}"
    assert declared - taken == set(), f"declared for the CLI but `lunshu {op.command}` lacks: {declared - taken}"
    for p in cmd.params:
        if p.name in declared and p.param_type_name == "option":
            assert op[p.name].cli in p.opts, (p.name, p.opts)


@pytest.mark.parametrize("op", ALL, ids=lambda o: o.name)
def test_the_api_routes_and_pages_take_exactly_the_declared_parameters(op: Op, web_app: Any) -> None:
    routes = _route_params(web_app)
    http = {str(p.http) for p in op.on("http")}
    for path in op.routes:
        expected = http - ({"format"} if path.endswith(".svg") else set())
        assert routes[path] == expected, (path, routes[path] ^ expected)
    page = {str(p.http) for p in op.on("page")}
    for path in op.pages:
        assert routes[path] == page, (path, routes[path] ^ page)


# commands and routes that are not query operations (they take files, ids or server settings)
NOT_OPERATIONS = {"ingest", "show", "export", "check", "serve", "load", "spark"}
ROUTES_WITHOUT_SPEC = {"/api/stats", "/api/docs/{doc_id}", "/docs/{doc_id}", "/openapi.json", "/api/ingest"}


def test_every_command_and_route_with_parameters_has_a_spec(web_app: Any) -> None:
    """A new command, API route or page with parameters must be declared in lunshu.params first."""
    commands = {op.command for op in ALL}
    assert set(_cli_commands()) - NOT_OPERATIONS - commands == set()
    declared = {path for op in ALL for path in (*op.routes, *op.pages)}
    taking = {path for path, names in _route_params(web_app).items() if names}
    assert taking - declared - ROUTES_WITHOUT_SPEC == set()
    # the document page's one parameter (hl, the terms to highlight) has the bound of a search query
    assert _route_params(web_app)["/docs/{doc_id}"] == {"hl"}


def test_the_fast_search_path_reads_the_declared_parameters() -> None:
    from lunshu.web import fast

    assert fast._MAX_Q == params.SEARCH["query"].max_length
    assert {name for name, _, _ in fast._NUMBERS} | set(fast._LIMITED) | {"q", "sort", "by", "title_only", "format"} \
        == {p.http for p in params.SEARCH.on("http")}


def test_a_parameter_missing_from_the_spec_is_found() -> None:
    """The check above can fail: a route with one more query parameter than its spec is caught."""
    from fastapi import FastAPI

    extra = FastAPI()

    @extra.get("/api/search")
    def _search(q: str, limit: int = 20, colour: str = "") -> None:  # pragma: no cover - never called
        return None

    assert _route_params(extra)["/api/search"] - {str(p.http) for p in params.SEARCH.on("http")} == {"colour"}


# -- the same bounds on the CLI and over HTTP ----------------------------------------------------------
def _bad_values(p: Param) -> Iterator[Any]:
    if p.type in ("int", "float"):
        if p.min is not None:
            yield p.min - (1 if p.type == "int" else 0.5)
        if p.max is not None:
            yield p.max + 1
    elif p.type == "str":
        if p.choices:
            yield "nope"
        elif p.pattern:
            yield "sideways"
        if p.max_length:
            yield "x" * (p.max_length + 1)
    elif p.type == "terms":
        if p.max_items:
            yield [f"t{i}" for i in range(p.max_items + 1)]
        if p.max_length:
            yield ["x" * (p.max_length + 1)]


def _good_values(p: Param) -> Iterator[Any]:
    """The bounds themselves, which every surface accepts."""
    if p.type in ("int", "float"):
        for v in (p.min, p.max):
            if v is not None:
                yield int(v) if p.type == "int" else v
    elif p.type == "str" and p.choices:
        yield from p.choices
    elif p.type == "terms" and p.max_items:
        yield [f"t{i}" for i in range(p.max_items)]


def _cases(values: Any) -> list[Any]:
    out = []
    for op in ALL:
        for p in op.params:
            if p.on("cli") and p.on("http") and p.name != "format":
                for v in values(p):
                    out.append(pytest.param(op, p, v, id=f"{op.name}-{p.name}-{str(v)[:12]}"))
    return out


def _cli_args(op: Op, p: Param, value: Any) -> list[str]:
    """A CLI call of ``op`` with ``p`` set to ``value`` (required arguments filled with a plain value)."""
    args: list[str] = [str(op.command)]
    for q in op.params:
        if q.argument:
            v = value if q is p else ["网络"] if q.type == "terms" else DOC if q.name == "doc_id" else "网络"
            args += list(v) if isinstance(v, list) else [str(v)]
        elif q.required and q is not p:  # a required option (keyness --a, --b): the whole corpus
            args += [str(q.cli), ""]
    if not p.argument:
        args += [str(p.cli), str(value)]
    if p.name in COMPANIONS:
        other, v = COMPANIONS[p.name]
        args += [str(op[other].cli), str(v)]
    return args


def _http_params(op: Op, p: Param, value: Any) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for q in op.params:
        if q.required and q is not p and "http" not in q.defaults:
            out.append((str(q.http), "网络"))
    values = value if isinstance(value, list) else [value]
    out += [(str(p.http), str(v)) for v in values]
    if p.name in COMPANIONS:
        other, v = COMPANIONS[p.name]
        out.append((str(op[other].http), str(v)))
    return out


@pytest.fixture(scope="module")
def client(small_db: Path) -> Iterator[httpx.Client]:
    server: LiveServer
    with live_server(create_app(str(small_db), warm=False)) as server, \
            httpx.Client(base_url=server.url, timeout=120) as c:
        yield c


@pytest.mark.parametrize(("op", "p", "value"), _cases(_bad_values))
def test_the_cli_and_the_api_refuse_the_same_values(op: Op, p: Param, value: Any, small_db: Path,
                                                    client: httpx.Client) -> None:
    r = run_cli(*_cli_args(op, p, value), "--json", db=small_db)
    assert r.returncode == 2, (r.stdout, r.stderr)
    body = json.loads(r.stdout)
    assert set(body) == {"error"} and body["error"]["code"] == "invalid_parameter", body
    assert r.stderr.count("\n") == 1 and str(p.label("cli")) in r.stderr, r.stderr
    for path in op.routes:
        resp = client.get(path.replace("{doc_id}", DOC), params=_http_params(op, p, value))
        assert resp.status_code == 422, (path, resp.status_code, resp.text[:300])
        err = resp.json()
        assert set(err) == {"error"} and set(err["error"]) == {"code", "message"}
        assert err["error"]["code"] == "invalid_parameter" and str(p.http) in err["error"]["message"]


@pytest.mark.parametrize(("op", "p", "value"), _cases(_good_values))
def test_the_cli_and_the_api_accept_the_bounds(op: Op, p: Param, value: Any, small_db: Path,
                                               client: httpx.Client) -> None:
    r = run_cli(*_cli_args(op, p, value), "--json", db=small_db)
    assert r.returncode == 0, (r.stdout[:300], r.stderr)
    for path in op.routes:
        resp = client.get(path.replace("{doc_id}", DOC), params=_http_params(op, p, value))
        assert resp.status_code == 200, (path, resp.text[:300])


def test_a_page_refuses_what_its_api_refuses(client: httpx.Client) -> None:
    for path, query in (("/", {"q": "网络", "limit": "1001"}), ("/kwic", {"term": "网络", "width": "501"}),
                        ("/timeline", [("term", f"t{i}") for i in range(13)])):
        r = client.get(path, params=query)
        assert r.status_code == 422 and "invalid_parameter" in r.text, (path, r.status_code)
    r = client.get("/kwic", params={"term": "网络", "width": "500", "limit": "0"})  # were 100 and at least 1
    assert r.status_code == 200


# -- imports ---------------------------------------------------------------------------------------------
def _web_imports() -> dict[str, set[str]]:
    """lunshu.web module → the lunshu.web modules it imports (at the top or inside a function)."""
    graph: dict[str, set[str]] = {}
    for path in sorted((SRC / "web").glob("*.py")):
        name = f"lunshu.web.{path.stem}" if path.stem != "__init__" else "lunshu.web"
        deps: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                if node.module == "lunshu.web":
                    deps |= {f"lunshu.web.{a.name}" for a in node.names}
                elif node.module.startswith("lunshu.web."):
                    deps.add(node.module)
            elif isinstance(node, ast.Import):
                deps |= {a.name for a in node.names if a.name.startswith("lunshu.web.")}
        graph[name] = deps - {name}
    return graph


def test_the_web_modules_import_one_way() -> None:
    graph = _web_imports()
    done: set[str] = set()

    def visit(node: str, path: list[str]) -> None:
        if node in path:
            raise AssertionError("import cycle: " + " -> ".join([*path[path.index(node):], node]))
        if node in done:
            return
        for dep in sorted(graph.get(node, ())):
            visit(dep, [*path, node])
        done.add(node)

    for module in graph:
        visit(module, [])
    assert "lunshu.web.app" not in set().union(*(graph[m] for m in graph if m != "lunshu.web"))


@pytest.mark.parametrize("module", sorted(_web_imports()) + ["lunshu.params", "lunshu.cli"])
def test_each_module_imports_alone(module: str) -> None:
    r = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True, text=True, timeout=120,
                       check=False)
    assert r.returncode == 0, r.stderr


def test_the_spec_imports_nothing_heavy() -> None:
    code = ("import sys, lunshu.params as p; p.SEARCH.check({'limit': 5}); "
            "print(sorted(m for m in ('typer', 'click', 'fastapi', 'pydantic', 'starlette') if m in sys.modules))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert r.returncode == 0 and r.stdout.strip() == "[]", (r.stdout, r.stderr)


def test_every_declared_parameter_is_documented() -> None:
    doc = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    missing = [f"{op.command} {p.cli}" for op in ALL for p in op.on("cli") if not p.argument and p.cli not in doc]
    assert not missing
    assert params.bounds_markdown() in doc, "docs/cli.md: regenerate the bounds table from lunshu/params.py"
