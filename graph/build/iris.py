"""Mint the graph's IRIs: readable slugs under one configurable base, the same on every build."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from rdflib import URIRef

__all__ = ["DEFAULT_BASE", "Iris"]

DEFAULT_BASE = "https://bilateral-kg.example/"


@dataclass(frozen=True)
class Iris:
    """The IRI scheme under one base.

    Examples:
        >>> iris = Iris("https://kg.example/")
        >>> iris.entity("person", "heng-sour")
        rdflib.term.URIRef('https://kg.example/id/person/heng-sour')
        >>> iris.span("ppp", 10, 42)
        rdflib.term.URIRef('https://kg.example/id/span/ppp/10-42')
        >>> iris.graph("stated", "ppp")
        rdflib.term.URIRef('https://kg.example/graph/stated/ppp')
    """

    base: str = DEFAULT_BASE

    def __post_init__(self) -> None:
        if not self.base.endswith("/"):
            raise ValueError(f"the base IRI must end with '/': {self.base!r}")

    def entity(self, group: str, ident: str) -> URIRef:
        """A register entity, a meeting, an act, a statement or an observation."""
        return URIRef(f"{self.base}id/{group}/{ident}")

    def source(self, source_id: str) -> URIRef:
        return URIRef(f"{self.base}id/source/{source_id}")

    def span(self, source_id: str, start: int, end: int) -> URIRef:
        return URIRef(f"{self.base}id/span/{source_id}/{start}-{end}")

    def mention(self, source_id: str, start: int, end: int) -> URIRef:
        return URIRef(f"{self.base}id/mention/{source_id}/{start}-{end}")

    def assertion(self, source_id: str, fact_id: str) -> URIRef:
        return URIRef(f"{self.base}id/assertion/{source_id}/{fact_id}")

    def link(self, relation: str, *parts: str) -> URIRef:
        """A derived link, named by its relation and a short hash of what it links."""
        digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:12]
        return URIRef(f"{self.base}id/link/{relation}/{digest}")

    def graph(self, layer: str, source_id: str | None = None) -> URIRef:
        """A named graph: ``stated``/``inferred`` per source; ``derived``, ``reference``,
        ``ontology`` once."""
        tail = f"/{source_id}" if source_id else ""
        return URIRef(f"{self.base}graph/{layer}{tail}")

    def is_layer(self, graph: str) -> bool:
        """Whether a graph IRI is one the build writes (loaded data may not use them)."""
        return graph.startswith(f"{self.base}graph/")
