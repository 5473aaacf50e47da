"""The store: Oxigraph behind one small interface (:class:`Store`), the guarded query every
store answers (:class:`GuardedQueries`), a store held in this process (:class:`OxigraphStore`)
and values computed once per version of a store's data (:class:`PerVersion`).

The store on disk, in atomic generations, is :mod:`graph.store.disk`; a remote engine,
:mod:`graph.store.remote`.
"""

from __future__ import annotations

import functools
import logging
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Generic, NamedTuple, Protocol, TypeVar

import pyoxigraph as ox

from graph.store.safety import check_query, check_update, declares_dataset

__all__ = [
    "GuardedQueries",
    "OxigraphStore",
    "PerVersion",
    "QueryDataset",
    "Store",
    "StoreError",
    "memory_store",
    "per_version",
]

log = logging.getLogger(__name__)

QueryResult = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples
Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple

#: Said of a file that gave no triples: an empty one, or one whose every node the parser
#: dropped (a JSON-LD @id that is not an IRI is dropped without an error).
NO_TRIPLES = "no triples found (for JSON-LD: every @id must be an absolute IRI); nothing was loaded"


class StoreError(Exception):
    """A store that cannot be opened or written, with a message for the user."""


class Store(Protocol):
    """What the rest of the code needs of a store (Oxigraph here; a remote engine later).

    Every query and update is checked first: nothing that would fetch data on a query's behalf
    (``SERVICE`` outside ``allowed_services``, ``LOAD``) reaches the engine.
    """

    allowed_services: frozenset[str]

    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Term] | None = None,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        base_iri: str | None = None,
    ) -> QueryResult:
        """Run a SPARQL query; ``bindings`` bind variables to terms (never pasted as text).

        The default graph is the union of all graphs, or of ``default_graphs`` when given;
        ``named_graphs`` restricts what ``GRAPH`` sees.
        """
        ...

    def update(self, sparql: str, base_iri: str | None = None) -> None:
        """Run a SPARQL update, all or nothing."""
        ...

    def named_graphs(self) -> list[str]:
        """The IRIs of the named graphs, sorted."""
        ...

    def dump(self, fmt: ox.RdfFormat) -> bytes:
        """The whole dataset (quad formats) or the union of its graphs (triple formats)."""
        ...

    def replace(self, nquads: bytes, keep: Callable[[str], bool] | None = None) -> None:
        """Replace all data with ``nquads``, keeping the named graphs ``keep`` selects."""
        ...

    def add(self, nquads: bytes) -> None:
        """Add quads, all or nothing."""
        ...

    def put_graph(self, graph: str | None, nquads: bytes) -> None:
        """Replace one graph (``None``: the default graph) with ``nquads``, all or nothing."""
        ...

    def __len__(self) -> int: ...


class QueryDataset(NamedTuple):
    """What a query is asked with beside its text: bound variables (as terms, never pasted),
    the request's dataset and the base IRI."""

    bindings: Mapping[str, Term] | None = None
    default_graphs: Sequence[str] | None = None
    named_graphs: Sequence[str] | None = None
    base_iri: str | None = None


def _query(inner: ox.Store, sparql: str, asked: QueryDataset) -> QueryResult:
    bindings, default_graphs, named_graphs, base_iri = asked
    substitutions = {ox.Variable(k): v for k, v in (bindings or {}).items()} or None
    named: list[ox.NamedNode | ox.BlankNode] | None = (
        None if named_graphs is None else [ox.NamedNode(g) for g in named_graphs]
    )
    if default_graphs is None and named_graphs is None:
        # The default graph is the union of all graphs, unless the query names its own dataset
        # (FROM, FROM NAMED), which then names graphs of the store and nothing else.
        return inner.query(
            sparql,
            use_default_graph_as_union=not declares_dataset(sparql),
            substitutions=substitutions,
            base_iri=base_iri,
        )
    # A dataset given with the request: named graphs alone leave the default graph empty (the
    # SPARQL protocol, and the engine's own server); an empty list of default graphs means the
    # store's default graph.
    graphs: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = [
        ox.NamedNode(g) for g in default_graphs or ()
    ]
    if default_graphs is not None and not graphs:
        graphs = [ox.DefaultGraph()]
    return inner.query(
        sparql,
        default_graph=graphs,
        named_graphs=named,
        substitutions=substitutions,
        base_iri=base_iri,
    )


