"""Leaf clusters of HTML views: many entities of one type hanging off one hub, drawn as one node."""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from casegraph.queries.results import Edge, Node

# A hub's leaves of one type are collapsed from this many up ("906 indicators of Pegasus").
CLUSTER_MIN = 8
# Pixels between the members of an expanded cluster, on the spiral they are laid out on.
MEMBER_SPACING = 34.0


@dataclass(frozen=True)
class Cluster:
    """Leaves of one type linked only to `hub` in the drawing, shown as one expandable node."""

    id: str
    hub: str
    type: str
    members: tuple[str, ...]
    edges: tuple[str, ...]
    hub_name: str

    @property
    def label(self) -> str:
        return f"{len(self.members)} {plural(self.type, len(self.members))} of {self.hub_name}"


def plural(type_name: str, n: int) -> str:
    """'indicator' / 'indicators', 'country' / 'countries': a type name as a lower-case noun."""
    word = type_name.lower()
    if n == 1:
        return word
    if word.endswith("y") and word[-2:-1] not in ("a", "e", "o", "u"):
        return word[:-1] + "ies"
    return word + ("es" if word.endswith(("s", "x", "ch", "sh")) else "s")


def leaf_groups(nodes: Mapping[str, Node], edges: Iterable[Edge], keep: Collection[str]
                ) -> dict[str, tuple[str, str]]:  # fmt: skip
    """Member id -> (hub id, type) for leaves (one neighbour in the drawing) that are numerous
    enough around one hub to be collapsed; entities in `keep` are never collapsed."""
    neighbours: dict[str, set[str]] = {}
    for e in edges:
        if e.source == e.target:
            continue
        neighbours.setdefault(e.source, set()).add(e.target)
        neighbours.setdefault(e.target, set()).add(e.source)
    groups: dict[tuple[str, str], list[str]] = {}
    for node_id, node in nodes.items():
        around = neighbours.get(node_id, set())
        if node_id in keep or len(around) != 1:
            continue
        hub = next(iter(around))
        if len(neighbours.get(hub, ())) <= 1:
            continue  # a pair: neither end is a hub
        groups.setdefault((hub, node.type), []).append(node_id)
    return {
        member: key for key, members in groups.items() if len(members) >= CLUSTER_MIN
        for member in members
    }  # fmt: skip


def clusters_of(nodes: Mapping[str, Node], edges: Iterable[Edge],
                groups: Mapping[str, tuple[str, str]]) -> list[Cluster]:  # fmt: skip
    """The clusters whose hub and members are all drawn, members and edges in a stable order."""
    members: dict[tuple[str, str], list[str]] = {}
    for member, key in groups.items():
        if member in nodes and key[0] in nodes:
            members.setdefault(key, []).append(member)
    links: dict[tuple[str, str], list[str]] = {}
    for e in edges:
        for end in (e.source, e.target):
            group = groups.get(end)
            if group is not None and group in members:
                links.setdefault(group, []).append(str(e.id))
    out = []
    for (hub, type_), ids in sorted(members.items()):
        if len(ids) < CLUSTER_MIN:
            continue
        ids.sort(key=lambda i: (nodes[i].name, i))
        out.append(Cluster(f"cluster:{hub}:{type_}", hub, type_, tuple(ids),
                           tuple(sorted(set(links.get((hub, type_), ())))), nodes[hub].name))  # fmt: skip
    return out


def spiral(center: tuple[float, float], n: int) -> list[tuple[float, float]]:
    """n points on a spiral around center, about MEMBER_SPACING apart (an expanded cluster)."""
    out = []
    for i in range(n):
        radius = MEMBER_SPACING * (1.2 + 0.6 * math.sqrt(i + 1))
        angle = i * 2.399963  # the golden angle: no two points line up
        out.append((round(center[0] + radius * math.cos(angle), 1),
                    round(center[1] + radius * math.sin(angle), 1)))  # fmt: skip
    return out
