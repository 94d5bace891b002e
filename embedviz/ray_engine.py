"""The Ray Data engine: the same vectors as :func:`embedviz.embed.embed_rows`, computed by one pool of
Ray actors each holding the encoder, on this machine or a cluster. A whole job is one streaming Ray
Data pipeline: one read task streams the input file (on the driver's node, where the file is), the
actor pool (``map_batches``, ``concurrency=workers``) embeds, and the driver writes each chunk file as
soon as its last row comes back, so memory stays bounded whatever the input's size. Ray is optional
(``requirements-ray.txt``); nothing imports it until a job asks for this engine.
"""

from __future__ import annotations

import logging
import os
import socket
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np

from .embed import embed_batch
from .errors import InputError
from .rows import cut_row, iter_rows


class _RayEmbedder:
    """A Ray Data actor holding the encoder: each worker loads the model once. A batch's columns come
    back as they went in, with ``vector`` (its sentence vector), ``cut`` (rows cut to the model's
    length, counted on the first row of each chunk's run in the batch) and ``actor`` (which worker)."""

    def __init__(self, model: str | None, strategy: str):
        from .static_model import load_embedder

        self.encoder = load_embedder(model)
        self.strategy = strategy

    def __call__(self, batch: dict) -> dict:
        import ray

        texts = [str(t) for t in batch["text"]]
        chunk = batch.get("chunk", np.zeros(len(texts), np.int64))
        starts = [0] + [i for i in range(1, len(texts)) if chunk[i] != chunk[i - 1]] + [len(texts)]
        vecs, cut = [], np.zeros(len(texts), np.int64)
        for a, b in zip(starts, starts[1:]):  # a batch may span two chunks: each one's cut rows are its own
            v, cut[a] = embed_batch(self.encoder, texts[a:b], self.strategy)
            vecs.append(v)
        actor = ray.get_runtime_context().get_actor_id()
        return {**batch, "vector": np.concatenate(vecs), "cut": cut, "actor": np.array([actor] * len(texts))}


def check_ray_address(address: str, timeout: float = 3.0) -> None:
    """Fail fast, in words, when no Ray cluster answers at ``address`` (host:port; "auto" is handed to Ray
    as it is): nothing listens there, or what listens does not speak gRPC, as Ray's head does (``ray.init``
    would wait for it for minutes)."""
    if address == "auto":
        return
    hostport = address.split("://", 1)[-1]
    host, _, port = hostport.rpartition(":")
    try:
        with socket.create_connection((host or "127.0.0.1", int(port)), timeout=timeout) as s:
            s.settimeout(timeout)
            s.sendall(_HTTP2_HELLO)
            head = b""
            while len(head) < 9 and (got := s.recv(9 - len(head))):
                head += got
    except (OSError, ValueError):
        raise InputError(f"No Ray cluster answers at {address} (tried for {timeout:g} s); start one with "
                         "`ray start --head`, or leave out --address to run Ray on this machine.") from None
    if len(head) < 9 or head[3] != 4:  # a gRPC server's first words: an HTTP/2 SETTINGS frame
        raise InputError(f"Something answers at {address}, but not a Ray cluster; give the head's address as "
                         "`ray start --head` printed it (host:6379 by default).")


# An HTTP/2 client's opening (the connection preface and an empty SETTINGS frame): any gRPC server,
# Ray's head included, answers with its own SETTINGS frame.
_HTTP2_HELLO = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + bytes([0, 0, 0, 4, 0, 0, 0, 0, 0])


_ray_started_here = False


def _start_ray(address: str | None, workers: int):
    """Connect to Ray (or start it on this machine) and return ``ray``; a start that fails says why and
    leaves nothing running."""
    global _ray_started_here
    try:
        import ray
        import ray.data
    except ImportError:
        raise InputError("The Ray engine needs Ray: pip install -r requirements-ray.txt (or embedviz[ray]).") from None
    if ray.is_initialized():
        return ray
    if address:
        check_ray_address(address)
    try:
        # The workers import embedviz from this copy of it, shipped with the job (a cluster's nodes need not have it)
        ray.init(address=address, include_dashboard=False, log_to_driver=False, ignore_reinit_error=True,
                 logging_level=logging.WARNING,
                 runtime_env={"py_modules": [str(Path(__file__).resolve().parent)]},
                 **({} if address else {"num_cpus": max(workers, 1)}))
    except Exception as e:  # noqa: BLE001 - Ray fails in many ways; each is said in one line
        _quiet(ray.shutdown)
        why = " ".join(str(e).split())[:300] or type(e).__name__
        raise InputError(f"Ray did not start ({type(e).__name__}: {why}). Check that its temporary folder "
                         "(RAY_TMPDIR, /tmp) is writable and has room, or use --engine local.") from None
    _ray_started_here = address is None
    ray.data.DataContext.get_current().enable_progress_bars = False  # the job prints its own progress
    logging.getLogger("ray.data").setLevel(logging.WARNING)
    # Ray Data counts the one read task as the pool's only input; it streams a block per few thousand rows
    warnings.filterwarnings("ignore", message="The minimum number of concurrent actors")
    return ray


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


