"""The hot path of ``/sparql``: its GET and POST answered without the framework's routing.

An ASGI middleware, innermost of the app's own (so the origin, CORS and security headers
middlewares wrap it as they wrap every route), that hands ``GET`` and ``POST /sparql`` straight
to the route functions of ``api/routes/sparql.py`` with the app's settings, store and executor,
and renders their errors with the same problem documents as the app's exception handlers
(``api.problems.problem_for``). It skips Starlette's route matching over every route of the app,
FastAPI's dependency solving and its exception and exit-stack wrappers: about 0.3 ms a request
(``bench/layers.py``). Every other request, and ``HEAD`` or ``OPTIONS`` on ``/sparql``, goes on
to the app.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from api.problems import problem_for
from api.routes import sparql

__all__ = ["SparqlFastPath"]

PATH = "/sparql"


class SparqlFastPath:
    """ASGI middleware: ``GET``/``POST /sparql`` to the SPARQL routes, without routing."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["path"] != PATH
            or scope["method"] not in ("GET", "POST")
            or scope.get("root_path")
        ):
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive, send)
        state = scope["app"].state
        try:
            if scope["method"] == "GET":
                response = await sparql.sparql_get(
                    request, state.settings, state.store, state.executor
                )
            else:
                response = await sparql.sparql_post(request, state.settings, state.executor)
        except Exception as exc:
            answer = problem_for(request, exc)
            if answer is None:
                raise  # as from a route: the server error middleware answers 500
            response = answer
        await response(scope, receive, send)
