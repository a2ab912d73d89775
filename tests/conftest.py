"""Shared fixtures: paths to ../shared, a CLI runner through the real entry point, temp stores."""

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


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


@pytest.fixture
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is not present")
    return SHARED


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "case.db"


def run_cli(
    *args: str,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    input: str | None = None,
    timeout: float = 120,
) -> Result:
    """Run `python -m casegraph ARGS` as a user would, capturing stdout and stderr apart."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("CASEGRAPH_", "NEO4J_"))}
    full_env.update(env or {})
    proc = subprocess.run(
        [sys.executable, "-m", "casegraph", *args],
        capture_output=True,
        text=True,
        env=full_env,
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


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path
