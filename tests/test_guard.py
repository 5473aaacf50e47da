"""The SPARQL guard on the requests that talked past the old mask, each checked on the engine.

For every trick the engine itself (pyoxigraph, guard bypassed) is shown to read the SERVICE and
call a listener on 127.0.0.1; the guard refuses the same text, and the server answers 400 with
the listener receiving nothing.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from graph.store import memory_store
from graph.store.execute import Job, ProcessExecutor, ThreadExecutor
from graph.store.safety import (
    MAX_CHAIN,
    MAX_NESTING,
    UnsafeQueryError,
    check_query,
    check_update,
    declares_dataset,
    mask,
    nesting,
    read,
    service_targets,
)
from tests.conftest import listening
from tests.server import serve

# Each takes the listener's port; each is a SERVICE call for the engine.
SERVICE_TRICKS = {
    # Issue #12, item 1: ``\#`` is PN_LOCAL_ESC, not a comment.
    "pn-local-esc": "PREFIX ex: <http://e/>\n"
    "SELECT * WHERE {{ BIND(ex:a\\# AS ?z) SERVICE <http://127.0.0.1:{port}/q> {{ ?s ?p ?o }} }}",
    # ``<`` after an operand is less-than for the engine, so ``#>`` starts a comment and the
    # long string the old mask saw opening on that line never opens.
    "less-than-comment": 'SELECT * {{ BIND(1 AS ?o) FILTER(?o <?b#> """\n) '
    'SERVICE <http://127.0.0.1:{port}/q> {{ }} }} #"""',
    # The engine's keywords need no word boundary: SERVICE glued to a prefixed name.
    "glued-empty-prefix": "PREFIX : <http://127.0.0.1:{port}/>\nSELECT * {{ SERVICE:q {{ }} }}",
    "glued-prefix": "PREFIX x: <http://127.0.0.1:{port}/>\nSELECT * {{ SERVICEx:q {{ }} }}",
    "glued-iri": "SELECT * {{ SERVICE<http://127.0.0.1:{port}/q>{{}} }}",
    "glued-after-number": "SELECT * {{ ?s ?p 1SERVICE<http://127.0.0.1:{port}/q>{{}} }}",
    "lowercase": "select * {{ service <http://127.0.0.1:{port}/q> {{ }} }}",
    "comment-between": "SELECT * {{ SERVICE#x\n<http://127.0.0.1:{port}/q>#y\n{{ }} }}",
    "after-long-string": "SELECT * {{ BIND('''a''b\\'c''' AS ?x) "
    "SERVICE <http://127.0.0.1:{port}/q> {{ }} }}",
    "after-langtag": 'SELECT * {{ BIND("x"@en--ltr AS ?x) SERVICE <http://127.0.0.1:{port}/q> {{}} }}',
    "after-escaped-quote": 'SELECT * {{ BIND("a\\"#" AS ?x) '
    "SERVICE <http://127.0.0.1:{port}/q> {{ }} }}",
    "after-percent": "PREFIX ex: <http://e/>\nSELECT * {{ BIND(ex:%23 AS ?x) "
    "SERVICE <http://127.0.0.1:{port}/q> {{ }} }}",
}


def _engine_calls(query: str, port: int, hits: list[object]) -> bool:
    """Whether the engine, with no guard, connects to the listener for this query."""
    before = len(hits)
    try:
        result = ox.Store().query(query)
        if isinstance(result, ox.QuerySolutions):
            list(result)
    except (OSError, RuntimeError, SyntaxError):
        pass
    return len(hits) > before


@pytest.mark.parametrize("name", sorted(SERVICE_TRICKS))
def test_a_trick_the_engine_reads_as_service_is_refused(name: str) -> None:
    with listening() as (port, hits):
        query = SERVICE_TRICKS[name].format(port=port)
        assert _engine_calls(query, port, hits), "the engine should read a SERVICE here"
        hits.clear()
        with pytest.raises(UnsafeQueryError, match="SERVICE"):
            check_query(query)
        outcome = ThreadExecutor(memory_store()).run(Job(text=query))
        assert outcome.status == 400 and "SERVICE" in outcome.detail
        assert hits == []


