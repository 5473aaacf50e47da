"""Linked data: every IRI of the graph dereferences here, as a page, its JSON twin and RDF.

``GET /id/{path}`` (and ``/graph/{path}`` for the named graphs) maps the request path onto the
configured base IRI, never onto the request's host. The page and the JSON twin render one view
model (:func:`page_view`, from :func:`graph.read.resource.resource_view`); JSON-LD, Turtle and
N-Triples hold what the page shows (:func:`graph.read.resource.linked_description`): the
resource's own triples, the facts it shows with their quotes and offsets, and the names of all
they link.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from api.deps import FactsDep, SettingsDep, StoreDep
from api.problems import Problem
from api.templating import templates
from graph.read.ids import local_href
from graph.read.lookup import EntityFacts
from graph.read.resource import (
    FIRST_PAGE,
    Paging,
    description,
    linked_description,
    resource_view,
    shown_nodes,
)
from graph.store import Store
from graph.store.results import GRAPH_TYPES, choose, serialize_graph
from ontology.vocabulary import DESCRIPTION_NAMESPACES

__all__ = ["page_view", "router"]

router = APIRouter(tags=["linked data"])


@dataclass(frozen=True)
class Representation:
    """One way to answer for a resource: a media type and the suffix of its twin URL."""

    name: str
    media: str
    suffix: str
    title: str


#: In the order content negotiation prefers them on a tie: a browser (or ``*/*``) gets the page.
REPRESENTATIONS = (
    Representation("html", "text/html", "", "HTML page"),
    Representation("jsonld", "application/ld+json", ".jsonld", "JSON-LD"),
    Representation("turtle", "text/turtle", ".ttl", "Turtle"),
    Representation("ntriples", "application/n-triples", ".nt", "N-Triples"),
    Representation("json", "application/json", ".json", "JSON (this page's data)"),
)
OFFERED = [r.media for r in REPRESENTATIONS]
CONTENT_TYPES = {
    "text/turtle": "text/turtle; charset=utf-8",
    "application/n-triples": "application/n-triples",
    "application/ld+json": "application/ld+json",
}


def _alternates(iri: str, base: str) -> list[dict[str, str]]:
    path = local_href(iri, base) or ""
    return [
        {"name": r.name, "type": r.media, "href": path + r.suffix, "title": r.title}
        for r in REPRESENTATIONS
    ]


def page_view(
    store: Store, iri: str, base: str, paging: Paging = FIRST_PAGE
) -> dict[str, Any] | None:
    """The page's view model (its JSON twin): :func:`graph.read.resource.resource_view` with
    the links to the other representations (of the same page of its groups), to the explorer,
    and to the next page of each group (``next``: the page and each twin)."""
    view = resource_view(store, iri, base, paging)
    if view is None:
        return None
    path = local_href(iri, base) or ""
    group = paging.group
    same = {"group": group, "after": paging.after} if group else {}
    alternates = [{**a, "href": a["href"] + _query(same)} for a in _alternates(iri, base)]
    return {
        **view,
        "alternates": alternates,
        "explore": "/explore?focus=" + quote(iri, safe=""),
        "first_page": path if group else None,
        "next": {
            name: {
                r.name: path + r.suffix + _query({"group": name, "after": cursor})
                for r in REPRESENTATIONS
            }
            for name, cursor in view["more"].items()
        },
    }


def _query(params: dict[str, Any]) -> str:
    return "?" + urlencode(params) if params else ""


# ------------------------------------------------------------------------------------------
# The routes
# ------------------------------------------------------------------------------------------


def _link_header(alternates: list[dict[str, str]], served: str) -> str:
    return ", ".join(
        f'<{a["href"]}>; rel="alternate"; type="{a["type"]}"'
        for a in alternates
        if a["name"] != served
    )


def _described(store: Store, iri: str) -> list[ox.Triple]:
    try:
        return description(store, iri)
    except ValueError:  # not a valid IRI: nothing can be known about it
        return []


def _dereference(
    prefix: str,
    path: str,
    request: Request,
    store: Store,
    base: str,
    prepared: EntityFacts | None = None,
) -> Response:
    iri = base + prefix + path
    chosen: Representation | None = None
    triples: list[ox.Triple] = []
    twin = next((r for r in REPRESENTATIONS if r.suffix and path.endswith(r.suffix)), None)
    if twin is not None and len(path) > len(twin.suffix):
        stripped = iri[: -len(twin.suffix)]
        triples = _described(store, stripped)
        if triples:
            iri, chosen = stripped, twin
        else:
            # An IRI of the graph may itself end like a twin's suffix.
            triples = _described(store, iri)
            iri = iri if triples else stripped
    else:
        triples = _described(store, iri)
    if not triples:
        raise Problem(404, f"nothing is known about <{iri}>: no triple has it as subject")
    negotiated = chosen is None
    if chosen is None:
        media = choose(request.headers.get("accept"), OFFERED)
        if media is None:
            raise Problem(406, f"<{iri}> comes as " + ", ".join(OFFERED))
        chosen = next(r for r in REPRESENTATIONS if r.media == media)
    group = request.query_params.get("group") or None
    after = request.query_params.get("after") or None
    try:
        paging = Paging(group, after, prepared)
    except ValueError as e:  # an unknown group
        raise Problem(400, str(e)) from None
    view = page_view(store, iri, base, paging)
    if view is None:  # the data changed between the two queries
        raise Problem(404, f"nothing is known about <{iri}>: no triple has it as subject")
    headers = {"Link": _link_header(view["alternates"], chosen.name)}
    if negotiated:
        headers["Vary"] = "Accept"
    if chosen.name == "json":
        return JSONResponse(view, headers=headers)
    if chosen.name == "html":
        return templates.TemplateResponse(request, "resource.html", {"view": view}, headers=headers)
    # The RDF twins carry what the page shows: its facts, their quotes and the names.
    described = linked_description(store, iri, shown_nodes(view))
    body = serialize_graph(described, GRAPH_TYPES[chosen.media], DESCRIPTION_NAMESPACES)
    return Response(body, media_type=CONTENT_TYPES[chosen.media], headers=headers)


_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The resource as an HTML page, its JSON twin, JSON-LD, Turtle or "
        "N-Triples, by the Accept header or the path's suffix (.json, .jsonld, .ttl, .nt)",
        "content": {media: {} for media in OFFERED},
    },
    404: {"description": "No triple has this IRI as subject"},
    406: {"description": "None of the representations is acceptable"},
}


def _dereferencer(prefix: str, summary: str, doc: str) -> None:
    """Route ``/{prefix}{path}`` to :func:`_dereference` (the ids and the named graphs)."""

    def dereference(
        path: str, request: Request, store: StoreDep, settings: SettingsDep, facts: FactsDep
    ) -> Response:
        # The facts prepared for the current graph version, or queried while they are built.
        return _dereference(prefix, path, request, store, settings.base_iri, facts.peek())

    dereference.__doc__ = doc
    router.add_api_route(
        f"/{prefix}{{path:path}}",
        dereference,
        methods=["GET", "HEAD"],
        summary=summary,
        response_class=Response,
        responses=_RESPONSES,
        name=f"dereference_{prefix.strip('/')}",
    )


_dereferencer(
    "id/",
    "An IRI of the graph: page, JSON twin, JSON-LD, Turtle, N-Triples",
    "Dereference ``{base}id/{path}``: what the graph says about it, with its evidence.",
)
_dereferencer(
    "graph/",
    "A named graph's IRI: its description (layer, source)",
    "Dereference ``{base}graph/{path}``: the layer and provenance of a named graph.",
)
