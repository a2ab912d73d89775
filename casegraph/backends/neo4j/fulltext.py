"""Full-text reads of a Neo4j store: its cg_document_search index over casegraph's own tokens.

Each statement is a named constant with its question, $parameters and columns; the Lucene query
travels as $query (built by casegraph.fulltext.lucene from tokens of letters and digits only).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from casegraph.backends.neo4j.client import Client
from casegraph.errors import UsageError
from casegraph.fulltext import (
    Counted,
    Node,
    Term,
    TextRow,
    count,
    lucene,
    positive,
    search_tokens,
    spaced,
)

# Question: the complete documents whose search tokens match $query. Columns: id, title, path,
# published.
SEARCH = """
CALL db.index.fulltext.queryNodes('cg_document_search', $query) YIELD node
WHERE node:Document
RETURN node.id AS id, node.title AS title, node.path AS path, node.published AS published
ORDER BY id
"""

# Question: how many complete documents match $query. Columns: n.
FREQUENCY = """
CALL db.index.fulltext.queryNodes('cg_document_search', $query) YIELD node
WHERE node:Document
RETURN count(node) AS n
"""

# Question: the search tokens of the documents $ids and how many there are. Columns: id,
# tokens, length.
TOKENS = """
UNWIND $ids AS id
MATCH (d:Document {id: id})
RETURN d.id AS id, d.search_tokens AS tokens, coalesce(d.search_length, 0) AS length
"""

# Question: how many documents have search tokens and how many tokens in all. Columns: n, total.
TOTALS = """
MATCH (d:Document) WHERE d.search_tokens IS NOT NULL
RETURN count(d) AS n, sum(d.search_length) AS total
"""

# Question: the entities document $id mentions (not dropped), with every name they answer to.
# Columns: id, name, type, names.
MENTIONED = """
MATCH (:Document {id: $id})-[:MENTIONS]->(e:Entity)
WHERE coalesce(e.status, '') <> 'dropped'
RETURN e.id AS id, e.name AS name, e.type AS type, [e.name] + coalesce(e.aliases, []) AS names
ORDER BY id
"""

# Question: up to $limit documents with text but no search tokens (written before search
# existed). Columns: id, text.
UNINDEXED = """
MATCH (d:Document) WHERE d.text IS NOT NULL AND d.search_tokens IS NULL
RETURN d.id AS id, d.text AS text LIMIT $limit
"""

# Give documents their search tokens: $rows of {id, tokens, length}. No columns.
SET_TOKENS = """
UNWIND $rows AS row
MATCH (d:Document {id: row.id})
SET d.search_tokens = row.tokens, d.search_length = row.length
"""


class Neo4jText:
    """What `casegraph.queries.find` asks of a Neo4j store's text index."""

    batch = 500  # documents whose tokens are read at once

    def __init__(self, client: Client) -> None:
        self.client = client
        self._indexed = False

    def _ready(self) -> None:
        """Documents written before search existed get their tokens first (once per store
        opening; a write, the only one a search makes)."""
        if self._indexed:
            return
        while rows := self.client.read(UNINDEXED, {"limit": 200}):
            found = [
                {"id": r["id"], "tokens": (t := search_tokens(r["text"])),
                 "length": len(t.split()) if t else 0}
                for r in rows
            ]  # fmt: skip
            self.client.write(SET_TOKENS, {"rows": found})
        self._indexed = True

    def candidates(self, node: Node) -> list[TextRow]:
        self._ready()
        narrowed = positive(node)
        if narrowed is None:
            raise UsageError("query only says what must be absent; add a word to find")
        rows = self.client.read(SEARCH, {"query": lucene(narrowed)})
        return [TextRow(r["id"], r["title"], r["path"], r["published"]) for r in rows]

    def counts(self, rows: Sequence[TextRow], wanted: Iterable[Term]) -> dict[str, Counted]:
        """Each document's length and how often each term occurs in it (its stored tokens)."""
        found = self.client.read(TOKENS, {"ids": [r.id for r in rows]})
        terms = list(dict.fromkeys(wanted))
        out: dict[str, Counted] = {}
        for r in found:
            doc = spaced(r["tokens"] or "")
            out[r["id"]] = Counted(int(r["length"]), {t: n for t in terms if (n := count(t, doc))})
        return out

    def frequency(self, term: Term) -> int:
        self._ready()
        return int(self.client.read(FREQUENCY, {"query": lucene(term)})[0]["n"])

    def totals(self) -> tuple[int, int]:
        self._ready()
        row = self.client.read(TOTALS)[0]
        return int(row["n"]), int(row["total"] or 0)

    def mentioned(self, document_id: str) -> list[tuple[str, str, str, list[str]]]:
        rows = self.client.read(MENTIONED, {"id": document_id})
        return [(r["id"], r["name"], r["type"], list(r["names"])) for r in rows]
