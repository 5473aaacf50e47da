"""The lists: cooperation acts, meetings, statements, statistics and sources, each a page
(``/acts``), its JSON twin (``/api/acts``) and a CSV download (``/acts.csv``), with filters,
sorting and keyset paging; and a source's text with its annotated spans."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Annotated, Any, TypeVar

import pyoxigraph as ox
from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from api.deps import MeetingsDep, SettingsDep, StoreDep
from api.listing import (
    Countries,
    Destination,
    Filter,
    From,
    ListDep,
    ListQuery,
    Origin,
    SourceId,
    To,
    answer,
    day,
    newest_first,
    pair_of,
)
from api.params import country_of
from api.problems import Problem
from graph.read import listing, lists, sources
from graph.read import statistics as observations
from graph.read.ids import full_iri
from graph.read.lists import ACT_KINDS, is_iri
from ontology import scheme_labels, scheme_notations
from ontology.vocabulary import FACT_LAYERS

__all__ = ["router"]

router = APIRouter(tags=["lists"])


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


class Statement(BaseModel):
    id: str
    label: str
    kind: str = Field(description="quotation (word for word) or paraphrase")
    text: str = Field(description="the words, as the source gives them")
    speaker: Ref
    about: list[Ref]
    published: str | None = Field(description="the first reporting source's date (EDTF)")
    evidence: list[Quote]
    sources: list[Report]
    report_count: int


class StatementsPage(BaseModel):
    items: list[Statement]
    next: str | None


class SourceItem(SourceRef):
    kind: str = Field(description="news article, report, social media posting")
    publisher: str | None
    url: str | None
    reports: int = Field(description="how many facts the source reports")


class SourcesPage(BaseModel):
    items: list[SourceItem]
    next: str | None


class Source(BaseModel):
    id: str
    label: str
    url: str | None
    publisher: str | None
    text: str
    spans: list[Span]


Limit = Annotated[int, Query(ge=1, le=200, description="at most this many items")]
After = Annotated[str | None, Query(description="the cursor of the previous page")]
Route = TypeVar("Route", bound=Callable[..., Any])
CSV: dict[int | str, dict[str, Any]] = {200: {"content": {"text/csv": {}}}}


def _list(name: str, model: Any, summary: str) -> Callable[[Route], Route]:
    """Serve a list at ``/api/{name}`` (documented, with its response model), ``/{name}`` (the
    page) and ``/{name}.csv``."""

    def register(route: Route) -> Route:
        router.get(f"/api/{name}", response_model=model, responses=CSV, summary=summary)(route)
        router.get(f"/{name}", include_in_schema=False)(route)
        router.get(f"/{name}.csv", include_in_schema=False)(route)
        return route

    return register


def _thing(ident: str | None, base: str, what: str, folder: str = "") -> Any:
    """A filter that names a thing of the graph by id (or IRI): its term; else a 400."""
    if not ident:
        return None
    if folder and "/" not in ident:
        ident = folder + ident
    iri = full_iri(ident, base)
    if not is_iri(iri):
        raise Problem(
            400, f"{what} takes an id such as {folder or 'person/'}..., not {ident[:80]!r}"
        )
    return ox.NamedNode(iri)


def _choices(values: Any, words: Any = None) -> list[tuple[str, str]]:
    return [(v, (words or {}).get(v, v)) for v in values]


def _scheme(name: str) -> list[tuple[str, str]]:
    """The concepts of a scheme (``status``, ``field``) as a filter's choices, with labels."""
    return _choices(scheme_notations(name), scheme_labels(name))


def _source_filter(store: StoreDep, base: str, source: str | None) -> Filter:
    """The filter by a source, its choices the sources of the graph by date."""
    found = listing.sources(store, base, limit=500).items
    return Filter("source", "source", source, [(s["id"], s["label"]) for s in found])


