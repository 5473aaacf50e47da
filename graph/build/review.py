"""Items still marked ``review:``: set aside before a sheet or the register is checked, and listed.

``bilateral draft --write`` marks every item it drafts (a mention, a fact, a new entity) with
``review: {reason: ..., score: ...}``. Nothing marked enters the graph: the loaders take marked
items out before checking (so an unfinished draft never breaks a build) and keep where each was.
Removing the mark accepts the item; deleting the item rejects it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

__all__ = ["MARK", "Pending", "pending_items", "set_aside"]

#: The key that marks an item as awaiting review.
MARK = "review"
#: The lists whose items may be marked, in sheets and in register files.
SECTIONS = ("mentions", "facts", "entities", "aliases")

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Pending:
    """An item awaiting review: where it is and why it was drafted."""

    file: str
    line: int | None
    what: str  # facts[3] (meeting-...), mentions[0] ('Heng Sour'), entities[2] (kenji-morita)
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.what}: awaiting review: {self.reason}"


def _reason(mark: Any) -> str:
    if isinstance(mark, dict):
        words = str(mark.get("reason") or "").strip()
        score = mark.get("score")
        return f"{words} (score {score})" if score is not None else words or "drafted"
    return str(mark).strip() if mark not in (None, "") else "drafted"


def _label(section: str, index: int, item: dict[str, Any]) -> str:
    ident = item.get("id")
    if ident is not None:
        return f"{section}[{index}] ({ident})"
    text = item.get("text", item.get("alias"))
    return f"{section}[{index}] ({text!r})" if text is not None else f"{section}[{index}]"


def set_aside(
    data: Any, lines: dict[Loc, int], display: str
) -> tuple[Any, dict[Loc, int], list[Pending]]:
    """Take the items marked ``review:`` out of a parsed sheet or register file.

    Args:
        data: the parsed YAML (a mapping with ``mentions``, ``facts`` or ``entities`` lists).
        lines: the line of each location of ``data``.
        display: the file's name in messages.

    Returns:
        The data without the marked items, the line map renumbered to match it (so problems
        of the remaining items still name their own lines), and the marked items.

    Examples:
        >>> data = {"facts": [{"id": "a", "review": {"reason": "met", "score": 0.8}}, {"id": "b"}]}
        >>> lines = {("facts",): 1, ("facts", 0): 2, ("facts", 1): 4, ("facts", 1, "id"): 4}
        >>> kept, where, pending = set_aside(data, lines, "f.yaml")
        >>> kept, where[("facts", 0, "id")], str(pending[0])
        ({'facts': [{'id': 'b'}]}, 4, 'f.yaml:2: facts[0] (a): awaiting review: met (score 0.8)')
    """
    if not isinstance(data, dict):
        return data, lines, []
    pending: list[Pending] = []
    out = dict(data)
    moves: dict[tuple[str, int], int | None] = {}
    for section in SECTIONS:
        items = data.get(section)
        if not isinstance(items, list):
            continue
        kept: list[Any] = []
        for i, item in enumerate(items):
            if isinstance(item, dict) and MARK in item:
                pending.append(
                    Pending(
                        display,
                        lines.get((section, i)),
                        _label(section, i, item),
                        _reason(item[MARK]),
                    )
                )
                moves[(section, i)] = None
            else:
                moves[(section, i)] = len(kept)
                kept.append(item)
        out[section] = kept
    if not pending:
        return data, lines, []
    renumbered: dict[Loc, int] = {}
    for loc, line in lines.items():
        if len(loc) >= 2 and isinstance(loc[1], int) and (str(loc[0]), loc[1]) in moves:
            new = moves[(str(loc[0]), loc[1])]
            if new is None:
                continue
            renumbered[(loc[0], new, *loc[2:])] = line
        else:
            renumbered[loc] = line
    return out, renumbered, pending


def pending_items(register: Any, sheets: Iterable[Any]) -> list[Pending]:
    """Every item awaiting review, in the register and the sheets, in file order."""
    out = list(getattr(register, "pending", []))
    for sheet in sheets:
        out.extend(getattr(sheet, "pending", []))
    return out
