"""XSS: hostile strings through every place a string reaches an HTML view, in real Chromium.

Entity names, aliases, quotes, document titles (a file name, an HTML page's <title>) and page
titles built from entity names or from the user's --entity text, in the whole-graph export, the
neighbourhood export and the path, neighbors and common views. Each page must run none of it
(a window.__pwned sentinel), stay whole (every entity drawn, no element injected) and show every
string literally (text, tooltips, the selection panel, the path list).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from casegraph.graph.model import clean_name
from tests.e2e.test_html_browser import Opened
from tests.fuzz.cli_helpers import run_in_process

pytestmark = pytest.mark.browser

XSS = [
    "<script>window.__pwned=1</script>",
    "<img src=x onerror=window.__pwned=2>",
    "<svg/onload=window.__pwned=3>",
    "javascript:window.__pwned=4",
    "</script><script>window.__pwned=5</script>",
    "{{constructor.constructor('window.__pwned=6')()}}",
    "{% if 1 %}x{% endif %} ${window.__pwned=7}",
    "\"><iframe srcdoc='<script>parent.__pwned=8</script>'>",
    "' onmouseover='window.__pwned=9' x='",
    "&lt;script&gt;window.__pwned=10&lt;/script&gt;",
    "line\u2028sep\u2029para <!-- <![CDATA[ ]]> -->",
    "</style><style>*{display:none}</style>",
    "<a href=javascript:window.__pwned=11>link</a>",
    "`${window.__pwned=12}`",
]
FILE_TITLE = "<img src=x onerror=window.__pwned=13>.jsonl"
PAGE_TITLE = "<script>window.__pwned=14</script> Weinstein & Black Cube"


def _rows() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [{"type": "Company", "name": "Hub Co"}]
    for i, name in enumerate(XSS):
        rows.append({"type": "Company", "name": name, "aliases": [f"{name} <b>aka</b> {i}"]})
        rows.append({"source": name, "target": "Hub Co", "type": "OWNS",
                     "quote": f"quote {i}: {XSS[-1 - i]}"})  # fmt: skip
    return rows


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    work = tmp_path_factory.mktemp("xss")
    src = work / FILE_TITLE
    src.write_text("".join(json.dumps(r) + "\n" for r in _rows()), encoding="utf-8")
    page = work / "page.html"
    page.write_text(f"<html><head><title>{PAGE_TITLE.replace('<', '&lt;')}</title></head><body>"
                    "<article><p>Harvey Weinstein hired Black Cube in 2016, the firm said.</p>"
                    "<p>Black Cube is based in Israel.</p></article></body></html>", "utf-8")  # fmt: skip
    store = work / "s.db"
    code, _, stderr = run_in_process(["--store", str(store), "load", str(src), str(page)])
    assert code == 0, stderr
    views: dict[str, tuple[Path, str]] = {}

    def make(name: str, title: str, *argv: str) -> None:
        out = work / f"{name}.html"
        code, _, stderr = run_in_process(["--store", str(store), *argv, str(out)])
        assert code in (0, 1) and out.exists(), stderr
        views[name] = (out, title)

    a, b = XSS[0], XSS[4]
    make("graph", "casegraph: whole graph", "export", "--format", "html", "--")
    make("around", f"casegraph: {XSS[5]} (2 hops)", "export", "--format", "html", "--entity",
         XSS[5], "--depth", "2", "--")  # fmt: skip
    make("path", f"{clean_name(a)} — {clean_name(b)}", "path", a, b, "--all", "--html")
    make("neighbors", f"Around {clean_name(XSS[1])}", "neighbors", XSS[1], "--depth", "2",
         "--html")  # fmt: skip
    make("common", f"In common: {clean_name(XSS[2])}, {clean_name(XSS[3])}", "common", XSS[2],
         XSS[3], "--html")  # fmt: skip
    return {"views": views, "store": store}


def expand_all(view: Opened) -> None:
    """Open every collapsed cluster, so that each entity is drawn on its own."""
    view.eval("() => { for (const [id, n] of Object.entries(casegraphView.data.details.nodes))"
              " if (n.members) casegraphView.expandCluster(id); }")  # fmt: skip


def _check_page(view: Opened, title: str) -> None:
    assert view.eval("window.__pwned") is None and view.eval("parent.__pwned") is None
    assert view.requests == [] and view.errors == []
    assert (
        view.page.locator("img, iframe, a[href], svg[onload], [onerror], [onmouseover]").count()
        == 0
    )
    assert view.page.locator("script").count() == 3  # the data, vis-network, the view
    assert view.page.locator("style").count() == 1
    assert view.page.title() == title
    assert view.page.locator("#cg-title").text_content() == title


@pytest.mark.parametrize("name", ["graph", "around", "path", "neighbors", "common"])
def test_view_runs_nothing_and_shows_every_string_literally(
    case: dict[str, Any], open_view: Any, name: str
) -> None:
    file, title = case["views"][name]
    view = open_view(file)
    _check_page(view, title)
    data = json.loads(view.eval("document.getElementById('casegraph-data').textContent"))
    expand_all(view)
    entities = [n for n in data["nodes"] if not n.get("isCluster")]
    drawn = view.eval("casegraphView.network.body.nodeIndices.length")
    assert drawn == len(entities) == data["counts"]["nodes"] > 0
    for node_id, info in data["details"]["nodes"].items():
        assert view.eval("id => casegraphView.selectNode(id)", node_id) is True
        panel = view.page.locator("#cg-details-body")
        assert panel.locator(".cg-name").text_content() == info["name"]
        for alias in info["aliases"]:
            assert alias in (panel.text_content() or "")
    for edge_id, info in data["details"]["edges"].items():
        assert view.eval("id => casegraphView.selectEdge(id)", edge_id) is True
        text = view.page.locator("#cg-details-body").text_content() or ""
        for item in info["evidence"]:
            assert item["quote"] in text and item["document"] in text
    if data["answer"]:
        answer = view.page.locator("#cg-answer").text_content() or ""
        assert data["answer"]["title"] in answer
    _check_page(view, title)


def test_hostile_document_titles_are_text(case: dict[str, Any], open_view: Any) -> None:
    """A file name and an HTML page's <title> become the cited document of each quote."""
    file, title = case["views"]["graph"]
    view = open_view(file)
    data = json.loads(view.eval("document.getElementById('casegraph-data').textContent"))
    documents = {ev["document"] for e in data["details"]["edges"].values() for ev in e["evidence"]}
    assert FILE_TITLE in documents
    assert any("<script>" in d for d in documents - {FILE_TITLE}), documents
    _check_page(view, title)


