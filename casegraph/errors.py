"""The one exception root of casegraph and the exit code each error maps to."""

from __future__ import annotations

# Documented exit codes (README "Exit codes"); the CLI maps errors to them in one place.
EXIT_NO_ANSWER = 1
EXIT_BAD_INPUT = 2
EXIT_BACKEND = 3
EXIT_INTERRUPTED = 130
EXIT_INTERNAL = 70


# Longest message printed (characters): a 1 MB value echoed whole helps nobody; the middle of a
# longer message is left out, so both where it happened and what would have been valid stay.
MAX_MESSAGE = 1000
# Longest value quoted whole inside a message.
MAX_SHOWN = 200


def bounded(text: str, limit: int = MAX_MESSAGE) -> str:
    """Text cut to about `limit` characters: its start and end, with how much was left out."""
    if len(text) <= limit:
        return text
    head, tail = text[: limit * 2 // 3], text[-(limit // 4) :]
    return f"{head} … ({len(text) - len(head) - len(tail):,} characters left out) … {tail}"


def printable(text: str) -> str:
    """Text for a terminal line: each character that is not printable (newline, escape, bidi
    control) shown as its Python escape, so source text cannot forge lines or terminal codes."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def shown(value: str) -> str:
    """A value from a source as it may appear in a message: as is when printable, else as a
    Python literal, so no newline, escape sequence or bidi control reaches the terminal; a long
    value is cut (MAX_SHOWN characters)."""
    text = value if value.isprintable() else repr(value)
    return bounded(text, MAX_SHOWN)


class CasegraphError(Exception):
    """Root of every error casegraph raises on purpose; its message is one line for the user,
    of a bounded length (MAX_MESSAGE: values from sources are cut, never echoed whole)."""

    exit_code = EXIT_BAD_INPUT

    def __init__(self, message: object = "", *args: object) -> None:
        super().__init__(bounded(str(message)), *args)


class ValidationError(CasegraphError):
    """A fact does not fit the schema: unknown type, missing evidence, wrong endpoint types."""


class LoaderError(CasegraphError):
    """A source could not be read; the message names the file and line or object."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None) -> None:
        where = path or ""
        if path and line is not None:
            where = f"{path}:{line}"
            message = message.removeprefix(f"line {line}: ")  # said once, as FILE:LINE
        super().__init__(f"{where}: {message}" if where else message)
        self.path = path
        self.line = line


class FormatNotRecognised(LoaderError):
    """A file's layout is not one the loader knows (in a folder load, such files are skipped)."""


class UsageError(CasegraphError):
    """An option or argument is not valid."""


class EntityNotFound(CasegraphError):
    """No entity matches a name; carries the closest candidates."""

    def __init__(self, name: str, candidates: list[str] | None = None) -> None:
        self.name = name
        self.candidates = candidates or []
        hint = (
            f"; did you mean {', '.join(repr(c) for c in self.candidates)}?"
            if self.candidates
            else ""
        )
        super().__init__(f"no entity {name!r}{hint}")


class NotFound(CasegraphError):
    """Nothing of its kind has the id a user gave (a document, an evidence item)."""


class AmbiguousEntity(CasegraphError):
    """A name matches several entities; carries them so the user can pick by id or type."""

    def __init__(self, name: str, candidates: list[str]) -> None:
        self.name = name
        self.candidates = candidates
        super().__init__(
            f"{name!r} is ambiguous: {', '.join(candidates)}; name one by its id or with TYPE:NAME"
        )


class NoAnswer(CasegraphError):
    """The question was valid but has no answer (no path, nothing in common)."""

    exit_code = EXIT_NO_ANSWER


class NoPath(NoAnswer):
    """No path joins the two entities within the given bounds."""


class StoreError(CasegraphError):
    """The store file is not a casegraph store, or is damaged or locked."""

    exit_code = EXIT_BACKEND


class BackendUnavailable(CasegraphError):
    """The backend (a Neo4j server) cannot be reached or refused the credentials."""

    exit_code = EXIT_BACKEND
