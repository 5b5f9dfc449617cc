"""With only the pip `dot` (graphviz-pure) and no system Graphviz, plot_model and keras_lens's
drawings work: what scripts/_setup.sh sets up on a machine where apt is not available.

The check runs in a fresh interpreter whose PATH is a temporary folder holding only ``python``
and the pip ``dot`` (graphviz-pure behind scripts/_pip_dot.sh, as scripts/_setup.sh installs
it), so /usr/bin/dot cannot be found by pydot, Keras or keras_lens.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

CODE = r"""
import os, shutil, sys
import keras
import keras_lens
from keras_lens.render import layout

assert shutil.which("dot") == os.path.join(sys.argv[1], "dot"), shutil.which("dot")
inputs = keras.Input(shape=(784,), name="pixels")
x = keras.layers.Dense(64, activation="relu", name="hidden")(inputs)
y = keras.layers.Dense(10, name="hidden2")(inputs)
outputs = keras.layers.Add(name="add")([keras.layers.Dense(10, name="proj")(x), y])
model = keras.Model(inputs, outputs, name="pip_dot")
png = os.path.join(sys.argv[2], "model.png")
keras.utils.plot_model(model, to_file=png, show_shapes=True, show_layer_names=True)
with open(png, "rb") as handle:
    head = handle.read(8)
print("png", head == b"\x89PNG\r\n\x1a\n", os.path.getsize(png))
svg = keras.utils.model_to_dot(model, show_shapes=True).create(format="svg").decode()
print("plot_model_svg", svg.count("<g id=\"node"))
engine = layout.find_engine()
print("engine", engine.name, engine.path)
try:
    keras.utils.plot_model(model, to_file=os.path.join(sys.argv[2], "model.ps"))
    print("real_ps accepted")
except Exception as exc:
    print("real_ps refused", type(exc).__name__)
import base64, re
bundle = keras_lens.graph(model)._repr_mimebundle_()
html = bundle["text/html"]  # the drawing: inline <svg>, or an <img> with the SVG as data URI
uris = re.findall(r"data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)", html)
svgs = [base64.b64decode(m).decode() for m in uris]
svg = "".join(svgs) or html
print("graph_svg", "<svg" in svg, svg.count("hidden"))
"""


def _pip_dot() -> str:
    for folder in (str(Path(sys.executable).parent), None):
        found = shutil.which("graphviz-pure", path=folder)
        if found:
            return found
    pytest.fail("graphviz-pure is not installed; it is in the test extra (bash scripts/test.sh)")


def test_plot_model_and_the_graph_drawing_work_with_only_the_pip_dot(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python").symlink_to(sys.executable)
    (bin_dir / "graphviz-pure").symlink_to(_pip_dot())
    shutil.copy(ROOT / "scripts" / "_pip_dot.sh", bin_dir / "dot")  # what _setup.sh installs
    env = dict(os.environ, PATH=str(bin_dir), KERAS_LENS_DATA="bundled")
    env.pop("KERAS_LENS_DOT", None)
    result = subprocess.run(
        [sys.executable, "-c", CODE, str(bin_dir), str(tmp_path)],  # the venv python
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    lines = dict(line.split(" ", 1) for line in result.stdout.splitlines() if " " in line)
    ok, size = lines["png"].split()
    assert ok == "True" and int(size) > 1000, lines["png"]
    assert int(lines["plot_model_svg"]) == 5, "one SVG node per layer (input + 4 layers)"
    name, path = lines["engine"].split()
    assert name == "graphviz-pure" and path == str(bin_dir / "dot")
    assert lines["real_ps"].startswith("refused"), "only Keras's empty probe graph is answered"
    has_svg, mentions = lines["graph_svg"].split()
    assert has_svg == "True" and int(mentions) >= 2
