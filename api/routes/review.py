"""The review page: drafted sheets over their text; decisions saved with the write token."""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from api.access import authorize, read_body
from api.deps import SettingsDep, StoreDep
from api.problems import Problem
from api.templating import templates
from graph.build.draft.edit import (
    ReviewError,
    apply_review,
    drafts,
    rebuild_in_subprocess,
    review_view,
)

__all__ = ["router"]

router = APIRouter(tags=["review"])
Writer = Annotated[None, Depends(authorize)]
_OWN_FILES = {
    "review.js": "text/javascript; charset=utf-8",
    "review.css": "text/css; charset=utf-8",
}
#: The largest review a page may send.
MAX_REVIEW_BYTES = 1_000_000


@router.get("/review", response_class=HTMLResponse, summary="Review drafted sheets (write token)")
def review_page(request: Request, settings: SettingsDep) -> Response:
    """The review page. Its data and its saves need the write token, which the page asks for
    (and keeps for the browser tab only); with no token configured it says how to set one."""
    enabled = settings.token() is not None
    return templates.TemplateResponse(
        request,
        "review.html",
        {"enabled": enabled},
        status_code=200 if enabled else 403,
        headers={"Link": '</api/review>; rel="alternate"; type="application/json"'},
    )


@router.get("/api/review", summary="Drafted sheets and how many items await review")
def review_list(_: Writer, settings: SettingsDep) -> dict[str, Any]:
    """Every sheet of the seeds with the number of its items still marked ``review:``."""
    return {"sheets": drafts(settings.seeds)}


@router.get("/api/review/{source}", summary="A drafted sheet over its text")
def review_sheet(source: str, _: Writer, settings: SettingsDep) -> dict[str, Any]:
    """The text, its sentences, and every mention, fact and proposed entity with offsets."""
    try:
        return review_view(settings.seeds, source)
    except ReviewError as exc:
        raise Problem(404, str(exc)) from None


@router.post("/api/review/{source}", summary="Save review decisions, validate and rebuild")
async def review_save(
    source: str, request: Request, _: Writer, settings: SettingsDep, store: StoreDep
) -> Response:
    """Accept, edit, reject or add items; the sheet is written back (comments and order kept),
    the seeds are checked and the store rebuilt. If the seeds would be unsound, nothing is
    changed and the answer (422) lists the problems."""
    body = await read_body(request, MAX_REVIEW_BYTES)
    try:
        decisions = json.loads(body or b"{}")
    except ValueError:
        raise Problem(400, "the review must be a JSON object") from None
    if not isinstance(decisions, dict):
        raise Problem(400, "the review must be a JSON object")

    def rebuild() -> None:
        if settings.store_url:  # a remote engine: the build's quads go over HTTP
            from graph.build.iris import Iris
            from graph.build.pipeline import build_store

            build_store(settings.seeds, store, Iris(settings.base_iri))
        else:
            rebuild_in_subprocess(settings.seeds, settings.store, settings.base_iri)

    try:
        result = await run_in_threadpool(apply_review, settings.seeds, source, decisions, rebuild)
    except ReviewError as exc:
        raise Problem(400, str(exc)) from None
    answer = {
        "saved": result.saved,
        "counts": result.counts,
        "problems": result.problems,
        "pending": result.pending,
    }
    return Response(
        json.dumps(answer, ensure_ascii=False),
        status_code=200 if result.saved else 422,
        media_type="application/json",
    )


@router.api_route("/static/review/{name}", methods=["GET", "HEAD"], include_in_schema=False)
def review_file(name: str) -> Response:
    """The review page's own script and style."""
    if name not in _OWN_FILES:
        raise Problem(404, f"no file {name!r} for the review page")
    return Response((files("api") / "static" / name).read_bytes(), media_type=_OWN_FILES[name])
