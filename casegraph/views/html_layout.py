"""Node positions for HTML views, computed in Python: each component laid out, then packed."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

# Pixels between two linked nodes, roughly: the unit the layouts below work in.
SPACING = 110.0
# Components from this size up are laid out by the chunked numpy force layout below, because
# networkx's spring_layout needs scipy from 500 nodes up (and scipy is not a dependency).
LARGE_COMPONENT = 400
# Width over height of the packed picture: about that of the canvas beside the side panel.
ASPECT = 1.25
# Fixed seed: the same view always gets the same picture.
SEED = 7

Point = tuple[float, float]


def layout(nodes: Sequence[str], edges: Iterable[tuple[str, str]], *, seed: int = SEED
           ) -> dict[str, Point]:  # fmt: skip
    """Pixel positions for the nodes: connected components laid out apart and packed in rows."""
    import networkx as nx

    graph = nx.Graph()
    graph.add_nodes_from(nodes)
    graph.add_edges_from((a, b) for a, b in edges if a != b)
    order = {node: i for i, node in enumerate(nodes)}
    components = sorted(
        (sorted(c, key=order.__getitem__) for c in nx.connected_components(graph)),
        key=lambda c: (-len(c), order[c[0]]),
    )
    boxes = [_component(graph.subgraph(c), c, seed) for c in components]
    return _pack(boxes)


def _component(graph: object, members: list[str], seed: int) -> dict[str, Point]:
    """Positions of one connected component in SPACING units, with its corner at (0, 0)."""
    import networkx as nx

    n = len(members)
    if n == 1:
        return {members[0]: (0.0, 0.0)}
    if n == 2:
        return {members[0]: (0.0, 0.0), members[1]: (1.2, 0.0)}
    if n < LARGE_COMPONENT:
        raw = nx.spring_layout(graph, seed=seed, method="force")
        # spring_layout answers in [-1, 1]; scale so that neighbours sit about one unit apart.
        side = 0.9 * math.sqrt(n)
        pos = {node: (float(x) * side, float(y) * side) for node, (x, y) in raw.items()}
    else:
        pos = _force_layout(graph, members, seed)
    return _to_origin(pos)


def _force_layout(graph: object, members: list[str], seed: int) -> dict[str, Point]:
    """Fruchterman-Reingold in numpy, repulsion in row chunks (bounded memory), then scaled."""
    import numpy as np

    index = {node: i for i, node in enumerate(members)}
    edges = np.array(
        [(index[a], index[b]) for a, b in graph.edges()],  # type: ignore[attr-defined]
        dtype=np.int64,
    ).reshape(-1, 2)
    n = len(members)
    rng = np.random.default_rng(seed)
    x = (rng.random(n) * math.sqrt(n)).astype(np.float32)
    y = (rng.random(n) * math.sqrt(n)).astype(np.float32)
    iterations = 50 if n <= 2000 else 30
    temperature = math.sqrt(n) / 6
    cooling = temperature / (iterations + 1)
    chunk = max(32, 2_000_000 // n)
    src, dst = edges[:, 0], edges[:, 1]
    tiny = np.float32(1e-3)
    for _ in range(iterations):
        fx = np.empty(n, dtype=np.float32)
        fy = np.empty(n, dtype=np.float32)
        for start in range(0, n, chunk):
            dx = x[start : start + chunk, None] - x[None, :]
            dy = y[start : start + chunk, None] - y[None, :]
            inv = dx * dx
            inv += dy * dy
            np.maximum(inv, tiny, out=inv)
            np.reciprocal(inv, out=inv)
            fx[start : start + chunk] = np.einsum("ij,ij->i", dx, inv)
            fy[start : start + chunk] = np.einsum("ij,ij->i", dy, inv)
        if len(edges):
            ex, ey = x[src] - x[dst], y[src] - y[dst]
            dist = np.sqrt(ex * ex + ey * ey)
            np.subtract.at(fx, src, ex * dist)
            np.add.at(fx, dst, ex * dist)
            np.subtract.at(fy, src, ey * dist)
            np.add.at(fy, dst, ey * dist)
        length = np.maximum(np.sqrt(fx * fx + fy * fy), tiny)
        step = np.minimum(length, np.float32(temperature)) / length
        x += fx * step
        y += fy * step
        temperature = max(temperature - cooling, 0.05)
    # FR spreads big components far apart; bring them to the density of the small ones.
    span = max(float(x.max() - x.min()), float(y.max() - y.min()), 1e-6)
    scale = 1.8 * math.sqrt(n) / span
    return {node: (float(x[i]) * scale, float(y[i]) * scale) for node, i in index.items()}


def _to_origin(pos: dict[str, Point]) -> dict[str, Point]:
    min_x = min(x for x, _ in pos.values())
    min_y = min(y for _, y in pos.values())
    return {node: (x - min_x, y - min_y) for node, (x, y) in pos.items()}


def _pack(boxes: list[dict[str, Point]]) -> dict[str, Point]:
    """Shelf packing: components left to right in rows about as wide as the whole is tall."""
    sizes = [
        (max(x for x, _ in b.values()) + 1.5, max(y for _, y in b.values()) + 1.5) for b in boxes
    ]
    row_width = max(math.sqrt(sum(w * h for w, h in sizes) * ASPECT), max((w for w, _ in sizes),
                                                                       default=0.0))  # fmt: skip
    out: dict[str, Point] = {}
    x = y = row_height = 0.0
    for box, (w, h) in zip(boxes, sizes, strict=True):
        if x > 0 and x + w > row_width:
            x, y, row_height = 0.0, y + row_height, 0.0
        for node, (bx, by) in box.items():
            out[node] = (round((x + bx) * SPACING, 1), round((y + by) * SPACING, 1))
        x += w
        row_height = max(row_height, h)
    return out
