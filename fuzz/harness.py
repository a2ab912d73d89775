"""The invariant every fuzzer checks: a load ends in success or a CasegraphError, never another
exception, and a load that fails leaves the store exactly as it was.

Used by the atheris harnesses (fuzz/fuzz_*.py) and by the tests (tests/fuzz/), which replay the
seed corpora and every crash ever found through the same code.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from casegraph.backends.sqlite import SqliteStore
from casegraph.errors import CasegraphError
from casegraph.graph.model import Source
from casegraph.loaders import LoadOptions, detect
from casegraph.pipeline import plan, sources

# Loader name -> the file extension fuzz inputs are written with.
SUFFIX = {"jsonl": ".jsonl", "csv": ".csv", "stix": ".json", "ftm": ".ftm"}
# Entities already in the store, so inputs that name them exercise resolution and merging.
BASE = (
    b'{"type": "Company", "name": "NSO Group", "aliases": ["NSO"], "id": "nso"}\n'
    b'{"type": "Product", "name": "Pegasus"}\n'
    b'{"type": "Person", "name": "Harvey Weinstein"}\n'
    b'{"type": "Company", "name": "Black Cube"}\n'
    b'{"source": "NSO Group", "type": "DEVELOPED", "target": "Pegasus", "quote": "q"}\n'
)


class _Rollback(Exception):
    """Raised after the last fact of an input, so its transaction is rolled back."""


class Harness:
    """One scratch store (on /dev/shm when there is one) that every input is loaded into."""

    def __init__(self) -> None:
        shm = Path("/dev/shm")
        self.dir = Path(
            tempfile.mkdtemp(prefix="casegraph-fuzz-", dir=shm if shm.is_dir() else None)
        )
        self.store = SqliteStore(self.dir / "fuzz.db")
        (self.dir / "base.jsonl").write_bytes(BASE)
        self._load(self.dir / "base.jsonl", "jsonl", commit=True)
        self.outcomes: dict[str, int] = {}

    def close(self) -> None:
        self.store.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def check(self, loader: str, data: bytes) -> str:
        """Load data as `loader` and roll it back: 'ok' or 'refused' (a CasegraphError).

        Any other exception propagates: that is a crash. So does a store that changed.
        """
        path = self.dir / f"input{SUFFIX[loader]}"
        path.write_bytes(data)
        before = self.store.revision
        try:
            self._load(path, loader, commit=False)
            outcome = "ok"
        except _Rollback:
            outcome = "ok"
        except CasegraphError:
            outcome = "refused"
        if self.store.db.in_transaction or self.store.revision != before:
            raise AssertionError("a load that did not commit changed the store")
        with contextlib.suppress(CasegraphError):
            detect(path)
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1
        return outcome

    def _load(self, path: Path, loader: str, *, commit: bool) -> None:
        options = LoadOptions(format=loader)
        files, skipped = plan([path], options)
        found = sources(files, options, skipped)
        self.store.load(found if commit else _then_rollback(found))


def _then_rollback(found: Iterator[Source]) -> Iterator[Source]:
    for source in found:
        facts = list(source.facts)  # consume every fact inside the transaction
        yield Source(source.document, facts)
    raise _Rollback


def corpus(loader: str) -> list[Path]:
    """The seed inputs of a loader (fuzz/corpus/<loader>/) and its crash regressions."""
    here = Path(__file__).parent
    return sorted(p for d in ("corpus", "regressions") for p in (here / d / loader).glob("*")
                  if p.is_file())  # fmt: skip
