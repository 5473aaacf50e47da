"""The graph explorer: the /explore page, the view it draws (``/api/graph/view``), its script
and style, and Cytoscape.js with the fcose layout from npm."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from pydantic import BaseModel, Field

import api
from api.deps import ProjectionDep, SettingsDep
from api.models import Line
from api.params import LayersParam, RelationsParam, rejected, split
from api.problems import Problem
from api.templating import templates
from graph.read.canvas import PATH_GROUPS, explorer_view, main_pair, pair_core
from graph.read.ids import full_iri, short_id
from graph.read.projection import Net
from ontology.vocabulary import DEFAULT_GROUPS, GROUPS, LAYERS, status_words
from ontology.vocabulary import KINDS as VOCABULARY_KINDS

__all__ = ["CYTOSCAPE", "KINDS", "LIBRARIES", "STATUSES", "explore", "explorer_config", "router"]

router = APIRouter(tags=["explorer"])

_MODULES = Path(api.__file__).resolve().parent.parent / "node_modules"
#: Cytoscape.js as npm installs it from package.json, beside the ``api`` package (the repo root).
CYTOSCAPE = _MODULES / "cytoscape/dist"
#: The scripts of the page from npm, in the order they load: Cytoscape.js, then the fcose
#: layout (cytoscape-fcose) and the two libraries it is built on.
LIBRARIES = {
    "cytoscape.min.js": ("cytoscape", "cytoscape/dist/cytoscape.min.js"),
    "layout-base.js": ("layout-base", "layout-base/layout-base.js"),
    "cose-base.js": ("cose-base", "cose-base/cose-base.js"),
    "cytoscape-fcose.js": ("cytoscape-fcose", "cytoscape-fcose/cytoscape-fcose.js"),
}
#: Kinds of node the projection gives (``graph.read.network``), in the legend's order.
KINDS = tuple(kind.name for kind in VOCABULARY_KINDS)
#: Statuses of cooperation acts by their notation (the API's one spelling), in the legend's order.
STATUSES = ("agreed", "done", "pledged", "requested", "proposed", "under-examination")
_OWN_FILES = {
    "explorer.js": "text/javascript; charset=utf-8",
    "explorer.css": "text/css; charset=utf-8",
}


def explorer_config(base_iri: str, G: Net | None = None) -> dict[str, Any]:
    """What the page's script needs to know of the graph: the vocabulary of its filters and
    the country pair it opens on.

    Args:
        base_iri: the base of our IRIs, so the script can turn an evidence's source IRI into
            an id for ``/api/sources``.
        G: the projection, to find the pair the graph says most about (none: no pair).

    Returns:
        The relation groups (those on by default, and those a path search starts with),
        layers, kinds, statuses (by notation, with the words the page shows for each) and the
        opening pair (ids and labels, or ``None``).
    """
    pair = main_pair(G) if G is not None else None
    return {
        "base": f"{base_iri}id/",
        "groups": list(GROUPS),
        "defaultGroups": list(DEFAULT_GROUPS),
        "pathGroups": list(PATH_GROUPS),
        "layers": list(LAYERS),
        "kinds": list(KINDS),
        "statuses": list(STATUSES),
        "statusWords": {s: status_words(s) for s in STATUSES},
        "pair": (
            [{"id": short_id(c, base_iri), "label": G.nodes[c]["label"]} for c in pair]
            if pair and G is not None
            else None
        ),
    }


@router.get("/explore", response_class=HTMLResponse, summary="The graph explorer")
def explore(request: Request, settings: SettingsDep, projection: ProjectionDep) -> Response:
    """Search, expand, find paths and read the evidence; opens on the country pair the graph
    says most about. The view's state is in the query string (``pair``, ``focus``,
    ``expand``, ``hide``, ``status``, ``stated``, ``from``, ``to``, ``groups``, ``avoid``,
    ``max``, ``k``, ``sel``), read by the page's script."""
    return templates.TemplateResponse(
        request,
        "explore.html",
        {
            "config": explorer_config(settings.base_iri, projection.graph()),
            "installed": all(_library(name).is_file() for name in LIBRARIES),
            "libraries": list(LIBRARIES),
        },
    )


def _library(name: str) -> Path:
    """Where npm installed one of :data:`LIBRARIES`."""
    return CYTOSCAPE / name if name == "cytoscape.min.js" else _MODULES / LIBRARIES[name][1]


class ViewEvidence(BaseModel):
    quote: str
    start: int
    end: int
    source: str
    source_label: str


class ViewVia(BaseModel):
    id: str
    short: str
    kind: str
    evidence: list[ViewEvidence]


