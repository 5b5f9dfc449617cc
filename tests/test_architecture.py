"""The package layout keeps one direction of flow: adapter -> records -> render -> views.

Every module of ``widgets/keras_lens`` is parsed with ``ast`` (nothing is imported); each
``import``/``from ... import`` of a ``keras_lens`` module, also one inside a function or under
``TYPE_CHECKING``, and the lazy attribute map of ``keras_lens/__init__.py`` is an edge.

- ``adapter/`` (reads Keras) imports only ``adapter/`` and ``records/``;
- ``records/`` (plain records, pure functions) imports only ``records/``;
- ``render/`` (records -> DOT/SVG/HTML/text) imports only ``render/``, ``records/`` and the
  top-level ``i18n``/``_version``;
- ``views/`` (widgets) may import ``render/``, ``records/``, ``adapter/`` and the top level;
- nothing outside ``views/`` imports a view, except the top-level ``__init__`` and ``notebook``;
- the module import graph has no cycle at all.

Example (what a failure says):
    >>> violations({"keras_lens.records": {"keras_lens.render.theme"}})
    ['keras_lens.records (records) imports keras_lens.render.theme (render)']
    >>> find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}})
    ['a', 'b', 'c', 'a']
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "widgets" / "keras_lens"
LAYERS = ("adapter", "records", "render", "views")
#: Top-level modules and packages outside the four layers (anything new must pick a layer).
TOP_LEVEL = {"__init__", "_version", "i18n", "notebook", "datasets", "_data_files", "exercises"}
#: Top-level modules every layer may use (they import nothing of keras_lens).
BASE = {"keras_lens._version", "keras_lens.i18n"}
#: layer -> layers it may import (besides BASE where noted)
MAY_IMPORT = {
    "adapter": {"adapter", "records"},
    "records": {"records"},
    "render": {"render", "records", "base"},
    "views": {"views", "render", "records", "adapter", "top", "base"},
    "base": {"base"},
    "top": {"adapter", "records", "render", "top", "base"},
}
#: Top-level modules that may import views (the public API's lazy map, notebook helpers).
MAY_IMPORT_VIEWS = {"keras_lens", "keras_lens.notebook"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def layer_of(module: str) -> str:
    parts = module.split(".")
    if len(parts) > 1 and parts[1] in LAYERS:
        return parts[1]
    return "base" if module in BASE else "top"


def imports_of(path: Path, known: set[str]) -> set[str]:
    """The ``keras_lens`` modules one file imports (anywhere in it)."""
    me = module_name(path)
    package = me if path.name == "__init__.py" else me.rpartition(".")[0]
    found: set[str] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.add(sub if sub in known else base)
        elif me == "keras_lens" and isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.add(node.value)  # the lazy map: "graph": "keras_lens.views.graph_view"
    return {m for m in found if m in known and m != me}


def import_graph() -> dict[str, set[str]]:
    found = modules()
    return {m: imports_of(p, set(found)) for m, p in found.items()}


def violations(graph: dict[str, set[str]]) -> list[str]:
    out = []
    for module, deps in sorted(graph.items()):
        mine = layer_of(module)
        for dep in sorted(deps):
            theirs = layer_of(dep)
            allowed = theirs in MAY_IMPORT[mine] or (
                theirs == "views" and module in MAY_IMPORT_VIEWS
            )
            if not allowed:
                out.append(f"{module} ({mine}) imports {dep} ({theirs})")
    return out


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a path ``[a, b, ..., a]``, or ``None`` if the graph is acyclic."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for dep in sorted(graph.get(node, ())):
            if state.get(dep) == 1:
                return [*stack[stack.index(dep) :], dep]
            if dep not in state and (cycle := visit(dep)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_every_module_sits_in_a_layer_or_is_a_known_top_level_one():
    stray = [
        m for m in modules() if m != "keras_lens" and m.split(".")[1] not in {*LAYERS, *TOP_LEVEL}
    ]
    assert stray == [], f"put these modules into one of {LAYERS}: {stray}"
    for layer in LAYERS:
        assert (PACKAGE / layer / "__init__.py").is_file(), layer


def test_the_import_graph_is_read_from_the_sources():
    graph = import_graph()
    # examples of each kind of edge: top-level, inside a function, from-package-import-module
    assert "keras_lens.records" in graph["keras_lens.adapter._walk"]
    assert "keras_lens.adapter" in graph["keras_lens.views.graph_view"]  # lazy, in a function
    assert "keras_lens.render.static" in graph["keras_lens.views._widgets"]  # from x import mod
    assert "keras_lens.views.graph_view" in graph["keras_lens"]  # the lazy attribute map
    assert sum(len(d) for d in graph.values()) > 100


def test_imports_follow_the_layers():
    bad = violations(import_graph())
    assert bad == [], "imports against the direction adapter -> records -> render -> views:\n" + (
        "\n".join(bad)
    )


def test_no_import_cycle():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_checks_catch_a_back_import_and_a_cycle():
    graph = import_graph()
    graph["keras_lens.records"] = graph["keras_lens.records"] | {"keras_lens.views.graph_view"}
    assert violations(graph) == [
        "keras_lens.records (records) imports keras_lens.views.graph_view (views)"
    ]
    assert find_cycle(graph) is not None  # graph_view imports records
