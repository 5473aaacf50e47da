"""The on-disk store: generations swap only after a good build; readers follow; nothing leaks."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import BASE, SEEDS

from graph.build.iris import Iris
from graph.build.pipeline import InvalidGraphError, build_store
from graph.build.sheets import SeedError
from graph.read.query import select
from graph.store import (
    DiskStore,
    StoreError,
    current_generation,
    memory_store,
    open_store,
    write_generation,
)
from graph.store.safety import UnsafeQueryError

pytestmark = pytest.mark.pipeline

PEOPLE = "SELECT (COUNT(?p) AS ?n) WHERE { ?p a schema:Person }"


def people(store: DiskStore) -> int:
    return int(select(store, PEOPLE)[0]["n"])


@pytest.fixture()
def seeds(tmp_path: Path) -> Path:
    copy = tmp_path / "seeds"
    shutil.copytree(SEEDS, copy)
    return copy


@pytest.fixture()
def root(tmp_path: Path, seeds: Path) -> Path:
    root = tmp_path / "store"
    build_store(seeds, DiskStore(root), Iris(BASE))
    return root


def edit(seeds: Path, old: str, new: str) -> None:
    sheet = seeds / "facts" / "ppp-cambodia-korea-labour.yaml"
    text = sheet.read_text(encoding="utf-8")
    assert old in text
    sheet.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_build_writes_a_generation_and_points_current_at_it(root: Path) -> None:
    gen = current_generation(root)
    assert gen is not None and gen.name.startswith("gen-")
    store = open_store(root)
    assert len(store) > 2000 and people(store) == 4
    assert store.generation == gen


def test_open_before_any_build_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(
        StoreError, match=r"no graph has been built in .* yet; run 'bilateral build'"
    ):
        open_store(tmp_path / "nothing")


def test_a_reader_follows_a_rebuild(root: Path, seeds: Path) -> None:
    reader = open_store(root)  # a running server
    before = reader.generation
    assert select(reader, "SELECT ?n WHERE { ?p skos:altLabel ?n } ", n=ox.Literal("H. Sour")) == []
    register = seeds / "entities" / "register.yaml"
    register.write_text(
        register.read_text().replace("[Sour, Heng Suor]", "[Sour, Heng Suor, H. Sour]")
    )
    build_store(seeds, DiskStore(root), Iris(BASE))
    rows = select(
        reader, "SELECT ?p ?n WHERE { ?p skos:altLabel ?n }", n=ox.Literal("H. Sour", language="en")
    )
    assert [r["p"] for r in rows] == [BASE + "id/person/heng-sour"]
    assert reader.generation != before


def test_a_bad_sheet_leaves_the_old_graph_serving(root: Path, seeds: Path) -> None:
    reader = open_store(root)
    before = current_generation(root)
    edit(seeds, "attendees: [heng-sour, lee-jung-sik]", "attendees: [heng-sour, lee-jung-sk]")
    with pytest.raises(SeedError, match="unknown entity 'lee-jung-sk'; did you mean"):
        build_store(seeds, DiskStore(root), Iris(BASE))
    assert current_generation(root) == before
    assert people(reader) == 4 and reader.generation == before


def test_a_shacl_violation_leaves_the_old_graph_serving(root: Path, seeds: Path) -> None:
    reader = open_store(root)
    before = current_generation(root)
    edit(seeds, "value: 2719", "value: 12719")
    with pytest.raises(InvalidGraphError, match="a count by sex exceeds the total"):
        build_store(seeds, DiskStore(root), Iris(BASE))
    assert current_generation(root) == before
    assert sorted(p.name for p in root.glob("gen-*")) == [before.name]  # type: ignore[union-attr]
    rows = select(
        reader,
        "SELECT ?v WHERE { ?o sdmxd:sex sdmxc:sex-F ; sdmxm:obsValue ?v ; bkg:unit 'persons' }",
    )
    assert rows == [{"v": 2719}]


def test_a_crash_while_writing_leaves_the_old_graph(root: Path, monkeypatch) -> None:
    before = current_generation(root)

    def explode(self: ox.Store, *args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(ox.Store, "bulk_load", explode)
    with pytest.raises(StoreError, match="No space left on device"):
        write_generation(root, b'<http://e/s> <http://e/p> "o" <http://e/g> .\n')
    assert current_generation(root) == before
    assert [p.name for p in root.glob("gen-*")] == [before.name]  # type: ignore[union-attr]


def test_rebuilds_keep_the_current_and_the_previous_generation(root: Path, seeds: Path) -> None:
    first = current_generation(root)
    build_store(seeds, DiskStore(root), Iris(BASE))
    second = current_generation(root)
    build_store(seeds, DiskStore(root), Iris(BASE))
    third = current_generation(root)
    assert len({first, second, third}) == 3
    assert sorted(p.name for p in root.glob("gen-*")) == sorted(
        [second.name, third.name]  # type: ignore[union-attr]
    )


def test_loaded_graphs_survive_a_rebuild(root: Path, seeds: Path) -> None:
    store = DiskStore(root)
    store.add(
        b'<http://example.org/x> <http://www.w3.org/2000/01/rdf-schema#label> "X" '
        b"<http://example.org/g> .\n"
    )
    assert "http://example.org/g" in store.named_graphs()
    build_store(seeds, store, Iris(BASE))
    assert "http://example.org/g" in store.named_graphs()
    assert people(store) == 4


def test_an_update_makes_a_new_generation(root: Path) -> None:
    store = open_store(root)
    before = store.generation
    store.update(
        "INSERT DATA { GRAPH <http://example.org/u> { <http://example.org/a> "
        '<http://www.w3.org/2000/01/rdf-schema#label> "A" } }'
    )
    assert "http://example.org/u" in store.named_graphs() and store.generation != before
    with pytest.raises(SyntaxError):
        store.update("INSERT DATA { oops }")
    assert "http://example.org/u" in store.named_graphs()


def test_one_writer_at_a_time(root: Path) -> None:
    import fcntl

    with open(root / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        with pytest.raises(StoreError, match="another build or load is writing"):
            write_generation(root, b"")


def test_service_is_refused_and_nothing_connects(listener) -> None:
    port, hits = listener
    store = memory_store(b'<http://e/a> <http://e/p> "x" <http://e/g> .\n')
    for query in (
        f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}",
        f"select * {{ ?x ?y ?z . service<http://127.0.0.1:{port}/>{{?s ?p ?o}} }}",
        "SELECT * WHERE { BIND(<http://e/x> AS ?e) SERVICE ?e { ?s ?p ?o } }",
    ):
        with pytest.raises(UnsafeQueryError, match="is not allowed"):
            store.query(query)
    for update in (f"LOAD <http://127.0.0.1:{port}/data.ttl>", "LOAD <file:///etc/passwd>"):
        with pytest.raises(UnsafeQueryError, match="LOAD is not allowed"):
            store.update(update)
    assert hits == []


def test_from_a_file_iri_reads_nothing(listener) -> None:
    port, hits = listener
    store = memory_store(b'<http://e/a> <http://e/p> "x" <http://e/g> .\n')
    rows = list(store.query("SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }"))
    rows += list(store.query(f"SELECT * FROM <http://127.0.0.1:{port}/> WHERE {{ ?s ?p ?o }}"))
    assert rows == [] and hits == []


def test_an_allowed_service_passes_the_check() -> None:
    store = memory_store(allowed_services=["http://allowed.example/sparql"])
    from graph.store.safety import check_query

    check_query(
        "SELECT * { SERVICE <http://allowed.example/sparql> { ?s ?p ?o } }", store.allowed_services
    )
