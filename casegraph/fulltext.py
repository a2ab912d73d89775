"""Full-text search's own language and tokens: one parser, one matcher, one score, for both backends.

A query is words, "quoted phrases", prefix* words, AND / OR / NOT and parentheses (AND when no
operator is written; NOT binds tighter than AND, AND tighter than OR). It is parsed once into a
tree; each backend gets it translated into its engine's syntax (SQLite FTS5 MATCH, Lucene) only to
find candidate documents. Both engines index exactly casegraph's own tokens (`search_tokens`:
lower-case, accents removed, letters and digits only), so what they find does not depend on their
tokenizers; every candidate is then checked (`satisfied`) and ranked (`bm25_of`) here, from how
often each term occurs in it.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import NamedTuple

from casegraph.errors import UsageError

_TOKEN = re.compile(r"[^\W_]+")
MAX_QUERY_CHARS = 1000
MAX_TERMS = 32


def _fold(token: str) -> str:
    if token.isascii():
        return token.lower()
    decomposed = unicodedata.normalize("NFKD", token)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def tokens_with_spans(text: str) -> Iterator[tuple[str, int, int]]:
    """Each token of a text with its character offsets: (token, start, end)."""
    if text.isascii():  # lower() keeps every offset of ASCII text
        for m in _TOKEN.finditer(text.lower()):
            yield m.group(), m.start(), m.end()
        return
    for m in _TOKEN.finditer(text):
        folded = _fold(m.group())
        if _TOKEN.fullmatch(folded):
            yield folded, m.start(), m.end()
        else:  # folding made separators (rare): its pieces, each spanning the original token
            for piece in _TOKEN.findall(folded):
                yield piece, m.start(), m.end()


def tokens(text: str) -> list[str]:
    """The tokens of a text, in order (what both search indexes hold)."""
    if text.isascii():
        return _TOKEN.findall(text.lower())
    return [t for t, _, _ in tokens_with_spans(text)]


def search_tokens(text: str | None) -> str:
    """The string both engines index for a document: its tokens in spaced() form."""
    return joined(tokens(text or ""))


def joined(words: list[str]) -> str:
    """Tokens with two spaces between them and one at each end (see spaced); '' for none."""
    return " " + "  ".join(words) + " " if words else ""


# ---------------------------------------------------------------- the query tree


@dataclass(frozen=True)
class Term:
    """A word (one token), a phrase (several tokens in a row) or a prefix (one token's start)."""

    words: tuple[str, ...]
    prefix: bool = False

    def label(self) -> str:
        text = " ".join(self.words)
        return f"{text}*" if self.prefix else (f'"{text}"' if len(self.words) > 1 else text)


@dataclass(frozen=True)
class Op:
    """AND / OR of several parts, or NOT of one."""

    kind: str  # "AND", "OR", "NOT"
    parts: tuple[Node, ...]


Node = Term | Op

_LEX = re.compile(r'\s*(?:(?P<quote>"[^"]*"?)|(?P<paren>[()])|(?P<word>[^\s()"]+))')


def parse_query(text: str) -> Node:
    """The query tree of a search text; a UsageError naming the problem when it has none."""
    if len(text) > MAX_QUERY_CHARS:
        raise UsageError(f"query is {len(text)} characters; at most {MAX_QUERY_CHARS}")
    items: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        m = _LEX.match(text, pos)
        if m is None or m.end() == pos:
            if text[pos:].strip() == "":
                break
            raise UsageError(f"query: cannot read {text[pos:]!r}")
        pos = m.end()
        if m.group("quote") is not None:
            q = m.group("quote")
            if len(q) < 2 or not q.endswith('"'):
                raise UsageError(f"query: unclosed quote in {text!r}")
            items.append(("phrase", q[1:-1]))
        elif m.group("paren") is not None:
            items.append((m.group("paren"), m.group("paren")))
        elif m.group("word") is not None:
            w = m.group("word")
            items.append((w, w) if w in ("AND", "OR", "NOT") else ("word", w))
    if not items:
        raise UsageError("query is empty")
    parser = _Parser(items, text)
    node = parser.expression()
    if parser.pos != len(items):
        raise UsageError(f"query: unexpected {items[parser.pos][1]!r} in {text!r}")
    count = sum(1 for _ in terms(node))
    if count > MAX_TERMS:
        raise UsageError(f"query has {count} terms; at most {MAX_TERMS}")
    if positive(node) is None:
        raise UsageError(f"query {text!r} only says what must be absent; add a word to find")
    return node


class _Parser:
    def __init__(self, items: list[tuple[str, str]], text: str) -> None:
        self.items, self.pos, self.text = items, 0, text

    def _peek(self) -> str | None:
        return self.items[self.pos][0] if self.pos < len(self.items) else None

    def expression(self) -> Node:
        parts = [self.conjunction()]
        while self._peek() == "OR":
            self.pos += 1
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else Op("OR", tuple(parts))

    def conjunction(self) -> Node:
        parts = [self.unary()]
        while self._peek() not in (None, "OR", ")"):
            if self._peek() == "AND":
                self.pos += 1
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else Op("AND", tuple(parts))

    def unary(self) -> Node:
        kind = self._peek()
        if kind == "NOT":
            self.pos += 1
            return Op("NOT", (self.unary(),))
        if kind == "(":
            self.pos += 1
            node = self.expression()
            if self._peek() != ")":
                raise UsageError(f"query: missing ')' in {self.text!r}")
            self.pos += 1
            return node
        if kind in ("word", "phrase"):
            value = self.items[self.pos][1]
            self.pos += 1
            return _term(kind, value, self.text)
        shown = "the end" if kind is None else repr(self.items[self.pos][1])
        raise UsageError(f"query: expected a word, a phrase or '(' before {shown} in {self.text!r}")


def _term(kind: str, value: str, text: str) -> Term:
    prefix = kind == "word" and value.endswith("*") and len(value) > 1
    words = tuple(tokens(value[:-1] if prefix else value))
    if not words:
        raise UsageError(f"query: {value!r} has no letters or digits to search for")
    if prefix and len(words) > 1:
        raise UsageError(f"query: a prefix is one word: {value!r}")
    if prefix and len(words[0]) < 2:
        raise UsageError(f"query: prefix {value!r} is too short (two characters at least)")
    return Term(words, prefix)


def terms(node: Node, negated: bool = False) -> Iterator[tuple[Term, bool]]:
    """Every term of a tree, with whether it sits under a NOT."""
    if isinstance(node, Term):
        yield node, negated
        return
    for part in node.parts:
        yield from terms(part, negated or node.kind == "NOT")


def positive(node: Node) -> Node | None:
    """A tree that every match of `node` also matches, with no NOT in it (NOT parts dropped);
    None when nothing narrows it (the query is a negation only)."""
    if isinstance(node, Term):
        return node
    if node.kind == "NOT":
        return None
    parts = [positive(p) for p in node.parts]
    if node.kind == "OR":
        return None if any(p is None for p in parts) else Op("OR", tuple(p for p in parts if p))
    kept = tuple(p for p in parts if p is not None)
    if not kept:
        return None
    return kept[0] if len(kept) == 1 else Op("AND", kept)


# ---------------------------------------------------------------- engine syntaxes


def fts5(node: Node) -> str:
    """The FTS5 MATCH text of a NOT-free tree (tokens are letters and digits: quoting is safe)."""
    if isinstance(node, Term):
        quoted = '"' + " ".join(node.words) + '"'
        return quoted + "*" if node.prefix else quoted
    return "(" + f" {node.kind} ".join(fts5(p) for p in node.parts) + ")"


def lucene(node: Node) -> str:
    """The Lucene query text of a NOT-free tree, for an index of search_tokens (whitespace
    analyzer): tokens are letters and digits, so a quoted term or a bare prefix cannot inject."""
    if isinstance(node, Term):
        if node.prefix:
            return node.words[0] + "*"
        return '"' + " ".join(node.words) + '"'
    return "(" + f" {node.kind} ".join(lucene(p) for p in node.parts) + ")"


# ---------------------------------------------------------------- matching and scoring


def spaced(search: str) -> str:
    """Tokens joined by single spaces, with two spaces between tokens and one at each end
    instead, so that ' word ' counts every occurrence of a token (occurrences never share a
    space); text already in that form is returned as it is."""
    if not search or search.startswith(" "):
        return search
    return " " + search.replace(" ", "  ") + " "


def count(term: Term, doc: str) -> int:
    """How often a term occurs in a document's spaced() tokens; a phrase at every token it
    starts at, so occurrences may overlap ("a a" twice in "a a a"), as FTS5 counts them."""
    if term.prefix:
        return doc.count(" " + term.words[0])
    needle = " " + "  ".join(term.words) + " "
    if len(term.words) == 1:
        return doc.count(needle)
    found, at = 0, doc.find(needle)
    while at >= 0:
        found += 1
        at = doc.find(needle, at + 1)  # the next token start (a match starts at a space)
    return found


def matches(node: Node, doc: str) -> bool:
    """Whether a document (its spaced() tokens) satisfies the query tree."""
    return satisfied(node, {t: count(t, doc) for t, _ in terms(node)})


def satisfied(node: Node, tf: Mapping[Term, int]) -> bool:
    """Whether a document that holds each term `tf[term]` times satisfies the query tree."""
    if isinstance(node, Term):
        return tf.get(node, 0) > 0
    if node.kind == "NOT":
        return not satisfied(node.parts[0], tf)
    if node.kind == "AND":
        return all(satisfied(p, tf) for p in node.parts)
    return any(satisfied(p, tf) for p in node.parts)


K1 = 1.2
B = 0.75


def bm25(
    node: Node, doc: str, length: int, documents: int, average: float, df: dict[Term, int]
) -> float:
    """BM25 of a document over the query's terms that are not under a NOT (own counts)."""
    tf = {t: count(t, doc) for t, negated in terms(node) if not negated}
    return bm25_of(node, tf, length, documents, average, df)


def bm25_of(
    node: Node,
    tf: Mapping[Term, int],
    length: int,
    documents: int,
    average: float,
    df: Mapping[Term, int],
) -> float:
    """BM25 of a document holding each term `tf[term]` times, over the query's terms that are
    not under a NOT."""
    score = 0.0
    for term, negated in terms(node):
        if negated:
            continue
        f = tf.get(term, 0)
        if not f:
            continue
        n = df.get(term, 0)
        idf = math.log(1 + (documents - n + 0.5) / (n + 0.5))
        norm = K1 * (1 - B + B * length / (average or 1.0))
        score += idf * f * (K1 + 1) / (f + norm)
    return score


def hit_spans(node: Node, text: str) -> list[tuple[int, int]]:
    """The character spans in a document's text where the query's (not negated) terms occur."""
    wanted = [t for t, negated in terms(node) if not negated]
    found = list(tokens_with_spans(text))
    words = [t for t, _, _ in found]
    spans: list[tuple[int, int]] = []
    for i, word in enumerate(words):
        for term in wanted:
            n = len(term.words)
            if term.prefix:
                ok = word.startswith(term.words[0])
            else:
                ok = word == term.words[0] and tuple(words[i : i + n]) == term.words
            if ok:
                spans.append((found[i][1], found[i + n - 1][2] if not term.prefix else found[i][2]))
                break
    return spans


_ALNUM = "[A-Za-z0-9]"


def _ascii_pattern(term: Term) -> re.Pattern[str] | None:
    """Where a term occurs in an ASCII text (whose tokens are its runs of ASCII letters and
    digits); None when it cannot occur there."""
    if not all(w.isascii() for w in term.words):
        return None
    body = "[^A-Za-z0-9]+".join(re.escape(w) for w in term.words)
    tail = f"{_ALNUM}*" if term.prefix else f"(?!{_ALNUM})"
    return re.compile(f"(?<!{_ALNUM}){body}{tail}", re.IGNORECASE | re.ASCII)


def first_hit(node: Node, text: str) -> tuple[int, int] | None:
    """The span of the first place in the text where a (not negated) term of the query ends;
    reads the text only that far."""
    wanted = [t for t, negated in terms(node) if not negated]
    if text.isascii():  # one regular expression per term instead of a loop over the tokens
        best: tuple[int, int, int] | None = None
        for i, term in enumerate(wanted):
            pattern = _ascii_pattern(term)
            m = pattern.search(text) if pattern is not None else None
            if m is not None and (best is None or (m.end(), i) < (best[1], best[2])):
                best = (m.start(), m.end(), i)
        return (best[0], best[1]) if best is not None else None
    found: list[tuple[str, int, int]] = []
    for token in tokens_with_spans(text):
        found.append(token)
        j = len(found) - 1
        for term in wanted:
            n = len(term.words)
            if term.prefix:
                if token[0].startswith(term.words[0]):
                    return token[1], token[2]
            elif j + 1 >= n and tuple(t for t, _, _ in found[j - n + 1 :]) == term.words:
                return found[j - n + 1][1], token[2]
    return None


class TextRow(NamedTuple):
    """A document a search found: its id, title, path and date."""

    id: str
    title: str
    path: str
    published: str | None


@dataclass(frozen=True, slots=True)
class Counted:
    """A candidate's length in tokens and how often each term occurs in it (absent ones left
    out)."""

    length: int
    tf: dict[Term, int]
