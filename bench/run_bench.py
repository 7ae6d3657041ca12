#!/usr/bin/env python3
"""Benchmark the pipeline against the floors set by its libraries: every figure of issue 13's
target table, side by side, in one run.

    .venv/bin/python bench/run_bench.py [--docs N] [--pages P] [--pdfs K] [--repeat R] [--best-of B]

Builds a synthetic corpus in a temporary folder from the fixtures: N text announcements
(the seed with other municipalities and years, so every file has its own content hash),
one PDF of P pages and K smaller PDFs (the pages of tests/fixtures/pdf/seed.pdf repeated).
Every measurement runs in a fresh process. Per-document costs are timed inside that
process after the heavy imports, so start-up is measured once, on its own:

* text: the pipeline with its default outputs (tables, workbook, report) and default jobs,
  and with one job and tables only, vs the floor "SudachiPy tokenizes the same text once
  (split mode C, reading surface, part of speech and normalized form)" on one core;
* --jobs 2 vs --jobs 1, default outputs, on the text corpus and on the K PDFs (and what two
  pure-Python processes get on this machine: the ceiling);
* PDF: the pipeline's seconds per page with the default engine and with `--pdf-engine pdfium`,
  both vs the floor "pdfplumber reads every page's chars", and what pypdfium2 takes to read
  every page's characters and boxes (the pdfium engine's own floor);
* start-up: `make run` on the seed vs `python -c "import pandas, pyarrow, sudachipy, pdfplumber"`;
* incremental (the command line, default outputs and jobs): nothing changed, and one new
  document among N, vs a full run;
* peak RSS of a one-job run with default outputs over N and over 4N documents.

Writes bench/results.json and prints the table. Defaults (N = 300) take about three minutes
on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable
SEED_TXT = ROOT / "tests" / "fixtures" / "seed.txt"
SEED_PDF = ROOT / "tests" / "fixtures" / "pdf" / "seed.pdf"
SEED_MUNICIPALITIES = ("世田谷区", "中野区", "足立区", "町田市", "羽村市")
IMPORT_FLOOR = "import pandas, pyarrow, sudachipy, pdfplumber"

TARGETS = {  # name: (limit, "le" = at most / "ge" = at least)
    "default_ratio": (1.0, "le"),
    "text_ratio": (1.0, "le"),
    "jobs2_speedup_text": (1.7, "ge"),
    "jobs2_speedup_pdf": (1.7, "ge"),
    "one_new_ratio": (0.10, "le"),
    "nochange_ratio": (1.3, "le"),
    "startup_ratio": (1.3, "le"),
    "pdf_ratio": (1.15, "le"),
    "pdfium_ratio": (0.5, "le"),
    "rss_growth": (0.10, "le"),
}


# --------------------------------------------------------------------------- corpus


def tokyo_municipalities() -> list[str]:
    names = []
    with open(ROOT / "rules" / "municipalities.csv", encoding="utf-8") as fh:
        for line in fh:
            parts = line.rstrip("\n").split(",")
            if len(parts) == 4 and parts[1] == "東京都" and parts[3] in ("特別区", "市", "町", "村"):
                names.append(parts[2])
    return [n for n in names if n not in SEED_MUNICIPALITIES] or list(SEED_MUNICIPALITIES)


def text_variant(seed: str, i: int, names: list[str]) -> str:
    """The seed with its five municipalities and its plan years changed: a distinct file."""
    m = len(names)
    swap = {old: names[(i + 7 * k) % m] for k, old in enumerate(SEED_MUNICIPALITIES)}
    text = re.sub("|".join(SEED_MUNICIPALITIES), lambda mt: swap[mt.group(0)], seed)
    start = 1 + (i // m) % 9
    end = start + 1 + (i // (9 * m)) % 4
    return text.replace("令和6年度", f"令和{start}年度").replace("令和8年度", f"令和{end}年度")


def make_text_corpus(folder: Path, n: int, first: int = 0) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    seed = SEED_TXT.read_text(encoding="utf-8")
    names = tokyo_municipalities()
    paths = []
    for i in range(first, first + n):
        path = folder / f"doc{i:05d}.txt"
        path.write_text(text_variant(seed, i, names), encoding="utf-8")
        paths.append(path)
    return paths


def make_pdf(path: Path, pages: int) -> None:
    """The seed PDF's pages repeated to ``pages`` pages (pypdfium2 copies them as they are)."""
    import pypdfium2 as pdfium

    src = pdfium.PdfDocument(str(SEED_PDF))
    dst = pdfium.PdfDocument.new()
    n = len(src)
    while len(dst) < pages:
        take = min(n, pages - len(dst))
        dst.import_pages(src, list(range(take)))
    path.parent.mkdir(parents=True, exist_ok=True)
    dst.save(str(path))


