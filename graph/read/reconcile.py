"""Reconciliation (OpenRefine, API 0.2): match names to entities, suggest, extend, preview.

The types and properties the service offers, and how a property's values are read, are in
:mod:`graph.read.properties` (re-exported here).
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pycountry
import pyoxigraph as ox

from graph.read.lookup import EntityView, entity_view
from graph.read.names import script_names
from graph.read.properties import (
    CLASS_TYPES,
    PROPERTIES,
    TYPES,
    EntityRef,
    Property,
    RecType,
    Value,
    property_values,
    valid_iris,
)
from graph.read.query import iri_values, select
from graph.read.search import Hit, SearchIndex, normalize
from graph.store import PerVersion, Store

__all__ = [
    "PROPERTIES",
    "TYPES",
    "Candidate",
    "EntityRef",
    "Preview",
    "Property",
    "Query",
    "RecType",
    "Value",
    "extend",
    "preview",
    "propose_properties",
    "reconcile",
    "suggest_entities",
    "suggest_properties",
    "suggest_types",
]


@dataclass(frozen=True)
class Query:
    """One reconciliation query: a name and/or property values, and the types wanted."""

    text: str | None = None
    types: tuple[str, ...] = ()
    type_strict: str = "any"
    limit: int = 5
    # (property id, values): a value is text (a name, code or IRI), a number, a bool or an
    # EntityRef whose IRI is already resolved
    properties: tuple[tuple[str, tuple[Value, ...]], ...] = ()


@dataclass(frozen=True)
class Candidate:
    """A candidate entity for a query: how well it matches, and whether that is sure."""

    iri: str
    name: str
    description: str
    score: float
    match: bool
    types: tuple[str, ...]
    features: tuple[tuple[str, float | bool], ...] = ()


# -- matching --------------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    return sorted(normalize(text).split())


def _kinds_of(types: Sequence[str]) -> list[frozenset[str] | None]:
    """The search kinds of each type asked for (None for a type the service does not have)."""
    out: list[frozenset[str] | None] = []
    for t in types:
        key = CLASS_TYPES.get(t, t)
        out.append(TYPES[key].kinds if key in TYPES else None)
    return out


def _type_ok(kinds: set[str], wanted: list[frozenset[str] | None], strict: str) -> bool:
    if not wanted or strict == "should":
        return True
    hits = [w is not None and bool(kinds & w) for w in wanted]
    return all(hits) if strict == "all" else any(hits)


@dataclass
class _Names:
    """The names, ids and codes each value entity is known by (to compare given values)."""

    keys: dict[str, set[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, store: Any, iris: Iterable[str]) -> _Names:
        found = cls()
        wanted = valid_iris(iris)
        for values in iri_values(wanted, 400):
            for r in select(
                store,
                f"""
                SELECT ?e ?n WHERE {{
                    VALUES ?e {{ {values} }}
                    {{ ?e rdfs:label|skos:altLabel ?n }} UNION {{ ?e bkg:iso3166Code ?n }}
                    UNION {{ ?e schema:sameAs ?n }}
                }}""",
            ):
                keys = found.keys.setdefault(r["e"], {r["e"], r["e"].split("/id/", 1)[-1]})
                name = str(r["n"])
                keys.add(" ".join(_words(name)))
                keys.add(name.rsplit("/", 1)[-1])  # a Wikidata IRI's Q-id
                if len(name) == 2 and name.isupper():
                    country = pycountry.countries.get(alpha_2=name)
                    if country is not None:
                        keys.add(country.alpha_3.casefold())
                        keys.add(name.casefold())
        return found


def _given_keys(value: Value) -> set[str]:
    if isinstance(value, EntityRef):
        return {value.iri}
    text = str(value).strip()
    return {text, " ".join(_words(text)), text.casefold()}


def _agrees(pid: str, have: list[Value], given: tuple[Value, ...], names: _Names) -> bool:
    """Whether one of the given values is one of the entity's values of the property."""
    keys: set[str] = set()
    for v in have:
        if isinstance(v, EntityRef):
            keys |= names.keys.get(v.iri, {v.iri})
        else:
            keys |= {str(v), " ".join(_words(str(v))), str(v).casefold()}
    return any(_given_keys(g) & keys for g in given)


def _lookup_by_key(store: Any, pid: str, given: tuple[Value, ...]) -> list[str]:
    """Entities that have one of the given values of an identifying property (no name given)."""
    found: set[str] = set()
    for value in given:
        text = value.iri if isinstance(value, EntityRef) else str(value).strip()
        if pid == "wikidata" and re.fullmatch(r"(?:.*/)?Q[1-9][0-9]*", text):
            term: ox.NamedNode | ox.Literal = ox.NamedNode(
                "http://www.wikidata.org/entity/" + text.rsplit("/", 1)[-1]
            )
            rows = select(store, "SELECT ?e ?v WHERE { ?e schema:sameAs ?v }", v=term)
        elif pid == "iso3166" and text:
            rows = select(
                store, "SELECT ?e ?v WHERE { ?e bkg:iso3166Code ?v }", v=ox.Literal(text.upper())
            )
        else:
            continue
        found |= {r["e"] for r in rows}
    return sorted(found)


