"""What many sources say together: follow-ups and status histories, dates, conflicts, series.

Where sources disagree (conflicts) and what makes observations one series are found in
:mod:`graph.build.conflicts` (re-exported here).

Everything here reads checked sheets and computes; nothing is stated. ``graph.build.quads``
writes the results to the derived layer (status histories, conflicts, series, report counts) and
to each source's inferred layer (a year taken from the publication date, with its reason).
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from graph.build.conflicts import (
    Claim,
    Conflict,
    find_conflicts,
    observation_key,
    observation_words,
)
from graph.build.dates import date_parts, date_span, nearest_before, readable_date
from graph.build.models import (
    ActFact,
    MeetingFact,
    ObservationFact,
    Register,
    RelationFact,
    Sheet,
    a_noun,
)
from graph.build.yamlmap import SeedProblem

__all__ = [
    "Claim",
    "Conflict",
    "Corpus",
    "Dated",
    "HistoryEntry",
    "anchored_dates",
    "check_corpus",
    "find_conflicts",
    "observation_key",
    "observation_words",
    "study",
]

#: How a date is known, in the order the timeline lists equal days.
BASES = ("stated", "inferred", "partial", "occasion", "published", "unknown")


@dataclass(frozen=True)
class Dated:
    """When a meeting or an act happened, as far as one source lets us know, and how.

    ``basis``: ``stated`` (a full date in the source), ``inferred`` (a curator's date, or the
    year from the publication date), ``partial`` (a month or a year only, or no year),
    ``occasion`` (an act dated by its meeting), ``published`` (only the source's date) or
    ``unknown``.
    """

    edtf: str | None
    basis: str
    lo: date | None = None
    hi: date | None = None
    reason: str | None = None

    @property
    def key(self) -> tuple[date, date, int]:
        far = date.max
        return (self.lo or far, self.hi or far, BASES.index(self.basis))

    def words(self) -> str:
        """The date in words, or 'undated'."""
        return readable_date(self.edtf) if self.edtf else "undated"


@dataclass(frozen=True)
class HistoryEntry:
    """One step of an act's status history: the status an act gives, when, from which sources."""

    act: str
    status: str
    when: Dated
    sources: tuple[str, ...]
    depth: int


@dataclass
class Corpus:
    """The computed view of all sheets together."""

    dates: dict[tuple[str, str], Dated] = field(default_factory=dict)  # (source, fact) -> date
    node_dates: dict[tuple[str, str], Dated] = field(default_factory=dict)  # (group, id) -> best
    histories: dict[str, list[HistoryEntry]] = field(default_factory=dict)
    reports: dict[tuple[str, str], list[str]] = field(default_factory=dict)  # node -> sources
    conflicts: list[Conflict] = field(default_factory=list)
    series: dict[tuple[str, ...], list[tuple[str, str]]] = field(default_factory=dict)
    countries: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    anchored: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)


def _group(kind: str) -> str:
    return "act" if kind not in ("meeting", "statement", "observation", "relation") else kind


