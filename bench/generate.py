"""Generate a seeded synthetic cooperation graph in our ontology, streamed as N-Quads.

The graph is shaped like the one ``bilateral build`` makes from ``seeds/``: the same classes,
properties, SKOS statuses and fields, and the same named-graph layout (``graph/stated/{source}``,
``graph/inferred/{source}``, ``graph/derived``, ``graph/reference``, ``graph/ontology``, each
described in the catalogue as a ``bkg:Layer``). Every stated fact points to a span of its
source's text (``oa:TextQuoteSelector`` and ``oa:TextPositionSelector``) whose offsets slice
exactly the quoted words.

It holds about 200 countries (real ISO 3166 names and codes from pycountry) with provinces
and cities; per country ministries and agencies, each with a post and its holder, stated in a
government directory; then news articles until the requested size is reached, each with a
meeting and its attendees, cooperation acts (agreements, requests, proposals, pledges,
examinations, endorsements) with statuses, partners and fields, statements, sometimes an
observation of migrant workers (RDF Data Cube), identifications of the bodies named, inferred
years for dates given without one, and the derived shortcut links (met with, agreed with,
requested cooperation with).

Usage::

    python bench/generate.py --triples 1000000 --seed 1 --out bench/data/graph-1m.nq

Over the ~500 lines of issue 14, for one reason: it is one seeded stream whose every part
(places, bodies, articles, acts, follow-ups, repeated reports, conflicts) draws from the same
random generator in a fixed order; split across modules, a change in one would silently change
the bytes the others write.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import pycountry
import pyoxigraph as ox

from graph.build.dates import MONTHS
from ontology import BKG_IRI, ONTOLOGY_IRI, read_text

log = logging.getLogger(__name__)

__all__ = ["DEFAULT_BASE", "generate", "main"]

DEFAULT_BASE = "https://bilateral-kg.example/"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
SDO = "https://schema.org/"
ORG = "http://www.w3.org/ns/org#"
PROV = "http://www.w3.org/ns/prov#"
OA = "http://www.w3.org/ns/oa#"
QB = "http://purl.org/linked-data/cube#"
DCT = "http://purl.org/dc/terms/"
SDMX_DIM = "http://purl.org/linked-data/sdmx/2009/dimension#"
SDMX_MEASURE = "http://purl.org/linked-data/sdmx/2009/measure#"
SDMX_CODE = "http://purl.org/linked-data/sdmx/2009/code#"
STATUS = ONTOLOGY_IRI + "/status/"
FIELD = ONTOLOGY_IRI + "/field/"
EPI = ONTOLOGY_IRI + "/epistemic/"

#: Portfolios: (ministry words, field of cooperation, what a ministry of it asks or offers).
PORTFOLIOS = [
    ("Labour", "employment", "employment opportunities for migrant workers"),
    ("Vocational Training", "vocational-training", "vocational training assistance"),
    ("Social Affairs", "social-security", "social security coverage for workers abroad"),
    ("Health", "occupational-safety-and-health", "occupational safety inspections"),
    ("Interior", "emergency-services", "fire trucks and ambulances"),
    ("Science and Technology", "technology", "the exchange of technology"),
    ("Foreign Affairs", "bilateral-relations", "strengthening solidarity between the countries"),
    ("Employment Services", "employment-services", "job matching services"),
    ("Migration", "migrant-worker-protection", "protection of migrant workers"),
]

#: Acts: (class, status, verb for the sentence, is bilateral: names both countries as partners).
ACTS = [
    ("Agreement", "agreed", "agreed with", True),
    ("Request", "requested", "asked", False),
    ("Proposal", "proposed", "proposed to", False),
    ("Pledge", "pledged", "pledged to", False),
    ("Examination", "under-examination", "will examine with", False),
    ("Endorsement", "done", "welcomed the work of", True),
]
ACT_WEIGHTS = [3, 3, 2, 2, 2, 1]

LAYER_WORDS = {
    "stated": "what one source states",
    "inferred": "what was inferred from one source, each fact with its reason",
    "derived": "what the build computed: shortcut links and statistics",
    "reference": "reference data: the entity register, ISO 3166, Wikidata",
    "ontology": "the ontology and its SKOS schemes",
}
LAYER_STATUS = {"ontology": "reference"}


# fmt: off
SYLLABLES = (
    "ka", "ri", "mo", "na", "sa", "lu", "te", "vi", "do", "ren", "an", "el", "or", "is", "ba",
    "go", "hu", "ji", "ke", "la", "mi", "no", "pa", "qu", "ra", "si", "to", "un", "va", "we",
    "xi", "yo", "za", "bel", "dor", "fen", "gar", "hal", "jun", "kor", "lin", "mar", "nor",
    "pol", "ros", "sen", "tor", "ul", "vin",
)
# fmt: on


def _esc(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


def lit(text: str, lang: str | None = None, datatype: str | None = None) -> str:
    """An N-Quads literal.

    Examples:
        >>> lit('say "hi"', lang="en")
        '"say \\\\"hi\\\\""@en'
        >>> lit("3", datatype=XSD + "integer")
        '"3"^^<http://www.w3.org/2001/XMLSchema#integer>'
    """
    if lang:
        return f'"{_esc(text)}"@{lang}'
    if datatype:
        return f'"{_esc(text)}"^^<{datatype}>'
    return f'"{_esc(text)}"'


def en(text: str) -> str:
    return lit(text, lang="en")


def integer(n: int) -> str:
    return lit(str(n), datatype=XSD + "integer")


def slug(text: str) -> str:
    out = "".join(c.lower() if c.isalnum() else "-" for c in text)
    return "-".join(p for p in out.split("-") if p)


class Writer:
    """Counts and writes quads; terms come already in N-Quads form."""

    def __init__(self, out: IO[str], base: str) -> None:
        self.out = out
        self.base = base
        self.count = 0

    def iri(self, path: str) -> str:
        return f"<{self.base}{path}>"

    def graph(self, layer: str, source: str | None = None) -> str:
        return self.iri(f"graph/{layer}/{source}" if source else f"graph/{layer}")

    def quad(self, s: str, p: str, o: str, g: str) -> None:
        self.out.write(f"{s} <{p}> {o} {g} .\n")
        self.count += 1

    def many(self, s: str, g: str, pairs: list[tuple[str, str]]) -> None:
        for p, o in pairs:
            self.quad(s, p, o, g)

    def stated(
        self, first: str, second: str, more: list[tuple[str, str]], span: str
    ) -> list[tuple[str, str]]:
        """The pairs of a stated thing: its two types, ``more``, its epistemic status and its
        evidence (``span``)."""
        pairs = [(RDF + "type", f"<{first}>"), (RDF + "type", f"<{second}>")]
        return [
            *pairs,
            *more,
            (BKG_IRI + "epistemicStatus", f"<{EPI}stated>"),
            (PROV + "wasDerivedFrom", span),
        ]

    def reference(
        self, s: str, g: str, types: list[str], name: str, more: list[tuple[str, str]]
    ) -> None:
        """A thing of the reference layer: its types, its name (label and preferred label),
        ``more`` pairs, and its epistemic status."""
        pairs = [(RDF + "type", f"<{t}>") for t in types]
        pairs += [(RDFS + "label", en(name)), (SKOS + "prefLabel", en(name)), *more]
        self.many(s, g, [*pairs, (BKG_IRI + "epistemicStatus", f"<{EPI}reference>")])


@dataclass
class Org:
    """A government body of the synthetic graph (a ministry, or an agency under its parent)."""

    iri: str
    label: str
    acronym: str
    portfolio: int  # its field of government: an index into PORTFOLIOS
    country: Country
    is_agency: bool
    post: str = ""
    post_label: str = ""
    parent: Org | None = None
    head: Person | None = None


@dataclass
class Person:
    iri: str
    name: str
    country: Country


@dataclass
class Country:
    iri: str
    name: str
    code: str
    demonym: str
    provinces: list[str] = field(default_factory=list)
    cities: list[tuple[str, str]] = field(default_factory=list)
    orgs: list[Org] = field(default_factory=list)
    publisher: str = ""


class Source:
    """A source's text, built sentence by sentence, and the spans cut from it."""

    def __init__(self, w: Writer, sid: str) -> None:
        self.w = w
        self.sid = sid
        self.parts: list[str] = []
        self.length = 0
        self.spans: dict[tuple[int, int], str] = {}
        self.stated = w.graph("stated", sid)
        self.inferred = w.graph("inferred", sid)

    def sentence(self, *pieces: str) -> tuple[int, int, list[tuple[int, int]]]:
        """Append a sentence; return its offsets and those of each piece."""
        start = self.length
        offsets = []
        pos = start
        for piece in pieces:
            offsets.append((pos, pos + len(piece)))
            pos += len(piece)
        text = "".join(pieces)
        self.parts.append(text + "\n")
        self.length += len(text) + 1
        return start, start + len(text), offsets

    @property
    def text(self) -> str:
        return "".join(self.parts)

    def span(self, start: int, end: int) -> str:
        iri = self.w.iri(f"id/span/{self.sid}/{start}-{end}")
        self.spans[start, end] = iri
        return iri

    def write_spans(self) -> None:
        """The spans with their selectors (written once the whole text is known)."""
        w, g, text = self.w, self.stated, self.text
        src = w.iri(f"id/source/{self.sid}")
        for (start, end), span in sorted(self.spans.items()):
            quote = w.iri(f"id/span/{self.sid}/{start}-{end}/quote")
            position = w.iri(f"id/span/{self.sid}/{start}-{end}/position")
            w.many(
                span,
                g,
                [
                    (RDF + "type", f"<{OA}SpecificResource>"),
                    (OA + "hasSource", src),
                    (OA + "hasSelector", quote),
                    (OA + "hasSelector", position),
                ],
            )
            w.many(
                quote,
                g,
                [
                    (RDF + "type", f"<{OA}TextQuoteSelector>"),
                    (OA + "exact", lit(text[start:end])),
                    (OA + "prefix", lit(text[max(0, start - 32) : start])),
                    (OA + "suffix", lit(text[end : end + 32])),
                ],
            )
            w.many(
                position,
                g,
                [
                    (RDF + "type", f"<{OA}TextPositionSelector>"),
                    (OA + "start", integer(start)),
                    (OA + "end", integer(end)),
                ],
            )


