"""How good a draft is: precision and recall against a hand-made sheet, per measure and kind."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from graph.build.draft.model import Draft
from graph.build.draft.names import DOCUMENTS
from graph.build.draft.text import fold, occurrences

__all__ = ["Expected", "Score", "expected_from_file", "expected_from_sheet", "score"]

#: The kinds a draft proposes, in the order tables list them.
KINDS = (
    "meeting",
    "agreement",
    "request",
    "proposal",
    "pledge",
    "examination",
    "endorsement",
    "statement",
    "observation",
    "post",
)


@dataclass
class Expected:
    """What a person drafted from a text: mention spans, entities, facts and dates."""

    mentions: list[tuple[int, int, str]]  # start, end, entity (a register id or a key)
    entities: dict[str, tuple[str, str, set[str]]]  # key -> (name, type, folded names)
    facts: list[tuple[str, int]]  # kind, offset of the evidence
    dates: list[tuple[int, int, str, str | None]]  # start, end, EDTF, inferred EDTF
    meeting_dates: list[tuple[int, str]] = field(default_factory=list)  # offset, EDTF


@dataclass
class Score:
    """Precision and recall of one draft against what was expected."""

    counts: dict[str, Any]

    def ratio(self, name: str) -> float:
        """A measure by name: ``mentions_p``, ``facts_r``, ``dates``, ``request_p`` ..."""
        value = self.counts[name]
        return float(value)


def expected_from_sheet(path: Path, register: Any, root: Path) -> Expected:
    """What the hand-made sheet of a source says (through the sheet loader, so its offsets are
    the build's).

    Args:
        path: the fact sheet.
        register: the entity register (``graph.build.sheets.Register``).
        root: the seeds folder.
    """
    from graph.build.sheets import load_sheet

    sheet = load_sheet(path, register, root)
    mentions = [
        (span.start, span.end, m.entity)
        for m, spans in zip(sheet.mentions, sheet.mention_spans, strict=True)
        for span in spans
    ]
    entities: dict[str, tuple[str, str, set[str]]] = {}
    for m in sheet.mentions:
        e = register.entities[m.entity]
        if m.inferred or e.type in DOCUMENTS:
            continue
        names = {fold(n) for n in (e.name, *e.aliases, e.abbreviation or "", m.text) if n}
        entities.setdefault(e.id, (e.name, e.type, set()))[2].update(names)
    facts: list[tuple[str, int]] = []
    dates: list[tuple[int, int, str, str | None]] = []
    meeting_dates: list[tuple[int, str]] = []
    for fact in sheet.facts:
        spans = sheet.spans[fact.id]
        if fact.inferred or not spans:
            continue
        kind: str = fact.kind
        value = getattr(fact, "value", None)
        if kind == "relation":
            if getattr(fact, "relation", "") == "holds":
                kind = "post"
            elif isinstance(value, str):
                dates.append((spans[0].start, spans[0].end, value, None))
                continue
            else:
                continue
        facts.append((kind, spans[0].start))
        date = getattr(fact, "date", None)
        if kind == "meeting" and date:
            meeting_dates.append((spans[0].start, date))
            dates.append((spans[0].start, spans[0].end, date, None))
        period = getattr(fact, "period", None)
        if period:
            dates.append((spans[0].start, spans[0].end, period, None))
    return Expected(mentions, entities, facts, _unique(dates), meeting_dates)


def _unique(
    dates: list[tuple[int, int, str, str | None]],
) -> list[tuple[int, int, str, str | None]]:
    seen: dict[tuple[int, str], tuple[int, int, str, str | None]] = {}
    for d in dates:
        seen.setdefault((d[0], d[2]), d)
    return list(seen.values())


def expected_from_file(path: Path, text: str) -> tuple[Expected, str | None]:
    """An expected draft written for a test text (``tests/draft/*.expected.yaml``), and the
    publication date it gives."""
    data = yaml.safe_load(path.read_text("utf-8"))
    mentions = []
    for m in data.get("mentions", []):
        starts = occurrences(text, m["text"])
        if not starts:
            raise ValueError(f"{path}: mention {m['text']!r} is not in the text")
        picked = (
            starts if m.get("occurrence") == "all" else [starts[int(m.get("occurrence", 1)) - 1]]
        )
        mentions += [(s, s + len(m["text"]), m["entity"]) for s in picked]
    entities = {
        e["key"]: (
            e["name"],
            e["type"],
            {fold(n) for n in [e["name"], *e.get("aliases", [])]}
            | {fold(m["text"]) for m in data.get("mentions", []) if m["entity"] == e["key"]},
        )
        for e in data.get("entities", [])
    }
    facts = []
    meeting_dates = []
    for f in data.get("facts", []):
        starts = occurrences(text, f["quote"])
        if not starts:
            raise ValueError(f"{path}: fact quote {f['quote']!r} is not in the text")
        facts.append((f["kind"], starts[0]))
        if f["kind"] == "meeting" and f.get("date"):
            meeting_dates.append((starts[0], str(f["date"])))
    dates = []
    for d in data.get("dates", []):
        starts = occurrences(text, str(d["text"]))
        if not starts:
            raise ValueError(f"{path}: date {d['text']!r} is not in the text")
        s = starts[0]
        dates.append((s, s + len(str(d["text"])), str(d["edtf"]), d.get("inferred")))
    published = data.get("published")
    return Expected(mentions, entities, facts, dates, meeting_dates), (
        str(published) if published else None
    )


def _same(draft: Draft, system: str, gold: str, expected: Expected) -> bool:
    if system == gold:
        return True
    if gold in expected.entities:
        new = next((e for e in draft.new_entities if e.id == system), None)
        if new is not None:
            names = {fold(new.name), *(fold(a) for a in new.aliases)}
            return bool(names & expected.entities[gold][2])
    return False


def _nested_right(draft: Draft, m: Any, over: list[Any], expected: Expected) -> bool:
    """Whether every expected mention ``m`` overlaps is found by another drafted mention
    inside or around ``m`` (so ``m`` is a phrase the sheet did not annotate)."""
    return all(
        any(
            o is not m
            and o.start < g[1]
            and g[0] < o.end
            and ((m.start <= o.start and o.end <= m.end) or (o.start <= m.start and m.end <= o.end))
            and _same(draft, o.entity, g[2], expected)
            for o in draft.mentions
        )
        for g in over
    )


def score(draft: Draft, expected: Expected) -> Score:
    """Compare a draft with what a person drafted.

    Mentions: a drafted mention is right when it overlaps an expected mention of the same
    entity, wrong when it overlaps expected mentions of other entities only, and unjudged
    when the hand-made sheet has no mention there (it is counted apart). Facts: the kind and
    the sentence of the evidence, matched one to one. Dates: each expected date is found
    when a drafted date of the same sentence has the same EDTF (and, where expected, the same
    inferred year).

    Returns:
        Counts and ratios: ``mentions_p``, ``mentions_r``, ``facts_p``, ``facts_r``,
        ``{kind}_p``/``{kind}_r``, ``entities_p``/``entities_r``, ``dates``.
    """
    counts: dict[str, Any] = {}
    # ---- mentions
    right = wrong = unjudged = 0
    found_gold = set()
    for m in draft.mentions:
        over = [g for g in expected.mentions if g[0] < m.end and m.start < g[1]]
        if not over:
            unjudged += 1
            continue
        same = [g for g in over if _same(draft, m.entity, g[2], expected)]
        if same:
            right += 1
            found_gold.update(same)
        elif _nested_right(draft, m, over, expected):
            unjudged += 1  # a longer phrase (a post) around a right mention: not annotated
        else:
            wrong += 1
    counts["mentions_right"], counts["mentions_wrong"] = right, wrong
    counts["mentions_unjudged"] = unjudged
    counts["mentions_expected"] = len(expected.mentions)
    counts["mentions_p"] = right / max(1, right + wrong)
    counts["mentions_r"] = len(found_gold) / max(1, len(expected.mentions))
    counts["mentions_missed"] = [
        draft.text[g[0] : g[1]] for g in expected.mentions if g not in found_gold
    ]
    counts["mentions_wrongly"] = [
        f"{m.text} -> {m.entity}"
        for m in draft.mentions
        if any(g[0] < m.end and m.start < g[1] for g in expected.mentions)
        and not any(
            g[0] < m.end and m.start < g[1] and _same(draft, m.entity, g[2], expected)
            for g in expected.mentions
        )
        and not _nested_right(
            draft, m, [g for g in expected.mentions if g[0] < m.end and m.start < g[1]], expected
        )
    ]
    # ---- facts: kind and sentence, one to one
    gold = Counter((k, draft.sentence_of(at)) for k, at in expected.facts)
    system = Counter((f.kind, f.sentence) for f in draft.facts if f.kind in KINDS)
    hit = gold & system
    counts["facts_expected"], counts["facts_drafted"] = sum(gold.values()), sum(system.values())
    counts["facts_right"] = sum(hit.values())
    counts["facts_p"] = counts["facts_right"] / max(1, counts["facts_drafted"])
    counts["facts_r"] = counts["facts_right"] / max(1, counts["facts_expected"])
    for kind in KINDS:
        g = sum(v for (k, _), v in gold.items() if k == kind)
        s = sum(v for (k, _), v in system.items() if k == kind)
        h = sum(v for (k, _), v in hit.items() if k == kind)
        counts[f"{kind}_n"] = (h, s, g)
        counts[f"{kind}_p"] = h / s if s else (1.0 if not g else 0.0)
        counts[f"{kind}_r"] = h / g if g else 1.0
    counts["facts_missed"] = sorted((gold - system).elements(), key=lambda x: x[1])
    counts["facts_extra"] = sorted((system - gold).elements(), key=lambda x: x[1])
    # ---- dates
    found = 0
    missed = []
    for start, end, edtf, inferred in expected.dates:
        sentence = draft.sentence_of(start)
        ok = any(
            d.edtf == edtf
            and draft.sentence_of(d.start) == sentence
            and (inferred is None or d.inferred == inferred)
            and ((d.start < end and start < d.end) or end - start > len(d.text) + 2)
            for d in draft.dates
        )
        found += ok
        if not ok:
            missed.append(edtf)
    for at, edtf in expected.meeting_dates:
        sentence = draft.sentence_of(at)
        ok = any(
            f.kind == "meeting" and f.sentence == sentence and f.date == edtf for f in draft.facts
        )
        found += ok
        if not ok:
            missed.append(f"meeting {edtf}")
    total = len(expected.dates) + len(expected.meeting_dates)
    counts["dates"] = found / max(1, total)
    counts["dates_n"] = (found, total)
    counts["dates_missed"] = missed
    return Score(counts)


def score_entities(
    proposed: Iterable[Any], expected: dict[str, tuple[str, str, set[str]]], known: set[str]
) -> dict[str, Any]:
    """New-entity detection: which expected entities were proposed (by name), with the right
    type, and how many proposals name something real.

    Args:
        proposed: the draft's new entities.
        expected: key -> (name, type, folded names) of the entities a person would propose.
        known: folded names of every entity that exists (the register's, the expected ones):
            a proposal naming one of them is not spurious.
    """
    proposed = list(proposed)
    matched: dict[str, Any] = {}
    for key, (_, _, names) in expected.items():
        for e in proposed:
            if {fold(e.name), *(fold(a) for a in e.aliases)} & names:
                matched[key] = e
                break
    real = [e for e in proposed if {fold(e.name), *(fold(a) for a in e.aliases)} & known]
    typed = sum(1 for k, e in matched.items() if e.type == expected[k][1])
    return {
        "entities_expected": len(expected),
        "entities_proposed": len(proposed),
        "entities_r": len(matched) / max(1, len(expected)),
        "entities_p": len(real) / max(1, len(proposed)),
        "entities_typed": typed / max(1, len(matched)),
        "entities_missed": sorted(expected[k][0] for k in expected if k not in matched),
        "entities_spurious": sorted(e.name for e in proposed if e not in real),
    }


def evaluate(seeds: Path, tests: Path | None = None) -> dict[str, dict[str, Any]]:
    """Draft the seed articles (without reading their sheets) and the test texts, and score
    each against its hand-made sheet.

    The seed articles are drafted twice: against the register (mention linking, facts, dates)
    and against an empty register (new-entity detection: every entity their sheet names must
    be proposed). Test texts (``tests/draft/*.txt``, with ``*.expected.yaml``) are drafted
    against the seeds' register.

    Args:
        seeds: the seeds folder.
        tests: a folder of test texts with their expected drafts, or ``None``.

    Returns:
        Per text name: the counts and ratios of :func:`score` and :func:`score_entities`.
    """
    from graph.build.draft import Drafter, Source, known_from_register
    from graph.build.sheets import load_register

    register = load_register(sorted((seeds / "entities").glob("*.yaml")), seeds)
    known = known_from_register(register.entities.values())
    everything = {fold(n) for k in known for n in (k.name, *k.aliases)}
    out: dict[str, dict[str, Any]] = {}
    for sheet_path in sorted((seeds / "facts").glob("*.yaml")):
        data = yaml.safe_load(sheet_path.read_text("utf-8"))
        text_path = (sheet_path.parent / data["source"]["text"]).resolve()
        text = text_path.read_text("utf-8")
        expected = expected_from_sheet(sheet_path, register, seeds)
        source = Source(sheet_path.stem, published=data["source"].get("published"))
        draft = Drafter(known).draft(text, source)
        counts = score(draft, expected).counts
        blank = Drafter([]).draft(text, source)
        counts.update(score_entities(blank.new_entities, expected.entities, everything))
        out[sheet_path.stem] = counts
    if tests is not None:
        for text_path in sorted(tests.glob("*.txt")):
            text = text_path.read_text("utf-8")
            expected, published = expected_from_file(text_path.with_suffix(".expected.yaml"), text)
            draft = Drafter(known).draft(text, Source(text_path.stem, published=published))
            counts = score(draft, expected).counts
            names = everything | {n for _, _, ns in expected.entities.values() for n in ns}
            counts.update(score_entities(draft.new_entities, expected.entities, names))
            out[text_path.stem] = counts
    return out
