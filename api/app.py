"""The FastAPI application: created by a factory, the store opened once by the lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from api.config import Settings, get_settings
from api.routes import ontology, pages
from graph.store import Store, open_store

__all__ = ["create_app"]


def create_app(settings: Settings | None = None, store: Store | None = None) -> FastAPI:
    """Create the app.

    Args:
        settings: the settings (default: from the environment).
        store: an open store (tests pass an in-memory one); by default the lifespan opens the
            current generation of ``settings.store`` read-only.
    """
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.store = store if store is not None else open_store(settings.store)
        yield

    app = FastAPI(
        title="bilateral-kg",
        summary="A knowledge graph of bilateral cooperation; every fact with its evidence.",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.settings = settings
    if store is not None:
        app.state.store = store

    @app.exception_handler(HTTPException)
    async def problem(request: Request, exc: HTTPException) -> JSONResponse:
        """Errors as RFC 9457 problem details."""
        return JSONResponse(
            {
                "type": "about:blank",
                "title": _title(exc.status_code),
                "status": exc.status_code,
                "detail": exc.detail,
                "instance": request.url.path,
            },
            status_code=exc.status_code,
            media_type="application/problem+json",
            headers=exc.headers,
        )

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        """Bad parameters as a 422 problem that names each bad parameter."""
        detail = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        return JSONResponse(
            {
                "type": "about:blank",
                "title": "Unprocessable Content",
                "status": 422,
                "detail": detail,
                "instance": request.url.path,
            },
            status_code=422,
            media_type="application/problem+json",
        )

    app.include_router(pages.router)
    app.include_router(ontology.router)
    return app


def _title(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
