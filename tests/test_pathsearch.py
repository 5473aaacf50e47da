"""Bounded k-shortest paths: the same lengths as networkx's Yen, within their bounds, saying so."""

from __future__ import annotations

import itertools
import random
from dataclasses import replace

import networkx as nx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.config import Settings
from graph.read.pathsearch import _CLOCK_EVERY, Bounds, k_shortest_paths
from graph.store import OxigraphStore


def _reference(G: nx.Graph, u: int, v: int, k: int, max_length: int) -> list[list[int]]:
    out: list[list[int]] = []
    try:
        for path in nx.shortest_simple_paths(G, u, v):
            if len(path) - 1 > max_length or len(out) >= k:
                break
            out.append(path)
    except nx.NetworkXNoPath:
        pass
    return out


def _valid(G: nx.Graph, path: list[int]) -> bool:
    return len(set(path)) == len(path) and all(
        G.has_edge(a, b) for a, b in itertools.pairwise(path)
    )


@pytest.mark.parametrize("seed", range(6))
def test_same_path_lengths_as_yen_in_networkx(seed: int) -> None:
    rng = random.Random(seed)
    G = nx.gnm_random_graph(120, 260, seed=seed)
    for _ in range(25):
        u, v = rng.sample(range(120), 2)
        k, max_length = rng.choice([1, 3, 5]), rng.choice([3, 5, 8])
        found = k_shortest_paths(G, u, v, Bounds(k=k, max_length=max_length, budget=None))
        expected = _reference(G, u, v, k, max_length)
        assert found.complete and found.stopped is None
        assert [len(p) for p in found.paths] == [len(p) for p in expected]
        assert all(_valid(G, p) and p[0] == u and p[-1] == v for p in found.paths)
        assert len({tuple(p) for p in found.paths}) == len(found.paths)


def test_avoided_nodes_are_not_passed_through() -> None:
    G = nx.Graph([(0, 1), (1, 2), (0, 3), (3, 4), (4, 2)])
    assert k_shortest_paths(G, 0, 2, Bounds(k=2)).paths == [[0, 1, 2], [0, 3, 4, 2]]
    assert k_shortest_paths(G, 0, 2, Bounds(k=2), avoid={1}).paths == [[0, 3, 4, 2]]
    assert k_shortest_paths(G, 0, 2, Bounds(k=2), avoid={0, 2}).paths[0] == [0, 1, 2]  # ends kept


def test_the_frontier_bound_stops_the_search_and_says_so() -> None:
    G = nx.grid_2d_graph(30, 30)
    unbounded = Bounds(k=4, max_length=60, budget=None, max_expanded=None)
    full = k_shortest_paths(G, (0, 0), (29, 29), unbounded)
    assert full.complete and len(full.paths) == 4
    half = replace(unbounded, max_expanded=full.expanded // 2)
    bounded = k_shortest_paths(G, (0, 0), (29, 29), half)
    assert not bounded.complete and bounded.stopped == "frontier bound"
    assert bounded.paths == full.paths[: len(bounded.paths)]  # the shortest ones, in order


def test_the_time_budget_stops_the_search_and_says_so() -> None:
    G = nx.grid_2d_graph(60, 60)
    found = k_shortest_paths(G, (0, 0), (59, 59), Bounds(k=20, max_length=200, budget=0.0))
    assert not found.complete and found.stopped == "time budget"
    # Stopped at the first reading of the clock, long before the grid is walked (no wall-clock
    # bound here: `make bench` measures speed).
    assert found.expanded <= 2 * _CLOCK_EVERY < 60 * 60


def test_api_paths_say_whether_the_search_was_complete(store: OxigraphStore) -> None:
    with TestClient(create_app(Settings(), store=store)) as c:
        r = c.get(
            "/api/paths", params={"from": "organization/nssf", "to": "organization/kosha", "k": 3}
        )
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["complete"] is True and body["stopped"] is None
        assert body["paths"] and body["paths"][0]["explanation"]
