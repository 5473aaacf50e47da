"""Names in a text: linked to the register, proposed as new entities, and what refers to them.

Long for a reason: one job, the ``Linker``, whose steps (exact names, name-like runs, new
entities, abbreviations, role nouns and pronouns, documents) each read and extend the same
state of a text (its mentions so far, local abbreviations, the roles and posts learnt); its
sections are marked in the class.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise

from rapidfuzz import fuzz, process

from graph.build.draft.lexicon import Lexicon
from graph.build.draft.model import DraftMention, NewAlias, NewEntity
from graph.build.draft.text import Token, fold, tokens

__all__ = ["FUZZY_THRESHOLD", "Known", "Linker", "NameIndex", "places", "slug"]

#: The least similarity (0-100, rapidfuzz's ratio) for a spelling variant to be linked.
FUZZY_THRESHOLD = 88.0
PERSON = "person"
AGENTS = frozenset(
    {"person", "organization", "government-organization", "workers-union", "country", "group"}
)
PLACES = frozenset({"country", "province", "city"})
DOCUMENTS = frozenset({"news-article", "social-media-posting", "report", "dataset"})
#: Words that head a phrase naming a document (a post by the ministry, the report).
DOCUMENT_HEADS = {
    "post": "social-media-posting",
    "posting": "social-media-posting",
    "tweet": "social-media-posting",
    "report": "report",
    "statement": "report",
    "communique": "report",
    "release": "report",
    "study": "report",
    "survey": "report",
}
_ABBREVIATION = re.compile(r"\(\s*([A-Z][A-Za-z&]{1,9})\s*\)")


def slug(name: str) -> str:
    """An id from a name: lower case, ASCII, words joined by hyphens.

    Examples:
        >>> slug("Ministry of Agriculture & Rural Development"), slug("Hà Nội")
        ('ministry-of-agriculture-rural-development', 'ha-noi')
    """
    words = [fold(w) for w in re.split(r"[\s\-–—/’'&,.()]+", name)]
    return "-".join(w for w in words if w)[:80].strip("-") or "entity"


@dataclass(frozen=True)
class Known:
    """An entity the drafter can link to: from the register, or proposed in this run."""

    id: str
    type: str
    name: str
    aliases: tuple[str, ...] = ()
    new: bool = False


@dataclass
class NameIndex:
    """Every name, alias and abbreviation of the known entities by its folded form."""

    keys: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # key -> (id, how)
    capital: dict[str, bool] = field(default_factory=dict)  # key -> written with a capital
    entities: dict[str, Known] = field(default_factory=dict)
    longest: int = 1

    def add(self, entity: Known) -> None:
        """Index an entity's name and aliases (a person's also in the other order)."""
        self.entities[entity.id] = entity
        self._key(entity.name, entity.id, "its name in the register")
        for alias in entity.aliases:
            self._key(alias, entity.id, f"the alias {alias!r} in the register")
        if entity.type == PERSON:
            for name in (entity.name, *entity.aliases):
                words = [t.text for t in tokens(name)]
                if len(words) >= 2:
                    for turned in (words[1:] + words[:1], words[-1:] + words[:-1]):
                        self._key(" ".join(turned), entity.id, f"{name!r} in the other order")

    def _key(self, name: str, ident: str, how: str) -> None:
        key = fold(name)
        if len(key) < 2:
            return
        entries = self.keys.setdefault(key, [])
        if all(e[0] != ident for e in entries):
            entries.append((ident, how))
        self.capital[key] = self.capital.get(key, False) or name[:1].isupper()
        self.longest = max(self.longest, min(12, len(tokens(name))))


@lru_cache(maxsize=1)
def places() -> dict[str, list[tuple[str, str, str]]]:
    """Countries and subdivisions of ISO 3166 (``pycountry``) by folded name: each as
    ``(type, code, name)``, type ``country``, ``province`` or ``city``."""
    import pycountry

    out: dict[str, list[tuple[str, str, str]]] = {}
    for c in pycountry.countries:
        name = getattr(c, "common_name", None) or c.name
        for n in {c.name, getattr(c, "common_name", None), getattr(c, "official_name", None)}:
            if n and "," not in n:
                out.setdefault(fold(n), []).append(("country", c.alpha_2, name))
    for s in pycountry.subdivisions:
        kind = s.type.lower()
        if any(w in kind for w in ("city", "municipality", "capital")):
            typ = "city"
        elif any(w in kind for w in ("province", "prefecture", "state", "region", "oblast")):
            typ = "province"
        else:
            continue
        out.setdefault(fold(s.name), []).append((typ, s.code, s.name))
    return out


@dataclass
class Linker:
    """Finds the mentions of one text, sentence by sentence, in reading order."""

    index: NameIndex
    lex: Lexicon
    proposed: dict[str, NewEntity]  # folded name -> new entity, shared by a run's texts
    text: str = ""
    mentions: list[DraftMention] = field(default_factory=list)
    local: dict[str, tuple[str, str]] = field(default_factory=dict)  # abbreviations, short names
    roles: dict[str, set[str]] = field(default_factory=dict)  # person id -> role words
    posts: list[tuple[str, str, int, int]] = field(default_factory=list)  # person, post, span
    subjects: list[str | None] = field(default_factory=list)  # per sentence: first person
    new_aliases: list[NewAlias] = field(default_factory=list)  # for register entities

    # ---- the entities --------------------------------------------------------------------

    def entity(self, ident: str) -> Known:
        return self.index.entities[ident]

    def _propose(self, name: str, typ: str, how: str, score: float, code: str | None = None) -> str:
        key = fold(name)
        if key in self.index.keys:
            return self.index.keys[key][0][0]
        found = self.proposed.get(key)
        if found is None:
            ident = slug(name)
            taken = {e.id for e in self.proposed.values()} | set(self.index.entities)
            base, n = ident, 2
            while ident in taken:
                ident, n = f"{base}-{n}", n + 1
            found = NewEntity(ident, name, typ, [], how, score, code)
            self.proposed[key] = found
        known = Known(found.id, found.type, found.name, tuple(found.aliases), new=True)
        self.index.add(known)
        return found.id

    def alias(self, ident: str, alias: str, how: str = "") -> None:
        """Record an alias (an abbreviation the text defines) for a proposed entity, or
        propose it for an entity of the register that does not have it yet."""
        for entity in self.proposed.values():
            if entity.id == ident:
                if alias not in entity.aliases and alias != entity.name:
                    entity.aliases.append(alias)
                return
        known = self.index.entities.get(ident)
        if (
            known is not None
            and not known.new
            and alias != known.name
            and alias not in known.aliases
            and not any(a.entity == ident and a.alias == alias for a in self.new_aliases)
        ):
            self.new_aliases.append(NewAlias(ident, alias, how, 0.9))

    # ---- one sentence ----------------------------------------------------------------------

    def link(self, text: str, start: int, end: int, index: int) -> list[DraftMention]:
        """The mentions of one sentence; later sentences may refer back to them."""
        self.text = text
        toks = tokens(text, start, end)
        found: list[DraftMention] = []
        taken = [False] * len(toks)
        self._exact(toks, taken, found)
        self._nested(toks, found)
        self._names(toks, taken, found, index)
        self._abbreviations(found, start, end)
        self._referring(toks, taken, found, index)
        found.sort(key=lambda m: (m.start, -m.end))
        self.mentions.extend(found)
        persons = [m for m in found if m.type == PERSON]
        self.subjects.append(persons[0].entity if persons else None)
        return found

    def _mention(
        self,
        toks: list[Token],
        i: int,
        j: int,
        ident: str,
        how: str,
        score: float,
        inferred: str | None = None,
    ) -> DraftMention:
        a, b = toks[i].start, toks[j - 1].end
        return DraftMention(
            self.text[a:b], a, b, ident, inferred, how, score, self.entity(ident).type
        )

    def _exact(self, toks: list[Token], taken: list[bool], found: list[DraftMention]) -> None:
        i = 0
        while i < len(toks):
            hit = None
            for n in range(min(self.index.longest, len(toks) - i), 0, -1):
                if any(taken[i : i + n]):
                    continue
                key = "".join(t.key for t in toks[i : i + n])
                entries = self.index.keys.get(key) or (
                    [self.local[key]] if key in self.local else None
                )
                if not entries:
                    continue
                if n == 1 and not toks[i].capitalised and self.index.capital.get(key, True):
                    continue  # one word written in lower case: a common word, not the name
                if n == 1 and toks[i].key in self.lex.common and not toks[i].text.isupper():
                    continue
                hit = (n, entries)
                break
            if hit is None:
                i += 1
                continue
            n, entries = hit
            ident, how = self._choose(entries)
            if self.entity(ident).type == "post" and i > 0 and toks[i - 1].key == "the":
                i += 1  # "the deputy minister": a person, found by the role noun
                continue
            exact = "".join(t.text for t in toks[i : i + n]) == "".join(
                re.findall(r"[^\W_]+", self.entity(ident).name)
            )
            score = 1.0 if exact else 0.95 if len(entries) == 1 else 0.6
            if len(entries) > 1:
                how += f"; also the name of {', '.join(e[0] for e in entries if e[0] != ident)}"
            found.append(self._mention(toks, i, i + n, ident, how, score))
            for k in range(i, i + n):
                taken[k] = True
            i += n

    def _nested(self, toks: list[Token], found: list[DraftMention]) -> None:
        """Places and bodies named inside a longer name: "embassy in Seoul", "governor of
        Gyeongsangbuk-do province"."""
        for outer in list(found):
            inner = [k for k, t in enumerate(toks) if outer.start < t.start and t.end <= outer.end]
            if len(inner) < 2:
                continue
            sub = toks[inner[0] : inner[-1] + 1]
            mine: list[DraftMention] = []
            self._exact(sub, [False] * len(sub), mine)
            for m in mine:
                if m.type in PLACES or (m.type in AGENTS and m.type != PERSON):
                    m.how = f"{m.how}, inside {outer.text!r}"
                    found.append(m)

    def _choose(self, entries: list[tuple[str, str]]) -> tuple[str, str]:
        """Of several entities with one name, the one the text mentioned last."""
        if len(entries) == 1:
            return entries[0]
        for mention in reversed(self.mentions):
            for entry in entries:
                if entry[0] == mention.entity:
                    return entry[0], entry[1] + " (the one this text named last)"
        return entries[0]

    def _runs(self, toks: list[Token], taken: list[bool]) -> Iterable[tuple[int, int]]:
        """Runs of capitalised words not linked yet (connectors allowed inside)."""
        i = 0
        while i < len(toks):
            if taken[i] or not self._namelike(toks, i):
                i += 1
                continue
            j = i + 1
            while j < len(toks) and not taken[j]:
                if self.text[toks[j - 1].end : toks[j].start] == "-":
                    j += 1  # Jung-sik, Gyeongsangbuk-do
                elif self._namelike(toks, j) and self._adjacent(toks, j):
                    j += 1
                elif (
                    toks[j].text in self.lex.connectors
                    and j + 1 < len(toks)
                    and not taken[j + 1]
                    and self._namelike(toks, j + 1)
                    and self._adjacent(toks, j)
                    and self._adjacent(toks, j + 1)
                ):
                    j += 2
                else:
                    break
            yield i, j
            i = j

    def _adjacent(self, toks: list[Token], j: int) -> bool:
        gap = self.text[toks[j - 1].end : toks[j].start]
        return gap in (" ", "-", "’ ", "' ", "") or (gap.isspace() and "\n" not in gap)

    def _namelike(self, toks: list[Token], i: int) -> bool:
        t = toks[i]
        if not t.capitalised or t.text.isdigit():
            return False
        return t.key not in self.lex.common or (t.text.isupper() and len(t.text) > 1)

    def _names(
        self, toks: list[Token], taken: list[bool], found: list[DraftMention], index: int
    ) -> None:
        for i, j in list(self._runs(toks, taken)):
            self._name_run(toks, i, j, taken, found, index)

    def _role_at(self, toks: list[Token], i: int, j: int) -> int:
        """The length of the role phrase starting at word ``i`` (0: none)."""
        for n in range(min(4, j - i), 0, -1):
            if tuple(t.key for t in toks[i : i + n]) in self.lex.roles:
                return n
        return 0

    def _name_run(
        self,
        toks: list[Token],
        i: int,
        j: int,
        taken: list[bool],
        found: list[DraftMention],
        index: int,
        titled: bool = False,
    ) -> None:
        # A title before a name: "Deputy Minister Tran Van Minh", "Japanese Ambassador X".
        for k in range(i, j):
            n = self._role_at(toks, k, j)
            if n and k + n < j and toks[k + n].key not in ("of", "for"):
                if k + n > i:
                    post = self.text[toks[i].start : toks[k + n - 1].end]
                    if not any(m.start == toks[i].start for m in found):
                        pid = self._propose(post, "post", "a title before a name", 0.6)
                        found.append(self._mention(toks, i, k + n, pid, "a title", 0.6))
                self._name_run(toks, k + n, j, taken, found, index, titled=True)
                return
        if i >= j:
            return
        # "Minister of Labour and Vocational Training Heng Sour met": a post, then a person.
        n = self._role_at(toks, i, j)
        if n and i + n < j and toks[i + n].key == "of":
            if j - i >= 5 and self._person_cue(toks, j - 2, j):
                post = self.text[toks[i].start : toks[j - 3].end]
                pid = self._propose(post, "post", "a title before a name", 0.6)
                found.append(self._mention(toks, i, j - 2, pid, "a title", 0.6))
                self._take(taken, i, j - 2)
                self._name_run(toks, j - 2, j, taken, found, index, titled=True)
                return
            self._new(
                toks,
                i,
                j,
                name_of(self.text, toks, i, j),
                "".join(t.key for t in toks[i:j]),
                taken,
                found,
                False,
            )
            return
        # "Thailand and Laos": two names, unless a word of the run makes it one name.
        ands = [k for k in range(i + 1, j - 1) if toks[k].key == "and"]
        if ands and not any(toks[k].key in self.lex.heads for k in (i, j - 1)):
            cut = ands[0]
            self._name_run(toks, i, cut, taken, found, index, titled)
            self._name_run(toks, cut + 1, j, taken, found, index, titled)
            return
        name = self.text[toks[i].start : toks[j - 1].end]
        key = "".join(t.key for t in toks[i:j])
        # A spelling variant of a registered name ("Chhuncheon").
        if len(key) >= 5:
            choices = [k for k in self.index.keys if abs(len(k) - len(key)) <= 3]
            best = process.extractOne(key, choices, scorer=fuzz.ratio)
            if (
                best is not None
                and best[1] >= FUZZY_THRESHOLD
                and not key.startswith(best[0])
                and not best[0].startswith(key)
                and key[0] == best[0][0]
            ):
                ident, _ = self._choose(self.index.keys[best[0]])
                how = f"spelling close to {self.entity(ident).name!r} (similarity {best[1]:.0f})"
                found.append(self._mention(toks, i, j, ident, how, best[1] / 100))
                self._take(taken, i, j)
                return
        # A short form of a person the text named in full ("Morita", "Lee").
        if j - i == 1:
            short = self._short(toks[i].key)
            if short is not None:
                ident = short
                how = f"short for {self.entity(ident).name!r}, named earlier in the text"
                found.append(self._mention(toks, i, j, ident, how, 0.85))
                self._take(taken, i, j)
            elif toks[i].key in places() and toks[i].key not in self.lex.common:
                self._new(toks, i, j, name, key, taken, found, False)
            elif i > 0 and toks[i - 1].key == "in" and not toks[i].text.isupper():
                self._new(toks, i, j, name, key, taken, found, False, where=True)
            return
        self._new(toks, i, j, name, key, taken, found, titled or self._person_cue(toks, i, j))

    def _person_cue(self, toks: list[Token], i: int, j: int) -> bool:
        """Whether the words around a run say it names a person: "X, director of", "X said",
        "his counterpart X"."""
        after = self.text[toks[j - 1].end : toks[j - 1].end + 40]
        role = re.match(r",\s+(?:the\s+)?([a-z][a-z\- ]{1,30}?)\s+(?:of|at|for)\b", after)
        if role and tuple(fold(w) for w in role.group(1).split()) in self.lex.roles:
            return True
        if j < len(toks):
            nxt = toks[j].key
            if (nxt,) in self.lex.reporting or any(t.words[0] == nxt for t in self.lex.triggers):
                return True
        if i > 0 and any(
            t.words[-1] == toks[i - 1].key and t.object != "content" for t in self.lex.triggers
        ):
            return True  # "met Kenji Morita", "asked Bounmy"
        return i > 0 and toks[i - 1].key in ("counterpart", "minister", "mr", "mrs", "ms", "dr")

    @property
    def _heads(self) -> dict[str, str]:
        return {k: v for k, v in self.lex.heads.items() if " " not in k}

    def _new(
        self,
        toks: list[Token],
        i: int,
        j: int,
        name: str,
        key: str,
        taken: list[bool],
        found: list[DraftMention],
        person: bool,
        where: bool = False,
    ) -> None:
        while j - i > 1 and toks[i].key in ("the", "a", "an"):
            i += 1
            name = self.text[toks[i].start : toks[j - 1].end]
            key = "".join(t.key for t in toks[i:j])
        typ, how, score, code = self._classify(toks[i:j], key, person, where)
        if typ is None:
            return
        ident = self._propose(name, typ, how, score, code)
        found.append(self._mention(toks, i, j, ident, "a new name: " + how, score))
        self._take(taken, i, j)

    def _classify(
        self, words: list[Token], key: str, person: bool, where: bool
    ) -> tuple[str | None, str, float, str | None]:
        place = places().get(key)
        if place:
            typ, code, _ = place[0]
            return typ, f"ISO 3166 {code} (pycountry)", 0.9, code
        if where:
            return "city", "a capitalised name after 'in': a place", 0.45, None
        if self._role_at(list(words), 0, len(words)):
            return "post", "a role and what it is of", 0.6, None
        for word in [w.key for w in reversed(words)]:
            head = self.lex.heads.get(word)
            if head is not None:
                return head, f"a {head} by its word {word!r}", 0.7, None
        if len(words) == 1:
            return None, "", 0.0, None
        if (
            person
            and len(words) <= 4
            and all(
                (w.text[:1].isupper() or self.text[w.start - 1] == "-")
                and w.text not in self.lex.connectors
                for w in words
            )
        ):
            return PERSON, "capitalised words where a person is named", 0.6, None
        return None, "", 0.0, None

    def _short(self, key: str) -> str | None:
        for mention in reversed(self.mentions):
            if mention.type != PERSON:
                continue
            names = (self.entity(mention.entity).name, *self.entity(mention.entity).aliases)
            if any(key in [t.key for t in tokens(n)] for n in names):
                return mention.entity
        return None

    @staticmethod
    def _take(taken: list[bool], i: int, j: int) -> None:
        for k in range(i, j):
            taken[k] = True

    def _abbreviations(self, found: list[DraftMention], start: int, end: int) -> None:
        """ "… Service (KLES)": the abbreviation becomes an alias of the name before it."""
        for m in _ABBREVIATION.finditer(self.text, start, end):
            before = [
                x for x in found if x.end <= m.start() and not self.text[x.end : m.start()].strip()
            ]
            if not before:
                continue
            named = before[-1]
            abbr = m.group(1)
            if not _initials(abbr, named.text):
                continue
            self.local[fold(abbr)] = (
                named.entity,
                f"the abbreviation the text defines for {named.text!r}",
            )
            self.alias(named.entity, abbr, f"the abbreviation the text defines for {named.text!r}")
            if not any(x.start == m.start(1) for x in found):
                a, b = m.start(1), m.end(1)
                found.append(
                    DraftMention(
                        abbr,
                        a,
                        b,
                        named.entity,
                        None,
                        f"the abbreviation the text defines for {named.text!r}",
                        0.95,
                        named.type,
                    )
                )

    # ---- role nouns, pronouns, "the Korean side", documents ---------------------------------

    def _referring(
        self, toks: list[Token], taken: list[bool], found: list[DraftMention], index: int
    ) -> None:
        self._learn_roles(toks, found)
        for i, tok in enumerate(toks):
            if taken[i]:
                continue
            if tok.key in ("the",) and i + 1 < len(toks):
                n = self._role_at(toks, i + 1, len(toks))
                if n and not (i + 1 + n < len(toks) and toks[i + 1 + n].key == "of"):
                    role = " ".join(t.key for t in toks[i + 1 : i + 1 + n])
                    holder = self._holder(role, found)
                    if holder is not None:
                        reason = (
                            f"“the {role}”: {self.entity(holder).name} is the {role} this text "
                            "named last"
                        )
                        found.append(
                            self._mention(toks, i, i + 1 + n, holder, "a role noun", 0.75, reason)
                        )
                        self._take(taken, i, i + 1 + n)
                        continue
                if i + 2 < len(toks) and toks[i + 2].key == "side":
                    country = self._demonym(toks[i + 1].key)
                    if country is not None:
                        reason = f"“the {toks[i + 1].text} side”: {self.entity(country).name}"
                        found.append(self._mention(toks, i, i + 3, country, "a side", 0.8, reason))
                        self._take(taken, i, i + 3)
                        continue
            if tok.key in self.lex.pronouns and tok.text in ("He", "She", "he", "she"):
                person, why = self._antecedent(tok.start, found, index)
                if person is not None:
                    found.append(self._mention(toks, i, i + 1, person, "a pronoun", 0.7, why))
                    taken[i] = True
        self._documents(toks, found)

    def _learn_roles(self, toks: list[Token], found: list[DraftMention]) -> None:
        """Which person holds which role: a title before the name (Minister X), a post after
        it (X, governor of Y) or a registered post right before the name."""
        ordered = sorted(found, key=lambda m: m.start)
        for a, b in pairwise(ordered):
            gap = self.text[a.end : b.start]
            if a.type == "post" and b.type == PERSON and gap.strip() == "":
                self._holds(b.entity, a.entity, a.start, b.end, a.text)
        for a, b in pairwise(ordered):
            gap = self.text[a.end : b.start]
            if a.type == PERSON and b.type == "post" and re.fullmatch(r",\s+(?:the\s+)?", gap):
                self._holds(a.entity, b.entity, a.start, b.end, b.text)
        for m in ordered:
            if m.type != PERSON:
                continue
            after = re.match(
                r",\s+(?:the\s+)?([a-z][a-z\- ]{1,40}?)\s+of\s+(?:the\s+)?", self.text[m.end :]
            )
            if after and tuple(fold(w) for w in after.group(1).split()) in self.lex.roles:
                role = after.group(1)
                rest = [x for x in ordered if x.start == m.end + after.end()]
                if rest:
                    obj = rest[0]
                    post_name = f"{role[:1].upper()}{role[1:]} of {self.entity(obj.entity).name}"
                    pid = self._post(post_name, obj.text, role)
                    end = obj.end
                    self._holds(m.entity, pid, m.start, end, f"{role} of {obj.text}")

    def _post(self, name: str, written: str, role: str) -> str:
        for candidate in (name, f"{role} of the {written}", f"{role} of {written}"):
            key = fold(candidate.replace(" the ", " "))
            for k, entries in self.index.keys.items():
                same = fold(k) == key or k.replace("the", "") == key.replace("the", "")
                if same and self.entity(entries[0][0]).type == "post":
                    return entries[0][0]
        return self._propose(name, "post", "a post the text names after a person", 0.6)

    def _holds(self, person: str, post: str, start: int, end: int, words: str) -> None:
        self.roles.setdefault(person, set()).update(fold(w) for w in re.split(r"\W+", words))
        self.roles[person].update(fold(w) for w in re.split(r"\W+", self.entity(post).name))
        if all(p[:2] != (person, post) for p in self.posts):
            self.posts.append((person, post, start, end))

    def _holder(self, role: str, found: list[DraftMention]) -> str | None:
        words = set(role.split())
        for mention in [*reversed(found), *reversed(self.mentions)]:
            if mention.type == PERSON and words <= self.roles.get(mention.entity, set()):
                return mention.entity
        return None

    def _demonym(self, key: str) -> str | None:
        """The country of a demonym ("Korean", "Japanese", "Lao") this text or the register
        names."""
        for suffix in ("ese", "ian", "an", "n", "i", ""):
            if not key.endswith(suffix) or len(key) - len(suffix) < 3:
                continue
            stem = key[: len(key) - len(suffix)] if suffix else key
            for mention in reversed(self.mentions):
                if mention.type != "country":
                    continue
                entity = self.entity(mention.entity)
                for name in (entity.name, *entity.aliases):
                    words = [fold(w) for w in name.split()]
                    if any(w.startswith(stem) and len(w) - len(stem) <= 4 for w in words):
                        return mention.entity
        return None

    def _antecedent(
        self, offset: int, found: list[DraftMention], index: int
    ) -> tuple[str | None, str]:
        before = [m for m in found if m.type == PERSON and m.end <= offset]
        if before:
            person = before[0].entity
            return person, (
                f"“{self.text[offset : offset + 2].strip()}”: the person this sentence named "
                f"first, {self.entity(person).name}"
            )
        for back in range(index - 1, max(-1, index - 4), -1):
            earlier = self.subjects[back] if back < len(self.subjects) else None
            if earlier is not None:
                person = earlier
                return person, (
                    f"“{self.text[offset : offset + 2].strip()}”: the person an earlier sentence "
                    f"named first, {self.entity(person).name}"
                )
        return None, ""

    def _documents(self, toks: list[Token], found: list[DraftMention]) -> None:
        """ "a March 10 social media post by the labour ministry" and later "the post": linked to
        a registered document by the words they share."""
        docs = [e for e in self.index.entities.values() if e.type in DOCUMENTS]
        for i, tok in enumerate(toks):
            typ = DOCUMENT_HEADS.get(tok.key)
            if typ is None:
                continue
            # the phrase: back to its article, forward through "by X"
            a = i
            while a > 0 and i - a < 6 and toks[a].key not in ("a", "an", "the"):
                a -= 1
            if toks[a].key not in ("a", "an", "the"):
                continue
            b = i + 1
            if b + 1 < len(toks) and toks[b].key == "by":
                by = [m for m in found if m.start >= toks[b].end and m.start - toks[b].end <= 5]
                if by:
                    b = next(k for k, t in enumerate(toks) if t.end >= by[0].end) + 1
            start, end = toks[a].start, toks[b - 1].end
            phrase = self.text[start:end]
            if toks[a].key == "the" and b == i + 1:  # "the post": the document named last
                earlier = [m for m in reversed(self.mentions) if m.type == typ]
                if earlier:
                    reason = f"“{phrase}”: the {tok.text} this text named last, {earlier[0].text!r}"
                    found.append(
                        DraftMention(
                            phrase,
                            start,
                            end,
                            earlier[0].entity,
                            reason,
                            "a document named again",
                            0.7,
                            typ,
                        )
                    )
                continue
            best = process.extractOne(
                phrase,
                {d.id: d.name for d in docs if d.type == typ},
                scorer=fuzz.token_set_ratio,
                processor=lambda s: " ".join(fold(w) for w in str(s).split()),
            )
            if best is not None and best[1] >= 75:
                ident = str(best[2])
                found.append(
                    DraftMention(
                        phrase,
                        start,
                        end,
                        ident,
                        None,
                        f"a document phrase close to {self.entity(ident).name!r} "
                        f"(similarity {best[1]:.0f})",
                        best[1] / 100,
                        typ,
                    )
                )


def name_of(text: str, toks: list[Token], i: int, j: int) -> str:
    """The words ``i`` to ``j`` as the text writes them."""
    return text[toks[i].start : toks[j - 1].end]


def _initials(abbr: str, name: str) -> bool:
    """Whether an abbreviation's letters are, in order, the initials of words of the name
    (Schwartz and Hearst's test, on initials).

    Examples:
        >>> _initials("KOSHA", "Korean Occupational Safety and Health Agency")
        True
        >>> _initials("NSSF", "the Kingdom")
        False
    """
    letters = [c.lower() for c in abbr if c.isalpha()]
    words = [w.lower() for w in re.findall(r"[^\W_]+", name)]
    if not words or (letters[0] != words[0][0] and letters[0] not in (w[0] for w in words[:2])):
        return False
    i = 0
    for word in words:
        if i < len(letters) and word[0] == letters[i]:
            i += 1
    return i == len(letters)
