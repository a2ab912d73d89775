"""What one decision writes, decided before any write: each backend applies a Change whole,
in one transaction (`Store.apply`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from casegraph.graph.plan import NameRec, NewEntity
from casegraph.graph.records import DecisionRow


@dataclass
class EvidenceMove:
    """Evidence items that leave one relation for another (split): the relation they go to is
    made when missing, with the given review status; one left without evidence is deleted."""

    eids: list[str]
    from_rid: str
    rid: str
    type: str
    source: str
    target: str
    properties: str = "{}"
    status: str | None = None


@dataclass
class Change:
    """Everything one decision writes, in the order a backend applies it."""

    record: DecisionRow | None  # None: statuses copied by a sync with no decision of its own
    undone: str | None = None  # the uid of a decision this one undoes
    entity_updates: dict[str, dict[str, Any]] = field(
        default_factory=dict
    )  # id -> {type, status, type_source}
    new_entities: list[NewEntity] = field(default_factory=list)
    names_delete: list[tuple[str, str]] = field(default_factory=list)  # (type, key)
    names_put: list[NameRec] = field(default_factory=list)  # (type, key) -> entity, replacing
    moves: list[EvidenceMove] = field(default_factory=list)
    relation_status: dict[str, str | None] = field(default_factory=dict)  # rid -> status
    evidence_status: dict[str, str | None] = field(default_factory=dict)  # eid -> status
    mentions: list[tuple[str, str]] = field(default_factory=list)  # (document id, entity id)
    xids_delete: list[str] = field(default_factory=list)
    fold: tuple[str, str] | None = None  # (keep, drop): drop folded into keep, last
    fold_props: dict[str, Any] = field(default_factory=dict)  # keep's properties after a fold
