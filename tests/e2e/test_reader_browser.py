"""The reader page in a real headless Chromium: the cited sentence in view, offline, CSP clean."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from casegraph.backends.sqlite import SqliteStore
from casegraph.pipeline import load_paths
from casegraph.queries.source import source_passage
from casegraph.views.reader import reader_page, write_page
from tests.e2e.test_html_browser import CHROMIUM, CHROMIUM_ARGS, _unavailable

pytestmark = pytest.mark.browser

FILLER = "This line says nothing about anyone at all, and it goes on for a while.\n"
CITED = "Orion Labs hired Kestrel Partners to defend <img src=x onerror=window.__pwned=1>."


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


def test_reader_scrolls_the_cited_sentence_into_view(browser: Any, tmp_path: Path) -> None:
    article = tmp_path / "long.txt"
    article.write_text(FILLER * 200 + CITED + "\n" + FILLER * 50, encoding="utf-8")
    with SqliteStore(tmp_path / "s.db") as store:
        load_paths(store, [article])
        (doc,) = store.documents()
        at = len(FILLER * 200) + 5
        found = source_passage(store, doc.id, at=at, whole=True)
        write_page(reader_page(found), tmp_path / "reader.html")
    context = browser.new_context(viewport={"width": 1200, "height": 800})
    page = context.new_page()
    url = (tmp_path / "reader.html").resolve().as_uri()
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: r.url != url and requests.append(r.url))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    page.wait_for_load_state("load")
    box = page.evaluate(
        "(() => { const r = document.getElementById('cited').getBoundingClientRect();"
        " return [r.top, r.bottom, window.innerHeight, window.scrollY]; })()"
    )
    top, bottom, height, scrolled = box
    assert scrolled > 1000 and top >= 0 and bottom <= height
    assert "Orion Labs hired Kestrel Partners" in page.locator("#cited").inner_text()
    assert page.locator("img").count() == 0 and page.evaluate("window.__pwned") is None
    assert requests == [] and errors == []
    context.close()
