"""Turn checked fact sheets into quads: one named graph per layer, standard terms materialized.

Long for a reason: this is one builder (``_Builder``) whose methods all write into the same
layer graphs and share the register, the IRIs, the corpus study and the evidence written so
far. Each kind of fact is one method, found by its name: ``add_meeting``, ``add_act``,
``add_statement``, ``add_relation``, ``add_observation``; the register and catalogue
(``add_register``, ``add_catalogue``); what many sources derive together (``add_derived``:
histories, conflicts, series, statistics). Moving methods to other modules would scatter that
shared state without making a kind of fact easier to find.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from itertools import combinations, product
from typing import Any

import pycountry
from rdflib import OWL, RDF, RDFS, XSD, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, PROV, QB, SDO, SKOS, TIME
from rdflib.term import Node

from graph.build.conflicts import Conflict, observation_words
from graph.build.corpus import Corpus, HistoryEntry, history_reason, study
from graph.build.dates import date_parts, readable_date, typed_date
from graph.build.iris import Iris
from graph.build.isonames import ISO_CODES_SOURCE, ISO_NAME_LANGUAGES, iso_name
from graph.build.models import (
    RELATIONS,
    ActFact,
    Entity,
    MeetingFact,
    ObservationFact,
    Register,
    RelationFact,
    Sheet,
    Span,
    StatementFact,
)
from graph.build.yamlmap import SeedError, SeedProblem
from ontology import (
    BKG_IRI,
    OA,
    SDMX_CODE,
    SDMX_DIMENSION,
    SDMX_MEASURE,
    SKOSXL,
    WD,
    closure,
    ontology_graph,
)
from ontology.namespace import BKG, EPISTEMIC, FIELD, STATUS
from ontology.vocabulary import GRAPH_LAYERS

__all__ = ["ENTITY_CLASSES", "build_dataset", "materialize"]

log = logging.getLogger(__name__)

#: The classes asserted for each entity type of the register.
ENTITY_CLASSES: dict[str, tuple[URIRef, ...]] = {
    "person": (SDO.Person,),
    "organization": (ORG.Organization, SDO.Organization),
    "government-organization": (ORG.Organization, SDO.Organization, SDO.GovernmentOrganization),
    "workers-union": (ORG.Organization, SDO.Organization, SDO.WorkersUnion),
    "country": (SDO.Country, SDO.AdministrativeArea, SDO.Place),
    "province": (SDO.AdministrativeArea, SDO.Place),
    "city": (SDO.City, SDO.Place),
    "programme": (BKG.Programme,),
    "post": (ORG.Post,),
    "group": (SDO.Audience,),
    "news-article": (SDO.NewsArticle, PROV.Entity),
    "social-media-posting": (SDO.SocialMediaPosting, PROV.Entity),
    "report": (SDO.Report, PROV.Entity),
    "dataset": (QB.DataSet, SDO.Dataset),
}

ACT_CLASSES = {
    "agreement": BKG.Agreement,
    "request": BKG.Request,
    "proposal": BKG.Proposal,
    "pledge": BKG.Pledge,
    "examination": BKG.Examination,
    "endorsement": BKG.Endorsement,
}

#: Relation name -> (predicate, inverse predicate or None).
RELATION_PREDICATES: dict[str, tuple[URIRef, URIRef | None]] = {
    "holds": (ORG.holds, ORG.heldBy),
    "post-in": (ORG.postIn, ORG.hasPost),
    "country": (BKG.country, None),
    "located-in": (SDO.location, None),
    "jurisdiction": (SDO.areaServed, None),
    "contained-in": (SDO.containedInPlace, SDO.containsPlace),
    "member-of": (ORG.memberOf, ORG.hasMember),
    "sub-organization-of": (ORG.subOrganizationOf, ORG.hasSubOrganization),
    "counterpart-of": (BKG.counterpartOf, BKG.counterpartOf),
    "author": (SDO.author, None),
    "nationality": (SDO.nationality, None),
    "operated-by": (SDO.provider, None),
    "start-date": (SDO.startDate, None),
    "date-created": (SDO.dateCreated, None),
    "date": (SDO.startDate, None),
    "about-period": (SDO.temporalCoverage, None),
}
assert set(RELATION_PREDICATES) == set(RELATIONS)

SEX_CODES = {"total": SDMX_CODE["sex-T"], "female": SDMX_CODE["sex-F"], "male": SDMX_CODE["sex-M"]}


@dataclass
class _Builder:
    iris: Iris
    register: Register
    ds: Dataset
    graphs: dict[URIRef, Graph] = field(default_factory=dict)
    labels: dict[URIRef, str] = field(default_factory=dict)
    onto: Graph = field(default_factory=ontology_graph)
    corpus: Corpus = field(default_factory=Corpus)
    sheets: dict[str, Sheet] = field(default_factory=dict)

    def label(self, g: Graph, node: URIRef, text: str) -> None:
        self.labels[node] = text
        g.add((node, RDFS.label, Literal(text, lang="en")))

    # -- plumbing --------------------------------------------------------------------------

    def graph(self, layer: str, source_id: str | None = None) -> Graph:
        name = self.iris.graph(layer, source_id)
        if name not in self.graphs:
            self.graphs[name] = self.ds.graph(name)
        return self.graphs[name]

    def ent(self, ident: str) -> URIRef:
        entity = self.register.entities[ident]
        return self.iris.entity(entity.group, ident)

    def name(self, ident: str) -> str:
        return self.register.entities[ident].name

    def names(self, idents: Iterable[str]) -> str:
        items = [self.name(i) for i in idents]
        return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]

    def layer_of(self, sheet: Sheet, inferred: str | None) -> tuple[Graph, URIRef]:
        if inferred:
            return self.graph("inferred", sheet.source.id), EPISTEMIC.inferred
        return self.graph("stated", sheet.source.id), EPISTEMIC.stated

    def evidence(
        self,
        g: Graph,
        node: URIRef,
        sheet: Sheet,
        spans: list[Span],
        status: URIRef,
        reason: str | None,
        according_to: str | None,
    ) -> None:
        g.add((node, BKG.epistemicStatus, status))
        for span in spans:
            g.add(
                (node, PROV.wasDerivedFrom, self.iris.span(sheet.source.id, span.start, span.end))
            )
        if reason:
            g.add((node, BKG.reason, _prose(reason)))
        if according_to:
            other = self.register.entities[according_to]
            prop = PROV.hadPrimarySource if other.group == "document" else PROV.wasAttributedTo
            g.add((node, prop, self.ent(according_to)))

    # -- reference layer -------------------------------------------------------------------

    def add_register(self) -> None:
        g = self.graph("reference")
        by_code = {e.iso3166: e for e in self.register.entities.values() if e.iso3166}
        problems: list[SeedProblem] = []
        for entity in sorted(self.register.entities.values(), key=lambda e: e.id):
            node = self.ent(entity.id)
            for cls in ENTITY_CLASSES[entity.type]:
                g.add((node, RDF.type, cls))
            g.add((node, RDFS.label, Literal(entity.name, lang="en")))
            g.add((node, SKOS.prefLabel, Literal(entity.name, lang="en")))
            g.add((node, BKG.epistemicStatus, EPISTEMIC.reference))
            for alias in entity.aliases:
                g.add((node, SKOS.altLabel, Literal(alias, lang="en")))
            for script_name in entity.names:
                self.add_script_name(
                    g, node, script_name.name, script_name.lang, script_name.source
                )
            if entity.abbreviation:
                g.add((node, SKOS.altLabel, Literal(entity.abbreviation, lang="en")))
                g.add((node, SDO.alternateName, Literal(entity.abbreviation)))
            if entity.description:
                g.add((node, SDO.description, Literal(entity.description, lang="en")))
            if entity.wikidata:
                g.add((node, SDO.sameAs, WD[entity.wikidata]))
            if entity.type == "dataset":
                g.add((node, QB.structure, BKG.MigrantWorkerStructure))
            if entity.iso3166:
                problem = self.add_iso3166(g, node, entity, by_code)
                if problem:
                    where = self.register.lines.get(entity.id, ("register", None))
                    problems.append(SeedProblem(file=where[0], line=where[1], message=problem))
        if problems:
            raise SeedError(problems)

    def add_script_name(self, g: Graph, node: URIRef, text: str, lang: str, source: str) -> None:
        """A name in its own script as ``skos:altLabel`` (rdfs:label stays the one display name
        every reader takes), and as a SKOS-XL label that says where the name was verified."""
        literal = Literal(text, lang=lang)
        if (node, SKOS.altLabel, literal) in g:
            return
        g.add((node, SKOS.altLabel, literal))
        label = URIRef(f"{node}#name-{lang}-{len(list(g.objects(node, SKOSXL.altLabel))) + 1}")
        g.add((node, SKOSXL.altLabel, label))
        g.add((label, RDF.type, SKOSXL.Label))
        g.add((label, SKOSXL.literalForm, literal))
        g.add((label, DCTERMS.source, URIRef(source)))

    def add_iso3166(
        self, g: Graph, node: URIRef, entity: Entity, by_code: dict[str, Entity]
    ) -> str | None:
        code = entity.iso3166
        assert code is not None
        g.add((node, BKG.iso3166Code, Literal(code)))
        if entity.type == "country":
            country = pycountry.countries.get(alpha_2=code)
            if country is None:
                return f"entity {entity.id!r}: {code!r} is not an ISO 3166-1 country code"
            for label in {country.name, getattr(country, "official_name", country.name)}:
                if label != entity.name:
                    g.add((node, SKOS.altLabel, Literal(label, lang="en")))
            self.add_iso_names(g, node, "iso3166-1", country.name)
            return None
        sub = pycountry.subdivisions.get(code=code)  # type: ignore[no-untyped-call]
        if sub is None:
            return f"entity {entity.id!r}: {code!r} is not an ISO 3166-2 subdivision code"
        self.add_iso_names(g, node, "iso3166-2", sub.name)
        parent = by_code.get(sub.country_code)
        if parent is not None:
            g.add((node, SDO.containedInPlace, self.ent(parent.id)))
            g.add((self.ent(parent.id), SDO.containsPlace, node))
        return None

    def add_iso_names(self, g: Graph, node: URIRef, domain: str, name: str) -> None:
        """The place's name in each of ``ISO_NAME_LANGUAGES`` from the iso-codes translations
        that pycountry ships; index forms ("Korea, Republic of") and untranslated names are
        left out."""
        for lang in ISO_NAME_LANGUAGES:
            text = iso_name(domain, name, lang)
            if text is not None:
                self.add_script_name(g, node, text, lang, ISO_CODES_SOURCE)

    def add_catalogue(self) -> None:
        g = self.graph("reference")
        for name in sorted(self.graphs):
            layer = str(name)[len(self.iris.base) + len("graph/") :].split("/")[0]
            epistemic, what = GRAPH_LAYERS[layer]
            g.add((name, RDF.type, BKG.Layer))
            g.add((name, BKG.layer, EPISTEMIC[epistemic]))
            g.add((name, RDFS.label, Literal(f"{layer} layer: {what}", lang="en")))
            source_id = str(name).rsplit("/", 1)[1] if layer in ("stated", "inferred") else None
            if source_id:
                g.add((name, PROV.wasDerivedFrom, self.iris.source(source_id)))
        g.add(
            (
                self.iris.graph("reference"),
                DCTERMS.source,
                Literal(f"pycountry {pycountry.__version__} (ISO 3166)")
                if hasattr(pycountry, "__version__")
                else Literal("pycountry (ISO 3166)"),
            )
        )

    # -- a source --------------------------------------------------------------------------

    def add_sheet(self, sheet: Sheet) -> None:
        sid = sheet.source.id
        g = self.graph("stated", sid)
        src = self.iris.source(sid)
        info = sheet.source
        for cls in ENTITY_CLASSES[info.type]:
            g.add((src, RDF.type, cls))
        g.add((src, RDFS.label, Literal(info.label, lang="en")))
        if info.title:
            g.add((src, SDO.headline, Literal(info.title, lang=info.language)))
        g.add((src, SDO.text, Literal(sheet.text, lang=info.language)))
        g.add((src, SDO.inLanguage, Literal(info.language)))
        if info.publisher:
            g.add((src, SDO.publisher, self.ent(info.publisher)))
        if info.url:
            g.add((src, SDO.url, URIRef(info.url)))
        if info.published:
            g.add((src, BKG.edtfDate, Literal(info.published)))
            typed = typed_date(info.published)
            if typed is not None:
                g.add((src, SDO.datePublished, typed))
        if info.note:
            g.add((src, RDFS.comment, Literal(info.note, lang="en")))

        spans = {s for located in sheet.spans.values() for s in located}
        spans |= {s for located in sheet.mention_spans for s in located}
        for span in sorted(spans, key=lambda s: (s.start, s.end)):
            self.add_span(g, sheet, span)
        for mention, located in zip(sheet.mentions, sheet.mention_spans, strict=True):
            mg, status = self.layer_of(sheet, mention.inferred)
            for span in located:
                node = self.iris.mention(sid, span.start, span.end)
                mg.add((node, RDF.type, OA.Annotation))
                mg.add((node, OA.motivatedBy, OA.identifying))
                mg.add((node, OA.hasTarget, self.iris.span(sid, span.start, span.end)))
                mg.add((node, OA.hasBody, self.ent(mention.entity)))
                mg.add(
                    (
                        node,
                        RDFS.label,
                        Literal(f"“{span.exact}” refers to {self.name(mention.entity)}", lang="en"),
                    )
                )
                self.evidence(mg, node, sheet, [span], status, mention.inferred, None)

        handlers = {
            MeetingFact: self.add_meeting,
            ActFact: self.add_act,
            StatementFact: self.add_statement,
            RelationFact: self.add_relation,
            ObservationFact: self.add_observation,
        }
        # Nodes first, then the relations that may name them (a meeting's inferred date).
        for fact in sorted(sheet.facts, key=lambda f: isinstance(f, RelationFact)):
            handler: Any = handlers[type(fact)]
            handler(sheet, fact)
        self.add_reliance(sheet)

    def add_reliance(self, sheet: Sheet) -> None:
        """Mark stated facts that name an entity the source identifies only by inference.

        "The labour ministry" is stated; that it is the Ministry of Labour and Vocational
        Training is inferred. Facts naming MLVT stay stated, and point with ``bkg:reliesOn``
        to the inferred identification, so a strictly stated query can leave them out.
        """
        stated, inferred = (
            self.graph("stated", sheet.source.id),
            self.graph("inferred", sheet.source.id),
        )
        by_entity: dict[str, list[tuple[bool, int, URIRef]]] = defaultdict(list)
        for mention, located in zip(sheet.mentions, sheet.mention_spans, strict=True):
            for span in located:
                node = self.iris.mention(sheet.source.id, span.start, span.end)
                by_entity[mention.entity].append((bool(mention.inferred), span.start, node))
        for ident, mentions in sorted(by_entity.items()):
            if not all(is_inferred for is_inferred, _, _ in mentions):
                continue
            first = min(mentions, key=lambda m: m[1])[2]
            entity = self.ent(ident)
            for graph in (stated, inferred):
                for fact in set(graph.subjects(None, entity)):
                    if (fact, BKG.epistemicStatus, None) in graph and (
                        fact,
                        RDF.type,
                        OA.Annotation,
                    ) not in graph:
                        graph.add((fact, BKG.reliesOn, first))

    def add_span(self, g: Graph, sheet: Sheet, span: Span) -> None:
        node = self.iris.span(sheet.source.id, span.start, span.end)
        quote, position = URIRef(f"{node}/quote"), URIRef(f"{node}/position")
        g.add((node, RDF.type, OA.SpecificResource))
        g.add((node, OA.hasSource, self.iris.source(sheet.source.id)))
        g.add((node, OA.hasSelector, quote))
        g.add((node, OA.hasSelector, position))
        g.add((quote, RDF.type, OA.TextQuoteSelector))
        g.add((quote, OA.exact, Literal(span.exact)))
        g.add((quote, OA.prefix, Literal(sheet.text[max(0, span.start - 32) : span.start])))
        g.add((quote, OA.suffix, Literal(sheet.text[span.end : span.end + 32])))
        g.add((position, RDF.type, OA.TextPositionSelector))
        g.add((position, OA.start, Literal(span.start, datatype=XSD.integer)))
        g.add((position, OA.end, Literal(span.end, datatype=XSD.integer)))

    def add_date(self, g: Graph, node: URIRef, value: str, predicate: URIRef) -> None:
        """A fact's date as written (EDTF), and under ``predicate`` as a typed date where it is
        one and unqualified (no ``?`` or ``~``)."""
        g.add((node, BKG.edtfDate, Literal(value)))
        parts, typed = date_parts(value), typed_date(value)
        if typed is not None and parts is not None and not parts.qualified:
            g.add((node, predicate, typed))

    def add_time(self, g: Graph, node: URIRef, value: str, with_year: bool) -> None:
        """OWL-Time description of a meeting's day; the year only where the layer knows it."""
        parts = date_parts(value)
        if parts is None:
            return
        instant, desc = URIRef(f"{node}/time"), URIRef(f"{node}/time/description")
        g.add((node, TIME.hasTime, instant))
        g.add((instant, RDF.type, TIME.Instant))
        g.add((instant, TIME.inDateTime, desc))
        g.add((desc, RDF.type, TIME.DateTimeDescription))
        g.add((desc, TIME.unitType, TIME.unitDay if parts.day else TIME.unitMonth))
        if parts.month is not None:
            g.add((desc, TIME.month, Literal(f"--{parts.month:02d}", datatype=XSD.gMonth)))
        if parts.day is not None:
            g.add((desc, TIME.day, Literal(f"---{parts.day:02d}", datatype=XSD.gDay)))
        if with_year and parts.year is not None:
            g.add((desc, TIME.year, Literal(f"{parts.year:04d}", datatype=XSD.gYear)))

    def add_meeting(self, sheet: Sheet, fact: MeetingFact) -> None:
        g, status = self.layer_of(sheet, fact.inferred)
        node = self.iris.entity("meeting", fact.id)
        g.add((node, RDF.type, BKG.Meeting))
        when = f", {readable_date(fact.date)}" if fact.date else ""
        self.label(g, node, f"Meeting of {self.names(fact.attendees)}{when}")
        for person in fact.attendees:
            g.add((node, SDO.attendee, self.ent(person)))
        if fact.place:
            g.add((node, SDO.location, self.ent(fact.place)))
        for thing in fact.about:
            g.add((node, SDO.about, self.ent(thing)))
        for slug in fact.fields:
            g.add((node, BKG.field, FIELD[slug]))
        if fact.summary:
            g.add((node, BKG.summary, _prose(fact.summary)))
        if fact.date:
            self.add_date(g, node, fact.date, SDO.startDate)
            self.add_time(g, node, fact.date, with_year=True)
        for other in fact.before:
            g.add(
                (
                    URIRef(f"{node}/time"),
                    TIME.before,
                    URIRef(f"{self.iris.entity('meeting', other)}/time"),
                )
            )
            g.add((URIRef(f"{self.iris.entity('meeting', other)}/time"), RDF.type, TIME.Instant))
        for other in fact.follows:
            g.add((node, BKG.follows, self.iris.entity("act", other)))
        self.add_anchored(sheet, fact.id, node, SDO.startDate)
        self.evidence(
            g, node, sheet, sheet.spans[fact.id], status, fact.inferred, fact.according_to
        )

    def add_anchored(self, sheet: Sheet, fact_id: str, node: URIRef, predicate: URIRef) -> None:
        """The year of a yearless date, from the publication date: inferred, with the reason."""
        found = self.corpus.anchored.get((sheet.source.id, fact_id))
        if found is None:
            return
        full, reason = found
        g = self.graph("inferred", sheet.source.id)
        typed = typed_date(full)
        assert typed is not None
        g.add((node, predicate, typed))
        if predicate == SDO.startDate:
            self.add_time(g, node, full, with_year=True)
        assertion = self.iris.assertion(sheet.source.id, f"{fact_id}-year-from-publication")
        g.add((assertion, RDF.type, BKG.Assertion))
        g.add((assertion, RDF.subject, node))
        g.add((assertion, RDF.predicate, predicate))
        g.add((assertion, RDF.object, typed))
        g.add((assertion, BKG.edtfDate, Literal(full)))
        label = f"{self.labels.get(node, fact_id)} — date — {readable_date(full)}"
        g.add((assertion, RDFS.label, Literal(label, lang="en")))
        self.evidence(g, assertion, sheet, sheet.spans[fact_id], EPISTEMIC.inferred, reason, None)

    def add_act(self, sheet: Sheet, fact: ActFact) -> None:
        g, status = self.layer_of(sheet, fact.inferred)
        node = self.iris.entity("act", fact.id)
        summary = " ".join(fact.summary.split())
        g.add((node, RDF.type, ACT_CLASSES[fact.kind]))
        self.label(g, node, f"{fact.kind.capitalize()} by {self.names(fact.actors)}: {summary}")
        g.add((node, BKG.summary, Literal(summary, lang="en")))
        g.add((node, BKG.status, STATUS[fact.status]))
        for prop, idents in (
            (BKG.actor, fact.actors),
            (BKG.addressee, fact.addressees),
            (BKG.partner, [p for side in fact.partners for p in side]),
            (BKG.beneficiary, fact.beneficiaries),
            (BKG.concerns, fact.concerns),
        ):
            for ident in idents:
                g.add((node, prop, self.ent(ident)))
        for slug in fact.fields:
            g.add((node, BKG.field, FIELD[slug]))
        if fact.occasion:
            g.add((node, BKG.occasion, self.iris.entity("meeting", fact.occasion)))
        if fact.motive:
            g.add((node, BKG.motive, _prose(fact.motive)))
        if fact.date:
            self.add_date(g, node, fact.date, DCTERMS.date)
        for other in fact.follows:
            g.add((node, BKG.follows, self.iris.entity("act", other)))
        self.add_anchored(sheet, fact.id, node, DCTERMS.date)
        self.evidence(
            g, node, sheet, sheet.spans[fact.id], status, fact.inferred, fact.according_to
        )

    def add_statement(self, sheet: Sheet, fact: StatementFact) -> None:
        g, status = self.layer_of(sheet, fact.inferred)
        node = self.iris.entity("statement", fact.id)
        words = " ".join((fact.text or " ".join(s.exact for s in sheet.spans[fact.id])).split())
        g.add((node, RDF.type, BKG.Quotation if fact.form == "quotation" else BKG.Paraphrase))
        short = words if len(words) <= 80 else words[:77].rstrip() + "…"
        label = f"{fact.form.capitalize()} of {self.name(fact.speaker)}: “{short}”"
        g.add((node, RDFS.label, Literal(label, lang="en")))
        g.add((node, SDO.text, Literal(words, lang=sheet.source.language)))
        g.add((node, BKG.speaker, self.ent(fact.speaker)))
        for thing in fact.about:
            g.add((node, SDO.about, self.ent(thing)))
        if fact.occasion:
            g.add((node, BKG.occasion, self.iris.entity("meeting", fact.occasion)))
        if fact.period:
            g.add((node, SDO.temporalCoverage, typed_date(fact.period) or Literal(fact.period)))
        self.evidence(
            g, node, sheet, sheet.spans[fact.id], status, fact.inferred, fact.according_to
        )

    def add_relation(self, sheet: Sheet, fact: RelationFact) -> None:
        g, status = self.layer_of(sheet, fact.inferred)
        predicate, inverse = RELATION_PREDICATES[fact.relation]
        spec = RELATIONS[fact.relation]
        if "@meeting" in spec.subject:
            subject = self.iris.entity("meeting", fact.subject)
            subject_name = self.labels.get(subject, fact.subject)
        else:
            subject, subject_name = self.ent(fact.subject), self.name(fact.subject)
        node = self.iris.assertion(sheet.source.id, fact.id)
        obj: Node
        if fact.object is not None:
            obj, object_name = self.ent(fact.object), self.name(fact.object)
            g.add((subject, predicate, obj))
            if inverse is not None:
                g.add((obj, inverse, subject))
        else:
            assert fact.value is not None
            object_name = readable_date(fact.value) if spec.value == "edtf" else fact.value
            typed = typed_date(fact.value) if spec.value == "edtf" else None
            if typed is not None:
                obj = typed
                g.add((subject, predicate, obj))
            else:
                # A date with an unknown year is no xsd date: it stays an EDTF string, on the
                # thing itself, and never under a typed property such as schema:dateCreated.
                obj = Literal(fact.value)
                g.add((subject, BKG.edtfDate if spec.value == "edtf" else predicate, obj))
            if spec.value == "edtf":
                g.add((node, BKG.edtfDate, Literal(fact.value)))
                if fact.relation == "date":
                    if typed is not None:
                        g.add((subject, BKG.edtfDate, Literal(fact.value)))
                    self.add_time(g, subject, fact.value, with_year=True)
        g.add((node, RDF.type, BKG.Assertion))
        g.add((node, RDF.subject, subject))
        g.add((node, RDF.predicate, predicate))
        g.add((node, RDF.object, obj))
        label = f"{subject_name} — {fact.relation.replace('-', ' ')} — {object_name}"
        g.add((node, RDFS.label, Literal(label, lang="en")))
        self.evidence(
            g, node, sheet, sheet.spans[fact.id], status, fact.inferred, fact.according_to
        )

    def add_observation(self, sheet: Sheet, fact: ObservationFact) -> None:
        g, status = self.layer_of(sheet, fact.inferred)
        node = self.iris.entity("observation", fact.id)
        exact = fact.value is not None and fact.qualifier == "exact"
        self.observation_triples(
            g,
            node,
            self.ent(fact.dataset),
            fact.period,
            fact.origin,
            fact.destination,
            fact.population,
            fact.sex,
            Literal(fact.value, datatype=XSD.integer) if exact else None,
            fact.currency or fact.unit,
            words=observation_words(fact),
        )
        # A bound or a range is kept as the source gives it, never as one exact number.
        if fact.range is not None:
            g.add((node, SDO.minValue, Literal(fact.range[0], datatype=XSD.integer)))
            g.add((node, SDO.maxValue, Literal(fact.range[1], datatype=XSD.integer)))
            g.add((node, BKG.valueQualifier, Literal("range")))
        elif not exact:
            bound = Literal(fact.value, datatype=XSD.integer)
            prop = {
                "more-than": SDO.minValue,
                "at-least": SDO.minValue,
                "fewer-than": SDO.maxValue,
                "at-most": SDO.maxValue,
                "about": BKG.approximateValue,
            }[fact.qualifier]
            g.add((node, prop, bound))
            g.add((node, BKG.valueQualifier, Literal(fact.qualifier)))
        if fact.currency:
            g.add((node, SDO.currency, Literal(fact.currency)))
        if fact.per:
            g.add((node, BKG.per, Literal(fact.per)))
        if fact.as_written:
            g.add((node, BKG.asWritten, Literal(fact.as_written, lang=sheet.source.language)))
        self.evidence(
            g, node, sheet, sheet.spans[fact.id], status, fact.inferred, fact.according_to
        )

    def observation_triples(
        self,
        g: Graph,
        node: URIRef,
        dataset: URIRef,
        period: str,
        origin: str,
        destination: str,
        population: str,
        sex: str,
        value: Literal | None,
        unit: str,
        words: str | None = None,
    ) -> None:
        g.add((node, RDF.type, QB.Observation))
        g.add((node, QB.dataSet, dataset))
        period_value = typed_date(period) or Literal(period)
        g.add((node, SDMX_DIMENSION.refPeriod, period_value))
        g.add((node, BKG.originCountry, self.ent(origin)))
        g.add((node, BKG.destinationCountry, self.ent(destination)))
        g.add((node, BKG.population, Literal(population, lang="en")))
        g.add((node, SDMX_DIMENSION.sex, SEX_CODES[sex]))
        if value is not None:
            g.add((node, SDMX_MEASURE.obsValue, value))
        g.add((node, BKG.unit, Literal(unit)))
        if words is not None:
            shown = words
        else:
            assert value is not None
            shown = f"{int(value.toPython()):,}" if unit == "persons" else f"{value} {unit}"
        g.add(
            (
                node,
                RDFS.label,
                Literal(f"{population}, {readable_date(period)}, {sex}: {shown}", lang="en"),
            )
        )

    # -- derived layer ---------------------------------------------------------------------

    def add_derived(self, sheets: list[Sheet]) -> None:
        g = self.graph("derived")
        for sheet in sheets:
            for fact in sheet.facts:
                if isinstance(fact, MeetingFact):
                    node = self.iris.entity("meeting", fact.id)
                    for a, b in combinations(sorted(set(fact.attendees)), 2):
                        if (
                            self.register.entities[a].type
                            == "person"
                            == self.register.entities[b].type
                        ):
                            self.link(
                                g,
                                BKG.metWith,
                                a,
                                b,
                                node,
                                symmetric=True,
                                why=f"Both attended: {self.labels[node]}.",
                            )
                elif isinstance(fact, ActFact):
                    node = self.iris.entity("act", fact.id)
                    if fact.kind == "agreement":
                        for a, b in combinations(sorted(set(fact.actors)), 2):
                            self.link(
                                g,
                                BKG.agreedWith,
                                a,
                                b,
                                node,
                                symmetric=True,
                                why=f"Both are parties of: {self.labels[node]}.",
                            )
                    # Named by what they derive from: a proposal offers, a request asks.
                    if fact.kind in ("request", "proposal"):
                        shortcut = (
                            BKG.requestedCooperationWith
                            if fact.kind == "request"
                            else BKG.proposedCooperationWith
                        )
                        for a, b in product(fact.actors, fact.addressees):
                            self.link(
                                g,
                                shortcut,
                                a,
                                b,
                                node,
                                symmetric=False,
                                why=f"Actor and addressee of: {self.labels[node]}.",
                            )
                    for side_a, side_b in combinations(fact.partners, 2):
                        for a, b in product(side_a, side_b):
                            first, second = sorted((a, b))
                            self.link(
                                g,
                                BKG.namedAsPartnerWith,
                                first,
                                second,
                                node,
                                symmetric=True,
                                why=f"Named as partners on opposite sides of: "
                                f"{self.labels[node]}. Neither is said to have asked.",
                            )
        self.derive_statistics(g, sheets)
        self.add_corpus(g, sheets)

    def add_corpus(self, g: Graph, sheets: list[Sheet]) -> None:
        """What the sources say together: reports, dates, status histories, conflicts, series."""
        corpus = self.corpus
        names = {s.source.id: _source_name(self.register, s) for s in sheets}
        for (group, ident), sources in sorted(corpus.reports.items()):
            node = self.iris.entity(group, ident)
            g.add((node, BKG.reportCount, Literal(len(sources), datatype=XSD.integer)))
            for sid in sources:
                g.add((node, BKG.reportedIn, self.iris.source(sid)))
        for (group, ident), countries in sorted(corpus.countries.items()):
            node = self.iris.entity(group, ident)
            for country in sorted(countries):
                # Country -> node: no edge leads from a meeting to a place it was not said to
                # be held in.
                g.add((self.ent(country), BKG.takesPartIn, node))
        for (group, ident), when in sorted(corpus.node_dates.items()):
            node = self.iris.entity(group, ident)
            g.add((node, BKG.dateBasis, Literal(when.basis)))
            if when.lo is not None and when.hi is not None:
                g.add((node, BKG.sortDate, Literal(when.lo.isoformat(), datatype=XSD.date)))
                g.add((node, BKG.sortDateEnd, Literal(when.hi.isoformat(), datatype=XSD.date)))
            if when.edtf:
                g.add((node, BKG.timelineDate, Literal(when.edtf)))
        for act_id, entries in sorted(corpus.histories.items()):
            self.add_history(g, act_id, entries, names)
        for conflict in corpus.conflicts:
            self.add_conflict(g, conflict, names)
        for key, members in sorted(corpus.series.items()):
            self.add_series(g, key, members, names)

    def add_history(
        self, g: Graph, act_id: str, entries: list[HistoryEntry], names: dict[str, str]
    ) -> None:
        act = self.iris.entity("act", act_id)
        history = URIRef(f"{act}/status-history")
        current = entries[-1]
        g.add((act, BKG.currentStatus, STATUS[current.status]))
        g.add((act, BKG.statusHistory, history))
        g.add((history, RDF.type, BKG.StatusHistory))
        g.add((history, BKG.currentStatus, STATUS[current.status]))
        g.add((history, RDFS.label, Literal(f"Status history of {act_id}", lang="en")))
        reason = history_reason(entries, names)
        if len(entries) == 1:
            reason += "; no later act follows it"
        self.derived(g, history, [self.iris.entity("act", e.act) for e in entries], reason)
        for n, entry in enumerate(entries, start=1):
            step = URIRef(f"{history}/{n}")
            g.add((history, BKG.change, step))
            g.add((step, RDF.type, BKG.StatusChange))
            g.add((step, SDO.position, Literal(n, datatype=XSD.integer)))
            g.add((step, BKG.toStatus, STATUS[entry.status]))
            g.add((step, BKG.byAct, self.iris.entity("act", entry.act)))
            g.add((step, BKG.dateBasis, Literal(entry.when.basis)))
            if entry.when.edtf:
                g.add((step, BKG.edtfDate, Literal(entry.when.edtf)))
            if entry.when.lo is not None:
                g.add((step, BKG.sortDate, Literal(entry.when.lo.isoformat(), datatype=XSD.date)))
            for sid in entry.sources:
                g.add((step, BKG.reportedIn, self.iris.source(sid)))

    def add_conflict(self, g: Graph, conflict: Conflict, names: dict[str, str]) -> None:
        about = (
            self.iris.entity(*conflict.about)
            if conflict.about[0] in ("meeting", "act", "observation")
            else self.ent(conflict.about[1])
        )
        node = self.iris.link(
            f"conflict/{conflict.kind}", str(about), *(c.source for c in conflict.claims)
        )
        node = URIRef(str(node).replace("/id/link/conflict/", "/id/conflict/"))
        g.add((node, RDF.type, BKG.Conflict))
        g.add((node, BKG.conflictKind, Literal(conflict.kind)))
        g.add((node, BKG.conflictAbout, about))
        g.add((node, RDFS.label, Literal(f"Sources differ on {conflict.what}", lang="en")))
        sides = "; ".join(f"{names[c.source]}: {c.value}" for c in conflict.claims)
        inputs: list[URIRef] = []
        for n, claim in enumerate(conflict.claims, start=1):
            side = URIRef(f"{node}/claim/{n}")
            g.add((node, BKG.claim, side))
            g.add((side, RDF.type, BKG.Claim))
            g.add((side, BKG.claimValue, Literal(claim.value)))
            g.add((side, BKG.reportedIn, self.iris.source(claim.source)))
            g.add((side, RDFS.label, Literal(f"{names[claim.source]}: {claim.value}", lang="en")))
            if claim.object is not None:
                g.add((side, BKG.claimObject, self.ent(claim.object[1])))
            sheet = self.sheets[claim.source]
            for fact_id in claim.facts:
                fact = next(f for f in sheet.facts if f.id == fact_id)
                target = (
                    self.iris.assertion(claim.source, fact_id)
                    if isinstance(fact, RelationFact)
                    else self.iris.entity(
                        "meeting"
                        if isinstance(fact, MeetingFact)
                        else ("observation" if isinstance(fact, ObservationFact) else "act"),
                        fact_id,
                    )
                )
                g.add((side, BKG.claimFact, target))
                inputs.append(target)
                for span in sheet.spans.get(fact_id, []):
                    g.add(
                        (
                            side,
                            PROV.wasDerivedFrom,
                            self.iris.span(claim.source, span.start, span.end),
                        )
                    )
            inputs.append(self.iris.source(claim.source))
        self.derived(
            g,
            node,
            sorted(set(inputs)),
            f"Sources differ on {conflict.what}: {sides}. Each stands with its source; none "
            "is chosen.",
        )

    def add_series(
        self, g: Graph, key: tuple[str, ...], members: list[tuple[str, str]], names: dict[str, str]
    ) -> None:
        origin, destination, population, sex, unit, currency, per = key
        node = self.iris.link("series", *key)
        node = URIRef(str(node).replace("/id/link/series/", "/id/series/"))
        g.add((node, RDF.type, BKG.Series))
        measure = currency or unit
        label = (
            f"{population} ({sex}, {measure}{' a ' + per if per else ''}): "
            f"{self.name(origin)} → {self.name(destination)}"
        )
        g.add((node, RDFS.label, Literal(label, lang="en")))
        g.add((node, BKG.originCountry, self.ent(origin)))
        g.add((node, BKG.destinationCountry, self.ent(destination)))
        g.add((node, BKG.population, Literal(population, lang="en")))
        g.add((node, SDMX_DIMENSION.sex, SEX_CODES[sex]))
        g.add((node, BKG.unit, Literal(measure)))
        obs = []
        for n, (_, fact_id) in enumerate(members, start=1):
            o = self.iris.entity("observation", fact_id)
            obs.append(o)
            g.add((node, BKG.seriesMember, o))
            g.add((o, BKG.inSeries, node))
            g.add((o, BKG.seriesPosition, Literal(n, datatype=XSD.integer)))
        sources = sorted({names[sid] for sid, _ in members})
        self.derived(
            g,
            node,
            obs,
            f"{len(members)} observation(s) of the same measure from {len(sources)} source(s) "
            f"({', '.join(sources)}), ordered by period.",
        )

    def link(
        self, g: Graph, predicate: URIRef, a: str, b: str, via: URIRef, *, symmetric: bool, why: str
    ) -> None:
        s, o = self.ent(a), self.ent(b)
        g.add((s, predicate, o))
        if symmetric:
            g.add((o, predicate, s))
        local = str(predicate)[len(BKG_IRI) :]
        node = self.iris.link(local, str(s), str(predicate), str(o), str(via))
        g.add((node, RDF.type, BKG.DerivedLink))
        g.add((node, RDF.subject, s))
        g.add((node, RDF.predicate, predicate))
        g.add((node, RDF.object, o))
        g.add((node, PROV.wasDerivedFrom, via))
        g.add((node, BKG.epistemicStatus, EPISTEMIC.derived))
        g.add((node, BKG.reason, Literal(why, lang="en")))
        words = self.onto.value(predicate, RDFS.label) or local
        g.add((node, RDFS.label, Literal(f"{self.name(a)} — {words} — {self.name(b)}", lang="en")))

    def derive_statistics(self, g: Graph, sheets: list[Sheet]) -> None:
        """Men from total minus women, and the women's share, where a source gives both."""
        groups: dict[tuple[str, str, str, str, str, str, str], dict[str, ObservationFact]]
        groups = defaultdict(dict)
        for sheet in sheets:
            for fact in sheet.facts:
                if (
                    isinstance(fact, ObservationFact)
                    and not fact.inferred
                    and fact.value is not None
                    and fact.qualifier == "exact"
                    and fact.unit == "persons"
                ):
                    key = (
                        sheet.source.id,
                        fact.dataset,
                        fact.period,
                        fact.origin,
                        fact.destination,
                        fact.population,
                        str(fact.unit),
                    )
                    groups[key][fact.sex] = fact
        for key, by_sex in sorted(groups.items()):
            total, female = by_sex.get("total"), by_sex.get("female")
            if total is None or female is None or not total.value or female.value is None:
                continue
            _, dataset, period, origin, destination, population, unit = key
            t_node = self.iris.entity("observation", total.id)
            f_node = self.iris.entity("observation", female.id)
            if "male" not in by_sex:
                male = int(total.value) - int(female.value)
                node = self.iris.entity("observation", f"{total.id}-men-derived")
                self.observation_triples(
                    g,
                    node,
                    self.ent(dataset),
                    period,
                    origin,
                    destination,
                    population,
                    "male",
                    Literal(male, datatype=XSD.integer),
                    unit,
                )
                self.derived(
                    g,
                    node,
                    [t_node, f_node],
                    f"{male:,} = {total.value:,} (total) − {female.value:,} (women)",
                )
            share = (Decimal(female.value) * 100 / Decimal(total.value)).quantize(
                Decimal("0.1"), rounding=ROUND_HALF_UP
            )
            node = self.iris.entity("observation", f"{female.id}-share-derived")
            # Shares sit in a dataset of their own: beside the counts, an observation with the
            # same dimension values would break the Data Cube's one-observation-per-key rule.
            shares = self.iris.entity("dataset", f"{dataset}-share-of-total")
            g.add((shares, RDF.type, QB.DataSet))
            g.add((shares, RDF.type, SDO.Dataset))
            g.add((shares, QB.structure, BKG.MigrantWorkerStructure))
            label = f"{self.name(dataset)}: shares of the total (derived)"
            g.add((shares, RDFS.label, Literal(label, lang="en")))
            self.derived(g, shares, [self.ent(dataset)], "Shares computed from the counts.")
            self.observation_triples(
                g,
                node,
                shares,
                period,
                origin,
                destination,
                population,
                "female",
                Literal(share, datatype=XSD.decimal),
                "percent of total",
            )
            self.derived(
                g,
                node,
                [t_node, f_node],
                f"{share}% = {female.value:,} (women) / {total.value:,} (total)",
            )

    def derived(self, g: Graph, node: URIRef, inputs: list[URIRef], why: str) -> None:
        g.add((node, BKG.epistemicStatus, EPISTEMIC.derived))
        g.add((node, BKG.reason, Literal(why, lang="en")))
        for source in inputs:
            g.add((node, PROV.wasDerivedFrom, source))


