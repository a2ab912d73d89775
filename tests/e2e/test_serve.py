"""casegraph serve: the token, the Host check, CSRF and --allow-review, JSON errors; in Chromium,
expanding an entity from the store and a review action from the page."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from casegraph.backends.sqlite import SqliteStore
from casegraph.config import Config
from casegraph.pipeline import load_paths
from tests.conftest import free_port, start_cli, write_jsonl
from tests.e2e.test_html_browser import CHROMIUM_ARGS, browser  # noqa: F401  (a fixture)
from tests.fuzz.cli_helpers import run_in_process

httpx = pytest.importorskip("httpx")
pytest.importorskip("uvicorn")

ROWS: list[dict[str, Any]] = [
    {"type": "Company", "name": "Black Cube"},
    {"type": "Person", "name": "Harvey Weinstein"},
    {"type": "Country", "name": "Israel"},
    {"type": "Organization", "name": "Fox News"},
    {"type": "Company", "name": "NSO Group"},
    {"type": "Product", "name": "Pegasus"},
    {"source": "Harvey Weinstein", "type": "HIRED", "target": "Black Cube",
     "quote": "Weinstein hired Black Cube.", "date": "2016-10-01"},
    {"source": "Black Cube", "type": "BASED_IN", "target": "Israel",
     "quote": "Black Cube is based in Israel.", "date": "2011-05-01"},
    {"source": "Black Cube", "type": "IMPERSONATED", "target": "Fox News",
     "quote": "Agents posed as Fox News reporters."},
    {"source": "NSO Group", "type": "BASED_IN", "target": "Israel",
     "quote": "NSO Group is based in Israel."},
    {"source": "NSO Group", "type": "DEVELOPED", "target": "Pegasus",
     "quote": "NSO Group developed <script>window.__pwned=1</script> Pegasus."},
]  # fmt: skip


class Served:
    """A server on 127.0.0.1 in a thread of this process, over a store of its own."""

    def __init__(self, store: Path, *, allow_review: bool) -> None:
        import uvicorn

        from casegraph.server.app import Settings, create_app

        self.store = store
        self.settings = Settings(Config(store=store), allow_review=allow_review,
                                 port=free_port())  # fmt: skip
        self.app = create_app(self.settings)
        self.server = uvicorn.Server(uvicorn.Config(self.app, host="127.0.0.1",
                                                    port=self.settings.port, log_level="warning",
                                                    access_log=False, lifespan="off"))  # fmt: skip
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.05)
        self.base = f"http://127.0.0.1:{self.settings.port}"
        self.token = self.settings.secrets.token

    def get(self, path: str, *, token: bool = True, **kwargs: Any) -> Any:
        headers = kwargs.pop("headers", {})
        if token:
            headers["Authorization"] = f"Bearer {self.token}"
        return httpx.get(self.base + path, headers=headers, **kwargs)

    def post(self, path: str, body: Any, *, csrf: bool = True, **headers: str) -> Any:
        sent = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        if csrf:
            sent["X-CSRF-Token"] = self.settings.secrets.csrf
        sent.update(headers)
        return httpx.post(self.base + path, content=json.dumps(body), headers=sent)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)
        self.app.app.state.worker.close()


STORY = ("Harvey Weinstein hired Black Cube in 2016, the firm said. Agents of Black Cube posed "
         "as Fox News reporters in London.\n")  # fmt: skip


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("serve")
    src = write_jsonl(work / "case.jsonl", ROWS)
    (work / "story.txt").write_text(STORY, encoding="utf-8")
    with SqliteStore(work / "s.db") as s:
        load_paths(s, [src, work / "story.txt"])
    return work / "s.db"


@pytest.fixture
def case(built: Path, tmp_path: Path) -> Path:
    """A fresh copy of the case for each test (reviews write to it)."""
    import shutil

    shutil.copyfile(built, tmp_path / "s.db")
    return tmp_path / "s.db"


@pytest.fixture
def serve(case: Path) -> Iterator[Callable[..., Served]]:
    started: list[Served] = []

    def start(allow_review: bool = False) -> Served:
        server = Served(case, allow_review=allow_review)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def assert_json_error(response: Any, status: int, words: str) -> None:
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["status"] == status and words in body["error"]
    assert "Traceback" not in response.text


def test_every_request_without_the_token_is_refused(serve: Callable[..., Served]) -> None:
    s = serve()
    for path in ("/", "/api/search?q=cube", "/api/openapi.json", "/view/neighbors?entity=Israel",
                 "/api/nothing-here"):  # fmt: skip
        assert_json_error(s.get(path, token=False), 403, "token")
    assert_json_error(s.get("/api/search?q=cube", token=False,
                            headers={"Authorization": "Bearer wrong"}), 403, "token")  # fmt: skip
    assert_json_error(s.get("/?token=wrong", token=False), 403, "wrong token")
    assert s.get("/api/search?q=cube").json()["results"][0]["name"] == "Black Cube"
    # the printed URL sets the cookie and sends the browser to the same page without the token
    first = s.get(f"/view/path?a=x&token={s.token}", token=False)
    assert first.status_code == 303 and first.headers["location"] == "/view/path?a=x"
    assert "HttpOnly" in first.headers["set-cookie"]
    assert "SameSite=Strict" in first.headers["set-cookie"]
    # a path that a browser reads as another host, or that is not Latin-1, stays on this server
    away = s.get(f"//evil.example/?token={s.token}", token=False)
    assert away.status_code == 303 and away.headers["location"] == "/evil.example/"
    wide = s.get(f"/view/caf%C3%A9?token={s.token}", token=False)
    assert wide.status_code == 303 and wide.headers["location"] == "/view/caf%C3%A9"
    cookie = {s.settings.secrets.cookie(s.settings.port): s.token}
    assert s.get("/api/search?q=israel", token=False, cookies=cookie).status_code == 200


def test_the_host_header_is_checked(serve: Callable[..., Served]) -> None:
    s = serve()
    for host in ("evil.example", "evil.example:" + str(s.settings.port), "127.0.0.1:1",
                 "localhost.evil.example"):  # fmt: skip
        assert_json_error(s.get("/api/search?q=cube", headers={"Host": host}), 400, "Host")
    for host in ("localhost", f"localhost:{s.settings.port}", f"127.0.0.1:{s.settings.port}"):
        assert s.get("/api/search?q=cube", headers={"Host": host}).status_code == 200


def test_writes_need_allow_review_a_post_and_the_csrf_token(serve: Callable[..., Served]) -> None:
    ro = serve()
    rel = ro.get("/api/show?entity=Harvey Weinstein").json()["relations"][0]["id"]
    assert_json_error(ro.post("/api/review", {"action": "confirm", "target": rel}), 403,
                      "--allow-review")  # fmt: skip
    rw = serve(allow_review=True)
    body = {"action": "confirm", "target": rel}
    assert_json_error(rw.post("/api/review", body, csrf=False), 403, "X-CSRF-Token")
    assert_json_error(rw.post("/api/review", body, **{"X-CSRF-Token": "nope"}), 403, "CSRF")
    assert_json_error(rw.post("/api/review", body, Origin="http://evil.example"), 403,
                      "cross-origin")  # fmt: skip
    assert_json_error(rw.get("/api/review"), 405, "Method Not Allowed")
    assert_json_error(rw.post("/api/review", {"action": "explode", "target": rel}), 400,
                      "unknown action")  # fmt: skip
    assert_json_error(rw.post("/api/review", [1, 2]), 400, "JSON object")
    assert rw.settings.config.store == ro.store
    assert run_in_process(["--store", str(rw.store), "decisions", "--json"])[1].strip() == "[]"
    done = rw.post("/api/review", body)
    assert done.status_code == 200 and done.json()["decision"]["action"] == "confirm"
    assert_json_error(rw.post("/api/review", body), 400, "already confirmed")
    code, out, _ = run_in_process(["--store", str(rw.store), "decisions", "--json"])
    assert code == 0 and [(d["action"], d["target"]) for d in json.loads(out)] == [
        ("confirm", rel)]  # fmt: skip


def test_bad_requests_get_a_json_error_never_a_traceback(serve: Callable[..., Served]) -> None:
    s = serve()
    assert_json_error(s.get("/api/show?entity=Nobody%20At%20All"), 404, "no entity")
    assert_json_error(s.get("/api/show"), 400, "missing parameter 'entity'")
    assert_json_error(s.get("/api/neighbors?entity=Israel&depth=9"), 400, "between 1 and 4")
    assert_json_error(s.get("/api/neighbors?entity=Israel&depth=two"), 400, "whole number")
    assert_json_error(s.get("/api/path?a=Israel&b=Pegasus&rel=FLEW_TO"), 400, "FLEW_TO")
    assert_json_error(s.get("/api/search?q=" + "x" * 1001), 400, "longer than 1000")
    assert_json_error(s.get("/view/path?a=Israel"), 400, "missing parameter 'b'")
    assert_json_error(s.get("/nowhere"), 404, "Not Found")
    path = s.get("/api/path?a=Harvey Weinstein&b=Israel").json()
    assert [n["name"] for n in path["paths"][0]["nodes"]] == ["Harvey Weinstein", "Black Cube",
                                                              "Israel"]  # fmt: skip
    common = s.get("/api/common?entity=Black Cube&entity=NSO Group").json()
    assert [c["name"] for c in common["common"]] == ["Israel"]
    found = s.get("/api/find?q=posed").json()
    assert [Path(h["path"]).name for h in found["hits"]] == ["story.txt"]
    assert "posed" in found["hits"][0]["snippet"]
    assert_json_error(s.get("/api/find?q=posed&since=2020-13-01"), 400, "2020-13-01")
    timeline = s.get("/api/timeline?entity=Black Cube").json()
    assert [(m["date"][:10], m["type"]) for m in timeline["dated"]] == [
        ("2011-05-01", "BASED_IN"), ("2016-10-01", "HIRED")]  # fmt: skip
    later = s.get("/api/timeline?entity=Black Cube&since=2015").json()
    assert [m["type"] for m in later["dated"]] == ["HIRED"]
    spec = s.get("/api/openapi.json").json()
    assert spec["openapi"].startswith("3.") and "/api/review" in spec["paths"]
    assert {e.path for e in __import__("casegraph.server.api").server.api.ENDPOINTS} <= set(
        spec["paths"])  # fmt: skip


# ------------------------------------------------------------------ in the browser


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:  # noqa: F811
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.errors = []
    # a refused request the test makes on purpose logs "Failed to load resource": not a page error
    page.on("console", lambda m: m.type == "error" and not m.text.startswith(
        "Failed to load resource") and page.errors.append(m.text))  # fmt: skip
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    yield page
    context.close()


def wait_until(page: Any, expression: str, timeout: float = 30) -> None:
    """Poll an expression (page.wait_for_function would need 'unsafe-eval', which the CSP refuses)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {expression}")
        time.sleep(0.05)


