"""A user's corpus as a map: reading rows (CSV, parquet, JSON lines, plain text), embedding them in
batches with the active encoder (in this process, or on Ray Data), projecting them (fitted on a
sample, the rest placed), finding rows by meaning, naming clusters by their words, and saved maps.

The batch job (``python -m embedviz map``) streams its input in chunks: each finished chunk is written
atomically and skipped on a rerun, so a stopped job resumes, and memory stays bounded whatever the
input's size. Both engines call :func:`embed_batch`, so they give the same vectors.

>>> import embedviz as ev
>>> rows = ev.read_corpus_text(["A first row.", "", "A second row."])
>>> rows.texts, rows.empty
(['A first row.', 'A second row.'], 1)
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import socket
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import access, limits
from .cache import memoize
from .tokens import INVISIBLE, InputError
from .vector_files import atomic_write

FORMATS = {".csv": "csv", ".tsv": "csv", ".parquet": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl", ".txt": "text"}
Progress = Callable[[float, str], None]


@dataclass
class Rows:
    """Rows read from a corpus: ``texts`` (non-empty), ``labels`` (or None), and what was left out
    or mended: ``empty`` rows skipped, ``invisible`` (numbers of rows holding only invisible
    characters, also skipped), ``replaced`` rows whose bytes were not UTF-8, ``long`` rows cut to
    :data:`~embedviz.limits.MAX_ROW_CHARS` characters."""

    texts: list[str] = field(default_factory=list)
    labels: list[str] | None = None
    empty: int = 0
    replaced: int = 0
    columns: list[str] = field(default_factory=list)
    invisible: list[int] = field(default_factory=list)
    long: int = 0


def _kind(name: str) -> str:
    kind = FORMATS.get(Path(name).suffix.lower())
    if kind is None:
        raise InputError(f"{Path(name).name}: a corpus is a .csv, .tsv, .parquet, .jsonl or .txt file (one row per line).")
    return kind


def _decode(raw: bytes) -> tuple[str, bool]:
    try:
        return raw.decode("utf-8"), False
    except UnicodeDecodeError:
        return raw.decode("utf-8", errors="replace"), True


def _looks_binary(head: bytes, name: str) -> None:
    if b"\0" in head[:8192]:
        raise InputError(f"{Path(name).name} holds binary data (zero bytes near its start), not text; save it as a "
                         "UTF-8 .csv, .jsonl or .txt file (or give a .parquet file its .parquet name).")


def iter_rows(source: str | os.PathLike | bytes, *, name: str | None = None, text_column: str | None = None,
              label_column: str | None = None, chunk_rows: int = 10_000, max_bytes: int | None = None) -> Iterator[Rows]:
    """The rows of a corpus file (or its bytes, with ``name`` for its format), ``chunk_rows`` at a time,
    streamed: a file of any size is never in memory whole, and each row is cut to
    :data:`~embedviz.limits.MAX_ROW_CHARS` characters as it is read. ``text_column``: the column to
    embed (required for CSV, parquet and JSON lines; plain text has one row per line). ``max_bytes``:
    refuse a file whose text, once decoded (decompressed, dictionary entries expanded), is larger."""
    name = name or str(source)
    kind = _kind(name)
    if kind == "parquet":
        yield from _parquet_rows(source, text_column, label_column, chunk_rows, max_bytes, name)
        return
    raw = io.BytesIO(source) if isinstance(source, bytes) else open(source, "rb")
    with raw:
        _looks_binary(raw.read(8192), name)
        raw.seek(0)
        budget = _Budget(max_bytes, name)
        lines = (_decode(budget.take(b)) for b in raw)
        if kind == "text":
            yield from _chunks(((t.rstrip("\r\n"), None, bad) for t, bad in lines), chunk_rows, [])
        elif kind == "jsonl":
            yield from _jsonl_rows(lines, text_column, label_column, chunk_rows)
        else:
            yield from _csv_rows(lines, text_column, label_column, chunk_rows, "\t" if name.lower().endswith(".tsv") else ",")


class _Budget:
    """Counts the bytes a reader decodes; past ``limit``, a message that says what to do."""

    def __init__(self, limit: int | None, name: str):
        self.limit, self.name, self.used = limit, Path(name).name, 0

    def take(self, data, n: int | None = None):
        self.used += len(data) if n is None else n
        if self.limit is not None and self.used > self.limit:
            raise InputError(f"{self.name} holds more than {self.limit / 2**20:,.0f} MB of text once decoded, more than the "
                             "app reads; map it with the batch job instead: python -m embedviz map FILE --out DIR.")
        return data


def _cut(text: str) -> tuple[str, bool]:
    return (text, False) if len(text) <= limits.MAX_ROW_CHARS else (text[:limits.MAX_ROW_CHARS], True)


def _chunks(items, chunk_rows: int, columns: list[str]) -> Iterator[Rows]:
    rows = Rows(columns=columns)
    for n, (text, label, bad) in enumerate(items, 1):
        text, long = _cut(text or "")
        text = text.strip()
        if not text:
            rows.empty += 1
            continue
        if not INVISIBLE.sub("", text):
            rows.invisible.append(n)
            continue
        rows.texts.append(text)
        rows.replaced += bad
        rows.long += long
        if label is not None:
            rows.labels = rows.labels if rows.labels is not None else []
            rows.labels.append(_cut(str(label))[0])
        if len(rows.texts) >= chunk_rows:
            yield rows
            rows = Rows(columns=columns)
    if rows.texts or rows.empty or rows.invisible:
        yield rows


def _need(column: str | None, columns: list[str], what: str = "text") -> str:
    if column is None:
        raise InputError(f"Choose the {what} column: one of {', '.join(map(str, columns[:20]))}.")
    if column not in columns:
        raise InputError(f"There is no column {column!r}; the columns are: {', '.join(map(str, columns[:20]))}.")
    return column


def _csv_rows(lines, text_column, label_column, chunk_rows, delimiter) -> Iterator[Rows]:
    flags = []

    def text_lines():
        for t, bad in lines:
            flags.append(bad)
            yield t

    reader = csv.reader(text_lines(), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise InputError("The file is empty.") from None
    except csv.Error as e:
        raise InputError(f"The first line (the header) is not readable CSV: {e}. Save the file as UTF-8 CSV with a "
                         "header line naming its columns.") from None
    t = header.index(_need(text_column, header))
    lab = header.index(_need(label_column, header, "label")) if label_column else None

    def items():
        try:
            for row in reader:
                bad = any(flags)
                flags.clear()
                yield (row[t] if t < len(row) else ""), (row[lab] if lab is not None and lab < len(row) else None), bad
        except csv.Error as e:
            raise InputError(f"CSV line {reader.line_num}: {e}. Fix that line (a quote left open, or a field over "
                             f"{csv.field_size_limit():,} characters) and upload the file again.") from None

    yield from _chunks(items(), chunk_rows, header)


def _jsonl_rows(lines, text_column, label_column, chunk_rows) -> Iterator[Rows]:
    seen: list[str] = []

    def items():
        for n, (line, bad) in enumerate(lines, 1):
            if not line.strip():
                yield "", None, False
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                raise InputError(f"JSON line {n} is not JSON: {e.msg}. Each line of a .jsonl file is one object, "
                                 'such as {"text": "A row."}.') from None
            except RecursionError:
                raise InputError(f"JSON line {n} is nested too deeply to read.") from None
            if not isinstance(obj, dict):
                raise InputError(f"JSON line {n} is a JSON {type(obj).__name__.replace('dict', 'object')}, not an object "
                                 'with named fields; each line of a .jsonl file is one object, such as {"text": "A row."}.')
            if not seen:
                seen.extend(obj)
                _need(text_column, seen)
                if label_column:
                    _need(label_column, seen, "label")
            value = obj.get(text_column)
            label = obj.get(label_column) if label_column else None
            yield (value if isinstance(value, str) else "" if value is None else json.dumps(value)), label, bad

    yield from _chunks(items(), chunk_rows, seen)


def _parquet_file(source, name: str, read_dictionary=None):
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(io.BytesIO(source) if isinstance(source, bytes) else source, read_dictionary=read_dictionary)
    except Exception as e:  # noqa: BLE001 - Arrow's errors are many; say it in words
        raise InputError(f"{Path(name).name} is not a readable parquet file ({str(e)[:120]}); write it again with "
                         "pandas' to_parquet or pyarrow, or save it as CSV.") from None


def _parquet_rows(source, text_column, label_column, chunk_rows, max_bytes, name) -> Iterator[Rows]:
    import pyarrow as pa
    import pyarrow.compute as pc

    f = _parquet_file(source, name)
    columns = f.schema_arrow.names
    cols = [_need(text_column, columns)] + ([_need(label_column, columns, "label")] if label_column else [])
    strings = [c for c in cols if pa.types.is_string(f.schema_arrow.field(c).type)
               or pa.types.is_large_string(f.schema_arrow.field(c).type)]
    # String columns stay dictionary-encoded as they are read: a repeated long value is cut once, and
    # never expanded to every row at full length (833 bytes on disk can be 2 GB decoded).
    f = _parquet_file(source, name, read_dictionary=strings)
    budget = _Budget(max_bytes, name)
    meta = f.metadata
    for rg in range(meta.num_row_groups):  # plain-encoded pages: their decompressed size, before reading them
        group = meta.row_group(rg)
        for c in range(group.num_columns):
            col = group.column(c)
            if col.path_in_schema in strings and "PLAIN_DICTIONARY" not in col.encodings \
                    and "RLE_DICTIONARY" not in col.encodings:
                budget.take(b"", col.total_uncompressed_size)

    def column(batch, i):
        arr = batch.column(i)
        if not pa.types.is_dictionary(arr.type):
            return [None if v is None else str(v) for v in arr.to_pylist()]
        values = arr.dictionary
        lengths = pc.binary_length(values).to_numpy(zero_copy_only=False)
        idx = arr.indices.to_numpy(zero_copy_only=False)
        valid = arr.is_valid().to_numpy(zero_copy_only=False)
        budget.take(b"", int(lengths[idx[valid]].sum()))
        short = pc.utf8_slice_codeunits(values, 0, limits.MAX_ROW_CHARS + 1).to_pylist()
        return [short[j] if ok else None for j, ok in zip(idx, valid)]

    def items():
        for batch in f.iter_batches(batch_size=max(1, min(chunk_rows, 256)), columns=cols):  # 256 rows decoded at a time
            texts = column(batch, 0)
            labels = column(batch, 1) if label_column else [None] * len(texts)
            yield from ((t if t is not None else "", lab, False) for t, lab in zip(texts, labels))

    yield from _chunks(items(), chunk_rows, columns)


def columns_of(data: bytes, name: str) -> list[str]:
    """The column names of a corpus file's bytes ([] for plain text)."""
    kind = _kind(name)
    if kind == "text":
        _looks_binary(data, name)
        return []
    if kind == "parquet":
        return [str(c) for c in _parquet_file(data, name).schema_arrow.names]
    _looks_binary(data, name)
    first = _decode(data.split(b"\n", 1)[0])[0]
    if kind == "jsonl":
        try:
            obj = json.loads(first)
        except (json.JSONDecodeError, RecursionError):
            raise InputError(f"The first line of {Path(name).name} is not JSON; each line of a .jsonl file is one "
                             'object, such as {"text": "A row."}.') from None
        if not isinstance(obj, dict):
            raise InputError(f"The first line of {Path(name).name} is a JSON {type(obj).__name__.replace('dict', 'object')}, "
                             'not an object with named fields; each line of a .jsonl file is one object, such as '
                             '{"text": "A row."}.')
        return [str(k) for k in obj]
    try:
        return next(csv.reader([first], delimiter="\t" if name.lower().endswith(".tsv") else ","), [])
    except csv.Error as e:
        raise InputError(f"The first line (the header) of {Path(name).name} is not readable CSV: {e}.") from None


