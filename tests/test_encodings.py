"""The same announcement in other encodings and line ends gives the same tables."""

from __future__ import annotations

import pytest
from conftest import FIXTURES, process, summary


@pytest.mark.parametrize("encoding,newline", [("cp932", "\r\n"), ("utf-8-sig", "\r"), ("utf-16", "\n"),
                                              ("utf-8", "\r\n")])
def test_seed_in_other_encodings_gives_same_tables(tmp_path, rules, encoding, newline):
    text = (FIXTURES / "seed.txt").read_text(encoding="utf-8")
    copy = tmp_path / f"seed-{encoding}.txt"
    copy.write_bytes(text.replace("\n", newline).encode(encoding))
    original, converted = process(FIXTURES / "seed.txt", rules), process(copy, rules)
    assert summary(converted, rules) == summary(original, rules)
    assert converted.raw.encoding == encoding
    assert [r.line for r in converted.roles] == [r.line for r in original.roles]


def test_undecodable_bytes_are_an_error_naming_the_offset(tmp_path, rules):
    from pipeline.errors import InputError
    from pipeline.ingest.read import read_document

    bad = tmp_path / "bad.txt"
    bad.write_bytes("計画".encode() + b"\x80\x80\xff\xfe\xfd")
    with pytest.raises(InputError, match="byte offset 6"):
        read_document(bad, rules)
