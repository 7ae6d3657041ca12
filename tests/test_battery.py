"""Hostile-input battery, second round: what a black-box tester found, each as a test."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
from conftest import FIXTURES, ROOT

SEED = FIXTURES / "seed.txt"


def cli(*args, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline", *map(os.fsdecode, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout, errors="backslashreplace")


def documents(out) -> list[str]:
    return (out / "documents.csv").read_text(encoding="utf-8-sig").splitlines()[1:]


def test_a_file_name_that_is_not_utf8_does_not_stop_the_run(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEED, folder / "ok.txt")
    shutil.copy(FIXTURES / "coordinated" / "coord_1.txt", os.fsdecode(bytes(folder) + b"/bad\xff\xfe.txt"))
    out = tmp_path / "out"
    res = cli("run", folder, "--out", out, "--tables-only")
    assert res.returncode == 0, res.stderr
    rows = documents(out)
    assert len(rows) == 2 and any("bad\\xff\\xfe.txt" in r for r in rows)


def test_an_output_folder_whose_name_is_not_utf8_is_written(tmp_path):
    out = os.fsdecode(bytes(tmp_path) + b"/out\xff")
    res = cli("run", SEED, "--out", out)
    assert res.returncode == 0, res.stderr
    assert {"documents.csv", "documents.parquet", "workbook.xlsx", "report"} <= set(os.listdir(out))


@pytest.mark.parametrize("name", ["workbook.xlsx", "report", "report.html"])
@pytest.mark.parametrize("tables_only", [True, False])
def test_a_file_the_pipeline_did_not_write_is_never_replaced_or_removed(tmp_path, name, tables_only):
    out = tmp_path / "out"
    out.mkdir()
    (out / name).write_text("my own notes", encoding="utf-8")
    res = cli("run", SEED, "--out", out, *(["--tables-only"] if tables_only else []))
    assert res.returncode == 2
    assert res.stderr.strip().splitlines()[-1] == \
        f"error: {out / name}: not written by this pipeline; move it away or choose another --out"
    assert (out / name).read_text(encoding="utf-8") == "my own notes"
    assert not (out / "documents.csv").exists()


def test_an_announcement_saved_as_report_html_in_the_input_folder_used_as_output(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    page = "<!DOCTYPE html><html><body><p>" + SEED.read_text(encoding="utf-8").replace("\n", "<br>") + "</p></body></html>"
    (folder / "report.html").write_text(page, encoding="utf-8")
    res = cli("run", folder, "--out", folder)
    assert res.returncode == 2 and "not written by this pipeline" in res.stderr
    assert (folder / "report.html").read_text(encoding="utf-8") == page


def test_the_pipelines_own_workbook_and_report_are_replaced_and_removed(tmp_path):
    out = tmp_path / "out"
    assert cli("run", SEED, "--out", out).returncode == 0
    assert cli("run", FIXTURES / "coordinated" / "coord_1.txt", "--out", out).returncode == 0
    res = cli("run", SEED, "--out", out, "--tables-only")
    assert res.returncode == 0, res.stderr
    assert not (out / "workbook.xlsx").exists() and not (out / "report").exists()


@pytest.mark.parametrize("damage", ["docs is a file", "state.json is a folder"])
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_damaged_cache_folder_slows_a_run_down_and_never_fails_it(tmp_path, damage, jobs):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("seed.txt", "coordinated/coord_1.txt", "coordinated/coord_2.txt"):
        shutil.copy(FIXTURES / name, folder / name.replace("/", "_"))
    clean, out = tmp_path / "clean", tmp_path / "out"
    assert cli("run", folder, "--out", clean, "--no-cache", "--tables-only").returncode == 0
    assert cli("run", folder, "--out", out, "--tables-only", "--jobs", jobs).returncode == 0
    cache = out / ".cache"
    shutil.rmtree(cache / "docs")
    (cache / "state.json").unlink()
    if damage == "docs is a file":
        (cache / "docs").write_text("junk", encoding="utf-8")
    else:
        (cache / "state.json").mkdir()
    res = cli("run", folder, "--out", out, "--tables-only", "--jobs", jobs)
    assert res.returncode == 0, res.stderr
    assert "cache not written" in res.stderr and "Traceback" not in res.stderr
    for table in ("documents", "plans", "programs"):
        assert (out / f"{table}.csv").read_bytes() == (clean / f"{table}.csv").read_bytes()


def _rules_copy(tmp_path, name, edit):
    from pipeline.rules import DEFAULT_RULES_DIR

    folder = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, folder)
    edit(folder / name)
    return folder


def _replace(old, new):
    def edit(path):
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return edit


def _folder(path):
    path.unlink()
    path.mkdir()


BAD_RULES = {
    "garbled code list": ("municipalities.csv", lambda p: p.write_bytes(b"\xff\xfe\x00garbage"), "municipalities.csv"),
    "empty code list": ("municipalities.csv", lambda p: p.write_text("", encoding="utf-8"), "municipalities.csv"),
    "theme without a label": ("vocabulary.toml", lambda p: p.write_text(p.read_text(encoding="utf-8")
                                                                       + "\n[[themes]]\n", encoding="utf-8"),
                              "themes["),
    "pdf.toml not UTF-8": ("pdf.toml", lambda p: p.write_bytes(p.read_bytes() + b"\n# \xff\xfe\n"), "pdf.toml"),
    "pdf.toml a folder": ("pdf.toml", _folder, "pdf.toml"),
    "a pattern that is a number": ("format.toml", _replace("pattern = '^\\((?P<num>[0-9]{1,2})\\)'", "pattern = 5"),
                                   "markers.forms[0].pattern"),
    "nan tolerance": ("pdf.toml", _replace("same_line_overlap = 0.5", "same_line_overlap = nan"),
                      "lines.same_line_overlap"),
    "negative tolerance": ("pdf.toml", _replace("column_gap_em = 2.0", "column_gap_em = -5.0"), "lines.column_gap_em"),
    "no suffixes": ("inputs.toml", lambda p: p.write_text("[folder]\nsuffixes = []\n", encoding="utf-8"),
                    "folder.suffixes"),
}


@pytest.mark.parametrize("case", BAD_RULES)
def test_bad_rules_stop_the_run_at_start_with_one_line_naming_them(tmp_path, case):
    name, edit, named = BAD_RULES[case]
    rules = _rules_copy(tmp_path, name, edit)
    out = tmp_path / "out"
    res = cli("run", SEED, "--out", out, "--rules", rules, "--tables-only")
    assert res.returncode == 2, res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and named in lines[0], res.stderr
    assert "internal error" not in lines[0] and not (out / "documents.csv").exists()


def test_list_and_show_on_damaged_tables_a_broken_pipe_and_odd_names(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEED, folder / "a\nb.txt")
    out = tmp_path / "out"
    assert cli("run", folder, "--out", out, "--tables-only").returncode == 0
    listing = cli("list", "--out", out).stdout.splitlines()
    assert len(listing) == 6 and all(line.count("\t") == 3 for line in listing)
    assert listing[1].endswith("a\\nb.txt")
    head = subprocess.run(f"'{sys.executable}' -m pipeline list --out '{out}' | head -1", shell=True, cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert head.stdout.startswith("plan_id") and "Error" not in head.stderr, head.stderr
    res = cli("show", "", "--out", out)
    assert res.returncode == 2 and len(res.stderr.splitlines()) == 1
    data = (out / "plans.parquet").read_bytes()
    (out / "plans.parquet").write_bytes(data[:100])
    for args in (["list"], ["show", "世田谷区"]):
        res = cli(*args, "--out", out)
        assert res.returncode == 2 and "internal error" not in res.stderr, res.stderr
        assert res.stderr.strip() == f"error: {out / 'plans.parquet'}: cannot read the table: " \
            + res.stderr.strip().split("cannot read the table: ", 1)[1]


@pytest.mark.parametrize("text,line", [
    ("【承認した地域産業活性化計画の概要】\n\n目黒区地域産業活性化計画について\n計画期間は令和6年度から令和8年度まで\n"
     "(1)創業支援の取組(創業支援事業、販路拡大支援事業)\n", 4),
    ("【承認した地域産業活性化計画の概要】\n", None),
    ("これはお知らせです。\n東京都の計画について。\n", 2),
])
def test_no_plans_is_never_silent(tmp_path, text, line):
    """A document in which no plan was read says so with an error-level diagnostic that points
    at its best candidate line (most header cues first, then a line naming a 計画), and the
    run's stderr names the file: 'no plans' must not read as 'no plans that year'. The exit
    status stays 0: the file was read."""
    (tmp_path / "a.txt").write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    res = cli("run", tmp_path / "a.txt", "--out", out, "--tables-only")
    assert res.returncode == 0, res.stderr
    rows = [r for r in (out / "diagnostics.csv").read_text(encoding="utf-8-sig").splitlines()[1:] if '"no_plans"' in r]
    assert len(rows) == 1 and '"error","no_plans"' in rows[0]
    assert rows[0].endswith(f",{line if line else ''},")
    assert ("best candidates: line " in rows[0]) == bool(line)
    assert f"{tmp_path / 'a.txt'}: no plans found: no_plans: no plan header found" in res.stderr


def test_markers_outside_any_plan_get_a_warning(tmp_path):
    text = ("【承認した地域産業活性化計画の概要】\n\n(1) 多様な主体との連携を図る取組\n\n創業を支援する（創業支援事業）\n")
    (tmp_path / "a.txt").write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    assert cli("run", tmp_path / "a.txt", "--out", out, "--tables-only").returncode == 0
    rows = (out / "diagnostics.csv").read_text(encoding="utf-8-sig").splitlines()[1:]
    assert any('"warning","marker_outside_plan"' in r and r.endswith(",3,") for r in rows), rows
    assert any('"error","no_plans"' in r for r in rows)


def test_odd_output_folders_get_one_line_each(tmp_path):
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    dangling = tmp_path / "dangling"
    dangling.symlink_to(tmp_path / "nowhere" / "x")
    long_name = tmp_path / ("a" * 300)
    for out, says in ((loop, "a link to nothing"), (dangling, "a link to nothing"),
                      (long_name, "cannot use the output folder: File name too long")):
        res = cli("run", SEED, "--out", out, "--tables-only")
        lines = res.stderr.strip().splitlines()
        assert res.returncode == 2 and len(lines) == 1, res.stderr
        assert lines[0].startswith(f"error: {out}") and says in lines[0] and "internal error" not in lines[0]


def test_links_to_folders_are_listed_as_skipped_and_a_folder_named_twice_counts_once(tmp_path):
    folder = tmp_path / "in"
    (folder / "real").mkdir(parents=True)
    shutil.copy(SEED, folder / "a.txt")
    (folder / "notes.md").write_text("x", encoding="utf-8")
    (folder / "elsewhere").symlink_to(tmp_path / "in" / "real")
    (folder / "loop").symlink_to(folder)
    out = tmp_path / "out"
    res = cli("run", folder, folder, "--out", out, "--tables-only")
    assert res.returncode == 0, res.stderr
    skipped = [ln for ln in res.stderr.splitlines() if ": skipped: " in ln]
    assert sorted(ln.split(": skipped: ")[0] for ln in skipped) == \
        sorted(str(folder / n) for n in ("elsewhere", "loop", "notes.md"))
    assert "(3 other files skipped)" in res.stderr


def test_a_header_with_nothing_after_it_says_so(tmp_path):
    """A file holding one complete header and nothing else: the no_plans error says that the
    header-like line has no plan content after it, not that no header cue was found."""
    (tmp_path / "a.txt").write_text("「大田区地域産業活性化計画」（大田区）【計画期間：令和6年度～令和8年度】\n", encoding="utf-8")
    out = tmp_path / "out"
    assert cli("run", tmp_path / "a.txt", "--out", out, "--tables-only").returncode == 0
    rows = [r for r in (out / "diagnostics.csv").read_text(encoding="utf-8-sig").splitlines()[1:] if '"no_plans"' in r]
    assert len(rows) == 1 and "a line has the cues of a plan header, but no overview or measures follow it" in rows[0]
    assert rows[0].endswith(",1,")
