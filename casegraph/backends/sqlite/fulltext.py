"""Full-text index of the embedded store: a contentless FTS5 table tokenized by FTS5 itself.

document_search (rowid: the document's rowid) indexes, for each document with text, what its
`index_form` is: the text as it is when FTS5's unicode61 tokenizer reads it into exactly
casegraph.fulltext's tokens (letters and digits are ASCII: every non-ASCII character in it is one
that both take for a separator, such as curly quotes, dashes, no-break spaces), else
casegraph.fulltext.search_tokens of it. So FTS5 finds what casegraph's own matcher would, and no
Python looks at a token of a plain text when it is loaded. How often a term occurs in a document
is read back from FTS5's bm25() (the same k1 and b; its idf is known), its length from the
table's docsize record, the totals from its averages record.
"""

from __future__ import annotations

import json
import math
import re
import sqlite3
from collections.abc import Iterable, Sequence
from functools import lru_cache

from casegraph.errors import UsageError
from casegraph.fulltext import (
    K1,
    B,
    Counted,
    Node,
    Term,
    TextRow,
    fts5,
    positive,
    search_tokens,
)

# Non-ASCII characters that may be separators to both tokenizers: Latin-1 punctuation and
# symbols, general punctuation, currency, letterlike symbols, arrows, mathematical operators,
# box drawing and geometric shapes, dingbats, CJK punctuation, full-width punctuation; the ones
# kept are those casegraph.fulltext does not take for a letter or digit and unicode61 does not
# either (asked of SQLite itself, once).
_SEPARATOR_BLOCKS = ((0x80, 0xBF), (0xD7, 0xD7), (0xF7, 0xF7), (0x2000, 0x206F),
                     (0x20A0, 0x20CF), (0x2100, 0x214F), (0x2190, 0x23FF), (0x2500, 0x27BF),
                     (0x3000, 0x303F), (0xFE30, 0xFE4F), (0xFF01, 0xFF0F), (0xFEFF, 0xFEFF))  # fmt: skip
_WORD = re.compile(r"[^\W_]")
TOKENIZER = "unicode61 remove_diacritics 0"


def _separators() -> str:
    """The characters of _SEPARATOR_BLOCKS that both tokenizers read as separators."""
    chars = [chr(c) for a, b in _SEPARATOR_BLOCKS for c in range(a, b + 1)]
    chars = [c for c in chars if not _WORD.match(c)]
    db = sqlite3.connect(":memory:")
    try:
        db.execute(f"CREATE VIRTUAL TABLE t USING fts5(b, content='', tokenize='{TOKENIZER}')")
        db.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, row)")
        db.executemany("INSERT INTO t(rowid, b) VALUES (?, ?)",
                       [(i + 1, f"q{c}z") for i, c in enumerate(chars)])  # fmt: skip
        joined = {term for (term,) in db.execute("SELECT term FROM v") if len(term) > 1}
    finally:
        db.close()
    return "".join(c for c in chars if f"q{c}z" not in joined and f"q{c.lower()}z" not in joined)


@lru_cache(maxsize=1)
def _not_plain() -> re.Pattern[str]:
    separators = "".join(f"\\U{ord(c):08x}" for c in _separators())
    return re.compile(f"[^\\x00-\\x7f{separators}]")


def plain(text: str) -> bool:
    """Whether FTS5's unicode61 reads this text into exactly casegraph.fulltext's tokens."""
    return text.isascii() or _not_plain().search(text) is None


def index_form(text: str | None) -> str:
    """What document_search indexes for a document's text (see the module's docstring)."""
    if not text:
        return ""
    return text if plain(text) else search_tokens(text)


# Index every document with text that has no row in document_search yet (documents are only
# ever appended, so those are the ones above the highest rowid indexed); run inside a load's
# transaction. cg_index_form is index_form (ddl.register_functions).
INDEX_NEW = (
    "INSERT INTO document_search(rowid, body) SELECT rowid, cg_index_form(text) FROM documents"
    " WHERE rowid > coalesce((SELECT max(id) FROM document_search_docsize), 0) AND text <> ''"
)


def index_documents(db: sqlite3.Connection) -> None:
    """Index the documents a load added (inside the load's open transaction)."""
    db.execute(INDEX_NEW)


def _length(sz: bytes) -> int:
    """A docsize record's token count (one column: one varint; one or two bytes mostly)."""
    if sz and sz[0] < 0x80:
        return sz[0]
    if len(sz) > 1 and sz[1] < 0x80:
        return ((sz[0] & 0x7F) << 7) | sz[1]
    return (varints(sz) or [0])[0]


def varints(blob: bytes) -> list[int]:
    """The SQLite varints of an FTS5 record (docsize, averages)."""
    out: list[int] = []
    i = 0
    while i < len(blob):
        value = 0
        for n in range(9):
            if i >= len(blob):  # a damaged record: what it holds so far
                break
            byte = blob[i]
            i += 1
            if n == 8:
                value = (value << 8) | byte
                break
            value = (value << 7) | (byte & 0x7F)
            if not byte & 0x80:
                break
        out.append(value)
    return out


