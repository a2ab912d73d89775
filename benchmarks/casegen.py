"""Generated cases for the CLI benchmark: typed entities and valid relations as JSONL and CSV."""

from __future__ import annotations

import csv
import json
import random
from dataclasses import dataclass
from pathlib import Path

from casegraph.graph.schema import WEAK, load_schema

# Entity types and their share of a case; each name gets a type-specific shape.
TYPE_SHARES = (
    ("Person", 34), ("Company", 30), ("Organization", 9), ("Product", 10), ("Platform", 4),
    ("Location", 5), ("Country", 1), ("VictimGroup", 2), ("Lawsuit", 2), ("Indicator", 3),
)  # fmt: skip
SHAPES = {
    "Person": "{}", "Company": "{} Ltd", "Organization": "{} Foundation", "Product": "{} Suite",
    "Platform": "{} App", "Location": "{} City", "Country": "Republic of {}",
    "VictimGroup": "{} community", "Lawsuit": "Case {}", "Indicator": "{}.example",
}  # fmt: skip
CONSONANTS = "bdfgklmnprstvz"
VOWELS = "aeiou"
# Share of relations drawn as the weak link (MENTIONED_WITH) whatever the two types.
WEAK_SHARE = 0.15


@dataclass(frozen=True)
class Case:
    """A generated case: the JSONL and CSV files (the same facts) and its entities."""

    jsonl: Path
    csv: Path
    names: list[str]
    types: list[str]
    relations: int


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(CONSONANTS) + rng.choice(VOWELS) for _ in range(rng.choice((2, 3))))


def entity_names(n: int, rng: random.Random) -> tuple[list[str], list[str]]:
    """n distinct names (distinct cores, so no two resolve to one entity) and their types."""
    kinds = [t for t, share in TYPE_SHARES for _ in range(share)]
    cores: set[str] = set()
    names, types = [], []
    while len(names) < n:
        core = f"{_word(rng)} {_word(rng)}".title()
        if core in cores:
            continue
        cores.add(core)
        type_ = rng.choice(kinds)
        names.append(SHAPES[type_].format(core))
        types.append(type_)
    return names, types


def _typed_relations() -> dict[tuple[str, str], list[str]]:
    """For each (source type, target type), the typed (not weak) relations the schema allows."""
    schema = load_schema()
    kinds = [t for t, _ in TYPE_SHARES]
    return {
        (s, t): [
            r.name for r in schema.relation_types.values() if r.name != WEAK and r.allows(s, t)
        ]
        for s in kinds
        for t in kinds
    }


def edges(relations: int, types: list[str], rng: random.Random) -> list[tuple[int, str, int]]:
    """`relations` distinct valid relations (source, type, target); sources uniform, targets by
    preferential attachment (a few hubs)."""
    n = len(types)
    allowed = _typed_relations()
    pool = list(range(min(n, 50)))
    seen: set[tuple[int, str, int]] = set()
    out: list[tuple[int, str, int]] = []
    while len(out) < relations:
        s = rng.randrange(n)
        t = rng.choice(pool) if rng.random() < 0.8 else rng.randrange(n)
        if s == t:
            continue
        choices = allowed[(types[s], types[t])]
        rtype = rng.choice(choices) if choices and rng.random() >= WEAK_SHARE else WEAK
        key = (min(s, t), rtype, max(s, t)) if rtype == WEAK else (s, rtype, t)
        if key in seen:
            continue
        seen.add(key)
        pool.append(t)
        out.append((s, rtype, t))
    return out


def write_case(folder: Path, entities: int, relations: int, seed: int = 7) -> Case:
    """Write `case.jsonl` (entity lines, then relation lines) and `case.csv` (the same relations,
    typed ends) into folder."""
    rng = random.Random(seed)
    names, types = entity_names(entities, rng)
    rels = edges(relations, types, rng)
    folder.mkdir(parents=True, exist_ok=True)
    jsonl, table = folder / "case.jsonl", folder / "case.csv"
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    with jsonl.open("w", encoding="utf-8") as fh:
        for name, type_ in zip(names, types, strict=True):
            fh.write(dumps({"type": type_, "name": name}) + "\n")
        for s, rtype, t in rels:
            fh.write(dumps({"source": names[s], "source_type": types[s], "type": rtype,
                            "target": names[t], "target_type": types[t]}) + "\n")  # fmt: skip
    with table.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["source", "source_type", "type", "target", "target_type"])
        writer.writerows((names[s], types[s], rtype, names[t], types[t]) for s, rtype, t in rels)
    return Case(jsonl, table, names, types, len(rels))
