"""Typed dependencies of the routes (the store, the settings, the prepared views), and the
thread pool of the jobs that wait on query workers, shared by /sparql and /store."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Awaitable, Callable
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
    "limiter",
]


def _state(name: str) -> Callable[[Request], Awaitable[Any]]:
    """A dependency that gives what ``create_app`` keeps in ``app.state.<name>``."""

    async def get(request: Request) -> Any:
        return getattr(request.app.state, name)

    get.__name__ = get.__qualname__ = f"get_{name}"
    return get


#: The store the app opened at start-up.
StoreDep = Annotated[Store, Depends(_state("store"))]
#: The networkx projection of the store, cached per graph version.
ProjectionDep = Annotated[Projection, Depends(_state("projection"))]
#: The search index of the store, cached per graph version.
SearchDep = Annotated[SearchIndex, Depends(_state("search"))]
#: The settings the app was created with.
SettingsDep = Annotated[Settings, Depends(_state("settings"))]
#: Every entity's facts, prepared in the background once per graph version.
FactsDep = Annotated[PreparedFacts, Depends(_state("facts"))]
#: Every meeting, prepared in the background once per graph version.
MeetingsDep = Annotated[PreparedMeetings, Depends(_state("meetings"))]
#: What the graph holds (the landing page), computed once per graph version.
SummaryDep = Annotated[PerVersion[dict[str, Any]], Depends(_state("summary"))]


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
