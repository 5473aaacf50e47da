"""The SPARQL endpoint as clients meet it: formats, errors, safety, limits, fairness."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from conftest import BASE
from fastapi.testclient import TestClient

from api.app import create_app
from api.config import Settings
from graph.build.pipeline import Compiled
from graph.store import memory_store

PERSONS = (
    "SELECT ?name WHERE { ?p a <https://schema.org/Person> ; "
    "<http://www.w3.org/2000/01/rdf-schema#label> ?name } ORDER BY ?name"
)
NAMES = ["Heng Sour", "Lee Cheol-woo", "Lee Jung-sik", "Pav Sina"]
TOKEN = "t0ken-for-tests"


def _own_copy(compiled: Compiled) -> TestClient:
    """A client of an app with a write token on its own copy of the seed graph."""
    settings = Settings(write_token=TOKEN, row_cap=50, max_body_bytes=10_000)
    return TestClient(create_app(settings, store=memory_store(compiled.nquads)))


@pytest.fixture(scope="module")
def client(compiled: Compiled) -> Iterator[TestClient]:
    """One app on its own copy of the seed graph for the tests of this module that read (or
    whose writes are refused); a test whose update applies takes ``writer``."""
    with _own_copy(compiled) as c:
        yield c


@pytest.fixture()
def writer(compiled: Compiled) -> Iterator[TestClient]:
    """A client of an app on a copy of the seed graph for one test (its updates change only
    this copy)."""
    with _own_copy(compiled) as c:
        yield c


def names(response) -> list[str]:
    data = response.json()
    return [b["name"]["value"] for b in data["results"]["bindings"]]


# ---- formats -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "media", "check"),
    [
        ("", "application/sparql-results+json", lambda r: names(r) == NAMES),
        (
            "application/sparql-results+xml",
            "application/sparql-results+xml",
            lambda r: (
                r.text.count("<result>") == 4
                and '<literal xml:lang="en">Pav Sina</literal>' in r.text
            ),
        ),
        ("text/csv", "text/csv", lambda r: r.text.splitlines() == ["name", *NAMES]),
        (
            "text/tab-separated-values",
            "text/tab-separated-values",
            lambda r: r.text.splitlines() == ["?name", *(f'"{n}"@en' for n in NAMES)],
        ),
        (
            "text/csv;q=0.4, application/sparql-results+xml;q=0.9",
            "application/sparql-results+xml",
            lambda r: "<sparql" in r.text,
        ),
        (
            "text/html;q=0.9, */*;q=0.1",
            "application/sparql-results+json",
            lambda r: names(r) == NAMES,
        ),
    ],
)
def test_select_formats_by_content_negotiation(client, accept, media, check) -> None:
    r = client.get("/sparql", params={"query": PERSONS}, headers={"accept": accept})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == media
    assert check(r), r.text
    if media != "text/csv":  # CSV is lossy: Oxigraph does not parse it back
        parsed = ox.parse_query_results(r.content, format=_results_format(media))
        assert isinstance(parsed, ox.QuerySolutions)


def _results_format(media: str) -> ox.QueryResultsFormat:
    return {
        "application/sparql-results+json": ox.QueryResultsFormat.JSON,
        "application/sparql-results+xml": ox.QueryResultsFormat.XML,
        "text/csv": ox.QueryResultsFormat.CSV,
        "text/tab-separated-values": ox.QueryResultsFormat.TSV,
    }[media]


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("", ox.RdfFormat.TURTLE),
        ("application/n-triples", ox.RdfFormat.N_TRIPLES),
        ("application/ld+json", ox.RdfFormat.JSON_LD),
        ("application/rdf+xml", ox.RdfFormat.RDF_XML),
        ("application/n-quads", ox.RdfFormat.N_QUADS),
        ("application/trig", ox.RdfFormat.TRIG),
    ],
)
def test_construct_formats_parse_back(client, accept: str, fmt: ox.RdfFormat) -> None:
    query = (
        "CONSTRUCT { ?p <http://www.w3.org/2000/01/rdf-schema#label> ?n } WHERE { ?p a "
        "<https://schema.org/Person> ; <http://www.w3.org/2000/01/rdf-schema#label> ?n }"
    )
    r = client.post(
        "/sparql",
        content=query,
        headers={"content-type": "application/sparql-query", "accept": accept},
    )
    assert r.status_code == 200 and r.headers["content-type"].startswith(fmt.media_type)
    labels = sorted(q.object.value for q in ox.parse(r.content, format=fmt))
    assert labels == NAMES


def test_ask_and_describe(client) -> None:
    r = client.get(
        "/sparql",
        params={"query": f"ASK {{ ?m <https://schema.org/location> <{BASE}id/place/seoul> }}"},
    )
    assert r.json() == {"head": {}, "boolean": True}
    r = client.get(
        "/sparql",
        params={"query": f"DESCRIBE <{BASE}id/person/pav-sina>"},
        headers={"accept": "application/n-triples"},
    )
    assert '"Pav Sina"@en' in r.text


def test_nothing_acceptable_is_406(client) -> None:
    r = client.get("/sparql", params={"query": PERSONS}, headers={"accept": "image/png"})
    assert r.status_code == 406
    assert r.headers["content-type"] == "application/problem+json"
    assert "application/sparql-results+json" in r.json()["detail"]


def test_sparqlwrapper_format_parameters_are_tolerated(client) -> None:
    for param in ("format", "output", "results"):
        r = client.get("/sparql", params={"query": PERSONS, param: "xml"})
        assert r.headers["content-type"].startswith("application/sparql-results+xml"), param
    r = client.get(
        "/sparql",
        params={"query": PERSONS, "format": "json"},
        headers={"accept": "application/sparql-results+xml"},
    )
    assert names(r) == NAMES


# ---- the service description ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("text/turtle", ox.RdfFormat.TURTLE),
        ("application/ld+json", ox.RdfFormat.JSON_LD),
        ("application/rdf+xml", ox.RdfFormat.RDF_XML),
    ],
)
def test_service_description(client, accept: str, fmt: ox.RdfFormat) -> None:
    r = client.get("/sparql", headers={"accept": accept})
    assert r.status_code == 200 and r.headers["content-type"].startswith(accept)
    store = ox.Store()
    store.load(r.content, format=fmt)

    def values(p: str) -> set[str]:
        sd = "http://www.w3.org/ns/sparql-service-description#"
        return {q.object.value for q in store.quads_for_pattern(None, ox.NamedNode(sd + p), None)}

    assert values("endpoint") == {"http://testserver/sparql"}
    assert values("supportedLanguage") == {
        "http://www.w3.org/ns/sparql-service-description#SPARQL11Query",
        "http://www.w3.org/ns/sparql-service-description#SPARQL11Update",
    }
    assert "http://www.w3.org/ns/formats/SPARQL_Results_CSV" in values("resultFormat")
    assert f"{BASE}graph/stated/ppp-cambodia-korea-labour" in values("name")


def test_read_only_endpoint_does_not_offer_update(compiled: Compiled) -> None:
    with TestClient(create_app(Settings(), store=memory_store(compiled.nquads))) as c:
        r = c.get("/sparql", headers={"accept": "text/turtle"})
        assert "SPARQL11Query" in r.text and "SPARQL11Update" not in r.text


# ---- malformed requests --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "kwargs", "status", "detail"),
    [
        (
            "get",
            {"params": [("query", "ASK {}"), ("query", "ASK {}")]},
            400,
            "2 'query' parameters",
        ),
        ("get", {"params": {"query": "ASK {"}}, 400, "the query is not valid SPARQL 1.1"),
        ("get", {"params": {"update": "CLEAR ALL"}}, 405, "updates must be sent by POST"),
        ("post", {"content": "ASK {}"}, 400, "a POST needs a Content-Type"),
        (
            "post",
            {"content": "ASK {}", "headers": {"content-type": "text/plain"}},
            415,
            "unsupported Content-Type 'text/plain'",
        ),
        (
            "post",
            {
                "content": "ASK {}".encode("utf-16"),
                "headers": {"content-type": "application/sparql-query; charset=UTF-16"},
            },
            415,
            "must be encoded in UTF-8",
        ),
        (
            "post",
            {
                "content": b'ASK { ?s ?p "\xff" }',
                "headers": {"content-type": "application/sparql-query"},
            },
            400,
            "the query is not valid UTF-8",
        ),
        (
            "post",
            {"content": "x" * 20_000, "headers": {"content-type": "application/sparql-query"}},
            413,
            "the limit is 10000",
        ),
        (
            "post",
            {"data": {"query": "ASK {}", "update": "CLEAR ALL"}},
            400,
            "exactly one 'query' or 'update'",
        ),
        (
            "get",
            {"params": {"query": "ASK {}", "default-graph-uri": "not an iri"}},
            400,
            "default-graph-uri must be an absolute IRI",
        ),
        ("get", {"params": {"query": "SELECT * { ?s ?p ?o }"}}, 422, "more than 50 rows"),
    ],
)
def test_malformed_requests_get_a_clear_4xx(client, method, kwargs, status, detail) -> None:
    r = getattr(client, method)("/sparql", **kwargs)
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert detail in r.json()["detail"]


# ---- writes ---------------------------------------------------------------------------------

INSERT = 'INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/a> <http://example.org/b> "c" } }'
ASK_INSERTED = {"query": "ASK { GRAPH <http://example.org/g> { ?s ?p ?o } }"}


@pytest.mark.parametrize(
    ("headers", "status", "detail"),
    [
        ({}, 401, "updates need 'Authorization: Bearer <token>'"),
        ({"authorization": "Bearer wrong"}, 403, "the write token is not valid"),
        ({"authorization": f"Basic {TOKEN}"}, 401, "updates need"),
    ],
)
def test_updates_without_the_token_change_nothing(client, headers, status, detail) -> None:
    r = client.post(
        "/sparql", content=INSERT, headers={"content-type": "application/sparql-update", **headers}
    )
    assert r.status_code == status and detail in r.json()["detail"]
    r = client.post("/sparql", data={"update": INSERT}, headers=headers)
    assert r.status_code == status
    assert client.get("/sparql", params=ASK_INSERTED).json()["boolean"] is False


def test_updates_with_the_token_apply(writer) -> None:
    auth = {"authorization": f"Bearer {TOKEN}"}
    r = writer.post(
        "/sparql", content=INSERT, headers={"content-type": "application/sparql-update", **auth}
    )
    assert r.status_code == 204
    assert writer.get("/sparql", params=ASK_INSERTED).json()["boolean"] is True
    r = writer.post("/sparql", data={"update": "DROP GRAPH <http://example.org/g>"}, headers=auth)
    assert r.status_code == 204
    assert writer.get("/sparql", params=ASK_INSERTED).json()["boolean"] is False


def test_a_read_only_endpoint_refuses_updates(compiled: Compiled) -> None:
    with TestClient(create_app(Settings(), store=memory_store(compiled.nquads))) as c:
        r = c.post(
            "/sparql",
            content=INSERT,
            headers={
                "content-type": "application/sparql-update",
                "authorization": "Bearer anything",
            },
        )
        assert r.status_code == 403
        assert r.json()["detail"] == "this endpoint is read-only: no write token is configured"


def test_the_write_token_can_come_from_a_file(compiled: Compiled, tmp_path) -> None:
    path = tmp_path / "token"
    path.write_text(f"{TOKEN}\n")
    with TestClient(
        create_app(Settings(write_token_file=path), store=memory_store(compiled.nquads))
    ) as c:
        r = c.post(
            "/sparql",
            content=INSERT,
            headers={
                "content-type": "application/sparql-update",
                "authorization": f"Bearer {TOKEN}",
            },
        )
        assert r.status_code == 204


def test_update_dataset_parameters(writer) -> None:
    auth = {"authorization": f"Bearer {TOKEN}"}
    update = (
        "INSERT { GRAPH <http://example.org/out> { ?p a <http://example.org/Named> } } "
        "WHERE { ?p a <https://schema.org/Person> }"
    )
    r = writer.post(
        "/sparql",
        content=update,
        params={"using-graph-uri": f"{BASE}graph/reference"},
        headers={"content-type": "application/sparql-update", **auth},
    )
    assert r.status_code == 204
    r = writer.get(
        "/sparql",
        params={"query": "SELECT (COUNT(*) AS ?n) { GRAPH <http://example.org/out> { ?s ?p ?o } }"},
    )
    assert r.json()["results"]["bindings"][0]["n"]["value"] == "4"
    r = writer.post(
        "/sparql",
        content="WITH <http://e/g> " + update.replace("GRAPH", ""),
        params={"using-graph-uri": "http://e/x"},
        headers={"content-type": "application/sparql-update", **auth},
    )
    assert r.status_code == 400 and "give one or the other" in r.json()["detail"]


# ---- safety ---------------------------------------------------------------------------------


def test_service_gets_a_400_and_no_connection(client, listener) -> None:
    port, hits = listener
    r = client.get(
        "/sparql",
        params={
            "query": f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}"
        },
    )
    assert r.status_code == 400
    assert r.json()["detail"].startswith(f"SERVICE <http://127.0.0.1:{port}/sparql> is not allowed")
    r = client.post(
        "/sparql",
        data={"update": f"LOAD <http://127.0.0.1:{port}/x.ttl>"},
        headers={"authorization": f"Bearer {TOKEN}"},
    )
    assert r.status_code == 400 and "LOAD is not allowed" in r.json()["detail"]
    time.sleep(0.2)
    assert hits == []


def test_from_file_leaks_nothing(client) -> None:
    for query in (
        "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
        "SELECT * FROM NAMED <file:///etc/passwd> WHERE { GRAPH ?g { ?s ?p ?o } }",
    ):
        r = client.get("/sparql", params={"query": query})
        assert r.status_code == 200 and r.json()["results"]["bindings"] == []
    r = client.get(
        "/sparql",
        params={"query": "SELECT * { ?s ?p ?o }", "default-graph-uri": "file:///etc/passwd"},
    )
    assert r.json()["results"]["bindings"] == []
    assert "root:" not in r.text


def test_cors_for_any_origin_without_credentials(client) -> None:
    r = client.get("/sparql", params={"query": "ASK {}"}, headers={"origin": "https://a.example"})
    assert r.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in r.headers
    r = client.options(
        "/sparql",
        headers={
            "origin": "https://a.example",
            "access-control-request-method": "POST",
            "access-control-request-headers": "content-type",
        },
    )
    assert r.status_code == 200 and r.headers["access-control-allow-origin"] == "*"


def test_results_are_well_formed_json(client) -> None:
    r = client.get("/sparql", params={"query": 'SELECT ?x { BIND("a\\"b\\n<c>" AS ?x) }'})
    assert json.loads(r.text)["results"]["bindings"][0]["x"]["value"] == 'a"b\n<c>'


# ---- time limit and fairness, on a real server with worker processes ------------------------

HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.mark.slow
def test_a_heavy_query_is_stopped_and_never_stalls_others(built) -> None:
    import httpx
    from server import serve

    # No clock is read: the heavy query holds a worker until the time limit stops it, and the
    # cheap ones are answered, one after another, before it is; had it stalled them, none
    # would be answered before the heavy one (they would wait for its worker, or time out).
    with serve(built, query_timeout=4, query_workers=2) as base:
        url = f"{base}/sparql"
        heavy: dict[str, object] = {}
        heavy_answered = threading.Event()

        def run_heavy() -> None:
            r = httpx.get(url, params={"query": HEAVY}, timeout=60)
            heavy.update(status=r.status_code, detail=r.json().get("detail"))
            heavy_answered.set()

        thread = threading.Thread(target=run_heavy)
        thread.start()
        time.sleep(0.3)  # the heavy query reaches its worker first
        cheap = f"ASK {{ <{BASE}id/person/heng-sour> ?p ?o }}"
        answered_meanwhile = []
        for _ in range(5):
            r = httpx.get(url, params={"query": cheap}, timeout=60)
            assert r.json().get("boolean") is True, r.text
            answered_meanwhile.append(not heavy_answered.is_set())
        thread.join(60)
        assert heavy["status"] == 503
        assert heavy["detail"] == "the query ran past the time limit of 4 s and was stopped"
        assert answered_meanwhile == [True] * 5
        # The stopped worker was replaced: the server keeps answering, on every worker.
        for _ in range(6):
            r = httpx.get(url, params={"query": PERSONS}, timeout=10)
            assert [b["name"]["value"] for b in r.json()["results"]["bindings"]] == NAMES


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("application/json", "application/json"),
        ("application/xml", "application/xml"),
        ("text/xml", "text/xml"),
    ],
)
def test_generic_json_and_xml_are_accepted(client, accept: str, media: str) -> None:
    r = client.get("/sparql", params={"query": PERSONS}, headers={"accept": accept})
    assert r.status_code == 200 and r.headers["content-type"].startswith(media)
    r = client.get("/sparql", params={"query": "ASK {}"}, headers={"accept": accept})
    assert r.status_code == 200 and "true" in r.text


def test_graph_store_refuses_rdf_xml_with_entities(client, listener) -> None:
    port, hits = listener
    body = (
        f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "http://127.0.0.1:{port}/x">]>'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">&x;</rdf:RDF>'
    )
    r = client.put(
        "/store",
        params={"graph": "http://example.org/x"},
        content=body,
        headers={"content-type": "application/rdf+xml", "authorization": f"Bearer {TOKEN}"},
    )
    assert r.status_code == 400
    assert r.json()["detail"] == "RDF/XML with a DTD or entity declarations is not accepted"
    time.sleep(0.2)
    assert hits == []


def test_json_fragments_are_the_terms_json(store) -> None:
    import pyoxigraph as ox

    from graph.store.results import _json_fragment, _json_term

    terms = {t for q in store.inner for t in (q.subject, q.predicate, q.object)}
    terms |= {
        ox.Literal('tab\t nul\x00 quote" back\\ line\u2028 é 한국'),
        ox.Literal("x", language="km-KH"),
        ox.BlankNode("b0"),
    }
    assert len(terms) > 1000
    for term in terms:
        assert json.loads(_json_fragment(term)) == _json_term(term), term
