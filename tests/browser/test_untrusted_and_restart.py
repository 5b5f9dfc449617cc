"""Stored outputs in a real front end, without running anything: JupyterLab and Notebook 7.

* **Untrusted fresh clone**: a notebook whose stored outputs are the bundles keras_lens produces
  (widget view + static ``text/html`` + ``text/plain``), with no signature in the server's
  notary database, so it opens "Not Trusted". The front end sanitises the ``text/html``; every
  entry point must still show its drawing (an ``<img>`` that decoded: ``naturalWidth > 0``) or
  its table text, and no internal id (``L0``, ``L0->L1``) and no "Error displaying widget".
* **Restart plus reload**: a notebook executed by ``scripts/execute_notebooks.py`` (which keeps
  the widget state), trusted, opened after its kernel is gone, then again after a kernel restart
  and a page reload: the widgets render from the stored state. The same notebook without the
  stored state shows "Error displaying widget": the control that proves the check can fail.

Example:
    .venv/bin/python -m pytest tests/browser/test_untrusted_and_restart.py
"""

from __future__ import annotations

import copy
import functools
import importlib.util
import re
from pathlib import Path

import nbformat
import pytest
from jupyter_pages import ROOT, open_page, poll, wait_ready, write_notebook

# Lab: a workspace per notebook, so a reload restores no other notebook beside it
FRONT_ENDS = {"lab": "lab/workspaces/{stem}/tree/{name}", "notebook7": "notebooks/{name}"}
INTERNAL_ID = re.compile(r"\bL\d+\b|\bL\d+->L\d+\b")
WIDGET_ERROR = "Error displaying widget"

#: entry point -> (code shown in the cell, text its stored output must show, has a drawing)
ENTRY_POINTS = {
    "graph": ('keras_lens.graph(model, highlight="conv")', "conv (Conv2D)", True),
    "summary": ("keras_lens.summary(model)", "scores (Dense)", False),
    "shapes": ("keras_lens.shapes(model, batch)", "flat (Flatten)", False),
    "playground": ("keras_lens.playground(kernel=5, input_size=3)", "invalid", False),
    "compare": ("keras_lens.compare(model, model)", "same object", False),
    "inspect": ('keras_lens.inspect(model, batch, selected="conv")', "scores (Dense)", True),
    "liveplot": ("keras_lens.LivePlot()  # after fit", "", True),
}


def _model():
    import keras

    x = keras.Input(shape=(8, 8, 1), name="digit")
    y = keras.layers.Conv2D(4, 3, name="conv")(x)
    z = keras.layers.Flatten(name="flat")(y)
    return keras.Model(x, keras.layers.Dense(3, name="scores")(z), name="small_cnn")


@functools.cache
def _bundles() -> dict[str, dict]:
    """What each entry point stores in a notebook (built in this process, as the kernel would;
    once for both front ends)."""
    import keras_lens
    import numpy as np

    model = _model()
    batch = np.random.default_rng(0).normal(size=(2, 8, 8, 1)).astype("float32")
    plot = keras_lens.LivePlot(live=False)
    for epoch, loss in enumerate((1.0, 0.6, 0.4)):
        plot.on_epoch_end(epoch, {"loss": loss})
    views = {
        "graph": keras_lens.graph(model, highlight="conv"),
        "summary": keras_lens.summary(model),
        "shapes": keras_lens.shapes(model, batch),
        "playground": keras_lens.playground(kernel=5, input_size=3),
        "compare": keras_lens.compare(model, model),
        "inspect": keras_lens.inspect(model, batch, selected="conv"),
    }
    bundles = {name: view._repr_mimebundle_() for name, view in views.items()}
    bundles["liveplot"] = plot._bundle()
    return bundles


