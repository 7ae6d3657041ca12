from collections import Counter
from pathlib import Path

import pytest

from pipeline.municipalities import (
    DEFAULT_PATH,
    TYPES,
    Municipality,
    build_index,
    check_digit,
    load_municipalities,
    lookup,
)

CSV_PATH = Path(__file__).resolve().parent.parent / "rules" / "municipalities.csv"


@pytest.fixture(scope="module")
def munis() -> tuple[Municipality, ...]:
    return load_municipalities(CSV_PATH)


@pytest.fixture(scope="module")
def by_code(munis) -> dict[str, Municipality]:
    return {m.code: m for m in munis}


def test_default_path_is_the_rules_file():
    assert DEFAULT_PATH == CSV_PATH


@pytest.mark.parametrize(
    "code",
    [
        "131121",
        "131148",
        "131211",
        "132098",
        "132276",
        "011002",
        "130001",
        "010006",
        # 新宿区 (remainder 0 -> 1, like 足立区) and 渋谷区 (remainder 1 -> 0)
        "131041",
        "131130",
    ],
)
def test_check_digit_known_values(code):
    assert check_digit(code[:5]) == code[5]


@pytest.mark.parametrize("bad", ["1312", "131212", "1312a", "１３１１２"])
def test_check_digit_rejects_bad_input(bad):
    with pytest.raises(ValueError):
        check_digit(bad)


def test_file_format():
    raw = CSV_PATH.read_bytes()
    assert b"\r" not in raw
    text = raw.decode("utf-8")
    lines = text.split("\n")
    assert lines[0].startswith("#")
    first_data = next(i for i, line in enumerate(lines) if not line.startswith("#"))
    assert lines[first_data] == "code,prefecture,name,type"
    assert all(not line.startswith("#") for line in lines[first_data:])


def test_every_check_digit_is_right(munis):
    for m in munis:
        assert check_digit(m.code[:5]) == m.code[5], m


def test_codes_are_unique_six_digit_strings_sorted(munis):
    codes = [m.code for m in munis]
    assert all(isinstance(c, str) and len(c) == 6 and c.isdigit() for c in codes)
    assert len(codes) == len(set(codes))
    assert codes == sorted(codes)


def test_types_and_counts(munis):
    counts = Counter(m.type for m in munis)
    assert set(counts) == set(TYPES)
    assert counts["都道府県"] == 47
    assert counts["特別区"] == 23
    # 1,741 市区町村 (23 特別区 included); wards of the 20 designated cities on top.
    assert counts["特別区"] + counts["市"] + counts["町"] + counts["村"] == 1741
    assert counts["政令市の区"] == 171  # 175 before 浜松市 went from 7 wards to 3 (2024-01-01)


def test_prefectures(munis):
    prefs = [m for m in munis if m.type == "都道府県"]
    assert [m.code[:2] for m in prefs] == [f"{i:02d}" for i in range(1, 48)]
    assert all(m.code[2:5] == "000" and m.name == m.prefecture for m in prefs)
    names = {m.prefecture for m in prefs}
    assert {m.prefecture for m in munis} == names
    # every row's code starts with its prefecture's code
    pref_code = {m.prefecture: m.code[:2] for m in prefs}
    assert all(m.code[:2] == pref_code[m.prefecture] for m in munis)


@pytest.mark.parametrize(
    "code,prefecture,name,type_",
    [
        ("131121", "東京都", "世田谷区", "特別区"),
        ("131148", "東京都", "中野区", "特別区"),
        ("131211", "東京都", "足立区", "特別区"),
        ("132098", "東京都", "町田市", "市"),
        ("132276", "東京都", "羽村市", "市"),
        ("011002", "北海道", "札幌市", "市"),
        ("011011", "北海道", "札幌市中央区", "政令市の区"),
        ("130001", "東京都", "東京都", "都道府県"),
        ("010006", "北海道", "北海道", "都道府県"),
        ("221384", "静岡県", "浜松市中央区", "政令市の区"),
    ],
)
def test_known_rows(by_code, code, prefecture, name, type_):
    assert by_code[code] == Municipality(code, prefecture, name, type_)


TOKYO_WARDS = (
    "千代田区 中央区 港区 新宿区 文京区 台東区 墨田区 江東区 品川区 目黒区 大田区 世田谷区 "
    "渋谷区 中野区 杉並区 豊島区 北区 荒川区 板橋区 練馬区 足立区 葛飾区 江戸川区"
).split()
TOKYO_CITIES = (
    "八王子市 立川市 武蔵野市 三鷹市 青梅市 府中市 昭島市 調布市 町田市 小金井市 小平市 日野市 "
    "東村山市 国分寺市 国立市 福生市 狛江市 東大和市 清瀬市 東久留米市 武蔵村山市 多摩市 稲城市 "
    "羽村市 あきる野市 西東京市"
).split()
TOKYO_TOWNS = "瑞穂町 日の出町 奥多摩町 大島町 八丈町".split()
TOKYO_VILLAGES = "檜原村 利島村 新島村 神津島村 三宅村 御蔵島村 青ヶ島村 小笠原村".split()


def test_all_62_tokyo_municipalities(munis):
    tokyo = {(m.name, m.type) for m in munis if m.prefecture == "東京都" and m.type != "都道府県"}
    expected = (
        {(n, "特別区") for n in TOKYO_WARDS}
        | {(n, "市") for n in TOKYO_CITIES}
        | {(n, "町") for n in TOKYO_TOWNS}
        | {(n, "村") for n in TOKYO_VILLAGES}
    )
    assert (len(TOKYO_WARDS), len(TOKYO_CITIES), len(TOKYO_TOWNS), len(TOKYO_VILLAGES)) == (23, 26, 5, 8)
    assert tokyo == expected


def test_wards_belong_to_a_designated_city(munis):
    cities = {(m.prefecture, m.name): m for m in munis if m.type == "市"}
    designated = set()
    for w in (m for m in munis if m.type == "政令市の区"):
        parents = [c for (p, n), c in cities.items() if p == w.prefecture and w.name.startswith(n)]
        assert len(parents) == 1, w
        designated.add(parents[0].code)
    assert len(designated) == 20


def test_index_and_lookup(munis):
    index = build_index(munis)
    fuchu = index["府中市"]
    assert {m.prefecture for m in fuchu} == {"東京都", "広島県"}
    assert lookup(index, "府中市", "東京都").code == "132063"
    assert lookup(index, "府中市", "広島県").prefecture == "広島県"
    assert lookup(index, "府中市") is None  # ambiguous without a preference
    assert lookup(index, "世田谷区").code == "131121"
    assert lookup(index, "世田谷区", "北海道").code == "131121"  # unique name: preference not needed
    assert lookup(index, "存在しない市") is None
    assert sum(len(v) for v in index.values()) == len(munis)


def test_loader_rejects_bad_check_digit(tmp_path):
    p = tmp_path / "m.csv"
    p.write_text("# c\ncode,prefecture,name,type\n131122,東京都,世田谷区,特別区\n", encoding="utf-8")
    with pytest.raises(ValueError):
        load_municipalities(p)
