"""Sentences, mentions and candidate relations passed between the extractor's stages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token


@dataclass(slots=True)
class Sent:
    """One sentence: the spaCy span, where its document chunk starts in the text, its story."""

    index: int
    span: Span
    offset: int
    story: int
    chunk: int
    source: str = ""  # the document text that offsets index
    charmap: list[int] | None = None  # chunk character -> source character, when cleaned
    headline: bool = False  # a title or section heading
    title_case: bool = False  # a heading in Title Case, where spaCy's names are unreliable
    _tokens: list[Token] = field(default_factory=list, repr=False)

    @property
    def doc(self) -> Doc:
        return self.span.doc

    def tokens(self) -> list[Token]:
        """The sentence's tokens, made once (spaCy makes a new Token object at each index)."""
        if not self._tokens:
            self._tokens.extend(self.span)
        return self._tokens

    @property
    def start(self) -> int:
        """Character offset of the sentence in Document.text."""
        local = self.span.start_char
        return self.offset + (self.charmap[local] if self.charmap else local)

    @property
    def end(self) -> int:
        local = self.span.end_char
        return self.offset + (self.charmap[local - 1] + 1 if self.charmap else local)

    @property
    def text(self) -> str:
        """The sentence as written in the document (markup included)."""
        return self.source[self.start : self.end] if self.source else self.span.text


@dataclass(slots=True)
class Mention:
    """A stretch of tokens naming an entity, with the type it votes for and why."""

    sent: int
    start: int  # first token (index in the chunk's Doc)
    end: int  # one past the last token
    name: str  # the name it proposes (a country for demonyms and capitals)
    type: str
    rule: str
    weight: float
    kind: str = "name"  # name, demonym, capital, place, victim
    text: str = ""  # the words as written
    entity: int = -1  # cluster id, set by coref

    def overlaps(self, start: int, end: int) -> bool:
        return self.start < end and start < self.end


@dataclass(slots=True)
class Entity:
    """An entity of one document: its resolved type, display name, aliases and where it occurs."""

    id: int
    type: str
    name: str
    aliases: list[str] = field(default_factory=list)
    stories: set[int] = field(default_factory=set)
    mentions: list[Mention] = field(default_factory=list)
    properties: dict[str, object] = field(default_factory=dict)
    typing: Typing | None = None  # the mention and cue that decided the type
    alias_claims: dict[int, list[str]] = field(default_factory=dict)  # sentence -> names


@dataclass(frozen=True, slots=True)
class Candidate:
    """A relation a rule read in one sentence, between two entity ids."""

    source: int
    type: str
    target: int
    rule: str
    confidence: float
    sent: int


@dataclass(frozen=True)
class Typing:
    """Why an entity has its type: the deciding mention, the cue or list, how sure."""

    type: str
    mention: Mention
    extractor: str  # cue:designator, gazetteer:vendors, ner:ORG, ...
    confidence: float