def check_corpus(sheets: list[Sheet]) -> list[SeedProblem]:
    """Problems that only show across sheets: follow-ups that name no act, cycles of follow-ups,
    and one act given different kinds or statuses by different sources.

    Args:
        sheets: the checked sheets.

    Returns:
        Every problem, with the file and line of the fact that has it.

    Examples:
        >>> check_corpus([])
        []
    """
    problems: list[SeedProblem] = []
    acts: dict[str, tuple[Sheet, ActFact]] = {}
    for sheet in sheets:
        for fact in sheet.facts:
            if not isinstance(fact, ActFact):
                continue
            first = acts.setdefault(fact.id, (sheet, fact))
            if first[1] is fact:
                continue
            there = f"{first[0].display}:{first[0].lines.get(fact.id)}"
            if first[1].kind != fact.kind:
                problems.append(
                    sheet.problem(
                        sheet.lines.get(fact.id),
                        f"act {fact.id!r} is {a_noun(fact.kind)} here but "
                        f"{a_noun(first[1].kind)} in {there}; use another id",
                    )
                )
            elif first[1].status != fact.status:
                problems.append(
                    sheet.problem(
                        sheet.line(fact.id, "status"),
                        f"act {fact.id!r} is {fact.status!r} here but "
                        f"{first[1].status!r} in {there}: a later status is a new act that "
                        f"'follows: [{fact.id}]'",
                    )
                )
    edges: dict[str, list[str]] = defaultdict(list)
    for sheet in sheets:
        for fact in sheet.facts:
            if not isinstance(fact, ActFact | MeetingFact):
                continue
            for j, other in enumerate(fact.follows):
                if other not in acts:
                    close = difflib.get_close_matches(other, sorted(acts), n=3, cutoff=0.5)
                    hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
                    problems.append(
                        sheet.problem(
                            sheet.line(fact.id, "follows", j),
                            f"{fact.id}.follows[{j}]: no act {other!r} in any sheet{hint}",
                        )
                    )
                elif other == fact.id:
                    problems.append(
                        sheet.problem(
                            sheet.line(fact.id, "follows", j),
                            f"{fact.id}.follows[{j}]: an act cannot follow itself",
                        )
                    )
                elif isinstance(fact, ActFact) and other not in edges[fact.id]:
                    edges[fact.id].append(other)
    for cycle in _cycles(edges):
        sheet, fact = acts[cycle[0]]
        problems.append(
            sheet.problem(
                sheet.lines.get(fact.id),
                "follow-ups form a cycle: " + " -> ".join([*cycle, cycle[0]]),
            )
        )
    return problems


def _cycles(edges: dict[str, list[str]]) -> list[list[str]]:
    """Each cycle of the follow-up graph once, starting at its smallest id."""
    found: dict[tuple[str, ...], list[str]] = {}
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in edges.get(node, ()):
            if state.get(nxt) == 1:
                cycle = stack[stack.index(nxt) :]
                i = cycle.index(min(cycle))
                cycle = cycle[i:] + cycle[:i]
                found.setdefault(tuple(cycle), cycle)
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node)
    return list(found.values())


def anchored_dates(sheet: Sheet) -> dict[str, tuple[str, str]]:
    """Full dates for the dates a source gives without a year, from its publication date.

    A meeting or act dated ``XXXX-12-27`` in a source published ``2024-12-28`` happened on
    2024-12-27, the nearest 27 December on or before publication. A curator's own ``date``
    relation for a meeting of the sheet wins: such a meeting is left alone.

    Returns:
        fact id -> (full EDTF date, reason).
    """
    published = sheet.source.published
    if not published:
        return {}
    curated = {
        f.subject for f in sheet.facts if isinstance(f, RelationFact) and f.relation == "date"
    }
    out = {}
    for fact in sheet.facts:
        if not isinstance(fact, MeetingFact | ActFact) or not fact.date or fact.id in curated:
            continue
        full = nearest_before(fact.date, published)
        if full is None:
            continue
        what = readable_date(fact.date)
        out[fact.id] = (
            full,
            f"The source gives {what} without a year and was published {published}; the "
            f"nearest {what} on or before publication is {full}.",
        )
    return out


def year_inferred(full: str) -> str:
    """A full date whose year was inferred (from publication), in EDTF with the year qualified,
    as a curator writes it: timelines and pages then say "year inferred".

    Examples:
        >>> year_inferred("2024-12-27")
        '2024?-12-27'
        >>> year_inferred("2024?-12-27")
        '2024?-12-27'
    """
    head, sep, rest = full.partition("-")
    return f"{head}?{sep}{rest}" if sep and head.isdigit() else full


def _dated(edtf: str | None, basis_if_full: str, reason: str | None = None) -> Dated | None:
    if not edtf:
        return None
    parts, span = date_parts(edtf), date_span(edtf)
    if span is None:
        return Dated(edtf, "partial", None, None, reason)
    full = parts is not None and parts.day is not None
    basis = basis_if_full if full else "partial"
    if parts is not None and parts.qualified and basis == "stated":
        basis = "inferred"
    return Dated(edtf, basis, span[0], span[1], reason)


