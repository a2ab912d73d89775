"""Interactive HTML views of a graph, a path or common connections: one offline, escaped file."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from casegraph.graph.schema import WEAK, load_schema
from casegraph.queries.overview import TEXT_BUDGET
from casegraph.queries.results import CommonResult, Node, PathResult, Subgraph
from casegraph.queries.results import Path as GraphPath
from casegraph.views.files import atomic_text
from casegraph.views.html_cluster import spiral
from casegraph.views.html_data import (
    EDGE_COLOR,
    MAX_NODES,
    PATH_COLOR,
    PATHS_SHOWN,
    PHYSICS_MAX_NODES,
    QUOTES_PER_EDGE,
    WEAK_COLOR,
    Drawn,
    cluster_edge,
    cluster_node,
    evidence_list,
    legend,
    node_brief,
    select,
    vis_edge,
    vis_node,
)

__all__ = [
    "MAX_NODES",
    "PHYSICS_MAX_NODES",
    "TEXT_BUDGET",
    "HtmlReport",
    "page_data",
    "render_html",
]


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
    documents: Mapping[str, str] | None = None,
    cut_by: str | None = None,
    replace: bool = True,
) -> HtmlReport:
    """Write one self-contained HTML page drawing the subgraph (and a path or common answer);
    with replace=False an existing file is kept (UsageError).

    `documents` maps document ids to their texts, so a quote opens its passage in the page
    (within TEXT_BUDGET characters; the page says which texts were left out). `cut_by` names
    the limit that left `subgraph.omitted` entities out (the user's --limit, say).
    """
    from casegraph.views.html_page import render_page

    data = page_data(subgraph, title=title, highlight=highlight, common=common,
                     max_nodes=max_nodes, documents=documents, cut_by=cut_by)  # fmt: skip
    page = render_page(title=title, data=data)
    with atomic_text(Path(path), replace=replace) as fh:
        fh.write(page)
    counts = data["counts"]
    return HtmlReport(Path(path), counts["nodes"], counts["edges"], counts["omitted"])


def page_data(
    subgraph: Subgraph,
    *,
    title: str,
    highlight: PathResult | None = None,
    common: CommonResult | None = None,
    max_nodes: int = MAX_NODES,
    documents: Mapping[str, str] | None = None,
    cut_by: str | None = None,
) -> dict[str, Any]:
    """The JSON data a view page draws from (the static file and `casegraph serve` alike)."""
    from casegraph.views.html_layout import layout

    drawn = select(subgraph, highlight, common, max_nodes)
    members = drawn.member_of
    ids = [n.id for n in drawn.nodes if n.id not in members] + [c.id for c in drawn.clusters]
    links = [(e.source, e.target) for e in drawn.edges
             if e.source not in members and e.target not in members]  # fmt: skip
    links += [(c.hub, c.id) for c in drawn.clusters]
    positions = layout(ids, links)
    for cluster in drawn.clusters:
        spots = spiral(positions[cluster.id], len(cluster.members))
        positions.update(zip(cluster.members, spots, strict=True))
    physics = 0 < len(ids) <= PHYSICS_MAX_NODES
    net = _network(drawn, positions, physics)
    net.set_options(json.dumps(_options(physics, len(ids))))
    vis_nodes, vis_edges, *_rest, options_json = net.get_network_data()
    texts, left_out = _texts(drawn, documents)
    cuts = []
    if subgraph.omitted:
        cuts.append({"count": subgraph.omitted, "by": cut_by or "the question's limit"})
    if drawn.capped:
        cuts.append({"count": drawn.capped, "by": f"--max-nodes {max_nodes}"})
    return {
        "title": title,
        "physics": physics,
        "options": json.loads(options_json),
        "nodes": vis_nodes,
        "edges": vis_edges,
        "details": _details(drawn, subgraph),
        "colors": {name: t.color for name, t in load_schema().entity_types.items()},
        "legend": legend(n for n in drawn.nodes),
        "relations": sorted({e.type for e in drawn.edges}),
        "edgeLegend": _edge_legend(drawn),
        "counts": {"nodes": len(drawn.nodes), "edges": len(drawn.edges), "maxNodes": max_nodes,
                   "omitted": drawn.omitted, "omittedEdges": drawn.omitted_edges, "cuts": cuts,
                   "clusters": len(drawn.clusters), "collapsed": len(members)},
        "answer": _answer(drawn, highlight, common),
        "texts": texts,
        "textsLeftOut": left_out,
        "textBudget": TEXT_BUDGET,
        "live": None,
    }  # fmt: skip


def _texts(drawn: Drawn, documents: Mapping[str, str] | None
           ) -> tuple[dict[str, str], list[dict[str, str]]]:  # fmt: skip
    """The texts of the documents the drawn quotes cite, most cited first, within TEXT_BUDGET."""
    cited: dict[str, int] = {}
    names: dict[str, str] = {}
    for edge in drawn.edges:
        for ev in edge.evidence[:QUOTES_PER_EDGE]:
            cited[ev.document_id] = cited.get(ev.document_id, 0) + 1
            names[ev.document_id] = ev.document
    if documents is None:
        return {}, []
    texts: dict[str, str] = {}
    left_out = []
    room = TEXT_BUDGET
    for doc in sorted(cited, key=lambda d: (-cited[d], d)):
        text = documents.get(doc)
        if text is None:
            continue
        if len(text) > room:
            left_out.append({"id": doc, "name": names[doc], "chars": str(len(text))})
            continue
        texts[doc] = text
        room -= len(text)
    return texts, left_out


def _network(drawn: Drawn, positions: dict[str, tuple[float, float]], physics: bool) -> Any:
    """The pyvis Network of the drawn part (rendered by our own template, not pyvis')."""
    from pyvis.network import Network

    net = Network(directed=True, cdn_resources="in_line")
    linked = {end for e in drawn.edges for end in (e.source, e.target) if e.source != e.target}
    for node in drawn.nodes:
        options = vis_node(node, drawn, positions[node.id], physics)
        owner = drawn.member_of.get(node.id)
        if owner is not None:
            options.update(cluster=owner, physics=False)
        elif node.id not in linked:
            options["physics"] = False  # an isolated entity stays where the layout put it
        net.add_node(node.id, **options)
    for cluster in drawn.clusters:
        net.add_node(cluster.id, **cluster_node(cluster, positions[cluster.id], physics))
    seen_pairs: dict[frozenset[str], int] = {}
    for edge in drawn.edges:
        options = vis_edge(edge, drawn)
        owner = drawn.member_of.get(edge.source) or drawn.member_of.get(edge.target)
        if owner is not None:
            options["cluster"] = owner
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
    for cluster in drawn.clusters:
        net.add_edge(cluster.hub, cluster.id, **cluster_edge(cluster))
    return net


def _options(physics: bool, n: int) -> dict[str, Any]:
    """vis-network options: physics only for small views, cheap drawing for large ones."""
    large = n > PHYSICS_MAX_NODES
    return {
        "autoResize": True,
        "layout": {"improvedLayout": False, "randomSeed": 7},
        "nodes": {"borderWidthSelected": 4,
                  "font": {"face": "system-ui, sans-serif", "strokeWidth": 3,
                           "strokeColor": "#ffffff"},
                  # a label smaller than this on screen is not drawn (the view sizes the ones
                  # that matter to stay readable; the rest show on zoom, hover or click)
                  "scaling": {"label": {"drawThreshold": 9}}},
        "edges": {"smooth": {"enabled": not large, "type": "continuous", "roundness": 0.2},
                  "font": {"size": 10, "align": "middle", "color": "#495057", "strokeWidth": 3,
                           "strokeColor": "#ffffff"},
                  "scaling": {"label": {"drawThreshold": 9}},
                  "selectionWidth": 2},
        "interaction": {"hover": True, "tooltipDelay": 150, "hideEdgesOnDrag": large,
                        "hideEdgesOnZoom": large, "multiselect": False, "keyboard": False},
        "physics": {"enabled": physics, "solver": "barnesHut",
                    "barnesHut": {"gravitationalConstant": -9000, "centralGravity": 0.15,
                                  "springLength": 170, "springConstant": 0.03, "damping": 0.35,
                                  "avoidOverlap": 0.5},
                    "stabilization": {"enabled": True, "iterations": 200, "updateInterval": 50,
                                      "fit": True}},
    }  # fmt: skip


def _details(drawn: Drawn, subgraph: Subgraph) -> dict[str, Any]:
    nodes: dict[str, Any] = {
        n.id: {"name": n.name, "type": n.type, "aliases": list(drawn.aliases.get(n.id, ())),
               "degree": n.degree, "distance": subgraph.distances.get(n.id),
               "cluster": drawn.member_of.get(n.id)}
        for n in drawn.nodes
    }  # fmt: skip
    for c in drawn.clusters:
        nodes[c.id] = {"name": c.label, "type": c.type, "aliases": [], "degree": len(c.members),
                       "distance": None, "cluster": None,
                       "members": list(c.members), "hub": c.hub}  # fmt: skip
    edges: dict[str, Any] = {}
    for e in drawn.edges:
        shown, more = evidence_list(e.evidence)
        dates = sorted(ev.date for ev in e.evidence if ev.date)
        edges[str(e.id)] = {"type": e.type, "source": e.source, "target": e.target,
                            "weak": e.type == WEAK, "evidence": shown, "more": more,
                            "status": e.status or "unreviewed",
                            "confidence": max((float(ev.confidence) for ev in e.evidence),
                                              default=None),
                            "dates": [dates[0][:10], dates[-1][:10]] if dates else None,
                            "cluster": drawn.member_of.get(e.source)
                            or drawn.member_of.get(e.target)}  # fmt: skip
    for c in drawn.clusters:
        types = sorted({edges[i]["type"] for i in c.edges})
        edges["cluster-edge:" + c.id] = {
            "type": ", ".join(types), "source": c.hub, "target": c.id, "weak": False,
            "evidence": [], "more": 0, "status": "", "confidence": None, "dates": None,
            "cluster": None, "summary": c.id, "links": len(c.edges),
        }  # fmt: skip
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
