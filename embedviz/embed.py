"""A corpus's rows as vectors: sentence vectors of many rows, a batch at a time, with progress, by
the encoder or a static model distilled from it (:func:`embedviz.static_model.load_embedder` gives
either). The Ray engine (:mod:`embedviz.ray_engine`) runs the same :func:`embed_batch`, so both give
the same vectors.
"""

from __future__ import annotations

import time

import numpy as np

from .cache import memoize
from .progress import Progress, reporter
from .rows import cut_row


def embed_batch(encoder, texts: list[str], strategy: str = "model") -> tuple[np.ndarray, int]:
    """Sentence vectors ``[len(texts), hidden]`` float32 of one batch, and how many rows were longer
    than the model reads (cut to its limit). The one function both engines run; ``encoder`` is an
    :class:`~embedviz.Encoder` or a :class:`~embedviz.static_model.StaticEmbedder`."""
    cut = [cut_row(t) for t in texts]  # characters cut before tokenizing: a 10 MB row is never tokenized whole
    short = [t for t, _ in cut]
    vecs = encoder.sentence_vectors(short, strategy)
    tokenize = getattr(encoder, "tokenize", None)
    if tokenize is None:  # a static model reads the whole row: only the characters cut count
        return vecs, sum(long for _, long in cut)
    return vecs, sum(bool(tokenize(t).truncated or long) for t, (_, long) in zip(short, cut))


def embed_rows(encoder, texts: list[str], *, strategy: str = "model", batch: int | None = None,
               progress: Progress | None = None) -> tuple[np.ndarray, int]:
    """Sentence vectors of many rows, ``batch`` at a time (default: the model's ``batch_rows``, else 64),
    with progress (rows done / total, rows per second, time left). Returns (vectors, rows cut to the
    model's length)."""
    step = reporter(progress)
    batch = batch or getattr(encoder, "batch_rows", 64)
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


@memoize(maxsize=4)
def embed_corpus(encoder, texts: list[str], strategy: str = "model",
                 progress: Progress | None = None) -> tuple[np.ndarray, int]:
    """:func:`embed_rows`, memoised: every rerun of the page (each click on the map) reuses the vectors."""
    vecs, cut = embed_rows(encoder, texts, strategy=strategy, progress=progress)
    vecs.setflags(write=False)
    return vecs, cut
