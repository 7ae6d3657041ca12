"""The data dictionary (table, column, 日本語名, type, 説明, description) from tables.SCHEMA.

`python -m pipeline.output.dictionary` prints it as Markdown for the README.
"""

from __future__ import annotations

from ..tables import SCHEMA, TABLE_DESCRIPTIONS


def data_dictionary_rows() -> list[tuple[str, str, str, str, str, str]]:
    return [(table, c.name, c.ja, c.type, c.ja_desc, c.en) for table, cols in SCHEMA.items() for c in cols]


def data_dictionary_markdown() -> str:
    out = []
    for table, cols in SCHEMA.items():
        ja, en = TABLE_DESCRIPTIONS[table]
        out.append(f"### {table}\n")
        out.append(f"{ja}。{en[0].upper()}{en[1:]}.\n")
        out.append("| column | 日本語名 | type | 説明 | description |")
        out.append("|---|---|---|---|---|")
        for c in cols:
            key = " (key)" if c.key else ""
            out.append(f"| `{c.name}`{key} | {c.ja} | {c.type} | {c.ja_desc} | {c.en} |")
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    print(data_dictionary_markdown())
