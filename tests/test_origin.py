"""Links from the configured origin only: a client's Host and X-Forwarded-* never make a link
(issue 13: with ``Host: evil.example`` every link below pointed at evil.example)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.config import Settings
from graph.build.pipeline import Compiled
from graph.store import memory_store

TOKEN = "origin-test-token"
EVIL = {"host": "evil.example", "x-forwarded-host": "evil.example", "x-forwarded-proto": "https"}
AUTH = {"authorization": f"Bearer {TOKEN}"}


def _own_copy(compiled: Compiled) -> TestClient:
    settings = Settings(write_token=TOKEN)
    return TestClient(create_app(settings, store=memory_store(compiled.nquads)))


@pytest.fixture(scope="module")
def client(compiled: Compiled) -> Iterator[TestClient]:
    """An app with a write token on its own copy of the seed graph, for the tests that read."""
    with _own_copy(compiled) as c:
        yield c


@pytest.fixture()
def writer(compiled: Compiled) -> Iterator[TestClient]:
    """The same, on a copy for one test that writes."""
    with _own_copy(compiled) as c:
        yield c


def _sd_endpoint(client: TestClient, headers: dict[str, str]) -> str:
    r = client.get("/sparql", headers={**headers, "accept": "application/n-triples"})
    assert r.status_code == 200, r.text
    (line,) = [x for x in r.text.splitlines() if "sparql-service-description#endpoint" in x]
    return line.split()[2].strip("<>")


def test_the_service_description_names_the_server_not_the_host_header(
    client: TestClient,
) -> None:
    assert _sd_endpoint(client, EVIL) == "http://testserver/sparql"


@pytest.mark.parametrize(
    "path",
    [
        "/api/acts?limit=1",
        "/api/meetings?limit=1",
        "/api/entities/organization/nssf/neighbours?limit=1",
    ],
)
def test_next_links_ignore_the_host_header(client: TestClient, path: str) -> None:
    r = client.get(path, headers=EVIL)
    assert r.status_code == 200, r.text
    following = r.json()["next"]
    assert following is not None and following.startswith("http://testserver/api/"), following
    # ... and the link works.
    assert client.get(following).status_code == 200


def test_the_trailing_slash_redirect_ignores_the_host_header(client: TestClient) -> None:
    r = client.get("/explore/", headers=EVIL, follow_redirects=False)
    assert r.status_code in (301, 307, 308)
    assert r.headers["location"] == "http://testserver/explore"


def test_the_sparql_base_iri_ignores_the_host_header(client: TestClient) -> None:
    r = client.get(
        "/sparql",
        params={"query": "SELECT ?i { BIND(<x> AS ?i) }"},
        headers={**EVIL, "accept": "application/sparql-results+json"},
    )
    assert r.json()["results"]["bindings"][0]["i"]["value"] == "http://testserver/x"


def test_graphs_the_graph_store_creates_ignore_the_host_header(writer: TestClient) -> None:
    ttl = {"content-type": "text/turtle"}
    body = b'<http://e/s> <http://e/p> "x" .'
    r = writer.post("/store", content=body, headers={**EVIL, **AUTH, **ttl})
    assert r.status_code == 201, r.text
    assert r.headers["location"].startswith("http://testserver/store/")
    r = writer.put("/store/x", content=body, headers={**EVIL, **AUTH, **ttl})
    assert r.status_code == 201, r.text
    r = writer.get("/store", params={"graph": "http://testserver/store/x"})
    assert r.status_code == 200 and '"x"' in r.text
    names = writer.get("/sparql", params={"query": "SELECT ?g { GRAPH ?g {} }"}).text
    assert "evil.example" not in names


def test_a_configured_public_url_makes_every_link(compiled: Compiled) -> None:
    settings = Settings(public_url="https://kg.example.org/")
    with TestClient(create_app(settings, store=memory_store(compiled.nquads))) as c:
        assert _sd_endpoint(c, EVIL) == "https://kg.example.org/sparql"
        following = c.get("/api/acts?limit=1", headers=EVIL).json()["next"]
        assert following.startswith("https://kg.example.org/api/acts?")


def test_forwarded_headers_count_only_from_a_trusted_proxy(compiled: Compiled) -> None:
    # TestClient's peer address is "testclient".
    settings = Settings(trusted_proxies=["testclient"])
    with TestClient(create_app(settings, store=memory_store(compiled.nquads))) as c:
        forwarded = {"x-forwarded-host": "kg.example.org", "x-forwarded-proto": "https"}
        assert _sd_endpoint(c, forwarded) == "https://kg.example.org/sparql"
        # A malformed host from the proxy is ignored, not pasted.
        bad = {"x-forwarded-host": "a/b@evil.example", "x-forwarded-proto": "gopher"}
        assert _sd_endpoint(c, bad) == "http://testserver/sparql"


@pytest.mark.parametrize(
    "url", ["ftp://kg.example.org", "https://kg.example.org/kg/", "kg.example"]
)
def test_a_public_url_must_be_an_http_origin(url: str) -> None:
    with pytest.raises(ValueError, match="public URL"):
        Settings(public_url=url)
