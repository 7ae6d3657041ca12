"""The seed as PDF gives the same tables as the seed as text (issue: PDF announcements)."""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys

import pytest
from conftest import FIXTURES, ROOT

PDFS = ["seed.pdf", "seed_portrait.pdf"]
# Columns that say where a value came from, not what it is.
PROVENANCE = {"doc_id", "plan_id", "measure_id", "program_id", "caption_id", "line", "line_start",
              "line_end", "char_start", "char_end", "page", "bbox_x0", "bbox_top", "bbox_x1",
              "bbox_bottom", "program_name_raw"}


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    raw = tmp_path_factory.mktemp("raw")
    out = tmp_path_factory.mktemp("out")
    shutil.copy(FIXTURES / "seed.txt", raw / "seed.txt")
    for name in PDFS:
        shutil.copy(FIXTURES / "pdf" / name, raw / name)
    run = subprocess.run([sys.executable, "-m", "pipeline", "run", str(raw), "--out", str(out), "--jobs", "1"],
                         capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    result = {}
    for table in ("documents", "plans", "measures", "programs", "captions"):
        with open(out / f"{table}.csv", encoding="utf-8-sig", newline="") as fh:
            result[table] = list(csv.DictReader(fh))
    return result


def _by_source(tables, table):
    docs = {d["doc_id"]: d["source_path"].rsplit("/", 1)[-1] for d in tables["documents"]}
    grouped: dict[str, list[dict]] = {}
    for row in tables[table]:
        grouped.setdefault(docs[row["doc_id"]], []).append(
            {k: v for k, v in row.items() if k not in PROVENANCE})
    return grouped


@pytest.mark.parametrize("pdf", PDFS)
@pytest.mark.parametrize("table", ["plans", "measures", "programs", "captions"])
def test_pdf_rows_equal_text_rows_column_by_column(tables, pdf, table):
    grouped = _by_source(tables, table)
    text_rows, pdf_rows = grouped["seed.txt"], grouped[pdf]
    assert len(pdf_rows) == len(text_rows)
    for t, p in zip(text_rows, pdf_rows, strict=True):
        for column in t:
            assert p[column] == t[column], (table, column, t[column], p[column])


@pytest.mark.parametrize("pdf", PDFS)
def test_every_pdf_program_has_page_and_bbox_that_crops_to_its_name(tables, pdf):
    import pdfplumber

    docs = {d["doc_id"]: d["source_path"] for d in tables["documents"]}
    rows = [r for r in tables["programs"] if docs[r["doc_id"]].endswith(pdf)]
    assert len(rows) == 38
    with pdfplumber.open(FIXTURES / "pdf" / pdf) as doc:
        for r in rows:
            assert r["page"] and r["bbox_x0"], r
            page = doc.pages[int(r["page"]) - 1]
            box = tuple(float(r[k]) for k in ("bbox_x0", "bbox_top", "bbox_x1", "bbox_bottom"))
            cropped = page.crop(box).extract_text() or ""
            squeeze = lambda s: "".join(s.split()).replace("\u301c", "～")  # noqa: E731
            raw = squeeze(r["program_name_raw"])
            # A name that continues on the next page is cropped only on its first page.
            assert raw in squeeze(cropped) or squeeze(cropped).endswith(raw[:5]), (r["program_name"], cropped)


def test_pdf_documents_are_ok_with_pages(tables):
    docs = {d["source_path"].rsplit("/", 1)[-1]: d for d in tables["documents"]}
    assert docs["seed.pdf"]["media_type"] == "application/pdf"
    assert docs["seed.pdf"]["pages"] == "6"
    assert docs["seed_portrait.pdf"]["pages"] == "4"
    for name in ["seed.txt", *PDFS]:
        assert docs[name]["status"] == "ok", docs[name]
