"""The HTTP JSON API against a real uvicorn server and real databases.

Every endpoint is called over HTTP; where the CLI has the same command, the API's JSON must equal
the CLI's ``--json`` on the same database (and ``?format=csv`` the CLI's ``--csv``).
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import run_cli
from web_support import SMALL_DOCS, LiveServer, build_small_db, live_server

from lunshu.web.app import create_app


@pytest.fixture(scope="module")
def small_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_small_db(tmp_path_factory.mktemp("web-api") / "small.db")


@pytest.fixture(scope="module")
def server(small_db: Path) -> Iterator[LiveServer]:
    with live_server(create_app(str(small_db))) as s:
        yield s


@pytest.fixture(scope="module")
def client(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=120) as c:
        yield c


@pytest.fixture(scope="module")
def examples_server(examples_corpus: Any) -> Iterator[LiveServer]:
    with live_server(create_app(examples_corpus.path)) as s:
        yield s


@pytest.fixture(scope="module")
def ex(examples_server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=examples_server.url, timeout=300) as c:
        yield c


def cli_json(db: Path | str, *args: str) -> Any:
    r = run_cli(*args, "--json", db=db)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def cli_csv(db: Path | str, *args: str) -> list[list[str]]:
    r = run_cli(*args, "--csv", db=db)
    assert r.returncode == 0, r.stderr
    return list(csv.reader(io.StringIO(r.stdout)))


def api_csv(client: httpx.Client, url: str, **params: Any) -> list[list[str]]:
    r = client.get(url, params={**params, "format": "csv"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    return list(csv.reader(io.StringIO(r.text)))


def assert_error(r: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message"}
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    if code:
        assert body["error"]["code"] == code
    return body["error"]


# -- documents -------------------------------------------------------------------------------------
def test_docs_equals_cli(client: httpx.Client, small_db: Path) -> None:
    r = client.get("/api/docs")
    assert r.status_code == 200
    assert r.json() == cli_json(small_db, "docs")
    assert {d["id"] for d in r.json()} == {d["id"] for d in SMALL_DOCS}


def test_docs_filters_and_paging(client: httpx.Client, small_db: Path) -> None:
    speeches = client.get("/api/docs", params={"genre": "speech"}).json()
    assert [d["id"] for d in speeches] == ["t-speech-2015"]
    ranged = client.get("/api/docs", params={"from": "2016", "to": "2020-06"}).json()
    assert [d["id"] for d in ranged] == ["t-report-2016", "t-compilation-2020"]
    assert ranged == cli_json(small_db, "docs", "--from", "2016", "--to", "2020-06")
    everything = client.get("/api/docs").json()
    page = client.get("/api/docs", params={"limit": 2, "offset": 1}).json()
    assert page == everything[1:3]
    # empty form fields mean "not given"
    assert client.get("/api/docs", params={"speaker": "", "from": ""}).json() == everything


def test_docs_csv_equals_cli(client: httpx.Client, small_db: Path) -> None:
    assert api_csv(client, "/api/docs") == cli_csv(small_db, "docs")


def test_show_equals_cli(client: httpx.Client, small_db: Path) -> None:
    r = client.get("/api/docs/t-speech-2015")
    assert r.status_code == 200
    body = r.json()
    assert body == cli_json(small_db, "show", "t-speech-2015")
    assert body["paragraphs"][1] == {"n": 2, "text": SMALL_DOCS[0]["paragraphs"][1]}
    assert body["raw"]


def test_unknown_document_is_404(client: httpx.Client) -> None:
    assert_error(client.get("/api/docs/no-such-doc"), 404, "not_found")
    assert_error(client.get("/api/docs/%E2%80%AEweird"), 404, "not_found")
    assert_error(client.get("/api/keywords/no-such-doc"), 404)


def test_stats(client: httpx.Client) -> None:
    body = client.get("/api/stats").json()
    assert body["documents"] == len(SMALL_DOCS)
    assert body["paragraphs"] == sum(len(d["paragraphs"]) for d in SMALL_DOCS)


# -- search ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("params,args", [
    ({"q": "数字空间"}, []),
    ({"q": "数字空间 共同体", "limit": 2, "offset": 1}, ["--limit", "2", "--offset", "1"]),
    ({"q": "数字空间", "sort": "date", "by": "doc"}, ["--sort", "date", "--by", "doc"]),
    ({"q": "数字空间", "genre": "speech", "from": "2015", "to": "2016"},
     ["--genre", "speech", "--from", "2015", "--to", "2016"]),
    ({"q": "示例", "title_only": "true"}, ["--title-only"]),
])
def test_search_equals_cli(client: httpx.Client, small_db: Path, params: dict[str, Any], args: list[str]) -> None:
    r = client.get("/api/search", params=params)
    assert r.status_code == 200, r.text
    assert r.json() == cli_json(small_db, "search", params["q"], *args)


def test_search_finds_every_paragraph(client: httpx.Client) -> None:
    body = client.get("/api/search", params={"q": "数字空间", "limit": 100}).json()
    expected = {(d["id"], i) for d in SMALL_DOCS for i, p in enumerate(d["paragraphs"], 1) if "数字空间" in p}
    assert body["total"] == len(expected)
    assert {(h["doc_id"], h["paragraph"]) for h in body["hits"]} == expected
    for h in body["hits"]:
        assert "<mark>" in h["snippet"]
    one = client.get("/api/search", params={"q": "村"}).json()  # a single character
    assert {(h["doc_id"], h["paragraph"]) for h in one["hits"]} == {("t-speech-2015", 4), ("t-compilation-2020", 3)}


def test_search_csv_equals_cli(client: httpx.Client, small_db: Path) -> None:
    assert api_csv(client, "/api/search", q="数字空间") == cli_csv(small_db, "search", "数字空间")


def test_search_parameters_are_checked(client: httpx.Client) -> None:
    assert_error(client.get("/api/search"), 422, "invalid_parameter")
    assert_error(client.get("/api/search", params={"q": "x", "limit": -1}), 422, "invalid_parameter")
    assert_error(client.get("/api/search", params={"q": "x", "sort": "random"}), 422, "invalid_parameter")
    assert_error(client.get("/api/search", params={"q": "x" * 1001}), 422, "invalid_parameter")
    assert_error(client.get("/api/docs", params={"from": "yesterday"}), 400, "bad_query")
    assert_error(client.get("/api/kwic", params={"term": "x", "sort": "up"}), 422, "invalid_parameter")
    assert_error(client.get("/api/kwic", params={"term": "x", "width": 0}), 422, "invalid_parameter")


# -- concordance -----------------------------------------------------------------------------------
@pytest.mark.parametrize("sort", ["date", "1L", "1R"])
def test_kwic_equals_cli(client: httpx.Client, small_db: Path, sort: str) -> None:
    r = client.get("/api/kwic", params={"term": "数字空间", "width": 5, "sort": sort})
    assert r.status_code == 200, r.text
    assert r.json() == cli_json(small_db, "kwic", "数字空间", "--width", "5", "--sort", sort)
    assert all(x["match"] == "数字空间" for x in r.json())


def test_kwic_csv_equals_cli(client: httpx.Client, small_db: Path) -> None:
    assert api_csv(client, "/api/kwic", term="共同") == cli_csv(small_db, "kwic", "共同")


# -- analysis --------------------------------------------------------------------------------------
def test_timeline_equals_cli(client: httpx.Client, small_db: Path) -> None:
    r = client.get("/api/timeline", params=[("term", "数字空间"), ("term", "共同体")])
    assert r.status_code == 200, r.text
    body = r.json()
    assert body == cli_json(small_db, "timeline", "数字空间", "共同体")
    assert set(body) == {"数字空间", "共同体"}
    assert body["数字空间"]["periods"]["2015"]["count"] == 3  # twice in ¶2, once in ¶3
    month = client.get("/api/timeline", params={"term": "数字空间", "by": "month"}).json()
    assert month == cli_json(small_db, "timeline", "数字空间", "--by", "month")


def test_timeline_csv_and_svg(client: httpx.Client, small_db: Path) -> None:
    assert api_csv(client, "/api/timeline", term="数字空间") == cli_csv(small_db, "timeline", "数字空间")
    r = client.get("/api/timeline.svg", params={"term": "数字空间"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("image/svg+xml")
    assert "<svg" in r.text
    assert "script-src" not in r.headers["content-security-policy"]  # the strict policy of its own
    assert_error(client.get("/api/timeline"), 422)
    assert_error(client.get("/api/timeline", params={"term": " "}), 400, "bad_query")


def test_keywords_equals_cli(client: httpx.Client, small_db: Path) -> None:
    r = client.get("/api/keywords/t-speech-2015", params={"top": 5})
    assert r.status_code == 200, r.text
    assert r.json() == cli_json(small_db, "keywords", "t-speech-2015", "--top", "5")
    assert all(set(k) >= {"term", "weight"} for k in r.json())


def test_collocates_equals_cli(client: httpx.Client, small_db: Path) -> None:
    r = client.get("/api/collocates", params={"term": "数字空间", "min_freq": 1})
    assert r.status_code == 200, r.text
    assert r.json() == cli_json(small_db, "collocates", "数字空间", "--min-freq", "1")


def test_compile_json_md_docx(client: httpx.Client, small_db: Path) -> None:
    r = client.get("/api/compile", params={"topic": "数字空间"})
    assert r.status_code == 200, r.text
    assert r.json() == cli_json(small_db, "compile", "数字空间")
    md = client.get("/api/compile", params={"topic": "数字空间", "format": "md"})
    assert md.status_code == 200
    assert md.headers["content-type"].startswith("text/markdown")
    cli_md = run_cli("compile", "数字空间", "--format", "md", db=small_db)
    assert md.text.strip() == cli_md.stdout.strip()
    docx = client.get("/api/compile", params={"topic": "数字空间", "format": "docx"})
    assert docx.status_code == 200
    assert docx.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "filename*=UTF-8''" in docx.headers["content-disposition"]
    assert "word/document.xml" in zipfile.ZipFile(io.BytesIO(docx.content)).namelist()


# -- provenance ------------------------------------------------------------------------------------
def test_trace_equals_cli(client: httpx.Client, small_db: Path) -> None:
    quote = "数字空间是人类共同的家园"
    r = client.post("/api/trace", json={"text": quote, "date": "2015-12-16"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body == cli_json(small_db, "trace", quote, "--date", "2015-12-16")
    assert body["status"] == "verified"
    assert body["sources"][0]["doc_id"] == "t-speech-2015"
    assert "diff" in body["sources"][0]
    # the GET twin gives the same
    assert client.get("/api/trace", params={"text": quote, "date": "2015-12-16"}).json() == body
    missing = client.post("/api/trace", json={"text": "海上风电基地将建成世界一流"}).json()
    assert missing["status"] == "not_found"


def test_trace_body_is_checked(client: httpx.Client) -> None:
    assert_error(client.post("/api/trace", json={}), 422, "invalid_parameter")
    assert_error(client.post("/api/trace", json={"text": ""}), 422, "invalid_parameter")
    assert_error(client.post("/api/trace", content=b"{not json", headers={"content-type": "application/json"}), 422)
    assert_error(client.post("/api/trace", json={"text": "x", "date": "someday"}), 400, "bad_query")


def test_quotes_equal_cli(client: httpx.Client, small_db: Path) -> None:
    r = client.get("/api/quotes", params={"doc": "t-compilation-2020"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body == cli_json(small_db, "quotes", "--doc", "t-compilation-2020")
    assert body, "the hand-made compilation has attributed quotations"
    assert all(q["doc_id"] == "t-compilation-2020" for q in body)
    assert api_csv(client, "/api/quotes") == cli_csv(small_db, "quotes")
    assert_error(client.get("/api/quotes", params={"status": "true"}), 422)


def test_quotes_on_examples_equal_cli(ex: httpx.Client, examples_corpus: Any) -> None:
    r = ex.get("/api/quotes")
    assert r.status_code == 200, r.text
    assert r.json() == cli_json(examples_corpus.path, "quotes")
    variants = ex.get("/api/quotes", params={"status": "variant"}).json()
    assert variants == cli_json(examples_corpus.path, "quotes", "--status", "variant")
    assert all(q["status"] == "variant" for q in variants)


def test_reuse_equals_cli(client: httpx.Client, small_db: Path) -> None:
    r = client.get("/api/reuse")
    assert r.status_code == 200, r.text
    assert r.json() == cli_json(small_db, "reuse")
    one = client.get("/api/reuse", params={"doc": "t-speech-2015"}).json()
    assert one == cli_json(small_db, "reuse", "--doc", "t-speech-2015")
    rows = api_csv(client, "/api/reuse")
    assert rows[0] == ["a", "b", "score", "kind"] and len(rows) == len(client.get("/api/reuse").json()["links"]) + 1
    assert_error(client.get("/api/reuse", params={"doc": "nope"}), 404, "not_found")


# -- the contract as a whole -----------------------------------------------------------------------
def test_openapi_describes_every_endpoint(client: httpx.Client) -> None:
    spec = client.get("/openapi.json").json()
    assert spec["info"]["title"] == "lunshu"
    paths = spec["paths"]
    for p in ["/api/search", "/api/docs", "/api/docs/{doc_id}", "/api/kwic", "/api/timeline", "/api/timeline.svg",
              "/api/keywords/{doc_id}", "/api/collocates", "/api/quotes", "/api/trace", "/api/reuse",
              "/api/compile", "/api/ingest", "/api/stats"]:
        assert p in paths, p
    assert "post" in paths["/api/trace"] and "get" in paths["/api/trace"]
    assert not any(p.startswith("/docs") or p == "/" for p in paths), "pages are not part of the API"
    search_params = {p["name"] for p in paths["/api/search"]["get"]["parameters"]}
    assert search_params >= {"q", "limit", "offset", "from", "to", "speaker", "genre", "source", "sort", "by",
                             "title_only", "format"}
    assert client.get("/docs").headers["content-type"].startswith("text/html")  # not Swagger UI


def test_error_shape_for_routes_and_methods(client: httpx.Client) -> None:
    assert_error(client.get("/api/no-such-endpoint"), 404, "not_found")
    assert_error(client.delete("/api/docs"), 405, "method_not_allowed")
    assert_error(client.get("/api/docs", params={"limit": "many"}), 422, "invalid_parameter")


def test_bugs_give_500_without_traceback(small_db: Path) -> None:
    app = create_app(str(small_db))

    def boom() -> None:
        raise RuntimeError("secret detail at /srv/private/path")

    app.add_api_route("/api/boom", boom)
    app.add_api_route("/boom", boom)
    with live_server(app) as s, httpx.Client(base_url=s.url) as c:
        r = c.get("/api/boom")
        err = assert_error(r, 500, "internal")
        assert "secret" not in r.text and "Traceback" not in r.text and "/srv" not in err["message"]
        page = c.get("/boom")
        assert page.status_code == 500
        assert page.headers["content-type"].startswith("text/html")
        assert "secret" not in page.text and "Traceback" not in page.text


def test_collocates_answer(client: httpx.Client) -> None:
    """Every feature is part of the build: no route answers "not available"."""
    r = client.get("/api/collocates", params={"term": "数字"})
    assert r.status_code == 200, r.text


# -- writing ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def writable(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    db = build_small_db(tmp_path_factory.mktemp("web-ingest") / "w.db")
    with live_server(create_app(str(db), token="s3cret-token")) as s:
        yield s


def test_ingest_is_off_without_a_token(client: httpx.Client, small_db: Path) -> None:
    before = client.get("/api/stats").json()
    r = client.post("/api/ingest", files={"file": ("a.txt", "新的一篇。".encode())})
    assert_error(r, 403, "forbidden")
    assert client.get("/api/stats").json() == before


def test_ingest_needs_the_token(writable: LiveServer) -> None:
    with httpx.Client(base_url=writable.url) as c:
        files = {"file": ("note.txt", "示例标题\n\n这是上传的一段新文字，关于数字空间。".encode())}
        r = c.post("/api/ingest", files=files)
        assert_error(r, 401, "unauthorized")
        assert r.headers["www-authenticate"] == "Bearer"
        assert_error(c.post("/api/ingest", files=files, headers={"Authorization": "Bearer wrong"}), 401)
        assert_error(c.post("/api/ingest", files=files, headers={"Authorization": "s3cret-token"}), 401)
        auth = {"Authorization": "Bearer s3cret-token"}
        ok = c.post("/api/ingest", files=files, headers=auth)
        assert ok.status_code == 200, ok.text
        assert ok.json() == {"added": 1, "updated": 0, "unchanged": 0, "failed": [], "duplicates": []}
        again = c.post("/api/ingest", files=files, headers=auth).json()
        assert again == {"added": 0, "updated": 0, "unchanged": 1, "failed": [], "duplicates": []}
        records = [{"title": "上传的记录", "date": "2022-02-02", "text": "记录正文：数字空间的新篇章。", "id": "rec-1"}]
        rj = c.post("/api/ingest", json=records, headers=auth)
        assert rj.status_code == 200, rj.text
        assert rj.json()["added"] == 1
        doc = c.get("/api/docs/rec-1").json()
        assert doc["title"] == "上传的记录" and doc["date"] == "2022-02-02"
        bad = c.post("/api/ingest", files={"file": ("broken.json", b"[{")}, headers=auth).json()
        assert bad["failed"] and bad["failed"][0]["path"] == "broken.json"  # the upload's name, not a server path
        assert_error(c.post("/api/ingest", content=b"x", headers={**auth, "content-type": "text/plain"}), 415)


# -- the five real seeds (skipped without ../shared) ------------------------------------------------
@pytest.fixture(scope="module")
def seeds(seed_corpus: Any) -> Iterator[httpx.Client]:
    with live_server(create_app(seed_corpus.path)) as s, httpx.Client(base_url=s.url, timeout=300) as c:
        yield c


def test_seed_documents_equal_cli_and_render(seeds: httpx.Client, seed_corpus: Any, seed_ids: dict[str, str]) -> None:
    assert seeds.get("/api/docs").json() == cli_json(seed_corpus.path, "docs")
    for num, doc_id in seed_ids.items():
        page = seeds.get(f"/docs/{doc_id}")  # first: the page computes (and keeps) the document's keywords
        assert page.status_code == 200, num
        body = seeds.get(f"/api/docs/{doc_id}").json()
        assert body["id"] == doc_id and body["paragraphs"], num
        assert 'class="note error"' not in page.text, num
        assert f'id="p{len(body["paragraphs"])}"' in page.text  # every paragraph has its anchor
    # (read again: a document page stores the keywords it computed, and nothing precomputes them at start-up)
    assert seeds.get(f"/api/docs/{doc_id}").json() == cli_json(seed_corpus.path, "show", doc_id)


def test_seed_quotes_and_trace_equal_cli(seeds: httpx.Client, seed_corpus: Any, seed_ids: dict[str, str]) -> None:
    compilation = seed_ids["002"]
    quotes = seeds.get("/api/quotes", params={"doc": compilation}).json()
    assert quotes == cli_json(seed_corpus.path, "quotes", "--doc", compilation)
    assert quotes, "seed 002 is a compilation of quotations"
    page = seeds.get(f"/docs/{compilation}").text
    assert page.count('class="badge status-') >= len(quotes)
    quote = "网络空间是人类共同的活动空间"
    traced = seeds.post("/api/trace", json={"text": quote, "date": "2015-12-16"}).json()
    assert traced == cli_json(seed_corpus.path, "trace", quote, "--date", "2015-12-16")
    assert seed_ids["001"] in {s["doc_id"] for s in traced["sources"]}  # the full speech is among the sources


def test_seed_reuse_equals_cli(seeds: httpx.Client, seed_corpus: Any, seed_ids: dict[str, str]) -> None:
    speech = seed_ids["001"]
    data = seeds.get("/api/reuse", params={"doc": speech}).json()
    assert data == cli_json(seed_corpus.path, "reuse", "--doc", speech)
    page = seeds.get(f"/docs/{speech}").text
    others = {x["b"]["doc_id"] if x["a"]["doc_id"] == speech else x["a"]["doc_id"] for x in data["links"]} - {speech}
    for other in others:  # the versions panel links every document that shares text with the speech
        assert f'href="/docs/{other}"' in page
