"""Whether an embedded store file is sound: SQLite's own checks, then casegraph's (`casegraph check`)."""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from casegraph.backends.sqlite.fulltext import index_problems
from casegraph.errors import StoreError, shown

# The tables every casegraph store has, and their columns holding JSON text.
TABLES = ("meta", "documents", "entities", "names", "xids", "relations", "evidence", "mentions",
          "decisions")  # fmt: skip
JSON_COLUMNS = (("documents", "properties"), ("entities", "properties"),
                ("relations", "properties"), ("decisions", "payload"))  # fmt: skip
# Problems listed at most (a badly damaged file can have millions).
MAX_PROBLEMS = 20
SQLITE_HEADER = b"SQLite format 3\x00"
# Words of SQLite's errors that mean the file is damaged.
DAMAGE_WORDS = ("malformed", "not a database", "could not decode", "corrupt", "no such table",
                "no such column")  # fmt: skip


@dataclass
class CheckReport:
    """What `check` found: sound or not, the problems (at most MAX_PROBLEMS), and counts."""

    store: str
    problems: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    more: int = 0  # problems found beyond those listed

    @property
    def sound(self) -> bool:
        return not self.problems

    def add(self, problem: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)
        else:
            self.more += 1

    def as_dict(self) -> dict[str, Any]:
        return {"store": self.store, "sound": self.sound, "problems": self.problems,
                "more_problems": self.more, "counts": self.counts}  # fmt: skip

    def first(self) -> str:
        """The first problem, for a one-line message."""
        return self.problems[0] if self.problems else "no problem found"


def check_store(path: Path, *, full: bool = True) -> CheckReport:
    """Whether the store file at `path` is sound. full=False runs SQLite's quick_check instead of
    integrity_check (it does not compare indexes with their tables) and skips the text scan."""
    path = Path(path)
    report = CheckReport(str(path))
    try:
        with path.open("rb") as fh:
            header = fh.read(len(SQLITE_HEADER))
    except OSError as e:
        report.add(f"cannot read the file ({e.strerror or e})")
        return report
    if not path.is_file():
        report.add("not a regular file")
        return report
    if not header:
        report.add("an empty file, not a casegraph store")
        return report
    if header != SQLITE_HEADER:
        report.add("not a SQLite file (its header is damaged or it is another kind of file)")
        return report
    # Read only; a store this user may not write (or on read-only media) opened immutable, as
    # no -shm file can be made beside it.
    writable = os.access(path, os.W_OK) and os.access(path.resolve().parent, os.W_OK)
    try:
        mode = "mode=ro" if writable else "immutable=1"
        db = sqlite3.connect(path.resolve().as_uri() + "?" + mode, uri=True, timeout=60)
    except sqlite3.Error as e:
        report.add(f"cannot open ({e})")
        return report
    try:
        _check(db, report, full)
    except sqlite3.DatabaseError as e:  # so damaged that a check itself fails
        report.add(f"unreadable: {e}")
    finally:
        db.close()
    return report


def store_failure(path: Path | str, error: sqlite3.DatabaseError) -> StoreError:
    """What a SQLite error met while using the store means, as one line (exit 3): busy,
    read-only, full, unreadable, or damaged (then `casegraph check` says more)."""
    text = str(error)
    kind = _kind(error)
    why = {
        "busy": f"the store is busy: another process holds it ({text})",
        "readonly": f"cannot write: the store is read-only ({text})",
        "full": f"the disk or the store is full ({text})",
        "io": f"cannot read or write the store file ({text})",
        "damaged": f"the store is damaged ({text}); 'casegraph check' says what is wrong",
    }.get(kind or "", f"the store could not answer ({text})")
    return StoreError(f"{path}: {why}")


# SQLite's result codes (the primary code of an extended one) -> what they mean for the user.
_CODES = {
    "SQLITE_BUSY": "busy", "SQLITE_LOCKED": "busy", "SQLITE_READONLY": "readonly",
    "SQLITE_FULL": "full", "SQLITE_IOERR": "io", "SQLITE_CANTOPEN": "io",
    "SQLITE_CORRUPT": "damaged", "SQLITE_NOTADB": "damaged",
}  # fmt: skip
# SQLite's own messages for those codes, for errors that come without one.
_MESSAGES = (
    ("database is locked", "busy"), ("database table is locked", "busy"),
    ("readonly database", "readonly"), ("database or disk is full", "full"),
    ("disk i/o error", "io"), ("unable to open database", "io"),
)  # fmt: skip


def _kind(error: sqlite3.Error) -> str | None:
    """busy, readonly, full, io, damaged or None, from the error's result code when it has one,
    else from its message. Damage is looked for before SQLite's fixed phrases: a damaged schema
    is quoted in the message and may contain any word ('near "FULL": syntax error')."""
    name = getattr(error, "sqlite_errorname", None) or ""
    primary = "_".join(name.split("_")[:2])
    if primary in _CODES:
        return _CODES[primary]
    low = str(error).lower()
    if any(word in low for word in DAMAGE_WORDS):
        return "damaged"
    return next((kind for phrase, kind in _MESSAGES if phrase in low), None)


