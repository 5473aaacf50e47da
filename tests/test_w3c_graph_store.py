"""The W3C SPARQL 1.1 Graph Store HTTP Protocol tests, run against a real server's /store.

manifest-direct.ttl defines head_non_existing_direct but leaves it out of its mf:entries; it is
run too.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from rdflib import Graph
from rdflib.collection import Collection
from server import MF, ROOT, HttpTest, read_manifest, replay, serve

from graph.store import write_generation

pytestmark = pytest.mark.server

GSP = ROOT.parent / "shared" / "w3c" / "graph-store-protocol"
if not (GSP / "manifest.ttl").is_file():
    pytest.skip(
        f"the W3C Graph Store Protocol tests are not in {GSP} (shared/ beside the repo)",
        allow_module_level=True,
    )

TOKEN = "w3c-gsp-token"
TIMEOUT = 30.0


def _included() -> list[str]:
    """The manifests ``manifest.ttl`` includes (direct and indirect identification)."""
    g = Graph().parse(GSP / "manifest.ttl", format="turtle")
    (head,) = set(g.objects(None, MF.include))
    return [str(m).rsplit("/", 1)[-1] for m in Collection(g, head)]


MANIFESTS = _included()
TESTS = [test for name in MANIFESTS for test in read_manifest(GSP / name, unlisted=True)]


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One server, on a store that starts empty, for the whole module."""
    store = tmp_path_factory.mktemp("w3c-gsp") / "store"
    write_generation(store, b"")
    with serve(store, write_token=TOKEN, query_workers=1) as base:
        yield base


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=TIMEOUT) as c:
        yield c


def _store_path(path: str) -> str:
    """The manifest's ``/gsp?...`` and ``/gsp/...`` are our ``/store?...`` and ``/store/...``:
    for direct identification the graph's IRI is then the URL on this server."""
    assert path == "/gsp" or path.startswith(("/gsp?", "/gsp/")), path
    return "/store" + path[len("/gsp") :]


def reset(client: httpx.Client, base: str) -> None:
    """Empty the store (every test starts from nothing: the first PUT must create)."""
    r = client.post(
        base + "/sparql",
        content=b"DROP ALL",
        headers={"content-type": "application/sparql-update", "authorization": f"Bearer {TOKEN}"},
    )
    assert r.status_code == 204, f"resetting the store failed: {r.status_code} {r.text}"


@pytest.mark.parametrize("test", TESTS, ids=[t.name for t in TESTS])
def test_graph_store(test: HttpTest, endpoint: str, client: httpx.Client) -> None:
    reset(client, endpoint)
    replay(client, endpoint, test, _store_path, {"authorization": f"Bearer {TOKEN}"})


def test_the_manifests_have_every_graph_store_test() -> None:
    assert MANIFESTS == ["manifest-direct.ttl", "manifest-indirect.ttl"]
    names = [t.name for t in TESTS]
    assert len(names) == len(set(names)) == 14
    assert names[4] == "head_non_existing_direct"  # defined, not listed
    assert {"put_get_default", "post_get_new_graph", "put_get_uri_pct_encoded_twice"} <= set(names)
    new_graph = next(t for t in TESTS if t.name == "post_get_new_graph")
    assert new_graph.exchanges[0].expected.location == "$LOCATION$"
    assert new_graph.exchanges[1].path == "/gsp?graph=$LOCATION$"


def test_direct_identification_names_the_graph_by_its_url(
    endpoint: str, client: httpx.Client
) -> None:
    """A graph PUT at /store/person/9.ttl is the named graph <BASE/store/person/9.ttl>."""
    reset(client, endpoint)
    auth = {"authorization": f"Bearer {TOKEN}"}
    r = client.put(
        endpoint + "/store/person/9.ttl",
        content=b"<http://www.example/gsp/person/9> <http://xmlns.com/foaf/0.1/name> 'Nine' .",
        headers={"content-type": "text/turtle", **auth},
    )
    assert r.status_code == 201, r.text
    r = client.get(endpoint + "/store", params={"graph": endpoint + "/store/person/9.ttl"})
    assert r.status_code == 200 and '"Nine"' in r.text, r.text
    r = client.get(endpoint + "/sparql", params={"query": "SELECT ?g { GRAPH ?g { ?s ?p ?o } }"})
    assert [b["g"]["value"] for b in r.json()["results"]["bindings"]] == [
        endpoint + "/store/person/9.ttl"
    ]
