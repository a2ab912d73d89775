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
  // What the filters and the clusters let through; the network draws these views of the data.
  const state = { expanded: new Set(), hiddenTypes: new Set(), hiddenRels: new Set(), weak: true,
    minConfidence: 0, from: "", to: "" };
  function nodeShown(n) {
    if (state.hiddenTypes.has(nodeInfo[n.id] ? nodeInfo[n.id].type : "")) return false;
    if (n.cluster) return state.expanded.has(n.cluster);
    if (n.isCluster) return !state.expanded.has(n.id);
    return true;
  }
  function edgeShown(e) {
    const info = edgeInfo[e.id];
    if (!info) return true;
    if (info.cluster && !state.expanded.has(info.cluster)) return false;
    if (info.summary) return !state.expanded.has(info.summary);
    if (info.weak && !state.weak) return false;
    if (state.hiddenRels.has(info.type)) return false;
    if (state.minConfidence > 0 && info.confidence !== null && info.confidence < state.minConfidence) return false;
    if (info.dates && state.from && info.dates[1] < state.from) return false;
    if (info.dates && state.to && info.dates[0] > state.to) return false;
    return true;
  }
  const nodesView = new vis.DataView(nodes, { filter: nodeShown });
  const edgesView = new vis.DataView(edges, { filter: edgeShown });
  const container = byId("cg-graph");
  const network = new vis.Network(container, { nodes: [], edges: [] }, data.options);
  const view = { nodes, edges, nodesView, edgesView, network, data, state, ready: false,
    readyAt: null };
  window.casegraphView = view;

  // Labels that must stay readable at the zoom the page opens with: the asked entities, the
  // path, the clusters and the best connected; the others show once zoomed in (or on hover).
  const READABLE_PX = 13;
  const LABELLED = 60;
  function baseFont(id) {
    const n = nodes.get(id);
    return n && n.font && n.font.size ? n.font.baseSize || n.font.size : 14;
  }
  function sizeLabels() {
    const scale = network.getScale();
    const shown = nodesView.getIds();
    const rank = (id) => {
      const n = nodes.get(id);
      const info = nodeInfo[id] || {};
      return [n.borderWidth >= 4 || n.isCluster ? 0 : 1, -(info.degree || 0)];
    };
    shown.sort((a, b) => { const x = rank(a), y = rank(b); return x[0] - y[0] || x[1] - y[1]; });
    const updates = [];
    shown.forEach((id, i) => {
      const base = baseFont(id);
      const size = i < LABELLED ? Math.max(base, READABLE_PX / scale) : base;
      updates.push({ id, font: { size, baseSize: base } });
    });
    nodes.update(updates);
    const edgeCount = edgesView.length;
    if (edgeCount <= 150) {
      const size = Math.min(Math.max(10, 11 / scale), 40);
      network.setOptions({ edges: { font: { size } } });
    }
  }
  // Entities with no link drawn go in rows just under the rest, not in the far corners.
  function gatherIsolated() {
    const ids = nodesView.getIds();
    const lone = [], placed = [];
    for (const id of ids) (network.getConnectedEdges(id).length ? placed : lone).push(id);
    if (!lone.length || !placed.length) return;
    const pos = network.getPositions(placed);
    let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
    for (const p of Object.values(pos)) {
      minX = Math.min(minX, p.x); maxX = Math.max(maxX, p.x);
      minY = Math.min(minY, p.y); maxY = Math.max(maxY, p.y);
    }
    const box = container.getBoundingClientRect();
    const wide = box.width / Math.max(box.height, 1) > (maxX - minX + 1) / (maxY - minY + 1);
    const across = 260, down = 90;
    if (wide) {  // the canvas is wider than the drawing: a column on its right
      const perCol = Math.max(1, Math.floor((maxY - minY) / down) + 1);
      lone.forEach((id, i) => network.moveNode(id, maxX + 200 + Math.floor(i / perCol) * across,
        minY + (i % perCol) * down));
    } else {  // a row under it
      const perRow = Math.max(1, Math.floor((maxX - minX) / across) + 1);
      lone.forEach((id, i) => network.moveNode(id, minX + (i % perRow) * across,
        maxY + 120 + Math.floor(i / perRow) * down));
    }
  }
  function fitView() {
    network.redraw();
    network.fit({ animation: false });
    const scale = network.getScale();
    network.moveTo({ position: network.getViewPosition(), scale: scale * 0.92,
      animation: false });  // room for the outer labels
  }
  view.fitView = fitView;
  view.sizeLabels = sizeLabels;
  function markReady() {
    if (view.ready) return;
    gatherIsolated();
    fitView();
    sizeLabels();
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
  function refresh() {
    nodesView.refresh();
    edgesView.refresh();
    byId("cg-filter-status").textContent = nodesView.length + " entities and " + edgesView.length +
      " links shown";
  }
  view.refresh = refresh;

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
      const quote = el("blockquote", ev.quote, "cg-quote");
      quote.setAttribute("role", "button");
      quote.tabIndex = 0;
      quote.title = "Open the passage";
      quote.setAttribute("data-evidence", ev.id);
      quote.addEventListener("click", () => openPassage(ev));
      quote.addEventListener("keydown", (event) => {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); openPassage(ev); }
      });
      li.appendChild(quote);
      li.appendChild(el("span", ev.cite + " · " + ev.extractor + " · confidence " + ev.confidence,
        "cg-cite"));
      list.appendChild(li);
    }
    if (!items.length) list.appendChild(el("li", "No evidence recorded.", "cg-hint"));
    if (more) list.appendChild(el("li", "… and " + more + " more", "cg-hint"));
    return list;
  }

  function showCluster(id) {
    const info = nodeInfo[id];
    clear(details);
    details.appendChild(typeBadge(info.type));
    details.appendChild(el("p", info.name, "cg-name"));
    details.appendChild(el("p", "Each is linked only to " + nodeInfo[info.hub].name +
      " in this view; drawn as one node.", "cg-hint"));
    const actions = el("div", null, "cg-actions");
    const expand = el("button", "Expand the " + info.members.length, "cg-expand");
    expand.type = "button";
    expand.addEventListener("click", () => expandCluster(id));
    actions.appendChild(expand);
    details.appendChild(actions);
    const list = el("ul", null, "cg-links");
    for (const m of info.members.slice(0, 50)) {
      const li = el("li");
      li.appendChild(nodeButton(m));
      list.appendChild(li);
    }
    if (info.members.length > 50) list.appendChild(el("li", "… and " + (info.members.length - 50) + " more", "cg-hint"));
    details.appendChild(list);
  }
  function expandCluster(id) {
    state.expanded.add(id);
    refresh();
    sizeLabels();
  }
  function collapseCluster(id) {
    state.expanded.delete(id);
    refresh();
    network.selectNodes([id]);
    showCluster(id);
  }
  view.expandCluster = expandCluster;
  view.collapseCluster = collapseCluster;

  function linksOf(id) {
    const out = [];
    for (const [eid, e] of Object.entries(edgeInfo)) {
      if ((e.source === id || e.target === id) && !e.summary) out.push(eid);
    }
    return out;
  }

  function showNode(id) {
    const info = nodeInfo[id];
    if (!info) return;
    if (info.members) { showCluster(id); return; }
    clear(details);
    details.appendChild(typeBadge(info.type));
    details.appendChild(el("p", info.name, "cg-name"));
    if (info.aliases.length) details.appendChild(kv("Also known as", info.aliases.join("; ")));
    details.appendChild(kv("Id", id));
    details.appendChild(kv("Links in the whole graph", info.degree));
    if (info.distance !== null) details.appendChild(kv("Hops from the centre", info.distance));
    const actions = el("div", null, "cg-actions");
    if (info.cluster) {
      const collapse = el("button", "Collapse into “" + nodeInfo[info.cluster].name + "”", "cg-collapse");
      collapse.type = "button";
      collapse.addEventListener("click", () => collapseCluster(info.cluster));
      actions.appendChild(collapse);
    }
    if (view.live) view.live.nodeActions(id, actions);
    if (actions.firstChild) details.appendChild(actions);
    const all = linksOf(id);
    const links = all.filter((eid) => edgesView.get(eid) !== null);
    details.appendChild(el("h3", "Links drawn (" + links.length +
      (links.length === all.length ? ")" : " of " + all.length + ")")));
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
    if (view.live) view.live.nodeReview(id, details);
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
    if (view.live && !info.summary) view.live.edgeReview(id, details);
  }

  function selectNode(id) {
    const info = nodeInfo[id];
    if (!info) return false;
    if (info.cluster && !state.expanded.has(info.cluster)) expandCluster(info.cluster);
    if (nodesView.get(id) === null) {  // hidden by a type filter: the panel still opens
      showNode(id);
      return true;
    }
    network.selectNodes([id]);
    network.focus(id, { scale: Math.max(network.getScale(), 0.8), animation: false });
    showNode(id);
    return true;
  }
  function selectEdge(id) {
    if (!edgeInfo[id]) return false;
    if (edgesView.get(id) !== null) network.selectEdges([id]);
    showEdge(id);
    return true;
  }
  view.selectNode = selectNode;
  view.selectEdge = selectEdge;
  view.showNode = showNode;
  view.nodeTip = nodeTip;
  view.edgeTip = edgeTip;
  view.el = el;
  view.clear = clear;

  // ---------------------------------------------------------------- passages
  // A quote opens its document's text in the page, the quoted span highlighted; the texts
  // travel in the page's data (escaped JSON), within a size budget.
  const PASSAGE_CONTEXT = 4000;
  function openPassage(ev) {
    const box = byId("cg-passage");
    const body = byId("cg-passage-text");
    clear(body);
    byId("cg-passage-cite").textContent = ev.cite;
    box.hidden = false;
    const text = (data.texts || {})[ev.doc];
    if (text === undefined) {
      const out = (data.textsLeftOut || []).find((d) => d.id === ev.doc);
      body.appendChild(el("p", out ? "The text of this document (" + out.chars +
        " characters) was left out of this page for size (budget " + data.textBudget +
        " characters): run casegraph source " + ev.doc + "." :
        "No text of this document travels with this page (a structured source, such as a " +
        "CSV or JSONL row, has none): the quote is what it says.", "cg-hint"));
      body.appendChild(el("blockquote", ev.quote, "cg-quote"));
      return;
    }
    let start = ev.start, end = ev.end;
    if (start === null || end === null || end > text.length || start < 0 || end <= start) {
      start = text.indexOf(ev.quote);
      end = start < 0 ? -1 : start + ev.quote.length;
    }
    if (start < 0) {
      body.appendChild(el("p", "The quote was not found in the document text.", "cg-hint"));
      body.appendChild(document.createTextNode(text.slice(0, PASSAGE_CONTEXT * 2)));
      return;
    }
    const from = Math.max(0, start - PASSAGE_CONTEXT), to = Math.min(text.length, end + PASSAGE_CONTEXT);
    body.appendChild(document.createTextNode((from > 0 ? "… " : "") + text.slice(from, start)));
    const mark = el("mark", text.slice(start, end));
    mark.setAttribute("data-evidence", ev.id);
    body.appendChild(mark);
    body.appendChild(document.createTextNode(text.slice(end, to) + (to < text.length ? " …" : "")));
    mark.scrollIntoView({ block: "center" });
    box.scrollIntoView({ block: "nearest" });
  }
  view.openPassage = openPassage;
  byId("cg-passage-close").addEventListener("click", () => { byId("cg-passage").hidden = true; });

  network.on("doubleClick", (params) => {  // a double click on a cluster opens it
    const id = params.nodes[0];
    if (id && nodeInfo[id] && nodeInfo[id].members) expandCluster(id);
  });
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
    const label = el("label");
    const box = el("input");
    box.type = "checkbox";
    box.checked = true;
    box.setAttribute("data-filter-type", item.type);
    box.addEventListener("change", () => {
      if (box.checked) state.hiddenTypes.delete(item.type); else state.hiddenTypes.add(item.type);
      refresh();
    });
    label.appendChild(box);
    label.appendChild(swatch(item.shape, item.color));
    label.appendChild(el("span", item.type));
    label.appendChild(el("span", "(" + item.count + ")", "cg-legend-count"));
    li.appendChild(label);
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
  const rels = byId("cg-filter-rels");
  for (const type of data.relations) {
    const label = el("label");
    const box = el("input");
    box.type = "checkbox";
    box.checked = true;
    box.setAttribute("data-filter-rel", type);
    box.addEventListener("change", () => {
      if (box.checked) state.hiddenRels.delete(type); else state.hiddenRels.add(type);
      refresh();
    });
    label.appendChild(box);
    label.appendChild(el("span", type));
    rels.appendChild(label);
  }
  rels.hidden = !data.relations.length;
  byId("cg-filter-weak").addEventListener("change", (event) => {
    state.weak = event.target.checked;
    refresh();
  });
  byId("cg-filter-confidence").addEventListener("input", (event) => {
    state.minConfidence = Number(event.target.value);
    byId("cg-filter-confidence-value").textContent = event.target.value;
    refresh();
  });
  for (const [id, key] of [["cg-filter-from", "from"], ["cg-filter-to", "to"]]) {
    byId(id).addEventListener("change", (event) => { state[key] = event.target.value; refresh(); });
  }

  function header() {
    const c = data.counts;
    byId("cg-counts").textContent = c.nodes + " entities, " + c.edges + " links in this view";
    const cuts = c.cuts || [];
    const o = byId("cg-omitted");
    if (cuts.length || c.omittedEdges) {
      const parts = cuts.map((cut) => cut.count + " more entities left out by " + cut.by);
      if (c.omittedEdges) parts.push(c.omittedEdges + " links to them");
      o.textContent = parts.join("; ") + " (asked and path entities first, then the nearest, " +
        "then the most connected are kept).";
      o.hidden = false;
    } else {
      o.hidden = true;
    }
    const k = byId("cg-collapsed");
    if (c.clusters) {
      k.textContent = c.collapsed + " entities collapsed into " + c.clusters +
        (c.clusters === 1 ? " cluster" : " clusters") + " (click one to expand it).";
      k.hidden = false;
    }
  }
  header();
  view.header = header;

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
    if (best === null && view.live) { view.live.find(wanted, status); return; }
    status.textContent = best === null ? "not drawn" : "";
    if (best !== null) {
      selectNode(best);
      if (nodesView.get(best) === null) status.textContent = "hidden by a filter";
    }
  });

  network.setData({ nodes: nodesView, edges: edgesView });
  refresh();
  if (window.casegraphLive) window.casegraphLive(view);
})();
