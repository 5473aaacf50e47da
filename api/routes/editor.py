"""The SPARQL query editor's routes: its example queries and YASGUI's JavaScript."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

from api import editor
from api.editor import Example
from api.problems import Problem

__all__ = ["router"]

router = APIRouter(tags=["sparql"])

_MEDIA_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".map": "application/json",
}


@router.get("/sparql/examples", summary="Example SPARQL queries")
def example_queries() -> list[Example]:
    """The editor's example queries, one per competency question, each ready to run."""
    return list(editor.examples())


@router.api_route("/static/yasgui/{name}", methods=["GET", "HEAD"], include_in_schema=False)
def yasgui_file(name: str) -> FileResponse:
    """A file of YASGUI's build, installed by npm (``make setup``), never from a CDN."""
    media_type = _MEDIA_TYPES.get(Path(name).suffix)
    path = editor.YASGUI_BUILD / name
    # A missing install is the server's state, not a wrong URL: say how to fix it.
    if not editor.YASGUI_BUILD.is_dir():
        raise Problem(
            503,
            "the query editor's JavaScript (npm package @zazuko/yasgui) is not installed: "
            "run `make setup`, or `npm ci` in the project folder",
        )
    if media_type is None or name.startswith(".") or not path.is_file():
        raise Problem(404, f"no file {name!r} in the query editor's build")
    return FileResponse(path, media_type=media_type)
