"""JSON lookups: search, an entity with its statements and evidence, its neighbours, paths."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import networkx as nx
from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from api.deps import FactsDep, ProjectionDep, SearchDep, SettingsDep, StoreDep
from api.models import Line
from api.params import LayersParam, RelationsParam, node_named, rejected, split
from api.problems import Problem
from graph.read import corpus
from graph.read.ids import short_id
from graph.read.lookup import entity_view
from graph.read.network import ego, explain, neighbours, path_search
from graph.read.pathsearch import Bounds
from graph.read.views import entity_conflicts, entity_published
from ontology.vocabulary import DEFAULT_GROUPS, GROUPS, LAYERS, SEARCH_KINDS

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["lookups"])


#: The kinds search finds (a static type for FastAPI's validation and the OpenAPI enum).
Kind = Literal[SEARCH_KINDS]  # type: ignore[valid-type]


# ---- models --------------------------------------------------------------------------------


class SearchResult(BaseModel):
    id: str = Field(description="id for /api/entities/{id}")
    iri: str
    label: str
    kind: str
    types: list[str]
    matched: str = Field(description="the name or alias that matched")
    score: float


class SearchResponse(BaseModel):
    query: str
    results: list[SearchResult]


class Evidence(BaseModel):
    quote: str
    start: int = Field(description="0-based character offset in the source text")
    end: int = Field(description="end offset, exclusive: text[start:end] == quote")
    source: str
    source_label: str


class Quote(BaseModel):
    quote: str
    start: int
    end: int
    source: str


class Report(BaseModel):
    id: str = Field(description="the source's id")
    label: str
    published: str | None = Field(description="the source's publication date (EDTF), if given")
    evidence: list[Quote]


class Claim(BaseModel):
    source: dict[str, Any]
    value: str
    object: str | None
    evidence: list[Quote]


class Conflict(BaseModel):
    id: str
    kind: str = Field(description="post, date, place, start-year, spelling or value")
    about: dict[str, Any]
    label: str
    reason: str
    claims: list[Claim]


class Statement(BaseModel):
    fact: str = Field(description="id of the fact (an act, meeting, statement, assertion...)")
    label: str
    layer: str = Field(description="stated, inferred or derived")
    status: str | None = None
    reason: str | None = Field(default=None, description="why an inferred fact is held")
    evidence: list[Evidence]
    sources: list[Report] = Field(description="the sources that report the fact, by date")
    report_count: int


class EntityResponse(BaseModel):
    id: str
    iri: str
    label: str
    types: list[str]
    aliases: list[str]
    same_as: list[str]
    statements: dict[str, list[Statement]] = Field(
        description="the facts naming this entity, grouped by the entity's role in them"
    )
    conflicts: list[Conflict] = Field(
        description="where sources disagree about this entity (both sides stand)"
    )


class Neighbour(BaseModel):
    relation: str
    id: str
    label: str
    kind: str
    layer: str


class NeighboursResponse(BaseModel):
    id: str
    counts: dict[str, int] = Field(description="neighbours per relation, before paging")
    items: list[Neighbour]
    next: str | None = Field(description="URL of the next page, if any")


class PathLink(BaseModel):
    relation: str
    words: str
    group: str
    layer: str
    status: str | None
    date: str | None
    via: str | None = Field(description="the fact (act, meeting, assertion) the link belongs to")
    evidence: list[Evidence]
    sources: list[Report] = Field(description="the sources that report the link, by date")
    report_count: int


class PathEdge(BaseModel):
    source: str
    target: str
    links: list[PathLink]


class PathNode(BaseModel):
    id: str
    label: str
    kind: str


class PathStep(PathNode):
    short: str = Field(description="a short label, distinct from every other node's")


class Path(BaseModel):
    nodes: list[PathStep]
    edges: list[PathEdge]
    explanation: str = Field(
        description="the chain in words: each node by its short label, an act with its date "
        "(in words, saying how much of it is known), place and status"
    )


class PathsResponse(BaseModel):
    source: PathNode = Field(alias="from")
    target: PathNode = Field(alias="to")
    paths: list[Path]
    complete: bool = Field(
        description="false when the search stopped at a bound before it had k paths (or "
        "every path there is): the paths shown are then the shortest found so far"
    )
    stopped: str | None = Field(
        description="the bound that stopped an incomplete search: 'time budget' or 'frontier bound'"
    )


# ---- routes --------------------------------------------------------------------------------


@router.get("/search", response_model=SearchResponse, summary="Find entities by name")
def search(
    index: SearchDep,
    settings: SettingsDep,
    q: Annotated[str, Query(min_length=1, max_length=200, description="what to look for")],
    type: Annotated[list[Kind] | None, Query(description="keep only these kinds")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> dict[str, Any]:
    """Type-ahead over names and aliases: case- and accent-insensitive, by prefix, by any word,
    and fuzzy; the best match first."""
    hits = index.search(q, types=type, limit=limit)
    return {
        "query": q,
        "results": [
            {
                "id": short_id(h.iri, settings.base_iri),
                "iri": h.iri,
                "label": h.label,
                "kind": h.kind,
                "types": list(h.types),
                "matched": h.matched,
                "score": h.score,
            }
            for h in hits
        ],
    }


@router.get(
    "/entities/{id:path}/neighbours",
    response_model=NeighboursResponse,
    summary="The neighbours of an entity, by relation",
)
def entity_neighbours(
    id: str,
    request: Request,
    settings: SettingsDep,
    projection: ProjectionDep,
    index: SearchDep,
    relations: RelationsParam = None,
    layers: LayersParam = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    after: Annotated[str | None, Query(description="the cursor of the previous page")] = None,
) -> dict[str, Any]:
    """Neighbours grouped by relation (counted), paged by a keyset cursor (``next``)."""
    G = projection.graph()
    node = node_named(id, settings.base_iri, index, G)
    with rejected():
        grouped = neighbours(G, node, split(relations), split(layers))
    items = sorted(
        (
            {
                "relation": rel,
                "id": short_id(n["id"], settings.base_iri),
                "label": n["label"],
                "kind": n["kind"],
                "layer": n["layer"],
            }
            for rel, ns in grouped.items()
            for n in ns
        ),
        key=_cursor,
    )
    if after:
        items = [i for i in items if _cursor(i) > tuple(after.split("\x1f"))]
    page, more = items[:limit], len(items) > limit
    next_url = None
    if more:
        cursor = "\x1f".join(_cursor(page[-1]))
        next_url = str(request.url.include_query_params(after=cursor))
    return {
        "id": short_id(node, settings.base_iri),
        "counts": {rel: len(ns) for rel, ns in sorted(grouped.items())},
        "items": page,
        "next": next_url,
    }


def _cursor(item: dict[str, Any]) -> tuple[str, ...]:
    return (item["relation"], item["label"], item["id"], item["layer"])


@router.get(
    "/entities/{id:path}",
    response_model=EntityResponse,
    summary="An entity with its statements and their evidence",
)
def entity(
    id: str,
    store: StoreDep,
    settings: SettingsDep,
    index: SearchDep,
    projection: ProjectionDep,
    facts: FactsDep,
) -> dict[str, Any]:
    """Every fact naming the entity, grouped by the entity's role, each with its layer, status,
    reason (for inferred facts) and evidence (quote, offsets, source)."""
    iri = node_named(id, settings.base_iri, index, projection.graph())
    # The facts prepared for the current graph version, or queried now while they are built.
    prepared = facts.peek()
    view = entity_view(store, iri, prepared)
    if view is None:
        raise Problem(404, f"nothing in the graph is called {id!r}")
    statements: dict[str, list[dict[str, Any]]] = {}
    cited = {e.source for f in view.facts for e in f.evidence}
    published = entity_published(store, cited, prepared)
    for fact in view.facts:
        evidence = [e.as_json() for e in fact.evidence]
        sources = corpus.reports(evidence, published, settings.base_iri)
        item = {
            "fact": short_id(fact.iri, settings.base_iri),
            "label": fact.label,
            "layer": fact.layer,
            "status": fact.status,
            "reason": fact.reason,
            "evidence": evidence,
            "sources": sources,
            "report_count": len(sources),
        }
        for role in fact.roles:
            statements.setdefault(role, []).append(item)
    return {
        "id": short_id(iri, settings.base_iri),
        "iri": iri,
        "label": view.label,
        "types": view.types,
        "aliases": view.aliases,
        "same_as": view.same_as,
        "statements": statements,
        "conflicts": entity_conflicts(store, settings.base_iri, iri, prepared),
    }


@router.get(
    "/paths",
    response_model=PathsResponse,
    response_model_by_alias=True,
    summary="How two entities are linked, and says who",
)
def paths(
    store: StoreDep,
    settings: SettingsDep,
    projection: ProjectionDep,
    index: SearchDep,
    source: Annotated[str, Query(alias="from", description="id, IRI or name")],
    target: Annotated[str, Query(alias="to", description="id, IRI or name")],
    k: Annotated[int, Query(ge=1, le=20)] = 3,
    max_length: Annotated[int, Query(ge=1, le=12)] = 8,
    relations: RelationsParam = None,
    layers: LayersParam = None,
    avoid_hubs: Annotated[bool, Query(description="do not pass through countries")] = False,
) -> dict[str, Any]:
    """The k shortest chains from one entity to another over the chosen relations, each hop
    with its relation, layer, status and evidence sentence, and the chain in words. The
    search has a time budget and a bound on the nodes it explores; past either it answers
    with the shortest chains found so far and ``complete: false``."""
    G = projection.graph()
    u = node_named(source, settings.base_iri, index, G)
    v = node_named(target, settings.base_iri, index, G)
    groups, chosen_layers = split(relations), split(layers)
    try:
        with rejected():
            found = path_search(
                G,
                u,
                v,
                Bounds(k=k, max_length=max_length),
                groups=groups,
                layers=chosen_layers,
                avoid_hubs=avoid_hubs,
            )
    except nx.NodeNotFound as exc:
        raise Problem(404, str(exc)) from None
    base = settings.base_iri

    def node(n: str) -> dict[str, Any]:
        return {"id": short_id(n, base), "label": G.nodes[n]["label"], "kind": G.nodes[n]["kind"]}

    out = []
    answers = [explain(G, path, groups, chosen_layers) for path in found.paths]
    published = corpus.published_of(
        store,
        {
            e["source"]
            for answer in answers
            for edge in answer["edges"]
            for link in edge["links"]
            for e in link["evidence"]
        },
    )
    for answer in answers:
        out.append(
            {
                "nodes": [{**n, "id": short_id(n["id"], base)} for n in answer["nodes"]],
                "edges": [
                    {
                        "source": short_id(e["source"], base),
                        "target": short_id(e["target"], base),
                        "links": [_with_sources(link, published, base) for link in e["links"]],
                    }
                    for e in answer["edges"]
                ],
                "explanation": answer["explanation"],
            }
        )
    return {
        "from": node(u),
        "to": node(v),
        "paths": out,
        "complete": found.complete,
        "stopped": found.stopped,
    }


def _with_sources(
    link: dict[str, Any], published: dict[str, str | None], base: str
) -> dict[str, Any]:
    sources = corpus.reports(link["evidence"], published, base)
    return {
        **link,
        "via": short_id(link["via"], base) if link["via"] else None,
        "sources": sources,
        "report_count": len(sources),
    }


class EgoNode(BaseModel):
    id: str
    label: str
    kind: str
    status: str | None
    more: int = Field(description="neighbours not shown (the '+N more' marker)")


class EgoResponse(BaseModel):
    focus: str
    nodes: list[EgoNode]
    edges: list[Line]


@router.get(
    "/graph/ego/{id:path}",
    response_model=EgoResponse,
    summary="The neighbourhood of an entity, ready for the explorer",
)
def ego_graph(
    id: str,
    settings: SettingsDep,
    projection: ProjectionDep,
    index: SearchDep,
    radius: Annotated[int, Query(ge=1, le=3)] = 1,
    limit: Annotated[int, Query(ge=1, le=200, description="most neighbours shown per node")] = 25,
    relations: RelationsParam = None,
    layers: LayersParam = None,
) -> dict[str, Any]:
    """The nodes within ``radius`` hops (at most ``limit`` new neighbours per node, the rest
    counted in ``more``) and one edge per link between shown nodes."""
    G = projection.graph()
    focus = node_named(id, settings.base_iri, index, G)
    groups, chosen = split(relations), split(layers)
    with rejected():
        near = ego(G, focus, radius, groups, chosen, limit=limit)
    base = settings.base_iri
    nodes = [
        {
            "id": short_id(n, base),
            "label": data["label"],
            "kind": data["kind"],
            "status": data.get("status"),
            "more": data["more"],
        }
        for n, data in near.nodes(data=True)
    ]
    edges = []
    ok_groups = set(groups or DEFAULT_GROUPS)
    ok_layers = set(chosen or LAYERS)
    for _, _, data in near.edges(data=True):
        for i, link in enumerate(data["links"]):
            if link.group in ok_groups and link.layer in ok_layers:
                words = GROUPS[link.group][link.relation][0]
                edges.append(
                    {
                        "id": f"{short_id(link.source, base)}|{link.relation}|"
                        f"{short_id(link.target, base)}|{link.layer}|{i}",
                        "source": short_id(link.source, base),
                        "target": short_id(link.target, base),
                        "relation": link.relation,
                        "words": words,
                        "group": link.group,
                        "layer": link.layer,
                        "status": link.status,
                    }
                )
    edges.sort(key=lambda e: e["id"])
    return {"focus": short_id(focus, base), "nodes": nodes, "edges": edges}