@memoize(maxsize=4)
def read_corpus(data: bytes, name: str, *, text_column: str | None = None, label_column: str | None = None,
                max_rows: int = limits.MAX_CORPUS_ROWS, max_bytes: int = limits.MAX_CORPUS_BYTES) -> Rows:
    """All the rows of an uploaded corpus, for the app: at most ``max_rows`` rows and ``max_bytes`` of
    decoded text, or a message that says to use the batch job. Memoised (by a digest of the bytes):
    a rerun of the page does not parse the file again."""
    out = Rows()
    seen = 0
    for chunk in iter_rows(data, name=name, text_column=text_column, label_column=label_column, max_bytes=max_bytes):
        out.texts += chunk.texts
        out.empty += chunk.empty
        out.replaced += chunk.replaced
        out.long += chunk.long
        out.invisible += [seen + n for n in chunk.invisible]
        seen += len(chunk.texts) + chunk.empty + len(chunk.invisible)
        out.columns = chunk.columns
        if chunk.labels is not None:
            out.labels = (out.labels or []) + chunk.labels
        if len(out.texts) > max_rows or seen > 5 * max_rows:
            raise InputError(f"{name} has more than {max_rows:,} rows, more than the app embeds; map it with the batch "
                             f"job instead: python -m embedviz map {name} --text-column {text_column or 'TEXT'} --out DIR")
    if not out.texts:
        raise InputError(f"{name} has no non-empty rows to embed" + (f" in column {text_column!r}" if text_column else "")
                         + "; choose another column, or a file with text in it.")
    return out


