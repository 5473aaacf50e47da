"""Refuse SPARQL that would make the engine fetch anything on a query's behalf (SERVICE, LOAD)."""

from __future__ import annotations

import re
from collections.abc import Collection

__all__ = [
    "UnsafeQueryError",
    "check_query",
    "check_rdf",
    "check_update",
    "declares_dataset",
    "nesting",
    "service_targets",
]


class UnsafeQueryError(ValueError):
    """A query or update that would reach outside the store."""


# Strings and comments hide keywords; IRIs hide them too but are kept for SERVICE targets.
_STRING_OR_COMMENT = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r"|<[^<>\"{}|^`\\\s]*>"
    r"|#[^\n]*",
    re.DOTALL,
)
_KEYWORD = r"(?<![\w:?$\-.]){}(?![\w:\-])"
_SERVICE = re.compile(_KEYWORD.format("SERVICE"), re.IGNORECASE)
_LOAD = re.compile(_KEYWORD.format("LOAD"), re.IGNORECASE)
_FROM = re.compile(_KEYWORD.format("FROM"), re.IGNORECASE)
_TARGET = re.compile(r"\s*(?:SILENT\s*)?(<[^<>\s]*>|[?$]\w+|\S+)", re.IGNORECASE)


def _mask(text: str, keep_iris: bool) -> str:
    def blank(m: re.Match[str]) -> str:
        token = m.group(0)
        if keep_iris and token.startswith("<"):
            return token
        return " " * len(token)

    return _STRING_OR_COMMENT.sub(blank, text)


def service_targets(text: str) -> list[str]:
    """The endpoints named by the SERVICE clauses of a query (``?var`` when not an IRI).

    Examples:
        >>> service_targets("SELECT * { SERVICE <http://e/sparql> { ?s ?p ?o } }")
        ['http://e/sparql']
        >>> service_targets('SELECT * { ?s ?p "SERVICE <http://e/x>" } # SERVICE <http://f/>')
        []
        >>> service_targets("SELECT * { ?s <http://e/SERVICE> ?o . ?service ?p ?o }")
        []
    """
    with_iris = _mask(text, keep_iris=True)
    bare = _mask(text, keep_iris=False)
    targets = []
    for m in _SERVICE.finditer(bare):
        t = _TARGET.match(with_iris, m.end())
        token = t.group(1) if t else ""
        targets.append(token[1:-1] if token.startswith("<") else token)
    return targets


_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)


def check_rdf(data: bytes, media: str) -> None:
    """Refuse RDF/XML that declares a DTD or entities: external entities read files or the
    network, and nested internal ones expand to gigabytes ("billion laughs").

    Raises:
        UnsafeQueryError: with the reason.

    Examples:
        >>> check_rdf(b'<!DOCTYPE r [<!ENTITY a "aaaa">]><rdf:RDF/>', "application/rdf+xml")
        Traceback (most recent call last):
        ...
        graph.store.safety.UnsafeQueryError: RDF/XML with a DTD or entity declarations ...
    """
    if "xml" in media and _DTD.search(data[:65536] if len(data) > 65536 else data):
        raise UnsafeQueryError("RDF/XML with a DTD or entity declarations is not accepted")


def declares_dataset(text: str) -> bool:
    """Whether a query names its own dataset (``FROM`` or ``FROM NAMED``).

    Examples:
        >>> declares_dataset("SELECT * FROM <http://e/g> { ?s ?p ?o }")
        True
        >>> declares_dataset('SELECT * { ?s <http://e/from> "FROM" }')
        False
    """
    return _FROM.search(_mask(text, keep_iris=False)) is not None


MAX_NESTING = 1000
_OPEN, _CLOSE = frozenset("{(["), frozenset("})]")


def nesting(text: str) -> int:
    """The deepest nesting of braces, parentheses and brackets outside strings and IRIs.

    Examples:
        >>> nesting('SELECT * { { ?s ?p "((((" } FILTER ((1)) }')
        3
    """
    depth = deepest = 0
    for char in _mask(text, keep_iris=False):
        if char in _OPEN:
            depth += 1
            deepest = max(deepest, depth)
        elif char in _CLOSE:
            depth -= 1
    return deepest


def _check_nesting(text: str) -> None:
    # The engine's parser recurses: thousands of nested groups overflow its stack and kill the
    # process, so deep nesting is refused before it gets there.
    if nesting(text) > MAX_NESTING:
        raise UnsafeQueryError(
            f"the request nests groups or expressions more than {MAX_NESTING} deep; flatten it"
        )


def check_query(text: str, allowed_services: Collection[str] = ()) -> None:
    """Refuse a query whose SERVICE clauses name endpoints outside the allow-list.

    Raises:
        UnsafeQueryError: with a message naming the endpoint.

    Examples:
        >>> check_query("ASK { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
        Traceback (most recent call last):
        ...
        graph.store.safety.UnsafeQueryError: SERVICE <http://127.0.0.1:9/> is not allowed: ...
    """
    _check_nesting(text)
    for target in service_targets(text):
        if target not in allowed_services:
            shown = f"<{target}>" if "://" in target or target.startswith("urn:") else target
            raise UnsafeQueryError(
                f"SERVICE {shown} is not allowed: this endpoint does not fetch remote data on "
                f"a query's behalf"
            )


def check_update(text: str, allowed_services: Collection[str] = ()) -> None:
    """Refuse an update that uses LOAD, or a SERVICE outside the allow-list.

    Raises:
        UnsafeQueryError: with a message saying what is refused.

    Examples:
        >>> check_update("LOAD <file:///etc/passwd>")
        Traceback (most recent call last):
        ...
        graph.store.safety.UnsafeQueryError: LOAD is not allowed: ...
        >>> check_update('INSERT DATA { <http://e/s> <http://e/p> "LOAD" }')
    """
    if _LOAD.search(_mask(text, keep_iris=False)):
        raise UnsafeQueryError(
            "LOAD is not allowed: this endpoint does not fetch remote or local files"
        )
    check_query(text, allowed_services)
