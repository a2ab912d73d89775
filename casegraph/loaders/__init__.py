"""Source formats: detect a file's format and read it into Sources; loaders never touch a store."""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from pathlib import Path

from casegraph.errors import FormatNotRecognised, LoaderError, UsageError
from casegraph.loaders.base import Loader, LoadOptions, read_head

# name -> module holding a LOADER object; imported only when a file of that format is read,
# so heavy parsers (spaCy, HTML extraction) never load for other formats.
REGISTRY: dict[str, str] = {
    "jsonl": "casegraph.loaders.jsonl",
    # before text: a .txt file of one indicator per line is a list, not prose
    "indicators": "casegraph.loaders.indicators",
    "text": "casegraph.loaders.text",
    "html": "casegraph.loaders.html",
    "csv": "casegraph.loaders.csv",
    "stix": "casegraph.loaders.stix",
    "ftm": "casegraph.loaders.ftm",
    "misp": "casegraph.loaders.misp",
}

__all__ = [
    "REGISTRY",
    "LoadOptions",
    "Loader",
    "detect",
    "expand_paths",
    "get_loader",
]


def get_loader(name: str) -> Loader:
    """The loader registered under name."""
    if name not in REGISTRY:
        raise UsageError(f"unknown format {name!r}; valid: {', '.join(sorted(REGISTRY))}")
    module = importlib.import_module(REGISTRY[name])
    loader: Loader = module.LOADER
    return loader


def available_loaders() -> list[Loader]:
    """The registered loaders whose modules are present in this installation."""
    loaders = []
    for name, module in REGISTRY.items():
        try:
            loaders.append(get_loader(name))
        except ModuleNotFoundError as e:
            if e.name != module:
                raise
    return loaders


def detect(path: Path, *, by_extension: bool = True) -> Loader:
    """The loader for a file: the first whose content sniffing accepts it (loaders claiming the
    extension are asked first); failing that, with by_extension, the loader of the extension,
    which then reports precisely what is wrong with the file (a loader with
    `owns_extensions = False`, such as indicator lists among .txt files, is asked first but is
    never that fallback)."""
    head = read_head(path)
    suffix = path.suffix.lower()
    candidates = available_loaders()
    by_ext = [loader for loader in candidates if suffix in loader.extensions]
    for loader in by_ext + [c for c in candidates if c not in by_ext]:
        if loader.sniff(path, head):
            return loader
    owners = [loader for loader in by_ext if getattr(loader, "owns_extensions", True)] or by_ext
    if owners and by_extension:
        return owners[0]
    raise FormatNotRecognised(
        f"unrecognised format (extension {suffix or 'none'}); "
        f"valid formats: {', '.join(sorted(REGISTRY))} (or force one with --format)",
        path=str(path),
    )


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files named, and the files in folders named (recursively, hidden ones skipped), in order."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                rel = child.relative_to(path)
                if child.is_file() and not any(part.startswith(".") for part in rel.parts):
                    files.append(child)
        elif path.is_file():
            files.append(path)
        elif path.exists() or path.is_symlink():
            raise LoaderError(f"{_kind(path)}, not a file casegraph can read", path=str(path))
        else:
            raise LoaderError("no such file or folder", path=str(path))
    return files


def _kind(path: Path) -> str:
    """What a path that is neither a file nor a folder is: a named pipe, a device, a socket..."""
    import stat

    try:
        mode = path.stat().st_mode
    except OSError:
        return "a broken link"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"
