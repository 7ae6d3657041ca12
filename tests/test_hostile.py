"""Hostile inputs: one batch of broken, odd and adversarial files runs to the end.

The batch is built in a temporary folder at test time: the broken PDFs are copied from
tests/fixtures/broken/ (made by tests/fixtures/make_pdf_fixtures.py), everything else is
generated here from tests/fixtures/seed.txt. ``python -m pipeline run`` processes it in a
subprocess, as a user would run it; the tests then read its stderr and its tables.

Documents statuses: ok, partial (see diagnostics), no_plans (read, but no plan in it: an
empty file is this, with an ``empty_file`` diagnostic), no_text (a PDF without a text layer:
it needs OCR), failed (with ``error``). no_text and failed count as failed for the exit code.
"""

from __future__ import annotations

import csv
import io
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT

csv.field_size_limit(sys.maxsize)  # the multi-megabyte line is one cell

SEED = FIXTURES / "seed.txt"
BROKEN = FIXTURES / "broken"
SEED_PROGRAMS = 38
FAILED = ("failed", "no_text")

# Program names that start with a spreadsheet formula trigger, in the seed's format.
FORMULA_ANNOUNCEMENT = textwrap.dedent("""\
    【承認した地域産業活性化計画の概要】

    =HYPERLINK("http://example.com/","詳細")
    +区の産業振興について
    -10
    @ご案内

    「千代田区地域産業活性化計画」（千代田区） 【計画期間：令和6年度～令和8年度】

    区内の事業者の経営力を強化し、地域産業全体の活性化を目指す。

    (1) 多様な主体との連携を図る取組

    地域の支援機関と連携して事業者を支援する（=SUM(A1)事業、+1補助金、-創業支援事業、@地域通貨事業）

    (2) 感染症や災害などの発生による社会経済活動の大きな変化や社会構造の変革への対応に係る取組

    =SUM(A1)事業、+1補助金、-創業支援事業、@地域通貨事業

    (3) (1)、(2)以外の取組

    @地域通貨事業
    """)
FORMULA_NAMES = {"=SUM(A1)事業", "+1補助金", "@地域通貨事業"}

# Japanese prose with many "(" that never close and many "、", plus runs that make a naive
# end-anchored regex search quadratic ("。。", quotes that never close) and Latin words.
HOSTILE_UNIT = "地域の事業者(創業支援、販路拡大「連携“SETAGAYA PORT”。。事業 A 者、"


OLE_BYTES = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
SKIPPED = "legacy.doc"


@dataclass
class Case:
    name: str  # file name in the batch folder
    status: tuple[str, ...]  # acceptable documents.status values
    error: str | None = None  # regex the error (and the stderr line) must match
    fixture: str | None = None  # broken-PDF fixture it is copied from


def _seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


def _docx_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


