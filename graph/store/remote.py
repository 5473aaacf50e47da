"""A store on a remote SPARQL engine: the SPARQL 1.1 Protocol for queries and updates, and the
Graph Store Protocol (when the engine has one) for bulk writes.

It stands in for the on-disk store everywhere (build, load, the SPARQL endpoint, the JSON API,
the projection, the explorer), so a graph that outgrows one machine can live in a hosted engine
(Oxigraph server, Virtuoso, Fuseki, GraphDB...). What the engine must do: serve the union of its
named graphs as the default graph (Oxigraph: ``--union-default-graph``; Virtuoso does by
default; Fuseki: ``unionDefaultGraph``), and accept updates at its update endpoint.

Requests are form POSTs with an explicit ``Accept`` (Virtuoso hangs on a direct
``application/sparql-query`` POST and answers an ASK without ``Accept`` in HTML). Terms bound to
a query's variables travel as a ``VALUES`` block written from the terms themselves (their
N-Triples form, which Oxigraph checks and escapes), never as text from the user.

The engine has no generations: a rebuild replaces graph after graph, so a reader may see the
new graphs beside the old ones for the time the writes take. Writes made through this store
stamp a version in the graph ``urn:x-bilateral-kg:meta``, which the caches (projection,
search) watch; writes made to the engine behind our back are seen within ``VERSION_TTL``
only if they go through this class.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from urllib.parse import urlencode, urlsplit

import httpx
import pyoxigraph as ox

from graph.store import QueryResult, StoreError, Term
from graph.store.local import GuardedQueries, QueryDataset
from graph.store.safety import check_update, mask

__all__ = ["META_GRAPH", "RemoteStore", "bind_values", "query_form"]

log = logging.getLogger(__name__)

META_GRAPH = "urn:x-bilateral-kg:meta"
_VERSION = "urn:x-bilateral-kg:version"
#: Seconds a version read from the engine is trusted before it is asked again.
VERSION_TTL = 1.0
#: Quads per ``INSERT DATA`` request (Virtuoso refuses one whose SQL passes 10,000 lines,
#: about 2,000 triples).
CHUNK = 1000
RESULTS = "application/sparql-results+json, application/sparql-results+xml;q=0.9"
TRIPLES = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
_GRAPH_FORMATS = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/n-quads": ox.RdfFormat.N_QUADS,
}
_RESULT_FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/xml": ox.QueryResultsFormat.XML,
}
_FORM = re.compile(r"(?<![\w:?$])(SELECT|ASK|CONSTRUCT|DESCRIBE)(?![\w:])", re.IGNORECASE)
_GROUP = re.compile(r"[{}]|(?<![\w:?$])WHERE(?![\w:])", re.IGNORECASE)


def query_form(text: str) -> str:
    """The form of a query: ``SELECT``, ``ASK``, ``CONSTRUCT`` or ``DESCRIBE``.

    Examples:
        >>> query_form('PREFIX s: <http://e/ASK#> # CONSTRUCT\\nSELECT ("ASK" AS ?x) {}')
        'SELECT'
        >>> query_form("ask { ?s ?p ?o }")
        'ASK'
    """
    m = _FORM.search(mask(text))
    if m is None:
        raise SyntaxError(
            "the query is not valid SPARQL 1.1: no SELECT, ASK, CONSTRUCT or DESCRIBE"
        )
    return m.group(1).upper()


def _term(value: Term) -> str:
    if isinstance(value, ox.NamedNode | ox.Literal):
        return str(value)  # the N-Triples form: checked IRI, escaped literal
    raise ValueError(f"only IRIs and literals can be bound for a remote engine, not {value}")


def bind_values(text: str, bindings: Mapping[str, Term]) -> str:
    """The query with its variables bound to terms by a ``VALUES`` block at the start of its
    top-level group (the group after ``WHERE``, or the first one at the top level).

    Examples:
        >>> bind_values("SELECT ?o WHERE { ?s ?p ?o }", {"s": ox.NamedNode("http://e/a")})
        'SELECT ?o WHERE { VALUES (?s) { (<http://e/a>) } ?s ?p ?o }'
        >>> bind_values('ASK { ?s ?p "{" }', {"s": ox.Literal('x"y')})
        'ASK { VALUES (?s) { ("x\\\\"y") } ?s ?p "{" }'
    """
    if not bindings:
        return text
    names = list(bindings)
    for name in names:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise ValueError(f"{name!r} is not a variable name")
    block = (
        "VALUES ("
        + " ".join(f"?{n}" for n in names)
        + ") { ("
        + " ".join(_term(bindings[n]) for n in names)
        + ") } "
    )
    masked = mask(text)
    depth, after_where, first = 0, None, None
    for m in _GROUP.finditer(masked):
        token = m.group(0)
        if token == "{":
            if depth == 0:
                if after_where is not None:
                    return text[: m.end()] + " " + block + text[m.end() :].lstrip()
                if first is None:
                    first = m.end()
            depth += 1
        elif token == "}":
            depth -= 1
        elif depth == 0:
            after_where = m.start()
    if first is None or query_form(text) == "CONSTRUCT":
        raise ValueError("cannot bind variables of a query without a WHERE group")
    return text[:first] + " " + block + text[first:].lstrip()


def _shown(url: str) -> str:
    """A URL for messages: without the credentials it may carry.

    Examples:
        >>> _shown("https://user:secret@engine.example/sparql?x=1")
        'https://engine.example/sparql?x=1'
    """
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return parts._replace(netloc=netloc).geturl()


def _nt(quads: Iterable[ox.Quad]) -> str:
    return "".join(f"{q.subject} {q.predicate} {q.object} .\n" for q in quads)


class RemoteStore(GuardedQueries):
    """A store on a SPARQL engine reached over HTTP.

    Args:
        query_url: the engine's SPARQL query endpoint.
        update_url: its update endpoint (default: ``query_url``).
        graph_store_url: its Graph Store Protocol endpoint, used for bulk writes and dumps
            (default: none; writes then go as ``INSERT DATA`` in chunks).
        timeout: seconds a request may take.
        allowed_services: SERVICE endpoints a query may name (none by default).
    """

    def __init__(
        self,
        query_url: str,
        update_url: str | None = None,
        graph_store_url: str | None = None,
        timeout: float = 30.0,
        allowed_services: Sequence[str] = (),
    ) -> None:
        for url in (query_url, update_url, graph_store_url):
            if url is not None and urlsplit(url).scheme not in ("http", "https"):
                raise StoreError(f"{_shown(url)} is not an http(s) URL of a SPARQL endpoint")
        self.query_url = query_url
        self.update_url = update_url or query_url
        self.graph_store_url = graph_store_url
        self.timeout = timeout
        self.allowed_services = frozenset(allowed_services)
        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
            headers={"User-Agent": "bilateral-kg"},
            follow_redirects=False,
        )
        self._lock = threading.Lock()
        self._version: tuple[float, str] | None = None

    def __repr__(self) -> str:
        return f"RemoteStore({_shown(self.query_url)!r})"

    # ---- HTTP --------------------------------------------------------------------------------

    def _send(
        self,
        method: str,
        url: str,
        *,
        what: str,
        data: list[tuple[str, str]] | None = None,
        params: dict[str, str] | None = None,
        content: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        shown = _shown(url)
        headers = dict(headers or {})
        if data is not None:  # a form, with repeated keys (default-graph-uri...)
            content = urlencode(data).encode("ascii")
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            r = self._client.request(method, url, params=params, content=content, headers=headers)
        except httpx.TimeoutException:
            raise StoreError(
                f"the SPARQL engine at {shown} did not answer the {what} within {self.timeout:g} s"
            ) from None
        except httpx.HTTPError as exc:
            raise StoreError(
                f"the SPARQL engine at {shown} is not answering ({exc}); is it running?"
            ) from None
        if r.status_code in (401, 403):
            raise StoreError(
                f"the SPARQL engine at {shown} refused the {what} ({r.status_code}): it needs "
                "credentials or a grant for it"
            )
        if 400 <= r.status_code < 500 and r.status_code != 404:
            raise SyntaxError(f"the engine refused the {what}: {_message(r)}")
        if r.status_code >= 300:
            raise StoreError(
                f"the SPARQL engine at {shown} failed on the {what} ({r.status_code}): "
                + _message(r)
            )
        return r

    # ---- reads -------------------------------------------------------------------------------

    def _answer(self, sparql: str, asked: QueryDataset) -> QueryResult:
        bindings, default_graphs, named_graphs, base_iri = asked
        if default_graphs is not None and not default_graphs:
            raise StoreError(
                "the default graph of a remote engine is the union of its graphs: the default "
                "graph alone cannot be read"
            )
        text = bind_values(sparql, bindings) if bindings else sparql
        if base_iri:
            text = f"BASE {ox.NamedNode(base_iri)}\n{text}"
        form = query_form(text)
        data = [("query", text)]
        data += [("default-graph-uri", g) for g in default_graphs or ()]
        data += [("named-graph-uri", g) for g in named_graphs or ()]
        accept = RESULTS if form in ("SELECT", "ASK") else TRIPLES
        r = self._send("POST", self.query_url, what="query", data=data, headers={"Accept": accept})
        media = r.headers.get("content-type", "").split(";")[0].strip().lower()
        try:
            if form in ("SELECT", "ASK"):
                fmt = _RESULT_FORMATS.get(media)
                if fmt is None:
                    raise StoreError(f"the engine answered the query in {media or 'no type'}")
                result = ox.parse_query_results(r.content, format=fmt)
                assert not isinstance(result, ox.QueryTriples)
                return result
            gfmt = _GRAPH_FORMATS.get(media)
            if gfmt is None:
                raise StoreError(f"the engine answered the query in {media or 'no type'}")
            triples = [q.triple for q in ox.parse(r.content, format=gfmt)]
            return triples  # type: ignore[return-value]  # iterable of triples, as QueryTriples
        except SyntaxError as exc:
            raise StoreError(f"the engine's answer could not be read: {exc}") from None

    def _select(self, text: str) -> list[ox.QuerySolution]:
        result = self.query(text)
        assert isinstance(result, ox.QuerySolutions)
        return list(result)

    def named_graphs(self) -> list[str]:
        rows = self._select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        graphs = {r["g"].value for r in rows if isinstance(r["g"], ox.NamedNode)}
        graphs.discard(META_GRAPH)
        return sorted(graphs)

    def _graph_quads(self, graph: str) -> list[ox.Quad]:
        node = ox.NamedNode(graph)
        if self.graph_store_url:
            r = self._send(
                "GET",
                self.graph_store_url,
                what="graph download",
                params={"graph": graph},
                headers={"Accept": TRIPLES},
            )
            media = r.headers.get("content-type", "").split(";")[0].strip().lower()
            fmt = _GRAPH_FORMATS.get(media, ox.RdfFormat.N_TRIPLES)
            return [
                ox.Quad(q.subject, q.predicate, q.object, node)
                for q in ox.parse(r.content, format=fmt)
            ]
        triples = self.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {node} {{ ?s ?p ?o }} }}")
        return [ox.Quad(t.subject, t.predicate, t.object, node) for t in triples]  # type: ignore[union-attr]

    def dump(self, fmt: ox.RdfFormat) -> bytes:
        quads = [q for g in self.named_graphs() for q in self._graph_quads(g)]
        if fmt.supports_datasets:
            return ox.serialize(quads, format=fmt) or b""
        return ox.serialize({q.triple for q in quads}, format=fmt) or b""

    def __len__(self) -> int:
        rows = self._select(
            "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
            f"FILTER(?g != <{META_GRAPH}>) }}"
        )
        return int(rows[0]["n"].value)

    @property
    def version(self) -> str:
        """The version stamp of the data: it changes with every write made through this class."""
        now = time.monotonic()
        with self._lock:
            if self._version is not None and now - self._version[0] < VERSION_TTL:
                return self._version[1]
        rows = self._select(
            f"SELECT ?v WHERE {{ GRAPH <{META_GRAPH}> {{ <{META_GRAPH}> <{_VERSION}> ?v }} }}"
        )
        value = rows[0]["v"].value if rows else ""
        with self._lock:
            self._version = (now, value)
        return value

    def check(self) -> None:
        """Check that the engine answers and serves the union of its graphs as the default.

        Raises:
            StoreError: it does not answer, or its default graph is not the union.
        """
        result = self.query("ASK { GRAPH ?g { ?s ?p ?o } }")
        if not bool(result):
            return
        if not bool(self.query("ASK { ?s ?p ?o }")):
            raise StoreError(
                f"the SPARQL engine at {_shown(self.query_url)} does not serve the union of its "
                "named graphs as the default graph; start it so (Oxigraph: --union-default-graph)"
            )

    # ---- writes ------------------------------------------------------------------------------

    def _update(self, text: str, user: bool = False) -> None:
        """Send an update; one of ours that the engine refuses is a store error, not the
        user's syntax error."""
        try:
            self._send(
                "POST",
                self.update_url,
                what="update",
                data=[("update", text)],
                headers={"Accept": "application/sparql-results+json, */*;q=0.1"},
            )
        except SyntaxError as exc:
            if user:
                raise
            raise StoreError(
                f"the SPARQL engine at {_shown(self.update_url)} refused a write: {exc}"
            ) from None

    def _stamp(self) -> str:
        stamp = uuid.uuid4().hex
        with self._lock:
            self._version = (time.monotonic(), stamp)
        return (
            f"DROP SILENT GRAPH <{META_GRAPH}> ;\n"
            f'INSERT DATA {{ GRAPH <{META_GRAPH}> {{ <{META_GRAPH}> <{_VERSION}> "{stamp}" }} }}'
        )

    def update(self, sparql: str, base_iri: str | None = None) -> None:
        check_update(sparql, self.allowed_services)
        text = f"BASE {ox.NamedNode(base_iri)}\n{sparql}" if base_iri else sparql
        # The stamp goes in the same request, so it lands with the update (all or nothing on
        # engines that run a request as one transaction).
        self._update(f"{text}\n;\n{self._stamp()}", user=True)

    def _write(self, by_graph: Mapping[str | None, list[ox.Quad]], replace: bool) -> None:
        """Write quads graph by graph (``replace``: each graph emptied first): a GSP PUT or
        POST each, or ``INSERT DATA`` in chunks."""
        for graph, quads in by_graph.items():
            node = None if graph is None else ox.NamedNode(graph)
            if self.graph_store_url:
                self._send(
                    "PUT" if replace else "POST",
                    self.graph_store_url,
                    what="graph upload",
                    params={"graph": graph} if graph else {"default": ""},
                    content=_nt(quads).encode("utf-8"),
                    headers={"Content-Type": "application/n-triples"},
                )
                continue
            if replace:
                self._update(f"DROP SILENT GRAPH {node}" if node else "CLEAR SILENT DEFAULT")
            # Blank nodes must not be split apart, and Virtuoso refuses them in INSERT DATA: a
            # template with an empty WHERE inserts the same triples, blank nodes fresh.
            blank = any(isinstance(t, ox.BlankNode) for q in quads for t in (q.subject, q.object))
            step = max(len(quads), 1) if blank else CHUNK
            for start in range(0, len(quads), step):
                body = _nt(quads[start : start + step])
                if node:
                    body = f"GRAPH {node} {{\n{body}}}"
                self._update(
                    f"INSERT {{ {body} }} WHERE {{}}" if blank else f"INSERT DATA {{ {body} }}"
                )

    def replace(self, nquads: bytes, keep: Callable[[str], bool] | None = None) -> None:
        by_graph = _by_graph(nquads)
        for graph in self.named_graphs():
            if (keep is None or not keep(graph)) and graph not in by_graph:
                self._update(f"DROP SILENT GRAPH {ox.NamedNode(graph)}")
        if keep is None and None not in by_graph:
            self._update("CLEAR SILENT DEFAULT")
        self._write(by_graph, replace=True)
        self._update(self._stamp())

    def add(self, nquads: bytes) -> None:
        self._write(_by_graph(nquads), replace=False)
        self._update(self._stamp())

    def put_graph(self, graph: str | None, nquads: bytes) -> None:
        by_graph = _by_graph(nquads)
        by_graph.setdefault(graph, [])
        self._write(by_graph, replace=True)
        self._update(self._stamp())

    def close(self) -> None:
        self._client.close()


def _by_graph(nquads: bytes) -> dict[str | None, list[ox.Quad]]:
    out: dict[str | None, list[ox.Quad]] = defaultdict(list)
    for q in ox.parse(nquads, format=ox.RdfFormat.N_QUADS):
        g = q.graph_name
        out[g.value if isinstance(g, ox.NamedNode) else None].append(q)
    return dict(out)


def _message(r: httpx.Response) -> str:
    text = " ".join(r.text.split())
    return text[:500] + ("…" if len(text) > 500 else "")
