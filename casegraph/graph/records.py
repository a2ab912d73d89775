"""Plain result objects that stores return and views render: entities, relations, evidence, summaries."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class EntityRow:
    """An entity as stored: its stable id, display name, type, aliases and properties."""

    id: str
    name: str
    type: str
    aliases: tuple[str, ...] = ()
    properties: dict[str, Any] = field(default_factory=dict)
    also: tuple[EntityRow, ...] = ()  # other entities the name it was asked by also names
    status: str | None = None  # None, or "dropped" (not an entity: junk, by a decision)
    type_source: str = "source"  # what typed it: "text", "source" or "decision"

    def brief(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "name": self.name, "type": self.type}
        if self.also:
            out["also"] = [e.brief() for e in self.also]
        return out

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "type": self.type,
            "aliases": list(self.aliases),
            "properties": self.properties,
            "typed_by": self.type_source,
        }
        if self.status:
            out["status"] = self.status
        if self.also:
            out["also"] = [e.brief() for e in self.also]
        return out


@dataclass(frozen=True, slots=True)
class EvidenceRow:
    """One piece of evidence for a relation, with the document it came from."""

    document_id: str
    document: str
    quote: str
    start: int | None
    end: int | None
    extractor: str
    confidence: float
    locator: str | None = None
    id: str = ""  # ev:<relation id>-<16 hex digits>, the same on every backend (graph/ids.py)
    status: str | None = None  # None (unreviewed) or "rejected"
    date: str | None = None  # when the source says it (its document's date), ISO
    source_key: str | None = None  # the key of the name the source wrote the relation's source as
    target_key: str | None = None  # ... and its target as (what `split` moves)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def cite(self) -> str:
        """Where the evidence is: document and line/object or offsets."""
        where = self.locator or (f"chars {self.start}-{self.end}" if self.start is not None else "")
        return f"{self.document}, {where}" if where else self.document


# A relation as (relation id, source id, type, target id, properties), for whole-store streams.
RelationTuple = tuple[str, str, str, str, dict[str, Any]]


@dataclass(frozen=True, slots=True)
class RelationInfo:
    """A relation by its id: its ends, type, review status and properties (no evidence)."""

    id: str
    source: str
    type: str
    target: str
    status: str | None = None
    properties: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DecisionRow:
    """One decision of an investigator, as the store keeps it: recorded, never edited, undone
    only by another decision (which marks it undone)."""

    uid: str  # d:<16 hex digits>, the same after a sync
    at: str
    by: str
    action: str  # confirm, reject, retype, split, drop, note, merge, alias, undo
    target: str  # the entity id, relation id, evidence id or decision uid it is about
    why: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)  # what it changed, to undo it
    undone_at: str | None = None
    undone_by: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class RelationRow:
    """A relation seen from one entity: its type, direction, the other end and the evidence."""

    id: str
    type: str
    direction: str  # "out" or "in"
    other: EntityRow
    evidence: tuple[EvidenceRow, ...]
    properties: dict[str, Any] = field(default_factory=dict)
    status: str | None = None  # None (unreviewed), "confirmed" or "rejected"

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status or "unreviewed",
            "type": self.type,
            "direction": self.direction,
            "other": self.other.brief(),
            "properties": self.properties,
            "evidence": [e.as_dict() for e in self.evidence],
        }


@dataclass(frozen=True, slots=True)
class DocumentRow:
    """A loaded document with what was read from it."""

    id: str
    title: str
    path: str
    loader: str
    published: str | None
    loaded_at: str
    entities: int
    relations: int
    properties: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class LoadSummary:
    """What one load did to the store."""

    documents_new: int = 0
    documents_unchanged: int = 0
    entities_new: int = 0
    entities_merged: int = 0
    relations_new: int = 0
    relations_merged: int = 0
    evidence_added: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    documents: list[str] = field(default_factory=list)
    # files of a folder skipped because they could not be read: {"path", "line", "reason"}
    errors: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
