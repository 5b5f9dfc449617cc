"""inspect(ResNet50(weights=None), batch) in a browser: the first tab shows before the trace ends.

A learner's notebook (live front end, not headless) runs ``keras_lens.inspect(model, batch)`` on
ResNet50 with a batch of two 224x224 images. The page records, every 20 ms, when the tabbed
widget shows its graph drawing, when the "layer i of n" progress line appears and each text it
shows, and when the line goes. The test checks that the drawing is on screen while the forward
pass is still running, that the progress names layers "i of 177", that it leaves, and that the
output the page would save holds the finished trace (no "Running the batch", no progress text,
no stderr). The timings are printed, and written to ``$KERAS_LENS_BENCH_OUT`` (JSON) for
``benchmarks/bench_inspect_browser.py``; they are not asserted (the goals live in benchmarks/).

Example:
    .venv/bin/python -m pytest tests/browser/test_inspect_progress.py -s
"""

from __future__ import annotations

import json
import os
import re

import pytest

try:
    import playwright.sync_api  # noqa: F401
except ImportError:  # the test extra installs it; the opt-out also covers a machine without it
    if os.environ.get("KERAS_LENS_SKIP_BROWSER") == "1":
        pytest.skip("KERAS_LENS_SKIP_BROWSER=1", allow_module_level=True)
    raise ImportError(
        "playwright is missing: run `bash scripts/test.sh` (installs the test extra) or set "
        "KERAS_LENS_SKIP_BROWSER=1"
    ) from None

from tests.browser._lens_page import (
    cell_outputs,
    open_notebook,
    run_all,
    wait_done,
    write_notebook,
)

pytestmark = pytest.mark.browser

SENTINEL = "KERAS_LENS_INSPECT_DONE"
RUN_TIMEOUT_MS = 420_000
#: keras.applications model to inspect (benchmarks/bench_inspect_browser.py also runs DenseNet121)
MODEL = os.environ.get("KERAS_LENS_BENCH_MODEL", "ResNet50")

CELLS = [
    f"""\
import time

import keras
import keras_lens
import numpy as np

model = keras.applications.{MODEL}(weights=None)
batch = np.random.default_rng(0).normal(size=(2, 224, 224, 3)).astype("float32")
lines = []
start = time.time()
model.summary(print_fn=lambda text, **kwargs: lines.append(text))
summary_ms = (time.time() - start) * 1000
model(batch, training=False)  # warm: the first call builds Keras's call path
start = time.time()
model(batch, training=False)
call_ms = (time.time() - start) * 1000
print("KL_REF", round(summary_ms), round(call_ms))""",
    """\
print("KL_START", time.time())
view = keras_lens.inspect(model, batch)
print("KL_BUILT", time.time())
view.add_class("kl-test-inspect")
view""",
    'print("KL_END", time.time())',
    f"print({SENTINEL!r})",
]

# Runs every 20 ms in the page: first times (Date.now()) and every progress text shown.
TICKER = """
const k = window.__kl;
const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
const cell = panel && panel.content && panel.content.model && panel.content.model.cells.get(2);
if (!k.output && cell && cell.outputs && cell.outputs.length >= 2) k.output = Date.now();
const root = document.querySelector('.kl-test-inspect');
if (root) {
  k.widget = k.widget || Date.now();
  const svg = root.querySelector('.keras-lens-svg svg');
  const tab = root.querySelector('.lm-TabBar-tab, .p-TabBar-tab');
  if (!k.firstTab && svg && tab && svg.getBoundingClientRect().height > 0) k.firstTab = Date.now();
  const line = root.querySelector('.klens-progress');
  if (line && line.getBoundingClientRect().height > 0) {
    k.progress = k.progress || Date.now();
    if (k.firstTab && !k.progressWithTab) k.progressWithTab = Date.now();
    const text = line.innerText.trim();
    if (k.texts[k.texts.length - 1] !== text) k.texts.push(text);
  } else if (k.progress && !k.progressGone) {
    k.progressGone = Date.now();
  }
}
"""