def read_corpus_text(lines: list[str]) -> Rows:
    """Rows from a list of strings (empty ones skipped and counted)."""
    return next(_chunks(((t, None, False) for t in lines), len(lines) + 1, []), Rows())


def rows_note(rows: Rows) -> list[str]:
    """What was left out or mended while reading, in words (one phrase each)."""
    notes = [f"{rows.empty:,} empty rows skipped"] if rows.empty else []
    if rows.invisible:
        first = ", ".join(f"{n:,}" for n in rows.invisible[:5]) + (" …" if len(rows.invisible) > 5 else "")
        notes.append(f"{len(rows.invisible):,} rows holding only invisible characters (zero-width spaces, direction "
                     f"marks) skipped: row {first}")
    if rows.long:
        notes.append(f"{rows.long:,} rows over {limits.MAX_ROW_CHARS:,} characters cut to that length")
    if rows.replaced:
        notes.append(f"{rows.replaced:,} rows had bytes that are not UTF-8 (replaced by \ufffd)")
    return notes


# ---------------------------------------------------------------- embedding

def embed_batch(encoder, texts: list[str], strategy: str = "model") -> tuple[np.ndarray, int]:
    """Sentence vectors ``[len(texts), hidden]`` float32 of one batch, and how many rows were longer
    than the model reads (cut to its limit). The one function both engines run."""
    from .hidden import sentence_vector

    cut = [_cut(t) for t in texts]  # characters cut before tokenizing: a 10 MB row is never tokenized whole
    hs = encoder.hidden_states_many([t for t, _ in cut])
    vecs = np.stack([sentence_vector(h, strategy, pooling=encoder.pooling) for h in hs]).astype(np.float32)
    return vecs, sum(bool(h.tokenization.truncated or long) for h, (_, long) in zip(hs, cut))


