#!/usr/bin/env python3
"""Announcements of approved 地域産業活性化計画 built from random parts: a test oracle.

``generate(seed)`` assembles one announcement from parts chosen by ``random.Random(seed)``
and returns the text together with the structure it was built from (``expected``, in the
shape of ``tests/conftest.py:summary``: plans, their measures, programs and captions). The
generator knows the truth because it writes the document; nothing here reads the pipeline.

What varies (issue 11, "The family"):

* generations: 2012-2014 (地域産業基盤強化計画, press-release front matter, compact headers,
  平成26~28年度), 2015-2017 (〔別紙〕, indented headers, ``1 label`` markers with the plan's own
  labels, bodies that are lists of activities), 令和 (the seed's shape) and 2025 (the new
  aims as labels, 別紙 and ``－１－`` on every page); each part is also re-drawn freely;
* plan headers: the order of title / municipality / period; 「」『』【】 or no brackets for the
  title, （） or none for the municipality (or none at all: the title names it), 【】（）〔〕 or
  none for the period, with or without a 計画期間 label; bullets ■ ◆ ● or a plan number
  (``1 ``, ``1.``, ``（1）``); no space, ASCII or full-width spaces between the parts,
  indentation; one line, or two or three lines;
* titles ending in 計画 or プラン, with an optional edition （第2期）;
* periods: 令和6年度～令和8年度, 令和6年度〜8年度, 令和7～9年度, 平成26~28年度,
  平成26年度から平成28年度まで, full-width digits, kanji numerals, 令和元年度, across eras;
* measure markers (1) （１） ⑴ ① ``1.`` ``1 `` with the standard labels, the 2025 aims, or
  labels of the plan's own (canonical null), numbered from 1 in one form per plan;
* lists: parenthesized at the end of the body sentence, bare (the whole body), activities;
  closed by 等 or など; trailing qualifiers （連携機関の拡充）;
* captions between the overview and the first measure, and after the last list;
* furniture: 別紙 / 〔別紙〕, page numbers －１－ ``- 2 -`` ``3/5``, ページの先頭へ戻る,
  breadcrumbs, ここから本文です。, date lines, 問合せ先 blocks; optional preamble prose.

Everything generated is meant to be unambiguous to a careful reader: program names end in a
program noun (事業, 補助金, 助成金, 制度, 支援 …), activities are phrases (…の開催), the overview
and the preamble are sentences ending in 。 and name no plan, period or other municipality
than their own (the preamble names the approved municipalities in one sentence, as the
2012 releases do), numbered plan headers never use the measures' marker form, two
unbracketed header parts are never run together, a period that comes first is labelled and
bracketed, a bare list never ends in a qualifier (it would read as a parenthesized list).

Expected values are normalized as in the hand-written goldens: NFKC (half-width digits,
Latin and parentheses), any wave dash or tilde in a period as 〜, the period without its
brackets and 計画期間 label but otherwise as written (令和六年度〜令和八年度, …から…まで), ① ②
kept in labels; a program's raw name is the source text of the name (no qualifier, no
closing 等/など) and its line is the source line it starts on.

``generate(seed, pdf=True)`` is the same document for PDF rendering: without the page
numbers, running headers and web furniture written into the text (the PDF layouts of
tests/fixtures/make_variant_pdfs.py draw their own), and with each caption its own paragraph.

    python tests/announcements.py SEED            # the text, then the expected structure
    python tests/announcements.py SEED --pdf      # the variant for PDF rendering
    python tests/announcements.py SEED --render out.pdf [--layout a|b|c]
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import signal
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
MUNICIPALITIES_CSV = ROOT / "rules" / "municipalities.csv"

# --------------------------------------------------------------------------- vocabulary

LABEL_1 = "多様な主体との連携を図る取組"
LABEL_2 = "感染症や災害などの発生による社会経済活動の大きな変化や社会構造の変革への対応に係る取組"
LABEL_3 = "(1)、(2)以外の取組"  # canonical; written in the marker style of its plan
AIM_1 = "多様な主体の協業・参画"
AIM_2 = "中小企業等の自己変革への挑戦"
# Labels of a plan's own (2015-2017): none of them is, or contains, a known label or alias.
OWN_LABELS = (
    "販路開拓の推進", "人材の確保・育成", "創業・事業承継の促進", "商店街のにぎわい創出",
    "観光資源を生かした産業振興", "生産性の向上", "技術・製品開発の促進", "地域ブランドの発信",
    "経営基盤の強化", "企業立地の促進", "ものづくり産業の振興", "産学公の交流促進",
)

# Program names: a topic and a program noun, or a whole name. Written forms; the expected
# name is the NFKC form (ＤＸ -> DX).
TOPICS = (
    "創業支援", "事業承継支援", "販路開拓支援", "人材育成", "人材確保支援", "商店街活性化", "ＤＸ推進",
    "デジタル化推進", "経営革新支援", "生産性向上支援", "設備投資支援", "海外展開支援", "産学連携推進",
    "ものづくり人材育成", "企業立地促進", "空き店舗活用", "新製品開発支援", "展示会出展支援",
    "事業継続力強化支援", "テレワーク導入支援", "キャッシュレス決済導入支援", "省エネルギー設備導入支援",
    "知的財産活用支援", "地域ブランド化推進", "観光商品開発支援", "地域資源活用", "中小企業融資あっせん",
    "産業交流拠点運営", "ビジネスマッチング", "経営相談", "IoT導入支援", "専門家派遣", "異業種交流推進",
    "伝統工芸振興", "工場見学推進", "産業見本市開催", "ＥＣサイト構築支援", "ＢＣＰ策定支援",
)
PROGRAM_NOUNS = ("事業", "事業", "事業", "補助金", "補助金", "助成金", "制度", "助成", "奨励金")
WHOLE_PROGRAMS = (
    "新製品・新事業開発補助金", "IoT・AI導入支援事業", "ECモール出店支援", "海外見本市出展支援",
    "創業者向け伴走支援", "経営基盤強化助成金", "人材育成及び人材確保支援助成金", "企業誘致促進制度奨励金",
    "中小企業経営支援補助", "小規模事業者経営改善補助金", "広域連携商談会事業",
)
QUALIFIERS = ("連携機関の拡充", "専門家派遣の拡充", "新規", "再掲", "対象経費の拡大", "補助上限額の引上げ")
# Activities: phrases that are not program names; the first group does not end in a
# program noun, so an activity list is never also a bare list of programs.
ACTIVITIES_PLAIN = (
    "販路開拓セミナーの開催", "異業種交流会の開催", "創業塾の開催", "専門家による経営相談の実施",
    "産業情報の発信", "技術相談窓口の運営", "人材育成研修の実施", "合同就職面接会の開催",
    "工場見学ツアーの実施", "ものづくり体験教室の開催", "事業承継に関する個別相談の実施",
    "地元企業の技術の紹介", "見本市への共同出展",
)
ACTIVITIES_SUPPORT = (
    "展示会への出展支援", "ＥＣサイトの構築支援", "新製品開発への助成", "商店街イベントへの支援",
    "設備の導入への助成", "海外見本市への出展支援",
)
ACTIVITY_QUALIFIERS = ("オンライン開催を含む", "年4回", "中小企業診断士による", "新規")
CLAUSES = (
    "{area}の中小企業の販路の拡大と新たな事業展開を支援する",
    "商工会議所や金融機関と連携し、{area}事業者の経営課題の解決を図る",
    "{area}事業者のデジタル技術の導入による業務の効率化を支援する",
    "創業希望者に対する相談から資金調達までの一貫した支援を行う",
    "後継者不足による廃業を防ぐため、円滑な事業承継を支援する",
    "大学や研究機関と{area}企業との共同研究を促進し、新製品の開発を支援する",
    "物価高騰などの経営環境の変化に対応するため、{area}事業者の経営改善を支援する",
    "地域の支援機関のネットワークを活用し、{area}事業者への伴走支援の体制を強化する",
    "人手不足に対応するため、{area}企業の人材の確保と育成を支援する",
    "{area}事業者の新たな販路の開拓と海外展開を後押しする",
)
OVERVIEW_1 = (
    "{m}は、古くから製造業が集積し、多くの町工場が立地する地域である。",
    "{m}は、都心への交通の便に恵まれた住宅都市であり、商店街が住民の生活を支えている。",
    "{m}は、豊かな自然環境と観光資源を有し、観光業と農林業が地域の経済を支えている。",
    "{m}には、大学や研究機関が立地するとともに、先端技術を有する中小企業が集積している。",
    "{m}は、幹線道路沿いに物流拠点や工業団地が立地し、多様な産業が営まれている。",
)
OVERVIEW_2 = (
    "一方で、{area}事業者の多くは小規模事業者であり、後継者不足や人手不足が課題となっている。",
    "しかし、原材料価格の高騰や消費行動の変化により、{area}事業者を取り巻く環境は厳しさを増している。",
    "近年は、事業所数の減少が続いており、新たな担い手の確保が求められている。",
    "",
)
OVERVIEW_3 = (
    "このため、関係機関との連携による支援体制を強化し、{area}産業の持続的な発展を目指す。",
    "そこで、創業の促進と経営基盤の強化を一体的に進めることにより、地域経済の活性化を図る。",
    "こうした状況を踏まえ、事業者の自己変革への挑戦を後押しし、地域産業の成長を目指す。",
    "これらの取組を通じて、にぎわいと活力のあるまちの実現を目指す。",
)
CAPTION_SUBJECTS = (
    "区内企業による展示会", "創業セミナー", "商店街のイベント", "ものづくり体験教室", "工場見学会",
    "ビジネス交流会", "産業まつり", "合同企業説明会", "技術相談会", "特産品の販売会",
)
CAPTION_SCENES = ("商店街", "工業団地", "駅前の商業地", "伝統工芸の工房", "朝市", "産業交流拠点")
CAPTION_THINGS = ("町工場の製品", "地域ブランドの認定商品", "伝統工芸品", "新たに開発された特産品")
CONTACTS = (
    ["（問合せ先）", "産業労働局商工部地域産業振興課", "電話　03-5320-4785"],
    ["【問合せ先】", "産業労働局 商工部 地域産業振興課", "電話 03-5320-4786"],
    ["問合せ先：産業労働局商工部地域産業振興課　電話 03-5320-4785"],
    ["問合せ先", "産業労働局商工部地域産業振興課", "電話番号　03-5320-4787"],
)
DOC_TITLES = {
    "katsuseika": ("【承認した地域産業活性化計画の概要】", "承認した地域産業活性化計画の概要"),
    "kiban": ("承認した地域産業基盤強化計画の概要", "【承認した地域産業基盤強化計画の概要】"),
}
TITLE_TAILS = {
    "kiban": ("ものづくり産業基盤強化計画", "産業基盤強化計画"),
    "katsuseika": ("地域産業活性化計画", "地域産業活性化計画", "産業振興プラン", "ものづくり産業振興計画",
                   "地域産業活性化プラン", "商工業振興計画"),
}
ERAS = ("2012", "2015", "reiwa", "2025")
MARKER_FORMS = ("(1)", "（１）", "⑴", "①", "1.", "1 ")
MARKER_FAMILY = {"(1)": "paren", "（１）": "paren", "⑴": "paren", "①": "circled", "1.": "digit", "1 ": "digit"}
BULLETS = ("", "■", "◆", "●", "1 ", "1.", "（1）")
BULLET_FAMILY = {"1 ": "digit", "1.": "digit", "（1）": "paren"}

FW = str.maketrans("0123456789", "０１２３４５６７８９")
KANJI = "〇一二三四五六七八九"


def kanji(n: int) -> str:
    tens, ones = divmod(n, 10)
    return ("" if tens == 0 else ("十" if tens == 1 else KANJI[tens] + "十")) + (KANJI[ones] if ones else "")


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


# --------------------------------------------------------------------------- municipalities


@dataclass(frozen=True)
class Municipality:
    code: str
    name: str

    @property
    def area(self) -> str:
        """区内 / 市内 / 町内 / 村内."""
        return self.name[-1] + "内"


def municipalities() -> list[Municipality]:
    out = []
    with MUNICIPALITIES_CSV.open(encoding="utf-8") as fh:
        for row in csv.reader(line for line in fh if not line.startswith("#")):
            if len(row) >= 4 and row[1] == "東京都" and row[3] != "都道府県":
                out.append(Municipality(row[0], row[2]))
    return out


# --------------------------------------------------------------------------- the document model


@dataclass
class Line:
    text: str  # as written ("" for a blank line)
    role: str  # blank | title | text | head | marker | body | caption | page (page and web furniture)
    plan: int  # plan index, -1 outside plans


@dataclass
class Announcement:
    seed: int
    pdf: bool
    lines: list[Line]
    expected: dict
    parts: dict = field(default_factory=dict)  # what was drawn, for messages

    @property
    def text(self) -> str:
        return "\n".join(ln.text for ln in self.lines) + "\n"


class Builder:
    def __init__(self) -> None:
        self.lines: list[Line] = []

    def add(self, text: str, role: str, plan: int = -1) -> Line:
        assert text.strip() and "\n" not in text, text
        self.lines.append(Line(text, role, plan))
        return self.lines[-1]

    def blank(self, n: int = 1, whitespace: bool = False) -> None:
        for _ in range(n):
            self.lines.append(Line(" " if whitespace else "", "blank", -1))

    def ensure_blank(self) -> None:
        if self.lines and self.lines[-1].role != "blank":
            self.blank()


# --------------------------------------------------------------------------- parts


ERA_START = {"平成": 1988, "令和": 2018}  # 平成1 = 1989, 令和1 = 2019


def era_of(year: int) -> str:
    return "平成" if year <= 2018 else "令和"


def period_part(rng: random.Random, start: int, end: int, era: str, free: bool) -> tuple[str, str, str]:
    """(written period expression, expected period_raw, what was drawn). A plan written before 2019 names
    its later years in 平成 too (平成29年度～平成31年度), or, written later, in 令和."""
    e_start = era_of(start)
    e_end = e_start if e_start == "平成" and rng.random() < 0.7 else era_of(end)
    same_era = e_start == e_end
    forms = ["full", "short_end", "compact", "kara"] if same_era else ["full", "kara"]
    weights = {"full": 5, "short_end": 2, "compact": 2, "kara": 2}
    if era == "2012" and "compact" in forms and not free:
        form = rng.choice(["compact", "compact", "full"])
    else:
        form = rng.choices(forms, [weights[f] for f in forms])[0]
    digits = rng.choices(["ascii", "fullwidth", "kanji"], [6, 2, 1])[0]
    sep = rng.choice(["～", "〜", "~"]) if form != "kara" else ""
    if era == "2012" and not free:
        sep = "~" if form != "kara" else ""
    gan = rng.random() < 0.5  # 令和元年度 rather than 令和1年度

    def num(year: int, era_name: str, style: str) -> str:
        n = year - ERA_START[era_name]
        if n == 1 and gan:
            return "元"
        return kanji(n) if style == "kanji" else (str(n).translate(FW) if style == "fullwidth" else str(n))

    def render(style: str, s: str) -> str:
        e1, e2 = e_start, e_end
        a, b = num(start, e1, style), num(end, e2, style)
        if form == "full":
            return f"{e1}{a}年度{s}{e2}{b}年度"
        if form == "short_end":
            return f"{e1}{a}年度{s}{b}年度"
        if form == "compact":
            return f"{e1}{a}{s}{b}年度"
        return f"{e1}{a}年度から{e2}{b}年度まで"

    drawn = f"{form}/{digits}/{sep or '-'}" + ("" if same_era else "/two eras") + ("/元" if gan and "元" in render(
        digits, sep) else "")
    return render(digits, sep), render("kanji" if digits == "kanji" else "ascii", "〜"), drawn


@dataclass
class Part:
    kind: str  # title | muni | period
    text: str
    bracketed: bool


def header_lines(style: dict, idx: int, muni: Municipality, title: str, period: str) -> list[str]:
    """The header's lines (without blank lines)."""
    open_t, close_t = style["title_brackets"]
    parts = [Part("title", open_t + title + close_t, bool(open_t))]
    if style["muni"] == "paren":
        parts.append(Part("muni", f"（{muni.name}）", True))
    elif style["muni"] == "ascii_paren":
        parts.append(Part("muni", f"({muni.name})", True))
    elif style["muni"] == "bare":
        parts.append(Part("muni", muni.name, False))
    open_p, close_p = style["period_brackets"]
    label = style["period_label"]
    parts.append(Part("period", open_p + label + period + close_p, bool(open_p) or bool(label)))
    by = {p.kind: p for p in parts}
    order = style["order"] if len(parts) == 3 else [k for k in style["order"] if k in by]
    ordered = [by[k] for k in order]
    groups = style["groups"] if len(ordered) == 3 else min(style["groups"], 2)
    # Consecutive slices of the parts, one per line.
    if groups == 1:
        cuts = [ordered]
    elif groups == 2:
        k = style["cut"] if len(ordered) == 3 else 1
        cuts = [ordered[:k], ordered[k:]]
    else:
        cuts = [[p] for p in ordered]
    lines = []
    for n, group in enumerate(cuts):
        text = ""
        for i, part in enumerate(group):
            if i:
                sep = style["sep"]
                if sep == "" and not (group[i - 1].bracketed or part.bracketed):
                    sep = " "  # two unbracketed parts are never run together
                text += sep
            text += part.text
        prefix = style["indent"]
        if n == 0 and style["bullet"]:
            bullet = style["bullet"]
            if bullet in ("1 ", "1."):
                bullet = bullet.replace("1", str(idx + 1))
            elif bullet == "（1）":
                bullet = f"（{idx + 1}）"
            prefix += bullet + ("" if bullet.endswith(" ") else style["bullet_sep"])
        lines.append(prefix + text)
    return lines


