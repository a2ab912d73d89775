"""Reading facts out of prose: entities, relations and their evidence from news-like text."""

from __future__ import annotations

__all__ = ["extract_facts", "extract_many"]


def __getattr__(name: str):  # type: ignore[no-untyped-def]
    # The pipeline imports spaCy lazily; keep `import casegraph.extract` itself cheap.
    if name in __all__:
        from casegraph.extract import pipeline

        return getattr(pipeline, name)
    raise AttributeError(name)
