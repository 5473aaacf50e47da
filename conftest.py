"""The seed graph, compiled once per session: ``compiled`` and ``store`` for the tests, and
``seed_store()`` for the doctests of graph/ and ontology/ (a doctest that ran the build itself
took 2 s). tests/conftest.py has the rest of the tests' fixtures."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest

from graph.build.iris import Iris
from graph.build.pipeline import Compiled, compile_seeds
from graph.store import OxigraphStore, memory_store

SEEDS = Path(__file__).resolve().parent / "seeds"


@lru_cache(maxsize=1)
def seed_graph() -> Compiled:
    """The seeds, compiled once (with the default base IRI)."""
    return compile_seeds(SEEDS, Iris())


def seed_store() -> OxigraphStore:
    """A new in-memory store holding the seed graph (a doctest may change its own copy)."""
    return memory_store(seed_graph().nquads)


@pytest.fixture(autouse=True, scope="session")
def _seed_store_for_doctests(doctest_namespace: dict[str, object]) -> None:
    doctest_namespace["seed_store"] = seed_store


@pytest.fixture(scope="session")
def compiled() -> Compiled:
    """The seed graph, compiled (quads, register, sheets)."""
    return seed_graph()


@pytest.fixture(scope="session")
def store(compiled: Compiled) -> OxigraphStore:
    """The seed graph in one in-memory store shared by the session (tests only read it)."""
    return memory_store(compiled.nquads)
