"""The SPARQL 1.1 Graph Store HTTP Protocol at /store: read for everyone, write with the token."""

from __future__ import annotations

import uuid

import anyio
import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.access import authorize, read_body
from api.deps import SettingsDep, StoreDep, limiter
from api.problems import Problem
from graph.read.export import graph_triples
from graph.store import Store
from graph.store.execute import Executor, Job
from graph.store.results import GRAPH_TYPES, choose, serialize_graph

__all__ = ["router"]

router = APIRouter(prefix="/store", tags=["graph store"])

#: Media types a client may send, with the RDF format each names.
UPLOAD_TYPES: dict[str, ox.RdfFormat] = {
    **GRAPH_TYPES,
    "application/x-trig": ox.RdfFormat.TRIG,
    "application/json": ox.RdfFormat.JSON_LD,
}
READ_TYPES = [
    t
    for t in GRAPH_TYPES
    if GRAPH_TYPES[t] is not ox.RdfFormat.N_QUADS and t not in ("application/trig",)
]


def _target(request: Request, direct: bool) -> tuple[str | None, bool]:
    """The graph a request names: (IRI or None for the default graph, explicitly named?)."""
    if direct:
        return str(request.url.replace(query="", fragment="")), True
    params = request.query_params
    graphs = params.getlist("graph")
    if "default" in params and graphs:
        raise Problem(400, "name either ?default or ?graph=IRI, not both")
    if len(graphs) > 1:
        raise Problem(400, "name one graph")
    if graphs:
        try:
            ox.NamedNode(graphs[0])
        except ValueError:
            raise Problem(400, f"graph must be an absolute IRI, not {graphs[0]!r}") from None
        return graphs[0], True
    if "default" in params:
        return None, True
    return None, False


def _exists(store: Store, graph: str | None) -> bool:
    return graph is None or graph in store.named_graphs()


def _format(media: str) -> str:
    fmt = UPLOAD_TYPES.get(media)
    if fmt is None:
        raise Problem(
            415,
            f"unsupported Content-Type {media!r}; send one of " + ", ".join(list(GRAPH_TYPES)[:6]),
        )
    return fmt.media_type


async def _parts(request: Request, settings: SettingsDep) -> tuple[tuple[bytes, str], ...]:
    """The RDF documents of a write, each with the media type of its format (unparsed: a
    query worker parses them, within the upload limits)."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if not media:
        raise Problem(400, "a write needs a Content-Type naming the RDF format")
    if media == "multipart/form-data":
        form = await request.form(max_part_size=settings.max_upload_bytes)
        parts = []
        for _, value in form.multi_items():
            if isinstance(value, str):
                continue
            part_media = (value.content_type or "").split(";")[0].strip().lower()
            if part_media in ("", "application/octet-stream") and value.filename:
                guessed = ox.RdfFormat.from_extension(value.filename.rsplit(".", 1)[-1])
                part_media = guessed.media_type if guessed else part_media
            parts.append((await value.read(), _format(part_media)))
        if not parts:
            raise Problem(400, "the multipart body has no file part")
        return tuple(parts)
    fmt = _format(media)
    return ((await read_body(request, settings.max_upload_bytes), fmt),)


async def _upload(
    request: Request,
    settings: SettingsDep,
    graph: str | None,
    base: str,
    replace: bool,
    delete: bool = False,
) -> None:
    """Parse and write an upload (or delete a graph) in a query worker: a document that would
    exhaust the parser costs a worker, never the server (issue 13), a refused one changes
    nothing, and no serving process writes the store itself."""
    parts = () if delete else await _parts(request, settings)
    job = Job(
        text="",
        kind="upload",
        parts=parts,
        graph=graph,
        replace=replace,
        base_iri=base,
        timeout=settings.query_timeout,
        client=request.client.host if request.client else "",
    )
    executor: Executor = request.app.state.executor
    outcome = await anyio.to_thread.run_sync(executor.run, job, limiter=limiter())
    if not outcome.ok:
        raise Problem(outcome.status, outcome.detail, title=outcome.title, headers=outcome.headers)


async def _read(request: Request, store: Store, direct: bool) -> Response:
    graph, named = _target(request, direct)
    if not named:
        raise Problem(400, "name a graph: ?graph=IRI or ?default")
    if not _exists(store, graph):
        raise Problem(404, f"there is no graph <{graph}> in the store")
    media = choose(request.headers.get("accept", ""), READ_TYPES)
    if media is None:
        raise Problem(406, "graphs come as " + ", ".join(READ_TYPES[:4]))
    triples = await anyio.to_thread.run_sync(graph_triples, store, graph)
    body = serialize_graph(triples, GRAPH_TYPES[media])
    if request.method == "HEAD":
        return Response(
            status_code=200,
            media_type=media,
            headers={"Content-Length": str(len(body)), "Vary": "Accept"},
        )
    return Response(body, media_type=media, headers={"Vary": "Accept"})


async def _write(request: Request, store: Store, settings: SettingsDep, direct: bool) -> Response:
    authorize(request, settings)
    graph, named = _target(request, direct)
    base = graph or str(request.url.replace(query=""))
    if request.method == "DELETE":
        if not named:
            raise Problem(400, "name the graph to delete: ?graph=IRI or ?default")
        if not _exists(store, graph):
            raise Problem(404, f"there is no graph <{graph}> in the store")
        await _upload(request, settings, graph, "", replace=True, delete=True)
        return Response(status_code=204)
    if request.method == "POST" and not named:
        # POST to the graph store itself creates a new graph and says where it is.
        graph = f"{str(request.url.replace(query='')).rstrip('/')}/{uuid.uuid4()}"
        await _upload(request, settings, graph, graph, replace=False)
        return Response(status_code=201, headers={"Location": graph})
    existed = _exists(store, graph)
    await _upload(request, settings, graph, base, replace=request.method == "PUT")
    return Response(status_code=204 if existed else 201)


@router.api_route("", methods=["GET", "HEAD"], summary="Read a graph (?graph=IRI or ?default)")
async def read_indirect(request: Request, store: StoreDep) -> Response:
    """A graph of the store, in the format the client accepts (Turtle by default)."""
    return await _read(request, store, direct=False)


@router.api_route(
    "",
    methods=["PUT", "POST", "DELETE"],
    summary="Replace, add to, or delete a graph (write token)",
)
async def write_indirect(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    """PUT replaces a graph, POST adds to it (or, without a graph, creates one), DELETE drops
    it. Needs ``Authorization: Bearer <token>``."""
    return await _write(request, store, settings, direct=False)


@router.api_route(
    "/{path:path}", methods=["GET", "HEAD"], summary="Read a graph named by its own URL"
)
async def read_direct(request: Request, store: StoreDep, path: str) -> Response:
    """Direct graph identification: the graph whose IRI is this URL."""
    return await _read(request, store, direct=True)


@router.api_route(
    "/{path:path}",
    methods=["PUT", "POST", "DELETE"],
    summary="Write a graph named by its own URL (write token)",
)
async def write_direct(
    request: Request, store: StoreDep, settings: SettingsDep, path: str
) -> Response:
    """Direct graph identification: PUT, POST or DELETE the graph whose IRI is this URL."""
    return await _write(request, store, settings, direct=True)
