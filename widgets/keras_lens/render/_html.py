"""Tiny escaping helpers shared by the views: all text put into HTML, SVG or DOT goes through here.

Control characters (which HTML and Graphviz's XML-based labels reject) are shown as ``\\x01``.

Example:
    >>> esc("<img src=x onerror=alert(1)>")
    '&lt;img src=x onerror=alert(1)&gt;'
    >>> esc("bell\\x07")
    'bell\\\\x07'
    >>> dot_string('say "hi" \\\\N')
    '"say \\\\"hi\\\\" \\\\\\\\\\\\\\\\N"'
"""

from __future__ import annotations

import html
import re

__all__ = ["dot_string", "esc", "esc_text", "visible"]

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def visible(text: object) -> str:
    """``str(text)`` with control characters (other than tab and newlines) written as ``\\x01``."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", str(text))


def esc(text: object) -> str:
    """``html.escape`` of ``str(text)``, quotes included (safe in text and attribute values)."""
    return html.escape(visible(text), quote=True)


def esc_text(text: object) -> str:
    """``html.escape`` without quotes: for Graphviz strings that it entity-decodes (tooltips)."""
    return html.escape(visible(text), quote=False)


def dot_string(text: object) -> str:
    """A DOT double-quoted escString (tooltips): the text comes out literally in the drawing.

    Graphviz reads a backslash twice (the DOT lexer, then escString's ``\\N``, ``\\G``, ``\\L``
    substitutions), so each literal backslash is written as four; quotes are escaped and
    newlines become ``\\n``.
    """
    value = visible(text).replace("\\", "\\\\\\\\").replace('"', '\\"')
    value = value.replace("\r", "").replace("\n", "\\n")
    return f'"{value}"'
