"""Keyness and change detection over the real CLI and the real web server, and the gold set of
documented rewordings in the report corpora (recall@50 of `changes`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import CORPORA, ROOT, ingest_records, requires_shared, run_cli
from web_support import live_server

from lunshu.analysis.keyness import parse_filters
from lunshu.errors import QueryError

GOLD = ROOT / "tests" / "gold" / "changes.json"
FLOORS = json.loads((ROOT / "tests" / "gold" / "floors.json").read_text(encoding="utf-8"))
REPORTS = ["government-work-reports-1954-2025.jsonl", "cpc-congress-reports.jsonl"]

FILLER = ["各地区各部门认真落实中央部署", "我们召开了多次专题会议", "农业生产保持稳定", "城乡居民收入继续增加",
          "对外开放水平提高", "科技教育事业取得进展", "生态环境有所改善", "社会保障体系更加健全"]


def _records() -> list[dict[str, Any]]:
    """2006-2013 the market plays a 基础性作用, 2014-2019 a 决定性作用; 网格化管理服务 from 2014."""
    out = []
    for i, year in enumerate(range(2006, 2020)):
        role = "基础性" if year < 2014 else "决定性"
        paras = [FILLER[(i + k) % len(FILLER)] + "。" for k in range(5)]
        paras.append(f"要使市场在资源配置中起{role}作用，{FILLER[i % 8]}。")
        paras.append(f"{FILLER[(i + 2) % 8]}，发挥市场在资源配置中起{role}作用的优势。")
        if year >= 2014:
            paras.append(f"推行网格化管理服务，{FILLER[(i + 3) % 8]}，健全网格化管理服务体系。")
        out.append({"title": f"{year}年工作报告", "date": f"{year}-03-05", "text": "\n\n".join(paras)})
    return out


@pytest.fixture(scope="module")
def small_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ingest_records(tmp_path_factory.mktemp("changes"), _records())


def test_changes_cli_finds_the_replacement(small_db: Path) -> None:
    r = run_cli("changes", "--json", db=small_db)
    assert r.returncode == 0, r.stderr
    changes = json.loads(r.stdout)["changes"]
    top = changes[0]
    assert set(top) >= {"old", "new", "frame", "old_last_year", "new_first_year", "count_old", "count_new",
                        "examples"}
    assert (top["old_middle"], top["new_middle"]) == ("基础性", "决定性")
    assert (top["old_last_year"], top["new_first_year"]) == (2013, 2014)
    assert (top["count_old"], top["count_new"]) == (8, 6)  # in its best frame (性作用，): the other is 性作用的
    assert top["switch"] == 1.0 and "_" in top["frame"]
    assert {e["wording"] for e in top["examples"]} == {"old", "new"}
    assert all(("基础性" in e["text"]) == (e["wording"] == "old") for e in top["examples"])
    # only one report of the replacement, however many frames show it
    assert sum(1 for c in changes if (c["old_middle"], c["new_middle"]) == ("基础性", "决定性")) == 1
    r = run_cli("changes", "--csv", db=small_db)
    assert r.stdout.splitlines()[0].startswith("old,new,frame,old_last_year,new_first_year,count_old,count_new")
    r = run_cli("changes", "--to", "2013", "--json", db=small_db)
    assert not [c for c in json.loads(r.stdout)["changes"] if c["new_middle"] == "决定"]


def test_expansions(tmp_path: Path) -> None:
    """依法治国 → 全面依法治国 where the words before differ (坚持 before, 推进/落实 after): no two-sided
    frame holds both, the right-only frame of --expansions does."""
    recs = []
    for i, year in enumerate(range(2006, 2020)):
        paras = [FILLER[(i + k) % len(FILLER)] + "。" for k in range(4)]
        if year < 2014:
            paras += [f"坚持依法治国，{FILLER[i % 8]}。", f"{FILLER[(i + 1) % 8]}，坚持依法治国。"]
        else:
            paras += [f"推进全面依法治国，{FILLER[i % 8]}。", f"{FILLER[(i + 1) % 8]}，落实全面依法治国。"]
        recs.append({"title": f"{year}年报告", "date": f"{year}-03-05", "text": "\n\n".join(paras)})
    db = ingest_records(tmp_path, recs)
    plain = json.loads(run_cli("changes", "--json", db=db).stdout)["changes"]
    assert not [c for c in plain if c["new"] == "全面依法治国"]
    r = run_cli("changes", "--expansions", "--json", db=db)
    assert r.returncode == 0, r.stderr
    found = [c for c in json.loads(r.stdout)["changes"] if (c["old"], c["new"]) == ("依法治国", "全面依法治国")]
    assert found and found[0]["old_last_year"] == 2013 and found[0]["new_first_year"] == 2014
    assert (found[0]["count_old"], found[0]["count_new"]) == (16, 12) and found[0]["frame"] == "_依法治国"


def test_keyness_cli(small_db: Path) -> None:
    r = run_cli("keyness", "--a", "from=2014", "--b", "to=2013", "--json", db=small_db)
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["a"]["docs"] == 6 and data["b"]["docs"] == 8 and data["a"]["filters"] == "from=2014"
    terms = {t["term"]: t for t in data["terms"]}
    t = terms["网格化管理服务"]
    assert (t["count_a"], t["count_b"]) == (12, 0) and t["log_likelihood"] > 3.84 and t["percent_diff"] is None
    assert t["simple_maths"] > 1 and t["per_million_a"] > 0
    lls = [x["log_likelihood"] for x in data["terms"]]
    assert lls == sorted(lls, reverse=True)
    r = run_cli("keyness", "--a", "from=2014", "--b", "to=2013", "--csv", db=small_db)
    assert r.stdout.splitlines()[0] == ("term,count_a,count_b,per_million_a,per_million_b,log_likelihood,"
                                        "simple_maths,percent_diff")
    r = run_cli("keyness", "--a", "form=2014", "--b", "", "--json", db=small_db)
    assert r.returncode == 2 and json.loads(r.stdout)["error"]["code"] == "bad_query"
    r = run_cli("keyness", "--a", "from=2014", db=small_db)
    assert r.returncode == 2  # --b is required


def test_negative_keywords_have_the_sign_of_b(small_db: Path) -> None:
    r = run_cli("keyness", "--a", "to=2013", "--b", "from=2014", "--json", db=small_db)
    terms = {t["term"]: t for t in json.loads(r.stdout)["terms"]}
    assert terms["网格化管理服务"]["log_likelihood"] < 0 and terms["网格化管理服务"]["simple_maths"] < 1


def test_filter_syntax() -> None:
    assert parse_filters("from=2013 to=2017") == {"date_from": "2013", "date_to": "2017"}
    assert parse_filters('speaker="Li Keqiang" genre=report') == {"speaker": "Li Keqiang", "genre": "report"}
    assert parse_filters("") == {} and parse_filters(None) == {}
    for bad in ("from=20x3", "year=2013", "2013", 'speaker="unclosed'):
        with pytest.raises(QueryError):
            parse_filters(bad)


def test_http_api_and_pages(small_db: Path) -> None:
    from lunshu.web.app import create_app

    with live_server(create_app(str(small_db))) as s, httpx.Client(base_url=s.url, timeout=120) as c:
        cli = json.loads(run_cli("changes", "--json", db=small_db).stdout)
        assert c.get("/api/changes").json() == cli
        r = c.get("/api/changes", params={"format": "csv"})
        assert r.headers["content-type"].startswith("text/csv") and r.text.startswith("old,new,frame")
        cli = json.loads(run_cli("formulations", "--new-since", "2014", "--json", db=small_db).stdout)
        assert c.get("/api/formulations", params={"new_since": 2014}).json() == cli
        assert c.get("/api/formulations", params={"format": "csv"}).text.startswith("term,count,docs")
        cli = json.loads(run_cli("keyness", "--a", "from=2014", "--b", "to=2013", "--json", db=small_db).stdout)
        assert c.get("/api/keyness", params={"a": "from=2014", "b": "to=2013"}).json() == cli
        r = c.get("/api/keyness", params={"a": "from=20x4"})
        assert r.status_code == 400 and r.json()["error"]["code"] == "bad_query"
        page = c.get("/formulations", params={"new_since": "2014"}).text
        assert "网格化管理服务" in page and "/kwic?term=" in page and "/timeline?term=" in page and "<svg" in page
        page = c.get("/changes").text
        assert "<del>基础性</del>" in page and "<ins>决定性</ins>" in page and "/kwic?term=" in page
        page = c.get("/keyness", params={"a": "from=2014", "b": "to=2013"}).text
        assert "网格化管理服务" in page and "negative keywords" in page
        assert "/api/changes" in c.get("/openapi.json").text
        evil = '"><script>alert(1)</script>'
        for path, params in [("/keyness", {"a": evil, "b": ""}), ("/keyness", {"a": f"speaker={evil}"}),
                             ("/formulations", {"speaker": evil}), ("/changes", {"source": evil})]:
            r = c.get(path, params=params)
            assert r.status_code < 500 and "<script>alert(1)" not in r.text, path


@pytest.fixture(scope="module")
def reports_corpus(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from lunshu import Corpus

    if not all((CORPORA / name).is_file() for name in REPORTS):
        pytest.skip(f"report corpora not found under {CORPORA}")
    c = Corpus(tmp_path_factory.mktemp("reports") / "reports.db")
    assert not c.ingest([str(CORPORA / name) for name in REPORTS]).failed
    return c


def core(old: str, new: str) -> tuple[str, str]:
    """The smallest difference: what is left when the common start and end are removed."""
    p = 0
    while p < min(len(old), len(new)) and old[p] == new[p]:
        p += 1
    s = 0
    while s < min(len(old), len(new)) - p and old[len(old) - 1 - s] == new[len(new) - 1 - s]:
        s += 1
    return old[p:len(old) - s], new[p:len(new) - s]


def matches(ch: dict[str, Any], gold: dict[str, Any]) -> bool:
    """The change's wordings differ as the gold pair does (the same smallest difference), and each
    with its frame's nearest two characters on one side is part of the gold wording."""
    if core(ch["old_middle"], ch["new_middle"]) != core(gold["old"], gold["new"]):
        return False
    left, right = ch["left"][-2:], ch["right"][:2]
    for middle, text in ((ch["old_middle"], gold["old"]), (ch["new_middle"], gold["new"])):
        if (left + middle) not in text and (middle + right) not in text:
            return False
    return True


