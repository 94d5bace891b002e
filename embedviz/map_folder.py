"""A map folder: what the batch job writes and the app saves and opens. ``vectors.npy`` (float32,
memory-mapped on reading), ``map.parquet`` (text, label, x, y) and ``about.json`` (what was noted
while making it). Maps the app saves go in the cache's ``corpora/`` folder under a key, the name a
link opens them by.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import access
from .cache import digest, memoize
from .disk import atomic_write, cache_dir
from .errors import InputError
from .vector_files import trim_cache


def map_key(vectors: np.ndarray, texts: list[str]) -> str:
    """A short digest naming a corpus map (the folder a saved map goes in, and its link)."""
    import hashlib

    h = hashlib.sha1(np.ascontiguousarray(vectors).tobytes())
    h.update("\n".join(texts).encode())
    return h.hexdigest()[:16]


MAP_VERSION = 1  # about.json "version": the layout of a map folder; a folder without one is version 1
CORE_COLUMNS = ("text", "x", "y")
SAVED_NAME = re.compile(r"(?!.*\.\.)[A-Za-z0-9][A-Za-z0-9._-]{0,99}")  # a key, or a batch job's folder name


@dataclass
class CorpusMap:
    """A saved corpus map: ``texts``, ``labels``, ``coords`` ``[n, 2]``, ``vectors`` (memory-mapped: its
    pages are read as a question needs them), what the job noted (``about``), the ``folder`` and the other
    columns of its ``map.parquet`` (``columns``: those a map can be coloured by). Opened once per folder
    and version of its files, and shared by every session (:func:`open_map`)."""

    texts: list[str]
    labels: list[str]
    coords: np.ndarray
    vectors: np.ndarray
    about: dict
    folder: Path | None = None
    columns: list[str] = field(default_factory=list)
    key: str = ""

    @property
    def model(self) -> str | None:
        """The model that made the vectors, as about.json names it (None when it does not)."""
        m = self.about.get("model")
        return m.get("name") if isinstance(m, dict) else (str(m) if m else None)

    @property
    def model_name(self) -> str | None:
        """The model that made the vectors, in words (about.json "model name", else its "model")."""
        return str(self.about.get("model name") or "") or self.model

    def column(self, name: str):
        """Column ``name`` of ``map.parquet``, read now (only it): a float array for numbers, else a list of
        strings (None for a missing value)."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        if name not in self.columns:
            raise InputError(f"This map has no column {name!r}; it has {', '.join(self.columns) or 'none'}.")
        if name == "label":
            return self.labels
        col = pq.read_table(self.folder / "map.parquet", columns=[name]).column(name)
        if pa.types.is_integer(col.type) or pa.types.is_floating(col.type):
            return col.to_numpy(zero_copy_only=False).astype(np.float64)
        if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
            import pyarrow.compute as pc

            try:  # numbers kept as text (a CSV's column): numbers again; "" and None are missing
                trimmed = pc.utf8_trim_whitespace(col)
                return pc.cast(pc.if_else(pc.equal(trimmed, ""), None, trimmed), pa.float64()).to_numpy(zero_copy_only=False)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                pass
        return [None if v is None else str(v) for v in col.to_pylist()]

    def colouring(self, name: str | None):
        """:func:`~embedviz.colour_by` of column ``name`` (None: none), computed once per map and column."""
        from .colour_by import colour_by

        if name is None:
            return None
        with _LOCK:
            done = self._colourings.get(name) if hasattr(self, "_colourings") else None
        if done is None:
            done = colour_by(self.column(name), column=name)
            with _LOCK:
                self.__dict__.setdefault("_colourings", {})[name] = done
        return done

    def picture(self, colouring=None):
        """The :class:`~embedviz.Map` of these rows (labelled by their first 80 characters), its groups the
        categories of ``colouring`` (or the labels), made once per colouring and shared."""
        from .maps import Map
        from .vecmath import unit_rows

        name = colouring.column if colouring is not None else None
        with _LOCK:
            kept = self.__dict__.setdefault("_pictures", {})
            if name in kept:
                return kept[name]
            if "_unit" not in self.__dict__:
                self._unit = unit_rows(np.asarray(self.vectors, dtype=np.float32))
                self._short = [t if len(t) <= 80 else t[:77] + "…" for t in self.texts]
        groups = colouring.groups if colouring is not None else (self.labels if any(self.labels) else None)
        m = Map(self._short, self.vectors, self.coords, method=self.about.get("method", "pca"), groups=groups,
                unit=self._unit, key=f"corpus-{self.key}-{name}")
        with _LOCK:
            return kept.setdefault(name, m)


_LOCK = threading.Lock()


def _stamp(out: Path) -> str:
    """What names this version of a map folder's files: their sizes and modification times."""
    parts = []
    for f in ("map.parquet", "vectors.npy", "about.json"):
        with contextlib.suppress(OSError):
            st = (out / f).stat()
            parts.append(f"{f}:{st.st_size}:{st.st_mtime_ns}")
    return "|".join(parts)


def open_map(out_dir: str | os.PathLike) -> CorpusMap:
    """A map written by :func:`map_corpus` (or saved by the app), opened without recomputing: the vectors
    memory-mapped, from ``map.parquet`` only the text, label, x and y columns (the others are read when a
    map is coloured by one). Opened once per folder and version of its files (a grown map opens anew).
    Messages name the folder by its last part only: a visitor learns nothing of the server's paths."""
    name = Path(str(out_dir)).name or "That folder"
    out = Path(access.check_vector_path(out_dir))  # a visitor opens only folders the owner allowed
    if not (out / "map.parquet").is_file() or not (out / "vectors.npy").is_file():
        missing = " and ".join(f for f in ("map.parquet", "vectors.npy") if not (out / f).is_file())
        raise InputError(f"{name} is not a corpus map: it has no {missing} (a map needs map.parquet and vectors.npy); "
                         "make one with “Save this map” or python -m embedviz map FILE --out DIR.")
    return _open(str(out.resolve()), name, _stamp(out))


