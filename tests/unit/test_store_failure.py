"""What a SQLite error means for the user: from its result code, and from its message only
after damage is ruled in (a damaged schema is quoted in the message and may say anything)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from casegraph.backends.sqlite.check import store_failure


def test_a_damaged_schema_quoting_the_word_full_is_damage_not_a_full_disk() -> None:
    error = sqlite3.DatabaseError(
        'malformed database schema (documents) - near "FULL": syntax error'
    )
    message = str(store_failure("case.db", error))
    assert "damaged" in message and "full" not in message.split("(")[0]


def test_sqlites_own_messages_without_a_code() -> None:
    assert "is full" in str(
        store_failure("c", sqlite3.OperationalError("database or disk is full"))
    )
    readonly = sqlite3.OperationalError("attempt to write a readonly database")
    assert "read-only" in str(store_failure("c", readonly))
    assert "could not answer" in str(store_failure("c", sqlite3.OperationalError("no more rows")))


def test_a_real_busy_store_is_busy_by_its_code(tmp_path: Path) -> None:
    path = tmp_path / "case.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN EXCLUSIVE")
    other = sqlite3.connect(path, timeout=0)
    try:
        other.execute("SELECT * FROM t")
    except sqlite3.OperationalError as e:
        assert getattr(e, "sqlite_errorname", "").startswith("SQLITE_BUSY")
        assert "busy" in str(store_failure(path, e))
    else:
        raise AssertionError("the exclusive lock did not hold")
    finally:
        other.close()
        holder.close()
