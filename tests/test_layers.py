"""The package's layout follows the data flow: no module imports a later stage, and there are
no import cycles. Read from the source with ast (imports inside functions count too, those
under ``if TYPE_CHECKING`` do not)."""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "pipeline"

# Stages in the order data flows; shared foundations first, the command line last.
LAYERS = [
    {"errors", "model", "rules", "rule_files", "municipalities"},
    {"ingest"},
    {"normalize"},
    {"segment"},
    {"extract"},
    {"enrich"},
    {"tables"},
    {"links"},  # across documents: plan succession and program links, on the rows of every document
    {"output"},
    {"batch"},
    {"cli", "__main__", ""},  # "": pipeline/__init__.py, the library API
]

# Known exceptions, each with its cause; a strict list: one that no longer occurs fails too, so
# that it is taken off here.
KNOWN_LATER_IMPORTS: dict[tuple[str, str], str] = {}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer(module: str) -> int:
    first = module.split(".")[1] if "." in module else ""
    return next(k for k, names in enumerate(LAYERS) if first in names)


def imports(path: Path) -> set[str]:
    """The pipeline modules that ``path`` imports (absolute names)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    me = module_name(path)
    package = me if path.name == "__init__.py" else me.rpartition(".")[0]
    # Only the body of a plain `if TYPE_CHECKING:` is type-only; its else branch runs.
    skip = {id(n) for node in ast.walk(tree)
            if isinstance(node, ast.If) and ast.unparse(node.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING")
            for stmt in node.body for n in ast.walk(stmt)}
    out = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
            target = ".".join(base + ([node.module] if node.module else []))
            for alias in node.names:  # "from . import write" names a module
                sub = f"{target}.{alias.name}"
                out.add(sub if _exists(sub) else target)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("pipeline"):
            for alias in node.names:  # "from pipeline.batch import summary" names a module
                sub = f"{node.module}.{alias.name}"
                out.add(sub if _exists(sub) else node.module)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("pipeline"))
    return out - {me}


def _exists(module: str) -> bool:
    path = ROOT.joinpath(*module.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def graph() -> dict[str, set[str]]:
    return {module_name(p): imports(p) for p in sorted(PACKAGE.rglob("*.py"))}


def test_every_module_has_a_layer():
    for module in graph():
        layer(module)


def test_no_module_imports_a_later_stage():
    later = {(m, t) for m, targets in graph().items() for t in targets if layer(t) > layer(m)}
    assert later - set(KNOWN_LATER_IMPORTS) == set(), "a module imports a later stage"
    assert set(KNOWN_LATER_IMPORTS) - later == set(), "a known exception no longer occurs: take it off"


def test_no_import_cycles():
    g = graph()
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(m: str) -> None:
        state[m] = 1
        path.append(m)
        for t in sorted(g.get(m, ())):
            if state.get(t) == 1:
                raise AssertionError("import cycle: " + " -> ".join(path[path.index(t):] + [t]))
            if t not in state:
                visit(t)
        path.pop()
        state[m] = 2

    for m in sorted(g):
        if m not in state:
            visit(m)


def test_no_module_is_longer_than_600_lines():
    long = {module_name(p): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 600}
    assert long == {}


def test_the_distribution_holds_every_subpackage():
    """pyproject.toml's package list finds each folder of the package (a fixed list named only
    "pipeline" once left ingest/, segment/ … out of a wheel)."""
    import fnmatch
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    include = config["packages"]["find"]["include"]
    packages = {module_name(p) for p in PACKAGE.rglob("__init__.py")}
    assert {"pipeline.ingest.pdf", "pipeline.batch"} <= packages
    assert all(any(fnmatch.fnmatch(p, pat) for pat in include) for p in packages)


# The announcement grammar's patterns: only the grammar module applies them (and the rules
# loader builds them).
GRAMMAR_PATTERNS = {"marker_forms", "header_patterns", "title_patterns", "marker_not_followed_by",
                    "marker_label_shape"}
GRAMMAR_OWNERS = {"pipeline.segment.grammar", "pipeline.rules", "pipeline.rule_files"}


def test_only_the_grammar_reads_marker_forms_and_header_patterns():
    readers = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        me = module_name(path)
        if me in GRAMMAR_OWNERS:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in GRAMMAR_PATTERNS:
                readers.add((me, node.attr))
    assert readers == set()
