"""The paths a brief on how A connects to B is written from: the k best, every hop cited."""

from __future__ import annotations

from dataclasses import replace

from casegraph.graph.store import Store
from casegraph.queries.options import PathOptions
from casegraph.queries.paths import find_paths
from casegraph.queries.results import PathResult

BRIEF_PATHS = 3


def explain(store: Store, a: str, b: str, options: PathOptions | None = None) -> PathResult:
    """The k best paths (default 3) from a to b; `casegraph.views.markdown.brief` writes them up."""
    opts = options or PathOptions(mode="k", k=BRIEF_PATHS)
    if opts.mode == "shortest":
        opts = replace(opts, mode="k", k=BRIEF_PATHS)
    return find_paths(store, a, b, opts)
