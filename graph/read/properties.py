"""What the reconciliation service offers and reads: its types (``RecType``, ``TYPES``), its
properties (``Property``, ``PROPERTIES``) and each property's values for a set of entities
(:func:`property_values`, for matching, data extension and the PLOVER export).

Part of the reconciliation service (:mod:`graph.read.reconcile`, which re-exports these).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from graph.read.names import script_names
from graph.read.query import iri_values, select
from ontology.vocabulary import NAMESPACES

__all__ = [
    "CLASS_TYPES",
    "PROPERTIES",
    "TYPES",
    "EntityRef",
    "Property",
    "RecType",
    "Value",
    "property_values",
    "valid_iris",
]

SCHEMA = NAMESPACES["schema"]
ORG = NAMESPACES["org"]


@dataclass(frozen=True)
class RecType:
    """A type of the service: an id, a name, and the search kinds it covers."""

    id: str
    name: str
    description: str
    kinds: frozenset[str]


#: The types a query may ask for, by id (the kinds of the search index).
TYPES: dict[str, RecType] = {
    t.id: t
    for t in (
        RecType("person", "Person", "a person (schema:Person)", frozenset({"person"})),
        RecType(
            "organization",
            "Organization",
            "a body: ministry, agency, union, provincial government (org:Organization)",
            frozenset({"organization"}),
        ),
        RecType("country", "Country", "a country (schema:Country)", frozenset({"country"})),
        RecType(
            "place",
            "Place",
            "a country, province or city (schema:Place)",
            frozenset({"place", "country"}),
        ),
        RecType("post", "Post", "an office such as a ministership (org:Post)", frozenset({"post"})),
        RecType("programme", "Programme", "a scheme such as the EPS", frozenset({"programme"})),
        RecType("group", "Group", "a group of people (schema:Audience)", frozenset({"group"})),
        RecType("meeting", "Meeting", "a meeting (schema:Event)", frozenset({"meeting"})),
        RecType(
            "act",
            "Cooperation act",
            "an agreement, request, proposal, pledge, examination or endorsement",
            frozenset({"act"}),
        ),
    )
}

#: What the kinds of the standard classes are, so that a type may also be given as a class IRI.
CLASS_TYPES = {
    SCHEMA + "Person": "person",
    ORG + "Organization": "organization",
    SCHEMA + "Country": "country",
    SCHEMA + "Place": "place",
    ORG + "Post": "post",
    SCHEMA + "Event": "meeting",
}


@dataclass(frozen=True)
class Property:
    """A property of the service: for matching (``v`` of a query) and for data extension."""

    id: str
    name: str
    description: str
    types: frozenset[str]  # the types it applies to
    entities: bool  # its values are entities (else strings)


#: The properties, by id.
PROPERTIES: dict[str, Property] = {
    p.id: p
    for p in (
        Property(
            "country",
            "Country",
            "the country of a body or place; of a person, the stated nationality or the country "
            "of a body where they hold a post. Match by name, ISO 3166 code (KH, KHM) or id",
            frozenset({"person", "organization", "place", "country", "post"}),
            True,
        ),
        Property(
            "posts",
            "Posts",
            "the posts a person holds, or the posts of a body",
            frozenset({"person", "organization"}),
            True,
        ),
        Property(
            "bodies",
            "Bodies",
            "the bodies where a person holds a post, or the body of a post",
            frozenset({"person", "post"}),
            True,
        ),
        Property(
            "holders",
            "Post holders",
            "who holds the post, or a post of the body",
            frozenset({"post", "organization"}),
            True,
        ),
        Property(
            "meetings",
            "Meetings attended",
            "the meetings the person attended",
            frozenset({"person"}),
            True,
        ),
        Property(
            "acts",
            "Cooperation acts",
            "the acts the entity made (or was addressed, or named as partner in: setting role), "
            "by their current status (setting status)",
            frozenset({"person", "organization", "country"}),
            True,
        ),
        Property(
            "wikidata",
            "Wikidata id",
            "the Wikidata item (Q-id), where verified",
            frozenset(TYPES) - {"meeting", "act"},
            False,
        ),
        Property(
            "iso3166",
            "ISO 3166 code",
            "the ISO 3166-1 alpha-2 or ISO 3166-2 code of a country, province or city",
            frozenset({"place", "country"}),
            False,
        ),
        Property(
            "names",
            "Names in other scripts",
            "the names in Khmer, Korean, ..., each verified on a page the entity page links",
            frozenset(TYPES) - {"meeting", "act"},
            False,
        ),
    )
}

# What each property's values are: a pattern binding ?v (and, for acts, ?status and ?role)
# for each entity ?e. The last three cover places: a country is its own country.
_PATTERNS: dict[str, str] = {
    "country": """
        { ?e schema:nationality ?v } UNION { ?e bkg:country ?v }
        UNION { ?e org:holds/org:postIn/bkg:country ?v } UNION { ?e org:postIn/bkg:country ?v }
        UNION { ?e schema:containedInPlace+ ?v . ?v a schema:Country }
        UNION { ?e a schema:Country . BIND (?e AS ?v) }""",
    "posts": "{ ?e org:holds ?v } UNION { ?v org:postIn ?e }",
    "bodies": "{ ?e org:holds/org:postIn ?v } UNION { ?e org:postIn ?v }",
    "holders": "{ ?v org:holds ?e } UNION { ?v org:holds/org:postIn ?e }",
    "meetings": "?v a bkg:Meeting ; schema:attendee ?e .",
    "acts": """
        VALUES (?rp ?role) { (bkg:actor "actor") (bkg:addressee "addressee")
                             (bkg:partner "partner") }
        ?v ?rp ?e ; a bkg:CooperationAct ; bkg:status ?stated .
        # the current status where a later act changed it (its status history), else the
        # stated one
        OPTIONAL { ?v bkg:currentStatus ?current }
        BIND (COALESCE(?current, ?stated) AS ?st) ?st skos:notation ?status .""",
    "wikidata": """?e schema:sameAs ?v .
        FILTER (STRSTARTS(STR(?v), "http://www.wikidata.org/entity/Q"))""",
    "iso3166": "?e bkg:iso3166Code ?v .",
}


@dataclass(frozen=True)
class EntityRef:
    """An entity as a value: its IRI and its name."""

    iri: str
    name: str


Value = str | int | float | bool | EntityRef


def valid_iris(iris: Iterable[str]) -> list[str]:
    """The strings that are IRIs, sorted and each once (the others dropped)."""
    out = []
    for iri in iris:
        try:
            ox.NamedNode(iri)
        except ValueError:
            continue
        out.append(iri)
    return sorted(set(out))


def _property_rows(store: Any, iris: Sequence[str], pid: str) -> list[dict[str, Any]]:
    """The rows (``e``, ``v`` and, for acts, ``status`` and ``role``) of one property."""
    if pid == "names":
        return [
            {"e": e, "v": n.name, "lang": n.lang, "source": n.source}
            for e, names in script_names(store, iris).items()
            for n in names
        ]
    rows: list[dict[str, Any]] = []
    extra = " ?status ?role" if pid == "acts" else ""
    for values in iri_values(valid_iris(iris), 400):
        rows += select(
            store,
            f"""
            SELECT DISTINCT ?e ?v ?label{extra} WHERE {{
                VALUES ?e {{ {values} }}
                {_PATTERNS[pid]}
                OPTIONAL {{ ?v rdfs:label ?label }}
            }} ORDER BY ?e ?label ?v""",
        )
    return rows


def property_values(
    store: Any, iris: Sequence[str], pid: str, settings: dict[str, Any] | None = None
) -> dict[str, list[Value]]:
    """The values of one property for each entity.

    Args:
        store: the store.
        iris: the entities.
        pid: a property id of ``PROPERTIES``.
        settings: for ``acts``: ``status`` (a status notation, or ``any``) and ``role``
            (``actor``, ``addressee``, ``partner`` or ``any``); for every property ``limit``
            (at most this many values; 0: all).

    Returns:
        For each entity, its values in a stable order (entities as ``EntityRef``).

    Examples:
        >>> store = seed_store()
        >>> sour = "https://bilateral-kg.example/id/person/heng-sour"
        >>> [v.name for v in property_values(store, [sour], "country")[sour]]
        ['Cambodia']
        >>> len(property_values(store, [sour], "acts", {"status": "requested"})[sour])
        3
    """
    settings = settings or {}
    status = str(settings.get("status") or "any")
    role = str(settings.get("role") or "actor")
    try:
        limit = max(0, int(settings.get("limit") or 0))
    except (TypeError, ValueError):
        limit = 0
    out: dict[str, list[Value]] = {}
    seen: dict[str, set[Any]] = {}
    for r in _property_rows(store, iris, pid):
        if pid == "acts" and (
            (status != "any" and r["status"] != status) or (role != "any" and r["role"] != role)
        ):
            continue
        value: Value
        if pid == "wikidata":
            value = str(r["v"]).rsplit("/", 1)[1]
        elif PROPERTIES[pid].entities:
            value = EntityRef(r["v"], r.get("label") or r["v"])
        else:
            value = r["v"]
        if value in seen.setdefault(r["e"], set()):
            continue
        seen[r["e"]].add(value)
        values = out.setdefault(r["e"], [])
        if not limit or len(values) < limit:
            values.append(value)
    return out
