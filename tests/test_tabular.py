"""CSV cells never carry a spreadsheet formula (every --csv, ?format=csv and export share this)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from conftest import run_cli

from lunshu.tabular import cell, csv_text


def test_formula_like_cells_are_neutralised_numbers_are_not() -> None:
    assert cell("=HYPERLINK(\"http://x\")") == "'=HYPERLINK(\"http://x\")"
    assert cell("+1+2") == "'+1+2" and cell("@SUM(A1)") == "'@SUM(A1)" and cell("-2+3") == "'-2+3"
    assert cell("-12.5") == "-12.5" and cell(3) == 3 and cell(None) == "" and cell(["a", "b"]) == "a; b"
    rows = list(csv.reader(io.StringIO(csv_text([{"t": "=1+1", "n": 2}], ["t", "n"]))))
    assert rows == [["t", "n"], ["'=1+1", "2"]]


def test_exported_csv_is_safe(tmp_path: Path) -> None:
    db = tmp_path / "f.db"
    payload = json.dumps({"title": "=cmd|' /C calc'!A0", "text": "正文，一段普通的文字。"}, ensure_ascii=False)
    assert run_cli("ingest", "-", db=db, input=payload).returncode == 0
    out = tmp_path / "x.csv"
    assert run_cli("export", "--format", "csv", "--out", str(out), db=db).returncode == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert rows[0]["title"].startswith("'=")
    r = run_cli("docs", "--csv", db=db)
    assert "'=cmd" in r.stdout
