"""Views prepared once per graph version: the same answers as the queries they replace, never stale."""

from __future__ import annotations

import importlib.util
import io
import logging
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.config import Settings
from graph.read.lookup import entity_view
from graph.read.query import select
from graph.read.views import (
    Prepared,
    entity_facts,
    find_meetings,
    meetings_view,
    size_of,
)
from graph.store import OxigraphStore, memory_store

ROOT = Path(__file__).resolve().parents[1]
BASE = "https://bilateral-kg.example/"


def _synthetic(size: int, seed: int) -> bytes:
    """Test data: the benchmark's synthetic graph (``bench/generate.py``) at ``size`` quads."""
    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "bench" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    buf = io.StringIO()
    module.generate(buf, size, seed=seed)
    return buf.getvalue().encode()


@pytest.fixture(scope="module")
def synthetic() -> OxigraphStore:
    return memory_store(_synthetic(8000, seed=11))


def _entities(store: Any) -> list[str]:
    rows = select(store, "SELECT DISTINCT ?e WHERE { ?e rdfs:label ?l FILTER (isIRI(?e)) }")
    return sorted(r["e"] for r in rows)


@pytest.mark.parametrize("graph", ["seed", pytest.param("synthetic", marks=pytest.mark.pipeline)])
def test_prepared_entity_facts_give_the_queried_view(
    graph: str, store: OxigraphStore, synthetic: OxigraphStore
) -> None:
    s = store if graph == "seed" else synthetic
    prepared = entity_facts(s)
    entities = _entities(s)
    assert len(entities) > 100
    with_facts = 0
    for iri in entities:
        queried = entity_view(s, iri)
        assert entity_view(s, iri, prepared) == queried, iri
        with_facts += bool(queried and queried.facts)
    assert with_facts > 50  # the comparison is about facts, not empty views
    heng_sour = entity_view(store, BASE + "id/person/heng-sour", entity_facts(store))
    assert heng_sour is not None
    assert any(e.exact for f in heng_sour.facts for e in f.evidence)


def test_entity_pages_with_prepared_facts_are_the_queried_pages(store: OxigraphStore) -> None:
    """Every entity's page (its view model, which is its JSON twin) is the same whether its
    facts come from the view prepared per graph version or from queries."""
    from graph.read.resource import Paging, resource_view

    prepared = entity_facts(store)
    pages = 0
    for iri in _entities(store)[::8]:  # an eighth of them (every kind), in the fast loop
        queried = resource_view(store, iri, BASE)
        assert resource_view(store, iri, BASE, Paging(prepared=prepared)) == queried, iri
        pages += bool(queried and queried.get("facts"))
    assert pages > 5


@pytest.mark.pipeline
def test_prepared_meetings_page_like_the_queries(synthetic: OxigraphStore) -> None:
    view = meetings_view(synthetic)
    assert len(view.order) > 10
    queried_app = create_app(Settings(), store=synthetic)
    with TestClient(queried_app) as c:
        people = sorted(view.by_attendee)[:12]
        urls = [f"/api/meetings?participant={p[len(BASE) + 3 :]}&limit=3" for p in people]
        urls += ["/api/meetings?limit=5", "/api/meetings?from=2023-03&to=2024-06&limit=4"]
        for prepared in (None, view):
            queried_app.state.meetings.peek = lambda p=prepared: p  # type: ignore[method-assign]
            pages = []
            for url in urls:
                while url:
                    page = c.get(url).json()
                    pages.append(page)
                    url = (page["next"] or "").replace("http://testserver", "")
            if prepared is None:
                expected = pages
        assert pages == expected
        assert sum(len(p["items"]) for p in pages) > 20
        assert any(item["attendees"] and item["evidence"] for p in pages for item in p["items"])


@pytest.mark.pipeline
def test_find_meetings_filters_and_pages(synthetic: OxigraphStore) -> None:
    view = meetings_view(synthetic)
    person = max(view.by_attendee, key=lambda a: len(view.by_attendee[a]))
    mine = find_meetings(view, participant=person, limit=1000)
    assert [m.iri for m, _ in mine] == view.by_attendee[person]
    assert all(person in {a for a, _ in m.attendees} for m, _ in mine)
    first = find_meetings(view, participant=person, limit=2)
    rest = find_meetings(view, participant=person, after=first[-1][0].iri, limit=1000)
    assert [m.iri for m, _ in first + rest] == [m.iri for m, _ in mine]
    year = min(d[:4] for m in view.records.values() for d in m.days)
    in_year = find_meetings(view, date_from=year, date_to=year, limit=1000)
    assert in_year and all(any(d.startswith(year) for d in m.days) for m, _ in in_year)
    assert len(in_year) == sum(
        1 for m in view.records.values() for _ in m.labels if any(d[:4] == year for d in m.days)
    )


def test_prepared_is_never_stale() -> None:
    store = memory_store(b'<http://e/a> <http://e/p> "x" <http://e/g> .\n')
    size = Prepared(store, len)
    assert size.get() == 1
    assert size.peek() == 1
    store.add(b'<http://e/b> <http://e/p> "y" <http://e/g> .\n')
    assert size.peek() is None  # the old value is never given for the new version
    deadline = time.monotonic() + 10
    while size.peek() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert size.peek() == 2  # built in the background


