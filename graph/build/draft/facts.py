"""Candidate facts of a sentence: acts and meetings by their triggers, statements, counts, posts.

Long for a reason: one job, the ``Facts`` rules, which share the state of a text as they run
(the facts and meetings proposed so far, their ids, the linker's mentions): an act joins the
last meeting, "the two sides" are its attendees, a coordinated trigger cuts the act before it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from graph.build.draft.lexicon import Lexicon, Trigger
from graph.build.draft.model import DateExpr, DraftFact, DraftMention
from graph.build.draft.names import AGENTS, DOCUMENTS, PLACES, Linker, slug
from graph.build.draft.text import Token, fold, tokens

__all__ = ["Facts"]

_QUOTE = re.compile(r"“[^”]{3,}”|\"[^\"]{3,}\"")
_NUMBER = re.compile(
    r"(?<![\w.,$])(?P<n>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?![\w,.]\d)"
    r"(?:\s+(?P<scale>thousand|million|billion|trillion)\b)?"
)
_DETERMINERS = frozenset({"the", "a", "an", "its", "their", "his", "her", "our"})


@dataclass
class _Clause:
    """What one sentence offers the rules."""

    index: int
    start: int
    end: int
    toks: list[Token]
    mentions: list[DraftMention]
    dates: list[DateExpr]
    quotes: list[tuple[int, int]]
    according: tuple[int, int] | None = None
    according_to: str | None = None
    opinions: list[tuple[int, int, str | None]] = field(default_factory=list)


@dataclass(frozen=True)
class _Found:
    """A trigger found in a clause, and where its words start and end in the text."""

    clause: _Clause
    trig: Trigger
    at: int
    after: int


@dataclass
class Facts:
    """Proposes the facts of one text, sentence by sentence, with the linker's mentions."""

    linker: Linker
    lex: Lexicon
    text: str = ""
    facts: list[DraftFact] = field(default_factory=list)
    meetings: list[DraftFact] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)

    # ---- one sentence ----------------------------------------------------------------------

    def sentence(
        self,
        text: str,
        index: int,
        start: int,
        end: int,
        mentions: list[DraftMention],
        dates: list[DateExpr],
    ) -> None:
        """Propose the facts of one sentence (after its mentions and dates are found)."""
        self.text = text
        toks = tokens(text, start, end)
        quotes = [(m.start(), m.end()) for m in _QUOTE.finditer(text, start, end)]
        c = _Clause(index, start, end, toks, mentions, dates, quotes)
        self._according(c)
        self._posts(c)
        acts = self._triggers(c)
        self._statements(c, acts)
        self._observations(c)

    # ---- helpers ---------------------------------------------------------------------------

    def _add(self, c: _Clause, kind: str, name: str, **kw: object) -> DraftFact:
        ident = slug(f"{kind} {name}")[:60].strip("-")
        base, n = ident, 2
        while ident in self.ids:
            ident, n = f"{base}-{n}", n + 1
        self.ids.add(ident)
        fact = DraftFact(
            id=ident,
            kind=kind,
            status=None,
            sentence=c.index,
            quote=self.text[c.start : c.end],
            start=c.start,
            end=c.end,
        )
        for key, value in kw.items():
            setattr(fact, key, value)
        if c.according_to and "according_to" not in fact.details:
            fact.details["according_to"] = c.according_to
        self.facts.append(fact)
        return fact

    def _name(self, ident: str) -> str:
        return self.linker.entity(ident).name

    def _agents(self, c: _Clause, a: int, b: int, subject: bool = False) -> list[DraftMention]:
        """The agents named in ``[a, b)`` outside the "according to" phrase, not inside a
        "X's Y" or an apposition."""
        out = []
        for m in c.mentions:
            if not (a <= m.start and m.end <= b) or m.type not in AGENTS:
                continue
            if c.according and c.according[0] <= m.start < c.according[1]:
                continue
            if re.match(r"[’']s\b", self.text[m.end : m.end + 2]):
                continue  # the Kingdom’s National Social Security Fund
            if any(o is not m and o.start <= m.start and m.end <= o.end for o in c.mentions):
                continue
            if subject and re.search(
                r"\b(?:with|of|for|to|from|by|in|on|at|between|than)\s+(?:the\s+)?$",
                self.text[max(a, m.start - 12) : m.start],
                re.I,
            ):
                continue  # "Japan values its partnership with Vietnam": not a subject
            out.append(m)
        return out

    def _in_quote(self, c: _Clause, at: int) -> tuple[int, int] | None:
        for q in c.quotes:
            if q[0] <= at < q[1]:
                return q
        return None

    # ---- "according to X", "..., X said." ---------------------------------------------------

    def _according(self, c: _Clause) -> None:
        for words in self.lex.according:
            pattern = r"\b" + r"\s+".join(map(re.escape, words)) + r"\b"
            m = re.compile(pattern, re.I).search(self.text, c.start, c.end)
            if m is None:
                continue
            stop = self.text.find(",", m.end(), c.end)
            stop = c.end if stop < 0 or m.start() > c.start + 2 else stop
            c.according = (m.start(), stop)
            inside = [x for x in c.mentions if m.end() <= x.start < stop]
            docs = [x for x in inside if x.type in DOCUMENTS]
            if inside:
                c.according_to = (docs or inside)[0].entity
            return
        # "..., officials said." / "..., the Ministry (MARD) said."
        tail = re.search(
            r",\s+([^,“”\"]{2,80}?)\s+(?:said|says|reported|announced)\.\s*$",
            self.text[c.start : c.end],
        )
        if tail and not self._in_quote(c, c.start + tail.start()):
            a = c.start + tail.start()
            c.according = (a, c.end)
            inside = [x for x in c.mentions if a <= x.start]
            if inside:
                c.according_to = inside[0].entity

    # ---- posts -------------------------------------------------------------------------------

    def _posts(self, c: _Clause) -> None:
        for person, post, a, b in self.linker.posts:
            if c.start <= a < c.end:
                self._add(
                    c,
                    "post",
                    f"{self._name(person)} {self._name(post)}",
                    actors=[person],
                    how=f"a post held: “{self.text[a:b]}”",
                    score=0.8,
                    summary=f"{self._name(person)} holds {self._name(post)}",
                    details={"relation": "holds", "subject": person, "object": post},
                    quote=self.text[a:b],
                    start=a,
                    end=b,
                )

    # ---- acts and meetings -----------------------------------------------------------------

    def _find_triggers(self, c: _Clause) -> list[tuple[int, int, Trigger]]:
        """Every trigger phrase in the sentence, longest first at each word, none overlapping."""
        out = []
        keys = [t.key for t in c.toks]
        i = 0
        while i < len(keys):
            best = None
            for trig in self.lex.triggers:
                n = len(trig.words)
                if tuple(keys[i : i + n]) == trig.words and (best is None or n > len(best.words)):
                    best = trig
            if best is None:
                i += 1
                continue
            out.append((i, i + len(best.words), best))
            i += len(best.words)
        return out

    def _triggers(self, c: _Clause) -> list[DraftFact]:
        found = self._find_triggers(c)
        acts: list[DraftFact] = []
        self._opinions(c, found)
        previous: DraftFact | None = None
        prev_end = c.start
        content_end: int | None = None
        for i, j, trig in found:
            at, after = c.toks[i].start, c.toks[j - 1].end
            opinion = next((o for o in c.opinions if o[0] <= at < o[1]), None)
            if opinion is not None and not trig.opinion:
                continue  # "he hopes the embassy will continue to ...": a hope, not a pledge
            coordinated = i > 0 and c.toks[i - 1].key == "and"
            if previous is not None and content_end is not None and at < content_end:
                if not coordinated:
                    continue
                self._cut(previous, acts, at)
            facts = self._act(
                _Found(c, trig, at, after), prev_end, previous if coordinated else None, opinion
            )
            acts.extend(facts)
            if facts:
                previous = facts[-1]
                content_end = c.end
            prev_end = after
        return acts

    def _cut(self, previous: DraftFact, acts: list[DraftFact], at: int) -> None:
        """A coordinated trigger ends the content of the act before it."""
        for act in acts:
            begin = int(act.details.get("content_start", at))
            if act.summary and begin < at and act.details.get("content_end", at) > at:
                words = _clean(self.text[begin:at])
                act.summary = re.sub(r"[\s,]*\band$", "", words).strip() or act.summary

    def _opinions(self, c: _Clause, found: list[tuple[int, int, Trigger]]) -> None:
        """The spans governed by an opinion verb (hopes, believes): no act inside is stated."""
        keys = [t.key for t in c.toks]
        for i in range(len(keys)):
            for words in self.lex.opinion:
                if tuple(keys[i : i + len(words)]) == words:
                    holder = self._agents(c, c.start, c.toks[i].start)
                    c.opinions.append(
                        (c.toks[i].start, c.end, holder[0].entity if holder else None)
                    )

    def _subject(self, c: _Clause, at: int, prev_end: int) -> tuple[list[DraftMention], int]:
        """The agents before a trigger, in its own clause, and where that clause starts."""
        begin = c.start
        if c.according and c.according[1] <= at and c.according[0] <= c.start + 2:
            begin = max(begin, c.according[1])
        quote = self._in_quote(c, at)
        if quote is not None:
            begin = max(begin, quote[0] + 1)
        else:
            for q in c.quotes:
                if q[1] <= at:
                    begin = max(begin, q[1])
        begin = max(begin, prev_end)
        keys = [t for t in c.toks if begin <= t.start < at]
        for k, t in enumerate(keys):
            if (t.key,) in self.lex.reporting and k + 1 < len(keys):
                following = self._agents(c, t.end, at)
                if following:
                    begin = t.end
        return self._agents(c, begin, at, subject=True), begin

    def _sides(self, c: _Clause, begin: int, at: int) -> list[str] | None:
        words = tuple(t.key for t in c.toks if begin <= t.start < at)
        for sides in self.lex.sides:
            for k in range(len(words) - len(sides) + 1):
                if words[k : k + len(sides)] == sides and self.meetings:
                    return list(self.meetings[-1].actors)
        return None

    def _act(
        self,
        found: _Found,
        prev_end: int,
        coordinated: DraftFact | None,
        opinion: tuple[int, int, str | None] | None,
    ) -> list[DraftFact]:
        c, trig, at, after = found.clause, found.trig, found.at, found.after
        # the content runs to the end of the clause, or to its "according to" after the trigger
        stop = c.end if not c.according or c.according[0] < at else c.according[0]
        subject, begin = self._subject(c, at, prev_end if coordinated else c.start)
        actors = [m.entity for m in subject if m.type != "post"]
        if coordinated is not None:
            actors = list(coordinated.actors)
        how = f"the words “{self.text[at:after]}” ({trig.kind})"
        score = trig.score
        inferred: str | None = None
        if not actors:
            sides = self._sides(c, begin, at)
            if sides:
                actors, inferred = sides, "“the two sides”: the attendees of the last meeting"
                how += "; " + inferred
        if not actors and coordinated is not None:
            actors = list(coordinated.actors)
            how += "; the actors of the act before it (joined by “and”)"
        if not actors and opinion is not None and opinion[2]:
            actors = [opinion[2]]
            how += "; the one whose opinion it is"
        if not actors:
            score *= 0.6
            how += "; no actor found"
        quote = self._in_quote(c, at)
        if quote is not None:
            stop = min(stop, quote[1] - 1)
        objects = self._agents(c, after, stop)
        if trig.kind == "meeting":
            return [self._meeting(found, actors, objects, how, score)]
        addressees: list[str] = []
        content = after
        if trig.object == "addressee" and objects and objects[0].start - after <= 6:
            addressees = [objects[0].entity]
            content = objects[0].end
        if trig.kind == "request":
            to = re.match(r"\s*(?:to|for)\b", self.text[content:stop])
            if to:
                content += to.end()
        elif trig.object == "content":
            to = re.match(r"\s*(?:to|that)\b", self.text[content:stop])
            if to:
                content += to.end()
            elif len(trig.words) >= 3 and trig.words[-1] not in ("to", "with"):
                content = at + len(trig.words[0])  # "signed a memorandum of ...": the thing
        if trig.opinion and opinion is not None:
            content = _opinion_start(self.text, opinion[0], at)
        items = self._items(content, stop)
        out = []
        if trig.kind == "endorsement":
            items = items[:1]
        for a, b in items:
            summary = _clean(self.text[a:b])
            if trig.opinion:
                summary = _clean(self.text[a:after])
            elif trig.kind == "endorsement" and trig.object == "addressee":
                summary = _clean(self.text[at:b])
            if len(summary) < 3:
                summary = self.text[at:stop].strip().rstrip('.,;:”"')
            partners = self._partners(c, a, b)
            details: dict[str, object] = {
                "trigger": trig.phrase,
                "content_start": a + len(self.text[a:b]) - len(self.text[a:b].lstrip()),
                "content_end": b,
            }
            if inferred:
                details["inferred"] = inferred
            occasion = self._occasion(c, actors + addressees)
            if occasion:
                details["occasion"] = occasion
            date = c.dates[0].edtf if c.dates else None
            name = f"{(actors or ['x'])[0]} {' '.join(summary.split()[:5])}"
            out.append(
                self._add(
                    c,
                    trig.kind,
                    name,
                    status=trig.status,
                    actors=actors,
                    addressees=addressees,
                    partners=partners,
                    date=date,
                    how=how + (f"; one of {len(items)} things named" if len(items) > 1 else ""),
                    score=score * (0.9 if len(items) > 1 else 1.0),
                    summary=summary,
                    details=details,
                )
            )
        return out

    def _occasion(self, c: _Clause, people: list[str]) -> str | None:
        if not self.meetings:
            return None
        last = self.meetings[-1]
        if c.index - last.sentence <= 6 and set(people) & set(last.actors):
            return last.id
        return None

    def _meeting(
        self, found: _Found, actors: list[str], objects: list[DraftMention], how: str, score: float
    ) -> DraftFact:
        c, at, after = found.clause, found.at, found.after
        persons = [m.entity for m in objects if m.type == "person"]
        others = [m.entity for m in objects if m.type in AGENTS and m.type != "country"]
        attendees = list(dict.fromkeys(actors + (persons or others)))
        place = None
        for m in c.mentions:
            if (
                m.type in PLACES
                and m.start >= after
                and (not c.according or m.start < c.according[0])
            ):
                before = self.text[max(c.start, m.start - 4) : m.start]
                if re.search(r"\b(?:in|at)\s+$", before):
                    place = m.entity
                    break
        date = next((d for d in c.dates if d.start >= at), c.dates[0] if c.dates else None)
        details: dict[str, object] = {"trigger": found.trig.phrase}
        if date is not None and date.inferred:
            details["date_inferred"] = date.inferred
            details["date_reason"] = date.reason
        if len(attendees) < 2:
            score *= 0.7
            how += "; fewer than two attendees found"
        names = " ".join(self._name(a).split()[-1] for a in attendees[:2])
        fact = self._add(
            c,
            "meeting",
            f"{names} {date.text if date else ''}",
            actors=attendees,
            date=date.edtf if date else None,
            place=place,
            how=how,
            score=score,
            summary=self.text[c.start : c.end].strip().rstrip("."),
            details=details,
        )
        self.meetings.append(fact)
        return fact

    def _items(self, a: int, b: int) -> list[tuple[int, int]]:
        """The things an act names, split at coordination: "expand X, and examine Y, as well
        as Z"; "providing X, the exchange of Y and the provision of Z"."""
        piece = self.text[a:b]
        cuts = [0]
        for m in re.finditer(r",\s+(?:and|as well as|while(?:\s+also)?|plus)\s+|;\s+", piece):
            nxt = piece[m.end() :].split(" ", 1)[0].lower()
            if m.group().strip(", ").startswith("and") and nxt in _DETERMINERS:
                continue
            cuts.append(m.start())
            cuts.append(m.end())
        cuts.append(len(piece))
        spans = [(cuts[k], cuts[k + 1]) for k in range(0, len(cuts), 2)]
        out: list[tuple[int, int]] = []
        for x, y in spans:
            out.extend(self._list(piece, x, y))
        return [(a + x, a + y) for x, y in out if piece[x:y].strip()]

    def _list(self, piece: str, x: int, y: int) -> list[tuple[int, int]]:
        part = piece[x:y]
        commas = [
            m
            for m in re.finditer(r",\s+(?=(?:the|a|an)\s|\w+ing\b)", part)
            if "between" not in part[: m.start()]
        ]
        if not commas:
            return [(x, y)]
        last = commas[-1].end()
        ands = [
            m
            for m in re.finditer(r"\s+and\s+(?=(?:the|a|an)\s|\w+ing\b)", part[last:])
            if "between" not in part[: last + m.start()]
        ]
        bounds = [(m.start(), m.end()) for m in commas]
        if ands:
            bounds.append((last + ands[0].start(), last + ands[0].end()))
        out, begin = [], 0
        for s, e in bounds:
            out.append((x + begin, x + s))
            begin = e
        out.append((x + begin, y))
        return out

    def _partners(self, c: _Clause, a: int, b: int) -> list[list[str]]:
        """ "cooperation between A and B with C": the sides [[A, B], [C]]."""
        m = re.search(r"\bbetween\b", self.text[a:b])
        if m is None:
            return []
        start = a + m.end()
        agents = [x for x in self._agents(c, start, b) if x.type != "post"]
        if len(agents) < 2:
            return []
        split = self.text.find(" with ", start, b)
        if split < 0:
            rest = [x.entity for x in agents[1:] if x.entity != agents[0].entity]
            return [[agents[0].entity], list(dict.fromkeys(rest))] if rest else []
        left = [x.entity for x in agents if x.start < split]
        right = [x.entity for x in agents if x.start > split]
        return [list(dict.fromkeys(left)), list(dict.fromkeys(right))] if left and right else []

    # ---- statements --------------------------------------------------------------------------

    def _statements(self, c: _Clause, acts: list[DraftFact]) -> None:
        speakers: set[str | None] = set()
        for q0, q1 in c.quotes:
            words = self.text[q0 + 1 : q1 - 1].strip().rstrip(",")
            if len(words.split()) < 3:
                continue
            speaker, how = self._attribution(c, q0, q1)
            fact = self._add(
                c,
                "statement",
                f"{speaker or 'x'} {' '.join(words.split()[:5])}",
                actors=[speaker] if speaker else [],
                how=f"a quotation {how}",
                score=0.85 if speaker else 0.5,
                summary=words,
                details={"form": "quotation", "speaker": speaker, "text": words},
            )
            speakers.add(speaker)
            del fact
        keys = [t.key for t in c.toks]
        for i, tok in enumerate(c.toks):
            if (
                self._in_quote(c, tok.start) is None
                and c.quotes
                and any(q[1] <= tok.start for q in c.quotes)
            ):
                continue  # the attribution of a quotation
            verb: tuple[str, ...] | None = None
            for phrase in (*self.lex.reporting, *self.lex.opinion, *self.lex.participles):
                if tuple(keys[i : i + len(phrase)]) == phrase:
                    verb = phrase
                    break
            if verb is None:
                continue
            if any(
                tuple(keys[i : i + len(t.words)]) == t.words
                for t in self.lex.triggers
                if len(t.words) > 1
            ):
                continue  # "announced its intention": an act, not a statement
            end = c.toks[i + len(verb) - 1].end
            rest = self.text[
                end : (c.according[0] if c.according and c.according[0] > end else c.end)
            ]
            if len(rest.strip(' .,:;”"').split()) < 3:
                continue  # "..., officials said."
            participle = verb in self.lex.participles
            quote = self._in_quote(c, tok.start)
            begin = quote[0] + 1 if quote else c.start
            if c.according and c.according[1] <= tok.start and c.according[0] <= c.start + 2:
                begin = max(begin, c.according[1])
            agents = self._agents(c, begin, tok.start)
            if not agents:
                continue
            speaker = agents[0].entity
            if speaker in speakers:
                continue
            speakers.add(speaker)
            words = rest.strip().lstrip(":").strip()
            if words.startswith("that "):
                words = words[5:]
            words = words.rstrip('.,;:”"').strip()
            self._add(
                c,
                "statement",
                f"{speaker} {' '.join(words.split()[:5])}",
                actors=[speaker],
                how=(
                    f"a paraphrase: {agents[0].text} “{self.text[tok.start : end]}”"
                    + (" (a second clause of the speaker)" if participle else "")
                ),
                score=0.7 if not participle else 0.5,
                summary=words,
                details={"form": "paraphrase", "speaker": speaker, "text": words},
            )

    def _attribution(self, c: _Clause, q0: int, q1: int) -> tuple[str | None, str]:
        after = self.text[q1 : c.end]
        before = self.text[c.start : q0]
        speakers = [m for m in c.mentions if q1 <= m.start]
        m = re.match(r"\s*,?\s*(\w+)\s+", after)
        if m and fold(m.group(1)) in self.lex.attribution and speakers:
            return speakers[0].entity, f"attributed by “{after.strip()[:40]}”"
        if speakers:
            gap = self.text[q1 : speakers[0].start]
            tail = self.text[speakers[0].end : c.end]
            word = re.match(r"\s*(\w+)", tail)
            if not gap.strip(" ,") and word and fold(word.group(1)) in self.lex.attribution:
                return speakers[0].entity, f"attributed by “{after.strip()[:40]}”"
        lead = re.search(r"(\w+)\s*[:,]\s*$", before)
        if lead and fold(lead.group(1)) in self.lex.attribution:
            people = [x for x in c.mentions if x.end <= q0 and x.type in AGENTS]
            if people:
                return people[0].entity, "introduced by its speaker"
        return None, "whose speaker was not found"

    # ---- counts ------------------------------------------------------------------------------

    def _observations(self, c: _Clause) -> None:
        taken: list[tuple[int, int]] = [(d.start, d.end) for d in c.dates]
        for m in _NUMBER.finditer(self.text, c.start, c.end):
            a, b = m.start(), m.end()
            if any(x <= a < y for x, y in taken):
                continue
            value = float(m.group("n").replace(",", ""))
            scale = self.lex.scales.get(m.group("scale") or "", 1)
            before = self.text[max(c.start, a - 30) : a].lower()
            after = self.text[b : min(c.end, b + 60)]
            qualifier, high = None, None
            begin = a  # where the number's own words begin: its qualifier, if any
            for words, kind in sorted(self.lex.qualifiers.items(), key=lambda kv: -len(kv[0])):
                said = re.search(r"\b" + r"\s+".join(words) + r"\s+$", before)
                if said:
                    qualifier = kind
                    begin = a - len(before) + said.start()
                    break
            rng = re.match(
                r"\s+(?:and|to|-|–)\s+(\d[\d,.]*)(?:\s+(thousand|million|billion))?", after
            )
            between = re.search(r"\bbetween\s+$", before)
            if rng and (
                between
                or re.match(r"\s*(?:-|–)", after)
                # "500 to 600 million" is a range; "from 500 to 600" a change
                or (rng.group(0).split()[0] == "to" and not re.search(r"\bfrom\s+$", before))
            ):
                qualifier = "range"
                begin = a - len(before) + between.start() if between else a
            if qualifier == "range" and rng:
                scale = self.lex.scales.get(rng.group(2) or "", scale)
                high = float(rng.group(1).replace(",", "")) * scale
                b = b + rng.end()
                after = self.text[b : min(c.end, b + 60)]
            currency, end = None, b
            low_after = " ".join(fold(w) for w in after.split()[:2])
            for words, code in sorted(self.lex.currencies.items(), key=lambda kv: -len(kv[0])):
                if words == ("$",):
                    if self.text[max(c.start, a - 1) : a] == "$":
                        currency, begin = code, min(begin, a - 1)
                elif low_after.startswith(" ".join(words)):
                    currency = code
                    named = re.match(
                        r"\s*" + r"\s+".join(map(re.escape, words)) + r"\b",
                        self.text[b : c.end],
                        re.IGNORECASE,
                    )
                    end = b + named.end() if named else end
                    break
            window = self.text[max(c.start, a - 30) : min(c.end, b + 40)].lower()
            cue = any(" ".join(w) in window for w in self.lex.cues)
            if qualifier is None and currency is None and not cue:
                continue
            population, sex = self._population(after, currency)
            full = value * scale
            date = next(
                (d.edtf for d in c.dates if d.edtf[:4].isdigit() and len(d.edtf) == 4), None
            )
            per = None
            for words, every in sorted(self.lex.per.items(), key=lambda kv: -len(kv[0])):
                rate = re.match(
                    r"\s+" + r"\s+".join(map(re.escape, words)) + r"\b",
                    self.text[end : c.end],
                    re.IGNORECASE,
                )
                if rate:
                    per, end = every, end + rate.end()
                    break
            # the fields of the sheet's observation (seeds/README.md): a range has no qualifier
            details: dict[str, object] = {
                "value": _number(full) if high is None else None,
                "range": [_number(full), _number(high)] if high is not None else None,
                "qualifier": (qualifier or "exact") if high is None else None,
                "unit": "money" if currency else "persons" if population else None,
                "currency": currency,
                "per": per,
                "as_written": self.text[begin:end],
                "population": population,
                "sex": sex,
            }
            self._add(
                c,
                "observation",
                f"{population or 'count'} {m.group('n')}",
                actors=[],
                date=date,
                how="a count "
                + (
                    "with its qualifier"
                    if qualifier
                    else "with a currency"
                    if currency
                    else "a statistic's words"
                ),
                score=0.7,
                summary=self.text[
                    max(c.start, a - (len(before) - len(before.rstrip()))) : b
                ].strip()
                + (f" {population}" if population else ""),
                details=details,
            )
            taken.append((a, b))

    def _population(self, after: str, currency: str | None) -> tuple[str | None, str]:
        """What a count counts ("Cambodians", "Vietnamese farmers", "of them women")."""
        sex = "total"
        if currency:
            return None, sex
        words: list[str] = []
        for w in re.findall(r"[\w’'-]+|[,.;:()]", after):
            if not re.match(r"[\w’'-]+$", w) or w.lower() in (
                "were",
                "was",
                "are",
                "is",
                "had",
                "have",
                "has",
                "cross",
                "crossed",
                "in",
                "at",
                "to",
                "from",
                "who",
                "that",
                "which",
                "worked",
                "work",
            ):
                break
            words.append(w)
            if len(words) == 4:
                break
        for w in words:
            sex = self.lex.sex.get(fold(w), sex)
        text = " ".join(words).strip()
        return (text or None), sex

    def all(self) -> Iterable[DraftFact]:
        return self.facts


def _number(x: float) -> int | float:
    """A count as an integer when it is whole (3.5 million is 3500000)."""
    return int(x) if x == int(x) else x


def _clean(words: str) -> str:
    """A summary in the source's words: trimmed of white space and closing punctuation."""
    return words.strip().rstrip('.,;:”"').strip()


def _opinion_start(text: str, verb: int, at: int) -> int:
    """Where the opinion's own clause begins: after "believes (that) "."""
    m = re.match(r"\w+\s+(?:that\s+)?", text[verb:at])
    return verb + (m.end() if m else 0)
