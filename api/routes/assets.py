"""Static files of the pages: our own style and scripts, and the npm libraries they use (Swagger
UI for /docs, vis-timeline for /timeline), each from an allow-list, never from a CDN."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, Response

import api
from api.problems import Problem

__all__ = ["LIBRARIES", "OWN", "router"]

router = APIRouter(tags=["pages"], include_in_schema=False)

_JS = "text/javascript; charset=utf-8"
_CSS = "text/css; charset=utf-8"
#: Our own files under ``api/static``, by name, with their media type.
OWN = {"pages.css": _CSS, "docs.js": _JS, "timeline.js": _JS}
_MODULES = Path(api.__file__).resolve().parent.parent / "node_modules"
#: Library files as npm installs them from package.json: name -> (package, path, media type).
LIBRARIES = {
    "swagger-ui.css": ("swagger-ui-dist", "swagger-ui-dist/swagger-ui.css", _CSS),
    "swagger-ui-bundle.js": ("swagger-ui-dist", "swagger-ui-dist/swagger-ui-bundle.js", _JS),
    "vis-timeline-graph2d.min.js": (
        "vis-timeline",
        "vis-timeline/standalone/umd/vis-timeline-graph2d.min.js",
        _JS,
    ),
    "vis-timeline-graph2d.min.css": (
        "vis-timeline",
        "vis-timeline/styles/vis-timeline-graph2d.min.css",
        _CSS,
    ),
}


def library_path(name: str) -> Path:
    """Where npm installed one of :data:`LIBRARIES`."""
    return _MODULES / LIBRARIES[name][1]


@router.api_route("/static/pages/{name}", methods=["GET", "HEAD"])
def own_file(name: str) -> Response:
    """The pages' own style and scripts."""
    if name not in OWN:
        raise Problem(404, f"no file {name!r} for the pages")
    return Response((files("api") / "static" / name).read_bytes(), media_type=OWN[name])


@router.api_route("/static/npm/{name}", methods=["GET", "HEAD"])
def library_file(name: str) -> Response:
    """A library file as npm installed it."""
    if name not in LIBRARIES:
        raise Problem(404, f"no library file {name!r}")
    package, _, media = LIBRARIES[name]
    where = library_path(name)
    # A missing install is the server's state, not a wrong URL: say how to fix it.
    if not where.is_file():
        raise Problem(
            503,
            f"the npm package {package} is not installed: run `make setup`, or `npm ci` in "
            "the project folder",
        )
    return FileResponse(where, media_type=media)
