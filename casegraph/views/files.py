"""Writing view and export files so that they appear whole or not at all."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TextIO

from casegraph.errors import UsageError


@contextmanager
def atomic_text(path: Path) -> Iterator[TextIO]:
    """A text file that appears at `path` whole, or not at all (written beside it, synced, then
    renamed); a failure to write is a UsageError naming the path."""
    tmp = path.with_name(path.name + ".part")
    try:
        with tmp.open("w", encoding="utf-8", newline="") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        tmp.replace(path)
    except OSError as e:
        _discard(tmp)
        raise UsageError(f"{path}: cannot write ({e.strerror or e})") from e
    except BaseException:
        _discard(tmp)
        raise


def _discard(tmp: Path) -> None:
    """Remove a partial file; on a read-only file system even that fails (and nothing is there)."""
    with suppress(OSError):
        tmp.unlink(missing_ok=True)
