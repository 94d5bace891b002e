"""What a visitor to a shared server may read: vector and model files only from the places the
server's owner named. A notebook is its owner's own, so nothing here applies until the app calls
:func:`serve_visitors`.

The owner names places with environment variables:

- ``EMBEDVIZ_VECTOR_DIRS``: folders (``os.pathsep``-separated) whose vector files visitors may load;
  the GloVe package's data, embedviz's cache folder and the file ``EMBEDVIZ_VECTORS`` names are
  always readable.
- ``EMBEDVIZ_ALLOWED_MODELS``: model ids or folders visitors may load (see :mod:`embedviz.models`).
- ``EMBEDVIZ_LOCAL_FILES=1``: the app runs on the owner's own machine for the owner alone; any
  readable file or folder may be loaded, as in a notebook.

Paths are resolved (``~``, ``..`` and symbolic links) before they are checked, and a refusal says
the same thing whether or not the path exists, so that it reveals nothing.

>>> from embedviz import access
>>> access.check_vector_path("/etc/passwd")           # a notebook: the owner may read anything
'/etc/passwd'
>>> access.serve_visitors()                           # what the app does
>>> access.check_vector_path("/etc/passwd")
Traceback (most recent call last):
embedviz.errors.InputError: This server does not read that path: ...
>>> access.serve_visitors(False)
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import InputError

MAX_PATH_CHARS = 1024  # longer than any real path; a 3,000-character URL value is refused politely
REFUSED_FILE = ("This server does not read that path: it loads vector files only from the folders its owner "
                "named (EMBEDVIZ_VECTOR_DIRS). Choose another source, or upload the file.")
REFUSED_MODEL = ("{name!r} is not available on this server. It offers the models in its list; its owner can add "
                 "others with EMBEDVIZ_ALLOWED_MODELS.")
_serving = False
_swept = False


def serve_visitors(on: bool = True) -> None:
    """Declare that this process serves visitors (the app does this): from now on files and model
    folders are read only from the places the owner named, unless ``EMBEDVIZ_LOCAL_FILES=1``."""
    global _serving, _swept
    _serving = on
    if on and not _swept:  # the server's start: what a crash left in the cache's tmp/ goes
        from .vector_files import sweep_tmp

        _swept = True
        sweep_tmp()


def restricted() -> bool:
    """True when paths are checked: the process serves visitors and its owner has not opted out."""
    return _serving and os.environ.get("EMBEDVIZ_LOCAL_FILES", "").strip().lower() not in ("1", "true", "yes")


def _env_list(name: str) -> list[str]:
    return [d.strip() for d in os.environ.get(name, "").split(os.pathsep) if d.strip()]


def real(path: str | os.PathLike) -> Path | None:
    """``path`` with ``~``, ``..`` and symbolic links resolved, or None when it cannot be (too long,
    a loop of links)."""
    text = str(path)
    if len(text) > MAX_PATH_CHARS or "\0" in text:
        return None
    try:
        return Path(os.path.realpath(os.path.expanduser(text)))
    except (OSError, ValueError, RuntimeError):
        return None


def vector_dirs() -> list[Path]:
    """The folders a visitor's vector files may come from: the GloVe package's data, embedviz's
    benchmark files, the cache folder (uploads and downloads are parsed there) and
    ``EMBEDVIZ_VECTOR_DIRS``."""
    from .disk import cache_dir
    from .vector_files import packaged_glove_files

    dirs = [cache_dir(), Path(__file__).parent / "data"] + [Path(d) for d in _env_list("EMBEDVIZ_VECTOR_DIRS")]
    files = packaged_glove_files()
    if files is not None:
        dirs.append(files[0].parent)
    return [r for r in (real(d) for d in dirs) if r is not None]


def check_vector_path(path: str | os.PathLike) -> str | os.PathLike:
    """``path`` (resolved, when paths are checked) if this process may read it; else an
    :class:`InputError` that says the same whether or not the path exists."""
    if len(str(path)) > MAX_PATH_CHARS:
        raise InputError(f"That path is {len(str(path)):,} characters long; at most {MAX_PATH_CHARS:,} are read.")
    if not restricted():
        return path
    resolved = real(path)
    named = real(os.environ["EMBEDVIZ_VECTORS"]) if os.environ.get("EMBEDVIZ_VECTORS") else None
    if resolved is None or not (resolved == named or any(resolved.is_relative_to(d) for d in vector_dirs())):
        raise InputError(REFUSED_FILE)
    if _leftover(resolved):  # an upload being parsed, or half a file: never a visitor's to open
        raise InputError(REFUSED_FILE)
    return resolved


def _leftover(resolved: Path) -> bool:
    from .vector_files import cache_dir

    tmp = real(cache_dir() / "tmp")
    return resolved.name.endswith(".tmp") or (tmp is not None and resolved.is_relative_to(tmp))


def model_folder_allowed(resolved: Path, allowed: list[str] | None) -> bool:
    """May a visitor load the model folder ``resolved``? Only one its owner listed, unless the
    process is unrestricted."""
    if not restricted():
        return True
    listed = [real(m) for m in (allowed or []) if m.startswith(("/", "~", "."))]
    return resolved in listed
