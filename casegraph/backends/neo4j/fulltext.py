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
    matches,
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
MATCH (d:Document) WHERE d.text <> '' AND d.search_tokens IS NULL
RETURN d.id AS id, d.text AS text LIMIT $limit
"""

# Question: every document with text but no search tokens, for a search that may not write.
# Columns: id, title, path, published, text.
UNINDEXED_ALL = """
MATCH (d:Document) WHERE d.text <> '' AND d.search_tokens IS NULL
RETURN d.id AS id, d.title AS title, d.path AS path, d.published AS published, d.text AS text
ORDER BY id
"""

# Give documents their search tokens: $rows of {id, tokens, length}. No columns.
SET_TOKENS = """
UNWIND $rows AS row
MATCH (d:Document {id: row.id})
SET d.search_tokens = row.tokens, d.search_length = row.length
"""

# Question: whether a load has given every document its search tokens. Columns: complete.
COMPLETE = "MATCH (m:Meta {key: 'store'}) RETURN coalesce(m.search_complete, false) AS complete"

# Say that every document has its search tokens (after a load indexed them). No columns.
SET_COMPLETE = "MATCH (m:Meta {key: 'store'}) SET m.search_complete = true"


def index_documents(client: Client) -> int:
    """Give every document written before search existed its search tokens, then mark the index
    complete (a load's last step: a search never writes); how many documents it indexed."""
    done = 0
    while rows := client.read(UNINDEXED, {"limit": 200}):
        found = [
            {"id": r["id"], "tokens": (t := search_tokens(r["text"])),
             "length": len(t.split()) if t else 0}
            for r in rows
        ]  # fmt: skip
        client.write(SET_TOKENS, {"rows": found})
        done += len(found)
    client.write(SET_COMPLETE)
    return done


class Neo4jText:
    """What `casegraph.queries.find` asks of a Neo4j store's text index. It only reads: on a
    store whose documents were written before search existed and that no load has indexed
    since, those documents are read and tokenized here (once per search) instead."""

    batch = 500  # documents whose tokens are read at once

    def __init__(self, client: Client) -> None:
        self.client = client
        self._pending: dict[str, tuple[TextRow, str]] | None = None

    def _unindexed(self) -> dict[str, tuple[TextRow, str]]:
        """The documents no load has given search tokens yet, with their tokens (spaced)."""
        if self._pending is None:
            self._pending = {}
            if not self.client.read(COMPLETE)[0]["complete"]:
                for r in self.client.read(UNINDEXED_ALL):
                    row = TextRow(r["id"], r["title"], r["path"], r["published"])
                    self._pending[row.id] = (row, spaced(search_tokens(r["text"])))
        return self._pending

    def candidates(self, node: Node) -> list[TextRow]:
        narrowed = positive(node)
        if narrowed is None:
            raise UsageError("query only says what must be absent; add a word to find")
        rows = self.client.read(SEARCH, {"query": lucene(narrowed)})
        found = [TextRow(r["id"], r["title"], r["path"], r["published"]) for r in rows]
        extra = [row for row, doc in self._unindexed().values() if matches(narrowed, doc)]
        return sorted(found + extra) if extra else found

    def counts(self, rows: Sequence[TextRow], wanted: Iterable[Term]) -> dict[str, Counted]:
        """Each document's length and how often each term occurs in it (its stored tokens)."""
        pending = self._unindexed()
        found = self.client.read(TOKENS, {"ids": [r.id for r in rows if r.id not in pending]})
        docs = {r["id"]: spaced(r["tokens"] or "") for r in found}
        docs.update((r.id, pending[r.id][1]) for r in rows if r.id in pending)
        terms = list(dict.fromkeys(wanted))
        return {i: Counted(len(doc.split()), {t: n for t in terms if (n := count(t, doc))})
                for i, doc in docs.items()}  # fmt: skip

    def frequency(self, term: Term) -> int:
        n = int(self.client.read(FREQUENCY, {"query": lucene(term)})[0]["n"])
        return n + sum(1 for _, doc in self._unindexed().values() if count(term, doc))

    def totals(self) -> tuple[int, int]:
        row = self.client.read(TOTALS)[0]
        pending = self._unindexed()
        return (int(row["n"]) + len(pending),
                int(row["total"] or 0) + sum(len(doc.split()) for _, doc in pending.values()))  # fmt: skip

    def mentioned(self, document_id: str) -> list[tuple[str, str, str, list[str]]]:
        rows = self.client.read(MENTIONED, {"id": document_id})
        return [(r["id"], r["name"], r["type"], list(r["names"])) for r in rows]
