"""From text to facts: stories, spaCy in batches, mentions, entities, relations, evidence."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from casegraph.extract.aka import find_aliases
from casegraph.extract.clusters import cluster, confirmed_in_body, title_case
from casegraph.extract.coref import Coreference
from casegraph.extract.cues import coordinated_names
from casegraph.extract.entities import find_mentions, propagate_names
from casegraph.extract.gazetteer import Gazetteer, load_gazetteer, load_reference
from casegraph.extract.markup import clean_markdown
from casegraph.extract.meta import Metadata, read_metadata
from casegraph.extract.nlp import DEFAULT_MODEL, MAX_CHUNK_CHARS, load_nlp, model_label
from casegraph.extract.relations import extract_relations
from casegraph.extract.spans import Candidate, Entity, Mention, Sent
from casegraph.extract.stories import Block, split_blocks
from casegraph.graph.model import (
    EntityRef,
    Evidence,
    Fact,
    make_entity,
    make_evidence,
    make_relation,
    normalize_name,
)

if TYPE_CHECKING:
    from spacy.tokens import Doc

BATCH_SIZE = 64
ALIAS_CONFIDENCE = 0.85
# What travels with each chunk through nlp.pipe: document number, offset of the chunk in the
# document text, story, (for Markdown) the map from cleaned to original characters, and whether
# the chunk is a headline.
Piece = tuple[int, int, int, list[int] | None, bool]
_BREAK = re.compile(r"(?<=[.!?])\s+(?=\S)|\n")


@dataclass
class Analysis:
    """Everything read from one text: its blocks, sentences, entities and relations."""

    text: str
    blocks: list[Block]
    sents: list[Sent]
    entities: list[Entity]
    relations: list[Candidate]
    model: str
    meta: Metadata = field(default_factory=Metadata)

    @property
    def stories(self) -> int:
        return 1 + max((b.story for b in self.blocks), default=-1)


def chunks(
    text: str, start: int, end: int, limit: int = MAX_CHUNK_CHARS
) -> Iterator[tuple[int, int]]:
    """(start, end) pieces of text[start:end], none longer than limit, cut at sentence ends
    or white space where possible, so spaCy never sees an overlong input."""
    while end - start > limit:
        cut = -1
        for match in _BREAK.finditer(text, start + limit // 2, start + limit):
            cut = match.end()
        if cut < 0:
            ws = max(text.rfind(" ", start + limit // 2, start + limit), -1)
            cut = ws + 1 if ws > 0 else start + limit
        yield start, cut
        start = cut
    if end > start:
        yield start, end


def analyse_many(
    texts: Iterable[str],
    *,
    model: str = DEFAULT_MODEL,
    batch_size: int = BATCH_SIZE,
    markdown: Iterable[bool] | None = None,
) -> Iterator[Analysis]:
    """The analysis of each text, in order, with spaCy run over all of them in batches.

    Texts flagged in markdown are read without their markup; offsets still index the texts.
    """
    nlp = load_nlp(model)
    gaz = load_gazetteer()
    label = model_label(nlp)
    items = list(texts)
    flags = list(markdown) if markdown is not None else [False] * len(items)
    metas = [read_metadata(t) for t in items]
    plans = [split_blocks(t, gaz, m) for t, m in zip(items, metas, strict=True)]

    def feed() -> Iterator[tuple[str, Piece]]:
        for d, (text, blocks) in enumerate(zip(items, plans, strict=True)):
            for block in blocks:
                if block.analysed:
                    head = block.kind == "headline"
                    for s, e in chunks(text, block.start, block.end):
                        if flags[d]:
                            cleaned, charmap = clean_markdown(text[s:e])
                            yield cleaned, (d, s, block.story, charmap, head)
                        else:
                            yield text[s:e], (d, s, block.story, None, head)

    per_doc: dict[int, list[tuple[Doc, Piece]]] = defaultdict(list)
    done = 0
    for doc, piece in nlp.pipe(feed(), as_tuples=True, batch_size=batch_size):
        while done < piece[0]:
            yield _analyse(items[done], plans[done], per_doc.pop(done, []), gaz, label, metas[done])
            done += 1
        per_doc[piece[0]].append((doc, piece))
    while done < len(items):
        yield _analyse(items[done], plans[done], per_doc.pop(done, []), gaz, label, metas[done])
        done += 1


def _analyse(
    text: str,
    blocks: list[Block],
    docs: list[tuple[Doc, Piece]],
    gaz: Gazetteer,
    label: str,
    meta: Metadata,
) -> Analysis:
    sents: list[Sent] = []
    mentions: list[Mention] = []
    for chunk, (doc, (_, offset, story, charmap, head)) in enumerate(docs):
        for span in doc.sents:
            if not span.text.strip():
                continue
            sent = Sent(len(sents), span, offset, story, chunk, text, charmap, head)
            sent.title_case = head and title_case(span)
            before = sents[-1] if sents and sents[-1].story == story else None
            sents.append(sent)
            found = find_mentions(sent, gaz, before)
            mentions.extend(found)
            mentions.extend(coordinated_names(sent, found, gaz))
    mentions = confirmed_in_body(mentions, sents)
    outlet = normalize_name(meta.fields.get("outlet", ""))
    for m in mentions:  # the outlet named in the article's metadata is a body, not a firm
        if outlet and normalize_name(m.name) == outlet and m.type != "Organization":
            m.type, m.rule, m.weight, m.kind = "Organization", "cue:outlet", 3.0, "name"
    mentions.extend(propagate_names(sents, mentions, gaz))
    claims, named = find_aliases(sents, mentions, gaz)
    mentions.extend(named)
    entities = cluster(mentions, sents, load_reference(), claims)
    resolver = Coreference(sents, entities, gaz)
    relations = extract_relations(sents, entities, resolver, gaz, label)
    return Analysis(text, blocks, sents, entities, relations, label, meta)


def extract_facts(
    text: str, document_id: str, *, model: str = DEFAULT_MODEL, markdown: bool = False
) -> list[Fact]:
    """The entity and relation facts of one text, each with its evidence."""
    analysis = next(analyse_many([text], model=model, markdown=[markdown]))
    return to_facts(analysis, document_id)


def extract_many(
    items: Iterable[tuple[str, str]], *, model: str = DEFAULT_MODEL, batch_size: int = BATCH_SIZE
) -> Iterator[list[Fact]]:
    """Facts for each (document_id, text), spaCy batching across all the texts."""
    pairs = list(items)
    analyses = analyse_many([t for _, t in pairs], model=model, batch_size=batch_size)
    for (doc_id, _), analysis in zip(pairs, analyses, strict=False):
        yield to_facts(analysis, doc_id)


def _extractor(rule: str, label: str) -> str:
    if rule.startswith("spacy:"):
        return label
    if rule.startswith("rule:") or rule == label:
        return rule
    return "rule:" + rule.replace(":", "-")


def to_facts(a: Analysis, document_id: str) -> list[Fact]:
    """Entities once per document (with aliases and stories), then relations with evidence."""
    facts: list[Fact] = []
    sents = a.sents

    def evidence(sent: Sent, extractor: str, confidence: float) -> Evidence:
        return make_evidence(
            document_id,
            sent.text,
            start=sent.start,
            end=sent.end,
            extractor=extractor,
            confidence=confidence,
            locator=f"story {sent.story}",
        )

    used = {c.source for c in a.relations} | {c.target for c in a.relations}
    for ent in a.entities:
        if ent.type == "Lawsuit":
            if ent.id not in used:
                continue
            where = ent.properties.get("sentences") or [0]
            first = sents[where[0] if isinstance(where, list) else 0]
            ev = evidence(first, "rule:lawsuit", 0.85)
            props = {k: v for k, v in ent.properties.items() if k != "sentences"}
            count = len(where) if isinstance(where, list) else 1
        else:
            typing = ent.typing
            assert typing is not None  # every entity made from mentions is typed by cluster()
            ev = evidence(sents[typing.mention.sent], typing.extractor, typing.confidence)
            props = dict(ent.properties)
            if ent.type == "Indicator":
                props["kind"] = next(x.kind for x in ent.mentions if x.type == "Indicator")
            count = len(ent.mentions)
        props.update({"stories": sorted(ent.stories), "mentions": count})
        facts.append(
            make_entity(
                ent.type,
                ent.name,
                aliases=ent.aliases,
                properties=props,
                evidence=ev,
                locator=f"story {min(ent.stories, default=0)}",
            )
        )
        for where, names in ent.alias_claims.items():  # "X, also known as Y": cited on its own
            sent = sents[where]
            facts.append(
                make_entity(
                    ent.type,
                    ent.name,
                    aliases=names,
                    properties={"stories": [sent.story], "mentions": len(names)},
                    evidence=evidence(sent, "rule:aka", ALIAS_CONFIDENCE),
                    locator=f"story {sent.story}",
                )
            )
    grouped: dict[tuple[int, str, int], list[Candidate]] = defaultdict(list)
    for c in a.relations:
        grouped[(c.source, c.type, c.target)].append(c)
    for (src, rtype, tgt), cands in grouped.items():
        seen: set[tuple[int, str]] = set()
        items: list[Evidence] = []
        for c in cands:
            if (c.sent, c.rule) not in seen:
                seen.add((c.sent, c.rule))
                items.append(evidence(sents[c.sent], _extractor(c.rule, a.model), c.confidence))
        s, t = a.entities[src], a.entities[tgt]
        stories = sorted({sents[c.sent].story for c in cands})
        facts.append(
            make_relation(
                EntityRef(name=s.name, type=s.type),
                rtype,
                EntityRef(name=t.name, type=t.type),
                evidence=items,
                properties={"stories": stories},
                locator=f"story {stories[0]}",
            )
        )
    return facts
