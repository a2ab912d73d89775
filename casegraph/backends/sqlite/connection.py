"""Opening an embedded store file: creation, schema checks and migration, locking, transactions."""

from __future__ import annotations

import os
import secrets
import sqlite3
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from casegraph.backends.sqlite.check import sound_for_writing, store_failure
from casegraph.backends.sqlite.ddl import (
    APPLICATION_ID,
    DDL,
    MIGRATIONS,
    SCHEMA_VERSION,
    register_functions,
    statements,
)
from casegraph.errors import StoreError
from casegraph.graph.ids import now
from casegraph.safefile import new_beside, publish

# How long a writer waits for another writer's lock before giving up (seconds).
BUSY_TIMEOUT = 60.0
# Before its first write, a connection checks the store: in full (SQLite's integrity_check,
# foreign keys, JSON, UTF-8) when the file is at most this size (well under a second), else
# SQLite's quick_check (about 0.4 s for 300 MB), so a damaged store is never written into.
FULL_CHECK_MAX_BYTES = 64 * 1024 * 1024
# The page cache of a load, in KiB (SQLite's default is 2 MiB); it is given back afterwards.
LOAD_CACHE_KIB = 64 * 1024


def note(message: str) -> None:
    """A note for the person at the terminal: on stderr, never stdout (which carries data)."""
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def on_read_only_fs(path: Path) -> bool:
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def writable(path: Path) -> bool:
    """Whether this process may write the store file and create its journal beside it."""
    return os.access(path, os.W_OK) and os.access(path.parent if str(path.parent) else ".", os.W_OK)


def _is_busy(error: sqlite3.OperationalError) -> bool:
    return "locked" in str(error) or "busy" in str(error)


class NothingNew(Exception):
    """Raised inside a write that changed nothing, to roll it back without a revision bump."""


