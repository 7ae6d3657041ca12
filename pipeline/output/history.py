"""A municipality's plans over time and, per round, its programmes continued, changed, new and
dropped: ``python -m pipeline history MUNICIPALITY`` (text) and the report's timeline pages
(HTML), both read back from the tables (plans, program_links, the superseded_plan diagnostics).
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from pathlib import Path, PurePath

from ..errors import NotFoundError

# program_links.link in the groups a round is told in, in this order, with their words.
GROUPS = (("継続", "continued", ("same",)), ("変更", "changed", ("variant", "renamed")),
          ("新規", "new", ("new",)), ("廃止", "dropped", ("dropped",)))
PLAN_COLUMNS = ["plan_id", "doc_id", "plan_no", "municipality", "municipality_code", "plan_title",
                "period_raw", "period_start_fy", "period_end_fy", "predecessor_plan_id"]


@dataclass(frozen=True)
class Timeline:
    municipality: str
    code: str | None
    plans: list[dict]  # in period order, each with "source" and "superseded_by"
    rounds: list[tuple[dict, dict, list[dict]]]  # (predecessor plan, plan, its program_links rows)


def timelines(plans: list[dict], links: list[dict], superseded: dict[str, str],
              sources: dict[str, str]) -> list[Timeline]:
    """Every municipality's timeline, by municipality code (plans without one by name), in
    the order of the codes."""
    by_key: dict[str, list[dict]] = {}
    for p in plans:
        key = p.get("municipality_code") or f"~{p.get('municipality') or ''}"
        by_key.setdefault(key, []).append({**p, "source": sources.get(p["doc_id"], ""),
                                           "superseded_by": superseded.get(p["plan_id"])})
    rows: dict[str, list[dict]] = {}
    for r in links:
        rows.setdefault(r["plan_id"], []).append(r)
    out = []
    for key in sorted(by_key):
        group = sorted(by_key[key], key=_plan_order)
        ids = {p["plan_id"]: p for p in group}
        rounds = [(ids[p["predecessor_plan_id"]], p, rows.get(p["plan_id"], [])) for p in group
                  if p.get("predecessor_plan_id") in ids]
        out.append(Timeline(group[-1]["municipality"] or "(不明)", group[-1].get("municipality_code"), group, rounds))
    return out


def _plan_order(p: dict):
    start = p.get("period_start_fy")
    return (start is None, start or 0, p.get("period_end_fy") or 0, p.get("source") or "", p.get("plan_no") or 0)


def period(p: dict) -> str:
    start, end = p.get("period_start_fy"), p.get("period_end_fy")
    if start is None:
        return p.get("period_raw") or "(期間なし)"
    return f"{start}〜{end}年度" if end is not None and end != start else f"{start}年度"


def read_timeline(out_dir: str | Path, what: str) -> Timeline:
    """The timeline of the municipality ``what`` names: as written in plans.municipality, or
    its municipality_code."""
    from .show import _read, _sources

    plans = _read(out_dir, "plans", columns=PLAN_COLUMNS)
    wanted = [p for p in plans if what in (p["municipality"], p["municipality_code"])]
    if not wanted:
        names = sorted({p["municipality"] for p in plans if p["municipality"]})
        shown = "、".join(names[:10]) + (" …" if len(names) > 10 else "")
        raise NotFoundError(f"no plan of {what!r} in {Path(out_dir) / 'plans.parquet'} (municipalities there: "
                            f"{shown or 'none'})")
    codes = {p["municipality_code"] for p in wanted if p["municipality_code"]}
    mine = [p for p in plans if p["municipality_code"] in codes] if codes else wanted
    ids = [p["plan_id"] for p in mine]
    links = _read(out_dir, "program_links", filters=[("plan_id", "in", ids)])
    diags = _read(out_dir, "diagnostics", columns=["plan_id", "code", "message"],
                  filters=[("code", "=", "superseded_plan")])
    found = timelines(mine, links, superseded_by(diags), _sources(out_dir))
    return found[0]


def superseded_by(diagnostics: list[dict]) -> dict[str, str]:
    """plan_id -> the plan_id that stands for its round, from the superseded_plan diagnostics
    (their message names it first: 'overlaps that of plan <id>')."""
    out = {}
    for d in diagnostics:
        if d.get("code") == "superseded_plan" and d.get("plan_id") and "of plan " in (d.get("message") or ""):
            out[d["plan_id"]] = d["message"].split("of plan ", 1)[1].split(" ", 1)[0]
    return out


def history_text(t: Timeline) -> str:
    out = [f"{t.municipality}（{t.code or '団体コードなし'}）  計画 {len(t.plans)}"]
    for p in t.plans:
        line = f"  {period(p)}  「{p['plan_title'] or '(計画名なし)'}」  {p['plan_id']}  {p['source']}"
        if p["superseded_by"]:
            line += f"  (同じ回の {p['superseded_by']} に代わられた)"
        out.append(line)
    if not t.rounds:
        out.append("")
        out.append("前の回の計画がある計画なし")
    for pred, plan, rows in t.rounds:
        out.append("")
        out.append(f"{period(pred)} → {period(plan)}  ({pred['plan_id']} → {plan['plan_id']})")
        for ja, en, kinds in GROUPS:
            members = [r for r in rows if r["link"] in kinds]
            out.append(f"  {ja} ({en}) {len(members)}")
            out.extend(f"    {_item(r)}" for r in members)
    return "\n".join(out)


def _item(r: dict) -> str:
    if r["link"] == "same":
        return f"{r['program_name']}  [{r['basis']}]"
    if r["link"] in ("new", "dropped"):
        return r["program_name"] or r["predecessor_program_name"]
    review = "  要確認" if r.get("review") else ""
    return f"{r['predecessor_program_name']} → {r['program_name']}  [{r['link']}: {r['basis']}]{review}"


# --------------------------------------------------------------------------- HTML


def timeline_page_name(code: str | None) -> str | None:
    """``timeline-<code>.html`` for a six-digit code from the code list; nothing else becomes
    part of a file name."""
    return f"timeline-{code}.html" if code and len(code) == 6 and code.isascii() and code.isdigit() else None


def timeline_html(t: Timeline, head: str, nav: str) -> str:
    e = _e
    plans = "".join(
        f"<tr><td>{e(period(p))}</td><td>{e(p['plan_title'])}</td><td><code>{e(p['plan_id'])}</code></td>"
        f"<td>{e(PurePath(p['source']).name)}</td><td>{e(p['superseded_by'] and '同じ回の ' + p['superseded_by'] + ' に代わられた')}</td></tr>"
        for p in t.plans)
    body = [head, nav, f"<h1>{e(t.municipality)}（{e(t.code)}）の計画の推移</h1>\n",
            "<table><tr><th>計画期間</th><th>計画名</th><th>計画ID</th><th>入力ファイル</th><th>備考</th></tr>"
            + plans + "</table>\n"]
    for pred, plan, rows in t.rounds:
        body.append(f"<h2>{e(period(pred))} → {e(period(plan))}</h2>\n")
        for ja, en, kinds in GROUPS:
            members = [r for r in rows if r["link"] in kinds]
            body.append(f"<h3>{ja}（{en}）{len(members)}</h3>\n")
            if not members:
                continue
            body.append("<table><tr><th>前計画の事業名</th><th>事業名</th><th>対応</th><th>類似度</th><th>根拠</th></tr>"
                        + "".join(f"<tr><td>{e(r['predecessor_program_name'])}</td><td>{e(r['program_name'])}</td>"
                                  f"<td>{e(r['link'])}{' <b>要確認</b>' if r.get('review') else ''}</td>"
                                  f"<td class=\"n\">{e(r['score'])}</td><td>{e(r['basis'])}</td></tr>"
                                  for r in members) + "</table>\n")
    return "".join(body) + "</body>\n</html>\n"


def _e(value) -> str:
    return "" if value is None else escape(str(value), quote=True)
