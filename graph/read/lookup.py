"""Look things up in a store: the node a name means, an entity's facts with evidence, a summary.

Every query here binds user input as RDF terms (``bindings``); no input is pasted into SPARQL.

Examples:
    >>> store = seed_store()
    >>> view = entity_view(store, "https://bilateral-kg.example/id/organization/nssf")
    >>> [(f.layer, f.roles) for f in view.facts][:2]
    [('stated', ['country']), ('stated', ['partner'])]
    >>> select(store, "SELECT ?n WHERE { ?p a schema:Person ; rdfs:label ?n } ORDER BY ?n")[0]
    {'n': 'Heng Sour'}
    >>> len(layer_graphs(store, ["stated"]))
    1
    >>> summary(store)["acts_by_status"]["requested"]
    3
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Container, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import pyoxigraph as ox

from graph.read.evidence import Evidence, evidence_of
from graph.read.ids import full_iri, short_id
from graph.read.query import select
from graph.read.search import MAX_NAME, Hit, SearchIndex, normalize
from graph.store import Store
from ontology import closure, ontology_graph
from ontology.vocabulary import LAYERS

__all__ = [
    "EntityFacts",
    "Fact",
    "FactView",
    "Named",
    "entity_view",
    "layer_graphs",
    "nearest_names",
    "resolve_name",
    "summary",
]


#: A name search hit this good may be what the user meant: every word typed starts a word of
#: the name ("Sina" for "Pav Sina"), or better; a substring or a misspelling is only a
#: suggestion.
GOOD = 70.0
#: Good hits within this many points of the best are as good as it: the name is ambiguous.
#: (A prefix match loses a point for every four characters the name has beyond the query:
#: "Lee" is as good a start of "Lee Jung-sik" as of "Lee Cheol-woo".)
AS_GOOD = 3.0
#: How many of the nearest names a name that gives no node is answered with.
NEAREST = 3


@dataclass(frozen=True)
class Named:
    """What a name a user gave means: one node (``iri``), or none, with ``candidates``: the
    nodes it may equally name (``ambiguous``) or the nearest names (``iri`` and ``ambiguous``
    both unset; perhaps none)."""

    name: str
    iri: str | None
    candidates: tuple[Hit, ...] = ()
    ambiguous: bool = False

    def message(self, base: str) -> str:
        """Why the name gives no node, in one line that lists the candidates by label and id.

        Examples:
            >>> ab = Hit("https://kg.example/id/person/a-b", "A B", "person", (), "A B", 88)
            >>> ac = Hit("https://kg.example/id/person/a-c", "A C", "person", (), "A C", 88)
            >>> Named("A", None, (ab, ac), ambiguous=True).message("https://kg.example/")
            "'A' may name any of: A B (person/a-b), A C (person/a-c); give one by its id"
            >>> Named("x" * 301, None).message("https://kg.example/")[-6:]
            "xxxx'…"
        """
        shown = f"{self.name[:80]!r}…" if len(self.name) > MAX_NAME else repr(self.name)
        listed = ", ".join(f"{h.label} ({short_id(h.iri, base)})" for h in self.candidates)
        if self.ambiguous:
            return f"{shown} may name any of: {listed}; give one by its id"
        nearest = f"; the nearest names: {listed}" if listed else ""
        return f"nothing in the graph is called {shown}{nearest}"


def resolve_name(index: SearchIndex, nodes: Container[str], name: str, base: str) -> Named:
    """The node a user means by an id, an IRI, a name or an alias: the one way the command
    line and every route turn a name into a node.

    An id or IRI of one of ``nodes`` is that node. Else the name is searched (case, accents
    and punctuation aside) among ``nodes``: one node with exactly that name or alias is meant;
    several are ambiguous. Without an exact name, the best hit is meant if it is
    :data:`GOOD` and no other good hit comes within :data:`AS_GOOD` of it (else the name is
    ambiguous, and those hits are the candidates); with no good hit, nothing is meant and the
    best few hits are the nearest names.

    Args:
        index: the search index of the store.
        nodes: the nodes that may be meant (the projection's).
        name: what the user typed.
        base: the configured base IRI (``person/heng-sour`` is ``{base}id/person/heng-sour``).

    Examples:
        >>> store = seed_store()
        >>> from graph.read.projection import project
        >>> index, G, base = SearchIndex(store), project(store), "https://bilateral-kg.example/"
        >>> resolve_name(index, G, "Sour", base).iri
        'https://bilateral-kg.example/id/person/heng-sour'
        >>> lee = resolve_name(index, G, "Lee", base)
        >>> lee.iri, lee.ambiguous, [h.label for h in lee.candidates]
        (None, True, ['Lee Jung-sik', 'Lee Cheol-woo'])
        >>> kosah = resolve_name(index, G, "Kosah", base)
        >>> kosah.iri, kosah.ambiguous, kosah.candidates[0].label
        (None, False, 'Korea Occupational Safety and Health Agency')
    """
    if len(name) > MAX_NAME:  # no name is that long; spare the fuzzy search the work
        return Named(name, None)
    iri = full_iri(name, base)
    if iri in nodes:
        return Named(name, iri)
    hits = [h for h in index.search(name, limit=20) if h.iri in nodes]
    wanted = normalize(name)
    exact = [h for h in hits if normalize(h.matched) == wanted]
    if len(exact) == 1:
        return Named(name, exact[0].iri)
    if exact:
        return Named(name, None, tuple(exact), ambiguous=True)
    good = [h for h in hits if h.score >= GOOD and h.score >= hits[0].score - AS_GOOD]
    if len(good) == 1:
        return Named(name, good[0].iri)
    if good:
        return Named(name, None, tuple(good), ambiguous=True)
    return Named(name, None, nearest_names(index, nodes, name))


def nearest_names(
    index: SearchIndex, nodes: Container[str], name: str, limit: int = NEAREST
) -> tuple[Hit, ...]:
    """The names nearest to one that gives no node, best first: the search's hits among
    ``nodes`` (exact, prefix, word and substring matches, then misspellings down to the
    search's own cutoff), at most ``limit``. The one rule for "the nearest names", in
    :func:`resolve_name`'s answers and on the site's problem pages alike.

    Args:
        index: the search index of the store.
        nodes: the nodes that may be suggested.
        name: what the user typed (longer than :data:`graph.read.search.MAX_NAME`: none).
        limit: at most this many.

    Examples:
        >>> index, ids = SearchIndex(seed_store()), "https://bilateral-kg.example/id/"
        >>> people = {ids + "person/heng-sour", ids + "person/pav-sina"}
        >>> [h.label for h in nearest_names(index, people, "heng-suro")]
        ['Heng Sour']
        >>> nearest_names(index, people, "Kosah")  # KOSHA is not among the nodes
        ()
    """
    if len(name) > MAX_NAME:
        return ()
    return tuple(h for h in index.search(name, limit=20) if h.iri in nodes)[:limit]


@dataclass
class FactView:
    """A fact an entity takes part in, with its status, layer, reason and evidence."""

    iri: str
    label: str
    roles: list[str]
    layer: str
    status: str | None = None
    reason: str | None = None
    evidence: list[Evidence] = field(default_factory=list)


@dataclass
class EntityView:
    """An entity with its names, types, reference ids and facts."""

    iri: str
    label: str
    types: list[str]
    aliases: list[str]
    same_as: list[str]
    facts: list[FactView]


def _local(iri: str) -> str:
    for sep in ("#", "/"):
        if sep in iri:
            iri = iri.rsplit(sep, 1)[1]
    return iri


@lru_cache(maxsize=1)
def _super_properties() -> dict[str, set[str]]:
    """Each property of the ontology (by local name) with its super properties'."""
    from rdflib import RDFS

    return {
        _local(term): {_local(up) for up in ups}
        for term, ups in closure(ontology_graph(), RDFS.subPropertyOf).items()
    }


def _most_specific(roles: list[str]) -> list[str]:
    """Drop roles that only repeat, as a standard super-property, a more specific role."""
    supers = _super_properties()
    implied = {s for r in roles for s in supers.get(r, ())}
    return [r for r in roles if r not in implied]


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


@dataclass(frozen=True)
class Fact:
    """A fact node (an act, meeting, statement, assertion ...) as an entity view shows it."""

    label: str
    layer: str
    status: str | None
    reason: str | None
    predicate: str | None  # the relation an assertion or a derived link states


@dataclass
class EntityFacts:
    """Fact nodes with their details and evidence, and the links from entities to them.

    ``links`` maps an entity's IRI to its ``(fact node, role)`` pairs, each once and sorted;
    ``facts`` holds each fact node's details; ``evidence`` its spans in offset order. The
    whole graph's (:func:`graph.read.views.entity_facts`, prepared once per version) or one
    entity's (queried per request).
    """

    facts: dict[str, Fact]
    evidence: dict[str, list[Evidence]]
    links: dict[str, list[tuple[str, str]]]
    #: The whole graph's only: every source's publication date (EDTF or ``None``), and the
    #: things some conflict is about. ``None`` (one entity's view): ask the store.
    published: dict[str, str | None] | None = None
    disputed: frozenset[str] | None = None


def _first_fact(rows: Iterable[tuple[str, ...]]) -> dict[str, Fact]:
    """One :class:`Fact` per node: a node with several labels, statuses or reasons keeps the
    smallest of each row, so the answer does not depend on the engine's row order."""
    facts: dict[str, Fact] = {}
    for node, label, layer, status, reason, pred in sorted(rows):
        if node not in facts:
            facts[node] = Fact(label, layer, status or None, reason or None, pred or None)
    return facts


#: The details of fact nodes (``VALUES ?node`` added per entity; the whole graph's at once).
FACT_DETAILS = """
    SELECT ?node ?label ?layer ?status ?reason ?pred WHERE {
        ?node bkg:epistemicStatus ?epi ; rdfs:label ?label .
        FILTER (isIRI(?node))
        FILTER (?epi != epi:reference)
        FILTER NOT EXISTS { ?node a oa:Annotation }
        ?epi skos:prefLabel ?layer .
        OPTIONAL { ?node bkg:status/skos:prefLabel ?status }
        OPTIONAL { ?node bkg:reason ?reason }
        OPTIONAL { ?node rdf:predicate ?pred }
    }"""


def _facts_naming(store: Store, e: ox.NamedNode) -> EntityFacts:
    """The facts that name one entity, queried now."""
    # Three small queries rather than one: with the evidence as an OPTIONAL of the whole
    # pattern, Oxigraph evaluated the OPTIONAL's right side over every span of the graph and
    # hash-joined it (0.7 s an entity at 100k triples). Here the fact nodes are found first
    # through the entity, then their details and evidence are fetched for those nodes only.
    links = select(
        store,
        """
        SELECT ?e ?node ?role WHERE {
            { ?node ?role ?e } UNION { ?e ?role ?node }
            FILTER (isIRI(?node))
        }""",
        e=e,
    )
    pairs = sorted({(r["node"], r["role"]) for r in links})
    facts: dict[str, Fact] = {}
    evidence: dict[str, list[Evidence]] = {}
    for chunk in _chunks(sorted({node for node, _ in pairs}), 200):
        nodes = " ".join(str(ox.NamedNode(n)) for n in chunk)
        details = select(
            store, FACT_DETAILS.replace("WHERE {", f"WHERE {{ VALUES ?node {{ {nodes} }}", 1)
        )
        facts.update(
            _first_fact(tuple("" if r[k] is None else r[k] for k in _DETAIL_NAMES) for r in details)
        )
        evidence.update((node, spans) for node, spans in evidence_of(store, chunk).items() if spans)
    return EntityFacts(facts, evidence, {e.value: pairs})


_DETAIL_NAMES = ("node", "label", "layer", "status", "reason", "pred")


def entity_view(store: Store, iri: str, prepared: EntityFacts | None = None) -> EntityView | None:
    """An entity with every fact that names it, each with status, layer and evidence.

    Args:
        store: the store.
        iri: the entity's IRI.
        prepared: the whole graph's facts, prepared for the store's current version
            (:class:`graph.read.views.Prepared`); without it, the entity's facts are queried.

    Returns:
        The view, or ``None`` if the IRI has no label in the store.
    """
    e = ox.NamedNode(iri)
    head = select(
        store,
        """
        SELECT ?e ?label ?type ?alias ?same WHERE {
            ?e rdfs:label ?label .
            OPTIONAL { ?e rdf:type ?type }
            OPTIONAL { ?e skos:altLabel ?alias }
            OPTIONAL { ?e schema:sameAs ?same }
        }""",
        e=e,
    )
    if not head:
        return None
    known = prepared if prepared is not None else _facts_naming(store, e)
    facts: dict[str, FactView] = {}
    for node, link in known.links.get(iri, ()):
        fact = known.facts.get(node)
        if fact is None:
            continue
        view = facts.get(node)
        if view is None:
            view = facts[node] = FactView(
                iri=node,
                label=fact.label,
                roles=[],
                layer=fact.layer,
                status=fact.status,
                reason=fact.reason,
                evidence=list(known.evidence.get(node, ())),
            )
        role = _local(link)
        if fact.predicate and role in ("subject", "object"):
            # An assertion or derived link: the entity's role is the relation it states.
            role = _local(fact.predicate) + (" (of)" if role == "object" else "")
        if role not in view.roles:
            view.roles.append(role)
    for view in facts.values():
        view.roles = _most_specific(view.roles)
    order = {"stated": 0, "inferred": 1, "derived": 2}
    return EntityView(
        iri=iri,
        label=head[0]["label"],
        types=sorted({r["type"] for r in head if r["type"]}),
        aliases=sorted({r["alias"] for r in head if r["alias"]}),
        same_as=sorted({r["same"] for r in head if r["same"]}),
        facts=sorted(facts.values(), key=lambda f: (order.get(f.layer, 3), f.label)),
    )


CATEGORIES = {
    "people": "schema:Person",
    "organizations": "org:Organization",
    "places": "schema:Place",
    "programmes": "bkg:Programme",
    "posts": "org:Post",
    "meetings": "bkg:Meeting",
    "cooperation acts": "bkg:CooperationAct",
    "statements": "bkg:Statement",
    "statistics": "qb:Observation",
    "sources": "schema:CreativeWork",
}


def layer_graphs(store: Store, layers: Iterable[str]) -> list[str]:
    """The named graphs that hold the given layers, with the ontology for ``reference``.

    Args:
        store: the store.
        layers: names among ``stated``, ``inferred``, ``derived``, ``reference``.

    Returns:
        Graph IRIs, sorted.

    Raises:
        ValueError: for an unknown layer name.
    """
    wanted = set(layers)
    unknown = wanted - set(LAYERS)
    if unknown:
        raise ValueError(
            f"unknown layer(s): {', '.join(sorted(unknown))}; choose from {', '.join(LAYERS)}"
        )
    rows = select(
        store, "SELECT ?g ?layer WHERE { ?g a bkg:Layer ; bkg:layer/skos:notation ?layer }"
    )
    return sorted({r["g"] for r in rows if r["layer"] in wanted})


def summary(store: Store) -> dict[str, Any]:
    """What the graph holds: counts by kind, acts by current status (the latest of each act's
    history; its stated status where the graph has no history), sources (by publication date,
    undated last) and layers.

    Each count is grouped before anything is joined to it: with the layer as an OPTIONAL
    inside the count, Oxigraph joined it to every quad (33 s at a million triples; 1 s now).

    Returns:
        A dict ready to render as JSON or HTML.
    """
    counts = {}
    for name, cls in CATEGORIES.items():
        if name == "sources":
            continue
        rows = select(store, f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a {cls} }}")
        counts[name] = rows[0]["n"]
    statuses = select(
        store,
        """
        SELECT ?status (COUNT(DISTINCT ?act) AS ?n) WHERE {
            ?act a bkg:CooperationAct ; bkg:status ?stated .
            OPTIONAL { ?act bkg:currentStatus ?current }
            BIND (COALESCE(?current, ?stated) AS ?now)
            ?now skos:prefLabel ?status .
        } GROUP BY ?status ORDER BY DESC(?n) ?status""",
    )
    sources = select(
        store,
        """
        SELECT ?source ?title ?url ?publisher ?published WHERE {
            { SELECT DISTINCT ?source WHERE { ?span oa:hasSource ?source } }
            ?source rdfs:label ?title .
            OPTIONAL { ?source schema:url ?url }
            OPTIONAL { ?source schema:publisher/rdfs:label ?publisher }
            OPTIONAL { ?source bkg:edtfDate ?published }
        } ORDER BY (!BOUND(?published)) ?published ?title""",
    )
    graphs = select(
        store,
        """
        SELECT ?g ?layer ?n WHERE {
            { SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g }
            OPTIONAL { ?g bkg:layer/skos:prefLabel ?layer }
        } ORDER BY ?g""",
    )
    layers: Counter[str] = Counter()
    for g in graphs:
        layers[g["layer"] or "other"] += g["n"]
    return {
        "counts": counts,
        "acts_by_status": {r["status"]: r["n"] for r in statuses},
        "sources": sources,
        "graphs": graphs,
        "quads_by_layer": dict(sorted(layers.items())),
        "quads": len(store),
    }
