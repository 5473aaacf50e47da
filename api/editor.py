"""The SPARQL query editor's page: YASGUI set to query /sparql, with our prefixes and examples.

The ``/sparql`` route renders :func:`editor_page` when a browser asks for HTML; the editor's
router (``api.routes.editor``) serves the examples and YASGUI's files.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml
from fastapi import Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel

import api
from api.templating import templates
from ontology.vocabulary import NAMESPACES, PREFIXES

__all__ = [
    "DEFAULT_QUERY",
    "YASGUI_BUILD",
    "Example",
    "editor_page",
    "examples",
    "prefixes",
    "with_prefixes",
]

#: YASGUI as npm installs it from package.json, beside the ``api`` package (the repo root).
YASGUI_BUILD = Path(api.__file__).resolve().parent.parent / "node_modules/@zazuko/yasgui/build"

#: The editor's first query: every prefix, and what kinds of things the graph holds.
DEFAULT_QUERY = """\
# What kinds of things does the graph hold? Pick an example above for each question.
SELECT ?type (COUNT(DISTINCT ?thing) AS ?n) WHERE {
  ?thing a ?type .
}
GROUP BY ?type
ORDER BY DESC(?n)
"""


class Example(BaseModel):
    """An example query, one per competency question, ready to send to /sparql."""

    id: str
    title: str
    query: str


def prefixes() -> dict[str, str]:
    """Our prefixes (:data:`ontology.vocabulary.NAMESPACES`): prefix name to namespace IRI."""
    return dict(NAMESPACES)


def with_prefixes(body: str) -> str:
    """The query with the PREFIX declarations of ours that it uses, in our order."""
    used = [
        f"PREFIX {name}: <{iri}>"
        for name, iri in prefixes().items()
        if re.search(rf"(?<![\w?$:-]){re.escape(name)}:", body)
    ]
    return "\n".join(used) + ("\n\n" if used else "") + body


@lru_cache(maxsize=1)
def examples() -> tuple[Example, ...]:
    """The example queries from ``api/queries/competency.yaml``, with their prefixes.

    Raises:
        ValueError: if the file is not a list of ``{id, title, query}`` with unique ids.
    """
    raw = yaml.safe_load((files("api") / "queries" / "competency.yaml").read_text("utf-8"))
    if not isinstance(raw, list):
        raise ValueError("competency.yaml must be a list of {id, title, query}")
    items = [Example.model_validate(item) for item in raw]
    items = [e.model_copy(update={"query": with_prefixes(e.query)}) for e in items]
    ids = [e.id for e in items]
    if len(set(ids)) != len(ids):
        raise ValueError(f"duplicate example ids in competency.yaml: {ids}")
    return tuple(items)


def editor_page(request: Request) -> HTMLResponse:
    """The YASGUI editor, set to query this server's /sparql, with our prefixes and examples.

    The /sparql route calls this when the client asks for HTML.

    Args:
        request: the request for /sparql.

    Returns:
        The page, with a ``Link`` to its JSON twin, the examples.
    """
    config: dict[str, Any] = {
        "prefixes": prefixes(),
        "defaultQuery": PREFIXES + "\n" + DEFAULT_QUERY,
        "examples": [e.model_dump() for e in examples()],
    }
    return templates.TemplateResponse(
        request,
        "sparql.html",
        {
            "config": config,
            "examples": examples(),
            "installed": (YASGUI_BUILD / "yasgui.min.js").is_file(),
        },
        headers={"Link": '</sparql/examples>; rel="alternate"; type="application/json"'},
    )