def opened(page: Any, s: Served, path: str) -> Any:
    sep = "&" if "?" in path else "?"
    page.goto(f"{s.base}{path}{sep}token={s.token}")
    wait_until(page, "!!(window.casegraphView && window.casegraphView.ready)", 60)
    assert "token=" not in page.url
    return page


@pytest.mark.browser
def test_expanding_an_entity_adds_its_neighbours_from_the_store(
    serve: Callable[..., Served], page: Any
) -> None:
    s = serve()
    opened(page, s, "/view/neighbors?entity=Israel&limit=1")
    ids = page.evaluate("casegraphView.nodes.getIds()")
    assert len(ids) == 2 and "country:israel" in ids
    other = next(i for i in ids if i != "country:israel")
    page.evaluate("id => casegraphView.selectNode(id)", other)
    page.locator("#cg-details-body button.cg-live-expand").click()
    wait_until(page, "casegraphView.nodes.length > 2")
    wanted = {n["id"] for n in s.get(f"/api/neighbors?entity={other}").json()["nodes"]}
    drawn = set(page.evaluate("casegraphView.network.body.nodeIndices"))
    assert wanted <= drawn
    assert "entities added" in page.locator("#cg-details-body .cg-status").inner_text()
    # a double click on an entity on the canvas expands it too
    box = page.locator("#cg-graph").bounding_box()
    before = page.evaluate("casegraphView.nodes.length")
    page.evaluate("casegraphView.fitView()")
    point = page.evaluate("id => casegraphView.network.canvasToDOM("
                          "casegraphView.network.getPosition(id))", "country:israel")  # fmt: skip
    page.mouse.dblclick(box["x"] + point["x"], box["y"] + point["y"])
    wait_until(page, f"casegraphView.nodes.length > {before}")
    assert page.evaluate("casegraphView.nodes.get('company:nso-group')") is not None
    # Find asks the store for an entity the page does not have, and opens it
    assert page.evaluate("casegraphView.nodes.get('product:pegasus')") is None
    page.locator("#cg-find-input").fill("Pegasus")
    page.locator("#cg-find button").click()
    wait_until(page, "casegraphView.nodes.get('product:pegasus') !== null")  # fmt: skip
    assert page.locator("#cg-details-body .cg-name").inner_text() == "Pegasus"
    assert page.evaluate("window.__pwned") is None
    assert page.errors == []


