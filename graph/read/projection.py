"""The projection of the store onto networkx: reading the store into a graph of nodes and links.

The projection ``G`` is an undirected ``nx.Graph``: entities (people, bodies, places, programmes,
posts, documents, sources) and the things that happen (meetings, acts, statements, observations)
are nodes; an edge holds every *link* between its two nodes, each with its relation, its
direction, its relation group, its epistemic layer, the status and date of the act or meeting it
belongs to, and the node whose evidence it is. :mod:`graph.read.network` holds the algorithms
that run on it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import TypeAlias

import networkx as nx

from graph.read.evidence import EvidenceCache
from graph.read.query import select
from graph.store import PerVersion, Store
from ontology.vocabulary import DEFAULT_GROUPS, GROUPS, KINDS, LAYERS, RELATION_GROUP, kinds_values

#: A projection: an undirected networkx graph keyed by IRI.
Net: TypeAlias = "nx.Graph[str]"

__all__ = ["Link", "Net", "Projection", "project"]

_KINDS = kinds_values()
_RANK = {k.name: k.specific for k in KINDS}


@dataclass(frozen=True)
class Link:
    """One relation between two nodes, as the store holds it."""

    source: str
    target: str
    relation: str
    layer: str
    status: str | None = None
    date: str | None = None
    evidence_of: str | None = None  # the node (act, meeting, assertion ...) whose evidence it is

    @property
    def group(self) -> str:
        return RELATION_GROUP.get(self.relation, "other")


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def project(store: Store) -> Net:
    """Project the store onto a networkx graph.

    Args:
        store: the store.

    Returns:
        ``G``: nodes keyed by IRI with ``label``, ``kind`` (person, organization, country,
        place, programme, post, group, document, dataset, meeting, act, statement,
        observation), ``status`` (its notation: ``under-examination``), ``date`` (EDTF, as
        stated) and ``timeline`` (the most precise date the sources give, a year inferred
        marked ``?``); each edge with ``links``, a list of :class:`Link`; and
        ``G.graph["evidence"]``, the evidence spans of every fact node.
    """
    G: Net = nx.Graph()
    for r in select(
        store,
        f"""
        SELECT ?x (SAMPLE(?l) AS ?label) (SAMPLE(?k) AS ?kind) (SAMPLE(?st) AS ?status)
               (SAMPLE(?d) AS ?date) (SAMPLE(?td) AS ?timeline) WHERE {{
            ?x a ?cls ; rdfs:label ?l . {_KINDS}
            BIND (?kind AS ?k)
            OPTIONAL {{ ?x bkg:status/skos:notation ?st }}
            OPTIONAL {{ GRAPH ?dg {{ ?x bkg:edtfDate ?d }} ?dg bkg:layer epi:stated }}
            OPTIONAL {{ ?x bkg:timelineDate ?td }}
        }} GROUP BY ?x""",
    ):
        G.add_node(
            r["x"],
            label=r["label"],
            kind=r["kind"],
            status=r["status"],
            date=r["date"],
            timeline=r["timeline"],
        )
    # Several classes per node: keep the most specific kind (a country is also a place).
    for r in select(store, f"SELECT ?x ?kind WHERE {{ ?x a ?cls . {_KINDS} }}"):
        if r["x"] in G and _RANK[r["kind"]] < _RANK[G.nodes[r["x"]]["kind"]]:
            G.nodes[r["x"]]["kind"] = r["kind"]

    relations = " ".join(_FACT_RELATIONS)
    links: list[Link] = []
    # Facts that are nodes (meetings, acts, statements, observations) and their entities.
    for r in select(
        store,
        f"""
        SELECT ?f ?p ?e ?layer WHERE {{
            VALUES ?p {{ {relations} }}
            GRAPH ?g {{ ?f ?p ?e }}
            ?g bkg:layer/skos:notation ?layer .
            FILTER (isIRI(?e))
        }}""",
    ):
        f, e = r["f"], r["e"]
        if f in G and e in G and f != e:
            node = G.nodes[f]
            links.append(
                Link(f, e, _local(r["p"]), r["layer"], node.get("status"), node.get("date"), f)
            )
    # Relations between entities, reified as assertions with their own evidence.
    for r in select(
        store,
        """
        SELECT ?a ?s ?p ?o ?layer WHERE {
            GRAPH ?g { ?a a bkg:Assertion ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o }
            ?g bkg:layer/skos:notation ?layer .
            FILTER (isIRI(?o))
        }""",
    ):
        if r["s"] in G and r["o"] in G:
            links.append(Link(r["s"], r["o"], _local(r["p"]), r["layer"], evidence_of=r["a"]))
    # Reference data: places within places.
    for r in select(
        store,
        """
        SELECT ?s ?o WHERE {
            GRAPH ?g { ?s schema:containedInPlace ?o } ?g bkg:layer epi:reference .
        }""",
    ):
        if r["s"] in G and r["o"] in G:
            links.append(Link(r["s"], r["o"], "containedInPlace", "reference"))
    # Derived shortcuts, pointing back to the node they came from.
    for r in select(
        store,
        """
        SELECT ?s ?p ?o ?via WHERE {
            ?l a bkg:DerivedLink ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ;
               prov:wasDerivedFrom ?via .
        }""",
    ):
        if r["s"] in G and r["o"] in G:
            via = G.nodes.get(r["via"], {})
            links.append(
                Link(
                    r["s"],
                    r["o"],
                    _local(r["p"]),
                    "derived",
                    via.get("status"),
                    via.get("date"),
                    r["via"],
                )
            )
    for link in sorted(set(links), key=lambda k: (k.source, k.target, k.relation, k.layer)):
        if G.has_edge(link.source, link.target):
            G.edges[link.source, link.target]["links"].append(link)
        else:
            G.add_edge(link.source, link.target, links=[link])

    # Fetched per fact node when a path or an export first needs it: reading every span of
    # the graph up front was 21 of the 35 s of a projection at a million triples.
    G.graph["evidence"] = EvidenceCache(store)
    _occasions(G)
    H = _ordered(G)
    # The plain graph of the default relations, built now rather than by the first path
    # search: 0.5-1.4 s at a million triples, which was the p99 of /api/paths.
    _structure(H, _allowed(None, None), (frozenset(DEFAULT_GROUPS), frozenset(LAYERS)))
    return H


def _link_key(link: Link) -> tuple[str, ...]:
    return tuple("" if x is None else x for x in dataclasses.astuple(link))


def _ordered(G: Net) -> Net:
    """The projection with its nodes, edges and links in a fixed order: the order the store
    returned them in (which differs between engines) then never decides which of two equally
    short paths comes first, or how an explanation reads."""
    H: Net = nx.Graph()
    H.graph.update(G.graph)
    H.add_nodes_from(sorted(G.nodes(data=True), key=lambda n: n[0]))
    edges = []
    for a, b, data in G.edges(data=True):
        if "links" in data:
            data["links"] = sorted(data["links"], key=_link_key)
        edges.append((min(a, b), max(a, b), data))
    H.add_edges_from(sorted(edges, key=lambda e: (e[0], e[1])))
    return H


#: The relations of fact nodes (meetings, acts, statements, observations) to their entities.
_FACT_RELATIONS = (
    "schema:attendee",
    "schema:location",
    "schema:about",
    "bkg:actor",
    "bkg:addressee",
    "bkg:partner",
    "bkg:beneficiary",
    "bkg:concerns",
    "bkg:speaker",
    "bkg:occasion",
    "bkg:originCountry",
    "bkg:destinationCountry",
    "prov:hadPrimarySource",
    "prov:wasAttributedTo",
    "qb:dataSet",
)


def _occasions(G: Net) -> None:
    """Give each act the day and place of the meeting it was made at, for explanations."""
    for _, _, data in G.edges(data=True):
        for link in data["links"]:
            if link.relation != "occasion":
                continue
            act, meeting = link.source, link.target
            G.nodes[act]["when"] = G.nodes[meeting].get("date")
            places = [
                G.nodes[w]["label"]
                for w in G.adj[meeting]
                for lk in G.edges[meeting, w]["links"]
                if lk.relation == "location" and lk.source == meeting
            ]
            G.nodes[act]["where"] = places[0] if places else None


class Projection(PerVersion[Net]):
    """The projection of a store, built once per graph version and then reused.

    Examples:
        >>> from graph.store import memory_store
        >>> projection = Projection(memory_store())
        >>> projection.graph() is projection.graph()
        True
    """

    def __init__(self, store: Store, compute: Callable[[Store], Net] = project) -> None:
        super().__init__(store, compute)

    def graph(self) -> Net:
        """The projection of the store's current version (rebuilt only after a change)."""
        return self.get()


