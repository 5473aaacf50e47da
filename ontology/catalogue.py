"""The ontology as a reader sees it: its classes, properties and concept schemes, each with its
label and definition, as plain data for the /ontology page and its JSON twin."""

from __future__ import annotations

from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from ontology import ONTOLOGY_IRI, ontology_graph
from ontology.vocabulary import curie

__all__ = ["catalogue"]

_KINDS = (
    (OWL.ObjectProperty, "object property"),
    (OWL.DatatypeProperty, "datatype property"),
    (OWL.AnnotationProperty, "annotation property"),
    (RDF.Property, "property"),
)


def _text(g: Graph, s: URIRef, *props: URIRef) -> str | None:
    """The English (or untagged) value of the first of ``props`` that ``s`` has."""
    for p in props:
        values = [o for o in g.objects(s, p) if isinstance(o, Literal)]
        for lang in ("en", None):
            for o in values:
                if o.language == lang:
                    return str(o)
        if values:
            return str(values[0])
    return None


def _name(iri: str) -> str:
    return curie(iri) or iri


def _term(g: Graph, s: URIRef) -> dict[str, Any]:
    return {
        "iri": str(s),
        "curie": _name(str(s)),
        "anchor": _name(str(s)).replace(":", "-"),
        "label": _text(g, s, RDFS.label, SKOS.prefLabel) or _name(str(s)),
        "definition": _text(g, s, SKOS.definition, RDFS.comment),
    }


def _names(g: Graph, s: URIRef, p: URIRef) -> list[str]:
    return sorted(_name(str(o)) for o in g.objects(s, p) if isinstance(o, URIRef))


def catalogue(g: Graph | None = None) -> dict[str, Any]:
    """The ontology's own classes, properties and SKOS schemes, in label order.

    Args:
        g: the ontology and its schemes (default: the packaged ones).

    Returns:
        ``{"title", "description", "version", "classes", "properties", "schemes"}``: each class
        with its ``curie``, ``label``, ``definition`` and ``superclasses``; each property also
        with its ``kind``, ``domain``, ``range`` and ``superproperties``; each scheme with its
        concepts (``notation`` too).

    Examples:
        >>> c = catalogue()
        >>> act = next(x for x in c["classes"] if x["curie"] == "bkg:CooperationAct")
        >>> act["label"], act["superclasses"]
        ('cooperation act', ['schema:Action'])
    """
    g = g if g is not None else ontology_graph()
    onto = URIRef(ONTOLOGY_IRI)
    own = ONTOLOGY_IRI

    def ours(s: object) -> bool:
        return isinstance(s, URIRef) and str(s).startswith(own)

    classes = []
    for s in {s for s in g.subjects(RDF.type, OWL.Class) if ours(s)}:
        assert isinstance(s, URIRef)
        classes.append({**_term(g, s), "superclasses": _names(g, s, RDFS.subClassOf)})
    properties = []
    seen: set[URIRef] = set()
    for cls, kind in _KINDS:
        found = {s for s in g.subjects(RDF.type, cls) if isinstance(s, URIRef) and ours(s)}
        for s in sorted(found - seen):
            seen.add(s)
            properties.append(
                {
                    **_term(g, s),
                    "kind": kind,
                    "domain": _names(g, s, RDFS.domain),
                    "range": _names(g, s, RDFS.range),
                    "superproperties": _names(g, s, RDFS.subPropertyOf),
                }
            )
    schemes = []
    for s in {s for s in g.subjects(RDF.type, SKOS.ConceptScheme) if ours(s)}:
        assert isinstance(s, URIRef)
        concepts = [
            {**_term(g, c), "notation": _text(g, c, SKOS.notation)}
            for c in g.subjects(SKOS.inScheme, s)
            if isinstance(c, URIRef)
        ]
        schemes.append({**_term(g, s), "concepts": sorted(concepts, key=lambda c: c["label"])})
    return {
        "iri": ONTOLOGY_IRI,
        "title": _text(g, onto, DCTERMS.title, RDFS.label),
        "description": _text(g, onto, DCTERMS.description),
        "version": _text(g, onto, OWL.versionInfo),
        "classes": sorted(classes, key=lambda c: c["label"].lower()),
        "properties": sorted(properties, key=lambda p: p["label"].lower()),
        "schemes": sorted(schemes, key=lambda s: s["label"].lower()),
    }
