"""The walker remembers each node's neighbours per question: answers equal a walker that does not."""

from __future__ import annotations

import itertools
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


def _fan(middles: int, tail: int) -> nx.MultiDiGraph:
    """s and t joined through `middles` middle nodes, and once more by a chain of `tail` hops
    whose nodes have ten leaves each (so a spur search grows t's side first); a long chain
    hangs off t, so a search from t that is not bounded walks into it."""
    g = nx.MultiDiGraph()
    edges = [("s", f"m{i}") for i in range(middles)] + [(f"m{i}", "t") for i in range(middles)]
    chain = ["s", *(f"c{i}" for i in range(tail - 1)), "t"]
    edges += list(itertools.pairwise(chain))
    edges += [("t", "x0")] + [(f"x{i}", f"x{i + 1}") for i in range(40)]
    edges += [(c, f"{c}-leaf{j}") for c in chain[1:-1] for j in range(10)]
    g.add_nodes_from({n for e in edges for n in e}, name="N", type="Company")
    g.add_edges_from((u, v, i, {"type": "HIRED", "evidence": 1}) for i, (u, v) in enumerate(edges))
    return g


def test_k_shortest_needs_no_spur_search_when_k_paths_are_shortest() -> None:
    """With at least k shortest paths, they are the answer: nothing is read beyond what one
    bidirectional search reads."""
    alone, asked = CountingAccess(_fan(5, 4)), CountingAccess(_fan(5, 4))
    expected = all_shortest(Walker(alone, Filters(), endpoints=("s", "t")), "s", "t", 6)
    got = k_shortest(Walker(asked, Filters(), endpoints=("s", "t")), "s", "t", 6, 3,
                     whole_groups=True)  # fmt: skip
    assert sorted(got) == sorted(expected) and len(got) == 5
    assert asked.reads == alone.reads
    assert k_shortest(Walker(asked, Filters(), endpoints=("s", "t")), "s", "t", 6, 3) == got[:3]


def test_spur_searches_stop_at_the_longest_path_that_can_be_kept() -> None:
    """Two shortest paths and k = 3: the third is the 4-hop chain; no spur search walks the
    40-hop chain beyond t, which a search bounded only by max_hops would enter."""
    access = CountingAccess(_fan(2, 4))
    got = k_shortest(Walker(access, Filters(), endpoints=("s", "t")), "s", "t", 6, 3,
                     whole_groups=True)  # fmt: skip
    assert sorted(map(len, got)) == [3, 3, 5]
    assert not any(node.startswith("x") and node != "x0" for node, _ in access.reads)