def _better(a: Dated | None, b: Dated | None) -> Dated | None:
    """The more precise of two dates of one thing (a full date beats a partial one)."""
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b, key=lambda d: (BASES.index(d.basis), d.lo or date.max))


def study(register: Register, sheets: list[Sheet]) -> Corpus:
    """Compute the corpus view of the checked sheets.

    Args:
        register: the entity register.
        sheets: the checked sheets, which ``check_corpus`` found consistent.

    Returns:
        Dates per report and per node, status histories, reports per node, conflicts, series,
        the countries each meeting and act involves, and the dates anchored by publication.
    """
    corpus = Corpus()
    by_source = {s.source.id: s for s in sheets}

    # -- dates of meetings and acts, per source and per node --------------------------------
    meeting_dates: dict[tuple[str, str], Dated] = {}
    for sheet in sheets:
        sid = sheet.source.id
        anchored = anchored_dates(sheet)
        corpus.anchored.update({(sid, k): v for k, v in anchored.items()})
        curated = {
            f.subject: f
            for f in sheet.facts
            if isinstance(f, RelationFact) and f.relation == "date" and f.value
        }
        for fact in sheet.facts:
            if not isinstance(fact, MeetingFact):
                continue
            when = _dated(fact.date, "stated")
            if fact.id in curated:
                rel = curated[fact.id]
                basis = "inferred" if rel.inferred else "stated"
                when = _better(when, _dated(rel.value, basis, rel.inferred))
            if fact.id in anchored:
                full, why = anchored[fact.id]
                when = _better(when, _dated(year_inferred(full), "inferred", why))
            if when is not None:
                meeting_dates[(sid, fact.id)] = when
                corpus.dates[(sid, fact.id)] = when
    for sheet in sheets:
        sid = sheet.source.id
        published = _dated(sheet.source.published, "published")
        for fact in sheet.facts:
            if not isinstance(fact, ActFact):
                continue
            when = _dated(fact.date, "stated")
            if (sid, fact.id) in corpus.anchored:
                full, why = corpus.anchored[(sid, fact.id)]
                when = _better(when, _dated(year_inferred(full), "inferred", why))
            if when is None and fact.occasion:
                meeting = meeting_dates.get((sid, fact.occasion)) or next(
                    (d for (s, m), d in meeting_dates.items() if m == fact.occasion), None
                )
                if meeting is not None:
                    when = Dated(meeting.edtf, "occasion", meeting.lo, meeting.hi, meeting.reason)
            if when is None and published is not None:
                when = Dated(published.edtf, "published", published.lo, published.hi)
            corpus.dates[(sid, fact.id)] = when or Dated(None, "unknown")
    for sheet in sheets:
        for fact in sheet.facts:
            if isinstance(fact, MeetingFact | ActFact):
                node = ("meeting" if isinstance(fact, MeetingFact) else "act", fact.id)
                mine = corpus.dates.get((sheet.source.id, fact.id))
                corpus.node_dates[node] = _better(corpus.node_dates.get(node), mine) or Dated(
                    None, "unknown"
                )

    # -- reports ------------------------------------------------------------------------------
    for sheet in sheets:
        for fact in sheet.facts:
            if fact.kind != "relation":
                node = (_group(fact.kind), fact.id)
                corpus.reports.setdefault(node, [])
                if sheet.source.id not in corpus.reports[node]:
                    corpus.reports[node].append(sheet.source.id)

    # -- status histories ---------------------------------------------------------------------
    acts: dict[str, ActFact] = {}
    followers: dict[str, list[str]] = defaultdict(list)
    for sheet in sheets:
        for fact in sheet.facts:
            if isinstance(fact, ActFact):
                acts.setdefault(fact.id, fact)
                for other in fact.follows:
                    if fact.id not in followers[other]:
                        followers[other].append(fact.id)
    for act_id in sorted(acts):
        entries: list[HistoryEntry] = []
        seen = {act_id}
        # A follow-up never comes before what it follows: its place in the order is its own
        # date or its predecessor's, whichever is later; an undated first act comes first.
        order: dict[str, date] = {}
        todo: list[tuple[str, int, date]] = [(act_id, 0, date.min)]
        while todo:
            current, depth, floor = todo.pop(0)
            when = corpus.node_dates.get(("act", current)) or Dated(None, "unknown")
            order[current] = max(when.lo, floor) if when.lo is not None else floor
            entries.append(
                HistoryEntry(
                    current,
                    acts[current].status,
                    when,
                    tuple(corpus.reports[("act", current)]),
                    depth,
                )
            )
            for nxt in followers.get(current, ()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append((nxt, depth + 1, order[current]))
        entries.sort(key=lambda e: (order[e.act], e.depth, e.act))
        corpus.histories[act_id] = entries

    # -- series -------------------------------------------------------------------------------
    for sheet in sheets:
        for fact in sheet.facts:
            if isinstance(fact, ObservationFact):
                members = corpus.series.setdefault(observation_key(fact), [])
                if (sheet.source.id, fact.id) not in members:
                    members.append((sheet.source.id, fact.id))
    for members in corpus.series.values():
        members.sort(key=lambda m: _period_key(by_source[m[0]], m[1]))

    corpus.conflicts = find_conflicts(register, sheets)
    corpus.countries = _countries(register, sheets)
    return corpus


def _period_key(sheet: Sheet, fact_id: str) -> tuple[date, str, str]:
    fact = next(f for f in sheet.facts if f.id == fact_id)
    assert isinstance(fact, ObservationFact)
    span = date_span(fact.period)
    published = date_span(sheet.source.published or "") or (date.max, date.max)
    return (span[0] if span else date.max, str(published[0]), fact_id)


def history_reason(entries: Iterable[HistoryEntry], names: dict[str, str]) -> str:
    """The history in words: 'requested 8 March 2024? (Phnom Penh Post); agreed ...'."""
    parts = []
    for e in entries:
        where = ", ".join(names.get(s, s) for s in e.sources)
        parts.append(f"{e.status} {e.when.words()} ({where})")
    return "; ".join(parts)


def _countries(register: Register, sheets: list[Sheet]) -> dict[tuple[str, str], set[str]]:
    """The countries each meeting and act involves: a country takes part through itself, its
    bodies, its nationals and the holders of posts in its bodies (as /api/acts?countries)."""
    country_of: dict[str, set[str]] = defaultdict(set)
    holds: dict[str, set[str]] = defaultdict(set)
    post_in: dict[str, set[str]] = defaultdict(set)
    for ident, entity in register.entities.items():
        if entity.type == "country":
            country_of[ident].add(ident)
    for sheet in sheets:
        for fact in sheet.facts:
            if isinstance(fact, RelationFact) and fact.object:
                if fact.relation in ("country", "nationality"):
                    country_of[fact.subject].add(fact.object)
                elif fact.relation == "holds":
                    holds[fact.subject].add(fact.object)
                elif fact.relation == "post-in":
                    post_in[fact.subject].add(fact.object)

    def of(ident: str) -> set[str]:
        out = set(country_of.get(ident, ()))
        for post in holds.get(ident, ()):
            for org in post_in.get(post, ()):
                out |= {c for c in country_of.get(org, ()) if c != org}
        return out

    found: dict[tuple[str, str], set[str]] = defaultdict(set)
    for sheet in sheets:
        for fact in sheet.facts:
            if isinstance(fact, MeetingFact):
                for who in fact.attendees:
                    found[("meeting", fact.id)] |= of(who)
            elif isinstance(fact, ActFact):
                people = [
                    *fact.actors,
                    *fact.addressees,
                    *(p for side in fact.partners for p in side),
                    *fact.beneficiaries,
                ]
                for who in people:
                    found[("act", fact.id)] |= of(who)
    return dict(found)
