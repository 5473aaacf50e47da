"""The row cap and the byte cap hold exactly when the engine's own writers write the results.

A job's result is written by Oxigraph's writers (issue 19) and its rows bounded from the bytes
they write; where the bytes cannot tell, the rows are counted one by one. Test data only: the
graphs here are made up for the tests.
"""

from __future__ import annotations

import csv
import io

import pyoxigraph as ox
import pytest

from graph.store import memory_store
from graph.store.jobs import Job, run_job
from graph.store.local import OxigraphStore
from graph.store.results import GRAPH_TYPES

E = "http://test.example/"
#: The four result formats of SELECT, each by its main media type.
SOLUTIONS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
#: One media type of each RDF format the endpoint writes graphs in.
GRAPHS = {media: fmt for fmt, media in {f: m for m, f in GRAPH_TYPES.items()}.items()}
#: Values that look like the markers the caps count by, or break lines.
AWKWARD = ["a,{}b,{}c,{}d", 'x,{"y', "<result></result>", "line\r\nbreak\nand\r", 'q"uo,te', ""]


def _store(n: int, pad: int = 0) -> OxigraphStore:
    """``n`` things with a label each, the labels awkward for the writers (and ``pad``
    characters longer)."""
    quads = "".join(
        f"<{E}t{i}> <{E}label> "
        f"{ox.Literal(AWKWARD[i % len(AWKWARD)] + 'x' * pad + str(i))} <{E}g> .\n"
        for i in range(n)
    )
    return memory_store(quads.encode())


SELECT = f"SELECT ?t ?label WHERE {{ ?t <{E}label> ?label }} ORDER BY ?t"
CONSTRUCT = f"CONSTRUCT {{ ?t <{E}name> ?label }} WHERE {{ ?t <{E}label> ?label }}"
#: Solutions with every variable unbound: ``{}`` in JSON, an empty line in CSV and TSV.
UNBOUND = "SELECT ?x ?y WHERE { VALUES ?x { UNDEF UNDEF UNDEF UNDEF UNDEF } }"


def _solutions(body: bytes, fmt: ox.QueryResultsFormat) -> list[tuple[str | None, ...]]:
    """The rows of a result, each value's text (``None`` unbound; CSV says empty)."""
    if fmt == ox.QueryResultsFormat.CSV:  # lossy: pyoxigraph does not read it back
        rows = list(csv.reader(io.StringIO(body.decode(), newline="")))[1:]
        return [tuple(v or None for v in row) for row in rows]
    result = ox.parse_query_results(body, format=fmt)
    assert isinstance(result, ox.QuerySolutions)
    return [tuple(None if t is None else t.value for t in row) for row in result]


@pytest.mark.parametrize("n", [40, 400])
@pytest.mark.parametrize("media", list(SOLUTIONS))
def test_select_rows_at_the_cap_are_answered_and_past_it_refused(media: str, n: int) -> None:
    """40 short rows fit in one block the engine writes; 400 long ones take many, so the
    rows are counted by their markers, some across two blocks."""
    store = _store(n, pad=0 if n < 100 else 120)
    expected = _solutions(
        run_job(store, Job(SELECT, accept="text/tab-separated-values", row_cap=10_000)).body,
        ox.QueryResultsFormat.TSV,
    )
    assert len(expected) == n
    at = run_job(store, Job(SELECT, accept=media, row_cap=n))
    assert at.status == 200, at.detail
    assert at.media_type == media
    assert _solutions(at.body, SOLUTIONS[media]) == expected
    assert n < 100 or len(at.body) > 40_000
    past = run_job(store, Job(SELECT, accept=media, row_cap=n - 1))
    assert (past.status, past.title) == (422, "Too Many Rows")
    assert f"more than {n - 1} rows" in past.detail


