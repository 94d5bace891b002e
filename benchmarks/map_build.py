"""What a whole-vocabulary map costs, against the library's own fit of the sample alone, and how well the
placed words keep their neighbours. On the real GloVe 6B 50d (unit rows, as the map uses them), in one
process, for UMAP and t-SNE:

- baseline: umap-learn / openTSNE with their default knobs (cosine, seeded) fitted on the 20,000 most
  frequent words alone;
- ours: the whole map (``fit_and_place``: our fit of those 20,000, then every other word placed where its
  nearest fitted words lie); the ratio whole / baseline (goal <= 1.5). Each of the two is timed cold, in a
  fresh process of its own (UMAP's first fit in a process spends ~35 s compiling: measured in one process
  after the other, the second would skip it);
- trustworthiness (10 neighbours) of 3,000 random placed words among themselves: as the whole map placed
  them, as the library's ``transform`` places them (t-SNE: from our fitted model; UMAP: from umap-learn's own
  fit with the same knobs, since ours finds the sample's neighbours exactly and keeps no search index), and
  fitted directly on just those 3,000 (the issue's ceiling; for UMAP on GloVe it comes out below both).

Also PCA of all the words against its floor (one pass of its covariance matrix).

Usage: python benchmarks/map_build.py [--words N] [--only umap|tsne]   (default: all 400,000 words)"""

import argparse
import json
import subprocess
import sys
import time

import numpy as np
from _common import best_of

import embedviz as ev
from embedviz.projection import METHODS, fit_and_place, fit_projector, trustworthiness


def baseline_fit(x, method):
    """The library's own fit with its default knobs (cosine, seeded): seconds."""
    import warnings

    t = time.perf_counter()
    if method == "umap":
        import umap

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            umap.UMAP(metric="cosine", random_state=0).fit(x)
    else:
        from openTSNE import TSNE

        TSNE(metric="cosine", random_state=0).fit(x)
    return time.perf_counter() - t


def library_fit(x):
    """umap-learn's own fit of ``x`` with the map's knobs (its NN-descent neighbours and search index), as
    a Projector: what its ``transform`` places from."""
    import warnings

    import umap

    from embedviz.projection import Projector

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = umap.UMAP(n_neighbors=15, min_dist=0.1, metric="cosine", random_state=0, low_memory=True).fit(x)
    return Projector("umap", model, model.embedding_, fitted=x)


def cold(part: str, method: str, words: int) -> dict:
    """Runs ``--cold part`` of this script in a fresh process: what it measured."""
    out = subprocess.run([sys.executable, __file__, "--cold", part, "--only", method, "--words", str(words)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def cold_part(part: str, method: str, words: int) -> None:
    x = np.asarray(ev.load_vectors().unit[:words], dtype=np.float32)
    if part == "baseline":
        print(json.dumps({"s": baseline_fit(x[:20_000], method)}))
        return
    stages = []
    t = time.perf_counter()
    fit_and_place(x, method, sample=20_000, random_state=0, progress=lambda f, m: stages.append((time.perf_counter(), m)))
    end = time.perf_counter()
    fit_end = next((ts for ts, m in stages if m.startswith("placing")), end)
    print(json.dumps({"s": end - t, "fit": fit_end - t, "place": end - fit_end}))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--words", type=int, default=400_000)
    ap.add_argument("--only", choices=["umap", "tsne"])
    ap.add_argument("--cold", choices=["whole", "baseline"])
    args = ap.parse_args()
    if args.cold:
        return cold_part(args.cold, args.only, args.words)
    x = np.asarray(ev.load_vectors().unit[:args.words], dtype=np.float32)
    n, s = len(x), 20_000
    floor, _ = best_of(lambda: (x - x.mean(0)).T @ (x - x.mean(0)), 3)
    pca, _ = best_of(lambda: fit_and_place(x, "pca"), 3)
    print(f"PCA of all {n:,} words: {pca:.2f} s; floor (its covariance matrix alone) {floor:.2f} s "
          f"-> {pca / floor:.1f}x the floor", flush=True)
    pick = np.sort(np.random.default_rng(0).choice(np.arange(s, n), 3000, replace=False))
    for method in ([args.only] if args.only else ["umap", "tsne"]):
        name = METHODS[method]
        whole = cold("whole", method, n)
        base = cold("baseline", method, n)
        ratio = whole["s"] / base["s"]
        print(f"{name}, each cold in a fresh process: whole map of {n:,} words {whole['s']:.0f} s (fit on {s:,}: "
              f"{whole['fit']:.0f} s, placing {n - s:,}: {whole['place']:.0f} s); {name}'s own fit of the {s:,} alone "
              f"(default knobs) {base['s']:.0f} s -> {ratio:.2f}x (goal <= 1.5: {'met' if ratio <= 1.5 else 'NOT met'})",
              flush=True)
        fitted = fit_projector(x[:s], method, random_state=0)  # the whole map's fit again
        # the library's transform from its own fit with the same knobs (our UMAP fit finds its neighbours
        # exactly and keeps no search index to transform with)
        lib = library_fit(x[:s]) if method == "umap" else fitted
        lib.place(x[pick[:10]], how="transform")  # its first call compiles (~70 s for umap-learn): not counted
        t = time.perf_counter()
        by_transform = lib.place(x[pick], how="transform")
        transform_s = time.perf_counter() - t
        t = time.perf_counter()
        by_near = fitted.place(x[pick])
        near_s = time.perf_counter() - t
        direct = fit_projector(x[pick], method, random_state=0).coords
        tw = {k: trustworthiness(x[pick], np.asarray(y)) for k, y in
              (("near", by_near), ("transform", by_transform), ("direct", direct))}
        print(f"  trustworthiness (k=10) of 3,000 random placed words among themselves: placed among their "
              f"nearest (as the whole map places them) {tw['near']:.3f}; by {name}'s transform "
              f"{tw['transform']:.3f}; fitted directly on just them {tw['direct']:.3f}", flush=True)
        print(f"  placing those 3,000: {near_s:.1f} s among their nearest (building the index included) vs "
              f"{transform_s:.1f} s by transform", flush=True)


if __name__ == "__main__":
    main()
