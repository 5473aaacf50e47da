"""The query worker pool: heavy queries are stopped at the time limit and never hold up a cheap
one; the pool grows while they run and shrinks back after."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.store.execute import LARGE_ANSWER, Job, Outcome, ProcessExecutor

pytestmark = pytest.mark.subprocess

HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
CHEAP = "ASK { <https://bilateral-kg.example/id/person/heng-sour> ?p ?o }"
LD = "application/ld+json"


@pytest.fixture
def pool(built: Path) -> Iterator[ProcessExecutor]:
    executor = ProcessExecutor(built, workers=2)
    try:
        yield executor
    finally:
        executor.close()


def _wait_for(condition, seconds: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    end = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.02)


def test_cheap_queries_are_answered_while_heavy_ones_hold_every_warm_worker(
    pool: ProcessExecutor,
) -> None:
    assert pool.run(Job(CHEAP)).body == b'{"head":{},"boolean":true}\n'
    outcomes: list[Outcome] = []
    heavy = [
        threading.Thread(target=lambda: outcomes.append(pool.run(Job(HEAVY, timeout=2))))
        for _ in range(2)
    ]
    for t in heavy:
        t.start()
    time.sleep(0.3)
    answered = []
    while any(t.is_alive() for t in heavy):
        start = time.monotonic()
        outcome = pool.run(Job(CHEAP, timeout=2))
        answered.append(time.monotonic() - start)
        assert outcome.status == 200 and b"true" in outcome.body, outcome
        time.sleep(0.05)
    # The two heavy queries were stopped at the limit (+1 s grace), not before.
    assert [o.status for o in outcomes] == [503, 503]
    assert all("time limit of 2 s" in o.detail for o in outcomes)
    assert len(answered) >= 10 and sorted(answered)[len(answered) // 2] < 0.5, answered
    assert pool.size <= pool.max_workers == 4
    # Once they are gone, the pool shrinks back to its warm workers (plus at most the spares
    # started for the last jobs, which stop when they fall idle).
    _wait_for(lambda: pool.size <= 3)


def test_the_time_limit_counts_from_when_a_worker_takes_the_job(built: Path) -> None:
    executor = ProcessExecutor(built, workers=1, max_workers=1, queue_wait=10)
    try:
        blocker = threading.Thread(target=executor.run, args=(Job(HEAVY, timeout=1.5),))
        blocker.start()
        time.sleep(0.2)
        # This one waits about 2.5 s (1.5 s limit + 1 s grace + a fresh worker) for the only
        # worker, longer than its own 2 s limit, but within the queue wait: it runs, and answers.
        start = time.monotonic()
        outcome = executor.run(Job(CHEAP, timeout=2))
        waited = time.monotonic() - start
        blocker.join()
        assert outcome.status == 200, outcome
        assert waited > 2.0
    finally:
        executor.close()


def test_a_full_pool_answers_busy_after_the_queue_wait(built: Path) -> None:
    executor = ProcessExecutor(built, workers=1, max_workers=1, queue_wait=0.3)
    try:
        blocker = threading.Thread(target=executor.run, args=(Job(HEAVY, timeout=1.5),))
        blocker.start()
        time.sleep(0.2)
        outcome = executor.run(Job(CHEAP, timeout=2))
        blocker.join()
        assert outcome.status == 503
        assert outcome.detail == "all 1 query workers are busy; try again"
        assert outcome.headers == {"Retry-After": "1"}
    finally:
        executor.close()


def test_steady_traffic_starts_no_process(pool: ProcessExecutor) -> None:
    pool.run(Job(CHEAP))
    _wait_for(lambda: pool.size == 2)
    pids = {w.process.pid for w in list(pool._idle.queue)}
    for _ in range(20):
        assert pool.run(Job(CHEAP)).status == 200
    assert pool.size == 2
    assert {w.process.pid for w in list(pool._idle.queue)} == pids


def test_steady_concurrent_traffic_does_not_churn_processes(built: Path) -> None:
    """Two clients at once keep taking both warm workers: the spare started for them stays
    while it is needed, instead of a process started and stopped for every request."""
    executor = ProcessExecutor(built, workers=2, linger=0.5)
    try:
        done: list[int] = []

        def client() -> None:
            for _ in range(40):
                done.append(executor.run(Job(CHEAP)).status)

        threads = [threading.Thread(target=client) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert done == [200] * 80
        assert executor.spawned <= executor.max_workers, executor.spawned
        # Once the traffic stops, the pool trims back to its warm workers.
        _wait_for(lambda: executor.size == 2)
    finally:
        executor.close()


def test_a_query_awaited_on_the_event_loop_answers_as_in_a_thread_and_leaves_the_worker_whole(
    built: Path,
) -> None:
    """``run_soon`` (the /sparql hot path, under uvloop as served): the same answers as
    ``run``; nothing when no worker is free or for a write; a heavy query still stopped at
    its limit; a cancelled wait stops the worker; and a worker it used still takes a job
    larger than the socket's buffer (uvloop left the socket non-blocking: that upload
    failed with a 500 before)."""
    import asyncio

    import uvloop

    executor = ProcessExecutor(built, workers=1, max_workers=2)
    try:
        executor.run(Job(CHEAP))  # the warm worker has started

        async def scenario() -> None:
            soon = await executor.run_soon(Job(CHEAP))
            assert soon is not None
            assert (soon.status, soon.body) == (200, executor.run(Job(CHEAP)).body)
            select = (
                "SELECT ?p ?o WHERE { <https://bilateral-kg.example/id/person/heng-sour> ?p ?o }"
            )
            rows = await executor.run_soon(Job(select, accept="text/csv"))
            assert (
                rows is not None and rows.body == executor.run(Job(select, accept="text/csv")).body
            )
            assert await executor.run_soon(Job("INSERT DATA {}", kind="update")) is None
            # An answer over LARGE_ANSWER is read in a thread: the same bytes.
            big = "SELECT (CONCAT(STR(?s), STR(?p), STR(?o), STR(?s), STR(?o)) AS ?x) { ?s ?p ?o } ORDER BY ?x"
            large = await executor.run_soon(Job(big, accept="application/sparql-results+xml"))
            assert large is not None and len(large.body) > LARGE_ANSWER, large
            assert (
                large.body == executor.run(Job(big, accept="application/sparql-results+xml")).body
            )
            # Every worker takes a job larger than a socket buffer, sent blocking.
            deep = '{"@id": "http://e.example/a", "http://e.example/p": ' * 20_000
            upload = Job("", kind="upload", parts=((f'{deep}"x"{"}" * 20_000}'.encode(), LD),))
            for _ in range(executor.size):
                outcome = executor.run(upload)
                assert (outcome.status, outcome.title) == (413, "Content Too Large"), outcome
            stopped = await executor.run_soon(Job(HEAVY, timeout=1))
            assert stopped is not None and stopped.status == 503
            assert "time limit of 1 s" in stopped.detail
            # A wait cancelled (its request gone): the worker goes with its job.
            _wait_for(lambda: executor._idle.qsize() >= 1)  # the stopped one's replacement
            spawned = executor.spawned
            task = asyncio.ensure_future(executor.run_soon(Job(HEAVY, timeout=30, client="b")))
            await asyncio.sleep(0.3)
            assert not task.done()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            _wait_for(lambda: executor.spawned > spawned)

        uvloop.run(scenario())
    finally:
        executor.close()
