"""The ``serve`` command: the app under uvicorn, in one process or several sharing the store."""

from __future__ import annotations

import argparse
import logging
from typing import Any

from api.cli.shared import CliError, Command, progress, settings
from api.config import Settings, add_setting
from graph.store import current_generation

__all__ = ["add_commands"]


def cmd_serve(args: argparse.Namespace) -> int:
    s = settings(args)
    from api.processes import default_workers

    workers = s.workers or default_workers()
    # Fail early, with the store's message, before uvicorn starts.
    if s.store_url:
        from graph.store.remote import RemoteStore

        store = s.open_store()
        assert isinstance(store, RemoteStore)
        store.check()
        store.close()
    elif workers > 1:
        # Serving processes are forked: the supervisor must not open the database itself, or
        # every child inherits its storage engine without the engine's background threads, and
        # the first write a child makes (a Graph Store DELETE) waits on them forever. Each child
        # opens the store after the fork; here only the built generation is looked for.
        if current_generation(s.store) is None:
            raise CliError(f"no graph has been built in {s.store} yet; run 'bilateral build'")
    else:
        s.open_store()
    # The server says when each process has prepared the views of a graph version.
    logging.getLogger("api").setLevel(logging.INFO)
    if workers > 1:
        return _serve_processes(s, workers)
    executor = None
    if not s.store_url:
        # The query workers start now, while this process imports the app (2 cores: the
        # server is ready about half a second sooner).
        executor = s.executor()
    import uvicorn

    from api.app import create_app

    try:
        uvicorn.run(
            create_app(s, executor=executor),
            host=s.host,
            port=s.port,
            log_level="info",
            **_http_options(s),
        )
    finally:
        if executor is not None:
            executor.close()
    return 0


def _http_options(s: Settings) -> dict[str, Any]:
    """uvicorn's options for every serving process.

    h11, the strict HTTP parser (httptools answered a request line with a CR/LF injected
    before its version, found by tests/test_hostile_queries.py), with time limits and a
    connection cap (api/serving.py). Forwarded headers are read by the app (api/origin.py),
    from trusted proxies only, so uvicorn's own reading of them is off.
    """
    from api.serving import default_max_connections, guarded_protocol

    return {
        "http": guarded_protocol(
            s.header_timeout, s.body_timeout, s.max_connections or default_max_connections()
        ),
        "timeout_keep_alive": max(1, round(s.keep_alive_timeout)),
        "proxy_headers": False,
    }


def _serve_processes(s: Settings, workers: int) -> int:
    """Serve with ``workers`` processes on one address (api/processes.py)."""
    import uvicorn

    from api.app import create_app
    from api.processes import listen, reserve, supervise

    try:
        held = reserve(s.host, s.port)
    except OSError as exc:
        raise CliError(f"cannot listen on {s.host}:{s.port}: {exc.strerror or exc}") from None
    progress(f"serving on http://{s.host}:{s.port} with {workers} processes")

    def serve(index: int) -> None:
        held.close()  # the supervisor's; this process listens on a socket of its own
        sock = listen(s.host, s.port)
        # Each serving process starts its own query workers (after the fork: no process
        # shares another's pipes): its share of the warm ones, so that N processes boot no
        # more interpreters than one did (each pool still grows to twice --query-workers
        # while queries run long: a burst that one process took, each can take).
        warm = max(1, s.query_workers // workers)
        executor = None if s.store_url else s.executor(warm)
        try:
            config = uvicorn.Config(
                create_app(s, executor=executor), log_level="info", **_http_options(s)
            )
            uvicorn.Server(config).run(sockets=[sock])
        finally:
            if executor is not None:
                executor.close()
            sock.close()

    try:
        return supervise(serve, workers)
    finally:
        held.close()


def add_commands(command: Command) -> None:
    """The ``serve`` command, on the parser."""
    p = command("serve", "serve the graph over HTTP")
    add_setting(p, "seeds", help="seeds folder the review page edits (default: seeds)")
    for name in (
        "host",
        "port",
        "write_token",
        "write_token_file",
        "query_timeout",
        "row_cap",
        "query_workers",
        "workers",
        "worker_memory",
        "max_response_bytes",
        "heavy_per_client",
        "public_url",
        "trusted_proxies",
        "max_connections",
        "header_timeout",
        "body_timeout",
        "keep_alive_timeout",
        "allowed_services",
    ):
        add_setting(p, name)
    p.set_defaults(func=cmd_serve)
