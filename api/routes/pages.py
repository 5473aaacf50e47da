"""The landing page: what the graph holds, as HTML and as its JSON twin."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from api.deps import SummaryDep
from api.templating import templates

__all__ = ["router"]

router = APIRouter(tags=["pages"])


def _wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def _index(summary: SummaryDep) -> dict[str, Any]:
    view = dict(summary.get())
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
def index(request: Request, summary: SummaryDep) -> Response:
    """What the graph holds. Ask for ``application/json`` (or ``/index.json``) for the twin."""
    view = _index(summary)
    if _wants_json(request):
        return JSONResponse(view)
    return templates.TemplateResponse(
        request,
        "index.html",
        {"view": view},
        headers={"Link": '</index.json>; rel="alternate"; type="application/json"'},
    )


@router.get("/index.json", summary="Landing page (JSON)")
def index_json(summary: SummaryDep) -> dict[str, Any]:
    """The landing page's view model: counts by kind, acts by status, sources, layers."""
    return _index(summary)
