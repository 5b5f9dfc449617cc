"""Build the Simplified Chinese edition (notebooks/zh-CN/) from the English chapters.

The English chapter ``notebooks/NN_name.ipynb`` is the source of truth for code, tags and
checks. Its translation lives in ``notebooks/zh-CN/_translations/NN_name.json``::

    {"chapter": "NN_name",
     "cells": {"<english cell id>": {"en_sha": "<16 hex>", "zh": "<translated source>"}}}

``en_sha`` is the first 16 hex digits of the sha256 of the English cell's source at the time
it was translated: when the English cell changes, the entry is *stale* and the build fails,
listing it. Every markdown cell needs an entry; a code cell without one is copied as is. The
setup cell (the first code cell, tag ``setup``) is not translated here: every zh chapter gets
``scripts/setup_cell.py``'s ``setup_cell("zh-CN")`` (Chinese comments and messages,
``language="zh-CN"``, and on Colab a CJK font install), the one place its text lives.

Usage (from the repository root):
    python scripts/build_zh.py                 # build every chapter that has a translation
    python scripts/build_zh.py 01 02           # only these chapters (number or full name)
    python scripts/build_zh.py --report        # list missing/stale/orphan entries, build nothing
    python scripts/build_zh.py --todo 03       # JSON skeleton of what 03 still needs (English text)
    python scripts/build_zh.py --execute 01    # build, then run the changed notebooks in a kernel
    python scripts/build_zh.py --check         # fail if a stored zh notebook is out of date

The glossary (``13_术语表.ipynb``) has no English chapter and is edited by hand; a full build
gives it the current zh setup cell. When only the setup cell changed (``scripts/setup_cell.py``),
or only markdown cells changed, the sources are replaced and the stored outputs are kept (as
``scripts/sync_setup_cell.py`` does): neither changes what a code cell prints.

A zh notebook whose cells would not change is left untouched (its stored outputs stay); a
changed one is written with outputs cleared and must be executed (``--execute``, or
``scripts/execute_notebooks.py``) before it is committed.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

__all__ = [
    "EDITION",
    "ChapterProblems",
    "build_chapter",
    "chapters",
    "en_sha",
    "extra_notebooks",
    "problems",
    "sync_setup_cell",
    "zh_setup_source",
]

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
ZH = NOTEBOOKS / "zh-CN"
TRANSLATIONS = ZH / "_translations"
EDITION = "zh-CN"


def en_sha(source: str) -> str:
    """First 16 hex digits of the sha256 of a cell source (the ``en_sha`` of an entry).

    >>> en_sha("print(1)")
    'd287bb7f9d15abdc'
    """
    return hashlib.sha256(source.encode("utf-8")).hexdigest()[:16]


def chapters() -> list[Path]:
    """The English chapters, ``notebooks/NN_name.ipynb``, in order."""
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def zh_setup_source() -> str:
    """The setup cell of every zh chapter: ``scripts/setup_cell.py``'s ``setup_cell("zh-CN")``.

    >>> 'language="zh-CN"' in zh_setup_source()
    True
    """
    sys.path.insert(0, str(ROOT / "scripts"))
    from setup_cell import setup_cell

    return setup_cell(EDITION)


@dataclass
class ChapterProblems:
    """What keeps one chapter's zh edition from being built."""

    chapter: str
    missing: list[str] = field(default_factory=list)  # markdown cells without a translation
    stale: list[str] = field(default_factory=list)  # entries whose en_sha no longer matches
    orphan: list[str] = field(default_factory=list)  # entries for cell ids the chapter lacks
    no_file: bool = False

    def __bool__(self) -> bool:
        return bool(self.missing or self.stale or self.orphan or self.no_file)

    def lines(self) -> list[str]:
        out = []
        if self.no_file:
            out.append(f"{self.chapter}: no translation file {_rel(_translation_path(self))}")
        for kind in ("missing", "stale", "orphan"):
            ids = getattr(self, kind)
            if ids:
                out.append(f"{self.chapter}: {len(ids)} {kind}: {', '.join(ids)}")
        return out


def _rel(path: Path) -> str:
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def _translation_path(chapter: Path | ChapterProblems | str) -> Path:
    name = chapter.chapter if isinstance(chapter, ChapterProblems) else Path(chapter).stem
    return TRANSLATIONS / f"{name}.json"


def _load_translation(chapter: Path) -> dict | None:
    path = _translation_path(chapter)
    if not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("chapter") != chapter.stem or not isinstance(data.get("cells"), dict):
        raise SystemExit(
            f"{_rel(path)}: expected {{'chapter': {chapter.stem!r}, 'cells': {{...}}}}; "
            "see notebooks/zh-CN/README.md"
        )
    return data


