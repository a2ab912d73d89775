"""Shared fixtures: ../shared (real public data), a CLI runner through the real entry point, temp stores."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
# The one reason a real-data test gives when ../shared is absent (a fresh clone has no ../shared).
NEEDS_SHARED = "needs ../shared (real public data, not in a clone)"
# Marks a test that reads ../shared: skipped without it, a failure under CI (CI=true).
needs_shared = pytest.mark.needs_shared


def in_ci() -> bool:
    """Whether the tests run in CI (CI=true), where skipping a whole family of tests is a failure."""
    return os.environ.get("CI", "").lower() in ("true", "1", "yes")


def shared_or_skip() -> Path:
    """../shared; a skip without it, but a failure under CI, where the real-data tests must run."""
    if not SHARED.is_dir():
        if in_ci():
            pytest.fail(f"{NEEDS_SHARED}: {SHARED} is missing and CI must run these tests")
        pytest.skip(NEEDS_SHARED)
    return SHARED


def shared_params(paths: list[Path]) -> list[Any]:
    """Parameters of a test over real files, each marked needs_shared: the files, or without
    ../shared one placeholder that the skip stops (an empty list would skip for another reason)."""
    if not SHARED.is_dir():
        return [pytest.param(None, id="no-shared", marks=needs_shared)]
    return [pytest.param(path, marks=needs_shared) for path in paths]


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("needs_shared") is not None:
        shared_or_skip()


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)

    @property
    def errors(self) -> str:
        """stderr without a load's progress lines (`loading 1/3 ...`, one per file when stderr
        is not a terminal): what is left is what went wrong, or nothing."""
        return "".join(
            line
            for line in self.stderr.splitlines(keepends=True)
            if not line.startswith("loading ")
        )


@pytest.fixture
def shared() -> Path:
    """../shared, for tests that read real public data (see shared_or_skip)."""
    return shared_or_skip()


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "case.db"


def cli_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a CLI subprocess: this one without casegraph's and Neo4j's settings
    (a developer's own never leak into a test), plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CASEGRAPH_", "NEO4J_"))}
    env.update(extra or {})
    return env


def start_cli(
    *args: str, env: dict[str, str] | None = None, **kwargs: Any
) -> subprocess.Popen[str]:
    """`python -m casegraph ARGS` started in the background, stdout and stderr captured."""
    return subprocess.Popen(
        [sys.executable, "-m", "casegraph", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=cli_env(env), **kwargs,
    )  # fmt: skip


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (free when this returns)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_cli(
    *args: str,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    input: str | None = None,
    timeout: float = 120,
) -> Result:
    """Run `python -m casegraph ARGS` as a user would, capturing stdout and stderr apart."""
    proc = subprocess.run(
        [sys.executable, "-m", "casegraph", *args],
        capture_output=True,
        text=True,
        env=cli_env(env),
        cwd=cwd,
        input=input,
        timeout=timeout,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def cli(store_path: Path):  # type: ignore[no-untyped-def]
    """A runner bound to a temporary embedded store."""

    def runner(*args: str, **kwargs: Any) -> Result:
        return run_cli("--store", str(store_path), *args, **kwargs)

    return runner


NO_NEO4J = "no Neo4j: set CASEGRAPH_TEST_NEO4J_URI (scripts/neo4j start)"


def neo4j_uri_or_skip() -> str:
    """The test server's Bolt URI; a skip without one, but a failure under CI (CI=true)."""
    uri = os.environ.get("CASEGRAPH_TEST_NEO4J_URI", "").strip()
    if not uri:
        if in_ci():
            pytest.fail(f"{NO_NEO4J}; Neo4j tests must run in CI")
        pytest.skip(NO_NEO4J)
    return uri


def wipe_neo4j(uri: str, password: str, database: str = "neo4j") -> None:
    """Empty a Neo4j database (data only; constraints and indexes stay)."""
    import neo4j

    driver = neo4j.GraphDatabase.driver(uri, auth=("neo4j", password))
    with driver, driver.session(database=database) as session:  # autocommit: CALL IN TRANSACTIONS
        session.run(
            "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"
        ).consume()


@pytest.fixture(params=["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def backend_cli(request: pytest.FixtureRequest, store_path: Path):  # type: ignore[no-untyped-def]
    """A runner bound to an empty store of each backend: the same test runs on both."""
    if request.param == "embedded":
        args: tuple[str, ...] = ("--store", str(store_path))
        env: dict[str, str] = {}
    else:
        uri = neo4j_uri_or_skip()
        password = os.environ.get("NEO4J_PASSWORD", "casegraph-dev")
        wipe_neo4j(uri, password)
        args, env = ("--neo4j", uri), {"NEO4J_PASSWORD": password}

    def runner(*more: str, **kwargs: Any) -> Result:
        return run_cli(*args, *more, env={**env, **kwargs.pop("env", {})}, **kwargs)

    runner.backend = request.param  # type: ignore[attr-defined]
    return runner


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path
