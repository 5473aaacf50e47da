"""Property-based fuzzing of the JSON API from its own OpenAPI document (issue 4).

Schemathesis generates requests for the read-only JSON routes (valid ones, invalid ones and
chains that follow the ids one answer gives to the next route) against an app on an in-memory
copy of the seed graph. Every answer must be no 5xx, conform to the schema it declares for its
status, and every error must be a problem document. Everything is bounded (examples, steps,
time) and derandomized, so a run is reproducible.

No case is excluded.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from api.app import create_app
from api.config import Settings
from graph.build.pipeline import Compiled
from graph.store import memory_store

pytestmark = pytest.mark.fuzz

BASE = Settings().base_iri
PROBLEM = "application/problem+json"

#: The read-only JSON routes under test (all GET); the HTML pages and the writes stay out.
OPERATIONS = [
    "/api/search",
    "/api/entities/{id}",
    "/api/entities/{id}/neighbours",
    "/api/paths",
    "/api/graph/ego/{id}",
    "/api/graph/view",
    "/api/acts",
    "/api/meetings",
    "/api/statistics",
    "/api/sources/{id}",
    "/index.json",
    "/sparql",
]
#: Operations with a parameter that can be invalid (a free string path id, or no parameter
#: at all, leaves negative generation nothing to break).
NEGATABLE = [
    "/api/search",
    "/api/entities/{id}/neighbours",
    "/api/paths",
    "/api/graph/ego/{id}",
    "/api/graph/view",
    "/api/acts",
    "/api/meetings",
    "/api/statistics",
]
#: Errors the routes answer without listing them in the OpenAPI document (FastAPI lists only
#: 200 and 422): an unknown id (404) and a parameter that is well-formed but meaningless (400).
UNLISTED_PROBLEMS = {400, 404}

FUZZ = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=False,
    suppress_health_check=list(HealthCheck),
)


# ---- known server bugs ---------------------------------------------------------------------
# BUG-1: a parameter that is turned into an IRI without checking it is one (pyoxigraph raises
#   ValueError "Invalid IRI code point ..." for '"', '<', '>', ' ', '{', '}', '|', '^', '`',
#   '\\', control characters, a bare '%' ...) answers 500 instead of a 400/404 problem:
#   /api/sources/{id}                    api/routes/lists.py source():   ox.NamedNode(iri)
#   /api/meetings?participant=           api/routes/lists.py meetings(): ox.NamedNode(full_iri(..))
#   /api/statistics?origin=|destination= api/routes/lists.py _country(): ox.NamedNode(iri)
#   /api/acts?countries=a,b              api/routes/lists.py _country(): ox.NamedNode(iri)
# BUG-2: an id or name that is not in the graph falls back to the fuzzy name search with no
#   length cap (/api/search caps q at 200 characters): ~0.3 ms per character, so a
#   10,000-character id takes ~3 s and a 16 KB one ~5 s of CPU per request
#   (/api/entities/{id}, /neighbours, /api/graph/ego/{id}, /api/paths?from=&to=).
# BUG-3: every operation with parameters declares its 422 as application/json with FastAPI's
#   HTTPValidationError ({"detail": [{"loc", "msg", "type"}]}), but api/problems.py sends
#   application/problem+json with "detail" a string: the answer breaks its declared schema.


# ---- checks --------------------------------------------------------------------------------


def problem_conformance(ctx: Any, response: Any, case: Case) -> bool | None:
    """A status the operation lists, or a problem document for an error it does not list; every
    error (4xx) an ``application/problem+json`` with its status and a ``detail``."""
    status = response.status_code
    listed = {int(c) for c in case.operation.responses.status_codes if c.isdigit()}
    assert status in listed or status in UNLISTED_PROBLEMS, (
        f"{status} is neither listed ({sorted(listed)}) nor an expected problem"
    )
    if status >= 400:
        content_type = response.headers.get("content-type", [""])[0]
        assert content_type.startswith(PROBLEM), f"{status} comes as {content_type!r}"
        body = response.json()
        assert isinstance(body, dict), body
        assert body.get("status") == status, body
        assert isinstance(body.get("detail"), str) and body["detail"], body
    return None


def declared_content_type(ctx: Any, response: Any, case: Case) -> bool | None:
    """The content type the operation declares for the status."""
    result: bool | None = content_type_conformance(ctx, response, case)
    return result


CHECKS: list[Callable[..., bool | None]] = [
    not_a_server_error,
    response_schema_conformance,
    declared_content_type,
    problem_conformance,
]


# ---- fixtures ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fuzz_app(compiled: Compiled) -> FastAPI:
    # app.state is set up eagerly when a store is passed: no lifespan is needed.
    return create_app(Settings(), store=memory_store(compiled.nquads))


@pytest.fixture(scope="module")
def client(fuzz_app: FastAPI) -> TestClient:
    return TestClient(fuzz_app, raise_server_exceptions=False)


@pytest.fixture(scope="module")
def openapi(client: TestClient) -> dict[str, Any]:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


@pytest.fixture(scope="module")
def api_schema(fuzz_app: FastAPI) -> Any:
    return schemathesis.openapi.from_asgi("/openapi.json", fuzz_app)


# ---- generated requests, one operation at a time -------------------------------------------


def _fuzz(schema: Any, path: str, mode: GenerationMode) -> None:
    operation = schema[path]["GET"]

    @FUZZ
    @given(case=operation.as_strategy(mode))
    def run(case: Case) -> None:
        case.call_and_validate(checks=CHECKS)

    run()


@pytest.mark.parametrize("path", OPERATIONS)
def test_positive(api_schema: Any, path: str) -> None:
    """Requests that fit the schema: no 5xx, answers as declared, errors as problems."""
    _fuzz(api_schema, path, GenerationMode.POSITIVE)


@pytest.mark.parametrize("path", NEGATABLE)
def test_negative(api_schema: Any, path: str) -> None:
    """Requests that break the schema (wrong types, out-of-range numbers, bad patterns...)."""
    _fuzz(api_schema, path, GenerationMode.NEGATIVE)


@pytest.mark.parametrize(
    "path", ["/api/entities/{id}", "/api/entities/{id}/neighbours", "/api/graph/ego/{id}"]
)
def test_positive_known_ids(api_schema: Any, client: TestClient, path: str) -> None:
    """Random ids are never in the graph; these start from real ones, so the 200 answers and
    their schemas are exercised too."""
    ids = sorted(
        {
            node["id"]
            for node in client.get("/api/graph/ego/place/cambodia?radius=2").json()["nodes"]
        }
    )
    assert len(ids) > 5
    operation = api_schema[path]["GET"]
    cases = st.sampled_from(ids).flatmap(
        lambda i: operation.as_strategy(GenerationMode.POSITIVE, path_parameters={"id": i})
    )

    @settings(FUZZ, max_examples=15)
    @given(case=cases)
    def run(case: Case) -> None:
        case.call_and_validate(checks=CHECKS)

    run()


# ---- stateful: follow the ids one answer gives to the next route ---------------------------


def _link(operation_id: str, **parameters: str) -> dict[str, Any]:
    return {"operationId": operation_id, "parameters": parameters}


def _with_links(document: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI document with links (FastAPI writes none) from the lists to the lookups."""
    document = copy.deepcopy(document)
    paths = document["paths"]

    def op_id(path: str) -> str:
        operation_id: str = paths[path]["get"]["operationId"]
        return operation_id

    entity, neighbours, ego, source = (
        op_id("/api/entities/{id}"),
        op_id("/api/entities/{id}/neighbours"),
        op_id("/api/graph/ego/{id}"),
        op_id("/api/sources/{id}"),
    )
    paths_op, meetings, statistics = (
        op_id("/api/paths"),
        op_id("/api/meetings"),
        op_id("/api/statistics"),
    )
    links = {
        "/api/search": {
            "Entity": _link(entity, id="$response.body#/results/0/id"),
            "Ego": _link(ego, id="$response.body#/results/0/id"),
            "Paths": _link(
                paths_op,
                **{"from": "$response.body#/results/0/id", "to": "$response.body#/results/1/id"},
            ),
        },
        "/api/acts": {
            "Actor": _link(entity, id="$response.body#/items/0/actors/0/id"),
            "Neighbours": _link(neighbours, id="$response.body#/items/0/addressees/0/id"),
            "Source": _link(source, id="$response.body#/items/0/evidence/0/source"),
            "Paths": _link(
                paths_op,
                **{
                    "from": "$response.body#/items/0/actors/0/id",
                    "to": "$response.body#/items/1/actors/0/id",
                },
            ),
        },
        "/api/meetings": {
            "Attendee": _link(entity, id="$response.body#/items/0/attendees/0/id"),
            "Participant": _link(meetings, participant="$response.body#/items/0/attendees/0/id"),
            "Source": _link(source, id="$response.body#/items/0/evidence/0/source"),
        },
        "/api/statistics": {
            "Origin": _link(ego, id="$response.body#/items/0/origin/id"),
            "Destination": _link(statistics, destination="$response.body#/items/0/destination/id"),
        },
        "/api/entities/{id}": {"Neighbours": _link(neighbours, id="$response.body#/id")},
        "/api/entities/{id}/neighbours": {"Entity": _link(entity, id="$response.body#/items/0/id")},
        "/api/graph/ego/{id}": {"Entity": _link(entity, id="$response.body#/nodes/1/id")},
    }
    for path, named in links.items():
        paths[path]["get"]["responses"]["200"]["links"] = named
    return document


