"""HTML views in a real headless Chromium: drawn, offline, legend shown, hostile names inert."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from casegraph.backends.sqlite import SqliteStore
from casegraph.pipeline import load_paths
from casegraph.queries.overview import drawing
from casegraph.queries.results import Subgraph
from casegraph.views.html import PHYSICS_MAX_NODES, render_html
from casegraph.views.html_data import PATH_COLOR
from tests.conftest import write_jsonl

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip
HOSTILE = {
    "Person": "<img src=x onerror=window.__pwned=1>",
    "Company": "</script><script>window.__pwned=2</script>",
    "Organization": "{{7*7}}",
    "Platform": "javascript:alert(1)",
}
ROWS: list[dict[str, Any]] = [
    {"type": "Company", "name": "NSO Group", "aliases": ["NSO", "<b>bold</b>"]},
    {"type": "Product", "name": "Pegasus"},
    {"type": "Person", "name": "Harvey Weinstein"},
    {"type": "Company", "name": "Black Cube"},
    *({"type": t, "name": n} for t, n in HOSTILE.items()),
    {"source": "NSO Group", "type": "DEVELOPED", "target": "Pegasus",
     "quote": "NSO's <script>window.__pwned=3</script> Pegasus spyware."},
    {"source": "Harvey Weinstein", "type": "HIRED", "target": "Black Cube",
     "quote": "Weinstein hired Black Cube."},
    {"source": "Black Cube", "type": "MENTIONED_WITH", "target": "NSO Group",
     "quote": "Black Cube and NSO Group were both named."},
    {"source": HOSTILE["Person"], "type": "WORKS_FOR", "target": "NSO Group", "quote": "works"},
    {"source": HOSTILE["Company"], "type": "MENTIONED_WITH", "target": "Pegasus", "quote": "x"},
    {"source": HOSTILE["Organization"], "type": "REPORTED_ON", "target": "Pegasus",
     "quote": "{{7*7}} reported <img src=y onerror=window.__pwned=4>"},
    {"source": "NSO Group", "type": "OPERATED_ON", "target": HOSTILE["Platform"], "quote": "ran"},
]  # fmt: skip


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser tests must run in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        _unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install playwright)")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class Opened:
    page: Any
    url: str
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def eval(self, script: str, arg: Any = None) -> Any:
        return self.page.evaluate(script, arg)


@pytest.fixture
def open_view(browser: Any) -> Iterator[Any]:
    """Open an HTML file, recording every request but the page itself and every console error."""
    contexts = []

    def opener(path: Path) -> Opened:
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        contexts.append(context)
        page = context.new_page()
        opened = Opened(page, path.resolve().as_uri())
        page.on("request", lambda r: r.url != opened.url and opened.requests.append(r.url))
        page.on("console", lambda m: m.type == "error" and opened.errors.append(m.text))
        page.on("pageerror", lambda e: opened.errors.append(str(e)))
        page.route("**/*", lambda route: route.continue_() if route.request.url == opened.url
                   else route.abort())  # fmt: skip
        page.goto(opened.url)
        page.wait_for_function("window.casegraphView && window.casegraphView.ready",
                               timeout=60_000)  # fmt: skip
        return opened

    yield opener
    for context in contexts:
        context.close()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    src = write_jsonl(tmp_path / "case.jsonl", ROWS)
    with SqliteStore(tmp_path / "s.db") as s:
        load_paths(s, [src])
        yield s


def assert_clean(view: Opened) -> None:
    assert view.requests == []
    assert view.errors == []
    assert view.eval("window.__pwned") is None
    assert view.page.locator("img").count() == 0
    assert view.page.locator("[onerror]").count() == 0


def test_graph_view_draws_offline_with_a_legend(store: SqliteStore, tmp_path: Path,
                                                open_view: Any) -> None:  # fmt: skip
    report = render_html(drawing(store), tmp_path / "v.html", title="<b>Case</b>")
    view = open_view(tmp_path / "v.html")
    stats = store.stats()
    assert (report.nodes, report.edges) == (stats["entities"], stats["relations"])
    assert view.eval("[casegraphView.nodes.length, casegraphView.edges.length]") == [
        stats["entities"], stats["relations"]]  # fmt: skip
    assert view.eval("casegraphView.network.body.nodeIndices.length") == stats["entities"]
    assert view.page.title() == "<b>Case</b>"
    assert view.page.locator("#cg-title").inner_text() == "<b>Case</b>"
    for etype in stats["entity_types"]:
        item = view.page.locator(f'#cg-legend-types li[data-type="{etype}"]')
        assert item.is_visible() and etype in item.inner_text()
    weak = view.eval("casegraphView.edges.get({filter: e => e.label === 'MENTIONED_WITH'})")
    assert len(weak) == 2 and all(e["dashes"] is True for e in weak)
    assert view.page.locator("#cg-omitted").is_hidden()
    assert_clean(view)


def test_hostile_names_show_as_text_and_never_run(store: SqliteStore, tmp_path: Path,
                                                  open_view: Any) -> None:  # fmt: skip
    render_html(drawing(store), tmp_path / "v.html", title="hostile")
    view = open_view(tmp_path / "v.html")
    for name in HOSTILE.values():
        entity_id = store.resolve(name).id
        assert view.eval("id => casegraphView.selectNode(id)", entity_id) is True
        assert view.page.locator("#cg-details-body .cg-name").inner_text() == name
    # a real click on the canvas, where the node is drawn, fills the panel the same way
    nso = store.resolve("NSO Group").id
    view.eval("id => casegraphView.network.moveTo({position: casegraphView.network"
              ".getPosition(id), scale: 1, animation: false})", nso)  # fmt: skip
    box = view.page.locator("#cg-graph").bounding_box()
    point = view.eval("id => casegraphView.network.canvasToDOM("
                      "casegraphView.network.getPosition(id))", nso)  # fmt: skip
    view.page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    panel = view.page.locator("#cg-details-body")
    assert panel.locator(".cg-name").inner_text() == "NSO Group"
    assert "<b>bold</b>" in panel.inner_text()  # an alias, shown as typed
    # a link's evidence quotes, hostile markup included, are text too
    link = panel.locator("button", has_text="DEVELOPED")
    link.click()
    assert "<script>window.__pwned=3</script>" in panel.locator(".cg-quote").inner_text()
    assert "case.jsonl, line" in panel.locator(".cg-cite").inner_text()
    edge = next(r.id for r in store.relations_of(nso) if r.type == "OPERATED_ON")
    view.eval("id => casegraphView.selectEdge(id)", str(edge))
    assert HOSTILE["Platform"] in panel.locator(".cg-name").inner_text()
    # hover tooltips are elements holding text
    person = store.resolve(HOSTILE["Person"]).id
    point = view.eval("id => casegraphView.network.canvasToDOM("
                      "casegraphView.network.getPosition(id))", person)  # fmt: skip
    view.page.mouse.move(box["x"] + point["x"], box["y"] + point["y"])
    tip = view.page.locator(".vis-tooltip")
    tip.wait_for(state="visible", timeout=5000)
    assert HOSTILE["Person"] in tip.inner_text()
    assert view.page.locator("#cg-find-input").count() == 1
    assert_clean(view)


def test_path_view_lists_hops_with_citations(tmp_path: Path, open_view: Any) -> None:
    from casegraph.queries.paths import find_paths

    rows = [
        {"type": "Person", "name": "Harvey Weinstein"},
        {"type": "Company", "name": "Black Cube"},
        {"type": "Organization", "name": "Fox News"},
        {"type": "Person", "name": "Bystander"},
        {"source": "Harvey Weinstein", "type": "HIRED", "target": "Black Cube",
         "quote": "Weinstein hired Black Cube."},
        {"source": "Black Cube", "type": "IMPERSONATED", "target": "Fox News",
         "quote": "Agents posed as Fox News reporters."},
        {"source": "Bystander", "type": "MENTIONED_WITH", "target": "Black Cube", "quote": "z"},
    ]  # fmt: skip
    src = write_jsonl(tmp_path / "chain.jsonl", rows)
    with SqliteStore(tmp_path / "p.db") as s:
        load_paths(s, [src])
        result = find_paths(s, "Harvey Weinstein", "Fox News")
        report = render_html(drawing(s), tmp_path / "p.html", title="path",
                             highlight=result)  # fmt: skip
        best = result.paths[0]
    assert report.nodes == 4 and best.length == 2
    view = open_view(tmp_path / "p.html")
    answer = view.page.locator("#cg-answer")
    assert answer.is_visible()
    assert "Harvey Weinstein" in answer.locator("h2").inner_text()
    hops = answer.locator("ol.cg-path").first.locator(":scope > li")
    assert hops.count() == 2
    first, second = hops.nth(0).inner_text(), hops.nth(1).inner_text()
    assert "HIRED" in first and "Weinstein hired Black Cube." in first
    assert "chain.jsonl, line 5" in first
    assert "IMPERSONATED" in second and "chain.jsonl, line 6" in second
    for edge in best.edges:
        drawn = view.eval("id => casegraphView.edges.get(id)", str(edge.id))
        assert drawn["width"] == 4 and drawn["color"]["color"] == PATH_COLOR
    others = view.eval("casegraphView.edges.get({filter: e => e.width === 4}).length")
    assert others == best.length
    ends = view.eval("ids => ids.map(id => casegraphView.nodes.get(id).borderWidth)",
                     [best.nodes[0].id, best.nodes[-1].id])  # fmt: skip
    assert ends == [4, 4]
    hops.nth(1).locator("button", has_text="IMPERSONATED").click()
    assert "posed as Fox News" in view.page.locator("#cg-details-body").inner_text()
    assert_clean(view)


def test_common_view_highlights_the_asked_entities(store: SqliteStore, tmp_path: Path,
                                                   open_view: Any) -> None:  # fmt: skip
    from casegraph.queries.common import common

    result = common(store, ["Harvey Weinstein", HOSTILE["Person"]], None)
    render_html(drawing(store), tmp_path / "c.html", title="common", common=result)
    view = open_view(tmp_path / "c.html")
    asked = [e.id for e in result.entities]
    widths = view.eval("ids => ids.map(id => casegraphView.nodes.get(id).borderWidth)", asked)
    assert widths == [4, 4]
    answer = view.page.locator("#cg-answer")
    assert answer.is_visible() and "have in common" in answer.locator("h2").inner_text()
    assert HOSTILE["Person"] in answer.locator("h2").inner_text()
    assert answer.locator("h3").count() == len(result.shared)
    assert_clean(view)


def test_large_view_is_capped_with_physics_off(tmp_path: Path, open_view: Any) -> None:
    n = PHYSICS_MAX_NODES + 60
    rows: list[dict[str, Any]] = [{"type": "Company", "name": f"C{i}"} for i in range(n)]
    rows += [{"source": f"C{i}", "type": "MENTIONED_WITH", "target": f"C{j}", "quote": f"q{i}"}
             for i in range(n) for j in {i + 1, i * 7 % n} if j < n and j != i]  # fmt: skip
    src = write_jsonl(tmp_path / "big.jsonl", rows)
    cap = PHYSICS_MAX_NODES + 20
    with SqliteStore(tmp_path / "b.db") as s:
        load_paths(s, [src])
        report = render_html(drawing(s, entity="C0", depth=50), tmp_path / "b.html",
                             title="big", max_nodes=cap)  # fmt: skip
    assert report.nodes == cap and report.omitted == n - cap
    view = open_view(tmp_path / "b.html")
    assert view.eval("casegraphView.nodes.length") == cap
    assert view.eval("casegraphView.data.physics") is False
    assert view.eval("casegraphView.network.physics.physicsEnabled") is False
    assert view.eval("casegraphView.nodes.get('company:c0').borderWidth") == 4
    omitted = view.page.locator("#cg-omitted")
    assert omitted.is_visible() and f"{n - cap} more entities" in omitted.inner_text()
    assert_clean(view)


# ------------------------------------------------------------------ readable views (issue 17)
INDICATORS = 900


def hub_rows() -> list[dict[str, Any]]:
    """NSO Group, Pegasus and 900 indicators of Pegasus, a few people, a weak link or two."""
    rows: list[dict[str, Any]] = [
        {"type": "Company", "name": "NSO Group"},
        {"type": "Product", "name": "Pegasus"},
        {"type": "Organization", "name": "Citizen Lab"},
        {"source": "NSO Group", "type": "DEVELOPED", "target": "Pegasus",
         "quote": "NSO Group developed Pegasus."},
        {"source": "Citizen Lab", "type": "REPORTED_ON", "target": "Pegasus",
         "quote": "Citizen Lab reported on Pegasus."},
    ]  # fmt: skip
    for i in range(6):
        rows.append({"type": "Person", "name": f"Employee {i}"})
        rows.append({"source": f"Employee {i}", "type": "WORKS_FOR", "target": "NSO Group",
                     "quote": f"Employee {i} works for NSO Group."})  # fmt: skip
        rows.append({"source": f"Employee {i}", "type": "MENTIONED_WITH", "target": "Citizen Lab",
                     "quote": f"Employee {i} and Citizen Lab."})  # fmt: skip
    for i in range(INDICATORS):
        rows.append({"type": "Indicator", "name": f"c2-{i}.example.net"})
        rows.append({"source": f"c2-{i}.example.net", "type": "INDICATES", "target": "Pegasus",
                     "quote": f"c2-{i}.example.net is a Pegasus server."})  # fmt: skip
    return rows


@pytest.fixture(scope="module")
def hub_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqliteStore]:
    work = tmp_path_factory.mktemp("hub")
    src = write_jsonl(work / "hub.jsonl", hub_rows())
    with SqliteStore(work / "hub.db") as s:
        load_paths(s, [src])
        yield s


LABEL_PX = """ids => ids.map(id => {
  const node = casegraphView.network.body.nodes[id];
  return [node.labelModule.fontOptions.size * casegraphView.network.getScale(),
          node.labelModule.visible()];
})"""
INSIDE = """() => {
  const v = casegraphView, box = document.getElementById('cg-graph').getBoundingClientRect();
  return v.nodesView.getIds().filter(id => {
    const p = v.network.canvasToDOM(v.network.getPosition(id));
    return p.x < 0 || p.y < 0 || p.x > box.width || p.y > box.height;
  });
}"""


def test_hub_view_collapses_indicators_and_keeps_labels_readable(
    hub_store: SqliteStore, tmp_path: Path, open_view: Any
) -> None:
    sub = drawing(hub_store, entity="NSO Group", depth=2)
    report = render_html(sub, tmp_path / "hub.html", title="NSO Group, two hops")
    assert report.nodes == len(sub.nodes) == INDICATORS + 9
    view = open_view(tmp_path / "hub.html")
    cluster = "cluster:product:pegasus:Indicator"
    drawn = view.eval("casegraphView.network.body.nodeIndices")
    assert cluster in drawn and len(drawn) < 20
    assert not any(i.startswith("indicator:") for i in drawn)
    assert view.eval("id => casegraphView.nodes.get(id).label", cluster) == (
        f"{INDICATORS} indicators of Pegasus"
    )
    assert f"{INDICATORS} entities collapsed" in view.page.locator("#cg-collapsed").inner_text()
    # the labels that matter are readable at the zoom the page opens with, on the canvas
    asked = ["company:nso-group", "product:pegasus", cluster]
    for px, visible in view.eval(LABEL_PX, asked):
        assert px >= 12 and visible
    assert view.eval(INSIDE) == []  # the whole drawing fits the canvas, none under the panel
    # a click on the cluster opens it in the panel; Expand draws the indicators
    box = view.page.locator("#cg-graph").bounding_box()
    point = view.eval("id => casegraphView.network.canvasToDOM("
                      "casegraphView.network.getPosition(id))", cluster)  # fmt: skip
    view.page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    panel = view.page.locator("#cg-details-body")
    assert panel.locator(".cg-name").inner_text() == f"{INDICATORS} indicators of Pegasus"
    panel.locator("button.cg-expand").click()
    drawn = view.eval("casegraphView.network.body.nodeIndices")
    assert cluster not in drawn
    assert sum(i.startswith("indicator:") for i in drawn) == INDICATORS
    view.eval("id => casegraphView.selectNode(id)", "indicator:c2-7-example-net")
    panel.locator("button.cg-collapse").click()
    drawn = view.eval("casegraphView.network.body.nodeIndices")
    assert cluster in drawn and not any(i.startswith("indicator:") for i in drawn)
    assert_clean(view)


def test_filters_hide_a_type_a_relation_and_weak_links(
    hub_store: SqliteStore, tmp_path: Path, open_view: Any
) -> None:
    render_html(drawing(hub_store), tmp_path / "f.html", title="filters")
    view = open_view(tmp_path / "f.html")
    drawn_types = (
        "casegraphView.network.body.nodeIndices.map(i => casegraphView.data.details.nodes[i].type)"
    )
    drawn_rels = (
        "casegraphView.network.body.edgeIndices.map(i => casegraphView.data.details.edges[i].type)"
    )
    assert "Person" in view.eval(drawn_types)
    view.page.locator('input[data-filter-type="Person"]').uncheck()
    assert "Person" not in view.eval(drawn_types)
    assert "Company" in view.eval(drawn_types)
    view.page.locator('input[data-filter-type="Person"]').check()
    assert "Person" in view.eval(drawn_types)
    assert "MENTIONED_WITH" in view.eval(drawn_rels)
    view.page.locator("#cg-filter-weak").uncheck()
    assert "MENTIONED_WITH" not in view.eval(drawn_rels)
    assert "WORKS_FOR" in view.eval(drawn_rels)
    view.page.locator('input[data-filter-rel="WORKS_FOR"]').uncheck()
    assert "WORKS_FOR" not in view.eval(drawn_rels)
    assert "DEVELOPED" in view.eval(drawn_rels)
    # a person hidden by the type filter still opens from Find, and says why it is not drawn
    view.page.locator('input[data-filter-type="Person"]').uncheck()
    view.page.locator("#cg-find-input").fill("Employee 3")
    view.page.locator("#cg-find button").click()
    assert view.page.locator("#cg-details-body .cg-name").inner_text() == "Employee 3"
    assert view.page.locator("#cg-find-status").inner_text() == "hidden by a filter"
    assert_clean(view)


def test_header_says_which_limit_cut_what(hub_store: SqliteStore, tmp_path: Path,
                                          open_view: Any) -> None:  # fmt: skip
    from casegraph.queries.neighbors import neighbors
    from casegraph.queries.options import NeighborOptions

    sub = neighbors(hub_store, "Pegasus", NeighborOptions(depth=1, limit=50))
    render_html(sub, tmp_path / "n.html", title="limited", cut_by="--limit 50", max_nodes=20)
    view = open_view(tmp_path / "n.html")
    text = view.page.locator("#cg-omitted").inner_text()
    assert f"{sub.omitted} more entities left out by --limit 50" in text
    assert "--max-nodes" not in text  # the 50 kept are mostly indicators: one cluster node
    render_html(sub, tmp_path / "m.html", title="capped", cut_by="--limit 50", max_nodes=2)
    view = open_view(tmp_path / "m.html")
    text = view.page.locator("#cg-omitted").inner_text()
    assert "left out by --limit 50" in text and "left out by --max-nodes 2" in text
    assert_clean(view)


STORY = ("Black Cube, a private intelligence firm, was described in the report.\n\n"
         "Harvey Weinstein hired Black Cube in 2016, the firm said. Black Cube is based in "
         "Tel Aviv, Israel. Agents of Black Cube posed as Fox News reporters.\n")  # fmt: skip


def test_clicking_a_quote_opens_its_passage(tmp_path: Path, open_view: Any) -> None:
    from casegraph.queries.overview import TEXT_BUDGET, cited_texts
    from casegraph.queries.paths import find_paths

    (tmp_path / "story.txt").write_text(STORY, encoding="utf-8")
    with SqliteStore(tmp_path / "t.db") as s:
        load_paths(s, [tmp_path / "story.txt"])
        result = find_paths(s, "Harvey Weinstein", "Black Cube")
        texts = cited_texts(s, result, budget=TEXT_BUDGET)
        render_html(Subgraph((), ()), tmp_path / "t.html", title="passage", highlight=result,
                    documents=texts)  # fmt: skip
        render_html(Subgraph((), ()), tmp_path / "none.html", title="no texts",
                    highlight=result, documents={})  # fmt: skip
    assert list(texts.values()) == [STORY]
    view = open_view(tmp_path / "t.html")
    assert view.page.locator("#cg-passage").is_hidden()
    quote = view.page.locator("#cg-answer .cg-quote").first
    assert quote.inner_text() == "Harvey Weinstein hired Black Cube in 2016, the firm said."
    quote.click()
    passage = view.page.locator("#cg-passage")
    assert passage.is_visible()
    assert passage.locator("mark").inner_text() == quote.inner_text()
    whole = passage.locator("#cg-passage-text").inner_text()
    assert "Black Cube is based in Tel Aviv" in whole and "a private intelligence firm" in whole
    assert "story" in passage.locator("#cg-passage-cite").inner_text()
    assert_clean(view)
    view = open_view(tmp_path / "none.html")
    view.page.locator("#cg-answer .cg-quote").first.click()
    assert "No text of this document" in view.page.locator("#cg-passage").inner_text()
    assert_clean(view)


def test_a_text_over_the_budget_is_left_out_and_said(tmp_path: Path, open_view: Any) -> None:
    from casegraph.queries.paths import find_paths
    from casegraph.views.html import TEXT_BUDGET

    (tmp_path / "story.txt").write_text(STORY, encoding="utf-8")
    with SqliteStore(tmp_path / "t.db") as s:
        load_paths(s, [tmp_path / "story.txt"])
        result = find_paths(s, "Harvey Weinstein", "Black Cube")
        doc = result.paths[0].edges[0].evidence[0].document_id
        render_html(Subgraph((), ()), tmp_path / "big.html", title="big", highlight=result,
                    documents={doc: "x" * (TEXT_BUDGET + 1)})  # fmt: skip
    view = open_view(tmp_path / "big.html")
    view.page.locator("#cg-answer .cg-quote").first.click()
    text = view.page.locator("#cg-passage").inner_text()
    assert f"({TEXT_BUDGET + 1} characters) was left out of this page for size" in text
    assert_clean(view)


def test_export_html_keeps_only_the_types_and_relations_asked(tmp_path: Path) -> None:
    import json
    import re

    from tests.fuzz.cli_helpers import run_in_process

    src = write_jsonl(tmp_path / "hub.jsonl", hub_rows())
    store = str(tmp_path / "s.db")
    assert run_in_process(["--store", store, "load", str(src)])[0] == 0

    def exported(*options: str) -> dict[str, Any]:
        out = tmp_path / "e.html"
        code, _, stderr = run_in_process(["--store", store, "export", str(out), "--format",
                                               "html", "--force", *options])  # fmt: skip
        assert code == 0, stderr
        found = re.search(r'id="casegraph-data">(.*?)</script>', out.read_text("utf-8"), re.S)
        assert found
        return json.loads(found.group(1))

    every = exported()
    assert {n["type"] for n in every["details"]["nodes"].values()} >= {"Indicator", "Person"}
    data = exported("--type", "company", "--type", "Person", "--type", "Organization")
    assert {n["type"] for n in data["details"]["nodes"].values()} == {
        "Company", "Person", "Organization"}  # fmt: skip
    data = exported("--entity", "NSO Group", "--depth", "2", "--no-weak")
    assert "MENTIONED_WITH" not in {e["type"] for e in data["details"]["edges"].values()}
    assert data["counts"]["clusters"] == 1
    data = exported("--rel", "WORKS_FOR")
    assert {e["type"] for e in data["details"]["edges"].values()} == {"WORKS_FOR"}
    code, _, stderr = run_in_process(["--store", store, "export", str(tmp_path / "x.json"),
                                      "--type", "Person"])  # fmt: skip
    assert code == 2 and "work with --format html only" in stderr
    code, _, stderr = run_in_process(["--store", store, "export", str(tmp_path / "y.html"),
                                      "--format", "html", "--type", "Spaceship"])  # fmt: skip
    assert code == 2 and "Spaceship" in stderr
    assert not (tmp_path / "y.html").exists()


def test_the_confidence_filter_hides_weakly_supported_links(tmp_path: Path,
                                                            open_view: Any) -> None:  # fmt: skip
    rows = [
        {"type": "Company", "name": "Black Cube"},
        {"type": "Person", "name": "Harvey Weinstein"},
        {"type": "Country", "name": "Israel"},
        {"source": "Harvey Weinstein", "type": "HIRED", "target": "Black Cube",
         "quote": "Weinstein hired Black Cube.", "confidence": 0.9},
        {"source": "Black Cube", "type": "BASED_IN", "target": "Israel",
         "quote": "Black Cube may be based in Israel.", "confidence": 0.3},
    ]  # fmt: skip
    src = write_jsonl(tmp_path / "c.jsonl", rows)
    with SqliteStore(tmp_path / "c.db") as s:
        load_paths(s, [src])
        render_html(drawing(s), tmp_path / "c.html", title="confidence")
    view = open_view(tmp_path / "c.html")
    drawn = "casegraphView.network.body.edgeIndices.map(i => casegraphView.data.details.edges[i].type).sort()"
    assert view.eval(drawn) == ["BASED_IN", "HIRED"]
    view.page.locator("#cg-filter-confidence").fill("0.5")
    assert view.eval(drawn) == ["HIRED"]
    assert view.page.locator("#cg-filter-confidence-value").inner_text() == "0.5"
    view.page.locator("#cg-filter-confidence").fill("0.95")
    assert view.eval(drawn) == []
    assert view.eval("casegraphView.network.body.nodeIndices.length") == 3  # entities stay
    assert_clean(view)
