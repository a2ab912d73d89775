/* casegraph view: builds the network from the page's JSON data; every string reaches the DOM as text. */
"use strict";
(function () {
  const data = JSON.parse(document.getElementById("casegraph-data").textContent);
  const nodeInfo = data.details.nodes;
  const edgeInfo = data.details.edges;
  const SVGNS = "http://www.w3.org/2000/svg";

  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function byId(id) { return document.getElementById(id); }

  // Hover tooltips are DOM elements with text content, never HTML strings.
  function nodeTip(id) {
    const info = nodeInfo[id];
    const tip = el("div", null, "cg-tip");
    tip.appendChild(el("b", info.name));
    let line = info.type;
    if (info.aliases.length) line += " · also: " + info.aliases.slice(0, 5).join(", ");
    tip.appendChild(el("span", line));
    return tip;
  }
  function edgeTip(id) {
    const info = edgeInfo[id];
    const tip = el("div", null, "cg-tip");
    tip.appendChild(el("b", nodeInfo[info.source].name + " —" + info.type + "→ " +
      nodeInfo[info.target].name));
    const n = info.evidence.length + info.more;
    tip.appendChild(el("span", info.evidence.length ? "“" + info.evidence[0].quote + "” (" +
      n + (n === 1 ? " source)" : " sources)") : "no evidence recorded"));
    return tip;
  }

  const nodes = new vis.DataSet(data.nodes.map((n) => Object.assign({}, n, { title: nodeTip(n.id) })));
  const edges = new vis.DataSet(data.edges.map((e) => Object.assign({}, e, { title: edgeTip(e.id) })));
  const container = byId("cg-graph");
  const network = new vis.Network(container, { nodes: [], edges: [] }, data.options);
  const view = { nodes, edges, network, data, ready: false, readyAt: null };
  window.casegraphView = view;

  function markReady() {
    if (view.ready) return;
    view.ready = true;
    view.readyAt = performance.now();
    document.body.setAttribute("data-ready", "true");
  }
  if (data.physics) {
    network.once("stabilizationIterationsDone", () => {
      network.setOptions({ physics: { enabled: false } });
      markReady();
    });
  } else {
    network.once("afterDrawing", markReady);
  }

  // ---------------------------------------------------------------- side panel
  const details = byId("cg-details-body");

  function typeBadge(type) {
    const color = (data.colors[type] || "#999999");
    const badge = el("span", type, "cg-type");
    badge.style.backgroundColor = color;
    return badge;
  }
  function nodeButton(id) {
    const info = nodeInfo[id];
    const b = el("button", info ? info.name : id, "cg-linkbtn");
    b.type = "button";
    b.addEventListener("click", () => selectNode(id));
    return b;
  }
  function edgeButton(id, text) {
    const b = el("button", text, "cg-linkbtn");
    b.type = "button";
    b.addEventListener("click", () => selectEdge(id));
    return b;
  }
  function kv(label, value) {
    const p = el("p", null, "cg-kv");
    p.appendChild(el("b", label + ": "));
    p.appendChild(document.createTextNode(String(value)));
    return p;
  }
  function evidenceList(items, more) {
    const list = el("ul", null, "cg-evidence");
    for (const ev of items) {
      const li = el("li");
      li.appendChild(el("blockquote", ev.quote, "cg-quote"));
      li.appendChild(el("span", ev.cite + " · " + ev.extractor + " · confidence " + ev.confidence,
        "cg-cite"));
      list.appendChild(li);
    }
    if (!items.length) list.appendChild(el("li", "No evidence recorded.", "cg-hint"));
    if (more) list.appendChild(el("li", "… and " + more + " more", "cg-hint"));
    return list;
  }

  function showNode(id) {
    const info = nodeInfo[id];
    if (!info) return;
    clear(details);
    details.appendChild(typeBadge(info.type));
    details.appendChild(el("p", info.name, "cg-name"));
    if (info.aliases.length) details.appendChild(kv("Also known as", info.aliases.join("; ")));
    details.appendChild(kv("Id", id));
    details.appendChild(kv("Links in the whole graph", info.degree));
    if (info.distance !== null) details.appendChild(kv("Hops from the centre", info.distance));
    const links = network.getConnectedEdges(id);
    details.appendChild(el("h3", "Links drawn (" + links.length + ")"));
    const list = el("ul", null, "cg-links");
    for (const eid of links) {
      const e = edgeInfo[eid];
      const out = e.source === id;
      const other = nodeInfo[out ? e.target : e.source];
      const li = el("li");
      li.appendChild(edgeButton(eid, (out ? "—" + e.type + "→ " : "←" + e.type + "— ") + other.name));
      list.appendChild(li);
    }
    details.appendChild(list);
  }

  function showEdge(id) {
    const info = edgeInfo[id];
    if (!info) return;
    clear(details);
    const head = el("p", null, "cg-name");
    head.appendChild(nodeButton(info.source));
    head.appendChild(el("span", " —" + info.type + "→ ", info.weak ? "cg-weak" : "cg-rel"));
    head.appendChild(nodeButton(info.target));
    details.appendChild(head);
    if (info.weak) details.appendChild(el("p", "Weak link: named together, no typed relation.", "cg-hint"));
    details.appendChild(kv("Review", info.status));
    details.appendChild(kv("Relation id", id));
    details.appendChild(el("h3", "Evidence (" + (info.evidence.length + info.more) + ")"));
    details.appendChild(evidenceList(info.evidence, info.more));
  }

  function selectNode(id) {
    if (!nodeInfo[id]) return false;
    network.selectNodes([id]);
    network.focus(id, { scale: Math.max(network.getScale(), 0.8), animation: false });
    showNode(id);
    return true;
  }
  function selectEdge(id) {
    if (!edgeInfo[id]) return false;
    network.selectEdges([id]);
    showEdge(id);
    return true;
  }
  view.selectNode = selectNode;
  view.selectEdge = selectEdge;

  network.on("click", (params) => {
    if (params.nodes.length) showNode(params.nodes[0]);
    else if (params.edges.length) showEdge(params.edges[0]);
  });

  // ---------------------------------------------------------------- legend
  function swatch(shape, color) {
    const svg = document.createElementNS(SVGNS, "svg");
    svg.setAttribute("width", "16");
    svg.setAttribute("height", "16");
    svg.setAttribute("viewBox", "0 0 16 16");
    svg.setAttribute("aria-hidden", "true");
    const polygons = {
      triangle: "8,1 15,15 1,15", diamond: "8,1 15,8 8,15 1,8",
      hexagon: "4,1.5 12,1.5 15.5,8 12,14.5 4,14.5 0.5,8",
      star: "8,0.5 10,6 15.5,6 11,9.5 12.8,15 8,11.7 3.2,15 5,9.5 0.5,6 6,6",
    };
    let shapeEl;
    if (polygons[shape]) {
      shapeEl = document.createElementNS(SVGNS, "polygon");
      shapeEl.setAttribute("points", polygons[shape]);
    } else if (shape === "square" || shape === "box") {
      shapeEl = document.createElementNS(SVGNS, "rect");
      for (const [k, v] of [["x", 2], ["y", shape === "box" ? 4 : 2], ["width", 12],
        ["height", shape === "box" ? 8 : 12], ["rx", shape === "box" ? 2 : 0]]) shapeEl.setAttribute(k, v);
    } else if (shape === "ellipse") {
      shapeEl = document.createElementNS(SVGNS, "ellipse");
      for (const [k, v] of [["cx", 8], ["cy", 8], ["rx", 7.5], ["ry", 4.5]]) shapeEl.setAttribute(k, v);
    } else {
      shapeEl = document.createElementNS(SVGNS, "circle");
      for (const [k, v] of [["cx", 8], ["cy", 8], ["r", 6.5]]) shapeEl.setAttribute(k, v);
    }
    shapeEl.setAttribute("fill", color);
    shapeEl.setAttribute("stroke", "#495057");
    shapeEl.setAttribute("stroke-width", "0.7");
    svg.appendChild(shapeEl);
    return svg;
  }
  function lineSwatch(color, dashed, width) {
    const svg = document.createElementNS(SVGNS, "svg");
    svg.setAttribute("width", "28");
    svg.setAttribute("height", "10");
    svg.setAttribute("aria-hidden", "true");
    const line = document.createElementNS(SVGNS, "line");
    for (const [k, v] of [["x1", 1], ["y1", 5], ["x2", 27], ["y2", 5], ["stroke", color],
      ["stroke-width", width]]) line.setAttribute(k, v);
    if (dashed) { line.setAttribute("stroke-dasharray", "4 3"); line.setAttribute("stroke-opacity", "0.6"); }
    svg.appendChild(line);
    return svg;
  }
  const legendTypes = byId("cg-legend-types");
  for (const item of data.legend) {
    const li = el("li");
    li.setAttribute("data-type", item.type);
    li.title = item.definition;
    li.appendChild(swatch(item.shape, item.color));
    li.appendChild(el("span", item.type));
    li.appendChild(el("span", "(" + item.count + ")", "cg-legend-count"));
    legendTypes.appendChild(li);
  }
  const legendEdges = byId("cg-legend-edges");
  for (const [label, color, dashed, width] of data.edgeLegend) {
    const li = el("li");
    li.appendChild(lineSwatch(color, dashed, width));
    li.appendChild(el("span", label));
    legendEdges.appendChild(li);
  }

  // ---------------------------------------------------------------- header and answers
  byId("cg-counts").textContent = data.counts.nodes + " entities, " + data.counts.edges +
    " links shown";
  if (data.counts.omitted || data.counts.omittedEdges) {
    const o = byId("cg-omitted");
    o.textContent = data.counts.omitted + " more entities and " + data.counts.omittedEdges +
      " links left out (cap " + data.counts.maxNodes + "): asked and path entities first, then " +
      "the nearest, then the most connected are drawn.";
    o.hidden = false;
  }

  function hopLine(hop) {
    const line = el("span", null, "cg-hop");
    line.appendChild(nodeButton(hop.from.id));
    line.appendChild(document.createTextNode(" "));
    const rel = hop.forward ? "—" + hop.type + "→" : "←" + hop.type + "—";
    line.appendChild(edgeButton(hop.edge, rel));
    line.appendChild(document.createTextNode(" "));
    line.appendChild(nodeButton(hop.to.id));
    if (hop.status) line.appendChild(el("span", " (" + hop.status + ")", "cg-hint"));
    return line;
  }
  if (data.answer) {
    byId("cg-answer").hidden = false;
    byId("cg-answer-title").textContent = data.answer.title;
    const body = byId("cg-answer-body");
    if (!data.answer.items.length) body.appendChild(el("p", data.answer.empty, "cg-hint"));
    for (const item of data.answer.items) {
      body.appendChild(el("h3", item.heading));
      const list = el("ol", null, "cg-path");
      list.setAttribute("data-path", item.heading);
      for (const hop of item.hops) {
        const li = el("li");
        li.setAttribute("data-edge", hop.edge);
        li.appendChild(hopLine(hop));
        if (hop.evidence) li.appendChild(evidenceList(hop.evidence, hop.more));
        list.appendChild(li);
      }
      body.appendChild(list);
    }
  }

  // ---------------------------------------------------------------- find
  byId("cg-find").addEventListener("submit", (event) => {
    event.preventDefault();
    const wanted = byId("cg-find-input").value.trim().toLowerCase();
    const status = byId("cg-find-status");
    if (!wanted) return;
    let best = null;
    for (const [id, info] of Object.entries(nodeInfo)) {
      const names = [info.name].concat(info.aliases).map((s) => s.toLowerCase());
      if (names.includes(wanted)) { best = id; break; }
      if (best === null && names.some((s) => s.includes(wanted))) best = id;
    }
    status.textContent = best === null ? "not drawn" : "";
    if (best !== null) selectNode(best);
  });

  network.setData({ nodes, edges });
})();
