"""Where sources disagree: conflicts over a post, a date, a place, a spelling or a figure, each
with every side; and what makes observations one series (and a figure in words), which the
comparison of figures rests on.

Part of the corpus study (:mod:`graph.build.corpus`, which re-exports these).
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from dataclasses import dataclass

from graph.build.dates import compatible, date_span, readable_date
from graph.build.models import ActFact, MeetingFact, ObservationFact, Register, RelationFact, Sheet

__all__ = ["Claim", "Conflict", "find_conflicts", "observation_key", "observation_words"]


@dataclass(frozen=True)
class Claim:
    """One side of a conflict: what one source says, with its evidence (fact ids of the sheet)."""

    source: str
    value: str
    facts: tuple[str, ...]
    object: tuple[str, str] | None = None  # (group, id) when the value is an entity


@dataclass(frozen=True)
class Conflict:
    """Sources that give different values for the same thing; every side stands."""

    kind: str  # post, date, place, start-year, spelling, value
    about: tuple[str, str]  # (group, id) of the entity or node the sources disagree on
    what: str  # the thing, in words
    claims: tuple[Claim, ...]


def observation_key(fact: ObservationFact) -> tuple[str, ...]:
    """What makes observations one series: origin, destination, population, sex, unit, currency
    and rate (the period and the source vary along it)."""
    return (
        fact.origin,
        fact.destination,
        fact.population,
        fact.sex,
        fact.unit,
        fact.currency or "",
        fact.per or "",
    )


def observation_words(fact: ObservationFact) -> str:
    """The value as the source qualifies it, in words (never one flat number for a bound).

    Examples:
        >>> from graph.build.models import ObservationFact
        >>> o = ObservationFact(id="x", kind="observation", evidence="...", dataset="d",
        ...     period="2024", origin="a", destination="b", population="people",
        ...     range=[500000000, 600000000], unit="money", currency="USD", per="year")
        >>> observation_words(o)
        '500,000,000 to 600,000,000 USD a year'
    """
    if fact.range is not None:
        number = f"{fact.range[0]:,} to {fact.range[1]:,}"
    else:
        assert fact.value is not None
        words = {"exact": "", "about": "about "}.get(fact.qualifier, fact.qualifier + " ")
        number = f"{words.replace('-', ' ')}{fact.value:,}"
    unit = f" {fact.currency}" if fact.unit == "money" else ""
    per = f" a {fact.per}" if fact.per else ""
    return f"{number}{unit}{per}"


def find_conflicts(register: Register, sheets: list[Sheet]) -> list[Conflict]:
    """Where sources disagree: posts, dates, places, spellings and figures, each a conflict
    with every side (a source and the facts it rests on)."""
    said = _Said.of(sheets)
    return [
        *_post_conflicts(register, said.posts),
        *_date_conflicts(register, said.values),
        *_place_conflicts(register, said.places),
        *_spelling_conflicts(register, said.spellings),
        *_figure_conflicts(sheets),
    ]


#: thing -> source -> value -> the facts (ids) that give it
_BySource = dict[str, dict[str, dict[str, list[str]]]]
_Dates = dict[tuple[str, str], dict[str, dict[str, list[str]]]]  # keyed by (relation, thing)


@dataclass
class _Said:
    """What each source says of posts, dates, places and spellings, to compare."""

    posts: _BySource  # person -> posts held
    values: _Dates  # (relation, thing) -> dates
    places: _BySource  # meeting -> places
    spellings: _BySource  # entity -> names as written

    @classmethod
    def of(cls, sheets: list[Sheet]) -> _Said:
        posts: _BySource = defaultdict(lambda: defaultdict(dict))
        values: _Dates = defaultdict(lambda: defaultdict(dict))
        places: _BySource = defaultdict(lambda: defaultdict(dict))
        spellings: _BySource = defaultdict(lambda: defaultdict(dict))
        for sheet in sheets:
            sid = sheet.source.id
            for fact in sheet.facts:
                if isinstance(fact, RelationFact):
                    if fact.relation == "holds" and fact.object:
                        posts[fact.subject][sid].setdefault(fact.object, []).append(fact.id)
                    elif fact.relation in ("start-date", "date-created", "date") and fact.value:
                        values[(fact.relation, fact.subject)][sid].setdefault(
                            fact.value, []
                        ).append(fact.id)
                elif isinstance(fact, MeetingFact):
                    if fact.place:
                        places[fact.id][sid].setdefault(fact.place, []).append(fact.id)
                    if fact.date:
                        values[("date", fact.id)][sid].setdefault(fact.date, []).append(fact.id)
                elif isinstance(fact, ActFact) and fact.date:
                    values[("act-date", fact.id)][sid].setdefault(fact.date, []).append(fact.id)
            for mention in sheet.mentions:
                if mention.text[:1].isupper() and len(mention.text.split()) > 1:
                    spellings[mention.entity][sid].setdefault(mention.text, [])
        return cls(posts, values, places, spellings)


def _group(register: Register, ident: str) -> str:
    return register.entities[ident].group


def _post_conflicts(register: Register, posts: _BySource) -> list[Conflict]:
    """Posts (titles) of a person: each source's posts; a conflict when two sources each give a
    post the other does not."""
    out: list[Conflict] = []
    for person, by_source in sorted(posts.items()):
        if len(by_source) < 2:
            continue
        every = [set(p) for p in by_source.values()]
        if all(a == b for a in every for b in every):
            continue
        differs = any((a - b) and (b - a) for a in every for b in every if a is not b)
        if not differs:
            continue
        claims = tuple(
            Claim(
                sid,
                " / ".join(register.entities[p].name for p in sorted(held)),
                tuple(f for p in sorted(held) for f in held[p]),
                ("post", sorted(held)[0]),
            )
            for sid, held in sorted(by_source.items())
        )
        out.append(
            Conflict(
                "post",
                (_group(register, person), person),
                f"the post of {register.entities[person].name}",
                claims,
            )
        )
    return out


def _date_conflicts(register: Register, values: _Dates) -> list[Conflict]:
    """Dates of one thing that cannot mean the same day, each source's most precise one."""
    out: list[Conflict] = []
    kinds = {"start-date": "start-year", "date-created": "date", "date": "date", "act-date": "date"}
    for (relation, subject), by_source in sorted(values.items()):
        if len(by_source) < 2:
            continue
        firsts = {sid: _precise(vals) for sid, vals in by_source.items()}
        clash = any(
            not compatible(a, b) for a in firsts.values() for b in firsts.values() if a != b
        )
        if not clash:
            continue
        if relation in ("date", "act-date"):
            about = ("meeting" if relation == "date" else "act", subject)
            what = f"the date of {about[0]} {subject}"
        else:
            about = (_group(register, subject), subject)
            what = f"the {'start' if relation == 'start-date' else 'creation'} date of " + (
                register.entities[subject].name
            )
        claims = tuple(
            Claim(sid, firsts[sid], tuple(f for v in vals.values() for f in v))
            for sid, vals in sorted(by_source.items())
        )
        out.append(Conflict(kinds[relation], about, what, claims))
    return out


