"""Rules are data: validated at start-up, and a changed rule changes behaviour."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
from conftest import FIXTURES, ROOT, process

ANNOUNCEMENT = """【承認した地域産業活性化計画の概要】

「瑞穂町地域産業活性化計画」（瑞穂町） 【計画期間：令和6年度～令和8年度】

町内の事業者の経営基盤を強化し、地域経済の持続的な発展を目指す。

［第1］多様な主体との連携を図る取組

商工会と連携して支援する（創業支援事業、販路開拓支援補助金）
"""


@pytest.fixture()
def rules_copy(tmp_path):
    target = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", target)
    return target


def test_a_new_marker_form_is_a_rules_change(tmp_path, rules_copy):
    from pipeline.rules import load_rules

    src = tmp_path / "a.txt"
    src.write_text(ANNOUNCEMENT, encoding="utf-8")
    before = process(src, load_rules())
    assert [len(p.measures) for p in before.plans] == [0]
    assert before.status == "partial"

    fmt = rules_copy / "format.toml"
    text = fmt.read_text(encoding="utf-8")
    text = text.replace("[[markers.forms]]", "[[markers.forms]]\npattern = '^\\[第(?P<num>[0-9]{1,2})\\]'\n\n"
                        "[[markers.forms]]", 1)
    fmt.write_text(text, encoding="utf-8")
    modified = load_rules(rules_copy)
    after = process(src, modified)
    assert [(m.category_no, m.label) for m in after.plans[0].measures] == [(1, "多様な主体との連携を図る取組")]
    assert [p.name for p in after.plans[0].measures[0].programs] == ["創業支援事業", "販路開拓支援補助金"]
    assert modified.hash != load_rules().hash


def test_a_new_closer_is_a_rules_change(tmp_path, rules_copy):
    from pipeline.rules import load_rules

    src = tmp_path / "b.txt"
    src.write_text(ANNOUNCEMENT.replace("［第1］", "(1) ").replace("販路開拓支援補助金）", "販路開拓支援補助金ほか全般）"),
                   encoding="utf-8")
    names = [p.name for p in process(src, load_rules()).plans[0].measures[0].programs]
    assert names[-1] == "販路開拓支援補助金ほか全般"
    prog = rules_copy / "programs.toml"
    prog.write_text(prog.read_text(encoding="utf-8").replace('closers = [', 'closers = ["ほか全般", '),
                    encoding="utf-8")
    names = [p.name for p in process(src, load_rules(rules_copy)).plans[0].measures[0].programs]
    assert names[-1] == "販路開拓支援補助金"


def test_bad_pattern_names_file_and_key(rules_copy):
    from pipeline.errors import RulesError
    from pipeline.rules import load_rules

    fmt = rules_copy / "format.toml"
    fmt.write_text(fmt.read_text(encoding="utf-8").replace("muni_line = '^", "muni_line = '^(("), encoding="utf-8")
    with pytest.raises(RulesError, match=r"format.toml: key 'header.muni_line': bad pattern"):
        load_rules(rules_copy)


def test_missing_key_names_file_and_key(rules_copy):
    from pipeline.errors import RulesError
    from pipeline.rules import load_rules

    prog = rules_copy / "programs.toml"
    prog.write_text(prog.read_text(encoding="utf-8").replace("closers = [", "closers_renamed = ["), encoding="utf-8")
    with pytest.raises(RulesError, match=r"programs.toml: missing key 'lists.closers'"):
        load_rules(rules_copy)


def test_cli_rules_prints_hash_and_bad_rules_exit_2(rules_copy):
    from pipeline.rules import load_rules

    out = subprocess.run([sys.executable, "-m", "pipeline", "rules"], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0
    assert f"hash: {load_rules().hash}" in out.stdout
    assert "[markers]" in out.stdout
    (rules_copy / "format.toml").write_text("[title\n", encoding="utf-8")
    bad = subprocess.run([sys.executable, "-m", "pipeline", "run", str(FIXTURES / "seed.txt"), "--rules",
                          str(rules_copy), "--out", str(rules_copy / "out")], capture_output=True, text=True, cwd=ROOT)
    assert bad.returncode == 2
    assert "format.toml: not valid TOML" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_header_patterns_are_composed_from_named_parts(tmp_path, rules):
    import shutil

    from pipeline.errors import RulesError
    from pipeline.rules import DEFAULT_RULES_DIR, load_rules

    assert all("${" not in p.pattern for p in rules.header_patterns)
    assert rules.header_patterns[0].pattern.startswith("^(?:[◆■")  # ${lead}, expanded
    folder = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, folder)
    path = folder / "format.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("${lead}", "${leed}", 1), encoding="utf-8")
    with pytest.raises(RulesError, match=r"header.patterns\[0\]' names no part 'leed'"):
        load_rules(folder)
