"""Feeds: a country pair's new and changed cooperation acts as Atom, for feed readers."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import SettingsDep, StoreDep
from api.problems import Problem
from graph.read.feed import pair_feed, to_atom
from graph.read.lists import country

__all__ = ["router"]

router = APIRouter(prefix="/pair", tags=["feeds"])


@router.get(
    "/{pair}/feed.atom",
    summary="A country pair's new and changed cooperation acts (Atom)",
    response_class=Response,
    responses={200: {"content": {"application/atom+xml": {}}}},
)
def feed(pair: str, request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    """An Atom feed of the acts that involve both countries (ISO 3166-1 codes, ``KH-KR``): an
    entry when an act is first reported and whenever an act that follows it changes its
    status, each linked to the act's page, its evidence spans and the source's URL."""
    base = settings.base_iri
    codes = pair.split("-")
    if len(codes) != 2 or not all(codes):
        raise Problem(404, f"{pair!r} is not a country pair; write two ISO codes, e.g. KH-KR")
    found = [country(store, c, base) for c in codes]
    if found[0] is None or found[1] is None:
        unknown = next(c for c, f in zip(codes, found, strict=True) if f is None)
        raise Problem(404, f"{unknown!r} is not a country of the graph (e.g. KH-KR)")
    if found[0] == found[1]:
        raise Problem(404, "a pair is two different countries, e.g. KH-KR")
    body = to_atom(
        pair_feed(store, base, found[0], found[1]),
        base,
        f"pair/{codes[0].upper()}-{codes[1].upper()}/feed.atom",
        f"pair/{codes[0].upper()}-{codes[1].upper()}",
        str(request.base_url),  # the public URL (api/origin.py), never the client's Host
    )
    return Response(body, media_type="application/atom+xml; charset=utf-8")
