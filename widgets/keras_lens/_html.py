"""Tiny escaping helpers shared by the views: all text put into HTML, SVG or DOT goes through here.

Example:
    >>> esc("<img src=x onerror=alert(1)>")
    '&lt;img src=x onerror=alert(1)&gt;'
    >>> dot_string('say "hi" \\\\ {x}')
    '"say \\\\"hi\\\\" \\\\\\\\ {x}"'
"""

from __future__ import annotations

import html

__all__ = ["dot_string", "esc", "esc_text"]


def esc(text: object) -> str:
    """``html.escape`` of ``str(text)``, quotes included (safe in text and attribute values)."""
    return html.escape(str(text), quote=True)


def esc_text(text: object) -> str:
    """``html.escape`` without quotes: for Graphviz strings that it entity-decodes (tooltips)."""
    return html.escape(str(text), quote=False)


def dot_string(text: object) -> str:
    """A DOT double-quoted string: backslashes and quotes escaped, newlines kept as ``\\n``."""
    value = str(text).replace("\\", "\\\\").replace('"', '\\"')
    value = value.replace("\r", "").replace("\n", "\\n")
    return f'"{value}"'
