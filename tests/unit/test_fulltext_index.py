"""The embedded text index tokenized by FTS5: the same tokens, counts and answers as casegraph's own."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casegraph.backends.sqlite import SqliteStore
from casegraph.backends.sqlite.check import check_store
from casegraph.backends.sqlite.fulltext import TOKENIZER, index_form, plain
from casegraph.errors import LoaderError
from casegraph.fulltext import (
    Counted,
    Node,
    Term,
    TextRow,
    count,
    parse_query,
    search_tokens,
    spaced,
)
from casegraph.graph.model import Document, Source
from casegraph.queries.find import find

# Characters a text is drawn from: ASCII, separators both tokenizers agree on, and characters
# that make a text not plain (accents, ligatures, superscripts, private use, Devanagari marks).
ALPHABET = (
    "abcdefghij ABCDEFGHIJ 0123456789 .,;:!?'\"()-_/\\@#\t\n"
    "\u2019\u201c\u201d\u2014\u2013\u2026\u00a0\u2022\u20ac\u00a9\u00ab\u00bb\u00b7"
    "\u00e9\u00fc\u00df\ufb01\u00b2\ue000\u0939\u093f\u0928\u094d\u00c5\u0130"
)


def fts5_tokens(texts: list[str]) -> list[list[str]]:
    """The tokens FTS5 (the store's tokenizer) indexes for each text, in order."""
    db = sqlite3.connect(":memory:")
    db.execute(f"CREATE VIRTUAL TABLE t USING fts5(b, tokenize='{TOKENIZER}')")
    db.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, instance)")
    db.executemany("INSERT INTO t(rowid, b) VALUES (?, ?)",
                   [(i + 1, index_form(x)) for i, x in enumerate(texts)])  # fmt: skip
    out: list[list[str]] = [[] for _ in texts]
    for term, doc, _offset in db.execute("SELECT term, doc, offset FROM v ORDER BY doc, offset"):
        out[doc - 1].append(term)
    db.close()
    return out


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=ALPHABET, max_size=60), min_size=1, max_size=8))
def test_fts5_indexes_exactly_casegraphs_tokens_of_every_text(texts: list[str]) -> None:
    for text, indexed in zip(texts, fts5_tokens(texts), strict=True):
        assert indexed == search_tokens(text).split()


def test_plain_texts_are_indexed_as_they_are() -> None:
    assert plain("Orion Labs sold Nightjar \u2014 \u201cquietly\u201d \u2026 for \u20ac5m.")
    for odd in ("caf\u00e9", "\ufb01sh", "x\u00b2", "\ue000", "\u0939\u093f"):
        assert not plain(odd)
        assert index_form(odd) == search_tokens(odd)
    assert index_form("Plain text, it\u2019s.") == "Plain text, it\u2019s."


