"""Books: PDFs and OCR'd volumes of collected works split into dated pieces, through the real CLI.

The synthetic volume below is built the way OCR text of a 文选 comes: a table of contents with
leader dots, page numbers and bracketed Chinese-numeral dates; pieces whose lines wrap inside
sentences, page numbers on lines of their own, stray OCR symbols between pages, half-width
punctuation, notes (注释) after a piece.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_cli
from hypothesis import given
from hypothesis import strategies as st

from lunshu.book import date_line, genre_of, ocr_date
from lunshu.ingest.pdf import join_spaced

QUOTE = "一个党，一个国家，一个民族，如果一切从本本出发，思想僵化，迷信盛行，那它就不能前进，它的生机就停止了，就要亡党亡国。"


def _wrap(text: str, width: int = 22) -> list[str]:
    """Text broken into lines of ``width`` characters, half-width commas as OCR leaves them."""
    text = text.replace("，", ",")
    return [text[i:i + width] for i in range(0, len(text), width)]


def _volume() -> str:
    toc = [
        "邓小平文选",
        "第二卷",
        "",
        "出版说明",
        "本卷收入作者一九七五年至一九八二年的重要著作。",
        "",
        "目  录",
        "全党讲大局，把国民经济搞上去……………………………1",
        "（一九七五年三月五日）",
        "解放思想，实事求是，团结一致向前看……………………3",
        "（一九七八年十二月十三日）",
        "给青年同志的信…………………………………………………5",
        "（一九七九年一月）",
        "在全国科学大会开幕式上的讲话……………………………6",
        "（一九七八年三月十八日）",
        "",
    ]
    body: list[str] = []
    body += ["全党讲大局，把国民经济搞上去", "", "（一九七五年三月五日）", ""]
    body += _wrap("现在的问题是，我们的国民经济要搞上去，全党都要讲这个大局。这是第一篇的第一句之后的一句话，"
                  "要写得足够长才能折行。")
    body += _wrap("大家都要顾全大局。第一篇到此结束。")
    body += ["", "1", "", "|", ""]  # page number on its own line, a stray OCR symbol
    body += _wrap("第一篇的第二页还有一段话，它说明页码之后的文字仍属同一篇，并且要折成好几行才够长。")
    body += ["", "2", ""]
    body += ["解放思想，实事求是，", "团结一致向前看", "《一九七八年十二月十三日)", ""]
    body += _wrap("今天我主要讲一个问题，就是解放思想，实事求是，团结一致向前看。" + QUOTE + "这是一段足够长的话，"
                  "好让它折成几行。")
    body += _wrap("解放思想是当前的一个重大政治问题。")
    body += ["", "3", ""]
    body += _wrap("第二篇的后半部分说，我们要向前看，这样的话要写得很长很长，才能折成好几行来检验接行。") + ["", "4", ""]
    body += ["给青年同志的信", "（一九七九年一月）", ""]
    body += _wrap("青年同志们：你们好。这封信的第一句很短。希望你们好好学习，天天向上，这句话也要折行才行。")
    body += ["注 释", "[1] 这是一条注释，不属于正文。", "", "5", ""]
    body += ["在全国科学大会开幕式上的讲话", "（一九七八年三月十八日）"]
    body += _wrap("同志们：全国科学大会今天开幕了。科学技术是生产力，这是马克思主义历来的观点，这句话要折行。")
    body += _wrap("我的话完了。")
    body += ["", "6", ""]
    return "\n".join(toc + body) + "\n"


@pytest.fixture(scope="module")
def book_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    d = tmp_path_factory.mktemp("book")
    path = d / "deng-xiaoping-wenxuan-2.txt"
    path.write_text(_volume(), encoding="utf-8")
    db = d / "book.db"
    r = run_cli("ingest", "--json", str(path), db=db)
    assert r.returncode == 0, r.stderr
    assert _counts(r.stdout) == {"added": 4, "updated": 0, "unchanged": 0, "failed": []}
    # the clean report counts each repair: page numbers, the stray "|", half-width commas, line wraps
    (book,) = json.loads(r.stdout)["books"]
    assert book["source"] == "邓小平文选 第二卷" and book["pieces"] == 4
    assert book["repairs"]["page_number"] == 6 and book["repairs"]["stray"] >= 1
    assert book["repairs"]["punctuation"] > 10 and book["repairs"]["line_wrap"] > 10
    return db, path


def _counts(stdout: str) -> dict:
    out = json.loads(stdout)
    return {k: out[k] for k in ("added", "updated", "unchanged", "failed")}


def _docs(db: Path, *args: str) -> list[dict]:
    r = run_cli("docs", "--json", *args, db=db)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_volume_is_split_into_dated_pieces_in_book_order(book_db: tuple[Path, Path]) -> None:
    db, _ = book_db
    docs = _docs(db, "--source", "邓小平文选")
    # --source names the book: its pieces in book order (the last piece is dated before the two above it)
    assert [(d["title"], d["date"], d["genre"], d["source"], d["speakers"]) for d in docs] == [
        ("全党讲大局，把国民经济搞上去", "1975-03-05", "article", "邓小平文选 第二卷", ["邓小平"]),
        ("解放思想，实事求是，团结一致向前看", "1978-12-13", "article", "邓小平文选 第二卷", ["邓小平"]),
        ("给青年同志的信", "1979-01", "letter", "邓小平文选 第二卷", ["邓小平"]),
        ("在全国科学大会开幕式上的讲话", "1978-03-18", "speech", "邓小平文选 第二卷", ["邓小平"]),
    ]
    assert [(d["page_start"], d["page_end"]) for d in docs] == [(1, 2), (3, 4), (5, 5), (6, 6)]
    # without --source: date order
    assert [d["date"] for d in _docs(db)] == ["1975-03-05", "1978-03-18", "1978-12-13", "1979-01"]
    # a page of it keeps the order; --limit/--offset page through the book
    assert [d["page_start"] for d in _docs(db, "--source", "文选", "--offset", "1", "--limit", "2")] == [3, 5]


def test_piece_text_is_repaired_and_notes_kept_apart(book_db: tuple[Path, Path]) -> None:
    db, _ = book_db
    docs = {d["title"]: d for d in _docs(db)}
    r = run_cli("show", "--json", docs["全党讲大局，把国民经济搞上去"]["id"], db=db)
    first = json.loads(r.stdout)
    texts = [p["text"] for p in first["paragraphs"]]
    # the wrapped lines are one paragraph again, the page number and the "|" between pages are gone,
    # and half-width commas in Chinese text are full width
    assert texts[0].startswith("现在的问题是，我们的国民经济要搞上去，全党都要讲这个大局。")
    assert "|" not in "".join(texts) and "," not in "".join(texts)
    assert any(t.startswith("第一篇的第二页还有一段话") for t in texts)
    assert [p["page"] for p in first["paragraphs"]][-1] == 2
    assert first["raw"].startswith("全党讲大局")  # the original is kept
    letter = json.loads(run_cli("show", "--json", docs["给青年同志的信"]["id"], db=db).stdout)
    assert letter["notes"] == ["[1] 这是一条注释，不属于正文。"]
    assert "注释" not in "".join(p["text"] for p in letter["paragraphs"])
    human = run_cli("show", docs["解放思想，实事求是，团结一致向前看"]["id"], db=db).stdout
    assert "pages: 3–4" in human


def test_search_hits_and_trace_sources_carry_the_page(book_db: tuple[Path, Path], tmp_path: Path) -> None:
    db, _ = book_db
    r = run_cli("search", "--json", "生机就停止了", db=db)
    hits = json.loads(r.stdout)["hits"]
    assert [(h["title"], h["page"]) for h in hits] == [("解放思想，实事求是，团结一致向前看", 3)]
    # a compilation quoting the 1978 speech: the quotation is verified against the piece, with its page
    comp = tmp_path / "compilation.txt"
    comp.write_text("邓小平同志论解放思想\n\n" + QUOTE + "\n——1978年12月13日，邓小平在中央工作会议闭幕会上的讲话\n",
                    encoding="utf-8")
    assert run_cli("ingest", str(comp), db=db).returncode == 0
    r = run_cli("trace", "--json", "--date", "1978-12-13", QUOTE, db=db)
    t = json.loads(r.stdout)
    assert t["status"] == "verified"
    top = t["sources"][0]
    assert (top["title"], top["date"], top["page"]) == ("解放思想，实事求是，团结一致向前看", "1978-12-13", 3)
    quotes = json.loads(run_cli("quotes", "--json", db=db).stdout)
    mine = [q for q in quotes if q["quote"].startswith("一个党")]
    assert mine and mine[0]["status"] == "verified"
    assert (mine[0]["sources"][0]["title"], mine[0]["sources"][0]["page"]) == ("解放思想，实事求是，团结一致向前看", 3)


def test_reingest_keeps_ids_and_changes_nothing(book_db: tuple[Path, Path]) -> None:
    db, path = book_db
    before = [d["id"] for d in _docs(db, "--source", "邓小平文选")]
    r = run_cli("ingest", "--json", str(path), db=db)
    assert _counts(r.stdout) == {"added": 0, "updated": 0, "unchanged": 4, "failed": []}
    assert [d["id"] for d in _docs(db, "--source", "邓小平文选")] == before


def test_no_book_reads_the_volume_as_one_document(book_db: tuple[Path, Path], tmp_path: Path) -> None:
    _, path = book_db
    r = run_cli("ingest", "--json", "--no-book", str(path), db=tmp_path / "one.db")
    assert json.loads(r.stdout)["added"] == 1


def test_as_book_on_a_plain_text_is_a_clear_error(tmp_path: Path) -> None:
    p = tmp_path / "plain.txt"
    p.write_text("这是一篇普通的文章。\n\n它没有目录，也没有日期行。\n", encoding="utf-8")
    r = run_cli("ingest", "--as-book", str(p), db=tmp_path / "x.db")
    assert r.returncode == 1
    assert "not a book" in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_pdf_without_text_layer_is_a_clear_error(tmp_path: Path) -> None:
    import pypdf

    w = pypdf.PdfWriter()
    w.add_blank_page(width=200, height=200)
    p = tmp_path / "scan.pdf"
    with open(p, "wb") as fh:
        w.write(fh)
    good = tmp_path / "good.txt"
    good.write_text("一篇好文章。\n", encoding="utf-8")
    r = run_cli("ingest", "--json", str(p), str(good), db=tmp_path / "x.db")
    assert r.returncode == 1
    out = json.loads(r.stdout)
    assert out["added"] == 1 and len(out["failed"]) == 1
    assert "no text layer" in out["failed"][0]["error"]
    assert "no text layer" in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_broken_pdf_is_a_clear_error(tmp_path: Path) -> None:
    p = tmp_path / "broken.pdf"
    p.write_bytes(b"%PDF-1.4\n this is not really a pdf")
    r = run_cli("ingest", "--json", str(p), db=tmp_path / "x.db")
    assert r.returncode == 1
    assert "PDF" in json.loads(r.stdout)["failed"][0]["error"]


@pytest.mark.parametrize(("text", "iso", "end", "precision"), [
    ("一九六二年二月六日", "1962-02-06", None, "day"),
    ("一九八○年三月——一九八一年六月", "1980-03", "1981-06", "month"),
    ("一九五〇年五月十六日", "1950-05-16", None, "day"),
    ("一妃五一年一月四卓", "1951-01-04", None, "day"),  # OCR: 妃 for 九, 卓 for 日
    ("一九五一年一月十四上日", "1951-01-14", None, "day"),
    ("一九六五年六月、十二月", "1965-06", None, "month"),
    ("二〇一二年十一月十五日", "2012-11-15", None, "day"),
    ("1978年12月13日", "1978-12-13", None, "day"),
    ("没有日期", None, None, ""),
])
def test_ocr_date(text: str, iso: str | None, end: str | None, precision: str) -> None:
    assert ocr_date(text) == (iso, end, precision)


@pytest.mark.parametrize(("title", "genre"), [
    ("在扩大的中央工作会议上的讲话", "speech"),
    ("同外宾的谈话", "speech"),
    ("给李讷的信", "letter"),
    ("关于确保厦门和加强沿海防务给陈毅的电报", "letter"),
    ("关于处理生日贺电的批语", "other"),
    ("为中国戏曲研究院题词", "other"),
    ("关于修改党的章程的报告", "speech"),  # a report delivered to a congress is a speech (news reports are "report")
    ("在中央给张经武的电报稿上加写的一段话", "other"),
    ("对陶铸关于广西剿匪工作报告的批语和复电", "other"),
    ("答意大利记者法拉奇问", "interview"),
    ("党与抗日民主政权", "article"),
])
def test_genre_from_title(title: str, genre: str) -> None:
    assert genre_of(title) == genre


@pytest.mark.parametrize(("line", "is_date"), [
    ("（一九六二年二月六日）", True),
    ("《一九五一年一月二日)", True),  # OCR read the brackets as 《 and )
    ("（1978年12月13日）", True),
    ("一九五一年一月十五日出版的《学习》杂志第三卷", False),  # a sentence, not a date line
    ("（一九五一年五月十五日通过，经中央批准。这是", False),
])
def test_date_line(line: str, is_date: bool) -> None:
    assert bool(date_line(line)) is is_date


def test_join_spaced() -> None:
    assert join_spaced("邓 小 平 文 选 第 一 卷  2") == "邓小平文选第一卷 2"
    assert join_spaced("目   录 ") == "目 录"
    assert join_spaced("（ 一 九 三 八 年 一 月 十 二 日 ） ") == "（一九三八年一月十二日）"
    assert join_spaced("大 革 命 〔 1〕 时 代") == "大革命〔1〕时代"
    assert join_spaced("ISBN 7-01-002067-1") == "ISBN 7-01-002067-1"
    assert join_spaced("（ 《 毛 泽 东 选 集 》 第 4卷 ， 人 民 出 版 社 1991年 版 ， 第 1340— 1341页 ） 。") == \
        "（《毛泽东选集》第4卷，人民出版社1991年版，第1340—1341页）。"


@given(st.text(alphabet="邓小平文选第一卷，。、（）", min_size=1, max_size=40))
def test_join_spaced_loses_no_character(s: str) -> None:
    spaced = " ".join(s)
    assert join_spaced(spaced) == s
