"""Run SPARQL jobs and uploads within limits, in this thread or in killable worker processes.

A job (:mod:`graph.store.jobs`: a query, an update or an RDF upload, run with its time limit,
row cap and response cap) runs here in the calling thread (:class:`ThreadExecutor`) or in a
pool of worker processes that can be stopped (:class:`ProcessExecutor`): a job past its time
limit is stopped with its worker, each worker has a memory budget (enforced by the kernel,
``RLIMIT_DATA``), and an admission control keeps a worker free for cheap queries however many
heavy ones arrive. The HTTP endpoint and ``bilateral query`` share this path.

A query that can start at once (an idle worker, admitted without waiting) may instead be
awaited on the server's event loop (:meth:`ProcessExecutor.run_soon`), which spares the hop to
a thread and back; its limits are watched by the same code (``_watch``) either way.

About 690 lines, over the ~500 of issue 14, for one reason: the pool is one job (start, hand
out, time, stop and replace workers, admit jobs, trim idle spares) whose parts share its lock
and state; splitting it would spread that state over modules.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import queue
import resource
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Generator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from graph.store import DiskStore, Store, StoreError
from graph.store.disk import discard_unfinished
from graph.store.jobs import (
    Job,
    Outcome,
    _memory_problem,
    _problem,
    _timeout,
    run_job,
)

__all__ = [
    "Executor",
    "Job",
    "Outcome",
    "ProcessExecutor",
    "ThreadExecutor",
    "default_worker_memory",
    "run_job",
]

log = logging.getLogger(__name__)


class Executor:
    """Runs jobs; ``run`` blocks the calling thread (the app calls it from a worker thread)."""

    def run(self, job: Job) -> Outcome:
        raise NotImplementedError

    async def run_soon(self, job: Job) -> Outcome | None:
        """Run a job from the event loop without a thread, if it can start at once; ``None``
        when it cannot (then :meth:`run` it in a thread)."""
        return None

    def close(self) -> None:
        """Stop any workers."""


class ThreadExecutor(Executor):
    """Runs jobs in the calling thread, on a store of this process (tests, memory stores).

    A query that computes long before its first row cannot be stopped here; use the
    ``ProcessExecutor`` where that matters.
    """

    def __init__(self, store: Store) -> None:
        self.store = store

    def run(self, job: Job) -> Outcome:
        return run_job(self.store, job)


def default_worker_memory(workers: int = 4) -> int:
    """The memory budget of a worker process by default: half the machine's memory shared by
    the ``workers`` the server may run at once, at least 512 MiB and at most 4 GiB each (1.5
    GiB on a 24 GiB machine with two serving processes of four workers).

    Examples:
        >>> 512 * 2**20 <= default_worker_memory() <= 4 * 2**30
        True
    """
    total = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    return max(512 * 2**20, min(4 * 2**30, total // 2 // max(1, workers)))


def worker_main(
    conn: Connection, root: str, allowed: Sequence[str], memory: int | None = None
) -> None:
    """A query worker's loop: take a job from ``conn``, run it on the store, send the outcome.

    With ``memory``, the worker's data segment (the heap, Oxigraph's allocations included) is
    capped at that many bytes: past it Python raises ``MemoryError`` and Oxigraph aborts the
    process, which the server reports and replaces.
    """
    if memory:
        resource.setrlimit(resource.RLIMIT_DATA, (memory, memory))
    store = DiskStore(Path(root), allowed)
    # Open the current generation before saying so: the first job's time then counts its
    # query, not this interpreter's start and the store's opening (a second or more on a
    # loaded machine, which made a cheap first query look heavy to the admission control).
    with contextlib.suppress(StoreError):
        store.reader()
    conn.send(READY)
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):  # the server has gone
            return
        try:
            outcome = run_job(store, job)
        except Exception as exc:  # a bug of ours or the engine's must not end the worker
            log.exception("query job failed")
            outcome = _problem(500, "Internal Server Error", f"the query failed: {exc}")
        conn.send(outcome)


#: What a worker sends once it has started and opened the store.
READY = "ready"
#: Seconds a new worker may take to start.
START_WAIT = 60.0


@dataclass
class _Worker:
    process: subprocess.Popen[bytes]
    conn: Connection
    ready: bool = False

    def wait_ready(self) -> None:
        """Wait for the worker to have started (its READY message).

        Raises:
            OSError: it did not start in time.
            EOFError: it died first.
        """
        if self.ready:
            return
        if not self.conn.poll(START_WAIT):
            raise OSError("the query worker did not start")
        if self.conn.recv() != READY:
            raise OSError("the query worker said something else than that it was ready")
        self.ready = True


@dataclass
class _Admission:
    """What one job holds of the pool while it runs."""

    client: str
    heavy: bool = False


class ProcessExecutor(Executor):
    """Runs jobs in a pool of worker processes on an on-disk store, each under a memory
    budget, and kills a worker whose job runs past its time limit or its budget (then starts
    a fresh one). Other requests keep being served.

    The pool keeps up to ``workers`` processes idle and warm, and ``max_workers`` in all: when
    a job takes the last idle worker, a spare is started (a worker starts in about a tenth of a
    second), and so is one for each worker stopped; a worker that falls idle while ``workers``
    others are idle is stopped. Steady traffic starts no process. The time limit counts from
    the moment a worker takes the job; the wait for a free worker has its own limit,
    ``queue_wait``, past which the job gets a 503 with ``Retry-After``.

    Admission control keeps cheap queries cheap (issue 13: with 20 clients re-sending heavy
    queries, a one-triple ASK waited 30 s). A query whose worker has used more than
    ``heavy_after`` seconds of processor time, or that has run three times as long, is
    *heavy*: at most ``heavy_total`` heavy queries run at once (by default one less than
    ``max_workers``, so a worker is always left for the rest), and at most
    ``heavy_per_client`` of one client. A query that turns heavy past either limit is stopped
    at once with a 503 and ``Retry-After``. A client with a heavy query running, or one that
    ended less than ``cooldown`` seconds ago, may not take the last free worker (with its
    writes neither), and waits ``queue_wait`` seconds for a worker; other clients wait up to
    10 s. Writes (updates and uploads, which need the write token) never count as heavy: they
    keep the time limit alone.
    """

    def __init__(
        self,
        root: Path,
        allowed_services: Sequence[str] = (),
        workers: int = 2,
        max_workers: int | None = None,
        queue_wait: float = 2.0,
        memory: int | None = None,
        heavy_after: float = 1.0,
        heavy_total: int | None = None,
        heavy_per_client: int = 2,
        cooldown: float = 30.0,
        linger: float = 2.0,
    ) -> None:
        self.root = root
        self.allowed = tuple(allowed_services)
        self.workers = max(1, workers)
        self.max_workers = max(self.workers, max_workers or 2 * self.workers)
        self.queue_wait = queue_wait
        self.memory = memory
        self.heavy_after = heavy_after
        self.heavy_total = max(1, heavy_total or self.max_workers - 1)
        self.heavy_per_client = max(1, heavy_per_client)
        self.cooldown = cooldown
        self.linger = linger
        self.spawned = 0  # processes started, warm ones included
        self._held = 0  # workers running a job now
        self._wanted_at = 0.0  # when the pool last had at most one worker idle
        self._trimming = False
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._lock = threading.Lock()
        self._total = 0  # workers alive or starting, idle or busy
        self._closed = False
        self._admit = threading.Condition()
        self._busy = 0  # jobs holding (or about to take) a worker
        self._heavy: dict[str, int] = {}  # heavy queries running, per client
        self._recent: dict[str, float] = {}  # when each client's last heavy query ended
        for _ in range(self.workers):
            self._total += 1
            self._idle.put(self._spawn())

    def _spawn(self) -> _Worker:
        # A fresh interpreter that imports only the worker (``python -m graph.store.worker``): it
        # starts in about a tenth of a second, with none of the server's threads or open
        # stores. (multiprocessing's spawn and forkserver would import the server's main
        # module, the whole app, again in every worker: a second or more.)
        self.spawned += 1
        parent, child = socket.socketpair()
        # A worker that runs out of memory aborts: one line on the server's log, not a
        # backtrace of a hundred.
        env = {**os.environ, "RUST_BACKTRACE": "0"}
        try:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "graph.store.worker",
                    str(child.fileno()),
                    str(self.root),
                    str(self.memory or 0),
                    *self.allowed,
                ],
                pass_fds=(child.fileno(),),
                stdin=subprocess.DEVNULL,
                env=env,
            )
        except BaseException:
            parent.close()
            raise
        finally:
            child.close()
        return _Worker(process, Connection(parent.detach()))

    def _start_spare(self) -> None:
        """Start one more worker in the background, if the pool may still grow."""
        with self._lock:
            if self._closed or self._total >= self.max_workers:
                return
            self._total += 1

        def start() -> None:
            worker = None
            try:
                worker = self._spawn()
                # Into the pool once started: a job never waits on a booting worker with
                # its time limit running.
                worker.wait_ready()
            except Exception:
                log.exception("cannot start a query worker")
                if worker is not None:
                    _stop(worker)
                with self._lock:
                    self._total -= 1
                return
            self._release(worker)

        threading.Thread(target=start, daemon=True).start()

    def _surplus(self) -> bool:
        """Whether the pool holds more workers than it needs now (its warm ones, or one more
        than the jobs running) and has for ``linger`` seconds. Under steady concurrent
        traffic the spare is needed again and again: stopping it the moment it falls idle
        started and stopped a process for nearly every request (a tenth of a second of CPU
        each, which halved the throughput of 4 clients)."""
        return (
            self._total > max(self.workers, self._held + 1)
            and time.monotonic() - self._wanted_at >= self.linger
        )

    def _release(self, worker: _Worker) -> None:
        """Put a worker back in the pool, or stop it if the pool has had more than it needs
        for ``linger`` seconds (otherwise a trim is scheduled for then)."""
        with self._lock:
            keep = not self._closed and not self._surplus()
            if not keep:
                self._total -= 1
            trim = keep and self._total > self.workers and not self._trimming
            if trim:
                self._trimming = True
        if keep:
            self._idle.put(worker)
            with self._admit:  # a suspect client may be waiting for a second idle worker
                self._admit.notify_all()
        else:
            _stop(worker)
        if trim:
            timer = threading.Timer(self.linger, self._trim)
            timer.daemon = True
            timer.start()

    def _trim(self) -> None:
        """Stop the idle workers the pool has not needed for ``linger`` seconds."""
        while True:
            with self._lock:
                if self._closed or not self._surplus():
                    again = not self._closed and self._total > self.workers
                    self._trimming = again
                    break
                try:
                    worker = self._idle.get_nowait()
                except queue.Empty:
                    self._trimming = False
                    return
                self._total -= 1
            _stop(worker)
        if again:
            timer = threading.Timer(self.linger, self._trim)
            timer.daemon = True
            timer.start()

    def _replace(self, worker: _Worker) -> None:
        # A worker stopped at a limit: the queries that held it tend to come back at once, so
        # a fresh one starts now rather than when the pool runs dry.
        _stop(worker)
        with self._lock:
            self._total -= 1
        self._start_spare()

    def _take(self, wait: float) -> _Worker | None:
        try:
            worker = self._idle.get_nowait()
        except queue.Empty:
            self._start_spare()
            try:
                worker = self._idle.get(timeout=wait)
            except queue.Empty:
                return None
        return self._took(worker)

    def _took(self, worker: _Worker) -> _Worker:
        """Count a worker taken from the pool, and start a spare if it was the last."""
        with self._lock:
            self._held += 1
            if self._held + 1 >= self._total:
                self._wanted_at = time.monotonic()
        if self._idle.empty():
            self._start_spare()
        return worker

    @property
    def size(self) -> int:
        """Workers alive or starting now."""
        return self._total

    def _suspect(self, client: str, now: float) -> bool:
        """Whether a client runs heavy queries now or did lately."""
        ended = self._recent.get(client)
        return self._heavy.get(client, 0) > 0 or (ended is not None and now - ended < self.cooldown)

    def _enter(self, job: Job) -> _Admission | Outcome:
        """Wait for a share of the pool, or say why there is none."""
        now = time.monotonic()
        with self._admit:
            # A client that runs no heavy query waits longer (its queries are quick, and it
            # never waits behind heavy ones for more than one worker's share); a suspect one
            # gets its 503 after ``queue_wait``.
            patient = max(self.queue_wait, min(job.timeout, 10.0))
            deadline = now + (self.queue_wait if self._suspect(job.client, now) else patient)
            while True:
                # The last worker is kept for clients that run no heavy query: when the
                # pool is nearly full, a suspect client waits while fewer than two workers
                # are idle (one of them may be starting, after a heavy query was stopped), so
                # the reserve is warm when a cheap query comes. Asked again at every turn:
                # the client may have turned suspect while it waited.
                now = time.monotonic()
                room = self._room(job, now)
                if room is None:
                    break
                if now >= deadline:
                    return self._refused(f"all {self.max_workers} query workers are busy")
                if room:
                    self._start_spare()
                self._admit.wait(deadline - now)
            self._busy += 1
            return _Admission(job.client)

    def _room(self, job: Job, now: float) -> bool | None:
        """``None`` if the job may take a worker now; else whether the pool has room for one
        more (a spare may be started). Called holding ``_admit``."""
        # Writes too: a token holder running heavy queries keeps to the same share.
        reserve = self.max_workers > 1 and self._suspect(job.client, now)
        limit = self.max_workers - (1 if reserve else 0)
        short = self._idle.qsize() < 2 and self._busy >= self.max_workers - 2
        if self._busy < limit and not (reserve and short):
            return None
        return self._busy < limit

    def _enter_now(self, job: Job) -> _Admission | None:
        """A share of the pool if the job may have one without waiting."""
        with self._admit:
            if self._room(job, time.monotonic()) is not None:
                return None
            self._busy += 1
            return _Admission(job.client)

    def _turn_heavy(self, admission: _Admission) -> bool:
        """Count a job that ran past ``heavy_after`` as heavy, if the limits let it run on."""
        with self._admit:
            mine = self._heavy.get(admission.client, 0)
            if sum(self._heavy.values()) >= self.heavy_total or mine >= self.heavy_per_client:
                self._recent[admission.client] = time.monotonic()
                return False
            self._heavy[admission.client] = mine + 1
            admission.heavy = True
            return True

    def _leave(self, admission: _Admission) -> None:
        with self._admit:
            self._busy -= 1
            if admission.heavy:
                left = self._heavy[admission.client] - 1
                if left:
                    self._heavy[admission.client] = left
                else:
                    del self._heavy[admission.client]
                now = time.monotonic()
                self._recent[admission.client] = now
                if len(self._recent) > 10_000:  # forget clients long quiet
                    self._recent = {
                        c: t for c, t in self._recent.items() if now - t < self.cooldown
                    }
            self._admit.notify_all()

    def _refused(self, why: str) -> Outcome:
        return Outcome(
            status=503,
            title="Service Unavailable",
            detail=f"{why}; try again",
            headers={"Retry-After": "1"},
        )

    def run(self, job: Job) -> Outcome:
        admitted = self._enter(job)
        if isinstance(admitted, Outcome):
            return admitted
        try:
            return self._run(job, admitted)
        finally:
            self._leave(admitted)

    def _run(self, job: Job, admission: _Admission) -> Outcome:
        # ``_enter`` counted this job against the pool's size, so a worker is idle or starting.
        worker = self._take(max(self.queue_wait, 10.0))
        if worker is None:
            return self._refused(f"all {self.max_workers} query workers are busy")
        try:
            return self._on(worker, job, admission)
        finally:
            with self._lock:
                self._held -= 1

    async def run_soon(self, job: Job) -> Outcome | None:
        """A query, when a worker is idle and ready and the admission control lets it start
        at once: sent to the worker and its answer awaited on the event loop (no hop to a
        thread and back: about 0.2 ms a request). Otherwise ``None``, and the caller runs it
        in a thread with :meth:`run`, which waits for a worker as long as the pool says."""
        if job.writes:
            return None
        admitted = self._enter_now(job)
        if admitted is None:
            return None
        try:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                return None
            self._took(worker)
            try:
                if not worker.ready:  # a warm worker's first job waits for it to start
                    return await asyncio.to_thread(self._on, worker, job, admitted)
                return await self._on_soon(worker, job, admitted)
            finally:
                with self._lock:
                    self._held -= 1
        finally:
            self._leave(admitted)

    def _on(self, worker: _Worker, job: Job, admission: _Admission) -> Outcome:
        """Run a job on a worker taken from the pool (which gets it back, or a fresh one)."""
        try:
            worker.wait_ready()  # a warm worker started with the pool: before the clock runs
            worker.conn.send(job)
            watch = self._watch(worker, job, admission)
            step = next(watch)
            while True:
                step = watch.send(worker.conn.poll(step))
        except StopIteration as end:
            return self._ended(worker, job, end.value)
        except (EOFError, OSError, BrokenPipeError):
            return self._died(worker, job)

    async def _on_soon(self, worker: _Worker, job: Job, admission: _Admission) -> Outcome:
        """:meth:`_on`, waiting for the worker's answer on the event loop."""
        try:
            worker.conn.send(job)
            watch = self._watch(worker, job, admission)
            step = next(watch)
            while True:
                step = watch.send(await _readable(worker.conn, step))
        except StopIteration as end:
            if end.value is None and _large(worker.conn):
                return await asyncio.to_thread(self._ended, worker, job, None)
            return self._ended(worker, job, end.value)
        except (EOFError, OSError, BrokenPipeError):
            return await asyncio.to_thread(self._died, worker, job)
        except asyncio.CancelledError:
            # Nobody waits for the answer any more (the request was cancelled): the worker
            # is stopped with its job rather than left out of the pool.
            self._kill(worker, job)
            raise

    def _watch(
        self, worker: _Worker, job: Job, admission: _Admission
    ) -> Generator[float, bool, Outcome | None]:
        """How long to wait for the worker's answer, again and again (it is sent whether the
        answer came): ``None`` at the end when it came, else the outcome of a job stopped at
        its time limit or as one heavy query too many."""
        # The worker checks the limit between rows; the extra second covers the
        # serialization and the pipe, and a job still running then is killed.
        limit = job.timeout + 1.0
        started = time.monotonic()
        if job.writes:
            if (yield limit):
                return None
        else:
            # Heavy is measured in the worker's processor time, so that a cheap query
            # slowed by a busy machine is not taken for a heavy one; and, on a machine so
            # busy that a heavy query gets little of it, by three times as long on the
            # wall clock.
            cpu = _cpu_seconds(worker.process.pid)
            step = min(self.heavy_after, limit)
            while True:
                done = yield step
                spent = time.monotonic() - started
                if done:
                    return None
                if spent >= limit:
                    break
                step = min(0.25, limit - spent)
                if admission.heavy or (
                    _cpu_seconds(worker.process.pid) - cpu < self.heavy_after
                    and spent < 3 * self.heavy_after
                ):
                    continue
                if not self._turn_heavy(admission):
                    self._kill(worker, job)
                    return self._refused(
                        f"the query ran long (over {self.heavy_after:g} s of processor time "
                        f"or {3 * self.heavy_after:g} s) while the server already runs its "
                        "limit of long queries "
                        f"({self.heavy_total} at once, {self.heavy_per_client} per client), "
                        "so it was stopped"
                    )
        log.warning("stopping a %s past its time limit of %gs", job.kind, job.timeout)
        self._kill(worker, job)
        return _timeout(job)

    def _ended(self, worker: _Worker, job: Job, stopped: Outcome | None) -> Outcome:
        """The outcome of a job: the worker's answer (the worker goes back to the pool), or
        why it was stopped."""
        if stopped is not None:
            return stopped
        try:
            outcome: Outcome = worker.conn.recv()
        except (EOFError, OSError):
            return self._died(worker, job)
        self._release(worker)
        return outcome

    def _died(self, worker: _Worker, job: Job) -> Outcome:
        """A worker that stopped on its own: out of memory (Oxigraph aborts), or a crash."""
        code = None
        with contextlib.suppress(subprocess.TimeoutExpired):
            code = worker.process.wait(5)
        self._kill(worker, job)
        if code == -signal.SIGABRT and self.memory:
            log.warning("a %s ran out of the memory budget of its worker", job.kind)
            return _memory_problem(job, self.memory)
        log.warning("a query worker died (status %s); starting another", code)
        return _problem(500, "Internal Server Error", f"the {job.kind} stopped its worker process")

    def _kill(self, worker: _Worker, job: Job) -> None:
        """Stop a worker and start another; a write's unfinished generation goes at once."""
        if not job.writes:
            threading.Thread(target=self._replace, args=(worker,), daemon=True).start()
            return
        self._replace(worker)
        try:
            discard_unfinished(self.root)
        except Exception:  # the next write prunes it anyway
            log.exception("cannot remove the unfinished generation of a stopped write")

    def close(self) -> None:
        with self._lock:
            self._closed = True
        while True:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                return
            _stop(worker)


