"""The landing page: what the graph holds, as HTML and as its JSON twin."""

from __future__ import annotations

import threading
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, PackageLoader, select_autoescape

from api.deps import StoreDep
from graph.lookup import summary
from graph.store import Store

__all__ = ["cached_summary", "router"]

router = APIRouter(tags=["pages"])
templates = Jinja2Templates(
    env=Environment(loader=PackageLoader("api", "templates"), autoescape=select_autoescape())
)


def _wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


_views: dict[int, tuple[object, dict[str, Any]]] = {}
_views_lock = threading.Lock()


def cached_summary(store: Store) -> dict[str, Any]:
    """The summary of the store's current version, computed once per version (a few seconds
    at a million triples; the app warms it at start-up)."""
    version = getattr(store, "version", None)
    with _views_lock:
        hit = _views.get(id(store))
        if hit is not None and version is not None and hit[0] == version:
            return hit[1]
        view = summary(store)
        _views[id(store)] = (version, view)
        return view


def _index(store: StoreDep) -> dict[str, Any]:
    view = dict(cached_summary(store))
    view["links"] = {
        "json": "/index.json",
        "explore": "/explore",
        "sparql": "/sparql",
        "ontology": "/ontology",
        "openapi": "/docs",
        "search": "/api/search",
        "paths": "/api/paths",
    }
    return view


@router.get("/", response_class=HTMLResponse, summary="Landing page")
def index(request: Request, store: StoreDep) -> Response:
    """What the graph holds. Ask for ``application/json`` (or ``/index.json``) for the twin."""
    view = _index(store)
    if _wants_json(request):
        return JSONResponse(view)
    return templates.TemplateResponse(
        request,
        "index.html",
        {"view": view},
        headers={"Link": '</index.json>; rel="alternate"; type="application/json"'},
    )


@router.get("/index.json", summary="Landing page (JSON)")
def index_json(store: StoreDep) -> dict[str, Any]:
    """The landing page's view model: counts by kind, acts by status, sources, layers."""
    return _index(store)
