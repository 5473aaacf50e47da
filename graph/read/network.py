"""Algorithms on the projection (:mod:`graph.read.projection`): paths with evidence and their
explanation, neighbours, the explorer's neighbourhood, brokers and connected groups.

Every function takes the projection ``G`` and the relation groups and layers a user chose.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator
from typing import Any, TypedDict, Unpack

import networkx as nx

from graph.read.evidence import EvidenceCache
from graph.read.labels import in_chain, short_labels
from graph.read.pathsearch import DEFAULT_BOUNDS, Bounds, PathSearch, k_shortest_paths
from graph.read.projection import Link, Net, _allowed, _structure
from ontology.vocabulary import DEFAULT_GROUPS, GROUPS, HUB_KINDS, KINDS, LAYERS

__all__ = [
    "EGO_ORDER",
    "brokers",
    "connected_groups",
    "ego",
    "explain",
    "neighbours",
    "path_search",
    "shortest_paths",
]


def _view(
    G: Net, ok: Callable[[Link], bool], avoid: Collection[str] = (), keep: Collection[str] = ()
) -> Net:
    def node_ok(n: str) -> bool:
        return n in keep or G.nodes[n].get("kind") not in avoid

    def edge_ok(u: str, v: str) -> bool:
        return any(ok(link) for link in G.edges[u, v]["links"])

    return nx.subgraph_view(G, filter_node=node_ok, filter_edge=edge_ok)


class PathChoice(TypedDict, total=False):
    """What a path may go over, as :func:`shortest_paths` and :func:`path_search` both take it:
    the relation groups and layers, and whether it avoids countries."""

    groups: Collection[str] | None
    layers: Collection[str] | None
    avoid_hubs: bool


def shortest_paths(
    G: Net,
    u: str,
    v: str,
    k: int = 3,
    max_length: int = 8,
    budget: float | None = None,
    **choice: Unpack[PathChoice],
) -> list[list[str]]:
    """The ``k`` shortest simple paths from ``u`` to ``v`` over the chosen relations.

    Args:
        G: a projection.
        u, v: node IRIs.
        k: at most this many paths.
        max_length: at most this many hops.
        budget: seconds the search may take (default: no limit); past it, the paths found
            so far (:func:`path_search` says whether the search was complete).
        groups: relation groups to use (default: all but ``derived``).
        layers: epistemic layers to use (default: all); ``["stated"]`` for stated facts only.
        avoid_hubs: do not pass through countries (the ends may still be countries).

    Returns:
        Paths as lists of node IRIs, shortest first; empty when none is within reach.

    Raises:
        nx.NodeNotFound: ``u`` or ``v`` is not in the projection.
        ValueError: an unknown group or layer.

    Examples:
        >>> G = nx.Graph()
        >>> G.add_nodes_from(["a", "act", "b"], kind="x")
        >>> G.add_edge("a", "act", links=[Link("act", "a", "partner", "stated")])
        >>> G.add_edge("act", "b", links=[Link("act", "b", "partner", "stated")])
        >>> shortest_paths(G, "a", "b")
        [['a', 'act', 'b']]
        >>> shortest_paths(G, "a", "b", layers=["inferred"])
        []

    Notes:
        Yen's algorithm over hop-limited bidirectional searches
        (:func:`graph.read.pathsearch.k_shortest_paths`) on the allowed edges (a plain graph
        built once per choice of groups and layers).
    """
    bounds = Bounds(k=k, max_length=max_length, budget=budget, max_expanded=None)
    return path_search(G, u, v, bounds, **choice).paths


def path_search(
    G: Net, u: str, v: str, bounds: Bounds = DEFAULT_BOUNDS, **choice: Unpack[PathChoice]
) -> PathSearch[str]:
    """Like :func:`shortest_paths`, within the ``bounds`` (by default those of an /api/paths
    request: a time budget and a bound on the nodes the search expands): past either, the
    shortest paths found so far, and which bound stopped it.

    Examples:
        >>> G = nx.Graph()
        >>> G.add_nodes_from(["a", "act", "b"], kind="x")
        >>> G.add_edge("a", "act", links=[Link("act", "a", "partner", "stated")])
        >>> G.add_edge("act", "b", links=[Link("act", "b", "partner", "stated")])
        >>> found = path_search(G, "a", "b", Bounds(k=2))
        >>> found.paths, found.complete
        ([['a', 'act', 'b']], True)
    """
    groups, layers = choice.get("groups"), choice.get("layers")
    for node in (u, v):
        if node not in G:
            raise nx.NodeNotFound(f"{node} is not in the graph")
    ok = _allowed(groups, layers)
    H = _structure(G, ok, (frozenset(groups or DEFAULT_GROUPS), frozenset(layers or LAYERS)))
    avoid: Collection[str] = ()
    if choice.get("avoid_hubs"):
        hubs: frozenset[str] | None = G.graph.get("hubs")
        if hubs is None:
            hubs = frozenset(n for n in G if G.nodes[n].get("kind") in HUB_KINDS)
            G.graph["hubs"] = hubs
        avoid = hubs
    return k_shortest_paths(H, u, v, bounds, avoid)


def explain(
    G: Net,
    path: list[str],
    groups: Collection[str] | None = None,
    layers: Collection[str] | None = None,
) -> dict[str, Any]:
    """A path as a readable chain, each hop with its relation, layer and evidence.

    Returns:
        ``{"nodes": [...], "edges": [...], "explanation": str}``: nodes with their labels,
        kinds and short labels (:func:`graph.read.labels.short_labels`: no two nodes alike);
        for each hop the links that join its two nodes (relation in words, direction, group,
        layer, status, date, evidence quotes with offsets and source); the chain in words, each
        node by its short label, an act with its date in words, place and status
        (:func:`graph.read.labels.in_chain`), so two different paths never read the same.

    Examples:
        >>> G = nx.Graph()
        >>> G.add_node("a", label="A", kind="person")
        >>> G.add_node("act", label="Request by A: trucks", kind="act", status="requested",
        ...            timeline="2024?-03-08")
        >>> G.add_edge("a", "act", links=[Link("act", "a", "actor", "stated", "requested")])
        >>> explain(G, ["a", "act"])["explanation"]
        'A — made — Request by A: trucks (8 March 2024, year inferred, requested)'
    """
    ok = _allowed(groups, layers)
    evidence = G.graph.get("evidence", {})
    if isinstance(evidence, EvidenceCache):  # one query for every hop, not one per link
        evidence.prefetch(
            link.evidence_of
            for a, b in itertools.pairwise(path)
            for link in G.edges[a, b]["links"]
            if link.evidence_of
        )
    labels = short_labels(G)
    nodes = [
        {"id": n, "label": G.nodes[n]["label"], "kind": G.nodes[n]["kind"], "short": labels[n]}
        for n in path
    ]
    edges, words = [], [in_chain(G, path[0], labels)]
    for a, b in itertools.pairwise(path):
        hop = []
        for link in G.edges[a, b]["links"]:
            if not ok(link):
                continue
            forward, backward = GROUPS.get(link.group, {}).get(link.relation, (link.relation,) * 2)
            said = forward if link.source == a else backward
            hop.append(
                {
                    "relation": link.relation,
                    "words": said,
                    "group": link.group,
                    "layer": link.layer,
                    "status": link.status,
                    "date": link.date,
                    "via": link.evidence_of,
                    "evidence": evidence.get(link.evidence_of or "", []),
                }
            )
        edges.append({"source": a, "target": b, "links": hop})
        words += [hop[0]["words"] if hop else "—", in_chain(G, b, labels)]
    return {"nodes": nodes, "edges": edges, "explanation": " — ".join(words)}


def neighbours(
    G: Net,
    u: str,
    groups: Collection[str] | None = None,
    layers: Collection[str] | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """The neighbours of ``u``, grouped by relation (in words, from ``u``'s side).

    Examples:
        >>> G = nx.Graph()
        >>> G.add_node("act", label="Request", kind="act")
        >>> G.add_node("a", label="A", kind="person")
        >>> G.add_edge("act", "a", links=[Link("act", "a", "actor", "stated")])
        >>> neighbours(G, "a")
        {'made': [{'id': 'act', 'label': 'Request', 'kind': 'act', 'layer': 'stated'}]}
    """
    ok = _allowed(groups, layers)
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for v in sorted(G.adj[u], key=lambda n: G.nodes[n]["label"]):
        for link in G.edges[u, v]["links"]:
            if ok(link):
                forward, backward = GROUPS[link.group][link.relation]
                said = forward if link.source == u else backward
                out[said].append(
                    {
                        "id": v,
                        "label": G.nodes[v]["label"],
                        "kind": G.nodes[v]["kind"],
                        "layer": link.layer,
                    }
                )
    return dict(out)


#: The order in which the explorer shows a node's neighbours, by kind (then by label).
EGO_ORDER = {k.name: k.shown for k in KINDS}


def ego(
    G: Net,
    u: str,
    radius: int = 1,
    groups: Collection[str] | None = None,
    layers: Collection[str] | None = None,
    limit: int | None = None,
) -> Net:
    """The nodes within ``radius`` hops of ``u`` over the chosen relations, breadth first.

    Args:
        G: a projection.
        u: the node at the centre.
        radius: at most this many hops from ``u``.
        groups: relation groups to follow (default: all but ``derived``).
        layers: epistemic layers to follow (default: all).
        limit: at most this many new neighbours taken from each node (in the order of
            :data:`EGO_ORDER`, then by label); ``None`` for all of them.

    Returns:
        A new graph: its nodes in the order reached, with the projection's attributes and
        ``more``, the node's allowed neighbours left out past the limit (for the outer ring,
        past the radius: its allowed links to nodes not shown); its
        edges those of the projection between the nodes that have an allowed link, with all
        their links (filter them with the same groups and layers).

    Raises:
        ValueError: an unknown group or layer.

    Examples:
        >>> G = nx.Graph()
        >>> G.add_node("act", label="Request", kind="act")
        >>> for p in "abc":
        ...     G.add_node(p, label=p.upper(), kind="person")
        ...     G.add_edge("act", p, links=[Link("act", p, "partner", "stated")])
        >>> H = ego(G, "a", radius=1)
        >>> list(H), H.nodes["act"]["more"]
        (['a', 'act'], 2)
        >>> [(n, d["more"]) for n, d in ego(G, "act", limit=2).nodes(data=True)]
        [('act', 1), ('a', 0), ('b', 0)]
    """
    ok = _allowed(groups, layers)

    def around(n: str) -> list[str]:
        return [v for v in G.adj[n] if any(ok(link) for link in G.edges[n, v]["links"])]

    shown: dict[str, int] = {u: 0}
    frontier = [u]
    for _ in range(radius):
        reached = []
        for n in frontier:
            fresh = sorted(
                (v for v in around(n) if v not in shown),
                key=lambda v: (EGO_ORDER.get(G.nodes[v]["kind"], 9), G.nodes[v]["label"]),
            )
            taken = fresh if limit is None else fresh[:limit]
            for v in taken:
                shown[v] = 0
                reached.append(v)
            shown[n] = len(fresh) - len(taken)
        frontier = reached
    for n in frontier:  # the outer ring: how many links lead beyond it
        shown[n] = sum(
            1 for v in G.adj[n] if v not in shown for link in G.edges[n, v]["links"] if ok(link)
        )
    H: Net = nx.Graph()
    H.add_nodes_from((n, {**G.nodes[n], "more": more}) for n, more in shown.items())
    H.add_edges_from(
        (a, b, data)
        for a, b, data in G.subgraph(shown).edges(data=True)
        if any(ok(link) for link in data["links"])
    )
    return H


def brokers(
    G: Net,
    kinds: Iterable[str] = ("person", "organization"),
    top: int = 10,
    groups: Collection[str] | None = None,
) -> list[tuple[str, float]]:
    """The nodes of the given kinds that most often lie between others (betweenness).

    Notes:
        Brandes' algorithm: O(n·m) on the filtered view.
    """
    view = _view(G, _allowed(groups, None))
    scores = nx.betweenness_centrality(view)
    wanted = set(kinds)
    ranked = sorted(
        ((n, s) for n, s in scores.items() if G.nodes[n]["kind"] in wanted),
        key=lambda ns: (-ns[1], G.nodes[ns[0]]["label"]),
    )
    return ranked[:top]


def connected_groups(G: Net, groups: Collection[str] | None = None) -> Iterator[set[str]]:
    """The connected components over the chosen relations, largest first."""
    view = _view(G, _allowed(groups, None))
    yield from sorted(nx.connected_components(view), key=len, reverse=True)
