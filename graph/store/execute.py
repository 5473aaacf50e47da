"""Run SPARQL jobs with a time limit and a row cap, in this thread or in killable worker processes.

A job is a query or an update with its protocol dataset and the client's ``Accept``; its outcome
is a status, a media type and a body (the serialized result, or a problem detail). The HTTP
endpoint and ``bilateral query`` share this path.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Literal, TypeVar

import pyoxigraph as ox

from graph.store import DiskStore, Store, StoreError
from graph.store.results import (
    BOOLEAN_TYPES,
    GRAPH_TYPES,
    SOLUTION_TYPES,
    choose,
    preferred,
    serialize_boolean,
    serialize_graph,
    serialize_solutions,
)
from graph.store.safety import UnsafeQueryError, _mask

__all__ = ["Executor", "Job", "Outcome", "ProcessExecutor", "ThreadExecutor", "run_job"]

log = logging.getLogger(__name__)
CHECK_EVERY = 256
T = TypeVar("T")


@dataclass(frozen=True)
class Job:
    """A query or an update, with its protocol dataset and the client's preferences."""

    text: str
    kind: Literal["query", "update"] = "query"
    accept: str = ""
    format: str | None = None  # a format name sent as a parameter (format=json, output=xml)
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    using_graphs: tuple[str, ...] = ()
    using_named_graphs: tuple[str, ...] = ()
    base_iri: str | None = None
    timeout: float = 30.0
    row_cap: int = 100_000


@dataclass
class Outcome:
    """What a job gave: a result (2xx) or a problem (4xx/5xx) with its title and detail."""

    status: int
    media_type: str = ""
    body: bytes = b""
    title: str = ""
    detail: str = ""
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status < 400


class _TimeLimitError(Exception):
    pass


def _problem(status: int, title: str, detail: str) -> Outcome:
    return Outcome(status=status, title=title, detail=detail)


def _check(deadline: float) -> None:
    if time.monotonic() > deadline:
        raise _TimeLimitError


_TOP_LEVEL = re.compile(r"[{}]|(?<![\w:?$])(?:WHERE|USING|WITH)(?![\w:])", re.IGNORECASE)


def with_using(text: str, using: Sequence[str], using_named: Sequence[str]) -> str:
    """An update with the protocol's ``using-graph-uri``/``using-named-graph-uri`` as USING
    clauses before the WHERE of each operation.

    The graph IRIs are checked as IRIs and written as IRI terms.

    Raises:
        ValueError: the update has USING or WITH clauses of its own (the protocol forbids
            both), or a graph is not an IRI.

    Examples:
        >>> with_using("INSERT { ?s a <http://e/T> } WHERE { ?s ?p ?o }", ["http://e/g"], [])
        'INSERT { ?s a <http://e/T> } USING <http://e/g> WHERE { ?s ?p ?o }'
    """
    if not using and not using_named:
        return text
    clauses = "".join(f"USING {ox.NamedNode(g)} " for g in using)
    clauses += "".join(f"USING NAMED {ox.NamedNode(g)} " for g in using_named)
    masked = _mask(text, keep_iris=False)
    depth, inserts = 0, []
    for m in _TOP_LEVEL.finditer(masked):
        token = m.group(0)
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
        elif depth == 0 and token.upper() in ("USING", "WITH"):
            raise ValueError(
                "the update has its own USING or WITH clause, and the request has "
                "using-graph-uri or using-named-graph-uri: give one or the other"
            )
        elif depth == 0:
            inserts.append(m.start())
    for pos in reversed(inserts):
        text = text[:pos] + clauses + text[pos:]
    return text


class _TooManyError(Exception):
    pass


def _collect(items: Iterable[T], job: Job, deadline: float) -> list[T]:
    """Pull results up to the row cap, checking the time limit as they come."""
    out = []
    for i, item in enumerate(items):
        if i % CHECK_EVERY == 0:
            _check(deadline)
        if i >= job.row_cap:
            raise _TooManyError
        out.append(item)
    return out


def _negotiate(job: Job, form: str, offered: list[str], what: str, shown: int) -> str:
    media = choose(preferred(job.accept, job.format, form, offered), offered)
    if media is None:
        raise _NotAcceptableError(f"{what} come as " + ", ".join(offered[:shown]))
    return media


