"""A query worker process: ``python -m graph.store.worker FD STORE MEMORY [ALLOWED_SERVICE...]``.

The server's ``ProcessExecutor`` starts it with one end of a socket pair as file descriptor
``FD``; the worker reads jobs from it and sends back their outcomes until the socket closes.
``MEMORY`` is its memory budget in bytes (0: none).
"""

from __future__ import annotations

import signal
import sys
from multiprocessing.connection import Connection

from graph.store.execute import worker_main


def main(argv: list[str]) -> int:
    if len(argv) < 3 or not argv[2].isdigit():
        sys.stderr.write(
            "usage: python -m graph.store.worker FD STORE MEMORY [ALLOWED_SERVICE...]\n"
        )
        return 2
    # The server stops its workers itself; Ctrl-C in a terminal reaches the whole group.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    worker_main(Connection(int(argv[0])), argv[1], argv[3:], int(argv[2]) or None)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
