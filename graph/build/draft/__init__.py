"""Drafting a fact sheet from a new source text: mentions, new entities, dates and candidate facts.

Rule- and dictionary-based, deterministic and offline: the register's names and aliases, the
lexicons in ``graph/build/draft/lexicon/*.yaml`` (data, not code), ``pysbd`` for sentences,
``rapidfuzz`` for spelling variants and ``pycountry`` for places. Every proposal says how it was
found and how sure it is; nothing drafted enters the graph until a person accepts it
(``graph.build.review``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from graph.build.draft.dates import find_dates
from graph.build.draft.facts import Facts
from graph.build.draft.lexicon import Lexicon, lexicon
from graph.build.draft.model import DateExpr, Draft, DraftFact, DraftMention, NewEntity, Source
from graph.build.draft.names import Known, Linker, NameIndex
from graph.build.draft.text import DraftInputError, read_text, sentences
from graph.build.isonames import iso_names

__all__ = [
    "DateExpr",
    "Draft",
    "DraftFact",
    "DraftInputError",
    "DraftMention",
    "Drafter",
    "Known",
    "NewEntity",
    "Source",
    "known_from_register",
    "read_text",
    "register_entities",
]


@dataclass
class Drafter:
    """Drafts texts against a register; the new entities it proposes are shared by every text
    it drafts (the same new name in two texts is one entity).

    Examples:
        >>> d = Drafter([Known("heng-sour", "person", "Heng Sour", ("Sour",))])
        >>> draft = d.draft("HENG Sour met Kenji Morita in Hanoi on 8 March.", Source("t"))
        >>> [(m.text, m.entity) for m in draft.mentions]
        [('HENG Sour', 'heng-sour'), ('Kenji Morita', 'kenji-morita'), ('Hanoi', 'hanoi')]
        >>> [(e.id, e.type) for e in draft.new_entities]
        [('kenji-morita', 'person'), ('hanoi', 'city')]
        >>> [(f.kind, f.actors, f.date, f.place) for f in draft.facts]
        [('meeting', ['heng-sour', 'kenji-morita'], 'XXXX-03-08', 'hanoi')]
    """

    entities: Iterable[Known]
    lex: Lexicon = field(default_factory=lexicon)
    proposed: dict[str, NewEntity] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._known = list(self.entities)

    def _index(self) -> NameIndex:
        index = NameIndex()
        for entity in self._known:
            index.add(entity)
        for new in self.proposed.values():
            index.add(Known(new.id, new.type, new.name, tuple(new.aliases), new=True))
        return index

    def draft(self, text: str, source: Source) -> Draft:
        """Draft one text.

        Args:
            text: the source text (offsets are counted in it).
            source: its slug and metadata (``published`` lets the drafter infer years).

        Returns:
            The draft: sentences, mentions, new entities, dates and candidate facts.
        """
        linker = Linker(self._index(), self.lex, self.proposed)
        facts = Facts(linker, self.lex)
        spans = sentences(text)
        mentions: list[DraftMention] = []
        dates: list[DateExpr] = []
        before = set(self.proposed)
        used: set[str] = set()
        for i, (a, b) in enumerate(spans):
            found = linker.link(text, a, b, i)
            mentions.extend(found)
            used.update(m.entity for m in found)
            when = find_dates(text, a, b, source.published)
            dates.extend(when)
            facts.sentence(text, i, a, b, found, when)
        for fact in facts.facts:
            used.update(fact.actors)
            if fact.details.get("object"):
                used.add(str(fact.details["object"]))
        new = [
            e
            for key, e in self.proposed.items()
            if e.id in used and (key not in before or e.id in used)
        ]
        for fact in facts.facts:
            fact.details.pop("content_start", None)
        return Draft(
            source, text, spans, mentions, new, dates, list(facts.facts), linker.new_aliases
        )


def known_from_register(entities: Iterable[object]) -> list[Known]:
    """The register's entities (``graph.build.sheets.Entity``) as the drafter knows them."""
    out = []
    for e in entities:
        aliases = list(getattr(e, "aliases", []) or [])
        abbreviation = getattr(e, "abbreviation", None)
        if abbreviation:
            aliases.append(abbreviation)
        # the names in their own scripts (Khmer, Hangul): a text in those scripts links too
        aliases += [n.name for n in getattr(e, "names", []) or []]
        code = getattr(e, "iso3166", None)
        if code:
            aliases += [name for _, name in iso_names(code)]
        out.append(Known(e.id, e.type, e.name, tuple(aliases)))  # type: ignore[attr-defined]
    return out


def register_entities(seeds: Path) -> list[Known]:
    """Every entity of a seeds folder's register, those still awaiting review included (a
    name proposed before is not proposed again).

    Raises:
        SeedError: a register file is malformed.
    """
    import yaml

    from graph.build.models import Entity
    from graph.build.review import MARK
    from graph.build.sheets import load_register

    files = sorted((seeds / "entities").glob("*.yaml"))
    register = load_register(files, seeds)
    known = known_from_register(register.entities.values())
    for path in files:
        data = yaml.safe_load(path.read_text("utf-8")) or {}
        for item in data.get("entities") or []:
            if isinstance(item, dict) and MARK in item and item.get("id") not in register.entities:
                try:
                    entity = Entity.model_validate({k: v for k, v in item.items() if k != MARK})
                except ValueError:
                    continue  # a proposal being edited: the reviewer will see its problem
                known.extend(known_from_register([entity]))
    return known
