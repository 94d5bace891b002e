"""Grow a saved map: new rows embedded with the map's own model and placed among their nearest rows
already on it, the old rows staying exactly where they were (a map readers know does not move under
them when it grows).

>>> import embedviz as ev
>>> grown = ev.grow_map("papers-300k", ["A new abstract about graph neural networks."])  # doctest: +SKIP
>>> grown.added, grown.rows                                                              # doctest: +SKIP
(1, 300001)
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .disk import atomic_write
from .errors import InputError
from .map_folder import SAVED_NAME, open_map, saved_map_folder
from .progress import Progress, reporter

FITTED_ROWS = 50_000  # the map's rows a new row's nearest are looked for among (evenly spread over the map)
_LOCKS: dict[str, threading.Lock] = {}


@dataclass(frozen=True)
class Grown:
    """What :func:`grow_map` did: ``added`` rows placed at ``coords`` ``[added, 2]``; the map now holds
    ``rows``; its ``folder``; the map's columns the new rows carry from their file (``kept``) and those
    they have no value in (``not_kept``: the file has no such column)."""

    folder: Path
    added: int
    rows: int
    coords: np.ndarray
    kept: tuple[str, ...] = ()
    not_kept: tuple[str, ...] = ()

    def sentence(self) -> str:
        """What was done, in words: rows added, and which of the map's columns they carry."""
        said = f"Added {self.added:,} rows; the map holds {self.rows:,}."
        if self.kept:
            said += f" They carry their {', '.join(self.kept)} from the file."
        if self.not_kept:
            said += (f" The file has no column {', '.join(self.not_kept)}, so the new rows have no value "
                     f"there (grey, or “(none)”, when the map is coloured by it).")
        return said


def _folder(target) -> Path:
    if isinstance(target, os.PathLike) or Path(str(target)).is_dir() or not SAVED_NAME.fullmatch(str(target)):
        return Path(target)
    return saved_map_folder(str(target))  # a saved map's name (its key, or a batch job's folder in corpora/)


def _read_rows(rows, *, name, text_column, label_column, keep) -> tuple[list[str], list[str] | None, dict]:
    from .rows import iter_rows, read_corpus

    if isinstance(rows, (list, tuple)):
        texts = [str(t) for t in rows if str(t).strip()]
        return texts, None, {}
    if isinstance(rows, (bytes, bytearray)):
        got = read_corpus(bytes(rows), name or "rows.txt", text_column=text_column, label_column=label_column,
                          keep_columns=keep)
        return got.texts, got.labels, got.extra
    texts, labels, extra = [], [], {c: [] for c in keep}
    for chunk in iter_rows(rows, text_column=text_column, label_column=label_column, keep_columns=keep):  # any size
        texts += chunk.texts
        labels += chunk.labels or [""] * len(chunk.texts)
        for c in keep:
            extra[c] += chunk.extra.get(c, [])
    return texts, (labels if any(labels) else None), extra


def _carried(cm, rows, name, text_column, label_column):
    """The label column and the other map columns a file of new rows carries; the map's columns it lacks."""
    from .rows import columns_of

    if isinstance(rows, (list, tuple)):
        have = []
    else:
        have = columns_of(bytes(rows), name or "rows.txt") if isinstance(rows, (bytes, bytearray)) else columns_of(rows)
    if label_column is None and "label" in cm.columns:  # the map's label: the file's column of the same name
        label_column = next((c for c in (cm.about.get("label column"), "label") if c and c in have and c != text_column),
                            None)
    keep = tuple(c for c in cm.columns if c != "label" and c in have and c != text_column)
    lacking = tuple(c for c in cm.columns if c not in keep and (c != "label" or (label_column is None and any(cm.labels))))
    return label_column, keep, lacking


