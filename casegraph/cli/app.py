"""The typer application and its global options; commands register on it from their modules."""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

from casegraph import __version__
from casegraph.cli.common import state
from casegraph.config import Config

HELP = """casegraph: turn an investigation's sources into one graph where every fact keeps its
evidence, then ask how things connect.

Exit codes: 0 success; 1 the question had no answer (e.g. no path); 2 bad input or usage;
3 backend unavailable (store locked or damaged, Neo4j unreachable); 70 internal error.
"""


class Command(TyperCommand):
    """A command whose help reads plainly: `ENTITY` and `[C...]` in the usage line (no braces),
    no type shown for flags, a named placeholder for every other option."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        plain_help(self.params)

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if isinstance(param, TyperArgument):
                name = param.metavar or (param.name or "").upper()
                if param.nargs != 1 and not name.endswith("..."):
                    name += "..."
                pieces.append(name if param.required else f"[{name}]")
        return pieces

    def get_help_option(self, ctx: Any) -> TyperOption | None:
        option = super().get_help_option(ctx)
        if option is not None:
            plain_help([option])
        return option


class Group(TyperGroup):
    """The application itself, with the same plain help for its global options."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        plain_help(self.params)

    def get_help_option(self, ctx: Any) -> TyperOption | None:
        option = super().get_help_option(ctx)
        if option is not None:
            plain_help([option])
        return option


# The help placeholder of an option by its click type's name; any other type shows TEXT.
PLACEHOLDERS = {"int": "N", "int range": "N", "float": "N", "float range": "N", "path": "FILE"}


def plain_help(params: list[Any]) -> None:
    """No `<type>` column in help: arguments and flags show none, other options a placeholder."""
    for param in params:
        if isinstance(param, TyperArgument):
            # Help shows an argument's type as its type's metavar; this argument's own copy of
            # the type has none (the shared type object of click stays as it is).
            param.type = copy.copy(param.type)
            param.type.get_metavar = lambda param, ctx: ""  # type: ignore[method-assign]
        elif isinstance(param, TyperOption) and param.metavar is None:
            if param.is_flag:
                param.metavar = ""
            else:
                name = param.type.name if param.nargs == 1 else ""
                param.metavar = PLACEHOLDERS.get(name, "TEXT")


app = typer.Typer(
    cls=Group,
    help=HELP,
    rich_markup_mode="markdown",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def command(*args: Any, **kwargs: Any) -> Any:
    """`app.command` with casegraph's plain help (Command)."""
    return app.command(*args, cls=Command, **kwargs)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"casegraph {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    store: Annotated[
        Path | None,
        typer.Option(
            "--store",
            help="Embedded store file (env CASEGRAPH_STORE; default ./casegraph.db).",
            show_default=False,
        ),
    ] = None,
    neo4j: Annotated[
        str | None,
        typer.Option(
            "--neo4j",
            help="Use a Neo4j server at this URI (env CASEGRAPH_NEO4J_URI); "
            "credentials from NEO4J_USERNAME / NEO4J_PASSWORD / NEO4J_DATABASE.",
            show_default=False,
        ),
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    state["debug"] = debug or state["debug"]
    state["store_given"] = store is not None or bool(os.environ.get("CASEGRAPH_STORE"))
    state["config"] = Config.from_env(store=store, neo4j_uri=neo4j, debug=debug)
