"""Settings, read once from the environment (``BILATERAL_*``) and the command line."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from graph.iris import DEFAULT_BASE

__all__ = ["Settings", "get_settings"]


class Settings(BaseSettings):
    """Where the data lives and how the server listens."""

    model_config = SettingsConfigDict(env_prefix="BILATERAL_", extra="ignore")

    store: Path = Path("data/store")
    seeds: Path = Path("seeds")
    base_iri: str = DEFAULT_BASE
    host: str = "127.0.0.1"
    port: int = 8000

    @field_validator("base_iri")
    @classmethod
    def _slash(cls, v: str) -> str:
        if not v.startswith(("http://", "https://")) or not v.endswith("/"):
            raise ValueError("the base IRI must be an http(s) IRI ending with '/'")
        return v


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings from the environment, read once."""
    return Settings()
