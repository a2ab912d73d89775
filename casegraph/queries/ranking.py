"""Raw answers of the link questions and how paths are ranked: the same on every backend."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from casegraph.graph.access import CONFIRMED, Hop, NodeInfo
from casegraph.graph.schema import WEAK


@dataclass
class RawPath:
    """A path before evidence is attached: its entities and, per hop, the relation it shows."""

    nodes: list[NodeInfo]
    edges: list[Hop]
    score: float = field(default=0.0)


def score(path: RawPath) -> float:
    """How informative a path is, in [0, 1]: rare intermediate nodes and well-supported hops score high.

    score = 0.6 * mean(1 / log2(2 + degree)) over intermediate nodes (1 when there are none)
          + 0.4 * mean(min(evidence, 5) / 5, halved for MENTIONED_WITH) over hops.
    """
    middle = path.nodes[1:-1]
    rarity = sum(1 / math.log2(2 + n.degree) for n in middle) / len(middle) if middle else 1.0
    support = (
        sum(min(e.evidence, 5) / 5 * (0.5 if e.type == WEAK else 1.0) for e in path.edges)
        / len(path.edges)
        if path.edges
        else 1.0
    )
    return 0.6 * rarity + 0.4 * support


def rank(paths: list[RawPath]) -> list[RawPath]:
    """Shorter first; among equal lengths more hops an investigator confirmed, then the higher
    score, then by names and ids (stable)."""
    for p in paths:
        p.score = score(p)
    return sorted(
        paths,
        key=lambda p: (len(p.edges), -sum(e.status == CONFIRMED for e in p.edges),
                       -round(p.score, 9), [n.name for n in p.nodes], [n.id for n in p.nodes]),
    )  # fmt: skip


def hop_preference(hop: Hop) -> tuple[object, ...]:
    """Which of several relations between two entities a path hop shows (smallest first): a
    confirmed one, then a typed one before MENTIONED_WITH, the best cited, then by type and ends
    (backend-neutral)."""
    return (hop.status != CONFIRMED, hop.type == WEAK, -hop.evidence, hop.type, hop.source,
            hop.target)  # fmt: skip