def header_style(rng: random.Random, era: str, free: bool, marker_form: str) -> dict:
    """How one plan's header is written."""
    s: dict = {}
    if era == "2012" and not free:
        s["title_brackets"] = ("「", "」")
        s["muni"] = rng.choice(["ascii_paren", "paren"])
        s["period_brackets"], s["period_label"] = ("【", "】"), rng.choice(["計画期間:", "計画期間："])
        s["order"], s["groups"], s["sep"], s["indent"], s["bullet"] = ["title", "muni", "period"], 1, "", "", ""
        s["bullet_sep"], s["cut"] = "", 2
        return s
    s["title_brackets"] = rng.choices([("「", "」"), ("『", "』"), ("【", "】"), ("", "")],
                                      [6, 2, 2, 3])[0]
    s["muni"] = rng.choices(["paren", "bare", "none"], [6, 2, 2])[0]
    if s["muni"] == "bare" and not s["title_brackets"][0] and rng.random() < 0.5:
        s["title_brackets"] = ("『", "』")
    s["period_brackets"] = rng.choices([("【", "】"), ("（", "）"), ("〔", "〕"), ("", "")], [6, 2, 1, 2])[0]
    s["period_label"] = rng.choices(["計画期間：", "計画期間:", "計画期間　", "計画期間 ", ""], [5, 2, 1, 1, 2])[0]
    if s["period_label"].endswith((" ", "　")) and not s["period_brackets"][0]:
        s["period_label"] = "計画期間："  # a label and a bare period are kept apart by a colon
    orders = [(["title", "muni", "period"], 12), (["muni", "title", "period"], 4),
              (["title", "period", "muni"], 2), (["period", "title", "muni"], 1), (["muni", "period", "title"], 1)]
    s["order"] = rng.choices([o for o, _ in orders], [w for _, w in orders])[0]
    if s["order"][0] == "muni" and s["muni"] == "bare" and s["order"][1] != "title":
        s["order"] = ["muni", "title", "period"]  # a bare municipality stands next to the title
    present = [k for k in s["order"] if k != "muni" or s["muni"] != "none"]
    period_first = present[0] == "period"
    if period_first and not (s["period_brackets"][0] and s["period_label"]):
        s["period_brackets"], s["period_label"] = ("【", "】"), "計画期間："  # a period first is labelled
    s["groups"] = rng.choices([1, 2, 3], [6, 3, 1])[0]
    s["cut"] = rng.choice([1, 2])
    s["sep"] = rng.choices(["", " ", "　", "　　", "  "], [3, 4, 3, 1, 1])[0]
    s["indent"] = rng.choices(["", "　", "  ", "　　"], [6, 2, 1, 1])[0] if era != "2015" or free else \
        rng.choice(["　", "　　", "  "])
    if era == "2015" and not free:
        s["sep"] = rng.choice([" ", "　"])
    bullets = [b for b in BULLETS if BULLET_FAMILY.get(b) != MARKER_FAMILY[marker_form]]
    s["bullet"] = rng.choices(bullets, [{"": 6, "■": 2, "◆": 2, "●": 2}.get(b, 1) for b in bullets])[0]
    if s["bullet"] and period_first:
        s["bullet"] = ""  # a bullet or a plan number heads a title or a municipality
    s["bullet_sep"] = rng.choice(["", " ", "　"])
    return s


