"""The corpus endpoints: a timeline, a country pair at a glance, conflicts, statistics as series.

Shapes (stable; the pair and timeline pages build on them):

- ``GET /api/timeline?countries=KH,KR&from=&to=&kinds=&layers=&limit=`` ->
  ``{"items": [{"id", "kind", "label", "date", "date_basis", "date_known", "sort_date",
  "sort_date_end", "layers", "participants": [{"id", "label", "role"}], "status",
  "status_reason", "status_history", "sources": [{"id", "label", "published", "evidence"}],
  "report_count"}]}``
- ``GET /api/pairs/{A}-{B}`` -> ``{"countries", "counts": {"meetings", "acts", "by_kind",
  "by_status"}, "by_month", "fields", "people", "bodies", "sources"}``
- ``GET /api/conflicts?entity=&kind=&source=`` -> ``{"items": [{"id", "kind", "about", "label",
  "reason", "claims": [{"source", "value", "object", "evidence"}]}]}``
- ``GET /api/series?origin=&destination=`` -> ``{"items": [{"id", "label", "origin",
  "destination", "population", "unit", "points": [...]}]}``
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.deps import SettingsDep, StoreDep
from api.listing import Countries, Destination, Origin, SourceId, pair_of
from api.params import country_of, node_of, split
from api.problems import Problem
from graph.read import corpus

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["corpus"])

DAY = r"^\d{4}(-\d{2}){0,2}$"
DayFrom = Annotated[str | None, Query(alias="from", pattern=DAY, description="YYYY[-MM[-DD]]")]
DayTo = Annotated[str | None, Query(alias="to", pattern=DAY, description="YYYY[-MM[-DD]]")]
CONFLICT_KINDS = ("post", "date", "place", "start-year", "spelling", "value")


@router.get("/timeline", summary="Meetings and acts in date order")
def timeline(
    store: StoreDep,
    settings: SettingsDep,
    countries: Countries = None,
    date_from: DayFrom = None,
    date_to: DayTo = None,
    kinds: Annotated[
        str | None,
        Query(description="comma-separated: meeting, agreement, request, proposal, pledge, ..."),
    ] = None,
    layers: Annotated[str | None, Query(description="comma-separated: stated, inferred")] = None,
    limit: Annotated[int, Query(ge=1, le=2000)] = 500,
) -> dict[str, Any]:
    """Meetings and acts in date order (exact dates, then inferred, then partial dates placed
    at the start of their span; undated last), each saying how its date is known, with its
    participants, current status and history, and the sources that report it."""
    base = settings.base_iri
    pair = pair_of(store, countries, base)
    wanted_layers = split(layers)
    if wanted_layers is not None:
        bad = sorted(set(wanted_layers) - {"stated", "inferred"})
        if bad:
            raise Problem(400, f"unknown layer {bad[0]!r}; use stated or inferred")
    try:
        items = corpus.timeline(
            store,
            base,
            pair,
            date_from=date_from,
            date_to=date_to,
            kinds=split(kinds),
            layers=wanted_layers,
            limit=limit,
        )
    except ValueError as exc:
        raise Problem(400, str(exc)) from None
    return {"items": items}


@router.get("/pairs/{pair}", summary="A country pair's relationship at a glance")
def pairs(pair: str, store: StoreDep, settings: SettingsDep) -> dict[str, Any]:
    """Counts of meetings and acts by kind and current status and by month, the fields of
    cooperation, the people and bodies most involved, and the sources, for two countries
    given as ``{A}-{B}`` (ISO 3166-1 codes, either order)."""
    base = settings.base_iri
    codes = pair.split("-")
    if len(codes) != 2 or not all(len(c) == 2 and c.isalpha() for c in codes):
        raise Problem(404, f"{pair[:40]!r} is not a country pair: use two ISO codes, as KH-KR")
    a, b = (country_of(store, c, base) for c in codes)
    return corpus.pair(store, base, a, b)


@router.get("/conflicts", summary="Where sources disagree")
def conflicts(
    store: StoreDep,
    settings: SettingsDep,
    entity: Annotated[
        str | None, Query(description="the entity, meeting, act or observation (id or IRI)")
    ] = None,
    kind: Annotated[str | None, Query(description=", ".join(CONFLICT_KINDS))] = None,
    source: SourceId = None,
) -> dict[str, Any]:
    """Every conflict: the thing the sources disagree on, and each side with its source and
    evidence. Nothing is chosen."""
    base = settings.base_iri
    if kind is not None and kind not in CONFLICT_KINDS:
        raise Problem(400, f"unknown kind {kind!r}; use one of {', '.join(CONFLICT_KINDS)}")
    src = None
    if source is not None:
        src = node_of(source if "/" in source else "source/" + source, base)
    items = corpus.conflicts(
        store,
        base,
        about=None if entity is None else node_of(entity, base),
        kind=kind,
        source=src,
    )
    return {"items": items}


@router.get("/series", summary="Statistics as series")
def series(
    origin: Origin = None,
    destination: Destination = None,
    *,
    store: StoreDep,
    settings: SettingsDep,
) -> dict[str, Any]:
    """Observations of the same measure from every source and period, ordered by period; each
    point keeps the source's qualifier (a lower bound, a range with currency and period)."""
    base = settings.base_iri
    return {
        "items": corpus.series(
            store,
            base,
            origin=None if origin is None else country_of(store, origin, base),
            destination=None if destination is None else country_of(store, destination, base),
        )
    }