# ------------------------------------------------------------------------------------------
# The links a choice of relation groups and layers allows
# ------------------------------------------------------------------------------------------


def _allowed(
    groups: Collection[str] | None, layers: Collection[str] | None
) -> Callable[[Link], bool]:
    groups = set(groups or DEFAULT_GROUPS)
    layers = set(layers or LAYERS)
    unknown = (groups - set(GROUPS)) | (layers - set(LAYERS))
    if unknown:
        raise ValueError(
            f"unknown relation group or layer: {', '.join(sorted(unknown))}; "
            f"groups: {', '.join(GROUPS)}; layers: {', '.join(LAYERS)}"
        )
    return lambda link: link.group in groups and link.layer in layers


def _structure(G: Net, ok: Callable[[Link], bool], key: object) -> Net:
    """The edges that ``ok`` allows, as a plain graph kept with the projection: Yen's algorithm
    runs about ten times faster on it than on a filtered view (3 ms against 30-40 ms for k=3
    at a million triples), whose every edge access calls the filter."""
    cache: dict[object, Net] = G.graph.setdefault("structures", {})
    H = cache.get(key)
    if H is None:
        H = nx.Graph()
        H.add_nodes_from(G)
        H.add_edges_from(
            (a, b) for a, b, data in G.edges(data=True) if any(ok(lk) for lk in data["links"])
        )
        cache[key] = H
    return H