def reconcile(index: SearchIndex, query: Query) -> list[Candidate]:
    """The candidates of one query, best first, ``match`` set only when sure.

    Names are matched as ``/api/search`` matches them (case, accents, aliases, spellings in
    other scripts, word order, prefixes, typos). A candidate is a sure match when its name is
    the query's (any word order), no other candidate has that name, it has a type asked for,
    and every property given that it has agrees; a name found only by spelling similarity is
    sure only when a property given also agrees.

    Args:
        index: the search index (its store is read for the properties).
        query: the query.

    Returns:
        At most ``query.limit`` candidates.

    Examples:
        >>> index = SearchIndex(seed_store())
        >>> [(c.name, c.match) for c in reconcile(index, Query("Sour Heng", ("person",)))]
        [('Heng Sour', True)]
        >>> [(c.name, c.match) for c in reconcile(index, Query("Lee", ("person",)))]
        [('Lee Jung-sik', False), ('Lee Cheol-woo', False)]
    """
    store = index.store
    wanted = _kinds_of(query.types)
    limit = max(1, min(query.limit, 100))
    if query.types and query.type_strict != "should" and all(w is None for w in wanted):
        return []  # only types this service does not have
    checkable = [(pid, vals) for pid, vals in query.properties if pid in PROPERTIES and vals]
    text = (query.text or "").strip()
    hits: list[Hit]
    if text:
        kinds: set[str] | None = None
        if wanted and query.type_strict == "any":
            kinds = set().union(*(w for w in wanted if w is not None))
        hits = index.search(text, types=kinds, limit=max(limit * 4, 20))
    else:
        iris = []
        for pid, vals in checkable:
            iris += _lookup_by_key(store, pid, vals)
        hits = [h for iri in dict.fromkeys(iris) for h in _hits_of(index, iri)]
    hits = [h for h in hits if _type_ok(set(h.types), wanted, query.type_strict)]
    if not hits:
        return []
    iris = [h.iri for h in hits]
    have = {pid: property_values(store, iris, pid) for pid, _ in checkable}
    refs = {
        v.iri
        for per_entity in have.values()
        for vals in per_entity.values()
        for v in vals
        if isinstance(v, EntityRef)
    }
    names = _Names.of(store, refs)
    words = _words(text) if text else []
    scored: list[tuple[float, bool, bool, Hit, list[tuple[str, float | bool]]]] = []
    for h in hits:
        exact = bool(words) and _words(h.matched) == words
        name_score = 100.0 if exact else h.score if text else 100.0
        features: list[tuple[str, float | bool]] = []
        if text:
            features.append(("name", round(name_score / 100, 3)))
        agreed = disagreed = 0
        for pid, given in checkable:
            values = have[pid].get(h.iri, [])
            if not values:
                continue  # nothing known: neither for nor against
            ok = _agrees(pid, values, given, names)
            features.append((f"property:{pid}", ok))
            agreed += ok
            disagreed += not ok
        typed = True
        if wanted and query.type_strict == "should":
            typed = any(w is not None and set(h.types) & w for w in wanted)
            features.append(("type", typed))
            name_score -= 0 if typed else 10
        score = name_score
        if agreed or disagreed:
            score = 0.7 * name_score + 30.0 * agreed / (agreed + disagreed)
        sure_name = exact or not text or (name_score >= 55 and agreed > 0)
        sure = sure_name and typed and not disagreed
        scored.append((round(score, 1), exact, sure, h, features))
    scored.sort(key=lambda s: (-s[0], s[3].label))
    best = scored[0]
    rivals = [s for s in scored[1:] if s[1] or s[0] >= best[0] - 5]
    descriptions = _described(index)
    out = []
    for i, (score, _exact, sure, h, features) in enumerate(scored[:limit]):
        out.append(
            Candidate(
                iri=h.iri,
                name=h.label,
                description=descriptions.get(h.iri, ""),
                score=score,
                match=i == 0 and sure and not rivals,
                types=tuple(_types_of(h.types)),
                features=tuple(features),
            )
        )
    return out


def _types_of(kinds: Iterable[str]) -> list[str]:
    kinds = set(kinds)
    return [t.id for t in TYPES.values() if t.kinds & kinds]


