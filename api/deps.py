"""Typed dependencies of the routes: the store and the settings."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from api.config import Settings
from graph.store import Store

__all__ = ["SettingsDep", "StoreDep", "get_app_settings", "get_store"]


def get_store(request: Request) -> Store:
    """The store the app opened at start-up."""
    store: Store = request.app.state.store
    return store


def get_app_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


StoreDep = Annotated[Store, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