@dataclass
class Happening:
    """The filters acts and meetings share: country pair, date range, source."""

    countries: str | None
    date_from: str | None
    date_to: str | None
    source: str | None

    def terms(self, q: ListQuery, store: StoreDep, base: str) -> dict[str, Any]:
        """As the read side takes them (or a 400 problem)."""
        return {
            "countries": pair_of(store, self.countries, base),
            "date_from": day(self.date_from, "from"),
            "date_to": day(self.date_to, "to"),
            "source": _thing(self.source, base, "source", "source/"),
            "newest_first": newest_first(q.sort),
        }

    def filters(self, store: StoreDep, base: str) -> list[Filter]:
        """As the page's form shows them."""
        return [
            Filter("countries", "countries", self.countries, placeholder="KH,KR"),
            Filter("from", "from", self.date_from, placeholder="YYYY-MM-DD"),
            Filter("to", "to", self.date_to, placeholder="YYYY-MM-DD"),
            _source_filter(store, base, self.source),
        ]


def happening(
    countries: Countries = None, date_from: From = None, date_to: To = None, source: SourceId = None
) -> Happening:
    """The filters acts and meetings share (a dependency)."""
    return Happening(countries, date_from, date_to, source)


HappeningDep = Annotated[Happening, Depends(happening)]


@dataclass
class Places:
    """The countries of origin and destination a statistic is of (ids or ISO codes)."""

    origin: str | None
    destination: str | None

    def terms(self, store: StoreDep, base: str) -> dict[str, ox.NamedNode | None]:
        """As the read side takes them (or a 400 problem)."""
        return {
            "origin": country_of(store, self.origin, base) if self.origin else None,
            "destination": country_of(store, self.destination, base) if self.destination else None,
        }


def places(origin: Origin = None, destination: Destination = None) -> Places:
    """The countries a statistic is of (a dependency)."""
    return Places(origin, destination)


PlacesDep = Annotated[Places, Depends(places)]


@_list("acts", ActsPage, "Cooperation acts")
def acts(
    q: ListDep,
    store: StoreDep,
    settings: SettingsDep,
    h: HappeningDep,
    status: Annotated[
        str | None,
        Query(
            description="the current status (with as_of, the status on that day): one of "
            + ", ".join(scheme_notations("status"))
        ),
    ] = None,
    kind: Annotated[str | None, Query(description=", ".join(ACT_KINDS))] = None,
    field: Annotated[
        str | None, Query(description="a field of cooperation, e.g. employment")
    ] = None,
    as_of: Annotated[
        date | None, Query(description="the status on this day (YYYY-MM-DD), from the history")
    ] = None,
    participant: Annotated[
        str | None, Query(description="an actor, addressee or partner (id or IRI)")
    ] = None,
) -> Any:
    """Acts with their actor, addressee, partners, field, current status, status history,
    sources and evidence, in date order; by current status (or the status as of a day), kind,
    field, country pair, date range, source and participant (an actor, addressee or partner).
    A country takes part through itself, its bodies and the people holding posts in them.
    ``/acts`` is the page, ``/acts.csv`` (or ``format=csv``, or ``Accept: text/csv``) the
    spreadsheet."""
    base = settings.base_iri
    fetch = partial(
        lists.acts,
        store,
        base,
        status=status or None,
        kind=kind or None,
        field=field or None,
        as_of=as_of,
        participant=_thing(participant, base, "participant"),
        **h.terms(q, store, base),
    )
    return answer(
        q,
        base,
        "acts",
        fetch,
        lambda: [
            Filter("status", "current status", status, _scheme("status")),
            Filter("kind", "kind", kind, _choices(ACT_KINDS)),
            Filter("field", "field", field, _scheme("field")),
            *h.filters(store, base),
            Filter("participant", "participant", participant, placeholder="person/heng-sour"),
        ],
    )