def embed_rows(encoder, texts: list[str], *, strategy: str = "model", batch: int = 64,
               progress: Progress | None = None) -> tuple[np.ndarray, int]:
    """Sentence vectors of many rows, ``batch`` at a time, with progress (rows done / total, rows per
    second, time left). Returns (vectors, rows cut to the model's length)."""
    step = progress or (lambda f, m: None)
    out, cut, t0 = [], 0, time.perf_counter()
    for a in range(0, len(texts), batch):
        v, c = embed_batch(encoder, texts[a:a + batch], strategy)
        out.append(v)
        cut += c
        done = min(a + batch, len(texts))
        rate = done / max(time.perf_counter() - t0, 1e-9)
        step(done / len(texts), f"Embedded {done:,} of {len(texts):,} rows, {rate:,.0f} rows/s, "
                                f"{(len(texts) - done) / rate:,.0f} s left")
    return np.concatenate(out) if out else np.zeros((0, encoder.hidden_size), np.float32), cut


class _RayEmbedder:
    """A Ray Data actor holding the encoder: each worker loads the model once."""

    def __init__(self, model: str | None, strategy: str):
        from .models import load_encoder

        self.encoder = load_encoder(model)
        self.strategy = strategy

    def __call__(self, batch: dict) -> dict:
        vecs, _ = embed_batch(self.encoder, [str(t) for t in batch["text"]], self.strategy)
        return {"row": batch["row"], "vector": vecs}


def check_ray_address(address: str, timeout: float = 3.0) -> None:
    """Fail fast, in words, when nothing answers at a Ray cluster ``address`` (host:port; "auto" and
    ray:// addresses are handed to Ray as they are)."""
    if address == "auto":
        return
    hostport = address.split("://", 1)[-1]
    host, _, port = hostport.rpartition(":")
    try:
        with socket.create_connection((host or "127.0.0.1", int(port)), timeout=timeout):
            pass
    except (OSError, ValueError):
        raise InputError(f"No Ray cluster answers at {address} (tried for {timeout:g} s); start one with "
                         "`ray start --head`, or leave out --address to run Ray on this machine.") from None


_ray_started_here = False


def _start_ray(address: str | None, workers: int) -> None:
    """Connect to Ray (or start it on this machine); a start that fails says why and leaves nothing
    running."""
    global _ray_started_here
    import ray

    if ray.is_initialized():
        return
    if address:
        check_ray_address(address)
    try:
        # The workers import embedviz from this copy of it, shipped with the job (a cluster's nodes need not have it)
        ray.init(address=address, include_dashboard=False, log_to_driver=False, ignore_reinit_error=True,
                 runtime_env={"py_modules": [str(Path(__file__).resolve().parent)]},
                 **({} if address else {"num_cpus": max(workers, 1)}))
    except Exception as e:  # noqa: BLE001 - Ray fails in many ways; each is said in one line
        _quiet(ray.shutdown)
        why = " ".join(str(e).split())[:300] or type(e).__name__
        raise InputError(f"Ray did not start ({type(e).__name__}: {why}). Check that its temporary folder "
                         "(RAY_TMPDIR, /tmp) is writable and has room, or use --engine local.") from None
    _ray_started_here = address is None


def stop_ray() -> None:
    """Shut down the Ray this process started on this machine (a cluster it joined keeps running)."""
    global _ray_started_here
    if _ray_started_here:
        import ray

        _quiet(ray.shutdown)
        _ray_started_here = False


def _quiet(fn) -> None:
    try:
        fn()
    except Exception:  # noqa: BLE001, S110 - cleaning up after a failure must not hide it
        pass


def embed_rows_ray(texts: list[str], *, model: str | None = None, strategy: str = "model", batch: int = 64,
                   workers: int = 2, address: str | None = None) -> np.ndarray:
    """The same vectors as :func:`embed_rows`, computed by Ray Data: ``map_batches`` with a pool of
    ``workers`` actors, each holding the encoder, on a local Ray or the cluster at ``address``."""
    try:
        import ray  # noqa: F401
        import ray.data
    except ImportError:
        raise InputError("The Ray engine needs Ray: pip install -r requirements-ray.txt (or embedviz[ray]).") from None
    _start_ray(address, workers)
    ds = ray.data.from_items([{"row": i, "text": _cut(t)[0]} for i, t in enumerate(texts)])
    out = ds.map_batches(_RayEmbedder, fn_constructor_kwargs={"model": model, "strategy": strategy},
                         batch_size=batch, concurrency=workers, num_cpus=1).to_pandas()
    order = np.argsort(out["row"].to_numpy())
    return np.stack(out["vector"].to_numpy()[order]).astype(np.float32)


@memoize(maxsize=4)
def embed_corpus(encoder, texts: list[str], strategy: str = "model",
                 progress: Progress | None = None) -> tuple[np.ndarray, int]:
    """:func:`embed_rows`, memoised: every rerun of the page (each click on the map) reuses the vectors."""
    vecs, cut = embed_rows(encoder, texts, strategy=strategy, progress=progress)
    vecs.setflags(write=False)
    return vecs, cut


