"""Meetings and cooperation acts as PLOVER event records, each with its evidence offsets.

A little over 500 lines for one job: reading the codebook (``mappings``), the parties each
record names, and writing the records, all in PLOVER's terms.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pycountry
import pyoxigraph as ox

from graph.read import lists
from graph.read.evidence import evidence_of
from graph.read.ids import full_iri
from graph.read.properties import EntityRef, property_values
from graph.read.query import iri_values, select
from graph.store import Store
from ontology import BKG_IRI
from ontology.vocabulary import NAMESPACES

__all__ = ["CODEBOOK", "REQUIRED", "Mapping", "mappings", "plover_records", "to_jsonl"]

SCHEMA = NAMESPACES["schema"]

#: What the records were coded with (the ``codebook`` of ``cite_info``).
CODEBOOK = "plover-0.8 (bilateral-kg mappings, ontology/plover.ttl)"

#: The fields the PLOVER manual (draft 0.8, "PLOVER JSON" table) requires of every record.
REQUIRED = ("id", "date", "actor", "event")

_SECTORS = {
    SCHEMA + "Country": "GOV",
    SCHEMA + "GovernmentOrganization": "GOV",
    SCHEMA + "WorkersUnion": "LAB",
}
_RESOLUTION = {
    SCHEMA + "Country": 1,
    SCHEMA + "AdministrativeArea": 2,
    SCHEMA + "City": 4,
}


@dataclass(frozen=True)
class Mapping:
    """What an act kind or meeting is in PLOVER and CAMEO, from the ontology's SKOS mappings."""

    event: str
    mode: str | None
    quad_code: int
    score: float
    cameo: str | None


def mappings(store: Store) -> tuple[dict[str, Mapping], dict[str, list[str]]]:
    """The PLOVER category, mode, quad class, score and CAMEO code of each of our classes, and
    the PLOVER contexts of each field, as the ontology maps them (``skos:closeMatch`` first,
    then ``skos:broadMatch``).

    Args:
        store: the store (its ontology graph holds the mappings).

    Returns:
        (class IRI -> mapping, field notation -> contexts).

    Examples:
        >>> kinds, contexts = mappings(seed_store())
        >>> kinds[BKG_IRI + "Request"]
        Mapping(event='REQUEST', mode='assist', quad_code=3, score=0.5, cameo='10')
        >>> contexts["bilateral-relations"]
        ['diplomatic']
    """
    rows = select(
        store,
        """
        SELECT ?cls ?rel ?scheme ?n ?category ?quad ?score WHERE {
            VALUES ?rel { skos:closeMatch skos:broadMatch }
            ?cls ?rel ?c . ?c skos:inScheme ?scheme ; skos:notation ?n .
            FILTER (?scheme IN (plover:events, plover:modes, cameo:scheme))
            OPTIONAL { ?c skos:broader* ?cat . ?cat skos:inScheme plover:events ;
                          skos:notation ?category ; skos:broader/skos:notation ?quad }
            OPTIONAL { ?c bkg:ploverScore ?score }
        } ORDER BY ?cls ?rel ?n""",
    )
    found: dict[str, dict[str, Any]] = {}
    for r in rows:
        m = found.setdefault(r["cls"], {})
        close = r["rel"].endswith("closeMatch")
        scheme = r["scheme"].rsplit("/", 1)[1]
        if scheme == "scheme":  # CAMEO: a close match wins over a broad one
            if close or "cameo" not in m:
                m["cameo"] = r["n"]
            continue
        rank = (scheme == "modes", close)  # the most specific: a category's mode, closely
        if rank >= m.get("rank", (False, False)) or "event" not in m:
            m.update(
                rank=rank,
                event=r["category"],
                mode=r["n"] if scheme == "modes" else None,
                quad=int(r["quad"]),
                score=float(r["score"]),
            )
    kinds = {
        cls: Mapping(m["event"], m["mode"], m["quad"], m["score"], m.get("cameo"))
        for cls, m in found.items()
        if "event" in m
    }
    contexts: dict[str, list[str]] = {}
    for r in select(
        store,
        """
        SELECT ?field ?n WHERE {
            ?f skos:inScheme field:scheme ; skos:notation ?field ;
               skos:closeMatch|skos:broadMatch ?c .
            ?c skos:inScheme plover:contexts ; skos:notation ?n .
        } ORDER BY ?field ?n""",
    ):
        values = contexts.setdefault(r["field"], [])
        if r["n"] not in values:
            values.append(r["n"])
    return kinds, contexts


