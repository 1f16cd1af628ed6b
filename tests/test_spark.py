"""The Spark jobs give what the embedded pipeline gives, on the real shared corpora (193 documents).

One SparkSession (local[2]) for the module; skipped with a reason without Java, pyspark or ../shared.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import CORPORA, RECORD_CORPORA, SEEDS, requires_shared, run_cli
from hypothesis import given
from hypothesis import strategies as st

from lunshu.load import digest_part, format_digest, iter_documents, load

pytestmark = [pytest.mark.spark]


def test_importing_the_cli_does_not_import_pyspark() -> None:
    code = "import sys, lunshu.cli, lunshu.spark.cli, lunshu.load; print('pyspark' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_spark_command_without_pyspark_says_how_to_get_it(tmp_path: Path) -> None:
    code = ("import sys; sys.modules['pyspark'] = None\n"
            "from lunshu.cli import main\n"
            f"sys.argv = ['lunshu', 'spark', 'quotes', {str(tmp_path)!r}, '--json']\n"
            "main()")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.returncode == 1
    assert json.loads(out.stdout)["error"]["message"] == "pyspark is not installed; pip install 'lunshu[spark]'"
    assert out.stderr.strip().splitlines() == ["lunshu: error: pyspark is not installed; pip install 'lunshu[spark]'"]


@given(st.lists(st.tuples(st.text(min_size=1, max_size=8), st.text(max_size=8)), unique_by=lambda t: t[0]),
       st.randoms())
def test_documents_digest_ignores_order(rows: list[tuple[str, str]], rnd: Any) -> None:
    shuffled = list(rows)
    rnd.shuffle(shuffled)
    half = len(rows) // 2
    a1, n1 = digest_part(rows[:half])
    a2, n2 = digest_part(rows[half:])
    assert format_digest(a1 ^ a2) == format_digest(digest_part(shuffled)[0])
    assert n1 + n2 == len(rows)


@pytest.fixture(scope="module")
def spark() -> Any:
    if shutil.which("java") is None:
        pytest.skip("no Java runtime on PATH (Spark needs one: apt-get install default-jre-headless)")
    pytest.importorskip("pyspark", reason="pyspark is not installed; pip install 'lunshu[spark]'")
    from lunshu.spark import jobs

    session = jobs.get_session("local[2]", driver_memory="2g")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def spark_corpora(spark: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from lunshu.spark import jobs

    if not CORPORA.is_dir():
        pytest.skip(f"shared corpora not found at {CORPORA}")
    out = tmp_path_factory.mktemp("spark") / "out"
    report = jobs.ingest(spark, [str(p) for p in RECORD_CORPORA], str(out))
    assert report["failed"] == [] and report["documents"] == 193
    jobs.reuse(spark, str(out))
    jobs.quotes(spark, str(out))
    return out


def _table(folder: Path, name: str) -> list[dict[str, Any]]:
    import pyarrow.parquet as pq

    files = sorted((folder / name).glob("*.parquet"))
    return [r for f in files for r in pq.read_table(f).to_pylist()]


@requires_shared
def test_documents_and_paragraphs_equal_embedded(spark_corpora: Path, corpora_corpus: Any) -> None:
    embedded = {d.id: d for d in corpora_corpus.store.iter_documents()}
    spark_docs = {d.id: d for d in iter_documents(spark_corpora)}
    assert len(spark_docs) == 193
    assert set(spark_docs) == set(embedded)
    for doc_id, e in embedded.items():
        s = spark_docs[doc_id]
        for attr in ("title", "date", "delivered", "speakers", "genre", "occasion", "source", "url", "publisher_keywords",
                     "reporters", "origin", "content_hash", "raw", "paragraphs"):
            assert getattr(s, attr) == getattr(e, attr), (doc_id, attr)


@requires_shared
def test_reuse_links_equal_embedded(spark_corpora: Path, corpora_corpus: Any) -> None:
    result = corpora_corpus.reuse()
    conn = corpora_corpus.store.conn
    emb_links = {tuple(r) for r in conn.execute("SELECT a_doc, a_par, b_doc, b_par, score, cluster FROM reuse_links")}
    emb_docs = {tuple(r) for r in conn.execute("SELECT a_doc, b_doc, score, relation, shared_chars FROM reuse_docs")}
    sp_links = {(r["a_doc"], r["a_par"], r["b_doc"], r["b_par"], r["score"], r["cluster"])
                for r in _table(spark_corpora, "reuse_links")}
    sp_docs = {(r["a_doc"], r["b_doc"], r["score"], r["relation"], r["shared_chars"])
               for r in _table(spark_corpora, "reuse_docs")}
    assert len(result.links) > 100 and len(emb_links) == len(result.links)
    assert sp_links == emb_links
    assert sp_docs == emb_docs


def _quote_rows(quotes: list[Any]) -> list[tuple[Any, ...]]:
    return [(q.doc_id, q.n, q.n_end, q.text, q.attribution.date, q.attribution.date_end, q.attribution.speaker,
             q.attribution.occasion, q.attribution.raw) for q in quotes]


@requires_shared
def test_quotes_equal_embedded(spark: Any, spark_corpora: Path, corpora_corpus: Any, seed_corpus: Any,
                               tmp_path: Path) -> None:
    from lunshu.quotes import extract_quotes
    from lunshu.spark import jobs

    # the corpora hold few compilations; the seeds are made of them
    seeds_out = tmp_path / "seeds"
    assert jobs.ingest(spark, [str(SEEDS)], str(seeds_out))["failed"] == []
    jobs.quotes(spark, str(seeds_out))
    for corpus, out in ((corpora_corpus, spark_corpora), (seed_corpus, seeds_out)):
        expected: list[tuple[Any, ...]] = []
        for d in sorted(corpus.store.iter_documents(), key=lambda d: d.id):
            expected += _quote_rows(extract_quotes(d.paragraphs, d.id))
        got = [(r["doc_id"], r["n"], r["n_end"], r["text"], r["date"], r["date_end"], r["speaker"], r["occasion"],
                r["raw"]) for r in _table(out, "quotes")]
        assert got == expected
    assert len(_table(seeds_out, "quotes")) >= 5


@requires_shared
def test_load_gives_the_embedded_database(spark_corpora: Path, corpora_corpus: Any, tmp_path: Path) -> None:
    db = tmp_path / "loaded.db"
    done = run_cli("load", str(spark_corpora), "--db", str(db), "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["added"] == 193 and result["reuse"].startswith("loaded")
    ours = run_cli("export", "--format", "jsonl", db=db)
    theirs = run_cli("export", "--format", "jsonl", db=corpora_corpus.path)
    assert ours.returncode == 0 and theirs.returncode == 0, ours.stderr + theirs.stderr
    assert ours.stdout.count("\n") == 193

    def without_keywords(jsonl: str) -> list[dict[str, Any]]:
        # a document's `keywords` field is filled once keywords are computed for it (by `lunshu keywords`
        # or its page) — state of the database's use, not of ingest; other tests compute them on the
        # session's corpus
        rows = [json.loads(line) for line in jsonl.splitlines()]
        for row in rows:
            row.pop("keywords")
        return rows

    assert without_keywords(ours.stdout) == without_keywords(theirs.stdout)
    # the reuse links came with the load: served as computed, and equal to the embedded ones
    corpora_corpus.reuse()
    r_ours = run_cli("reuse", "--json", db=db)
    r_theirs = run_cli("reuse", "--json", db=corpora_corpus.path)
    ours_r, theirs_r = json.loads(r_ours.stdout), json.loads(r_theirs.stdout)
    assert ours_r["links"] == theirs_r["links"] and ours_r["clusters"] == theirs_r["clusters"]
    # document links are ordered by score only: ties come in no defined order
    def by_score(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return sorted(rows, key=lambda d: (-d["score"], d["a"], d["b"]))

    assert by_score(ours_r["documents"]) == by_score(theirs_r["documents"])
    # loading again changes nothing
    again = load(spark_corpora, str(db))
    assert again["unchanged"] == 193 and again["added"] == 0


@requires_shared
def test_load_into_shards(spark_corpora: Path, tmp_path: Path) -> None:
    result = load(spark_corpora, str(tmp_path / "s.db"), shards=3, shard_by="year")
    assert result["added"] == 193 and len(result["shards"]) == 3
    assert all(s["added"] > 0 for s in result["shards"])
    ids: list[str] = []
    for s in result["shards"]:
        out = run_cli("docs", "--json", db=s["db"])
        docs = json.loads(out.stdout)
        ids += [d["id"] for d in docs]
        years = [int(d["date"][:4]) for d in docs if d["date"]]
        assert all(s["years"][0] <= y <= s["years"][1] for y in years)
    assert len(ids) == len(set(ids)) == 193
