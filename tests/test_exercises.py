"""Every registered exercise, checked three ways (the solution itself is proven by nbval).

For each exercise of every ``keras_lens.exercises.chNN`` module:
- each of its ``wrong_answers`` fails with ExerciseNotPassed carrying that entry's hint key;
- a ``None`` answer (the name is not defined yet) fails with the "define `name` first" message;
- its optional ``right_answers`` pass; its title and hint keys exist in both languages.
"""

from __future__ import annotations

import pytest
from keras_lens import exercises, i18n
from keras_lens.exercises import ExerciseNotPassed, Wrong
from keras_lens.exercises._registry import (
    input_name,
    judge_choice,
    require_choice,
    require_io,
    require_layer_type,
    require_model,
    require_number,
)

ALL = exercises.list_exercises()


def _ids(items):
    return [e.exercise_id for e in items]


WITH_RIGHT = [e for e in ALL if e.right_answers]
#: Exercises whose checks build chapter 10's CustomRNN with TensorFlow ops (ch10._rnn_class).
NEEDS_TF = {"10.1", "10.3"}


def _params(items):
    mark = pytest.mark.tensorflow
    return [pytest.param(e, marks=mark) if e.exercise_id in NEEDS_TF else e for e in items]


def _answers(exercise, value):
    return value if len(exercise.names) > 1 else (value,)


def test_there_are_exercises_and_ids_match_their_module():
    chapters = {ex.chapter for ex in ALL}
    assert chapters, "no exercise module found"
    for chapter in chapters:  # each chapter keeps 2-4 exercises
        assert 2 <= sum(ex.chapter == chapter for ex in ALL) <= 4, chapter
    for ex in ALL:
        assert ex.func.__module__ == f"keras_lens.exercises.ch{ex.chapter}", ex
        assert ex.points >= 1


@pytest.mark.parametrize("ex", _params(ALL), ids=_ids(ALL))
def test_wrong_answers_fail_with_their_hint(ex):
    assert ex.wrong_answers, f"{ex.exercise_id} lists no typical wrong answer"
    for factory, key in ex.wrong_answers:
        assert key in i18n.catalogue(), f"{ex.exercise_id}: hint key {key!r} is not registered"
        with pytest.raises(ExerciseNotPassed) as info:
            exercises.check(ex.exercise_id, *_answers(ex, factory()))
        assert info.value.key == key, (ex.exercise_id, key, str(info.value))
        assert str(info.value).startswith(ex.exercise_id + ": ")
        assert isinstance(info.value, AssertionError)  # nbgrader counts it as a failed test


@pytest.mark.parametrize("ex", ALL, ids=_ids(ALL))
def test_missing_answer_fails_cleanly(ex):
    with pytest.raises(ExerciseNotPassed, match=rf"define `{ex.names[0]}` first"):
        exercises.check(ex.exercise_id, *([None] * len(ex.names)))
    with i18n.language("zh-CN"), pytest.raises(ExerciseNotPassed, match="请先定义"):
        exercises.check(ex.exercise_id, *([None] * len(ex.names)))


@pytest.mark.parametrize("ex", _params(WITH_RIGHT), ids=_ids(WITH_RIGHT))
def test_right_answers_pass(ex, capsys):
    for factory in ex.right_answers:
        result = exercises.check(ex.exercise_id, *_answers(ex, factory()))
        assert result.exercise_id == ex.exercise_id and result.points == ex.points
        assert capsys.readouterr().out.startswith(f"✓ {ex.exercise_id} ")


def test_a_stub_that_raises_not_implemented_fails_cleanly():
    from keras_lens.exercises import _registry

    @_registry.exercise("00.98", points=1, title=("a function to fill in", "待填写的函数"))
    def _fill_in(double):
        assert double(2) == 4

    def double(x):
        raise NotImplementedError  # the student edition's stub

    try:
        with pytest.raises(ExerciseNotPassed, match="still raises NotImplementedError") as info:
            exercises.check("00.98", double)
        assert info.value.key == "exercises.not_implemented"
        with pytest.raises(ExerciseNotPassed, match="raised AssertionError") as info:
            exercises.check("00.98", lambda x: x)
    finally:
        del _registry._REGISTRY["00.98"]


