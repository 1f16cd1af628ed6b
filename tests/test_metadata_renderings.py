"""Metadata on renderings of real pages that no rule was built on.

The 70 saved pages of 12371.cn were the development set of the metadata rules only as whole pages
and as records of the official database's API (title, date and source given as fields). Users
bring the same articles in other shapes, where title, date and source must come from the text:

- ``copied``: the page as a reader copies it — its title line, its ``发布时间：… 来源：…`` line,
  then the article's paragraphs (which often start with the text's own header: title, subtitle,
  date line, by-line);
- ``title_runon``: the title line, then the article run on (no paragraph marks);
- ``scraped``: a scraper's dump ``title, date, author, id, article`` with ``article`` an HTML
  fragment and no list of paragraphs;
- ``date_text``: a ``Date,Text`` CSV export of the article run on — no title at all.

Gold: title, date, source from each page's markup (tests/gold/pages-12371.json), genre and
speakers checked by hand (tests/gold/realdocs_expected.json). Measured per field over all
renderings against floors in tests/gold/floors.json (``renderings_*``), and printed separately
for pages of 2017–2018 and of 2019–2021 (pytest -s).
"""

from __future__ import annotations

import csv
import html
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT

from lunshu import Corpus
from lunshu.clean import normalize_for_match

sys.path.insert(0, str(ROOT / "tests" / "gold"))
from realdocs_gold import PAGES_DIR, page_record, run_on

FLOORS = json.loads((ROOT / "tests" / "gold" / "floors.json").read_text(encoding="utf-8"))
PAGE_GOLD = json.loads((ROOT / "tests" / "gold" / "pages-12371.json").read_text(encoding="utf-8"))["pages"]
HAND_GOLD = json.loads((ROOT / "tests" / "gold" / "realdocs_expected.json").read_text(encoding="utf-8"))["pages"]
FIELDS = {"copied": "title date source genre speakers", "title_runon": "title genre speakers",
          "scraped": "title date source genre speakers", "date_text": "date genre speakers"}


def _n(s: str | None) -> str:
    return normalize_for_match(s or "").replace(" ", "")


def _write(pages: Path, out: Path) -> tuple[list[str], dict[str, Path]]:
    records = {p.stem: page_record(p) for p in sorted(pages.glob("*.html"))}
    keys = list(records)
    paths = {"copied": out / "copied", "title_runon": out / "title_runon", "scraped": out / "scraped.json",
             "date_text": out / "export.csv"}
    paths["copied"].mkdir(parents=True)
    paths["title_runon"].mkdir()
    scraped, rows = [], []
    for k, r in records.items():
        g = PAGE_GOLD[k + ".html"]
        info = f"发布时间：{r['input_date'][:16]}\u3000来源：{g['source']}"
        (paths["copied"] / f"{k}.txt").write_text("\n".join([g["title"], info, *r["paragraphs"]]), encoding="utf-8")
        (paths["title_runon"] / f"{k}.txt").write_text(g["title"] + "\n\n" + run_on("".join(r["paragraphs"])),
                                                        encoding="utf-8")
        scraped.append({"title": g["title"], "date": r["input_date"], "author": g["source"], "id": k,
                        "article": "".join(f"<p>{html.escape(p)}</p>" for p in r["paragraphs"])})
        rows.append([r["input_date"][:10], run_on("".join(r["paragraphs"]))])
    paths["scraped"].write_text(json.dumps(scraped, ensure_ascii=False), encoding="utf-8")
    with open(paths["date_text"], "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["Date", "Text"])
        w.writerows(rows)
    return keys, paths


def _speakers_ok(ours: list[str], gold: list[str], allowed: list[str] | None) -> bool:
    if not gold:
        return not ours
    return bool(ours) and ours[0] == gold[0] and set(ours) <= set(gold) | set(allowed or [])


@pytest.fixture(scope="module")
def measured(shared_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    pages = shared_dir / "corpora" / PAGES_DIR
    if not pages.is_dir():
        pytest.skip(f"{pages} not found")
    out = tmp_path_factory.mktemp("renderings")
    keys, paths = _write(pages, out / "in")
    scores: dict[tuple[str, str, str], list[bool]] = {}
    misses: list[tuple[str, str, str, Any]] = []
    for variant, path in paths.items():
        c = Corpus(out / f"{variant}.db")
        rep = c.ingest([str(path)])
        assert not rep.failed, rep.failed[:3]
        for d in c.docs():
            doc = c.get(d.id)
            k = Path(doc.origin).stem if path.is_dir() else keys[int(doc.origin.rsplit("#", 1)[1]) - 1]
            g, h = PAGE_GOLD[k + ".html"], HAND_GOLD[k + ".html"]
            genres = h["genre"] if isinstance(h["genre"], list) else [h["genre"]]
            ok = {"title": _n(doc.title) == _n(g["title"]), "date": doc.date == g["date"],
                  "source": doc.source == g["source"], "genre": doc.genre in genres,
                  "speakers": _speakers_ok(doc.speakers, h["speakers"], h.get("allowed"))}
            years = "2017-2018" if g["date"] < "2019" else "2019-2021"
            for f in FIELDS[variant].split():
                scores.setdefault((variant, years, f), []).append(ok[f])
                if not ok[f]:
                    misses.append((variant, k, f, getattr(doc, f)))
    fields: dict[str, list[bool]] = {}
    by_years: dict[str, list[bool]] = {}
    for (_v, years, f), oks in scores.items():
        fields.setdefault(f, []).extend(oks)
        by_years.setdefault(f"{f} {years}", []).extend(oks)
    result = {"fields": {f: sum(v) / len(v) for f, v in fields.items()},
              "by_years": {k: f"{sum(v)}/{len(v)}" for k, v in sorted(by_years.items())},
              "variants": {f"{v} {y} {f}": f"{sum(o)}/{len(o)}" for (v, y, f), o in sorted(scores.items())},
              "misses": misses}
    print("\nrenderings:", json.dumps(result, ensure_ascii=False, indent=1))
    return result


@pytest.mark.parametrize("field", ["title", "date", "source", "genre", "speakers"])
def test_field_accuracy_floor(measured: dict[str, Any], field: str) -> None:
    floor = FLOORS[f"renderings_{field}"]
    assert measured["fields"][field] >= floor, (field, measured["fields"][field], measured["misses"])
