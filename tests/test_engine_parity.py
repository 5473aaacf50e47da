"""Where our SPARQL layer must answer as the engine does: errors, datasets, result writers."""

from __future__ import annotations

from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from graph.store import memory_store
from graph.store.execute import Job, ProcessExecutor, ThreadExecutor
from tests.server import serve

UNSUPPORTED = "SELECT (<http://e/f>(1) AS ?x) {}"


def _pids(executor: ProcessExecutor) -> set[int]:
    return {w.process.pid for w in list(executor._idle.queue)}


@pytest.mark.subprocess  # query worker processes
def test_an_unsupported_function_is_a_400_and_no_worker_dies(built: Path) -> None:
    executor = ProcessExecutor(built, workers=2, max_workers=2)
    try:
        before = _pids(executor)
        assert len(before) == 2
        for i in range(20):
            outcome = executor.run(Job(text=UNSUPPORTED.replace("1", str(i))))
            assert outcome.status == 400, outcome.detail
            assert "The custom function <http://e/f> is not supported" in outcome.detail
        assert _pids(executor) == before
        assert executor.run(Job(text="ASK {}")).status == 200
    finally:
        executor.close()


@pytest.mark.server
def test_an_unsupported_function_over_http(built: Path) -> None:
    with serve(built) as base:
        r = httpx.get(f"{base}/sparql", params={"query": UNSUPPORTED}, timeout=30)
        assert r.status_code == 400
        assert "is not supported" in r.json()["detail"]


def test_named_graph_uri_alone_leaves_the_default_graph_empty() -> None:
    data = b'<http://e/a> <http://e/p> "x" <http://e/g> .\n<http://e/b> <http://e/p> "y" .\n'
    store = memory_store(data)
    run = ThreadExecutor(store).run
    query = "SELECT * { ?s ?p ?o }"
    accept = "text/csv"
    alone = run(Job(text=query, named_graphs=("http://e/g",), accept=accept))
    assert len(alone.body.decode().splitlines()) == 1  # the header only
    # As the FROM NAMED-only query, and as the engine with the same dataset.
    own = run(Job(text="SELECT * FROM NAMED <http://e/g> { ?s ?p ?o }", accept=accept))
    assert own.body == alone.body
    engine = ox.Store()
    engine.load(data, format=ox.RdfFormat.N_QUADS)
    rows = engine.query(query, default_graph=[], named_graphs=[ox.NamedNode("http://e/g")])
    assert list(rows) == []
    graph = run(
        Job(text="SELECT ?o { GRAPH ?g { ?s ?p ?o } }", named_graphs=("http://e/g",), accept=accept)
    )
    assert graph.body.decode().splitlines() == ["o", "x"]
    both = run(
        Job(text=query, default_graphs=("http://e/g",), named_graphs=("http://e/g",), accept=accept)
    )
    assert len(both.body.decode().splitlines()) == 2
    union = run(Job(text=query, accept=accept))
    assert len(union.body.decode().splitlines()) == 3


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        # W3C syntax-query negative tests whose only real reason is in the engine's list.
        ("SELECT ?x WHERE { ?s ?p ?o } GROUP BY ?s", "unbound"),
        ("PREFIX e: <http://e/> SELECT * { ?s ?p <http://e/a b> }", "IRI"),
        ("SELECT * { ?s ?p x:y }", "Prefix not found"),
    ],
)
def test_the_engines_reason_is_kept(query: str, reason: str) -> None:
    engine_message = ""
    try:
        ox.Store().query(query)
    except SyntaxError as exc:
        engine_message = str(exc)
    assert reason in engine_message
    outcome = ThreadExecutor(memory_store()).run(Job(text=query))
    assert outcome.status == 400
    assert reason in outcome.detail
    assert len(outcome.detail) < 400
