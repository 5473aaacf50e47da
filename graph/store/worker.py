"""A query worker process: ``python -m graph.store.worker FD STORE MEMORY [ALLOWED_SERVICE...]``.

The server's ``ProcessExecutor`` starts it with one end of a socket pair as file descriptor
``FD``; the worker reads jobs from it and sends back their outcomes until the socket closes.
``MEMORY`` is its memory budget in bytes (0: none). Unless services are allowed, the worker
first moves into a network namespace of its own (graph.store.isolation): nothing it runs can
open a network connection.
"""

from __future__ import annotations

import logging
import signal
import sys
from multiprocessing.connection import Connection

from graph.store.isolation import isolate_network

log = logging.getLogger("graph.store.worker")


def main(argv: list[str]) -> int:
    if len(argv) < 3 or not argv[2].isdigit():
        sys.stderr.write(
            "usage: python -m graph.store.worker FD STORE MEMORY [ALLOWED_SERVICE...]\n"
        )
        return 2
    if not argv[3:]:
        # Before the engine is imported: it may start threads, and a namespace is made for a
        # process of one thread. With allowed services the worker needs the network.
        isolation = isolate_network()
        if isolation.startswith("no "):
            log.warning("query worker: %s; the SERVICE/LOAD guard is the only barrier", isolation)
    from graph.store.execute import worker_main

    # The server stops its workers itself; Ctrl-C in a terminal reaches the whole group.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    worker_main(Connection(int(argv[0])), argv[1], argv[3:], int(argv[2]) or None)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
