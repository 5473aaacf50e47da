"""Real SPARQL clients (SPARQLWrapper, rdflib's SPARQL stores, fetch-sparql-endpoint from npm)
against a real server on the seed graph; and writes refused without the right token."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import urllib.error
from collections.abc import Iterator
from pathlib import Path
from xml.dom.minidom import Document

import httpx
import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS
from rdflib.plugins.stores.sparqlstore import SPARQLStore, SPARQLUpdateStore
from server import ROOT, bilateral, serve
from SPARQLWrapper import JSON, POST, RDFXML, TURTLE, XML, SPARQLWrapper

pytestmark = [pytest.mark.server, pytest.mark.subprocess]

TOKEN = "clients-write-token"
TIMEOUT = 30
PREFIXES = """\
PREFIX bkg: <https://bilateral-kg.example/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX schema: <https://schema.org/>
"""
PERSONS = PREFIXES + "SELECT ?name WHERE { ?p a schema:Person ; rdfs:label ?name } ORDER BY ?name"
NAMES = ["Heng Sour", "Lee Cheol-woo", "Lee Jung-sik", "Pav Sina"]
MEETING_IN = PREFIXES + "ASK { ?m a bkg:Meeting ; schema:location/rdfs:label '%s'@en }"
PERSON_LABELS = (
    PREFIXES + "CONSTRUCT { ?p rdfs:label ?name } WHERE { ?p a schema:Person ; rdfs:label ?name }"
)
PERSON = "https://bilateral-kg.example/id/person/"
NODE_SCRIPT = ROOT / "tests" / "clients" / "fetch_sparql.mjs"


@pytest.fixture(scope="module")
def seed_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed graph, built by the command line into a store of this module's own."""
    store = tmp_path_factory.mktemp("clients") / "store"
    env = {k: v for k, v in os.environ.items() if not k.startswith("BILATERAL_")}
    done = subprocess.run(
        [str(bilateral()), "build", "--store", str(store)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return store


@pytest.fixture(scope="module")
def base(seed_store: Path) -> Iterator[str]:
    with serve(seed_store, write_token=TOKEN) as url:
        yield url


@pytest.fixture(scope="module")
def endpoint(base: str) -> str:
    return base + "/sparql"


@pytest.fixture
def socket_timeout() -> Iterator[None]:
    """rdflib's SPARQL stores call urlopen without a timeout: bound them by the default one."""
    before = socket.getdefaulttimeout()
    socket.setdefaulttimeout(TIMEOUT)
    yield
    socket.setdefaulttimeout(before)


def _wrapper(endpoint: str, query: str, fmt: str) -> SPARQLWrapper:
    sw = SPARQLWrapper(endpoint)
    sw.setTimeout(TIMEOUT)
    sw.setQuery(query)
    sw.setReturnFormat(fmt)
    return sw


def _count(endpoint: str) -> int:
    query = "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }"
    r = httpx.get(endpoint, params={"query": query}, timeout=TIMEOUT)
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


# -- SPARQLWrapper ----------------------------------------------------------------------------


def test_sparqlwrapper_select_json(endpoint: str) -> None:
    result = _wrapper(endpoint, PERSONS, JSON).query()
    # SPARQLWrapper names the format in three parameters besides Accept; they are tolerated.
    assert "format=json&output=json&results=json" in result.response.geturl()
    data = result.convert()
    assert data["head"]["vars"] == ["name"]
    names = [b["name"] for b in data["results"]["bindings"]]
    assert names == [{"type": "literal", "value": n, "xml:lang": "en"} for n in NAMES]


def test_sparqlwrapper_select_xml_by_post(endpoint: str) -> None:
    sw = _wrapper(endpoint, PERSONS, XML)
    sw.setMethod(POST)
    doc = sw.query().convert()
    assert isinstance(doc, Document)
    assert [v.getAttribute("name") for v in doc.getElementsByTagName("variable")] == ["name"]
    literals = doc.getElementsByTagName("literal")
    assert [lit.firstChild.data for lit in literals] == NAMES
    assert {lit.getAttribute("xml:lang") for lit in literals} == {"en"}


@pytest.mark.parametrize("fmt", [JSON, XML])
def test_sparqlwrapper_ask(endpoint: str, fmt: str) -> None:
    def ask(city: str) -> bool:
        result = _wrapper(endpoint, MEETING_IN % city, fmt).query().convert()
        if fmt == JSON:
            return bool(result["boolean"])
        (node,) = result.getElementsByTagName("boolean")
        return {"true": True, "false": False}[node.firstChild.data]

    assert ask("Seoul") is True
    assert ask("Tokyo") is False


def test_sparqlwrapper_construct_turtle(endpoint: str) -> None:
    result = _wrapper(endpoint, PERSON_LABELS, TURTLE).query()
    assert result.info()["content-type"].startswith("text/turtle")
    g = Graph().parse(data=result.convert(), format="turtle")
    assert len(g) == 4
    assert sorted(str(o) for o in g.objects(None, RDFS.label)) == NAMES
    assert g.value(URIRef(PERSON + "pav-sina"), RDFS.label) == Literal("Pav Sina", lang="en")


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
def test_sparqlwrapper_construct_rdfxml(endpoint: str) -> None:
    result = _wrapper(endpoint, PERSON_LABELS, RDFXML).query()
    assert result.info()["content-type"].startswith("application/rdf+xml")
    g = result.convert()  # SPARQLWrapper parses RDF/XML into an rdflib graph
    assert len(g) == 4
    assert sorted(str(o) for o in g.objects(None, RDFS.label)) == NAMES
    assert g.value(URIRef(PERSON + "heng-sour"), RDFS.label) == Literal("Heng Sour", lang="en")


@pytest.mark.filterwarnings("ignore:Sending Accept header:RuntimeWarning")
@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
@pytest.mark.parametrize("fmt", [XML, JSON])
def test_sparqlwrapper_construct_with_a_results_format_name(endpoint: str, fmt: str) -> None:
    """XML is SPARQLWrapper's default format: for a CONSTRUCT it sends ``Accept:
    application/rdf+xml`` with ``format=xml&output=xml&results=xml``; with JSON, ``Accept: */*``
    and ``format=json``. Such a parameter names no graph format, so it must not turn a query
    the Accept header can answer into a 406: ``xml`` means RDF/XML here, ``json`` JSON-LD."""
    sw = SPARQLWrapper(endpoint)
    sw.setTimeout(TIMEOUT)
    sw.setQuery(PERSON_LABELS)
    if fmt == JSON:
        sw.setReturnFormat(JSON)
    assert sw.returnFormat == fmt
    try:
        result = sw.query()
    except urllib.error.HTTPError as exc:
        accept = {XML: "application/rdf+xml", JSON: "*/*"}[fmt]
        pytest.fail(f"GET {exc.url} (Accept: {accept}): {exc.code} {exc.read().decode()}")
    media = result.info()["content-type"].split(";")[0]
    converted = result.convert()
    g = converted if isinstance(converted, Graph) else Graph().parse(data=converted, format=media)
    assert sorted(str(o) for o in g.objects(None, RDFS.label)) == NAMES


def test_sparqlwrapper_update_with_the_token(endpoint: str) -> None:
    graph = "http://example.org/test/clients/sparqlwrapper"
    triple = f"<{graph}#s> <{graph}#p> 'from SPARQLWrapper'"

    def update(text: str) -> None:
        sw = SPARQLWrapper(endpoint)
        sw.setTimeout(TIMEOUT)
        sw.setMethod(POST)
        sw.addCustomHttpHeader("Authorization", f"Bearer {TOKEN}")
        sw.setQuery(text)
        assert sw.query().response.status == 204

    update(f"INSERT DATA {{ GRAPH <{graph}> {{ {triple} }} }}")
    check = _wrapper(endpoint, f"ASK {{ GRAPH <{graph}> {{ {triple} }} }}", JSON)
    assert check.query().convert()["boolean"] is True
    update(f"DROP GRAPH <{graph}>")
    assert check.query().convert()["boolean"] is False


# -- rdflib's SPARQLStore and SPARQLUpdateStore -----------------------------------------------


@pytest.mark.usefixtures("socket_timeout")
@pytest.mark.parametrize("method", ["GET", "POST", "POST_FORM"])
def test_rdflib_sparqlstore_query(endpoint: str, method: str) -> None:
    g = Graph(SPARQLStore(endpoint, returnFormat="json", method=method))
    assert [str(row.name) for row in g.query(PERSONS)] == NAMES  # type: ignore[union-attr]


@pytest.mark.usefixtures("socket_timeout")
def test_rdflib_sparqlstore_len_and_triples(endpoint: str) -> None:
    g = Graph(SPARQLStore(endpoint, returnFormat="xml"))
    # The default graph is the union of the named graphs.
    assert len(g) == _count(endpoint) > 2000
    pav = URIRef(PERSON + "pav-sina")
    assert (pav, RDFS.label, Literal("Pav Sina", lang="en")) in g
    labels = {o for _, _, o in g.triples((pav, RDFS.label, None))}
    assert labels == {Literal("Pav Sina", lang="en")}
    assert URIRef("https://schema.org/Person") in set(g.objects(pav, RDF.type))


@pytest.mark.usefixtures("socket_timeout")
def test_rdflib_sparqlupdatestore_insert_read_delete(endpoint: str) -> None:
    mine = URIRef("http://example.org/test/clients/rdflib")
    triple = (
        URIRef("http://example.org/test/s"),
        URIRef("http://example.org/test/p"),
        Literal("ü"),
    )
    store = SPARQLUpdateStore(endpoint, endpoint, headers={"Authorization": f"Bearer {TOKEN}"})
    g = Graph(store, identifier=mine)
    before = _count(endpoint)
    g.add(triple)
    try:
        assert list(g) == [triple]
        # Read back through the query endpoint, by another client.
        r = httpx.get(
            endpoint,
            params={"query": f"SELECT ?o {{ GRAPH <{mine}> {{ ?s ?p ?o }} }}"},
            timeout=TIMEOUT,
        )
        assert [b["o"]["value"] for b in r.json()["results"]["bindings"]] == ["ü"]
        assert _count(endpoint) == before + 1
    finally:
        g.remove(triple)
    assert len(g) == 0
    assert _count(endpoint) == before
    # The emptied graph is still there (the store keeps empty graphs) until dropped.
    graphs = Dataset(store)
    assert mine in set(graphs.store.contexts())
    graphs.remove_graph(mine)  # DROP GRAPH
    assert mine not in set(graphs.store.contexts())
    r = httpx.get(endpoint.replace("/sparql", "/store"), params={"graph": mine}, timeout=TIMEOUT)
    assert r.status_code == 404


# -- fetch-sparql-endpoint (npm) --------------------------------------------------------------


def test_fetch_sparql_endpoint(endpoint: str) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed; the JavaScript client test needs Node 18 or later")
    if not (ROOT / "node_modules" / "fetch-sparql-endpoint").is_dir():
        pytest.skip("node_modules/fetch-sparql-endpoint is missing; run 'npm install'")
    done = subprocess.run(
        [node, str(NODE_SCRIPT), endpoint, PERSONS, MEETING_IN % "Seoul", PERSON_LABELS],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["rows"] == [
        {"name": {"termType": "Literal", "value": n, "language": "en"}} for n in NAMES
    ]
    assert report["ask"] is True
    labels = sorted((t["subject"]["value"], t["object"]["value"]) for t in report["triples"])
    assert labels == [
        (PERSON + "heng-sour", "Heng Sour"),
        (PERSON + "lee-cheol-woo", "Lee Cheol-woo"),
        (PERSON + "lee-jung-sik", "Lee Jung-sik"),
        (PERSON + "pav-sina", "Pav Sina"),
    ]
    assert {t["predicate"]["value"] for t in report["triples"]} == {str(RDFS.label)}


# -- Writes need the right token --------------------------------------------------------------

GRAPH = "http://example.org/test/clients/refused"
INSERT = f"INSERT DATA {{ GRAPH <{GRAPH}> {{ <{GRAPH}#s> <{GRAPH}#p> 1 }} }}"
WRITES = {
    "update-direct": ("POST", "/sparql", {"content-type": "application/sparql-update"}, INSERT),
    "update-form": (
        "POST",
        "/sparql",
        {"content-type": "application/x-www-form-urlencoded"},
        str(httpx.QueryParams({"update": INSERT})),
    ),
    "store-put": ("PUT", f"/store?graph={GRAPH}", {"content-type": "text/turtle"}, "<s> <p> 1 ."),
    "store-post": ("POST", f"/store?graph={GRAPH}", {"content-type": "text/turtle"}, "<s> <p> 1 ."),
    "store-create": ("POST", "/store", {"content-type": "text/turtle"}, "<s> <p> 1 ."),
    "store-delete-default": ("DELETE", "/store?default", {}, ""),
}
TOKENS = {"no token": (None, 401), "wrong token": ("not-" + TOKEN, 403)}


@pytest.mark.parametrize("token", TOKENS, ids=list(TOKENS))
@pytest.mark.parametrize("write", WRITES, ids=list(WRITES))
def test_writes_need_the_right_token(base: str, write: str, token: str) -> None:
    method, path, headers, body = WRITES[write]
    given, status = TOKENS[token]
    if given is not None:
        headers = {**headers, "authorization": f"Bearer {given}"}
    before = _count(base + "/sparql")
    r = httpx.request(method, base + path, headers=headers, content=body, timeout=TIMEOUT)
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["status"] == status
    if status == 401:
        assert r.headers["www-authenticate"].startswith("Bearer")
    assert _count(base + "/sparql") == before
    assert httpx.get(base + "/store", params={"graph": GRAPH}, timeout=TIMEOUT).status_code == 404


def test_a_basic_or_empty_authorization_is_not_a_token(base: str) -> None:
    for header in ("Basic dXNlcjpwYXNz", "Bearer", TOKEN, f"Token {TOKEN}"):
        r = httpx.post(
            base + "/sparql",
            content=INSERT,
            headers={"content-type": "application/sparql-update", "authorization": header},
            timeout=TIMEOUT,
        )
        assert r.status_code == 401, (header, r.status_code, r.text)
