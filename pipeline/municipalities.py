"""Japanese municipalities and their 6-digit 全国地方公共団体コード.

The table lives in ``rules/municipalities.csv`` (see its ``#`` header for the
sources). Pure stdlib: the CSV is read with :mod:`csv`, ``#`` lines are skipped.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from .model import Diagnostic, Document, Severity

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "rules" / "municipalities.csv"

TYPES = ("都道府県", "特別区", "市", "町", "村", "政令市の区")

_WEIGHTS = (6, 5, 4, 3, 2)


@dataclass(frozen=True)
class Municipality:
    code: str  # 6 digits, e.g. "131121"
    prefecture: str  # e.g. "東京都"
    name: str  # e.g. "世田谷区", "札幌市中央区"; for a prefecture row its own name
    type: str  # one of TYPES


def check_digit(code5: str) -> str:
    """The check digit (6th digit) of a 5-digit 全国地方公共団体コード.

    s = 6*d1 + 5*d2 + 4*d3 + 3*d4 + 2*d5; the digit is (11 - s % 11) % 10,
    so a remainder of 0 gives 1 and a remainder of 1 gives 0.
    """
    if len(code5) != 5 or not code5.isascii() or not code5.isdigit():
        raise ValueError(f"expected 5 ASCII digits, got {code5!r}")
    s = sum(int(d) * w for d, w in zip(code5, _WEIGHTS, strict=True))
    return str((11 - s % 11) % 10)


def is_valid_code(code: str) -> bool:
    """True for a 6-digit code whose last digit is the right check digit."""
    return len(code) == 6 and code.isascii() and code.isdigit() and check_digit(code[:5]) == code[5]


def load_municipalities(path: str | Path = DEFAULT_PATH) -> tuple[Municipality, ...]:
    """Read the municipalities CSV, skipping ``#`` comment lines.

    Raises ValueError on a malformed row (bad header, code or type).
    """
    with open(path, encoding="utf-8", newline="") as f:
        lines = (line for line in f if not line.startswith("#"))
        reader = csv.reader(lines)
        header = next(reader, None)
        if header != ["code", "prefecture", "name", "type"]:
            raise ValueError(f"{path}: unexpected header {header!r}")
        out: list[Municipality] = []
        for row in reader:
            if not row:
                continue
            if len(row) != 4:
                raise ValueError(f"{path}: expected 4 fields, got {row!r}")
            code, prefecture, name, type_ = row
            if not is_valid_code(code):
                raise ValueError(f"{path}: bad code {code!r} ({name})")
            if type_ not in TYPES:
                raise ValueError(f"{path}: bad type {type_!r} ({code} {name})")
            out.append(Municipality(code, prefecture, name, type_))
    return tuple(out)


def build_index(munis: Iterable[Municipality]) -> dict[str, list[Municipality]]:
    """Map each name to the municipalities that bear it, in code order.

    Names are not unique across prefectures (府中市 is in 東京都 and 広島県,
    中央区 is a 特別区 and, as 札幌市中央区 etc., never clashes since wards of
    designated cities carry the city's name). Use :func:`lookup` to pick one.
    """
    index: dict[str, list[Municipality]] = {}
    for m in sorted(munis, key=lambda m: m.code):
        index.setdefault(m.name, []).append(m)
    return index


def lookup(
    index: dict[str, list[Municipality]], name: str, prefecture: str | None = None
) -> Municipality | None:
    """The municipality called ``name``, preferring one in ``prefecture``.

    Returns the entry in ``prefecture`` if there is one; otherwise the only
    entry when the name is unique; otherwise None (ambiguous or unknown).
    """
    candidates = index.get(name, [])
    if prefecture is not None:
        for m in candidates:
            if m.prefecture == prefecture:
                return m
    if len(candidates) == 1:
        return candidates[0]
    return None


_INDEXES: dict[str, dict[str, list[Municipality]]] = {}


def index_for(path: str | Path) -> dict[str, list[Municipality]]:
    """The name index of the list at ``path``, read once per process (empty if absent)."""
    key = str(path)
    if key not in _INDEXES:
        _INDEXES[key] = build_index(load_municipalities(path)) if Path(path).exists() else {}
    return _INDEXES[key]


_NAMES: dict[tuple[str, bool], frozenset[str]] = {}


def _names(path: str, prefectures: bool) -> frozenset[str]:
    # Memoized per process: called for every plan, and the set takes ~30 µs a name to build.
    key = (str(path), prefectures)
    if key not in _NAMES:
        index = index_for(path)
        _NAMES[key] = frozenset(name for name, ms in index.items()
                                if any((m.type == "都道府県") == prefectures for m in ms))
    return _NAMES[key]


def known_names(rules) -> frozenset[str]:
    """Municipality names (市区町村 and 特別区) that a plan title may start with."""
    return _names(rules.municipalities_path, False)


def prefecture_names(rules) -> frozenset[str]:
    return _names(rules.municipalities_path, True)


def without_prefecture(name: str | None, rules) -> str | None:
    """"東京都八王子市" -> "八王子市": the prefecture goes to its own column."""
    if not name:
        return name
    known = known_names(rules)
    prefectures = prefecture_names(rules)
    for pref in {name[:k] for k in _lengths(rules.municipalities_path)} & prefectures:  # at most one
        rest = name[len(pref):].strip()
        if rest in known or canonical_name(rest, rules) in known:
            name = rest
            break
    return canonical_name(name, rules)


_SMALL_KE = str.maketrans({"ケ": "ヶ", "ヵ": "ヶ", "ｹ": "ヶ"})


def canonical_name(name: str, rules) -> str:
    """The code list's spelling of a municipality: aliases from the rules, and ケ/ヶ/ヵ folded
    (青ケ島村 is 青ヶ島村) when only the folded spelling is known."""
    name = rules.municipality_aliases.get(name, name)
    if name in known_names(rules):
        return name
    return _folded_names(rules.municipalities_path).get(
        name.translate(_SMALL_KE), name)


_LENGTHS: dict[str, frozenset[int]] = {}


def _lengths(path: str) -> frozenset[int]:
    """How long the prefectures' names are (北海道, 神奈川県): a name's start is looked up, not
    tried against every prefecture."""
    key = str(path)
    if key not in _LENGTHS:
        _LENGTHS[key] = frozenset(len(p) for p in _names(path, True))
    return _LENGTHS[key]


_FOLDED: dict[str, dict[str, str]] = {}


def _folded_names(path: str) -> dict[str, str]:
    """Known names by their ケ/ヶ/ヵ-folded spelling (the first in sorted order of names that
    fold alike), memoized per process: folding every name at each lookup took 0.5 ms."""
    key = str(path)
    if key not in _FOLDED:
        folded: dict[str, str] = {}
        for name in sorted(_names(path, False)):
            folded.setdefault(name.translate(_SMALL_KE), name)
        _FOLDED[key] = folded
    return _FOLDED[key]


def known_prefix(title: str | None, rules) -> str | None:
    """The longest known municipality name the title starts with (a prefecture before it is
    passed over): 東京都八王子市…計画 -> 八王子市. None when no known name starts it."""
    if not title:
        return None
    names = known_names(rules)

    def prefix(text: str) -> str | None:
        return next((text[:k] for k in range(len(text), 0, -1) if text[:k] in names), None)

    for pref in prefecture_names(rules):
        if title.startswith(pref) and prefix(title[len(pref):].lstrip()):
            return prefix(title[len(pref):].lstrip())
    return prefix(title)


def known_municipality(text: str, rules) -> str | None:
    """The code list's name when ``text`` is exactly a municipality (a prefecture before it, and
    other spellings, allowed): "東京都大田区" -> "大田区"; otherwise None."""
    if not text:
        return None
    name = without_prefecture(text, rules)
    return name if name in known_names(rules) else None


def municipality_from_title(title: str | None, rules) -> str | None:
    if not title:
        return None
    best = known_prefix(title, rules)
    if best:
        return best
    m = rules.municipality_fallback.match(title)
    return canonical_name(m.group("muni"), rules) if m else None


def municipality_type(name: str | None, rules) -> str | None:
    """区, 市, 町 or 村: the suffix the name ends in (rules/format.toml header.municipality_types)."""
    if not name:
        return None
    return next((v for k, v in rules.municipality_types.items() if name.endswith(k)), None)


def municipality_diagnostics(doc: Document, munis, default_prefecture: str | None) -> Document:
    """The document with a warning for each plan whose municipality has no code.

    Without a code list (none given, or a rules folder without municipalities.csv) there is
    nothing to check against, and the document is returned as it is.
    """
    if not munis:
        return doc
    extra = []
    for plan in doc.plans:
        name = plan.municipality
        if not name or lookup(munis, name, default_prefecture) is not None:
            continue
        n = len(munis.get(name, []))
        why = (f"{n} municipalities bear this name outside {default_prefecture}" if n > 1
               else "not in rules/municipalities.csv")
        extra.append(Diagnostic(Severity.WARNING, "unknown_municipality",
                                f"municipality has no code: {name} ({why})",
                                plan.line_start, plan.plan_no, plan.page))
    if not extra:
        return doc
    # Same order as extract gives them, so the rows stay deterministic.
    diags = sorted(doc.diagnostics + tuple(extra),
                   key=lambda d: (d.line if d.line is not None else -1, d.code, d.message))
    return replace(doc, diagnostics=tuple(diags))


_NAME_PATTERNS: dict[str, object] = {}


def names_in(text: str, rules) -> set[str]:
    """The known municipality names that stand in ``text`` (longest first, no overlaps):
    "大田区、府中市及び東大和市の…" -> {大田区, 府中市, 東大和市}."""
    import re

    key = str(rules.municipalities_path)
    if key not in _NAME_PATTERNS:
        names = sorted(known_names(rules), key=len, reverse=True)
        _NAME_PATTERNS[key] = re.compile("|".join(map(re.escape, names))) if names else None
    pattern = _NAME_PATTERNS[key]
    return set(pattern.findall(text)) if pattern else set()
