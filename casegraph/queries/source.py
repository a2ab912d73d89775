"""The passage behind a fact: a document's text around an offset or an evidence item, names marked."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from casegraph.errors import NotFound, UsageError
from casegraph.fulltext import tokens_with_spans
from casegraph.graph.records import DocumentRow, EvidenceRow
from casegraph.graph.store import Store
from casegraph.queries.find import CONTEXT, passage

MIN_PREFIX = 6


@dataclass(frozen=True)
class Mark:
    """Where the text names an entity: offsets into the document text, and the entity."""

    start: int
    end: int
    entity_id: str
    name: str
    type: str

    def as_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "entity": self.entity_id,
                "name": self.name, "type": self.type}  # fmt: skip


@dataclass(frozen=True)
class SourcePassage:
    """A document and the passage asked for: its offsets, the cited span inside it (the evidence
    quote or the offset asked), the entities named in it, and the evidence item if one was."""

    document: DocumentRow
    text: str  # the document's whole text ('' for a structured source)
    start: int
    end: int
    cited: tuple[int, int] | None
    marks: tuple[Mark, ...]
    evidence: EvidenceRow | None = None

    @property
    def passage(self) -> str:
        return self.text[self.start : self.end]

    def as_dict(self) -> dict[str, Any]:
        return {
            "document": self.document.as_dict(),
            "start": self.start,
            "end": self.end,
            "passage": self.passage,
            "cited": list(self.cited) if self.cited else None,
            "marks": [m.as_dict() for m in self.marks],
            "evidence": self.evidence.as_dict() if self.evidence else None,
        }


def find_document(store: Store, ref: str) -> DocumentRow:
    """A loaded document by its id or a unique prefix of it (at least 6 characters)."""
    docs = store.documents()
    exact = [d for d in docs if d.id == ref]
    if exact:
        return exact[0]
    if len(ref) < MIN_PREFIX:
        raise UsageError(f"document id prefix {ref!r} is too short (at least {MIN_PREFIX})")
    found = [d for d in docs if d.id.startswith(ref)]
    if not found:
        raise NotFound(f"no document {ref!r} (casegraph sources lists them)")
    if len(found) > 1:
        shown = ", ".join(f"{d.id[:12]} ({d.title})" for d in found[:5])
        raise UsageError(f"document id prefix {ref!r} names {len(found)} documents: {shown}")
    return found[0]


def find_evidence(store: Store, eid: str) -> EvidenceRow:
    """An evidence item by its id (ev:..., or the shorter id of older versions)."""
    item = store.evidence_item(eid)
    if item is None:
        raise NotFound(f"no evidence item {eid!r}")
    return item


def source_passage(
    store: Store,
    ref: str,
    *,
    at: int | None = None,
    evidence: str | None = None,
    context: int = CONTEXT,
    whole: bool = False,
) -> SourcePassage:
    """The passage of a document (by id, prefix, or an evidence id as `ref`) around offset `at`
    or evidence item `evidence` (default: the document's start); `whole`: all of its text."""
    if at is not None and evidence is not None:
        raise UsageError("use --at or --evidence, not both")
    item: EvidenceRow | None = None
    if ref.startswith("ev:") and evidence is None and at is None:
        evidence = ref
    if evidence is not None:
        item = find_evidence(store, evidence)
        doc = find_document(store, item.document_id)
        if not ref.startswith("ev:") and not doc.id.startswith(ref):
            raise UsageError(f"evidence {evidence} is not from document {ref!r}")
    else:
        doc = find_document(store, ref)
    text = store.document_text(doc.id) or ""
    if at is not None and not 0 <= at <= len(text):
        raise UsageError(f"--at {at} is outside the document's text (0-{len(text)})")
    cited: tuple[int, int] | None = None
    if item is not None and item.start is not None and item.end is not None and text:
        cited = (item.start, min(item.end, len(text)))
    elif at is not None:
        cited = sentence_at(text, at)
    if whole:
        start, end = 0, len(text)
    elif cited is not None:
        start, end = passage(text, cited[0], cited[1], context)
    else:
        start, end = passage(text, 0, 0, context * 2)
    marks = entity_marks(store, doc.id, text, start, end)
    return SourcePassage(doc, text, start, end, cited, marks, item)


def sentence_at(text: str, at: int) -> tuple[int, int]:
    """The offsets of the sentence (or line) holding offset `at`."""
    stops = ".!?\n"
    a = at
    while a > 0 and text[a - 1] not in stops:
        a -= 1
    b = at
    while b < len(text) and text[b] not in stops:
        b += 1
    b = min(len(text), b + 1)
    while a < b and text[a].isspace():
        a += 1
    return a, b


def entity_marks(
    store: Store, document_id: str, text: str, start: int, end: int
) -> tuple[Mark, ...]:
    """Where text[start:end] names an entity the document mentions (its name or an alias, whole
    words; the longest name wins where two overlap)."""
    found = list(tokens_with_spans(text[start:end]))
    words = [t for t, _, _ in found]
    at: dict[str, list[int]] = {}
    for i, word in enumerate(words):
        at.setdefault(word, []).append(i)
    candidates: list[tuple[int, int, int, str, str, str]] = []
    for entity_id, name, etype, names in store.fulltext().mentioned(document_id):
        for candidate in dict.fromkeys([name, *names]):
            seq = [t for t, _, _ in tokens_with_spans(candidate)]
            if not seq or (len(seq) == 1 and len(seq[0]) < 3):
                continue
            n = len(seq)
            for i in at.get(seq[0], ()):
                if words[i : i + n] == seq:
                    a, b = found[i][1] + start, found[i + n - 1][2] + start
                    candidates.append((a, -(b - a), b, entity_id, name, etype))
    candidates.sort()
    marks: list[Mark] = []
    last = -1
    for a, _, b, entity_id, name, etype in candidates:
        if a >= last:
            marks.append(Mark(a, b, entity_id, name, etype))
            last = b
    return tuple(marks)
