"""Run our SELECT queries on a store: the graph's prefixes, bound terms, rows of plain values.

Examples:
    >>> from graph.store import memory_store
    >>> select(memory_store(), "SELECT ?x WHERE { BIND (1 AS ?x) }")
    [{'x': 1}]
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import pyoxigraph as ox

from graph.store import Store
from ontology.vocabulary import PREFIXES

__all__ = ["Filters", "iri_values", "select", "solutions", "value"]


def value(term: Any) -> Any:
    """A term as a plain Python value: numbers of the XSD numeric types as int or float, any
    other term as its lexical form or IRI, ``None`` as ``None``.

    Examples:
        >>> value(ox.Literal("7", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")))
        7
    """
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        dt = term.datatype.value
        if dt.endswith(("#integer", "#int", "#long", "#nonNegativeInteger")):
            return int(term.value)
        if dt.endswith(("#decimal", "#double", "#float")):
            return float(term.value)
        return term.value
    return term.value


def select(store: Store, query: str, **bindings: ox.NamedNode | ox.Literal) -> list[dict[str, Any]]:
    """Run a SELECT with our prefixes; rows as dicts of plain Python values.

    Args:
        store: the store.
        query: the SELECT query, without prefixes.
        **bindings: variables bound to RDF terms before evaluation (SEP-0007 substitution:
            each must also be in the projection).

    Returns:
        One dict per solution; unbound variables are ``None``.
    """
    result = store.query(PREFIXES + query, bindings=bindings)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return [{n: value(row[n]) for n in names} for row in result]


def solutions(
    store: Store, query: str, **bindings: ox.NamedNode | ox.Literal
) -> list[dict[str, Any]]:
    """Run a SELECT with our prefixes; rows of RDF terms (literals keep language and datatype).

    Args:
        store: the store.
        query: the SELECT query, without prefixes.
        **bindings: variables bound to RDF terms before evaluation.

    Returns:
        One dict per solution, of pyoxigraph terms; unbound variables are ``None``.
    """
    result = store.query(PREFIXES + query, bindings=bindings)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return [{n: row[n] for n in names} for row in result]


def iri_values(iris: Iterable[str], size: int = 200) -> Iterator[str]:
    """IRIs as the bodies of ``VALUES`` blocks, ``size`` a block, sorted and each once (IRIs
    written as terms, so nothing a client sent is pasted into a query as text).

    Examples:
        >>> list(iri_values(["https://x/b", "https://x/a", "https://x/a"], size=1))
        ['<https://x/a>', '<https://x/b>']
    """
    ordered = sorted(set(iris))
    for i in range(0, len(ordered), size):
        yield " ".join(str(ox.NamedNode(n)) for n in ordered[i : i + size])


class Filters:
    """The optional conditions of a query: each a value bound to a variable (as a term, never
    pasted) and the clause that uses it, added only when the value is given.

    ``variables`` go in the SELECT (a bound variable must be in the projection), ``clauses`` in
    the WHERE, and ``bindings`` to :func:`select`.

    Examples:
        >>> wanted = Filters()
        >>> wanted.add("wantKind", "date", "FILTER (?kind = ?wantKind)")
        >>> wanted.add("wantSource", None, "?c bkg:reportedIn ?wantSource .")
        >>> wanted.variables, wanted.clauses
        ('?wantKind', 'FILTER (?kind = ?wantKind)')
        >>> wanted.bindings == {"wantKind": ox.Literal("date")}
        True
    """

    def __init__(self, **bindings: ox.NamedNode | ox.Literal) -> None:
        self.bindings: dict[str, ox.NamedNode | ox.Literal] = dict(bindings)
        self._clauses: list[str] = []

    def add(self, name: str, given: ox.NamedNode | str | None, clause: str) -> None:
        """Bind ``name`` to ``given`` (a string as a plain literal) and use ``clause``; nothing
        when ``given`` is None."""
        if given is None:
            return
        self.bindings[name] = ox.Literal(given) if isinstance(given, str) else given
        self._clauses.append(clause)

    @property
    def variables(self) -> str:
        """The bound variables, for the SELECT."""
        return " ".join(f"?{k}" for k in self.bindings)

    @property
    def clauses(self) -> str:
        """The clauses of the values given, for the WHERE."""
        return " ".join(self._clauses)
