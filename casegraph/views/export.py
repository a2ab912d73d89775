"""File exports of a whole store: node-link JSON with evidence (more formats come with the views)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TextIO

from casegraph.errors import UsageError
from casegraph.graph.store import Store

FORMATS = ("json",)


def export(store: Store, path: Path, fmt: str) -> dict[str, int]:
    """Write the store to `path` in format `fmt`; returns how many nodes and edges were written."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown export format {fmt!r}; valid: {', '.join(FORMATS)}")
    tmp = path.with_name(path.name + ".part")
    try:
        with tmp.open("w", encoding="utf-8") as fh:
            counts = write_json(store, fh)
        tmp.replace(path)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise UsageError(f"{path}: cannot write ({e.strerror or e})") from e
    return counts


def write_json(store: Store, fh: TextIO) -> dict[str, int]:
    """Node-link JSON: {"nodes": [...], "edges": [{source, target, type, evidence}]}, streamed."""
    nodes = edges = 0
    fh.write('{"nodes": [')
    for entity in store.iter_entities():
        fh.write((",\n" if nodes else "\n") + json.dumps(entity.as_dict(), ensure_ascii=False))
        nodes += 1
    fh.write('\n], "edges": [')
    batch: list[tuple[int, str, str, str, dict[str, Any]]] = []

    def flush() -> None:
        nonlocal edges
        evidence = store.evidence(r[0] for r in batch)
        for rid, source, rtype, target, props in batch:
            edge = {
                "id": rid, "source": source, "target": target, "type": rtype,
                "properties": props, "evidence": [e.as_dict() for e in evidence.get(rid, [])],
            }  # fmt: skip
            fh.write((",\n" if edges else "\n") + json.dumps(edge, ensure_ascii=False))
            edges += 1
        batch.clear()

    for relation in store.iter_relations():
        batch.append(relation)
        if len(batch) >= 1000:
            flush()
    flush()
    fh.write("\n]}\n")
    return {"nodes": nodes, "edges": edges}
