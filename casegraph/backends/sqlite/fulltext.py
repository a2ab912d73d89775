"""Full-text reads of the embedded store: FTS5 over casegraph's own tokens (document_search)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable

from casegraph.errors import UsageError
from casegraph.fulltext import Node, Term, TextRow, fts5, positive


class SqliteText:
    """What `casegraph.queries.find` asks of the embedded store's text index."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def _match(self, node: Node) -> str:
        narrowed = positive(node)
        if narrowed is None:
            raise UsageError("query only says what must be absent; add a word to find")
        return fts5(narrowed)

    def candidates(self, node: Node) -> list[TextRow]:
        """Every document whose tokens may satisfy the query (a superset: NOT parts are left to
        the caller's check), by document id."""
        rows = self.db.execute(
            "SELECT d.id, d.title, d.path, d.published, w.length FROM document_search s"
            " JOIN documents d ON d.rowid = s.rowid JOIN document_words w ON w.doc_rowid = s.rowid"
            " WHERE document_search MATCH ? ORDER BY d.id",
            (self._match(node),),
        )
        return [TextRow(i, t, p, pub, int(n)) for i, t, p, pub, n in rows]

    def tokens_of(self, ids: Iterable[str]) -> dict[str, str]:
        """The search tokens of each document."""
        return dict(
            self.db.execute(
                "SELECT d.id, s.tokens FROM documents d JOIN document_search s"
                " ON s.rowid = d.rowid WHERE d.id IN (SELECT value FROM json_each(?))",
                (json.dumps(list(ids)),),
            )
        )

    def frequency(self, term: Term) -> int:
        """How many documents hold the term."""
        row = self.db.execute(
            "SELECT count(*) FROM document_search WHERE document_search MATCH ?", (fts5(term),)
        ).fetchone()
        return int(row[0])

    def totals(self) -> tuple[int, int]:
        """How many documents have text, and how many tokens they hold in all."""
        n, total = self.db.execute("SELECT count(*), total(length) FROM document_words").fetchone()
        return int(n), int(total)

    def mentioned(self, document_id: str) -> list[tuple[str, str, str, list[str]]]:
        """The entities a document mentions: (id, name, type, every name they answer to)."""
        rows = self.db.execute(
            "SELECT e.id, e.name, e.type, json_group_array(n.name) FROM mentions m"
            " JOIN entities e ON e.id = m.entity_id LEFT JOIN names n ON n.entity_id = e.id"
            " WHERE m.document_id = ? AND e.status IS NULL GROUP BY e.id ORDER BY e.id",
            (document_id,),
        )
        return [(i, name, t, [x for x in json.loads(names) if x]) for i, name, t, names in rows]
