"""The bilateral-kg vocabulary: the OWL ontology, SKOS schemes and SHACL shapes, as package data."""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import SKOS

__all__ = [
    "BKG_IRI",
    "OA",
    "ONTOLOGY_IRI",
    "SCHEME_NAMESPACES",
    "SDMX_CODE",
    "SDMX_DIMENSION",
    "SDMX_MEASURE",
    "SKOSXL",
    "WD",
    "closure",
    "ontology_graph",
    "read_text",
    "scheme_labels",
    "scheme_notations",
    "shapes_graph",
]

ONTOLOGY_IRI = "https://bilateral-kg.example/ontology"
BKG_IRI = ONTOLOGY_IRI + "#"

#: The SKOS schemes by short name, each with the namespace of its concepts.
SCHEME_NAMESPACES: dict[str, str] = {
    "status": ONTOLOGY_IRI + "/status/",
    "field": ONTOLOGY_IRI + "/field/",
    "epistemic": ONTOLOGY_IRI + "/epistemic/",
    "plover": ONTOLOGY_IRI + "/plover/",
    "cameo": ONTOLOGY_IRI + "/cameo/",
}

# Standard vocabularies that rdflib does not ship as namespaces.
OA = Namespace("http://www.w3.org/ns/oa#")
SDMX_DIMENSION = Namespace("http://purl.org/linked-data/sdmx/2009/dimension#")
SDMX_MEASURE = Namespace("http://purl.org/linked-data/sdmx/2009/measure#")
SDMX_CODE = Namespace("http://purl.org/linked-data/sdmx/2009/code#")
WD = Namespace("http://www.wikidata.org/entity/")
SKOSXL = Namespace("http://www.w3.org/2008/05/skos-xl#")

FILES = ("bilateral.ttl", "schemes.ttl", "plover.ttl")


def read_text(name: str) -> str:
    """The text of one of the package's Turtle files (``bilateral.ttl``, ``shapes.ttl``, ...)."""
    return files("ontology").joinpath(name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _ontology() -> Graph:
    g = Graph()
    for name in FILES:
        g.parse(data=read_text(name), format="turtle")
    return g


def ontology_graph() -> Graph:
    """The ontology and its SKOS schemes as one rdflib graph (a fresh copy)."""
    g = Graph()
    for triple in _ontology():
        g.add(triple)
    return g


@lru_cache(maxsize=1)
def shapes_graph() -> Graph:
    """The SHACL shapes that say what a well-formed fact is."""
    g = Graph()
    g.parse(data=read_text("shapes.ttl"), format="turtle")
    return g


def closure(graph: Graph, prop: URIRef) -> dict[URIRef, set[URIRef]]:
    """Every term with all its super terms along ``prop`` (transitively), e.g. the super
    properties of each property along ``rdfs:subPropertyOf``.

    Args:
        graph: the ontology (or any graph).
        prop: the relation to follow from a term to its direct super terms.

    Returns:
        Each term that has a super term, with the set of all of them.

    Examples:
        >>> from rdflib import RDFS
        >>> up = closure(ontology_graph(), RDFS.subPropertyOf)
        >>> from rdflib.namespace import SDO
        >>> SDO.agent in up[URIRef(BKG_IRI + "actor")]
        True
    """
    direct: dict[URIRef, set[URIRef]] = {}
    for sub, sup in graph.subject_objects(prop):
        if isinstance(sub, URIRef) and isinstance(sup, URIRef):
            direct.setdefault(sub, set()).add(sup)
    out: dict[URIRef, set[URIRef]] = {}
    for term, sups in direct.items():
        seen: set[URIRef] = set()
        todo = list(sups)
        while todo:
            up = todo.pop()
            if up not in seen:
                seen.add(up)
                todo.extend(direct.get(up, ()))
        out[term] = seen
    return out


@lru_cache(maxsize=8)
def scheme_labels(scheme: str) -> dict[str, str]:
    """The English preferred label of each concept of one SKOS scheme, by notation.

    Examples:
        >>> scheme_labels("status")["under-examination"]
        'under examination'
    """
    base = SCHEME_NAMESPACES[scheme]
    g = _ontology()
    out = {}
    for c, n in g.subject_objects(SKOS.notation):
        labels = [v for v in g.objects(c, SKOS.prefLabel) if getattr(v, "language", None) == "en"]
        if str(c).startswith(base) and labels:
            out[str(n)] = str(labels[0])
    return out


@lru_cache(maxsize=8)
def scheme_notations(scheme: str) -> tuple[str, ...]:
    """The notations (slugs) of the concepts of one SKOS scheme, sorted.

    Examples:
        >>> scheme_notations("status")[:4]
        ('agreed', 'declined', 'done', 'pledged')
    """
    base = SCHEME_NAMESPACES[scheme]
    g = _ontology()
    return tuple(
        sorted(str(n) for c, n in g.subject_objects(SKOS.notation) if str(c).startswith(base))
    )
