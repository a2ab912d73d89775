"""Generated test graphs with hub nodes (power-law degrees), shaped like the store's networkx view."""

from __future__ import annotations

import random
from typing import Any

TYPES = ("Person", "Company", "Organization", "Country", "Product", "Platform")
RELS = ("WORKS_FOR", "HIRED", "BASED_IN", "DEVELOPED", "USED", "MENTIONED_WITH")


def power_law_edges(relations: int, nodes: int, seed: int = 7) -> list[tuple[int, int, str]]:
    """`relations` edges over `nodes` nodes; targets drawn by preferential attachment (hubs)."""
    rng = random.Random(seed)
    pool = list(range(min(nodes, 50)))
    edges = []
    for i in range(relations):
        source = rng.randrange(nodes)
        target = rng.choice(pool) if rng.random() < 0.8 else rng.randrange(nodes)
        if target == source:
            target = (target + 1) % nodes
        pool.append(target)
        edges.append((source, target, RELS[i % len(RELS)]))
    return edges


def networkx_view(relations: int, nodes: int, seed: int = 7) -> Any:
    """A MultiDiGraph laid out exactly as SqliteStore.graph() builds it."""
    import networkx as nx

    rng = random.Random(seed + 1)
    graph = nx.MultiDiGraph()
    graph.add_nodes_from(
        (f"e{i}", {"name": f"Entity {i}", "type": TYPES[rng.randrange(len(TYPES))]})
        for i in range(nodes)
    )
    graph.add_edges_from(
        (f"e{s}", f"e{t}", rid, {"type": rel, "evidence": 1 + rid % 3})
        for rid, (s, t, rel) in enumerate(power_law_edges(relations, nodes, seed))
    )
    return graph
