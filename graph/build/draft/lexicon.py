"""The drafter's lexicons: act triggers, speech verbs, role nouns, name words, count words."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib.resources import files
from typing import Any

import yaml

from graph.build.draft.text import fold

__all__ = ["Lexicon", "Trigger", "lexicon"]


@dataclass(frozen=True)
class Trigger:
    """A phrase that proposes a fact of a kind, with the status and the base score."""

    phrase: str
    words: tuple[str, ...]  # folded words
    kind: str
    status: str | None
    score: float
    object: str
    opinion: bool = False


@dataclass(frozen=True)
class Lexicon:
    """Every word list of the drafter, read from ``graph/build/draft/lexicon/*.yaml``."""

    triggers: tuple[Trigger, ...]
    reporting: frozenset[tuple[str, ...]]
    opinion: frozenset[tuple[str, ...]]
    attribution: frozenset[str]
    participles: frozenset[tuple[str, ...]]
    according: frozenset[tuple[str, ...]]
    roles: frozenset[tuple[str, ...]]
    pronouns: frozenset[str]
    sides: frozenset[tuple[str, ...]]
    heads: dict[str, str]  # folded head word -> entity type
    connectors: frozenset[str]
    common: frozenset[str]
    qualifiers: dict[tuple[str, ...], str]
    scales: dict[str, int]
    currencies: dict[tuple[str, ...], str]
    cues: frozenset[tuple[str, ...]]
    per: dict[tuple[str, ...], str]
    sex: dict[str, str] = field(default_factory=dict)  # folded word -> female | male


def _words(phrase: str) -> tuple[str, ...]:
    return tuple(fold(w) or w for w in phrase.replace("-", " ").split())


def _load(name: str) -> Any:
    return yaml.safe_load((files("graph.build.draft") / "lexicon" / name).read_text("utf-8"))


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """The lexicons, read once.

    Examples:
        >>> lex = lexicon()
        >>> sorted({t.kind for t in lex.triggers})[:3]
        ['agreement', 'endorsement', 'examination']
        >>> lex.heads["ministry"], ("the", "minister") in lex.roles
        ('government-organization', False)
    """
    acts, speech, roles, names, counts = (
        _load(f"{n}.yaml") for n in ("acts", "speech", "roles", "names", "observations")
    )
    triggers = tuple(
        Trigger(
            phrase=phrase,
            words=_words(phrase),
            kind=entry["kind"],
            status=entry.get("status"),
            score=float(entry["score"]),
            object=entry["object"],
            opinion=bool(entry.get("opinion", False)),
        )
        for entry in acts["triggers"]
        for phrase in entry["phrases"]
    )
    heads: dict[str, str] = {}
    for kind, words in names["heads"].items():
        for word in words:
            heads.setdefault(" ".join(_words(word)), kind)
    sex = {fold(w): s for s, words in counts["sex"].items() for w in words}
    return Lexicon(
        triggers=triggers,
        reporting=frozenset(_words(w) for w in speech["reporting"]),
        opinion=frozenset(_words(w) for w in speech["opinion"]),
        attribution=frozenset(fold(w) for w in speech["attribution"]),
        participles=frozenset(_words(w) for w in speech["participles"]),
        according=frozenset(_words(w) for w in speech["according"]),
        roles=frozenset(_words(w) for w in roles["roles"]),
        pronouns=frozenset(fold(w) for w in roles["pronouns"]["person"]),
        sides=frozenset(_words(w) for w in roles["sides"]),
        heads=heads,
        connectors=frozenset(names["connectors"]),
        common=frozenset(fold(w) for w in names["common"]),
        qualifiers={_words(k): v for k, v in counts["qualifiers"].items()},
        scales={fold(k): int(v) for k, v in counts["scales"].items()},
        currencies={_words(k) if k != "$" else ("$",): v for k, v in counts["currencies"].items()},
        cues=frozenset(_words(w) for w in counts["cues"]),
        per={_words(k): v for k, v in counts["per"].items()},
        sex=sex,
    )
