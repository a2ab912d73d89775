"""The ASGI app of casegraph serve: the view pages, the JSON API, one store worker thread."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from casegraph.config import Config
from casegraph.errors import (
    AmbiguousEntity,
    BackendUnavailable,
    CasegraphError,
    EntityNotFound,
    StoreError,
)
from casegraph.graph.store import Store
from casegraph.server import api
from casegraph.server.security import LOCAL_HOSTS, Gate, Secrets

log = logging.getLogger("casegraph.serve")

# Entities the opening page draws (the best connected), and a page's cap.
HOME_LIMIT = 300
PAGE_MAX_NODES = 1500
# A review request body is small: refuse more than this many bytes.
MAX_BODY = 64 * 1024


@dataclass
class Settings:
    """How a server runs: which store, writes allowed or not, where it listens, its secrets."""

    config: Config
    allow_review: bool = False
    host: str = "127.0.0.1"
    port: int = 8765
    allow_hosts: tuple[str, ...] = ()
    secrets: Secrets = field(default_factory=Secrets)

    def hosts(self) -> tuple[str, ...]:
        own = () if self.host in ("0.0.0.0", "::", "") else (self.host,)
        return (*LOCAL_HOSTS, *own, *self.allow_hosts)

    def url(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else "[::1]" if self.host == "::" \
            else f"[{self.host}]" if ":" in self.host else self.host  # fmt: skip
        return f"http://{host}:{self.port}/?token={self.secrets.token}"


class StoreWorker:
    """The store, opened in and used from one thread: every request's work queues there."""

    def __init__(self, config: Config, writable: bool) -> None:
        from casegraph.backends import open_store

        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="casegraph-store")
        self.store: Store = self.pool.submit(
            lambda: open_store(config, read_only=not writable)
        ).result()

    async def run(self, fn: Callable[..., Any], *args: Any, writes: bool = False) -> Any:
        """fn(store, *args) in the store's thread; a read sees one state of the store."""

        def call() -> Any:
            if writes:
                return fn(self.store, *args)
            with self.store.reading():
                return fn(self.store, *args)

        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.pool, call)

    def close(self) -> None:
        self.pool.submit(self.store.close).result()
        self.pool.shutdown()


def status_of(error: CasegraphError) -> int:
    if isinstance(error, EntityNotFound | AmbiguousEntity):
        return 404
    if isinstance(error, StoreError | BackendUnavailable):
        return 503
    return 400


@lru_cache(maxsize=1)
def live_js() -> str:
    return resources.files("casegraph.server").joinpath("assets", "live.js").read_text("utf-8")


def create_app(settings: Settings, worker: StoreWorker | None = None) -> Any:
    """The Starlette app behind the Gate (token, Host, CSRF); opens the store unless given."""
    from starlette.applications import Starlette
    from starlette.exceptions import HTTPException
    from starlette.requests import Request
    from starlette.responses import HTMLResponse, Response
    from starlette.routing import Route

    store_worker = worker or StoreWorker(settings.config, settings.allow_review)

    def answer(data: Any, status: int = 200) -> Response:
        body = json.dumps(data, ensure_ascii=False, default=str)
        return Response(body, status, media_type="application/json",
                        headers={"cache-control": "no-store"})  # fmt: skip

    def params(request: Request) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for key, value in request.query_params.multi_items():
            out.setdefault(key, []).append(value)
        return out

    def endpoint(spec: api.Endpoint) -> Callable[[Request], Any]:
        async def handle(request: Request) -> Response:
            return answer(await store_worker.run(spec.run, params(request)))

        return handle

    async def review(request: Request) -> Response:
        if not settings.allow_review:
            return answer({"error": "review is off: start casegraph serve with --allow-review",
                           "status": 403}, 403)  # fmt: skip
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            return answer({"error": "send the decision as application/json", "status": 415}, 415)
        raw = await request.body()
        if len(raw) > MAX_BODY:
            return answer({"error": f"request body over {MAX_BODY} bytes", "status": 413}, 413)
        try:
            body = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            return answer({"error": "the body is not JSON", "status": 400}, 400)
        if not isinstance(body, dict):
            return answer({"error": "the body must be a JSON object", "status": 400}, 400)
        return answer(await store_worker.run(api.review, body, writes=True))

    async def openapi(request: Request) -> Response:
        return answer(openapi_document(settings))

    def page(kind: str) -> Callable[[Request], Any]:
        async def handle(request: Request) -> Response:
            html = await store_worker.run(view_page, kind, params(request), settings)
            return HTMLResponse(html, headers={
                "cache-control": "no-store", "x-content-type-options": "nosniff",
                "referrer-policy": "no-referrer", "x-frame-options": "DENY"})  # fmt: skip

        return handle

    async def failed(request: Request, exc: Exception) -> Response:
        if isinstance(exc, CasegraphError):
            return answer({"error": str(exc), "status": status_of(exc)}, status_of(exc))
        if isinstance(exc, HTTPException):
            return answer({"error": exc.detail, "status": exc.status_code}, exc.status_code)
        log.error("internal error on %s: %s", request.url.path, type(exc).__name__)
        return answer({"error": f"internal error ({type(exc).__name__})", "status": 500}, 500)

    routes = [Route(e.path, endpoint(e), methods=["GET"]) for e in api.ENDPOINTS]
    routes += [
        Route("/api/review", review, methods=["POST"]),
        Route("/api/openapi.json", openapi, methods=["GET"]),
        Route("/", page("home"), methods=["GET"]),
        Route("/view/neighbors", page("neighbors"), methods=["GET"]),
        Route("/view/path", page("path"), methods=["GET"]),
        Route("/view/common", page("common"), methods=["GET"]),
    ]
    app = Starlette(routes=routes, exception_handlers={Exception: failed, HTTPException: failed,
                                                       CasegraphError: failed})  # fmt: skip
    app.state.worker = store_worker
    return Gate(app, settings.secrets, settings.port, settings.hosts())


