"""The ontology, its SKOS schemes and its SHACL shapes: Turtle for clients, a readable page of
classes, properties and concepts with their definitions for browsers, and its JSON twin."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from api.problems import wants_html
from api.templating import templates
from ontology import read_text
from ontology.catalogue import catalogue

__all__ = ["router"]

router = APIRouter(tags=["ontology"])
TURTLE = "text/turtle; charset=utf-8"
_ALTERNATES = (
    '</ontology.ttl>; rel="alternate"; type="text/turtle", '
    '</ontology.json>; rel="alternate"; type="application/json"'
)


def _turtle() -> Response:
    return Response(
        read_text("bilateral.ttl") + "\n" + read_text("schemes.ttl"),
        media_type=TURTLE,
        headers={"Vary": "Accept"},
    )


@router.get(
    "/ontology", summary="The ontology (Turtle; a page for browsers)", response_class=Response
)
def ontology(request: Request) -> Response:
    """The OWL ontology and its SKOS schemes: Turtle, or for a browser a page of every class,
    property and concept with its definition (``application/json`` gives the page's data)."""
    accept = request.headers.get("accept", "")
    if wants_html(request):
        return templates.TemplateResponse(
            request,
            "ontology.html",
            {"view": catalogue()},
            headers={"Link": _ALTERNATES, "Vary": "Accept"},
        )
    if "application/json" in accept and "turtle" not in accept:
        return JSONResponse(catalogue(), headers={"Vary": "Accept"})
    return _turtle()


@router.get("/ontology.ttl", summary="The ontology (Turtle)", response_class=Response)
def ontology_turtle() -> Response:
    """The OWL ontology and its SKOS schemes, as Turtle whatever the client accepts."""
    return _turtle()


@router.get("/ontology.json", summary="The ontology's classes, properties and schemes")
def ontology_json() -> dict[str, Any]:
    """The data of the /ontology page: every class, property and concept with its label,
    definition and place in the hierarchy."""
    return catalogue()


@router.get("/ontology/shapes", summary="The SHACL shapes (Turtle)", response_class=Response)
def shapes() -> Response:
    """The SHACL shapes every build is validated against."""
    return Response(read_text("shapes.ttl"), media_type=TURTLE)
