"""A zh-CN chapter in JupyterLab with the Simplified Chinese language pack: everything in Chinese.

The toolkit tour of the Chinese edition (``notebooks/zh-CN/00_toolkit_tour.ipynb``), copied without
its stored outputs, runs in JupyterLab switched to ``zh_CN`` (the ``jupyterlab-language-pack-zh-cn``
package, selected through the translation extension's user setting, as Settings -> Language does).
The test checks that JupyterLab's own menus are Chinese and that the graph and summary widgets,
built after ``setup_notebook(language="zh-CN")``, show their Chinese labels from the
``keras_lens.i18n`` catalogue (and not the English ones).
"""

from __future__ import annotations

import importlib.util
import json

import pytest
from jupyter_pages import ROOT, copy_without_outputs, open_and_run

CHAPTER = ROOT / "notebooks" / "zh-CN" / "00_toolkit_tour.ipynb"
TRANSLATION_SETTINGS = "@jupyterlab/translation-extension/plugin.jupyterlab-settings"


def _labels(prefix: str) -> list[tuple[str, str]]:
    """(English, Chinese) of every label a view module registered under ``prefix``."""
    import keras_lens
    from keras_lens import i18n

    keras_lens.graph, keras_lens.summary  # noqa: B018 - importing the views registers their labels
    return [
        (en, zh)
        for key, (en, zh) in i18n.catalogue().items()
        if key.startswith(prefix) and zh and en != zh and "{" not in zh and len(zh) <= 12
    ]


@pytest.fixture(scope="module")
def zh_lab(jupyter_server, browser_context, artifacts_dir):
    if importlib.util.find_spec("jupyterlab_language_pack_zh_CN") is None:
        pytest.fail(
            "the Simplified Chinese language pack is not installed: "
            "pip install jupyterlab-language-pack-zh-cn (part of the `lab` extra)"
        )
    settings = (
        jupyter_server.root.parent / "config" / "lab" / "user-settings" / TRANSLATION_SETTINGS
    )
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text(json.dumps({"locale": "zh_CN"}))  # what Settings -> Language -> 中文 writes
    try:
        copy_without_outputs(CHAPTER, jupyter_server.root / "zh_tour.ipynb")
        path = "lab/workspaces/zh/tree/zh_tour.ipynb"
        # done=None: until every code cell has run and the kernel is idle
        opened = open_and_run(jupyter_server, browser_context, artifacts_dir, "zh", path)
        yield opened.page
        opened.shot("tour-final")
        opened.page.close()
    finally:
        settings.unlink(missing_ok=True)  # the server is shared: other modules' pages in English


def test_jupyterlab_itself_is_in_chinese(zh_lab):
    menus = [t.strip() for t in zh_lab.locator(".lm-MenuBar-itemLabel").all_inner_texts()]
    assert "文件" in menus and "编辑" in menus, f"JupyterLab's menus are not Chinese: {menus}"
    assert "File" not in menus


@pytest.mark.parametrize(
    "prefix",
    [
        "graph.",
        "summary.",
    ],
)
def test_widget_labels_are_chinese(zh_lab, artifacts_dir, prefix):
    labels = _labels(prefix)
    assert labels, f"no Chinese labels registered under {prefix!r} in keras_lens.i18n"
    call = "keras_lens.graph(model)" if prefix == "graph." else "keras_lens.summary(model)"
    cell = zh_lab.locator(".jp-CodeCell").filter(has_text=call).first
    area = cell.locator(".jp-OutputArea-output").first
    area.wait_for(state="visible", timeout=30_000)
    area.scroll_into_view_if_needed()
    area.screenshot(path=str(artifacts_dir / f"zh-{prefix.rstrip('.')}.png"))
    text = area.inner_text()
    shown = [zh for _, zh in labels if zh in text]
    # English labels of several words cannot be part of a layer name or a shape: not shown
    english = [en for en, zh in labels if " " in en and zh not in text and en in text]
    assert shown, (
        f"none of the Chinese {prefix} labels {[zh for _, zh in labels]} is shown: {text!r}"
    )
    assert not english, f"English {prefix} labels shown in the zh chapter: {english}"