def _all(page_of: Any) -> Iterator[dict[str, Any]]:
    after = None
    while True:
        page = page_of(after)
        yield from page.items
        if not page.more or not page.items:
            return
        after = page.items[-1]["id"]


@dataclass
class _Parties:
    """What the records say of each actor, recipient and place."""

    countries: dict[str, list[EntityRef]]
    wikidata: dict[str, str]
    sectors: dict[str, str]
    offices: dict[str, str]
    classes: dict[str, set[str]]
    alpha3: dict[str, str]  # country IRI -> ISO 3166-1 alpha-3

    @classmethod
    def of(cls, store: Store, iris: Iterable[str]) -> _Parties:
        wanted = sorted(set(iris))
        countries = {
            e: [v for v in vs if isinstance(v, EntityRef)]
            for e, vs in property_values(store, wanted, "country").items()
        }
        wikidata = {e: str(vs[0]) for e, vs in property_values(store, wanted, "wikidata").items()}
        offices = {
            e: "; ".join(v.name for v in vs if isinstance(v, EntityRef))
            for e, vs in property_values(store, wanted, "posts").items()
        }
        classes: dict[str, set[str]] = {}
        sectors: dict[str, str] = {}
        for values in iri_values(wanted, 400):
            for r in select(
                store,
                f"""
                SELECT ?e ?cls ?own WHERE {{
                    VALUES ?e {{ {values} }}
                    {{ ?e a ?cls BIND (true AS ?own) }}
                    UNION {{ ?e org:holds/org:postIn ?b . ?b a ?cls BIND (false AS ?own) }}
                }} ORDER BY ?e ?cls""",
            ):
                if r["own"]:
                    classes.setdefault(r["e"], set()).add(r["cls"])
                sector = _SECTORS.get(r["cls"])
                if sector and r["e"] not in sectors:
                    sectors[r["e"]] = sector
        return cls(countries, wikidata, sectors, offices, classes, _iso_codes(store))

    def country(self, iri: str) -> EntityRef | None:
        found = self.countries.get(iri) or []
        return found[0] if found else None

    def entity(self, iri: str, label: str) -> dict[str, Any]:
        """A PLOVER entity object (``code``, ``sector``, ``entity_text``, ``identifier_id``,
        ...), with the entity's IRI and the name of its country."""
        country = self.country(iri)
        out: dict[str, Any] = {
            "code": self.alpha3.get(country.iri) if country else None,
            "country_name": country.name if country else None,
            "sector": self.sectors.get(iri),
            "entity_text": label,
            "identifier_id": self.wikidata.get(iri),
            "identifier_text": label if iri in self.wikidata else None,
            "iri": iri,
        }
        if iri in self.offices:
            out["office"] = self.offices[iri]
        return out


def _iso_codes(store: Store) -> dict[str, str]:
    out = {}
    for r in select(store, "SELECT ?c ?code WHERE { ?c a schema:Country ; bkg:iso3166Code ?code }"):
        country = pycountry.countries.get(alpha_2=r["code"])
        if country is not None:
            out[r["c"]] = country.alpha_3
    return out


