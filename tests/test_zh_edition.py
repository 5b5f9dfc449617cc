"""The Simplified Chinese edition (notebooks/zh-CN/) stays in step with the English chapters.

Both editions must have the same cells in the same order with the same ids, types and tags; the
code must be the same modulo comments and human-readable strings (print text, assert messages,
error messages, titles), every asserted number the same; no translation may be stale, and each
stored zh notebook must be exactly what ``scripts/build_zh.py`` builds from the English chapter
and its translation. The zh chapters also get the structure checks of the English ones, with the
Chinese headings 学习目标 / 对应文档 / 注意 / 小结 / 练习.
"""

from __future__ import annotations

import ast
import copy
import importlib.util
import re
import sys
from pathlib import Path

import nbformat
import pytest
from IPython.core.inputtransformer2 import TransformerManager

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
ZH = NOTEBOOKS / "zh-CN"
CJK = re.compile(r"[\u4e00-\u9fff]")
# English heading word (lower case) -> the word the zh heading must contain.
HEADINGS = {
    "what you will learn": "学习目标",
    "follows": "对应文档",
    "what to notice": "注意",
    "summary": "小结",
    "exercises": "练习",
}
REQUIRED_ZH_HEADINGS = ("学习目标", "小结", "练习")
# Strings in these places are for people and may be translated.
HUMAN_CALLS = {
    "print", "warn", "title", "suptitle", "set_title", "set_xlabel", "set_ylabel", "xlabel",
    "ylabel", "text", "annotate", "legend", "Markdown", "HTML", "fail", "skip",
}  # fmt: skip
# Comments read by tools, which a translation must keep exactly.
MARKER = re.compile(
    r"^#+\s*(NBVAL_\w+|(BEGIN|END) (SOLUTION|HIDDEN TESTS))"  # nbval, nbgrader
    r"|.*#\s*(noqa|fmt:|type:)"  # ruff, type checkers
)
HUMAN_KEYWORDS = {"title", "label", "xlabel", "ylabel", "description", "msg", "err_msg", "header"}


def _load_builder():
    spec = importlib.util.spec_from_file_location("build_zh", ROOT / "scripts" / "build_zh.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("build_zh", module)
    spec.loader.exec_module(module)
    return module


build_zh = _load_builder()
CHAPTERS = build_zh.chapters()
_IDS = [p.stem for p in CHAPTERS]


def _read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def _pair(chapter: Path) -> tuple[nbformat.NotebookNode, nbformat.NotebookNode]:
    zh_path = build_zh.zh_path(chapter)
    if not zh_path.exists():
        pytest.fail(
            f"{chapter.name} has no zh-CN edition {zh_path.relative_to(ROOT)}: translate it "
            f"(notebooks/zh-CN/README.md) and run `python scripts/build_zh.py {chapter.stem[:2]} "
            "--execute`"
        )
    return _read(chapter), _read(zh_path)


def _tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def _first_code(nb):
    return next(cell for cell in nb.cells if cell.cell_type == "code")


def _headings(cell) -> list[str]:
    if cell.cell_type != "markdown":
        return []
    return [line.lower() for line in cell.source.splitlines() if line.lstrip().startswith("#")]


def _zh_chapters() -> list[Path]:
    return sorted(p for p in ZH.glob("[0-9][0-9]_*.ipynb"))


def _glossaries() -> list[Path]:
    return [p for p in _zh_chapters() if "术语表" in p.stem or "glossary" in p.stem.lower()]


# --- code comparison -------------------------------------------------------------------------


class _Strings(ast.NodeVisitor):
    """Every str constant in visiting order, with whether it sits where people read it."""

    def __init__(self) -> None:
        self.found: list[tuple[str, bool]] = []
        self._human = 0

    def _inside(self, node: ast.AST | None) -> None:
        if node is not None:
            self._human += 1
            self.visit(node)
            self._human -= 1

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str):
            self.found.append((node.value, self._human > 0))

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        """An f-string is one text, its placeholders written as ``{}``."""
        text = "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
        self.found.append((text, self._human > 0))
        for value in node.values:
            if isinstance(value, ast.FormattedValue):
                self.visit(value.value)

    def visit_Assert(self, node: ast.Assert) -> None:
        self.visit(node.test)
        self._inside(node.msg)

    def visit_Raise(self, node: ast.Raise) -> None:
        self._inside(node.exc)
        if node.cause is not None:
            self.visit(node.cause)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        self.visit(func)
        for arg in node.args:
            self._inside(arg) if name in HUMAN_CALLS else self.visit(arg)
        for keyword in node.keywords:
            human = name in HUMAN_CALLS or keyword.arg in HUMAN_KEYWORDS
            self._inside(keyword.value) if human else self.visit(keyword.value)

    def visit_Module(self, node: ast.Module) -> None:
        self._docstrings = {
            id(child.body[0].value)
            for child in ast.walk(node)
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
            and isinstance(child.body[0], ast.Expr)
            and isinstance(child.body[0].value, ast.Constant)
        }
        self.generic_visit(node)

    def visit_Expr(self, node: ast.Expr) -> None:
        if id(node.value) in getattr(self, "_docstrings", ()):
            self._inside(node.value)
        else:
            self.generic_visit(node)


