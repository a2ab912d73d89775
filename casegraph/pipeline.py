"""The load pipeline: files and folders -> loaders -> one store transaction.

Files named on the command line must load: any error in one aborts the load, and the store is
left as it was. In a folder, a file no loader recognises is skipped and counted, and a file that
cannot be read or decoded (a LoaderError) is skipped with its path, line and reason
(LoadSummary.errors) while the rest loads; `strict` makes such a file abort the load instead.

A folder file reaches the store only once it has been read to the end without error, so a
skipped file leaves nothing behind: its facts are held in memory up to BUFFER_FACTS; a larger
file is read to the end once to check it, then read again as it is written.
"""

from __future__ import annotations

import dataclasses
import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from typing import Any, Protocol

from casegraph.errors import FormatNotRecognised, LoaderError
from casegraph.graph.model import Fact, Source
from casegraph.graph.records import LoadSummary
from casegraph.graph.store import Store
from casegraph.loaders import LoadOptions, detect, expand_paths, get_loader

Planned = tuple[Path, str, bool]  # file, loader name, whether it was found inside a folder
# Facts of one folder file held before it is written (about 1.4 KB each, so some 30 MB); past
# this, the file is read to the end once to check it, then again as it is written.
BUFFER_FACTS = 20_000
# While a load runs, the collector's passes over its oldest objects are this many times rarer.
FULL_COLLECTIONS_RARER = 10


class LoadProgress(Protocol):
    """Who hears how a load goes: the files planned, each file as it starts, facts as they come."""

    def begin(self, files: list[Path], total_bytes: int) -> None: ...
    def file(self, index: int, path: Path, size: int) -> None: ...
    def facts(self, title: str, count: int) -> None: ...
    def stop(self) -> None: ...


def file_error(error: LoaderError, file: Path) -> dict[str, Any]:
    """What the summary says of a skipped file: its path, the line at fault and the reason."""
    message = str(error)
    path = error.path or str(file)
    where = f"{path}:{error.line}" if error.line is not None else path
    return {"path": path, "line": error.line, "reason": message.removeprefix(f"{where}: ")}


def plan(
    paths: Iterable[Path], options: LoadOptions, errors: list[dict[str, Any]] | None = None
) -> tuple[list[Planned], dict[str, int]]:
    """Each file to read with its loader name, and what was passed over in folders.

    A file named on the command line must be readable; a file inside a named folder whose
    content no loader recognises is skipped and counted instead, and one that cannot be read is
    added to `errors` (when given; otherwise its error is raised).
    """
    paths = list(paths)
    chosen: list[Planned] = []
    skipped: dict[str, int] = {}
    for path in paths:
        in_folder = path.is_dir()
        for file in expand_paths([path]):
            if options.format:
                chosen.append((file, get_loader(options.format).name, in_folder))
                continue
            try:
                chosen.append((file, detect(file, by_extension=not in_folder).name, in_folder))
            except FormatNotRecognised:
                if not in_folder:
                    raise
                reason = f"unrecognised format: {file.suffix.lower() or '(no extension)'}"
                skipped[reason] = skipped.get(reason, 0) + 1
            except LoaderError as e:
                if not in_folder or errors is None:
                    raise
                errors.append(file_error(e, file))
    return chosen, skipped


def sources(
    files: list[Planned],
    options: LoadOptions,
    skipped: dict[str, int],
    errors: list[dict[str, Any]] | None = None,
    progress: LoadProgress | None = None,
) -> Iterator[Source]:
    """The sources of every planned file; in folders, files whose layout is unknown are skipped,
    and with `errors` given, so are files that cannot be read (each added to it)."""
    for index, (file, loader, in_folder) in enumerate(files):
        if progress:
            progress.file(index, file, _size(file))
        if in_folder and errors is not None:
            try:
                yield from _checked(file, loader, options)
            except FormatNotRecognised:
                _skip_layout(loader, skipped)
            except LoaderError as e:
                errors.append(file_error(e, file))
            continue
        reader = get_loader(loader).read(file, options)
        try:
            first = next(reader)
        except StopIteration:
            continue
        except FormatNotRecognised:
            if not in_folder:
                raise
            _skip_layout(loader, skipped)
            continue
        yield first
        yield from reader


def _dated(found: Iterable[Source], published: str | None) -> Iterator[Source]:
    """The sources, those whose document has no date given `published` (load --published)."""
    for source in found:
        if published and not source.document.published:
            source.document = dataclasses.replace(source.document, published=published)
        yield source


def _skip_layout(loader: str, skipped: dict[str, int]) -> None:
    reason = f"unrecognised layout: {loader}"
    skipped[reason] = skipped.get(reason, 0) + 1


def _checked(file: Path, loader: str, options: LoadOptions) -> Iterator[Source]:
    """The sources of one folder file, yielded only once all of it has been read without error."""
    read = get_loader(loader).read
    reader = iter(read(file, options))
    held: list[Source] = []
    for source in reader:
        rest = iter(source.facts)
        facts: list[Fact] = list(islice(rest, BUFFER_FACTS + 1))
        if len(facts) > BUFFER_FACTS:
            # too big to hold: read the rest of the file to check it, then read it again as it
            # is written (an error in that second reading aborts the whole load)
            held, facts = [], []
            _drain(rest)
            for later in reader:
                _drain(later.facts)
            yield from read(file, options)
            return
        held.append(Source(source.document, facts))
    yield from held


def _drain(facts: Iterable[Fact]) -> None:
    for _ in facts:
        pass


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


@contextmanager
def rare_full_collections() -> Iterator[None]:
    """The garbage collector's full passes FULL_COLLECTIONS_RARER times rarer while the block runs,
    its young generations as usual. A load keeps hundreds of thousands of objects alive (the
    resolver's caches) and replaces them as it goes; each full pass walks all of them, and on
    a 1M-relation load those passes took a quarter of the time."""
    before = gc.get_threshold()
    gc.set_threshold(before[0], before[1], max(before[2], 1) * FULL_COLLECTIONS_RARER)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def load_paths(
    store: Store,
    paths: Iterable[Path],
    options: LoadOptions | None = None,
    progress: LoadProgress | None = None,
    *,
    strict: bool = False,
) -> LoadSummary:
    """Load files and folders into the store in one transaction and say what changed.

    In folders, files that cannot be read are skipped and listed in the summary's errors;
    with strict, the first of them aborts the load and the store is unchanged.
    """
    options = options or LoadOptions()
    errors: list[dict[str, Any]] | None = None if strict else []
    files, skipped = plan(paths, options, errors)
    if progress:
        progress.begin([f for f, _, _ in files], sum(_size(f) for f, _, _ in files))
    try:
        with rare_full_collections():
            summary = store.load(
                _dated(sources(files, options, skipped, errors, progress), options.published),
                progress=progress.facts if progress else None,
            )
    finally:
        if progress:
            progress.stop()
    for reason, count in skipped.items():
        summary.skipped[reason] = summary.skipped.get(reason, 0) + count
    summary.errors.extend(errors or [])
    return summary
