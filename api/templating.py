"""The Jinja templates of the pages (``api/templates``), shared by every router that renders one."""

from __future__ import annotations

from fastapi.templating import Jinja2Templates
from jinja2 import Environment, PackageLoader, select_autoescape

__all__ = ["templates"]

templates = Jinja2Templates(
    env=Environment(loader=PackageLoader("api", "templates"), autoescape=select_autoescape())
)
