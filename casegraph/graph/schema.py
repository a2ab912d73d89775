"""The ontology as data: entity and relationship types read once from schema.json."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from casegraph.errors import ValidationError

WEAK = "MENTIONED_WITH"
ANY = "*"


@dataclass(frozen=True)
class EntityType:
    name: str
    definition: str
    color: str
    shape: str


@dataclass(frozen=True)
class RelationType:
    name: str
    definition: str
    source: tuple[str, ...]
    target: tuple[str, ...]
    weak: bool = False

    def allows(self, source_type: str, target_type: str) -> bool:
        """Whether this relationship may join an entity of source_type to one of target_type."""
        return (ANY in self.source or source_type in self.source) and (
            ANY in self.target or target_type in self.target
        )


@dataclass(frozen=True)
class Schema:
    version: int
    entity_types: dict[str, EntityType]
    relation_types: dict[str, RelationType]

    def entity_type(self, name: str) -> EntityType:
        """The entity type called name (case-insensitive), or a ValidationError naming the valid ones."""
        found = self.entity_types.get(name) or _casefold_lookup(self.entity_types, name)
        if found is None:
            raise ValidationError(
                f"unknown entity type {name!r}; valid: {', '.join(self.entity_types)}"
            )
        return found

    def relation_type(self, name: str) -> RelationType:
        """The relationship type called name (case-insensitive), or a ValidationError."""
        found = self.relation_types.get(name) or _casefold_lookup(self.relation_types, name)
        if found is None:
            raise ValidationError(
                f"unknown relation type {name!r}; valid: {', '.join(self.relation_types)}"
            )
        return found


def _casefold_lookup(table: dict, name: str):  # type: ignore[no-untyped-def]
    wanted = str(name).replace("-", "_").casefold()
    for key, value in table.items():
        if key.casefold() == wanted:
            return value
    return None


@lru_cache(maxsize=1)
def load_schema() -> Schema:
    """The package's schema, parsed once."""
    raw = json.loads(resources.files("casegraph.graph").joinpath("schema.json").read_text("utf-8"))
    entity_types = {
        name: EntityType(name, spec["definition"], spec["color"], spec["shape"])
        for name, spec in raw["entity_types"].items()
    }
    relation_types = {
        name: RelationType(
            name,
            spec["definition"],
            tuple(spec["source"]),
            tuple(spec["target"]),
            bool(spec.get("weak", False)),
        )
        for name, spec in raw["relation_types"].items()
    }
    return Schema(int(raw["version"]), entity_types, relation_types)
