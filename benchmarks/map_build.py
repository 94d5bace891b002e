"""What a whole-vocabulary map costs to compute, and what placing points with a fitted model costs in
faithfulness. On the real GloVe 6B 50d (unit rows, as the map uses them):

- PCA of all 400,000 words, against its floor: one pass of PCA's own arithmetic (the covariance matrix);
- t-SNE and UMAP fitted on the 20,000 most frequent words with the rest placed by the fitted model,
  for N words (default 100,000; ``--all`` for 400,000): seconds, and seconds per 1,000 placed words;
- faithfulness of placed points: trustworthiness (10 neighbours) of the 10,000 words ranked
  20,001-30,000 as placed, against a t-SNE / UMAP fitted on exactly those 10,000 words (the baseline).

Usage: python benchmarks/map_build.py [--all]"""

import sys
import time

import numpy as np
from _common import best_of

import embedviz as ev
from embedviz.projection import fit_and_place, project  # noqa: F401  (project: the small-map path)


def main():
    n = 400_000 if "--all" in sys.argv else 100_000
    x = np.asarray(ev.load_vectors().unit)
    floor, _ = best_of(lambda: (x - x.mean(0)).T @ (x - x.mean(0)), 3)
    pca, _ = best_of(lambda: fit_and_place(x, "pca"), 3)
    print(f"PCA of all {len(x):,} words: {pca:.2f} s; floor (its covariance matrix alone) {floor:.2f} s "
          f"-> {pca / floor:.1f}x the floor")
    held = slice(20_000, 30_000)
    from sklearn.manifold import trustworthiness

    for method in ("tsne", "umap"):
        t = time.perf_counter()
        placed = fit_and_place(x[:n], method, sample=20_000, random_state=0)
        took = time.perf_counter() - t
        t = time.perf_counter()
        alone = fit_and_place(x[held], method, sample=20_000, random_state=0)  # 10,000 points: a full fit
        alone_s = time.perf_counter() - t
        tw_placed = trustworthiness(x[held], np.asarray(placed)[held], n_neighbors=10)
        tw_alone = trustworthiness(x[held], np.asarray(alone), n_neighbors=10)
        name = ev.projection.METHODS[method]
        print(f"{name}, fitted on 20,000 and placing the other {n - 20_000:,}: {took:.0f} s "
              f"({took / n * 1000:.2f} s per 1,000 words; {n:,} words)")
        print(f"  trustworthiness of 10,000 placed words (ranks 20,001-30,000): {tw_placed:.3f}; "
              f"{name} fitted on just those 10,000: {tw_alone:.3f} ({alone_s:.0f} s) -> placed/fitted "
              f"{tw_placed / tw_alone:.2f}")


if __name__ == "__main__":
    main()
