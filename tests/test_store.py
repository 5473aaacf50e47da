"""The on-disk store: generations swap only after a good build; a failed one changes nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import BASE, SEEDS

from graph.iris import Iris
from graph.lookup import select
from graph.pipeline import InvalidGraphError, build_store
from graph.sheets import SeedError
from graph.store import StoreError, current_generation, open_store, write_generation


def count_people(root: Path) -> int:
    rows = select(open_store(root), "SELECT (COUNT(?p) AS ?n) WHERE { ?p a schema:Person }")
    return int(rows[0]["n"])


@pytest.fixture()
def seeds(tmp_path: Path) -> Path:
    copy = tmp_path / "seeds"
    shutil.copytree(SEEDS, copy)
    return copy


@pytest.fixture()
def root(tmp_path: Path, seeds: Path) -> Path:
    root = tmp_path / "store"
    build_store(seeds, root, Iris(BASE))
    return root


def test_build_writes_a_generation_and_points_current_at_it(root: Path) -> None:
    gen = current_generation(root)
    assert gen is not None and gen.name.startswith("gen-")
    store = open_store(root)
    assert len(store) > 2000
    assert count_people(root) == 4


def test_open_before_any_build_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(
        StoreError, match=r"no graph has been built in .* yet; run 'bilateral build'"
    ):
        open_store(tmp_path / "nothing")


def test_a_bad_sheet_leaves_the_old_graph_serving(root: Path, seeds: Path) -> None:
    before = current_generation(root)
    reader = open_store(root)  # a server holding the old generation open
    sheet = seeds / "facts" / "ppp-cambodia-korea-labour.yaml"
    sheet.write_text(
        sheet.read_text().replace(
            "attendees: [heng-sour, lee-jung-sik]", "attendees: [heng-sour, lee-jung-sk]"
        )
    )
    with pytest.raises(SeedError, match="unknown entity 'lee-jung-sk'; did you mean"):
        build_store(seeds, root, Iris(BASE))
    assert current_generation(root) == before
    assert len(reader) > 2000
    assert count_people(root) == 4


def test_a_shacl_violation_leaves_the_old_graph_serving(root: Path, seeds: Path) -> None:
    before = current_generation(root)
    sheet = seeds / "facts" / "ppp-cambodia-korea-labour.yaml"
    sheet.write_text(sheet.read_text().replace("value: 2719", "value: 12719"))
    with pytest.raises(InvalidGraphError, match="a count by sex exceeds the total"):
        build_store(seeds, root, Iris(BASE))
    assert current_generation(root) == before
    assert sorted(p.name for p in root.glob("gen-*")) == [before.name]  # type: ignore[union-attr]


def test_a_crash_while_writing_leaves_the_old_graph(root: Path, monkeypatch) -> None:
    before = current_generation(root)

    def explode(self: ox.Store, *args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(ox.Store, "load", explode)
    with pytest.raises(StoreError, match="No space left on device"):
        write_generation(root, b'<http://e/s> <http://e/p> "o" <http://e/g> .\n')
    assert current_generation(root) == before
    assert [p.name for p in root.glob("gen-*")] == [before.name]  # type: ignore[union-attr]


def test_rebuilds_keep_the_current_and_the_previous_generation(root: Path, seeds: Path) -> None:
    first = current_generation(root)
    build_store(seeds, root, Iris(BASE))
    second = current_generation(root)
    build_store(seeds, root, Iris(BASE))
    third = current_generation(root)
    assert len({first, second, third}) == 3
    assert sorted(p.name for p in root.glob("gen-*")) == sorted(
        [second.name, third.name]  # type: ignore[union-attr]
    )


def test_load_adds_a_named_graph_in_a_new_generation(root: Path) -> None:
    before = current_generation(root)
    data = b'<http://example.org/x> <http://www.w3.org/2000/01/rdf-schema#label> "X" .\n'
    write_generation(root, data.replace(b" .", b" <http://example.org/g> ."), keep_current=True)
    assert current_generation(root) != before
    store = open_store(root)
    assert "http://example.org/g" in store.named_graphs()
    assert count_people(root) == 4  # the old data came along


def test_one_writer_at_a_time(root: Path) -> None:
    import fcntl

    with open(root / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        with pytest.raises(StoreError, match="another build or load is writing"):
            write_generation(root, b"")
