"""A draft as files of the seeds folder: the text, its fact sheet and the proposed entities."""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import yaml

from graph.build.draft.model import Draft, DraftFact, DraftMention, NewEntity
from graph.build.draft.text import occurrences
from graph.build.review import MARK

__all__ = ["DraftWriteError", "draft_paths", "entities_yaml", "sheet_yaml", "write_draft"]

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_ACTS = frozenset({"agreement", "request", "proposal", "pledge", "examination", "endorsement"})


class DraftWriteError(ValueError):
    """The draft cannot be written; nothing was."""


def _mark(how: str, score: float) -> dict[str, Any]:
    return {"reason": how, "score": round(score, 2)}


def _evidence(text: str, quote: str, start: int) -> Any:
    starts = occurrences(text, quote)
    if len(starts) > 1 and start in starts:
        return {"quote": quote, "occurrence": starts.index(start) + 1}
    return quote


def _mention(text: str, m: DraftMention) -> dict[str, Any]:
    out: dict[str, Any] = {"text": m.text, "entity": m.entity}
    starts = occurrences(text, m.text)
    if len(starts) > 1 and m.start in starts:
        out["occurrence"] = starts.index(m.start) + 1
    if m.inferred:
        out["inferred"] = m.inferred
    out[MARK] = _mark(m.how, m.score)
    return out


def _fact(text: str, f: DraftFact) -> list[dict[str, Any]]:
    d = f.details
    out: dict[str, Any] = {"id": f.id}
    extra: list[dict[str, Any]] = []
    todo: list[str] = []
    if f.kind == "post":
        out |= {
            "kind": "relation",
            "subject": d["subject"],
            "relation": "holds",
            "object": d["object"],
        }
    elif f.kind == "meeting":
        out |= {"kind": "meeting", "attendees": f.actors}
        if f.date:
            out["date"] = f.date
        if f.place:
            out["place"] = f.place
        if d.get("date_inferred"):
            extra.append(
                {
                    "id": f"{f.id}-year"[:120],
                    "kind": "relation",
                    "subject": f.id,
                    "relation": "date",
                    "value": d["date_inferred"],
                    "inferred": str(d["date_reason"]),
                    "evidence": _evidence(text, f.quote, f.start),
                    MARK: _mark(str(d["date_reason"]), 0.6),
                }
            )
    elif f.kind in _ACTS:
        out |= {"kind": f.kind, "actors": f.actors}
        if f.addressees:
            out["addressees"] = f.addressees
        if f.partners:
            out["partners"] = f.partners
        out["summary"] = f.summary or ""
        out["status"] = f.status
        if d.get("occasion"):
            out["occasion"] = d["occasion"]
    elif f.kind == "statement":
        out |= {
            "kind": "statement",
            "speaker": d.get("speaker") or "",
            "form": d.get("form", "paraphrase"),
            "text": d.get("text") or f.summary,
        }
        if d.get("occasion"):
            out["occasion"] = d["occasion"]
        if not d.get("speaker"):
            todo.append("speaker")
    elif f.kind == "observation":
        out |= {"kind": "observation"}
        if f.date:
            out["period"] = f.date
        else:
            todo.append("period")
        out["population"] = d.get("population") or ""
        out["sex"] = d.get("sex") or "total"
        # the number as the source qualifies it, never flattened (seeds/README.md)
        for key in ("value", "range", "qualifier", "unit", "currency", "per", "as_written"):
            if d.get(key) is not None and not (key == "qualifier" and d[key] == "exact"):
                out[key] = d[key]
        todo += ["dataset", "origin", "destination"]
        if not d.get("population"):
            todo.append("population")
    if d.get("according_to") and f.kind not in ("post",):
        out["according_to"] = d["according_to"]
    if f.kind != "post" and not f.actors and f.kind != "observation":
        todo.append("actors" if f.kind != "statement" else "speaker")
    out["evidence"] = _evidence(text, f.quote, f.start)
    reason = f.how + (f"; to complete: {', '.join(dict.fromkeys(todo))}" if todo else "")
    out[MARK] = _mark(reason, f.score)
    return [out, *extra]


