"""OpenRefine reconciliation (Reconciliation Service API 0.2): parses requests, shapes answers."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from api.deps import SearchDep, SettingsDep, StoreDep
from api.problems import Problem
from api.templating import templates
from graph.read import reconcile as rec
from graph.read.ids import full_iri, local_href, short_id
from ontology import ONTOLOGY_IRI, scheme_notations

__all__ = ["router"]

router = APIRouter(prefix="/reconcile", tags=["reconciliation"])

MAX_TEXT = 500
MAX_VALUES = 50


# -- the spec's request messages ------------------------------------------------------------


class _Ref(BaseModel):
    """A property value that is an entity (reconciled before)."""

    model_config = ConfigDict(extra="ignore")
    id: Annotated[str, Field(max_length=MAX_TEXT)]
    name: str | None = None


_Value = Annotated[str, Field(max_length=MAX_TEXT)] | float | bool | _Ref


class _PropertyValue(BaseModel):
    model_config = ConfigDict(extra="ignore")
    pid: Annotated[str, Field(max_length=200)]
    v: _Value | Annotated[list[_Value], Field(max_length=MAX_VALUES)]


class _Query(BaseModel):
    """One query of a batch, as the spec's schema has it (no other keys)."""

    model_config = ConfigDict(extra="forbid")
    query: Annotated[str, Field(max_length=MAX_TEXT)] | None = None
    type: Annotated[str, Field(max_length=MAX_TEXT)] | list[str] | None = None
    limit: Annotated[float, Field(ge=0, le=100)] | None = None
    properties: Annotated[list[_PropertyValue], Field(max_length=MAX_VALUES)] | None = None
    type_strict: Literal["any", "should", "all"] | None = None

    @model_validator(mode="after")
    def _query_or_properties(self) -> _Query:
        if self.query is None and not self.properties:
            raise ValueError("a query needs 'query' or a non-empty 'properties'")
        return self