def test_stateful(fuzz_app: FastAPI, openapi: dict[str, Any]) -> None:
    """Chains of calls over the links above (bounded in scenarios and steps)."""
    schema = schemathesis.openapi.from_dict(_with_links(openapi))
    schema.app = fuzz_app
    schema = schema.include(method="GET", path=OPERATIONS)
    machine = schema.as_state_machine()

    class Machine(machine):  # type: ignore[misc, valid-type]
        def call(self, case: Case, **kwargs: Any) -> Any:
            return case.call(**kwargs)

        def validate_response(
            self, response: Any, case: Case, additional_checks: Any = None, **kwargs: Any
        ) -> None:
            case.validate_response(response, checks=CHECKS)

    Machine.run(settings=settings(FUZZ, max_examples=20, stateful_step_count=6))


# ---- explicit hostile input ----------------------------------------------------------------

HOSTILE = {
    "sparql": 'x" } ; DROP ALL ; SELECT * WHERE { ?s ?p ?o } #',
    "sparql-iri": "<http://example.org/x> } INSERT DATA { <a> <b> <c> } #",
    "quotes": "'\"`\u201c\u201d\u2018\u2019\u00ab\u00bb'; --",
    "regex": ".*+?[](){}|^$\\1\\",
    "redos": "(a+)+$" + "a" * 40 + "!",
    "long": "x" * 10_000,
    "control": "\x00\x01\x07\x1b[31m\x7f\u0085\u2028\ufeff",
    "diacritics": (
        "e\u0301 n\u0303 \u0928\u093f\u0930\u094d \u0627\u064e\u0644\u0651 "
        "\u05e9\u05b8\u05c1 \u0e01\u0e31\u0e48 \u1ea1\u0302 Z\u0351\u0352\u0353\u0354"
    ),
    "bidi-emoji": "\u202e\u2066abc\u2069 \U0001f600\ufffd",
    "traversal": "../../etc/passwd",
    "encoded-traversal": "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "missing": "person/does-not-exist",
    "iri": 'http://evil.example/"><script>alert(1)</script>',
    "blank": " ",
}
#: Route templates ({} is the hostile value) and the query parameter that carries it.
QUERY_SLOTS = [
    ("/api/search", "q"),
    ("/api/search?q=cambodia", "type"),
    ("/api/entities/place/cambodia/neighbours", "relations"),
    ("/api/entities/place/cambodia/neighbours", "layers"),
    ("/api/entities/place/cambodia/neighbours", "after"),
    ("/api/paths?to=place/cambodia", "from"),
    ("/api/paths?from=place/cambodia", "to"),
    ("/api/paths?from=place/cambodia&to=place/south-korea", "relations"),
    ("/api/paths?from=place/cambodia&to=place/south-korea", "layers"),
    ("/api/graph/ego/place/cambodia", "relations"),
    ("/api/graph/ego/place/cambodia", "layers"),
    ("/api/acts", "status"),
    ("/api/acts", "field"),
    ("/api/acts", "countries"),
    ("/api/acts", "after"),
    ("/api/meetings", "participant"),
    ("/api/meetings", "from"),
    ("/api/meetings", "after"),
    ("/api/statistics", "origin"),
    ("/api/statistics", "destination"),
    ("/api/statistics", "layer"),
    ("/api/statistics", "after"),
    ("/index.json", "q"),
    ("/sparql", "query"),
]
PATH_SLOTS = [
    "/api/entities/{}",
    "/api/entities/{}/neighbours",
    "/api/graph/ego/{}",
    "/api/sources/{}",
]
SLOW = 2.0  # seconds: more is a hang


