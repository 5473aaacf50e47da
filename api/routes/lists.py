"""List endpoints: cooperation acts, meetings, statistics and sources, with keyset paging."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from api.deps import MeetingsDep, SettingsDep, StoreDep
from api.params import country_of, node_of
from api.problems import Problem
from graph.read import lists, sources
from graph.read import statistics as observations
from graph.read.ids import full_iri
from graph.read.lists import Page, is_iri
from ontology import scheme_notations
from ontology.vocabulary import FACT_LAYERS

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["lists"])


class Ref(BaseModel):
    id: str
    label: str


class Quote(BaseModel):
    quote: str
    start: int
    end: int
    source: str


class SourceRef(BaseModel):
    id: str
    label: str
    published: str | None = Field(description="the source's publication date (EDTF), if given")


class Report(SourceRef):
    evidence: list[Quote] = Field(description="this source's evidence for the fact")


class StatusStep(BaseModel):
    position: int
    status: str = Field(description="the status this act gives (a notation of the scheme)")
    act: str = Field(description="the act whose stated status it is")
    date: str | None = Field(description="its date (EDTF)")
    date_basis: str = Field(
        description="how the date is known: stated, inferred, partial, occasion, published, unknown"
    )
    sort_date: str | None
    sources: list[str]


class Act(BaseModel):
    id: str
    label: str
    kind: str = Field(description="Agreement, Request, Proposal, Pledge, Examination, Endorsement")
    status: str = Field(description="the current status (or the status as_of the day given)")
    stated_status: str = Field(description="the status the act's own source states")
    status_reason: str | None = Field(description="the status history in words")
    status_history: list[StatusStep]
    summary: str
    layer: str
    actors: list[Ref]
    addressees: list[Ref]
    partners: list[Ref]
    fields: list[str]
    occasion: Ref | None
    evidence: list[Quote]
    sources: list[Report] = Field(description="the sources that report the act, by date")
    report_count: int


class ActsPage(BaseModel):
    items: list[Act]
    next: str | None


class Meeting(BaseModel):
    id: str
    label: str
    date: str | None = Field(description="the date as the source gives it (EDTF)")
    full_date: str | None = Field(description="the full date, where one is known or inferred")
    full_date_layer: str | None
    place: Ref | None
    attendees: list[Ref]
    evidence: list[Quote]
    sources: list[Report] = Field(description="the sources that report the meeting, by date")
    report_count: int


class MeetingsPage(BaseModel):
    items: list[Meeting]
    next: str | None


class Observation(BaseModel):
    id: str
    label: str
    dataset: Ref
    period: str
    origin: Ref
    destination: Ref
    population: str
    sex: str
    value: float | None = Field(description="the exact value; none for a bound or a range")
    qualifier: str = Field(
        description="exact, more-than, at-least, fewer-than, at-most, about or range"
    )
    min: float | None = Field(description="the lower bound (more-than, at-least, range)")
    max: float | None = Field(description="the upper bound (fewer-than, at-most, range)")
    approximate: float | None = Field(description="the value the source gives as approximate")
    per: str | None = Field(description="for a rate: per year, month, ...")
    unit: str = Field(description="persons, percent of total, or an ISO 4217 currency")
    layer: str
    reason: str | None
    evidence: list[Quote]


class ObservationsPage(BaseModel):
    items: list[Observation]
    next: str | None


class Span(BaseModel):
    start: int
    end: int
    quote: str
    kind: str = Field(description="evidence (of a fact) or mention (of an entity)")
    layer: str | None
    refers_to: list[Ref] = Field(description="the facts it is evidence for, or the entity")


class Source(BaseModel):
    id: str
    label: str
    url: str | None
    publisher: str | None
    text: str
    spans: list[Span]


def _next(request: Request, page: Page) -> str | None:
    """The URL of the next page, or ``None`` on the last one."""
    if not page.more:
        return None
    return str(request.url.include_query_params(after=page.items[-1]["id"]))


@router.get("/acts", response_model=ActsPage, summary="Cooperation acts, filtered")
def acts(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    status: Annotated[
        str | None,
        Query(
            description="the current status (with as_of, the status on that day): one of "
            + ", ".join(scheme_notations("status"))
        ),
    ] = None,
    field: Annotated[
        str | None, Query(description="a field of cooperation, e.g. employment")
    ] = None,
    countries: Annotated[
        str | None,
        Query(
            description="two countries, comma-separated (ids or ISO codes): acts that involve both"
        ),
    ] = None,
    as_of: Annotated[
        date | None, Query(description="the status on this day (YYYY-MM-DD), from the history")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    after: Annotated[str | None, Query(description="the cursor of the previous page")] = None,
) -> dict[str, Any]:
    """Acts with their actor, addressee, partners, field, current status, status history,
    sources and evidence, in date order; by current status (or the status as of a day), field
    and country pair. A country takes part through itself, its bodies and the people holding
    posts in them."""
    base = settings.base_iri
    pair = None
    if countries is not None:
        named = [c.strip() for c in countries.split(",") if c.strip()]
        if len(named) != 2:
            raise Problem(400, "countries takes two countries, comma-separated")
        pair = (country_of(store, named[0], base), country_of(store, named[1], base))
    try:
        page = lists.acts(
            store,
            base,
            status=status,
            field=field,
            countries=pair,
            as_of=as_of,
            after=after,
            limit=limit,
        )
    except ValueError as exc:
        raise Problem(400, str(exc)) from None
    return {"items": page.items, "next": _next(request, page)}


@router.get("/meetings", response_model=MeetingsPage, summary="Meetings, filtered")
def meetings(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    prepared: MeetingsDep,
    participant: Annotated[str | None, Query(description="an attendee (id or IRI)")] = None,
    date_from: Annotated[
        str | None,
        Query(
            alias="from",
            pattern=r"^\d{4}(-\d{2}){0,2}$",
            description="earliest full date (YYYY[-MM[-DD]])",
        ),
    ] = None,
    date_to: Annotated[
        str | None,
        Query(
            alias="to",
            pattern=r"^\d{4}(-\d{2}){0,2}$",
            description="latest full date (YYYY[-MM[-DD]])",
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    after: Annotated[str | None, Query(description="the cursor of the previous page")] = None,
) -> dict[str, Any]:
    """Meetings with their attendees, the date as the source gives it, the full date where
    one is known (with its layer: a year may be inferred), the place (only when stated) and
    the evidence. A date range keeps the meetings whose full date is known to fall in it."""
    base = settings.base_iri
    page = lists.meetings(
        store,
        base,
        participant=None if participant is None else node_of(participant, base),
        date_from=date_from,
        date_to=date_to,
        after=after,
        limit=limit,
        # For the current graph version, or None while it is prepared (then queried).
        prepared=prepared.peek(),
    )
    return {"items": page.items, "next": _next(request, page)}


@router.get("/statistics", response_model=ObservationsPage, summary="Statistical observations")
def statistics(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    origin: Annotated[str | None, Query(description="country of origin (id or ISO code)")] = None,
    destination: Annotated[str | None, Query(description="country of destination")] = None,
    layer: Annotated[str | None, Query(pattern=f"^({'|'.join(FACT_LAYERS)})$")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    after: Annotated[str | None, Query(description="the cursor of the previous page")] = None,
) -> dict[str, Any]:
    """Observations (RDF Data Cube) with their dimensions, value, unit and layer: stated
    figures with their evidence, derived ones with their computation."""
    base = settings.base_iri
    page = observations.statistics(
        store,
        base,
        origin=None if origin is None else country_of(store, origin, base),
        destination=None if destination is None else country_of(store, destination, base),
        layer=layer,
        after=after,
        limit=limit,
    )
    return {"items": page.items, "next": _next(request, page)}


@router.get(
    "/sources/{id:path}", response_model=Source, summary="A source's text with every annotated span"
)
def source(id: str, store: StoreDep, settings: SettingsDep) -> dict[str, Any]:
    """The text of a source and every span the graph annotates in it: the evidence of facts
    (with the facts) and the mentions of entities (with the entity and the layer of the
    identification)."""
    base = settings.base_iri
    iri = full_iri(
        id if id.startswith(("http://", "https://", "source/")) else "source/" + id, base
    )
    if not is_iri(iri):
        raise Problem(404, f"there is no source {id[:80]!r}")
    found = sources.source(store, iri, base)
    if found is None:
        raise Problem(404, f"there is no source {id!r}")
    return found
