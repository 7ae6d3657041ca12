"""``python -m pipeline show WHAT``: plans as trees, and ``list``: every plan on one line, read
back from the Parquet tables.

Reads the output, not the source: what it prints is what a user of the tables gets.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import NotFoundError, UnreadableTableError, one_line

TABLES = ("plans", "measures", "programs", "captions")


def show_plan(out_dir: str | Path, what: str) -> str:
    """The plans ``what`` names: a plan_id, a doc_id (all its plans) or a municipality as
    written in plans.municipality (all its plans), each as a tree."""
    plans = _find_plans(out_dir, what)
    return "\n\n".join("\n".join(_plan_tree(out_dir, plan)) for plan in plans)


def list_plans(out_dir: str | Path) -> str:
    """Every plan, one tab-separated line each: id, municipality, period, source file."""
    plans = _read(out_dir, "plans", columns=["plan_id", "doc_id", "municipality", "period_raw"])
    sources = _sources(out_dir)
    lines = ["\t".join(("plan_id", "municipality", "period", "source"))]
    for p in plans:
        fields = (p["plan_id"], p["municipality"] or "", p["period_raw"] or "", sources.get(p["doc_id"], ""))
        # A tab or line break in a file name would split the line: written as \t, \n.
        lines.append("\t".join(one_line(f).replace("\t", "\\t") for f in fields))
    return "\n".join(lines)


def _find_plans(out_dir: str | Path, what: str) -> list[dict]:
    for column in ("plan_id", "doc_id", "municipality"):
        plans = _read(out_dir, "plans", filters=[(column, "=", what)])
        if plans:
            return plans
    raise NotFoundError(_not_found(out_dir, what))


def _plan_tree(out_dir: str | Path, plan: dict) -> list[str]:
    rows = {name: read_plan_rows(out_dir, name, plan["plan_id"]) for name in TABLES[1:]}
    lines = tree(plan, rows["measures"], rows["programs"], rows["captions"])
    lines.insert(3, f"  出典  {_sources(out_dir).get(plan['doc_id'], '(不明)')}  {_where(out_dir, plan)}")
    return lines


def _where(out_dir: str | Path, plan: dict) -> str:
    """Pages for a PDF plan (from its lines), else its lines."""
    pages = [r["page"] for r in _read(out_dir, "lines", columns=["page"], filters=[("plan_id", "=", plan["plan_id"])])
             if r["page"] is not None]
    if pages:
        first, last = min(pages), max(pages)
        return f"ページ {first}" if first == last else f"ページ {first}–{last}"
    return f"行 {plan['line_start']}–{plan['line_end']}"


def _sources(out_dir: str | Path) -> dict[str, str]:
    return {d["doc_id"]: d["source_path"] for d in _read(out_dir, "documents", columns=["doc_id", "source_path"])}


def _read(out_dir: str | Path, table: str, columns=None, filters=None) -> list[dict]:
    import pyarrow as pa
    import pyarrow.parquet as pq  # heavy: only when plans are shown

    path = Path(out_dir) / f"{table}.parquet"
    if not path.exists():
        raise NotFoundError(f"{path}: no such table (run `python -m pipeline run --out {out_dir}` first)")
    try:
        # Bytes Python read: pyarrow would encode the path as UTF-8, which a folder name that is
        # not (bytes kept as surrogates) cannot be. Read into memory, not through the Python file:
        # pyarrow's reader threads calling back into a Python file could abort the process at exit
        # ("terminate called without an active exception", about one run in eight).
        with open(path, "rb") as fh:
            data = pa.BufferReader(fh.read())
        # ParquetFile, not read_table: read_table goes through pyarrow.dataset, whose thread pool
        # could abort the process at its exit; the filters are equalities, applied here.
        wanted = None if columns is None else list(dict.fromkeys([*columns, *(f[0] for f in filters or ())]))
        rows = pq.ParquetFile(data).read(columns=wanted, use_threads=False).to_pylist()
        for column, op, value in filters or ():
            keep = set(value) if op == "in" else {value}
            rows = [r for r in rows if r.get(column) in keep]
        return rows if columns is None else [{c: r[c] for c in columns} for r in rows]
    except (OSError, pa.ArrowException) as exc:  # damaged, cut short, or not the pipeline's
        raise UnreadableTableError(f"{path}: cannot read the table: {one_line(str(exc))}") from None


def read_plan_rows(out_dir: str | Path, table: str, plan_id: str) -> list[dict]:
    return _read(out_dir, table, filters=[("plan_id", "=", plan_id)])


def _not_found(out_dir: str | Path, what: str) -> str:
    path = Path(out_dir) / "plans.parquet"
    ids = [r["plan_id"] for r in _read(out_dir, "plans", columns=["plan_id"])]
    if not ids:
        return f"plan {what!r} not found: {path} has no plans"
    return (f"plan {what!r} not found in {path} (not a plan_id, doc_id or municipality there; {len(ids)} "
            f"plans, e.g. {ids[0]}; `python -m pipeline list --out {out_dir}` lists them)")


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
        by_measure.setdefault(p["measure_id"], []).append(p)
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
