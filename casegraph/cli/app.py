"""The typer application and its global options; commands register on it from their modules."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from casegraph import __version__
from casegraph.cli.common import state
from casegraph.config import Config

HELP = """casegraph: turn an investigation's sources into one graph where every fact keeps its
evidence, then ask how things connect.

Exit codes: 0 success; 1 the question had no answer (e.g. no path); 2 bad input or usage;
3 backend unavailable (store locked or damaged, Neo4j unreachable); 70 internal error.
"""

app = typer.Typer(
    help=HELP,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


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
            help="Embedded store file [env CASEGRAPH_STORE; default ./casegraph.db].",
            show_default=False,
        ),
    ] = None,
    neo4j: Annotated[
        str | None,
        typer.Option(
            "--neo4j",
            help="Use a Neo4j server at this URI [env CASEGRAPH_NEO4J_URI]; "
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
