"""Response models more than one router answers with (a router never imports another)."""

from __future__ import annotations

from pydantic import BaseModel

__all__ = ["Line"]


class Line(BaseModel):
    """A line between two nodes of a drawn neighbourhood: one relation in one layer."""

    id: str
    source: str
    target: str
    relation: str
    words: str
    group: str
    layer: str
    status: str | None
