"""The pages of a relationship: a country pair at a glance (/pair/KH-KR) and its timeline
(/timeline?countries=KH,KR), each the HTML of the JSON answer of /api/pairs and /api/timeline."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from api.deps import ProjectionDep, SettingsDep, StoreDep
from api.params import country_of, split
from api.problems import Problem, wants_html
from api.routes.assets import library_path
from api.templating import templates
from graph.read import corpus
from graph.read.canvas import short_labels
from graph.read.ids import short_id
from graph.read.pages import human_date, strip, timeline_widget
from ontology.vocabulary import status_words

__all__ = ["router"]

router = APIRouter(tags=["pages"])


def _codes(text: str, sep: str) -> list[str]:
    codes = [c.strip().upper() for c in text.split(sep) if c.strip()]
    if len(codes) != 2 or not all(len(c) == 2 and c.isalpha() for c in codes):
        raise Problem(404, f"{text[:40]!r} is not a country pair: use two ISO codes, as KH-KR")
    return codes


def _names(projection: ProjectionDep, settings: SettingsDep, ids: list[str]) -> list[str]:
    G = projection.graph()  # noqa: N806 (networkx style)
    base = f"{settings.base_iri}id/"
    return [str(G.nodes[base + i]["label"]) if base + i in G else i for i in ids]


@router.get("/pair/{pair}", response_class=HTMLResponse, summary="A country pair, the page")
def pair_page(
    pair: str,
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    projection: ProjectionDep,
) -> Response:
    """The relationship of two countries at a glance: its happenings along a strip, acts by
    current status and kind, fields, the people and bodies most involved, the sources; every
    number links to what it counts. ``application/json`` gives ``/api/pairs/{pair}``."""
    codes = _codes(pair, "-")
    base = settings.base_iri
    a, b = (country_of(store, c, base) for c in codes)
    view = corpus.pair(store, base, a, b)
    if not wants_html(request):
        return JSONResponse(view)
    items = corpus.timeline(store, base, (a, b))
    names = _names(projection, settings, view["countries"])
    twin = f"/api/pairs/{codes[0]}-{codes[1]}"
    return templates.TemplateResponse(
        request,
        "pair.html",
        {
            "view": view,
            "names": names,
            "codes": codes,
            "countries": ",".join(codes),
            "strip": strip(items),
            "undated": [i for i in items if not i.get("sort_date")],
            "twin": twin,
            "explore": "/explore?pair=" + ",".join(view["countries"]),
            "human_date": human_date,
            "status_words": status_words,
        },
        headers={"Link": f'<{twin}>; rel="alternate"; type="application/json"'},
    )


@router.get("/timeline", response_class=HTMLResponse, summary="A pair's timeline, the page")
def timeline_page(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    projection: ProjectionDep,
    countries: Annotated[str, Query(description="two countries, as KH,KR")] = "",
    kinds: Annotated[str | None, Query(description="kinds shown at first")] = None,
    status: Annotated[str | None, Query(description="current statuses shown at first")] = None,
    participant: Annotated[str | None, Query(description="only what this id takes part in")] = None,
) -> Response:
    """Meetings and acts on a time axis (vis-timeline from npm, served by the app), each with
    its status history, partial dates drawn as spans, with filters by kind and status, and
    the same as a table. ``application/json`` gives ``/api/timeline``."""
    base = settings.base_iri
    codes = _codes(countries, ",") if countries else None
    pair = tuple(country_of(store, c, base) for c in codes) if codes else None
    items = corpus.timeline(store, base, pair)  # type: ignore[arg-type]
    if not wants_html(request):
        return JSONResponse({"items": items})
    # Two requests that begin alike must not read alike on the axis: the explorer's labels.
    labels = short_labels(projection.graph())
    for item in items:
        item["when"] = human_date(item.get("date"))
        item["history_words"] = " → ".join(
            status_words(h["status"]) for h in item["status_history"]
        )
        item["short"] = labels.get(f"{base}id/{item['id']}")
    widget = timeline_widget(items)
    title = "Timeline"
    if pair:
        names = _names(projection, settings, [short_id(c.value, base) for c in pair])
        title = f"{names[0]} – {names[1]}: timeline"
    twin = "/api/timeline" + (f"?countries={','.join(codes)}" if codes else "")
    statuses = sorted({i["status"] for i in items if i.get("status")})
    return templates.TemplateResponse(
        request,
        "timeline.html",
        {
            "title": title,
            "items": items,
            "config": {
                **widget,
                "kinds": split(kinds),
                "statuses": split(status),
                "participant": participant,
            },
            "kinds": list(dict.fromkeys(i["kind"] for i in items)),
            "statuses": statuses,
            "codes": codes,
            "twin": twin,
            "installed": library_path("vis-timeline-graph2d.min.js").is_file(),
            "status_words": status_words,
        },
        headers={"Link": f'<{twin}>; rel="alternate"; type="application/json"'},
    )
