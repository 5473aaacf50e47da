"""Who may write, and how much a request may send: the write token and the bounded body."""

from __future__ import annotations

import hmac

from fastapi import Request

from api.deps import SettingsDep
from api.problems import Problem

__all__ = ["authorize", "read_body"]


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused past ``limit`` bytes without reading the rest."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise Problem(413, f"the request body is {declared} bytes; the limit is {limit}")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise Problem(413, f"the request body is larger than the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def authorize(request: Request, settings: SettingsDep) -> None:
    """Let a write through only with the configured write token."""
    token = settings.token()
    if token is None:
        raise Problem(403, "this endpoint is read-only: no write token is configured")
    header = request.headers.get("authorization", "")
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer" or not given:
        raise Problem(
            401,
            "updates need 'Authorization: Bearer <token>'",
            headers={"WWW-Authenticate": 'Bearer realm="sparql"'},
        )
    if not hmac.compare_digest(given.strip().encode(), token.encode()):
        raise Problem(403, "the write token is not valid")