class _Blank(ast.NodeTransformer):
    """Blank every string; an f-string keeps only its placeholders (in any order: word order
    differs between languages), with their format specs."""

    def visit_Constant(self, node: ast.Constant) -> ast.Constant:
        return ast.Constant("") if isinstance(node.value, str) else node

    def visit_JoinedStr(self, node: ast.JoinedStr) -> ast.JoinedStr:
        fields = [v for v in node.values if isinstance(v, ast.FormattedValue)]
        for value in fields:
            value.value = self.visit(value.value)
        return ast.JoinedStr(values=sorted(fields, key=ast.dump))


def _parse(source: str) -> ast.Module:
    return ast.parse(TransformerManager().transform_cell(source))


def _shape(tree: ast.AST) -> str:
    return ast.dump(_Blank().visit(copy.deepcopy(tree)), include_attributes=False)


def _numbers(text: str) -> list[str]:
    return sorted(re.findall(r"\d+(?:\.\d+)?", re.sub(r"(?<=\d)[,_](?=\d{3})", "", text)))


def _asserted_numbers(tree: ast.AST) -> list:
    return [
        node.value
        for statement in ast.walk(tree)
        if isinstance(statement, ast.Assert)
        for node in ast.walk(statement.test)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float))
    ]


# --- the tests -------------------------------------------------------------------------------


@pytest.mark.parametrize("chapter", CHAPTERS, ids=_IDS)
def test_translation_is_complete_and_not_stale(chapter):
    found = build_zh.problems(chapter)
    assert not found, (
        "\n".join(found.lines()) + f"\nupdate notebooks/zh-CN/_translations/{chapter.stem}.json "
        f"(`python scripts/build_zh.py --todo {chapter.stem[:2]}` prints the English text)"
    )
    assert build_zh.is_up_to_date(chapter), (
        f"notebooks/zh-CN/{chapter.name} is not what scripts/build_zh.py builds from the English "
        "chapter and its translation (edited by hand, or not rebuilt): run "
        f"`python scripts/build_zh.py {chapter.stem[:2]} --execute`"
    )


@pytest.mark.parametrize("chapter", CHAPTERS, ids=_IDS)
def test_same_cells_order_ids_and_tags(chapter):
    en, zh = _pair(chapter)
    en_cells = [(c.get("id"), c.cell_type, _tags(c)) for c in en.cells]
    zh_cells = [(c.get("id"), c.cell_type, _tags(c)) for c in zh.cells]
    assert zh_cells == en_cells, f"{chapter.name}: the zh edition's cells differ (id, type, tags)"
    for en_cell, zh_cell in zip(en.cells, zh.cells, strict=True):
        assert zh_cell.metadata == en_cell.metadata, f"cell {en_cell.id}: metadata differs"


def _markers(source: str) -> list[str]:
    """Comment lines that tools read: nbval markers, nbgrader solution markers, ruff pragmas."""
    return [line.strip() for line in source.splitlines() if MARKER.match(line.strip())]