class _ExtendProperty(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: Annotated[str, Field(max_length=200)]
    settings: dict[str, Any] | None = None


class _Extend(BaseModel):
    model_config = ConfigDict(extra="ignore")
    ids: list[Annotated[str, Field(max_length=MAX_TEXT)]]
    properties: Annotated[list[_ExtendProperty], Field(max_length=MAX_VALUES)]


def _reason(err: ValidationError, what: str) -> str:
    first = err.errors()[0]
    where = ".".join(str(p) for p in first["loc"] if not str(p).startswith(("function-", "str")))
    if first["type"] == "extra_forbidden":
        msg = (
            f"{first['loc'][-1]!r} is not part of a query (known: query, type, limit, "
            "properties, type_strict)"
        )
    else:
        msg = first["msg"].removeprefix("Value error, ")
    return f"{what}: {where}: {msg}" if where else f"{what}: {msg}"


def _json(text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as exc:
        raise Problem(400, f"{what} is not JSON: {exc}") from None


def _parse_queries(text: str, max_batch: int) -> dict[str, _Query]:
    data = _json(text, "queries")
    if not isinstance(data, dict):
        raise Problem(400, 'queries must be a JSON object of queries by key, e.g. {"q0": ...}')
    if len(data) > max_batch:
        raise Problem(
            400, f"a batch may hold at most {max_batch} queries; this one holds {len(data)}"
        )
    out = {}
    for key, value in data.items():
        try:
            out[key] = _Query.model_validate(value)
        except ValidationError as err:
            raise Problem(400, _reason(err, f"queries: {key}")) from None
    return out


def _parse_extend(text: str, max_batch: int) -> _Extend:
    try:
        ext = _Extend.model_validate(_json(text, "extend"))
    except ValidationError as err:
        raise Problem(400, _reason(err, "extend")) from None
    if len(ext.ids) > max_batch:
        raise Problem(
            400, f"an extension may ask for at most {max_batch} ids; this one asks {len(ext.ids)}"
        )
    return ext


# -- shaping answers ------------------------------------------------------------------------


def _type(type_id: str) -> dict[str, str]:
    t = rec.TYPES[type_id]
    return {"id": t.id, "name": t.name}


def _values(values: list[Any], base: str) -> list[rec.Value]:
    out: list[rec.Value] = []
    for v in values if isinstance(values, list) else [values]:
        if isinstance(v, _Ref):
            out.append(rec.EntityRef(full_iri(v.id, base), v.name or v.id))
        else:
            out.append(v)
    return out


def _candidate(c: rec.Candidate, base: str) -> dict[str, Any]:
    out: dict[str, Any] = {"id": short_id(c.iri, base), "name": c.name}
    if c.description:
        out["description"] = c.description
    out["score"] = c.score
    out["match"] = c.match
    out["type"] = [_type(t) for t in c.types]
    if c.features:
        out["features"] = [{"id": f, "value": v} for f, v in c.features]
    return out


def _cell(value: rec.Value, base: str) -> dict[str, Any]:
    if isinstance(value, rec.EntityRef):
        return {"id": short_id(value.iri, base), "name": value.name}
    if isinstance(value, bool):
        return {"bool": value}  # not produced today; kept apart from int on purpose
    if isinstance(value, int):
        return {"int": value}
    if isinstance(value, float):
        return {"float": value}
    return {"str": str(value)}


def _settings() -> list[dict[str, Any]]:
    statuses = [{"value": "any", "name": "any status"}] + [
        {"value": s, "name": s.replace("-", " ")} for s in scheme_notations("status")
    ]
    return [
        {
            "type": "number",
            "default": 0,
            "label": "Limit",
            "name": "limit",
            "help_text": "At most this many values per cell (0: all)",
        },
        {
            "type": "select",
            "default": "any",
            "label": "Status",
            "name": "status",
            "help_text": "Cooperation acts only: keep acts with this status",
            "choices": statuses,
        },
        {
            "type": "select",
            "default": "actor",
            "label": "Role",
            "name": "role",
            "help_text": "Cooperation acts only: the entity made the act, was addressed, or "
            "was named as a partner",
            "choices": [
                {"value": "actor", "name": "made by"},
                {"value": "addressee", "name": "addressed to"},
                {"value": "partner", "name": "names as partner"},
                {"value": "any", "name": "any role"},
            ],
        },
    ]


def _origin(request: Request) -> str:
    """Where this server is reached: the configured public URL, or the address it listens on
    (api/origin.py puts it in every request; a client's ``Host`` is never used)."""
    return str(request.base_url).rstrip("/")


def _manifest(base: str, origin: str) -> dict[str, Any]:
    root = origin
    return {
        "versions": ["0.2"],
        "name": "bilateral-kg: people, bodies and places of bilateral cooperation",
        "identifierSpace": f"{base}id/",
        "schemaSpace": f"{ONTOLOGY_IRI}#",
        "documentation": f"{origin}/docs",
        "serviceVersion": "0.1.0",
        "view": {"url": f"{origin}/id/{{{{id}}}}"},
        "defaultTypes": [_type(t) for t in ("person", "organization", "place")],
        "preview": {
            "url": f"{origin}/reconcile/preview?id={{{{id}}}}",
            "width": 430,
            "height": 210,
        },
        "suggest": {
            "entity": {"service_url": root, "service_path": "/reconcile/suggest/entity"},
            "type": {"service_url": root, "service_path": "/reconcile/suggest/type"},
            "property": {"service_url": root, "service_path": "/reconcile/suggest/property"},
        },
        "extend": {
            "propose_properties": {
                "service_url": root,
                "service_path": "/reconcile/propose_properties",
            },
            "property_settings": _settings(),
        },
    }


def _answer(
    origin: str,
    request_queries: str | None,
    request_extend: str | None,
    search: SearchDep,
    store: StoreDep,
    settings: SettingsDep,
) -> dict[str, Any]:
    base = settings.base_iri
    limit = settings.reconcile_max_batch
    if request_queries is not None and request_extend is not None:
        raise Problem(400, "send either queries= or extend=, not both")
    if request_queries is not None:
        answers = {}
        for key, q in _parse_queries(request_queries, limit).items():
            types = (q.type,) if isinstance(q.type, str) else tuple(q.type or ())
            query = rec.Query(
                text=q.query,
                types=types,
                type_strict=q.type_strict or "any",
                limit=int(q.limit) if q.limit else 5,
                properties=tuple((p.pid, tuple(_values(p.v, base))) for p in q.properties or ()),  # type: ignore[arg-type]
            )
            answers[key] = {"result": [_candidate(c, base) for c in rec.reconcile(search, query)]}
        return answers
    if request_extend is not None:
        ext = _parse_extend(request_extend, limit)
        iris = [full_iri(i, base) for i in ext.ids]
        asked = [(p.id, p.settings or {}) for p in ext.properties]
        rows = rec.extend(store, iris, asked)
        return {
            "meta": [
                {"id": pid, "name": rec.PROPERTIES[pid].name}
                if pid in rec.PROPERTIES
                else {"id": pid, "name": f"{pid} (not a property of this service)"}
                for pid, _ in asked
            ],
            "rows": {
                ident: {pid: [_cell(v, base) for v in vals] for pid, vals in rows[iri].items()}
                for ident, iri in zip(ext.ids, iris, strict=True)
            },
        }
    return _manifest(base, origin)


# -- routes ---------------------------------------------------------------------------------


@router.get("", summary="Manifest, or a batch of queries= / extend= (Reconciliation API 0.2)")
def reconcile_get(
    request: Request,
    search: SearchDep,
    store: StoreDep,
    settings: SettingsDep,
    queries: Annotated[str | None, Query(description="a JSON batch of queries")] = None,
    extend: Annotated[str | None, Query(description="a JSON data extension query")] = None,
) -> JSONResponse:
    """The service manifest; with ``queries`` a batch of answers; with ``extend`` the values
    of properties of reconciled entities."""
    return JSONResponse(_answer(_origin(request), queries, extend, search, store, settings))


@router.post("", summary="A batch of queries= or extend= (form-encoded, as OpenRefine sends)")
async def reconcile_post(
    request: Request, search: SearchDep, store: StoreDep, settings: SettingsDep
) -> JSONResponse:
    """Answers a form-encoded (or multipart) ``queries=`` or ``extend=`` batch."""
    form = await request.form()
    queries, extend = form.get("queries"), form.get("extend")
    if not isinstance(queries, str | None) or not isinstance(extend, str | None):
        raise Problem(400, "queries and extend are form fields, not files")
    if queries is None and extend is None:
        raise Problem(400, "a POST to /reconcile carries a form field queries= or extend=")
    return JSONResponse(_answer(_origin(request), queries, extend, search, store, settings))


@router.get("/suggest/entity", summary="Entities for a type-ahead box")
def suggest_entity(
    search: SearchDep,
    settings: SettingsDep,
    prefix: Annotated[str, Query(min_length=1, max_length=200)],
    type: Annotated[str | None, Query(max_length=200)] = None,
    cursor: Annotated[int, Query(ge=0, le=1000)] = 0,
) -> dict[str, Any]:
    """The entities whose names start with (or are near) what was typed."""
    found = rec.suggest_entities(search, prefix, (type,) if type else (), limit=cursor + 10)
    result = []
    for c in found[cursor:]:
        item: dict[str, Any] = {"id": short_id(c.iri, settings.base_iri), "name": c.name}
        if c.description:
            item["description"] = c.description
        item["notable"] = [_type(t) for t in c.types]
        result.append(item)
    return {"result": result}


@router.get("/suggest/type", summary="Types for a type-ahead box")
def suggest_type(prefix: Annotated[str, Query(max_length=200)] = "") -> dict[str, Any]:
    """The service's types whose names start with what was typed."""
    return _suggested(rec.suggest_types(prefix))


@router.get("/suggest/property", summary="Properties for a type-ahead box")
def suggest_property(prefix: Annotated[str, Query(max_length=200)] = "") -> dict[str, Any]:
    """The service's properties whose names start with what was typed."""
    return _suggested(rec.suggest_properties(prefix))


def _suggested(found: Iterable[rec.RecType | rec.Property]) -> dict[str, Any]:
    """A suggest answer: each type or property by id, name and description."""
    return {"result": [{"id": x.id, "name": x.name, "description": x.description} for x in found]}


@router.get("/propose_properties", summary="Properties worth fetching for a type")
def propose_properties(
    type: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=0, le=100)] = 20,
) -> dict[str, Any]:
    """The properties of the data extension that apply to entities of the type."""
    out: dict[str, Any] = {
        "properties": [
            {"id": p.id, "name": p.name, "description": p.description}
            for p in rec.propose_properties(type, limit)
        ],
        "limit": limit,
    }
    if type:
        out["type"] = type
    return out


@router.get("/preview", response_class=HTMLResponse, summary="A small HTML card of an entity")
def preview(
    request: Request,
    search: SearchDep,
    settings: SettingsDep,
    id: Annotated[str, Query(min_length=1, max_length=MAX_TEXT)],
) -> HTMLResponse:
    """The entity's name, types, a line that tells namesakes apart, its names in other scripts
    and one sentence of evidence, for OpenRefine's preview pane."""
    base = settings.base_iri
    card = rec.preview(search, full_iri(id, base))
    if card is None:
        raise Problem(404, f"nothing is known of {id!r}")
    view = {
        "card": card,
        "href": _origin(request)
        + (local_href(card.iri, base) or f"/id/{short_id(card.iri, base)}"),
        "types": [rec.TYPES[t].name for t in card.types],
        "before": card.sentence[: card.mark[0]] if card.sentence and card.mark else None,
        "marked": card.sentence[card.mark[0] : card.mark[1]]
        if card.sentence and card.mark
        else None,
        "after": card.sentence[card.mark[1] :] if card.sentence and card.mark else None,
    }
    return templates.TemplateResponse(request, "reconcile_preview.html", {"view": view})
