"""Property tests: the path engine against a plain BFS oracle on random typed graphs, every filter."""

from __future__ import annotations

from collections import deque
from itertools import islice, pairwise

import networkx as nx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casegraph.graph.access import NxAccess
from casegraph.queries.engine import Filters, all_shortest, bfs_levels, k_shortest
from casegraph.queries.engine import Walker as _Walker

TYPES = ["Person", "Company", "Country"]


def Walker(graph: nx.MultiDiGraph, filters: Filters, endpoints: tuple[str, ...] = ()) -> _Walker:
    """The engine's walker over the reference adjacency of a networkx graph."""
    return _Walker(NxAccess(graph), filters, endpoints)


RELS = ["HIRED", "BASED_IN", "MENTIONED_WITH"]


@st.composite
def graphs(draw):  # type: ignore[no-untyped-def]
    n = draw(st.integers(2, 12))
    g = nx.MultiDiGraph()
    for i in range(n):
        g.add_node(f"n{i}", name=f"N{i}", type=draw(st.sampled_from(TYPES)))
    edges = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1),
                                    st.sampled_from(RELS)), max_size=30))  # fmt: skip
    for rid, (a, b, rel) in enumerate(edges):
        if a != b:
            g.add_edge(f"n{a}", f"n{b}", key=rid, type=rel, evidence=1)
    s = draw(st.integers(0, n - 1))
    t = draw(st.integers(0, n - 1).filter(lambda x: x != s))
    filters = Filters(
        rel_types=draw(st.none() | st.frozensets(st.sampled_from(RELS), min_size=1)),
        no_weak=draw(st.booleans()),
        via_types=draw(st.none() | st.frozensets(st.sampled_from(TYPES), min_size=1)),
        exclude=draw(st.frozensets(st.sampled_from([f"n{i}" for i in range(n)]), max_size=3))
        - {f"n{s}", f"n{t}"},
        directed=draw(st.booleans()),
    )
    return g, f"n{s}", f"n{t}", filters


def oracle_adjacency(g: nx.MultiDiGraph, f: Filters, s: str, t: str) -> dict[str, set[str]]:
    """The filtered graph spelled out plainly, independent of the engine."""
    adj: dict[str, set[str]] = {n: set() for n in g}

    def node_ok(v: str) -> bool:
        if v in (s, t):
            return True
        if v in f.exclude:
            return False
        return f.via_types is None or g.nodes[v]["type"] in f.via_types

    for u, v, d in g.edges(data=True):
        if f.no_weak and d["type"] == "MENTIONED_WITH":
            continue
        if f.rel_types is not None and d["type"] not in f.rel_types:
            continue
        if not (node_ok(u) and node_ok(v)):
            continue
        adj[u].add(v)
        if not f.directed:
            adj[v].add(u)
    return adj


def oracle_all_shortest(
    adj: dict[str, set[str]], s: str, t: str, max_hops: int
) -> set[tuple[str, ...]]:
    dist = {s: 0}
    queue = deque([s])
    while queue:
        u = queue.popleft()
        for v in adj[u]:
            if v not in dist:
                dist[v] = dist[u] + 1
                queue.append(v)
    if t not in dist or dist[t] > max_hops:
        return set()
    paths: set[tuple[str, ...]] = set()

    def extend(path: list[str]) -> None:
        u = path[-1]
        if u == t:
            paths.add(tuple(path))
            return
        for v in adj[u]:
            if dist.get(v) == dist[u] + 1 and len(path) <= dist[t]:
                extend([*path, v])

    extend([s])
    return {p for p in paths if len(p) - 1 == dist[t]}


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graphs(), st.integers(1, 6))
def test_all_shortest_matches_bfs_oracle(case, max_hops: int) -> None:  # type: ignore[no-untyped-def]
    g, s, t, f = case
    expected = oracle_all_shortest(oracle_adjacency(g, f, s, t), s, t, max_hops)
    got = all_shortest(Walker(g, f, endpoints=(s, t)), s, t, max_hops)
    assert len(got) == len({tuple(p) for p in got}), "a path was listed twice"
    assert {tuple(p) for p in got} == expected


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graphs(), st.integers(1, 5))
def test_k_shortest_lengths_match_simple_path_enumeration(case, k: int) -> None:  # type: ignore[no-untyped-def]
    g, s, t, f = case
    adj = oracle_adjacency(g, f, s, t)
    simple = nx.DiGraph() if f.directed else nx.Graph()
    simple.add_nodes_from(adj)
    simple.add_edges_from((u, v) for u, vs in adj.items() for v in vs)
    max_hops = 6
    try:
        expected = [len(p) - 1 for p in islice(nx.shortest_simple_paths(simple, s, t), 200)]
    except nx.NetworkXNoPath:
        expected = []
    expected = [n for n in expected if n <= max_hops][:k]
    got = k_shortest(Walker(g, f, endpoints=(s, t)), s, t, max_hops, k)
    assert [len(p) - 1 for p in got] == expected
    for p in got:
        assert len(set(p)) == len(p), "not a simple path"
        assert p[0] == s and p[-1] == t
        assert all(b in adj[a] for a, b in pairwise(p)), "a hop breaks the filters"