def generated(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    words = ["alpha", "beta", "gamma", "delta", "alpine", "alps", "zeta", "caf\u00e9", "orion"]
    weights = [30, 12, 8, 5, 3, 3, 2, 2, 1]
    texts = []
    for i in range(n):
        body = rng.choices(words, weights, k=rng.randint(0, 40))
        texts.append(" ".join(body) + ("" if i % 3 else ", \u201cquoted\u201d."))
    return texts


def sources(texts: list[str]) -> Iterator[Source]:
    for i, text in enumerate(texts):
        doc = Document(
            f"doc{i:03d}", f"t{i}", f"/d/{i}.txt", "text", f"20{10 + i % 10}-01-01", text
        )
        yield Source(doc, [])


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    with SqliteStore(tmp_path / "s.db", create=True) as opened:
        opened.load(sources(generated(120, 3)))
        yield opened


TERMS = [Term(("alpha",)), Term(("gamma",)), Term(("orion",)), Term(("cafe",)),
         Term(("alp",), prefix=True), Term(("alpha", "beta")), Term(("alpha", "alpha")),
         Term(("quoted",))]  # fmt: skip


def test_counts_read_back_from_fts5_are_casegraphs_counts(store: SqliteStore) -> None:
    index = store.fulltext()
    rows = index.candidates(parse_query(" OR ".join(["alpha", "beta", "gamma", "zeta", "orion"])))
    counted = index.counts(rows, TERMS)
    for row in rows:
        doc = spaced(search_tokens(store.document_text(row.id)))
        assert counted[row.id].length == len(doc.split())
        expected = {t: n for t in TERMS if (n := count(t, doc))}
        assert counted[row.id].tf == expected
    documents, total = index.totals()
    assert documents == sum(1 for x in generated(120, 3) if x)  # an empty text is not indexed
    assert total == sum(len(search_tokens(x).split()) for x in generated(120, 3))


class TokensText:
    """The old scheme, as a reference: casegraph's tokens of every text, counted in Python."""

    batch = 7

    def __init__(self, store: SqliteStore) -> None:
        self.store = store
        self.inner = store.fulltext()
        ids = [r[0] for r in store.db.execute("SELECT id FROM documents WHERE text <> ''")]
        self.tokens = {i: spaced(search_tokens(store.document_text(i))) for i in ids}

    def candidates(self, node: Node) -> list[TextRow]:
        from casegraph.fulltext import matches, positive

        narrowed = positive(node)
        assert narrowed is not None
        meta = {
            r[0]: r
            for r in self.store.db.execute("SELECT id, title, path, published FROM documents")
        }
        return [TextRow(*meta[i])
                for i, t in sorted(self.tokens.items()) if matches(narrowed, t)]  # fmt: skip

    def counts(self, rows: Sequence[TextRow], wanted: Iterable[Term]) -> dict[str, Counted]:
        terms = list(wanted)
        return {
            r.id: Counted(
                len(self.tokens[r.id].split()),
                {t: n for t in terms if (n := count(t, self.tokens[r.id]))},
            )
            for r in rows
        }

    def frequency(self, term: Term) -> int:
        return sum(1 for t in self.tokens.values() if count(term, t))

    def totals(self) -> tuple[int, int]:
        return len(self.tokens), sum(len(t.split()) for t in self.tokens.values())

    def mentioned(self, document_id: str) -> list[tuple[str, str, str, list[str]]]:
        return self.inner.mentioned(document_id)


class Reference:
    def __init__(self, store: SqliteStore) -> None:
        self.store, self.text = store, TokensText(store)

    def fulltext(self) -> TokensText:
        return self.text

    def document_text(self, document_id: str) -> str | None:
        return self.store.document_text(document_id)


@pytest.mark.parametrize(
    "query",
    ["alpha", "gamma", "orion", "caf\u00e9", "alp*", '"alpha beta"', "alpha beta", '"alpha alpha"',
     "(gamma OR zeta) NOT orion", "alpha NOT beta", "quoted AND NOT alp*", "delta OR orion"],
)  # fmt: skip
def test_find_answers_as_casegraphs_own_tokens_do(store: SqliteStore, query: str) -> None:
    for limit in (5, 200):
        got = find(store, query, limit=limit).as_dict()
        expected = find(Reference(store), query, limit=limit).as_dict()  # type: ignore[arg-type]
        assert got == expected
        assert got["hits"], query


def test_a_failed_load_leaves_no_index_rows(tmp_path: Path) -> None:
    def failing() -> Iterator[Source]:
        yield from sources(generated(5, 1))
        raise LoaderError("line 9: broken on purpose")

    with SqliteStore(tmp_path / "f.db", create=True) as opened:
        with pytest.raises(LoaderError):
            opened.load(failing())
        assert opened.fulltext().totals() == (0, 0)
        assert opened.db.execute("SELECT count(*) FROM document_search_docsize").fetchone()[0] == 0
        opened.load(sources(generated(5, 1)))
        assert opened.fulltext().totals()[0] == 5
    assert check_store(tmp_path / "f.db").sound


def test_check_names_an_index_that_does_not_match_the_documents(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    with SqliteStore(path, create=True) as opened:
        opened.load(sources(generated(6, 2)))
    assert check_store(path).sound
    db = sqlite3.connect(path)
    db.execute(
        "INSERT INTO documents(id, title, path, loader, loaded_at, text)"
        " VALUES ('x', 'x', '/x', 'text', '2020', 'never indexed')"
    )
    db.commit()
    db.close()
    report: Any = check_store(path)
    assert not report.sound
    assert "6 document(s) indexed, 7 have text" in report.first()


def version_4_store(path: Path, texts: list[str]) -> None:
    """A store of schema version 4: its index holds casegraph's tokens, written by Python."""
    from tests.unit.test_schema_v4 import finish_old_schema, old_schema_db

    db = old_schema_db(path, 4)
    for i, text in enumerate(texts):
        cur = db.execute(
            "INSERT INTO documents(id, title, path, loader, published, loaded_at, text) VALUES"
            " (?, ?, ?, 'text', '2020-02-02', '2020-02-02', ?)",
            (f"d{i}", f"old {i}", f"/old{i}.txt", text),
        )
        db.execute("INSERT INTO document_search(rowid, tokens) VALUES (?, cg_search_tokens(?))",
                   (cur.lastrowid, text))  # fmt: skip
        db.execute("INSERT INTO document_words(doc_rowid, length) VALUES (?, cg_token_count(?))",
                   (cur.lastrowid, text))  # fmt: skip
    finish_old_schema(db, 4)


def test_a_store_indexed_the_old_way_is_migrated_and_answers_alike(tmp_path: Path) -> None:
    from casegraph.backends.sqlite.ddl import SCHEMA_VERSION

    texts = ["Orion Labs sold Nightjar in 2019 \u2014 \u201cNightjar\u201d again.",
             "Z\u00fcrich-based \u00c9cole bought the \ufb01le from Orion Labs.", ""]  # fmt: skip
    path = tmp_path / "v4.db"
    version_4_store(path, texts)
    with SqliteStore(path) as opened:
        assert [h.document_id for h in find(opened, "nightjar").hits] == ["d0"]
        assert [h.document_id for h in find(opened, "zurich ecole").hits] == ["d1"]
        assert [h.document_id for h in find(opened, '"the file"').hits] == ["d1"]
        assert [h.document_id for h in find(opened, "orion NOT zurich").hits] == ["d0"]
        (hit,) = find(opened, "\u00e9cole").hits
        assert [texts[1][a:b] for a, b in hit.hits] == ["\u00c9cole"]
        assert opened.fulltext().totals() == (2, sum(len(search_tokens(t).split()) for t in texts))
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
    assert "document_words" not in tables
    db.close()
    assert check_store(path).sound


def _first_hit_by_tokens(node: Node, text: str) -> tuple[int, int] | None:
    from casegraph.fulltext import terms, tokens_with_spans

    wanted = [t for t, negated in terms(node) if not negated]
    found = list(tokens_with_spans(text))
    for j, token in enumerate(found):
        for term in wanted:
            n = len(term.words)
            if term.prefix and token[0].startswith(term.words[0]):
                return token[1], token[2]
            if (
                not term.prefix
                and j + 1 >= n
                and tuple(t for t, _, _ in found[j - n + 1 : j + 1]) == term.words
            ):
                return found[j - n + 1][1], token[2]
    return None


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet="ab AB 01.-_'\n", max_size=80),
    st.sampled_from(["a", "ab", "b0", "ba*", "ab*", '"a b"', '"ab a"', "b OR a", "a NOT b", "0"]),
)
def test_first_hit_in_ascii_text_is_where_the_tokens_say(text: str, query: str) -> None:
    from casegraph.fulltext import first_hit

    node = parse_query(query)
    assert first_hit(node, text) == _first_hit_by_tokens(node, text)
