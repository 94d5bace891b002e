"""The Ray Data engine: the same vectors as :func:`embedviz.embed.embed_rows`, computed by a pool of
Ray actors each holding the encoder, on this machine or a cluster. Ray is optional
(``requirements-ray.txt``); nothing imports it until a job asks for this engine.
"""

from __future__ import annotations

import socket
from pathlib import Path

import numpy as np

from .embed import embed_batch
from .errors import InputError
from .rows import cut_row


class _RayEmbedder:
    """A Ray Data actor holding the encoder: each worker loads the model once."""

    def __init__(self, model: str | None, strategy: str):
        from .static_model import load_embedder

        self.encoder = load_embedder(model)
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
    ds = ray.data.from_items([{"row": i, "text": cut_row(t)[0]} for i, t in enumerate(texts)])
    out = ds.map_batches(_RayEmbedder, fn_constructor_kwargs={"model": model, "strategy": strategy},
                         batch_size=batch, concurrency=workers, num_cpus=1).to_pandas()
    order = np.argsort(out["row"].to_numpy())
    return np.stack(out["vector"].to_numpy()[order]).astype(np.float32)
