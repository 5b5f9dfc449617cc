"""ipywidgets 7 (Colab) and 8 differ in a few names; every view builds those widgets here.

- tab titles: 8 takes ``Tab(titles=...)``, 7 ignores it; ``set_title`` works in both.
- tooltips: 8 calls it ``tooltip``, 7 ``description_tooltip`` (8 still accepts it, deprecated).

Example:
    >>> from keras_lens.views._compat import tab_with_titles, tooltip_kwargs
    >>> sorted(tooltip_kwargs("shown on hover"))  # doctest: +SKIP
    ['tooltip']
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import ipywidgets

__all__ = ["IPYWIDGETS_MAJOR", "tab_titles", "tab_with_titles", "tooltip_kwargs"]

IPYWIDGETS_MAJOR: int = int(ipywidgets.__version__.split(".")[0])


def tooltip_kwargs(text: str) -> dict[str, str]:
    """The keyword that sets a control's hover text under the installed ipywidgets."""
    return {"tooltip": text} if IPYWIDGETS_MAJOR >= 8 else {"description_tooltip": text}


def tab_with_titles(
    children: Sequence[ipywidgets.Widget], titles: Sequence[str], **kwargs: Any
) -> ipywidgets.Tab:
    """A ``Tab`` whose titles show under ipywidgets 7 and 8."""
    if len(children) != len(titles):
        raise ValueError(f"{len(children)} tab children but {len(titles)} titles")
    tab = ipywidgets.Tab(children=list(children), **kwargs)
    for index, title in enumerate(titles):
        tab.set_title(index, title)
    return tab


def tab_titles(tab: ipywidgets.Tab) -> tuple[str, ...]:
    """The titles of a ``Tab`` under ipywidgets 7 and 8."""
    return tuple(tab.get_title(i) or "" for i in range(len(tab.children)))
