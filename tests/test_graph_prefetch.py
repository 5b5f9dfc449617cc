"""Issue 11's Python side of a fast graph: layouts made ahead of the click, frame titles that
arrows go round, and a copyable summary made on request for big models."""

from __future__ import annotations

import re
import shutil

import keras
import keras_lens
import pytest
from keras_lens.render.dot_render import GraphOptions, to_dot
from keras_lens.views import graph_view

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot not installed")


def _blocks(n: int = 3) -> keras.Model:
    x = keras.Input(shape=(4,), name="x")
    h = x
    for i in range(1, n + 1):
        h = keras.layers.Dense(4, name=f"block{i}_dense")(h)
        h = keras.layers.ReLU(name=f"block{i}_relu")(h)
    return keras.Model(x, keras.layers.Dense(1, name="out")(h), name="blocks")


def _nested() -> keras.Model:
    encoder = keras.Sequential(
        [keras.Input(shape=(8,)), keras.layers.Dense(6, name="enc_a")], name="encoder"
    )
    x = keras.Input(shape=(8,), name="features")
    return keras.Model(x, keras.layers.Dense(2, name="head")(encoder(x)), name="outer")


@needs_dot
def test_the_drawing_one_click_away_is_laid_out_before_the_click(monkeypatch):
    view = keras_lens.graph(_blocks(), fold=True)
    (group,) = view.groups
    assert view.prefetcher.idle(timeout=60)
    opened = view.options.with_(highlight=None, flipped=frozenset({group.id}))
    assert opened in view._svg_cache, "the opened group should have been laid out ahead"

    def no_layout(*args, **kwargs):
        raise AssertionError("the click ran a layout although it was prefetched")

    monkeypatch.setattr(graph_view, "dot_to_svg", no_layout)
    view.toggle(group.id)
    assert "block2_dense" in view.canvas.svg and "cluster" in view.canvas.svg


@needs_dot
def test_prefetch_can_be_turned_off(monkeypatch):
    monkeypatch.setattr(graph_view, "PREFETCH", False)
    view = keras_lens.graph(_blocks(), fold=True)
    assert view.prefetcher.idle(timeout=5)
    assert all(not options.flipped for options in view._svg_cache)


def test_a_frame_title_is_a_box_ranked_above_the_frame():
    graph = keras_lens.graph(_nested()).layer_graph
    dot = to_dot(graph, GraphOptions(expand_nested=True))
    assert re.search(r"c1_label \[shape=plaintext.*encoder", dot), dot
    assert 'label=""' in dot, "the cluster itself has no label: the router ignores those"
    first = re.search(r"c1_label -> (L\d+) \[style=invis\]", dot)
    assert first, dot
    assert re.search(r"L\d+ -> c1_label \[style=invis\]", dot), "ranked below its feeder"


@needs_dot
def test_the_frame_title_is_moved_into_its_frame_in_the_svg():
    view = keras_lens.graph(_nested(), expand_nested=True)
    svg = view.canvas.svg
    assert "node kl&#45;frame" not in svg and 'class="node kl-frame' not in svg
    frame = re.search(r'<g id="[^"]*" class="cluster kl_c1">(.*?)\n</g>\n</g>\n</g>', svg, re.S)
    assert frame and 'class="kl-frame-label kl_c1"' in frame.group(1), svg[:2000]
    assert "encoder" in re.sub(r"<[^>]+>", "", frame.group(1))
    assert view.canvas.index["clusters"]["c1"]["key"] == "encoder"


def test_a_big_models_summary_is_made_on_request(monkeypatch):
    monkeypatch.setattr(graph_view, "_EAGER_SUMMARY", 3)
    view = keras_lens.graph(_blocks())
    assert view.canvas.summary_lazy and view.canvas.summary_text == ""
    view._on_message(view.canvas, {"type": "summary"}, [])
    assert "block3_relu" in view.canvas.summary_text and "Total params" in view.canvas.summary_text
    small = keras_lens.graph(_nested())
    assert not small.canvas.summary_lazy and "enc_a" in small.canvas.summary_text


@needs_dot
def test_a_hovered_group_is_laid_out_at_once_at_normal_priority(monkeypatch):
    monkeypatch.setattr(graph_view, "_PREFETCH_DELAY", 120.0)  # the queue alone would wait
    seen = []
    real = graph_view.dot_to_svg

    def recording(dot, engine, background=False):
        seen.append(("block2_dense" in dot, background))
        return real(dot, engine, background=background)

    monkeypatch.setattr(graph_view, "dot_to_svg", recording)
    view = keras_lens.graph(_blocks(), fold=True)
    (group,) = view.groups
    opened = view.options.with_(highlight=None, flipped=frozenset({group.id}))
    assert opened not in view._svg_cache
    view._on_message(view.canvas, {"type": "hover", "key": group.id}, [])
    assert view.prefetcher.idle(timeout=60), "the hover should have started the layout now"
    assert opened in view._svg_cache
    assert (True, False) in seen, f"the hovered layout should run un-niced: {seen}"
    view._on_message(view.canvas, {"type": "hover", "key": "group:nope"}, [])  # stale: ignored
    view.toggle(group.id)
    assert "block2_dense" in view.canvas.svg


def test_prefetcher_first_jumps_the_queue_and_workers_run_together():
    import threading

    from keras_lens.views.graph_prefetch import Prefetcher

    started, gate = [], threading.Event()

    def work(key):
        started.append(key)
        gate.wait(10)

    p = Prefetcher(work, delay=60.0, workers=2)
    p.ahead(["a", "b", "c"])
    assert started == []  # waiting for the delay
    p.first("c")
    deadline = threading.Event()
    for _ in range(100):
        if len(started) == 2:
            break
        deadline.wait(0.05)
    assert started == ["c", "a"], "c first, and two at once"
    assert p.running("c") and not p.wait("b")  # b was queued: the caller takes it over
    gate.set()
    assert p.idle(timeout=10) and started == ["c", "a"]


def test_a_hovered_key_does_not_wait_for_busy_workers():
    import threading

    from keras_lens.views.graph_prefetch import Prefetcher

    started, gate = [], threading.Event()

    def work(key):
        started.append(key)
        gate.wait(10)

    p = Prefetcher(work, workers=1)
    p.ahead(["slow", "later"])
    for _ in range(100):
        if started:
            break
        threading.Event().wait(0.05)
    p.first("hovered")
    for _ in range(100):
        if "hovered" in started:
            break
        threading.Event().wait(0.05)
    assert started == ["slow", "hovered"], "the hovered key starts beside the busy worker"
    gate.set()
    assert p.idle(timeout=10) and sorted(started) == ["hovered", "later", "slow"]
