"""The adjacency kept beside a store must never be trusted when it came from someone else.

The attacker here is whoever hands an investigator a case file: they made the store, so they
know everything inside it, including its key, and can ship an adjacency file beside it that
claims links the store does not hold. Only this user's own secret (outside the store) makes the
file trusted; nothing in it is ever executed (it holds arrays, not pickles).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from pathlib import Path

import pytest

from casegraph.backends.sqlite import SqliteStore, graphview
from casegraph.backends.sqlite.adjacency import build, stamp, write
from casegraph.pipeline import load_paths
from casegraph.queries.neighbors import neighbors
from tests.security.test_faults import small_jsonl

LIE = '{"type": "Company", "name": "Black Cube"}\n{"source": "NSO Group", "type": "PART_OF", "target": "Black Cube", "quote": "lie"}\n'


@pytest.fixture
def shared_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A store made on the attacker's machine (their own cache secret), and beside it the store
    of the lie they want believed: the same facts plus a link to an entity the store lacks."""
    monkeypatch.setattr(graphview, "DISK_MIN_RELATIONS", 1)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "attacker-cache"))
    graphview.user_secret.cache_clear()
    graphview.ADJACENCY_CACHE.clear()
    with SqliteStore(tmp_path / "case.db") as store:
        load_paths(store, [small_jsonl(tmp_path / "s.jsonl")])
    liar = tmp_path / "lie.jsonl"
    liar.write_text(small_jsonl(tmp_path / "s2.jsonl").read_text() + LIE, encoding="utf-8")
    with SqliteStore(tmp_path / "lie.db") as other:
        load_paths(other, [liar])
    yield tmp_path / "case.db"
    graphview.user_secret.cache_clear()
    graphview.ADJACENCY_CACHE.clear()


def _forge(store_path: Path, signed_with: str, tmp_path: Path) -> None:
    """Write the lie's adjacency beside the shared store, claiming its uuid and state."""
    with SqliteStore(store_path) as store:
        lie = SqliteStore(tmp_path / "lie.db")
        try:
            forged = build(lie.db, lie.uuid)
        finally:
            lie.close()
        forged.uuid, forged.stamp = store.uuid, stamp(store.db)
        store_key = bytes.fromhex(store.conn.meta("cache_key"))
        if signed_with == "store key":
            key = store_key
        else:
            secret = (tmp_path / "attacker-cache" / "casegraph" / "cache-secret").read_bytes()
            key = hmac.new(secret, store_key, hashlib.sha256).digest()
        write(forged, store.adjacency_path, key)


@pytest.mark.parametrize("signed_with", ["store key", "attacker secret"])
def test_an_adjacency_that_came_with_a_shared_store_is_never_trusted(
    shared_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, signed_with: str
) -> None:
    _forge(shared_store, signed_with, tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "victim-cache"))
    graphview.user_secret.cache_clear()
    graphview.ADJACENCY_CACHE.clear()
    with SqliteStore(shared_store) as store:
        around = neighbors(store, "NSO Group")
        assert [n.name for n in around.nodes] == ["NSO Group", "Pegasus"]
        assert [e.type for e in around.edges] == ["DEVELOPED"]


def test_the_users_own_file_is_still_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(graphview, "DISK_MIN_RELATIONS", 1)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "me"))
    graphview.user_secret.cache_clear()
    graphview.ADJACENCY_CACHE.clear()
    try:
        with SqliteStore(tmp_path / "c.db") as store:
            load_paths(store, [small_jsonl(tmp_path / "s.jsonl")])
            graphview.ADJACENCY_CACHE.clear()
            assert store.view.adjacency().source == "file"
            secret = tmp_path / "me" / "casegraph" / "cache-secret"
            assert secret.stat().st_mode & 0o777 == 0o600
            assert store.adjacency_path.stat().st_mode & 0o777 == 0o600
    finally:
        graphview.user_secret.cache_clear()
        graphview.ADJACENCY_CACHE.clear()
