"""The ontology, its SKOS schemes and its SHACL shapes, as Turtle."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from ontology import read_text

__all__ = ["router"]

router = APIRouter(prefix="/ontology", tags=["ontology"])
TURTLE = "text/turtle; charset=utf-8"


@router.get("", summary="The ontology (Turtle)", response_class=Response)
def ontology() -> Response:
    """The OWL ontology and its SKOS schemes."""
    return Response(read_text("bilateral.ttl") + "\n" + read_text("schemes.ttl"), media_type=TURTLE)


@router.get("/shapes", summary="The SHACL shapes (Turtle)", response_class=Response)
def shapes() -> Response:
    """The SHACL shapes every build is validated against."""
    return Response(read_text("shapes.ttl"), media_type=TURTLE)