def marker(form: str, n: int, rng_space: str) -> str:
    if form == "(1)":
        return f"({n})" + rng_space
    if form == "（１）":
        return f"（{str(n).translate(FW)}）" + rng_space
    if form == "⑴":
        return chr(0x2474 + n - 1) + (rng_space or " ")
    if form == "①":
        return chr(0x2460 + n - 1) + (rng_space or " ")
    if form == "1.":
        return f"{n}." + rng_space
    if rng_space == "　":  # １　label: full-width digit and space
        return f"{str(n).translate(FW)}　"
    return f"{n} "


def other_label(form: str) -> tuple[str, str]:
    """The written '(1)、(2)以外の取組' in a plan's marker style, and its expected label."""
    if form == "（１）":
        return "（１）、（２）以外の取組", "(1)、(2)以外の取組"
    if form == "①":
        return "①、②以外の取組", "①、②以外の取組"
    if form in ("1.", "1 "):
        return "1、2以外の取組", "1、2以外の取組"
    return "(1)、(2)以外の取組", "(1)、(2)以外の取組"


def program_pool(rng: random.Random) -> list[str]:
    names = {t + rng.choice(PROGRAM_NOUNS) for t in TOPICS} | set(WHOLE_PROGRAMS)
    names = sorted(names)
    rng.shuffle(names)
    return names


