"""Times the views on generated graphs: exports (html, graphml, json) and in-browser readiness."""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from casegraph.backends.sqlite import SqliteStore
from casegraph.graph.schema import WEAK, load_schema
from casegraph.pipeline import load_paths
from casegraph.queries.overview import drawing
from casegraph.views.export import export
from casegraph.views.html import render_html

SIZES = (100, 1000, 5000)
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip
TYPES = ["Person", "Company", "Organization", "Country", "Product", "Platform", "VictimGroup"]


def generate(n: int, path: Path, seed: int = 1) -> Path:
    """A JSONL case of n entities and about 2n relations, linked preferentially (hubs form)."""
    rng = random.Random(seed)
    schema = load_schema()
    typed = [r for r in schema.relation_types.values() if not r.weak]
    # short names: the resolver never fuzzily merges names under 8 characters
    entities = [(TYPES[rng.randrange(len(TYPES))], f"E{i}") for i in range(n)]
    lines: list[dict[str, Any]] = [{"type": t, "name": name} for t, name in entities]
    ends: list[int] = []
    seen: set[tuple[int, int]] = set()
    for i in range(1, n):
        for _ in range(2 if i > 2 else 1):
            j = rng.choice(ends) if ends and rng.random() < 0.7 else rng.randrange(i)
            if j == i or (i, j) in seen:
                continue
            seen.add((i, j))
            (ta, a), (tb, b) = entities[i], entities[j]
            fits = [r.name for r in typed if r.allows(ta, tb)]
            rtype = rng.choice(fits) if fits and rng.random() < 0.7 else WEAK
            lines.append({"source": a, "source_type": ta, "type": rtype, "target": b,
                          "target_type": tb, "quote": f"{a} and {b}, sentence {i}-{j}."})  # fmt: skip
            ends += [i, j]
    path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    return path


def timed(fn: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def browser_ready(html: Path) -> tuple[float, float] | None:
    """(seconds to the network's first drawing or end of stabilisation, reported by the page
    since navigation start; wall seconds from navigation) in headless Chromium, or None."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    if not Path(CHROMIUM).exists():
        return None
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        start = time.perf_counter()
        page.goto(html.as_uri())
        page.wait_for_function("window.casegraphView && window.casegraphView.ready",
                               timeout=600_000)  # fmt: skip
        wall = time.perf_counter() - start
        ready_ms = page.evaluate("window.casegraphView.readyAt")
        browser.close()
    return ready_ms / 1000, wall


def bench(n: int, work: Path, cap: int | None) -> dict[str, Any]:
    src = generate(n, work / f"case{n}.jsonl")
    with SqliteStore(work / f"case{n}.db") as store:
        load_paths(store, [src])
        stats = store.stats()
        html = work / f"view{n}.html"
        max_nodes = cap or n

        def html_export() -> Any:
            sub = drawing(store, limit=max_nodes)
            return render_html(sub, html, title=f"{n} nodes", max_nodes=max_nodes)

        t_html, report = timed(html_export)
        t_graphml, _ = timed(lambda: export(store, work / f"g{n}.graphml", "graphml"))
        t_json, _ = timed(lambda: export(store, work / f"g{n}.json", "json"))
    ready = browser_ready(html)
    return {"entities": stats["entities"], "relations": stats["relations"], "drawn": report.nodes,
            "drawn_edges": report.edges, "physics": report.nodes <= 300, "html": t_html,
            "html_mb": html.stat().st_size / 1e6, "graphml": t_graphml, "json": t_json,
            "ready": ready}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="*", default=list(SIZES))
    parser.add_argument("--cap", type=int, default=None,
                        help="max nodes drawn (default: all of them)")  # fmt: skip
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            print(f"benchmarking {n} entities...", file=sys.stderr)
            rows.append(bench(n, Path(tmp), args.cap))
    print("| entities | relations | drawn nodes / edges | physics | html export s | html MB "
          "| graphml s | json s | browser ready s (page) | browser wall s |")  # fmt: skip
    print("|---:|---:|---:|:---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        ready = r["ready"]
        page, wall = (f"{ready[0]:.2f}", f"{ready[1]:.2f}") if ready else ("n/a", "n/a")
        print(f"| {r['entities']} | {r['relations']} | {r['drawn']} / {r['drawn_edges']} "
              f"| {'on' if r['physics'] else 'off'} | {r['html']:.2f} | {r['html_mb']:.2f} "
              f"| {r['graphml']:.2f} | {r['json']:.2f} | {page} | {wall} |")  # fmt: skip


if __name__ == "__main__":
    main()
