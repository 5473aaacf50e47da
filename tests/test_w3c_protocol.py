"""The W3C SPARQL 1.1 Protocol and Service Description tests, run against a real server."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest
from rdflib import BNode, Graph, Namespace, URIRef
from rdflib.namespace import RDF
from server import ROOT, Expected, HttpTest, check, manifest_entries, read_manifest, replay, serve

from graph.store import write_generation

pytestmark = pytest.mark.server

W3C = ROOT.parent / "shared" / "w3c"
PROTOCOL = W3C / "protocol"
SERVICE_DESCRIPTION = W3C / "service-description"
if not (PROTOCOL / "manifest.ttl").is_file():
    pytest.skip(
        f"the W3C SPARQL Protocol tests are not in {PROTOCOL} (shared/ beside the repo)",
        allow_module_level=True,
    )

TOKEN = "w3c-protocol-token"
TIMEOUT = 30.0
UPDATE = "application/sparql-update"
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = "http://www.w3.org/ns/formats/"

TESTS = read_manifest(PROTOCOL / "manifest.ttl")


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One server, on a store that starts empty, for the whole module."""
    store = tmp_path_factory.mktemp("w3c-protocol") / "store"
    write_generation(store, b"")
    with serve(store, write_token=TOKEN, query_workers=1) as base:
        yield base


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=TIMEOUT) as c:
        yield c


def _sparql_path(path: str) -> str:
    """The manifest's ``/sparql/...`` is our ``/sparql...``."""
    assert path.startswith("/sparql/"), path
    return "/sparql" + path[len("/sparql/") :]


def reset(client: httpx.Client, base: str, test: HttpTest) -> None:
    """Empty the store and load the test's data files into their named graphs, through the
    protocol: one update, so one new store generation."""
    inserts = "".join(
        f"GRAPH <{graph}> {{\n{source.read_text(encoding='utf-8')}}}\n"
        for source, graph in test.graph_data
    )
    update = "DROP ALL" + (f" ;\nINSERT DATA {{\n{inserts}}}" if inserts else "")
    r = client.post(
        base + "/sparql",
        content=update.encode(),
        headers={"content-type": UPDATE, "authorization": f"Bearer {TOKEN}"},
    )
    assert r.status_code == 204, f"resetting the store failed: {r.status_code} {r.text}"
    r = client.get(base + "/sparql", params={"query": "SELECT DISTINCT ?g { GRAPH ?g {} }"})
    graphs = sorted(b["g"]["value"] for b in r.json()["results"]["bindings"])
    assert graphs == [graph for _, graph in test.graph_data], f"after the reset: {graphs}"


@pytest.mark.parametrize("test", TESTS, ids=[t.name for t in TESTS])
def test_protocol(test: HttpTest, endpoint: str, client: httpx.Client) -> None:
    reset(client, endpoint, test)
    replay(client, endpoint, test, _sparql_path, {"authorization": f"Bearer {TOKEN}"})


def test_the_manifest_has_every_protocol_test() -> None:
    assert len(TESTS) == 34
    assert all(t.exchanges for t in TESTS)
    loaded = {t.name: [graph for _, graph in t.graph_data] for t in TESTS if t.graph_data}
    assert loaded["query_dataset_full"] == [
        "http://kasei.us/2009/09/sparql/data/data1.rdf",
        "http://kasei.us/2009/09/sparql/data/data2.rdf",
        "http://kasei.us/2009/09/sparql/data/data3.rdf",
    ]
    utf16 = next(t for t in TESTS if t.name == "bad_query_non_utf8").exchanges[0]
    assert utf16.encoding == "UTF-16" and utf16.body == "ASK {}"


def _response(status: int, content_type: str, body: str) -> httpx.Response:
    request = httpx.Request("GET", "http://127.0.0.1/store?default")
    return httpx.Response(
        status, headers={"content-type": content_type}, text=body, request=request
    )