@dataclass
class Item:
    raw: str  # the name as written
    qualifier: str | None = None  # as written

    def written(self, paren: tuple[str, str]) -> str:
        return self.raw + (paren[0] + self.qualifier + paren[1] if self.qualifier else "")

    def expected(self, line: int) -> dict:
        return {"program_name": nfkc(self.raw), "qualifier": nfkc(self.qualifier) if self.qualifier else None,
                "program_name_raw": self.raw, "line": line}


def program_items(rng: random.Random, pool: list[str], k: int, last_qualified: bool) -> list[Item]:
    """k names; sometimes one with a qualifier, on the last item only if last_qualified (a
    qualifier ending a bare list would read as a parenthesized list, and one before 等 is odd)."""
    items = [Item(pool.pop()) for _ in range(k)]
    if rng.random() < 0.3:
        candidates = items if last_qualified else items[:-1]
        if candidates:
            rng.choice(candidates).qualifier = rng.choice(QUALIFIERS)
    return items


def activity_items(rng: random.Random, k: int) -> list[Item]:
    plain = rng.sample(ACTIVITIES_PLAIN, rng.randint(1, min(k, 3)))
    support = rng.sample(ACTIVITIES_SUPPORT, k - len(plain))
    phrases = plain + support
    rng.shuffle(phrases)
    items = [Item(p) for p in phrases]
    if rng.random() < 0.3:  # never on the last item (see program_items)
        rng.choice(items[:-1]).qualifier = rng.choice(ACTIVITY_QUALIFIERS)
    return items


