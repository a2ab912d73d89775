"""The load pipeline: files and folders -> loaders -> one store transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from casegraph.errors import FormatNotRecognised, LoaderError
from casegraph.graph.model import Source
from casegraph.graph.records import LoadSummary
from casegraph.graph.store import Store
from casegraph.loaders import LoadOptions, detect, expand_paths, get_loader

Planned = tuple[Path, str, bool]  # file, loader name, whether it was found inside a folder


def plan(paths: Iterable[Path], options: LoadOptions) -> tuple[list[Planned], dict[str, int]]:
    """Each file to read with its loader name, and what was passed over in folders.

    A file named on the command line must be readable; a file inside a named folder whose
    content no loader recognises is skipped and counted instead.
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
            except LoaderError:
                if not in_folder:
                    raise
                reason = f"unrecognised format: {file.suffix.lower() or '(no extension)'}"
                skipped[reason] = skipped.get(reason, 0) + 1
    return chosen, skipped


def sources(
    files: list[Planned], options: LoadOptions, skipped: dict[str, int]
) -> Iterator[Source]:
    """The sources of every planned file; in folders, files whose layout is unknown are skipped."""
    for file, loader, in_folder in files:
        reader = get_loader(loader).read(file, options)
        try:
            first = next(reader)
        except StopIteration:
            continue
        except FormatNotRecognised:
            if not in_folder:
                raise
            reason = f"unrecognised layout: {loader}"
            skipped[reason] = skipped.get(reason, 0) + 1
            continue
        yield first
        yield from reader


def load_paths(
    store: Store,
    paths: Iterable[Path],
    options: LoadOptions | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> LoadSummary:
    """Load files and folders into the store in one transaction and say what changed."""
    options = options or LoadOptions()
    files, skipped = plan(paths, options)
    try:
        summary = store.load(sources(files, options, skipped), progress=progress)
    finally:
        stop = getattr(progress, "stop", None)
        if stop:
            stop()
    for reason, count in skipped.items():
        summary.skipped[reason] = summary.skipped.get(reason, 0) + count
    return summary
