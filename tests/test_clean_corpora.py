"""The cleaner and the metadata extractor over every shared corpus (skipped without ../shared).

The central check: no Han character of a body is lost except inside what the cleaner removes on
purpose or what the extractor takes as metadata — the multiset of Han characters of the input body
equals that of kept paragraphs + ``removed`` texts + ``consumed`` metadata.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

import pytest
from conftest import CORPORA, requires_shared

from lunshu.clean import HAN_RE, Cleaned, clean_body
from lunshu.metadata import CPC_CONGRESS_YEARS, Metadata, analyze

pytestmark = requires_shared


@dataclass
class Rec:
    corpus: str
    fields: dict[str, Any]
    body: str
    cleaned: Cleaned
    meta: Metadata
    paragraphs: list[str]


def _records() -> list[tuple[str, dict[str, Any], str]]:
    """The records with their fields under the canonical keys the readers give them."""
    out: list[tuple[str, dict[str, Any], str]] = []
    for r in json.loads((CORPORA / "xinhua-xi-speeches-2022-2025.json").read_text(encoding="utf-8")):
        out.append(("xinhua", {"title": r["title"], "date": r["publication"], "url": r["url"]}, r["text"]))
    for line in (CORPORA / "government-work-reports-1954-2025.jsonl").read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        out.append(("gov", {"title": r["title"], "url": r["url"], "year": r["year"]}, r["content"]))
    for line in (CORPORA / "cpc-congress-reports.jsonl").read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        out.append(("cpc", {k: r[k] for k in ("title", "url", "congress", "type")}, r["content"]))
    return out


@pytest.fixture(scope="module")
def recs() -> list[Rec]:
    if not CORPORA.is_dir():
        pytest.skip("../shared/corpora not found")
    out = []
    for corpus, fields, body in _records():
        cleaned, meta, paragraphs = analyze(body, "text", fields)
        out.append(Rec(corpus, fields, body, cleaned, meta, paragraphs))
    return out


def by(recs: list[Rec], corpus: str) -> list[Rec]:
    return [r for r in recs if r.corpus == corpus]


def han(s: str) -> Counter[str]:
    return Counter(HAN_RE.findall(s))


def test_corpus_sizes(recs: list[Rec]) -> None:
    assert (len(by(recs, "xinhua")), len(by(recs, "gov")), len(by(recs, "cpc"))) == (105, 72, 16)


def test_no_han_character_is_lost(recs: list[Rec]) -> None:
    for r in recs:
        out = (han("".join(r.paragraphs)) + han("".join(x.text for x in r.cleaned.removed))
               + han("".join(r.meta.consumed)))
        assert out == han(r.body), (r.corpus, r.fields["title"], (han(r.body) - out).most_common(3))


def test_paragraphs_are_clean_and_cleaning_is_idempotent(recs: list[Rec]) -> None:
    for r in recs:
        assert r.paragraphs, r.fields["title"]
        for p in r.cleaned.paragraphs:
            assert p == p.strip() and "\n" not in p and "\u3000" not in p and "\u2003" not in p
            assert not re.search("[０-９Ａ-Ｚａ-ｚ]", p)
        again = clean_body("\n\n".join(r.cleaned.paragraphs)).paragraphs
        assert again == r.cleaned.paragraphs, r.fields["title"]


def test_xinhua_headers_and_captions_are_separated(recs: list[Rec]) -> None:
    xs = by(recs, "xinhua")
    delivered = 0
    for r in xs:
        m = r.meta
        assert m.date == r.fields["date"][:10]  # dated by the publication day
        assert m.speakers[0] == "习近平"
        delivered += m.delivered is not None
        for p in r.paragraphs:
            assert "新华社记者" not in p and not re.search(r"新华社发（", p), p[:60]
        for p in r.paragraphs[:2]:
            assert not re.match(r"新华社\S{1,12}?[0-9]{1,2}月[0-9]{1,2}日电", p), p[:60]
            assert not re.search(r"（20[0-9]{2}年[0-9]{1,2}月[0-9]{1,2}日[^）]{0,12}）\s*(?:\S{0,30}主席)?\s*习近平", p), p[:80]
        assert any(x.rule == "caption" for x in r.cleaned.removed) or r.body.count("摄") == 0 or m.genre == "article"
    assert delivered >= 95


def test_xinhua_genres_by_title(recs: list[Rec]) -> None:
    for r in by(recs, "xinhua"):
        title, genre = r.fields["title"], r.meta.genre
        if re.search(r"(?:讲话|演讲|致辞|祝酒辞|发言|贺词|说明|报告)$", title):
            # a report to a congress on a body's work is a work-report (docs/cli.md), the rest speeches
            expected = "work-report" if re.search(r"代表大会上的报告$|工作报告$", title) else "speech"
            assert genre == expected, title
        if "※习近平" in r.body[:200]:
            assert genre == "article", title


def test_work_reports(recs: list[Rec]) -> None:
    speakers = {}
    for r in by(recs, "gov"):
        m, title = r.meta, r.fields["title"]
        year = r.fields["year"]
        if year:
            assert m.date is not None and m.date.startswith(year), title
        if "决议" in title:
            assert m.genre == "other" and m.speakers == [], title
        else:
            assert m.genre == "work-report", title
            speakers[int(year)] = m.speakers
        text = "\n".join(r.paragraphs)
        assert "Public domain" not in text and "公有领域" not in text and "维基文库" not in text
    for year, name in {2024: "李强", 2023: "李克强", 2013: "温家宝", 2003: "朱镕基", 1998: "李鹏", 1988: "李鹏",
                       1959: "周恩来", 1954: "周恩来", 1964: "周恩来"}.items():
        assert speakers[year] == [name], year
    for year in (1955, 1956, 1958, 1960, 1980):  # reports not delivered by the premier, or not certain
        assert speakers[year] == [], year
    [r2024] = [r for r in by(recs, "gov") if r.fields["year"] == "2024"]
    assert r2024.meta.date == "2024-03-05" and r2024.paragraphs[0] == "各位代表："


def test_cpc_congress_reports(recs: list[Rec]) -> None:
    for r in by(recs, "cpc"):
        n = r.fields["congress"]
        assert r.meta.date is not None and r.meta.date.startswith(str(CPC_CONGRESS_YEARS[n]))
        text = "\n".join(r.paragraphs)
        assert "[1]" not in text and "[CPC" not in text and "Public domain" not in text
        if n == 1:
            assert r.meta.speakers == []
    dates = {r.fields["congress"]: r.meta.date for r in by(recs, "cpc")}
    assert dates[19] == "2017-10-18" and dates[20] == "2022-10-16"
    ninth = next(r for r in by(recs, "cpc") if r.fields["congress"] == 9)
    assert sum("工贼刘少奇为首的资产阶级司令部" in p for p in ninth.paragraphs) == 1  # wiki link breaks joined
    assert ninth.meta.speakers == ["林彪"]
    nineteenth = next(r for r in by(recs, "cpc") if r.fields["congress"] == 19)
    assert nineteenth.paragraphs[0] == "同志们：" and nineteenth.meta.speakers == ["习近平"]
