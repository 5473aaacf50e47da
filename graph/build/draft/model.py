"""What a draft holds: sentences, mentions, new entities, dates and candidate facts, as data."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["DateExpr", "Draft", "DraftFact", "DraftMention", "NewEntity", "Source"]


def _fields(item: Any, names: str, **computed: Any) -> dict[str, Any]:
    """The JSON of an item: the fields ``names`` lists, in that order, then ``computed``.

    Examples:
        >>> _fields(Source("x", language="km"), "language id", note=1)
        {'language': 'km', 'id': 'x', 'note': 1}
    """
    return {name: getattr(item, name) for name in names.split()} | computed


@dataclass(frozen=True)
class Source:
    """What the command line says of a text: its slug and the metadata a sheet records."""

    id: str
    published: str | None = None
    publisher: str | None = None
    url: str | None = None
    language: str = "en"


@dataclass
class DraftMention:
    """A span of the text linked to an entity (of the register or a new one)."""

    text: str
    start: int
    end: int
    entity: str
    inferred: str | None  # the reason, when the link is inferred (role nouns, pronouns)
    how: str
    score: float
    type: str = ""  # the entity's type (not in the JSON; the rules use it)

    def to_json(self) -> dict[str, Any]:
        return _fields(self, "text start end entity inferred how", score=round(self.score, 3))


@dataclass
class NewEntity:
    """An entity the register lacks, proposed with an id, a type and aliases."""

    id: str
    name: str
    type: str
    aliases: list[str] = field(default_factory=list)
    how: str = ""
    score: float = 0.5
    iso3166: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "type": self.type, "aliases": self.aliases}


@dataclass
class NewAlias:
    """Another name for an entity already in the register: an abbreviation the text defines."""

    entity: str
    alias: str
    how: str = ""
    score: float = 0.5

    def to_json(self) -> dict[str, Any]:
        return {"entity": self.entity, "alias": self.alias, "how": self.how}


@dataclass
class DateExpr:
    """A date expression of the text, as EDTF; the year inferred from the publication date,
    with the reason, where the text gives none."""

    text: str
    start: int
    end: int
    edtf: str
    inferred: str | None = None  # an EDTF date with the inferred year
    reason: str | None = None
    score: float = 0.9

    def to_json(self) -> dict[str, Any]:
        how = self.reason or "a date the text states"
        return _fields(self, "text start end edtf inferred", how=how, score=round(self.score, 3))


@dataclass
class DraftFact:
    """A candidate fact: its kind, status, roles, date, place and evidence, with how it was
    found and how sure the drafter is. ``details`` holds what only some kinds have (the
    speaker's words, a count's value and unit, the post held)."""

    id: str
    kind: str
    status: str | None
    sentence: int
    quote: str
    start: int
    end: int
    actors: list[str] = field(default_factory=list)
    addressees: list[str] = field(default_factory=list)
    partners: list[list[str]] = field(default_factory=list)
    date: str | None = None
    place: str | None = None
    how: str = ""
    score: float = 0.5
    summary: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "status": self.status,
            "sentence": self.sentence,
            "evidence": {"quote": self.quote, "start": self.start, "end": self.end},
            "actors": self.actors,
            "addressees": self.addressees,
            "partners": self.partners,
            "date": self.date,
            "place": self.place,
            "how": self.how,
            "score": round(self.score, 3),
            "summary": self.summary,
            "details": self.details,
        }


@dataclass
class Draft:
    """A drafted source: everything proposed, each item with how it was found and a score."""

    source: Source
    text: str
    sentences: list[tuple[int, int]]
    mentions: list[DraftMention]
    new_entities: list[NewEntity]
    dates: list[DateExpr]
    facts: list[DraftFact]
    new_aliases: list[NewAlias] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The draft as ``bilateral draft --format json`` prints it."""
        return {
            "source": asdict(self.source),
            "sentences": [{"start": a, "end": b} for a, b in self.sentences],
            "mentions": [m.to_json() for m in self.mentions],
            "new_entities": [e.to_json() for e in self.new_entities],
            "new_aliases": [a.to_json() for a in self.new_aliases],
            "dates": [d.to_json() for d in self.dates],
            "facts": [f.to_json() for f in self.facts],
        }

    def sentence_of(self, offset: int) -> int:
        """The 0-based index of the sentence holding a character offset (-1: none)."""
        for i, (a, b) in enumerate(self.sentences):
            if a <= offset < b:
                return i
        return -1
