"""Reviewing a drafted sheet: what awaits review, with offsets; decisions written back in place.

The review page reads a sheet through :func:`review_view` and sends a person's decisions
(accept, edit, reject, add) to :func:`apply_review`, which edits the YAML with ``ruamel.yaml``
(comments, order and quoting kept), writes it all-or-nothing, checks the seeds and, if they are
sound, rebuilds the store. A decision that leaves the seeds unsound is undone: the files are
as they were, and the problems are returned.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from graph.build.draft.text import occurrences
from graph.build.review import MARK

__all__ = [
    "ReviewError",
    "ReviewResult",
    "apply_review",
    "drafts",
    "rebuild_in_subprocess",
    "review_view",
]

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
#: Fields a reviewer may set on a fact, a mention or a proposed entity (lists, or text).
EDITABLE = {
    "kind": str,
    "status": str,
    "summary": str,
    "date": str,
    "place": str,
    "speaker": str,
    "form": str,
    "subject": str,
    "object": str,
    "relation": str,
    "actors": list,
    "addressees": list,
    "attendees": list,
    "occasion": str,
    "according_to": str,
    # a mention's entity; a proposed entity's name, type and aliases
    "entity": str,
    "name": str,
    "type": str,
    "aliases": list,
}
ACT_KINDS = ("agreement", "request", "proposal", "pledge", "examination", "endorsement")
_LOCK = threading.Lock()


class ReviewError(ValueError):
    """A review request that cannot be carried out (unknown sheet, bad decision)."""


@dataclass
class ReviewResult:
    """What saving a review did: the counts of decisions, and the problems if it was undone."""

    saved: bool
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    pending: int = 0


def _sheet_path(seeds: Path, slug: str) -> Path:
    if not SLUG.match(slug):
        raise ReviewError(f"{slug!r} is not a source id")
    path = seeds / "facts" / f"{slug}.yaml"
    if not path.is_file() or not path.resolve().is_relative_to(seeds.resolve()):
        raise ReviewError(f"no fact sheet {slug!r} in {seeds}/facts")
    return path


def _entities_path(seeds: Path, slug: str) -> Path:
    return seeds / "entities" / f"drafted-{slug}.yaml"


def _marked(items: Any) -> int:
    return sum(1 for i in items or [] if isinstance(i, dict) and MARK in i)


def drafts(seeds: Path) -> list[dict[str, Any]]:
    """Every sheet of the seeds folder with how many of its items await review.

    Examples:
        >>> [d["id"] for d in drafts(Path(__file__).resolve().parents[3] / "seeds")][:1]
        ['ppp-cambodia-korea-labour']
    """
    out = []
    for path in sorted((seeds / "facts").glob("*.yaml")):
        data = yaml.safe_load(path.read_text("utf-8")) or {}
        extra = _entities_path(seeds, path.stem)
        entities = (yaml.safe_load(extra.read_text("utf-8")) or {}) if extra.is_file() else {}
        out.append(
            {
                "id": path.stem,
                "label": (data.get("source") or {}).get("label", path.stem),
                "pending": _marked(data.get("mentions"))
                + _marked(data.get("facts"))
                + _marked(entities.get("entities")),
            }
        )
    return out


def _span(text: str, quote: Any) -> tuple[int, int] | None:
    if isinstance(quote, list):
        quote = quote[0] if quote else None
    occurrence = 1
    if isinstance(quote, dict):
        occurrence = int(quote.get("occurrence") or 1)
        quote = quote.get("quote")
    if not isinstance(quote, str) or not quote:
        return None
    starts = occurrences(text, quote)
    if len(starts) < occurrence:
        return None
    return starts[occurrence - 1], starts[occurrence - 1] + len(quote)


def review_view(seeds: Path, slug: str) -> dict[str, Any]:
    """A sheet as the review page shows it: the text, its sentences, every mention, fact and
    proposed entity with its offsets and review mark, and the vocabulary for editing.

    Raises:
        ReviewError: no such sheet, or its text cannot be read.
    """
    from graph.build.draft import register_entities
    from graph.build.draft.text import sentences
    from graph.build.models import ENTITY_TYPES
    from ontology import scheme_notations

    path = _sheet_path(seeds, slug)
    data = yaml.safe_load(path.read_text("utf-8")) or {}
    source = data.get("source") or {}
    text_path = (path.parent / str(source.get("text", ""))).resolve()
    if not text_path.is_relative_to(seeds.resolve()) or not text_path.is_file():
        raise ReviewError(f"the sheet {slug!r} names no readable text inside the seeds")
    text = text_path.read_text("utf-8")
    mentions = []
    for i, m in enumerate(data.get("mentions") or []):
        occurrence = m.get("occurrence")
        starts = occurrences(text, str(m.get("text", "")))
        picks = starts if occurrence == "all" else starts[int(occurrence or 1) - 1 :][:1]
        for s in picks:
            mentions.append(
                {
                    "index": i,
                    "text": m.get("text"),
                    "entity": m.get("entity"),
                    "start": s,
                    "end": s + len(str(m.get("text"))),
                    "inferred": m.get("inferred"),
                    "review": m.get(MARK),
                }
            )
    facts = []
    for i, f in enumerate(data.get("facts") or []):
        span = _span(text, f.get("evidence"))
        facts.append(
            {
                "index": i,
                "fields": {k: v for k, v in f.items() if k not in ("evidence", MARK)},
                "start": span[0] if span else None,
                "end": span[1] if span else None,
                "review": f.get(MARK),
            }
        )
    extra = _entities_path(seeds, slug)
    new = (
        (yaml.safe_load(extra.read_text("utf-8")) or {}).get("entities", [])
        if extra.is_file()
        else []
    )
    known = register_entities(seeds)
    return {
        "id": slug,
        "source": source,
        "text": text,
        "sentences": [{"start": a, "end": b} for a, b in sentences(text)],
        "mentions": mentions,
        "facts": facts,
        "new_entities": [
            {"index": i, **{k: v for k, v in e.items() if k != MARK}, "review": e.get(MARK)}
            for i, e in enumerate(new or [])
        ],
        "entities": [{"id": k.id, "name": k.name, "type": k.type} for k in known],
        "kinds": ["meeting", *ACT_KINDS, "statement", "relation", "observation"],
        "types": list(ENTITY_TYPES),
        "statuses": list(scheme_notations("status")),
    }


# ---- writing back ------------------------------------------------------------------------------


def _yaml(sample: str) -> Any:
    from ruamel.yaml import YAML

    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 100
    if re.search(r"^  - ", sample, re.M):  # the seed's style: lists indented under their key
        y.indent(mapping=2, sequence=4, offset=2)
    else:
        y.indent(mapping=2, sequence=2, offset=0)
    return y


def _dump(y: Any, data: Any) -> str:
    out = io.StringIO()
    y.dump(data, out)
    return out.getvalue()


def _clean_list(value: Any) -> list[str]:
    if isinstance(value, str):
        value = value.split(",")
    return [str(v).strip() for v in value or [] if str(v).strip()]


def _edit(item: Any, changes: dict[str, Any]) -> None:
    for key, value in changes.items():
        if key not in EDITABLE:
            raise ReviewError(f"{key!r} cannot be edited here (edit the YAML)")
        if EDITABLE[key] is list:
            value = _clean_list(value)
        elif value is not None:
            value = str(value).strip()
        if value in (None, "", []):
            if key in item:
                del item[key]
        else:
            item[key] = value
    kind = item.get("kind")
    if kind == "meeting" and "actors" in item and "attendees" not in item:
        item["attendees"] = item.pop("actors")
    if kind in ACT_KINDS and "attendees" in item and "actors" not in item:
        item["actors"] = item.pop("attendees")


def _new_fact(text: str, fact: dict[str, Any], taken: set[str]) -> dict[str, Any]:
    from graph.build.draft.names import slug

    start, end = int(fact.get("start", -1)), int(fact.get("end", -1))
    if not 0 <= start < end <= len(text):
        raise ReviewError("a new fact needs the offsets of the text it was made from")
    quote = text[start:end].strip()
    start += len(text[start:end]) - len(text[start:end].lstrip())
    if len(quote) < 3:
        raise ReviewError("select at least three characters of the text for a new fact")
    kind = str(fact.get("kind") or "")
    if not kind:
        raise ReviewError("a new fact needs a kind")
    ident = slug(f"{kind} {' '.join(quote.split()[:6])}")[:60].strip("-")
    base, n = ident, 2
    while ident in taken:
        ident, n = f"{base}-{n}", n + 1
    item: dict[str, Any] = {"id": ident, "kind": kind}
    _edit(item, {k: v for k, v in fact.items() if k in EDITABLE and k != "kind"})
    starts = occurrences(text, quote)
    evidence: Any = quote
    if len(starts) > 1:
        evidence = {"quote": quote, "occurrence": starts.index(start) + 1 if start in starts else 1}
    item["evidence"] = evidence
    return item


def _decide(items: Any, decisions: list[dict[str, Any]], counts: dict[str, int], what: str) -> None:
    """Accept, edit or reject items of one list (by index, in the order of the file)."""
    if not decisions:
        return
    doomed = []
    for d in decisions:
        i = d.get("index")
        if not isinstance(i, int) or not 0 <= i < len(items or []):
            raise ReviewError(f"no item {i!r} in {what}")
        action = d.get("action")
        item = items[i]
        if action == "reject":
            doomed.append(i)
        elif action in ("accept", "edit"):
            _edit(item, d.get("set") or {})
            if action == "accept" and MARK in item:
                del item[MARK]
        else:
            raise ReviewError(f"unknown action {action!r} (accept, edit or reject)")
        counts[action] = counts.get(action, 0) + 1
    for i in sorted(set(doomed), reverse=True):
        del items[i]


def _write(path: Path, body: str) -> None:
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            out.write(body)
            out.flush()
            os.fsync(out.fileno())
        os.replace(name, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(name)


def apply_review(
    seeds: Path, slug: str, decisions: dict[str, Any], rebuild: Any = None
) -> ReviewResult:
    """Carry out a person's review of a drafted sheet.

    Args:
        seeds: the seeds folder.
        slug: the source id (its sheet is ``facts/{slug}.yaml``).
        decisions: ``{"facts": [{"index", "action", "set"}], "mentions": [...],
            "entities": [...], "add": [{"kind", "start", "end", ...}]}``; actions are
            ``accept`` (removes the mark, after the edits in ``set``), ``edit`` (keeps it) and
            ``reject`` (deletes the item). Added facts are accepted as they are made.
        rebuild: called with no argument once the seeds are checked (rebuild the store);
            ``None`` checks only.

    Returns:
        What was saved, or (``saved`` false) the problems that made it undo the change.

    Raises:
        ReviewError: an unknown sheet or a malformed decision; nothing is changed.
    """
    from graph.build.iris import Iris
    from graph.build.pipeline import compile_seeds
    from graph.build.review import pending_items
    from graph.build.sheets import SeedError

    path = _sheet_path(seeds, slug)
    extra = _entities_path(seeds, slug)
    with _LOCK:
        before = path.read_text("utf-8")
        before_extra = extra.read_text("utf-8") if extra.is_file() else None
        y = _yaml(before)
        data = y.load(before)
        counts: dict[str, int] = {}
        text_path = (path.parent / str(data["source"]["text"])).resolve()
        text = text_path.read_text("utf-8")
        _decide(data.get("mentions"), decisions.get("mentions") or [], counts, "mentions")
        _decide(data.get("facts"), decisions.get("facts") or [], counts, "facts")
        added = decisions.get("add") or []
        if added:
            if data.get("facts") is None:
                data["facts"] = []
            taken = {str(f.get("id")) for f in data["facts"]}
            for fact in added:
                item = _new_fact(text, fact, taken)
                taken.add(item["id"])
                data["facts"].append(item)
            counts["add"] = len(added)
        body = _dump(y, data)
        body_extra = None
        if decisions.get("entities"):
            if before_extra is None:
                raise ReviewError(f"no proposed entities for {slug!r}")
            ye = _yaml(before_extra)
            entities = ye.load(before_extra)
            _decide(entities.get("entities"), decisions["entities"], counts, "entities")
            body_extra = _dump(ye, entities)
        _write(path, body)
        if body_extra is not None:
            _write(extra, body_extra)
        try:
            compiled = compile_seeds(seeds, Iris())
            problems = [str(v) for v in compiled.violations]
        except SeedError as exc:
            problems = [str(p) for p in exc.problems]
        if problems:
            _write(path, before)
            if body_extra is not None and before_extra is not None:
                _write(extra, before_extra)
            return ReviewResult(False, counts, problems)
        pending = len(pending_items(compiled.register, compiled.sheets))
        if rebuild is not None:
            try:
                rebuild()
            except Exception as exc:  # the sheet is saved and sound; say the graph is not new
                return ReviewResult(True, counts, [f"saved, but not rebuilt: {exc}"], pending)
        return ReviewResult(True, counts, [], pending)


_BUILD = """
import sys
from pathlib import Path
from graph.build.iris import Iris
from graph.build.pipeline import build_store
from graph.store import DiskStore
build_store(Path(sys.argv[1]), DiskStore(Path(sys.argv[2])), Iris(sys.argv[3]))
"""


def rebuild_in_subprocess(seeds: Path, store: Path, base_iri: str, timeout: float = 600) -> None:
    """Rebuild an on-disk store from the seeds in a new Python process.

    A serving process may be one of several forked from a supervisor; the store's bulk
    loader must not run in such a process (its thread pools do not survive the fork), and a
    build's memory is better given back whole. The served store follows the new generation at
    its next query.

    Raises:
        ReviewError: the build failed (its last line of output says why).
    """
    done = subprocess.run(
        [sys.executable, "-c", _BUILD, str(seeds), str(store), base_iri],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise ReviewError(f"the rebuild failed: {last}")
