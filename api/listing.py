"""One list, three answers: the HTML page (filters, sorting, paging), its JSON twin and a CSV
download, chosen by the path (``/acts``, ``/api/acts``, ``/acts.csv``), ``?format=`` or the
``Accept`` header. The routes in ``api/routes/lists.py`` parse their filters and call
:func:`answer`; everything else a list page needs lives here."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import urlencode

import pyoxigraph as ox
from fastapi import Depends, Query, Request
from fastapi.responses import Response

from api.params import country_of, rejected, split
from api.problems import Problem, wants_html
from api.templating import templates
from graph.read.listing import table, to_csv
from graph.read.lists import Page
from graph.store import Store

__all__ = [
    "CSV_LIMIT",
    "PAGES",
    "Countries",
    "Destination",
    "Filter",
    "From",
    "ListDep",
    "ListQuery",
    "Origin",
    "SourceId",
    "To",
    "answer",
    "day",
    "form_of",
    "newest_first",
    "output",
    "pair_of",
]

#: The most rows a CSV download carries (read page by page).
CSV_LIMIT = 10_000
_DAY = re.compile(r"^\d{4}(-\d{2}){0,2}$")
_FORMATS = ("html", "json", "csv")


@dataclass
class Filter:
    """A filter of a list page: a parameter, its label, its value, and its choices (a select)
    or none (a text box with a placeholder)."""

    name: str
    label: str
    value: str | None
    choices: list[tuple[str, str]] = field(default_factory=list)
    placeholder: str = ""


#: The filters several lists take, as route parameters.
From = Annotated[str | None, Query(alias="from", description="earliest date (YYYY[-MM[-DD]])")]
To = Annotated[str | None, Query(alias="to", description="latest date (YYYY[-MM[-DD]])")]
Countries = Annotated[
    str | None,
    Query(description="two countries, comma-separated (ids or ISO codes): what involves both"),
]
SourceId = Annotated[str | None, Query(description="a source that reports it (id)")]
Origin = Annotated[str | None, Query(description="country of origin (id or ISO code)")]
Destination = Annotated[str | None, Query(description="country of destination")]


def pair_of(store: Store, text: str | None, base: str) -> tuple[ox.NamedNode, ox.NamedNode] | None:
    """``countries=KH,KR``: the two countries (``None`` when not given), else a 400 problem."""
    named = split(text)
    if named is None:
        return None
    if len(named) != 2:
        raise Problem(400, "countries takes two countries, comma-separated (e.g. KH,KR)")
    return country_of(store, named[0], base), country_of(store, named[1], base)


@dataclass
class ListQuery:
    """What every list takes besides its filters: the request, the order, the page (size
    and cursor) and the format."""

    request: Request
    sort: str | None
    limit: int
    after: str | None
    format: str | None


def list_query(
    request: Request,
    sort: Annotated[
        str | None, Query(description="date (oldest first, the default) or -date")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200, description="at most this many items")] = 50,
    after: Annotated[str | None, Query(description="the cursor of the previous page")] = None,
    format: Annotated[str | None, Query(description="html, json or csv (else by Accept)")] = None,
) -> ListQuery:
    """The parameters every list shares (a dependency)."""
    return ListQuery(request, sort, limit, after, format)


ListDep = Annotated[ListQuery, Depends(list_query)]


def output(request: Request, format: str | None) -> str:
    """Which answer a request wants: ``html``, ``json`` or ``csv``."""
    if format is not None:
        if format not in _FORMATS:
            raise Problem(400, f"unknown format {format!r}; use one of {', '.join(_FORMATS)}")
        return format
    path = request.url.path
    if path.endswith(".csv") or "text/csv" in request.headers.get("accept", ""):
        return "csv"
    if path.startswith("/api/") or not wants_html(request):
        return "json"
    return "html"


def day(value: str | None, name: str) -> str | None:
    """A ``YYYY[-MM[-DD]]`` filter, or a 400 problem that says what is wrong with it."""
    if value is None or value == "":
        return None
    if not _DAY.match(value):
        raise Problem(400, f"{name} takes a date as YYYY, YYYY-MM or YYYY-MM-DD, not {value!r}")
    return value


def newest_first(sort: str | None) -> bool:
    """``sort=date`` (the default, oldest first) or ``sort=-date`` (newest first)."""
    if sort in (None, "", "date"):
        return False
    if sort == "-date":
        return True
    raise Problem(400, f"unknown sort {sort!r}; use date (oldest first) or -date (newest first)")


def form_of(request: Request) -> dict[str, str]:
    """The list's parameters as the page's links keep them (no cursor, no format)."""
    return {
        k: v for k, v in request.query_params.items() if k not in ("after", "format") and v != ""
    }


#: Each list's page: its title, what it lists, and its JSON twin.
PAGES: dict[str, tuple[str, str, str]] = {
    "acts": (
        "Cooperation acts",
        "Agreements, requests, proposals, pledges, examinations and endorsements, by date, "
        "each with its current status and the sentence it rests on.",
        "/api/acts",
    ),
    "meetings": (
        "Meetings",
        "Who met whom, when and where (a place only when the source says it), by date.",
        "/api/meetings",
    ),
    "statements": (
        "Statements",
        "What each person said, word for word (quotation) or in the source's words "
        "(paraphrase), with the sentence that reports it.",
        "/api/statements",
    ),
    "statistics": (
        "Statistics",
        "Each measure as a series, ordered by period; a number the source qualifies "
        "(more than, a range) stays qualified.",
        "/api/figures",
    ),
    "sources": (
        "Sources",
        "The texts the graph was built from, by publication date; each one's page shows its "
        "text with every sentence a fact rests on.",
        "/api/sources",
    ),
}


def _read(fetch: Callable[..., Page], after: str | None, limit: int) -> Page:
    """A page of a list; a filter the read side refuses is a 400 problem."""
    with rejected():
        return fetch(after=after, limit=limit)


def answer(
    q: ListQuery,
    base: str,
    kind: str,
    fetch: Callable[..., Page],
    filters: Callable[[], list[Filter]],
) -> Any:
    """The list as the request wants it.

    Args:
        q: the request, order, page and format asked for.
        base: the configured base IRI (the CSV's IRIs).
        kind: which list (a key of :data:`PAGES` and ``graph.read.listing.LISTS``).
        fetch: reads a page: ``fetch(after=..., limit=...)``.
        filters: gives the page's filters with their values and choices; called only for
            the HTML page (the choices can cost a query over the whole graph, which the JSON
            and CSV answers do not need).

    Returns:
        ``{"items", "next"}`` for JSON (the route's response model shapes it), else a
        response: the HTML page or the CSV download.
    """
    request, after, limit = q.request, q.after, q.limit
    title, lede, twin = PAGES[kind]
    wanted = output(request, q.format)
    if wanted == "csv":
        items: list[dict[str, Any]] = []
        cursor = None
        while True:
            page = _read(fetch, cursor, 500)
            items += page.items
            if not page.more or len(items) >= CSV_LIMIT:
                break
            cursor = page.items[-1]["id"]
        return Response(
            to_csv(kind, items[:CSV_LIMIT], base),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{kind}.csv"'},
        )
    page = _read(fetch, after, limit)
    following = (
        str(request.url.include_query_params(after=page.items[-1]["id"])) if page.more else None
    )
    if wanted == "json":
        return {"items": page.items, "next": following}
    shown = filters()
    query = form_of(request)
    link = _query(query)
    return templates.TemplateResponse(
        request,
        "list.html",
        {
            "kind": kind,
            "title": title,
            "lede": lede,
            "filters": shown,
            "sort": q.sort or "date",
            "table": table(kind, page.items),
            "count": len(page.items),
            "next": following and _local(following),
            "first": f"{request.url.path}{link}" if after else None,
            "csv": f"/{kind}.csv{link}",
            "twin": f"{twin}{link}",
            "filtered": any(f.value for f in shown),
        },
        headers={"Link": f'<{twin}{link}>; rel="alternate"; type="application/json"'},
    )


def _query(params: dict[str, str]) -> str:
    return f"?{urlencode(params)}" if params else ""


def _local(url: str) -> str:
    """A link of this app without its scheme and host (links are relative to the page)."""
    rest = url.split("://", 1)[-1]
    return rest[rest.find("/") :] if "/" in rest else "/"