@pytest.mark.parametrize("media", list(SOLUTIONS))
def test_solutions_with_nothing_bound_count_as_rows(media: str) -> None:
    store = _store(1)
    at = run_job(store, Job(UNBOUND, accept=media, row_cap=5))
    assert at.status == 200, at.detail
    assert _solutions(at.body, SOLUTIONS[media]) == [(None, None)] * 5
    past = run_job(store, Job(UNBOUND, accept=media, row_cap=4))
    assert past.status == 422


@pytest.mark.parametrize("media", list(GRAPHS))
def test_construct_triples_at_the_cap_are_answered_and_past_it_refused(media: str) -> None:
    store = _store(30)
    at = run_job(store, Job(CONSTRUCT, accept=media, row_cap=30))
    assert at.status == 200, at.detail
    triples = set(ox.parse(at.body, format=GRAPHS[media]))
    assert len(triples) == 30
    assert {str(t.object) for t in triples} == {
        str(ox.Literal(AWKWARD[i % len(AWKWARD)] + str(i))) for i in range(30)
    }
    past = run_job(store, Job(CONSTRUCT, accept=media, row_cap=29))
    assert (past.status, past.title) == (422, "Too Many Rows")


def test_the_engine_writes_a_result_well_within_the_caps() -> None:
    """The engine's writer (no line breaks between solutions), not ours (one per line)."""
    body = run_job(_store(10), Job(SELECT, accept="application/sparql-results+json")).body
    assert b'"bindings":[{"t":' in body
    assert b"},\n{" not in body


def test_values_that_look_like_row_separators_still_get_their_rows() -> None:
    """Every label holds ``,{}`` three times, so the bytes of 12 solutions look like 48 or
    more: past a cap of 20 by the bytes, within it by count. The rows are then counted one by
    one and all 12 are answered."""
    quads = "".join(f'<{E}t{i}> <{E}label> "a,{{}}b,{{}}c,{{}}{i}" .\n' for i in range(12)).encode()
    answer = run_job(memory_store(quads), Job(SELECT, accept="application/json", row_cap=20))
    assert answer.status == 200, answer.detail
    rows = _solutions(answer.body, ox.QueryResultsFormat.JSON)
    assert sorted(str(r[1]) for r in rows) == sorted(f"a,{{}}b,{{}}c,{{}}{i}" for i in range(12))


def test_the_byte_cap_holds_for_the_engine_writer() -> None:
    store = _store(40)
    whole = run_job(store, Job(SELECT, accept="application/json"))
    assert whole.status == 200
    at = run_job(store, Job(SELECT, accept="application/json", max_bytes=len(whole.body)))
    assert (at.status, at.body) == (200, whole.body)
    under = run_job(store, Job(SELECT, accept="application/json", max_bytes=len(whole.body) - 1))
    assert (under.status, under.title) == (422, "Result Too Large")
    assert f"more than the cap of {len(whole.body) - 1} bytes" in under.detail


@pytest.mark.parametrize("step", [1, 5, 4096])
@pytest.mark.parametrize("fmt", ["json", "xml", "tsv"])
def test_row_markers_are_counted_across_the_blocks_the_engine_writes(fmt: str, step: int) -> None:
    """The engine's output fed to the sink in blocks of ``step`` bytes, so that markers
    straddle blocks (one byte at a time: every marker): exactly the cap passes, one row
    more stops the writer."""
    from graph.store.jobs import _SOLUTION_FORMATS, _SOLUTION_ROWS, _OverError, _Sink

    quads = "".join(f'<{E}t{i}> <{E}label> "label {i}" .\n' for i in range(300))
    result = memory_store(quads.encode()).query(SELECT)
    assert isinstance(result, ox.QuerySolutions)
    body = result.serialize(format=_SOLUTION_FORMATS[fmt])
    assert body is not None

    def feed(cap: int) -> None:
        sink = _Sink(_SOLUTION_ROWS[fmt], Job(SELECT, row_cap=cap), deadline=float("inf"))
        for i in range(0, len(body), step):
            sink.write(body[i : i + step])

    feed(300 if fmt != "tsv" else 301)  # TSV's head line counts as a row: over, never under
    with pytest.raises(_OverError):
        feed(299)
