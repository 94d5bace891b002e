"""Time to the first useful whole-vocabulary map on a fresh server: the UMAP map on screen (its figure
built), from a cold cache (built in the background through the build queue) and from a warm one (a
restart: read from disk), each against the floor, PCA's first draw in the same process (cold: PCA
computed; warm: PCA read back). Real GloVe 6B 50d, all 400,000 words unless --words.

The cold UMAP takes about a minute of two cores: run it once.

Usage: python benchmarks/map_first_useful.py [--words N]"""

import argparse
import os
import tempfile
import time

os.environ["EMBEDVIZ_CACHE"] = tempfile.mkdtemp(prefix="embedviz-first-useful-")  # a fresh server's empty cache
os.environ.pop("EMBEDVIZ_MAPS", None)

import embedviz as ev  # noqa: E402
from embedviz import maps, plots  # noqa: E402


def draw(m):
    """The map's first figure, as the page builds it: points, labels, the density image."""
    view = m.extent()
    plots.map_figure(m, view, markers=m.markers(view), labelled=m.labelled(view), cells=m.cells(view),
                     png=m.density_png(view), title="first")


def restart():
    maps._BACKGROUND.clear()
    ev.word_map.cache_clear()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--words", type=int, default=None)
    size = ap.parse_args().words
    vecs = ev.load_vectors()
    vecs.unit  # the table itself is loaded before any clock starts  # noqa: B018
    t = time.perf_counter()
    draw(ev.word_map(vecs, "pca", size=size))
    pca_cold = time.perf_counter() - t
    t = time.perf_counter()
    b = ev.best_map(vecs, size=size)
    while not (b.ready or b.error):
        time.sleep(0.05)
    assert b.ready, b.error
    draw(b.map)
    best_cold = time.perf_counter() - t
    name = ev.projection.METHODS[b.method]
    restart()
    t = time.perf_counter()
    draw(ev.word_map(vecs, "pca", size=size))
    pca_warm = time.perf_counter() - t
    restart()
    t = time.perf_counter()
    b = ev.best_map(vecs, size=size)
    assert b.ready  # a restart with the map on disk: no build
    draw(b.map)
    best_warm = time.perf_counter() - t
    n = len(b.map)
    print(f"{n:,} words; {name} fitted on {int(b.knobs['sample']):,}, the rest placed")
    print(f"cold cache: the {name} map on screen after {best_cold:.1f} s = {best_cold / pca_cold:.1f}x the floor, PCA's "
          f"first draw ({pca_cold:.2f} s), which the page shows meanwhile")
    print(f"warm cache (a restart): the {name} map on screen after {best_warm:.2f} s = {best_warm / pca_warm:.2f}x the "
          f"floor, PCA's first draw read back ({pca_warm:.2f} s)")


if __name__ == "__main__":
    main()
