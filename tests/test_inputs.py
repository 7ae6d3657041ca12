"""What a run reads: file types, folder selection, the output folder and cache inside an
input folder, identical files under several names, and concurrent runs."""

from __future__ import annotations

import csv
import random
import shutil
import subprocess
import sys

import pytest
from conftest import FIXTURES, ROOT

SEED = FIXTURES / "seed.txt"


def cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "pipeline", *map(str, args)], cwd=cwd or ROOT,
                          capture_output=True, text=True, timeout=300)


def documents(out) -> dict[str, dict]:
    with open(out / "documents.csv", encoding="utf-8-sig", newline="") as fh:
        return {row["source_path"]: row for row in csv.DictReader(fh)}


def lines_for(stderr: str, path) -> list[str]:
    return [ln for ln in stderr.splitlines() if ln.startswith(f"{path}:")]


def test_parquet_and_other_binary_inputs_are_unsupported_file_types(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = tmp_path / "in"
    folder.mkdir()
    pq.write_table(pa.table({"a": ["東京都", "世田谷区"]}), folder / "table.txt")
    (folder / "noise.txt").write_bytes(random.Random(7).randbytes(4096))
    sqlite = b"SQLite format 3\x00" + random.Random(8).randbytes(1000)
    (folder / "db.txt").write_bytes(sqlite)
    out = tmp_path / "out"
    res = cli("run", folder, "--out", out, "--tables-only")
    assert res.returncode == 1
    expected = {"table.txt": "a Parquet file", "noise.txt": "binary data", "db.txt": "an SQLite database"}
    for name, what in expected.items():
        (line,) = lines_for(res.stderr, folder / name)
        assert line.startswith(f"{folder / name}: unsupported file type: {what}"), line
        assert "UTF-8" not in line, line
    assert all(d["status"] == "failed" for d in documents(out).values())


def test_text_with_a_few_bad_bytes_is_still_an_encoding_error(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(SEED.read_bytes()[:300] + b"\xff\xfe" + SEED.read_bytes()[300:600])
    res = cli("run", bad, "--out", tmp_path / "out", "--tables-only")
    assert res.returncode == 1
    (line,) = lines_for(res.stderr, bad)
    assert "undecodable bytes at byte offset" in line and "save the file as UTF-8" in line, line


def _mixed_folder(folder):
    (folder / "sub").mkdir(parents=True)
    shutil.copy(SEED, folder / "a.txt")
    shutil.copy(FIXTURES / "pdf" / "seed.pdf", folder / "sub" / "B.PDF")
    for name, data in {"notes.doc": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), "data.csv": b"a,b\n1,2\n",
                       "sub/photo.png": b"\x89PNG\r\n\x1a\n" + bytes(64), "README": b"read me\n"}.items():
        (folder / name).write_bytes(data)
    return folder


def test_a_folder_run_reads_only_announcement_files_and_lists_the_others_as_skipped(tmp_path):
    folder = _mixed_folder(tmp_path / "in")
    out = tmp_path / "out"
    res = cli("run", folder, "--out", out, "--tables-only")
    assert res.returncode == 0, res.stderr
    assert sorted(documents(out)) == [str(folder / "a.txt"), str(folder / "sub" / "B.PDF")]
    for name in ("notes.doc", "data.csv", "sub/photo.png", "README"):
        (line,) = lines_for(res.stderr, folder / name)
        assert line.startswith(f"{folder / name}: skipped: not an announcement file"), line
        assert "error" not in line and "failed" not in line
    assert "4 other files skipped" in res.stderr.splitlines()[-1], res.stderr


def test_a_file_named_on_the_command_line_is_read_whatever_its_name(tmp_path):
    folder = _mixed_folder(tmp_path / "in")
    res = cli("run", folder / "notes.doc", folder / "a.txt", "--out", tmp_path / "out", "--tables-only")
    assert res.returncode == 1
    (line,) = lines_for(res.stderr, folder / "notes.doc")
    assert "unsupported file type: an OLE container" in line, line
    assert documents(tmp_path / "out")[str(folder / "notes.doc")]["status"] == "failed"


def test_an_input_without_announcement_files_says_so_and_exits_1(tmp_path):
    empty, other = tmp_path / "empty", tmp_path / "other"
    empty.mkdir()
    other.mkdir()
    (other / "table.csv").write_text("a,b\n", encoding="utf-8")
    for folder in (empty, other):
        out = tmp_path / f"out-{folder.name}"
        res = cli("run", folder, "--out", out)
        assert res.returncode == 1, res.stderr
        last = res.stderr.strip().splitlines()[-1]
        assert last.startswith(f"error: no announcement files in {folder}"), res.stderr
        assert "Traceback" not in res.stderr
        assert not out.exists()


def test_the_output_folder_and_cache_inside_the_input_folder_are_not_read(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEED, folder / "a.txt")
    out, cache = folder / "out", folder / "cache"
    first = cli("run", folder, "--out", out, "--cache", cache)
    assert first.returncode == 0, first.stderr
    # Output files that look like announcements (a copy of a table as text, say) are not read.
    (out / "copy.txt").write_bytes(SEED.read_bytes() + b"\n")
    (cache / "entry.txt").write_bytes(SEED.read_bytes() + b"\n\n")
    for args in (("--cache", cache), ("--cache", cache, "--no-cache")):
        res = cli("run", folder, "--out", out, *args)
        assert res.returncode == 0, res.stderr
        assert list(documents(out)) == [str(folder / "a.txt")], res.stderr


def test_identical_files_are_reported_one_line_each(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("a.txt", "b.txt", "c.txt"):
        shutil.copy(SEED, folder / name)
    out = tmp_path / "out"
    for attempt in ("first", "up to date"):
        res = cli("run", folder, "--out", out, "--tables-only")
        assert res.returncode == 0, res.stderr
        for name in ("b.txt", "c.txt"):
            (line,) = lines_for(res.stderr, folder / name)
            assert line == f"{folder / name}: same content as {folder / 'a.txt'}: read once (see documents.duplicate_paths)"
        assert lines_for(res.stderr, folder / "a.txt") == [], attempt
    assert list(documents(out)) == [str(folder / "a.txt")]


def test_identical_bytes_do_not_depend_on_which_name_sorts_first(tmp_path):
    results = []
    for fake in ("a-fake.pdf", "z-fake.pdf"):
        folder = tmp_path / fake / "in"
        folder.mkdir(parents=True)
        shutil.copy(SEED, folder / "good.txt")
        shutil.copy(SEED, folder / fake)
        out = tmp_path / fake / "out"
        res = cli("run", folder, "--out", out, "--tables-only")
        assert res.returncode == 0, res.stderr
        (doc,) = documents(out).values()
        assert doc["source_path"] == str(folder / "good.txt") and doc["status"] == "ok", doc
        assert doc["duplicate_paths"] == str(folder / fake)
        # The problem of the one path is reported for that path.
        (line,) = lines_for(res.stderr, folder / fake)
        assert "named .pdf but is not a PDF" in line and str(folder / "good.txt") in line, line
        results.append({k: v for k, v in doc.items() if k not in ("source_path", "duplicate_paths")})
    assert results[0] == results[1]


def test_a_second_run_into_the_same_output_folder_is_refused_in_one_line(tmp_path):
    import fcntl
    import os

    out = tmp_path / "out"
    assert cli("run", SEED, "--out", out, "--tables-only").returncode == 0
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    other = tmp_path / "other.txt"
    other.write_bytes(SEED.read_bytes() + b"\n")
    fd = os.open(out / ".lock", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as a run in progress holds it
        res = cli("run", other, "--out", out, "--tables-only", "--no-cache")
        assert res.returncode == 2
        (line,) = res.stderr.strip().splitlines()
        assert line.startswith(f"error: {out}: another run is writing into this folder"), line
        assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
    finally:
        os.close(fd)
    # A lock file left by a run that was killed does not block the next one.
    res = cli("run", other, "--out", out, "--tables-only")
    assert res.returncode == 0, res.stderr
    assert list(documents(out)) == [str(other)]


def test_an_output_folder_that_is_the_input_folder_reads_only_the_announcements(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEED, folder / "a.txt")
    assert cli("run", folder, "--out", folder).returncode == 0
    res = cli("run", folder, "--out", folder, "--no-cache")
    assert res.returncode == 0, res.stderr
    assert list(documents(folder)) == [str(folder / "a.txt")]
    assert "skipped" not in res.stderr, res.stderr  # its own tables are not news


def test_a_fifo_or_broken_link_in_a_folder_is_listed_as_skipped(tmp_path):
    import os

    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEED, folder / "a.txt")
    os.mkfifo(folder / "pipe.txt")
    (folder / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    res = cli("run", folder, "--out", tmp_path / "out", "--tables-only")
    assert res.returncode == 0, res.stderr
    (line,) = lines_for(res.stderr, folder / "pipe.txt")
    assert line == f"{folder / 'pipe.txt'}: skipped: not a regular file", line
    (line,) = lines_for(res.stderr, folder / "gone.txt")
    assert line == f"{folder / 'gone.txt'}: skipped: a broken symbolic link", line


def test_a_line_break_in_a_file_name_does_not_break_its_one_line_message(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "bad\nname.txt").write_bytes("計画".encode() + b"\xff\xfe")
    shutil.copy(SEED, folder / "copy\rof seed.txt")
    shutil.copy(SEED, folder / "seed.txt")
    res = cli("run", folder, "--out", tmp_path / "out", "--tables-only")
    assert res.returncode == 1
    assert len(lines_for(res.stderr, folder / "bad\\nname.txt")) == 1, res.stderr
    (line,) = lines_for(res.stderr, folder / "seed.txt")
    assert "copy\\rof seed.txt: read once" in line, line
    assert all(ln.startswith((str(folder), "1 document", "2 documents", "documents:"))
               for ln in res.stderr.splitlines()), res.stderr


def test_damaged_utf16_text_is_an_encoding_error_not_binary_data(tmp_path):
    bad = tmp_path / "utf16.txt"
    bad.write_bytes(SEED.read_text(encoding="utf-8").encode("utf-16")[:501])  # cut inside a character
    res = cli("run", bad, "--out", tmp_path / "out", "--tables-only")
    assert res.returncode == 1
    (line,) = lines_for(res.stderr, bad)
    assert "undecodable bytes" in line and "utf-16" in line, line


def test_a_cache_that_is_a_file_is_one_line_naming_it(tmp_path):
    cache = tmp_path / "cache"
    cache.write_text("not a folder", encoding="utf-8")
    res = cli("run", SEED, "--out", tmp_path / "out", "--cache", cache)
    assert res.returncode == 2
    (line,) = res.stderr.strip().splitlines()
    assert line == f"error: {cache}: the cache is a file, not a folder (give a folder for --cache)", line
    assert cache.read_text(encoding="utf-8") == "not a folder"


def test_a_broken_inputs_rule_is_one_line_naming_file_and_key(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    (rules / "inputs.toml").write_text("[folder]\nsuffixes = 'txt'\n", encoding="utf-8")
    res = cli("run", SEED, "--out", tmp_path / "out", "--rules", rules)
    assert res.returncode == 2
    (line,) = res.stderr.strip().splitlines()
    assert line.startswith(f"error: {rules / 'inputs.toml'}: key 'folder.suffixes' must be a list"), line


def _as_html(text: str) -> str:
    """The seed as a web page: a paragraph per blank-line block, <br> within, an entity."""
    import html

    blocks = [b for b in text.split("\n\n") if b.strip()]
    body = "\n".join("<p>" + "<br>\n".join(html.escape(ln) for ln in b.strip("\n").split("\n")) + "</p>"
                     for b in blocks)
    body = body.replace("（", "&#xFF08;", 1)
    return ("<!DOCTYPE html>\n<html lang=\"ja\"><head><meta charset=\"utf-8\"><title>お知らせ</title>"
            "<style>p { margin: 0 }</style><script>var x = '<p>(1) 偽の取組</p>';</script></head>\n"
            f"<body><div class=\"main\">\n{body}\n</div></body></html>\n")


def _programs(out):
    import pyarrow.parquet as pq

    rows = pq.read_table(out / "programs.parquet").to_pylist()
    return [(r["municipality"], r["category_no"], r["seq"], r["program_name"]) for r in rows]


def test_an_html_announcement_gives_the_programs_of_its_text(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "seed.html").write_text(_as_html(SEED.read_text(encoding="utf-8")), encoding="utf-8")
    (folder / "seed-shift-jis.HTM").write_bytes(_as_html(SEED.read_text(encoding="utf-8")).encode("cp932"))
    out, text_out = tmp_path / "out", tmp_path / "text-out"
    res = cli("run", folder, "--out", out, "--tables-only")
    assert res.returncode == 0, res.stderr
    assert cli("run", SEED, "--out", text_out, "--tables-only").returncode == 0
    docs = documents(out)
    assert {d["media_type"] for d in docs.values()} == {"text/html"}
    assert {d["status"] for d in docs.values()} == {"ok"}
    assert _programs(out) == _programs(text_out) * 2


@pytest.mark.parametrize("head,media", [
    ("<!DOCTYPE html>\n<html>", "text/html"), ("\ufeff  <HTML lang='ja'>", "text/html"),
    ("<!-- saved page -->\n<html>", "text/html"), ("<htmlx>", "text/plain"),
    ("【承認した地域産業活性化計画の概要】<html>", "text/plain"), ("<!-- never closed <html>", "text/plain"),
])
def test_html_is_sniffed_from_content(head, media):
    from pipeline.ingest.sniff import sniff

    assert sniff(head.encode()) == media


def test_script_style_and_head_are_not_text(rules):
    from pipeline.ingest.html.page import read_page

    page = ("<html><head><title>題</title><style>p{}</style></head><body><p>一行目<br>二行目</p>"
            "<script>document.write('<p>偽</p>')</script><ul><li>A &amp; B</li><li>  C\n D </li></ul></body></html>")
    # The items of one list are lines of one paragraph, as in a text announcement.
    assert [ln.text for ln in read_page(page, rules.html).lines] == ["一行目", "二行目", "", "A & B", "C D"]


def test_an_earlier_runs_output_folder_inside_the_input_is_not_read_as_announcements(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEED, folder / "a.txt")
    assert cli("run", folder, "--out", folder / "old-out").returncode == 0
    res = cli("run", folder, "--out", tmp_path / "out")
    assert res.returncode == 0, res.stderr
    assert list(documents(tmp_path / "out")) == [str(folder / "a.txt")], res.stderr
    pages = sorted((folder / "old-out" / "report").iterdir())
    assert len(pages) == 2  # index.html and the document's page
    for page in pages:
        (line,) = lines_for(res.stderr, page)
        assert line.endswith("skipped: written by an earlier run of this pipeline"), line


def test_a_saved_web_page_is_read_and_its_files_folder_is_not(tmp_path):
    """A browser's "Web page, complete" save: <name>.html and <name>_files (images, styles,
    scripts, frames saved as .html). The page is read; the folder is one skipped line."""
    folder = tmp_path / "in"
    assets = folder / "承認 計画_files"
    (assets / "img").mkdir(parents=True)
    (folder / "承認 計画.html").write_text(_as_html(SEED.read_text(encoding="utf-8")), encoding="utf-8")
    for name in ("style.css", "jquery.js", "img/logo.png"):
        (assets / name).write_bytes(b"asset")
    (assets / "saved_resource.html").write_text("<!DOCTYPE html><html><body><p>広告</p></body></html>",
                                                encoding="utf-8")
    # A folder whose name ends in _files with no page of that name beside it is an ordinary folder.
    (folder / "old_files").mkdir()
    shutil.copy(SEED, folder / "old_files" / "copy.txt")
    (folder / "old_files" / "notes.md").write_text("memo", encoding="utf-8")
    out = tmp_path / "out"
    res = cli("run", folder, "--out", out, "--tables-only")
    assert res.returncode == 0, res.stderr
    assert sorted(documents(out)) == [str(folder / "old_files" / "copy.txt"), str(folder / "承認 計画.html")]
    (line,) = lines_for(res.stderr, assets)
    assert line == (f"{assets}: skipped: the images, styles and scripts of the saved web page 承認 計画.html "
                    "(4 file(s), not read)")
    (line,) = lines_for(res.stderr, folder / "old_files" / "notes.md")
    assert line.endswith("skipped: not an announcement file (folders are read for .txt, .pdf, .html, .htm files)")


def test_the_saved_page_folders_are_rules(tmp_path):
    """inputs.toml [saved_pages]: another browser's folder name is a rules change."""
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    path = rules / "inputs.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('["_files"]', '["_files", ".files"]'), encoding="utf-8")
    folder = tmp_path / "in"
    (folder / "page.files").mkdir(parents=True)
    (folder / "page.htm").write_text(_as_html(SEED.read_text(encoding="utf-8")), encoding="utf-8")
    (folder / "page.files" / "frame.htm").write_text("<!DOCTYPE html><html><body><p>枠</p></body></html>",
                                                    encoding="utf-8")
    res = cli("run", folder, "--out", tmp_path / "out", "--tables-only", "--rules", rules)
    assert res.returncode == 0, res.stderr
    assert list(documents(tmp_path / "out")) == [str(folder / "page.htm")]
    path.write_text("[folder]\nsuffixes = ['.txt']\n", encoding="utf-8")
    res = cli("run", folder, "--out", tmp_path / "out2", "--rules", rules)
    assert res.returncode == 2
    assert res.stderr.strip() == f"error: {path}: key 'saved_pages.asset_folder_suffixes' is missing", res.stderr
