"""What was known about an entity and when: its facts in date order, each cited, undated apart."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from casegraph.dates import Window
from casegraph.graph.access import REJECTED
from casegraph.graph.records import EntityRow, EvidenceRow
from casegraph.graph.store import Store

# Relation properties that state when a fact held (FtM intervals, STIX relationships).
VALIDITY = (("startDate", "endDate"), ("start_time", "stop_time"), ("listingDate", "endDate"))


@dataclass(frozen=True)
class Moment:
    """One evidence item of one of the entity's relations: the date it is dated by, the relation
    (type, direction, the other end), its validity where the source gives it, and the evidence."""

    date: str | None
    relation_id: str
    type: str
    direction: str
    other: EntityRow
    evidence: EvidenceRow
    valid_from: str | None = None
    valid_until: str | None = None
    status: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "date": self.date,
            "relation_id": self.relation_id,
            "type": self.type,
            "direction": self.direction,
            "other": self.other.brief(),
            "valid_from": self.valid_from,
            "valid_until": self.valid_until,
            "status": self.status or "unreviewed",
            "evidence": self.evidence.as_dict(),
        }


@dataclass(frozen=True)
class Timeline:
    """An entity's dated facts, oldest first, and its undated ones apart."""

    entity: EntityRow
    dated: tuple[Moment, ...]
    undated: tuple[Moment, ...]
    window: Window = field(default_factory=Window)

    def as_dict(self) -> dict[str, Any]:
        return {
            "entity": self.entity.brief(),
            "since": self.window.since,
            "until": self.window.until,
            "dated": [m.as_dict() for m in self.dated],
            "undated": [m.as_dict() for m in self.undated],
        }


def _validity(props: dict[str, Any]) -> tuple[str | None, str | None]:
    for a, b in VALIDITY:
        start, end = props.get(a), props.get(b)
        if isinstance(start, str) or isinstance(end, str):
            return (start if isinstance(start, str) else None,
                    end if isinstance(end, str) else None)  # fmt: skip
    return None, None


def timeline(
    store: Store,
    entity: str,
    *,
    window: Window | None = None,
    include_rejected: bool = False,
) -> Timeline:
    """The entity's facts (one per evidence item), dated ones in date order (then relation type,
    other end's name, evidence id), undated ones apart; with a window, only the dated ones in it
    (and no undated ones); rejected relations and items left out unless include_rejected."""
    row = store.resolve(entity)
    win = window or Window()
    dated: list[Moment] = []
    undated: list[Moment] = []
    for rel in store.relations_of(row.id):
        if rel.status == REJECTED and not include_rejected:
            continue
        start, end = _validity(rel.properties)
        for ev in rel.evidence:
            if ev.status == REJECTED and not include_rejected:
                continue
            moment = Moment(ev.date, rel.id, rel.type, rel.direction, rel.other, ev, start, end,
                            rel.status)  # fmt: skip
            if ev.date:
                if win.holds(ev.date):
                    dated.append(moment)
            elif win.open:
                undated.append(moment)
    order = lambda m: (m.date or "", m.type, m.other.name, m.evidence.id)  # noqa: E731
    return Timeline(row, tuple(sorted(dated, key=order)), tuple(sorted(undated, key=order)), win)
