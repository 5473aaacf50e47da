"""Cut a query worker off the network, so that a SERVICE or LOAD past the guard reaches nothing.

A second barrier behind the guard (graph.store.safety): the worker process moves into a network
namespace of its own, which has no interface but a loopback that is down, so every ``connect``
to an outside host or to 127.0.0.1 fails with "Network is unreachable". The worker talks to the
server over a Unix socket pair, which a network namespace does not touch.
"""

from __future__ import annotations

import ctypes
import os
import sys

__all__ = ["CLONE_NEWNET", "CLONE_NEWUSER", "isolate_network"]

CLONE_NEWNET = 0x40000000
CLONE_NEWUSER = 0x10000000


def isolate_network() -> str:
    """Move this process into a new network namespace (as root), or into a new user and
    network namespace (unprivileged, where the kernel allows it).

    Call it while the process has a single thread (``unshare`` of a user namespace requires
    that), before it opens any network connection.

    Returns:
        What holds: ``"network namespace"``, ``"user and network namespace"``, or why neither
        could be made (the worker then runs with the guard alone).

    Examples:
        >>> isolate_network.__name__  # run in a worker process, not in a doctest's
        'isolate_network'
    """
    if not sys.platform.startswith("linux"):
        return f"no network namespace on {sys.platform}"
    libc = ctypes.CDLL(None, use_errno=True)
    errors = []
    for flags, what in (
        (CLONE_NEWNET, "network namespace"),
        (CLONE_NEWUSER | CLONE_NEWNET, "user and network namespace"),
    ):
        if libc.unshare(flags) == 0:
            return what
        errors.append(os.strerror(ctypes.get_errno()))
    return "no network namespace: " + "; ".join(dict.fromkeys(errors))
