"""What every command of the ``bilateral`` command line shares: its one-line error, its
settings (the environment's, overridden by the command line) and its progress messages."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from pydantic import ValidationError

from api.config import Settings, get_settings, overrides

__all__ = ["CliError", "Command", "progress", "settings", "why"]

#: Adds a subcommand (name, help) with the store's options, and gives its parser.
Command = Callable[[str, str], argparse.ArgumentParser]


class CliError(Exception):
    """An error to report in one line, exiting non-zero."""


def progress(message: str) -> None:
    """Say on standard error what a long command is doing."""
    print(f"… {message}", file=sys.stderr, flush=True)


def settings(args: argparse.Namespace) -> Settings:
    """The settings, with what the command line gave; a :class:`CliError` for a bad value."""
    try:
        return Settings.model_validate({**get_settings().model_dump(), **overrides(args)})
    except ValidationError as exc:
        err = exc.errors()[0]
        raise CliError(f"--{str(err['loc'][0]).replace('_', '-')}: {err['msg']}") from None


def why(exc: Exception) -> str:
    """The reason of an OS error in words (its strerror), else the exception's text."""
    return str(getattr(exc, "strerror", None) or exc)
