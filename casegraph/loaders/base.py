"""What every loader shares: its options, the protocol it follows and small reading helpers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol

from casegraph.errors import LoaderError
from casegraph.graph.model import Source

# Bytes read from the start of a file to recognise its format by content.
SNIFF_BYTES = 4096
# Longest physical line read (bytes): one record, not a file's worth of data; a longer one is
# refused rather than held in memory.
MAX_LINE_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class LoadOptions:
    """Options that reach loaders; each loader reads the ones that concern it."""

    model: str = "en_core_web_sm"
    source_col: str | None = None
    target_col: str | None = None
    type_col: str | None = None
    rel_type: str | None = None
    entity_type: str | None = None
    mapping: Path | None = None
    delimiter: str | None = None
    encoding: str | None = None
    format: str | None = None
    published: str | None = None  # YYYY-MM-DD for documents whose source gives no date


class Loader(Protocol):
    """A source format: recognise a file, then read it into Sources (no store access)."""

    name: str
    extensions: tuple[str, ...]

    def sniff(self, path: Path, head: bytes) -> bool:
        """Whether the file looks like this format by its content."""

    def read(self, path: Path, options: LoadOptions) -> Iterator[Source]:
        """The sources in the file, each a Document with its (possibly streamed) facts."""


def read_head(path: Path) -> bytes:
    """The first bytes of a file, for format sniffing; errors name the file."""
    try:
        with path.open("rb") as fh:
            return fh.read(SNIFF_BYTES)
    except OSError as e:
        raise LoaderError(f"cannot read: {e.strerror or e}", path=str(path)) from e


def hash_file(path: Path) -> str:
    """SHA-256 of a file's bytes, read in chunks so memory stays flat."""
    import hashlib

    digest = hashlib.sha256()
    try:
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    except OSError as e:
        raise LoaderError(f"cannot read: {e.strerror or e}", path=str(path)) from e
    return digest.hexdigest()


def read_lines(fh: IO[bytes], path: Path, fits: str = "") -> Iterator[tuple[int, bytes]]:
    """(line number, bytes) of each line, refusing a line over MAX_LINE_BYTES by its number;
    `fits` names what must fit on a line, for the refusal."""
    lineno = 0
    while raw := fh.readline(MAX_LINE_BYTES + 1):
        lineno += 1
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            hint = f"; {fits} must fit on a shorter line" if fits else ""
            raise LoaderError(
                f"line longer than {MAX_LINE_BYTES // (1024 * 1024)} MiB{hint}",
                path=str(path),
                line=lineno,
            )
        yield lineno, raw