@pytest.fixture()
def writable(tmp_path: Path, compiled: Any) -> Iterator[TestClient]:
    from graph.store import write_generation

    write_generation(tmp_path / "store", compiled.nquads)
    settings = Settings(store=tmp_path / "store", write_token="t0ken", query_workers=1)
    with TestClient(create_app(settings)) as c:
        yield c


@pytest.mark.subprocess  # a store on disk: the app starts its query workers
def test_an_update_shows_at_once_in_the_entity_view(writable: TestClient) -> None:
    app: Any = writable.app
    deadline = time.monotonic() + 60
    while app.state.facts.peek() is None and time.monotonic() < deadline:
        time.sleep(0.05)  # prepared for the built version
    assert app.state.facts.peek() is not None
    before = writable.get("/api/entities/person/heng-sour").json()
    update = f"""PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
    PREFIX bkg: <https://bilateral-kg.example/ontology#>
    PREFIX epi: <https://bilateral-kg.example/ontology/epistemic/>
    INSERT DATA {{ GRAPH <{BASE}graph/test> {{
        <{BASE}id/test/fact> rdfs:label "A test fact (test data)" ;
            bkg:epistemicStatus epi:stated ; bkg:actor <{BASE}id/person/heng-sour> . }} }}"""
    r = writable.post(
        "/sparql",
        data={"update": update},
        headers={"Authorization": "Bearer t0ken"},
    )
    assert r.status_code == 204, r.text
    after = writable.get("/api/entities/person/heng-sour").json()  # at once, not stale
    labels = [s["label"] for group in after["statements"].values() for s in group]
    assert "A test fact (test data)" in labels
    assert after["statements"] != before["statements"]


def test_size_of_counts_shared_objects_once() -> None:
    shared = "x" * 1000
    assert size_of([shared, shared]) < size_of([shared, "y" * 1000])


@pytest.mark.pipeline  # a rebuild on disk, every view prepared
def test_a_rebuild_prepares_its_summary_and_later_writes_recount(
    tmp_path: Path, compiled: Any
) -> None:
    from graph.read.lookup import summary
    from graph.read.projection import project
    from graph.read.views import MAIN_PAIR, main_pair_of, prepare_views, summary_of
    from graph.store import DiskStore

    store = DiskStore(tmp_path / "store", prepare=prepare_views)
    store.replace(compiled.nquads)  # a rebuild, as `bilateral build`
    store.reader()
    assert store.generation is not None
    prepared = store.generation / "views" / "summary.json"
    assert prepared.is_file()
    prepared_summary = dict(summary_of(store))
    # The landing page's first relationship is prepared with it (no wait for the projection).
    assert prepared_summary.pop(MAIN_PAIR) == main_pair_of(store, project(store))
    assert prepared_summary == summary(store)  # the prepared one, equal to a recount
    assert summary_of(store)["counts"]["people"] >= 4
    # A write without a rebuild (an update) prepares nothing: the summary is counted anew.
    store.add(b'<http://e/a> <http://e/p> "x (test data)" <http://e/g> .\n')
    store.reader()
    assert store.generation is not None
    assert not (store.generation / "views" / "summary.json").exists()
    assert (
        summary_of(store)["quads"]
        == summary(store)["quads"]
        == len(compiled.nquads.splitlines()) + 1
    )
    # A rebuild with other data: its own summary, never the previous one.
    store.replace(compiled.nquads + b'<http://e/b> <http://e/p> "y" <http://e/g> .\n')
    assert {k: v for k, v in summary_of(store).items() if k != MAIN_PAIR} == summary(store)


@pytest.mark.pipeline  # a rebuild on disk, every view prepared
def test_the_landing_page_reads_its_relationship_from_the_prepared_summary(
    tmp_path: Path, compiled: Any
) -> None:
    """After a rebuild the landing page (HTML and JSON) is what it is on the same graph in
    memory, with its relationship read from the summary prepared with the generation."""
    from graph.read.views import prepare_views
    from graph.store import DiskStore

    disk = DiskStore(tmp_path / "store", prepare=prepare_views)
    disk.replace(compiled.nquads)
    answers = []
    for store in (disk, memory_store(compiled.nquads)):
        with TestClient(create_app(Settings(store=tmp_path / "unused"), store=store)) as c:
            answers.append((c.get("/index.json").json(), c.get("/").text))
    assert answers[0] == answers[1]
    assert answers[0][0]["pair"]["page"] == "/pair/KH-KR"
    assert "main_pair" not in answers[0][0]


def _projection_equal(a: Any, b: Any) -> bool:
    """Two projections with the same nodes, links and plain graphs of allowed edges."""
    return (
        list(a.nodes(data=True)) == list(b.nodes(data=True))
        and list(a.edges(data=True)) == list(b.edges(data=True))
        and {k: sorted(h.edges) for k, h in a.graph["structures"].items()}
        == {k: sorted(h.edges) for k, h in b.graph["structures"].items()}
    )


