"""Interactive HTML views of a graph, a path or common connections: one offline, escaped file."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from casegraph.graph.schema import WEAK, load_schema
from casegraph.queries.results import CommonResult, Node, PathResult, Subgraph
from casegraph.queries.results import Path as GraphPath
from casegraph.views.files import atomic_text
from casegraph.views.html_data import (
    EDGE_COLOR,
    MAX_NODES,
    PATH_COLOR,
    PATHS_SHOWN,
    PHYSICS_MAX_NODES,
    WEAK_COLOR,
    Drawn,
    evidence_list,
    legend,
    node_brief,
    select,
    vis_edge,
    vis_node,
)

__all__ = ["MAX_NODES", "PHYSICS_MAX_NODES", "HtmlReport", "render_html"]


@dataclass(frozen=True)
class HtmlReport:
    """What render_html wrote: the file, how many nodes and edges it draws, how many left out."""

    path: Path
    nodes: int
    edges: int
    omitted: int


def render_html(
    subgraph: Subgraph,
    path: Path,
    *,
    title: str,
    highlight: PathResult | None = None,
    common: CommonResult | None = None,
    max_nodes: int = MAX_NODES,
    replace: bool = True,
) -> HtmlReport:
    """Write one self-contained HTML page drawing the subgraph (and a path or common answer);
    with replace=False an existing file is kept (UsageError)."""
    from casegraph.views.html_layout import layout
    from casegraph.views.html_page import render_page

    drawn = select(subgraph, highlight, common, max_nodes)
    ids = [n.id for n in drawn.nodes]
    positions = layout(ids, [(e.source, e.target) for e in drawn.edges])
    physics = 0 < len(drawn.nodes) <= PHYSICS_MAX_NODES
    net = _network(drawn, positions, physics)
    net.set_options(json.dumps(_options(physics, len(drawn.nodes))))
    vis_nodes, vis_edges, *_rest, options_json = net.get_network_data()
    data: dict[str, Any] = {
        "title": title,
        "physics": physics,
        "options": json.loads(options_json),
        "nodes": vis_nodes,
        "edges": vis_edges,
        "details": _details(drawn, subgraph),
        "colors": {name: t.color for name, t in load_schema().entity_types.items()},
        "legend": legend(drawn.nodes),
        "edgeLegend": _edge_legend(drawn),
        "counts": {"nodes": len(drawn.nodes), "edges": len(drawn.edges), "maxNodes": max_nodes,
                   "omitted": drawn.omitted, "omittedEdges": drawn.omitted_edges},
        "answer": _answer(drawn, highlight, common),
    }  # fmt: skip
    page = render_page(title=title, data=data)
    with atomic_text(Path(path), replace=replace) as fh:
        fh.write(page)
    return HtmlReport(Path(path), len(drawn.nodes), len(drawn.edges), drawn.omitted)


def _network(drawn: Drawn, positions: dict[str, tuple[float, float]], physics: bool) -> Any:
    """The pyvis Network of the drawn part (rendered by our own template, not pyvis')."""
    from pyvis.network import Network

    net = Network(directed=True, cdn_resources="in_line")
    for node in drawn.nodes:
        options = vis_node(node, drawn, positions[node.id], physics)
        net.add_node(node.id, **options)
    seen_pairs: dict[frozenset[str], int] = {}
    for edge in drawn.edges:
        options = vis_edge(edge, drawn)
        pair = frozenset((edge.source, edge.target))
        twin = seen_pairs.get(pair, 0)
        seen_pairs[pair] = twin + 1
        if twin:  # parallel links between one pair are bent apart so each stays visible
            turn = "curvedCW" if twin % 2 else "curvedCCW"
            options["smooth"] = {
                "enabled": True,
                "type": turn,
                "roundness": 0.2 * ((twin + 1) // 2),
            }
        net.add_edge(edge.source, edge.target, **options)
    return net


def _options(physics: bool, n: int) -> dict[str, Any]:
    """vis-network options: physics only for small views, cheap drawing for large ones."""
    large = n > PHYSICS_MAX_NODES
    return {
        "autoResize": True,
        "layout": {"improvedLayout": False, "randomSeed": 7},
        "nodes": {"borderWidthSelected": 4,
                  "font": {"face": "system-ui, sans-serif", "strokeWidth": 3,
                           "strokeColor": "#ffffff"}},
        "edges": {"smooth": {"enabled": not large, "type": "continuous", "roundness": 0.2},
                  "font": {"size": 10, "align": "middle", "color": "#495057", "strokeWidth": 3,
                           "strokeColor": "#ffffff"},
                  "selectionWidth": 2},
        "interaction": {"hover": True, "tooltipDelay": 150, "hideEdgesOnDrag": large,
                        "hideEdgesOnZoom": large, "multiselect": False, "keyboard": False},
        "physics": {"enabled": physics, "solver": "barnesHut",
                    "barnesHut": {"gravitationalConstant": -6000, "springLength": 130,
                                  "springConstant": 0.03, "damping": 0.35, "avoidOverlap": 0.3},
                    "stabilization": {"enabled": True, "iterations": 200, "updateInterval": 50,
                                      "fit": True}},
    }  # fmt: skip


def _details(drawn: Drawn, subgraph: Subgraph) -> dict[str, Any]:
    nodes = {
        n.id: {"name": n.name, "type": n.type, "aliases": list(drawn.aliases.get(n.id, ())),
               "degree": n.degree, "distance": subgraph.distances.get(n.id)}
        for n in drawn.nodes
    }  # fmt: skip
    edges = {}
    for e in drawn.edges:
        shown, more = evidence_list(e.evidence)
        edges[str(e.id)] = {"type": e.type, "source": e.source, "target": e.target,
                            "weak": e.type == WEAK, "evidence": shown, "more": more,
                            "status": e.status or "unreviewed"}  # fmt: skip
    return {"nodes": nodes, "edges": edges}


def _edge_legend(drawn: Drawn) -> list[list[Any]]:
    rows: list[list[Any]] = [["typed relation (arrow: direction)", EDGE_COLOR, False, 2]]
    if any(e.type == WEAK for e in drawn.edges):
        rows.append([f"{WEAK}: named together (weak)", WEAK_COLOR, True, 2])
    if drawn.path_edges:
        rows.append(["path hop", PATH_COLOR, False, 4])
    return rows


def _hops(path: GraphPath, names: dict[str, Node], with_evidence: bool) -> list[dict[str, Any]]:
    hops = []
    for i, edge in enumerate(path.edges):
        a, b = path.nodes[i], path.nodes[i + 1]
        hop: dict[str, Any] = {"edge": str(edge.id), "type": edge.type,
                               "from": node_brief(a, names), "to": node_brief(b, names),
                               "forward": edge.source == a.id,
                               "status": edge.status or "unreviewed"}  # fmt: skip
        if with_evidence:
            hop["evidence"], hop["more"] = evidence_list(edge.evidence)
        hops.append(hop)
    return hops


def _answer(drawn: Drawn, highlight: PathResult | None, common: CommonResult | None
            ) -> dict[str, Any] | None:  # fmt: skip
    """The answer listed beside the graph: path hops with citations, or shared entities."""
    names = {n.id: n for n in drawn.nodes}
    if highlight is not None:
        items = [
            {"heading": f"Path {i} ({p.length} hop{'s' if p.length != 1 else ''})",
             "hops": _hops(p, names, with_evidence=True)}
            for i, p in enumerate(highlight.paths[:PATHS_SHOWN], 1)
        ]  # fmt: skip
        return {"title": f"How {highlight.source.name} connects to {highlight.target.name}",
                "items": items, "empty": "No path found."}  # fmt: skip
    if common is not None:
        items = []
        for shared in common.shared:
            hops = [h for link in shared.links for h in _hops(link, names, with_evidence=False)]
            items.append({"heading": f"{shared.node.name} ({shared.node.type})", "hops": hops})
        asked = ", ".join(e.name for e in common.entities)
        return {"title": f"What {asked} have in common", "items": items,
                "empty": "Nothing in common within the depth asked."}  # fmt: skip
    return None
