"""Search: exact substrings of any length, the query language, filters, ranking, paging, snippets.

Databases here are built from Documents written for these tests (no ../shared needed); the
same checks on the real corpora are in test_search_corpora.py.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lunshu import Corpus, index, search
from lunshu.errors import QueryError
from lunshu.models import Document
from lunshu.query import quote

# Sentences written for these tests (the style of the corpus, none of its text).
SENTENCES = [
    "我们要坚持以人民为中心的发展思想。",
    "互联网让世界变成了地球村。",
    "网络空间不是法外之地。",
    "各国应该共同维护网络空间的和平与安全。",
    "发展是解决一切问题的基础和关键。",
    "改革开放是决定当代中国命运的关键一招。",
    "要推动构建更加公正合理的全球治理体系。",
    "数字经济正在成为新的增长引擎。",
    "我们欢迎各国朋友来中国投资兴业。",
    "网络安全和信息化是一体之两翼。",
    "绿水青山就是金山银山。",
    "科技自立自强是国家发展的战略支撑。",
    "人人都是网络安全的守护者，的的确确如此。",
    "2015年12月，大会在浙江乌镇举行。",
    "G20 summit: a shared future in cyberspace.",
    "全年国内生产总值增长6.9%。",
    "“一带一路”倡议得到广泛响应。",
    "我们要把网络空间建设成为造福人类的命运共同体。",
    "互联网发展给国家安全带来新的挑战。",
    "中国的大门只会越开越大。",
]
TRADITIONAL = ["發展數字經濟，網絡空間治理。", "國家發展戰略，互聯網時代。"]
FULLWIDTH = ["ＡＢＣ公司发布了５Ｇ产品。", "Ｇ２０峰会在杭州召开。"]
SPECIAL = ['标签<script>alert("x")</script>&amp;不应生效。', "tab\there and  two  spaces"]

DOCS = [
    Document(id="d2015", title="在大会开幕式上的讲话", date="2015-12-16", speakers=["习近平"], genre="speech",
             source="新华社", paragraphs=[SENTENCES[2] + SENTENCES[3], SENTENCES[17], SENTENCES[13], SENTENCES[1]]),
    Document(id="d2016", title="政府工作报告", date="2016", speakers=["李克强"], genre="report",
             source="人民日报", paragraphs=[SENTENCES[4] + SENTENCES[15], SENTENCES[7], SENTENCES[11],
                                        SENTENCES[0] * 2]),
    Document(id="d201603", title="给网络安全专家的回信", date="2016-03", speakers=["习近平", "王沪宁"],
             genre="letter", source="新华网", paragraphs=[SENTENCES[9], SENTENCES[12], SENTENCES[18]]),
    Document(id="trad", title="發展戰略", date="2019-05-01", speakers=["某某"], genre="article",
             source="香港某报", paragraphs=TRADITIONAL),
    Document(id="wide", title="ＡＢＣ新闻", date="2020-07-01", speakers=[], genre="other", source="新华社",
             paragraphs=FULLWIDTH + [SENTENCES[14]]),
    Document(id="nodate", title="无日期的文章", date=None, speakers=["李强"], genre="article",
             paragraphs=[SENTENCES[5], SENTENCES[16], SENTENCES[19]]),
    Document(id="d2024", title="论述摘编", date="2024-11-20", speakers=["习近平"], genre="compilation",
             source="人民日报", paragraphs=[SENTENCES[6] + SENTENCES[8] + SENTENCES[10] * 12, *SPECIAL]),
]


def build(path: Path, docs: list[Document]) -> Corpus:
    c = Corpus(path)
    with c.store.transaction() as conn:
        for d in docs:
            d.content_hash = d.content_hash or json.dumps(d.paragraphs, ensure_ascii=False)
            c.store.put(conn, d)
    return c


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Corpus]:
    c = build(tmp_path_factory.mktemp("search") / "small.db", DOCS)
    yield c
    c.close()


def random_docs(seed: int, n_docs: int = 60) -> list[Document]:
    rng = random.Random(seed)
    pool = SENTENCES + TRADITIONAL + FULLWIDTH + SPECIAL
    docs = []
    for i in range(n_docs):
        paras = ["".join(rng.choice(pool) for _ in range(rng.randint(1, 3))) for _ in range(rng.randint(1, 6))]
        date = rng.choice([None, f"{rng.randint(1990, 2025)}", f"{rng.randint(1990, 2025)}-{rng.randint(1, 12):02d}",
                           f"{rng.randint(1990, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"])
        docs.append(Document(id=f"r{i:03d}", title="".join(rng.choice(pool)[:8] for _ in range(2)), date=date,
                             speakers=rng.sample(["习近平", "李克强", "李强", "王毅"], rng.randint(0, 2)),
                             genre=rng.choice(["speech", "report", "letter", "article"]),
                             source=rng.choice(["新华社", "人民日报", None]), paragraphs=paras))
    return docs


@pytest.fixture(scope="module")
def rand(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Corpus]:
    c = build(tmp_path_factory.mktemp("search") / "rand.db", random_docs(7))
    yield c
    c.close()


def brute(c: Corpus, groups: list[list[str]], exclude: list[str] = ()) -> set[tuple[str, int]]:  # type: ignore[assignment]
    """The reference: scan every stored paragraph (folded the way the database folds)."""
    fold = index.folder(c.store.conn).fold
    g = [[fold(p) for p in grp] for grp in groups]
    x = [fold(p) for p in exclude]
    out = set()
    for doc_id, n, text in c.store.execute("SELECT doc_id, n, text FROM paragraphs"):
        t = fold(text)
        if all(any(p in t for p in grp) for grp in g) and not any(p in t for p in x):
            out.add((doc_id, n))
    return out


def hits_of(c: Corpus, q: str, **kw: Any) -> set[tuple[str, int]]:
    r = c.search(q, limit=100_000, **kw)
    got = {(h.doc_id, h.paragraph) for h in r.hits}
    assert len(got) == len(r.hits) == r.total, "hits are unique and total counts them all"
    assert sum(r.by_year.values()) == r.total
    return got


# -- exactness ---------------------------------------------------------------------------------
@pytest.mark.parametrize("term", ["的", "网", "。", "6", "%", "“", "网络", "安全", "发展", "的的", "互联网",
                                  "网络空间", "命运共同体", "不是法外之地", "shared future", "6.9%", "  two  "])
def test_any_length_finds_exactly_the_paragraphs_containing_it(small: Corpus, term: str) -> None:
    expected = brute(small, [[term]])
    assert expected, f"test data should contain {term!r}"
    assert hits_of(small, quote(term)) == expected


def test_one_and_two_characters_are_not_lost(small: Corpus) -> None:
    # the stock trigram tokenizer finds nothing below three characters; we must
    assert hits_of(small, "网") == brute(small, [["网"]])
    assert len(hits_of(small, "网")) >= 8
    assert hits_of(small, "村") == {("d2015", 4)}
    assert hits_of(small, "地球") == {("d2015", 4)}


def test_and_or_not(small: Corpus) -> None:
    assert hits_of(small, "网络 安全") == brute(small, [["网络"], ["安全"]])
    assert hits_of(small, "网络 -安全") == brute(small, [["网络"]], ["安全"])
    assert hits_of(small, "互联网 OR 数字经济") == brute(small, [["互联网", "数字经济"]])
    assert hits_of(small, "网络 OR 发展 -安全 -戰略") == brute(small, [["网络", "发展"]], ["安全", "戰略"])
    assert hits_of(small, '"网络 空间"') == set()  # the space is part of the phrase


@pytest.mark.parametrize("q", ['a"b', "NEAR(", "NEAR(网络 安全)", "*", "网*", "col:x", "tri:网络", "uni : 网",
                               "AND", "网络 AND 安全", "NOT", '"网络', '网络"', "-", "^网", "(网络)", "{tri}:网",
                               "“一带一路”", "'", "\\", "%", "_", "\x00", "\ufffd"])
def test_user_input_never_reaches_fts_syntax(small: Corpus, q: str) -> None:
    from lunshu.query import parse

    parsed = parse(q)
    expected = brute(small, [list(g) for g in parsed.groups], list(parsed.exclude))
    assert hits_of(small, q) == expected


@pytest.mark.parametrize("q", ["", "  ", "-网络", "网络 OR -安全", '""', "网络 OR", "OR 网络"])
def test_bad_queries_raise_query_error(small: Corpus, q: str) -> None:
    with pytest.raises(QueryError):
        small.search(q)


@pytest.mark.parametrize("kw", [{"sort": "bogus"}, {"by": "word"}, {"limit": -1}, {"offset": -5},
                                {"date_from": "yesterday"}, {"date_to": "soon"}])
def test_bad_options_raise_query_error(small: Corpus, kw: dict[str, Any]) -> None:
    with pytest.raises(QueryError):
        small.search("网络", **kw)


# -- folding -----------------------------------------------------------------------------------
def test_traditional_and_simplified_find_each_other(small: Corpus) -> None:
    assert ("trad", 1) in hits_of(small, "发展数字经济")  # simplified query, traditional text
    assert ("trad", 1) in hits_of(small, "网络空间治理")
    trad_q = hits_of(small, "網絡空間")  # traditional query, simplified text
    assert {("d2015", 1), ("d2015", 2)} <= trad_q
    assert trad_q == hits_of(small, "网络空间")
    hit = next(h for h in small.search("网络空间治理").hits if h.doc_id == "trad")
    assert "<mark>網絡空間治理</mark>" in hit.snippet  # highlights the stored characters


def test_full_and_half_width_and_case(small: Corpus) -> None:
    assert hits_of(small, "abc") == {("wide", 1)}
    assert hits_of(small, "ＡＢＣ") == {("wide", 1)}
    assert hits_of(small, "5g") == {("wide", 1)}
    assert hits_of(small, "g20") == {("wide", 2), ("wide", 3)}
    assert hits_of(small, "Ｇ２０") == hits_of(small, "G20")
    hit = small.search("5G").hits[0]
    assert "<mark>５Ｇ</mark>" in hit.snippet


# -- property: the index agrees with a scan, always --------------------------------------------
@st.composite
def queries(draw: st.DrawFn, paragraphs: list[str]) -> tuple[str, list[list[str]], list[str]]:
    def piece() -> str:
        text = draw(st.sampled_from(paragraphs))
        n = draw(st.integers(1, 12))
        i = draw(st.integers(0, max(0, len(text) - n)))
        return text[i:i + n]

    groups = [[piece()]]
    exclude: list[str] = []
    for _ in range(draw(st.integers(0, 2))):
        kind = draw(st.sampled_from(["and", "or", "not"]))
        if kind == "and":
            groups.append([piece()])
        elif kind == "or":
            groups[-1].append(piece())
        else:
            exclude.append(piece())
    q = " ".join(" OR ".join(quote(p) for p in g) for g in groups) + "".join(f" -{quote(x)}" for x in exclude)
    return q, groups, exclude


def _paragraphs(c: Corpus) -> list[str]:
    return [r[0] for r in c.store.execute("SELECT text FROM paragraphs ORDER BY id") if r[0]]


def test_property_hits_equal_a_scan_small_db(rand: Corpus) -> None:
    paragraphs = _paragraphs(rand)

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(queries(paragraphs))
    def check(case: tuple[str, list[list[str]], list[str]]) -> None:
        q, groups, exclude = case
        assert hits_of(rand, q) == brute(rand, groups, exclude), q

    check()


# -- filters -----------------------------------------------------------------------------------
BOUNDS = [None, "1990", "2015", "2015-12", "2015-12-16", "2015-12-17", "2016", "2016-02", "2016-03",
          "2016-03-31", "2019-05-01", "2024", "2025-01-01"]


def test_date_filters_agree_with_the_document_list(rand: Corpus) -> None:
    rng = random.Random(1)
    docs_with = {d for d, _ in brute(rand, [["的"]])}
    for _ in range(60):
        lo, hi = rng.choice(BOUNDS), rng.choice(BOUNDS)
        years = [f"{rng.randint(1990, 2025)}", f"{rng.randint(1990, 2025)}-{rng.randint(1, 12):02d}",
                 f"{rng.randint(1990, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"]
        lo = lo if rng.random() < 0.5 else rng.choice(years)
        hi = hi if rng.random() < 0.5 else rng.choice(years)
        if lo and hi and lo[:min(len(lo), len(hi))] > hi[:min(len(lo), len(hi))]:
            # a range that cannot hold anything is an error, not an empty answer
            with pytest.raises(QueryError):
                rand.docs(date_from=lo, date_to=hi)
            with pytest.raises(QueryError):
                rand.search("的", date_from=lo, date_to=hi)
            continue
        listed = {d.id for d in rand.docs(date_from=lo, date_to=hi)}
        r = rand.search("的", limit=100_000, date_from=lo, date_to=hi)
        assert {h.doc_id for h in r.hits} == listed & docs_with, (lo, hi)
        expected_total = len({(d, n) for d, n in brute(rand, [["的"]]) if d in listed})
        assert r.total == expected_total


def test_reduced_precision_dates(small: Corpus) -> None:
    def docs(**kw: Any) -> set[str]:
        return {h.doc_id for h in small.search("的 OR 网 OR 发展 OR 。", limit=1000, **kw).hits}

    assert docs(date_to="2015") == {"d2015"}  # --to 2015 includes 2015-12-16
    assert docs(date_from="2016", date_to="2016") == {"d2016", "d201603"}
    assert docs(date_from="2016-03") == {"d201603", "trad", "wide", "d2024"}  # "2016" starts before March
    assert docs(date_to="2016-02") == {"d2015", "d2016"}  # "2016" is not after February
    assert docs(date_from="2015-12-17", date_to="2016-12-31") == {"d2016", "d201603"}
    assert docs(date_from="2016-01-01", date_to="2016-12-31") == {"d201603"}  # "2016" sorts before 2016-01-01
    assert "nodate" not in docs(date_from="1900")
    assert "nodate" in docs()


def test_speaker_genre_source_filters(rand: Corpus, small: Corpus) -> None:
    for kw in [{"speaker": "习近平"}, {"speaker": "王毅"}, {"genre": "report"}, {"genre": "speech,letter"},
               {"source": "新华"}, {"speaker": "李强", "genre": "article"}, {"speaker": "nobody"}]:
        listed = {d.id for d in rand.docs(**kw)}
        expected = {(d, n) for d, n in brute(rand, [["网"]]) if d in listed}
        assert hits_of(rand, "网", **kw) == expected, kw
    # a secondary speaker counts
    assert {h.doc_id for h in small.search("网", speaker="王沪宁").hits} == {"d201603"}


def test_title_only(small: Corpus) -> None:
    r = small.search("讲话", title_only=True)
    assert [h.doc_id for h in r.hits] == ["d2015"]
    assert r.hits[0].paragraph == 0 and r.hits[0].snippet == "在大会开幕式上的<mark>讲话</mark>"
    assert {h.doc_id for h in small.search("发展", title_only=True).hits} == {"trad"}  # 發展戰略
    assert small.search("abc", title_only=True).total == 1
    assert small.search("的", title_only=True, date_from="2017").total == 0
    assert small.search("的", title_only=True).total == 3
    assert small.search("网络", title_only=True, genre="letter").total == 1


# -- ranking, sorting, paging, grouping ----------------------------------------------------------
def test_relevance_ranks_denser_paragraphs_first(small: Corpus) -> None:
    r = small.search("网络空间")
    scores = [h.score for h in r.hits]
    assert scores == sorted(scores, reverse=True)
    assert r.hits[0].score > r.hits[-1].score
    # the paragraph that says it twice (and is short) beats one that says it once in a long text
    r2 = small.search("绿水青山")
    assert r2.total == 1 and r2.hits[0].doc_id == "d2024"


def _order_key(date: str | None) -> int:
    return index.date_number(date)


@pytest.mark.parametrize("sort", ["date", "date_asc"])
def test_sort_by_date(rand: Corpus, sort: str) -> None:
    r = rand.search("的", sort=sort, limit=100_000)
    dated = [_order_key(h.date) for h in r.hits if h.date]
    assert dated == sorted(dated, reverse=(sort == "date"))
    undated = [i for i, h in enumerate(r.hits) if not h.date]
    if sort == "date":
        assert undated == list(range(len(r.hits) - len(undated), len(r.hits)))  # undated last
    # within a document, paragraphs keep their order
    for doc in {h.doc_id for h in r.hits}:
        ns = [h.paragraph for h in r.hits if h.doc_id == doc]
        assert ns == sorted(ns)


@pytest.fixture(params=["one pass", "huge-set paths"])
def mode(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test as is, and again with the thresholds so low that every query takes the paths
    meant for result sets of millions (year-by-year counts, ranking in blocks, dates per year)."""
    if request.param != "one pass":
        monkeypatch.setattr(search, "RANK_WINDOW", 4)
    return str(request.param)


