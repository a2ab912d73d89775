"""The walker remembers each node's neighbours per question: answers equal a walker that does not."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping
from collections.abc import Set as AbstractSet

import networkx as nx
import pytest

from casegraph.graph.access import NxAccess, Step
from casegraph.queries.engine import Filters, Walker, all_shortest, k_shortest


class CountingAccess(NxAccess):
    """The reference adjacency, counting how often each node's neighbours are read."""

    def __init__(self, graph: nx.MultiDiGraph) -> None:
        super().__init__(graph)
        self.reads: Counter[tuple[str, bool]] = Counter()

    def step(
        self, nodes: Collection[str], step: Step, forward: bool
    ) -> Mapping[str, AbstractSet[str]]:
        for u in nodes:
            self.reads[(u, forward)] += 1
        return super().step(nodes, step, forward)


def _graph(seed: int) -> nx.MultiDiGraph:
    base = nx.barabasi_albert_graph(300, 3, seed=seed)
    g = nx.MultiDiGraph()
    g.add_nodes_from((f"n{n}", {"name": f"N{n}", "type": "Company"}) for n in base)
    g.add_edges_from(
        (f"n{u}", f"n{v}", i, {"type": "HIRED", "evidence": 1})
        for i, (u, v) in enumerate(base.edges)
    )
    return g


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("directed", [False, True])
def test_k_shortest_with_and_without_the_memo_agree(seed: int, directed: bool) -> None:
    g = _graph(seed)
    filters = Filters(directed=directed, exclude=frozenset({"n1"}))
    s, t = f"n{10 + seed}", f"n{250 - seed}"
    remembering = Walker(NxAccess(g), filters, endpoints=(s, t))
    forgetful = Walker(NxAccess(g), filters, endpoints=(s, t))
    forgetful._memo_room = 0  # remembers nothing: every step read from the access
    for k in (1, 3, 8):
        assert k_shortest(remembering, s, t, 6, k, whole_groups=True, cap=60) == k_shortest(
            forgetful, s, t, 6, k, whole_groups=True, cap=60
        )
    assert all_shortest(remembering, s, t, 6) == all_shortest(forgetful, s, t, 6)
    assert not forgetful._memo[0] and not forgetful._memo[1]


def test_each_node_is_read_once_per_question() -> None:
    access = CountingAccess(_graph(1))
    walker = Walker(access, Filters(), endpoints=("n5", "n200"))
    paths = k_shortest(walker, "n5", "n200", 6, 5, whole_groups=True, cap=50)
    assert len(paths) >= 5
    assert access.reads and max(access.reads.values()) == 1
