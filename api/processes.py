"""Serving on every core: several server processes answering on one address, restarted when
one dies.

``bilateral serve --workers N`` reserves the address, then forks N serving processes that each
listen on it with a socket of their own (``SO_REUSEPORT``: the kernel spreads new connections
over them). They share the store
on disk: each reads the current generation read-only, and a write from any of them (or from
``bilateral build`` / ``load``) makes a new generation under the store's lock and moves
``current``, which every process follows at its next query; the caches and prepared views of
each process are per graph version, so no process answers from an older one (after a rebuild
each reads the views the writer prepared with the generation, instead of computing them:
graph/store/prepared.py). A write is
acknowledged only once its generation is current on disk, so a serving process killed at any
moment loses no acknowledged write; the supervisor starts another in its place while the
others keep answering.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import sys
import time
from collections.abc import Callable

__all__ = ["default_workers", "listen", "reserve", "supervise"]

log = logging.getLogger(__name__)

#: A serving process that dies sooner than this after its start is not restarted at once
#: (a broken store or port would otherwise restart in a tight loop).
MIN_LIFETIME = 1.0


def default_workers() -> int:
    """One serving process per core this process may run on.

    Examples:
        >>> default_workers() >= 1
        True
    """
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def reserve(host: str, port: int) -> socket.socket:
    """Bind ``host:port`` without listening, so the address is ours (and a taken one fails
    now); each serving process then listens on a socket of its own on the same address
    (:func:`listen`).

    Raises:
        OSError: the address is taken or cannot be bound.
    """
    sock = _socket(host)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def listen(host: str, port: int, backlog: int = 2048) -> socket.socket:
    """A listening socket of this serving process on ``host:port``, beside those of the
    others (``SO_REUSEPORT``): the kernel spreads new connections over the processes evenly.
    One shared socket let whichever process woke first accept them all: four keep-alive
    clients all went to one of two processes.

    Raises:
        OSError: the address cannot be bound.
    """
    sock = _socket(host)
    try:
        sock.bind((host, port))
        sock.listen(backlog)
    except OSError:
        sock.close()
        raise
    return sock


def _socket(host: str) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    return sock


def supervise(serve: Callable[[int], None], workers: int) -> int:
    """Fork ``workers`` processes that each call ``serve(index)``, restart any that dies, and
    stop them all at SIGTERM or SIGINT.

    Args:
        serve: what a serving process runs (it returns when the process should exit).
        workers: how many serving processes.

    Returns:
        0 once every serving process has stopped after a signal, 1 if they kept dying.
    """
    children: dict[int, tuple[int, float]] = {}  # pid -> (index, started)
    stopping = False

    def start(index: int) -> None:
        pid = os.fork()
        if pid == 0:  # the serving process
            code = 0
            try:
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                serve(index)
            except BaseException:
                log.exception("serving process %d failed", index)
                code = 1
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        children[pid] = (index, time.monotonic())

    def stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True
        for pid in list(children):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
    failures = 0
    try:
        for index in range(workers):
            start(index)
        log.info("serving with %d processes (%s)", workers, ", ".join(map(str, children)))
        while children:
            try:
                pid, status = os.wait()
            except ChildProcessError:
                break
            except InterruptedError:
                continue
            if pid not in children:
                continue  # not a serving process
            index, started = children.pop(pid)
            if stopping:
                continue
            failures = failures + 1 if time.monotonic() - started < MIN_LIFETIME else 0
            if failures > 5:
                log.error("serving processes keep dying; stopping")
                stop(signal.SIGTERM, None)
                return 1
            log.warning(
                "serving process %d (pid %d) ended with status %d; starting another",
                index,
                pid,
                os.waitstatus_to_exitcode(status),
            )
            if failures:
                time.sleep(MIN_LIFETIME)
            start(index)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    return 0