def _embed(ds, *, model, strategy, batch, workers):
    from ray.data import ActorPoolStrategy

    # one pool of `workers` actors for the whole dataset (ActorPoolStrategy(size=n) is `concurrency=n`)
    return ds.map_batches(_RayEmbedder, fn_constructor_kwargs={"model": model, "strategy": strategy},
                          batch_size=batch, compute=ActorPoolStrategy(size=workers), num_cpus=1)


def embed_rows_ray(texts: list[str], *, model: str | None = None, strategy: str = "model", batch: int = 64,
                   workers: int = 2, address: str | None = None) -> np.ndarray:
    """The same vectors as :func:`embed_rows`, computed by Ray Data: ``map_batches`` with a pool of
    ``workers`` actors, each holding the encoder, on a local Ray or the cluster at ``address``."""
    ray = _start_ray(address, workers)
    ds = ray.data.from_items([{"row": i, "text": cut_row(t)[0]} for i, t in enumerate(texts)])
    out = _embed(ds, model=model, strategy=strategy, batch=batch, workers=workers).to_pandas()
    order = np.argsort(out["row"].to_numpy())
    return np.stack(out["vector"].to_numpy()[order]).astype(np.float32)


KEPT = "kept:"  # the prefix of a kept column's name (``keep_columns``) while its values travel with the rows


def embed_chunks_ray(source: str | os.PathLike, chunks: dict[int, int], write: Callable, *, read: dict,
                     row_bytes: float = 200.0, model: str | None = None, strategy: str = "model", batch: int = 64,
                     workers: int = 2, address: str | None = None) -> set[str]:
    """Embed the chunks ``chunks`` (chunk number -> its rows) of the file ``source`` (read by
    :func:`~embedviz.rows.iter_rows` with ``read``) in one Ray Data job with one pool of ``workers``
    actors. Each chunk, once all its rows are back, goes to ``write(chunk, texts, labels, vectors, cut, kept)`` (``kept``: the
    ``keep_columns`` values of its rows, by column),
    in the order chunks finish. ``row_bytes``: the rows' mean size (text and label), which sizes the
    blocks. Returns the ids of the actors that embedded (at most ``workers``: one pool)."""
    ray = _start_ray(address, workers)
    from ray.data import DataContext, Datasource, ReadTask
    from ray.data.block import BlockMetadata

    wanted = dict(chunks)
    source = Path(source).resolve()  # read by a Ray worker, whose working folder is not ours

    def read_chunks():
        import pyarrow as pa

        for i, rows in enumerate(iter_rows(source, **read)):
            if i in wanted:
                n = len(rows.texts)
                yield pa.table({"chunk": pa.array(np.full(n, i, np.int64)), "row": pa.array(np.arange(n)),
                                "text": pa.array(rows.texts, pa.string()),
                                "label": pa.array(rows.labels or [""] * n, pa.string()),
                                **{KEPT + c: pa.array(v, pa.string()) for c, v in rows.extra.items()}})

    class _File(Datasource):  # one read task: the file is streamed once, in order, chunk by chunk
        def estimate_inmemory_data_size(self):
            return None

        def get_read_tasks(self, parallelism, per_task_row_limit=None, data_context=None):
            meta = BlockMetadata(num_rows=sum(wanted.values()), size_bytes=None, exec_stats=None, input_files=None)
            return [ReadTask(read_chunks, meta)]

    # Ray Data merges the read's blocks up to a size in bytes; an actor takes a block at a time. Blocks of
    # a few thousand rows keep every actor busy (4 blocks each at least) and the memory in flight small.
    per_block = max(batch, min(4_000, -(-sum(wanted.values()) // (4 * workers))))
    ctx = DataContext.get_current()
    was = ctx.target_max_block_size
    ctx.target_max_block_size = int(per_block * (row_bytes + 40))  # + the chunk, row and offsets columns
    try:  # a dataset keeps the context it was made with
        here = ray.get_runtime_context().get_node_id()  # the input is a file on this machine: read it here
        ds = ray.data.read_datasource(_File(), override_num_blocks=1, num_cpus=0,
                                      label_selector={"ray.io/node-id": here})
        ds = _embed(ds, model=model, strategy=strategy, batch=batch, workers=workers)
    finally:
        ctx.target_max_block_size = was
    parts: dict[int, list[dict]] = {}
    actors: set[str] = set()
    for b in ds.iter_batches(batch_size=None, batch_format="numpy"):
        actors.update(b["actor"].tolist())
        for j in np.unique(b["chunk"]):  # a batch may hold rows of two chunks
            part = {k: v[b["chunk"] == j] for k, v in b.items()}
            parts.setdefault(int(j), []).append(part)
        for i in [i for i, p in parts.items() if sum(len(x["row"]) for x in p) == wanted[i]]:
            got = {k: np.concatenate([x[k] for x in parts[i]]) for k in parts[i][0] if k != "actor"}
            order = np.argsort(got["row"], kind="stable")
            write(i, got["text"][order].tolist(), got["label"][order].tolist(),
                  np.asarray(got["vector"][order], np.float32), int(got["cut"].sum()),
                  {k[len(KEPT):]: got[k][order].tolist() for k in got if k.startswith(KEPT)})
            del parts[i]
    if parts:
        raise InputError(f"Ray returned only part of chunk {min(parts)}; rerun the same command to embed it again.")
    return actors
