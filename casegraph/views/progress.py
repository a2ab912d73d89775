"""How a load shows its progress on stderr: a live bar on a terminal, else one line per file."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from casegraph.errors import printable


def size_text(n: float) -> str:
    """Bytes for people: 812 B, 12.4 KB, 3.1 MB."""
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"


class LineProgress:
    """One line per file on stderr, for a log or a pipe: `loading 2/7 (13 KB of 2.0 MB) path`."""

    def __init__(self, stream: Any = None) -> None:
        self.stream = stream or sys.stderr
        self.total = 0
        self.count = 0
        self.done = 0

    def begin(self, files: list[Path], total_bytes: int) -> None:
        self.total, self.count = total_bytes, len(files)

    def file(self, index: int, path: Path, size: int) -> None:
        self.stream.write(
            printable(f"loading {index + 1}/{self.count} ({size_text(self.done)} of "
                      f"{size_text(self.total)}) {path}") + "\n"
        )  # fmt: skip
        self.stream.flush()
        self.done += size

    def facts(self, title: str, count: int) -> None:
        pass

    def stop(self) -> None:
        pass


class BarProgress:
    """A live line on a terminal: files done of all, bytes, and the facts of the current one."""

    def __init__(self, console: Any) -> None:
        from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn

        self.progress = Progress(SpinnerColumn(), BarColumn(bar_width=24),
                                 TextColumn("{task.description}"), console=console,
                                 transient=True)  # fmt: skip
        self.task = self.progress.add_task("loading", total=None)
        self.files = 0
        self.index = 0
        self.total = 0
        self.done = 0
        self.size = 0
        self.progress.start()

    def begin(self, files: list[Path], total_bytes: int) -> None:
        self.files, self.total = len(files), total_bytes
        self.progress.update(self.task, total=max(total_bytes, 1), completed=0)

    def file(self, index: int, path: Path, size: int) -> None:
        self.done += self.size
        self.index, self.size = index, size
        self.progress.update(self.task, completed=self.done, description=self._text(path.name, 0))

    def facts(self, title: str, count: int) -> None:
        self.progress.update(self.task, description=self._text(title, count))

    def _text(self, title: str, count: int) -> str:
        from rich.markup import escape

        return escape(
            printable(f"file {self.index + 1}/{self.files}, {size_text(self.done)} of "
                      f"{size_text(self.total)}: {title[:60]}, {count:,} facts")
        )  # fmt: skip

    def stop(self) -> None:
        self.progress.stop()


def load_progress(console: Any) -> BarProgress | LineProgress:
    """The progress display for a load: a bar when stderr is a terminal, else lines."""
    return BarProgress(console) if sys.stderr.isatty() else LineProgress()
