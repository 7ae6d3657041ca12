"""``python -m pipeline show PLAN_ID``: one plan as a tree, read back from the Parquet tables.

Reads the output, not the source: what it prints is what a user of the tables gets.
"""

from __future__ import annotations

from pathlib import Path

from .errors import NotFoundError

TABLES = ("plans", "measures", "programs", "captions")


def show_plan(out_dir: str | Path, plan_id: str) -> str:
    rows = {name: read_plan_rows(out_dir, name, plan_id) for name in TABLES}
    if not rows["plans"]:
        raise NotFoundError(_not_found(out_dir, plan_id))
    return "\n".join(tree(rows["plans"][0], rows["measures"], rows["programs"], rows["captions"]))


def read_plan_rows(out_dir: str | Path, table: str, plan_id: str) -> list[dict]:
    import pyarrow.parquet as pq  # heavy: only when a plan is shown

    path = Path(out_dir) / f"{table}.parquet"
    if not path.exists():
        raise NotFoundError(f"{path}: no such table (run `python -m pipeline run --out {out_dir}` first)")
    return pq.read_table(path, filters=[("plan_id", "=", plan_id)]).to_pylist()


def _not_found(out_dir: str | Path, plan_id: str) -> str:
    import pyarrow.parquet as pq

    path = Path(out_dir) / "plans.parquet"
    ids = pq.read_table(path, columns=["plan_id"]).column("plan_id").to_pylist()
    if not ids:
        return f"plan {plan_id!r} not found: {path} has no plans"
    return f"plan {plan_id!r} not found in {path} ({len(ids)} plans, e.g. {ids[0]})"


def tree(plan: dict, measures: list[dict], programs: list[dict], captions: list[dict]) -> list[str]:
    """The plan as text lines: header, then measures with their programs, then captions."""
    out = [f"「{plan['plan_title'] or '(計画名なし)'}」  {plan['plan_id']}"]
    muni = " ".join(x for x in (plan.get("prefecture"), plan.get("municipality")) if x) or "(不明)"
    code = "・".join(x for x in (plan.get("municipality_code"), plan.get("municipality_kind")) if x)
    out.append(f"  市区町村  {muni}" + (f"（{code}）" if code else "（団体コードなし）"))
    out.append(f"  計画期間  {_period(plan)}")
    out.append(f"  取組 {len(measures)} ／ 事業 {len(programs)}")
    by_measure: dict[str, list[dict]] = {}
    for p in programs:
        by_measure.setdefault(p["program_id"].rsplit("-", 1)[0], []).append(p)  # measure_id + "-" + seq
    branches: list[tuple[str, list[str]]] = []
    for m in measures:  # table order is document order (ids sort m10 before m2)
        progs = sorted(by_measure.get(m["measure_id"], []), key=lambda p: p["seq"])
        leaves = [_program(p) for p in progs] or [f"(事業なし: {m['list_kind']})"]
        branches.append((f"{m['marker']} {m['category_label']}", leaves))
    if captions:
        branches.append(("キャプション", [c["text"] for c in sorted(captions, key=lambda c: c["line"])]))
    for k, (label, leaves) in enumerate(branches):
        last = k == len(branches) - 1
        out.append(("└── " if last else "├── ") + label)
        for j, leaf in enumerate(leaves):
            out.append(("    " if last else "│   ") + ("└── " if j == len(leaves) - 1 else "├── ") + leaf)
    return out


def _period(plan: dict) -> str:
    raw = plan.get("period_raw") or "(なし)"
    start, end = plan.get("period_start_fy"), plan.get("period_end_fy")
    if start is None:
        return raw
    return f"{raw}（{start}〜{end if end is not None else ''}年度）"


def _program(p: dict) -> str:
    text = p["program_name"]
    if p.get("qualifier"):
        text += f"（補足: {p['qualifier']}）"
    text += f"  [{p.get('program_kind') or '種別なし'}]"
    themes = p.get("themes") or []
    return text + (f"  {'、'.join(themes)}" if themes else "")
