"""Scoring text extraction against a hand-annotated gold file, by the rules of ontology.md."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from casegraph.errors import CasegraphError, LoaderError, UsageError
from casegraph.graph.model import EntityFact, Fact, RelationFact, normalize_name
from casegraph.graph.schema import WEAK
from casegraph.loaders.base import LoadOptions

DEFAULT_MODEL = "en_core_web_sm"


@dataclass(frozen=True)
class Score:
    """Counts of one comparison and the precision, recall and F1 they give."""

    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


@dataclass
class EvalReport:
    """How the extraction of one document compares with its gold annotation."""

    gold: str
    document: str
    model: str
    story: int | None  # None: the whole document was scored
    entities: Score
    relations: Score
    typed_entities: Score
    entity_misses: list[str] = field(default_factory=list)
    entity_false_positives: list[str] = field(default_factory=list)
    relation_misses: list[str] = field(default_factory=list)
    relation_false_positives: list[str] = field(default_factory=list)
    type_mismatches: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "gold": self.gold,
            "document": self.document,
            "model": self.model,
            "story": self.story,
            "entities": self.entities.as_dict(),
            "relations": self.relations.as_dict(),
            "typed_entities": self.typed_entities.as_dict(),
            "entity_misses": self.entity_misses,
            "entity_false_positives": self.entity_false_positives,
            "relation_misses": self.relation_misses,
            "relation_false_positives": self.relation_false_positives,
            "type_mismatches": self.type_mismatches,
        }

    def render(self) -> str:
        """The report as text for a terminal."""
        lines = [f"{self.document} ({scope_label(self.story)}, model {self.model})"]
        for label, s in (
            ("entities", self.entities),
            ("typed entities", self.typed_entities),
            ("relations", self.relations),
        ):
            lines.append(
                f"{label:15} P {s.precision:.3f}  R {s.recall:.3f}  F1 {s.f1:.3f}"
                f"  (tp {s.tp}, fp {s.fp}, fn {s.fn})"
            )
        for title, items in (
            ("entity misses", self.entity_misses),
            ("entity false positives", self.entity_false_positives),
            ("entity type mismatches", self.type_mismatches),
            ("relation misses", self.relation_misses),
            ("relation false positives", self.relation_false_positives),
        ):
            lines.append(f"{title} ({len(items)}):")
            lines.extend(f"  - {item}" for item in items)
        return "\n".join(lines)


def scope_label(story: int | None) -> str:
    """How a report names what it scored: 'whole document' or 'story 2'."""
    return "whole document" if story is None else f"story {story}"


@dataclass(frozen=True)
class _Gold:
    name: str
    type: str
    keys: frozenset[str]
    required: bool


def _keys(name: str, aliases: Iterable[str]) -> frozenset[str]:
    return frozenset(k for k in (normalize_name(n) for n in [name, *aliases]) if k)


def _load_gold(gold_path: Path) -> dict[str, Any]:
    try:
        gold: dict[str, Any] = json.loads(gold_path.read_text("utf-8"))
    except OSError as e:
        raise LoaderError(f"cannot read: {e.strerror or e}", path=str(gold_path)) from e
    except ValueError as e:
        raise LoaderError(f"invalid JSON: {e}", path=str(gold_path)) from e
    for key in ("document", "entities", "relations"):
        if key not in gold:
            raise LoaderError(
                f"gold file lacks {key!r}; valid gold files have document, entities and relations",
                path=str(gold_path),
            )
    return gold


def _read_facts(path: Path, model: str) -> list[Fact]:
    if not path.is_file():
        raise LoaderError("gold document not found", path=str(path))
    if path.suffix.lower() in (".html", ".htm", ".xhtml"):
        from casegraph.loaders.html import LOADER as loader
    else:
        from casegraph.loaders.text import LOADER as loader  # type: ignore[assignment]
    facts: list[Fact] = []
    for source in loader.read(path, LoadOptions(model=model)):
        facts.extend(source.facts)
    return facts


def evaluate(
    gold_path: Path,
    *,
    model: str = DEFAULT_MODEL,
    corpus_root: Path | None = None,
    story: int | None = None,
) -> EvalReport:
    """Entity and relation precision, recall and F1 of the extractor on one gold document.

    The gold's "document" is relative to corpus_root (default: the gold file's parent's parent).
    Every fact of the document is scored, or only those of one story when story is given;
    MENTIONED_WITH is never scored; gold facts with "required": false are neither demanded nor
    counted as false positives. Entity facts naming the same entity (the extractor may cite an
    alias sentence in a fact of its own) count once, with their aliases pooled.
    """
    if story is not None and story < 0:
        raise UsageError(f"story {story} is not valid; stories are numbered from 0")
    gold_path = Path(gold_path)
    gold = _load_gold(gold_path)
    root = corpus_root if corpus_root is not None else gold_path.resolve().parent.parent
    doc_path = Path(root) / gold["document"]
    facts = _read_facts(doc_path, model)
    golds = [
        _Gold(
            g["name"],
            g["type"],
            _keys(g["name"], g.get("aliases", [])),
            bool(g.get("required", True)),
        )
        for g in gold["entities"]
    ]

    def in_scope(fact: EntityFact | RelationFact) -> bool:
        if story is None:
            return True
        stories = fact.properties.get("stories", [])
        return story in stories if isinstance(stories, list) else False

    ents = _pooled([f for f in facts if isinstance(f, EntityFact) and in_scope(f)])
    rels = [f for f in facts if isinstance(f, RelationFact) and f.type != WEAK and in_scope(f)]
    by_key = {(f.key, f.type): f for f in _pooled(f for f in facts if isinstance(f, EntityFact))}

    def gold_of(ent: EntityFact, typed: bool) -> _Gold | None:
        keys = _keys(ent.name, ent.aliases)
        found = [g for g in golds if g.keys & keys and (not typed or g.type == ent.type)]
        found.sort(key=lambda g: (g.type != ent.type, not g.required))
        return found[0] if found else None

    entity_score, misses, fps = _score_entities(ents, golds, lambda e: gold_of(e, False))
    typed_score, _, _ = _score_entities(ents, golds, lambda e: gold_of(e, True))
    mismatches = [
        f"{e.name}: {e.type}, gold {g.type}"
        for e in ents
        if (g := gold_of(e, False)) is not None and g.type != e.type
    ]

    def gold_name(name: str) -> _Gold | None:
        key = normalize_name(name)
        return next((g for g in golds if key in g.keys), None)

    required = {
        (g_s.name, r["type"], g_t.name)
        for r in gold["relations"]
        if r.get("required", True)
        and (g_s := gold_name(r["source"])) is not None
        and (g_t := gold_name(r["target"])) is not None
    }
    optional = {
        (g_s.name, r["type"], g_t.name)
        for r in gold["relations"]
        if not r.get("required", True)
        and (g_s := gold_name(r["source"])) is not None
        and (g_t := gold_name(r["target"])) is not None
    }
    hits: set[tuple[str, str, str]] = set()
    rel_fps: list[str] = []
    for rel in rels:
        ends = []
        for ref in (rel.source, rel.target):
            ent = by_key.get((normalize_name(ref.name or ""), ref.type or ""))
            ends.append(gold_of(ent, False) if ent is not None else None)
        shown = f"{rel.source.name} {rel.type} {rel.target.name}"
        if ends[0] is None or ends[1] is None:
            rel_fps.append(f"{shown}  [{_quote(rel)}]")
            continue
        triple = (ends[0].name, rel.type, ends[1].name)
        if triple in required:
            hits.add(triple)
        elif triple not in optional:
            rel_fps.append(f"{shown}  [{_quote(rel)}]")
    rel_misses = sorted(" ".join(t) for t in required - hits)
    return EvalReport(
        gold=str(gold_path),
        document=str(gold["document"]),
        model=model,
        story=story,
        entities=entity_score,
        relations=Score(len(hits), len(rel_fps), len(required - hits)),
        typed_entities=typed_score,
        entity_misses=misses,
        entity_false_positives=fps,
        relation_misses=rel_misses,
        relation_false_positives=rel_fps,
        type_mismatches=mismatches,
    )


@dataclass(frozen=True)
class Mean:
    """Precision, recall and F1 averaged over documents (a macro-average)."""

    precision: float
    recall: float
    f1: float

    @classmethod
    def of(cls, scores: Sequence[Score]) -> Mean:
        n = len(scores) or 1
        return cls(
            sum(s.precision for s in scores) / n,
            sum(s.recall for s in scores) / n,
            sum(s.f1 for s in scores) / n,
        )

    def as_dict(self) -> dict[str, float]:
        return {k: round(v, 4) for k, v in asdict(self).items()}


@dataclass
class SetReport:
    """Scores of several gold documents, their micro-averages (counts summed, then scored) and
    macro-averages (the mean of the documents' precision, recall and F1)."""

    reports: list[EvalReport]
    entities: Score
    relations: Score

    @property
    def macro_entities(self) -> Mean:
        return Mean.of([r.entities for r in self.reports])

    @property
    def macro_relations(self) -> Mean:
        return Mean.of([r.relations for r in self.reports])

    def as_dict(self) -> dict[str, Any]:
        return {
            "documents": [r.as_dict() for r in self.reports],
            "micro": {"entities": self.entities.as_dict(), "relations": self.relations.as_dict()},
            "macro": {
                "entities": self.macro_entities.as_dict(),
                "relations": self.macro_relations.as_dict(),
            },
        }

    def render(self) -> str:
        """One line per document, then the micro- and macro-averages, for a terminal."""
        rows: list[tuple[str, Score | Mean, Score | Mean]] = [
            (r.document, r.entities, r.relations) for r in self.reports
        ]
        rows.append(("micro-average", self.entities, self.relations))
        rows.append(("macro-average", self.macro_entities, self.macro_relations))
        width = max(50, *(len(name) for name, _, _ in rows))
        return "\n".join(
            f"{name:{width}} entities P {e.precision:.3f} R {e.recall:.3f} F1 {e.f1:.3f}"
            f" | relations P {rel.precision:.3f} R {rel.recall:.3f} F1 {rel.f1:.3f}"
            for name, e, rel in rows
        )


def _sum(scores: Iterable[Score]) -> Score:
    items = list(scores)
    return Score(sum(s.tp for s in items), sum(s.fp for s in items), sum(s.fn for s in items))


def evaluate_many(
    gold_paths: Iterable[Path],
    *,
    model: str = DEFAULT_MODEL,
    corpus_root: Path | None = None,
    story: int | None = None,
) -> SetReport:
    """Each gold document scored by evaluate(), with micro- and macro-averaged scores."""
    reports = [
        evaluate(Path(g), model=model, corpus_root=corpus_root, story=story) for g in gold_paths
    ]
    return SetReport(reports, _sum(r.entities for r in reports), _sum(r.relations for r in reports))


def _pooled(facts: Iterable[EntityFact]) -> list[EntityFact]:
    """One fact per (name, type), aliases pooled, in first-seen order."""
    out: dict[tuple[str, str], EntityFact] = {}
    for f in facts:
        key = (f.key, f.type)
        seen = out.get(key)
        if seen is None:
            out[key] = f
        elif new := [a for a in f.aliases if a not in seen.aliases]:
            out[key] = replace(seen, aliases=(*seen.aliases, *new))
    return list(out.values())


def _score_entities(
    ents: list[EntityFact], golds: list[_Gold], match: Any
) -> tuple[Score, list[str], list[str]]:
    credited: set[str] = set()
    fps: list[str] = []
    for ent in ents:
        g = match(ent)
        if g is None:
            fps.append(f"{ent.name} ({ent.type})")
        elif g.required:
            if g.name in credited:
                fps.append(f"{ent.name} ({ent.type}; duplicate of {g.name})")
            credited.add(g.name)
    misses = [f"{g.name} ({g.type})" for g in golds if g.required and g.name not in credited]
    return Score(len(credited), len(fps), len(misses)), misses, fps


def _quote(rel: RelationFact) -> str:
    ev = rel.evidence[0]
    text = " ".join(ev.quote.split())
    return f"{ev.extractor}: {text[:90]}{'…' if len(text) > 90 else ''}"


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m casegraph.eval GOLD.json... [--story N] [--json]`: print the scores of the
    whole documents (or of story N only), with micro- and macro-averages when several gold files
    are given; exit 0, or 2 on bad input."""
    parser = argparse.ArgumentParser(prog="python -m casegraph.eval", description=main.__doc__)
    parser.add_argument("gold", type=Path, nargs="+", help="one or more *.gold.json files")
    parser.add_argument("--model", default=DEFAULT_MODEL, help="spaCy model (en_core_web_sm)")
    parser.add_argument(
        "--corpus-root",
        type=Path,
        default=None,
        help="folder the gold's document path is relative to",
    )
    parser.add_argument(
        "--story",
        type=int,
        default=None,
        metavar="N",
        help="score only the facts of story N (0 = the first); default: the whole document",
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    args = parser.parse_args(argv)
    report: EvalReport | SetReport
    options: dict[str, Any] = {
        "model": args.model,
        "corpus_root": args.corpus_root,
        "story": args.story,
    }
    try:
        if len(args.gold) == 1:
            report = evaluate(args.gold[0], **options)
        else:
            report = evaluate_many(args.gold, **options)
    except CasegraphError as e:
        print(f"error: {e}", file=sys.stderr)
        return e.exit_code
    if args.json:
        print(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
    else:
        print(report.render())
    return 0


if __name__ == "__main__":
    sys.exit(main())
