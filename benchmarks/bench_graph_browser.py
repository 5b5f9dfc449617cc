"""The navigable graph in Chromium: how fast zoom, pan, search, click and expand answer.

One process. For each model, Python builds ``keras_lens.graph(model)`` (the SVG and the box
index it sends), then a headless Chromium (Debian's, via Playwright) loads a page holding only
``frontend/graph.js`` + ``graph.css`` and a stand-in for the widget model (no Jupyter: the
front-end code is timed alone). Each interaction is timed with ``performance.now()`` from the
event to two animation frames later (the frame that shows the result):

* first drawing: the ``svg`` trait arrives -> drawn, measured, minimap painted;
* zoom: one wheel event; pan: one drag (down, 5 moves, up); search: each key of
  "conv4_block3" typed; click-to-select: a click on a box (selection mark + minimap);
* expand/collapse: Python's ``GraphView.toggle`` (DOT + layout, the kernel's share) plus the
  page redrawing the new SVG (the network hop of a real kernel is not included).

Goals (issue 11): zoom, pan, search, click <= 100 ms on ResNet50 and DenseNet121; expand or
collapse <= 300 ms; first drawing of a 1,000-layer model <= 1.5 s; a wide 10,000-layer model
drawn folded <= 10 s. Exit status 1 if a goal is missed. The same run then times
``keras.utils.plot_model`` on the wide model (in a subprocess that builds the same model first;
its clock starts once the model is built; killed after ``--plot-model-limit`` seconds).

Usage:
    .venv/bin/python benchmarks/bench_graph_browser.py [--only apps|dag|wide] [--plot-model-limit S]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras
import keras_lens
import keras_lens.render.layout
from keras_lens.views import graph_view
from keras_lens.views.graph_canvas import FRONTEND

sys.path.insert(0, str(Path(__file__).parent))
from bench_graph import generated_dag

CHROMIUM = os.environ.get("KERAS_LENS_CHROMIUM", "/usr/bin/chromium")
GOAL_INTERACTION, GOAL_TOGGLE, GOAL_FIRST_1000, GOAL_WIDE = 0.100, 0.300, 1.5, 10.0

PAGE = """<!doctype html><html><head><meta charset="utf-8"><style>{css}</style></head>
<body style="margin:0;width:1000px"><div id="host" style="display:flex;width:1000px"></div>
</body></html>"""

# A stand-in for the anywidget model: get/set/on/off/send/save_changes.
HARNESS = """
window.klModel = (state) => {
  const handlers = {};
  const sent = [];
  return {
    sent,
    get: (k) => state[k],
    set: (k, v) => { state[k] = v; (handlers['change:' + k] || []).forEach((f) => f()); },
    on: (name, f) => { (handlers[name] = handlers[name] || []).push(f); },
    off: (name, f) => { handlers[name] = (handlers[name] || []).filter((g) => g !== f); },
    send: (msg) => sent.push(msg),
    save_changes: () => {},
  };
};
window.frames2 = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
"""


# Types "conv4_block3" into the search box, one key per frame; the slowest key (ms).
SEARCH = """async () => {
  const box = document.querySelector('.kl-search');
  const word = 'conv4_block3';
  const times = [];
  box.value = '';
  for (const ch of word) {
    const t = performance.now();
    box.value += ch;
    box.dispatchEvent(new Event('input', {bubbles: true}));
    await frames2();
    times.push(performance.now() - t);
  }
  box.value = '';
  box.dispatchEvent(new Event('input', {bubbles: true}));
  return Math.max(...times);
}"""


def wide_model(stages: int = 100, width: int = 99) -> keras.Model:
    """``stages`` stages in a row, each ``width`` parallel ``Activation`` layers + an ``Add``.

    10,002 layers with the defaults, at most 2 stages deep per 200 layers (Keras's own graph
    walk recurses along the depth). Weightless layers: building 10,000 ``Dense`` layers takes
    Keras ~8 minutes on this machine (30 ms each, mostly creating variables), ``Activation``
    ~5 ms; the drawing does not depend on the layer's class.
    """
    x = keras.Input(shape=(4,), name="x")
    h = x
    for i in range(stages):
        branches = [keras.layers.Activation("relu", name=f"stage{i}_a{j}")(h) for j in range(width)]
        h = keras.layers.Add(name=f"stage{i}_add")(branches)
    return keras.Model(x, keras.layers.Dense(1, name="out")(h), name="wide10k")


def js_module() -> str:
    text = (FRONTEND / "graph.js").read_text()
    return text.replace("export default { render };", "window.klRender = render;")


def measure(page, view, label: str, interactions: bool) -> dict[str, float]:
    """Time the page's first drawing of ``view`` and (optionally) its interactions."""
    state = {
        "svg": "",
        "index": view.canvas.index,
        "selected": "",
        "rankdir": view.canvas.rankdir,
        "name": view.canvas.name,
        "labels": view.canvas.labels,
        "legend": view.canvas.legend,
        "summary_text": "",
    }
    page.evaluate(
        """(state) => {
        const host = document.getElementById('host');
        host.replaceChildren();
        const el = document.createElement('div');
        el.style.flex = '1 1 auto';
        host.appendChild(el);
        window.m = klModel(state);
        window.klRender({model: window.m, el});
      }""",
        state,
    )
    page.evaluate("frames2()")
    out: dict[str, float] = {}
    out["first_drawing_s"] = page.evaluate(
        """async (svg) => {
        const t = performance.now();
        window.m.set('svg', svg);
        await new Promise((r) => requestAnimationFrame(r));  // mount runs on the next frame
        await frames2();
        return (performance.now() - t) / 1000;
      }""",
        view.canvas.svg,
    )
    out["boxes"] = len(view.canvas.index.get("boxes", {}))
    # boxes far from the view are kept out of the document until the view reaches them
    out["boxes_in_page"] = page.evaluate("document.querySelectorAll('#host g.node').length")
    if not interactions:
        return out
    # one search while the background layouts of the drawings one click away still run (they
    # share the 2 cores with the page), then wait for them: a person reads the drawing first
    out["search_during_prefetch_ms"] = page.evaluate(SEARCH)
    t = time.perf_counter()
    view.prefetcher.idle(timeout=600)
    out["prefetch_s"] = time.perf_counter() - t
    out["zoom_ms"] = page.evaluate(
        """async () => {
        const vp = document.querySelector('.kl-viewport');
        const times = [];
        for (let i = 0; i < 10; i++) {
          const t = performance.now();
          vp.dispatchEvent(new WheelEvent('wheel', {deltaY: i % 2 ? 120 : -120, clientX: 300,
            clientY: 300, bubbles: true, cancelable: true}));
          await frames2();
          times.push(performance.now() - t);
        }
        return times.sort((a, b) => a - b)[5];
      }"""
    )
    out["pan_ms"] = page.evaluate(
        """async () => {
        const vp = document.querySelector('.kl-viewport');
        const ev = (type, x) => new PointerEvent(type, {pointerId: 1, button: 0, clientX: x,
          clientY: 300, bubbles: true});
        const times = [];
        for (let i = 0; i < 5; i++) {
          const t = performance.now();
          vp.dispatchEvent(ev('pointerdown', 300));
          for (let k = 1; k <= 5; k++) vp.dispatchEvent(ev('pointermove', 300 + 20 * k));
          vp.dispatchEvent(ev('pointerup', 400));
          await frames2();
          times.push(performance.now() - t);
        }
        return times.sort((a, b) => a - b)[2];
      }"""
    )
    out["search_key_ms"] = page.evaluate(SEARCH)
    out["click_select_ms"] = page.evaluate(
        """async () => {
        const nodes = [...document.querySelectorAll('#host g.node')];
        const times = [];
        for (let i = 0; i < 5; i++) {
          const g = nodes[Math.floor((i + 1) * nodes.length / 7)];
          const t = performance.now();
          g.querySelector('text').dispatchEvent(new MouseEvent('click', {bubbles: true}));
          await frames2();
          times.push(performance.now() - t);
        }
        return times.sort((a, b) => a - b)[2];
      }"""
    )
    if view.groups and view.options.fold:
        # the middle group drawn folded: open it, close it. "cold": the layout is made on the
        # click (what happens when the click comes before the background prefetch is done);
        # then, after the prefetch of the drawings one click away has finished (a person
        # looks at the drawing for a second or two first), the same with the layout ready.
        gid = view.groups[len(view.groups) // 2].id
        for variant in ("cold", "prefetched"):
            if variant == "cold":
                view.prefetcher.idle()
                view._svg_cache = {k: v for k, v in view._svg_cache.items() if not k.flipped}
                keras_lens.render.layout.clear_cache()
                graph_view.PREFETCH = False  # nothing laid out ahead of these clicks
                prefetch_s = 0.0
            else:  # the state after the first drawing: its neighbours laid out ahead
                view._prefetch_neighbours(view.canvas.index)
                t = time.perf_counter()
                view.prefetcher.idle()
                prefetch_s = time.perf_counter() - t
            times = []
            for _ in range(2):  # open, close
                t = time.perf_counter()
                view.toggle(gid)
                python = time.perf_counter() - t
                page_s = redraw(page, view)
                times.append((python, page_s))
                if variant == "prefetched":
                    view.prefetcher.idle()  # the next click's drawing laid out meanwhile
            graph_view.PREFETCH = True
            tag = "" if variant == "prefetched" else "_cold"
            out[f"expand{tag}_ms"] = 1000 * sum(times[0])
            out[f"expand{tag}_python_ms"] = 1000 * times[0][0]
            out[f"collapse{tag}_ms"] = 1000 * sum(times[1])
            if variant == "prefetched":
                out["toggle_prefetch_s"] = prefetch_s
    print(f"{label}: " + json.dumps({k: round(v, 3) for k, v in out.items()}), flush=True)
    return out


EARLY_AFTER_S = 0.2  # the early click comes this long after the page has drawn


def early_click(page, model, label: str, hover: float | None = None) -> dict[str, float]:
    """Open and close the middle group 0.2 s after a fresh view's first drawing.

    Nothing is cached: the layout cache is cleared and the view is new, so its background
    layouts (``graph_prefetch``) run on their normal schedule while the click happens; the click
    gets whatever they have done by then. Python's ``toggle`` plus the page's redraw, as above.
    ``hover``: the page reports the pointer over the group this many seconds before the click
    (the message graph.js sends on ``pointerover``); ``None``: no hover message at all.
    """
    keras_lens.render.layout.clear_cache()
    view = keras_lens.graph(model)
    measure(page, view, f"{label} (early click)", False)
    gid = view.groups[len(view.groups) // 2].id
    if hover is None:
        time.sleep(EARLY_AFTER_S)
    else:
        time.sleep(max(0.0, EARLY_AFTER_S - hover))
        view._on_message(view.canvas, {"type": "hover", "key": gid}, [])
        time.sleep(hover)
    out: dict[str, float] = {}
    tag = "early" if hover is None else "hover"
    for name in ("expand", "collapse"):
        t = time.perf_counter()
        view.toggle(gid)
        python = time.perf_counter() - t
        page_s = redraw(page, view)
        out[f"{name}_{tag}_ms"] = 1000 * (python + page_s)
        out[f"{name}_{tag}_python_ms"] = 1000 * python
    view.prefetcher.idle()
    print(f"{label} {tag} click: " + json.dumps({k: round(v) for k, v in out.items()}), flush=True)
    return out


def redraw(page, view) -> float:
    """Seconds the page takes to show the view's current ``svg``/``index`` (two frames)."""
    return page.evaluate(
        """async ([svg, index]) => {
        const t = performance.now();
        window.m.set('index', index);
        window.m.set('svg', svg);
        await new Promise((r) => requestAnimationFrame(r));
        await frames2();
        return (performance.now() - t) / 1000;
      }""",
        [view.canvas.svg, view.canvas.index],
    )


def plot_model_on_wide(limit: float = 300.0) -> str:
    code = (
        "import os, sys, time; os.environ['TF_CPP_MIN_LOG_LEVEL']='3'\n"
        "sys.path.insert(0, 'benchmarks')\n"
        "import keras\nfrom bench_graph_browser import wide_model\n"
        "t = time.perf_counter(); m = wide_model()\n"
        "print(f'built in {time.perf_counter() - t:.0f} s', flush=True); t = time.perf_counter()\n"
        "keras.utils.plot_model(m, to_file=sys.argv[1], show_shapes=True)\n"
        "print(f'{time.perf_counter() - t:.1f}')\n"
    )
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "wide.png"
        proc = subprocess.Popen(  # its own process group: dot is killed with it
            [sys.executable, "-c", code, str(target)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        built = proc.stdout.readline().strip()  # the Keras model is built: the clock starts
        try:
            out, err = proc.communicate(timeout=limit)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            return f"did not finish in {limit:.0f} s ({built}; killed)"
        if proc.returncode:
            tail = (err.strip().splitlines() or ["?"])[-1]
            return f"failed: {tail[:200]}"
        size = target.stat().st_size if target.exists() else 0
        return f"{out.strip()} s, a {size / 1e6:.1f} MB PNG ({built})"


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", choices=["apps", "dag", "wide"], action="append")
    parser.add_argument("--plot-model-limit", type=float, default=420.0)
    args = parser.parse_args()
    parts = set(args.only or ["apps", "dag", "wide"])
    from playwright.sync_api import sync_playwright

    keras_lens.graph(keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)]))  # imports
    results: dict[str, dict[str, float]] = {}
    print(f"load average at the start: {_load()}", flush=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        page.set_content(PAGE.format(css=(FRONTEND / "graph.css").read_text()))
        page.add_script_tag(content=HARNESS)
        page.add_script_tag(content=js_module())
        page.wait_for_function("!!window.klRender")
        if "apps" in parts:
            for label, build in (
                ("ResNet50", lambda: keras.applications.ResNet50(weights=None)),
                ("DenseNet121", lambda: keras.applications.DenseNet121(weights=None)),
            ):
                model = build()
                results[f"{label} early"] = early_click(page, model, label)
                results[f"{label} hover"] = early_click(page, model, label, hover=0.15)
                for fold in (True, False):
                    name = f"{label} {'folded' if fold else 'unfolded'}"
                    view = keras_lens.graph(model, fold=fold)
                    results[name] = measure(page, view, name, True)
                    view.prefetcher.idle()
        if "dag" in parts:
            dag = generated_dag(1000)
            keras_lens.render.layout.clear_cache()
            t = time.perf_counter()
            view = keras_lens.graph(dag, fold=False)
            python = time.perf_counter() - t
            r = measure(page, view, "1,000-layer DAG", False)
            r["python_s"] = python
            results["1,000-layer DAG"] = r
            print(f"1,000-layer DAG: python {python:.2f} s, page {r['first_drawing_s']:.2f} s")
        if "wide" in parts:
            t = time.perf_counter()
            wide = wide_model()
            build = time.perf_counter() - t
            t = time.perf_counter()
            view = keras_lens.graph(wide)
            python = time.perf_counter() - t
            r = measure(page, view, "wide 10,000-layer", False)
            r["python_s"] = python
            r["layers"] = len(view.layer_graph.layers)
            results["wide 10,000-layer (folded)"] = r
            print(
                f"wide: {r['layers']} layers (Keras built it in {build:.0f} s), keras_lens.graph "
                f"python {python:.2f} s, page {r['first_drawing_s']:.2f} s, "
                f"total {python + r['first_drawing_s']:.2f} s",
                flush=True,
            )
        browser.close()
    if "wide" in parts:
        plot = plot_model_on_wide(args.plot_model_limit)
        print("plot_model on the wide model:", plot, flush=True)
    missed = []
    for name, r in results.items():
        for key in ("zoom_ms", "pan_ms", "search_key_ms", "click_select_ms"):
            if key in r and r[key] > 1000 * GOAL_INTERACTION:
                missed.append(f"{name} {key} {r[key]:.0f} ms")
        for key in ("expand_ms", "collapse_ms", "expand_early_ms", "collapse_early_ms"):
            if key in r and r[key] > 1000 * GOAL_TOGGLE:
                missed.append(f"{name} {key} {r[key]:.0f} ms")
    dag_r = results.get("1,000-layer DAG")
    if dag_r and dag_r["first_drawing_s"] > GOAL_FIRST_1000:
        missed.append(f"1,000-layer first drawing {dag_r['first_drawing_s']:.2f} s")
    wide_r = results.get("wide 10,000-layer (folded)")
    if wide_r and wide_r["python_s"] + wide_r["first_drawing_s"] > GOAL_WIDE:
        missed.append("wide model drawing")
    print(f"load average at the end: {_load()}")
    print("goals missed: " + (", ".join(missed) if missed else "none"))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
