"""Automatic compilations on the real seeds: Markdown, JSON and DOCX (opened by LibreOffice when present)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import requires_shared, run_cli

pytestmark = requires_shared


def test_compile_on_the_seeds(seed_corpus: Any, seed_ids: dict[str, str]) -> None:
    comp = seed_corpus.compile("网络空间命运共同体")
    d = comp.to_dict()
    years = list(d["years"])
    assert years == sorted(years, key=lambda y: (y == "undated", y))
    dated = [y for y in years if y != "undated"]
    # 2014 is out: seed 002's 2014 quotation does not say the topic (every statement must)
    assert dated[0] == "2015" and dated[-1] == "2024"
    s2015 = [s for s in comp.statements if s.date == "2015-12-16"]
    assert len(s2015) == 1, "versions of the 2015 statement are merged into one entry"
    s = s2015[0]
    assert s.status == "verified" and s.source and s.source["doc_id"] == seed_ids["001"]
    assert any(v["doc_id"] == seed_ids["002"] for v in s.versions)
    md = comp.to_markdown()
    assert md.startswith("# 网络空间命运共同体") and "## 2015年" in md and "（已核实）" in md


def test_compile_cli_formats(seed_corpus: Any, tmp_path: Path) -> None:
    r = run_cli("compile", "网络空间命运共同体", "--format", "json", db=seed_corpus.path)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["topic"] == "网络空间命运共同体"
    out = tmp_path / "c.docx"
    r = run_cli("compile", "网络空间命运共同体", "--format", "docx", "--out", str(out), db=seed_corpus.path)
    assert r.returncode == 0, r.stderr
    from docx import Document

    text = "\n".join(p.text for p in Document(str(out)).paragraphs)
    assert "2015" in text and "网络空间是人类共同的活动空间" in text


@pytest.mark.skipif(shutil.which("soffice") is None and shutil.which("libreoffice") is None,
                    reason="LibreOffice not installed")
def test_docx_opens_in_libreoffice(seed_corpus: Any, tmp_path: Path) -> None:
    out = tmp_path / "c.docx"
    seed_corpus.compile("网络空间命运共同体").to_docx(out)
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    subprocess.run([str(exe), "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(out)],
                   check=True, capture_output=True, timeout=180)
    pdf = tmp_path / "c.pdf"
    assert pdf.exists() and pdf.stat().st_size > 1000