def failure_message(path: Path, error: BaseException) -> str | None:
    """What an unexpected error met while using the store at `path` means for the user: a
    SQLite error says itself (busy, read-only, damaged, ...); any other error is put down to
    damage only if the store is found damaged (else None: it is a bug)."""
    if isinstance(error, sqlite3.DatabaseError):
        failure = str(store_failure(path, error))
        if "could not answer" not in failure:
            return failure
    if not Path(path).is_file():
        return None
    try:
        report = check_store(Path(path))
    except Exception:  # the check itself broke on the file: damaged beyond reading
        return f"{path}: the store is damaged ({type(error).__name__}: {error})"
    if report.sound:
        return None
    return f"{path}: the store is damaged ({report.first()}); 'casegraph check' says what is wrong"


def sound_for_writing(db: sqlite3.Connection, path: Path, *, full: bool) -> str | None:
    """The first problem of an open store before it is written (None when sound): the checks of
    `check_store` on the connection itself (inside the writer's transaction)."""
    report = CheckReport(str(path))
    try:
        _check(db, report, full)
    except sqlite3.DatabaseError as e:
        report.add(f"unreadable: {e}")
    return None if report.sound else report.first()


def _check(db: sqlite3.Connection, report: CheckReport, full: bool) -> None:
    from casegraph.backends.sqlite.ddl import APPLICATION_ID, SCHEMA_VERSION
    from casegraph.graph.schema import load_schema

    pragma = "integrity_check" if full else "quick_check"
    for (line,) in db.execute(f"PRAGMA {pragma}({MAX_PROBLEMS})"):
        if line != "ok":
            report.add(f"SQLite {pragma}: {line}")
    if not report.sound:
        return  # the rest would only read through the damage
    if db.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
        report.add("a SQLite file but not a casegraph store (application id)")
        return
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if not 1 <= version <= SCHEMA_VERSION:
        report.add(f"store schema version {version} is not one this casegraph knows")
    present = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    missing = [t for t in TABLES if t not in present]
    if missing:
        report.add(f"tables missing: {', '.join(missing)}")
        return
    for table, _rowid, parent, _ in db.execute("PRAGMA foreign_key_check").fetchmany(MAX_PROBLEMS):
        report.add(f"{table}: a row refers to a missing {parent} row")
    _check_meta(db, report)
    for table, column in JSON_COLUMNS:
        sql = f"SELECT count(*) FROM {table} WHERE json_valid({column}) = 0"  # noqa: S608
        bad = db.execute(sql).fetchone()[0]  # (table and column names are our own constants)
        if bad:
            report.add(f"{table}.{column}: {bad} row(s) do not hold valid JSON")
    schema = load_schema()
    for table, allowed in (("entities", schema.entity_types), ("relations", schema.relation_types),
                           ("names", schema.entity_types)):  # fmt: skip
        sql = f"SELECT DISTINCT CAST(type AS BLOB) FROM {table}"  # noqa: S608 (our own names)
        for (value,) in db.execute(sql):
            text = bytes(value).decode("utf-8", "replace")
            if text not in allowed:
                report.add(f"{table}: unknown type {shown(text[:80])}")
    bad = db.execute(
        "SELECT count(*) FROM evidence WHERE typeof(confidence) NOT IN ('real', 'integer')"
        ' OR confidence < 0 OR confidence > 1 OR (start IS NULL) <> ("end" IS NULL)'
        ' OR start > "end"'
    ).fetchone()[0]
    if bad:
        report.add(f"evidence: {bad} row(s) with impossible confidence or offsets")
    if full:
        _check_text(db, report)
    if version == SCHEMA_VERSION:
        for problem in index_problems(db, full=full):
            report.add(problem)
    for table in ("documents", "entities", "relations", "evidence"):
        sql = f"SELECT count(*) FROM {table}"  # noqa: S608 (our own table names)
        report.counts[table] = int(db.execute(sql).fetchone()[0])


def _check_meta(db: sqlite3.Connection, report: CheckReport) -> None:
    rows = {
        bytes(k).decode("utf-8", "replace"): bytes(v)
        for k, v in db.execute("SELECT CAST(key AS BLOB), CAST(value AS BLOB) FROM meta")
    }
    for key in ("uuid", "revision", "cache_key"):
        if key not in rows:
            report.add(f"meta: no {key}")
    if "revision" in rows and not rows["revision"].isdigit():
        report.add("meta: the revision is not a number")


def _check_text(db: sqlite3.Connection, report: CheckReport) -> None:
    """Every text value decodes as UTF-8 (a flipped bit in a name breaks every read of it)."""
    before = db.text_factory
    db.text_factory = bytes
    try:
        for table in TABLES:
            bad = 0
            for row in db.execute(f"SELECT * FROM {table}"):  # noqa: S608 (our own table names)
                for value in row:
                    if isinstance(value, bytes):
                        try:
                            value.decode("utf-8")
                        except UnicodeDecodeError:
                            bad += 1
            if bad:
                report.add(f"{table}: {bad} text value(s) are not valid UTF-8")
    finally:
        db.text_factory = before
