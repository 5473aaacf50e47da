"""The FastAPI application: created by a factory; the lifespan opens the store and the workers."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.datastructures import State

from api import problems
from api.config import Settings, get_settings
from api.fastpath import SparqlFastPath
from api.head import HeadAsGet
from api.origin import TrustedOrigin
from api.routes import (
    assets,
    corpus,
    editor,
    entities,
    explorer,
    exports,
    feeds,
    lists,
    ontology,
    pages,
    reconcile,
    relationship,
    resources,
    review,
    sparql,
)
from api.routes import store as graph_store
from api.security import SecurityHeaders
from graph.read.labels import short_labels
from graph.read.views import (
    PreparedFacts,
    PreparedMeetings,
    PreparedProjection,
    PreparedSearch,
    read_from_files,
    summary_of,
)
from graph.store import PerVersion, Store
from graph.store.execute import Executor, ThreadExecutor

__all__ = ["create_app"]

log = logging.getLogger(__name__)


def _caches(state: State, store: Store) -> None:
    """What the lookups and pages compute from the store, once per graph version (or read
    from the files a rebuild prepared with the generation: graph/read/views.py)."""
    state.projection = PreparedProjection(store)
    state.search = PreparedSearch(store)
    state.summary = PerVersion(store, summary_of)
    state.facts = PreparedFacts(store)
    state.meetings = PreparedMeetings(store)


#: Seconds between two looks at the store's version (one ``readlink``) by the follower.
FOLLOW_EVERY = 0.25


def _warm(state: State) -> None:
    try:
        started = time.monotonic()
        state.summary.get()
        state.search.search("warm", limit=1)
        # The nodes' short labels, which explain paths (kept with the projection; prepared
        # with it by a rebuild, else computed here rather than at the first path asked).
        short_labels(state.projection.graph())
        state.facts.get()
        state.meetings.get()
        read = read_from_files(state.projection, state.search.entries, state.facts, state.meetings)
        log.info(
            "summary, search index, projection, entity facts and meetings ready in %.1f s (%s)",
            time.monotonic() - started,
            f"{len(read)} read from the files prepared with "
            f"{', '.join(sorted(set(read.values())))}: {', '.join(sorted(read))}"
            if read
            else "computed",
        )
    except Exception as exc:  # a store not built yet, an engine away: the first lookup retries
        log.warning("could not warm the summary, search index, projection and facts: %s", exc)


def _follow(state: State, stop: threading.Event) -> None:
    """Prepare every new version of the graph (a rebuild, a load, an update by any process)
    in the background as soon as it is current, so the first lookups after a change do not
    pay for it; a lookup that comes first computes what it needs (never a stale answer)."""
    seen: object = None
    while True:
        version = getattr(state.store, "version", None)
        if version != seen:
            seen = version
            _warm(state)
        if version is None or stop.wait(FOLLOW_EVERY):
            return  # a remote engine has no versions: its caches are rebuilt on use


def create_app(
    settings: Settings | None = None,
    store: Store | None = None,
    executor: Executor | None = None,
) -> FastAPI:
    """Create the app.

    Args:
        settings: the settings (default: from the environment).
        store: an open store (tests pass an in-memory one; its queries then run in threads of
            this process). By default the lifespan opens the on-disk store of
            ``settings.store`` and starts the query worker processes, or connects to the
            remote engine at ``settings.store_url``.
        executor: query workers already started on ``settings.store`` (``bilateral serve``
            starts them before it imports the app); the app closes them when it stops.
    """
    given = executor
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        executor: Executor
        if given is not None:
            app.state.store = settings.open_store()
            executor = given
        elif store is not None:
            app.state.store = store
            executor = ThreadExecutor(store)
        elif settings.store_url:
            # A remote engine runs the queries (and keeps to its own limits); the time limit
            # is the HTTP client's.
            app.state.store = settings.open_store()
            executor = ThreadExecutor(app.state.store)
        else:
            app.state.store = settings.open_store()
            executor = settings.executor()
        app.state.executor = executor
        # Warmed in the background, so the server answers at once (SPARQL, pages) while a
        # large graph's projection and index are built; a lookup that comes first waits.
        _caches(app.state, app.state.store)
        stop = threading.Event()
        if store is None:
            threading.Thread(
                target=_follow, args=(app.state, stop), name="follow-versions", daemon=True
            ).start()
        try:
            yield
        finally:
            stop.set()
            executor.close()
            close = getattr(app.state.store, "close", None)
            if close is not None:
                close()

    app = FastAPI(
        title="bilateral-kg",
        summary="A knowledge graph of bilateral cooperation; every fact with its evidence.",
        version="0.1.0",
        lifespan=lifespan,
        # /docs is our own page on Swagger UI from npm (api/routes/pages.py): FastAPI's loads
        # it from a CDN, and ReDoc too.
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    if store is not None:  # ready before the lifespan runs (ASGI test clients may skip it)
        app.state.store = store
        app.state.executor = ThreadExecutor(store)
        _caches(app.state, store)
    problems.install(app)
    # First added, innermost: GET and POST /sparql skip the routing (api/fastpath.py).
    app.add_middleware(SparqlFastPath)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_credentials=False,
        allow_methods=["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"],
        allow_headers=["*"],
    )
    # Last added, outermost: every answer, errors included, gets nosniff; pages get a CSP.
    app.add_middleware(SecurityHeaders)
    # A HEAD is its GET without the body, on every route.
    app.add_middleware(HeadAsGet)
    # Outermost of all: no route, redirect or error sees the client's Host.
    app.add_middleware(
        TrustedOrigin, public_url=settings.public_url, trusted_proxies=settings.trusted_proxies
    )
    app.include_router(pages.router)
    app.include_router(assets.router)
    app.include_router(relationship.router)
    app.include_router(sparql.router)
    app.include_router(editor.router)
    app.include_router(entities.router)
    app.include_router(lists.router)
    app.include_router(corpus.router)
    app.include_router(resources.router)
    app.include_router(explorer.router)
    app.include_router(graph_store.router)
    app.include_router(ontology.router)
    app.include_router(reconcile.router)
    app.include_router(exports.router)
    app.include_router(feeds.router)
    app.include_router(review.router)
    return app