@memoize(maxsize=4)
def corpus_map(vectors: np.ndarray, texts: list[str], groups: list[str] | None = None, method: str = "pca",
               seed: int = 0, progress: Progress | None = None):
    """The :class:`~embedviz.Map` of a corpus's rows (labelled by their first words): a direct projection
    up to 5,000 rows, past that fitted on 20,000 and the rest placed."""
    from .maps import point_map
    from .projection import MAX_POINTS, fit_and_place, project

    unit = np.asarray(vectors, dtype=np.float32)
    unit = unit / np.maximum(np.linalg.norm(unit, axis=1, keepdims=True), 1e-12)
    if len(unit) <= MAX_POINTS:
        p = project(unit, method, 2, random_state=seed, progress=progress)
    else:
        p = fit_and_place(unit, method, sample=20_000, random_state=seed, progress=progress)
    short = [t if len(t) <= 80 else t[:77] + "…" for t in texts]
    return point_map(short, vectors, p, method=method, groups=groups, notes=p.notes, unit=unit)


def map_key(vectors: np.ndarray, texts: list[str]) -> str:
    """A short digest naming a corpus map (the folder a saved map goes in, and its link)."""
    import hashlib

    h = hashlib.sha1(np.ascontiguousarray(vectors).tobytes())
    h.update("\n".join(texts).encode())
    return h.hexdigest()[:16]


# ---------------------------------------------------------------- the batch job

JOB_FILE = "job.json"  # the job's mark on its folder: what it was asked to map (see _fingerprint)
JOB_FILES = ("job.json", "about.json", "map.parquet", "vectors.npy")


def _fingerprint(source: Path, *, text_column, label_column, model, strategy, chunk_rows) -> dict:
    """What a job's chunks depend on: the input (path, size, modification time), the columns, the model,
    the sentence vector and the chunk size. A rerun with another of any of these does not reuse them."""
    from .models import default_model_name

    st = source.stat()
    return {"input": str(source.resolve()), "size": st.st_size, "modified_ns": st.st_mtime_ns,
            "text_column": text_column, "label_column": label_column, "model": model or default_model_name(),
            "strategy": strategy, "chunk_rows": chunk_rows}


def _check_input(source: str | os.PathLike) -> Path:
    import stat

    p = Path(source)
    try:
        mode = p.stat().st_mode
    except FileNotFoundError:
        raise InputError(f"There is no file at {source}.") from None
    except OSError as e:
        raise InputError(f"{source} cannot be read: {e.strerror}.") from None
    if not stat.S_ISREG(mode):
        what = "a folder" if stat.S_ISDIR(mode) else "a pipe" if stat.S_ISFIFO(mode) else "not a regular file"
        raise InputError(f"{source} is {what}; the batch job reads a regular file (it must know the file's size and "
                         "read it twice: once to embed, once to resume).")
    return p


def _own_folder(out: Path, fp: dict, restart: bool) -> None:
    """Make ``out`` this job's folder: new or empty, or holding this very job (resume), or, with
    ``restart``, holding an earlier job of embedviz's (its files are removed). Anything else is refused."""
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out} is a file, not a folder.")
    entries = list(out.iterdir()) if out.is_dir() else []
    mark = out / JOB_FILE
    if entries:
        try:
            job = json.loads(mark.read_text()) if mark.is_file() else None
        except (OSError, ValueError):
            job = None
        if not isinstance(job, dict) or job.get("embedviz") != "map job":
            raise InputError(f"--out {out} is not empty and is not a folder this job made; give a new or empty folder.")
        started = (out / "vectors.npy").exists() or any((out / "chunks").glob("*.parquet"))
        if job.get("input") != fp and started:  # nothing done yet (a wrong column, say): nothing to protect
            was = job.get("input") if isinstance(job.get("input"), dict) else {}
            changed = [k for k in fp if was.get(k) != fp[k]]
            if not restart:
                raise InputError(f"--out {out} holds a job for another input ({', '.join(changed) or 'its fingerprint'} "
                                 "differ); rerun with --restart to map this input there from the start, or give "
                                 "another --out folder.")
        if restart or job.get("input") != fp:
            for name in JOB_FILES:
                (out / name).unlink(missing_ok=True)
            for p in (out / "chunks").glob("*.parquet") if (out / "chunks").is_dir() else []:
                p.unlink()
    if not mark.exists():  # the mark first: a job killed right after it still owns its folder
        atomic_write(mark, lambda f: f.write(json.dumps({"embedviz": "map job", "version": 2, "input": fp},
                                                        indent=1).encode()))
    (out / "chunks").mkdir(parents=True, exist_ok=True)


def _write_chunk(path: Path, vecs: np.ndarray, rows: Rows, cut: int) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    flat = pa.array(np.ascontiguousarray(vecs, dtype=np.float32).ravel())
    table = pa.table({"text": pa.array(rows.texts, pa.string()),
                      "label": pa.array(rows.labels if rows.labels is not None else [""] * len(rows.texts), pa.string()),
                      "vector": pa.FixedSizeListArray.from_arrays(flat, vecs.shape[1])})
    table = table.replace_schema_metadata({"cut": str(int(cut))})
    atomic_write(path, lambda f: pq.write_table(table, f))


