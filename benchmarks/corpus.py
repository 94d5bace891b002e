"""Embedding a corpus: rows per second in this process and on Ray Data (a local Ray on this machine),
against the floor the encoder's arithmetic sets on this machine (its FLOPs per row at the machine's
measured matrix-multiply speed); and the in-app path for 20,000 rows (embedding, then projection).

Rows: the standard library's docstrings (real text, ~1,900 rows); for 20,000 rows, the 20,000 most
frequent GloVe words, one per row (short rows: a different token count, reported).
Usage: python benchmarks/corpus.py"""

import csv
import io
import time

import numpy as np
import torch
from _common import best_of

import embedviz as ev
from embedviz import examples as ex


def machine_flops() -> float:
    a, b = torch.randn(2048, 2048), torch.randn(2048, 2048)
    t, _ = best_of(lambda: a @ b, 5)
    return 2 * 2048 ** 3 / t


def encoder_flops_per_token(enc) -> float:
    """2 x the multiply-adds of the transformer layers' weights per token (attention's own T^2 term is
    small for rows this short)."""
    n = sum(p.numel() for name, p in enc.model.named_parameters() if "encoder.layer" in name and p.dim() == 2)
    return 2.0 * n


def main():
    enc = ev.load_encoder()
    rows = [r["text"] for r in csv.DictReader(io.StringIO(ex.docstring_corpus(5000).decode()))]
    tokens = np.mean([len(enc.tokenize(t).tokens) for t in rows])
    enc.clear_cache()
    t = time.perf_counter()
    local, _ = ev.embed_rows(enc, rows)
    local_s = time.perf_counter() - t
    enc.clear_cache()
    floor_rate = machine_flops() / (encoder_flops_per_token(enc) * tokens)
    print(f"{len(rows):,} docstring rows ({tokens:.1f} tokens a row): in process {len(rows) / local_s:,.0f} rows/s; "
          f"floor (the encoder's FLOPs at this machine's matmul speed) {floor_rate:,.0f} rows/s -> "
          f"{len(rows) / local_s / floor_rate:.0%} of the floor")
    t = time.perf_counter()
    on_ray = ev.embed_rows_ray(rows, workers=2)
    first = time.perf_counter() - t
    t = time.perf_counter()
    ev.embed_rows_ray(rows, workers=2)
    second = time.perf_counter() - t
    assert np.abs(on_ray - local).max() < 1e-4
    print(f"Ray Data, 2 actors on this 2-core machine: {len(rows) / first:,.0f} rows/s with Ray's start "
          f"({first:.1f} s), {len(rows) / second:,.0f} rows/s once started ({second:.1f} s; each run starts its actors, "
          f"which load the model) -> {second / local_s:.2f}x the in-process time; same vectors (max diff "
          f"{np.abs(on_ray - local).max():.1e})")
    words = ev.load_vectors().words[:20_000]
    t = time.perf_counter()
    vecs, _ = ev.embed_corpus(enc, words)
    emb = time.perf_counter() - t
    for method in ("pca", "umap"):
        t = time.perf_counter()
        ev.corpus_map(vecs, words, None, method)
        print(f"in-app map of 20,000 rows (GloVe's words, one a row): embedding {emb:.1f} s "
              f"({20_000 / emb:,.0f} rows/s), {ev.projection.METHODS[method]} {time.perf_counter() - t:.1f} s")


if __name__ == "__main__":
    main()
