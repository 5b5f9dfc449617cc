"""A stored chapter exported by ``jupyter nbconvert --to html`` shows its drawings in Chromium.

nbconvert's HTML export is what nbviewer and similar viewers show. It picks a widget output's
widget view only when the notebook carries that widget's state (then the page loads
``@jupyter-widgets/html-manager`` from a CDN to draw it: that needs the internet, which this
machine and many classrooms do not have); otherwise it uses the static ``text/html``. The
export below drops the notebook-level widget state (``ClearMetadataPreprocessor``, keeping the
kernelspec), i.e. what a notebook saved from JupyterLab with its default settings exports as,
and checks in Chromium (``file://``) that the drawings of ``graph`` and ``inspect`` are decoded
images, the LivePlot figure too, and that no widget error or id text is shown.

Example:
    .venv/bin/python -m pytest tests/browser/test_nbconvert_export.py
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from jupyter_pages import TOUR as CHAPTER

INTERNAL_ID = re.compile(r"\bL\d+->L\d+\b")


def _export(tmp_path: Path) -> Path:
    out = tmp_path / "export"
    cmd = [
        sys.executable,
        "-m",
        "nbconvert",
        "--to",
        "html",
        "--ClearMetadataPreprocessor.enabled=True",
        "--ClearMetadataPreprocessor.clear_cell_metadata=False",
        "--ClearMetadataPreprocessor.preserve_nb_metadata_mask=kernelspec",
        "--output-dir",
        str(out),
        str(CHAPTER),
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return out / (CHAPTER.stem + ".html")


def test_exported_chapter_shows_its_drawings(tmp_path, browser_context, artifacts_dir):
    html_file = _export(tmp_path)
    page = browser_context.new_page()
    try:
        page.goto(html_file.as_uri())
        page.wait_for_load_state("load")
        images = page.evaluate(
            """() => Array.from(document.querySelectorAll('.jp-OutputArea-output img')).map(
                 img => ({src: img.src.slice(0, 26), width: img.naturalWidth,
                          shown: img.getBoundingClientRect().width}))"""
        )
        page.screenshot(path=str(artifacts_dir / "nbconvert-export.png"), full_page=False)
        text = page.locator("body").inner_text()
    finally:
        page.close()
    drawings = [i for i in images if i["src"].startswith("data:image/svg+xml")]
    assert len(drawings) >= 2, f"graph and inspect drawings expected as images: {images}"
    assert all(i["width"] > 0 and i["shown"] > 0 for i in drawings), drawings
    pictures = [i for i in images if i["src"].startswith("data:image/png")]
    assert pictures and all(i["width"] > 0 for i in pictures), "no PNG figure decoded"
    assert "Error displaying widget" not in text and "Loading widget" not in text
    assert not INTERNAL_ID.search(text), INTERNAL_ID.search(text)
