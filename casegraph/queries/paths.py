"""How is A connected to B: shortest, all shortest, or k shortest paths, each hop with its evidence."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from casegraph.errors import UsageError
from casegraph.graph.access import GraphAccess
from casegraph.graph.records import EntityRow
from casegraph.graph.store import Store
from casegraph.queries.engine import Walker, all_shortest, k_shortest
from casegraph.queries.options import PathOptions
from casegraph.queries.ranking import RawPath, hop_preference, rank
from casegraph.queries.results import Edge, Node, Path, PathResult

# How many shortest paths are ranked to pick the single best one in "shortest" mode, and how
# many simple paths --k considers at most (the k shortest, and all as long as the k-th).
SHORTEST_CANDIDATES = 64
MAX_PATHS_K = 200


def resolve_ends(
    store: Store, a: str, b: str, exclude: Sequence[str]
) -> tuple[EntityRow, EntityRow, list[str]]:
    """The two ends of a path question and the ids to route around; an end cannot be excluded."""
    src, dst = store.resolve(a), store.resolve(b)
    excluded = [store.resolve(x).id for x in exclude]
    for end in (src, dst):
        if end.id in excluded:
            raise UsageError(f"cannot exclude {end.name!r}: it is an end of the path")
    return src, dst, excluded


def find_paths(store: Store, a: str, b: str, options: PathOptions | None = None) -> PathResult:
    """Paths between the entities a and b under the options, best first; empty when none exist."""
    opts = (options or PathOptions()).validated()
    src, dst, excluded = resolve_ends(store, a, b, opts.exclude)
    ranked = rank(raw_paths(store.graph(), src.id, dst.id, opts, excluded))
    if opts.mode == "shortest":
        ranked = ranked[:1]
    elif opts.mode == "all":
        ranked = ranked[: opts.limit]
    else:
        ranked = ranked[: opts.k]
    return PathResult(src, dst, tuple(hydrate(store, ranked, opts.include_rejected)))


def raw_paths(
    access: GraphAccess, s: str, t: str, opts: PathOptions, exclude: Sequence[str]
) -> list[RawPath]:
    """The paths of the question as node sequences, each hop with its strongest relation."""
    walker = Walker(access, opts.filters(exclude), endpoints=(s, t))
    if opts.mode == "k":
        node_paths = k_shortest(
            walker, s, t, opts.max_hops, opts.k, whole_groups=True, cap=MAX_PATHS_K
        )
    elif opts.mode == "all":
        node_paths = all_shortest(walker, s, t, opts.max_hops)
    else:
        node_paths = all_shortest(walker, s, t, opts.max_hops, limit=SHORTEST_CANDIDATES)
    return with_hops(walker, node_paths)


def with_hops(walker: Walker, node_paths: list[list[str]]) -> list[RawPath]:
    """Node paths with each entity's name, type and degree and each hop's best relation."""
    infos = walker.access.nodes({n for p in node_paths for n in p})
    pairs = {pair for p in node_paths for pair in itertools.pairwise(p)}
    hops = walker.access.hops(pairs, walker.step)
    return [
        RawPath([infos[n] for n in p],
                [min(hops[pair], key=hop_preference) for pair in itertools.pairwise(p)])
        for p in node_paths
    ]  # fmt: skip


def hydrate(store: Store, paths: list[RawPath], include_rejected: bool = False) -> list[Path]:
    """Result paths with every hop's evidence read from the store (rejected items left out
    unless asked for) and its review status."""
    evidence = store.evidence({e.rid for p in paths for e in p.edges},
                              include_rejected=include_rejected)  # fmt: skip
    return [
        Path(
            tuple(Node(n.id, n.name, n.type, n.degree) for n in p.nodes),
            tuple(Edge(e.rid, e.source, e.target, e.type, tuple(evidence.get(e.rid, ())), e.status)
                  for e in p.edges),
            p.score,
        )
        for p in paths
    ]  # fmt: skip
