"""Names in their own scripts (Khmer, Hangul, ...), each with its language and source."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pycountry

from graph.read.query import iri_values, select
from graph.store import Store

__all__ = ["ScriptName", "language_name", "script_names"]

#: Names of the languages, where pycountry's ISO 639 name is not the one a reader expects.
_LANGUAGE_NAMES = {"km": "Khmer"}


@dataclass(frozen=True)
class ScriptName:
    """A name of an entity in one language, with the page it was verified on."""

    entity: str
    name: str
    lang: str
    language: str
    source: str | None


def language_name(code: str) -> str:
    """The English name of a language code.

    Examples:
        >>> language_name("ko"), language_name("km"), language_name("xx-yy")
        ('Korean', 'Khmer', 'xx-yy')
    """
    if code in _LANGUAGE_NAMES:
        return _LANGUAGE_NAMES[code]
    found = pycountry.languages.get(alpha_2=code.split("-")[0])
    return str(found.name) if found is not None else code


def script_names(store: Store, iris: Iterable[str]) -> dict[str, list[ScriptName]]:
    """The names of entities in languages other than English, with their sources.

    Args:
        store: the store.
        iris: the entities.

    Returns:
        For each entity that has any, its names ordered by language and name.

    Examples:
        >>> store = seed_store()
        >>> iri = "https://bilateral-kg.example/id/person/heng-sour"
        >>> [(n.name, n.language) for n in script_names(store, [iri])[iri]]
        [('ហេង សួរ', 'Khmer')]
    """
    found: dict[str, list[ScriptName]] = {}
    # each IRI checked and written by Oxigraph (a bad one raises ValueError), never pasted
    for values in iri_values(iris):
        for r in select(
            store,
            f"""
            PREFIX skosxl: <http://www.w3.org/2008/05/skos-xl#>
            PREFIX dcterms: <http://purl.org/dc/terms/>
            SELECT ?e ?name (LANG(?name) AS ?lang) (SAMPLE(?src) AS ?source) WHERE {{
                VALUES ?e {{ {values} }}
                ?e skos:altLabel ?name .
                FILTER (LANG(?name) != "" && !LANGMATCHES(LANG(?name), "en"))
                OPTIONAL {{ ?e skosxl:altLabel ?l . ?l skosxl:literalForm ?name ;
                                                        dcterms:source ?src . }}
            }} GROUP BY ?e ?name ORDER BY ?e ?lang ?name""",
        ):
            found.setdefault(r["e"], []).append(
                ScriptName(r["e"], r["name"], r["lang"], language_name(r["lang"]), r["source"])
            )
    return found