def build_batch(folder: Path) -> tuple[list[Case], list[str]]:
    """Write the hostile batch into ``folder``; returns the cases and the missing fixtures."""
    folder.mkdir(parents=True)
    seed = _seed_text()
    cases: list[Case] = []
    missing: list[str] = []

    def add(name: str, data: bytes | str, *status: str, error: str | None = None) -> None:
        path = folder / name
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        cases.append(Case(name, status, error))

    add("seed.txt", seed, "ok")
    add("empty.txt", b"", "no_plans")
    add("whitespace.txt", " \n\t\n\u3000 \r\n\n", "no_plans")
    add("random_bytes.txt", random.Random(20240601).randbytes(4096), "failed",
        error=r"^unsupported file type: binary data")
    add("utf16.txt", seed.encode("utf-16"), "ok")
    # NUL bytes inside lines, and inside a program name.
    nul = seed.replace("中小企業経営支援補助", "中小企業\x00経営支援補助")
    nul = "\n".join(ln[:5] + "\x00" + ln[5:] if ln else ln for ln in nul.split("\n"))
    add("nul_bytes.txt", nul, "ok")
    add("unclosed_list.txt", seed.replace("（伴走型支援体制構築事業）", "（伴走型支援体制構築事業、創業支援事業"),
        "partial")
    add("formula.txt", FORMULA_ANNOUNCEMENT, "ok")
    # One line of about 4 MB: must finish (linear time), read as a preamble without plans.
    unit_bytes = len(HOSTILE_UNIT.encode("utf-8"))
    add("huge_line.txt", HOSTILE_UNIT * (4_000_000 // unit_bytes) + "\n", "no_plans")
    # The same kind of line, about 1 MB, as a measure's text: the list search and split see it.
    body = HOSTILE_UNIT * (1_000_000 // unit_bytes)
    add("huge_measure.txt", seed.replace("事業承継プラットフォーム、", body + "事業承継プラットフォーム、", 1),
        "ok", "partial")
    # Types sniffed from content, whatever the name says.
    add("report.txt", _docx_bytes(), "failed", error=r"^unsupported file type: a Word document \(docx\)")
    add("legacy_doc.txt", OLE_BYTES, "failed", error=r"^unsupported file type: an OLE container")
    # Not an announcement file by its name: a folder run lists it as skipped, no documents row.
    (folder / SKIPPED).write_bytes(OLE_BYTES)
    add("photo.pdf", b"\x89PNG\r\n\x1a\n" + bytes(64), "failed", error=r"^unsupported file type: a PNG image")

    broken = [
        Case("truncated.pdf", ("failed",), r"(?i)truncated|damaged", "truncated.pdf"),
        Case("text_named.pdf", ("failed",), r"^named \.pdf but is not a PDF: the content is utf-8 text",
             "text_named.pdf"),
        Case("pdf_named.txt", ("ok", "partial"), None, "pdf_named.txt"),
        Case("encrypted.pdf", ("failed",), r"(?i)encrypt", "encrypted.pdf"),
        Case("scanned.pdf", ("no_text",), r"(?i)text layer|OCR", "scanned.pdf"),
        Case("zero_pages.pdf", ("failed", "no_text"), r"(?i)no pages|pages", "zero_pages.pdf"),
    ]
    for case in broken:
        src = BROKEN / case.fixture
        if src.is_file():
            shutil.copy(src, folder / case.name)
            cases.append(case)
        else:
            missing.append(case.fixture)
    return cases, missing


def run_cli(*args, timeout=600, **kw):
    return subprocess.run([sys.executable, "-m", "pipeline", "run", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout, **kw)


def read_csv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def read_parquet(path: Path) -> list[dict]:
    import pyarrow.parquet as pq

    return pq.read_table(path).to_pylist()


@dataclass
class BatchRun:
    folder: Path
    out: Path
    cases: list[Case]
    missing: list[str]
    proc: subprocess.CompletedProcess
    documents: dict[str, dict]  # file name -> documents row (CSV)

    def path(self, name: str) -> str:
        return str(self.folder / name)

    def programs(self, name: str) -> list[dict]:
        doc_id = self.documents[name]["doc_id"]
        return [r for r in read_parquet(self.out / "programs.parquet") if r["doc_id"] == doc_id]

    def diagnostics(self, name: str) -> list[dict]:
        doc_id = self.documents[name]["doc_id"]
        return [r for r in read_parquet(self.out / "diagnostics.parquet") if r["doc_id"] == doc_id]

    def stderr_lines(self, name: str) -> list[str]:
        prefix = self.path(name)
        return [ln for ln in self.proc.stderr.splitlines() if ln.startswith(prefix + ":")]


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> BatchRun:
    root = tmp_path_factory.mktemp("hostile")
    folder, out = root / "batch", root / "out"
    cases, missing = build_batch(folder)
    proc = run_cli(folder, "--out", out)
    docs = {Path(d["source_path"]).name: d for d in read_csv(out / "documents.csv")} \
        if (out / "documents.csv").exists() else {}
    return BatchRun(folder, out, cases, missing, proc, docs)


def _case(batch: BatchRun, name: str) -> Case:
    for c in batch.cases:
        if c.name == name:
            return c
    if name in batch.missing:
        pytest.fail(f"committed fixture missing: tests/fixtures/broken/{name}")
    raise AssertionError(f"no such case: {name}")


# ----------------------------------------------------------------------------- the whole batch


def test_batch_runs_to_the_end_exits_1_without_traceback(batch):
    assert batch.proc.returncode == 1, batch.proc.stderr[-3000:]
    assert "Traceback" not in batch.proc.stderr
    assert "internal error" not in batch.proc.stderr, batch.proc.stderr[-3000:]
    assert (batch.out / "documents.csv").is_file()


def test_every_file_has_a_documents_row(batch):
    assert sorted(batch.documents) == sorted(c.name for c in batch.cases)
    assert sorted(batch.documents) == sorted(p.name for p in batch.folder.iterdir() if p.name != SKIPPED)


def test_a_file_that_is_not_an_announcement_is_skipped_not_failed(batch):
    (line,) = batch.stderr_lines(SKIPPED)
    assert line.startswith(f"{batch.path(SKIPPED)}: skipped: not an announcement file"), line
    assert SKIPPED not in batch.documents


@pytest.mark.parametrize("name", [
    "seed.txt", "empty.txt", "whitespace.txt", "random_bytes.txt", "utf16.txt", "nul_bytes.txt",
    "unclosed_list.txt", "formula.txt", "huge_line.txt", "huge_measure.txt", "report.txt", "legacy_doc.txt",
    "photo.pdf", "truncated.pdf", "text_named.pdf", "pdf_named.txt", "encrypted.pdf", "scanned.pdf",
    "zero_pages.pdf",
])
def test_status_error_and_stderr_line_per_file(batch, name):
    case = _case(batch, name)
    doc = batch.documents[name]
    assert doc["status"] in case.status, (name, doc["status"], doc["error"])
    lines = batch.stderr_lines(name)
    if doc["status"] in FAILED:
        # One clear line: `<file>[:page N|:line]: <what> (<hint>)`.
        assert len(lines) == 1, (name, lines)
        assert re.fullmatch(re.escape(batch.path(name)) + r"(?::page \d+|:\d+)?: \S.*", lines[0]), lines[0]
        assert doc["error"] and "\n" not in doc["error"]
        assert "internal error" not in doc["error"]
        if case.error:
            assert re.search(case.error, doc["error"]), doc["error"]
    else:
        assert doc["error"] == "", (name, doc["error"])
        assert all("error" not in ln for ln in lines), lines


def test_exit_code_counts_failed_and_no_text(batch):
    failed = [n for n, d in batch.documents.items() if d["status"] in FAILED]
    assert failed, "the batch has failing files"
    statuses = [d["status"] for d in batch.documents.values()]
    per_status = ", ".join(f"{s} {statuses.count(s)}" for s in ("ok", "partial", "no_plans", "no_text", "failed"))
    assert f"documents: {len(statuses)} ({per_status})," in batch.proc.stderr


# ----------------------------------------------------------------------------- the good files


def _names(rows: list[dict]) -> list[tuple]:
    return [(r["plan_id"].rsplit("-", 1)[1], r["category_no"], r["seq"], r["program_name"]) for r in rows]


def test_utf16_and_nul_copies_give_the_seed_programs(batch):
    seed = batch.programs("seed.txt")
    assert len(seed) == SEED_PROGRAMS
    for name in ("utf16.txt", "nul_bytes.txt"):
        got = batch.programs(name)
        assert len(got) == SEED_PROGRAMS, name
        assert _names(got) == _names(seed), name
    assert batch.documents["utf16.txt"]["encoding"] == "utf-16"


def test_nul_bytes_are_removed_with_a_diagnostic(batch):
    diags = [d for d in batch.diagnostics("nul_bytes.txt") if d["code"] == "control_chars_removed"]
    non_blank = sum(1 for ln in _seed_text().split("\n") if ln)
    assert len(diags) == non_blank
    assert all(d["line"] for d in diags)
    # The raw span keeps what was written (Parquet); the CSV drops the control character.
    name = "中小企業経営支援補助"
    raw = [p["program_name_raw"] for p in batch.programs("nul_bytes.txt") if p["program_name"] == name]
    assert raw == ["中小企業\x00経営支援補助"]
    doc_id = batch.documents["nul_bytes.txt"]["doc_id"]
    csv_raw = [r["program_name_raw"] for r in read_csv(batch.out / "programs.csv")
               if r["program_name"] == name and r["doc_id"] == doc_id]
    assert csv_raw == [name]


@pytest.mark.parametrize("name", ["empty.txt", "whitespace.txt"])
def test_empty_files_are_no_plans_with_a_diagnostic(batch, name):
    assert batch.documents[name]["status"] == "no_plans"
    diags = batch.diagnostics(name)
    assert [d["code"] for d in diags] == ["empty_file"]
    assert "empty" in diags[0]["message"]


def test_unclosed_list_keeps_the_other_programs(batch):
    codes = {d["code"] for d in batch.diagnostics("unclosed_list.txt")}
    assert "unclosed_parenthesis" in codes
    assert len(batch.programs("unclosed_list.txt")) == SEED_PROGRAMS - 1


def test_huge_files_complete(batch):
    assert int(batch.documents["huge_line.txt"]["lines"]) == 1
    assert int(batch.documents["huge_measure.txt"]["plans"]) == 5


def test_pdf_named_txt_is_read_as_pdf(batch):
    _case(batch, "pdf_named.txt")
    doc = batch.documents["pdf_named.txt"]
    assert doc["media_type"] == "application/pdf"
    # The seed's PDF under a .txt name: the same 5 plans and 38 programs as seed.pdf.
    assert (doc["status"], doc["plans"], doc["programs"]) == ("ok", "5", "38")


# ----------------------------------------------------------------------------- output safety


FORMULA_START = ("=", "+", "-", "@")
NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def test_no_csv_cell_starts_with_a_formula_trigger(batch):
    checked = 0
    for path in sorted(batch.out.glob("*.csv")):
        with open(path, encoding="utf-8-sig", newline="") as fh:
            for row in csv.reader(fh):
                for cell in row:
                    checked += 1
                    if cell.startswith(FORMULA_START):
                        assert NUMBER.fullmatch(cell), (path.name, cell[:80])
    assert checked > 1000
    # The guard did something: the formula announcement's names are in the CSV, neutralized.
    names = {r["program_name"] for r in read_csv(batch.out / "programs.csv")}
    assert {"'" + n for n in FORMULA_NAMES} <= names


def test_parquet_keeps_the_true_values(batch):
    names = {p["program_name"] for p in batch.programs("formula.txt")}
    assert FORMULA_NAMES <= names
    assert names & {"-創業支援事業", "創業支援事業"}
    lines = [r["text"] for r in read_parquet(batch.out / "lines.parquet")
             if r["doc_id"] == batch.documents["formula.txt"]["doc_id"]]
    assert '=HYPERLINK("http://example.com/","詳細")' in lines
    assert "-10" in lines


def test_output_file_names_are_fixed(batch):
    """No output name comes from document content: only table names and fixed extras."""
    for p in batch.out.iterdir():
        if p.name.startswith("."):
            assert (p.is_dir() or p.name == ".lock") and not p.name.startswith(".tmp-"), p.name
            continue
        if p.name == "report":
            # The report folder: its index, one page per doc_id (hex digits) and one timeline page
            # per municipality code (six digits from the code list) with more than one plan.
            names = sorted(f.name for f in p.iterdir())
            timelines = [n for n in names if n.startswith("timeline-")]
            pages = [n for n in names if n not in timelines]
            assert pages[-1] == "index.html" and len(pages) == len({d["doc_id"] for d in batch.documents.values()}) + 1, pages
            assert all(re.fullmatch(r"[0-9a-f]{16}\.html", name) for name in pages[:-1]), pages
            assert all(re.fullmatch(r"timeline-[0-9]{6}\.html", name) for name in timelines), timelines
            continue
        assert re.fullmatch(r"[a-z_]+\.(?:csv|parquet|xlsx)", p.name), p.name


# ----------------------------------------------------------------------------- sniffing


def _zip(*names: str, mimetype: str | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        if mimetype:
            zf.writestr("mimetype", mimetype)
        for n in names:
            zf.writestr(n, "<x/>")
    return buf.getvalue()


@pytest.mark.parametrize("data,what", [
    (_zip("[Content_Types].xml", "word/document.xml"), "a Word document (docx)"),
    (_zip("[Content_Types].xml", "xl/workbook.xml"), "an Excel workbook (xlsx)"),
    (_zip("[Content_Types].xml", "ppt/presentation.xml"), "a PowerPoint presentation (pptx)"),
    (_zip("content.xml", mimetype="application/vnd.oasis.opendocument.text"),
     "an OpenDocument file (application/vnd.oasis.opendocument.text)"),
    (_zip("notes.txt"), "a ZIP archive"),
    (b"PK\x03\x04" + bytes(20), "a ZIP archive (docx, xlsx, pptx or zip)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "an OLE container (doc, xls or ppt)"),
    (b"\xff\xd8\xff\xe0" + bytes(100), "a JPEG image"),
    (b"GIF89a" + bytes(100), "a GIF image"),
    (b"II*\x00" + bytes(100), "a TIFF image"),
    (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "a WebP image"),
    (b"\x00\x00\x00\x18ftypheic", "a HEIF/AVIF image"),
    (b"\x1f\x8b\x08\x00" + bytes(20), "a gzip archive"),
    (b"{\\rtf1\\ansi", "an RTF document"),
])
def test_unsupported_types_are_named_from_content(data, what):
    from pipeline.errors import InputError
    from pipeline.ingest.sniff import sniff

    with pytest.raises(InputError) as info:
        sniff(data)
    assert info.value.message == f"unsupported file type: {what}"


def test_pdf_and_text_are_sniffed_from_content():
    from pipeline.ingest.sniff import sniff

    assert sniff(b"%PDF-1.7\n...") == "application/pdf"
    assert sniff(b"\r\n" * 10 + b"%PDF-1.4\n") == "application/pdf"  # header within the first KB
    assert sniff("【承認した地域産業活性化計画の概要】".encode()) == "text/plain"
    assert sniff("BMW 計画".encode()) == "text/plain"
    assert sniff(b"") == "text/plain"


# ----------------------------------------------------------------------------- per-file isolation


def test_fifo_and_device_are_failed_rows_not_a_hang(tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    out = tmp_path / "out"
    res = run_cli(SEED, fifo, "/dev/null", "--out", out, timeout=120)
    assert res.returncode == 1
    assert "Traceback" not in res.stderr
    status = {d["source_path"]: (d["status"], d["error"]) for d in read_csv(out / "documents.csv")}
    assert status[str(SEED)][0] == "ok"
    assert status[str(fifo)] == ("failed", "not a regular file: it is a named pipe (FIFO)")
    assert status["/dev/null"] == ("failed", "not a regular file: it is a character device")


def test_directory_symlink_loop_is_walked_once(tmp_path):
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    shutil.copy(SEED, folder / "sub" / "seed.txt")
    (folder / "sub" / "loop").symlink_to(folder, target_is_directory=True)
    (folder / "dangling.txt").symlink_to(tmp_path / "nowhere.txt")
    out = tmp_path / "out"
    res = run_cli(folder, "--out", out, timeout=120)
    assert res.returncode == 0, res.stderr
    assert [d["status"] for d in read_csv(out / "documents.csv")] == ["ok"]


def test_self_looping_symlink_given_by_name_is_one_line_exit_2(tmp_path):
    link = tmp_path / "self.txt"
    link.symlink_to(link)
    res = run_cli(link, "--out", tmp_path / "out", timeout=120)
    assert res.returncode == 2
    assert res.stderr.strip().splitlines() == [f"{link}: a broken or looping symbolic link (check the path)"]


def test_permission_denied_is_a_failed_row(tmp_path, monkeypatch, capsys):
    import builtins

    from pipeline.cli import main

    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEED, folder / "good.txt")
    locked = folder / "locked.txt"
    locked.write_text("locked " + _seed_text(), encoding="utf-8")
    real_open = builtins.open

    def guarded_open(file, *args, **kwargs):  # chmod 000 does not stop root: refuse it here
        if str(file) == str(locked):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded_open)
    out = tmp_path / "out"
    code = main(["run", str(folder), "--out", str(out), "--jobs", "1", "--no-cache"])
    monkeypatch.undo()
    err = capsys.readouterr().err
    assert code == 1
    assert f"{locked}: cannot read file: Permission denied (check the file's permissions)" in err.splitlines()
    status = {Path(d["source_path"]).name: d["status"] for d in read_csv(out / "documents.csv")}
    assert status == {"good.txt": "ok", "locked.txt": "failed"}


# ----------------------------------------------------------------------------- limits


def test_max_file_size(tmp_path):
    out = tmp_path / "out"
    res = run_cli(SEED, "--out", out, "--max-file-mb", "0.001", timeout=120)
    assert res.returncode == 1
    line = [ln for ln in res.stderr.splitlines() if ln.startswith(f"{SEED}:")]
    assert len(line) == 1 and "over the limit" in line[0] and "--max-file-mb" in line[0], res.stderr


def test_max_pages(tmp_path):
    pdf = FIXTURES / "pdf" / "seed.pdf"
    assert pdf.is_file(), "committed fixture missing: tests/fixtures/pdf/seed.pdf"
    out = tmp_path / "out"
    res = run_cli(pdf, "--out", out, "--max-pages", "1", timeout=300)
    assert res.returncode == 1
    assert "Traceback" not in res.stderr
    [doc] = read_csv(out / "documents.csv")
    assert doc["status"] == "failed" and "pages" in doc["error"] and "limit" in doc["error"]


def test_per_document_timeout(tmp_path):
    """--timeout stops one slow document; the others are kept."""
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEED, folder / "seed.txt")
    # A program list of 60,000 items: linear, but tens of seconds of work.
    items = "、".join(f"第{i}創業支援事業" for i in range(60_000))
    (folder / "slow.txt").write_text(_seed_text().replace("（伴走型支援体制構築事業）", f"（{items}）"),
                                     encoding="utf-8")
    out = tmp_path / "out"
    res = run_cli(folder, "--out", out, "--timeout", "1", "--no-cache", timeout=300)
    assert res.returncode == 1, res.stderr
    assert "Traceback" not in res.stderr
    status = {Path(d["source_path"]).name: (d["status"], d["error"]) for d in read_csv(out / "documents.csv")}
    assert status["seed.txt"] == ("ok", "")
    assert status["slow.txt"][0] == "failed" and "timed out" in status["slow.txt"][1]


# ----------------------------------------------------------------------------- atomic output


def _snapshot(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file()}


def _tables(n_docs: int = 1):
    from pipeline.batch.chain import merge, process_file
    from pipeline.output.write import table_values
    from pipeline.rules import load_rules

    rules = load_rules()
    return [table_values(merge([process_file(str(SEED), rules)] * n_docs))]


@pytest.mark.parametrize("exc", [OSError(28, "No space left on device"), RuntimeError("writer bug")])
def test_writer_failure_midway_leaves_previous_output(tmp_path, monkeypatch, exc):
    from pipeline.errors import OutputError
    from pipeline.output import write

    out = tmp_path / "out"
    write.write_tables(_tables(), out)
    before = _snapshot(out)
    real_close = write._TableSink.close
    calls = []

    def failing_close(sink):
        calls.append(sink.name)
        if len(calls) == 3:
            raise exc
        real_close(sink)

    monkeypatch.setattr(write._TableSink, "close", failing_close)
    with pytest.raises(OutputError, match="cannot write the tables"):
        write.write_tables([{name: [] for name in write.SCHEMA}], out)
    assert len(calls) == 3
    assert _snapshot(out) == before
    assert not list(out.glob(".tmp-*"))


def test_streaming_writer_failure_midway_leaves_previous_output(tmp_path, monkeypatch):
    """The same when the third table's file cannot be created (disk full)."""
    import builtins

    from pipeline.errors import OutputError
    from pipeline.output import write

    out = tmp_path / "out"
    write.write_tables(_tables(), out)
    before = _snapshot(out)
    opened = []

    def failing_open(file, mode="r", *args, **kwargs):
        if "w" in mode and str(file).endswith(".csv"):
            opened.append(file)
            if len(opened) == 3:
                raise OSError(28, "No space left on device", str(file))
        return builtins.open(file, mode, *args, **kwargs)

    monkeypatch.setattr(write, "open", failing_open, raising=False)
    with pytest.raises(OutputError, match="No space left"):
        write.write_tables(_tables(), out)
    assert len(opened) == 3
    assert _snapshot(out) == before
    assert not list(out.glob(".tmp-*"))


# The hook is loaded by every Python started with this folder on PYTHONPATH (sitecustomize),
# so the command stays `python -m pipeline run`; it slows the writer down at a chosen point.
HOOK = """
import os, time
from pathlib import Path

MARK = Path(os.environ["HOSTILE_MARK"])
WHERE = os.environ["HOSTILE_HOOK"]

import pipeline.output.write as w

if WHERE == "mid-write":
    import builtins

    opened = []

    def slow_open(file, mode="r", *args, **kwargs):
        if "w" in mode and str(file).endswith(".csv"):
            opened.append(file)
            if len(opened) == 3:  # the third table: two are (being) written in the temp folder
                MARK.write_text(str(os.getpid()))
                time.sleep(120)
        return builtins.open(file, mode, *args, **kwargs)

    w.open = slow_open
elif WHERE == "commit":
    import os as real_os

    class SlowOs:
        def __getattr__(self, name):
            return getattr(real_os, name)

        @staticmethod
        def replace(src, dst):
            if not MARK.exists():  # the first file is being moved into place
                MARK.write_text(str(real_os.getpid()))
                time.sleep(3)
            return real_os.replace(src, dst)

    w.os = SlowOs()
"""


def _interrupt(tmp_path: Path, where: str, inputs: list[Path], out: Path):
    """Run the CLI with the hook, SIGINT it once the hook is reached; returns the finished
    process and the temporary folders that were in ``out`` when the signal was sent."""
    hook = tmp_path / f"hook-{where}"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(HOOK, encoding="utf-8")
    mark = tmp_path / f"mark-{where}"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(hook), os.environ.get("PYTHONPATH", "")]),
               HOSTILE_MARK=str(mark), HOSTILE_HOOK=where)
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "run", *map(str, inputs), "--out", str(out),
                             "--no-cache", "--jobs", "1"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 180
        while not mark.exists():
            if proc.poll() is not None or time.monotonic() > deadline:
                out_, err = proc.communicate()
                pytest.fail(f"the hook was never reached (exit {proc.returncode}): {err[-2000:]}")
            time.sleep(0.05)
        time.sleep(0.2)
        temp_at_signal = sorted(p.name for p in out.glob(".tmp-*"))
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    return subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr), temp_at_signal


