"""The sheet format as pydantic models, its entity types and relations, and checked results."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from edtf import parse_edtf
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from graph.build.review import Pending
from graph.build.yamlmap import SeedProblem

__all__ = [
    "ACT_KINDS",
    "AGENT_TYPES",
    "DOCUMENT_TYPES",
    "ENTITY_TYPES",
    "ORG_TYPES",
    "PLACE_TYPES",
    "QUALIFIERS",
    "RELATIONS",
    "ActFact",
    "AnyFact",
    "Entity",
    "Evidence",
    "Fact",
    "MeetingFact",
    "Mention",
    "ObservationFact",
    "Register",
    "RelationFact",
    "RelationSpec",
    "ScriptName",
    "Sheet",
    "SourceInfo",
    "Span",
    "StatementFact",
    "a_noun",
    "check_edtf",
    "node_kind",
]

MAX_TEXT_BYTES = 5_000_000
SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"

#: Entity types of the register, each with the group that names its IRI path.
ENTITY_TYPES: dict[str, str] = {
    "person": "person",
    "organization": "organization",
    "government-organization": "organization",
    "workers-union": "organization",
    "country": "place",
    "province": "place",
    "city": "place",
    "programme": "programme",
    "post": "post",
    "group": "group",
    "news-article": "document",
    "social-media-posting": "document",
    "report": "document",
    "dataset": "dataset",
}

AGENT_TYPES = frozenset(
    {"person", "organization", "government-organization", "workers-union", "country"}
)
PLACE_TYPES = frozenset({"country", "province", "city"})
DOCUMENT_TYPES = frozenset({"news-article", "social-media-posting", "report"})
ORG_TYPES = frozenset({"organization", "government-organization", "workers-union"})


@dataclass(frozen=True)
class RelationSpec:
    """What a ``relation`` fact may link: allowed subject and object types, and the value kind."""

    subject: frozenset[str]
    object: frozenset[str] | None  # None: the relation takes a literal ``value``
    value: Literal["edtf", "text"] | None = None


#: The relations a ``relation`` fact may state, by name.
RELATIONS: dict[str, RelationSpec] = {
    "holds": RelationSpec(frozenset({"person"}), frozenset({"post"})),
    "post-in": RelationSpec(frozenset({"post"}), ORG_TYPES),
    "country": RelationSpec(ORG_TYPES, frozenset({"country"})),
    "located-in": RelationSpec(ORG_TYPES, PLACE_TYPES),
    "jurisdiction": RelationSpec(ORG_TYPES, PLACE_TYPES),
    "contained-in": RelationSpec(PLACE_TYPES, PLACE_TYPES),
    "member-of": RelationSpec(AGENT_TYPES - {"country"}, ORG_TYPES),
    "sub-organization-of": RelationSpec(ORG_TYPES, ORG_TYPES),
    "counterpart-of": RelationSpec(frozenset({"person"}), frozenset({"person"})),
    "author": RelationSpec(DOCUMENT_TYPES, AGENT_TYPES),
    "nationality": RelationSpec(frozenset({"person"}), frozenset({"country"})),
    "operated-by": RelationSpec(frozenset({"programme"}), AGENT_TYPES),
    "start-date": RelationSpec(frozenset({"programme", *ORG_TYPES}), None, "edtf"),
    "date-created": RelationSpec(DOCUMENT_TYPES, None, "edtf"),
    "date": RelationSpec(frozenset({"@meeting"}), None, "edtf"),
    "about-period": RelationSpec(DOCUMENT_TYPES, None, "edtf"),
}


Slug = Annotated[str, Field(pattern=SLUG, max_length=120)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True, frozen=True)


class ScriptName(_Model):
    """A name in another language or script (Khmer, Hangul, ...), with where it was verified."""

    name: Annotated[str, Field(min_length=1)]
    lang: Annotated[str, Field(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$")]
    source: Annotated[str, Field(pattern=r"^https?://\S+$")]


class Entity(_Model):
    """An entity of the register: declared once, referred to by id from every sheet."""

    id: Slug
    type: Literal[
        "person",
        "organization",
        "government-organization",
        "workers-union",
        "country",
        "province",
        "city",
        "programme",
        "post",
        "group",
        "news-article",
        "social-media-posting",
        "report",
        "dataset",
    ]
    name: Annotated[str, Field(min_length=1)]
    aliases: list[Annotated[str, Field(min_length=1)]] = []
    abbreviation: str | None = None
    description: str | None = None
    iso3166: Annotated[str, Field(pattern=r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")] | None = None
    wikidata: Annotated[str, Field(pattern=r"^Q[1-9][0-9]*$")] | None = None
    names: list[ScriptName] = []

    @property
    def group(self) -> str:
        """The IRI path group of this entity (person, organization, place, ...)."""
        return ENTITY_TYPES[self.type]


class AliasProposal(_Model):
    """Another name for an entity already in the register (e.g. an abbreviation a text defines)."""

    entity: Slug
    alias: Annotated[str, Field(min_length=1)]


class _RegisterFile(_Model):
    entities: list[Entity]
    aliases: list[AliasProposal] = []


class Evidence(_Model):
    """A verbatim quote of the source; ``occurrence`` picks one when the quote is there twice."""

    quote: Annotated[str, Field(min_length=3)]
    occurrence: Annotated[int, Field(ge=1)] | None = None


EvidenceField = Annotated[
    str | Evidence | list[str | Evidence], Field(description="one quote or several")
]


def evidence_list(value: str | Evidence | list[str | Evidence]) -> list[Evidence]:
    """The ``evidence`` field as a list of quotes, whatever form the sheet gave it in."""
    items = value if isinstance(value, list) else [value]
    return [Evidence(quote=i) if isinstance(i, str) else i for i in items]


class _Fact(_Model):
    id: Slug
    evidence: EvidenceField
    inferred: Annotated[str, Field(min_length=10)] | None = Field(
        default=None, description="the reason, for a fact the source does not state"
    )
    according_to: Slug | None = None

    @property
    def quotes(self) -> list[Evidence]:
        return evidence_list(self.evidence)


class MeetingFact(_Fact):
    kind: Literal["meeting"]
    attendees: Annotated[list[Slug], Field(min_length=1)]
    date: str | None = None
    place: Slug | None = None
    about: list[Slug] = []
    fields: list[Slug] = []
    summary: str | None = None
    before: list[Slug] = []
    follows: list[Slug] = Field(default=[], description="ids of earlier acts this meeting answers")

    @field_validator("date")
    @classmethod
    def _edtf(cls, v: str | None) -> str | None:
        return None if v is None else check_edtf(v)


ActKind = Literal["agreement", "request", "proposal", "pledge", "examination", "endorsement"]


class ActFact(_Fact):
    kind: ActKind
    actors: Annotated[list[Slug], Field(min_length=1)]
    status: Slug
    summary: Annotated[str, Field(min_length=3)]
    addressees: list[Slug] = []
    partners: list[Annotated[list[Slug], Field(min_length=1)]] = Field(
        default=[], description="the sides of the cooperation the act is about"
    )
    beneficiaries: list[Slug] = []
    concerns: list[Slug] = []
    fields: list[Slug] = []
    occasion: Slug | None = None
    motive: str | None = None
    date: str | None = Field(default=None, description="when the act was made (EDTF)")
    follows: list[Slug] = Field(
        default=[], description="ids of earlier acts (of any source) that this act answers"
    )

    @field_validator("date")
    @classmethod
    def _edtf(cls, v: str | None) -> str | None:
        return None if v is None else check_edtf(v)


#: How a source qualifies a number: exactly, as a bound, or approximately.
QUALIFIERS = ("exact", "more-than", "at-least", "fewer-than", "at-most", "about")


class StatementFact(_Fact):
    kind: Literal["statement"]
    speaker: Slug
    form: Literal["quotation", "paraphrase"]
    text: str | None = Field(default=None, description="the words; default: the evidence quote")
    about: list[Slug] = []
    occasion: Slug | None = None
    period: str | None = Field(default=None, description="the period the statement is about")

    @field_validator("period")
    @classmethod
    def _edtf(cls, v: str | None) -> str | None:
        return None if v is None else check_edtf(v)


class RelationFact(_Fact):
    kind: Literal["relation"]
    subject: Slug
    relation: str
    object: Slug | None = None
    value: str | None = None


class ObservationFact(_Fact):
    kind: Literal["observation"]
    dataset: Slug
    period: str
    origin: Slug
    destination: Slug
    population: Annotated[str, Field(min_length=3)]
    sex: Literal["total", "female", "male"] = "total"
    value: Annotated[int, Field(ge=0)] | None = Field(
        default=None, description="the number; with a qualifier, the bound or the rough value"
    )
    range: (
        Annotated[list[Annotated[int, Field(ge=0)]], Field(min_length=2, max_length=2)] | None
    ) = Field(default=None, description="[low, high] when the source gives a range")
    qualifier: Literal["exact", "more-than", "at-least", "fewer-than", "at-most", "about"] = "exact"
    unit: Literal["persons", "money"] = "persons"
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] | None = Field(
        default=None, description="ISO 4217 code, for money"
    )
    per: Literal["year", "quarter", "month", "week", "day"] | None = Field(
        default=None, description="a rate: the value is per this period"
    )
    as_written: Annotated[str, Field(min_length=1)] | None = Field(
        default=None, description="the number in the source's words, inside the evidence"
    )

    @field_validator("period")
    @classmethod
    def _edtf(cls, v: str) -> str:
        return check_edtf(v)

    @model_validator(mode="after")
    def _one_value(self) -> ObservationFact:
        if (self.value is None) == (self.range is None):
            raise ValueError("give either 'value' or 'range' (not both)")
        if self.range is not None:
            if self.range[0] > self.range[1]:
                raise ValueError("a range is [low, high]: low must not exceed high")
            if self.qualifier != "exact":
                raise ValueError("a range takes no qualifier: its ends are the bounds")
        if (self.unit == "money") != (self.currency is not None):
            raise ValueError("money needs its 'currency' (ISO 4217), and only money has one")
        return self


Fact = Annotated[
    MeetingFact | ActFact | StatementFact | RelationFact | ObservationFact,
    Field(discriminator="kind"),
]


class Mention(_Model):
    """A name or phrase of the source that refers to an entity of the register."""

    text: Annotated[str, Field(min_length=2)]
    entity: Slug
    occurrence: Annotated[int, Field(ge=1)] | Literal["all"] | None = None
    inferred: Annotated[str, Field(min_length=10)] | None = None


class SourceInfo(_Model):
    id: Slug
    type: Literal["news-article", "social-media-posting", "report"]
    label: Annotated[str, Field(min_length=3)] = Field(
        description="a short name for the source, for lists and pages"
    )
    title: Annotated[str, Field(min_length=1)] | None = Field(
        default=None, description="the headline, only as the source gives it"
    )
    text: str = Field(description="path of the source text, relative to the sheet")
    publisher: Slug | None = None
    url: Annotated[str, Field(pattern=r"^https?://[^\s<>\"{}|\\^`]+$")] | None = None
    published: str | None = None
    language: str = "en"
    note: str | None = None

    @field_validator("published")
    @classmethod
    def _edtf(cls, v: str | None) -> str | None:
        return None if v is None else check_edtf(v)


class _SheetHead(_Model):
    source: SourceInfo
    mentions: list[Mention] = []
    facts: list[Any]


AnyFact = MeetingFact | ActFact | StatementFact | RelationFact | ObservationFact
ACT_KINDS = frozenset({"agreement", "request", "proposal", "pledge", "examination", "endorsement"})


def check_edtf(value: str) -> str:
    """Return ``value`` if it is an EDTF date, else raise ``ValueError``.

    Examples:
        >>> check_edtf("XXXX-03-08")
        'XXXX-03-08'
        >>> check_edtf("March 8")
        Traceback (most recent call last):
        ...
        ValueError: 'March 8' is not an EDTF date (e.g. 2024-03-08, XXXX-03-08, 2024?-03)
    """
    try:
        parse_edtf(value)
    except Exception:
        raise ValueError(
            f"{value!r} is not an EDTF date (e.g. 2024-03-08, XXXX-03-08, 2024?-03)"
        ) from None
    return value


# ------------------------------------------------------------------------------------------
# Checked results
# ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    """A located quote: ``text[start:end] == exact``."""

    start: int
    end: int
    exact: str


@dataclass
class Register:
    """The entity register: every entity by id, and where each was declared."""

    entities: dict[str, Entity]
    lines: dict[str, tuple[str, int | None]] = field(default_factory=dict)
    pending: list[Pending] = field(default_factory=list)  # entities awaiting review

    def suggest(self, unknown: str) -> str:
        close = difflib.get_close_matches(unknown, list(self.entities), n=3, cutoff=0.6)
        return f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""


@dataclass
class Sheet:
    """A checked fact sheet: its source, text, facts and the located span of every quote."""

    path: Path
    display: str
    source: SourceInfo
    text: str
    facts: list[AnyFact]
    mentions: list[Mention]
    spans: dict[str, list[Span]]  # fact id -> the located spans of its quotes
    mention_spans: list[list[Span]]
    lines: dict[str, int | None] = field(default_factory=dict)  # fact id -> line in the sheet
    line_map: dict[tuple[str | int, ...], int] = field(default_factory=dict)  # location -> line

    def problem(self, line: int | None, message: str) -> SeedProblem:
        """A problem found in this sheet at ``line`` (None: in the sheet as a whole)."""
        return SeedProblem(file=self.display, line=line, message=message)

    def line(self, fact_id: str, *path: str | int) -> int | None:
        """The line of a fact's field (``line("x", "follows", 0)``), else of the fact."""
        index = next((i for i, f in enumerate(self.facts) if f.id == fact_id), None)
        if index is None:
            return None
        found = self.line_map.get(("facts", index, *path))
        return found if found is not None else self.lines.get(fact_id)

    pending: list[Pending] = field(default_factory=list)  # drafted items awaiting review


def a_noun(noun: str) -> str:
    """The noun with its indefinite article.

    Examples:
        >>> a_noun("act"), a_noun("meeting")
        ('an act', 'a meeting')
    """
    return f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"


def node_kind(kind: str) -> str:
    """The node a fact kind makes: every cooperation act kind is an ``act``.

    Examples:
        >>> node_kind("request"), node_kind("meeting")
        ('act', 'meeting')
    """
    return "act" if kind in ACT_KINDS else kind