class _NotAcceptableError(Exception):
    pass


def _select(result: ox.QuerySolutions, job: Job, deadline: float) -> Outcome:
    media = _negotiate(job, "results", list(SOLUTION_TYPES), "SELECT results", 4)
    names = [v.value for v in result.variables]
    # A solution iterates over its values in the order of the variables (None if unbound):
    # a third faster than looking each one up by name.
    rows = [tuple(solution) for solution in _collect(result, job, deadline)]
    body = serialize_solutions(names, rows, SOLUTION_TYPES[media])
    return Outcome(status=200, media_type=media, body=body)


def _graph(result: ox.QueryTriples, job: Job, deadline: float) -> Outcome:
    media = _negotiate(job, "graph", list(GRAPH_TYPES), "graph results", 6)
    triples = _collect(result, job, deadline)
    return Outcome(status=200, media_type=media, body=serialize_graph(triples, GRAPH_TYPES[media]))


def run_job(store: Store, job: Job) -> Outcome:
    """Run a job in this thread: the time limit is checked between result rows.

    Returns:
        The outcome: the serialized result, or a problem (400 bad syntax or refused query,
        406 no acceptable format, 422 too many rows, 503 past the time limit).
    """
    deadline = time.monotonic() + job.timeout
    try:
        if job.kind == "update":
            text = with_using(job.text, job.using_graphs, job.using_named_graphs)
            store.update(text, base_iri=job.base_iri)
            return Outcome(status=204)
        result = store.query(
            job.text,
            default_graphs=job.default_graphs,
            named_graphs=job.named_graphs,
            base_iri=job.base_iri,
        )
        if isinstance(result, ox.QueryBoolean):
            media = _negotiate(job, "results", list(BOOLEAN_TYPES), "ASK results", 2)
            return Outcome(
                status=200,
                media_type=media,
                body=serialize_boolean(bool(result), BOOLEAN_TYPES[media]),
            )
        if isinstance(result, ox.QuerySolutions):
            return _select(result, job, deadline)
        return _graph(result, job, deadline)
    except SyntaxError as exc:
        what = "update" if job.kind == "update" else "query"
        return _problem(400, "Bad Request", f"the {what} is not valid SPARQL 1.1: {_short(exc)}")
    except (UnsafeQueryError, ValueError) as exc:
        return _problem(400, "Bad Request", str(exc))
    except _TimeLimitError:
        return _timeout(job)
    except _NotAcceptableError as exc:
        return _problem(406, "Not Acceptable", str(exc))
    except _TooManyError:
        return _problem(
            422,
            "Too Many Rows",
            f"the result has more than {job.row_cap} rows or "
            "triples, the cap of this endpoint; narrow the query or page it with "
            "LIMIT and OFFSET",
        )
    except StoreError as exc:
        return _problem(503, "Service Unavailable", str(exc))
    except OSError as exc:
        log.exception("store error")
        return _problem(500, "Internal Server Error", f"the store failed: {exc}")


def _short(exc: SyntaxError) -> str:
    """Oxigraph's syntax error without its list of every character it would have accepted."""
    message = str(exc)
    head, sep, _ = message.partition(": expected one of")
    return f"{head}: unexpected input" if sep and len(message) > 200 else message


def _timeout(job: Job) -> Outcome:
    return Outcome(
        status=503,
        title="Service Unavailable",
        detail=f"the {job.kind} ran past the time limit of {job.timeout:g} s and was stopped",
        headers={"Retry-After": "1"},
    )


class Executor:
    """Runs jobs; ``run`` blocks the calling thread (the app calls it from a worker thread)."""

    def run(self, job: Job) -> Outcome:
        raise NotImplementedError

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


def worker_main(conn: Connection, root: str, allowed: Sequence[str]) -> None:
    """A query worker's loop: take a job from ``conn``, run it on the store, send the outcome."""
    store = DiskStore(Path(root), allowed)
    while True:
        try:
            job = conn.recv()
        except (EOFError, KeyboardInterrupt):
            return
        conn.send(run_job(store, job))


