"""Plan periods: 和暦 (or Western) fiscal-year expressions to Western fiscal years."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..rules import Rules


@dataclass(frozen=True)
class Period:
    raw: str  # the period expression as written (normalized), without brackets and label
    start_fy: int | None
    end_fy: int | None


def strip_period_wrapping(text: str, rules: Rules) -> str:
    """Remove surrounding brackets (【】, [], 〔〕, ()) and a label such as 計画期間: ."""
    text = text.strip()
    for _ in range(3):
        m = rules.period_brackets.match(text)
        if not m:
            break
        text = m.group("inner").strip()
    return rules.period_label.sub("", text, count=1).strip()


def parse_period(text: str, rules: Rules) -> Period | None:
    """Parse a whole period line (or the period part of a header). None if it is not one."""
    inner = strip_period_wrapping(text, rules)
    m = rules.period_full.match(inner)
    if not m:
        d = rules.period_duration.match(inner)
        start = _fiscal_year(d, "", None, rules) if d else None
        years = _number(d.group("years"), rules) if d else None
        if start is None or not years:
            return None
        return Period(raw=inner, start_fy=start, end_fy=start + years - 1)
    start = _fiscal_year(m, "", None, rules)
    end = _fiscal_year(m, "end_", m.group("era"), rules) if m.group("end") else None
    if start is None:
        return None
    return Period(raw=inner, start_fy=start, end_fy=end if m.group("end") else start)


def looks_like_period(text: str, rules: Rules) -> bool:
    """A line that announces a period (label present) even if its value cannot be parsed."""
    return bool(rules.period_label_only.match(text.strip()))


def _fiscal_year(m: re.Match[str], prefix: str, inherited_era: str | None, rules: Rules) -> int | None:
    era = m.group(prefix + "era") or inherited_era
    year = _number(m.group(prefix + "year"), rules)
    if year is None:
        return None
    if era is None:
        if year < 1000:
            return None  # a bare "6年度" names no era: do not guess
        western = year
    else:
        western = rules.eras[era] + year
    month_text = m.groupdict().get(prefix + "month")
    if month_text and not m.groupdict().get(prefix + "fy"):
        month = _number(month_text, rules)
        if month is not None and month < rules.fiscal_year_start_month:
            western -= 1  # January–March belong to the fiscal year that began the April before
    return western


def _number(text: str | None, rules: Rules) -> int | None:
    if not text:
        return None
    if text == rules.first_year:
        return 1
    if text.isdigit():
        return int(text)
    total, current = 0, 0
    for ch in text:
        if ch in rules.kanji_digits:
            current = current * 10 + rules.kanji_digits[ch] if current else rules.kanji_digits[ch]
        elif ch in rules.kanji_units:
            total += (current or 1) * rules.kanji_units[ch]
            current = 0
        else:
            return None
    return total + current
