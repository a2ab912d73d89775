"""A store seen through a date window: only evidence dated in it, only relations that keep some."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from casegraph.dates import Window
from casegraph.graph.records import EvidenceRow, RelationTuple
from casegraph.graph.store import Store

BATCH = 1000


class WindowedStore:
    """The reads an export makes (iter_relations, evidence), limited to a date window: an
    evidence item counts when it is dated in the window and not rejected; a relation is kept
    when one such item is left. Every other read goes to the store unchanged."""

    def __init__(self, store: Store, window: Window) -> None:
        self._store = store
        self.window = window

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def evidence(
        self, relation_ids: Iterable[str], *, include_rejected: bool = True
    ) -> dict[str, list[EvidenceRow]]:
        found = self._store.evidence(relation_ids, include_rejected=include_rejected)
        kept = {
            rid: [e for e in items if self.window.holds(e.date)] for rid, items in found.items()
        }
        return {rid: items for rid, items in kept.items() if items}

    def iter_relations(self) -> Iterator[RelationTuple]:
        batch: list[RelationTuple] = []

        def flush() -> Iterator[RelationTuple]:
            live = self.evidence((r[0] for r in batch), include_rejected=False)
            yield from (r for r in batch if r[0] in live)
            batch.clear()

        for relation in self._store.iter_relations():
            batch.append(relation)
            if len(batch) >= BATCH:
                yield from flush()
        yield from flush()