JSON_TRUE = '{"head": {}, "boolean": true}'
TURTLE = "<http://example.org/s> <http://example.org/p> [ <http://example.org/q> 1 ] ."
CHECKS = {
    "status": (
        _response(400, "application/problem+json", "{}"),
        Expected(statuses=("StatusCode2xx", "StatusCode3xx")),
        "status 400, expected one of StatusCode2xx, StatusCode3xx",
    ),
    "named status": (
        _response(204, "text/plain", ""),
        Expected(statuses=("Created",)),
        "status 204, expected one of Created",
    ),
    "boolean": (
        _response(200, "application/sparql-results+json", JSON_TRUE.replace("true", "false")),
        Expected(statuses=("OK",), format="boolean", boolean=True),
        "boolean False, expected True",
    ),
    "boolean format": (
        _response(200, "text/csv", "value\r\n1\r\n"),
        Expected(statuses=("OK",), format="boolean"),
        "not a boolean result: Content-Type 'text/csv' is not one of",
    ),
    "tabular": (
        _response(200, "application/sparql-results+json", JSON_TRUE),
        Expected(statuses=("OK",), format="tabular"),
        "a ASK result with variables",
    ),
    "RDF": (
        _response(200, "text/turtle", "<a> <b"),
        Expected(statuses=("OK",), format="RDF"),
        "not RDF: the text/turtle body does not parse",
    ),
    "header": (
        _response(200, "text/turtle", TURTLE),
        Expected(statuses=("OK",), headers=(("content-type", "text/turtle; charset=utf-8"),)),
        "Content-Type 'text/turtle', expected 'text/turtle; charset=utf-8'",
    ),
    "isomorphism": (
        _response(200, "text/turtle", TURTLE),
        Expected(statuses=("OK",), body=TURTLE.replace("1", "2")),
        "body is not isomorphic to the expected graph",
    ),
    "location": (
        _response(201, "text/plain", ""),
        Expected(statuses=("Created",), location="$LOCATION$"),
        "no Location header",
    ),
}


@pytest.mark.parametrize("case", CHECKS, ids=list(CHECKS))
def test_the_runner_reports_what_differs(case: str) -> None:
    response, expected, problem = CHECKS[case]
    problems = check(response, expected)
    assert len(problems) == 1 and problems[0].startswith(problem), problems


def test_the_runner_accepts_a_conforming_response() -> None:
    response = _response(200, "text/turtle; charset=UTF-8", TURTLE)
    expected = Expected(
        statuses=("OK",),
        format="RDF",
        headers=(("content-type", "text/turtle; charset=utf-8"),),
        body=TURTLE.replace(" [ ", " _:x . _:x ").replace(" ] .", " ."),
    )
    assert check(response, expected) == []


# -- Service description ----------------------------------------------------------------------

#: The SPARQL 1.1 Service Description vocabulary: its classes, instances and properties.
SD_CLASSES = {
    "Service", "Feature", "Language", "Function", "Aggregate", "EntailmentRegime",
    "EntailmentProfile", "GraphCollection", "Dataset", "NamedGraph", "Graph",
}  # fmt: skip
SD_LANGUAGES = {"SPARQL10Query", "SPARQL11Query", "SPARQL11Update"}
SD_FEATURES = {
    "DereferencesURIs", "UnionDefaultGraph", "RequiresDataset", "EmptyGraphs",
    "BasicFederatedQuery",
}  # fmt: skip
#: Each property with its domain, and the class its value must have ("IRI": any IRI).
SD_PROPERTIES: dict[str, tuple[str, str | None]] = {
    "endpoint": ("Service", "IRI"),
    "feature": ("Service", "Feature"),
    "defaultEntailmentRegime": ("Service", "IRI"),
    "entailmentRegime": ("NamedGraph", "IRI"),
    "defaultSupportedEntailmentProfile": ("Service", "IRI"),
    "supportedEntailmentProfile": ("NamedGraph", "IRI"),
    "extensionFunction": ("Service", None),
    "extensionAggregate": ("Service", None),
    "languageExtension": ("Service", None),
    "supportedLanguage": ("Service", "Language"),
    "propertyFeature": ("Service", None),
    "defaultDataset": ("Service", "Dataset"),
    "availableGraphs": ("Service", "GraphCollection"),
    "resultFormat": ("Service", "IRI"),
    "inputFormat": ("Service", "IRI"),
    "defaultGraph": ("Dataset", "Graph"),
    "namedGraph": ("GraphCollection", "NamedGraph"),
    "name": ("NamedGraph", "IRI"),
    "graph": ("NamedGraph", "Graph"),
}
SUBCLASSES = {"Dataset": {"GraphCollection"}}
SD_TERMS = SD_CLASSES | SD_LANGUAGES | SD_FEATURES | set(SD_PROPERTIES)


def _description(client: httpx.Client, url: str, accept: str) -> Graph:
    r = client.get(url, headers={"accept": accept})
    assert r.status_code == 200, r.text
    media = r.headers["content-type"].split(";")[0].strip()
    assert media == accept, r.headers["content-type"]
    fmt = {"text/turtle": "turtle", "application/rdf+xml": "xml", "application/ld+json": "json-ld"}
    return Graph().parse(data=r.content, format=fmt[media], publicID=url)