@settings(max_examples=200, deadline=None)
@given(graphs(), st.integers(1, 4))
def test_bfs_levels_match_oracle_distances(case, depth: int) -> None:  # type: ignore[no-untyped-def]
    g, s, _t, f = case
    adj = oracle_adjacency(g, f, s, s)
    dist = {s: 0}
    queue = deque([s])
    while queue:
        u = queue.popleft()
        for v in adj[u]:
            if v not in dist and dist[u] < depth:
                dist[v] = dist[u] + 1
                queue.append(v)
    got, parent = bfs_levels(Walker(g, f, endpoints=(s,)), s, depth)
    assert got == dist
    for v, p in parent.items():
        assert v in adj[p] and got[p] == got[v] - 1


def test_engine_never_mutates_the_graph() -> None:
    g = nx.gnm_random_graph(60, 200, seed=3, directed=True)
    m = nx.MultiDiGraph()
    m.add_nodes_from((n, {"name": str(n), "type": "Company"}) for n in g)
    m.add_edges_from(
        (u, v, i, {"type": "HIRED", "evidence": 1}) for i, (u, v) in enumerate(g.edges)
    )
    before = nx.to_dict_of_dicts(m)
    walker = Walker(m, Filters(exclude=frozenset({5, 6})), endpoints=(0, 1))
    all_shortest(walker, 0, 1, 6)
    k_shortest(walker, 0, 1, 6, 5)
    assert nx.to_dict_of_dicts(m) == before


def test_every_shortest_path_of_a_grid() -> None:
    """A 4x4 grid has C(6,3) = 20 shortest corner-to-corner paths, each side branching often."""
    grid = nx.grid_2d_graph(4, 4)
    m = nx.MultiDiGraph()
    m.add_nodes_from((str(n), {"name": str(n), "type": "Company"}) for n in grid)
    m.add_edges_from(
        (str(u), str(v), i, {"type": "HIRED", "evidence": 1}) for i, (u, v) in enumerate(grid.edges)
    )
    s, t = str((0, 0)), str((3, 3))
    got = all_shortest(Walker(m, Filters(), endpoints=(s, t)), s, t, 6)
    expected = {tuple(map(str, p)) for p in nx.all_shortest_paths(grid, (0, 0), (3, 3))}
    assert len(expected) == 20
    assert {tuple(p) for p in got} == expected
    directed = all_shortest(Walker(m, Filters(directed=True), endpoints=(s, t)), s, t, 6)
    assert {tuple(p) for p in directed} == expected  # grid edges all point away from (0, 0)
    assert k_shortest(Walker(m, Filters(), endpoints=(s, t)), s, t, 8, 25)[-1].__len__() == 9


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graphs(), st.integers(1, 4))
def test_k_shortest_whole_groups_lists_every_path_as_short_as_the_kth(case, k: int) -> None:  # type: ignore[no-untyped-def]
    g, s, t, f = case
    adj = oracle_adjacency(g, f, s, t)
    simple = nx.DiGraph() if f.directed else nx.Graph()
    simple.add_nodes_from(adj)
    simple.add_edges_from((u, v) for u, vs in adj.items() for v in vs)
    got = k_shortest(Walker(g, f, endpoints=(s, t)), s, t, 5, k, whole_groups=True)
    everything = sorted((tuple(p) for p in nx.all_simple_paths(simple, s, t, cutoff=5)), key=len)
    if len(everything) <= k:
        assert {tuple(p) for p in got} == set(everything)
    else:
        bound = len(everything[k - 1])
        assert {tuple(p) for p in got} == {p for p in everything if len(p) <= bound}
