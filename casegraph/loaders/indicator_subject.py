"""What a folder of indicator lists is about: the one thing its STIX bundle indicates, or the
name its README title gives ("Wintego Helios Indicators of Compromise" -> Wintego Helios)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from casegraph.errors import CasegraphError
from casegraph.graph.schema import load_schema

# Bundles looked at, by extension (a .json file is looked at when its head shows a bundle).
BUNDLE_SUFFIXES = (".stix2", ".stix", ".json")
README_NAMES = ("readme.md", "readme.markdown", "readme.txt", "readme")
# Largest bundle read to find the subject (larger ones are not read twice for this).
MAX_BUNDLE_BYTES = 64 * 1024 * 1024
_TITLE = re.compile(
    r"^#\s+(?P<name>[^:/|]+?)\s+(?:indicators?(?:\s+of\s+compromise)?|iocs?)\s*$", re.IGNORECASE
)
# A title naming the thing by what it is ("Cytrox Spyware Indicators") does not say whether the
# name is the vendor's or the product's: no subject is taken from it.
_AMBIGUOUS_LAST_WORDS = {"spyware", "malware", "campaign", "operation", "attack", "attacks"}
MAX_TITLE_WORDS = 5


@dataclass(frozen=True)
class Subject:
    """The entity a folder's lists indicate, and where that was read."""

    name: str
    type: str
    source: str  # "STIX bundle predator.stix2", "README title 'NoviSpy Indicators ...'"
    confidence: float


def folder_subject(folder: Path) -> Subject | None:
    """The subject of the indicator lists in a folder, or None when nothing there names one."""
    try:
        entries = sorted(
            (p.name, p.stat().st_size, p.stat().st_mtime_ns)
            for p in folder.iterdir()
            if p.is_file()
        )
    except OSError:
        return None
    return _subject(str(folder), tuple(entries))


@lru_cache(maxsize=64)
def _subject(folder: str, entries: tuple[tuple[str, int, int], ...]) -> Subject | None:
    """Cached per folder and the names, sizes and times of its files (a list per file asks)."""
    base = Path(folder)
    names = [name for name, size, _ in entries if size <= MAX_BUNDLE_BYTES]
    found: dict[tuple[str, str], str] = {}
    for name in names:
        if name.lower().endswith(BUNDLE_SUFFIXES):
            for subject in _bundle_subjects(base / name):
                found.setdefault(subject, name)
    if len(found) == 1:
        ((subject_name, subject_type), bundle) = next(iter(found.items()))
        return Subject(subject_name, subject_type, f"STIX bundle {bundle}", 0.9)
    if found:
        return None  # several things indicated: not one subject
    for name in names:
        if name.lower() in README_NAMES:
            return _readme_subject(base / name)
    return None


def _bundle_subjects(path: Path) -> set[tuple[str, str]]:
    """(name, type) of what the bundle's `indicates` relationships point at; without any, of its
    one malware or tool. Types as the STIX loader gives them, so both name the same entity."""
    from casegraph.loaders.base import read_head
    from casegraph.loaders.json_stream import iter_values
    from casegraph.loaders.stix import LOADER as STIX
    from casegraph.loaders.stix_map import entity_spec

    try:
        if not STIX.sniff(path, read_head(path)):
            return set()
        specs: dict[str, tuple[str, str]] = {}
        targets: set[str] = set()
        for _, obj in iter_values(path):
            if not isinstance(obj, dict) or obj.get("type") == "indicator":
                continue
            if obj.get("type") == "relationship":
                if obj.get("relationship_type") == "indicates" and not obj.get("revoked"):
                    targets.add(str(obj.get("target_ref")))
                continue
            if obj.get("type") in ("malware", "tool", "intrusion-set", "threat-actor", "campaign",
                                   "identity") and not obj.get("revoked"):  # fmt: skip
                spec = entity_spec(obj)
                if not isinstance(spec, str):
                    specs[str(obj.get("id"))] = (spec.name, spec.type)
    except (CasegraphError, OSError, ValueError):
        return set()  # a broken bundle names nothing (loading it reports why)
    allowed = load_schema().relation_type("INDICATES").target
    if targets:
        named = {specs[t] for t in targets if t in specs}
    else:
        named = {s for s in specs.values() if s[1] == "Product"}
    return {s for s in named if s[1] in allowed}


def _readme_subject(path: Path) -> Subject | None:
    from casegraph.loaders.encoding import decode

    first = ""
    try:
        with path.open("rb") as fh:
            for _ in range(20):  # the title: the first line that is not blank
                raw = fh.readline(4096)
                if not raw or raw.strip():
                    first = decode(raw, path).text.strip().lstrip("\ufeff")
                    break
    except (CasegraphError, OSError):
        return None
    match = _TITLE.match(first)
    if match is None:
        return None
    name = " ".join(match["name"].split())
    words = name.split()
    if not words or len(words) > MAX_TITLE_WORDS or words[-1].casefold() in _AMBIGUOUS_LAST_WORDS:
        return None
    return Subject(name, "Product", f"README title {_quoted(first.lstrip('# '))}", 0.8)


def _quoted(text: str) -> str:
    return repr(text) if len(text) <= 80 else repr(text[:79] + "…")


def describe(subject: Subject) -> dict[str, Any]:
    """The subject as document properties."""
    return {"subject": subject.name, "subject_type": subject.type, "subject_from": subject.source}