def _is_setup(cell: nbformat.NotebookNode) -> bool:
    return cell.cell_type == "code" and "setup" in cell.get("metadata", {}).get("tags", [])


def _setup_cell(nb: nbformat.NotebookNode) -> nbformat.NotebookNode | None:
    """The setup cell: tagged ``setup``, else the first code cell."""
    tagged = [c for c in nb.cells if _is_setup(c)]
    code = [c for c in nb.cells if c.cell_type == "code"]
    return (tagged or code or [None])[0]


def problems(chapter: Path) -> ChapterProblems:
    """Missing, stale and orphan translation entries of one English chapter."""
    found = ChapterProblems(chapter.stem)
    data = _load_translation(chapter)
    if data is None:
        found.no_file = True
        return found
    entries = data["cells"]
    nb = nbformat.read(chapter, as_version=4)
    ids = {cell.id for cell in nb.cells}
    setup = _setup_cell(nb)
    for cell in nb.cells:
        entry = entries.get(cell.id)
        if cell is setup:
            if entry is not None:
                found.orphan.append(cell.id)  # the setup cell comes from scripts/setup_cell.py
            continue
        if entry is None:
            if cell.cell_type == "markdown":
                found.missing.append(cell.id)
        elif entry.get("en_sha") != en_sha(cell.source):
            found.stale.append(cell.id)
    found.orphan = sorted(set(found.orphan) | (set(entries) - ids))
    return found


def build_chapter(chapter: Path) -> nbformat.NotebookNode:
    """The zh notebook of one chapter (outputs cleared); raises SystemExit on any problem."""
    found = problems(chapter)
    if found:
        raise SystemExit(
            "zh edition cannot be built:\n  "
            + "\n  ".join(found.lines())
            + f"\n(see `python scripts/build_zh.py --todo {chapter.stem[:2]}`)"
        )
    entries = _load_translation(chapter)["cells"]
    nb = nbformat.read(chapter, as_version=4)
    out = copy.deepcopy(nb)
    setup = _setup_cell(out)
    for cell in out.cells:
        entry = entries.get(cell.id)
        if entry is not None:
            cell.source = entry["zh"]
        if cell is setup:
            cell.source = zh_setup_source()
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        cell.metadata.pop("execution", None)
    out.metadata.pop("widgets", None)
    return out


def _cells_key(nb: nbformat.NotebookNode) -> list[tuple]:
    return [
        (c.cell_type, c.get("id"), c.source, json.dumps(c.get("metadata", {}), sort_keys=True))
        for c in nb.cells
    ]


def zh_path(chapter: Path) -> Path:
    """Where the zh edition of an English chapter is stored."""
    return ZH / chapter.name


def is_up_to_date(chapter: Path) -> bool:
    """True when the stored zh notebook has exactly the cells the generator would build."""
    target = zh_path(chapter)
    if not target.exists():
        return False
    stored = nbformat.read(target, as_version=4)
    return _cells_key(stored) == _cells_key(build_chapter(chapter))


def extra_notebooks() -> list[Path]:
    """zh chapters without an English counterpart (the glossary), edited by hand."""
    english = {c.name for c in chapters()}
    return sorted(p for p in ZH.glob("[0-9][0-9]_*.ipynb") if p.name not in english)


def sync_setup_cell(path: Path) -> bool:
    """Give a stored zh notebook the current zh setup cell; True when it changed.

    Like ``scripts/sync_setup_cell.py``, only the source changes and the stored output stays:
    outside Colab the cell prints the same environment line whatever its Colab branch says.
    """
    nb = nbformat.read(path, as_version=4)
    cell = _setup_cell(nb)
    if cell is None or cell.source == zh_setup_source():
        return False
    cell.source = zh_setup_source()
    nbformat.write(nb, path)
    return True


def _patch_keeping_outputs(chapter: Path) -> bool:
    """Update a stored zh notebook in place when only markdown cells or the setup cell changed.

    Neither changes what the code cells print (markdown has no outputs; outside Colab the
    setup cell prints the same line), so the stored outputs stay valid and are kept.
    Returns False (nothing written) when any other cell differs.
    """
    target = zh_path(chapter)
    if not target.exists():
        return False
    stored, built = nbformat.read(target, as_version=4), build_chapter(chapter)
    if [(c.cell_type, c.get("id")) for c in stored.cells] != [
        (c.cell_type, c.get("id")) for c in built.cells
    ]:
        return False
    setup = _setup_cell(stored)
    for old, new in zip(stored.cells, built.cells, strict=True):
        same_meta = old.get("metadata", {}) == new.get("metadata", {})
        if old.source == new.source and same_meta:
            continue
        if not same_meta or (old.cell_type == "code" and old is not setup):
            return False
    for old, new in zip(stored.cells, built.cells, strict=True):
        old.source = new.source
    nbformat.write(stored, target)
    return True


