"""Every file casegraph writes, and every derived file it reads back, goes through here.

Writes appear whole or not at all: the content goes to a new temporary file created beside the
target with O_CREAT | O_EXCL | O_NOFOLLOW under an unpredictable name (so a planted file or
symbolic link is never written through), is flushed and synced, then renamed over the target.
Derived files (caches beside a store) are opened only when they are regular files, not links,
and no larger than the caller allows.
"""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, TextIO

from casegraph.errors import UsageError


def _create_beside(path: Path, mode: int) -> tuple[int, Path]:
    """A new file beside `path`, made by this call alone (never an existing file or a link)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    for _ in range(8):
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.part")
        try:
            return os.open(tmp, flags, mode), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"{path}: could not make a temporary file beside it")


@contextmanager
def atomic_writer(
    path: Path, *, binary: bool = False, mode: int = 0o644
) -> Iterator[IO[bytes] | TextIO]:
    """A file that appears at `path` whole, or not at all. Failing to write is an OSError (callers
    say what it means for them); a partial file is always removed."""
    path = Path(path)
    fd, tmp = _create_beside(path, mode)
    try:
        fh: IO[bytes] | TextIO = (
            os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="")
        )
        with fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise


@contextmanager
def atomic_text(path: Path) -> Iterator[TextIO]:
    """A UTF-8 text file that appears at `path` whole or not at all; a failure to write is a
    UsageError naming the path."""
    try:
        with atomic_writer(path) as fh:
            yield fh  # type: ignore[misc]
    except OSError as e:
        raise UsageError(f"{path}: cannot write ({e.strerror or e})") from e


def write_bytes(path: Path, data: bytes, *, mode: int = 0o600) -> None:
    """Bytes written to `path` whole or not at all (OSError on failure)."""
    with atomic_writer(path, binary=True, mode=mode) as fh:
        fh.write(data)  # type: ignore[arg-type]


def read_derived(path: Path, max_bytes: int) -> bytes | None:
    """The bytes of a derived file, or None when it is missing, not a regular file (a link, a
    FIFO, a device), larger than max_bytes, or unreadable: such a file is never trusted."""
    flags = os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > max_bytes:
            return None
        chunks = []
        left = info.st_size + 1  # one more byte: a file that grew since fstat is refused
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
        return data if len(data) <= max_bytes else None
    except OSError:
        return None
    finally:
        os.close(fd)