def grow_map(target, rows, *, name: str | None = None, text_column: str | None = None,
             label_column: str | None = None, vectors: np.ndarray | None = None, encoder=None,
             progress: Progress | None = None) -> Grown:
    """Add ``rows`` to the map ``target`` (a map folder, or a saved map's name): a list of texts, the bytes
    of a file called ``name``, or a file's path (``text_column`` / ``label_column`` choose its columns;
    the map's label is the file's column named as the map's was, or ``label``; the map's other columns
    are carried where the file has a column of that name, and said when it has not).
    Each row is embedded with the map's own model (about.json "model", its "strategy"; or ``encoder``;
    or ``vectors`` given, one per row), then placed where its nearest rows on the map lie densest
    (:func:`embedviz.projection.place_near`, the map's rows as the fitted set). ``vectors.npy`` and
    ``map.parquet`` are written anew beside the old ones and swapped in; every old row keeps its x, y
    and vector exactly. A file whose vectors are not as wide as the map's is refused."""
    step = reporter(progress)
    folder = _folder(target)
    cm = open_map(folder)
    label_column, keep, lacking = _carried(cm, rows, name, text_column, label_column)
    texts, labels, extra = _read_rows(rows, name=name, text_column=text_column, label_column=label_column, keep=keep)
    if not texts:
        raise InputError("There are no non-empty rows to add.")
    width = cm.vectors.shape[1]
    if vectors is None:
        from .embed import embed_rows

        model = cm.model
        step(0.05, f"Loading {model or 'the default model'}, the model this map was made with")
        enc = encoder or _load(None if model in (None, "default") else model)
        vectors, _ = embed_rows(enc, texts, strategy=cm.about.get("strategy", "model"),
                                progress=lambda f, m: step(0.1 + 0.6 * f, m))
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim != 2 or len(vectors) != len(texts):
        raise InputError(f"Give one vector per new row ({len(texts):,} rows, {len(vectors):,} vectors).")
    if vectors.shape[1] != width:
        raise InputError(f"The new rows' vectors have {vectors.shape[1]:,} numbers each but this map's have {width:,}: "
                         f"they were made by another model than the map's ({cm.model or 'unnamed'}); embed them "
                         "with the map's own model.")
    if not np.isfinite(vectors).all():
        raise InputError("Some of the new rows' vectors are not finite numbers; they cannot be placed.")
    step(0.75, f"Placing {len(texts):,} rows among the map's {len(cm.texts):,}")
    coords = place_among(cm.vectors, cm.coords, vectors)
    with _LOCKS.setdefault(str(folder.resolve()), threading.Lock()):
        step(0.9, "Writing the grown map")
        total = _append(folder, cm, texts, labels, vectors, coords, extra)
    step(1.0, f"Added {len(texts):,} rows; the map holds {total:,}")
    kept = (("label",) if label_column is not None else ()) + keep
    return Grown(folder, len(texts), total, coords, kept, lacking)


def _load(model: str | None):
    """The model named by about.json "model": an encoder, or any embedder the package can load by name."""
    try:  # a static model's spec ("static:...") too, where embedviz has them
        from .static_model import load_embedder
    except ImportError:
        from .models import load_encoder as load_embedder
    return load_embedder(model)


def place_among(old_vectors: np.ndarray, old_coords: np.ndarray, new: np.ndarray) -> np.ndarray:
    """``[n, 2]`` places of new rows ``new`` on a map whose rows ``old_vectors`` lie at ``old_coords``:
    where their nearest rows (cosine; among at most :data:`FITTED_ROWS` of them, evenly spread) lie densest."""
    from .projection import SampleIndex, place_near

    n = len(old_vectors)
    pick = np.unique(np.linspace(0, n - 1, min(n, FITTED_ROWS)).round().astype(np.int64))
    index = SampleIndex(np.asarray(old_vectors[pick], dtype=np.float32))
    return place_near(index, np.asarray(old_coords)[pick], new)


def _column(values: list, typ, column: str):
    """A file's values (text) as a map column of type ``typ``; numbers kept as text become numbers."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pa.array(values, pa.string())
    if pa.types.is_string(typ) or pa.types.is_large_string(typ):
        return arr.cast(typ)
    try:
        return pc.cast(pc.if_else(pc.equal(pc.utf8_trim_whitespace(arr), ""), None, pc.utf8_trim_whitespace(arr)), typ)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        raise InputError(f"The new rows' column {column!r} holds values that are not {typ}, as the map's column "
                         "does; fix them or drop that column from the file.") from None


def _append(folder: Path, cm, texts, labels, vectors, coords, extra=None) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    old = pq.read_table(folder / "map.parquet")
    if old.num_rows != len(cm.texts) or np.load(folder / "vectors.npy", mmap_mode="r").shape[0] != len(cm.texts):
        raise InputError("The map changed while the new rows were placed (grown by someone else); add them again.")
    add = {"text": pa.array(texts, pa.string()), "x": pa.array(coords[:, 0]), "y": pa.array(coords[:, 1]),
           **{c: _column(v, old.schema.field(c).type, c) for c, v in (extra or {}).items() if c in old.column_names}}
    if "label" in old.column_names:
        add["label"] = pa.array(labels if labels is not None else [""] * len(texts), pa.string())
    new = pa.table({c: add[c].cast(old.schema.field(c).type) if c in add else pa.nulls(len(texts), old.schema.field(c).type)
                    for c in old.column_names})
    table = pa.concat_tables([old, new])
    n = table.num_rows
    vec_tmp = folder / "vectors.npy.tmp"
    big = np.lib.format.open_memmap(vec_tmp, mode="w+", dtype=np.float32, shape=(n, vectors.shape[1]))
    k = len(cm.vectors)
    for a in range(0, k, 100_000):  # a chunk at a time: a big map's vectors never in memory whole
        big[a:min(a + 100_000, k)] = cm.vectors[a:a + 100_000]
    big[len(cm.vectors):] = vectors
    big.flush()
    del big
    atomic_write(folder / "map.parquet.new", lambda f: pq.write_table(table, f))
    about = dict(cm.about, rows=n, **{"rows added later (placed among their nearest)":
                                     int(cm.about.get("rows added later (placed among their nearest)", 0)) + len(texts)})
    os.replace(vec_tmp, folder / "vectors.npy")  # the two swaps follow each other; a reader between them is told
    os.replace(folder / "map.parquet.new", folder / "map.parquet")  # the counts differ and to open it again
    atomic_write(folder / "about.json", lambda f: f.write(json.dumps(about, indent=1).encode()))
    return n
