"""The language of every label keras_lens shows: one switch, one catalogue per module.

Each view module registers the strings it shows, in English and Simplified Chinese, under
dotted keys (``"graph.shapes"``); ``t(key)`` returns the text in the current language.
``set_language("zh-CN")`` switches every widget built afterwards; the zh-CN chapters call it
through ``setup_notebook(language="zh-CN")``. A test checks that every key has both languages.

Example:
    >>> from keras_lens import i18n
    >>> _ = i18n.register({"demo.hello": ("hello", "你好")})
    >>> i18n.t("demo.hello")
    'hello'
    >>> with i18n.language("zh-CN"):
    ...     i18n.t("demo.hello")
    '你好'
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping

__all__ = [
    "LANGUAGES",
    "catalogue",
    "get_language",
    "language",
    "register",
    "set_language",
    "t",
]

#: The languages every catalogue entry has, in the order of the entry's tuple.
LANGUAGES: tuple[str, ...] = ("en", "zh-CN")
_ALIASES = {
    "en": "en",
    "en-us": "en",
    "en-gb": "en",
    "zh": "zh-CN",
    "zh-cn": "zh-CN",
    "zh-hans": "zh-CN",
    "zh_cn": "zh-CN",
}

_catalogue: dict[str, tuple[str, ...]] = {}
_current: list[str] = []


def _normalise(name: str) -> str:
    if not isinstance(name, str) or name.strip().lower() not in _ALIASES:
        raise ValueError(
            f"keras_lens.set_language(): unknown language {name!r}; "
            f"use one of {', '.join(repr(x) for x in LANGUAGES)}."
        )
    return _ALIASES[name.strip().lower()]


def get_language() -> str:
    """The current language: ``set_language``'s, else ``$KERAS_LENS_LANG``, else ``"en"``."""
    if _current:
        return _current[-1]
    env = os.environ.get("KERAS_LENS_LANG", "")
    try:
        return _normalise(env) if env else "en"
    except ValueError:
        return "en"


def set_language(name: str) -> str:
    """Switch the labels of widgets built from now on; returns the language set.

    Example: ``keras_lens.set_language("zh-CN")``.
    """
    lang = _normalise(name)
    _current[:] = [lang]
    return lang


@contextlib.contextmanager
def language(name: str) -> Iterator[str]:
    """Use ``name`` inside a ``with`` block only (tests, one-off widgets)."""
    lang = _normalise(name)
    _current.append(lang)
    try:
        yield lang
    finally:
        _current.pop()


def register(entries: Mapping[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """Add ``{key: (english, chinese)}`` to the catalogue; returns the entries.

    Raises ``ValueError`` for an entry without exactly one text per language, or for a key
    already registered with other texts (two modules must not fight over a key).
    """
    for key, texts in entries.items():
        if not isinstance(texts, tuple) or len(texts) != len(LANGUAGES):
            raise ValueError(f"i18n entry {key!r} needs one text per language {LANGUAGES}")
        if key in _catalogue and _catalogue[key] != texts:
            raise ValueError(f"i18n key {key!r} is registered twice with different texts")
        _catalogue[key] = texts
    return dict(entries)


def catalogue() -> dict[str, tuple[str, ...]]:
    """A copy of every registered entry (for the completeness test)."""
    return dict(_catalogue)


def t(key: str, **fields: object) -> str:
    """The text of ``key`` in the current language, with ``{fields}`` filled in.

    A key nobody registered raises ``KeyError`` naming it: a missing label is a bug, not a
    blank on the learner's screen.
    """
    try:
        texts = _catalogue[key]
    except KeyError:
        raise KeyError(f"keras_lens.i18n: no text registered for {key!r}") from None
    text = texts[LANGUAGES.index(get_language())] or texts[0]
    return text.format(**fields) if fields else text
