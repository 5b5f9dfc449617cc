"""Does ``graphviz-pure`` draw every seed model as the system ``dot`` does?

For each seed model and several option sets, lays out the same DOT text with both engines and
compares what a reader sees: the boxes (node titles), the arrows (edge titles) and every text
run in the boxes. Prints one line per case and a summary; exit status 1 on any difference.

Usage:
    .venv/bin/python benchmarks/eval_graphviz_pure.py [path/to/graphviz-pure]
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import time
from collections import Counter
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from keras_lens.adapter import build_layer_graph
from keras_lens.render.dot_render import GraphOptions, to_dot
from keras_lens.render.layout import Engine, dot_to_svg

from tests import seed_models as seeds

OPTION_SETS = {
    "default": GraphOptions(),
    "everything": GraphOptions(
        show_dtypes=True, show_activations=True, show_trainable=True, rankdir="LR"
    ),
    "nested": GraphOptions(expand_nested=True, show_trainable=True),
}


def seen(svg: str) -> tuple[Counter, Counter]:
    titles = Counter(re.findall(r"<title>([^<]*)</title>", svg))
    texts = Counter(t.strip() for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg))
    return titles, texts


def models() -> dict[str, object]:
    found: dict[str, object] = {n: f() for n, f in seeds.FUNCTIONAL_FACTORIES.items()}
    found["autoencoder_nested_001"] = seeds.autoencoder_nested_001()[2]
    found["autoencoder_same_graph_001"] = seeds.autoencoder_same_graph_001()[1]
    found["sequential_002"] = seeds.sequential_002()
    found["vgg19_features_001"] = seeds.vgg19_features_001()
    return found


def main() -> int:
    pure_path = sys.argv[1] if len(sys.argv) > 1 else shutil.which("graphviz-pure")
    dot_path = shutil.which("dot")
    if not pure_path or not dot_path:
        print("needs both `dot` and `graphviz-pure`")
        return 2
    dot, pure = Engine("dot", dot_path), Engine("graphviz-pure", pure_path)
    failures = 0
    times = {"dot": 0.0, "graphviz-pure": 0.0}
    for name, model in models().items():
        graph = build_layer_graph(model)
        for label, options in OPTION_SETS.items():
            text = to_dot(graph, options)
            results = {}
            for engine in (dot, pure):
                start = time.perf_counter()
                try:
                    results[engine.name] = seen(dot_to_svg(text, engine))
                except Exception as exc:  # report, keep going
                    results[engine.name] = exc
                times[engine.name] += time.perf_counter() - start
            same = results["dot"] == results["graphviz-pure"]
            failures += not same
            print(f"{'ok  ' if same else 'DIFF'} {name:30s} {label}")
            if not same:
                print("     dot:", results["dot"])
                print("     graphviz-pure:", results["graphviz-pure"])
    print(
        f"{failures} difference(s); layout time dot {times['dot']:.2f} s, "
        f"graphviz-pure {times['graphviz-pure']:.2f} s"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