def test_unknown_ids_and_wrong_arity_are_clear():
    with pytest.raises(ValueError, match=r"no exercises for chapter '99'"):
        exercises.check("99.1", 1)
    with pytest.raises(ValueError, match=r"no exercise '00\.99'; chapter 00 has: 00\.1"):
        exercises.check("00.99", 1)
    ex = ALL[0]
    with pytest.raises(TypeError, match="takes 1 answer"):
        exercises.check(ex.exercise_id, 1, 2)


def test_hint_names_what_to_produce():
    ex = ALL[0]
    assert f"`{ex.names[0]}`" in exercises.hint(ex.exercise_id)


def test_helpers_raise_specific_hints():
    with pytest.raises(Wrong) as info:
        require_model("not a model", "deeper")
    assert info.value.key == "exercises.not_model" and "str" in str(info.value)
    assert require_choice(" B ", "abc") == "b"
    with pytest.raises(Wrong, match='one of the letters "a", "b"'):
        require_choice("z", "ab", name="answer_01_1")
    assert require_number("23,466") == 23_466
    with pytest.raises(Wrong, match="should be a number"):
        require_number("many")
    with pytest.raises(Wrong, match="should be a number"):
        require_number(True)


def test_judge_choice_maps_each_letter_to_its_hint():
    wrong = {"a": "ex.00.1.conv", "c": "ex.00.1.pool"}
    ok = judge_choice(" B", "answer_00_1", right="b", wrong=wrong, ok="ex.00.1.ok")
    assert ok == "ex.00.1.ok"
    for letter, key in wrong.items():
        with pytest.raises(Wrong) as info:
            judge_choice(letter.upper(), "answer_00_1", right="b", wrong=wrong, ok="ex.00.1.ok")
        assert info.value.key == key and info.value.fields == {"answer": letter}
    # the letters offered are the right one and the wrong ones, in order, first one as example
    with pytest.raises(Wrong) as info:
        judge_choice("d", "answer_00_1", right="b", wrong=wrong, ok="ex.00.1.ok")
    assert info.value.key == "exercises.choice_type"
    assert info.value.fields["choices"] == '"a", "b", "c"' and info.value.fields["first"] == "a"
    # a hint shared by every other letter names the letter given
    others = dict.fromkeys("acd", "ex.06.2.wrong")
    with pytest.raises(Wrong, match='"d"'):
        judge_choice("d", "answer_06_2", right="b", wrong=others, ok="ex.06.2.ok")


def test_model_helpers_compare_shapes_layers_and_input_names():
    import keras

    x = keras.Input(shape=(8,), name="visible")
    model = keras.Model(x, keras.layers.Dense(2, name="out")(x))
    require_io(model, inputs="(None, 8)", outputs="(None, 2)", key="ex.02.2.shape")
    with pytest.raises(Wrong) as info:  # one hint for both: given inputs and outputs
        require_io(model, inputs="(None, 8)", outputs="(None, 10)", key="ex.02.2.shape")
    assert info.value.key == "ex.02.2.shape"
    assert info.value.fields == {"inputs": "(None, 8)", "outputs": "(None, 2)"}
    pair = ("ex.03.2.input", "ex.03.2.shape")
    with pytest.raises(Wrong) as info:  # a pair: the inputs' hint first
        require_io(model, inputs="(None, 28, 28, 1)", outputs="(None, 10)", key=pair)
    assert info.value.key == "ex.03.2.input"
    with pytest.raises(Wrong) as info:
        require_io(model, inputs="(None, 8)", outputs="(None, 10)", key=pair)
    assert info.value.key == "ex.03.2.shape"
    require_layer_type(model, "Dense", "ex.03.2.no_conv")
    with pytest.raises(Wrong) as info:
        require_layer_type(model, "Conv2D", "ex.03.2.no_conv")
    assert info.value.key == "ex.03.2.no_conv"
    sequential = keras.Sequential([keras.Input(shape=(8,), name="seq_in"), keras.layers.Dense(2)])
    assert (input_name(model), input_name(sequential)) == ("visible", "seq_in")