def _read_chunk(path: Path, columns=("text", "label", "vector")):
    """A chunk's table (Arrow only: nothing in the folder is ever unpickled), or None when it is not a
    chunk this job wrote."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        t = pq.read_table(path, columns=list(columns))
    except Exception:  # noqa: BLE001 - a damaged or foreign file is embedded again
        return None
    if "vector" in columns:
        typ = t.schema.field("vector").type
        if not (pa.types.is_fixed_size_list(typ) and pa.types.is_float32(typ.value_type)):
            return None
    return t


def _chunk_vectors(t) -> np.ndarray:
    col = t.column("vector").combine_chunks()
    return np.asarray(col.flatten().to_numpy(), dtype=np.float32).reshape(len(col), col.type.list_size)


def map_corpus(source: str | os.PathLike, out_dir: str | os.PathLike, *, text_column: str | None = None,
               label_column: str | None = None, model: str | None = None, strategy: str = "model",
               engine: str = "local", address: str | None = None, workers: int = 2, chunk_rows: int = 10_000,
               method: str = "pca", sample: int = 50_000, seed: int = 0, restart: bool = False,
               progress: Progress | None = None) -> Path:
    """Embed and project a corpus file of any size into ``out_dir``: ``job.json`` (what is being mapped:
    the input's path, size and modification time, the columns, model, sentence vector and chunk size),
    ``chunks/`` (one finished ``.parquet`` of texts, labels and vectors per ``chunk_rows`` rows, written
    atomically, skipped on a rerun of the same job), then ``vectors.npy`` (float32, memory-mapped),
    ``map.parquet`` (text, label, x, y) and ``about.json``. The projection is fitted on the first
    ``sample`` rows and places the rest, a chunk at a time.

    The folder is the job's own: a non-empty folder it did not make is refused, and so is a rerun with
    another input or settings, unless ``restart`` (which starts that job again from nothing)."""
    from .models import load_encoder
    from .projection import fit_and_place

    step = progress or (lambda f, m: None)
    if engine not in ("local", "ray"):
        raise InputError("The engine is local or ray.")
    for what, value, low in (("--chunk-rows", chunk_rows, 1), ("--sample", sample, 2), ("--workers", workers, 1)):
        if not isinstance(value, int) or value < low:
            raise InputError(f"{what} must be a whole number of at least {low} (it is {value!r}).")
    if chunk_rows > 1_000_000:
        raise InputError("--chunk-rows is at most 1,000,000 (a chunk is held in memory while it is embedded).")
    src = _check_input(source)
    _kind(str(source))
    if engine == "ray" and address:
        check_ray_address(address)  # before anything is written
    out = Path(out_dir)
    fp = _fingerprint(src, text_column=text_column, label_column=label_column, model=model, strategy=strategy,
                      chunk_rows=chunk_rows)
    _own_folder(out, fp, restart)
    try:
        return _run_job(src, out, step, text_column=text_column, label_column=label_column, model=model,
                        strategy=strategy, engine=engine, address=address, workers=workers, chunk_rows=chunk_rows,
                        method=method, sample=sample, seed=seed, load_encoder=load_encoder, fit_and_place=fit_and_place)
    finally:
        if engine == "ray":
            stop_ray()


def _run_job(source: Path, out: Path, step, *, text_column, label_column, model, strategy, engine, address, workers,
             chunk_rows, method, sample, seed, load_encoder, fit_and_place) -> Path:
    enc = None  # loaded at the first chunk to embed: a wrong column fails before the model loads
    total = cut = empty = replaced = long = invisible = 0
    t0 = time.perf_counter()
    n_chunks = 0
    for i, rows in enumerate(iter_rows(source, text_column=text_column, label_column=label_column, chunk_rows=chunk_rows)):
        n_chunks = i + 1
        path = out / "chunks" / f"{i:06d}.parquet"
        empty += rows.empty
        replaced += rows.replaced
        long += rows.long
        invisible += len(rows.invisible)
        done = _read_chunk(path, ("text",)) if path.exists() else None
        if done is not None and done.column("text").to_pylist() == rows.texts:
            total += len(rows.texts)
            cut += int((done.schema.metadata or {}).get(b"cut", b"0"))
            step(0.0, f"chunk {i}: done before, skipped ({total:,} rows)")
            continue
        if engine == "local":
            enc = enc or load_encoder(model)
            vecs, c = embed_rows(enc, rows.texts, strategy=strategy)
        else:
            vecs, c = embed_rows_ray(rows.texts, model=model, strategy=strategy, workers=workers, address=address), \
                sum(_cut(t)[1] for t in rows.texts)
        total += len(vecs)
        cut += c
        _write_chunk(path, vecs, rows, c)
        rate = total / max(time.perf_counter() - t0, 1e-9)
        step(0.0, f"chunk {i}: {total:,} rows embedded, {rate:,.0f} rows/s")
    if not total:
        raise InputError(f"{source} has no non-empty rows to embed" + (f" in column {text_column!r}" if text_column else "")
                         + ".")
    files = [out / "chunks" / f"{i:06d}.parquet" for i in range(n_chunks)]
    _assemble(files, out, method=method, sample=sample, seed=seed, step=step, fit_and_place=fit_and_place)
    about = {"rows": total, "empty rows skipped": empty, "rows cut to the model's length": cut,
             "rows with bytes that were not UTF-8 (replaced)": replaced,
             f"rows over {limits.MAX_ROW_CHARS:,} characters (cut)": long,
             "rows of invisible characters only (skipped)": invisible, "model": model or "default",
             "strategy": strategy, "engine": engine, "method": method, "sample": min(sample, total),
             "source": source.name}
    atomic_write(out / "about.json", lambda f: f.write(json.dumps(about, indent=1).encode()))
    step(1.0, f"Done: {total:,} rows in {out}")
    return out


def _assemble(files, out: Path, *, method, sample, seed, step, fit_and_place) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    sizes, dim = [], None
    for p in files:
        meta = pq.read_schema(p)
        sizes.append(pq.read_metadata(p).num_rows)
        dim = meta.field("vector").type.list_size
    n = sum(sizes)
    vec_path = out / "vectors.npy"
    tmp = out / "vectors.npy.tmp"
    big = np.lib.format.open_memmap(tmp, mode="w+", dtype=np.float32, shape=(n, dim))
    a = 0
    for p, k in zip(files, sizes):
        t = _read_chunk(p, ("vector",))
        if t is None or t.num_rows != k:
            raise InputError(f"{p.name} in the job's folder is damaged; rerun the same command to embed it again.")
        big[a:a + k] = _chunk_vectors(t)
        a += k
    big.flush()
    del big
    os.replace(tmp, vec_path)
    vecs = np.load(vec_path, mmap_mode="r")
    step(0.5, f"Projecting {n:,} rows ({method}, fitted on {min(sample, n):,})")
    unit = lambda x: x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)  # noqa: E731
    coords = np.asarray(fit_and_place(unit(np.asarray(vecs[: min(n, sample)])), method, sample=sample,
                                      random_state=seed)) if n <= sample else None
    if coords is None:  # past the sample: fit on it, place the rest a chunk at a time
        coords = _place_in_chunks(vecs, method, sample, seed, unit)
    writer = None
    a = 0
    for p, k in zip(files, sizes):
        t = pq.read_table(p, columns=["text", "label"])
        table = pa.table({"text": t.column("text"), "label": t.column("label"),
                          "x": coords[a:a + k, 0], "y": coords[a:a + k, 1]})
        writer = writer or pq.ParquetWriter(out / "map.parquet.tmp", table.schema)
        writer.write_table(table)
        a += k
    writer.close()
    os.replace(out / "map.parquet.tmp", out / "map.parquet")


def _place_in_chunks(vecs, method, sample, seed, unit, chunk=20_000) -> np.ndarray:
    from .projection import _fitter, _reduce

    n = len(vecs)
    fit = unit(np.asarray(vecs[:sample], dtype=np.float32))
    coords = np.empty((n, 2), dtype=np.float32)
    if method == "pca":
        from sklearn.decomposition import PCA

        model = PCA(2, random_state=seed).fit(fit)
        coords[:sample] = model.transform(fit)
        place = model.transform
    else:
        reduce = None
        if method == "tsne":
            fit, reduce = _reduce(fit, seed)
        model, _ = _fitter(fit, method, 2, random_state=seed, perplexity=30.0, metric="cosine", n_neighbors=15,
                           min_dist=0.1, step=lambda f, m: None)
        coords[:sample] = np.asarray(model.embedding_ if method == "umap" else model)

        def place(x):
            return np.asarray(model.transform(reduce.transform(x) if reduce is not None else x))
    for a in range(sample, n, chunk):
        coords[a:a + chunk] = place(unit(np.asarray(vecs[a:a + chunk], dtype=np.float32)))
    return coords


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
    from .vector_files import cache_dir, trim_cache

    key = map_key(vectors, texts)
    save_map(cache_dir() / "corpora" / key, texts, labels, coords, vectors, about)
    trim_cache(keep=(cache_dir() / "corpora" / key,))
    return key


def open_saved_map(key: str) -> CorpusMap:
    """A map saved by :func:`save_corpus_map`, by its key."""
    from .vector_files import cache_dir

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


# ---------------------------------------------------------------- reading a map

def nearest_rows(vectors: np.ndarray, query: np.ndarray, k: int = 10, *, made_with: str | None = None,
                 model: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` rows most like ``query`` by cosine: (indices, cosines), best first. ``made_with`` and
    ``model``: the model that made the rows' vectors and the one that made the query, named in the
    message when their sizes differ."""
    v = np.asarray(vectors, dtype=np.float32)
    query = np.asarray(query, dtype=np.float32)
    if v.ndim != 2 or query.shape != (v.shape[1],):
        raise InputError(f"This map's vectors have {v.shape[-1]:,} numbers each" + (f" (made with {made_with})" if made_with
                         else "") + f", the query's {query.shape[-1]:,}" + (f" (made with {model})" if model else "")
                         + ": search it with the model that made it (pick it in the sidebar), or map it again with this one.")
    sims = (v @ query) / np.maximum(np.linalg.norm(v, axis=1) * np.linalg.norm(query), 1e-12)
    k = min(k, len(v))
    top = np.argpartition(-sims, k - 1)[:k]
    top = top[np.argsort(-sims[top])]
    return top, sims[top]


WORD = re.compile(r"[a-z][a-z'-]{2,}")
STOP = set("the and for are but not you all any can had her was one our out has him his how its may new now old see "
           "two way who did get let put say she too use that with this from they will would there their what about "
           "which when your into than then them these some could other more also been were have each only over such "
           "very just like most many where while here does".split())


@memoize(maxsize=8)
def clusters(vectors: np.ndarray, texts: list[str], k: int = 8, seed: int = 0, words: int = 3) -> tuple[np.ndarray, list[str]]:
    """k-means clusters of the rows (cosine), each named by its most distinctive words: those most
    over-represented in its rows against the whole corpus. Returns (cluster per row, names). Memoised:
    a click on the map does not run k-means again."""
    from sklearn.cluster import KMeans

    v = np.asarray(vectors, dtype=np.float32)
    v = v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)
    k = max(1, min(k, len(v)))
    assign = KMeans(k, n_init=3, random_state=seed).fit_predict(v)
    assign.setflags(write=False)
    docs = [set(WORD.findall(t.lower())) - STOP for t in texts]
    overall = Counter(w for d in docs for w in d)
    names = []
    for c in range(k):
        members = [docs[i] for i in np.flatnonzero(assign == c)]
        inside = Counter(w for d in members for w in d)
        score = {w: (n / len(members)) / ((overall[w] + 1) / (len(docs) + 1)) * np.log1p(n)
                 for w, n in inside.items() if n >= 2}
        best = sorted(score, key=lambda w: -score[w])[:words]
        names.append(f"{c + 1}: " + (", ".join(best) if best else "(no shared words)"))
    return assign, names


