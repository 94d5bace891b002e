"""What embedviz keeps on disk: where (:func:`cache_dir`, parsed vector files, uploads, downloads and
maps) and how (:func:`atomic_write`: a reader never sees half a file, since every session shares them)."""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def cache_dir() -> Path:
    """Where parsed vector files, uploads and downloads are kept (``EMBEDVIZ_CACHE``)."""
    return Path(os.environ.get("EMBEDVIZ_CACHE", Path.home() / ".cache" / "embedviz"))


def atomic_write(dest: Path, write: Callable[[io.BufferedWriter], None]) -> None:
    """Write ``dest`` through a temporary file in the same folder, renamed into place when complete,
    so that a reader never sees half a file and a killed write leaves no ``dest``."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=dest.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