@pytest.mark.browser
def test_find_and_timeline_answer_in_the_page(serve: Callable[..., Served], page: Any) -> None:
    s = serve()
    opened(page, s, "/")
    panel = page.locator("#cg-details-body")
    page.locator(".cg-ask-find input").fill("posed")
    page.locator(".cg-ask-find button").click()
    wait_until(page, "document.querySelectorAll('.cg-find-hits li').length > 0")
    hit = panel.locator(".cg-find-hits li").first
    assert "Harvey Weinstein hired" in hit.inner_text()
    assert "posed" in hit.locator(".cg-quote").inner_text()
    page.locator(".cg-ask-timeline input").fill("Black Cube")
    page.locator(".cg-ask-timeline button").click()
    wait_until(page, "document.querySelectorAll('.cg-timeline li').length > 0")
    lines = panel.locator(".cg-timeline > li")
    assert lines.nth(0).inner_text().startswith("2011-05-01")
    assert "HIRED" in panel.locator(".cg-timeline").inner_text()
    assert page.errors == []


@pytest.mark.browser
def test_a_review_from_the_page_appears_in_decisions(serve: Callable[..., Served],
                                                     page: Any) -> None:  # fmt: skip
    s = serve(allow_review=True)
    opened(page, s, "/view/path?a=Harvey Weinstein&b=Israel")
    hop = page.locator("#cg-answer ol.cg-path").first.locator(":scope > li").first
    rel = hop.get_attribute("data-edge")
    hop.locator("button", has_text="HIRED").click()
    panel = page.locator("#cg-details-body")
    panel.locator("button.cg-confirm").click()
    wait_until(page, "document.querySelector('#cg-details-body .cg-status')"
                           ".textContent.startsWith('recorded')")  # fmt: skip
    code, out, _ = run_in_process(["--store", str(s.store), "decisions", "--json"])
    assert code == 0 and [(d["action"], d["target"]) for d in json.loads(out)] == [
        ("confirm", rel)]  # fmt: skip
    # a note and a retype on an entity, from the same page
    page.evaluate("id => casegraphView.selectNode(id)", "company:black-cube")
    panel.locator("input.cg-note-text").fill("checked against the court filing")
    panel.locator("button.cg-note").click()
    wait_until(page, "document.querySelector('#cg-details-body .cg-status')"
                           ".textContent.startsWith('recorded: note')")  # fmt: skip
    panel.locator("select.cg-retype-type").select_option("Organization")
    panel.locator("button.cg-retype").click()
    wait_until(page, "document.querySelector('#cg-details-body .cg-status.cg-error') !== null")
    assert "cannot hold a Organization" in panel.locator(".cg-status").inner_text()
    page.evaluate("id => casegraphView.selectNode(id)", "country:israel")
    panel.locator("select.cg-retype-type").select_option("Location")
    panel.locator("button.cg-retype").click()
    wait_until(page, "document.querySelector('#cg-details-body .cg-status')"
                           ".textContent.startsWith('recorded: retype')")  # fmt: skip
    code, out, _ = run_in_process(["--store", str(s.store), "decisions", "--json"])
    assert [d["action"] for d in json.loads(out)] == ["confirm", "note", "retype"]
    assert page.errors == []


