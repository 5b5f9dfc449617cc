"""Lay out DOT text as SVG with a Graphviz engine, and cache the result.

Engines, in order: ``$KERAS_LENS_DOT`` (a path), the system ``dot`` on ``PATH``, then the
``graphviz-pure`` command (``pip install graphviz-pure``: a self-contained port of ``dot``, for
machines where only pip works; see benchmarks/README.md for its evaluation). The engine runs in a
subprocess with a timeout; its output never reaches the notebook's stdout.

Example:
    >>> from keras_lens.render.layout import find_engine, dot_to_svg
    >>> engine = find_engine()
    >>> engine is None or dot_to_svg("digraph { a -> b }", engine).startswith("<svg")
    True
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import subprocess
import sys
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "INSTALL_HELP",
    "Engine",
    "LayoutError",
    "NoEngineError",
    "clear_cache",
    "dot_to_svg",
    "find_engine",
    "hurry",
    "nest_frame_labels",
]

INSTALL_HELP = (
    "Drawing the layer graph needs Graphviz's `dot` program, and none was found. Install it, "
    "then run the cell again:\n"
    "  Debian/Ubuntu: sudo apt-get install graphviz\n"
    "  conda:         conda install -c conda-forge graphviz\n"
    "  macOS:         brew install graphviz\n"
    "  Windows:       winget install graphviz   (or choco install graphviz)\n"
    "  pip only:      pip install graphviz-pure   (a self-contained port of dot;\n"
    "                 also: pip install 'keras-lens[graphviz]')\n"
    "Google Colab already has it. The layer list below works without it."
)

_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_PROLOG = re.compile(r"<\?xml[^>]*\?>|<!DOCTYPE[^>]*>", re.DOTALL)
_ID = re.compile(r'\bid="')


class LayoutError(RuntimeError):
    """The layout engine failed (its message is included)."""


class NoEngineError(LayoutError):
    """No Graphviz engine is installed; the message says how to install one."""


@dataclass(frozen=True)
class Engine:
    """A layout command: ``name`` (``"dot"`` or ``"graphviz-pure"``) and its ``path``."""

    name: str
    path: str


def find_engine() -> Engine | None:
    """The first available engine (see the module docstring), or ``None``.

    Example:
        >>> e = find_engine()
        >>> e is None or e.name in ("dot", "graphviz-pure", "custom")
        True
    """
    custom = os.environ.get("KERAS_LENS_DOT")
    if custom:
        found = shutil.which(custom)
        return Engine("custom", found) if found else None
    dot = shutil.which("dot")
    if dot:
        # scripts/_setup.sh links the venv's bin/dot to graphviz-pure on machines without
        # Graphviz (pydot and plot_model run `dot` by name): name the engine for what it is
        return Engine("graphviz-pure" if _runs_graphviz_pure(dot) else "dot", dot)
    for folder in (None, str(Path(sys.executable).parent)):  # a venv's bin may not be on PATH
        pure = shutil.which("graphviz-pure", path=folder)
        if pure:
            return Engine("graphviz-pure", pure)
    return None


def _runs_graphviz_pure(path: str) -> bool:
    """True for graphviz-pure itself or the small ``dot`` script that runs it."""
    real = os.path.realpath(path)
    if os.path.basename(real).startswith("graphviz-pure"):
        return True
    try:
        with open(real, "rb") as handle:
            head = handle.read(512)
    except OSError:
        return False
    return head.startswith(b"#!") and b"graphviz-pure" in head


def dot_to_svg(
    dot_text: str, engine: Engine | None = None, timeout: float = 120.0, background: bool = False
) -> str:
    """Run the engine on ``dot_text`` and return cleaned, deterministic inline SVG (cached).

    ``background=True`` runs the engine at a lower CPU priority (``nice``, where there is one):
    a layout made ahead of a click must not slow down the page or the kernel's own work.

    Raises:
        NoEngineError: no engine installed (message: how to install one).
        LayoutError: the engine failed or took longer than ``timeout`` seconds.
    """
    engine = engine or find_engine()
    if engine is None:
        raise NoEngineError(INSTALL_HELP)
    digest = hashlib.sha1(dot_text.encode("utf-8")).hexdigest()
    key = (engine.path, digest)
    with _LOCK:
        if key in _SVG_CACHE:
            _SVG_CACHE.move_to_end(key)
            return _SVG_CACHE[key]
    command = [engine.path, "-Tsvg"]
    if background and _NICE:
        command = [_NICE, "-n", "10", *command]
    try:
        proc = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
    except OSError as exc:
        raise LayoutError(f"could not run {engine.path}: {exc}") from None
    if background:
        with _LOCK:
            _BACKGROUND.add(proc)
    try:
        stdout, stderr = proc.communicate(dot_text.encode("utf-8"), timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise LayoutError(
            f"{engine.name} took more than {timeout:.0f} s to lay out the graph; "
            "try expand_nested=False or a smaller model."
        ) from None
    finally:
        with _LOCK:
            _BACKGROUND.discard(proc)
    proc = subprocess.CompletedProcess(command, proc.returncode, stdout, stderr)
    if proc.returncode != 0 or not proc.stdout:
        message = proc.stderr.decode("utf-8", "replace").strip()[-2000:]
        raise LayoutError(f"{engine.name} failed (exit {proc.returncode}): {message}")
    svg = clean_svg(proc.stdout.decode("utf-8", "replace"), prefix=f"kl{digest[:8]}-")
    with _LOCK:
        _SVG_CACHE[key] = svg
        while len(_SVG_CACHE) > _MAX_CACHE:
            _SVG_CACHE.popitem(last=False)
    return svg


def hurry() -> None:
    """Raise the background layouts running now back to normal priority (a click waits on one).

    Lowering a process's ``nice`` value needs the right to do so (root, or ``CAP_SYS_NICE``);
    without it the layouts go on at their low priority.
    """
    with _LOCK:
        running = list(_BACKGROUND)
    for proc in running:
        with contextlib.suppress(OSError, AttributeError):
            os.setpriority(os.PRIO_PROCESS, proc.pid, 0)


def clear_cache() -> None:
    """Forget every cached SVG (the next drawing runs the engine again)."""
    with _LOCK:
        _SVG_CACHE.clear()


def clean_svg(svg: str, prefix: str = "") -> str:
    """Drop the XML prolog, doctype and comments (engine version, ids); prefix element ids.

    Prefixed ids keep several drawings on one page from sharing ``id="node1"``.

    Example:
        >>> clean_svg('<?xml version="1.0"?><!-- dot 2.43 --><svg><g id="node1"/></svg>', "p-")
        '<svg><g id="p-node1"/></svg>'
    """
    svg = _PROLOG.sub("", svg)
    svg = _COMMENT.sub("", svg)
    if prefix:
        svg = _ID.sub(f'id="{prefix}', svg)
    return svg.strip()


# Graphviz writes "-" in a class as "&#45;"
_LABEL_NODE = re.compile(
    r'<g id="[^"]*" class="(node kl(?:-|&#45;)frame(?:-|&#45;)label) (kl_\w+)">'
)
_G_TAG = re.compile(r"<g\b|</g>")


def _group_end(svg: str, start: int) -> int:
    """The index just after the ``</g>`` closing the ``<g`` that starts at ``start``."""
    depth = 0
    for m in _G_TAG.finditer(svg, start):
        depth += 1 if m.group() == "<g" else -1
        if depth == 0:
            return m.end()
    return len(svg)


def nest_frame_labels(svg: str) -> str:
    r"""Move each frame's title box (``kl-frame-label``) into its ``<g class="cluster">``.

    ``dot_render`` draws a frame's title as a plaintext node, so that arrows are routed round
    it; in the SVG it then becomes part of the frame again (not a ``g.node``: it is no layer).

    Example:
        >>> svg = ('<g id="c" class="cluster kl_c1">\n<path/>\n</g>\n'
        ...        '<g id="n" class="node kl-frame-label kl_c1">\n<text>t</text>\n</g>\n')
        >>> print(nest_frame_labels(svg))
        <g id="c" class="cluster kl_c1">
        <path/>
        <g id="n" class="kl-frame-label kl_c1">
        <text>t</text>
        </g>
        </g>
        <BLANKLINE>
    """
    while True:
        m = _LABEL_NODE.search(svg)
        if m is None:
            return svg
        end = _group_end(svg, m.start())
        if end < len(svg) and svg[end] == "\n":
            end += 1
        block = svg[m.start() : end].replace(m.group(1), "kl-frame-label", 1)
        svg = svg[: m.start()] + svg[end:]
        frame = re.search(rf'<g id="[^"]*" class="cluster {m.group(2)}">', svg)
        if frame is None:  # no frame to hold it: keep it where it was, as a plain group
            svg = svg[: m.start()] + block + svg[m.start() :]
            continue
        close = _group_end(svg, frame.start()) - len("</g>")
        svg = svg[:close] + block + svg[close:]


_NICE = shutil.which("nice")
_SVG_CACHE: OrderedDict[tuple[str, str], str] = OrderedDict()
_MAX_CACHE = 128
_LOCK = threading.Lock()
_BACKGROUND: set[subprocess.Popen[bytes]] = set()  # background layouts running now
