"""Load test of casegraph serve on 127.0.0.1: concurrent API requests on a generated large store."""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.bench_views import generate

# What one round of the load asks, by kind: every question the page uses.
KINDS = ("search", "show", "neighbors", "path", "expand")


def build(store: Path, relations: int) -> dict[str, Any]:
    """The store of about `relations` relations (bench_views' generator), made once and kept."""
    from casegraph.backends.sqlite import SqliteStore
    from casegraph.pipeline import load_paths

    if store.exists():
        with SqliteStore(store) as s:
            return {"built_s": None, **_counts(s.stats())}
    src = generate(max(relations // 2, 2), store.with_suffix(".jsonl"))
    start = time.perf_counter()
    with SqliteStore(store) as s:
        load_paths(s, [src])
        stats = s.stats()
    return {"built_s": round(time.perf_counter() - start, 1), **_counts(stats)}


def _counts(stats: dict[str, Any]) -> dict[str, Any]:
    return {"entities": stats["entities"], "relations": stats["relations"]}


def start_server(store: Path, port: int) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "casegraph", "--store", str(store), "serve", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert proc.stdout is not None
    proc.stdout.readline()
    url = proc.stdout.readline().split()[-1]
    return proc, url.split("token=")[1]


def requests(n: int, entities: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        a, b = f"E{rng.randrange(entities)}", f"E{rng.randrange(entities)}"
        kind = KINDS[i % len(KINDS)]
        out.append({"search": f"/api/search?q={a}", "show": f"/api/show?entity={a}",
                    "neighbors": f"/api/neighbors?entity={a}&limit=50",
                    "path": f"/api/path?a={a}&b={b}&max_hops=4",
                    "expand": f"/api/expand?entity={a}"}[kind])  # fmt: skip
    return out


async def fire(base: str, token: str, paths: list[str], concurrency: int) -> list[dict[str, Any]]:
    import httpx

    headers = {"Authorization": f"Bearer {token}"}
    gate = asyncio.Semaphore(concurrency)
    results: list[dict[str, Any]] = []
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=600, limits=limits) as c:

        async def one(path: str) -> None:
            async with gate:
                start = time.perf_counter()
                try:
                    r = await c.get(path)
                    status, ok = r.status_code, r.headers.get("content-type", "").startswith(
                        "application/json")  # fmt: skip
                except httpx.HTTPError as e:
                    status, ok = type(e).__name__, False
                results.append({"path": path.split("?")[0], "status": status, "json": ok,
                                "s": time.perf_counter() - start})  # fmt: skip

        await asyncio.gather(*(one(p) for p in paths))
    return results


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--store", type=Path, default=Path("/tmp/casegraph-bench-serve/s.db"))
    parser.add_argument("--relations", type=int, default=1_000_000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--port", type=int, default=18799)
    args = parser.parse_args()
    args.store.parent.mkdir(parents=True, exist_ok=True)
    built = build(args.store, args.relations)
    print(json.dumps({"store": built}), flush=True)
    proc, token = start_server(args.store, args.port)
    base = f"http://127.0.0.1:{args.port}"
    try:
        import httpx

        start = time.perf_counter()  # the first question builds the store's graph view
        warm = httpx.get(base + "/api/neighbors?entity=E1", timeout=900,
                         headers={"Authorization": f"Bearer {token}"})  # fmt: skip
        first_s = time.perf_counter() - start
        paths = requests(args.requests, built["entities"], seed=3)
        start = time.perf_counter()
        results = asyncio.run(fire(base, token, paths, args.concurrency))
        wall = time.perf_counter() - start
    finally:
        proc.terminate()
        proc.communicate(timeout=60)
    statuses: dict[str, int] = {}
    for r in results:
        statuses[str(r["status"])] = statuses.get(str(r["status"]), 0) + 1
    by_kind = {}
    for kind in sorted({r["path"] for r in results}):
        times = [r["s"] for r in results if r["path"] == kind]
        by_kind[kind] = {"n": len(times), "p50_ms": round(1000 * percentile(times, 0.5), 1),
                         "p95_ms": round(1000 * percentile(times, 0.95), 1),
                         "max_ms": round(1000 * max(times), 1)}  # fmt: skip
    report = {
        "store": built, "first_question_s": round(first_s, 1), "warm_status": warm.status_code,
        "concurrency": args.concurrency, "requests": len(results), "wall_s": round(wall, 2),
        "statuses": statuses, "not_json": sum(not r["json"] for r in results),
        "errors": sum(1 for r in results if not isinstance(r["status"], int)
                      or r["status"] >= 500),
        "by_kind": by_kind,
    }  # fmt: skip
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