class GuardedQueries:
    """The query of every store: checked by the guard first (nothing that would fetch data on
    the query's behalf reaches the engine), then answered by the store's engine
    (:meth:`_answer`: by default its Oxigraph database, :meth:`_database`)."""

    allowed_services: frozenset[str]

    def query(self, sparql: str, **asked: Any) -> QueryResult:
        """Run a SPARQL query, asked with the keywords of :meth:`Store.query`
        (:class:`QueryDataset`)."""
        check_query(sparql, self.allowed_services)
        return self._answer(sparql, QueryDataset(**asked))

    def _answer(self, sparql: str, asked: QueryDataset) -> QueryResult:
        """Answer a query the guard passed."""
        return _query(self._database(), sparql, asked)

    def _database(self) -> ox.Store:
        """The Oxigraph database that answers."""
        raise NotImplementedError


def _dump(inner: ox.Store, fmt: ox.RdfFormat) -> bytes:
    if fmt.supports_datasets:
        out = inner.dump(format=fmt)
    else:
        triples = inner.query(
            "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", use_default_graph_as_union=True
        )
        assert isinstance(triples, ox.QueryTriples)
        out = triples.serialize(format=fmt)
    assert out is not None
    return out


def _graph_quads(inner: ox.Store, keep: Callable[[str], bool]) -> bytes:
    """The quads of the named graphs ``keep`` selects, as N-Quads."""
    kept = ox.Dataset()
    for graph in inner.named_graphs():
        if isinstance(graph, ox.NamedNode) and keep(graph.value):
            for quad in inner.quads_for_pattern(None, None, None, graph):
                kept.add(quad)
    return ox.serialize(kept, format=ox.RdfFormat.N_QUADS) or b""


class OxigraphStore(GuardedQueries):
    """A pyoxigraph store held in this process (in memory for tests and tools).

    Examples:
        >>> s = memory_store(b'<http://e/a> <http://e/p> "x" <http://e/g> .\\n')
        >>> len(s)
        1
        >>> [str(r["o"].value) for r in s.query("SELECT ?o WHERE { ?s ?p ?o }")]
        ['x']
        >>> [str(r["o"].value) for r in s.query(
        ...     "SELECT ?s ?o WHERE { ?s ?p ?o }", bindings={"s": ox.NamedNode("http://e/b")})]
        []
    """

    def __init__(self, inner: ox.Store, allowed_services: Sequence[str] = ()) -> None:
        self.inner = inner
        self.allowed_services = frozenset(allowed_services)
        self.version = 0  # counts writes, so caches know when the data changed

    def _database(self) -> ox.Store:
        return self.inner

    def update(self, sparql: str, base_iri: str | None = None) -> None:
        check_update(sparql, self.allowed_services)
        self.inner.update(sparql, base_iri=base_iri)
        self.version += 1

    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self.inner.named_graphs() if isinstance(g, ox.NamedNode))

    def dump(self, fmt: ox.RdfFormat) -> bytes:
        return _dump(self.inner, fmt)

    def replace(self, nquads: bytes, keep: Callable[[str], bool] | None = None) -> None:
        kept = _graph_quads(self.inner, keep) if keep else b""
        fresh = ox.Store()
        fresh.load(nquads + kept, format=ox.RdfFormat.N_QUADS)
        self.inner = fresh
        self.version += 1

    def add(self, nquads: bytes) -> None:
        self.inner.load(nquads, format=ox.RdfFormat.N_QUADS)
        self.version += 1

    def put_graph(self, graph: str | None, nquads: bytes) -> None:
        if graph is None:
            self.inner.clear_graph(ox.DefaultGraph())
        elif ox.NamedNode(graph) in set(self.inner.named_graphs()):
            self.inner.remove_graph(ox.NamedNode(graph))
        if nquads:
            self.inner.load(nquads, format=ox.RdfFormat.N_QUADS)
        self.version += 1

    def __len__(self) -> int:
        return len(self.inner)


