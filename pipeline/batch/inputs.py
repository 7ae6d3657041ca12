"""Which files a run reads: files named on the command line, and announcement files under the
folders named (``rules/inputs.toml``), never the run's own output folder or cache, nor the asset
folder of a saved web page (``<name>_files`` beside ``<name>.html``)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from ..rule_files import FolderRules

log = logging.getLogger("pipeline")

@dataclass
class Selection:
    files: list[Path] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # one line each: "<path>: skipped: <why>"


def select_inputs(paths: list[str], folders: FolderRules, exclude: tuple[Path, ...] = (),
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
        found = _walk(path, folders, exclude, own, sel) if path.is_dir() else [path]
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


def _walk(folder: Path, folders: FolderRules, exclude: tuple[Path, ...], own: _Own,
          sel: Selection) -> list[Path]:
    root = folder.resolve()
    # A folder to exclude that holds the input folder itself would exclude everything: then
    # only the hidden files (the cache, temporary folders) stay out, as always.
    fenced = [x for x in {e.resolve() for e in exclude} if x != root and not root.is_relative_to(x)]
    suffixes = folders.suffixes
    files = []
    assets: dict[Path, list[Path]] = {}  # a saved page's asset folder -> the files in it
    for f in sorted(folder.rglob("*")):
        rel = f.relative_to(folder)
        if any(part.startswith(".") for part in rel.parts):
            continue
        inside = next((a for a in assets if f.is_relative_to(a)), None)
        if inside is not None:
            if not f.is_dir():
                assets[inside].append(f)
            continue
        if f.is_dir() and not f.is_symlink() and _saved_page(f, folders):
            assets[f] = []
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
    for a, inside in assets.items():
        sel.skipped.append(f"{a}: skipped: the images, styles and scripts of the saved web page "
                           f"{_saved_page(a, folders)} ({len(inside)} file(s), not read)")
    for x in sorted(fenced):
        if x.is_relative_to(root):
            log.debug("%s: not read: the output folder or cache of this run", x)
    return files


def _saved_page(folder: Path, folders: FolderRules) -> str | None:
    """The name of the web page whose "Web page, complete" save made this folder, when that page
    stands beside it: page_files beside page.html (the suffix in any case)."""
    for ending in folders.asset_folder_suffixes:
        stem = folder.name.removesuffix(ending)
        if stem != folder.name and stem:
            for f in folder.parent.glob(f"{_escape_glob(stem)}.*"):
                if f.stem == stem and f.suffix.lower() in folders.page_suffixes and f.is_file():
                    return f.name
    return None


def _escape_glob(name: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in name)
