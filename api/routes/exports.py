"""Exports in the field's formats: meetings and acts as PLOVER event records (JSON lines)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response

from api.deps import SettingsDep, StoreDep
from api.params import country_of, split
from api.problems import Problem
from graph.read.plover import plover_records, to_jsonl

__all__ = ["router"]

router = APIRouter(prefix="/api/export", tags=["exports"])


@router.get(
    "/plover",
    summary="Meetings and cooperation acts as PLOVER event records, each with its evidence",
    responses={200: {"content": {"application/x-ndjson": {}, "application/json": {}}}},
)
def plover(
    store: StoreDep,
    settings: SettingsDep,
    countries: Annotated[
        str | None,
        Query(
            max_length=500,
            description="two countries, comma-separated (ISO codes or ids): records that "
            "involve both, e.g. KH,KR",
        ),
    ] = None,
    format: Annotated[
        Literal["jsonl", "json"], Query(description="jsonl (one record a line) or json")
    ] = "jsonl",
) -> Response:
    """Every meeting and act (or those of a country pair) as PLOVER JSON records (see
    ``graph.read.plover``): actor and recipient with ISO alpha-3 country, sector, office and
    Wikidata id where known; date; event, mode, context, quad class and score; location; the
    source citation and every evidence quote with its character offsets."""
    base = settings.base_iri
    pair = None
    named = split(countries)
    if named is not None:
        if len(named) != 2:
            raise Problem(400, "countries takes two countries, comma-separated, e.g. KH,KR")
        a, b = (country_of(store, c, base) for c in named)
        pair = (a, b)
    records = plover_records(store, base, pair)
    if format == "json":
        return JSONResponse(records)
    return Response(to_jsonl(records), media_type="application/x-ndjson")
