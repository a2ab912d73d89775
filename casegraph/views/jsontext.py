"""JSON text that is always JSON (no NaN or Infinity) and, for a terminal, shows no control character."""

from __future__ import annotations

import json
import math
from typing import Any

# What a non-finite number becomes (stores made before such numbers were refused may hold them).
NON_FINITE = {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}


def finite(value: Any) -> Any:
    """The value with every NaN or infinite float replaced by its name as a string."""
    if isinstance(value, float) and not math.isfinite(value):
        return NON_FINITE[str(value)]
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite(v) for v in value]
    return value


def dumps(value: Any, *, indent: int | None = None) -> str:
    """Strict JSON text of a value (characters kept as they are; non-finite numbers as names)."""
    try:
        return json.dumps(value, ensure_ascii=False, indent=indent, default=str, allow_nan=False)
    except ValueError:
        return json.dumps(finite(value), ensure_ascii=False, indent=indent, default=str,
                          allow_nan=False)  # fmt: skip


def _escape(ch: str) -> str:
    code = ord(ch)
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000  # beyond the BMP: a UTF-16 surrogate pair, as JSON writes it
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def terminal_safe(text: str) -> str:
    """JSON text with every character that is not printable (but the newlines between lines)
    written as its \\u escape: the same JSON value, nothing a terminal acts on."""
    lines = text.split("\n")
    return "\n".join(
        line if line.isprintable() else "".join(c if c.isprintable() else _escape(c) for c in line)
        for line in lines
    )


def json_text(value: Any, *, indent: int | None = None) -> str:
    """JSON for stdout: strict, and safe to show on a terminal."""
    return terminal_safe(dumps(value, indent=indent))
