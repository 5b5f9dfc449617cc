"""Let matplotlib draw Chinese text: add an installed CJK font to its font fallback list.

Without a CJK font, matplotlib draws every Chinese character as a box and warns
``Glyph ... missing from font(s) DejaVu Sans``. ``use_cjk_font()`` finds the first installed
family of ``CJK_FAMILIES`` and appends it to ``rcParams['font.family']``, so Latin text keeps
its usual font and Chinese characters fall back to the CJK one (matplotlib >= 3.6 falls back
per glyph along that list). ``setup_notebook(language="zh-CN")`` calls it.

Example:
    >>> from keras_lens._fonts import use_cjk_font
    >>> family = use_cjk_font()   # e.g. 'Noto Sans CJK SC', or None when none is installed
"""

from __future__ import annotations

import contextlib
import os

__all__ = ["CJK_FAMILIES", "use_cjk_font"]

#: Font families that draw Simplified Chinese, in order of preference.
CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Microsoft YaHei",
    "PingFang SC",
    "SimHei",
)


def _installed() -> set[str]:
    from matplotlib import font_manager

    return {entry.name for entry in font_manager.fontManager.ttflist}


def use_cjk_font() -> str | None:
    """Append the first installed CJK family to ``rcParams['font.family']``; return it.

    Fonts installed after matplotlib built its font cache (``apt-get install fonts-noto-cjk``
    in a running Colab session) are registered first. Returns ``None`` when no CJK font is
    installed: then Chinese labels show as boxes (install ``fonts-noto-cjk``).
    """
    import matplotlib
    from matplotlib import font_manager

    if not _installed().intersection(CJK_FAMILIES):
        for path in font_manager.findSystemFonts():
            name = os.path.basename(path).lower()
            if "cjk" in name or "wqy" in name or "sourcehansans" in name:
                with contextlib.suppress(Exception):  # a broken font file is skipped
                    font_manager.fontManager.addfont(path)
    names = _installed()
    family = next((f for f in CJK_FAMILIES if f in names), None)
    if family is None:
        return None
    # matplotlib falls back per glyph along ``font.family`` (each generic name there, such as
    # "sans-serif", resolves to one font), so the CJK family goes after the current families.
    families = [f for f in matplotlib.rcParams["font.family"] if f != family]
    matplotlib.rcParams["font.family"] = [*families, family]
    return family
