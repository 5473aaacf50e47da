"""What the graph explorer draws: a country pair's opening view, and neighbourhoods merged into
one view with counted lines and the sources behind them, each node with its short label
(:func:`graph.read.labels.short_labels`, kept here for the pages that import it)."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from graph.read.evidence import EvidenceCache
from graph.read.labels import short_labels
from graph.read.network import EGO_ORDER
from graph.read.projection import Link, Net
from ontology.vocabulary import GROUPS, LAYERS

__all__ = [
    "FACT_KINDS",
    "PATH_GROUPS",
    "explorer_view",
    "main_pair",
    "pair_core",
    "short_labels",
]

#: Relation groups a path search starts with: who did what with whom, bodies and their posts,
#: places. Provenance (every fact "is reported by" its article) and derived shortcuts make
#: detours that say nothing, so they are off until asked for.
PATH_GROUPS = ("interaction", "organization", "geography")
#: Kinds of node that are things that happen (they carry evidence of their own).
FACT_KINDS = frozenset({"meeting", "act", "statement", "observation"})
#: Links that tie a person or body to its country, walked to find who is on which side.
_BELONGS = frozenset(
    {"nationality", "country", "holds", "postIn", "memberOf", "subOrganizationOf", "areaServed"}
)


def _allowed(
    groups: Collection[str] | None, layers: Collection[str] | None
) -> tuple[set[str], set[str]]:
    chosen_groups = set(groups) if groups else {g for g in GROUPS if g != "derived"}
    chosen_layers = set(layers) if layers else set(LAYERS)
    unknown = (chosen_groups - set(GROUPS)) | (chosen_layers - set(LAYERS))
    if unknown:
        raise ValueError(
            f"unknown relation group or layer: {', '.join(sorted(unknown))}; "
            f"groups: {', '.join(GROUPS)}; layers: {', '.join(LAYERS)}"
        )
    return chosen_groups, chosen_layers


def _ok(link: Link, groups: set[str], layers: set[str]) -> bool:
    return link.group in groups and link.layer in layers


def _neighbours(G: Net, u: str, groups: set[str], layers: set[str]) -> list[str]:
    found = [v for v in G.adj[u] if any(_ok(lk, groups, layers) for lk in G.edges[u, v]["links"])]
    return sorted(
        found, key=lambda n: (EGO_ORDER.get(G.nodes[n]["kind"], 9), G.nodes[n]["label"], n)
    )


def main_pair(G: Net) -> tuple[str, str] | None:
    """The two countries the graph says most about (most links), in label order.

    Examples:
        >>> import networkx as nx
        >>> G = nx.Graph()
        >>> G.add_nodes_from(["kh", "kr", "th"], kind="country")
        >>> G.add_node("x", kind="act")
        >>> G.add_edges_from([("kh", "x"), ("kr", "x"), ("kr", "th")])
        >>> main_pair(G)
        ('kh', 'kr')
    """
    countries = sorted(
        (n for n, d in G.nodes(data=True) if d.get("kind") == "country"),
        key=lambda n: (-G.degree(n), n),
    )
    if len(countries) < 2:
        return None
    a, b = sorted(countries[:2], key=lambda n: (str(G.nodes[n].get("label", n)), n))
    return a, b


def _side(G: Net, country: str, hops: int = 3) -> dict[str, list[str]]:
    """People, bodies and posts tied to ``country`` by nationality, body, post or membership
    links, each with the chain that ties it (nearest first)."""
    chains: dict[str, list[str]] = {country: [country]}
    frontier = [country]
    for _ in range(hops):
        nxt = []
        for u in frontier:
            for v in sorted(G.adj[u]):
                if v in chains or G.nodes[v].get("kind") not in {"person", "organization", "post"}:
                    continue
                if any(lk.relation in _BELONGS for lk in G.edges[u, v]["links"]):
                    chains[v] = [*chains[u], v]
                    nxt.append(v)
        frontier = nxt
    return chains


def _involvement(G: Net, u: str) -> int:
    """How many meetings, acts and statements ``u`` takes part in."""
    return sum(1 for v in G.adj[u] if G.nodes[v].get("kind") in FACT_KINDS)


def pair_core(G: Net, a: str, b: str, top: int = 5) -> list[str]:
    """The opening view of a country pair: both countries, the ``top`` people and bodies of
    each side most involved in meetings and acts (with the posts that tie a person to its
    side), and the meetings where the two sides met.

    Args:
        G: a projection.
        a, b: the two country nodes.
        top: people and bodies per side.

    Returns:
        The nodes, countries first.

    Examples:
        >>> import networkx as nx
        >>> G = nx.Graph()
        >>> G.add_nodes_from(["kh", "kr"], kind="country")
        >>> G.add_nodes_from(["p", "q"], kind="person")
        >>> G.add_node("m", kind="meeting")
        >>> G.add_edge("p", "kh", links=[Link("p", "kh", "nationality", "stated")])
        >>> G.add_edge("q", "kr", links=[Link("q", "kr", "nationality", "stated")])
        >>> G.add_edges_from([("m", "p"), ("m", "q")], links=[])
        >>> pair_core(G, "kh", "kr")
        ['kh', 'kr', 'p', 'q', 'm']

    Notes:
        A breadth-first walk of three hops from each country: O(n + m).
    """
    sides = [_side(G, a), _side(G, b)]
    shown: list[str] = [a, b]
    members: list[set[str]] = []
    for chains in sides:
        ranked = sorted(
            (n for n in chains if G.nodes[n].get("kind") in {"person", "organization"}),
            key=lambda n: (-_involvement(G, n), str(G.nodes[n].get("label")), n),
        )
        chosen = ranked[:top]
        members.append(set(chosen))
        for n in chosen:
            for step in chains[n]:
                if step not in shown:
                    shown.append(step)
    for m in sorted(n for n, d in G.nodes(data=True) if d.get("kind") == "meeting"):
        around = set(G.adj[m])
        if around & set(sides[0]) and around & set(sides[1]) and m not in shown:
            shown.append(m)
    return shown


def explorer_view(
    G: Net,
    centres: Iterable[str] = (),
    core: Iterable[str] = (),
    limit: int = 12,
    groups: Collection[str] | None = None,
    layers: Collection[str] | None = None,
    shortcuts: bool = False,
) -> dict[str, Any]:
    """The nodes and lines the explorer draws: the ``core`` nodes, and each centre with at most
    ``limit`` of its neighbours over the chosen relations.

    Args:
        G: a projection.
        centres: expanded nodes, in the order they were expanded.
        core: nodes shown as they are (an opening view, the nodes of found paths).
        limit: most neighbours a centre brings in.
        groups: relation groups (default: all but ``derived``).
        layers: epistemic layers (default: all).
        shortcuts: also draw derived shortcuts (met with, agreed with ...) between shown nodes.

    Returns:
        ``{"nodes": [...], "edges": [...], "sources": [...]}``: nodes with ``label``,
        ``short`` (distinct), ``kind``, ``status``, ``date`` and ``more`` (neighbours not
        shown); one line per relation, layer and status between two shown nodes with
        ``count`` and ``via`` (the happenings it stands for); the sources of the facts shown.

    Raises:
        ValueError: an unknown group or layer, or a node not in ``G``.

    Examples:
        >>> import networkx as nx
        >>> G = nx.Graph()
        >>> G.add_node("act", label="Request", kind="act", status="requested")
        >>> G.add_node("a", label="A", kind="person")
        >>> G.add_edge("act", "a", links=[Link("act", "a", "actor", "stated", "requested")])
        >>> view = explorer_view(G, ["a"])
        >>> [(n["id"], n["more"]) for n in view["nodes"]], view["edges"][0]["words"]
        ([('a', 0), ('act', 0)], 'made by')

    Notes:
        O(c·d log d + e) for c centres of degree at most d and e links among the shown nodes.
    """
    ok_groups, ok_layers = _allowed(groups, layers)
    line_groups = ok_groups | ({"derived"} if shortcuts else set())
    shown: dict[str, None] = {}
    for n in core:
        if n not in G:
            raise ValueError(f"{n} is not in the graph")
        shown[n] = None
    for c in centres:
        if c not in G:
            raise ValueError(f"{c} is not in the graph")
        shown[c] = None
        fresh = [v for v in _neighbours(G, c, ok_groups, ok_layers) if v not in shown]
        for v in fresh[:limit]:
            shown[v] = None
    labels = short_labels(G)
    nodes = []
    for n in shown:
        data = G.nodes[n]
        more = sum(1 for v in _neighbours(G, n, ok_groups, ok_layers) if v not in shown)
        nodes.append(
            {
                "id": n,
                "label": data["label"],
                "short": labels[n],
                "kind": data["kind"],
                "status": data.get("status"),
                "date": data.get("date"),
                "more": more,
            }
        )
    lines: dict[tuple[str, str, str, str, str], dict[str, Any]] = {}
    for _, _, data in G.subgraph(shown).edges(data=True):
        for link in data["links"]:
            if not _ok(link, line_groups, ok_layers):
                continue
            key = (link.source, link.target, link.relation, link.layer, link.status or "")
            line = lines.setdefault(
                key,
                {
                    "source": link.source,
                    "target": link.target,
                    "relation": link.relation,
                    "words": GROUPS[link.group][link.relation][0],
                    "group": link.group,
                    "layer": link.layer,
                    "status": link.status,
                    "via": [],
                },
            )
            if link.evidence_of and link.evidence_of not in line["via"]:
                line["via"].append(link.evidence_of)
    evidence = G.graph.get("evidence", {})
    facts = {n for n in shown if G.nodes[n].get("kind") in FACT_KINDS}
    facts |= {f for line in lines.values() for f in line["via"]}
    if isinstance(evidence, EvidenceCache):  # one query for the whole view
        evidence.prefetch(facts)
    edges = []
    for key in sorted(lines):
        line = lines[key]
        line["count"] = max(1, len(line["via"]))
        line["via"] = [
            {
                "id": f,
                "short": labels.get(f, f),
                "kind": G.nodes[f]["kind"] if f in G else "assertion",
                "evidence": list(evidence.get(f, [])),
            }
            for f in line["via"]
        ]
        edges.append(line)
    found: dict[str, str] = {}
    for f in facts:
        for ev in evidence.get(f, []):
            found[ev["source"]] = ev["source_label"]
    sources = [{"id": s, "label": found[s]} for s in sorted(found, key=lambda s: (found[s], s))]
    return {"nodes": nodes, "edges": edges, "sources": sources}
