"""Drafting, measured: accuracy against hand-made sheets and the time to draft a 2,000-word text.

    .venv/bin/python bench/draft.py [--reps 5]

Drafts the seed articles without reading their sheets and the test texts of tests/draft/, scores
each draft against its hand-made sheet (graph.build.draft.accuracy), and times the drafting of a
2,000-word text (the seed and test texts, one after the other until 2,000 words) after start-up,
beside pysbd's sentence splitting of the same text (the floor of any pipeline that needs
sentences). Prints Markdown tables; bench/README.md has the last run's.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graph.build.draft import Drafter, Source, register_entities  # noqa: E402
from graph.build.draft.accuracy import KINDS, evaluate  # noqa: E402
from graph.build.draft.text import sentences  # noqa: E402

SEEDS = ROOT / "seeds"
TESTS = ROOT / "tests" / "draft"
WORDS = 2000
TARGET_S = 2.0


def say(line: str = "") -> None:
    """One line of the report, on standard output."""
    sys.stdout.write(line + "\n")


def long_text() -> str:
    """The seed and test texts, repeated until the text has 2,000 words."""
    pieces = [p.read_text("utf-8") for p in sorted((SEEDS / "articles").glob("*.txt"))]
    pieces += [p.read_text("utf-8") for p in sorted(TESTS.glob("*.txt"))]
    out: list[str] = []
    i = 0
    while len("\n".join(out).split()) < WORDS:
        out.append(pieces[i % len(pieces)])
        i += 1
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args(argv)

    results = evaluate(SEEDS, TESTS)
    say("## Drafting: accuracy against hand-made sheets\n")
    say(
        "| text | mentions P | mentions R | new entities P | new entities R (typed) "
        "| facts P | facts R | dates exact |"
    )
    say("|---|---|---|---|---|---|---|---|")
    for name, c in results.items():
        say(
            f"| {name} | {c['mentions_p']:.2f} | {c['mentions_r']:.2f} | {c['entities_p']:.2f} "
            f"| {c['entities_r']:.2f} ({c['entities_typed']:.2f}) | {c['facts_p']:.2f} "
            f"| {c['facts_r']:.2f} | {c['dates_n'][0]}/{c['dates_n'][1]} |"
        )
    say("\n### Facts per kind (right / drafted / expected)\n")
    say("| kind | " + " | ".join(results) + " |")
    say("|---|" + "---|" * len(results))
    for kind in KINDS:
        cells = []
        for c in results.values():
            right, drafted, expected = c[f"{kind}_n"]
            cells.append(f"{right}/{drafted}/{expected}")
        say(f"| {kind} | " + " | ".join(cells) + " |")
    say("\n### What the drafts missed or added\n")
    for name, c in results.items():
        say(
            f"- **{name}**: mentions missed {c['mentions_missed'] or 'none'}; "
            f"unjudged (no mention in the hand-made sheet there) {c['mentions_unjudged']}; "
            f"facts missed {c['facts_missed'] or 'none'}; extra {c['facts_extra'] or 'none'}; "
            f"entities missed {c['entities_missed'] or 'none'}, "
            f"spurious {c['entities_spurious'] or 'none'}"
        )

    text = long_text()
    started = time.perf_counter()
    known = register_entities(SEEDS)
    drafter = Drafter(known)
    drafter.draft("Heng Sour met Lee Jung-sik in Seoul on 8 March.", Source("warm"))
    startup = time.perf_counter() - started
    times, floors = [], []
    for _ in range(args.reps):
        t = time.perf_counter()
        draft = Drafter(known).draft(text, Source("bench", published="2024-06-30"))
        times.append(time.perf_counter() - t)
        t = time.perf_counter()
        sentences(text)
        floors.append(time.perf_counter() - t)
    median, floor = statistics.median(times), statistics.median(floors)
    say("\n## Drafting: speed\n")
    say("| what | median | target | |")
    say("|---|---|---|---|")
    say(f"| start-up after the imports (register, lexicons, a first draft) | {startup:.2f} s | | |")
    say(
        f"| draft a {len(text.split())}-word text ({len(draft.sentences)} sentences, "
        f"{len(draft.mentions)} mentions, {len(draft.facts)} facts) | {median:.2f} s "
        f"| < {TARGET_S:.0f} s | {'met' if median < TARGET_S else 'MISSED'} |"
    )
    say(
        f"| pysbd sentences alone, same text (the floor) | {floor:.2f} s | | "
        f"drafting is {median / floor:.1f}x it |"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