@dataclass
class _Worker:
    process: subprocess.Popen[bytes]
    conn: Connection


class ProcessExecutor(Executor):
    """Runs jobs in a pool of worker processes on an on-disk store, and kills a worker whose
    job runs past its time limit (then starts a fresh one). Other requests keep being served.

    The pool keeps up to ``workers`` processes idle and warm, and ``max_workers`` in all, so
    that queries running to the time limit do not starve a cheap query that comes after them:
    when a job takes the last idle worker, a spare is started (a worker starts in about a tenth
    of a second), and so is one for each worker stopped at the time limit; a worker that falls
    idle while ``workers`` others are idle is stopped. Steady traffic starts no process. The time
    limit counts from the moment a worker takes the job; the wait for a free worker has its own
    limit, ``queue_wait`` (by default the job's time limit).
    """

    def __init__(
        self,
        root: Path,
        allowed_services: Sequence[str] = (),
        workers: int = 2,
        max_workers: int | None = None,
        queue_wait: float | None = None,
    ) -> None:
        self.root = root
        self.allowed = tuple(allowed_services)
        self.workers = max(1, workers)
        self.max_workers = max(self.workers, max_workers or 2 * self.workers)
        self.queue_wait = queue_wait
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._lock = threading.Lock()
        self._total = 0  # workers alive or starting, idle or busy
        self._closed = False
        for _ in range(self.workers):
            self._total += 1
            self._idle.put(self._spawn())

    def _spawn(self) -> _Worker:
        # A fresh interpreter that imports only the worker (``python -m graph.store.worker``): it
        # starts in about a tenth of a second, with none of the server's threads or open
        # stores. (multiprocessing's spawn and forkserver would import the server's main
        # module, the whole app, again in every worker: a second or more.)
        parent, child = socket.socketpair()
        try:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "graph.store.worker",
                    str(child.fileno()),
                    str(self.root),
                    *self.allowed,
                ],
                pass_fds=(child.fileno(),),
                stdin=subprocess.DEVNULL,
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
            try:
                worker = self._spawn()
            except Exception:
                log.exception("cannot start a query worker")
                with self._lock:
                    self._total -= 1
                return
            self._release(worker)

        threading.Thread(target=start, daemon=True).start()

    def _release(self, worker: _Worker) -> None:
        """Put a worker back in the pool, or stop it if the pool has enough idle ones."""
        with self._lock:
            keep = not self._closed and self._idle.qsize() < self.workers
            if not keep:
                self._total -= 1
        if keep:
            self._idle.put(worker)
        else:
            _stop(worker)

    def _replace(self, worker: _Worker) -> None:
        # A worker stopped at the time limit: the queries that held it tend to come back at
        # once, so a fresh one starts now rather than when the pool runs dry.
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
        if self._idle.empty():
            self._start_spare()
        return worker

    @property
    def size(self) -> int:
        """Workers alive or starting now."""
        return self._total

    def run(self, job: Job) -> Outcome:
        worker = self._take(job.timeout if self.queue_wait is None else self.queue_wait)
        if worker is None:
            return Outcome(
                status=503,
                title="Service Unavailable",
                detail=f"all {self.max_workers} query workers are busy; try again",
                headers={"Retry-After": "1"},
            )
        try:
            worker.conn.send(job)
            # The worker checks the limit between rows; the extra second covers the
            # serialization and the pipe, and a job still running then is killed.
            if worker.conn.poll(job.timeout + 1.0):
                outcome: Outcome = worker.conn.recv()
                self._release(worker)
                return outcome
        except (EOFError, OSError, BrokenPipeError):
            log.warning("a query worker died; starting another")
            threading.Thread(target=self._replace, args=(worker,), daemon=True).start()
            return _problem(500, "Internal Server Error", "the query worker died")
        log.warning("stopping a %s past its time limit of %gs", job.kind, job.timeout)
        threading.Thread(target=self._replace, args=(worker,), daemon=True).start()
        return _timeout(job)

    def close(self) -> None:
        with self._lock:
            self._closed = True
        while True:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                return
            _stop(worker)


def _stop(worker: _Worker) -> None:
    worker.process.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        worker.process.wait(5)
    worker.conn.close()