def _setup_is_current(path: Path) -> bool:
    cell = _setup_cell(nbformat.read(path, as_version=4))
    return cell is None or cell.source == zh_setup_source()


def _select(names: list[str]) -> list[Path]:
    all_chapters = chapters()
    if not names:
        return [c for c in all_chapters if _translation_path(c).exists()]
    picked = []
    for name in names:
        matches = [c for c in all_chapters if c.stem == name or c.stem.startswith(f"{name}_")]
        if len(matches) != 1:
            raise SystemExit(f"no single English chapter matches {name!r} (use e.g. 03)")
        picked.append(matches[0])
    return picked


def _has_text(source: str) -> bool:
    """A code cell with a comment or a string with a space (probably text for people)."""
    return bool(
        re.search(r"#(?!\s*NBVAL_|#* (BEGIN|END) )|[\"'][^\"'\n]*\w \w[^\"'\n]*[\"']", source)
    )


def _todo(chapter: Path) -> dict:
    """The entries a chapter still needs, with the English text to translate."""
    nb = nbformat.read(chapter, as_version=4)
    found = problems(chapter)
    wanted = set(found.missing) | set(found.stale)
    if found.no_file:
        wanted = {c.id for c in nb.cells if c.cell_type == "markdown"}
    wanted |= {  # code cells with comments or text that have no entry yet
        c.id
        for c in nb.cells
        if c.cell_type == "code"
        and c is not _setup_cell(nb)
        and c.id not in (_load_translation(chapter) or {"cells": {}})["cells"]
        and _has_text(c.source)
    }
    cells = {
        c.id: {"en_sha": en_sha(c.source), "cell_type": c.cell_type, "en": c.source}
        for c in nb.cells
        if c.id in wanted
    }
    return {"chapter": chapter.stem, "cells": cells, "orphan": found.orphan}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("chapters", nargs="*", help="chapter numbers or names (default: all)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--report", action="store_true", help="list problems, never fail")
    mode.add_argument("--todo", action="store_true", help="print what still needs translating")
    mode.add_argument("--check", action="store_true", help="fail if a zh notebook is outdated")
    parser.add_argument("--execute", action="store_true", help="execute notebooks that changed")
    args = parser.parse_args(argv)
    selected = _select(args.chapters)

    if args.report or args.todo:
        targets = selected if args.chapters else chapters()
        if args.todo:
            print(json.dumps([_todo(c) for c in targets], ensure_ascii=False, indent=1))
            return 0
        for chapter in targets:
            found = problems(chapter)
            print("\n".join(found.lines()) if found else f"{chapter.stem}: ok")
        return 0

    failed = [line for c in selected for line in problems(c).lines()]
    if failed:
        print("zh edition cannot be built:\n  " + "\n  ".join(failed), file=sys.stderr)
        print("(`python scripts/build_zh.py --todo NN` prints the English text)", file=sys.stderr)
        return 1
    if args.check:
        outdated = [_rel(zh_path(c)) for c in selected if not is_up_to_date(c)]
        outdated += [_rel(p) for p in extra_notebooks() if not _setup_is_current(p)]
        if outdated:
            print("out of date, run scripts/build_zh.py: " + ", ".join(outdated), file=sys.stderr)
            return 1
        print(f"{len(selected)} zh chapters up to date")
        return 0

    changed = []
    ZH.mkdir(parents=True, exist_ok=True)
    for chapter in selected:
        if is_up_to_date(chapter):
            print(f"{chapter.stem}: up to date")
            continue
        if _patch_keeping_outputs(chapter):
            print(f"{chapter.stem}: markdown/setup cells updated (stored outputs kept)")
            continue
        nbformat.write(build_chapter(chapter), zh_path(chapter))
        changed.append(zh_path(chapter))
        print(f"{chapter.stem}: built {_rel(zh_path(chapter))} (outputs cleared)")
    if not args.chapters:
        for extra in extra_notebooks():
            if sync_setup_cell(extra):
                print(f"{extra.stem}: setup cell updated (stored outputs kept)")
    if changed and args.execute:
        sys.path.insert(0, str(ROOT / "scripts"))
        from execute_notebooks import execute

        for path in changed:
            print(f"{path.stem}: executed in {execute(path):.1f} s")
    elif changed:
        print(
            "now execute them: python scripts/execute_notebooks.py " + " ".join(map(_rel, changed))
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
