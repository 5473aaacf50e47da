"""Cross-reference checks of one sheet: ids exist, have fitting types, and concepts are known."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pycountry

from graph.build.models import (
    AGENT_TYPES,
    DOCUMENT_TYPES,
    PLACE_TYPES,
    RELATIONS,
    ActFact,
    MeetingFact,
    ObservationFact,
    Register,
    RelationFact,
    StatementFact,
    a_noun,
    check_edtf,
)
from graph.build.yamlmap import Loc, SeedProblem, dotted, line_of

__all__ = ["Checker"]


@dataclass
class Checker:
    """Cross-reference checks of one sheet: ids exist and have fitting types."""

    register: Register
    display: str
    lines: dict[Loc, int]
    problems: list[SeedProblem]
    statuses: frozenset[str] = frozenset()
    fields: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        from ontology import scheme_notations

        self.statuses = frozenset(scheme_notations("status"))
        self.fields = frozenset(scheme_notations("field"))

    def problem(self, loc: Loc, message: str) -> None:
        self.problems.append(
            SeedProblem(
                file=self.display,
                line=line_of(self.lines, loc),
                message=f"{dotted(loc)}: {message}",
            )
        )

    def entity(self, ident: str, loc: Loc, types: frozenset[str] | None, role: str) -> None:
        entity = self.register.entities.get(ident)
        if entity is None:
            self.problem(loc, f"unknown entity {ident!r}{self.register.suggest(ident)}")
        elif types is not None and entity.type not in types:
            self.problem(
                loc,
                f"{role} must be one of {', '.join(sorted(types))}; {ident!r} is a {entity.type}",
            )

    def entities(
        self, idents: Iterable[str], loc: Loc, types: frozenset[str] | None, role: str
    ) -> None:
        for j, ident in enumerate(idents):
            self.entity(ident, (*loc, j), types, role)

    def concepts(self, values: Iterable[str], loc: Loc, allowed: frozenset[str], what: str) -> None:
        for j, value in enumerate(values):
            if value not in allowed:
                close = difflib.get_close_matches(value, sorted(allowed), n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                self.problem(
                    (*loc, j),
                    f"unknown {what} {value!r}{hint} (known: {', '.join(sorted(allowed))})",
                )

    def fact_ref(self, ident: str, loc: Loc, kinds: dict[str, str], want: str) -> None:
        if ident not in kinds:
            close = difflib.get_close_matches(ident, list(kinds), n=2)
            hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
            self.problem(loc, f"no fact {ident!r} in this sheet{hint}")
        elif kinds[ident] != want:
            self.problem(loc, f"{ident!r} is {a_noun(kinds[ident])}, not a {want}")

    def check_fact(self, fact: Any, loc: Loc, kinds: dict[str, str]) -> None:
        if fact.according_to is not None:
            self.entity(
                fact.according_to,
                (*loc, "according_to"),
                AGENT_TYPES | DOCUMENT_TYPES,
                "according_to",
            )
        if isinstance(fact, MeetingFact):
            self.entities(fact.attendees, (*loc, "attendees"), AGENT_TYPES, "an attendee")
            if fact.place:
                self.entity(fact.place, (*loc, "place"), PLACE_TYPES, "place")
            self.entities(fact.about, (*loc, "about"), None, "about")
            self.concepts(fact.fields, (*loc, "fields"), self.fields, "field")
            for j, other in enumerate(fact.before):
                self.fact_ref(other, (*loc, "before", j), kinds, "meeting")
        elif isinstance(fact, ActFact):
            self.entities(fact.actors, (*loc, "actors"), AGENT_TYPES, "an actor")
            self.entities(fact.addressees, (*loc, "addressees"), AGENT_TYPES, "an addressee")
            for j, side in enumerate(fact.partners):
                self.entities(side, (*loc, "partners", j), AGENT_TYPES, "a partner")
            self.entities(fact.beneficiaries, (*loc, "beneficiaries"), None, "a beneficiary")
            self.entities(fact.concerns, (*loc, "concerns"), None, "concerns")
            self.concepts([fact.status], (*loc, "status"), self.statuses, "status")
            self.concepts(fact.fields, (*loc, "fields"), self.fields, "field")
            if fact.occasion:
                self.fact_ref(fact.occasion, (*loc, "occasion"), kinds, "meeting")
        elif isinstance(fact, StatementFact):
            self.entity(fact.speaker, (*loc, "speaker"), AGENT_TYPES | DOCUMENT_TYPES, "speaker")
            self.entities(fact.about, (*loc, "about"), None, "about")
            if fact.occasion:
                self.fact_ref(fact.occasion, (*loc, "occasion"), kinds, "meeting")
        elif isinstance(fact, RelationFact):
            self._relation(fact, loc, kinds)
        elif isinstance(fact, ObservationFact):
            self.entity(fact.dataset, (*loc, "dataset"), frozenset({"dataset"}), "dataset")
            self.entity(fact.origin, (*loc, "origin"), frozenset({"country"}), "origin")
            self.entity(
                fact.destination, (*loc, "destination"), frozenset({"country"}), "destination"
            )
            if (
                fact.currency is not None
                and pycountry.currencies.get(alpha_3=fact.currency) is None
            ):
                self.problem((*loc, "currency"), f"{fact.currency!r} is not an ISO 4217 currency")

    def _relation(self, fact: RelationFact, loc: Loc, kinds: dict[str, str]) -> None:
        spec = RELATIONS.get(fact.relation)
        if spec is None:
            close = difflib.get_close_matches(fact.relation, list(RELATIONS), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            self.problem(
                (*loc, "relation"),
                f"unknown relation {fact.relation!r}{hint} (known: {', '.join(sorted(RELATIONS))})",
            )
            return
        if "@meeting" in spec.subject:
            self.fact_ref(fact.subject, (*loc, "subject"), kinds, "meeting")
        else:
            self.entity(fact.subject, (*loc, "subject"), spec.subject, "subject")
        if spec.object is None:
            if fact.object is not None or fact.value is None:
                self.problem(loc, f"relation {fact.relation!r} takes a 'value', not an 'object'")
            elif spec.value == "edtf":
                try:
                    check_edtf(fact.value)
                except ValueError as exc:
                    self.problem((*loc, "value"), str(exc))
        elif fact.object is None or fact.value is not None:
            self.problem(loc, f"relation {fact.relation!r} takes an 'object', not a 'value'")
        else:
            self.entity(fact.object, (*loc, "object"), spec.object, "object")
