"""Connecting: unreachable servers, bad credentials and lost connections are BackendUnavailable."""

from __future__ import annotations

import contextlib
import dataclasses
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from casegraph.backends import open_store
from casegraph.backends.neo4j import Neo4jStore
from casegraph.config import Config
from casegraph.errors import EXIT_BACKEND, BackendUnavailable, UsageError
from casegraph.pipeline import load_paths
from tests.conftest import free_port, write_jsonl


def test_unreachable_server_is_one_clear_line() -> None:
    uri = f"bolt://127.0.0.1:{free_port()}"
    config = Config(neo4j_uri=uri, neo4j_password="s3cret-pass")
    with pytest.raises(BackendUnavailable) as err:
        open_store(config)
    message = str(err.value)
    assert err.value.exit_code == EXIT_BACKEND
    assert uri in message and "\n" not in message and "s3cret-pass" not in message
    assert "connection refused" in message


# Bad logins use a user that does not exist: Neo4j locks a user out for a while after a few
# failed logins, which would break the other tests logging in as neo4j.
NOBODY = "casegraph-test-nobody"


def test_bad_credentials_name_the_user_not_the_password(neo4j_config: Config) -> None:
    config = dataclasses.replace(
        neo4j_config, neo4j_username=NOBODY, neo4j_password="wrong-password-123"
    )
    with pytest.raises(
        BackendUnavailable, match=f"refused the credentials of user '{NOBODY}'"
    ) as err:
        Neo4jStore.connect(config)
    assert "wrong-password-123" not in str(err.value)


def test_credentials_in_the_uri_are_never_shown(neo4j_config: Config) -> None:
    port = free_port()
    config = Config(neo4j_uri=f"bolt://neo4j:hunter2@127.0.0.1:{port}", neo4j_password="hunter2")
    with pytest.raises((BackendUnavailable, UsageError)) as err:
        Neo4jStore.connect(config)
    assert "hunter2" not in str(err.value)


def test_unknown_database(neo4j_config: Config) -> None:
    config = dataclasses.replace(neo4j_config, neo4j_database="nosuchdb")
    with pytest.raises(BackendUnavailable, match="no database 'nosuchdb'"):
        Neo4jStore.connect(config)


def test_bad_uri_scheme_is_usage_error() -> None:
    with pytest.raises(UsageError, match="not a usable Neo4j URI"):
        Neo4jStore.connect(Config(neo4j_uri="http://127.0.0.1:7474", neo4j_password="x"))


def test_routing_uri_works(neo: Neo4jStore, neo4j_config: Config, tmp_path: Path) -> None:
    parts = urlsplit(neo4j_config.neo4j_uri or "")
    routed = dataclasses.replace(neo4j_config, neo4j_uri=f"neo4j://{parts.netloc}")
    with Neo4jStore.connect(routed) as store:
        load_paths(
            store, [write_jsonl(tmp_path / "a.jsonl", [{"type": "Company", "name": "Cytrox"}])]
        )
        assert store.resolve("cytrox").id == "company:cytrox"
        assert store.stats()["store"] == f"neo4j://{parts.hostname}:{parts.port}"


class Proxy:
    """A TCP relay to the server that can drop every connection (the server 'going away')."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen()
        self.port = int(self.listener.getsockname()[1])
        self.sockets: list[socket.socket] = []
        self.open = True
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while self.open:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.open:
                client.close()
                return
            server = socket.create_connection(self.target)
            self.sockets += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        self.open = False
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
        self.listener.close()
        for s in self.sockets:
            try:
                s.shutdown(socket.SHUT_RDWR)
                s.close()
            except OSError:
                pass


@pytest.fixture
def proxy(neo: Neo4jStore, neo4j_config: Config) -> Iterator[Proxy]:
    parts = urlsplit(neo4j_config.neo4j_uri or "")
    relay = Proxy(parts.hostname or "127.0.0.1", parts.port or 7687)
    yield relay
    relay.stop()


def test_server_lost_mid_session(proxy: Proxy, neo4j_config: Config, tmp_path: Path) -> None:
    config = dataclasses.replace(neo4j_config, neo4j_uri=f"bolt://127.0.0.1:{proxy.port}")
    store = Neo4jStore.connect(config, retry_time=1.0)
    try:
        src = write_jsonl(tmp_path / "a.jsonl", [{"type": "Company", "name": "Cytrox"}])
        load_paths(store, [src])
        proxy.stop()
        with pytest.raises(BackendUnavailable, match=f"127.0.0.1:{proxy.port}") as err:
            store.stats()
        assert "\n" not in str(err.value)
        with pytest.raises(BackendUnavailable):
            load_paths(
                store, [write_jsonl(tmp_path / "b.jsonl", [{"type": "Person", "name": "X"}])]
            )
    finally:
        store.close()
