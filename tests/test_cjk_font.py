"""Chinese text in matplotlib figures is drawn with real glyphs, not boxes.

matplotlib warns ``Glyph NNNNN (\\N{CJK UNIFIED IDEOGRAPH-...}) missing from font(s) ...`` for
every character its fonts lack; these tests turn that warning into a failure. They need a CJK
font installed where the lab runs (Debian/Ubuntu/Colab: ``apt-get install fonts-noto-cjk``).
"""

from __future__ import annotations

import io
import warnings

import matplotlib
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from keras_lens.notebook import CJK_FAMILIES, use_cjk_font

CHINESE = "训练损失与验证损失：函数式 API、残差连接、共享层"


def _render(title: str) -> list[str]:
    """Draw a small figure with ``title`` everywhere; return the missing-glyph warnings."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig, ax = plt.subplots(figsize=(4, 3))
        ax.plot([0, 1, 2], [1.0, 0.5, -0.25], label="训练损失")
        ax.set_title(title)
        ax.set_xlabel("轮次（epoch）")
        ax.set_ylabel("损失 −0.25")
        ax.legend()
        fig.savefig(io.BytesIO(), format="png")
        plt.close(fig)
    return [str(w.message) for w in caught if _MISSING in str(w.message)]


#: matplotlib 3.9 names the fonts ("... missing from font(s) DejaVu Sans."); 3.8, the oldest the
#: package allows, says only "... missing from current font." (matrix env ``oldest``).
_NAMES_FONTS = tuple(int(p) for p in matplotlib.__version__.split(".")[:2]) >= (3, 9)
_MISSING = "missing from font(s)" if _NAMES_FONTS else "missing from current font"


@pytest.fixture
def restore_rc():
    saved = matplotlib.rcParams.copy()
    yield
    matplotlib.rcParams.update(saved)


def test_a_cjk_font_is_installed_and_used(restore_rc):
    family = use_cjk_font()
    assert family in CJK_FAMILIES, (
        "no CJK font found: install one (Debian/Ubuntu/Colab: sudo apt-get install fonts-noto-cjk)"
    )
    assert family in matplotlib.rcParams["font.sans-serif"]
    assert _render(CHINESE) == []


def test_without_the_cjk_font_the_warning_is_caught(restore_rc):
    """The check above can fail: with only DejaVu Sans, every Chinese glyph is missing."""
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["font.sans-serif"] = ["DejaVu Sans"]
    missing = _render(CHINESE)
    assert missing
    if _NAMES_FONTS:
        assert "DejaVu Sans" in missing[0]


def test_latin_text_and_the_minus_sign_still_draw(restore_rc):
    use_cjk_font()
    use_cjk_font()  # twice: the family is listed once
    families = matplotlib.rcParams["font.sans-serif"]
    assert len(set(families)) == len(families)
    assert _render("loss per epoch, −0.25") == []


def test_setup_notebook_in_chinese_configures_the_font(restore_rc):
    import keras_lens
    from keras_lens import i18n

    matplotlib.rcParams["font.family"] = ["sans-serif"]
    matplotlib.rcParams["font.sans-serif"] = ["DejaVu Sans"]
    try:
        keras_lens.setup_notebook(seed=None, language="zh-CN")
        assert i18n.get_language() == "zh-CN"
    finally:
        i18n.set_language("en")
    assert _render(CHINESE) == []
