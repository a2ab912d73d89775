/* casegraph serve: expand from the store, ask questions, review; every string reaches the DOM as text. */
"use strict";
window.casegraphLive = function (view) {
  const data = view.data;
  const live = data.live;
  if (!live) return;
  const el = view.el;
  const byId = (id) => document.getElementById(id);

  async function call(path, options) {
    const response = await fetch(path, Object.assign({ credentials: "same-origin" }, options || {}));
    let body = null;
    try { body = await response.json(); } catch (e) { body = { error: "not JSON (" + response.status + ")" }; }
    if (!response.ok) throw new Error(body && body.error ? body.error : "HTTP " + response.status);
    return body;
  }
  function status(parent, text, error) {
    let line = parent.querySelector(".cg-status");
    if (!line) { line = el("p", null, "cg-status"); line.setAttribute("aria-live", "polite"); parent.appendChild(line); }
    line.textContent = text;
    line.classList.toggle("cg-error", !!error);
    return line;
  }

  // ------------------------------------------------------------ expand from the store
  function merge(result, around) {
    const at = around && view.network.body.nodes[around] ? view.network.getPosition(around) : { x: 0, y: 0 };
    Object.assign(data.details.nodes, result.details.nodes);
    Object.assign(data.details.edges, result.details.edges);
    const fresh = result.nodes.filter((n) => view.nodes.get(n.id) === null);
    fresh.forEach((n, i) => {
      const angle = i * 2.399963, radius = 160 + 28 * Math.sqrt(i + 1);
      if (!n.cluster) { n.x = at.x + radius * Math.cos(angle); n.y = at.y + radius * Math.sin(angle); }
      n.physics = false;
      n.title = view.nodeTip(n.id);
    });
    view.nodes.add(fresh);
    const freshEdges = result.edges.filter((e) => view.edges.get(e.id) === null);
    freshEdges.forEach((e) => { e.title = view.edgeTip(e.id); });
    view.edges.add(freshEdges);
    view.refresh();
    view.sizeLabels();
    return fresh.length;
  }
  async function expand(id, line) {
    const box = line || byId("cg-details-body");
    status(box, "asking the store…");
    try {
      const result = await call("/api/expand?entity=" + encodeURIComponent(id));
      const added = merge(result, id);
      status(box, added ? added + " entities added" : "no new neighbours");
      return added;
    } catch (e) {
      status(box, e.message, true);
      return 0;
    }
  }
  view.liveExpand = expand;
  view.network.on("doubleClick", (params) => {  // a double click on an entity expands it
    const id = params.nodes[0];
    if (id && data.details.nodes[id] && !data.details.nodes[id].members) expand(id);
  });

  // ------------------------------------------------------------ review from the page
  async function decide(body, box) {
    status(box, "recording…");
    try {
      const result = await call("/api/review", {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": live.csrf },
        body: JSON.stringify(body),
      });
      const d = result.decision;
      status(box, "recorded: " + d.action + " " + d.target + " (" + d.uid + ")");
      if (body.action === "confirm" || body.action === "reject") {
        const info = data.details.edges[body.target];
        if (info) info.status = body.action === "confirm" ? "confirmed" : "rejected";
      }
      if (body.action === "retype") {
        const info = data.details.nodes[body.target];
        if (info) info.type = body.type;
      }
    } catch (e) {
      status(box, e.message, true);
    }
  }
  function button(text, cls, onclick) {
    const b = el("button", text, cls);
    b.type = "button";
    b.addEventListener("click", onclick);
    return b;
  }
  function reviewBox(details) {
    const box = el("div", null, "cg-review");
    box.appendChild(el("h3", "Review"));
    details.appendChild(box);
    return box;
  }
  function noteRow(box, target) {
    const input = el("input");
    input.type = "text";
    input.placeholder = "a note";
    input.className = "cg-note-text";
    const row = el("div", null, "cg-actions");
    row.appendChild(input);
    row.appendChild(button("Add note", "cg-note", () => decide({ action: "note", target, text: input.value }, box)));
    box.appendChild(row);
  }

  view.live = {
    nodeActions(id, actions) {
      if (data.details.nodes[id] && !data.details.nodes[id].members) {
        actions.appendChild(button("Expand from the store", "cg-live-expand", () => expand(id)));
      }
    },
    nodeReview(id, details) {
      if (!live.review) return;
      const box = reviewBox(details);
      const select = el("select");
      select.className = "cg-retype-type";
      for (const t of live.types) {
        const option = el("option", t);
        option.value = t;
        if (t === data.details.nodes[id].type) option.selected = true;
        select.appendChild(option);
      }
      const row = el("div", null, "cg-actions");
      row.appendChild(select);
      row.appendChild(button("Retype", "cg-retype", () => decide({ action: "retype", target: id, type: select.value }, box)));
      box.appendChild(row);
      const names = el("input");
      names.type = "text";
      names.placeholder = "names to split off, comma-separated";
      names.className = "cg-split-names";
      const split = el("div", null, "cg-actions");
      split.appendChild(names);
      split.appendChild(button("Split", "cg-split", () => decide({ action: "split", target: id,
        names: names.value.split(",").map((s) => s.trim()).filter((s) => s) }, box)));
      box.appendChild(split);
      noteRow(box, id);
    },
    edgeReview(id, details) {
      if (!live.review) return;
      const box = reviewBox(details);
      const row = el("div", null, "cg-actions");
      row.appendChild(button("Confirm", "cg-confirm", () => decide({ action: "confirm", target: id }, box)));
      row.appendChild(button("Reject", "cg-reject", () => decide({ action: "reject", target: id }, box)));
      box.appendChild(row);
      noteRow(box, id);
    },
    async find(wanted, line) {
      line.textContent = "searching the store…";
      try {
        const found = await call("/api/search?limit=1&q=" + encodeURIComponent(wanted));
        if (!found.results.length) { line.textContent = "no match"; return; }
        const hit = found.results[0];
        if (!data.details.nodes[hit.id]) {
          const result = await call("/api/expand?entity=" + encodeURIComponent(hit.id));
          merge(result, null);
        }
        line.textContent = "";
        view.selectNode(hit.id);
      } catch (e) {
        line.textContent = e.message;
      }
    },
  };

  // ------------------------------------------------------------ questions
  const ask = byId("cg-ask");
  ask.hidden = false;
  ask.appendChild(el("h2", "Ask the store"));
  function form(action, label, fields) {
    const f = el("form", null, "cg-ask-form");
    f.method = "get";
    f.action = action;
    f.appendChild(el("b", label + " "));
    for (const [name, placeholder] of fields) {
      const input = el("input");
      input.name = name;
      input.placeholder = placeholder;
      input.required = true;
      f.appendChild(input);
    }
    const go = el("button", "Go");
    go.type = "submit";
    f.appendChild(go);
    ask.appendChild(f);
  }
  // Find (full text) and timeline answer in the panel, from the JSON API.
  function panelForm(label, placeholder, cls, run) {
    const f = el("form", null, "cg-ask-form " + cls);
    f.appendChild(el("b", label + " "));
    const input = el("input");
    input.placeholder = placeholder;
    input.required = true;
    f.appendChild(input);
    const go = el("button", "Go");
    go.type = "submit";
    f.appendChild(go);
    f.addEventListener("submit", async (event) => {
      event.preventDefault();
      const details = byId("cg-details-body");
      view.clear(details);
      status(details, "asking the store…");
      try {
        await run(input.value.trim(), details);
        const line = details.querySelector(".cg-status");
        if (line) line.remove();
      } catch (e) {
        status(details, e.message, true);
      }
    });
    ask.appendChild(f);
  }
  function entityLink(brief) {
    const b = el("button", brief.name, "cg-linkbtn");
    b.type = "button";
    b.addEventListener("click", async () => {
      if (!data.details.nodes[brief.id]) merge(await call("/api/expand?entity=" + encodeURIComponent(brief.id)), null);
      view.selectNode(brief.id);
    });
    return b;
  }
  panelForm("Find in texts", "words, \"a phrase\"", "cg-ask-find", async (q, details) => {
    const result = await call("/api/find?q=" + encodeURIComponent(q));
    details.appendChild(el("h3", result.matched + (result.matched === 1 ? " document" : " documents") +
      " for " + result.query));
    const list = el("ul", null, "cg-evidence cg-find-hits");
    for (const hit of result.hits) {
      const li = el("li");
      li.appendChild(el("b", hit.title + (hit.published ? " (" + hit.published + ")" : "")));
      li.appendChild(el("blockquote", hit.snippet, "cg-quote"));
      const names = el("span", null, "cg-cite");
      hit.entities.slice(0, 12).forEach((e, i) => {
        if (i) names.appendChild(document.createTextNode(", "));
        names.appendChild(entityLink(e));
      });
      li.appendChild(names);
      list.appendChild(li);
    }
    details.appendChild(list);
  });
  panelForm("Timeline", "entity", "cg-ask-timeline", async (entity, details) => {
    const result = await call("/api/timeline?entity=" + encodeURIComponent(entity));
    details.appendChild(el("h3", "Timeline of " + result.entity.name + " (" + result.dated.length +
      " dated, " + result.undated.length + " undated)"));
    const list = el("ol", null, "cg-path cg-timeline");
    for (const m of result.dated.concat(result.undated)) {
      const li = el("li");
      const line = el("span", null, "cg-hop");
      line.appendChild(document.createTextNode((m.date || "undated") + " · " + m.type +
        (m.direction === "out" ? " → " : " ← ")));
      line.appendChild(entityLink(m.other));
      li.appendChild(line);
      li.appendChild(el("blockquote", m.evidence.quote, "cg-quote"));
      list.appendChild(li);
    }
    details.appendChild(list);
  });
  form("/view/neighbors", "Around", [["entity", "entity"]]);
  form("/view/path", "Path", [["a", "from"], ["b", "to"]]);
  form("/view/common", "In common", [["entity", "one"], ["entity", "another"]]);
  const credits = document.querySelector(".cg-credits");
  if (credits) credits.textContent = "Drawn with vis-network (Apache-2.0/MIT, shipped in the pyvis package). " +
    "Served by casegraph serve: this page talks to its own server only.";
};