@pytest.mark.server
@pytest.mark.server
def test_the_old_bypass_over_http_is_refused_and_nothing_connects(tmp_path: Path) -> None:
    from graph.store import write_generation

    root = tmp_path / "store"  # its own store: the server below takes writes
    write_generation(root, b'<http://e/a> <http://e/p> "x" <http://e/g> .\n')
    with listening() as (port, hits), serve(root, write_token="t") as base:
        for name in ("pn-local-esc", "less-than-comment", "glued-prefix"):
            query = SERVICE_TRICKS[name].format(port=port)
            r = httpx.post(f"{base}/sparql", data={"query": query}, timeout=30)
            assert r.status_code == 400, (name, r.text)
            assert "SERVICE" in r.json()["detail"]
        # The LOAD and depth variants of the same trick.
        load = "PREFIX ex: <http://e/>\nINSERT DATA { ex:a\\# ex:p 1 } ;\n"
        load += f"LOAD <http://127.0.0.1:{port}/data.ttl>"
        r = httpx.post(
            f"{base}/sparql",
            data={"update": load},
            headers={"Authorization": "Bearer t"},
            timeout=30,
        )
        assert r.status_code == 400 and "LOAD" in r.json()["detail"], r.text
        deep = "{ " * 1500 + "}" * 1500
        query = f"PREFIX ex: <http://e/>\nSELECT * {{ BIND(ex:a\\# AS ?z) {deep} }}"
        r = httpx.post(f"{base}/sparql", data={"query": query}, timeout=30)
        assert r.status_code == 400 and "nests" in r.json()["detail"], r.text
        assert hits == []
        r = httpx.get(f"{base}/sparql", params={"query": "ASK {}"}, timeout=30)
        assert r.json()["boolean"] is True  # the server and its workers are still up


@pytest.mark.parametrize(
    "update",
    [
        "PREFIX ex: <http://e/>\nINSERT DATA { ex:a\\# ex:p 1 } ;\nLOAD <http://127.0.0.1:9/x>",
        "LOAD<http://127.0.0.1:9/x>",
        "LOADSILENT<http://127.0.0.1:9/x>",
        "PREFIX x: <http://127.0.0.1:9/>\nLOADx:y",
        "PREFIX : <http://127.0.0.1:9/>\nCLEAR ALL ; load:y",
        "load <http://127.0.0.1:9/x> into graph <http://e/g>",
        "PREFIX x: <http://127.0.0.1:9/>\nINSERT DATA { <http://e/a> <http://e/b> 'x' } ;"
        " # LOAD\n LOAD x:y",
    ],
)
def test_load_in_any_spelling_is_refused(update: str) -> None:
    with pytest.raises(UnsafeQueryError, match="LOAD"):
        check_update(update)


def test_the_engine_reads_glued_load_as_load() -> None:
    # What makes the glued spellings above worth refusing: the engine runs them.
    store = ox.Store()
    with pytest.raises(OSError):
        store.update("LOAD<file:///nonexistent/bilateral-kg-test>")


@pytest.mark.parametrize(
    "update",
    [
        'INSERT DATA { <http://e/s> <http://e/p> "LOAD <http://e/x>" }',
        "PREFIX load: <http://e/>\nINSERT DATA { load:a load:b load:c }",
        "PREFIX load: <http://e/>\nCLEAR GRAPH load:g ; ADD load:a TO load:b",
        "PREFIX ex: <http://e/>\nINSERT DATA { ex:a ex:p 'x'@load }",
    ],
)
def test_load_as_data_passes(update: str) -> None:
    check_update(update)


@pytest.mark.parametrize(
    "query",
    [
        'SELECT ("x"@service AS ?l) {}',
        "PREFIX service: <http://e/>\nSELECT * { ?s service:p ?o . GRAPH service:g { ?a ?b ?c } }",
        "SELECT ?service { ?service ?p ?o }",
        'SELECT * { ?s ?p "SERVICE <http://e/x> {}" } # SERVICE <http://f/> {}',
        "PREFIX e: <http://e/>\nSELECT * { ?s e:SERVICE ?o . ?s e:a\\#SERVICE ?o }",
        "SELECT * { ?s <http://e/SERVICE> ?o }",
        'SELECT * { ?s ?p """\nSERVICE <http://e/x> {}\n""" }',
    ],
)
def test_service_as_data_passes(query: str) -> None:
    assert service_targets(query) == []
    check_query(query)


