"""Write the canonical setup cell (scripts/setup_cell.py) into every chapter.

Usage (from the repository root):
    python scripts/sync_setup_cell.py            # rewrite notebooks/ and notebooks/zh-CN/
    python scripts/sync_setup_cell.py --check    # exit 1 and list the chapters that differ
    python scripts/sync_setup_cell.py --root /tmp/copy   # another checkout (e.g. a throwaway copy)

The setup cell is the first code cell of a chapter (a notebook whose name starts with two
digits). Only its source changes; its stored output is kept, so re-execute the chapters
afterwards (scripts/execute_notebooks.py) when the change alters what the cell prints.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from setup_cell import setup_cell

ROOT = Path(__file__).resolve().parents[1]
EDITIONS = {"en": Path("notebooks"), "zh-CN": Path("notebooks") / "zh-CN"}


def chapters(root: Path) -> list[tuple[Path, str]]:
    """(path, language) of every chapter of both editions under ``root``."""
    found = []
    for language, folder in EDITIONS.items():
        found += [(p, language) for p in sorted((root / folder).glob("[0-9][0-9]_*.ipynb"))]
    return found


def sync(path: Path, language: str, write: bool) -> bool:
    """True if the chapter's setup cell differs (and, with ``write``, was rewritten)."""
    nb = nbformat.read(path, as_version=4)
    cell = next((c for c in nb.cells if c.cell_type == "code"), None)
    if cell is None:
        raise SystemExit(f"{path}: no code cell; a chapter starts with the setup cell")
    wanted = setup_cell(language)
    if cell.source == wanted:
        return False
    if write:
        cell.source = wanted
        nbformat.write(nb, path)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report; exit 1 on a difference")
    parser.add_argument("--root", type=Path, default=ROOT, help="repository root (default: this)")
    args = parser.parse_args(argv)
    changed = [
        path for path, language in chapters(args.root) if sync(path, language, not args.check)
    ]
    verb = "differs" if args.check else "rewritten"
    for path in changed:
        print(f"{path.relative_to(args.root)}: setup cell {verb}")
    print(f"{len(changed)} of {len(chapters(args.root))} chapters {verb}")
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    raise SystemExit(main())