def test_sigint_while_writing_leaves_previous_output(tmp_path):
    out = tmp_path / "out"
    first = run_cli(SEED, "--out", out, "--no-cache", timeout=300)
    assert first.returncode == 0, first.stderr
    before = _snapshot(out)
    other = tmp_path / "other.txt"
    other.write_text(FORMULA_ANNOUNCEMENT, encoding="utf-8")
    res, temp_at_signal = _interrupt(tmp_path, "mid-write", [SEED, other], out)
    assert temp_at_signal, "the signal came while the new tables were being written"
    assert res.returncode == 130, res.stderr
    assert "Traceback" not in res.stderr
    assert "interrupted" in res.stderr
    assert _snapshot(out) == before
    assert not list(out.glob(".tmp-*")), list(out.iterdir())


def test_sigint_while_replacing_finishes_the_new_output(tmp_path):
    """A signal in the middle of moving files into place never leaves a mix of old and new."""
    out = tmp_path / "out"
    first = run_cli(SEED, "--out", out, "--no-cache", timeout=300)
    assert first.returncode == 0, first.stderr
    other = tmp_path / "other.txt"
    other.write_text(FORMULA_ANNOUNCEMENT, encoding="utf-8")
    expected_out = tmp_path / "expected"
    expected = run_cli(SEED, other, "--out", expected_out, "--no-cache", timeout=300)
    assert expected.returncode == 0, expected.stderr
    res, _ = _interrupt(tmp_path, "commit", [SEED, other], out)
    assert "Traceback" not in res.stderr
    assert res.returncode == 0, res.stderr
    assert _snapshot(out) == _snapshot(expected_out)
    assert not list(out.glob(".tmp-*")), list(out.iterdir())