def caption(rng: random.Random, pool: list[str]) -> str:
    kind = rng.choices(["scene", "landscape", "thing", "program"], [5, 2, 2, 1])[0]
    if kind == "scene":
        text = rng.choice(CAPTION_SUBJECTS) + "の様子"
    elif kind == "landscape":
        text = rng.choice(CAPTION_SCENES) + "の風景"
    elif kind == "thing":
        text = rng.choice(CAPTION_THINGS)
    else:
        text = rng.choice(CAPTION_SUBJECTS) + "の様子（" + rng.choice(TOPICS) + "事業）"
    return text


# --------------------------------------------------------------------------- the generator


def generate(seed: int, pdf: bool = False) -> Announcement:
    """One announcement. ``pdf``: the variant to be rendered as a PDF: the same document
    without the page numbers, running headers and web furniture written into the text (a PDF
    layout draws its own page furniture)."""
    rng = random.Random(seed)
    era = rng.choice(ERAS)
    free = lambda: rng.random() < 0.3  # noqa: E731  (re-draw a part outside its generation's habits)
    b = Builder()
    parts: dict = {"era": era}

    n_plans = rng.choices([1, 2, 3, 4, 5, 6], [1, 3, 4, 3, 2, 1])[0]
    munis = rng.sample(municipalities(), n_plans)
    family = "kiban" if era == "2012" else "katsuseika"
    start_year = {"2012": (2012, 2014), "2015": (2015, 2017), "reiwa": (2019, 2024), "2025": (2025, 2027)}[era]

    # Furniture habits of the document: a press release saved from the web (breadcrumbs,
    # ページの先頭へ戻る), or text taken from the PDF attachment (別紙, page numbers).
    web = era == "2012" or rng.random() < 0.1
    page_furniture = not web and rng.random() < (0.7 if era == "2025" else 0.25)
    page_style = rng.choice(["－{fw}－", "- {n} -", "{n}/{total}", "－ {fw} －"])
    running = rng.random() < (0.8 if era == "2025" else 0.4)
    back_to_top = rng.random() < (0.5 if web else 0.1)
    contact = rng.random() < 0.5
    parts.update(page_furniture=page_furniture and not pdf, back_to_top=back_to_top and not pdf, contact=contact)

    if rng.random() < 0.3:
        b.blank()
    # Front matter.
    if not web and (era == "2015" or rng.random() < 0.2):
        b.add(rng.choice(["〔別紙〕", "別紙"]), "text")
        b.blank()
    if web:
        names = [m.name for m in munis]
        listed = names[0] if len(names) == 1 else "、".join(names[:-1]) + "及び" + names[-1]
        year = rng.choice(range(start_year[0], start_year[1] + 1))
        b.add("トップページ > 報道発表 > 産業労働局", "text")
        b.add("ここから本文です。", "text")
        b.blank()
        b.add(f"報道発表資料　{year}年3月13日　産業労働局", "text")
        b.blank()
        programme = {"2012": "ものづくり産業集積強化支援事業", "2015": "産業集積活性化支援事業"}.get(era, "地域産業成長支援事業")
        b.add(f"{programme}の支援対象を決定", "text")
        b.blank()
        b.add(f"東京都は、{listed}の取組を支援対象として決定しました。", "text")
        b.blank()
    title_line = rng.choice(DOC_TITLES[family])
    b.add(title_line, "title")
    document_title = title_line.strip("【】")
    b.blank(rng.choice([1, 1, 2]))
    if rng.random() < 0.3:
        b.add("東京都は、区市町村が地域の実情に応じて行う産業振興の取組を支援しています。"
              "支援の対象とした取組の概要は次のとおりです。", "text")
        b.blank()

    page_lines: list[Line] = []  # page numbers, filled in at the end

    def page_break() -> None:
        if not page_furniture or rng.random() > 0.35:
            return
        b.ensure_blank()
        page_lines.append(b.add("PAGE", "page"))
        b.blank()
        if running:
            b.add(rng.choice(["別紙", "〔別紙〕"]) if era != "2025" else "別紙", "page")
            b.blank()

    doc_marker = rng.choice(MARKER_FORMS)
    if era == "2015":
        doc_marker = "1 "
    elif era in ("reiwa", "2025") and rng.random() < 0.6:
        doc_marker = "(1)"
    doc_header = None
    expected_plans = []
    for idx, muni in enumerate(munis):
        pool = program_pool(rng)  # names recur across plans, never within one
        marker_form = doc_marker if rng.random() < 0.8 else rng.choice(MARKER_FORMS)
        if doc_header is None or rng.random() < 0.3:
            style = header_style(rng, era, free(), marker_form)
            if doc_header is None:
                doc_header = style
        else:
            style = dict(doc_header)
        if BULLET_FAMILY.get(style["bullet"]) == MARKER_FAMILY[marker_form]:
            style["bullet"] = ""
        if idx:
            page_break()
            b.ensure_blank()
        # Title and period.
        tail = rng.choice(TITLE_TAILS[family] if not free() else TITLE_TAILS["katsuseika"] + TITLE_TAILS["kiban"])
        title = muni.name + tail
        if rng.random() < 0.2:
            n = str(rng.randint(2, 4))
            title += rng.choice([f"（第{n}期）", f"（第{n.translate(FW)}期）", f"(第{n}期)"])
        start = rng.randint(*start_year)
        end = start + rng.choices([2, 2, 2, 2, 1, 3, 4])[0]
        period, period_raw, period_drawn = period_part(rng, start, end, era, free())
        heads = header_lines(style, idx, muni, title, period)
        blank_inside = len(heads) == 2 and rng.random() < 0.2
        for k, text in enumerate(heads):
            if k and blank_inside:
                b.blank()
            b.add(text, "head", idx)
        b.blank()

        # Overview and the captions before the measures.
        captions: list[str] = []
        # Every plan has its overview (a plan without one is partial, by design).
        overview = rng.choice(OVERVIEW_1) + rng.choice(OVERVIEW_2) + rng.choice(OVERVIEW_3)
        b.add(overview.format(m=muni.name, area=muni.area), "text", idx)
        b.blank(rng.choice([1, 1, 1, 3]))
        caption_lines(rng, b, pool, idx, rng.choices([0, 1, 2], [5, 3, 2])[0], captions)

        # Measures.
        label_kind = {"2012": ["standard", "own"], "2015": ["own"], "reiwa": ["standard"],
                      "2025": ["aims", "standard"]}[era]
        label_kind = rng.choice(label_kind if not free() else ["standard", "aims", "own", "mixed"])
        if label_kind == "own":
            labels = [(lab, lab, None) for lab in rng.sample(OWN_LABELS, rng.randint(2, 4))]
        else:
            first = (LABEL_1, LABEL_2) if label_kind != "aims" else (AIM_1, AIM_2)
            second = first[1] if label_kind != "mixed" else rng.choice(OWN_LABELS)
            labels = [(first[0], first[0], first[0]),
                      (second, second, second if label_kind != "mixed" else None)]
            if rng.random() < 0.85:
                written, exp = other_label(marker_form)
                labels.append((written, exp, LABEL_3))
        space = rng.choice([" ", " ", "　", ""]) if marker_form not in ("1 ",) else rng.choice([" ", " ", "　"])
        measures = []
        for n, (written, exp_label, canonical) in enumerate(labels, start=1):
            if n > 1:
                page_break()
                b.ensure_blank()
            gap = space or (" " if written[0].isdigit() else "")  # never "3.1、2以外の取組"
            b.add(marker(marker_form, n, gap) + written, "marker", idx)
            if rng.random() < 0.85:
                b.blank(1, whitespace=rng.random() < 0.1)
            last = n == len(labels)
            kind = list_kind(rng, era, canonical == LABEL_3, rng.random() < 0.1)
            closer = rng.choices(["", "等", "など"], [6, 2, 1] if kind != "activities" else [2, 5, 2])[0]
            if kind == "activities":
                items = activity_items(rng, rng.randint(2, 4))
                body = "、".join(it.written(("（", "）")) for it in items) + closer
            elif kind == "bare":
                items = program_items(rng, pool, rng.randint(1, 4), last_qualified=False)
                body = "、".join(it.written(("（", "）")) for it in items) + closer
            else:
                paren = ("（", "）") if rng.random() < 0.85 else ("(", ")")
                items = program_items(rng, pool, rng.randint(1, 4), last_qualified=not closer)
                clause = rng.choice(CLAUSES).format(area=muni.area)
                body = clause + paren[0] + "、".join(it.written(paren) for it in items) + closer + paren[1]
            body_line = b.add(body, "body", idx)
            measures.append({
                "category_no": n, "category_label": exp_label, "category_label_canonical": canonical,
                "list_kind": kind, "programs": [(it, body_line) for it in items],
            })
            if last and rng.random() < 0.4:
                b.blank(rng.choice([1, 1, 2]))
                caption_lines(rng, b, pool, idx, rng.choice([1, 1, 2]), captions)
        if back_to_top:
            b.ensure_blank()
            b.add("ページの先頭へ戻る", "page")
        b.ensure_blank()
        parts.setdefault("plans", []).append({
            "title": (style["title_brackets"][0] or "none") + ("/edition" if "期" in title else ""),
            "tail": tail, "muni": style["muni"], "order": "-".join(style["order"]), "lines": len(heads),
            "blank_inside": blank_inside, "period": period_drawn,
            "period_brackets": style["period_brackets"][0] or "none", "period_label": style["period_label"] or "none",
            "sep": repr(style["sep"]), "indent": bool(style["indent"]), "bullet": style["bullet"] or "none",
            "marker": marker_form, "labels": label_kind, "kinds": [m["list_kind"] for m in measures],
            "captions": len(captions)})
        expected_plans.append({
            "municipality": muni.name, "municipality_code": muni.code, "plan_title": nfkc(title),
            "period_raw": period_raw, "period_start_fy": start, "period_end_fy": end,
            "captions": [nfkc(c) for c in captions], "measures": measures,
        })

    if contact:
        b.ensure_blank()
        for text in rng.choice(CONTACTS):
            b.add(text, "text")
    if page_furniture and page_lines:
        b.ensure_blank()
        page_lines.append(b.add("PAGE", "page"))
    for n, ln in enumerate(page_lines, start=1):
        ln.text = page_style.format(n=n, fw=str(n).translate(FW), total=len(page_lines))
    lines = b.lines
    if pdf:
        # Drop the written-in page furniture and the blank lines left around it; and give each
        # caption its own paragraph (in a PDF, two stacked caption lines in one paragraph, the
        # first as wide as the caption column, cannot be told from one wrapped caption).
        kept: list[Line] = []
        for ln in lines:
            if ln.role == "page" or (ln.role == "blank" and kept and kept[-1].role == "blank"):
                continue
            if ln.role == "caption" and kept and kept[-1].role == "caption":
                kept.append(Line("", "blank", -1))
            kept.append(ln)
        lines = kept
    while lines and lines[-1].role == "blank":
        lines.pop()
    number = {id(ln): no for no, ln in enumerate(lines, start=1)}
    for plan in expected_plans:
        for m in plan["measures"]:
            m["programs"] = [it.expected(number[id(ln)]) for it, ln in m["programs"]]
    expected = {"document_title": document_title, "plans": expected_plans, "status": "ok"}
    return Announcement(seed, pdf, lines, expected, parts)


