"""The casegraph command line: thin typer commands over library calls, errors mapped to exit codes.

One module per command group: load (load, eval, demo), lookup (entities, search, show, stats,
sources), links (path, neighbors, common, explain), review (confirm, reject, retype, split, drop,
note, merge, alias, decisions, undo, review), manage (export, sync, cypher, check), sources
(find, source, timeline), serve (serve).
"""

from __future__ import annotations

import io
import os
import sys

import typer

from casegraph.cli import links, load, lookup, manage, review, serve, sources  # noqa: F401
from casegraph.cli.app import app
from casegraph.cli.common import state
from casegraph.errors import (
    EXIT_BACKEND,
    EXIT_BAD_INPUT,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    CasegraphError,
    NoAnswer,
    UsageError,
    bounded,
    printable,
)


def _fail(message: str, code: int) -> None:
    sys.stderr.write(f"error: {printable(bounded(message))}\n")
    sys.exit(code)


def _store_failure(error: Exception) -> str | None:
    """When an unexpected error came from the embedded store (a SQLite error, or damage that
    broke what was read): the one-line message saying so, else None (a bug)."""
    cfg = state.get("config")
    if cfg is None or getattr(cfg, "neo4j_uri", None):
        return None
    from casegraph.backends.sqlite.check import failure_message

    return failure_message(cfg.store, error)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; every error becomes one line on stderr and a documented exit code."""
    args = sys.argv[1:] if argv is None else argv
    state["debug"] = "--debug" in args or os.environ.get("CASEGRAPH_DEBUG") == "1"
    for number, arg in enumerate(args, 1):  # only a caller in process can pass one: argv cannot
        if "\x00" in arg:
            _fail(f"argument {number} holds a NUL byte, which no name, value or path may hold",
                  EXIT_BAD_INPUT)  # fmt: skip
    try:
        code = app(args=args, prog_name="casegraph", standalone_mode=False)
    except typer.Exit as e:
        if e.exit_code == EXIT_INTERRUPTED:  # typer turns Ctrl-C into Exit(130)
            _fail("interrupted; the store is as it was before this command", EXIT_INTERRUPTED)
        sys.exit(e.exit_code)
    except typer.TyperException as e:  # usage errors: unknown option, bad value (exit 2)
        if state["debug"]:
            raise
        show = getattr(e, "show", None)
        if show:  # click's usage text, each line cut to a bounded length (it echoes values)
            text = io.StringIO()
            show(file=text)
            sys.stderr.write("".join(bounded(line) + "\n" for line in text.getvalue().splitlines()))
        else:
            sys.stderr.write(f"error: {bounded(e.format_message())}\n")
        sys.exit(e.exit_code)
    except typer.Abort:
        _fail("interrupted", EXIT_INTERRUPTED)
    except KeyboardInterrupt:
        if state["debug"]:
            raise
        _fail("interrupted; the store is as it was before this command", EXIT_INTERRUPTED)
    except NoAnswer as e:  # a valid question without an answer: said plainly, not an error
        sys.stderr.write(printable(str(e)) + "\n")
        sys.exit(e.exit_code)
    except CasegraphError as e:
        if state["debug"]:
            raise
        _fail(str(e), e.exit_code)
    except BrokenPipeError:
        sys.stderr.close()
        sys.exit(0)
    except Exception as e:  # a bug, or a failing or damaged store: say which plainly
        if state["debug"]:
            raise
        failure = _store_failure(e)
        if failure:
            _fail(failure, EXIT_BACKEND)
        _fail(
            f"internal error: {type(e).__name__}: {e} (run with --debug for details)", EXIT_INTERNAL
        )
    if code == EXIT_INTERRUPTED:  # typer returns Ctrl-C as exit code 130 when not standalone
        _fail("interrupted; the store is as it was before this command", EXIT_INTERRUPTED)
    sys.exit(code if isinstance(code, int) else 0)


__all__ = ["EXIT_BAD_INPUT", "UsageError", "app", "main"]
