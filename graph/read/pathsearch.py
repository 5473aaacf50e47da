"""Bounded k-shortest simple paths: Yen's algorithm over hop-limited bidirectional searches.

Every search explores at most ``max_length`` hops, all of them together at most
``max_expanded`` nodes, within a time budget; when a bound is reached the search stops and
returns the paths found so far (the shortest ones, in order), saying which bound stopped it.

Examples:
    >>> import networkx as nx
    >>> G = nx.cycle_graph(6)
    >>> found = k_shortest_paths(G, 0, 3, Bounds(k=3))
    >>> found.paths, found.complete
    ([[0, 1, 2, 3], [0, 5, 4, 3]], True)
    >>> k_shortest_paths(G, 0, 3, Bounds(k=3, max_length=2)).paths
    []
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Collection, Hashable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

__all__ = [
    "DEFAULT_BOUNDS",
    "DEFAULT_BUDGET",
    "DEFAULT_MAX_EXPANDED",
    "Bounds",
    "PathSearch",
    "k_shortest_paths",
]

N = TypeVar("N", bound=Hashable)

#: Seconds a path search may take before it returns what it found.
DEFAULT_BUDGET = 0.08
#: Nodes all the searches of one request may expand together.
DEFAULT_MAX_EXPANDED = 200_000
#: How often (in expanded nodes) the clock is read.
_CLOCK_EVERY = 512


@dataclass(frozen=True)
class Bounds:
    """How far a path search goes: at most ``k`` paths of at most ``max_length`` edges each,
    within ``budget`` seconds and ``max_expanded`` nodes expanded by all its searches together
    (``None``: no limit). One set of bounds, passed whole from the API to the algorithm."""

    k: int = 3
    max_length: int = 8
    budget: float | None = DEFAULT_BUDGET
    max_expanded: int | None = DEFAULT_MAX_EXPANDED


#: The bounds of a search that is given none: those an /api/paths request has.
DEFAULT_BOUNDS = Bounds()


@dataclass
class PathSearch(Generic[N]):
    """The paths found, shortest first, and whether the search ran to its end.

    ``stopped`` says which bound ended an incomplete search: ``"time budget"`` or
    ``"frontier bound"``; then ``paths`` holds the shortest paths found until then (there may
    be more, no shorter ones).
    """

    paths: list[list[N]] = field(default_factory=list)
    complete: bool = True
    stopped: str | None = None
    expanded: int = 0
    seconds: float = 0.0


class _BoundReachedError(Exception):
    def __init__(self, reason: str) -> None:
        self.reason = reason


class _Budget:
    def __init__(self, seconds: float | None, max_expanded: int | None) -> None:
        self.deadline = None if seconds is None else time.monotonic() + seconds
        self.left = max_expanded
        self.expanded = 0
        self._tick = 0

    def spend(self, n: int) -> None:
        self.expanded += n
        if self.left is not None:
            self.left -= n
            if self.left < 0:
                raise _BoundReachedError("frontier bound")
        self._tick += n
        if self.deadline is not None and self._tick >= _CLOCK_EVERY:
            self._tick = 0
            if time.monotonic() > self.deadline:
                raise _BoundReachedError("time budget")


def _shortest(
    adj: Any,
    s: N,
    t: N,
    blocked: Collection[N],
    cut: Collection[tuple[N, N]],
    hops: int,
    budget: _Budget,
) -> list[N] | None:
    """A shortest path from ``s`` to ``t`` of at most ``hops`` edges avoiding the ``blocked``
    nodes and the ``cut`` edges (both directions listed), by bidirectional breadth-first
    search; ``None`` if there is none."""
    if s == t:
        return [s]
    if hops < 1:
        return None
    pred: dict[N, N | None] = {s: None}
    succ: dict[N, N | None] = {t: None}
    forward, backward = [s], [t]
    depth = 0
    while forward and backward and depth < hops:
        depth += 1
        go_forward = len(forward) <= len(backward)
        frontier, mine, theirs = (forward, pred, succ) if go_forward else (backward, succ, pred)
        nxt: list[N] = []
        for x in frontier:
            around = adj[x]
            budget.spend(len(around) or 1)
            for y in around:
                if y in mine or y in blocked or (x, y) in cut:
                    continue
                mine[y] = x
                if y in theirs:
                    return _join(y, pred, succ)
                nxt.append(y)
        if go_forward:
            forward = nxt
        else:
            backward = nxt
    return None


def _join(meet: N, pred: dict[N, N | None], succ: dict[N, N | None]) -> list[N]:
    path: list[N] = []
    node: N | None = meet
    while node is not None:
        path.append(node)
        node = pred[node]
    path.reverse()
    node = succ[meet]
    while node is not None:
        path.append(node)
        node = succ[node]
    return path


def k_shortest_paths(
    G: Any, u: N, v: N, bounds: Bounds = DEFAULT_BOUNDS, avoid: Collection[N] = ()
) -> PathSearch[N]:
    """The ``bounds.k`` shortest simple paths from ``u`` to ``v`` of at most
    ``bounds.max_length`` edges.

    Args:
        G: an undirected networkx graph (or anything with ``adj``).
        u, v: the ends (both in ``G``).
        bounds: how many paths, how long, and the time and nodes the search may spend.
        avoid: nodes no path may pass through (the ends excepted).

    Returns:
        A :class:`PathSearch`: the paths, shortest first (equally short ones in the order the
        search meets them, which the graph's fixed order decides), and whether a bound stopped
        the search before it had all ``k`` (or every path there is).

    Notes:
        Yen's algorithm: for each path found, one search per node of it (the spur node) for a
        detour that leaves it there, with the edges the earlier paths took from that root cut.
        Each search is a bidirectional breadth-first search limited to the hops the detour
        may still take, so no search runs past ``max_length``: O(k · L · (n + m)) at worst for
        paths of L edges, and far less where the bound cuts the search short.
    """
    started = time.monotonic()
    k, max_length = bounds.k, bounds.max_length
    spent = _Budget(bounds.budget, bounds.max_expanded)
    adj = G.adj
    blocked = set(avoid) - {u, v}
    result: PathSearch[N] = PathSearch()
    try:
        first = _shortest(adj, u, v, blocked, (), max_length, spent)
        if first is not None:
            result.paths.append(first)
        seen = {tuple(p) for p in result.paths}
        candidates: list[tuple[int, int, list[N]]] = []
        order = 0
        while result.paths and len(result.paths) < k:
            last = result.paths[-1]
            for j in range(len(last) - 1):
                root = last[: j + 1]
                cut: set[tuple[N, N]] = set()
                for p in result.paths:
                    if len(p) > j + 1 and p[: j + 1] == root:
                        cut.add((p[j], p[j + 1]))
                        cut.add((p[j + 1], p[j]))
                spur = _shortest(
                    adj, last[j], v, blocked | set(root[:-1]), cut, max_length - j, spent
                )
                if spur is not None:
                    path = root[:-1] + spur
                    key = tuple(path)
                    if key not in seen:
                        seen.add(key)
                        order += 1
                        heapq.heappush(candidates, (len(path), order, path))
            if not candidates:
                break
            result.paths.append(heapq.heappop(candidates)[2])
    except _BoundReachedError as stop:
        result.complete, result.stopped = False, stop.reason
    result.expanded = spent.expanded
    result.seconds = time.monotonic() - started
    return result
