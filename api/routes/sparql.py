"""The SPARQL 1.1 Protocol endpoint: queries for everyone, updates with the write token."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import parse_qs

import anyio
import pyoxigraph as ox
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.datastructures import ImmutableMultiDict, MultiDict

from api.access import authorize, read_body
from api.deps import SettingsDep, StoreDep, limiter
from api.editor import editor_page
from api.problems import Problem
from graph.store.execute import Executor, Job, Outcome
from graph.store.results import GRAPH_TYPES, SOLUTION_TYPES, choose

__all__ = ["router", "service_description"]

router = APIRouter(tags=["sparql"])

FORM = "application/x-www-form-urlencoded"
QUERY = "application/sparql-query"
UPDATE = "application/sparql-update"
SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"
VOID = "http://rdfs.org/ns/void#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
SD_TYPES = ["text/turtle", "application/ld+json", "application/rdf+xml", "application/n-triples"]
RESULT_FORMATS = [
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "N-Triples",
    "JSON-LD",
    "RDF_XML",
    "N-Quads",
    "TriG",
]


async def get_executor(request: Request) -> Executor:
    """The job executor the app started."""
    executor: Executor = request.app.state.executor
    return executor


ExecutorDep = Annotated[Executor, Depends(get_executor)]


def _media(value: str | None) -> tuple[str, dict[str, str]]:
    if not value:
        return "", {}
    media, *params = value.split(";")
    out = {}
    for param in params:
        if "=" in param:
            key, _, val = param.partition("=")
            out[key.strip().lower()] = val.strip().strip('"').lower()
    return media.strip().lower(), out


def _utf8(body: bytes, what: str, params: dict[str, str]) -> str:
    charset = params.get("charset", "utf-8")
    if charset not in ("utf-8", "utf8"):
        raise Problem(415, f"the {what} must be encoded in UTF-8, not {charset}")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Problem(400, f"the {what} is not valid UTF-8 (byte {exc.start})") from None


def _one(params: ImmutableMultiDict[str, str], name: str) -> str | None:
    values = params.getlist(name)
    if len(values) > 1:
        raise Problem(400, f"the request has {len(values)} '{name}' parameters; send one")
    return values[0] if values else None


def _iris(params: ImmutableMultiDict[str, str], name: str) -> tuple[str, ...]:
    values = tuple(params.getlist(name))
    for value in values:
        try:
            ox.NamedNode(value)
        except ValueError:
            raise Problem(400, f"{name} must be an absolute IRI, not {value!r}") from None
    return values


def _format(params: ImmutableMultiDict[str, str]) -> str | None:
    """The format SPARQLWrapper and others name in a parameter, if any."""
    for name in ("format", "output", "results"):
        value = params.get(name)
        if value:
            return value
    return None


def _endpoint(request: Request) -> str:
    return str(request.url.replace(query="", fragment=""))


def _respond(outcome: Outcome) -> Response:
    if not outcome.ok:
        raise Problem(outcome.status, outcome.detail, title=outcome.title, headers=outcome.headers)
    headers = {"Vary": "Accept"}
    if outcome.status == 204:
        return Response(status_code=204)
    return Response(outcome.body, media_type=outcome.media_type, headers=headers)


async def _run(request: Request, executor: Executor, settings: SettingsDep, job: Job) -> Response:
    # A query that can start at once is awaited on the event loop; else a thread waits.
    outcome = await executor.run_soon(job)
    if outcome is None:
        outcome = await anyio.to_thread.run_sync(executor.run, job, limiter=limiter())
    return _respond(outcome)


def _job(
    request: Request,
    settings: SettingsDep,
    params: ImmutableMultiDict[str, str],
    text: str,
    kind: str,
) -> Job:
    common: dict[str, Any] = {
        "accept": request.headers.get("accept", ""),
        "format": _format(params),
        "base_iri": _endpoint(request),
        "timeout": settings.query_timeout,
        "row_cap": settings.row_cap,
        "max_bytes": settings.max_response_bytes,
        "client": request.client.host if request.client else "",
    }
    if kind == "update":
        for name in ("default-graph-uri", "named-graph-uri"):
            if name in params:
                raise Problem(
                    400,
                    f"{name} is for queries; updates take using-graph-uri and "
                    f"using-named-graph-uri",
                )
        return Job(
            text=text,
            kind="update",
            using_graphs=_iris(params, "using-graph-uri"),
            using_named_graphs=_iris(params, "using-named-graph-uri"),
            **common,
        )
    for name in ("using-graph-uri", "using-named-graph-uri"):
        if name in params:
            raise Problem(
                400, f"{name} is for updates; queries take default-graph-uri and named-graph-uri"
            )
    default = _iris(params, "default-graph-uri")
    named = _iris(params, "named-graph-uri")
    # The protocol: a dataset given with the request is all of it, so default-graph-uri alone
    # leaves no named graphs, and named-graph-uri alone an empty default graph.
    return Job(
        text=text,
        default_graphs=default or None,
        named_graphs=named if named or default else None,
        **common,
    )


@router.get(
    "/sparql",
    summary="SPARQL query (GET), service description, or the query editor",
    responses={200: {"content": {t: {} for t in [*SOLUTION_TYPES, *GRAPH_TYPES, "text/html"]}}},
    openapi_extra={
        "parameters": [
            {
                "name": "query",
                "in": "query",
                "required": False,
                "schema": {"type": "string"},
                "description": "a SPARQL 1.1 query; without it: the service description or editor",
            },
            {
                "name": "default-graph-uri",
                "in": "query",
                "required": False,
                "schema": {"type": "array", "items": {"type": "string"}},
                "style": "form",
                "explode": True,
            },
            {
                "name": "named-graph-uri",
                "in": "query",
                "required": False,
                "schema": {"type": "array", "items": {"type": "string"}},
                "style": "form",
                "explode": True,
            },
        ]
    },
)
async def sparql_get(
    request: Request, settings: SettingsDep, store: StoreDep, executor: ExecutorDep
) -> Response:
    """``?query=`` runs a query (SPARQL 1.1 Protocol). Without a query: the service description
    (Turtle, JSON-LD, RDF/XML) for RDF clients, the YASGUI editor for browsers."""
    params = request.query_params
    if "update" in params:
        raise Problem(
            405,
            "updates must be sent by POST, as application/sparql-update or as "
            "a form with an 'update' field",
            headers={"Allow": "GET, POST"},
        )
    query = _one(params, "query")
    if query is None:
        accept = request.headers.get("accept", "")
        media = choose(accept, ["text/html", *SD_TYPES])
        if media == "text/html" and "text/html" in accept:
            return editor_page(request)
        media = choose(accept, SD_TYPES)
        if media is None:
            raise Problem(406, "the service description comes as " + ", ".join(SD_TYPES))
        body = service_description(
            _endpoint(request), store, bool(settings.token()), SD_TYPES_FORMATS[media]
        )
        return Response(body, media_type=media, headers={"Vary": "Accept"})
    return await _run(request, executor, settings, _job(request, settings, params, query, "query"))


@router.post(
    "/sparql",
    summary="SPARQL query or update (POST)",
    openapi_extra={
        "requestBody": {
            "content": {
                FORM: {
                    "schema": {
                        "type": "object",
                        "properties": {"query": {"type": "string"}, "update": {"type": "string"}},
                    }
                },
                QUERY: {"schema": {"type": "string"}},
                UPDATE: {"schema": {"type": "string"}},
            }
        }
    },
    responses={
        200: {"content": {t: {} for t in [*SOLUTION_TYPES, *GRAPH_TYPES]}},
        204: {"description": "the update was applied"},
    },
)
async def sparql_post(request: Request, settings: SettingsDep, executor: ExecutorDep) -> Response:
    """A query (form field ``query`` or ``application/sparql-query``) or an update (form field
    ``update`` or ``application/sparql-update``, with the write token)."""
    media, mparams = _media(request.headers.get("content-type"))
    if not media:
        raise Problem(400, f"a POST needs a Content-Type: {FORM}, {QUERY} or {UPDATE}")
    if media not in (FORM, QUERY, UPDATE):
        raise Problem(415, f"unsupported Content-Type {media!r}; use {FORM}, {QUERY} or {UPDATE}")
    body = await read_body(request, settings.max_body_bytes)
    url_params = request.query_params
    if media == FORM:
        text = _utf8(body, "form", mparams)
        try:
            form = parse_qs(
                text, keep_blank_values=True, strict_parsing=bool(text), errors="strict"
            )
        except (ValueError, UnicodeDecodeError) as exc:
            raise Problem(400, f"the form is not valid: {exc}") from None
        params = MultiDict(
            [*url_params.multi_items(), *((k, v) for k, vs in form.items() for v in vs)]
        )
        query, update = _one(params, "query"), _one(params, "update")
        if (query is None) == (update is None):
            raise Problem(400, "the form needs exactly one 'query' or 'update' field")
        if update is not None:
            authorize(request, settings)
            job = _job(request, settings, params, update, "update")
        else:
            assert query is not None
            job = _job(request, settings, params, query, "query")
    elif media == QUERY:
        job = _job(request, settings, url_params, _utf8(body, "query", mparams), "query")
    else:
        authorize(request, settings)
        job = _job(request, settings, url_params, _utf8(body, "update", mparams), "update")
    return await _run(request, executor, settings, job)


SD_TYPES_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
}


def service_description(endpoint: str, store: StoreDep, writable: bool, fmt: ox.RdfFormat) -> bytes:
    """The SPARQL 1.1 Service Description of this endpoint and its dataset."""

    def n(iri: str) -> ox.NamedNode:
        return ox.NamedNode(iri)

    service, dataset, default = (
        ox.BlankNode("service"),
        ox.BlankNode("dataset"),
        ox.BlankNode("default"),
    )
    triples = [
        ox.Triple(service, RDF_TYPE, n(SD + "Service")),
        ox.Triple(service, n(SD + "endpoint"), n(endpoint)),
        ox.Triple(service, n(SD + "supportedLanguage"), n(SD + "SPARQL11Query")),
        ox.Triple(service, n(SD + "feature"), n(SD + "UnionDefaultGraph")),
        ox.Triple(service, n(SD + "feature"), n(SD + "EmptyGraphs")),
        ox.Triple(
            service, n(SD + "defaultEntailmentRegime"), n("http://www.w3.org/ns/entailment/Simple")
        ),
        ox.Triple(service, n(SD + "defaultDataset"), dataset),
        ox.Triple(dataset, RDF_TYPE, n(SD + "Dataset")),
        ox.Triple(dataset, n(SD + "defaultGraph"), default),
        ox.Triple(default, RDF_TYPE, n(SD + "Graph")),
        ox.Triple(
            default,
            n(VOID + "triples"),
            ox.Literal(str(len(store)), datatype=n("http://www.w3.org/2001/XMLSchema#integer")),
        ),
    ]
    if writable:
        triples.append(ox.Triple(service, n(SD + "supportedLanguage"), n(SD + "SPARQL11Update")))
    triples += [ox.Triple(service, n(SD + "resultFormat"), n(FORMATS + f)) for f in RESULT_FORMATS]
    for i, graph in enumerate(store.named_graphs()):
        node = ox.BlankNode(f"graph{i}")
        triples += [
            ox.Triple(dataset, n(SD + "namedGraph"), node),
            ox.Triple(node, RDF_TYPE, n(SD + "NamedGraph")),
            ox.Triple(node, n(SD + "name"), n(graph)),
        ]
    prefixes = {"sd": SD, "void": VOID, "formats": FORMATS}
    return (
        ox.serialize(triples, format=fmt, prefixes=prefixes if fmt == ox.RdfFormat.TURTLE else None)
        or b""
    )