def _entity(e: NewEntity) -> dict[str, Any]:
    out: dict[str, Any] = {"id": e.id, "type": e.type, "name": e.name}
    if e.aliases:
        out["aliases"] = list(e.aliases)
    if e.iso3166:
        out["iso3166"] = e.iso3166
    out[MARK] = _mark(e.how or "a new name", e.score)
    return out


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def sheet_yaml(draft: Draft, label: str | None = None, source_type: str = "news-article") -> str:
    """The fact sheet of a draft, every drafted item marked ``review:``.

    Args:
        draft: the draft.
        label: the source's label (default: its first words).
        source_type: news-article, social-media-posting or report.
    """
    s = draft.source
    first = draft.text[draft.sentences[0][0] : draft.sentences[0][1]] if draft.sentences else ""
    words = " ".join(first.split()[:12])
    source: dict[str, Any] = {
        "id": s.id,
        "type": source_type,
        "label": label or (words if len(words) >= 3 else s.id),
    }
    if s.publisher:
        source["publisher"] = s.publisher
    if s.url:
        source["url"] = s.url
    source["text"] = f"../articles/{s.id}.txt"
    if s.published:
        source["published"] = s.published
    source["language"] = s.language
    facts = [item for f in draft.facts for item in _fact(draft.text, f)]
    head = (
        f"# Fact sheet drafted by `bilateral draft` from articles/{s.id}.txt.\n"
        "# Every item marked `review:` is left out of the build until a person accepts it:\n"
        "# check it against the text, correct it, and delete its `review:` lines (or delete the\n"
        "# whole item to reject it). `bilateral validate` lists what still awaits review; the\n"
        "# review page (/review) does the same in the browser. Format: seeds/README.md.\n\n"
    )
    body = _dump({"source": source})
    body += "\n" + _dump({"mentions": [_mention(draft.text, m) for m in draft.mentions]})
    body += "\n" + _dump({"facts": facts})
    return head + body


def entities_yaml(draft: Draft) -> str:
    """The new entities a draft proposes, as a register file, every one marked ``review:``."""
    head = (
        f"# Entities proposed by `bilateral draft` for articles/{draft.source.id}.txt, each\n"
        "# marked `review:`: check the name, type and aliases, then delete the `review:` lines\n"
        "# to add the entity to the register (or move it into register.yaml). Under `aliases:`,\n"
        "# new names for entities already in the register, accepted the same way.\n"
        "# Format: seeds/README.md.\n\n"
    )
    body = _dump({"entities": [_entity(e) for e in draft.new_entities]})
    if draft.new_aliases:  # new names for entities already in the register
        aliases = [
            {"entity": a.entity, "alias": a.alias, MARK: _mark(a.how, a.score)}
            for a in draft.new_aliases
        ]
        body += "\n" + _dump({"aliases": aliases})
    return head + body


def draft_paths(seeds: Path, slug: str) -> dict[str, Path]:
    """Where ``--write`` puts a draft: the text, the sheet and the proposed entities."""
    return {
        "text": seeds / "articles" / f"{slug}.txt",
        "sheet": seeds / "facts" / f"{slug}.yaml",
        "entities": seeds / "entities" / f"drafted-{slug}.yaml",
    }


def write_draft(
    draft: Draft,
    seeds: Path,
    force: bool = False,
    label: str | None = None,
    source_type: str = "news-article",
) -> list[Path]:
    """Write a draft into a seeds folder, all or nothing.

    Each file is written to a temporary file beside its target and renamed over it only when
    every file is ready, so an interrupted write leaves no half file.

    Args:
        draft: the draft.
        seeds: the seeds folder (with ``articles/``, ``facts/`` and ``entities/``).
        force: overwrite existing files of the same slug.
        label: the source's label in the sheet.
        source_type: news-article, social-media-posting or report.

    Returns:
        The files written.

    Raises:
        DraftWriteError: a bad slug, a folder that is not a seeds folder, a target outside it,
            or existing files without ``force``; nothing is written.
    """
    slug = draft.source.id
    if not SLUG.match(slug) or len(slug) > 120:
        raise DraftWriteError(
            f"--id {slug!r} is not a slug: lower-case letters, digits and single hyphens"
        )
    root = seeds.resolve()
    for folder in ("articles", "facts", "entities"):
        if not (seeds / folder).is_dir():
            raise DraftWriteError(f"{seeds} has no {folder}/ folder: is it a seeds folder?")
    paths = draft_paths(seeds, slug)
    contents = {
        "text": draft.text,
        "sheet": sheet_yaml(draft, label, source_type),
        "entities": entities_yaml(draft) if draft.new_entities or draft.new_aliases else None,
    }
    for path in paths.values():
        if not path.parent.resolve().is_relative_to(root):
            raise DraftWriteError(f"{path} lies outside the seeds folder {root}")
    existing = [str(p) for k, p in paths.items() if contents[k] is not None and p.exists()]
    if existing and not force:
        raise DraftWriteError(
            f"{', '.join(existing)} already exist(s); nothing written (--force overwrites)"
        )
    staged: list[tuple[Path, Path]] = []
    try:
        for key, path in paths.items():
            body = contents[key]
            if body is None:
                continue
            fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
                out.write(body)
                out.flush()
                os.fsync(out.fileno())
            staged.append((Path(name), path))
        for temporary, path in staged:
            os.replace(temporary, path)
    finally:
        for temporary, _ in staged:
            with contextlib.suppress(FileNotFoundError):
                temporary.unlink()
    return [path for _, path in staged]