T = TypeVar("T")


class PerVersion(Generic[T]):
    """A value computed from a store once per version of its data (the projection, the search
    index, the landing summary): recomputed at the first use after a write.

    Examples:
        >>> store = memory_store()
        >>> size = PerVersion(store, len)
        >>> size.get(), size.get(), size.builds
        (0, 0, 1)
        >>> store.add(b'<http://e/a> <http://e/p> "x" <http://e/g> .\\n')
        >>> size.get(), size.builds
        (1, 2)
    """

    def __init__(self, store: Store, compute: Callable[[Store], T]) -> None:
        self.store = store
        self._compute = compute
        self._lock = threading.Lock()
        self._version: object = None
        self._value: T | None = None
        self.builds = 0

    @property
    def compute(self) -> Callable[[Store], T]:
        """How the value is computed."""
        return self._compute

    def get(self) -> T:
        """The value for the store's current version."""
        version = getattr(self.store, "version", None)
        with self._lock:
            if self._value is None or version is None or version != self._version:
                self._value = self._compute(self.store)
                self._version = version
                self.builds += 1
            return self._value


F = TypeVar("F", bound=Callable[..., Any])


def per_version(maxsize: int = 8) -> Callable[[F], F]:
    """Keep the last ``maxsize`` answers of a function of ``(store, *args)`` for each store,
    for as long as the store's data does not change (its ``version``). For reads of the whole
    graph whose answer depends only on the data and the arguments (a list in order, before
    its pages are cut). A store that cannot say its version (a remote engine) is always
    asked. Callers must not change what it returns: the same objects are answered again.

    Examples:
        >>> calls = []
        >>> @per_version()
        ... def count(store, kind):
        ...     calls.append(kind)
        ...     return len(store)
        >>> store = memory_store()
        >>> count(store, "a"), count(store, "a"), calls
        (0, 0, ['a'])
        >>> store.add(b'<http://e/a> <http://e/p> "x" <http://e/g> .\\n')
        >>> count(store, "a"), calls
        (1, ['a', 'a'])
    """

    def wrap(fn: F) -> F:
        kept: weakref.WeakKeyDictionary[Any, OrderedDict[Any, Any]] = weakref.WeakKeyDictionary()
        lock = threading.Lock()

        @functools.wraps(fn)
        def answer(store: Any, *args: Any, **kwargs: Any) -> Any:
            version = getattr(store, "version", None)
            if version is None:
                return fn(store, *args, **kwargs)
            key = (version, args, tuple(sorted(kwargs.items())))
            with lock:
                try:
                    answers = kept.setdefault(store, OrderedDict())
                except TypeError:  # a store that cannot be weakly referred to: not kept
                    answers = OrderedDict()
                if key in answers:
                    answers.move_to_end(key)
                    return answers[key]
            value = fn(store, *args, **kwargs)
            with lock:
                answers[key] = value
                while len(answers) > maxsize:
                    answers.popitem(last=False)
            return value

        return answer  # type: ignore[return-value]

    return wrap


def memory_store(nquads: bytes = b"", allowed_services: Sequence[str] = ()) -> OxigraphStore:
    """An in-memory store holding the given N-Quads."""
    inner = ox.Store()
    if nquads:
        inner.load(nquads, format=ox.RdfFormat.N_QUADS)
    return OxigraphStore(inner, allowed_services)