@requires_shared
def test_gold_rewordings_hold_in_the_text(reports_corpus: Any) -> None:
    gold = json.loads(GOLD.read_text(encoding="utf-8"))["changes"]
    assert len(gold) >= 8
    for g in gold:  # the old wording is used before the year, the new one from that year (or the next) on
        tl = reports_corpus.timeline([g["old"], g["new"]]).to_dict()
        old_years = [int(y) for y, c in tl[g["old"]]["periods"].items() if c["count"]]
        new = {int(y): c["count"] for y, c in tl[g["new"]]["periods"].items() if c["count"]}
        assert old_years and min(old_years) < g["year"], g
        assert any(g["year"] <= y <= g["year"] + 1 for y in new), g
        assert sum(n for y, n in new.items() if y >= g["year"]) >= 0.8 * sum(new.values()), g


@requires_shared
def test_gold_recall_of_rewordings(reports_corpus: Any) -> None:
    gold = json.loads(GOLD.read_text(encoding="utf-8"))["changes"]
    result = reports_corpus.changes(limit=50).to_dict()["changes"]
    found = [g for g in gold if any(matches(ch, g) for ch in result)]
    recall = len(found) / len(gold)
    print(f"changes recall@50 {recall:.3f}; missing {[(g['old'], g['new']) for g in gold if g not in found]}")
    assert recall >= FLOORS["changes_recall_at_50"]
    # the canonical case: the market's role, 基础性作用 -> 决定性作用, in the government work reports
    assert any(matches(ch, gold[0]) for ch in result)
