"""One home for the graph's vocabulary: prefixes, layers, kinds of node and relation groups.

Every other module takes these from here; a new kind of node, layer or relation is one line.
The statuses and fields are the notations of the SKOS schemes (:func:`ontology.scheme_notations`).

Examples:
    >>> NAMESPACES["schema"]
    'https://schema.org/'
    >>> PREFIXES.splitlines()[0]
    'PREFIX bkg: <https://bilateral-kg.example/ontology#>'
    >>> LAYERS
    ('stated', 'inferred', 'derived', 'reference')
    >>> kind_of("schema:NewsArticle"), kind_of("schema:Report")
    ('source', 'source')
    >>> RELATION_GROUP["attendee"]
    'interaction'
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib.namespace import DCTERMS, ORG, PROV, QB, RDF, RDFS, SDO, SKOS, TIME, XSD

from ontology import (
    BKG_IRI,
    OA,
    SCHEME_NAMESPACES,
    SDMX_CODE,
    SDMX_DIMENSION,
    SDMX_MEASURE,
    scheme_labels,
)

__all__ = [
    "DEFAULT_GROUPS",
    "DESCRIPTION_NAMESPACES",
    "FACT_LAYERS",
    "GRAPH_LAYERS",
    "GROUPS",
    "HUB_KINDS",
    "KINDS",
    "LAYERS",
    "NAMESPACES",
    "PREFIXES",
    "RELATION_GROUP",
    "SEARCH_KINDS",
    "Kind",
    "curie",
    "kind_of",
    "kinds_values",
    "status_words",
]

# ---- prefixes ------------------------------------------------------------------------------

#: Our prefixes, in the order queries, the editor and Turtle show them.
NAMESPACES: dict[str, str] = {
    "bkg": BKG_IRI,
    "status": SCHEME_NAMESPACES["status"],
    "field": SCHEME_NAMESPACES["field"],
    "epi": SCHEME_NAMESPACES["epistemic"],
    "plover": SCHEME_NAMESPACES["plover"],
    "cameo": SCHEME_NAMESPACES["cameo"],
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "schema": str(SDO),
    "org": str(ORG),
    "prov": str(PROV),
    "oa": str(OA),
    "qb": str(QB),
    "time": str(TIME),
    "sdmxd": str(SDMX_DIMENSION),
    "sdmxm": str(SDMX_MEASURE),
    "sdmxc": str(SDMX_CODE),
}
#: The PREFIX declarations of :data:`NAMESPACES`, prepended to our queries.
PREFIXES = "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in NAMESPACES.items())
#: The prefixes of a resource's RDF description and of the short names of its terms.
DESCRIPTION_NAMESPACES: dict[str, str] = {**NAMESPACES, "dcterms": str(DCTERMS)}


def curie(iri: str, namespaces: dict[str, str] = NAMESPACES) -> str | None:
    """The short name of an IRI (``schema:Person``), or ``None`` outside the namespaces.

    Examples:
        >>> curie("https://schema.org/Person"), curie("https://example.org/x")
        ('schema:Person', None)
    """
    for prefix, ns in namespaces.items():
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns) :]}"
    return None


# ---- layers --------------------------------------------------------------------------------

#: The named graphs the build writes, by name: the epistemic layer of what each holds, and what
#: that is. ``stated`` and ``inferred`` come once per source, the others once.
GRAPH_LAYERS: dict[str, tuple[str, str]] = {
    "stated": ("stated", "what one source states"),
    "inferred": ("inferred", "what was inferred from one source, each fact with its reason"),
    "derived": ("derived", "what the build computed: shortcut links and statistics"),
    "reference": ("reference", "reference data: the entity register, ISO 3166, Wikidata"),
    "ontology": ("reference", "the ontology and its SKOS schemes"),
}
#: The epistemic layers (the notations of the epistemic scheme), in the order they are shown.
LAYERS: tuple[str, ...] = tuple(dict.fromkeys(layer for layer, _ in GRAPH_LAYERS.values()))
#: The layers of facts (what the sources say, and what follows from it), without reference.
FACT_LAYERS: tuple[str, ...] = tuple(layer for layer in LAYERS if layer != "reference")

# ---- kinds of node -------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """A kind of node, as search, the projection and the explorer name it."""

    name: str
    classes: tuple[str, ...]  # the classes (CURIEs) whose instances are of this kind
    search: int | None  # search ranks lower first; None: not found by name
    specific: int  # a node of several kinds takes the one with the lowest number
    shown: int  # the explorer shows a node's neighbours in this order (then by label)


#: Every kind of node, one line each.
KINDS: tuple[Kind, ...] = (
    Kind("person", ("schema:Person",), search=0, specific=4, shown=1),
    Kind("organization", ("org:Organization",), search=0, specific=3, shown=2),
    Kind("country", ("schema:Country",), search=0, specific=0, shown=3),
    Kind("place", ("schema:AdministrativeArea", "schema:City"), search=0, specific=2, shown=3),
    Kind("programme", ("bkg:Programme",), search=0, specific=5, shown=9),
    Kind("post", ("org:Post",), search=1, specific=5, shown=5),
    Kind("group", ("schema:Audience",), search=1, specific=5, shown=9),
    # A text that says things: a news article the graph is built from, or a post or report a
    # source cites. One kind, so that a filter by kind has one box for them.
    Kind(
        "source",
        ("schema:NewsArticle", "schema:SocialMediaPosting", "schema:Report"),
        search=1,
        specific=5,
        shown=9,
    ),
    Kind("dataset", ("qb:DataSet",), search=1, specific=5, shown=9),
    Kind("meeting", ("bkg:Meeting",), search=2, specific=1, shown=0),
    Kind("act", ("bkg:CooperationAct",), search=2, specific=1, shown=4),
    Kind("statement", ("bkg:Statement",), search=3, specific=1, shown=6),
    Kind("observation", ("qb:Observation",), search=None, specific=1, shown=9),
)
#: The kinds search finds (and its ``type`` filter takes).
SEARCH_KINDS: tuple[str, ...] = tuple(k.name for k in KINDS if k.search is not None)
#: Kinds of node that link nearly everything (a path may avoid them).
HUB_KINDS = frozenset({"country"})


def kind_of(curie: str) -> str | None:
    """The kind of the instances of a class (by CURIE), or ``None`` for no kind of ours."""
    return next((k.name for k in KINDS if curie in k.classes), None)


def kinds_values(searched: bool = False) -> str:
    """A SPARQL ``VALUES`` block binding ``?cls`` to ``?kind`` (and ``?rank`` for search).

    Args:
        searched: only the kinds search finds, each with its search rank as ``?rank``.

    Returns:
        The block, to paste into a query of ours with :data:`PREFIXES`.

    Examples:
        >>> print(kinds_values().splitlines()[1].strip())
        (schema:Person "person")
    """
    if searched:
        rows = [
            f'({cls} "{k.name}" {k.search})'
            for k in KINDS
            if k.search is not None
            for cls in k.classes
        ]
        head = "VALUES (?cls ?kind ?rank) {"
    else:
        rows = [f'({cls} "{k.name}")' for k in KINDS for cls in k.classes]
        head = "VALUES (?cls ?kind) {"
    return "\n".join([head, *(f"    {row}" for row in rows), "}"])


# ---- relations -----------------------------------------------------------------------------

#: Relation groups a user can choose, each with its relations: (local name, words for the
#: forward direction, words for the backward direction).
GROUPS: dict[str, dict[str, tuple[str, str]]] = {
    "interaction": {
        "attendee": ("attended by", "attended"),
        "actor": ("made by", "made"),
        "addressee": ("addressed to", "was addressed by"),
        "partner": ("names as partner", "named as partner in"),
        "beneficiary": ("would benefit", "would benefit from"),
        "concerns": ("concerns", "is concerned by"),
        "speaker": ("said by", "said"),
        "about": ("is about", "is the subject of"),
        "occasion": ("made at", "was the occasion of"),
        "counterpartOf": ("is the counterpart of", "is the counterpart of"),
    },
    "organization": {
        "holds": ("holds", "is held by"),
        "areaServed": ("governs", "is governed by"),
        "postIn": ("is a post in", "has the post"),
        "memberOf": ("is a member of", "has the member"),
        "subOrganizationOf": ("is part of", "has the part"),
    },
    "geography": {
        "location": ("is located in", "is the location of"),
        "country": ("is a body of", "has the body"),
        "containedInPlace": ("lies in", "contains"),
        "nationality": ("is a national of", "has the national"),
        "originCountry": ("counts people from", "is the origin in"),
        "destinationCountry": ("counts people in", "is the destination in"),
    },
    "provenance": {
        "hadPrimarySource": ("is reported by", "reports"),
        "wasAttributedTo": ("is attributed to", "is the source of"),
        "author": ("was written by", "wrote"),
        "dataSet": ("is in the dataset", "holds"),
    },
    "derived": {
        "metWith": ("met with", "met with"),
        "agreedWith": ("agreed with", "agreed with"),
        "requestedCooperationWith": ("requested cooperation of", "was asked for cooperation by"),
        "proposedCooperationWith": ("proposed to", "received a proposal from"),
        "namedAsPartnerWith": ("is named as partner with", "is named as partner with"),
    },
}
#: The groups used when a user chooses none: all but the derived shortcuts.
DEFAULT_GROUPS: tuple[str, ...] = tuple(g for g in GROUPS if g != "derived")
#: Each relation's group.
RELATION_GROUP: dict[str, str] = {rel: group for group, rels in GROUPS.items() for rel in rels}


# ---- statuses ------------------------------------------------------------------------------


def status_words(status: str | None) -> str:
    """A status as pages say it: the scheme's label of its notation (the API's one spelling).

    Examples:
        >>> status_words("under-examination"), status_words("agreed"), status_words(None)
        ('under examination', 'agreed', '')
    """
    if not status:
        return ""
    return scheme_labels("status").get(status, status.replace("-", " "))
