"""Every file casegraph writes, and every derived file it reads back, goes through here.

Writes appear whole or not at all: the content goes to a new temporary file created beside the
target with O_CREAT | O_EXCL | O_NOFOLLOW under an unpredictable name (so a planted file or
symbolic link is never written through), is flushed and synced, then renamed over the target
(or, when the target must not be replaced, linked to it, which fails if it appeared meanwhile).
Derived files (caches beside a store) are opened only when they are regular files, not links,
and no larger than the caller allows.
"""

from __future__ import annotations

import mmap
import os
import secrets
import stat
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, TextIO

from casegraph.errors import UsageError, shown

_WRITE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
_READ_FLAGS = (
    os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
)


def new_beside(path: Path, mode: int = 0o600, suffix: str = ".part") -> tuple[int, Path]:
    """A new file beside `path` made by this call alone (never an existing file or a link),
    under a random hidden name: its open descriptor and its path."""
    path = Path(path)
    for _ in range(8):
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}{suffix}")
        try:
            return os.open(tmp, _WRITE_FLAGS, mode), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"{path}: could not make a temporary file beside it")


def check_target(path: Path, *, replace: bool) -> None:
    """Refuse, before any work, to write `path` when it exists and replace is False (the file
    is kept: pass --force), or when it is not a regular file or a link (a folder, a FIFO, a
    device): such a target is never replaced."""
    path = Path(path)
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return
    except OSError as e:
        raise UsageError(f"{shown(str(path))}: cannot write ({e.strerror or e})") from e
    if not (stat.S_ISREG(info.st_mode) or stat.S_ISLNK(info.st_mode)):
        raise UsageError(f"{shown(str(path))} exists and is not a regular file; not replaced")
    if not replace:
        raise UsageError(f"{shown(str(path))} exists; pass --force to replace it")


def publish(tmp: Path, path: Path, replace: bool) -> None:
    """Put the finished file `tmp` at `path`: renamed over it, or (replace=False) linked there,
    which fails with FileExistsError when `path` exists, then `tmp` removed."""
    if replace:
        os.replace(tmp, path)
        return
    try:
        os.link(tmp, path)  # fails with FileExistsError if the target exists: never clobbers
    except FileExistsError:
        raise
    except OSError:  # a file system without hard links: check, then rename
        if os.path.lexists(path):
            raise FileExistsError(path) from None
        os.replace(tmp, path)
        return
    tmp.unlink()


@contextmanager
def atomic_writer(
    path: Path, *, binary: bool = False, mode: int = 0o644, replace: bool = True
) -> Iterator[IO[bytes] | TextIO]:
    """A file that appears at `path` whole, or not at all. With replace=False an existing
    `path` is kept (FileExistsError). Failing to write is an OSError (callers say what it
    means for them); a partial file is always removed."""
    path = Path(path)
    fd, tmp = new_beside(path, mode)
    try:
        fh: IO[bytes] | TextIO = (
            os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="")
        )
        with fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        publish(tmp, path, replace)
    except BaseException:
        with suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise


@contextmanager
def atomic_text(path: Path, *, replace: bool = True) -> Iterator[TextIO]:
    """A UTF-8 text file that appears at `path` whole or not at all; a failure to write (or,
    with replace=False, an existing file) is a UsageError naming the path."""
    check_target(path, replace=replace)
    try:
        with atomic_writer(path, replace=replace) as fh:
            yield fh  # type: ignore[misc]
    except FileExistsError as e:
        raise UsageError(f"{shown(str(path))} exists; pass --force to replace it") from e
    except OSError as e:
        raise UsageError(f"{shown(str(path))}: cannot write ({e.strerror or e})") from e


def write_bytes(path: Path, data: bytes, *, mode: int = 0o600, replace: bool = True) -> None:
    """Bytes written to `path` whole or not at all (OSError on failure; FileExistsError when
    replace is False and `path` exists)."""
    with atomic_writer(path, binary=True, mode=mode, replace=replace) as fh:
        fh.write(data)  # type: ignore[arg-type]


def read_derived(path: Path, max_bytes: int) -> bytes | None:
    """The bytes of a derived file, or None when it is missing, not a regular file (a link, a
    FIFO, a device), larger than max_bytes, or unreadable: such a file is never trusted."""
    try:
        fd = os.open(path, _READ_FLAGS)
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


def map_derived(path: Path, max_bytes: int) -> mmap.mmap | None:
    """A derived file memory-mapped read-only, or None on the same grounds as `read_derived`
    (missing, not a regular file, empty, larger than max_bytes, unreadable)."""
    try:
        fd = os.open(path, _READ_FLAGS)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or not 0 < info.st_size <= max_bytes:
            return None
        return mmap.mmap(fd, info.st_size, access=mmap.ACCESS_READ)
    except (OSError, ValueError):
        return None
    finally:
        os.close(fd)


def private_secret(path: Path, size: int = 32) -> bytes | None:
    """A random secret of `size` bytes kept at `path` (mode 0600, its folder 0700), made on
    first use; None when it cannot be kept or what is there is not a regular file of that
    size (a link, a FIFO, a truncated file): then the caller does without it."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with suppress(FileExistsError):  # another process may make it first: its secret wins
            write_bytes(path, secrets.token_bytes(size), mode=0o600, replace=False)
    except OSError:
        return None
    data = read_derived(path, size)
    return data if data is not None and len(data) == size else None