def caption_lines(rng: random.Random, b: Builder, pool: list[str], idx: int, n: int, captions: list[str]) -> None:
    """n caption lines (one paragraph, or one paragraph each), then a blank line."""
    seen = set(captions)
    for k in range(n):
        text = caption(rng, pool)
        while text in seen:
            text = caption(rng, pool)
        seen.add(text)
        if k and rng.random() < 0.5:
            b.blank()
        b.add(text, "caption", idx)
        captions.append(text)
    if n:
        b.blank()


def list_kind(rng: random.Random, era: str, other: bool, free: bool) -> str:
    if free:
        return rng.choice(["parenthesized", "bare", "activities"])
    if era == "2015":
        return rng.choices(["activities", "parenthesized"], [7, 3])[0]
    if other:
        return rng.choices(["bare", "parenthesized"], [8, 2])[0]
    return rng.choices(["parenthesized", "bare", "activities"], [12, 1, 1])[0]


# --------------------------------------------------------------------------- PDF


class AmbiguousLayout(ValueError):
    """The layout put a hard line break where a reader must take it for a wrap."""


def render_pdf(ann: Announcement, path: Path, layout_name: str = "a") -> None:
    """Lay the announcement out with tests/fixtures/make_variant_pdfs.py (layout a, b or c),
    each source line starting a new line, and write the PDF."""
    fixtures = str(HERE / "fixtures")
    if fixtures not in sys.path:
        sys.path.insert(0, fixtures)
    import make_variant_pdfs as mvp

    paras: list = []
    cur: list = []
    for no, ln in enumerate(ann.lines, start=1):
        if ln.role == "blank":
            if cur:
                paras.append(mvp.Para(cur))
                cur = []
            continue
        cur.append(mvp.SrcLine(no, ln.text, ln.role, ln.plan))
    if cur:
        paras.append(mvp.Para(cur))
    firsts = {}
    for ln in ann.lines:
        if ln.role == "head" and ln.plan not in firsts:
            firsts[ln.plan] = ln.text

    class PlanStart:
        """make_variant_pdfs finds a plan's first paragraph by a regex on 「…計画」 headers;
        here the generator knows the header lines."""

        starts = set(firsts.values())

        def match(self, text: str) -> bool:
            return text in self.starts

    lay = mvp.LAYOUTS_BY_NAME[layout_name]
    saved = mvp.PLAN_START
    mvp.PLAN_START = PlanStart()
    try:
        sheet = mvp.layout(paras, lay)
    finally:
        mvp.PLAN_START = saved
    analysis = mvp.analyse(paras, sheet, lay)
    if analysis.ambiguous:
        raise AmbiguousLayout(f"seed {ann.seed}, layout {layout_name}: a hard line break looks like a wrap "
                         f"({analysis.ambiguous}); choose another seed")
    mvp.render(sheet, path, mvp.FURNITURE[layout_name], f"generated announcement, seed {ann.seed}")


# --------------------------------------------------------------------------- command line


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("seed", type=int)
    ap.add_argument("--pdf", action="store_true", help="the variant generated for PDF rendering")
    ap.add_argument("--render", type=Path, metavar="OUT.pdf", help="also write it as a PDF (implies --pdf)")
    ap.add_argument("--layout", choices=("a", "b", "c"), default="a")
    args = ap.parse_args(argv)
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `... | head` ends quietly
    ann = generate(args.seed, pdf=args.pdf or bool(args.render))
    sys.stdout.write(ann.text)
    print("\n" + "=" * 72)
    print(json.dumps(ann.expected, ensure_ascii=False, indent=1))
    if args.render:
        render_pdf(ann, args.render, args.layout)
        print(f"wrote {args.render}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
