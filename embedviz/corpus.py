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

import csv
import io
import json
import os
import re
import socket
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import access, limits
from .cache import memoize
from .disk import atomic_write
from .errors import InputError
from .progress import Progress, reporter
from .vecmath import paired_cos, top_k, unit_rows

FORMATS = {".csv": "csv", ".tsv": "csv", ".parquet": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl", ".txt": "text"}


@dataclass
class Rows:
    """Rows read from a corpus: ``texts`` (non-empty), ``labels`` (or None), and what was left out
    or mended: ``empty`` rows skipped, ``replaced`` rows whose bytes were not UTF-8."""

    texts: list[str] = field(default_factory=list)
    labels: list[str] | None = None
    empty: int = 0
    replaced: int = 0
    columns: list[str] = field(default_factory=list)


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


def iter_rows(source: str | os.PathLike | bytes, *, name: str | None = None, text_column: str | None = None,
              label_column: str | None = None, chunk_rows: int = 10_000) -> Iterator[Rows]:
    """The rows of a corpus file (or its bytes, with ``name`` for its format), ``chunk_rows`` at a time,
    streamed: a file of any size is never in memory whole. ``text_column``: the column to embed
    (required for CSV, parquet and JSON lines; plain text has one row per line)."""
    name = name or str(source)
    kind = _kind(name)
    if kind == "parquet":
        yield from _parquet_rows(source, text_column, label_column, chunk_rows)
        return
    raw = io.BytesIO(source) if isinstance(source, bytes) else open(source, "rb")
    with raw:
        lines = (_decode(b) for b in raw)
        if kind == "text":
            yield from _chunks(((t.rstrip("\r\n"), None, bad) for t, bad in lines), chunk_rows, [])
        elif kind == "jsonl":
            yield from _jsonl_rows(lines, text_column, label_column, chunk_rows)
        else:
            yield from _csv_rows(lines, text_column, label_column, chunk_rows, "\t" if name.lower().endswith(".tsv") else ",")


def _chunks(items, chunk_rows: int, columns: list[str]) -> Iterator[Rows]:
    rows = Rows(columns=columns)
    for text, label, bad in items:
        text = (text or "").strip()
        if not text:
            rows.empty += 1
            continue
        rows.texts.append(text)
        rows.replaced += bad
        if label is not None:
            rows.labels = rows.labels if rows.labels is not None else []
            rows.labels.append(str(label))
        if len(rows.texts) >= chunk_rows:
            yield rows
            rows = Rows(columns=columns)
    if rows.texts or rows.empty:
        yield rows


def _need(column: str | None, columns: list[str], what: str = "text") -> str:
    if column is None:
        raise InputError(f"Choose the {what} column: one of {', '.join(columns[:20])}.")
    if column not in columns:
        raise InputError(f"There is no column {column!r}; the columns are: {', '.join(columns[:20])}.")
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
        raise InputError(f"Not a readable CSV file: {e}.") from None
    t = header.index(_need(text_column, header))
    lab = header.index(_need(label_column, header, "label")) if label_column else None

    def items():
        try:
            for row in reader:
                bad = any(flags)
                flags.clear()
                yield (row[t] if t < len(row) else ""), (row[lab] if lab is not None and lab < len(row) else None), bad
        except csv.Error as e:
            raise InputError(f"CSV line {reader.line_num}: {e}.") from None

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
                raise InputError(f"JSON line {n} is not JSON: {e.msg}.") from None
            if not isinstance(obj, dict):
                raise InputError(f"JSON line {n} is not an object with named fields.")
            if not seen:
                seen.extend(obj)
                _need(text_column, seen)
                if label_column:
                    _need(label_column, seen, "label")
            yield obj.get(text_column) or "", obj.get(label_column) if label_column else None, bad

    yield from _chunks(items(), chunk_rows, seen)


def _parquet_rows(source, text_column, label_column, chunk_rows) -> Iterator[Rows]:
    import pyarrow.parquet as pq

    try:
        f = pq.ParquetFile(io.BytesIO(source) if isinstance(source, bytes) else source)
    except Exception as e:  # noqa: BLE001 - Arrow's errors are many; say it in words
        raise InputError(f"Not a readable parquet file ({str(e)[:120]}).") from None
    columns = f.schema_arrow.names
    cols = [_need(text_column, columns)] + ([_need(label_column, columns, "label")] if label_column else [])
    for batch in f.iter_batches(batch_size=chunk_rows, columns=cols):
        texts = batch.column(0).to_pylist()
        labels = batch.column(1).to_pylist() if label_column else [None] * len(texts)
        yield from _chunks(((str(t) if t is not None else "", lab, False) for t, lab in zip(texts, labels)), chunk_rows,
                           columns)


def columns_of(data: bytes, name: str) -> list[str]:
    """The column names of a corpus file's bytes ([] for plain text)."""
    kind = _kind(name)
    if kind == "text":
        return []
    if kind == "parquet":
        import pyarrow.parquet as pq

        try:
            return pq.ParquetFile(io.BytesIO(data)).schema_arrow.names
        except Exception as e:  # noqa: BLE001
            raise InputError(f"Not a readable parquet file ({str(e)[:120]}).") from None
    first = _decode(data.split(b"\n", 1)[0])[0]
    if kind == "jsonl":
        try:
            return list(json.loads(first))
        except (json.JSONDecodeError, TypeError):
            raise InputError("The first line is not a JSON object.") from None
    return next(csv.reader([first], delimiter="\t" if name.lower().endswith(".tsv") else ","), [])


def read_corpus(data: bytes, name: str, *, text_column: str | None = None, label_column: str | None = None,
                max_rows: int = limits.MAX_CORPUS_ROWS) -> Rows:
    """All the rows of an uploaded corpus, for the app: at most ``max_rows``, or a message that says
    to use the batch job."""
    out = Rows()
    for chunk in iter_rows(data, name=name, text_column=text_column, label_column=label_column):
        out.texts += chunk.texts
        out.empty += chunk.empty
        out.replaced += chunk.replaced
        out.columns = chunk.columns
        if chunk.labels is not None:
            out.labels = (out.labels or []) + chunk.labels
        if len(out.texts) > max_rows:
            raise InputError(f"{name} has more than {max_rows:,} rows, more than the app embeds; map it with the batch "
                             f"job instead: python -m embedviz map {name} --text-column {text_column or 'TEXT'} --out DIR")
    if not out.texts:
        raise InputError(f"{name} has no non-empty rows to embed.")
    return out


def read_corpus_text(lines: list[str]) -> Rows:
    """Rows from a list of strings (empty ones skipped and counted)."""
    return next(_chunks(((t, None, False) for t in lines), len(lines) + 1, []), Rows())


# ---------------------------------------------------------------- embedding

def embed_batch(encoder, texts: list[str], strategy: str = "model") -> tuple[np.ndarray, int]:
    """Sentence vectors ``[len(texts), hidden]`` float32 of one batch, and how many rows were longer
    than the model reads (cut to its limit). The one function both engines run."""
    vecs = encoder.sentence_vectors(texts, strategy)
    return vecs, sum(encoder.tokenize(t).truncated for t in texts)


def embed_rows(encoder, texts: list[str], *, strategy: str = "model", batch: int = 64,
               progress: Progress | None = None) -> tuple[np.ndarray, int]:
    """Sentence vectors of many rows, ``batch`` at a time, with progress (rows done / total, rows per
    second, time left). Returns (vectors, rows cut to the model's length)."""
    step = reporter(progress)
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


def embed_rows_ray(texts: list[str], *, model: str | None = None, strategy: str = "model", batch: int = 64,
                   workers: int = 2, address: str | None = None) -> np.ndarray:
    """The same vectors as :func:`embed_rows`, computed by Ray Data: ``map_batches`` with a pool of
    ``workers`` actors, each holding the encoder, on a local Ray or the cluster at ``address``."""
    try:
        import ray
        import ray.data
    except ImportError:
        raise InputError("The Ray engine needs Ray: pip install -r requirements-ray.txt (or embedviz[ray]).") from None
    if not ray.is_initialized():
        if address:
            check_ray_address(address)
        # The workers import embedviz from this copy of it, shipped with the job (a cluster's nodes need not have it)
        ray.init(address=address, include_dashboard=False, log_to_driver=False, ignore_reinit_error=True,
                 runtime_env={"py_modules": [str(Path(__file__).resolve().parent)]},
                 **({} if address else {"num_cpus": max(workers, 1)}))
    ds = ray.data.from_items([{"row": i, "text": t} for i, t in enumerate(texts)])
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
    from .projection import picture

    unit = unit_rows(np.asarray(vectors, dtype=np.float32))
    p = picture(unit, method, random_state=seed, progress=progress)
    short = [t if len(t) <= 80 else t[:77] + "…" for t in texts]
    return point_map(short, vectors, p, method=method, groups=groups, notes=p.notes, unit=unit)


def map_key(vectors: np.ndarray, texts: list[str]) -> str:
    """A short digest naming a corpus map (the folder a saved map goes in, and its link)."""
    import hashlib

    h = hashlib.sha1(np.ascontiguousarray(vectors).tobytes())
    h.update("\n".join(texts).encode())
    return h.hexdigest()[:16]


# ---------------------------------------------------------------- the batch job

def map_corpus(source: str | os.PathLike, out_dir: str | os.PathLike, *, text_column: str | None = None,
               label_column: str | None = None, model: str | None = None, strategy: str = "model",
               engine: str = "local", address: str | None = None, workers: int = 2, chunk_rows: int = 10_000,
               method: str = "pca", sample: int = 50_000, seed: int = 0, progress: Progress | None = None) -> Path:
    """Embed and project a corpus file of any size into ``out_dir``: ``chunks/`` (one finished ``.npz``
    per ``chunk_rows`` rows, written atomically, skipped on a rerun), then ``vectors.npy`` (float32,
    memory-mapped), ``map.parquet`` (text, label, x, y) and ``about.json``. The projection is fitted on
    the first ``sample`` rows and places the rest, a chunk at a time."""
    from .models import load_encoder

    step = reporter(progress)
    if engine not in ("local", "ray"):
        raise InputError("The engine is local or ray.")
    if engine == "ray" and address:
        check_ray_address(address)  # before anything is written
    _kind(str(source))
    out = Path(out_dir)
    (out / "chunks").mkdir(parents=True, exist_ok=True)
    enc = None  # loaded at the first chunk to embed: a wrong column fails before the model loads
    total = cut = empty = replaced = 0
    t0 = time.perf_counter()
    n_chunks = 0
    for i, rows in enumerate(iter_rows(source, text_column=text_column, label_column=label_column, chunk_rows=chunk_rows)):
        n_chunks = i + 1
        path = out / "chunks" / f"{i:06d}.npz"
        empty += rows.empty
        replaced += rows.replaced
        if path.exists():
            with np.load(path) as f:
                total += len(f["vectors"])
                cut += int(f["cut"])
            step(0.0, f"chunk {i}: done before, skipped ({total:,} rows)")
            continue
        if engine == "local":
            enc = enc or load_encoder(model)
            vecs, c = embed_rows(enc, rows.texts, strategy=strategy)
        else:
            vecs, c = embed_rows_ray(rows.texts, model=model, strategy=strategy, workers=workers, address=address), 0
        total += len(vecs)
        cut += c
        labels = np.array(rows.labels if rows.labels is not None else [""] * len(rows.texts), dtype=object)

        def write(f, vecs=vecs, rows=rows, labels=labels, c=c):
            np.savez(f, vectors=vecs, texts=np.array(rows.texts, dtype=object), labels=labels, cut=c)

        atomic_write(path, write)
        rate = total / max(time.perf_counter() - t0, 1e-9)
        step(0.0, f"chunk {i}: {total:,} rows embedded, {rate:,.0f} rows/s")
    if not total:
        raise InputError(f"{source} has no non-empty rows to embed.")
    files = [out / "chunks" / f"{i:06d}.npz" for i in range(n_chunks)]
    _assemble(files, out, method=method, sample=sample, seed=seed, step=step)
    about = {"rows": total, "empty rows skipped": empty, "rows cut to the model's length": cut,
             "rows with bytes that were not UTF-8 (replaced)": replaced, "model": model or "default",
             "strategy": strategy, "engine": engine, "method": method, "sample": min(sample, total),
             "source": str(source)}
    atomic_write(out / "about.json", lambda f: f.write(json.dumps(about, indent=1).encode()))
    step(1.0, f"Done: {total:,} rows in {out}")
    return out


def _assemble(files, out: Path, *, method, sample, seed, step) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from .projection import fit_and_place, fit_projector

    sizes, dim = [], None
    for p in files:
        with np.load(p, allow_pickle=True) as f:
            sizes.append(len(f["vectors"]))
            dim = f["vectors"].shape[1]
    n = sum(sizes)
    vec_path = out / "vectors.npy"
    tmp = out / "vectors.npy.tmp"
    big = np.lib.format.open_memmap(tmp, mode="w+", dtype=np.float32, shape=(n, dim))
    a = 0
    for p, k in zip(files, sizes):
        with np.load(p, allow_pickle=True) as f:
            big[a:a + k] = f["vectors"]
        a += k
    big.flush()
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
        with np.load(p, allow_pickle=True) as f:
            table = pa.table({"text": f["texts"].tolist(), "label": f["labels"].tolist(),
                              "x": coords[a:a + k, 0], "y": coords[a:a + k, 1]})
        writer = writer or pq.ParquetWriter(out / "map.parquet.tmp", table.schema)
        writer.write_table(table)
        a += k
    writer.close()
    os.replace(out / "map.parquet.tmp", out / "map.parquet")


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
    """A map written by :func:`map_corpus` (or saved by the app), opened without recomputing."""
    import pyarrow.parquet as pq

    out = Path(access.check_vector_path(out_dir))  # a visitor opens only folders the owner allowed
    if not (out / "map.parquet").exists() or not (out / "vectors.npy").exists():
        raise InputError(f"{out} is not a corpus map (it needs map.parquet and vectors.npy).")
    t = pq.read_table(out / "map.parquet")
    vecs = np.load(out / "vectors.npy", mmap_mode="r")
    if len(vecs) != t.num_rows:
        raise InputError(f"{out}: map.parquet has {t.num_rows:,} rows but vectors.npy {len(vecs):,}.")
    about = json.loads((out / "about.json").read_text()) if (out / "about.json").exists() else {}
    coords = np.c_[t.column("x").to_numpy(), t.column("y").to_numpy()].astype(np.float32)
    return CorpusMap(t.column("text").to_pylist(), [str(v) for v in t.column("label").to_pylist()], coords, vecs, about)


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


# ---------------------------------------------------------------- reading a map

def nearest_rows(vectors: np.ndarray, query: np.ndarray, k: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` rows most like ``query`` by cosine: (indices, cosines), best first."""
    v = np.asarray(vectors, dtype=np.float32)
    sims = paired_cos(v, query)
    top = top_k(sims, k)
    return top, sims[top]


WORD = re.compile(r"[a-z][a-z'-]{2,}")
STOP = set("the and for are but not you all any can had her was one our out has him his how its may new now old see "
           "two way who did get let put say she too use that with this from they will would there their what about "
           "which when your into than then them these some could other more also been were have each only over such "
           "very just like most many where while here does".split())


def clusters(vectors: np.ndarray, texts: list[str], k: int = 8, seed: int = 0, words: int = 3) -> tuple[np.ndarray, list[str]]:
    """k-means clusters of the rows (cosine), each named by its most distinctive words: those most
    over-represented in its rows against the whole corpus. Returns (cluster per row, names)."""
    from sklearn.cluster import KMeans

    v = np.asarray(vectors, dtype=np.float32)
    v = unit_rows(v)
    k = max(1, min(k, len(v)))
    assign = KMeans(k, n_init=3, random_state=seed).fit_predict(v)
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

def main(argv: list[str] | None = None) -> int:
    """``python -m embedviz map INPUT --text-column text --out DIR`` (see ``--help``)."""
    import argparse

    ap = argparse.ArgumentParser(prog="python -m embedviz", description="Map a corpus: embed every row, project, save.")
    sub = ap.add_subparsers(dest="command", required=True)
    m = sub.add_parser("map", help="embed and project a CSV / parquet / JSON-lines / text file into a folder")
    m.add_argument("input")
    m.add_argument("--out", required=True, help="output folder (rerun to resume)")
    m.add_argument("--text-column", help="the column to embed (not for .txt)")
    m.add_argument("--label-column", help="a column to colour by")
    m.add_argument("--model", help="encoder: a Hugging Face id or folder (default: the bundled model)")
    m.add_argument("--strategy", default="model", help="sentence vector: model, second_to_last_mean, last_mean, cls")
    m.add_argument("--engine", choices=["local", "ray"], default="local")
    m.add_argument("--address", help="a Ray cluster (host:port or auto); default: Ray on this machine")
    m.add_argument("--workers", type=int, default=2, help="Ray actors holding the encoder")
    m.add_argument("--chunk-rows", type=int, default=10_000)
    m.add_argument("--method", choices=["pca", "tsne", "umap"], default="pca")
    m.add_argument("--sample", type=int, default=50_000, help="rows the projection is fitted on")
    args = ap.parse_args(argv)

    def bar(f: float, msg: str) -> None:
        print(f"\r{msg[:110]:<110}", end="" if f < 1 else "\n", file=sys.stderr, flush=True)

    try:
        out = map_corpus(args.input, args.out, text_column=args.text_column, label_column=args.label_column,
                         model=args.model, strategy=args.strategy, engine=args.engine, address=args.address,
                         workers=args.workers, chunk_rows=args.chunk_rows, method=args.method, sample=args.sample,
                         progress=bar)
    except (InputError, OSError) as e:
        print(f"\nembedviz: {e}", file=sys.stderr)
        return 2
    print(json.dumps(json.loads((out / "about.json").read_text()), indent=1))
    return 0