# ---------------------------------------------------------------- the command line

def _at_least(low: int):
    def parse(text: str) -> int:
        import argparse

        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"{value} is below {low}, the least it can be")
        return value
    return parse


def main(argv: list[str] | None = None) -> int:
    """``python -m embedviz map INPUT --text-column text --out DIR`` (see ``--help``)."""
    import argparse

    class Parser(argparse.ArgumentParser):
        def error(self, message):  # one line, as every other error of the command
            self.exit(2, f"embedviz: {message} (see python -m embedviz map --help)\n")

    ap = Parser(prog="python -m embedviz", description="Map a corpus: embed every row, project, save.")
    sub = ap.add_subparsers(dest="command", required=True, parser_class=Parser)
    m = sub.add_parser("map", help="embed and project a CSV / parquet / JSON-lines / text file into a folder")
    m.add_argument("input")
    m.add_argument("--out", required=True, help="output folder (rerun to resume)")
    m.add_argument("--text-column", help="the column to embed (not for .txt)")
    m.add_argument("--label-column", help="a column to colour by")
    m.add_argument("--model", help="encoder: a Hugging Face id or folder (default: the bundled model)")
    m.add_argument("--strategy", default="model", help="sentence vector: model, second_to_last_mean, last_mean, cls")
    m.add_argument("--engine", choices=["local", "ray"], default="local")
    m.add_argument("--address", help="a Ray cluster (host:port or auto); default: Ray on this machine")
    m.add_argument("--workers", type=_at_least(1), default=2, help="Ray actors holding the encoder")
    m.add_argument("--chunk-rows", type=_at_least(1), default=10_000, help="rows a chunk file holds (resume unit)")
    m.add_argument("--method", choices=["pca", "tsne", "umap"], default="pca")
    m.add_argument("--sample", type=_at_least(2), default=50_000, help="rows the projection is fitted on")
    m.add_argument("--restart", action="store_true", help="the --out folder holds an earlier job of another input or "
                   "settings: remove its files and start again")
    args = ap.parse_args(argv)

    def bar(f: float, msg: str) -> None:
        print(f"\r{msg[:110]:<110}", end="" if f < 1 else "\n", file=sys.stderr, flush=True)

    def say(msg: str) -> None:
        print("\nembedviz: " + " ".join(str(msg).split()), file=sys.stderr)

    try:
        out = map_corpus(args.input, args.out, text_column=args.text_column, label_column=args.label_column,
                         model=args.model, strategy=args.strategy, engine=args.engine, address=args.address,
                         workers=args.workers, chunk_rows=args.chunk_rows, method=args.method, sample=args.sample,
                         restart=args.restart, progress=bar)
    except KeyboardInterrupt:
        say("stopped (Ctrl-C). Finished chunks are kept: rerun the same command to resume.")
        return 130
    except InputError as e:
        say(e)
        return 2
    except OSError as e:
        say(f"{e.strerror or e}" + (f": {e.filename}" if getattr(e, "filename", None) else "") + ".")
        return 2
    except Exception as e:  # noqa: BLE001 - a bug or a library's failure: one line, not a traceback
        if os.environ.get("EMBEDVIZ_DEBUG"):
            raise
        say(f"failed: {type(e).__name__}: {str(e)[:300]} (set EMBEDVIZ_DEBUG=1 to see where).")
        return 1
    print(json.dumps(json.loads((out / "about.json").read_text()), indent=1))
    return 0
