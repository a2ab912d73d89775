"""What a load writes, decided before any write: plans of new entities, names, ids and relations."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from casegraph.graph.model import Document, Evidence


@dataclass(slots=True)
class NameRec:
    """One name an entity answers to, by entity type and normalised key (the resolution index)."""

    type: str
    key: str
    mkey: str
    entity: str
    name: str


@dataclass(slots=True)
class Ent:
    """What resolution needs of an entity: its type and its properties."""

    type: str
    props: dict[str, Any] = field(default_factory=dict)
    type_source: str = "source"  # what typed it: "text", "source" or "decision"
    status: str | None = None  # None, or "dropped"


@dataclass(slots=True)
class NewEntity:
    """An entity a plan creates: its id, type, display name, properties (JSON) and creation number."""

    id: str
    type: str
    name: str
    key: str
    props: str
    seq: int
    type_source: str = "source"  # "text" when a text loader guessed the type


@dataclass
class RelPlan:
    """A relation a plan writes: created (new) or merged into, with the evidence it adds."""

    rid: str
    type: str
    source: str
    target: str
    props: str
    evidence: dict[str, Evidence] = field(default_factory=dict)  # evidence key -> item
    new: bool = False  # created by this load and not written before
    # evidence key -> the keys of the names the item wrote its two ends as (what `split` moves)
    written: dict[str, tuple[str, str]] = field(default_factory=dict)


@dataclass
class Plan:
    """One batch of writes of one document; its last batch has `last` set.

    A document may be written in several batches (a large file); the store lists it as loaded
    only once its last batch is written. A plan without a document holds writes that belong to
    none (entities of a copied store that no document mentions). `properties_json` is the document's properties as they
    were when its reading began (loaders may fill in counts while they stream).
    """

    document: Document | None  # None: writes that belong to no document (a snapshot's extras)
    properties_json: str = "{}"
    first: bool = True
    last: bool = True
    entities: dict[str, NewEntity] = field(default_factory=dict)  # id -> new entity, in order
    dirty: dict[str, str] = field(default_factory=dict)  # existing entity id -> new props JSON
    names: list[NameRec] = field(default_factory=list)
    xids: list[tuple[str, str]] = field(default_factory=list)  # (external id, entity id)
    # entity id -> how this document typed it (JSON: type, cue, confidence, quote, offsets), in order
    mentions: dict[str, str | None] = field(default_factory=dict)
    relations: dict[str, RelPlan] = field(default_factory=dict)  # rid -> relation
    next_seq: int = 0  # the store's next entity creation number after this batch
    relations_total: int = 0  # relations the whole document evidences (set on the last batch)
    loaded_at: str | None = None  # when the document was first loaded (kept by sync), else now
