"""casegraph serve: the local web workspace (a URL with a random token, like Jupyter's)."""

from __future__ import annotations

import socket
import sys
from typing import Annotated

import typer

from casegraph.cli.app import command
from casegraph.cli.common import config, err_console
from casegraph.errors import UsageError


@command()
def serve(
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on (0.0.0.0: every interface).")
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", min=0, max=65535, help="TCP port (0: any free).")
    ] = 8765,
    allow_review: Annotated[
        bool,
        typer.Option(
            "--allow-review",
            help="Let the page record decisions (confirm, reject, "
            "retype, split, note); off, the store is opened read-only.",
        ),
    ] = False,
    allow_host: Annotated[
        list[str] | None,
        typer.Option(
            "--allow-host",
            metavar="NAME",
            help="Also accept requests whose Host is NAME (repeatable); localhost and "
            "127.0.0.1 always are.",
        ),
    ] = None,
) -> None:
    """Explore the store in a browser: search, show, path, neighbours, common, expand on click.

    Prints a URL with a random token; every request without it is refused (403), the Host
    header is checked, and writes need --allow-review, a POST and the page's CSRF token.
    The JSON API is described at /api/openapi.json (send Authorization: Bearer TOKEN).
    """
    import uvicorn

    from casegraph.server.app import Settings, StoreWorker, create_app

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as e:
        sock.close()
        raise UsageError(f"cannot listen on {host}:{port}: {e.strerror or e}") from None
    bound = sock.getsockname()[1]
    settings = Settings(config(), allow_review=allow_review, host=host, port=bound,
                        allow_hosts=tuple(allow_host or ()))  # fmt: skip
    worker = StoreWorker(settings.config, allow_review)
    app = create_app(settings, worker)
    if host in ("0.0.0.0", "::"):
        err_console().print(
            f"warning: listening on every interface ({host}): anyone who can reach this "
            "machine and has the token can read the case. Requests must still carry the token "
            "and name an allowed host (--allow-host NAME).", highlight=False,
        )  # fmt: skip
    mode = "review allowed" if allow_review else "read-only"
    sys.stdout.write(f"casegraph serve ({mode}) on {settings.config.store if not settings.config.neo4j_uri else 'Neo4j'}\n"
                     f"open {settings.url()}\n")  # fmt: skip
    sys.stdout.flush()
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False,
                                           lifespan="off", server_header=False))  # fmt: skip
    try:
        server.run(sockets=[sock])
    finally:
        worker.close()
        sock.close()
