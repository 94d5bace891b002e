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
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import access
from .disk import atomic_write, cache_dir
from .errors import InputError
from .vector_files import trim_cache


def map_key(vectors: np.ndarray, texts: list[str]) -> str:
    """A short digest naming a corpus map (the folder a saved map goes in, and its link)."""
    import hashlib

    h = hashlib.sha1(np.ascontiguousarray(vectors).tobytes())
    h.update("\n".join(texts).encode())
    return h.hexdigest()[:16]


@dataclass
class CorpusMap:
    """A saved corpus map: ``texts``, ``labels``, ``coords`` ``[n, 2]``, ``vectors`` (memory-mapped) and
    what the job noted (``about``)."""

    texts: list[str]
    labels: list[str]
    coords: np.ndarray
    vectors: np.ndarray
    about: dict


def open_map(out_dir: str | os.PathLike) -> CorpusMap:
    """A map written by :func:`map_corpus` (or saved by the app), opened without recomputing. Messages
    name the folder by its last part only: a visitor learns nothing of the server's paths."""
    import pyarrow.parquet as pq

    name = Path(str(out_dir)).name or "That folder"
    out = Path(access.check_vector_path(out_dir))  # a visitor opens only folders the owner allowed
    if not (out / "map.parquet").is_file() or not (out / "vectors.npy").is_file():
        raise InputError(f"{name} is not a corpus map (it needs map.parquet and vectors.npy); make one with "
                         "“Save this map” or python -m embedviz map FILE --out DIR.")
    try:
        t = pq.read_table(out / "map.parquet")
    except Exception:  # noqa: BLE001
        raise InputError(f"{name}: map.parquet is not a readable parquet file; make the map again.") from None
    missing = [c for c in ("text", "x", "y") if c not in t.column_names]
    if missing:
        raise InputError(f"{name}: map.parquet has no column {', '.join(missing)} (it has {', '.join(t.column_names[:10])}); "
                         "a map needs text, x and y: make it again with python -m embedviz map.")
    try:
        vecs = np.load(out / "vectors.npy", mmap_mode="r")  # never allow_pickle: an object array is refused
    except Exception:  # noqa: BLE001
        raise InputError(f"{name}: vectors.npy is not a plain array of numbers; make the map again.") from None
    if vecs.ndim != 2 or vecs.dtype.kind != "f":
        raise InputError(f"{name}: vectors.npy is not a table of vectors ({vecs.shape}, {vecs.dtype}); make the map again.")
    if len(vecs) != t.num_rows:
        raise InputError(f"{name}: map.parquet has {t.num_rows:,} rows but vectors.npy {len(vecs):,}; make the map again.")
    try:
        about = json.loads((out / "about.json").read_text()) if (out / "about.json").is_file() else {}
    except (OSError, ValueError):
        about = {}
    about = about if isinstance(about, dict) else {}
    try:
        coords = np.c_[t.column("x").to_numpy(), t.column("y").to_numpy()].astype(np.float32)
    except (TypeError, ValueError):
        raise InputError(f"{name}: the x and y columns of map.parquet are not numbers; make the map again.") from None
    labels = t.column("label").to_pylist() if "label" in t.column_names else [""] * t.num_rows
    return CorpusMap([str(v) for v in t.column("text").to_pylist()], ["" if v is None else str(v) for v in labels],
                     coords, vecs, about)


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
    atomic_write(out / "about.json", lambda f: f.write(json.dumps(about, indent=1).encode()))
    return out


def save_corpus_map(texts: list[str], labels: list[str] | None, coords: np.ndarray, vectors: np.ndarray,
                    about: dict) -> str:
    """Save a map the app made in the cache's ``corpora/`` folder; returns its key (the name a link
    opens it by, never a server path). The cache's disk limit counts these folders."""
    key = map_key(vectors, texts)
    save_map(cache_dir() / "corpora" / key, texts, labels, coords, vectors, about)
    trim_cache(keep=(cache_dir() / "corpora" / key,))
    return key


def open_saved_map(key: str) -> CorpusMap:
    """A map saved by :func:`save_corpus_map`, by its key."""
    key = str(key).strip()
    if not re.fullmatch(r"[0-9a-f]{16}", key):
        raise InputError("That link's map name is not one this server makes (16 letters and digits, 0-9 and a-f).")
    folder = cache_dir() / "corpora" / key
    if not folder.is_dir():
        raise InputError(f"There is no saved map {key} on this server (maps are dropped when the cache is full); "
                         "upload the file again and save it.")
    with contextlib.suppress(OSError):
        os.utime(folder)  # recently used: the cache drops others first
    return open_map(folder)
