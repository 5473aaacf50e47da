"""Hardening headers: no MIME sniffing on any response, a Content Security Policy on our pages.

Wire it in ``api.app.create_app`` with ``app.add_middleware(SecurityHeaders)`` (after the CORS
middleware, so it wraps every answer, errors included).

The policy lets the pages run only this server's scripts (Cytoscape.js and YASGUI come from npm
and are served by the app) and the inline scripts and handlers written in ``api/templates``
(allowed by their hash, computed here from the template files, so text from the data can never
be allowed); no ``unsafe-inline`` or ``unsafe-eval`` for scripts. Styles may be inline (YASGUI
and Cytoscape set them). ``data:`` is allowed for images and fonts, and for ``connect-src``
because the editor hands YASQE our prefixes as a ``data:`` URL. The Swagger UI at ``/docs`` and
``/redoc`` loads its files from a CDN, so it gets no policy (only ``nosniff``).
"""

from __future__ import annotations

import base64
import hashlib
import re
from functools import lru_cache
from importlib.resources import files

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["SecurityHeaders", "content_security_policy", "inline_script_hashes"]

#: Inline scripts of a template: a ``<script>`` without attributes (so neither ``src`` nor a
#: JSON data block, which the policy does not govern).
_INLINE = re.compile(r"<script>(.*?)</script>", re.DOTALL)
#: Inline event handlers of a template (``<form onsubmit="return false">``).
_HANDLER = re.compile(r'\son[a-z]+="([^"]*)"')
#: Handlers the npm scripts set: CodeMirror (in YASGUI) tests for ``oncopy`` support this way.
LIBRARY_HANDLERS = ("return;",)
#: Paths whose pages come from elsewhere: none (/docs serves Swagger UI from npm itself).
UNGOVERNED: tuple[str, ...] = ()


def _hash(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


@lru_cache(maxsize=1)
def inline_script_hashes() -> tuple[str, ...]:
    """The CSP hashes (``'sha256-...'``) of the inline scripts and event handlers of
    ``api/templates``, and of :data:`LIBRARY_HANDLERS`, each once.

    A script or handler with a template expression in it would change with the data, so it is
    refused rather than hashed.

    Raises:
        ValueError: if an inline script or handler holds a template expression.
    """
    found: list[str] = []
    for template in sorted(files("api").joinpath("templates").iterdir(), key=lambda t: t.name):
        if not template.name.endswith(".html"):
            continue
        text = template.read_text("utf-8")
        for body in [*_INLINE.findall(text), *_HANDLER.findall(text)]:
            if "{{" in body or "{%" in body:
                raise ValueError(f"{template.name}: an inline script must not hold {{{{ }}}}")
            found.append(body)
    found += LIBRARY_HANDLERS
    return tuple(dict.fromkeys(_hash(body) for body in found))


@lru_cache(maxsize=1)
def content_security_policy() -> str:
    """The policy sent with every HTML page but the ones in :data:`UNGOVERNED`."""
    # 'unsafe-hashes' lets a handler attribute run only if its text has one of the hashes.
    scripts = " ".join(("'self'", "'unsafe-hashes'", "'report-sample'", *inline_script_hashes()))
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src {scripts}",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            "connect-src 'self' data:",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


class SecurityHeaders:
    """ASGI middleware: ``X-Content-Type-Options: nosniff`` on every response; on HTML pages
    also the Content Security Policy, ``X-Frame-Options: DENY`` and ``Referrer-Policy``.
    Headers a route sets itself are kept."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.policy = content_security_policy()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        governed = not str(scope.get("path", "")).startswith(UNGOVERNED)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                html = headers.get("content-type", "").lower().startswith("text/html")
                if html and governed:
                    headers.setdefault("Content-Security-Policy", self.policy)
                    headers.setdefault("X-Frame-Options", "DENY")
                    headers.setdefault("Referrer-Policy", "same-origin")
            await send(message)

        await self.app(scope, receive, send_with_headers)