def _sources(store: Store, iris: Iterable[str]) -> dict[str, dict[str, Any]]:
    out = {}
    for iri in sorted(set(iris)):
        rows = select(
            store,
            """
            SELECT ?s ?label ?url ?publisher ?language ?title WHERE {
                ?s rdfs:label ?label .
                OPTIONAL { ?s schema:url ?url }
                OPTIONAL { ?s schema:publisher/rdfs:label ?publisher }
                OPTIONAL { ?s schema:inLanguage ?language }
                OPTIONAL { ?s schema:headline ?title }
            } LIMIT 1""",
            s=ox.NamedNode(iri),
        )
        if rows:
            r = rows[0]
            info = {"corpus": "bilateral-kg", "citation": r["label"], "url": r["url"]}
            if r["title"]:
                info["title"] = r["title"]
            info.update(
                language=r["language"],
                publication=r["publisher"],
                coder="bilateral-kg export",
                codebook=CODEBOOK,
                source=iri,
            )
            out[iri] = {k: v for k, v in info.items() if v is not None}
    return out


def _plain_date(value: str | None) -> str | None:
    """A full ``YYYY-MM-DD`` date, or None for a partial or uncertain one."""
    if value and len(value) == 10 and value[4] == "-" and value[:4].isdigit():
        return value
    return None