def _untrusted_notebook(path: Path) -> None:
    bundles = copy.deepcopy(_bundles())
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    for name, (code, _, _) in ENTRY_POINTS.items():
        cell = nbformat.v4.new_code_cell(code)
        cell.outputs = [nbformat.v4.new_output("display_data", data=bundles[name])]
        cell.metadata["tags"] = [f"kl-{name}"]
        nb.cells.append(cell)
    nbformat.write(nb, path)  # never signed: the server's notary db is empty


def _path(front_end: str, name: str) -> str:
    return FRONT_ENDS[front_end].format(name=name, stem=Path(name).stem.replace("_", "-"))


_TRUSTED = """() => { const cells = window.jupyterapp.shell.currentWidget.content.model.cells;
  const out = []; for (let i = 0; i < cells.length; i++) out.push(cells.get(i).trusted);
  return out; }"""

# Per code cell: its output text and every <img> with its decoded size.
_OUTPUTS = """() => Array.from(window.jupyterapp.shell.currentWidget.node
    .querySelectorAll('.jp-CodeCell')).map(cell => {
  const area = cell.querySelector('.jp-OutputArea');
  return {
    text: area ? area.innerText : '',
    images: area ? Array.from(area.querySelectorAll('img')).map(img => ({
      complete: img.complete, width: img.naturalWidth, height: img.naturalHeight,
      shown: img.getBoundingClientRect().width, src: img.src.slice(0, 30)})) : [],
  };
})"""


def _wait_for_images(page, count: int) -> list[dict]:
    def loaded(outputs: list[dict]) -> bool:
        images = [img for out in outputs for img in out["images"]]
        return len(images) >= count and all(img["complete"] for img in images)

    return poll(lambda: page.evaluate(_OUTPUTS), loaded, timeout=20, every=0.2)


@pytest.mark.parametrize("front_end", sorted(FRONT_ENDS))
def test_untrusted_stored_outputs_show_drawings_and_tables(
    front_end, jupyter_server, browser_context, artifacts_dir
):
    name = f"stored_untrusted_{front_end}.ipynb"
    _untrusted_notebook(jupyter_server.root / name)
    page = open_page(jupyter_server, browser_context, _path(front_end, name))
    try:
        page.wait_for_function(
            "window.jupyterapp.shell.currentWidget.node"
            f".querySelectorAll('.jp-CodeCell .jp-OutputArea-output').length >= {len(ENTRY_POINTS)}"
        )
        trusted = page.evaluate(_TRUSTED)
        assert trusted == [False] * len(ENTRY_POINTS), f"the notebook is trusted: {trusted}"
        drawings = sum(1 for _, _, has in ENTRY_POINTS.values() if has)
        outputs = _wait_for_images(page, drawings)
        page.screenshot(
            path=str(artifacts_dir / f"{front_end}-stored-untrusted.png"), full_page=True
        )
        assert len(outputs) == len(ENTRY_POINTS)
        for (entry, (_, expected, has_drawing)), out in zip(
            ENTRY_POINTS.items(), outputs, strict=True
        ):
            text = out["text"]
            assert WIDGET_ERROR not in text, f"{front_end} {entry}: {text[:200]!r}"
            assert not INTERNAL_ID.search(text), f"{front_end} {entry}: ids in {text[:300]!r}"
            assert expected in text, f"{front_end} {entry}: {expected!r} not in {text[:300]!r}"
            if has_drawing:
                shown = [img for img in out["images"] if img["width"] > 0 and img["shown"] > 0]
                assert shown, f"{front_end} {entry}: no drawing decoded: {out['images']}"
    finally:
        page.close()


# --- restart plus reload ------------------------------------------------------------------------

RESTART_CELLS = [
    "import keras\nimport keras_lens\n"
    "x = keras.Input(shape=(8,), name='features')\n"
    "h = keras.layers.Dense(4, name='hidden')(x)\n"
    "model = keras.Model(x, keras.layers.Dense(2, name='out')(h), name='tiny')",
    "keras_lens.graph(model)",
    "keras_lens.summary(model)",
]