# --------------------------------------------------------------------------- measuring


def python(code: str, *args: str) -> dict:
    """Run ``code`` in a fresh interpreter (cwd: the repo); it prints one JSON object last."""
    res = subprocess.run([PY, "-c", code, *args], cwd=ROOT, capture_output=True, text=True)
    if res.returncode not in (0, 1):
        raise RuntimeError(f"benchmark step failed:\n{res.stderr[-3000:]}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def wall(cmd: list[str], repeat: int = 1, before=None) -> float:
    """Median wall time of a command over ``repeat`` runs (``before`` runs first, untimed)."""
    times = []
    for _ in range(repeat):
        if before:
            before()
        t = time.perf_counter()
        res = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        times.append(time.perf_counter() - t)
        if res.returncode not in (0, 1):
            raise RuntimeError(f"{' '.join(cmd)} failed:\n{res.stderr[-3000:]}")
    return statistics.median(times)


def peak_rss_mib(cmd: list[str]) -> float:
    """Peak RSS of one run (GNU time's %M, the largest process of the run)."""
    res = subprocess.run(["/usr/bin/time", "-f", "RSS %M", *cmd], cwd=ROOT, capture_output=True, text=True)
    m = re.search(r"RSS (\d+)", res.stderr)
    if res.returncode not in (0, 1) or not m:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{res.stderr[-3000:]}")
    return int(m.group(1)) / 1024


TEXT_FLOOR = r"""
import json, sys, time
from pathlib import Path
from sudachipy import Dictionary, SplitMode
tok = Dictionary(dict="core").tokenizer(mode=SplitMode.C)
texts = [p.read_text(encoding="utf-8") for p in sorted(Path(sys.argv[1]).glob("*.txt"))]
t = time.perf_counter()
chars = 0
for text in texts:
    for k in range(0, len(text), 10000):  # one call takes at most 49,149 bytes
        for m in tok.tokenize(text[k:k + 10000]):
            m.surface(); m.part_of_speech(); m.normalized_form()
    chars += len(text)
print(json.dumps({"seconds": time.perf_counter() - t, "chars": chars, "docs": len(texts)}))
"""

PDF_FLOOR = r"""
import io, json, sys, time
from pathlib import Path
import pdfplumber
pages = 0
t = time.perf_counter()
for path in sys.argv[1:]:
    with pdfplumber.open(io.BytesIO(Path(path).read_bytes())) as pdf:
        for page in pdf.pages:
            page.chars
            page.close()
            pages += 1
print(json.dumps({"seconds": time.perf_counter() - t, "pages": pages}))
"""

# The pipeline in-process after its heavy imports (start-up is measured on its own).
PDFIUM_FLOOR = r"""
import json, sys, time
from pathlib import Path
import pypdfium2 as pdfium
import pypdfium2.raw as raw
pages = 0
t = time.perf_counter()
for path in sys.argv[1:]:
    pdf = pdfium.PdfDocument(Path(path).read_bytes())
    for page in pdf:
        text = page.get_textpage()
        for i in range(text.count_chars()):
            raw.FPDFText_GetUnicode(text, i); text.get_charbox(i, loose=True)
        pages += 1
print(json.dumps({"seconds": time.perf_counter() - t, "pages": pages}))
"""

PIPELINE = r"""
import contextlib, io, json, sys, time
import pyarrow, pyarrow.parquet
from pipeline.extract.tokens import tokenizer
tokenizer()
from pipeline.ingest import Limits
from pipeline.batch.runner import Options, run_batch
args = json.loads(sys.argv[1])
extras = ()
if args["extras"]:
    import xlsxwriter
    from pipeline.output.report import ReportPages
    from pipeline.output.workbook import WorkbookSheets
    extras = (WorkbookSheets, ReportPages)
if args["pdf"]:
    import pdfplumber
err = io.StringIO()
t = time.perf_counter()
with contextlib.redirect_stderr(err):
    code = run_batch(Options(paths=tuple(args["paths"]), out=args["out"], jobs=args["jobs"] or None, use_cache=False,
                             extra_writers=extras, limits=Limits(timeout_seconds=600, pdf_engine=args["engine"])))
print(json.dumps({"seconds": time.perf_counter() - t, "code": code, "log": err.getvalue()[-600:]}))
"""


def pipeline_seconds(paths: list[Path], out: Path, jobs: int | None, extras: bool = True, pdf: bool = False,
                     best_of: int = 1, engine: str = "pdfplumber") -> float:
    """Fastest of ``best_of`` runs, each in a fresh process (the machine is shared: the
    fastest run is the one least disturbed)."""
    times = []
    for _ in range(best_of):
        shutil.rmtree(out, ignore_errors=True)
        res = python(PIPELINE, json.dumps({"paths": [str(p) for p in paths], "out": str(out), "jobs": jobs,
                                           "extras": extras, "pdf": pdf, "engine": engine}))
        times.append(res["seconds"])
    return min(times)


# What two CPU-bound processes get on this machine compared with one: the ceiling for --jobs 2.
CEILING = r"""
import json, time
from multiprocessing import get_context
def spin(n):
    x = 0
    for i in range(n):
        x += i * i
    return x
n = 5_000_000
ones, twos = [], []
with get_context("fork").Pool(2) as pool:
    pool.map(spin, [1000, 1000])
    for _ in range(3):  # fastest of three each: the machine is shared
        t = time.perf_counter(); spin(n); ones.append(time.perf_counter() - t)
        t = time.perf_counter(); pool.map(spin, [n, n]); twos.append(time.perf_counter() - t)
print(json.dumps({"speedup": 2 * min(ones) / min(twos)}))
"""


def cli(*args) -> list[str]:
    return [PY, "-m", "pipeline", "run", *map(str, args)]


# --------------------------------------------------------------------------- the benchmark


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=300, help="text documents N (default 300)")
    parser.add_argument("--pages", type=int, default=30, help="pages of the big PDF (default 30)")
    parser.add_argument("--pdfs", type=int, default=4, help="smaller PDFs for the --jobs 2 run (default 4)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per start-up figure (median; default 5)")
    parser.add_argument("--best-of", type=int, default=2, help="runs per pipeline figure (fastest; default 2)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary corpus and outputs")
    args = parser.parse_args(argv)

    began = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="pipeline-bench-"))
    r: dict = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                           "platform": platform.platform()},
               "sizes": {"docs": args.docs, "pages": args.pages, "pdfs": args.pdfs}}
    try:
        run_all(args, work, r)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    r["seconds"] = time.perf_counter() - began
    r["targets"] = {name: {"value": r["figures"].get(name), "limit": limit, "met": _met(r["figures"].get(name), limit, how)}
                    for name, (limit, how) in TARGETS.items()}
    (ROOT / "bench" / "results.json").write_text(json.dumps(r, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(table(r))
    return 0


def _met(value, limit, how) -> bool | None:
    if value is None:
        return None
    return value <= limit if how == "le" else value >= limit


def log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def run_all(args, work: Path, r: dict) -> None:
    f: dict = {}
    r["figures"] = f
    n = args.docs
    text_dir = work / "text"
    log(f"corpus: {n} text documents, a {args.pages}-page PDF and {args.pdfs} smaller PDFs in {work}")
    texts = make_text_corpus(text_dir, n)
    big_pdf = work / "pdf" / "big.pdf"
    make_pdf(big_pdf, args.pages)
    small_pdfs = []
    for k in range(args.pdfs):
        path = work / "pdfs" / f"part{k}.pdf"
        make_pdf(path, 6 + k)  # other page counts: other bytes, not duplicates
        small_pdfs.append(path)
    best = args.best_of
    f["default_jobs"] = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()

    log("text: Sudachi floor; the pipeline with default outputs (default jobs, 1, 2) and tables only")
    floor = python(TEXT_FLOOR, str(text_dir))
    f["text_floor_s"] = floor["seconds"]
    f["text_chars"] = floor["chars"]
    f["default_s"] = pipeline_seconds(texts, work / "o-default", None, best_of=best)
    f["default_ratio"] = f["default_s"] / f["text_floor_s"]
    f["text_tables_only_s"] = pipeline_seconds(texts, work / "o-text1", 1, extras=False, best_of=best)
    f["text_ratio"] = f["text_tables_only_s"] / f["text_floor_s"]
    f["text_jobs1_s"] = pipeline_seconds(texts, work / "o-text1x", 1, best_of=best)
    f["text_jobs2_s"] = (f["default_s"] if f["default_jobs"] == 2
                         else pipeline_seconds(texts, work / "o-text2x", 2, best_of=best))
    f["jobs2_speedup_text"] = f["text_jobs1_s"] / f["text_jobs2_s"]
    f["parallel_ceiling"] = python(CEILING)["speedup"]

    log("PDF: pdfplumber and pypdfium2 floors, the pipeline per page, --jobs 2")
    pfloor = python(PDF_FLOOR, str(big_pdf))
    f["pdf_floor_s_per_page"] = pfloor["seconds"] / pfloor["pages"]
    f["pdf_s_per_page"] = pipeline_seconds([big_pdf], work / "o-pdf", 1, pdf=True, best_of=best) / args.pages
    f["pdf_ratio"] = f["pdf_s_per_page"] / f["pdf_floor_s_per_page"]
    ifloor = python(PDFIUM_FLOOR, str(big_pdf))
    f["pdfium_floor_s_per_page"] = ifloor["seconds"] / ifloor["pages"]
    f["pdfium_floor_ratio"] = f["pdfium_floor_s_per_page"] / f["pdf_floor_s_per_page"]
    f["pdfium_s_per_page"] = pipeline_seconds([big_pdf], work / "o-pdfium", 1, pdf=True, best_of=best,
                                              engine="pdfium") / args.pages
    f["pdfium_ratio"] = f["pdfium_s_per_page"] / f["pdf_floor_s_per_page"]
    f["pdfs_pages"] = sum(6 + k for k in range(args.pdfs))
    f["pdfs_jobs1_s"] = pipeline_seconds(small_pdfs, work / "o-pdfs1", 1, pdf=True, best_of=best)
    f["pdfs_jobs2_s"] = pipeline_seconds(small_pdfs, work / "o-pdfs2", 2, pdf=True, best_of=best)
    f["jobs2_speedup_pdf"] = f["pdfs_jobs1_s"] / f["pdfs_jobs2_s"]

    log("start-up: make run on the seed vs the import floor")
    seed_dir = work / "seed"
    seed_dir.mkdir()
    shutil.copy(SEED_TXT, seed_dir / "seed.txt")
    seed_out = work / "o-seed"
    f["import_floor_s"] = wall([PY, "-c", IMPORT_FLOOR], args.repeat)
    # `make run` where this checkout has its own .venv; elsewhere (a worktree using another
    # checkout's Python) the command it runs: make would set up a .venv of its own first.
    make = (["make", "-s", "run", f"RAW={seed_dir}", f"OUT={seed_out}"] if (ROOT / ".venv").is_dir()
            else cli("--out", seed_out, "--", seed_dir))
    f["startup_via_make"] = make[0] == "make"
    f["startup_make_run_s"] = wall(make, args.repeat, before=lambda: shutil.rmtree(seed_out, ignore_errors=True))
    f["startup_ratio"] = f["startup_make_run_s"] / f["import_floor_s"]

    log("incremental (command line, default outputs and jobs): full run, nothing changed, one new document")
    inc_dir = work / "inc"
    shutil.copytree(text_dir, inc_dir)
    inc_out = work / "o-inc"
    f["full_run_s"] = wall(cli(inc_dir, "--out", inc_out), 1, before=lambda: shutil.rmtree(inc_out, ignore_errors=True))
    f["nochange_s"] = wall(cli(inc_dir, "--out", inc_out), args.repeat)
    f["nochange_ratio"] = f["nochange_s"] / f["import_floor_s"]
    extra = iter(range(10**6))

    def add_one():
        make_text_corpus(inc_dir, 1, first=n + next(extra))

    f["one_new_s"] = wall(cli(inc_dir, "--out", inc_out), 3, before=add_one)
    f["one_new_ratio"] = f["one_new_s"] / f["full_run_s"]

    log("memory: peak RSS over N and 4N documents, one job, default outputs")
    big_dir = work / "text4"
    shutil.copytree(text_dir, big_dir)
    make_text_corpus(big_dir, 3 * n, first=n)
    for label, folder in (("n", text_dir), ("4n", big_dir)):
        out = work / f"o-rss-{label}"
        f[f"rss_{label}_mib"] = peak_rss_mib(cli(folder, "--out", out, "--jobs", "1", "--no-cache"))
    f["rss_growth"] = f["rss_4n_mib"] / f["rss_n_mib"] - 1


def table(r: dict) -> str:
    f = r["figures"]
    n, p = r["sizes"]["docs"], r["sizes"]["pages"]

    def mark(name):
        t = r["targets"].get(name)
        return "" if not t or t["met"] is None else ("  ok" if t["met"] else "  MISSED")

    jobs = f["default_jobs"]
    rows = [
        ("measure", "pipeline", "floor / base", "ratio (target)"),
        (f"text, {n} docs, default outputs, default jobs ({jobs})", f"{f['default_s']:.2f} s",
         f"{f['text_floor_s']:.2f} s Sudachi", f"{f['default_ratio']:.2f}x (<= 1.0){mark('default_ratio')}"),
        (f"text, {n} docs, 1 job, tables only", f"{f['text_tables_only_s']:.2f} s", f"{f['text_floor_s']:.2f} s Sudachi",
         f"{f['text_ratio']:.2f}x (<= 1.0){mark('text_ratio')}"),
        ("--jobs 2 vs 1, text, default outputs", f"{f['text_jobs2_s']:.2f} s", f"{f['text_jobs1_s']:.2f} s",
         f"{f['jobs2_speedup_text']:.2f}x faster (>= 1.7){mark('jobs2_speedup_text')}"),
        (f"--jobs 2 vs 1, {r['sizes']['pdfs']} PDFs ({f['pdfs_pages']} pages), default outputs",
         f"{f['pdfs_jobs2_s']:.2f} s", f"{f['pdfs_jobs1_s']:.2f} s",
         f"{f['jobs2_speedup_pdf']:.2f}x faster (>= 1.7){mark('jobs2_speedup_pdf')}"),
        ("  machine: 2 processes of pure Python vs 1", "", "", f"{f['parallel_ceiling']:.2f}x (the ceiling)"),
        (f"incremental: one new doc added to {n}", f"{f['one_new_s']:.2f} s", f"{f['full_run_s']:.2f} s full run",
         f"{100 * f['one_new_ratio']:.0f}% (<= 10%){mark('one_new_ratio')}"),
        (f"incremental: nothing changed ({n} docs)", f"{f['nochange_s']:.2f} s", f"{f['import_floor_s']:.2f} s imports",
         f"{f['nochange_ratio']:.2f}x (<= 1.3){mark('nochange_ratio')}"),
        ("start-up: " + ("make run" if f["startup_via_make"] else "python -m pipeline run") + " on the seed",
         f"{f['startup_make_run_s']:.2f} s", f"{f['import_floor_s']:.2f} s imports",
         f"{f['startup_ratio']:.2f}x (<= 1.3){mark('startup_ratio')}"),
        (f"PDF, {p} pages, default engine (pdfplumber)", f"{1000 * f['pdf_s_per_page']:.1f} ms/page",
         f"{1000 * f['pdf_floor_s_per_page']:.1f} ms/page pdfplumber", f"{f['pdf_ratio']:.2f}x (<= 1.15){mark('pdf_ratio')}"),
        (f"PDF, {p} pages, --pdf-engine pdfium", f"{1000 * f['pdfium_s_per_page']:.1f} ms/page",
         f"{1000 * f['pdf_floor_s_per_page']:.1f} ms/page pdfplumber", f"{f['pdfium_ratio']:.2f}x (<= 0.5){mark('pdfium_ratio')}"),
        ("  pypdfium2 reading chars and boxes", f"{1000 * f['pdfium_floor_s_per_page']:.1f} ms/page",
         f"{1000 * f['pdf_floor_s_per_page']:.1f} ms/page pdfplumber", f"{f['pdfium_floor_ratio']:.2f}x (its floor)"),
        (f"peak RSS, {n} vs {4 * n} docs, default outputs", f"{f['rss_4n_mib']:.0f} MiB", f"{f['rss_n_mib']:.0f} MiB",
         f"{100 * f['rss_growth']:+.1f}% (<= +10%){mark('rss_growth')}"),
    ]
    widths = [max(len(row[k]) for row in rows) for k in range(4)]
    lines = [" | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    m = r["machine"]
    return (f"machine: {m['cpus']} CPUs, Python {m['python']}, {m['platform']}; "
            f"{r.get('seconds', 0):.0f} s in all\n" + "\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