def _prose(text: str) -> Literal:
    """Prose from a sheet as an English literal, its lines and spaces made single spaces."""
    return Literal(" ".join(text.split()), lang="en")


def _source_name(register: Register, sheet: Sheet) -> str:
    """A short name of a source for reasons: its publisher (else its label) and its date."""
    name = sheet.source.label
    if sheet.source.publisher and sheet.source.publisher in register.entities:
        name = register.entities[sheet.source.publisher].name
    return f"{name}, {sheet.source.published}" if sheet.source.published else name


def materialize(g: Graph, onto: Graph) -> None:
    """Assert the super classes and super properties of our own terms, in the same graph.

    A plain SPARQL query with a standard term (``schema:Event``, ``schema:agent``) then finds
    every instance without a reasoner.

    Examples:
        >>> from ontology import ontology_graph
        >>> g = Graph()
        >>> m = URIRef("https://kg.example/id/meeting/m1")
        >>> _ = g.add((m, RDF.type, BKG.Meeting))
        >>> materialize(g, ontology_graph())
        >>> (m, RDF.type, SDO.Event) in g
        True
    """
    classes = closure(onto, RDFS.subClassOf)
    properties = closure(onto, RDFS.subPropertyOf)
    symmetric = set(onto.subjects(RDF.type, OWL.SymmetricProperty))
    for s, p, o in list(g):
        if p == RDF.type and o in classes:
            for sup in classes[o]:  # type: ignore[index]
                g.add((s, RDF.type, sup))
        elif p in properties:
            for sup in properties[p]:  # type: ignore[index]
                g.add((s, sup, o))
        if p in symmetric and isinstance(o, URIRef):
            g.add((o, p, s))