@_list("meetings", MeetingsPage, "Meetings")
def meetings(
    q: ListDep,
    store: StoreDep,
    settings: SettingsDep,
    prepared: MeetingsDep,
    h: HappeningDep,
    participant: Annotated[str | None, Query(description="an attendee (id or IRI)")] = None,
    field: Annotated[
        str | None, Query(description="a field of cooperation, e.g. employment")
    ] = None,
) -> Any:
    """Meetings with their attendees, the date as the source gives it, the full date where
    one is known (with its layer: a year may be inferred), the place (only when stated) and
    the evidence, in date order; by attendee, field, country pair, date range and source. A
    date range keeps the meetings whose full date is known to fall in it."""
    base = settings.base_iri
    who = _thing(participant, base, "participant")
    fetch = partial(
        lists.meetings,
        store,
        base,
        participant=who,
        field=field or None,
        **h.terms(q, store, base),
        # For the current graph version, or None while it is prepared (then queried).
        prepared=prepared.peek(),
    )
    return answer(
        q,
        base,
        "meetings",
        fetch,
        lambda: [
            Filter("participant", "participant", participant, placeholder="person/heng-sour"),
            Filter("field", "field", field, _scheme("field")),
            *h.filters(store, base),
        ],
    )


@_list("statements", StatementsPage, "Statements")
def statements(
    q: ListDep,
    store: StoreDep,
    settings: SettingsDep,
    speaker: Annotated[str | None, Query(description="who said it (id or IRI)")] = None,
    source: SourceId = None,
) -> Any:
    """What people and bodies said (quotations and paraphrases), by speaker and source, in
    the order of the sources' dates, each with its sources and evidence."""
    base = settings.base_iri
    who = _thing(speaker, base, "speaker")
    src = _thing(source, base, "source", "source/")
    fetch = partial(
        listing.statements, store, base, speaker=who, source=src, newest_first=newest_first(q.sort)
    )

    def filters() -> list[Filter]:
        said = listing.statements(store, base, limit=10_000).items
        speakers = sorted(
            {(s["speaker"]["id"], s["speaker"]["label"]) for s in said}, key=lambda s: s[1]
        )
        return [
            Filter("speaker", "speaker", speaker, speakers),
            _source_filter(store, base, source),
        ]

    return answer(q, base, "statements", fetch, filters)


@_list("sources", SourcesPage, "Sources")
def source_list(q: ListDep, settings: SettingsDep, store: StoreDep) -> Any:
    """The sources the graph was built from, by publication date (undated last), each with
    its publisher and how many facts it reports."""
    base = settings.base_iri
    fetch = partial(listing.sources, store, base, newest_first=newest_first(q.sort))
    return answer(q, base, "sources", fetch, list)


@router.get("/api/figures", summary="Every statistical figure, series by series")
@router.get("/statistics", include_in_schema=False)
@router.get("/statistics.csv", include_in_schema=False)
def statistics_page(q: ListDep, store: StoreDep, settings: SettingsDep, at: PlacesDep) -> Any:
    """Statistics as series (``/api/series``): each measure's points by period, the value as
    the source qualifies it, with its source and evidence, and the figures the build derived
    with their computation; one row a figure; ``sort=-date``: each series' latest period
    first, the series with the latest figures first. ``/statistics`` is the page,
    ``/api/figures`` its JSON twin, ``/statistics.csv`` the spreadsheet (its numbers plain,
    with the qualifier, bounds, unit and currency in columns of their own)."""
    base = settings.base_iri
    points = listing.figures(
        store, base, newest_first=newest_first(q.sort), **at.terms(store, base)
    )
    places = [Filter("origin", "origin", at.origin, placeholder="KH")]
    places.append(Filter("destination", "destination", at.destination, placeholder="KR"))
    return answer(q, base, "statistics", partial(listing.page_after, points), lambda: places)


@router.get("/api/statistics", response_model=ObservationsPage, summary="Statistical observations")
def statistics(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    at: PlacesDep,
    layer: Annotated[str | None, Query(pattern=f"^({'|'.join(FACT_LAYERS)})$")] = None,
    limit: Limit = 50,
    after: After = None,
) -> dict[str, Any]:
    """Observations (RDF Data Cube) with their dimensions, value, unit and layer: stated
    figures with their evidence, derived ones with their computation."""
    base = settings.base_iri
    page = observations.statistics(
        store,
        base,
        **at.terms(store, base),
        layer=layer,
        after=after,
        limit=limit,
    )
    following = (
        str(request.url.include_query_params(after=page.items[-1]["id"])) if page.more else None
    )
    return {"items": page.items, "next": following}


@router.get(
    "/api/sources/{id:path}",
    response_model=Source,
    summary="A source's text with every annotated span",
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
