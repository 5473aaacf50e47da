"""The synthetic graph of the benchmark: reproducible, shaped like ours, answerable by our code."""

from __future__ import annotations

import functools
import importlib.util
import io
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.config import Settings
from graph.read.lookup import entity_view
from graph.read.network import shortest_paths
from graph.read.projection import project
from graph.read.query import select
from graph.store import OxigraphStore, memory_store

ROOT = Path(__file__).resolve().parents[1]
BASE = "https://bilateral-kg.example/"
SIZE = 5000


@functools.cache
def _generator() -> ModuleType:
    """``bench/generate.py`` (``bench`` is no package: it is not shipped)."""
    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "bench" / "generate.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _generate(seed: int, size: int = SIZE) -> str:
    buf = io.StringIO()
    _generator().generate(buf, size, seed=seed)
    return buf.getvalue()


@pytest.fixture(scope="module")
def nquads() -> str:
    return _generate(7)


@pytest.fixture(scope="module")
def store(nquads: str) -> OxigraphStore:
    return memory_store(nquads.encode())


@pytest.fixture(scope="module")
def bench_client(store: OxigraphStore) -> Iterator[TestClient]:
    """A client of an app on the generated graph (not the seed graph of conftest's client)."""
    with TestClient(create_app(Settings(), store=store)) as c:
        yield c


def test_the_same_seed_gives_the_same_bytes(nquads: str) -> None:
    assert _generate(7) == nquads
    assert _generate(8) != nquads


def test_the_size_is_about_what_was_asked(nquads: str, store: OxigraphStore) -> None:
    lines = nquads.count("\n")
    assert SIZE * 0.95 <= lines <= SIZE * 1.05
    assert len(store) >= lines * 0.98  # a few derived links repeat


@pytest.mark.subprocess
def test_the_command_line_writes_the_file(tmp_path: Path, nquads: str) -> None:
    out = tmp_path / "g.nq"
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "generate.py"), "--triples", str(SIZE),
         "--seed", "7", "--out", str(out)],
        check=True, cwd=ROOT, capture_output=True,
    )  # fmt: skip
    assert out.read_text(encoding="utf-8") == nquads


def _count(store: OxigraphStore, query: str) -> int:
    n: int = select(store, query)[0]["n"]
    return n


def test_the_graph_has_the_shape_of_ours(store: OxigraphStore) -> None:
    assert _count(store, "SELECT (COUNT(*) AS ?n) WHERE { ?c a schema:Country }") >= 8
    assert _count(store, "SELECT (COUNT(*) AS ?n) WHERE { ?c a schema:City }") >= 8
    assert (
        _count(
            store,
            """SELECT (COUNT(*) AS ?n) WHERE {
            ?p a org:Post ; org:heldBy ?who ; org:postIn ?body . ?body bkg:country ?c }""",
        )
        >= 8
    )
    meetings = select(
        store,
        """SELECT ?m (COUNT(DISTINCT ?a) AS ?n) WHERE { ?m a bkg:Meeting ; schema:attendee ?a }
        GROUP BY ?m""",
    )
    assert meetings
    assert all(r["n"] == 2 for r in meetings)
    acts = select(
        store,
        """SELECT ?act (COUNT(?s) AS ?n) (SAMPLE(?label) AS ?status) WHERE {
            ?act a bkg:CooperationAct ; bkg:status ?s . ?s skos:prefLabel ?label }
        GROUP BY ?act""",
    )
    assert acts
    assert all(r["n"] == 1 for r in acts)  # one status each, a concept of our scheme
    assert _count(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s a bkg:Statement }") > 0
    # Every named graph is a described layer, so the layer filters work.
    graphs = {r["g"] for r in select(store, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")}
    layers = {r["g"] for r in select(store, "SELECT ?g WHERE { ?g bkg:layer ?l }")}
    assert graphs == layers
    assert any(g.startswith(BASE + "graph/inferred/") for g in graphs)


def test_every_stated_fact_has_exact_evidence(store: OxigraphStore) -> None:
    facts = select(
        store,
        """SELECT ?f WHERE { ?f bkg:epistemicStatus epi:stated }""",
    )
    spans = select(
        store,
        """SELECT ?f ?exact ?start ?end ?text WHERE {
            ?f bkg:epistemicStatus epi:stated ; prov:wasDerivedFrom ?span .
            ?span oa:hasSource ?src ; oa:hasSelector ?q, ?p .
            ?q oa:exact ?exact . ?p oa:start ?start ; oa:end ?end .
            ?src schema:text ?text }""",
    )
    assert facts
    assert {r["f"] for r in facts} == {r["f"] for r in spans}
    for r in spans:
        assert r["text"][r["start"] : r["end"]] == r["exact"]


def test_our_lookups_answer_on_it(store: OxigraphStore, bench_client: TestClient) -> None:
    client = bench_client
    a, b = (
        r["p"]
        for r in select(
            store,
            """SELECT ?p WHERE { ?m a bkg:Meeting ; schema:attendee ?p } ORDER BY STR(?m) ?p
            LIMIT 2""",
        )
    )
    G = project(store)  # noqa: N806 (a networkx graph)
    assert shortest_paths(G, a, b, k=2)
    view = entity_view(store, a)
    assert view is not None
    assert any(f.evidence for f in view.facts)
    short_a, short_b = a[len(BASE) + 3 :], b[len(BASE) + 3 :]
    r = client.get("/api/paths", params={"from": short_a, "to": short_b, "k": 2})
    assert r.status_code == 200, r.text
    assert r.json()["paths"]
    r = client.get(f"/api/entities/{short_a}")
    assert r.status_code == 200, r.text
    name = r.json()["label"]
    hits = client.get("/api/search", params={"q": name}).json()["results"]
    assert hits[0]["iri"] == a