class SqliteText:
    """What `casegraph.queries.find` asks of the embedded store's text index (one question's
    worth: each term's postings are read once and kept)."""

    batch = 1 << 30  # counts() reads each term's whole posting list whatever the ids asked for

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self._scans: dict[Term, list[tuple[int, float]]] = {}

    def _match(self, node: Node) -> str:
        narrowed = positive(node)
        if narrowed is None:
            raise UsageError("query only says what must be absent; add a word to find")
        return fts5(narrowed)

    def candidates(self, node: Node) -> list[TextRow]:
        """Every document whose tokens may satisfy the query (a superset: NOT parts are left to
        the caller's check), by document id."""
        rows = self.db.execute(
            "SELECT d.id, d.title, d.path, d.published FROM document_search s"
            " JOIN documents d ON d.rowid = s.rowid WHERE document_search MATCH ? ORDER BY d.id",
            (self._match(node),),
        )
        return list(map(TextRow._make, rows))

    def _scan(self, term: Term) -> list[tuple[int, float]]:
        """(rowid, FTS5's bm25) of every document holding the term."""
        if term not in self._scans:
            self._scans[term] = self.db.execute(
                "SELECT rowid, bm25(document_search) FROM document_search"
                " WHERE document_search MATCH ?",
                (fts5(term),),
            ).fetchall()
        return self._scans[term]

    def counts(self, rows: Sequence[TextRow], wanted: Iterable[Term]) -> dict[str, Counted]:
        """Each document's length and how often each term occurs in it."""
        documents, total = self.totals()
        average = total / documents if documents else 1.0
        sized = self.db.execute(
            "SELECT d.rowid, d.id, z.sz FROM documents d"
            " JOIN document_search_docsize z ON z.id = d.rowid"
            " WHERE d.id IN (SELECT value FROM json_each(?))",
            (json.dumps([r.id for r in rows]),),
        ).fetchall()
        ids = {rowid: doc_id for rowid, doc_id, _ in sized}
        length = {rowid: _length(sz) for rowid, _, sz in sized}
        tf: dict[int, dict[Term, int]] = {rowid: {} for rowid in ids}
        for term in dict.fromkeys(wanted):
            found = self._scan(term)
            # FTS5's bm25 of one term: -idf * f * (K1 + 1) / (f + K1 * (1 - B + B * D / avg)),
            # its idf log((N - n + 0.5) / (n + 0.5)), or 1e-6 where that is not positive
            idf = math.log((documents - len(found) + 0.5) / (len(found) + 0.5))
            idf = idf if idf > 0 else 1e-6
            for rowid, score in found:
                counted = tf.get(rowid)
                if counted is None:
                    continue
                g = -score / idf
                norm = K1 * (1 - B + B * length[rowid] / average)
                counted[term] = max(1, round(g * norm / (K1 + 1 - g))) if g < K1 + 1 else 1
        return {ids[rowid]: Counted(length[rowid], found) for rowid, found in tf.items()}

    def frequency(self, term: Term) -> int:
        """How many documents hold the term."""
        return len(self._scan(term))

    def totals(self) -> tuple[int, int]:
        """How many documents have text, and how many tokens they hold in all (FTS5's averages
        record: rows, then tokens of the one column)."""
        row = self.db.execute("SELECT block FROM document_search_data WHERE id = 1").fetchone()
        if row is None or not row[0]:
            return 0, 0
        found = varints(bytes(row[0]))
        return found[0], found[1] if len(found) > 1 else 0

    def mentioned(self, document_id: str) -> list[tuple[str, str, str, list[str]]]:
        """The entities a document mentions: (id, name, type, every name they answer to)."""
        rows = self.db.execute(
            "SELECT e.id, e.name, e.type, json_group_array(n.name) FROM mentions m"
            " JOIN entities e ON e.id = m.entity_id LEFT JOIN names n ON n.entity_id = e.id"
            " WHERE m.document_id = ? AND e.status IS NULL GROUP BY e.id ORDER BY e.id",
            (document_id,),
        )
        return [(i, name, t, [x for x in json.loads(names) if x]) for i, name, t, names in rows]


def index_problems(db: sqlite3.Connection, *, full: bool) -> list[str]:
    """What is wrong with document_search (for `casegraph check`): every document with text
    indexed once, lengths adding up to the totals, and (full) the whole index readable with as
    many token occurrences as the lengths say. Reads only (a temp vocabulary table)."""
    present = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
    if "document_search_docsize" not in present:
        return ["document_search: the text index is missing"]
    problems: list[str] = []
    rows, tokens = SqliteText(db).totals()
    with_text = db.execute("SELECT count(*) FROM documents WHERE text <> ''").fetchone()[0]
    if rows != with_text:
        problems.append(f"document_search: {rows} document(s) indexed, {with_text} have text")
    unknown = db.execute(
        "SELECT count(*) FROM document_search_docsize z WHERE NOT EXISTS (SELECT 1 FROM"
        " documents d WHERE d.rowid = z.id AND d.text <> '')"
    ).fetchone()[0]
    if unknown:
        problems.append(f"document_search: {unknown} row(s) of no document with text")
    sizes = [varints(bytes(sz)) for (sz,) in db.execute("SELECT sz FROM document_search_docsize")]
    if len(sizes) != rows or sum(s[0] for s in sizes if s) != tokens:
        problems.append("document_search: document lengths do not add up to the index's totals")
    if full:
        db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.cg_check_vocab"
                   " USING fts5vocab(main, document_search, row)")  # fmt: skip
        try:
            found = db.execute("SELECT total(cnt) FROM temp.cg_check_vocab").fetchone()[0]
        finally:
            db.execute("DROP TABLE temp.cg_check_vocab")
        if int(found) != tokens:
            problems.append(f"document_search: the index holds {int(found)} token(s), its "
                            f"documents {tokens}")  # fmt: skip
    return problems