def plover_records(
    store: Store, base: str, countries: tuple[ox.NamedNode, ox.NamedNode] | None = None
) -> list[dict[str, Any]]:
    """Every meeting and cooperation act as a PLOVER event record (JSON), with its evidence.

    Each record has the manual's required ``id``, ``date`` (``YYYY-MM-DD``; ``null`` where the
    graph knows no full date: a gap is never filled), ``actor`` and ``event``, and as known:
    ``recipient``, ``mode``, ``context``, ``quad_code``, ``event_scale`` (the manual's score),
    ``event_loc``, ``event_text`` (the quotes), ``text_info`` (offsets of the first quote),
    ``cite_info`` (the source), ``comment``; and beyond the manual: ``cameo``, ``kind``,
    ``status`` (as its source states it), ``current_status`` (after the acts that follow it),
    ``layer``, ``date_edtf`` (the date as the source gives it), ``date_inferred``,
    ``partners``, ``beneficiaries`` and ``evidence`` (every quote with its offsets and
    source).

    Args:
        store: the store.
        base: the configured base IRI.
        countries: keep the records that involve both countries (ISO alpha-2 resolved to IRIs).

    Returns:
        The records, meetings first, each group in the order of the lists (``graph.read.lists``).

    Examples:
        >>> store = seed_store()
        >>> records = plover_records(store, "https://bilateral-kg.example/")
        >>> r = next(r for r in records if r["id"].endswith("heng-sour-lee-jung-sik-march-8"))
        >>> r["event"], r["mode"], r["date"], [a["code"] for a in r["actor"] + r["recipient"]]
        (['CONSULT'], ['visit'], '2024-03-08', ['KHM', 'KOR'])
    """
    kinds, contexts = mappings(store)
    meetings = list(_all(lambda after: lists.meetings(store, base, after=after, limit=500)))
    acts = list(
        _all(lambda after: lists.acts(store, base, countries=countries, after=after, limit=500))
    )
    by_meeting = {m["id"]: m for m in meetings}
    beneficiaries = _beneficiaries(store, [full_iri(a["id"], base) for a in acts])
    refs = [
        full_iri(p["id"], base)
        for item in (*meetings, *acts)
        for group in ("attendees", "actors", "addressees", "partners")
        for p in item.get(group, [])
    ] + [full_iri(m["place"]["id"], base) for m in meetings if m.get("place")]
    refs += [b for found in beneficiaries.values() for b, _ in found]
    parties = _Parties.of(store, refs)
    nodes = [full_iri(x["id"], base) for x in (*meetings, *acts)]
    evidence = evidence_of(store, nodes)
    sources = _sources(store, [e.source for spans in evidence.values() for e in spans])
    meeting_fields = _fields(store, [full_iri(m["id"], base) for m in meetings])
    meeting_layers = _layers(store, [full_iri(m["id"], base) for m in meetings])
    records = []
    if countries is not None:
        wanted = {c.value for c in countries}
        meetings = [
            m
            for m in meetings
            if wanted
            <= {
                c.iri
                for a in m["attendees"]
                for c in parties.countries.get(full_iri(a["id"], base), [])
            }
        ]
    for m in meetings:
        iri = full_iri(m["id"], base)
        mapping = kinds[BKG_IRI + "Meeting"]
        loc = _location(m.get("place"), base, parties)
        actors = [(full_iri(a["id"], base), a["label"]) for a in m["attendees"]]
        recipients: list[tuple[str, str]] = []
        mode: list[str] = []
        cameo = mapping.cameo
        if loc is not None and loc.get("country_iri"):
            home = loc["country_iri"]
            hosts = [a for a in actors if (c := parties.country(a[0])) and c.iri == home]
            visitors = [a for a in actors if (c := parties.country(a[0])) and c.iri != home]
            if hosts and visitors and len(hosts) + len(visitors) == len(actors):
                actors, recipients, mode, cameo = visitors, hosts, ["visit"], "042"
        records.append(
            _record(
                iri=iri,
                kind="meeting",
                status=None,
                current_status=None,
                layer=meeting_layers.get(iri, "stated"),
                label=m["label"],
                date=_plain_date(m.get("full_date")),
                date_edtf=m.get("date"),
                date_inferred=m.get("full_date_layer") == "inferred",
                actors=[parties.entity(*a) for a in actors],
                recipients=[parties.entity(*a) for a in recipients],
                partners=[],
                beneficiaries=[],
                mapping=mapping,
                mode=mode or ([mapping.mode] if mapping.mode else []),
                score=4.0 if mode == ["visit"] else mapping.score,
                cameo=cameo,
                context=sorted(
                    {c for f in meeting_fields.get(iri, []) for c in contexts.get(f, [])}
                ),
                loc=loc,
                spans=evidence.get(iri, []),
                sources=sources,
            )
        )
    for act in acts:
        iri = full_iri(act["id"], base)
        mapping = kinds[BKG_IRI + act["kind"]]
        occasion = by_meeting.get(act["occasion"]["id"]) if act.get("occasion") else None
        records.append(
            _record(
                iri=iri,
                kind=act["kind"].lower(),
                status=(act.get("stated_status") or act["status"]).replace(" ", "-"),
                current_status=(act.get("status") or "").replace(" ", "-") or None,
                layer=act["layer"],
                label=act["label"],
                date=_plain_date(occasion.get("full_date")) if occasion else None,
                date_edtf=occasion.get("date") if occasion else None,
                date_inferred=bool(occasion and occasion.get("full_date_layer") == "inferred"),
                actors=[parties.entity(full_iri(a["id"], base), a["label"]) for a in act["actors"]],
                recipients=[
                    parties.entity(full_iri(a["id"], base), a["label"]) for a in act["addressees"]
                ],
                partners=[
                    parties.entity(full_iri(a["id"], base), a["label"]) for a in act["partners"]
                ],
                beneficiaries=[parties.entity(*b) for b in beneficiaries.get(iri, [])],
                mapping=mapping,
                mode=[mapping.mode] if mapping.mode else [],
                score=mapping.score,
                cameo=mapping.cameo,
                context=sorted({c for f in act["fields"] for c in contexts.get(f, [])}),
                loc=_location(occasion.get("place"), base, parties) if occasion else None,
                spans=evidence.get(iri, []),
                sources=sources,
            )
        )
    return records


