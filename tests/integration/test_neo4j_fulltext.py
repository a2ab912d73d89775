"""Full-text search on Neo4j: the embedded store's answers, an index complete after each load, reads only."""

from __future__ import annotations

import pytest

from casegraph.backends.neo4j import Neo4jStore
from casegraph.backends.sqlite import SqliteStore
from casegraph.graph.model import Document, Source
from casegraph.queries.find import find
from tests.unit.test_fulltext_index import generated, sources

QUERIES = ["alpha", "gamma", "orion", "caf\u00e9", "alp*", '"alpha beta"', '"alpha alpha"',
           "alpha beta", "(gamma OR zeta) NOT orion", "quoted AND NOT orion", "delta OR orion"]  # fmt: skip

# Documents with no search tokens, as a store written before search existed has them.
UNTOKENED = "MATCH (d:Document) WHERE d.search_tokens IS NULL AND d.text <> '' RETURN count(d) AS n"


def _answers(store: object) -> list[dict[str, object]]:
    return [find(store, q, limit=50).as_dict() for q in QUERIES]  # type: ignore[arg-type]


def test_find_on_neo4j_gives_the_embedded_answers(neo: Neo4jStore, embedded: SqliteStore) -> None:
    texts = generated(60, 5)
    neo.load(sources(texts))
    embedded.load(sources(texts))
    got, expected = _answers(neo), _answers(embedded)
    assert got == expected
    assert all(a["hits"] for a in got)


def test_find_only_reads_and_a_load_completes_the_index(neo: Neo4jStore) -> None:
    neo.load(sources(generated(40, 6)))
    assert neo.client.read(UNTOKENED)[0]["n"] == 0
    before = _answers(neo)
    # as a store from before search: no tokens on its documents, no mark that a load made them
    neo.client.write("MATCH (d:Document) REMOVE d.search_tokens, d.search_length")
    neo.client.write("MATCH (m:Meta {key: 'store'}) REMOVE m.search_complete")
    untokened = neo.client.read(UNTOKENED)[0]["n"]
    assert untokened > 30
    revision = neo.revision
    assert _answers(neo) == before  # the same answers, from the texts themselves
    assert neo.client.read(UNTOKENED)[0]["n"] == untokened  # and nothing written
    assert neo.revision == revision
    neo.load(sources(generated(40, 6)))  # nothing new to load: the index is completed all the same
    assert neo.client.read(UNTOKENED)[0]["n"] == 0
    assert neo.client.read("MATCH (m:Meta {key: 'store'}) RETURN m.search_complete AS c")[0]["c"]
    assert _answers(neo) == before


@pytest.mark.parametrize("query", ["nothing", "see*"])
def test_a_document_loaded_now_is_found_at_once(neo: Neo4jStore, query: str) -> None:
    neo.load([Source(Document("n1", "n1", "/d/n1.txt", "text", None, "Nothing to see here."), [])])
    assert [h.document_id for h in find(neo, query).hits] == ["n1"]