def _place_conflicts(register: Register, places: _BySource) -> list[Conflict]:
    """Meetings that sources place in different places."""
    out: list[Conflict] = []
    for meeting, by_source in sorted(places.items()):
        if len(by_source) < 2 or len({p for v in by_source.values() for p in v}) < 2:
            continue
        claims = tuple(
            Claim(
                sid,
                " / ".join(register.entities[p].name for p in sorted(v)),
                tuple(f for fs in v.values() for f in fs),
                ("place", sorted(v)[0]),
            )
            for sid, v in sorted(by_source.items())
        )
        out.append(
            Conflict("place", ("meeting", meeting), f"the place of meeting {meeting}", claims)
        )
    return out


def _spelling_conflicts(register: Register, spellings: _BySource) -> list[Conflict]:
    """Names of one entity that sources spell alike but differently (not only in case)."""
    out: list[Conflict] = []
    for entity, by_source in sorted(spellings.items()):
        if len(by_source) < 2:
            continue
        texts = {sid: set(v) for sid, v in by_source.items()}
        pairs = [
            (a, b)
            for sa, ta in texts.items()
            for sb, tb in texts.items()
            if sa < sb
            for a in ta - tb
            for b in tb - ta
            if a.casefold() != b.casefold()
            and len(a.split()) == len(b.split())
            and difflib.SequenceMatcher(None, a, b).ratio() >= 0.75
        ]
        if not pairs:
            continue
        spelled = {a for a, _ in pairs} | {b for _, b in pairs}
        claims = tuple(
            Claim(sid, " / ".join(sorted(t & spelled)), ())
            for sid, t in sorted(texts.items())
            if t & spelled
        )
        out.append(
            Conflict(
                "spelling",
                (_group(register, entity), entity),
                f"the spelling of {register.entities[entity].name}",
                claims,
            )
        )
    return out


def _figure_conflicts(sheets: list[Sheet]) -> list[Conflict]:
    """Observations of the same measure and period that sources give differently."""
    out: list[Conflict] = []
    by_measure: dict[tuple[str, ...], dict[str, list[ObservationFact]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for sheet in sheets:
        for fact in sheet.facts:
            if isinstance(fact, ObservationFact):
                by_measure[(*observation_key(fact), fact.period)][sheet.source.id].append(fact)
    for _, measured in sorted(by_measure.items()):
        if len(measured) < 2:
            continue
        words = {sid: observation_words(facts[0]) for sid, facts in measured.items()}
        if len(set(words.values())) < 2:
            continue
        claims = tuple(
            Claim(sid, words[sid], tuple(f.id for f in facts))
            for sid, facts in sorted(measured.items())
        )
        first = next(iter(measured.values()))[0]
        out.append(
            Conflict(
                "value",
                ("observation", first.id),
                f"{first.population}, {readable_date(first.period)} ({first.sex})",
                claims,
            )
        )
    return out


def _precise(values: dict[str, list[str]]) -> str:
    """The most precise of the dates one source gives for one thing (a year beats none)."""
    return max(values, key=lambda v: (date_span(v) is not None, len(v)))