def _cpu_seconds(pid: int) -> float:
    """Processor time a process has used (user and system), from /proc; the wall clock's
    seconds since the boot where /proc cannot tell, so a job then counts by its wall time."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return time.monotonic()


def _stop(worker: _Worker) -> None:
    worker.process.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        worker.process.wait(5)
    worker.conn.close()


async def _readable(conn: Connection, timeout: float) -> bool:
    """Whether the worker's answer arrives within ``timeout`` seconds, waited for on the
    event loop."""
    if conn.poll(0):
        return True
    loop = asyncio.get_running_loop()
    arrived = loop.create_future()
    fd = conn.fileno()

    def ready() -> None:
        if not arrived.done():
            arrived.set_result(True)

    loop.add_reader(fd, ready)
    try:
        async with asyncio.timeout(timeout):
            await arrived
        return True
    except TimeoutError:
        return False
    finally:
        loop.remove_reader(fd)
        # uvloop leaves the socket non-blocking, and the worker's connection is read and
        # written blocking elsewhere (a large job sent in a thread would fail half-written).
        os.set_blocking(fd, True)


#: An answer larger than this is read in a thread, not on the event loop (it may take a
#: while to arrive whole, and other requests would wait).
LARGE_ANSWER = 1 << 20


def _large(conn: Connection) -> bool:
    """Whether the answer waiting on ``conn`` is larger than ``LARGE_ANSWER`` (from the
    length ahead of it, read without taking it)."""
    with socket.socket(fileno=os.dup(conn.fileno())) as sock:
        sock.setblocking(True)  # the descriptors share their mode: leave it blocking
        head = sock.recv(4, socket.MSG_PEEK)
    if len(head) < 4:
        return True
    size: int = struct.unpack("!i", head)[0]
    return size < 0 or size > LARGE_ANSWER