def _code_drift(en_source: str, zh_source: str, setup: bool = False) -> list[str]:
    """How a zh code cell differs from its English cell beyond what translation may change.

    The setup cell is the exception: every zh chapter has ``setup_cell("zh-CN")`` of
    ``scripts/setup_cell.py`` (Chinese text, ``language="zh-CN"``, a CJK font on Colab).
    """
    if setup:
        if zh_source != build_zh.zh_setup_source():
            return ["the setup cell is not scripts/setup_cell.py's setup_cell('zh-CN')"]
        return []
    if _markers(zh_source) != _markers(en_source):
        return [
            f"tool comments differ (keep them exactly): {_markers(en_source)} vs "
            f"{_markers(zh_source)}"
        ]
    en_tree, zh_tree = _parse(en_source), _parse(zh_source)
    if _shape(zh_tree) != _shape(en_tree):
        return ["the code differs beyond comments and strings (same statements, names, numbers?)"]
    if _asserted_numbers(zh_tree) != _asserted_numbers(en_tree):
        return ["asserted numbers differ"]
    en_strings, zh_strings = _Strings(), _Strings()
    en_strings.visit(en_tree)
    zh_strings.visit(zh_tree)
    found = []
    for (en_text, human), (zh_text, _) in zip(en_strings.found, zh_strings.found, strict=True):
        if en_text == zh_text:
            continue
        if not human:
            found.append(
                f"the string {en_text!r} is used by the code (not printed text or an "
                f"assert/error message) and must stay as is, got {zh_text!r}"
            )
            continue
        lost = [n for n in _numbers(en_text) if n not in _numbers(zh_text)]
        if lost:
            found.append(f"the translation of {en_text!r} lost the number(s) {lost}: {zh_text!r}")
    return found


@pytest.mark.parametrize("chapter", CHAPTERS, ids=_IDS)
def test_code_is_the_same_modulo_comments_and_readable_strings(chapter):
    en, zh = _pair(chapter)
    problems = [
        f"cell {en_cell.id}: {problem}"
        for en_cell, zh_cell in zip(en.cells, zh.cells, strict=True)
        if en_cell.cell_type == "code"
        for problem in _code_drift(en_cell.source, zh_cell.source, setup=en_cell is _first_code(en))
    ]
    assert not problems, f"{chapter.name}:\n" + "\n".join(problems)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=_IDS)
def test_every_asserted_number_is_identical(chapter):
    en, zh = _pair(chapter)
    for en_cell, zh_cell in zip(en.cells, zh.cells, strict=True):
        if en_cell.cell_type == "code" and en_cell is not _first_code(en):
            en_numbers = _asserted_numbers(_parse(en_cell.source))
            assert _asserted_numbers(_parse(zh_cell.source)) == en_numbers, (
                f"{chapter.name}, cell {en_cell.id}: asserted numbers differ"
            )


@pytest.mark.parametrize("chapter", CHAPTERS, ids=_IDS)
def test_prose_is_translated_with_the_chapter_headings(chapter):
    en, zh = _pair(chapter)
    for en_cell, zh_cell in zip(en.cells, zh.cells, strict=True):
        if en_cell.cell_type != "markdown":
            continue
        assert CJK.search(zh_cell.source), f"{chapter.name}, cell {en_cell.id}: no Chinese text"
        zh_headings = " ".join(_headings(zh_cell))
        for line in _headings(en_cell):
            for english, chinese in HEADINGS.items():
                if re.search(rf"#\s*(\d+\.\s*)?{english}\b", line):
                    assert chinese in zh_headings, (
                        f"{chapter.name}, cell {en_cell.id}: the heading {line!r} must become "
                        f"a heading with {chinese!r}"
                    )


@pytest.mark.parametrize("path", _zh_chapters(), ids=lambda p: p.name)
def test_zh_chapter_has_the_common_shape(path):
    nb = _read(path)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert code and 'setup_notebook(seed=42, language="zh-CN")' in code[0].source, (
        f"{path.name}: the first code cell must be the zh setup cell"
    )
    headings = " ".join(h for cell in nb.cells for h in _headings(cell))
    for heading in REQUIRED_ZH_HEADINGS:
        assert heading in headings, f"{path.name} lacks a '{heading}' heading"