class Connection:
    """One SQLite connection to a casegraph store, and its write transactions."""

    def __init__(
        self,
        path: Path,
        *,
        create: bool,
        read_only: bool = False,
        on_wait: Callable[[str], None] | None = None,
    ) -> None:
        self.path = path
        self.on_wait = on_wait
        self.checked = False  # whether the store was found sound before this connection wrote
        exists = path.exists()
        if not create and not exists:
            raise StoreError(f"no store at {path} (run 'casegraph load' or 'casegraph demo' first)")
        if not exists and not read_only:
            try:  # whole or not at all: an empty store file is always damage
                _create_file(path)
            except (sqlite3.DatabaseError, OSError) as e:
                reason = getattr(e, "strerror", None) or e
                raise StoreError(f"{path}: cannot create the store ({reason})") from e
            exists = True
        if exists and not path.is_file():
            raise StoreError(f"{path} is not a regular file, not a casegraph store")
        if exists and path.stat().st_size == 0:
            raise StoreError(f"{path} is an empty file, not a casegraph store")
        # Read-only media, or a file this user may not write: nobody here can write, and no
        # -shm can be made beside it, so it is opened immutable. Asked for reading only: mode=ro.
        locked_down = exists and (on_read_only_fs(path) or not writable(path))
        self.read_only = read_only or locked_down
        self.immutable = locked_down
        self.why_read_only = (
            "the store is on a read-only file system"
            if exists and on_read_only_fs(path)
            else "the store file or its folder is not writable"
            if locked_down
            else "the store was opened for reading"
        )
        try:
            if self.read_only and exists:
                mode = "immutable=1" if self.immutable else "mode=ro"
                target = path.resolve().as_uri() + "?" + mode
                self.db = sqlite3.connect(
                    target, timeout=BUSY_TIMEOUT, isolation_level=None, check_same_thread=False,
                    uri=True,
                )  # fmt: skip
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                self.db = sqlite3.connect(
                    path, timeout=BUSY_TIMEOUT, isolation_level=None, check_same_thread=False
                )
            self.db.execute("PRAGMA foreign_keys = ON")
            self.db.execute("PRAGMA cell_size_check = ON")  # damaged pages fail, not mislead
            register_functions(self.db)
            self._prepare()
        except sqlite3.DatabaseError as e:
            failure = store_failure(path, e)
            if "damaged" in str(failure):  # at open: damage, or another kind of file
                failure = StoreError(
                    f"{path}: not a usable casegraph store: damaged or not a store ({e}); "
                    "'casegraph check' says what is wrong"
                )
            raise failure from e
        except OSError as e:
            raise StoreError(f"{path}: cannot open store ({e.strerror or e})") from e
        try:
            self.uuid = self.meta("uuid")
        except sqlite3.DatabaseError as e:
            raise store_failure(path, e) from e

    # ------------------------------------------------------------------ set-up
    def _tables(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0])

    def _prepare(self) -> None:
        if self._tables() == 0:
            raise StoreError(f"{self.path} is not a casegraph store (it holds no tables)")
        app_id = self.db.execute("PRAGMA application_id").fetchone()[0]
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if app_id != APPLICATION_ID:
            raise StoreError(f"{self.path} is a SQLite file but not a casegraph store")
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} has store schema version {version}; this casegraph reads up to "
                f"{SCHEMA_VERSION} (upgrade casegraph)"
            )
        if version < SCHEMA_VERSION:
            self._migrate(version)
        if not self.read_only:
            self.db.execute("PRAGMA synchronous = FULL")

    def _migrate(self, version: int) -> None:
        """Bring a store of an older schema version up to this one, in one transaction."""
        if self.read_only:
            raise StoreError(
                f"{self.path} has store schema version {version}; open it once where it can be "
                f"written to upgrade it to {SCHEMA_VERSION} ({self.why_read_only})"
            )
        try:
            with self.write():
                found = self.db.execute("PRAGMA user_version").fetchone()[0]
                for step in range(found, SCHEMA_VERSION):  # re-read: another process may have
                    for statement in statements(MIGRATIONS[step - 1]):
                        self.db.execute(statement)
                    self.db.execute(f"PRAGMA user_version = {step + 1}")
                if found == SCHEMA_VERSION:
                    raise NothingNew
        except NothingNew:
            pass

    def close(self) -> None:
        self.db.close()

    def meta(self, key: str) -> str:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else ""

    @property
    def revision(self) -> int:
        """A counter that grows with every committed change: caches key on it."""
        return int(self.meta("revision") or 0)

    # ------------------------------------------------------------------ transactions
    @contextmanager
    def reading(self) -> Iterator[None]:
        """Every read inside sees one snapshot of the store: writers that commit meanwhile are
        not seen (a read transaction; re-entrant; never around a write)."""
        if self.db.in_transaction:
            yield
            return
        self.db.execute("BEGIN")
        try:
            self.db.execute("SELECT count(*) FROM meta").fetchone()  # the snapshot starts here
            yield
        finally:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")

    def _check_before_writing(self) -> None:
        """Refuse to write into a damaged store (once per connection, inside the transaction)."""
        if self.checked:
            return
        try:
            size = self.path.stat().st_size
        except OSError:
            size = 0
        problem = sound_for_writing(self.db, self.path, full=size <= FULL_CHECK_MAX_BYTES)
        if problem:
            raise StoreError(
                f"{self.path}: the store is damaged ({problem}); nothing was written. "
                "'casegraph check' says what is wrong"
            )
        self.checked = True

    def _begin(self) -> None:
        """BEGIN IMMEDIATE; when another process holds the write lock, say so (on_wait), then
        wait for it BUSY_TIMEOUT seconds at most, rather than seem to hang."""
        if self.read_only:
            raise StoreError(f"{self.path}: cannot write: {self.why_read_only}")
        busy_ms = int(BUSY_TIMEOUT * 1000)
        try:
            self.db.execute("PRAGMA busy_timeout = 0")
            try:
                self.db.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as e:
                if not _is_busy(e):
                    raise
            if self.on_wait:
                self.on_wait(
                    f"waiting for another casegraph process to finish writing {self.path} "
                    f"(up to {BUSY_TIMEOUT:.0f} s)..."
                )
            self.db.execute(f"PRAGMA busy_timeout = {busy_ms}")
            try:
                self.db.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as e:
                if _is_busy(e):
                    raise StoreError(
                        f"{self.path}: another process has been writing to the store for "
                        f"{BUSY_TIMEOUT:.0f} s; try again when it has finished"
                    ) from e
                raise
        except sqlite3.OperationalError as e:
            raise StoreError(f"{self.path}: store is busy or read-only ({e})") from e
        finally:
            self.db.execute(f"PRAGMA busy_timeout = {busy_ms}")

    @contextmanager
    def write(self) -> Iterator[None]:
        """One write transaction: all of it commits, or none of it (errors, Ctrl-C, kill); the
        store's revision grows by one when it commits."""
        self._begin()
        try:
            self._check_before_writing()
            yield
            self.db.execute(
                "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'revision'"
            )
            self.db.execute("COMMIT")
        except BaseException:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            raise

    @contextmanager
    def loading(self) -> Iterator[None]:
        """The write transaction of a load: `write` with a larger page cache while it lasts
        (LOAD_CACHE_KIB), so a large load's index inserts, in random key order, stay in memory
        instead of spilling pages into the WAL and reading them back."""
        before = int(self.db.execute("PRAGMA cache_size").fetchone()[0])
        self.db.execute(f"PRAGMA cache_size = -{LOAD_CACHE_KIB}")
        try:
            with self.write():
                yield
        finally:
            self.db.execute(f"PRAGMA cache_size = {before}")


def _create_file(path: Path) -> None:
    """Make a new, complete store at path: built under a random name beside it, then linked into
    place, which fails if another process got there first (then its store is the one used)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = new_beside(path, 0o600, suffix=".new")
    os.close(fd)
    try:
        db = sqlite3.connect(tmp, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode = WAL")
            register_functions(db)
            db.execute("BEGIN IMMEDIATE")
            for script in (DDL, *MIGRATIONS):
                for statement in statements(script):
                    db.execute(statement)
            db.executemany(
                "INSERT INTO meta(key, value) VALUES (?, ?)",
                [("uuid", uuid.uuid4().hex), ("revision", "1"), ("created_at", now()),
                 ("cache_key", secrets.token_hex(32))],
            )  # fmt: skip
            db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            db.execute("COMMIT")
        finally:
            db.close()  # checkpoints: the -wal and -shm files go
        with suppress(FileExistsError):  # the store is readable by its owner only (mode 0600)
            publish(tmp, path, replace=False)
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(str(tmp) + suffix).unlink(missing_ok=True)
