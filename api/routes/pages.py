"""The landing page (what the graph holds, as HTML and as its JSON twin) and /docs, the API
browser (Swagger UI from npm, served by the app) on the OpenAPI document."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from api.deps import ProjectionDep, SettingsDep, StoreDep, SummaryDep
from api.routes.assets import library_path
from api.templating import templates
from graph.read.ids import short_id
from graph.read.pages import human_date
from graph.read.views import MAIN_PAIR, main_pair_of
from ontology import scheme_labels
from ontology.vocabulary import status_words

__all__ = ["router"]

router = APIRouter(tags=["pages"])


def _wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def _index(
    summary: SummaryDep, projection: ProjectionDep, store: StoreDep, settings: SettingsDep
) -> dict[str, Any]:
    view = dict(summary.get())
    # Prepared with the generation (no wait for the projection after a rebuild), else found now.
    main = view.pop(MAIN_PAIR) if MAIN_PAIR in view else main_pair_of(store, projection.graph())
    # Each source links to its page (its text with the sentences facts rest on), dated in words.
    view["sources"] = [
        {
            **s,
            "page": "/id/" + short_id(s["source"], settings.base_iri),
            "when": human_date(s.get("published")) if s.get("published") else "undated",
        }
        for s in view["sources"]
    ]
    # The relationship the graph says most about comes first: its page and its timeline.
    codes = main["codes"] if main else []
    if main and all(codes):
        view["pair"] = {
            "label": " – ".join(main["labels"]),
            "page": f"/pair/{codes[0]}-{codes[1]}",
            "timeline": f"/timeline?countries={codes[0]},{codes[1]}",
            "explore": "/explore",
        }
    else:
        view["pair"] = None
    # Counts that have a list to show what they count link to it.
    view["count_links"] = {
        "meetings": "/meetings",
        "cooperation acts": "/acts",
        "statements": "/statements",
        "statistics": "/statistics",
        "sources": "/sources",
    }
    # The summary names a status by its label; the API by its notation (one spelling), the
    # page by its label again (ontology.vocabulary.status_words).
    notation = {label: n for n, label in scheme_labels("status").items()}
    view["acts_by_status"] = {
        notation.get(label, label): n for label, n in view["acts_by_status"].items()
    }
    view["status_links"] = {s: f"/acts?status={s}" for s in view["acts_by_status"]}
    view["links"] = {
        "json": "/index.json",
        "explore": "/explore",
        "sparql": "/sparql",
        "ontology": "/ontology",
        "openapi": "/docs",
        "search": "/api/search",
        "paths": "/api/paths",
        "lists": "/acts",
    }
    return view


#: The landing page's view model (one for the page and its twin).
LandingDep = Annotated[dict[str, Any], Depends(_index)]


@router.get("/", response_class=HTMLResponse, summary="Landing page")
def index(request: Request, view: LandingDep) -> Response:
    """What the graph holds. Ask for ``application/json`` (or ``/index.json``) for the twin."""
    if _wants_json(request):
        return JSONResponse(view)
    return templates.TemplateResponse(
        request,
        "index.html",
        {"view": view, "status_words": status_words},
        headers={"Link": '</index.json>; rel="alternate"; type="application/json"'},
    )


@router.get("/index.json", summary="Landing page (JSON)")
def index_json(view: LandingDep) -> dict[str, Any]:
    """The landing page's view model: the pair it leads with, counts by kind, acts by status,
    sources, layers."""
    return view


@router.get("/docs", response_class=HTMLResponse, include_in_schema=False)
def docs(request: Request) -> Response:
    """The API browser: Swagger UI (npm swagger-ui-dist, served by this app, nothing from a
    CDN) on ``/openapi.json``, its JSON twin."""
    installed = all(library_path(n).is_file() for n in ("swagger-ui.css", "swagger-ui-bundle.js"))
    return templates.TemplateResponse(
        request,
        "docs.html",
        {"installed": installed},
        headers={"Link": '</openapi.json>; rel="alternate"; type="application/json"'},
    )
