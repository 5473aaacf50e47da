"""Typed dependencies of the routes (the store, the settings, the prepared views), and the
thread pool of the jobs that wait on query workers, shared by /sparql and /store."""

from __future__ import annotations

import asyncio
import weakref
from typing import Annotated, Any

import anyio
from fastapi import Depends, Request

from api.config import Settings
from graph.read.projection import Projection
from graph.read.search import SearchIndex
from graph.read.views import PreparedFacts, PreparedMeetings
from graph.store import PerVersion, Store

__all__ = [
    "SPARQL_THREADS",
    "FactsDep",
    "MeetingsDep",
    "ProjectionDep",
    "SearchDep",
    "SettingsDep",
    "StoreDep",
    "SummaryDep",
    "get_app_settings",
    "get_facts",
    "get_meetings",
    "get_projection",
    "get_search",
    "get_store",
    "get_summary",
    "limiter",
]


async def get_store(request: Request) -> Store:
    """The store the app opened at start-up."""
    store: Store = request.app.state.store
    return store


async def get_app_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


async def get_projection(request: Request) -> Projection:
    """The networkx projection of the store, cached per graph version."""
    projection: Projection = request.app.state.projection
    return projection


async def get_summary(request: Request) -> PerVersion[dict[str, Any]]:
    """What the graph holds (the landing page), computed once per graph version."""
    summary: PerVersion[dict[str, Any]] = request.app.state.summary
    return summary


async def get_search(request: Request) -> SearchIndex:
    """The search index of the store, cached per graph version."""
    index: SearchIndex = request.app.state.search
    return index


async def get_facts(request: Request) -> PreparedFacts:
    """Every entity's facts, prepared in the background once per graph version."""
    facts: PreparedFacts = request.app.state.facts
    return facts


async def get_meetings(request: Request) -> PreparedMeetings:
    """Every meeting, prepared in the background once per graph version."""
    meetings: PreparedMeetings = request.app.state.meetings
    return meetings


StoreDep = Annotated[Store, Depends(get_store)]
ProjectionDep = Annotated[Projection, Depends(get_projection)]
SearchDep = Annotated[SearchIndex, Depends(get_search)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
FactsDep = Annotated[PreparedFacts, Depends(get_facts)]
MeetingsDep = Annotated[PreparedMeetings, Depends(get_meetings)]
SummaryDep = Annotated[PerVersion[dict[str, Any]], Depends(get_summary)]


#: Threads that wait on the query workers: their own pool, so that pages and the JSON API
#: (which run in anyio's default pool) never wait behind SPARQL (issue 13: with 48 heavy
#: queries in flight, /api/search took 29 s). Admission control answers a query that finds
#: no worker within the queue wait, so these threads turn over quickly.
SPARQL_THREADS = 64
_LIMITERS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, anyio.CapacityLimiter] = (
    weakref.WeakKeyDictionary()
)


def limiter() -> anyio.CapacityLimiter:
    """The thread pool of the jobs that wait on query workers (one per event loop)."""
    loop = asyncio.get_running_loop()
    found = _LIMITERS.get(loop)
    if found is None:
        found = _LIMITERS[loop] = anyio.CapacityLimiter(SPARQL_THREADS)
    return found
