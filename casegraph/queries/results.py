"""Plain result objects of the questions; views render them and never query a store."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from casegraph.graph.records import EntityRow, EvidenceRow


@dataclass(frozen=True)
class Node:
    """An entity in a result, with its degree in the whole graph (and its aliases, for views)."""

    id: str
    name: str
    type: str
    degree: int = 0
    aliases: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "type": self.type}


@dataclass(frozen=True)
class Edge:
    """A relation in a result, directed as stored, with its evidence."""

    id: str
    source: str
    target: str
    type: str
    evidence: tuple[EvidenceRow, ...] = ()
    status: str | None = None  # None (unreviewed), "confirmed" or "rejected"

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status or "unreviewed",
            "source": self.source,
            "target": self.target,
            "type": self.type,
            "evidence": [e.as_dict() for e in self.evidence],
        }


@dataclass(frozen=True)
class Path:
    """One path: nodes in walking order, edges[i] joins nodes[i] and nodes[i+1] (either way round)."""

    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    score: float = 0.0

    @property
    def length(self) -> int:
        return len(self.edges)

    def as_dict(self) -> dict[str, Any]:
        return {
            "length": self.length,
            "score": round(self.score, 4),
            "nodes": [n.as_dict() for n in self.nodes],
            "edges": [e.as_dict() for e in self.edges],
        }


@dataclass(frozen=True)
class PathResult:
    """The answer to 'how is A connected to B': zero or more paths, best first."""

    source: EntityRow
    target: EntityRow
    paths: tuple[Path, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source.brief(),
            "target": self.target.brief(),
            "paths": [p.as_dict() for p in self.paths],
        }


@dataclass(frozen=True)
class Subgraph:
    """A neighbourhood or any drawn part of the graph: nodes, edges, and what was left out."""

    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    centers: tuple[str, ...] = ()
    omitted: int = 0
    distances: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "centers": list(self.centers),
            "nodes": [{**n.as_dict(), "degree": n.degree,
                       "distance": self.distances.get(n.id)} for n in self.nodes],
            "edges": [e.as_dict() for e in self.edges],
            "omitted": self.omitted,
        }  # fmt: skip


@dataclass(frozen=True)
class Shared:
    """An entity linked to every one of the asked entities, with the linking path to each."""

    node: Node
    links: tuple[Path, ...]  # links[i] joins entities[i] to node

    def as_dict(self) -> dict[str, Any]:
        return {**self.node.as_dict(), "links": [p.as_dict() for p in self.links]}


@dataclass(frozen=True)
class CommonResult:
    """The answer to 'what do A and B have in common'."""

    entities: tuple[EntityRow, ...]
    shared: tuple[Shared, ...]
    depth: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "entities": [e.brief() for e in self.entities],
            "depth": self.depth,
            "common": [s.as_dict() for s in self.shared],
        }