def _hostile_check(client: TestClient, url: str, params: dict[str, str] | None) -> None:
    request = client.build_request("GET", url, params=params)
    started = time.perf_counter()
    response = client.send(request)
    elapsed = time.perf_counter() - started
    assert response.status_code < 500, (response.status_code, response.text[:300])
    assert elapsed < SLOW, f"{elapsed:.1f} s"
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith(PROBLEM), response.headers
        body = response.json()
        assert body["status"] == response.status_code
        assert isinstance(body["detail"], str) and body["detail"]
    else:
        assert response.status_code == 200, response.status_code
        if not url.startswith("/sparql"):
            assert isinstance(response.json(), dict)


@pytest.mark.parametrize("value", HOSTILE.values(), ids=HOSTILE.keys())
@pytest.mark.parametrize(("url", "name"), QUERY_SLOTS, ids=[f"{u}:{n}" for u, n in QUERY_SLOTS])
def test_hostile_query(client: TestClient, url: str, name: str, value: str) -> None:
    if name == "countries":
        value = f"KH,{value}"
    _hostile_check(client, url, {name: value})


@pytest.mark.parametrize("encode", [False, True], ids=["raw", "encoded"])
@pytest.mark.parametrize("value", HOSTILE.values(), ids=HOSTILE.keys())
@pytest.mark.parametrize("template", PATH_SLOTS)
def test_hostile_id(client: TestClient, template: str, value: str, encode: bool) -> None:
    """Ids in the path, as they come (slashes and dots kept) and wholly percent-encoded."""
    _hostile_check(client, template.format(quote(value, safe="" if encode else "/")), None)


def test_sparql_queries(client: TestClient) -> None:
    """GET /sparql takes a query the OpenAPI document does not declare: a few by hand."""
    ok = client.get(
        "/sparql",
        params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert ok.status_code == 200, ok.text
    assert int(ok.json()["results"]["bindings"][0]["n"]["value"]) > 0
    for query in ["SELECT", "DROP ALL", "INSERT DATA { <a> <b> <c> }", "ASK { ?s ?p ?o "]:
        response = client.get("/sparql", params={"query": query})
        assert 400 <= response.status_code < 500, (query, response.status_code)
        assert response.headers["content-type"].startswith(PROBLEM)
