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
from casegraph.queries.results import PathResult

DEFAULT_DEMO_STORE = Path("casegraph-demo.db")
# The question the demo answers, with MENTIONED_WITH links left out.
DEMO_QUESTION = ("Harvey Weinstein", "NSO Group")


@dataclass
class DemoResult:
    """What the demo loaded and what to try next."""

    store: str
    summary: LoadSummary
    stats: dict[str, Any]
    answer: PathResult | None = None
    html: str | None = None
    questions: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "store": self.store,
            "summary": self.summary.as_dict(),
            "stats": self.stats,
            "question": list(DEMO_QUESTION),
            "answer": self.answer.as_dict() if self.answer else None,
            "html": self.html,
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
        if self.answer is not None:
            from casegraph.views.terminal import path_chains

            a, b = DEMO_QUESTION
            console.print(Text(f"\nHow is {a} connected to {b}?", style="bold"))
            path_chains(console, self.answer)
        if self.html:
            console.print(Text.assemble("Interactive view of the case: ", (self.html, "bold")))
        console.print(Text("\nQuestions to try:", style="bold"))
        for question in self.questions:  # one line each, whatever the width: to copy and paste
            console.print(Text("  " + question), soft_wrap=True)


def demo_paths() -> list[Path]:
    """The bundled sources: structured notes, then the articles folder if present."""
    root = Path(str(resources.files("casegraph.demo")))
    paths = [root / "notes.jsonl"]
    if (root / "articles").is_dir():
        paths.append(root / "articles")
    return paths


def fresh_store_path(path: Path) -> Path:
    """Remove an earlier demo store at path (only if it is a casegraph store) so the demo starts clean."""
    from casegraph.backends import open_store

    if path.exists():  # raises StoreError if it is not a casegraph store
        open_store(Config(store=path), read_only=True).close()
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    return path


def run_demo(config: Config, *, store_path: Path | None = None) -> DemoResult:
    """Load the sample case into a fresh embedded store (or the configured Neo4j) and summarise it."""
    from casegraph.backends import open_store
    from casegraph.pipeline import load_paths
    from casegraph.queries.options import PathOptions
    from casegraph.queries.overview import TEXT_BUDGET, cited_texts, drawing
    from casegraph.queries.paths import find_paths
    from casegraph.views.html import render_html

    if config.neo4j_uri:
        raise StoreError("the demo runs on the embedded store; drop --neo4j to run it")
    path = fresh_store_path(store_path or DEFAULT_DEMO_STORE)
    store = open_store(Config(store=path), create=True)
    html = path.with_suffix(".html")
    try:
        summary = load_paths(store, demo_paths())
        stats = store.stats()
        answer = find_paths(store, *DEMO_QUESTION, PathOptions(no_weak=True))
        whole = drawing(store)
        render_html(whole, html, title="casegraph demo: surveillance for hire", highlight=answer,
                    documents=cited_texts(store, whole, answer, budget=TEXT_BUDGET))  # fmt: skip
    finally:
        store.close()
    prefix = "casegraph --store " + shlex.quote(str(path))
    questions = [
        f"{prefix} show 'NSO Group'",
        f"{prefix} path 'Black Cube' Pegasus --no-weak --k 3",
        f"{prefix} common 'NSO Group' Cytrox --depth 2",
        f"{prefix} neighbors Pegasus --depth 2 --html pegasus.html",
        f"{prefix} explain 'Harvey Weinstein' Meta",
        f"{prefix} search cytrx",
    ]
    return DemoResult(str(path), summary, stats, answer, str(html), questions)
