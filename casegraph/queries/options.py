"""The options of the link questions, validated against the schema before any search."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from casegraph.errors import UsageError, ValidationError
from casegraph.graph.schema import load_schema
from casegraph.queries.engine import MAX_K, Filters

MAX_HOPS = 10
MODES = ("shortest", "all", "k")
NEIGHBOR_MAX_DEPTH = 4
COMMON_MAX_DEPTH = 3


def bounded(name: str, value: int, low: int, high: int) -> None:
    """Refuse an option that is not a whole number from low to high."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise UsageError(f"{name} must be a whole number from {low} to {high}, not {value!r}")


def relation_types(names: Iterable[str]) -> tuple[str, ...]:
    """Relation type names checked against the schema's allow-list (case-insensitive)."""
    try:
        return tuple(dict.fromkeys(load_schema().relation_type(n).name for n in names))
    except ValidationError as e:
        raise UsageError(str(e)) from None


def entity_types(names: Iterable[str]) -> tuple[str, ...]:
    """Entity type names checked against the schema's allow-list (case-insensitive)."""
    try:
        return tuple(dict.fromkeys(load_schema().entity_type(n).name for n in names))
    except ValidationError as e:
        raise UsageError(str(e)) from None


@dataclass(frozen=True)
class PathOptions:
    """Bounds and filters of a path question (validated by `validated()`)."""

    max_hops: int = 6
    mode: str = "shortest"
    k: int = 3
    rel_types: tuple[str, ...] = ()
    no_weak: bool = False
    via_types: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    directed: bool = False
    limit: int = 100
    include_rejected: bool = False

    def validated(self) -> PathOptions:
        """The same options with types canonicalised from the schema; bad values refused."""
        if self.mode not in MODES:
            raise UsageError(f"unknown path mode {self.mode!r}; valid: {', '.join(MODES)}")
        bounded("--max-hops", self.max_hops, 1, MAX_HOPS)
        bounded("--k", self.k, 1, MAX_K)
        bounded("--limit", self.limit, 1, 10_000)
        return PathOptions(
            self.max_hops, self.mode, self.k, relation_types(self.rel_types), self.no_weak,
            entity_types(self.via_types), self.exclude, self.directed, self.limit,
            self.include_rejected,
        )  # fmt: skip

    def filters(self, exclude_ids: Iterable[str]) -> Filters:
        return Filters(
            rel_types=frozenset(self.rel_types) if self.rel_types else None,
            no_weak=self.no_weak,
            via_types=frozenset(self.via_types) if self.via_types else None,
            exclude=frozenset(exclude_ids),
            directed=self.directed,
            include_rejected=self.include_rejected,
        )


@dataclass(frozen=True)
class NeighborOptions:
    """Depth (1-4), node types, relation types, weak links and how many nodes to keep."""

    depth: int = 1
    types: tuple[str, ...] = ()
    rel_types: tuple[str, ...] = ()
    no_weak: bool = False
    limit: int = 100
    include_rejected: bool = False

    def validated(self) -> NeighborOptions:
        bounded("--depth", self.depth, 1, NEIGHBOR_MAX_DEPTH)
        bounded("--limit", self.limit, 1, 100_000)
        return NeighborOptions(self.depth, entity_types(self.types),
                               relation_types(self.rel_types), self.no_weak, self.limit,
                               self.include_rejected)  # fmt: skip

    def filters(self) -> Filters:
        return Filters(
            rel_types=frozenset(self.rel_types) if self.rel_types else None,
            no_weak=self.no_weak,
            via_types=frozenset(self.types) if self.types else None,
            include_rejected=self.include_rejected,
        )


@dataclass(frozen=True)
class CommonOptions:
    """Depth (1-3), relation types, weak links, how many shared entities to list."""

    depth: int = 1
    rel_types: tuple[str, ...] = ()
    no_weak: bool = False
    limit: int = 50
    include_rejected: bool = False

    def validated(self) -> CommonOptions:
        bounded("--depth", self.depth, 1, COMMON_MAX_DEPTH)
        bounded("--limit", self.limit, 1, 10_000)
        return CommonOptions(self.depth, relation_types(self.rel_types), self.no_weak, self.limit,
                             self.include_rejected)  # fmt: skip

    def path_options(self) -> PathOptions:
        """The options of the link from an asked entity to a shared one."""
        return PathOptions(max_hops=self.depth, mode="all", rel_types=self.rel_types,
                           no_weak=self.no_weak, include_rejected=self.include_rejected)  # fmt: skip
