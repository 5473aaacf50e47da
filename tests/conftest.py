"""Shared fixtures: the seed graph is compiled and loaded once per session, and one read-only app
on it answers every test that asks for ``client``."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pyoxigraph import Literal, NamedNode

from api.app import create_app
from api.config import Settings
from graph.build.iris import Iris
from graph.build.pipeline import Compiled, write_compiled
from graph.read.query import select
from graph.store import DiskStore, OxigraphStore

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
BASE = "https://bilateral-kg.example/"
ID = BASE + "id/"
SOURCE = ID + "source/ppp-cambodia-korea-labour"
ARTICLE = (SEEDS / "articles" / "ppp-cambodia-korea-labour.txt").read_text(encoding="utf-8")


#: The markers of tests that start something or take seconds (pyproject.toml says which).
SLOW_KINDS = ("server", "subprocess", "browser", "engine", "fuzz", "pipeline")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark ``slow`` every test that has one of :data:`SLOW_KINDS`: ``-m "not slow"`` is then
    the fast loop (``make test-fast``)."""
    for item in items:
        if any(item.get_closest_marker(kind) for kind in SLOW_KINDS):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def app(store: OxigraphStore) -> FastAPI:
    """The app with the default settings (read-only: no write token) on the seed graph."""
    return create_app(Settings(), store=store)


@pytest.fixture(scope="session")
def client(app: FastAPI) -> Iterator[TestClient]:
    """A client of :func:`app`, started once (its lifespan runs for the whole session)."""
    with TestClient(app) as c:
        yield c


@pytest.fixture(scope="session")
def built(compiled: Compiled, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An on-disk store holding the seed graph, written by the pipeline as ``bilateral build``
    writes it (from the session's compiled seeds: compiling them again took a second)."""
    root = tmp_path_factory.mktemp("store") / "store"
    write_compiled(compiled, DiskStore(root), Iris(BASE))
    return root


@pytest.fixture(scope="session")
def q(store: OxigraphStore) -> Any:
    """Run a SELECT (our prefixes prepended) over the seed graph; rows as dicts."""

    def run(query: str, **bindings: NamedNode | Literal) -> list[dict[str, Any]]:
        return select(store, query, **bindings)

    return run


@contextlib.contextmanager
def listening() -> Iterator[tuple[int, list[object]]]:
    """A TCP listener on 127.0.0.1 that records every connection it receives: proof that
    nothing was fetched."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.2)
    hits: list[object] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, addr = server.accept()
            except OSError:
                continue
            hits.append(addr)
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1], hits
    finally:
        stop.set()
        with contextlib.suppress(OSError):
            server.shutdown(socket.SHUT_RDWR)  # wakes the accept() under way at once
        thread.join(2)
        server.close()


@pytest.fixture()
def listener() -> Iterator[tuple[int, list[object]]]:
    """A listener for one test (see ``listening``)."""
    with listening() as port_and_hits:
        yield port_and_hits
