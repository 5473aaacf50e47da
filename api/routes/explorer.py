"""The graph explorer: the /explore page, its script and style, and Cytoscape.js from npm."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

import api
from api.deps import SettingsDep
from api.problems import Problem
from api.templating import templates
from ontology.vocabulary import DEFAULT_GROUPS, GROUPS, LAYERS

__all__ = ["CYTOSCAPE", "KINDS", "STATUSES", "explore", "explorer_config", "router"]

router = APIRouter(tags=["explorer"])

#: Cytoscape.js as npm installs it from package.json, beside the ``api`` package (the repo root).
CYTOSCAPE = Path(api.__file__).resolve().parent.parent / "node_modules/cytoscape/dist"
#: Kinds of node the projection gives (``graph.read.network``), in the legend's order.
KINDS = (
    "person",
    "organization",
    "country",
    "place",
    "meeting",
    "act",
    "statement",
    "observation",
    "post",
    "programme",
    "group",
    "document",
    "dataset",
)
#: Statuses of cooperation acts, in the legend's order.
STATUSES = ("agreed", "done", "pledged", "requested", "proposed", "under examination")
_OWN_FILES = {
    "explorer.js": "text/javascript; charset=utf-8",
    "explorer.css": "text/css; charset=utf-8",
}


def explorer_config(base_iri: str) -> dict[str, Any]:
    """What the page's script needs to know of the graph: the vocabulary of its filters.

    Args:
        base_iri: the base of our IRIs, so the script can turn an evidence's source IRI into
            an id for ``/api/sources``.

    Returns:
        The relation groups (and those on by default), layers, kinds and statuses.
    """
    return {
        "base": f"{base_iri}id/",
        "groups": list(GROUPS),
        "defaultGroups": list(DEFAULT_GROUPS),
        "layers": list(LAYERS),
        "kinds": list(KINDS),
        "statuses": list(STATUSES),
    }


@router.get("/explore", response_class=HTMLResponse, summary="The graph explorer")
def explore(request: Request, settings: SettingsDep) -> Response:
    """Search, expand, find paths and read the evidence; the view's state is in the query
    string (``focus``, ``expand``, ``hide``, ``status``, ``stated``, ``from``, ``to``,
    ``groups``, ``max``, ``k``), read by the page's script."""
    return templates.TemplateResponse(
        request,
        "explore.html",
        {
            "config": explorer_config(settings.base_iri),
            "installed": (CYTOSCAPE / "cytoscape.min.js").is_file(),
        },
    )


@router.api_route("/static/explorer/{name}", methods=["GET", "HEAD"], include_in_schema=False)
def explorer_file(name: str) -> Response:
    """The explorer's own script and style, or Cytoscape.js as npm installed it (never a CDN)."""
    if name in _OWN_FILES:
        body = (files("api") / "static" / name).read_bytes()
        return Response(body, media_type=_OWN_FILES[name])
    if name != "cytoscape.min.js":
        raise Problem(404, f"no file {name!r} for the explorer")
    # A missing install is the server's state, not a wrong URL: say how to fix it.
    if not (CYTOSCAPE / name).is_file():
        raise Problem(
            503,
            "the explorer's JavaScript (npm package cytoscape) is not installed: "
            "run `make setup`, or `npm ci` in the project folder",
        )
    return FileResponse(CYTOSCAPE / name, media_type="text/javascript; charset=utf-8")
