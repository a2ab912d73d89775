"""What an HTML view draws: the nodes kept under the cap, the highlights, and the page's data."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from casegraph.errors import UsageError
from casegraph.graph.records import EntityRow, EvidenceRow
from casegraph.graph.schema import WEAK, load_schema
from casegraph.queries.results import CommonResult, Edge, Node, PathResult, Subgraph
from casegraph.views.html_cluster import Cluster, clusters_of, leaf_groups

# Default cap on the nodes one page draws; the rest are counted and named as left out.
MAX_NODES = 1500
# Above this many nodes the browser does no physics: the Python layout is final.
PHYSICS_MAX_NODES = 300
# Evidence quotes carried per edge into the page (the rest are counted).
QUOTES_PER_EDGE = 10
# Labels longer than this are cut on the canvas (the side panel shows the whole name).
LABEL_MAX = 40
# How many paths of a path answer are listed and highlighted.
PATHS_SHOWN = 5

PATH_COLOR = "#d9480f"
WEAK_COLOR = "#9aa0a6"
EDGE_COLOR = "#6c757d"
FALLBACK_COLOR = "#999999"


@dataclass
class Drawn:
    """The part of a result one page draws, after the cap."""

    nodes: list[Node]
    edges: list[Edge]
    omitted: int
    omitted_edges: int
    focus: set[str] = field(default_factory=set)  # asked entities: centers, path ends
    marked: set[str] = field(default_factory=set)  # path nodes, shared entities
    path_edges: set[str] = field(default_factory=set)
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)
    clusters: list[Cluster] = field(default_factory=list)
    member_of: dict[str, str] = field(default_factory=dict)  # member id -> cluster id
    capped: int = 0  # entities left out by the page's own cap (max_nodes)


def select(subgraph: Subgraph, highlight: PathResult | None, common: CommonResult | None,
           max_nodes: int) -> Drawn:  # fmt: skip
    """Keep at most max_nodes: asked and path nodes first, then the nearest, then the most linked.

    The leaves of one type around one hub count once (they are drawn as one cluster node).
    """
    if max_nodes < 1:
        raise UsageError(f"max_nodes must be at least 1, not {max_nodes}")
    nodes: dict[str, Node] = {n.id: n for n in subgraph.nodes}
    edges: dict[str, Edge] = {str(e.id): e for e in subgraph.edges}
    aliases: dict[str, tuple[str, ...]] = {}
    focus, marked, path_edges = set(subgraph.centers), set(), set()
    if highlight is not None:
        focus |= {highlight.source.id, highlight.target.id}
        _aliases_from_rows(aliases, (highlight.source, highlight.target))
        for path in highlight.paths[:PATHS_SHOWN]:
            _add_path(nodes, edges, path.nodes, path.edges)
            marked |= {n.id for n in path.nodes}
            path_edges |= {str(e.id) for e in path.edges}
    if common is not None:
        focus |= {e.id for e in common.entities}
        _aliases_from_rows(aliases, common.entities)
        for shared in common.shared:
            nodes.setdefault(shared.node.id, shared.node)
            marked.add(shared.node.id)
            for link in shared.links:
                _add_path(nodes, edges, link.nodes, link.edges)
    for node in nodes.values():
        if node.aliases:
            aliases.setdefault(node.id, node.aliases)
    local_degree: dict[str, int] = {}
    for edge in edges.values():
        for end in (edge.source, edge.target):
            local_degree[end] = local_degree.get(end, 0) + 1

    def rank(node: Node) -> tuple[int, float, int, str, str]:
        tier = 0 if node.id in focus else 1 if node.id in marked else 2
        distance = subgraph.distances.get(node.id)
        degree = max(node.degree, local_degree.get(node.id, 0))
        return tier, math.inf if distance is None else distance, -degree, node.name, node.id

    ranked = sorted(nodes.values(), key=rank)
    groups = leaf_groups(nodes, edges.values(), focus | marked)
    kept: list[Node] = []
    units: set[object] = set()
    for node in ranked:
        unit: object = groups.get(node.id, node.id)
        if unit not in units:
            if len(units) >= max_nodes:
                continue
            units.add(unit)
        kept.append(node)
    kept_ids = {n.id for n in kept}
    kept_edges = [e for e in edges.values() if e.source in kept_ids and e.target in kept_ids]
    by_id = {n.id: n for n in kept}
    clusters = clusters_of(by_id, kept_edges, groups)
    return Drawn(
        nodes=kept,
        edges=kept_edges,
        omitted=subgraph.omitted + len(ranked) - len(kept),
        omitted_edges=len(edges) - len(kept_edges),
        focus=focus & kept_ids,
        marked=marked & kept_ids,
        path_edges={str(e.id) for e in kept_edges} & path_edges,
        aliases=aliases,
        clusters=clusters,
        member_of={m: c.id for c in clusters for m in c.members},
        capped=len(ranked) - len(kept),
    )


def _add_path(nodes: dict[str, Node], edges: dict[str, Edge], path_nodes: Iterable[Node],
              path_edges: Iterable[Edge]) -> None:  # fmt: skip
    for node in path_nodes:
        nodes.setdefault(node.id, node)
    for edge in path_edges:
        edges.setdefault(str(edge.id), edge)


def _aliases_from_rows(out: dict[str, tuple[str, ...]], rows: Iterable[EntityRow]) -> None:
    for row in rows:
        if row.aliases:
            out.setdefault(row.id, tuple(row.aliases))


def vis_node(node: Node, drawn: Drawn, pos: tuple[float, float], physics: bool) -> dict[str, Any]:
    """The vis-network options of one node: colour and shape by type, size by degree."""
    spec = load_schema().entity_types.get(node.type)
    color = spec.color if spec else FALLBACK_COLOR
    shape = spec.shape if spec else "dot"
    degree = max(node.degree, 1)
    label = node.name if len(node.name) <= LABEL_MAX else node.name[: LABEL_MAX - 1] + "…"
    border = (
        "#212529" if node.id in drawn.focus else PATH_COLOR if node.id in drawn.marked else color
    )
    width = 4 if node.id in drawn.focus or node.id in drawn.marked else 1
    options: dict[str, Any] = {
        "label": label,
        "shape": shape,
        "color": {"background": color, "border": border,
                  "highlight": {"background": color, "border": "#000000"}},
        "size": round(min(10 + 4 * math.sqrt(degree), 48), 1),
        "borderWidth": width,
        "x": pos[0],
        "y": pos[1],
        "font": {"size": round(13 + min(9, 1.5 * math.sqrt(degree)), 1)},
    }  # fmt: skip
    if not physics:
        options["physics"] = False
    return options


def cluster_node(cluster: Cluster, pos: tuple[float, float], physics: bool) -> dict[str, Any]:
    """The vis-network options of a collapsed cluster: its type's colour and shape, a bold label."""
    spec = load_schema().entity_types.get(cluster.type)
    color = spec.color if spec else FALLBACK_COLOR
    options: dict[str, Any] = {
        "label": cluster.label,
        "shape": spec.shape if spec else "dot",
        "color": {"background": color, "border": "#212529",
                  "highlight": {"background": color, "border": "#000000"}},
        "size": round(min(18 + 3 * math.sqrt(len(cluster.members)), 56), 1),
        "borderWidth": 3,
        "shapeProperties": {"borderDashes": [6, 3]},
        "x": pos[0],
        "y": pos[1],
        "font": {"size": 18},
        "isCluster": True,
    }  # fmt: skip
    if not physics:
        options["physics"] = False
    return options


