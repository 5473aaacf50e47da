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
@pytest.mark.subprocess
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


# ---- result writers: term for term as the engine's own -----------------------------------

# Test data: terms that writers get wrong (directions, triple terms, bound whitespace, CR,
# markup, quotes, commas, tabs, non-canonical numbers, control and non-ASCII characters).
TRICKY = r"""
<http://e/s> <http://e/p> "x"@en--ltr .
<http://e/s> <http://e/p> "y"@ar--rtl .
<http://e/s> <http://e/p> "plain"@en-GB .
<http://e/s> <http://e/p> " lead and trail " .
<http://e/s> <http://e/p> "\r\ncr at the start, tab at the end\t" .
<http://e/s> <http://e/p> "mid\rdle\nlines" .
<http://e/s> <http://e/p> "a<&>]]>\"'" .
<http://e/s> <http://e/p> "comma, and \"quote\"" .
<http://e/s> <http://e/p> "back\\slash" .
<http://e/s> <http://e/p> "" .
<http://e/s> <http://e/p> "\u0001 control" .
<http://e/s> <http://e/p> "ünïcödé 😀" .
<http://e/s> <http://e/p> "01"^^<http://www.w3.org/2001/XMLSchema#integer> .
<http://e/s> <http://e/p> "+1"^^<http://www.w3.org/2001/XMLSchema#integer> .
<http://e/s> <http://e/p> "1."^^<http://www.w3.org/2001/XMLSchema#decimal> .
<http://e/s> <http://e/p> "-.5"^^<http://www.w3.org/2001/XMLSchema#decimal> .
<http://e/s> <http://e/p> "1e3"^^<http://www.w3.org/2001/XMLSchema#double> .
<http://e/s> <http://e/p> "INF"^^<http://www.w3.org/2001/XMLSchema#double> .
<http://e/s> <http://e/p> "True"^^<http://www.w3.org/2001/XMLSchema#boolean> .
<http://e/s> <http://e/p> "false"^^<http://www.w3.org/2001/XMLSchema#boolean> .
<http://e/s> <http://e/p> "2024-01-01"^^<http://www.w3.org/2001/XMLSchema#date> .
<http://e/s> <http://e/p> <http://e/with?query=1&b=<x>> .
<http://e/s> <http://e/p> _:blank .
<http://e/s> <http://e/p> <<( <http://e/a> <http://e/b> "o, \"t\"\t"@en--rtl )>> .
<http://e/s> <http://e/p> <<( _:b2 <http://e/b> <http://e/c> )>> .
"""


@pytest.fixture(scope="module")
def tricky() -> ox.Store:
    store = ox.Store()
    store.load(TRICKY.replace("<x>", "%3Cx%3E").encode(), format=ox.RdfFormat.N_TRIPLES)
    return store


QUERIES = [
    "SELECT ?o ?p { ?s ?p ?o } ORDER BY STR(?o)",
    "SELECT ?x ?o { ?s ?p ?o OPTIONAL { ?o ?q ?x } } ORDER BY STR(?o)",
    "SELECT ?t { BIND(<<( <http://e/a> <http://e/b> <<( <http://e/c> <http://e/d> 1 )>> )>> AS ?t) }",
]
FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}


def _ours_and_engines(store: ox.Store, query: str, fmt: str) -> tuple[bytes, bytes]:
    from graph.store.results import serialize_solutions

    engine = store.query(query)
    assert isinstance(engine, ox.QuerySolutions)
    theirs = engine.serialize(format=FORMATS[fmt])
    result = store.query(query)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    ours = serialize_solutions(names, [tuple(s) for s in result], fmt)
    assert theirs is not None
    return ours, theirs


@pytest.mark.parametrize("query", QUERIES)
def test_csv_and_tsv_are_the_engines_bytes(tricky: ox.Store, query: str) -> None:
    for fmt in ("csv", "tsv"):
        ours, theirs = _ours_and_engines(tricky, query, fmt)
        assert ours.decode().split("\n") == theirs.decode().split("\n"), fmt


@pytest.mark.parametrize("query", QUERIES)
def test_json_is_the_engines_document(tricky: ox.Store, query: str) -> None:
    import json

    ours, theirs = _ours_and_engines(tricky, query, "json")
    assert json.loads(ours) == json.loads(theirs)


@pytest.mark.parametrize("query", QUERIES)
def test_xml_reads_back_as_the_engines_terms(tricky: ox.Store, query: str) -> None:
    ours, theirs = _ours_and_engines(tricky, query, "xml")
    fmt = ox.QueryResultsFormat.XML
    mine = ox.parse_query_results(ours, format=fmt)
    engine = ox.parse_query_results(theirs, format=fmt)
    assert isinstance(mine, ox.QuerySolutions) and isinstance(engine, ox.QuerySolutions)
    assert [list(s) for s in mine] == [list(s) for s in engine]
    # The same terms as the store holds, through the engine's reader: nothing trimmed.
    direct = tricky.query(query)
    assert isinstance(direct, ox.QuerySolutions)
    again = ox.parse_query_results(ours, format=fmt)
    assert isinstance(again, ox.QuerySolutions)
    assert [list(s) for s in again] == [list(s) for s in direct]


def test_xml_keeps_bound_whitespace_and_carriage_returns_for_any_xml_parser() -> None:
    from xml.etree import ElementTree

    from graph.store.results import serialize_solutions

    values = [" lead", "trail\t", "\r\nboth ", "mid\rdle", "x"]
    rows = [(ox.Literal(v),) for v in values]
    root = ElementTree.fromstring(serialize_solutions(["v"], rows, "xml"))
    ns = "{http://www.w3.org/2005/sparql-results#}"
    assert [e.text or "" for e in root.iter(f"{ns}literal")] == values


def test_directional_literals_keep_their_direction_in_json_and_xml() -> None:
    from graph.store.results import serialize_solutions

    term = ox.Literal("x", language="en", direction=ox.BaseDirection.LTR)
    for fmt, media in (("json", ox.QueryResultsFormat.JSON), ("xml", ox.QueryResultsFormat.XML)):
        parsed = ox.parse_query_results(serialize_solutions(["v"], [(term,)], fmt), format=media)
        assert isinstance(parsed, ox.QuerySolutions)
        assert [s["v"] for s in parsed] == [term]
