"""Servers for the benchmarks: a free port on 127.0.0.1, and a server started in its own
process group, waited for, and always stopped (``bench/run.py``, ``reconcile.py``,
``layers.py``)."""

from __future__ import annotations

import contextlib
import logging
import os
import re
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

log = logging.getLogger("bench")


def free_port() -> int:
    """A port of 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Server:
    name: str
    url: str
    proc: subprocess.Popen[bytes]
    ready_s: float


@contextlib.contextmanager
def serve(
    name: str, cmd: list[str], url: str, probe: str, log_file: Path, timeout: float = 600.0
) -> Iterator[Server]:
    """Start a server on 127.0.0.1 in its own process group, wait until ``probe`` answers,
    and always stop the group at the end."""
    out = open(log_file, "w")  # noqa: SIM115 (closed in finally)
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        cmd, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True
    )
    try:
        deadline = t0 + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited with {proc.returncode}; see {log_file}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(probe, timeout=5).status_code == 200:
                    break
            if time.perf_counter() > deadline:
                raise RuntimeError(f"{name} not ready after {timeout} s; see {log_file}")
            time.sleep(0.02)
        ready = time.perf_counter() - t0
        log.info("%s ready in %.2f s", name, ready)
        yield Server(name, url, proc, ready)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        out.close()


def wait_for_views(log_file: Path, timeout: float = 900.0, times: int = 1) -> None:
    """Wait until every serving process of our server has logged that its views (summary,
    search index, projection, entity facts, meetings) are prepared, ``times`` times (2: for
    the store's version after a rebuild too)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = log_file.read_text(errors="replace")
        found = re.search(r"with (\d+) processes", text)
        processes = int(found.group(1)) if found else 1
        if text.count("entity facts and meetings ready") >= processes * times:
            return
        time.sleep(0.05)
    raise RuntimeError(f"our server's views not ready after {timeout:.0f} s; see {log_file}")


def group_cpu(pgid: int) -> float:
    """Processor seconds (user and system) used so far by the processes of a process group
    (a server that :func:`serve` started: for ours, its serving processes and their query
    workers), counting workers that have ended and been waited for (in their parent's
    children's times)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                # After the command's ")": state, ppid, pgrp, ..., utime (12th), stime,
                # cutime, cstime.
                fields = f.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:
            total += sum(int(x) for x in fields[11:15])
    return total / tick
