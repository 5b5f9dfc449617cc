"""Unit-test options: ``--update-golden`` rewrites the golden files under tests/golden/.

Golden files are only rewritten on request (this flag, or ``KERAS_LENS_UPDATE_GOLDEN=1``);
review the diff before committing them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

GOLDEN_DIR = Path(__file__).parent / "golden"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite tests/golden/* from the current output instead of comparing",
    )


@pytest.fixture
def golden(request: pytest.FixtureRequest):
    """``golden(name, text)``: compare ``text`` with tests/golden/<name> (or rewrite it)."""
    update = request.config.getoption("--update-golden") or os.environ.get(
        "KERAS_LENS_UPDATE_GOLDEN", ""
    ).strip() in ("1", "true", "yes")

    def check(name: str, text: str) -> None:
        path = GOLDEN_DIR / name
        if update:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
            return
        if not path.exists():
            pytest.fail(f"missing golden file {path}; create it with `pytest --update-golden`")
        expected = path.read_text(encoding="utf-8")
        assert text.rstrip("\n") == expected.rstrip("\n"), f"output differs from {path}"

    return check