def _hits_of(index: SearchIndex, iri: str) -> list[Hit]:
    """The index's entry of one entity, as a hit (for queries by property only)."""
    rows = select(
        index.store, "SELECT ?e ?l WHERE { ?e rdfs:label ?l } LIMIT 1", e=ox.NamedNode(iri)
    )
    if not rows:
        return []
    return [h for h in index.search(rows[0]["l"], limit=50) if h.iri == iri][:1]


_DESCRIBED: weakref.WeakKeyDictionary[SearchIndex, PerVersion[dict[str, str]]] = (
    weakref.WeakKeyDictionary()
)


def _all_descriptions(store: Any) -> dict[str, str]:
    rows = select(
        store,
        """SELECT DISTINCT ?e WHERE {
            VALUES ?c { schema:Person org:Organization schema:Place org:Post } ?e a ?c }""",
    )
    return _descriptions(store, [r["e"] for r in rows])


def _described(index: SearchIndex) -> dict[str, str]:
    """The description of every entity, computed once per graph version (a batch of queries
    would otherwise read posts and countries for each candidate of each query)."""
    found = _DESCRIBED.get(index)
    if found is None:
        found = _DESCRIBED.setdefault(index, PerVersion(index.store, _all_descriptions))
    return found.get()


def _descriptions(store: Any, iris: Sequence[str]) -> dict[str, str]:
    """A short line per entity that tells namesakes apart: its posts, bodies and country."""
    posts = property_values(store, iris, "posts")
    country = property_values(store, iris, "country")
    out = {}
    for iri in iris:
        parts = [v.name for v in posts.get(iri, [])[:2] if isinstance(v, EntityRef)]
        parts += [
            v.name for v in country.get(iri, [])[:1] if isinstance(v, EntityRef) and v.iri != iri
        ]
        if parts:
            out[iri] = " · ".join(parts)
    return out


# -- suggest, extend, preview ----------------------------------------------------------------


def suggest_entities(
    index: SearchIndex, prefix: str, types: Sequence[str] = (), limit: int = 10
) -> list[Candidate]:
    """Entities for a type-ahead box: the search's best hits for what was typed so far.

    Args:
        index: the search index.
        prefix: what was typed.
        types: keep only entities of these types (ids of ``TYPES``).
        limit: at most this many.

    Returns:
        The hits as candidates (``match`` is never set).

    Examples:
        >>> index = SearchIndex(seed_store())
        >>> [c.name for c in suggest_entities(index, "이정")]
        ['Lee Jung-sik']
    """
    kinds: set[str] | None = None
    if types:
        kinds = set().union(*(w for w in _kinds_of(types) if w is not None))
        if not kinds:
            return []
    hits = index.search(prefix, types=kinds, limit=max(1, min(limit, 100)))
    descriptions = _described(index)
    return [
        Candidate(
            h.iri, h.label, descriptions.get(h.iri, ""), h.score, False, tuple(_types_of(h.types))
        )
        for h in hits
    ]


def _matches_prefix(prefix: str, *texts: str) -> bool:
    words = normalize(prefix).split()
    names = [normalize(t) for t in texts]
    return all(any(w.startswith(p) for n in names for w in n.split()) for p in words)


def suggest_types(prefix: str, limit: int = 10) -> list[RecType]:
    """The types whose id or name has words starting with the words typed.

    Examples:
        >>> [t.id for t in suggest_types("pla")]
        ['place']
    """
    return [t for t in TYPES.values() if _matches_prefix(prefix, t.id, t.name)][:limit]


def suggest_properties(prefix: str, limit: int = 10) -> list[Property]:
    """The properties whose id, name or description has words starting with the words typed.

    Examples:
        >>> [p.id for p in suggest_properties("wiki")]
        ['wikidata']
    """
    return [p for p in PROPERTIES.values() if _matches_prefix(prefix, p.id, p.name)][:limit]


def propose_properties(type_id: str | None, limit: int = 20) -> list[Property]:
    """The properties worth fetching for entities of a type (all of them without a type).

    Examples:
        >>> [p.id for p in propose_properties("post")]
        ['country', 'bodies', 'holders', 'wikidata', 'names']
    """
    key = CLASS_TYPES.get(type_id or "", type_id or "")
    props = [p for p in PROPERTIES.values() if not type_id or key in p.types]
    return props[: max(0, limit)]


