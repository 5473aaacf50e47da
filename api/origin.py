"""Where links point: the configured public URL, never a client's ``Host`` or ``X-Forwarded-*``.

An ASGI middleware rewrites each request's ``Host``, scheme and client address before any route
sees them: from ``public_url`` when one is configured; from ``X-Forwarded-Host``/``-Proto``/
``-For`` when the peer is a trusted proxy; else from the address the server listens on. So
``request.url``, and every link built from it (the service description's ``sd:endpoint``,
``next`` links, redirects, graph IRIs the Graph Store creates), carries no client-chosen host
(issue 13: ``Host: evil.example`` made them all ``http://evil.example/...``).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["TrustedOrigin"]

_FORWARDED = (b"x-forwarded-host", b"x-forwarded-proto", b"x-forwarded-for", b"forwarded")
_HOST = re.compile(r"^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$")
_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def _netloc(scheme: str, host: str, port: int | None) -> str:
    shown = f"[{host}]" if ":" in host else host
    return shown if port in (None, _DEFAULT_PORTS.get(scheme)) else f"{shown}:{port}"


class TrustedOrigin:
    """Give every request the configured origin (see the module's docstring)."""

    def __init__(
        self, app: ASGIApp, public_url: str | None = None, trusted_proxies: Collection[str] = ()
    ) -> None:
        self.app = app
        self.public = urlsplit(public_url) if public_url else None
        self.trusted = frozenset(trusted_proxies)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        given = {
            k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"] if k in _FORWARDED
        }
        headers = [(k, v) for k, v in scope["headers"] if k != b"host" and k not in _FORWARDED]
        changes: dict[str, Any] = {}
        peer = scope.get("client")
        proxied = peer is not None and peer[0] in self.trusted
        if proxied and given.get("x-forwarded-for"):
            # The proxy appends the address it saw: the last entry is the one it vouches for.
            client = given["x-forwarded-for"].split(",")[-1].strip()
            changes["client"] = (client, 0)
        if self.public is not None:
            scheme, netloc = self.public.scheme, self.public.netloc
        else:
            scheme = scope.get("scheme", "http")
            server = scope.get("server") or ("localhost", None)
            netloc = _netloc(scheme, server[0], server[1])
            if proxied:
                proto = given.get("x-forwarded-proto", "").split(",")[-1].strip().lower()
                host = given.get("x-forwarded-host", "").split(",")[-1].strip()
                if proto in ("http", "https"):
                    scheme = proto
                if _HOST.match(host):
                    netloc = host
        if scope["type"] == "websocket":
            scheme = {"http": "ws", "https": "wss"}.get(scheme, scheme)
        headers.append((b"host", netloc.encode("latin-1")))
        await self.app({**scope, **changes, "scheme": scheme, "headers": headers}, receive, send)
