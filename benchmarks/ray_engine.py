"""The batch job on Ray against the same job in process: ``python -m embedviz map`` on the same file with
``--engine ray`` (one Ray Data job, one pool of --workers actors, Ray's start included) and with the
in-process engine (the baseline), each from nothing; prints Ray's time / the in-process time, the
pool's actors (one pool: at most --workers) and the largest difference between their vectors.

Rows: the most frequent GloVe words, one a row (short rows: Ray's fixed costs weigh most), or the
standard library's docstrings (--corpus docstrings, at most ~1,900 rows), or any number of rows of real
text (--corpus text: package descriptions, docstrings, GloVe words in runs of twelve, as
benchmarks/static_rows.py makes them; for a million rows, with --model static).
Usage: python benchmarks/ray_engine.py [--model NAME_OR_FOLDER|static] [--rows 20000] [--corpus words|docstrings|text]
       [--workers 2]"""

import argparse
import csv
import io
import tempfile
import time
from pathlib import Path

import numpy as np
from _common import report, rounds

import embedviz as ev
from embedviz import examples as ex


def corpus(kind: str, n: int) -> list[str]:
    if kind == "docstrings":
        return [r["text"] for r in csv.DictReader(io.StringIO(ex.docstring_corpus(n).decode()))][:n]
    if kind == "text":
        from static_rows import real_rows

        return real_rows(n)
    return list(ev.load_vectors().words[:n])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", help="the encoder (default: the bundled model)")
    ap.add_argument("--rows", type=int, default=20_000)
    ap.add_argument("--corpus", choices=["words", "docstrings", "text"], default="words")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--chunk-rows", type=int, default=10_000)
    ap.add_argument("--rounds", type=int, default=1, help="runs of each, interleaved; the fastest counts (a busy "
                    "machine slows one process of two torch threads far more than one-thread actors)")
    args = ap.parse_args()
    texts = corpus(args.corpus, args.rows)
    tmp = Path(tempfile.mkdtemp(prefix="embedviz-bench-"))
    src = tmp / "rows.csv"
    with open(src, "w", newline="") as f:
        csv.writer(f).writerows([["text"]] + [[t] for t in texts])
    ev.load_embedder(args.model)  # the in-process job's model load is not timed: it is once per process

    def job(engine):
        out = ev.map_corpus(src, tmp / f"{engine}-{time.time_ns()}", text_column="text", model=args.model,
                            engine=engine, workers=args.workers, chunk_rows=args.chunk_rows)
        maps[engine] = ev.open_map(out)

    maps = {}
    times = rounds({"local": lambda: job("local"), "ray": lambda: job("ray")}, n=args.rounds)
    local_s, ray_s = min(times["local"]), min(times["ray"])
    local, on_ray = maps["local"], maps["ray"]
    print("seconds per round: " + "; ".join(f"{k} " + ", ".join(f"{t:.1f}" for t in v) for k, v in times.items()))
    diff = np.abs(np.asarray(on_ray.vectors) - np.asarray(local.vectors)).max()
    print(f"{len(texts):,} rows ({args.corpus}, model {args.model or 'bundled'}), {args.workers} Ray workers, "
          f"chunks of {args.chunk_rows:,}: in process {local_s:.1f} s ({len(texts) / local_s:,.0f} rows/s), "
          f"Ray {ray_s:.1f} s ({len(texts) / ray_s:,.0f} rows/s, Ray's start and the actors' model loads included) "
          f"-> Ray takes {ray_s / local_s:.2f}x the in-process time (goal: at most 2x: "
          f"{'met' if ray_s <= 2 * local_s else 'NOT met'}); actors in the pool: {on_ray.about['Ray actors']} "
          f"(one pool for {-(-len(texts) // args.chunk_rows)} chunks); max vector difference {diff:.1e}")
    report("the batch job", "in process", local_s, ray_s)


if __name__ == "__main__":
    main()