@pytest.fixture(scope="module", params=["lab", "notebook7"])
def run(request, jupyter_server, browser_context, artifacts_dir):
    front_end = request.param
    name = f"inspect_progress_{front_end}.ipynb"
    write_notebook(jupyter_server.root / name, CELLS)
    page = open_notebook(jupyter_server, browser_context, front_end, name, TICKER)
    run_all(page)
    shot = artifacts_dir / f"{front_end}-inspect-progress.png"
    try:  # a screenshot while the progress line is up
        page.locator(".kl-test-inspect .klens-progress").wait_for(timeout=120_000)
        page.locator(".kl-test-inspect").scroll_into_view_if_needed()
        page.screenshot(path=str(shot))
    except Exception:
        pass
    wait_done(page, SENTINEL, RUN_TIMEOUT_MS, artifacts_dir / f"{front_end}-inspect-error.png")
    page.locator(".kl-test-inspect").scroll_into_view_if_needed()
    page.wait_for_timeout(500)  # one more tick after the update
    page.screenshot(path=str(artifacts_dir / f"{front_end}-inspect-done.png"))
    marks = page.evaluate("() => window.__kl")
    outputs = cell_outputs(page)
    yield front_end, marks, outputs, shot
    page.close()


def _stamp(outputs, key: str) -> list[float]:
    for cell in outputs:
        for out in cell:
            text = "".join(out.get("text", "")) if out.get("output_type") == "stream" else ""
            match = re.search(rf"{key} ([\d. ]+)", text)
            if match:
                return [float(v) for v in match.group(1).split()]
    pytest.fail(f"no {key} line in the outputs")


def test_first_tab_shows_while_the_trace_runs(run):
    front_end, marks, outputs, shot = run
    start = _stamp(outputs, "KL_START")[0] * 1000
    built = _stamp(outputs, "KL_BUILT")[0] * 1000
    end = _stamp(outputs, "KL_END")[0] * 1000
    summary_ms, call_ms = _stamp(outputs, "KL_REF")
    assert marks.get("firstTab"), f"{front_end}: the graph tab never showed: {marks}"
    assert marks.get("progress"), f"{front_end}: no progress line was ever visible: {marks}"
    assert marks.get("progressWithTab"), "the progress line was never up with the graph shown"
    assert marks.get("progressGone"), "the progress line stayed"
    assert marks["firstTab"] < marks["progressGone"], marks  # the graph came first
    timings = {
        "model": MODEL,
        "front_end": front_end,
        "first_tab_ms": round(marks["firstTab"] - start),
        "built_ms": round(built - start),
        "output_ms": round(marks["output"] - start) if marks.get("output") else None,
        "widget_ms": round(marks["widget"] - start),
        "trace_done_ms": round(marks["progressGone"] - start),
        "cell_done_ms": round(end - start),
        "summary_ms": summary_ms,
        "model_call_ms": call_ms,
        "progress_texts": len(marks["texts"]),
    }
    print(f"\n{front_end}: {timings}")
    out = os.environ.get("KERAS_LENS_BENCH_OUT")
    if out:
        with open(out, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(timings) + "\n")
    assert shot.exists(), "no screenshot with the progress line"


def test_progress_names_layer_i_of_n(run):
    _, marks, _, _ = run
    texts = marks["texts"]
    counted = [re.search(r"layer (\d+) of (\d+): (\S+)", text) for text in texts]
    counted = [m for m in counted if m]
    assert len(counted) >= 3, f"too few progress steps seen: {texts}"
    totals = {m.group(2) for m in counted}
    assert len(totals) == 1, texts
    if MODEL == "ResNet50":
        assert totals == {"177"}, texts  # ResNet50's 177 nodes
    steps = [int(m.group(1)) for m in counted]
    assert steps == sorted(steps) and steps[-1] > steps[0], texts


def test_the_output_to_save_holds_the_finished_trace(run):
    front_end, _, outputs, _ = run
    stderr = [o for cell in outputs for o in cell if o.get("name") == "stderr"]
    assert not stderr, f"{front_end}: stderr in the outputs: {stderr}"
    (shown,) = [o for o in outputs[2] if o.get("output_type") in ("display_data", "execute_result")]
    html = "".join(shown["data"]["text/html"])
    assert "Running the batch" not in html and "Tracing shapes" not in html
    assert "Traced with a batch of 2: every actual shape fits" in html
    assert shown["data"]["text/plain"].startswith(f"<Inspect '{MODEL.lower()}': ")
    assert "application/vnd.jupyter.widget-view+json" in shown["data"]
