"""The setup cell every chapter starts with: the one place its text lives.

``scripts/sync_setup_cell.py`` writes it into every notebook of ``notebooks/`` (English) and
``notebooks/zh-CN/`` (Chinese edition: the same code, comments and messages in Chinese, and
``language="zh-CN"``); ``tests/test_notebook_structure.py`` checks the chapters against it.

What the cell does on Colab, where ``google.colab`` is importable and keras_lens is missing:
``%pip install keras-lens`` (or ``$KERAS_LENS_SOURCE``, e.g. a fork's ``git+https://...``),
without ``--quiet`` so pip's conflict report and Colab's restart button stay visible; if the
install did not work it stops with the one thing to do. The Chinese edition also installs a CJK
font there (``apt-get install fonts-noto-cjk``), so matplotlib can draw Chinese labels.
Everywhere else the cell only imports keras_lens and calls ``setup_notebook``.

Example:
    >>> "setup_notebook(seed=42)" in setup_cell("en")
    True
"""

from __future__ import annotations

__all__ = ["LANGUAGES", "setup_cell"]

LANGUAGES = ("en", "zh-CN")

_TEMPLATE = """\
# {comment_1}
# {comment_2}
import importlib.util
import os

KERAS_LENS_SOURCE = os.environ.get("KERAS_LENS_SOURCE", "keras-lens")
if importlib.util.find_spec("google.colab") and importlib.util.find_spec("keras_lens") is None:
    %pip install {{KERAS_LENS_SOURCE}}
    importlib.invalidate_caches()
    if importlib.util.find_spec("keras_lens") is None:
        raise RuntimeError(
            f"{failed_1}"
            "{failed_2}"
        )
{font}
import keras_lens

keras_lens.setup_notebook({arguments})"""

_APT = "apt-get install -y -qq fonts-noto-cjk"
_FONT = (
    f"    !({_APT} || (apt-get update -qq && {_APT})) > /dev/null 2>&1"
    + ' || echo "{font_failed}"\n'
)

_TEXT = {
    "en": {
        "comment_1": "Setup, the same in every chapter. On Colab it first installs the toolkit "
        "keras-lens",
        "comment_2": "(a fork or an unreleased version: %env KERAS_LENS_SOURCE=git+https://...).",
        "failed_1": "Installing {KERAS_LENS_SOURCE!r} did not work: read pip's message above. ",
        "failed_2": "Run `%pip install keras-lens` in a new cell, restart the session if Colab "
        "asks, then run this cell again.",
        "font_failed": "",
        "arguments": "seed=42",
    },
    "zh-CN": {
        "comment_1": "初始化（每一章都相同）。在 Colab 上先安装工具包 keras-lens 和中文字体",
        "comment_2": "（要安装分支或未发布的版本：%env KERAS_LENS_SOURCE=git+https://...）。",
        "failed_1": "安装 {KERAS_LENS_SOURCE!r} 没有成功：请阅读上面 pip 的输出。",
        "failed_2": "在新的单元格中运行 `%pip install keras-lens`，如果 Colab 提示重启会话就重启，"
        "然后再运行本单元格。",
        "font_failed": "中文字体安装失败：图中的中文可能显示为方框。",
        "arguments": 'seed=42, language="zh-CN"',
    },
}


def setup_cell(language: str = "en") -> str:
    """The source of the setup cell for the ``"en"`` chapters or the ``"zh-CN"`` edition."""
    if language not in _TEXT:
        raise ValueError(f"setup_cell(language=...): use one of {LANGUAGES}, got {language!r}")
    text = _TEXT[language]
    font = _FONT.format(**text).rstrip("\n") if language == "zh-CN" else ""
    source = _TEMPLATE.format(font=font, **text)
    return source.replace("\n\nimport keras_lens", "\nimport keras_lens") if not font else source


if __name__ == "__main__":
    import sys

    print(setup_cell(sys.argv[1] if len(sys.argv) > 1 else "en"))
