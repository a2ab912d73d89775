"""The on-disk graph cache is a pickle: a forged one must never be unpickled (it runs code).

The attacker here is whoever hands an investigator a case file: they made the store, so they
know everything inside it, including its cache key. Only this user's own secret (outside the
store) makes a cache trusted.
"""

from __future__ import annotations

import builtins
import hashlib
import hmac
import pickle
from pathlib import Path

import pytest

from casegraph.backends.sqlite import SqliteStore, graphview
from casegraph.pipeline import load_paths
from tests.security.test_faults import small_jsonl


class Payload:
    def __reduce__(self) -> tuple[object, ...]:
        return (exec, ("import builtins; builtins.__casegraph_pwned__ = True",))


def _forge(store: SqliteStore, signing: bytes) -> None:
    payload = pickle.dumps((store.uuid, store.revision, Payload()))
    store.cache_path.write_bytes(hmac.new(signing, payload, hashlib.sha256).digest() + payload)


@pytest.fixture
def shared_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A store made on the attacker's machine (their own cache secret)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "attacker-cache"))
    graphview.user_secret.cache_clear()
    with SqliteStore(tmp_path / "case.db") as store:
        load_paths(store, [small_jsonl(tmp_path / "s.jsonl")])
        key = bytes.fromhex(store.conn.meta("cache_key"))
        secret = graphview.user_secret()
        assert secret is not None
        _forge(store, hmac.new(secret, key, hashlib.sha256).digest())  # valid for the attacker
    graphview.GRAPH_CACHE.clear()
    return tmp_path / "case.db"


@pytest.mark.parametrize("signed_with", ["store key", "attacker secret"])
def test_a_cache_that_came_with_a_shared_store_is_never_unpickled(
    shared_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, signed_with: str
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "victim-cache"))
    graphview.user_secret.cache_clear()
    try:
        with SqliteStore(shared_store) as store:
            if signed_with == "store key":  # the scheme before this fix: key inside the store
                _forge(store, bytes.fromhex(store.conn.meta("cache_key")))
            graph = store.view.graph()
            assert not getattr(builtins, "__casegraph_pwned__", False), "forged pickle ran"
            assert graph.number_of_edges() == 1 and graph.number_of_nodes() == 2
    finally:
        graphview.user_secret.cache_clear()
        graphview.GRAPH_CACHE.clear()
        if hasattr(builtins, "__casegraph_pwned__"):
            delattr(builtins, "__casegraph_pwned__")


def test_the_users_own_cache_is_still_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "me"))
    graphview.user_secret.cache_clear()
    try:
        with SqliteStore(tmp_path / "c.db") as store:
            load_paths(store, [small_jsonl(tmp_path / "s.jsonl")])
            store.view._write_cached(store.view._build(), store.revision)
            assert store.view._read_cached(store.revision) is not None
            secret = tmp_path / "me" / "casegraph" / "cache-secret"
            assert secret.stat().st_mode & 0o777 == 0o600
    finally:
        graphview.user_secret.cache_clear()
