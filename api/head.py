"""HEAD wherever GET (RFC 9110 section 9.3.2): a HEAD request is answered as its GET, without
the body.

FastAPI's routes answer only the methods they declare, so 16 routes answered HEAD with a 405
(issue 13). This ASGI middleware runs a HEAD as a GET and drops the body, keeping the status
and every header (``Content-Length`` included, as the GET would send it).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["HeadAsGet"]


class HeadAsGet:
    """ASGI middleware: HEAD runs the GET route and sends its head only."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def head_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, head_only)