def view_page(store: Store, kind: str, params: api.Params, settings: Settings) -> str:
    """A view page (the static view's page, with the live script): home, neighbors, path, common."""
    from casegraph.graph.schema import load_schema
    from casegraph.queries.overview import TEXT_BUDGET, cited_texts, drawing
    from casegraph.queries.results import Subgraph
    from casegraph.views.html import page_data
    from casegraph.views.html_page import render_page

    answer: dict[str, Any] = {}
    if kind == "home":
        sub = drawing(store, limit=HOME_LIMIT)
        title, cut = "casegraph: the case", f"the opening page's {HOME_LIMIT}"
    elif kind == "neighbors":
        from casegraph.queries.neighbors import neighbors
        from casegraph.queries.options import NeighborOptions

        limit = api.number(params, "limit", 100, 1, 10_000)
        sub = neighbors(store, api.one(params, "entity"),
                        NeighborOptions(depth=api.number(params, "depth", 1, 1, 4), limit=limit))  # fmt: skip
        title, cut = f"Around {sub.nodes[0].name}", f"limit {limit}"
    elif kind == "path":
        from casegraph.queries.options import PathOptions
        from casegraph.queries.paths import find_paths

        result = find_paths(store, api.one(params, "a"), api.one(params, "b"),
                            PathOptions(mode="k", k=api.number(params, "k", 3, 1, 20),
                                        no_weak=api.flag(params, "no_weak")))  # fmt: skip
        sub, answer = Subgraph((), ()), {"highlight": result}
        title, cut = f"{result.source.name} — {result.target.name}", None
    else:
        from casegraph.queries.common import common

        result_c = common(store, api.many(params, "entity"))
        sub, answer = Subgraph((), ()), {"common": result_c}
        title = "In common: " + ", ".join(e.name for e in result_c.entities)
        cut = None
    texts = cited_texts(store, sub, *answer.values(), budget=TEXT_BUDGET)
    data = page_data(sub, title=title, max_nodes=PAGE_MAX_NODES, documents=texts, cut_by=cut,
                     **answer)  # fmt: skip
    data["live"] = {"csrf": settings.secrets.csrf, "review": settings.allow_review,
                    "types": list(load_schema().entity_types)}  # fmt: skip
    return render_page(title=title, data=data, live_js=live_js())


def openapi_document(settings: Settings) -> dict[str, Any]:
    """An OpenAPI 3.1 description of the JSON API, for scripts."""
    paths: dict[str, Any] = {}
    for e in api.ENDPOINTS:
        paths[e.path] = {e.method: {
            "summary": e.summary,
            "parameters": [{"name": n, "in": "query", "required": r, "description": d,
                            "schema": {"type": "string"}} for n, d, r in e.params],
            "responses": {"200": {"description": "JSON"},
                          "400": {"description": "bad parameter (JSON error)"},
                          "403": {"description": "no token (JSON error)"},
                          "404": {"description": "no such entity (JSON error)"}},
        }}  # fmt: skip
    paths["/api/review"] = {"post": {
        "summary": "Record a decision (needs --allow-review and the X-CSRF-Token header)",
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["action", "target"],
            "properties": {"action": {"enum": ["confirm", "reject", "retype", "split", "note"]},
                           "target": {"type": "string"}, "type": {"type": "string"},
                           "text": {"type": "string"}, "why": {"type": "string"},
                           "by": {"type": "string"},
                           "names": {"type": "array", "items": {"type": "string"}}}}}}},
        "responses": {"200": {"description": "the decision"},
                      "403": {"description": "review off, no token or no CSRF header"}},
    }}  # fmt: skip
    return {
        "openapi": "3.1.0",
        "info": {"title": "casegraph serve", "version": "1",
                 "description": "Every request needs the token: the cookie the printed URL "
                 "sets, or Authorization: Bearer TOKEN."},
        "components": {"securitySchemes": {"token": {"type": "http", "scheme": "bearer"}}},
        "security": [{"token": []}],
        "paths": paths,
    }  # fmt: skip
