"""The HTTP app: the landing page and its JSON twin, the ontology, problem details."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.config import Settings


def test_landing_page_says_what_the_graph_holds(client: TestClient) -> None:
    r = client.get("/", headers={"accept": "text/html"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    assert "<h1>bilateral-kg</h1>" in html
    assert '<tr><td>people</td><td class="n">4</td></tr>' in html
    assert '<tr><td>meetings</td><td class="n"><a href="/meetings">2</a></td></tr>' in html
    assert "Phnom Penh Post article on Cambodia–South Korea employment and vocational ties" in html
    assert "The Phnom Penh Post" in html
    assert '<link rel="alternate" type="application/json" href="/index.json">' in html
    assert r.headers["link"] == '</index.json>; rel="alternate"; type="application/json"'


def test_landing_json_twin(client: TestClient) -> None:
    twin = client.get("/index.json").json()
    assert client.get("/", headers={"accept": "application/json"}).json() == twin
    assert twin["counts"] == {
        "people": 4,
        "organizations": 11,
        "places": 4,
        "programmes": 2,
        "posts": 4,
        "meetings": 2,
        "cooperation acts": 15,
        "statements": 9,
        "statistics": 4,
    }
    assert twin["acts_by_status"] == {
        "agreed": 3,
        "pledged": 3,
        "requested": 3,
        "under-examination": 3,
        "done": 2,
        "proposed": 1,
    }
    assert [s["title"] for s in twin["sources"]] == [
        "Phnom Penh Post article on Cambodia–South Korea employment and vocational ties"
    ]
    layers = {g["g"].rsplit("/graph/", 1)[1]: g["layer"] for g in twin["graphs"]}
    assert layers["stated/ppp-cambodia-korea-labour"] == "stated"
    assert layers["inferred/ppp-cambodia-korea-labour"] == "inferred"
    assert layers["derived"] == "derived"


def test_ontology_is_served_as_turtle(client: TestClient) -> None:
    r = client.get("/ontology")
    assert r.headers["content-type"] == "text/turtle; charset=utf-8"
    assert "bkg:CooperationAct a owl:Class" in r.text and "status:under-examination" in r.text
    assert "sh:NodeShape" in client.get("/ontology/shapes").text


def test_unknown_route_is_a_problem_document(client: TestClient) -> None:
    r = client.get("/no/such/page")
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json() == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "Not Found",
        "instance": "/no/such/page",
    }


@pytest.mark.server
@pytest.mark.subprocess
def test_bilateral_serve_answers_on_loopback(built: Path) -> None:
    from server import serve

    with serve(built) as base:
        r = httpx.get(f"{base}/index.json", timeout=5)
        assert r.status_code == 200 and r.json()["counts"]["meetings"] == 2
        page = httpx.get(f"{base}/", timeout=5)
        assert "Phnom Penh Post article on Cambodia–South Korea employment" in page.text


@pytest.mark.subprocess
def test_serve_without_a_store_fails_clearly(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("bilateral")
    result = subprocess.run(
        [str(exe), "serve", "--store", str(tmp_path / "none")],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("error: no graph has been built in ")


def test_the_landing_summary_is_computed_once_per_graph_version(compiled) -> None:
    from graph.store import memory_store

    store = memory_store(compiled.nquads)
    client = TestClient(create_app(Settings(), store=store))
    first = client.get("/index.json").json()
    assert client.get("/index.json").json() == first
    assert client.app.state.summary.builds == 1  # type: ignore[attr-defined]
    store.add(b'<http://e/a> <http://e/p> "x" <http://e/g> .\n')
    second = client.get("/index.json").json()
    assert client.app.state.summary.builds == 2  # type: ignore[attr-defined]
    assert second["quads"] == first["quads"] + 1
    assert "http://e/g" in [g["g"] for g in second["graphs"]]
