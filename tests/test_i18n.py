"""The label catalogue: every key has an English and a Chinese text, and the switch works."""

from __future__ import annotations

import importlib
import pkgutil

import keras_lens
import pytest
from keras_lens import i18n


def _import_every_module() -> None:
    for info in pkgutil.walk_packages(keras_lens.__path__, "keras_lens."):
        importlib.import_module(info.name)


def test_every_key_has_both_languages() -> None:
    _import_every_module()
    entries = i18n.catalogue()
    incomplete = {k: v for k, v in entries.items() if len(v) != 2 or not all(x.strip() for x in v)}
    assert not incomplete, f"catalogue entries missing a language: {incomplete}"
    # an ASCII-only Chinese text that equals the English one was not translated
    untranslated = [
        k for k, (en, zh) in entries.items() if en == zh and en.isascii() and en.isalpha()
    ]
    assert not untranslated, f"Chinese text is a copy of the English one: {untranslated}"


def test_switch_and_context() -> None:
    i18n.register({"test.greeting": ("hello {name}", "你好，{name}")})
    assert i18n.t("test.greeting", name="Ada") == "hello Ada"
    with i18n.language("zh-CN"):
        assert i18n.t("test.greeting", name="Ada") == "你好，Ada"
    assert i18n.get_language() == "en"


def test_unknown_language_and_key_are_clear() -> None:
    with pytest.raises(ValueError, match=r"unknown language 'klingon'.*'zh-CN'"):
        i18n.set_language("klingon")
    with pytest.raises(KeyError, match=r"no text registered for 'nope\.nothing'"):
        i18n.t("nope.nothing")


def test_conflicting_registration_is_refused() -> None:
    i18n.register({"test.same": ("a", "甲")})
    with pytest.raises(ValueError, match="registered twice"):
        i18n.register({"test.same": ("b", "乙")})
