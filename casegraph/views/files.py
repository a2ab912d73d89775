"""Writing view and export files so that they appear whole or not at all (casegraph.safefile)."""

from __future__ import annotations

from casegraph.safefile import atomic_text, check_target

__all__ = ["atomic_text", "check_target"]
