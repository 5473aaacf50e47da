"""The HTTP connection layer of ``bilateral serve``: uvicorn's h11 protocol with time limits on
request heads and bodies, a cap on open connections, and no request smuggling.

uvicorn closes an idle keep-alive connection, but not one that never sends a byte, nor one that
sends its head a byte at a time (slowloris), nor a body that never ends; and it reads a request
with both ``Content-Length`` and ``Transfer-Encoding``, answering the bytes after the chunked
body as a second request (issue 13). Here:

- a request head must arrive within ``header_timeout`` seconds of the connection opening or of
  its first byte (else ``408`` and the connection is closed);
- a request body may pause at most ``body_timeout`` seconds between two reads;
- at most ``max_connections`` connections are open: a new one beyond that takes the place of the
  connection idle for longest (a keep-alive connection, or one still sending its head), so idle
  connections cannot lock others out; if every connection is busy with a request, the new one
  gets a ``503``;
- a request with both ``Content-Length`` and ``Transfer-Encoding`` gets a ``400`` and the
  connection is closed (RFC 9112 section 6.3).
"""

from __future__ import annotations

import asyncio
import logging
import resource
import time
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

__all__ = ["default_max_connections", "guarded_protocol"]

log = logging.getLogger(__name__)

_REFUSED = (
    b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain; charset=utf-8\r\n"
    b"retry-after: 1\r\ncontent-length: 26\r\nconnection: close\r\n\r\n"
    b"too many open connections\n"
)
_TOO_SLOW = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\n"
    b"content-length: 35\r\nconnection: close\r\n\r\n"
    b"the request took too long to arrive\n"
)


def default_max_connections() -> int:
    """Half the file-descriptor limit, at most 1,000: the rest stays for the store's files,
    the query workers' sockets and the logs.

    Examples:
        >>> 16 <= default_max_connections() <= 1000
        True
    """
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return max(16, min(1000, soft // 2))


class _StrictConnection(h11.Connection):
    """h11, refusing a request whose body length is given twice (a smuggling vector)."""

    def next_event(self) -> Any:
        event = super().next_event()
        if isinstance(event, h11.Request):
            names = {name.lower() for name, _ in event.headers}
            if b"content-length" in names and b"transfer-encoding" in names:
                raise h11.RemoteProtocolError(
                    "Content-Length together with Transfer-Encoding", error_status_hint=400
                )
        return event


class _GuardedProtocol(H11Protocol):
    header_timeout = 10.0
    body_timeout = 20.0
    max_connections = 1000

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.conn = _StrictConnection(h11.SERVER, self.conn._max_incomplete_event_size)
        self._timer: asyncio.TimerHandle | None = None
        self._last = time.monotonic()

    # -- timers ----------------------------------------------------------------------------

    def _arm(self, seconds: float) -> None:
        self._disarm()
        self._timer = self.loop.call_later(seconds, self._expired)

    def _disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _expired(self) -> None:
        self._timer = None
        if self.transport.is_closing():
            return
        if self.conn.their_state is h11.IDLE and not self._busy():
            self.transport.write(_TOO_SLOW)
        self.transport.close()

    def _busy(self) -> bool:
        """Whether a request is being answered on this connection."""
        return self.cycle is not None and not self.cycle.response_complete

    # -- the protocol ----------------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > self.max_connections and not self._evict():
            log.warning("refusing a connection: %d are open, all busy", len(self.connections))
            transport.write(_REFUSED)
            transport.close()
            return
        self._arm(self.header_timeout)

    def _evict(self) -> bool:
        """Close the connection idle for longest to make room; whether there was one."""
        idle = [
            c
            for c in self.connections
            if c is not self and isinstance(c, _GuardedProtocol) and not c._busy()
        ]
        if not idle:
            return False
        oldest = min(idle, key=lambda c: c._last)
        oldest._disarm()
        oldest.transport.close()
        self.connections.discard(oldest)
        return True

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        self._last = time.monotonic()
        starting = self.conn.their_state is h11.IDLE and not self.conn.trailing_data[0]
        super().data_received(data)
        state = self.conn.their_state
        if state is h11.IDLE and self.conn.trailing_data[0]:
            # A head on its way: the clock started at its first byte, and does not restart.
            if starting or self._timer is None:
                self._arm(self.header_timeout)
        elif state is h11.SEND_BODY:
            self._arm(self.body_timeout)
        else:
            self._disarm()

    def on_response_complete(self) -> None:
        # From here uvicorn's keep-alive timeout watches the connection.
        self._disarm()
        self._last = time.monotonic()
        super().on_response_complete()


def guarded_protocol(
    header_timeout: float, body_timeout: float, max_connections: int
) -> type[H11Protocol]:
    """The h11 protocol class for ``uvicorn.run(http=...)`` with these limits.

    Args:
        header_timeout: seconds for a request head to arrive.
        body_timeout: seconds a request body may pause.
        max_connections: connections open at once.

    Returns:
        A subclass of uvicorn's ``H11Protocol``.
    """
    return type(
        "GuardedH11Protocol",
        (_GuardedProtocol,),
        {
            "header_timeout": header_timeout,
            "body_timeout": body_timeout,
            "max_connections": max_connections,
        },
    )
