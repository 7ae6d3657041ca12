"""Which files a run reads: files named on the command line, and announcement files under the
folders named (``rules/inputs.toml``), never the run's own output folder or cache."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger("pipeline")

@dataclass
class Selection:
    files: list[Path] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # one line each: "<path>: skipped: <why>"


def select_inputs(paths: list[str], suffixes: tuple[str, ...], exclude: tuple[Path, ...] = (),
                  own_files: tuple[Path, ...] = (), own_folders: tuple[str, ...] = ("report",)) -> Selection:
    """Files named, and the announcement files under folders named, in a stable order, each
    once. ``exclude`` are folders (the output folder, the cache) whose files are never input
    when they sit inside a folder named; ``own_files`` are the files a run writes: left out
    silently when the output folder is itself a folder named, and listed as skipped in the
    output folder of another run (a report.html would otherwise read as an announcement), as
    are the pages in such a run's ``own_folders`` (its report folder)."""
    sel = Selection()
    seen: set[str] = set()
    own = _Own({f.resolve() for f in own_files}, {f.name for f in own_files}, set(own_folders))
    for p in paths:
        path = Path(p)
        found = _walk(path, suffixes, exclude, own, sel) if path.is_dir() else [path]
        for f in found:
            if str(f) not in seen:
                seen.add(str(f))
                sel.files.append(f)
    sel.skipped = list(dict.fromkeys(sel.skipped))  # a folder named twice: each file said once
    return sel


@dataclass(frozen=True)
class _Own:
    files: set[Path]
    names: set[str]
    folders: set[str]

    def earlier_run(self, f: Path) -> bool:
        folder = f.parent
        if folder.name in self.folders and f.suffix.lower() == ".html":
            folder = folder.parent  # a page of the report folder
        elif f.name not in self.names:
            return False
        # Every output folder has the documents table, in both forms.
        return all((folder / n).is_file() for n in _OUTPUT_SIGN)


_OUTPUT_SIGN = ("documents.csv", "documents.parquet")


def _walk(folder: Path, suffixes: tuple[str, ...], exclude: tuple[Path, ...], own: _Own,
          sel: Selection) -> list[Path]:
    root = folder.resolve()
    # A folder to exclude that holds the input folder itself would exclude everything: then
    # only the hidden files (the cache, temporary folders) stay out, as always.
    fenced = [x for x in {e.resolve() for e in exclude} if x != root and not root.is_relative_to(x)]
    files = []
    for f in sorted(folder.rglob("*")):
        rel = f.relative_to(folder)
        if any(part.startswith(".") for part in rel.parts):
            continue
        if f.is_symlink() and f.is_dir():  # not followed: it may lead anywhere, or round in a loop
            sel.skipped.append(f"{f}: skipped: a link to a folder (not followed; name that folder to read it)")
            continue
        if f.is_dir():
            continue
        resolved = f.resolve()
        if resolved in own.files or any(resolved.is_relative_to(x) for x in fenced):
            continue
        if own.earlier_run(f):
            sel.skipped.append(f"{f}: skipped: written by an earlier run of this pipeline")
        elif not f.is_file():
            what = "a broken symbolic link" if f.is_symlink() and not f.exists() else "not a regular file"
            sel.skipped.append(f"{f}: skipped: {what}")
        elif f.suffix.lower() in suffixes:
            files.append(f)
        else:
            sel.skipped.append(f"{f}: skipped: not an announcement file (folders are read for "
                               f"{', '.join(suffixes)} files)")
    for x in sorted(fenced):
        if x.is_relative_to(root):
            log.debug("%s: not read: the output folder or cache of this run", x)
    return files