@memoize(maxsize=3, max_bytes=None)  # a few maps at a time: each is shared by every session that opens it
def _open(folder: str, name: str, stamp: str) -> CorpusMap:
    import pyarrow.parquet as pq

    out = Path(folder)
    try:
        about = json.loads((out / "about.json").read_text()) if (out / "about.json").is_file() else {}
    except (OSError, ValueError):
        about = {}
    about = about if isinstance(about, dict) else {}
    version = about.get("version", MAP_VERSION)
    if version != MAP_VERSION:
        raise InputError(f"{name} was made by another version of embedviz (map format {str(version)[:20]}; this one "
                         f"reads format {MAP_VERSION}); make the map again with this version.")
    try:
        schema = pq.read_schema(out / "map.parquet")
    except Exception:  # noqa: BLE001
        raise InputError(f"{name}: map.parquet is not a readable parquet file; make the map again.") from None
    missing = [c for c in CORE_COLUMNS if c not in schema.names]
    if missing:
        raise InputError(f"{name}: map.parquet has no column {', '.join(missing)} (it has {', '.join(schema.names[:10])}); "
                         "a map needs text, x and y: make it again with python -m embedviz map.")
    try:
        vecs = np.load(out / "vectors.npy", mmap_mode="r")  # never allow_pickle: an object array is refused
    except Exception:  # noqa: BLE001
        raise InputError(f"{name}: vectors.npy is not a plain array of numbers; make the map again.") from None
    if vecs.ndim != 2 or vecs.dtype.kind != "f":
        raise InputError(f"{name}: vectors.npy is not a table of vectors ({vecs.shape}, {vecs.dtype}); make the map again.")
    rows = pq.read_metadata(out / "map.parquet").num_rows
    if len(vecs) != rows:
        raise InputError(f"{name}: map.parquet has {rows:,} rows but vectors.npy {len(vecs):,}; make the map again.")
    t = pq.read_table(out / "map.parquet", columns=[c for c in ("text", "label", "x", "y") if c in schema.names])
    try:
        coords = np.c_[t.column("x").to_numpy(), t.column("y").to_numpy()].astype(np.float32)
    except (TypeError, ValueError, ArithmeticError):
        raise InputError(f"{name}: the x and y columns of map.parquet are not numbers; make the map again.") from None
    coords.setflags(write=False)
    texts = ["" if v is None else str(v) for v in t.column("text").to_pylist()]
    labels = t.column("label").to_pylist() if "label" in t.column_names else [""] * t.num_rows
    columns = [c for c in schema.names if c not in CORE_COLUMNS]
    return CorpusMap(texts, ["" if v is None else str(v) for v in labels], coords, vecs, about, out, columns,
                     digest(stamp.encode() + folder.encode())[:16])


def save_map(out_dir: str | os.PathLike, texts: list[str], labels: list[str] | None, coords: np.ndarray,
             vectors: np.ndarray, about: dict) -> Path:
    """Write a map the app made in the same layout :func:`map_corpus` writes."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    atomic_write(out / "vectors.npy", lambda f: np.save(f, np.asarray(vectors, dtype=np.float32)))
    table = pa.table({"text": texts, "label": labels or [""] * len(texts), "x": coords[:, 0], "y": coords[:, 1]})
    atomic_write(out / "map.parquet", lambda f: pq.write_table(table, f))
    atomic_write(out / "about.json", lambda f: f.write(json.dumps({"version": MAP_VERSION, **about}, indent=1).encode()))
    return out


def save_corpus_map(texts: list[str], labels: list[str] | None, coords: np.ndarray, vectors: np.ndarray,
                    about: dict) -> str:
    """Save a map the app made in the cache's ``corpora/`` folder; returns its key (the name a link
    opens it by, never a server path). The cache's disk limit counts these folders."""
    key = map_key(vectors, texts)
    save_map(cache_dir() / "corpora" / key, texts, labels, coords, vectors, about)
    trim_cache(keep=(cache_dir() / "corpora" / key,))
    return key


def saved_map_folder(name: str) -> Path:
    """The folder of the saved map ``name`` in the cache's ``corpora/`` folder: a key the app made, or the
    folder name of a batch job's map placed there (letters, digits, ``.``, ``_`` and ``-``; never a path)."""
    name = str(name).strip()
    if not SAVED_NAME.fullmatch(name):
        raise InputError("That link's map name is not one this server makes (16 letters and digits, 0-9 and a-f, or "
                         "the name of a folder in its corpora folder: letters, digits, '.', '_' and '-', no path).")
    corpora = cache_dir() / "corpora"
    folder = corpora / name
    if not folder.is_dir() or not folder.resolve().is_relative_to(corpora.resolve()):
        raise InputError(f"There is no saved map {name} on this server (maps are dropped when the cache is full); "
                         "upload the file again and save it.")
    return folder


def open_saved_map(key: str) -> CorpusMap:
    """A map saved by :func:`save_corpus_map` (or a batch job's map placed in the cache's ``corpora/``
    folder), by its name."""
    folder = saved_map_folder(key)
    with contextlib.suppress(OSError):
        os.utime(folder)  # recently used: the cache drops others first
    return open_map(folder)
