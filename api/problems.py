"""Errors as RFC 9457 problem details (``application/problem+json``) for clients, and as HTML
pages with the problem, the names nearest to a wrong one and a way home for browsers."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any
from urllib.parse import unquote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from graph.read.ids import short_id
from graph.read.lookup import nearest_names
from graph.store import StoreError

__all__ = ["Problem", "install", "problem_for", "problem_response", "suggested", "wants_html"]

log = logging.getLogger(__name__)

MEDIA_TYPE = "application/problem+json"


class Problem(HTTPException):
    """An HTTP error with a title and a detail a person can act on."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        title: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(status_code=status, detail=detail, headers=headers)
        self.title = title or _phrase(status)


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def wants_html(request: Request) -> bool:
    """Whether the client is a browser asking for a page: it accepts ``text/html`` ahead of
    JSON (a script that asks for JSON, or says nothing, gets the problem document)."""
    accept = request.headers.get("accept", "").lower()
    html = accept.find("text/html")
    if html < 0:
        return False
    json = min(
        (i for i in (accept.find("json"), accept.find("sparql-results")) if i >= 0), default=-1
    )
    return json < 0 or html < json


class _Pages:
    """The IRIs that have a page here (``{base}id/...``): the things a problem page suggests."""

    def __init__(self, base: str) -> None:
        self.prefix = f"{base}id/"

    def __contains__(self, iri: object) -> bool:
        return isinstance(iri, str) and iri.startswith(self.prefix)


def suggested(request: Request, limit: int = 5) -> list[dict[str, str]]:
    """The names nearest to what the path (or its ``q``, ``id``, ``from`` and ``to``
    parameters) asked for, by :func:`graph.read.lookup.nearest_names` (the command line's and
    the routes' rule): ``[{"href", "label", "kind"}]``, best first; empty when there is
    nothing like it or no search index to ask."""
    index = getattr(request.app.state, "search", None)
    settings = getattr(request.app.state, "settings", None)
    if index is None or settings is None:
        return []
    asked = [v for k in ("q", "id", "from", "to") if (v := request.query_params.get(k))]
    segment = unquote(request.url.path.rstrip("/").rsplit("/", 1)[-1])
    if not asked and segment:
        asked = [segment.rsplit(".", 1)[0]]
    pages = _Pages(settings.base_iri)
    found: dict[str, dict[str, str]] = {}
    for text in asked:
        try:
            hits = nearest_names(index, pages, text[:200], limit)
        except Exception as exc:  # no store built, an engine away: the page still answers
            log.info("no suggestions for %r: %s", text[:200], exc)
            return []
        for h in hits:
            href = f"/id/{short_id(h.iri, settings.base_iri)}"
            found.setdefault(h.iri, {"href": href, "label": h.label, "kind": h.kind})
    return list(found.values())[:limit]


def problem_response(
    request: Request,
    status: int,
    detail: str,
    title: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """A problem document for this request; for a browser, a page that says the same, with
    the names nearest to a wrong one and a link home."""
    body = {
        "type": "about:blank",
        "title": title or _phrase(status),
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    if wants_html(request) and request.method in {"GET", "HEAD"}:
        from api.templating import templates  # here: the JSON path must not need Jinja

        suggestions = suggested(request) if status in {400, 404, 422} else []
        return templates.TemplateResponse(
            request,
            "problem.html",
            {"problem": body, "suggestions": suggestions},
            status_code=status,
            headers=dict(headers or {}),
        )
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


PROBLEM_SCHEMA = {
    "title": "Problem",
    "description": "An RFC 9457 problem document.",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
    },
}
_PROBLEM = {"content": {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
_ERRORS = {
    "400": "The request is malformed or refused",
    "404": "Nothing of that name",
    "422": "A parameter is invalid",
}


def openapi(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI document, saying what errors really look like (problem documents) and with
    one operation id per method."""
    if app.openapi_schema is not None:
        return app.openapi_schema
    with warnings.catch_warnings():  # routes serving GET and HEAD share an id: fixed below
        warnings.simplefilter("ignore", UserWarning)
        schema = get_openapi(
            title=app.title,
            version=app.version,
            summary=app.summary,
            description=app.description,
            routes=app.routes,
        )
    schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    seen: set[str] = set()
    for path_item in schema.get("paths", {}).values():
        for method, operation in path_item.items():
            op_id = operation.get("operationId")
            if op_id in seen:
                operation["operationId"] = f"{op_id}_{method}"
            seen.add(operation.get("operationId", ""))
            responses = operation.setdefault("responses", {})
            for status, description in _ERRORS.items():
                if status == "422" or operation.get("parameters"):
                    responses[status] = {"description": description, **_PROBLEM}
    schema["components"]["schemas"].pop("HTTPValidationError", None)
    schema["components"]["schemas"].pop("ValidationError", None)
    app.openapi_schema = schema
    return schema


def problem_for(request: Request, exc: Exception) -> Response | None:
    """The problem document for an HTTP error or an unavailable store (``None`` for any other
    exception): what the app's exception handlers answer, for routes and the SPARQL hot path
    (``api/fastpath.py``) alike."""
    if isinstance(exc, HTTPException):
        title = exc.title if isinstance(exc, Problem) else None
        return problem_response(request, exc.status_code, str(exc.detail), title, exc.headers)
    if isinstance(exc, StoreError):
        # The store cannot be read now (a remote engine gone away, no graph built yet): the
        # client may retry; the message says why.
        return problem_response(request, 503, str(exc), None, {"Retry-After": "5"})
    return None


def install(app: FastAPI) -> None:
    """Answer every HTTP error and every invalid parameter with a problem document."""
    app.openapi = lambda: openapi(app)  # type: ignore[method-assign]

    @app.exception_handler(HTTPException)
    async def http_problem(request: Request, exc: HTTPException) -> Response:
        answer = problem_for(request, exc)
        assert answer is not None
        return answer

    @app.exception_handler(StoreError)
    async def store_unavailable(request: Request, exc: StoreError) -> Response:
        answer = problem_for(request, exc)
        assert answer is not None
        return answer

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        detail = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        return problem_response(request, 422, detail, "Unprocessable Content")
