"""The data dictionary (table, column, type, 日本語名, description) from tables.SCHEMA.

`python -m pipeline.dictionary` prints it as Markdown for the README.
"""

from __future__ import annotations

from .tables import SCHEMA


def data_dictionary_rows() -> list[tuple[str, str, str, str, str]]:
    return [(table, c.name, c.type, c.ja, c.en) for table, cols in SCHEMA.items() for c in cols]


def data_dictionary_markdown() -> str:
    out = []
    for table, cols in SCHEMA.items():
        out.append(f"### {table}\n")
        out.append("| column | 日本語名 | type | description |")
        out.append("|---|---|---|---|")
        for c in cols:
            out.append(f"| `{c.name}` | {c.ja} | {c.type} | {c.en} |")
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    print(data_dictionary_markdown())
