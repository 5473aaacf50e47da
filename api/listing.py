"""One list, three answers: the HTML page (filters, sorting, paging), its JSON twin and a CSV
download, chosen by the path (``/acts``, ``/api/acts``, ``/acts.csv``), ``?format=`` or the
``Accept`` header. The routes in ``api/routes/lists.py`` parse their filters and call
:func:`answer`; everything else a list page needs lives here."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import Response

from api.problems import Problem, wants_html
from api.templating import templates
from graph.read.listing import table, to_csv
from graph.read.lists import Page

__all__ = ["CSV_LIMIT", "Filter", "answer", "day", "form_of", "newest_first", "output"]

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


def answer(
    request: Request,
    base: str,
    *,
    kind: str,
    format: str | None,
    fetch: Callable[[str | None, int], Page],
    after: str | None,
    limit: int,
    title: str,
    lede: str,
    filters: list[Filter],
    sort: str | None,
    twin: str,
) -> Any:
    """The list as the request wants it.

    Args:
        request: the request (its path and query say the format, its query the filters).
        base: the configured base IRI (the CSV's IRIs).
        kind: which list (a key of ``graph.read.listing.LISTS``).
        format: ``?format=``, if given.
        fetch: reads a page: ``fetch(after, limit)``.
        after, limit: the page asked for.
        title, lede: the page's heading and what it lists.
        filters: the page's filters with their values.
        sort: ``date`` or ``-date``.
        twin: the JSON twin's path (``/api/acts``).

    Returns:
        ``{"items", "next"}`` for JSON (the route's response model shapes it), else a
        response: the HTML page or the CSV download.
    """
    wanted = output(request, format)
    if wanted == "csv":
        items: list[dict[str, Any]] = []
        cursor = None
        while True:
            page = fetch(cursor, 500)
            items += page.items
            if not page.more or len(items) >= CSV_LIMIT:
                break
            cursor = page.items[-1]["id"]
        return Response(
            to_csv(kind, items[:CSV_LIMIT], base),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{kind}.csv"'},
        )
    page = fetch(after, limit)
    following = (
        str(request.url.include_query_params(after=page.items[-1]["id"])) if page.more else None
    )
    if wanted == "json":
        return {"items": page.items, "next": following}
    query = form_of(request)
    link = _query(query)
    return templates.TemplateResponse(
        request,
        "list.html",
        {
            "kind": kind,
            "title": title,
            "lede": lede,
            "filters": filters,
            "sort": sort or "date",
            "table": table(kind, page.items),
            "count": len(page.items),
            "next": following and _local(following),
            "first": f"{request.url.path}{link}" if after else None,
            "csv": f"/{kind}.csv{link}",
            "twin": f"{twin}{link}",
            "filtered": any(f.value for f in filters),
        },
        headers={"Link": f'<{twin}{link}>; rel="alternate"; type="application/json"'},
    )


def _query(params: dict[str, str]) -> str:
    return f"?{urlencode(params)}" if params else ""


def _local(url: str) -> str:
    """A link of this app without its scheme and host (links are relative to the page)."""
    rest = url.split("://", 1)[-1]
    return rest[rest.find("/") :] if "/" in rest else "/"