def _classes(g: Graph, node: object) -> set[str]:
    named = {str(t)[len(str(SD)) :] for t in g.objects(node, RDF.type) if str(t).startswith(SD)}
    if isinstance(node, URIRef) and str(node).startswith(str(SD)):
        local = str(node)[len(str(SD)) :]
        named |= {"Language"} if local in SD_LANGUAGES else set()
        named |= {"Feature"} if local in SD_FEATURES else set()
    for sub in list(named):
        named |= SUBCLASSES.get(sub, set())
    return named


def returns_rdf(client: httpx.Client, url: str) -> None:
    """GET on the endpoint, asking for RDF, returns RDF in each format it offers."""
    for accept in ("text/turtle", "application/rdf+xml", "application/ld+json"):
        g = _description(client, url, accept)
        assert len(g) > 10, accept
        assert (None, RDF.type, SD.Service) in g, accept


def has_endpoint_triple(client: httpx.Client, url: str) -> None:
    """The description has ``?service sd:endpoint <the URL we called>``."""
    g = _description(client, url, "text/turtle")
    assert list(g.subjects(SD.endpoint, URIRef(url))), g.serialize(format="turtle")
    service = next(g.subjects(SD.endpoint, URIRef(url)))
    assert (service, RDF.type, SD.Service) in g


def conforms_to_schema(client: httpx.Client, url: str) -> None:
    """Every sd: term is in the vocabulary and used within its domain and range; the service
    names its languages, result formats and default dataset."""
    g = _description(client, url, "text/turtle")
    for s, p, o in g:
        for term in (s, p, o):
            if isinstance(term, URIRef) and str(term).startswith(str(SD)):
                assert str(term)[len(str(SD)) :] in SD_TERMS, f"{term} is not an sd: term"
        if p == RDF.type and str(o).startswith(str(SD)):
            assert str(o)[len(str(SD)) :] in SD_CLASSES, f"{o} is not an sd: class"
        if not str(p).startswith(str(SD)):
            continue
        domain, value = SD_PROPERTIES[str(p)[len(str(SD)) :]]
        assert domain in _classes(g, s), f"the subject of {p} is not an sd:{domain}: {s}"
        if value == "IRI":
            assert isinstance(o, URIRef), f"{p} {o!r} is not an IRI"
        elif value is not None:
            assert value in _classes(g, o), f"the value of {p} is not an sd:{value}: {o}"
    (service,) = set(g.subjects(RDF.type, SD.Service))
    languages = set(g.objects(service, SD.supportedLanguage))
    assert languages == {SD.SPARQL11Query, SD.SPARQL11Update}  # served with a write token
    formats = {str(f)[len(FORMATS) :] for f in g.objects(service, SD.resultFormat)}
    assert {"SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV"} <= formats
    assert {"SPARQL_Results_TSV", "Turtle", "N-Triples", "RDF_XML"} <= formats
    (dataset,) = set(g.objects(service, SD.defaultDataset))
    assert isinstance(dataset, BNode | URIRef)
    (default,) = set(g.objects(dataset, SD.defaultGraph))
    assert (default, RDF.type, SD.Graph) in g
    names = [name for n in g.objects(dataset, SD.namedGraph) for name in g.objects(n, SD.name)]
    # The test loads the data of query_dataset_full first: three named graphs.
    assert sorted(map(str, names)) == [
        f"http://kasei.us/2009/09/sparql/data/data{i}.rdf" for i in (1, 2, 3)
    ]


SD_TESTS: dict[str, Callable[[httpx.Client, str], None]] = {
    "returns-rdf": returns_rdf,
    "has-endpoint-triple": has_endpoint_triple,
    "conforms-to-schema": conforms_to_schema,
}


def _sd_entries() -> list[object]:
    manifest = SERVICE_DESCRIPTION / "manifest.ttl"
    if not manifest.is_file():
        reason = f"the W3C Service Description tests are not in {SERVICE_DESCRIPTION}"
        return [pytest.param("", marks=pytest.mark.skip(reason=reason), id="service-description")]
    _, entries = manifest_entries(manifest)
    return [pytest.param(str(e).rsplit("#", 1)[1], id=str(e).rsplit("#", 1)[1]) for e in entries]


@pytest.mark.parametrize("name", _sd_entries())
def test_service_description(name: str, endpoint: str, client: httpx.Client) -> None:
    assert name in SD_TESTS, f"no implementation of the service description test {name!r}"
    reset(client, endpoint, next(t for t in TESTS if t.name == "query_dataset_full"))
    SD_TESTS[name](client, endpoint + "/sparql")