@pytest.mark.pipeline  # a rebuild on disk, every view prepared
@pytest.mark.parametrize("graph", ["seed", "synthetic"])
def test_a_rebuild_prepares_every_view_and_serving_reads_it_for_that_version_only(
    graph: str, tmp_path: Path, compiled: Any, caplog: pytest.LogCaptureFixture
) -> None:
    from graph.read.labels import short_labels
    from graph.read.projection import project
    from graph.read.search import _build as search_entries
    from graph.read.views import (
        PreparedFacts,
        PreparedMeetings,
        PreparedProjection,
        PreparedSearch,
        prepare_views,
        read_from_files,
    )
    from graph.store import DiskStore

    data = compiled.nquads if graph == "seed" else _synthetic(8000, seed=11)
    writer = DiskStore(tmp_path / "store", prepare=prepare_views)
    writer.replace(data)  # a rebuild, as `bilateral build`
    served = DiskStore(tmp_path / "store")  # a serving process: it prepares nothing
    served.reader()
    assert served.generation is not None
    files = sorted(p.name for p in (served.generation / "views").iterdir())
    assert files == [
        "facts.pickle",
        "meetings.pickle",
        "projection.pickle",
        "search.pickle",
        "summary.json",
    ]
    projection, search = PreparedProjection(served), PreparedSearch(served)
    facts, meetings = PreparedFacts(served), PreparedMeetings(served)
    # Read from the files (built once, in the writer), equal to what the queries compute.
    caplog.set_level(logging.INFO, logger="graph.store.prepared")
    assert facts.get() == entity_facts(served)
    assert meetings.get() == meetings_view(served)
    assert search.entries.get() == search_entries(served)
    assert _projection_equal(projection.graph(), project(served))
    assert projection.graph().graph["evidence"].store is served
    # The nodes' short labels come with it, as computed from the store.
    assert projection.graph().graph["short_labels"] == short_labels(project(served))
    read = {r.args[0] for r in caplog.records if r.msg.startswith("read the prepared")}
    assert read == {"facts", "meetings", "search", "projection"}
    views = (projection, search.entries, facts, meetings)
    assert read_from_files(*views) == dict.fromkeys(read, served.generation.name)
    caplog.clear()
    one = _entities(served)[len(_entities(served)) // 2]
    assert entity_view(served, one, facts.get()) == entity_view(served, one)
    # A write that is not a rebuild copies the data, not the views: they are computed for it,
    # never read from the previous generation.
    served_before = served.generation
    test_graph = f"<{BASE}graph/test>"  # test data
    writer.add(
        f'<{BASE}id/test/x> <http://www.w3.org/2000/01/rdf-schema#label> "Zzyx Test" {test_graph} .\n'
        f"<{BASE}id/test/x> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
        f"<https://schema.org/Person> {test_graph} .\n".encode()
    )
    assert facts.get() == entity_facts(served)
    assert meetings.get() == meetings_view(served)
    assert served.generation != served_before
    assert not (served.generation / "views").exists()
    assert [h.label for h in search.search("zzyx test", limit=1)] == ["Zzyx Test"]
    assert search.entries.get() == search_entries(served)
    assert _projection_equal(projection.graph(), project(served))
    assert not [r for r in caplog.records if r.msg.startswith("read the prepared")]
    assert read_from_files(*views) == {}


def test_a_prepared_file_cannot_run_code(tmp_path: Path) -> None:
    import os
    import pickle

    from graph.store.prepared import read_prepared

    (tmp_path / "views").mkdir()
    (tmp_path / "views" / "x.pickle").write_bytes(pickle.dumps(os.getcwd))
    with pytest.raises(pickle.UnpicklingError, match="not a class"):
        read_prepared(tmp_path, "x")
    (tmp_path / "views" / "x.pickle").write_bytes(pickle.dumps({"a": [(1, "b")]}))
    assert read_prepared(tmp_path, "x") == {"a": [(1, "b")]}


@pytest.mark.subprocess  # a store on disk: the app starts its query workers
def test_a_serving_app_reads_the_views_a_rebuild_prepared(
    tmp_path: Path, compiled: Any, caplog: pytest.LogCaptureFixture
) -> None:
    from graph.read.views import prepare_views
    from graph.store import DiskStore

    DiskStore(tmp_path / "store", prepare=prepare_views).replace(compiled.nquads)
    caplog.set_level(logging.INFO, logger="api.app")
    settings = Settings(store=tmp_path / "store", query_workers=1)
    with TestClient(create_app(settings)) as client:
        app: Any = client.app

        def ready() -> list[str]:
            return [r.getMessage() for r in caplog.records if "meetings ready" in r.getMessage()]

        deadline = time.monotonic() + 60
        while not ready() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert app.state.facts.peek() == entity_facts(app.state.store)
        answer = client.get("/api/entities/person/heng-sour")
        assert answer.status_code == 200
        assert answer.json()["statements"]
    assert "4 read from the files prepared with gen-" in ready()[0]
    assert "facts, meetings, projection, search" in ready()[0]