def test_an_allowed_service_given_as_a_prefixed_name_passes() -> None:
    query = "PREFIX s: <http://allowed.example/>\nSELECT * { SERVICE s:sparql { ?s ?p ?o } }"
    check_query(query, ["http://allowed.example/sparql"])
    with pytest.raises(UnsafeQueryError):
        check_query(query.replace("allowed.", "other."), ["http://allowed.example/sparql"])


def test_codepoint_escapes_are_read_both_ways() -> None:
    # SPARQL 1.1 decodes \u escapes before parsing (rdflib does); Oxigraph 0.5 does not. A
    # remote engine may, so the guard reads both.
    assert service_targets("SELECT * { \\u0053ERVICE <http://e/> { } }") == ["http://e/"]
    with pytest.raises(UnsafeQueryError):
        check_update("\\u004cOAD <http://e/x>")


def test_language_tags_are_not_keywords() -> None:
    assert not declares_dataset('SELECT ("x"@from AS ?l) {}')
    assert not declares_dataset('SELECT * { ?s ?p "x"@from-named }')
    assert declares_dataset("SELECT * FROM NAMED <http://e/g> {}")
    assert declares_dataset("SELECT * FROMNAMED<http://e/g> {}")  # the engine reads it so
    assert declares_dataset("select * from <http://e/g> {}")


def test_from_language_tag_keeps_the_union_default_graph() -> None:
    store = memory_store(b'<http://e/a> <http://e/p> "x" <http://e/g> .\n')
    rows = list(store.query('SELECT ?o ("x"@from AS ?l) { ?s ?p ?o }'))
    assert len(rows) == 1


@pytest.mark.parametrize(
    ("query", "depth"),
    [
        ('SELECT * { { ?s ?p "((((" } FILTER ((1)) }', 3),
        ("SELECT * { ?s ?p <<( ?a ?b <<( ?c ?d ?e )>> )>> }", 3),
        ("SELECT * { << ?a ?b ?c >> ?p [ ?q ( 1 2 ) ] }", 3),
        ("PREFIX e: <http://e/>\nSELECT * { e:a\\( e:b\\) e:c\\. }", 1),
        ("SELECT * { ?s ?p ?o } # {{{{", 1),
        ("SELECT * { ?a ?b ?c {| ?p ?o |} }", 2),
    ],
)
def test_nesting_counts_brackets_and_triple_terms(query: str, depth: int) -> None:
    assert nesting(query) == depth


def test_deep_nesting_behind_an_escape_is_refused() -> None:
    deep = "{ " * (MAX_NESTING + 500) + "}" * (MAX_NESTING + 500)
    with pytest.raises(UnsafeQueryError, match="nests"):
        check_query(f"PREFIX ex: <http://e/>\nSELECT * {{ BIND(ex:a\\# AS ?z) {deep} }}")
    # Stray closers never lower the depth.
    with pytest.raises(UnsafeQueryError, match="nests"):
        check_query("SELECT * { FILTER(" + "( ] >> |} " * (MAX_NESTING + 5) + ") }")
    with pytest.raises(UnsafeQueryError, match="nests"):
        check_query("SELECT * { ?s ?p " + "<<( ?s ?p " * (MAX_NESTING + 5) + "}")


def test_long_chains_are_refused() -> None:
    # 3,000 BINDs in a group, or 8,000 terms of 1+1+…, crash the engine (a segfault).
    binds = "".join(f" BIND({i} AS ?x{i})" for i in range(MAX_CHAIN + 1))
    with pytest.raises(UnsafeQueryError, match="at one level"):
        check_query("SELECT * {" + binds + " }")
    with pytest.raises(UnsafeQueryError, match="at one level"):
        check_query("SELECT (" + "+".join(["1"] * (MAX_CHAIN + 2)) + " AS ?x) {}")
    check_query("SELECT * {" + "".join(f" BIND({i} AS ?x{i})" for i in range(900)) + " }")
    check_query("SELECT * { VALUES ?x {" + " 1" * 50_000 + " } }")


