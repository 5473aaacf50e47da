"""Route parameters as graph terms: ids as IRIs, names as nodes, countries, comma lists.

Every function here turns what a client sent into what the read side takes, or raises the
problem (404 or 400) that says what was wrong; the routes share them.
"""

from __future__ import annotations

from collections.abc import Container, Iterator
from contextlib import contextmanager
from typing import Annotated

import pyoxigraph as ox
from fastapi import Query

from api.problems import Problem
from graph.read.ids import full_iri
from graph.read.lists import country
from graph.read.lookup import resolve_name
from graph.read.search import SearchIndex
from graph.store import Store
from ontology.vocabulary import GROUPS, LAYERS

__all__ = [
    "LayersParam",
    "RelationsParam",
    "country_of",
    "node_named",
    "node_of",
    "rejected",
    "split",
]

#: ``?relations=``: the relation groups to follow, comma-separated.
RelationsParam = Annotated[
    str | None, Query(description="comma-separated relation groups: " + ", ".join(GROUPS))
]
#: ``?layers=``: the epistemic layers to follow, comma-separated.
LayersParam = Annotated[
    str | None, Query(description="comma-separated layers: " + ", ".join(LAYERS))
]


def node_of(ident: str, base: str) -> ox.NamedNode:
    """The IRI term of an id, or a 404 problem when the id cannot be an IRI of the graph."""
    try:
        return ox.NamedNode(full_iri(ident, base))
    except ValueError:
        raise Problem(404, f"nothing in the graph is called {ident[:80]!r}") from None


def node_named(ident: str, base: str, index: SearchIndex, nodes: Container[str]) -> str:
    """An id, an IRI or a name as a node of ``nodes`` (a projection), as the command line
    finds it (:func:`graph.read.lookup.resolve_name`); a 404 problem when the name gives no
    node, listing the nodes it may name or the nearest names."""
    named = resolve_name(index, nodes, ident, base)
    if named.iri is None:
        raise Problem(404, named.message(base))
    return named.iri


def country_of(store: Store, code: str, base: str) -> ox.NamedNode:
    """A country by id (place/cambodia), IRI or ISO 3166-1 code (KH); else a 400 problem."""
    node = country(store, code, base)
    if node is None:
        raise Problem(
            400,
            f"{code!r} is not a country of the graph (give an id such as "
            "place/cambodia or an ISO 3166-1 code such as KH)",
        )
    return node


def split(value: str | None) -> list[str] | None:
    """A comma-separated parameter as a list (``None`` when absent or empty)."""
    return [v.strip() for v in value.split(",") if v.strip()] if value else None


@contextmanager
def rejected() -> Iterator[None]:
    """A ``ValueError`` the read side raises over what a client sent, as a 400 problem."""
    try:
        yield
    except ValueError as exc:
        raise Problem(400, str(exc)) from None