def test_tooltips_on_hover_are_text(case: dict[str, Any], open_view: Any) -> None:
    file, title = case["views"]["neighbors"]
    view = open_view(file)
    view.eval("casegraphView.network.setOptions({physics: false})")
    expand_all(view)
    view.eval("casegraphView.fitView()")
    data = json.loads(view.eval("document.getElementById('casegraph-data').textContent"))
    hostile = [i for i, n in data["details"]["nodes"].items() if re.search(r"[<{`&]", n["name"])]
    assert hostile
    for node_id in hostile[:4]:
        box = view.page.locator("#cg-graph canvas").bounding_box()
        pos = view.eval(
            "id => { const p = casegraphView.network.getPositions([id])[id];"
            " return casegraphView.network.canvasToDOM(p); }", node_id)  # fmt: skip
        view.page.mouse.move(box["x"] + pos["x"], box["y"] + pos["y"])
        tip = view.page.locator("div.vis-tooltip")
        tip.wait_for(state="visible", timeout=5000)
        assert data["details"]["nodes"][node_id]["name"] in (tip.text_content() or "")
        assert tip.locator("img, svg, iframe, script").count() == 0
        view.page.mouse.move(1, 1)
    _check_page(view, title)


def test_served_pages_and_expansions_run_nothing(case: dict[str, Any], browser: Any) -> None:
    """casegraph serve: the same page with the live script; names fetched on expand are text."""
    import time

    from tests.e2e.test_serve import Served, opened, wait_until

    server = Served(case["store"], allow_review=True)
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.errors = errors
        opened(page, server, "/view/neighbors?entity=Hub Co&limit=1")
        assert page.evaluate("casegraphView.nodes.length") <= 3
        page.evaluate("id => casegraphView.selectNode(id)", "company:hub-co")
        page.locator("#cg-details-body button.cg-live-expand").click()
        wait_until(page, "casegraphView.nodes.length > 10")
        page.evaluate("() => { for (const [id, n] of Object.entries(casegraphView.data.details"
                      ".nodes)) if (n.members) casegraphView.expandCluster(id); }")  # fmt: skip
        time.sleep(0.3)
        names = page.evaluate("Object.values(casegraphView.data.details.nodes)"
                              ".filter(n => !n.members).map(n => n.name)")  # fmt: skip
        assert {clean_name(x) for x in XSS} <= set(names)  # every hostile name came back
        for node_id in page.evaluate("casegraphView.nodes.getIds()"):
            info = page.evaluate("id => casegraphView.data.details.nodes[id]", node_id)
            page.evaluate("id => casegraphView.selectNode(id)", node_id)
            assert page.locator("#cg-details-body .cg-name").text_content() == info["name"]
        assert page.evaluate("window.__pwned") is None and errors == []
        assert page.locator("img, iframe, a[href], svg[onload], [onerror]").count() == 0
        # the API answers JSON, never HTML, even for a hostile name
        hostile = server.get("/api/search", params={"q": XSS[1]})
        assert hostile.headers["content-type"].startswith("application/json")
    finally:
        context.close()
        server.stop()
