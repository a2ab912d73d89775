"""The Neo4j connection: a lazily imported driver, the database on every call, errors mapped once."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

from casegraph.backends.neo4j import cypher as cy
from casegraph.errors import BackendUnavailable, CasegraphError, UsageError

T = TypeVar("T")

# How long to wait for a TCP connection, and how long managed transactions retry transient errors.
CONNECTION_TIMEOUT = 10.0
RETRY_TIME = 15.0
# How long to wait for newly created indexes to come online (seconds).
INDEX_WAIT = 300
# Bolt schemes (direct and routing, plain and TLS); the driver's HTTP preview is not used.
SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")


def public_uri(uri: str) -> str:
    """The URI without user name or password (safe to print)."""
    try:
        parts = urlsplit(uri)
    except ValueError:
        return "<invalid URI>"
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = f"{host}:{port}" if port else host
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))


class Client:
    """One driver for one database; every driver call goes through `guard` to map its errors."""

    def __init__(
        self,
        uri: str,
        username: str,
        password: str | None,
        database: str,
        *,
        retry_time: float = RETRY_TIME,
    ) -> None:
        self.uri = public_uri(uri)
        self.database = database
        self._username = username
        self._password = password or ""
        scheme = uri.split("://", 1)[0].lower() if "://" in uri else ""
        if scheme not in SCHEMES:
            raise UsageError(
                f"not a usable Neo4j URI {self.uri}: the scheme must be one of {', '.join(SCHEMES)}"
            )
        with self.guard():
            import neo4j

            try:
                self.driver = neo4j.GraphDatabase.driver(
                    uri,
                    auth=(username, self._password) if password is not None else None,
                    connection_timeout=CONNECTION_TIMEOUT,
                    max_transaction_retry_time=retry_time,
                    notifications_min_severity="OFF",
                    user_agent="casegraph",
                )
            except (ValueError, neo4j.exceptions.ConfigurationError) as e:
                raise UsageError(f"not a usable Neo4j URI {self.uri}: {self._clean(e)}") from None

    # ------------------------------------------------------------------ errors
    def _clean(self, error: BaseException) -> str:
        """A driver message as one line, with the password (if it ever appeared) masked."""
        text = " ".join(str(error).split()) or type(error).__name__
        if self._password:
            text = text.replace(self._password, "***")
        return text[:300]

    @contextmanager
    def guard(self) -> Iterator[None]:
        """Map the driver's connection, credential and database errors to BackendUnavailable."""
        import neo4j.exceptions as ne

        try:
            yield
        except CasegraphError:
            raise
        except ne.AuthError as e:
            raise BackendUnavailable(
                f"Neo4j at {self.uri} refused the credentials of user {self._username!r} "
                "(check NEO4J_USERNAME / NEO4J_PASSWORD)"
            ) from e
        except ne.IncompleteCommit as e:
            raise BackendUnavailable(
                f"lost Neo4j at {self.uri} while committing; the last batch may not be saved "
                "(re-run the command: writes are idempotent)"
            ) from e
        except (ne.ServiceUnavailable, ne.SessionExpired, ne.DatabaseUnavailable) as e:
            raise BackendUnavailable(f"cannot reach Neo4j at {self.uri}: {self._reason(e)}") from e
        except ne.Forbidden as e:
            raise BackendUnavailable(
                f"Neo4j at {self.uri} refused the operation for user {self._username!r}: "
                f"{self._clean(e)}"
            ) from e
        except ne.ClientError as e:
            if "AuthenticationRateLimit" in (e.code or ""):
                raise BackendUnavailable(
                    f"Neo4j at {self.uri} refused user {self._username!r} for a while after too "
                    "many failed logins; wait and check NEO4J_PASSWORD"
                ) from e
            if "DatabaseNotFound" in (e.code or ""):
                raise BackendUnavailable(
                    f"Neo4j at {self.uri} has no database {self.database!r} (check NEO4J_DATABASE)"
                ) from e
            raise

    def _reason(self, error: BaseException) -> str:
        text = self._clean(error)
        lowered = text.lower()
        if "connection refused" in lowered:
            return "connection refused (is the server running?)"
        if "timed out" in lowered or "timeout" in lowered:
            return "connection timed out"
        if "defunct" in lowered or "closed" in lowered or "reset" in lowered:
            return "the connection was lost (did the server stop?)"
        return text

    # ------------------------------------------------------------------ calls
    def verify(self) -> None:
        """Connect and authenticate now, so a bad URI or password fails at once."""
        with self.guard():
            self.driver.verify_connectivity()
            self.read("RETURN 1 AS one")

    def read(
        self, query: str, params: dict[str, Any] | None = None, timeout: float | None = None
    ) -> list[dict[str, Any]]:
        """The records of a read query, as dicts, run in a managed read transaction.

        The values are kept as the driver decoded them: casegraph's statements return
        properties, lists and maps, never nodes or relationships, so the driver's `data()`
        (which walks every value to turn graph objects into dicts, most of the client's time on
        a read of thousands of evidence lists) is not needed."""
        from neo4j import unit_of_work

        @unit_of_work(timeout=timeout)
        def work(tx: Any) -> list[dict[str, Any]]:
            result = tx.run(query, params or {})
            keys = result.keys()
            return [dict(zip(keys, record, strict=True)) for record in result]

        return self.read_tx(work)

    def read_tx(self, work: Callable[[Any], T]) -> T:
        """The result of `work(tx)` in a managed read transaction on the database."""
        with self.guard(), self.driver.session(database=self.database) as session:
            return session.execute_read(work)

    def write_tx(self, work: Callable[[Any], T]) -> T:
        """The result of `work(tx)` in a managed write transaction (retried on transient errors)."""
        with self.guard(), self.driver.session(database=self.database) as session:
            return session.execute_write(work)

    def write(self, query: str, params: dict[str, Any] | None = None) -> Any:
        """Run one write query in its own transaction; returns its summary counters."""

        def work(tx: Any) -> Any:
            return tx.run(query, params or {}).consume().counters

        return self.write_tx(work)

    def close(self) -> None:
        driver = getattr(self, "driver", None)
        if driver is not None:
            with self.guard():
                driver.close()

    # ------------------------------------------------------------------ schema
    def ensure_schema(self) -> tuple[int, str]:
        """Create missing constraints, indexes and the bookkeeping node; (revision, store uuid)."""
        from datetime import UTC, datetime

        existing = {row["name"] for row in self.read(cy.SHOW_SCHEMA_NAMES)}
        missing = [s for name, s in cy.schema_statements().items() if name not in existing]
        for statement in missing:
            self.write(statement)
        if missing:
            self.write(cy.AWAIT_INDEXES, {"seconds": INDEX_WAIT})
        if "cg_decision_uid" in {n for n in cy.schema_statements() if n not in existing}:
            self.write(cy.DECISION_UIDS)  # a store from before decisions had uids
        found = self.read(cy.META)
        if found:
            return int(found[0]["revision"]), str(found[0]["uuid"])
        now = datetime.now(UTC).isoformat(timespec="seconds")

        def meta(tx: Any) -> tuple[int, str]:
            row = tx.run(cy.ENSURE_META, uuid=uuid.uuid4().hex, now=now).single()
            return int(row["revision"]), str(row["uuid"])

        return self.write_tx(meta)