def test_mask_keeps_keywords_and_punctuation_only() -> None:
    text = 'SELECT ?where { ?s <http://e/WHERE> "WHERE" ; e:WHERE ?o } # WHERE'
    masked = mask(text)
    assert len(masked) == len(text)
    assert masked.count("WHERE") == 0 and masked.startswith("SELECT")
    assert "<http://e/WHERE>" in mask(text, keep_iris=True)


def test_a_reading_names_what_it_found() -> None:
    r = read("PREFIX e: <http://e/>\nSELECT * { SERVICE SILENT e:s { } SERVICE ?v { } }")
    assert r.services == ["http://e/s", "?v"]
    assert r.depth == 2


# ---- the second barrier: a worker has no network ------------------------------------------

ENGINE_CALL = """
import sys
import pyoxigraph as ox
from graph.store.isolation import isolate_network
if sys.argv[2] == "isolated":
    print(isolate_network())
try:
    list(ox.Store().query(f"SELECT * {{ SERVICE <http://127.0.0.1:{sys.argv[1]}/q> {{ }} }}"))
except OSError as exc:
    print(exc)
"""


def _run_engine(port: int, mode: str) -> str:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", ENGINE_CALL, str(port), mode],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parent.parent,
    )
    return done.stdout + done.stderr


@pytest.mark.subprocess
def test_with_the_guard_bypassed_an_isolated_engine_reaches_nothing() -> None:
    with listening() as (port, hits):
        # The control: the engine alone, guard bypassed, calls the listener.
        _run_engine(port, "open")
        assert hits, "the engine should call the listener when nothing stops it"
        hits.clear()
        out = _run_engine(port, "isolated")
        if "no network namespace" in out:
            pytest.skip(out.strip())
        assert hits == [], out
        assert "network namespace" in out


@pytest.mark.subprocess
def test_a_query_worker_runs_in_a_network_namespace_of_its_own(built: Path) -> None:
    import os

    executor = ProcessExecutor(built, workers=1, max_workers=1)
    try:
        assert executor.run(Job(text="ASK {}")).status == 200
        (pid,) = [w.process.pid for w in list(executor._idle.queue)]
        mine = os.readlink("/proc/self/ns/net")
        theirs = os.readlink(f"/proc/{pid}/ns/net")
        if theirs == mine:
            pytest.skip("this kernel lets no process make a network namespace")
        assert theirs != mine
    finally:
        executor.close()


@pytest.mark.subprocess
def test_a_worker_with_allowed_services_keeps_the_network(built: Path) -> None:
    import os

    executor = ProcessExecutor(built, ["http://allowed.example/sparql"], workers=1, max_workers=1)
    try:
        assert executor.run(Job(text="ASK {}")).status == 200
        (pid,) = [w.process.pid for w in list(executor._idle.queue)]
        assert os.readlink(f"/proc/{pid}/ns/net") == os.readlink("/proc/self/ns/net")
    finally:
        executor.close()


def test_a_kept_reading_answers_the_same_and_callers_cannot_change_it() -> None:
    """The guard keeps the reading of recent texts (a query is read twice per request):
    a text read again is refused again, and a caller changing what it was given changes
    nothing kept."""
    from graph.store.safety import read, service_targets

    text = "SELECT * { SERVICE <http://e.example/sparql> { ?s ?p ?o } }"
    targets = service_targets(text)
    targets.append("http://f.example/")
    assert service_targets(text) == ["http://e.example/sparql"]
    for _ in range(2):
        with pytest.raises(UnsafeQueryError, match=r"SERVICE <http://e\.example/sparql>"):
            check_query(text)
    assert read(text) is read(text)
    long = "SELECT * { ?s ?p ?o } " + "#" * 20_000  # past what is kept: read each time
    assert read(long) is not read(long)
    assert read(long).depth == read(text).depth - 1 == 1