@pytest.mark.parametrize("path", _zh_chapters(), ids=lambda p: p.name)
def test_zh_chapter_is_stored_executed_never_skipped_without_stderr(path):
    nb = _read(path)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        assert "NBVAL_SKIP" not in cell.source and "nbval-skip" not in _tags(cell), (
            f"{path.name}: NBVAL_SKIP is not allowed"
        )
        if cell.source.strip():
            assert cell.get("execution_count") is not None, (
                f"{path.name}: cell {cell.get('id')} stored unexecuted; run "
                "scripts/execute_notebooks.py"
            )
        for output in cell.get("outputs", []):
            assert output.get("name") != "stderr", (
                f"{path.name}: cell {cell.get('id')} stored stderr output: {output['text'][:200]}"
            )


def test_every_zh_chapter_starts_with_the_same_setup_cell():
    first = {
        p.name: next(c for c in _read(p).cells if c.cell_type == "code").source
        for p in _zh_chapters()
    }
    assert first, "no zh-CN chapters found"
    assert len(set(first.values())) == 1, "zh setup cells differ: " + ", ".join(sorted(first))


def test_the_zh_edition_has_every_chapter_and_a_glossary():
    zh_names = {p.name for p in _zh_chapters()}
    missing = [c.name for c in CHAPTERS if c.name not in zh_names]
    assert not missing, f"chapters without a zh-CN edition: {missing}"
    assert len(_glossaries()) == 1, "expected one glossary chapter notebooks/zh-CN/13_术语表.ipynb"
    extra = zh_names - {c.name for c in CHAPTERS} - {p.name for p in _glossaries()}
    assert not extra, f"zh-CN notebooks without an English chapter: {sorted(extra)}"


def test_drift_is_detected():
    """The checks above can fail: a changed assert, a renamed variable, a translated key."""
    en = 'assert m.count_params() == 7, "7 expected"\nlayer = Dense(2, name="hidden")'
    ok = 'assert m.count_params() == 7, "应有 7 个"\nlayer = Dense(2, name="hidden")'
    assert _code_drift(en, ok) == []
    assert _code_drift(en, ok.replace("== 7", "== 8"))  # a changed assert
    assert _code_drift(en, ok.replace("layer =", "layr ="))  # a renamed variable
    assert _code_drift(en, ok.replace('"hidden"', '"隐藏"'))  # a string the code uses
    assert _code_drift(en, ok.replace("应有 7 个", "应有七个"))  # a number lost in translation
    ignored = "# NBVAL_IGNORE_OUTPUT\nprint(1)"
    assert _code_drift(ignored, "# 忽略输出\nprint(1)")  # a dropped nbval marker
    assert _code_drift(ignored, "# NBVAL_IGNORE_OUTPUT\n# 打印\nprint(1)") == []
    fstring = 'print(f"got {n:,} of {total}")'
    assert _code_drift(fstring, 'print(f"共 {total} 个，得到 {n:,} 个")') == []  # word order
    assert _code_drift(fstring, 'print(f"共 {total} 个，得到 {n} 个")')  # a lost format spec
    assert _code_drift("print('a', x)", "print('甲，', x, '')")  # an argument added
    setup = "keras_lens.setup_notebook(seed=42)"
    assert _code_drift(setup, build_zh.zh_setup_source(), setup=True) == []
    assert _code_drift(setup, 'keras_lens.setup_notebook(seed=42, language="zh-CN")', True)
    assert build_zh.en_sha("print(1)") != build_zh.en_sha("print(2)")


def test_glossary_tables_match_its_terms_dictionary():
    """The glossary's tables (for reading) and its ``TERMS`` dict (checked against Keras) agree."""
    (path,) = _glossaries()
    nb = _read(path)
    table_rows = {}
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                match = re.match(r"^\| ([^|]+?) \| ([^|]+?) \| `([^`]+)` \|", line)
                if match:
                    table_rows[match.group(1)] = (match.group(2), match.group(3))
    terms = None
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for node in ast.walk(_parse(cell.source)):
            if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "TERMS":
                terms = ast.literal_eval(node.value)
    assert terms is not None, f"{path.name} has no TERMS = {{...}} dict"
    assert len(terms) >= 50, "the glossary should cover the lab's terms"
    assert table_rows == terms, (
        f"tables and TERMS differ: only in tables {sorted(set(table_rows) - set(terms))}, "
        f"only in TERMS {sorted(set(terms) - set(table_rows))}, or different values"
    )
    for needed in ("函数式 API", "残差连接", "共享层", "层图", "张量", "形状", "参数量"):
        assert needed in terms, f"the glossary lacks {needed}"