class ViewNode(BaseModel):
    id: str
    label: str
    short: str = Field(description="a short label, distinct from every other node's")
    kind: str
    status: str | None
    date: str | None = Field(description="EDTF, as stated")
    more: int = Field(description="neighbours over the chosen relations not in the view")


class ViewEdge(Line):
    count: int = Field(description="how many happenings or assertions the line stands for")
    via: list[ViewVia] = Field(description="the happenings or assertions behind the line")


class ViewSource(BaseModel):
    id: str
    label: str


class ViewResponse(BaseModel):
    title: str
    centres: list[str]
    nodes: list[ViewNode]
    edges: list[ViewEdge]
    sources: list[ViewSource]


@router.get(
    "/api/graph/view",
    response_model=ViewResponse,
    tags=["lookups"],
    summary="What the explorer draws: a pair's opening view, or a focus, with expansions",
)
def graph_view(
    settings: SettingsDep,
    projection: ProjectionDep,
    pair: Annotated[str | None, Query(description="two country ids: the opening view")] = None,
    focus: Annotated[str | None, Query(description="the id of the node in focus")] = None,
    expand: Annotated[str | None, Query(description="expanded node ids, comma-separated")] = None,
    nodes: Annotated[str | None, Query(description="more node ids to show (a path's)")] = None,
    limit: Annotated[int, Query(ge=0, le=200, description="neighbours per expanded node")] = 12,
    relations: RelationsParam = None,
    layers: LayersParam = None,
) -> dict[str, Any]:
    """The nodes and lines of one view of the explorer, each node with a short label no other
    node shares and the count of its neighbours not shown, each line with the happenings it
    stands for, and the sources of the facts shown."""
    G = projection.graph()
    base = settings.base_iri

    def node(ident: str) -> str:
        iri = full_iri(ident, base)
        if iri not in G:
            raise Problem(404, f"nothing in the graph is called {ident[:80]!r}")
        return iri

    core: list[str] = []
    title = ""
    countries = [node(c) for c in (split(pair) or [])]
    if countries:
        if len(countries) != 2 or any(G.nodes[c]["kind"] != "country" for c in countries):
            raise Problem(400, "pair: give two country ids, e.g. place/cambodia,place/south-korea")
        core = pair_core(G, countries[0], countries[1])
        title = " – ".join(G.nodes[c]["label"] for c in countries)
    centres = [node(focus)] if focus else []
    centres += [node(x) for x in (split(expand) or []) if node(x) not in centres]
    core += [node(x) for x in (split(nodes) or [])]
    if not title:
        title = G.nodes[centres[0]]["label"] if centres else "Paths"
    with rejected():
        view = explorer_view(
            G,
            centres,
            core,
            limit=limit,
            groups=split(relations),
            layers=split(layers),
            shortcuts=bool(countries),
        )

    def sid(iri: str) -> str:
        return short_id(iri, base)

    return {
        "title": title,
        "centres": [sid(c) for c in centres],
        "nodes": [{**n, "id": sid(n["id"])} for n in view["nodes"]],
        "edges": [
            {
                **e,
                "id": "|".join(
                    (
                        sid(e["source"]),
                        e["relation"],
                        sid(e["target"]),
                        e["layer"],
                        e["status"] or "",
                    )
                ),
                "source": sid(e["source"]),
                "target": sid(e["target"]),
                "via": [
                    {
                        **v,
                        "id": sid(v["id"]),
                        "evidence": [{**ev, "source": sid(ev["source"])} for ev in v["evidence"]],
                    }
                    for v in e["via"]
                ],
            }
            for e in view["edges"]
        ],
        "sources": [{"id": sid(s["id"]), "label": s["label"]} for s in view["sources"]],
    }


@router.api_route("/static/explorer/{name}", methods=["GET", "HEAD"], include_in_schema=False)
def explorer_file(name: str) -> Response:
    """The explorer's own script and style, or a library as npm installed it (never a CDN)."""
    if name in _OWN_FILES:
        body = (files("api") / "static" / name).read_bytes()
        return Response(body, media_type=_OWN_FILES[name])
    if name not in LIBRARIES:
        raise Problem(404, f"no file {name!r} for the explorer")
    package = LIBRARIES[name][0]
    where = _library(name)
    # A missing install is the server's state, not a wrong URL: say how to fix it.
    if not where.is_file():
        raise Problem(
            503,
            f"the explorer's JavaScript (npm package {package}) is not installed: "
            "run `make setup`, or `npm ci` in the project folder",
        )
    return FileResponse(where, media_type="text/javascript; charset=utf-8")
