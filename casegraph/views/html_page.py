"""The self-contained page: inlined vis-network, escaped JSON data, hashed code under a strict CSP."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from casegraph.errors import CasegraphError

# The vis-network build shipped inside the pyvis package (a dependency): inlined, never fetched.
VIS_VERSION = "vis-9.1.2"
# Characters that must not appear raw in JSON placed inside a <script> element.
_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                 "\u2028": "\\u2028", "\u2029": "\\u2029"}  # fmt: skip
_JSON_ESCAPE_RE = re.compile("[<>&\u2028\u2029]")
# Text that would end or confuse an inline <script>/<style> element if it appeared inside one.
_UNSAFE_INLINE = re.compile(r"</script|<!--|</style", re.IGNORECASE)


def script_json(data: Any) -> str:
    """JSON safe to place inside <script type="application/json">: no tag can start in it."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return _JSON_ESCAPE_RE.sub(lambda m: _JSON_ESCAPES[m.group(0)], text)


def csp_hash(text: str) -> str:
    """The CSP source expression allowing exactly this inline script or style text."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def _normalise(text: str, what: str) -> str:
    # The HTML parser turns CR LF into LF before hashing: hash what the browser will see.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _UNSAFE_INLINE.search(text):
        raise CasegraphError(f"{what} cannot be inlined safely (contains a closing tag)")
    return text


@lru_cache(maxsize=1)
def vis_assets() -> tuple[str, str]:
    """(JavaScript, CSS) of vis-network from the installed pyvis package."""
    import pyvis

    base = Path(pyvis.__file__).parent / "lib" / VIS_VERSION
    try:
        js = (base / "vis-network.min.js").read_text("utf-8")
        css = (base / "vis-network.css").read_text("utf-8")
    except OSError as e:
        raise CasegraphError(
            f"the vis-network files of the pyvis package are missing ({base}): reinstall pyvis"
        ) from e
    return _normalise(js, "vis-network.min.js"), _normalise(css, "vis-network.css")


@lru_cache(maxsize=4)
def _asset(name: str) -> str:
    return resources.files("casegraph.views").joinpath("templates", name).read_text("utf-8")


def render_page(*, title: str, data: dict[str, Any], live_js: str | None = None) -> str:
    """The whole HTML document: one file, no network request, data escaped, code hashed.

    With `live_js` (the script of `casegraph serve`'s page), that script runs too and the page
    may reach its own origin (fetch and forms), nothing else.
    """
    from jinja2 import Environment, StrictUndefined

    vis_js, vis_css = vis_assets()
    app_js = _normalise(_asset("view.js"), "view.js")
    app_css = _normalise(_asset("view.css"), "view.css")
    live = _normalise(live_js, "live script") if live_js is not None else None
    style = vis_css + "\n" + app_css
    scripts = [vis_js, app_js] + ([live] if live is not None else [])
    csp = "; ".join([
        "default-src 'none'",
        "script-src " + " ".join(csp_hash(js) for js in scripts),
        f"style-src {csp_hash(style)}",
        "img-src data:",
        "font-src 'none'",
        "connect-src 'self'" if live is not None else "connect-src 'none'",
        "media-src 'none'",
        "object-src 'none'",
        "frame-src 'none'",
        "worker-src 'none'",
        "manifest-src 'none'",
        "base-uri 'none'",
        "form-action 'self'" if live is not None else "form-action 'none'",
    ])  # fmt: skip
    env = Environment(autoescape=True, undefined=StrictUndefined, keep_trailing_newline=True)
    template = env.from_string(_asset("view.html.j2"))
    return template.render(
        title=title,
        csp=csp,
        style=_markup(style),
        vis_js=_markup(vis_js),
        app_js=_markup(app_js),
        live_js=_markup(live) if live is not None else None,
        data=_markup(script_json(data)),
    )


def _markup(text: str) -> Any:
    """Text checked above (no closing tag can occur in it) that the template inserts verbatim."""
    from markupsafe import Markup

    return Markup(text)  # checked by _normalise, or escaped by script_json
