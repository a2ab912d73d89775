"""The bundled sample case: notes and short articles on Meta's 2021 surveillance-for-hire takedown."""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from casegraph.config import Config
from casegraph.errors import StoreError
from casegraph.graph.records import LoadSummary

DEFAULT_DEMO_STORE = Path("casegraph-demo.db")


@dataclass
class DemoResult:
    """What the demo loaded and what to try next."""

    store: str
    summary: LoadSummary
    stats: dict[str, Any]
    questions: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "store": self.store,
            "summary": self.summary.as_dict(),
            "stats": self.stats,
            "questions": self.questions,
        }

    def render(self, console: Any) -> None:
        from rich.text import Text

        s = self.stats
        console.print(Text(f"Loaded the sample case into {self.store}", style="bold"))
        console.print(
            f"{s['documents']} documents, {s['entities']} entities, {s['relations']} relations, "
            f"{s['evidence']} evidence items"
        )
        console.print(Text("\nQuestions to try:", style="bold"))
        for question in self.questions:
            console.print(Text("  " + question))


def demo_paths() -> list[Path]:
    """The bundled sources: structured notes, then the articles folder if present."""
    root = Path(str(resources.files("casegraph.demo")))
    paths = [root / "notes.jsonl"]
    if (root / "articles").is_dir():
        paths.append(root / "articles")
    return paths


def fresh_store_path(path: Path) -> Path:
    """Remove an earlier demo store at path (only if it is a casegraph store) so the demo starts clean."""
    from casegraph.graph.sqlite_store import SqliteStore

    if path.exists():
        SqliteStore(path, create=False).close()  # raises StoreError if it is not a casegraph store
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    return path


def run_demo(config: Config, *, store_path: Path | None = None) -> DemoResult:
    """Load the sample case into a fresh embedded store (or the configured Neo4j) and summarise it."""
    from casegraph.graph.sqlite_store import SqliteStore
    from casegraph.graph.store import Store
    from casegraph.pipeline import load_paths

    store: Store
    if config.neo4j_uri:
        raise StoreError("the demo runs on the embedded store; drop --neo4j to run it")
    path = fresh_store_path(store_path or DEFAULT_DEMO_STORE)
    store = SqliteStore(path)
    try:
        summary = load_paths(store, demo_paths())
        stats = store.stats()
    finally:
        store.close()
    prefix = "casegraph --store " + shlex.quote(str(path))
    questions = [
        f"{prefix} show 'NSO Group'",
        f"{prefix} search cytrox",
        f"{prefix} entities --type Company",
        f"{prefix} sources",
    ]
    return DemoResult(str(path), summary, stats, questions)