def extend(
    store: Any, iris: Sequence[str], properties: Sequence[tuple[str, dict[str, Any]]]
) -> dict[str, dict[str, list[Value]]]:
    """The values of the properties asked for, for each entity (data extension).

    Args:
        store: the store.
        iris: the entities.
        properties: (property id, settings) pairs; a property the service does not have gets
            no values.

    Returns:
        For each entity, for each property id, its values (possibly none).

    Examples:
        >>> store = seed_store()
        >>> kh = "https://bilateral-kg.example/id/place/cambodia"
        >>> extend(store, [kh], [("wikidata", {}), ("iso3166", {})])[kh]
        {'wikidata': ['Q424'], 'iso3166': ['KH']}
    """
    rows: dict[str, dict[str, list[Value]]] = {iri: {} for iri in iris}
    for pid, settings in properties:
        values = property_values(store, list(iris), pid, settings) if pid in PROPERTIES else {}
        for iri in iris:
            rows[iri][pid] = values.get(iri, [])
    return rows


@dataclass(frozen=True)
class Preview:
    """What a preview card shows: the entity, a line about it, its names and one evidence."""

    iri: str
    name: str
    types: tuple[str, ...]
    description: str
    names: tuple[tuple[str, str], ...]  # (name, language)
    quote: str | None
    sentence: str | None  # the sentence of the source around the quote
    mark: tuple[int, int] | None  # where the quote is in the sentence
    fact: str | None
    source: str | None
    source_title: str | None
    start: int | None
    end: int | None


def preview(index: SearchIndex, iri: str) -> Preview | None:
    """The preview card of an entity, with one sentence of evidence that names it.

    Args:
        index: the search index (and its store).
        iri: the entity.

    Returns:
        The card, or None when the store knows nothing of the IRI.

    Examples:
        >>> index = SearchIndex(seed_store())
        >>> card = preview(index, "https://bilateral-kg.example/id/organization/kosha")
        >>> card.name
        'Korea Occupational Safety and Health Agency'
        >>> card.sentence[:40], card.sentence[card.mark[0] : card.mark[1]][:30]
        ('The minister asked Lee to expand the ski', 'the Korean Occupational Safety')
    """
    store = index.store
    try:
        view = entity_view(store, iri)
    except ValueError:
        return None
    if view is None:
        return None
    hits = [h for h in index.search(view.label, limit=20) if h.iri == iri]
    names = script_names(store, [iri]).get(iri, [])
    return Preview(
        iri=iri,
        name=view.label,
        types=tuple(_types_of(hits[0].types)) if hits else (),
        description=_descriptions(store, [iri]).get(iri, ""),
        names=tuple((n.name, n.language) for n in names),
        **_card_evidence(store, view),
    )


_EVIDENCE_FIELDS = ("quote", "sentence", "mark", "fact", "source", "source_title", "start", "end")


def _card_evidence(store: Store, view: EntityView) -> dict[str, Any]:
    """The evidence fields of a preview card: the first quote of a stated fact whose evidence
    names the entity, else of any stated fact, else of any fact; all None when none has any."""
    own = [normalize(n) for n in (view.label, *view.aliases) if len(normalize(n)) > 2]

    def names_it(f: Any) -> bool:
        return any(n in normalize(e.exact) for e in f.evidence for n in own)

    facts = sorted(view.facts, key=lambda f: (not f.evidence, f.layer != "stated", not names_it(f)))
    for f in facts:
        if f.evidence:
            ev = f.evidence[0]
            sentence, mark = _sentence(store, ev.source, ev.start, ev.end)
            return {
                "quote": ev.exact,
                "sentence": sentence,
                "mark": mark,
                "fact": f.label,
                "source": ev.source,
                "source_title": ev.source_title,
                "start": ev.start,
                "end": ev.end,
            }
    return dict.fromkeys(_EVIDENCE_FIELDS)


def _sentence(
    store: Any, source: str, start: int, end: int
) -> tuple[str | None, tuple[int, int] | None]:
    """The sentence of a source's text around a span, and where the span is in it."""
    rows = select(store, "SELECT ?s ?t WHERE { ?s schema:text ?t } LIMIT 1", s=ox.NamedNode(source))
    if not rows:
        return None, None
    text = str(rows[0]["t"])
    if not (0 <= start <= end <= len(text)):
        return None, None
    begin = max(text.rfind("\n", 0, start) + 1, _after_stop(text, start))
    stop = len(text)
    for i in range(end, len(text)):
        if text[i] == "\n" or (text[i] in ".!?" and (i + 1 == len(text) or text[i + 1] in " \n”")):
            stop = i + (1 if text[i] != "\n" else 0)
            if stop < len(text) and text[stop] == "”":
                stop += 1
            break
    while begin < start and text[begin] == " ":
        begin += 1
    return text[begin:stop], (start - begin, end - begin)


def _after_stop(text: str, start: int) -> int:
    """Where the sentence that holds ``start`` begins: after the last full stop before it."""
    for i in range(start - 1, 0, -1):
        if text[i] == " " and text[i - 1] in ".!?”":
            return i + 1
        if text[i] == "\n":
            return i + 1
    return 0
