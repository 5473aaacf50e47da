"""Find a quote in its source text: whole words, one occurrence, a hint when it is not there."""

from __future__ import annotations

import re

from graph.build.models import Evidence, Span
from graph.build.yamlmap import SeedProblem

__all__ = ["locate", "pick"]


def locate(text: str, ev: Evidence) -> tuple[list[int], str | None]:
    """Start offsets of the quote in the text, and a hint when it is not found."""
    starts = [m.start() for m in re.finditer(_pattern(ev.quote), text)]
    if starts:
        return starts, None
    folded = _fold_quotes(ev.quote)
    if re.search(_pattern(folded), _fold_quotes(text)):
        return [], (
            "the text has it with other quotation marks or apostrophes "
            "(the source uses typographic ones such as ’ “ ”)"
        )
    if re.search(_pattern(" ".join(ev.quote.split())), " ".join(text.split())):
        return [], "the text has it with other white space"
    return [], None


def _pattern(quote: str) -> str:
    """A quote matches whole words only: "Cambodia" is not found inside "Cambodians"."""
    head = r"(?<!\w)" if quote[:1].isalnum() else ""
    tail = r"(?!\w)" if quote[-1:].isalnum() else ""
    return head + re.escape(quote) + tail


_FOLD = str.maketrans("’‘“”", "''\"\"")


def _fold_quotes(s: str) -> str:
    return s.translate(_FOLD)


def pick(
    text: str,
    ev: Evidence,
    what: str,
    display: str,
    line: int | None,
    problems: list[SeedProblem],
) -> Span | None:
    """The span of one occurrence of the quote, or ``None`` with a problem recorded."""
    starts, hint = locate(text, ev)
    short = ev.quote if len(ev.quote) <= 60 else ev.quote[:57] + "..."
    if not starts:
        problems.append(
            SeedProblem(
                file=display,
                line=line,
                message=(
                    f"{what}: quote not found in the source text: {short!r}"
                    + (f"; {hint}" if hint else "")
                ),
            )
        )
        return None
    if ev.occurrence is not None:
        if ev.occurrence > len(starts):
            problems.append(
                SeedProblem(
                    file=display,
                    line=line,
                    message=(
                        f"{what}: occurrence {ev.occurrence} asked, but the quote is there "
                        f"{len(starts)} time(s): {short!r}"
                    ),
                )
            )
            return None
        start = starts[ev.occurrence - 1]
    elif len(starts) > 1:
        problems.append(
            SeedProblem(
                file=display,
                line=line,
                message=(
                    f"{what}: the quote is there {len(starts)} times (offsets "
                    f"{', '.join(map(str, starts))}); quote more, or add 'occurrence: N': {short!r}"
                ),
            )
        )
        return None
    else:
        start = starts[0]
    return Span(start=start, end=start + len(ev.quote), exact=ev.quote)
