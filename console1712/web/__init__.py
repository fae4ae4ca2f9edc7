"""The chatters' web page, served by the relay: maps a request path to an HTTP response.

The page is static HTML, CSS and JS shipped in this package (no build step, nothing from
other hosts). Every response carries a strict Content-Security-Policy and no cookies.
"""

from __future__ import annotations

import html
from functools import cache
from http import HTTPStatus
from importlib import resources

from websockets.datastructures import Headers
from websockets.http11 import Response

# Same-origin websockets are covered by 'self' in CSP level 3 (Chromium, Firefox, Safari).
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
EXIT_URL_MARK = "__EXIT_URL__"
SAFE_EXIT_URL = "https://www.meteo.be/nl"

# path -> (file in this package, content type)
ASSETS: dict[str, tuple[str, str]] = {
    "/": ("index.html", "text/html; charset=utf-8"),
    "/static/chat.js": ("chat.js", "text/javascript; charset=utf-8"),
    "/static/style.css": ("style.css", "text/css; charset=utf-8"),
    "/static/icon.svg": ("icon.svg", "image/svg+xml"),
}


@cache
def _read(name: str) -> bytes:
    return resources.files(__package__).joinpath(name).read_bytes()


def page_headers(content_type: str, length: int) -> Headers:
    """The headers of every page and asset response: type, length, CSP and no caching."""
    return Headers(
        [
            ("Content-Type", content_type),
            ("Content-Length", str(length)),
            ("Content-Security-Policy", CSP),
            ("X-Frame-Options", "DENY"),
            ("Referrer-Policy", "no-referrer"),
            ("X-Content-Type-Options", "nosniff"),
            ("Cache-Control", "no-store"),
            ("Cross-Origin-Opener-Policy", "same-origin"),
            ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
            ("Connection", "close"),
        ]
    )


def exit_url_for_page(exit_url: str) -> str:
    """The quick-exit target as the page may use it: only http(s), else the safe default."""
    if exit_url.startswith(("https://", "http://")):
        return exit_url
    return SAFE_EXIT_URL


def respond(path: str, exit_url: str = SAFE_EXIT_URL) -> Response | None:
    """The response for a page or asset path (query already removed), or None if not ours."""
    asset = ASSETS.get(path)
    if asset is None:
        return None
    name, content_type = asset
    body = _read(name)
    if name == "index.html":
        target = html.escape(exit_url_for_page(exit_url), quote=True)
        body = body.replace(EXIT_URL_MARK.encode(), target.encode())
    status = HTTPStatus.OK
    return Response(status.value, status.phrase, page_headers(content_type, len(body)), body)