def build_dataset(register: Register, sheets: list[Sheet], iris: Iris) -> Dataset:
    """Build the whole dataset from the register and the checked sheets.

    Args:
        register: the entity register.
        sheets: the checked fact sheets.
        iris: the IRI scheme (its base is a setting).

    Returns:
        An rdflib Dataset with one named graph per layer: ``stated`` and ``inferred`` per
        source, ``derived``, ``reference`` and ``ontology``. The default graph is empty.

    Raises:
        SeedError: when reference data does not check out (an unknown ISO 3166 code).
    """
    ds = Dataset()
    builder = _Builder(
        iris=iris,
        register=register,
        ds=ds,
        corpus=study(register, sheets),
        sheets={s.source.id: s for s in sheets},
    )
    builder.add_register()
    for sheet in sheets:
        builder.add_sheet(sheet)
    builder.add_derived(sheets)
    onto = builder.onto
    og = builder.graph("ontology")
    for triple in onto:
        og.add(triple)
    builder.add_catalogue()
    for name, g in builder.graphs.items():
        if name != iris.graph("ontology"):
            materialize(g, onto)
    log.info(
        "built %d quads in %d graphs",
        sum(len(g) for g in builder.graphs.values()),
        len(builder.graphs),
    )
    return ds


def iter_quads(ds: Dataset) -> Iterator[tuple[Any, Any, Any, Any]]:
    """Every quad of the dataset's named graphs."""
    for s, p, o, c in ds.quads((None, None, None, None)):
        if c is not None and c != ds.default_graph.identifier:
            yield s, p, o, c
