"""The server's gate: a random token on every request, the Host header checked, CSRF on writes."""

from __future__ import annotations

import hmac
import json
import secrets
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# Host names a browser on this machine uses for a server bound to 127.0.0.1.
LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]")
CSRF_HEADER = "x-csrf-token"


@dataclass(frozen=True)
class Secrets:
    """The server's secrets: the access token (in the printed URL) and the CSRF token."""

    token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))

    def cookie(self, port: int) -> str:
        """The cookie name for this server (cookies ignore ports: one name per port)."""
        return f"casegraph_token_{port}"


def same(a: str | None, b: str) -> bool:
    return a is not None and hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def split_host(value: str) -> tuple[str, int | None]:
    """('127.0.0.1', 8765) from '127.0.0.1:8765'; IPv6 in brackets; no port: None."""
    value = value.strip().lower()
    if value.startswith("["):
        end = value.find("]")
        host, rest = value[: end + 1], value[end + 1 :]
    else:
        host, _, rest = value.partition(":")
        rest = ":" + rest if rest else ""
    if rest.startswith(":") and rest[1:].isdigit():
        return host, int(rest[1:])
    return host, None if not rest else -1


async def json_error(send: Send, status: int, message: str) -> None:
    body = json.dumps({"error": message, "status": status}).encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                            (b"cache-control", b"no-store")]})  # fmt: skip
    await send({"type": "http.response.body", "body": body})


class Gate:
    """ASGI middleware: refuse a wrong Host (DNS rebinding), a request without the token (403),
    and a POST without the CSRF header or from another origin (403). `?token=` sets the cookie
    and redirects to the same URL without it, so that the token leaves the address bar."""

    def __init__(self, app: ASGIApp, secrets_: Secrets, port: int, hosts: Iterable[str]) -> None:
        self.app = app
        self.secrets = secrets_
        self.port = port
        self.hosts = frozenset(h.lower() for h in hosts)

    def host_ok(self, value: str | None) -> bool:
        if not value:
            return False
        host, port = split_host(value)
        return host in self.hosts and port in (None, self.port)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            if scope["type"] == "lifespan":
                await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        if not self.host_ok(headers.get("host")):
            await json_error(send, 400, "this Host is not allowed (start serve with --allow-host)")
            return
        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        given = next((v for k, v in query if k == "token"), None)
        cookie = self.secrets.cookie(self.port)
        if given is not None and scope["method"] == "GET":
            if not same(given, self.secrets.token):
                await json_error(send, 403, "wrong token: use the URL casegraph serve printed")
                return
            rest = urlencode([(k, v) for k, v in query if k != "token"])
            # the raw (still percent-encoded) path, never "//host": the redirect stays here
            raw = scope.get("raw_path") or scope.get("path", "/").encode("utf-8")
            path = raw.decode("latin-1")
            target = "/" + path.lstrip("/") + ("?" + rest if rest else "")
            await send({"type": "http.response.start", "status": 303,
                        "headers": [(b"location", target.encode("latin-1")),
                                    (b"set-cookie", f"{cookie}={self.secrets.token}; Path=/; "
                                     "HttpOnly; SameSite=Strict".encode("latin-1")),
                                    (b"cache-control", b"no-store"),
                                    (b"content-length", b"0")]})  # fmt: skip
            await send({"type": "http.response.body", "body": b""})
            return
        if not (same(_bearer(headers.get("authorization")), self.secrets.token)
                or same(_cookie(headers.get("cookie"), cookie), self.secrets.token)):  # fmt: skip
            await json_error(send, 403, "no valid token: open the URL casegraph serve printed, "
                             "or send Authorization: Bearer TOKEN")  # fmt: skip
            return
        if scope["method"] not in ("GET", "HEAD"):
            origin = headers.get("origin")
            if origin is not None and not self.host_ok(origin.split("://", 1)[-1]):
                await json_error(send, 403, "cross-origin write refused")
                return
            if not same(headers.get(CSRF_HEADER), self.secrets.csrf):
                await json_error(send, 403, "a write needs the X-CSRF-Token header of the page")
                return
        await self.app(scope, receive, send)


def _bearer(value: str | None) -> str | None:
    if value and value[:7].lower() == "bearer ":
        return value[7:].strip()
    return None


def _cookie(header: str | None, name: str) -> str | None:
    for part in (header or "").split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None
