"""The exercise registry: ``@exercise`` records a check; ``Wrong`` says "no, because ...".

A check is a plain function whose parameters name what the learner must produce; it inspects
the objects it is given (never the worked solution's variables), raises :class:`Wrong` with an
i18n key for a specific hint, and returns the key of its success message.

Example:
    >>> from keras_lens import i18n
    >>> from keras_lens.exercises._registry import Wrong, exercise, require_choice
    >>> _ = i18n.register({
    ...     "ex.99.1.ok": ("Right: b.", "对：b。"),
    ...     "ex.99.1.wrong": ("Not {answer}: think again.", "不是 {answer}：再想想。"),
    ... })
    >>> @exercise("99.1", points=1, title=("A demo question", "示例题"))
    ... def _demo(answer_99_1):
    ...     if require_choice(answer_99_1, "abc") != "b":
    ...         raise Wrong("ex.99.1.wrong", answer=answer_99_1)
    ...     return "ex.99.1.ok"
    >>> get("99.1").names
    ('answer_99_1',)
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from keras_lens import i18n

__all__ = [
    "Exercise",
    "ExerciseNotPassed",
    "Wrong",
    "exercise",
    "get",
    "input_name",
    "io_text",
    "judge_choice",
    "layer_types",
    "registered",
    "require_callable",
    "require_choice",
    "require_io",
    "require_layer_type",
    "require_model",
    "require_number",
    "require_output_shape",
]

i18n.register(
    {
        "exercises.define_first": (
            "{exercise_id}: define `{name}` first (see the exercise text).",
            "{exercise_id}：请先定义 `{name}`（见练习说明）。",
        ),
        "exercises.ok": ("correct.", "正确。"),
        "exercises.passed": (
            "✓ {exercise_id} {title}: {message}",
            "✓ {exercise_id} {title}：{message}",
        ),
        "exercises.not_implemented": (
            "`{name}` still raises NotImplementedError: replace the stub with your code.",
            "`{name}` 仍然抛出 NotImplementedError：请用你自己的代码替换占位代码。",
        ),
        "exercises.raised": (
            "checking `{name}` raised {error_type}: {error}",
            "检查 `{name}` 时出错（{error_type}）：{error}",
        ),
        "exercises.not_model": (
            "`{name}` should be a keras.Model (built with keras.Input(...) and keras.Model(inputs, "
            "outputs)); it is a {type_name}.",
            "`{name}` 应该是一个 keras.Model（用 keras.Input(...) 和 keras.Model(inputs, outputs) "
            "构建）；它现在是 {type_name}。",
        ),
        "exercises.not_built": (
            "`{name}` has no inputs yet: start it with keras.Input(shape=...) so that Keras knows "
            "its shapes.",
            "`{name}` 还没有输入：请用 keras.Input(shape=...) 开头，让 Keras 知道它的形状。",
        ),
        "exercises.not_callable": (
            "`{name}` should be a function (def {name}(...): ...); it is a {type_name}.",
            "`{name}` 应该是一个函数（def {name}(...): ...）；它现在是 {type_name}。",
        ),
        "exercises.choice_type": (
            "`{name}` should be one of the letters {choices} as a string, e.g. "
            '{name} = "{first}"; it is {answer!r}.',
            '`{name}` 应该是字母 {choices} 之一（字符串），例如 {name} = "{first}"；'
            "它现在是 {answer!r}。",
        ),
        "exercises.not_number": (
            "`{name}` should be a number, e.g. {name} = 1234; it is {answer!r}.",
            "`{name}` 应该是一个数，例如 {name} = 1234；它现在是 {answer!r}。",
        ),
        "exercises.output_shape": (
            "`{name}` outputs shape {actual}, the exercise asks for {expected}.",
            "`{name}` 的输出形状是 {actual}，练习要求的是 {expected}。",
        ),
        "exercises.unknown_id": (
            "no exercise {exercise_id!r}; chapter {chapter} has: {known}.",
            "没有练习 {exercise_id!r}；第 {chapter} 章的练习有：{known}。",
        ),
        "exercises.no_chapter": (
            'no exercises for chapter {chapter!r} (exercise ids look like "03.1").',
            '第 {chapter!r} 章没有练习（练习编号形如 "03.1"）。',
        ),
        "exercises.arity": (
            "check({exercise_id!r}, ...) takes {count} answer(s): {names}; got {given}.",
            "check({exercise_id!r}, ...) 需要 {count} 个答案：{names}；实际给了 {given} 个。",
        ),
    }
)


class Wrong(Exception):
    """Raised by a check: the answer is wrong, and the i18n ``key`` says why.

    Example: ``raise Wrong("ex.07.1.no_add")`` or ``Wrong("ex.07.1.count", count=12)``.
    """

    def __init__(self, key: str, **fields: Any) -> None:
        self.key = key
        self.fields = fields
        super().__init__(key)

    def text(self) -> str:
        """The hint in the current language."""
        return i18n.t(self.key, **self.fields)

    def __str__(self) -> str:
        return self.text()


class ExerciseNotPassed(AssertionError):
    """What ``check`` raises on a wrong or missing answer; the message is the specific hint.

    ``exercise_id`` and ``key`` (the hint's i18n key) are kept for tests and graders.
    """

    def __init__(self, exercise_id: str, key: str, message: str) -> None:
        self.exercise_id = exercise_id
        self.key = key
        super().__init__(message)


@dataclass(frozen=True)
class Exercise:
    """One registered exercise: its id, points, bilingual title and the check function."""

    exercise_id: str
    points: int
    title: tuple[str, str]
    func: Callable[..., Any] = field(repr=False, compare=False)
    names: tuple[str, ...] = ()

    @property
    def chapter(self) -> str:
        return self.exercise_id.split(".", 1)[0]

    @property
    def grade_id(self) -> str:
        """The nbgrader ``grade_id`` of the check cell: ``"07.1"`` -> ``"ex-07-1"``."""
        return "ex-" + self.exercise_id.replace(".", "-")

    @property
    def wrong_answers(self) -> list[tuple[Callable[[], Any], str]]:
        """``[(factory, hint_key), ...]``: typical wrong answers, used by the tests."""
        return list(getattr(self.func, "wrong_answers", []))

    @property
    def right_answers(self) -> list[Callable[[], Any]]:
        """Optional ``[factory, ...]`` of answers that pass (fast test of the check itself)."""
        return list(getattr(self.func, "right_answers", []))

    def title_text(self) -> str:
        return self.title[i18n.LANGUAGES.index(i18n.get_language())] or self.title[0]


_REGISTRY: dict[str, Exercise] = {}


def exercise(
    exercise_id: str, *, points: int = 1, title: tuple[str, str]
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register the decorated check under ``exercise_id`` ("NN.k"); returns the function unchanged.

    The check's parameter names are the names the learner must define (used in the
    "define `name` first" message).
    """
    chapter, _, number = exercise_id.partition(".")
    if not (len(chapter) == 2 and chapter.isdigit() and number.isdigit()):
        raise ValueError(f"exercise id {exercise_id!r} must look like '07.1'")
    if not (isinstance(title, tuple) and len(title) == len(i18n.LANGUAGES)):
        raise ValueError(f"exercise {exercise_id}: title needs one text per language")

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        names = tuple(inspect.signature(func).parameters)
        if not names:
            raise ValueError(f"exercise {exercise_id}: the check must take the learner's answer")
        old = _REGISTRY.get(exercise_id)
        if old is not None and old.func.__module__ != func.__module__:
            raise ValueError(f"exercise {exercise_id} is registered twice")
        _REGISTRY[exercise_id] = Exercise(exercise_id, points, title, func, names)
        func.exercise_id = exercise_id  # type: ignore[attr-defined]
        return func

    return decorate


def get(exercise_id: str) -> Exercise:
    """The registered exercise (its chapter module must be imported already)."""
    return _REGISTRY[exercise_id]


def registered() -> list[Exercise]:
    """Every exercise registered so far, in id order."""
    return sorted(_REGISTRY.values(), key=lambda e: tuple(int(p) for p in e.exercise_id.split(".")))


# ---- helpers for checks: each raises Wrong with a generic, specific hint -------------------


def require_model(obj: Any, name: str) -> Any:
    """``obj`` must be a built ``keras.Model`` (functional, Sequential or subclassed and called)."""
    import keras

    if not isinstance(obj, keras.Model):
        raise Wrong("exercises.not_model", name=name, type_name=type(obj).__name__)
    try:
        inputs = obj.inputs
    except (AttributeError, ValueError):
        inputs = None
    if not inputs:
        raise Wrong("exercises.not_built", name=name)
    return obj


def require_callable(obj: Any, name: str) -> Callable[..., Any]:
    """``obj`` must be a function (or any callable that is not a class)."""
    if not callable(obj) or inspect.isclass(obj):
        raise Wrong("exercises.not_callable", name=name, type_name=type(obj).__name__)
    return obj


def require_choice(answer: Any, choices: Iterable[str], name: str = "answer") -> str:
    """A multiple-choice answer, normalised (``" B "`` -> ``"b"``); must be one of ``choices``."""
    options = [str(c).lower() for c in choices]
    text = answer.strip().lower().strip("().") if isinstance(answer, str) else None
    if text not in options:
        raise Wrong(
            "exercises.choice_type",
            name=name,
            choices=", ".join(f'"{c}"' for c in options),
            first=options[0],
            answer=answer,
        )
    return text


def judge_choice(answer: Any, name: str, *, right: str, wrong: Mapping[str, str], ok: str) -> str:
    """Judge a multiple-choice answer: ``ok`` for ``right``, else ``Wrong(wrong[letter])``.

    The letters offered are ``right`` and the keys of ``wrong``, in alphabetical order; an
    answer that is none of them raises ``Wrong("exercises.choice_type")`` (see
    :func:`require_choice`). The hint gets the normalised letter as ``{answer}``.

    Example:
        >>> judge_choice(" B", "answer_00_1", right="b",
        ...              wrong={"a": "ex.00.1.conv", "c": "ex.00.1.pool"}, ok="ex.00.1.ok")
        'ex.00.1.ok'
    """
    choice = require_choice(answer, sorted({right, *wrong}), name)
    if choice != right:
        raise Wrong(wrong[choice], answer=choice)
    return ok


def io_text(model: Any) -> tuple[str, str]:
    """``(inputs, outputs)`` of a model as text: ``("(None, 784)", "(None, 10)")``.

    Several inputs are joined with ``", "``; the outputs are ``str(model.output_shape)``.
    """
    inputs = ", ".join(str(tuple(t.shape)) for t in model.inputs)
    return inputs, str(model.output_shape)


def require_io(model: Any, *, inputs: str, outputs: str, key: str | tuple[str, str]) -> None:
    """The model's input and output shapes (as :func:`io_text` writes them) must be these.

    ``key`` is one hint for both (given ``inputs`` and ``outputs``), or a pair
    ``(inputs_key, outputs_key)``, checked in that order.

    Example: ``require_io(model, inputs="(None, 784)", outputs="(None, 10)", key="ex.02.2.shape")``
    """
    actual_in, actual_out = io_text(model)
    in_key, out_key = (key, key) if isinstance(key, str) else key
    if actual_in != inputs or (in_key == out_key and actual_out != outputs):
        raise Wrong(in_key, inputs=actual_in, outputs=actual_out)
    if actual_out != outputs:
        raise Wrong(out_key, inputs=actual_in, outputs=actual_out)


def require_layer_type(model: Any, layer_type: str, key: str) -> None:
    """The model must have a layer of class ``layer_type`` (e.g. ``"Conv2D"``), else ``key``."""
    if layer_type not in layer_types(model):
        raise Wrong(key)


def input_name(model: Any) -> str:
    """The name of a model's (first) input: its InputLayer's name, or that of its input tensor
    (a Sequential model lists no InputLayer in ``model.layers``)."""
    first = model.layers[0] if model.layers else None
    if type(first).__name__ == "InputLayer":
        return first.name
    return model.inputs[0].name.split(":")[0]


def require_number(answer: Any, name: str = "answer") -> int | float:
    """A number (int or float, not bool); strings like ``"1,234"`` are accepted too."""
    if isinstance(answer, str):
        with contextlib.suppress(ValueError):
            answer = int(answer.replace(",", "").replace("_", "").strip())
    if isinstance(answer, bool) or not isinstance(answer, (int, float)):
        try:
            import numpy as np

            if isinstance(answer, np.number):
                return answer.item()
        except ImportError:  # pragma: no cover
            pass
        raise Wrong("exercises.not_number", name=name, answer=answer)
    return answer


def _shape_text(shape: Any) -> str:
    if isinstance(shape, list):
        return "[" + ", ".join(_shape_text(s) for s in shape) + "]"
    return str(tuple(shape))


def require_output_shape(model: Any, expected: Any, name: str) -> None:
    """``model.output_shape`` must equal ``expected`` (a tuple, or a list of tuples)."""
    actual = model.output_shape
    norm = [tuple(s) for s in actual] if isinstance(actual, list) else tuple(actual)
    want = [tuple(s) for s in expected] if isinstance(expected, list) else tuple(expected)
    if norm != want:
        raise Wrong(
            "exercises.output_shape",
            name=name,
            actual=_shape_text(actual),
            expected=_shape_text(expected),
        )


def layer_types(model: Any) -> list[str]:
    """The class names of a model's layers, in order (``["InputLayer", "Dense", ...]``)."""
    return [type(layer).__name__ for layer in model.layers]