class Generator:
    """Writes the graph; every random choice comes from one seeded generator."""

    def __init__(self, out: IO[str], triples: int, seed: int, base: str) -> None:
        self.w = Writer(out, base)
        self.target = triples
        self.rng = random.Random(seed)
        self.names: set[str] = set()
        self.ref = self.w.graph("reference")
        self.derived = self.w.graph("derived")
        self.countries: list[Country] = []
        self.weights: list[float] = []
        self.catalogue: list[tuple[str, str, str | None]] = []
        # Many sources over time: earlier meetings and open acts of each country pair (for
        # repeated reports and follow-ups), and what the derived layer says of every act,
        # written at the end once every follow-up is known.
        self.pair_meetings: dict[tuple[str, str], list[tuple[str, str, str, str, str]]] = {}
        self.open_acts: dict[tuple[str, str], list[tuple[str, str]]] = {}
        self.acts: dict[str, tuple[str, str, str]] = {}  # act -> (date, status, source)
        self.followers: dict[str, list[str]] = {}
        self.parent: dict[str, str] = {}  # act -> the act it follows
        self.meeting_sources: dict[str, list[str]] = {}
        self.pending = 0  # quads still to write at the end (an estimate, to stop in time)

    # -- names -----------------------------------------------------------------------------

    def word(self, syllables: int) -> str:
        return "".join(self.rng.choice(SYLLABLES) for _ in range(syllables)).capitalize()

    def unique(self, make: Iterator[str] | None = None, *, syllables: int = 3) -> str:
        while True:
            name = next(make) if make else self.word(syllables)
            if name not in self.names:
                self.names.add(name)
                return name

    def person_name(self) -> str:
        while True:
            name = f"{self.word(2)} {self.word(self.rng.choice((2, 3)))}"
            if name not in self.names:
                self.names.add(name)
                return name

    # -- reference data --------------------------------------------------------------------

    def ontology(self) -> None:
        g = self.w.graph("ontology")
        for name in ("bilateral.ttl", "schemes.ttl"):
            for t in ox.parse(read_text(name), format=ox.RdfFormat.TURTLE):
                self.w.out.write(f"{t.subject} {t.predicate} {t.object} {g} .\n")
                self.w.count += 1
        self.catalogue.append(("ontology", g, None))

    def places(self, n_countries: int) -> None:
        w, ref = self.w, self.ref
        everyone = sorted(pycountry.countries, key=lambda c: c.alpha_2)
        picked = sorted(self.rng.sample(everyone, n_countries), key=lambda c: c.alpha_2)
        for rank, c in enumerate(picked):
            name = getattr(c, "common_name", c.name)
            self.names.add(name)
            country = Country(w.iri(f"id/place/{slug(name)}"), name, c.alpha_2, name)
            pairs = [
                (SDO + "identifier", lit(c.alpha_2)),
                (BKG_IRI + "iso3166Code", lit(c.alpha_2)),
            ]
            if c.name != name:
                pairs.append((SKOS + "altLabel", en(c.name)))
            if getattr(c, "official_name", None):
                pairs.append((SKOS + "altLabel", en(c.official_name)))
            places = [SDO + "Country", SDO + "AdministrativeArea", SDO + "Place"]
            w.reference(country.iri, ref, places, name, pairs)
            for i in range(3):
                pname = self.unique(syllables=3)
                prov = w.iri(f"id/place/{slug(pname)}")
                code = f"{c.alpha_2}-{i + 1:02d}"
                country.provinces.append(prov)
                w.reference(
                    prov,
                    ref,
                    [SDO + "AdministrativeArea", SDO + "Place"],
                    pname,
                    [
                        (SKOS + "altLabel", en(f"{pname} Province")),
                        (SDO + "identifier", lit(code)),
                        (BKG_IRI + "iso3166Code", lit(code)),
                        (SDO + "containedInPlace", country.iri),
                    ],
                )
                w.quad(country.iri, SDO + "containsPlace", prov, ref)
                cname = self.unique(syllables=2)
                city = w.iri(f"id/place/{slug(cname)}")
                country.cities.append((city, cname))
                w.reference(
                    city,
                    ref,
                    [SDO + "City", SDO + "Place"],
                    cname,
                    [(SDO + "containedInPlace", prov)],
                )
                w.quad(prov, SDO + "containsPlace", city, ref)
            pub = f"The {country.cities[0][1]} Times"
            country.publisher = w.iri(f"id/organization/{slug(pub)}")
            w.reference(
                country.publisher, ref, [SDO + "Organization", ORG + "Organization"], pub, []
            )
            self.countries.append(country)
            # A few countries cooperate much more than the rest, as in the world.
            self.weights.append(1.0 / (rank % 50 + 1) ** 0.8)

    def bodies(self, per_country: int) -> None:
        """Ministries and agencies with a post each and its holder, and a directory source
        per country stating who holds which post in which body of which country."""
        w, ref = self.w, self.ref
        for country in self.countries:
            n_ministries = max(1, (per_country + 1) // 2)
            portfolios = self.rng.sample(range(len(PORTFOLIOS)), min(n_ministries, 9))
            ministries = []
            for k in portfolios:
                words = PORTFOLIOS[k][0]
                label = f"Ministry of {words} of {country.name}"
                org = Org(
                    w.iri(f"id/organization/{slug(label)}"),
                    label,
                    "M" + "".join(x[0] for x in words.split() if x[0].isupper()) + country.code,
                    k,
                    country,
                    False,
                )
                ministries.append(org)
            agencies = []
            for i in range(per_country - len(ministries)):
                parent = ministries[i % len(ministries)]
                aname = self.unique(syllables=2)
                label = f"{aname} National {PORTFOLIOS[parent.portfolio][0]} Agency"
                agencies.append(
                    Org(
                        w.iri(f"id/organization/{slug(label)}"),
                        label,
                        f"{aname[:2].upper()}NA{country.code}",
                        parent.portfolio,
                        country,
                        True,
                        parent=parent,
                    )
                )
            country.orgs = ministries + agencies
            for org in country.orgs:
                types = [f"<{SDO}GovernmentOrganization>", f"<{SDO}Organization>"]
                types.append(f"<{ORG}Organization>")
                w.many(
                    org.iri,
                    ref,
                    [(RDF + "type", t) for t in types]
                    + [
                        (RDFS + "label", en(org.label)),
                        (SKOS + "prefLabel", en(org.label)),
                        (SKOS + "altLabel", en(org.acronym)),
                        (SDO + "alternateName", lit(org.acronym)),
                        (BKG_IRI + "epistemicStatus", f"<{EPI}reference>"),
                    ],
                )
                name = self.person_name()
                org.head = Person(w.iri(f"id/person/{slug(name)}"), name, country)
                title = "Director-General" if org.is_agency else "Minister"
                org.post_label = f"{title} of the {org.label}"
                org.post = w.iri(f"id/post/{slug(org.post_label)}")
                w.many(
                    org.head.iri,
                    ref,
                    [
                        (RDF + "type", f"<{SDO}Person>"),
                        (RDFS + "label", en(name)),
                        (SKOS + "prefLabel", en(name)),
                        (BKG_IRI + "epistemicStatus", f"<{EPI}reference>"),
                    ],
                )
                w.many(
                    org.post,
                    ref,
                    [
                        (RDF + "type", f"<{ORG}Post>"),
                        (RDFS + "label", en(org.post_label)),
                        (SKOS + "prefLabel", en(org.post_label)),
                        (BKG_IRI + "epistemicStatus", f"<{EPI}reference>"),
                    ],
                )
            self.directory(country)

    def directory(self, country: Country) -> None:
        w = self.w
        sid = f"directory-{country.code.lower()}"
        src = Source(w, sid)
        g = src.stated
        for org in country.orgs:
            assert org.head is not None
            head = org.head
            parent = f", a body of the {org.parent.label}" if org.parent else ""
            start, end, parts = src.sentence(
                head.name,
                " holds the post of ",
                org.post_label,
                f", the head of the {org.label} of {country.name}{parent}.",
            )
            span = src.span(start, end)
            self.mention(src, parts[0], head.iri, f"“{head.name}” refers to {head.name}")
            w.quad(head.iri, ORG + "holds", org.post, g)
            w.quad(org.post, ORG + "heldBy", head.iri, g)
            w.quad(org.post, ORG + "postIn", org.iri, g)
            w.quad(org.iri, ORG + "hasPost", org.post, g)
            w.quad(org.iri, BKG_IRI + "country", country.iri, g)
            w.quad(head.iri, SDO + "nationality", country.iri, g)
            facts = [
                ("holds-post", head.iri, head.name, ORG + "holds", org.post, org.post_label),
                ("post-in", org.post, org.post_label, ORG + "postIn", org.iri, org.label),
                ("country", org.iri, org.label, BKG_IRI + "country", country.iri, country.name),
                (
                    "nationality",
                    head.iri,
                    head.name,
                    SDO + "nationality",
                    country.iri,
                    country.name,
                ),
            ]
            if org.parent:
                w.quad(org.iri, ORG + "subOrganizationOf", org.parent.iri, g)
                facts.append(
                    (
                        "part-of",
                        org.iri,
                        org.label,
                        ORG + "subOrganizationOf",
                        org.parent.iri,
                        org.parent.label,
                    )
                )
            for fid, s, s_name, p, o, o_name in facts:
                label = f"{s_name} — {p.rsplit('#', 1)[-1].rsplit('/', 1)[-1]} — {o_name}"
                self.assertion(src, f"{slug(org.acronym)}-{fid}", s, p, o, span, label)
        self.source(src, "Report", f"Government directory of {country.name}", country)

    # -- pieces of a source ----------------------------------------------------------------

    def mention(self, src: Source, offsets: tuple[int, int], body: str, label: str) -> str:
        w, g = self.w, src.stated
        start, end = offsets
        iri = w.iri(f"id/mention/{src.sid}/{start}-{end}")
        span = src.span(start, end)
        w.many(
            iri,
            g,
            [
                (RDF + "type", f"<{OA}Annotation>"),
                (OA + "motivatedBy", f"<{OA}identifying>"),
                (OA + "hasBody", body),
                (OA + "hasTarget", span),
                (PROV + "wasDerivedFrom", span),
                (RDFS + "label", en(label)),
                (BKG_IRI + "epistemicStatus", f"<{EPI}stated>"),
            ],
        )
        return iri

    def assertion(
        self, src: Source, fid: str, s: str, p: str, o: str, span: str, label: str
    ) -> None:
        self.w.many(
            self.w.iri(f"id/assertion/{src.sid}/{fid}"),
            src.stated,
            [
                *self.w.stated(
                    RDF + "Statement",
                    BKG_IRI + "Assertion",
                    [(RDF + "subject", s), (RDF + "predicate", f"<{p}>"), (RDF + "object", o)],
                    span,
                ),
                (RDFS + "label", en(label)),
            ],
        )

    def source(self, src: Source, kind: str, label: str, country: Country) -> None:
        w, g = self.w, src.stated
        iri = w.iri(f"id/source/{src.sid}")
        w.many(
            iri,
            g,
            [
                (RDF + "type", f"<{SDO}{kind}>"),
                (RDF + "type", f"<{PROV}Entity>"),
                (RDFS + "label", en(label)),
                (SDO + "text", en(src.text)),
                (SDO + "inLanguage", lit("en")),
                (SDO + "publisher", country.publisher),
                (SDO + "url", f"<https://news.example/{src.sid}>"),
            ],
        )
        src.write_spans()
        self.catalogue.append(("stated", src.stated, src.sid))

    def derived_link(self, rel: str, s: str, o: str, via: str, label: str, reason: str) -> None:
        w, g = self.w, self.derived
        digest = hashlib.sha256(f"{rel} {s} {o} {via}".encode()).hexdigest()[:12]
        w.quad(s, BKG_IRI + rel, o, g)
        w.many(
            w.iri(f"id/link/{rel}/{digest}"),
            g,
            [
                (RDF + "type", f"<{RDF}Statement>"),
                (RDF + "type", f"<{BKG_IRI}DerivedLink>"),
                (RDF + "subject", s),
                (RDF + "predicate", f"<{BKG_IRI}{rel}>"),
                (RDF + "object", o),
                (PROV + "wasDerivedFrom", via),
                (BKG_IRI + "epistemicStatus", f"<{EPI}derived>"),
                (RDFS + "label", en(label)),
                (BKG_IRI + "reason", en(reason)),
            ],
        )

    # -- articles --------------------------------------------------------------------------

    def article(self, n: int) -> None:
        rng, w = self.rng, self.w
        a, b = rng.choices(self.countries, weights=self.weights, k=2)
        while b is a:
            b = rng.choice(self.countries)
        org_a = rng.choice(a.orgs)
        same = [o for o in b.orgs if o.portfolio == org_a.portfolio]
        org_b = rng.choice(same or b.orgs)
        pa, pb = org_a.head, org_b.head
        assert pa is not None
        assert pb is not None
        year = rng.randint(2000, 2025)
        month = rng.randint(1, 12)
        day = rng.randint(1, 28)
        date = f"{year}-{month:02d}-{day:02d}"
        year_stated = rng.random() < 0.7
        words_date = f"{day} {MONTHS[month - 1]}" + (f" {year}" if year_stated else "")
        city, city_name = rng.choice(b.cities)
        sid = f"news-{n:07d}-{slug(a.code)}-{slug(b.code)}"
        src = Source(w, sid)
        g = src.stated
        self.catalogue.append(("inferred", src.inferred, sid))
        _, field_name, offer = PORTFOLIOS[org_a.portfolio]
        fld = f"<{FIELD}{field_name}>"
        pair = (min(a.iri, b.iri), max(a.iri, b.iri))
        if self.pair_meetings.get(pair) and rng.random() < 0.15:
            self.repeat_report(src, a, b)

        # The meeting.
        start, end, parts = src.sentence(
            pa.name,
            f", {org_a.post_label}, met with ",
            pb.name,
            f", {org_b.post_label}, on {words_date} in ",
            city_name,
            f" to discuss {offer}.",
        )
        span = src.span(start, end)
        self.mention(src, parts[0], pa.iri, f"“{pa.name}” refers to {pa.name}")
        self.mention(src, parts[2], pb.iri, f"“{pb.name}” refers to {pb.name}")
        self.mention(src, parts[4], city, f"“{city_name}” refers to {city_name}")
        meeting = w.iri(f"id/meeting/{sid}-meeting")
        label = f"Meeting of {pa.name} and {pb.name}, {day} {MONTHS[month - 1]}"
        edtf = date if year_stated else f"XXXX-{month:02d}-{day:02d}"
        w.many(
            meeting,
            g,
            [
                (RDF + "type", f"<{BKG_IRI}Meeting>"),
                (RDF + "type", f"<{SDO}Event>"),
                (RDFS + "label", en(label)),
                (SDO + "attendee", pa.iri),
                (SDO + "attendee", pb.iri),
                (SDO + "location", city),
                (BKG_IRI + "summary", en(f"{pa.name} and {pb.name} discussed {offer}")),
                (SDO + "description", en(f"{pa.name} and {pb.name} discussed {offer}")),
                (BKG_IRI + "field", fld),
                (DCT + "subject", fld),
                (BKG_IRI + "edtfDate", lit(edtf)),
                (BKG_IRI + "epistemicStatus", f"<{EPI}stated>"),
                (PROV + "wasDerivedFrom", span),
            ],
        )
        day_literal = lit(date, datatype=XSD + "date")
        if year_stated:
            w.quad(meeting, SDO + "startDate", day_literal, g)
        else:
            gi = src.inferred
            reason = f"The article gives no year; it was published in {year}."
            w.quad(meeting, SDO + "startDate", day_literal, gi)
            w.quad(meeting, BKG_IRI + "edtfDate", lit(f"{year}?-{month:02d}-{day:02d}"), gi)
            w.many(
                w.iri(f"id/assertion/{sid}/meeting-year"),
                gi,
                [
                    (RDF + "type", f"<{RDF}Statement>"),
                    (RDF + "type", f"<{BKG_IRI}Assertion>"),
                    (RDF + "subject", meeting),
                    (RDF + "predicate", f"<{SDO}startDate>"),
                    (RDF + "object", day_literal),
                    (BKG_IRI + "reason", en(reason)),
                    (BKG_IRI + "epistemicStatus", f"<{EPI}inferred>"),
                    (PROV + "wasDerivedFrom", span),
                    (RDFS + "label", en(f"{label} — start date — {date}")),
                ],
            )
        self.timeline_facts(
            meeting,
            (a.iri, b.iri),
            date,
            "stated" if year_stated else "inferred",
            edtf if year_stated else f"{year}?-{month:02d}-{day:02d}",
            sid,
        )
        self.derived_link(
            "metWith",
            pa.iri,
            pb.iri,
            meeting,
            f"{pa.name} — met with — {pb.name}",
            f"Both attended: {label}.",
        )

        # The ministry as the article names it ("the ministry"): an inferred identification.
        start, end, parts = src.sentence(
            "The ministry", f" later said the talks on {field_name.replace('-', ' ')} went well."
        )
        ident_span = src.span(*parts[0])
        identification = w.iri(f"id/mention/{sid}/{parts[0][0]}-{parts[0][1]}")
        w.many(
            identification,
            src.inferred,
            [
                (RDF + "type", f"<{OA}Annotation>"),
                (OA + "motivatedBy", f"<{OA}identifying>"),
                (OA + "hasBody", org_a.iri),
                (OA + "hasTarget", ident_span),
                (PROV + "wasDerivedFrom", ident_span),
                (RDFS + "label", en(f"“The ministry” refers to {org_a.label}")),
                (BKG_IRI + "reason", en(f"The article's minister heads the {org_a.label}.")),
                (BKG_IRI + "epistemicStatus", f"<{EPI}inferred>"),
            ],
        )

        # The acts.
        for i in range(rng.randint(1, 4)):
            cls, status, verb, bilateral = rng.choices(ACTS, weights=ACT_WEIGHTS)[0]
            answer = self.follow_up(a, b)
            if answer is not None:
                cls, status, verb = answer[1], answer[2], answer[3]
                bilateral = cls == "Agreement"
            actor, addressee, actor_org = (pa, pb, org_a) if i % 2 == 0 else (pb, pa, org_b)
            what = PORTFOLIOS[rng.choice((org_a.portfolio, rng.randrange(len(PORTFOLIOS))))]
            summary = what[2]
            act_field = f"<{FIELD}{what[1]}>"
            by_body = rng.random() < 0.3
            start, end, parts = src.sentence(
                actor_org.label if by_body else actor.name,
                f" {verb} ",
                addressee.name,
                f" on {summary}.",
            )
            span = src.span(start, end)
            who = actor_org.iri if by_body else actor.iri
            who_name = actor_org.label if by_body else actor.name
            act = w.iri(f"id/act/{sid}-{i + 1}-{slug(cls)}")
            label = f"{cls} by {who_name}: {summary}"
            pairs = [
                (RDF + "type", f"<{BKG_IRI}CooperationAct>"),
                (RDF + "type", f"<{BKG_IRI}{cls}>"),
                (RDF + "type", f"<{SDO}Action>"),
                (RDFS + "label", en(label)),
                (BKG_IRI + "summary", en(summary)),
                (SDO + "description", en(summary)),
                (BKG_IRI + "status", f"<{STATUS}{status}>"),
                (BKG_IRI + "field", act_field),
                (DCT + "subject", act_field),
                (BKG_IRI + "actor", who),
                (SDO + "agent", who),
                (BKG_IRI + "occasion", meeting),
                (BKG_IRI + "epistemicStatus", f"<{EPI}stated>"),
                (PROV + "wasDerivedFrom", span),
            ]
            if bilateral:
                pairs += [(BKG_IRI + "partner", a.iri), (BKG_IRI + "partner", b.iri)]
            else:
                pairs += [
                    (BKG_IRI + "addressee", addressee.iri),
                    (SDO + "recipient", addressee.iri),
                ]
            if i == 0 and rng.random() < 0.5:
                pairs.append((BKG_IRI + "reliesOn", identification))
            # What write_histories will add: 13 quads for the act's own history, and 7 for a
            # step in the history of each act this one follows, directly or not.
            self.pending += 13
            if answer is not None:
                pairs += [(BKG_IRI + "follows", answer[0]), (PROV + "wasInformedBy", answer[0])]
                self.followers.setdefault(answer[0], []).append(act)
                self.parent[act] = answer[0]
                up: str | None = answer[0]
                while up is not None:
                    self.pending += 7
                    up = self.parent.get(up)
            w.many(act, g, pairs)
            self.acts[act] = (date, status, sid)
            self.timeline_facts(act, (a.iri, b.iri), date, "occasion", date, sid)
            w.quad(act, BKG_IRI + "reportCount", integer(1), self.derived)
            if status in ("requested", "proposed", "pledged"):
                waiting = self.open_acts.setdefault(pair, [])
                waiting.append((act, cls))
                del waiting[:-20]
            if bilateral:
                self.derived_link(
                    "agreedWith" if cls == "Agreement" else "namedAsPartnerWith",
                    a.iri,
                    b.iri,
                    act,
                    f"{a.name} — {'agreed with' if cls == 'Agreement' else 'partner of'} — "
                    f"{b.name}",
                    f"Partners of: {label}.",
                )
            elif cls == "Request":
                self.derived_link(
                    "requestedCooperationWith",
                    who,
                    addressee.iri,
                    act,
                    f"{who_name} — requested cooperation with — {addressee.name}",
                    f"Actor and addressee of: {label}.",
                )

        # What was said.
        for i in range(rng.randint(0, 2)):
            speaker = rng.choice((pa, pb))
            quoted = rng.random() < 0.5
            words = f"cooperation on {offer} will grow in the coming years"
            if quoted:
                start, end, parts = src.sentence(
                    f"“{words.capitalize()},” said ", speaker.name, "."
                )
            else:
                start, end, parts = src.sentence(speaker.name, f" said that {words}.")
            span = src.span(start, end)
            kind = "Quotation" if quoted else "Paraphrase"
            types = [f"<{BKG_IRI}Statement>", f"<{BKG_IRI}{kind}>", f"<{SDO}CreativeWork>"]
            if quoted:
                types.append(f"<{SDO}Quotation>")
            w.many(
                w.iri(f"id/statement/{sid}-{i + 1}"),
                g,
                [(RDF + "type", t) for t in types]
                + [
                    (RDFS + "label", en(f"{kind} of {speaker.name}: “{words[:60]}…”")),
                    (SDO + "text", en(words)),
                    (BKG_IRI + "speaker", speaker.iri),
                    (SDO + "creator", speaker.iri),
                    (SDO + "about", b.iri if speaker is pa else a.iri),
                    (BKG_IRI + "epistemicStatus", f"<{EPI}stated>"),
                    (PROV + "wasDerivedFrom", span),
                ],
            )

        # Sometimes a count of migrant workers.
        if rng.random() < 0.3:
            count = rng.randint(100, 90000)
            start, end, parts = src.sentence(
                f"Some {count:,} workers from {a.name} were employed in {b.name} in {year - 1}."
            )
            span = src.span(start, end)
            dataset = self.dataset(a, b)
            population = f"{a.demonym} workers in {b.name}"
            w.many(
                w.iri(f"id/observation/{sid}-workers-{year - 1}"),
                g,
                [
                    (RDF + "type", f"<{QB}Observation>"),
                    (QB + "dataSet", dataset),
                    (SDMX_MEASURE + "obsValue", integer(count)),
                    (SDMX_DIM + "refPeriod", lit(str(year - 1), datatype=XSD + "gYear")),
                    (SDMX_DIM + "sex", f"<{SDMX_CODE}sex-T>"),
                    (BKG_IRI + "originCountry", a.iri),
                    (BKG_IRI + "destinationCountry", b.iri),
                    (BKG_IRI + "unit", lit("persons")),
                    (BKG_IRI + "population", en(population)),
                    (RDFS + "label", en(f"{population}, {year - 1}, total: {count:,}")),
                    (BKG_IRI + "epistemicStatus", f"<{EPI}stated>"),
                    (PROV + "wasDerivedFrom", span),
                ],
            )
        title = f"{a.name} and {b.name} discuss {offer}"
        self.source(src, "NewsArticle", title, b)
        pair = (min(a.iri, b.iri), max(a.iri, b.iri))
        self.pair_meetings.setdefault(pair, []).append(
            (meeting, pa.name, pb.name, words_date, city)
        )
        del self.pair_meetings[pair][:-8]

    def timeline_facts(
        self, node: str, countries: tuple[str, str], day: str, basis: str, edtf: str, sid: str
    ) -> None:
        """What the build derives for a meeting or an act: who takes part, its date for the
        timeline and how it is known, the source that reports it."""
        w, g = self.w, self.derived
        for country in countries:
            w.quad(country, BKG_IRI + "takesPartIn", node, g)
        day_literal = lit(day, datatype=XSD + "date")
        w.quad(node, BKG_IRI + "sortDate", day_literal, g)
        w.quad(node, BKG_IRI + "sortDateEnd", day_literal, g)
        w.quad(node, BKG_IRI + "dateBasis", lit(basis), g)
        w.quad(node, BKG_IRI + "timelineDate", lit(edtf), g)
        w.quad(node, BKG_IRI + "reportedIn", w.iri(f"id/source/{sid}"), g)

    def repeat_report(self, src: Source, a: Country, b: Country) -> None:
        """Another source reports an earlier meeting of the pair: one node, a second report;
        sometimes in another city (a place conflict, listed in the derived layer)."""
        rng, w = self.rng, self.w
        pair = (min(a.iri, b.iri), max(a.iri, b.iri))
        meeting, name_a, name_b, words, city = rng.choice(self.pair_meetings[pair])
        other, other_name = rng.choice(b.cities + a.cities)
        start, end, _ = src.sentence(
            f"Earlier, {name_a} and {name_b} met on {words} in ", other_name, "."
        )
        span = src.span(start, end)
        w.many(
            meeting,
            src.stated,
            w.stated(BKG_IRI + "Meeting", SDO + "Event", [(SDO + "location", other)], span),
        )
        w.quad(meeting, BKG_IRI + "reportedIn", w.iri(f"id/source/{src.sid}"), self.derived)
        if meeting not in self.meeting_sources:
            self.pending += 1  # its report count, written at the end
        first = self.meeting_sources.setdefault(meeting, [])
        first.append(src.sid)
        if other != city:
            g = self.derived
            digest = hashlib.sha256(f"place {meeting} {src.sid}".encode()).hexdigest()[:12]
            conflict = w.iri(f"id/conflict/place/{digest}")
            w.many(
                conflict,
                g,
                [
                    (RDF + "type", f"<{BKG_IRI}Conflict>"),
                    (BKG_IRI + "conflictKind", lit("place")),
                    (BKG_IRI + "conflictAbout", meeting),
                    (RDFS + "label", en(f"Sources differ on the place of {meeting}")),
                    (BKG_IRI + "epistemicStatus", f"<{EPI}derived>"),
                    (BKG_IRI + "reason", en("Two sources give the meeting different places.")),
                ],
            )
            for n, (place, source) in enumerate(((city, first[0]), (other, src.sid)), start=1):
                side = f"{conflict[:-1]}/claim/{n}>"
                w.quad(conflict, BKG_IRI + "claim", side, g)
                w.many(
                    side,
                    g,
                    [
                        (RDF + "type", f"<{BKG_IRI}Claim>"),
                        (BKG_IRI + "claimObject", place),
                        (BKG_IRI + "claimValue", lit(place.rsplit("/", 1)[-1][:-1])),
                        (BKG_IRI + "reportedIn", w.iri(f"id/source/{source}")),
                    ],
                )

    def follow_up(self, a: Country, b: Country) -> tuple[str, str, str, str] | None:
        """Sometimes an act of this article answers an open act of the same pair: an agreement
        answering a request, a repeated request, a decline or a withdrawal."""
        rng = self.rng
        pair = (min(a.iri, b.iri), max(a.iri, b.iri))
        open_acts = self.open_acts.get(pair)
        if not open_acts or rng.random() > 0.25:
            return None
        earlier, cls = open_acts.pop(rng.randrange(len(open_acts)))
        choices = [
            ("Agreement", "agreed", "agreed with", True),
            (cls, "declined", "declined", False),
            (cls, "withdrawn", "withdrew", False),
        ]
        if cls == "Request":
            choices.append(("Request", "requested", "again asked", False))
        weights = [5, 2, 1, 3][: len(choices)]
        new_cls, status, verb, _ = rng.choices(choices, weights=weights)[0]
        return earlier, new_cls, status, verb

    def write_histories(self) -> None:
        """Every act's status history and current status, now that every follow-up is known."""
        w, g = self.w, self.derived
        for meeting, sources in self.meeting_sources.items():
            w.quad(meeting, BKG_IRI + "reportCount", integer(1 + len(sources)), g)
        for act, (day, _, _) in self.acts.items():
            # A follow-up never comes before what it follows (as in the build).
            steps = [(day, 0, act)]
            todo = [(act, 0, day)]
            while todo:
                current, depth, floor = todo.pop()
                for nxt in self.followers.get(current, ()):
                    when = max(self.acts[nxt][0], floor)
                    steps.append((when, depth + 1, nxt))
                    todo.append((nxt, depth + 1, when))
            steps.sort()
            current_status = self.acts[steps[-1][2]][1]
            history = f"{act[:-1]}/status-history>"
            w.quad(act, BKG_IRI + "currentStatus", f"<{STATUS}{current_status}>", g)
            w.quad(act, BKG_IRI + "statusHistory", history, g)
            reason = "; ".join(f"{self.acts[x][1]} {d}" for d, _, x in steps)
            w.many(
                history,
                g,
                [
                    (RDF + "type", f"<{BKG_IRI}StatusHistory>"),
                    (BKG_IRI + "currentStatus", f"<{STATUS}{current_status}>"),
                    (BKG_IRI + "epistemicStatus", f"<{EPI}derived>"),
                    (BKG_IRI + "reason", en(reason)),
                ],
            )
            for n, (d, _, by) in enumerate(steps, start=1):
                step = f"{history[:-1]}/{n}>"
                w.quad(history, BKG_IRI + "change", step, g)
                w.many(
                    step,
                    g,
                    [
                        (SDO + "position", integer(n)),
                        (BKG_IRI + "toStatus", f"<{STATUS}{self.acts[by][1]}>"),
                        (BKG_IRI + "byAct", by),
                        (BKG_IRI + "dateBasis", lit("occasion")),
                        (BKG_IRI + "sortDate", lit(d, datatype=XSD + "date")),
                        (BKG_IRI + "reportedIn", w.iri(f"id/source/{self.acts[by][2]}")),
                    ],
                )

    def dataset(self, a: Country, b: Country) -> str:
        iri = self.w.iri(f"id/dataset/workers-from-{slug(a.code)}-in-{slug(b.code)}")
        key = f"dataset {iri}"
        if key not in self.names:
            self.names.add(key)
            label = f"Workers from {a.name} in {b.name}"
            self.w.many(
                iri,
                self.ref,
                [
                    (RDF + "type", f"<{QB}DataSet>"),
                    (RDF + "type", f"<{SDO}Dataset>"),
                    (RDFS + "label", en(label)),
                    (SKOS + "prefLabel", en(label)),
                    (SDO + "description", en(f"Counts of {label.lower()}, by year.")),
                    (QB + "structure", f"<{BKG_IRI}MigrantWorkerStructure>"),
                    (BKG_IRI + "epistemicStatus", f"<{EPI}reference>"),
                ],
            )
        return iri

    def write_catalogue(self) -> None:
        w = self.w
        ends = [("derived", self.derived, None), ("reference", self.ref, None)]
        for layer, g, sid in [*self.catalogue, *ends]:
            pairs = [
                (RDF + "type", f"<{BKG_IRI}Layer>"),
                (RDF + "type", f"<{PROV}Entity>"),
                (BKG_IRI + "layer", f"<{EPI}{LAYER_STATUS.get(layer, layer)}>"),
                (RDFS + "label", en(f"{layer} layer: {LAYER_WORDS[layer]}")),
            ]
            if sid:
                pairs.append((PROV + "wasDerivedFrom", w.iri(f"id/source/{sid}")))
            w.many(g, self.ref, pairs)

    def run(self) -> int:
        n_countries = max(8, min(200, self.target // 500))
        per_country = max(2, min(12, self.target // 40000))
        self.ontology()
        self.places(n_countries)
        self.bodies(per_country)
        # Each article ends with its catalogue entries (5 quads each): leave room for them.
        n = 0
        start = self.w.count
        # Stop where one more article would overshoot by more than half an average article.
        while (
            self.w.count
            + self.pending
            + 5 * (len(self.catalogue) + 2)
            + (self.w.count + self.pending - start) / max(n, 1) / 2
            < self.target
        ):
            n += 1
            self.article(n)
        self.write_histories()
        self.write_catalogue()
        return self.w.count


def generate(out: IO[str], triples: int, seed: int = 1, base: str = DEFAULT_BASE) -> int:
    """Write a synthetic graph of about ``triples`` quads to ``out``.

    Args:
        out: a text stream to write N-Quads to.
        triples: the size to reach (the result is within a few hundred quads of it).
        seed: the seed; the same seed and size give the same bytes.
        base: the base of the IRIs.

    Returns:
        The number of quads written.

    Examples:
        >>> import io
        >>> buf = io.StringIO()
        >>> generate(buf, 4000, seed=3) == buf.getvalue().count("\\n")
        True
    """
    return Generator(out, triples, seed, base).run()


def main(argv: list[str] | None = None) -> int:
    """The command line: ``--triples N --seed S --out FILE.nq``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=1_000_000, help="size (default 1M)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True, help="N-Quads file to write")
    parser.add_argument("--base", default=DEFAULT_BASE, help="base of the IRIs")
    args = parser.parse_args(argv)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(args.out.suffix + ".part")
    with open(tmp, "w", encoding="utf-8", buffering=1 << 20) as out:
        n = generate(out, args.triples, args.seed, args.base)
    tmp.replace(args.out)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    log.info("wrote %d quads to %s", n, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