@pytest.mark.parametrize("sort", ["relevance", "date", "date_asc"])
@pytest.mark.parametrize("by", ["paragraph", "doc"])
def test_pages_concatenate_to_the_whole(rand: Corpus, sort: str, by: str, mode: str) -> None:
    q = "网 OR 发展"
    whole = rand.search(q, sort=sort, by=by, limit=100_000)
    seen: list[tuple[str, int]] = []
    for offset in range(0, whole.total + 7, 7):
        page = rand.search(q, sort=sort, by=by, limit=7, offset=offset)
        assert page.total == whole.total and page.by_year == whole.by_year
        seen.extend((h.doc_id, h.paragraph) for h in page.hits)
    assert seen == [(h.doc_id, h.paragraph) for h in whole.hits]
    assert len(seen) == whole.total == len(set(seen))


@pytest.mark.parametrize("sort", ["date", "date_asc"])
@pytest.mark.parametrize("by", ["paragraph", "doc"])
def test_huge_set_paths_agree_with_small_set_paths(rand: Corpus, sort: str, by: str,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    kw: dict[str, Any] = {"sort": sort, "by": by, "limit": 9, "offset": 5}
    for filters in [{}, {"date_from": "2001-06-15", "date_to": "2020-02"}, {"speaker": "习近平"}]:
        one = rand.search("网 OR 发展", **kw, **filters)
        with monkeypatch.context() as m:
            m.setattr(search, "RANK_WINDOW", 4)
            huge = rand.search("网 OR 发展", **kw, **filters)
        assert (huge.total, huge.by_year) == (one.total, one.by_year)
        assert [(h.doc_id, h.paragraph, h.matches) for h in huge.hits] == \
            [(h.doc_id, h.paragraph, h.matches) for h in one.hits]


def test_huge_sets_rank_the_newest_years_first(rand: Corpus, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "RANK_WINDOW", 10)
    monkeypatch.setattr(search, "LONE_WINDOW", 10)  # (的 alone is ranked in blocks of its newest matches)
    r = rand.search("的", limit=10)
    assert r.total == len(brute(rand, [["的"]]))  # counts still cover everything
    # the first block: the newest whole years that hold at least 10 matches
    per_year = sorted(((int(y), n) for y, n in r.by_year.items() if y != "undated"), reverse=True)
    acc, first_year = 0, 0
    for y, n in per_year:
        acc += n
        first_year = y
        if acc >= 10:
            break
    assert all(index.date_number(h.date) // 10000 >= first_year for h in r.hits)
    scores = [h.score for h in r.hits]
    assert scores == sorted(scores, reverse=True)


def test_group_by_document(rand: Corpus) -> None:
    para = brute(rand, [["网"]])
    r = rand.search("网", by="doc", limit=1000)
    per_doc: dict[str, int] = {}
    for d, _ in para:
        per_doc[d] = per_doc.get(d, 0) + 1
    assert r.total == len(per_doc)
    assert {h.doc_id: h.matches for h in r.hits} == per_doc
    for h in r.hits:
        assert (h.doc_id, h.paragraph) in para  # the paragraph shown does match
    docs = {d.id: d for d in rand.docs()}
    years: dict[str, int] = {}
    for d in per_doc:
        y = docs[d].date[:4] if docs[d].date else "undated"
        years[y] = years.get(y, 0) + 1
    assert r.by_year == dict(sorted(years.items(), key=lambda kv: (kv[0] != "undated", kv[0])))


def test_total_and_by_year_count_every_match(rand: Corpus, mode: str) -> None:
    expected = brute(rand, [["的"]])
    docs = {d.id: d for d in rand.docs()}
    years: dict[str, int] = {}
    for d, _ in expected:
        y = docs[d].date[:4] if docs[d].date else "undated"
        years[y] = years.get(y, 0) + 1
    for sort in ("relevance", "date"):
        r = rand.search("的", limit=5, sort=sort)
        assert r.total == len(expected) and len(r.hits) == 5
        assert r.by_year == {k: years[k] for k in r.by_year} and set(r.by_year) == set(years)


# -- snippets ----------------------------------------------------------------------------------
def test_snippets_mark_matches_and_escape_the_rest(small: Corpus) -> None:
    h = small.search("script").hits[0]
    assert h.snippet.count("<mark>script</mark>") == 2
    assert "&lt;" in h.snippet and "&quot;x&quot;" in h.snippet and "&amp;amp;" in h.snippet
    assert "<script>" not in h.snippet
    assert re.sub(r"</?mark>", "", h.snippet) == __import__("html").escape(h.text)


def test_snippet_of_a_long_paragraph_is_an_excerpt_around_the_match(small: Corpus) -> None:
    h = small.search("欢迎各国朋友").hits[0]
    assert len(h.text) > search.SNIPPET_CHARS
    assert "<mark>欢迎各国朋友</mark>" in h.snippet
    plain = re.sub(r"</?mark>", "", h.snippet).strip("…")
    assert plain in h.text and len(plain) <= search.SNIPPET_CHARS
    assert h.snippet.endswith("…")


def test_snippet_marks_every_term() -> None:
    s = search.snippet("甲乙丙甲乙", search.match_spans("甲乙丙甲乙", ["甲乙", "丙"]))
    assert s == "<mark>甲乙</mark><mark>丙</mark><mark>甲乙</mark>"
    assert search.snippet("a<b", search.match_spans("a<b", ["<"])) == "a<mark>&lt;</mark>b"


# -- the index follows the store ---------------------------------------------------------------
def test_update_delete_check_rebuild(tmp_path: Path) -> None:
    c = build(tmp_path / "u.db", random_docs(3, 12))
    before = {q: hits_of(c, q) for q in ["的", "网络", "發展"]}
    assert index.check(c.store.conn) == []
    doc = c.get("r001")
    doc.paragraphs = ["全新的段落，只在这里：独一无二。"]
    doc.content_hash = "changed"
    with c.store.transaction() as conn:
        assert c.store.put(conn, doc) == "updated"
    assert hits_of(c, "独一无二") == {("r001", 1)}
    assert all(d != "r001" or n == 1 for d, n in hits_of(c, "的"))
    assert c.store.delete("r002")
    assert all(d != "r002" for d, _ in hits_of(c, "的"))
    assert hits_of(c, "的") == brute(c, [["的"]])
    assert index.check(c.store.conn) == []
    with c.store.transaction() as conn:
        index.rebuild(conn)
    assert hits_of(c, "的") == brute(c, [["的"]])
    assert index.check(c.store.conn) == []
    assert before  # (the original state was searchable too)
    # an in-place date change is noticed, and repaired by a rebuild
    c.store.execute("UPDATE documents SET date = '1999-01-01' WHERE id = 'r003'")
    c.store.conn.commit()
    assert any("another date" in p for p in index.check(c.store.conn))
    with c.store.transaction() as conn:
        index.rebuild(conn)
    assert index.check(c.store.conn) == []
    # index entries lost behind the store's back are noticed
    fold = index.folder(c.store.conn).fold
    with c.store.transaction() as conn:
        for pid, text, date in conn.execute("SELECT p.id, p.text, k.date FROM paragraphs p JOIN search_paras k "
                                            "ON k.pid = p.id WHERE p.doc_id = 'r004'").fetchall():
            enc = index.encode(fold(text))
            conn.execute("INSERT INTO search_fts (search_fts, rowid, tri, uni, bi) VALUES ('delete', ?, ?, ?, ?)",
                         (index.key(date // 10000, pid), index.tri_tokens(enc), index.uni_tokens(enc),
                          index.bi_tokens(enc)))
    assert any("not found by their own text" in p for p in index.check(c.store.conn))
    with c.store.transaction() as conn:
        index.rebuild(conn)
    assert index.check(c.store.conn) == []
    c.close()


def test_match_ids_for_other_modules(small: Corpus) -> None:
    conn = small.store.conn
    ids = index.match_ids(conn, "網絡空間")
    expected = {r[0] for r in conn.execute(
        "SELECT id FROM paragraphs WHERE text LIKE '%网络空间%' OR text LIKE '%網絡空間%'")}
    assert set(ids) == expected
    assert len(index.match_ids(conn, "网", limit=2)) == 2
    assert index.match_ids(conn, "") == []


# -- the CLI -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def small_db(small: Corpus) -> str:
    return small.path


def test_cli_search_json(cli: Any, small_db: str) -> None:
    r = cli("search", "网络空间", "--json", "--limit", "2", db=small_db)
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["total"] == len(brute(Corpus(small_db, readonly=True), [["网络空间"]]))
    assert len(data["hits"]) == 2
    for h in data["hits"]:
        assert {"doc_id", "title", "date", "paragraph", "text", "snippet", "score"} <= set(h)
        assert "<mark>网络空间</mark>" in h["snippet"] or "<mark>網絡空間</mark>" in h["snippet"]
    assert sum(data["by_year"].values()) == data["total"]


def test_cli_filters_and_sort(cli: Any, small_db: str) -> None:
    r = cli("search", "网", "--to", "2015", "--json", db=small_db)
    assert {h["doc_id"] for h in json.loads(r.stdout)["hits"]} == {"d2015"}
    r = cli("search", "网 OR 发展", "--sort", "date", "--by", "doc", "--json", db=small_db)
    dates = [h["date"] for h in json.loads(r.stdout)["hits"]]
    assert dates[0] == "2020-07-01" or dates[0] >= "2019"
    r = cli("search", "网", "--speaker", "李克强", "--genre", "report", "--json", db=small_db)
    assert json.loads(r.stdout)["total"] == len([1 for d, _ in brute(Corpus(small_db, readonly=True), [["网"]])
                                                 if d == "d2016"])


@pytest.mark.parametrize("q", ["-网络", "网络 OR -安全"])
def test_cli_query_error_is_one_line(cli: Any, small_db: str, q: str) -> None:
    r = cli("search", "--", q, db=small_db)  # (a leading "-" needs the usual "--")
    assert r.returncode == 2  # a query that cannot be used is a usage error
    assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr and r.stderr.startswith("lunshu: error:")
    r = cli("search", "--json", "--", q, db=small_db)
    assert r.returncode == 2
    assert json.loads(r.stdout)["error"]["code"] == "bad_query"


@pytest.mark.parametrize("q", ['a"b NEAR( *', "col:x AND 网络 NOT", '"unbalanced', "-"])
def test_cli_odd_queries_work(cli: Any, small_db: str, q: str) -> None:
    r = cli("search", "--json", "--", q, db=small_db)
    assert r.returncode == 0, r.stderr
    assert "total" in json.loads(r.stdout)


def test_cli_human_output_and_csv(cli: Any, small_db: str) -> None:
    r = cli("search", "网络空间", db=small_db)
    assert r.returncode == 0 and "matching paragraphs" in r.stdout and "网络空间" in r.stdout
    r = cli("search", "网络空间", "--csv", db=small_db)
    assert r.returncode == 0 and r.stdout.splitlines()[0].startswith("doc_id,")
