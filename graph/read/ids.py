"""The graph's IRIs in our URLs: an IRI's short id, an id's IRI, and the local link to an IRI.

Examples:
    >>> short_id("https://kg.example/id/person/heng-sour", "https://kg.example/")
    'person/heng-sour'
    >>> full_iri("person/heng-sour", "https://kg.example/")
    'https://kg.example/id/person/heng-sour'
"""

from __future__ import annotations

from urllib.parse import quote

from ontology import ONTOLOGY_IRI

__all__ = ["full_iri", "local_href", "short_id"]


def short_id(iri: str, base: str) -> str:
    """The id of an IRI in our URLs: the part after ``{base}id/`` (other IRIs stay whole).

    Args:
        iri: the IRI.
        base: the configured base IRI.

    Returns:
        The short id, or the IRI itself when it is not one of the graph's ``id/`` IRIs.

    Examples:
        >>> short_id("http://www.wikidata.org/entity/Q1", "https://kg.example/")
        'http://www.wikidata.org/entity/Q1'
    """
    prefix = f"{base}id/"
    return iri[len(prefix) :] if iri.startswith(prefix) else iri


def full_iri(ident: str, base: str) -> str:
    """The IRI of an id (an id that is already an absolute IRI stays as it is).

    Args:
        ident: a short id (``person/heng-sour``) or an absolute IRI.
        base: the configured base IRI.

    Returns:
        The IRI.

    Examples:
        >>> full_iri("urn:isbn:1", "https://kg.example/")
        'urn:isbn:1'
    """
    return ident if ident.startswith(("http://", "https://", "urn:")) else f"{base}id/{ident}"


def local_href(iri: str, base: str) -> str | None:
    """Where a link to an IRI points: our own path for the graph's IRIs, else the IRI itself.

    Args:
        iri: the IRI.
        base: the configured base IRI.

    Returns:
        ``/id/...`` or ``/graph/...`` for IRIs under the base, ``/ontology`` for the
        vocabulary, the IRI for other http(s) IRIs (they link out), ``None`` otherwise.

    Examples:
        >>> local_href("https://kg.example/id/person/heng-sour", "https://kg.example/")
        '/id/person/heng-sour'
        >>> local_href("http://www.wikidata.org/entity/Q1", "https://kg.example/")
        'http://www.wikidata.org/entity/Q1'
    """
    for prefix in ("id/", "graph/"):
        if iri.startswith(base + prefix):
            # "%" is quoted too, so the decoded request path gives back the IRI exactly.
            return "/" + prefix + quote(iri[len(base + prefix) :], safe="/:@!$&'()*+,;=-._~")
    if iri.startswith(ONTOLOGY_IRI):
        return "/ontology"
    if iri.startswith(("http://", "https://")):
        return iri
    return None
