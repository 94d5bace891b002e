"""The batch job (``python -m embedviz map``): a corpus file of any size embedded and projected into a
map folder (see :mod:`embedviz.map_folder`). Its input is streamed in chunks; each finished chunk is
written atomically and skipped on a rerun of the same job, so a stopped job resumes, and memory stays
bounded whatever the input's size. The projection is fitted on a sample and places the rest
(:class:`~embedviz.Projector`).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import numpy as np

from . import limits
from .disk import atomic_write
from .embed import embed_rows
from .errors import InputError
from .progress import Progress, reporter
from .ray_engine import check_ray_address, embed_chunks_ray, stop_ray
from .rows import file_kind, iter_rows, vectors_beside
from .vecmath import unit_rows

JOB_FILE = "job.json"  # the job's mark on its folder: what it was asked to map (see _fingerprint)
JOB_FILES = ("job.json", "about.json", "map.parquet", "vectors.npy")


def _fingerprint(source: Path, *, text_column, label_column, model, strategy, chunk_rows, keep_columns=(),
                 vector_column=None, npy: Path | None = None) -> dict:
    """What a job's chunks depend on: the input (path, size, modification time), the columns, the model,
    the sentence vector and the chunk size, and where its own vectors come from, if it brings them. A
    rerun with another of any of these does not reuse them."""
    from .static_model import embedder_spec

    st = source.stat()
    fp = {"input": str(source.resolve()), "size": st.st_size, "modified_ns": st.st_mtime_ns,
          "text_column": text_column, "label_column": label_column, "model": embedder_spec(model),
          "strategy": strategy, "chunk_rows": chunk_rows}
    if keep_columns:
        fp["keep_columns"] = list(keep_columns)
    if vector_column or npy:  # only then: a folder of an earlier job without vectors still resumes
        fp["vectors"] = {"column": vector_column} if vector_column else {
            "npy": npy.name, "size": npy.stat().st_size, "modified_ns": npy.stat().st_mtime_ns}
    return fp


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


def _write_chunk(path: Path, vecs: np.ndarray, texts: list[str], labels: list[str] | None, cut: int,
                 extra: dict[str, list] | None = None) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    flat = pa.array(np.ascontiguousarray(vecs, dtype=np.float32).ravel())
    table = pa.table({"text": pa.array(texts, pa.string()),
                      "label": pa.array(labels if labels is not None else [""] * len(texts), pa.string()),
                      "vector": pa.FixedSizeListArray.from_arrays(flat, vecs.shape[1]),
                      **{c: pa.array(v, pa.string()) for c, v in (extra or {}).items()
                         if c not in ("text", "label", "x", "y", "vector")}})
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
               keep_columns: tuple[str, ...] = (), vector_column: str | None = None, vectors_npy: bool = False,
               progress: Progress | None = None) -> Path:
    """Embed and project a corpus file of any size into ``out_dir``: ``job.json`` (what is being mapped:
    the input's path, size and modification time, the columns, model, sentence vector and chunk size),
    ``chunks/`` (one finished ``.parquet`` of texts, labels and vectors per ``chunk_rows`` rows, written
    atomically, skipped on a rerun of the same job), then ``vectors.npy`` (float32, memory-mapped),
    ``map.parquet`` (text, label, x, y) and ``about.json``. The projection is fitted on the first
    ``sample`` rows and places the rest, a chunk at a time.

    ``engine="ray"``: one Ray Data job with one pool of ``workers`` actors for the whole input
    (:func:`~embedviz.ray_engine.embed_chunks_ray`), each chunk written as soon as it is back.
    Vectors of your own are used as they are, nothing is embedded: ``vector_column`` (a parquet column
    holding a list of numbers a row, all of one length) or ``vectors_npy`` (the ``.npy`` beside the
    input, named like it: one row of numbers per input row, empty rows included).

    The folder is the job's own: a non-empty folder it did not make is refused, and so is a rerun with
    another input or settings, unless ``restart`` (which starts that job again from nothing).
    ``keep_columns``: other columns of the input that ``map.parquet`` keeps (as text), to colour the map by."""
    from .static_model import check_embedder, load_embedder

    step = reporter(progress)
    if engine not in ("local", "ray"):
        raise InputError("The engine is local or ray.")
    for what, value, low in (("--chunk-rows", chunk_rows, 1), ("--sample", sample, 2), ("--workers", workers, 1)):
        if not isinstance(value, int) or value < low:
            raise InputError(f"{what} must be a whole number of at least {low} (it is {value!r}).")
    if chunk_rows > 1_000_000:
        raise InputError("--chunk-rows is at most 1,000,000 (a chunk is held in memory while it is embedded).")
    src = _check_input(source)
    file_kind(str(source))
    if vector_column and vectors_npy:
        raise InputError("Give your vectors as a column (--vectors-column) or as the .npy beside the input "
                         "(--vectors-npy), not both.")
    npy = vectors_beside(src) if vectors_npy else None  # checked before anything is written
    if npy is None and not vector_column and src.with_suffix(".npy").is_file():
        step(0.0, f"{src.with_suffix('.npy').name} is beside the input: add --vectors-npy to use its vectors as they are")
    if npy is None and not vector_column:
        check_embedder(model, strategy)  # before anything is written
    if engine == "ray" and address and npy is None and not vector_column:
        check_ray_address(address)  # before anything is written
    out = Path(out_dir)
    keep_columns = tuple(dict.fromkeys(c for c in keep_columns if c not in (text_column, label_column)))
    fp = _fingerprint(src, text_column=text_column, label_column=label_column, model=model, strategy=strategy,
                      chunk_rows=chunk_rows, keep_columns=keep_columns, vector_column=vector_column,
                      npy=src.with_suffix(".npy") if vectors_npy else None)
    _own_folder(out, fp, restart)
    read = {"text_column": text_column, "label_column": label_column, "chunk_rows": chunk_rows, "keep_columns": keep_columns,
            "vector_column": vector_column, "vectors": npy}
    try:
        return _run_job(src, out, step, read=read, model=model, strategy=strategy, engine=engine, address=address,
                        workers=workers, method=method, sample=sample, seed=seed, load_encoder=load_embedder)
    finally:
        if engine == "ray":
            stop_ray()


def _run_job(source: Path, out: Path, step, *, read: dict, model, strategy, engine, address, workers, method, sample,
             seed, load_encoder) -> Path:
    from .static_model import OWN_VECTORS, StaticEmbedder, embedder_name, embedder_spec, parse_spec

    enc = None  # loaded at the first chunk to embed: a wrong column fails before the model loads
    total = cut = empty = replaced = long = invisible = 0
    t0 = time.perf_counter()
    n_chunks = 0
    pending: dict[int, int] = {}  # Ray: chunk -> its rows, embedded by one pool once the file is read through
    empties: set[int] = set()
    pending_bytes = 0

    def write(i, texts, labels, vecs, c, extra=None):
        nonlocal total, cut
        _write_chunk(out / "chunks" / f"{i:06d}.parquet", vecs, texts, labels, c, extra)
        total += len(texts)
        cut += c
        rate = total / max(time.perf_counter() - t0, 1e-9)
        step(0.0, f"chunk {i}: {total:,} rows embedded, {rate:,.0f} rows/s")

    for i, rows in enumerate(iter_rows(source, **read)):
        n_chunks = i + 1
        path = out / "chunks" / f"{i:06d}.parquet"
        empty += rows.empty
        replaced += rows.replaced
        long += rows.long
        invisible += len(rows.invisible)
        if not rows.texts:  # a last chunk of empty rows only: nothing to embed, no file
            empties.add(i)
            continue
        done = _read_chunk(path, ("text",)) if path.exists() else None
        if done is not None and done.column("text").to_pylist() == rows.texts:
            total += len(rows.texts)
            cut += int((done.schema.metadata or {}).get(b"cut", b"0"))
            step(0.0, f"chunk {i}: done before, skipped ({total:,} rows)")
        elif rows.vectors is not None:  # the rows brought their own vectors: used as they are
            write(i, rows.texts, rows.labels, rows.vectors, 0, rows.extra)
        elif engine == "ray":
            pending[i] = len(rows.texts)
            pending_bytes += sum(map(len, rows.texts)) + sum(map(len, rows.labels or []))
            step(0.0, f"chunk {i}: read, {sum(pending.values()):,} rows to embed on Ray")
        else:
            enc = enc or load_encoder(model)
            write(i, rows.texts, rows.labels, *embed_rows(enc, rows.texts, strategy=strategy), rows.extra)
    actors = embed_chunks_ray(source, pending, write, read=read, row_bytes=pending_bytes / max(sum(pending.values()), 1),
                              model=model, strategy=strategy, workers=workers, address=address,
                              batch=StaticEmbedder.batch_rows if parse_spec(model)[0] == "static" else 64) \
        if pending else set()
    if not total:
        raise InputError(f"{source} has no non-empty rows to embed" + (f" in column {read['text_column']!r}"
                                                                      if read["text_column"] else "") + ".")
    files = [out / "chunks" / f"{i:06d}.parquet" for i in range(n_chunks) if i not in empties]
    _assemble(files, out, method=method, sample=sample, seed=seed, step=step)
    own = read["vector_column"] or (read["vectors"] is not None and source.with_suffix(".npy").name)
    about = {"rows": total, "empty rows skipped": empty, "rows cut to the model's length": cut,
             "rows with bytes that were not UTF-8 (replaced)": replaced,
             f"rows over {limits.MAX_ROW_CHARS:,} characters (cut)": long,
             "rows of invisible characters only (skipped)": invisible,
             "model": f"{OWN_VECTORS} ({own})" if own else embedder_spec(model),
             "model name": f"{OWN_VECTORS} ({own})" if own else embedder_name(model),
             "strategy": strategy, "engine": engine, "method": method, "sample": min(sample, total),
             "source": source.name, **({"label column": read["label_column"]} if read["label_column"] else {})}
    if engine == "ray" and pending:
        about["Ray actors"] = len(actors)  # one pool for the whole job: at most --workers
    atomic_write(out / "about.json", lambda f: f.write(json.dumps(about, indent=1).encode()))
    step(1.0, f"Done: {total:,} rows in {out}")
    return out


def _assemble(files, out: Path, *, method, sample, seed, step) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from .projection import fit_and_place, fit_projector

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
    if n <= sample:
        coords = np.asarray(fit_and_place(unit_rows(np.asarray(vecs)), method, sample=sample, random_state=seed))
    else:  # past the sample: fit on it (PCA too: all the rows need not fit in memory), place the rest a chunk at a time
        fitted = fit_projector(unit_rows(np.asarray(vecs[:sample], dtype=np.float32)), method, random_state=seed)
        coords = fitted.place_all(vecs, prepare=unit_rows)
    writer = None
    a = 0
    for p, k in zip(files, sizes):
        t = pq.read_table(p).drop(["vector"])  # text, label and the kept columns
        table = pa.table({"text": t.column("text"), "label": t.column("label"),
                          "x": coords[a:a + k, 0], "y": coords[a:a + k, 1],
                          **{c: t.column(c) for c in t.column_names if c not in ("text", "label")}})
        writer = writer or pq.ParquetWriter(out / "map.parquet.tmp", table.schema)
        writer.write_table(table)
        a += k
    writer.close()
    os.replace(out / "map.parquet.tmp", out / "map.parquet")
