"""How a long step reports: a ``Progress`` callback takes (fraction done 0-1, a message in words).
Every long call (model load, file parse, t-SNE, embedding a corpus) takes ``progress=None``."""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[float, str], None]


def quiet(f: float, message: str) -> None:
    """The callback for a caller that wants no progress."""


def reporter(progress: Progress | None) -> Progress:
    """``progress``, or :func:`quiet` when there is none: callers then report without checking."""
    return progress or quiet
