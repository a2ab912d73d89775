"""A whole store as plain data, read through the store contract: what sync copies."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from casegraph.graph.records import DecisionRow, EvidenceRow


@dataclass(frozen=True)
class SnapshotEntity:
    id: str
    type: str
    name: str
    aliases: tuple[str, ...]
    properties: dict[str, Any]
    xids: tuple[str, ...] = ()
    status: str | None = None
    type_source: str = "source"


@dataclass(frozen=True)
class SnapshotDocument:
    id: str
    title: str
    path: str
    loader: str
    published: str | None
    loaded_at: str
    text: str | None
    properties: dict[str, Any]
    mentions: tuple[tuple[str, str | None], ...]  # (entity id, typing JSON or None)


@dataclass(frozen=True)
class SnapshotRelation:
    source: str
    type: str
    target: str
    properties: dict[str, Any]
    evidence: tuple[EvidenceRow, ...]
    status: str | None = None


@dataclass
class Snapshot:
    """A whole store, read through the Store protocol."""

    documents: list[SnapshotDocument] = field(default_factory=list)
    entities: list[SnapshotEntity] = field(default_factory=list)
    relations: list[SnapshotRelation] = field(default_factory=list)
    decisions: list[DecisionRow] = field(default_factory=list)


@dataclass
class SnapshotCounts:
    """What writing a snapshot into a store added."""

    documents_new: int = 0
    documents_unchanged: int = 0
    entities_new: int = 0
    relations_new: int = 0
    evidence_added: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)