@pytest.mark.browser
def test_the_page_without_the_token_gets_403_and_a_read_only_page_has_no_review(
    serve: Callable[..., Served], page: Any
) -> None:
    s = serve()
    response = page.goto(f"{s.base}/")
    assert response.status == 403 and "token" in page.content()
    opened(page, s, "/view/neighbors?entity=Israel")
    page.evaluate("id => casegraphView.selectNode(id)", "country:israel")
    assert page.locator("#cg-details-body button.cg-live-expand").count() == 1
    assert page.locator("#cg-details-body .cg-review").count() == 0
    csp = page.locator('meta[http-equiv="Content-Security-Policy"]').get_attribute("content")
    assert "connect-src 'self'" in csp and "default-src 'none'" in csp
    assert page.errors == []


# ------------------------------------------------------------------ the command


def test_serve_prints_a_token_url_and_logs_no_secret(case: Path) -> None:
    port = free_port()
    proc = start_cli("--store", str(case), "serve", "--port", str(port), "--host", "0.0.0.0")
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline(), proc.stdout.readline()]
        url = lines[1].split()[-1]
        assert url.startswith(f"http://127.0.0.1:{port}/?token=")
        token = url.split("token=")[1]
        assert len(token) >= 32
        headers = {"Authorization": f"Bearer {token}"}
        ok = httpx.get(f"http://127.0.0.1:{port}/api/search?q=cube", headers=headers)
        assert ok.status_code == 200
        assert httpx.get(f"http://127.0.0.1:{port}/api/search?q=cube").status_code == 403
        httpx.get(url)  # the URL itself, as a browser opens it
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=30)
    assert "warning: listening on every interface (0.0.0.0)" in err
    assert token not in err and token not in out  # printed once, in the URL, and never logged
    assert "Traceback" not in err