def _fields(store: Store, iris: Sequence[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for values in iri_values(iris, 400):
        for r in select(
            store,
            f"SELECT ?m ?f WHERE {{ VALUES ?m {{ {values} }} ?m bkg:field/skos:notation ?f }}",
        ):
            out.setdefault(r["m"], []).append(r["f"])
    return out


def _beneficiaries(store: Store, iris: Sequence[str]) -> dict[str, list[tuple[str, str]]]:
    """Whom each act is for (its beneficiaries), with their names."""
    out: dict[str, list[tuple[str, str]]] = {}
    for values in iri_values(iris, 400):
        for r in select(
            store,
            f"""SELECT ?a ?b ?label WHERE {{ VALUES ?a {{ {values} }}
                ?a bkg:beneficiary ?b . ?b rdfs:label ?label }} ORDER BY ?a ?label""",
        ):
            out.setdefault(r["a"], []).append((r["b"], r["label"]))
    return out


def _layers(store: Store, iris: Sequence[str]) -> dict[str, str]:
    """The layer (stated, inferred) each node is asserted in; stated wins."""
    out: dict[str, str] = {}
    for values in iri_values(iris, 400):
        for r in select(
            store,
            f"""SELECT ?m ?layer WHERE {{ VALUES ?m {{ {values} }}
                GRAPH ?g {{ ?m a bkg:Meeting }} ?g bkg:layer/skos:notation ?layer }}""",
        ):
            if out.get(r["m"]) != "stated":
                out[r["m"]] = r["layer"]
    return out


def _location(place: dict[str, str] | None, base: str, parties: _Parties) -> dict[str, Any] | None:
    """A PLOVER location object for a stated place."""
    if not place:
        return None
    iri = full_iri(place["id"], base)
    country = parties.country(iri)
    classes = parties.classes.get(iri, set())
    loc: dict[str, Any] = {
        "extracted_place": place["label"],
        "resolved_place": place["label"],
        "country": country.name if country else None,
        "country_code": parties.alpha3.get(country.iri) if country else None,
        "resolution": max((_RESOLUTION[c] for c in classes if c in _RESOLUTION), default=None),
        "iri": iri,
        "wikidata_id": parties.wikidata.get(iri),
        "country_iri": country.iri if country else None,
    }
    if SCHEMA + "City" in classes:
        loc["city"] = place["label"]
    elif SCHEMA + "AdministrativeArea" in classes and country and country.iri != iri:
        loc["province"] = place["label"]
    return loc


def _record(
    *,
    iri: str,
    kind: str,
    status: str | None,
    current_status: str | None,
    layer: str,
    label: str,
    date: str | None,
    date_edtf: str | None,
    date_inferred: bool,
    actors: list[dict[str, Any]],
    recipients: list[dict[str, Any]],
    partners: list[dict[str, Any]],
    beneficiaries: list[dict[str, Any]],
    mapping: Mapping,
    mode: list[str],
    score: float,
    cameo: str | None,
    context: list[str],
    loc: dict[str, Any] | None,
    spans: list[Any],
    sources: dict[str, dict[str, Any]],
) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": iri,
        "date": date,
        "actor": actors,
        "recipient": recipients,
        "event": [mapping.event],
        "mode": mode,
        "context": context,
        "quad_code": mapping.quad_code,
        "event_scale": score,
    }
    if loc is not None:
        record["event_loc"] = {k: v for k, v in loc.items() if k != "country_iri"}
    record["event_text"] = [e.exact for e in spans]
    if spans:
        record["text_info"] = {"start": spans[0].start, "end": spans[0].end}
        record["cite_info"] = sources.get(spans[0].source, {"source": spans[0].source})
    # then our own fields (not PLOVER's), with every quote
    record |= {
        "coder": "bilateral-kg",
        "comment": label,
        "cameo": cameo,
        "kind": kind,
        "status": status,
        "current_status": current_status or status,
        "layer": layer,
        "date_edtf": date_edtf,
        "date_inferred": date_inferred,
        "partners": partners,
        "beneficiaries": beneficiaries,
        "evidence": [
            {
                "quote": e.exact,
                "start": e.start,
                "end": e.end,
                "source": e.source,
                "source_label": e.source_title,
            }
            for e in spans
        ],
    }
    return record


def to_jsonl(records: Iterable[dict[str, Any]]) -> bytes:
    """Records as newline-delimited JSON (one record a line, as the manual suggests).

    Examples:
        >>> to_jsonl([{"id": "x", "event": ["AGREE"]}])
        b'{"id": "x", "event": ["AGREE"]}\\n'
    """
    return b"".join(json.dumps(r, ensure_ascii=False).encode("utf-8") + b"\n" for r in records)