def _execute(path: Path) -> None:
    spec = importlib.util.spec_from_file_location(
        "execute_notebooks", ROOT / "scripts" / "execute_notebooks.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.execute(path)


@pytest.fixture(scope="module")
def executed(jupyter_server) -> Path:
    """A small notebook executed by scripts/execute_notebooks.py, as the chapters are."""
    path = write_notebook(jupyter_server.root / "executed_template.ipynb", RESTART_CELLS)
    _execute(path)
    return path


def _trusted_copy(server, source: Path, name: str, keep_state: bool) -> None:
    from nbformat.sign import NotebookNotary

    nb = nbformat.read(source, as_version=4)
    if not keep_state:
        nb.metadata.pop("widgets", None)
    NotebookNotary(data_dir=str(server.root.parent / "data")).sign(nb)
    nbformat.write(nb, server.root / name)


def _widget_outputs(page) -> dict:
    return page.evaluate(
        """() => { const node = window.jupyterapp.shell.currentWidget.node; return {
          text: node.innerText,
          svgs: node.querySelectorAll('.jp-OutputArea .keras-lens-svg svg').length,
          rows: node.querySelectorAll('.jp-OutputArea .klens-sum tbody tr').length,
          trusted: (() => { const c = window.jupyterapp.shell.currentWidget.content.model.cells;
                            return c.length > 1 && c.get(1).trusted; })(),
        }; }"""
    )


def _wait_for_widgets(page) -> dict:
    def settled(state: dict) -> bool:
        return bool(state["svgs"] and state["rows"]) or WIDGET_ERROR in state["text"]

    return poll(lambda: _widget_outputs(page), settled, timeout=30, every=0.3)


@pytest.mark.parametrize("front_end", sorted(FRONT_ENDS))
def test_stored_widgets_render_after_restart_and_reload(
    front_end, executed, jupyter_server, browser_context, artifacts_dir
):
    stored = nbformat.read(executed, as_version=4)
    assert "application/vnd.jupyter.widget-state+json" in stored.metadata.get("widgets", {})
    name = f"restart_{front_end}.ipynb"
    _trusted_copy(jupyter_server, executed, name, keep_state=True)
    page = open_page(jupyter_server, browser_context, _path(front_end, name))
    try:
        state = _wait_for_widgets(page)
        assert state["trusted"], "the signed copy did not open trusted"
        assert WIDGET_ERROR not in state["text"], f"{front_end}: {state['text'][:300]!r}"
        assert state["svgs"] == 1 and state["rows"] == 3, state
        # restart the kernel, reload the page: the widgets come back from the stored state
        # (wait for the restarted kernel to be idle: a page that reloads while it still starts
        # gets no comm info from it, and the widget manager then skips the stored state too)
        page.evaluate(
            "async () => { const p = window.jupyterapp.shell.currentWidget;"
            " await p.sessionContext.ready; const kernel = p.sessionContext.session.kernel;"
            " await kernel.restart();"
            " for (let i = 0; i < 600 && kernel.status !== 'idle'; i++)"
            "   await new Promise(r => setTimeout(r, 100)); }"
        )
        page.reload()
        wait_ready(page)
        state = _wait_for_widgets(page)
        page.screenshot(path=str(artifacts_dir / f"{front_end}-restart-reload.png"), full_page=True)
        assert WIDGET_ERROR not in state["text"], f"{front_end}: {state['text'][:300]!r}"
        assert state["svgs"] == 1 and state["rows"] == 3, state
    finally:
        page.close()
    # the control: the same notebook without its widget state shows the error this prevents
    name = f"restart_no_state_{front_end}.ipynb"
    _trusted_copy(jupyter_server, executed, name, keep_state=False)
    page = open_page(jupyter_server, browser_context, _path(front_end, name))
    try:
        state = _wait_for_widgets(page)
        assert WIDGET_ERROR in state["text"], "control: without widget state no error shown?"
    finally:
        page.close()