def cluster_edge(cluster: Cluster) -> dict[str, Any]:
    """The one link that stands for a cluster's links to its hub."""
    return {"id": "cluster-edge:" + cluster.id, "label": f"{len(cluster.edges)} links",
            "color": {"color": EDGE_COLOR}, "width": 3, "dashes": [8, 4],
            "arrows": {"to": {"enabled": False}}, "isCluster": True}  # fmt: skip


def vis_edge(edge: Edge, drawn: Drawn) -> dict[str, Any]:
    """The vis-network options of one edge: faint and dashed when weak, bold on a path."""
    on_path = str(edge.id) in drawn.path_edges
    weak = edge.type == WEAK
    options: dict[str, Any] = {"id": str(edge.id), "label": edge.type}
    if on_path:
        options.update(color={"color": PATH_COLOR, "highlight": PATH_COLOR}, width=4)
    elif weak:
        options.update(color={"color": WEAK_COLOR, "opacity": 0.35}, width=1)
    else:
        options.update(color={"color": EDGE_COLOR, "highlight": "#212529"}, width=1.5)
    if weak:
        options.update(dashes=True, arrows={"to": {"enabled": False}},
                       font={"color": "#8a9096", "size": 9})  # fmt: skip
    else:
        options["arrows"] = "to"
    return options


def evidence_list(evidence: Iterable[EvidenceRow]) -> tuple[list[dict[str, Any]], int]:
    """Evidence as plain records for the page (quote, citation, extractor), and how many more."""
    rows = list(evidence)
    shown = [
        {"id": e.id, "quote": e.quote, "cite": e.cite(), "document": e.document,
         "doc": e.document_id, "start": e.start, "end": e.end, "date": e.date,
         "extractor": e.extractor, "confidence": round(float(e.confidence), 3)}
        for e in rows[:QUOTES_PER_EDGE]
    ]  # fmt: skip
    return shown, max(0, len(rows) - QUOTES_PER_EDGE)


def legend(nodes: Iterable[Node]) -> list[dict[str, Any]]:
    """The entity types present, in schema order, with colour, shape, definition and count."""
    counts: dict[str, int] = {}
    for node in nodes:
        counts[node.type] = counts.get(node.type, 0) + 1
    schema = load_schema().entity_types
    out = [
        {"type": name, "color": spec.color, "shape": spec.shape,
         "definition": spec.definition, "count": counts[name]}
        for name, spec in schema.items() if name in counts
    ]  # fmt: skip
    out += [
        {"type": t, "color": FALLBACK_COLOR, "shape": "dot", "definition": "", "count": c}
        for t, c in sorted(counts.items()) if t not in schema
    ]  # fmt: skip
    return out


def node_brief(node: Node | EntityRow, names: Mapping[str, Node]) -> dict[str, str]:
    """id, name and type of an entity, as drawn if it is drawn."""
    drawn = names.get(node.id, node)
    return {"id": node.id, "name": drawn.name, "type": drawn.type}
